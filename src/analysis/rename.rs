//! Rename a citation key: every citation of the key in the workspace's manuscripts and the key
//! of its entry in the BibTeX, CSL-JSON or CSL-YAML file (or RIS `ID`), as one set of edits
//! for the editor to apply. refls itself writes nothing.
//!
//! A rename never changes what a citation means, so it is refused (with a message the editor
//! shows) when the key is not a bibliography's: keys refls generated for saved pages, DOIs and
//! other identifier names, Manubot aliases; when the key names several works; and when the new
//! key is already a name of some work, is already cited in the workspace (those citations
//! would start naming this work), or would not read as one key in the syntax of every
//! manuscript citing it and of the entry's file.

use std::collections::BTreeSet;
use std::ops::Range;

use super::identifier_kind;
use super::references::{FileReferences, Workspace, corpus_file, work_at};
use crate::corpus::{Corpus, Location, RecordId, Resolution, SourceKind};
use crate::manuscript::{self, Dialect, Syntax};

/// The key under the cursor, and its range in the file the cursor is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    pub key: String,
    pub range: Range<usize>,
}

/// Why a key cannot be renamed, as a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// The edits of one rename: each range is replaced by `new_text` of its own (a CSL-JSON
/// number `id` becomes a quoted string).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    /// Citations of the key, by manuscript.
    pub manuscripts: Vec<FileReferences>,
    /// The key in each entry of the work: the entry (its source location), the key's byte
    /// range in that file, and the replacement.
    pub entries: Vec<(Location, Range<usize>, String)>,
    pub new_key: String,
}

/// Reads the text of a corpus file around a source: returns the byte offset where the text
/// returned starts (at or before the start of the source's line) and the text from there to at
/// least the end of the source. The LSP layer reads the editor's text when the file is open, and
/// otherwise only that stretch of the file, not a whole 50 MB bibliography.
pub type ReadSource<'r> = &'r dyn Fn(&Location) -> Option<(usize, String)>;

/// The key a rename at `offset` of the file at `path` would change, or `None` when the cursor
/// is on no key. A manuscript's citation, or the key of an entry in a bibliography.
pub fn prepare(
    corpus: &Corpus,
    workspace: &Workspace<'_>,
    path: &str,
    offset: usize,
    read: ReadSource<'_>,
) -> Result<Option<Prepared>, Refused> {
    let Some((key, range)) = key_at(corpus, workspace, path, offset, read) else { return Ok(None) };
    work_of(corpus, workspace, path, &key)?;
    Ok(Some(Prepared { key, range }))
}

