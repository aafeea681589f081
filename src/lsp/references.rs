//! The requests that look at every manuscript of the workspace: `textDocument/references`,
//! `textDocument/prepareRename` + `textDocument/rename`, and `textDocument/codeLens` on
//! corpus files.
//!
//! The workspace's manuscripts are walked once when the server starts
//! ([`crate::manuscript::workspace::Manuscripts`]: keys and byte ranges, no texts) and kept
//! current by the file watcher; open documents override what is on disk, from their current
//! text, at each request. A result's byte offsets become editor positions by reading just the
//! files that hold results; a file whose text on disk no longer matches what was scanned
//! (changed without a watcher event yet) is scanned again and the request computed once more.
//!
//! Compatibility: a lens's command is `refls.showReferences` with arguments
//! `[uri, position]`. It is a client-side command (the way rust-analyzer's
//! `rust-analyzer.showReferences` is): the VS Code extension maps it to
//! `editor.action.showReferences`, the Neovim configuration to a references request shown in
//! the quickfix list. Other clients can send it as `workspace/executeCommand`, which answers
//! the locations. It is not listed in `executeCommandProvider`, because vscode-languageclient
//! registers every listed command itself and the extension's own would then clash with it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;

use super::convert::{self, LineIndex, PositionEncoding};
use super::{Backend, anchor_slice, guarded, to_proto_location};
use crate::analysis::references::{self, FileReferences, Target, Workspace};
use crate::analysis::{Manuscript, code_lens, rename};
use crate::corpus::Corpus;
use crate::manuscript::Dialect;
use crate::manuscript::workspace::{self as manuscripts, ManuscriptFile, Manuscripts, is_manuscript_path};

/// The client-side command a code lens runs (see the module documentation).
pub const SHOW_REFERENCES_COMMAND: &str = "refls.showReferences";

/// An open document as a workspace request copies it: path, dialect, text and its scan.
type OpenCopy = (String, Dialect, Rope, Arc<str>, Option<Manuscript>);

/// What a request over the workspace's manuscripts needs, taken under the lock.
struct WorkspaceSnapshot {
    encoding: PositionEncoding,
    corpus: Arc<Corpus>,
    set: Arc<Manuscripts>,
    /// The open manuscripts, scanned from the editor's text; they replace the files of the set.
    open: Vec<ManuscriptFile>,
    /// Every open document's text, by path: results in them are converted with the editor's
    /// text, and a corpus file open in the editor is read from it.
    open_texts: HashMap<String, (Rope, Arc<str>)>,
}

impl WorkspaceSnapshot {
    fn workspace(&self) -> Workspace<'_> {
        let open: HashSet<&str> = self.open.iter().map(|f| f.path.as_str()).collect();
        let on_disk = self.set.files().map(|f| &**f).filter(|f| !open.contains(f.path.as_str()));
        Workspace::new(on_disk.chain(self.open.iter()))
    }

    /// The text of a corpus file around a source (see [`rename::ReadSource`]): the editor's
    /// whole text when the file is open, else the stretch of the file from the source's line
    /// on (`anchor_slice`, as go-to-definition reads it).
    fn source_text(&self, at: &crate::corpus::Location) -> Option<(usize, String)> {
        let source = self.corpus.file(at.file);
        if let Some((_, text)) = self.open_texts.get(&source.path) {
            return Some((0, text.to_string()));
        }
        let (_, line_start, text) = anchor_slice(&self.corpus, at)?;
        Some((line_start as usize, text))
    }

    /// The corpus's name for the file at `path`: the path itself, else its canonical form
    /// (declared bibliographies are read by their resolved path), else, for a copy of an
    /// embedded seed that go-to-definition wrote to the temporary directory, `seeds/<name>`.
    fn corpus_path(&self, path: &Path) -> Option<String> {
        let shown = path.display().to_string();
        if references::corpus_file(&self.corpus, &shown).is_some() {
            return Some(shown);
        }
        if let Some(canonical) = std::fs::canonicalize(path).ok().map(|p| p.display().to_string()) {
            if references::corpus_file(&self.corpus, &canonical).is_some() {
                return Some(canonical);
            }
        }
        let in_seed_copy =
            path.parent().and_then(|p| p.file_name()).is_some_and(|d| d.to_string_lossy().starts_with("refls-seeds-"));
        let seed = format!("seeds/{}", path.file_name()?.to_string_lossy());
        (in_seed_copy && references::corpus_file(&self.corpus, &seed).is_some()).then_some(seed)
    }

    /// Editor ranges of byte ranges in the manuscript at `path`, or `Err(path)` when the file
    /// on disk is not the text that was scanned.
    fn ranges(&self, path: &str, ranges: &[std::ops::Range<usize>]) -> std::result::Result<Vec<Range>, String> {
        if let Some((rope, _)) = self.open_texts.get(path) {
            return Ok(ranges.iter().map(|r| convert::rope_range(rope, r.clone(), self.encoding)).collect());
        }
        let text = std::fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let scanned = self.set.get(path).map(|f| f.fingerprint);
        if scanned != Some(manuscripts::fingerprint(text)) {
            return Err(path.to_owned());
        }
        let index = LineIndex::new(text);
        Ok(ranges.iter().map(|r| index.range(text, r.clone(), self.encoding)).collect())
    }

    fn locations(&self, found: &[FileReferences]) -> std::result::Result<Vec<Location>, Vec<String>> {
        let mut res = Vec::new();
        let mut stale = Vec::new();
        for file in found {
            let Ok(uri) = Url::from_file_path(&file.path) else { continue };
            match self.ranges(&file.path, &file.ranges) {
                Ok(ranges) => res.extend(ranges.into_iter().map(|range| Location { uri: uri.clone(), range })),
                Err(path) => stale.push(path),
            }
        }
        if stale.is_empty() { Ok(res) } else { Err(stale) }
    }
}

