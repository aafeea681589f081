//! The seed corpus embedded in the binary, so `refls` works anywhere with no set-up.
//!
//! These are byte-identical copies of `seeds/*.txt` (a test checks it). Their paths are
//! reported as `seeds/<name>` so output is the same as when indexing the `seeds` directory.

use super::{Input, Origin};

/// File name and text of each embedded seed.
pub const SEEDS: &[(&str, &str)] = &[
    ("000_c509e413bdc93c04.txt", include_str!("../../seeds/000_c509e413bdc93c04.txt")),
    ("001_6e23940b4f8baf0b.txt", include_str!("../../seeds/001_6e23940b4f8baf0b.txt")),
    ("002_6155a9b287510640.txt", include_str!("../../seeds/002_6155a9b287510640.txt")),
    ("003_0499f4ac7e19fbdd.txt", include_str!("../../seeds/003_0499f4ac7e19fbdd.txt")),
    ("004_539b723b0177c273.txt", include_str!("../../seeds/004_539b723b0177c273.txt")),
];

/// The embedded seeds as corpus inputs.
pub fn inputs() -> Vec<Input> {
    SEEDS
        .iter()
        .map(|(name, text)| Input { path: format!("seeds/{name}"), text: (*text).to_owned(), origin: Origin::Seed })
        .collect()
}
