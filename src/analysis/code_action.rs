//! Quick fixes on citations, as edits the editor applies (refls never writes a file):
//!
//! | on | fix | fixes diagnostic |
//! |---|---|---|
//! | an unknown key | replace it with each "did you mean" key | `unknown-key` |
//! | an ambiguous key | cite one of its works by the name that names it alone | `ambiguous-key` |
//! | one work cited under two names | cite it by one of them everywhere in the manuscript | `same-work` |
//! | a bare DOI or DOI link in prose | turn it into a citation in the manuscript's syntax | `doi-not-in-corpus` when unknown |
//! | a cited work the declared bibliography lacks | append the work's entry to that file | — |
//!
//! A DOI becomes `[@key]` in Markdown when the corpus holds the work (else Manubot's
//! `[@doi:…]`), `\cite{key}`, Typst `@key` and Org `[cite:@key]` (only for works the corpus
//! holds: those syntaxes need a bibliography entry). An entry is appended in the file's own
//! format (BibTeX, CSL-JSON, CSL-YAML, written by [`crate::corpus::export`]) under the name
//! the manuscript cites it by, so the citation resolves once the edit is applied. A file whose
//! shape is not recognised (a CSL-JSON that is not one array) gets no action rather than a
//! guess.
//!
//! Each action says which diagnostic it fixes (code and range); the LSP layer attaches the
//! client's matching diagnostic.

use std::ops::Range;
use std::sync::Arc;

use super::inlay_hint::author_year;
use super::prose_citations::{self, ProseMatch};
use super::{Manuscript, did_you_mean, identifier_kind};
use crate::corpus::export::{self, Format};
use crate::corpus::{Corpus, FileId, RecordId, Resolution, SourceKind, doi};
use crate::manuscript::{Citation, Dialect, Syntax};

/// A bibliography the manuscript declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bibliography {
    /// The file's path as the corpus names it (`SourceFile::path`).
    pub path: String,
    /// The path as the manuscript writes it, for the action's title.
    pub written: String,
}

/// Reads a bibliography's current text by its corpus path (the editor's text when it is open).
/// Called only for an action that appends to that file.
pub type Reader<'a> = &'a dyn Fn(&str) -> Option<Arc<str>>;

/// Which text an edit applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Manuscript,
    /// A bibliography, by corpus path, with the text the edit's offsets refer to.
    File {
        path: String,
        text: Arc<str>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub target: Target,
    pub range: Range<usize>,
    pub new_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// The diagnostic (code and range) this action fixes, when there is one.
    pub fixes: Option<(&'static str, Range<usize>)>,
    /// The one obvious fix (the closest "did you mean").
    pub preferred: bool,
    /// Empty for an append left for [`resolve_append`].
    pub edits: Vec<Edit>,
    /// For "add to the bibliography": what to append where.
    pub append: Option<Append>,
}

/// Adding a work's entry to a bibliography file under the name the manuscript cites it by.
/// Reading the file (50 MB for 100,000 entries) is what costs, so the server offers the action
/// without its edit and computes it only for the action the user picks (`codeAction/resolve`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Append {
    pub record: RecordId,
    pub name: String,
    pub bibliography: Bibliography,
}

/// The quick fixes for the citations that overlap `range` (a cursor or a selection). With
/// `read`, appends to a bibliography come with their edit; without, see [`resolve_append`].
pub fn code_actions(
    corpus: &Corpus,
    manuscript: &Manuscript,
    range: Range<usize>,
    bibliographies: &[Bibliography],
    read: Option<Reader>,
) -> Vec<CodeAction> {
    let mut res = Vec::new();
    let text = &*manuscript.text;
    // A citation's written span ends where its key does; only a bare DOI's starts earlier.
    let first = manuscript.citations.partition_point(|c| c.range.end < range.start);
    for citation in &manuscript.citations[first..] {
        let span = written_span(text, citation);
        if span.start > range.end {
            break;
        }
        let resolution = manuscript.resolve(corpus, &citation.key);
        if citation.syntax == Syntax::BareDoi {
            let id = match resolution {
                Resolution::One(id) => Some(id),
                _ => None,
            };
            res.extend(doi_to_citation(corpus, manuscript, citation, span, id));
            continue;
        }
        match resolution {
            Resolution::Unknown => res.extend(unknown_key(corpus, manuscript, citation)),
            Resolution::Ambiguous(ids) => res.extend(ambiguous_key(corpus, citation, ids)),
            Resolution::One(id) => {
                res.extend(same_work(corpus, manuscript, citation, id));
                res.extend(add_to_bibliography(corpus, citation, id, bibliographies, read));
            }
        }
    }
    res.extend(prose_citations(corpus, manuscript, range));
    res
}

