//! The built binary over stdio, as an editor runs it: `refls --stdio` (the flag VS Code's
//! client adds), a malformed frame and a request for an unknown method along the way, then a
//! clean shutdown and exit with code 0, no panic on stderr and nothing but frames on stdout.
//! And as a person runs it: `refls` typed in a terminal says on stderr what it is waiting for.

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn binary_serves_stdio_and_exits_cleanly() {
    let mut child = support::start_server(&["--stdio"], Stdio::piped());
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let rx = support::read_messages(stdout);
    let wait_for = |id: i64| loop {
        let message = rx.recv_timeout(Duration::from_secs(20)).expect("the server answered");
        if message["id"] == json!(id) {
            return message;
        }
    };
    let send =
        |stdin: &mut std::process::ChildStdin, value: Value| stdin.write_all(&frame(&value.to_string())).unwrap();

    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    assert_eq!(wait_for(1)["result"]["serverInfo"]["name"], "refls");
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    // Malformed JSON-RPC: a frame whose body is not JSON, then one that is not a message.
    stdin.write_all(&frame("{this is not json")).unwrap();
    stdin.write_all(&frame("[1, 2, 3]")).unwrap();
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 2, "method": "refls/unknown", "params": {}}));
    assert_eq!(wait_for(2)["error"]["code"], -32601);
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "file:///tmp/refls-stdio/review.md", "languageId": "markdown", "version": 1,
            "text": "See [@ikhile2023virtuous]."}}}),
    );
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": "file:///tmp/refls-stdio/review.md"}, "position": {"line": 0, "character": 8}}}),
    );
    let hover = wait_for(3);
    assert!(hover["result"]["contents"]["value"].as_str().unwrap().contains("A virtuous cycle"), "{hover}");
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}));
    assert_eq!(wait_for(4)["result"], Value::Null);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    drop(stdin);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("waiting for an editor"), "stdin is a pipe, not a person: {stderr}");
}

/// Whether the open file behind `fd` is in non-blocking mode.
fn non_blocking(fd: &impl std::os::fd::AsRawFd) -> bool {
    #[allow(unsafe_code)]
    // SAFETY: F_GETFL reads the flags of a descriptor this test holds open.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    assert!(flags >= 0, "fcntl: {}", std::io::Error::last_os_error());
    flags & libc::O_NONBLOCK != 0
}

/// Sets `O_NONBLOCK` on the open file behind `fd`.
fn set_non_blocking(fd: &impl std::os::fd::AsRawFd) {
    #[allow(unsafe_code)]
    // SAFETY: F_GETFL/F_SETFL read and set the flags of a descriptor this test holds open.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        assert!(flags >= 0 && libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) >= 0);
    }
}

