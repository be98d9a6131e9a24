//! The assistant: one `answer` used by the terminal chat, `ask` and `eval`.

use crate::corpus::Corpus;
use crate::smalltalk::SmallTalk;
use crate::text;
use briefing_retrieval::{Config, Index, IndexBuilder, Query, Source};
use std::sync::Arc;

/// Without a topic model, an unanswered question whose confidence is below
/// this gets the topic `off-topic`.
const OFF_TOPIC_BELOW: f32 = 0.2;

/// The longest question accepted, in characters.
pub const MAX_QUESTION_CHARS: usize = 1000;

/// A topic classifier plugged into the assistant (the seam for
/// `briefing-topics`).
pub trait TopicModel: Send + Sync + std::fmt::Debug {
    /// The most likely topic of `text`.
    fn classify(&self, text: &str) -> TopicGuess;
}

/// A topic prediction.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicGuess {
    /// The topic id (`security`, ..., `off-topic`).
    pub label: String,
    /// Its probability.
    pub probability: f32,
    /// The probability of `off-topic`.
    pub off_topic: f32,
}

/// What is wrong with a message that is not a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputProblem {
    /// Empty or whitespace only.
    Empty,
    /// Longer than [`MAX_QUESTION_CHARS`].
    TooLong,
    /// Control characters.
    Control,
    /// HTML or other markup.
    Markup,
    /// No letters or digits (emoji, punctuation).
    NoWords,
    /// Mostly letters of a script other than Latin.
    OtherLanguage,
}

impl InputProblem {
    /// Checks a message.
    pub fn check(message: &str) -> Option<InputProblem> {
        let trimmed = message.trim();
        if trimmed.is_empty() {
            return Some(InputProblem::Empty);
        }
        // A text has no more chars than bytes: most need no count.
        if trimmed.len() > MAX_QUESTION_CHARS && trimmed.chars().count() > MAX_QUESTION_CHARS {
            return Some(InputProblem::TooLong);
        }
        if trimmed.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            return Some(InputProblem::Control);
        }
        if looks_like_markup(trimmed) {
            return Some(InputProblem::Markup);
        }
        let (mut n_letters, mut latin) = (0usize, 0usize);
        for c in trimmed.chars().filter(|c| c.is_alphanumeric()) {
            n_letters += 1;
            if c.is_ascii_alphanumeric() || ('\u{c0}'..='\u{24f}').contains(&c) {
                latin += 1;
            }
        }
        if n_letters == 0 {
            return Some(InputProblem::NoWords);
        }
        if latin * 2 < n_letters {
            return Some(InputProblem::OtherLanguage);
        }
        None
    }

    /// The message shown for it.
    pub fn message(self) -> String {
        match self {
            InputProblem::Empty => text::EMPTY.to_owned(),
            InputProblem::TooLong => {
                text::TOO_LONG.replace("{max}", &MAX_QUESTION_CHARS.to_string())
            }
            InputProblem::Control => text::CONTROL_CHARACTERS.to_owned(),
            InputProblem::Markup => text::MARKUP.to_owned(),
            InputProblem::NoWords => text::NO_WORDS.to_owned(),
            InputProblem::OtherLanguage => text::OTHER_LANGUAGE.to_owned(),
        }
    }
}

/// A tag such as `<b>`, `</p>`, `<br/>` or `<!-- -->`.
fn looks_like_markup(message: &str) -> bool {
    let bytes = message.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'<'
            && bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'/' || *n == b'!')
            && bytes.get(i + 1..).is_some_and(|rest| rest.contains(&b'>'))
    })
}

/// The assistant's reply to one message.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The message as received.
    pub question: String,
    /// Whether it answers (false: it abstains or the input is not a question).
    pub answered: bool,
    /// What the user reads: the answer, or the message shown instead.
    pub text: String,
    /// The best answer text even when abstaining (for evaluation).
    pub best_guess: String,
    /// The full paragraph of the answer (empty when none).
    pub passage: String,
    /// The paragraph id (`p17`), when there is a passage.
    pub passage_id: Option<String>,
    /// The journalist's question the answer replies to.
    pub turn_question: Option<String>,
    /// The topic id.
    pub topic: String,
    /// Confidence in `[0, 1]`.
    pub confidence: f32,
    /// Where the answer comes from.
    pub source: Source,
    /// The continuation shown by `more`, in chunks.
    pub more: Vec<String>,
    /// The ranked paragraph ids.
    pub ranked: Vec<String>,
    /// The abstention signals.
    pub signals: briefing_retrieval::Signals,
    /// What is wrong with the input, if it is not a question.
    pub problem: Option<InputProblem>,
}