/// For an author–year citation written in prose (`Buckley et al. (2022)`): cite the one work it
/// names in the document's syntax, or correct a year that fits no work of the one author who
/// matches. A parenthetical part of a longer list (`(A, 2020; B, 2021)`) is left alone: made a
/// citation on its own, it would print inside the writer's own parentheses.
fn prose_citations(corpus: &Corpus, manuscript: &Manuscript, range: Range<usize>) -> Vec<CodeAction> {
    let mut res = Vec::new();
    let text = &*manuscript.text;
    let prose = manuscript.prose_citations();
    let first = prose.partition_point(|c| c.range.end < range.start);
    for citation in prose[first..].iter().take_while(|c| c.range.start <= range.end) {
        match prose_citations::prose_match(corpus, citation) {
            ProseMatch::One(id) => {
                let Some(name) = citable_name(corpus, id) else { continue };
                // The written span: the narrative form includes its `(year)`; a parenthetical
                // one is replaced with its parentheses when it is alone inside them.
                let mut span = citation.range.clone();
                if !citation.narrative {
                    let before = text[..span.start].trim_end_matches(' ');
                    let after = text[span.end..].trim_start_matches(' ');
                    if !(before.ends_with('(') && after.starts_with(')')) {
                        continue;
                    }
                    span = before.len() - 1..text.len() - after.len() + 1;
                }
                let Some(new_text) = prose_to_citation(manuscript, name, citation.narrative) else { continue };
                res.push(CodeAction {
                    title: format!("Cite as `{new_text}`{}", who(corpus, id)),
                    fixes: None,
                    preferred: false,
                    edits: vec![Edit { target: Target::Manuscript, range: span, new_text }],
                    append: None,
                });
            }
            ProseMatch::OtherYear(id) => {
                let Some(year) = corpus.record(id).year() else { continue };
                res.push(CodeAction {
                    title: format!("Change the year to {year}{}", who(corpus, id)),
                    fixes: Some(("prose-citation-year", citation.year_range.clone())),
                    preferred: true,
                    edits: vec![Edit {
                        target: Target::Manuscript,
                        range: citation.year_range.clone(),
                        new_text: year.to_string(),
                    }],
                    append: None,
                });
            }
            _ => {}
        }
    }
    res
}

/// A citation of `name` that prints as the prose did: the author in the text for the narrative
/// form (`@key`, `\textcite`/`\citet`, Org `cite/t`, Typst `form: "prose"`), in parentheses
/// otherwise. LaTeX uses biblatex's commands when the text loads biblatex, else natbib's.
fn prose_to_citation(manuscript: &Manuscript, name: &str, narrative: bool) -> Option<String> {
    Some(match manuscript.dialect {
        Dialect::Markdown => {
            let key = if is_pandoc_key(name) { name.to_owned() } else { format!("{{{name}}}") };
            if narrative { format!("@{key}") } else { format!("[@{key}]") }
        }
        Dialect::Latex => {
            let biblatex = manuscript.text.contains("biblatex");
            let command = match (narrative, biblatex) {
                (true, true) => "textcite",
                (false, true) => "parencite",
                (true, false) => "citet",
                (false, false) => "citep",
            };
            format!("\\{command}{{{name}}}")
        }
        Dialect::Typst if narrative => format!("#cite(label({name:?}), form: \"prose\")"),
        Dialect::Typst if is_typst_label(name) => format!("@{name}"),
        Dialect::Typst => format!("#cite(label({name:?}))"),
        Dialect::Org => format!("[cite{}:@{name}]", if narrative { "/t" } else { "" }),
        Dialect::Plain => return None,
    })
}

