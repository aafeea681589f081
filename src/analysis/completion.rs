//! Citation completion: after `@`, `[@`, `\cite{`, `#cite(<`, `[cite:@`, `@doi:`…, the works
//! whose key, authors' family names, year, title words or DOI match what was typed, ranked.
//!
//! Several words are allowed (`\cite{2023 health`, `[@2023 health`): each must match some field. Ranking comes
//! from the index (where a word matched and whether it matched whole: the typed key prefix
//! above the first author above co-authors), with a bonus for the works the workspace already
//! cites ([`CitedWorks`]: a manuscript cites the same works again and again), ties by year and
//! key; when nothing matches as a prefix, a fuzzy match over keys catches typos. The list is
//! cut at `limit` and marked incomplete, so clients ask again as the user types instead of
//! filtering a truncated list.
//!
//! Items carry no documentation: the hover of a work is built by [`documentation`] for the
//! one item the editor shows (`completionItem/resolve`), not for every item on every keystroke.
//! A key that names several works is never offered; its works are offered under names that
//! resolve to them alone, so accepting an item never inserts an ambiguous citation.

use std::fmt::Write as _;
use std::ops::Range;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::hover::{Linker, record_markdown};
use super::references::Workspace;
use super::{Manuscript, push_authors_short};
use crate::corpus::{Corpus, RecordId, RecordKind, Resolution};
use crate::manuscript::{self, Dialect};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub record: RecordId,
    /// The key inserted (also the label); it names this record alone.
    pub key: String,
    /// `Family et al. (Year)`: short, as the title heads the documentation.
    pub detail: String,
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

/// The works the workspace's manuscripts cite, as one bit per record of one corpus: the
/// works completion and workspace symbols offer first among equal matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CitedWorks {
    bits: Vec<u64>,
}

impl CitedWorks {
    /// The works cited by the manuscripts of `workspace`, each key looked up as find
    /// references does (aliases, identifier spellings); a key naming several works marks none.
    pub fn of_workspace(corpus: &Corpus, workspace: &Workspace<'_>) -> CitedWorks {
        let mut cited = CitedWorks::default();
        let mut resolver = workspace.resolver(corpus);
        for file in &workspace.files {
            for key in file.keys() {
                if let (_, Resolution::One(id)) = resolver.resolve(file, key) {
                    cited.insert(id);
                }
            }
        }
        cited
    }

    /// Adds the works an open manuscript cites (its unsaved text, which the workspace's copy
    /// read from disk may lack).
    pub fn add_manuscript(&mut self, corpus: &Corpus, manuscript: &Manuscript) {
        for citation in manuscript.citations.iter() {
            if let Resolution::One(id) = manuscript.resolve(corpus, &citation.key) {
                self.insert(id);
            }
        }
    }

    /// Adds every work `other` holds.
    pub fn add(&mut self, other: &CitedWorks) {
        if self.bits.len() < other.bits.len() {
            self.bits.resize(other.bits.len(), 0);
        }
        for (word, theirs) in self.bits.iter_mut().zip(&other.bits) {
            *word |= theirs;
        }
    }

    pub fn insert(&mut self, id: RecordId) {
        let (word, bit) = (id.0 as usize / 64, id.0 % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= 1 << bit;
    }

    pub fn contains(&self, id: RecordId) -> bool {
        self.bits.get(id.0 as usize / 64).is_some_and(|word| word & (1 << (id.0 % 64)) != 0)
    }
}

pub fn completion(
    corpus: &Corpus,
    cited: &CitedWorks,
    dialect: Dialect,
    text: &str,
    scanned: Option<&Manuscript>,
    offset: usize,
    limit: usize,
) -> Option<CompletionResult> {
    let scans = Scans { current: scanned, earlier: None };
    completion_keeping_scan(corpus, cited, dialect, text, scans, offset, limit, &mut None)
}

/// The scans of the document completion may take instead of scanning its text from the start.
#[derive(Clone, Copy)]
pub struct Scans<'a> {
    /// A scan of this very text (or of another: then unused).
    pub current: Option<&'a Manuscript>,
    /// A scan of an earlier version, whose LaTeX resume points a scan may go on from.
    pub earlier: Option<&'a manuscript::EarlierScan>,
}

