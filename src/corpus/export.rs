//! Writing records out as a bibliography: CSL-JSON, CSL-YAML (pandoc's `references:` form) and
//! BibTeX. Like `csl.rs`, a serialisation boundary: empty fields are left out, never invented.

use std::fmt::Write;

use serde_json::Value;

use super::abstracts::AbstractReader;
use super::csl::{self, Flavour};
use super::{Corpus, RecordId, WorkType};

/// Bibliography formats `refls export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Bibtex,
    CslJson,
    CslYaml,
}

/// The bibliography of `ids`, in that order, each under its corpus key. Two records that
/// share a key (a bibliography gave both the same one) are told apart by another name, so
/// no two entries of the output share a key.
pub fn write(corpus: &Corpus, ids: &[RecordId], format: Format) -> String {
    let mut used = std::collections::HashSet::new();
    let mut entries = Vec::with_capacity(ids.len());
    for &id in ids {
        let key = corpus.key(id);
        let name = if used.contains(key) {
            let other = corpus.unique_name(id).filter(|n| !used.contains(*n)).map(str::to_owned);
            other.unwrap_or_else(|| {
                (2..).map(|n| format!("{key}-{n}")).find(|n| !used.contains(n.as_str())).unwrap_or_default()
            })
        } else {
            key.to_owned()
        };
        used.insert(name.clone());
        entries.push((id, name));
    }
    write_named(corpus, &entries, format)
}

/// The bibliography of `entries`, in that order: each record under the name given with it,
/// which is what a manuscript cites it by (`smith2020`, `doi:10.1000/xyz`, an alias). A record
/// cited by two names is written twice, once under each, so that pandoc finds it under both.
/// Names must be distinct. A name BibTeX cannot hold as a key (it has a blank, a comma or a
/// brace) is left out of BibTeX output; CSL has no such limit.
pub fn write_named(corpus: &Corpus, entries: &[(RecordId, String)], format: Format) -> String {
    let abstracts = AbstractReader::new(corpus);
    let item = |id: RecordId, name: &str| {
        let mut item = csl::item_reading(corpus, id, Flavour::Plain, &abstracts);
        if let Value::Object(map) = &mut item {
            map.insert("id".into(), Value::String(name.to_owned()));
        }
        item
    };
    match format {
        Format::CslJson => {
            let items: Vec<Value> = entries.iter().map(|(id, name)| item(*id, name)).collect();
            let mut res = serde_json::to_string_pretty(&items).expect("JSON values serialise");
            res.push('\n');
            res
        }
        Format::CslYaml => {
            let mut res = String::from("---\nreferences:\n");
            for (id, name) in entries {
                yaml_item(&mut res, &item(*id, name));
            }
            res.push_str("...\n");
            res
        }
        Format::Bibtex => {
            let mut res = String::new();
            for (id, name) in entries.iter().filter(|(_, name)| is_bibtex_key(name)) {
                bibtex_entry(&mut res, corpus, *id, name, &abstracts);
                res.push('\n');
            }
            res
        }
    }
}

/// Whether BibTeX (and pandoc's BibTeX reader) can read `name` as an entry key.
pub fn is_bibtex_key(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '{' | '}' | '"' | '%' | '#'))
}

/// YAML for one CSL item. Scalars are written as JSON strings and numbers, which YAML reads
/// as double-quoted scalars: no quoting rules of our own to get wrong.
fn yaml_item(out: &mut String, item: &Value) {
    let Value::Object(map) = item else { return };
    let mut first = true;
    for (key, value) in map {
        let lead = if first { "- " } else { "  " };
        first = false;
        yaml_value(out, lead, key, value, 1);
    }
}

