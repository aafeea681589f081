//! Profiling aid: builds a corpus of N generated pages (default 20,000) and logs the phases.
#[path = "../benches/gen/mod.rs"]
mod r#gen;
fn main() {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter("debug").init();
    let n = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let inputs: Vec<refls::corpus::Input> = r#gen::pages(n, 42)
        .into_iter()
        .map(|p| refls::corpus::Input { path: p.file_name, text: p.text, origin: refls::corpus::Origin::Workspace })
        .collect();
    let t = std::time::Instant::now();
    let corpus = refls::corpus::Corpus::build(inputs, Vec::new());
    tracing::info!("built {} records in {:?}", corpus.records.len(), t.elapsed());
}
