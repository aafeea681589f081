//! The language server: the only module that names tower-lsp or `lsp_types`.
//!
//! Handlers are convert → call analysis → convert. Mutations (didOpen, didChange) are applied
//! synchronously at the top of their handler, before any `.await`, because tower-lsp starts
//! handlers in arrival order but runs them concurrently (ebkalderon/tower-lsp#284): an edit
//! applied after an await could overtake the next one. Requests take a snapshot under the
//! lock, drop it, and run the analysis inside `catch_unwind`, so a panic answers that one
//! request with `InternalError` and the server stays up.

pub mod config;
pub mod convert;
pub mod document;
pub mod state;
pub mod transport;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tower_lsp::jsonrpc::{Error, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};

use self::config::Config;
use self::convert::{LineIndex, PositionEncoding};
use self::document::Document;
use self::state::{DocumentSnapshot, OpenDocument, ServerState};
use crate::analysis::{self, Manuscript, diagnostics::Related};
use crate::corpus::discover::{self};
use crate::corpus::{Corpus, FileProblem, Input, Location, Origin, Severity, seeds};
use crate::manuscript::Dialect;

/// The service the binary serves and the in-process tests drive.
pub fn service() -> (LspService<Backend>, tower_lsp::ClientSocket) {
    LspService::build(Backend::new).custom_method("refls/documentText", Backend::document_text).finish()
}

/// Runs the server on stdin/stdout until the client exits. Input passes through
/// [`transport::forward_valid_frames`], so a malformed message cannot stop the server.
pub async fn run_stdio() {
    let (service, socket) = service();
    let (guard_end, server_end) = tokio::io::duplex(1 << 20);
    tokio::spawn(transport::forward_valid_frames(tokio::io::stdin(), guard_end));
    Server::new(server_end, tokio::io::stdout(), socket).serve(service).await;
}

pub struct Backend {
    client: Client,
    state: Arc<Mutex<ServerState>>,
    /// Becomes true when the first corpus load is done; requests that arrive earlier wait for
    /// it instead of answering "nothing here" for a key that is merely not indexed yet.
    corpus_loaded: tokio::sync::watch::Sender<bool>,
}

/// The characters after which clients should ask for citation completion.
const TRIGGER_CHARACTERS: &[&str] = &["@", "{", ",", "<", ":", ";"];

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::new(Mutex::new(ServerState::default())),
            corpus_loaded: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Waits (at most a minute) until the corpus is loaded.
    async fn corpus_ready(&self) {
        let mut loaded = self.corpus_loaded.subscribe();
        if tokio::time::timeout(Duration::from_secs(60), loaded.wait_for(|l| *l)).await.is_err() {
            tracing::warn!("the corpus is still loading after a minute; answering without it");
        }
    }

    fn lock(&self) -> MutexGuard<'_, ServerState> {
        // A panic while holding the lock poisons it; the state is still consistent (every
        // mutation is a single assignment or map operation), so keep serving.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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

    /// Loads (or reloads) the corpus off the async runtime, then refreshes every open
    /// document's diagnostics.
    async fn load_corpus(&self) {
        let (root, config) = {
            let state = self.lock();
            (state.root.clone(), state.config.clone())
        };
        let built = tokio::task::spawn_blocking(move || {
            catch_unwind(move || {
                let (inputs, problems) = workspace_inputs(root.as_deref(), &config);
                Corpus::build(inputs, problems)
            })
        })
        .await;
        let corpus = match built {
            Ok(Ok(corpus)) => corpus,
            _ => {
                self.client.show_message(MessageType::ERROR, "refls: indexing the corpus failed; see the log").await;
                // Requests must not wait forever for a corpus that will not come.
                self.lock().corpus.get_or_insert_with(|| Arc::new(Corpus::default()));
                self.corpus_loaded.send_replace(true);
                return;
            }
        };
        for p in &corpus.problems {
            let level = if p.problem.severity == Severity::Error { MessageType::ERROR } else { MessageType::WARNING };
            self.client
                .log_message(
                    level,
                    format!("{}: {}[{}]: {}", p.path, level_word(level), p.problem.code, p.problem.message),
                )
                .await;
        }
        let summary = format!("refls: indexed {} works from {} files", corpus.records.len(), corpus.files.len());
        tracing::info!("{summary}");
        self.client.log_message(MessageType::INFO, summary).await;
        let uris: Vec<Url> = {
            let mut state = self.lock();
            state.corpus = Some(Arc::new(corpus));
            state.documents.keys().cloned().collect()
        };
        self.corpus_loaded.send_replace(true);
        for uri in uris {
            self.schedule_diagnostics(uri, Duration::ZERO);
        }
    }

    /// Publishes the diagnostics of `uri` once it has been quiet for `delay`. Every change
    /// bumps the document's generation; a task whose generation is stale does nothing.
    fn schedule_diagnostics(&self, uri: Url, delay: Duration) {
        let generation = {
            let mut state = self.lock();
            let Some(open) = state.documents.get_mut(&uri) else { return };
            open.generation += 1;
            open.generation
        };
        let state = self.state.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let snapshot = {
                let state = state.lock().unwrap_or_else(|p| p.into_inner());
                match state.documents.get(&uri) {
                    Some(open) if open.generation == generation => state.snapshot(&uri),
                    _ => None,
                }
            };
            let Some(mut snapshot) = snapshot else { return };
            let version = snapshot.version;
            let computed = tokio::task::spawn_blocking(move || {
                catch_unwind(AssertUnwindSafe(|| {
                    let manuscript = snapshot.manuscript();
                    let found = analysis::diagnostics::diagnostics(&snapshot.corpus, &manuscript);
                    to_proto_diagnostics(&snapshot, &found)
                }))
            })
            .await;
            match computed {
                Ok(Ok(diagnostics)) => client.publish_diagnostics(uri, diagnostics, Some(version)).await,
                _ => {
                    client
                        .log_message(MessageType::ERROR, format!("refls: diagnostics of {uri} failed (internal error)"))
                        .await
                }
            }
        });
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

    fn diagnostics_delay(&self) -> Duration {
        Duration::from_millis(self.lock().config.diagnostics_delay_ms)
    }
}

