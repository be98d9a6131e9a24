//! `briefing topics train|eval|predict|cv`: the `briefing-topics` classifier on JSONL files.

use crate::messages;
use anyhow::Context as _;
use briefing_topics::{
    ClassWeight, Classifier, CvReport, Example, Label, ModelKind, Report, TrainConfig,
    cross_validate, read_jsonl,
};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Train, evaluate and apply text classifiers.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a classifier on `{"text", "label"}` JSONL lines and save it.
    Train {
        /// Training data: one `{"text": str, "label": str}` object per line.
        #[arg(long, value_name = "TRAIN.jsonl")]
        data: PathBuf,
        /// Where to write the model.
        #[arg(long, value_name = "MODEL_FILE")]
        out: PathBuf,
        #[command(flatten)]
        train: TrainArgs,
    },
    /// Evaluate a model on labelled JSONL: accuracy, macro-F1, per-class P/R/F1, confusion
    /// matrix, worst errors.
    Eval {
        /// The model.
        #[arg(long, value_name = "MODEL_FILE")]
        model: PathBuf,
        /// Test data: one `{"text": str, "label": str}` object per line.
        #[arg(long, value_name = "TEST.jsonl")]
        data: PathBuf,
        /// Also print the report as one JSON object on the last line.
        #[arg(long)]
        json: bool,
        /// How many of the most confident errors to list.
        #[arg(long, default_value_t = 10, value_name = "N")]
        errors: usize,
        /// Also measure prediction speed on one thread (docs/s), over the test texts repeated
        /// for about a second.
        #[arg(long)]
        throughput: bool,
        /// Answer `unknown` below this confidence (overrides the model's own threshold).
        #[arg(long, value_name = "P", value_parser = probability)]
        reject: Option<f32>,
        #[command(flatten)]
        threads: Threads,
    },
    /// Label texts read one per line from stdin; writes `{"text","label","confidence"}` lines.
    Predict {
        /// The model.
        #[arg(long, value_name = "MODEL_FILE")]
        model: PathBuf,
        /// Also write the K most probable labels as `"top": [[label, p], ...]`.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(1..))]
        top: Option<u16>,
        /// Write `"label": null` when the confidence is below P.
        #[arg(long, value_name = "P", value_parser = probability)]
        reject: Option<f32>,
        #[command(flatten)]
        threads: Threads,
    },
    /// Stratified k-fold cross-validation on labelled JSONL.
    Cv {
        /// Labelled data: one `{"text": str, "label": str}` object per line.
        #[arg(long, value_name = "DATA.jsonl")]
        data: PathBuf,
        /// Number of folds.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(2..), value_name = "K")]
        folds: u32,
        /// Also print the pooled report as one JSON object on the last line.
        #[arg(long)]
        json: bool,
        /// How many of the most confident errors to list.
        #[arg(long, default_value_t = 10, value_name = "N")]
        errors: usize,
        #[command(flatten)]
        train: TrainArgs,
    },
}

/// The learner.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Model {
    /// One-vs-rest linear SVMs (squared hinge).
    Svm,
    /// One-vs-rest logistic regression.
    Logistic,
    /// Complement naive Bayes.
    Cnb,
}

/// Training settings (defaults: those of `TrainConfig::default()`).
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Seed of every shuffle; the same seed gives the same model.
    #[arg(long, default_value_t = 0, value_name = "N")]
    seed: u64,
    /// The learner.
    #[arg(long, value_enum, value_name = "KIND")]
    model: Option<Model>,
    /// Inverse regularisation strength (SVM, logistic).
    #[arg(long, value_name = "C", value_parser = positive)]
    c: Option<f64>,
    /// Smoothing of complement naive Bayes.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.3, value_parser = positive)]
    alpha: f64,
    /// Weigh classes inversely to their frequency.
    #[arg(long)]
    balanced: bool,
    /// Longest word n-gram (1-3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=3))]
    word_ngrams: Option<u8>,
    /// Character n-gram lengths `MIN-MAX` (1 <= MIN <= MAX <= 8), or `none`.
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_range)]
    char_ngrams: Option<CharRange>,
    /// Weight of character n-grams relative to word features.
    #[arg(long, value_name = "W", value_parser = positive)]
    char_weight: Option<f64>,
    /// Position features for the first N words (0-4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=4))]
    leading_words: Option<u8>,
    /// Pair the first word with each of the next N words (0-16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=16))]
    first_word_pairs: Option<u8>,
    /// Position features for the last N words (0-4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=4))]
    trailing_words: Option<u8>,
    /// With stems, also a feature for each word's unstemmed form.
    #[arg(long)]
    unstemmed: bool,
    /// No head-word features (the head of the phrase after the first word).
    #[arg(long)]
    no_head_word: bool,
    /// Use English stems for word features.
    #[arg(long)]
    stem: bool,
    /// No word-shape features.
    #[arg(long)]
    no_shapes: bool,
    /// Drop features seen in fewer than N training texts.
    #[arg(long, value_name = "N")]
    min_count: Option<usize>,
    /// Folds for fitting the probability temperature (0 turns calibration off).
    #[arg(long, value_name = "K")]
    calibration_folds: Option<usize>,
    /// Stopping tolerance of the solvers.
    #[arg(long, value_name = "EPS", value_parser = positive)]
    tolerance: Option<f64>,
    /// Maximum solver passes per class.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    epochs: Option<u32>,
    #[command(flatten)]
    threads: Threads,
}

