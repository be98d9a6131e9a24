//! Benchmarks: building an index over a fixed interview, and answering.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use briefing_retrieval::{Config, Index, IndexBuilder, Passage, Query, Source, Synonyms};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// A fixed invented interview of 40 answer paragraphs (about 12 KB, the size
/// of a press-conference transcript).
fn passages() -> Vec<Passage> {
    let topics = [
        ("flood protection", "levees", "pumping stations", "Riverton"),
        ("farming", "irrigation grants", "organic farms", "Lakeside"),
        ("transport", "ferry routes", "river ports", "Millbrook"),
        ("tourism", "visitor centres", "cycling paths", "Stonebridge"),
    ];
    let mut out = Vec::new();
    for (t, (topic, a, b, town)) in topics.iter().enumerate() {
        let question = format!("What has the council achieved in {topic}?");
        for i in 0..10 {
            let text = format!(
                "In 20{:02}, the council funded {} new {a} and repaired {} {b}. \
                 The work on {topic} in {town} was praised by the regions. \
                 Next year the council will review {topic} again, together with the ministers of {topic}.",
                10 + i,
                (i + 1) * 40,
                (i + 3) * 7
            );
            out.push(
                Passage::new(&format!("p{}", t * 10 + i), &text)
                    .with_context(&question)
                    .with_turn(t),
            );
        }
    }
    out
}

const SYNONYMS: &str =
    "levees | dikes\nferry | boat\nfunded | financed | paid for\nrepaired | fixed\n";

fn index() -> Index {
    let mut builder = IndexBuilder::new(Config::default());
    builder
        .synonyms(Synonyms::parse(SYNONYMS).expect("synonyms"))
        .document(Source::default(), passages());
    builder.build().expect("index")
}

fn build(c: &mut Criterion) {
    let passages = passages();
    let synonyms = Synonyms::parse(SYNONYMS).expect("synonyms");
    c.bench_function("build index (40 passages)", |b| {
        b.iter(|| {
            let mut builder = IndexBuilder::new(Config::default());
            builder.synonyms(synonyms.clone()).document(Source::default(), passages.clone());
            let index = builder.build().expect("index");
            assert_eq!(index.passages().len(), 40);
            index
        })
    });
    let index = index();
    let mut saved = Vec::new();
    index.save(&mut saved).expect("save");
    c.bench_function("load saved index", |b| {
        b.iter(|| Index::load(black_box(saved.as_slice())).expect("load"))
    });
}

fn answer(c: &mut Criterion) {
    let index = index();
    let questions = [
        "How many dikes did the council finance in 2015?",
        "how many pumpng stations were fixed",
        "ferry routes Millbrook",
        "What is the weather in Paris?",
        "When will the council review tourism?",
    ];
    c.bench_function("answer (5 questions)", |b| {
        b.iter(|| {
            let n = questions
                .iter()
                .filter(|q| index.answer(&Query::new(q)).passage_idx.is_some())
                .count();
            assert_eq!(n, 4);
            n
        })
    });
}

criterion_group!(benches, build, answer);
criterion_main!(benches);
