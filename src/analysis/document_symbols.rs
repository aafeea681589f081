//! Document symbols (`textDocument/documentSymbol`) of a bibliography open in the editor: one
//! symbol per entry of a BibTeX, CSL-JSON, CSL-YAML or RIS file, named by its key, spanning the
//! entry, with "Author Year. Title" as detail.
//!
//! The open text is read again with the corpus readers (the editor's text may be newer than
//! the corpus), which give every record its entry's byte range. An entry without a key of its
//! own (a RIS record without `ID`) is named by the key the corpus gave the record anchored at
//! the same place, else by the key it would get.

use std::collections::HashMap;
use std::ops::Range;

use super::workspace_symbols::author_year_title;
use crate::corpus::{Corpus, FileId, RecordId, SourceKind, bibtex, csl_json, csl_yaml, key, ris};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: String,
    /// The whole entry.
    pub range: Range<usize>,
    /// The key inside the entry, or the entry's first character when the key is not written.
    pub selection: Range<usize>,
}

/// The entries of the bibliography `path` whose current text is `text`; nothing for other
/// files (manuscripts, saved pages).
pub fn document_symbols(corpus: &Corpus, path: &str, text: &str) -> Vec<DocumentSymbol> {
    let read = match SourceKind::from_path(path) {
        SourceKind::Bibtex => bibtex::read,
        SourceKind::CslJson => csl_json::read,
        SourceKind::CslYaml => csl_yaml::read,
        SourceKind::Ris => ris::read,
        SourceKind::Page => return Vec::new(),
    };
    let (records, _) = read(FileId(0), text);
    let file = corpus.files.iter().find(|f| f.path == path).map(|f| f.id);
    let stem = path.rsplit(['/', '\\']).next().and_then(|n| n.rsplit_once('.')).map_or(path, |(s, _)| s);
    // The corpus's records anchored in this file, by where their entry starts: built only
    // when some entry has no key of its own, and once, so a large RIS file stays linear.
    let mut corpus_keys: HashMap<usize, RecordId> = HashMap::new();
    if let Some(file) = file.filter(|_| records.iter().any(|r| r.given_key.is_none())) {
        for (i, record) in corpus.records.iter().enumerate() {
            for anchor in record.anchors.iter().filter(|a| a.file == file) {
                corpus_keys.entry(anchor.range.start as usize).or_insert(RecordId(i as u32));
            }
        }
    }
    let mut res = Vec::with_capacity(records.len());
    for record in &records {
        let anchor = record.anchor().range.start as usize..record.anchor().range.end as usize;
        let Some(entry) = text.get(anchor.clone()) else { continue };
        let name = match &record.given_key {
            Some(key) => key.to_string(),
            None => match corpus_keys.get(&anchor.start) {
                Some(&id) => corpus.key(id).to_owned(),
                None => key::base_key(record, stem),
            },
        };
        let selection = match record.given_key.as_deref().and_then(|k| entry.find(k).map(|at| (at, k.len()))) {
            Some((at, len)) => anchor.start + at..anchor.start + at + len,
            None => anchor.start..anchor.start + entry.chars().next().map_or(0, char::len_utf8),
        };
        res.push(DocumentSymbol { name, detail: author_year_title(record), range: anchor, selection });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Input, Origin};

    /// The fixture's last file is the bibliography (also the corpus, so that generated keys
    /// are the corpus's); its symbols are rendered with the text of their selection and the
    /// first and last line of their range.
    fn check(fixture: &str, expect: &str) {
        let (header, text) = fixture.rsplit_once("//- /").map(|(_, f)| f.split_once('\n').unwrap()).unwrap();
        let input = Input { path: header.to_owned(), text: text.to_owned(), origin: Origin::Workspace };
        let corpus = Corpus::build(vec![input], Vec::new());
        let mut out = String::new();
        for symbol in document_symbols(&corpus, header, text) {
            let entry = &text[symbol.range.clone()];
            out.push_str(&format!(
                "{} [{}] | {} | {:?} … {:?}\n",
                symbol.name,
                &text[symbol.selection.clone()],
                symbol.detail,
                entry.lines().next().unwrap_or_default(),
                entry.lines().next_back().unwrap_or_default()
            ));
        }
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    #[test]
    fn bibtex_entries() {
        check(
            "//- /refs.bib\n@article{buckley2022,\n  author = {Buckley, Bea and Newton, Jo},\n  title = {Shared power},\n  year = 2022\n}\n\n@book{newton2019, title={Listening}}\n",
            "buckley2022 [buckley2022] | Buckley et al. 2022. Shared power | \"@article{buckley2022,\" … \"}\"\nnewton2019 [newton2019] | Listening | \"@book{newton2019, title={Listening}}\" … \"@book{newton2019, title={Listening}}\"",
        );
    }

    #[test]
    fn csl_json_and_yaml_items() {
        check(
            "//- /refs.json\n[\n  {\"id\": \"buckley2022\", \"type\": \"article-journal\", \"title\": \"Shared power\",\n   \"author\": [{\"family\": \"Buckley\", \"given\": \"Bea\"}], \"issued\": {\"date-parts\": [[2022]]}}\n]\n",
            "buckley2022 [buckley2022] | Buckley 2022. Shared power | \"{\\\"id\\\": \\\"buckley2022\\\", \\\"type\\\": \\\"article-journal\\\", \\\"title\\\": \\\"Shared power\\\",\" … \"   \\\"author\\\": [{\\\"family\\\": \\\"Buckley\\\", \\\"given\\\": \\\"Bea\\\"}], \\\"issued\\\": {\\\"date-parts\\\": [[2022]]}}\"",
        );
        check(
            "//- /refs.yaml\nreferences:\n- id: newton2019\n  type: book\n  title: Listening\n  author:\n  - family: Newton\n    given: Jo\n",
            "newton2019 [newton2019] | Newton. Listening | \"id: newton2019\" … \"    given: Jo\"",
        );
    }

    #[test]
    fn ris_records_without_ids_get_the_corpus_key() {
        check(
            "//- /refs.ris\nTY  - JOUR\nTI  - Shared power\nAU  - Buckley, Bea\nPY  - 2022\nER  - \nTY  - BOOK\nID  - newton2019\nTI  - Listening\nER  - \n",
            "buckley2022shared [T] | Buckley 2022. Shared power | \"TY  - JOUR\" … \"ER  - \"\nnewton2019 [newton2019] | Listening | \"TY  - BOOK\" … \"ER  - \"",
        );
    }

    #[test]
    fn manuscripts_and_pages_have_none() {
        check("//- /paper.md\n# Buckley (2022)\n", "");
        check("//- /page.txt\nShared power\n\nAbstract\n\nWe shared it.\n", "");
    }
}
