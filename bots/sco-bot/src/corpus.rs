//! The corpus the assistant answers from: the embedded SCO data, or a
//! directory given with `--corpus`.

use crate::topics::Topics;
use anyhow::Context as _;
use briefing_corpus::{Document, Metadata, ParseOptions};
use briefing_retrieval::{Config, Lexicon, Synonyms};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// The embedded SCO transcript and its metadata.
const TRANSCRIPT_ID: &str = "norov-press-conference-2019-04-22";
const TRANSCRIPT: &str = include_str!("../../../corpora/sco/norov-press-conference-2019-04-22.txt");
const META: &str = include_str!("../../../corpora/sco/norov-press-conference-2019-04-22.meta.json");
/// Per answer paragraph, questions it answers (hand-written FAQ examples).
const BANK: &str = include_str!("../../../corpora/sco/question-bank.jsonl");
const SYNONYMS: &str = include_str!("../../../corpora/sco/synonyms.txt");
/// Rules derived from WordNet for the transcript's words (`data/make-wordnet-synonyms.py`).
const WORDNET_SYNONYMS: &str = include_str!("../../../corpora/sco/wordnet-synonyms.txt");
/// Weight of the WordNet-derived rules relative to hand-written ones.
pub const DERIVED_SYNONYM_WEIGHT: f32 = 0.6;
/// The retrieval configuration with the fitted abstention model (`sco-bot calibrate`).
const CONFIG: &str = include_str!("../../../corpora/sco/retrieval.json");
/// Labelled topic examples, off-topic messages included.
const TOPICS: &str = include_str!("../../../corpora/sco/topics.jsonl");
/// The topic model trained from `TOPICS` (see [`crate::topics`] for the command).
pub const TOPIC_MODEL: &[u8] = include_bytes!("../../../corpora/sco/topics.model");
/// The dev question set, the default of `sco-bot eval`.
pub const DEV_QUESTIONS: &str = include_str!("../../../corpora/sco/dev-questions.jsonl");
/// Training data for the abstention model (not the dev set).
pub const ABSTAIN_TRAIN: &str = include_str!("../../../corpora/sco/abstain-train.jsonl");

/// English words of five letters or more (SCOWL, see `data/README.md`):
/// real words that must not be "corrected" as typos.
const ENGLISH_WORDS: &str = include_str!("../data/english-words.txt");

/// File names looked up in a `--corpus` directory.
const BANK_FILE: &str = "question-bank.jsonl";
const SYNONYMS_FILE: &str = "synonyms.txt";
const WORDNET_FILE: &str = "wordnet-synonyms.txt";
const CONFIG_FILE: &str = "retrieval.json";
const TOPICS_FILE: &str = "topics.jsonl";
const TOPIC_MODEL_FILE: &str = "topics.model";
const ABSTAIN_FILE: &str = "abstain-train.jsonl";

/// Everything the assistant is built from.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The transcripts.
    pub documents: Vec<Document>,
    /// Bank questions: document id, paragraph id, questions.
    pub bank: Vec<BankEntry>,
    /// Synonym rules.
    pub synonyms: Synonyms,
    /// Retrieval configuration.
    pub config: Config,
    /// Labelled topic examples: text, label.
    pub topics: Vec<(String, String)>,
    /// Topic labels of transcript paragraphs (the `topics.jsonl` lines whose
    /// `source` is a paragraph id): paragraph id, label.
    pub paragraph_topics: Vec<(String, String)>,
    /// The topic classifier (shipped, or trained from `topics` when a
    /// corpus directory has no `topics.model`); `None` without topic data.
    pub topic_model: Option<Arc<Topics>>,
    /// Abstention training lines (JSONL text).
    pub abstain_train: String,
    /// Real English words (never typo-corrected).
    pub lexicon: Lexicon,
}

/// Questions one paragraph answers.
#[derive(Clone, Debug, Deserialize)]
pub struct BankEntry {
    /// The document; the first document when absent.
    #[serde(default)]
    pub doc: Option<String>,
    /// The paragraph id.
    pub paragraph: String,
    /// The questions.
    pub questions: Vec<String>,
}

#[derive(Deserialize)]
struct TopicLine {
    text: String,
    label: String,
    #[serde(default)]
    source: Option<String>,
}

type TopicExamples = (Vec<(String, String)>, Vec<(String, String)>);

impl Corpus {
    /// The SCO corpus embedded in the binary.
    pub fn embedded() -> anyhow::Result<Corpus> {
        let meta: Metadata = serde_json::from_str(META).context("embedded metadata")?;
        let options = ParseOptions::default().with_id(TRANSCRIPT_ID).with_metadata(meta);
        let document =
            Document::parse(TRANSCRIPT_ID, TRANSCRIPT, &options).context("embedded transcript")?;
        let (topics, paragraph_topics) = parse_topics(TOPICS).context("embedded topics")?;
        let topic_model = Topics::from_bytes(TOPIC_MODEL).context("embedded topic model")?;
        Ok(Corpus {
            topics,
            paragraph_topics,
            topic_model: Some(Arc::new(topic_model)),
            documents: vec![document],
            bank: parse_bank(BANK).context("embedded question bank")?,
            synonyms: synonyms(SYNONYMS, Some(WORDNET_SYNONYMS))?,
            config: serde_json::from_str(CONFIG).context("embedded retrieval config")?,
            abstain_train: ABSTAIN_TRAIN.to_owned(),
            lexicon: english_words()?,
        })
    }

