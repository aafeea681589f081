//! Benchmark of bibliography files: parsing and indexing a `.bib`, the heap kept per record,
//! and re-assembling a large corpus after one small file changed (what the server does when
//! Better BibTeX rewrites an export).
//!
//! The `.bib` comes from the shared generator:
//! `python3 ../shared/tools/gen_corpus.py --entries 30000 --out /tmp/c30k`, then
//! `cargo bench --bench bibliography -- /tmp/c30k/refs.bib`. Each figure is the median of
//! several runs.

#![allow(unsafe_code)] // the counting allocator; the library itself denies unsafe code

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use refls::corpus::{Corpus, Input, Origin};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Counting is switched on only around memory measurements: a shared counter updated by
/// every allocation on every thread would slow the timed parallel code it measures.
static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let mut out = std::io::stdout().lock();
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        let _ =
            writeln!(out, "usage: cargo bench --bench bibliography -- path/to/refs.bib (see the file's doc comment)");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read the .bib");
    let entries = text.matches("\n@").count() + usize::from(text.starts_with('@'));
    let input = Input { path: path.clone(), text, origin: Origin::Workspace };

    // Parse and index, from text to a searchable corpus.
    let mut times = Vec::new();
    let mut records = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let corpus = Corpus::build(vec![input.clone()], Vec::new());
        times.push(start.elapsed());
        records = corpus.records.len();
    }
    let _ = writeln!(
        out,
        "{entries} entries ({:.1} MiB): parsed and indexed in {:.0} ms (median of 5), {records} records",
        input.text.len() as f64 / 1048576.0,
        median(times)
    );

    // Heap kept by the corpus, per record.
    // Frees of memory allocated before counting started would make the counter wrap, so the
    // input is cloned inside the counted region and the difference taken after it is dropped.
    COUNTING.store(true, Ordering::Relaxed);
    let before = LIVE.load(Ordering::Relaxed);
    let corpus = Corpus::build(vec![input.clone()], Vec::new());
    let retained = LIVE.load(Ordering::Relaxed).wrapping_sub(before);
    COUNTING.store(false, Ordering::Relaxed);
    let _ = writeln!(
        out,
        "retained heap: {:.1} MiB, {:.0} bytes per record",
        retained as f64 / 1048576.0,
        retained as f64 / corpus.records.len() as f64
    );
    drop(corpus);

    // One small file changes beside the big one: read it again alone, re-assemble all.
    let big = Corpus::read_all(vec![input.clone()]);
    let small = |n: usize| Input {
        path: "zz-notes.bib".to_owned(),
        text: format!(
            "@article{{changed{n}, title = {{A Changed Entry {n}}}, author = {{Doe, Jane}}, year = {{2024}}}}\n"
        ),
        origin: Origin::Workspace,
    };
    let mut times = Vec::new();
    for n in 0..5 {
        let start = Instant::now();
        let mut files = big.clone();
        files.extend(Corpus::read_all(vec![small(n)]));
        let corpus = Corpus::assemble(files, Vec::new());
        times.push(start.elapsed());
        assert!(corpus.index.resolve(&format!("changed{n}")) != refls::corpus::Resolution::Unknown);
    }
    let _ = writeln!(
        out,
        "one changed file re-indexed in a {records}-record corpus: {:.0} ms (median of 5)",
        median(times)
    );
}
