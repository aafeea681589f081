//! Helpers shared by the integration tests that drive real programs: where to find the pandoc
//! that `.ci/tools` installs, and a reader of the server's stdout frames. Missing tools fail the test with instructions; they are never
//! skipped silently.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// The pandoc binary: `$REFLS_PANDOC`, else the one `.ci/tools` installs from PyPI.
pub fn pandoc() -> PathBuf {
    let path = match std::env::var_os("REFLS_PANDOC") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/py/pypandoc/files/pandoc"),
    };
    assert!(
        path.is_file(),
        "pandoc not found at {}: run `bash .ci/tools` (or `python3 -m pip install --target .tools/py pypandoc-binary`), or set REFLS_PANDOC",
        path.display()
    );
    path
}

/// Reads the server's stdout on a thread of its own and sends each frame's message. Anything
/// on stdout but `Content-Length` frames (with an optional `Content-Type`) would corrupt the
/// protocol: the reader then stops, and the test fails at its next wait for an answer.
pub fn read_messages(stdout: impl std::io::Read + Send + 'static) -> mpsc::Receiver<serde_json::Value> {
    let (tx, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 {
                    return;
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                assert!(header.starts_with("Content-Length:") || header.starts_with("Content-Type:"), "{header}");
                if let Some(value) = header.strip_prefix("Content-Length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    messages
}

/// The built server with its stdin and stdout on pipes, as an editor starts it, and `stderr`
/// where the test wants the logs.
pub fn start_server(args: &[&str], stderr: std::process::Stdio) -> std::process::Child {
    use std::process::{Command, Stdio};
    Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start refls")
}
