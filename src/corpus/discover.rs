//! Corpus discovery: walks the paths the user names and reads the source files in them.
//!
//! Walking uses the `ignore` crate (ripgrep's walker), so `.gitignore`, `.ignore` and hidden
//! files are respected and symlink loops are detected rather than followed forever. Nothing
//! here aborts on a bad file: binary files are skipped, invalid UTF-8 is decoded lossily,
//! unreadable or vanishing files and loops become warnings. Only a path that does not exist
//! at all is an error, because that is a typo the user must hear about.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::problem::{Problem, Severity};
use super::{FileProblem, Input, Origin, SourceKind};

/// Extensions of files read as corpus sources when a directory is walked. A file named
/// explicitly is read whatever its extension.
pub const SOURCE_EXTENSIONS: &[&str] =
    &["txt", "text", "html", "htm", "xhtml", "xml", "nxml", "bib", "bibtex", "json", "yaml", "yml", "ris"];

/// Files larger than this are skipped: no saved page or bibliography is this big, and
/// reading one would stall indexing.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A path given by the user that does not exist.
#[derive(Debug, PartialEq, Eq)]
pub struct MissingPath(pub String);

/// Whether a path names a corpus source by its extension.
pub fn is_source_path(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => SOURCE_EXTENSIONS.iter().any(|s| s.eq_ignore_ascii_case(ext)),
        None => true,
    }
}

/// Walks `paths` and reads every source file, in parallel.
pub fn discover(paths: &[PathBuf]) -> Result<(Vec<Input>, Vec<FileProblem>), MissingPath> {
    discover_deferring(paths, false).map(|found| (found.inputs, found.problems))
}

/// What [`discover_deferring`] found.
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Bibliographies left unread.
    pub unread: Vec<String>,
    pub problems: Vec<FileProblem>,
}

/// [`discover`], leaving bibliographies unread when `defer` holds: their paths come back
/// apart, for [`super::Corpus::read_all_cached`] to take from the cache without reading them
/// when it holds them unchanged.
pub fn discover_deferring(paths: &[PathBuf], defer: bool) -> Result<Discovered, MissingPath> {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        return Err(MissingPath(missing.display().to_string()));
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        if root.is_file() {
            files.push(root.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(root).follow_links(true).require_git(false).build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_file()) && is_source_path(path) {
                        files.push(path.to_path_buf());
                    }
                }
                Err(err) => problems.push(FileProblem {
                    file: None,
                    path: root.display().to_string(),
                    problem: Problem::new(Severity::Warning, "walk", format!("skipped while walking: {err}")),
                }),
            }
        }
    }
    let (deferred, files): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|path| defer && SourceKind::from_path(&path.to_string_lossy()).is_bibliography());
    let read: Vec<(Option<Input>, Option<FileProblem>)> = files.par_iter().map(|path| read_source(path)).collect();
    let mut inputs = Vec::with_capacity(read.len());
    for (input, problem) in read {
        inputs.extend(input);
        problems.extend(problem);
    }
    Ok(Discovered { inputs, unread: deferred.iter().map(|path| path.display().to_string()).collect(), problems })
}

fn warning(path: &str, code: &'static str, message: String) -> FileProblem {
    FileProblem { file: None, path: path.to_owned(), problem: Problem::new(Severity::Warning, code, message) }
}

/// Reads one file: `None` input when it must be skipped, and a problem when the user should
/// know why.
pub fn read_source(path: &Path) -> (Option<Input>, Option<FileProblem>) {
    let shown = path.display().to_string();
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return (
                None,
                Some(warning(
                    &shown,
                    "too-large",
                    format!("skipped: {} bytes is larger than the 64 MiB limit", meta.len()),
                )),
            );
        }
        Ok(_) => {}
        Err(err) => return (None, Some(warning(&shown, "unreadable", format!("skipped: {err}")))),
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return (None, Some(warning(&shown, "unreadable", format!("skipped: {err}")))),
    };
    decode(&shown, bytes)
}

/// Turns file bytes into corpus text: binary files are refused, invalid UTF-8 is replaced.
pub fn decode(path: &str, bytes: Vec<u8>) -> (Option<Input>, Option<FileProblem>) {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return (None, Some(warning(path, "binary", "skipped: binary file (contains NUL bytes)".to_owned())));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => (Some(Input { path: path.to_owned(), text, origin: Origin::Workspace }), None),
        Err(err) => {
            let valid_up_to = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let problem = warning(
                path,
                "invalid-utf8",
                format!("invalid UTF-8 at byte {valid_up_to}: read with replacement characters"),
            );
            (Some(Input { path: path.to_owned(), text, origin: Origin::Workspace }), Some(problem))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_warnings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("good.txt"), "Title line of a page\n").unwrap();
        std::fs::write(dir.path().join("binary.txt"), b"PDF\0\x01\x02").unwrap();
        std::fs::write(dir.path().join("latin1.txt"), b"Caf\xe9 au lait\n").unwrap();
        std::fs::write(dir.path().join("ignored.txt"), "x").unwrap();
        std::fs::write(dir.path().join(".gitignore"), "ignored.txt\n").unwrap();
        std::fs::write(dir.path().join("image.png"), b"\x89PNG").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        let (inputs, problems) = discover(&[dir.path().to_path_buf()]).unwrap();
        let mut names: Vec<_> = inputs.iter().map(|i| i.path.rsplit('/').next().unwrap().to_owned()).collect();
        names.sort();
        assert_eq!(names, ["good.txt", "latin1.txt"]);
        let latin = inputs.iter().find(|i| i.path.ends_with("latin1.txt")).unwrap();
        assert_eq!(latin.text, "Caf\u{FFFD} au lait\n");
        let mut codes: Vec<_> = problems.iter().map(|p| p.problem.code).collect();
        codes.sort();
        #[cfg(unix)]
        assert_eq!(codes, ["binary", "invalid-utf8", "walk"]);
    }

    #[test]
    fn missing_path_is_an_error() {
        assert_eq!(
            discover(&[PathBuf::from("/no/such/corpus")]).unwrap_err(),
            MissingPath("/no/such/corpus".to_owned())
        );
    }
}
