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

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::problem::intern_code;
use super::{FileId, FileReading, Input, Origin, Problem, ReadFile, Record, Severity, SourceFile, SourceKind};
use std::sync::Arc;

use rayon::prelude::*;

/// Bumped whenever the record model, a reader's output or this format changes, so that a
/// cache written by another refls is never mistaken for this one's.
pub const VERSION: u32 = 8;

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

/// What comes before the records: enough to tell whether the entry is the one wanted without
/// decoding a single record.
#[derive(Deserialize)]
struct Head {
    stamp: Stamp,
    source: SourceFile,
    documents: u32,
    cited: u32,
    problems: Vec<StoredProblem>,
}

/// A [`Head`] as written, borrowing the reading. Serialises to the same bytes as a `Head`.
#[derive(Serialize)]
struct HeadRef<'a> {
    stamp: &'a Stamp,
    source: &'a SourceFile,
    documents: u32,
    cited: u32,
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
pub(super) struct StoredProblem {
    severity: Severity,
    code: String,
    message: String,
    range: Option<std::ops::Range<u32>>,
}

impl StoredProblem {
    pub(super) fn from(problem: &Problem) -> StoredProblem {
        StoredProblem {
            severity: problem.severity,
            code: problem.code.to_owned(),
            message: problem.message.clone(),
            range: problem.range.clone(),
        }
    }

    /// The problem, or `None` when its code is not one refls writes.
    pub(super) fn into_problem(self) -> Option<Problem> {
        let code = intern_code(self.code)?;
        Some(Problem { severity: self.severity, code, message: self.message, range: self.range })
    }
}

