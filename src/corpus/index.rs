//! The lookup index: exact lookup by key, DOI, PMID and PMCID, and ranked search over the
//! words of records (family names, title words, year, container, keywords, abstract).
//!
//! Search serves completion and workspace symbols on every keystroke, so it is built for
//! 100,000 records: each list's terms sit sorted in one string buffer (a prefix query is two
//! binary searches), and its postings in one byte buffer, a varint per posting holding the
//! distance to the previous record and a code of the fields (see [`TermList`]). Names (key,
//! family names, year, DOI) are always searched, title words from the second letter typed,
//! and the words of the large fields (abstract, container, keywords) from the third, where
//! their postings are short.
//!
//! Memory (issue 11): nothing is allocated per term or per name. The name table is an
//! open-addressing table of positions in the corpus's own [`RecordNames`], so names are not
//! copied; a term list is built in
//! two passes over the records (count each term's posting bytes, then write each posting in
//! its place), so no growing vector per term sits beside the records while it is built.
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
use super::record_names::RecordNames;

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

/// Which field bits a term list can hold, and how a posting stores them: `implied` bits hold
/// for every posting of the list (a title word is always a title word) and cost nothing;
/// each of `bits` takes one bit of a posting's code, in this order. A code is at most 5 bits,
/// so it fits in the first byte of a posting's varint beside the record delta.
struct FieldCode {
    implied: u16,
    bits: &'static [u16],
}

const PRIMARY_CODE: FieldCode =
    FieldCode { implied: 0, bits: &[fields::KEY, fields::FAMILY, fields::FIRST_AUTHOR, fields::YEAR, fields::DOI] };
const TITLE_CODE: FieldCode = FieldCode { implied: fields::TITLE, bits: &[] };
const SECONDARY_CODE: FieldCode =
    FieldCode { implied: 0, bits: &[fields::CONTAINER, fields::KEYWORD, fields::ABSTRACT] };

impl FieldCode {
    fn width(&self) -> u32 {
        self.bits.len() as u32
    }

    fn encode(&self, field_bits: u16) -> u8 {
        debug_assert_eq!(field_bits & !self.implied & !self.bits.iter().fold(0, |all, b| all | b), 0);
        self.bits.iter().enumerate().filter(|(_, bit)| field_bits & **bit != 0).fold(0, |code, (j, _)| code | 1 << j)
    }

    fn decode(&self, code: u8) -> u16 {
        self.bits.iter().enumerate().filter(|(j, _)| code & 1 << j != 0).fold(self.implied, |bits, (_, bit)| bits | bit)
    }
}

/// Bytes of `value` as a LEB128 varint.
fn varint_len(value: u64) -> u32 {
    (64 - value.leading_zeros()).max(1).div_ceil(7)
}

fn put_varint(out: &mut [u8], mut at: usize, mut value: u64) -> usize {
    while value >= 0x80 {
        out[at] = value as u8 | 0x80;
        value >>= 7;
        at += 1;
    }
    out[at] = value as u8;
    at + 1
}

/// The distinct terms of one list while it is built: their text in one buffer, and an
/// open-addressing table of term numbers (numbered as first seen) hashed by their text. A
/// map from `String` held an allocation per term, and its postings another.
struct Interner {
    text: String,
    /// `bounds[i]..bounds[i + 1]` is term i in `text`.
    bounds: Vec<u32>,
    /// Term number + 1, 0 for an empty slot; the length is a power of two, at most half full.
    slots: Vec<u32>,
    hasher: foldhash::fast::RandomState,
}

/// Whether `offsets` start at 0, never decrease and end at `end`: ranges of a buffer of `end`
/// bytes (for a list read from a snapshot).
fn offsets_fit(offsets: &[u32], end: usize) -> bool {
    offsets.first() == Some(&0)
        && offsets.windows(2).all(|w| w[0] <= w[1])
        && offsets.last().is_some_and(|&last| last as usize == end)
}

/// [`offsets_fit`] for the bounds of strings in `text`, each on a character boundary.
fn text_bounds_fit(bounds: &[u32], text: &str) -> bool {
    offsets_fit(bounds, text.len()) && bounds.iter().all(|&b| text.is_char_boundary(b as usize))
}

/// Linear probing in an open-addressing table of numbers + 1 (0 is an empty slot; the length
/// is a power of two, never full) from the slot of `hash`: the slot where the number `is`
/// accepts sits, else the empty slot where it would go.
fn probe(slots: &[u32], hash: u64, is: impl Fn(u32) -> bool) -> (usize, Option<u32>) {
    let mask = slots.len() - 1;
    let mut at = hash as usize & mask;
    loop {
        match slots[at] {
            0 => return (at, None),
            stored if is(stored - 1) => return (at, Some(stored - 1)),
            _ => at = (at + 1) & mask,
        }
    }
}

impl Default for Interner {
    fn default() -> Self {
        Interner::with_capacity(0, 0)
    }
}

impl Interner {
    /// Room for `count` terms of `bytes` in all before anything grows.
    fn with_capacity(count: usize, bytes: usize) -> Interner {
        let slots = (count * 2).next_power_of_two().max(64);
        let mut bounds = Vec::with_capacity(count + 1);
        bounds.push(0);
        Interner { text: String::with_capacity(bytes), bounds, slots: vec![0; slots], hasher: Default::default() }
    }

    fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    fn term(&self, id: u32) -> &str {
        &self.text[self.bounds[id as usize] as usize..self.bounds[id as usize + 1] as usize]
    }

    fn slot(&self, term: &str) -> (usize, Option<u32>) {
        probe(&self.slots, std::hash::BuildHasher::hash_one(&self.hasher, term), |id| self.term(id) == term)
    }

    /// The number of `term`, adding it when new.
    fn intern(&mut self, term: &str) -> u32 {
        let (at, found) = self.slot(term);
        if let Some(id) = found {
            return id;
        }
        let id = self.len() as u32;
        self.text.push_str(term);
        self.bounds.push(u32::try_from(self.text.len()).expect("under 4 GiB of distinct terms"));
        self.slots[at] = id + 1;
        if self.len() * 2 > self.slots.len() {
            let mut slots = vec![0; self.slots.len() * 2];
            let mask = slots.len() - 1;
            for id in 0..self.len() as u32 {
                let mut at = std::hash::BuildHasher::hash_one(&self.hasher, self.term(id)) as usize & mask;
                while slots[at] != 0 {
                    at = (at + 1) & mask;
                }
                slots[at] = id + 1;
            }
            self.slots = slots;
        }
        id
    }

