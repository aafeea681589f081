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

/// The same inputs as `refls check` meets them: bibliographies and pages as a corpus of their
/// own (merging, keys, index), scanner inputs as manuscripts whose diagnostics are computed
/// against the seed corpus. Quadratic steps found here: a key shared by 10,000 nameless records
/// (the name table), and a Typst label looked up in the whole text at every unknown key.
#[test]
fn issue_10_corpus_and_diagnostics_of_adversarial_input() {
    use refls::analysis::{Manuscript, diagnostics::diagnostics};
    use refls::corpus::{Corpus, Input, Origin, seeds};
    use refls::manuscript::Dialect;
    let seeds = Corpus::build(seeds::inputs(), Vec::new());
    for input in inputs::all(100 * 1024) {
        let text = String::from_utf8_lossy(&input.bytes).into_owned();
        let extension = match input.target {
            "bibtex" => "bib",
            "csl_json" => "json",
            "csl_yaml" => "yaml",
            "ris" => "ris",
            "page" => "txt",
            _ => {
                let dialect = match input.target {
                    "scan_latex" => Dialect::Latex,
                    "scan_typst" => Dialect::Typst,
                    "scan_org" => Dialect::Org,
                    "scan_plain" => Dialect::Plain,
                    _ => Dialect::Markdown,
                };
                let found = diagnostics(&seeds, &Manuscript::new(dialect, text.into()));
                assert!(found.iter().all(|d| d.range.end <= input.bytes.len()), "{} / {}", input.target, input.shape);
                continue;
            }
        };
        let corpus = Corpus::build(
            vec![Input { path: format!("adversarial.{extension}"), text, origin: Origin::Workspace }],
            Vec::new(),
        );
        let keys: Vec<&str> =
            (0..corpus.records.len() as u32).map(|i| corpus.key(refls::corpus::RecordId(i))).collect();
        let distinct: std::collections::HashSet<&&str> = keys.iter().collect();
        // Keys a bibliography gives may repeat (reported); generated ones never do.
        if matches!(input.target, "ris" | "page") {
            assert_eq!(distinct.len(), keys.len(), "{} / {}: two works share a key", input.target, input.shape);
        }
    }
}

/// What only `refls check` does with a manuscript: resolve each bibliography it declares (in
/// the folder of the manuscript, admitted by the scope) and report the missing ones, and report
/// a bibliography's reading problems. Quadratic or slow steps found here (issue 10): 100,000
/// declarations of one file resolved one `readlink` at a time, and one unbuffered write per
/// piece of each of the 190,000 problems of a RIS file of empty records.
#[test]
fn issue_10_check_of_adversarial_declarations_and_problems() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = |target: &str, shape: &str| {
        matches!(
            (target, shape),
            ("ris", "unclosed records")
                | ("scan_markdown", "front matter" | "front matter of many folders")
                | ("scan_latex", "bibliography commands on one line")
                | ("scan_typst", "bibliography calls on one line")
        )
    };
    let empty = dir.path().join("empty.md");
    std::fs::write(&empty, "").unwrap();
    let mut checked = 0;
    for input in inputs::all(100 * 1024).into_iter().filter(|i| chosen(i.target, i.shape)) {
        let extension = match input.target {
            "ris" => "ris",
            "scan_latex" => "tex",
            "scan_typst" => "typ",
            _ => "md",
        };
        let path = dir.path().join(format!("input-{checked}.{extension}"));
        std::fs::write(&path, &input.bytes).unwrap();
        let (manuscripts, corpus) =
            if input.target == "ris" { (vec![empty.clone()], vec![path]) } else { (vec![path], Vec::new()) };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        refls::cli::check(&manuscripts, &corpus, refls::cli::CheckFormat::Text, &mut out, &mut err);
        let out = String::from_utf8(out).unwrap();
        let err = String::from_utf8(err).unwrap();
        // Records of nothing but a type line are counted in one problem; each missing
        // bibliography is reported on its own line.
        let reported = if input.target == "ris" {
            let counted = err.split(" records hold nothing but their `TY` line").next().unwrap_or_default();
            counted.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0)
        } else {
            out.matches("missing-bibliography").count()
        };
        assert!(reported > 4_000, "{} / {}: {reported} reported", input.target, input.shape);
        checked += 1;
    }
    assert_eq!(checked, 5);
}
