//! Helpers shared by the bibliography readers (BibTeX, CSL-JSON, CSL-YAML, RIS): building a
//! [`Person`] from its parts, and turning the identifier, page, year and keyword values that
//! every format carries into record fields with their checks.
//!
//! The readers differ in how they find a field's text and where it sits in the file; once they
//! have that text and its byte range, the rules for what a valid DOI, PMCID or ISSN is, or how
//! page ranges are written, are the same, so they live here once. Problems found while filling
//! a field use format-independent codes (`invalid-doi`, `invalid-pmcid`, …): the format is
//! already known from the file the problem belongs to.

use std::ops::Range;
use std::sync::LazyLock;

use compact_str::CompactString;
use regex::Regex;

use super::doi::Doi;
use super::problem::{Problem, Severity};
use super::record::{Confidence, Field, FileId, Location, Person, Record};

/// Builds a person from a family name and given names as a source labels them, with
/// whitespace collapsed. A suffix (`Jr`, `III`) has no place of its own in [`Person`], so it is
/// kept after the given names the way BibTeX writes it (`Martin Luther, Jr`), where it stays
/// visible without changing the family name that keys and matching rely on.
///
/// Returns `None` when the name is empty. A name with only given names (`Plato` read as a given
/// name by some exporters) becomes a family name, since every person needs one to be cited.
pub fn person_from_family_given(family: &str, given: &str, suffix: &str) -> Option<Person> {
    let mut family = collapse_whitespace(family);
    let mut given = collapse_whitespace(given);
    let suffix = collapse_whitespace(suffix);
    if family.is_empty() {
        if given.is_empty() {
            return None;
        }
        std::mem::swap(&mut family, &mut given);
    }
    if !suffix.is_empty() {
        if given.is_empty() {
            given = suffix;
        } else {
            given = format!("{given}, {suffix}");
        }
    }
    Some(Person::new(family, given))
}

/// Reads a name written `Family, Given` or `Family, Given, Suffix` (RIS, and the inverted form
/// most exports use). A name without a comma is taken whole as the family name: in these
/// formats that is how a corporate author (`World Health Organization`) is written.
pub fn person_from_inverted(text: &str) -> Option<Person> {
    let mut parts = text.splitn(3, ',');
    let family = parts.next().unwrap_or("");
    let given = parts.next().unwrap_or("");
    let suffix = parts.next().unwrap_or("");
    person_from_family_given(family, given, suffix)
}

/// Replaces every run of whitespace with one space and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    // Names arrive with the space after their comma (`Smith, Jane` gives ` Jane`).
    let trimmed = text.trim_ascii();
    if is_collapsed(trimmed) {
        return trimmed.to_owned();
    }
    collapse_whitespace_anywhere(text)
}

/// Whether `text` is its own [`collapse_whitespace`]: no whitespace at its ends, nothing but
/// single spaces between its words. True for nearly every field value a bibliography gives, and
/// decided on bytes: the general path decodes every character to ask whether it is Unicode
/// whitespace, and it was 6–7 % of the server's CPU reading a 100,000-entry `.bib` (issue 11).
/// Text holding a lead byte of a non-ASCII whitespace character (U+0085, U+00A0, U+1680,
/// U+2000–U+205F, U+3000) takes the general path, as do the dashes and quotes that share
/// those lead bytes.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    // 32 bytes at a time, with no branch per byte, which the compiler turns into vector code:
    // a byte at a time, this check was itself 4.5 % of reading a `.bib` (values are checked
    // more than once on their way into a record).
    let other_whitespace = bytes.chunks(32).any(|chunk| {
        chunk.iter().fold(false, |found, &byte| found | matches!(byte, b'\t'..=b'\r' | 0xC2 | 0xE1..=0xE3))
    });
    !other_whitespace && memchr::memmem::find(bytes, b"  ").is_none()
}

/// [`collapse_whitespace`] for any text, Unicode whitespace included.
fn collapse_whitespace_anywhere(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The first four-digit year in a date written any way a bibliography writes one: `2020`,
/// `2023-05-08`, `2020/05/08/`, `May 2019`, `2019a`, `c1998`.
pub fn year_in(text: &str) -> Option<i32> {
    static YEAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^0-9])([0-9]{4})(?:[^0-9]|$)").expect("valid regex"));
    YEAR.captures(text).and_then(|c| c[1].parse().ok())
}

