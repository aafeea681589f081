//! The corpus: the researcher's sources, read into citable records and indexed.
//!
//! This layer knows nothing of editors or LSP. Readers return records *and* problems; the
//! corpus then merges one work reached from several files (same DOI, PMID or normalised
//! title; never two records whose DOIs, PMIDs or PMCIDs differ), links cited works to the documents that cite them, assigns citation keys
//! ([`key`]) and builds the lookup index ([`index`]).
//!
//! Architecture invariant: building is deterministic. Inputs are sorted by path, so the same
//! files give the same records, keys and index whatever order the file system lists them in.

pub mod abstracts;
pub mod bibtex;
pub mod cache;
pub mod csl;
pub mod csl_json;
pub mod csl_yaml;
pub mod discover;
pub mod doi;
pub mod export;
pub mod index;
pub mod key;
pub mod names;
pub mod page;
pub mod problem;
pub mod record;
pub mod record_names;
pub mod ris;
pub mod scope;
pub mod seeds;
pub mod snapshot;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

pub use doi::Doi;
pub use index::{Hit, Index, Resolution};
pub use problem::{Problem, Severity};
pub use record::{Confidence, Field, FileId, Location, Person, Record, RecordId, RecordKind, WorkType};
pub use record_names::RecordNames;

/// The hash map of the corpus's build-time tables and the index. Keys are strings from the
/// user's own files and record numbers, hashed hundreds of thousands of times at start-up,
/// where SipHash (std's default, built to resist HashDoS from untrusted network input) cost
/// about a tenth of the CPU; see ARCHITECTURE.md for the choice of hasher.
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Who owns a corpus file's text (compare texlab's `Owner`): the embedded seeds are read-only
/// and have no path on disk; workspace files are read from disk; client files are open in the
/// editor and their unsaved text wins.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Seed,
    Workspace,
    Client,
}

/// One file to read into the corpus.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as the user gave it (or `seeds/…` for embedded seeds).
    pub path: String,
    pub text: String,
    pub origin: Origin,
}

/// A corpus file, without its text. Records keep byte ranges; the line numbers of the
/// places that are shown as lines (record anchors) are computed while the text is at hand and
/// kept here, so memory follows the number of records rather than the size of the pages.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct SourceFile {
    /// The file's id, given when it was read: records read from it carry it in their locations.
    pub id: FileId,
    pub path: String,
    pub origin: Origin,
    /// Where this file's anchors sit, shared: the assembled corpus holds a clone of every
    /// `SourceFile` while the workspace keeps the reading it came from, and a table of its own
    /// in each was two copies of 32 bytes per record (issue 11).
    anchors: Arc<AnchorTable>,
}

/// The anchors of a [`SourceFile`], computed while its text was at hand.
#[derive(serde::Serialize, serde::Deserialize, Debug, Default)]
struct AnchorTable {
    /// `(byte offset, zero-based line, byte offset of that line's start)` of every anchor in
    /// this file, sorted by offset.
    lines: Box<[(u32, u32, u32)]>,
    /// `ends[i]`: where the anchor of `lines[i]` ends, and its columns in both
    /// encodings a client may ask for, so that an anchor becomes a client range without
    /// reading the file again (diagnostics point at dozens of entries of a 50 MB bibliography
    /// at every keystroke; see [`SourceFile::anchor_position`]).
    ends: Box<[AnchorEnd]>,
}

/// What is kept of an anchor beyond its start line (see [`AnchorPosition`], which it becomes
/// with the start from `AnchorTable::lines`): its end offset, the zero-based line and the columns of
/// its end, and the UTF-16 column of its start (the UTF-8 one is a byte difference).
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
struct AnchorEnd {
    /// Byte offset of the end; `u32::MAX` when the columns could not be worked out.
    end: u32,
    line: u32,
    start_utf16: u32,
    end_utf8: u32,
    end_utf16: u32,
}

/// An anchor's start and end as zero-based lines and columns, in UTF-8 bytes and UTF-16 code
/// units (what the LSP calls a position in either encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnchorPosition {
    pub start_line: u32,
    pub start_utf8: u32,
    pub start_utf16: u32,
    pub end_line: u32,
    pub end_utf8: u32,
    pub end_utf16: u32,
}

/// Zero-based line numbers of `offsets` (sorted) in `text`; lines end at `\n`, `\r\n` or a
/// lone `\r`.
fn lines_of(text: &str, offsets: &[u32]) -> Vec<(u32, u32, u32)> {
    let bytes = text.as_bytes();
    let mut res = Vec::with_capacity(offsets.len());
    let (mut line, mut line_start, mut i) = (0u32, 0u32, 0usize);
    for &offset in offsets {
        let offset_usize = (offset as usize).min(bytes.len());
        while i < offset_usize {
            let is_break = bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if is_break {
                line += 1;
                line_start = i as u32 + 1;
            }
            i += 1;
        }
        res.push((offset, line, line_start));
    }
    res
}

/// The end of the anchor `offset..end`, whose line `line` starts at `line_start`: lines end
/// at `\n`, `\r\n` or a lone `\r`, as in [`lines_of`].
fn anchor_end(text: &str, offset: u32, line: u32, line_start: u32, end: u32) -> AnchorEnd {
    let unknown = AnchorEnd { end: u32::MAX, ..AnchorEnd::default() };
    let Some(slice) = text.get(line_start as usize..end as usize) else { return unknown };
    let start = (offset - line_start) as usize;
    if !slice.is_char_boundary(start) {
        return unknown;
    }
    // Counted over bytes, not characters: an anchor is a whole entry, and this runs for every
    // entry of a bibliography. A break is `\n` or a `\r` not followed by `\n`.
    let bytes = slice.as_bytes();
    let is_break = |i: usize| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
    let line_after = |upto: usize| (0..upto).rev().find(|&i| is_break(i)).map_or(0, |i| i + 1);
    let breaks = bytes.iter().enumerate().filter(|&(i, &b)| matches!(b, b'\n' | b'\r') && is_break(i)).count();
    let start_line = line_after(start);
    let end_line = line_after(bytes.len());
    AnchorEnd {
        end,
        line: line + breaks as u32,
        start_utf16: utf16_len(&bytes[start_line..start]),
        end_utf8: (bytes.len() - end_line) as u32,
        end_utf16: utf16_len(&bytes[end_line..]),
    }
}

/// UTF-16 code units of UTF-8 text: one per character, two for a character of four bytes.
fn utf16_len(bytes: &[u8]) -> u32 {
    bytes.iter().map(|&b| u32::from(b & 0xC0 != 0x80) + u32::from(b >= 0xF0)).sum()
}

impl SourceFile {
    fn new(id: FileId, path: String, origin: Origin, text: &str, reading: &FileReading) -> SourceFile {
        let mut anchors: Vec<(u32, u32)> = reading
            .documents
            .iter()
            .chain(&reading.cited)
            .flat_map(|r| r.anchors.iter().map(|a| (a.range.start, a.range.end)))
            .collect();
        // Anchors sharing a start keep the furthest end.
        anchors.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        anchors.dedup_by_key(|a| a.0);
        let offsets: Vec<u32> = anchors.iter().map(|a| a.0).collect();
        let anchor_lines = lines_of(text, &offsets);
        let anchor_ends = anchor_lines
            .iter()
            .zip(&anchors)
            .map(|(&(offset, line, line_start), &(_, end))| anchor_end(text, offset, line, line_start, end))
            .collect();
        SourceFile::from_anchors(id, path, origin, anchor_lines, anchor_ends)
    }

    /// A file whose reader worked out its anchors' lines and ends itself, while their text was
    /// at hand (`anchor_lines` sorted by offset, one end each).
    fn from_anchors(
        id: FileId,
        path: String,
        origin: Origin,
        anchor_lines: Vec<(u32, u32, u32)>,
        anchor_ends: Vec<AnchorEnd>,
    ) -> SourceFile {
        SourceFile {
            id,
            path,
            origin,
            anchors: Arc::new(AnchorTable {
                lines: anchor_lines.into_boxed_slice(),
                ends: anchor_ends.into_boxed_slice(),
            }),
        }
    }

    /// Zero-based line of an anchor's offset (0 for offsets that are not anchors).
    pub fn line_of_offset(&self, offset: u32) -> u32 {
        self.anchor_line(offset).map_or(0, |(line, _)| line)
    }

    /// Zero-based line of an anchor's offset and the byte offset where that line starts, so
    /// a client position can be computed by reading only that part of the file.
    pub fn anchor_line(&self, offset: u32) -> Option<(u32, u32)> {
        let i = self.anchors.lines.binary_search_by_key(&offset, |&(o, _, _)| o).ok()?;
        let (_, line, start) = self.anchors.lines[i];
        Some((line, start))
    }

