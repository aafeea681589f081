//! A guard between stdin and tower-lsp that passes on only well-formed JSON-RPC 2.0 frames.
//!
//! tower-lsp decodes frames with tokio-util's `FramedRead`, which ends the stream after the
//! first decoding error, and its router exits after answering a message that is JSON but not
//! JSON-RPC (`{}`, a missing or wrong `"jsonrpc"`, an object as `id`): one bad frame and the
//! server silently stops while the editor waits forever. This guard reads the byte stream
//! itself and forwards good frames unchanged through an in-memory pipe; everything else is
//! logged (to stderr) and dropped:
//!
//! - Framing is found again after any fault: the guard looks for the next `Content-Length:`
//!   header anywhere in the input, so a frame whose length is missing, not a number, negative or
//!   too short costs only itself (the rest of its body is skipped as noise before the next
//!   header). Header bytes are not required to be UTF-8.
//! - Memory stays bounded: noise without a header is dropped as it arrives, a header block
//!   longer than [`MAX_HEADER_BYTES`] is dropped, and a length above [`MAX_FRAME_BYTES`] is
//!   refused.
//! - `shutdown` and `exit` with `"params": null` (Emacs eglot sends them) have the null removed,
//!   because tower-lsp rejects any params on them and eglot then kills the server.
//!
//! It also ends the input after `exit`, so the server stops without waiting for the client to
//! close stdin.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};

/// Frames larger than this are refused rather than buffered (no manuscript is this large).
const MAX_FRAME_BYTES: usize = 512 * 1024 * 1024;

/// A header block (from `Content-Length:` to the empty line) longer than this is not a header.
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// The header that starts a frame, compared without regard to case.
const LENGTH_HEADER: &[u8] = b"content-length:";

/// The parts of a message the guard checks. Unknown fields are skipped, but the whole body is
/// still parsed, so a frame that is not valid JSON is caught here.
#[derive(Deserialize)]
struct Envelope<'a> {
    jsonrpc: Option<String>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    method: Option<String>,
    #[serde(default)]
    result: Present,
    #[serde(default)]
    error: Present,
}

/// Whether a field is there at all: a response's `"result": null` is a result.
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Present, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        Ok(Present(true))
    }
}

/// Why a frame was dropped, for the log line.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    NotJson,
    NotJsonRpc(&'static str),
}

/// What to forward for one frame's body: the body itself, a repaired copy, or nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Forward { exit: bool },
    Repaired { body: Vec<u8>, exit: bool },
    Drop(Rejection),
}

/// Checks one frame body against JSON-RPC 2.0 as LSP uses it.
pub fn check_message(body: &[u8]) -> Verdict {
    let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(body) else {
        return Verdict::Drop(Rejection::NotJson);
    };
    // serde skips unknown fields without checking their strings: invalid UTF-8 or a lone
    // surrogate escape there passes the envelope parse, yet tower-lsp cannot read the message.
    if std::str::from_utf8(body).is_err() || !escapes_are_unicode(body) {
        return Verdict::Drop(Rejection::NotJson);
    }
    if envelope.jsonrpc.as_deref() != Some("2.0") {
        return Verdict::Drop(Rejection::NotJsonRpc("`jsonrpc` is not \"2.0\""));
    }
    if let Some(id) = envelope.id {
        let id = id.get().trim_start();
        let valid = id.starts_with('"') || id.starts_with('-') || id.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Verdict::Drop(Rejection::NotJsonRpc("`id` is neither a number nor a string"));
        }
    }
    match envelope.method.as_deref() {
        Some(method @ ("shutdown" | "exit")) => {
            let exit = method == "exit";
            // tower-lsp refuses params on these two, even `null`; take a null out.
            let Ok(mut message) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) else {
                return Verdict::Drop(Rejection::NotJson);
            };
            if message.get("params").is_some_and(serde_json::Value::is_null) {
                message.remove("params");
                return match serde_json::to_vec(&message) {
                    Ok(body) => Verdict::Repaired { body, exit },
                    Err(_) => Verdict::Drop(Rejection::NotJson),
                };
            }
            Verdict::Forward { exit }
        }
        Some(_) => Verdict::Forward { exit: false },
        None if envelope.id.is_some() && (envelope.result.0 || envelope.error.0) => Verdict::Forward { exit: false },
        None => Verdict::Drop(Rejection::NotJsonRpc("neither a request, a notification nor a response")),
    }
}