/// Page ranges are compared and shown with a plain hyphen whatever the source used: BibTeX's
/// `--`, an en or em dash, or a hyphen with spaces around it.
pub fn normalise_pages(text: &str) -> String {
    static DASHES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\s*(?:-{1,3}|\u{2010}|\u{2011}|\u{2012}|\u{2013}|\u{2014}|\u{2212})\s*").expect("valid regex")
    });
    DASHES.replace_all(text.trim(), "-").into_owned()
}

/// Splits a keyword list written in one value. `separators` differ by format: BibTeX writes
/// `a, b; c`, while a RIS `KW` line holds one keyword that may itself contain commas (MeSH
/// headings such as `Diabetes Mellitus, Type 2`).
pub fn split_keywords<'t>(text: &'t str, separators: &'t [char]) -> impl Iterator<Item = &'t str> + 't {
    text.split(separators).map(str::trim).filter(|k| !k.is_empty())
}

/// A PubMed identifier: digits only, optionally written `PMID: 123`.
pub fn pmid(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = strip_prefix_ignore_case(text, "pmid").map_or(text, |rest| rest.trim_start_matches([':', ' ']));
    (!digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.to_owned())
}

/// A PubMed Central identifier with its `PMC` prefix, whether or not the source wrote it
/// (`PMC1234567`, `pmc1234567`, `1234567`, `PMCID: PMC1234567`).
pub fn pmcid(text: &str) -> Option<String> {
    let mut text = text.trim();
    if let Some(rest) = strip_prefix_ignore_case(text, "pmcid") {
        text = rest.trim_start_matches([':', ' ']);
    }
    let digits = strip_prefix_ignore_case(text, "pmc").unwrap_or(text);
    (!digits.is_empty() && digits.len() <= 10 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("PMC{digits}"))
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Splits a value that may hold several ISSNs (`0028-0836, 1476-4687` or `00280836 14764687`)
/// into the valid ones, normalised to `NNNN-NNNC` with an upper-case check character, and the
/// tokens that are not ISSNs. The check digit is verified: a mistyped ISSN would never match.
pub fn issns(text: &str) -> (Vec<String>, Vec<String>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for token in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|t| !t.is_empty()) {
        match issn(token) {
            Some(issn) => {
                if !valid.contains(&issn) {
                    valid.push(issn);
                }
            }
            None => invalid.push(token.to_owned()),
        }
    }
    (valid, invalid)
}

fn issn(token: &str) -> Option<String> {
    let chars: Vec<char> = token.chars().filter(|&c| c != '-').collect();
    if chars.len() != 8 || token.chars().filter(|&c| c == '-').count() > 1 {
        return None;
    }
    let mut sum = 0;
    for (i, c) in chars[..7].iter().enumerate() {
        sum += c.to_digit(10)? * (8 - i as u32);
    }
    let check = match chars[7] {
        'x' | 'X' => 10,
        c => c.to_digit(10)?,
    };
    if (sum + check) % 11 != 0 {
        return None;
    }
    let text: String = chars.iter().map(|c| c.to_ascii_uppercase()).collect();
    Some(format!("{}-{}", &text[..4], &text[4..]))
}

/// Fills record fields from text values of one bibliography file, checking identifiers and
/// collecting a problem for each value that is not what its label says. All values read this
/// way are labelled fields, hence [`Confidence::High`].
pub struct FieldSink<'p> {
    pub file: FileId,
    pub problems: &'p mut Vec<Problem>,
}