    /// Where the anchor `range` starts and ends, as the file was read. `None` when `range` is
    /// not an anchor of this file (then the file must be read to convert it).
    pub fn anchor_position(&self, range: &std::ops::Range<u32>) -> Option<AnchorPosition> {
        let i = self.anchors.lines.binary_search_by_key(&range.start, |&(o, _, _)| o).ok()?;
        let (offset, line, line_start) = self.anchors.lines[i];
        let end = self.anchors.ends[i];
        (range.end == end.end).then_some(AnchorPosition {
            start_line: line,
            start_utf8: offset - line_start,
            start_utf16: end.start_utf16,
            end_line: end.line,
            end_utf8: end.end_utf8,
            end_utf16: end.end_utf16,
        })
    }

    /// The file name without directories or extension, for fallback keys.
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit(['/', '\\']).next().unwrap_or(&self.path);
        name.rsplit_once('.').map_or(name, |(stem, _)| stem)
    }
}

/// A problem tied to the corpus file it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub file: Option<FileId>,
    pub path: String,
    pub problem: Problem,
}

/// The indexed corpus.
#[derive(Default)]
pub struct Corpus {
    /// The files, sorted by path. Their ids need not be their positions (the server keeps a
    /// file's id while it is cached): [`Corpus::file`] maps one to the other.
    pub files: Vec<SourceFile>,
    /// `slots[id]`: the position in `files` of the file with that id.
    slots: Vec<u32>,
    /// Records are shared with the per-file readings the server caches: a record that is not
    /// merged with another or linked to citing works is the very reading of its file, not a
    /// copy (copying every record doubled the memory of a large corpus).
    pub records: Vec<Arc<Record>>,
    /// `keys.of(i)`: every name record `i` answers to; the first is its citation key.
    pub keys: Arc<RecordNames>,
    /// Base keys shared by several works, with the records sharing them.
    pub ambiguous: Vec<(String, Vec<RecordId>)>,
    pub index: Index,
    pub problems: Vec<FileProblem>,
    /// Answers derived from this corpus alone, kept while it lives (see [`Memo`]).
    pub memo: Memo,
}

/// An unknown key and how many suggestions were asked for.
type SuggestionQuery = (Box<str>, usize);

/// Answers that depend only on the corpus, computed on first use and kept with it: a corpus
/// never changes once built (a change builds a new one), so they can never go stale. They are
/// what every keystroke would otherwise recompute, such as the "did you mean" keys of the
/// unknown keys a manuscript keeps citing (issue 11: at 100,000 records they were most of an
/// edit's diagnostics time).
#[derive(Default)]
pub struct Memo {
    suggestions: std::sync::Mutex<HashMap<SuggestionQuery, Arc<[RecordId]>>>,
    /// The path a file is shown under (resolved links, or the seeds' copy on disk): resolving
    /// it took several system calls for every location a diagnostic or hover points at.
    paths: std::sync::Mutex<HashMap<FileId, Option<std::path::PathBuf>>>,
    /// One bit per record, set for the works known only from reference lists
    /// ([`RecordKind::Cited`]): an edit's pass asks for every citation, and reading each
    /// record's kind was a cache miss per citation after the writer's pause (~110 µs of a
    /// 500-citation pass at 10,000 records, issue 11).
    cited_only: std::sync::OnceLock<Box<[u64]>>,
    /// The names a pass resolved to one work, and that work (see [`Corpus::resolve_all`]):
    /// the few hundred names a manuscript cites, in one small table, instead of a lookup
    /// spread over the whole index for each. After the writer's pause the index's lookups were
    /// cache misses; this table is what the last pass read (issue 11).
    resolved: std::sync::Mutex<FastMap<compact_str::CompactString, RecordId>>,
}

impl Memo {
    /// Bounds the memo: a session typing many different unknown keys must not grow it forever.
    const MAX_SUGGESTIONS: usize = 4_096;

    /// Bounds the table of resolved names (~50 bytes a name with the table's own): a paper
    /// cites a few hundred works, a workspace checked by the command line may cite tens of
    /// thousands; when full the table starts again from the names being resolved.
    const MAX_RESOLVED: usize = 4_096;

    /// The keys close to `unknown` (at most `limit`), computed by `compute` the first time.
    pub fn suggestions(&self, unknown: &str, limit: usize, compute: impl FnOnce() -> Vec<RecordId>) -> Arc<[RecordId]> {
        memoized(&self.suggestions, (unknown.into(), limit), Self::MAX_SUGGESTIONS, || compute().into())
    }

    /// The path `file` is shown under, computed by `compute` the first time.
    pub fn path(
        &self,
        file: FileId,
        compute: impl FnOnce() -> Option<std::path::PathBuf>,
    ) -> Option<std::path::PathBuf> {
        // One entry per corpus file at most, so no bound is needed.
        memoized(&self.paths, file, usize::MAX, compute)
    }
}

/// How many names [`Corpus::resolve_all`] resolves together: enough for a paper's citations
/// to be warmed at once, few enough that the answers waiting to be read stay small.
pub const RESOLVED_CHUNK: usize = 1_024;

/// The names of [`Corpus::resolve_all`] with their answers, in order.
pub struct ResolveAll<'c, N, I> {
    corpus: &'c Corpus,
    names: I,
    chunk: Vec<N>,
    answers: std::collections::VecDeque<(N, Resolution<'c>)>,
}

impl<'c, N: AsRef<str>, I: Iterator<Item = N>> Iterator for ResolveAll<'c, N, I> {
    type Item = (N, Resolution<'c>);

    fn next(&mut self) -> Option<(N, Resolution<'c>)> {
        if self.answers.is_empty() {
            self.chunk.extend(self.names.by_ref().take(RESOLVED_CHUNK));
            if self.chunk.is_empty() {
                return None;
            }
            let mut answers = Vec::with_capacity(self.chunk.len());
            self.corpus.resolve_chunk(&self.chunk, &mut answers);
            self.answers.extend(self.chunk.drain(..).zip(answers));
        }
        self.answers.pop_front()
    }
}

/// The value of `key` in `memo`, computed by `compute` the first time. The map is emptied
/// when it holds `max` entries.
fn memoized<K: std::hash::Hash + Eq, V: Clone>(
    memo: &std::sync::Mutex<HashMap<K, V>>,
    key: K,
    max: usize,
    compute: impl FnOnce() -> V,
) -> V {
    // A panic elsewhere while the lock was held leaves a map of complete entries.
    let lock = || memo.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = lock().get(&key) {
        return found.clone();
    }
    // Computed outside the lock: two requests may both compute one value, none waits.
    let found = compute();
    let mut memo = lock();
    if memo.len() >= max {
        memo.clear();
    }
    memo.insert(key, found.clone());
    found
}

/// The records claiming one name while keys are assigned: nearly always one, held inline.
enum Claimants {
    One(RecordId),
    Many(Vec<RecordId>),
}

impl Claimants {
    fn push(&mut self, id: RecordId) {
        match self {
            Claimants::One(first) => *self = Claimants::Many(vec![*first, id]),
            Claimants::Many(ids) => ids.push(id),
        }
    }

    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn as_slice(&self) -> &[RecordId] {
        match self {
            Claimants::One(id) => std::slice::from_ref(id),
            Claimants::Many(ids) => ids,
        }
    }
}

/// What one file yields before the corpus-wide passes.
#[derive(Clone, Debug)]
struct FileReading {
    documents: Vec<Arc<Record>>,
    cited: Vec<Arc<Record>>,
    problems: Vec<Problem>,
}

/// One corpus file, read on its own under a file id that its records keep. The server caches
/// these per path (a file keeps its id while it is cached), so a changed file is read again
/// alone and the others' records are shared, not copied, by the next corpus.
#[derive(Clone, Debug)]
pub struct ReadFile {
    pub source: SourceFile,
    reading: FileReading,
}

impl ReadFile {
    pub fn read(id: FileId, input: &Input) -> ReadFile {
        let reading = read_file(id, input);
        ReadFile { source: SourceFile::new(id, input.path.clone(), input.origin, &input.text, &reading), reading }
    }

