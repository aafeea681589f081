//! The saved-page extractor: reads the scraped text of an article web page and returns the
//! record it shows, plus the works its reference list cites.
//!
//! Pages come from many sites (PubMed, PMC, repositories, publishers, aggregators) and are
//! messy, so the extractor never trusts position alone. It works in passes over the page's
//! lines, each collecting *candidates* with a [`Confidence`]: labelled fields (`DOI:`,
//! `Publisher:`), citation lines (`Buckley, BJR, … (2022) Title. Journal.`), PubMed's
//! `2023 Dec;26(6):2514-2524.` line, metadata blocks, JATS tags, a title repeated on the page,
//! and finally layout (the first title-shaped line). The best candidate per field wins, and
//! only `Medium` or better is kept. A value is left empty rather than guessed: a wrong author
//! in a hover is worse than none.
//!
//! The passes live in submodules: [`lines`] (line splitting and section detection),
//! [`signals`] (labelled fields, citation lines, blocks), [`references`] (the reference list),
//! [`jats`] (pages that are JATS XML saved as text), [`tei`] (TEI XML records saved as text).

mod jats;
mod lines;
mod names;
mod references;
mod signals;
mod tei;

use std::ops::Range;

use super::doi::{Doi, DoiKind, find_dois_in_page_text};
use super::problem::Problem;
use super::record::{Confidence, Field, FileId, Location, Person, Record, RecordKind, WorkType};
use lines::{Line, Section};

/// What one page yields: its own record (if the page shows a citable work) and the works its
/// reference list names. Every cited record is cited by the document.
#[derive(Debug, Default)]
pub struct PageReading {
    pub document: Option<Record>,
    pub cited: Vec<Record>,
    pub problems: Vec<Problem>,
}

/// Reads one saved page.
pub fn read(file: FileId, text: &str) -> PageReading {
    if jats::looks_like_jats(text) {
        return jats::read(file, text);
    }
    if tei::looks_like_tei(text) {
        return tei::read(file, text);
    }
    let lines = lines::split(text);
    let mut acc = Candidates::new(file);
    let body: Vec<&Line> = lines.iter().filter(|l| l.section == Section::Body).collect();
    signals::collect(&mut acc, &body);
    let cited = references::read(file, text, &lines);
    // A reference list of its own is a sign the page is an article (a blog post or a wiki page
    // has titles too, rarely a numbered list of cited works).
    if !cited.is_empty() {
        acc.article_signals += 1;
    }
    let document = acc.into_record();
    let cited = if document.is_some() { cited } else { Vec::new() };
    PageReading { document, cited, problems: Vec::new() }
}

/// Candidate values for each field, collected by the passes.
pub(crate) struct Candidates {
    pub file: FileId,
    pub title: Vec<Field<String>>,
    pub authors: Vec<(Vec<Field<Person>>, bool, Confidence)>,
    pub corresponding_author: Vec<Field<Person>>,
    pub year: Vec<Field<i32>>,
    pub container_title: Vec<Field<String>>,
    pub container_short: Vec<Field<String>>,
    pub volume: Vec<Field<String>>,
    pub issue: Vec<Field<String>>,
    pub pages: Vec<Field<String>>,
    pub doi: Vec<Field<Doi>>,
    pub pmid: Vec<Field<String>>,
    pub pmcid: Vec<Field<String>>,
    pub issn: Vec<Field<String>>,
    pub publisher: Vec<Field<String>>,
    pub abstract_text: Vec<Field<String>>,
    pub keywords: Vec<(Vec<Field<compact_str::CompactString>>, Confidence)>,
    pub work_type: Option<WorkType>,
    /// Signals that this page shows a citable work at all (a DOI of its own, a citation line,
    /// an abstract under its heading, a labelled date…). Layout-only guesses are promoted from
    /// `Low` to `Medium` only when there is at least one.
    pub article_signals: u32,
    /// The page lists several works (an issue's table of contents, a feed, search results):
    /// it is not one article and yields no record.
    pub list_page: bool,
}

impl Candidates {
    fn new(file: FileId) -> Candidates {
        Candidates {
            file,
            title: Vec::new(),
            authors: Vec::new(),
            corresponding_author: Vec::new(),
            year: Vec::new(),
            container_title: Vec::new(),
            container_short: Vec::new(),
            volume: Vec::new(),
            issue: Vec::new(),
            pages: Vec::new(),
            doi: Vec::new(),
            pmid: Vec::new(),
            pmcid: Vec::new(),
            issn: Vec::new(),
            publisher: Vec::new(),
            abstract_text: Vec::new(),
            keywords: Vec::new(),
            work_type: None,
            article_signals: 0,
            list_page: false,
        }
    }

