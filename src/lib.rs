//! refls: a language server for research notes.
//!
//! Reading order: [`corpus`] turns saved article pages and bibliography files into citable
//! records and indexes them; [`manuscript`] finds citations in the text being written;
//! [`analysis`] answers editor questions (hover, completion, definition, diagnostics,
//! references, rename, code lens) as pure functions over text and byte offsets; [`lsp`] is the
//! only module that speaks the Language Server Protocol; [`cli`] runs the same analysis from the
//! command line.
//! See ARCHITECTURE.md for the invariants that hold between these layers.

pub mod analysis;
pub mod cli;
pub mod corpus;
/// Entry points for the fuzz targets in `fuzz/` and their corpus replay test; not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod lsp;
pub mod manuscript;
pub mod memory;
pub mod timing;
