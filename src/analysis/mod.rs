//! The features, as pure functions over a corpus, a manuscript's text and byte offsets.
//!
//! Nothing here knows about LSP, URIs or UTF-16: the `lsp` layer converts positions to byte
//! offsets before calling in and converts results back (rust-analyzer's `ide` invariant). The
//! CLI calls the same functions. Each feature has its own module and its own `check` test
//! helper; they share the citation lookup and the reference formatting below.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod document_symbols;
pub mod hover;
pub mod inlay_hint;
pub mod prose_citations;
pub mod references;
pub mod rename;
pub mod semantic_tokens;
pub mod workspace_symbols;

#[cfg(test)]
mod fixture;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::corpus::{Corpus, Record, RecordId, Resolution};
use crate::manuscript::{self, Citation, Dialect, ProseCitation};

/// An open manuscript as analysis sees it: one version of its text and its citations,
/// scanned once per version and shared by every request on that version.
#[derive(Clone)]
pub struct Manuscript {
    pub dialect: Dialect,
    pub text: Arc<str>,
    pub citations: Arc<Vec<Citation>>,
    /// Manubot citation aliases, alias to target (`tag:x` to `doi:10.1000/xyz`): those the
    /// text defines, and those of the manuscript's other files when the caller knows them.
    pub aliases: Arc<HashMap<String, String>>,
    /// Author–year citations written as prose (`Buckley et al. (2022)`), found in the same
    /// pass as the citations.
    prose: Arc<Vec<ProseCitation>>,
    regions: Arc<manuscript::Regions>,
}

impl Manuscript {
    pub fn new(dialect: Dialect, text: Arc<str>) -> Manuscript {
        Manuscript::with_commands(dialect, text, &[])
    }

    /// Like [`Manuscript::new`], with LaTeX citation commands that the manuscript's other
    /// files define (a preamble's `\newcommand{\citeposs}…` used in a chapter).
    pub fn with_commands(dialect: Dialect, text: Arc<str>, latex_commands: &[String]) -> Manuscript {
        Manuscript::with_commands_reusing(dialect, text, latex_commands, None)
    }

    /// [`Manuscript::with_commands`], taking the dialect scan a completion of this very text
    /// made instead of scanning again, where it can (see [`manuscript::scan_manuscript_reusing`]).
    pub fn with_commands_reusing(
        dialect: Dialect,
        text: Arc<str>,
        latex_commands: &[String],
        made: Option<manuscript::DialectScan>,
    ) -> Manuscript {
        let scan = manuscript::scan_manuscript_reusing(dialect, &text, latex_commands, made);
        let aliases = scan.aliases.into_iter().map(|a| (a.key, a.target)).collect();
        Manuscript {
            dialect,
            text,
            citations: Arc::new(scan.citations),
            aliases: Arc::new(aliases),
            prose: Arc::new(scan.prose),
            regions: Arc::new(scan.regions),
        }
    }

    /// The malformed DOIs of the text outside code and comments (see
    /// [`manuscript::scan_with_problems`]), from the stretches the scan found verbatim.
    pub fn malformed_dois(&self) -> Vec<manuscript::MalformedDoi> {
        self.regions.malformed_dois(&self.text)
    }

    /// This scan as an earlier version's, for completion in later versions of the text (see
    /// [`manuscript::EarlierScan`]).
    pub fn earlier_scan(&self) -> manuscript::EarlierScan {
        manuscript::EarlierScan {
            text: Arc::clone(&self.text),
            citations: Arc::clone(&self.citations),
            regions: Arc::clone(&self.regions),
        }
    }

    /// Where no citation starts in this manuscript's text, when `text` is that very text (the
    /// same allocation, so never a later version's): what completion asks of a scan.
    pub fn regions_of(&self, text: &str) -> Option<&manuscript::Regions> {
        std::ptr::eq(self.text.as_ptr(), text.as_ptr())
            .then_some(&*self.regions)
            .filter(|_| self.text.len() == text.len())
    }