    pub fn at(&self, range: Range<usize>) -> Location {
        Location { file: self.file, range: range.start as u32..range.end as u32 }
    }

    pub fn field<T>(&self, value: T, range: Range<usize>, confidence: Confidence) -> Field<T> {
        Field::new(value, self.at(range), confidence)
    }

    pub fn loc(file: FileId, range: Range<usize>) -> Location {
        Location { file, range: range.start as u32..range.end as u32 }
    }

    /// Turns the candidates into a record, or `None` when the page shows no citable work.
    fn into_record(mut self) -> Option<Record> {
        // Layout guesses are shown only when some other signal says this page is an article;
        // this is what keeps a cookie page or a site's home page out of the corpus.
        if self.article_signals > 0 {
            for field in self.title.iter_mut().chain(self.abstract_text.iter_mut()) {
                if field.confidence == Confidence::Low {
                    field.confidence = Confidence::Medium;
                }
            }
        }
        // A table of contents, a feed or a list of search results is not one work; and a page
        // with no sign of being an article at all (a wiki page, a blog post, a course page) is
        // not one either, whatever title-like lines it has.
        if self.list_page || self.article_signals == 0 {
            return None;
        }
        let title = best(&self.title).map(|t| with_subtitle(t, &self.title));
        let doi = best_unambiguous(&self.doi);
        let abstract_text = best(&self.abstract_text);
        let pmid = best(&self.pmid);
        // A record page cut above its title still shows its own labelled authors with the
        // journal or year (an aggregator's metadata block): that is a record, without a title.
        let labelled_authors = self.authors.iter().any(|(_, _, c)| *c == Confidence::High);
        let block = labelled_authors && (best(&self.year).is_some() || best(&self.container_title).is_some());
        if title.is_none() && doi.is_none() && abstract_text.is_none() && pmid.is_none() && !block {
            return None;
        }
        // Without a title, a DOI alone (a link in a blog post, one entry of an exported list)
        // does not make a record: the page must show something else of the same work.
        let has_more = pmid.is_some()
            || best(&self.year).is_some()
            || best(&self.container_title).is_some()
            || self.authors.iter().any(|(_, _, c)| *c >= Confidence::Medium);
        // An abstract under its heading shows the page is one work; prose found by layout alone
        // does not.
        let headed_abstract = abstract_text.as_ref().is_some_and(|a| a.confidence == Confidence::High);
        if title.is_none() && !headed_abstract && !has_more {
            return None;
        }
        // Title fields are whole lines, so go-to-definition lands on the title line.
        let anchor = title
            .as_ref()
            .map(|f| f.at.clone())
            .or_else(|| abstract_text.as_ref().map(|f| f.at.clone()))
            .or_else(|| doi.as_ref().map(|f| f.at.clone()))
            .or_else(|| pmid.as_ref().map(|f| f.at.clone()))
            .or_else(|| best(&self.container_title).map(|f| f.at))
            .or_else(|| best(&self.year).map(|f| f.at))
            .expect("one of them is present");
        let mut record = Record::new(RecordKind::Document, WorkType::Article, anchor);
        record.title = title.map(Field::convert);
        record.doi = doi;
        record.abstract_text = abstract_text.map(Field::convert);
        record.rare_mut().pmid = pmid;
        record.year = best(&self.year);
        record.container_title = best(&self.container_title).map(Field::convert);
        record.extra_mut().container_short = best(&self.container_short).map(Field::convert);
        record.volume = best(&self.volume).map(Field::convert);
        record.issue = best(&self.issue).map(Field::convert);
        record.pages = best(&self.pages).map(Field::convert);
        record.rare_mut().pmcid = best(&self.pmcid);
        record.extra_mut().publisher = best(&self.publisher);
        record.rare_mut().corresponding_author = best(&self.corresponding_author);
        let looks_journal = record.container().is_some() || record.volume.is_some() || record.pages.is_some();
        record.work_type =
            self.work_type.unwrap_or(if looks_journal { WorkType::ArticleJournal } else { WorkType::Article });
        if let Some((authors, et_al, _)) =
            self.authors.iter().filter(|(_, _, c)| *c >= Confidence::Medium).max_by_key(|(list, _, c)| (*c, list.len()))
        {
            record.authors = authors.clone();
            record.et_al = *et_al;
        }
        if let Some((keywords, _)) =
            self.keywords.iter().filter(|(_, c)| *c >= Confidence::Medium).max_by_key(|(_, c)| *c)
        {
            record.keywords = keywords.clone();
        }
        for candidate in self.issn.iter().filter(|f| f.confidence >= Confidence::Medium) {
            if !record.extra().issn.iter().any(|f| f.value == candidate.value) {
                record.extra_mut().issn.push(candidate.clone());
            }
        }
        Some(record)
    }
}

