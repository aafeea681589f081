//! The language server: the only module that names tower-lsp or `lsp_types`.
//!
//! Handlers are convert → call analysis → convert. Mutations (didOpen, didChange) are applied
//! synchronously at the top of their handler, before any `.await`, because tower-lsp starts
//! handlers in arrival order but runs them concurrently (ebkalderon/tower-lsp#284): an edit
//! applied after an await could overtake the next one. Requests take a snapshot under the
//! lock, drop it, and run the analysis inside `catch_unwind`, so a panic answers that one
//! request with `InternalError` and the server stays up.

mod code_action;
pub mod config;
pub mod convert;
pub mod document;
mod inlay_hint;
pub mod raw;
pub mod references;
pub mod state;
mod stdio;
pub mod symbols;
pub mod transport;
pub mod watcher;
pub mod workspace;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;
use std::time::Instant;

use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};

use self::config::Config;
use self::convert::{LineIndex, PositionEncoding};
use self::document::Document;
use self::state::{DocumentSnapshot, OpenDocument, ServerState};
use crate::analysis::{self, Manuscript, diagnostics::Related};
use crate::corpus::scope::Refusal;
use crate::corpus::{Corpus, Location, Origin, Severity, seeds};
use crate::manuscript::Dialect;

/// The service the binary serves and the in-process tests drive.
pub fn service() -> (LspService<Backend>, tower_lsp::ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("refls/documentText", Backend::document_text)
        .custom_method(raw::COMPLETION, Backend::completion_raw)
        .finish()
}

/// Runs the server on stdin/stdout until the client exits. Input passes through
/// [`transport::forward_valid_frames`], so a malformed message cannot stop the server; output
/// through [`raw::Splicer`], which writes completion answers serialised without tower-lsp's
/// `Value` tree.
pub async fn run_stdio() {
    LazyLock::force(&STARTED);
    let raw_answers = raw::activate();
    let (service, socket) = service();
    let (guard_end, server_end) = tokio::io::duplex(1 << 20);
    tokio::spawn(transport::forward_valid_frames(stdio::input(), guard_end, raw_answers));
    Server::new(server_end, raw::Splicer::new(stdio::output()), socket).serve(service).await;
    stdio::restore_blocking();
}

/// When the server started, for the start-up phases logged at debug level
/// (`REFLS_LOG=refls=debug`): where the time to the first answer goes.
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Logs one start-up phase with the time since the server started.
fn phase(what: &str) {
    tracing::debug!("{what}, {:?} after start", STARTED.elapsed());
}

/// The server. Cloning is cheap (shared handles), so debounced tasks carry their own copy.
#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<ServerState>>,
    /// Becomes true when the first corpus load is done; requests that arrive earlier wait for
    /// it instead of answering "nothing here" for a key that is merely not indexed yet.
    corpus_loaded: Arc<tokio::sync::watch::Sender<bool>>,
    /// Serialises corpus loads and updates: each starts from the previous one's sources. An
    /// async mutex, held across the indexing await, never the state lock.
    corpus_update: Arc<tokio::sync::Mutex<()>>,
    /// How many reads of declared bibliographies are under way: requests wait for them too,
    /// so a hover right after opening a manuscript sees the bibliography it declares.
    declared_pending: Arc<tokio::sync::watch::Sender<usize>>,
    /// Becomes true when the workspace's manuscripts have been walked (`references.rs`).
    manuscripts_loaded: Arc<tokio::sync::watch::Sender<bool>>,
}

/// One read of declared bibliographies under way, counted in `Backend::declared_pending`
/// from its start until it is dropped: also when the read panics, or requests would wait for
/// it forever.
struct PendingRead(Arc<tokio::sync::watch::Sender<usize>>);

impl PendingRead {
    fn start(counter: &Arc<tokio::sync::watch::Sender<usize>>) -> PendingRead {
        counter.send_modify(|p| *p += 1);
        PendingRead(Arc::clone(counter))
    }
}

impl Drop for PendingRead {
    fn drop(&mut self) {
        self.0.send_modify(|p| *p -= 1);
    }
}

/// `workspace/executeCommand` that returns the bibliography of an open manuscript.
pub const EXPORT_COMMAND: &str = "refls.exportBibliography";

/// How many corpus problems of one kind are logged one by one after a load.
const PROBLEMS_LOGGED_PER_CODE: usize = 20;