/// The edits renaming the key at `offset` of the file at `path` to `new_key`.
pub fn rename(
    corpus: &Corpus,
    workspace: &Workspace<'_>,
    path: &str,
    offset: usize,
    new_key: &str,
    read: ReadSource<'_>,
) -> Result<Option<Edits>, Refused> {
    let Some((key, _)) = key_at(corpus, workspace, path, offset, read) else { return Ok(None) };
    let id = work_of(corpus, workspace, path, &key)?;
    let new_key = new_key.trim();
    if new_key == key {
        return Ok(Some(Edits { new_key: new_key.to_owned(), ..Edits::default() }));
    }
    let taken = match corpus.index.resolve(new_key) {
        Resolution::Unknown => None,
        Resolution::One(other) => Some(super::one_line(corpus.record(other))),
        Resolution::Ambiguous(_) => Some("several works".to_owned()),
    };
    if let Some(taken) = taken {
        return Err(Refused(format!("`{new_key}` is already a name of {taken}")));
    }
    let mut edits = Edits { new_key: new_key.to_owned(), ..Edits::default() };
    // A Manubot alias defined as this key would be left naming a key that no longer exists;
    // its definition is not among the edits, so the rename is refused instead.
    for &file in &workspace.files {
        if let Some((alias, _)) = file.aliases.iter().find(|(_, target)| **target == key) {
            return Err(Refused(format!(
                "the Manubot alias `{alias}` in {} is defined as `{key}`; change its definition first",
                file.path
            )));
        }
    }
    let mut dialects = BTreeSet::new();
    let mut resolver = workspace.resolver(corpus);
    for &file in &workspace.files {
        let mut renamed = vec![false; file.keys().len()];
        for (i, written) in file.keys().iter().enumerate() {
            let name = workspace.lookup_name(file, written);
            if **written == *new_key || name == new_key {
                return Err(Refused(format!(
                    "`{new_key}` is already cited in {}; renaming `{key}` to it would make those citations name this work",
                    file.path
                )));
            }
            renamed[i] =
                **written == *key && name == key.as_str() && resolver.resolve(file, written).1 == Resolution::One(id);
        }
        if renamed.iter().any(|&r| r) {
            dialects.insert(dialect_order(file.dialect));
            let ranges = file.citations().filter(|(k, _)| renamed[*k]).map(|(_, range)| range).collect();
            edits.manuscripts.push(FileReferences { path: file.path.clone(), ranges });
        }
    }
    let mut kinds = BTreeSet::new();
    for anchor in &corpus.record(id).anchors {
        let file = corpus.file(anchor.file);
        let kind = SourceKind::from_path(&file.path);
        if !kind.is_bibliography() {
            continue;
        }
        let Some((base, text)) = read(anchor) else {
            return Err(Refused(format!("{} cannot be read, so the key of its entry cannot be renamed", file.path)));
        };
        let Some(found) = entry_key(kind, base, &text, anchor) else { continue };
        if text.get(found.range.start - base..found.range.end - base) == Some(key.as_str()) {
            kinds.insert(kind_order(kind));
            edits.entries.push((anchor.clone(), found.range, format!("{}{new_key}{}", found.quote, found.quote)));
        }
    }
    if edits.entries.is_empty() {
        return Err(Refused(format!(
            "the entry of `{key}` was not found in its bibliography file, so it cannot be renamed"
        )));
    }
    let dialects: Vec<Dialect> = dialects.into_iter().map(|d| DIALECTS[d]).collect();
    let kinds: Vec<SourceKind> = kinds.into_iter().map(|k| KINDS[k]).collect();
    check_new_key(new_key, &dialects, &kinds).map_err(Refused)?;
    Ok(Some(edits))
}

/// The key under the cursor: a citation's in a manuscript, else an entry's key in a corpus file.
fn key_at(
    corpus: &Corpus,
    workspace: &Workspace<'_>,
    path: &str,
    offset: usize,
    read: ReadSource<'_>,
) -> Option<(String, Range<usize>)> {
    if let Some(file) = workspace.file(path) {
        let (key, range) = file.citation_at(offset)?;
        return Some((key.to_owned(), range));
    }
    let kind = SourceKind::from_path(path);
    if !kind.is_bibliography() {
        return None;
    }
    let id = work_at(corpus, path, offset)?;
    let file = corpus_file(corpus, path)?;
    corpus.record(id).anchors.iter().filter(|a| a.file == file).find_map(|anchor| {
        let (base, text) = read(anchor)?;
        let found = entry_key(kind, base, &text, anchor)?;
        let within = found.range.start <= offset && offset <= found.range.end;
        let key = text.get(found.range.start - base..found.range.end - base)?;
        within.then(|| (key.to_owned(), found.range))
    })
}

