//! The server's stdin and stdout. When the editor connects through pipes (VS Code, Neovim,
//! Helix, eglot with `:connection-type pipe`), both are driven by the async runtime itself
//! (tokio's `unix::pipe`, non-blocking, woken by epoll), so a message is read and an answer
//! written on the worker that handles it. `tokio::io::stdin`/`stdout` hand every read and
//! write to a blocking thread: two thread wake-ups per round trip, which after a writer's
//! pause were a measurable part of a hover's or an edit's diagnostics' time (issue 11). A
//! terminal, a file or a pseudo-terminal is not a pipe and keeps the blocking-thread path.
//!
//! `O_NONBLOCK` belongs to the pipe's open file, which a wrapper script may share, so
//! [`restore_blocking`] clears it again when the server stops (only where it was not set
//! before the server started).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::unix::pipe;

/// Whether we set `O_NONBLOCK` on stdin (0) and on stdout (1), to clear only what we set: an
/// editor may hand over a pipe that was non-blocking already.
static SET_NON_BLOCKING: [AtomicBool; 2] = [AtomicBool::new(false), AtomicBool::new(false)];

/// Standard input: the read end of the editor's pipe, or tokio's stdin.
pub fn input() -> Box<dyn AsyncRead + Unpin + Send> {
    match on_runtime(std::io::stdin().as_fd(), 0, pipe::Receiver::from_owned_fd, "stdin") {
        Some(receiver) => Box::new(receiver),
        None => Box::new(tokio::io::stdin()),
    }
}

/// Standard output: the write end of the editor's pipe, or tokio's stdout.
pub fn output() -> Box<dyn AsyncWrite + Unpin + Send> {
    match on_runtime(std::io::stdout().as_fd(), 1, pipe::Sender::from_owned_fd, "stdout") {
        Some(sender) => Box::new(sender),
        None => Box::new(tokio::io::stdout()),
    }
}

/// The runtime's end of `fd` when it is a pipe (`pipe` refuses anything else), on a
/// descriptor of our own: tokio's pipe closes what it is given, and fd 0 and 1 must stay open
/// (`std::io::stdin` and the panic hook's stderr rely on them). `slot` is its place in
/// [`SET_NON_BLOCKING`].
fn on_runtime<T>(fd: BorrowedFd<'_>, slot: usize, pipe: fn(OwnedFd) -> std::io::Result<T>, name: &str) -> Option<T> {
    let was_non_blocking = flags(fd.as_raw_fd()).map(|flags| flags & libc::O_NONBLOCK != 0);
    match fd.try_clone_to_owned().and_then(pipe) {
        Ok(end) => {
            SET_NON_BLOCKING[slot].store(was_non_blocking == Some(false), Ordering::Relaxed);
            Some(end)
        }
        Err(e) => {
            tracing::debug!("{name} is not a pipe ({e}); served by a blocking thread");
            None
        }
    }
}

/// Clears `O_NONBLOCK` on stdin and stdout where [`input`] and [`output`] set it, for
/// whoever shares their open files after the server stops (a shell that started it and writes
/// after it). Best effort: a failure only leaves the flag as it was.
pub fn restore_blocking() {
    for (slot, fd) in [std::io::stdin().as_raw_fd(), std::io::stdout().as_raw_fd()].into_iter().enumerate() {
        let Some(flags) = flags(fd).filter(|_| SET_NON_BLOCKING[slot].load(Ordering::Relaxed)) else { continue };
        if flags & libc::O_NONBLOCK != 0 {
            #[allow(unsafe_code)]
            // SAFETY: F_SETFL sets the flags of an open descriptor (0 and 1 stay open for the
            // process's life) and touches no memory of ours.
            unsafe {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
}

/// The file status flags of `fd`'s open file, `None` when they cannot be read.
fn flags(fd: RawFd) -> Option<libc::c_int> {
    #[allow(unsafe_code)]
    // SAFETY: F_GETFL reads the flags of a descriptor and touches no memory of ours.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    (flags >= 0).then_some(flags)
}