    /// A corpus directory: every `*.txt` transcript (with its
    /// `NAME.meta.json`), and optionally `question-bank.jsonl`,
    /// `synonyms.txt`, `retrieval.json`, `topics.jsonl` and
    /// `abstain-train.jsonl`. Missing optional files fall back to nothing
    /// (the configuration to the embedded one).
    pub fn from_dir(dir: &Path) -> anyhow::Result<Corpus> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("{}: cannot read corpus directory", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "txt")
                    && p.file_name().is_some_and(|n| n != SYNONYMS_FILE && n != WORDNET_FILE)
            })
            .collect();
        paths.sort();
        let mut documents = Vec::new();
        for path in &paths {
            let loaded = briefing_corpus::load(path, &ParseOptions::default())?;
            documents.extend(loaded.documents);
        }
        anyhow::ensure!(!documents.is_empty(), "{}: no transcript (*.txt) found", dir.display());
        let read = |name: &str| -> anyhow::Result<Option<String>> {
            let path = dir.join(name);
            if path.exists() {
                Ok(Some(
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("{}", path.display()))?,
                ))
            } else {
                Ok(None)
            }
        };
        let config = match read(CONFIG_FILE)? {
            Some(text) => serde_json::from_str(&text)
                .with_context(|| format!("{}/{CONFIG_FILE}", dir.display()))?,
            None => serde_json::from_str(CONFIG).context("embedded retrieval config")?,
        };
        let (topics, paragraph_topics) =
            read(TOPICS_FILE)?.map(|t| parse_topics(&t)).transpose()?.unwrap_or_default();
        let topic_model = topic_model(dir, &topics)?;
        Ok(Corpus {
            documents,
            bank: read(BANK_FILE)?.map(|t| parse_bank(&t)).transpose()?.unwrap_or_default(),
            synonyms: synonyms(
                &read(SYNONYMS_FILE)?.unwrap_or_default(),
                read(WORDNET_FILE)?.as_deref(),
            )?,
            config,
            topics,
            paragraph_topics,
            topic_model,
            abstain_train: read(ABSTAIN_FILE)?.unwrap_or_default(),
            lexicon: english_words()?,
        })
    }

    /// The embedded corpus, or `dir` when given.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Corpus> {
        match dir {
            Some(dir) => Corpus::from_dir(dir),
            None => Corpus::embedded(),
        }
    }
}

/// The directory's `topics.model`, else a model trained on its topic
/// examples, else none (fewer than two labels: nothing to tell apart).
fn topic_model(dir: &Path, examples: &[(String, String)]) -> anyhow::Result<Option<Arc<Topics>>> {
    let path = dir.join(TOPIC_MODEL_FILE);
    if path.exists() {
        let bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
        let model = Topics::from_bytes(&bytes).with_context(|| format!("{}", path.display()))?;
        return Ok(Some(Arc::new(model)));
    }
    let mut labels: Vec<&str> = examples.iter().map(|(_, label)| label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.len() < 2 {
        return Ok(None);
    }
    let model =
        Topics::train(examples).with_context(|| format!("{}/{TOPICS_FILE}", dir.display()))?;
    Ok(Some(Arc::new(model)))
}

/// Hand-written rules plus, at a lower weight, derived ones.
fn synonyms(hand: &str, derived: Option<&str>) -> anyhow::Result<Synonyms> {
    let mut rules = Synonyms::parse(hand).context("synonyms.txt")?;
    if let Some(derived) = derived {
        rules.extend(
            Synonyms::parse(derived)
                .context("wordnet-synonyms.txt")?
                .with_weight(DERIVED_SYNONYM_WEIGHT),
        );
    }
    Ok(rules)
}

/// The embedded English words (sorted: a test checks).
fn english_words() -> anyhow::Result<Lexicon> {
    Ok(Lexicon::from_sorted(ENGLISH_WORDS))
}

fn parse_bank(text: &str) -> anyhow::Result<Vec<BankEntry>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("question bank line {}", i + 1))
        })
        .collect()
}

fn parse_topics(text: &str) -> anyhow::Result<TopicExamples> {
    let mut examples = Vec::new();
    let mut paragraphs = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line: TopicLine =
            serde_json::from_str(line).with_context(|| format!("topics line {}", i + 1))?;
        let is_paragraph = |s: &String| {
            s.strip_prefix('p')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        };
        if let Some(source) = line.source.filter(is_paragraph) {
            paragraphs.push((source, line.label.clone()));
        }
        examples.push((line.text, line.label));
    }
    Ok((examples, paragraphs))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn embedded_data_loads_and_the_word_list_is_sorted() {
        let corpus = Corpus::embedded().unwrap();
        assert!(corpus.lexicon.is_sorted());
        assert!(corpus.lexicon.contains("budget") && !corpus.lexicon.contains("terorist"));
        assert_eq!(corpus.documents.len(), 1);
        assert!(corpus.bank.len() >= 20);
        assert!(!corpus.synonyms.is_empty());
        assert!(corpus.topics.iter().any(|(_, label)| label == "off-topic"));
    }
}