/// A request the editor shows as an error message (`RequestFailed`).
fn refused(message: String) -> Error {
    Error { code: ErrorCode::ServerError(-32803), message: message.into(), data: None }
}

impl Backend {
    /// Walks the workspace's manuscripts off the async runtime; requests that need them wait.
    pub(super) fn load_manuscripts(&self) {
        let root = self.lock().root.clone();
        let this = self.clone();
        tokio::spawn(async move {
            let walked = match root {
                Some(root) => tokio::task::spawn_blocking(move || Manuscripts::walk(&root)).await.unwrap_or_default(),
                None => Manuscripts::default(),
            };
            tracing::info!("{} manuscripts in the workspace", walked.len());
            this.lock().manuscripts = Arc::new(walked);
            this.manuscripts_loaded.send_replace(true);
            this.workspace_manuscripts_changed();
        });
    }

    /// The workspace's manuscripts lend open documents aliases and LaTeX citation commands
    /// (see `Manuscripts::context_for`): when they change, open documents are scanned again.
    fn workspace_manuscripts_changed(&self) {
        let uris: Vec<Url> = {
            let mut state = self.lock();
            state
                .documents
                .iter_mut()
                .map(|(uri, open)| {
                    open.manuscript = None;
                    uri.clone()
                })
                .collect()
        };
        for uri in uris {
            self.schedule_diagnostics(uri, std::time::Duration::ZERO);
        }
    }

    /// Scans changed manuscripts again (the file watcher's paths; others are ignored).
    pub(super) fn refresh_manuscripts(&self, paths: &[PathBuf]) {
        let paths: Vec<&PathBuf> = paths.iter().filter(|p| is_manuscript_path(p)).collect();
        if paths.is_empty() {
            return;
        }
        let mut set = (*self.lock().manuscripts).clone();
        let mut changed = false;
        for path in paths {
            changed |= set.refresh(path);
        }
        if changed {
            self.lock().manuscripts = Arc::new(set);
            self.workspace_manuscripts_changed();
        }
    }

