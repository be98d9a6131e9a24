//! Behaviour of the public API on small inline data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::testdata::toy;
use crate::{
    ClassWeight, Classifier, Error, Example, FeatureConfig, Label, ModelKind, TrainConfig,
    cross_validate, parse_jsonl,
};

fn train(examples: &[Example], config: &TrainConfig) -> Classifier {
    Classifier::train(examples, config).expect("training succeeds")
}

/// Checks that `texts` get the labels in `expect`.
fn check_predictions(classifier: &Classifier, expect: &[(&str, &str)]) {
    for (text, label) in expect {
        let prediction = classifier.predict(text);
        assert_eq!(prediction.label, Label::Known(label), "{text:?}: {prediction:?}");
    }
}

const UNSEEN: &[(&str, &str)] = &[
    ("the goal keeper and the striker", "sport"),
    ("snow and wind tonight", "weather"),
    ("a faster processor and more memory", "tech"),
];

#[test]
fn every_model_kind_separates_the_toy_set() {
    for model in [ModelKind::LinearSvm, ModelKind::Logistic, ModelKind::ComplementNb { alpha: 0.3 }]
    {
        let config = TrainConfig { model, ..TrainConfig::default() };
        let classifier = train(&toy(), &config);
        assert_eq!(classifier.labels(), ["sport", "tech", "weather"]);
        check_predictions(&classifier, UNSEEN);
        let report = classifier.evaluate(&toy()).unwrap();
        assert_eq!(report.accuracy, 1.0, "{model:?}");
    }
}

#[test]
fn char_ngrams_and_other_features_also_work() {
    let features = FeatureConfig {
        char_ngrams: Some((2, 4)),
        word_ngrams: 3,
        stem: false,
        min_count: 1,
        ..FeatureConfig::default()
    };
    let config =
        TrainConfig { features, class_weight: ClassWeight::Balanced, ..Default::default() };
    let classifier = train(&toy(), &config);
    check_predictions(&classifier, UNSEEN);
    // Character n-grams see through a typo.
    check_predictions(&classifier, &[("the strikr scord", "sport")]);
}