    /// Adds aliases defined elsewhere (Manubot defines them in one file, `90.back-matter.md`,
    /// for all the others); the manuscript's own definitions win.
    pub fn with_aliases(mut self, others: &HashMap<String, String>) -> Manuscript {
        let mut aliases = (*self.aliases).clone();
        for (key, target) in others {
            aliases.entry(key.clone()).or_insert_with(|| target.clone());
        }
        self.aliases = Arc::new(aliases);
        self
    }

    /// The name a citation key is looked up by in the corpus: an alias's target, and
    /// Manubot's spellings of identifiers in the corpus's (`pubmed:` is `pmid:`, `pmc:` is
    /// `pmcid:`, `%2F` in a DOI is `/`).
    pub fn lookup_name<'k>(&self, key: &'k str) -> Cow<'k, str> {
        let name = match self.aliases.get(key) {
            Some(target) => Cow::Owned(target.clone()),
            None => Cow::Borrowed(key),
        };
        identifier_name(name)
    }

    /// What a citation key resolves to, through aliases and identifier spellings.
    pub fn resolve<'a>(&self, corpus: &'a Corpus, key: &str) -> Resolution<'a> {
        corpus.index.resolve(&self.lookup_name(key))
    }

    /// The author–year citations written as prose (`Buckley et al. (2022)`), in order.
    pub fn prose_citations(&self) -> &[ProseCitation] {
        &self.prose
    }

    /// The citation whose key covers `offset` (the end of a key counts, so a cursor right
    /// after `@smith2020` still finds it).
    pub fn citation_at(&self, offset: usize) -> Option<&Citation> {
        let i = self.citations.partition_point(|c| c.range.end < offset);
        self.citations.get(i).filter(|c| c.range.start <= offset && offset <= c.range.end)
    }
}

/// A Manubot identifier key in the spelling the corpus indexes. Manubot also reads a key
/// that is a bare DOI (`@10.5281/zenodo.1`) as `doi:`.
fn identifier_name(name: Cow<'_, str>) -> Cow<'_, str> {
    if name.starts_with("10.") && name.contains('/') {
        return Cow::Owned(format!("doi:{name}"));
    }
    let Some((prefix, value)) = name.split_once(':') else { return name };
    let renamed = match prefix.to_ascii_lowercase().as_str() {
        "pubmed" | "pmid" => Some("pmid"),
        "pmc" | "pmcid" => Some("pmcid"),
        "doi" if value.contains('%') => Some("doi"),
        _ => None,
    };
    match renamed {
        Some("doi") => Cow::Owned(format!("doi:{}", value.replace("%2F", "/").replace("%2f", "/"))),
        Some(corpus_prefix) if corpus_prefix != prefix => Cow::Owned(format!("{corpus_prefix}:{value}")),
        _ => name,
    }
}

/// The kind of identifier a Manubot key names (`DOI` for `doi:10.…`, `arXiv` for
/// `arxiv:1805.12152`), or `None` for a citation key.
pub fn identifier_kind(name: &str) -> Option<&'static str> {
    let (prefix, value) = name.split_once(':')?;
    if value.is_empty() {
        return None;
    }
    Some(match prefix.to_ascii_lowercase().as_str() {
        "doi" => "DOI",
        "arxiv" => "arXiv",
        "pubmed" | "pmid" => "PubMed",
        "pmc" | "pmcid" => "PMC",
        "isbn" => "ISBN",
        "url" | "http" | "https" => "URL",
        "wikidata" => "Wikidata",
        _ => return None,
    })
}

/// What a citation's key resolves to, with the name normalised for DOIs.
pub fn resolve<'a>(corpus: &'a Corpus, key: &str) -> Resolution<'a> {
    corpus.index.resolve(key)
}

/// `Buckley, B. J. R., Newton, J. et al.` style author list for hovers and details.
pub fn authors_short(record: &Record) -> Option<String> {
    let mut short = String::new();
    push_authors_short(record, &mut short).then_some(short)
}

