//! Citation completion: after `@`, `[@`, `\cite{`, `#cite(<`, `[cite:@`, `@doi:`…, the works
//! whose key, authors' family names, year, title words or DOI match what was typed, ranked.
//!
//! Several words are allowed (`\cite{2023 health`): each must match some field. Ranking comes
//! from the index (where a word matched and whether it matched whole); when nothing matches
//! as a prefix, a fuzzy match over keys catches typos. The list is cut at `limit` and marked
//! incomplete, so clients ask again as the user types instead of filtering a truncated list.

use std::ops::Range;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::hover::{Linker, record_markdown};
use super::{authors_short, one_line};
use crate::corpus::{Corpus, RecordId, RecordKind};
use crate::manuscript::{self, Dialect};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub record: RecordId,
    /// The key inserted (also the label).
    pub key: String,
    /// `Family et al. (Year) Title`.
    pub detail: String,
    /// The hover text of the record.
    pub documentation: String,
    /// Text clients filter on: every searchable word, so client-side filtering never drops
    /// an item the server ranked.
    pub filter_text: String,
    /// Zero-padded rank, so clients keep the server's order.
    pub sort_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionResult {
    /// The bytes replaced by the chosen key (the partial key typed so far).
    pub range: Range<usize>,
    pub items: Vec<CompletionItem>,
    /// More works matched than were returned.
    pub incomplete: bool,
}

pub fn completion(
    corpus: &Corpus,
    dialect: Dialect,
    text: &str,
    offset: usize,
    limit: usize,
    link: Linker,
) -> Option<CompletionResult> {
    let context =
        manuscript::completion_context(dialect, text, offset).or_else(|| latex_words(dialect, text, offset))?;
    let typed = context.prefix.as_str();
    let query = typed.strip_prefix("doi:").unwrap_or(typed);
    let (ids, incomplete) = if query.trim().is_empty() {
        // Just `@`: documents first, in corpus order.
        let mut ids: Vec<RecordId> = (0..corpus.records.len() as u32).map(RecordId).collect();
        ids.sort_by_key(|&id| corpus.record(id).kind != RecordKind::Document);
        let incomplete = ids.len() > limit;
        ids.truncate(limit);
        (ids, incomplete)
    } else {
        let (hits, more) = corpus.index.search(query, limit);
        if hits.is_empty() {
            fuzzy_keys(corpus, query, limit)
        } else {
            (hits.into_iter().map(|h| h.record).collect(), more)
        }
    };
    let doi_mode = typed.starts_with("doi:");
    let items = ids
        .into_iter()
        .enumerate()
        .map(|(rank, id)| {
            let record = corpus.record(id);
            let key = match (doi_mode, record.doi()) {
                (true, Some(doi)) => format!("doi:{doi}"),
                _ => corpus.key(id).to_owned(),
            };
            let mut filter_text = format!("{typed} {key}");
            for author in &record.authors {
                filter_text.push(' ');
                filter_text.push_str(&author.value.family);
            }
            if let Some(year) = record.year() {
                filter_text.push_str(&format!(" {year}"));
            }
            if let Some(title) = record.title() {
                filter_text.push(' ');
                filter_text.push_str(title);
            }
            if let Some(doi) = record.doi() {
                filter_text.push_str(&format!(" {doi}"));
            }
            let detail = match authors_short(record) {
                Some(_) => one_line(record),
                None => format!(
                    "({}) {}",
                    record.year().map_or("n.d.".to_owned(), |y| y.to_string()),
                    record.title().unwrap_or("(untitled)")
                ),
            };
            CompletionItem {
                record: id,
                key,
                detail,
                documentation: record_markdown(corpus, id, link),
                filter_text,
                sort_text: format!("{rank:05}"),
            }
        })
        .collect();
    Some(CompletionResult { range: context.range, items, incomplete })
}

