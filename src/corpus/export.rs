//! Writing records out as a bibliography: CSL-JSON, CSL-YAML (pandoc's `references:` form) and
//! BibTeX. Like `csl.rs`, a serialisation boundary: empty fields are left out, never invented.

use std::fmt::Write;

use serde_json::Value;

use super::csl::{self, Flavour};
use super::{Corpus, RecordId, WorkType};

/// Bibliography formats `refls export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Bibtex,
    CslJson,
    CslYaml,
}

/// The bibliography of `ids`, in that order.
pub fn write(corpus: &Corpus, ids: &[RecordId], format: Format) -> String {
    match format {
        Format::CslJson => {
            let items: Vec<Value> = ids.iter().map(|&id| csl::item(corpus, id, Flavour::Plain)).collect();
            let mut res = serde_json::to_string_pretty(&items).expect("JSON values serialise");
            res.push('\n');
            res
        }
        Format::CslYaml => {
            let mut res = String::from("---\nreferences:\n");
            for &id in ids {
                yaml_item(&mut res, &csl::item(corpus, id, Flavour::Plain));
            }
            res.push_str("...\n");
            res
        }
        Format::Bibtex => {
            let mut res = String::new();
            for &id in ids {
                bibtex_entry(&mut res, corpus, id);
                res.push('\n');
            }
            res
        }
    }
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

fn bibtex_entry(out: &mut String, corpus: &Corpus, id: RecordId) {
    let record = corpus.record(id);
    let _ = writeln!(out, "@{}{{{},", bibtex_type(record.work_type), corpus.key(id));
    let mut field = |name: &str, value: String| {
        let _ = writeln!(out, "  {name} = {{{value}}},");
    };
    if !record.authors.is_empty() {
        let mut names: Vec<String> = record
            .authors
            .iter()
            .map(|a| {
                if a.value.given.is_empty() {
                    // A one-part name (an organisation) is protected so it is not split.
                    format!("{{{}}}", tex(&a.value.family))
                } else {
                    format!("{}, {}", tex(&a.value.family), tex(&a.value.given))
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
    } else if let Some(short) = &record.container_short {
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
    if let Some(publisher) = &record.publisher {
        field("publisher", tex(&publisher.value));
    }
    if let Some(doi) = record.doi() {
        field("doi", tex(doi.as_str()));
    }
    if let Some(issn) = record.issn.first() {
        field("issn", issn.value.clone());
    }
    if let Some(pmid) = &record.pmid {
        field("pmid", pmid.value.clone());
    }
    if let Some(pmcid) = &record.pmcid {
        field("pmcid", pmcid.value.clone());
    }
    if !record.keywords.is_empty() {
        let words: Vec<String> = record.keywords.iter().map(|k| tex(&k.value)).collect();
        field("keywords", words.join(", "));
    }
    if let Some(text) = &record.abstract_text {
        field("abstract", tex(&text.value.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    out.push_str("}\n");
}
