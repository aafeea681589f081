//! The lookup index: exact lookup by key, DOI, PMID and PMCID, and ranked search over the
//! words of records (family names, title words, year, container, keywords, abstract).
//!
//! Search serves completion and workspace symbols on every keystroke, so it is built for
//! 100,000 records: terms sit in one sorted vector (a prefix query is two binary searches),
//! postings are compact (`u32` record, a field mask: `u16` for names, where the first author
//! needs a bit of its own, `u8` for the large lists). Names (key, family names, year, DOI)
//! are always searched, title words from the second letter typed, and the words of the large
//! fields (abstract, container, keywords) from the third, where their postings are short.
//!
//! The ranking, in this order: where each word matched (a key prefix above any name, the
//! first author above co-authors, names above title words above the large fields) and
//! whether it matched a whole word or key; then a bonus for the works the caller prefers
//! (completion: those the workspace already cites), smaller than the gap between a key prefix
//! and a co-author's name; ties go to the newer work, then to the key in alphabetical order,
//! so the order does not depend on which file a work was read from.

use std::sync::{Arc, OnceLock};

use super::FastMap;
use super::key::fold;
use super::record::{Record, RecordId};

/// Which fields a term was found in, as bits. Title and the large fields fit in a byte, the
/// lists that hold only them store bytes.
pub mod fields {
    pub const KEY: u16 = 1;
    /// Any author's family name, the first one's included.
    pub const FAMILY: u16 = 2;
    pub const TITLE: u16 = 4;
    pub const YEAR: u16 = 8;
    pub const DOI: u16 = 16;
    pub const CONTAINER: u16 = 32;
    pub const KEYWORD: u16 = 64;
    pub const ABSTRACT: u16 = 128;
    /// The first author's family name.
    pub const FIRST_AUTHOR: u16 = 256;
}

/// Added to the score of a work the caller prefers: less than a key prefix (32) exceeds a
/// co-author's whole name (18), so a cited co-author's work never outranks the typed key.
const PREFERRED_BONUS: u32 = 8;

/// Words too common to help find a work.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "on", "in", "for", "to", "with", "from", "by", "at", "as", "is", "are", "was",
    "were", "be", "been", "that", "this", "these", "those", "it", "its", "we", "our", "their", "which", "not", "but",
];

/// How one query word matched one record, packed in a `u32` so the map of a word's matches
/// becomes the map of scores in place: the best field's score, and whether any field held
/// the word whole (the low bit), which puts `park` in Park's work above Parkinson's when both
/// keys start with it.
mod word_match {
    pub fn add(packed: &mut u32, score: u32, exact: bool) {
        *packed = ((*packed >> 1).max(score) << 1) | (*packed & 1) | u32::from(exact);
    }

    pub fn score(packed: u32) -> u32 {
        (packed >> 1) + (packed & 1)
    }
}

/// A field mask as a posting stores it.
trait Mask: Copy + Default + std::ops::BitOrAssign + Into<u16> {}
impl Mask for u8 {}
impl Mask for u16 {}

type Postings<F> = FastMap<String, Vec<(u32, F)>>;

struct TermList<F> {
    terms: Vec<Box<str>>,
    /// `starts[i]..starts[i + 1]` are term i's postings.
    starts: Vec<u32>,
    records: Vec<u32>,
    fields: Vec<F>,
}

impl<F> Default for TermList<F> {
    fn default() -> Self {
        TermList { terms: Vec::new(), starts: Vec::new(), records: Vec::new(), fields: Vec::new() }
    }
}

impl<F: Mask> TermList<F> {
    fn build(map: Postings<F>) -> TermList<F> {
        // The map's entries are moved out and sorted by term (terms are unique, so the order
        // is deterministic): copying every term and looking each up again cost an allocation
        // and a hash per term.
        let mut entries: Vec<(String, Vec<(u32, F)>)> = map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let postings_count = entries.iter().map(|(_, p)| p.len()).sum();
        let mut res = TermList {
            terms: Vec::with_capacity(entries.len()),
            starts: Vec::with_capacity(entries.len() + 1),
            records: Vec::with_capacity(postings_count),
            fields: Vec::with_capacity(postings_count),
        };
        for (term, postings) in entries {
            res.starts.push(res.records.len() as u32);
            for (record, field) in postings {
                res.records.push(record);
                res.fields.push(field);
            }
            res.terms.push(term.into_boxed_str());
        }
        res.starts.push(res.records.len() as u32);
        res
    }

