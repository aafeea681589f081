//! The warm-start snapshot of an assembled corpus: what merging, keying and indexing made of
//! one exact set of corpus files, kept in the cache folder beside the files' own entries, so
//! that reopening a large workspace skips those steps. At 100,000 entries they were ~120 ms
//! before the first answer and ~370 ms more of building the search index, which completion and
//! the first diagnostics waited for (issue 11).
//!
//! A snapshot is used only for the very files it was made from: their paths, ids and stamps
//! (size, modification time, content hash, as in [`super::cache`]), the problems found while
//! discovering them, and the refls program that made it (its size and modification time:
//! another build may merge or key differently). A record that no merge or link changed is not
//! stored again: the snapshot names its place in its file's reading, so the corpus shares it
//! with the reading exactly as an assembled one does. The format is versioned and checksummed;
//! a snapshot that does not match or does not decode is ignored with a log line, and the
//! corpus is assembled as usual. [`Cache::sweep`] removes the snapshots of deleted files.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::cache::{Cache, Frames, Stamp, StoredProblem, VERSION, content_hash};
use super::index::{Index, StoredIndex};
use super::record::{Record, RecordId};
use super::record_names::RecordNames;
use super::{Corpus, FileId, FileProblem, ReadFile};

const MAGIC: &[u8; 8] = b"reflsasm";

/// What a snapshot must have been made from to be used (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssemblyKey {
    program: (u64, u64),
    /// Every file, in the order assembled: its id and stamp.
    files: Vec<(u32, Stamp)>,
    /// A hash of the problems met before reading (discovery's), which lead the corpus's list.
    given_problems: u64,
}

impl AssemblyKey {
    /// The key of assembling `files` (id and stamp, in order) after discovery met `problems`;
    /// `None` when a file has no stamp (the cache does not take it) or the program cannot be
    /// identified.
    pub fn new<'a>(
        files: impl IntoIterator<Item = (FileId, Option<&'a Stamp>)>,
        problems: &[FileProblem],
    ) -> Option<AssemblyKey> {
        let files = files.into_iter().map(|(id, stamp)| Some((id.0, stamp?.clone()))).collect::<Option<Vec<_>>>()?;
        if files.is_empty() {
            return None;
        }
        Some(AssemblyKey {
            program: program()?,
            files,
            given_problems: content_hash(format!("{problems:?}").as_bytes()),
        })
    }

    /// Where the snapshot of this set of files lives: one per set of paths.
    fn path(&self, cache: &Cache) -> PathBuf {
        let paths: String = self.files.iter().map(|(_, stamp)| format!("{}\n", stamp.path)).collect();
        cache.dir().join(format!("{:016x}.asm", content_hash(paths.as_bytes())))
    }
}

/// The running program's size and modification time, read once.
fn program() -> Option<(u64, u64)> {
    static PROGRAM: OnceLock<Option<(u64, u64)>> = OnceLock::new();
    *PROGRAM.get_or_init(|| {
        let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some((meta.len(), mtime.as_nanos() as u64))
    })
}

/// Where a corpus record comes from, packed in a `u64` of the snapshot's layout: a document
/// or cited work of a file's reading (that very record, shared), or [`OWNED`]: a record of its
/// own (merged or linked), stored in full after the layout.
fn place(cited: bool, file: usize, index: usize) -> Option<u64> {
    let (file, index) = (u32::try_from(file).ok()?, u32::try_from(index).ok()?);
    (file < 1 << 30).then(|| u64::from(cited) << 62 | u64::from(file) << 32 | u64::from(index))
}

const OWNED: u64 = u64::MAX;

