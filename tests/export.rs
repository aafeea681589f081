//! `refls export` through the built binary, checked with a real pandoc (`--citeproc`) for
//! every format, and BibTeX also by reading it back with refls's own BibTeX reader.

mod support;

use std::process::Command;

fn export(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_refls"))
        .arg("export")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run refls");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn cite_with_pandoc(bibliography: &str, extension: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let bib = dir.path().join(format!("refs.{extension}"));
    std::fs::write(&bib, bibliography).unwrap();
    let manuscript = dir.path().join("review.md");
    std::fs::write(&manuscript, "Sharing [@ikhile2023virtuous] and power [@buckley2022multistakeholder].\n").unwrap();
    let output = Command::new(support::pandoc())
        .arg("--citeproc")
        .arg("--bibliography")
        .arg(&bib)
        .args(["-t", "plain", "--wrap=none"])
        .arg(&manuscript)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && !stderr.contains("not found"), "pandoc with {extension}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn exported_bibliographies_work_with_pandoc() {
    for (format, extension) in [("csl-json", "json"), ("csl-yaml", "yaml"), ("bibtex", "bib")] {
        let bibliography = export(&["samples/review.md", "--format", format]);
        let rendered = cite_with_pandoc(&bibliography, extension);
        assert!(
            rendered.contains("Sharing (Ikhile et al. 2023) and power (Buckley et al. 2022)."),
            "{format}: {rendered}"
        );
        assert!(rendered.contains("Health Expect 26 (6): 2514–24"), "{format}: {rendered}");
    }
}

#[test]
fn only_cited_works_are_exported_unless_all() {
    let cited = export(&["samples/review.md", "--format", "csl-json"]);
    let items: serde_json::Value = serde_json::from_str(&cited).unwrap();
    let ids: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids[..3], ["ostrom1996crossing", "buckley2022multistakeholder", "ikhile2023virtuous"]);
    assert!(!ids.contains(&"doc-002_6155a9b287510640"), "an uncited work was exported");
    let all: serde_json::Value = serde_json::from_str(&export(&["--all", "--format", "csl-json"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 12);
}

#[test]
fn bibtex_export_reads_back() {
    let bibliography = export(&["--all", "--format", "bibtex"]);
    let (records, problems) = refls::corpus::bibtex::read(refls::corpus::FileId(0), &bibliography);
    assert!(problems.iter().all(|p| p.severity != refls::corpus::Severity::Error), "{problems:?}");
    assert_eq!(records.len(), 12);
    let ikhile = records.iter().find(|r| r.given_key.as_deref() == Some("ikhile2023virtuous")).unwrap();
    assert_eq!(
        ikhile.title(),
        Some("A virtuous cycle of co-production: Reflections from a community priority-setting exercise")
    );
    assert_eq!(ikhile.doi().unwrap().as_str(), "10.1111/hex.13851");
    assert_eq!(ikhile.pages.as_ref().unwrap().value, "2514-2524");
    assert!(ikhile.et_al);
    let tapping = records.iter().find(|r| r.given_key.as_deref() == Some("tapping2023power")).unwrap();
    assert!(tapping.title().unwrap().contains("equity\u{2010}sensitive"), "Unicode survives the round trip");
}

#[test]
fn declared_bibliography_joins_the_corpus() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("refs.bib"),
        "@article{doe2021, title = {A Declared Work}, author = {Doe, Jane}, year = {2021}}\n",
    )
    .unwrap();
    let manuscript = dir.path().join("paper.md");
    std::fs::write(&manuscript, "---\nbibliography: refs.bib\n---\nSee [@doe2021] and [@ikhile2023virtuous].\n")
        .unwrap();
    let items: serde_json::Value = serde_json::from_str(&export(&[manuscript.to_str().unwrap()])).unwrap();
    let ids: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["doe2021", "ikhile2023virtuous"]);
}

