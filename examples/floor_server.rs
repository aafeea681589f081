//! A language server that does no work, to measure the floor of a measuring client (issue 11):
//! `floor_server [--items N] [--answer-bytes B] [--diagnostics D] [--publication-bytes P]
//! [--no-publications | --publish-after-answer]`.
//!
//! Issue 11 asks for completion right after typing at 40× texlab's p99, measured with
//! lspbench. Whether that can be met at all depends on what lspbench's own client adds to every
//! answer, and that cannot be told from refls, which always does some work. This server
//! answers as fast as a process can: its completion answer (N items, padded to B bytes, the size
//! of refls's answer) and its publication of diagnostics (D diagnostics in P bytes, sent for the
//! open manuscript and after each change, as refls and texlab do with no delay) are built once,
//! and every request is answered with them from one thread (stdin is read by a second) and one
//! `write` per message. The latency lspbench measures for it is the lowest any server giving an
//! answer of that size can get on that machine. `--publish-after-answer` holds a change's
//! publication until the next message is handled (or 1 ms has passed), as refls does when a
//! completion follows the change; `--no-publications` sends none after changes. Run it in
//! lspbench's place of a server:
//!
//! ```text
//! cargo build --release --example floor_server
//! python3 ../shared/tools/lspbench.py run --server target/release/examples/floor_server \
//!   --root /tmp/c10k --doc paper-500.tex --keys-from refs.bib --runs 1 \
//!   --hovers 0 --definitions 0 --edits 0 --completion-variants immediate
//! ```
//!
//! The defaults are refls's answer at 10,000 entries (`/tmp/c10k`): 50 items, 17,563 bytes,
//! and its publication for `paper-500.tex`: 11 diagnostics, 7,562 bytes. Items' labels are not
//! the typed work, so lspbench's hit rate is 0 here; only the latencies mean anything.
use std::io::{BufRead, BufReader, Write};

use serde_json::{Value, json};

struct Options {
    items: usize,
    answer_bytes: usize,
    diagnostics: usize,
    publication_bytes: usize,
    publications: bool,
    /// Holds a change's publication until the next message is handled, or 1 ms has passed.
    publish_after_answer: bool,
}

fn options() -> Options {
    let mut options = Options {
        items: 50,
        answer_bytes: 17_563,
        diagnostics: 11,
        publication_bytes: 7_562,
        publications: true,
        publish_after_answer: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || -> usize {
            args.next().and_then(|value| value.parse().ok()).unwrap_or_else(|| panic!("{arg} takes a number"))
        };
        match arg.as_str() {
            "--items" => options.items = number(),
            "--answer-bytes" => options.answer_bytes = number(),
            "--diagnostics" => options.diagnostics = number(),
            "--publication-bytes" => options.publication_bytes = number(),
            "--no-publications" => options.publications = false,
            "--publish-after-answer" => options.publish_after_answer = true,
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

/// Pads the first string member named `field` of each element of `list` so that `whole`
/// serialises to `bytes` (or stays as it is when it is longer already).
fn pad_to(whole: &mut Value, list: &str, field: &str, bytes: usize) {
    let size = serde_json::to_vec(whole).map_or(0, |body| body.len());
    let count = whole[list].as_array().map_or(0, Vec::len);
    if size >= bytes || count == 0 {
        return;
    }
    let missing = bytes - size;
    for (n, element) in whole[list].as_array_mut().into_iter().flatten().enumerate() {
        let share = missing / count + usize::from(n < missing % count);
        if let Some(Value::String(text)) = element.get_mut(field) {
            text.push_str(&"x".repeat(share));
        }
    }
}

/// The completion result: items shaped like refls's (label, kind, detail, sortText,
/// filterText, textEdit).
fn completion_result(options: &Options) -> Value {
    let items: Vec<Value> = (0..options.items)
        .map(|n| {
            json!({
                "label": format!("floor{n:04}work"),
                "kind": 18,
                "detail": "Floor et al. (2024)",
                "sortText": format!("{n:05}"),
                "filterText": format!("flo floor{n:04}work Floor Server 2024 "),
                "textEdit": {
                    "range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 9}},
                    "newText": format!("floor{n:04}work"),
                },
            })
        })
        .collect();
    let mut result = json!({"isIncomplete": true, "items": items});
    pad_to(&mut result, "items", "filterText", options.answer_bytes);
    result
}

/// The publication for `uri`: diagnostics shaped like refls's unknown-key warnings.
fn publication(options: &Options, uri: &str) -> Vec<u8> {
    let diagnostics: Vec<Value> = (0..options.diagnostics)
        .map(|n| {
            json!({
                "range": {"start": {"line": n, "character": 6}, "end": {"line": n, "character": 12}},
                "severity": 2,
                "code": "unknown-key",
                "source": "floor",
                "message": "the corpus has no record with this key",
            })
        })
        .collect();
    let mut params = json!({"uri": uri, "diagnostics": diagnostics});
    let frame_rest = r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":}"#.len();
    pad_to(&mut params, "diagnostics", "message", options.publication_bytes.saturating_sub(frame_rest));
    frame(&json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}))
}

fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("a message serialises");
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(&body);
    framed
}

