//! `refls check` through the built binary: the sample manuscripts, an error that fails the
//! run, the JSON shape, one work cited under two names, and usage errors.

use std::process::Command;

use serde_json::Value;

fn refls(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run refls");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Each citation of `refls check --format json` as `(key, resolved)`, in order.
fn resolved_keys(json: &Value) -> Vec<(&str, bool)> {
    json["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap(), c["resolved"].as_bool().unwrap()))
        .collect()
}

#[test]
fn sample_manuscripts_check_clean_with_hints() {
    let (code, out, _) = refls(&["check", "samples"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "samples/review.md:15:60: hint[cited-only]: `oliver2019dark` is known only from the reference list of"
        ),
        "{out}"
    );
    assert!(out.ends_with("checked 13 citations in 2 manuscripts: 0 errors, 6 diagnostics in all\n"), "{out}");
}

#[test]
fn errors_fail_the_run_and_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("draft.md");
    std::fs::write(&manuscript, "Intro.\nSee [@ikhile2023virtous] and doi:10.1111 and [@ikhile2023virtuous].\n")
        .unwrap();
    let path = manuscript.to_str().unwrap();
    let (code, out, _) = refls(&["check", path]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{path}:2:7: error[unknown-key]: unknown citation key `ikhile2023virtous`; did you mean `ikhile2023virtuous`?")), "{out}");
    assert!(out.contains(&format!("{path}:2:30: error[malformed-doi]")), "{out}");

    let (code, out, _) = refls(&["check", "--format", "json", path]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    let citations = json["citations"].as_array().unwrap();
    assert_eq!(citations.len(), 2);
    assert_eq!(citations[1]["key"], "ikhile2023virtuous");
    assert_eq!(citations[1]["resolved"], true);
    assert_eq!(citations[1]["syntax"], "pandoc");
    assert_eq!((citations[1]["line"].as_u64(), citations[1]["column"].as_u64()), (Some(2), Some(48)));
    let first = &json["diagnostics"][0];
    for field in ["file", "line", "column", "end_line", "end_column", "severity", "code", "message"] {
        assert!(first.get(field).is_some(), "missing {field} in {first}");
    }
    assert_eq!((first["end_line"].as_u64(), first["end_column"].as_u64()), (Some(2), Some(24)));
}

#[test]
fn a_corpus_can_be_named() {
    let (code, out, _) = refls(&["check", "samples/review.tex", "--corpus", "seeds/000_c509e413bdc93c04.txt"]);
    assert_eq!(code, 1, "with only one seed the other keys are unknown: {out}");
    assert!(out.contains("error[unknown-key]: unknown citation key `ikhile2023virtuous`"), "{out}");
}

#[test]
fn declared_bibliographies_are_read_and_missing_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("refs.bib"),
        "@article{doe2021, title = {A Declared Work}, author = {Doe, Jane}, year = {2021}}\n",
    )
    .unwrap();
    let manuscript = dir.path().join("paper.tex");
    std::fs::write(&manuscript, "\\addbibresource{refs.bib}\n\\addbibresource{gone.bib}\nSee \\cite{doe2021}.\n")
        .unwrap();
    let path = manuscript.to_str().unwrap();
    let (code, out, _) = refls(&["check", path]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("{path}:2:17: error[missing-bibliography]: bibliography `gone.bib` does not exist")),
        "{out}"
    );
    assert!(!out.contains("doe2021"), "the declared bibliography's key resolves: {out}");
}