/// The characters after which clients should ask for citation completion.
const TRIGGER_CHARACTERS: &[&str] = &["@", "{", ",", "<", ":", ";"];

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(Mutex::new(ServerState::default())),
            corpus_loaded: Arc::new(tokio::sync::watch::Sender::new(false)),
            corpus_update: Arc::new(tokio::sync::Mutex::new(())),
            declared_pending: Arc::new(tokio::sync::watch::Sender::new(0)),
            manuscripts_loaded: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// Waits until the corpus is loaded, the bibliographies that open manuscripts declare are
    /// read, and the corpus's search index is built: what every request may need.
    async fn corpus_ready(&self) {
        self.names_ready().await;
        let corpus = self.lock().corpus.clone();
        if let Some(corpus) = corpus {
            searchable(corpus).await;
        }
    }

    /// Waits (at most a minute) until the corpus is loaded and the bibliographies that open
    /// manuscripts declare are read: keys resolve, though the search index may still be
    /// building (hover on a citation and definition need no more).
    async fn names_ready(&self) {
        let mut loaded = self.corpus_loaded.subscribe();
        let mut pending = self.declared_pending.subscribe();
        let ready = async {
            let _ = loaded.wait_for(|l| *l).await;
            let _ = pending.wait_for(|p| *p == 0).await;
        };
        if tokio::time::timeout(Duration::from_secs(60), ready).await.is_err() {
            tracing::warn!("the corpus is still loading after a minute; answering without it");
        }
    }

    /// Starts reading the bibliographies that the open document `uri` declares and the corpus
    /// does not hold yet (inside the workspace or a trusted folder only). Returns whether any
    /// bibliography of this document is still being read (its diagnostics must wait, or they
    /// would call every key unknown against the corpus without its bibliography), and how each
    /// declared path resolved.
    fn read_declared(&self, uri: &Url) -> Declared {
        let Ok(path) = uri.to_file_path() else { return Declared::default() };
        let (text, dialect, memo) = {
            let state = self.lock();
            let Some(open) = state.documents.get(uri) else { return Declared::default() };
            (open.document.text(), open.dialect, open.declared.clone())
        };
        let paths = declared_bibliographies(&path, dialect, &text);
        let resolved = match memo.as_ref().and_then(|memo| memo.reuse(&paths)) {
            Some(resolved) => resolved.clone(),
            None => {
                let scope = self.lock().scope(Some(&path));
                let mut resolver = scope.resolver();
                let resolved: state::Resolutions =
                    paths.iter().map(|declared| (declared.clone(), resolver.file(declared))).collect();
                if let Some(open) = self.lock().documents.get_mut(uri) {
                    let at = Instant::now();
                    open.declared = Some(state::DeclaredMemo { paths, resolved: resolved.clone(), at });
                }
                resolved
            }
        };
        let waiting = self.start_reading(uri, resolved.values().filter_map(|found| found.clone().ok()).collect());
        Declared { waiting, resolved }
    }

    /// [`Backend::read_declared`]'s reading of the `admitted` bibliographies of `uri`: whether
    /// one is still being read.
    fn start_reading(&self, uri: &Url, mut admitted: Vec<PathBuf>) -> bool {
        admitted.sort();
        admitted.dedup();
        let (waiting, new) = {
            let mut state = self.lock();
            let waiting = admitted.iter().any(|p| state.declared_reading.contains(p));
            let new: Vec<PathBuf> = admitted
                .into_iter()
                .filter(|p| !state.sources.declared.contains(p) && !state.declared_reading.contains(p))
                .collect();
            state.declared_reading.extend(new.iter().cloned());
            (waiting, new)
        };
        if new.is_empty() {
            return waiting;
        }
        let pending = PendingRead::start(&self.declared_pending);
        let this = self.clone();
        let uri = uri.clone();
        tokio::spawn(async move {
            // The first load may still run; it reads what `declared_reading` holds by its end.
            let _ = this.corpus_loaded.subscribe().wait_for(|l| *l).await;
            let unread: Vec<PathBuf> = {
                let state = this.lock();
                new.iter().filter(|p| !state.sources.has(p)).cloned().collect()
            };
            if !unread.is_empty() {
                let progress = this.begin_progress("Reading the declared bibliography").await;
                this.update_corpus(unread, true).await;
                this.end_progress(progress, "bibliography read".to_owned()).await;
            }
            {
                let mut state = this.lock();
                state.sources.declared.extend(new.iter().cloned());
                for path in &new {
                    state.declared_reading.remove(path);
                }
            }
            drop(pending);
            this.schedule_diagnostics(uri, Duration::ZERO);
        });
        true
    }

    fn lock(&self) -> MutexGuard<'_, ServerState> {
        // A panic while holding the lock poisons it; the state is still consistent (every
        // mutation is a single assignment or map operation), so keep serving.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The works the workspace's manuscripts on disk cite, kept until the corpus or the
    /// manuscript set changes; computed outside the lock.
    fn cited_works(&self, corpus: &Arc<Corpus>) -> Arc<analysis::completion::CitedWorks> {
        let set = {
            let state = self.lock();
            if let Some(works) = state.cited.as_ref().and_then(|c| c.lookup(corpus, &state.manuscripts)) {
                return works;
            }
            state.manuscripts.clone()
        };
        let fresh = state::CitedCache::compute(corpus, &set);
        let works = fresh.works.clone();
        let mut state = self.lock();
        if Arc::ptr_eq(&state.manuscripts, &set) {
            state.cited = Some(fresh);
        }
        works
    }

    fn snapshot(&self, uri: &Url) -> Option<DocumentSnapshot> {
        let snapshot = self.lock().snapshot(uri);
        if snapshot.is_none() {
            tracing::warn!("request for {uri}, which is not open (or the corpus is still loading)");
        }
        snapshot
    }

    /// Scans the manuscript of a snapshot once per version and shares it with later requests.
    fn manuscript(&self, uri: &Url, snapshot: &mut DocumentSnapshot) -> Manuscript {
        let had = snapshot.manuscript.is_some();
        let manuscript = snapshot.manuscript();
        if !had {
            self.lock().store_manuscript(uri, snapshot.version, manuscript.clone());
        }
        manuscript
    }

    /// Loads (or reloads) the whole corpus off the async runtime, then refreshes every open
    /// document's diagnostics.
    async fn load_corpus(&self) {
        let _update = self.corpus_update.lock().await;
        let (root, config, declared, scope, replacing) = {
            let state = self.lock();
            let mut declared = state.sources.declared.clone();
            declared.extend(state.declared_reading.iter().cloned());
            (state.root.clone(), state.config.clone(), declared, state.scope(None), state.corpus.is_some())
        };
        // Reading starts before the progress bar is asked for: creating it waits for the
        // client's answer, a round trip the first hover waited for too.
        let reading = tokio::task::spawn_blocking(move || {
            catch_unwind(move || {
                let sources = workspace::Sources::load(
                    root.as_deref(),
                    &config,
                    declared,
                    &scope,
                    crate::corpus::cache::Cache::from_env().as_ref(),
                );
                phase("corpus files read");
                (sources, ())
            })
        });
        let progress = self.begin_progress("Indexing the corpus").await;
        let built = reading.await;
        // Bibliographies that manuscripts opened during the load declare are read in the same
        // load, under the same progress bar, before anything is published.
        let built = match built {
            Ok(Ok((mut sources, ()))) => {
                let late: Vec<PathBuf> = {
                    let state = self.lock();
                    state.declared_reading.iter().filter(|p| !sources.has(p)).cloned().collect()
                };
                tokio::task::spawn_blocking(move || {
                    catch_unwind(AssertUnwindSafe(move || {
                        sources.declared.extend(late.iter().cloned());
                        for path in &late {
                            sources.refresh(path, None);
                        }
                        // The watcher starts after this load: deletions made during it are
                        // applied now, or the deleted works would keep answering.
                        let forgotten = sources.forget_deleted();
                        if forgotten > 0 {
                            tracing::info!("{forgotten} corpus files were deleted while the corpus was read");
                        }
                        let corpus = sources.assemble_warm();
                        phase("corpus assembled up to its name table");
                        // A reload (the corpus setting changed) replaces a corpus that answers
                        // everything meanwhile: see `update_corpus`.
                        if replacing {
                            corpus.build_search_terms();
                        }
                        (sources, corpus)
                    }))
                })
                .await
            }
            Ok(Err(panic)) => Ok(Err(panic)),
            Err(e) => Err(e),
        };
        let (sources, corpus) = match built {
            Ok(Ok(built)) => built,
            _ => {
                self.client.show_message(MessageType::ERROR, "refls: indexing the corpus failed; see the log").await;
                // Requests must not wait forever for a corpus that will not come.
                self.lock().corpus.get_or_insert_with(|| Arc::new(Corpus::default()));
                self.corpus_loaded.send_replace(true);
                self.end_progress(progress, "indexing failed".to_owned()).await;
                return;
            }
        };
        // A folder of thousands of broken or vanishing files must not bury the log: each kind
        // of problem is logged a few times, then counted.
        let mut shown_per_code: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for p in &corpus.problems {
            let shown = shown_per_code.entry(p.problem.code).or_default();
            *shown += 1;
            if *shown > PROBLEMS_LOGGED_PER_CODE {
                continue;
            }
            let level = if p.problem.severity == Severity::Error { MessageType::ERROR } else { MessageType::WARNING };
            self.client
                .log_message(
                    level,
                    format!("{}: {}[{}]: {}", p.path, level_word(level), p.problem.code, p.problem.message),
                )
                .await;
        }
        for (code, count) in shown_per_code.into_iter().filter(|(_, n)| *n > PROBLEMS_LOGGED_PER_CODE) {
            let more = count - PROBLEMS_LOGGED_PER_CODE;
            self.client.log_message(MessageType::WARNING, format!("refls: … and {more} more [{code}] problems")).await;
        }
        let summary = format!("indexed {} works from {} files", corpus.records.len(), corpus.files.len());
        tracing::info!("{summary}");
        self.client.log_message(MessageType::INFO, format!("refls: {summary}")).await;
        self.install(sources, corpus);
        self.corpus_loaded.send_replace(true);
        phase("corpus installed");
        self.end_progress(progress, summary).await;
    }

    /// Reads `paths` again (new, changed or deleted corpus files, or bibliographies a
    /// manuscript has just declared) and re-assembles the corpus from the cache.
    ///
    /// With `declare`, the paths are bibliographies that a manuscript declares: they join the
    /// corpus even outside the configured corpus paths.
    async fn update_corpus(&self, paths: Vec<PathBuf>, declare: bool) {
        let _update = self.corpus_update.lock().await;
        let (mut sources, texts) = {
            let state = self.lock();
            // Files open in the editor are read from the editor's text, saved or not.
            let texts: Vec<Option<String>> = paths
                .iter()
                .map(|p| {
                    let uri = Url::from_file_path(p).ok()?;
                    state.documents.get(&uri).map(|open| open.document.text().to_string())
                })
                .collect();
            let mut sources = state.sources.clone();
            if declare {
                sources.declared.extend(paths.iter().cloned());
            }
            (sources, texts)
        };
        let started = std::time::Instant::now();
        let built = tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(move || {
                let mut changed = false;
                for (path, text) in paths.iter().zip(&texts) {
                    changed |= sources.refresh(path, text.as_deref());
                }
                // The corpus being replaced keeps answering meanwhile, so the new one is
                // installed whole: staging it would make completion wait for its search
                // index while a bibliography is rewritten every few seconds. Assembled from
                // files read from disk (a save, another program's change), it is stored as
                // the next start's snapshot too (`install`); the editor's unsaved text has no
                // stamp, so a corpus holding it has none.
                let corpus = changed.then(|| {
                    let corpus = sources.assemble_warm();
                    corpus.build_search_terms();
                    corpus
                });
                (sources, corpus)
            }))
        })
        .await;
        match built {
            Ok(Ok((sources, Some(corpus)))) => {
                phase("corpus re-assembled");
                tracing::info!(
                    "re-indexed: {} works from {} files in {:?}",
                    corpus.records.len(),
                    corpus.files.len(),
                    started.elapsed()
                );
                self.install(sources, corpus);
            }
            Ok(Ok((sources, None))) => self.lock().sources = sources,
            _ => tracing::error!("re-indexing failed; the previous corpus stays"),
        }
    }

    /// Puts a new corpus in place, starts building its search index in the background, and
    /// refreshes every open document's diagnostics and hints.
    ///
    /// The corpus is installed as soon as its names resolve (staged readiness): hover and
    /// definition on a key answer at once, while requests that search (completion, symbols,
    /// prose citations, diagnostics) wait for the index of this very corpus, so none sees a
    /// corpus that is half one version and half another.
    fn install(&self, mut sources: workspace::Sources, corpus: Corpus) {
        let snapshot = sources.take_snapshot_job();
        let corpus = Arc::new(corpus);
        let uris: Vec<Url> = {
            let mut state = self.lock();
            state.sources = sources;
            state.corpus = Some(Arc::clone(&corpus));
            state.documents.keys().cloned().collect()
        };
        tokio::task::spawn_blocking(move || {
            corpus.build_search_terms();
            phase("search index built");
            // The words of the abstracts left in their files, after completion can answer.
            corpus.build_search();
            phase("abstracts left in their files searchable");
            // A corpus assembled at start-up is kept for the next one (see `snapshot.rs`).
            if let Some(job) = snapshot {
                job.store(&corpus);
            }
            // The corpus is what a request after a pause touches (see `memory.rs`).
            crate::memory::back_with_huge_pages();
        });
        for uri in uris {
            self.schedule_diagnostics(uri, Duration::ZERO);
        }
        // The hints name works of the corpus, which may have changed.
        self.refresh_inlay_hints();
        // A key known before may be unknown now (and the reverse): semantic tokens are
        // requested again by clients that can be asked to.
        if self.lock().flags.semantic_tokens_refresh {
            let client = self.client.clone();
            tokio::spawn(async move {
                if let Err(e) = client.semantic_tokens_refresh().await {
                    tracing::debug!("workspace/semanticTokens/refresh: {e}");
                }
            });
        }
    }

    /// Asks the client to watch corpus files (dynamic registration), or, when it cannot,
    /// watches the workspace with a file watcher of our own.
    async fn watch_corpus(&self) {
        let (client_watches, root, shutting_down) = {
            let state = self.lock();
            (state.flags.watched_files, state.root.clone(), state.shutting_down)
        };
        if shutting_down {
            return;
        }
        if client_watches {
            // Corpus files, and manuscripts for find-references and rename.
            let pattern = "**/*.{bib,bibtex,json,yaml,yml,ris,txt,text,html,htm,xhtml,xml,nxml,md,markdown,qmd,rmd,Rmd,tex,latex,ltx,typ,org}";
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher { glob_pattern: GlobPattern::String(pattern.to_owned()), kind: None }],
            };
            let registration = Registration {
                id: "refls-corpus-files".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(e) = self.client.register_capability(vec![registration]).await {
                tracing::warn!("the client refused to watch corpus files ({e}); using our own watcher");
            } else {
                return;
            }
        }
        let Some(root) = root else { return };
        watcher::spawn(self.clone(), root);
    }

    /// Starts a work-done progress bar when the client supports them.
    async fn begin_progress(&self, title: &str) -> Option<NumberOrString> {
        if !self.lock().flags.work_done_progress {
            return None;
        }
        let token = NumberOrString::String(format!("refls-{}", std::process::id()));
        let created = self
            .client
            .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams { token: token.clone() })
            .await;
        if created.is_err() {
            return None;
        }
        self.client
            .send_notification::<notification::Progress>(ProgressParams {
                token: token.clone(),
                value: ProgressParamsValue::WorkDone(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                    title: title.to_owned(),
                    cancellable: Some(false),
                    message: Some("reading sources".to_owned()),
                    percentage: None,
                })),
            })
            .await;
        Some(token)
    }

    async fn end_progress(&self, token: Option<NumberOrString>, message: String) {
        if let Some(token) = token {
            self.client
                .send_notification::<notification::Progress>(ProgressParams {
                    token,
                    value: ProgressParamsValue::WorkDone(WorkDoneProgress::End(WorkDoneProgressEnd {
                        message: Some(message),
                    })),
                })
                .await;
        }
    }

    /// Whether the diagnostics task of `generation` is still the newest for the open `uri`.
    fn is_current(&self, uri: &Url, generation: u64) -> bool {
        self.lock().documents.get(uri).is_some_and(|open| open.generation == generation)
    }

    /// Publishes the diagnostics of `uri` once it has been quiet for `delay`. Every change
    /// bumps the document's generation; a task whose generation is stale does nothing.
    ///
    /// A corpus file open in the editor (a `.bib`, a saved page) shows the problems its
    /// reading met; a manuscript shows its citation diagnostics and missing bibliographies,
    /// and bibliographies it newly declares are added to the corpus.
    fn schedule_diagnostics(&self, uri: Url, delay: Duration) {
        self.schedule_diagnostics_retiring(uri, delay, None);
    }

    /// [`Backend::schedule_diagnostics`] after an edit, with the scan of the version it
    /// replaced: freeing a 500-citation scan was 20 µs of an edit's time to its diagnostics, 50
    /// after a writer's pause (issue 11), so the task frees it once it has published, or when
    /// a later edit ends it.
    fn schedule_diagnostics_retiring(&self, uri: Url, delay: Duration, retired: Option<Manuscript>) {
        let generation = {
            let mut state = self.lock();
            let Some(open) = state.documents.get_mut(&uri) else { return };
            open.generation += 1;
            open.generation
        };
        let this = self.clone();
        tokio::spawn(async move {
            let _retired = retired;
            // Tokio's timer ticks in whole milliseconds: even a zero sleep waits for the next
            // tick, which was most of an edit's latency on a small corpus.
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            // Requests read with this edit (a completion sent right after the keystroke) are
            // answered first: tower-lsp writes their answers only when its task runs again,
            // which was after this pass, ~0.4 ms later at 10,000 entries (issue 11).
            tokio::task::yield_now().await;
            // And a completion read with it is answered before this pass starts, or goes on
            // (see `raw::completions_answered`); the pass then takes that completion's scan.
            raw::completions_answered().await;
            // A later edit has a task of its own (which also reads the declared bibliographies).
            if !this.is_current(&uri, generation) {
                return;
            }
            // A manuscript whose bibliography is still being read publishes nothing yet: the
            // read reschedules it when the bibliography is in the corpus. How its declared
            // bibliographies resolved is kept for the pass: resolving them again cost a
            // `stat` per folder of each path, a tenth of a pass on a LaTeX paper (issue 11).
            let declared_files = this.read_declared(&uri);
            if declared_files.waiting {
                return;
            }
            let (snapshot, corpus_problems, last_cost) = {
                let mut state = this.lock();
                let open = state.documents.get(&uri);
                let current = open.is_some_and(|open| open.generation == generation);
                let last_cost = open.and_then(|open| open.last_diagnostics);
                let path = uri.to_file_path().ok();
                let corpus_problems = path.as_deref().filter(|p| state.sources.wants(p)).and_then(|p| {
                    // The file's own reading problems, plus what assembling the corpus found in
                    // it (an entry with another entry's DOI).
                    let mut problems = state.sources.problems_of(p)?;
                    let shown = p.display().to_string();
                    if let Some(corpus) = &state.corpus {
                        let found = corpus.problems.iter().filter(|fp| fp.path == shown && fp.file.is_some());
                        problems.extend(found.map(|fp| fp.problem.clone()));
                    }
                    Some(problems)
                });
                let mut snapshot = if current { state.snapshot(&uri) } else { None };
                // The scan a completion of this version made, if one did: not made again.
                let made = state.documents.get_mut(&uri).and_then(|open| open.made_scan.take());
                if let (Some(snapshot), Some((text, scan))) = (&mut snapshot, made) {
                    if Arc::ptr_eq(&snapshot.text, &text) {
                        snapshot.made_scan = Some(scan);
                    }
                }
                (snapshot, corpus_problems, last_cost)
            };
            // For an open bibliography: the other open documents, to find the manuscripts
            // that declare it and the entries none of them cites.
            let others: Vec<(PathBuf, Dialect, Arc<str>)> = if corpus_problems.is_some() {
                let state = this.lock();
                state
                    .documents
                    .iter()
                    .filter(|(other, _)| **other != uri)
                    .filter_map(|(other, open)| Some((other.to_file_path().ok()?, open.dialect, open.document.text())))
                    .collect()
            } else {
                Vec::new()
            };
            let Some(mut snapshot) = snapshot else { return };
            // Prose citations and "did you mean" search the corpus. Waiting here, before the
            // clock starts, keeps the wait for the index out of the adaptive delay.
            searchable(Arc::clone(&snapshot.corpus)).await;
            let version = snapshot.version;
            let manuscript_dir = uri.to_file_path().ok().and_then(|p| p.parent().map(Path::to_path_buf));
            let own_path = uri.to_file_path().ok();
            // A pass that took under a millisecond last time runs here, on the runtime: handing
            // it to a blocking thread and back cost up to a tenth of an edit's latency on a
            // small corpus (issue 11). A longer one, a first one, or one over a text that may
            // have grown by a large paste since is not allowed to hold a runtime thread that
            // requests need.
            let inline =
                snapshot.text.len() <= INLINE_TEXT_BYTES && last_cost.is_some_and(|cost| cost < INLINE_DIAGNOSTICS);
            // On the runtime, the scan (half of a pass) is a step of its own: the requests and
            // edits read during it are served before the rest, and an edit read during it ends
            // this pass. While typing, a pass still ran when the completion sent with the next
            // keystroke arrived; completion right after typing waited for it (p99 1.0 ms
            // against 0.45–0.59 ms with diagnostics held back, 10,000 entries, issue 11). A
            // scan that panics here panics again in the pass, which reports it.
            let mut scan_cost = Duration::ZERO;
            if inline && corpus_problems.is_none() {
                let began = std::time::Instant::now();
                if let Ok(manuscript) = catch_unwind(AssertUnwindSafe(|| snapshot.manuscript())) {
                    this.keep_earlier_scan(&uri, &manuscript);
                }
                scan_cost = began.elapsed();
                tokio::task::yield_now().await;
                raw::completions_answered().await;
                if !this.is_current(&uri, generation) {
                    return;
                }
            }
            // The pass's own time, without the wait for a blocking thread and back: with the
            // wait counted, one pass over 1 ms sent the next to a blocking thread, whose wait
            // kept every later one over it (edit→diagnostics p50 2.5–3.4 ms instead of 0.9 in
            // some runs at 10,000 entries, issue 11).
            let for_scope = this.clone();
            let pass = move || {
                let began = std::time::Instant::now();
                let result = catch_unwind(AssertUnwindSafe(|| {
                    if let Some(problems) = corpus_problems {
                        let mut diagnostics = corpus_file_diagnostics(&snapshot, &problems);
                        if let Some(path) = &own_path {
                            diagnostics.extend(unused_entries(&snapshot, path, &others));
                        }
                        limit_published(&mut diagnostics, 0);
                        return (diagnostics, None);
                    }
                    let manuscript = snapshot.manuscript();
                    // Only what can be published is built in full (see `limit_published`).
                    let mut cited = analysis::completion::CitedWorks::default();
                    let (found, unbuilt) = analysis::diagnostics::limited_and_cited(
                        &snapshot.corpus,
                        &manuscript,
                        MAX_PUBLISHED_DIAGNOSTICS,
                        &mut cited,
                    );
                    let mut diagnostics = to_proto_diagnostics(&snapshot, &found);
                    drop(found);
                    diagnostics.extend(symbols::prose_diagnostics(&snapshot, &manuscript));
                    let declared = crate::manuscript::bibliography::declared(snapshot.dialect, &snapshot.text);
                    for bibliography in declared {
                        let Some(dir) = &manuscript_dir else { break };
                        let path = dir.join(&bibliography.path);
                        // `read_declared` resolved this very version's declarations, so the
                        // scope is asked only for a path it did not see.
                        let found = declared_files.resolved.get(&path).cloned().unwrap_or_else(|| {
                            let scope = for_scope.lock().scope(own_path.as_deref());
                            scope.resolver().file(&path)
                        });
                        let (severity, code, message) = match found {
                            Ok(_) => continue,
                            Err(Refusal::Missing) => (
                                DiagnosticSeverity::ERROR,
                                "missing-bibliography",
                                format!("bibliography `{}` does not exist ({})", bibliography.path, path.display()),
                            ),
                            Err(Refusal::Outside(resolved)) => (
                                DiagnosticSeverity::WARNING,
                                "bibliography-outside-workspace",
                                format!(
                                    "bibliography `{}` is outside the workspace ({}); refls does not read it \
                                     (add its folder to the `trustedPaths` setting of your editor to allow it)",
                                    bibliography.path,
                                    resolved.display()
                                ),
                            ),
                        };
                        diagnostics.push(Diagnostic {
                            range: convert::rope_range(&snapshot.rope, bibliography.range.clone(), snapshot.encoding),
                            severity: Some(severity),
                            code: Some(NumberOrString::String(code.to_owned())),
                            source: Some("refls".to_owned()),
                            message,
                            ..Diagnostic::default()
                        });
                    }
                    limit_published(&mut diagnostics, unbuilt);
                    (diagnostics, Some((manuscript, (Arc::downgrade(&snapshot.corpus), Arc::new(cited)))))
                }));
                (result, began.elapsed())
            };
            let computed = if inline {
                let (result, cost) = pass();
                Ok((result, cost + scan_cost))
            } else {
                tokio::task::spawn_blocking(pass).await
            };
            match computed {
                Ok((Ok((diagnostics, manuscript)), cost)) => {
                    // Requests on this version use the scan rather than repeat it (a large
                    // manuscript's scan costs as much memory as its text).
                    {
                        let mut state = this.lock();
                        tracing::debug!("diagnostics of {uri} version {version}: {} in {cost:?}", diagnostics.len());
                        if let Some(open) = state.documents.get_mut(&uri) {
                            open.last_diagnostics = Some(cost);
                        }
                        if let Some((manuscript, cited)) = manuscript {
                            // An inline pass kept it after its scan step already.
                            if !inline {
                                keep_earlier_scan(&mut state, &uri, &manuscript);
                            }
                            state.store_manuscript(&uri, version, manuscript);
                            if let Some(open) = state.documents.get_mut(&uri) {
                                open.cited = Some(cited);
                            }
                        }
                    }
                    phase("diagnostics computed");
                    // Building the message is a tenth of a pass: requests read meanwhile come
                    // first, and a later edit's pass publishes instead of this one.
                    tokio::task::yield_now().await;
                    raw::completions_answered().await;
                    if !this.is_current(&uri, generation) {
                        return;
                    }
                    this.publish(PublishDiagnosticsParams::new(uri, diagnostics, Some(version))).await;
                }
                _ => {
                    this.client
                        .log_message(MessageType::ERROR, format!("refls: diagnostics of {uri} failed (internal error)"))
                        .await
                }
            }
        });
    }

    /// Keeps the scan of `manuscript` as the document's earlier scan (see
    /// [`OpenDocument::earlier_scan`]).
    fn keep_earlier_scan(&self, uri: &Url, manuscript: &Manuscript) {
        keep_earlier_scan(&mut self.lock(), uri, manuscript);
    }

    /// Citation completion (`textDocument/completion`): the works whose key, authors, title
    /// words, year or DOI the typed prefix matches, ranked.
    async fn completion_answer(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let found = self.completion_found(params).await?;
        Ok(found.map(|(found, range)| completion_response(found, range)))
    }

    /// The works a completion offers, and the range of the document their key replaces.
    async fn completion_found(
        &self,
        params: CompletionParams,
    ) -> Result<Option<(analysis::completion::CompletionResult, Range)>> {
        crate::timing::mark("routed");
        let uri = params.text_document_position.text_document.uri;
        self.corpus_ready().await;
        let Some(snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let limit = self.lock().config.completion_limit;
        let offset = convert::rope_offset(&snapshot.rope, params.text_document_position.position, snapshot.encoding);
        let on_disk = self.cited_works(&snapshot.corpus);
        let mut made = None;
        crate::timing::mark("snapshot");
        let answer = guarded("completion", || {
            // This document's citations, which may not be saved yet: as of its last
            // diagnostics pass, else as last scanned.
            let mut cited = std::borrow::Cow::Borrowed(&*on_disk);
            match (&snapshot.cited, &snapshot.manuscript) {
                (Some(own), _) => cited.to_mut().add(own),
                (None, Some(manuscript)) => cited.to_mut().add_manuscript(&snapshot.corpus, manuscript),
                (None, None) => {}
            }
            let scans = analysis::completion::Scans {
                current: snapshot.manuscript.as_ref(),
                earlier: snapshot.earlier_scan.as_ref(),
            };
            let found = analysis::completion::completion_keeping_scan(
                &snapshot.corpus,
                &cited,
                snapshot.dialect,
                &snapshot.text,
                scans,
                offset,
                limit,
                &mut made,
            )?;
            crate::timing::mark("items");
            let range = convert::rope_range(&snapshot.rope, found.range.clone(), snapshot.encoding);
            Some((found, range))
        });
        // The scan made to answer is the one this version's diagnostics pass would make: kept
        // for it while the version is current (an edit drops it).
        if let Some(scan) = made {
            let mut state = self.lock();
            if let Some(open) = state.documents.get_mut(&uri) {
                if Arc::ptr_eq(&open.document.text(), &snapshot.text) {
                    open.made_scan = Some((Arc::clone(&snapshot.text), scan));
                }
            }
        }
        answer
    }

    /// [`raw::COMPLETION`], the completion requests of the stdio client: the same answer,
    /// written here as JSON straight from the works found (see [`raw::completion_list`]).
    pub async fn completion_raw(&self, params: CompletionParams) -> Result<raw::Raw> {
        let found = self.completion_found(params).await?;
        let answer = raw::completion_list(found.as_ref().map(|(found, range)| (found, *range)));
        crate::timing::mark("serialised");
        Ok(raw::store(answer))
    }

    /// Publishes diagnostics, written straight from their types over stdio (see [`raw`]):
    /// building tower-lsp's JSON tree of them was a tenth of an edit's way to its diagnostics.
    async fn publish(&self, params: PublishDiagnosticsParams) {
        if raw::active() {
            match raw::notification::<notification::PublishDiagnostics>(&params) {
                Ok(filed) => return self.client.send_notification::<raw::RawNotification>(filed).await,
                Err(e) => tracing::error!("diagnostics of {} could not be serialised: {e}", params.uri),
            }
        }
        self.client.publish_diagnostics(params.uri, params.diagnostics, params.version).await;
    }

    /// `refls/documentText`: the server's copy of an open document, `{ "version", "text" }`.
    /// Lets tests (and users chasing a sync bug) check that edits were applied as sent.
    pub async fn document_text(&self, params: TextDocumentIdentifier) -> Result<Option<serde_json::Value>> {
        let state = self.lock();
        Ok(state
            .documents
            .get(&params.uri)
            .map(|open| serde_json::json!({ "version": open.document.version(), "text": &*open.document.text() })))
    }

    /// The quiet time before an edited document's diagnostics are computed: the configured
    /// `diagnosticsDelayMs`, or adaptive. Diagnostics that took under 20 ms last time are
    /// computed at once (the writer sees an unknown key the moment it is typed); slower ones
    /// wait for twice their cost, between 50 ms and 1 s, so a huge document is not rescanned at
    /// every keystroke.
    fn diagnostics_delay(&self, uri: &Url) -> Duration {
        let state = self.lock();
        let last = state.documents.get(uri).and_then(|open| open.last_diagnostics);
        diagnostics_delay(state.config.diagnostics_delay_ms, last)
    }
}

