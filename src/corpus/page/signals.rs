//! The passes that read a page's own metadata from its body lines: labelled fields, citation
//! lines, PubMed's location line, metadata blocks, repeated and title-shaped lines, the
//! abstract and the keywords.
//!
//! Each pass only adds candidates; `Candidates::into_record` chooses. Cheap byte tests guard
//! the regexes (a line without `:` cannot be a labelled field), because a corpus of 100,000
//! pages runs every pass on millions of lines.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::lines::Line;
use super::names::{self, AuthorList};
use super::{Candidates, own_doi_candidates};
use crate::corpus::doi::{DoiKind, find_dois};
use crate::corpus::names::collapse_whitespace;
use crate::corpus::record::Person;
use crate::corpus::record::{Confidence, Field, WorkType};

/// Runs every pass over the body lines of a page.
pub fn collect(acc: &mut Candidates, body: &[&Line]) {
    // Three passes ask which lines could be titles; the answer is computed once.
    let shaped: Vec<&Line> = body.iter().copied().filter(|l| is_title_shaped(l.text)).collect();
    acc.list_page = is_list_page(body);
    own_doi_candidates(acc, body);
    labelled_fields(acc, body);
    heading_values(acc, body);
    citation_lines(acc, body, &shaped);
    mastheads(acc, body);
    quoted_citations(acc, body);
    blocks(acc, body);
    repeated_titles(acc, body, &shaped);
    byline_above_caps_title(acc, body);
    corroborated_title(acc, body);
    flattened_title_byline(acc, body);
    short_title_above_doi(acc, body);
    pipe_rows(acc, body);
    abstract_text(acc, body);
    keywords(acc, body);
}

/// A page that lists several works rather than showing one: a table of contents (a short
/// heading line ending in "Table of Contents" or a bare "Contents" heading in several
/// languages), or two and more abstract headings (an issue or a feed prints one per entry).
fn is_list_page(body: &[&Line]) -> bool {
    let contents_heading = body.iter().take(60).filter(|l| !l.is_blank() && l.text.len() <= 100).any(|l| {
        let lower = lower(l.text);
        let lower = lower.trim_end_matches(':').trim();
        lower.len() <= 100 && lower.ends_with("table of contents")
            || ["contents", "зміст", "содержание", "inhalt", "inhaltsverzeichnis", "sommaire", "índice", "目录", "目次"]
                .contains(&lower)
    });
    contents_heading
        || body.iter().filter(|l| l.text.len() <= 40 && is_abstract_heading(l.text)).nth(1).is_some()
        || bare_doi_lines(body) >= 2
}

/// How many different DOIs stand alone on a line of their own (`• 10.1080/…`): a list of
/// search results or an export prints one per entry, while an article page links its own DOI
/// once (cited works are in the reference list, which is not part of `body`).
fn bare_doi_lines(body: &[&Line]) -> usize {
    let mut seen: Vec<String> = Vec::new();
    for line in body {
        let text = line.text.trim_start_matches(['•', '·', '-', '–']).trim_start();
        // Most lines start with neither, and skip the DOI search.
        if text.len() > 120 || !(text.starts_with("10.") || text.starts_with("https://doi.org/")) {
            continue;
        }
        let found = find_dois(text);
        // A journal's or an issue's DOI (`10.1111/(ISSN)…`) may stand alone on an article page.
        if let [one] = found.as_slice()
            && one.doi.kind() == DoiKind::Work
            && one.full_range.start == 0
            && one.full_range.end == text.len()
            && !seen.iter().any(|d| d == one.doi.as_str())
        {
            seen.push(one.doi.as_str().to_owned());
        }
    }
    seen.len()
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(1[5-9][0-9]{2}|20[0-9]{2})\b").expect("valid regex"));
static ISSN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([0-9]{4}-[0-9]{3}[0-9Xx])\b").expect("valid regex"));
static PAGE_RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z]?[0-9]+)\s*[-‐‑–—]\s*([A-Za-z]?[0-9]+)$").expect("valid regex"));

/// Pages written with any dash become `157-169`.
pub(crate) fn normalise_pages(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('.');
    if let Some(caps) = PAGE_RANGE.captures(raw) {
        return Some(format!("{}-{}", &caps[1], &caps[2]));
    }
    (raw.chars().all(|c| c.is_ascii_alphanumeric()) && raw.chars().any(|c| c.is_ascii_digit())).then(|| raw.to_owned())
}

fn sub_range(line: &Line, part: &str) -> std::ops::Range<usize> {
    // `part` is always a subslice of `line.text`.
    let start = part.as_ptr() as usize - line.text.as_ptr() as usize;
    line.start + start..line.start + start + part.len()
}

fn first_year(text: &str) -> Option<(i32, std::ops::Range<usize>)> {
    let m = YEAR.find(text)?;
    Some((m.as_str().parse().ok()?, m.range()))
}

// ---------------------------------------------------------------------------------------------
// Labelled fields

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<label>[A-Za-z][A-Za-z ()/'\-]{0,40}?)\s*:\s*(?P<value>\S.*)$").expect("valid regex")
});

static DATED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:published online|first published(?: online)?|date published|publication date|date of publication|online publication date|published|epub(?: ahead of print)?|issued)\s*:?\s*(?:[0-9]{1,2}\s+)?(?:[A-Za-z]{3,9}\.?\s+)?(?:[0-9]{1,2},?\s+)?(1[5-9][0-9]{2}|20[0-9]{2})\b")
        .expect("valid regex")
});

static VOLUME_ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:volume|vol\.?)\s*(?P<vol>[0-9]+)(?:\s*,?\s*(?:issue|no\.?|number)\s*(?P<iss>[0-9]+(?:[-–][0-9]+)?))?")
        .expect("valid regex")
});

static PAGES_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|\|\s*|,\s*)(?:pages?|pp\.?)\s*:?\s*([A-Za-z]?[0-9]+\s*[-‐‑–—]\s*[A-Za-z]?[0-9]+)")
        .expect("valid regex")
});

fn labelled_fields(acc: &mut Candidates, body: &[&Line]) {
    for line in body {
        let text = line.text;
        // Two labels need two colons; most lines have fewer, and skip the regexes.
        if text.bytes().filter(|&b| b == b':').nth(1).is_some() && several_labels(acc, line) {
            continue;
        }
        if text.len() > 600 {
            // Prose, not a field.
            continue;
        }
        if text.contains(':') {
            for segment in text.split(" | ") {
                // A label is a few words before an early colon. Checked by hand rather than
                // with a capturing regex, which would run over the whole of every prose line
                // that has a colon. Labels may be in any script (`Видання:`, `Autoren:`).
                let Some(colon) = segment.find(':').filter(|&i| i <= 48) else { continue };
                let label = segment[..colon].trim();
                let label_shaped = label.starts_with(char::is_alphabetic)
                    && label.chars().all(|c| c.is_alphabetic() || " ()/'-_".contains(c));
                let value = segment[colon + 1..].trim();
                if label_shaped
                    && !value.is_empty()
                    && !labelled_field(acc, line, &label.to_lowercase(), value)
                    && let Some(tail) = glued_label(label)
                {
                    labelled_field(acc, line, &tail.to_lowercase(), value);
                }
            }
        }
        // Dates are labelled with a colon, or on a history line without one (`Received 19 May
        // 2013 Accepted 2 June 2014 Published 11 June 2014`, as a PDF's head prints it).
        let history_line = text.len() < 200
            && ["Received ", "Accepted ", "Published ", "Submitted "].iter().any(|w| text.starts_with(w));
        if text.contains(':') || history_line {
            if let Some(caps) = DATED_LABEL.captures(text) {
                let m = caps.get(1).expect("group");
                // The online date comes before the issue's, whose year is the one citations
                // give: a citation line's year outranks it.
                let whole = caps.get(0).expect("group").as_str().to_ascii_lowercase();
                let online = whole.contains("online") || whole.contains("epub");
                let confidence = if online { Confidence::Medium } else { Confidence::High };
                if let Ok(year) = m.as_str().parse() {
                    acc.year.push(acc.field(year, sub_range(line, m.as_str()), confidence));
                }
            }
        }
        if text.len() < 200 {
            if let Some(caps) = VOLUME_ISSUE.captures(text) {
                let vol = caps.name("vol").expect("group");
                acc.volume.push(acc.field(vol.as_str().to_owned(), sub_range(line, vol.as_str()), Confidence::High));
                if let Some(iss) = caps.name("iss") {
                    acc.issue.push(acc.field(iss.as_str().to_owned(), sub_range(line, iss.as_str()), Confidence::High));
                }
                acc.article_signals += 1;
            }
            if let Some(caps) = PAGES_WORD.captures(text) {
                let m = caps.get(1).expect("group");
                if let Some(pages) = normalise_pages(m.as_str()) {
                    acc.pages.push(acc.field(pages, sub_range(line, m.as_str()), Confidence::High));
                    acc.article_signals += 1;
                }
            }
        }
    }
}

static ID_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // Labels that share a line on PubMed Central (`PMCID: PMC… NIHMSID: … PMID: …`) and in
    // flattened key: value records (`authors: … title: … date: … journal: … DOI: …`).
    Regex::new(r"(?i)(?:^|\s)(pmcid|pmid|nihmsid|doi|authors|title|date|journal|year|volume|issue|pages|publisher|issn|key|sha|doc_id)\s?:\s")
        .expect("valid regex")
});

