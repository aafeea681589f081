//! Digital Object Identifiers: finding them in running text, normalising them, validating
//! them, and telling an article's own DOI apart from the DOIs of its journal (ISSN DOIs such as
//! `10.1111/(ISSN)1369-7625`) and of its issue (`10.1111/hex.v26.4`).
//!
//! Every other module asks this one; nothing else in refls matches DOIs with its own regex.
//! DOIs compare case-insensitively (the DOI handbook, section 2.4), so the canonical form is
//! lower case. Offsets are byte offsets into the text that was searched.

use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use compact_str::CompactString;
use regex::Regex;

/// A normalised DOI: lower case, no resolver prefix, no trailing sentence punctuation.
/// The only way to build one is [`Doi::parse`] or [`find_dois`], so holding a `Doi` means it
/// passed validation.
// Deserialised only from refls's own checksummed cache, which holds DOIs that passed validation.
// A `CompactString`: a DOI of up to 24 bytes (a third of those in the generated 10,000-entry
// corpus) sits inside the record instead of in an allocation of its own (issue 11).
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Doi(CompactString);

impl Doi {
    /// Parses one DOI written in any of the usual forms (`doi:`, `https://doi.org/`,
    /// `dx.doi.org/`, `doi.org/`, bare `10.NNNN/…`), with surrounding whitespace and
    /// trailing punctuation tolerated. Returns `None` when the text is not exactly one DOI.
    pub fn parse(text: &str) -> Option<Doi> {
        let text = strip_resolver(text.trim());
        let found = find_dois(text);
        match found.as_slice() {
            [one] if one.range.start == 0 && text[one.range.end..].trim_end_matches(is_trailing_punct).is_empty() => {
                Some(one.doi.clone())
            }
            _ => None,
        }
    }

    /// The canonical text, e.g. `10.1111/hex.13774`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The bytes this DOI holds on the heap: 0 when it sits inline.
    pub fn heap(&self) -> usize {
        if self.0.is_heap_allocated() { self.0.capacity() } else { 0 }
    }

    /// Gives back spare capacity, and moves a DOI short enough back inline.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The resolver link shown in hovers.
    pub fn url(&self) -> String {
        // Characters that would end a Markdown link or break a URL are percent-encoded; the
        // rest of the DOI is kept as is, as doi.org itself displays it.
        let mut url = String::from("https://doi.org/");
        for ch in self.0.chars() {
            match ch {
                ' ' => url.push_str("%20"),
                '"' => url.push_str("%22"),
                '<' => url.push_str("%3C"),
                '>' => url.push_str("%3E"),
                '#' => url.push_str("%23"),
                '%' => url.push_str("%25"),
                '(' => url.push_str("%28"),
                ')' => url.push_str("%29"),
                _ => url.push(ch),
            }
        }
        url
    }

    /// The registrant prefix, e.g. `10.1111`.
    pub fn prefix(&self) -> &str {
        self.0.split_once('/').map_or(&self.0[..], |(prefix, _)| prefix)
    }

    /// What this DOI names, judged from its shape alone.
    pub fn kind(&self) -> DoiKind {
        static ISSUE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"/[a-z]+\.v[0-9]+(\.[0-9]+)?$").expect("valid regex"));
        let suffix = &self.0[self.prefix().len() + 1..];
        if suffix.contains("(issn)") {
            DoiKind::Journal
        } else if ISSUE.is_match(&self.0) {
            // Wiley-style issue DOIs: `10.1111/hex.v26.4`.
            DoiKind::Issue
        } else {
            DoiKind::Work
        }
    }
}

impl fmt::Display for Doi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Doi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Doi({})", self.0)
    }
}

/// What a DOI identifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoiKind {
    /// An article, chapter, dataset: something one cites.
    Work,
    /// A journal as a whole (`10.1111/(ISSN)1369-7625`).
    Journal,
    /// One issue of a journal (`10.1111/hex.v26.4`).
    Issue,
}

/// One DOI found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoiMatch {
    pub doi: Doi,
    /// The bytes of the DOI itself (`10.…`), without resolver prefix or trailing punctuation.
    pub range: Range<usize>,
    /// The bytes including a `doi:` or resolver URL prefix written before it, if any.
    pub full_range: Range<usize>,
}

