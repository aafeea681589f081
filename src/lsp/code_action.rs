//! `textDocument/codeAction`: the quick fixes of [`crate::analysis::code_action`] as
//! `WorkspaceEdit`s, attached to the client's diagnostics they fix.
//!
//! Compatibility: edits go in `WorkspaceEdit.changes` (every client supports it; no
//! `documentChanges` versions). Appending to a bibliography reads the whole file, so for
//! clients that resolve an action's `edit` lazily (`codeAction.resolveSupport`: VS Code,
//! Neovim) that action comes without its edit, which `codeAction/resolve` computes. An edit to a declared bibliography is computed on the text the
//! editor has when the file is open there, else on the file as saved, so its positions match
//! what the editor will edit. refls itself writes nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, NumberOrString, TextEdit,
    Url, WorkspaceEdit,
};

use super::convert::{self, LineIndex};
use super::state::DocumentSnapshot;
use super::{Backend, guarded};
use crate::analysis::code_action::{self as analysis, Append, Bibliography, Target};
use crate::corpus::Resolution;

impl Backend {
    pub(super) async fn code_actions(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        // Every action refls offers is a quick fix.
        if let Some(only) = &params.context.only {
            let wanted = |kind: &CodeActionKind| {
                kind.as_str().is_empty() || CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str())
            };
            if !only.iter().any(wanted) {
                return Ok(None);
            }
        }
        let uri = params.text_document.uri;
        // A corpus file open in the editor (a `.bib`, a saved page) is not a manuscript: its
        // DOIs are the works' own, not citations.
        if self.is_corpus_file(&uri) {
            return Ok(None);
        }
        self.corpus_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let range = convert::rope_offset_range(&snapshot.rope, params.range, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        let (bibliographies, open_texts) = self.declared_bibliographies(&uri, &snapshot);
        let resolves_edits = self.lock().flags.code_action_resolve;
        guarded("codeAction", || {
            let read = |path: &str| read_bibliography(&open_texts, path);
            // Appending reads the whole bibliography: left for `codeAction/resolve` when the
            // client can ask for it, since the editor asks for actions at every cursor move.
            let read: Option<analysis::Reader> = if resolves_edits { None } else { Some(&read) };
            let actions = analysis::code_actions(&snapshot.corpus, &manuscript, range, &bibliographies, read);
            let res: CodeActionResponse = actions
                .into_iter()
                .filter_map(|action| {
                    let changes = to_proto_changes(&uri, &snapshot, action.edits)?;
                    let data = action.append.filter(|_| changes.is_empty()).map(|append| {
                        serde_json::json!({
                            "uri": uri,
                            "key": append.name,
                            "path": append.bibliography.path,
                            "written": append.bibliography.written,
                        })
                    });
                    let diagnostics = action.fixes.map(|(code, range)| {
                        let range = convert::rope_range(&snapshot.rope, range, snapshot.encoding);
                        let code = NumberOrString::String(code.to_owned());
                        params
                            .context
                            .diagnostics
                            .iter()
                            .filter(|d| d.range == range && d.code.as_ref() == Some(&code))
                            .cloned()
                            .collect::<Vec<_>>()
                    });
                    Some(CodeActionOrCommand::CodeAction(CodeAction {
                        title: action.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: diagnostics.filter(|d| !d.is_empty()),
                        edit: data
                            .is_none()
                            .then(|| WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                        is_preferred: action.preferred.then_some(true),
                        data,
                        ..CodeAction::default()
                    }))
                })
                .collect();
            Some(res)
        })
    }

    /// `codeAction/resolve`: the edit of an "add to the bibliography" action, computed for the
    /// action the user picked. The key is resolved again, on the corpus of now; an action
    /// whose key no longer names one work, or whose file cannot be extended, comes back
    /// without an edit.
    pub(super) async fn resolve_code_action(&self, mut action: CodeAction) -> Result<CodeAction> {
        let Some(data) = action.data.clone() else { return Ok(action) };
        let field = |name: &str| data.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let (Some(uri), Some(key), Some(path), Some(written)) =
            (field("uri").and_then(|u| Url::parse(&u).ok()), field("key"), field("path"), field("written"))
        else {
            return Ok(action);
        };
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(action) };
        let manuscript = self.manuscript(&uri, &mut snapshot);
        let (_, open_texts) = self.declared_bibliographies(&uri, &snapshot);
        let changes = guarded("codeAction/resolve", || {
            let Resolution::One(record) = manuscript.resolve(&snapshot.corpus, &key) else { return None };
            let append = Append { record, name: key, bibliography: Bibliography { path, written } };
            let edits = analysis::resolve_append(&snapshot.corpus, &append, &|p| read_bibliography(&open_texts, p))?;
            to_proto_changes(&uri, &snapshot, edits)
        })?;
        if let Some(changes) = changes {
            action.edit = Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() });
        }
        Ok(action)
    }

    /// The bibliographies the manuscript `uri` reads (its own declarations and its project's)
    /// that refls may read (inside the workspace or a trusted folder) and that exist, and the
    /// editor's text of those open in it.
    fn declared_bibliographies(
        &self,
        uri: &Url,
        snapshot: &DocumentSnapshot,
    ) -> (Vec<Bibliography>, HashMap<String, Arc<str>>) {
        let Some(path) = uri.to_file_path().ok() else { return Default::default() };
        let Some(dir) = path.parent() else { return Default::default() };
        let declared = super::declared_bibliographies(&path, snapshot.dialect, &snapshot.text);
        let state = self.lock();
        let scope = state.scope(Some(&path));
        let mut open = HashMap::new();
        let mut resolver = scope.resolver();
        let bibliographies = declared
            .into_iter()
            .filter_map(|joined| {
                let resolved: PathBuf = resolver.file(&joined).ok()?;
                let shown = resolved.display().to_string();
                if let Some(document) = Url::from_file_path(&resolved).ok().and_then(|u| state.documents.get(&u)) {
                    open.insert(shown.clone(), document.document.text());
                }
                // As the manuscript names it; a project's bibliography by its file name.
                let written = match joined.strip_prefix(dir) {
                    Ok(relative) => relative.display().to_string(),
                    Err(_) => joined.file_name().map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
                };
                Some(Bibliography { path: shown, written })
            })
            .collect();
        (bibliographies, open)
    }
}

/// A bibliography's text: the editor's when it is open there, else the file's.
fn read_bibliography(open: &HashMap<String, Arc<str>>, path: &str) -> Option<Arc<str>> {
    open.get(path).cloned().or_else(|| std::fs::read_to_string(path).ok().map(Arc::from))
}

/// Analysis edits as `WorkspaceEdit.changes`: the manuscript's positions from its rope, a
/// bibliography's from the text the edit was computed on.
fn to_proto_changes(
    uri: &Url,
    snapshot: &DocumentSnapshot,
    edits: Vec<analysis::Edit>,
) -> Option<HashMap<Url, Vec<TextEdit>>> {
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let (target, range) = match &edit.target {
            Target::Manuscript => (uri.clone(), convert::rope_range(&snapshot.rope, edit.range, snapshot.encoding)),
            Target::File { path, text } => {
                (Url::from_file_path(path).ok()?, LineIndex::new(text).range(text, edit.range, snapshot.encoding))
            }
        };
        changes.entry(target).or_default().push(TextEdit { range, new_text: edit.new_text });
    }
    Some(changes)
}