#[test]
fn probabilities_are_a_distribution_and_top_k_is_sorted() {
    let classifier = train(&toy(), &TrainConfig::default());
    let probs = classifier.probabilities("rain on the team bus");
    assert_eq!(probs.len(), 3);
    assert!((probs.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{probs:?}");
    let prediction = classifier.predict_top_k("rain on the team bus", 5);
    assert_eq!(prediction.top.len(), 3);
    assert!(prediction.top.windows(2).all(|w| w[0].1 >= w[1].1));
    assert_eq!(prediction.label.as_str(), Some(prediction.top[0].0));
    assert_eq!(prediction.confidence, prediction.top[0].1);
    assert_eq!(classifier.predict("anything").top.len(), 1);
    // Text with no known feature falls back to the biases: still a distribution.
    let empty = classifier.probabilities("");
    assert!((empty.iter().sum::<f32>() - 1.0).abs() < 1e-5);
}

#[test]
fn predict_gives_the_best_label_and_probability_of_the_full_softmax() {
    // 3 labels (f32 weights) and 20 labels (i8 weights): `predict` computes only the best
    // probability, which must be the one `probabilities` and `predict_top_k` give.
    let many: Vec<Example> = (0..80)
        .map(|i| {
            Example::new(
                format!("word{} topic{} common {}", i, i % 20, i % 3),
                format!("t{}", i % 20),
            )
        })
        .collect();
    for examples in [toy(), many] {
        let classifier = train(&examples, &TrainConfig::default());
        let texts = examples.iter().map(|e| e.text.as_str()).chain(["", "zzz", "rain topic3"]);
        for text in texts {
            let probs = classifier.probabilities(text);
            let best = (0..probs.len()).fold(0, |b, i| if probs[i] > probs[b] { i } else { b });
            let prediction = classifier.predict(text);
            assert_eq!(prediction.label.as_str(), Some(classifier.labels()[best].as_str()));
            assert_eq!(prediction.confidence.to_bits(), probs[best].to_bits(), "{text:?}");
            assert_eq!(prediction, classifier.predict_top_k(text, 1), "{text:?}");
        }
    }
}

#[test]
fn predict_batch_matches_predict_in_order() {
    let classifier = train(&toy(), &TrainConfig::default());
    let texts: Vec<&str> = UNSEEN.iter().map(|(t, _)| *t).chain(["", "x y z"]).collect();
    let batch = classifier.predict_batch(&texts);
    let one_by_one: Vec<_> = texts.iter().map(|t| classifier.predict(t)).collect();
    assert_eq!(batch, one_by_one);
}

#[test]
fn rejection_answers_unknown_below_the_threshold() {
    let classifier = train(&toy(), &TrainConfig::default());
    let confident = classifier.predict("the striker scored a late goal").confidence;
    let vague = classifier.predict("xylophone quartz").confidence;
    assert!(confident > vague, "{confident} vs {vague}");
    let threshold = (confident + vague) / 2.0;
    let strict = classifier.clone().with_rejection(threshold);
    assert_eq!(strict.rejection(), Some(threshold));
    assert_eq!(strict.predict("the striker scored a late goal").label, Label::Known("sport"));
    let vague = strict.predict("xylophone quartz");
    assert_eq!(vague.label, Label::Unknown);
    assert_eq!(vague.label.as_str(), None);
    assert_eq!(vague.top.len(), 1, "the best guess is still shown");
    let report = strict.evaluate(&[Example::new("xylophone quartz", "tech")]).unwrap();
    assert_eq!((report.n_rejected, report.accuracy), (1, 0.0));
    assert_eq!(report.confusion[1], [0, 0, 0, 1]);
    assert_eq!(report.errors[0].predicted, None);
    assert_eq!(classifier.with_rejection(0.0).rejection(), None);
}

#[test]
fn a_class_with_one_example_is_learnt_and_cross_validated() {
    let mut examples = toy();
    examples.push(Example::new("stock markets rallied on bank earnings", "finance"));
    let classifier = train(&examples, &TrainConfig::default());
    assert_eq!(classifier.labels(), ["finance", "sport", "tech", "weather"]);
    check_predictions(&classifier, &[("markets rallied on earnings", "finance")]);
    check_predictions(&classifier, UNSEEN);
    // In cross-validation its fold's model never saw it: it counts as an error, not a crash.
    let cv = cross_validate(&examples, 3, &TrainConfig::default()).unwrap();
    assert_eq!(cv.pooled.n, examples.len());
    assert_eq!(cv.pooled.classes[0].support, 1);
    assert_eq!(cv.pooled.classes[0].recall, 0.0);
    assert!(cv.pooled.accuracy > 0.8, "{}", cv.pooled.accuracy);
}

#[test]
fn empty_and_single_label_training_data_are_errors() {
    let error = Classifier::train(&[], &TrainConfig::default()).unwrap_err();
    assert_eq!(error.to_string(), "no examples: nothing to train on");
    let one = [Example::new("a", "x"), Example::new("b", "x")];
    let error = Classifier::train(&one, &TrainConfig::default()).unwrap_err();
    assert!(matches!(error, Error::OneLabel(ref label) if label == "x"));
    assert_eq!(
        error.to_string(),
        "training data has only one label (\"x\"); a classifier needs at least two"
    );
    let classifier = train(&toy(), &TrainConfig::default());
    let error = classifier.evaluate(&[]).unwrap_err();
    assert_eq!(error.to_string(), "no examples: nothing to evaluate");
}

#[test]
fn unknown_labels_in_evaluation_name_their_line() {
    let classifier = train(&toy(), &TrainConfig::default());
    let data = "{\"text\": \"goal\", \"label\": \"sport\"}\n\n{\"text\": \"stocks\", \"label\": \"finance\"}\n";
    let examples = parse_jsonl(data.as_bytes()).unwrap();
    let error = classifier.evaluate(&examples).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 3: label \"finance\" is not one of the model's labels (sport, tech, weather)"
    );
    let error = classifier.evaluate(&[Example::new("x", "sport"), Example::new("y", "?")]);
    assert_eq!(
        error.unwrap_err().to_string(),
        "example 2: label \"?\" is not one of the model's labels (sport, tech, weather)"
    );
}

#[test]
fn invalid_settings_are_config_errors() {
    let check = |config: TrainConfig, expect: &str| {
        let error = Classifier::train(&toy(), &config).unwrap_err();
        assert_eq!(error.to_string(), format!("invalid configuration: {expect}"));
    };
    check(TrainConfig { c: 0.0, ..Default::default() }, "c must be a positive number, not 0");
    check(TrainConfig { epochs: 0, ..Default::default() }, "epochs must be at least 1");
    let features = FeatureConfig { char_ngrams: Some((3, 2)), ..Default::default() };
    check(
        TrainConfig { features, ..Default::default() },
        "char_ngrams must satisfy 1 <= min <= max <= 8, not (3, 2)",
    );
    let features = FeatureConfig { word_ngrams: 0, ..Default::default() };
    check(TrainConfig { features, ..Default::default() }, "word_ngrams must be 1, 2 or 3, not 0");
    let error = cross_validate(&toy(), 1, &TrainConfig::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid configuration: cross-validation needs at least 2 folds, not 1"
    );
    let error = cross_validate(&toy()[..3], 4, &TrainConfig::default()).unwrap_err();
    assert_eq!(error.to_string(), "invalid configuration: 4 folds need at least 4 examples, not 3");
}

#[test]
fn save_and_load_round_trip_gives_identical_predictions_and_bytes() {
    let classifier = train(&toy(), &TrainConfig::default()).with_rejection(0.4);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    classifier.save(&path).unwrap();
    let loaded = Classifier::load(&path).unwrap();
    assert_eq!(loaded.to_bytes(), classifier.to_bytes());
    assert_eq!(loaded.labels(), classifier.labels());
    assert_eq!(loaded.config(), classifier.config());
    assert_eq!(loaded.rejection(), Some(0.4));
    for text in UNSEEN.iter().map(|(t, _)| *t).chain(["", "unrelated words entirely"]) {
        assert_eq!(loaded.predict_top_k(text, 3), classifier.predict_top_k(text, 3));
        assert_eq!(loaded.probabilities(text), classifier.probabilities(text));
    }
}

#[test]
fn a_model_saved_before_the_newer_feature_settings_loads_without_them() {
    let config = TrainConfig {
        features: FeatureConfig { trailing_words: 0, head_word: false, ..FeatureConfig::default() },
        ..TrainConfig::default()
    };
    let classifier = train(&toy(), &config);
    let text = String::from_utf8(classifier.to_bytes()).unwrap();
    let old = text
        .replacen("\"trailing_words\":0,", "", 1)
        .replacen("\"unstemmed\":false,", "", 1)
        .replacen("\"head_word\":false,", "", 1);
    assert!(!old.contains("trailing_words") && !old.contains("head_word"));
    let loaded = Classifier::from_bytes(old.as_bytes()).unwrap();
    assert_eq!(loaded.config(), classifier.config());
    for (text, _) in UNSEEN {
        assert_eq!(loaded.probabilities(text), classifier.probabilities(text));
    }
}

#[test]
fn a_wrong_format_version_or_a_broken_file_is_a_clear_error() {
    let classifier = train(&toy(), &TrainConfig::default());
    let text = String::from_utf8(classifier.to_bytes()).unwrap();
    let future = text.replacen("\"format\":2,", "\"format\":99,", 1);
    assert_ne!(future, text);
    let error = Classifier::from_bytes(future.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unsupported model format 99 (this build reads format 2); retrain the model"
    );
    // Format 1 hashed word pairs another way: its feature keys mean nothing to this build.
    let old = text.replacen("\"format\":2,", "\"format\":1,", 1);
    let error = Classifier::from_bytes(old.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "unsupported model format 1 (this build reads format 2); retrain the model"
    );
    let error = Classifier::from_bytes(b"{\"text\": \"not a model\"}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid model file: not a briefing-topics model (missing field \"format\" at line 1 column 23)"
    );
    let error = Classifier::from_bytes(&classifier.to_bytes()[..100]).unwrap_err();
    assert!(matches!(error, Error::Model(_)), "{error}");
    let truncated = text.replacen("\"labels\":[\"sport\",", "\"labels\":[", 1);
    let error = Classifier::from_bytes(truncated.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid model file: labels, feature keys and weight arrays do not fit together"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.json");
    std::fs::write(&path, future).unwrap();
    let error = Classifier::load(&path).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("{}: unsupported model format 99", path.display()))
    );
}