/// Whether every `\\u` escape of a body that serde already read as JSON names a Unicode scalar
/// value: a surrogate escape must be a high one followed by a low one. serde skips unknown
/// fields without decoding their strings, so `"\\ud800"` passes the envelope parse, yet tower-lsp
/// cannot read the message. A linear scan that allocates nothing, even for a 50 MB `didOpen`.
/// In JSON a backslash only occurs inside strings, where it always starts an escape.
fn escapes_are_unicode(body: &[u8]) -> bool {
    let hex = |at: usize| -> Option<u16> {
        let digits = std::str::from_utf8(body.get(at..at + 4)?).ok()?;
        u16::from_str_radix(digits, 16).ok()
    };
    let mut i = 0;
    while let Some(at) = body[i..].iter().position(|&b| b == b'\\') {
        let at = i + at;
        if body.get(at + 1) != Some(&b'u') {
            i = at + 2;
            continue;
        }
        let Some(unit) = hex(at + 2) else { return false };
        i = at + 6;
        match unit {
            0xD800..=0xDBFF => {
                let low = body.get(at + 6..at + 8) == Some(b"\\u".as_slice())
                    && hex(at + 8).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u));
                if !low {
                    return false;
                }
                i = at + 12;
            }
            0xDC00..=0xDFFF => return false,
            _ => {}
        }
    }
    true
}

/// The input not yet consumed, read in chunks. Consumed bytes are dropped from the front only
/// when they are at least half the buffer, so consuming is amortised linear.
struct Input<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    ended: bool,
}

impl<R: AsyncRead + Unpin> Input<R> {
    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
            // A 50 MB didOpen must not keep 50 MB of buffer for the rest of the session.
            if self.buf.capacity() > 4 * 1024 * 1024 && self.buf.len() < 1024 * 1024 {
                self.buf.shrink_to(1024 * 1024);
            }
        }
    }

    /// Reads more input; false at the end of the input (or on a read error).
    async fn fill(&mut self) -> bool {
        if self.ended {
            return false;
        }
        // Room for one more chunk, not for the whole declared frame: a `Content-Length` is a
        // claim, and memory is committed only as bytes arrive (the vector still doubles, so
        // reading a large frame stays linear).
        self.buf.reserve(64 * 1024);
        match self.reader.read_buf(&mut self.buf).await {
            Ok(0) | Err(_) => {
                self.ended = true;
                false
            }
            Ok(_) => true,
        }
    }
}

fn find_length_header(bytes: &[u8]) -> Option<usize> {
    bytes.windows(LENGTH_HEADER.len()).position(|w| w.eq_ignore_ascii_case(LENGTH_HEADER))
}

/// The end of a header block: the index just past its empty line (`\r\n\r\n` or `\n\n`).
pub(super) fn header_end(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(nl) = bytes[i..].iter().position(|&b| b == b'\n') {
        let at = i + nl;
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"\r\n") {
            return Some(at + 3);
        }
        if rest.starts_with(b"\n") {
            return Some(at + 2);
        }
        i = at + 1;
    }
    None
}

/// The `Content-Length` value of a header block, when it is a usable number.
pub(super) fn content_length(header: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(header);
    for line in text.lines() {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                return value.trim().parse::<usize>().ok().filter(|&l| l <= MAX_FRAME_BYTES);
            }
        }
    }
    None
}

/// Logs skipped input unless it is only header lines (such as a `Content-Type` before the
/// length, which is legal).
fn log_skipped(skipped: &[u8]) {
    let text = String::from_utf8_lossy(skipped);
    let only_headers =
        text.lines().all(|l| l.trim().is_empty() || l.split_once(':').is_some_and(|(n, _)| !n.contains(' ')));
    if !only_headers {
        let shown: String = text.chars().take(200).collect();
        tracing::error!("skipped {} bytes of input that were not a JSON-RPC frame: {shown:?}", skipped.len());
    }
}