/// [`completion`], also handing back in `made` the dialect scan it had to make of `text` (when
/// `scanned` was not of this text and the cursor followed a citation's opening): the server
/// gives it to the diagnostics pass of the same version, which would scan the text again.
#[allow(clippy::too_many_arguments)]
pub fn completion_keeping_scan(
    corpus: &Corpus,
    cited: &CitedWorks,
    dialect: Dialect,
    text: &str,
    scans: Scans<'_>,
    offset: usize,
    limit: usize,
    made: &mut Option<manuscript::DialectScan>,
) -> Option<CompletionResult> {
    // A scan of this text made for its diagnostics saves scanning it again (half of a
    // completion's time in a 40 KB paper, issue 11); one of an earlier version lets a LaTeX
    // scan start a few kilobytes before the edit.
    let regions = scans.current.and_then(|m| m.regions_of(text));
    let mut query = manuscript::ProseQuery::new(dialect, text, regions);
    if let Some(earlier) = scans.earlier {
        query = query.after_earlier(earlier);
    }
    let context = manuscript::completion_context_at(&query, offset)
        .or_else(|| latex_words(&query, dialect, text, offset))
        .or_else(|| markdown_words(corpus, &query, dialect, text, offset));
    *made = query.into_scan();
    crate::timing::mark("scan");
    let context = context?;
    let typed = context.prefix.as_str();
    let (ids, incomplete) = search(corpus, cited, typed, limit);
    crate::timing::mark("search");
    let doi_mode = typed.starts_with("doi:");
    warm(corpus, &ids);
    crate::timing::mark("warm");
    let items = ids
        .into_iter()
        .filter_map(|id| {
            let record = corpus.record(id);
            let key = match (doi_mode, record.doi()) {
                (true, Some(doi)) => format!("doi:{doi}"),
                _ => corpus.key(id).to_owned(),
            };
            // A shared key would cite several works: offer the name that cites this one, or
            // nothing when every name it has is shared.
            let key = match corpus.index.resolve(&key) {
                Resolution::One(found) if found == id => key,
                _ => corpus.unique_name(id)?.to_owned(),
            };
            Some((id, key))
        })
        .enumerate()
        .map(|(rank, (id, key))| {
            let record = corpus.record(id);
            let (title, doi) = (record.title(), record.doi());
            // One allocation each: these are built for every item of every keystroke.
            let mut filter_text = String::with_capacity(
                typed.len() + key.len() + 24 * record.authors.len() + title.map_or(0, str::len) + 48,
            );
            filter_text.push_str(typed);
            filter_text.push(' ');
            filter_text.push_str(&key);
            for author in &record.authors {
                filter_text.push(' ');
                filter_text.push_str(author.value.family());
            }
            if let Some(year) = record.year() {
                let _ = write!(filter_text, " {year}");
            }
            if let Some(title) = title {
                filter_text.push(' ');
                filter_text.push_str(title);
            }
            if let Some(doi) = doi {
                filter_text.push(' ');
                filter_text.push_str(doi.as_str());
            }
            // Sized once: the authors, ` et al. ` and `(YYYY)`.
            let mut detail = String::with_capacity(record.authors.first().map_or(0, |a| a.value.family().len()) + 16);
            if push_authors_short(record, &mut detail) && !detail.is_empty() {
                detail.push(' ');
            }
            match record.year() {
                Some(year) => {
                    let _ = write!(detail, "({year})");
                }
                None => detail.push_str("(n.d.)"),
            }
            CompletionItem { record: id, key, detail, filter_text, sort_text: format!("{rank:05}") }
        })
        .collect();
    Some(CompletionResult { range: context.range, items, incomplete })
}

/// Reads, for every work found, what building its item reads first, one step at a time:
/// records lie far apart in memory and each item reads its record, then the record's strings
/// and its key's slot in the name table. Item by item, that was a chain of cache misses per
/// item, half of building the 50 items while typing (issue 11); step by step, the reads of a
/// step are independent across works, so their misses overlap. Changes no answer.
fn warm(corpus: &Corpus, ids: &[RecordId]) {
    let mut read = 0usize;
    for &id in ids {
        let record = corpus.record(id);
        read = read.wrapping_add(record.authors.len()).wrapping_add(record.title.as_ref().map_or(0, |t| t.value.len()));
    }
    for &id in ids {
        let record = corpus.record(id);
        let title = record.title().and_then(|t| t.as_bytes().first().copied());
        let family = record.authors.first().map_or(0, |a| a.value.family().len());
        read = read.wrapping_add(usize::from(title.unwrap_or(0))).wrapping_add(family);
    }
    std::hint::black_box(read);
    corpus.index.warm(ids.iter().map(|&id| corpus.key(id)));
}

