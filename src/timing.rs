//! Timestamps of the steps of a completion inside the server, for measuring where its time
//! goes (benches/README.md, "Inside the server"). Compiled in only with the `timing` feature;
//! without it [`mark`] is empty and the steps cost nothing.
//!
//! Each completion's steps are marked in order, from the input guard reading the request
//! (`read`) to the splicer writing its answer (`written`). At `written` the marks of that
//! completion are appended as one line to the file named by `REFLS_TIMING_FILE`, each as
//! `step=tenths of a microsecond since read`. `benches/timing.py` sums them up. Measuring
//! with a client's clock alone (`typed_client`) mixed refls's time with the pipes' and the
//! client's, and an in-process loop runs with caches that typing does not leave warm (half a
//! scan took 19 µs there and 30 µs in the server, issue 11).

/// Marks the end of step `what` of the completion being answered: `read` starts a
/// completion's marks, `written` ends them and writes them out.
#[inline]
pub fn mark(what: &'static str) {
    #[cfg(feature = "timing")]
    imp::mark(what);
    #[cfg(not(feature = "timing"))]
    let _ = what;
}

#[cfg(feature = "timing")]
mod imp {
    use std::io::Write as _;
    use std::sync::{LazyLock, Mutex};
    use std::time::Instant;

    static MARKS: Mutex<Vec<(&'static str, Instant)>> = Mutex::new(Vec::new());
    static FILE: LazyLock<Option<Mutex<std::fs::File>>> = LazyLock::new(|| {
        let path = std::env::var_os("REFLS_TIMING_FILE")?;
        match std::fs::OpenOptions::new().append(true).create(true).open(&path) {
            Ok(file) => Some(Mutex::new(file)),
            Err(e) => {
                tracing::error!("REFLS_TIMING_FILE {}: {e}", std::path::Path::new(&path).display());
                None
            }
        }
    });

    pub fn mark(what: &'static str) {
        let mut marks = MARKS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // In process (the tests) nothing is `read` or `written`: the marks stay bounded.
        if what == "read" || marks.len() >= 64 {
            marks.clear();
        }
        marks.push((what, Instant::now()));
        if what != "written" {
            return;
        }
        // The first mark is `read` (or the oldest kept): the times count from it.
        let read = marks[0].1;
        let line: String =
            marks.iter().map(|(step, at)| format!("{step}={} ", (*at - read).as_nanos() / 100)).collect();
        marks.clear();
        if let Some(file) = FILE.as_ref() {
            let mut file = file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let _ = writeln!(file, "{}", line.trim_end());
        }
    }
}