/// Runs the server on two pipes through `initialize`, `shutdown` and `exit`, and tells
/// whether its stdin and stdout were non-blocking while it served and after it stopped.
fn serve_on_pipes(stdin_non_blocking_before: bool) -> ((bool, bool), (bool, bool)) {
    let (server_in, mut to_server) = std::io::pipe().unwrap();
    let (from_server, server_out) = std::io::pipe().unwrap();
    let (server_in_copy, server_out_copy) = (server_in.try_clone().unwrap(), server_out.try_clone().unwrap());
    if stdin_non_blocking_before {
        set_non_blocking(&server_in_copy);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_refls"))
        .stdin(server_in)
        .stdout(server_out)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start refls");
    let rx = support::read_messages(from_server);
    let send = |to: &mut std::io::PipeWriter, value: Value| to.write_all(&frame(&value.to_string())).unwrap();
    send(&mut to_server, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    let answer = rx.recv_timeout(Duration::from_secs(20)).expect("the server answered");
    assert_eq!(answer["result"]["serverInfo"]["name"], "refls");
    let serving = (non_blocking(&server_in_copy), non_blocking(&server_out_copy));
    send(&mut to_server, json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(&mut to_server, json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    (serving, (non_blocking(&server_in_copy), non_blocking(&server_out_copy)))
}

/// Through pipes the server reads and writes on the async runtime (non-blocking pipes, see
/// `src/lsp/stdio.rs`), and hands the pipes back in blocking mode when it stops, for a
/// wrapper script that shares them. The test keeps its own copies of the server's ends.
#[test]
fn pipes_are_served_without_blocking_threads_and_handed_back_blocking() {
    let (serving, after) = serve_on_pipes(false);
    assert_eq!(serving, (true, true), "served through the runtime");
    assert_eq!(after, (false, false), "handed back blocking");
    // A pipe the editor handed over non-blocking is left as it was.
    let (_, after) = serve_on_pipes(true);
    assert_eq!(after, (true, false), "only what the server set is cleared");
}

/// `script` (util-linux) gives the binary a pseudo-terminal as stdin while its stdout and
/// stderr go to files; its own stdin is empty, so the terminal reports end of input at once and
/// the server stops.
#[cfg(target_os = "linux")]
#[test]
fn a_terminal_on_stdin_gets_one_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let inner = format!("'{}' 2>'{}' >'{}'", env!("CARGO_BIN_EXE_refls"), err.display(), out.display());
    let status = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("`script` from util-linux runs the binary in a terminal");
    assert!(status.success(), "{status}");
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert_eq!(
        stderr,
        "refls is a language server: it is waiting for an editor to speak LSP on stdin (Ctrl+C quits); \
         see `refls --help` for the command-line tools\n"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "", "stdout belongs to the protocol");
}

/// Writes `messages` to the server in one write, as an editor sends an edit and its request.
fn send_all(stdin: &mut std::process::ChildStdin, messages: &[Value]) {
    let bytes: Vec<u8> = messages.iter().flat_map(|v| frame(&v.to_string())).collect();
    stdin.write_all(&bytes).unwrap();
}

/// The built server, initialized with `params`, with the Markdown manuscript `uri` open and its
/// first diagnostics read.
fn started_with(
    params: Value,
    uri: &str,
) -> (std::process::Child, std::process::ChildStdin, std::sync::mpsc::Receiver<Value>) {
    let mut child = support::start_server(&[], Stdio::null());
    let mut stdin = child.stdin.take().unwrap();
    let rx = support::read_messages(child.stdout.take().unwrap());
    let next = || rx.recv_timeout(Duration::from_secs(60)).expect("the server went on");
    send_all(&mut stdin, &[json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})]);
    while next()["id"] != json!(1) {}
    send_all(
        &mut stdin,
        &[
            json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "markdown", "version": 1, "text": "See [@ikhile2023virtuous].\n"}}}),
        ],
    );
    while next()["params"]["version"] != json!(1) {}
    (child, stdin, rx)
}

/// A completion sent with the keystroke that asks for it (editors send both at once) is
/// answered before that edit's diagnostics: the writer waits for the list, not the squiggles
/// (issue 11). The two messages go in one write, so the server reads them together, and every
/// edit comes after a quick first pass, so its diagnostics run on the runtime, as while typing.
#[test]
fn a_completion_sent_with_an_edit_is_answered_before_its_diagnostics() {
    let uri = "file:///tmp/refls-stdio/order.md";
    let (mut child, mut stdin, rx) = started_with(json!({"capabilities": {}}), uri);
    let next = || rx.recv_timeout(Duration::from_secs(20)).expect("the server went on");
    let mut send = |values: &[Value]| send_all(&mut stdin, values);
    let mut order = Vec::new();
    for round in 0..20 {
        let version = round + 2;
        let id = 100 + round;
        send(&[
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                                    "text": "[@ik] "}]}}),
            json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/completion", "params": {
                "textDocument": {"uri": uri}, "position": {"line": 1, "character": 4}}}),
        ]);
        let (mut answered, mut published) = (false, false);
        while !(answered && published) {
            let message = next();
            if message["id"] == json!(id) {
                assert!(message["result"]["items"].as_array().is_some_and(|items| !items.is_empty()), "{message}");
                order.push(if published { "diagnostics first" } else { "completion first" });
                answered = true;
            } else if message["params"]["version"] == json!(version) {
                published = true;
            }
        }
    }
    assert!(order.iter().all(|o| *o == "completion first"), "{order:?}");
    send(&[json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}), json!({"jsonrpc": "2.0", "method": "exit"})]);
    assert!(child.wait().unwrap().success());
}

