//! In-process tests of quick fixes (`textDocument/codeAction`) and inlay hints
//! (`textDocument/inlayHint`): one flow each through real JSON-RPC frames, in a temporary
//! workspace whose corpus is the embedded seeds plus the bibliography the manuscript declares.

mod common;

use common::TestClient;
use serde_json::{Value, json};

/// Waits for diagnostics of `uri` that satisfy `done`.
async fn diagnostics_until(client: &mut TestClient, uri: &str, done: impl Fn(&Value) -> bool) -> Value {
    loop {
        let published = client.recv_notification("textDocument/publishDiagnostics").await;
        if published["uri"] == uri && done(&published) {
            return published;
        }
    }
}

struct Workspace {
    _dir: tempfile::TempDir,
    client: TestClient,
    paper_uri: String,
    bib_uri: String,
}

/// A workspace holding `refs.bib` (one entry) and `paper.md`, which declares it; the server is
/// initialised with the client's `capabilities` and `options`, and `paper.md` is open with its
/// first diagnostics published.
async fn workspace(paper_text: &str, capabilities: Value, options: Value) -> (Workspace, Value) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let bib = root.join("refs.bib");
    std::fs::write(&bib, "@article{doe2021, title = {A Declared Work}, author = {Doe, Jane}, year = {2021}}\n")
        .unwrap();
    let paper = root.join("paper.md");
    std::fs::write(&paper, paper_text).unwrap();
    let paper_uri = format!("file://{}", paper.display());
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client
        .initialize_with(json!({
            "rootUri": format!("file://{}", root.display()),
            "capabilities": capabilities,
            "initializationOptions": options,
        }))
        .await;
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": paper_uri, "languageId": "markdown", "version": 1, "text": paper_text}}),
        )
        .await;
    let published = diagnostics_until(&mut client, &paper_uri, |_| true).await;
    let bib_uri = format!("file://{}", bib.display());
    (Workspace { _dir: dir, client, paper_uri, bib_uri }, published)
}

fn titles(actions: &Value) -> Vec<&str> {
    actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn quick_fixes_replace_a_key_and_extend_the_declared_bibliography() {
    let text = "---\nbibliography: refs.bib\n---\nSee [@doe2021; @ikhile2023virtous] and [@ikhile2023virtuous].\n";
    let (mut w, published) = workspace(text, json!({}), json!({})).await;
    let diagnostics = published["diagnostics"].as_array().unwrap().clone();
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["code"], "unknown-key");

    // On the unknown key: the did-you-mean, attached to its diagnostic.
    let actions = w
        .client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": w.paper_uri}, "range": diagnostics[0]["range"],
                   "context": {"diagnostics": diagnostics}}),
        )
        .await;
    assert_eq!(titles(&actions), ["Replace `ikhile2023virtous` with `ikhile2023virtuous` (Ikhile et al. 2023)"]);
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"], json!(diagnostics));
    assert_eq!(
        fix["edit"]["changes"][&w.paper_uri],
        json!([{"range": diagnostics[0]["range"], "newText": "ikhile2023virtuous"}])
    );

    // On the seed work the declared bibliography lacks: append it to refs.bib, after its
    // last line (line 1 is the empty line after the entry's newline).
    let at = json!({"start": {"line": 3, "character": 45}, "end": {"line": 3, "character": 45}});
    let actions = w
        .client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": w.paper_uri}, "range": at, "context": {"diagnostics": []}}),
        )
        .await;
    assert_eq!(titles(&actions), ["Add `ikhile2023virtuous` (Ikhile et al. 2023) to refs.bib"]);
    let edits = &actions[0]["edit"]["changes"][&w.bib_uri];
    assert_eq!(edits[0]["range"], json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}));
    let entry = edits[0]["newText"].as_str().unwrap();
    assert!(entry.starts_with("\n@article{ikhile2023virtuous,\n"), "{entry}");
    assert!(entry.contains("doi = {10.1111/hex.13851}"), "{entry}");
    assert!(actions[0].get("diagnostics").is_none(), "no diagnostic to attach: {actions}");

    // A client that asks only for refactorings gets none.
    let none = w
        .client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": w.paper_uri}, "range": at,
                   "context": {"diagnostics": [], "only": ["refactor"]}}),
        )
        .await;
    assert_eq!(none, Value::Null);
    w.client.shutdown().await;
}

#[tokio::test]
async fn an_append_is_resolved_when_the_client_can_resolve_edits() {
    let text = "---\nbibliography: refs.bib\n---\nSee [@ikhile2023virtuous].\n";
    let capabilities = json!({"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}}});
    let (mut w, _) = workspace(text, capabilities, json!({})).await;
    let at = json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 8}});
    let actions = w
        .client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": w.paper_uri}, "range": at, "context": {"diagnostics": []}}),
        )
        .await;
    assert_eq!(titles(&actions), ["Add `ikhile2023virtuous` (Ikhile et al. 2023) to refs.bib"]);
    assert!(actions[0].get("edit").is_none(), "the edit waits for resolve: {actions}");
    let resolved = w.client.request("codeAction/resolve", actions[0].clone()).await;
    let edits = &resolved["edit"]["changes"][&w.bib_uri];
    assert_eq!(edits[0]["range"]["start"], json!({"line": 1, "character": 0}), "{resolved}");
    assert!(edits[0]["newText"].as_str().unwrap().starts_with("\n@article{ikhile2023virtuous,\n"), "{resolved}");
    w.client.shutdown().await;
}

fn labels(hints: &Value) -> Vec<(u64, u64, &str)> {
    hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["position"]["character"].as_u64().unwrap(),
                h["label"].as_str().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn inlay_hints_follow_the_setting() {
    let text = "Cycles [@doi:10.1111/hex.13851] and [@ikhile2023virtuous].\n";
    let (mut w, _) = workspace(text, json!({}), json!({})).await;
    let whole = json!({"textDocument": {"uri": w.paper_uri},
                       "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}});
    let hints = w.client.request("textDocument/inlayHint", whole.clone()).await;
    assert_eq!(labels(&hints), [(0, 30, "Ikhile et al. 2023")]);
    assert_eq!(hints[0]["paddingLeft"], true);
    assert!(hints[0]["tooltip"].as_str().unwrap().contains("A virtuous cycle of co-production"), "{hints}");

    w.client.notify("workspace/didChangeConfiguration", json!({"settings": {"refls": {"inlayHints": "all"}}})).await;
    let hints = w.client.request("textDocument/inlayHint", whole.clone()).await;
    assert_eq!(labels(&hints), [(0, 30, "Ikhile et al. 2023"), (0, 56, "Ikhile et al. 2023")]);

    // A bibliography open in the editor is a source, not a manuscript: no hints after its DOIs.
    let bib = "@article{cycle, author = {Ikhile, D.}, title = {A cycle}, year = {2023}, doi = {10.1111/hex.13851}}\n";
    w.client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": w.bib_uri, "languageId": "bibtex", "version": 1, "text": bib}}),
        )
        .await;
    let in_bib = json!({"textDocument": {"uri": w.bib_uri},
                        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}});
    assert_eq!(w.client.request("textDocument/inlayHint", in_bib).await, json!([]));

    w.client.notify("workspace/didChangeConfiguration", json!({"settings": {"refls": {"inlayHints": "off"}}})).await;
    let hints = w.client.request("textDocument/inlayHint", whole).await;
    assert_eq!(hints, json!([]));
    w.client.shutdown().await;
}