/// The next message's body, or `None` at the end of input.
fn read_body(input: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim();
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    input.read_exact(&mut body).ok()?;
    Some(body)
}

fn main() {
    let options = options();
    // The answer's body without its id, spliced per request: `{"jsonrpc":"2.0","id":` + id
    // + `,"result":` + this.
    let completion = serde_json::to_vec(&completion_result(&options)).expect("serialises");
    let mut publication_frame = Vec::new();
    let (sender, bodies) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut input = BufReader::new(std::io::stdin().lock());
        while let Some(body) = read_body(&mut input) {
            if sender.send(body).is_err() {
                return;
            }
        }
    });
    let mut output = std::io::stdout().lock();
    let mut held = false;
    loop {
        let body = if held {
            match bodies.recv_timeout(std::time::Duration::from_millis(1)) {
                Ok(body) => body,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    held = false;
                    output.write_all(&publication_frame).expect("stdout");
                    output.flush().expect("stdout");
                    continue;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match bodies.recv() {
                Ok(body) => body,
                Err(_) => return,
            }
        };
        let Ok(message) = serde_json::from_slice::<Value>(&body) else {
            continue;
        };
        let method = message["method"].as_str().unwrap_or_default();
        let Some(id) = message.get("id").filter(|_| !method.is_empty()) else {
            // A notification, or an answer to a request of ours (we send none).
            match method {
                "textDocument/didOpen" => {
                    let uri = message["params"]["textDocument"]["uri"].as_str().unwrap_or_default();
                    publication_frame = publication(&options, uri);
                    output.write_all(&publication_frame).expect("stdout");
                    output.flush().expect("stdout");
                }
                "textDocument/didChange" if options.publish_after_answer => held = true,
                "textDocument/didChange" if options.publications => {
                    output.write_all(&publication_frame).expect("stdout");
                    output.flush().expect("stdout");
                }
                "exit" => return,
                _ => {}
            }
            continue;
        };
        let id = serde_json::to_string(id).expect("an id serialises");
        let result: Vec<u8> = match method {
            "initialize" => serde_json::to_vec(&json!({
                "capabilities": {
                    "textDocumentSync": 2,
                    "completionProvider": {"triggerCharacters": ["{", "@"]},
                    "hoverProvider": true,
                },
                "serverInfo": {"name": "floor_server"},
            }))
            .expect("serialises"),
            "textDocument/completion" => completion.clone(),
            "textDocument/hover" => br#"{"contents":{"kind":"markdown","value":"floor"}}"#.to_vec(),
            _ => b"null".to_vec(),
        };
        let mut body = format!(r#"{{"jsonrpc":"2.0","id":{id},"result":"#).into_bytes();
        body.extend_from_slice(&result);
        body.push(b'}');
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(&body);
        output.write_all(&framed).expect("stdout");
        output.flush().expect("stdout");
        if held {
            held = false;
            output.write_all(&publication_frame).expect("stdout");
            output.flush().expect("stdout");
        }
    }
}