/// A 64-bit hash of a file's text: XXH3, whose output is fixed by its specification and which
/// hashes at memory speed (SipHash over a 51.5 MB bibliography and its 50 MB entry was a fifth
/// of a warm start at 100,000 entries; issue 11). Not a defence against a crafted collision,
/// which would only make refls show an older reading of the user's own file.
pub(super) fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
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
        if input.text.len() < self.min_bytes || !SourceKind::from_path(&input.path).is_bibliography() {
            return None;
        }
        Cache::stamp_any(input)
    }

    /// The stamp of any workspace file's text, cached or not: what a snapshot of an assembled
    /// corpus is keyed by (see [`super::snapshot`]). `None` for text that is not a file's (the
    /// editor's, the embedded seeds').
    pub fn stamp_any(input: &Input) -> Option<Stamp> {
        if input.origin != Origin::Workspace {
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

    /// The stamp of a workspace bibliography not read yet, its content hashed as it streams
    /// through a small buffer: on a warm start the whole text of a large file was read into
    /// memory only to be hashed and freed (~30 ms at 100,000 entries, issue 11). `None` when
    /// the cache would not take the file (too small, not a bibliography, binary) or it cannot
    /// be read.
    /// The stamp equals [`Cache::stamp`] of the file's text for every file read without a
    /// problem: a byte-order mark is left out as reading leaves it out, and a file of invalid
    /// UTF-8 (read with replacement characters) never matches, so it is always read.
    pub fn stamp_unread(&self, path: &str) -> Option<Stamp> {
        use std::io::Read;
        if !SourceKind::from_path(path).is_bibliography() {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        if meta.len() < self.min_bytes as u64 || meta.len() > super::discover::MAX_FILE_BYTES {
            return None;
        }
        let mtime_ns =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
        let mut file = std::fs::File::open(path).ok()?;
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        let mut buf = vec![0u8; 1 << 18];
        let (mut size, mut first) = (0u64, true);
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return None,
            };
            let mut chunk = &buf[..n];
            if std::mem::take(&mut first) {
                // A binary file is left to reading, which refuses it with a problem.
                if chunk[..chunk.len().min(8192)].contains(&0) {
                    return None;
                }
                // A short first read could split the mark; files this large never start so.
                chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            }
            hasher.update(chunk);
            size += chunk.len() as u64;
        }
        Some(Stamp { path: path.to_owned(), size, mtime_ns, hash: hasher.digest() })
    }

    pub(super) fn entry_path(&self, path: &str) -> PathBuf {
        let name = format!("{:016x}.bin", content_hash(path.as_bytes()));
        self.dir.join(name)
    }

    /// The reading stored for exactly this stamp, with its records moved to file `id`.
    pub fn load(&self, stamp: &Stamp, id: FileId) -> Option<ReadFile> {
        self.load_then(stamp, id, || {})
    }

    /// [`Cache::load`], calling `matched` once the entry is known to be this content's and
    /// before its records are decoded: the caller frees the file's text there, so that the
    /// text and the records decoded from the entry are never held together (issue 11). An
    /// entry damaged past its head still returns `None` after `matched` ran.
    pub fn load_then(&self, stamp: &Stamp, id: FileId, matched: impl FnOnce()) -> Option<ReadFile> {
        let file = self.entry_path(&stamp.path);
        let opened = std::fs::File::open(&file).ok()?;
        match decode(std::io::BufReader::with_capacity(1 << 16, opened), stamp, id, matched) {
            Ok(Some(read)) => Some(read),
            Ok(None) => {
                tracing::debug!("cache {}: {} changed; read again", file.display(), stamp.path);
                None
            }
            Err(why) => {
                tracing::warn!("cache {} ignored: {why}", file.display());
                None
            }
        }
    }

    /// Stores a reading. Written to a temporary file and renamed, so a reader never sees half
    /// an entry; failures are logged and otherwise ignored (the cache only saves time).
    pub fn store(&self, stamp: &Stamp, file: &ReadFile) {
        let target = self.entry_path(&stamp.path);
        match self.write_whole(&target, |out| encode(out, stamp, file)) {
            Ok(()) => {
                tracing::debug!("cache: {} stored in {}", stamp.path, target.display());
                // Once per process: entries are only ever replaced, so without a sweep those of
                // older refls versions and of deleted files would stay in the folder for good.
                static SWEPT: std::sync::Once = std::sync::Once::new();
                SWEPT.call_once(|| {
                    let removed = self.sweep();
                    if removed > 0 {
                        tracing::info!("cache: removed {removed} entries no refls of this version reads");
                    }
                });
            }
            Err(err) => {
                tracing::warn!("cache: {} not stored in {}: {err}", stamp.path, self.dir.display());
            }
        }
    }
}

impl Cache {
    /// Writes `target` in the cache folder through `write`, to a temporary file renamed into
    /// place, so that a reader never sees half a file; the temporary file is removed on failure.
    pub(super) fn write_whole(
        &self,
        target: &Path,
        write: impl FnOnce(std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let temporary = target.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| write(std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&temporary)?)))
            .and_then(|()| std::fs::rename(&temporary, target));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// Removes the entries that this refls will never read again: those of another format
    /// version, damaged ones, and those of files that no longer exist; and likewise the
    /// snapshots of assembled corpora (see [`super::snapshot`]). Only files named and shaped
    /// like refls entries or snapshots are looked at (a `REFLS_CACHE_DIR` may hold other files).
    /// Returns how many were removed.
    pub fn sweep(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return 0 };
        let mut removed = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let named = |suffix: &str| {
                name.strip_suffix(suffix)
                    .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            };
            let stale = (named(".bin") && entry_is_stale(&path)) || (named(".asm") && super::snapshot::is_stale(&path));
            if stale && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

/// Whether a file that starts like a refls entry can no longer be used (see [`Cache::sweep`]).
/// A file that does not start with refls's magic bytes is never stale: it is not ours.
fn entry_is_stale(path: &Path) -> bool {
    is_stale(path, MAGIC, |head: Head| !Path::new(&head.stamp.path).exists())
}

