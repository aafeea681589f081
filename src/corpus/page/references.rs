//! The reference list of a saved page: each entry becomes a record of kind `Cited`.
//!
//! Two shapes are read: one entry per line in a citation style (Vancouver as PubMed prints it,
//! `1. Hickey DG. Title. Health Expect. 2018;21(4):693‐694. 10.1111/hex.12821 - DOI`, or
//! author–year as repositories print it), and the "cards" of aggregators such as ScienceOpen
//! (a title line followed by a snippet of its abstract). Only what the entry shows is kept.
//!
//! Titles of cited works have typographic hyphens (U+2010, U+2011) folded to `-`: reference
//! lists on aggregator pages are machine-converted and the same title reached from another
//! page or a `.bib` file must compare equal. The page's own title is kept exactly as shown.

use std::sync::LazyLock;

use regex::Regex;

use super::lines::{Line, Section};
use super::names::{self, AuthorList};
use super::signals::{is_title_shaped, normalise_pages};
use crate::corpus::doi::{DoiKind, find_dois_in_page_text};
use crate::corpus::record::{Confidence, Field, FileId, Location, Record, RecordKind, WorkType};

static NUMBERING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\[[0-9]{1,4}\]|[0-9]{1,4}\.|[0-9]{1,4}\))\s+").expect("valid regex"));
static AUTHOR_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<authors>[^()]+?)\s\((?P<year>1[5-9][0-9]{2}|20[0-9]{2})[a-z]?\)\.?\s+(?P<rest>\S.+)$")
        .expect("valid regex")
});
static YEAR_IN_PARENS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s\((?:1[5-9][0-9]{2}|20[0-9]{2})[a-z]?\)").expect("valid regex"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(1[5-9][0-9]{2}|20[0-9]{2})\b").expect("valid regex"));
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:1[5-9][0-9]{2}|20[0-9]{2})[^;.]{0,12};(?P<vol>[^(:;\s]+)?(?:\((?P<iss>[^)]+)\))?(?::(?P<pages>[^.;\s]+))?",
    )
    .expect("valid regex")
});

/// Folds typographic hyphens so titles compare across sources.
pub(crate) fn fold_hyphens(text: &str) -> String {
    text.replace(['\u{2010}', '\u{2011}'], "-")
}

struct Entry<'a> {
    file: FileId,
    line: &'a Line<'a>,
}

impl Entry<'_> {
    fn field<T>(&self, value: T, part: &str, confidence: Confidence) -> Field<T> {
        let offset = part.as_ptr() as usize - self.line.text.as_ptr() as usize;
        let start = (self.line.start + offset) as u32;
        Field::new(value, Location { file: self.file, range: start..start + part.len() as u32 }, confidence)
    }

    fn record(&self) -> Record {
        let range = self.line.range();
        Record::new(
            RecordKind::Cited,
            WorkType::Article,
            Location { file: self.file, range: range.start as u32..range.end as u32 },
        )
    }
}

/// Reads the reference-list lines of a page.
pub fn read(file: FileId, _text: &str, lines: &[Line]) -> Vec<Record> {
    let refs: Vec<&Line> = lines.iter().filter(|l| l.section == Section::References && !l.is_blank()).collect();
    let mut res: Vec<Record> = Vec::new();
    // Whether the previous entry line made the last record of `res` (so a DOI printed on its
    // own line below it belongs to it).
    let mut last_entry_made_record = false;
    for (i, line) in refs.iter().enumerate() {
        let entry = Entry { file, line };
        if let Some(found) = doi_line(line.text) {
            let part = &line.text[found.range.clone()];
            match res.last_mut().filter(|_| last_entry_made_record) {
                Some(previous) if previous.doi.is_none() => {
                    previous.doi = Some(entry.field(found.doi, part, Confidence::High));
                }
                Some(_) => {}
                // The entry above was not read (a style we do not parse): its DOI still names a
                // cited work.
                None => {
                    let mut record = entry.record();
                    record.doi = Some(entry.field(found.doi, part, Confidence::High));
                    res.push(record);
                }
            }
            last_entry_made_record = false;
            continue;
        }
        if is_doi_label(line.text) {
            continue;
        }
        let body = match NUMBERING.find(line.text) {
            Some(m) => &line.text[m.end()..],
            None => line.text,
        };
        last_entry_made_record = true;
        if let Some(record) = citation_entry(&entry, body) {
            res.push(record);
        } else if is_card_title(line.text) && refs.get(i + 1).is_some_and(|next| next.text.len() >= 150) {
            let mut record = entry.record();
            record.title = Some(entry.field(fold_hyphens(line.text).into(), line.text, Confidence::Medium));
            res.push(record);
        } else if line.text.contains("10.")
            && let [found] = find_dois_in_page_text(line.text).as_slice()
            && found.doi.kind() == DoiKind::Work
        {
            // An entry in a style we do not read still names its cited work by its DOI.
            let mut record = entry.record();
            let part = &line.text[found.range.clone()];
            record.doi = Some(entry.field(found.doi.clone(), part, Confidence::High));
            res.push(record);
        } else {
            last_entry_made_record = false;
        }
    }
    res
}

