//! `refls index --format csl-json` must be a bibliography that a real pandoc accepts: this
//! runs pandoc (from PyPI's `pypandoc-binary`, installed by `.ci/run` into `.tools/py`) with
//! `--citeproc` on a manuscript citing seed keys and checks the rendered references.

mod support;

use std::process::Command;

#[test]
fn pandoc_citeproc_reads_the_csl_json_export() {
    let dir = tempfile::tempdir().unwrap();
    let bib = dir.path().join("refs.json");
    let output = Command::new(env!("CARGO_BIN_EXE_refls")).args(["index", "--format", "csl-json"]).output().unwrap();
    assert!(output.status.success());
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(items.as_array().unwrap().iter().all(|i| i.get("refls").is_none()), "csl-json must be plain CSL");
    std::fs::write(&bib, &output.stdout).unwrap();
    let manuscript = dir.path().join("review.md");
    std::fs::write(
        &manuscript,
        "Co-production [@buckley2022multistakeholder; @ikhile2023virtuous] and its dark side [@oliver2019dark].\n",
    )
    .unwrap();
    let rendered = Command::new(support::pandoc())
        .arg("--citeproc")
        .arg("--bibliography")
        .arg(&bib)
        .args(["-t", "plain", "--wrap=none"])
        .arg(&manuscript)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(rendered.status.success(), "pandoc failed: {stderr}");
    assert!(!stderr.contains("not found"), "pandoc could not resolve a citation: {stderr}");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        text.contains("(Buckley et al. 2022; Ikhile et al. 2023) and its dark side (Oliver et al. 2019)"),
        "{text}"
    );
    assert!(text.contains("Multi-Stakeholder Perspectives on Co-Production"), "{text}");
    assert!(text.contains("Health Expect 26 (6): 2514–24. https://doi.org/10.1111/hex.13851"), "{text}");
    assert!(text.contains("Health Res Policy Syst 17 (1)"), "a cited work with a journal is a journal article: {text}");
}
