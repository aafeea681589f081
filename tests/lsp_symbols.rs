//! In-process LSP tests of issue 12 items 6 and 9: workspace symbols, document symbols,
//! semantic tokens, and author–year prose citations (hover, diagnostics with quick-fix data),
//! against the embedded seeds.

mod common;

use common::TestClient;
use serde_json::{Value, json};

const SEED_003: &str = "003_0499f4ac7e19fbdd.txt";

fn uri(name: &str) -> String {
    format!("file:///tmp/refls-lsp-symbols-test/{name}")
}

async fn start() -> TestClient {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client.initialize(json!({})).await;
    client
}

async fn open(client: &mut TestClient, name: &str, text: &str) -> Value {
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(name), "languageId": "markdown", "version": 1, "text": text}}),
        )
        .await;
    loop {
        let published = client.recv_notification("textDocument/publishDiagnostics").await;
        if published["uri"] == uri(name) {
            return published;
        }
    }
}

#[tokio::test]
async fn workspace_symbols_search_the_corpus() {
    let mut client = start().await;
    let found = client.request("workspace/symbol", json!({"query": "ikhile 2023"})).await;
    let first = &found[0];
    assert_eq!(first["name"], "ikhile2023virtuous", "{found}");
    assert_eq!(first["kind"], 20, "Key");
    assert!(
        first["containerName"].as_str().unwrap().starts_with("Ikhile et al. 2023. A virtuous cycle of co-production"),
        "{found}"
    );
    assert!(first["location"]["uri"].as_str().unwrap().ends_with(SEED_003), "{found}");
    assert_eq!(first["location"]["range"]["start"]["line"], 19);
    let none = client.request("workspace/symbol", json!({"query": "zzzzqqq nothing"})).await;
    assert_eq!(none, json!([]));
    client.shutdown().await;
}

#[tokio::test]
async fn document_symbols_of_an_open_bibliography() {
    let mut client = start().await;
    let bib = "@article{quill2020,\n  author = {Quill, Ada},\n  title = {Counting sparrows},\n  year = 2020\n}\n\n@book{lark2019, title = {Dawn songs}}\n";
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri("refs.bib"), "languageId": "bibtex", "version": 1, "text": bib}}),
        )
        .await;
    let symbols =
        client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri("refs.bib")}})).await;
    assert_eq!(
        symbols,
        json!([
            {"name": "quill2020", "detail": "Quill 2020. Counting sparrows", "kind": 20,
             "range": {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 1}},
             "selectionRange": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 18}}},
            {"name": "lark2019", "detail": "Dawn songs", "kind": 20,
             "range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 37}},
             "selectionRange": {"start": {"line": 6, "character": 6}, "end": {"line": 6, "character": 14}}}
        ])
    );
    // A bibliography's DOIs are fields, not citations: no semantic tokens there.
    let tokens =
        client.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri("refs.bib")}})).await;
    assert_eq!(tokens, Value::Null);
    client.shutdown().await;
}

#[tokio::test]
async fn semantic_tokens_and_prose_citations() {
    let mut client = start().await;
    let text =
        "Sharing [@ikhile2023virtuous] beats [@nobody2020].\nIkhile et al. (2023) agree; Ikhile et al. (2021) too.\n";
    let published = open(&mut client, "review.md", text).await;
    let diagnostics = published["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unknown-key", "prose-citation-year"], "{published}");
    let year = &diagnostics[1];
    assert_eq!(year["severity"], 2);
    assert_eq!(year["range"], json!({"start": {"line": 1, "character": 43}, "end": {"line": 1, "character": 47}}));
    assert_eq!(year["data"], json!({"key": "ikhile2023virtuous", "year": 2023}));

    // Legend: type 0 `citation`; modifier bits known 1, unknown 2, ambiguous 4, prose 8.
    let document = json!({"textDocument": {"uri": uri("review.md")}});
    let full = client.request("textDocument/semanticTokens/full", document.clone()).await;
    assert_eq!(full["data"], json!([0, 10, 18, 0, 1, 0, 28, 10, 0, 2, 1, 0, 20, 0, 9, 0, 28, 20, 0, 10]), "{full}");
    let mut second_line = document.clone();
    second_line["range"] = json!({"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}});
    let range = client.request("textDocument/semanticTokens/range", second_line).await;
    assert_eq!(range["data"], json!([1, 0, 20, 0, 9, 0, 28, 20, 0, 10]), "{range}");

    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri("review.md")}, "position": {"line": 1, "character": 3}}),
        )
        .await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("**A virtuous cycle of co-production"), "{hover}");
    assert_eq!(hover["range"], json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 20}}));
    client.shutdown().await;
}

#[tokio::test]
async fn semantic_tokens_are_refreshed_when_the_corpus_changes() {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client.initialize(json!({"workspace": {"semanticTokens": {"refreshSupport": true}}})).await;
    // The first corpus load is a change too: a client that asked for tokens before it may
    // have coloured every key unknown.
    let (id, _) = client.recv_request("workspace/semanticTokens/refresh").await;
    client.respond(id, Value::Null).await;
    client.shutdown().await;
}
