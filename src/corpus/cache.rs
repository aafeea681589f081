//! The warm-start cache: what reading a large bibliography gave, kept in the user's cache
//! directory so that reopening a workspace does not parse it again.
//!
//! One cache file per corpus file, named by a hash of the file's path, in
//! `$REFLS_CACHE_DIR` (tests; `off` turns the cache off), else `$XDG_CACHE_HOME/refls`, else `~/.cache/refls`: never beside
//! the user's files. An entry is used only when the file's path, size, modification time and
//! content hash all match what was stored, so a changed file is read again alone. The format
//! is versioned ([`VERSION`]) and checksummed; an entry that is damaged, of another version or
//! of another file is ignored with a log line and overwritten by the next reading.
//!
//! Only bibliographies of [`MIN_BYTES`] or more are cached: a small file reads faster than its
//! cache entry decodes, and a folder of 100,000 saved pages must not become 100,000 cache files.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::problem::intern_code;
use super::{FileId, FileReading, Input, Origin, Problem, ReadFile, Record, Severity, SourceFile, SourceKind};
use std::sync::Arc;

/// Bumped whenever the record model, a reader's output or this format changes, so that a
/// cache written by another refls is never mistaken for this one's.
pub const VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"reflsidx";

/// Bibliographies smaller than this are read, not cached.
pub const MIN_BYTES: usize = 256 * 1024;

/// Where the cache lives, and which files it takes.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    min_bytes: usize,
}

/// What identifies the content a cache entry was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub path: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 when the system has none).
    pub mtime_ns: u64,
    pub hash: u64,
}

#[derive(Deserialize)]
struct Entry {
    stamp: Stamp,
    source: SourceFile,
    #[serde(deserialize_with = "shared_records")]
    documents: Vec<Arc<Record>>,
    #[serde(deserialize_with = "shared_records")]
    cited: Vec<Arc<Record>>,
    problems: Vec<StoredProblem>,
}

/// Decodes a list of records straight into `Arc`s, one at a time: a `Vec<Record>` moved into
/// `Arc`s afterwards held every record twice at the peak of a warm start (issue 11). (Serde's
/// `rc` feature would do the same, but switching it on rebuilds every crate that uses serde.)
fn shared_records<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Arc<Record>>, D::Error> {
    struct Records;
    impl<'de> serde::de::Visitor<'de> for Records {
        type Value = Vec<Arc<Record>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of records")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // The length comes from the file; a damaged one must not reserve gigabytes.
            let mut res = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
            while let Some(record) = seq.next_element::<Record>()? {
                res.push(Arc::new(record));
            }
            Ok(res)
        }
    }
    deserializer.deserialize_seq(Records)
}

/// An [`Entry`] as written, borrowing the reading instead of copying it (a copy of every
/// record of a large file would double the memory while the cache is written). Serialises to
/// the same bytes as an `Entry`.
#[derive(Serialize)]
struct EntryRef<'a> {
    stamp: &'a Stamp,
    source: &'a SourceFile,
    documents: Vec<&'a Record>,
    cited: Vec<&'a Record>,
    problems: Vec<StoredProblemRef<'a>>,
}

#[derive(Serialize)]
struct StoredProblemRef<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    range: &'a Option<std::ops::Range<u32>>,
}

/// A [`Problem`] as stored: its code is a `&'static str` in memory, a string on disk.
#[derive(Serialize, Deserialize)]
struct StoredProblem {
    severity: Severity,
    code: String,
    message: String,
    range: Option<std::ops::Range<u32>>,
}

