//! The bibliographies a manuscript inherits from its project: Quarto's `_quarto.yml` at the
//! project root and `_metadata.yml` in the manuscript's folder and every folder above it up to
//! the root, and, in a bookdown book (`_bookdown.yml`), the front matter of `index.Rmd`, which
//! bookdown puts first in the one document it renders from all chapters. A chapter that
//! declares nothing itself is still rendered with these, so refls reads them too, or every key
//! of every chapter would be an unknown-key error.
//!
//! This is the one module of the manuscript layer that reads files: the project files are
//! small, and reading them here keeps the CLI and the server in agreement about which files
//! count. The parsing is [`super::bibliography`]'s.

use std::path::{Path, PathBuf};

use super::bibliography;

/// Project files larger than this are not read: a real one is a few kilobytes.
const MAX_PROJECT_FILE: u64 = 1 << 20;

/// One bibliography a project file declares for a manuscript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inherited {
    /// The project file that names it (`_quarto.yml`, `_metadata.yml`, `index.Rmd`).
    pub declared_in: PathBuf,
    /// The path as written there.
    pub written: String,
    /// The path joined to the folder of the file that declares it (not yet checked against
    /// the folders refls may read).
    pub path: PathBuf,
}

/// Whether `manuscript` can inherit bibliographies from its project's files: only
/// Markdown-family manuscripts (`.md`, `.qmd`, `.Rmd`) do, since Quarto and bookdown render
/// those. Callers ask before looking for the project folder, which costs file-system calls.
pub fn inherits_bibliographies(manuscript: &Path) -> bool {
    super::Dialect::from_path(&manuscript.to_string_lossy()) == super::Dialect::Markdown
}

/// The bibliographies that `project`'s files declare for `manuscript`, nearest first (none
/// unless [`inherits_bibliographies`]). `project` is the manuscript's project folder (see
/// `corpus::scope::project_folder`).
pub fn inherited_bibliographies(manuscript: &Path, project: &Path) -> Vec<Inherited> {
    if !inherits_bibliographies(manuscript) {
        return Vec::new();
    }
    let absolute = std::fs::canonicalize(manuscript).unwrap_or_else(|_| manuscript.to_path_buf());
    let Some(own) = absolute.parent() else { return Vec::new() };
    let project = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    let mut res = Vec::new();
    // Folders from the manuscript's up to the project root; a manuscript outside its project
    // (which `project_folder` never returns, but a caller might) sees only its own folder.
    let folders: Vec<&Path> = if own.starts_with(&project) {
        own.ancestors().take_while(|f| f.starts_with(&project)).collect()
    } else {
        vec![own]
    };
    for folder in &folders {
        let metadata = folder.join("_metadata.yml");
        if let Some(text) = read_small(&metadata) {
            push_all(&mut res, &metadata, folder, bibliography::quarto_project(&text));
        }
    }
    let quarto = project.join("_quarto.yml");
    if let Some(text) = read_small(&quarto) {
        push_all(&mut res, &quarto, &project, bibliography::quarto_project(&text));
    }
    // pandoc-url2cite keeps what it fetched for each cited URL in `citation-cache.json`, in
    // the folder pandoc runs in: the manuscript's, or the project's.
    for folder in [own, project.as_path()] {
        let cache = folder.join("citation-cache.json");
        if cache.is_file() && !res.iter().any(|r| r.path == cache) {
            res.push(Inherited { declared_in: cache.clone(), written: "citation-cache.json".to_owned(), path: cache });
        }
    }
    if project.join("_bookdown.yml").is_file() {
        let index = project.join("index.Rmd");
        if index != absolute {
            if let Some(text) = read_small(&index) {
                push_all(&mut res, &index, &project, bibliography::declared(super::Dialect::Markdown, &text));
            }
        }
    }
    res
}

fn push_all(
    res: &mut Vec<Inherited>,
    declared_in: &Path,
    folder: &Path,
    found: Vec<bibliography::DeclaredBibliography>,
) {
    for declared in found {
        let path = folder.join(&declared.path);
        if !res.iter().any(|r| r.path == path) {
            res.push(Inherited { declared_in: declared_in.to_path_buf(), written: declared.path, path });
        }
    }
}

fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_PROJECT_FILE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// What `manuscript` inherits, as `declaring file -> written path`, relative to `root`.
    fn check(root: &Path, manuscript: &str, project: &str) -> Vec<String> {
        let root = std::fs::canonicalize(root).unwrap();
        inherited_bibliographies(&root.join(manuscript), &root.join(project))
            .into_iter()
            .map(|i| format!("{} -> {}", i.declared_in.strip_prefix(&root).unwrap().display(), i.written))
            .collect()
    }

    #[test]
    fn quarto_project_and_folder_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("_quarto.yml"), "project:\n  type: book\nbibliography: references.bib\n");
        write(&root.join("chapters/_metadata.yml"), "bibliography:\n  - chapter-refs.bib\n");
        write(&root.join("chapters/deep/_metadata.yml"), "bibliography: [deep.json]\n");
        write(&root.join("chapters/deep/one.qmd"), "# One\n");
        write(&root.join("index.qmd"), "# Home\n");
        assert_eq!(
            check(root, "chapters/deep/one.qmd", ""),
            [
                "chapters/deep/_metadata.yml -> deep.json",
                "chapters/_metadata.yml -> chapter-refs.bib",
                "_quarto.yml -> references.bib",
            ]
        );
        assert_eq!(check(root, "index.qmd", ""), ["_quarto.yml -> references.bib"]);
        assert!(check(root, "chapters/deep/notes.tex", "").is_empty(), "only Markdown-family manuscripts inherit");
    }

    #[test]
    fn a_bookdown_chapter_inherits_index_rmd_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("_bookdown.yml"), "book_filename: \"book\"\n");
        write(&root.join("index.Rmd"), "---\ntitle: A book\nbibliography: [book.bib, packages.bib]\n---\n");
        write(&root.join("02-methods.Rmd"), "# Methods\n");
        assert_eq!(check(root, "02-methods.Rmd", ""), ["index.Rmd -> book.bib", "index.Rmd -> packages.bib"]);
        assert!(check(root, "index.Rmd", "").is_empty(), "index.Rmd declares its own");
        // Without `_bookdown.yml`, an `index.Rmd` beside a file is just another document.
        std::fs::remove_file(root.join("_bookdown.yml")).unwrap();
        assert!(check(root, "02-methods.Rmd", "").is_empty());
    }

    #[test]
    fn metadata_above_the_project_is_not_inherited() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("_metadata.yml"), "bibliography: outside.bib\n");
        write(&root.join("project/_quarto.yml"), "bibliography: inside.bib\n");
        write(&root.join("project/doc.qmd"), "text\n");
        assert_eq!(check(root, "project/doc.qmd", "project"), ["project/_quarto.yml -> inside.bib"]);
    }
}
