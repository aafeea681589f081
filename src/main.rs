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
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Index { paths, format }) => {
            cli::index(&paths, format, &mut std::io::stdout().lock(), &mut std::io::stderr().lock())
        }
        None | Some(Command::Lsp) => serve(),
    }
}

/// Runs the language server. Logs go to stderr (stdout is the protocol); a panic anywhere is
/// logged with its backtrace, and request panics are contained by the server itself.
fn serve() -> ExitCode {
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
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(refls::lsp::run_stdio());
    ExitCode::SUCCESS
}
