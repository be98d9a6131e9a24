//! Parses transcripts, plain text and JSONL into [`Document`]s of turns,
//! paragraphs and sentences, each with a stable id and a byte span into the
//! original text.
//!
//! The main types:
//!
//! - [`Document`]: [`Metadata`], a [`Header`] (title, date line, lead), the
//!   [`Paragraph`]s (`p0`, `p1`, ... in file order, header included) and the
//!   [`Turn`]s (question paragraphs plus the answer paragraphs after them).
//!   Every paragraph has a [`Role`], a [`Span`](briefing_tokenize::Span) into [`Document::text`], its
//!   exact text, and sentence spans from [`briefing_tokenize::sentences()`].
//! - [`Format`] picks the parser: a plain transcript, a transcript with
//!   `Q:`/`A:` or speaker-label markers, plain text, or JSONL; `Auto`
//!   detects it ([`detect_format`]). [`ParagraphMode`] picks how paragraphs
//!   are cut (lines, or blank-line blocks for hard-wrapped text).
//! - [`load`] reads a file and its `NAME.meta.json` sidecar, [`parse_bytes`]
//!   parses bytes in memory, [`JsonlReader`] streams JSONL line by line.
//!   They return [`Loaded`]: the documents plus the per-line problems that did
//!   not stop the input. Unusable input is an [`Error`] naming the path and
//!   the reason, never a panic.
//!
//! The text is never changed: `&doc.text[p.span.range()] == p.text` for every
//! paragraph, whatever the no-break spaces, curly quotes or line endings.
//!
//! ```
//! use briefing_corpus::{Document, Format, ParseOptions, Role};
//!
//! let text = "\
//! Ann Lee: the plan will work
//! 01.02.2020 10:30
//!
//! The minister met the press.
//!
//! When does the work start?
//! In March. The money is there.
//!
//! Who pays for it?
//! The regions do.
//! The state helps.
//! ";
//! let doc = Document::parse("briefing", text, &ParseOptions::default()).unwrap();
//! assert_eq!(doc.format, Format::Transcript);
//! assert_eq!(doc.title(), Some("Ann Lee: the plan will work"));
//! assert_eq!(doc.meta.date.as_deref(), Some("2020-02-01"));
//! assert_eq!(doc.meta.time.as_deref(), Some("10:30"));
//! assert_eq!(doc.lead_paragraphs().count(), 1);
//! assert_eq!(doc.turns.len(), 2);
//! assert_eq!(doc.question_text(1).as_deref(), Some("Who pays for it?"));
//! assert_eq!(doc.turns[1].answer, [6, 7]);
//!
//! let p = doc.paragraph_by_id("p4").unwrap();
//! assert_eq!((p.role, p.text.as_str()), (Role::Answer, "In March. The money is there."));
//! assert_eq!(&text[p.span.range()], p.text);
//! let sentences: Vec<&str> = p.iter_sentences().map(|s| s.text).collect();
//! assert_eq!(sentences, ["In March.", "The money is there."]);
//! ```
#![deny(missing_docs)]

mod error;
mod jsonl;
mod label;
mod load;
mod model;
mod options;
mod parse;
mod text;

#[cfg(test)]
mod testdata;
#[cfg(test)]
mod tests;

pub use error::{Error, Result};
pub use jsonl::{JsonlReader, read_line_bounded};
pub use load::{
    document_id, is_sidecar, load, open_jsonl, parse_bytes, parse_owned, read_sidecar, sidecar_path,
};
pub use model::{Document, Header, Loaded, Metadata, Paragraph, Role, Sentence, Turn};
pub use options::{DEFAULT_MAX_LINE_BYTES, Format, ParagraphMode, ParseOptions};
pub use parse::detect_format;