#[derive(Serialize, Deserialize)]
struct Head {
    key: AssemblyKey,
    /// Per corpus record, its [`place`] or [`OWNED`].
    layout: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct StoredFileProblem {
    file: Option<FileId>,
    path: String,
    problem: StoredProblem,
}

/// Stores the snapshot of `corpus`, assembled from `read` (in that order) under `key`,
/// building its search index first if it is not built. Failures are logged and otherwise
/// ignored: the snapshot only saves time.
pub fn store(cache: &Cache, key: &AssemblyKey, read: &[Arc<ReadFile>], corpus: &Corpus) {
    corpus.build_search();
    let target = key.path(cache);
    match cache.write_whole(&target, |out| encode(out, key, read, corpus)) {
        Ok(()) => tracing::debug!("snapshot of {} files stored in {}", key.files.len(), target.display()),
        Err(err) => tracing::warn!("snapshot not stored in {}: {err}", target.display()),
    }
}

fn encode(out: impl std::io::Write, key: &AssemblyKey, read: &[Arc<ReadFile>], corpus: &Corpus) -> std::io::Result<()> {
    let index = corpus.index.stored().ok_or_else(|| std::io::Error::other("the search index is not built"))?;
    // Where each record of each reading sits, by address: a corpus record found here is that
    // very record, shared.
    let mut places: super::FastMap<usize, u64> = super::FastMap::default();
    for (file, reading) in read.iter().enumerate() {
        for (cited, list) in [(false, &reading.reading.documents), (true, &reading.reading.cited)] {
            for (index, record) in list.iter().enumerate() {
                if let Some(place) = place(cited, file, index) {
                    places.insert(Arc::as_ptr(record) as usize, place);
                }
            }
        }
    }
    let layout: Vec<u64> =
        corpus.records.iter().map(|r| places.get(&(Arc::as_ptr(r) as usize)).copied().unwrap_or(OWNED)).collect();
    drop(places);
    let mut frames = Frames::new(out);
    frames.io.write_all(MAGIC)?;
    frames.io.write_all(&VERSION.to_le_bytes())?;
    let head = Head { key: key.clone(), layout };
    frames.put_streamed(&head)?;
    for (record, &place) in corpus.records.iter().zip(&head.layout) {
        if place == OWNED {
            frames.put(&**record)?;
        }
    }
    frames.put_streamed(&*corpus.keys)?;
    frames.put_streamed(&corpus.ambiguous)?;
    let problems: Vec<StoredFileProblem> = corpus
        .problems
        .iter()
        .map(|p| StoredFileProblem { file: p.file, path: p.path.clone(), problem: StoredProblem::from(&p.problem) })
        .collect();
    frames.put_streamed(&problems)?;
    frames.put_streamed(&index)?;
    let checksum = frames.hasher.digest();
    frames.io.write_all(&checksum.to_le_bytes())?;
    frames.io.flush()
}

/// The corpus stored for `key`, its records taken from `read` (the readings it was assembled
/// from, in that order), with its search index built; `None` when there is none for exactly
/// these files (logged when one was there but could not be used).
pub fn load(cache: &Cache, key: &AssemblyKey, read: &[Arc<ReadFile>]) -> Option<Corpus> {
    let path = key.path(cache);
    let file = std::fs::File::open(&path).ok()?;
    match decode(std::io::BufReader::with_capacity(1 << 16, file), key, read) {
        Ok(Some(corpus)) => Some(corpus),
        Ok(None) => {
            tracing::debug!("snapshot {}: made from other files or another refls", path.display());
            None
        }
        Err(why) => {
            tracing::warn!("snapshot {} ignored: {why}", path.display());
            None
        }
    }
}

fn decode(input: impl std::io::Read, key: &AssemblyKey, read: &[Arc<ReadFile>]) -> Result<Option<Corpus>, String> {
    let mut frames = Frames::new(input);
    if frames.header(MAGIC).ok_or_else(|| "not a refls snapshot".to_owned())? != VERSION {
        return Ok(None);
    }
    let head: Head = frames.take()?;
    if head.key != *key {
        return Ok(None);
    }
    let mut corpus = Corpus::with_files(read);
    corpus.records.reserve(head.layout.len());
    for place in head.layout {
        let record = if place == OWNED {
            Arc::new(frames.take::<Record>()?)
        } else {
            let (cited, file, index) = (place >> 62 == 1, (place >> 32) as u32 & ((1 << 30) - 1), place as u32);
            read.get(file as usize)
                .and_then(|r| if cited { &r.reading.cited } else { &r.reading.documents }.get(index as usize))
                .map(Arc::clone)
                .ok_or_else(|| "a record is not in its file's reading".to_owned())?
        };
        corpus.records.push(record);
    }
    let keys: RecordNames = frames.take()?;
    if !keys.is_whole() || keys.len() != corpus.records.len() {
        return Err("the keys do not fit the records".to_owned());
    }
    let ambiguous: Vec<(String, Vec<RecordId>)> = frames.take()?;
    let problems: Vec<StoredFileProblem> = frames.take()?;
    let index: StoredIndex = frames.take()?;
    let mut trailer = [0; 8];
    frames.io.read_exact(&mut trailer).map_err(|err| format!("truncated: {err}"))?;
    if u64::from_le_bytes(trailer) != frames.hasher.digest() {
        return Err("checksum mismatch (damaged file)".to_owned());
    }
    let records = corpus.records.len() as u32;
    if ambiguous.iter().any(|(_, ids)| ids.iter().any(|id| id.0 >= records)) {
        return Err("an ambiguous key names a record that is not there".to_owned());
    }
    corpus.problems = problems
        .into_iter()
        .map(|p| Some(FileProblem { file: p.file, path: p.path, problem: p.problem.into_problem()? }))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "a problem code is not one refls writes".to_owned())?;
    let keys = Arc::new(keys);
    corpus.index = Index::from_stored(&keys, index)?;
    corpus.keys = keys;
    corpus.ambiguous = ambiguous;
    Ok(Some(corpus))
}