    /// [`ReadFile::read`] of an input the caller gives up. A BibTeX file is freed from its end
    /// as its entries become records (see `bibtex::read_releasing`), so a large bibliography's
    /// text and its records do not sit in memory together; other files are read as by
    /// [`ReadFile::read`].
    pub fn read_owned(id: FileId, input: Input) -> ReadFile {
        // Abstracts are left in a file read from disk (the editor's text of an open file may
        // differ from it), up to where replaced invalid UTF-8 moves the text's offsets away from
        // the file's; see `abstracts`.
        let kind = SourceKind::from_path(&input.path);
        let in_file_until = if input.origin == Origin::Workspace
            && matches!(kind, SourceKind::Bibtex | SourceKind::CslJson)
            && std::path::Path::new(&input.path).is_file()
        {
            abstracts::file_offsets_until(&input.path, &input.text)
        } else {
            0
        };
        match kind {
            SourceKind::Bibtex => {}
            SourceKind::CslJson if in_file_until > 0 => {
                let mut read = ReadFile::read(id, &input);
                // Each record was just made: no other owner shares it yet.
                for record in read.reading.documents.iter_mut().filter_map(Arc::get_mut) {
                    abstracts::leave_in_file(record, &input.text, in_file_until, kind);
                }
                return read;
            }
            _ => return ReadFile::read(id, &input),
        }
        let Input { path, text, origin } = input;
        let reading = bibtex::read_releasing(id, text, in_file_until);
        // A BibTeX record has one anchor, its entry, and entries do not overlap: the anchors
        // come sorted and distinct, as `SourceFile::new` would sort and deduplicate them.
        let source = SourceFile::from_anchors(id, path, origin, reading.anchors, reading.anchor_ends);
        let reading = FileReading { documents: reading.records, cited: Vec::new(), problems: reading.problems };
        ReadFile { source, reading }
    }

    /// How many records the file yielded.
    pub fn record_count(&self) -> usize {
        self.reading.documents.len() + self.reading.cited.len()
    }

    /// The problems found in the file.
    pub fn problems(&self) -> &[Problem] {
        &self.reading.problems
    }

    /// Whether reading met a syntax error (a half-written file, a broken entry).
    pub fn has_errors(&self) -> bool {
        self.reading.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// This file's records from an earlier, good reading, with the problems of the new one:
    /// what the server keeps while a bibliography is half-written.
    pub fn with_problems_of(&self, newer: &ReadFile) -> ReadFile {
        let mut res = self.clone();
        res.reading.problems = newer.reading.problems.clone();
        res.reading.problems.push(Problem::new(
            Severity::Warning,
            "kept-last-good",
            format!(
                "{} entries could not be read; the last good version of this file is used until it is fixed",
                self.record_count().saturating_sub(newer.record_count())
            ),
        ));
        res
    }
}

/// How a corpus file is read, decided by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A saved article page (plain text, HTML or JATS XML saved as text).
    Page,
    Bibtex,
    CslJson,
    CslYaml,
    Ris,
}

impl SourceKind {
    pub fn from_path(path: &str) -> SourceKind {
        let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match extension.as_str() {
            "bib" | "bibtex" => SourceKind::Bibtex,
            "json" => SourceKind::CslJson,
            "yaml" | "yml" => SourceKind::CslYaml,
            "ris" => SourceKind::Ris,
            _ => SourceKind::Page,
        }
    }

    /// Bibliography files hold entries with their own keys; pages do not.
    pub fn is_bibliography(self) -> bool {
        self != SourceKind::Page
    }
}

/// Whether a JSON or YAML file looks like a CSL bibliography at all: a walked directory
/// holds other JSON and YAML (`package.json`, `_quarto.yml`), which are not sources.
fn looks_like_csl(kind: SourceKind, text: &str) -> bool {
    match kind {
        SourceKind::CslJson => {
            let start = text.trim_start();
            (start.starts_with('[') || start.starts_with('{')) && text.contains("\"type\"")
        }
        // A bare list: pandoc's `- id:`, or Manubot's manual references, which start with any
        // field (`- type: article`).
        SourceKind::CslYaml => {
            let start = text.trim_start();
            text.contains("references:")
                || start.starts_with("- id:")
                || (start.starts_with("- ") && (text.contains("\n  type:") || start.starts_with("- type:")))
        }
        _ => true,
    }
}

fn read_file(id: FileId, input: &Input) -> FileReading {
    let kind = SourceKind::from_path(&input.path);
    if !looks_like_csl(kind, &input.text) {
        tracing::debug!("{}: not a CSL bibliography; skipped", input.path);
        return FileReading { documents: Vec::new(), cited: Vec::new(), problems: Vec::new() };
    }
    let shared = |mut record: Record| {
        record.shrink_to_fit();
        Arc::new(record)
    };
    let (documents, problems) = match kind {
        SourceKind::Page => {
            let reading = page::read(id, &input.text);
            return FileReading {
                documents: reading.document.into_iter().map(shared).collect(),
                cited: reading.cited.into_iter().map(shared).collect(),
                problems: reading.problems,
            };
        }
        SourceKind::Bibtex => {
            let (documents, problems) = bibtex::read_shared(id, &input.text);
            return FileReading { documents, cited: Vec::new(), problems };
        }
        SourceKind::CslJson => csl_json::read(id, &input.text),
        SourceKind::CslYaml => csl_yaml::read(id, &input.text),
        SourceKind::Ris => ris::read(id, &input.text),
    };
    FileReading { documents: documents.into_iter().map(shared).collect(), cited: Vec::new(), problems }
}

/// The text of a corpus file read once more, after its cache entry turned out damaged past
/// its head (the first text was freed by then). A file that cannot be read now gives no text,
/// with a log line.
fn read_again(path: String, origin: Origin) -> Input {
    read_again_reporting(path, origin).0
}

/// [`read_again`], with the problem reading met (invalid UTF-8, say), for a file read for the
/// first time here.
fn read_again_reporting(path: String, origin: Origin) -> (Input, Option<FileProblem>) {
    match discover::read_source(std::path::Path::new(&path)) {
        (Some(input), problem) => (Input { origin, ..input }, problem),
        (None, problem) => {
            tracing::warn!("{path}: could not be read ({problem:?})");
            (Input { path, text: String::new(), origin }, problem)
        }
    }
}

/// What [`Corpus::read_all_cached`] read, in the order of `files` (sorted by path, file ids
/// `0..n`).
#[derive(Default)]
pub struct CachedReading {
    pub files: Vec<ReadFile>,
    /// Per file, the stamp of the content read, for every workspace file when there is a
    /// cache (it keys the corpus's snapshot).
    pub stamps: Vec<Option<cache::Stamp>>,
    /// Positions of the files the cache takes (large bibliographies) but did not hold.
    missed: Vec<usize>,
    /// Problems met reading files that discovery left unread.
    pub problems: Vec<FileProblem>,
}

impl CachedReading {
    /// The files the cache would take but did not hold (stamp and position), for the caller
    /// to store when it has time.
    pub fn misses(&self) -> impl Iterator<Item = (&cache::Stamp, usize)> {
        self.missed.iter().filter_map(|&i| Some((self.stamps[i].as_ref()?, i)))
    }
}

/// A stamp [`Corpus::read_all_cached`] took: of a file the cache takes, or of one it does not
/// (which only keys the snapshot).
enum Stamped {
    Cacheable(cache::Stamp),
    KeyOnly(cache::Stamp),
}

impl Stamped {
    fn into_stamp(self) -> cache::Stamp {
        match self {
            Stamped::Cacheable(stamp) | Stamped::KeyOnly(stamp) => stamp,
        }
    }
}

/// A file for [`Corpus::read_all_cached`]: its text, or a bibliography not read yet and the
/// stamp of its content on disk.
enum Pending {
    Text(Input),
    Stamped(cache::Stamp),
}

impl Pending {
    fn path(&self) -> &str {
        match self {
            Pending::Text(input) => &input.path,
            Pending::Stamped(stamp) => &stamp.path,
        }
    }