/// Diagnostics that cost less than this are computed at every change. Typing is at most a
/// key every ~30 ms, so a pass under 20 ms keeps up without a quiet time; waiting 50 ms for a
/// pass of 6 ms (a 100,000-entry corpus on a busy machine) made edits look 10× slower than
/// they are (issue 11).
const CHEAP_DIAGNOSTICS: Duration = Duration::from_millis(20);

/// Diagnostics that cost less than this last time are computed on the runtime thread that
/// scheduled them rather than on a blocking thread (see `schedule_diagnostics`).
const INLINE_DIAGNOSTICS: Duration = Duration::from_millis(1);

/// The largest text whose diagnostics may run on the runtime thread (see
/// `INLINE_DIAGNOSTICS`): a 40 KB paper's pass is ~0.3 ms, a 400 KB one already takes longer
/// than that bound, and a cheap last pass says nothing about a text that a paste has grown.
const INLINE_TEXT_BYTES: usize = 256 * 1024;

/// The largest text whose scan is kept for completion in later versions: keeping it keeps a
/// second copy of the text while the writer types.
const EARLIER_SCAN_BYTES: usize = 1 << 20;

/// [`Backend::keep_earlier_scan`] under the lock: LaTeX manuscripts only (the one dialect whose
/// scan can be taken up), up to [`EARLIER_SCAN_BYTES`].
fn keep_earlier_scan(state: &mut ServerState, uri: &Url, manuscript: &Manuscript) {
    if manuscript.dialect != Dialect::Latex || manuscript.text.len() > EARLIER_SCAN_BYTES {
        return;
    }
    if let Some(open) = state.documents.get_mut(uri) {
        open.earlier_scan = Some(manuscript.earlier_scan());
    }
}