/// [`authors_short`] written at the end of `out`; false (and nothing written) without authors.
pub fn push_authors_short(record: &Record, out: &mut String) -> bool {
    let Some(first) = record.authors.first() else { return false };
    out.push_str(first.value.family());
    if record.authors.len() > 1 || record.et_al {
        out.push_str(" et al.");
    }
    true
}

/// One line naming a work: `Ikhile et al. (2023) A virtuous cycle of co-production…`.
pub fn one_line(record: &Record) -> String {
    let mut res = String::new();
    if let Some(authors) = authors_short(record) {
        res.push_str(&authors);
        res.push(' ');
    }
    if let Some(year) = record.year() {
        res.push_str(&format!("({year}) "));
    }
    res.push_str(record.title().unwrap_or("(untitled)"));
    res
}

/// Keys close to an unknown one, for "did you mean": keys sharing its first two thirds, else
/// its first six, four, three or two letters, ranked by edit distance. Looking only at a sorted slice of keys keeps
/// this fast on 100,000 records, at the price of missing typos in the first two letters.
/// The answer is kept with the corpus, so a manuscript that keeps citing an unknown key pays
/// for its suggestions once, not at every keystroke.
pub fn did_you_mean(corpus: &Corpus, unknown: &str, limit: usize) -> Vec<RecordId> {
    corpus.memo.suggestions(unknown, limit, || close_keys(corpus, unknown, limit)).to_vec()
}

fn close_keys(corpus: &Corpus, unknown: &str, limit: usize) -> Vec<RecordId> {
    let lower = unknown.to_lowercase();
    let max_distance = 2 + lower.chars().count() / 4;
    // Typos are mostly late in a key: long shared prefixes are tried first, so keys such as
    // `doc-000123_…` that share a short prefix with thousands of others stay cheap.
    let long = (lower.chars().count() * 2 / 3).max(7);
    for prefix_len in [long, 6, 4, 3, 2] {
        let prefix: String = lower.chars().take(prefix_len).collect();
        if prefix.chars().count() < prefix_len {
            continue;
        }
        let mut scored: Vec<(usize, RecordId)> = corpus
            .index
            .keys_with_prefix(&prefix, 2_000)
            .filter_map(|(key, id)| Some((levenshtein_within(&lower, key, max_distance)?, id)))
            .collect();
        if !scored.is_empty() {
            scored.sort();
            return scored.into_iter().take(limit).map(|(_, id)| id).collect();
        }
    }
    Vec::new()
}

/// Edit distance between `a` and `b`, or `None` when it exceeds `max`. Only the diagonal
/// band of width `2 * max + 1` is computed, and the loop stops once a whole row exceeds
/// `max`, so thousands of candidates cost little.
fn levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let big = max + 1;
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(big)).collect();
    for i in 1..=a.len() {
        let mut current = vec![big; b.len() + 1];
        current[0] = i.min(big);
        let low = i.saturating_sub(max).max(1);
        let high = (i + max).min(b.len());
        let mut row_min = current[0];
        for j in low..=high {
            let substitution = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            current[j] = substitution.min(prev[j] + 1).min(current[j - 1] + 1).min(big);
            row_min = row_min.min(current[j]);
        }
        if row_min > max {
            return None;
        }
        prev = current;
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::levenshtein_within;

    #[test]
    fn banded_edit_distance() {
        assert_eq!(levenshtein_within("ikhile2023virtous", "ikhile2023virtuous", 2), Some(1));
        assert_eq!(levenshtein_within("kitten", "sitting", 3), Some(3));
        assert_eq!(levenshtein_within("kitten", "sitting", 2), None);
        assert_eq!(levenshtein_within("", "ab", 2), Some(2));
        assert_eq!(levenshtein_within("abcdef", "abcdef", 0), Some(0));
        assert_eq!(levenshtein_within("smith2020", "smyth2021", 2), Some(2));
    }
}
