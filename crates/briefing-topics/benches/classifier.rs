//! Training and prediction speed on a fixed, generated question set (six answer types).
//!
//! Real-data accuracy and speed (TREC, SMS spam, Rotten Tomatoes) come from
//! `bench/classifiers.sh`; this bench tracks the library's own costs.
#![allow(clippy::expect_used)]

use briefing_topics::{Classifier, Example, TrainConfig};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const SUBJECTS: &[&str] = &[
    "the summit",
    "the charter",
    "the secretariat",
    "the council",
    "the treaty",
    "the bank",
    "the exercise",
    "the forum",
    "the observers",
    "the railway",
    "the pipeline",
    "the festival",
];

const TEMPLATES: &[(&str, &str)] = &[
    ("Who signed {}?", "HUM"),
    ("Who chaired {} last year?", "HUM"),
    ("Where is {} based?", "LOC"),
    ("Which city hosted {}?", "LOC"),
    ("How many countries joined {}?", "NUM"),
    ("When was {} founded?", "NUM"),
    ("What is {}?", "DESC"),
    ("Why was {} created?", "DESC"),
    ("What does SCO stand for in {}?", "ABBR"),
    ("What is the abbreviation of {}?", "ABBR"),
    ("What language is used at {}?", "ENTY"),
    ("What currency does {} use?", "ENTY"),
];

/// 12 templates x 12 subjects x 4 variants = 576 labelled questions.
fn questions() -> Vec<Example> {
    let mut out = Vec::new();
    for variant in ["", " exactly", " in 2019", " now"] {
        for subject in SUBJECTS {
            for (template, label) in TEMPLATES {
                let text = template.replace("{}", &format!("{subject}{variant}"));
                out.push(Example::new(text, *label));
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let examples = questions();
    assert_eq!(examples.len(), 576);
    let config = TrainConfig::default();
    let mut group = c.benchmark_group("topics");
    group.sample_size(20);
    group.throughput(Throughput::Elements(examples.len() as u64));
    group.bench_function("train_576_questions", |b| {
        b.iter(|| {
            let classifier = Classifier::train(black_box(&examples), &config).expect("trains");
            assert_eq!(classifier.labels().len(), 6);
        })
    });
    let classifier = Classifier::train(&examples, &config).expect("trains");
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    group.bench_function("predict_576_questions_one_thread", |b| {
        b.iter(|| {
            let n_hum = texts
                .iter()
                .filter(|text| classifier.predict(black_box(text)).label.as_str() == Some("HUM"))
                .count();
            assert_eq!(n_hum, 96);
        })
    });
    // The share of prediction spent in `briefing-tokenize` (the analyzer the classifier uses).
    let analyzer = briefing_tokenize::Analyzer::english();
    group.bench_function("tokenize_576_questions_one_thread", |b| {
        b.iter(|| {
            let mut n_words = 0;
            for text in &texts {
                analyzer.for_each_word(black_box(text), |_| n_words += 1);
            }
            assert_eq!(n_words, 3840);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