    /// The number of `term`, when it was interned.
    fn find(&self, term: &str) -> Option<u32> {
        self.slot(term).1
    }
}

/// One list of search terms: the terms sorted in one buffer, and each term's postings (the
/// records holding it, ascending, with the fields it was found in) as varints in one byte
/// buffer: a posting is `(record − previous record) << width | code` (see [`FieldCode`]), so
/// the many postings of a common word take a byte each.
#[derive(serde::Serialize, serde::Deserialize)]
struct TermList {
    text: Box<str>,
    /// `bounds[i]..bounds[i + 1]` is term i in `text`.
    bounds: Box<[u32]>,
    postings: Box<[u8]>,
    /// `starts[i]..starts[i + 1]` are term i's postings in `postings`.
    starts: Box<[u32]>,
    width: u32,
    /// The field bits and [`weight`] of each code.
    field_bits: [u16; 32],
    weights: [u32; 32],
}

impl Default for TermList {
    fn default() -> Self {
        TermList::build(0, &TITLE_CODE, |_, _| {})
    }
}

impl TermList {
    /// The list of `count` records' terms, each reported with its field bits by
    /// `visit(record, each)`, which is called twice per record, in record order. The first
    /// pass numbers the terms and counts each one's posting bytes; the second writes every
    /// posting in its place. Nothing is held per posting but its bytes in the final buffer:
    /// a map from term to a growing vector of postings was the index's peak (issue 11).
    fn build(count: usize, code: &FieldCode, visit: impl Fn(u32, &mut dyn FnMut(&str, u16))) -> TermList {
        let width = code.width();
        // A repeated word's fields are ORed into the first byte of its posting, which holds
        // the code's bits only while they are fewer than a byte's 7 value bits.
        assert!(width <= 5, "a posting's field code fits in its first byte");
        let mut interner = Interner::default();
        // Per term, first pass: its bytes, and the last record that held it.
        let mut bytes: Vec<u32> = Vec::new();
        let mut last: Vec<u32> = Vec::new();
        for record in 0..count as u32 {
            visit(record, &mut |term, _| {
                let id = interner.intern(term) as usize;
                if id == bytes.len() {
                    bytes.push(0);
                    last.push(u32::MAX);
                }
                if last[id] != record {
                    // Codes sit below the delta's bits, so they never change the length.
                    let previous = if last[id] == u32::MAX { 0 } else { last[id] };
                    bytes[id] += varint_len(u64::from(record - previous) << width);
                    last[id] = record;
                }
            });
        }
        // The sorted order, and each term's postings placed in that order.
        let mut order: Vec<u32> = (0..interner.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| interner.term(a).cmp(interner.term(b)));
        let mut starts = Vec::with_capacity(order.len() + 1);
        let mut total: u32 = 0;
        // `bytes` becomes each term's write position.
        for &id in &order {
            starts.push(total);
            let len = bytes[id as usize];
            bytes[id as usize] = total;
            total = total.checked_add(len).expect("under 4 GiB of postings");
        }
        starts.push(total);
        let mut postings = vec![0u8; total as usize].into_boxed_slice();
        // Second pass: `last` again, and where the last posting of each term starts, whose
        // code takes the fields of the same word met again in the same record.
        last.iter_mut().for_each(|l| *l = u32::MAX);
        let mut last_at: Vec<u32> = vec![0; interner.len()];
        for record in 0..count as u32 {
            visit(record, &mut |term, field_bits| {
                let id = interner.find(term).expect("the second pass sees the terms of the first") as usize;
                let field_code = code.encode(field_bits);
                if last[id] == record {
                    postings[last_at[id] as usize] |= field_code;
                } else {
                    let previous = if last[id] == u32::MAX { 0 } else { last[id] };
                    let at = bytes[id] as usize;
                    let value = u64::from(record - previous) << width | u64::from(field_code);
                    bytes[id] = put_varint(&mut postings, at, value) as u32;
                    last_at[id] = at as u32;
                    last[id] = record;
                }
            });
        }
        // Only the terms' text is needed now, copied in sorted order.
        drop((bytes, last, last_at, std::mem::take(&mut interner.slots)));
        let mut text = String::with_capacity(interner.text.len());
        let mut bounds = Vec::with_capacity(order.len() + 1);
        bounds.push(0);
        for &id in &order {
            text.push_str(interner.term(id));
            bounds.push(text.len() as u32);
        }
        let mut field_bits = [0; 32];
        let mut weights = [0; 32];
        for c in 0..1u8 << width {
            field_bits[c as usize] = code.decode(c);
            weights[c as usize] = weight(code.decode(c));
        }
        TermList {
            text: text.into_boxed_str(),
            bounds: bounds.into_boxed_slice(),
            postings,
            starts: starts.into_boxed_slice(),
            width,
            field_bits,
            weights,
        }
    }

    fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// Whether every term and posting range lies inside its buffer (for a stored list).
    fn is_whole(&self) -> bool {
        self.width <= 5
            && self.bounds.len() == self.starts.len()
            && text_bounds_fit(&self.bounds, &self.text)
            && offsets_fit(&self.starts, self.postings.len())
    }

    fn term(&self, i: usize) -> &str {
        &self.text[self.bounds[i] as usize..self.bounds[i + 1] as usize]
    }

    /// Indices of the terms starting with `prefix`.
    fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = partition_point(self.len(), |i| self.term(i) < prefix);
        let end = start + partition_point(self.len() - start, |i| self.term(start + i).starts_with(prefix));
        start..end
    }

    /// The index of `term`, when the list holds it.
    fn find(&self, term: &str) -> Option<usize> {
        let at = partition_point(self.len(), |i| self.term(i) < term);
        (at < self.len() && self.term(at) == term).then_some(at)
    }

    /// Term `term`'s postings: each record holding it, ascending, with the code of its fields.
    fn postings(&self, term: usize) -> impl Iterator<Item = (u32, usize)> + '_ {
        let mut bytes = &self.postings[self.starts[term] as usize..self.starts[term + 1] as usize];
        let mut record = 0u32;
        let code_mask = (1u64 << self.width) - 1;
        std::iter::from_fn(move || {
            let (&first, rest) = bytes.split_first()?;
            bytes = rest;
            let mut value = u64::from(first & 0x7f);
            let mut shift = 7;
            let mut byte = first;
            while byte & 0x80 != 0 {
                byte = bytes[0];
                bytes = &bytes[1..];
                value |= u64::from(byte & 0x7f) << shift;
                shift += 7;
            }
            record += (value >> self.width) as u32;
            Some((record, (value & code_mask) as usize))
        })
    }

    /// Each record's best match for one query word over this list's terms starting with it.
    fn score_word(&self, word: &str, matches: &mut WordMatches<'_>) {
        for term in self.prefix_range(word) {
            let exact = self.term(term) == word;
            for (record, code) in self.postings(term) {
                let score = self.weights[code] * if exact { 3 } else { 2 };
                matches.add(record, score, exact);
            }
        }
    }
}