fn level_word(level: MessageType) -> &'static str {
    if level == MessageType::ERROR { "error" } else { "warning" }
}

/// Runs one request's analysis with panics contained.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        tracing::error!("{what} panicked; the request failed, the server goes on");
        Error::internal_error()
    })
}

/// The corpus inputs of a workspace: configured paths and globs, else `seeds/` under the
/// root, else the seeds embedded in the binary.
pub fn workspace_inputs(root: Option<&Path>, config: &Config) -> (Vec<Input>, Vec<FileProblem>) {
    // Without a workspace folder, configured paths are taken from the server's working
    // directory, but an unconfigured server does not go looking there: it uses the seeds.
    let base = root.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    if !config.corpus.is_empty() {
        let mut inputs = Vec::new();
        let mut problems = Vec::new();
        let (globs, paths): (Vec<&String>, Vec<&String>) =
            config.corpus.iter().partition(|p| p.contains(['*', '?', '[']));
        for path in paths {
            match discover::discover(&[base.join(path)]) {
                Ok((found, trouble)) => {
                    inputs.extend(found);
                    problems.extend(trouble);
                }
                Err(discover::MissingPath(missing)) => problems.push(FileProblem {
                    file: None,
                    path: missing,
                    problem: crate::corpus::Problem::new(
                        Severity::Error,
                        "missing-corpus",
                        "corpus path does not exist",
                    ),
                }),
            }
        }
        if !globs.is_empty() {
            let mut builder = globset::GlobSetBuilder::new();
            for glob in &globs {
                match globset::Glob::new(glob) {
                    Ok(glob) => {
                        builder.add(glob);
                    }
                    Err(e) => problems.push(FileProblem {
                        file: None,
                        path: (*glob).clone(),
                        problem: crate::corpus::Problem::new(Severity::Error, "bad-glob", e.to_string()),
                    }),
                }
            }
            if let Ok(set) = builder.build() {
                for entry in ignore::WalkBuilder::new(&base).build().flatten() {
                    let path = entry.path();
                    let relative = path.strip_prefix(&base).unwrap_or(path);
                    if entry.file_type().is_some_and(|t| t.is_file()) && set.is_match(relative) {
                        let (input, problem) = discover::read_source(path);
                        inputs.extend(input);
                        problems.extend(problem);
                    }
                }
            }
        }
        return (inputs, problems);
    }
    let seeds_dir = base.join("seeds");
    if root.is_some() && seeds_dir.is_dir() {
        if let Ok(found) = discover::discover(&[seeds_dir]) {
            return found;
        }
    }
    (seeds::inputs(), Vec::new())
}