/// In `\cite{2023 health` the key list is inside braces, so several words typed there are one
/// query: they let a researcher search by year and topic before any key exists.
fn latex_words(dialect: Dialect, text: &str, offset: usize) -> Option<manuscript::CompletionContext> {
    if dialect != Dialect::Latex || !text.is_char_boundary(offset) {
        return None;
    }
    let open = text[..offset].rfind(['{', ','])?;
    let words = &text[open + 1..offset];
    if !words.trim().contains(' ') || words.contains(['}', '\n', '\\', '%']) {
        return None;
    }
    let mut context = manuscript::completion_context(dialect, text, open + 1)?;
    let start = open + 1 + (words.len() - words.trim_start().len());
    let end = offset + text[offset..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    context.range = start..end;
    context.prefix = text[start..offset].to_owned();
    Some(context)
}

/// Typo-tolerant fallback over every key, used only when no word matched as a prefix.
fn fuzzy_keys(corpus: &Corpus, query: &str, limit: usize) -> (Vec<RecordId>, bool) {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, RecordId)> = Vec::new();
    for i in 0..corpus.records.len() {
        let id = RecordId(i as u32);
        if let Some(score) = pattern.score(Utf32Str::new(corpus.key(id), &mut buf), &mut matcher) {
            scored.push((score, id));
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let more = scored.len() > limit;
    (scored.into_iter().take(limit).map(|(_, id)| id).collect(), more)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let text = &f.manuscript.text;
        let actual = match completion(&f.corpus, f.manuscript.dialect, text, f.cursor, 5, &|_| None) {
            None => "(no completion)".to_owned(),
            Some(res) => {
                let mut out = format!(
                    "replace {:?}{}\n",
                    &text[res.range.clone()],
                    if res.incomplete { " (incomplete)" } else { "" }
                );
                for item in &res.items {
                    out.push_str(&format!("{} | {}\n", item.key, item.detail));
                }
                out
            }
        };
        assert_eq!(actual.trim_end(), expect.trim_end(), "\n--- actual ---\n{actual}");
    }

    #[test]
    fn by_family_name_title_word_and_year() {
        check(
            "//- /review.md\nAs argued [@ikhile<|>\n",
            "replace \"ikhile\"\nikhile2023virtuous | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
        check(
            "//- /review.md\nAs argued [@virtuous<|>]\n",
            "replace \"virtuous\"\nikhile2023virtuous | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
        check(
            "//- /review.tex\nAs argued \\cite{2023 health<|>}\n",
            "replace \"2023 health\"\ntapping2023power | (2023) Tapping into the power of coproduction and knowledge mobilisation: Exploration of a facilitated interactive group learning approach to support equity‐sensitive decision‐making in local health and care services\nikhile2023virtuous | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
    }

    #[test]
    fn by_doi() {
        check(
            "//- /review.md\nSee [@doi:10.1111/hex.138<|>]\n",
            "replace \"doi:10.1111/hex.138\"\ndoi:10.1111/hex.13851 | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
    }

    #[test]
    fn typo_falls_back_to_fuzzy_keys() {
        check(
            "//- /review.md\nSee [@ikhle<|>]\n",
            "replace \"ikhle\"\nikhile2023virtuous | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise\nbuckley2022multistakeholder | Buckley et al. (2022) Multi-stakeholder perspectives on co-production: key recommendations following the Liverpool Co-PARS Project",
        );
    }

    #[test]
    fn second_key_and_bare_at() {
        check(
            "//- /review.md\nSee [@ikhile2023virtuous; @hick<|>]\n",
            "replace \"hick\"\nhickey2018potential | Hickey (2018) The potential for coproduction to add value to research\nhickey2018guidance | Hickey et al. (2018) Guidance on co-producing a research project",
        );
        check(
            "//- /review.md\nSee [@<|>]\n",
            "replace \"\" (incomplete)\nbuckley2022multistakeholder | Buckley et al. (2022) Multi-stakeholder perspectives on co-production: key recommendations following the Liverpool Co-PARS Project\ntapping2023power | (2023) Tapping into the power of coproduction and knowledge mobilisation: Exploration of a facilitated interactive group learning approach to support equity‐sensitive decision‐making in local health and care services\ndoc-002_6155a9b287510640 | (n.d.) (untitled)\nikhile2023virtuous | Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise\ncoproduction2015experts | (2015) Coproduction without experts: a study of people involved in community health and well-being service delivery",
        );
    }

    #[test]
    fn nothing_outside_citations() {
        check("//- /review.md\nWrite to jane<|>\n", "(no completion)");
        check("//- /review.tex\n\\section{Intro<|>}\n", "(no completion)");
    }
}