/// Answers questions from a corpus.
#[derive(Debug)]
pub struct Assistant {
    index: Index,
    topic_model: Option<Arc<dyn TopicModel>>,
    topic_hint: bool,
}

impl Assistant {
    /// Builds the assistant from a corpus with the corpus's configuration.
    pub fn new(corpus: &Corpus) -> anyhow::Result<Assistant> {
        Assistant::with_config(corpus, corpus.config.clone())
    }

    /// Builds the assistant with another configuration (and the corpus's
    /// topic model, if it has one).
    pub fn with_config(corpus: &Corpus, config: Config) -> anyhow::Result<Assistant> {
        let started = std::time::Instant::now();
        let index = build_index(corpus, config, None)?;
        let built = started.elapsed();
        tracing::info!(index_us = built.as_micros(), "assistant built");
        let topic_model = corpus.topic_model.clone().map(|model| -> Arc<dyn TopicModel> { model });
        Ok(Assistant { index, topic_model, topic_hint: false })
    }

    /// Plugs in a topic classifier: its topic replaces the fallback's, and
    /// its off-topic probability goes into the abstention decision.
    pub fn set_topic_model(&mut self, model: Box<dyn TopicModel>) {
        self.topic_model = Some(Arc::from(model));
    }

    /// Whether the topic model's topic and off-topic probability also go
    /// into retrieval (a ranking hint and an abstention signal). Off by
    /// default: it did not help on the dev set (`sco-bot eval --topic-hint`
    /// measures it, after `sco-bot calibrate --topic-hint`).
    pub fn set_topic_hint(&mut self, on: bool) {
        self.topic_hint = on;
    }

    /// The retrieval index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Answers one message.
    pub fn answer(&self, question: &str) -> Reply {
        let source = self.index.source(0).cloned().unwrap_or_default();
        let mut reply = Reply {
            question: question.to_owned(),
            answered: false,
            text: String::new(),
            best_guess: String::new(),
            passage: String::new(),
            passage_id: None,
            turn_question: None,
            topic: "off-topic".to_owned(),
            confidence: 0.0,
            source,
            more: Vec::new(),
            ranked: Vec::new(),
            signals: briefing_retrieval::Signals::default(),
            problem: InputProblem::check(question),
        };
        if let Some(problem) = reply.problem {
            reply.text = problem.message();
            return reply;
        }
        if let Some(small_talk) = SmallTalk::detect(question) {
            reply.text = small_talk.reply().to_owned();
            return reply;
        }
        let guess = self.topic_model.as_ref().map(|model| model.classify(question));
        let mut query = Query::new(question);
        if let Some(guess) = guess.as_ref().filter(|_| self.topic_hint) {
            query = query.topic(&guess.label, guess.probability).off_topic(guess.off_topic);
        }
        let answer = self.index.answer(&query);
        reply.topic = match guess {
            Some(guess) => guess.label,
            // The fallback until a topic model is plugged in: the label of
            // the paragraph the answer comes from (topics.jsonl labels
            // transcript paragraphs), or off-topic when nothing matches well.
            None => answer
                .passage_idx
                .filter(|_| answer.answered || answer.confidence >= OFF_TOPIC_BELOW)
                .and_then(|idx| self.index.label(idx))
                .unwrap_or("off-topic")
                .to_owned(),
        };
        reply.answered = answer.answered;
        reply.confidence = answer.confidence;
        reply.best_guess.clone_from(&answer.text);
        reply.signals = answer.signals;
        reply.ranked = answer.hits.iter().map(|h| h.passage_id.clone()).collect();
        if let Some(idx) = answer.passage_idx {
            let passage = self.index.passages().get(idx);
            reply.passage = self.index.passage_text(&answer).to_owned();
            reply.passage_id = passage.map(|p| p.id.clone());
            reply.turn_question = self.index.context(&answer).map(str::to_owned);
            if let Some(source) = self.index.answer_source(&answer) {
                reply.source = source.clone();
            }
            reply.more = self.continuation(idx, answer.sentences.end);
        }
        if answer.answered {
            reply.text = answer.text;
        } else {
            let off_topic = reply.topic == crate::topics::OFF_TOPIC;
            reply.text = self.not_known(answer.passage_idx, off_topic);
            reply.more.clear();
        }
        reply
    }

