//! Throughput of word analysis and sentence segmentation on fixed English prose.

use briefing_tokenize::{Analyzer, sentences};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A fixed ~3 KB English text (with curly quotes, non-breaking spaces, numbers
/// and abbreviations), written for this benchmark.
const PROSE: &str = include_str!("data/prose.txt");
const N_WORDS: usize = 528;
/// A fixed Russian paragraph, written for this benchmark (general path only).
const RUSSIAN: &str = include_str!("data/russian.txt");
const N_RUSSIAN_WORDS: usize = 67;
const N_SENTENCES: usize = 36;

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::english();
    // The same text folded to ASCII, to measure the fast path alone.
    let ascii: String = PROSE
        .chars()
        .map(|c| match c {
            '’' => '\'',
            '“' | '”' => '"',
            '—' => '-',
            '£' => '$',
            c if c.is_ascii() => c,
            _ => ' ',
        })
        .collect();
    assert!(ascii.is_ascii());

    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(PROSE.len() as u64));
    group.bench_function("words", |b| {
        b.iter(|| {
            let words = analyzer.words(black_box(PROSE));
            assert_eq!(words.len(), N_WORDS);
        });
    });
    group.bench_function("for_each_word", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_word(black_box(PROSE), |_| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.bench_function("for_each_token", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_token(black_box(PROSE), |_| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.bench_function("for_each_norm", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_norm(black_box(PROSE), |_, _| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.bench_function("sentences", |b| {
        b.iter(|| {
            assert_eq!(sentences(black_box(PROSE)).len(), N_SENTENCES);
        });
    });
    group.throughput(Throughput::Bytes(ascii.len() as u64));
    group.bench_function("for_each_word_ascii", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_word(black_box(&ascii), |_| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.bench_function("for_each_token_ascii", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_token(black_box(&ascii), |_| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.bench_function("for_each_norm_ascii", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_norm(black_box(&ascii), |_, _| n_words += 1);
            assert_eq!(n_words, N_WORDS);
        });
    });
    group.throughput(Throughput::Bytes(RUSSIAN.len() as u64));
    group.bench_function("for_each_word_russian", |b| {
        b.iter(|| {
            let mut n_words = 0;
            analyzer.for_each_word(black_box(RUSSIAN), |_| n_words += 1);
            assert_eq!(n_words, N_RUSSIAN_WORDS);
        });
    });
    group.finish();

    let question = "What did the council’s deputy mayor say about the U.N. programme in 2019?";
    c.bench_function("tokenize/question", |b| {
        b.iter(|| {
            assert_eq!(analyzer.words(black_box(question)).len(), 13);
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
