//! The SCO retrieval index: building it from the embedded corpus, and
//! saving and loading it in the binary format (and, for comparison, JSON).
//!
//! `cargo bench -p sco-bot --bench index`
#![allow(clippy::expect_used, clippy::unwrap_used)]

use briefing_retrieval::Index;
use criterion::{Criterion, criterion_group, criterion_main};
use sco_bot::assistant::build_index;
use sco_bot::corpus::Corpus;
use std::hint::black_box;

/// The allocator of the `sco-bot` binary, so loads and builds are timed as
/// it runs them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn index(c: &mut Criterion) {
    let corpus = Corpus::embedded().expect("embedded corpus");
    let built = build_index(&corpus, corpus.config.clone(), None).expect("index");
    let bytes = built.to_bytes().expect("binary");
    let mut json = Vec::new();
    built.save(&mut json).expect("json");
    println!("SCO index: binary {} bytes, JSON {} bytes", bytes.len(), json.len());
    let mut group = c.benchmark_group("sco index");
    group.bench_function("build from the corpus", |b| {
        b.iter(|| build_index(&corpus, corpus.config.clone(), None).expect("index"))
    });
    group.bench_function("save binary", |b| b.iter(|| built.to_bytes().expect("binary")));
    group.bench_function("load binary", |b| {
        b.iter(|| Index::from_bytes(black_box(&bytes)).expect("load"))
    });
    group.bench_function("load JSON", |b| {
        b.iter(|| Index::load(black_box(json.as_slice())).expect("load"))
    });
    group.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
