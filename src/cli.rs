//! The command-line tools: `refls index` (and, later, `check` and `export`). They call the
//! corpus and analysis layers directly; nothing here knows about LSP.
//!
//! Output goes through explicit handles rather than `println!`, because the same binary
//! serves LSP on stdout and the lints forbid accidental prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::corpus::csl::{self, Flavour};
use crate::corpus::discover::{self, MissingPath};
use crate::corpus::{Corpus, FileProblem, RecordKind, seeds};

/// Output formats of `refls index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IndexFormat {
    /// A readable summary, one work per line.
    Table,
    /// CSL-JSON items, each with a `refls` object (source file and line, kind, links).
    Json,
    /// Plain CSL-JSON, usable as a pandoc bibliography.
    CslJson,
}

/// Exit code for usage errors, such as a path that does not exist.
pub const USAGE_ERROR: u8 = 2;

/// Builds the corpus from `paths`, or from the embedded seeds when there are none.
pub fn load_corpus(paths: &[PathBuf]) -> Result<Corpus, MissingPath> {
    if paths.is_empty() {
        return Ok(Corpus::build(seeds::inputs(), Vec::new()));
    }
    let (inputs, problems) = discover::discover(paths)?;
    Ok(Corpus::build(inputs, problems))
}

/// Writes the corpus's problems as warnings, compiler style.
pub fn report_problems(problems: &[FileProblem], err: &mut dyn Write) {
    for p in problems {
        let _ = writeln!(
            err,
            "{}: {}[{}]: {}",
            p.path,
            severity_word(p.problem.severity),
            p.problem.code,
            p.problem.message
        );
    }
}

fn severity_word(severity: crate::corpus::Severity) -> &'static str {
    match severity {
        crate::corpus::Severity::Error => "error",
        crate::corpus::Severity::Warning => "warning",
        crate::corpus::Severity::Hint => "hint",
    }
}

/// `refls index`.
pub fn index(paths: &[PathBuf], format: IndexFormat, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let corpus = match load_corpus(paths) {
        Ok(corpus) => corpus,
        Err(MissingPath(path)) => {
            let _ = writeln!(err, "refls: {path}: no such file or directory");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    report_problems(&corpus.problems, err);
    for (key, ids) in &corpus.ambiguous {
        let names: Vec<&str> = ids.iter().map(|&id| corpus.key(id)).collect();
        let _ = writeln!(err, "warning[ambiguous-key]: `{key}` names {} works; use {}", ids.len(), names.join(" or "));
    }
    let res = match format {
        IndexFormat::Json => write_json(out, &csl::all_items(&corpus, Flavour::WithProvenance)),
        IndexFormat::CslJson => write_json(out, &csl::all_items(&corpus, Flavour::Plain)),
        IndexFormat::Table => write_table(out, &corpus),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`refls index | head`) is not an error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "refls: cannot write output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_json(out: &mut dyn Write, value: &serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut res: String = text.chars().take(max - 1).collect();
    res.push('…');
    res
}

fn write_table(out: &mut dyn Write, corpus: &Corpus) -> std::io::Result<()> {
    let documents = corpus.records.iter().filter(|r| r.kind == RecordKind::Document).count();
    writeln!(
        out,
        "{} works from {} files: {} documents, {} cited works",
        corpus.records.len(),
        corpus.files.len(),
        documents,
        corpus.records.len() - documents
    )?;
    writeln!(out)?;
    writeln!(out, "{:<34} {:<8} {:<4} {:<12} {:<48} DOI / SOURCE", "KEY", "KIND", "YEAR", "AUTHOR", "TITLE")?;
    for (i, record) in corpus.records.iter().enumerate() {
        let id = crate::corpus::RecordId(i as u32);
        let author = record.authors.first().map_or(String::from("—"), |a| {
            if record.authors.len() > 1 || record.et_al {
                format!("{} et al.", a.value.family)
            } else {
                a.value.family.clone()
            }
        });
        let where_from = match record.doi() {
            Some(doi) => doi.to_string(),
            None => format!("{}:{}", corpus.file(record.anchor().file).path, corpus.line_of(record.anchor()) + 1),
        };
        writeln!(
            out,
            "{:<34} {:<8} {:<4} {:<12} {:<48} {}",
            corpus.key(id),
            if record.kind == RecordKind::Document { "document" } else { "cited" },
            record.year().map_or(String::from("—"), |y| y.to_string()),
            truncate(&author, 12),
            truncate(record.title().unwrap_or("(no title shown)"), 48),
            where_from
        )?;
    }
    Ok(())
}
