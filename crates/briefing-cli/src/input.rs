//! Turning input files into work units and work units into documents.
//!
//! Text files are read whole by the worker that parses them (several small
//! files make one unit). JSONL files are streamed by the coordinator in
//! chunks of whole lines, so a JSONL file of any size never sits in memory
//! at once; a line longer than the limit is skipped without being kept.

use crate::walk::{Kind, Source, io_reason};
use briefing_corpus::{
    Document, Error as CorpusError, JsonlReader, ParseOptions, read_line_bounded,
};
use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The number of sentences of a paragraph's text (paragraphs are loaded without their spans).
pub use briefing_tokenize::sentences::sentence_count;

/// Limits that keep memory bounded whatever the input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest text file read (after decompression).
    pub max_file_bytes: u64,
    /// Longest line accepted, in bytes.
    pub max_line_bytes: usize,
    /// Target size of a unit: small text files are grouped up to it, JSONL
    /// is cut into chunks of about this many bytes.
    pub unit_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 << 20,
            max_line_bytes: briefing_corpus::DEFAULT_MAX_LINE_BYTES,
            unit_bytes: 1 << 20,
        }
    }
}

/// A piece of work: whole text files, or a chunk of a JSONL file.
#[derive(Debug)]
pub enum Unit {
    /// Consecutive text sources, by index.
    Files(Vec<usize>),
    /// Consecutive lines of a JSONL source.
    Jsonl(Chunk),
}

/// Lines of a JSONL file.
#[derive(Debug)]
pub struct Chunk {
    /// The source index.
    pub source: usize,
    /// The 1-based number of the first line.
    pub first_line: u64,
    /// Byte offset of the first line in the (decompressed) file.
    pub first_byte: u64,
    /// The lines, each ending with `\n`; a line that was too long is empty.
    pub bytes: Vec<u8>,
    /// Problems found while reading: `(line, message)`.
    pub problems: Vec<(u64, String)>,
    /// Whether this is the file's last chunk.
    pub last: bool,
    /// Whether the file had no byte at all.
    pub empty_file: bool,
    /// Whether a problem about the whole file (unreadable, binary) was found.
    pub file_error: bool,
}

/// What a unit yields: documents (with their source) and problems, in input order.
#[derive(Debug)]
pub enum Item {
    /// A parsed document of source `usize`.
    Doc(usize, Box<Document>),
    /// A problem with source `usize`: the full `PATH: reason` message.
    Problem(usize, String),
}

/// Cuts the sources into units, reading JSONL files as it goes.
pub struct Units<'a> {
    sources: &'a [Source],
    limits: Limits,
    next: usize,
    jsonl: Option<JsonlStream>,
}

struct JsonlStream {
    source: usize,
    reader: Option<BufReader<Box<dyn Read + Send>>>,
    line: u64,
    offset: u64,
    n_chunks: usize,
    open_error: Option<String>,
}