/// Parallelism.
#[derive(Debug, Args)]
pub struct Threads {
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

impl Threads {
    /// Runs `f` on a local rayon pool of the requested size.
    fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> anyhow::Result<T> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            builder = builder.num_threads(usize::from(n));
        }
        Ok(builder.build().context("cannot start worker threads")?.install(f))
    }
}

impl TrainArgs {
    fn config(&self) -> anyhow::Result<TrainConfig> {
        let mut config = TrainConfig { seed: self.seed, ..TrainConfig::default() };
        if let Some(model) = self.model {
            config.model = match model {
                Model::Svm => ModelKind::LinearSvm,
                Model::Logistic => ModelKind::Logistic,
                Model::Cnb => ModelKind::ComplementNb { alpha: self.alpha },
            };
        }
        if let Some(c) = self.c {
            config.c = c;
        }
        if self.balanced {
            config.class_weight = ClassWeight::Balanced;
        }
        let features = &mut config.features;
        if let Some(n) = self.word_ngrams {
            features.word_ngrams = usize::from(n);
        }
        if let Some(CharRange(range)) = self.char_ngrams {
            features.char_ngrams = range;
        }
        if let Some(w) = self.char_weight {
            features.char_weight = w as f32;
        }
        if let Some(n) = self.leading_words {
            features.leading_words = usize::from(n);
        }
        if let Some(n) = self.first_word_pairs {
            features.first_word_pairs = usize::from(n);
        }
        if let Some(n) = self.trailing_words {
            features.trailing_words = usize::from(n);
        }
        features.unstemmed |= self.unstemmed;
        features.head_word &= !self.no_head_word;
        features.stem |= self.stem;
        features.shapes &= !self.no_shapes;
        if let Some(n) = self.min_count {
            features.min_count = n;
        }
        if let Some(k) = self.calibration_folds {
            config.calibration_folds = k;
        }
        if let Some(eps) = self.tolerance {
            config.tolerance = eps;
        }
        if let Some(n) = self.epochs {
            config.epochs = n as usize;
        }
        Ok(config)
    }
}

/// A `--char-ngrams` value: `Some((min, max))` or `None` for `none`.
#[derive(Clone, Copy, Debug)]
struct CharRange(Option<(usize, usize)>);

fn parse_range(text: &str) -> Result<CharRange, String> {
    if text == "none" {
        return Ok(CharRange(None));
    }
    let parsed = text.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    match parsed {
        Some((min, max)) if 1 <= min && min <= max && max <= 8 => Ok(CharRange(Some((min, max)))),
        _ => Err("expected MIN-MAX with 1 <= MIN <= MAX <= 8, or none".to_owned()),
    }
}

fn probability(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err("expected a probability between 0 and 1".to_owned()),
    }
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err("expected a positive number".to_owned()),
    }
}