/// A name that cites `id` alone: its key when that is not shared, else another of its names.
fn citable_name(corpus: &Corpus, id: RecordId) -> Option<&str> {
    let key = corpus.key(id);
    if corpus.index.resolve(key) == Resolution::One(id) { Some(key) } else { corpus.unique_name(id) }
}

fn replace(citation: &Citation, name: &str) -> Edit {
    Edit { target: Target::Manuscript, range: citation.range.clone(), new_text: name.to_owned() }
}

/// ` (Ikhile et al. 2023)`, or nothing for a work with no author.
fn who(corpus: &Corpus, id: RecordId) -> String {
    author_year(corpus.record(id)).map(|label| format!(" ({label})")).unwrap_or_default()
}

fn unknown_key(corpus: &Corpus, manuscript: &Manuscript, citation: &Citation) -> Vec<CodeAction> {
    let key = citation.key.as_str();
    // Identifiers and Typst references to the document's own labels are not typos of keys.
    if key == "*" || identifier_kind(&manuscript.lookup_name(key)).is_some() {
        return Vec::new();
    }
    if citation.syntax == Syntax::Typst && manuscript.text.contains(&format!("<{key}>")) {
        return Vec::new();
    }
    did_you_mean(corpus, key, 3)
        .into_iter()
        .filter_map(|id| Some((id, citable_name(corpus, id)?)))
        .enumerate()
        .map(|(i, (id, name))| CodeAction {
            title: format!("Replace `{key}` with `{name}`{}", who(corpus, id)),
            fixes: Some(("unknown-key", citation.range.clone())),
            preferred: i == 0,
            edits: vec![replace(citation, name)],
            append: None,
        })
        .collect()
}

fn ambiguous_key(corpus: &Corpus, citation: &Citation, ids: &[RecordId]) -> Vec<CodeAction> {
    ids.iter()
        .filter_map(|&id| {
            let name = corpus.unique_name(id)?;
            let title = corpus.record(id).title().map(|t| format!(": {}", shorten(t, 60))).unwrap_or_default();
            Some(CodeAction {
                title: format!("Cite `{name}`{}{title}", who(corpus, id)),
                fixes: Some(("ambiguous-key", citation.range.clone())),
                preferred: false,
                edits: vec![replace(citation, name)],
                append: None,
            })
        })
        .collect()
}

fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

/// When the manuscript cites this work under more than one name: one action per name, citing
/// it by that name everywhere. Bare DOIs in prose are not names, and an alias and its target
/// are one name.
fn same_work(corpus: &Corpus, manuscript: &Manuscript, citation: &Citation, id: RecordId) -> Vec<CodeAction> {
    let citations: Vec<&Citation> = manuscript
        .citations
        .iter()
        .filter(|c| c.syntax != Syntax::BareDoi && manuscript.resolve(corpus, &c.key) == Resolution::One(id))
        .collect();
    let mut names: Vec<(&str, String)> = Vec::new();
    for c in &citations {
        let looked_up = manuscript.lookup_name(&c.key).into_owned();
        if !names.iter().any(|(_, l)| *l == looked_up) {
            names.push((c.key.as_str(), looked_up));
        }
    }
    if names.len() < 2 {
        return Vec::new();
    }
    names
        .iter()
        .map(|(name, looked_up)| {
            let edits: Vec<Edit> = citations
                .iter()
                .filter(|c| manuscript.lookup_name(&c.key) != looked_up.as_str())
                .map(|c| replace(c, name))
                .collect();
            let count = edits.len();
            CodeAction {
                title: format!(
                    "Cite this work as `{name}` everywhere ({count} citation{})",
                    if count == 1 { "" } else { "s" }
                ),
                fixes: Some(("same-work", citation.range.clone())),
                preferred: false,
                edits,
                append: None,
            }
        })
        .collect()
}

/// The bytes a citation occupies as written: for a bare DOI, with its `doi:` or resolver
/// prefix.
fn written_span(text: &str, citation: &Citation) -> Range<usize> {
    if citation.syntax != Syntax::BareDoi {
        return citation.range.clone();
    }
    let line_start = text[..citation.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..citation.range.end];
    doi::find_dois(line)
        .into_iter()
        .find(|m| m.range.end + line_start == citation.range.end)
        .map_or(citation.range.clone(), |m| m.full_range.start + line_start..citation.range.end)
}