static JSON_PAIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""(title|authors|journal|year|doi)"\s*:\s*"([^"]+)""#).expect("valid regex"));

/// Reads a line that holds two or more `label: value` pairs, each value running to the next
/// label. Returns whether the line was such a line.
fn several_labels(acc: &mut Candidates, line: &Line) -> bool {
    // Only the line's head is searched: such records are short, and prose may follow.
    let mut head_end = line.text.len().min(1000);
    while !line.text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head = &line.text[..head_end];
    // A record embedded as JSON (`{"title":"…","authors":"…","doi":"…"}`).
    let pairs: Vec<_> = if head.contains("\":") { JSON_PAIR.captures_iter(head).collect() } else { Vec::new() };
    if pairs.len() >= 2 {
        for caps in pairs {
            let value = caps.get(2).expect("group").as_str().trim();
            if !value.is_empty() && !value.contains('<') {
                labelled_field(acc, line, &caps[1].to_lowercase(), value);
                acc.article_signals += 1;
            }
        }
        return true;
    }
    let labels: Vec<_> = ID_LABEL.captures_iter(head).map(|c| c.get(1).expect("group")).collect();
    if labels.len() < 2 {
        return false;
    }
    for (i, label) in labels.iter().enumerate() {
        let value_start = label.end() + head[label.end()..].find(':').map_or(0, |c| c + 1);
        let value_end = labels.get(i + 1).map_or(head.len(), |next| next.start());
        let value = head[value_start..value_end].trim();
        // The last value runs into whatever follows; a long one is prose, not a field.
        if !value.is_empty() && value.len() <= 300 {
            labelled_field(acc, line, &label.as_str().to_lowercase(), value);
        }
    }
    true
}

/// Field headings printed on a line of their own with the value on the next line (`Published
/// in` / `Energy Research and Social Science`, `Автори` / names). `Journal` is left to the
/// block reader, which knows ScienceOpen's layout.
fn heading_values(acc: &mut Candidates, body: &[&Line]) {
    for (i, line) in body.iter().enumerate() {
        if line.text.len() > 40 {
            continue;
        }
        let heading = lower(line.text.trim_end_matches(':').trim());
        if !HEADING_VALUE_LABELS.contains(&heading.as_ref()) {
            continue;
        }
        let Some(next) = body[i + 1..].iter().take(3).find(|l| !l.is_blank()) else { continue };
        if is_field_heading(next.text) {
            continue;
        }
        match heading.as_ref() {
            "authors" | "author(s)" | "автори" | "авторы" | "autoren" | "auteurs" | "autores" | "by" => {
                let start = body.iter().position(|l| l.start == next.start).expect("a body line");
                if let Some(block) = author_block(body, start) {
                    let fields = block.people.into_iter().map(|(p, r)| acc.field(p, r, Confidence::High)).collect();
                    acc.authors.push((fields, false, Confidence::High));
                }
            }
            "published in" | "publication date" | "видання" | "издание" | "erschienen in" | "publisher"
            | "видавець" | "издатель" | "verlag" | "pmid" | "pmcid" => {
                labelled_field(acc, next, &heading, next.text);
            }
            _ => {}
        }
    }
}

/// The headings [`heading_values`] reads a value under.
const HEADING_VALUE_LABELS: &[&str] = &[
    "authors",
    "author(s)",
    "автори",
    "авторы",
    "autoren",
    "auteurs",
    "autores",
    "by",
    "published in",
    "publication date",
    "видання",
    "издание",
    "erschienen in",
    "publisher",
    "видавець",
    "издатель",
    "verlag",
    "pmid",
    "pmcid",
];

/// Lower case without allocating for the ASCII lines that most pages are made of.
fn lower(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        std::borrow::Cow::Owned(text.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A short line that names a field rather than giving a value (`Publisher`, `Автори`,
/// `General information`): where a heading-then-value block ends.
pub(crate) fn is_field_heading(text: &str) -> bool {
    if text.len() > 40 {
        return false;
    }
    let t = lower(text.trim_end_matches(':').trim());
    [
        "publisher",
        "authors",
        "author(s)",
        "author",
        "details",
        "general information",
        "publication type",
        "published in",
        "publication date",
        "document version",
        "doi",
        "citation (apa)",
        "funder",
        "abstract",
        "видавець",
        "автори",
        "детальна інформація",
        "основна інформація",
        "тип публікації",
        "анотація",
        "видання",
        "издатель",
        "авторы",
        "verlag",
        "autoren",
        "zusammenfassung",
        "éditeur",
        "auteurs",
        "editorial",
        "autores",
        "resumen",
        "resumo",
        "résumé",
    ]
    .contains(&t.as_ref())
        || super::lines::is_heading(text)
}

/// Reads one `label: value` pair; returns whether the label is one of ours.
fn labelled_field(acc: &mut Candidates, line: &Line, label: &str, value: &str) -> bool {
    // A pipe table's label cell (`Title: |`): the value is on the lines below (`pipe_rows`).
    let value = value.trim_end_matches('|').trim_end();
    if !value.chars().any(char::is_alphanumeric) {
        return false;
    }
    let range = sub_range(line, value);
    let value_clean = value.trim_end_matches(['.', ';', ',']).trim();
    match label {
        "title" | "article title" | "citation_title" | "titel" | "titre" | "título" | "titolo" | "назва"
        | "название" | "題名" | "题名" | "標題" | "标题" | "論文名稱" | "论文名称" => {
            acc.title.push(acc.field(collapse_whitespace(value_clean), range, Confidence::High));
        }
        "journal"
        | "journal title"
        | "journal name"
        | "source title"
        | "published in"
        | "citation_journal_title"
        | "видання"
        | "издание"
        | "журнал"
        | "zeitschrift"
        | "erschienen in"
        | "revista"
        | "revue"
        | "periódico" => {
            // `Environmental Geochemistry and Health, 2018, № 2, p. 737-760`, `2024` alone:
            // the name is what comes before the year and numbers, if anything.
            let (name, year) = masthead_value(value_clean);
            if let Some(name) = name {
                acc.container_title.push(acc.field(collapse_whitespace(name), sub_range(line, name), Confidence::High));
            }
            if let Some(year) = year {
                acc.year.push(acc.field(year.parse().expect("digits"), sub_range(line, year), Confidence::High));
            }
            acc.article_signals += 1;
        }
        "journal abbreviation" | "abbreviated journal" | "iso abbreviation" | "citation_journal_abbrev" => {
            acc.container_short.push(acc.field(collapse_whitespace(value_clean), range, Confidence::High));
        }
        "authors" | "author(s)" | "author" | "creators" | "citation_author" | "автори" | "авторы" | "автор"
        | "autoren" | "autor" | "autorin" | "verfasst von" | "auteurs" | "auteur" | "autores" | "autor(es)"
        | "main authors" | "main author" | "作者" | "研究生" => {
            // A name in two scripts (`崔麐 Tsui, Lin`): the romanised `Family, Given` after it.
            let romanised = value_clean.trim_start_matches(|c: char| !c.is_ascii()).trim_start();
            let list = names::parse_any_list(value_clean).or_else(|| {
                (romanised.len() < value_clean.len() && romanised.matches(", ").count() == 1)
                    .then(|| names::parse_chicago_list(romanised))
                    .flatten()
            });
            if let Some(AuthorList { people, et_al }) = list {
                let fields = people.into_iter().map(|p| acc.field(p, range.clone(), Confidence::High)).collect();
                acc.authors.push((fields, et_al, Confidence::High));
            }
        }
        "corresponding author" | "correspondence" => {
            if let Some(person) = value_clean.split(',').next().and_then(names::parse_given_first) {
                acc.corresponding_author.push(acc.field(person, range, Confidence::High));
            }
        }
        "publisher" | "citation_publisher" | "видавець" | "издатель" | "verlag" | "éditeur" | "editorial"
        | "editora" => {
            acc.publisher.push(acc.field(collapse_whitespace(value_clean), range, Confidence::High));
        }
        "issn" | "print issn" | "issn (print)" | "p-issn" | "pissn" | "eissn" | "e-issn" | "online issn"
        | "issn (online)" | "electronic issn" => {
            for m in ISSN.find_iter(value) {
                acc.issn.push(acc.field(
                    m.as_str().to_ascii_uppercase(),
                    sub_range(line, m.as_str()),
                    Confidence::High,
                ));
            }
            acc.article_signals += 1;
        }
        "pmid" | "pubmed id" | "pubmed"
            if value_clean.chars().all(|c| c.is_ascii_digit()) && (1..=9).contains(&value_clean.len()) =>
        {
            acc.pmid.push(acc.field(value_clean.to_owned(), range, Confidence::High));
            acc.article_signals += 1;
        }
        "pmcid" | "pmc id" | "pmc" => {
            let digits = value_clean.trim_start_matches("PMC");
            if digits.chars().all(|c| c.is_ascii_digit()) && (4..=9).contains(&digits.len()) {
                acc.pmcid.push(acc.field(format!("PMC{digits}"), range, Confidence::High));
                acc.article_signals += 1;
            }
        }
        "volume" | "vol" if value_clean.len() < 12 => {
            acc.volume.push(acc.field(value_clean.to_owned(), range, Confidence::High));
        }
        "issue" | "number" | "no" if value_clean.len() < 12 => {
            acc.issue.push(acc.field(value_clean.to_owned(), range, Confidence::High));
        }
        "pages" | "page" | "page range" | "pp" => {
            if let Some(pages) = normalise_pages(value_clean) {
                acc.pages.push(acc.field(pages, range, Confidence::High));
            }
        }
        "year"
        | "publication year"
        | "citation_publication_date"
        | "citation_date"
        | "date"
        | "publication date"
        | "pub date"
        | "рік"
        | "год"
        | "jahr"
        | "année"
        | "año"
        | "ano"
        | "published"
        | "出版年"
        | "出版年份"
        | "論文出版年"
        | "论文出版年" => {
            if let Some((year, r)) = first_year(value) {
                acc.year.push(acc.field(year, range.start + r.start..range.start + r.end, Confidence::High));
            }
        }
        "keywords" | "key words" | "author keywords" | "keyword" | "kwd" | "citation_keywords" => {
            let fields = split_keywords(value_clean)
                .into_iter()
                .map(|k| acc.field(k.into(), range.clone(), Confidence::High))
                .collect::<Vec<_>>();
            if !fields.is_empty() {
                acc.keywords.push((fields, Confidence::High));
            }
        }
        "item type" | "article type" | "document type" | "publication type" | "type" => {
            if let Some(work_type) = work_type_from_label(value_clean) {
                acc.work_type.get_or_insert(work_type);
            }
        }
        _ => return false,
    }
    true
}

/// `Energy PolicyPub Date`: flattened text glued a label to the value before it. The label is
/// what follows the last place where a lower-case letter runs into a capital.
fn glued_label(label: &str) -> Option<&str> {
    let mut at = None;
    let mut previous = ' ';
    for (i, c) in label.char_indices() {
        if c.is_uppercase() && previous.is_lowercase() {
            at = Some(i);
        }
        previous = c;
    }
    at.map(|i| &label[i..])
}

static MASTHEAD_NUMBERS: LazyLock<Regex> = LazyLock::new(|| {
    // Where a journal name ends in `Name, 2018, № 2, p. 737-760` or `Name, vol. 3`.
    Regex::new(
        r"(?i),\s*(?:1[5-9][0-9]{2}\b|20[0-9]{2}\b|№|no\.|vol\b|vol\.|volume\b|issue\b|с\.|p\.|pp\.|s\.\s*[0-9]|[0-9])",
    )
    .expect("valid regex")
});

/// Splits a journal value as aggregators print it (`Microorganisms, 2024, № 6, с. 1162`,
/// `2018, Corals in a Changing World`, `2024`) into the name, if any, and the year, if any.
pub(crate) fn masthead_value(value: &str) -> (Option<&str>, Option<&str>) {
    let year = YEAR.find(value).map(|m| m.as_str());
    let mut name = value.trim();
    // A leading year: `2019, Genetics, № 4`.
    if let Some(m) = YEAR.find(name).filter(|m| m.start() == 0)
        && name[m.end()..].starts_with(',')
    {
        name = name[m.end() + 1..].trim_start();
    }
    if let Some(m) = MASTHEAD_NUMBERS.find(name) {
        name = name[..m.start()].trim_end();
    }
    let name = name.trim_end_matches(['.', ',', ';']).trim();
    let has_name =
        name.chars().filter(|c| c.is_alphabetic()).count() >= 2 && YEAR.find(name).is_none_or(|m| m.as_str() != name);
    (has_name.then_some(name), year)
}

fn work_type_from_label(value: &str) -> Option<WorkType> {
    let value = value.to_ascii_lowercase();
    Some(match value.as_str() {
        v if v.contains("book section") || v.contains("chapter") => WorkType::Chapter,
        v if v.contains("conference") || v.contains("proceedings") => WorkType::PaperConference,
        v if v.contains("thesis") || v.contains("dissertation") => WorkType::Thesis,
        v if v.contains("report") => WorkType::Report,
        v if v.contains("dataset") => WorkType::Dataset,
        v if v == "book" || v.starts_with("book ") => WorkType::Book,
        v if v.contains("article") || v.contains("review") => WorkType::ArticleJournal,
        _ => return None,
    })
}

/// Splits a keyword list on `;` (or `,` when there is no `;`), dropping subject-classification
/// codes such as `1106 Human Movement and Sports Sciences`, which are not author keywords.
pub(crate) fn split_keywords(value: &str) -> Vec<String> {
    let separator = if value.contains(';') { ';' } else { ',' };
    value
        .split(separator)
        .map(|k| k.trim().trim_end_matches('.').trim())
        .filter(|k| !k.is_empty() && k.len() < 100)
        .filter(|k| !k.split_whitespace().next().is_some_and(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_digit())))
        .map(collapse_whitespace)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Citation lines

// Patterns here use `+` and check lengths in code rather than counted repetitions such as
// `{3,600}`: a counted repetition multiplies the automaton's states, and the capturing engine
// clears a table of states × line length on every search, which dominated indexing time.
static HARVARD: LazyLock<Regex> = LazyLock::new(|| {
    // `Authors (2022) Title. Journal.` (repositories) and `Authors (2022). Title. Journal, 1(2), 3-4.` (APA).
    // APA writes a date for some works: `(2024, February 13)`.
    Regex::new(r"^(?P<authors>[^()]+?)\s\((?P<year>1[5-9][0-9]{2}|20[0-9]{2})[a-z]?(?:,\s[A-Za-z]+(?:\s[0-9]{1,2})?)?\)\.?\s+(?P<rest>\S.+)$")
        .expect("valid regex")
});

static PUBMED_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    // PubMed's byline: `Deborah Ikhile et al. Health Expect. 2023 Dec.`
    Regex::new(r"^(?P<name>\p{Lu}[\p{L}'’.\-]*(?:\s+[\p{L}'’.\-]+){1,4}?)(?P<etal>\s+et al)?\.\s+(?P<journal>\p{Lu}[^.]+)\.\s+(?P<year>1[89][0-9]{2}|20[0-9]{2})(?:\s+\p{L}{3}(?:\s+[0-9]{1,2})?)?\.?$")
        .expect("valid regex")
});

static PUBMED_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    // PubMed's location line: `. 2023 Dec;26(6):2514-2524.` (the journal link text is often lost).
    Regex::new(r"(?:^|\.\s)(?:(?P<journal>\p{Lu}[^.;]+)\.\s)?(?P<year>1[89][0-9]{2}|20[0-9]{2})(?:\s+\p{L}{3}(?:\s+[0-9]{1,2})?)?;(?P<vol>[^(:;\s]+)?(?:\((?P<iss>[^)]+)\))?(?::(?P<pages>[^.;\s]+))?\.")
        .expect("valid regex")
});

static SPACED_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\.\s)(?P<journal>\p{Lu}[\p{L}&.]*(?:\s\p{Lu}[\p{L}&.]*)*)\s(?P<year>(?:19|20)[0-9]{2});\s?(?P<vol>[0-9]+)\s?\((?P<iss>[^)\s]+)\):\s?(?P<pages>[A-Za-z]?[0-9]+(?:[-–][0-9]+)?)")
        .expect("valid regex")
});

