//! The workspace's corpus sources: which files make up the corpus (configured paths and globs,
//! `seeds/`, the embedded seeds, and the bibliographies that open manuscripts declare), each
//! read once and cached, so that a changed file is read again alone and the corpus is
//! re-assembled from the cache.
//!
//! A bibliography that turns broken while it is being rewritten (Better BibTeX rewrites its
//! export seconds after every change) keeps its last good reading until it is whole again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::config::Config;
use crate::corpus::cache::{Cache, Stamp};
use crate::corpus::discover::{self, MissingPath};
use crate::corpus::scope::{Refusal, Scope};
use crate::corpus::snapshot::{self, AssemblyKey};
use crate::corpus::{Corpus, FileId, FileProblem, Input, Origin, Problem, ReadFile, Severity, SourceKind, seeds};

/// Where the corpus comes from, and every file read so far.
#[derive(Clone, Default)]
pub struct Sources {
    /// Configured directories and files (absolute): a new or changed file under one of them
    /// belongs to the corpus.
    roots: Vec<PathBuf>,
    globs: Option<globset::GlobSet>,
    base: PathBuf,
    /// Bibliographies declared by open manuscripts (or `_quarto.yml`), absolute.
    pub declared: BTreeSet<PathBuf>,
    files: BTreeMap<String, Arc<ReadFile>>,
    /// The id the next new file gets; a cached file keeps its id, so that its records, which
    /// carry it, are shared by every corpus assembled from the cache.
    next_id: u32,
    problems: Vec<FileProblem>,
    /// The warm-start cache of large bibliographies, when there is a cache directory.
    cache: Option<Cache>,
    /// The stamp of each file whose reading is exactly the content stamped (see
    /// [`Sources::assemble_warm`]); a file read from the editor's text has none.
    stamps: BTreeMap<String, Stamp>,
    /// The snapshot to store once the corpus [`Sources::assemble_warm`] assembled has its
    /// search index.
    snapshot_to_store: Option<SnapshotJob>,
}

/// A corpus snapshot to store (see [`crate::corpus::snapshot`]): where, under which key, and
/// the readings the corpus was assembled from.
#[derive(Clone)]
pub struct SnapshotJob {
    cache: Cache,
    key: AssemblyKey,
    read: Vec<Arc<ReadFile>>,
}

impl SnapshotJob {
    /// Stores the snapshot of `corpus`, which must be the one assembled from these readings.
    pub fn store(self, corpus: &Corpus) {
        snapshot::store(&self.cache, &self.key, &self.read, corpus);
    }
}

fn problem(path: &str, severity: Severity, code: &'static str, message: impl Into<String>) -> FileProblem {
    FileProblem { file: None, path: path.to_owned(), problem: Problem::new(severity, code, message) }
}

