//! Pandoc is the reference implementation of Markdown citations, so this test holds the
//! Markdown scanner to it: for every document in `tests/data/pandoc/`, the real pandoc turns
//! the document into its JSON syntax tree, and the `citationId` of every `Cite` element there,
//! in document order, must equal the keys that `scan(Dialect::Markdown, …)` finds.
//!
//! Pandoc is found through the `REFLS_PANDOC` environment variable, or else at
//! `.tools/py/pypandoc/files/pandoc` under the crate root, where installing PyPI's
//! `pypandoc-binary` into `.tools/py` puts it. A missing pandoc fails the test: skipping it
//! would let the scanner drift from pandoc unnoticed.
//!
//! Only the document body is compared. Pandoc also reads citations inside YAML metadata
//! (`nocite: '@key'`), but a key there is a setting, and the scanner skips front matter on
//! purpose.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use refls::manuscript::{Dialect, Syntax, scan};
use serde_json::Value;

/// The keys of every citation pandoc finds in `markdown`, in document order.
fn pandoc_keys(pandoc: &Path, markdown: &str) -> Vec<String> {
    let mut child = Command::new(pandoc)
        .args(["--from", "markdown", "--to", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run pandoc at {}: {e}", pandoc.display()));
    child.stdin.take().expect("piped stdin").write_all(markdown.as_bytes()).expect("pandoc reads its input");
    let output = child.wait_with_output().expect("pandoc runs");
    assert!(output.status.success(), "pandoc failed: {}", String::from_utf8_lossy(&output.stderr));
    let document: Value = serde_json::from_slice(&output.stdout).expect("pandoc writes JSON");
    let mut keys = Vec::new();
    collect_citations(&document["blocks"], &mut keys);
    keys
}

/// Walks pandoc's syntax tree in document order. A citation's prefix comes before its key and
/// its suffix after, and either may hold further citations (`[see [@a] and @b]`); the `Cite`
/// element's own inlines are just the text as written and are not walked.
fn collect_citations(node: &Value, keys: &mut Vec<String>) {
    match node {
        Value::Object(object) if object.get("t").and_then(Value::as_str) == Some("Cite") => {
            for citation in object["c"][0].as_array().into_iter().flatten() {
                collect_citations(&citation["citationPrefix"], keys);
                keys.push(citation["citationId"].as_str().expect("citationId is a string").to_owned());
                collect_citations(&citation["citationSuffix"], keys);
            }
        }
        Value::Object(object) => object.values().for_each(|value| collect_citations(value, keys)),
        Value::Array(items) => items.iter().for_each(|item| collect_citations(item, keys)),
        _ => {}
    }
}

/// The keys the scanner finds, checking on the way that each range holds its key.
fn scanner_keys(markdown: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for citation in scan(Dialect::Markdown, markdown) {
        if citation.syntax != Syntax::Pandoc {
            continue;
        }
        assert_eq!(
            markdown.get(citation.range.clone()),
            Some(citation.key.as_str()),
            "the range of {citation:?} does not hold its key"
        );
        keys.push(citation.key.into());
    }
    keys
}

#[test]
fn scanner_agrees_with_pandoc() {
    let pandoc = support::pandoc();
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pandoc");
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    documents.sort();
    assert!(documents.len() >= 15, "expected at least 15 reference documents in {}", folder.display());

    let mut disagreements = Vec::new();
    let mut citations = 0;
    for path in &documents {
        let markdown = std::fs::read_to_string(path).expect("document is UTF-8");
        // Windows line endings must not change what is cited.
        for (ending, text) in [("LF", markdown.clone()), ("CRLF", markdown.replace('\n', "\r\n"))] {
            let expected = pandoc_keys(&pandoc, &text);
            let found = scanner_keys(&text);
            if expected != found {
                disagreements
                    .push(format!("{} ({ending}):\n  pandoc:  {expected:?}\n  scanner: {found:?}", path.display()));
            }
            citations += expected.len();
        }
    }
    assert!(disagreements.is_empty(), "the scanner disagrees with pandoc:\n{}", disagreements.join("\n"));
    assert!(citations > 100, "the reference documents hold too few citations ({citations}) to mean much");
}

/// Where refls departs from pandoc on purpose: cross-references (Quarto, pandoc-crossref),
/// Manubot alias definitions and template tags look like citations to pandoc's reader, but
/// the tools that own that syntax consume them before citeproc runs. Pandoc must still read
/// each as a citation (else this list is stale), and the scanner must read none of them.
#[test]
fn deliberate_differences_from_pandoc() {
    let pandoc = support::pandoc();
    for text in [
        "As @fig-yield shows.\n",
        "See [@tbl-plots; @sec-methods] and @thm-bound.\n",
        "As @fig:map and @Fig:map and @eq:energy show.\n",
        "[@tag:review]: doi:10.1000/xyz\n",
        "Written by {{ @handle }}.\n",
        "Follow @{{author.handle}}.\n",
    ] {
        assert!(!pandoc_keys(&pandoc, text).is_empty(), "pandoc no longer cites in {text:?}");
        assert_eq!(scanner_keys(text), Vec::<String>::new(), "{text:?}");
    }
}
