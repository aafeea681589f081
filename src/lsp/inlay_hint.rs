//! `textDocument/inlayHint`: "Author et al. Year" after opaque citation keys (see
//! [`crate::analysis::inlay_hint`]), for the range the editor shows, as the `inlayHints`
//! setting asks.
//!
//! Compatibility: labels are plain strings with the reference line as tooltip, no resolve
//! step. When the setting or the corpus changes, refls asks clients that support it
//! (`workspace.inlayHint.refreshSupport`) to ask again.

use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{InlayHint, InlayHintLabel, InlayHintParams, InlayHintTooltip};

use super::{Backend, convert, guarded};
use crate::analysis::inlay_hint::{Mode, inlay_hints};

impl Backend {
    pub(super) async fn inlay_hints(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let mode = self.lock().config.inlay_hints.mode();
        if mode == Mode::Off {
            return Ok(Some(Vec::new()));
        }
        let uri = params.text_document.uri;
        // A corpus file open in the editor (a `.bib`, a saved page) is not a manuscript: its
        // DOIs are the works' own, not citations.
        if self.is_corpus_file(&uri) {
            return Ok(Some(Vec::new()));
        }
        self.corpus_ready().await;
        let Some(mut snapshot) = self.snapshot(&uri) else { return Ok(None) };
        let range = convert::rope_offset_range(&snapshot.rope, params.range, snapshot.encoding);
        let manuscript = self.manuscript(&uri, &mut snapshot);
        guarded("inlayHint", || {
            let hints = inlay_hints(&snapshot.corpus, &manuscript, range, mode)
                .into_iter()
                .map(|hint| InlayHint {
                    position: convert::rope_position(&snapshot.rope, hint.offset, snapshot.encoding),
                    label: InlayHintLabel::String(hint.label),
                    kind: None,
                    text_edits: None,
                    tooltip: Some(InlayHintTooltip::String(hint.tooltip)),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                })
                .collect();
            Some(hints)
        })
    }

    /// Whether `uri` is a bibliography (by its extension) or a file of the corpus: sources,
    /// not manuscripts.
    pub(super) fn is_corpus_file(&self, uri: &tower_lsp::lsp_types::Url) -> bool {
        crate::corpus::SourceKind::from_path(uri.path()).is_bibliography()
            || uri.to_file_path().is_ok_and(|path| self.lock().sources.wants(&path))
    }

    /// Asks the client to request inlay hints again, when it supports that.
    pub(super) fn refresh_inlay_hints(&self) {
        if !self.lock().flags.inlay_hint_refresh {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.inlay_hint_refresh().await {
                tracing::debug!("workspace/inlayHint/refresh: {e}");
            }
        });
    }
}
