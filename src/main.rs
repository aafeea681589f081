//! The `refls` binary: the language server (no arguments, or `lsp`) and the command-line tools.

fn main() {}