/// One query word's matches: each record's packed match (see [`word_match`]) in a slot of its
/// own, and the records matched, in the order first met. A three-letter word such as `con`
/// matches thousands of records at 10,000 entries; a hash map of them was most of such a
/// search (p99 75 µs against p50 6), where a slot is one store.
struct WordMatches<'s> {
    /// One slot per record, [`WordMatches::MATCHED`] set in the records matched; all clear
    /// again once [`WordMatches::clear`] has run.
    slots: &'s mut Vec<u32>,
    matched: Vec<u32>,
}

impl WordMatches<'_> {
    /// Set in a matched record's slot, beside its packed match: a match may pack to zero.
    const MATCHED: u32 = 1 << 31;

    fn add(&mut self, record: u32, score: u32, exact: bool) {
        let index = record as usize;
        if index >= self.slots.len() {
            self.slots.resize(index + 1, 0);
        }
        let slot = &mut self.slots[index];
        if *slot & Self::MATCHED == 0 {
            self.matched.push(record);
        }
        let mut packed = *slot & !Self::MATCHED;
        word_match::add(&mut packed, score, exact);
        *slot = packed | Self::MATCHED;
    }

    /// The score of `record` for this word, if it matched.
    fn score(&self, record: u32) -> Option<u32> {
        let slot = *self.slots.get(record as usize)?;
        (slot & Self::MATCHED != 0).then(|| word_match::score(slot & !Self::MATCHED))
    }

    /// Clears the slots for the next word.
    fn clear(&mut self) {
        for &record in &self.matched {
            self.slots[record as usize] = 0;
        }
        self.matched.clear();
    }
}

/// A search that panics part-way leaves no match behind for the next one on this thread.
impl Drop for WordMatches<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

thread_local! {
    /// The slots of [`WordMatches`], kept between searches: one `u32` per record of the
    /// largest corpus searched on this thread (40 KB at 10,000 entries), allocated and zeroed
    /// once instead of at every keystroke.
    static MATCH_SLOTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The first index in `0..len` for which `before` is false, `before` holding for a prefix.
fn partition_point(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let mid = low + (high - low) / 2;
        if before(mid) { low = mid + 1 } else { high = mid }
    }
    low
}

/// Lookup tables and the search index of a corpus, built in two stages (see
/// [`Index::build_names`]): the name table first, which is all that hover, definition and
/// the unknown-key diagnostics need, then the search terms, which only completion, workspace
/// symbols and prose citations use.
#[derive(Default)]
pub struct Index {
    /// Every name a record answers to: its key, collision-suffixed keys, `doi:…`, `pmid:…`,
    /// `pmcid:…`. A name with several records is ambiguous.
    names: NameTable,
    /// The second stage: set once, by [`Index::build_search`], for the same records and keys.
    search: OnceLock<Search>,
    /// The words of the abstracts left in their files (see [`super::abstracts`]), set once by
    /// [`Index::build_late`] after the second stage: reading them again takes longer than the
    /// rest of the search index, and they are the field that counts least, so completion does
    /// not wait for them.
    late: OnceLock<TermList>,
}

/// The names, looked up in the corpus's own [`RecordNames`], and the records each resolves
/// to. A name is known by its first position in `RecordNames`; the table holds those
/// positions, not the names: a copy of every name in a buffer of its own was ~4 MiB at
/// 100,000 entries (issue 11). A name's record is found from its position (the names are
/// grouped by record); only the names with several records keep a list.
#[derive(Default)]
struct NameTable {
    keys: Arc<RecordNames>,
    /// First position + 1 of each distinct name, 0 for an empty slot; the length is a power of
    /// two, at most two thirds full (open addressing; see [`name_slots`]).
    slots: Box<[u32]>,
    /// The hash's seed, drawn at random per table and kept with it in the warm-start snapshot
    /// (where the slots are stored as they are).
    seed: u64,
    hasher: foldhash::fast::FixedState,
    /// The records of the names that have several, by first position.
    many: FastMap<u32, Vec<RecordId>>,
    /// `owners[position]`: the record of each name position (4 bytes a name). A binary search
    /// over the records' first positions was ~14 cache misses at 10,000 records; an edit's
    /// pass resolves every citation after the writer's pause, with cold caches, and those
    /// misses were most of its time (issue 11). Rebuilt from the keys, not stored in the
    /// snapshot.
    owners: Box<[u32]>,
}

/// The slots of a name table for `count` names: a power of two, at most two thirds full.
/// Half full, 17,000 names took 65,536 slots (a quarter full, 256 KiB) at 10,000 records;
/// linear probing at two thirds still finds a name in two probes on average, and tells an
/// unknown one in five (issue 11).
fn name_slots(count: usize) -> usize {
    (count + count / 2 + 1).next_power_of_two().max(64)
}

impl NameTable {
    fn build(keys: Arc<RecordNames>) -> NameTable {
        let (count, _) = keys.totals();
        let seed = std::hash::BuildHasher::hash_one(&foldhash::fast::RandomState::default(), count);
        let mut table = NameTable {
            slots: vec![0; name_slots(count)].into_boxed_slice(),
            keys: Arc::clone(&keys),
            seed,
            hasher: foldhash::fast::FixedState::with_seed(seed),
            many: FastMap::default(),
            owners: keys.owners(),
        };
        for record in 0..keys.len() {
            let id = RecordId(record as u32);
            for position in keys.positions(record) {
                let (at, found) = table.slot(keys.name(position));
                let Some(first) = found else {
                    table.slots[at] = position as u32 + 1;
                    continue;
                };
                // Records come in order, so a repeat within one record is the last one
                // pushed; `contains` made a name shared by 100,000 nameless records quadratic.
                let first_record = RecordId(table.owners[first as usize]);
                match table.many.get_mut(&first) {
                    None if first_record != id => drop(table.many.insert(first, vec![first_record, id])),
                    Some(ids) if ids.last() != Some(&id) => ids.push(id),
                    _ => {}
                }
            }
        }
        table
    }

    /// The slot of `name`, and its first position when it is there.
    fn slot(&self, name: &str) -> (usize, Option<u32>) {
        let hash = std::hash::BuildHasher::hash_one(&self.hasher, name);
        probe(&self.slots, hash, |position| self.keys.name(position as usize) == name)
    }