/// The works a query names, best first, at most `limit`, and whether more matched: the one
/// ranking of completion and workspace symbols. Words match keys, family names, years, title
/// words and DOIs as prefixes (`doi:` is dropped), ranked by the index with `cited` works
/// preferred; when none does, a fuzzy match over keys catches typos. An empty query lists the
/// cited works first, then the corpus's documents (saved pages), then the rest, each group
/// newest first.
pub fn search(corpus: &Corpus, cited: &CitedWorks, typed: &str, limit: usize) -> (Vec<RecordId>, bool) {
    let query = typed.strip_prefix("doi:").unwrap_or(typed);
    if query.trim().is_empty() {
        let group = |id: RecordId| (!cited.contains(id), corpus.record(id).kind != RecordKind::Document);
        let order = |a: &RecordId, b: &RecordId| group(*a).cmp(&group(*b)).then(corpus.index.tie_order(*a, *b));
        let mut ids: Vec<RecordId> = (0..corpus.records.len() as u32).map(RecordId).collect();
        let incomplete = ids.len() > limit;
        if incomplete {
            ids.select_nth_unstable_by(limit, order);
            ids.truncate(limit);
        }
        ids.sort_unstable_by(order);
        return (ids, incomplete);
    }
    let (hits, more) = corpus.index.search(query, limit, &|id| cited.contains(id));
    // Typos are in keys, and a key is one word: several words that match nothing get no
    // fuzzy guesses.
    if hits.is_empty() && !query.trim().contains(char::is_whitespace) {
        fuzzy_keys(corpus, cited, query, limit)
    } else {
        (hits.into_iter().map(|h| h.record).collect(), more)
    }
}

/// The documentation of one completion item (`completionItem/resolve`): the hover of the work
/// its key names, or `None` when the key no longer names one work (the corpus was reloaded).
pub fn documentation(corpus: &Corpus, key: &str, link: Linker) -> Option<String> {
    match corpus.index.resolve(key) {
        Resolution::One(id) => Some(record_markdown(corpus, id, link)),
        _ => None,
    }
}

/// In `[@2023 health` the bracket is still open, so several words typed after the `@` are one
/// query, as in LaTeX. Only inside an open `[…`: a bare `@key ` in running text ended at the
/// space. And not after a key that resolves: in `[@smith2020 p. 3` the words are a locator.
fn markdown_words(
    corpus: &Corpus,
    query: &manuscript::ProseQuery<'_>,
    dialect: Dialect,
    text: &str,
    offset: usize,
) -> Option<manuscript::CompletionContext> {
    if dialect != Dialect::Markdown || !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let open = line_start + text[line_start..offset].rfind('[')?;
    let inside = &text[open + 1..offset];
    if inside.contains(']') {
        return None;
    }
    // The citation being typed starts after the last `;` (`[@a; @2023 health`).
    let segment_start = open + 1 + inside.rfind(';').map_or(0, |i| i + 1);
    let at = segment_start + text[segment_start..offset].find('@')?;
    if text[segment_start..at].chars().next_back().is_some_and(|c| !c.is_whitespace() && c != '-') {
        return None;
    }
    let words = &text[at + 1..offset];
    let first = words.split_whitespace().next()?;
    if words.starts_with(char::is_whitespace)
        || !words.contains(char::is_whitespace)
        || words.contains([',', '@'])
        || corpus.index.resolve(first) != Resolution::Unknown
        || starts_locator(words)
    {
        return None;
    }
    let mut context = manuscript::completion_context_at(query, at + 1)?;
    let end = offset + text[offset..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    context.range = at + 1..end;
    context.prefix = words.to_owned();
    Some(context)
}

/// `smith p. 3`, `smith chap 2`: after the first word, a locator term (pandoc's list, short
/// and long) ending with a period or followed by a number. The key may be unknown (a typo, a
/// work not yet in the corpus); the words after it are still a locator, not a query.
fn starts_locator(words: &str) -> bool {
    const TERMS: &[&str] = &[
        "p",
        "pp",
        "page",
        "pages",
        "chap",
        "chaps",
        "chapter",
        "chapters",
        "sec",
        "secs",
        "section",
        "sections",
        "fig",
        "figs",
        "figure",
        "figures",
        "vol",
        "vols",
        "volume",
        "volumes",
        "para",
        "paras",
        "paragraph",
        "n",
        "nn",
        "no",
        "nos",
        "note",
        "notes",
        "l",
        "ll",
        "line",
        "lines",
        "col",
        "cols",
        "column",
        "bk",
        "book",
        "pt",
        "part",
        "op",
        "opus",
        "fol",
        "folio",
        "v",
        "vv",
        "verse",
        "s.v",
    ];
    let mut rest = words.split_whitespace().skip(1);
    let Some(term) = rest.next() else { return false };
    let bare = term.trim_end_matches('.').to_lowercase();
    TERMS.contains(&bare.as_str())
        && (term.ends_with('.') || rest.next().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit())))
}

