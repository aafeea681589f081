//! The manuscripts of a workspace, open or not: each scanned once into its citation keys and
//! their byte ranges, so that find-references, rename and code lens see every citation of a
//! work without keeping whole texts in memory.
//!
//! A [`ManuscriptFile`] holds the distinct keys a file cites and, for each citation, the index
//! of its key and its byte range; the texts are dropped after scanning (the LSP layer reads a
//! file again only to turn the offsets of a result into editor positions). [`Manuscripts`]
//! is the set, keyed by path: [`Manuscripts::walk`] finds them under the workspace root with
//! the `ignore` walker (`.gitignore`, hidden files, symlink loops, as `corpus::discover`), and
//! [`Manuscripts::refresh`] re-reads one after the file watcher reports it.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::{Citation, Dialect};
use crate::corpus::discover;

/// Extensions of the manuscripts found in a workspace: Markdown (with Quarto and R Markdown),
/// LaTeX, Typst and Org. Plain-text notes are not walked: a `.txt` in a workspace is far more
/// often a saved page of the corpus than a manuscript.
pub const MANUSCRIPT_EXTENSIONS: &[&str] = &["md", "markdown", "qmd", "rmd", "tex", "latex", "ltx", "typ", "org"];

/// A walk stops after this many manuscripts: a workspace root that is a home directory or a
/// monorepo must not make the server read every note on the disk.
const MAX_MANUSCRIPTS: usize = 20_000;

/// The file in which older Manubot manuscripts define their aliases (`tag<TAB>target`); it
/// is kept in the set as a file that cites nothing and lends its aliases to its folder.
const TAG_FILE: &str = "citation-tags.tsv";

/// Whether `path` names a manuscript by its extension (or is a Manubot `citation-tags.tsv`).
pub fn is_manuscript_path(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == TAG_FILE)
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| MANUSCRIPT_EXTENSIONS.iter().any(|m| m.eq_ignore_ascii_case(e)))
}

/// One manuscript's citations, without its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManuscriptFile {
    pub path: String,
    pub dialect: Dialect,
    /// The distinct keys cited, as written.
    keys: Vec<Box<str>>,
    /// `(index into keys, start, end)` of every citation, in text order.
    spans: Vec<(u32, u32, u32)>,
    /// The Manubot aliases the file defines, alias to target.
    pub aliases: HashMap<String, String>,
    /// A hash of the text scanned, so that a reader of the file can tell whether the offsets
    /// still hold for what is on disk now.
    pub fingerprint: u64,
    /// The LaTeX citation commands the file defines (`\newcommand{\citeposs}…`), which cite in
    /// the workspace's other LaTeX files too.
    pub latex_commands: Vec<String>,
}

/// The fingerprint of a text (see [`ManuscriptFile::fingerprint`]).
pub fn fingerprint(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl ManuscriptFile {
    /// Scans `text`, with the dialect chosen by the file name.
    pub fn scan(path: &str, text: &str) -> ManuscriptFile {
        let dialect = Dialect::from_path(path);
        let citations = super::scan(dialect, text);
        let aliases = super::aliases(dialect, text).into_iter().map(|a| (a.key, a.target)).collect();
        let mut file = ManuscriptFile::from_citations(path, dialect, &citations, aliases, fingerprint(text));
        if dialect == Dialect::Latex {
            file.latex_commands = super::latex_cite_commands(text);
        }
        file
    }

    /// A file from citations already scanned (an open document's).
    pub fn from_citations(
        path: &str,
        dialect: Dialect,
        citations: &[Citation],
        aliases: HashMap<String, String>,
        fingerprint: u64,
    ) -> ManuscriptFile {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut spans = Vec::with_capacity(citations.len());
        for citation in citations {
            let i = *index.entry(citation.key.as_str()).or_insert_with(|| {
                keys.push(citation.key.as_str().into());
                keys.len() as u32 - 1
            });
            spans.push((i, citation.range.start as u32, citation.range.end as u32));
        }
        ManuscriptFile { path: path.to_owned(), dialect, keys, spans, aliases, fingerprint, latex_commands: Vec::new() }
    }

    /// The distinct keys cited, as written.
    pub fn keys(&self) -> &[Box<str>] {
        &self.keys
    }

    /// Every citation as `(index of its key in keys(), byte range)`, in text order.
    pub fn citations(&self) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        self.spans.iter().map(|&(key, start, end)| (key as usize, start as usize..end as usize))
    }

    /// How many citations the file holds.
    pub fn citation_count(&self) -> usize {
        self.spans.len()
    }

    /// The citation whose key covers `offset` (its end included), as `(key, range)`.
    pub fn citation_at(&self, offset: usize) -> Option<(&str, Range<usize>)> {
        let i = self.spans.partition_point(|&(_, _, end)| (end as usize) < offset);
        let &(key, start, end) = self.spans.get(i)?;
        ((start as usize) <= offset).then(|| (&*self.keys[key as usize], start as usize..end as usize))
    }
}