    fn get(&self, name: &str) -> Option<Resolution<'_>> {
        if self.slots.is_empty() {
            return None;
        }
        self.slot(name).1.map(|first| self.records(first))
    }

    /// Reads what looking up each of `names` reads first: its slot, then the name stored
    /// there and its owner. Each step's reads are independent across names, so the processor
    /// has many cache misses outstanding at once; the lookups that follow find their memory
    /// in cache. Resolving a manuscript's citations one by one after the writer's pause was a
    /// chain of misses per citation, the larger part of an edit's diagnostics pass (issue 11).
    /// Returns a value computed from what was read, so that the reads are not optimised away.
    fn warm<'n>(&self, names: impl Iterator<Item = &'n str>) -> usize {
        if self.slots.is_empty() {
            return 0;
        }
        let mask = self.slots.len() - 1;
        let slots: Vec<usize> =
            names.map(|name| std::hash::BuildHasher::hash_one(&self.hasher, name) as usize & mask).collect();
        let mut read = 0usize;
        for &slot in &slots {
            read = read.wrapping_add(self.slots[slot] as usize);
        }
        for &slot in &slots {
            if let Some(position) = self.slots[slot].checked_sub(1) {
                let name = self.keys.name(position as usize);
                read = read
                    .wrapping_add(name.len())
                    .wrapping_add(usize::from(name.as_bytes().first().copied().unwrap_or(0)))
                    .wrapping_add(self.owners[position as usize] as usize);
            }
        }
        read
    }

    /// What the name first seen at `first` resolves to.
    fn records(&self, first: u32) -> Resolution<'_> {
        match self.many.get(&first) {
            Some(ids) => Resolution::Ambiguous(ids),
            None => Resolution::One(RecordId(self.owners[first as usize])),
        }
    }
}

/// The search part of the index: everything a ranked or prefix query reads.
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Search {
    /// Citation keys in lower case, sorted, for "did you mean" over keys sharing a prefix.
    sorted_keys: SortedKeys,
    primary: TermList,
    /// Title words: searched for query words of two letters or more.
    titles: TermList,
    secondary: TermList,
    /// `tie_rank[i]`: record i's place among all records by year (newest first, undated
    /// last), then key: the order of equally scored hits.
    tie_rank: Vec<u32>,
}

/// An [`Index`] as the warm-start snapshot writes it.
#[derive(serde::Serialize)]
pub(super) struct StoredIndexRef<'a> {
    seed: u64,
    slots: &'a [u32],
    many: Vec<(u32, &'a [RecordId])>,
    search: &'a Search,
    late: Option<&'a TermList>,
}

/// An [`Index`] as the warm-start snapshot reads it (the same bytes as [`StoredIndexRef`]).
#[derive(serde::Deserialize)]
pub(super) struct StoredIndex {
    seed: u64,
    slots: Box<[u32]>,
    many: Vec<(u32, Vec<RecordId>)>,
    search: Search,
    late: Option<TermList>,
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

/// Calls `each` with every word of `text` as the index stores it: split at anything not a
/// letter or digit, lower-cased (ASCII) or folded, stop words left out. Public for the on-disk
/// index prototype (`benches/million.rs`), which must index words the same way.
pub fn for_each_search_word(text: &str, mut each: impl FnMut(&str)) {
    let mut folded = String::new();
    let mut word = |word: &str| {
        if word.is_empty() {
            return;
        }
        // ASCII words (nearly all) are lower-cased into a reused buffer; others are folded.
        folded.clear();
        if word.is_ascii() {
            folded.push_str(word);
            folded.make_ascii_lowercase();
        } else {
            folded.push_str(&fold(word));
        }
        // No stop word is longer than 5 bytes: most words skip the list.
        if folded.is_empty() || (folded.len() <= 5 && STOP_WORDS.contains(&folded.as_str())) {
            return;
        }
        each(&folded);
    };
    // The index reads every word twice while it is built (see `TermList::build`), so ASCII
    // text (nearly all) is split by bytes, where a letter or digit is an ASCII one.
    if text.is_ascii() {
        let mut start = 0;
        for (at, byte) in text.bytes().enumerate() {
            if !byte.is_ascii_alphanumeric() {
                word(&text[start..at]);
                start = at + 1;
            }
        }
        word(&text[start..]);
    } else {
        text.split(|c: char| !c.is_alphanumeric()).for_each(word);
    }
}

impl Index {
    /// Builds the whole index. `keys[i]` is the list of names record `i` answers to.
    /// Abstracts left in their files (see [`super::abstracts`]) are not searched here; they are
    /// read by [`super::Corpus::build_search`] (see [`Index::build_late`]).
    pub fn build(records: &[Arc<Record>], keys: &Arc<RecordNames>) -> Index {
        let (index, search) = rayon::join(|| Index::build_names(keys), || Search::build(records, keys));
        let _ = index.search.set(search);
        index
    }

    /// The first stage: the name table alone, without the search terms. [`Index::resolve`]
    /// answers at once; anything that searches waits until [`Index::build_search`] is done
    /// (for a 100,000-entry corpus the terms take several times as long as the names).
    pub fn build_names(keys: &Arc<RecordNames>) -> Index {
        Index { names: NameTable::build(Arc::clone(keys)), search: OnceLock::new(), late: OnceLock::new() }
    }

    /// The index as the warm-start snapshot stores it (see `snapshot.rs`), once its search
    /// part is built.
    pub(super) fn stored(&self) -> Option<StoredIndexRef<'_>> {
        let names = &self.names;
        let mut many: Vec<(u32, &[RecordId])> =
            names.many.iter().map(|(&first, ids)| (first, ids.as_slice())).collect();
        many.sort_unstable_by_key(|&(first, _)| first);
        Some(StoredIndexRef {
            seed: names.seed,
            slots: &names.slots,
            many,
            search: self.search.get()?,
            late: self.late.get(),
        })
    }

