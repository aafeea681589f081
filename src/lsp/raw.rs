//! Answers written once, straight from their types, instead of through tower-lsp's `Value` tree.
//!
//! tower-lsp turns every answer into a `serde_json::Value` before writing it: for a completion
//! of 50 items that is some 1,400 allocations (a map, a key string and a value string for each
//! field of each item, its edit, range and positions), which was as much of the server's time
//! as finding and ranking the items (issue 11: 23 % of its CPU in a typed-completion loop at
//! 10,000 entries, against 26 % for the completion itself). Its router keeps the standard
//! methods to itself, so the way around it is in the two pipes the binary owns:
//!
//! 1. the input guard ([`super::transport`]) renames a `textDocument/completion` request to
//!    [`COMPLETION`], a method of ours that tower-lsp routes like any other request (in order,
//!    after the edits read before it, cancellable, refused before `initialize`);
//! 2. its handler serialises the answer to bytes, files them here under a number
//!    ([`store`]) and answers with a [`Raw`] marker, a short string;
//! 3. [`Splicer`], between tower-lsp and stdout, puts the filed bytes in place of the marker
//!    of each answer that carries one.
//!
//! In-process clients (the tests) go through tower-lsp alone and get the standard method; the
//! answer is the same JSON either way (`tests` below, and the stdio and editor tests that run
//! the binary).
//!
//! The same two pipes tell when a completion request was read ([`completion_read`]) and when
//! its answer was written, so a keystroke's diagnostics can wait for the completion sent with
//! it ([`completions_answered`]): an editor parses the messages it reads in order, and a
//! publication read first delays the popup the writer is waiting for.

use std::io::{self, Write as _};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::io::AsyncWrite;
use tower_lsp::lsp_types::Range;
use tower_lsp::lsp_types::notification::Notification;

use crate::analysis::completion::CompletionResult;
use crate::corpus::FastMap;

/// The method the input guard gives completion requests (see the module's documentation).
pub const COMPLETION: &str = "refls/completionRaw";

/// How a marker starts: U+0001, which serde_json writes as the escape `\u0001`, so no string
/// of an editor's or a user's ends up looking like one in an answer's `result`.
const MARKER: &str = "\u{1}refls-raw:";

/// A marker as it appears in a body: serde_json's quoted string with its escape.
const MARKER_JSON: &[u8] = br#""\u0001refls-raw:"#;

/// How tower-lsp starts a response's body (`jsonrpc`, then `result`, then `id`); a marker
/// follows when the answer was filed.
const RESULT_HEAD: &[u8] = br#"{"jsonrpc":"2.0","result":"#;

/// The notification whose params are a marker of a whole message filed by
/// [`notification`]: the splicer writes the filed message in its place.
pub const NOTIFICATION: &str = "refls/rawNotification";

/// How tower-lsp starts the body of a [`NOTIFICATION`]; its marker follows.
const NOTIFICATION_HEAD: &[u8] = br#"{"jsonrpc":"2.0","method":"refls/rawNotification","params":"#;

/// Whether a [`Splicer`] writes this process's output: set once by the stdio server before it
/// starts; in-process servers (the tests) leave it unset and send the standard notifications.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Marks this process's output as written through a [`Splicer`], unless `REFLS_RAW_ANSWERS=0`
/// asks for tower-lsp's own serialisation of everything (to compare the two, or to rule this
/// route out when a client reports a malformed message). Returns whether the route is on.
pub fn activate() -> bool {
    let on = std::env::var_os("REFLS_RAW_ANSWERS").is_none_or(|v| v != "0");
    ACTIVE.store(on, Ordering::Relaxed);
    on
}

/// Whether notifications go through [`notification`] (see [`activate`]).
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// A notification filed whole: `{"jsonrpc":"2.0","method":N::METHOD,"params":…}`, serialised
/// straight from `params`. Send the returned marker as a [`RawNotification`].
pub fn notification<N: Notification>(params: &N::Params) -> Result<Raw, serde_json::Error> {
    #[derive(Serialize)]
    struct Message<'a, P> {
        jsonrpc: &'static str,
        method: &'static str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Message { jsonrpc: "2.0", method: N::METHOD, params })?;
    Ok(store(body))
}

