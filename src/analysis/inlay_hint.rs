//! Inlay hints: "Buckley et al. 2022" shown after a citation whose key does not say who wrote
//! the work and when.
//!
//! A key is **opaque** when a reader cannot tell the work from it: an identifier name
//! (`@doi:10.…`, `@pmid:…`, `@arxiv:…`, a bare DOI in running text, a key that is itself a
//! DOI), a Manubot alias (`@tag:x`), or any other key that does not hold both the first
//! author's family name (or one word of it, so `vanderberg` and `berg` both read as
//! "van der Berg") and the year (four digits, or two right after the name: `smith20`). So
//! Zotero item keys (`X7QK2M9A`), Better BibTeX's configurable keys without a year, and keys a
//! bibliography gives by topic (`cohort-study-a`) are opaque, while the generated keys
//! (`buckley2022multistakeholder`) and Better BibTeX's `smithEffectTesting2020` are not.
//!
//! Never invented: a hint needs the work's first author; the year is added when the record has
//! one. Unknown and ambiguous keys get no hint (their diagnostics speak). The [`Mode`] comes
//! from the `inlayHints` setting: off, opaque keys only (the default), or every key.

use std::ops::Range;

use super::{Manuscript, identifier_kind, one_line};
use crate::corpus::key::fold;
use crate::corpus::{Corpus, Record, Resolution};
use crate::manuscript::Syntax;

/// Which citations get a hint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    Off,
    /// Only keys that do not read as author and year.
    #[default]
    Opaque,
    All,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint is shown: right after the key.
    pub offset: usize,
    /// `Buckley et al. 2022`.
    pub label: String,
    /// The whole reference line, for the hint's tooltip.
    pub tooltip: String,
}

/// The hints of the citations that overlap `range` (the part of the document the editor shows).
pub fn inlay_hints(corpus: &Corpus, manuscript: &Manuscript, range: Range<usize>, mode: Mode) -> Vec<InlayHint> {
    if mode == Mode::Off {
        return Vec::new();
    }
    let citations = &manuscript.citations;
    let first = citations.partition_point(|c| c.range.end < range.start);
    let mut res = Vec::new();
    for citation in citations[first..].iter().take_while(|c| c.range.start <= range.end) {
        let Resolution::One(id) = manuscript.resolve(corpus, &citation.key) else { continue };
        let record = corpus.record(id);
        // Most keys read as author and year: that is decided before any string is built.
        let opaque = || {
            citation.syntax == Syntax::BareDoi
                || manuscript.aliases.contains_key(citation.key.as_str())
                || !reads_as_author_and_year(&citation.key, record)
        };
        if mode == Mode::Opaque && !opaque() {
            continue;
        }
        let Some(label) = author_year(record) else { continue };
        res.push(InlayHint { offset: citation.range.end, label, tooltip: one_line(record) });
    }
    res
}

/// `Buckley`, `Buckley & Newton`, `Buckley et al.`, followed by the year when there is one.
pub(super) fn author_year(record: &Record) -> Option<String> {
    let first = &record.authors.first()?.value.family();
    if first.trim().is_empty() {
        return None;
    }
    let mut res = match (record.authors.len(), record.et_al) {
        (1, false) => first.to_string(),
        (2, false) => format!("{first} & {}", record.authors[1].value.family()),
        _ => format!("{first} et al."),
    };
    if let Some(year) = record.year() {
        res.push_str(&format!(" {year}"));
    }
    Some(res)
}

