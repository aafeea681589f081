//! The server's stdin and stdout. When the editor connects through pipes (VS Code, Neovim,
//! Helix, eglot with `:connection-type pipe`), both are driven by the async runtime itself
//! (tokio's `unix::pipe`, non-blocking, woken by epoll), so a message is read and an answer
//! written on the worker that handles it. `tokio::io::stdin`/`stdout` hand every read and
//! write to a blocking thread: two thread wake-ups per round trip, which after a writer's
//! pause were a measurable part of a hover's or an edit's diagnostics' time (issue 11). A
//! terminal, a file or a pseudo-terminal is not a pipe and keeps the blocking-thread path.
//!
//! `O_NONBLOCK` belongs to the pipe's open file, which a wrapper script may share, so
//! [`restore_blocking`] clears it again when the server stops.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::unix::pipe;

/// Standard input: the read end of the editor's pipe, or tokio's stdin.
pub fn input() -> Box<dyn AsyncRead + Unpin + Send> {
    match on_runtime(std::io::stdin().as_fd(), pipe::Receiver::from_owned_fd, "stdin") {
        Some(receiver) => Box::new(receiver),
        None => Box::new(tokio::io::stdin()),
    }
}

/// Standard output: the write end of the editor's pipe, or tokio's stdout.
pub fn output() -> Box<dyn AsyncWrite + Unpin + Send> {
    match on_runtime(std::io::stdout().as_fd(), pipe::Sender::from_owned_fd, "stdout") {
        Some(sender) => Box::new(sender),
        None => Box::new(tokio::io::stdout()),
    }
}

/// The runtime's end of `fd` when it is a pipe (`pipe` refuses anything else), on a
/// descriptor of our own: tokio's pipe closes what it is given, and fd 0 and 1 must stay open
/// (`std::io::stdin` and the panic hook's stderr rely on them).
fn on_runtime<T>(fd: BorrowedFd<'_>, pipe: fn(OwnedFd) -> std::io::Result<T>, name: &str) -> Option<T> {
    match fd.try_clone_to_owned().and_then(pipe) {
        Ok(end) => Some(end),
        Err(e) => {
            tracing::debug!("{name} is not a pipe ({e}); served by a blocking thread");
            None
        }
    }
}

/// Clears `O_NONBLOCK` on stdin and stdout, for whoever shares their open files after the
/// server stops (a shell that started it and writes after it). Best effort: a failure only
/// leaves the flag as it was.
pub fn restore_blocking() {
    for fd in [std::io::stdin().as_raw_fd(), std::io::stdout().as_raw_fd()] {
        #[allow(unsafe_code)]
        // SAFETY: `fcntl` with F_GETFL/F_SETFL reads and sets the flags of an open descriptor
        // (0 and 1 stay open for the process's life) and touches no memory of ours.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 && flags & libc::O_NONBLOCK != 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
}
