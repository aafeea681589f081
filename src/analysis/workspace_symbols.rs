//! Workspace symbols (`workspace/symbol`): the corpus searched by author, title words, year,
//! key or DOI, with the ranking of completion ([`super::completion::search`]), each work
//! named by a key that cites it alone and located at its source (the `.bib` entry, the saved
//! page's title line, the reference-list line of a cited work).

use super::completion::{CitedWorks, search};
use crate::corpus::{Corpus, Location, Record, RecordId, RecordKind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub record: RecordId,
    /// The key that cites this work alone (else its first key, when every name is shared).
    pub name: String,
    /// `Buckley et al. 2022. Shared power in research`.
    pub detail: String,
    /// Where the work was first read.
    pub location: Location,
    /// The corpus holds only a reference-list entry for the work.
    pub cited_only: bool,
}

/// The works matching `query`, best first (those the workspace cites first among equals), at
/// most `limit`.
pub fn workspace_symbols(corpus: &Corpus, cited: &CitedWorks, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let (ids, _) = search(corpus, cited, query.trim(), limit);
    ids.into_iter()
        .map(|id| {
            let record = corpus.record(id);
            WorkspaceSymbol {
                record: id,
                name: corpus.unique_name(id).unwrap_or_else(|| corpus.key(id)).to_owned(),
                detail: author_year_title(record),
                location: record.anchor().clone(),
                cited_only: record.kind == RecordKind::Cited,
            }
        })
        .collect()
}

/// `Buckley et al. 2022. Shared power in research`, leaving out what the record lacks.
pub fn author_year_title(record: &Record) -> String {
    let mut parts = Vec::new();
    let names = super::authors_short(record);
    let year = record.year().map(|y| y.to_string());
    match (names, year) {
        (Some(names), Some(year)) => parts.push(format!("{names} {year}")),
        (Some(one), None) | (None, Some(one)) => parts.push(one),
        (None, None) => {}
    }
    if let Some(title) = record.title() {
        parts.push(title.trim_end_matches('.').to_owned());
    }
    parts.join(". ")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    fn check(fixture: &str, query: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let mut out = String::new();
        for symbol in workspace_symbols(&f.corpus, &CitedWorks::default(), query, 5) {
            out.push_str(&format!(
                "{} | {} | {}:{}{}\n",
                symbol.name,
                symbol.detail,
                f.corpus.file(symbol.location.file).path,
                f.corpus.line_of(&symbol.location) + 1,
                if symbol.cited_only { " (cited only)" } else { "" }
            ));
        }
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    const BIB: &str = "//- /refs.bib
@article{buckley2022, author={Buckley, Bea and Newton, Jo}, title={Shared power in research.}, year={2022}, doi={10.1000/power}}

@article{newton2019, author={Newton, Jo}, title={Listening to patients}, year={2019}}
@misc{anon, title={A report without authors}}
//- /notes.md
";

    #[test]
    fn by_author_title_word_year_and_doi() {
        check(
            BIB,
            "newton",
            "newton2019 | Newton 2019. Listening to patients | refs.bib:3\nbuckley2022 | Buckley et al. 2022. Shared power in research | refs.bib:1",
        );
        check(BIB, "power", "buckley2022 | Buckley et al. 2022. Shared power in research | refs.bib:1");
        check(BIB, "2019", "newton2019 | Newton 2019. Listening to patients | refs.bib:3");
        check(BIB, "doi:10.1000/pow", "buckley2022 | Buckley et al. 2022. Shared power in research | refs.bib:1");
        check(BIB, "report", "anon | A report without authors | refs.bib:4");
        check(BIB, "nothing", "");
    }

    #[test]
    fn typos_fall_back_to_keys_and_seeds_locate_saved_pages() {
        check(BIB, "newtn2019", "newton2019 | Newton 2019. Listening to patients | refs.bib:3");
        check(
            "//- /notes.md\n",
            "ikhile",
            "ikhile2023virtuous | Ikhile et al. 2023. A virtuous cycle of co-production: Reflections from a community priority-setting exercise | seeds/003_0499f4ac7e19fbdd.txt:20",
        );
    }
}