    fn is_stamped(&self) -> bool {
        matches!(self, Pending::Stamped(_))
    }
}

/// Normalised title for matching one work across sources: ASCII-folded letters and digits.
fn title_identity(record: &Record) -> Option<String> {
    let folded = key::fold(record.title()?);
    (folded.len() >= 20).then_some(folded)
}

/// Whether two records name different works by their identifiers: both have a DOI (or a
/// PMID, or a PMCID) and the two differ. Such records are never merged, whatever else they
/// share: a merged record keeps one of the two DOIs, so the key and `doi:` name of the other
/// work would silently point at the wrong one.
fn identifiers_differ(a: &Record, b: &Record) -> bool {
    fn differ<T: PartialEq>(x: Option<&T>, y: Option<&T>) -> bool {
        matches!((x, y), (Some(x), Some(y)) if x != y)
    }
    differ(a.doi(), b.doi())
        || differ(a.rare().pmid.as_ref().map(|f| &f.value), b.rare().pmid.as_ref().map(|f| &f.value))
        || differ(a.rare().pmcid.as_ref().map(|f| &f.value), b.rare().pmcid.as_ref().map(|f| &f.value))
}

/// Whether two records found by the same title can be one work: when both show a first
/// author or a year, those must agree too.
fn compatible(a: &Record, b: &Record) -> bool {
    let family = |r: &Record| r.authors.first().map(|p| key::fold(p.value.family()));
    let families_agree = match (family(a), family(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    let years_agree = match (a.year(), b.year()) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    families_agree && years_agree
}

impl Corpus {
    /// Reads, merges, links, keys and indexes `inputs`. Never fails: unreadable parts become
    /// [`Corpus::problems`].
    pub fn build(inputs: Vec<Input>, problems: Vec<FileProblem>) -> Corpus {
        Corpus::assemble(Corpus::read_all(inputs).into_iter().map(Arc::new).collect(), problems)
    }

    /// Reads every input on all cores, sorted by path (duplicates dropped); the files get the
    /// ids `0..n` in that order.
    pub fn read_all(inputs: Vec<Input>) -> Vec<ReadFile> {
        Corpus::read_all_cached(inputs, Vec::new(), None).files
    }

    /// [`Corpus::read_all`], taking from `cache` the files it holds unchanged. `deferred` are
    /// bibliographies not read yet (see [`discover::discover_deferring`]): one the cache holds
    /// unchanged is never read whole, only hashed as it streams. See [`CachedReading`] for
    /// what else comes back.
    pub fn read_all_cached(inputs: Vec<Input>, deferred: Vec<String>, cache: Option<&cache::Cache>) -> CachedReading {
        let t0 = std::time::Instant::now();
        let mut problems = Vec::new();
        let prepared: Vec<(Option<Pending>, Option<FileProblem>)> = deferred
            .into_par_iter()
            .map(|path| match cache.and_then(|c| c.stamp_unread(&path)) {
                Some(stamp) => (Some(Pending::Stamped(stamp)), None),
                None => {
                    let (input, problem) = discover::read_source(std::path::Path::new(&path));
                    (input.map(Pending::Text), problem)
                }
            })
            .collect();
        let mut pending: Vec<Pending> = inputs.into_iter().map(Pending::Text).collect();
        for (file, problem) in prepared {
            pending.extend(file);
            problems.extend(problem);
        }
        // By path; of two entries for one path the text given wins (an editor's, say).
        pending.sort_by(|a, b| a.path().cmp(b.path()).then(a.is_stamped().cmp(&b.is_stamped())));
        pending.dedup_by(|a, b| a.path() == b.path());
        // Each input is given up to its reader, which frees the text as it goes.
        // Per file: its reading, its stamp when the cache takes it, whether the cache held it,
        // and what reading it met.
        let read: Vec<(ReadFile, Option<Stamped>, bool, Option<FileProblem>)> = pending
            .into_par_iter()
            .enumerate()
            .map(|(i, pending)| {
                let id = FileId(i as u32);
                let input = match pending {
                    Pending::Text(input) => input,
                    Pending::Stamped(stamp) => {
                        if let Some(file) = cache.and_then(|c| c.load(&stamp, id)) {
                            tracing::debug!("{}: from the cache, unread", stamp.path);
                            return (file, Some(Stamped::Cacheable(stamp)), true, None);
                        }
                        let (input, problem) = read_again_reporting(stamp.path, Origin::Workspace);
                        let stamp = cache.and_then(|c| c.stamp(&input)).map(Stamped::Cacheable);
                        return (ReadFile::read_owned(id, input), stamp, false, problem);
                    }
                };
                let Some(stamp) = cache.and_then(|c| c.stamp(&input)) else {
                    // Not cached, but its stamp still keys the corpus's snapshot.
                    let stamp = cache.and_then(|_| cache::Cache::stamp_any(&input));
                    return (ReadFile::read_owned(id, input), stamp.map(Stamped::KeyOnly), false, None);
                };
                // The text is freed as soon as the entry is known to be this content's: held
                // while the entry was decoded, it was the peak of a warm start (issue 11).
                let (path, origin) = (input.path.clone(), input.origin);
                let mut text = Some(input);
                match cache.and_then(|c| c.load_then(&stamp, id, || drop(text.take()))) {
                    Some(file) => {
                        tracing::debug!("{path}: from the cache");
                        (file, Some(Stamped::Cacheable(stamp)), true, None)
                    }
                    None => match text {
                        Some(input) => (ReadFile::read_owned(id, input), Some(Stamped::Cacheable(stamp)), false, None),
                        // An entry damaged past its head: the text is read again, and stamped
                        // again in case the file changed meanwhile.
                        None => {
                            let input = read_again(path, origin);
                            let stamp = cache.and_then(|c| c.stamp(&input)).map(Stamped::Cacheable);
                            (ReadFile::read_owned(id, input), stamp, false, None)
                        }
                    },
                }
            })
            .collect();
        let mut res = CachedReading { files: Vec::with_capacity(read.len()), ..CachedReading::default() };
        for (i, (file, stamp, hit, problem)) in read.into_iter().enumerate() {
            if !hit && matches!(stamp, Some(Stamped::Cacheable(_))) {
                res.missed.push(i);
            }
            res.stamps.push(stamp.map(Stamped::into_stamp));
            res.problems.extend(problem);
            res.files.push(file);
        }
        res.problems.splice(0..0, problems);
        // The files' text and the readers' temporaries are freed by now.
        crate::memory::release_free_memory();
        tracing::debug!("read {} files in {:?}", res.files.len(), t0.elapsed());
        res
    }

    /// Merges, links, keys and indexes files that were read (in the order given, which must
    /// be sorted by path for keys and ties to be deterministic).
    pub fn assemble(read: Vec<Arc<ReadFile>>, problems: Vec<FileProblem>) -> Corpus {
        let corpus = Corpus::assemble_names(read, problems);
        corpus.build_search();
        corpus
    }

    /// [`Corpus::assemble`] up to the name table: keys resolve, so hover, definition and
    /// diagnostics of keys can answer; searching waits until [`Corpus::build_search`] has
    /// run (the server runs it in the background once this corpus is installed).
    pub fn assemble_names(read: Vec<Arc<ReadFile>>, mut problems: Vec<FileProblem>) -> Corpus {
        let t0 = std::time::Instant::now();
        let mut corpus = Corpus::with_files(&read);
        // Sized for every document at once: growing a map rehashes all it holds.
        let documents: usize = read.iter().map(|f| f.reading.documents.len()).sum();
        // The DOI and PMID tables borrow their keys from the readings, which outlive them: a
        // copy of every DOI was an allocation a record to make and to free (issue 11).
        let mut by_doi: FastMap<&str, RecordId> = FastMap::with_capacity_and_hasher(documents, Default::default());
        let mut by_pmid: FastMap<&str, RecordId> = FastMap::default();
        let mut by_title: FastMap<String, RecordId> = FastMap::with_capacity_and_hasher(documents, Default::default());
        let mut document_of_file: Vec<Option<RecordId>> = vec![None; corpus.files.len()];
        let mut pending_cites: Vec<(usize, &Arc<Record>)> = Vec::new();
        // The documents' title identities (folded titles), on all cores: the merge itself is
        // sequential, and folding 100,000 titles was a third of it.
        let titles: Vec<Vec<Option<String>>> = read
            .par_iter()
            .map(|file| file.reading.documents.par_iter().map(|r| title_identity(r)).collect())
            .collect();

        for ((i, file), titles) in read.iter().enumerate().zip(titles) {
            let reading = &file.reading;
            let file_id = file.source.id;
            for problem in &reading.problems {
                problems.push(FileProblem {
                    file: Some(file_id),
                    path: corpus.files[i].path.clone(),
                    problem: problem.clone(),
                });
            }
            let is_bibliography = SourceKind::from_path(&corpus.files[i].path).is_bibliography();
            for (record, title) in reading.documents.iter().zip(titles) {
                // Two bibliography entries with one DOI are one work; the second is reported on
                // its entry, since a reference manager usually holds a duplicate there.
                let twin = record.doi().and_then(|d| by_doi.get(d.as_str())).copied().filter(|&twin| {
                    let other = &corpus.records[twin.0 as usize];
                    is_bibliography && other.kind == RecordKind::Document && other.given_key.is_some()
                });
                let id = corpus.add_or_merge(record, title, &mut by_doi, &mut by_pmid, &mut by_title);
                // An entry with the DOI of another but a different PMID is kept apart.
                if let Some(twin) = twin.filter(|&twin| twin == id) {
                    let first = corpus.records[twin.0 as usize].anchor().clone();
                    let first_file = corpus.file(first.file);
                    problems.push(FileProblem {
                        file: Some(file_id),
                        path: corpus.files[i].path.clone(),
                        problem: Problem::new(
                            Severity::Warning,
                            "duplicate-doi",
                            format!(
                                "entry `{}` has the DOI of `{}` ({}:{}); they are merged into one work",
                                record.given_key.as_deref().unwrap_or_default(),
                                corpus.records[twin.0 as usize].given_key.clone().unwrap_or_default(),
                                first_file.path,
                                first_file.line_of_offset(first.range.start) + 1
                            ),
                        )
                        .at(record.anchor().range.clone()),
                    });
                }
                document_of_file[i].get_or_insert(id);
            }
            pending_cites.extend(reading.cited.iter().map(|r| (i, r)));
        }
        for (file, record) in pending_cites {
            let Some(citing) = document_of_file[file] else { continue };
            let title = title_identity(record);
            let cited = corpus.add_or_merge(record, title, &mut by_doi, &mut by_pmid, &mut by_title);
            if cited != citing {
                if !corpus.records[citing.0 as usize].rare().cites.contains(&cited) {
                    Arc::make_mut(&mut corpus.records[citing.0 as usize]).rare_mut().cites.push(cited);
                }
                // Cited works arrive grouped by citing document, so a repeat is the last entry.
                if corpus.records[cited.0 as usize].rare().cited_by.last() != Some(&citing) {
                    Arc::make_mut(&mut corpus.records[cited.0 as usize]).rare_mut().cited_by.push(citing);
                }
            }
        }
        // The merge tables hold a copy of every DOI and normalised title (20 MiB at 100,000
        // entries); dropped here, they are not kept beside the index while it is built, the
        // peak of a cold start (issue 11).
        drop((by_doi, by_pmid, by_title));
        tracing::debug!("merged and linked {} records at {:?}", corpus.records.len(), t0.elapsed());
        corpus.assign_keys();
        tracing::debug!("keys at {:?}", t0.elapsed());
        corpus.index = Index::build_names(&corpus.keys);
        tracing::debug!("name table at {:?}", t0.elapsed());
        corpus.problems = problems;
        corpus
    }

    /// An empty corpus of these files (their sources, and where each id sits).
    fn with_files(read: &[Arc<ReadFile>]) -> Corpus {
        let files: Vec<SourceFile> = read.iter().map(|file| file.source.clone()).collect();
        let mut slots = vec![u32::MAX; files.iter().map(|f| f.id.0 as usize + 1).max().unwrap_or(0)];
        for (i, file) in files.iter().enumerate() {
            slots[file.id.0 as usize] = i as u32;
        }
        Corpus { files, slots, ..Corpus::default() }
    }

    /// Builds the search part of the index (see [`Corpus::assemble_names`]); does nothing
    /// when it is built, and waits when another thread is building it.
    pub fn build_search(&self) {
        if self.index.search_ready() && self.index.late_ready() {
            return;
        }
        self.build_search_terms();
        // Completion can answer now; the abstracts left in their files join the search
        // after, read again from their files, on the memory the terms' build gave back.
        let abstracts = abstracts::AbstractReader::new(self);
        self.index.build_late(&self.records, &|record| abstracts.text(record));
        crate::memory::release_free_memory();
    }

    /// [`Corpus::build_search`] without the words of the abstracts left in their files
    /// (`Index::build_late`): all that completion waits for. The server builds this much of a
    /// corpus that replaces one in use before installing it, and the rest after.
    pub fn build_search_terms(&self) {
        if self.index.search_ready() {
            return;
        }
        // The index's temporary term maps are the peak of a cold start: built on memory the
        // merge tables gave back rather than beside it (off the first answer's path: the
        // server runs this in the background).
        crate::memory::release_free_memory();
        self.index.build_search(&self.records, &self.keys);
        crate::memory::release_free_memory();
    }

    /// Adds a record, or merges it into the record of the same work. `title` is the record's
    /// [`title_identity`].
    fn add_or_merge<'r>(
        &mut self,
        record: &'r Arc<Record>,
        title: Option<String>,
        by_doi: &mut FastMap<&'r str, RecordId>,
        by_pmid: &mut FastMap<&'r str, RecordId>,
        by_title: &mut FastMap<String, RecordId>,
    ) -> RecordId {
        // The same DOI, else the same PMID, else the same title with agreeing author and year;
        // never a record whose identifiers name another work.
        let existing = [
            record.doi().and_then(|d| by_doi.get(d.as_str())).copied(),
            record.rare().pmid.as_ref().and_then(|p| by_pmid.get(p.value.as_str())).copied(),
            title
                .as_ref()
                .and_then(|t| by_title.get(t))
                .copied()
                .filter(|id| compatible(&self.records[id.0 as usize], record)),
        ]
        .into_iter()
        .flatten()
        .find(|id| !identifiers_differ(&self.records[id.0 as usize], record));
        let (id, title) = match existing {
            Some(id) => {
                // Only a merged record is copied out of its file's reading.
                Arc::make_mut(&mut self.records[id.0 as usize]).merge_from(record);
                (id, title_identity(&self.records[id.0 as usize]))
            }
            None => {
                // A new record's title identity is the one just computed (folding every
                // title twice was a tenth of assembling 100,000 entries).
                self.records.push(Arc::clone(record));
                (RecordId(self.records.len() as u32 - 1), title)
            }
        };
        // The merged record's DOI and PMID are the ones it had (in the tables since it got
        // them) or the new record's: records whose identifiers differ are never merged.
        if let Some(doi) = record.doi() {
            by_doi.entry(doi.as_str()).or_insert(id);
        }
        if let Some(pmid) = &record.rare().pmid {
            by_pmid.entry(pmid.value.as_str()).or_insert(id);
        }
        if let Some(title) = title {
            by_title.entry(title).or_insert(id);
        }
        id
    }

    /// Gives every record its key and identifier names; see [`key`] for the rules.
    ///
    /// A record answers to the keys its bibliographies give it, and, when a saved page is
    /// among its sources, to the generated key too: merging a `.bib` entry with a page must
    /// not make the page's key disappear from manuscripts that already use it.
    fn assign_keys(&mut self) {
        // Per file id, once: the kind of a file is decided by its extension, which costs an
        // allocation to read.
        let is_page: Vec<bool> = (0..self.slots.len())
            .map(|id| {
                let slot = self.slots[id];
                slot != u32::MAX && !SourceKind::from_path(&self.files[slot as usize].path).is_bibliography()
            })
            .collect();
        // Every record's claimed names in one buffer: a `Vec<String>` per record was two
        // allocations a record to make and to free, a third of assigning keys (issue 11).
        let mut claims = RecordNames::with_capacity(self.records.len());
        for record in &self.records {
            let given =
                record.given_key.as_deref().into_iter().chain(record.rare().alias_keys.iter().map(String::as_str));
            let from_page = record.anchors.iter().any(|a| is_page[a.file.0 as usize]);
            let generated = if given.clone().next().is_none() || from_page {
                let generated = key::base_key(record, self.file(record.anchor().file).stem());
                (!given.clone().any(|name| name == generated)).then_some(generated)
            } else {
                None
            };
            claims.push(given.chain(generated.as_deref()));
        }
        // Who claims each name, borrowing the names from `claims` (one record, held inline,
        // for nearly every name): copying 100,000 keys into the map, each with a list of
        // one, was a third of assigning keys.
        let mut claimants: FastMap<&str, Claimants> =
            FastMap::with_capacity_and_hasher(self.records.len(), Default::default());
        for (i, names) in claims.iter().enumerate() {
            for name in names {
                let id = RecordId(i as u32);
                match claimants.get_mut(name) {
                    Some(claim) => claim.push(id),
                    None => {
                        claimants.insert(name, Claimants::One(id));
                    }
                }
            }
        }
        // A record with no given key has a generated one, so its first claim exists.
        let first_claim = |i: usize| claims.first(i).expect("a record without a given key has a generated key");
        // A generated key that another work also claims gets a stable suffix of its own;
        // a key a bibliography gave is never changed (it stays ambiguous and is reported).
        let needs_suffix: Vec<usize> = (0..self.records.len())
            .filter(|&i| self.records[i].given_key.is_none() && claimants[first_claim(i)].len() > 1)
            .collect();
        let (suffixed, displaced) =
            self.suffixed_keys(&first_claim, &needs_suffix, &|name| claimants.contains_key(name));
        // A suffixed key lost to a collision stays a name of its record: a manuscript citing
        // it meets an ambiguous key, never another work. (Each record loses at most one.)
        let mut gained: Vec<(usize, String)> =
            displaced.into_iter().filter(|(i, name)| !claims.of(*i).any(|claimed| claimed == name)).collect();
        gained.sort();
        let mut late: FastMap<&str, Vec<RecordId>> = FastMap::default();
        for (i, name) in &gained {
            late.entry(name.as_str())
                .or_insert_with(|| claimants.get(name.as_str()).map_or_else(Vec::new, |c| c.as_slice().to_vec()))
                .push(RecordId(*i as u32));
        }
        let mut ambiguous: Vec<(String, Vec<RecordId>)> = claimants
            .iter()
            .filter(|(name, claim)| claim.len() > 1 && !late.contains_key(*name))
            .map(|(name, claim)| ((*name).to_owned(), claim.as_slice().to_vec()))
            .chain(late.iter().filter(|(_, ids)| ids.len() > 1).map(|(name, ids)| ((*name).to_owned(), ids.clone())))
            .collect();
        ambiguous.sort();
        drop((claimants, late));
        // A record's names: its suffixed key, its claims, a lost suffixed key, then its
        // identifiers, written straight into the one buffer (a `format!` per identifier was
        // an allocation a record).
        let mut keys = RecordNames::with_capacity(self.records.len());
        let mut gained = gained.into_iter().peekable();
        for (i, (record, suffixed)) in self.records.iter().zip(suffixed).enumerate() {
            if let Some(name) = &suffixed {
                keys.push_name(&[name]);
            }
            for name in claims.of(i) {
                keys.push_name(&[name]);
            }
            while let Some((_, name)) = gained.next_if(|(record, _)| *record == i) {
                keys.push_name(&[&name]);
            }
            if let Some(doi) = record.doi() {
                keys.push_name(&["doi:", doi.as_str()]);
            }
            if let Some(pmid) = &record.rare().pmid {
                keys.push_name(&["pmid:", &pmid.value]);
            }
            if let Some(pmcid) = &record.rare().pmcid {
                keys.push_name(&["pmcid:", &pmcid.value]);
            }
            keys.end_record();
        }
        keys.shrink_to_fit();
        self.keys = Arc::new(keys);
        self.ambiguous = ambiguous;
    }

    /// The suffixed key of each record in `needs_suffix`, and the suffixed keys some of them
    /// lost. A suffixed key avoids every name `claimed` holds (keys the sources give and
    /// generated base keys) and every other suffixed key. Candidates are tried in rounds, each
    /// round judging all pending records at once, so the outcome depends on the set of records,
    /// never on their order: a candidate held by one record and free of every claim is that
    /// record's key; otherwise every record that drew it tries its next candidate, and the
    /// candidate is never given out afterwards. A first candidate lost that way is returned as
    /// displaced (record index, name).
    fn suffixed_keys<'a>(
        &self,
        first_claim: &dyn Fn(usize) -> &'a str,
        needs_suffix: &[usize],
        claimed: &dyn Fn(&str) -> bool,
    ) -> (Vec<Option<String>>, Vec<(usize, String)>) {
        let mut suffixed: Vec<Option<String>> = vec![None; self.records.len()];
        let mut displaced = Vec::new();
        let mut refused: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut pending = needs_suffix.to_vec();
        // Each record's identity is computed once, and in the rounds where the candidate
        // depends only on the claimed key and the identity, drawn once per pair: 93,000
        // nameless RIS records share one identity (their file) and went through eight
        // identical rounds of formatting and hashing each (issue 10).
        let identities: FastMap<usize, String> = needs_suffix
            .iter()
            .map(|&i| {
                let record = &self.records[i];
                (i, key::identity(record, &self.file(record.anchor().file).path))
            })
            .collect();
        let mut attempt = 0u32;
        while !pending.is_empty() {
            let mut drawn: FastMap<String, Vec<usize>> = FastMap::default();
            let mut by_identity: FastMap<(&str, &str), String> = FastMap::default();
            for &i in &pending {
                let record = &self.records[i];
                let identity = identities[&i].as_str();
                if attempt < 8 {
                    let pair = (first_claim(i), identity);
                    if let Some(name) = by_identity.get(&pair) {
                        drawn.get_mut(name).expect("drawn with its pair").push(i);
                        continue;
                    }
                    let seed = match attempt {
                        0 => identity.to_owned(),
                        // Two records with one identity draw the same candidates: after a few
                        // rounds their source locations tell them apart.
                        _ => format!("{identity}#{attempt}"),
                    };
                    let name = format!("{}{}", first_claim(i), key::suffix(&seed));
                    by_identity.insert(pair, name.clone());
                    drawn.entry(name).or_default().push(i);
                } else {
                    let path = &self.file(record.anchor().file).path;
                    let seed = format!("{identity}#{attempt}@{path}:{}", record.anchor().range.start);
                    drawn.entry(format!("{}{}", first_claim(i), key::suffix(&seed))).or_default().push(i);
                }
            }
            let mut next = Vec::new();
            for (name, holders) in drawn {
                if holders.len() == 1 && !claimed(&name) && !refused.contains(&name) {
                    suffixed[holders[0]] = Some(name.clone());
                } else {
                    if attempt == 0 {
                        displaced.extend(holders.iter().map(|&i| (i, name.clone())));
                    }
                    next.extend(holders);
                }
                refused.insert(name);
            }
            next.sort_unstable();
            pending = next;
            attempt += 1;
        }
        (suffixed, displaced)
    }

    /// A name that resolves to this record alone (its key, else `doi:…`, …), or `None` when
    /// every name it has is shared: then only its source location tells it apart.
    pub fn unique_name(&self, id: RecordId) -> Option<&str> {
        self.keys.of(id.0 as usize).find(|name| self.index.resolve(name) == Resolution::One(id))
    }

    /// The citation key of a record.
    pub fn key(&self, id: RecordId) -> &str {
        self.keys.first(id.0 as usize).expect("every record has a key")
    }

    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id.0 as usize]
    }

    /// Each of `names` with what [`Index::resolve`] answers for it, in order. Names that named
    /// one work in an earlier call are answered from [`Memo`]'s table of them (the corpus never
    /// changes, so neither do their answers); the others are looked up in the index, warmed
    /// together first (see [`Index::warm`]), and added to the table when they name one work.
    /// Names are taken [`RESOLVED_CHUNK`] at a time and handed back with their answers, so a
    /// note with a million citations needs no list of a million names or answers. The table is
    /// emptied when it would hold more than `Memo::MAX_RESOLVED` names.
    pub fn resolve_all<N: AsRef<str>, I: Iterator<Item = N>>(&self, names: I) -> ResolveAll<'_, N, I> {
        ResolveAll { corpus: self, names, chunk: Vec::new(), answers: std::collections::VecDeque::new() }
    }

    /// Appends to `answers` what `names` resolve to (see [`Corpus::resolve_all`]).
    fn resolve_chunk<'c, N: AsRef<str>>(&'c self, names: &[N], answers: &mut Vec<Resolution<'c>>) {
        let lock = || self.memo.resolved.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = answers.len();
        let mut missed = 0;
        {
            let resolved = lock();
            for name in names {
                let known = resolved.get(name.as_ref()).map(|&id| Resolution::One(id));
                missed += usize::from(known.is_none());
                // `Unknown` stands for "not in the table" until the index is asked below.
                answers.push(known.unwrap_or(Resolution::Unknown));
            }
        }
        if missed == 0 {
            return;
        }
        let misses = || names.iter().zip(&answers[first..]).filter(|(_, a)| matches!(a, Resolution::Unknown));
        self.index.warm(misses().map(|(name, _)| name.as_ref()));
        let mut new = Vec::new();
        for (name, answer) in names.iter().zip(&mut answers[first..]) {
            if matches!(answer, Resolution::Unknown) {
                let resolution = self.index.resolve(name.as_ref());
                if let Resolution::One(id) = resolution {
                    new.push((compact_str::CompactString::from(name.as_ref()), id));
                }
                *answer = resolution;
            }
        }
        if new.is_empty() {
            return;
        }
        let mut resolved = lock();
        if resolved.len() + new.len() > Memo::MAX_RESOLVED {
            resolved.clear();
        }
        resolved.extend(new);
    }

    /// Whether record `id` is a work known only from reference lists
    /// ([`RecordKind::Cited`]), from a bit set built on first use (see `Memo::cited_only`).
    pub fn is_cited_only(&self, id: RecordId) -> bool {
        let bits = self.memo.cited_only.get_or_init(|| {
            let mut bits = vec![0u64; self.records.len().div_ceil(64)];
            for (i, record) in self.records.iter().enumerate() {
                if record.kind == RecordKind::Cited {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
            bits.into_boxed_slice()
        });
        bits.get(id.0 as usize / 64).is_some_and(|word| word & (1 << (id.0 % 64)) != 0)
    }

    /// The abstract of `record` (one of this corpus's): held, or read again from its BibTeX or
    /// CSL-JSON file (see [`abstracts`]); `None` when it has none or its file no longer holds it.
    pub fn abstract_text<'r>(&self, record: &'r Record) -> Option<std::borrow::Cow<'r, str>> {
        abstracts::AbstractReader::new(self).text(record)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[self.slots[id.0 as usize] as usize]
    }

    /// Zero-based line of an anchor location (see [`SourceFile`]).
    pub fn line_of(&self, at: &Location) -> u32 {
        self.file(at.file).line_of_offset(at.range.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`anchor_end`] counts bytes; walking the characters, as it once did, gives the same.
    #[test]
    fn anchor_ends_counted_over_bytes_are_those_counted_over_characters() {
        let texts = ["@a{k,\n t = {x}}", "ab\r\n@a{k,\r\n t = {é𝔸}\r\n}", "x\r@a{\r𝔸\r}\r", "é@𝔸\n\n", "", "\r\n\r"];
        for text in texts {
            for line_start in 0..=text.len() {
                for offset in line_start..=text.len() {
                    for end in offset..=text.len() + 1 {
                        let (o, s, e) = (offset as u32, line_start as u32, end as u32);
                        assert_eq!(
                            anchor_end(text, o, 3, s, e),
                            anchor_end_by_chars(text, o, 3, s, e),
                            "{text:?} {s} {o} {e}"
                        );
                    }
                }
            }
        }
    }

    fn anchor_end_by_chars(text: &str, offset: u32, line: u32, line_start: u32, end: u32) -> AnchorEnd {
        let unknown = AnchorEnd { end: u32::MAX, ..AnchorEnd::default() };
        let Some(slice) = text.get(line_start as usize..end as usize) else { return unknown };
        let start = (offset - line_start) as usize;
        let (mut line, mut utf8, mut utf16, mut start_utf16) = (line, 0u32, 0u32, None);
        let mut chars = slice.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if i == start {
                start_utf16 = Some(utf16);
            }
            let is_break = c == '\n' || (c == '\r' && chars.peek().map(|&(_, next)| next) != Some('\n'));
            if is_break {
                line += 1;
                (utf8, utf16) = (0, 0);
            } else {
                utf8 += c.len_utf8() as u32;
                utf16 += c.len_utf16() as u32;
            }
        }
        if start == slice.len() {
            start_utf16 = Some(utf16);
        }
        match start_utf16 {
            Some(start_utf16) => AnchorEnd { end, line, start_utf16, end_utf8: utf8, end_utf16: utf16 },
            None => unknown,
        }
    }

    fn corpus(files: &[(&str, &str)]) -> Corpus {
        let inputs = files
            .iter()
            .map(|(path, text)| Input { path: (*path).to_owned(), text: (*text).to_owned(), origin: Origin::Workspace })
            .collect();
        Corpus::build(inputs, Vec::new())
    }

    /// Issue 11: [`Corpus::resolve_all`] answers as the index does, name by name, whether the
    /// name is in its table or not, and again after the table was emptied for being full. Only
    /// names that name one work go in the table; an answer found there is used as is.
    #[test]
    fn issue_11_resolving_through_the_table_of_resolved_names_answers_as_the_index() {
        let a = "@article{shared, title = {One}, doi = {10.1000/one}}\n@article{alone, title = {Alone}}\n";
        let b = "@article{shared, title = {Two}, doi = {10.1000/two}}\n";
        let corpus = corpus(&[("a.bib", a), ("b.bib", b)]);
        let table = || corpus.memo.resolved.lock().unwrap();
        let names = ["alone", "shared", "nobody", "", "alone", "doi:10.1000/one", "DOI:10.1000/ONE"];
        let expected: Vec<Resolution<'_>> = names.iter().map(|name| corpus.index.resolve(name)).collect();
        assert!(matches!(expected[0], Resolution::One(_)), "{expected:?}");
        assert!(matches!(expected[1], Resolution::Ambiguous(_)), "{expected:?}");
        assert_eq!(expected[2..4], [Resolution::Unknown, Resolution::Unknown]);
        assert!(matches!(expected[5], Resolution::One(_)), "{expected:?}");
        for round in ["empty table", "filled table"] {
            let answers: Vec<_> = corpus.resolve_all(names.iter()).collect();
            assert_eq!(answers.iter().map(|(name, _)| **name).collect::<Vec<_>>(), names, "{round}");
            assert_eq!(answers.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), expected, "{round}");
        }
        // Several chunks, in order.
        let many: Vec<&str> = names.iter().cycle().take(3 * RESOLVED_CHUNK + 5).copied().collect();
        let one_by_one: Vec<Resolution<'_>> = many.iter().map(|name| corpus.index.resolve(name)).collect();
        let answers: Vec<_> = corpus.resolve_all(many.iter()).collect();
        assert_eq!(answers.iter().map(|(name, _)| **name).collect::<Vec<_>>(), many);
        assert_eq!(answers.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), one_by_one);
        let mut kept: Vec<String> = table().keys().map(|name| name.to_string()).collect();
        kept.sort();
        assert_eq!(kept, ["DOI:10.1000/ONE", "alone", "doi:10.1000/one"]);
        // A full table is emptied before more names go in.
        table().remove("alone");
        table().extend((0..Memo::MAX_RESOLVED).map(|i| (format!("filler{i}").into(), RecordId(0))));
        assert_eq!(
            corpus.resolve_all(["shared", "alone"].into_iter()).map(|(_, a)| a).collect::<Vec<_>>(),
            [expected[1].clone(), expected[0].clone()]
        );
        assert_eq!(table().len(), 1);
        // What the table holds is the answer.
        table().insert("nobody".into(), RecordId(0));
        let answers: Vec<_> = corpus.resolve_all(["nobody"].into_iter()).map(|(_, a)| a).collect();
        assert_eq!(answers, [Resolution::One(RecordId(0))]);
    }

    /// Issue 11, staged readiness: a corpus assembled up to its names resolves every name at
    /// once, and once its search index is built it searches exactly as one built in a go.
    #[test]
    fn issue_11_a_corpus_resolves_names_before_its_search_index_and_searches_alike_after() {
        let bib: String = (0..60)
            .map(|i| {
                format!(
                    "@article{{{}{i}, author = {{{}, Ana}}, title = {{Sparrows and {} in town {i}}}, year = {{{}}}, doi = {{10.1000/s{i}}}}}\n",
                    ["quill", "wren", "rook"][i % 3],
                    ["Quill", "Wren", "Rook"][i % 3],
                    ["owls", "crows", "gulls", "kites"][i % 4],
                    2000 + i % 7
                )
            })
            .collect();
        let input = || vec![Input { path: "refs.bib".to_owned(), text: bib.clone(), origin: Origin::Workspace }];
        let whole = Corpus::build(input(), Vec::new());
        let read: Vec<Arc<ReadFile>> = Corpus::read_all(input()).into_iter().map(Arc::new).collect();
        let staged = Corpus::assemble_names(read, Vec::new());
        assert!(!staged.index.search_ready());
        for i in 0..whole.records.len() as u32 {
            for name in whole.keys.of(i as usize) {
                assert_eq!(staged.index.resolve(name), Resolution::One(RecordId(i)), "{name}");
            }
        }
        staged.build_search();
        assert!(staged.index.search_ready());
        for query in ["q", "wren", "rook 2003", "owl", "gul tow", "10.1000/s1", "sparrows kites"] {
            let hits = |corpus: &Corpus| corpus.index.search(query, 10, &|id| id.0 % 5 == 0);
            let (found, more) = hits(&staged);
            assert!(!found.is_empty(), "{query}");
            assert_eq!((found, more), hits(&whole), "{query}");
        }
    }

    /// A memoized answer is computed once per corpus, and a full memo starts again rather
    /// than grow.
    #[test]
    fn the_memo_computes_each_answer_once_and_stays_bounded() {
        let memo = Memo::default();
        let calls = std::cell::Cell::new(0);
        let compute = || {
            calls.set(calls.get() + 1);
            vec![RecordId(7)]
        };
        assert_eq!(&*memo.suggestions("smiht2020", 3, compute), &[RecordId(7)]);
        assert_eq!(&*memo.suggestions("smiht2020", 3, compute), &[RecordId(7)]);
        assert_eq!(calls.get(), 1);
        // Another limit is another question.
        memo.suggestions("smiht2020", 1, compute);
        assert_eq!(calls.get(), 2);
        for i in 0..Memo::MAX_SUGGESTIONS {
            memo.suggestions(&format!("key{i}"), 3, Vec::new);
        }
        assert!(memo.suggestions.lock().unwrap().len() <= Memo::MAX_SUGGESTIONS);
        memo.suggestions("smiht2020", 3, compute);
        assert_eq!(calls.get(), 3, "emptied when full");
    }

    /// An anchor's columns are kept in both encodings: an entry with an umlaut before its
    /// end, a wide character and line breaks of every kind.
    #[test]
    fn anchors_know_their_columns() {
        let bib = "% notes\n@article{plain2020,\n  title = {Plain},\n}\n@book{müller2021,\r\n  title = {𝔸 Umlaut}}\n";
        let corpus = corpus(&[("refs.bib", bib)]);
        let anchor = |key: &str| {
            let id = (0..corpus.records.len()).map(|i| RecordId(i as u32)).find(|&id| corpus.key(id) == key).unwrap();
            corpus.record(id).anchor().clone()
        };
        let plain = anchor("plain2020");
        let file = corpus.file(plain.file);
        // The entry runs from `@article` on line 1 to its closing brace on line 3.
        assert_eq!(
            &bib[plain.range.start as usize..plain.range.end as usize],
            "@article{plain2020,\n  title = {Plain},\n}"
        );
        let at = file.anchor_position(&plain.range).unwrap();
        assert_eq!((at.start_line, at.start_utf8, at.start_utf16), (1, 0, 0));
        assert_eq!((at.end_line, at.end_utf8, at.end_utf16), (3, 1, 1));
        // A range that is not the anchor's is not vouched for.
        assert_eq!(file.anchor_position(&(plain.range.start..plain.range.end + 1)), None);
        let umlaut = anchor("müller2021");
        let at = file.anchor_position(&umlaut.range).unwrap();
        assert_eq!((at.start_line, at.start_utf8, at.start_utf16), (4, 0, 0));
        // `  title = {𝔸 Umlaut}}`: 𝔸 is 4 bytes and 2 UTF-16 units.
        assert_eq!((at.end_line, at.end_utf8, at.end_utf16), (5, 24, 22));
    }

    /// A saved page in the shape of a PubMed Central article: title, then an identifier block.
    fn page(doi: &str, pmid: &str) -> String {
        format!(
            "Listening to tenants about damp homes: a study of shared repairs\n\nArticle\nXYZ1\n{doi}\n10349235\n{pmid}\nuuid-here\n\nAbstract\n\n{}",
            "Tenants told us how repairs were shared between landlords and neighbours over a long winter. ".repeat(3)
        )
    }

    fn resolved(corpus: &Corpus, name: &str) -> Vec<String> {
        match corpus.index.resolve(name) {
            Resolution::Unknown => Vec::new(),
            Resolution::One(id) => vec![corpus.record(id).doi().map_or(String::new(), |d| d.to_string())],
            Resolution::Ambiguous(ids) => {
                ids.iter().map(|&id| corpus.record(id).doi().map_or(String::new(), |d| d.to_string())).collect()
            }
        }
    }

    #[test]
    fn issue_10_pages_with_different_dois_are_two_works() {
        // Same title, same PMID (a copied page), different DOIs: still two works.
        let corpus =
            corpus(&[("a.txt", &page("10.1000/damp.1", "31415926")), ("b.txt", &page("10.1000/damp.2", "31415926"))]);
        let documents: Vec<&Record> =
            corpus.records.iter().map(|r| &**r).filter(|r| r.kind == RecordKind::Document).collect();
        assert_eq!(documents.len(), 2, "{:?}", corpus.keys);
        assert_eq!(resolved(&corpus, "doi:10.1000/damp.1"), ["10.1000/damp.1"]);
        assert_eq!(resolved(&corpus, "doi:10.1000/damp.2"), ["10.1000/damp.2"]);
        // Both generated keys are suffixed by their own DOI, and the bare key names both.
        let base = key::base_key(documents[0], "a");
        assert_eq!(resolved(&corpus, &base).len(), 2);
        for record in documents {
            let doi = record.doi().unwrap().to_string();
            let suffixed = format!("{base}{}", key::suffix(&format!("doi:{doi}")));
            assert_eq!(resolved(&corpus, &suffixed), [doi]);
        }
        assert!(corpus.ambiguous.iter().any(|(name, ids)| *name == base && ids.len() == 2));
    }

    #[test]
    fn issue_10_entries_and_cited_works_with_different_identifiers_are_kept_apart() {
        let entry = |key: &str, ids: &str| {
            format!(
                "@article{{{key}, author = {{Quill, Ada}}, year = {{2020}}, title = {{Counting sparrows on allotments in winter}}, {ids}}}\n"
            )
        };
        // By title, author and year alone these are one work; their PMIDs say otherwise.
        let a = entry("quillA", "pmid = {1111111}");
        let b = entry("quillB", "pmid = {2222222}");
        // The same PMID (a copying slip) does not merge entries whose DOIs differ.
        let c = entry("quillC", "pmid = {3333333}, doi = {10.1000/sparrow.3}");
        let d = entry("quillD", "pmid = {3333333}, doi = {10.1000/sparrow.4}");
        // A reference list citing a work of that title, author and year with yet another DOI.
        let citing = "A survey of garden birds, written to test reference lists\n\nA survey of garden birds, written to test reference lists\n\nReferences\n\n1. Quill A. Counting sparrows on allotments in winter. J Birds. 2020;3(1):4. 10.1000/sparrow.5 - DOI\n";
        // Files are merged in path order: the entries with DOIs come first, so the cited work
        // meets one of them by title.
        let corpus = corpus(&[("1.bib", &c), ("2.bib", &d), ("a.bib", &a), ("b.bib", &b), ("e.txt", citing)]);
        for key in ["quillA", "quillB", "quillC", "quillD"] {
            assert!(matches!(corpus.index.resolve(key), Resolution::One(_)), "{key}: {:?}", corpus.keys);
        }
        for n in 3..=5 {
            assert_eq!(resolved(&corpus, &format!("doi:10.1000/sparrow.{n}")), [format!("10.1000/sparrow.{n}")]);
        }
        let sparrows = corpus.records.iter().filter(|r| r.title().is_some_and(|t| t.contains("sparrows"))).count();
        assert_eq!(sparrows, 5);
        assert!(!corpus.problems.iter().any(|p| p.problem.code == "duplicate-doi"), "{:?}", corpus.problems);
    }

    #[test]
    fn issue_10_generated_keys_avoid_keys_the_sources_give() {
        let damp1 = page("10.1000/damp.1", "31415926");
        let damp2 = page("10.1000/damp.2", "31415926");
        let probe = corpus(&[("a.txt", &damp1), ("b.txt", &damp2)]);
        let base = key::base_key(&probe.records[0], "a");
        let taken = format!("{base}{}", key::suffix("doi:10.1000/damp.1"));
        assert_eq!(resolved(&probe, &taken), ["10.1000/damp.1"]);
        // A bibliography gives that very key to another work. Its file name sorts before and
        // after the pages, and the files come in both orders: the keys must not change.
        let entry = format!(
            "@article{{{taken}, author = {{Wren, Tom}}, year = {{2019}}, title = {{Owls of the northern moors}}}}\n"
        );
        let mut seen = Vec::new();
        for bib in ["0.bib", "z.bib"] {
            for reversed in [false, true] {
                let mut files = vec![("a.txt", damp1.as_str()), ("b.txt", damp2.as_str()), (bib, entry.as_str())];
                if reversed {
                    files.reverse();
                }
                let corpus = corpus(&files);
                let primary: Vec<&str> = (0..corpus.records.len() as u32).map(|i| corpus.key(RecordId(i))).collect();
                let distinct: std::collections::HashSet<&&str> = primary.iter().collect();
                assert_eq!(distinct.len(), primary.len(), "two works share a key: {primary:?}");
                let owls = corpus.records.iter().position(|r| r.title().is_some_and(|t| t.contains("Owls"))).unwrap();
                assert_eq!(corpus.key(RecordId(owls as u32)), taken, "the key the bibliography gave is kept");
                // The page that held the key has another one of its own; the old key now
                // names both works (reported), so no citation of it silently changes meaning.
                let page1 =
                    corpus.records.iter().position(|r| r.doi().is_some_and(|d| d.to_string() == "10.1000/damp.1"));
                let page1_key = corpus.key(RecordId(page1.unwrap() as u32));
                assert!(page1_key.starts_with(&base) && page1_key != taken, "{page1_key}");
                assert_eq!(resolved(&corpus, page1_key), ["10.1000/damp.1"]);
                assert_eq!(resolved(&corpus, &taken).len(), 2);
                assert!(corpus.ambiguous.iter().any(|(name, ids)| *name == taken && ids.len() == 2));
                let mut keys = primary.iter().map(|k| k.to_string()).collect::<Vec<_>>();
                keys.sort();
                seen.push(keys);
            }
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "keys depend on file names or order: {seen:?}");
    }
}
