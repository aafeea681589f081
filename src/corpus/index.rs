//! The lookup index: exact lookup by key, DOI, PMID and PMCID, and ranked search over the
//! words of records (family names, title words, year, container, keywords, abstract).
//!
//! Search serves completion and workspace symbols on every keystroke, so it is built for
//! 100,000 records: terms sit in one sorted vector (a prefix query is two binary searches),
//! postings are compact (`u32` record, `u8` field mask). Names (key, family names, year, DOI)
//! are always searched, title words from the second letter typed, and the words of the large
//! fields (abstract, container, keywords) from the third, where their postings are short.

use std::collections::HashMap;
use std::sync::Arc;

use super::key::fold;
use super::record::{Record, RecordId};

/// Which fields a term was found in, as bits.
pub mod fields {
    pub const KEY: u8 = 1;
    pub const FAMILY: u8 = 2;
    pub const TITLE: u8 = 4;
    pub const YEAR: u8 = 8;
    pub const DOI: u8 = 16;
    pub const CONTAINER: u8 = 32;
    pub const KEYWORD: u8 = 64;
    pub const ABSTRACT: u8 = 128;
}

/// Words too common to help find a work.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "on", "in", "for", "to", "with", "from", "by", "at", "as", "is", "are", "was",
    "were", "be", "been", "that", "this", "these", "those", "it", "its", "we", "our", "their", "which", "not", "but",
];

#[derive(Default)]
struct TermList {
    terms: Vec<Box<str>>,
    /// `starts[i]..starts[i + 1]` are term i's postings.
    starts: Vec<u32>,
    records: Vec<u32>,
    fields: Vec<u8>,
}

impl TermList {
    fn build(mut map: HashMap<String, Vec<(u32, u8)>>) -> TermList {
        let mut terms: Vec<String> = map.keys().cloned().collect();
        terms.sort_unstable();
        let mut res = TermList::default();
        for term in terms {
            let postings = map.remove(&term).expect("present");
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

    fn postings(&self, term: usize) -> impl Iterator<Item = (u32, u8)> + '_ {
        let range = self.starts[term] as usize..self.starts[term + 1] as usize;
        self.records[range.clone()].iter().copied().zip(self.fields[range].iter().copied())
    }
}

/// Lookup tables and the search index of a corpus.
#[derive(Default)]
pub struct Index {
    /// Every name a record answers to: its key, collision-suffixed keys, `doi:…`, `pmid:…`,
    /// `pmcid:…`. A name with several records is ambiguous.
    names: HashMap<String, Vec<RecordId>>,
    /// Citation keys in lower case, sorted, for "did you mean" over keys sharing a prefix.
    sorted_keys: Vec<(Box<str>, RecordId)>,
    primary: TermList,
    /// Title words: searched for query words of two letters or more.
    titles: TermList,
    secondary: TermList,
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

fn add_words(map: &mut HashMap<String, Vec<(u32, u8)>>, record: u32, text: &str, field: u8) {
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
        add_term_str(map, record, &folded, field);
    }
}

fn add_term(map: &mut HashMap<String, Vec<(u32, u8)>>, record: u32, term: String, field: u8) {
    add_term_str(map, record, &term, field);
}

/// Adds a posting, allocating the term only the first time it is seen.
fn add_term_str(map: &mut HashMap<String, Vec<(u32, u8)>>, record: u32, term: &str, field: u8) {
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
    /// Builds the index. `keys[i]` is the list of names record `i` answers to.
    pub fn build(records: &[Arc<Record>], keys: &[Vec<String>]) -> Index {
        // The three parts are independent; the abstract words (secondary) are the largest.
        let ((names, sorted_keys), ((primary, titles), secondary)) = rayon::join(
            || (name_table(keys), sorted_key_list(keys)),
            || {
                rayon::join(
                    || rayon::join(|| primary_terms(records, keys), || title_terms(records)),
                    || secondary_terms(records),
                )
            },
        );
        Index { names, sorted_keys, primary, titles, secondary }
    }

    /// Records whose key starts with `prefix` (lower case), at most `limit` of them.
    pub fn keys_with_prefix(&self, prefix: &str, limit: usize) -> impl Iterator<Item = (&str, RecordId)> {
        let start = self.sorted_keys.partition_point(|(k, _)| &**k < prefix);
        self.sorted_keys[start..]
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
        match found.map(Vec::as_slice) {
            None | Some([]) => Resolution::Unknown,
            Some([one]) => Resolution::One(*one),
            Some(many) => Resolution::Ambiguous(many),
        }
    }

    /// Records with an author whose family name holds the word `word` (folded, whole word):
    /// the candidates for an author–year citation written as prose.
    pub fn with_family_word(&self, word: &str) -> impl Iterator<Item = RecordId> + '_ {
        let term = self.primary.terms.binary_search_by(|t| (**t).cmp(word)).ok();
        term.into_iter()
            .flat_map(|t| self.primary.postings(t))
            .filter(|(_, field_bits)| field_bits & fields::FAMILY != 0)
            .map(|(record, _)| RecordId(record))
    }

