//! In-process LSP tests: the real server (`refls::lsp::service`) driven over an in-memory
//! pipe with real JSON-RPC frames. Few on purpose: one flow per feature, the capabilities
//! pinned, the ordering of edits, and the inputs that must not bring the server down.

mod common;

use std::time::Duration;

use common::TestClient;
use serde_json::{Value, json};

const SEED_003: &str = "003_0499f4ac7e19fbdd.txt";

fn uri(name: &str) -> String {
    format!("file:///tmp/refls-lsp-test/{name}")
}

/// A server with no workspace folder: the corpus is the embedded seeds.
async fn start(capabilities: Value) -> TestClient {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client.initialize(capabilities).await;
    client
}

async fn open(client: &mut TestClient, name: &str, text: &str) -> Value {
    let language = if name.ends_with(".tex") { "latex" } else { "markdown" };
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(name), "languageId": language, "version": 1, "text": text}}),
        )
        .await;
    // The first diagnostics of a document are published once the corpus is loaded.
    loop {
        let published = client.recv_notification("textDocument/publishDiagnostics").await;
        if published["uri"] == uri(name) {
            return published;
        }
    }
}

fn at(name: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri(name)}, "position": {"line": line, "character": character}})
}

#[tokio::test]
async fn capabilities_are_pinned() {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    let result = client.initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})).await;
    insta::assert_snapshot!(serde_json::to_string_pretty(&result["capabilities"]).unwrap(), @r#"
    {
      "positionEncoding": "utf-8",
      "textDocumentSync": {
        "openClose": true,
        "change": 2
      },
      "hoverProvider": true,
      "completionProvider": {
        "resolveProvider": true,
        "triggerCharacters": [
          "@",
          "{",
          ",",
          "<",
          ":",
          ";"
        ]
      },
      "definitionProvider": true,
      "referencesProvider": true,
      "documentSymbolProvider": true,
      "workspaceSymbolProvider": true,
      "codeActionProvider": {
        "codeActionKinds": [
          "quickfix"
        ],
        "resolveProvider": true
      },
      "codeLensProvider": {
        "resolveProvider": false
      },
      "renameProvider": {
        "prepareProvider": true
      },
      "documentLinkProvider": {
        "resolveProvider": false
      },
      "executeCommandProvider": {
        "commands": [
          "refls.exportBibliography"
        ]
      },
      "semanticTokensProvider": {
        "legend": {
          "tokenTypes": [
            "citation"
          ],
          "tokenModifiers": [
            "known",
            "unknown",
            "ambiguous",
            "prose"
          ]
        },
        "range": true,
        "full": true
      },
      "inlayHintProvider": true
    }
    "#);
    assert_eq!(result["serverInfo"]["name"], "refls");
    client.shutdown().await;
}

#[tokio::test]
async fn utf16_is_the_default_encoding() {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    let result = client.initialize(json!({})).await;
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    client.shutdown().await;
}

