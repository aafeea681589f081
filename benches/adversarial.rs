//! Benchmark of every parser and scanner on adversarial input (issue 10, fault 10): about
//! 1 MB of each shape in `adversarial/inputs.rs` (nested braces, `#` chains, DOI-dense text,
//! deep JSON and YAML, long lines, runs of `@` and `[`), each through the same entry point as
//! its fuzz target. A linear parser reads each in a few milliseconds; the figure to watch is
//! the slowest one. `cargo bench --bench adversarial [-- SIZE_IN_KB] [-- SHAPE_FILTER]`;
//! each figure is the median of three runs. With `--write DIR` the inputs are written to files
//! instead (bibliographies and pages under their extensions, scanner inputs as manuscripts),
//! for `benches/adversarial_check.sh`, which times `refls check` on each.

use std::io::Write;
use std::time::{Duration, Instant};

#[path = "adversarial/inputs.rs"]
mod inputs;

fn main() {
    let mut out = std::io::stdout().lock();
    let all_args: Vec<String> = std::env::args().skip(1).collect();
    let write_to = all_args.iter().position(|a| a == "--write").and_then(|i| all_args.get(i + 1)).cloned();
    let args: Vec<String> =
        all_args.iter().filter(|a| !a.starts_with('-') && Some(*a) != write_to.as_ref()).cloned().collect();
    let kb: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1024);
    let filter = args.iter().find(|a| a.parse::<usize>().is_err()).cloned().unwrap_or_default();
    if let Some(dir) = write_to {
        for input in inputs::all(kb * 1024) {
            let extension = match input.target {
                "bibtex" => "bib",
                "csl_json" => "json",
                "csl_yaml" => "yaml",
                "ris" => "ris",
                "page" => "txt",
                "scan_latex" => "tex",
                "scan_typst" => "typ",
                "scan_org" => "org",
                _ => "md",
            };
            let slug: String = input
                .shape
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                .collect();
            let path = std::path::Path::new(&dir).join(format!("{}-{slug}.{extension}", input.target));
            std::fs::write(&path, &input.bytes).expect("write an adversarial input");
        }
        return;
    }
    let mut slowest = (Duration::ZERO, String::new());
    for input in inputs::all(kb * 1024) {
        let name = format!("{} / {}", input.target, input.shape);
        if !name.contains(&filter) {
            continue;
        }
        let mut times: Vec<Duration> = (0..3)
            .map(|_| {
                let start = Instant::now();
                inputs::run(&input);
                start.elapsed()
            })
            .collect();
        times.sort();
        let median = times[1];
        let _ =
            writeln!(out, "{name:<50} {:>5} KB {:>9.1} ms", input.bytes.len() / 1024, median.as_secs_f64() * 1000.0);
        if median > slowest.0 {
            slowest = (median, name);
        }
    }
    let _ = writeln!(out, "slowest: {} ({:.1} ms)", slowest.1, slowest.0.as_secs_f64() * 1000.0);
}
