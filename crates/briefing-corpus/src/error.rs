//! The crate's error type: a root cause wrapped in path and line context.

use std::path::{Path, PathBuf};

/// A specialized `Result` whose error is [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong while reading or parsing a document.
///
/// Root causes (`Empty`, `InvalidUtf8`, `Json`, ...) are wrapped in context
/// variants, like ripgrep's `ignore::Error`: [`Error::WithPath`] names the file
/// and [`Error::WithLineNumber`] the line of a JSONL file. `Display` prints the
/// context first, so an error reads `corpus/a.jsonl: line 3: missing "text" field`.
/// [`Error::root`], [`Error::path`] and [`Error::line_number`] take the layers apart.
///
/// ```
/// use briefing_corpus::{Error, ParseOptions, parse_bytes};
///
/// let err = parse_bytes("notes.txt", b"caf\xe9\n", &ParseOptions::default()).unwrap_err();
/// assert_eq!(err.to_string(), "notes.txt: invalid utf-8 at byte offset 3");
/// assert!(matches!(err.root(), Error::InvalidUtf8 { offset: 3 }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error about a particular file.
    #[error("{}: {err}", path.display())]
    WithPath {
        /// The file the error is about.
        path: PathBuf,
        /// The underlying error.
        err: Box<Error>,
    },
    /// An error about a particular line (1-based) of a JSONL file.
    #[error("line {line}: {err}")]
    WithLineNumber {
        /// The 1-based line number.
        line: u64,
        /// The underlying error.
        err: Box<Error>,
    },
    /// The file could not be opened or read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The input has no bytes at all.
    #[error("file is empty")]
    Empty,
    /// The input has bytes, but only whitespace.
    #[error("file contains only whitespace")]
    OnlyWhitespace,
    /// The input is not valid UTF-8.
    #[error("invalid utf-8 at byte offset {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The input holds a NUL byte, so it is binary rather than text.
    #[error("binary data: nul byte at byte offset {offset}")]
    NulByte {
        /// Byte offset of the first NUL byte.
        offset: usize,
    },
    /// More than a tenth of the scanned bytes are control characters.
    #[error(
        "binary data: {n_control} control bytes in the first {n_scanned} bytes, \
         the first at byte offset {offset}"
    )]
    ControlBytes {
        /// Byte offset of the first control byte.
        offset: usize,
        /// How many control bytes were found.
        n_control: usize,
        /// How many bytes were scanned.
        n_scanned: usize,
    },
    /// The input has text but no paragraph (for example only speaker labels).
    #[error("no paragraphs found")]
    NoParagraphs,
    /// A JSONL line is not valid JSON.
    #[error("invalid json at column {}: {}", .0.column(), json_reason(.0))]
    Json(serde_json::Error),
    /// A JSONL line is JSON, but not an object.
    #[error("expected a json object")]
    NotAnObject,
    /// A JSONL object has no `text` field.
    #[error("missing \"text\" field")]
    MissingText,
    /// A JSONL object's `text` field is empty or only whitespace.
    #[error("field \"text\" is empty")]
    EmptyText,
    /// A JSONL field has the wrong JSON type.
    #[error("field \"{field}\" must be {expected}")]
    FieldType {
        /// The field name.
        field: &'static str,
        /// What the field must be, for example `"a string"`.
        expected: &'static str,
    },
    /// A JSONL line is longer than [`ParseOptions::max_line_bytes`](crate::ParseOptions::max_line_bytes).
    #[error("line is longer than {max_line_bytes} bytes")]
    LineTooLong {
        /// The configured limit.
        max_line_bytes: usize,
    },
    /// No line of a JSONL file holds a usable document.
    #[error("no line holds a document ({n_bad} bad lines; the first: {first})")]
    NoDocuments {
        /// How many lines failed.
        n_bad: usize,
        /// The first line's error.
        first: Box<Error>,
    },
    /// A metadata sidecar is not a JSON object of the expected shape.
    #[error("invalid metadata: {0}")]
    Metadata(serde_json::Error),
    /// [`Document::parse`](crate::Document::parse) was asked for JSONL, which holds many documents.
    #[error("jsonl input holds many documents: use parse_bytes or JsonlReader")]
    MultipleDocuments,
}

impl Error {
    /// Wraps `self` with the file it is about.
    #[must_use]
    pub fn with_path(self, path: impl AsRef<Path>) -> Error {
        Error::WithPath { path: path.as_ref().to_path_buf(), err: Box::new(self) }
    }

    /// Wraps `self` with the 1-based line it is about.
    #[must_use]
    pub fn with_line_number(self, line: u64) -> Error {
        Error::WithLineNumber { line, err: Box::new(self) }
    }

    /// The innermost error, under all path and line context.
    ///
    /// ```
    /// use briefing_corpus::Error;
    /// let err = Error::MissingText.with_line_number(2).with_path("a.jsonl");
    /// assert!(matches!(err.root(), Error::MissingText));
    /// ```
    #[must_use]
    pub fn root(&self) -> &Error {
        match self {
            Error::WithPath { err, .. } | Error::WithLineNumber { err, .. } => err.root(),
            other => other,
        }
    }

    /// The outermost path this error names, if any.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::WithPath { path, .. } => Some(path),
            Error::WithLineNumber { err, .. } => err.path(),
            _ => None,
        }
    }

    /// The line number this error names, if any.
    #[must_use]
    pub fn line_number(&self) -> Option<u64> {
        match self {
            Error::WithLineNumber { line, .. } => Some(*line),
            Error::WithPath { err, .. } => err.line_number(),
            _ => None,
        }
    }

    /// Whether the root cause is an I/O error.
    #[must_use]
    pub fn is_io(&self) -> bool {
        matches!(self.root(), Error::Io(_))
    }

    /// `self` without its outer [`Error::WithPath`] layers.
    pub(crate) fn without_path(self) -> Error {
        match self {
            Error::WithPath { err, .. } => err.without_path(),
            other => other,
        }
    }
}

/// A `serde_json` message without its `at line L column C` suffix (a JSONL
/// error names the file line itself).
fn json_reason(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match message.strip_suffix(&suffix) {
        Some(reason) => reason.to_owned(),
        None => message,
    }
}