/// The file behind a corpus location, for links: a real path, or for an embedded seed a copy
/// written once to the temporary directory (never into the user's files).
fn corpus_path(corpus: &Corpus, at: &Location) -> Option<PathBuf> {
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

fn corpus_text(corpus: &Corpus, at: &Location) -> Option<String> {
    let file = corpus.file(at.file);
    match file.origin {
        Origin::Seed => {
            let name = file.path.rsplit('/').next()?;
            Some(seeds::SEEDS.iter().find(|(n, _)| *n == name)?.1.to_owned())
        }
        _ => std::fs::read(&file.path).ok().map(|b| String::from_utf8_lossy(&b).into_owned()),
    }
}

/// A corpus location as an LSP location. The file is read to convert its byte range with the
/// negotiated encoding; if it cannot be read, the range falls back to the start of its line.
fn to_proto_location(
    corpus: &Corpus,
    at: &Location,
    encoding: PositionEncoding,
) -> Option<tower_lsp::lsp_types::Location> {
    let uri = Url::from_file_path(corpus_path(corpus, at)?).ok()?;
    let range = match corpus_text(corpus, at) {
        Some(text) => LineIndex::new(&text).range(&text, at.range.start as usize..at.range.end as usize, encoding),
        None => {
            let line = corpus.line_of(at);
            Range::new(Position::new(line, 0), Position::new(line, 0))
        }
    };
    Some(tower_lsp::lsp_types::Location { uri, range })
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
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
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
        if let Some(options) = &params.initialization_options {
            match Config::from_json(options) {
                Ok(from_client) if from_client != Config::default() => config = from_client,
                Ok(_) => {}
                Err(e) => tracing::warn!("initializationOptions: {e}; using refls.toml or defaults"),
            }
        }
        {
            let mut state = self.lock();
            state.encoding = encoding;
            state.root = root;
            state.config = config;
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
        self.load_corpus().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shutting_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        {
            let mut state = self.lock();
            let dialect = Dialect::from_path(doc.uri.path());
            let open = OpenDocument {
                document: Document::new(&doc.text, doc.version),
                dialect,
                manuscript: None,
                generation: 0,
            };
            state.documents.insert(doc.uri.clone(), open);
        }
        self.schedule_diagnostics(doc.uri, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut state = self.lock();
            let encoding = state.encoding;
            let Some(open) = state.documents.get_mut(&uri) else {
                tracing::warn!("didChange for {uri}, which is not open; ignored");
                return;
            };
            open.document.apply_changes(params.content_changes, params.text_document.version, encoding);
            open.manuscript = None;
        }
        let delay = self.diagnostics_delay();
        self.schedule_diagnostics(uri, delay);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.lock().documents.remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let current = self.lock().config.clone();
        match current.merged(&params.settings) {
            Ok(config) => {
                let changed = {
                    let mut state = self.lock();
                    let changed = state.config.corpus != config.corpus;
                    state.config = config;
                    changed
                };
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
        self.corpus_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let offset =
            convert::rope_offset(&snapshot.rope, params.text_document_position_params.position, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
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
    /// needs only the text around the cursor, not the scanned manuscript.
    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri;
        self.corpus_ready().await;
        let Some(snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let limit = self.lock().config.completion_limit;
        let offset = convert::rope_offset(&snapshot.rope, params.text_document_position.position, snapshot.encoding);
        guarded("completion", || {
            let corpus = &snapshot.corpus;
            let found =
                analysis::completion::completion(corpus, snapshot.dialect, &snapshot.text, offset, limit, &|at| {
                    link(corpus, at)
                })?;
            let range = convert::rope_range(&snapshot.rope, found.range, snapshot.encoding);
            let items = found
                .items
                .into_iter()
                .map(|item| CompletionItem {
                    label: item.key.clone(),
                    kind: Some(CompletionItemKind::REFERENCE),
                    detail: Some(item.detail),
                    documentation: Some(Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: item.documentation,
                    })),
                    filter_text: Some(item.filter_text),
                    sort_text: Some(item.sort_text),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text: item.key })),
                    ..CompletionItem::default()
                })
                .collect();
            Some(CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items }))
        })
    }

    /// `textDocument/definition`: every source of the cited record.
    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params.text_document_position_params.text_document.uri;
        self.corpus_ready().await;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_request_becomes_an_internal_error() {
        let answer: Result<()> = guarded("test request", || panic!("a bug in one request"));
        assert_eq!(answer.unwrap_err().code, tower_lsp::jsonrpc::ErrorCode::InternalError);
        // The next request is served as usual.
        assert_eq!(guarded("next request", || 42).unwrap(), 42);
    }
}