/// Every manuscript of the workspace, by path.
#[derive(Clone, Debug, Default)]
pub struct Manuscripts {
    files: BTreeMap<String, Arc<ManuscriptFile>>,
}

impl Manuscripts {
    /// Finds and scans the manuscripts under `root` (in parallel), respecting `.gitignore`.
    pub fn walk(root: &Path) -> Manuscripts {
        let mut paths = Vec::new();
        let walker = ignore::WalkBuilder::new(root).follow_links(true).require_git(false).build();
        for entry in walker.flatten() {
            if entry.file_type().is_some_and(|t| t.is_file()) && is_manuscript_path(entry.path()) {
                paths.push(entry.path().to_path_buf());
                if paths.len() == MAX_MANUSCRIPTS {
                    tracing::warn!(
                        "more than {MAX_MANUSCRIPTS} manuscripts under {}; the rest are not read",
                        root.display()
                    );
                    break;
                }
            }
        }
        let files =
            paths.par_iter().filter_map(|path| read(path)).map(|file| (file.path.clone(), Arc::new(file))).collect();
        Manuscripts { files }
    }

    /// Reads `path` again from disk, or forgets it when it is gone or no manuscript. Returns
    /// whether the set changed.
    pub fn refresh(&mut self, path: &Path) -> bool {
        let key = path.display().to_string();
        match read(path).filter(|_| is_manuscript_path(path)) {
            Some(file) => {
                let changed = self.files.get(&key).is_none_or(|old| **old != file);
                self.files.insert(key, Arc::new(file));
                changed
            }
            None => self.files.remove(&key).is_some(),
        }
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, file: ManuscriptFile) {
        self.files.insert(file.path.clone(), Arc::new(file));
    }

    pub fn get(&self, path: &str) -> Option<&Arc<ManuscriptFile>> {
        self.files.get(path)
    }

