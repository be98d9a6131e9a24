//! The document model: metadata, header, turns, paragraphs and sentences, all with byte spans.

use std::collections::BTreeMap;

use briefing_tokenize::Span;
use serde::{Deserialize, Serialize};

use crate::{Error, Format};

/// Facts about a document, from a `NAME.meta.json` sidecar, a JSONL line or
/// the transcript header. Every field is optional.
///
/// Keys other than the named fields are kept in [`Metadata::extra`] (a
/// `BTreeMap`, so serialization order is stable).
///
/// ```
/// use briefing_corpus::Metadata;
///
/// let meta: Metadata =
///     serde_json::from_str(r#"{"speaker": "Ann Lee", "date": "2020-01-31", "venue": "Hall B"}"#)
///         .unwrap();
/// assert_eq!(meta.speaker.as_deref(), Some("Ann Lee"));
/// assert_eq!(meta.extra["venue"], "Hall B");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// The document title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The main speaker (the one who answers in a transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The speaker's role, for example a job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The event the document records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The time of day, `HH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Who published the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The language, for example `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Every other key, in key order.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// What a paragraph is in its document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The title line of a transcript.
    Title,
    /// The date line of a transcript (`22.04.2019 12:45`).
    DateLine,
    /// A lead paragraph: after the title and date, before the first question.
    Lead,
    /// Part of a journalist's question.
    Question,
    /// Part of an answer.
    Answer,
    /// Any other paragraph (all paragraphs of plain text and JSONL).
    Body,
}

/// One paragraph, with its byte span in [`Document::text`] and its sentences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// The stable id, `p{idx}`.
    pub id: String,
    /// The 0-based position among all paragraphs of the document, header included.
    pub idx: usize,
    /// What the paragraph is.
    pub role: Role,
    /// The index of the turn it belongs to, if any.
    pub turn: Option<usize>,
    /// The speaker label in front of it (or carried over from the previous
    /// labelled paragraph), as written: `MODERATOR`, `Q`, `Ann Lee`.
    pub speaker: Option<String>,
    /// The byte span in [`Document::text`]: line terminators, surrounding
    /// whitespace and a speaker label are excluded.
    pub span: Span,
    /// Exactly the bytes of `span`; empty when parsed without
    /// [`ParseOptions::paragraph_texts`](crate::ParseOptions::paragraph_texts) (then
    /// [`Document::paragraph_text`] gives the text, and
    /// [`Paragraph::iter_sentences`] yields nothing).
    pub text: String,
    /// Sentence spans, absolute in [`Document::text`], each inside `span`.
    pub sentences: Vec<Span>,
}

impl Paragraph {
    /// The paragraph's sentences with their text.
    ///
    /// ```
    /// use briefing_corpus::{Document, ParseOptions};
    /// let doc = Document::parse("d", "Rain fell. Wind rose.\n", &ParseOptions::default()).unwrap();
    /// let texts: Vec<&str> = doc.paragraphs[0].iter_sentences().map(|s| s.text).collect();
    /// assert_eq!(texts, ["Rain fell.", "Wind rose."]);
    /// ```
    pub fn iter_sentences(&self) -> impl Iterator<Item = Sentence<'_>> + '_ {
        self.sentences.iter().enumerate().filter_map(move |(sentence_idx, &span)| {
            let start = span.start.checked_sub(self.span.start)?;
            let end = span.end.checked_sub(self.span.start)?;
            let text = self.text.get(start..end)?;
            Some(Sentence { paragraph_idx: self.idx, sentence_idx, span, text })
        })
    }

    /// Whether the paragraph is part of a question.
    #[must_use]
    pub fn is_question(&self) -> bool {
        self.role == Role::Question
    }

    /// Whether the paragraph is part of an answer.
    #[must_use]
    pub fn is_answer(&self) -> bool {
        self.role == Role::Answer
    }
}

/// A sentence seen through its document: where it is and what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence<'a> {
    /// The paragraph it belongs to.
    pub paragraph_idx: usize,
    /// Its 0-based position in the paragraph.
    pub sentence_idx: usize,
    /// Its byte span in [`Document::text`].
    pub span: Span,
    /// Its text.
    pub text: &'a str,
}

/// A question and the answer that follows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// The 0-based position among the document's turns.
    pub idx: usize,
    /// Indices of the question paragraphs, in order.
    pub question: Vec<usize>,
    /// Indices of the answer paragraphs, in order (may be empty for a
    /// question at the very end).
    pub answer: Vec<usize>,
    /// Who asked, when a speaker label says so.
    pub questioner: Option<String>,
    /// Who answered: the answer's speaker label, or else the metadata speaker.
    pub answerer: Option<String>,
}