/// A completion request's body with its method renamed to [`super::raw::COMPLETION`], whose
/// answer is written without tower-lsp's `Value` tree (see [`super::raw`]); `None` for any
/// other message.
#[cfg(test)]
fn renamed_completion(body: &[u8]) -> Option<Vec<u8>> {
    completion_request(body).map(|request| renamed(body, request.method_at))
}

/// A completion request as the guard reads it.
struct CompletionRequest {
    /// Where its member `"method":"textDocument/completion"` starts.
    method_at: usize,
    /// Its id as tower-lsp writes it back in the answer (see [`super::raw::completion_read`]).
    id: Option<String>,
}

/// The body's completion request, if it is one. Only the exact member
/// `"method":"textDocument/completion"` is recognised, and only when the parsed method says so:
/// inside a JSON string its quotes would be escaped, so it cannot be part of one. A request
/// written otherwise (spaces, escapes) keeps the standard method, which answers the same.
fn completion_request(body: &[u8]) -> Option<CompletionRequest> {
    #[derive(Deserialize)]
    struct Method<'a> {
        #[serde(borrow)]
        method: Option<&'a str>,
        #[serde(borrow)]
        id: Option<&'a RawValue>,
    }
    // A completion request is a few hundred bytes; a large body (a `didOpen`) is not one.
    if body.len() > 16 * 1024 {
        return None;
    }
    let method_at = memchr::memmem::find(body, COMPLETION_METHOD)?;
    let parsed: Method<'_> = serde_json::from_slice(body).ok()?;
    if parsed.method != Some("textDocument/completion") {
        return None;
    }
    // tower-lsp reads the id and writes it again: the same spelling, whatever the client's.
    let id = parsed.id?;
    let id =
        serde_json::from_str::<tower_lsp::jsonrpc::Id>(id.get()).ok().and_then(|id| serde_json::to_string(&id).ok());
    Some(CompletionRequest { method_at, id })
}

/// The member that names a completion request (see [`completion_request`]).
const COMPLETION_METHOD: &[u8] = br#""method":"textDocument/completion""#;

