//! Which files a manuscript or `refls.toml` may make refls read: the folders of the project
//! and the folders the user trusts, nothing else.
//!
//! A manuscript is someone else's text as often as one's own (a co-author's draft, a cloned
//! repository), and it names its bibliography itself: `bibliography: /etc/passwd`,
//! `../../secret.bib` or `/proc/self/environ` would otherwise be read, and parts of them shown
//! back in diagnostics and hovers. So every declared or configured path is resolved
//! (`..` and symbolic links included) and read only when it lies inside an allowed folder.
//! Resolving also gives one name to a file reached by two paths, so it is indexed once.

use std::path::{Component, Path, PathBuf};

/// The folders that declared and configured paths may lie in, resolved.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    allowed: Vec<PathBuf>,
}

/// Why a path is not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing is there (or it cannot be resolved).
    Missing,
    /// It is there, resolved to this path, outside every allowed folder.
    Outside(PathBuf),
}

impl Scope {
    /// A scope of these folders. Folders that do not exist allow nothing.
    pub fn new(folders: impl IntoIterator<Item = PathBuf>) -> Scope {
        Scope::resolving(folders).0
    }

    /// [`Scope::new`], and whether every folder was found.
    pub fn resolving(folders: impl IntoIterator<Item = PathBuf>) -> (Scope, bool) {
        let mut complete = true;
        let mut allowed: Vec<PathBuf> = folders
            .into_iter()
            .filter_map(|f| {
                let resolved = std::fs::canonicalize(f).ok();
                complete &= resolved.is_some();
                resolved
            })
            .collect();
        allowed.sort();
        allowed.dedup();
        (Scope { allowed }, complete)
    }

    /// Adds a folder (or a file, which allows that file alone).
    pub fn allow(&mut self, folder: &Path) {
        if let Ok(resolved) = std::fs::canonicalize(folder) {
            if !self.allowed.contains(&resolved) {
                self.allowed.push(resolved);
            }
        }
    }

    /// The resolved path of `path` when refls may read it.
    pub fn admit(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let resolved = std::fs::canonicalize(path).map_err(|_| Refusal::Missing)?;
        if self.allowed.iter().any(|folder| resolved.starts_with(folder)) {
            Ok(resolved)
        } else {
            Err(Refusal::Outside(resolved))
        }
    }
}

/// Admits many paths in one pass, resolving each folder once. A manuscript may declare the same
/// bibliography 100,000 times in 1 MB of front matter (issue 10): resolved one by one, that
/// was 570,000 `readlink` calls and most of a second. Short-lived on purpose: a file created
/// after the pass must be seen by the next one.
pub struct Resolver<'a> {
    scope: &'a Scope,
    files: std::collections::HashMap<PathBuf, Result<PathBuf, Refusal>>,
    folders: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Scope {
    /// A resolver for one pass over a manuscript's declarations.
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver { scope: self, files: Default::default(), folders: Default::default() }
    }
}

impl Resolver<'_> {
    /// The resolved path of `path` when it is a file refls may read. Anything that is not a
    /// file (nothing, a folder) is `Missing`.
    pub fn file(&mut self, path: &Path) -> Result<PathBuf, Refusal> {
        if let Some(known) = self.files.get(path) {
            return known.clone();
        }
        let res = self.resolve(path).and_then(|(resolved, is_file)| {
            if !self.scope.allowed.iter().any(|folder| resolved.starts_with(folder)) {
                Err(Refusal::Outside(resolved))
            } else if is_file {
                Ok(resolved)
            } else {
                Err(Refusal::Missing)
            }
        });
        self.files.insert(path.to_path_buf(), res.clone());
        res
    }

    /// `canonicalize`, one folder at a time: each folder is resolved once per pass, from its
    /// resolved parent, with one `lstat` (a symbolic link is resolved by `canonicalize`), so a
    /// path costs a system call for each folder not seen before and one for its file name.
    /// Returns the resolved path and whether it is a file.
    fn resolve(&mut self, path: &Path) -> Result<(PathBuf, bool), Refusal> {
        let (Some(folder), Some(Component::Normal(name))) = (path.parent(), path.components().next_back()) else {
            // `..` or a root: a folder, not a file.
            return self.folder(path).map(|folder| (folder, false)).ok_or(Refusal::Missing);
        };
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let base = self.folder(folder).ok_or(Refusal::Missing)?;
        let (resolved, kind) = child(&base, name).ok_or(Refusal::Missing)?;
        Ok((resolved, kind.is_file()))
    }

    /// The resolved folder `folder`, if it is one. Iterative, from the nearest folder above it
    /// already resolved: a declared path can have thousands of components.
    fn folder(&mut self, folder: &Path) -> Option<PathBuf> {
        // Longer paths fail in the system calls anyway (PATH_MAX).
        if folder.as_os_str().len() > 4096 {
            return None;
        }
        let mut pending = Vec::new();
        let mut at = folder;
        let mut resolved = loop {
            if let Some(known) = self.folders.get(at) {
                break known.clone();
            }
            match (at.parent(), at.components().next_back()) {
                (Some(parent), Some(Component::Normal(_) | Component::ParentDir)) if !parent.as_os_str().is_empty() => {
                    pending.push(at);
                    at = parent;
                }
                _ => {
                    let res = std::fs::canonicalize(at).ok().filter(|r| r.is_dir());
                    self.folders.insert(at.to_path_buf(), res.clone());
                    break res;
                }
            }
        };
        while let Some(next) = pending.pop() {
            resolved = resolved.and_then(|base| match next.components().next_back() {
                // After links are resolved, as `realpath` does; the root is its own parent.
                Some(Component::ParentDir) => Some(base.parent().map_or(base.clone(), Path::to_path_buf)),
                Some(Component::Normal(name)) => {
                    child(&base, name).filter(|(_, kind)| kind.is_dir()).map(|(folder, _)| folder)
                }
                _ => None,
            });
            self.folders.insert(next.to_path_buf(), resolved.clone());
        }
        resolved
    }
}