/// See [`Backend::diagnostics_delay`]: the configured delay, else one from the last cost.
fn diagnostics_delay(configured_ms: Option<u64>, last_cost: Option<Duration>) -> Duration {
    if let Some(ms) = configured_ms {
        return Duration::from_millis(ms);
    }
    match last_cost {
        Some(cost) if cost < CHEAP_DIAGNOSTICS => Duration::ZERO,
        Some(cost) => (cost * 2).clamp(Duration::from_millis(50), Duration::from_secs(1)),
        None => Duration::from_millis(50),
    }
}

/// Waits, off the async runtime, until `corpus`'s search index is built (see
/// `Backend::install`); at once when it is.
async fn searchable(corpus: Arc<Corpus>) {
    if corpus.index.search_ready() {
        return;
    }
    let started = Instant::now();
    let _ = tokio::task::spawn_blocking(move || corpus.index.wait_search()).await;
    tracing::debug!("waited {:?} for the search index", started.elapsed());
}

/// The dialect of an LSP language id, for documents whose name says nothing (untitled).
fn dialect_of_language(language_id: &str) -> Dialect {
    match language_id {
        "markdown" | "quarto" | "rmd" | "pandoc" => Dialect::Markdown,
        "latex" | "tex" | "plaintex" | "context" => Dialect::Latex,
        "typst" => Dialect::Typst,
        "org" => Dialect::Org,
        _ => Dialect::Plain,
    }
}

