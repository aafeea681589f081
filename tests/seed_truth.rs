//! The hand-labelled truth of the seed corpus (`tests/data/seed-truth.json`, a copy of
//! `../shared/seed-truth.json`) against what `refls index seeds --format json` prints, field
//! for field: every value the truth lists must be reached, and where it says null, nothing
//! may be written.

use std::process::Command;

use serde_json::Value;

fn index_json() -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(["index", "seeds", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run refls");
    assert!(output.status.success(), "refls index failed: {}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    serde_json::from_slice::<Value>(&output.stdout).expect("JSON output").as_array().expect("array").clone()
}

fn truth() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/seed-truth.json")).expect("truth");
    serde_json::from_str(&text).expect("truth JSON")
}

fn document<'a>(items: &'a [Value], file: &str) -> &'a Value {
    items
        .iter()
        .find(|item| {
            item["refls"]["kind"] == "document"
                && item["refls"]["source"]["path"].as_str().is_some_and(|p| p.ends_with(file))
        })
        .unwrap_or_else(|| panic!("no document record for {file}"))
}

/// A string field: equal to the truth (or one of its `_accept` values), or absent when null.
fn check_string(
    file: &str,
    item: &Value,
    csl_name: &str,
    truth_doc: &Value,
    truth_name: &str,
    failures: &mut Vec<String>,
) {
    let expected = &truth_doc[truth_name];
    let actual = item.get(csl_name);
    match (expected, actual) {
        (Value::Null, None) => {}
        (Value::Null, Some(actual)) => failures.push(format!("{file}: {csl_name} should be empty, got {actual}")),
        (expected, actual) => {
            let accepted: Vec<&Value> = std::iter::once(expected)
                .chain(truth_doc[format!("{truth_name}_accept")].as_array().into_iter().flatten())
                .collect();
            let matches = actual.is_some_and(|a| accepted.iter().any(|e| e.as_str() == a.as_str()));
            if !matches {
                failures.push(format!("{file}: {csl_name} should be {expected}, got {actual:?}"));
            }
        }
    }
}

