//! `sco-bot calibrate`: fits the abstention model on data that is not the
//! dev set, and writes the retrieval configuration.
//!
//! Samples (each labelled "the top answer is right"):
//! - every bank question, asked of an index built without its fold of the
//!   bank (k-fold), right when the top paragraph is its paragraph;
//! - the answerable lines of `abstain-train.jsonl`, right when the top
//!   paragraph holds their evidence;
//! - the unanswerable lines of `abstain-train.jsonl` and the `off-topic`
//!   examples of `topics.jsonl`, never right.
//!
//! Each bank question and each written question also comes as a misspelled
//! variant and as a keywords-only variant (deterministic edits), so that
//! typos and terse queries are represented on both sides.
//!
//! The logistic model is fitted with [`AbstainModel::fit`] (deterministic),
//! and the threshold set for the best balanced accuracy on these samples.

use crate::assistant::{TopicModel, build_index};
use crate::corpus::Corpus;
use crate::eval::normalize;
use briefing_retrieval::{AbstainModel, Config, FitOptions, Index, Query, Signals, sweep};
use serde::Deserialize;
use std::fmt::Write as _;

/// Number of bank folds.
pub const FOLDS: usize = 5;

/// The share of questions the transcript answers, expected among the
/// questions people ask the bot: the prior of the abstention model. The
/// training samples hold more hard unanswerable questions than people ask
/// (they are written to be hard), so weighing the classes equally would
/// make the bot abstain too often.
pub const ANSWERABLE_SHARE: f32 = 0.6;

/// The fit options `sco-bot calibrate` uses.
pub fn fit_options() -> FitOptions {
    FitOptions { positive_share: ANSWERABLE_SHARE, ..FitOptions::default() }
}

#[derive(Deserialize)]
struct TrainLine {
    question: String,
    answerable: bool,
    #[serde(default)]
    evidence: Option<String>,
}

/// A labelled sample and where it came from.
struct Sample {
    text: String,
    signals: Signals,
    right: bool,
    kind: &'static str,
}

/// Samples for a question and its variants.
fn samples_of(
    index: &Index,
    topics: Option<&dyn TopicModel>,
    question: &str,
    right: impl Fn(usize) -> bool,
    kind: &'static str,
) -> Vec<Sample> {
    let mut texts = vec![question.to_owned(), misspell(question), keywords(question)];
    texts.dedup();
    texts
        .iter()
        .filter_map(|text| {
            let mut query = Query::new(text);
            if let Some(guess) = topics.map(|model| model.classify(text)) {
                query = query.topic(&guess.label, guess.probability).off_topic(guess.off_topic);
            }
            let answer = index.answer(&query);
            let idx = answer.passage_idx?;
            Some(Sample { text: text.clone(), signals: answer.signals, right: right(idx), kind })
        })
        .collect()
}