/// A 64-bit hash of a file's text. SipHash with fixed keys; a hash that changes with the Rust
/// release only costs one re-read.
fn content_hash(bytes: &[u8]) -> u64 {
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

impl Cache {
    /// The user's cache directory for refls, or `None` when there is no home to put it in.
    pub fn from_env() -> Option<Cache> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        if std::env::var_os("REFLS_CACHE_DIR").is_some_and(|v| v == "off") {
            return None;
        }
        let dir = var("REFLS_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("refls")))
            .or_else(|| var("HOME").map(|d| d.join(".cache").join("refls")))?;
        Some(Cache { dir, min_bytes: MIN_BYTES })
    }

    /// A cache in `dir` taking files of `min_bytes` or more (tests use small files).
    pub fn new(dir: PathBuf, min_bytes: usize) -> Cache {
        Cache { dir, min_bytes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The stamp of an input when the cache takes it: a bibliography of the workspace, large
    /// enough, whose file can be looked at.
    pub fn stamp(&self, input: &Input) -> Option<Stamp> {
        if input.origin != Origin::Workspace
            || input.text.len() < self.min_bytes
            || !SourceKind::from_path(&input.path).is_bibliography()
        {
            return None;
        }
        let meta = std::fs::metadata(&input.path).ok()?;
        let mtime_ns =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
        Some(Stamp {
            path: input.path.clone(),
            size: input.text.len() as u64,
            mtime_ns,
            hash: content_hash(input.text.as_bytes()),
        })
    }

    fn entry_path(&self, path: &str) -> PathBuf {
        let name = format!("{:016x}.bin", content_hash(path.as_bytes()));
        self.dir.join(name)
    }

    /// The reading stored for exactly this stamp, with its records moved to file `id`.
    pub fn load(&self, stamp: &Stamp, id: FileId) -> Option<ReadFile> {
        let file = self.entry_path(&stamp.path);
        let bytes = std::fs::read(&file).ok()?;
        let entry = match decode(&bytes) {
            Ok(entry) => entry,
            Err(why) => {
                tracing::warn!("cache {} ignored: {why}", file.display());
                return None;
            }
        };
        if entry.stamp != *stamp {
            tracing::debug!("cache {}: {} changed; read again", file.display(), stamp.path);
            return None;
        }
        let Entry { mut source, mut documents, mut cited, problems, .. } = entry;
        for record in documents.iter_mut().chain(cited.iter_mut()) {
            // Just decoded, so not shared: `make_mut` does not copy.
            Arc::make_mut(record).set_file(id);
        }
        source.id = id;
        let Some(problems) = problems
            .into_iter()
            .map(|p| {
                let code = intern_code(p.code)?;
                Some(Problem { severity: p.severity, code, message: p.message, range: p.range })
            })
            .collect::<Option<Vec<Problem>>>()
        else {
            tracing::warn!("cache {} ignored: a problem code is not one refls writes", file.display());
            return None;
        };
        Some(ReadFile { source, reading: FileReading { documents, cited, problems } })
    }

    /// Stores a reading. Written to a temporary file and renamed, so a reader never sees half
    /// an entry; failures are logged and otherwise ignored (the cache only saves time).
    pub fn store(&self, stamp: &Stamp, file: &ReadFile) {
        let entry = EntryRef {
            stamp,
            source: &file.source,
            documents: file.reading.documents.iter().map(|r| &**r).collect(),
            cited: file.reading.cited.iter().map(|r| &**r).collect(),
            problems: file
                .reading
                .problems
                .iter()
                .map(|p| StoredProblemRef { severity: p.severity, code: p.code, message: &p.message, range: &p.range })
                .collect(),
        };
        let payload = match postcard::to_stdvec(&entry) {
            Ok(payload) => payload,
            Err(err) => {
                tracing::warn!("cache: {} not stored: {err}", stamp.path);
                return;
            }
        };
        let mut header = Vec::with_capacity(20);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&content_hash(&payload).to_le_bytes());
        let target = self.entry_path(&stamp.path);
        let temporary = target.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| {
                use std::io::Write;
                let mut out = std::fs::File::create(&temporary)?;
                out.write_all(&header)?;
                out.write_all(&payload)
            })
            .and_then(|()| std::fs::rename(&temporary, &target));
        match written {
            Ok(()) => tracing::debug!("cache: {} stored in {}", stamp.path, target.display()),
            Err(err) => {
                let _ = std::fs::remove_file(&temporary);
                tracing::warn!("cache: {} not stored in {}: {err}", stamp.path, self.dir.display());
            }
        }
    }
}

fn decode(bytes: &[u8]) -> Result<Entry, String> {
    if bytes.len() < 20 || &bytes[..8] != MAGIC {
        return Err("not a refls cache file".to_owned());
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!("format version {version}, this refls reads {VERSION}"));
    }
    let checksum = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let payload = &bytes[20..];
    if content_hash(payload) != checksum {
        return Err("checksum mismatch (damaged file)".to_owned());
    }
    postcard::from_bytes(payload).map_err(|err| format!("undecodable: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Corpus, Resolution};

    fn bib(n: usize, title: &str) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "@article{{key{i}, author = {{Doe, Jan and M\\\"uller, Ana}}, title = {{{title} {i}}}, journal = {{J}}, year = {{2020}}, doi = {{10.1000/x{i}}}}}\n"
                )
            })
            .collect()
    }

    fn input(path: &Path) -> Input {
        Input {
            path: path.display().to_string(),
            text: std::fs::read_to_string(path).unwrap(),
            origin: Origin::Workspace,
        }
    }

    fn setup() -> (tempfile::TempDir, Cache, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().join("cache"), 0);
        let path = dir.path().join("refs.bib");
        std::fs::write(&path, bib(50, "Counting sparrows")).unwrap();
        (dir, cache, path)
    }

    /// What a corpus built from one file answers, as comparable text.
    fn summary(file: ReadFile) -> String {
        let corpus = Corpus::assemble(vec![Arc::new(file)], Vec::new());
        let mut out = format!("{:?}\n{:?}\n", corpus.keys, corpus.problems);
        for record in &corpus.records {
            out.push_str(&format!("{record:?}\n"));
        }
        out
    }

    #[test]
    fn warm_load_equals_cold_load() {
        let (_dir, cache, path) = setup();
        let input = input(&path);
        let stamp = cache.stamp(&input).unwrap();
        assert!(cache.load(&stamp, FileId(0)).is_none(), "empty cache");
        let cold = ReadFile::read(FileId(0), &input);
        cache.store(&stamp, &cold);
        // Stored under another id, loaded under the one the file has now.
        let warm = cache.load(&stamp, FileId(0)).expect("cache hit");
        assert_eq!(summary(warm), summary(cold));
        let moved = cache.load(&stamp, FileId(7)).unwrap();
        assert!(moved.reading.documents.iter().all(|r| r.anchor().file == FileId(7)));
    }

    #[test]
    fn a_corrupt_cache_file_is_ignored() {
        let (_dir, cache, path) = setup();
        let input = input(&path);
        let stamp = cache.stamp(&input).unwrap();
        cache.store(&stamp, &ReadFile::read(FileId(0), &input));
        let file = cache.entry_path(&stamp.path);
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x55;
        std::fs::write(&file, &bytes).unwrap();
        assert!(cache.load(&stamp, FileId(0)).is_none());
        // Truncated, another version, not a cache at all.
        std::fs::write(&file, &bytes[..middle]).unwrap();
        assert!(cache.load(&stamp, FileId(0)).is_none());
        bytes[8] = bytes[8].wrapping_add(1);
        std::fs::write(&file, &bytes).unwrap();
        assert!(cache.load(&stamp, FileId(0)).is_none());
        std::fs::write(&file, b"garbage").unwrap();
        assert!(cache.load(&stamp, FileId(0)).is_none());
    }

    #[test]
    fn a_changed_file_is_read_again() {
        let (_dir, cache, path) = setup();
        let before = input(&path);
        let stamp = cache.stamp(&before).unwrap();
        cache.store(&stamp, &ReadFile::read(FileId(0), &before));
        // Same size, different text: only the content hash tells.
        std::fs::write(&path, bib(50, "Counting swallows")).unwrap();
        let after = input(&path);
        assert_eq!(after.text.len(), before.text.len());
        let fresh = cache.stamp(&after).unwrap();
        assert!(cache.load(&fresh, FileId(0)).is_none());
        let read = ReadFile::read(FileId(0), &after);
        let corpus = Corpus::assemble(vec![Arc::new(read)], Vec::new());
        let Resolution::One(id) = corpus.index.resolve("key3") else { panic!("key3") };
        assert_eq!(corpus.record(id).title(), Some("Counting swallows 3"));
    }

    #[test]
    fn small_files_and_unsaved_text_are_not_cached() {
        let (dir, _, path) = setup();
        let cache = Cache::new(dir.path().join("cache"), MIN_BYTES);
        assert!(cache.stamp(&input(&path)).is_none());
        let cache = Cache::new(dir.path().join("cache"), 0);
        let open = Input { origin: Origin::Client, ..input(&path) };
        assert!(cache.stamp(&open).is_none());
    }
}