/// A DOI-shaped string that does not pass validation, such as `10.1111` or `10.12/x`,
/// reported so that diagnostics can flag it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedDoi {
    pub text: String,
    pub range: Range<usize>,
    pub reason: &'static str,
}

static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    // Registrant codes are 4 to 9 digits, optionally with dotted sub-codes (10.1000.10/…).
    // The suffix runs until whitespace or a character that cannot appear in running-text DOIs,
    // Chinese and Japanese sentence punctuation included (`。，、；：！？`: those scripts put no
    // space after it). Digits and the word boundary are ASCII: a registrant code is never
    // written in other digits, and a DOI glued to Chinese or Japanese text (`参见10.1038/…`, no
    // space between words there) starts after a Unicode word character. Unicode `\d{4,9}`
    // also compiled to nine copies of every script's digits: 380 KiB of automata, in every
    // session that reads one DOI, against 32 KiB (issue 11).
    Regex::new(r#"(?-u:\b)10\.[0-9]{4,9}(?:\.[0-9]+)*(?:/|%2[Ff])[^\s"'<>\{\}\\\|\^`。，、；：！？]+"#)
        .expect("valid regex")
});

static PREFIX_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(?:https?://)?(?:dx\.)?\bdoi\.org/|\bdoi:\s?|\bdoi\s)$").expect("valid regex")
});

fn is_trailing_punct(ch: char) -> bool {
    matches!(ch, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '\u{2019}' | '\u{201D}')
}

/// Removes a resolver or `doi:` prefix. Case-insensitive, tolerant of `http`, `dx.`.
fn strip_resolver(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "dx.doi.org/",
        "doi.org/",
        "doi:",
    ] {
        if lower.starts_with(prefix) {
            return text[prefix.len()..].trim_start();
        }
    }
    text
}

/// Trims the end of a candidate: sentence punctuation, and closing brackets that have no
/// opening partner inside the DOI (`(see 10.1000/xyz)` loses its `)`, while
/// `10.1016/S0140-6736(20)30183-5` keeps both of its own).
fn trim_candidate(candidate: &str) -> &str {
    // Bracket balance is counted once, then kept up to date as characters are dropped from
    // the end, so a line ending in thousands of `)` stays linear.
    let count = |c: char| candidate.chars().filter(|&x| x == c).count();
    let mut balance =
        [(')', '(', count(')'), count('(')), (']', '[', count(']'), count('[')), ('}', '{', count('}'), count('{'))];
    let mut end = candidate.len();
    loop {
        let current = &candidate[..end];
        let Some(last) = current.chars().next_back() else { return current };
        if is_trailing_punct(last) {
            end -= last.len_utf8();
            continue;
        }
        if let Some(entry) = balance.iter_mut().find(|(close, ..)| *close == last) {
            if entry.2 > entry.3 {
                entry.2 -= 1;
                end -= 1;
                continue;
            }
        }
        return current;
    }
}

/// Cuts a capitalised word glued to the end of a DOI by flattened text (`…07.021Get rights
/// and content`, `10.1101/518852Jan 11, 2019`). The word is cut only where no DOI would put it:
/// right after a digit, or after a lower-case letter in a DOI that has no capital letter of its
/// own; a DOI is case-insensitive, so a capital inside one is the page's spelling, not ours.
fn cut_glued_word(candidate: &str) -> &str {
    let bytes = candidate.as_bytes();
    let mut start = bytes.len();
    while start > 0 && bytes[start - 1].is_ascii_lowercase() {
        start -= 1;
    }
    // At least one lower-case letter after the capital: `X` alone ends many DOIs (`…00273-X`).
    if start == bytes.len() || start < 2 || !bytes[start - 1].is_ascii_uppercase() {
        return candidate;
    }
    let capital = start - 1;
    let before = bytes[capital - 1];
    let kept = &candidate[..capital];
    let glued = before.is_ascii_digit() || before.is_ascii_lowercase() && !kept.bytes().any(|b| b.is_ascii_uppercase());
    // The DOI that remains still needs a suffix of its own.
    let has_suffix = kept.find('/').is_some_and(|slash| slash + 1 < kept.len());
    if glued && has_suffix { kept } else { candidate }
}