    /// Indices of the terms starting with `prefix`.
    fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.terms.partition_point(|t| &**t < prefix);
        let end = start + self.terms[start..].partition_point(|t| t.starts_with(prefix));
        start..end
    }

    fn postings(&self, term: usize) -> impl Iterator<Item = (u32, u16)> + '_ {
        let range = self.starts[term] as usize..self.starts[term + 1] as usize;
        self.records[range.clone()].iter().copied().zip(self.fields[range].iter().map(|&f| f.into()))
    }

    /// Each record's best match for one query word over this list's terms starting with it.
    fn score_word(&self, word: &str, matches: &mut FastMap<u32, u32>) {
        for term in self.prefix_range(word) {
            let exact = *self.terms[term] == *word;
            for (record, field_bits) in self.postings(term) {
                let score = weight(field_bits) * if exact { 3 } else { 2 };
                word_match::add(matches.entry(record).or_default(), score, exact);
            }
        }
    }
}

/// Lookup tables and the search index of a corpus, built in two stages (see
/// [`Index::build_names`]): the name table first, which is all that hover, definition and
/// the unknown-key diagnostics need, then the search terms, which only completion, workspace
/// symbols and prose citations use.
#[derive(Default)]
pub struct Index {
    /// Every name a record answers to: its key, collision-suffixed keys, `doi:…`, `pmid:…`,
    /// `pmcid:…`. A name with several records is ambiguous.
    names: FastMap<String, Named>,
    /// The second stage: set once, by [`Index::build_search`], for the same records and keys.
    search: OnceLock<Search>,
}

/// The records one name resolves to. Nearly every name has one record, held inline: a
/// one-element list per name was 200,000 allocations at start-up for 100,000 entries.
enum Named {
    One(RecordId),
    Many(Vec<RecordId>),
}

impl Named {
    fn as_slice(&self) -> &[RecordId] {
        match self {
            Named::One(id) => std::slice::from_ref(id),
            Named::Many(ids) => ids,
        }
    }
}

/// The search part of the index: everything a ranked or prefix query reads.
#[derive(Default)]
struct Search {
    /// Citation keys in lower case, sorted, for "did you mean" over keys sharing a prefix.
    sorted_keys: Vec<(Box<str>, RecordId)>,
    primary: TermList<u16>,
    /// Title words: searched for query words of two letters or more.
    titles: TermList<u8>,
    secondary: TermList<u8>,
    /// `tie_rank[i]`: record i's place among all records by year (newest first, undated
    /// last), then key: the order of equally scored hits.
    tie_rank: Vec<u32>,
}

/// One search result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub record: RecordId,
    pub score: u32,
}

/// What a name resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution<'a> {
    Unknown,
    One(RecordId),
    Ambiguous(&'a [RecordId]),
}

fn add_words<F: Mask>(map: &mut Postings<F>, record: u32, text: &str, field: F) {
    for_each_search_word(text, |word| add_term_str(map, record, word, field));
}

/// Calls `each` with every word of `text` as the index stores it: split at anything not a
/// letter or digit, lower-cased (ASCII) or folded, stop words left out. Public for the on-disk
/// index prototype (`benches/million.rs`), which must index words the same way.
pub fn for_each_search_word(text: &str, mut each: impl FnMut(&str)) {
    let mut folded = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        // ASCII words (nearly all) are lower-cased into a reused buffer; others are folded.
        folded.clear();
        if word.is_ascii() {
            folded.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            folded.push_str(&fold(word));
        }
        if folded.is_empty() || STOP_WORDS.contains(&folded.as_str()) {
            continue;
        }
        each(&folded);
    }
}

fn add_term<F: Mask>(map: &mut Postings<F>, record: u32, term: String, field: F) {
    add_term_str(map, record, &term, field);
}