#[test]
fn every_name_a_manuscript_cites_is_exported_for_pandoc() {
    // One work cited by its key, its DOI, the DOI in capitals and a Manubot alias: pandoc
    // matches citations to entries by name, so each name gets an entry.
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("paper.md");
    std::fs::write(
        &manuscript,
        "Sharing [@ikhile2023virtuous], again [@doi:10.1111/hex.13851], by alias [@tag:cycle] and [@doi:10.1111/HEX.13851].\n\n[@tag:cycle]: doi:10.1111/hex.13851\n",
    )
    .unwrap();
    for (format, extension) in [("csl-json", "json"), ("csl-yaml", "yaml"), ("bibtex", "bib")] {
        let bibliography = export(&[manuscript.to_str().unwrap(), "--format", format]);
        let bib = dir.path().join(format!("refs.{extension}"));
        std::fs::write(&bib, &bibliography).unwrap();
        let output = Command::new(support::pandoc())
            .args(["--citeproc", "-t", "plain", "--wrap=none", "--bibliography"])
            .arg(&bib)
            .arg(&manuscript)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && !stderr.contains("not found"), "{format}: {stderr}");
        let rendered = String::from_utf8(output.stdout).unwrap();
        assert_eq!(rendered.matches("(Ikhile et al. 2023").count(), 5, "{format}: {rendered}");
    }
    let items: serde_json::Value =
        serde_json::from_str(&export(&[manuscript.to_str().unwrap(), "--format", "csl-json"])).unwrap();
    let ids: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ikhile2023virtuous", "doi:10.1111/hex.13851", "tag:cycle", "doi:10.1111/HEX.13851"]);
}

#[test]
fn exported_keys_are_distinct() {
    // Two entries a bibliography gave the same key stay two works, under two keys.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("refs.bib"),
        "@article{same, title = {First Work}, author = {Doe, Jane}, year = {2020}}\n@article{same, title = {Second Work}, author = {Roe, Ann}, year = {2021}}\n",
    )
    .unwrap();
    let bib = dir.path().join("refs.bib");
    let exported = Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(["export", "--all", "--format", "bibtex", "--corpus"])
        .arg(&bib)
        .output()
        .unwrap();
    let text = String::from_utf8(exported.stdout).unwrap();
    let keys: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("@article{")).collect();
    assert_eq!(keys.len(), 2, "{text}");
    assert_ne!(keys[0], keys[1], "{text}");
}

#[test]
fn issue_10_a_bibliography_key_that_equals_a_generated_key() {
    // Two saved pages of one title get suffixed keys; a `.bib` gives one of those keys to
    // another work. The index lists every work once under its own key, and `export --all`
    // writes those same keys, each once.
    let dir = tempfile::tempdir().unwrap();
    let page = |doi: &str| {
        format!(
            "Listening to tenants about damp homes: a study of shared repairs\n\nArticle\nXYZ1\n{doi}\n10349235\n31415926\nuuid-here\n\nAbstract\n\n{}",
            "Tenants told us how repairs were shared between landlords and neighbours over a long winter. ".repeat(3)
        )
    };
    std::fs::write(dir.path().join("a.txt"), page("10.1000/damp.1")).unwrap();
    std::fs::write(dir.path().join("b.txt"), page("10.1000/damp.2")).unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_refls")).args(args).arg(dir.path()).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let ids = |json: &str| -> Vec<String> {
        let items: serde_json::Value = serde_json::from_str(json).unwrap();
        items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    let before = ids(&run(&["index", "--format", "json"]));
    let taken = before.iter().find(|id| id.starts_with("listeningtenants-")).unwrap();
    std::fs::write(
        dir.path().join("c.bib"),
        format!(
            "@article{{{taken}, author = {{Wren, Tom}}, year = {{2019}}, title = {{Owls of the northern moors}}}}\n"
        ),
    )
    .unwrap();
    let mut after = ids(&run(&["index", "--format", "json"]));
    after.sort();
    let mut distinct = after.clone();
    distinct.dedup();
    assert_eq!(after, distinct, "two works share a key");
    assert_eq!(after.len(), 3);
    let exported = run(&["export", "--all", "--format", "bibtex", "--corpus"]);
    let mut keys: Vec<String> = exported
        .lines()
        .filter_map(|l| l.strip_prefix("@article{"))
        .map(|k| k.trim_end_matches(',').to_owned())
        .collect();
    keys.sort();
    assert_eq!(keys, after, "{exported}");
}
