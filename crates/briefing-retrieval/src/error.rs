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
    /// A binary saved index could not be encoded or decoded (truncated or
    /// corrupt input).
    #[error("saved index is {reason}")]
    Binary {
        /// What is wrong, in words (`truncated`, `corrupt: ...`).
        reason: &'static str,
        /// The decoder's error.
        #[source]
        source: postcard::Error,
    },
    /// The input is not a binary saved index: it lacks the magic bytes.
    #[error("not a binary saved index (no BRF-RETR magic bytes)")]
    NotBinary,
    /// A binary saved index is followed by other bytes.
    #[error("saved index is followed by {0} unexpected bytes")]
    TrailingBytes(usize),
    /// Reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl From<postcard::Error> for Error {
    fn from(source: postcard::Error) -> Error {
        use postcard::Error as E;
        let reason = match source {
            E::DeserializeUnexpectedEnd => "truncated",
            E::DeserializeBadUtf8 => "corrupt: a string is not utf-8",
            E::DeserializeBadVarint => "corrupt: a number is malformed",
            E::DeserializeBadBool | E::DeserializeBadOption | E::DeserializeBadEnum => {
                "corrupt: a tag is out of range"
            }
            E::SerializeBufferFull | E::SerializeSeqLengthUnknown | E::SerdeSerCustom => {
                "not encodable"
            }
            _ => "corrupt",
        };
        Error::Binary { reason, source }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
