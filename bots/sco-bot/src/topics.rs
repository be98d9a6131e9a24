//! The SCO topic model: a `briefing-topics` classifier behind the
//! assistant's [`TopicModel`] seam.
//!
//! The embedded corpus ships the model as `corpora/sco/topics.model`, trained
//! from `corpora/sco/topics.jsonl` (default settings; see `corpora/sco/README.md` for why):
//!
//! ```sh
//! cargo run --release -p briefing-cli -- topics train \
//!     --data corpora/sco/topics.jsonl --out corpora/sco/topics.model
//! ```
//!
//! A test retrains it and checks that the shipped file is byte for byte what
//! that command writes (with the settings stored in the file), so it cannot silently go stale. A `--corpus`
//! directory may ship its own `topics.model`; without one, the model is
//! trained from its `topics.jsonl` when the corpus is loaded.

use crate::assistant::{TopicGuess, TopicModel};
use briefing_topics::{Classifier, Example, TrainConfig};

/// The label of messages that are not about the corpus's subject.
pub const OFF_TOPIC: &str = "off-topic";

/// A trained topic classifier.
#[derive(Debug)]
pub struct Topics {
    classifier: Classifier,
    off_topic: Option<usize>,
}

impl Topics {
    /// Wraps a trained classifier.
    pub fn new(classifier: Classifier) -> Topics {
        let off_topic = classifier.labels().iter().position(|label| label == OFF_TOPIC);
        Topics { classifier, off_topic }
    }

    /// Reads a model written by `briefing topics train`.
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Topics> {
        Ok(Topics::new(Classifier::from_bytes(bytes)?))
    }

    /// Trains on labelled `(text, label)` examples with the default settings
    /// (what `briefing topics train` does without options).
    pub fn train(examples: &[(String, String)]) -> anyhow::Result<Topics> {
        Topics::train_with(examples, &TrainConfig::default())
    }

    /// Trains on labelled `(text, label)` examples with `config`.
    pub fn train_with(
        examples: &[(String, String)],
        config: &TrainConfig,
    ) -> anyhow::Result<Topics> {
        let examples: Vec<Example> = examples
            .iter()
            .map(|(text, label)| Example::new(text.as_str(), label.as_str()))
            .collect();
        Ok(Topics::new(Classifier::train(&examples, config)?))
    }

    /// The classifier.
    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }
}

impl TopicModel for Topics {
    fn classify(&self, text: &str) -> TopicGuess {
        let probabilities = self.classifier.probabilities(text);
        let best =
            probabilities.iter().enumerate().fold(None, |best: Option<(usize, f32)>, (i, &p)| {
                match best {
                    Some((_, q)) if q >= p => best,
                    _ => Some((i, p)),
                }
            });
        let (label, probability) = best
            .and_then(|(i, p)| Some((self.classifier.labels().get(i)?.clone(), p)))
            .unwrap_or_else(|| (OFF_TOPIC.to_owned(), 1.0));
        let off_topic =
            self.off_topic.and_then(|i| probabilities.get(i).copied()).unwrap_or_default();
        TopicGuess { label, probability, off_topic }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::corpus::{Corpus, TOPIC_MODEL};

    #[test]
    fn the_shipped_model_is_what_training_on_topics_jsonl_writes() {
        let corpus = Corpus::embedded().unwrap();
        let shipped = Topics::from_bytes(TOPIC_MODEL).unwrap();
        let trained = Topics::train_with(&corpus.topics, shipped.classifier().config()).unwrap();
        assert!(
            trained.classifier().to_bytes() == TOPIC_MODEL,
            "corpora/sco/topics.model is stale: rebuild it with the command in bots/sco-bot/src/topics.rs"
        );
    }

    #[test]
    fn questions_get_their_topic_and_chit_chat_is_off_topic() {
        let corpus = Corpus::embedded().unwrap();
        let topics = corpus.topic_model.as_ref().unwrap();
        let guess = topics.classify("how many terrorist training camps were destroyed");
        assert_eq!(guess.label, "security");
        assert!(guess.off_topic < 0.5);
        let chit_chat = topics.classify("what's the weather like in Paris today?");
        assert_eq!(chit_chat.label, OFF_TOPIC);
        assert!(chit_chat.off_topic > 0.5);
    }

    #[test]
    fn a_model_is_trained_when_a_corpus_directory_has_none() {
        let examples: Vec<(String, String)> = [
            ("rockets and launches", "space"),
            ("orbit of the moon", "space"),
            ("goals and penalties", "football"),
            ("the league table", "football"),
            ("hello there", OFF_TOPIC),
            ("nice weather today", OFF_TOPIC),
        ]
        .iter()
        .map(|(t, l)| ((*t).to_owned(), (*l).to_owned()))
        .collect();
        let topics = Topics::train(&examples).unwrap();
        assert_eq!(topics.classify("a launch into orbit").label, "space");
        assert!(topics.classify("hello, nice weather").off_topic > 0.3);
    }
}
