//! Pages that are JATS XML saved as text (PMC and Europe PMC downloads, publisher XML).
//!
//! JATS names every field, so its values are `High` confidence. The reader is tag-based
//! rather than a full XML parser: saved pages are often truncated or wrapped in other markup,
//! and a regex over `<article-meta>` and `<ref-list>` degrades gracefully where a strict
//! parser would reject the whole page.

use std::sync::LazyLock;

use regex::Regex;

use super::PageReading;
use super::references::fold_hyphens;
use crate::corpus::doi::{Doi, DoiKind};
use crate::corpus::record::{Confidence, Field, FileId, Location, Person, Record, RecordKind, WorkType};

/// True when the text holds JATS article metadata.
pub fn looks_like_jats(text: &str) -> bool {
    text.contains("<article-meta") || (text.contains("<article-title") && text.contains("<contrib"))
}

fn tag(name: &str) -> Regex {
    Regex::new(&format!(r"(?s)<{name}(?:\s[^>]*)?>(.*?)</{name}>")).expect("valid regex")
}

static ARTICLE_TITLE: LazyLock<Regex> = LazyLock::new(|| tag("article-title"));
static CONTRIB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<contrib\s[^>]*contrib-type="author"[^>]*>(.*?)</contrib>"#).expect("valid regex")
});
static SURNAME: LazyLock<Regex> = LazyLock::new(|| tag("surname"));
static GIVEN: LazyLock<Regex> = LazyLock::new(|| tag("given-names"));
static COLLAB: LazyLock<Regex> = LazyLock::new(|| tag("collab"));
static JOURNAL_TITLE: LazyLock<Regex> = LazyLock::new(|| tag("journal-title"));
static ABBREV: LazyLock<Regex> = LazyLock::new(|| tag("abbrev-journal-title"));
static ISSN: LazyLock<Regex> = LazyLock::new(|| tag("issn"));
static PUBLISHER: LazyLock<Regex> = LazyLock::new(|| tag("publisher-name"));
static PUB_DATE: LazyLock<Regex> = LazyLock::new(|| tag("pub-date"));
static YEAR: LazyLock<Regex> = LazyLock::new(|| tag("year"));
static VOLUME: LazyLock<Regex> = LazyLock::new(|| tag("volume"));
static ISSUE: LazyLock<Regex> = LazyLock::new(|| tag("issue"));
static FPAGE: LazyLock<Regex> = LazyLock::new(|| tag("fpage"));
static LPAGE: LazyLock<Regex> = LazyLock::new(|| tag("lpage"));
static ABSTRACT: LazyLock<Regex> = LazyLock::new(|| tag("abstract"));
static KWD: LazyLock<Regex> = LazyLock::new(|| tag("kwd"));
static ARTICLE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<article-id\s[^>]*pub-id-type="([a-z\-]+)"[^>]*>(.*?)</article-id>"#).expect("valid regex")
});
static PUB_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<pub-id\s[^>]*pub-id-type="([a-z\-]+)"[^>]*>(.*?)</pub-id>"#).expect("valid regex")
});
static REF: LazyLock<Regex> = LazyLock::new(|| tag("ref"));
static SOURCE: LazyLock<Regex> = LazyLock::new(|| tag("source"));
static CHAPTER_TITLE: LazyLock<Regex> = LazyLock::new(|| tag("chapter-title"));
static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]+>").expect("valid regex"));

/// Inner text of an element: tags removed, entities for the five XML specials decoded,
/// whitespace collapsed.
fn inner_text(xml: &str) -> String {
    let stripped = ANY_TAG.replace_all(xml, " ");
    let decoded = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ").replace(" ,", ",").replace(" .", ".").replace(" :", ":")
}

struct Reader<'a> {
    file: FileId,
    text: &'a str,
}

impl Reader<'_> {
    /// The first element matching `re` inside `scope` (a subslice of the page), as a field.
    fn first(&self, re: &Regex, scope: &str) -> Option<Field<String>> {
        let caps = re.captures(scope)?;
        let inner = caps.get(1)?;
        let value = inner_text(inner.as_str());
        (!value.is_empty()).then(|| self.field(value, scope, inner.range()))
    }

    fn field<T>(&self, value: T, scope: &str, range: std::ops::Range<usize>) -> Field<T> {
        let base = scope.as_ptr() as usize - self.text.as_ptr() as usize;
        Field::new(
            value,
            Location { file: self.file, range: (base + range.start) as u32..(base + range.end) as u32 },
            Confidence::High,
        )
    }
}

fn section<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)?;
    let end = text[start..].find(close).map_or(text.len(), |e| start + e + close.len());
    Some(&text[start..end])
}

