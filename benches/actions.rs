//! Benchmark of quick fixes (`analysis::code_action`) and inlay hints (`analysis::inlay_hint`)
//! on a large bibliography, with the shared generator's corpus:
//!
//! ```text
//! python3 ../shared/tools/gen_corpus.py --entries 100000 --citations 5000 --out /tmp/c100k
//! cargo bench --bench actions -- /tmp/c100k
//! ```
//!
//! The corpus is `refs.bib` plus the embedded seed pages; the manuscript is `paper-5000.md`
//! (which declares `refs.bib`) followed by a paragraph that cites seed works by key, by `@doi:`
//! and as DOI links, so that every kind of fix occurs: did-you-mean for the generator's unknown
//! keys, "cite as one name", "turn the DOI into a citation", and "add to refs.bib", which reads
//! the 50 MB `refs.bib` from disk when resolved, as the server does for a file not open in
//! the editor. Code actions are asked at every citation (a cursor on its key), as the server
//! answers clients that resolve edits lazily; each append offered is then resolved and timed
//! apart. Inlay hints for every 50-line window (what an editor shows) and for the whole
//! document, in both modes.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use refls::analysis::Manuscript;
use refls::analysis::code_action::{Bibliography, code_actions, resolve_append};
use refls::analysis::inlay_hint::{Mode, inlay_hints};
use refls::corpus::{Corpus, Input, Origin, seeds};
use refls::manuscript::Dialect;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(what: &str, mut times: Vec<Duration>, extra: &str) {
    times.sort();
    let at = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    let _ = writeln!(
        std::io::stdout().lock(),
        "{what}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} requests{extra}",
        at(0.5),
        at(0.99),
        ms(*times.last().expect("measured")),
        times.len()
    );
}

fn main() {
    let mut out = std::io::stdout().lock();
    let Some(dir) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        let _ = writeln!(out, "usage: cargo bench --bench actions -- DIR (see the file's doc comment)");
        return;
    };
    let bib_path = format!("{dir}/refs.bib");
    let bib = std::fs::read_to_string(&bib_path).expect("read refs.bib");
    let paper = std::fs::read_to_string(format!("{dir}/paper-5000.md")).expect("read paper-5000.md");
    let mut inputs = seeds::inputs();
    inputs.push(Input { path: bib_path.clone(), text: bib, origin: Origin::Workspace });
    let start = Instant::now();
    let corpus = Corpus::build(inputs, Vec::new());
    let _ = writeln!(out, "corpus: {} records, built in {:.0} ms", corpus.records.len(), ms(start.elapsed()));

    let seed_paragraph = "\nSeed works: [@ikhile2023virtuous; @buckley2022multistakeholder], again as \
        [@doi:10.1111/hex.13851], and as links https://doi.org/10.1080/2159676X.2022.2152085 and \
        doi:10.1111/hex.13774.\n";
    let text: Arc<str> = Arc::from(format!("{paper}{seed_paragraph}"));
    let manuscript = Manuscript::new(Dialect::Markdown, text.clone());
    let bibliographies = [Bibliography { path: bib_path.clone(), written: "refs.bib".to_owned() }];
    let read = |path: &str| std::fs::read_to_string(path).ok().map(Arc::from);

    // As the server answers clients that resolve edits lazily (VS Code, Neovim): appends come
    // without their edit; the edit is computed, reading refs.bib, for the action picked.
    let mut times = Vec::new();
    let mut resolve_times = Vec::new();
    let mut actions = 0;
    for citation in manuscript.citations.iter() {
        let at = citation.range.start + 1;
        let start = Instant::now();
        let found = code_actions(&corpus, &manuscript, at..at, &bibliographies, None);
        times.push(start.elapsed());
        actions += found.len();
        for append in found.iter().filter_map(|a| a.append.as_ref()) {
            let start = Instant::now();
            assert!(resolve_append(&corpus, append, &read).is_some());
            resolve_times.push(start.elapsed());
        }
    }
    summary(
        "code actions at a citation",
        times,
        &format!(" ({actions} actions in all, {} citations)", manuscript.citations.len()),
    );
    summary("codeAction/resolve of an append to the 50 MB refs.bib (read from disk)", resolve_times, "");

    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    for (mode, name) in [(Mode::Opaque, "opaque"), (Mode::All, "all")] {
        let mut times = Vec::new();
        let mut hints = 0;
        for window in line_starts.chunks(50) {
            let range = window[0]..window.last().copied().unwrap_or(text.len());
            let start = Instant::now();
            hints += inlay_hints(&corpus, &manuscript, range, mode).len();
            times.push(start.elapsed());
        }
        summary(&format!("inlay hints ({name}), 50-line windows"), times, &format!(" ({hints} hints)"));
        let mut times = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            std::hint::black_box(inlay_hints(&corpus, &manuscript, 0..text.len(), mode));
            times.push(start.elapsed());
        }
        summary(&format!("inlay hints ({name}), whole document"), times, "");
    }
}