/// Adds a posting, allocating the term only the first time it is seen.
fn add_term_str<F: Mask>(map: &mut Postings<F>, record: u32, term: &str, field: F) {
    let postings = match map.get_mut(term) {
        Some(postings) => postings,
        None => map.entry(term.to_owned()).or_default(),
    };
    match postings.last_mut() {
        Some((last, fields)) if *last == record => *fields |= field,
        _ => postings.push((record, field)),
    }
}

impl Index {
    /// Builds the whole index. `keys[i]` is the list of names record `i` answers to.
    pub fn build(records: &[Arc<Record>], keys: &[Vec<String>]) -> Index {
        let (index, search) = rayon::join(|| Index::build_names(keys), || Search::build(records, keys));
        let _ = index.search.set(search);
        index
    }

    /// The first stage: the name table alone, without the search terms. [`Index::resolve`]
    /// answers at once; anything that searches waits until [`Index::build_search`] is done
    /// (for a 100,000-entry corpus the terms take several times as long as the names).
    pub fn build_names(keys: &[Vec<String>]) -> Index {
        Index { names: name_table(keys), search: OnceLock::new() }
    }

    /// The second stage, for the records and keys the names were built from (callers go
    /// through `Corpus::build_search`). Does nothing when the terms are there; when another
    /// thread is building them, waits for it. A panic while building leaves an empty search
    /// (logged): waiting forever would hang every completion.
    pub(super) fn build_search(&self, records: &[Arc<Record>], keys: &[Vec<String>]) {
        self.search.get_or_init(|| {
            let started = std::time::Instant::now();
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Search::build(records, keys)));
            tracing::debug!("search index of {} records in {:?}", records.len(), started.elapsed());
            built.unwrap_or_else(|_| {
                tracing::error!("building the search index failed; completion will find nothing");
                Search::default()
            })
        });
    }

    /// Whether the search terms are built, so searching will not wait.
    pub fn search_ready(&self) -> bool {
        self.search.get().is_some()
    }

    /// Blocks until the search terms are built (see [`Index::build_names`]).
    pub fn wait_search(&self) {
        self.search.wait();
    }

    fn terms(&self) -> &Search {
        self.search.wait()
    }

    /// Records whose key starts with `prefix` (lower case), at most `limit` of them.
    pub fn keys_with_prefix(&self, prefix: &str, limit: usize) -> impl Iterator<Item = (&str, RecordId)> {
        let sorted_keys = &self.terms().sorted_keys;
        let start = sorted_keys.partition_point(|(k, _)| &**k < prefix);
        sorted_keys[start..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, id)| (&**k, *id))
    }

    /// Resolves a key or identifier (`smith2020`, `doi:10.1/x`, `pmid:123`, `pmcid:PMC1`).
    /// Keys are case-sensitive as in pandoc; DOIs are not.
    pub fn resolve(&self, name: &str) -> Resolution<'_> {
        let found = self.names.get(name).or_else(|| {
            let lower = name.to_lowercase();
            if lower.starts_with("doi:") { self.names.get(&lower) } else { None }
        });
        match found.map(Named::as_slice) {
            None | Some([]) => Resolution::Unknown,
            Some([one]) => Resolution::One(*one),
            Some(many) => Resolution::Ambiguous(many),
        }
    }

    /// Records with an author whose family name holds the word `word` (folded, whole word):
    /// the candidates for an author–year citation written as prose.
    pub fn with_family_word(&self, word: &str) -> impl Iterator<Item = RecordId> + '_ {
        let primary = &self.terms().primary;
        let term = primary.terms.binary_search_by(|t| (**t).cmp(word)).ok();
        term.into_iter()
            .flat_map(|t| primary.postings(t))
            .filter(|(_, field_bits)| field_bits & fields::FAMILY != 0)
            .map(|(record, _)| RecordId(record))
    }

    /// All names, for fuzzy fallbacks ("did you mean").
    pub fn names(&self) -> impl Iterator<Item = (&str, &[RecordId])> {
        self.names.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Ranked search. Every query word must match (as a prefix) some field of a record; the
    /// score weighs where it matched and whether the match was the whole word, plus a bonus
    /// when `preferred` holds for the record (see the module's ranking). Returns the best
    /// `limit` hits and whether more matched.
    pub fn search(&self, query: &str, limit: usize, preferred: &dyn Fn(RecordId) -> bool) -> (Vec<Hit>, bool) {
        let words: Vec<String> = query
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .map(|w| if w.starts_with("10.") { w.to_lowercase() } else { fold(w) })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return (Vec::new(), false);
        }
        let terms = self.terms();
        let mut scores: Option<FastMap<u32, u32>> = None;
        for word in &words {
            let mut these: FastMap<u32, u32> = FastMap::default();
            // A one-letter word would match most title words; it narrows by key, name, year
            // and DOI only, which keeps the first keystroke of a 100,000-record corpus fast.
            terms.primary.score_word(word, &mut these);
            if word.len() >= 2 {
                terms.titles.score_word(word, &mut these);
            }
            if word.len() >= 3 {
                terms.secondary.score_word(word, &mut these);
            }
            these.values_mut().for_each(|packed| *packed = word_match::score(*packed));
            scores = Some(match scores {
                None => these,
                Some(previous) => previous
                    .into_iter()
                    .filter_map(|(record, score)| these.get(&record).map(|s| (record, score + s)))
                    .collect(),
            });
        }
        let scores = scores.unwrap_or_default();
        let more = scores.len() > limit;
        // One integer per hit orders it (higher score, then its tie rank, unique per record),
        // so selecting the best of tens of thousands of matches compares integers only.
        let tie_rank = |record: u32| terms.tie_rank.get(record as usize).copied().unwrap_or(u32::MAX);
        let mut ranked: Vec<(u64, u32)> = scores
            .into_iter()
            .map(|(record, score)| {
                let score = score + if preferred(RecordId(record)) { PREFERRED_BONUS } else { 0 };
                ((u64::from(u32::MAX - score) << 32) | u64::from(tie_rank(record)), record)
            })
            .collect();
        if ranked.len() > limit {
            ranked.select_nth_unstable(limit);
            ranked.truncate(limit);
        }
        ranked.sort_unstable();
        let hits = ranked
            .into_iter()
            .map(|(order, record)| Hit { record: RecordId(record), score: u32::MAX - (order >> 32) as u32 })
            .collect();
        (hits, more)
    }
}