/// The resolved path of `name` in the resolved folder `base` and what it is, if something is
/// there.
fn child(base: &Path, name: &std::ffi::OsStr) -> Option<(PathBuf, std::fs::FileType)> {
    let candidate = base.join(name);
    let meta = std::fs::symlink_metadata(&candidate).ok()?;
    if meta.file_type().is_symlink() {
        let resolved = std::fs::canonicalize(&candidate).ok()?;
        let kind = std::fs::metadata(&resolved).ok()?.file_type();
        Some((resolved, kind))
    } else {
        Some((candidate, meta.file_type()))
    }
}

/// The project folder of a manuscript: the nearest folder above it that holds `.git`,
/// `refls.toml`, `_quarto.yml` or `_bookdown.yml`, else the manuscript's own folder. A thesis
/// chapter in `chapters/` may then use `../references.bib` of its repository.
pub fn project_folder(manuscript: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(manuscript).unwrap_or_else(|_| manuscript.to_path_buf());
    let own = absolute.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    for folder in own.ancestors() {
        let marks = [".git", "refls.toml", "_quarto.yml", "_bookdown.yml"];
        if marks.iter().any(|m| folder.join(m).exists()) {
            return folder.to_path_buf();
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10, fault 11: a manuscript could make refls read any file on the machine.
    #[test]
    fn issue_10_paths_outside_the_allowed_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join("chapters")).unwrap();
        std::fs::write(project.join("refs.bib"), "").unwrap();
        std::fs::write(dir.path().join("secret.bib"), "").unwrap();
        let scope = Scope::new([project.clone()]);
        let inside = scope.admit(&project.join("chapters/../refs.bib")).unwrap();
        assert_eq!(inside, std::fs::canonicalize(project.join("refs.bib")).unwrap(), "one name per file");
        assert!(matches!(scope.admit(&project.join("chapters/../../secret.bib")), Err(Refusal::Outside(_))));
        assert!(matches!(scope.admit(Path::new("/etc/passwd")), Err(Refusal::Outside(_))));
        assert_eq!(scope.admit(&project.join("nope.bib")), Err(Refusal::Missing));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.bib"), project.join("link.bib")).unwrap();
            assert!(matches!(scope.admit(&project.join("link.bib")), Err(Refusal::Outside(_))), "links are followed");
        }
    }

    /// The resolver gives `admit`'s answers (a folder or nothing is `Missing` for it), for each
    /// path as often as it is asked.
    #[test]
    fn issue_10_the_resolver_agrees_with_admit() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join("chapters")).unwrap();
        std::fs::write(project.join("refs.bib"), "").unwrap();
        std::fs::write(dir.path().join("secret.bib"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.bib"), project.join("link.bib")).unwrap();
            std::os::unix::fs::symlink(project.join("refs.bib"), project.join("chapters/inside.bib")).unwrap();
            std::os::unix::fs::symlink(dir.path(), project.join("up")).unwrap();
        }
        let scope = Scope::new([project.clone()]);
        let mut resolver = scope.resolver();
        let paths = [
            "refs.bib",
            "chapters/../refs.bib",
            "chapters/../../secret.bib",
            "nope.bib",
            "chapters",
            "chapters/.",
            "chapters/..",
            "..",
            "up/..",
            "refs.bib/x.bib",
            "refs.bib/../refs.bib",
            "link.bib",
            "chapters/inside.bib",
            "up/secret.bib",
            "up/project/refs.bib",
            "up/project/chapters/../refs.bib",
        ];
        for _ in 0..2 {
            for path in paths {
                let path = project.join(path);
                let expected = match scope.admit(&path) {
                    Ok(resolved) if !resolved.is_file() => Err(Refusal::Missing),
                    other => other,
                };
                assert_eq!(resolver.file(&path), expected, "{}", path.display());
            }
        }
    }

    #[test]
    fn the_project_folder_is_marked_by_git_or_project_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("thesis");
        std::fs::create_dir_all(root.join("chapters")).unwrap();
        std::fs::write(root.join("chapters/one.tex"), "").unwrap();
        let alone = project_folder(&root.join("chapters/one.tex"));
        assert_eq!(alone, std::fs::canonicalize(root.join("chapters")).unwrap());
        std::fs::write(root.join("refls.toml"), "").unwrap();
        assert_eq!(project_folder(&root.join("chapters/one.tex")), std::fs::canonicalize(&root).unwrap());
    }
}
