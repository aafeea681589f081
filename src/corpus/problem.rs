//! Problems found while reading corpus files: malformed input is data, not failure.
//!
//! Every reader returns what it could read together with a list of problems. The CLI prints
//! them as warnings, the server turns them into diagnostics for open files and log lines for
//! the rest. Nothing in the corpus layer aborts on bad input.

use std::ops::Range;

/// How serious a problem is, in the terms a researcher cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something was skipped or could not be read; the index lacks data.
    Error,
    /// The input was read, but not as written (lossy UTF-8, a dropped field).
    Warning,
    /// Worth knowing (a duplicate, an entry without year).
    Hint,
}

/// One problem in one corpus file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    /// A stable code, such as `bib-syntax` or `invalid-utf8`.
    pub code: &'static str,
    pub message: String,
    /// Byte range in the file, when the problem has a place; `None` for whole-file problems.
    pub range: Option<Range<u32>>,
}

impl Problem {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Problem {
        Problem { severity, code, message: message.into(), range: None }
    }

    pub fn at(mut self, range: Range<u32>) -> Problem {
        self.range = Some(range);
        self
    }
}
