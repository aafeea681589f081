//! The command-line tools: `refls index`, `refls check` and `refls export`. They call the corpus and
//! analysis layers directly; nothing here knows about LSP.
//!
//! Output goes through explicit handles rather than `println!`, because the same binary
//! serves LSP on stdout and the lints forbid accidental prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::analysis::{Manuscript, diagnostics};
use crate::corpus::csl::{self, Flavour};
use crate::corpus::discover::{self, MissingPath};
use crate::corpus::scope::{self, Refusal, Scope};
use crate::corpus::{Corpus, FileProblem, RecordKind, Resolution, Severity, seeds};
use crate::manuscript::{Dialect, Syntax};

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
    // Buffered: stderr is unbuffered and `writeln!` writes each piece of a line on its own, so
    // the 190,000 problems of a 1 MB RIS file of empty records took four write calls each
    // (about half of `refls check`'s time on it, issue 10).
    let mut err = std::io::BufWriter::with_capacity(64 * 1024, err);
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
    let _ = err.flush();
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
        let names: Vec<String> = ids
            .iter()
            .map(|&id| match corpus.unique_name(id) {
                Some(name) => format!("`{name}`"),
                None => {
                    let at = corpus.record(id).anchor();
                    format!(
                        "the entry at {}:{} (no unique name: rename one key)",
                        corpus.file(at.file).path,
                        corpus.line_of(at) + 1
                    )
                }
            })
            .collect();
        let _ = writeln!(err, "warning[ambiguous-key]: `{key}` names {} works: {}", ids.len(), names.join(", "));
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
                format!("{} et al.", a.value.family())
            } else {
                a.value.family().to_string()
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

/// Output formats of `refls check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `file:line:col: severity[code]: message`, as compilers print.
    Text,
    /// `{"citations": [...], "diagnostics": [...]}` with 1-based lines and columns.
    Json,
}

/// Extensions of manuscripts found when `refls check` walks a directory.
const MANUSCRIPT_EXTENSIONS: &[&str] = &["md", "markdown", "qmd", "rmd", "tex", "latex", "ltx", "typ", "org"];

fn syntax_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Pandoc => "pandoc",
        Syntax::LatexCite => "latex",
        Syntax::Typst => "typst",
        Syntax::OrgCite => "org",
        Syntax::BareDoi => "doi",
    }
}

/// `1 error`, `2 errors`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Reads and scans the manuscripts checked or exported together. They are one document for
/// citation aliases: Manubot defines them in one file for all the others.
fn read_manuscripts(files: &[PathBuf]) -> Result<Vec<Manuscript>, (String, std::io::Error)> {
    let mut texts = Vec::with_capacity(files.len());
    for file in files {
        let shown = file.display().to_string();
        let bytes = std::fs::read(file).map_err(|e| (shown.clone(), e))?;
        texts.push((Dialect::from_path(&shown), std::sync::Arc::<str>::from(String::from_utf8_lossy(&bytes))));
    }
    // A LaTeX citation command defined in one file (the preamble) cites in all of them.
    let mut commands: Vec<String> = texts
        .iter()
        .filter(|(dialect, _)| *dialect == Dialect::Latex)
        .flat_map(|(_, text)| crate::manuscript::latex_cite_commands(text))
        .collect();
    commands.sort();
    commands.dedup();
    let manuscripts: Vec<Manuscript> =
        texts.into_iter().map(|(dialect, text)| Manuscript::with_commands(dialect, text, &commands)).collect();
    let mut aliases: std::collections::HashMap<String, String> =
        manuscripts.iter().flat_map(|m| m.aliases.iter().map(|(key, target)| (key.clone(), target.clone()))).collect();
    // Older Manubot manuscripts keep their aliases in `citation-tags.tsv` beside the content.
    let folders: std::collections::BTreeSet<&std::path::Path> = files.iter().filter_map(|f| f.parent()).collect();
    for folder in folders {
        if let Ok(text) = std::fs::read_to_string(folder.join("citation-tags.tsv")) {
            for alias in crate::manuscript::tag_file_aliases(&text) {
                aliases.entry(alias.key).or_insert(alias.target);
            }
        }
    }
    Ok(manuscripts.into_iter().map(|m| m.with_aliases(&aliases)).collect())
}

