//! Entry points for the fuzz targets in `fuzz/`, one function per target, each taking raw
//! bytes. The fuzz targets call them under libFuzzer; `tests/fuzz_corpus.rs` calls the same
//! functions over every saved corpus and regression input on stable, so an input the fuzzer
//! once found keeps being checked by `cargo test`.
//!
//! Each function does more than "does not panic": it checks, where that is cheap, the promises
//! the code under test makes to its callers: every byte range lies inside the text and on
//! character boundaries (a range that does not would panic later, when the server slices the
//! text for a hover), every DOI is in canonical form, citations come sorted and apart, and the
//! transport guard only ever forwards well-formed frames. A broken promise panics, which
//! libFuzzer reports as a crash.
//!
//! Text inputs are decoded lossily: the readers are handed `&str`, so invalid UTF-8 never
//! reaches them, and a lossy decode lets every mutation of the fuzzer still exercise them.

use std::borrow::Cow;
use std::ops::Range;

use crate::corpus::doi::{Doi, find_dois, find_malformed_dois, is_short_doi};
use crate::corpus::record::{Field, FileId, Location, Record};
use crate::corpus::{Problem, bibtex, csl_json, csl_yaml, page, ris};
use crate::manuscript::{self, Dialect, Syntax, bibliography};

fn text_of(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Panics unless `range` lies inside `text` with both ends on character boundaries.
fn assert_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(range.start <= range.end, "{what}: reversed range {range:?}");
    assert!(range.end <= text.len(), "{what}: range {range:?} past the end ({} bytes)", text.len());
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: range {range:?} splits a character"
    );
}

fn assert_location(text: &str, at: &Location, what: &str) {
    assert_range(text, &(at.range.start as usize..at.range.end as usize), what);
}

fn assert_canonical_doi(doi: &Doi) {
    let s = doi.as_str();
    assert!(s.starts_with("10."), "DOI {s:?} does not start with `10.`");
    assert!(s.contains('/'), "DOI {s:?} has no `/`");
    assert_eq!(s, s.to_lowercase(), "DOI {s:?} is not lower case");
}

/// Every location a record holds lies in the text it was read from, and its DOI is canonical.
fn check_record(text: &str, record: &Record) {
    fn opt<T>(text: &str, field: &Option<Field<T>>, what: &str) {
        if let Some(f) = field {
            assert_location(text, &f.at, what);
        }
    }
    for anchor in &record.anchors {
        assert_location(text, anchor, "anchor");
    }
    for f in &record.authors {
        assert_location(text, &f.at, "author");
    }
    for f in &record.extra().issn {
        assert_location(text, &f.at, "issn");
    }
    for f in &record.keywords {
        assert_location(text, &f.at, "keyword");
    }
    opt(text, &record.title, "title");
    opt(text, &record.rare().corresponding_author, "corresponding author");
    opt(text, &record.year, "year");
    opt(text, &record.container_title, "container title");
    opt(text, &record.extra().container_short, "container short");
    opt(text, &record.volume, "volume");
    opt(text, &record.issue, "issue");
    opt(text, &record.pages, "pages");
    opt(text, &record.doi, "doi");
    opt(text, &record.rare().pmid, "pmid");
    opt(text, &record.rare().pmcid, "pmcid");
    opt(text, &record.extra().publisher, "publisher");
    opt(text, &record.abstract_text, "abstract");
    if let Some(doi) = record.doi() {
        assert_canonical_doi(doi);
    }
}

fn check_reading(text: &str, records: &[Record], problems: &[Problem]) {
    for record in records {
        check_record(text, record);
    }
    for problem in problems {
        if let Some(range) = &problem.range {
            assert_range(text, &(range.start as usize..range.end as usize), problem.code);
        }
    }
}

/// Target `page`: the saved-page extractor.
pub fn page(data: &[u8]) {
    let text = text_of(data);
    let reading = page::read(FileId(0), &text);
    let records: Vec<Record> = reading.document.into_iter().chain(reading.cited).collect();
    check_reading(&text, &records, &reading.problems);
}

/// Target `doi`: the DOI finder, the malformed-DOI finder and [`Doi::parse`].
pub fn doi(data: &[u8]) {
    let text = text_of(data);
    let found = find_dois(&text);
    let mut previous_end = 0;
    for m in &found {
        assert_range(&text, &m.range, "DOI");
        assert_range(&text, &m.full_range, "DOI with prefix");
        assert!(
            m.full_range.start <= m.range.start && m.full_range.end == m.range.end,
            "prefix range {:?} does not end with the DOI range {:?}",
            m.full_range,
            m.range
        );
        assert!(m.range.start >= previous_end, "DOI matches overlap or are out of order: {found:?}");
        previous_end = m.range.end;
        assert_canonical_doi(&m.doi);
    }
    for bad in find_malformed_dois(&text) {
        assert_range(&text, &bad.range, "malformed DOI");
        assert!(!is_short_doi(&bad.text), "a short DOI reported as malformed: {:?}", bad.text);
    }
    if let Some(doi) = Doi::parse(&text) {
        assert_canonical_doi(&doi);
        // The canonical form reads back as itself.
        assert_eq!(Doi::parse(doi.as_str()).as_ref(), Some(&doi), "canonical DOI does not parse back");
    }
}