/// Whether a file named like a snapshot can no longer be used: another format version, damaged
/// before its records, or made from a file that no longer exists (see [`Cache::sweep`]). A file
/// that does not start with a snapshot's magic bytes is never stale: it is not ours.
pub(super) fn is_stale(path: &std::path::Path) -> bool {
    super::cache::is_stale(path, MAGIC, |head: Head| {
        head.key.files.iter().any(|(_, stamp)| !std::path::Path::new(&stamp.path).exists())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Input, Origin, Problem, Severity, seeds};

    /// Seeds (pages whose reference lists make linked, owned records) and two bibliographies
    /// with a DOI in common (a merge and a duplicate-DOI problem), a key both give (ambiguous)
    /// and nameless entries whose generated keys collide (suffixes).
    fn readings() -> Vec<Arc<ReadFile>> {
        let entry = |key: &str, doi: &str, title: &str| {
            format!(
                "@article{{{key}, author = {{Nguyen, Thi}}, title = {{{title}}}, journal = {{J}}, year = 2021, doi = {{{doi}}}}}\n"
            )
        };
        let a = [
            entry("shared", "10.1000/one", "Sparrows counted in a city park over ten winters"),
            entry("alone", "10.1000/two", "Starlings at dusk"),
            "@misc{, title = {Untitled}, year = 2020}\n@misc{, title = {Untitled}, year = 2020}\n".to_owned(),
        ]
        .concat();
        let b = [
            entry("shared", "10.1000/three", "Another work under the same key"),
            entry("twin", "10.1000/one", "Sparrows counted in a city park over ten winters"),
        ]
        .concat();
        let mut inputs = seeds::inputs();
        inputs.push(Input { path: "a.bib".to_owned(), text: a, origin: Origin::Workspace });
        inputs.push(Input { path: "b.bib".to_owned(), text: b, origin: Origin::Workspace });
        Corpus::read_all(inputs).into_iter().map(Arc::new).collect()
    }

    fn key_for(read: &[Arc<ReadFile>], salt: u64, problems: &[FileProblem]) -> AssemblyKey {
        let stamps: Vec<Stamp> =
            read.iter().map(|f| Stamp { path: f.source.path.clone(), size: 1, mtime_ns: 2, hash: salt }).collect();
        AssemblyKey::new(read.iter().zip(&stamps).map(|(f, s)| (f.source.id, Some(s))), problems).unwrap()
    }

    /// Everything a corpus answers, as comparable text.
    fn answers(corpus: &Corpus) -> String {
        let mut out = format!("{:?}\n{:?}\n{:?}\n", corpus.keys, corpus.ambiguous, corpus.problems);
        for record in &corpus.records {
            out.push_str(&format!("{record:?}\n"));
        }
        let mut names: Vec<String> = corpus.index.names().map(|(name, r)| format!("{name} {r:?}")).collect();
        names.sort();
        out.push_str(&names.join("\n"));
        for i in 0..corpus.records.len() {
            for name in corpus.keys.of(i) {
                out.push_str(&format!("\n{name} → {:?}", corpus.index.resolve(name)));
            }
        }
        for query in ["sparrows", "nguyen 2021", "untitled", "star", "10.1000", "exercise", "a"] {
            out.push_str(&format!("\n{query}: {:?}", corpus.index.search(query, 20, &|id| id.0 % 3 == 0)));
        }
        out
    }

    #[test]
    fn a_snapshot_answers_as_the_assembled_corpus_does() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 0);
        let read = readings();
        let given = vec![FileProblem {
            file: None,
            path: "lost.bib".to_owned(),
            problem: Problem::new(Severity::Warning, "unreadable", "skipped".to_owned()),
        }];
        let assembled = Corpus::assemble_names(read.clone(), given.clone());
        let key = key_for(&read, 7, &given);
        assert!(load(&cache, &key, &read).is_none(), "nothing stored yet");
        store(&cache, &key, &read, &assembled);
        let loaded = load(&cache, &key, &read).expect("stored");
        assert!(loaded.index.search_ready(), "the search index comes with it");
        let expected = answers(&assembled);
        assert!(expected.contains("duplicate-doi") && expected.contains("Ambiguous"), "{expected}");
        assert_eq!(answers(&loaded), expected);
        // Records no merge or link changed are the readings' own, as when assembled.
        let shared = |corpus: &Corpus| {
            corpus
                .records
                .iter()
                .filter(|r| read.iter().any(|f| f.reading.documents.iter().any(|d| Arc::ptr_eq(d, r))))
                .count()
        };
        assert_eq!(shared(&loaded), shared(&assembled));
        assert!(shared(&loaded) < loaded.records.len(), "some records are merged or linked");
    }

    /// A cache folder holding the snapshot of [`readings`] under [`key_for`] salt 7.
    fn stored() -> (tempfile::TempDir, Cache, Vec<Arc<ReadFile>>, Corpus, AssemblyKey) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 0);
        let read = readings();
        let assembled = Corpus::assemble_names(read.clone(), Vec::new());
        let key = key_for(&read, 7, &[]);
        store(&cache, &key, &read, &assembled);
        (dir, cache, read, assembled, key)
    }

    #[test]
    fn a_snapshot_of_other_files_or_problems_is_not_used() {
        let (_dir, cache, read, _, key) = stored();
        assert!(load(&cache, &key_for(&read, 8, &[]), &read).is_none(), "a file's content changed");
        let problem = FileProblem {
            file: None,
            path: "x".to_owned(),
            problem: Problem::new(Severity::Warning, "walk", "y".to_owned()),
        };
        assert!(load(&cache, &key_for(&read, 7, &[problem]), &read).is_none(), "discovery met another problem");
        let fewer = &read[..read.len() - 1];
        assert!(load(&cache, &key_for(fewer, 7, &[]), fewer).is_none(), "a file is gone");
        // A file without a stamp (the editor's text) makes no key at all.
        assert!(AssemblyKey::new(read.iter().map(|f| (f.source.id, None)), &[]).is_none());
        assert!(load(&cache, &key, &read).is_some());
    }

    /// The checks made on a loaded index accept the smallest one: a file with no records.
    #[test]
    fn a_snapshot_of_a_corpus_without_records_loads() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf(), 0);
        let empty = Input { path: "empty.bib".to_owned(), text: String::new(), origin: Origin::Workspace };
        let read: Vec<Arc<ReadFile>> = Corpus::read_all(vec![empty]).into_iter().map(Arc::new).collect();
        let assembled = Corpus::assemble_names(read.clone(), Vec::new());
        let key = key_for(&read, 1, &[]);
        store(&cache, &key, &read, &assembled);
        let loaded = load(&cache, &key, &read).expect("stored and loaded");
        assert_eq!(answers(&loaded), answers(&assembled));
    }

    #[test]
    fn a_damaged_snapshot_is_ignored_and_swept() {
        let (dir, cache, read, assembled, key) = stored();
        let path = key.path(&cache);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() * 3 / 4;
        bytes[at] ^= 0x55;
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(&cache, &key, &read).is_none());
        // Its files (seeds/…, a.bib) do not exist on disk here: the sweep removes it, and
        // leaves a file that is not a snapshot alone.
        let other = dir.path().join("0123456789abcdef.asm");
        std::fs::write(&other, b"not ours").unwrap();
        store(&cache, &key, &read, &assembled);
        assert_eq!(cache.sweep(), 1);
        assert!(!path.exists() && other.exists());
    }
}