/// In `\cite{2023 health` the key list is inside braces, so several words typed there are one
/// query: they let a researcher search by year and topic before any key exists.
fn latex_words(
    query: &manuscript::ProseQuery<'_>,
    dialect: Dialect,
    text: &str,
    offset: usize,
) -> Option<manuscript::CompletionContext> {
    if dialect != Dialect::Latex || !text.is_char_boundary(offset) {
        return None;
    }
    let open = text[..offset].rfind(['{', ','])?;
    let words = &text[open + 1..offset];
    if !words.trim().contains(' ') || words.contains(['}', '\n', '\\', '%']) {
        return None;
    }
    let mut context = manuscript::completion_context_at(query, open + 1)?;
    let start = open + 1 + (words.len() - words.trim_start().len());
    let end = offset + text[offset..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    context.range = start..end;
    context.prefix = text[start..offset].to_owned();
    Some(context)
}

/// Typo-tolerant fallback over every key, used only when no word matched as a prefix.
fn fuzzy_keys(corpus: &Corpus, cited: &CitedWorks, query: &str, limit: usize) -> (Vec<RecordId>, bool) {
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
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0).then(cited.contains(b.1).cmp(&cited.contains(a.1))).then(corpus.index.tie_order(a.1, b.1))
    });
    let more = scored.len() > limit;
    (scored.into_iter().take(limit).map(|(_, id)| id).collect(), more)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    /// Completion at the cursor, in a workspace whose one manuscript is the fixture's. The
    /// answer is the same whether the text's scan is at hand (as after a diagnostics pass)
    /// or completion scans it.
    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let text = &f.manuscript.text;
        let mut cited = CitedWorks::default();
        cited.add_manuscript(&f.corpus, &f.manuscript);
        let found = completion(&f.corpus, &cited, f.manuscript.dialect, text, None, f.cursor, 5);
        let with_scan = completion(&f.corpus, &cited, f.manuscript.dialect, text, Some(&f.manuscript), f.cursor, 5);
        assert_eq!(found, with_scan, "with the manuscript's scan");
        let actual = match found {
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
            "replace \"ikhile\"\nikhile2023virtuous | Ikhile et al. (2023)",
        );
        check(
            "//- /review.md\nAs argued [@virtuous<|>]\n",
            "replace \"virtuous\"\nikhile2023virtuous | Ikhile et al. (2023)",
        );
        check(
            "//- /review.tex\nAs argued \\cite{2023 health<|>}\n",
            "replace \"2023 health\"\ntapping2023power | (2023)\nikhile2023virtuous | Ikhile et al. (2023)",
        );
    }

    #[test]
    fn by_doi() {
        check(
            "//- /review.md\nSee [@doi:10.1111/hex.138<|>]\n",
            "replace \"doi:10.1111/hex.138\"\ndoi:10.1111/hex.13851 | Ikhile et al. (2023)",
        );
    }

    #[test]
    fn typo_falls_back_to_fuzzy_keys() {
        check(
            "//- /review.md\nSee [@ikhle<|>]\n",
            "replace \"ikhle\"\nikhile2023virtuous | Ikhile et al. (2023)\nbuckley2022multistakeholder | Buckley et al. (2022)",
        );
    }

    #[test]
    fn second_key_and_bare_at() {
        check(
            "//- /review.md\nSee [@ikhile2023virtuous; @hick<|>]\n",
            "replace \"hick\"\nhickey2018guidance | Hickey et al. (2018)\nhickey2018potential | Hickey (2018)",
        );
        check(
            "//- /review.md\nSee [@<|>]\n",
            "replace \"\" (incomplete)\nikhile2023virtuous | Ikhile et al. (2023)\ntapping2023power | (2023)\nbuckley2022multistakeholder | Buckley et al. (2022)\ncoproduction2015experts | (2015)\ndoc-002_6155a9b287510640 | (n.d.)",
        );
        // Nothing typed yet: the works this manuscript already cites come first.
        check(
            "//- /review.md\nAs [@coproduction2015experts] shows.\nSee [@<|>]\n",
            "replace \"\" (incomplete)\ncoproduction2015experts | (2015)\nikhile2023virtuous | Ikhile et al. (2023)\ntapping2023power | (2023)\nbuckley2022multistakeholder | Buckley et al. (2022)\ndoc-002_6155a9b287510640 | (n.d.)",
        );
    }

    #[test]
    fn several_words_inside_an_open_markdown_bracket() {
        check(
            "//- /review.md\nAs argued [@2023 health<|>\n",
            "replace \"2023 health\"\ntapping2023power | (2023)\nikhile2023virtuous | Ikhile et al. (2023)",
        );
        check(
            "//- /review.md\nAs argued [see @hickey2018potential; -@2023 virt<|>uous]\n",
            "replace \"2023 virtuous\"\nikhile2023virtuous | Ikhile et al. (2023)",
        );
        // The citation ended at the space: running text, or a locator after a known key.
        check("//- /review.md\nAs @2023 health<|> says\n", "(no completion)");
        check("//- /review.md\nAs argued [@ikhile2023virtuous chap<|>\n", "(no completion)");
        check("//- /review.md\nAs argued [@nobody2020 p. 3<|>\n", "(no completion)");
        check("//- /review.md\nAs argued [@nobody2020 chap 2<|>\n", "(no completion)");
        check("//- /review.md\nAs argued [@2023 nothingmatches<|>\n", "replace \"2023 nothingmatches\"");
        check("//- /review.md\nAs [argued] @2023 health<|>\n", "(no completion)");
        check("//- /review.md\nAs `[@2023 health<|>`\n", "(no completion)");
    }

    #[test]
    fn ambiguous_keys_are_offered_by_their_unique_names() {
        let fixture = "//- /a.bib\n@article{smith2020, title={Effects of testing}, doi={10.1000/a}}\n\
                       //- /b.bib\n@article{smith2020, title={Effects of tests}, year={2020}}\n\
                       //- /review.md\nSee [@smith<|>]\n";
        check(fixture, "replace \"smith\"\ndoi:10.1000/a | (n.d.)");
    }

    #[test]
    fn documentation_is_the_hover_of_the_work() {
        let f = Fixture::parse("//- /review.md\nSee [@ikhile<|>]\n");
        let found =
            completion(&f.corpus, &CitedWorks::default(), f.manuscript.dialect, &f.manuscript.text, None, f.cursor, 5)
                .unwrap();
        let doc = documentation(&f.corpus, &found.items[0].key, &|_| None).unwrap();
        assert!(doc.starts_with("**A virtuous cycle of co-production"), "{doc}");
        assert_eq!(documentation(&f.corpus, "nobody2020", &|_| None), None);
    }

    /// Park is the first author of two works, a co-author of two, and a prefix of Parkinson.
    const PARKS: &str = "//- /refs.bib