/// Pandoc's key grammar: a letter, digit or `_` first, then those and internal punctuation.
fn is_pandoc_key(name: &str) -> bool {
    let inner = |c: char| c.is_alphanumeric() || c == '_' || ":.#$%&-+?<>~/".contains(c);
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphanumeric() || c == '_')
        && name.chars().all(inner)
        && name.chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Typst's label grammar, for `@key`; other keys are cited with `#cite(label("…"))`.
fn is_typst_label(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        && name.chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_')
}

fn doi_to_citation(
    corpus: &Corpus,
    manuscript: &Manuscript,
    citation: &Citation,
    span: Range<usize>,
    id: Option<RecordId>,
) -> Option<CodeAction> {
    let name = id.and_then(|id| citable_name(corpus, id));
    let new_text = match (manuscript.dialect, name) {
        (Dialect::Markdown, name) => {
            let name = name.map_or_else(|| citation.key.to_string(), str::to_owned);
            if is_pandoc_key(&name) { format!("[@{name}]") } else { format!("[@{{{name}}}]") }
        }
        (Dialect::Latex, Some(name)) => format!("\\cite{{{name}}}"),
        (Dialect::Typst, Some(name)) if is_typst_label(name) => format!("@{name}"),
        (Dialect::Typst, Some(name)) => format!("#cite(label({name:?}))"),
        (Dialect::Org, Some(name)) => format!("[cite:@{name}]"),
        _ => return None,
    };
    // `(doi:10.…)` becomes `[@key]`, not `([@key])`: the citation brings its own brackets.
    let text = &*manuscript.text;
    let wrapped = text[..span.start].ends_with('(') && text[span.end..].starts_with(')');
    let range = if wrapped { span.start - 1..span.end + 1 } else { span };
    Some(CodeAction {
        title: format!("Cite this DOI as `{new_text}`{}", id.map(|id| who(corpus, id)).unwrap_or_default()),
        fixes: id.is_none().then(|| ("doi-not-in-corpus", citation.range.clone())),
        preferred: id.is_some(),
        edits: vec![Edit { target: Target::Manuscript, range, new_text }],
        append: None,
    })
}

/// An entry for the work in each declared bibliography that lacks it. Nothing when the work
/// is in one of them already (pandoc reads them all), or the manuscript declares none. With
/// no `read`, the edit is left for [`resolve_append`].
fn add_to_bibliography(
    corpus: &Corpus,
    citation: &Citation,
    id: RecordId,
    bibliographies: &[Bibliography],
    read: Option<Reader>,
) -> Vec<CodeAction> {
    // By file id: ids are not positions in `corpus.files` (a cached file keeps its id).
    let files: Vec<(FileId, &Bibliography)> =
        bibliographies.iter().filter_map(|b| Some((corpus.files.iter().find(|f| f.path == b.path)?.id, b))).collect();
    let record = corpus.record(id);
    if files.is_empty() || record.anchors.iter().any(|a| files.iter().any(|(f, _)| a.file == *f)) {
        return Vec::new();
    }
    let name = citation.key.as_str();
    files
        .into_iter()
        .filter_map(|(_, bibliography)| {
            format_of(&bibliography.path, name)?;
            let append = Append { record: id, name: name.to_owned(), bibliography: bibliography.clone() };
            let edits = match read {
                Some(read) => resolve_append(corpus, &append, read)?,
                None => Vec::new(),
            };
            Some(CodeAction {
                title: format!("Add `{name}`{} to {}", who(corpus, id), bibliography.written),
                fixes: None,
                preferred: false,
                edits,
                append: Some(append),
            })
        })
        .collect()
}

/// The format a bibliography is extended in, if refls can write an entry named `name` there.
fn format_of(path: &str, name: &str) -> Option<Format> {
    match SourceKind::from_path(path) {
        SourceKind::Bibtex if export::is_bibtex_key(name) => Some(Format::Bibtex),
        SourceKind::CslJson => Some(Format::CslJson),
        SourceKind::CslYaml => Some(Format::CslYaml),
        _ => None,
    }
}

