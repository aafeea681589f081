//! Transport faults through the built binary (issue 10): after every malformed frame the
//! server must still answer the next request, and `shutdown` / `exit` with `"params": null`
//! (as Emacs eglot sends them) must end the server cleanly with code 0.

mod support;

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

fn frame(body: &[u8]) -> Vec<u8> {
    [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat()
}

/// The binary, with a thread turning its stdout into messages.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
}

impl Server {
    fn start() -> Server {
        let mut child = support::start_server(&[], Stdio::piped());
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let messages = support::read_messages(stdout);
        Server { child, stdin, messages }
    }

    fn send(&mut self, message: Value) {
        self.stdin.write_all(&frame(message.to_string().as_bytes())).unwrap();
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
    }

    fn answer(&self, id: i64) -> Value {
        loop {
            let message = self.messages.recv_timeout(Duration::from_secs(20)).expect("the server answered");
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    fn hover(&mut self, id: i64) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": "file:///tmp/refls-transport/review.md"}, "position": {"line": 0, "character": 8}}}));
        self.answer(id)
    }
}

#[test]
fn issue_10_the_server_answers_after_every_malformed_frame() {
    let mut server = Server::start();
    server.send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    assert_eq!(server.answer(1)["result"]["serverInfo"]["name"], "refls");
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///tmp/refls-transport/review.md", "languageId": "markdown", "version": 1,
        "text": "See [@ikhile2023virtuous]."}}}));
    let valid = r#"{"jsonrpc":"2.0","method":"$/ignored"}"#;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", frame(b"{this is not json")),
        ("an array", frame(b"[1, 2, 3]")),
        ("an empty object", frame(b"{}")),
        ("no jsonrpc", frame(br#"{"id": 90, "method": "textDocument/hover"}"#)),
        ("jsonrpc 1.0", frame(br#"{"jsonrpc": "1.0", "id": 91, "method": "textDocument/hover"}"#)),
        ("an object as id", frame(br#"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover"}"#)),
        (
            "a lone surrogate escape",
            frame(br#"{"jsonrpc": "2.0", "id": 92, "method": "textDocument/hover", "params": "\ud800"}"#),
        ),
        ("invalid UTF-8 in a header", [b"X-Junk: \xff\xfe\r\n".as_slice(), &frame(valid.as_bytes())].concat()),
        ("no Content-Length", format!("Content-Type: x\r\n\r\n{valid}").into_bytes()),
        ("a non-numeric length", format!("Content-Length: many\r\n\r\n{valid}").into_bytes()),
        ("a negative length", format!("Content-Length: -3\r\n\r\n{valid}").into_bytes()),
        ("a length too short", format!("Content-Length: 5\r\n\r\n{valid}").into_bytes()),
        ("a header line without end", vec![b'h'; 200_000]),
    ];
    let mut id = 100;
    for (what, bytes) in cases {
        server.send_raw(&bytes);
        id += 1;
        let hover = server.hover(id);
        let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
        assert!(shown.contains("A virtuous cycle"), "no hover after {what}: {hover}");
    }
    // Emacs eglot's way of ending a session.
    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}));
    let answer = server.answer(2);
    assert!(answer.get("error").is_none(), "{answer}");
    server.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    let status = server.child.wait().unwrap();
    let mut stderr = String::new();
    server.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("dropped a malformed JSON-RPC message"), "every drop is logged:\n{stderr}");
}