static ISSN_INLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bISSN:?\s*([0-9]{4}-[0-9]{3}[0-9Xx])").expect("valid regex"));

static CONTAINER_DETAILS: LazyLock<Regex> = LazyLock::new(|| {
    // What follows a title in a citation: `Journal, 12 (3). pp. 45-67` or `Journal, 12(3), 45–67`.
    Regex::new(r"^(?P<container>.+?),?\s+(?P<vol>[0-9]+)\s*(?:\((?P<iss>[^)]+)\))?(?:[.,:]\s*(?:pp?\.?\s*)?(?P<pages>[A-Za-z]?[0-9]+\s*[-‐‑–—]\s*[A-Za-z]?[0-9]+))?\.?$")
        .expect("valid regex")
});

fn citation_lines(acc: &mut Candidates, body: &[&Line], standalone: &[&Line]) {
    for line in body {
        let text = line.text;
        if text.len() > 1200 {
            continue;
        }
        if text.contains('(') {
            harvard_line(acc, line, standalone);
        }
        let mut pubmed_location = false;
        if text.contains(';')
            && let Some(caps) = PUBMED_LOCATION.captures(text)
        {
            pubmed_location = true;
            let year = &caps["year"];
            acc.year.push(acc.field(
                year.parse().expect("digits"),
                sub_range(line, caps.name("year").expect("group").as_str()),
                Confidence::High,
            ));
            for (name, list) in [("vol", &mut acc.volume), ("iss", &mut acc.issue)] {
                if let Some(m) = caps.name(name) {
                    list.push(Field::new(
                        m.as_str().to_owned(),
                        super::Candidates::loc(acc.file, sub_range(line, m.as_str())),
                        Confidence::High,
                    ));
                }
            }
            if let Some(m) = caps.name("pages")
                && let Some(pages) = normalise_pages(m.as_str())
            {
                acc.pages.push(acc.field(pages, sub_range(line, m.as_str()), Confidence::High));
            }
            if let Some(m) = caps.name("journal") {
                // `Published in final edited form as: Adv Mater. 2012 Sep 7;24(45):…`: the
                // journal is what follows the label.
                let journal = m.as_str().rsplit_once(": ").map_or(m.as_str(), |(_, j)| j).trim();
                acc.container_short.push(acc.field(journal.to_owned(), sub_range(line, journal), Confidence::Medium));
            }
            acc.article_signals += 1;
        }
        // `Front Lake Sci 2010; 8(4): 187–192`: a journal's citation line with spaces, no full
        // stop after the journal.
        if !pubmed_location
            && text.contains(';')
            && text.contains("):")
            && let Some(caps) = SPACED_LOCATION.captures(text)
        {
            let journal = caps.name("journal").expect("group").as_str().trim();
            acc.container_short.push(acc.field(journal.to_owned(), sub_range(line, journal), Confidence::Medium));
            acc.container_title.push(acc.field(journal.to_owned(), sub_range(line, journal), Confidence::Medium));
            masthead_numbers(acc, line, &caps, Confidence::High);
        }
        if text.contains(". ")
            && let Some(caps) = PUBMED_SHORT.captures(text)
        {
            let name = caps.name("name").expect("group");
            if let Some(person) = names::parse_given_first(name.as_str()) {
                let field = acc.field(person, sub_range(line, name.as_str()), Confidence::High);
                acc.authors.push((vec![field], caps.name("etal").is_some(), Confidence::High));
                let journal = caps.name("journal").expect("group");
                let journal_text = journal.as_str().trim().to_owned();
                acc.container_short.push(acc.field(
                    journal_text.clone(),
                    sub_range(line, journal.as_str()),
                    Confidence::High,
                ));
                // The abbreviation is all the page shows of the journal; a full name from a
                // labelled field or block outranks it.
                acc.container_title.push(acc.field(
                    journal_text,
                    sub_range(line, journal.as_str()),
                    Confidence::Medium,
                ));
                let year = caps.name("year").expect("group");
                acc.year.push(acc.field(
                    year.as_str().parse().expect("digits"),
                    sub_range(line, year.as_str()),
                    Confidence::High,
                ));
                acc.article_signals += 1;
            }
        }
    }
}

static YEAR_IN_PARENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s\((?:1[5-9][0-9]{2}|20[0-9]{2})[a-z]?(?:,\s[A-Za-z]+(?:\s[0-9]{1,2})?)?\)").expect("valid regex")
});

fn harvard_line(acc: &mut Candidates, line: &Line, standalone: &[&Line]) {
    // A year in parentheses must come early, after the authors; most lines fail this cheap test.
    if YEAR_IN_PARENS.find(line.text).is_none_or(|m| m.start() >= 600) {
        return;
    }
    let Some(caps) = HARVARD.captures(line.text) else { return };
    let authors_text = caps.name("authors").expect("group").as_str();
    let Some(AuthorList { people, et_al }) = names::parse_family_comma_initials(authors_text.trim_end_matches(','))
    else {
        return;
    };
    let authors_range = sub_range(line, authors_text);
    let fields = people.into_iter().map(|p| acc.field(p, authors_range.clone(), Confidence::High)).collect();
    acc.authors.push((fields, et_al, Confidence::High));
    let year = caps.name("year").expect("group");
    acc.year.push(acc.field(year.as_str().parse().expect("digits"), sub_range(line, year.as_str()), Confidence::High));
    acc.article_signals += 1;

    let rest = caps.name("rest").expect("group").as_str();
    // The title: a standalone line of the page that the citation repeats is the surest cut;
    // else cut at the first sentence end (keeping a `?` or `!` that ends the title).
    let after =
        match standalone.iter().find(|l| l.range() != line.range() && rest.starts_with(l.text.trim_end_matches('.'))) {
            Some(own) => {
                let title = own.text.trim_end_matches('.');
                acc.title.push(acc.field(collapse_whitespace(title), own.range(), Confidence::High));
                &rest[title.len()..]
            }
            None => match rest.find(['.', '?', '!']) {
                Some(cut) => {
                    let keep = if rest[cut..].starts_with('.') { cut } else { cut + 1 };
                    let title = &rest[..keep];
                    acc.title.push(acc.field(collapse_whitespace(title), sub_range(line, title), Confidence::Medium));
                    &rest[keep..]
                }
                None => return,
            },
        };
    let mut after = after.trim_start_matches(['.', ' ']).trim();
    if let Some(m) = ISSN_INLINE.captures(after) {
        let issn = m.get(1).expect("group");
        acc.issn.push(acc.field(issn.as_str().to_ascii_uppercase(), sub_range(line, issn.as_str()), Confidence::High));
        after = after[..m.get(0).expect("group").start()].trim();
    }
    // Links and DOIs end the container part.
    if let Some(cut) = after.find("http").or_else(|| after.to_ascii_lowercase().find("doi")) {
        after = after[..cut].trim();
    }
    let after = after.trim_end_matches(['.', ',']).trim();
    if after.is_empty() {
        return;
    }
    if let Some(details) = CONTAINER_DETAILS.captures(after) {
        let container = details.name("container").expect("group").as_str().trim_end_matches(['.', ',']);
        acc.container_title.push(acc.field(container.to_owned(), sub_range(line, container), Confidence::High));
        let vol = details.name("vol").expect("group");
        acc.volume.push(acc.field(vol.as_str().to_owned(), sub_range(line, vol.as_str()), Confidence::High));
        if let Some(iss) = details.name("iss") {
            acc.issue.push(acc.field(iss.as_str().to_owned(), sub_range(line, iss.as_str()), Confidence::High));
        }
        if let Some(pages) = details.name("pages")
            && let Some(value) = normalise_pages(pages.as_str())
        {
            acc.pages.push(acc.field(value, sub_range(line, pages.as_str()), Confidence::High));
        }
    } else if !after.contains(". ") && after.len() < 200 && after.chars().any(char::is_alphabetic) {
        // APA names the container of a chapter or an entry after `In`.
        let after = after.strip_prefix("In ").unwrap_or(after);
        acc.container_title.push(acc.field(after.to_owned(), sub_range(line, after), Confidence::High));
    }
}

