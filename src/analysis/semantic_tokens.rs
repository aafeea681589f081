//! Semantic tokens (`textDocument/semanticTokens/full` and `/range`): every citation of a
//! manuscript marked by what it resolves to, so a theme can colour unknown and ambiguous keys
//! while the text is typed, before diagnostics arrive.
//!
//! A key citation is `Known` (one work), `Ambiguous` (several) or `Unknown` (none, including
//! DOIs and identifiers the corpus lacks). The rules are those of the diagnostics: `@*` and
//! Typst references to the document's own labels are not citations and get no token. Prose
//! citations (`Buckley et al. (2022)`) are marked too, with `prose`; one that matches nothing
//! is marked only where it would get a diagnostic, since it may not be a citation at all.

use std::ops::Range;

use super::Manuscript;
use super::prose_citations::{ProseMatch, prose_match};
use crate::corpus::{Corpus, Resolution};
use crate::manuscript::Syntax;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Known,
    Unknown,
    Ambiguous,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    pub range: Range<usize>,
    pub status: Status,
    /// An author–year citation written as prose, not a key.
    pub prose: bool,
}

/// The tokens of the citations that overlap `within` (the whole text when `None`), in order.
pub fn semantic_tokens(corpus: &Corpus, manuscript: &Manuscript, within: Option<Range<usize>>) -> Vec<SemanticToken> {
    let within = within.unwrap_or(0..manuscript.text.len());
    let overlaps = |r: &Range<usize>| r.start < within.end && within.start < r.end;
    let mut res = Vec::new();
    let first = manuscript.citations.partition_point(|c| c.range.end <= within.start);
    for citation in manuscript.citations[first..].iter().take_while(|c| c.range.start < within.end) {
        let key = citation.key.as_str();
        if key == "*" {
            continue;
        }
        let status = match manuscript.resolve(corpus, key) {
            Resolution::One(_) => Status::Known,
            Resolution::Ambiguous(_) => Status::Ambiguous,
            Resolution::Unknown => {
                if citation.syntax == Syntax::Typst && manuscript.text.contains(&format!("<{key}>")) {
                    continue;
                }
                Status::Unknown
            }
        };
        res.push(SemanticToken { range: citation.range.clone(), status, prose: false });
    }
    for citation in manuscript.prose_citations().iter().filter(|c| overlaps(&c.range)) {
        let status = match prose_match(corpus, citation) {
            ProseMatch::One(_) => Status::Known,
            ProseMatch::Several(_) => Status::Ambiguous,
            ProseMatch::OtherYear(_) => Status::Unknown,
            ProseMatch::Unknown { known_author } if known_author || citation.et_al => Status::Unknown,
            ProseMatch::Unknown { .. } => continue,
        };
        res.push(SemanticToken { range: citation.range.clone(), status, prose: true });
    }
    res.sort_by_key(|t| t.range.start);
    res
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    /// Renders each token as its text and status; a cursor in the fixture asks for the
    /// tokens of its line only (a range request).
    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let text = &f.manuscript.text;
        let within = fixture.contains("<|>").then(|| {
            let start = text[..f.cursor].rfind('\n').map_or(0, |i| i + 1);
            let end = text[f.cursor..].find('\n').map_or(text.len(), |i| f.cursor + i);
            start..end
        });
        let mut out = String::new();
        for token in semantic_tokens(&f.corpus, &f.manuscript, within) {
            out.push_str(&format!(
                "{:?} {:?}{}\n",
                &text[token.range.clone()],
                token.status,
                if token.prose { " prose" } else { "" }
            ));
        }
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    const BIB: &str = "//- /a.bib
@article{buckley2022, author={Buckley, Bea and Newton, Jo}, title={Shared power}, year={2022}, doi={10.1000/power}}
@article{smith2020, author={Smith, Sam}, title={Testing}, year={2020}}
//- /b.bib
@article{smith2020, author={Smith, Sam}, title={Tests}, year={2020}}
";

    #[test]
    fn known_unknown_and_ambiguous_keys() {
        check(
            &format!(
                "{BIB}//- /paper.md\nSee [@buckley2022; @nobody2020; @smith2020] and @doi:10.1000/power, doi:10.9999/none.\n"
            ),
            "\"buckley2022\" Known\n\"nobody2020\" Unknown\n\"smith2020\" Ambiguous\n\"doi:10.1000/power\" Known\n\"10.9999/none\" Unknown",
        );
    }

    #[test]
    fn prose_citations_are_marked() {
        check(
            &format!(
                "{BIB}//- /paper.md\nBuckley et al. (2022), Buckley et al. (2019), Smith (2020), Kant (1781), Jones et al. (2001).\n"
            ),
            "\"Buckley et al. (2022)\" Known prose\n\"Buckley et al. (2019)\" Unknown prose\n\"Smith (2020)\" Ambiguous prose\n\"Jones et al. (2001)\" Unknown prose",
        );
    }

    #[test]
    fn a_range_request_gets_only_its_lines() {
        check(
            &format!("{BIB}//- /paper.md\nFirst [@buckley2022].\nSecond [@nob<|>ody].\nThird [@smith2020].\n"),
            "\"nobody\" Unknown",
        );
    }

    #[test]
    fn own_labels_and_every_entry_are_not_citations() {
        check(
            &format!("{BIB}//- /paper.typ\n= Intro <intro>\nSee @intro and @buckley2022.\n"),
            "\"buckley2022\" Known",
        );
        check(&format!("{BIB}//- /paper.md\n---\nnocite: '@*'\n---\nText [@*].\n"), "");
    }
}