/// Whether a cache file at `path` that starts with `magic` is of another format version,
/// damaged before the end of its head frame, or `gone(head)` says its source files are gone.
/// A file that does not start with `magic` is never stale: it is not ours.
pub(super) fn is_stale<H: serde::de::DeserializeOwned>(
    path: &Path,
    magic: &[u8; 8],
    gone: impl FnOnce(H) -> bool,
) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut frames = Frames::new(std::io::BufReader::new(file));
    match frames.header(magic) {
        None => false,
        Some(version) if version != VERSION => true,
        Some(_) => frames.take::<H>().map_or(true, gone),
    }
}

/// The longest frame a reader accepts, so that a damaged length cannot make it allocate
/// gigabytes. A record is a few KiB; the head holds a file's problems (one per broken entry).
pub(super) const MAX_FRAME: usize = 256 << 20;

/// Frames as written and read: a `u32` length, then that many bytes of postcard, every frame
/// hashed in order so that the checksum at the end covers the whole entry.
pub(super) struct Frames<T> {
    pub(super) io: T,
    pub(super) hasher: xxhash_rust::xxh3::Xxh3,
    buf: Vec<u8>,
}

impl<T> Frames<T> {
    pub(super) fn new(io: T) -> Frames<T> {
        Frames { io, hasher: xxhash_rust::xxh3::Xxh3::new(), buf: Vec::new() }
    }
}

impl<W: std::io::Write> Frames<W> {
    pub(super) fn put<V: Serialize + ?Sized>(&mut self, value: &V) -> std::io::Result<()> {
        self.buf.clear();
        self.buf = postcard::to_extend(value, std::mem::take(&mut self.buf)).map_err(std::io::Error::other)?;
        let len = u32::try_from(self.buf.len()).map_err(std::io::Error::other)?.to_le_bytes();
        self.hasher.update(&len);
        self.hasher.update(&self.buf);
        self.io.write_all(&len)?;
        self.io.write_all(&self.buf)
    }
}

impl<W: std::io::Write> Frames<W> {
    /// [`Frames::put`] without a buffer: the value is serialised twice, once to count its
    /// bytes and once straight into the output. For the large values of a snapshot (its
    /// index), whose buffer would be a second copy at the peak of a cold start.
    pub(super) fn put_streamed<V: Serialize + ?Sized>(&mut self, value: &V) -> std::io::Result<()> {
        let size = postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())
            .map_err(std::io::Error::other)?;
        let len = u32::try_from(size).map_err(std::io::Error::other)?.to_le_bytes();
        self.hasher.update(&len);
        self.io.write_all(&len)?;
        postcard::to_io(value, Hashing { io: &mut self.io, hasher: &mut self.hasher })
            .map_err(std::io::Error::other)?;
        Ok(())
    }
}

/// A writer that hashes what passes through it.
struct Hashing<'a, W> {
    io: &'a mut W,
    hasher: &'a mut xxhash_rust::xxh3::Xxh3,
}

impl<W: std::io::Write> std::io::Write for Hashing<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.io.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.io.flush()
    }
}

impl<R: std::io::Read> Frames<R> {
    /// Reads the header: `magic`, then the format version, which it returns; `None` when the
    /// file does not start with `magic` (not a file of this kind).
    pub(super) fn header(&mut self, magic: &[u8; 8]) -> Option<u32> {
        let mut header = [0; 12];
        self.io.read_exact(&mut header).ok()?;
        (&header[..8] == magic).then(|| u32::from_le_bytes(header[8..12].try_into().expect("4 bytes")))
    }

    pub(super) fn take<V: serde::de::DeserializeOwned>(&mut self) -> Result<V, String> {
        self.buf.clear();
        let frame = self.read_frame_into_buf()?;
        postcard::from_bytes(&self.buf[frame]).map_err(|err| format!("undecodable: {err}"))
    }