#[tokio::test]
async fn diagnostics_hover_completion_definition() {
    let mut client = start(json!({})).await;
    let text = "# Review\n\nSharing [@ikhile2023virtuous] beats [@nobody2020].\n";
    let published = open(&mut client, "review.md", text).await;
    assert_eq!(published["version"], 1);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{published}");
    assert_eq!(diagnostics[0]["code"], "unknown-key");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 2, "character": 38}, "end": {"line": 2, "character": 48}})
    );

    let hover = client.request("textDocument/hover", at("review.md", 2, 15)).await;
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("**A virtuous cycle of co-production"), "{markdown}");
    assert!(markdown.contains("[doi:10.1111/hex.13851](https://doi.org/10.1111/hex.13851)"), "{markdown}");
    assert!(markdown.contains(&format!("{}:20](file://", SEED_003.replace('_', "\\_"))), "{markdown}");
    assert_eq!(hover["range"], json!({"start": {"line": 2, "character": 10}, "end": {"line": 2, "character": 28}}));

    let definition = client.request("textDocument/definition", at("review.md", 2, 15)).await;
    assert!(definition["uri"].as_str().unwrap().ends_with(SEED_003), "{definition}");
    assert_eq!(definition["range"]["start"]["line"], 19);

    // Type `[@virt` at the end of the last line, then ask for completion.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri("review.md"), "version": 2},
                   "contentChanges": [{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}, "text": "See [@virt"}]}),
        )
        .await;
    let completion = client.request("textDocument/completion", at("review.md", 3, 10)).await;
    let items = completion["items"].as_array().unwrap();
    assert_eq!(items[0]["label"], "ikhile2023virtuous", "{completion}");
    assert_eq!(
        items[0]["textEdit"]["range"],
        json!({"start": {"line": 3, "character": 6}, "end": {"line": 3, "character": 10}})
    );
    assert!(items[0].get("documentation").is_none(), "documentation waits for resolve: {completion}");
    let resolved = client.request("completionItem/resolve", items[0].clone()).await;
    assert!(resolved["documentation"]["value"].as_str().unwrap().contains("A virtuous cycle"), "{resolved}");
    assert_eq!(items[0]["sortText"], "00000");
    // The edit produced new diagnostics with the new version.
    let republished = client.recv_notification("textDocument/publishDiagnostics").await;
    assert_eq!(republished["version"], 2);
    client.shutdown().await;
}

#[tokio::test]
async fn latex_and_utf8_positions() {
    let mut client = start(json!({"general": {"positionEncodings": ["utf-8"]}})).await;
    // `é` is two bytes: with UTF-8 positions the key starts at byte column 14.
    let text = "Résumé \\cite{buckley2022multistakeholder, oliver2019dark}\n";
    let published = open(&mut client, "review.tex", text).await;
    let codes: Vec<&str> =
        published["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["cited-only"]);
    let hover = client.request("textDocument/hover", at("review.tex", 0, 20)).await;
    assert_eq!(hover["range"]["start"]["character"], 15);
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Multi-stakeholder perspectives"));
    // A cited work reached from two pages: two definition targets.
    let definition = client.request("textDocument/definition", at("review.tex", 0, 50)).await;
    assert_eq!(definition.as_array().map(Vec::len), Some(2), "{definition}");
    client.shutdown().await;
}

/// Completion in a later version of a long LaTeX paper takes its scan up a few kilobytes
/// before the edit (issue 11): what it finds must still follow every edit made since the
/// scan it takes up, here a verbatim environment opened and closed again just before the
/// citation being typed.
#[tokio::test]
async fn latex_completion_follows_edits_made_since_the_last_scan() {
    let mut client = start(json!({})).await;
    let lines = 400;
    let text =
        format!("\\section{{Review}}\n{}End.\n", "Plain prose of a long review, line after line.\n".repeat(lines));
    open(&mut client, "long.tex", &text).await;
    let last = lines as u32 + 1;
    let change = |version: i32, line: u32, text: &str| {
        json!({"textDocument": {"uri": uri("long.tex"), "version": version},
               "contentChanges": [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": text}]})
    };
    let labels = |completion: &Value| -> Vec<String> {
        completion["items"].as_array().map_or(Vec::new(), |items| {
            items.iter().map(|item| item["label"].as_str().unwrap_or_default().to_owned()).collect()
        })
    };
    client.notify("textDocument/didChange", change(2, last, "\\cite{virt} ")).await;
    let completion = client.request("textDocument/completion", at("long.tex", last, 10)).await;
    assert_eq!(labels(&completion).first().map(String::as_str), Some("ikhile2023virtuous"), "{completion}");
    assert_eq!(client.recv_notification("textDocument/publishDiagnostics").await["version"], 2);
    // A verbatim environment opened a few lines before: the citation is verbatim text.
    client.notify("textDocument/didChange", change(3, last - 3, "\\begin{verbatim}\n")).await;
    let completion = client.request("textDocument/completion", at("long.tex", last + 1, 10)).await;
    assert!(labels(&completion).is_empty(), "completion inside a verbatim environment: {completion}");
    assert_eq!(client.recv_notification("textDocument/publishDiagnostics").await["version"], 3);
    // Closed again before the citation: completion is back.
    client.notify("textDocument/didChange", change(4, last + 1, "\\end{verbatim}\n")).await;
    let completion = client.request("textDocument/completion", at("long.tex", last + 2, 10)).await;
    assert_eq!(labels(&completion).first().map(String::as_str), Some("ikhile2023virtuous"), "{completion}");
    client.shutdown().await;
}

#[tokio::test]
async fn bad_requests_answer_nothing_and_the_server_stays_up() {
    let mut client = start(json!({})).await;
    // A document that was never opened.
    assert_eq!(client.request("textDocument/hover", at("never-opened.md", 0, 0)).await, Value::Null);
    open(&mut client, "review.md", "See [@ikhile2023virtuous].\n").await;
    // Positions past the end of a line, or of the document, clamp.
    assert_eq!(client.request("textDocument/hover", at("review.md", 0, 9999)).await, Value::Null);
    assert_eq!(client.request("textDocument/completion", at("review.md", 999, 0)).await, Value::Null);
    // An unknown method is an error response, not a crash.
    let response = client.request_response("refls/noSuchMethod", json!({})).await;
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // NUL bytes and lone surrogates' replacement characters in a document.
    open(&mut client, "nul.md", "a\0b [@ikhile2023virtuous] \u{FFFD}\0\n").await;
    let hover = client.request("textDocument/hover", at("nul.md", 0, 8)).await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("A virtuous cycle"));
    // A 20 MB manuscript: opened, diagnosed, and still answering. The wait is a hang guard,
    // not a speed check: a debug build on a loaded machine may take far longer than 20 s.
    client.set_timeout(std::time::Duration::from_secs(180));
    let line = "Prose prose prose [@ikhile2023virtuous] and more prose about co-production.\n";
    let big: String = line.repeat(20_000_000 / line.len());
    open(&mut client, "big.md", &big).await;
    let hover = client.request("textDocument/hover", at("big.md", 200_000, 25)).await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("A virtuous cycle"));
    client.shutdown().await;
}

/// A tiny deterministic generator, so the edit sequence is the same on every run.
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The UTF-16 position of a char index in `text`, computed independently of the server.
fn utf16_position(text: &str, char_index: usize) -> Value {
    let (mut line, mut character) = (0u32, 0u32);
    let mut chars = text.chars().take(char_index).peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => (line, character) = (line + 1, 0),
            '\r' if chars.peek() != Some(&'\n') => (line, character) = (line + 1, 0),
            '\r' => {}
            _ => character += c.len_utf16() as u32,
        }
    }
    json!({"line": line, "character": character})
}