@article{chen2018park, author={Chen, Li and Park, Min}, title={Walking in city parks}, year={2018}}
@article{lee2021tides, author={Lee, Ana and Park, Min}, title={Tides}, year={2021}}
@article{park2019reefs, author={Park, Min}, title={Reefs}, year={2019}}
@article{parkinson2020, author={Parkinson, Jo}, title={Gait}, year={2020}}
@article{park2019reefsb, author={Park, Min}, title={Reefs again}, year={2019}}
";

    #[test]
    fn a_key_prefix_beats_a_co_authors_name_and_a_whole_word_beats_a_prefix() {
        // Both Park keys and Parkinson's start with `park`; Park's own work matches it whole.
        // Lee and Chen only have Park as a co-author, however recent.
        check(
            &format!("{PARKS}//- /review.md\nSee [@park<|>]\n"),
            "replace \"park\"\npark2019reefs | Park (2019)\npark2019reefsb | Park (2019)\nparkinson2020 | Parkinson (2020)\nlee2021tides | Lee et al. (2021)\nchen2018park | Chen et al. (2018)",
        );
    }

    #[test]
    fn the_first_author_beats_co_authors() {
        let fixture = "//- /refs.bib
@article{ref1, author={Osei, Kofi and Tanaka, Yui}, title={Later work}, year={2022}}
@article{ref2, author={Tanaka, Yui}, title={Earlier work}, year={2015}}
//- /review.tex
As shown \\cite{tanak<|>}
";
        check(fixture, "replace \"tanak\"\nref2 | Tanaka (2015)\nref1 | Osei et al. (2022)");
    }

    #[test]
    fn works_already_cited_come_first_among_equal_matches() {
        // Alone, the newer Parkinson comes first among the keys starting with `par`.
        check(
            &format!("{PARKS}//- /review.md\nSee [@par<|>]\n"),
            "replace \"par\"\nparkinson2020 | Parkinson (2020)\npark2019reefs | Park (2019)\npark2019reefsb | Park (2019)\nlee2021tides | Lee et al. (2021)\nchen2018park | Chen et al. (2018)",
        );
        // Cited once already, the second Park work leads. A cited co-author's work still
        // stays below the keys that start with what was typed.
        check(
            &format!("{PARKS}//- /review.md\nAs [@park2019reefsb; @chen2018park].\nSee [@par<|>]\n"),
            "replace \"par\"\npark2019reefsb | Park (2019)\nparkinson2020 | Parkinson (2020)\npark2019reefs | Park (2019)\nchen2018park | Chen et al. (2018)\nlee2021tides | Lee et al. (2021)",
        );
    }

    #[test]
    fn the_whole_key_comes_first_even_over_a_cited_work() {
        check(
            &format!("{PARKS}//- /review.md\nAs [@park2019reefsb].\nSee [@park2019reefs<|>]\n"),
            "replace \"park2019reefs\"\npark2019reefs | Park (2019)\npark2019reefsb | Park (2019)",
        );
    }

    #[test]
    fn ties_go_to_the_newer_work_then_the_key_whatever_the_file_order() {
        let fixture = "//- /a.bib
@article{ito2001b, author={Ito, Ken}, title={One}, year={2001}}
@article{ito2001a, author={Ito, Ken}, title={Two}, year={2001}}
//- /b.bib
@article{ito1999, author={Ito, Ken}, title={Three}, year={1999}}
@article{itonodate, author={Ito, Ken}, title={Four}}
@article{ito2010, author={Ito, Ken}, title={Five}, year={2010}}
//- /review.md
See [@ito<|>]
";
        check(
            fixture,
            "replace \"ito\"\nito2010 | Ito (2010)\nito2001a | Ito (2001)\nito2001b | Ito (2001)\nito1999 | Ito (1999)\nitonodate | Ito (n.d.)",
        );
    }

    #[test]
    fn cited_works_of_a_workspace_go_through_aliases_and_skip_ambiguous_keys() {
        use super::super::fixture::WorkspaceFixture;
        let f = WorkspaceFixture::parse(
            "//- /refs.bib
@article{ito2010, author={Ito, Ken}, title={Five}, year={2010}, doi={10.1000/five}}
@article{ito1999, author={Ito, Ken}, title={Three}, year={1999}}
@article{same, title={One}}
//- /other.bib
@article{same, title={Two}}
//- /content/01.intro.md
As [@tag:five] and [@same] and [@nobody] show.
//- /content/90.back.md
[@tag:five]: doi:10.1000/five
",
        );
        let cited = CitedWorks::of_workspace(&f.corpus, &Workspace::new(f.manuscripts.iter()));
        let keys: Vec<&str> = (0..f.corpus.records.len() as u32)
            .map(RecordId)
            .filter(|&id| cited.contains(id))
            .map(|id| f.corpus.key(id))
            .collect();
        assert_eq!(keys, ["ito2010"]);
    }

    #[test]
    fn nothing_outside_citations() {
        check("//- /review.md\nWrite to jane<|>\n", "(no completion)");
        check("//- /review.tex\n\\section{Intro<|>}\n", "(no completion)");
    }
}
