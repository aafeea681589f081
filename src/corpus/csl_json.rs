//! CSL-JSON bibliographies (Zotero's and Better BibTeX's "CSL JSON" export, pandoc's
//! `--bibliography refs.json`) read into records, one record per item.
//!
//! The serde types here describe the format boundary: what a CSL item's fields may hold, with
//! the leniency real exports need (numbers written as strings or numbers, one ISSN or a list,
//! dates as `date-parts`, `raw` or `literal`). An item is read field by field from a parsed
//! [`serde_json::Value`], so one malformed field costs only that field and one malformed item
//! only that item. serde_json keeps no positions, so a small scanner over the (already
//! validated) text finds the byte range of each item and of each field value, for
//! go-to-definition and for problems. CSL-YAML shares the mapping through [`SourceItem`] and
//! [`read_items`].

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::names::{self, FieldSink, LineIndex, range32};
use super::problem::{Problem, Severity};
use super::record::{FileId, Record, RecordKind, WorkType};

/// Reads a CSL-JSON file: an array of items, or one item. A file that is not valid JSON gives
/// one problem at the place of the error and no records.
pub fn read(file: FileId, text: &str) -> (Vec<Record>, Vec<Problem>) {
    // A byte-order mark is not JSON, but Windows tools write one; offsets stay file offsets.
    let start = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = &text[start..];
    if body.trim().is_empty() {
        return (Vec::new(), Vec::new());
    }
    let value: Value = match serde_json::from_str(body) {
        Ok(value) => value,
        Err(err) => {
            let lines = LineIndex::new(body);
            let at = start + lines.offset(body, err.line(), err.column());
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            let problem =
                Problem::new(Severity::Error, "csl-syntax", format!("not valid CSL-JSON, nothing was read: {err}"));
            return (Vec::new(), vec![problem.at(range32(at..end))]);
        }
    };
    if let Some(urls) = url2cite_cache(&value) {
        let (mut records, problems) = read_items(file, url2cite_items(text, urls));
        // A Manubot-style alias names a URL as `url:https://…`; the record answers to both.
        for record in &mut records {
            if let Some(alias) = record.given_key.as_ref().map(|url| format!("url:{url}")) {
                record.rare_mut().alias_keys.push(alias);
            }
        }
        return (records, problems);
    }
    let spans = json_items(text.as_bytes(), start);
    let values = match value {
        Value::Array(items) => items,
        item @ Value::Object(_) => vec![item],
        _ => {
            let problem =
                Problem::new(Severity::Error, "csl-syntax", "a CSL-JSON file holds an array of items or one item");
            return (Vec::new(), vec![problem.at(range32(start..text.len()))]);
        }
    };
    let whole = range32(start..text.len());
    let items = values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let span = spans.get(i);
            let range = span.map_or(whole.clone(), |s| range32(s.range.clone()));
            let fields = match value {
                Value::Object(map) => Some(
                    map.into_iter()
                        .map(|(name, value)| {
                            let at =
                                span.and_then(|s| s.members.get(&name)).map_or(range.clone(), |r| range32(r.clone()));
                            (name, value, at)
                        })
                        .collect(),
                ),
                _ => None,
            };
            SourceItem { range, fields }
        })
        .collect();
    read_items(file, items)
}

/// The `urls` map of pandoc-url2cite's `citation-cache.json` (`{"_info": …, "urls": {url:
/// {"fetched", "bibtex", "csl"}}}`), which holds the CSL item fetched for each cited URL.
fn url2cite_cache(value: &Value) -> Option<&serde_json::Map<String, Value>> {
    let top = value.as_object()?;
    if top.contains_key("type") || top.contains_key("title") {
        return None;
    }
    top.get("urls")?.as_object()
}

