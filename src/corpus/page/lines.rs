//! Splits a saved page into trimmed lines with byte offsets, and marks which section of the
//! page each line belongs to.
//!
//! Sections matter because the same shapes mean different things in different places: a
//! citation line in the page head describes the page's own work, the same shape under
//! "References" names a cited work, and under "Similar articles" or "Cited by" it names
//! neither and must be ignored.

use std::sync::LazyLock;

use regex::Regex;

/// Where a line sits on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The page's own metadata and text.
    Body,
    /// A reference list: the works this page cites.
    References,
    /// Lists of other works the site recommends ("Similar articles", "Cited by"): not
    /// metadata of this page, not references either.
    Elsewhere,
}

/// One line of the page, trimmed, with its place in the file.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// The line without leading or trailing whitespace (NBSP included).
    pub text: &'a str,
    /// Byte offset of `text` in the page.
    pub start: usize,
    pub section: Section,
}

impl Line<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end()
    }

    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

static REFERENCES_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    // English and the other languages the reference lists of saved pages use (Ukrainian and
    // Russian aggregators, German, French, Spanish, Portuguese, Italian, Chinese).
    Regex::new(r"(?i)^(?:most cited |cited |list of )?(?:references?|bibliography|works cited|literature cited|reference list|sources|список літератури|список використаних джерел|список литературы|література|литература|literatur|literaturverzeichnis|bibliographie|références(?: bibliographiques)?|referências(?: bibliográficas)?|referencias(?: bibliográficas)?|bibliografía|bibliografia|riferimenti bibliografici|参考文献)(?:\s*\([0-9]+\))?\s*[0-9]*:?$")
        .expect("valid regex")
});

static ELSEWHERE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:similar articles|cited by(?: [0-9]+ articles?)?|related articles|recommended articles|people also read|you may also like|more from this journal|related collections|citing articles|articles citing this|other articles|publication types|mesh terms|substances|related information|linkout - more resources|grants and funding|full text sources|supplementary concepts|comments|comment on this article)\s*[0-9]*$")
        .expect("valid regex")
});

static BODY_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:author and article information|article information|author information|abstract|keywords|journal|article|affiliations|author notes|history|funding|acknowledg(?:e)?ments|disclosure statement|additional information|conflict of interest statement|copyright|license|metrics)$")
        .expect("valid regex")
});

/// Whether a line is a section heading that ends a metadata block or an abstract.
pub fn is_heading(text: &str) -> bool {
    REFERENCES_HEADING.is_match(text) || ELSEWHERE_HEADING.is_match(text) || BODY_HEADING.is_match(text)
}

/// Splits on `\n`, `\r\n` and lone `\r`, as editors and the LSP do.
pub fn split(text: &str) -> Vec<Line<'_>> {
    let mut res = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut section = Section::Body;
    let mut i = 0;
    while i <= bytes.len() {
        let at_end = i == bytes.len();
        if at_end || bytes[i] == b'\n' || bytes[i] == b'\r' {
            let raw = &text[start..i];
            let trimmed_start = raw.len() - raw.trim_start().len();
            let trimmed = raw.trim();
            let line_start = start + trimmed_start;
            // Headings are short; most lines are skipped without running the three regexes.
            let could_be_heading = !trimmed.is_empty() && trimmed.len() <= 64;
            if !could_be_heading {
            } else if REFERENCES_HEADING.is_match(trimmed) {
                section = Section::References;
            } else if ELSEWHERE_HEADING.is_match(trimmed) {
                section = Section::Elsewhere;
            } else if BODY_HEADING.is_match(trimmed) {
                section = Section::Body;
            }
            res.push(Line { text: trimmed, start: line_start, section });
            if at_end {
                break;
            }
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_and_offsets() {
        let text = "a\r\nb\rc\n  d  ";
        let lines = split(text);
        let shown: Vec<_> = lines.iter().map(|l| (l.text, l.start)).collect();
        assert_eq!(shown, [("a", 0), ("b", 3), ("c", 5), ("d", 9)]);
    }

    #[test]
    fn sections() {
        let text = "Title\nReferences\n1. A\nSimilar articles\nB\nAbstract\nC\nMost cited references32\nD";
        let shown: Vec<_> = split(text).iter().map(|l| (l.text, l.section)).collect();
        assert_eq!(
            shown,
            [
                ("Title", Section::Body),
                ("References", Section::References),
                ("1. A", Section::References),
                ("Similar articles", Section::Elsewhere),
                ("B", Section::Elsewhere),
                ("Abstract", Section::Body),
                ("C", Section::Body),
                ("Most cited references32", Section::References),
                ("D", Section::References),
            ]
        );
    }
}