/// The notification tower-lsp sends for a message filed by [`notification`].
#[derive(Debug)]
pub enum RawNotification {}

impl Notification for RawNotification {
    type Params = Raw;
    const METHOD: &'static str = NOTIFICATION;
}

/// Answers filed by [`store`] and not yet written by a [`Splicer`].
static FILED: LazyLock<Mutex<FastMap<u64, Vec<u8>>>> = LazyLock::new(Default::default);
static NEXT: AtomicU64 = AtomicU64::new(0);

/// More filed answers than this means their frames are not coming (no [`Splicer`] writes
/// them: an in-process client sent [`COMPLETION`] itself); the oldest are dropped.
const MAX_FILED: usize = 256;

/// An answer filed by [`store`]: serialises as its marker.
#[derive(Debug)]
pub struct Raw(u64);

impl Serialize for Raw {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{MARKER}{}", self.0))
    }
}

/// Read back from its marker (tower-lsp's notification types must be readable too).
impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
        let marker = String::deserialize(deserializer)?;
        marker
            .strip_prefix(MARKER)
            .and_then(|number| number.parse().ok())
            .map(Raw)
            .ok_or_else(|| serde::de::Error::custom("not a marker of a filed answer"))
    }
}

/// Files `answer` (the JSON of a request's result) for the [`Splicer`] to write.
pub fn store(answer: Vec<u8>) -> Raw {
    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut filed = FILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if filed.len() >= MAX_FILED {
        let oldest = number.saturating_sub(MAX_FILED as u64 / 2);
        filed.retain(|&n, _| n >= oldest);
    }
    filed.insert(number, answer);
    Raw(number)
}

