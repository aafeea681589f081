//! Profiling aid: reads one bibliography (`assemble_time FILE [REPS]`), then assembles the
//! corpus from that reading REPS times (default 5) and prints the fastest time of each stage:
//! up to the name table (what hover and definition wait for) and the search index after it.
//! The fastest of several runs is what the code costs when the machine is busy with other work;
//! the CPU time of the process (all its threads, from `/proc`) is printed beside the wall time.
use std::sync::Arc;
use std::time::{Duration, Instant};

use refls::corpus::{Corpus, Input, Origin};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: assemble_time FILE [REPS]");
    let reps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let text = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let read: Vec<Arc<_>> =
        Corpus::read_all(vec![Input { path, text, origin: Origin::Workspace }]).into_iter().map(Arc::new).collect();
    let (mut names, mut search) = ((Duration::MAX, Duration::MAX), (Duration::MAX, Duration::MAX));
    let fastest = |best: &mut (Duration, Duration), wall: Duration, cpu: Duration| {
        *best = (best.0.min(wall), best.1.min(cpu));
    };
    for _ in 0..reps {
        let (started, cpu) = (Instant::now(), cpu_time());
        let corpus = Corpus::assemble_names(read.clone(), Vec::new());
        fastest(&mut names, started.elapsed(), cpu_time() - cpu);
        let (started, cpu) = (Instant::now(), cpu_time());
        corpus.build_search();
        fastest(&mut search, started.elapsed(), cpu_time() - cpu);
    }
    let records: usize = read.iter().map(|f| f.record_count()).sum();
    let out = format!(
        "{records} records, fastest of {reps} (wall, CPU): names {:?} {:?}, search {:?} {:?}\n",
        names.0, names.1, search.0, search.1
    );
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes()).expect("stdout");
}

/// The CPU time of all the process's threads so far (Linux; zero elsewhere).
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Duration::ZERO };
    let nanos: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}