/// 1-based lines and columns (in characters) of byte offsets in one text. Lines end at `\n`,
/// `\r\n` or a lone `\r`, as in editors.
///
/// The line starts are found once, and a column is counted from the previous answer when it
/// is on the same line: `refls check` asks for offsets in file order, so a file of a million
/// citations on one line costs one pass, not one pass per citation.
struct LineColumns<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// The last answer: byte offset, 0-based line, 1-based column.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'t> LineColumns<'t> {
    fn new(text: &'t str) -> LineColumns<'t> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        LineColumns { text, line_starts, last: std::cell::Cell::new((0, 0, 1)) }
    }

    fn at(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let (last_offset, last_line, last_column) = self.last.get();
        let column = if last_line == line && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else if last_line == line {
            last_column - self.text[offset..last_offset].chars().count()
        } else {
            self.text[self.line_starts[line]..offset].chars().count() + 1
        };
        self.last.set((offset, line, column));
        (line + 1, column)
    }
}

/// The manuscripts named by `paths`: files as given, directories walked (respecting
/// `.gitignore`) for Markdown, LaTeX, Typst and Org files.
fn manuscript_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, MissingPath> {
    let mut res = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(MissingPath(path.display().to_string()));
        }
        if path.is_file() {
            res.push(path.clone());
            continue;
        }
        for entry in ignore::WalkBuilder::new(path).build().flatten() {
            let is_manuscript = entry
                .path()
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| MANUSCRIPT_EXTENSIONS.iter().any(|m| m.eq_ignore_ascii_case(e)));
            if entry.file_type().is_some_and(|t| t.is_file()) && is_manuscript {
                res.push(entry.path().to_path_buf());
            }
        }
    }
    res.sort();
    Ok(res)
}