#[test]
fn debug_output_is_a_summary() {
    let classifier = train(&toy(), &TrainConfig::default());
    let debug = format!("{classifier:?}");
    assert!(
        debug.starts_with("Classifier { labels: [\"sport\", \"tech\", \"weather\"], n_features: ")
    );
    assert!(debug.len() < 2000, "{debug}");
}

#[test]
fn the_same_seed_gives_the_same_model_bytes() {
    let config = TrainConfig { seed: 42, ..TrainConfig::default() };
    let a = train(&toy(), &config).to_bytes();
    let b = train(&toy(), &config).to_bytes();
    assert_eq!(a, b);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let mut examples = toy();
            examples.push(Example::new("stock markets rallied", "finance"));
            let config = TrainConfig { seed: 7, ..TrainConfig::default() };
            let model = train(&examples, &config).to_bytes();
            let cv = cross_validate(&examples, 4, &config).unwrap();
            (model, cv)
        })
    };
    let (model_1, cv_1) = run(1);
    let (model_2, cv_2) = run(2);
    let (model_4, cv_4) = run(4);
    assert_eq!(model_1, model_2);
    assert_eq!(model_1, model_4);
    assert_eq!(cv_1, cv_2);
    assert_eq!(cv_1, cv_4);
}

#[test]
fn the_report_counts_what_it_should() {
    let classifier = train(&toy(), &TrainConfig::default());
    let test = [
        Example::new("the striker scored", "sport"),
        Example::new("new chip and a faster phone", "sport"),
        Example::new("rain and wind", "weather"),
        Example::new("snow tonight", "weather"),
    ];
    let report = classifier.evaluate(&test).unwrap();
    assert_eq!(report.n, 4);
    assert_eq!(report.accuracy, 0.75);
    assert_eq!(report.labels, ["sport", "tech", "weather"]);
    assert_eq!(report.confusion, [[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 2, 0]]);
    let sport = &report.classes[0];
    assert_eq!((sport.precision, sport.recall, sport.support), (1.0, 0.5, 2));
    assert!((sport.f1 - 2.0 / 3.0).abs() < 1e-12);
    let tech = &report.classes[1];
    assert_eq!((tech.precision, tech.recall, tech.f1, tech.support), (0.0, 0.0, 0.0, 0));
    // Macro-F1 averages the labels that occur as gold or prediction (as scikit-learn does).
    assert!((report.macro_f1 - (2.0 / 3.0 + 0.0 + 1.0) / 3.0).abs() < 1e-12);
    assert!((report.weighted_f1 - (2.0 * 2.0 / 3.0 + 2.0 * 1.0) / 4.0).abs() < 1e-12);
    assert_eq!(report.errors.len(), 1);
    let error = &report.errors[0];
    assert_eq!((error.gold.as_str(), error.predicted.as_deref()), ("sport", Some("tech")));
    assert!((0.0..=1.0).contains(&report.ece));
}

#[test]
fn cross_validation_reports_every_fold_and_the_pooled_predictions() {
    let cv = cross_validate(&toy(), 4, &TrainConfig::default()).unwrap();
    assert_eq!(cv.folds.len(), 4);
    assert_eq!(cv.folds.iter().map(|f| f.n).sum::<usize>(), 24);
    assert!(cv.folds.iter().all(|f| f.n == 6));
    assert_eq!(cv.pooled.n, 24);
    assert!(cv.pooled.accuracy >= 0.8, "{}", cv.pooled.accuracy);
    let mean = cv.folds.iter().map(|f| f.accuracy).sum::<f64>() / 4.0;
    assert!((cv.accuracy_mean - mean).abs() < 1e-12);
    assert!(cv.accuracy_std >= 0.0);
}