/// Target `bibtex`: the BibTeX/BibLaTeX reader.
pub fn bibtex(data: &[u8]) {
    let text = text_of(data);
    let (records, problems) = bibtex::read(FileId(0), &text);
    check_reading(&text, &records, &problems);
}

/// Target `csl_json`: the CSL-JSON reader.
pub fn csl_json(data: &[u8]) {
    let text = text_of(data);
    let (records, problems) = csl_json::read(FileId(0), &text);
    check_reading(&text, &records, &problems);
}

/// Target `csl_yaml`: the CSL-YAML reader.
pub fn csl_yaml(data: &[u8]) {
    let text = text_of(data);
    let (records, problems) = csl_yaml::read(FileId(0), &text);
    check_reading(&text, &records, &problems);
}

/// Target `ris`: the RIS reader.
pub fn ris(data: &[u8]) {
    let text = text_of(data);
    let (records, problems) = ris::read(FileId(0), &text);
    check_reading(&text, &records, &problems);
}

/// Targets `scan_markdown`, `scan_latex`, `scan_typst`, `scan_org` and `scan_plain`: one
/// manuscript scanner with everything the server asks of it (citations, malformed DOIs,
/// aliases, declared bibliographies, and the completion context at a few offsets).
pub fn manuscript(dialect: Dialect, data: &[u8]) {
    let text = text_of(data);
    let text = text.as_ref();
    let (citations, malformed) = manuscript::scan_with_problems(dialect, text);
    let mut previous_end = 0;
    for c in &citations {
        assert_range(text, &c.range, "citation");
        assert!(c.range.start >= previous_end, "citations overlap or are out of order: {citations:?}");
        previous_end = c.range.end;
        assert!(!c.key.is_empty(), "empty key at {:?}", c.range);
        if c.syntax == Syntax::BareDoi {
            let doi = c.key.strip_prefix("doi:").expect("a bare DOI's key starts with `doi:`");
            assert!(doi.starts_with("10."), "bare DOI key {:?}", c.key);
        }
    }
    assert_eq!(manuscript::scan(dialect, text), citations, "scan and scan_with_problems disagree");
    for bad in &malformed {
        assert_range(text, &bad.range, "malformed DOI");
    }
    for alias in manuscript::aliases(dialect, text) {
        assert_range(text, &alias.range, "alias");
    }
    for declared in bibliography::declared(dialect, text) {
        assert_range(text, &declared.range, "declared bibliography");
    }
    // Prose citations: in order, apart from each other and from key citations, and the one
    // pass that finds everything agrees with the separate ones.
    let prose = manuscript::prose_citations(dialect, text);
    let mut previous_end = 0;
    for p in &prose {
        assert_range(text, &p.range, "prose citation");
        assert_range(text, &p.year_range, "prose citation year");
        assert!(p.range.start >= previous_end, "prose citations overlap: {prose:?}");
        previous_end = p.range.end;
        assert!(!p.authors.is_empty(), "a prose citation without a name at {:?}", p.range);
    }
    let once = manuscript::scan_manuscript(dialect, text, &[]);
    assert_eq!(once.prose, prose, "scan_manuscript and prose_citations disagree");
    assert_eq!(once.citations, citations, "scan_manuscript and scan disagree");
    assert_eq!(once.regions.malformed_dois(text), malformed, "scan_manuscript and scan_with_problems disagree");
    // Completion at the end, at the start, and at eight evenly spread character boundaries.
    let mut offsets: Vec<usize> = (0..=8).map(|k| text.len() * k / 8).collect();
    for offset in &mut offsets {
        while !text.is_char_boundary(*offset) {
            *offset -= 1;
        }
    }
    offsets.dedup();
    for offset in offsets {
        let context = manuscript::completion_context(dialect, text, offset);
        assert_eq!(
            manuscript::completion_context_in(dialect, text, offset, Some(&once.regions)),
            context,
            "completion with the manuscript's scan and without disagree at {offset}"
        );
        if let Some(context) = context {
            assert_range(text, &context.range, "completion range");
            assert!(
                context.range.start <= offset && offset <= context.range.end,
                "completion range {:?} does not hold the cursor {offset}",
                context.range
            );
            assert_eq!(context.prefix, text[context.range.clone()], "completion prefix");
        }
    }
}

