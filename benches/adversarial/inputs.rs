//! Adversarial inputs for every parser and scanner, in the shapes that make naive parsers
//! quadratic or deep: nested braces, `#` chains, DOI-dense text, deep JSON and YAML nesting,
//! very long lines, runs of `@`, `[`, `{` and `\`. Each input is grown to a requested size by
//! repeating a unit, so the benchmark can ask for 1 MB and the test suite for 100 KB of the
//! same shape. Every input is our own text; nothing comes from real files.
//!
//! Included with `#[path]` by `benches/adversarial.rs` and `tests/adversarial.rs`, so it uses
//! only `std` and `refls::fuzzing` (the same entry points the fuzz targets call, which also
//! check the parsers' promises about ranges and DOIs).

// Each including binary uses part of the API; CI runs clippy with `-D warnings`.
#![allow(dead_code)]

use refls::fuzzing;
use refls::manuscript::Dialect;

/// One adversarial input: which parser reads it, what shape it has, and its bytes.
pub struct Input {
    pub target: &'static str,
    pub shape: &'static str,
    pub bytes: Vec<u8>,
}

/// `head`, then `unit` repeated until the whole reaches `size` bytes, then `tail`.
fn grow(head: &str, unit: &str, tail: &str, size: usize) -> Vec<u8> {
    let count = size.saturating_sub(head.len() + tail.len()) / unit.len().max(1);
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(head.as_bytes());
    for _ in 0..count {
        bytes.extend_from_slice(unit.as_bytes());
    }
    bytes.extend_from_slice(tail.as_bytes());
    bytes
}

/// `open` repeated, then `middle`, then `close` repeated as often: nesting of about `size` bytes.
fn nest(head: &str, open: &str, middle: &str, close: &str, tail: &str, size: usize) -> Vec<u8> {
    let depth = size.saturating_sub(head.len() + tail.len()) / (open.len() + close.len());
    [head, &open.repeat(depth), middle, &close.repeat(depth), tail].concat().into_bytes()
}

/// Numbered units, so that keys and DOIs differ (a repeated identical unit is a weaker test
/// where the code deduplicates).
fn numbered(unit: impl Fn(usize) -> String, head: &str, tail: &str, size: usize) -> Vec<u8> {
    let mut text = String::from(head);
    let mut i = 0;
    while text.len() + tail.len() < size {
        text.push_str(&unit(i));
        i += 1;
    }
    text.push_str(tail);
    text.into_bytes()
}

