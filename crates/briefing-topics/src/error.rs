//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while reading data, training, evaluating or loading a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed. (The message includes the reason, so the reason is
    /// not also a `source()`.)
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// An error in a file, with the file's path (printed as `path: reason`).
    #[error("{}: {error}", path.display())]
    WithPath {
        /// The file.
        path: PathBuf,
        /// What went wrong inside it.
        error: Box<Error>,
    },
    /// One line of JSONL input is not a usable example.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// There were no examples where some were needed.
    #[error("no examples: {0}")]
    Empty(String),
    /// Training needs at least two distinct labels.
    #[error("training data has only one label ({0:?}); a classifier needs at least two")]
    OneLabel(String),
    /// An evaluation example has a label the model was not trained on.
    #[error("{location}: label {label:?} is not one of the model's labels ({known})")]
    UnknownLabel {
        /// `line N` when the example came from a file, else `example N` (1-based).
        location: String,
        /// The unknown label.
        label: String,
        /// The model's labels, comma-separated.
        known: String,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A saved model has a format version this build cannot read.
    #[error(
        "unsupported model format {found} (this build reads format {expected}); retrain the model"
    )]
    Format {
        /// The version found in the file.
        found: u64,
        /// The version this build reads and writes.
        expected: u64,
    },
    /// A saved model is not valid.
    #[error("invalid model file: {0}")]
    Model(String),
    /// The text analyzer could not be built.
    #[error("tokenizer: {0}")]
    Tokenize(#[from] briefing_tokenize::Error),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps `self` with the path of the file it happened in.
    pub(crate) fn with_path(self, path: &std::path::Path) -> Error {
        match self {
            Error::Io { .. } | Error::WithPath { .. } => self,
            other => Error::WithPath { path: path.to_path_buf(), error: Box::new(other) },
        }
    }
}