/// `refls check`: the server's scanners and diagnostics over manuscripts, for CI. Exit code
/// 1 when any error-level diagnostic is found, 2 for usage errors, else 0.
pub fn check(
    paths: &[PathBuf],
    corpus_paths: &[PathBuf],
    format: CheckFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let files = match manuscript_paths(paths) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            let _ = writeln!(
                err,
                "refls: no manuscripts to check (give .md, .qmd, .Rmd, .tex, .typ or .org files or directories)"
            );
            return ExitCode::from(USAGE_ERROR);
        }
        Err(MissingPath(path)) => {
            let _ = writeln!(err, "refls: {path}: no such file or directory");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let corpus = match corpus_for(&files, corpus_paths, err) {
        Ok(corpus) => corpus,
        Err(code) => return code,
    };
    let allowed = scope_for(&files, corpus_paths);
    report_problems(&corpus.problems, err);
    let manuscripts = match read_manuscripts(&files) {
        Ok(manuscripts) => manuscripts,
        Err((shown, e)) => {
            let _ = writeln!(err, "refls: {shown}: cannot read: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    // JSON values are built only for JSON output: two ordered maps per citation and per
    // diagnostic were most of the time of a text check of 300,000 citations.
    let json = matches!(format, CheckFormat::Json);
    let mut citations_json = Vec::new();
    let mut diagnostics_json = Vec::new();
    let (mut citation_count, mut diagnostic_count) = (0, 0);
    let mut errors = 0;
    let mut text_out = String::new();
    for (file, manuscript) in files.iter().zip(&manuscripts) {
        let shown = file.display().to_string();
        let text = &*manuscript.text;
        let columns = LineColumns::new(text);
        citation_count += manuscript.citations.len();
        for citation in manuscript.citations.iter().filter(|_| json) {
            let (line, column) = columns.at(citation.range.start);
            let resolved = matches!(manuscript.resolve(&corpus, &citation.key), Resolution::One(_));
            citations_json.push(serde_json::json!({
                "file": shown, "line": line, "column": column, "key": citation.key,
                "syntax": syntax_name(citation.syntax), "resolved": resolved,
            }));
        }
        let mut found = diagnostics::diagnostics(&corpus, manuscript);
        // Author–year citations written as prose (issue 12 item 9).
        found.extend(
            crate::analysis::prose_citations::diagnostics(&corpus, manuscript).into_iter().map(|p| p.diagnostic),
        );
        let dir = file.parent().unwrap_or(std::path::Path::new("."));
        let mut resolver = allowed.resolver();
        for declared in crate::manuscript::bibliography::declared(manuscript.dialect, text) {
            let refused = match resolver.file(&dir.join(&declared.path)) {
                Ok(_) => continue,
                Err(Refusal::Missing) => (
                    Severity::Error,
                    "missing-bibliography",
                    format!("bibliography `{}` does not exist", declared.path),
                ),
                Err(Refusal::Outside(path)) => (
                    Severity::Warning,
                    "bibliography-outside-project",
                    format!(
                        "bibliography `{}` is outside the project ({}); it was not read (name its folder with --corpus to allow it)",
                        declared.path,
                        path.display()
                    ),
                ),
            };
            let (severity, code, message) = refused;
            found.push(diagnostics::Diagnostic {
                range: declared.range.clone(),
                severity,
                code,
                message,
                related: Vec::new(),
            });
        }
        found.sort_by_key(|d| d.range.start);
        for d in found {
            let (line, column) = columns.at(d.range.start);
            let (end_line, end_column) = columns.at(d.range.end);
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Hint => "hint",
            };
            if d.severity == Severity::Error {
                errors += 1;
            }
            diagnostic_count += 1;
            if json {
                diagnostics_json.push(serde_json::json!({
                    "file": shown, "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                    "severity": severity, "code": d.code, "message": d.message,
                }));
                continue;
            }
            text_out.push_str(&format!("{shown}:{line}:{column}: {severity}[{}]: {}\n", d.code, d.message));
            for related in &d.related {
                let file = corpus.file(related.location.file);
                text_out.push_str(&format!(
                    "  note: {}:{}: {}\n",
                    file.path,
                    corpus.line_of(&related.location) + 1,
                    related.message
                ));
            }
        }
    }
    let res = match format {
        CheckFormat::Text => {
            let summary = format!(
                "checked {} in {}: {}, {} in all\n",
                plural(citation_count, "citation"),
                plural(files.len(), "manuscript"),
                plural(errors, "error"),
                plural(diagnostic_count, "diagnostic")
            );
            out.write_all(text_out.as_bytes()).and_then(|()| out.write_all(summary.as_bytes()))
        }
        CheckFormat::Json => {
            write_json(out, &serde_json::json!({ "citations": citations_json, "diagnostics": diagnostics_json }))
        }
    };
    if let Err(e) = res {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "refls: cannot write output: {e}");
        }
    }
    if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Output formats of `refls export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Bibtex,
    CslJson,
    CslYaml,
}

/// The corpus for manuscripts: `--corpus` paths (or the embedded seeds) plus the
/// bibliographies the manuscripts declare (front matter, `\bibliography`, `#bibliography`).
/// The folders whose files the manuscripts' declared bibliographies may be read from: the
/// working directory, each manuscript's project folder, and the `--corpus` paths.
fn scope_for(manuscripts: &[PathBuf], corpus_paths: &[PathBuf]) -> Scope {
    let mut scope = Scope::new(std::env::current_dir().ok());
    for manuscript in manuscripts {
        scope.allow(&scope::project_folder(manuscript));
    }
    for path in corpus_paths {
        scope.allow(path);
    }
    scope
}

fn corpus_for(manuscripts: &[PathBuf], corpus_paths: &[PathBuf], err: &mut dyn Write) -> Result<Corpus, ExitCode> {
    let (mut inputs, mut problems) = if corpus_paths.is_empty() {
        (seeds::inputs(), Vec::new())
    } else {
        match discover::discover(corpus_paths) {
            Ok(found) => found,
            Err(MissingPath(path)) => {
                let _ = writeln!(err, "refls: corpus path {path}: no such file or directory");
                return Err(ExitCode::from(USAGE_ERROR));
            }
        }
    };
    let allowed = scope_for(manuscripts, corpus_paths);
    // A bibliography declared by several manuscripts, or reached by two paths (also a
    // `--corpus` path and a declaration), is read once: read twice, every key it holds would
    // name two works and be ambiguous.
    let mut read: std::collections::BTreeSet<std::path::PathBuf> =
        inputs.iter().filter_map(|input| std::fs::canonicalize(&input.path).ok()).collect();
    for manuscript in manuscripts {
        let Ok(text) = std::fs::read_to_string(manuscript) else { continue };
        let dir = manuscript.parent().unwrap_or(std::path::Path::new("."));
        let dialect = Dialect::from_path(&manuscript.display().to_string());
        let own = crate::manuscript::bibliography::declared(dialect, &text).into_iter().map(|d| dir.join(d.path));
        let project = scope::project_folder(manuscript);
        let inherited =
            crate::manuscript::project::inherited_bibliographies(manuscript, &project).into_iter().map(|i| i.path);
        let mut resolver = allowed.resolver();
        for declared in own.chain(inherited) {
            // Refused and missing paths are reported by `check`, on the line that names them.
            let Ok(path) = resolver.file(&declared) else { continue };
            if !read.insert(path.clone()) {
                continue;
            }
            let (input, problem) = discover::read_source(&path);
            inputs.extend(input);
            problems.extend(problem);
        }
    }
    Ok(Corpus::build(inputs, problems))
}

/// `refls export`: the bibliography of every work the manuscripts cite (or of the whole
/// corpus with `--all`), in first-cited order.
pub fn export(
    manuscripts: &[PathBuf],
    corpus_paths: &[PathBuf],
    all: bool,
    format: ExportFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitCode {
    let files = match manuscript_paths(manuscripts) {
        Ok(files) => files,
        Err(MissingPath(path)) => {
            let _ = writeln!(err, "refls: {path}: no such file or directory");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    if files.is_empty() && !all {
        let _ = writeln!(err, "refls: name manuscripts to export the works they cite, or use --all");
        return ExitCode::from(USAGE_ERROR);
    }
    let corpus = match corpus_for(&files, corpus_paths, err) {
        Ok(corpus) => corpus,
        Err(code) => return code,
    };
    report_problems(&corpus.problems, err);
    let format = match format {
        ExportFormat::Bibtex => crate::corpus::export::Format::Bibtex,
        ExportFormat::CslJson => crate::corpus::export::Format::CslJson,
        ExportFormat::CslYaml => crate::corpus::export::Format::CslYaml,
    };
    let text = if all {
        let ids: Vec<crate::corpus::RecordId> = (0..corpus.records.len() as u32).map(crate::corpus::RecordId).collect();
        crate::corpus::export::write(&corpus, &ids, format)
    } else {
        let manuscripts = match read_manuscripts(&files) {
            Ok(manuscripts) => manuscripts,
            Err((shown, e)) => {
                let _ = writeln!(err, "refls: {shown}: cannot read: {e}");
                return ExitCode::from(USAGE_ERROR);
            }
        };
        // Each work is written under every name the manuscripts cite it by, so that pandoc
        // finds `@smith2020`, `@doi:10.1000/xyz` and an alias `@tag:x` alike.
        let mut entries: Vec<(crate::corpus::RecordId, String)> = Vec::new();
        let mut names = std::collections::HashSet::new();
        for (file, manuscript) in files.iter().zip(&manuscripts) {
            for citation in manuscript.citations.iter() {
                match manuscript.resolve(&corpus, &citation.key) {
                    Resolution::One(id) => {
                        // A DOI in running text is not a pandoc citation: the work goes out
                        // under its corpus key.
                        let name =
                            if citation.syntax == Syntax::BareDoi { corpus.key(id) } else { citation.key.as_str() };
                        if names.insert(name.to_owned()) {
                            entries.push((id, name.to_owned()));
                        }
                    }
                    Resolution::Ambiguous(_) => {
                        let _ =
                            writeln!(err, "refls: {}: `{}` is ambiguous; not exported", file.display(), citation.key);
                    }
                    Resolution::Unknown => {
                        let _ = writeln!(
                            err,
                            "refls: {}: `{}` is not in the corpus; not exported",
                            file.display(),
                            citation.key
                        );
                    }
                }
            }
        }
        if format == crate::corpus::export::Format::Bibtex {
            for (_, name) in entries.iter().filter(|(_, name)| !crate::corpus::export::is_bibtex_key(name)) {
                let _ = writeln!(err, "refls: `{name}` cannot be a BibTeX key; export CSL JSON or YAML to keep it");
            }
        }
        crate::corpus::export::write_named(&corpus, &entries, format)
    };
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            let _ = writeln!(err, "refls: cannot write output: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    use super::LineColumns;

    /// The same answers as counting from the start of the text, in any order of offsets.
    #[test]
    fn line_columns_match_a_count_from_the_start() {
        let text = "ab\r\ncé\rd\n\nлиния x\r\n";
        // The straightforward count, from the start of the text for every offset.
        let naive = |offset: usize| {
            let bytes = text.as_bytes();
            let (mut line, mut line_start) = (1, 0);
            for (i, &b) in bytes[..offset].iter().enumerate() {
                if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                    line += 1;
                    line_start = i + 1;
                }
            }
            (line, text[line_start..offset].chars().count() + 1)
        };
        let offsets: Vec<usize> = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).collect();
        let columns = LineColumns::new(text);
        for &o in offsets.iter().chain(offsets.iter().rev()).chain(offsets.iter().step_by(3)) {
            assert_eq!(columns.at(o), naive(o), "offset {o}");
        }
    }
}