impl Sources {
    /// Finds and reads the configured corpus: `corpus` paths and globs, else `seeds/` under
    /// the root, else the embedded seeds.
    ///
    /// Configured paths and `_quarto.yml` bibliographies are read only inside `scope` (the
    /// workspace and the folders the user trusts); others are reported and left out.
    ///
    /// Large bibliographies that `cache` holds unchanged are taken from it instead of being
    /// parsed again; those it lacks are stored in it in the background.
    pub fn load(
        root: Option<&Path>,
        config: &Config,
        declared: BTreeSet<PathBuf>,
        scope: &Scope,
        cache: Option<&Cache>,
    ) -> Sources {
        // Without a workspace folder, configured paths are taken from the working directory,
        // but an unconfigured server does not go looking there: it uses the embedded seeds.
        let started = std::time::Instant::now();
        let base = root.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let mut res = Sources { base: base.clone(), declared, cache: cache.cloned(), ..Sources::default() };
        let mut inputs: Vec<Input> = Vec::new();
        let mut deferred: Vec<String> = Vec::new();
        if config.corpus.is_empty() {
            let seeds_dir = base.join("seeds");
            if root.is_some() && seeds_dir.is_dir() {
                res.roots.push(seeds_dir);
            } else {
                inputs.extend(seeds::inputs());
            }
        } else {
            let mut builder = globset::GlobSetBuilder::new();
            let mut any_glob = false;
            for entry in &config.corpus {
                if entry.contains(['*', '?', '[']) {
                    match globset::Glob::new(entry) {
                        Ok(glob) => {
                            builder.add(glob);
                            any_glob = true;
                        }
                        Err(e) => res.problems.push(problem(entry, Severity::Error, "bad-glob", e.to_string())),
                    }
                } else {
                    match scope.admit(&base.join(entry)) {
                        Ok(path) => res.roots.push(path),
                        Err(Refusal::Missing) => res.roots.push(base.join(entry)),
                        Err(Refusal::Outside(path)) => res.problems.push(problem(
                            entry,
                            Severity::Error,
                            "corpus-outside-workspace",
                            format!(
                                "corpus path {} is outside the workspace; it was not read (add it to the \
                                 `trustedPaths` setting of your editor to allow it)",
                                path.display()
                            ),
                        )),
                    }
                }
            }
            if any_glob {
                res.globs = builder.build().ok();
            }
        }
        for root_path in res.roots.clone() {
            // With a cache, bibliographies are left unread: one the cache holds unchanged is
            // only hashed, never read whole (issue 11).
            match discover::discover_deferring(std::slice::from_ref(&root_path), cache.is_some()) {
                Ok(found) => {
                    inputs.extend(found.inputs);
                    deferred.extend(found.unread);
                    res.problems.extend(found.problems);
                }
                Err(MissingPath(missing)) => res.problems.push(problem(
                    &missing,
                    Severity::Error,
                    "missing-corpus",
                    "corpus path does not exist",
                )),
            }
        }
        if let Some(globs) = &res.globs {
            for entry in ignore::WalkBuilder::new(&base).build().flatten() {
                let relative = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                if entry.file_type().is_some_and(|t| t.is_file()) && globs.is_match(relative) {
                    let (input, trouble) = discover::read_source(entry.path());
                    inputs.extend(input);
                    res.problems.extend(trouble);
                }
            }
        }
        // A Quarto project's `_quarto.yml` declares bibliographies for all its documents.
        if let Some(root) = root {
            if let Ok(project) = std::fs::read_to_string(root.join("_quarto.yml")) {
                for declared in crate::manuscript::bibliography::quarto_project(&project) {
                    if let Ok(path) = scope.admit(&root.join(&declared.path)) {
                        res.declared.insert(path);
                    }
                }
            }
        }
        for path in res.declared.clone() {
            if cache.is_some() && SourceKind::from_path(&path.to_string_lossy()).is_bibliography() {
                deferred.push(path.display().to_string());
                continue;
            }
            let (input, trouble) = discover::read_source(&path);
            inputs.extend(input);
            res.problems.extend(trouble);
        }
        tracing::debug!("found {} corpus files in {:?}", inputs.len() + deferred.len(), started.elapsed());
        let mut reading = Corpus::read_all_cached(inputs, deferred, cache);
        res.problems.append(&mut reading.problems);
        let misses: Vec<(Stamp, usize)> = reading.misses().map(|(stamp, i)| (stamp.clone(), i)).collect();
        let read: Vec<Arc<ReadFile>> = reading.files.into_iter().map(Arc::new).collect();
        for (file, stamp) in read.iter().zip(reading.stamps) {
            res.next_id = res.next_id.max(file.source.id.0 + 1);
            res.files.insert(file.source.path.clone(), Arc::clone(file));
            if let Some(stamp) = stamp {
                res.stamps.insert(file.source.path.clone(), stamp);
            }
        }
        // Large files read afresh are stored for the next start on a thread of their own, so
        // that writing the cache never delays the first answers.
        res.store_later(misses.into_iter().map(|(stamp, i)| (stamp, Arc::clone(&read[i]))).collect());
        res
    }