/// One item per cached URL, named by its URL (url2cite cites `[@https://…]`, or a label whose
/// link definition is the URL). serde_json keeps no positions, so each item's place is where
/// its URL first appears as a JSON string; its fields share that place.
fn url2cite_items(text: &str, urls: &serde_json::Map<String, Value>) -> Vec<SourceItem> {
    // An entry without a CSL item is a URL url2cite could not resolve; it holds nothing to read.
    urls.iter()
        .filter(|(_, entry)| entry.get("csl").is_some_and(Value::is_object))
        .map(|(url, entry)| {
            let quoted = serde_json::to_string(url).unwrap_or_default();
            let at = text.find(&quoted).map_or(0..text.len(), |i| i..i + quoted.len());
            let range = range32(at);
            let fields = entry.get("csl").and_then(Value::as_object).map(|csl| {
                let mut fields: Vec<(String, Value, Range<u32>)> = csl
                    .iter()
                    .filter(|(name, _)| !matches!(name.as_str(), "id" | "citation-key"))
                    .map(|(name, value)| (name.clone(), value.clone(), range.clone()))
                    .collect();
                fields.push(("id".to_owned(), Value::String(url.clone()), range.clone()));
                if csl.get("URL").is_none() {
                    fields.push(("URL".to_owned(), Value::String(url.clone()), range.clone()));
                }
                fields
            });
            SourceItem { range, fields }
        })
        .collect()
}

/// One CSL item as found in a file, whatever the syntax: where it is, and each field with where
/// its value is. `fields` is `None` when the item is not a mapping at all.
pub struct SourceItem {
    pub range: Range<u32>,
    pub fields: Option<Vec<(String, Value, Range<u32>)>>,
}

/// Turns items into records. CSL-JSON and CSL-YAML share this and its problem codes (`csl-…`):
/// the two are one format in two syntaxes.
pub fn read_items(file: FileId, items: Vec<SourceItem>) -> (Vec<Record>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(items.len());
    let mut first_key: HashMap<String, Range<u32>> = HashMap::new();
    let mut sink = FieldSink { file, problems: &mut problems };
    for item in items {
        let Some(fields) = &item.fields else {
            sink.problems.push(
                Problem::new(Severity::Error, "csl-item", "this item is not a mapping of fields; it was not read")
                    .at(item.range.clone()),
            );
            continue;
        };
        let item = Item { fields, range: item.range.clone() };
        let record = to_record(&item, &mut sink);
        let label = record.given_key.as_deref().unwrap_or("without id").to_owned();
        if let Some(key) = &record.given_key {
            let at = item.span(&["citation-key", "id"]);
            if first_key.contains_key(key.as_str()) {
                sink.problems.push(
                    Problem::new(
                        Severity::Warning,
                        "csl-duplicate-id",
                        format!("id `{key}` is used by another item too; both were read"),
                    )
                    .at(at),
                );
            } else {
                first_key.insert(key.to_string(), at);
            }
        } else {
            sink.problems.push(
                Problem::new(Severity::Hint, "csl-missing-id", "item has no `id`, so it cannot be cited by key")
                    .at(item.range.clone()),
            );
        }
        let missing = names::missing_fields(&record);
        if !missing.is_empty() {
            sink.problems.push(
                Problem::new(
                    Severity::Hint,
                    "csl-missing-field",
                    format!("item `{label}` has no {}", missing.join(", ")),
                )
                .at(item.span(&["citation-key", "id"])),
            );
        }
        records.push(record);
    }
    names::sort_problems(&mut problems);
    (records, problems)
}

// ---------------------------------------------------------------------------------------------
// The format's types

/// A CSL value that exports write as a string or a number (`"volume": 26`, `"volume": "26"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// A CSL name: a person in parts, or an institution as one `literal`.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CslName {
    family: Option<Scalar>,
    given: Option<Scalar>,
    literal: Option<Scalar>,
    non_dropping_particle: Option<Scalar>,
    dropping_particle: Option<Scalar>,
    suffix: Option<Scalar>,
}

/// A name list entry: hand-written YAML sometimes gives a name as plain `Family, Given` text.
#[derive(Deserialize)]
#[serde(untagged)]
enum NameEntry {
    Parts(CslName),
    Text(String),
}

