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

/// An element name to look up. Elements are found with plain substring search rather than
/// a regex with captures: JATS pages are large, and a lazy `(.*?)` capture over a whole
/// `<article-meta>` made this reader the slowest part of indexing.
pub(super) struct Tag {
    open: String,
    close: String,
}

pub(super) fn tag(name: &str) -> Tag {
    Tag { open: format!("<{name}"), close: format!("</{name}>") }
}

impl Tag {
    /// Every element in `scope`: (whole element range, inner range).
    pub(super) fn find_iter<'a>(
        &'a self,
        scope: &'a str,
    ) -> impl Iterator<Item = (std::ops::Range<usize>, std::ops::Range<usize>)> + 'a {
        let mut from = 0;
        std::iter::from_fn(move || {
            loop {
                let start = from + scope.get(from..)?.find(&self.open)?;
                let after = start + self.open.len();
                // `<title` must not match `<title-group`: the name ends at `>`, `/` or space.
                match scope.as_bytes().get(after) {
                    Some(b'>') | Some(b' ') | Some(b'\n') | Some(b'\t') | Some(b'\r') | Some(b'/') => {}
                    _ => {
                        from = after;
                        continue;
                    }
                }
                let inner_start = after + scope[after..].find('>')? + 1;
                // An empty element (`<given-names/>`) has no value; it never lends itself the
                // next element's.
                if scope[..inner_start].ends_with("/>") {
                    from = inner_start;
                    return Some((start..inner_start, inner_start..inner_start));
                }
                let inner_end = inner_start + scope[inner_start..].find(&self.close)?;
                let end = inner_end + self.close.len();
                from = end;
                return Some((start..end, inner_start..inner_end));
            }
        })
    }

    /// Like [`Tag::find_iter`], for container elements of a page cut short: an element whose
    /// closing tag is missing runs to the next element of the same name or to the end of
    /// `scope` (a saved page cut inside its last `<contrib>` still shows that author's name).
    fn find_iter_open_ended<'a>(
        &'a self,
        scope: &'a str,
    ) -> impl Iterator<Item = (std::ops::Range<usize>, std::ops::Range<usize>)> + 'a {
        let mut from = 0;
        std::iter::from_fn(move || {
            loop {
                let start = from + scope.get(from..)?.find(&self.open)?;
                let after = start + self.open.len();
                if !matches!(scope.as_bytes().get(after), Some(b'>' | b' ' | b'\n' | b'\t' | b'\r' | b'/')) {
                    from = after;
                    continue;
                }
                let inner_start = after + scope[after..].find('>')? + 1;
                if scope[..inner_start].ends_with("/>") {
                    from = inner_start;
                    return Some((start..inner_start, inner_start..inner_start));
                }
                let next_open = scope[inner_start..].find(&self.open).map_or(scope.len(), |i| inner_start + i);
                let (inner_end, end) = match scope[inner_start..next_open].find(&self.close) {
                    Some(i) => (inner_start + i, inner_start + i + self.close.len()),
                    None => (next_open, next_open),
                };
                from = end;
                return Some((start..end, inner_start..inner_end));
            }
        })
    }

    pub(super) fn inner<'a>(&self, scope: &'a str) -> Option<(&'a str, std::ops::Range<usize>)> {
        self.find_iter(scope).next().map(|(_, inner)| (&scope[inner.clone()], inner))
    }
}

static ARTICLE_TITLE: LazyLock<Tag> = LazyLock::new(|| tag("article-title"));
static CONTRIB: LazyLock<Tag> = LazyLock::new(|| tag("contrib"));
static SURNAME: LazyLock<Tag> = LazyLock::new(|| tag("surname"));
static GIVEN: LazyLock<Tag> = LazyLock::new(|| tag("given-names"));
static COLLAB: LazyLock<Tag> = LazyLock::new(|| tag("collab"));
static JOURNAL_TITLE: LazyLock<Tag> = LazyLock::new(|| tag("journal-title"));
static ABBREV: LazyLock<Tag> = LazyLock::new(|| tag("abbrev-journal-title"));
static ISSN: LazyLock<Tag> = LazyLock::new(|| tag("issn"));
static PUBLISHER: LazyLock<Tag> = LazyLock::new(|| tag("publisher-name"));
static PUB_DATE: LazyLock<Tag> = LazyLock::new(|| tag("pub-date"));
static YEAR: LazyLock<Tag> = LazyLock::new(|| tag("year"));
static VOLUME: LazyLock<Tag> = LazyLock::new(|| tag("volume"));
static ISSUE: LazyLock<Tag> = LazyLock::new(|| tag("issue"));
static FPAGE: LazyLock<Tag> = LazyLock::new(|| tag("fpage"));
static LPAGE: LazyLock<Tag> = LazyLock::new(|| tag("lpage"));
static ABSTRACT: LazyLock<Tag> = LazyLock::new(|| tag("abstract"));
static KWD: LazyLock<Tag> = LazyLock::new(|| tag("kwd"));
static ARTICLE_ID: LazyLock<Tag> = LazyLock::new(|| tag("article-id"));
static PUB_ID: LazyLock<Tag> = LazyLock::new(|| tag("pub-id"));

/// The value of `name="…"` in an element's opening tag.
pub(super) fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let open_tag = &element[..element.find('>')?];
    let start = open_tag.find(&format!("{name}=\""))? + name.len() + 2;
    let len = open_tag[start..].find('"')?;
    Some(&open_tag[start..start + len])
}
static NAME: LazyLock<Tag> = LazyLock::new(|| tag("name"));
static REF: LazyLock<Tag> = LazyLock::new(|| tag("ref"));
static SOURCE: LazyLock<Tag> = LazyLock::new(|| tag("source"));
static CHAPTER_TITLE: LazyLock<Tag> = LazyLock::new(|| tag("chapter-title"));
static ANY_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]+>").expect("valid regex"));