/// Builds the byte stream for the transport target from fuzz input. The first byte `0xFF`
/// means "use the rest verbatim"; otherwise the input is read as a list of frames, each a
/// shape byte, a length byte and that many bytes of material, so that most inputs are close to
/// what an editor sends. Returns the stream and the number of frames an ideal guard forwards
/// when every frame is well formed (`None` when some frame is not).
pub fn lsp_frames(data: &[u8]) -> (Vec<u8>, Option<usize>) {
    if let Some(rest) = data.strip_prefix(&[0xFF]) {
        return (rest.to_vec(), None);
    }
    let mut stream = Vec::new();
    let mut well_formed = Some(0usize);
    let mut i = 0;
    while i < data.len() {
        let shape = data[i];
        let n = data.get(i + 1).copied().unwrap_or(0) as usize;
        let start = (i + 2).min(data.len());
        let material = &data[start..(start + n).min(data.len())];
        i = start + material.len();
        let words = String::from_utf8_lossy(material);
        // The `m/` prefix keeps a generated method from being `exit`, after which nothing is read.
        let method = format!("m/{words}");
        let request = serde_json::json!({"jsonrpc": "2.0", "id": i, "method": method}).to_string();
        let valid = |stream: &mut Vec<u8>, header: &str, body: &[u8]| {
            stream.extend_from_slice(header.as_bytes());
            stream.extend_from_slice(body);
        };
        match shape % 8 {
            // A well-formed request.
            0 => valid(&mut stream, &format!("Content-Length: {}\r\n\r\n", request.len()), request.as_bytes()),
            // A well-formed frame with headers in another case and an extra header.
            1 => valid(
                &mut stream,
                &format!("content-type: application/vscode-jsonrpc\r\nCONTENT-LENGTH:  {} \r\n\r\n", request.len()),
                request.as_bytes(),
            ),
            // The material as the body of a frame with the right length.
            2 => valid(&mut stream, &format!("Content-Length: {}\r\n\r\n", material.len()), material),
            // A length too short or too long for the body.
            3 => {
                let wrong = (request.len() + n % 7).saturating_sub(3);
                valid(&mut stream, &format!("Content-Length: {wrong}\r\n\r\n"), request.as_bytes());
            }
            // No length header at all.
            4 => valid(&mut stream, "Content-Type: x\r\n\r\n", request.as_bytes()),
            // A length that is not a number.
            5 => valid(&mut stream, &format!("Content-Length: -{words}\r\n\r\n"), request.as_bytes()),
            // Raw bytes between frames.
            6 => stream.extend_from_slice(material),
            // `shutdown` with null params, then `exit` when the material is empty.
            _ => {
                let method = if material.is_empty() { "exit" } else { "shutdown" };
                let body = serde_json::json!({"jsonrpc": "2.0", "id": i, "method": method, "params": null}).to_string();
                valid(&mut stream, &format!("Content-Length: {}\r\n\r\n", body.len()), body.as_bytes());
            }
        }
        well_formed = match (well_formed, shape % 8) {
            (Some(k), 0 | 1) => Some(k + 1),
            (Some(k), 7) => Some(k + 1),
            _ => None,
        };
        if shape % 8 == 7 && material.is_empty() {
            // Nothing after `exit` is read.
            break;
        }
    }
    (stream, well_formed)
}

/// Splits what the guard forwarded into frame bodies, panicking on anything that is not a
/// `Content-Length` frame.
fn forwarded_bodies(mut out: &[u8]) -> Vec<&[u8]> {
    let mut bodies = Vec::new();
    while !out.is_empty() {
        let rest = out.strip_prefix(b"Content-Length: ").expect("forwarded frame starts with Content-Length");
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let length: usize = std::str::from_utf8(&rest[..digits]).unwrap().parse().expect("forwarded length");
        let rest = rest[digits..].strip_prefix(b"\r\n\r\n").expect("forwarded header ends with a blank line");
        assert!(rest.len() >= length, "forwarded frame shorter than its Content-Length");
        bodies.push(&rest[..length]);
        out = &rest[length..];
    }
    bodies
}

/// Target `lsp_frames`: the transport guard between stdin and the server. Whatever comes in,
/// what goes out is a sequence of `Content-Length` frames whose bodies are JSON objects, and a
/// stream of well-formed frames is forwarded whole.
pub fn transport(data: &[u8]) {
    use tokio::io::AsyncReadExt;
    let (stream, well_formed) = lsp_frames(data);
    thread_local! {
        static RUNTIME: tokio::runtime::Runtime =
            tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime");
    }
    let out = RUNTIME.with(|rt| {
        rt.block_on(async {
            let (server_end, mut reader) = tokio::io::duplex(64 * 1024);
            let forward = crate::lsp::transport::forward_valid_frames(stream.as_slice(), server_end, true);
            let mut out = Vec::new();
            let (_, read) = tokio::join!(forward, reader.read_to_end(&mut out));
            read.expect("reading the forwarded frames");
            out
        })
    });
    let bodies = forwarded_bodies(&out);
    for body in &bodies {
        let value: serde_json::Value = serde_json::from_slice(body).expect("forwarded body is JSON");
        assert!(value.is_object(), "forwarded body is not an object: {value}");
    }
    if let Some(expected) = well_formed {
        assert_eq!(bodies.len(), expected, "well-formed frames were dropped");
    }
}