/// Over stdio, completion answers and diagnostics are written straight from their types
/// (`src/lsp/raw.rs`): the input guard renames a completion request written as editors write
/// it to `refls/completionRaw`, and a request written with a space after `"method":` keeps the
/// standard route. Both answers are the same JSON, and so are the diagnostics published with
/// the route on and with it off (`REFLS_RAW_ANSWERS=0`), whatever the text holds.
#[test]
fn answers_and_diagnostics_are_the_same_on_the_raw_route_and_the_standard_one() {
    let run = |raw_answers: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_refls"))
            .env("REFLS_RAW_ANSWERS", raw_answers)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start refls");
        let mut stdin = child.stdin.take().unwrap();
        let rx = support::read_messages(child.stdout.take().unwrap());
        let next = || rx.recv_timeout(Duration::from_secs(20)).expect("the server answered");
        let uri = "file:///tmp/refls-stdio/raw.md";
        let text = "Ünïcödé 😀 first [@ik] then [@] and [@10.1111/hex] \"quoted\" \\ back [@nosuchkey2020].\n\
                    See doi:10.1111 and [@ikhile2023virtuous; @buckley2022multistakeholder].\n";
        let send = |stdin: &mut std::process::ChildStdin, body: String| stdin.write_all(&frame(&body)).unwrap();
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).to_string(),
        );
        while next()["id"] != json!(1) {}
        send(&mut stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}).to_string());
        send(
            &mut stdin,
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
            .to_string(),
        );
        let mut published = Value::Null;
        let mut answers = Vec::new();
        let mut id = 10;
        // After `[@ik`, `[@` and `[@10.1111/hex` (UTF-16 columns: the smiley is two units).
        for character in [21, 30, 49] {
            let params = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": character}});
            let raw = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/completion","params":{params}}}"#);
            let standard =
                format!(r#"{{"jsonrpc":"2.0","id":{},"method": "textDocument/completion","params":{params}}}"#, id + 1);
            send(&mut stdin, raw);
            send(&mut stdin, standard);
            // Answers may come in either order, and the diagnostics among them.
            let (mut raw, mut standard) = (Value::Null, Value::Null);
            while raw.is_null() || standard.is_null() || published.is_null() {
                let message = next();
                if message["id"] == json!(id) {
                    raw = message;
                } else if message["id"] == json!(id + 1) {
                    standard = message;
                } else if message["method"] == "textDocument/publishDiagnostics" {
                    published = message;
                }
            }
            let items = raw["result"]["items"].as_array().map_or(0, Vec::len);
            assert!(items > 0, "at {character}: {raw}");
            assert_eq!(raw["result"], standard["result"], "at {character}");
            answers.push(raw["result"].clone());
            id += 2;
        }
        send(&mut stdin, json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}).to_string());
        while next()["id"] != json!(2) {}
        send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}).to_string());
        assert!(child.wait().unwrap().success());
        (published, answers)
    };
    let (published, answers) = run("1");
    let codes: Vec<&str> =
        published["params"]["diagnostics"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"unknown-key") && codes.contains(&"malformed-doi"), "{published}");
    assert_eq!(published["params"]["version"], json!(1), "{published}");
    assert_eq!((published, answers), run("0"));
}

/// A keystroke's diagnostics wait for the completion sent with it, but only briefly
/// (`src/lsp/raw.rs`, 20 ms at most): a completion that is slow to answer does not hold them.
/// Here the completion waits for a large bibliography that another manuscript, opened in the
/// same write, declares; the edited manuscript's diagnostics come first all the same.
#[test]
fn a_slow_completion_holds_diagnostics_back_only_briefly() {
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let mut bib = String::new();
    for n in 0..20_000 {
        writeln!(
            bib,
            "@article{{work{n},\n  author = {{Writer{n}, Ann and Other, Bo}},\n  title = {{A study of things, number {n}}},\n  \
             journal = {{Journal of Tests}},\n  year = {{2020}},\n  doi = {{10.1234/test.{n}}}\n}}\n"
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("big.bib"), bib).unwrap();
    let root = format!("file://{}", dir.path().display());
    let (edited, declaring) = (format!("{root}/a.md"), format!("{root}/b.md"));
    let (mut child, mut stdin, rx) = started_with(json!({"rootUri": root, "capabilities": {}}), &edited);
    let next = || rx.recv_timeout(Duration::from_secs(60)).expect("the server went on");
    let mut send = |values: &[Value]| send_all(&mut stdin, values);
    send(&[
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": declaring, "languageId": "markdown", "version": 1,
            "text": "---\nbibliography: big.bib\n---\nSee [@work7].\n"}}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": edited, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                                "text": "[@ik] "}]}}),
        json!({"jsonrpc": "2.0", "id": 50, "method": "textDocument/completion", "params": {
            "textDocument": {"uri": edited}, "position": {"line": 1, "character": 4}}}),
    ]);
    let mut order = Vec::new();
    while order.len() < 2 {
        let message = next();
        if message["id"] == json!(50) {
            assert!(message["result"]["items"].as_array().is_some_and(|items| !items.is_empty()), "{message}");
            order.push("completion");
        } else if message["params"]["uri"] == json!(edited) && message["params"]["version"] == json!(2) {
            order.push("diagnostics");
        }
    }
    assert_eq!(order, ["diagnostics", "completion"]);
    send(&[json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}), json!({"jsonrpc": "2.0", "method": "exit"})]);
    assert!(child.wait().unwrap().success());
}
