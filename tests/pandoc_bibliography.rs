//! `refls index --format csl-json` must be a bibliography that a real pandoc accepts: this
//! runs pandoc (from PyPI's `pypandoc-binary`, installed by `.ci/run` into `.tools/py`) with
//! `--citeproc` on a manuscript citing seed keys and checks the rendered references.

use std::path::PathBuf;
use std::process::Command;

/// The pandoc binary: `$REFLS_PANDOC`, else the one `.ci/run` installs. Missing pandoc is a
/// failure with instructions, never a silent skip.
pub fn pandoc() -> PathBuf {
    if let Some(path) = std::env::var_os("REFLS_PANDOC") {
        return PathBuf::from(path);
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/py/pypandoc/files/pandoc");
    assert!(
        path.exists(),
        "pandoc not found at {}: run `bash .ci/run` once, or `python3 -m pip install --target .tools/py pypandoc-binary`, or set REFLS_PANDOC",
        path.display()
    );
    path
}

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
    let rendered = Command::new(pandoc())
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