/// Inner text of an element: tags removed, entities for the five XML specials decoded,
/// whitespace collapsed.
pub(super) fn inner_text(xml: &str) -> String {
    if !xml.contains(['<', '&']) {
        return xml.split_whitespace().collect::<Vec<_>>().join(" ");
    }
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
    fn first<T: From<String>>(&self, tag: &Tag, scope: &str) -> Option<Field<T>> {
        let (inner, range) = tag.inner(scope)?;
        let value = inner_text(inner);
        (!value.is_empty()).then(|| self.field(T::from(value), scope, range))
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
    for (whole, inner) in CONTRIB.find_iter_open_ended(scope) {
        if attribute(&scope[whole], "contrib-type") != Some("author") {
            continue;
        }
        let inner_text_range = inner.clone();
        let inner = &scope[inner];
        let person = match (SURNAME.inner(inner).filter(|(f, _)| !f.trim().is_empty()), GIVEN.inner(inner)) {
            (Some((family, _)), given) => {
                Person::new(inner_text(family), given.map(|(g, _)| inner_text(g)).unwrap_or_default())
            }
            (None, _) => match COLLAB.inner(inner) {
                Some((collab, _)) if !collab.trim().is_empty() => Person::new(inner_text(collab), ""),
                _ => continue,
            },
        };
        res.push(reader.field(person, scope, inner_text_range));
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
    record.extra_mut().container_short = reader.first(&ABBREV, journal);
    record.extra_mut().publisher = reader.first(&PUBLISHER, journal);
    record.extra_mut().issn = ISSN
        .find_iter(journal)
        .map(|(_, inner)| reader.field(inner_text(&journal[inner.clone()]), journal, inner))
        .collect();
    if let Some((date_scope, _)) = PUB_DATE.inner(meta) {
        if let Some(year) = reader.first::<String>(&YEAR, date_scope) {
            record.year = year.value.parse().ok().map(|y| Field::new(y, year.at.clone(), Confidence::High));
        }
    }
    record.volume = reader.first(&VOLUME, meta);
    record.issue = reader.first(&ISSUE, meta);
    if let Some(first) = reader.first::<String>(&FPAGE, meta) {
        let pages = match reader.first::<String>(&LPAGE, meta) {
            Some(last) => format!("{}-{}", first.value, last.value),
            None => first.value.clone(),
        };
        record.pages = Some(Field::new(pages.into(), first.at, Confidence::High));
    }
    for (whole, inner) in ARTICLE_ID.find_iter(meta) {
        let value = inner_text(&meta[inner.clone()]);
        match attribute(&meta[whole], "pub-id-type").unwrap_or("") {
            "doi" => record.doi = Doi::parse(&value).map(|d| reader.field(d, meta, inner)),
            "pmid" => record.rare_mut().pmid = Some(reader.field(value, meta, inner)),
            "pmc" | "pmcid" => {
                let digits = value.trim_start_matches("PMC").to_owned();
                record.rare_mut().pmcid = Some(reader.field(format!("PMC{digits}"), meta, inner));
            }
            _ => {}
        }
    }
    record.abstract_text = reader.first(&ABSTRACT, meta);
    record.keywords = KWD
        .find_iter(meta)
        .map(|(_, inner)| reader.field(inner_text(&meta[inner.clone()]).into(), meta, inner))
        .collect();

    let mut cited = Vec::new();
    if let Some(ref_list) = section(text, "<ref-list", "</ref-list>") {
        for (entry, _) in REF.find_iter(ref_list) {
            let scope = &ref_list[entry];
            let Some(title) =
                reader.first::<String>(&ARTICLE_TITLE, scope).or_else(|| reader.first(&CHAPTER_TITLE, scope))
            else {
                continue;
            };
            let anchor = reader.field((), scope, 0..scope.len()).at;
            let mut work = Record::new(RecordKind::Cited, WorkType::Article, anchor);
            work.title =
                Some(Field { value: fold_hyphens(&title.value).into(), confidence: Confidence::Medium, at: title.at });
            work.container_title = reader.first(&SOURCE, scope);
            if work.container_title.is_some() {
                work.work_type = WorkType::ArticleJournal;
            }
            work.year = reader
                .first::<String>(&YEAR, scope)
                .and_then(|y| Some(Field::new(y.value.get(..4)?.parse().ok()?, y.at, Confidence::Medium)));
            let names = section(scope, "<person-group", "</person-group>").unwrap_or(scope);
            // Every `<name>` of the person group, in order.
            for (whole, _) in NAME.find_iter(names) {
                let element = &names[whole.clone()];
                let Some((family, _)) = SURNAME.inner(element).filter(|(f, _)| !f.trim().is_empty()) else { continue };
                let given = GIVEN.inner(element).map(|(g, _)| inner_text(g)).unwrap_or_default();
                work.authors.push(reader.field(Person::new(inner_text(family), given), names, whole));
            }
            for (whole, inner) in PUB_ID.find_iter(scope) {
                if attribute(&scope[whole], "pub-id-type") == Some("doi")
                    && let Some(doi) =
                        Doi::parse(&inner_text(&scope[inner.clone()])).filter(|d| d.kind() == DoiKind::Work)
                {
                    work.doi = Some(reader.field(doi, scope, inner));
                }
            }
            cited.push(work);
        }
    }
    PageReading { document: Some(record), cited, problems: Vec::new() }
}