fn level_word(level: MessageType) -> &'static str {
    if level == MessageType::ERROR { "error" } else { "warning" }
}

/// The works a completion found as LSP's answer, their keys replacing `range`
/// ([`raw::completion_list`] writes the same answer as JSON).
fn completion_response(found: analysis::completion::CompletionResult, range: Range) -> CompletionResponse {
    let items = found
        .items
        .into_iter()
        .map(|item| CompletionItem {
            label: item.key.clone(),
            kind: Some(CompletionItemKind::REFERENCE),
            detail: Some(item.detail),
            filter_text: Some(item.filter_text),
            sort_text: Some(item.sort_text),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text: item.key })),
            ..CompletionItem::default()
        })
        .collect();
    CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items })
}

/// Runs one request's analysis with panics contained.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        tracing::error!("{what} panicked; the request failed, the server goes on");
        Error::internal_error()
    })
}

/// The file behind a corpus location, for links: a real path, or for an embedded seed a copy
/// written once to the temporary directory (never into the user's files).
fn corpus_path(corpus: &Corpus, at: &Location) -> Option<PathBuf> {
    corpus.memo.path(at.file, || resolve_corpus_path(corpus, at))
}

fn resolve_corpus_path(corpus: &Corpus, at: &Location) -> Option<PathBuf> {
    let file = corpus.file(at.file);
    match file.origin {
        Origin::Seed => {
            let name = file.path.rsplit('/').next()?;
            let text = seeds::SEEDS.iter().find(|(n, _)| *n == name)?.1;
            let dir = std::env::temp_dir().join(format!("refls-seeds-{}", env!("CARGO_PKG_VERSION")));
            let path = dir.join(name);
            if !path.exists() {
                std::fs::create_dir_all(&dir).ok()?;
                std::fs::write(&path, text).ok()?;
            }
            Some(path)
        }
        Origin::Workspace | Origin::Client => {
            std::fs::canonicalize(&file.path).ok().or_else(|| Some(PathBuf::from(&file.path)))
        }
    }
}

