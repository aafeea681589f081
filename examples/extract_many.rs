//! Profiling aid: extracts 3,000 generated pages on one thread.
#[path = "../benches/gen/mod.rs"]
mod r#gen;
fn main() {
    let pages = r#gen::pages(3000, 42);
    let t = std::time::Instant::now();
    for (i, p) in pages.iter().enumerate() {
        std::hint::black_box(refls::corpus::page::read(refls::corpus::FileId(i as u32), &p.text));
    }
    let _ = std::io::Write::write_fmt(&mut std::io::stderr(), format_args!("{:?}\n", t.elapsed()));
}
