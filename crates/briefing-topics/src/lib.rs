//! A fast supervised text classifier: train on labelled texts, evaluate, and predict labels
//! with calibrated probabilities.
//!
//! Texts become sparse TF-IDF vectors of hashed features over `briefing-tokenize` words: word
//! unigrams and bigrams, the leading and trailing words, the head word of a question, and
//! fastText-style character n-grams ([`FeatureConfig`]). A linear model scores each label — by default one-vs-rest linear SVMs
//! fitted exactly by dual coordinate descent ([`ModelKind`]) — and a softmax with a temperature
//! fitted on held-out folds turns scores into calibrated probabilities.
//!
//! - [`Classifier::train`] with a [`TrainConfig`]; the same seed gives the same model, byte
//!   for byte, whatever the number of threads.
//! - [`Classifier::predict`], [`Classifier::predict_top_k`], [`Classifier::predict_batch`]
//!   return a [`Prediction`]; [`Classifier::with_rejection`] turns low-confidence answers into
//!   [`Label::Unknown`].
//! - [`Classifier::evaluate`] gives a [`Report`] (accuracy, macro-F1, per-class P/R/F1,
//!   confusion matrix, worst errors, calibration error); [`cross_validate`] a [`CvReport`].
//! - [`Classifier::save`] / [`Classifier::load`] (a versioned JSON format) and
//!   [`read_jsonl`] for `{"text", "label"}` lines.
//!
//! ```
//! use briefing_topics::{Classifier, Example, TrainConfig};
//!
//! let examples = [
//!     Example::new("How far is the Moon from the Earth?", "NUM"),
//!     Example::new("How many members does the SCO have?", "NUM"),
//!     Example::new("Who chairs the council this year?", "HUM"),
//!     Example::new("Who signed the charter in 2002?", "HUM"),
//! ];
//! let classifier = Classifier::train(&examples, &TrainConfig::default())?;
//! assert_eq!(classifier.predict("Who hosted the summit?").label.as_str(), Some("HUM"));
//! assert_eq!(classifier.predict("How many observers are there?").label.as_str(), Some("NUM"));
//! # Ok::<(), briefing_topics::Error>(())
//! ```
#![deny(missing_docs)]

mod calibrate;
mod classifier;
mod codec;
mod config;
mod error;
mod eval;
mod example;
mod features;
mod linear;
mod persist;
mod rng;
mod scorer;
#[cfg(test)]
mod testdata;
#[cfg(test)]
mod tests;

pub use classifier::{Classifier, Label, Prediction};
pub use config::{ClassWeight, ModelKind, TrainConfig};
pub use error::{Error, Result};
pub use eval::{ClassMetrics, CvReport, Misclassified, Report, cross_validate};
pub use example::{Example, parse_jsonl, read_jsonl};
pub use features::FeatureConfig;
pub use persist::FORMAT_VERSION;