// ---------------------------------------------------------------------------------------------
// Masthead lines: where a journal prints its name, year and numbers above an article

static MASTHEADS: LazyLock<[Regex; 5]> = LazyLock::new(|| {
    [
        // `Forests 2024, 15(7), 1110; https://doi.org/…` (MDPI and others).
        Regex::new(r"^(?P<journal>\p{Lu}[\p{L}&.\- ]+?)\s+(?P<year>(?:19|20)[0-9]{2}),\s*(?P<vol>[0-9]+)\s*(?:\((?P<iss>[^)]+)\))?,\s*(?P<pages>[A-Za-z]?[0-9]+(?:[-–][0-9]+)?)(?:;|$)"),
        // `Earth-Science Reviews 94 (2009) 23–38` (Elsevier's PDF head).
        Regex::new(r"^(?P<journal>\p{Lu}[\p{L}&.,\- ]+?)\s+(?P<vol>[0-9]+)\s+\((?P<year>(?:19|20)[0-9]{2})\)\s+(?P<pages>[0-9]+(?:\s*[-–]\s*[0-9]+)?)$"),
        // `SN Computer Science (2021) 2:160` (Springer's PDF head).
        Regex::new(r"^(?P<journal>\p{Lu}[\p{L}&.,\- ]+?)\s+\((?P<year>(?:19|20)[0-9]{2})\)\s+(?P<vol>[0-9]+):(?P<pages>[A-Za-z]?[0-9]+)$"),
        // `CABI Agriculture and Bioscience volume 2, Article number: 20 (2021)` (BMC, Springer).
        Regex::new(r"^(?P<journal>\p{Lu}[\p{L}&.,\- ]+?)\s+volume\s+(?P<vol>[0-9]+)\s*,\s*Article number:?\s*(?P<pages>\w+)\s*\(\s*(?P<year>(?:19|20)[0-9]{2})\s*\)"),
        // `Front. Microbiol., 11 July 2022` (Frontiers).
        Regex::new(r"^(?P<journal>\p{Lu}[\p{L}.&\- ]+\.),\s+[0-9]{1,2}\s+\p{L}+\s+(?P<year>(?:19|20)[0-9]{2})$"),
    ]
    .map(|r| r.expect("valid regex"))
});

static NUMBER_SIGN_MASTHEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<journal>\p{Lu}[^,№]+),\s*(?:(?:т|vol|Vol)\.\s*[0-9]+,\s*)?№\s*[\w/\-–]+,\s*(?:с|p|pp|s|S)\.\s*[A-Za-z]?[0-9]+(?:\s*[-–]\s*[A-Za-z]?[0-9]+)?$")
        .expect("valid regex")
});

/// `Державне управління: удосконалення та розвиток № 12, 2017`: an issue's masthead, read as
/// the journal name and the year. Read by hand: the pattern's Unicode classes and counted
/// repetition made a regex costly to build for one line a page.
fn issue_masthead(text: &str) -> Option<(&str, &str)> {
    let (journal, rest) = text.rsplit_once('№')?;
    let (number, year) = rest.split_once(',')?;
    let number = number.trim();
    let number = number.split_once('(').map_or(number, |(n, issue)| {
        if issue.strip_suffix(')').is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit())) { n.trim_end() } else { "" }
    });
    let (journal, year) = (journal.trim(), year.trim());
    (!number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && year.len() == 4
        && YEAR.is_match(year)
        && (3..=150).contains(&journal.len())
        && journal.starts_with(char::is_uppercase)
        && !journal.contains('|'))
    .then_some((journal, year))
}

/// `2016 | OriginalPaper | Buchkapitel`: the year and kinds of the work above its title.
fn year_kind_line(text: &str) -> Option<&str> {
    let mut cells = text.split('|').map(str::trim);
    let year = cells.next().filter(|y| y.len() == 4 && YEAR.is_match(y))?;
    let kinds = cells.filter(|c| c.starts_with(char::is_alphabetic)).count();
    (kinds >= 2).then_some(year)
}

static YEAR_JOURNAL: LazyLock<Regex> = LazyLock::new(|| {
    // `2010, Frontiers in Ecology and the Environment` under a title (Academia and others).
    Regex::new(r"^(?P<year>(?:19|20)[0-9]{2}),\s+(?P<journal>\p{Lu}[^,]+?)(?:,\s+[^,]+)?$").expect("valid regex")
});

/// Journal, year, volume, issue and pages from a masthead line of the page head.
fn mastheads(acc: &mut Candidates, body: &[&Line]) {
    for (i, line) in body.iter().enumerate().take(120) {
        let text = line.text;
        if text.len() > 200 || !text.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
            continue;
        }
        // Every masthead has a year; a line without digits skips the five patterns.
        if text.bytes().any(|b| b.is_ascii_digit())
            && let Some(caps) = MASTHEADS.iter().find_map(|r| r.captures(text))
        {
            masthead_fields(acc, line, &caps, Confidence::High);
            continue;
        }
        if text.contains('№')
            && let Some((journal, year)) = issue_masthead(text)
        {
            acc.container_title.push(acc.field(journal.to_owned(), sub_range(line, journal), Confidence::Medium));
            acc.year.push(acc.field(year.parse().expect("digits"), sub_range(line, year), Confidence::Medium));
            continue;
        }
        if i < 30
            && text.len() <= 80
            && text.contains('|')
            && let Some(year) = year_kind_line(text)
        {
            acc.year.push(acc.field(year.parse().expect("digits"), sub_range(line, year), Confidence::Medium));
            continue;
        }
        // `Journal Name, № 22, с. 3616-3628` (the citation style of Ukrainian and Russian
        // aggregators), its year on the line above when the page broke `2025,` off it.
        if text.contains('№')
            && let Some(caps) = NUMBER_SIGN_MASTHEAD.captures(text)
        {
            let year_line = (0..i).rev().find(|&j| !body[j].is_blank()).map(|j| body[j]);
            let year = year_line.and_then(|l| {
                YEAR.find(l.text).filter(|m| m.start() == 0 && l.text[m.end()..].trim() == ",").map(|m| (l, m))
            });
            if let Some((year_line, m)) = year {
                let journal = caps.name("journal").expect("group").as_str().trim();
                acc.container_title.push(acc.field(journal.to_owned(), sub_range(line, journal), Confidence::Medium));
                acc.year.push(acc.field(
                    m.as_str().parse().expect("digits"),
                    sub_range(year_line, m.as_str()),
                    Confidence::Medium,
                ));
                acc.article_signals += 1;
                continue;
            }
        }
        // A journal line followed by `, Volume 160, Issue 8, pp 2207–2245` (Springer).
        if let Some(next) = body[i + 1..].iter().take(3).find(|l| !l.is_blank())
            && next.text.starts_with(", Volume")
            && text.split_whitespace().count() <= 8
            && !text.contains([':', ','])
        {
            acc.container_title.push(acc.field(text.to_owned(), line.range(), Confidence::Medium));
            acc.article_signals += 1;
        }
    }
}

fn masthead_fields(acc: &mut Candidates, line: &Line, caps: &regex::Captures, confidence: Confidence) {
    let journal = caps.name("journal").expect("group").as_str().trim();
    acc.container_title.push(acc.field(journal.to_owned(), sub_range(line, journal), confidence));
    masthead_numbers(acc, line, caps, confidence);
}

/// Year, volume, issue and pages of a masthead or citation line.
fn masthead_numbers(acc: &mut Candidates, line: &Line, caps: &regex::Captures, confidence: Confidence) {
    let year = caps.name("year").expect("group").as_str();
    acc.year.push(acc.field(year.parse().expect("digits"), sub_range(line, year), confidence));
    for (name, list) in [("vol", &mut acc.volume), ("iss", &mut acc.issue)] {
        if let Some(m) = caps.name(name) {
            list.push(Field::new(
                m.as_str().to_owned(),
                Candidates::loc(acc.file, sub_range(line, m.as_str())),
                confidence,
            ));
        }
    }
    if let Some(m) = caps.name("pages")
        && let Some(pages) = normalise_pages(m.as_str())
    {
        acc.pages.push(acc.field(pages, sub_range(line, m.as_str()), confidence));
    }
    acc.article_signals += 1;
}

static QUOTED_CITATION: LazyLock<Regex> = LazyLock::new(|| {
    // `Authors. “Title.” Journal 114, no. 8 (2013): 084505.` (Chicago, MLA), in a line that
    // offers it as the page's citation.
    Regex::new(r"“(?P<title>[^”]+?)[.,]?”\s*(?P<journal>\p{Lu}[^0-9“”()]+?)\s+(?P<vol>[0-9]+)(?:,\s*no\.\s*(?P<iss>[0-9]+))?\s*\((?P<year>(?:19|20)[0-9]{2})\)")
        .expect("valid regex")
});

