//! A measuring client with almost no floor of its own, for "completion right after typing"
//! (issue 11): `typed_client DIR N SERVER [--settings JSON] [--init JSON] [--method M]`.
//!
//! lspbench's Python client cannot tell 0.3 ms from 0.6 ms at the 99th percentile: its reader
//! thread, the GIL and its condition variable add that much to every answer, so a hover the
//! server answers with no work measured 0.4–1.0 ms p99 at 10,000 entries. This client does the
//! same loop in one thread of Rust with blocking reads: open `DIR/paper-500.tex` (from
//! `../shared/tools/gen_corpus.py`), wait until a hover on a citation is answered with text,
//! then N times (after 20 unmeasured ones): insert `\cite{abc} ` at the start of a citation's
//! line (`abc` the first three characters of that citation's key, as lspbench types it), send
//! the request at the end of `abc` in a second write (lspbench sends the change and the
//! request separately), read messages until its answer is whole, and delete the insertion
//! again. The latency runs from just before the request is written to just after the last
//! byte of its answer is read, before it is parsed. Server requests are answered as lspbench
//! answers them (`workspace/configuration` from `--settings`), so texlab runs with the same
//! settings (`--settings '{"texlab":{"diagnosticsDelay":0}}'`).
//!
//! Prints p50/p90/p99/max, the answer's median size, how often the typed work was among the
//! first ten items, and the server's CPU time per iteration (from /proc, so Linux only).
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    settings: Value,
    next_id: u64,
}