impl<'a> Units<'a> {
    /// Units over `sources`, in order.
    pub fn new(sources: &'a [Source], limits: Limits) -> Units<'a> {
        Units { sources, limits, next: 0, jsonl: None }
    }

    fn next_chunk(&mut self) -> Option<(Unit, u64)> {
        let stream = self.jsonl.as_mut()?;
        let source = stream.source;
        let path = self.sources.get(source).map_or(Path::new(""), |s| s.path.as_path());
        let mut chunk = Chunk {
            source,
            first_line: stream.line + 1,
            first_byte: stream.offset,
            bytes: Vec::new(),
            problems: Vec::new(),
            last: false,
            empty_file: false,
            file_error: false,
        };
        if let Some(message) = stream.open_error.take() {
            chunk.problems.push((0, message));
            chunk.last = true;
            chunk.file_error = true;
            self.jsonl = None;
            return Some((Unit::Jsonl(chunk), 0));
        }
        let mut n_read = 0u64;
        let mut done = false;
        if let Some(reader) = stream.reader.as_mut() {
            while n_read < self.limits.unit_bytes {
                let start = chunk.bytes.len();
                match read_line_bounded(reader, &mut chunk.bytes, self.limits.max_line_bytes) {
                    Ok((0, _)) => {
                        done = true;
                        break;
                    }
                    Ok((n, too_long)) => {
                        stream.line += 1;
                        stream.offset += n as u64;
                        n_read += n as u64;
                        if too_long {
                            let err = CorpusError::LineTooLong {
                                max_line_bytes: self.limits.max_line_bytes,
                            };
                            chunk
                                .problems
                                .push((stream.line, line_message(path, stream.line, &err)));
                        }
                        if chunk.bytes.len() == start || chunk.bytes.last() != Some(&b'\n') {
                            chunk.bytes.push(b'\n');
                        }
                    }
                    Err(err) => {
                        let line = stream.line + 1;
                        let message =
                            format!("{}: line {line}: {}", path.display(), read_reason(&err));
                        chunk.problems.push((line, message));
                        done = true;
                        break;
                    }
                }
            }
        } else {
            done = true;
        }
        if stream.n_chunks == 0 && stream.offset == 0 && done {
            chunk.empty_file = true;
        }
        if stream.n_chunks == 0
            && let Some(err) = binary_probe(&chunk.bytes)
        {
            chunk.problems.push((0, format!("{}: {err}", path.display())));
            chunk.bytes.clear();
            chunk.file_error = true;
            done = true;
        }
        stream.n_chunks += 1;
        chunk.last = done;
        if done {
            self.jsonl = None;
        }
        Some((Unit::Jsonl(chunk), n_read))
    }

    fn open_jsonl(&mut self, source: usize) {
        let (reader, open_error) = match self.sources.get(source).map(|s| open(&s.path)) {
            Some(Ok(reader)) => (Some(BufReader::with_capacity(256 << 10, reader)), None),
            Some(Err(reason)) => {
                let path = self.sources.get(source).map(|s| s.path.display().to_string());
                (None, Some(format!("{}: {reason}", path.unwrap_or_default())))
            }
            None => (None, None),
        };
        self.jsonl =
            Some(JsonlStream { source, reader, line: 0, offset: 0, n_chunks: 0, open_error });
    }
}

impl Iterator for Units<'_> {
    /// A unit and its cost in bytes (for the memory budget and the progress bar).
    type Item = (Unit, u64);

    fn next(&mut self) -> Option<(Unit, u64)> {
        if self.jsonl.is_some() {
            return self.next_chunk();
        }
        let first = self.sources.get(self.next)?;
        if first.kind == Kind::Jsonl {
            let source = self.next;
            self.next += 1;
            self.open_jsonl(source);
            return self.next_chunk();
        }
        let mut files = Vec::new();
        let mut cost = 0u64;
        while let Some(source) = self.sources.get(self.next) {
            if source.kind != Kind::Text
                || (!files.is_empty() && cost + source.size > self.limits.unit_bytes)
            {
                break;
            }
            files.push(self.next);
            cost += source.size;
            self.next += 1;
        }
        Some((Unit::Files(files), cost))
    }
}

/// Parses a unit into documents and problems, in input order; also returns
/// the number of input bytes read (after decompression). Paragraphs come
/// without sentence spans (count them with [`sentence_count`]) and without
/// their own copy of their text (read it with `Document::paragraph_text`).
pub fn load(unit: &Unit, sources: &[Source], limits: Limits) -> (Vec<Item>, u64) {
    let mut items = Vec::new();
    let mut n_bytes = 0u64;
    match unit {
        Unit::Files(files) => {
            for &idx in files {
                let Some(source) = sources.get(idx) else { continue };
                match load_text(source, limits, &mut n_bytes) {
                    Ok(loaded) => {
                        for problem in loaded.problems {
                            items.push(Item::Problem(idx, problem.to_string()));
                        }
                        items.extend(
                            loaded.documents.into_iter().map(|doc| Item::Doc(idx, Box::new(doc))),
                        );
                    }
                    Err(message) => items.push(Item::Problem(idx, message)),
                }
            }
        }
        Unit::Jsonl(chunk) => {
            n_bytes += chunk.bytes.len() as u64;
            load_chunk(chunk, sources, limits, &mut items);
        }
    }
    (items, n_bytes)
}

