//! Pages that are TEI XML records saved as text (exploration servers, digital-library exports,
//! GROBID output): `<teiHeader>` names the work's title, authors and identifiers.
//!
//! Like the JATS reader this is tag-based and tolerant of a page cut short: an identifier whose
//! closing tag was cut still ends at the `<` that starts it, and an `<author>` whose element
//! was cut still shows its `<name>`. A value that is cut before its `<` is not read at all.

use super::PageReading;
use super::jats::{Tag, attribute, inner_text, tag};
use crate::corpus::doi::{Doi, DoiKind};
use crate::corpus::record::{Confidence, Field, FileId, Location, Person, Record, RecordKind, WorkType};
use std::sync::LazyLock;

/// True when the text holds a TEI header.
pub fn looks_like_tei(text: &str) -> bool {
    text.contains("<teiHeader") && text.contains("<titleStmt")
}

static TITLE: LazyLock<Tag> = LazyLock::new(|| tag("title"));
static NAME: LazyLock<Tag> = LazyLock::new(|| tag("name"));
static PERS_NAME: LazyLock<Tag> = LazyLock::new(|| tag("persName"));
static SURNAME: LazyLock<Tag> = LazyLock::new(|| tag("surname"));
static FORENAME: LazyLock<Tag> = LazyLock::new(|| tag("forename"));

/// A `High` field at `range` of `scope` (a subslice of the page `text`).
fn field<T>(value: T, file: FileId, text: &str, scope: &str, range: std::ops::Range<usize>) -> Field<T> {
    let base = scope.as_ptr() as usize - text.as_ptr() as usize;
    let at = Location { file, range: (base + range.start) as u32..(base + range.end) as u32 };
    Field::new(value, at, Confidence::High)
}

/// Reads a TEI record: the title and authors of `<titleStmt>`, the identifiers of the header.
pub fn read(file: FileId, text: &str) -> PageReading {
    let header_start = text.find("<teiHeader").unwrap_or(0);
    let header_end = text[header_start..].find("</teiHeader>").map_or(text.len(), |e| header_start + e);
    let header = &text[header_start..header_end];
    let stmt_start = header.find("<titleStmt").unwrap_or(0);
    let stmt_end = header[stmt_start..].find("</titleStmt>").map_or(header.len(), |e| stmt_start + e);
    let stmt = &header[stmt_start..stmt_end];

    let Some((title_value, title_range)) = TITLE
        .find_iter(stmt)
        .map(|(_, inner)| (inner_text(&stmt[inner.clone()]), inner))
        .find(|(value, _)| !value.is_empty())
    else {
        return PageReading::default();
    };
    let title: Field<String> = field(title_value, file, text, stmt, title_range);
    let mut record = Record::new(RecordKind::Document, WorkType::Article, title.at.clone());
    record.title = Some(title.convert());
    record.authors = authors(file, text, stmt);
    identifiers(file, text, header, &mut record);
    PageReading { document: Some(record), cited: Vec::new(), problems: Vec::new() }
}

/// The people of each `<author>` of the title statement, in order.
fn authors(file: FileId, text: &str, stmt: &str) -> Vec<Field<Person>> {
    let mut res = Vec::new();
    let mut from = 0;
    while let Some(at) = stmt[from..].find("<author").map(|i| from + i) {
        let after = at + "<author".len();
        from = after;
        if !matches!(stmt.as_bytes().get(after), Some(b'>' | b' ' | b'\n')) {
            continue;
        }
        let end = stmt[after..].find("<author").map_or(stmt.len(), |i| after + i);
        let scope = &stmt[at..end];
        let Some((whole, inner)) = PERS_NAME.find_iter(scope).next().or_else(|| NAME.find_iter(scope).next()) else {
            continue;
        };
        let element = &scope[whole.clone()];
        let family = SURNAME
            .inner(element)
            .map(|(s, _)| inner_text(s))
            .or_else(|| attribute(element, "last").map(str::to_owned))
            .filter(|s| !s.trim().is_empty());
        let person = match family {
            Some(family) => {
                let given = FORENAME
                    .find_iter(element)
                    .map(|(_, i)| inner_text(&element[i]))
                    .filter(|g| !g.is_empty())
                    .collect::<Vec<_>>();
                let given = if given.is_empty() {
                    attribute(element, "first").unwrap_or("").to_owned()
                } else {
                    given.join(" ")
                };
                Person::new(family, given)
            }
            // A name with no parts marked is read only when it has the shape of one name.
            None => match super::names::parse_given_first(&inner_text(&scope[inner])) {
                Some(person) => person,
                None => continue,
            },
        };
        res.push(field(person, file, text, scope, whole));
    }
    res
}

/// `<idno type="doi">`, `pmid`, `pmc`: a value ends at its `<` even when the page was cut
/// inside the closing tag.
fn identifiers(file: FileId, text: &str, header: &str, record: &mut Record) {
    let mut from = 0;
    while let Some(at) = header[from..].find("<idno").map(|i| from + i) {
        from = at + 5;
        let Some(open_end) = header[at..].find('>').map(|i| at + i + 1) else { break };
        let Some(value_end) = header[open_end..].find('<').map(|i| open_end + i) else { break };
        let value = header[open_end..value_end].trim();
        let kind = attribute(&header[at..open_end], "type").unwrap_or("").to_ascii_lowercase();
        let range = open_end..value_end;
        match kind.as_str() {
            "doi" if record.doi.is_none() => {
                if let Some(doi) = Doi::parse(value).filter(|d| d.kind() == DoiKind::Work) {
                    record.doi = Some(field(doi, file, text, header, range));
                }
            }
            "pmid"
                if record.rare().pmid.is_none() && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) =>
            {
                record.rare_mut().pmid = Some(field(value.to_owned(), file, text, header, range));
            }
            "pmc" | "pmcid" if record.rare().pmcid.is_none() => {
                let digits = value.trim_start_matches("PMC");
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    record.rare_mut().pmcid = Some(field(format!("PMC{digits}"), file, text, header, range));
                }
            }
            _ => {}
        }
    }
}