impl Client {
    /// Writes one message in one `write` call, as a client that builds the frame first does.
    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("a message serialises");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        self.stdin.write_all(&frame).expect("the server reads its stdin");
        self.stdin.flush().expect("the server reads its stdin");
    }

    /// The next message, with the moment its last byte was read and its size.
    fn read(&mut self) -> (Instant, usize, Value) {
        let mut length = None;
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.stdout.read_line(&mut line).expect("the server writes its stdout");
            assert!(read > 0, "the server closed its stdout");
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
        let mut body = vec![0; length.expect("a Content-Length header")];
        self.stdout.read_exact(&mut body).expect("a whole message");
        let at = Instant::now();
        (at, body.len(), serde_json::from_slice(&body).expect("a JSON message"))
    }

    /// Answers a request of the server the way lspbench does.
    fn answer(&mut self, request: &Value) {
        let params = &request["params"];
        let result = match request["method"].as_str().unwrap_or_default() {
            "workspace/configuration" => Value::Array(
                params["items"]
                    .as_array()
                    .map(|items| {
                        items
                            .iter()
                            .map(|item| {
                                let mut node = &self.settings;
                                for part in item["section"].as_str().unwrap_or_default().split('.') {
                                    if !part.is_empty() {
                                        node = &node[part];
                                    }
                                }
                                if node.is_null() { json!({}) } else { node.clone() }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => Value::Null,
        };
        self.send(&json!({"jsonrpc": "2.0", "id": request["id"].clone(), "result": result}));
    }

    /// Sends a request and reads until its answer: (latency, answer size, answer).
    fn request(&mut self, method: &str, params: Value) -> (Duration, usize, Value) {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let sent = Instant::now();
        self.send(&message);
        loop {
            let (at, size, message) = self.read();
            if message.get("method").is_some() {
                if message.get("id").is_some() {
                    self.answer(&message);
                }
                continue;
            }
            if message["id"] == json!(id) {
                return (at - sent, size, message);
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The server's user and system CPU time so far.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let fields: Vec<&str> =
            stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        let ticks: u64 = fields.get(11..13).map(|f| f.iter().filter_map(|t| t.parse::<u64>().ok()).sum()).unwrap_or(0);
        // Linux reports in clock ticks of 1/100 s everywhere this runs.
        Duration::from_millis(ticks * 10)
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((q * sorted.len() as f64) as usize).min(sorted.len() - 1)]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: typed_client DIR N SERVER [--settings JSON] [--init JSON] [--method completion|hover]";
    let dir = std::fs::canonicalize(args.next().expect(usage)).expect("DIR exists");
    let n: usize = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let server = args.next().expect(usage);
    let (mut settings, mut init, mut method) = (json!({}), json!({"corpus": ["refs.bib"]}), "completion".to_owned());
    while let Some(flag) = args.next() {
        let value = args.next().expect(usage);
        match flag.as_str() {
            "--settings" => settings = serde_json::from_str(&value).expect("--settings is JSON"),
            "--init" => init = serde_json::from_str(&value).expect("--init is JSON"),
            "--method" => method = value,
            _ => panic!("{usage}"),
        }
    }
    let server = std::fs::canonicalize(&server).unwrap_or_else(|_| server.clone().into());
    let mut child = Command::new(&server)
        .current_dir(&dir)
        .env("REFLS_CACHE_DIR", std::env::var("REFLS_CACHE_DIR").unwrap_or_else(|_| "off".to_owned()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = BufReader::with_capacity(1 << 20, child.stdout.take().expect("piped stdout"));
    let mut client = Client { child, stdin, stdout, settings, next_id: 0 };

    let root = format!("file://{}", dir.display());
    client.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "bench"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {"configuration": true, "workspaceFolders": true},
                "window": {"workDoneProgress": true},
                "textDocument": {
                    "completion": {"completionItem": {"documentationFormat": ["markdown", "plaintext"]}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "publishDiagnostics": {"versionSupport": true}
                }
            },
            "initializationOptions": init,
        }),
    );
    client.notify("initialized", json!({}));
    let uri = format!("{root}/paper-500.tex");
    let text = std::fs::read_to_string(dir.join("paper-500.tex")).expect("DIR/paper-500.tex");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "latex", "version": 1, "text": text}}),
    );

    // Each line with a citation of a key of refs.bib, and that key.
    let bib = std::fs::read_to_string(dir.join("refs.bib")).expect("DIR/refs.bib");
    let keys: std::collections::HashSet<&str> = regex::Regex::new(r"@\w+\{([^,\s]+),")
        .expect("a valid pattern")
        .captures_iter(&bib)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    let cite = regex::Regex::new(r"\\cite[a-z]*(?:\[[^\]]*\])*\{([^,}\s]+)").expect("a valid pattern");
    let lines: Vec<&str> = text.split('\n').collect();
    let sites: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(line, content)| {
            let m = cite.captures(content)?;
            let (at, key) = (m.get(0)?.start(), m.get(1)?.as_str());
            keys.contains(key).then(|| (line, key.to_owned())).filter(|_| content[..at].is_ascii())
        })
        .collect();
    assert!(!sites.is_empty(), "no citation of a refs.bib key in paper-500.tex");

    // Ready: a hover on a cited key answers with text (texlab indexes in the background).
    let (probe_line, probe_key) = &sites[0];
    let probe_column = lines[*probe_line].find(probe_key.as_str()).unwrap_or(0) + 1;
    let probe = json!({"textDocument": {"uri": uri}, "position": {"line": probe_line, "character": probe_column}});
    let began = Instant::now();
    while client.request("textDocument/hover", probe.clone()).2["result"].is_null() {
        assert!(began.elapsed() < Duration::from_secs(120), "the server was not ready in 120 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the first diagnostics pass end; the hover after the pause reads what came before it.
    std::thread::sleep(Duration::from_millis(1000));
    client.request("textDocument/hover", probe);

    let warmup = 20;
    let mut latencies = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    let mut hits = 0;
    let mut version = 1;
    // A fixed sequence of sites, spread over the manuscript (lspbench samples at random).
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let (mut cpu_before, mut wall_before) = (client.cpu(), Instant::now());
    for i in 0..warmup + n {
        if i == warmup {
            (cpu_before, wall_before) = (client.cpu(), Instant::now());
        }
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let (line, key) = &sites[(state >> 33) as usize % sites.len()];
        let indent = lines[*line].len() - lines[*line].trim_start().len();
        let prefix: String = key.chars().take(3).collect();
        let typed = format!("\\cite{{{prefix}}} ");
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                "range": {"start": {"line": line, "character": indent}, "end": {"line": line, "character": indent}},
                "text": typed}]}),
        );
        let character = indent + "\\cite{".len() + prefix.len();
        let (latency, size, answer) = client.request(
            &format!("textDocument/{method}"),
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
                   "context": {"triggerKind": 1}}),
        );
        if i >= warmup {
            latencies.push(latency.as_secs_f64() * 1000.0);
            sizes.push(size);
            let items = answer["result"]["items"].as_array().or_else(|| answer["result"].as_array());
            hits += usize::from(
                items.is_some_and(|items| items.iter().take(10).any(|item| item["label"].as_str() == Some(key))),
            );
        }
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{
                "range": {"start": {"line": line, "character": indent},
                          "end": {"line": line, "character": indent + typed.len()}},
                "text": ""}]}),
        );
    }
    let (cpu, wall) = (client.cpu() - cpu_before, wall_before.elapsed());
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let _ = client.child.wait();

    latencies.sort_by(f64::total_cmp);
    sizes.sort_unstable();
    let report = format!(
        "{method} x{n}: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3} ms; answer {} bytes (median); typed work in the \
         top 10: {:.2}; server CPU {:.3} ms and wall {:.3} ms per iteration\n",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        sizes[sizes.len() / 2],
        hits as f64 / n as f64,
        cpu.as_secs_f64() * 1000.0 / n as f64,
        wall.as_secs_f64() * 1000.0 / n as f64,
    );
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes()).expect("stdout");
}
