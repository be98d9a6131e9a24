//! Every tunable number and switch of ranking, answer extraction and abstention.

use crate::abstain::AbstainModel;
use serde::{Deserialize, Serialize};

/// All parameters of an [`Index`](crate::Index), supplied by the caller.
///
/// Every part of the ranking can be switched off through [`Features`], so the
/// gain of each part can be measured. The defaults are sensible for English
/// interview transcripts; the abstention model should be fitted for a corpus
/// (see [`AbstainModel::fit`]).
///
/// ```
/// use briefing_retrieval::Config;
/// let mut config = Config::default();
/// config.features.synonyms = false;
/// let json = serde_json::to_string(&config).unwrap();
/// let back: Config = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, config);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Which parts of the ranking are on.
    pub features: Features,
    /// BM25 saturation and length normalization.
    pub bm25: Bm25,
    /// Per-field weights of the BM25F combination.
    pub fields: FieldWeights,
    /// Weight of a synonym or abbreviation match relative to an exact match.
    pub synonym_weight: f32,
    /// Typo tolerance for query words unknown to the index.
    pub typo: TypoConfig,
    /// Answer-type awareness (how many, when, who, where).
    pub answer_type: AnswerTypeConfig,
    /// Bonus for query words found close together in a paragraph.
    pub proximity: ProximityConfig,
    /// Bonus for paragraphs whose topic label matches the query's topic hint.
    pub topic_boost: f32,
    /// Weight of words naming the speaker or their role (metadata words):
    /// such words address the speaker and rarely carry the question.
    pub speaker_word_weight: f32,
    /// Related word forms the stemmer leaves apart (`prioriti`/`priorit`):
    /// keys that extend or shorten a query key by a few characters.
    pub variants: VariantConfig,
    /// Bonus factor for a paragraph whose bank question is close to the query.
    pub bank_similarity_boost: f32,
    /// How many first-pass candidates get the proximity, answer-type, topic
    /// and bank rescoring.
    pub rerank_depth: usize,
    /// Answer extraction.
    pub answer: AnswerConfig,
    /// The abstention model.
    pub abstain: AbstainModel,
    /// Query words treated as stopwords on top of the analyzer's list:
    /// conversational filler that does not carry the question.
    pub query_stopwords: Vec<String>,
    /// At most this many words of a query are analysed; the rest is ignored.
    pub max_query_words: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            features: Features::default(),
            bm25: Bm25::default(),
            fields: FieldWeights::default(),
            synonym_weight: 0.7,
            typo: TypoConfig::default(),
            variants: VariantConfig::default(),
            answer_type: AnswerTypeConfig::default(),
            proximity: ProximityConfig::default(),
            topic_boost: 0.15,
            speaker_word_weight: 0.3,
            bank_similarity_boost: 0.5,
            rerank_depth: 50,
            answer: AnswerConfig::default(),
            abstain: AbstainModel::default(),
            query_stopwords: DEFAULT_QUERY_STOPWORDS.iter().map(|w| (*w).to_owned()).collect(),
            max_query_words: 64,
        }
    }
}

impl Config {
    /// The configuration of plain BM25: stemming and stopwords, the paragraph
    /// text only, and every other part switched off.
    ///
    /// ```
    /// let plain = briefing_retrieval::Config::plain_bm25();
    /// assert!(!plain.features.synonyms && plain.features.stemming);
    /// ```
    #[must_use]
    pub fn plain_bm25() -> Config {
        Config { features: Features::none(), ..Config::default() }
    }
}

/// Switches for each part of the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Features {
    /// Snowball stemming of words.
    pub stemming: bool,
    /// Skip stopwords (and the configured query stopwords).
    pub stopwords: bool,
    /// Synonym, abbreviation and spelling-variant expansion.
    pub synonyms: bool,
    /// Correct query words unknown to the index to close known words.
    pub typos: bool,
    /// Prefer paragraphs holding the kind of answer asked for.
    pub answer_type: bool,
    /// Bonus for query words close together.
    pub proximity: bool,
    /// Index the interviewer's question as context of its answer paragraphs.
    pub context: bool,
    /// Index bank questions (extra questions a paragraph answers).
    pub bank: bool,
    /// Match prefix variants of query keys.
    pub variants: bool,
    /// Use the query's topic hint.
    pub topic: bool,
    /// Lower the weight of words naming the speaker or their role.
    pub speaker_words: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            stemming: true,
            stopwords: true,
            synonyms: true,
            typos: true,
            answer_type: true,
            proximity: true,
            context: true,
            bank: true,
            variants: true,
            topic: true,
            speaker_words: true,
        }
    }
}

impl Features {
    /// Plain BM25: stemming and stopwords on, everything else off.
    #[must_use]
    pub fn none() -> Features {
        Features {
            stemming: true,
            stopwords: true,
            synonyms: false,
            typos: false,
            answer_type: false,
            proximity: false,
            context: false,
            bank: false,
            variants: false,
            topic: false,
            speaker_words: false,
        }
    }
}

/// BM25 parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bm25 {
    /// Term-frequency saturation.
    pub k1: f32,
    /// Length normalization of the paragraph text.
    pub b_body: f32,
    /// Length normalization of the interviewer's question.
    pub b_context: f32,
    /// Length normalization of the bank questions.
    pub b_bank: f32,
}

impl Default for Bm25 {
    fn default() -> Bm25 {
        Bm25 { k1: 1.2, b_body: 0.75, b_context: 0.3, b_bank: 0.3 }
    }
}

