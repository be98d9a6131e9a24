//! A steady workload for an instruction profiler: builds the retrieval index
//! of the embedded SCO corpus, or answers every dev question, N times.
//!
//! Instructions per unit of work are the difference of two runs, which
//! cancels the start-up, divided by the extra work:
//!
//! ```text
//! cargo build --release -p sco-bot --example profile_workload
//! valgrind --tool=callgrind target/release/examples/profile_workload answer 1
//! valgrind --tool=callgrind target/release/examples/profile_workload answer 4
//! # (I(4) - I(1)) / (3 × 208) per dev question; with `build`, / 3 per build
//! ```

use anyhow::Context as _;
use sco_bot::assistant::{Assistant, build_index};
use sco_bot::corpus::{Corpus, DEV_QUESTIONS};
use sco_bot::eval::parse_questions;
use std::hint::black_box;

/// The allocator of the `sco-bot` binary, so that the profile is of what it runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let work = args.next().unwrap_or_default();
    let times: usize = match args.next() {
        Some(n) => n.parse().context("N must be a number")?,
        None => 1,
    };
    let corpus = Corpus::embedded()?;
    match work.as_str() {
        "build" => {
            for _ in 0..times {
                black_box(build_index(&corpus, corpus.config.clone(), None)?);
            }
        }
        "answer" => {
            let assistant = Assistant::new(&corpus)?;
            let questions = parse_questions(DEV_QUESTIONS)?;
            for _ in 0..times {
                for question in &questions {
                    black_box(assistant.answer(&question.question));
                }
            }
        }
        _ => anyhow::bail!("usage: profile_workload build|answer [N]"),
    }
    Ok(())
}