/// `body` with the completion method at `at` renamed to [`super::raw::COMPLETION`].
fn renamed(body: &[u8], at: usize) -> Vec<u8> {
    let mut renamed = Vec::with_capacity(body.len() + 8);
    renamed.extend_from_slice(&body[..at]);
    renamed.extend_from_slice(format!(r#""method":"{}""#, super::raw::COMPLETION).as_bytes());
    renamed.extend_from_slice(&body[at + COMPLETION_METHOD.len()..]);
    renamed
}

/// Copies well-formed frames from `input` to `output` until `input` ends or `exit` passes.
/// With `raw_answers`, completion requests are renamed for [`super::raw::Splicer`], which must
/// then sit between the server and the client. Either way each completion request read is
/// counted until the splicer writes its answer ([`super::raw::completion_read`]).
pub async fn forward_valid_frames(input: impl AsyncRead + Unpin, mut output: DuplexStream, raw_answers: bool) {
    let mut input = Input { reader: input, buf: Vec::new(), start: 0, ended: false };
    loop {
        // Find the next header, dropping noise before it as it arrives.
        let at = loop {
            if let Some(at) = find_length_header(input.pending()) {
                break at;
            }
            let pending = input.pending().len();
            // Keep the tail, which may be the start of a header split across reads.
            let keep = pending.min(LENGTH_HEADER.len() - 1);
            if pending - keep > 0 {
                log_skipped(&input.pending()[..pending - keep]);
                input.consume(pending - keep);
            }
            if !input.fill().await {
                return;
            }
        };
        if at > 0 {
            log_skipped(&input.pending()[..at]);
            input.consume(at);
        }
        // The header block, up to its empty line.
        let end = loop {
            let pending = input.pending();
            if let Some(end) = header_end(&pending[..pending.len().min(MAX_HEADER_BYTES)]) {
                break Some(end);
            }
            if pending.len() >= MAX_HEADER_BYTES {
                break None;
            }
            if !input.fill().await {
                return;
            }
        };
        let Some(end) = end else {
            tracing::error!("dropped a header block longer than {MAX_HEADER_BYTES} bytes");
            input.consume(LENGTH_HEADER.len());
            continue;
        };
        let Some(length) = content_length(&input.pending()[..end]) else {
            let shown = String::from_utf8_lossy(&input.pending()[..end.min(200)]).into_owned();
            tracing::error!("dropped a JSON-RPC frame without a usable Content-Length: {shown:?}");
            input.consume(end);
            continue;
        };
        input.consume(end);
        while input.pending().len() < length {
            if !input.fill().await {
                return;
            }
        }
        let body = &input.pending()[..length];
        let (forwarded, exit): (std::borrow::Cow<'_, [u8]>, bool) = match check_message(body) {
            Verdict::Forward { exit } => match completion_request(body) {
                Some(request) => {
                    if let Some(id) = request.id {
                        super::raw::completion_read(id);
                    }
                    if raw_answers { (renamed(body, request.method_at).into(), exit) } else { (body.into(), exit) }
                }
                None => (body.into(), exit),
            },
            Verdict::Repaired { body, exit } => (body.into(), exit),
            Verdict::Drop(why) => {
                let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                tracing::error!("dropped a malformed JSON-RPC message ({why:?}): {shown}");
                input.consume(length);
                continue;
            }
        };
        let header = format!("Content-Length: {}\r\n\r\n", forwarded.len());
        if output.write_all(header.as_bytes()).await.is_err() || output.write_all(&forwarded).await.is_err() {
            return;
        }
        // After `exit` nothing more is read: closing the pipe lets tower-lsp finish even while
        // the client keeps its end of stdin open.
        if exit {
            return;
        }
        input.consume(length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Runs the guard over `input` and returns the bodies it forwards.
    fn forwarded(input: &[u8]) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        runtime.block_on(async {
            let (guard_end, mut server_end) = tokio::io::duplex(1 << 20);
            forward_valid_frames(input, guard_end, false).await;
            let mut out = Vec::new();
            server_end.read_to_end(&mut out).await.expect("read");
            let text = String::from_utf8(out).expect("utf-8");
            let mut bodies = Vec::new();
            let mut rest = text.as_str();
            while let Some(after) = rest.strip_prefix("Content-Length: ") {
                let (length, after) = after.split_once("\r\n\r\n").expect("header end");
                let length: usize = length.parse().expect("length");
                bodies.push(after[..length].to_owned());
                rest = &after[length..];
            }
            assert!(rest.is_empty(), "unframed output: {rest:?}");
            bodies
        })
    }

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const GOOD: &str = r#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;

    #[test]
    fn well_formed_frames_pass_unchanged() {
        let mut input = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n".to_vec();
        input.extend(frame(GOOD));
        input.extend(frame(r#"{"jsonrpc":"2.0","id":"a","result":null}"#));
        input.extend(frame(r#"{"jsonrpc":"2.0","method":"n","params":{"t":"é"}}"#));
        assert_eq!(
            forwarded(&input),
            [
                GOOD,
                r#"{"jsonrpc":"2.0","id":"a","result":null}"#,
                r#"{"jsonrpc":"2.0","method":"n","params":{"t":"é"}}"#
            ]
        );
    }

    /// Issue 10, fault 3: JSON that is not JSON-RPC made tower-lsp exit.
    #[test]
    fn issue_10_json_that_is_not_json_rpc_is_dropped() {
        for bad in [
            "{}",
            r#"{"id":1,"method":"x"}"#,
            r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":5}"#,
            r#"{"jsonrpc":"2.0"}"#,
            "[1,2]",
            "not json",
        ] {
            let mut input = frame(bad);
            input.extend(frame(GOOD));
            assert_eq!(forwarded(&input), [GOOD], "after {bad}");
        }
    }

    /// Issue 10, fault 4: after a frame with a bad length every later message was lost.
    #[test]
    fn issue_10_framing_is_found_again_after_a_bad_length() {
        let cases: Vec<Vec<u8>> = vec![
            format!("Content-Type: x\r\n\r\n{GOOD}").into_bytes(),
            format!("Content-Length: ten\r\n\r\n{GOOD}").into_bytes(),
            format!("Content-Length: -5\r\n\r\n{GOOD}").into_bytes(),
            format!("Content-Length: 3\r\n\r\n{GOOD}").into_bytes(),
            format!("Content-Length: 99999999999999999999999\r\n\r\n{GOOD}").into_bytes(),
            b"Content-Length: \xff\xfe\r\n\r\n{}".to_vec(),
            b"\xff\xfe garbage \x00\r\n".to_vec(),
            vec![b'x'; 100_000],
            [b"Content-Length: 12".as_slice(), &[b'7'; 20_000]].concat(),
        ];
        for case in cases {
            let mut input = case.clone();
            input.extend(frame(GOOD));
            assert_eq!(forwarded(&input), [GOOD], "after {:?}", String::from_utf8_lossy(&case[..case.len().min(60)]));
        }
    }

    /// A lone surrogate escape is valid to serde's skipping parse but not to tower-lsp.
    #[test]
    fn issue_10_escapes_must_name_characters() {
        for bad in [r#""\ud800""#, r#""\udc00x""#, r#""\ud800\u0041""#, r#""a\\\ud800""#, r#""\uD800\""#] {
            let body = format!(r#"{{"jsonrpc":"2.0","method":"x","params":{bad}}}"#);
            let mut input = frame(&body);
            input.extend(frame(GOOD));
            assert_eq!(forwarded(&input), [GOOD], "after {bad}");
        }
        // Found by the fuzzer: invalid UTF-8 inside a string of an unknown field.
        let mut input = b"Content-Length: 38\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"p\":\"\xd2\"}".to_vec();
        input.extend(frame(GOOD));
        assert_eq!(forwarded(&input), [GOOD]);
        let good = r#"{"jsonrpc":"2.0","method":"x","params":"\ud83d\ude00 \\ud800 \u00e9"}"#;
        assert_eq!(forwarded(&frame(good)), [good]);
    }

    /// Completion requests are renamed for the raw answer, and nothing else is.
    #[test]
    fn completion_requests_are_renamed_for_raw_answers() {
        let request = r#"{"jsonrpc":"2.0","id":4,"method":"textDocument/completion","params":{"position":{"line":0,"character":3}}}"#;
        let renamed =
            r#"{"jsonrpc":"2.0","id":4,"method":"refls/completionRaw","params":{"position":{"line":0,"character":3}}}"#;
        assert_eq!(renamed_completion(request.as_bytes()).as_deref(), Some(renamed.as_bytes()));
        // Its id is counted as tower-lsp will write it in the answer, whatever the spelling.
        let id_of = |body: &str| completion_request(body.as_bytes()).and_then(|request| request.id);
        assert_eq!(id_of(request).as_deref(), Some("4"));
        let escaped = r#"{"jsonrpc":"2.0","id":"\u0061\/b","method":"textDocument/completion","params":{}}"#;
        assert_eq!(id_of(escaped).as_deref(), Some(r#""a/b""#));
        for kept in [
            // Not a request: no id.
            r#"{"jsonrpc":"2.0","method":"textDocument/completion","params":{}}"#,
            // Another method whose text holds the name, as a string.
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"t":"\"method\":\"textDocument/completion\""}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"k":{"method":"textDocument/completion"}}}"#,
            // Written with a space: the standard method answers it.
            r#"{"jsonrpc":"2.0","id":4,"method": "textDocument/completion","params":{}}"#,
        ] {
            assert_eq!(renamed_completion(kept.as_bytes()), None, "{kept}");
        }
        // The guard renames only when asked to.
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let bodies = runtime.block_on(async {
            let (guard_end, mut server_end) = tokio::io::duplex(1 << 20);
            forward_valid_frames(frame(request).as_slice(), guard_end, true).await;
            let mut out = Vec::new();
            server_end.read_to_end(&mut out).await.expect("read");
            String::from_utf8(out).expect("utf-8")
        });
        assert_eq!(bodies, String::from_utf8(frame(renamed)).expect("utf-8"));
        assert_eq!(forwarded(&frame(request)), [request]);
    }

    /// Issue 10, fault 5: eglot sends `"params": null` on shutdown and exit.
    #[test]
    fn issue_10_shutdown_and_exit_with_null_params() {
        let mut input = frame(r#"{"jsonrpc":"2.0","id":7,"method":"shutdown","params":null}"#);
        input.extend(frame(r#"{"jsonrpc":"2.0","method":"exit","params":null}"#));
        input.extend(frame(GOOD));
        assert_eq!(
            forwarded(&input),
            [r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#, r#"{"jsonrpc":"2.0","method":"exit"}"#],
            "nothing after exit"
        );
    }
}
