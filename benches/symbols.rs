//! Benchmark of workspace symbols and semantic tokens (issue 12 item 6) on a large corpus.
//!
//! The corpus and manuscript come from the shared generator:
//! `python3 ../shared/tools/gen_corpus.py --entries 100000 --citations 5000 --out /tmp/c100k`,
//! then `cargo bench --bench symbols -- /tmp/c100k`. Prints p50 and p99 latencies of:
//! - `Index::search` alone over the same keystrokes and the prefixes of keys (completion's
//!   query), three rounds;
//! - `workspace/symbol` as the server computes it (search, names, and each symbol's location
//!   read from the `.bib` on disk), for every keystroke of typing queries: family names, a
//!   family name and a year, title words, DOIs;
//! - `textDocument/semanticTokens/full` and `/range` (a 60-line window) over the manuscript
//!   with 5,000 citations, including the conversion to the protocol's encoding, on a scanned
//!   manuscript (what a request after the diagnostics costs) and with the scan (the first
//!   request after an edit).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use refls::analysis::Manuscript;
use refls::analysis::completion::CitedWorks;
use refls::analysis::semantic_tokens::semantic_tokens;
use refls::corpus::{Corpus, Input, Origin, RecordId};
use refls::lsp::convert::{self, PositionEncoding};
use refls::lsp::symbols::to_proto_workspace_symbols;
use refls::manuscript::Dialect;
use ropey::Rope;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    ms(sorted[((sorted.len() - 1) as f64 * p).round() as usize])
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} requests",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        times.len()
    )
}

/// Every prefix of `query` from its second character, as typed into a symbol picker.
fn keystrokes(query: &str) -> impl Iterator<Item = &str> {
    query.char_indices().skip(1).map(|(i, c)| &query[..i + c.len_utf8()]).chain(std::iter::once(query))
}

fn main() {
    let mut out = std::io::stdout().lock();
    let Some(dir) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        let _ = writeln!(out, "usage: cargo bench --bench symbols -- DIR (see the file's doc comment)");
        return;
    };
    let dir = std::fs::canonicalize(dir).expect("corpus directory");
    let bib = dir.join("refs.bib");
    let text = std::fs::read_to_string(&bib).expect("read refs.bib");
    let started = Instant::now();
    let corpus =
        Corpus::build(vec![Input { path: bib.display().to_string(), text, origin: Origin::Workspace }], Vec::new());
    let _ = writeln!(out, "{} records indexed in {:.0} ms", corpus.records.len(), ms(started.elapsed()));

    // Queries from every 500th record: its first family name, that name and its year, a
    // title word, its DOI; typed one keystroke at a time.
    let mut queries: Vec<String> = Vec::new();
    for i in (0..corpus.records.len()).step_by(500) {
        let record = corpus.record(RecordId(i as u32));
        if let Some(author) = record.authors.first() {
            queries.push(author.value.family().to_string());
            if let Some(year) = record.year() {
                queries.push(format!("{} {year}", author.value.family()));
            }
        }
        if let Some(word) = record.title().and_then(|t| t.split_whitespace().find(|w| w.len() > 5)) {
            queries.push(word.to_owned());
        }
        if let Some(doi) = record.doi() {
            queries.push(format!("doi:{doi}"));
        }
    }
    let mut times = Vec::new();
    let mut found = 0usize;
    for query in &queries {
        for typed in keystrokes(query) {
            let t = Instant::now();
            let symbols = to_proto_workspace_symbols(&corpus, &CitedWorks::default(), typed, PositionEncoding::Utf16);
            times.push(t.elapsed());
            found += symbols.len();
        }
    }
    let _ = writeln!(
        out,
        "workspace/symbol ({} queries typed, {:.1} symbols per answer): {}",
        queries.len(),
        found as f64 / times.len() as f64,
        summary(times)
    );

    // The ranked search alone (what completion and workspace symbols both call), over the
    // same keystrokes and over every prefix of every 500th key from its first letter, as
    // completion types them; three rounds, so the total is steadier than the percentiles.
    let mut typed: Vec<&str> = queries.iter().flat_map(|q| keystrokes(q)).collect();
    let keys: Vec<&str> = (0..corpus.records.len()).step_by(500).map(|i| corpus.key(RecordId(i as u32))).collect();
    typed.extend(keys.iter().flat_map(|k| k.char_indices().map(|(i, c)| &k[..i + c.len_utf8()]).take(8)));
    let mut times = Vec::new();
    let mut hits = 0usize;
    let started = Instant::now();
    for _ in 0..3 {
        for query in &typed {
            let t = Instant::now();
            hits += corpus.index.search(query, 50, &|id| id.0 % 100 == 0).0.len();
            times.push(t.elapsed());
        }
    }
    let _ = writeln!(
        out,
        "search alone (limit 50, {:.1} hits per query, {:.0} ms in all): {}",
        hits as f64 / times.len() as f64,
        ms(started.elapsed()),
        summary(times)
    );

    let manuscript_path = ["paper-5000.md", "paper-1000.md", "paper-500.md"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .expect("a paper-<M>.md in DIR");
    let text: Arc<str> = Arc::from(std::fs::read_to_string(&manuscript_path).expect("read the manuscript"));
    let rope = Rope::from_str(&text);
    let manuscript = Manuscript::new(Dialect::Markdown, text.clone());
    let encode = |tokens: Vec<refls::analysis::semantic_tokens::SemanticToken>| {
        let triples = tokens.into_iter().map(|t| (t.range, 0, 1u32));
        convert::semantic_tokens(&rope, &text, triples, PositionEncoding::Utf16)
    };
    let mut full = Vec::new();
    let mut count = 0;
    for _ in 0..100 {
        let t = Instant::now();
        count = encode(semantic_tokens(&corpus, &manuscript, None)).len();
        full.push(t.elapsed());
    }
    let mut scanned = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let fresh = Manuscript::new(Dialect::Markdown, text.clone());
        encode(semantic_tokens(&corpus, &fresh, None));
        scanned.push(t.elapsed());
    }
    let lines = rope.len_lines();
    let mut range = Vec::new();
    for i in 0..500 {
        let first = (i * 7919) % lines.max(1);
        let start = rope.line_to_byte(first);
        let end = rope.line_to_byte((first + 60).min(lines));
        let t = Instant::now();
        encode(semantic_tokens(&corpus, &manuscript, Some(start..end)));
        range.push(t.elapsed());
    }
    let _ = writeln!(
        out,
        "{} ({} citations, {} prose, {:.0} KiB): {count} tokens",
        Path::new(&manuscript_path).file_name().and_then(|n| n.to_str()).unwrap_or_default(),
        manuscript.citations.len(),
        manuscript.prose_citations().len(),
        text.len() as f64 / 1024.0
    );
    let _ = writeln!(out, "semanticTokens/full, scanned manuscript: {}", summary(full));
    let _ = writeln!(out, "semanticTokens/full, scan included: {}", summary(scanned));
    let _ = writeln!(out, "semanticTokens/range, 60 lines: {}", summary(range));
}