impl Turn {
    /// The stable id, `t{idx}`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("t{}", self.idx)
    }

    /// Question then answer paragraph indices.
    pub fn paragraph_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.question.iter().chain(&self.answer).copied()
    }
}

/// The header of a transcript: which paragraphs are the title, the date line and the lead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The title paragraph.
    pub title: Option<usize>,
    /// The date line paragraph.
    pub date_line: Option<usize>,
    /// The lead paragraphs, in order.
    pub lead: Vec<usize>,
}

/// A parsed document.
///
/// [`Document::text`] is the text every span indexes: the whole file for
/// transcript and plain-text files (never changed, byte for byte), the decoded
/// `"text"` value for a JSONL line.
///
/// ```
/// use briefing_corpus::{Document, ParseOptions, Role};
///
/// let text = "Interview with Ann Lee\n\nWhy now?\nBecause it is time. We waited.\n";
/// let doc = Document::parse("interview", text, &ParseOptions::default()).unwrap();
/// assert_eq!(doc.title(), Some("Interview with Ann Lee"));
/// assert_eq!(doc.question_text(0).as_deref(), Some("Why now?"));
/// let answer = doc.paragraph(2).unwrap();
/// assert_eq!(answer.role, Role::Answer);
/// assert_eq!(&text[answer.span.range()], answer.text);
/// assert_eq!(doc.turn_of(2).map(|t| t.idx), Some(0));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The document id: given by the caller, the file stem, or the JSONL `"id"`.
    pub id: String,
    /// The format the document was parsed as (never [`Format::Auto`]).
    pub format: Format,
    /// The 1-based JSONL line the document came from.
    pub line: Option<u64>,
    /// Metadata: sidecar or JSONL fields, filled from the header where missing.
    pub meta: Metadata,
    /// The text all spans index.
    pub text: String,
    /// Title, date line and lead paragraphs.
    pub header: Header,
    /// Every paragraph in text order; `paragraphs[i].idx == i`.
    pub paragraphs: Vec<Paragraph>,
    /// Question/answer turns in text order; `turns[i].idx == i`.
    pub turns: Vec<Turn>,
}

impl Document {
    /// The text of `paragraph`, one of this document's paragraphs: its
    /// [`span`](Paragraph::span) in [`Document::text`], borrowed, whether or
    /// not the paragraph holds its own copy ([`ParseOptions::paragraph_texts`](crate::ParseOptions::paragraph_texts)).
    /// Empty for a span outside the text (a paragraph of another document).
    ///
    /// ```
    /// use briefing_corpus::{Document, ParseOptions};
    /// let doc = Document::parse("d", "Rain fell.\n\nWind rose.\n", &ParseOptions::default()).unwrap();
    /// assert_eq!(doc.paragraph_text(&doc.paragraphs[1]), "Wind rose.");
    /// assert_eq!(doc.paragraph_text(&doc.paragraphs[1]), doc.paragraphs[1].text);
    /// ```
    #[must_use]
    pub fn paragraph_text(&self, paragraph: &Paragraph) -> &str {
        paragraph.span.slice(&self.text).unwrap_or("")
    }

    /// Parses one document from `text`; `id` becomes [`Document::id`] unless
    /// `options.id` is set.
    ///
    /// With [`Format::Auto`] this chooses among transcript, marked and plain
    /// (see [`detect_format`](crate::detect_format)); it never picks JSONL,
    /// and a forced [`Format::Jsonl`] is [`Error::MultipleDocuments`] (use
    /// [`parse_bytes`](crate::parse_bytes) or [`JsonlReader`](crate::JsonlReader)).
    ///
    /// # Errors
    ///
    /// [`Error::OnlyWhitespace`] for blank text, [`Error::NoParagraphs`] when
    /// nothing but speaker labels is left, [`Error::MultipleDocuments`] for JSONL.
    ///
    /// ```
    /// use briefing_corpus::{Document, Format, ParseOptions};
    ///
    /// let text = "Q: Is it ready?\nA: Yes.\nIt ships today.\n";
    /// let doc = Document::parse("qa", text, &ParseOptions::default()).unwrap();
    /// assert_eq!(doc.format, Format::Marked);
    /// assert_eq!(doc.turns[0].answer, [1, 2]);
    /// assert_eq!(doc.paragraphs[0].text, "Is it ready?");
    /// assert_eq!(doc.paragraphs[0].speaker.as_deref(), Some("Q"));
    /// ```
    pub fn parse(id: &str, text: &str, options: &crate::ParseOptions) -> crate::Result<Document> {
        crate::parse::parse_document(id, text, options)
    }

