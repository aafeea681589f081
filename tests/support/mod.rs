//! Helpers shared by the integration tests that drive real programs: where to find the pandoc
//! that `.ci/tools` installs. Missing tools fail the test with instructions; they are never
//! skipped silently.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The pandoc binary: `$REFLS_PANDOC`, else the one `.ci/tools` installs from PyPI.
pub fn pandoc() -> PathBuf {
    let path = match std::env::var_os("REFLS_PANDOC") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/py/pypandoc/files/pandoc"),
    };
    assert!(
        path.is_file(),
        "pandoc not found at {}: run `bash .ci/tools` (or `python3 -m pip install --target .tools/py pypandoc-binary`), or set REFLS_PANDOC",
        path.display()
    );
    path
}
