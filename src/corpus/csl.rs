//! CSL-JSON output of records: the format pandoc, Zotero and citeproc read.
//!
//! This is a serialisation boundary, so it builds `serde_json` values here instead of putting
//! serde derives on the record model. Empty fields are left out, never written as `null` or
//! `""`: a bibliography must not claim a value the source does not show.

use serde_json::{Map, Value, json};

use super::abstracts::AbstractReader;
use super::{Corpus, Record, RecordId, RecordKind};

/// Whether to add refls's own `refls` object (provenance and links) to each item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Plain CSL-JSON, for pandoc's `--bibliography`.
    Plain,
    /// CSL-JSON plus a `refls` object per item.
    WithProvenance,
}

/// One CSL-JSON item.
pub fn item(corpus: &Corpus, id: RecordId, flavour: Flavour) -> Value {
    item_reading(corpus, id, flavour, &AbstractReader::new(corpus))
}

/// [`item`], with abstracts left in their files read through `abstracts` (one reader for
/// many items keeps each file open once).
pub fn item_reading(corpus: &Corpus, id: RecordId, flavour: Flavour, abstracts: &AbstractReader) -> Value {
    let record = corpus.record(id);
    let mut item = Map::new();
    item.insert("id".into(), json!(corpus.key(id)));
    item.insert("type".into(), json!(record.work_type.csl_name()));
    put(&mut item, "title", record.title());
    if !record.authors.is_empty() {
        let authors: Vec<Value> = record
            .authors
            .iter()
            .map(|a| {
                let mut person = Map::new();
                person.insert("family".into(), json!(a.value.family()));
                if !a.value.given().is_empty() {
                    person.insert("given".into(), json!(a.value.given()));
                }
                Value::Object(person)
            })
            .collect();
        let mut authors = authors;
        if record.et_al {
            // Pandoc's own convention for BibTeX's `and others`: citeproc prints "et al.".
            authors.push(json!({ "literal": "others" }));
        }
        item.insert("author".into(), Value::Array(authors));
    }
    if let Some(year) = record.year() {
        item.insert("issued".into(), json!({ "date-parts": [[year]] }));
    }
    put(&mut item, "container-title", record.container_title.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "container-title-short", record.extra().container_short.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "volume", record.volume.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "issue", record.issue.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "page", record.pages.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "DOI", record.doi().map(|d| d.as_str()));
    put(&mut item, "PMID", record.rare().pmid.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "PMCID", record.rare().pmcid.as_ref().map(|f| f.value.as_str()));
    // CSL's ISSN is one string; the first ISSN a page shows is the print ISSN.
    put(&mut item, "ISSN", record.extra().issn.first().map(|f| f.value.as_str()));
    put(&mut item, "publisher", record.extra().publisher.as_ref().map(|f| f.value.as_str()));
    put(&mut item, "abstract", abstracts.text(record).as_deref());
    if !record.keywords.is_empty() {
        let joined: Vec<&str> = record.keywords.iter().map(|k| k.value.as_str()).collect();
        item.insert("keyword".into(), json!(joined.join(", ")));
    }
    if flavour == Flavour::WithProvenance {
        item.insert("refls".into(), provenance(corpus, record));
    }
    Value::Object(item)
}

fn put(item: &mut Map<String, Value>, name: &str, value: Option<&str>) {
    if let Some(value) = value.filter(|v| !v.is_empty()) {
        item.insert(name.to_owned(), json!(value));
    }
}

fn provenance(corpus: &Corpus, record: &Record) -> Value {
    let location = |at: &super::Location| json!({ "path": corpus.file(at.file).path, "line": corpus.line_of(at) + 1 });
    let mut res = Map::new();
    res.insert("source".into(), location(record.anchor()));
    if record.anchors.len() > 1 {
        res.insert("locations".into(), Value::Array(record.anchors.iter().map(location).collect()));
    }
    res.insert(
        "kind".into(),
        json!(match record.kind {
            RecordKind::Document => "document",
            RecordKind::Cited => "cited",
        }),
    );
    res.insert("cites".into(), json!(record.rare().cites.iter().map(|&r| corpus.key(r)).collect::<Vec<_>>()));
    res.insert("cited_by".into(), json!(record.rare().cited_by.iter().map(|&r| corpus.key(r)).collect::<Vec<_>>()));
    if record.et_al {
        res.insert("et_al".into(), json!(true));
    }
    if let Some(person) = &record.rare().corresponding_author {
        res.insert(
            "corresponding_author".into(),
            json!({ "family": person.value.family(), "given": person.value.given() }),
        );
    }
    Value::Object(res)
}

/// Every record as a CSL-JSON array, in corpus order.
pub fn all_items(corpus: &Corpus, flavour: Flavour) -> Value {
    let abstracts = AbstractReader::new(corpus);
    Value::Array(
        (0..corpus.records.len()).map(|i| item_reading(corpus, RecordId(i as u32), flavour, &abstracts)).collect(),
    )
}
