//! Tidy checks of the source tree, run with the tests (as rust-analyzer's tidy is): every
//! Rust file starts with a `//!` paragraph, only `src/lsp/` names tower-lsp or its types, and
//! no test is ignored or expected to panic.

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
