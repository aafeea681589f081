//! Author–year citations written as prose (`Buckley et al. (2022)`), matched to corpus works:
//! hover shows the work, and two diagnostics catch what a reviewer would.
//!
//! | code | severity | when |
//! |---|---|---|
//! | `prose-citation-unknown` | hint | no corpus work has that first author and year |
//! | `prose-citation-year` | warning | exactly one work has that author, from a year at most three off |
//!
//! Matching: the record's first author's family name must equal the first name written, with
//! particles dropped and diacritics folded ([`family_key`]); `A and B` also needs B as the
//! second author. `et al.` needs a work with at least two authors (or an author list the
//! source cut with "et al."): citation styles put the cut at two, three or four authors, so
//! only a single-author work is certainly not meant. The form only narrows: when no work
//! fits the form but works by that first author and year exist, those are the match, since a
//! saved page may list fewer authors than the work has. The year letter (`2019a`) is not
//! used: its order depends on the reference list the manuscript will get.
//!
//! Precision first. A prose citation right before a key citation (`Buckley et al. (2022)
//! [@buckley2022]`) is a gloss on it and gets no diagnostic: the key's own diagnostics speak.
//! A lone capitalised word before a year may be a place, a product or an event (`Windows
//! (2000)`), and `A and B (Year)` may be a title, so those forms get `prose-citation-unknown`
//! only when some corpus work has an author of that family name; `et al.` always does.
//! Each diagnostic carries what a quick fix needs: the key that cites the work, and for a
//! wrong year the right one (the diagnostic's range is the year's digits).

use std::fmt::Write;

use super::diagnostics::Diagnostic;
use super::hover::{HoverResult, Linker, record_markdown};
use super::{Manuscript, one_line};
use crate::corpus::{Corpus, Record, RecordId, Severity};
use crate::manuscript::{ProseCitation, family_key};

/// How far a written year may be from the one work of that author for refls to suggest it: a
/// preprint and its journal version, or a slip of a digit. `Newton (1687)` is not a slip for a
/// Newton of 2019.
const MAX_YEAR_SLIP: u32 = 3;

/// What a prose citation names in the corpus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProseMatch {
    /// One work by that author from that year.
    One(RecordId),
    /// Several works by that author from that year.
    Several(Vec<RecordId>),
    /// No work from that year, and exactly one by that author: probably a wrong year.
    OtherYear(RecordId),
    /// No work by that author from that year. `known_author`: some corpus work has an author
    /// of that family name.
    Unknown { known_author: bool },
}

/// A prose citation diagnostic with the payload of its quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProseDiagnostic {
    pub diagnostic: Diagnostic,
    /// The key that cites the work (a name that resolves to it alone), when one is known.
    pub cite: Option<String>,
    /// The work's year, for `prose-citation-year`.
    pub year: Option<i32>,
}

/// Whether `record`'s authors fit the names written, `strict` also checking the form (a
/// second author for `A and B`, several authors for `et al.`).
fn fits(record: &Record, citation: &ProseCitation, first: &str, strict: bool) -> bool {
    let Some(author) = record.authors.first() else { return false };
    if family_key(author.value.family()) != first {
        return false;
    }
    if !strict {
        return true;
    }
    match citation.authors.get(1) {
        Some(second) => record.authors.get(1).is_some_and(|a| family_key(a.value.family()) == family_key(second)),
        None if citation.et_al => record.authors.len() >= 2 || record.et_al,
        None => true,
    }
}

/// Matches a prose citation to corpus works; see the module documentation for the rules.
pub fn prose_match(corpus: &Corpus, citation: &ProseCitation) -> ProseMatch {
    let first = family_key(&citation.authors[0]);
    // The index holds each word of a family name; the last word of the name written is one
    // of them (`Berg` of `van der Berg`, `Jones` of `Smith-Jones`).
    let word = citation.authors[0]
        .split(|c: char| !c.is_alphanumeric())
        .rfind(|w| !w.is_empty())
        .map(crate::corpus::key::fold)
        .unwrap_or_default();
    let mut with_family: Vec<RecordId> = corpus.index.with_family_word(&word).collect();
    with_family.sort_unstable();
    with_family.dedup();
    let known_author =
        with_family.iter().any(|&id| corpus.record(id).authors.iter().any(|a| family_key(a.value.family()) == first));
    let strict: Vec<RecordId> =
        with_family.iter().copied().filter(|&id| fits(corpus.record(id), citation, &first, true)).collect();
    let relaxed: Vec<RecordId> =
        with_family.iter().copied().filter(|&id| fits(corpus.record(id), citation, &first, false)).collect();
    let of_year = |ids: &[RecordId]| -> Vec<RecordId> {
        ids.iter().copied().filter(|&id| corpus.record(id).year() == Some(citation.year)).collect()
    };
    let mut found = of_year(&strict);
    if found.is_empty() {
        found = of_year(&relaxed);
    }
    match found.len() {
        0 => {}
        1 => return ProseMatch::One(found[0]),
        _ => return ProseMatch::Several(found),
    }
    let by_author = if strict.is_empty() { &relaxed } else { &strict };
    let dated: Vec<RecordId> = by_author.iter().copied().filter(|&id| corpus.record(id).year().is_some()).collect();
    match dated.as_slice() {
        [one] if corpus.record(*one).year().is_some_and(|y| y.abs_diff(citation.year) <= MAX_YEAR_SLIP) => {
            ProseMatch::OtherYear(*one)
        }
        _ => ProseMatch::Unknown { known_author },
    }
}