/// A CSL date: `{"date-parts": [[2023, 5, 8]]}`, `{"raw": "2023-05-08"}`, `{"literal": "Spring
/// 2020"}`; pandoc's YAML also accepts a plain `2023-05-08`, and old pandoc-citeproc files a list
/// of `{year: 2012}` mappings.
#[derive(Deserialize)]
#[serde(untagged)]
enum CslDate {
    Object(CslDateObject),
    List(Vec<CslDateObject>),
    Text(Scalar),
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CslDateObject {
    date_parts: Option<Vec<Vec<Scalar>>>,
    raw: Option<Scalar>,
    literal: Option<Scalar>,
    year: Option<Scalar>,
}

impl CslDateObject {
    fn year(&self) -> Option<i32> {
        let first = self.date_parts.as_ref().and_then(|parts| parts.first()).and_then(|part| part.first());
        let from_parts = first.and_then(|y| match y {
            Scalar::Int(n) => i32::try_from(*n).ok(),
            other => other.text().trim().parse().ok(),
        });
        from_parts
            .or_else(|| self.year.as_ref().and_then(|y| names::year_in(&y.text())))
            .or_else(|| self.raw.as_ref().and_then(|r| names::year_in(&r.text())))
            .or_else(|| self.literal.as_ref().and_then(|l| names::year_in(&l.text())))
    }
}

impl CslDate {
    fn year(&self) -> Option<i32> {
        match self {
            CslDate::Object(date) => date.year(),
            CslDate::List(dates) => dates.iter().find_map(CslDateObject::year),
            CslDate::Text(text) => names::year_in(&text.text()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Item to record

struct Item<'a> {
    fields: &'a [(String, Value, Range<u32>)],
    range: Range<u32>,
}

impl Item<'_> {
    /// The first of `names` present in the item. CSL names are case-sensitive, but exports
    /// disagree on `DOI` and `doi`, so a case-insensitive match is the fallback.
    fn get(&self, names: &[&str]) -> Option<(&str, &Value, Range<u32>)> {
        names.iter().find_map(|name| {
            let found = self
                .fields
                .iter()
                .rev()
                .find(|(k, _, _)| k == name)
                .or_else(|| self.fields.iter().rev().find(|(k, _, _)| k.eq_ignore_ascii_case(name)))?;
            (!found.1.is_null()).then(|| (found.0.as_str(), &found.1, found.2.clone()))
        })
    }

    fn span(&self, names: &[&str]) -> Range<u32> {
        self.get(names).map_or(self.range.clone(), |(_, _, r)| r)
    }

    /// A field read as `T`; a value of the wrong shape is reported and left out. `what` names
    /// the expected shape for the message, since serde's own message for an untagged enum
    /// ("did not match any variant") does not tell a researcher what to fix.
    fn parse<T: DeserializeOwned>(
        &self,
        names: &[&str],
        what: &str,
        sink: &mut FieldSink<'_>,
    ) -> Option<(T, Range<u32>)> {
        let (name, value, range) = self.get(names)?;
        match T::deserialize(value) {
            Ok(parsed) => Some((parsed, range)),
            Err(_) => {
                sink.problems.push(wrong_shape(name, what, range.clone()));
                None
            }
        }
    }

    /// A text field: a string, a number, or a list of them (joined with commas).
    fn text(&self, names: &[&str], sink: &mut FieldSink<'_>) -> Option<(String, Range<u32>)> {
        let (name, value, range) = self.get(names)?;
        let text = match value {
            Value::Array(values) => values.iter().map(scalar_text).collect::<Option<Vec<_>>>().map(|v| v.join(", ")),
            value => scalar_text(value),
        };
        if text.is_none() {
            sink.problems.push(wrong_shape(name, "text", range.clone()));
        }
        Some((text?, range))
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn wrong_shape(name: &str, what: &str, range: Range<u32>) -> Problem {
    Problem::new(Severity::Warning, "csl-field", format!("field `{name}` does not hold {what}; it was left out"))
        .at(range)
}

fn work_type(csl_type: &str) -> WorkType {
    match csl_type {
        "article-journal" => WorkType::ArticleJournal,
        "book" => WorkType::Book,
        "chapter" | "entry-encyclopedia" | "entry-dictionary" | "entry" => WorkType::Chapter,
        "paper-conference" => WorkType::PaperConference,
        "report" => WorkType::Report,
        "thesis" => WorkType::Thesis,
        "webpage" | "post" | "post-weblog" => WorkType::Webpage,
        "dataset" => WorkType::Dataset,
        "manuscript" => WorkType::Manuscript,
        _ => WorkType::Article,
    }
}

/// Removes the HTML-like rich-text tags that CSL allows in titles (`<i>E. coli</i>`,
/// `<span class="nocase">`), which Zotero writes into its exports.
fn strip_markup(text: &str) -> String {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"</?(?:i|b|em|strong|sup|sub|sc|span)(?:\s[^>]*)?>"#).expect("valid regex"));
    TAG.replace_all(text, "").into_owned()
}

/// An abstract's text from its raw JSON value (a string literal, quotes included), converted as
/// the reading converts it: escapes resolved, rich-text tags removed, spacing collapsed. `None`
/// when the value is not one string or nothing is left. Reading an abstract back from its file
/// goes through this (see `super::abstracts`).
pub(super) fn abstract_of_value(raw: &str) -> Option<String> {
    let value: String = serde_json::from_str(raw).ok()?;
    let text = names::collapse_whitespace(&strip_markup(&value));
    (!text.is_empty()).then_some(text)
}

fn to_record(item: &Item<'_>, sink: &mut FieldSink<'_>) -> Record {
    let csl_type = item.text(&["type"], sink).map(|(t, _)| t).unwrap_or_default();
    let mut record = Record::new(RecordKind::Document, work_type(csl_type.trim()), sink.at(item.range.clone()));
    // `citation-key` (CSL 1.0.2) is the key the researcher chose; Zotero's own export keeps
    // its item URI in `id` and puts that key beside it. Better BibTeX writes both the same.
    // Manubot's manual references name an item by the citation it answers to
    // (`standard_citation: raw:laplacian`) when they give no `id`.
    record.given_key = item
        .text(&["citation-key"], sink)
        .or_else(|| item.text(&["id"], sink))
        .or_else(|| item.text(&["standard_citation"], sink))
        .map(|(key, _)| key.trim().into())
        .filter(|key: &compact_str::CompactString| !key.is_empty());

    if let Some((title, range)) = item.text(&["title"], sink) {
        record.title = sink.text(&strip_markup(&title), range);
    }
    // A list of names; hand-written files sometimes give a single name without the list.
    let authors =
        item.parse::<OneOrMany<NameEntry>>(&["author"], "a list of names", sink).map(|(n, r)| (n.into_vec(), r));
    let editors =
        || item.parse::<OneOrMany<NameEntry>>(&["editor"], "a list of names", sink).map(|(n, r)| (n.into_vec(), r));
    if let Some((people, range)) = authors.filter(|(names, _)| !names.is_empty()).or_else(editors) {
        for entry in people {
            let person = match entry {
                NameEntry::Text(text) => names::person_from_inverted(&text),
                NameEntry::Parts(name) => {
                    let text = |s: &Option<Scalar>| s.as_ref().map(Scalar::text).unwrap_or_default();
                    match &name.literal {
                        Some(literal) => names::person_from_family_given(&literal.text(), "", ""),
                        None => {
                            let family = format!("{} {}", text(&name.non_dropping_particle), text(&name.family));
                            let given = format!("{} {}", text(&name.given), text(&name.dropping_particle));
                            names::person_from_family_given(&family, &given, &text(&name.suffix))
                        }
                    }
                }
            };
            match person {
                Some(p) if p.family().eq_ignore_ascii_case("others") && p.given().is_empty() => record.et_al = true,
                Some(p) => record.authors.push(sink.field(p, range.clone())),
                None => {}
            }
        }
    }
    if let Some((date, range)) = item.parse::<CslDate>(&["issued"], "a date", sink) {
        match date.year() {
            Some(year) => record.year = Some(sink.field(year, range)),
            None => {
                sink.problems.push(Problem::new(Severity::Hint, "invalid-year", "`issued` holds no year").at(range))
            }
        }
    }
    if let Some((value, range)) = item.text(&["container-title"], sink) {
        record.container_title = sink.text(&strip_markup(&value), range);
    }
    if let Some((value, range)) = item.text(&["container-title-short", "journalAbbreviation"], sink) {
        record.extra_mut().container_short = sink.text(&value, range);
    }
    if let Some((value, range)) = item.text(&["volume"], sink) {
        record.volume = sink.text(&value, range);
    }
    if let Some((value, range)) = item.text(&["issue"], sink) {
        record.issue = sink.text(&value, range);
    }
    if let Some((value, range)) = item.text(&["page"], sink) {
        record.pages = sink.pages(&value, range);
    }
    if let Some((value, range)) = item.text(&["DOI"], sink) {
        sink.doi(&mut record, &value, range);
    }
    if let Some((value, range)) = item.text(&["PMID"], sink) {
        sink.pmid(&mut record, &value, range);
    }
    if let Some((value, range)) = item.text(&["PMCID"], sink) {
        sink.pmcid(&mut record, &value, range);
    }
    if let Some((value, range)) = item.text(&["ISSN"], sink) {
        sink.issns(&mut record, &value, range, true);
    }
    if let Some((value, range)) = item.text(&["publisher"], sink) {
        record.extra_mut().publisher = sink.text(&value, range);
    }
    if let Some((value, range)) = item.text(&["abstract"], sink) {
        record.abstract_text = sink.text(&strip_markup(&value), range);
    }
    if let Some((value, range)) = item.text(&["keyword"], sink) {
        sink.keywords(&mut record, names::split_keywords(&value, &[',', ';']).map(str::to_owned), range);
    }
    // Manubot's `references.json` names an item by a short hash and records the citation it
    // was made from in its note (`standard_id: doi:10.1000/xyz`): the item answers to that
    // name too, so `@doi:10.1000/xyz` or `@url:…` finds it even without a DOI field.
    if let Some((note, _)) = item.text(&["note"], sink) {
        for line in note.lines() {
            let Some(id) = line.trim().strip_prefix("standard_id:") else { continue };
            let id = id.trim();
            // DOIs are looked up in lower case, as the index holds them.
            let id = match id.split_once(':') {
                Some((prefix, doi)) if prefix.eq_ignore_ascii_case("doi") => format!("doi:{}", doi.to_lowercase()),
                _ => id.to_owned(),
            };
            let id = id.as_str();
            if !id.is_empty()
                && record.given_key.as_deref() != Some(id)
                && !record.rare().alias_keys.iter().any(|k| k == id)
            {
                record.rare_mut().alias_keys.push(id.to_owned());
            }
        }
    }
    record
}

// ---------------------------------------------------------------------------------------------
// Where things are in the JSON text

/// Byte ranges of one top-level item and of its members' values.
struct JsonItem {
    range: Range<usize>,
    members: HashMap<String, Range<usize>>,
}

/// Finds the items of a JSON text that serde_json has accepted: the elements of a top-level
/// array, or the top-level object itself. Indexing is guarded all the same, so text that is not
/// valid JSON gives short or empty results rather than a panic.
fn json_items(bytes: &[u8], start: usize) -> Vec<JsonItem> {
    let mut items = Vec::new();
    let mut i = skip_ws(bytes, start);
    match bytes.get(i) {
        Some(b'[') => {
            i += 1;
            loop {
                i = skip_ws(bytes, i);
                if i >= bytes.len() || bytes[i] == b']' {
                    break;
                }
                let end = skip_value(bytes, i);
                items.push(json_item(bytes, i, end));
                i = skip_ws(bytes, end);
                if bytes.get(i) == Some(&b',') {
                    i += 1;
                } else {
                    break;
                }
            }
        }
        Some(b'{') => {
            let end = skip_value(bytes, i);
            items.push(json_item(bytes, i, end));
        }
        _ => {}
    }
    items
}

fn json_item(bytes: &[u8], start: usize, end: usize) -> JsonItem {
    let mut members = HashMap::new();
    if bytes.get(start) == Some(&b'{') {
        let mut i = start + 1;
        loop {
            i = skip_ws(bytes, i);
            if i >= end || bytes[i] != b'"' {
                break;
            }
            let key_end = skip_string(bytes, i);
            let key: Option<String> =
                std::str::from_utf8(&bytes[i..key_end]).ok().and_then(|k| serde_json::from_str(k).ok());
            i = skip_ws(bytes, key_end);
            if bytes.get(i) != Some(&b':') {
                break;
            }
            let value_start = skip_ws(bytes, i + 1);
            let value_end = skip_value(bytes, value_start);
            if let Some(key) = key {
                members.insert(key, value_start..value_end);
            }
            i = skip_ws(bytes, value_end);
            if bytes.get(i) == Some(&b',') {
                i += 1;
            } else {
                break;
            }
        }
    }
    JsonItem { range: start..end, members }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Just past the string starting at `i` (which is a `"`).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Just past the value starting at `i`.
fn skip_value(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'"') => skip_string(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < bytes.len() {
                match bytes[j] {
                    b'"' => {
                        j = skip_string(bytes, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            bytes.len()
        }
        _ => {
            let mut j = i;
            while j < bytes.len() && !matches!(bytes[j], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            j
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::names::render;
    use proptest::prelude::*;

    /// Reads `input` and renders its records and problems, one line each.
    fn check(input: &str) -> String {
        let (records, problems) = read(FileId(0), input);
        render(input, &records, &problems)
    }

    #[test]
    fn zotero_export() {
        insta::assert_snapshot!(check(include_str!("../../tests/data/bib/zotero.json")), @"
        http://zotero.org/users/local/kQ3vX9aB/items/8CE3N6YK [L2-52] | article-journal | Smith, Jane A.; Öztürk, Ali; van der Berg, Pieter | 2020 | The effect of exercise on depression: A systematic review and meta-analysis | Journal of Affective Disorders (J Affect Disord) | 270:101-110 | 10.1016/j.jad.2020.03.018
            pmid 32250000 | pmcid PMC7100000 | issn 0165-0327 | abstract Background: Exercise is often recommende…
        nguyen_role_2021 [L53-84] | article-journal | Nguyen, Thi Thu; Ó Briain, Seán | 2021 | The role of Drosophila RNA helicases in germline development | Development | 148(22):dev199876 | 10.1242/dev.199876
            issn 0950-1991 1477-9129 | publisher The Company of Biologists | keywords germline; RNA helicase; oogenesis
        http://zotero.org/users/local/kQ3vX9aB/items/Q2W7ZP4M [L85-107] | webpage | World Health Organization | 2022 | Physical activity | - | - | -
        http://zotero.org/users/local/kQ3vX9aB/items/7HJK2LMN [L108-137] | chapter | García-López, María | 2019 | Qualitative methods in health research | The SAGE handbook of qualitative research in health | -:45-67 | -
            publisher SAGE Publications
        ");
    }

    #[test]
    fn lenient_values() {
        insta::assert_snapshot!(check(r#"[
  {"id": 17, "type": "book", "title": "Numbers as ids", "author": [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}, {"literal": "others"}],
   "issued": {"literal": "Spring 1963"}, "volume": 3, "issue": 1.5, "ISSN": ["0028-0836", "1476-4687"], "keyword": "a; b, c"},
  {"id": "b", "type": "paper-conference", "title": {"text": "Wrong shape"}, "author": "Smith, J", "issued": {"date-parts": [["in press"]]},
   "DOI": "doi:10.1000/XYZ", "page": "10–20", "PMCID": 123},
  "not an item",
  {"type": "report", "title": "No id", "author": [{"family": "Doe"}], "issued": {"raw": "2001/2002"}},
  {"id": "b", "title": "Same id", "author": [{"family": "Doe", "given": "J"}], "issued": {"date-parts": [[2003]]}, "doi": "10.1000/lower"}
]"#), @"
        17 [L2-3] | book | King, Martin Luther, Jr. et al. | 1963 | Numbers as ids | - | 3(1.5) | -
            issn 0028-0836 1476-4687 | keywords a; b; c
        b [L4-5] | paper-conference | Smith, J | - | - | - | -:10-20 | 10.1000/xyz
            pmcid PMC123
        - [L7] | report | Doe | 2001 | No id | - | - | -
        b [L8] | article | Doe, J | 2003 | Same id | - | - | 10.1000/lower
        L4 Hint csl-missing-field: item `b` has no title, year
        L4 Warning csl-field: field `title` does not hold text; it was left out
        L4 Hint invalid-year: `issued` holds no year
        L6 Error csl-item: this item is not a mapping of fields; it was not read
        L7 Hint csl-missing-id: item has no `id`, so it cannot be cited by key
        L8 Warning csl-duplicate-id: id `b` is used by another item too; both were read
        ");
    }

    #[test]
    fn url2cite_cache_items_are_named_by_their_url() {
        let cache = r#"{"_info": "Auto-generated cache.", "urls": {
  "https://example.org/tides": {"fetched": "2021-01-01T00:00:00.000Z", "bibtex": ["@misc{x}"],
    "csl": {"id": "temp_1", "type": "webpage", "title": "Tides of the north", "author": [{"family": "Moss", "given": "Ada"}], "issued": {"date-parts": [[2019]]}}},
  "https://example.org/empty": {"fetched": "2021-01-01T00:00:00.000Z", "bibtex": []}}}"#;
        insta::assert_snapshot!(check(cache), @"https://example.org/tides [L2] | webpage | Moss, Ada | 2019 | Tides of the north | - | - | -");
    }

    #[test]
    fn one_item_and_empty_files() {
        insta::assert_snapshot!(check(r#"{"id": "solo", "type": "thesis", "title": "Alone", "author": [{"family": "Doe", "given": "J"}], "issued": {"date-parts": [[1999]]}}"#), @"solo [L1] | thesis | Doe, J | 1999 | Alone | - | - | -");
        insta::assert_snapshot!(check(""), @"");
        insta::assert_snapshot!(check("[]"), @"");
        insta::assert_snapshot!(check("\u{feff}[]"), @"");
        insta::assert_snapshot!(check("42"), @"L1 Error csl-syntax: a CSL-JSON file holds an array of items or one item");
    }

    #[test]
    fn malformed_json_is_one_problem_at_its_place() {
        let text = "[\n  {\"id\": \"a\", \"title\": \"A\"},\n  {\"id\": \"b\" \"title\": \"B\"}\n]\n";
        let (records, problems) = read(FileId(0), text);
        assert!(records.is_empty());
        insta::assert_snapshot!(render(text, &records, &problems), @"L3 Error csl-syntax: not valid CSL-JSON, nothing was read: expected `,` or `}` at line 3 column 14");
        let at = problems[0].range.clone().unwrap();
        assert_eq!(&text[at.start as usize..], "\"title\": \"B\"}\n]\n");
    }

    #[test]
    fn ranges_point_into_the_file() {
        let text = include_str!("../../tests/data/bib/zotero.json");
        let (records, _) = read(FileId(2), text);
        let slice = |r: &Range<u32>| &text[r.start as usize..r.end as usize];
        let anchor = slice(&records[1].anchor().range);
        assert!(anchor.starts_with("{\n\t\t\"id\": \"nguyen_role_2021\""), "{anchor}");
        assert!(anchor.ends_with("]\n\t\t\t]\n\t\t}\n\t}"), "{anchor}");
        assert_eq!(slice(&records[1].volume.as_ref().unwrap().at.range), "148");
        assert_eq!(slice(&records[0].doi.as_ref().unwrap().at.range), "\"10.1016/j.jad.2020.03.018\"");
        assert!(slice(&records[0].year.as_ref().unwrap().at.range).starts_with("{\n\t\t\t\"date-parts\""));
    }

    proptest! {
        #[test]
        fn never_panics(text in "[\\[\\]{}\":, a-z0-9\\-]{0,80}") {
            let _ = read(FileId(0), &text);
        }
    }
}