fn quoted_citations(acc: &mut Candidates, body: &[&Line]) {
    for line in body {
        let text = line.text;
        if !text.contains('“') {
            continue;
        }
        let Some(caps) = QUOTED_CITATION.captures(text) else { continue };
        let start = caps.get(0).expect("group").start();
        let before = text[..start].to_lowercase();
        let offered = before
            .get(before.len().saturating_sub(600)..)
            .is_some_and(|b| b.contains("citation") || b.contains("cite"));
        if !offered {
            continue;
        }
        let title = caps.name("title").expect("group").as_str();
        acc.title.push(acc.field(collapse_whitespace(title), sub_range(line, title), Confidence::High));
        masthead_fields(acc, line, &caps, Confidence::High);
        // The authors run from the offering label (`Citation`, `Cite this article:`) to the
        // quoted title, in Chicago or MLA order; anything else before the title is left alone.
        let head = &text[..start];
        let ascii = head.to_ascii_lowercase();
        if let Some(label) =
            ascii.rfind("citation").map(|i| i + "citation".len()).or_else(|| ascii.rfind("cite").map(|i| i + 4))
        {
            let rest = head[label..].trim_start();
            let rest = rest.strip_prefix("this article").unwrap_or(rest).trim_start_matches([':', ' ']);
            let authors = rest.trim_end().trim_end_matches('.');
            if authors.len() < 1000
                && let Some(AuthorList { people, et_al }) = names::parse_chicago_list(authors)
            {
                let range = sub_range(line, authors);
                let fields = people.into_iter().map(|p| acc.field(p, range.clone(), Confidence::High)).collect();
                acc.authors.push((fields, et_al, Confidence::High));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metadata blocks (a heading line followed by short unlabelled lines, as on ScienceOpen)

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9]{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+(?:[0-9]{1,2},\s+)?(1[5-9][0-9]{2}|20[0-9]{2})$")
        .expect("valid regex")
});
static PUBLISHER_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:Inc\.?|Ltd\.?|LLC|Press|Publishing|Publishers|Verlag|GmbH|B\.V\.|S\.A\.|Elsevier|Springer(?: Nature)?|Wiley|Taylor & Francis|Routledge|SAGE|MDPI|Frontiers Media|BioMed Central|BMJ)\b")
        .expect("valid regex")
});

fn block_lines<'a, 'b>(body: &'b [&'a Line<'a>], heading: usize) -> impl Iterator<Item = &'b &'a Line<'a>> {
    body[heading + 1..].iter().take(24).take_while(|l| !is_field_heading(l.text))
}

fn blocks(acc: &mut Candidates, body: &[&Line]) {
    for (i, line) in body.iter().enumerate() {
        match line.text {
            "Journal" | "Видання" | "Издание" => journal_block(acc, body, i),
            "Article" => article_block(acc, body, i),
            _ => {}
        }
    }
    // A line naming the corresponding author: `Correspondence Jane Cloke, PhD, Department…`.
    static CORRESPONDENCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\bcorrespondence(?:\s+to)?:?\s+(?P<name>\p{Lu}[^,;:]+),").expect("valid regex")
    });
    for line in body {
        if line.text.len() < 600
            && let Some(caps) = CORRESPONDENCE.captures(line.text)
        {
            let name = caps.name("name").expect("group");
            if let Some(person) = names::parse_given_first(name.as_str()) {
                acc.corresponding_author.push(acc.field(person, sub_range(line, name.as_str()), Confidence::Medium));
            }
        }
    }
}

fn journal_block(acc: &mut Candidates, body: &[&Line], heading: usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let lines: Vec<&Line> = block_lines(body, heading).copied().filter(|l| !l.is_blank()).collect();
    for line in &lines {
        *counts.entry(line.text).or_default() += 1;
    }
    let mut colon_values = Vec::new();
    let mut dates = 0;
    for line in &lines {
        let text = line.text;
        if !find_dois(text).is_empty() && !text.starts_with(':') {
            continue;
        }
        if let Some(year) = YEAR.find(text).filter(|m| m.start() == 0 && text[m.end()..].starts_with(", ")) {
            // An aggregator's `2019, Genetics, № 4, с. 1321-1336`: year first, then the name.
            let (name, _) = masthead_value(text);
            acc.year.push(acc.field(
                year.as_str().parse().expect("digits"),
                sub_range(line, year.as_str()),
                Confidence::Medium,
            ));
            if let Some(name) = name {
                acc.container_title.push(acc.field(name.to_owned(), sub_range(line, name), Confidence::Medium));
                acc.article_signals += 1;
            }
            break;
        } else if ISSN.is_match(text) && text.len() == 9 {
            acc.issn.push(acc.field(text.to_ascii_uppercase(), line.range(), Confidence::Medium));
        } else if let Some(caps) = DATE_LINE.captures(text) {
            if dates == 0 {
                let year = caps.get(1).expect("group");
                acc.year.push(acc.field(
                    year.as_str().parse().expect("digits"),
                    sub_range(line, year.as_str()),
                    Confidence::Medium,
                ));
            }
            dates += 1;
        } else if let Some(value) = text.strip_prefix(':') {
            // `: 26`, `: 4 ( doiID: 10.1111/hex.v26.4 )`, `: 1692-1702`.
            let value = value.split('(').next().unwrap_or("").trim();
            colon_values.push((line, value));
        } else if PUBLISHER_LIKE.is_match(text) && !text.contains(" : ") {
            let name = text.split(" (").next().unwrap_or(text).trim();
            acc.publisher.push(acc.field(name.to_owned(), sub_range(line, name), Confidence::Medium));
        } else if counts[text] >= 2 && text.split_whitespace().count() <= 6 {
            acc.container_short.push(acc.field(text.to_owned(), line.range(), Confidence::Medium));
        } else if text.split_whitespace().count() >= 2 && text.chars().next().is_some_and(char::is_uppercase) {
            // The full journal name; a subtitle after ` : ` is dropped, as journals cite it.
            let name = text.split(" : ").next().unwrap_or(text).trim();
            acc.container_title.push(acc.field(name.to_owned(), sub_range(line, name), Confidence::Medium));
            acc.article_signals += 1;
        }
    }
    let mut numbers = colon_values.iter().filter(|(_, v)| !v.is_empty());
    for (line, value) in numbers.by_ref() {
        if let Some(pages) = value.contains(['-', '–', '‐']).then(|| normalise_pages(value)).flatten() {
            acc.pages.push(acc.field(pages, sub_range(line, value), Confidence::Medium));
        } else if acc.volume.iter().all(|f| f.at.range.start as usize != line.start) && value.len() < 10 {
            let target = if colon_values.iter().position(|(l, _)| l.start == line.start) == Some(0) {
                &mut acc.volume
            } else {
                &mut acc.issue
            };
            target.push(Field::new(
                value.to_string(),
                super::Candidates::loc(acc.file, sub_range(line, value)),
                Confidence::Medium,
            ));
        }
    }
}

fn article_block(acc: &mut Candidates, body: &[&Line], heading: usize) {
    let lines: Vec<&Line> = block_lines(body, heading).copied().filter(|l| !l.is_blank()).collect();
    let Some(doi_at) = lines.iter().position(|l| find_dois(l.text).len() == 1 && l.text.starts_with("10.")) else {
        return;
    };
    // ScienceOpen lists an article's identifiers as publisher id, DOI, PMC number, PubMed id.
    // Two bare numbers right after the DOI are read in that order; anything else is left alone.
    let numbers: Vec<&Line> = lines[doi_at + 1..]
        .iter()
        .copied()
        .take_while(|l| l.text.chars().all(|c| c.is_ascii_digit()))
        .filter(|l| (6..=9).contains(&l.text.len()))
        .collect();
    if numbers.len() == 2 {
        acc.pmcid.push(acc.field(format!("PMC{}", numbers[0].text), numbers[0].range(), Confidence::Medium));
        acc.pmid.push(acc.field(numbers[1].text.to_owned(), numbers[1].range(), Confidence::Medium));
        acc.article_signals += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Titles

static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:skip to|jump to|search|browse|menu|sign in|log ?in|register|subscribe|download|share|bookmark|cite this|print|export|view (?:item|article|pdf)|read (?:this|more|the)|full text|open access|is open access|pdf|altmetric|crossref|[0-9]+\s+citations?|citations?|views?|recommends?|\+1|collections?|shares?|metrics|there is no author summary|an official website|the site is secure|the \.gov means|federal government websites|access keys|we use cookies|this website uses cookies|accept (?:all )?cookies|privacy|terms of|contact us|page not found|back to|go to|home\b|related|similar|you may also|people also|figure [0-9]|table [0-9]|research-article|original article|review article|(?:received|accepted|revised|submitted|published)\b)")
        .expect("valid regex")
});

/// Words holding a letter, counted up to `cap`. Title tests run on every head line of every
/// page, so ASCII lines (nearly all) are counted over bytes rather than decoded characters;
/// the whitespace set is `char::is_whitespace`'s ASCII part, so both ways agree.
pub(super) fn count_words_with_letters(text: &str, cap: usize) -> usize {
    if text.is_ascii() {
        text.as_bytes()
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r'))
            .filter(|w| w.iter().any(u8::is_ascii_alphabetic))
            .take(cap)
            .count()
    } else {
        text.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).take(cap).count()
    }
}

/// A line that could be a title: several words, not a sentence, not a label, not site chrome.
pub(crate) fn is_title_shaped(text: &str) -> bool {
    let len = text.len();
    if !(15..=400).contains(&len) {
        return false;
    }
    // The cheap tests of the first and last characters go first: most lines of a page fail
    // one of them, and this runs on every line of the head of every page.
    let first = text.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_ascii_digit() || first == '"' || first == '‘' || first == '“') {
        return false;
    }
    if text.ends_with('.') && !text.ends_with("et al.") || text.ends_with(',') || text.ends_with(';') {
        return false;
    }
    if text.contains(['|', '•', '©', '@', '{', '}', '<', '>']) || text.contains("http") || text.contains("www.") {
        return false;
    }
    let words = count_words_with_letters(text, 61);
    let has_colon = text.contains(": ");
    if words < 4 && !(has_colon && words >= 3) || words > 60 {
        return false;
    }
    // `Label: value` lines are fields, not titles, unless the part before the colon is long
    // (titles have subtitles: `Coproduction without experts: a study…`).
    if let Some((head, _)) = text.split_once(':')
        && head.split_whitespace().count() <= 2
    {
        return false;
    }
    // Sentences with several full stops are prose.
    if text.matches(". ").count() >= 2 {
        return false;
    }
    !NOISE.is_match(text)
}