    /// Stores readings in the cache on a thread of their own, so that writing the cache never
    /// delays the first answers.
    fn store_later(&self, stored: Vec<(Stamp, Arc<ReadFile>)>) {
        let Some(cache) = self.cache.clone() else { return };
        if stored.is_empty() {
            return;
        }
        let spawned = std::thread::Builder::new().name("refls-cache".to_owned()).spawn(move || {
            for (stamp, file) in stored {
                cache.store(&stamp, &file);
            }
        });
        if let Err(err) = spawned {
            tracing::warn!("cache not written: {err}");
        }
    }

    /// Whether `path` has been read into the corpus already.
    pub fn has(&self, path: &Path) -> bool {
        self.files.contains_key(&path.display().to_string())
    }

    /// Whether a file on disk belongs to the corpus.
    pub fn wants(&self, path: &Path) -> bool {
        if self.declared.contains(path) || self.files.contains_key(&path.display().to_string()) {
            return true;
        }
        if !discover::is_source_path(path) {
            return false;
        }
        let under_root = self.roots.iter().any(|root| path.starts_with(root));
        let globbed =
            self.globs.as_ref().is_some_and(|globs| globs.is_match(path.strip_prefix(&self.base).unwrap_or(path)));
        under_root || globbed
    }

    /// Reads `path` again (or drops it when it is gone). `text` is the editor's unsaved text
    /// when the file is open there. Returns whether anything changed.
    pub fn refresh(&mut self, path: &Path, text: Option<&str>) -> bool {
        let key = path.display().to_string();
        // Whatever happens below, the stamp of the last reading no longer says what is held.
        self.stamps.remove(&key);
        if text.is_none() && !path.exists() {
            return self.files.remove(&key).is_some();
        }
        if !self.wants(path) {
            return false;
        }
        let input = match text {
            Some(text) => Some(Input { path: key.clone(), text: text.to_owned(), origin: Origin::Client }),
            None => {
                let (input, trouble) = discover::read_source(path);
                if let Some(trouble) = trouble {
                    tracing::warn!("{}: {}", trouble.path, trouble.problem.message);
                }
                input
            }
        };
        let Some(input) = input else { return self.files.remove(&key).is_some() };
        let id = match self.files.get(&key) {
            Some(previous) => previous.source.id,
            None => {
                self.next_id += 1;
                FileId(self.next_id - 1)
            }
        };
        // A large bibliography on disk may be in the warm-start cache (a manuscript declaring
        // it is opened again); the editor's unsaved text never is.
        let stamp = self.cache.as_ref().and_then(|c| c.stamp(&input));
        // Any file read from disk keys the snapshot; only large bibliographies are cached.
        let key_stamp = self.cache.as_ref().and_then(|_| stamp.clone().or_else(|| Cache::stamp_any(&input)));
        let cached = stamp.as_ref().and_then(|s| self.cache.as_ref()?.load(s, id));
        let from_cache = cached.is_some();
        let fresh = cached.unwrap_or_else(|| ReadFile::read(id, &input));
        // A file that became broken and lost entries is probably half-written: keep what
        // was read last time, with the new problems, until it is whole again.
        let (kept, kept_previous) = match self.files.get(&key) {
            Some(previous) if fresh.has_errors() && fresh.record_count() < previous.record_count() => {
                (previous.with_problems_of(&fresh), true)
            }
            _ => (fresh, false),
        };
        let kept = Arc::new(kept);
        if let (Some(stamp), false, false) = (&stamp, from_cache, kept.has_errors()) {
            self.store_later(vec![(stamp.clone(), Arc::clone(&kept))]);
        }
        if let (Some(stamp), false) = (key_stamp, kept_previous) {
            self.stamps.insert(key.clone(), stamp);
        }
        self.files.insert(key, kept);
        true
    }

    /// Forgets the workspace files that are gone from disk: deleted while the first load read
    /// the corpus, before any watcher could report it. Returns how many were forgotten.
    pub fn forget_deleted(&mut self) -> usize {
        let before = self.files.len();
        self.files.retain(|path, file| file.source.origin != Origin::Workspace || Path::new(path).exists());
        before - self.files.len()
    }

    /// The corpus of every file read, up to its name table: its search terms are built by
    /// `Corpus::build_search`, which the server runs in the background once the corpus is
    /// installed (searching waits for it meanwhile).
    pub fn assemble(&self) -> Corpus {
        Corpus::assemble_names(self.files.values().cloned().collect(), self.problems.clone())
    }