/// The most confident candidate; the earliest one among equals (pages show their own
/// metadata before related material).
fn best<T: Clone>(candidates: &[Field<T>]) -> Option<Field<T>> {
    let mut res: Option<&Field<T>> = None;
    for candidate in candidates.iter().filter(|c| c.confidence >= Confidence::Medium) {
        if res.is_none_or(|r| candidate.confidence > r.confidence) {
            res = Some(candidate);
        }
    }
    res.cloned()
}

/// The chosen title, or another candidate that is the same title followed by a subtitle line:
/// a page may print its title alone twice (a cover page, a share link) and once more with its
/// subtitle on the next line. The short form stands on its own, so what follows is a subtitle.
fn with_subtitle(title: Field<String>, candidates: &[Field<String>]) -> Field<String> {
    let longer = candidates.iter().filter(|c| c.confidence >= Confidence::Medium).find_map(|c| {
        let rest = c.value.strip_prefix(title.value.as_str())?;
        let subtitle = rest.strip_prefix(' ').filter(|r| r.starts_with(char::is_uppercase))?;
        (2..=12).contains(&subtitle.split_whitespace().count()).then_some((c, subtitle))
    });
    match longer {
        Some((c, subtitle)) => {
            let joint = if title.value.ends_with(':') { " " } else { ": " };
            Field::new(format!("{}{joint}{subtitle}", title.value), c.at.clone(), title.confidence)
        }
        None => title,
    }
}

/// Like [`best`], but when the most confident candidates disagree the field stays empty:
/// two different DOIs of equal standing mean we cannot tell which is the page's own.
fn best_unambiguous<T: Clone + PartialEq>(candidates: &[Field<T>]) -> Option<Field<T>> {
    let top = best(candidates)?;
    let rivals = candidates.iter().filter(|c| c.confidence == top.confidence && c.value != top.value).count();
    (rivals == 0).then_some(top)
}

/// Finds the DOIs of a page that name the page's own work, as opposed to its journal, its
/// issue, or works it cites. `lines` are the body lines (reference lists already excluded).
pub(crate) fn own_doi_candidates(acc: &mut Candidates, body: &[&Line]) {
    for line in body {
        // Where the first `doiID`/`issue` label of the line ends, found once per line: looking
        // in the text before each DOI made a line dense with DOIs quadratic.
        let lower = line.text.to_ascii_lowercase();
        let label_end =
            ["doiid", "issue"].iter().filter_map(|label| lower.find(label).map(|at| at + label.len())).min();
        for found in find_dois_in_page_text(line.text) {
            if found.doi.kind() != DoiKind::Work {
                continue;
            }
            // A DOI broken at a line end of the original layout (`…/10.1371/journal. and
            // managers`) is only its first part: a suffix with no digit, cut at a full stop.
            let suffix = found.doi.as_str().split_once('/').map_or("", |(_, s)| s);
            if !suffix.contains(|c: char| c.is_ascii_digit()) && line.text[found.range.end..].starts_with(". ") {
                continue;
            }
            // An issue DOI written as `doiID:` next to an issue number is not caught by shape
            // alone on every publisher, so its label is checked too.
            if label_end.is_some_and(|end| end <= found.full_range.start) {
                continue;
            }
            let before = &lower[..found.full_range.start];
            // Labelled when `doi`/`DOI:`/a resolver link is written right before it (or inside
            // the link), not anywhere earlier on the line: a flattened page puts its own DOI and
            // the DOIs of other works on one line.
            let mut near_start = before.len().saturating_sub(16);
            while !before.is_char_boundary(near_start) {
                near_start += 1;
            }
            let near = &before[near_start..];
            let labelled = near.contains("doi") || lower[found.full_range.clone()].contains("doi");
            let confidence = if labelled { Confidence::High } else { Confidence::Medium };
            let start = line.start + found.range.start;
            acc.doi.push(Field::new(found.doi, acc.at(start..line.start + found.range.end), confidence));
            acc.article_signals += 1;
        }
    }
}

#[cfg(test)]
mod tests;
