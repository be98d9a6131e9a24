//! Benchmarks of the SCO assistant: building it from the embedded corpus,
//! answering each dev question, and the binary's start-up to first answer.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use sco_bot::assistant::Assistant;
use sco_bot::corpus::{Corpus, DEV_QUESTIONS};
use sco_bot::eval::parse_questions;
use std::hint::black_box;
use std::process::Command;

fn build(c: &mut Criterion) {
    let corpus = Corpus::embedded().expect("embedded corpus");
    c.bench_function("corpus load (parse transcript, bank, synonyms)", |b| {
        b.iter(|| black_box(Corpus::embedded().expect("embedded corpus")))
    });
    c.bench_function("assistant build (retrieval index)", |b| {
        b.iter(|| black_box(Assistant::new(&corpus).expect("assistant")))
    });
}

fn answer(c: &mut Criterion) {
    let corpus = Corpus::embedded().expect("embedded corpus");
    let assistant = Assistant::new(&corpus).expect("assistant");
    let questions = parse_questions(DEV_QUESTIONS).expect("dev questions");
    assert!(questions.len() >= 150);
    let mut group = c.benchmark_group("answer");
    group.throughput(criterion::Throughput::Elements(questions.len() as u64));
    group.bench_function("every dev question", |b| {
        b.iter(|| {
            let n_answered =
                questions.iter().filter(|q| assistant.answer(&q.question).answered).count();
            assert!(n_answered > 100);
            n_answered
        })
    });
    group.finish();
}

fn startup(c: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_sco-bot");
    let mut group = c.benchmark_group("binary");
    group.sample_size(20);
    group.bench_function("start-up to first answer (sco-bot ask)", |b| {
        b.iter(|| {
            let output = Command::new(bin)
                .args(["ask", "How many terrorist training camps were liquidated?"])
                .output()
                .expect("run sco-bot");
            assert!(output.status.success());
            assert!(String::from_utf8_lossy(&output.stdout).contains("500"));
        })
    });
    group.finish();
}

criterion_group!(benches, build, answer, startup);
criterion_main!(benches);
