//! Test fixtures for the analysis features: one string holding several files, each opened by
//! a `//- /path` line. The manuscript is the file holding the `<|>` cursor marker (removed
//! before analysis; the cursor is a byte offset into the cleaned text), else the last file.
//! The other files form the corpus; with none, the embedded seeds are the corpus.

use std::sync::Arc;

use super::Manuscript;
use crate::corpus::{Corpus, Input, Origin, seeds};
use crate::manuscript::Dialect;

pub struct Fixture {
    pub corpus: Corpus,
    pub manuscript: Manuscript,
    /// Where the manuscript is (`review.md`), for features that resolve paths against it.
    pub path: String,
    pub cursor: usize,
    /// The corpus files as written, path and text, for features that edit them.
    pub files: Vec<(String, String)>,
}

const CURSOR: &str = "<|>";

impl Fixture {
    pub fn parse(fixture: &str) -> Fixture {
        let mut files: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                files.push((path.trim().trim_start_matches('/').to_owned(), String::new()));
            } else if let Some((_, text)) = files.last_mut() {
                text.push_str(line);
            }
        }
        let position = files.iter().position(|(_, text)| text.contains(CURSOR)).unwrap_or(files.len() - 1);
        let (path, raw) = files.remove(position);
        let cursor = raw.find(CURSOR).unwrap_or(0);
        let text = raw.replacen(CURSOR, "", 1);
        let inputs: Vec<Input> = files
            .iter()
            .map(|(path, text)| Input { path: path.clone(), text: text.clone(), origin: Origin::Workspace })
            .collect();
        let inputs = if inputs.is_empty() { seeds::inputs() } else { inputs };
        let corpus = Corpus::build(inputs, Vec::new());
        let manuscript = Manuscript::new(Dialect::from_path(&path), Arc::from(text));
        Fixture { corpus, manuscript, path, cursor, files }
    }
}

/// A workspace fixture: files with a manuscript extension (`.md`, `.tex`, `.typ`, `.org`, …)
/// are the workspace's manuscripts, every other file is a corpus file. The cursor may be in
/// either.
pub struct WorkspaceFixture {
    pub corpus: Corpus,
    pub manuscripts: Vec<crate::manuscript::workspace::ManuscriptFile>,
    /// Every file's cleaned text, by path (without the leading `/`).
    pub texts: std::collections::HashMap<String, String>,
    pub cursor_path: String,
    pub cursor: usize,
}

impl WorkspaceFixture {
    pub fn parse(fixture: &str) -> WorkspaceFixture {
        use crate::manuscript::workspace::{ManuscriptFile, is_manuscript_path};
        let mut files: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                files.push((path.trim().trim_start_matches('/').to_owned(), String::new()));
            } else if let Some((_, text)) = files.last_mut() {
                text.push_str(line);
            }
        }
        let (mut cursor_path, mut cursor) = (String::new(), 0);
        for (path, text) in &mut files {
            if let Some(at) = text.find(CURSOR) {
                (cursor_path, cursor) = (path.clone(), at);
                *text = text.replacen(CURSOR, "", 1);
            }
        }
        let mut inputs = Vec::new();
        let mut manuscripts = Vec::new();
        for (path, text) in &files {
            if is_manuscript_path(std::path::Path::new(path)) {
                manuscripts.push(ManuscriptFile::scan(path, text));
            } else {
                inputs.push(Input { path: path.clone(), text: text.clone(), origin: Origin::Workspace });
            }
        }
        let corpus = Corpus::build(inputs, Vec::new());
        WorkspaceFixture { corpus, manuscripts, texts: files.into_iter().collect(), cursor_path, cursor }
    }
}
