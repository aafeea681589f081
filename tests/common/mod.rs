//! An in-process LSP client for integration tests: it drives any tower-lsp `LspService` over
//! an in-memory duplex pipe, speaking real JSON-RPC frames with `Content-Length` headers, so a
//! test sees exactly the bytes an editor would, without a child process or a socket.
//!
//! A background task reads every frame the server writes into a queue as soon as it arrives,
//! so a chatty server (diagnostics on every change, log messages) can never fill the pipe and
//! stall while a test is busy sending. The client then hands out responses by id and
//! notifications or server-to-client requests by method, keeping whatever it passes over for
//! a later call. Every wait has a timeout, so a server that never answers fails the test with
//! a list of what did arrive instead of hanging it.

// Each test binary compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp::{ClientSocket, LanguageServer, LspService, Server};

/// How long any single wait for the server may take before the test fails.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// Room in each direction of the pipe; large enough that ordinary frames never wait.
const PIPE_BYTES: usize = 1 << 20;

/// The editor's side of a running in-process server.
pub struct TestClient {
    to_server: WriteHalf<DuplexStream>,
    from_server: mpsc::UnboundedReceiver<Value>,
    /// Messages that arrived while the client was waiting for something else, in order.
    passed_over: VecDeque<Value>,
    next_id: i64,
    timeout: Duration,
    server: JoinHandle<()>,
    reader: JoinHandle<()>,
}

impl TestClient {
    /// Starts serving `service` on a tokio task with tower-lsp's default concurrency; build
    /// the service and socket with `LspService::new` or `LspService::build(...).finish()` as
    /// the real binary does.
    pub fn start<S: LanguageServer>(service: LspService<S>, socket: ClientSocket) -> TestClient {
        TestClient::serve(service, socket, None)
    }

    /// Like [`TestClient::start`], with `Server::concurrency_level(max_concurrency)`, for a
    /// binary that sets one: the number of handlers in flight decides what can overtake what.
    pub fn start_with_concurrency<S: LanguageServer>(
        service: LspService<S>,
        socket: ClientSocket,
        max_concurrency: usize,
    ) -> TestClient {
        TestClient::serve(service, socket, Some(max_concurrency))
    }