    /// [`Sources::assemble`], taken from the warm-start snapshot of exactly these files when
    /// the cache holds one (search index included); otherwise assembled, and the snapshot to
    /// store later left in [`Sources::take_snapshot_job`].
    pub fn assemble_warm(&mut self) -> Corpus {
        let read: Vec<Arc<ReadFile>> = self.files.values().cloned().collect();
        let key = self.cache.as_ref().and_then(|_| {
            let stamps = read.iter().map(|file| (file.source.id, self.stamps.get(&file.source.path)));
            AssemblyKey::new(stamps, &self.problems)
        });
        let (Some(cache), Some(key)) = (self.cache.clone(), key) else { return self.assemble() };
        if let Some(corpus) = snapshot::load(&cache, &key, &read) {
            tracing::debug!("corpus taken from its snapshot");
            return corpus;
        }
        let corpus = Corpus::assemble_names(read.clone(), self.problems.clone());
        self.snapshot_to_store = Some(SnapshotJob { cache, key, read });
        corpus
    }

    /// The snapshot [`Sources::assemble_warm`] left to store, if any.
    pub fn take_snapshot_job(&mut self) -> Option<SnapshotJob> {
        self.snapshot_to_store.take()
    }

    /// The problems of one corpus file, for its diagnostics when it is open.
    pub fn problems_of(&self, path: &Path) -> Option<Vec<Problem>> {
        self.files.get(&path.display().to_string()).map(|f| f.problems().to_vec())
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10, fault 9: a file deleted while the first load read the corpus kept answering,
    /// because the watcher starts after the load.
    #[test]
    fn issue_10_files_deleted_during_the_load_are_forgotten_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("library")).unwrap();
        let entry =
            |key: &str| format!("@article{{{key}, title = {{Work {key}}}, author = {{Doe, Jan}}, year = 2020}}\n");
        std::fs::write(root.join("library/kept.bib"), entry("kept")).unwrap();
        std::fs::write(root.join("library/gone.bib"), entry("gone")).unwrap();
        let config = Config { corpus: vec!["library".to_owned()], ..Config::default() };
        let mut sources = Sources::load(Some(&root), &config, BTreeSet::new(), &Scope::new([root.clone()]), None);
        assert_eq!(sources.file_count(), 2);
        std::fs::remove_file(root.join("library/gone.bib")).unwrap();
        assert_eq!(sources.forget_deleted(), 1);
        let corpus = sources.assemble();
        assert!(matches!(corpus.index.resolve("kept"), crate::corpus::Resolution::One(_)));
        assert!(matches!(corpus.index.resolve("gone"), crate::corpus::Resolution::Unknown));
    }

    /// A second start over the same unchanged bibliographies takes the assembled corpus from
    /// its snapshot; an edit to one of them makes the next start assemble it again, with the
    /// edit, and never use the old snapshot.
    #[test]
    fn a_warm_start_takes_the_corpus_from_its_snapshot_until_a_file_changes() {
        // Bibliographies the cache takes, and (1 MiB threshold) files it does not: their
        // stamps key the snapshot all the same.
        for min_bytes in [0, 1 << 20] {
            warm_start_with_snapshot(min_bytes);
        }
    }

    fn warm_start_with_snapshot(min_bytes: usize) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("library")).unwrap();
        let entry = |key: &str, title: &str| {
            format!(
                "@article{{{key}, title = {{{title}}}, author = {{Doe, Jan}}, year = 2020, doi = {{10.1/{key}}}}}\n"
            )
        };
        std::fs::write(root.join("library/a.bib"), entry("first", "Counting sparrows")).unwrap();
        std::fs::write(root.join("library/b.bib"), entry("second", "Counting starlings")).unwrap();
        let config = Config { corpus: vec!["library".to_owned()], ..Config::default() };
        std::fs::write(root.join("library/note.txt"), "A note on garden birds, not a reference.\n").unwrap();
        let cache = Cache::new(root.join("cache"), min_bytes);
        let start = || {
            let mut sources =
                Sources::load(Some(&root), &config, BTreeSet::new(), &Scope::new([root.clone()]), Some(&cache));
            let corpus = sources.assemble_warm();
            let job = sources.take_snapshot_job();
            let title = |key: &str| match corpus.index.resolve(key) {
                crate::corpus::Resolution::One(id) => corpus.record(id).title().map(str::to_owned),
                _ => None,
            };
            let titles = (title("first"), title("second"));
            if let Some(job) = job {
                job.store(&corpus);
                (false, titles)
            } else {
                (true, titles)
            }
        };
        let titles = |a: &str, b: &str| (Some(a.to_owned()), Some(b.to_owned()));
        assert_eq!(start(), (false, titles("Counting sparrows", "Counting starlings")), "cold, {min_bytes}");
        assert_eq!(start(), (true, titles("Counting sparrows", "Counting starlings")), "warm");
        std::fs::write(root.join("library/b.bib"), entry("second", "Counting swifts")).unwrap();
        assert_eq!(start(), (false, titles("Counting sparrows", "Counting swifts")), "after an edit");
        assert_eq!(start(), (true, titles("Counting sparrows", "Counting swifts")), "warm again");
    }

    /// A bibliography saved while the server runs is read again (`Sources::refresh`, as
    /// `update_corpus` does) and the corpus reassembled from it is kept as the next start's
    /// snapshot; one holding the editor's unsaved text is not.
    #[test]
    fn a_corpus_reassembled_after_a_save_is_the_next_start_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let bib = root.join("refs.bib");
        let entry =
            |title: &str| format!("@article{{first, title = {{{title}}}, author = {{Doe, Jan}}, year = 2020}}\n");
        std::fs::write(&bib, entry("Counting sparrows")).unwrap();
        let config = Config { corpus: vec!["refs.bib".to_owned()], ..Config::default() };
        let cache = Cache::new(root.join("cache"), 0);
        let load = || Sources::load(Some(&root), &config, BTreeSet::new(), &Scope::new([root.clone()]), Some(&cache));
        let title = |corpus: &Corpus| match corpus.index.resolve("first") {
            crate::corpus::Resolution::One(id) => corpus.record(id).title().map(str::to_owned),
            _ => None,
        };
        let mut sources = load();
        let corpus = sources.assemble_warm();
        sources.take_snapshot_job().expect("a cold start stores its snapshot").store(&corpus);
        // Unsaved text from the editor: reassembled, but nothing to key a snapshot by.
        assert!(sources.refresh(&bib, Some(&entry("Counting starlings"))));
        let corpus = sources.assemble_warm();
        assert_eq!(title(&corpus).as_deref(), Some("Counting starlings"));
        assert!(sources.take_snapshot_job().is_none(), "the editor's text has no stamp");
        // Saved: read from disk, reassembled and stored.
        std::fs::write(&bib, entry("Counting swifts")).unwrap();
        assert!(sources.refresh(&bib, None));
        let corpus = sources.assemble_warm();
        sources.take_snapshot_job().expect("a corpus read from disk is stored").store(&corpus);
        // The next start takes it as it is.
        let mut next = load();
        let corpus = next.assemble_warm();
        assert!(next.take_snapshot_job().is_none(), "taken from the snapshot");
        assert_eq!(title(&corpus).as_deref(), Some("Counting swifts"));
    }

    /// Issue 10, fault 11: `refls.toml` naming a folder outside the workspace is refused.
    #[test]
    fn issue_10_configured_corpus_outside_the_workspace_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("workspace");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.path().join("secret.bib"), "@article{secret, title = {S}, year = 2020}\n").unwrap();
        let config = Config { corpus: vec!["../secret.bib".to_owned()], ..Config::default() };
        let sources = Sources::load(Some(&root), &config, BTreeSet::new(), &Scope::new([root.clone()]), None);
        assert_eq!(sources.file_count(), 0);
        let corpus = sources.assemble();
        assert!(corpus.problems.iter().any(|p| p.problem.code == "corpus-outside-workspace"));
    }
}