    /// All names, for fuzzy fallbacks ("did you mean").
    pub fn names(&self) -> impl Iterator<Item = (&str, &[RecordId])> {
        self.names.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Ranked search. Every query word must match (as a prefix) some field of a record; the
    /// score weighs where it matched and whether the match was the whole word. Returns the
    /// best `limit` hits and whether more matched.
    pub fn search(&self, query: &str, limit: usize) -> (Vec<Hit>, bool) {
        let words: Vec<String> = query
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .map(|w| if w.starts_with("10.") { w.to_lowercase() } else { fold(w) })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return (Vec::new(), false);
        }
        let mut scores: Option<HashMap<u32, u32>> = None;
        for word in &words {
            let mut these: HashMap<u32, u32> = HashMap::new();
            let mut collect = |list: &TermList| {
                for term in list.prefix_range(word) {
                    let exact = *list.terms[term] == **word;
                    for (record, field_bits) in list.postings(term) {
                        let score = weight(field_bits) * if exact { 3 } else { 2 };
                        let entry = these.entry(record).or_default();
                        *entry = (*entry).max(score);
                    }
                }
            };
            // A one-letter word would match most title words; it narrows by key, name, year
            // and DOI only, which keeps the first keystroke of a 100,000-record corpus fast.
            collect(&self.primary);
            if word.len() >= 2 {
                collect(&self.titles);
            }
            if word.len() >= 3 {
                collect(&self.secondary);
            }
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
        let mut hits: Vec<Hit> =
            scores.into_iter().map(|(record, score)| Hit { record: RecordId(record), score }).collect();
        // Ties are broken by record order, which is deterministic (sorted paths).
        let order = |a: &Hit, b: &Hit| b.score.cmp(&a.score).then(a.record.cmp(&b.record));
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, order);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(order);
        (hits, more)
    }
}

fn name_table(keys: &[Vec<String>]) -> HashMap<String, Vec<RecordId>> {
    let mut names: HashMap<String, Vec<RecordId>> = HashMap::new();
    for (i, record_keys) in keys.iter().enumerate() {
        for key in record_keys {
            let list = names.entry(key.clone()).or_default();
            // Records come in order, so a repeat within one record is the last one pushed;
            // `contains` made a name shared by 100,000 nameless records quadratic.
            if list.last() != Some(&RecordId(i as u32)) {
                list.push(RecordId(i as u32));
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
fn primary_terms(records: &[Arc<Record>], keys: &[Vec<String>]) -> TermList {
    let mut primary: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for (i, (record, record_keys)) in records.iter().zip(keys).enumerate() {
        let id = i as u32;
        if let Some(key) = record_keys.first() {
            add_term(&mut primary, id, key.to_ascii_lowercase(), fields::KEY);
        }
        for author in &record.authors {
            add_words(&mut primary, id, &author.value.family, fields::FAMILY);
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
fn title_terms(records: &[Arc<Record>]) -> TermList {
    let mut titles: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        if let Some(title) = record.title() {
            add_words(&mut titles, i as u32, title, fields::TITLE);
        }
    }
    TermList::build(titles)
}

/// Container, keywords and abstract: searched only for query words of three letters or more.
fn secondary_terms(records: &[Arc<Record>]) -> TermList {
    let mut secondary: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let id = i as u32;
        if let Some(container) = record.container() {
            add_words(&mut secondary, id, container, fields::CONTAINER);
        }
        for keyword in &record.keywords {
            add_words(&mut secondary, id, &keyword.value, fields::KEYWORD);
        }
        if let Some(text) = &record.abstract_text {
            add_words(&mut secondary, id, &text.value, fields::ABSTRACT);
        }
    }
    TermList::build(secondary)
}

/// How much a match in each field counts.
fn weight(field_bits: u8) -> u32 {
    let mut best = 0;
    for (bit, w) in [
        (fields::KEY, 12),
        (fields::FAMILY, 10),
        (fields::DOI, 10),
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