/// The one work `key` (written in the file at `path`) is a bibliography's key of.
fn work_of(corpus: &Corpus, workspace: &Workspace<'_>, path: &str, key: &str) -> Result<RecordId, Refused> {
    if let Some(file) = workspace.file(path) {
        if file.aliases.contains_key(key) || workspace.lookup_name(file, key) != key {
            if identifier_kind(key).is_some() || key.starts_with("10.") {
                return Err(Refused(format!(
                    "`{key}` is an identifier (a DOI, PMID…), not a key; it cannot be renamed"
                )));
            }
            return Err(Refused(format!("`{key}` is a Manubot alias; rename it where it is defined")));
        }
    }
    if identifier_kind(key).is_some() {
        return Err(Refused(format!("`{key}` is an identifier (a DOI, PMID…), not a key; it cannot be renamed")));
    }
    match corpus.index.resolve(key) {
        Resolution::Unknown => {
            Err(Refused(format!("`{key}` names no work of the corpus; there is no entry to rename")))
        }
        Resolution::Ambiguous(ids) => Err(Refused(format!(
            "`{key}` names {} works ({}); rename one entry in its file first",
            ids.len(),
            ids.iter()
                .map(|&id| corpus.file(corpus.record(id).anchor().file).path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Resolution::One(id) => {
            let record = corpus.record(id);
            let given = record.given_key.as_deref() == Some(key) || record.rare().alias_keys.iter().any(|k| k == key);
            if !given {
                let from = corpus.file(record.anchor().file).path.as_str();
                return Err(Refused(format!(
                    "`{key}` was generated by refls for the saved page {from}; no source file holds it, so there is \
                     nothing to rename (cite the work by another name, such as its DOI, if you want a different one)"
                )));
            }
            Ok(id)
        }
    }
}

const DIALECTS: [Dialect; 5] = [Dialect::Markdown, Dialect::Latex, Dialect::Typst, Dialect::Org, Dialect::Plain];
const KINDS: [SourceKind; 5] =
    [SourceKind::Bibtex, SourceKind::CslJson, SourceKind::CslYaml, SourceKind::Ris, SourceKind::Page];

fn dialect_order(dialect: Dialect) -> usize {
    DIALECTS.iter().position(|d| *d == dialect).unwrap_or(0)
}

fn kind_order(kind: SourceKind) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Whether `new_key` reads back as exactly one citation of itself in each dialect (Markdown
/// when none cites it yet), and can stand as the key of an entry in each bibliography format.
/// The dialects' own scanners decide, so the rule is the one every other feature reads by.
fn check_new_key(new_key: &str, dialects: &[Dialect], kinds: &[SourceKind]) -> Result<(), String> {
    if new_key.is_empty() {
        return Err("the new key is empty".to_owned());
    }
    if identifier_kind(new_key).is_some() || new_key.starts_with("10.") {
        return Err(format!("`{new_key}` reads as an identifier (DOI, PMID…), not a key"));
    }
    if manuscript::is_cross_reference(new_key) {
        return Err(format!("`{new_key}` reads as a cross-reference to a figure, table or section, not a key"));
    }
    let dialects = if dialects.is_empty() { &[Dialect::Markdown][..] } else { dialects };
    for &dialect in dialects {
        let (sample, syntax, name) = match dialect {
            Dialect::Markdown => (format!("[@{new_key}]"), Syntax::Pandoc, "Markdown"),
            Dialect::Latex => (format!("\\cite{{{new_key}}}"), Syntax::LatexCite, "LaTeX"),
            Dialect::Typst => (format!("#cite(<{new_key}>) and @{new_key} "), Syntax::Typst, "Typst"),
            Dialect::Org => (format!("[cite:@{new_key}]"), Syntax::OrgCite, "Org"),
            Dialect::Plain => continue,
        };
        let found = manuscript::scan(dialect, &sample);
        let whole = !found.is_empty() && found.iter().all(|c| c.key == new_key && c.syntax == syntax);
        if !whole {
            return Err(format!("`{new_key}` is not a valid citation key in {name}"));
        }
    }
    for &kind in kinds {
        let bad: &[char] = match kind {
            SourceKind::Bibtex => &[',', '{', '}', '(', ')', '"', '#', '%', '\'', '=', '\\', '~'],
            SourceKind::CslJson | SourceKind::CslYaml => &['"', '\\', '\'', '#'],
            SourceKind::Ris | SourceKind::Page => &[],
        };
        if let Some(c) = new_key.chars().find(|c| bad.contains(c) || c.is_whitespace() || c.is_control()) {
            return Err(format!("`{new_key}` cannot be the key of a {kind:?} entry (it holds {c:?})"));
        }
    }
    Ok(())
}

/// Where an entry's key is written, and the quote its replacement needs.
struct EntryKey {
    range: Range<usize>,
    quote: &'static str,
}

/// Finds the key of the entry at `anchor` in a bibliography whose text from byte `base` on is
/// `text`; the range returned is absolute.
fn entry_key(kind: SourceKind, base: usize, text: &str, anchor: &Location) -> Option<EntryKey> {
    let start = (anchor.range.start as usize).checked_sub(base)?;
    let entry = start..(anchor.range.end as usize - base).min(text.len());
    let found = entry_key_in(kind, text, entry)?;
    Some(EntryKey { range: shift(found.range, base), quote: found.quote })
}

/// [`entry_key`] within one text, with `entry` relative to it.
fn entry_key_in(kind: SourceKind, text: &str, entry: Range<usize>) -> Option<EntryKey> {
    let body = text.get(entry.clone())?;
    let local = match kind {
        SourceKind::Bibtex => bibtex_key(body)?,
        SourceKind::CslJson => return json_id(body).map(|(r, quote)| EntryKey { range: shift(r, entry.start), quote }),
        SourceKind::CslYaml => yaml_id(text, entry.clone())?,
        SourceKind::Ris => ris_id(body)?,
        SourceKind::Page => return None,
    };
    let range = if kind == SourceKind::CslYaml { local } else { shift(local, entry.start) };
    Some(EntryKey { range, quote: "" })
}

fn shift(range: Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

/// `@article{key,`: the key runs from after the opening brace (or parenthesis) to the comma.
fn bibtex_key(body: &str) -> Option<Range<usize>> {
    let open = body.find(['{', '('])? + 1;
    let rest = &body[open..];
    let start = open + (rest.len() - rest.trim_start().len());
    let len = body[start..].find(|c: char| c == ',' || c.is_whitespace() || c == '}' || c == ')')?;
    (len > 0).then_some(start..start + len)
}

/// The `id` member of a CSL-JSON object (at its top level, not in a nested name or date): the
/// string's contents, or a number's digits with the quotes a string needs.
fn json_id(body: &str) -> Option<(Range<usize>, &'static str)> {
    let bytes = body.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    let mut last_string: Option<Range<usize>> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_string = Some(start..i.min(bytes.len()));
            }
            b':' if depth == 1 && last_string.as_ref().is_some_and(|name| &body[name.clone()] == "id") => {
                let after = &body[i + 1..];
                let value = i + 1 + (after.len() - after.trim_start().len());
                if bytes.get(value) == Some(&b'"') {
                    let end = body[value + 1..].find('"')? + value + 1;
                    return Some((value + 1..end, ""));
                }
                let len = body[value..].find(|c: char| !c.is_ascii_alphanumeric())?;
                return (len > 0).then_some((value..value + len, "\""));
            }
            b',' => last_string = None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `id:` of a CSL-YAML item: a line of the item at the item's indentation (the column its
/// first key starts at). Returns an absolute range into `text`.
fn yaml_id(text: &str, entry: Range<usize>) -> Option<Range<usize>> {
    let line_start = text[..entry.start].rfind('\n').map_or(0, |i| i + 1);
    let column = entry.start - line_start;
    let mut at = line_start;
    for line in text[line_start..entry.end.min(text.len())].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let this = at;
        at += line.len();
        let indent = if this == line_start { column } else { content.len() - content.trim_start().len() };
        if indent != column || content.len() < column {
            continue;
        }
        let Some(value) = content[column..].strip_prefix("id:") else { continue };
        let value_start = this + column + 3 + (value.len() - value.trim_start().len());
        let value = value.trim();
        let value = value.split(" #").next().unwrap_or(value).trim_end();
        if let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let inner = value[1..].find(quote)?;
            return Some(value_start + 1..value_start + 1 + inner);
        }
        return (!value.is_empty()).then_some(value_start..value_start + value.len());
    }
    None
}

/// `ID  - key` in a RIS record.
fn ris_id(body: &str) -> Option<Range<usize>> {
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let this = at;
        at += line.len();
        let Some(value) = line.strip_prefix("ID  -") else { continue };
        let start = this + 5 + (value.len() - value.trim_start().len());
        let len = value.trim().len();
        return (len > 0).then_some(start..start + len);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::fixture::WorkspaceFixture;
    use super::*;

    /// Renames what is under the cursor to `new_key` and renders every edit as
    /// `path: old→new@offset`, or the refusal.
    fn check(fixture: &str, new_key: &str, expect: &str) {
        let f = WorkspaceFixture::parse(fixture);
        let workspace = Workspace::new(f.manuscripts.iter());
        let read = |at: &Location| f.texts.get(&f.corpus.file(at.file).path).map(|text| (0, text.clone()));
        let prepared = prepare(&f.corpus, &workspace, &f.cursor_path, f.cursor, &read);
        let renamed = rename(&f.corpus, &workspace, &f.cursor_path, f.cursor, new_key, &read);
        let actual = match (prepared, renamed) {
            (Ok(None), Ok(None)) => "(no key under the cursor)".to_owned(),
            (Err(Refused(why)), Err(Refused(again))) => {
                assert_eq!(why, again, "prepare and rename refuse alike");
                format!("refused: {why}")
            }
            (Ok(Some(_)), Err(Refused(why))) => format!("refused: {why}"),
            (Ok(Some(prepared)), Ok(Some(edits))) => {
                let text = &f.texts[&f.cursor_path];
                let mut lines = vec![format!("prepared {}", &text[prepared.range])];
                for file in &edits.manuscripts {
                    let text = &f.texts[&file.path];
                    let shown: Vec<String> =
                        file.ranges.iter().map(|r| format!("{}@{}", &text[r.clone()], r.start)).collect();
                    lines.push(format!("{}: {} -> {}", file.path, shown.join(" "), edits.new_key));
                }
                for (entry, range, new_text) in &edits.entries {
                    let path = &f.corpus.file(entry.file).path;
                    lines.push(format!("{path}: {}@{} -> {new_text}", &f.texts[path][range.clone()], range.start));
                }
                lines.join("\n")
            }
            other => panic!("prepare and rename disagree: {other:?}"),
        };
        assert_eq!(actual, expect);
    }

    const BIB: &str = "//- /refs.bib
@article{quill2020sparrows, author = {Quill, Ada}, title = {Counting sparrows on allotments}, year = {2020}, doi = {10.1000/sparrow.1}}
@article{ wren2019 , author = {Wren, Jo}, title = {Garden birds}, year = {2019}}
";

    #[test]
    fn a_bibtex_key_in_every_manuscript_and_its_entry() {
        check(
            &format!(
                "{BIB}//- /a.md
See [@quill2<|>020sparrows; @wren2019] and @doi:10.1000/sparrow.1, again [@quill2020sparrows].
//- /b.tex
\\cite{{wren2019,quill2020sparrows}}
//- /c.typ
As @quill2020sparrows shows.
"
            ),
            "quill2020",
            "prepared quill2020sparrows\n\
             a.md: quill2020sparrows@6 quill2020sparrows@72 -> quill2020\n\
             b.tex: quill2020sparrows@15 -> quill2020\n\
             c.typ: quill2020sparrows@4 -> quill2020\n\
             refs.bib: quill2020sparrows@9 -> quill2020",
        );
    }

    #[test]
    fn from_the_entry_key_in_the_bibliography() {
        check(
            "//- /refs.bib
@article{quill2020sparrows, title = {Counting sparrows}, year = {2020}}
@article{ wr<|>en2019 , title = {Garden birds}, year = {2019}}
//- /a.md
[@wren2019]
",
            "wren2019birds",
            "prepared wren2019\na.md: wren2019@2 -> wren2019birds\nrefs.bib: wren2019@82 -> wren2019birds",
        );
        // Elsewhere in the entry there is no key to rename.
        check(
            "//- /refs.bib\n@article{wren2019, title = {Garden <|>birds}}\n//- /a.md\n[@wren2019]\n",
            "x",
            "(no key under the cursor)",
        );
    }

    #[test]
    fn csl_json_and_csl_yaml_ids() {
        check(
            r#"//- /refs.json
[{"author": [{"family": "Quill", "id": "nested"}], "id": "quill2020", "type": "book", "title": "Sparrows"},
 {"id": 42, "type": "book", "title": "Numbered"}]
//- /a.md
[@quill<|>2020] [@42]
"#,
            "quill2020book",
            "prepared quill2020\na.md: quill2020@2 -> quill2020book\nrefs.json: quill2020@58 -> quill2020book",
        );
        check(
            "//- /refs.json\n[{\"id\": 42, \"type\": \"book\", \"title\": \"Numbered\"}]\n//- /a.md\n[@4<|>2]\n",
            "numbered",
            "prepared 42\na.md: 42@2 -> numbered\nrefs.json: 42@8 -> \"numbered\"",
        );
        check(
            "//- /refs.yaml
references:
- type: book
  title: Garden birds
  id: 'wren2019'
- id: quill2020
  type: book
  title: Sparrows
//- /a.md
[@wren<|>2019] [@quill2020]
",
            "wren2019garden",
            "prepared wren2019\na.md: wren2019@2 -> wren2019garden\nrefs.yaml: wren2019@54 -> wren2019garden",
        );
    }

    #[test]
    fn a_ris_id() {
        check(
            "//- /refs.ris\nTY  - JOUR\nID  - wren2019\nTI  - Garden birds\nPY  - 2019\nER  - \n//- /a.md\n[@wr<|>en2019]\n",
            "wren2019garden",
            "prepared wren2019\na.md: wren2019@2 -> wren2019garden\nrefs.ris: wren2019@17 -> wren2019garden",
        );
    }

    #[test]
    fn refused_for_generated_identifier_and_alias_names() {
        let page = "Counting sparrows on allotments through a cold winter\n\nArticle\nXYZ1\n10.1000/sparrow.9\n10349235\n31415926\nuuid-here\n\nAbstract\n\nWe counted sparrows on allotments every week of one winter and report the numbers here. We counted sparrows on allotments every week of one winter and report the numbers here.\n";
        check(
            &format!("//- /pages/sparrows.txt\n{page}//- /a.md\n[@counting<|>sparrows]\n"),
            "sparrows",
            "refused: `countingsparrows` was generated by refls for the saved page pages/sparrows.txt; no source \
             file holds it, so there is nothing to rename (cite the work by another name, such as its DOI, if you \
             want a different one)",
        );
        check(
            &format!("{BIB}//- /a.md\n[@doi:10.1000/spar<|>row.1]\n"),
            "x",
            "refused: `doi:10.1000/sparrow.1` is an identifier (a DOI, PMID…), not a key; it cannot be renamed",
        );
        check(
            &format!("{BIB}//- /a.md\nread 10.1000/spar<|>row.1\n"),
            "x",
            "refused: `doi:10.1000/sparrow.1` is an identifier (a DOI, PMID…), not a key; it cannot be renamed",
        );
        check(
            &format!("{BIB}//- /a.md\n[@tag:spa<|>rrow]\n\n[@tag:sparrow]: quill2020sparrows\n"),
            "x",
            "refused: `tag:sparrow` is a Manubot alias; rename it where it is defined",
        );
        check(
            &format!("{BIB}//- /a.md\n[@nob<|>ody]\n"),
            "x",
            "refused: `nobody` names no work of the corpus; there is no entry to rename",
        );
        check(
            &format!(
                "{BIB}//- /a.md\n[@quill<|>2020sparrows] [@tag:sparrow]\n//- /90.back-matter.md\n[@tag:sparrow]: quill2020sparrows\n"
            ),
            "quill2020",
            "refused: the Manubot alias `tag:sparrow` in 90.back-matter.md is defined as `quill2020sparrows`; \
             change its definition first",
        );
    }

    #[test]
    fn refused_for_ambiguous_keys() {
        check(
            "//- /a.bib\n@article{same, title = {One}}\n//- /b.bib\n@article{same, title = {Two}}\n//- /a.md\n[@sa<|>me]\n",
            "x",
            "refused: `same` names 2 works (a.bib, b.bib); rename one entry in its file first",
        );
    }

    #[test]
    fn refused_when_the_new_key_collides_or_is_not_a_key() {
        let fixture =
            format!("{BIB}//- /a.md\n[@quill<|>2020sparrows] [@smith2021]\n//- /b.tex\n\\cite{{quill2020sparrows}}\n");
        check(&fixture, "wren2019", "refused: `wren2019` is already a name of Wren (2019) Garden birds");
        check(
            &fixture,
            "smith2021",
            "refused: `smith2021` is already cited in a.md; renaming `quill2020sparrows` to it would make those \
             citations name this work",
        );
        check(&fixture, "doi:10.1/x", "refused: `doi:10.1/x` reads as an identifier (DOI, PMID…), not a key");
        check(&fixture, "two words", "refused: `two words` is not a valid citation key in Markdown");
        check(&fixture, "a{b", "refused: `a{b` is not a valid citation key in Markdown");
        check(
            &fixture,
            "fig-one",
            "refused: `fig-one` reads as a cross-reference to a figure, table or section, not a key",
        );
        // Valid in Markdown, but a LaTeX manuscript cites the key too.
        check(&fixture, "a%b", "refused: `a%b` is not a valid citation key in LaTeX");
    }
}