/// The JSON of a completion answer, as serde_json writes the `CompletionResponse::List` that
/// `Backend::completion_answer` builds of the same works (`null` for none), written straight
/// from the analysis's items: building `lsp_types` items and serialising them was a sixth of
/// a completion inside the server (issue 11: 20 µs of 147 at 10,000 entries).
pub fn completion_list(found: Option<(&CompletionResult, Range)>) -> Vec<u8> {
    let Some((found, range)) = found else { return b"null".to_vec() };
    let mut edit_range = Vec::with_capacity(96);
    let (start, end) = (range.start, range.end);
    let _ = write!(
        edit_range,
        r#"{{"start":{{"line":{},"character":{}}},"end":{{"line":{},"character":{}}}}}"#,
        start.line, start.character, end.line, end.character
    );
    let size: usize = found
        .items
        .iter()
        .map(|i| 2 * i.key.len() + i.detail.len() + i.sort_text.len() + i.filter_text.len() + 200)
        .sum();
    let mut out = Vec::with_capacity(size + 40);
    out.extend_from_slice(br#"{"isIncomplete":"#);
    out.extend_from_slice(if found.incomplete { b"true" } else { b"false" });
    out.extend_from_slice(br#","items":["#);
    for (n, item) in found.items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"label":"#);
        json_string(&mut out, &item.key);
        // `CompletionItemKind::REFERENCE`.
        out.extend_from_slice(br#","kind":18,"detail":"#);
        json_string(&mut out, &item.detail);
        out.extend_from_slice(br#","sortText":"#);
        json_string(&mut out, &item.sort_text);
        out.extend_from_slice(br#","filterText":"#);
        json_string(&mut out, &item.filter_text);
        out.extend_from_slice(br#","textEdit":{"range":"#);
        out.extend_from_slice(&edit_range);
        out.extend_from_slice(br#","newText":"#);
        json_string(&mut out, &item.key);
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"]}");
    out
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped; everything
/// else, UTF-8 included, as it is. Most strings need no escape and are copied whole.
fn json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    // Asked of every byte without stopping early, which the compiler turns into vector
    // instructions: most strings have nothing to escape and are then copied whole (a loop
    // stopping at the first byte to escape was a byte at a time, 12 µs for 50 items).
    let plain = !bytes.iter().fold(false, |escape, &b| escape | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if plain {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        let escape: &[u8] = match b {
            b'"' => br#"\""#,
            b'\\' => br"\\",
            b'\n' => br"\n",
            b'\r' => br"\r",
            b'\t' => br"\t",
            0x08 => br"\b",
            0x0c => br"\f",
            _ => b"",
        };
        out.extend_from_slice(&bytes[copied..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.extend_from_slice(escape);
        }
        copied = i + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Takes the answer filed under `number`.
fn take(number: u64) -> Option<Vec<u8>> {
    FILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&number)
}

/// `body` with a filed answer in place of its marker, or `None` when it carries none.
fn spliced(body: &[u8]) -> Option<Vec<u8>> {
    let (rest, whole) = match body.strip_prefix(RESULT_HEAD) {
        Some(rest) => (rest, false),
        None => (body.strip_prefix(NOTIFICATION_HEAD)?, true),
    };
    let rest = rest.strip_prefix(MARKER_JSON)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let after = rest.get(digits..)?.strip_prefix(b"\"")?;
    let number: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let Some(answer) = take(number) else {
        tracing::error!("an answer was filed for writing but is gone (number {number}); its marker is written instead");
        return None;
    };
    if whole {
        // A notification filed whole: the message itself.
        return Some(answer);
    }
    let mut out = Vec::with_capacity(RESULT_HEAD.len() + answer.len() + after.len());
    out.extend_from_slice(RESULT_HEAD);
    out.extend_from_slice(&answer);
    out.extend_from_slice(after);
    Some(out)
}

/// Completion requests read by the input guard whose answers the splicer has not written yet
/// (see [`completions_answered`]).
static COMPLETIONS: LazyLock<Unanswered> = LazyLock::new(Unanswered::default);

/// The longest a request holds diagnostics back ([`completions_answered`]): a completion
/// answers in a millisecond or two even at 100,000 entries, and an answer the splicer could
/// not match to its request (an id written unlike tower-lsp writes it) must not hold them
/// forever.
const LONGEST_HOLD: Duration = Duration::from_millis(20);

/// Requests read and not yet answered: each id as tower-lsp writes it, and when the request
/// was read.
#[derive(Default)]
struct Unanswered {
    requests: Mutex<Vec<(String, Instant)>>,
    /// How many `requests` there are, read without the lock by every frame the splicer writes.
    count: AtomicUsize,
    /// Woken when `requests` becomes empty.
    answered: tokio::sync::Notify,
}

impl Unanswered {
    fn requests(&self) -> std::sync::MutexGuard<'_, Vec<(String, Instant)>> {
        self.requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read(&self, id: String) {
        let mut requests = self.requests();
        // Bounded even where no pass ever asks (a fuzzing run of the guard alone).
        if requests.len() >= 64 {
            requests.retain(|(_, read)| read.elapsed() < LONGEST_HOLD);
        }
        requests.push((id, Instant::now()));
        self.count.store(requests.len(), Ordering::Release);
    }

    /// `body` is being written: if it answers one of the requests, that one is answered.
    fn written(&self, body: &[u8]) {
        if self.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let Some(id) = response_id(body) else { return };
        let mut requests = self.requests();
        if let Some(at) = requests.iter().position(|(read, _)| read.as_bytes() == id) {
            crate::timing::mark("written");
            requests.swap_remove(at);
            self.count.store(requests.len(), Ordering::Release);
            if requests.is_empty() {
                self.answered.notify_waiters();
            }
        }
    }

    /// Whether a request read less than `hold` ago is still unanswered; older ones are
    /// forgotten.
    fn pending(&self, hold: Duration) -> bool {
        let mut requests = self.requests();
        let before = requests.len();
        requests.retain(|(_, read)| read.elapsed() < hold);
        if requests.len() < before {
            tracing::debug!(
                "{} answers were not seen written; diagnostics no longer wait for them",
                before - requests.len()
            );
        }
        self.count.store(requests.len(), Ordering::Release);
        !requests.is_empty()
    }

    /// Waits until every request read is answered, for at most `hold`.
    async fn all_answered(&self, hold: Duration) {
        if self.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let deadline = Instant::now() + hold;
        loop {
            let notified = self.answered.notified();
            tokio::pin!(notified);
            // Registered before the check, so an answer written between the two still wakes it.
            notified.as_mut().enable();
            if !self.pending(hold) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                return;
            }
        }
    }
}

/// The id of a response tower-lsp wrote (`{"jsonrpc":"2.0","result":…,"id":ID}`, or with
/// `error`): its last member, whose name cannot occur unescaped inside a string.
fn response_id(body: &[u8]) -> Option<&[u8]> {
    let rest = body.strip_prefix(br#"{"jsonrpc":"2.0","#)?;
    if !rest.starts_with(br#""result":"#) && !rest.starts_with(br#""error":"#) {
        return None;
    }
    let at = memchr::memmem::rfind(body, br#","id":"#)?;
    body.get(at + 6..body.len().checked_sub(1)?)
}

/// The input guard read a completion request with this id (as tower-lsp writes it back).
pub(super) fn completion_read(id: String) {
    crate::timing::mark("read");
    COMPLETIONS.read(id);
}

/// Waits until every completion request read is answered, for at most [`LONGEST_HOLD`]; at
/// once when none is pending (always, for in-process clients, which no guard reads).
///
/// A diagnostics pass waits here before each of its steps. A writer who types `\cite{smi`
/// waits for the popup, not for the squiggle: with the publication read first, an editor (or
/// a measuring client) parses it before the answer. A server that does no work at all measured
/// p99 0.45–0.81 ms in lspbench's typing loop when it published at once, and 0.13–0.34 ms when it
/// published after answering (`examples/floor_server.rs`, issue 11). Edits with no request
/// after them (most keystrokes) are not held at all.
pub async fn completions_answered() {
    COMPLETIONS.all_answered(LONGEST_HOLD).await;
}

/// Where a frame's body starts and its length, read with the input guard's own header
/// parsing; `Err` for a header block without a usable `Content-Length`.
fn frame_head(bytes: &[u8]) -> Option<Result<(usize, usize), ()>> {
    let end = super::transport::header_end(bytes)?;
    Some(super::transport::content_length(&bytes[..end]).map(|length| (end, length)).ok_or(()))
}

/// Writes tower-lsp's frames to `inner`, each with its filed answer in place of its marker
/// (see the module's documentation). Frames pass whole and in order; a frame without a marker
/// is written as it came.
pub struct Splicer<W> {
    inner: W,
    /// Bytes from tower-lsp not yet a whole frame.
    incoming: Vec<u8>,
    /// Whole frames for `inner`, from `written` on.
    outgoing: Vec<u8>,
    written: usize,
}

impl<W> std::fmt::Debug for Splicer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Splicer")
            .field("incoming", &self.incoming.len())
            .field("outgoing", &self.outgoing.len())
            .finish()
    }
}

impl<W: AsyncWrite + Unpin> Splicer<W> {
    pub fn new(inner: W) -> Splicer<W> {
        Splicer { inner, incoming: Vec::new(), outgoing: Vec::new(), written: 0 }
    }

    /// Moves every whole frame of `incoming` to `outgoing`, spliced.
    fn frames(&mut self) {
        let mut start = 0;
        while let Some(head) = frame_head(&self.incoming[start..]) {
            let Ok((body_at, length)) = head else {
                // Not a frame tower-lsp would write: passed on as it is, not held forever.
                tracing::error!("the server wrote a frame without a Content-Length; passed on unchanged");
                self.outgoing.extend_from_slice(&self.incoming[start..]);
                start = self.incoming.len();
                break;
            };
            let end = start + body_at + length;
            if end > self.incoming.len() {
                break;
            }
            let body = &self.incoming[start + body_at..end];
            COMPLETIONS.written(body);
            match spliced(body) {
                Some(new) => {
                    self.outgoing.extend_from_slice(format!("Content-Length: {}\r\n\r\n", new.len()).as_bytes());
                    self.outgoing.extend_from_slice(&new);
                }
                None => self.outgoing.extend_from_slice(&self.incoming[start..end]),
            }
            start = end;
        }
        self.incoming.drain(..start);
    }

    /// Writes `outgoing` to `inner`.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.outgoing.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.outgoing[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.outgoing.clear();
        self.written = 0;
        // One large answer (a 5 MB workspace symbol list) must not keep its buffer.
        if self.outgoing.capacity() > 1 << 20 {
            self.outgoing.shrink_to(64 * 1024);
        }
        Poll::Ready(Ok(()))
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Splicer<W> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        // Bounded: a client that stops reading stops the server's writes here.
        if this.outgoing.len() - this.written > 4 << 20 {
            ready!(this.drain(cx))?;
        }
        this.incoming.extend_from_slice(buf);
        this.frames();
        if this.incoming.capacity() > 1 << 20 && this.incoming.len() < 64 * 1024 {
            this.incoming.shrink_to(64 * 1024);
        }
        // Written now when the pipe takes it; otherwise at the flush that follows.
        if let Poll::Ready(Err(e)) = this.drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::completion::CompletionItem;
    use crate::corpus::RecordId;
    use tokio::io::AsyncWriteExt;
    use tower_lsp::lsp_types::Position;

    /// The answer written straight from the works is, byte for byte, what serde_json writes of
    /// the `lsp_types` answer the in-process server gives, with every kind of escape.
    #[test]
    fn completion_list_is_what_serde_json_writes() {
        let item = |key: &str, detail: &str, filter_text: &str| CompletionItem {
            record: RecordId(0),
            key: key.to_owned(),
            detail: detail.to_owned(),
            filter_text: filter_text.to_owned(),
            sort_text: "00000".to_owned(),
        };
        let range = Range::new(Position::new(3, 7), Position::new(3, 12));
        for incomplete in [true, false] {
            for items in [
                vec![],
                vec![
                    item("smith2020", "Smith et al. (2020)", "smi smith2020 Smith 2020 A title 10.1000/x"),
                    item("a\"b\\c", "Ünïcode\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f} (n.d.)", "quote \" and \\ 😀"),
                ],
            ] {
                let found = CompletionResult { range: 0..3, items, incomplete };
                let written = String::from_utf8(completion_list(Some((&found, range)))).expect("UTF-8");
                let standard = super::super::completion_response(found, range);
                assert_eq!(written, serde_json::to_string(&Some(standard)).expect("serialises"));
            }
        }
        assert_eq!(completion_list(None), serde_json::to_vec(&None::<()>).expect("serialises"));
    }

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// Writes `input` through a splicer in pieces of `step` bytes; returns what came out.
    fn through(input: &[u8], step: usize) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        runtime.block_on(async {
            let mut out = Vec::new();
            let mut splicer = Splicer::new(&mut out);
            for piece in input.chunks(step) {
                splicer.write_all(piece).await.expect("write");
            }
            splicer.flush().await.expect("flush");
            drop(splicer);
            String::from_utf8(out).expect("utf-8")
        })
    }

    #[test]
    fn markers_become_their_answers_and_other_frames_pass_unchanged() {
        for step in [1, 7, 64, 100_000] {
            let items = r#"{"isIncomplete":false,"items":[{"label":"smith2020"}]}"#;
            let marker = serde_json::to_string(&store(items.as_bytes().to_vec())).expect("json");
            assert!(marker.starts_with(r#""\u0001refls-raw:"#), "{marker}");
            let hover = r#"{"jsonrpc":"2.0","result":{"contents":"\u0001refls-raw:0"},"id":1}"#;
            let notification = r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"é"}}"#;
            let mut input = frame(hover);
            input.extend(frame(&format!(r#"{{"jsonrpc":"2.0","result":{marker},"id":"a"}}"#)));
            input.extend(frame(notification));
            let spliced = format!(r#"{{"jsonrpc":"2.0","result":{items},"id":"a"}}"#);
            let expect = [frame(hover), frame(&spliced), frame(notification)].concat();
            assert_eq!(through(&input, step), String::from_utf8(expect).expect("utf-8"), "pieces of {step}");
        }
    }

    #[test]
    fn a_filed_notification_is_written_whole_in_place_of_its_marker() {
        use tower_lsp::lsp_types::notification::LogMessage;
        use tower_lsp::lsp_types::{LogMessageParams, MessageType};
        let params = LogMessageParams { typ: MessageType::INFO, message: "ünï \"q\"".to_owned() };
        let marker = serde_json::to_string(&notification::<LogMessage>(&params).expect("filed")).expect("json");
        let sent = format!(r#"{{"jsonrpc":"2.0","method":"refls/rawNotification","params":{marker}}}"#);
        let expect = serde_json::to_string(&serde_json::json!({
            "jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "ünï \"q\""}
        }))
        .expect("json");
        assert_eq!(through(&frame(&sent), 3), String::from_utf8(frame(&expect)).expect("utf-8"));
        // Read back from its marker, as tower-lsp's notification types must be.
        let filed = store(Vec::new());
        let marker = serde_json::to_string(&filed).expect("json");
        assert_eq!(serde_json::from_str::<Raw>(&marker).expect("a marker").0, filed.0);
        assert!(serde_json::from_str::<Raw>(r#""refls-raw:1""#).is_err());
    }

    #[test]
    fn a_marker_whose_answer_is_gone_is_written_as_it_came() {
        let body = r#"{"jsonrpc":"2.0","result":"\u0001refls-raw:18446744073709551615","id":3}"#;
        assert_eq!(through(&frame(body), 5), String::from_utf8(frame(body)).expect("utf-8"));
    }

    #[test]
    fn bytes_that_are_not_frames_are_passed_on_not_held() {
        let odd = b"Content-Type: x\r\n\r\n{}".to_vec();
        assert_eq!(through(&odd, 100), "Content-Type: x\r\n\r\n{}");
    }

    /// The id is read back from responses as tower-lsp itself writes them.
    #[test]
    fn a_response_is_matched_to_its_request_by_the_id_tower_lsp_writes() {
        use tower_lsp::jsonrpc::{Error, Id, Response};
        for id in [Id::Number(7), Id::String("a \"b\" ,\"id\":1".to_owned())] {
            let written = serde_json::to_string(&id).expect("json");
            for response in [
                Response::from_ok(id.clone(), serde_json::json!({"items": [{"label": ",\"id\":9}"}]})),
                Response::from_error(id.clone(), Error::request_cancelled()),
            ] {
                let body = serde_json::to_vec(&response).expect("json");
                assert_eq!(response_id(&body), Some(written.as_bytes()), "{}", String::from_utf8_lossy(&body));
            }
        }
        // Requests and notifications are not answers.
        assert_eq!(response_id(br#"{"jsonrpc":"2.0","method":"x","params":{"id":1}}"#), None);
        assert_eq!(response_id(br#"{"jsonrpc":"2.0","id":1,"method":"workspace/configuration"}"#), None);
    }

    /// Diagnostics wait for a completion until its answer is written, and no longer than the
    /// hold when it never is.
    #[test]
    fn a_wait_ends_when_the_answer_is_written_or_the_hold_is_over() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().expect("runtime");
        runtime.block_on(async {
            let unanswered = std::sync::Arc::new(Unanswered::default());
            let hold = Duration::from_secs(5);
            // Nothing read: at once.
            let began = Instant::now();
            unanswered.all_answered(hold).await;
            assert!(began.elapsed() < Duration::from_secs(1));
            // Read, then answered while the pass waits; another answer does not count.
            unanswered.read("3".to_owned());
            let waiting = tokio::spawn({
                let unanswered = std::sync::Arc::clone(&unanswered);
                async move { unanswered.all_answered(hold).await }
            });
            tokio::time::sleep(Duration::from_millis(30)).await;
            unanswered.written(br#"{"jsonrpc":"2.0","result":null,"id":4}"#);
            tokio::time::sleep(Duration::from_millis(30)).await;
            assert!(!waiting.is_finished(), "the wait ended before its answer was written");
            let began = Instant::now();
            unanswered.written(br#"{"jsonrpc":"2.0","result":{"items":[]},"id":3}"#);
            waiting.await.expect("the wait ends");
            assert!(began.elapsed() < Duration::from_secs(1), "the wait did not end at the answer");
            // Never answered: the hold ends the wait, and forgets the request.
            unanswered.read("5".to_owned());
            let began = Instant::now();
            unanswered.all_answered(Duration::from_millis(50)).await;
            assert!(began.elapsed() >= Duration::from_millis(50));
            assert!(!unanswered.pending(Duration::from_millis(50)));
        });
    }
}
