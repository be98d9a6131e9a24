//! Parse options: the input format, how paragraphs are split, ids, metadata and limits.

use serde::{Deserialize, Serialize};

use crate::Metadata;

/// The default for [`ParseOptions::max_line_bytes`]: 16 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The input format of a document.
///
/// [`Format::Auto`] (the default) detects the format; see [`detect_format`](crate::detect_format)
/// for the rules. The other variants force a parser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Detect the format from the file extension and the content.
    #[default]
    Auto,
    /// A plain transcript: title line, date line, lead paragraphs, then
    /// question paragraphs (ending with `?`) each followed by answer paragraphs.
    Transcript,
    /// A transcript with explicit markers at line start: `Q:`/`A:`,
    /// `Question:`/`Answer:`, or speaker labels such as `MODERATOR:`.
    ///
    /// A speaker label is a name of 1 to 4 words and at most 32 chars, each
    /// word Title-case or ALL-CAPS letters (with `.`, `-`, `'`, `’`; particles
    /// such as `de`, `van`, `al` inside), optionally followed by a `(...)` note
    /// (`REPORTER (TASS):`), then `:` and whitespace or the line end. Common
    /// heading words (`Note:`, `Update:`, `Source:`, ...) and names starting
    /// with a function word (`In Bishkek:`) are not labels. A label is left
    /// out of the paragraph's span and recorded as its
    /// [`speaker`](crate::Paragraph::speaker); unlabelled paragraphs continue
    /// the previous speaker; a label alone on its line names the speaker of
    /// the next paragraph. A first line whose name labels nothing else and
    /// that is followed by a date line or does not end like a sentence
    /// (`Ann Lee: we will grow`) is the title, not a label.
    ///
    /// `Q`/`Question` paragraphs are questions and `A`/`Answer` paragraphs
    /// answers. With name labels the answering side is the label matching
    /// [`Metadata::speaker`] (`NOROV` matches `Vladimir Norov`), or else the
    /// name with the most text; every other name asks. Paragraphs before the
    /// first label form the header; answering-side paragraphs before the first
    /// question are [`Role::Body`](crate::Role::Body).
    Marked,
    /// Plain text: paragraphs, no header and no turns.
    Plain,
    /// JSON Lines: one `{"id": .., "text": .., ...}` object per line, each a
    /// plain-text document.
    Jsonl,
}

impl Format {
    /// The lowercase name used in serialized output (`"auto"`, `"transcript"`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Transcript => "transcript",
            Format::Marked => "marked",
            Format::Plain => "plain",
            Format::Jsonl => "jsonl",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the text is cut into paragraphs.
///
/// With [`ParagraphMode::Auto`] (the default) a [`Format::Transcript`] file
/// uses [`ParagraphMode::Lines`]; the other formats use
/// [`ParagraphMode::detect`], which picks `Blocks` only for hard-wrapped text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParagraphMode {
    /// Decide per file.
    #[default]
    Auto,
    /// Every non-empty line is a paragraph.
    Lines,
    /// A paragraph is a run of non-empty lines between blank lines (for
    /// hard-wrapped prose). In [`Format::Marked`] input a line that starts
    /// with a speaker label also starts a new paragraph.
    Blocks,
}

impl ParagraphMode {
    /// The mode [`ParagraphMode::Auto`] picks for non-transcript text:
    /// [`ParagraphMode::Blocks`] when the text looks hard-wrapped, else
    /// [`ParagraphMode::Lines`].
    ///
    /// Text looks hard-wrapped when, among the lines directly followed by
    /// another non-blank line, at least half are at most 100 chars long and run
    /// on: they do not end like a sentence (`.`, `!`, `?`, `…`, `:`, `;`,
    /// possibly before a closing quote), or the next line starts lowercase.
    /// Text whose lines are all separated by blank lines is not wrapped.
    ///
    /// ```
    /// use briefing_corpus::ParagraphMode;
    ///
    /// let wrapped = "The budget was agreed on Monday after\na long debate in the hall.\n\nNext.\n";
    /// assert_eq!(ParagraphMode::detect(wrapped), ParagraphMode::Blocks);
    /// assert_eq!(ParagraphMode::detect("One line.\nAnother line.\n"), ParagraphMode::Lines);
    /// ```
    #[must_use]
    pub fn detect(text: &str) -> ParagraphMode {
        let lines = crate::text::lines(text);
        if crate::text::looks_hard_wrapped(text, &lines) {
            ParagraphMode::Blocks
        } else {
            ParagraphMode::Lines
        }
    }
}