/// The edit of an "add to the bibliography" action: reads the file and appends the entry, or
/// `None` when the file cannot be read or its shape is not one refls knows how to extend.
pub fn resolve_append(corpus: &Corpus, append: &Append, read: Reader) -> Option<Vec<Edit>> {
    let path = &append.bibliography.path;
    let format = format_of(path, &append.name)?;
    let text = read(path)?;
    let entry = export::write_named(corpus, &[(append.record, append.name.clone())], format);
    let (range, new_text) = self::append(format, &text, &entry)?;
    Some(vec![Edit { target: Target::File { path: path.clone(), text: text.clone() }, range, new_text }])
}

/// Where and what to insert to add `entry` (a whole one-item bibliography in `format`) to the
/// bibliography `text`, or `None` when the file's shape is not one refls knows how to extend.
fn append(format: Format, text: &str, entry: &str) -> Option<(Range<usize>, String)> {
    match format {
        Format::Bibtex => {
            let separator = match text {
                "" => "",
                t if t.ends_with("\n\n") => "",
                t if t.ends_with('\n') => "\n",
                _ => "\n\n",
            };
            Some((text.len()..text.len(), format!("{separator}{}\n", entry.trim_end())))
        }
        Format::CslJson => {
            // One array: the item goes after the last one, before the closing bracket.
            let body = text.trim_end();
            let close = body.strip_suffix(']')?.len();
            let before = text[..close].trim_end();
            let item = entry.trim().strip_prefix('[')?.strip_suffix(']')?.trim_matches('\n');
            let at = before.len();
            if before.ends_with('[') {
                Some((at..close, format!("\n{item}\n")))
            } else if before.ends_with('}') {
                Some((at..at, format!(",\n{item}")))
            } else {
                None
            }
        }
        Format::CslYaml => {
            let items = entry.strip_prefix("---\nreferences:\n")?.strip_suffix("...\n")?;
            yaml_append(text, items)
        }
    }
}