/// A line that is one DOI and nothing else but its label or link decoration (`DOI:
/// 10.…`, `https://doi.org/10.… -`, `10.… - DOI`), as reference lists print a DOI under
/// its entry.
fn doi_line(text: &str) -> Option<crate::corpus::doi::DoiMatch> {
    if !text.contains("10.") || text.len() > 300 {
        return None;
    }
    // It starts with the DOI, its label or link, or a list marker; a citation starts with names.
    let lead = text.trim_start_matches(['-', '–', '•', '[', ' ']);
    if !(lead.starts_with("10.")
        || lead.get(..3).is_some_and(|h| h.eq_ignore_ascii_case("doi"))
        || lead.starts_with("http"))
    {
        return None;
    }
    let found = find_dois_in_page_text(text);
    let [one] = found.as_slice() else { return None };
    if one.doi.kind() != DoiKind::Work {
        return None;
    }
    let rest = format!("{} {}", &text[..one.full_range.start], &text[one.range.end..]);
    let rest = rest.to_ascii_lowercase().replace("doi", "");
    rest.chars().all(|c| c.is_whitespace() || "-–:.,•|[]".contains(c)).then(|| one.clone())
}

/// A `DOI:` label alone on its line, with the DOI on the next.
fn is_doi_label(text: &str) -> bool {
    text.trim_end_matches(':').trim().eq_ignore_ascii_case("doi")
}

fn is_card_title(text: &str) -> bool {
    is_title_shaped(text) || (text.ends_with('?') && is_title_shaped(text.trim_end_matches('?')))
}

/// One reference written as a citation, in Vancouver or author–year style.
fn citation_entry(entry: &Entry, body: &str) -> Option<Record> {
    // The cheap test first: most entries are Vancouver style, with no year in parentheses.
    let author_year = if YEAR_IN_PARENS.is_match(body) { AUTHOR_YEAR.captures(body) } else { None };
    let (authors, et_al, authors_text, after_authors, year_from_parens) = if let Some(caps) = author_year {
        let authors_text = caps.name("authors").expect("group").as_str();
        let list = names::parse_family_comma_initials(authors_text.trim_end_matches(','))?;
        let year = caps.name("year").expect("group").as_str();
        (list.people, list.et_al, authors_text, caps.name("rest").expect("group").as_str(), Some(year))
    } else {
        let cut = body.find(". ")?;
        let authors_text = &body[..cut];
        let AuthorList { people, et_al } = names::parse_family_space_initials(authors_text)?;
        (people, et_al, authors_text, &body[cut + 2..], None)
    };
    let mut record = entry.record();
    record.authors = authors.into_iter().map(|p| entry.field(p, authors_text, Confidence::Medium)).collect();
    record.et_al = et_al;

    // The title runs to the first sentence end; a `?` or `!` that ends it stays.
    let cut = after_authors.find(['.', '?', '!']).unwrap_or(after_authors.len());
    let keep = if after_authors[cut..].starts_with(['?', '!']) { cut + 1 } else { cut };
    let title = after_authors[..keep].trim();
    if title.split_whitespace().count() < 2 {
        return None;
    }
    record.title = Some(entry.field(fold_hyphens(title).into(), title, Confidence::Medium));
    let rest = after_authors[keep..].trim_start_matches(['.', ' ']);

    let year_part = year_from_parens.or_else(|| YEAR.find(rest).map(|m| m.as_str()));
    if let Some(year) = year_part {
        record.year = Some(entry.field(year.parse().expect("digits"), year, Confidence::Medium));
    }
    // The container is the next segment, when it is a name and not a date or a link.
    if let Some(container) = rest.split(". ").next().map(|s| s.trim_end_matches('.').trim())
        && !container.is_empty()
        && container.len() < 150
        && !container.contains("http")
        && !container.chars().any(|c| c.is_ascii_digit())
    {
        record.container_title = Some(entry.field(container.into(), container, Confidence::Medium));
        record.work_type = WorkType::ArticleJournal;
    }
    if let Some(caps) = LOCATION.captures(rest) {
        if let Some(m) = caps.name("vol") {
            record.volume = Some(entry.field(m.as_str().into(), m.as_str(), Confidence::Medium));
        }
        if let Some(m) = caps.name("iss") {
            record.issue = Some(entry.field(m.as_str().into(), m.as_str(), Confidence::Medium));
        }
        if let Some(m) = caps.name("pages")
            && let Some(pages) = normalise_pages(m.as_str())
        {
            record.pages = Some(entry.field(pages.into(), m.as_str(), Confidence::Medium));
        }
    }
    if let Some(found) = find_dois_in_page_text(rest).into_iter().find(|d| d.doi.kind() == DoiKind::Work) {
        let part = &rest[found.range.clone()];
        record.doi = Some(entry.field(found.doi, part, Confidence::High));
    }
    Some(record)
}