/// Options for [`Document::parse`](crate::Document::parse), [`parse_bytes`](crate::parse_bytes),
/// [`load`](crate::load) and [`JsonlReader`](crate::JsonlReader).
///
/// ```
/// use briefing_corpus::{Format, ParagraphMode, ParseOptions};
///
/// let options = ParseOptions::default()
///     .with_format(Format::Plain)
///     .with_paragraphs(ParagraphMode::Blocks)
///     .with_id("notes");
/// assert_eq!(options.format, Format::Plain);
/// assert_eq!(options.id.as_deref(), Some("notes"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParseOptions {
    /// The input format; [`Format::Auto`] detects it.
    pub format: Format,
    /// How to split paragraphs; [`ParagraphMode::Auto`] decides per file.
    pub paragraphs: ParagraphMode,
    /// The document id. By default it is the file stem (`a` for `dir/a.txt`
    /// or `dir/a.txt.gz`). For JSONL it is the prefix of the ids of lines
    /// that have no `"id"` field (`a:7` for line 7).
    pub id: Option<String>,
    /// Metadata to start from. [`load`](crate::load) reads the sidecar
    /// `NAME.meta.json` only when this is `None`.
    pub metadata: Option<Metadata>,
    /// The longest JSONL line accepted, in bytes (terminator excluded).
    /// Longer lines become a per-line [`Error::LineTooLong`](crate::Error::LineTooLong).
    pub max_line_bytes: usize,
    /// Whether paragraphs get their [`sentences`](crate::Paragraph::sentences) (the
    /// default). Without, they are left empty, which saves time and memory when only
    /// paragraphs are needed; `briefing_tokenize::sentences::sentence_count` on a
    /// paragraph's text still counts them.
    #[serde(default = "yes")]
    pub sentences: bool,
    /// Whether each paragraph gets its own copy of its text in
    /// [`Paragraph::text`](crate::Paragraph::text) (the default). Without, that field is
    /// left empty, which saves a copy of every paragraph (time and memory) when the
    /// document is read through [`Document::paragraph_text`](crate::Document::paragraph_text),
    /// the paragraph's [`span`](crate::Paragraph::span) in
    /// [`Document::text`](crate::Document::text).
    #[serde(default = "yes")]
    pub paragraph_texts: bool,
}

fn yes() -> bool {
    true
}

impl Default for ParseOptions {
    fn default() -> ParseOptions {
        ParseOptions {
            format: Format::Auto,
            paragraphs: ParagraphMode::Auto,
            id: None,
            metadata: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            sentences: true,
            paragraph_texts: true,
        }
    }
}

impl ParseOptions {
    /// Returns the options with `format` forced.
    #[must_use]
    pub fn with_format(mut self, format: Format) -> ParseOptions {
        self.format = format;
        self
    }

    /// Returns the options with the paragraph mode forced.
    #[must_use]
    pub fn with_paragraphs(mut self, paragraphs: ParagraphMode) -> ParseOptions {
        self.paragraphs = paragraphs;
        self
    }

    /// Returns the options with the document id (or JSONL id prefix) set.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> ParseOptions {
        self.id = Some(id.into());
        self
    }

    /// Returns the options with base metadata set (which also turns off
    /// sidecar reading in [`load`](crate::load)).
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> ParseOptions {
        self.metadata = Some(metadata);
        self
    }

    /// Returns the options with the JSONL line length limit set.
    #[must_use]
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> ParseOptions {
        self.max_line_bytes = max_line_bytes;
        self
    }

    /// Returns the options with sentence splitting on or off (see [`ParseOptions::sentences`]).
    ///
    /// ```
    /// use briefing_corpus::{Document, ParseOptions};
    /// let options = ParseOptions::default().with_sentences(false);
    /// let doc = Document::parse("d", "Rain fell. Wind rose.\n", &options).unwrap();
    /// assert_eq!(doc.paragraphs[0].text, "Rain fell. Wind rose.");
    /// assert!(doc.paragraphs[0].sentences.is_empty());
    /// ```
    #[must_use]
    pub fn with_sentences(mut self, sentences: bool) -> ParseOptions {
        self.sentences = sentences;
        self
    }

    /// Sets [`ParseOptions::paragraph_texts`].
    ///
    /// ```
    /// use briefing_corpus::{Document, ParseOptions};
    /// let options = ParseOptions::default().with_paragraph_texts(false);
    /// let doc = Document::parse("d", "One.\n\nTwo.\n", &options).unwrap();
    /// assert_eq!(doc.paragraphs[1].text, "");
    /// assert_eq!(doc.paragraph_text(&doc.paragraphs[1]), "Two.");
    /// ```
    #[must_use]
    pub fn with_paragraph_texts(mut self, paragraph_texts: bool) -> ParseOptions {
        self.paragraph_texts = paragraph_texts;
        self
    }
}
