//! The distribution of answer latency over the dev questions: each question
//! is answered `RUNS` times, its latency is the median of those runs, and the
//! report gives the median, 90th and 99th percentile and maximum over the
//! questions. Criterion's "every dev question" (benches/startup.rs) gives the
//! mean; the goal in the retrieval issue is about the median question.
//!
//! It first prints where start-up time goes: the median of `RUNS` runs of
//! loading the embedded corpus and of building the retrieval index from it
//! (with and without the WordNet-derived synonym rules).
//!
//! `cargo bench -p sco-bot --bench latency`
#![allow(clippy::expect_used, clippy::unwrap_used)]

use briefing_retrieval::Synonyms;
use sco_bot::assistant::{Assistant, build_index};
use sco_bot::corpus::{Corpus, DEV_QUESTIONS};
use sco_bot::eval::parse_questions;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Timed answers per question.
const RUNS: usize = 51;
/// Untimed answers per question first (caches, branch predictors).
const WARM_UP: usize = 5;

/// The median time of `RUNS` calls of `f`, after `WARM_UP` untimed ones.
fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..WARM_UP {
        black_box(f());
    }
    let mut runs: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed()
        })
        .collect();
    runs.sort_unstable();
    runs[RUNS / 2]
}

fn main() {
    let corpus = Corpus::embedded().expect("embedded corpus");
    let mut hand_only = corpus.clone();
    hand_only.synonyms =
        Synonyms::parse(include_str!("../../../corpora/sco/synonyms.txt")).expect("synonyms");
    let stages = [
        ("corpus load (Corpus::embedded)", median(|| Corpus::embedded().expect("corpus"))),
        (
            "index build (SCO corpus)",
            median(|| build_index(&corpus, corpus.config.clone(), None).expect("index")),
        ),
        (
            "index build without WordNet rules",
            median(|| build_index(&hand_only, hand_only.config.clone(), None).expect("index")),
        ),
    ];
    for (name, took) in stages {
        println!("{name:<36} median {:>8.1} µs", took.as_secs_f64() * 1e6);
    }
    let assistant = Assistant::new(&corpus).expect("assistant");
    let questions = parse_questions(DEV_QUESTIONS).expect("dev questions");
    let mut latencies: Vec<Duration> = questions
        .iter()
        .map(|question| {
            for _ in 0..WARM_UP {
                black_box(assistant.answer(black_box(&question.question)));
            }
            let mut runs: Vec<Duration> = (0..RUNS)
                .map(|_| {
                    let started = Instant::now();
                    black_box(assistant.answer(black_box(&question.question)));
                    started.elapsed()
                })
                .collect();
            runs.sort_unstable();
            runs[RUNS / 2]
        })
        .collect();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "answer latency over {} dev questions (median of {RUNS} runs each): median {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        latencies.len(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.9).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        at(1.0).as_secs_f64() * 1e6,
    );
}