#[test]
fn seed_index_reproduces_the_truth() {
    let items = index_json();
    let truth = truth();
    let mut failures = Vec::new();
    for doc in truth["documents"].as_array().expect("documents") {
        let file = doc["file"].as_str().expect("file");
        let item = document(&items, file);
        for (csl, name) in [
            ("title", "title"),
            ("container-title", "container"),
            ("DOI", "doi"),
            ("PMID", "pmid"),
            ("PMCID", "pmcid"),
            ("ISSN", "issn"),
            ("publisher", "publisher"),
            ("volume", "volume"),
            ("issue", "issue"),
            ("page", "pages"),
        ] {
            check_string(file, item, csl, doc, name, &mut failures);
        }
        if doc.get("container_short").is_some() {
            check_string(file, item, "container-title-short", doc, "container_short", &mut failures);
        }
        let year = item["issued"]["date-parts"][0][0].as_i64();
        if year != doc["year"].as_i64() {
            failures.push(format!("{file}: year should be {}, got {year:?}", doc["year"]));
        }
        let authors: Vec<(String, String)> = item["author"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a.get("literal").is_none())
            .map(|a| (a["family"].as_str().unwrap_or("").to_owned(), a["given"].as_str().unwrap_or("").to_owned()))
            .collect();
        let expected: Vec<(String, String)> = doc["authors"]
            .as_array()
            .expect("authors")
            .iter()
            .map(|a| (a["family"].as_str().unwrap().to_owned(), a["given"].as_str().unwrap().to_owned()))
            .collect();
        if authors != expected {
            failures.push(format!("{file}: authors should be {expected:?}, got {authors:?}"));
        }
        let et_al = item["refls"]["et_al"].as_bool().unwrap_or(false);
        let others = item["author"].as_array().is_some_and(|a| a.iter().any(|p| p["literal"] == "others"));
        assert_eq!(et_al, others, "{file}: et al. is written as pandoc's `others`");
        if et_al != doc["et_al"].as_bool().unwrap() {
            failures.push(format!("{file}: et_al should be {}", doc["et_al"]));
        }
        if let Some(corresponding) = doc.get("corresponding_author") {
            if &item["refls"]["corresponding_author"] != corresponding {
                failures.push(format!(
                    "{file}: corresponding author should be {corresponding}, got {}",
                    item["refls"]["corresponding_author"]
                ));
            }
        }
        if item.get("abstract").is_some() != doc["has_abstract"].as_bool().unwrap() {
            failures.push(format!("{file}: has_abstract should be {}", doc["has_abstract"]));
        }
        let keywords: Vec<&str> = item["keyword"].as_str().map(|k| k.split(", ").collect()).unwrap_or_default();
        let expected: Vec<&str> = doc["keywords"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        if keywords != expected {
            failures.push(format!("{file}: keywords should be {expected:?}, got {keywords:?}"));
        }
        // Every listed reference is a cited record linked both ways with this document.
        let key = item["id"].as_str().unwrap();
        let cites: Vec<&str> = item["refls"]["cites"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        let references = doc["references"].as_array().unwrap();
        if cites.len() != references.len() {
            failures.push(format!("{file}: cites {} works, the page lists {}", cites.len(), references.len()));
        }
        for reference in references {
            let title = reference["title"].as_str().unwrap();
            let Some(cited) = items.iter().find(|i| i["title"] == title) else {
                failures.push(format!("{file}: no record for cited work {title:?}"));
                continue;
            };
            if !cited["refls"]["cited_by"].as_array().unwrap().iter().any(|k| k == key) {
                failures.push(format!("{file}: {title:?} is not linked back to {key}"));
            }
            if !cites.contains(&cited["id"].as_str().unwrap()) {
                failures.push(format!("{file}: {key} does not list {title:?} in cites"));
            }
            if let Some(doi) = reference["doi"].as_str() {
                if cited["DOI"] != doi {
                    failures.push(format!("{file}: {title:?} should have DOI {doi}, got {}", cited["DOI"]));
                }
            }
            if let Some(family) = reference.get("first_author").and_then(Value::as_str) {
                if cited["author"][0]["family"] != family {
                    failures.push(format!("{file}: {title:?} first author should be {family}"));
                }
            }
            if let Some(year) = reference.get("year").and_then(Value::as_i64) {
                if cited["issued"]["date-parts"][0][0].as_i64() != Some(year) {
                    failures.push(format!("{file}: {title:?} year should be {year}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// "The dark side of coproduction" is cited by 001 (title only) and 003 (with DOI): one record.
#[test]
fn one_work_reached_from_two_pages_is_one_record() {
    let items = index_json();
    let dark: Vec<&Value> = items
        .iter()
        .filter(|i| i["title"].as_str().is_some_and(|t| t.starts_with("The dark side of coproduction")))
        .collect();
    assert_eq!(dark.len(), 1);
    let cited_by: Vec<&str> =
        dark[0]["refls"]["cited_by"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(cited_by.len(), 2);
    assert_eq!(dark[0]["DOI"], "10.1186/s12961-019-0432-3");
}

#[test]
fn keys_are_unique_and_readable() {
    let items = index_json();
    let mut keys: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert!(keys.contains(&"buckley2022multistakeholder"));
    assert!(keys.contains(&"ikhile2023virtuous"));
    let count = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), count, "duplicate keys");
}

#[test]
fn missing_path_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_refls")).args(["index", "/no/such/dir"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/dir: no such file or directory"));
}

#[test]
fn embedded_seeds_match_the_seeds_directory() {
    let embedded = Command::new(env!("CARGO_BIN_EXE_refls")).args(["index", "--format", "json"]).output().unwrap();
    let from_disk = Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(["index", "seeds", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&embedded.stdout), String::from_utf8_lossy(&from_disk.stdout));
    for (name, text) in refls::corpus::seeds::SEEDS {
        let on_disk = std::fs::read_to_string(format!("{}/seeds/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(&on_disk, text, "{name} differs from its embedded copy");
    }
}