    /// The files, sorted by path.
    pub fn files(&self) -> impl Iterator<Item = &Arc<ManuscriptFile>> {
        self.files.values()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// What the other manuscripts lend the one at `path`: the Manubot aliases defined by the
    /// files of its folder (Manubot keeps one manuscript as the files of `content/`, and
    /// defines an alias in one of them for all), and the LaTeX citation commands any LaTeX
    /// file of the workspace defines (a thesis's preamble, used in every chapter), sorted.
    pub fn context_for(&self, path: &str) -> (HashMap<String, String>, Vec<String>) {
        let folder = Path::new(path).parent();
        let mut aliases = HashMap::new();
        if let Some(folder) = folder.map(|f| f.display().to_string()) {
            let prefix = format!("{folder}/");
            for (other, file) in self.files.range(prefix.clone()..).take_while(|(p, _)| p.starts_with(&prefix)) {
                if other != path && !other[prefix.len()..].contains('/') {
                    for (key, target) in &file.aliases {
                        aliases.entry(key.clone()).or_insert_with(|| target.clone());
                    }
                }
            }
        }
        let mut commands: Vec<String> = self.files.values().flat_map(|f| f.latex_commands.iter().cloned()).collect();
        commands.sort();
        commands.dedup();
        (aliases, commands)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Reads and scans one manuscript; `None` when it cannot be read (gone, binary, too large).
fn read(path: &Path) -> Option<ManuscriptFile> {
    let (input, trouble) = discover::read_source(path);
    if let Some(trouble) = trouble {
        tracing::debug!("{}: {}", trouble.path, trouble.problem.message);
    }
    input.map(|input| {
        if path.file_name().is_some_and(|name| name == TAG_FILE) {
            let aliases = super::tag_file_aliases(&input.text).into_iter().map(|a| (a.key, a.target)).collect();
            return ManuscriptFile::from_citations(&input.path, Dialect::Plain, &[], aliases, fingerprint(&input.text));
        }
        ManuscriptFile::scan(&input.path, &input.text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_finds_manuscripts_and_respects_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("chapters")).unwrap();
        std::fs::write(root.join("paper.md"), "See [@a; @b] and [@a].\n").unwrap();
        std::fs::write(root.join("chapters/intro.tex"), "\\cite{a,c}\n").unwrap();
        std::fs::write(root.join("build.md"), "[@ignored]\n").unwrap();
        std::fs::write(root.join(".gitignore"), "build.md\n").unwrap();
        std::fs::write(root.join("page.txt"), "doi:10.1000/xyz\n").unwrap();
        let mut set = Manuscripts::walk(root);
        let shown: Vec<String> = set
            .files()
            .map(|f| {
                let name = f.path.strip_prefix(&root.display().to_string()).unwrap().to_owned();
                let keys: Vec<&str> = f.citations().map(|(k, _)| &*f.keys()[k]).collect();
                format!("{name} {keys:?}")
            })
            .collect();
        assert_eq!(shown, ["/chapters/intro.tex [\"a\", \"c\"]", "/paper.md [\"a\", \"b\", \"a\"]"]);
        let paper = set.get(&root.join("paper.md").display().to_string()).unwrap().clone();
        assert_eq!(paper.keys().len(), 2);
        assert_eq!(paper.citation_at(7), Some(("a", 6..7)));
        assert_eq!(paper.citation_at(8), None);

        std::fs::write(root.join("paper.md"), "Now [@d].\n").unwrap();
        assert!(set.refresh(&root.join("paper.md")));
        assert!(!set.refresh(&root.join("paper.md")), "unchanged text");
        std::fs::remove_file(root.join("chapters/intro.tex")).unwrap();
        assert!(set.refresh(&root.join("chapters/intro.tex")));
        assert_eq!(set.len(), 1);
        assert!(!set.refresh(&root.join("page.txt")), "not a manuscript");
    }

    #[test]
    fn aliases_of_the_folder_and_commands_of_the_workspace_are_lent() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/sub")).unwrap();
        std::fs::write(root.join("content/01.body.md"), "See [@tag:reef].\n").unwrap();
        std::fs::write(root.join("content/90.back.md"), "[@tag:reef]: doi:10.1000/reef\n").unwrap();
        std::fs::write(root.join("content/sub/x.md"), "[@tag:other]: doi:10.1000/other\n").unwrap();
        std::fs::write(root.join("content/citation-tags.tsv"), "tag\tcitation\nold\tpmid:123\n").unwrap();
        std::fs::write(root.join("preamble.tex"), "\\newcommand{\\posscite}[1]{\\citeauthor{#1}'s}\n").unwrap();
        let set = Manuscripts::walk(root);
        let body = root.join("content/01.body.md").display().to_string();
        let (aliases, commands) = set.context_for(&body);
        let mut aliases: Vec<(String, String)> = aliases.into_iter().collect();
        aliases.sort();
        assert_eq!(
            aliases,
            [("tag:old".to_owned(), "pmid:123".to_owned()), ("tag:reef".to_owned(), "doi:10.1000/reef".to_owned())]
        );
        assert_eq!(commands, ["posscite"]);
    }
}
