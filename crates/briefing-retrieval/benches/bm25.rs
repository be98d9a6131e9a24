//! Inner loops of the large-scale BM25 module: term cache vs analyzer, shard building, merging, search.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_retrieval::bm25::{Index, IndexBuilder, Params, ShardBuilder, TermCache};
use briefing_tokenize::Analyzer;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const SAMPLE: &str = "The Council of Heads of State met in Bishkek on 14 June. Members agreed on a \
programme of trade and investment, on the transport corridor between the member states, and on \
joint measures against terrorism, separatism and extremism. The SCO’s secretary-general said \
that 1,000 devices and 50 tons of explosives were seized in 2013-2017, that drug trafficking \
remains a threat, and that cultural exchange and tourism are growing.";

/// Paragraphs made by rotating the sample's words, so that pieces repeat with a skew.
fn paragraphs(n: usize) -> Vec<String> {
    let words: Vec<&str> = SAMPLE.split_whitespace().collect();
    (0..n)
        .map(|idx| {
            let len = 8 + idx % 40;
            (0..len).map(|k| words[(idx * 7 + k * k) % words.len()]).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

fn build(texts: &[String]) -> Index {
    let mut cache = TermCache::new();
    let mut builder = IndexBuilder::new(Params::default());
    for (chunk_idx, chunk) in texts.chunks(1000).enumerate() {
        let mut shard = ShardBuilder::new(&mut cache);
        for (idx, text) in chunk.iter().enumerate() {
            shard.add(&format!("doc{chunk_idx}"), &format!("p{idx}"), text);
        }
        builder.push(shard.finish()).unwrap();
    }
    builder.build().unwrap()
}

fn words(c: &mut Criterion) {
    let texts = paragraphs(2000);
    let n_bytes: usize = texts.iter().map(String::len).sum();
    let analyzer = Analyzer::english();
    let expected: usize = texts.iter().map(|t| analyzer.words(t).len()).sum();
    let mut group = c.benchmark_group("words");
    group.throughput(Throughput::Bytes(n_bytes as u64));
    group.bench_function("analyzer for_each_word", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for text in &texts {
                analyzer.for_each_word(black_box(text), |_| n += 1);
            }
            assert_eq!(n, expected);
        });
    });
    let mut cache = TermCache::new();
    group.bench_function("term cache for_each_term", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for text in &texts {
                cache.for_each_term(black_box(text), |_, _| n += 1);
            }
            assert_eq!(n, expected);
        });
    });
    group.finish();
}

fn indexing(c: &mut Criterion) {
    let texts = paragraphs(20_000);
    let n_bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("index");
    group.throughput(Throughput::Bytes(n_bytes as u64));
    group.sample_size(10);
    group.bench_function("shards + merge + build, 20k paragraphs", |b| {
        b.iter(|| assert_eq!(build(&texts).stats().n_paragraphs, 20_000));
    });
    let index = build(&texts);
    group.bench_function("save + load (bytes)", |b| {
        b.iter(|| {
            let bytes = index.to_bytes();
            assert_eq!(Index::from_bytes(&bytes).unwrap().stats().n_paragraphs, 20_000);
        });
    });
    group.finish();
}

fn search(c: &mut Criterion) {
    let texts = paragraphs(50_000);
    let index = build(&texts);
    index.warm_up();
    let queries = [
        "trade and investment",
        "terrorism separatism extremism",
        "tons of explosives seized",
        "SCO council Bishkek",
    ];
    let mut group = c.benchmark_group("search");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("maxscore top 10", |b| {
        b.iter(|| {
            for query in queries {
                assert_eq!(index.search(black_box(query), 10).len(), 10);
            }
        });
    });
    group.bench_function("exhaustive top 10", |b| {
        b.iter(|| {
            for query in queries {
                assert_eq!(index.search_exhaustive(black_box(query), 10).len(), 10);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, words, indexing, search);
criterion_main!(benches);