/// A title-shaped line printed twice is the page's title: chrome is rarely repeated word for
/// word. A repeated line that ends in a colon is a title broken before its subtitle, which the
/// next line holds.
fn repeated_titles(acc: &mut Candidates, body: &[&Line], shaped: &[&Line]) {
    let mut seen: HashMap<&str, (usize, &Line)> = HashMap::new();
    // Co-authors share affiliations, so an affiliation line is often printed twice.
    for line in shaped.iter().filter(|l| !is_affiliation(l.text) && !l.text.starts_with("Affiliation")) {
        seen.entry(line.text).or_insert((0, line)).0 += 1;
    }
    let mut repeated: Vec<&(usize, &Line)> = seen.values().filter(|(n, _)| *n >= 2).collect();
    repeated.sort_by_key(|(_, l)| l.start);
    for (_, line) in repeated {
        if !line.text.ends_with(':') {
            acc.title.push(acc.field(collapse_whitespace(line.text), line.range(), Confidence::High));
            return;
        }
        let Some(at) = body.iter().position(|l| l.start == line.start) else { continue };
        let Some(next) = next_non_blank(body, at + 1, false).map(|j| body[j]) else { continue };
        let subtitle = next.text;
        if subtitle.len() <= 250
            && subtitle.starts_with(char::is_uppercase)
            && subtitle.split_whitespace().count() >= 2
            && !subtitle.ends_with([':', ','])
            && !is_field_heading(subtitle)
            && find_dois(subtitle).is_empty()
            && names::parse_byline(subtitle).is_none()
        {
            let joined = format!("{} {}", collapse_whitespace(line.text), collapse_whitespace(subtitle));
            acc.title.push(acc.field(joined, line.start..next.end(), Confidence::High));
            return;
        }
    }
}

/// A byline read from the lines under a title or an `Authors` heading.
pub(crate) struct Byline {
    pub people: Vec<(Person, std::ops::Range<usize>)>,
    /// At least two names, or affiliation markers: not three capitalised words of chrome.
    pub trusted: bool,
}

/// Reads the names from `body[start]` on: one or several a line, with affiliation markers,
/// bullets or numbering. Marker-only lines, e-mail addresses and `Affiliation…` lines between
/// names are passed over; any other line ends the block. `None` when `body[start]` is not names.
pub(crate) fn author_block(body: &[&Line], start: usize) -> Option<Byline> {
    let mut people = Vec::new();
    let mut marked = false;
    let mut most_on_a_line = 0;
    // Whether the block's last line leaves the list open: a marker line under a name, or a
    // name line ending in a comma or `and`.
    let mut open = true;
    for line in body.get(start..)?.iter().take(200) {
        if line.is_blank() {
            continue;
        }
        if is_kicker(line.text) || is_field_heading(line.text) {
            break;
        }
        // Names glued where their links were lost are looked for on the block's first line.
        let parsed = names::parse_byline(line.text)
            .or_else(|| if people.is_empty() { names::parse_glued_byline(line.text) } else { None });
        if let Some((list, m)) = parsed {
            // A further line of names must show it belongs: a marker, two names, or an open list.
            if !(people.is_empty() || m || open || list.len() >= 2) {
                break;
            }
            marked |= m;
            most_on_a_line = most_on_a_line.max(list.len());
            people.extend(list.into_iter().map(|p| (p, line.range())));
            let end = line.text.trim_end();
            open = end.ends_with([',', '&']) || end.ends_with(" and");
            continue;
        }
        open = names::is_marker_line(line.text);
        if people.is_empty() {
            // A family-first list with semicolons (`Hoppe, Thomas; Coenen, Frans`).
            let list = names::parse_semicolon_list(line.text).filter(|l| l.people.len() >= 2)?;
            let people = list.people.into_iter().map(|p| (p, line.range())).collect();
            return Some(Byline { people, trusted: true });
        }
        if is_kicker(line.text) || is_field_heading(line.text) {
            break;
        }
        if names::is_marker_line(line.text) || line.text.contains('@') || line.text.starts_with("Affiliation") {
            continue;
        }
        break;
    }
    // Unmarked one-name lines in a row are as likely a list of topics (`Gene Activation`).
    (!people.is_empty()).then_some(Byline { trusted: marked || most_on_a_line >= 2, people })
}

static KICKER: LazyLock<Regex> = LazyLock::new(|| {
    // The article-type line publishers print right above a title.
    Regex::new(r"(?i)^(?:original[ -]|research[ -]|review[ -]|brief[ -]|short[ -]|mini[ -]|systematic[ -]|case[ -]|technical[ -]|regular[ -])?(?:research|review|article|paper|report|communication|perspective|editorial|commentary|opinion|letter|note|essay)(?:[ -]article|[ -]paper)?$")
        .expect("valid regex")
});

static AFFILIATION_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:University|Universit[äy]|Université|Universidad|Universidade|Università|Department|Institute|Institut|Instituto|Faculty|Faculté|Fakultät|School|College|Centre|Center|Laboratory|Laboratoire|Academy|Hospital)\b")
        .expect("valid regex")
});

/// An affiliation line (`1Department of …, University of …, City, Country`).
fn is_affiliation(text: &str) -> bool {
    text.len() < 400 && text.contains(',') && AFFILIATION_WORD.is_match(text)
}

fn next_non_blank(body: &[&Line], from: usize, skip_markers: bool) -> Option<usize> {
    (from..body.len().min(from + 6))
        .find(|&j| !(body[j].is_blank() || skip_markers && names::is_marker_line(body[j].text)))
}

/// The index of the byline block that starts at `at` (after a `By` line, if any), when trusted.
fn byline_at(body: &[&Line], at: usize) -> Option<(Byline, bool)> {
    let text = body[at].text;
    if text.eq_ignore_ascii_case("by") {
        let start = next_non_blank(body, at + 1, false)?;
        return author_block(body, start).map(|b| (b, true));
    }
    author_block(body, at).filter(|b| b.trusted).map(|b| (b, false))
}

/// The page's own title when layout alone shows it: a title-shaped line of the page head that
/// something corroborates. Right above it, an article-type line (`Original Paper`); right
/// below it, a byline, an affiliation, or the abstract heading. A line wrapped by the page
/// (`…and Research` / `Directions` / byline) is joined. A first title-shaped line with nothing
/// around it (a logo's text, a banner, a "Next article" link) is never taken.
fn corroborated_title(acc: &mut Candidates, body: &[&Line]) {
    let head_end = body.iter().position(|l| is_abstract_heading(l.text)).map_or(body.len().min(80), |i| i + 1);
    let mut first_shaped = true;
    for i in 0..head_end {
        let line = body[i];
        // Titles may end with a full stop on record pages (`…: the winners and the losers.`).
        let text = line.text.strip_suffix('.').filter(|t| !t.ends_with("et al")).unwrap_or(line.text);
        // A link to the full text after the title (`Title · Full text`).
        let text = text.split(" · ").next().unwrap_or(text).trim_end();
        // An article-type line run into the title by flattened text (`RESEARCH ARTICLE Title`).
        let unprefixed = strip_caps_kicker(text);
        let glued_kicker = unprefixed.len() < text.len();
        let text = unprefixed;
        if !(is_title_shaped(text) || text.contains(": ") && is_title_with_short_head(text)) {
            continue;
        }
        let is_first = std::mem::replace(&mut first_shaped, false);
        // A title holds no DOI, does not end in a colon, and is not itself a byline.
        if text.ends_with(':')
            || YEAR.find(text).is_some_and(|m| m.start() == 0)
            || [" №", ", с. ", ", p. ", ", pp. ", ", vol. "].iter().any(|n| text.contains(n))
            || !find_dois(text).is_empty()
            || names::parse_byline(text).is_some_and(|(people, marked)| marked || people.len() >= 2)
        {
            continue;
        }
        let Some(next) = next_non_blank(body, i + 1, false) else { continue };
        let title_range = sub_range(line, text);
        // A title wrapped onto a short second line, the byline under it.
        let fragment = body[next].text;
        if fragment.len() <= 40
            && (1..=4).contains(&fragment.split_whitespace().count())
            && fragment.starts_with(char::is_alphabetic)
            && !fragment.ends_with(['.', ':'])
            && !fragment.eq_ignore_ascii_case("by")
            && names::parse_byline(fragment).is_none()
            && !is_field_heading(fragment)
            && let Some(after) = next_non_blank(body, next + 1, false)
            && let Some((byline, _)) = byline_at(body, after)
        {
            let joined = format!("{} {}", collapse_whitespace(text), fragment);
            acc.title.push(acc.field(joined, line.start..body[next].end(), Confidence::Medium));
            push_byline(acc, byline);
            return;
        }
        // The article-type line sits above the title on most sites, below it on some
        // (`research-article`).
        // A kicker below counts only when no title-shaped line follows it (else it is the
        // next title's kicker, as under a "Next article" link).
        let after_kicker = glued_kicker
            || (0..i).rev().take(4).find(|&j| !body[j].is_blank()).is_some_and(|j| is_kicker(body[j].text))
            || is_kicker(body[next].text)
                && next_non_blank(body, next + 1, false).is_none_or(|k| !is_title_shaped(body[k].text));
        // `2010, Frontiers in Ecology and the Environment` right under the title.
        let year_journal = YEAR_JOURNAL.captures(body[next].text);
        if let Some(caps) = &year_journal {
            let (y, j) = (caps.name("year").expect("group").as_str(), caps.name("journal").expect("group").as_str());
            acc.year.push(acc.field(y.parse().expect("digits"), sub_range(body[next], y), Confidence::Medium));
            acc.container_title.push(acc.field(
                j.trim().to_owned(),
                sub_range(body[next], j.trim()),
                Confidence::Medium,
            ));
        }
        let below = next_non_blank(body, i + 1, true).unwrap_or(next);
        // Only the page's first title-shaped line counts as the one above the abstract: a
        // funder or section line may sit there too.
        let before_abstract = is_first && is_abstract_heading(body[next].text);
        let above_doi = is_first && is_doi_line(body[next].text);
        // A record that opens with the work's DOI line (`DOI: 10.…  Jan 11, 2019`) puts the
        // title right under it.
        let below_doi =
            is_first && (0..i).rev().find(|&j| !body[j].is_blank()).is_some_and(|j| is_doi_line(body[j].text));
        // Aggregators print the title, then a metadata block under its own heading.
        let above_block = is_first
            && (is_field_heading(body[next].text) && !is_abstract_heading(body[next].text)
                || is_metadata_label_line(body[next].text));
        let byline = byline_at(body, next);
        // A byline under a short journal line (`Journal Name` / names) is the title's when
        // something else corroborates the title; alone it does not (a journal name over a
        // supplement line over a byline looks the same).
        let byline_under = || {
            let short = body[next].text;
            let under = next_non_blank(body, next + 1, false)?;
            (short.len() <= 60 && !short.ends_with('.') && names::parse_byline(short).is_none())
                .then(|| byline_at(body, under))
                .flatten()
        };
        let lost_byline = is_lost_byline(body[next].text);
        if after_kicker
            || before_abstract
            || above_doi
            || below_doi
            || above_block
            || year_journal.is_some()
            || is_author_label_line(body[next].text)
            || byline.is_some()
            || lost_byline
            || is_affiliation(body[below].text)
        {
            acc.title.push(acc.field(collapse_whitespace(text), title_range, Confidence::Medium));
            if after_kicker || before_abstract || year_journal.is_some() {
                acc.article_signals += 1;
            }
            if let Some((byline, _)) = byline.or_else(byline_under) {
                year_under_byline(acc, body, &byline);
                push_byline(acc, byline);
            }
            return;
        }
    }
}