/// Finds every valid DOI in `text`, in order.
pub fn find_dois(text: &str) -> Vec<DoiMatch> {
    let mut res = Vec::new();
    for m in CANDIDATE.find_iter(text) {
        let trimmed = trim_candidate(m.as_str());
        let canonical = percent_decode_slashes(trimmed).to_lowercase();
        // A DOI needs a suffix after the slash.
        if canonical.len() <= canonical.find('/').unwrap_or(canonical.len()) + 1 {
            continue;
        }
        let range = m.start()..m.start() + trimmed.len();
        // The longest prefix (`https://dx.doi.org/`) is 19 bytes: a window of 64 bytes before
        // the DOI holds any prefix whole and with the character before it (for `\b`), and keeps
        // the search linear on text dense with DOIs (the whole text before each DOI was
        // searched, once per DOI).
        let mut window = m.start().saturating_sub(64);
        while !text.is_char_boundary(window) {
            window -= 1;
        }
        let before = &text[window..m.start()];
        let full_start = PREFIX_BEFORE.find(before).map_or(m.start(), |p| window + p.start());
        res.push(DoiMatch { doi: Doi(canonical.into()), range: range.clone(), full_range: full_start..range.end });
    }
    res
}

/// Like [`find_dois`], for text flattened from a web page, where a DOI can run into the next
/// word with no space between (`…07.021Get rights and content`, `518852Jan 11, 2019`): such a
/// capitalised word is cut when the DOI that remains is valid (see `cut_glued_word`). Plain
/// [`find_dois`] keeps every DOI whole, as a manuscript writes it.
pub fn find_dois_in_page_text(text: &str) -> Vec<DoiMatch> {
    let mut res = find_dois(text);
    for found in &mut res {
        let written = &text[found.range.clone()];
        let kept = cut_glued_word(written);
        if kept.len() < written.len() {
            let canonical = percent_decode_slashes(kept).to_lowercase();
            found.doi = Doi(canonical.into());
            found.range.end = found.range.start + kept.len();
            found.full_range.end = found.range.end;
        }
    }
    res
}

/// Finds strings that announce a DOI (`doi:` or a doi.org link) but do not hold a valid one.
/// Used by diagnostics; a bare `10.5` in prose is not reported because it is not announced.
pub fn find_malformed_dois(text: &str) -> Vec<MalformedDoi> {
    static ANNOUNCED: LazyLock<Regex> = LazyLock::new(|| {
        // `\b` keeps other hosts out: `oadoi.org/` is not `doi.org/`.
        Regex::new(r#"(?i)(?:\bdoi:\s?|(?:https?://)?(?:dx\.)?\bdoi\.org/)([^\s"'<>\]\)]*)"#).expect("valid regex")
    });
    // Every announcement holds the letters `doi`. Looking for them first (a vectorised search
    // for eight literals) costs 2 µs on a 40 KB manuscript that has none, where the whole
    // pattern took 65 µs at every edit (issue 11).
    static DOI_LETTERS: LazyLock<Regex> = LazyLock::new(|| Regex::new("(?i)doi").expect("valid regex"));
    if !DOI_LETTERS.is_match(text) {
        return Vec::new();
    }
    let valid = find_dois(text);
    let mut res = Vec::new();
    // Both lists are in text order: one merging pass finds whether a valid DOI starts inside
    // each announced one (which then is not malformed).
    let mut next_valid = 0;
    for caps in ANNOUNCED.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        let value = caps.get(1).expect("group 1");
        while next_valid < valid.len() && valid[next_valid].range.start < whole.start() {
            next_valid += 1;
        }
        if valid.get(next_valid).is_some_and(|v| v.range.start <= value.end()) {
            continue;
        }
        let shown = trim_candidate(value.as_str());
        // A short DOI (`10/ggb347`, from the shortDOI service) stands for a full one.
        if is_short_doi(shown) {
            continue;
        }
        let reason = if shown.is_empty() {
            "no DOI follows the prefix"
        } else if !shown.starts_with("10.") {
            "a DOI starts with the directory indicator `10.`"
        } else if !shown.contains('/') {
            "a DOI needs a `/` between the registrant prefix and the suffix"
        } else {
            "the registrant prefix must be `10.` followed by 4 to 9 digits"
        };
        res.push(MalformedDoi { text: shown.to_owned(), range: whole.start()..value.start() + shown.len(), reason });
    }
    res
}

