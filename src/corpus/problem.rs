//! Problems found while reading corpus files: malformed input is data, not failure.
//!
//! Every reader returns what it could read together with a list of problems. The CLI prints
//! them as warnings, the server turns them into diagnostics for open files and log lines for
//! the rest. Nothing in the corpus layer aborts on bad input.

use std::ops::Range;

/// How serious a problem is, in the terms a researcher cares about.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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

/// Problem codes read back from the warm-start cache: the code is a `&'static str` (a fixed
/// set written in the readers), so a code read from a file is interned once and kept.
pub(crate) fn intern_code(code: String) -> Option<&'static str> {
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex};

    static CODES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    // Real codes are short kebab-case words; anything else is a damaged cache, refused before
    // it can make the set grow.
    let well_formed = !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !well_formed {
        return None;
    }
    let mut codes = CODES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = codes.get(code.as_str()) {
        return Some(known);
    }
    if codes.len() >= 256 {
        return None;
    }
    let leaked: &'static str = Box::leak(code.into_boxed_str());
    codes.insert(leaked);
    Some(leaked)
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
