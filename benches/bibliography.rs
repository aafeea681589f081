//! Benchmark of bibliography files: parsing and indexing a `.bib`, the heap kept per record,
//! and re-assembling a large corpus after one small file changed (what the server does when
//! Better BibTeX rewrites an export).
//!
//! The `.bib` comes from the shared generator:
//! `python3 ../shared/tools/gen_corpus.py --entries 30000 --out /tmp/c30k`, then
//! `cargo bench --bench bibliography -- /tmp/c30k/refs.bib`. Each figure is the median of
//! several runs.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use refls::corpus::{Corpus, FileId, Input, Origin, ReadFile};

#[path = "alloc/mod.rs"]
mod alloc;
use alloc::{COUNTING, LIVE};

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

/// CPU time of this process so far (user and system, all threads), from `/proc/self/stat` in
/// clock ticks of 10 ms; 0 off Linux.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime, fields 14 and 15 of the line (the first field after the name is 3).
    (ticks(11) + ticks(12)) * 10.0
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

    // Read only: the text given up to the reader, as the server does. The CPU time (all
    // threads) is printed too: on a shared machine it varies less than the wall-clock time.
    let mut times = Vec::new();
    let mut cpu = 0.0;
    for _ in 0..5 {
        let inputs = vec![input.clone()];
        let (start, cpu_start) = (Instant::now(), cpu_ms());
        let read = Corpus::read_all(inputs);
        times.push(start.elapsed());
        cpu += cpu_ms() - cpu_start;
        drop(read);
    }
    let _ = writeln!(
        out,
        "{entries} entries: read in {:.0} ms (median of 5), {:.0} ms of CPU per read",
        median(times),
        cpu / 5.0
    );

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
    let big: Vec<Arc<ReadFile>> = Corpus::read_all(vec![input.clone()]).into_iter().map(Arc::new).collect();
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
        // The server gives a new file the next free id; the big file has id 0.
        files.push(Arc::new(ReadFile::read(FileId(1), &small(n))));
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