    /// The paragraph at `paragraph_idx`.
    #[must_use]
    pub fn paragraph(&self, paragraph_idx: usize) -> Option<&Paragraph> {
        self.paragraphs.get(paragraph_idx)
    }

    /// The paragraph with id `p{idx}`.
    #[must_use]
    pub fn paragraph_by_id(&self, id: &str) -> Option<&Paragraph> {
        let idx: usize = id.strip_prefix('p')?.parse().ok()?;
        self.paragraph(idx).filter(|p| p.id == id)
    }

    /// The turn at `turn_idx`.
    #[must_use]
    pub fn turn(&self, turn_idx: usize) -> Option<&Turn> {
        self.turns.get(turn_idx)
    }

    /// The turn the paragraph at `paragraph_idx` belongs to.
    #[must_use]
    pub fn turn_of(&self, paragraph_idx: usize) -> Option<&Turn> {
        self.turn(self.paragraph(paragraph_idx)?.turn?)
    }

    /// The question of turn `turn_idx`: its paragraphs' texts joined with `\n`.
    #[must_use]
    pub fn question_text(&self, turn_idx: usize) -> Option<String> {
        Some(self.join(&self.turn(turn_idx)?.question))
    }

    /// The answer of turn `turn_idx`: its paragraphs' texts joined with `\n`.
    #[must_use]
    pub fn answer_text(&self, turn_idx: usize) -> Option<String> {
        Some(self.join(&self.turn(turn_idx)?.answer))
    }

    /// The title: the header's title paragraph, or else the metadata title.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        match self.header.title.and_then(|idx| self.paragraph(idx)) {
            Some(p) => Some(&p.text),
            None => self.meta.title.as_deref(),
        }
    }

    /// The lead paragraphs.
    pub fn lead_paragraphs(&self) -> impl Iterator<Item = &Paragraph> + '_ {
        self.header.lead.iter().filter_map(|&idx| self.paragraph(idx))
    }

    /// All question paragraphs, in order.
    pub fn question_paragraphs(&self) -> impl Iterator<Item = &Paragraph> + '_ {
        self.paragraphs.iter().filter(|p| p.role == Role::Question)
    }

    /// All answer paragraphs, in order.
    pub fn answer_paragraphs(&self) -> impl Iterator<Item = &Paragraph> + '_ {
        self.paragraphs.iter().filter(|p| p.role == Role::Answer)
    }

    /// Every sentence of every paragraph, in order, with its text.
    ///
    /// ```
    /// use briefing_corpus::{Document, ParseOptions};
    /// let text = "Rain fell. Wind rose.\nThen calm came.\n";
    /// let doc = Document::parse("d", text, &ParseOptions::default()).unwrap();
    /// let texts: Vec<&str> = doc.iter_sentences().map(|s| s.text).collect();
    /// assert_eq!(texts, ["Rain fell.", "Wind rose.", "Then calm came."]);
    /// ```
    pub fn iter_sentences(&self) -> impl Iterator<Item = Sentence<'_>> + '_ {
        self.paragraphs.iter().flat_map(Paragraph::iter_sentences)
    }

    /// The text under `span`, or `None` when it is out of bounds or not on char boundaries.
    #[must_use]
    pub fn slice(&self, span: Span) -> Option<&str> {
        span.slice(&self.text)
    }

    /// The number of sentences in the document.
    #[must_use]
    pub fn n_sentences(&self) -> usize {
        self.paragraphs.iter().map(|p| p.sentences.len()).sum()
    }

    fn join(&self, paragraph_indices: &[usize]) -> String {
        let texts: Vec<&str> = paragraph_indices
            .iter()
            .filter_map(|&idx| self.paragraph(idx))
            .map(|p| p.text.as_str())
            .collect();
        texts.join("\n")
    }
}

/// The documents read from one input, plus the problems that did not stop it
/// (rust-analyzer style: a value and a list of problems rather than one `Result`).
///
/// Only JSONL input has problems: each is a bad line, wrapped with the path
/// and line number; the other lines still load.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The documents, in input order.
    pub documents: Vec<Document>,
    /// Recoverable problems, in input order.
    pub problems: Vec<Error>,
}

impl Loaded {
    /// The only document, when there is exactly one.
    #[must_use]
    pub fn into_single(self) -> Option<Document> {
        let mut documents = self.documents;
        if documents.len() == 1 { documents.pop() } else { None }
    }
}