/// Appends YAML list items (written at column 0) to the list of a CSL-YAML file: pandoc's
/// `references:` under front matter, or a bare list. The items are indented like the file's
/// own, and go after its last item, before a `...` or `---` line or the next top-level key.
fn yaml_append(text: &str, items: &str) -> Option<(Range<usize>, String)> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        lines.push((at, line));
        at += line.len();
    }
    let content = |line: &str| line.trim_end_matches(['\n', '\r']).to_owned();
    // The list starts after `references:`, or at the first item of a bare list.
    let start = lines
        .iter()
        .position(|(_, l)| content(l).trim_end() == "references:")
        .map(|i| i + 1)
        .or_else(|| lines.iter().position(|(_, l)| l.starts_with("- ")))?;
    let first_item = lines[start..].iter().find(|(_, l)| l.trim_start().starts_with("- "))?;
    let indent = first_item.1.len() - first_item.1.trim_start().len();
    let mut end = text.len();
    let mut last_content_end = first_item.0;
    for (offset, line) in &lines[start..] {
        let shown = content(line);
        if shown.trim().is_empty() {
            continue;
        }
        let line_indent = shown.len() - shown.trim_start().len();
        let ends_list = shown == "..."
            || shown == "---"
            || line_indent < indent
            || (line_indent == indent && !shown.trim_start().starts_with("- "));
        if ends_list {
            end = *offset;
            break;
        }
        last_content_end = offset + line.len();
    }
    let insert_at = last_content_end.min(end);
    let pad = " ".repeat(indent);
    let mut new_text = String::new();
    if !text[..insert_at].ends_with('\n') {
        new_text.push('\n');
    }
    for line in items.lines() {
        new_text.push_str(&pad);
        new_text.push_str(line);
        new_text.push('\n');
    }
    Some((insert_at..insert_at, new_text))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;
    use crate::corpus::{Input, Origin, Severity};
    use crate::manuscript::bibliography::declared;

    /// Lists each action at the cursor with what applying it gives: the manuscript's changed
    /// line(s), or the appended part of another file.
    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let dir = f.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let bibliographies: Vec<Bibliography> = declared(f.manuscript.dialect, &f.manuscript.text)
            .into_iter()
            .map(|d| Bibliography {
                path: if dir.is_empty() { d.path.clone() } else { format!("{dir}/{}", d.path) },
                written: d.path,
            })
            .collect();
        let read = |path: &str| f.files.iter().find(|(p, _)| p == path).map(|(_, text)| Arc::from(text.as_str()));
        let actions = code_actions(&f.corpus, &f.manuscript, f.cursor..f.cursor, &bibliographies, Some(&read));
        let mut out = String::new();
        for action in actions {
            out.push_str(&format!("{}{}", if action.preferred { "* " } else { "- " }, action.title));
            if let Some((code, range)) = &action.fixes {
                out.push_str(&format!(" [fixes {code} {range:?}]"));
            }
            out.push('\n');
            let mut edits = action.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
            let target = edits[0].target.clone();
            let mut text = match &target {
                Target::Manuscript => f.manuscript.text.to_string(),
                Target::File { text, .. } => text.to_string(),
            };
            for edit in &edits {
                assert_eq!(edit.target, target, "one action edits one file here");
                text.replace_range(edit.range.clone(), &edit.new_text);
            }
            match &target {
                Target::Manuscript => out.push_str(&format!("  {}\n", text.trim_end().replace('\n', "\n  "))),
                Target::File { path, text: before } => {
                    // From the line before the edit, to show how the entry joins the file.
                    let edit_line = before[..edits[0].range.start].trim_end().rfind('\n').map_or(0, |i| i + 1);
                    let line_start = edit_line;
                    // The extended file must still read, with one more entry than before.
                    let count = |text: &str| {
                        let input = Input { path: path.clone(), text: text.to_owned(), origin: Origin::Workspace };
                        let corpus = Corpus::build(vec![input], Vec::new());
                        let errors: Vec<_> =
                            corpus.problems.iter().filter(|p| p.problem.severity == Severity::Error).collect();
                        assert!(errors.is_empty(), "{errors:?}\n{text}");
                        corpus.records.len()
                    };
                    assert_eq!(count(&text), count(before) + 1, "{text}");
                    out.push_str(&format!("  {path}, from the line of the edit:\n"));
                    for line in text[line_start..].lines() {
                        out.push_str(&format!("  | {line}\n"));
                    }
                }
            }
        }
        let out = if out.is_empty() { "(no actions)".to_owned() } else { out };
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    #[test]
    fn prose_citations_become_citations_or_get_their_year_fixed() {
        check(
            "//- /review.md\nAs Ikh<|>ile et al. (2023) argue.\n",
            "- Cite as `@ikhile2023virtuous` (Ikhile et al. 2023)
  As @ikhile2023virtuous argue.",
        );
        check(
            "//- /review.md\nAs argued (Ikhile et al., 20<|>23).\n",
            "- Cite as `[@ikhile2023virtuous]` (Ikhile et al. 2023)
  As argued [@ikhile2023virtuous].",
        );
        // One part of a list in the writer's own parentheses is left alone.
        check("//- /review.md\nAs argued (Ikhile et al., 20<|>23; Nobody, 1999).\n", "(no actions)");
        check(
            "//- /review.tex\nAs Ikhile et al. (20<|>21) argue.\n",
            "* Change the year to 2023 (Ikhile et al. 2023) [fixes prose-citation-year 18..22]
  As Ikhile et al. (2023) argue.",
        );
        check(
            "//- /review.tex\n\\usepackage{natbib}\nAs Ikhile et al. (20<|>23) argue.\n",
            "- Cite as `\\citet{ikhile2023virtuous}` (Ikhile et al. 2023)
  \\usepackage{natbib}
  As \\citet{ikhile2023virtuous} argue.",
        );
        check(
            "//- /review.org\nAs Ikhile et al. (20<|>23) argue.\n",
            "- Cite as `[cite/t:@ikhile2023virtuous]` (Ikhile et al. 2023)
  As [cite/t:@ikhile2023virtuous] argue.",
        );
    }

    #[test]
    fn unknown_key_offers_each_did_you_mean() {
        check(
            "//- /review.md\nSee [@ikhile2023virt<|>ous].\n",
            "* Replace `ikhile2023virtous` with `ikhile2023virtuous` (Ikhile et al. 2023) [fixes unknown-key 6..23]
  See [@ikhile2023virtuous].",
        );
        check("//- /review.md\nSee [@zzz<|>qqq] and @doi:10.1000/not.here.\n", "(no actions)");
    }

    #[test]
    fn ambiguous_key_offers_each_work() {
        check(
            "//- /a.bib
@article{smith2020, author = {Smith, Jan}, title = {Effects of testing on tests}, year = {2020}, doi = {10.1000/a}}
//- /b.bib
@article{smith2020, author = {Smith, Kim}, title = {Effects of tests on testing}, year = {2020}, doi = {10.1000/b}}
//- /review.tex
See \\cite{smi<|>th2020}.
",
            "- Cite `doi:10.1000/a` (Smith 2020): Effects of testing on tests [fixes ambiguous-key 10..19]
  See \\cite{doi:10.1000/a}.
- Cite `doi:10.1000/b` (Smith 2020): Effects of tests on testing [fixes ambiguous-key 10..19]
  See \\cite{doi:10.1000/b}.",
        );
    }

    #[test]
    fn two_names_of_one_work_become_one() {
        check(
            "//- /review.md\nSee [@ikhile2023virtuous], then [@doi:10.1111/<|>hex.13851] and again [@ikhile2023virtuous].\n",
            "- Cite this work as `ikhile2023virtuous` everywhere (1 citation) [fixes same-work 34..55]
  See [@ikhile2023virtuous], then [@ikhile2023virtuous] and again [@ikhile2023virtuous].
- Cite this work as `doi:10.1111/hex.13851` everywhere (2 citations) [fixes same-work 34..55]
  See [@doi:10.1111/hex.13851], then [@doi:10.1111/hex.13851] and again [@doi:10.1111/hex.13851].",
        );
    }

    #[test]
    fn a_bare_doi_becomes_a_citation_in_each_syntax() {
        let note = "As shown (https://doi.org/10.1111/<|>hex.13851), and see doi:10.1000/elsewhere.1 too.\n";
        check(
            &format!("//- /review.md\n{note}"),
            "* Cite this DOI as `[@ikhile2023virtuous]` (Ikhile et al. 2023)
  As shown [@ikhile2023virtuous], and see doi:10.1000/elsewhere.1 too.",
        );
        check(
            &format!("//- /review.tex\n{note}"),
            "* Cite this DOI as `\\cite{ikhile2023virtuous}` (Ikhile et al. 2023)
  As shown \\cite{ikhile2023virtuous}, and see doi:10.1000/elsewhere.1 too.",
        );
        check(
            &format!("//- /review.typ\n{note}"),
            "* Cite this DOI as `@ikhile2023virtuous` (Ikhile et al. 2023)
  As shown @ikhile2023virtuous, and see doi:10.1000/elsewhere.1 too.",
        );
        check(
            &format!("//- /review.org\n{note}"),
            "* Cite this DOI as `[cite:@ikhile2023virtuous]` (Ikhile et al. 2023)
  As shown [cite:@ikhile2023virtuous], and see doi:10.1000/elsewhere.1 too.",
        );
        check(&format!("//- /review.txt\n{note}"), "(no actions)");
        // A DOI the corpus lacks: Manubot's `@doi:` in Markdown, nothing where a key is needed.
        let unknown = "See doi:10.1000/else<|>where.1 too.\n";
        check(
            &format!("//- /review.md\n{unknown}"),
            "- Cite this DOI as `[@doi:10.1000/elsewhere.1]` [fixes doi-not-in-corpus 8..27]
  See [@doi:10.1000/elsewhere.1] too.",
        );
        check(&format!("//- /review.tex\n{unknown}"), "(no actions)");
    }

    #[test]
    fn a_work_missing_from_the_declared_bibtex_is_appended() {
        check(
            "//- /refs.bib
@article{quill2020, author = {Quill, Ada}, title = {Counting sparrows}, year = {2020}}
//- /pages/p.txt
Smith, J (2020) Effects of testing on tests. Journal of Tests. ISSN 0028-0836

Effects of testing on tests

doi: 10.1000/a
//- /review.md
---
bibliography: refs.bib
---
See [@quill2020; @smith2020<|>effects].
",
            "- Add `smith2020effects` (Smith 2020) to refs.bib
  refs.bib, from the line of the edit:
  | @article{quill2020, author = {Quill, Ada}, title = {Counting sparrows}, year = {2020}}
  | 
  | @article{smith2020effects,
  |   author = {Smith, J.},
  |   title = {{Effects of testing on tests}},
  |   journal = {Journal of Tests},
  |   year = {2020},
  |   doi = {10.1000/a},
  |   issn = {0028-0836},
  | }",
        );
        // A work the bibliography holds gets no action.
        check(
            "//- /refs.bib\n@article{quill2020, author = {Quill, Ada}, title = {Counting sparrows}, year = {2020}}\n//- /review.md\n---\nbibliography: refs.bib\n---\nSee [@quill<|>2020].\n",
            "(no actions)",
        );
    }

    #[test]
    fn an_append_can_be_resolved_later() {
        let f = Fixture::parse(
            "//- /refs.bib\n@article{quill2020, title = {Counting sparrows}}\n//- /p.txt\nSmith, J (2020) Effects of testing on tests. Journal of Tests. ISSN 0028-0836\n\nEffects of testing on tests\n\ndoi: 10.1000/a\n//- /review.md\n---\nbibliography: refs.bib\n---\nSee [@smith2020<|>effects].\n",
        );
        let bibliographies = [Bibliography { path: "refs.bib".to_owned(), written: "refs.bib".to_owned() }];
        let read = |_: &str| Some(Arc::from(f.files[0].1.as_str()));
        let at = f.cursor..f.cursor;
        let eager = code_actions(&f.corpus, &f.manuscript, at.clone(), &bibliographies, Some(&read));
        let lazy = code_actions(&f.corpus, &f.manuscript, at, &bibliographies, None);
        assert_eq!(lazy.len(), 1);
        assert!(lazy[0].edits.is_empty());
        let append = lazy[0].append.as_ref().unwrap();
        assert_eq!(append.name, "smith2020effects");
        assert_eq!(resolve_append(&f.corpus, append, &read).unwrap(), eager[0].edits);
        assert!(eager[0].edits[0].new_text.contains("doi = {10.1000/a}"));
    }

    #[test]
    fn csl_json_and_yaml_bibliographies_are_extended_in_their_own_shape() {
        let page = "//- /pages/p.txt
Smith, J (2020) Effects of testing on tests. Journal of Tests. ISSN 0028-0836

Effects of testing on tests

doi: 10.1000/a
";
        check(
            &format!(
                "//- /refs.json
[
  {{\"id\": \"quill2020\", \"type\": \"book\", \"title\": \"Counting sparrows\"}}
]
{page}//- /review.md
---
bibliography: refs.json
---
See [@smith2020<|>effects].
"
            ),
            "- Add `smith2020effects` (Smith 2020) to refs.json
  refs.json, from the line of the edit:
  |   {\"id\": \"quill2020\", \"type\": \"book\", \"title\": \"Counting sparrows\"},
  |   {
  |     \"id\": \"smith2020effects\",
  |     \"type\": \"article-journal\",
  |     \"title\": \"Effects of testing on tests\",
  |     \"author\": [
  |       {
  |         \"family\": \"Smith\",
  |         \"given\": \"J.\"
  |       }
  |     ],
  |     \"issued\": {
  |       \"date-parts\": [
  |         [
  |           2020
  |         ]
  |       ]
  |     },
  |     \"container-title\": \"Journal of Tests\",
  |     \"DOI\": \"10.1000/a\",
  |     \"ISSN\": \"0028-0836\"
  |   }
  | ]",
        );
        check(
            &format!(
                "//- /refs.yaml
---
references:
  - id: quill2020
    type: book
    title: Counting sparrows
...
{page}//- /review.md
---
bibliography: refs.yaml
---
See [@smith2020<|>effects].
"
            ),
            "- Add `smith2020effects` (Smith 2020) to refs.yaml
  refs.yaml, from the line of the edit:
  |     title: Counting sparrows
  |   - id: \"smith2020effects\"
  |     type: \"article-journal\"
  |     title: \"Effects of testing on tests\"
  |     author:
  |     - family: \"Smith\"
  |       given: \"J.\"
  |     issued:
  |       date-parts:
  |       - [2020]
  |     container-title: \"Journal of Tests\"
  |     DOI: \"10.1000/a\"
  |     ISSN: \"0028-0836\"
  | ...",
        );
    }
}