/// The README's promise for `same-work`: one work cited by key and by DOI is flagged once, at
/// the second name; citing it by its first name again raises nothing more.
#[test]
fn one_work_cited_by_key_and_by_doi_is_flagged_once() {
    let dir = tempfile::tempdir().unwrap();
    let manuscript = dir.path().join("notes.md");
    std::fs::write(
        &manuscript,
        "# Notes\n\n\
         Priority setting by a community can start a virtuous cycle [@ikhile2023virtuous].\n\
         The same exercise is reported with its reflections [@doi:10.1111/hex.13851].\n\
         Its authors return to the cycle at the end [@ikhile2023virtuous].\n",
    )
    .unwrap();
    let (code, out, _) = refls(&["check", "--format", "json", manuscript.to_str().unwrap()]);
    assert_eq!(code, 0, "a warning does not fail the run: {out}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let same_work: Vec<&Value> =
        json["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "same-work").collect();
    assert_eq!(same_work.len(), 1, "{out}");
    assert_eq!((same_work[0]["line"].as_u64(), same_work[0]["severity"].as_str()), (Some(4), Some("warning")));
    assert_eq!(
        same_work[0]["message"],
        "`doi:10.1111/hex.13851` and `ikhile2023virtuous` name the same work; cite it one way"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(refls(&["check", "no/such/review.md"]).0, 2);
    assert_eq!(refls(&["check", "samples", "--corpus", "no/such/corpus"]).0, 2);
    assert_eq!(refls(&["check"]).0, 2);
}

#[test]
fn manubot_manuscript_in_several_files() {
    // Manubot defines aliases in one file for all of them, and names manual references by the
    // citation they answer to; cross-references and template tags are not citations.
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::write(
        content.join("01.body.md"),
        "As @fig:flow shows, [@tag:cycle; @raw:notes] and @pubmed:0 by {{ author.name }}.\n",
    )
    .unwrap();
    std::fs::write(content.join("90.back-matter.md"), "<!-- aliases -->\n[@tag:cycle]: doi:10.1111/hex.13851\n")
        .unwrap();
    std::fs::write(
        content.join("manual-references.yaml"),
        "- type: report\n  standard_citation: raw:notes\n  title: Our Notes\n  author:\n  - family: Doe\n    given: Jane\n",
    )
    .unwrap();
    let (code, out, err) = refls(&[
        "check",
        "--format",
        "json",
        "--corpus",
        content.join("manual-references.yaml").to_str().unwrap(),
        "--corpus",
        "seeds",
        content.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let keys = resolved_keys(&json);
    assert_eq!(keys, [("tag:cycle", true), ("raw:notes", true), ("pubmed:0", false)]);
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["identifier-not-in-corpus"], "{out}");
}

/// Issue 10, fault 11: a manuscript's declared bibliography outside its project is not read
/// (its entries do not resolve) and is reported on the line that names it; one inside is read.
#[test]
fn issue_10_bibliographies_outside_the_project_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("paper");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    std::fs::create_dir_all(project.join("chapters")).unwrap();
    let entry = |key: &str| format!("@article{{{key}, title = {{A Title}}, author = {{Doe, Jan}}, year = 2020}}\n");
    std::fs::write(dir.path().join("secret.bib"), entry("secretkey")).unwrap();
    std::fs::write(project.join("refs.bib"), entry("ownkey")).unwrap();
    let manuscript = project.join("chapters/one.md");
    std::fs::write(
        &manuscript,
        "---\nbibliography: [../refs.bib, ../../secret.bib, /etc/passwd]\n---\nSee [@ownkey] and [@secretkey].\n",
    )
    .unwrap();
    let (code, out, err) = refls(&["check", manuscript.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.matches("warning[bibliography-outside-project]").count(), 2, "{out}");
    assert!(out.contains("`/etc/passwd` is outside the project"), "{out}");
    assert!(out.contains("error[unknown-key]: unknown citation key `secretkey`"), "{out}");
    assert!(!out.contains("`ownkey`"), "the project's own bibliography is read: {out}");
    assert!(!err.contains("root:"), "nothing of /etc/passwd is shown: {err}");
}

/// Issue 9: a Quarto chapter or a bookdown chapter declares no bibliography itself; the
/// project does (`_quarto.yml`, a folder's `_metadata.yml`, bookdown's `index.Rmd`). Checked
/// alone, its keys resolve against those, and a key none of them holds is still an error.
#[test]
fn chapters_read_the_bibliographies_their_project_declares() {
    let dir = tempfile::tempdir().unwrap();
    let quarto = dir.path().join("quarto");
    let write = |path: &std::path::Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let bib = |key: &str, title: &str| {
        format!("@article{{{key},\n  title = {{{title}}},\n  author = {{Doe, Jane}},\n  year = {{2020}}\n}}\n")
    };
    write(&quarto.join("_quarto.yml"), "project:\n  type: book\nbibliography: references.bib\n");
    write(&quarto.join("references.bib"), &bib("rivers2020", "Rivers of sand"));
    write(&quarto.join("chapters/_metadata.yml"), "bibliography: chapter.bib\n");
    write(&quarto.join("chapters/chapter.bib"), &bib("lakes2021", "Lakes of glass"));
    write(&quarto.join("chapters/one.qmd"), "As shown [@rivers2020; @lakes2021], not [@oceans2022].\n");
    let chapter = quarto.join("chapters/one.qmd");
    let (code, out, _) = refls(&["check", "--format", "json", chapter.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&out).unwrap();
    let resolved = resolved_keys(&json);
    assert_eq!(resolved, [("rivers2020", true), ("lakes2021", true), ("oceans2022", false)], "{out}");
    assert_eq!(code, 1, "the unknown key is still an error: {out}");

    let book = dir.path().join("book");
    write(&book.join("_bookdown.yml"), "book_filename: \"book\"\n");
    write(&book.join("index.Rmd"), "---\ntitle: A book\nbibliography: [book.bib]\n---\n\n# Preface\n");
    write(&book.join("book.bib"), &bib("dunes2019", "Dunes"));
    write(&book.join("02-methods.Rmd"), "# Methods\n\nSee @dunes2019.\n");
    let (code, out, _) = refls(&["check", book.join("02-methods.Rmd").to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checked 1 citation in 1 manuscript: 0 errors"), "{out}");
}

/// Issue 9: an older Manubot manuscript keeps its aliases in `citation-tags.tsv`, and the
/// `references.json` Manubot writes names items by a hash, with the citation each was made
/// from as `standard_id:` in its note. Both resolve; an unknown tag is still reported.
#[test]
fn manubot_tag_file_and_standard_ids() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    std::fs::write(content.join("citation-tags.tsv"), "tag\tcitation\nriver-atlas\turl:https://example.org/atlas\n")
        .unwrap();
    std::fs::write(
        content.join("02.body.md"),
        "Mapped [@tag:river-atlas] and [@doi:10.5555/Delta.2] but [@tag:lost].\n",
    )
    .unwrap();
    std::fs::write(
        content.join("references.json"),
        r#"[{"id": "Qx9hash1", "type": "webpage", "title": "River atlas", "note": "Generated by Manubot.\nstandard_id: url:https://example.org/atlas"},
            {"id": "Zz0hash2", "type": "article-journal", "title": "Delta sediments", "note": "standard_id: doi:10.5555/delta.2"}]"#,
    )
    .unwrap();
    let (_, out, err) = refls(&[
        "check",
        "--format",
        "json",
        "--corpus",
        content.join("references.json").to_str().unwrap(),
        content.join("02.body.md").to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let keys = resolved_keys(&json);
    assert_eq!(keys, [("tag:river-atlas", true), ("doi:10.5555/Delta.2", true), ("tag:lost", false)], "{out}");
}

/// Issue 9: pandoc-url2cite cites URLs (`[@https://…]`, or a label whose link definition is
/// the URL) and caches what it fetched in `citation-cache.json` beside the manuscript; refls
/// reads that cache without being told, as url2cite does.
#[test]
fn url2cite_cache_beside_the_manuscript() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".git"), "").unwrap();
    std::fs::write(
        dir.path().join("citation-cache.json"),
        r#"{"_info": "cache", "urls": {"https://example.org/tides": {"fetched": "2021-01-01", "bibtex": [],
            "csl": {"id": "temp_1", "type": "webpage", "title": "Tides of the north", "author": [{"family": "Moss", "given": "Ada"}], "issued": {"date-parts": [[2019]]}}}}}"#,
    )
    .unwrap();
    let post = dir.path().join("post.md");
    std::fs::write(&post, "As [@https://example.org/tides] and [@tides], not [@https://example.org/gone].\n\n[@tides]: https://example.org/tides\n").unwrap();
    let (_, out, err) = refls(&["check", "--format", "json", "--corpus", "seeds", post.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let keys = resolved_keys(&json);
    assert_eq!(
        keys,
        [("https://example.org/tides", true), ("tides", true), ("https://example.org/gone", false)],
        "{out}"
    );
    let codes: Vec<&str> =
        json["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["identifier-not-in-corpus"], "{out}");
}

/// A bibliography given with `--corpus` and declared by the manuscript is read once; read
/// twice, every key it holds named two works and was reported ambiguous (seen on the
/// astropy paper: 4 false `ambiguous-key` warnings).
#[test]
fn a_bibliography_given_and_declared_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.bib"), "@article{reef2018, title = {Reefs}, year = {2018}}\n").unwrap();
    let paper = dir.path().join("paper.tex");
    std::fs::write(&paper, "\\cite{reef2018}\n\\bibliography{refs}\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(["check", "--corpus", "./refs.bib", "paper.tex"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.ends_with("checked 1 citation in 1 manuscript: 0 errors, 0 diagnostics in all\n"), "{out}");
}

/// Issue 9: a thesis defines its citation macro in the preamble file and uses it in each
/// chapter; checked together, the chapter's macro calls are citations.
#[test]
fn latex_cite_macros_defined_in_another_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.bib"), "@article{reef2018, title = {Reefs}, year = {2018}}\n").unwrap();
    std::fs::write(
        dir.path().join("preamble.tex"),
        "\\newcommand{\\posscite}[1]{\\citeauthor{#1}'s (\\citeyear{#1})}\n\\bibliography{refs}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("chapter.tex"), "As \\posscite{reef2018} and \\posscite{gone2019} show.\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_refls"))
        .args(["check", "--format", "json", "preamble.tex", "chapter.tex"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&out).unwrap();
    let keys = resolved_keys(&json);
    assert_eq!(keys, [("reef2018", true), ("gone2019", false)], "{out}");
}
