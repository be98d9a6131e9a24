//! Question answering over transcripts: find the sentences that answer a
//! question asked in the user's own words, with their source, or say
//! plainly that the text does not answer it.
//!
//! The pipeline has three separate stages:
//!
//! 1. **Ranking** ([`Index::search`]): BM25F over each passage's text, the
//!    interviewer's question it answers (context) and bank questions (extra
//!    questions it answers), with synonyms ([`Synonyms`]), typo tolerance,
//!    a proximity bonus, answer-type awareness ([`AnswerType`]) and an
//!    optional topic hint. Every part can be switched off in [`Features`].
//! 2. **Answer extraction** ([`Index::answer`]): the 1-3 consecutive
//!    sentences of the best passage that best cover the question.
//! 3. **Abstention**: [`Signals`] (coverage, unknown words, score, margin,
//!    answer type, bank similarity, off-topic probability) go through a
//!    logistic [`AbstainModel`], fitted with [`AbstainModel::fit`].
//!
//! All parameters live in a caller-supplied [`Config`]; the index saves and
//! loads in a compact versioned binary format ([`Index::to_bytes`],
//! [`Index::from_bytes`]) that loads without analysing anything again, or as
//! JSON ([`Index::save`], [`Index::load`]).
//!
//! ```
//! use briefing_retrieval::{Config, IndexBuilder, Passage, Query, Source, Synonyms};
//! let mut builder = IndexBuilder::new(Config::default());
//! builder
//!     .synonyms(Synonyms::parse("seized | confiscated").unwrap())
//!     .document(Source::default(), vec![
//!         Passage::new("p0", "In 2013-2017, the authorities confiscated 1,000 devices and 50 tons of explosives. Trade grew."),
//!         Passage::new("p1", "The summit will take place in June."),
//!     ]);
//! let index = builder.build().unwrap();
//! let answer = index.answer(&Query::new("How many tons of explosives were seized?"));
//! assert!(answer.answered);
//! assert!(answer.text.starts_with("In 2013-2017, the authorities confiscated 1,000 devices and 50 tons of explosives."));
//! ```
#![deny(missing_docs)]

mod abstain;
mod answer;
mod answer_type;
mod bank;
mod binary;
pub mod bm25;
mod config;
mod corpus;
mod error;
mod index;
mod lexicon;
mod query;
mod rank;
mod synonyms;
mod typo;

#[cfg(test)]
mod testdata;
#[cfg(test)]
mod tests;

pub use abstain::{AbstainModel, FitOptions, N_SIGNALS, Signals, SweepPoint, sweep};
pub use answer::{Abstention, Answer};
pub use answer_type::{AnswerType, Detected};
pub use binary::{BINARY_MAGIC, BINARY_VERSION};
pub use config::{
    AnswerConfig, AnswerTypeConfig, Bm25, Config, DEFAULT_QUERY_STOPWORDS, Features, FieldWeights,
    ProximityConfig, TypoConfig, VariantConfig,
};
pub use corpus::passages_of;
pub use error::{Error, Result};
pub use index::{FORMAT, Index, IndexBuilder, Passage, Source};
pub use lexicon::Lexicon;
pub use query::{MatchKind, Query, TopicHint};
pub use rank::{Explanation, Hit, WordScore};
pub use synonyms::{Rule, Synonyms};