    /// An index stored by [`Index::stored`] for these keys. The snapshot is checksummed and
    /// written by this very program; the checks here keep a lookup from panicking all the same.
    pub(super) fn from_stored(keys: &Arc<RecordNames>, stored: StoredIndex) -> Result<Index, String> {
        let (names, _) = keys.totals();
        let slots_fit = stored.slots.len().is_power_of_two()
            && stored.slots.len() >= name_slots(names)
            && stored.slots.iter().all(|&slot| slot as usize <= names);
        let records = keys.len() as u32;
        let many_fit = stored
            .many
            .iter()
            .all(|(first, ids)| (*first as usize) < names && ids.len() > 1 && ids.iter().all(|id| id.0 < records));
        let search = &stored.search;
        let search_fits = search.tie_rank.len() == keys.len()
            && search.sorted_keys.records.iter().all(|id| id.0 < records)
            && search.sorted_keys.bounds.len() == search.sorted_keys.records.len() + 1
            && text_bounds_fit(&search.sorted_keys.bounds, &search.sorted_keys.text)
            && [&search.primary, &search.titles, &search.secondary].into_iter().all(TermList::is_whole)
            && stored.late.as_ref().is_none_or(TermList::is_whole);
        if !(slots_fit && many_fit && search_fits) {
            return Err("the index does not fit its keys".to_owned());
        }
        let search_cell = OnceLock::new();
        let _ = search_cell.set(stored.search);
        let late = OnceLock::new();
        if let Some(terms) = stored.late {
            let _ = late.set(terms);
        }
        Ok(Index {
            names: NameTable {
                keys: Arc::clone(keys),
                slots: stored.slots,
                seed: stored.seed,
                hasher: foldhash::fast::FixedState::with_seed(stored.seed),
                many: stored.many.into_iter().collect(),
                owners: keys.owners(),
            },
            search: search_cell,
            late,
        })
    }

    /// The second stage, for the records and keys the names were built from (callers go
    /// through `Corpus::build_search`). Does nothing when the terms are there; when another
    /// thread is building them, waits for it. A panic while building leaves an empty search
    /// (logged): waiting forever would hang every completion.
    pub(super) fn build_search(&self, records: &[Arc<Record>], keys: &RecordNames) {
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

    /// The words of the abstracts left in their files, read through `abstracts` (callers go
    /// through `Corpus::build_search`, after [`Index::build_search`]). Does nothing when they
    /// are there. Until then, searches match the other fields only.
    pub(super) fn build_late(&self, records: &[Arc<Record>], abstracts: &AbstractText<'_>) {
        self.late.get_or_init(|| {
            let started = std::time::Instant::now();
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| late_terms(records, abstracts)));
            tracing::debug!("abstracts left in their files searchable in {:?}", started.elapsed());
            built.unwrap_or_else(|_| {
                tracing::error!("reading the abstracts left in their files failed; they are not searched");
                TermList::default()
            })
        });
    }

    /// Whether the words of the abstracts left in their files are searched.
    pub fn late_ready(&self) -> bool {
        self.late.get().is_some()
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
        let start = partition_point(sorted_keys.records.len(), |i| sorted_keys.key(i) < prefix);
        (start..sorted_keys.records.len())
            .map(|i| (sorted_keys.key(i), sorted_keys.records[i]))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .take(limit)
    }

    /// Resolves a key or identifier (`smith2020`, `doi:10.1/x`, `pmid:123`, `pmcid:PMC1`).
    /// Keys are case-sensitive as in pandoc; DOIs are not.
    pub fn resolve(&self, name: &str) -> Resolution<'_> {
        self.names
            .get(name)
            .or_else(|| {
                let lower = name.to_lowercase();
                if lower.starts_with("doi:") { self.names.get(&lower) } else { None }
            })
            .unwrap_or(Resolution::Unknown)
    }

    /// Prepares the lookups of `names` that come next (see [`NameTable::warm`]): call it with
    /// all the names a pass will [`Index::resolve`], before resolving them. It changes no
    /// answer, only where the memory they need is.
    pub fn warm<'n>(&self, names: impl Iterator<Item = &'n str>) {
        std::hint::black_box(self.names.warm(names));
    }

    /// Records with an author whose family name holds the word `word` (folded, whole word):
    /// the candidates for an author–year citation written as prose.
    pub fn with_family_word(&self, word: &str) -> impl Iterator<Item = RecordId> + '_ {
        let primary = &self.terms().primary;
        term_records(primary, word, fields::FAMILY)
    }

    /// All names, for fuzzy fallbacks ("did you mean").
    pub fn names(&self) -> impl Iterator<Item = (&str, Resolution<'_>)> {
        let table = &self.names;
        table.slots.iter().filter(|&&slot| slot != 0).map(|&slot| {
            let first = slot - 1;
            (table.keys.name(first as usize), table.records(first))
        })
    }

    /// Ranked search. Every query word must match (as a prefix) some field of a record; the
    /// score weighs where it matched and whether the match was the whole word, plus a bonus
    /// when `preferred` holds for the record (see the module's ranking). Returns the best
    /// `limit` hits and whether more matched.
    pub fn search(&self, query: &str, limit: usize, preferred: &dyn Fn(RecordId) -> bool) -> (Vec<Hit>, bool) {
        let words = query_words(query);
        if words.is_empty() {
            return (Vec::new(), false);
        }
        let terms = self.terms();
        let mut scores: Option<Vec<(u32, u32)>> = None;
        MATCH_SLOTS.with_borrow_mut(|slots| {
            if slots.len() < terms.tie_rank.len() {
                slots.resize(terms.tie_rank.len(), 0);
            }
            let mut these = WordMatches { slots, matched: Vec::new() };
            for word in &words {
                // A one-letter word would match most title words; it narrows by key, name,
                // year and DOI only, which keeps the first keystroke of a 100,000-record
                // corpus fast.
                terms.primary.score_word(word, &mut these);
                if word.len() >= 2 {
                    terms.titles.score_word(word, &mut these);
                }
                if word.len() >= 3 {
                    terms.secondary.score_word(word, &mut these);
                    if let Some(late) = self.late.get() {
                        late.score_word(word, &mut these);
                    }
                }
                scores = Some(match scores.take() {
                    None => these.matched.iter().filter_map(|&r| Some((r, these.score(r)?))).collect(),
                    Some(previous) => previous
                        .into_iter()
                        .filter_map(|(record, score)| these.score(record).map(|s| (record, score + s)))
                        .collect(),
                });
                these.clear();
            }
        });
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
fn tie_ranks(records: &[Arc<Record>], keys: &RecordNames) -> Vec<u32> {
    let key = |i: u32| keys.first(i as usize).unwrap_or("");
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
    fn build(records: &[Arc<Record>], keys: &RecordNames) -> Search {
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

/// Citation keys in lower case, sorted (then by record), in one buffer.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct SortedKeys {
    text: Box<str>,
    /// `bounds[i]..bounds[i + 1]` is key i in `text`.
    bounds: Box<[u32]>,
    records: Box<[RecordId]>,
}

impl SortedKeys {
    fn key(&self, i: usize) -> &str {
        &self.text[self.bounds[i] as usize..self.bounds[i + 1] as usize]
    }
}

fn sorted_key_list(keys: &RecordNames) -> SortedKeys {
    // The lower-cased keys in record order first, then sorted through their numbers: a
    // `Box<str>` per key cost an allocation each.
    // Reserved whole: grown by doubling, the buffer was up to twice the keys' bytes, beside
    // the sorted copy made below, at the cold start's peak.
    let bytes = keys.iter().filter_map(|mut record_keys| record_keys.next()).map(str::len).sum();
    let mut lower = String::with_capacity(bytes);
    let mut bounds = Vec::with_capacity(keys.len() + 1);
    bounds.push(0u32);
    let mut records = Vec::with_capacity(keys.len());
    for (i, record_keys) in keys.iter().enumerate() {
        let Some(key) = record_keys.clone().next() else { continue };
        if key.is_ascii() {
            lower.extend(key.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            lower.push_str(&key.to_lowercase());
        }
        bounds.push(u32::try_from(lower.len()).expect("under 4 GiB of keys"));
        records.push(RecordId(i as u32));
    }
    let key = |n: usize| &lower[bounds[n] as usize..bounds[n + 1] as usize];
    let mut order: Vec<u32> = (0..records.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        key(a as usize).cmp(key(b as usize)).then(records[a as usize].cmp(&records[b as usize]))
    });
    let mut text = String::with_capacity(lower.len());
    let mut sorted_bounds = Vec::with_capacity(bounds.len());
    sorted_bounds.push(0);
    for &n in &order {
        text.push_str(key(n as usize));
        sorted_bounds.push(text.len() as u32);
    }
    SortedKeys {
        text: text.into_boxed_str(),
        bounds: sorted_bounds.into_boxed_slice(),
        records: order.iter().map(|&n| records[n as usize]).collect(),
    }
}

/// Records whose term `term` (whole) has one of `field_bits` in the list.
fn term_records<'a>(list: &'a TermList, term: &str, field_bits: u16) -> impl Iterator<Item = RecordId> + use<'a> {
    list.find(term)
        .into_iter()
        .flat_map(|t| list.postings(t))
        .filter(move |&(_, code)| list.field_bits[code] & field_bits != 0)
        .map(|(record, _)| RecordId(record))
}