/// A misspelled variant: every other word of six or more letters gets one
/// edit in its middle (a deleted, swapped or doubled letter, in turn).
pub fn misspell(question: &str) -> String {
    let mut n_long = 0;
    question
        .split(' ')
        .map(|word| {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() < 6 || !chars.iter().all(|c| c.is_alphabetic()) {
                return word.to_owned();
            }
            n_long += 1;
            if n_long % 2 == 0 {
                return word.to_owned();
            }
            let mid = chars.len() / 2;
            let mut edited = chars.clone();
            match (n_long / 2) % 3 {
                0 => {
                    edited.remove(mid);
                }
                1 => edited.swap(mid - 1, mid),
                _ => edited.insert(mid, chars[mid]),
            }
            edited.into_iter().collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Question words kept in keyword variants: they say what kind of answer
/// is asked for (a date, a person, a number), and dropping them can turn a
/// question the transcript does not answer into one it does.
const QUESTION_WORDS: &[&str] =
    &["who", "whom", "whose", "when", "where", "why", "how", "many", "much", "often", "long"];

/// A keywords-only variant: lowercase, no punctuation, no stopwords except
/// the question words.
pub fn keywords(question: &str) -> String {
    question
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            QUESTION_WORDS.contains(&w.as_str())
                || !briefing_tokenize::ENGLISH_STOPWORDS.contains(&w.as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fits the abstention model; returns the new configuration and a report.
/// With a topic model, its off-topic probability is one of the signals
/// (re-run this whenever the topic model changes).
pub fn calibrate(
    corpus: &Corpus,
    options: FitOptions,
    topics: Option<&dyn TopicModel>,
) -> anyhow::Result<(Config, String)> {
    // Start from the defaults, so the written file is always defaults plus
    // the fitted abstention model.
    let config = Config::default();
    let mut samples = Vec::new();
    let first_doc = corpus.documents.first().map(|d| d.id.clone()).unwrap_or_default();
    let bank: Vec<(String, String, String)> = corpus
        .bank
        .iter()
        .flat_map(|e| {
            let doc = e.doc.clone().unwrap_or_else(|| first_doc.clone());
            e.questions.iter().map(move |q| (doc.clone(), e.paragraph.clone(), q.clone()))
        })
        .collect();
    for fold in 0..FOLDS {
        let skip = |n: usize| n % FOLDS == fold;
        let index = build_index(corpus, config.clone(), Some(&skip))?;
        for (_, (doc, paragraph, question)) in bank.iter().enumerate().filter(|(n, _)| skip(*n)) {
            let want = index.find_passage(doc, paragraph);
            samples.extend(samples_of(
                &index,
                topics,
                question,
                |idx| Some(idx) == want,
                "bank (held out)",
            ));
        }
    }
    let index = build_index(corpus, config.clone(), None)?;
    for (i, line) in corpus.abstain_train.lines().enumerate().filter(|(_, l)| !l.trim().is_empty())
    {
        let line: TrainLine = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("abstain-train line {}: {e}", i + 1))?;
        if line.answerable {
            let evidence = normalize(line.evidence.as_deref().unwrap_or_default());
            let right = |idx: usize| {
                !evidence.is_empty()
                    && index
                        .passages()
                        .get(idx)
                        .is_some_and(|p| normalize(&p.text).contains(&evidence))
            };
            samples.extend(samples_of(
                &index,
                topics,
                &line.question,
                right,
                "written, answerable",
            ));
        } else {
            samples.extend(samples_of(
                &index,
                topics,
                &line.question,
                |_| false,
                "written, unanswerable",
            ));
        }
    }
    for (text, label) in &corpus.topics {
        if label == "off-topic" {
            samples.extend(samples_of(&index, topics, text, |_| false, "off-topic examples"));
        }
    }
    let labelled: Vec<(Signals, bool)> = samples.iter().map(|s| (s.signals, s.right)).collect();
    if let Ok(path) = std::env::var("SCO_BOT_CALIBRATE_DUMP") {
        let lines: Vec<String> = samples
            .iter()
            .map(|s| {
                serde_json::json!({"kind": s.kind, "right": s.right, "text": s.text, "x": s.signals.to_array()})
                    .to_string()
            })
            .collect();
        std::fs::write(path, lines.join("\n") + "\n")?;
    }
    let model = AbstainModel::fit(&labelled, options);
    let mut report = String::new();
    writeln!(report, "abstention model fitted on {} samples (not the dev set)", samples.len())?;
    for kind in
        ["bank (held out)", "written, answerable", "written, unanswerable", "off-topic examples"]
    {
        let of_kind: Vec<&Sample> = samples.iter().filter(|s| s.kind == kind).collect();
        let n_right = of_kind.iter().filter(|s| s.right).count();
        let n_decided_right = of_kind
            .iter()
            .filter(|s| (model.confidence(&s.signals) >= model.threshold) == s.right)
            .count();
        writeln!(
            report,
            "  {kind:<24} {:>4} samples, {:>4} with a right top answer, decision right for {:>4}",
            of_kind.len(),
            n_right,
            n_decided_right
        )?;
    }
    writeln!(report, "weights:")?;
    for (name, w) in Signals::NAMES.iter().zip(model.weights.to_array()) {
        writeln!(report, "  {name:<16} {w:>8.3}")?;
    }
    writeln!(report, "  {:<16} {:>8.3}", "bias", model.bias)?;
    writeln!(report, "threshold {:.2}", model.threshold)?;
    let confidences: Vec<(f32, bool)> =
        labelled.iter().map(|(s, y)| (model.confidence(s), *y)).collect();
    writeln!(report, "training sweep: threshold  answer-right  abstain-right  accuracy")?;
    for point in sweep(&confidences) {
        writeln!(
            report,
            "  {:>9.2}  {:>12.3}  {:>13.3}  {:>8.3}",
            point.threshold, point.true_positive_rate, point.true_negative_rate, point.accuracy
        )?;
    }
    Ok((Config { abstain: model, ..config }, report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn keyword_variants_keep_the_question_words() {
        assert_eq!(
            keywords("When was the Interbank Consortium created?"),
            "when interbank consortium created"
        );
        assert_eq!(keywords("How many camps were closed?"), "how many camps closed");
        assert_eq!(misspell("How many terrorist camps"), "How many terrrist camps");
    }

    /// The shipped `retrieval.json` must be what `sco-bot calibrate --out
    /// corpora/sco/retrieval.json` writes: a change of the bank, the
    /// synonyms or the abstention training data needs a re-fit.
    #[test]
    fn shipped_configuration_is_what_calibrate_writes() {
        let corpus = Corpus::embedded().unwrap();
        let (config, _) = calibrate(&corpus, fit_options(), None).unwrap();
        let written = serde_json::to_string_pretty(&config).unwrap() + "\n";
        let shipped = include_str!("../../../corpora/sco/retrieval.json");
        assert!(
            written == shipped,
            "corpora/sco/retrieval.json is stale: run \
             `cargo run --release -p sco-bot -- calibrate --out corpora/sco/retrieval.json`"
        );
    }
}