fn load_text(
    source: &Source,
    limits: Limits,
    n_bytes: &mut u64,
) -> Result<briefing_corpus::Loaded, String> {
    let path = &source.path;
    let mut reader = open(path).map_err(|reason| format!("{}: {reason}", path.display()))?;
    let mut bytes = Vec::with_capacity(usize::try_from(source.size).unwrap_or(0).min(1 << 26));
    let mut limited = (&mut reader).take(limits.max_file_bytes + 1);
    limited
        .read_to_end(&mut bytes)
        .map_err(|err| format!("{}: {}", path.display(), read_reason(&err)))?;
    *n_bytes += bytes.len() as u64;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(format!(
            "{}: file is larger than {} bytes (split it, or use JSONL, which is streamed)",
            path.display(),
            limits.max_file_bytes
        ));
    }
    if let Some((line, _)) = long_line(&bytes, limits.max_line_bytes) {
        let err = CorpusError::LineTooLong { max_line_bytes: limits.max_line_bytes };
        return Err(line_message(path, line, &err));
    }
    let options = ParseOptions::default()
        .with_id(source.doc_id.clone())
        .with_max_line_bytes(limits.max_line_bytes)
        .with_sentences(false)
        .with_paragraph_texts(false);
    briefing_corpus::parse_owned(path, bytes, &options).map_err(|err| err.to_string())
}

/// The first line longer than `max` bytes: its 1-based number and length.
fn long_line(bytes: &[u8], max: usize) -> Option<(u64, usize)> {
    if bytes.len() <= max {
        return None;
    }
    let mut line = 0u64;
    for text in bytes.split(|&b| b == b'\n') {
        line += 1;
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.len() > max {
            return Some((line, text.len()));
        }
    }
    None
}

/// A marker in the id prefix of chunk-relative JSONL ids, replaced by the
/// real prefix and line number (see [`load_chunk`]).
const ID_MARK: &str = "\u{0}chunk";

fn load_chunk(chunk: &Chunk, sources: &[Source], limits: Limits, items: &mut Vec<Item>) {
    let Some(source) = sources.get(chunk.source) else { return };
    let path = &source.path;
    let idx = chunk.source;
    // The reader numbers lines from 1 within the chunk and names id-less
    // lines `{prefix}:{line}`; both are mapped back to the file.
    let options = ParseOptions::default()
        .with_id(ID_MARK)
        .with_max_line_bytes(limits.max_line_bytes)
        .with_sentences(false)
        .with_paragraph_texts(false);
    let base_line = chunk.first_line.saturating_sub(1);
    let mut problems = chunk.problems.iter().peekable();
    for item in JsonlReader::new(path, chunk.bytes.as_slice(), &options) {
        let line = match &item {
            Ok(doc) => doc.line.unwrap_or(0) + base_line,
            Err(err) => err.line_number().unwrap_or(0) + base_line,
        };
        while let Some((_, message)) = problems.next_if(|(at, _)| *at < line) {
            items.push(Item::Problem(idx, message.clone()));
        }
        match item {
            Ok(mut doc) => {
                doc.line = Some(line);
                if let Some(rest) =
                    doc.id.strip_prefix(ID_MARK).and_then(|rest| rest.strip_prefix(':'))
                    && rest.parse::<u64>().is_ok()
                {
                    doc.id = format!("{}:{line}", source.doc_id);
                }
                items.push(Item::Doc(idx, Box::new(doc)));
            }
            Err(err) => {
                let root = match err.root() {
                    CorpusError::InvalidUtf8 { offset } => {
                        CorpusError::InvalidUtf8 { offset: offset + chunk.first_byte as usize }
                            .to_string()
                    }
                    CorpusError::NulByte { offset } => {
                        CorpusError::NulByte { offset: offset + chunk.first_byte as usize }
                            .to_string()
                    }
                    other => other.to_string(),
                };
                items.push(Item::Problem(idx, format!("{}: line {line}: {root}", path.display())));
            }
        }
    }
    for (_, message) in problems {
        items.push(Item::Problem(idx, message.clone()));
    }
}

fn line_message(path: &Path, line: u64, err: &CorpusError) -> String {
    format!("{}: line {line}: {err}", path.display())
}

/// Opens a file, decompressing it when it starts with the gzip magic bytes.
fn open(path: &Path) -> Result<Box<dyn Read + Send>, String> {
    let file = File::open(path).map_err(|err| io_reason(&err))?;
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let head = reader.fill_buf().map_err(|err| io_reason(&err))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

fn read_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::UnexpectedEof => {
            format!("invalid or truncated gzip data: {}", io_reason(err))
        }
        _ => io_reason(err),
    }
}

