//! The corpus: the researcher's sources, read into citable records and indexed.
//!
//! This layer knows nothing of editors or LSP. Readers return records *and* problems; the
//! corpus links cited works to the documents that cite them, merges one work reached from
//! several files, assigns citation keys and builds the lookup index.

pub mod doi;
pub mod problem;
pub mod record;

pub use doi::Doi;
pub use problem::{Problem, Severity};
pub use record::{Confidence, Field, FileId, Location, Person, Record, RecordId, RecordKind, WorkType};
