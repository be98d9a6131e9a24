//! The `briefing` command-line tool: glue between the command line and the briefing crates.
//!
//! Exit codes: 0 on success (and when stdout is closed early: a broken pipe is not an error),
//! 1 when a command fails (unreadable or malformed input, an unwritable output), 2 on bad
//! usage.

mod index_cmd;
mod input;
mod json;
mod messages;
mod pipeline;
mod process;
mod progress;
mod search;
mod stats;
mod topics;
mod walk;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: corpus processing allocates and frees
/// millions of small strings (paragraphs, ids, sentence lists) across threads, where
/// glibc malloc spent about 15% of `briefing process`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Briefing: text classification, corpus processing and search.
#[derive(Debug, Parser)]
#[command(name = "briefing", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Topic classification: train, eval, predict, cv.
    #[command(subcommand)]
    Topics(topics::Command),
    /// Split files into paragraphs: one JSON record per paragraph, in parallel.
    Process(process::ProcessArgs),
    /// Build a BM25 search index over every paragraph of the inputs.
    Index(index_cmd::IndexArgs),
    /// Search an index built by `briefing index`.
    Search(search::SearchArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with success; real usage errors exit 2.
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match run(&cli) {
        Ok(code) if messages::n_errors() > 0 => code.max_failure(),
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            messages::error(format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Topics(command) => topics::run(command),
        Command::Process(args) => process::run(args),
        Command::Index(args) => index_cmd::run(args),
        Command::Search(args) => search::run(args),
    }
}

/// Whether the error comes from writing to a closed pipe (`briefing ... | head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

trait MaxFailure {
    fn max_failure(self) -> ExitCode;
}

impl MaxFailure for ExitCode {
    /// A command that reported errors but returned normally still fails.
    fn max_failure(self) -> ExitCode {
        if self == ExitCode::SUCCESS { ExitCode::FAILURE } else { self }
    }
}