/// Runs one `briefing topics` subcommand.
pub fn run(command: &Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Train { data, out, train } => run_train(data, out, train),
        Command::Eval { model, data, json, errors, throughput, reject, threads } => {
            let classifier = load_model(model, *reject)?;
            let examples = read_jsonl(data)?;
            let report = threads
                .install(|| classifier.evaluate(&examples))?
                .with_context(|| data.display().to_string())?;
            let speed = throughput.then(|| measure_throughput(&classifier, &examples));
            let mut out = std::io::stdout().lock();
            write_report(&mut out, &report, *errors)?;
            if let Some(docs_per_sec) = speed {
                writeln!(out, "\nprediction speed: {docs_per_sec:.0} docs/s on one thread")?;
            }
            if *json {
                let mut value = report_json(&report, *errors);
                if let (Some(docs_per_sec), Some(object)) = (speed, value.as_object_mut()) {
                    object.insert("predict_docs_per_sec".into(), docs_per_sec.into());
                }
                writeln!(out, "{value}")?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Predict { model, top, reject, threads } => {
            let classifier = load_model(model, *reject)?;
            threads.install(|| predict_stdin(&classifier, top.map(usize::from)))??;
            Ok(ExitCode::SUCCESS)
        }
        Command::Cv { data, folds, json, errors, train } => {
            let config = train.config()?;
            let examples = read_jsonl(data)?;
            let started = Instant::now();
            let cv =
                train.threads.install(|| cross_validate(&examples, *folds as usize, &config))??;
            let seconds = started.elapsed().as_secs_f64();
            let mut out = std::io::stdout().lock();
            write_cv(&mut out, &cv, *errors)?;
            if *json {
                let mut value = report_json(&cv.pooled, *errors);
                if let Some(object) = value.as_object_mut() {
                    object.insert("folds".into(), (*folds).into());
                    object.insert("accuracy_mean".into(), cv.accuracy_mean.into());
                    object.insert("accuracy_std".into(), cv.accuracy_std.into());
                    object.insert("macro_f1_mean".into(), cv.macro_f1_mean.into());
                    object.insert("macro_f1_std".into(), cv.macro_f1_std.into());
                }
                writeln!(out, "{value}")?;
            }
            out.flush()?;
            messages::status(format!(
                "cross-validated {} examples in {seconds:.3} s",
                examples.len()
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_train(data: &Path, out: &Path, train: &TrainArgs) -> anyhow::Result<ExitCode> {
    let config = train.config()?;
    let examples = read_jsonl(data)?;
    let started = Instant::now();
    let classifier = train.threads.install(|| Classifier::train(&examples, &config))??;
    let seconds = started.elapsed().as_secs_f64();
    classifier.save(out)?;
    messages::status(format!(
        "trained on {} examples, {} labels, {} features in {seconds:.3} s (temperature {:.3}); wrote {}",
        examples.len(),
        classifier.labels().len(),
        classifier.n_features(),
        classifier.temperature(),
        out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn load_model(path: &Path, reject: Option<f32>) -> anyhow::Result<Classifier> {
    let classifier = Classifier::load(path)?;
    Ok(match reject {
        Some(threshold) => classifier.with_rejection(threshold),
        None => classifier,
    })
}

/// Single-threaded docs/s over the texts, repeated until about a second has passed.
fn measure_throughput(classifier: &Classifier, examples: &[Example]) -> f64 {
    let started = Instant::now();
    let mut n_docs = 0usize;
    let mut checksum = 0usize;
    while started.elapsed().as_secs_f64() < 1.0 {
        for example in examples {
            let prediction = classifier.predict(&example.text);
            checksum += usize::from(prediction.label == Label::Unknown);
        }
        n_docs += examples.len();
    }
    std::hint::black_box(checksum);
    n_docs as f64 / started.elapsed().as_secs_f64()
}

#[derive(Serialize)]
struct PredictRecord<'a> {
    text: &'a str,
    label: Option<&'a str>,
    confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    top: Option<Vec<(&'a str, f32)>>,
}

fn predict_stdin(classifier: &Classifier, top: Option<usize>) -> anyhow::Result<()> {
    const BATCH: usize = 8192;
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut lines = stdin.lines();
    let mut batch: Vec<String> = Vec::with_capacity(BATCH);
    let mut line = Vec::new();
    loop {
        batch.clear();
        for line in lines.by_ref().take(BATCH) {
            batch.push(line.context("cannot read stdin")?);
        }
        if batch.is_empty() {
            break;
        }
        let k = top.unwrap_or(1).max(1);
        let predictions: Vec<_> = {
            use rayon::prelude::*;
            batch.par_iter().map(|text| classifier.predict_top_k(text, k)).collect()
        };
        for (text, prediction) in batch.iter().zip(predictions) {
            let record = PredictRecord {
                text,
                label: prediction.label.as_str(),
                confidence: prediction.confidence,
                top: top.map(|_| prediction.top),
            };
            // Serialized apart so that a closed stdout surfaces as an `io::Error` (broken pipe).
            line.clear();
            serde_json::to_writer(&mut line, &record)?;
            line.push(b'\n');
            out.write_all(&line)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn fmt_label(label: &str, width: usize) -> String {
    let mut shown: String = label.chars().take(width).collect();
    if label.chars().count() > width {
        shown.pop();
        shown.push('…');
    }
    shown
}

fn write_report(out: &mut impl Write, report: &Report, n_errors: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "examples {}  accuracy {:.4}  macro-F1 {:.4}  weighted-F1 {:.4}  calibration error {:.4}{}",
        report.n,
        report.accuracy,
        report.macro_f1,
        report.weighted_f1,
        report.ece,
        if report.n_rejected > 0 {
            format!("  rejected {}", report.n_rejected)
        } else {
            String::new()
        }
    )?;
    let width = report.labels.iter().map(|l| l.chars().count()).max().unwrap_or(5).clamp(5, 24);
    writeln!(out, "\n{:>4}  {:<width$}  precision  recall  f1-score  support", "#", "label")?;
    for (idx, class) in report.classes.iter().enumerate() {
        writeln!(
            out,
            "{idx:>4}  {:<width$}  {:>9.3}  {:>6.3}  {:>8.3}  {:>7}",
            fmt_label(&class.label, width),
            class.precision,
            class.recall,
            class.f1,
            class.support
        )?;
    }
    writeln!(out, "\nconfusion matrix (rows: gold label #, columns: predicted label #)")?;
    let cell = report.confusion.iter().flatten().max().map_or(1, |m| m.to_string().len()).max(2);
    let has_rejected = report.n_rejected > 0;
    write!(out, "{:>4} ", "")?;
    for idx in 0..report.labels.len() {
        write!(out, " {idx:>cell$}")?;
    }
    writeln!(out, "{}", if has_rejected { format!(" {:>cell$}", "?") } else { String::new() })?;
    for (idx, row) in report.confusion.iter().enumerate() {
        write!(out, "{idx:>4} ")?;
        let shown = if has_rejected { row.len() } else { row.len().saturating_sub(1) };
        for count in row.iter().take(shown) {
            if *count == 0 {
                write!(out, " {:>cell$}", ".")?;
            } else {
                write!(out, " {count:>cell$}")?;
            }
        }
        writeln!(out)?;
    }
    if !report.errors.is_empty() && n_errors > 0 {
        writeln!(
            out,
            "\nmost confident errors ({} of {}):",
            n_errors.min(report.errors.len()),
            report.errors.len()
        )?;
        for error in report.errors.iter().take(n_errors) {
            let location = error.line.map(|l| format!("line {l}: ")).unwrap_or_default();
            writeln!(
                out,
                "  {:.3}  {} -> {}  {location}{:?}",
                error.confidence,
                error.gold,
                error.predicted.as_deref().unwrap_or("unknown"),
                error.text
            )?;
        }
    }
    Ok(())
}

fn write_cv(out: &mut impl Write, cv: &CvReport, n_errors: usize) -> std::io::Result<()> {
    writeln!(out, "fold  examples  accuracy  macro-F1")?;
    for (idx, fold) in cv.folds.iter().enumerate() {
        writeln!(
            out,
            "{:>4}  {:>8}  {:>8.4}  {:>8.4}",
            idx + 1,
            fold.n,
            fold.accuracy,
            fold.macro_f1
        )?;
    }
    writeln!(
        out,
        "mean  {:>8}  {:>8.4}  {:>8.4}   (std {:.4} / {:.4})\n",
        cv.pooled.n, cv.accuracy_mean, cv.macro_f1_mean, cv.accuracy_std, cv.macro_f1_std
    )?;
    writeln!(out, "out-of-fold predictions, pooled:")?;
    write_report(out, &cv.pooled, n_errors)
}

fn report_json(report: &Report, n_errors: usize) -> serde_json::Value {
    let classes: Vec<serde_json::Value> = report
        .classes
        .iter()
        .map(|c| {
            serde_json::json!({
                "label": c.label, "precision": c.precision, "recall": c.recall,
                "f1": c.f1, "support": c.support,
            })
        })
        .collect();
    let errors: Vec<serde_json::Value> = report
        .errors
        .iter()
        .take(n_errors)
        .map(|e| {
            serde_json::json!({
                "text": e.text, "gold": e.gold, "predicted": e.predicted,
                "confidence": e.confidence, "line": e.line,
            })
        })
        .collect();
    serde_json::json!({
        "n": report.n,
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "weighted_f1": report.weighted_f1,
        "ece": report.ece,
        "n_rejected": report.n_rejected,
        "labels": report.labels,
        "classes": classes,
        "confusion": report.confusion,
        "errors": errors,
    })
}