    /// A readable account of how `question` is answered: the decision,
    /// the signals and the score breakdown of the top three paragraphs.
    pub fn explain(&self, question: &str) -> String {
        let query = Query::new(question);
        let answer = self.index.answer(&query);
        let mut out = format!(
            "answered {} (confidence {:.3}, threshold {:.2}, type {:?})\nanswer: {}\n",
            answer.answered,
            answer.confidence,
            self.index.config().abstain.threshold,
            answer.answer_type,
            answer.text
        );
        let weights = self.index.config().abstain.weights.to_array();
        for ((name, value), weight) in
            briefing_retrieval::Signals::NAMES.iter().zip(answer.signals.to_array()).zip(weights)
        {
            out.push_str(&format!("  {name:<16} {value:>6.3} × {weight:>7.3}\n"));
        }
        for hit in answer.hits.iter().take(3) {
            out.push_str(&format!("{}\n", self.index.explain(&query, hit.passage_idx)));
        }
        out
    }

    /// The rest of an answer: the sentences of passage `idx` from
    /// `sentence_idx` on, then the following passages of the same turn.
    fn continuation(&self, idx: usize, sentence_idx: usize) -> Vec<String> {
        let passages = self.index.passages();
        let Some(passage) = passages.get(idx) else { return Vec::new() };
        let mut chunks = Vec::new();
        let rest = passage.sentence_text(sentence_idx..passage.sentences.len());
        if !rest.is_empty() {
            chunks.push(rest.to_owned());
        }
        if passage.turn.is_some() {
            let doc = self.index.source(idx).map(|s| s.doc_id.clone());
            for (next_idx, next) in passages.iter().enumerate().skip(idx + 1) {
                if next.turn != passage.turn
                    || self.index.source(next_idx).map(|s| s.doc_id.clone()) != doc
                {
                    break;
                }
                chunks.push(next.text.clone());
            }
        }
        chunks
    }

    /// The message when the transcript does not answer: what the bot knows
    /// and a related question it can answer (for an off-topic message, which
    /// no question is related to, example questions instead).
    fn not_known(&self, near: Option<usize>, off_topic: bool) -> String {
        let mut message = text::NOT_IN_TRANSCRIPT.to_owned();
        if off_topic {
            message.push_str(&format!("\n{}", text::OFF_TOPIC));
        }
        let related =
            near.filter(|_| !off_topic).and_then(|idx| self.index.bank_questions(idx).first());
        match related {
            Some(question) => {
                message.push_str(&format!("\n{} \"{question}\"", text::RELATED));
            }
            None => {
                message.push_str(&format!("\n{}", text::EXAMPLES));
                for example in text::EXAMPLE_QUESTIONS {
                    message.push_str(&format!("\n  - {example}"));
                }
            }
        }
        message.push_str(&format!("\n{}", text::SEE_TOPICS));
        message
    }
}

/// Builds the retrieval index of a corpus; `skip_bank` leaves out the bank
/// questions for which it returns true (for held-out calibration).
pub fn build_index(
    corpus: &Corpus,
    config: Config,
    skip_bank: Option<&dyn Fn(usize) -> bool>,
) -> anyhow::Result<Index> {
    let mut builder = IndexBuilder::new(config);
    builder.synonyms(corpus.synonyms.clone()).lexicon(corpus.lexicon.clone());
    for document in &corpus.documents {
        builder.parsed_document(document);
    }
    let first_doc = corpus.documents.first().map(|d| d.id.clone()).unwrap_or_default();
    if let Some(document) = corpus.documents.first() {
        for (paragraph, label) in &corpus.paragraph_topics {
            let indexed = document.paragraph_by_id(paragraph).is_some_and(|p| {
                matches!(
                    p.role,
                    briefing_corpus::Role::Lead
                        | briefing_corpus::Role::Answer
                        | briefing_corpus::Role::Body
                )
            });
            if indexed {
                builder.label(&first_doc, paragraph, label);
            }
        }
    }
    let mut n = 0;
    for entry in &corpus.bank {
        let doc = entry.doc.clone().unwrap_or_else(|| first_doc.clone());
        let questions: Vec<&String> = entry
            .questions
            .iter()
            .filter(|_| {
                n += 1;
                !skip_bank.is_some_and(|skip| skip(n - 1))
            })
            .collect();
        builder.bank(&doc, &entry.paragraph, &questions);
    }
    Ok(builder.build()?)
}