/// Thousands of random incremental edits, astral characters included, sent without waiting;
/// after each batch the server's text must equal the text the client holds (tower-lsp runs
/// handlers concurrently, so this fails if an edit is applied after an `.await`).
#[tokio::test]
async fn random_incremental_edits_arrive_in_order() {
    let mut client = start(json!({})).await;
    let mut shadow = String::from("Start [@ikhile2023virtuous]\n");
    open(&mut client, "edits.md", &shadow).await;
    let pieces = ["a", "é", "😀", "𝔸", "‐", "中文", "\n", "\r\n", " [@hick", "]", ""];
    let mut rng = SplitMix(7);
    let mut version = 1;
    for _batch in 0..20 {
        for _ in 0..100 {
            version += 1;
            // Positions are taken at char boundaries, but a CRLF pair is never split.
            let chars: Vec<char> = shadow.chars().collect();
            let boundary = |i: usize| i == 0 || i >= chars.len() || !(chars[i - 1] == '\r' && chars[i] == '\n');
            let mut a = rng.below(chars.len() + 1);
            let mut b = (a + rng.below(4)).min(chars.len());
            while !boundary(a) {
                a -= 1;
            }
            while !boundary(b) {
                b += 1;
            }
            let piece = pieces[rng.below(pieces.len())];
            let change = json!({"range": {"start": utf16_position(&shadow, a), "end": utf16_position(&shadow, b)}, "text": piece});
            let start_byte: usize = chars[..a].iter().map(|c| c.len_utf8()).sum();
            let end_byte: usize = chars[..b].iter().map(|c| c.len_utf8()).sum();
            shadow.replace_range(start_byte..end_byte, piece);
            client
                .notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri("edits.md"), "version": version}, "contentChanges": [change]}),
                )
                .await;
        }
        let server = client.request("refls/documentText", json!({"uri": uri("edits.md")})).await;
        assert_eq!(server["version"], version);
        assert_eq!(server["text"].as_str().unwrap(), shadow, "after version {version}");
    }
    client.shutdown().await;
}