impl FieldSink<'_> {
    pub fn at(&self, range: Range<u32>) -> Location {
        Location { file: self.file, range }
    }

    pub fn field<T>(&self, value: T, range: Range<u32>) -> Field<T> {
        Field::new(value, self.at(range), Confidence::High)
    }

    /// A text field, whitespace collapsed; `None` when nothing is left. Short fields are
    /// `CompactString`s (see [`crate::corpus::record::Record`]), long ones `String`s.
    pub fn text<T: From<String>>(&self, value: &str, range: Range<u32>) -> Option<Field<T>> {
        let value = collapse_whitespace(value);
        (!value.is_empty()).then(|| self.field(T::from(value), range))
    }

    pub fn doi(&mut self, record: &mut Record, value: &str, range: Range<u32>) {
        if value.trim().is_empty() {
            return;
        }
        match Doi::parse(value) {
            Some(doi) => record.doi = Some(self.field(doi, range)),
            None => self.problems.push(
                Problem::new(
                    Severity::Warning,
                    "invalid-doi",
                    format!("`{}` is not a DOI; the DOI was left out", value.trim()),
                )
                .at(range),
            ),
        }
    }

    pub fn pmid(&mut self, record: &mut Record, value: &str, range: Range<u32>) {
        if value.trim().is_empty() {
            return;
        }
        match pmid(value) {
            Some(pmid) => record.rare_mut().pmid = Some(self.field(pmid, range)),
            None => self.problems.push(
                Problem::new(
                    Severity::Warning,
                    "invalid-pmid",
                    format!("`{}` is not a PubMed ID; it was left out", value.trim()),
                )
                .at(range),
            ),
        }
    }

    pub fn pmcid(&mut self, record: &mut Record, value: &str, range: Range<u32>) {
        if value.trim().is_empty() {
            return;
        }
        match pmcid(value) {
            Some(pmcid) => record.rare_mut().pmcid = Some(self.field(pmcid, range)),
            None => self.problems.push(
                Problem::new(
                    Severity::Warning,
                    "invalid-pmcid",
                    format!("`{}` is not a PubMed Central ID; it was left out", value.trim()),
                )
                .at(range),
            ),
        }
    }

    /// Adds the ISSNs in `value`. `strict` reports tokens that are not ISSNs; RIS turns it off
    /// because its `SN` tag holds ISBNs for books.
    pub fn issns(&mut self, record: &mut Record, value: &str, range: Range<u32>, strict: bool) {
        let (valid, invalid) = issns(value);
        for issn in valid {
            if !record.extra().issn.iter().any(|f| f.value == issn) {
                record.extra_mut().issn.push(self.field(issn, range.clone()));
            }
        }
        if strict && !invalid.is_empty() {
            self.problems.push(
                Problem::new(
                    Severity::Warning,
                    "invalid-issn",
                    format!("`{}` is not an ISSN; it was left out", invalid.join(" ")),
                )
                .at(range),
            );
        }
    }

    pub fn pages(&self, value: &str, range: Range<u32>) -> Option<Field<CompactString>> {
        let pages = normalise_pages(&collapse_whitespace(value));
        (!pages.is_empty()).then(|| self.field(pages.into(), range))
    }

    /// The year of a date value; a date with no year in it is reported and left out.
    pub fn year(&mut self, value: &str, range: Range<u32>) -> Option<Field<i32>> {
        if value.trim().is_empty() {
            return None;
        }
        match year_in(value) {
            Some(year) => Some(self.field(year, range)),
            None => {
                self.problems.push(
                    Problem::new(Severity::Hint, "invalid-year", format!("`{}` holds no year", value.trim())).at(range),
                );
                None
            }
        }
    }

    pub fn keywords(&self, record: &mut Record, keywords: impl Iterator<Item = String>, range: Range<u32>) {
        for keyword in keywords {
            let keyword = collapse_whitespace(&keyword);
            if !keyword.is_empty() && !record.keywords.iter().any(|k| k.value == keyword) {
                record.keywords.push(self.field(keyword.into(), range.clone()));
            }
        }
    }
}

/// Names of the fields a citable record needs and lacks: a researcher who cites the entry will
/// see an incomplete reference, so readers report them as hints.
pub fn missing_fields(record: &Record) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if record.title.is_none() {
        missing.push("title");
    }
    if record.authors.is_empty() {
        missing.push("author");
    }
    if record.year.is_none() {
        missing.push("year");
    }
    missing
}

