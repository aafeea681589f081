//! The `refls` binary: the command-line tools, and (with no arguments) the language server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use refls::cli::{self, IndexFormat};

/// refls: citations for research notes, from a corpus of saved articles and bibliographies.
#[derive(Parser)]
#[command(name = "refls", version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Index a corpus and print its records.
    Index {
        /// Files or directories to index; the embedded seed corpus when none are given.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = IndexFormat::Table)]
        format: IndexFormat,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    match args.command {
        Some(Command::Index { paths, format }) => cli::index(&paths, format, &mut out, &mut err),
        None => {
            use clap::CommandFactory;
            let _ = Args::command().print_help();
            ExitCode::from(cli::USAGE_ERROR)
        }
    }
}
