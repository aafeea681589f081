//! A guard between stdin and tower-lsp that drops malformed JSON-RPC frames.
//!
//! tower-lsp decodes frames with tokio-util's `FramedRead`, which ends the stream after the
//! first decoding error: one frame of invalid JSON and the server silently stops reading, while
//! the editor waits forever. This guard reads the `Content-Length` frames itself, checks that
//! each body is a JSON object, forwards good frames unchanged through an in-memory pipe, and
//! logs and drops the rest (a frame without a length header is skipped up to the next one).
//! It also ends the input after `exit`, so the server stops without waiting for the client
//! to close stdin.

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The one field the guard looks at: whether the message is `exit`.
#[derive(Deserialize)]
struct Method {
    method: Option<String>,
}
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// Frames larger than this are refused rather than buffered (no manuscript is this large).
const MAX_FRAME_BYTES: usize = 512 * 1024 * 1024;

/// Copies well-formed frames from `input` to `output` until `input` ends.
pub async fn forward_valid_frames(input: impl AsyncRead + Unpin, mut output: DuplexStream) {
    let mut reader = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        let mut saw_header = false;
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = header.trim_end();
            if header.is_empty() {
                if saw_header {
                    break;
                }
                continue;
            }
            saw_header = true;
            if let Some((name, value)) = header.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                }
            }
        }
        let Some(length) = length.filter(|&l| l <= MAX_FRAME_BYTES) else {
            tracing::error!("dropped a JSON-RPC frame without a usable Content-Length header");
            continue;
        };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let method = if is_object { serde_json::from_slice::<Method>(&body).ok().map(|m| m.method) } else { None };
        if method.is_none() || serde_json::from_slice::<IgnoredAny>(&body).is_err() {
            let shown = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            tracing::error!("dropped a malformed JSON-RPC message (not a JSON object): {shown}");
            continue;
        }
        let header = format!("Content-Length: {length}\r\n\r\n");
        if output.write_all(header.as_bytes()).await.is_err() || output.write_all(&body).await.is_err() {
            return;
        }
        // After `exit` nothing more is read: closing the pipe lets tower-lsp finish even while
        // the client keeps its end of stdin open.
        if method.flatten().as_deref() == Some("exit") {
            return;
        }
    }
}