    async fn workspace_snapshot(&self) -> Option<WorkspaceSnapshot> {
        self.corpus_ready().await;
        let mut loaded = self.manuscripts_loaded.subscribe();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(60), loaded.wait_for(|l| *l)).await;
        let (encoding, corpus, set, documents) = {
            let state = self.lock();
            let documents: Vec<OpenCopy> = state
                .documents
                .iter()
                .map(|(uri, open)| {
                    let path = uri.to_file_path().map_or_else(|_| uri.to_string(), |p| p.display().to_string());
                    (path, open.dialect, open.document.rope().clone(), open.document.text(), open.manuscript.clone())
                })
                .collect();
            (state.encoding, state.corpus.clone()?, state.manuscripts.clone(), documents)
        };
        let mut open = Vec::new();
        let mut open_texts = HashMap::new();
        for (path, dialect, rope, text, manuscript) in documents {
            if dialect != Dialect::Plain {
                let manuscript = manuscript.unwrap_or_else(|| Manuscript::new(dialect, text.clone()));
                open.push(ManuscriptFile::from_citations(
                    &path,
                    dialect,
                    &manuscript.citations,
                    (*manuscript.aliases).clone(),
                    manuscripts::fingerprint(&text),
                ));
            }
            open_texts.insert(path, (rope, text));
        }
        Some(WorkspaceSnapshot { encoding, corpus, set, open, open_texts })
    }

    /// Runs `compute` on a snapshot; when it meets manuscripts changed on disk since they were
    /// scanned, scans them again and computes once more.
    async fn with_workspace<T>(
        &self,
        what: &str,
        compute: impl Fn(&WorkspaceSnapshot) -> Result<std::result::Result<T, Vec<String>>>,
    ) -> Result<Option<T>> {
        for _ in 0..2 {
            let Some(snapshot) = self.workspace_snapshot().await else { return Ok(None) };
            match compute(&snapshot)? {
                Ok(found) => return Ok(Some(found)),
                Err(stale) => {
                    tracing::info!("{what}: {} manuscripts changed on disk since they were read", stale.len());
                    let paths: Vec<PathBuf> = stale.into_iter().map(PathBuf::from).collect();
                    self.refresh_manuscripts(&paths);
                }
            }
        }
        tracing::warn!("{what}: manuscripts keep changing on disk; no answer");
        Ok(None)
    }

    /// `textDocument/references` from a citation in a manuscript (any of a work's names) or
    /// from a work's source in a corpus file (an entry, a saved page). With
    /// `includeDeclaration`, the work's sources are listed too.
    pub(super) async fn find_references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let Ok(path) = uri.to_file_path() else { return Ok(None) };
        let include_declaration = params.context.include_declaration;
        self.with_workspace("references", |snapshot| {
            guarded("references", || {
                let Some(offset) = self.offset_in(snapshot, &path, position.position) else { return Ok(Vec::new()) };
                let shown = path.display().to_string();
                let workspace = snapshot.workspace();
                let corpus = &snapshot.corpus;
                let target = match references::target_at(corpus, &workspace, &shown, offset) {
                    Some((target, _)) => target,
                    None => {
                        let at = snapshot.corpus_path(&path);
                        match at.and_then(|at| references::work_at(corpus, &at, offset)) {
                            Some(id) => Target::Work(id),
                            None => return Ok(Vec::new()),
                        }
                    }
                };
                let found = references::references(corpus, &workspace, &target);
                let mut locations = snapshot.locations(&found)?;
                if let (true, Target::Work(id)) = (include_declaration, &target) {
                    let sources = corpus.record(*id).anchors.iter();
                    locations.extend(sources.filter_map(|at| to_proto_location(corpus, at, snapshot.encoding)));
                }
                Ok(locations)
            })
        })
        .await
    }

    /// The byte offset of `position` in the document at `path`: the editor's text when it is
    /// open (every request comes from an open document in practice), else the disk's.
    fn offset_in(&self, snapshot: &WorkspaceSnapshot, path: &Path, position: Position) -> Option<usize> {
        let (rope, _) = snapshot.open_texts.get(&path.display().to_string())?;
        Some(convert::rope_offset(rope, position, snapshot.encoding))
    }

    /// `textDocument/prepareRename`: the key under the cursor, or an error saying why it
    /// cannot be renamed (editors show it).
    pub(super) async fn prepare_rename_key(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let uri = params.text_document.uri;
        let Ok(path) = uri.to_file_path() else { return Ok(None) };
        let found = self
            .with_workspace("prepareRename", |snapshot| {
                let Some(offset) = self.offset_in(snapshot, &path, params.position) else { return Ok(Ok(None)) };
                let at = self.rename_path(snapshot, &path);
                let workspace = snapshot.workspace();
                let prepared = guarded("prepareRename", || {
                    rename::prepare(&snapshot.corpus, &workspace, &at, offset, &|at| snapshot.source_text(at))
                })?;
                let prepared = prepared.map_err(|rename::Refused(why)| refused(why))?;
                let (rope, _) = &snapshot.open_texts[&path.display().to_string()];
                Ok(Ok(prepared.map(|p| PrepareRenameResponse::RangeWithPlaceholder {
                    range: convert::rope_range(rope, p.range, snapshot.encoding),
                    placeholder: p.key,
                })))
            })
            .await?;
        Ok(found.flatten())
    }

    /// The path a rename looks the document up by: a manuscript's own, or the corpus's name
    /// for a corpus file.
    fn rename_path(&self, snapshot: &WorkspaceSnapshot, path: &Path) -> String {
        let shown = path.display().to_string();
        if snapshot.open.iter().any(|f| f.path == shown) {
            return shown;
        }
        snapshot.corpus_path(path).unwrap_or(shown)
    }

    /// `textDocument/rename`: one `WorkspaceEdit` with every citation of the key in the
    /// workspace's manuscripts and the key of its bibliography entry. The editor applies it;
    /// refls writes nothing.
    pub(super) async fn rename_key(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let Ok(path) = position.text_document.uri.to_file_path() else { return Ok(None) };
        let found = self
            .with_workspace("rename", |snapshot| {
                let Some(offset) = self.offset_in(snapshot, &path, position.position) else { return Ok(Ok(None)) };
                let at = self.rename_path(snapshot, &path);
                let workspace = snapshot.workspace();
                let corpus = &snapshot.corpus;
                let edits = guarded("rename", || {
                    rename::rename(corpus, &workspace, &at, offset, &params.new_name, &|at| snapshot.source_text(at))
                })?;
                let Some(edits) = edits.map_err(|rename::Refused(why)| refused(why))? else { return Ok(Ok(None)) };
                let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
                let mut stale = Vec::new();
                for file in &edits.manuscripts {
                    let Ok(uri) = Url::from_file_path(&file.path) else { continue };
                    match snapshot.ranges(&file.path, &file.ranges) {
                        Ok(ranges) => changes.entry(uri).or_default().extend(
                            ranges.into_iter().map(|range| TextEdit { range, new_text: edits.new_key.clone() }),
                        ),
                        Err(path) => stale.push(path),
                    }
                }
                if !stale.is_empty() {
                    return Ok(Err(stale));
                }
                for (entry, range, new_text) in &edits.entries {
                    let source = corpus.file(entry.file);
                    let Ok(uri) = Url::from_file_path(&source.path) else { continue };
                    let range = match snapshot.open_texts.get(&source.path) {
                        Some((rope, _)) => convert::rope_range(rope, range.clone(), snapshot.encoding),
                        // Only the entry's stretch of the file is read, from its line on.
                        None => {
                            let Some((line, line_start, text)) = anchor_slice(corpus, entry) else { continue };
                            let local = range.start - line_start as usize..range.end - line_start as usize;
                            let mut range = LineIndex::new(&text).range(&text, local, snapshot.encoding);
                            range.start.line += line;
                            range.end.line += line;
                            range
                        }
                    };
                    changes.entry(uri).or_default().push(TextEdit { range, new_text: new_text.clone() });
                }
                Ok(Ok(Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() })))
            })
            .await?;
        Ok(found.flatten())
    }

    /// `textDocument/codeLens` on a corpus file: "cited 3× in 2 manuscripts" above each
    /// entry (and on a saved page's title line), running `refls.showReferences` there.
    pub(super) async fn code_lenses(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Ok(path) = uri.to_file_path() else { return Ok(None) };
        self.with_workspace("codeLens", |snapshot| {
            guarded("codeLens", || {
                let Some(at) = snapshot.corpus_path(&path) else { return Ok(Vec::new()) };
                let Some((rope, _)) = snapshot.open_texts.get(&path.display().to_string()) else {
                    return Ok(Vec::new());
                };
                let workspace = snapshot.workspace();
                let lenses = code_lens::code_lens(&snapshot.corpus, &workspace, &at);
                Ok(lenses
                    .into_iter()
                    .map(|lens| {
                        let start = convert::rope_position(rope, lens.offset, snapshot.encoding);
                        CodeLens {
                            range: Range::new(start, start),
                            command: Some(Command {
                                title: code_lens::title(lens.count),
                                command: SHOW_REFERENCES_COMMAND.to_owned(),
                                arguments: Some(vec![serde_json::json!(uri), serde_json::json!(start)]),
                            }),
                            data: None,
                        }
                    })
                    .collect())
            })
        })
        .await
    }

    /// `workspace/executeCommand` `refls.showReferences` `[uri, position]`, for clients that
    /// do not map the lens command themselves: the references there, without the sources.
    pub(super) async fn show_references(&self, arguments: &[serde_json::Value]) -> Result<Option<serde_json::Value>> {
        let uri = arguments.first().and_then(|u| u.as_str()).and_then(|u| Url::parse(u).ok());
        let position = arguments.get(1).and_then(|p| serde_json::from_value::<Position>(p.clone()).ok());
        let (Some(uri), Some(position)) = (uri, position) else {
            return Err(Error::invalid_params("expected [uri, position]"));
        };
        let params = ReferenceParams {
            text_document_position: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri },
                position,
            },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: ReferenceContext { include_declaration: false },
        };
        let found = self.find_references(params).await?;
        Ok(Some(serde_json::to_value(found.unwrap_or_default()).unwrap_or_default()))
    }
}