/// Key, family names, year and DOI: searched for every query word.
fn primary_terms(records: &[Arc<Record>], keys: &RecordNames) -> TermList {
    TermList::build(records.len(), &PRIMARY_CODE, |i, each| {
        let record = &records[i as usize];
        if let Some(key) = keys.first(i as usize) {
            each(&key.to_ascii_lowercase(), fields::KEY);
        }
        for (place, author) in record.authors.iter().enumerate() {
            let field = if place == 0 { fields::FAMILY | fields::FIRST_AUTHOR } else { fields::FAMILY };
            for_each_search_word(author.value.family(), |word| each(word, field));
        }
        if let Some(year) = record.year() {
            each(&year.to_string(), fields::YEAR);
        }
        if let Some(doi) = record.doi() {
            each(doi.as_str(), fields::DOI);
        }
    })
}

/// Title words.
fn title_terms(records: &[Arc<Record>]) -> TermList {
    TermList::build(records.len(), &TITLE_CODE, |i, each| {
        if let Some(title) = records[i as usize].title() {
            for_each_search_word(title, |word| each(word, fields::TITLE));
        }
    })
}

/// Container, keywords and abstract: searched only for query words of three letters or more.
fn secondary_terms(records: &[Arc<Record>]) -> TermList {
    TermList::build(records.len(), &SECONDARY_CODE, |i, each| {
        let record = &records[i as usize];
        if let Some(container) = record.container() {
            for_each_search_word(container, |word| each(word, fields::CONTAINER));
        }
        for keyword in &record.keywords {
            for_each_search_word(&keyword.value, |word| each(word, fields::KEYWORD));
        }
        // Held abstracts only: those left in their files are the late list (`late_terms`).
        if let Some(text) = record.abstract_text.as_ref().and_then(|f| f.value.held()) {
            for_each_search_word(text, |word| each(word, fields::ABSTRACT));
        }
    })
}

/// The words of the abstracts left in their files (see [`Index::build_late`]): only those, as
/// the held ones are among the secondary terms.
fn late_terms(records: &[Arc<Record>], abstracts: &AbstractText<'_>) -> TermList {
    TermList::build(records.len(), &SECONDARY_CODE, |i, each| {
        let record = &records[i as usize];
        if record.abstract_text.as_ref().is_some_and(|f| f.value.held().is_none())
            && let Some(text) = abstracts(record)
        {
            for_each_search_word(&text, |word| each(word, fields::ABSTRACT));
        }
    })
}

/// The text of a record's abstract, for the search terms (see [`super::abstracts`]).
pub(super) type AbstractText<'a> = dyn for<'r> Fn(&'r Record) -> Option<std::borrow::Cow<'r, str>> + Sync + 'a;

/// The words of a search query, folded as terms are (a DOI only lower-cased).
fn query_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|w| if w.starts_with("10.") { w.to_lowercase() } else { fold(w) })
        .filter(|w| !w.is_empty())
        .collect()
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

#[cfg(test)]
mod tests {
    //! The compact term lists against the simplest index that could answer the same queries:
    //! a map from each term to its postings, scanned in full for every query word.

    use std::collections::HashMap;

    use super::*;
    use crate::corpus::{Corpus, Input, Origin};

    /// A small deterministic generator (xorshift), so a failure names its seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    const FAMILIES: &[&str] =
        &["Park", "Parkinson", "Smith", "Smithers", "Müller", "Muller", "García López", "Øster", "Li", "Lin", "Ng"];
    const WORDS: &[&str] = &[
        "cell",
        "cells",
        "cellular",
        "ce",
        "park",
        "parking",
        "the",
        "of",
        "sparrow",
        "sparrows",
        "owl",
        "owls",
        "town",
        "model",
        "models",
        "modelling",
        "mode",
        "résumé",
        "naïve",
        "2019",
        "x",
        "data",
        "database",
        "dat",
    ];
    const JOURNALS: &[&str] = &["Cell Reports", "Journal of Owls", "Data Science", "Town and Park"];

