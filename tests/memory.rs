//! The memory an open document costs (issue 10, fault 12: a 50 MB note cost 1.5 GB in the
//! server). Counted by the counting allocator of the benchmarks, not by time: the heap that the
//! server keeps for one open Markdown document (its rope, the text of the version, the scan of
//! its citations) and the most the heap grows while its diagnostics are computed (as the server
//! computes them: in full up to the number it publishes), each per byte of the document. `python3 benches/memory.py target/release/refls` measures the whole server
//! over stdio.

#[path = "../benches/alloc/mod.rs"]
mod alloc;

use std::io::Write;
use std::sync::atomic::Ordering;

use alloc::{COUNTING, LIVE, PEAK};
use refls::analysis::{Manuscript, diagnostics};
use refls::corpus::{Corpus, seeds};
use refls::lsp::document::Document;
use refls::manuscript::Dialect;

/// The shape `benches/memory.py` opens: prose with three key citations (one unknown) and a
/// bare DOI in every paragraph, the densest kind of note.
fn note(bytes: usize) -> String {
    let paragraph = "Tenants described how repairs were shared between landlords and neighbours \
                     [@ikhile2023virtuous]. Other studies disagree [@buckley2022multistakeholder; \
                     @nosuchkey2020], see also 10.1111/hex.13851.\n\n";
    format!("# Notes\n\n{}", paragraph.repeat(bytes / paragraph.len()))
}

#[test]
fn issue_10_an_open_document_holds_a_small_multiple_of_its_size() {
    let corpus = Corpus::build(seeds::inputs(), Vec::new());
    let text = note(4 << 20);
    let size = text.len() as f64;
    COUNTING.store(true, Ordering::SeqCst);
    let start = LIVE.load(Ordering::SeqCst);
    let document = Document::new(&text, 1);
    let manuscript = Manuscript::new(Dialect::Markdown, document.text());
    let held = LIVE.load(Ordering::SeqCst).wrapping_sub(start);
    PEAK.store(LIVE.load(Ordering::SeqCst), Ordering::SeqCst);
    // As the server asks for them: at most as many as it publishes.
    let (found, more) = diagnostics::limited(&corpus, &manuscript, 10_000);
    let peak = PEAK.load(Ordering::SeqCst).wrapping_sub(start);
    COUNTING.store(false, Ordering::SeqCst);
    assert!(manuscript.citations.len() > 70_000, "the note is dense");
    assert_eq!(found.len(), 10_000);
    assert_eq!(found.len() + more, diagnostics::diagnostics(&corpus, &manuscript).len(), "none is lost from the count");
    let (held, peak) = (held as f64 / size, peak as f64 / size);
    // Shown with `cargo test --test memory -- --nocapture`.
    let _ = writeln!(std::io::stderr(), "held {held:.2} bytes per byte of text, heap peak {peak:.2}");
    // Rope and text are one copy each (2.1); the scan, a citation every 50 bytes, 1.4.
    assert!(held < 3.75, "an open document holds {held:.2} bytes per byte of text");
    assert!(peak < 4.5, "computing its diagnostics takes the heap to {peak:.2} bytes per byte of text");
    drop((found, manuscript, document, text));
}
