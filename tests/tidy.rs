//! Tidy checks of the source tree, run with the tests (as rust-analyzer's tidy is): every
//! Rust file starts with a `//!` paragraph, only `src/lsp/` names tower-lsp or its types, no
//! test is ignored or expected to panic, and no regular expression uses Unicode `\d`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, acc: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, acc);
        } else if path.extension().is_some_and(|e| e == "rs") {
            acc.push(path);
        }
    }
}

fn files(sub: &str) -> Vec<PathBuf> {
    let mut acc = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(sub), &mut acc);
    acc.sort();
    acc
}

#[test]
fn every_file_starts_with_a_module_doc() {
    let mut missing = Vec::new();
    for path in files("src").into_iter().chain(files("tests")).chain(files("benches")) {
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.trim_start().starts_with("//!") {
            missing.push(path.display().to_string());
        }
    }
    assert!(missing.is_empty(), "files without a //! paragraph: {missing:?}");
}

#[test]
fn only_the_lsp_layer_names_tower_lsp() {
    let lsp_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lsp");
    let mut offenders = Vec::new();
    for path in files("src") {
        if path.starts_with(&lsp_dir) || path.ends_with("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("tower_lsp") || text.contains("lsp_types") {
            offenders.push(path.display().to_string());
        }
    }
    assert!(offenders.is_empty(), "LSP types outside src/lsp: {offenders:?}");
}

#[test]
fn no_ignored_or_should_panic_tests() {
    let mut offenders = Vec::new();
    let needles = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    for path in files("src").into_iter().chain(files("tests")) {
        let text = std::fs::read_to_string(&path).unwrap();
        if needles.iter().any(|n| text.contains(n)) {
            offenders.push(path.display().to_string());
        }
    }
    assert!(offenders.is_empty(), "ignored or should_panic tests: {offenders:?}");
}

/// The patterns written as string literals passed to `Regex::new` or `RegexBuilder::new` in
/// `text`, as the regex crate sees them: a raw string's body, or a plain string's with its
/// `\\` unescaped.
fn regex_literals(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["Regex::new(", "RegexBuilder::new("] {
        for (at, _) in text.match_indices(call) {
            let rest = text[at + call.len()..].trim_start();
            if let Some(after_r) = rest.strip_prefix('r') {
                let hashes = after_r.len() - after_r.trim_start_matches('#').len();
                let Some(body) = after_r[hashes..].strip_prefix('"') else { continue };
                if let Some(end) = body.find(&format!("\"{}", "#".repeat(hashes))) {
                    found.push(body[..end].to_owned());
                }
            } else if let Some(body) = rest.strip_prefix('"') {
                // The literal ends at the first quote not escaped by an odd run of backslashes.
                let bytes = body.as_bytes();
                let mut i = 0;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                found.push(body[..i.min(body.len())].replace("\\\\", "\\"));
            }
        }
    }
    found
}

/// Whether `pattern` holds the escape `\d` (not a literal backslash followed by `d`).
fn has_unicode_digit_class(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes[i + 1] == b'd' {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// `\d` is Unicode in the `regex` crate: every script's digits, compiled again for each
/// repetition. The DOI matcher's `\d{4,9}` was 380 KiB of automata, the page extractor's
/// patterns 2.4 MB of a seed-corpus session's 9.7 MB heap (issue 11). Years, volumes, pages
/// and identifiers are ASCII digits, and what they match is parsed as ASCII: write `[0-9]`.
#[test]
fn regular_expressions_use_ascii_digits() {
    assert!(has_unicode_digit_class(r"x\d") && !has_unicode_digit_class(r"\\def [0-9]"));
    assert_eq!(regex_literals("Regex::new(\n  r#\"a\\d\"#)"), ["a\\d"]);
    assert_eq!(regex_literals(r#"Regex::new("x\\d\"y")"#), [r#"x\d\"y"#]);
    let mut offenders = Vec::new();
    for path in files("src") {
        let text = std::fs::read_to_string(&path).unwrap();
        for pattern in regex_literals(&text) {
            if has_unicode_digit_class(&pattern) {
                offenders.push(format!("{}: {pattern}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "patterns with `\\d` (write `[0-9]`): {offenders:#?}");
}