/// Whether `key` holds the first author's family name (or a word of it of three letters or
/// more) and the year. An identifier name never does: `doi:10.1000/smith2020` is still a DOI.
fn reads_as_author_and_year(key: &str, record: &Record) -> bool {
    if identifier_kind(key).is_some() || key.starts_with("10.") {
        return false;
    }
    let (Some(author), Some(year)) = (record.authors.first(), record.year()) else { return false };
    let folded_key = fold(key);
    let family = author.value.family();
    // Particles (`van der`, `de`) are left out: `advantage2021` is not by van der Berg.
    let mut names: Vec<String> = family
        .split([' ', '-', '\''])
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(fold)
        .filter(|w| w.len() >= 3)
        .collect();
    names.push(fold(family));
    let year = year.to_string();
    names.iter().filter(|name| !name.is_empty()).any(|name| {
        folded_key.match_indices(name.as_str()).any(|(at, _)| {
            let after = &folded_key[at + name.len()..];
            folded_key.contains(&year) || (year.len() == 4 && after.starts_with(&year[2..]))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    /// Renders the manuscript with each hint written in at its place as `‹label›`.
    fn check_mode(fixture: &str, mode: Mode, expect: &str) {
        let f = Fixture::parse(fixture);
        let text = &f.manuscript.text;
        let hints = inlay_hints(&f.corpus, &f.manuscript, 0..text.len(), mode);
        let mut out = String::new();
        let mut at = 0;
        for hint in &hints {
            out.push_str(&text[at..hint.offset]);
            out.push_str(&format!("‹{}›", hint.label));
            at = hint.offset;
        }
        out.push_str(&text[at..]);
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    fn check(fixture: &str, expect: &str) {
        check_mode(fixture, Mode::Opaque, expect);
    }

    #[test]
    fn identifiers_and_bare_dois_are_opaque() {
        check(
            "//- /review.md\nSee [@doi:10.1111/hex.13851; @ikhile2023virtuous] and https://doi.org/10.1080/2159676X.2022.2152085.\n",
            "See [@doi:10.1111/hex.13851‹Ikhile et al. 2023›; @ikhile2023virtuous] and https://doi.org/10.1080/2159676X.2022.2152085‹Buckley et al. 2022›.",
        );
        // The seed page of `10.1111/hex.13774` names no author: no hint rather than a guess.
        check("//- /review.md\nSee @doi:10.1111/hex.13774.\n", "See @doi:10.1111/hex.13774.");
    }

    #[test]
    fn every_key_in_mode_all_and_none_when_off() {
        let fixture = "//- /review.md\nSee [@doi:10.1111/hex.13851; @ikhile2023virtuous].\n";
        check_mode(
            fixture,
            Mode::All,
            "See [@doi:10.1111/hex.13851‹Ikhile et al. 2023›; @ikhile2023virtuous‹Ikhile et al. 2023›].",
        );
        check_mode(fixture, Mode::Off, "See [@doi:10.1111/hex.13851; @ikhile2023virtuous].");
    }

    #[test]
    fn aliases_and_random_keys_are_opaque_author_year_keys_are_not() {
        check(
            "//- /refs.bib
@article{X7QK2M9A, author = {Quill, Ada and Newton, John}, title = {Counting sparrows}, year = {2020}, doi = {10.1000/sparrow}}
@article{quillCountingSparrows2020, author = {Quill, Ada}, title = {Counting sparrows again}, year = {2020}}
@article{quill2019, author = {Quill, Ada}, title = {Counting finches}, year = {2021}}
@article{berg21, author = {van der Berg, Lotte}, title = {Dunes}, year = {2021}}
@article{dunes-review, author = {van der Berg, Lotte}, title = {Dunes reviewed}, year = {2022}}
//- /review.md
[@X7QK2M9A; @quillCountingSparrows2020; @quill2019; @berg21; @dunes-review; @tag:sparrows]

[@tag:sparrows]: doi:10.1000/sparrow
",
            "[@X7QK2M9A‹Quill & Newton 2020›; @quillCountingSparrows2020; @quill2019‹Quill 2021›; @berg21; @dunes-review‹van der Berg 2022›; @tag:sparrows‹Quill & Newton 2020›]

[@tag:sparrows]: doi:10.1000/sparrow",
        );
    }

    #[test]
    fn never_invented_and_not_for_unknown_or_ambiguous_keys() {
        check(
            "//- /refs.bib
@article{noauthor, title = {A work with no author}, year = {2020}}
@article{noyear, author = {Quill, Ada}, title = {A work with no year}}
@misc{a, author = {Smith, J}, title = {One}, year = {2020}}
//- /more.bib
@misc{a, author = {Jones, K}, title = {Two}, year = {2021}}
//- /review.md
[@noauthor; @noyear; @a; @nobody]
",
            "[@noauthor; @noyear‹Quill›; @a; @nobody]",
        );
    }

    #[test]
    fn only_the_requested_range() {
        let f = Fixture::parse("//- /review.md\n@doi:10.1111/hex.13851\n\n<|>@doi:10.1080/2159676X.2022.2152085\n");
        let hints = inlay_hints(&f.corpus, &f.manuscript, f.cursor..f.manuscript.text.len(), Mode::Opaque);
        let labels: Vec<&str> = hints.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(labels, ["Buckley et al. 2022"]);
    }
}