/// A title in capitals (`ФЕНОМЕН ПОНЯТТЯ СТАЛИЙ РОЗВИТОК`): several words, nothing lower case.
fn is_caps_title(text: &str) -> bool {
    // Cheapest first: most lines are long, or show a lower-case letter within a few characters.
    (15..=300).contains(&text.len())
        && !text.chars().any(char::is_lowercase)
        && !text.ends_with('.')
        && !text.contains(['/', '|', '@'])
        && text.chars().filter(|c| c.is_alphabetic()).count() >= 10
        && text.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count() >= 3
}

/// `В.І. Сацик,` as the one author of an article prints above it: initials, then the family
/// name, and nothing else on the line.
fn initials_byline(text: &str) -> Option<Person> {
    let text = text.trim_end_matches([',', ' ']);
    if text.len() > 60 {
        return None;
    }
    let (mut people, _) = names::parse_byline(text)?;
    let person = people.pop().filter(|_| people.is_empty())?;
    person
        .given()
        .split_whitespace()
        .all(|w| w.ends_with('.') && w.chars().filter(|c| c.is_alphabetic()).count() <= 3)
        .then_some(person)
}

/// Journals of Ukraine and Russia print the author above the title: a byline of initials and
/// family name, the author's degree and affiliation lines, then the title in capitals (a first
/// line ending in a colon continues on the next). The byline corroborates the title, and the
/// pair shows the page is an article.
fn byline_above_caps_title(acc: &mut Candidates, body: &[&Line]) {
    let head = body.len().min(80);
    for i in 0..head {
        if !is_caps_title(body[i].text) {
            continue;
        }
        // The byline: within the dozen lines above, with no other capitals title between.
        let mut byline = None;
        let mut looked = 0;
        for j in (0..i).rev() {
            if body[j].is_blank() {
                continue;
            }
            if looked == 12 || is_caps_title(body[j].text) {
                break;
            }
            looked += 1;
            if let Some(person) = initials_byline(body[j].text) {
                byline = Some((person, body[j].range()));
                break;
            }
        }
        let Some((person, byline_range)) = byline else { continue };
        let mut last = i;
        let mut title = collapse_whitespace(body[i].text);
        // The line after a colon continues the title when it is in capitals too.
        while title.ends_with(':')
            && let Some(next) = next_non_blank(body, last + 1, false)
            && body[next].text.len() <= 200
            && body[next].text.chars().any(char::is_alphabetic)
            && !body[next].text.chars().any(char::is_lowercase)
        {
            last = next;
            title = format!("{title} {}", collapse_whitespace(body[next].text));
        }
        acc.title.push(acc.field(title, body[i].start..body[last].end(), Confidence::Medium));
        acc.authors.push((vec![acc.field(person, byline_range, Confidence::Medium)], false, Confidence::Medium));
        acc.article_signals += 1;
        return;
    }
}

/// A title too short to be title-shaped (`Overview`, a book chapter's) is still the title when
/// it opens an aggregator's record: the first line, then the work's DOI link, then a labelled
/// metadata line (`Видання: …`).
fn short_title_above_doi(acc: &mut Candidates, body: &[&Line]) {
    let Some(first) = next_non_blank(body, 0, false) else { return };
    let text = body[first].text;
    let words = text.split_whitespace().count();
    if !(1..=3).contains(&words)
        || text.len() > 60
        || !text.starts_with(char::is_uppercase)
        || text.contains(|c: char| c.is_ascii_digit() || c == ':')
    {
        return;
    }
    let Some(doi) = next_non_blank(body, first + 1, false) else { return };
    let Some(label) = next_non_blank(body, doi + 1, false) else { return };
    if is_doi_line(body[doi].text) && is_metadata_label_line(body[label].text) {
        acc.title.push(acc.field(text.to_owned(), body[first].range(), Confidence::Medium));
    }
}

/// `RESEARCH ARTICLE Title…` → `Title…`: an upper-case article-type line that flattened text
/// ran into the title. Only a known article type is cut, and only before a mixed-case word.
fn strip_caps_kicker(text: &str) -> &str {
    let mut end = 0;
    for (n, word) in text.split(' ').enumerate().take(3) {
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_uppercase()) {
            break;
        }
        end += word.len() + usize::from(n > 0);
        let rest = text[end..].trim_start();
        if is_kicker(&text[..end])
            && rest.chars().next().is_some_and(char::is_uppercase)
            && rest.split(' ').next().is_some_and(|w| w.chars().any(char::is_lowercase))
        {
            return rest;
        }
    }
    text
}

/// An article-type line, perhaps bulleted (`• Review Article`).
fn is_kicker(text: &str) -> bool {
    KICKER.is_match(text.trim_start_matches(['•', '·', '-']).trim())
}

/// `Machine Learning: Algorithms, Real-World Applications…`: a title whose part before the
/// colon is as short as a label's. Taken only when the part after it reads as a title, and the
/// head is not a field label.
fn is_title_with_short_head(text: &str) -> bool {
    let Some((head, rest)) = text.split_once(": ") else { return false };
    let known_label = is_field_heading(head)
        || [
            "title",
            "journal",
            "source",
            "citation",
            "keywords",
            "received",
            "accepted",
            "published",
            "note",
            "url",
            "supplement",
            "special issue",
            "volume",
            "issue",
            "section",
            "collection",
            "series",
            "editorial",
        ]
        .contains(&head.trim().to_lowercase().as_str());
    !known_label
        && head.starts_with(char::is_uppercase)
        && rest.starts_with(char::is_uppercase)
        && rest.split_whitespace().count() >= 3
        && is_title_shaped(&format!("{} {rest}", head.replace(' ', "-")))
}

/// `Journal: …`, `Видання: …`, `Authors: …`: a labelled line of a metadata block.
fn is_metadata_label_line(text: &str) -> bool {
    text.split_once(':').is_some_and(|(label, value)| {
        !value.trim().is_empty()
            && ["journal", "видання", "издание", "authors", "автори", "авторы", "publisher", "видавець", "published in"]
                .contains(&label.trim().to_lowercase().as_str())
    })
}

/// A labelled author line (`verfasst von : Jane Doe`, `Authors: …`).
fn is_author_label_line(text: &str) -> bool {
    text.split_once(':').is_some_and(|(label, value)| {
        !value.trim().is_empty()
            && ["authors", "author", "by", "verfasst von", "autoren", "autor", "auteurs", "autores", "автори", "авторы"]
                .contains(&label.trim().to_lowercase().as_str())
    })
}

/// A byline whose names were links the saved page lost: only the separators are left
/// (`&`, `, ORCID Icon, , & ORCID Icon`).
fn is_lost_byline(text: &str) -> bool {
    let rest = text.replace("ORCID Icon", "").replace("ORCID", "");
    rest.contains([',', '&']) && rest.chars().all(|c| c == ',' || c == '&' || c.is_whitespace())
}

/// A line that is a DOI link and little else (`https://doi.org/10.… · Full text`).
fn is_doi_line(text: &str) -> bool {
    let found = find_dois(text);
    found.len() == 1 && found[0].full_range.start == 0 && text.len() - found[0].full_range.end < 20
}

/// A cover page (a working paper, a thesis) prints its year alone on the line under the byline.
fn year_under_byline(acc: &mut Candidates, body: &[&Line], byline: &Byline) {
    let Some((_, last)) = byline.people.last() else { return };
    let Some(at) = body.iter().position(|l| l.start == last.start) else { return };
    // Marker lines are not skipped: a year is all digits, as they are.
    let Some(next) = next_non_blank(body, at + 1, false).map(|j| body[j]) else { return };
    if next.text.len() == 4
        && let Some(m) = YEAR.find(next.text)
    {
        acc.year.push(acc.field(m.as_str().parse().expect("digits"), next.range(), Confidence::Medium));
    }
}

fn push_byline(acc: &mut Candidates, byline: Byline) {
    let fields = byline.people.into_iter().map(|(p, r)| acc.field(p, r, Confidence::Medium)).collect();
    acc.authors.push((fields, false, Confidence::Medium));
}

// ---------------------------------------------------------------------------------------------
// Abstract and keywords

/// `Abstract` and its headings in other languages (and Elsevier's spaced `a b s t r a c t`).
pub(crate) fn is_abstract_heading(text: &str) -> bool {
    let t = text.trim_end_matches(':').trim();
    if t.len() > 40 {
        return false;
    }
    const HEADINGS: &[&str] = &[
        "abstract",
        "a b s t r a c t",
        "анотація",
        "аннотация",
        "резюме",
        "zusammenfassung",
        "kurzfassung",
        "résumé",
        "resumen",
        "resumo",
        "riassunto",
        "samenvatting",
        "streszczenie",
        "abstrakt",
        "摘要",
    ];
    HEADINGS.iter().any(|h| t.eq_ignore_ascii_case(h)) || !t.is_ascii() && HEADINGS.contains(&t.to_lowercase().as_str())
}

static ABSTRACT_SUBHEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:background|objectives?|aims?|purpose|introduction|context|methods?|methodology|design|setting|participants|interventions?|measurements|results|findings|conclusions?|discussion|interpretation|implications|limitations|patient or public contribution|public contribution|trial registration|originality|value|practical implications|research limitations)\s*:?$")
        .expect("valid regex")
});