    /// Reads one frame onto the end of `buf`, hashing it, and returns where it lies there.
    fn read_frame_into_buf(&mut self) -> Result<std::ops::Range<usize>, String> {
        let mut len = [0; 4];
        self.io.read_exact(&mut len).map_err(|err| format!("truncated: {err}"))?;
        let n = u32::from_le_bytes(len) as usize;
        if n > MAX_FRAME {
            return Err(format!("a frame of {n} bytes (damaged file)"));
        }
        let start = self.buf.len();
        self.buf.resize(start + n, 0);
        self.io.read_exact(&mut self.buf[start..]).map_err(|err| format!("truncated: {err}"))?;
        self.hasher.update(&len);
        self.hasher.update(&self.buf[start..]);
        Ok(start..start + n)
    }

    /// Reads `n` record frames and decodes them into their `Arc`s (moved to file `id`), a
    /// chunk at a time: the frames of a chunk are read and hashed in order, then decoded on
    /// every core. Decoding was most of a warm start's time at 100,000 entries; a chunk of
    /// 4 MiB keeps the frames held beside the records small (issue 11).
    fn records(&mut self, n: u32, id: FileId) -> Result<Vec<Arc<Record>>, String> {
        // Tests read entries of a few KiB: small chunks make them cross chunk boundaries.
        const CHUNK_BYTES: usize = if cfg!(test) { 1 << 10 } else { 4 << 20 };
        // The count comes from the file; a damaged one must not reserve gigabytes.
        let mut res = Vec::with_capacity((n as usize).min(1 << 20));
        let mut frames: Vec<std::ops::Range<usize>> = Vec::new();
        let mut left = n;
        while left > 0 {
            self.buf.clear();
            frames.clear();
            while left > 0 && self.buf.len() < CHUNK_BYTES {
                frames.push(self.read_frame_into_buf()?);
                left -= 1;
            }
            let buf = &self.buf;
            let decoded: Result<Vec<Arc<Record>>, String> = frames
                .par_iter()
                .map(|frame| {
                    let mut record: Record =
                        postcard::from_bytes(&buf[frame.clone()]).map_err(|err| format!("undecodable: {err}"))?;
                    record.set_file(id);
                    Ok(Arc::new(record))
                })
                .collect();
            res.extend(decoded?);
        }
        Ok(res)
    }
}

/// Writes an entry as it is encoded, one record at a time: encoding the whole entry into one
/// buffer first put a second copy of a large bibliography's records (50 MB at 100,000
/// entries) in memory beside them while the index was being built (issue 11).
///
/// The layout: magic, [`VERSION`], a [`Head`] frame, one frame per record (documents, then
/// cited works), and the XXH3 hash of all frames.
fn encode(out: impl std::io::Write, stamp: &Stamp, file: &ReadFile) -> std::io::Result<()> {
    let reading = &file.reading;
    let count = |records: &[Arc<Record>]| u32::try_from(records.len()).map_err(std::io::Error::other);
    let head = HeadRef {
        stamp,
        source: &file.source,
        documents: count(&reading.documents)?,
        cited: count(&reading.cited)?,
        problems: reading
            .problems
            .iter()
            .map(|p| StoredProblemRef { severity: p.severity, code: p.code, message: &p.message, range: &p.range })
            .collect(),
    };
    let mut frames = Frames::new(out);
    frames.io.write_all(MAGIC)?;
    frames.io.write_all(&VERSION.to_le_bytes())?;
    frames.put(&head)?;
    for record in reading.documents.iter().chain(&reading.cited) {
        frames.put(&**record)?;
    }
    let checksum = frames.hasher.digest();
    frames.io.write_all(&checksum.to_le_bytes())?;
    frames.io.flush()
}

