//! `textDocument/codeAction`: the quick fixes of [`crate::analysis::code_action`] as
//! `WorkspaceEdit`s, attached to the client's diagnostics they fix.
//!
//! Compatibility: edits go in `WorkspaceEdit.changes` (every client supports it; no
//! `documentChanges` versions). An edit to a declared bibliography is computed on the text the
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
use super::{Backend, guarded};
use crate::analysis::code_action::{self as analysis, Bibliography, Target};
use crate::manuscript::bibliography::declared;

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
        self.corpus_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let range = convert::rope_offset_range(&snapshot.rope, params.range, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        let (bibliographies, open_texts) = self.declared_bibliographies(&uri, &snapshot);
        guarded("codeAction", || {
            let read = |path: &str| {
                open_texts.get(path).cloned().or_else(|| std::fs::read_to_string(path).ok().map(Arc::from))
            };
            let actions = analysis::code_actions(&snapshot.corpus, &manuscript, range, &bibliographies, &read);
            let res: CodeActionResponse = actions
                .into_iter()
                .filter_map(|action| {
                    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
                    for edit in action.edits {
                        let (target, range) = match &edit.target {
                            Target::Manuscript => {
                                (uri.clone(), convert::rope_range(&snapshot.rope, edit.range, snapshot.encoding))
                            }
                            Target::File { path, text } => (
                                Url::from_file_path(path).ok()?,
                                LineIndex::new(text).range(text, edit.range, snapshot.encoding),
                            ),
                        };
                        changes.entry(target).or_default().push(TextEdit { range, new_text: edit.new_text });
                    }
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
                        edit: Some(WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() }),
                        is_preferred: action.preferred.then_some(true),
                        ..CodeAction::default()
                    }))
                })
                .collect();
            Some(res)
        })
    }

    /// The bibliographies the manuscript `uri` declares that refls may read (inside the
    /// workspace or a trusted folder) and that exist, and the editor's text of those open in
    /// it.
    fn declared_bibliographies(
        &self,
        uri: &Url,
        snapshot: &super::state::DocumentSnapshot,
    ) -> (Vec<Bibliography>, HashMap<String, Arc<str>>) {
        let Some(path) = uri.to_file_path().ok() else { return Default::default() };
        let Some(dir) = path.parent() else { return Default::default() };
        let state = self.lock();
        let scope = state.scope(Some(&path));
        let mut open = HashMap::new();
        let bibliographies = declared(snapshot.dialect, &snapshot.text)
            .into_iter()
            .filter_map(|d| {
                let resolved: PathBuf = scope.admit(&dir.join(&d.path)).ok().filter(|p| p.is_file())?;
                let shown = resolved.display().to_string();
                if let Some(document) = Url::from_file_path(&resolved).ok().and_then(|u| state.documents.get(&u)) {
                    open.insert(shown.clone(), document.document.text());
                }
                Some(Bibliography { path: shown, written: d.path })
            })
            .collect();
        (bibliographies, open)
    }
}