/// Byte offset of the start of each line, for turning a line and column reported by a parser
/// into a byte offset, and a byte offset into a line number.
/// Offsets are `u32` like [`Location`]'s (a 50 MB bibliography has a million lines: half the
/// memory of `usize` while it is read).
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(1 + newline_count(text.as_bytes()));
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| offset32(i + 1)));
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s as usize <= offset)
    }

    /// Byte offset of a 1-based line and 1-based byte column, clamped to the text and moved
    /// back to a character boundary.
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else { return text.len() };
        let mut offset = (start as usize + column.saturating_sub(1)).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// Newlines in `bytes`, to size a [`LineIndex`] exactly.
fn newline_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Converts a byte offset to the `u32` that [`Location`] holds. Corpus files are far below
/// 4 GiB; a larger one saturates rather than wrapping.
pub fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

pub fn range32(range: Range<usize>) -> Range<u32> {
    offset32(range.start)..offset32(range.end)
}

/// Sorts problems into file order, so that a reader's problems read top to bottom.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| p.range.as_ref().map_or(0, |r| r.start));
}

/// A readable rendering of what a reader returned, for snapshot tests: one line per record with
/// the anchor's lines, then the less common fields, then the problems with their lines.
#[cfg(test)]
pub fn render(text: &str, records: &[Record], problems: &[Problem]) -> String {
    use std::fmt::Write;

    let lines = LineIndex::new(text);
    let span = |range: &Range<u32>| {
        let first = lines.line(range.start as usize);
        let last = lines.line((range.end as usize).saturating_sub(1).max(range.start as usize));
        if first == last { format!("L{first}") } else { format!("L{first}-{last}") }
    };
    let mut out = String::new();
    for record in records {
        let authors: Vec<String> = record
            .authors
            .iter()
            .map(|a| {
                if a.value.given().is_empty() {
                    a.value.family().to_string()
                } else {
                    format!("{}, {}", a.value.family(), a.value.given())
                }
            })
            .collect();
        let mut authors = authors.join("; ");
        if record.et_al {
            authors.push_str(" et al.");
        }
        fn text_of<T: std::fmt::Display>(f: &Option<Field<T>>) -> String {
            f.as_ref().map_or("-".to_owned(), |f| f.value.to_string())
        }
        let mut container = text_of(&record.container_title);
        if let Some(short) = &record.extra().container_short {
            let _ = write!(container, " ({})", short.value);
        }
        let mut locator = text_of(&record.volume);
        if let Some(issue) = &record.issue {
            let _ = write!(locator, "({})", issue.value);
        }
        if let Some(pages) = &record.pages {
            let _ = write!(locator, ":{}", pages.value);
        }
        let _ = writeln!(
            out,
            "{} [{}] | {} | {} | {} | {} | {} | {} | {}",
            record.given_key.as_deref().unwrap_or("-"),
            span(&record.anchor().range),
            record.work_type.csl_name(),
            if authors.is_empty() { "-".to_owned() } else { authors },
            record.year().map_or("-".to_owned(), |y| y.to_string()),
            text_of(&record.title),
            container,
            locator,
            record.doi().map_or("-", |d| d.as_str()),
        );
        let mut extra = Vec::new();
        if let Some(pmid) = &record.rare().pmid {
            extra.push(format!("pmid {}", pmid.value));
        }
        if let Some(pmcid) = &record.rare().pmcid {
            extra.push(format!("pmcid {}", pmcid.value));
        }
        if !record.extra().issn.is_empty() {
            extra.push(format!(
                "issn {}",
                record.extra().issn.iter().map(|f| f.value.as_str()).collect::<Vec<_>>().join(" ")
            ));
        }
        if let Some(publisher) = &record.extra().publisher {
            extra.push(format!("publisher {}", publisher.value));
        }
        if !record.keywords.is_empty() {
            extra.push(format!(
                "keywords {}",
                record.keywords.iter().map(|f| f.value.as_str()).collect::<Vec<_>>().join("; ")
            ));
        }
        match record.abstract_text.as_ref().map(|f| &f.value) {
            Some(super::record::Abstract::Held(text)) => {
                let head: String = text.chars().take(40).collect();
                extra.push(format!("abstract {head}…"));
            }
            Some(super::record::Abstract::InFile(_)) => extra.push("abstract left in the file".to_owned()),
            None => {}
        }
        if !extra.is_empty() {
            let _ = writeln!(out, "    {}", extra.join(" | "));
        }
    }
    for problem in problems {
        let at = problem.range.as_ref().map_or("file".to_owned(), span);
        let _ = writeln!(out, "{at} {:?} {}: {}", problem.severity, problem.code, problem.message);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte check never takes a text the general path would change.
        #[test]
        fn collapsing_agrees_with_the_general_path(text in "[ a\t\n\r\u{0b}\u{0c}\u{85}\u{a0}\u{1680}\u{2002}\u{2014}\u{2028}\u{202f}\u{3000}é,.-]{0,12}") {
            prop_assert_eq!(collapse_whitespace(&text), collapse_whitespace_anywhere(&text));
            prop_assert!(!is_collapsed(&text) || collapse_whitespace_anywhere(&text) == text);
        }
    }

    #[test]
    fn collapsing_whitespace() {
        assert_eq!(collapse_whitespace("A study of  mice"), "A study of mice");
        assert_eq!(collapse_whitespace(" Caf\u{e9}\tau\nlait "), "Caf\u{e9} au lait");
        assert_eq!(collapse_whitespace("Mice\u{a0}and\u{3000}men"), "Mice and men");
        assert_eq!(collapse_whitespace("Already single \u{2014} spaced"), "Already single \u{2014} spaced");
        assert_eq!(collapse_whitespace(""), "");
    }

    #[test]
    fn persons() {
        let p = |f: &str, g: &str, s: &str| {
            person_from_family_given(f, g, s).map(|p| format!("{}|{}", p.family(), p.given()))
        };
        assert_eq!(p(" Smith ", "Jane  A.", ""), Some("Smith|Jane A.".into()));
        assert_eq!(p("King", "Martin Luther", "Jr"), Some("King|Martin Luther, Jr".into()));
        assert_eq!(p("", "Plato", ""), Some("Plato|".into()));
        assert_eq!(p("", " ", ""), None);
        let q = |t: &str| person_from_inverted(t).map(|p| format!("{}|{}", p.family(), p.given()));
        assert_eq!(q("Smith, John"), Some("Smith|John".into()));
        assert_eq!(q("World Health Organization"), Some("World Health Organization|".into()));
        assert_eq!(q("King, Martin Luther, Jr."), Some("King|Martin Luther, Jr.".into()));
    }

    #[test]
    fn values() {
        assert_eq!(year_in("2023-05-08"), Some(2023));
        assert_eq!(year_in("2020///"), Some(2020));
        assert_eq!(year_in("c1998"), Some(1998));
        assert_eq!(year_in("in press"), None);
        assert_eq!(year_in("12345"), None);
        assert_eq!(normalise_pages("100--110"), "100-110");
        assert_eq!(normalise_pages("100 \u{2013} 110"), "100-110");
        assert_eq!(normalise_pages("e1234"), "e1234");
        assert_eq!(pmcid("PMC123"), Some("PMC123".into()));
        assert_eq!(pmcid("123"), Some("PMC123".into()));
        assert_eq!(pmcid("PMCID: pmc123"), Some("PMC123".into()));
        assert_eq!(pmcid("PMCabc"), None);
        assert_eq!(pmid("PMID: 31234567"), Some("31234567".into()));
        assert_eq!(pmid("31234567x"), None);
        assert_eq!(issns("0028-0836, 1476-4687"), (vec!["0028-0836".into(), "1476-4687".into()], vec![]));
        assert_eq!(issns("1234567x 0028-0837"), (vec![], vec!["1234567x".into(), "0028-0837".into()]));
        assert_eq!(issns("2167-647x"), (vec!["2167-647X".into()], vec![]));
    }

    #[test]
    fn line_index() {
        let text = "ab\ncdé\n\nx";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line(0), 1);
        assert_eq!(lines.line(3), 2);
        assert_eq!(lines.line(8), 3);
        assert_eq!(lines.line(9), 4);
        assert_eq!(lines.offset(text, 2, 2), 4);
        assert_eq!(lines.offset(text, 2, 4), 5);
        assert_eq!(lines.offset(text, 9, 1), text.len());
    }
}