/// The prose citation at `offset` and what it names (for hover and quick fixes).
pub fn prose_citation_at<'m>(
    corpus: &Corpus,
    manuscript: &'m Manuscript,
    offset: usize,
) -> Option<(&'m ProseCitation, ProseMatch)> {
    let prose = manuscript.prose_citations();
    let i = prose.partition_point(|c| c.range.end < offset);
    let citation = prose.get(i).filter(|c| c.range.start <= offset && offset <= c.range.end)?;
    Some((citation, prose_match(corpus, citation)))
}

/// Hover on a prose citation: the work it names, or each of several.
pub fn hover(corpus: &Corpus, manuscript: &Manuscript, offset: usize, link: Linker) -> Option<HoverResult> {
    let (citation, found) = prose_citation_at(corpus, manuscript, offset)?;
    let markdown = match found {
        ProseMatch::One(id) => record_markdown(corpus, id, link),
        ProseMatch::OtherYear(id) => {
            let year = corpus.record(id).year().unwrap_or_default();
            format!(
                "*Written {}; the corpus has this work from {year}.*\n\n{}",
                citation.year,
                record_markdown(corpus, id, link)
            )
        }
        ProseMatch::Several(ids) => {
            let mut res = format!("**{} works** match {}:\n\n", ids.len(), written(citation));
            for &id in &ids {
                let name = corpus.unique_name(id).map_or_else(|| "*no unique name*".to_owned(), |n| format!("`{n}`"));
                let _ = writeln!(res, "- {name}: {}", one_line(corpus.record(id)));
            }
            res
        }
        ProseMatch::Unknown { .. } => return None,
    };
    Some(HoverResult { range: citation.range.clone(), markdown })
}

/// `Buckley et al. 2022` as written, for messages.
fn written(citation: &ProseCitation) -> String {
    let names = match (citation.authors.as_slice(), citation.et_al) {
        ([first], true) => format!("{first} et al."),
        (names, _) => names.join(" and "),
    };
    format!("{names} {}{}", citation.year, citation.suffix.map(String::from).unwrap_or_default())
}

/// Whether a key citation follows the prose citation in the same sentence (`Buckley et al.
/// (2022) [@buckley2022]`, `Garg et al. (2023) analyse … [@doi:10.…].`): then the prose
/// glosses it, and the key's own diagnostics speak for the work.
fn glossed(manuscript: &Manuscript, citation: &ProseCitation) -> bool {
    let end = citation.range.end;
    let i = manuscript.citations.partition_point(|c| c.range.start < end);
    let Some(next) = manuscript.citations.get(i) else { return false };
    let Some(gap) = manuscript.text.get(end..next.range.start) else { return false };
    gap.len() <= 600 && !gap.contains("\n\n") && !ends_sentence(gap)
}

/// Whether `text` holds a sentence end: `.`, `?` or `!`, a space, then a capital.
fn ends_sentence(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '.' | '?' | '!') && chars.peek().is_some_and(|c| c.is_whitespace()) {
            let mut rest = chars.clone().skip_while(|c| c.is_whitespace());
            if rest.next().is_some_and(char::is_uppercase) {
                return true;
            }
        }
    }
    false
}

