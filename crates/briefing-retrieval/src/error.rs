//! The crate's error type.

/// Errors from building, saving and loading an index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A synonym rule could not be parsed.
    #[error("synonyms line {line}: {reason}")]
    Synonyms {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Bank questions or a label name a passage the index does not hold.
    #[error("unknown passage {passage:?} in document {doc:?}")]
    UnknownPassage {
        /// The document id given.
        doc: String,
        /// The passage id given.
        passage: String,
    },
    /// The analyzer could not be built.
    #[error("analyzer: {0}")]
    Analyzer(#[from] briefing_tokenize::Error),
    /// A saved index or configuration is not valid JSON of the right shape.
    #[error("saved index: {0}")]
    Json(#[from] serde_json::Error),
    /// A saved index has another format or version.
    #[error("saved index has format {found:?}, expected {expected:?}")]
    Format {
        /// The format found.
        found: String,
        /// The format this version reads.
        expected: String,
    },
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