    fn serve<S: LanguageServer>(
        service: LspService<S>,
        socket: ClientSocket,
        max_concurrency: Option<usize>,
    ) -> TestClient {
        let (client_end, server_end) = tokio::io::duplex(PIPE_BYTES);
        let (server_in, server_out) = tokio::io::split(server_end);
        let mut server = Server::new(server_in, server_out, socket);
        if let Some(max) = max_concurrency {
            server = server.concurrency_level(max);
        }
        let server = tokio::spawn(server.serve(service));
        let (server_output, to_server) = tokio::io::split(client_end);
        let (queue, from_server) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_frames(server_output, queue));
        TestClient {
            to_server,
            from_server,
            passed_over: VecDeque::new(),
            next_id: 1,
            timeout: DEFAULT_TIMEOUT,
            server,
            reader,
        }
    }

    /// Changes how long each later wait may take.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Runs the `initialize` handshake with `capabilities` as the client's capabilities and
    /// sends `initialized`; returns the server's `InitializeResult`.
    pub async fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with(json!({ "processId": null, "rootUri": null, "capabilities": capabilities })).await
    }

    /// Runs the handshake with complete `InitializeParams`, for tests that need workspace
    /// folders or initialization options; returns the server's `InitializeResult`.
    pub async fn initialize_with(&mut self, params: Value) -> Value {
        let result = self.request("initialize", params).await;
        self.notify("initialized", json!({})).await;
        result
    }

    /// Sends a request and waits for its response; returns `result`, and panics with the
    /// error if the server answered with one.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_response(method, params).await;
        match response.get("error") {
            Some(error) => panic!("{method} failed: {error}"),
            None => response.get("result").cloned().unwrap_or(Value::Null),
        }
    }

    /// Sends a request and waits for the whole response message, for tests that expect an
    /// error.
    pub async fn request_response(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.receive(&format!("the response to {method} #{id}"), |message| {
            message.get("method").is_none() && message.get("id") == Some(&json!(id))
        })
        .await
    }

    /// Sends a request without waiting; pair with [`TestClient::response`] to have several
    /// requests in flight at once.
    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(message(Some(id), method, params)).await;
        id
    }

    /// Waits for the response to the request numbered `id`.
    pub async fn response(&mut self, id: i64) -> Value {
        self.receive(&format!("the response to #{id}"), |message| {
            message.get("method").is_none() && message.get("id") == Some(&json!(id))
        })
        .await
    }

    /// Sends a notification; it returns once the frame is written, not once it is handled.
    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(message(None, method, params)).await;
    }

    /// Waits for the next notification called `method` and returns its params.
    pub async fn recv_notification(&mut self, method: &str) -> Value {
        let message = self
            .receive(&format!("a {method} notification"), |message| {
                message.get("method") == Some(&json!(method)) && message.get("id").is_none()
            })
            .await;
        message.get("params").cloned().unwrap_or(Value::Null)
    }

    /// Waits for the next server-to-client request called `method` and returns its id and
    /// params; the server's handler stays suspended until the test calls
    /// [`TestClient::respond`] with that id.
    pub async fn recv_request(&mut self, method: &str) -> (Value, Value) {
        let message = self
            .receive(&format!("a {method} request from the server"), |message| {
                message.get("method") == Some(&json!(method)) && message.get("id").is_some()
            })
            .await;
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        (message["id"].clone(), params)
    }

    /// Answers a server-to-client request.
    pub async fn respond(&mut self, id: Value, result: Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result })).await;
    }

    /// Everything received so far that no call has taken, oldest first, leaving it queued.
    pub fn pending_messages(&mut self) -> Vec<Value> {
        while let Ok(message) = self.from_server.try_recv() {
            self.passed_over.push_back(message);
        }
        self.passed_over.iter().cloned().collect()
    }

    /// Runs `shutdown` and `exit`, then waits for the server task to end.
    pub async fn shutdown(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
        // The server stops reading after `exit`; closing our end lets its loop finish.
        self.to_server.shutdown().await.expect("closing the pipe to the server");
        tokio::time::timeout(self.timeout, &mut self.server)
            .await
            .expect("the server did not stop after exit")
            .expect("the server task panicked");
        self.reader.abort();
    }

    async fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).expect("serializing a message");
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.to_server.write_all(frame.as_bytes()).await.expect("writing to the server");
    }

    /// Returns the first message, passed-over ones included, that `wanted` accepts; keeps
    /// the others for later calls.
    async fn receive(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.passed_over.iter().position(&wanted) {
            return self.passed_over.remove(at).expect("index from position");
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.from_server.recv()).await {
                Ok(Some(message)) if wanted(&message) => return message,
                Ok(Some(message)) => self.passed_over.push_back(message),
                Ok(None) => {
                    panic!("the server closed the connection while the test waited for {what}")
                }
                Err(_) => panic!(
                    "timed out after {:?} waiting for {what}; received meanwhile: {:#?}",
                    self.timeout, self.passed_over
                ),
            }
        }
    }
}

impl Drop for TestClient {
    /// A test that panics mid-conversation must not leave a server task behind.
    fn drop(&mut self) {
        self.server.abort();
        self.reader.abort();
    }
}

/// A request (with an id) or notification; `Value::Null` params are left out, as JSON-RPC
/// allows, because tower-lsp rejects `"params": null` for methods that take none (such as
/// `shutdown`, `exit` and parameterless custom methods).
fn message(id: Option<i64>, method: &str, params: Value) -> Value {
    let mut message = json!({ "jsonrpc": "2.0", "method": method });
    if let Some(id) = id {
        message["id"] = json!(id);
    }
    if !params.is_null() {
        message["params"] = params;
    }
    message
}

/// Reads `Content-Length` framed JSON messages until the server closes its end.
async fn read_frames(from_server: ReadHalf<DuplexStream>, queue: mpsc::UnboundedSender<Value>) {
    let mut from_server = BufReader::new(from_server);
    loop {
        let mut length = None;
        loop {
            let mut header = String::new();
            match from_server.read_line(&mut header).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = Some(value.trim().parse::<usize>().expect("a numeric Content-Length"));
            }
        }
        let length = length.expect("a frame without Content-Length");
        let mut body = vec![0; length];
        if from_server.read_exact(&mut body).await.is_err() {
            return;
        }
        let message = serde_json::from_slice(&body).expect("a frame that is not JSON");
        if queue.send(message).is_err() {
            return;
        }
    }
}