impl Index {
    /// The order of equally scored works: newer first, then by key (see `tie_ranks`).
    pub fn tie_order(&self, a: RecordId, b: RecordId) -> std::cmp::Ordering {
        let tie_rank = &self.terms().tie_rank;
        let rank = |id: RecordId| tie_rank.get(id.0 as usize).copied().unwrap_or(u32::MAX);
        rank(a).cmp(&rank(b)).then(a.cmp(&b))
    }
}

/// Each record's place by year, newest first (a researcher more often cites recent work, and
/// the order is one a reader can follow), undated works last, then by key, ignoring ASCII
/// case; compared in place, so building the order allocates no string.
fn tie_ranks(records: &[Arc<Record>], keys: &[Vec<String>]) -> Vec<u32> {
    let key = |i: u32| keys[i as usize].first().map_or("", String::as_str);
    let mut order: Vec<u32> = (0..records.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        let year = |i: u32| std::cmp::Reverse(records[i as usize].year());
        let folded = |i: u32| key(i).bytes().map(|b| b.to_ascii_lowercase());
        year(a).cmp(&year(b)).then_with(|| folded(a).cmp(folded(b))).then(a.cmp(&b))
    });
    let mut rank = vec![0; records.len()];
    for (place, i) in order.into_iter().enumerate() {
        rank[i as usize] = place as u32;
    }
    rank
}

impl Search {
    /// The terms, sorted keys and tie ranks, in parallel: the parts are independent, and the
    /// abstract words (secondary) are the largest.
    fn build(records: &[Arc<Record>], keys: &[Vec<String>]) -> Search {
        let ((sorted_keys, tie_rank), ((primary, titles), secondary)) = rayon::join(
            || (sorted_key_list(keys), tie_ranks(records, keys)),
            || {
                rayon::join(
                    || rayon::join(|| primary_terms(records, keys), || title_terms(records)),
                    || secondary_terms(records),
                )
            },
        );
        Search { sorted_keys, primary, titles, secondary, tie_rank }
    }
}

