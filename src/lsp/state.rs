//! The server's one mutable state, behind one `std::sync::Mutex`, and the snapshots requests
//! take from it.
//!
//! Requests copy what they need (an `Arc` of the corpus, a cheap clone of the document's rope,
//! the `Arc<str>` text of that version) and drop the lock before computing; nothing awaits
//! while holding it (tower-lsp runs handlers concurrently, see ARCHITECTURE.md).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use ropey::Rope;
use tower_lsp::lsp_types::Url;

use super::config::Config;
use super::convert::PositionEncoding;
use super::document::Document;
use crate::analysis::Manuscript;
use crate::analysis::completion::CitedWorks;
use crate::analysis::references::Workspace;
use crate::corpus::Corpus;
use crate::manuscript::Dialect;

/// One document open in the client.
pub struct OpenDocument {
    pub document: Document,
    pub dialect: Dialect,
    /// The scanned manuscript of the current version, computed on first use.
    pub manuscript: Option<Manuscript>,
    /// The works this document cited at its last diagnostics pass, in the corpus of that pass
    /// (held weakly, as in [`CitedCache`]): completion ranks them first without resolving
    /// every citation again at each keystroke. A version behind at most, which only a
    /// citation typed since could notice.
    pub cited: Option<(Weak<Corpus>, Arc<CitedWorks>)>,
    /// Bumped on every change; a debounced diagnostics task publishes only if it still holds
    /// the latest generation.
    pub generation: u64,
    /// How long computing this document's diagnostics took last time: the adaptive delay.
    pub last_diagnostics: Option<std::time::Duration>,
    /// How the bibliographies this document declares resolved last time (see
    /// `Backend::read_declared`).
    pub declared: Option<DeclaredMemo>,
    /// The dialect scan a completion made of the current version's text (with that text, which
    /// keeps the scan's identity), for the version's diagnostics pass to take instead of
    /// scanning again (see `manuscript::scan_manuscript_reusing`).
    pub made_scan: Option<(Arc<str>, crate::manuscript::DialectScan)>,
    /// The last LaTeX scan made of this document, of whichever version: completion in a later
    /// version goes on from one of its resume points instead of scanning from the start (see
    /// `Backend::keep_earlier_scan`).
    pub earlier_scan: Option<crate::manuscript::EarlierScan>,
}

/// The bibliographies a document declared at one edit and how each resolved against the
/// workspace scope: the next edit that declares the same paths reuses it for a while, since
/// resolving a path is a `stat` for each of its folders, a tenth of an edit's time to its
/// diagnostics on a LaTeX paper (issue 11).
#[derive(Clone, Debug)]
pub struct DeclaredMemo {
    pub paths: Vec<PathBuf>,
    pub resolved: Resolutions,
    pub at: std::time::Instant,
}

/// Declared bibliography paths (joined to the manuscript's folder) and what the workspace
/// scope made of each.
pub type Resolutions = HashMap<PathBuf, Result<PathBuf, crate::corpus::scope::Refusal>>;

impl DeclaredMemo {
    /// How long a resolution is trusted. Files the editor reports changed, and new settings,
    /// forget it at once ([`ServerState::forget_declared`]); a bibliography created or removed
    /// behind the editor's back is noticed at the first edit this long after the last check.
    pub const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

    /// The resolution of `paths`, when this memo holds them and is fresh.
    pub fn reuse(&self, paths: &[PathBuf]) -> Option<&Resolutions> {
        (self.paths == paths && self.at.elapsed() < Self::FRESH).then_some(&self.resolved)
    }
}