/// BM25F field weights.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldWeights {
    /// The paragraph text.
    pub body: f32,
    /// The interviewer's question of the paragraph's turn.
    pub context: f32,
    /// The bank questions of the paragraph.
    pub bank: f32,
}

impl Default for FieldWeights {
    fn default() -> FieldWeights {
        FieldWeights { body: 1.0, context: 0.35, bank: 1.0 }
    }
}

/// Typo tolerance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypoConfig {
    /// Words shorter than this (in characters) are never corrected.
    pub min_len: usize,
    /// Words at least this long may be corrected at edit distance 2 (shorter
    /// ones at distance 1).
    pub min_len_distance_2: usize,
    /// Weight of a corrected word relative to an exact match.
    pub weight: f32,
}

impl Default for TypoConfig {
    fn default() -> TypoConfig {
        TypoConfig { min_len: 4, min_len_distance_2: 8, weight: 0.8 }
    }
}

/// Prefix variants of query keys.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariantConfig {
    /// Both keys must be at least this long.
    pub min_len: usize,
    /// At most this many extra characters.
    pub max_extra: usize,
    /// Weight of a variant match relative to an exact match.
    pub weight: f32,
}

impl Default for VariantConfig {
    fn default() -> VariantConfig {
        VariantConfig { min_len: 5, max_extra: 2, weight: 0.7 }
    }
}

/// Answer-type awareness.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerTypeConfig {
    /// Score factor `1 + bonus * evidence` for a paragraph with evidence of
    /// the asked type (evidence is 1 when strong, 0.5 when weak).
    pub bonus: f32,
    /// Weight of answer-type evidence when choosing sentences, relative to
    /// the idf of a matched query word.
    pub sentence_bonus: f32,
}

impl Default for AnswerTypeConfig {
    fn default() -> AnswerTypeConfig {
        AnswerTypeConfig { bonus: 0.3, sentence_bonus: 1.5 }
    }
}

/// Proximity bonus.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProximityConfig {
    /// Bonus per pair of consecutive query words found close together, times
    /// the smaller of their idfs.
    pub weight: f32,
    /// Largest distance, in words, that counts as close.
    pub window: usize,
}

impl Default for ProximityConfig {
    fn default() -> ProximityConfig {
        ProximityConfig { weight: 0.3, window: 3 }
    }
}

/// Answer extraction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerConfig {
    /// Longest answer, in characters.
    pub max_chars: usize,
    /// Most consecutive sentences in an answer.
    pub max_sentences: usize,
    /// Cost of each sentence beyond the first, relative to the mean idf of
    /// the query words: a sentence must add that much to be included.
    pub extra_sentence_cost: f32,
    /// When choosing sentences, query words that also match the
    /// interviewer's question count this much (they name the topic of the
    /// whole turn rather than the fact asked for).
    pub context_word_weight: f32,
    /// An answer shorter than this (in characters) takes in the next
    /// sentence, as does one followed by a sentence opening with a pronoun
    /// that refers back (`It`, `This`, `Its`, ...).
    pub min_chars: usize,
    /// Bonus, relative to the mean idf of the query words, for answers that
    /// start with the passage's first sentence, which usually states the
    /// point of an answer.
    pub lead_bonus: f32,
    /// The best answers of this many top-ranked passages are weighed, and
    /// the most confident one is given (1: always the top-ranked passage).
    pub candidates: usize,
}

impl Default for AnswerConfig {
    fn default() -> AnswerConfig {
        AnswerConfig {
            max_chars: 600,
            max_sentences: 3,
            extra_sentence_cost: 0.25,
            context_word_weight: 0.5,
            min_chars: 120,
            lead_bonus: 0.25,
            candidates: 3,
        }
    }
}

/// Conversational filler words that never carry a question's content.
pub const DEFAULT_QUERY_STOPWORDS: &[&str] = &[
    "tell",
    "please",
    "pls",
    "plz",
    "know",
    "explain",
    "describe",
    "say",
    "said",
    "says",
    "saying",
    "mention",
    "mentioned",
    "mentions",
    "talk",
    "talked",
    "speak",
    "spoke",
    "think",
    "thoughts",
    "opinion",
    "view",
    "views",
    "rn",
    "currently",
    "now",
    "right",
    "u",
    "ur",
    "ya",
    "hey",
    "hi",
    "hello",
    "thanks",
    "thank",
    "exactly",
    "actually",
    "also",
    "anything",
    "something",
    "thing",
    "things",
    "get",
    "got",
    "will",
    "can",
    "may",
    "might",
    "must",
    "shall",
    "could",
    "would",
    "much",
    "many",
    "number",
    "amount",
    "kind",
    "sort",
    "lot",
    "lots",
    "really",
    "like",
    "just",
    "well",
    "ok",
    "okay",
    "yes",
    "yeah",
    "anyone",
    "somebody",
    "someone",
    "does",
    "done",
    "doing",
    "did",
    "went",
    "go",
    "going",
    "gonna",
    "wanna",
    "happen",
    "happened",
    "happening",
    "info",
    "information",
    "details",
    "detail",
    "regarding",
    "concerning",
    "re",
    "wrt",
    "about",
    "stuff",
    "kinda",
    "sorta",
    "gotta",
    "lol",
    "btw",
    "guys",
    "basically",
    "literally",
    "pretty",
    "whats",
    "hows",
    "wats",
    "wat",
    "um",
    "uh",
    "yo",
    "dude",
    "bro",
    "honestly",
    "seriously",
    "even",
    "anyway",
    "anyways",
    "wondering",
    "wonder",
    "curious",
];