#[tokio::test]
async fn diagnostics_are_debounced_and_carry_the_version() {
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client.initialize_with(json!({"capabilities": {}, "initializationOptions": {"diagnosticsDelayMs": 300}})).await;
    open(&mut client, "typing.md", "").await;
    // Five quick keystrokes: only the last version is diagnosed.
    for (i, ch) in "[@zz]".chars().enumerate() {
        let change = json!({"range": {"start": {"line": 0, "character": i}, "end": {"line": 0, "character": i}}, "text": ch.to_string()});
        client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri("typing.md"), "version": i + 2}, "contentChanges": [change]}),
            )
            .await;
    }
    let published = client.recv_notification("textDocument/publishDiagnostics").await;
    assert_eq!(published["version"], 6);
    assert_eq!(published["diagnostics"][0]["code"], "unknown-key");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let late: Vec<Value> =
        client.pending_messages().into_iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").collect();
    assert!(late.is_empty(), "earlier versions were published too: {late:?}");
    client.shutdown().await;
}

/// With the adaptive delay, a cheap pass runs at every keystroke, and one whose version a
/// later edit replaced stops without publishing (issue 11): what the client is sent never goes
/// back to an older version, and the last thing it is sent is the last version's diagnostics.
#[tokio::test]
async fn quick_edits_publish_newer_versions_only_and_end_on_the_last() {
    let mut client = start(json!({})).await;
    open(&mut client, "quick.md", "").await;
    let typed = "See [@zz] and [@ikhile2023virtuous] again. ";
    for (i, ch) in typed.chars().enumerate() {
        let change = json!({"range": {"start": {"line": 0, "character": i}, "end": {"line": 0, "character": i}}, "text": ch.to_string()});
        client
            .notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri("quick.md"), "version": i + 2}, "contentChanges": [change]}),
            )
            .await;
    }
    let last = typed.chars().count() + 1;
    let mut versions = Vec::new();
    loop {
        let published = client.recv_notification("textDocument/publishDiagnostics").await;
        let version = published["version"].as_u64().expect("a version") as usize;
        versions.push(version);
        if version == last {
            let codes: Vec<&str> =
                published["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
            assert_eq!(codes, ["unknown-key"], "{published}");
            break;
        }
    }
    assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "versions went back: {versions:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late: Vec<Value> =
        client.pending_messages().into_iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").collect();
    assert!(late.is_empty(), "published after the last version: {late:?}");
    client.shutdown().await;
}

/// Issue 10, fault 12: a note with more diagnostics than an editor shows publishes the first
/// `MAX_PUBLISHED_DIAGNOSTICS` by position and one note counting the rest.
#[tokio::test]
async fn issue_10_diagnostics_past_the_limit_are_counted_not_published() {
    let mut client = start(json!({})).await;
    let limit = refls::lsp::MAX_PUBLISHED_DIAGNOSTICS;
    let text: String = (0..limit + 25).map(|i| format!("See [@nobody{i}].\n")).collect();
    let published = open(&mut client, "long.md", &text).await;
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), limit + 1);
    assert!(diagnostics[..limit].iter().all(|d| d["code"] == "unknown-key"));
    assert_eq!(diagnostics[limit - 1]["range"]["start"]["line"], limit - 1, "the first by position");
    let note = &diagnostics[limit];
    assert_eq!(note["code"], "diagnostics-not-shown");
    assert!(note["message"].as_str().unwrap().starts_with("25 more diagnostics"), "{note}");
}