fn yaml_value(out: &mut String, lead: &str, key: &str, value: &Value, depth: usize) {
    let indent = "  ".repeat(depth);
    match value {
        Value::Array(items) => {
            let _ = writeln!(out, "{lead}{key}:");
            for item in items {
                match item {
                    Value::Object(map) => {
                        let mut first = true;
                        for (k, v) in map {
                            let item_lead = if first { format!("{indent}- ") } else { format!("{indent}  ") };
                            first = false;
                            yaml_value(out, &item_lead, k, v, depth + 2);
                        }
                    }
                    other => {
                        let _ = writeln!(out, "{indent}- {}", scalar(other));
                    }
                }
            }
        }
        Value::Object(map) => {
            let _ = writeln!(out, "{lead}{key}:");
            for (k, v) in map {
                yaml_value(out, &format!("{indent}  "), k, v, depth + 1);
            }
        }
        other => {
            let _ = writeln!(out, "{lead}{key}: {}", scalar(other));
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        // Flow sequences of numbers: `date-parts: [[2023]]` items.
        Value::Array(_) => value.to_string(),
        other => other.to_string(),
    }
}

fn bibtex_type(work_type: WorkType) -> &'static str {
    match work_type {
        WorkType::ArticleJournal | WorkType::Article => "article",
        WorkType::Book => "book",
        WorkType::Chapter => "incollection",
        WorkType::PaperConference => "inproceedings",
        WorkType::Report => "techreport",
        WorkType::Thesis => "phdthesis",
        WorkType::Webpage | WorkType::Dataset | WorkType::Manuscript => "misc",
    }
}

/// Escapes text for a BibTeX field: TeX specials are escaped, braces balanced.
fn tex(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' | '%' | '$' | '#' | '_' => {
                res.push('\\');
                res.push(ch);
            }
            '{' | '}' => res.push_str(if ch == '{' { "\\{" } else { "\\}" }),
            '\\' => res.push_str("\\textbackslash{}"),
            '~' => res.push_str("\\textasciitilde{}"),
            '^' => res.push_str("\\textasciicircum{}"),
            _ => res.push(ch),
        }
    }
    res
}

fn bibtex_entry(out: &mut String, corpus: &Corpus, id: RecordId, key: &str, abstracts: &AbstractReader) {
    let record = corpus.record(id);
    let _ = writeln!(out, "@{}{{{},", bibtex_type(record.work_type), key);
    let mut field = |name: &str, value: String| {
        let _ = writeln!(out, "  {name} = {{{value}}},");
    };
    if !record.authors.is_empty() {
        let mut names: Vec<String> = record
            .authors
            .iter()
            .map(|a| {
                if a.value.given().is_empty() {
                    // A one-part name (an organisation) is protected so it is not split.
                    format!("{{{}}}", tex(a.value.family()))
                } else {
                    format!("{}, {}", tex(a.value.family()), tex(a.value.given()))
                }
            })
            .collect();
        if record.et_al {
            names.push("others".to_owned());
        }
        field("author", names.join(" and "));
    }
    if let Some(title) = record.title() {
        // Double braces keep the title's capitalisation as the source shows it.
        field("title", format!("{{{}}}", tex(title)));
    }
    if let Some(container) = &record.container_title {
        let name = if record.work_type == WorkType::Chapter || record.work_type == WorkType::PaperConference {
            "booktitle"
        } else {
            "journal"
        };
        field(name, tex(&container.value));
    } else if let Some(short) = &record.extra().container_short {
        field("journal", tex(&short.value));
    }
    if let Some(year) = record.year() {
        field("year", year.to_string());
    }
    for (name, value) in [("volume", &record.volume), ("number", &record.issue)] {
        if let Some(value) = value {
            field(name, tex(&value.value));
        }
    }
    if let Some(pages) = &record.pages {
        field("pages", tex(&pages.value.replace('-', "--")));
    }
    if let Some(publisher) = &record.extra().publisher {
        field("publisher", tex(&publisher.value));
    }
    if let Some(doi) = record.doi() {
        field("doi", tex(doi.as_str()));
    }
    if let Some(issn) = record.extra().issn.first() {
        field("issn", issn.value.clone());
    }
    if let Some(pmid) = &record.rare().pmid {
        field("pmid", pmid.value.clone());
    }
    if let Some(pmcid) = &record.rare().pmcid {
        field("pmcid", pmcid.value.clone());
    }
    if !record.keywords.is_empty() {
        let words: Vec<String> = record.keywords.iter().map(|k| tex(&k.value)).collect();
        field("keywords", words.join(", "));
    }
    if let Some(text) = abstracts.text(record) {
        field("abstract", tex(&text.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    out.push_str("}\n");
}
