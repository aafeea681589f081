//! The `refls` binary: the command-line tools, and (with no arguments) the language server.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use refls::cli::{self, CheckFormat, ExportFormat, IndexFormat};

/// refls: citations for research notes, from a corpus of saved articles and bibliographies.
#[derive(Parser)]
#[command(name = "refls", version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Serve LSP over stdio (the default; accepted because editors' clients add it).
    #[arg(long, global = true, hide = true)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol on stdin/stdout (also the default).
    Lsp,
    /// Index a corpus and print its records.
    Index {
        /// Files or directories to index; the embedded seed corpus when none are given.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = IndexFormat::Table)]
        format: IndexFormat,
    },
    /// Check the citations of manuscripts against a corpus (exit 1 on errors), for CI.
    Check {
        /// Manuscripts, or directories to search for .md, .qmd, .Rmd, .tex, .typ and .org files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Corpus files or directories (repeatable); the embedded seed corpus when none are given.
        #[arg(long = "corpus")]
        corpus: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Write the bibliography of the works manuscripts cite, for pandoc or LaTeX.
    Export {
        /// Manuscripts, or directories to search for them.
        paths: Vec<PathBuf>,
        /// Corpus files or directories (repeatable); the embedded seed corpus when none are given.
        #[arg(long = "corpus")]
        corpus: Vec<PathBuf>,
        /// Export the whole corpus, not only the cited works.
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = ExportFormat::CslJson)]
        format: ExportFormat,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Index { paths, format }) => {
            cli::index(&paths, format, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
        }
        Some(Command::Check { paths, corpus, format }) => {
            cli::check(&paths, &corpus, format, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
        }
        Some(Command::Export { paths, corpus, all, format }) => {
            cli::export(&paths, &corpus, all, format, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
        }
        None | Some(Command::Lsp) => serve(),
    }
}

/// Runs the language server. Logs go to stderr (stdout is the protocol); a panic anywhere is
/// logged with its backtrace, and request panics are contained by the server itself.
fn serve() -> ExitCode {
    // Someone who types `refls` in a terminal would otherwise face a silent prompt that seems
    // to hang. Editors start it with pipes, so they never see this line; stdout stays untouched.
    if std::io::stdin().is_terminal() {
        let _ = writeln!(
            std::io::stderr(),
            "refls is a language server: it is waiting for an editor to speak LSP on stdin (Ctrl+C quits); see `refls --help` for the command-line tools"
        );
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REFLS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    std::panic::set_hook(Box::new(|info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("refls hit a bug: {info}\n{backtrace}");
    }));
    // One runtime thread. tower-lsp reads, answers and writes every message in one task
    // anyway; the work that takes time (reading the corpus, building its index, a long
    // diagnostics pass) runs on blocking threads. Worker threads only added wake-ups between
    // threads to every message (the reader, the server task and a diagnostics task each woke
    // another), about a tenth of an edit's time to its diagnostics at 10,000 entries (issue 11),
    // and a glibc arena apiece.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(refls::lsp::run_stdio());
    // The stdin reader sits on a blocking thread until the client closes the pipe; after
    // `exit` the process must end now, not when the client gets round to closing it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    ExitCode::SUCCESS
}