/// The binary-data check of `briefing_corpus::parse_bytes`, on the first
/// bytes of a streamed file: a NUL byte, or more than a tenth control bytes.
fn binary_probe(bytes: &[u8]) -> Option<CorpusError> {
    let probe = bytes.get(..8192).unwrap_or(bytes);
    if let Some(offset) = probe.iter().position(|&b| b == 0) {
        return Some(CorpusError::NulByte { offset });
    }
    let is_control = |b: u8| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f);
    let n_control = probe.iter().filter(|&&b| is_control(b)).count();
    if n_control * 10 > probe.len() {
        let offset = probe.iter().position(|&b| is_control(b)).unwrap_or(0);
        return Some(CorpusError::ControlBytes { offset, n_control, n_scanned: probe.len() });
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn source(dir: &Path, name: &str, bytes: &[u8], kind: Kind) -> Source {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Source { path, doc_id: name.to_owned(), size: bytes.len() as u64, kind }
    }

    fn run(sources: &[Source], limits: Limits) -> Vec<String> {
        let mut out = Vec::new();
        for (unit, _) in Units::new(sources, limits) {
            for item in load(&unit, sources, limits).0 {
                out.push(match item {
                    Item::Doc(_, doc) => format!(
                        "doc {} line {:?} paragraphs {}",
                        doc.id,
                        doc.line,
                        doc.paragraphs.len()
                    ),
                    Item::Problem(_, message) => message
                        .replace(&format!("{}/", sources[0].path.parent().unwrap().display()), ""),
                });
            }
        }
        out
    }

    #[test]
    fn jsonl_chunks_keep_file_line_numbers_and_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for line in 1..=40 {
            match line {
                7 => text.push_str("not json\n"),
                9 => text.push_str(&format!("{{\"text\": \"{}\"}}\n", "long ".repeat(40))),
                12 => text.push_str("{\"text\": \"no id here.\"}\n"),
                _ => {
                    text.push_str(&format!("{{\"id\": \"d{line}\", \"text\": \"Line {line}.\"}}\n"))
                }
            }
        }
        let sources = [source(dir.path(), "a.jsonl", text.as_bytes(), Kind::Jsonl)];
        let limits = Limits { unit_bytes: 64, max_line_bytes: 100, ..Limits::default() };
        let out = run(&sources, limits);
        assert_eq!(out.len(), 40);
        assert_eq!(out[0], "doc d1 line Some(1) paragraphs 1");
        assert_eq!(out[6], "a.jsonl: line 7: invalid json at column 2: expected ident");
        assert_eq!(out[8], "a.jsonl: line 9: line is longer than 100 bytes");
        assert_eq!(out[11], "doc a.jsonl:12 line Some(12) paragraphs 1");
        assert_eq!(out[39], "doc d40 line Some(40) paragraphs 1");
        // The same with one big chunk.
        let whole = run(&sources, Limits { max_line_bytes: 100, ..Limits::default() });
        assert_eq!(whole, out);
    }

    #[test]
    fn gzip_and_bad_files() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"Hello there.\n\nSecond paragraph.\n").unwrap();
        let gz = gz.finish().unwrap();
        let mut truncated_gz = gz.clone();
        truncated_gz.truncate(gz.len() - 10);
        let sources = [
            source(dir.path(), "a.txt.gz", &gz, Kind::Text),
            source(dir.path(), "b.txt", b"", Kind::Text),
            source(dir.path(), "c.txt", b"caf\xe9\n", Kind::Text),
            source(dir.path(), "d.txt", b"ab\0cd", Kind::Text),
            source(dir.path(), "e.txt.gz", &truncated_gz, Kind::Text),
            source(dir.path(), "f.jsonl", b"", Kind::Jsonl),
            source(dir.path(), "g.jsonl", b"\x01\x02\x03\x04\x00", Kind::Jsonl),
            source(
                dir.path(),
                "h.txt",
                format!("short\n{}\n", "x".repeat(200)).as_bytes(),
                Kind::Text,
            ),
        ];
        let out = run(&sources, Limits { max_line_bytes: 100, ..Limits::default() });
        assert_eq!(out[0], "doc a.txt.gz line None paragraphs 2");
        assert_eq!(out[1], "b.txt: file is empty");
        assert_eq!(out[2], "c.txt: invalid utf-8 at byte offset 3");
        assert_eq!(out[3], "d.txt: binary data: nul byte at byte offset 2");
        assert!(out[4].starts_with("e.txt.gz: invalid or truncated gzip data"), "{}", out[4]);
        assert_eq!(out[5], "g.jsonl: binary data: nul byte at byte offset 4");
        assert_eq!(out[6], "h.txt: line 2: line is longer than 100 bytes");
        assert_eq!(out.len(), 7, "{out:?}");
    }
}
