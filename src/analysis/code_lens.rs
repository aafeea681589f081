//! Code lens on the sources of works: above each entry of a bibliography (BibTeX, CSL, RIS)
//! and on the title line of a saved page, how often the workspace's manuscripts cite the
//! work ("cited 3× in 2 manuscripts", "not cited"). The LSP layer makes the lens run
//! find-references at the entry.

use std::collections::HashSet;

use super::references::{Count, Workspace, corpus_file, counts};
use crate::corpus::{Corpus, RecordId, RecordKind};

/// One lens: where it goes (the start of the entry, or the page's title line) and the count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub offset: usize,
    pub work: RecordId,
    pub count: Count,
}

/// The lenses of the corpus file at `path`, in text order. On a saved page only the page's own
/// work gets one: the works of its reference list have their own sources.
pub fn code_lens(corpus: &Corpus, workspace: &Workspace<'_>, path: &str) -> Vec<Lens> {
    let Some(file) = corpus_file(corpus, path) else { return Vec::new() };
    let mut placed: Vec<(usize, RecordId)> = Vec::new();
    for (i, record) in corpus.records.iter().enumerate() {
        if record.kind != RecordKind::Document {
            continue;
        }
        for anchor in record.anchors.iter().filter(|a| a.file == file) {
            placed.push((anchor.range.start as usize, RecordId(i as u32)));
        }
    }
    // A work that a document of this file cites is in its reference list, not its own source.
    let cited_here: HashSet<RecordId> =
        placed.iter().flat_map(|(_, id)| corpus.record(*id).rare().cites.iter().copied()).collect();
    placed.retain(|(_, id)| !cited_here.contains(id));
    placed.sort();
    let works: HashSet<RecordId> = placed.iter().map(|(_, id)| *id).collect();
    let found = counts(corpus, workspace, &works);
    placed
        .into_iter()
        .map(|(offset, work)| Lens { offset, work, count: found.get(&work).copied().unwrap_or_default() })
        .collect()
}

/// The lens's text: `cited 3× in 2 manuscripts`, `cited 1× in 1 manuscript`, `not cited`.
pub fn title(count: Count) -> String {
    if count.citations == 0 {
        return "not cited".to_owned();
    }
    let manuscripts = if count.manuscripts == 1 { "manuscript" } else { "manuscripts" };
    format!("cited {}× in {} {manuscripts}", count.citations, count.manuscripts)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::WorkspaceFixture;
    use super::*;

    /// Renders the lenses of the cursor's file (the cursor marks the file; its position does
    /// not matter) as `line: title`.
    fn check(fixture: &str, expect: &str) {
        let f = WorkspaceFixture::parse(fixture);
        let workspace = Workspace::new(f.manuscripts.iter());
        let text = &f.texts[&f.cursor_path];
        let lenses = code_lens(&f.corpus, &workspace, &f.cursor_path);
        let actual: Vec<String> = lenses
            .iter()
            .map(|lens| format!("{}: {}", text[..lens.offset].matches('\n').count() + 1, title(lens.count)))
            .collect();
        assert_eq!(actual.join("\n"), expect);
    }

    #[test]
    fn every_entry_of_a_bibliography() {
        check(
            "//- /refs.bib
<|>@article{quill2020, title = {Counting sparrows}, year = {2020}, doi = {10.1000/sparrow.1}}

@article{wren2019, title = {Garden birds}, year = {2019}}
@article{lark2018, title = {Larks}, year = {2018}}
//- /a.md
[@quill2020; @wren2019] and 10.1000/sparrow.1.
//- /b.tex
\\cite{quill2020}
",
            "1: cited 3× in 2 manuscripts\n3: cited 1× in 1 manuscript\n4: not cited",
        );
    }

    #[test]
    fn csl_entries_and_a_saved_page() {
        check(
            r#"//- /refs.json
<|>[{"id": "quill2020", "type": "book", "title": "Sparrows"},
 {"id": "wren2019", "type": "book", "title": "Birds"}]
//- /a.md
[@wren2019]
"#,
            "1: not cited\n2: cited 1× in 1 manuscript",
        );
        // The page's work gets a lens; the work its reference list names does not.
        let page = "Counting sparrows on allotments through a cold winter\n\nArticle\nXYZ1\n10.1000/sparrow.9\n10349235\n31415926\nuuid-here\n\nAbstract\n\nWe counted sparrows on allotments every week of one winter and report the numbers here. We counted sparrows on allotments every week of one winter and report the numbers here.\n\nReferences\n\n1. Lark A. Larks of the high moor. J Birds. 2018;3(1):4. doi:10.1000/lark.2\n";
        check(
            &format!(
                "//- /sparrows.txt\n<|>{page}//- /lark.bib\n@article{{lark2018, title = {{Larks of the high moor}}, doi = {{10.1000/lark.2}}}}\n//- /a.md\n@doi:10.1000/sparrow.9 @lark2018\n"
            ),
            "1: cited 1× in 1 manuscript",
        );
    }
}