/// Whether the prose citation is the text of a Markdown link (`[Kuhn and Johnson
/// (2019)](https://…)`): the link names the work, as a citation would.
fn link_text(manuscript: &Manuscript, citation: &ProseCitation) -> bool {
    let text = &manuscript.text;
    let line_start = text[..citation.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[citation.range.end..].find('\n').map_or(text.len(), |i| citation.range.end + i);
    let before = &text[line_start..citation.range.start];
    let after = &text[citation.range.end..line_end];
    let opened = before.rfind('[').is_some_and(|open| !before[open..].contains(']'));
    let closes_as_link =
        after.find(']').is_some_and(|close| !after[..close].contains('[') && after[close + 1..].starts_with('('));
    opened && closes_as_link
}

/// The diagnostics of a manuscript's prose citations.
pub fn diagnostics(corpus: &Corpus, manuscript: &Manuscript) -> Vec<ProseDiagnostic> {
    let mut res = Vec::new();
    for citation in manuscript.prose_citations() {
        if glossed(manuscript, citation) || link_text(manuscript, citation) {
            continue;
        }
        match prose_match(corpus, citation) {
            ProseMatch::One(_) | ProseMatch::Several(_) => {}
            ProseMatch::OtherYear(id) => {
                let year = corpus.record(id).year();
                let key = corpus.unique_name(id).map(str::to_owned);
                let named = key.as_ref().map(|k| format!(" (`{k}`)")).unwrap_or_default();
                res.push(ProseDiagnostic {
                    diagnostic: Diagnostic {
                        range: citation.year_range.clone(),
                        severity: Severity::Warning,
                        code: "prose-citation-year",
                        message: format!(
                            "no work of {} in the corpus; did you mean {}{named}: {}?",
                            written(citation),
                            year.unwrap_or_default(),
                            one_line(corpus.record(id))
                        ),
                        related: Vec::new(),
                    },
                    cite: key,
                    year,
                });
            }
            ProseMatch::Unknown { known_author } => {
                if !(known_author || citation.et_al) {
                    continue;
                }
                res.push(ProseDiagnostic {
                    diagnostic: Diagnostic {
                        range: citation.range.clone(),
                        severity: Severity::Hint,
                        code: "prose-citation-unknown",
                        message: format!("no work of {} in the corpus", written(citation)),
                        related: Vec::new(),
                    },
                    cite: None,
                    year: None,
                });
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    const BIB: &str = "//- /refs.bib
@article{buckley2022, author={Buckley, Bea and Newton, Jo and Ikhile, Deb}, title={Shared power in research}, year={2022}}
@article{newton2019, author={Newton, Jo}, title={Listening to patients}, year={2019}}
@article{oliver2019a, author={Oliver, Kathryn}, title={The dark side of coproduction}, year={2019}}
@article{oliver2019b, author={Oliver, Kathryn and Kothari, Anita}, title={Evidence use}, year={2019}}
@article{odegard2001, author={Ødegård, Åse and Lie, Tor}, title={Fjords}, year={2001}}
@article{berg2020, author={van der Berg, Anne}, title={Dunes}, year={2020}}
";

    /// Renders each prose citation of the manuscript with what it matched, then the
    /// diagnostics, then the hover at the cursor (when the fixture has one).
    fn check(manuscript: &str, expect: &str) {
        let f = Fixture::parse(&format!("{BIB}//- /paper.md\n{manuscript}"));
        let text = &f.manuscript.text;
        let name = |id: RecordId| f.corpus.key(id).to_owned();
        let mut out = String::new();
        for c in f.manuscript.prose_citations() {
            let found = match prose_match(&f.corpus, c) {
                ProseMatch::One(id) => name(id),
                ProseMatch::Several(ids) => ids.into_iter().map(name).collect::<Vec<_>>().join(" | "),
                ProseMatch::OtherYear(id) => format!("other year: {}", name(id)),
                ProseMatch::Unknown { known_author } => format!("unknown (author known: {known_author})"),
            };
            out.push_str(&format!("{:?} -> {found}\n", &text[c.range.clone()]));
        }
        for d in diagnostics(&f.corpus, &f.manuscript) {
            out.push_str(&format!(
                "{:?} {:?} {}: {} [cite {:?}, year {:?}]\n",
                &text[d.diagnostic.range.clone()],
                d.diagnostic.severity,
                d.diagnostic.code,
                d.diagnostic.message,
                d.cite,
                d.year
            ));
        }
        if manuscript.contains("<|>") {
            match hover(&f.corpus, &f.manuscript, f.cursor, &|_| None) {
                Some(h) => out.push_str(&format!("hover {:?}:\n{}\n", &text[h.range.clone()], h.markdown)),
                None => out.push_str("no hover\n"),
            }
        }
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    #[test]
    fn matching_by_first_author_and_year() {
        check(
            "Buckley et al. (2022) and Buckley and Newton (2022) agree (Ødegard & Lie, 2001; van der Berg 2020). \
             Newton (2019) too, but Oliver (2019a) is ambiguous.",
            "\"Buckley et al. (2022)\" -> buckley2022
\"Buckley and Newton (2022)\" -> buckley2022
\"Ødegard & Lie, 2001\" -> odegard2001
\"van der Berg 2020\" -> berg2020
\"Newton (2019)\" -> newton2019
\"Oliver (2019a)\" -> oliver2019a | oliver2019b",
        );
    }

    #[test]
    fn et_al_needs_several_authors_unless_nothing_else_fits() {
        // `Oliver et al. (2019)` fits only the two-author work; `Newton et al. (2019)` fits
        // no work by its form, so the single-author one is taken.
        check(
            "Oliver et al. (2019) and Newton et al. (2019).",
            "\"Oliver et al. (2019)\" -> oliver2019b\n\"Newton et al. (2019)\" -> newton2019",
        );
    }

    #[test]
    fn wrong_year_and_unknown_works() {
        check(
            "Buckley et al. (2021) wrote it. Smith et al. (2020) did not. Kant (1781) is not in the corpus, \
             Oliver (2018) has two candidates, \
             Newton (1687) is another Newton, and so (Windows 2000).",
            "\"Buckley et al. (2021)\" -> other year: buckley2022
\"Smith et al. (2020)\" -> unknown (author known: false)
\"Kant (1781)\" -> unknown (author known: false)
\"Oliver (2018)\" -> unknown (author known: true)
\"Newton (1687)\" -> unknown (author known: true)
\"Windows 2000\" -> unknown (author known: false)
\"2021\" Warning prose-citation-year: no work of Buckley et al. 2021 in the corpus; did you mean 2022 (`buckley2022`): Buckley et al. (2022) Shared power in research? [cite Some(\"buckley2022\"), year Some(2022)]
\"Smith et al. (2020)\" Hint prose-citation-unknown: no work of Smith et al. 2020 in the corpus [cite None, year None]
\"Oliver (2018)\" Hint prose-citation-unknown: no work of Oliver 2018 in the corpus [cite None, year None]
\"Newton (1687)\" Hint prose-citation-unknown: no work of Newton 1687 in the corpus [cite None, year None]",
        );
    }

    #[test]
    fn glosses_on_key_citations_are_quiet() {
        check(
            "Buckley et al. (2021) [@buckley2022] and Smith et al. (2020) show, in a long clause, \
             that it holds [@smith2020]. [Smith et al. (2019)](https://example.org/smith) too.",
            "\"Buckley et al. (2021)\" -> other year: buckley2022\n\"Smith et al. (2020)\" -> unknown (author known: false)\n\"Smith et al. (2019)\" -> unknown (author known: false)",
        );
    }

    #[test]
    fn hover_shows_the_work() {
        check(
            "As Buckley et al. (20<|>22) show.",
            "\"Buckley et al. (2022)\" -> buckley2022\nhover \"Buckley et al. (2022)\":\n**Shared power in research**\n\nBuckley, Bea; Newton, Jo; Ikhile, Deb (2022).\n\n---\n\nSource: refs.bib:1",
        );
    }

    #[test]
    fn hover_on_a_wrong_year_says_so() {
        check(
            "As Buckley et al. (20<|>21) show.",
            "\"Buckley et al. (2021)\" -> other year: buckley2022\n\"2021\" Warning prose-citation-year: no work of Buckley et al. 2021 in the corpus; did you mean 2022 (`buckley2022`): Buckley et al. (2022) Shared power in research? [cite Some(\"buckley2022\"), year Some(2022)]\nhover \"Buckley et al. (2021)\":\n*Written 2021; the corpus has this work from 2022.*\n\n**Shared power in research**\n\nBuckley, Bea; Newton, Jo; Ikhile, Deb (2022).\n\n---\n\nSource: refs.bib:1",
        );
    }

    #[test]
    fn hover_lists_several_works() {
        check(
            "As Oli<|>ver (2019) shows.",
            "\"Oliver (2019)\" -> oliver2019a | oliver2019b\nhover \"Oliver (2019)\":\n**2 works** match Oliver 2019:\n\n- `oliver2019a`: Oliver (2019) The dark side of coproduction\n- `oliver2019b`: Oliver et al. (2019) Evidence use",
        );
    }

    #[test]
    fn no_hover_on_unknown_works() {
        check(
            "As Smi<|>th et al. (2019) show.",
            "\"Smith et al. (2019)\" -> unknown (author known: false)\n\"Smith et al. (2019)\" Hint prose-citation-unknown: no work of Smith et al. 2019 in the corpus [cite None, year None]\nno hover",
        );
    }
}