    /// A `.bib` of `n` entries drawn from small vocabularies, so terms share prefixes, words
    /// repeat within a record and across fields, and fields are sometimes missing.
    fn bibliography(seed: u64, n: usize) -> String {
        let mut rng = Rng(seed);
        let mut bib = String::new();
        let words = |rng: &mut Rng, most: usize| {
            let count = 1 + rng.below(most);
            (0..count).map(|_| rng.pick(WORDS)).collect::<Vec<_>>().join(" ")
        };
        for i in 0..n {
            let key = format!("{}{}", rng.pick(&["park", "smith", "li", "cell", "Owl"]), rng.below(n / 2));
            let authors: Vec<String> = (0..1 + rng.below(4))
                .map(|_| format!("{}, {}", rng.pick(FAMILIES), rng.pick(&["Ana", "Bo"])))
                .collect();
            bib.push_str(&format!("@article{{{key},\n  author = {{{}}},\n", authors.join(" and ")));
            bib.push_str(&format!("  title = {{{}}},\n", words(&mut rng, 8)));
            if rng.below(5) > 0 {
                bib.push_str(&format!("  year = {{{}}},\n", 2015 + rng.below(8)));
            }
            if rng.below(3) > 0 {
                bib.push_str(&format!("  doi = {{10.{}/x{i}}},\n", 1000 + rng.below(3)));
            }
            if rng.below(2) > 0 {
                bib.push_str(&format!("  journal = {{{}}},\n", rng.pick(JOURNALS)));
            }
            if rng.below(3) == 0 {
                bib.push_str(&format!("  keywords = {{{}, {}}},\n", rng.pick(WORDS), rng.pick(WORDS)));
            }
            if rng.below(2) > 0 {
                bib.push_str(&format!("  abstract = {{{}}},\n", words(&mut rng, 45)));
            }
            bib.push_str("}\n\n");
        }
        bib
    }

    /// Each term's `(record, field bits)`, records ascending.
    type PlainPostings = HashMap<String, Vec<(u32, u16)>>;

    /// The index as it was before its terms were packed: a map per list from each term to
    /// its `(record, field bits)` postings, and the tie order sorted from the records.
    struct Reference {
        /// (the list's postings, the shortest query word it is searched for)
        lists: Vec<(PlainPostings, usize)>,
        tie_rank: Vec<u32>,
        sorted_keys: Vec<(String, RecordId)>,
    }

    impl Reference {
        fn new(corpus: &Corpus) -> Reference {
            let mut lists = vec![(HashMap::new(), 1), (HashMap::new(), 2), (HashMap::new(), 3)];
            let mut add = |list: usize, record: u32, term: &str, bits: u16| {
                let postings: &mut Vec<(u32, u16)> = lists[list].0.entry(term.to_owned()).or_default();
                match postings.last_mut() {
                    Some((last, b)) if *last == record => *b |= bits,
                    _ => postings.push((record, bits)),
                }
            };
            for (i, record) in corpus.records.iter().enumerate() {
                let id = i as u32;
                if let Some(key) = corpus.keys.first(i) {
                    add(0, id, &key.to_ascii_lowercase(), fields::KEY);
                }
                for (place, author) in record.authors.iter().enumerate() {
                    let bits = if place == 0 { fields::FAMILY | fields::FIRST_AUTHOR } else { fields::FAMILY };
                    for_each_search_word(author.value.family(), |w| add(0, id, w, bits));
                }
                if let Some(year) = record.year() {
                    add(0, id, &year.to_string(), fields::YEAR);
                }
                if let Some(doi) = record.doi() {
                    add(0, id, doi.as_str(), fields::DOI);
                }
                for_each_search_word(record.title().unwrap_or_default(), |w| add(1, id, w, fields::TITLE));
                for_each_search_word(record.container().unwrap_or_default(), |w| add(2, id, w, fields::CONTAINER));
                for keyword in &record.keywords {
                    for_each_search_word(&keyword.value, |w| add(2, id, w, fields::KEYWORD));
                }
                if let Some(text) = corpus.abstract_text(record) {
                    for_each_search_word(&text, |w| add(2, id, w, fields::ABSTRACT));
                }
            }
            let mut order: Vec<usize> = (0..corpus.records.len()).collect();
            let key = |i: usize| corpus.keys.first(i).map_or(String::new(), |k| k.to_ascii_lowercase());
            order.sort_by_key(|&i| (std::cmp::Reverse(corpus.records[i].year()), key(i), i));
            let mut tie_rank = vec![0; order.len()];
            for (place, i) in order.into_iter().enumerate() {
                tie_rank[i] = place as u32;
            }
            let mut sorted_keys: Vec<(String, RecordId)> = (0..corpus.records.len())
                .filter_map(|i| Some((corpus.keys.first(i)?.to_lowercase(), RecordId(i as u32))))
                .collect();
            sorted_keys.sort();
            Reference { lists, tie_rank, sorted_keys }
        }

        /// Every match, best first.
        fn search(&self, query: &str, preferred: &dyn Fn(RecordId) -> bool) -> Vec<Hit> {
            // The query is split as the index splits it: this reference checks the term
            // lists and the scoring, not the reading of a query.
            let words = query_words(query);
            if words.is_empty() {
                return Vec::new();
            }
            let mut scores: Option<HashMap<u32, u32>> = None;
            for word in &words {
                // Per record: the best field's score, and whether some field held the word whole.
                let mut best: HashMap<u32, (u32, bool)> = HashMap::new();
                for (list, shortest) in &self.lists {
                    if word.len() < *shortest {
                        continue;
                    }
                    for (term, postings) in list.iter().filter(|(term, _)| term.starts_with(word.as_str())) {
                        let exact = term == word;
                        for &(record, bits) in postings {
                            let entry = best.entry(record).or_default();
                            entry.0 = entry.0.max(weight(bits) * if exact { 3 } else { 2 });
                            entry.1 |= exact;
                        }
                    }
                }
                let these: HashMap<u32, u32> =
                    best.into_iter().map(|(record, (score, whole))| (record, score + u32::from(whole))).collect();
                scores = Some(match scores {
                    None => these,
                    Some(previous) => previous
                        .into_iter()
                        .filter_map(|(record, score)| these.get(&record).map(|s| (record, score + s)))
                        .collect(),
                });
            }
            let mut hits: Vec<Hit> = scores
                .unwrap_or_default()
                .into_iter()
                .map(|(record, score)| Hit {
                    record: RecordId(record),
                    score: score + if preferred(RecordId(record)) { PREFERRED_BONUS } else { 0 },
                })
                .collect();
            hits.sort_by_key(|hit| (std::cmp::Reverse(hit.score), self.tie_rank[hit.record.0 as usize]));
            hits
        }
    }

