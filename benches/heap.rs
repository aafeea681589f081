//! Where the memory of a large bibliography goes (issue 11): the heap that reading, the cache,
//! assembling and the index each keep and need at their peak, the records' heap by part, and
//! the process's resident memory beside the live heap (the difference is the allocator's).
//!
//! `python3 ../shared/tools/gen_corpus.py --entries 100000 --out /tmp/c100k --no-csl`, then
//! `cargo bench --bench heap -- /tmp/c100k/refs.bib`. A plain binary: each phase runs once and
//! prints bytes, not times (`benches/bibliography.rs` and `lspbench.py` time them).

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use refls::corpus::cache::Cache;
use refls::corpus::record::RecordHeap;
use refls::corpus::{Corpus, FileId, Index, Input, Origin, ReadFile};

#[path = "alloc/mod.rs"]
mod alloc;
use alloc::{COUNTING, LIVE, PEAK};

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1048576.0
}

/// Runs `phase` with counting on and returns its result, the heap it left behind (allocated
/// and not freed) and its peak above the heap before it.
fn measure<T>(phase: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let res = phase();
    let after = LIVE.load(Ordering::Relaxed);
    (res, after.wrapping_sub(before), PEAK.load(Ordering::Relaxed).wrapping_sub(before))
}

/// `VmRSS` and `VmHWM` of this process, in bytes (0 off Linux).
fn rss() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (get("VmRSS:"), get("VmHWM:"))
}

fn main() {
    let mut out = std::io::stdout().lock();
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        let _ = writeln!(out, "usage: cargo bench --bench heap -- path/to/refs.bib (see the file's doc comment)");
        return;
    };
    // Everything below is counted from the start, so no phase frees memory allocated before
    // counting began (which would make the counter wrap).
    COUNTING.store(true, Ordering::Relaxed);
    let text = std::fs::read_to_string(&path).expect("read the .bib");
    let input = Input { path: path.clone(), text, origin: Origin::Workspace };
    let n_bytes = input.text.len();
    let line = |out: &mut std::io::StdoutLock, what: &str, kept: usize, peak: usize, records: usize| {
        let _ = writeln!(
            out,
            "{what:<28} kept {:>7.1} MiB ({:>5.0} B/record)   peak {:>7.1} MiB",
            mib(kept),
            kept as f64 / records.max(1) as f64,
            mib(peak)
        );
    };

    let (read, read_kept, read_peak) = measure(|| Corpus::read_all(vec![input.clone()]));
    let records = read.iter().map(ReadFile::record_count).sum::<usize>();
    let _ = writeln!(out, "{path}: {:.1} MiB, {records} records", mib(n_bytes));
    line(&mut out, "read (text dropped)", read_kept, read_peak, records);

    let problems: usize = read.iter().map(|f| f.problems().len()).sum();
    let problem_bytes: usize = read
        .iter()
        .flat_map(|f| f.problems())
        .map(|p| std::mem::size_of::<refls::corpus::Problem>() + p.message.capacity())
        .sum();
    let _ = writeln!(out, "  of which {problems} problems: {:.1} MiB", mib(problem_bytes));
    let read: Vec<Arc<ReadFile>> = read.into_iter().map(Arc::new).collect();
    let (corpus, assembled_kept, assembled_peak) = measure(|| Corpus::assemble(read.clone(), Vec::new()));
    line(&mut out, "assemble (merge, keys, index)", assembled_kept, assembled_peak, records);
    let (index, index_kept, index_peak) = measure(|| Index::build(&corpus.records, &corpus.keys));
    line(&mut out, "  of which the index", index_kept, index_peak, records);
    drop(index);

    let mut parts = RecordHeap::default();
    for record in &corpus.records {
        parts.add(&record.heap());
    }
    let keys: usize = corpus.keys.heap_bytes();
    let per = |bytes: usize| (mib(bytes), bytes as f64 / records.max(1) as f64);
    let _ = writeln!(out, "records by part (structural; allocator rounding not included):");
    for (what, bytes) in [
        ("record structs", parts.inline),
        ("text fields", parts.text),
        ("abstracts", parts.abstract_text),
        ("authors", parts.people),
        ("lists (anchors, keywords…)", parts.lists),
        ("corpus keys", keys),
    ] {
        let (m, b) = per(bytes);
        let _ = writeln!(out, "  {what:<28} {m:>7.1} MiB ({b:>5.0} B/record)");
    }

    // The warm start: store the reading, then load it back as the server does.
    let dir = tempfile_dir();
    let cache = Cache::new(dir.clone(), 0);
    let file_input =
        Input { path: path.clone(), text: std::fs::read_to_string(&path).expect("read"), origin: Origin::Workspace };
    let stamp = cache.stamp(&file_input).expect("a file on disk has a stamp");
    drop(file_input);
    cache.store(&stamp, &read[0]);
    drop(corpus);
    drop(read);
    let (loaded, loaded_kept, loaded_peak) = measure(|| cache.load(&stamp, FileId(0)).expect("stored just now"));
    line(&mut out, "cache load", loaded_kept, loaded_peak, records);
    drop(loaded);
    let _ = std::fs::remove_dir_all(&dir);

    let (rss_now, hwm) = rss();
    let _ = writeln!(
        out,
        "process: live heap {:.1} MiB, RSS {:.1} MiB, peak RSS {:.1} MiB",
        mib(LIVE.load(Ordering::Relaxed)),
        mib(rss_now),
        mib(hwm)
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("refls-heap-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}