#[derive(Default)]
pub struct ServerState {
    pub encoding: PositionEncoding,
    pub root: Option<PathBuf>,
    pub config: Config,
    /// `None` until the first corpus load finishes: requests answer nothing rather than call
    /// every key unknown.
    pub corpus: Option<Arc<Corpus>>,
    pub documents: HashMap<Url, OpenDocument>,
    /// The corpus files read so far, and where the corpus comes from.
    pub sources: super::workspace::Sources,
    pub flags: ClientFlags,
    pub shutting_down: bool,
    /// Folders outside the workspace that the user's own settings name (corpus entries and
    /// `trustedPaths`), as written: relative ones are taken from the root.
    pub trusted: Vec<String>,
    /// Declared bibliographies being read for open manuscripts; their diagnostics and requests
    /// wait until they are in the corpus.
    pub declared_reading: BTreeSet<PathBuf>,
    /// The workspace's manuscripts as last read from disk (open documents override them).
    pub manuscripts: Arc<crate::manuscript::workspace::Manuscripts>,
    /// The works `manuscripts` cite in `corpus`, for ranking completions: both change
    /// rarely, completion asks on every keystroke.
    pub cited: Option<CitedCache>,
    /// The last scope built, with the folders it was built from: building one canonicalizes
    /// every folder, and diagnostics ask for it twice per edit (issue 11).
    scope_memo: std::sync::Mutex<Option<(Vec<PathBuf>, crate::corpus::scope::Scope)>>,
}

/// [`CitedWorks`] of one corpus and one manuscript set. They are held weakly, so the cache
/// does not keep an old corpus alive, and a weak reference keeps its allocation, so a new
/// corpus never reuses the address an old one is recognised by.
pub struct CitedCache {
    corpus: Weak<Corpus>,
    manuscripts: Weak<crate::manuscript::workspace::Manuscripts>,
    pub works: Arc<CitedWorks>,
}

impl CitedCache {
    /// The works the manuscripts of `set` cite in `corpus` (as long as both are current, a
    /// few milliseconds per thousand manuscripts: computed outside the lock).
    pub fn compute(corpus: &Arc<Corpus>, set: &Arc<crate::manuscript::workspace::Manuscripts>) -> CitedCache {
        let works = Arc::new(CitedWorks::of_workspace(corpus, &Workspace::new(set.files().map(|f| &**f))));
        CitedCache { corpus: Arc::downgrade(corpus), manuscripts: Arc::downgrade(set), works }
    }

    /// The cached works, if they were computed for this corpus and this manuscript set.
    pub fn lookup(
        &self,
        corpus: &Arc<Corpus>,
        set: &Arc<crate::manuscript::workspace::Manuscripts>,
    ) -> Option<Arc<CitedWorks>> {
        let same = std::ptr::eq(self.corpus.as_ptr(), Arc::as_ptr(corpus))
            && std::ptr::eq(self.manuscripts.as_ptr(), Arc::as_ptr(set));
        same.then(|| self.works.clone())
    }
}

impl ServerState {
    /// Forgets how every open document's declared bibliographies resolved: files changed on
    /// disk, or the settings that say which folders may be read.
    pub fn forget_declared(&mut self) {
        for open in self.documents.values_mut() {
            open.declared = None;
        }
    }

    /// What a manuscript at `manuscript` may make refls read: the workspace root (or, with no
    /// workspace folder, the manuscript's project folder) and the trusted folders.
    pub fn scope(&self, manuscript: Option<&Path>) -> crate::corpus::scope::Scope {
        let base = self.root.clone().or_else(|| manuscript.map(crate::corpus::scope::project_folder));
        let trusted = self.trusted.iter().map(|t| match &self.root {
            Some(root) => root.join(t),
            None => PathBuf::from(t),
        });
        let folders: Vec<PathBuf> = base.into_iter().chain(trusted).collect();
        let mut memo = self.scope_memo.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((built_from, scope)) = &*memo {
            if *built_from == folders {
                return scope.clone();
            }
        }
        let (scope, complete) = crate::corpus::scope::Scope::resolving(folders.clone());
        // A folder that does not exist yet allows nothing; it is looked for again next time.
        if complete {
            *memo = Some((folders, scope.clone()));
        }
        scope
    }
}

/// What the client can do, read once from its capabilities (compare texlab's `ClientFlags`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFlags {
    /// `window.workDoneProgress`: progress bars for indexing.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: the client watches corpus files
    /// for us; otherwise the server runs its own watcher.
    pub watched_files: bool,
    /// `workspace.inlayHint.refreshSupport`: the client re-requests inlay hints when asked.
    pub inlay_hint_refresh: bool,
    /// `textDocument.codeAction.resolveSupport` lists `edit`: an action's edit may be left for
    /// `codeAction/resolve`.
    pub code_action_resolve: bool,
    /// `workspace.semanticTokens.refreshSupport`: the client re-requests semantic tokens when
    /// asked, so a key's colour follows a corpus change.
    pub semantic_tokens_refresh: bool,
}