fn abstract_text(acc: &mut Candidates, body: &[&Line]) {
    // Only the English heading opens an abstract here: `Zusammenfassung` or `Résumé` also head
    // the summary of a blog post, and an abstract alone makes a record.
    let english = |text: &str| text.trim_end_matches(':').trim().eq_ignore_ascii_case("abstract");
    if let Some(heading) = body.iter().position(|l| english(l.text)) {
        let mut parts: Vec<&Line> = Vec::new();
        for line in &body[heading + 1..] {
            if line.is_blank() {
                continue;
            }
            let text = line.text;
            // The keyword list follows the abstract on many sites, as a long labelled line.
            let lower = text.get(..12).unwrap_or(text).to_ascii_lowercase();
            if lower.starts_with("keywords") || lower.starts_with("key words") {
                break;
            }
            let is_prose = text.len() >= 100;
            // Structured abstracts keep their sub-headings (Background, Methods…).
            if is_prose || ABSTRACT_SUBHEADING.is_match(text) {
                parts.push(line);
            } else {
                break;
            }
        }
        while parts.last().is_some_and(|l| l.text.len() < 100) {
            parts.pop();
        }
        if let (Some(first), Some(last)) = (parts.first(), parts.last()) {
            let value = parts.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
            acc.abstract_text.push(acc.field(value, first.start..last.end(), Confidence::High));
            acc.article_signals += 1;
        }
        return;
    }
    // Repository records print the abstract without a heading: the first block of prose
    // lines. Layout only, so it is shown only when other signals say this is an article.
    let mut i = 0;
    while i < body.len() {
        if is_prose_line(body[i].text) {
            let start = i;
            while i < body.len() && !body[i].is_blank() && !LABEL.is_match(body[i].text) {
                i += 1;
            }
            let block = &body[start..i];
            let total: usize = block.iter().map(|l| l.text.len()).sum();
            if total >= 300 {
                let value = block.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
                acc.abstract_text.push(acc.field(value, block[0].start..block[block.len() - 1].end(), Confidence::Low));
                return;
            }
        }
        i += 1;
    }
}

fn is_prose_line(text: &str) -> bool {
    text.len() >= 150 && text.split_whitespace().count() >= 20 && text.contains(". ") && !text.contains(" | ")
}

static KEYWORD_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Ll}[\p{Ll}\s\-]*(?:\s*,\s*\p{Ll}[\p{Ll}\s\-]*){2,}$").expect("valid regex"));

fn keywords(acc: &mut Candidates, body: &[&Line]) {
    // A `Keywords` heading with the list on the next line.
    for (i, line) in body.iter().enumerate() {
        if (line.text.eq_ignore_ascii_case("keywords") || line.text.eq_ignore_ascii_case("key words"))
            && let Some(next) = body[i + 1..].iter().find(|l| !l.is_blank())
        {
            {
                let fields: Vec<_> = split_keywords(next.text)
                    .into_iter()
                    .map(|k| acc.field(k.into(), next.range(), Confidence::High))
                    .collect();
                if fields.len() >= 2 {
                    acc.keywords.push((fields, Confidence::High));
                }
            }
        }
    }
    // An unlabelled lower-case list that the page prints twice (ScienceOpen's keyword tags).
    let mut seen: HashMap<String, (usize, &Line)> = HashMap::new();
    for line in body {
        if line.text.len() < 400 && KEYWORD_LINE.is_match(line.text) {
            let key = line.text.split(',').map(str::trim).collect::<Vec<_>>().join(",");
            seen.entry(key).or_insert((0, line)).0 += 1;
        }
    }
    let mut repeated: Vec<_> = seen.values().filter(|(n, _)| *n >= 2).collect();
    repeated.sort_by_key(|(_, l)| l.start);
    if let Some((_, line)) = repeated.first() {
        let fields: Vec<_> = split_keywords(line.text)
            .into_iter()
            .map(|k| acc.field(k.into(), line.range(), Confidence::Medium))
            .collect();
        acc.keywords.push((fields, Confidence::Medium));
    }
}

// ---------------------------------------------------------------------------------------------
// Text flattened from a PDF: title and byline on one line

/// An initial as bylines print it: `H.`, `N`, `J.-P.`.
fn is_initial(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_uppercase) && (chars.next().is_none() || w.len() <= 5 && w.contains(".-"))
}

/// A family name word with its affiliation markers cut (`Grod1*` → `Grod`).
fn family_word(word: &str) -> Option<&str> {
    let w = word.trim_end_matches(|c: char| c.is_ascii_digit() || "*†‡§¶☯⁎∗#✉,".contains(c));
    let mut chars = w.chars();
    (chars.next().is_some_and(char::is_uppercase)
        && w.chars().any(char::is_lowercase)
        && w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c)))
    .then_some(w)
}

/// A given name word (`Ada`, `Ki-Seok`), not an initial.
fn given_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && word.chars().count() >= 2
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && word.chars().skip(1).any(char::is_lowercase)
}

/// One name at the start of `text` (`Jose A. Garrido  Abstract—…`): a given name, initials,
/// a family name. Returns the person and what follows.
fn name_at_start(text: &str) -> Option<(Person, &str)> {
    let mut words = text.split_whitespace();
    let given = words.next().filter(|w| given_word(w))?;
    let mut initials = Vec::new();
    let family = loop {
        let w = words.next()?;
        if is_initial(w) && initials.len() < 3 {
            initials.push(w);
        } else {
            break family_word(w)?;
        }
    };
    let end = family.as_ptr() as usize - text.as_ptr() as usize + family.len();
    let rest = text[end..].trim_start_matches(|c: char| c.is_ascii_digit() || "*†‡§¶☯⁎∗#✉".contains(c));
    let mut given_names = vec![given];
    given_names.extend(initials);
    Some((Person::new(family, given_names.join(" ")), rest))
}

/// A whole byline item between commas (`Soon Yeol Kwon`, `Maite Pons1☯*`).
fn bounded_name(item: &str) -> Option<Person> {
    let name = item.trim().trim_end_matches(|c: char| c.is_ascii_digit() || "*†‡§¶☯⁎∗#✉ ".contains(c));
    names::parse_given_first(name)
}

/// One name at the end of `text` (`…transistors Wooseok Song`): the text before it and the person.
fn name_at_end(text: &str) -> Option<(&str, Person)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = words.len();
    let family = family_word(words.last()?)?;
    let mut k = n.checked_sub(2)?;
    let mut initials = Vec::new();
    while k > 0 && is_initial(words[k]) && initials.len() < 3 {
        initials.insert(0, words[k]);
        k -= 1;
    }
    if !given_word(words[k]) {
        return None;
    }
    let before = &text[..words[k].as_ptr() as usize - text.as_ptr() as usize];
    let mut given_names = vec![words[k]];
    given_names.extend(initials);
    Some((before.trim_end(), Person::new(family, given_names.join(" "))))
}

/// `Title words Ada Quill, Ben T. Rook, and Cy Moss Department of…`: a line of text flattened from
/// a PDF whose title runs into its byline. Read only when the byline has two names or more and
/// closes with `and` or `&`, the word before the first name is lower case (so no title word is
/// taken for a given name), the part before it is title-shaped, and what follows the last name
/// starts a new part (a capital, `Abstract`, the line's end).
fn split_title_byline(text: &str) -> Option<(&str, Vec<Person>)> {
    let first_comma = text.find(", ")?;
    let (title, first) = name_at_end(&text[..first_comma])?;
    let title = strip_caps_kicker(title);
    let last_title_word = title.split_whitespace().last()?;
    if !last_title_word.starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit()) || !is_title_shaped(title) {
        return None;
    }
    let mut people = vec![first];
    let mut rest = &text[first_comma + 2..];
    for _ in 0..40 {
        let last = rest.strip_prefix("and ").or_else(|| rest.strip_prefix("& "));
        if let Some(last) = last {
            let (person, after) = name_at_start(last)?;
            people.push(person);
            rest = after;
            break;
        }
        let item_end = rest.find(", ").unwrap_or(rest.len());
        let item = &rest[..item_end];
        if let Some((one, last)) = item.split_once(" & ").or_else(|| item.split_once(" and ")) {
            people.push(bounded_name(one)?);
            let (person, after) = name_at_start(last)?;
            people.push(person);
            rest = after;
            break;
        }
        if item_end == rest.len() {
            return None;
        }
        people.push(bounded_name(item)?);
        rest = &rest[item_end + 2..];
    }
    let rest = rest.trim_start();
    let new_part = rest.is_empty() || rest.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit());
    (people.len() >= 2 && new_part).then_some((title, people))
}

fn flattened_title_byline(acc: &mut Candidates, body: &[&Line]) {
    for line in body.iter().filter(|l| !l.is_blank()).take(40) {
        let text = line.text;
        if text.len() < 40 || !text.contains(", ") || is_abstract_heading(text) {
            continue;
        }
        let Some((title, people)) = split_title_byline(text) else { continue };
        let rest = &text[title.len()..];
        acc.title.push(acc.field(collapse_whitespace(title), sub_range(line, title), Confidence::Medium));
        let fields = people.into_iter().map(|p| acc.field(p, line.range(), Confidence::Medium)).collect();
        acc.authors.push((fields, false, Confidence::Medium));
        // An abstract or an affiliation right after the byline shows this is an article's head.
        if rest.contains("Abstract") || is_affiliation(rest.get(..400.min(rest.len())).unwrap_or(rest)) {
            acc.article_signals += 1;
        }
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Records printed as a table with pipes (`Format: | Article |`)

/// Label cells of catalogue and thesis records printed as a pipe table: `Label: | value |`, or
/// `Label: |` with the value on the lines below, up to the cell's closing `|`.
fn pipe_rows(acc: &mut Candidates, body: &[&Line]) {
    let mut fields = 0;
    let mut title = false;
    for (i, line) in body.iter().enumerate() {
        // Most lines have no pipe, and skip the two searches.
        if !line.text.contains('|') {
            continue;
        }
        let Some(colon) = line.text.find(": |").or_else(|| line.text.find(":|")) else { continue };
        let label = line.text[..colon].trim();
        if label.is_empty() || label.len() > 48 || label.contains('|') {
            continue;
        }
        let label = lower(label);
        let after = line.text[colon + 1..].trim_start().trim_start_matches('|').trim();
        let mut values: Vec<(&Line, &str)> = Vec::new();
        if !after.is_empty() {
            values.push((line, after.trim_end_matches('|').trim()));
        } else {
            for next in body[i + 1..].iter().take(4) {
                let t = next.text.trim();
                let closes = t.ends_with('|');
                let value = t.trim_end_matches('|').trim();
                if !value.is_empty() {
                    values.push((next, value));
                }
                if closes {
                    break;
                }
            }
        }
        for (value_line, value) in values {
            if value.is_empty() || value.chars().all(|c| c == ',' || c.is_whitespace()) {
                continue;
            }
            let before = (acc.title.len(), acc.year.len(), acc.authors.len());
            labelled_field(acc, value_line, &label, value);
            title |= acc.title.len() > before.0;
            fields += usize::from(acc.year.len() > before.1 || acc.authors.len() > before.2);
        }
    }
    // A labelled title with a labelled year or authors is a record, as a key: value page is.
    if title && fields > 0 {
        acc.article_signals += 1;
    }
}
