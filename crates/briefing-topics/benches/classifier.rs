//! Training and prediction speed on a fixed, generated question set (six answer types).
//!
//! Real-data accuracy and speed (TREC, SMS spam, Rotten Tomatoes) come from
//! `bench/classifiers.sh`; this bench tracks the library's own costs.
#![allow(clippy::expect_used)]

use briefing_topics::{Classifier, Example, FeatureConfig, TrainConfig};
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

/// Ten topics with their words, plus a catch-all label for everything else.
const TOPICS: &[(&str, &[&str])] = &[
    (
        "sport",
        &[
            "football",
            "match",
            "striker",
            "goal",
            "league",
            "coach",
            "tennis",
            "olympic",
            "stadium",
            "referee",
            "tournament",
            "team",
        ],
    ),
    (
        "weather",
        &[
            "rain",
            "storm",
            "forecast",
            "snow",
            "temperature",
            "wind",
            "sunny",
            "flood",
            "drought",
            "heatwave",
            "frost",
            "humidity",
        ],
    ),
    (
        "technology",
        &[
            "software",
            "laptop",
            "processor",
            "internet",
            "smartphone",
            "network",
            "cloud",
            "chip",
            "robot",
            "database",
            "startup",
            "browser",
        ],
    ),
    (
        "finance",
        &[
            "bank",
            "loan",
            "interest",
            "stocks",
            "inflation",
            "currency",
            "budget",
            "tax",
            "investment",
            "market",
            "bond",
            "pension",
        ],
    ),
    (
        "health",
        &[
            "doctor", "hospital", "vaccine", "disease", "nurse", "medicine", "diet", "exercise",
            "surgery", "virus", "clinic", "therapy",
        ],
    ),
    (
        "travel",
        &[
            "flight",
            "hotel",
            "passport",
            "airport",
            "visa",
            "tourism",
            "railway",
            "luggage",
            "border",
            "ticket",
            "cruise",
            "itinerary",
        ],
    ),
    (
        "culture",
        &[
            "museum",
            "festival",
            "theatre",
            "music",
            "painting",
            "library",
            "cinema",
            "poetry",
            "heritage",
            "dance",
            "exhibition",
            "concert",
        ],
    ),
    (
        "education",
        &[
            "school",
            "university",
            "teacher",
            "exam",
            "students",
            "degree",
            "scholarship",
            "lecture",
            "campus",
            "curriculum",
            "textbook",
            "homework",
        ],
    ),
    (
        "environment",
        &[
            "pollution",
            "recycling",
            "forest",
            "emissions",
            "climate",
            "wildlife",
            "plastic",
            "energy",
            "solar",
            "waste",
            "ocean",
            "biodiversity",
        ],
    ),
    (
        "security",
        &[
            "police",
            "terrorism",
            "crime",
            "border",
            "cyberattack",
            "army",
            "smuggling",
            "fraud",
            "patrol",
            "intelligence",
            "weapons",
            "hostage",
        ],
    ),
];

/// Openings of questions and queries, shared by all topics.
const FRAMES: &[&str] = &[
    "what is new about {}",
    "tell me about the {} plans",
    "{} and {} cooperation",
    "how does the council handle {}?",
    "latest news on {} and {}",
    "is there an agreement on {}",
    "{}",
    "why is {} important for the region?",
    "who is responsible for {} here",
    "what did the minister say about {} and {}?",
];

/// Messages of the catch-all label.
const OTHER: &[&str] = &[
    "hello there",
    "thanks a lot",
    "good morning",
    "what time is it",
    "tell me a joke",
    "how are you today",
    "bye",
    "who won the chess game yesterday",
    "translate this to french",
    "what is your name",
    "ok",
    "can you help me",
    "nice to meet you",
    "what's up",
    "I like turtles",
    "where can I buy shoes",
    "recommend a film",
    "lol",
    "are you a robot",
    "open the window please",
];

/// A small topic set in the spirit of the SCO topic data: 10 topics with 42 short texts each
/// (questions, keyword queries, a few typos, two long paragraphs) and a catch-all label with
/// 201 texts, 621 in all, from a fixed pseudo-random sequence.
fn topic_set() -> Vec<Example> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut out = Vec::new();
    for (label, words) in TOPICS {
        for i in 0..42 {
            let mut text = FRAMES[next(FRAMES.len())].to_owned();
            while let Some(at) = text.find("{}") {
                text.replace_range(at..at + 2, words[next(words.len())]);
            }
            if i % 7 == 3 {
                // A typo: one letter dropped.
                let at = next(text.len().max(1));
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    text.remove(at);
                }
            }
            if i % 21 == 0 {
                // A long paragraph.
                let sentence: Vec<&str> = (0..40).map(|_| words[next(words.len())]).collect();
                text = format!(
                    "In his statement the Secretary-General said that {}.",
                    sentence.join(" and the ")
                );
            }
            out.push(Example::new(text, *label));
        }
    }
    for i in 0..201 {
        let mut text = OTHER[next(OTHER.len())].to_owned();
        if i % 3 == 0 {
            text.push_str(&format!(" {}", OTHER[next(OTHER.len())]));
        }
        out.push(Example::new(text, "other"));
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

    // Training at start-up: a small topic set on one thread, with the settings the README
    // suggests for small data (character n-grams).
    let topics = topic_set();
    assert_eq!(topics.len(), 621);
    let small = TrainConfig {
        features: FeatureConfig {
            char_ngrams: Some((2, 5)),
            char_weight: 0.5,
            ..FeatureConfig::default()
        },
        ..TrainConfig::default()
    };
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("a pool");
    let mut group = c.benchmark_group("topics");
    group.sample_size(20);
    group.throughput(Throughput::Elements(topics.len() as u64));
    for (name, config) in [
        ("train_621_topic_texts_one_thread", &TrainConfig::default()),
        ("train_621_topic_texts_chars_one_thread", &small),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let classifier = one_thread
                    .install(|| Classifier::train(black_box(&topics), config))
                    .expect("trains");
                assert_eq!(classifier.labels().len(), 11);
            })
        });
    }
    // Prediction with 11 labels (the table holds 64-byte rows inline) and repeated words
    // (served by the word cache).
    let classifier = Classifier::train(&topics, &TrainConfig::default()).expect("trains");
    group.bench_function("predict_621_topic_texts_one_thread", |b| {
        b.iter(|| {
            let n_known = topics
                .iter()
                .filter(|e| classifier.predict(black_box(&e.text)).label.as_str().is_some())
                .count();
            assert_eq!(n_known, 621);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