/// Reads an entry frame by frame, each record straight into its `Arc` (moved to file `id`):
/// neither the file nor a list of bare records sits beside the records being built. `Ok(None)`
/// when the entry is another content's (the stamp differs), which is known from the head alone.
fn decode(
    input: impl std::io::Read,
    stamp: &Stamp,
    id: FileId,
    matched: impl FnOnce(),
) -> Result<Option<ReadFile>, String> {
    let mut frames = Frames::new(input);
    let version = frames.header(MAGIC).ok_or_else(|| "not a refls cache file".to_owned())?;
    if version != VERSION {
        return Err(format!("format version {version}, this refls reads {VERSION}"));
    }
    let head: Head = frames.take()?;
    if head.stamp != *stamp {
        return Ok(None);
    }
    matched();
    let documents = frames.records(head.documents, id)?;
    let cited = frames.records(head.cited, id)?;
    let mut trailer = [0; 8];
    frames.io.read_exact(&mut trailer).map_err(|err| format!("truncated: {err}"))?;
    if u64::from_le_bytes(trailer) != frames.hasher.digest() {
        return Err("checksum mismatch (damaged file)".to_owned());
    }
    let problems = head
        .problems
        .into_iter()
        .map(|p| {
            let code = intern_code(p.code)?;
            Some(Problem { severity: p.severity, code, message: p.message, range: p.range })
        })
        .collect::<Option<Vec<Problem>>>()
        .ok_or_else(|| "a problem code is not one refls writes".to_owned())?;
    let mut source = head.source;
    source.id = id;
    Ok(Some(ReadFile { source, reading: FileReading { documents, cited, problems } }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Corpus, Resolution, discover};

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

    /// Reading through the cache frees the text before the entry's records are decoded; an
    /// entry damaged after its head then makes the file be read again, and it still gives
    /// every record.
    #[test]
    fn an_entry_damaged_past_its_head_reads_the_file_again() {
        let (_dir, cache, path) = setup();
        let cold = ReadFile::read(FileId(0), &input(&path));
        let read = |cache: &Cache| {
            let mut read = Corpus::read_all_cached(vec![input(&path)], Vec::new(), Some(cache));
            let misses = read.misses().count();
            (read.files.remove(0), misses)
        };
        let (first, missed) = read(&cache);
        assert_eq!(missed, 1, "nothing cached yet");
        cache.store(&cache.stamp(&input(&path)).unwrap(), &first);
        let (warm, missed) = read(&cache);
        assert_eq!((summary(warm), missed), (summary(ReadFile::read(FileId(0), &input(&path))), 0));
        // The last bytes are the checksum: the head still matches, the records do not.
        let entry = cache.entry_path(&path.display().to_string());
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        std::fs::write(&entry, &bytes).unwrap();
        let (again, missed) = read(&cache);
        assert_eq!(missed, 1, "the damaged entry is written again");
        assert_eq!(summary(again), summary(cold));
    }

    /// A bibliography left unread by discovery is hashed as it streams; when the cache holds
    /// it unchanged it is never read whole, and either way it gives what reading it gives.
    #[test]
    fn an_unread_bibliography_is_taken_from_the_cache_or_read() {
        let (_dir, cache, path) = setup();
        let shown = path.display().to_string();
        let cold = summary(ReadFile::read(FileId(0), &input(&path)));
        let read = |cache: Option<&Cache>| {
            let mut read = Corpus::read_all_cached(Vec::new(), vec![shown.clone()], cache);
            assert_eq!(read.files.len(), 1);
            let misses: Vec<(Stamp, usize)> = read.misses().map(|(stamp, i)| (stamp.clone(), i)).collect();
            (summary(read.files.remove(0)), misses, read.problems)
        };
        let (first, misses, problems) = read(Some(&cache));
        assert_eq!((first.as_str(), misses.len(), problems.len()), (cold.as_str(), 1, 0), "nothing cached yet");
        assert_eq!(cache.stamp_unread(&shown), cache.stamp(&input(&path)), "the streamed stamp is the read one");
        cache.store(&misses[0].0, &ReadFile::read(FileId(0), &input(&path)));
        let (warm, misses, _) = read(Some(&cache));
        assert_eq!((warm.as_str(), misses.len()), (cold.as_str(), 0), "taken from the cache");
        // Without a cache it is simply read.
        assert_eq!(read(None).0, cold);
        // A byte-order mark is left out of the stamp, as reading leaves it out of the text.
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
        let with_mark = discover::read_source(&path).0.unwrap();
        assert_eq!(
            cache.stamp_unread(&shown).map(|s| (s.size, s.hash)),
            cache.stamp(&with_mark).map(|s| (s.size, s.hash))
        );
        // An edited file is read again, never taken from the stale entry.
        std::fs::write(&path, bib(50, "Counting starlings")).unwrap();
        let (edited, misses, _) = read(Some(&cache));
        assert_eq!(misses.len(), 1);
        assert!(edited.contains("Counting starlings") && !edited.contains("sparrows"), "{edited}");
    }

    /// Problems an unread file meets when it is read are reported as reading reports them.
    #[test]
    fn an_unread_bibliography_reports_what_reading_it_meets() {
        let (dir, cache, path) = setup();
        let mut bytes = bib(3, "Counting sparrows").into_bytes();
        bytes.extend_from_slice(b"@misc{bad, title = {caf\xE9}}\n");
        std::fs::write(&path, &bytes).unwrap();
        let shown = path.display().to_string();
        for round in 0..2 {
            let read = Corpus::read_all_cached(Vec::new(), vec![shown.clone()], Some(&cache));
            let misses: Vec<(&Stamp, usize)> = read.misses().collect();
            assert_eq!((read.files.len(), misses.len()), (1, 1), "round {round}: invalid UTF-8 never matches an entry");
            let codes: Vec<&str> = read.problems.iter().map(|p| p.problem.code).collect();
            assert_eq!(codes, ["invalid-utf8"], "round {round}");
            cache.store(misses[0].0, &read.files[0]);
        }
        let binary = dir.path().join("binary.bib");
        std::fs::write(&binary, b"@misc{a,\0\0\0}").unwrap();
        let read = Corpus::read_all_cached(Vec::new(), vec![binary.display().to_string()], Some(&cache));
        assert!(read.files.is_empty());
        assert_eq!(read.problems.iter().map(|p| p.problem.code).collect::<Vec<_>>(), ["binary"]);
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
    fn sweeping_removes_old_versions_damaged_entries_and_deleted_files_only() {
        let (dir, cache, path) = setup();
        let stamp = cache.stamp(&input(&path)).unwrap();
        cache.store(&stamp, &ReadFile::read(FileId(0), &input(&path)));
        let current = cache.entry_path(&stamp.path);
        let bytes = std::fs::read(&current).unwrap();
        let entry = |name: &str, bytes: &[u8]| {
            let file = cache.dir().join(name);
            std::fs::write(&file, bytes).unwrap();
            file
        };
        let mut old = bytes.clone();
        old[8] = old[8].wrapping_sub(1);
        let old_version = entry("00000000000000a1.bin", &old);
        let damaged = entry("00000000000000a2.bin", &bytes[..14]);
        let not_ours = entry("00000000000000a3.bin", b"someone else's data");
        let other_name = entry("notes.bin", &old);
        // The same entry for a bibliography that was deleted since.
        let gone = dir.path().join("gone.bib");
        std::fs::copy(&path, &gone).unwrap();
        let gone_stamp = cache.stamp(&input(&gone)).unwrap();
        cache.store(&gone_stamp, &ReadFile::read(FileId(0), &input(&gone)));
        std::fs::remove_file(&gone).unwrap();
        assert_eq!(cache.sweep(), 3);
        for kept in [&current, &not_ours, &other_name] {
            assert!(kept.exists(), "{} kept", kept.display());
        }
        for removed in [&old_version, &damaged, &cache.entry_path(&gone_stamp.path)] {
            assert!(!removed.exists(), "{} removed", removed.display());
        }
        assert!(cache.load(&stamp, FileId(0)).is_some(), "the current entry still loads");
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
