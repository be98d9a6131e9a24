//! JSON Lines input: a streaming reader that yields one document per line, with bounded memory.

use std::io::{self, BufRead};
use std::iter::FusedIterator;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::text::is_space;
use crate::{Document, Error, Format, Loaded, Metadata, ParagraphMode, ParseOptions, Result};

/// Reads JSONL documents one by one from any [`BufRead`].
///
/// Each non-blank line must be a JSON object with a string `"text"`; its
/// `"id"` (a string or a number) becomes [`Document::id`], and a line without
/// one gets `{prefix}:{line}` where the prefix is [`ParseOptions::id`] or the
/// file stem. The named [`Metadata`] fields are taken from same-named keys;
/// other keys with a string, number or boolean value go to
/// [`Metadata::extra`], and `null`, arrays and objects are dropped. Metadata
/// from [`ParseOptions::metadata`] is the base each line starts from. Paragraphs
/// are split as for plain text; spans index the decoded `"text"` value.
///
/// A bad line (not UTF-8, not JSON, no `"text"`, longer than
/// [`ParseOptions::max_line_bytes`], ...) yields an `Err` naming the path and
/// line, and reading goes on with the next line. Only an I/O error ends the
/// iteration. Memory stays bounded by the longest accepted line: the bytes of a
/// too-long line are skipped, not kept.
///
/// ```
/// use briefing_corpus::{JsonlReader, ParseOptions};
///
/// let input = "{\"id\": \"a\", \"text\": \"First. Second.\"}\nnot json\n{\"text\": \"Third.\"}\n";
/// let mut reader = JsonlReader::new("in.jsonl", input.as_bytes(), &ParseOptions::default());
/// let first = reader.next().unwrap().unwrap();
/// assert_eq!((first.id.as_str(), first.line), ("a", Some(1)));
/// let bad = reader.next().unwrap().unwrap_err();
/// assert_eq!(bad.to_string(), "in.jsonl: line 2: invalid json at column 2: expected ident");
/// let third = reader.next().unwrap().unwrap();
/// assert_eq!(third.id, "in:3");
/// assert!(reader.next().is_none());
/// ```
#[derive(Debug)]
pub struct JsonlReader<R> {
    reader: R,
    path: PathBuf,
    id_prefix: String,
    metadata: Metadata,
    paragraphs: ParagraphMode,
    sentences: bool,
    paragraph_texts: bool,
    max_line_bytes: usize,
    buf: Vec<u8>,
    line_number: u64,
    offset: usize,
    done: bool,
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader over `reader`; `path` is used in errors and for the default id prefix.
    pub fn new(path: impl AsRef<Path>, reader: R, options: &ParseOptions) -> JsonlReader<R> {
        let path = path.as_ref().to_path_buf();
        JsonlReader {
            reader,
            id_prefix: options.id.clone().unwrap_or_else(|| crate::document_id(&path)),
            path,
            metadata: options.metadata.clone().unwrap_or_default(),
            paragraphs: options.paragraphs,
            sentences: options.sentences,
            paragraph_texts: options.paragraph_texts,
            max_line_bytes: options.max_line_bytes,
            buf: Vec::new(),
            line_number: 0,
            offset: 0,
            done: false,
        }
    }

    /// How many lines have been read so far.
    #[must_use]
    pub fn line_number(&self) -> u64 {
        self.line_number
    }

    /// How many bytes have been read so far.
    #[must_use]
    pub fn byte_offset(&self) -> usize {
        self.offset
    }