fn name_table(keys: &[Vec<String>]) -> FastMap<String, Named> {
    let count = keys.iter().map(Vec::len).sum();
    let mut names: FastMap<String, Named> = FastMap::with_capacity_and_hasher(count, Default::default());
    for (i, record_keys) in keys.iter().enumerate() {
        let id = RecordId(i as u32);
        for key in record_keys {
            let Some(named) = names.get_mut(key.as_str()) else {
                names.insert(key.clone(), Named::One(id));
                continue;
            };
            // Records come in order, so a repeat within one record is the last one pushed;
            // `contains` made a name shared by 100,000 nameless records quadratic.
            match named {
                Named::One(first) if *first != id => *named = Named::Many(vec![*first, id]),
                Named::Many(ids) if ids.last() != Some(&id) => ids.push(id),
                _ => {}
            }
        }
    }
    names
}

fn sorted_key_list(keys: &[Vec<String>]) -> Vec<(Box<str>, RecordId)> {
    let mut sorted: Vec<(Box<str>, RecordId)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((k.first()?.to_lowercase().into_boxed_str(), RecordId(i as u32))))
        .collect();
    sorted.sort_unstable();
    sorted
}

/// Key, family names, title words, year and DOI: searched for every query word.
fn primary_terms(records: &[Arc<Record>], keys: &[Vec<String>]) -> TermList<u16> {
    let mut primary: Postings<u16> = FastMap::default();
    for (i, (record, record_keys)) in records.iter().zip(keys).enumerate() {
        let id = i as u32;
        if let Some(key) = record_keys.first() {
            add_term(&mut primary, id, key.to_ascii_lowercase(), fields::KEY);
        }
        for (place, author) in record.authors.iter().enumerate() {
            let field = if place == 0 { fields::FAMILY | fields::FIRST_AUTHOR } else { fields::FAMILY };
            add_words(&mut primary, id, &author.value.family, field);
        }
        if let Some(year) = record.year() {
            add_term(&mut primary, id, year.to_string(), fields::YEAR);
        }
        if let Some(doi) = record.doi() {
            add_term(&mut primary, id, doi.as_str().to_owned(), fields::DOI);
        }
    }
    TermList::build(primary)
}

/// Title words.
fn title_terms(records: &[Arc<Record>]) -> TermList<u8> {
    let mut titles: Postings<u8> = FastMap::default();
    for (i, record) in records.iter().enumerate() {
        if let Some(title) = record.title() {
            add_words(&mut titles, i as u32, title, fields::TITLE as u8);
        }
    }
    TermList::build(titles)
}

/// Container, keywords and abstract: searched only for query words of three letters or more.
fn secondary_terms(records: &[Arc<Record>]) -> TermList<u8> {
    let mut secondary: Postings<u8> = FastMap::default();
    for (i, record) in records.iter().enumerate() {
        let id = i as u32;
        if let Some(container) = record.container() {
            add_words(&mut secondary, id, container, fields::CONTAINER as u8);
        }
        for keyword in &record.keywords {
            add_words(&mut secondary, id, &keyword.value, fields::KEYWORD as u8);
        }
        if let Some(text) = &record.abstract_text {
            add_words(&mut secondary, id, &text.value, fields::ABSTRACT as u8);
        }
    }
    TermList::build(secondary)
}

/// How much a match in each field counts; a whole-word match counts 3×, a prefix 2×. A key
/// prefix (32) beats the first author's whole name (30), which beats a co-author's (18).
/// Public for the on-disk index prototype (`benches/million.rs`), which scores the same way.
pub fn weight(field_bits: u16) -> u32 {
    let mut best = 0;
    for (bit, w) in [
        (fields::KEY, 16),
        (fields::FIRST_AUTHOR, 10),
        (fields::DOI, 10),
        (fields::FAMILY, 6),
        (fields::TITLE, 6),
        (fields::YEAR, 5),
        (fields::KEYWORD, 4),
        (fields::CONTAINER, 3),
        (fields::ABSTRACT, 1),
    ] {
        if field_bits & bit != 0 {
            best = best.max(w);
        }
    }
    best
}