/// What a request on one document needs, taken under the lock.
pub struct DocumentSnapshot {
    pub encoding: PositionEncoding,
    pub corpus: Arc<Corpus>,
    pub rope: Rope,
    pub text: Arc<str>,
    pub dialect: Dialect,
    pub version: i32,
    pub manuscript: Option<Manuscript>,
    /// The works the document cited at its last diagnostics pass, when that pass used this
    /// snapshot's corpus (see [`OpenDocument::cited`]).
    pub cited: Option<Arc<CitedWorks>>,
    /// The document's file path, and the workspace's manuscripts: they lend it Manubot aliases
    /// defined in its folder's other files and LaTeX citation commands defined elsewhere.
    pub path: Option<String>,
    pub workspace: Arc<crate::manuscript::workspace::Manuscripts>,
    /// A completion's scan of this very text, for [`DocumentSnapshot::manuscript`] (see
    /// [`OpenDocument::made_scan`]); only the diagnostics pass takes it.
    pub made_scan: Option<crate::manuscript::DialectScan>,
    /// See [`OpenDocument::earlier_scan`].
    pub earlier_scan: Option<crate::manuscript::EarlierScan>,
}

impl DocumentSnapshot {
    /// The scanned manuscript, scanning now if no request has yet.
    pub fn manuscript(&mut self) -> Manuscript {
        let (dialect, text, path, workspace) = (self.dialect, &self.text, &self.path, &self.workspace);
        let made_scan = &mut self.made_scan;
        self.manuscript
            .get_or_insert_with(|| {
                let made = made_scan.take();
                let Some(path) = path else {
                    return Manuscript::with_commands_reusing(dialect, text.clone(), &[], made);
                };
                let (aliases, commands) = workspace.context_for(path);
                Manuscript::with_commands_reusing(dialect, text.clone(), &commands, made).with_aliases(&aliases)
            })
            .clone()
    }
}

impl ServerState {
    pub fn snapshot(&self, uri: &Url) -> Option<DocumentSnapshot> {
        let open = self.documents.get(uri)?;
        Some(DocumentSnapshot {
            encoding: self.encoding,
            corpus: self.corpus.clone()?,
            rope: open.document.rope().clone(),
            text: open.document.text(),
            dialect: open.dialect,
            version: open.document.version(),
            manuscript: open.manuscript.clone(),
            cited: open.cited.as_ref().and_then(|(corpus, works)| {
                let current = self.corpus.as_ref()?;
                std::ptr::eq(corpus.as_ptr(), Arc::as_ptr(current)).then(|| Arc::clone(works))
            }),
            path: uri.to_file_path().ok().map(|p| p.display().to_string()),
            workspace: self.manuscripts.clone(),
            made_scan: None,
            earlier_scan: open.earlier_scan.clone(),
        })
    }

    /// Keeps a manuscript scanned by a request, if the document has not changed meanwhile.
    pub fn store_manuscript(&mut self, uri: &Url, version: i32, manuscript: Manuscript) {
        if let Some(open) = self.documents.get_mut(uri) {
            if open.document.version() == version && open.manuscript.is_none() {
                open.manuscript = Some(manuscript);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scope is kept between edits, but a trusted folder created after it was built is
    /// allowed at once, and a changed setting builds a new one.
    #[test]
    fn kept_scope_follows_new_folders_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(&root).unwrap();
        let mut state =
            ServerState { root: Some(root.clone()), trusted: vec!["../later".to_owned()], ..Default::default() };
        let later = dir.path().join("later/refs.bib");
        assert!(state.scope(None).admit(&root).is_ok());
        assert!(state.scope(None).admit(&later).is_err(), "nothing there yet");
        std::fs::create_dir_all(later.parent().unwrap()).unwrap();
        std::fs::write(&later, "").unwrap();
        assert!(state.scope(None).admit(&later).is_ok(), "a folder created later is allowed");
        state.trusted.clear();
        assert!(matches!(state.scope(None).admit(&later), Err(crate::corpus::scope::Refusal::Outside(_))));
    }
}