/// Every adversarial input at about `size` bytes.
pub fn all(size: usize) -> Vec<Input> {
    let input = |target, shape, bytes| Input { target, shape, bytes };
    let dense_dois = numbered(|i| format!("10.1000/{i} "), "", "", size);
    vec![
        // BibTeX.
        input("bibtex", "nested braces", nest("@article{k, title = ", "{", "x", "}", "}\n", size)),
        input("bibtex", "unclosed braces", grow("@article{k, title = ", "{", "", size)),
        input(
            "bibtex",
            "nested braces in many entries",
            numbered(|i| format!("@misc{{k{i}, title = {{{}x{}}}}}\n", "{".repeat(200), "}".repeat(200)), "", "", size),
        ),
        input("bibtex", "`#` chain", grow("@string{a = \"x\"}\n@article{k, title = a", " # a", "}\n", size)),
        input("bibtex", "`#` chain of literals", grow("@article{k, title = \"x\"", " # \"x\"", "}\n", size)),
        input("bibtex", "`@` run", grow("", "@", "", size)),
        input("bibtex", "entry heads", grow("", "@article{", "", size)),
        input(
            "bibtex",
            "many entries",
            numbered(
                |i| {
                    format!(
                        "@article{{k{i}, title = {{T {i}}}, author = {{Doe, J.}}, year = 2020, doi = {{10.1000/{i}}}}}\n"
                    )
                },
                "",
                "",
                size,
            ),
        ),
        input(
            "bibtex",
            "many strings",
            numbered(|i| format!("@string{{s{i} = \"v\" # s{}}}\n", i.saturating_sub(1)), "", "", size),
        ),
        input("bibtex", "long field", grow("@article{k, title = {", "word ", "}}\n", size)),
        input("bibtex", "backslashes", grow("@article{k, title = {", "\\", "}}\n", size)),
        input("bibtex", "nested commands", nest("@article{k, title = {", "\\emph{", "x", "}", "}}\n", size)),
        input(
            "bibtex",
            "nested commands in many entries",
            numbered(
                |i| format!("@misc{{k{i}, title = {{{}x{}}}}}\n", "\\textbf{".repeat(100), "}".repeat(100)),
                "",
                "",
                size,
            ),
        ),
        // CSL-JSON.
        input("csl_json", "deep arrays", nest("", "[", "1", "]", "", size)),
        input("csl_json", "deep objects", nest("", "{\"a\":", "1", "}", "", size)),
        input("csl_json", "unclosed arrays", grow("", "[", "", size)),
        input("csl_json", "deep item", nest("[{\"id\":\"k\",\"title\":\"t\",\"note\":", "[", "1", "]", "}]", size)),
        input("csl_json", "long string", grow("[{\"id\":\"k\",\"title\":\"", "a\\n", "\"}]", size)),
        input(
            "csl_json",
            "many items",
            numbered(
                |i| {
                    format!(
                        "{{\"id\":\"k{i}\",\"title\":\"T {i}\",\"DOI\":\"10.1000/{i}\",\"author\":[{{\"family\":\"Doe\"}}]}},"
                    )
                },
                "[",
                "{}]",
                size,
            ),
        ),
        // CSL-YAML.
        input("csl_yaml", "deep flow sequences", nest("", "[", "1", "]", "", size)),
        input("csl_yaml", "deep block sequences", grow("", "- ", "x\n", size)),
        input("csl_yaml", "unclosed flow", grow("references:\n- id: k\n  title: ", "[", "", size)),
        input("csl_yaml", "long line", grow("references:\n- id: k\n  title: ", "word ", "\n", size)),
        input(
            "csl_yaml",
            "aliases",
            numbered(
                |i| {
                    if i == 0 {
                        "a0: &a0 [x, x]\n".to_owned()
                    } else {
                        format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1)
                    }
                },
                "",
                "",
                size,
            ),
        ),
        input(
            "csl_yaml",
            "many items",
            numbered(|i| format!("- id: k{i}\n  title: T {i}\n  DOI: 10.1000/{i}\n"), "references:\n", "", size),
        ),
        // RIS.
        input(
            "ris",
            "many records",
            numbered(|i| format!("TY  - JOUR\nAU  - Doe, J.\nTI  - T {i}\nDO  - 10.1000/{i}\nER  - \n"), "", "", size),
        ),
        input("ris", "unclosed records", grow("", "TY  - JOUR\n", "", size)),
        input("ris", "long line", grow("TY  - JOUR\nTI  - ", "word ", "\nER  - \n", size)),
        input("ris", "continuation lines", grow("TY  - JOUR\nTI  - a\n", "b\n", "ER  - \n", size)),
        input("ris", "many authors", numbered(|i| format!("AU  - Doe{i}, J.\n"), "TY  - JOUR\n", "ER  - \n", size)),
        // Saved pages.
        input("page", "dense DOIs", dense_dois.clone()),
        input("page", "one long DOI", grow("10.1000/", "a", "", size)),
        input("page", "DOI prefixes", grow("", "10.1000/", "", size)),
        input("page", "doi: prefixes", grow("", "doi:", "", size)),
        input("page", "DOI links", grow("", "https://doi.org/", "", size)),
        input("page", "one long line", grow("A title\n\n", "word ", "", size)),
        input("page", "section heads", grow("A title\n\n", "References\nAbstract\n", "", size)),
        input(
            "page",
            "reference list",
            numbered(
                |i| format!("{i}. Doe J, Roe A. A title {i}. J Things. 2020;1(2):3-4. doi:10.1000/{i}\n"),
                "A title\n\nReferences\n\n",
                "",
                size,
            ),
        ),
        input("page", "blank lines", grow("A title", "\n", "", size)),
        // The DOI finder alone.
        input("doi", "dense DOIs", dense_dois.clone()),
        input("doi", "DOI prefixes", grow("", "10.1000/", "", size)),
        input("doi", "one long DOI", grow("doi:10.1000/", "a", "", size)),
        input("doi", "malformed DOIs", grow("", "10.1000 ", "", size)),
        input("doi", "dots", grow("10.", "1", "", size)),
        // Manuscript scanners.
        input("scan_markdown", "brackets", grow("", "[", "", size)),
        input("scan_markdown", "open citations", grow("", "[@", "", size)),
        input("scan_markdown", "at signs", grow("", "@", "", size)),
        input("scan_markdown", "long citation", grow("[", "@a; ", "]", size)),
        input(
            "scan_markdown",
            "many citations",
            numbered(|i| format!("See [@k{i}, p. {i}] and @k{i}.\n"), "", "", size),
        ),
        input("scan_markdown", "backticks", grow("", "`", "", size)),
        input("scan_markdown", "code fences", grow("", "```\n[@a]\n", "", size)),
        input("scan_markdown", "comments", grow("", "<!-- [@a] ", "", size)),
        input("scan_markdown", "bare DOIs", dense_dois.clone()),
        input("scan_markdown", "front matter", grow("---\nbibliography:\n", "- refs.bib\n", "---\n", size)),
        input(
            "scan_markdown",
            "front matter of many folders",
            numbered(|i| format!("- d{i}/r.bib\n"), "---\nbibliography:\n", "---\n", size),
        ),
        input("scan_markdown", "backslashes", grow("", "\\", "", size)),
        input("scan_markdown", "one long line", grow("", "word ", "", size)),
        input("scan_latex", "cite commands", grow("", "\\cite{", "", size)),
        input("scan_latex", "braces", grow("", "{", "", size)),
        input("scan_latex", "backslashes", grow("", "\\", "", size)),
        input("scan_latex", "comments", grow("", "%\\cite{a}", "", size)),
        input("scan_latex", "long key list", grow("\\cite{", "a,", "}", size)),
        input("scan_latex", "optional arguments", grow("\\cite", "[", "", size)),
        input("scan_latex", "many citations", numbered(|i| format!("See \\parencite[{i}]{{k{i}}}.\n"), "", "", size)),
        input("scan_latex", "bibliography commands", grow("", "\\addbibresource{", "", size)),
        input("scan_latex", "bibliography commands on one line", grow("", "\\bibliography{a}", "", size)),
        input("scan_typst", "at signs", grow("", "@", "", size)),
        input("scan_typst", "cite calls", grow("", "#cite(<", "", size)),
        input("scan_typst", "angle brackets", grow("", "<", "", size)),
        input("scan_typst", "many citations", numbered(|i| format!("See @k{i} and #cite(<k{i}>).\n"), "", "", size)),
        input("scan_typst", "block comments", grow("", "/*", "", size)),
        input("scan_typst", "raw blocks", grow("", "```", "", size)),
        input("scan_typst", "bibliography calls on one line", grow("", "#bibliography(\"a.bib\") ", "", size)),
        input("scan_org", "cite brackets", grow("", "[cite:", "", size)),
        input("scan_org", "links", grow("", "[[", "", size)),
        input("scan_org", "long citation", grow("[cite:", "@a;", "]", size)),
        input("scan_org", "bibliography lines", grow("", "#+bibliography: refs.bib\n", "", size)),
        input("scan_org", "many citations", numbered(|i| format!("See [cite:@k{i}].\n"), "", "", size)),
        input("scan_org", "one long line", grow("abcdefghijklmn李 ", "word ", "", size)),
        input("scan_plain", "dense DOIs", dense_dois),
        input("scan_plain", "DOI prefixes", grow("", "10.1000/", "", size)),
        input("scan_plain", "at signs", grow("", "@", "", size)),
    ]
}

/// Runs the parser an input is for, through the fuzz entry point of that parser.
pub fn run(input: &Input) {
    let bytes = input.bytes.as_slice();
    match input.target {
        "bibtex" => fuzzing::bibtex(bytes),
        "csl_json" => fuzzing::csl_json(bytes),
        "csl_yaml" => fuzzing::csl_yaml(bytes),
        "ris" => fuzzing::ris(bytes),
        "page" => fuzzing::page(bytes),
        "doi" => fuzzing::doi(bytes),
        "scan_markdown" => fuzzing::manuscript(Dialect::Markdown, bytes),
        "scan_latex" => fuzzing::manuscript(Dialect::Latex, bytes),
        "scan_typst" => fuzzing::manuscript(Dialect::Typst, bytes),
        "scan_org" => fuzzing::manuscript(Dialect::Org, bytes),
        "scan_plain" => fuzzing::manuscript(Dialect::Plain, bytes),
        other => panic!("no parser named {other}"),
    }
}