    /// Parses the line in `self.buf`; `Ok(None)` for a blank line.
    fn parse_line(&self, line_start: usize) -> Result<Option<Document>> {
        let bytes = self.buf.as_slice();
        if let Some(pos) = memchr::memchr(0, bytes) {
            return Err(Error::NulByte { offset: line_start + pos });
        }
        let line = std::str::from_utf8(bytes)
            .map_err(|e| Error::InvalidUtf8 { offset: line_start + e.valid_up_to() })?;
        if line.trim_matches(is_space).is_empty() {
            return Ok(None);
        }
        let Value::Object(mut object) = serde_json::from_str(line).map_err(Error::Json)? else {
            return Err(Error::NotAnObject);
        };
        let text = match object.remove("text") {
            Some(Value::String(text)) => text,
            None => return Err(Error::MissingText),
            Some(_) => return Err(Error::FieldType { field: "text", expected: "a string" }),
        };
        if text.trim_matches(is_space).is_empty() {
            return Err(Error::EmptyText);
        }
        let id = match object.remove("id") {
            Some(Value::String(id)) => id,
            Some(Value::Number(id)) => id.to_string(),
            None | Some(Value::Null) => format!("{}:{}", self.id_prefix, self.line_number),
            Some(_) => {
                return Err(Error::FieldType { field: "id", expected: "a string or a number" });
            }
        };
        let mut meta = self.metadata.clone();
        for (key, value) in object {
            set_metadata(&mut meta, key, value);
        }
        let shape = crate::parse::Shape {
            format: Format::Jsonl,
            mode: self.paragraphs,
            sentences: self.sentences,
            texts: self.paragraph_texts,
        };
        let doc = crate::parse::build(id, text, shape, meta, Some(self.line_number))?;
        Ok(Some(doc))
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = Result<Document>;

    fn next(&mut self) -> Option<Result<Document>> {
        while !self.done {
            let line_start = self.offset;
            self.buf.clear();
            let read = read_line_bounded(&mut self.reader, &mut self.buf, self.max_line_bytes);
            let n_kept = strip_terminator(&self.buf).len();
            self.buf.truncate(n_kept);
            let (n_bytes, too_long) = match read {
                Ok(read) => read,
                Err(err) => {
                    self.done = true;
                    let err = Error::Io(err).with_line_number(self.line_number + 1);
                    return Some(Err(err.with_path(&self.path)));
                }
            };
            if n_bytes == 0 {
                self.done = true;
                break;
            }
            self.line_number += 1;
            self.offset = self.offset.saturating_add(n_bytes);
            let parsed = if too_long {
                Err(Error::LineTooLong { max_line_bytes: self.max_line_bytes })
            } else {
                self.parse_line(line_start)
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(doc)) => return Some(Ok(doc)),
                Err(err) => {
                    return Some(Err(err.with_line_number(self.line_number).with_path(&self.path)));
                }
            }
        }
        None
    }
}

impl<R: BufRead> FusedIterator for JsonlReader<R> {}

/// Appends one line of `reader` to `buf`, with its `\n` if it has one, reading at most
/// what the line holds: memory stays bounded by `max` however long the line is. Returns the
/// bytes consumed (0 at the end of input) and whether the line, without its `\n` or `\r\n`,
/// is longer than `max` bytes, in which case it is consumed but nothing of it is kept.
///
/// ```
/// use briefing_corpus::read_line_bounded;
/// let mut input = &b"short\r\nmuch too long\nlast"[..];
/// let mut buf = Vec::new();
/// assert_eq!(read_line_bounded(&mut input, &mut buf, 8)?, (7, false));
/// assert_eq!(buf, b"short\r\n");
/// assert_eq!(read_line_bounded(&mut input, &mut buf, 8)?, (14, true));
/// assert_eq!(buf, b"short\r\n");
/// assert_eq!(read_line_bounded(&mut input, &mut buf, 8)?, (4, false));
/// assert_eq!(buf, b"short\r\nlast");
/// assert_eq!(read_line_bounded(&mut input, &mut buf, 8)?, (0, false));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The reader's I/O errors (`Interrupted` is retried).
pub fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<(usize, bool)> {
    let start = buf.len();
    let mut n_consumed = 0usize;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            break;
        }
        let (n_take, found_newline) = match memchr::memchr(b'\n', available) {
            Some(pos) => (pos + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            let piece = available.get(..n_take).unwrap_or(available);
            // Two spare bytes for a `\r\n` terminator.
            if (buf.len() - start).saturating_add(piece.len()) > max.saturating_add(2) {
                too_long = true;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(piece);
            }
        }
        reader.consume(n_take);
        n_consumed += n_take;
        if found_newline {
            break;
        }
    }
    if !too_long && strip_terminator(buf.get(start..).unwrap_or_default()).len() > max {
        too_long = true;
        buf.truncate(start);
    }
    Ok((n_consumed, too_long))
}

/// `line` without its `\n` or `\r\n`.
fn strip_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Sets a metadata field from a JSONL key (see [`JsonlReader`] for the rules).
fn set_metadata(meta: &mut Metadata, key: String, value: Value) {
    let as_string = match &value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    };
    let Some(as_string) = as_string else { return };
    let field = match key.as_str() {
        "title" => &mut meta.title,
        "speaker" => &mut meta.speaker,
        "role" => &mut meta.role,
        "event" => &mut meta.event,
        "date" => &mut meta.date,
        "time" => &mut meta.time,
        "publisher" => &mut meta.publisher,
        "language" => &mut meta.language,
        _ => {
            meta.extra.insert(key, value);
            return;
        }
    };
    *field = Some(as_string);
}

/// Reads a whole JSONL input held in memory. Errors are returned without the
/// path (the caller adds it); per-line problems carry path and line.
pub(crate) fn load_all(path: &Path, bytes: &[u8], options: &ParseOptions) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    for item in JsonlReader::new(path, bytes, options) {
        match item {
            Ok(doc) => loaded.documents.push(doc),
            Err(err) => loaded.problems.push(err),
        }
    }
    if loaded.documents.is_empty() {
        let n_bad = loaded.problems.len();
        return Err(match loaded.problems.into_iter().next() {
            None => Error::OnlyWhitespace,
            Some(first) => Error::NoDocuments { n_bad, first: Box::new(first.without_path()) },
        });
    }
    Ok(loaded)
}