    /// Queries a user could type into this corpus: every prefix of its terms (so each
    /// length threshold and each exact match is crossed), pairs of words, identifiers,
    /// capitals and accents the query folds, and words nothing holds.
    fn queries(reference: &Reference, rng: &mut Rng) -> Vec<String> {
        let mut terms: Vec<&String> = reference.lists.iter().flat_map(|(list, _)| list.keys()).collect();
        terms.sort();
        let mut queries: Vec<String> = Vec::new();
        for term in terms.iter().step_by(7) {
            for (end, _) in term.char_indices().skip(1).chain(std::iter::once((term.len(), ' '))) {
                queries.push(term[..end].to_owned());
            }
        }
        for _ in 0..300 {
            let a = terms[rng.below(terms.len())];
            let b = terms[rng.below(terms.len())];
            let cut = b.char_indices().nth(1 + rng.below(3)).map_or(b.len(), |(i, _)| i);
            queries.push(format!("{a} {}", &b[..cut]));
        }
        queries.extend(
            ["Müller", "GARCÍA", "lópez 2019", "øster", "zzz", "park, cell; owl", "", " ", "10.1001/X7", "Ng"]
                .map(String::from),
        );
        queries
    }

    /// Words are split, lower-cased, folded and filtered as the first, plainer version did.
    #[test]
    fn search_words_are_split_as_before() {
        fn plain(text: &str) -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| if w.is_ascii() { w.to_ascii_lowercase() } else { fold(w) })
                .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.as_str()))
                .collect()
        }
        assert!(STOP_WORDS.iter().all(|w| w.len() <= 5), "the length check in for_each_search_word");
        let pieces =
            ["The", "of", "THESE", "cell", "2019", " ", "-", ", ", "é", "Müller", "ǅ", "٣", "_", "x", "—", "ß", "Σ"];
        let mut rng = Rng(5);
        for _ in 0..3000 {
            let text: String = (0..rng.below(12)).map(|_| rng.pick(&pieces)).collect();
            let mut words = Vec::new();
            for_each_search_word(&text, |w| words.push(w.to_owned()));
            assert_eq!(words, plain(&text), "{text:?}");
        }
        let mut words = Vec::new();
        for_each_search_word("Cells of the Town, 2019-2020: x", |w| words.push(w.to_owned()));
        assert_eq!(words, ["cells", "town", "2019", "2020", "x"]);
    }

    /// Every name resolves to the records that answer to it, ambiguous names included, as a
    /// map from each name to its records would say.
    #[test]
    fn names_resolve_as_a_plain_map_would() {
        let keys: Vec<Vec<String>> = (0..3000)
            .map(|i: usize| {
                let mut names = vec![format!("k{}", i % 1700), format!("doi:10.1/{}", i % 2900)];
                if i.is_multiple_of(11) {
                    names.push(format!("k{}", i % 1700));
                }
                if i.is_multiple_of(500) {
                    names.push("shared".to_owned());
                }
                names
            })
            .collect();
        let mut reference: HashMap<&str, Vec<RecordId>> = HashMap::new();
        for (i, names) in keys.iter().enumerate() {
            for name in names {
                let ids = reference.entry(name).or_default();
                if !ids.contains(&RecordId(i as u32)) {
                    ids.push(RecordId(i as u32));
                }
            }
        }
        let mut names = RecordNames::default();
        for record_names in &keys {
            names.push(record_names);
        }
        let index = Index::build_names(&Arc::new(names));
        // Warming the lookups first (as a diagnostics pass does) changes no answer below, for
        // known names, unknown ones and the empty name; nor does warming an empty table.
        let unknown = ["K7", "k", "", "doi:10.1/none"];
        index.warm(reference.keys().copied().chain(unknown));
        Index::build_names(&Arc::new(RecordNames::default())).warm(unknown.into_iter());
        for (name, ids) in &reference {
            let expected = match ids.as_slice() {
                [one] => Resolution::One(*one),
                many => Resolution::Ambiguous(many),
            };
            assert_eq!(index.resolve(name), expected, "{name}");
        }
        assert_eq!(index.resolve("DOI:10.1/1000"), Resolution::One(RecordId(1000)));
        assert_eq!(index.resolve("K7"), Resolution::Unknown);
        assert_eq!(index.resolve("k"), Resolution::Unknown);
        let listed: HashMap<&str, Vec<RecordId>> = index
            .names()
            .map(|(n, resolution)| match resolution {
                Resolution::One(id) => (n, vec![id]),
                Resolution::Ambiguous(ids) => (n, ids.to_vec()),
                Resolution::Unknown => panic!("{n} is listed but unknown"),
            })
            .collect();
        assert_eq!(listed, reference);
    }

    #[test]
    fn search_answers_as_a_plain_term_map_would() {
        for seed in [1, 7, 2026] {
            let bib = bibliography(seed, 700);
            let corpus = Corpus::build(
                vec![Input { path: "refs.bib".to_owned(), text: bib, origin: Origin::Workspace }],
                Vec::new(),
            );
            assert!(corpus.records.len() > 600, "seed {seed}: {} records", corpus.records.len());
            let reference = Reference::new(&corpus);
            let mut rng = Rng(seed);
            let queries = queries(&reference, &mut rng);
            assert!(queries.len() > 500);
            let preferred = |id: RecordId| id.0 % 7 == 3;
            for query in &queries {
                let all = reference.search(query, &preferred);
                for limit in [5, 50, 10_000] {
                    let expected = (all[..all.len().min(limit)].to_vec(), all.len() > limit);
                    assert_eq!(
                        corpus.index.search(query, limit, &preferred),
                        expected,
                        "seed {seed}, query {query:?}, limit {limit}"
                    );
                }
                let word = fold(query);
                let family: Vec<RecordId> = reference.lists[0]
                    .0
                    .get(&word)
                    .into_iter()
                    .flatten()
                    .filter(|(_, bits)| bits & fields::FAMILY != 0)
                    .map(|&(record, _)| RecordId(record))
                    .collect();
                assert_eq!(corpus.index.with_family_word(&word).collect::<Vec<_>>(), family, "seed {seed}, {word:?}");
                let lower = query.to_lowercase();
                let keys: Vec<(&str, RecordId)> = reference
                    .sorted_keys
                    .iter()
                    .filter(|(k, _)| k.starts_with(&lower))
                    .take(20)
                    .map(|(k, id)| (k.as_str(), *id))
                    .collect();
                assert_eq!(
                    corpus.index.keys_with_prefix(&lower, 20).collect::<Vec<_>>(),
                    keys,
                    "seed {seed}, {lower:?}"
                );
            }
        }
    }
}
