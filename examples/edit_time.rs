//! Profiling aid for one edit's diagnostics pass: `edit_time BIB MANUSCRIPT [REPS]` reads the
//! bibliography into a corpus, then times each part of what the server does after an edit of
//! the manuscript (scan, citation diagnostics, prose diagnostics, declared bibliographies) and
//! prints the median of REPS runs (default 200) of each. Each run types a new unknown key, as
//! lspbench's edits do, so its "did you mean" is computed afresh. `REFLS_EDIT_PAUSE_MS=300`
//! pauses before each run: after a writer's pause the caches are cold, and a pass costs 2–4×
//! what a tight loop shows.
use std::sync::Arc;
use std::time::{Duration, Instant};

use refls::analysis::{self, Manuscript};
use refls::corpus::{Corpus, Input, Origin};
use refls::manuscript::Dialect;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bib = args.next().expect("usage: edit_time BIB MANUSCRIPT [REPS]");
    let doc = args.next().expect("usage: edit_time BIB MANUSCRIPT [REPS]");
    let reps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let text = std::fs::read_to_string(&bib).expect("readable UTF-8 bibliography");
    let corpus = Corpus::build(vec![Input { path: bib, text, origin: Origin::Workspace }], Vec::new());
    let manuscript_text: Arc<str> = std::fs::read_to_string(&doc).expect("readable manuscript").into();
    let dialect = Dialect::from_path(&doc);
    let mut parts: Vec<(&str, Vec<Duration>)> =
        ["scan", "citations", "prose", "declared", "whole"].iter().map(|n| (*n, Vec::new())).collect();
    // REFLS_EDIT_PAUSE_MS: a pause before each pass, as between a writer's edits, so that
    // caches are as cold as the server finds them.
    let pause = std::env::var("REFLS_EDIT_PAUSE_MS").ok().and_then(|ms| ms.parse().ok()).map(Duration::from_millis);
    for rep in 0..reps {
        if let Some(pause) = pause {
            std::thread::sleep(pause);
        }
        // Each edit types a key the corpus has not seen: its suggestions are not memoized.
        let edited: Arc<str> = format!("\\cite{{zzunknown{rep}}} {manuscript_text}").into();
        let whole = Instant::now();
        let started = Instant::now();
        let manuscript = Manuscript::new(dialect, edited);
        parts[0].1.push(started.elapsed());
        let started = Instant::now();
        let (found, _) = analysis::diagnostics::limited(&corpus, &manuscript, 1000);
        parts[1].1.push(started.elapsed());
        let started = Instant::now();
        let prose = analysis::prose_citations::diagnostics(&corpus, &manuscript);
        parts[2].1.push(started.elapsed());
        let started = Instant::now();
        let declared = refls::manuscript::bibliography::declared(dialect, &manuscript_text);
        parts[3].1.push(started.elapsed());
        parts[4].1.push(whole.elapsed());
        std::hint::black_box((found, prose, declared));
    }
    let mut out = String::new();
    for (name, times) in parts {
        out.push_str(&format!("{name:>10}: {:?}\n", median(times)));
    }
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes()).expect("stdout");
}