fn people(reader: &Reader, scope: &str) -> Vec<Field<Person>> {
    let mut res = Vec::new();
    for caps in CONTRIB.captures_iter(scope) {
        let inner = caps.get(1).expect("group");
        let person = match (SURNAME.captures(inner.as_str()), GIVEN.captures(inner.as_str())) {
            (Some(family), given) => {
                Person { family: inner_text(&family[1]), given: given.map(|g| inner_text(&g[1])).unwrap_or_default() }
            }
            (None, _) => match COLLAB.captures(inner.as_str()) {
                Some(collab) => Person { family: inner_text(&collab[1]), given: String::new() },
                None => continue,
            },
        };
        res.push(reader.field(person, scope, inner.range()));
    }
    res
}

/// Reads a JATS page: the article from `<article-meta>`, cited works from `<ref-list>`.
pub fn read(file: FileId, text: &str) -> PageReading {
    let reader = Reader { file, text };
    let meta = section(text, "<article-meta", "</article-meta>").unwrap_or(text);
    let journal = section(text, "<journal-meta", "</journal-meta>").unwrap_or("");
    let Some(title) = reader.first(&ARTICLE_TITLE, meta) else {
        return PageReading::default();
    };
    let mut record = Record::new(RecordKind::Document, WorkType::ArticleJournal, title.at.clone());
    record.title = Some(title);
    record.authors = people(&reader, meta);
    record.container_title = reader.first(&JOURNAL_TITLE, journal);
    record.container_short = reader.first(&ABBREV, journal);
    record.publisher = reader.first(&PUBLISHER, journal);
    record.issn = ISSN
        .captures_iter(journal)
        .map(|c| reader.field(inner_text(&c[1]), journal, c.get(1).expect("group").range()))
        .collect();
    if let Some(date) = PUB_DATE.captures(meta).and_then(|c| c.get(1)) {
        let date_scope = &meta[date.range()];
        if let Some(year) = reader.first(&YEAR, date_scope) {
            record.year = year.value.parse().ok().map(|y| Field::new(y, year.at.clone(), Confidence::High));
        }
    }
    record.volume = reader.first(&VOLUME, meta);
    record.issue = reader.first(&ISSUE, meta);
    if let Some(first) = reader.first(&FPAGE, meta) {
        let pages = match reader.first(&LPAGE, meta) {
            Some(last) => format!("{}-{}", first.value, last.value),
            None => first.value.clone(),
        };
        record.pages = Some(Field::new(pages, first.at, Confidence::High));
    }
    for caps in ARTICLE_ID.captures_iter(meta) {
        let inner = caps.get(2).expect("group");
        let value = inner_text(inner.as_str());
        match &caps[1] {
            "doi" => record.doi = Doi::parse(&value).map(|d| reader.field(d, meta, inner.range())),
            "pmid" => record.pmid = Some(reader.field(value, meta, inner.range())),
            "pmc" | "pmcid" => {
                let digits = value.trim_start_matches("PMC").to_owned();
                record.pmcid = Some(reader.field(format!("PMC{digits}"), meta, inner.range()));
            }
            _ => {}
        }
    }
    record.abstract_text = reader.first(&ABSTRACT, meta);
    record.keywords = KWD
        .captures_iter(meta)
        .map(|c| reader.field(inner_text(&c[1]), meta, c.get(1).expect("group").range()))
        .collect();

    let mut cited = Vec::new();
    if let Some(ref_list) = section(text, "<ref-list", "</ref-list>") {
        for caps in REF.captures_iter(ref_list) {
            let entry = caps.get(0).expect("group");
            let scope = &ref_list[entry.range()];
            let Some(title) = reader.first(&ARTICLE_TITLE, scope).or_else(|| reader.first(&CHAPTER_TITLE, scope))
            else {
                continue;
            };
            let anchor = reader.field((), scope, 0..scope.len()).at;
            let mut work = Record::new(RecordKind::Cited, WorkType::Article, anchor);
            work.title =
                Some(Field { value: fold_hyphens(&title.value), confidence: Confidence::Medium, at: title.at });
            work.container_title = reader.first(&SOURCE, scope);
            if work.container_title.is_some() {
                work.work_type = WorkType::ArticleJournal;
            }
            work.year = reader
                .first(&YEAR, scope)
                .and_then(|y| Some(Field::new(y.value.get(..4)?.parse().ok()?, y.at, Confidence::Medium)));
            let names = section(scope, "<person-group", "</person-group>").unwrap_or(scope);
            for caps in SURNAME.captures_iter(names).take(1) {
                let family = inner_text(&caps[1]);
                let given = GIVEN.captures(names).map(|g| inner_text(&g[1])).unwrap_or_default();
                work.authors.push(reader.field(Person { family, given }, names, caps.get(1).expect("group").range()));
                work.et_al = SURNAME.captures_iter(names).count() > 1;
            }
            for caps in PUB_ID.captures_iter(scope) {
                if &caps[1] == "doi"
                    && let Some(doi) = Doi::parse(&inner_text(&caps[2])).filter(|d| d.kind() == DoiKind::Work)
                {
                    work.doi = Some(reader.field(doi, scope, caps.get(2).expect("group").range()));
                }
            }
            cited.push(work);
        }
    }
    PageReading { document: Some(record), cited, problems: Vec::new() }
}