/// The bytes of a corpus file from the start of the anchor's line to the end of its range
/// (at most 256 KiB), and that line's number: enough to convert the range to a client
/// position without reading a 50 MB bibliography for every go-to-definition.
fn anchor_slice(corpus: &Corpus, at: &Location) -> Option<(u32, u32, String)> {
    use std::io::{Read, Seek, SeekFrom};
    let file = corpus.file(at.file);
    let (line, line_start) = file.anchor_line(at.range.start)?;
    let end = at.range.end.max(at.range.start).min(line_start + 256 * 1024);
    let text = match file.origin {
        Origin::Seed => {
            let name = file.path.rsplit('/').next()?;
            let text = seeds::SEEDS.iter().find(|(n, _)| *n == name)?.1;
            text.get(line_start as usize..end as usize)?.to_owned()
        }
        Origin::Workspace | Origin::Client => {
            let mut handle = std::fs::File::open(&file.path).ok()?;
            handle.seek(SeekFrom::Start(u64::from(line_start))).ok()?;
            let mut bytes = vec![0; (end - line_start) as usize];
            let read = handle.read(&mut bytes).ok()?;
            bytes.truncate(read);
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    Some((line, line_start, text))
}

/// A corpus location as an LSP location. If the file cannot be read, the range falls back
/// to the start of its line.
fn to_proto_location(
    corpus: &Corpus,
    at: &Location,
    encoding: PositionEncoding,
) -> Option<tower_lsp::lsp_types::Location> {
    let uri = Url::from_file_path(corpus_path(corpus, at)?).ok()?;
    if let Some(range) = kept_range(corpus, at, encoding) {
        return Some(tower_lsp::lsp_types::Location { uri, range });
    }
    Some(tower_lsp::lsp_types::Location { uri, range: read_range(corpus, at, encoding) })
}

/// The client range of a record's anchor, from the columns kept when its file was read.
fn kept_range(corpus: &Corpus, at: &Location, encoding: PositionEncoding) -> Option<Range> {
    let at = corpus.file(at.file).anchor_position(&at.range)?;
    let (start, end) = match encoding {
        PositionEncoding::Utf8 => (at.start_utf8, at.end_utf8),
        PositionEncoding::Utf16 => (at.start_utf16, at.end_utf16),
    };
    Some(Range::new(Position::new(at.start_line, start), Position::new(at.end_line, end)))
}

/// The client range of a corpus location, from the part of its file that holds it.
fn read_range(corpus: &Corpus, at: &Location, encoding: PositionEncoding) -> Range {
    match anchor_slice(corpus, at) {
        Some((line, line_start, text)) => {
            let start = (at.range.start - line_start) as usize;
            let end = ((at.range.end - line_start) as usize).min(text.len()).max(start);
            let mut range = LineIndex::new(&text).range(&text, start..end, encoding);
            range.start.line += line;
            range.end.line += line;
            range
        }
        None => {
            let line = corpus.line_of(at);
            Range::new(Position::new(line, 0), Position::new(line, 0))
        }
    }
}

fn link(corpus: &Corpus, at: &Location) -> Option<String> {
    let mut uri = Url::from_file_path(corpus_path(corpus, at)?).ok()?;
    uri.set_fragment(Some(&format!("L{}", corpus.line_of(at) + 1)));
    Some(uri.to_string())
}

fn to_proto_severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// The most diagnostics published for one document. A 50 MB note with a unknown key in every
/// paragraph has half a million; tower-lsp turns each into a JSON tree of a dozen allocations
/// before writing it, which cost a gigabyte (issue 10, fault 12), and no editor shows that many
/// (VS Code keeps the first 1,000 of a file). `refls check` lists them all.
pub const MAX_PUBLISHED_DIAGNOSTICS: usize = 10_000;

/// Keeps the first [`MAX_PUBLISHED_DIAGNOSTICS`] diagnostics by position, and says how many
/// more there are (`hidden` were left out before this) in one last diagnostic after them.
fn limit_published(diagnostics: &mut Vec<Diagnostic>, hidden: usize) {
    let hidden = hidden + diagnostics.len().saturating_sub(MAX_PUBLISHED_DIAGNOSTICS);
    if hidden == 0 {
        return;
    }
    diagnostics.sort_by_key(|d| (d.range.start.line, d.range.start.character));
    diagnostics.truncate(MAX_PUBLISHED_DIAGNOSTICS);
    let at = diagnostics.last().map_or_else(Default::default, |d| d.range.end);
    diagnostics.push(Diagnostic {
        range: tower_lsp::lsp_types::Range { start: at, end: at },
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String("diagnostics-not-shown".to_owned())),
        source: Some("refls".to_owned()),
        message: format!(
            "{hidden} more diagnostics of this document are not shown: refls publishes at most \
             {MAX_PUBLISHED_DIAGNOSTICS} for one document (`refls check` lists them all)"
        ),
        ..Diagnostic::default()
    });
}

fn to_proto_diagnostics(snapshot: &DocumentSnapshot, found: &[analysis::diagnostics::Diagnostic]) -> Vec<Diagnostic> {
    found
        .iter()
        .map(|d| {
            let related: Vec<DiagnosticRelatedInformation> = d
                .related
                .iter()
                .filter_map(|Related { location, message }| {
                    Some(DiagnosticRelatedInformation {
                        location: to_proto_location(&snapshot.corpus, location, snapshot.encoding)?,
                        message: message.clone(),
                    })
                })
                .collect();
            Diagnostic {
                range: convert::rope_range(&snapshot.rope, d.range.clone(), snapshot.encoding),
                severity: Some(to_proto_severity(d.severity)),
                code: Some(NumberOrString::String(d.code.to_owned())),
                source: Some("refls".to_owned()),
                message: d.message.clone(),
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// What [`Backend::read_declared`] found for one document.
#[derive(Default)]
struct Declared {
    /// A bibliography it declares is still being read.
    waiting: bool,
    /// Each bibliography it declares, joined to its folder, and what the workspace scope made
    /// of it.
    resolved: state::Resolutions,
}

/// The bibliographies a manuscript at `path` reads: those its text declares and those its
/// project declares for it (`_quarto.yml`, `_metadata.yml`, a bookdown book's `index.Rmd`),
/// joined to their folders but not yet admitted by the workspace scope.
fn declared_bibliographies(path: &Path, dialect: Dialect, text: &str) -> Vec<PathBuf> {
    let Some(dir) = path.parent() else { return Vec::new() };
    let own = crate::manuscript::bibliography::declared(dialect, text).into_iter().map(|d| dir.join(d.path));
    // Finding the project costs a canonicalize and a dozen `stat`s, and this runs at every
    // edit: for a LaTeX paper, which inherits nothing, that was a sixth of edit→diagnostics
    // (issue 11).
    if !crate::manuscript::project::inherits_bibliographies(path) {
        return own.collect();
    }
    let project = crate::corpus::scope::project_folder(path);
    let inherited = crate::manuscript::project::inherited_bibliographies(path, &project).into_iter().map(|i| i.path);
    own.chain(inherited).collect()
}

/// Hints for the entries of an open bibliography that no open manuscript declaring it cites.
/// Only a manuscript's own bibliography gets them: a shared corpus is a database, not a
/// reference list, so without a declaring manuscript nothing is reported.
fn unused_entries(
    snapshot: &DocumentSnapshot,
    path: &Path,
    others: &[(PathBuf, Dialect, Arc<str>)],
) -> Vec<Diagnostic> {
    let corpus = &snapshot.corpus;
    let mut declaring = 0;
    let mut used = std::collections::HashSet::new();
    for (other, dialect, text) in others {
        let declares = declared_bibliographies(other, *dialect, text)
            .iter()
            .any(|b| b == path || std::fs::canonicalize(b).is_ok_and(|b| b == path));
        if !declares {
            continue;
        }
        declaring += 1;
        // Through aliases and identifier spellings, as the manuscript's own diagnostics do.
        let manuscript = Manuscript::new(*dialect, text.clone());
        for citation in manuscript.citations.iter() {
            if let crate::corpus::Resolution::One(id) = manuscript.resolve(corpus, &citation.key) {
                used.insert(id);
            }
        }
    }
    if declaring == 0 {
        return Vec::new();
    }
    let shown = path.display().to_string();
    let Some(file) = corpus.files.iter().find(|f| f.path == shown).map(|f| f.id) else { return Vec::new() };
    (0..corpus.records.len() as u32)
        .map(crate::corpus::RecordId)
        .filter(|id| !used.contains(id))
        .flat_map(|id| {
            let record = corpus.record(id);
            record.anchors.iter().filter(move |a| a.file == file).map(move |a| (id, a.clone()))
        })
        .map(|(id, at)| Diagnostic {
            range: convert::rope_range(
                &snapshot.rope,
                at.range.start as usize..at.range.start as usize + 1,
                snapshot.encoding,
            ),
            severity: Some(DiagnosticSeverity::HINT),
            code: Some(NumberOrString::String("unused-entry".to_owned())),
            source: Some("refls".to_owned()),
            message: format!("`{}` is not cited by the open manuscripts that use this bibliography", corpus.key(id)),
            tags: Some(vec![DiagnosticTag::UNNECESSARY]),
            ..Diagnostic::default()
        })
        .collect()
}

/// The problems met while reading a corpus file, as diagnostics of that file.
fn corpus_file_diagnostics(snapshot: &DocumentSnapshot, problems: &[crate::corpus::Problem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| Diagnostic {
            range: match &p.range {
                Some(range) => {
                    convert::rope_range(&snapshot.rope, range.start as usize..range.end as usize, snapshot.encoding)
                }
                None => Range::default(),
            },
            severity: Some(to_proto_severity(p.severity)),
            code: Some(NumberOrString::String(p.code.to_owned())),
            source: Some("refls".to_owned()),
            message: p.message.clone(),
            ..Diagnostic::default()
        })
        .collect()
}

fn server_capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.to_proto_kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(TRIGGER_CHARACTERS.iter().map(|s| (*s).to_owned()).collect()),
            resolve_provider: Some(true),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        }),
        // Find references, rename and code lens (`references.rs`).
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![EXPORT_COMMAND.to_owned()],
            work_done_progress_options: Default::default(),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        // Issue 12 item 6: symbols and semantic tokens.
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(symbols::semantic_tokens_capability()),
        ..ServerCapabilities::default()
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        phase("initialize");
        let encoding = convert::negotiate(&params.capabilities);
        #[allow(deprecated)] // root_uri is what older clients send when they send no folders.
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|uri| uri.to_file_path().ok());
        let mut config = root
            .as_ref()
            .and_then(|r| std::fs::read_to_string(r.join("refls.toml")).ok())
            .map(|text| {
                Config::from_toml(&text).unwrap_or_else(|e| {
                    tracing::warn!("refls.toml: {e}; using defaults");
                    Config::default()
                })
            })
            .unwrap_or_default();
        // The client's options refine `refls.toml`: keys it names win, the others stay.
        let trusted = params.initialization_options.as_ref().map(Config::client_trusted).unwrap_or_default();
        if let Some(options) = &params.initialization_options {
            match config.merged(options) {
                Ok(merged) => config = merged,
                Err(e) => tracing::warn!("initializationOptions: {e}; using refls.toml or defaults"),
            }
        }
        let flags = state::ClientFlags {
            work_done_progress: params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            watched_files: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            inlay_hint_refresh: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            code_action_resolve: params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
            semantic_tokens_refresh: params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.semantic_tokens.as_ref())
                .and_then(|s| s.refresh_support)
                .unwrap_or(false),
        };
        {
            let mut state = self.lock();
            state.encoding = encoding;
            state.root = root;
            state.config = config;
            state.flags = flags;
            state.trusted = trusted;
        }
        Ok(InitializeResult {
            capabilities: server_capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "refls".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        phase("initialized");
        self.load_manuscripts();
        self.load_corpus().await;
        self.watch_corpus().await;
    }

    /// `workspace/didChangeWatchedFiles`: corpus files created, changed or deleted on disk.
    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.lock().forget_declared();
        let paths: Vec<PathBuf> = params.changes.iter().filter_map(|c| c.uri.to_file_path().ok()).collect();
        self.refresh_manuscripts(&paths);
        let wanted: Vec<PathBuf> = {
            let state = self.lock();
            paths.into_iter().filter(|p| state.sources.wants(p)).collect()
        };
        if !wanted.is_empty() {
            self.update_corpus(wanted, false).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shutting_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        phase("didOpen");
        let doc = params.text_document;
        {
            let mut state = self.lock();
            // The file name decides; an untitled buffer is known by its language id.
            let dialect = match Dialect::from_path(doc.uri.path()) {
                Dialect::Plain => dialect_of_language(&doc.language_id),
                known => known,
            };
            let open = OpenDocument {
                document: Document::new(&doc.text, doc.version),
                dialect,
                manuscript: None,
                cited: None,
                generation: 0,
                last_diagnostics: None,
                declared: None,
                made_scan: None,
                earlier_scan: None,
            };
            state.documents.insert(doc.uri.clone(), open);
        }
        // Before the first await: a request that follows this notification waits for the
        // bibliographies the document declares (see `corpus_ready`).
        let _ = self.read_declared(&doc.uri);
        // A corpus file opened in the editor is read from the editor's text from now on.
        let corpus_path = doc.uri.to_file_path().ok().filter(|p| self.lock().sources.wants(p));
        if let Some(path) = corpus_path {
            let this = self.clone();
            tokio::spawn(async move { this.update_corpus(vec![path], false).await });
        }
        self.schedule_diagnostics(doc.uri, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let retired = {
            let mut state = self.lock();
            let encoding = state.encoding;
            let Some(open) = state.documents.get_mut(&uri) else {
                tracing::warn!("didChange for {uri}, which is not open; ignored");
                return;
            };
            open.document.apply_changes(params.content_changes, params.text_document.version, encoding);
            open.made_scan = None;
            open.manuscript.take()
        };
        let delay = self.diagnostics_delay(&uri);
        // An edited corpus file (a `.bib` open in the editor) is re-read from the editor's
        // text once typing pauses, so its entries are current before it is saved.
        let corpus_path = uri.to_file_path().ok().filter(|p| self.lock().sources.wants(p));
        if let Some(path) = corpus_path {
            let this = self.clone();
            let generation = self.lock().documents.get(&uri).map_or(0, |o| o.generation);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let still_current = this.lock().documents.get(&uri).is_some_and(|o| o.generation == generation);
                if still_current {
                    this.update_corpus(vec![path], false).await;
                }
            });
            return;
        }
        // A document whose diagnostics wait for a quiet time frees its old scan now: the
        // scan of a large note is as large as its text, and it is not on an answer's path.
        let retired = if delay.is_zero() { retired } else { None };
        self.schedule_diagnostics_retiring(uri, delay, retired);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.lock().documents.remove(&uri);
        // A manuscript closed without saving is what its file on disk says again.
        if let Ok(path) = uri.to_file_path() {
            self.refresh_manuscripts(&[path]);
        }
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let current = self.lock().config.clone();
        match current.merged(&params.settings) {
            Ok(config) => {
                let hints_changed = self.lock().config.inlay_hints != config.inlay_hints;
                let changed = {
                    let mut state = self.lock();
                    let changed = state.config.corpus != config.corpus;
                    state.config = config;
                    state.trusted.extend(Config::client_trusted(&params.settings));
                    state.forget_declared();
                    changed
                };
                if hints_changed {
                    self.refresh_inlay_hints();
                }
                if changed {
                    self.load_corpus().await;
                }
            }
            Err(e) => self.client.show_message(MessageType::WARNING, format!("refls: ignoring settings: {e}")).await,
        }
    }

    /// `textDocument/hover`. Positions past the end of a line clamp (convert.rs).
    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        self.names_ready().await;
        phase("hover");
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let offset =
            convert::rope_offset(&snapshot.rope, params.text_document_position_params.position, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        // A key resolves by the name table; a prose citation is matched by the search index.
        if manuscript.citation_at(offset).is_none() {
            searchable(Arc::clone(&snapshot.corpus)).await;
        }
        guarded("hover", || {
            let corpus = &snapshot.corpus;
            let found = analysis::hover::hover(corpus, &manuscript, offset, &|at| link(corpus, at))?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
                range: Some(convert::rope_range(&snapshot.rope, found.range, snapshot.encoding)),
            })
        })
    }

    /// `textDocument/completion`. Answers right after the keystroke, with no debounce: it
    /// needs the text around the cursor, and whether the citation's opening is in prose, which
    /// the version's scan answers when a diagnostics pass has made it (else completion scans).
    /// The documentation comes from `completionItem/resolve`.
    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.completion_answer(params).await
    }

    /// `completionItem/resolve`: the hover of the item's work as its documentation, built for
    /// the one item the editor shows. An item whose key no longer names one work (the corpus
    /// was reloaded) comes back unchanged. The label is the key: items carry no `data`, which
    /// was a second copy of it in every item of every answer.
    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let key = item.label.clone();
        let Some(corpus) = self.lock().corpus.clone() else { return Ok(item) };
        let documentation = guarded("completionItem/resolve", || {
            analysis::completion::documentation(&corpus, &key, &|at| link(&corpus, at))
        })?;
        if let Some(value) = documentation {
            item.documentation =
                Some(Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value }));
        }
        Ok(item)
    }

    /// `textDocument/documentLink`: the bibliography files a manuscript declares, so editors
    /// open them on click.
    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri;
        let Some(snapshot) =
            self.lock().documents.get(&uri).map(|o| (o.document.rope().clone(), o.document.text(), o.dialect))
        else {
            return Ok(None);
        };
        let (rope, text, dialect) = snapshot;
        let encoding = self.lock().encoding;
        let Some(dir) = uri.to_file_path().ok().and_then(|p| p.parent().map(Path::to_path_buf)) else {
            return Ok(None);
        };
        guarded("documentLink", || {
            let links: Vec<DocumentLink> = crate::manuscript::bibliography::declared(dialect, &text)
                .into_iter()
                .map(|b| {
                    let path = dir.join(&b.path);
                    DocumentLink {
                        range: convert::rope_range(&rope, b.range, encoding),
                        target: path.is_file().then(|| Url::from_file_path(&path).ok()).flatten(),
                        tooltip: Some(format!("bibliography {}", path.display())),
                        data: None,
                    }
                })
                .filter(|link| link.target.is_some())
                .collect();
            Some(links)
        })
    }

    /// `workspace/executeCommand` `refls.exportBibliography` with arguments
    /// `[uri, format?]` (`csl-json`, default; `csl-yaml`; `bibtex`): returns
    /// `{ "format", "text" }`, the bibliography of the works the open manuscript cites. The
    /// server writes no file: the client shows or saves the text.
    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<serde_json::Value>> {
        if params.command == references::SHOW_REFERENCES_COMMAND {
            return self.show_references(&params.arguments).await;
        }
        if params.command != EXPORT_COMMAND {
            return Err(Error::invalid_params(format!("unknown command {}", params.command)));
        }
        let Some(uri) = params.arguments.first().and_then(|a| a.as_str()).and_then(|u| Url::parse(u).ok()) else {
            return Err(Error::invalid_params("expected the manuscript's URI as the first argument"));
        };
        let format = match params.arguments.get(1).and_then(|f| f.as_str()).unwrap_or("csl-json") {
            "bibtex" => crate::corpus::export::Format::Bibtex,
            "csl-yaml" => crate::corpus::export::Format::CslYaml,
            "csl-json" => crate::corpus::export::Format::CslJson,
            other => return Err(Error::invalid_params(format!("unknown format {other}"))),
        };
        self.corpus_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else {
            return Err(Error::invalid_params(format!("{uri} is not open")));
        };
        let manuscript = self.manuscript(&uri, &mut snapshot);
        guarded("exportBibliography", || {
            let mut ids = Vec::new();
            for citation in manuscript.citations.iter() {
                if let crate::corpus::Resolution::One(id) = manuscript.resolve(&snapshot.corpus, &citation.key) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            let text = crate::corpus::export::write(&snapshot.corpus, &ids, format);
            Some(
                serde_json::json!({ "format": params.arguments.get(1).and_then(|f| f.as_str()).unwrap_or("csl-json"), "text": text }),
            )
        })
    }

    /// `textDocument/codeAction`: quick fixes for the citations in the range (lsp/code_action.rs).
    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.code_actions(params).await
    }

    /// `codeAction/resolve`: the edit of an "add to the bibliography" action.
    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        self.resolve_code_action(action).await
    }

    /// `textDocument/inlayHint`: "Author et al. Year" after opaque keys (lsp/inlay_hint.rs).
    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.inlay_hints(params).await
    }

    /// `workspace/symbol`: the corpus searched like completion (author, title words, year,
    /// key, DOI), each work at its source. An empty query lists the first works, which
    /// clients such as VS Code ask for when the picker opens.
    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<Vec<SymbolInformation>>> {
        self.corpus_ready().await;
        let (corpus, encoding) = {
            let state = self.lock();
            (state.corpus.clone(), state.encoding)
        };
        let Some(corpus) = corpus else { return Ok(None) };
        let cited = self.cited_works(&corpus);
        guarded("workspace/symbol", || {
            Some(symbols::to_proto_workspace_symbols(&corpus, &cited, &params.query, encoding))
        })
    }

    /// `textDocument/documentSymbol`: the entries of an open bibliography (BibTeX, CSL-JSON,
    /// CSL-YAML, RIS), one symbol each; nothing for manuscripts and saved pages.
    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        self.corpus_ready().await;
        let Some(snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let path = uri.to_file_path().map_or_else(|_| uri.path().to_owned(), |p| p.display().to_string());
        guarded("documentSymbol", || {
            Some(DocumentSymbolResponse::Nested(symbols::to_proto_document_symbols(&snapshot, &path)))
        })
    }

    /// `textDocument/semanticTokens/full`: every citation, marked known, unknown or
    /// ambiguous (legend in `symbols.rs`).
    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        self.corpus_ready().await;
        if symbols::is_bibliography(&uri) {
            return Ok(None);
        }
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let manuscript = self.manuscript(&uri, &mut snapshot);
        guarded("semanticTokens/full", || {
            Some(SemanticTokensResult::Tokens(symbols::to_proto_semantic_tokens(&snapshot, &manuscript, None)))
        })
    }

    /// `textDocument/semanticTokens/range`: the citations overlapping the range.
    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let uri = params.text_document.uri;
        self.corpus_ready().await;
        if symbols::is_bibliography(&uri) {
            return Ok(None);
        }
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let within = convert::rope_offset_range(&snapshot.rope, params.range, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        guarded("semanticTokens/range", || {
            Some(SemanticTokensRangeResult::Tokens(symbols::to_proto_semantic_tokens(
                &snapshot,
                &manuscript,
                Some(within),
            )))
        })
    }

    /// `textDocument/definition`: every source of the cited record.
    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params.text_document_position_params.text_document.uri;
        // Definition resolves keys only: the name table is enough.
        self.names_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let offset =
            convert::rope_offset(&snapshot.rope, params.text_document_position_params.position, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        guarded("definition", || {
            let targets = analysis::definition::definition(&snapshot.corpus, &manuscript, offset);
            let locations: Vec<tower_lsp::lsp_types::Location> =
                targets.iter().filter_map(|at| to_proto_location(&snapshot.corpus, at, snapshot.encoding)).collect();
            match locations.len() {
                0 => None,
                1 => Some(GotoDefinitionResponse::Scalar(locations.into_iter().next().expect("one"))),
                _ => Some(GotoDefinitionResponse::Array(locations)),
            }
        })
    }

    /// `textDocument/references`, see `references.rs`.
    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<tower_lsp::lsp_types::Location>>> {
        self.find_references(params).await
    }

    /// `textDocument/prepareRename`, see `references.rs`.
    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        self.prepare_rename_key(params).await
    }

    /// `textDocument/rename`, see `references.rs`.
    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        self.rename_key(params).await
    }

    /// `textDocument/codeLens`, see `references.rs`.
    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.code_lenses(params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranges worked out from what was kept of an entry are the ranges read from the
    /// file: line breaks of every kind, non-ASCII and wide characters, in both encodings.
    #[test]
    fn kept_anchor_ranges_are_the_ranges_the_file_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refs.bib");
        let bib = "@article{one2020,\r\n  title = {One},\r\n}\r\n@book{müller2021,\n  title = {Über 𝔸},\n}\n\
                   @misc{two2022, title = {Two}}\r@misc{three2023,\n  note = {x}\n}\n";
        std::fs::write(&path, bib).unwrap();
        let input = crate::corpus::Input {
            path: path.display().to_string(),
            text: bib.to_owned(),
            origin: crate::corpus::Origin::Workspace,
        };
        let corpus = Corpus::build(vec![input], Vec::new());
        assert_eq!(corpus.records.len(), 4);
        for record in &corpus.records {
            let at = record.anchor();
            for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                let read = read_range(&corpus, at, encoding);
                assert_eq!(kept_range(&corpus, at, encoding), Some(read), "{:?} in {encoding:?}", record.given_key);
                assert_eq!(to_proto_location(&corpus, at, encoding).map(|l| l.range), Some(read));
            }
        }
    }

    #[test]
    fn the_diagnostics_delay_follows_their_cost_unless_configured() {
        let ms = Duration::from_millis;
        assert_eq!(diagnostics_delay(Some(300), Some(ms(1))), ms(300));
        assert_eq!(diagnostics_delay(None, Some(Duration::from_micros(800))), Duration::ZERO);
        assert_eq!(diagnostics_delay(None, Some(ms(10))), Duration::ZERO);
        assert_eq!(diagnostics_delay(None, Some(ms(19))), Duration::ZERO);
        assert_eq!(diagnostics_delay(None, Some(ms(20))), ms(50));
        assert_eq!(diagnostics_delay(None, Some(ms(30))), ms(60));
        assert_eq!(diagnostics_delay(None, Some(ms(200))), ms(400));
        assert_eq!(diagnostics_delay(None, Some(ms(5000))), ms(1000));
        assert_eq!(diagnostics_delay(None, None), ms(50));
    }

    #[test]
    fn a_panicking_request_becomes_an_internal_error() {
        let answer: Result<()> = guarded("test request", || panic!("a bug in one request"));
        assert_eq!(answer.unwrap_err().code, tower_lsp::jsonrpc::ErrorCode::InternalError);
        // The next request is served as usual.
        assert_eq!(guarded("next request", || 42).unwrap(), 42);
    }
}