/// A short DOI such as `10/ggb347`: `10/` and a few letters and digits.
pub fn is_short_doi(text: &str) -> bool {
    text.strip_prefix("10/").is_some_and(|code| !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Links sometimes carry `%2F` for the slash; decode just that, as doi.org does.
fn percent_decode_slashes(doi: &str) -> String {
    if doi.contains('%') { doi.replace("%2F", "/").replace("%2f", "/") } else { doi.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(text: &str) -> Vec<String> {
        find_dois(text).into_iter().map(|m| m.doi.to_string()).collect()
    }

    #[test]
    fn forms_of_writing() {
        assert_eq!(found("doi: 10.1111/hex.13851. Epub 2023 Aug 21."), ["10.1111/hex.13851"]);
        assert_eq!(
            found("Open Access URL: https://doi.org/10.1080/2159676X.2022.2152085 (published)"),
            ["10.1080/2159676x.2022.2152085"]
        );
        assert_eq!(found("DOI or ID number: doi.org/10.1080/2159676X.2022.2152085"), ["10.1080/2159676x.2022.2152085"]);
        assert_eq!(found("see http://dx.doi.org/10.1000/xyz123, and"), ["10.1000/xyz123"]);
        assert_eq!(found("(10.1000/abc)"), ["10.1000/abc"]);
        assert_eq!(found("10.1016/S0140-6736(20)30183-5."), ["10.1016/s0140-6736(20)30183-5"]);
        assert_eq!(found("[doi:10.1000/a(b)]"), ["10.1000/a(b)"]);
        assert_eq!(found("https://doi.org/10.1000%2Fxyz"), ["10.1000/xyz"]);
        assert!(found("version 10.5 of the tool, 10.12/x").is_empty());
    }

    #[test]
    fn digits_and_word_boundary_are_ascii() {
        // No space between words in Chinese or Japanese: the DOI still starts at `10.`.
        assert_eq!(found("参见10.1038/nature12373。"), ["10.1038/nature12373"]);
        assert_eq!(found("doi：10.1000/xyz123，见下文"), ["10.1000/xyz123"]);
        // Glued to an ASCII word or number it is part of that word, as before.
        assert!(found("x10.1000/abc 2010.1000/abc").is_empty());
        // Other scripts' digits make no registrant code.
        assert!(found("10.١٢٣٤/abc 10.１２３４/abc").is_empty());
    }

    #[test]
    fn a_word_glued_to_the_end_is_cut() {
        let found = |text: &str| -> Vec<String> {
            find_dois_in_page_text(text).into_iter().map(|m| m.doi.to_string()).collect()
        };
        assert_eq!(found("https://doi.org/10.1000/abc.2021.07.021Get rights and content"), ["10.1000/abc.2021.07.021"]);
        assert_eq!(found("DOI: 10.1000/998877Jan 11, 2019Paper"), ["10.1000/998877"]);
        assert_eq!(found("doi:10.1000/j.x.12xSee more"), ["10.1000/j.x.12x"]);
        // A DOI's own letters stay: a lone capital, a capitalised DOI, a word after a capital.
        assert_eq!(found("10.1000/S0001-0002(02)00273-X"), ["10.1000/s0001-0002(02)00273-x"]);
        assert_eq!(found("10.1000/ABC.Def"), ["10.1000/abc.def"]);
        assert_eq!(found("10.1000/Abc.xYz"), ["10.1000/abc.xyz"]);
    }

    #[test]
    fn full_range_covers_prefix() {
        let text = "see doi:10.1000/xyz.";
        let m = &find_dois(text)[0];
        assert_eq!(&text[m.full_range.clone()], "doi:10.1000/xyz");
        assert_eq!(&text[m.range.clone()], "10.1000/xyz");
    }

    #[test]
    fn parse_exactly_one() {
        assert_eq!(Doi::parse("https://doi.org/10.1111/HEX.13774").unwrap().as_str(), "10.1111/hex.13774");
        assert_eq!(Doi::parse(" doi:10.1111/hex.13774. ").unwrap().as_str(), "10.1111/hex.13774");
        assert!(Doi::parse("10.1111").is_none());
        assert!(Doi::parse("10.1111/a 10.1111/b").is_none());
        assert!(Doi::parse("not a doi").is_none());
    }

    #[test]
    fn kinds() {
        let kind = |s: &str| Doi::parse(s).unwrap().kind();
        assert_eq!(kind("10.1111/(ISSN)1369-7625"), DoiKind::Journal);
        assert_eq!(kind("10.1111/hex.v26.4"), DoiKind::Issue);
        assert_eq!(kind("10.1111/hex.13774"), DoiKind::Work);
        assert_eq!(kind("10.1016/S0140-6736(20)30183-5"), DoiKind::Work);
    }

    #[test]
    fn malformed() {
        let bad = find_malformed_dois("see doi:10.1111 and doi: hex.1 and https://doi.org/ but doi:10.1000/ok");
        let texts: Vec<_> = bad.iter().map(|m| (m.text.as_str(), m.reason)).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert_eq!(texts[0].0, "10.1111");
        assert_eq!(texts[1].0, "hex.1");
        assert_eq!(texts[2].0, "");
    }

    #[test]
    fn short_dois_are_not_malformed() {
        assert_eq!(find_malformed_dois("doi:10/ggb347 and https://doi.org/10/ABC12"), []);
        assert_eq!(find_malformed_dois("doi:10/ and doi:10/a-b").len(), 2);
    }

    #[test]
    fn other_hosts_ending_in_doi_org_announce_nothing() {
        assert_eq!(find_malformed_dois("[oaDOI](https://oadoi.org/) and http://oadoi.org/ and xdoi:"), []);
        let bad = find_malformed_dois("https://dx.doi.org/ and https://doi.org/");
        assert_eq!(bad.len(), 2, "{bad:?}");
    }

    #[test]
    fn long_runs_of_brackets_stay_linear() {
        // Once quadratic: each trailing `)` recounted the whole candidate.
        let text = format!("10.1000/a{}", ")".repeat(200_000));
        assert_eq!(found(&text), ["10.1000/a"]);
        let many = "doi:10.1 doi:10.1000/x ".repeat(20_000);
        assert_eq!(find_malformed_dois(&many).len(), 20_000);
    }

    #[test]
    fn url_escapes_brackets() {
        assert_eq!(
            Doi::parse("10.1016/S0140-6736(20)30183-5").unwrap().url(),
            "https://doi.org/10.1016/s0140-6736%2820%2930183-5"
        );
    }

    fn suffix() -> impl Strategy<Value = String> {
        // Suffixes drawn from the characters real DOIs use, with balanced brackets.
        proptest::string::string_regex(
            r"[A-Za-z0-9][A-Za-z0-9._\-;:/]{0,20}(\([0-9]{1,3}\)[A-Za-z0-9\-]{1,6})?[A-Za-z0-9]",
        )
        .expect("valid strategy")
    }

    proptest! {
        #[test]
        fn found_in_any_wrapping(prefix in "[0-9]{4,9}", suffix in suffix(), wrap in 0usize..6, tail in "[.,;:)\\]]?") {
            let doi = format!("10.{prefix}/{suffix}");
            let written = match wrap {
                0 => doi.clone(),
                1 => format!("doi:{doi}"),
                2 => format!("https://doi.org/{doi}"),
                3 => format!("dx.doi.org/{doi}"),
                4 => format!("DOI: {}", doi.to_uppercase()),
                _ => format!("doi.org/{doi}"),
            };
            let text = format!("See {written}{tail} next");
            let all = find_dois(&text);
            prop_assert_eq!(all.len(), 1);
            prop_assert_eq!(all[0].doi.as_str(), doi.to_lowercase());
            prop_assert_eq!(Doi::parse(&written).map(|d| d.0.to_string()), Some(doi.to_lowercase()));
        }

        #[test]
        fn normalisation_is_idempotent(prefix in "[0-9]{4,9}", suffix in suffix()) {
            let doi = Doi::parse(&format!("10.{prefix}/{suffix}")).expect("valid");
            prop_assert_eq!(Doi::parse(doi.as_str()), Some(doi.clone()));
        }

        #[test]
        fn never_panics(text in "\\PC{0,80}") {
            let _ = find_dois(&text);
            let _ = find_malformed_dois(&text);
            let _ = Doi::parse(&text);
        }
    }
}
