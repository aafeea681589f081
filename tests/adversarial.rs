//! Every parser and scanner on about 100 KB of each adversarial shape in
//! `benches/adversarial/inputs.rs` (issue 10, fault 10). A quadratic parser spends seconds on
//! each and makes this test crawl; a linear one reads them all in well under a second. No
//! timing is asserted (`cargo bench --bench adversarial` measures 1 MB inputs); what is
//! asserted is what the fuzz entry points check: no panic, no stack overflow, every range inside
//! the text and on character boundaries, canonical DOIs.

#[path = "../benches/adversarial/inputs.rs"]
mod inputs;

#[test]
fn issue_10_parsers_read_adversarial_input() {
    let all = inputs::all(100 * 1024);
    assert!(all.len() > 50);
    for input in &all {
        assert!(input.bytes.len() > 90 * 1024, "{} / {} is too small", input.target, input.shape);
        let outcome = std::panic::catch_unwind(|| inputs::run(input));
        assert!(outcome.is_ok(), "{} / {} fails", input.target, input.shape);
    }
}
