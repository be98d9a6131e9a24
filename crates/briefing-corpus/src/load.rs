//! Reading documents from files and bytes: input checks, format dispatch and metadata sidecars.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::text::is_space;
use crate::{Error, Format, JsonlReader, Loaded, Metadata, ParseOptions, Result};

/// How many leading bytes the control-character check scans.
const CONTROL_PROBE_BYTES: usize = 8192;

/// The suffix of metadata sidecar files.
const SIDECAR_SUFFIX: &str = ".meta.json";

/// Reads and parses the file at `path`.
///
/// Unless [`ParseOptions::metadata`] is set, the sidecar `NAME.meta.json` next
/// to the file (see [`sidecar_path`]) provides the metadata when it exists.
/// The rest is [`parse_bytes`].
///
/// # Errors
///
/// An I/O error reading the file, an invalid sidecar ([`Error::Metadata`],
/// naming the sidecar), and every error of [`parse_bytes`]; all carry the path.
///
/// ```
/// use briefing_corpus::{ParseOptions, load};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("talk.txt");
/// std::fs::write(&path, "Talk\n\nWhy?\nBecause.\n").unwrap();
/// std::fs::write(dir.path().join("talk.meta.json"), r#"{"speaker": "Ann Lee"}"#).unwrap();
/// let doc = load(&path, &ParseOptions::default()).unwrap().into_single().unwrap();
/// assert_eq!(doc.id, "talk");
/// assert_eq!(doc.meta.speaker.as_deref(), Some("Ann Lee"));
/// assert_eq!(doc.turns[0].answerer.as_deref(), Some("Ann Lee"));
/// ```
pub fn load(path: impl AsRef<Path>, options: &ParseOptions) -> Result<Loaded> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|err| Error::Io(err).with_path(path))?;
    if options.metadata.is_some() {
        return parse_bytes(path, &bytes, options);
    }
    let mut options = options.clone();
    options.metadata = read_sidecar(path)?;
    parse_bytes(path, &bytes, &options)
}

/// Parses a document (or, for JSONL, many) from bytes in memory, for example
/// a decompressed file. `path` names the input in errors, gives the default
/// id (its stem) and, with [`Format::Auto`], its extension helps detection.
/// Nothing is read from disk (no sidecar; pass metadata in `options`).
///
/// Checks run in this order: empty input, binary data (a NUL byte anywhere,
/// or more than a tenth of the first 8 KiB being control bytes other than
/// tab, newline, carriage return and form feed), format detection, then UTF-8
/// (per line for JSONL, where bad lines become [`Loaded::problems`]).
///
/// # Errors
///
/// [`Error::Empty`], [`Error::NulByte`], [`Error::ControlBytes`],
/// [`Error::InvalidUtf8`], [`Error::OnlyWhitespace`], [`Error::NoParagraphs`],
/// and for JSONL [`Error::NoDocuments`] when no line loads; always wrapped in
/// [`Error::WithPath`].
///
/// ```
/// use briefing_corpus::{Error, ParseOptions, parse_bytes};
///
/// let loaded = parse_bytes("a.jsonl", b"{\"text\": \"Hi.\"}\n{\"id\": 2}\n", &ParseOptions::default())
///     .unwrap();
/// assert_eq!(loaded.documents.len(), 1);
/// assert_eq!(loaded.problems[0].to_string(), "a.jsonl: line 2: missing \"text\" field");
///
/// let err = parse_bytes("b.txt", b"ab\0c", &ParseOptions::default()).unwrap_err();
/// assert!(matches!(err.root(), Error::NulByte { offset: 2 }));
/// ```
pub fn parse_bytes(path: impl AsRef<Path>, bytes: &[u8], options: &ParseOptions) -> Result<Loaded> {
    let path = path.as_ref();
    parse_bytes_inner(path, bytes, options).map_err(|err| err.with_path(path))
}

/// [`parse_bytes`] on bytes it may keep: a text document takes them over as
/// its [`Document::text`](crate::Document::text) instead of copying them.
/// Same checks, same result.
///
/// # Errors
///
/// As [`parse_bytes`].
///
/// ```
/// use briefing_corpus::{ParseOptions, parse_bytes, parse_owned};
///
/// let bytes = b"Rain fell.\n\nWind rose.\n".to_vec();
/// let options = ParseOptions::default();
/// let borrowed = parse_bytes("a.txt", &bytes, &options).unwrap();
/// let owned = parse_owned("a.txt", bytes, &options).unwrap();
/// assert_eq!(owned.documents, borrowed.documents);
/// ```
pub fn parse_owned(
    path: impl AsRef<Path>,
    bytes: Vec<u8>,
    options: &ParseOptions,
) -> Result<Loaded> {
    let path = path.as_ref();
    parse_bytes_inner(path, bytes, options).map_err(|err| err.with_path(path))
}

/// Bytes to parse: borrowed (copied into a text document) or owned (taken over).
trait Input: AsRef<[u8]> + Into<Vec<u8>> {}

impl Input for &[u8] {}

impl Input for Vec<u8> {}

fn parse_bytes_inner(path: &Path, input: impl Input, options: &ParseOptions) -> Result<Loaded> {
    let bytes = input.as_ref();
    if bytes.is_empty() {
        return Err(Error::Empty);
    }
    check_binary(bytes)?;
    let format = match options.format {
        // Detecting a text format on the text's lines here would split it twice: `build`
        // detects it with `Format::Auto` as `detect_format` does, except that it cuts
        // paragraphs as `options.paragraphs` says, which only `Blocks` changes.
        Format::Auto if crate::parse::is_jsonl(Some(path), bytes) => Format::Jsonl,
        Format::Auto if options.paragraphs != crate::ParagraphMode::Blocks => Format::Auto,
        Format::Auto => crate::detect_format(Some(path), bytes),
        other => other,
    };
    if format == Format::Jsonl {
        return crate::jsonl::load_all(path, bytes, options);
    }
    let id = options.id.clone().unwrap_or_else(|| document_id(path));
    let meta = options.metadata.clone().unwrap_or_default();
    let shape = crate::parse::Shape {
        format,
        mode: options.paragraphs,
        sentences: options.sentences,
        texts: options.paragraph_texts,
    };
    // Borrowed bytes are copied before the check, owned ones are taken over as they are.
    let text = String::from_utf8(input.into())
        .map_err(|err| Error::InvalidUtf8 { offset: err.utf8_error().valid_up_to() })?;
    let doc = crate::parse::build(id, text, shape, meta, None)?;
    Ok(Loaded { documents: vec![doc], problems: Vec::new() })
}

/// Opens a JSONL file for streaming with [`JsonlReader`] (the sidecar is not read).
///
/// # Errors
///
/// An I/O error opening the file, with its path.
pub fn open_jsonl(
    path: impl AsRef<Path>,
    options: &ParseOptions,
) -> Result<JsonlReader<BufReader<File>>> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|err| Error::Io(err).with_path(path))?;
    Ok(JsonlReader::new(path, BufReader::new(file), options))
}

fn is_control(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f)
}

/// The offset of the first NUL byte of `bytes` (a vectorized search: it reads every byte).
fn first_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

/// How many bytes of `bytes` are [control bytes](is_control): counted in
/// byte-wide lanes over chunks of 255 bytes (a count that cannot overflow a
/// byte), which the compiler turns into vector compares and adds.
fn count_control(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| {
            let n = chunk.iter().fold(0u8, |n, &b| {
                // Control bytes: below 0x20 except `\t` `\n` `\x0c` `\r`, and DEL.
                let low = b < 0x20 && !matches!(b, 0x09 | 0x0a | 0x0c | 0x0d);
                n.wrapping_add(u8::from(low | (b == 0x7f)))
            });
            usize::from(n)
        })
        .sum()
}

fn check_binary(bytes: &[u8]) -> Result<()> {
    if let Some(offset) = first_nul(bytes) {
        return Err(Error::NulByte { offset });
    }
    let probe = bytes.get(..CONTROL_PROBE_BYTES).unwrap_or(bytes);
    let n_control = count_control(probe);
    if n_control * 10 > probe.len() {
        let offset = probe.iter().position(|&b| is_control(b)).unwrap_or(0);
        return Err(Error::ControlBytes { offset, n_control, n_scanned: probe.len() });
    }
    Ok(())
}

/// The default document id for `path`: its file name without a final `.gz`
/// and without its extension (`dir/a.txt.gz` → `a`); `document` when the path
/// has no file name.
///
/// ```
/// use briefing_corpus::document_id;
/// assert_eq!(document_id("corpus/talk-2020.txt"), "talk-2020");
/// assert_eq!(document_id("corpus/items.jsonl.gz"), "items");
/// ```
#[must_use]
pub fn document_id(path: impl AsRef<Path>) -> String {
    let Some(name) = path.as_ref().file_name() else { return "document".to_owned() };
    let name = name.to_string_lossy();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let stem = Path::new(name).file_stem().map(|s| s.to_string_lossy().into_owned());
    stem.filter(|s| !s.trim_matches(is_space).is_empty()).unwrap_or_else(|| name.to_owned())
}

/// The metadata sidecar of `path`: `NAME.meta.json` in the same directory,
/// where `NAME` is [`document_id`] of `path`.
///
/// ```
/// use briefing_corpus::sidecar_path;
/// use std::path::Path;
/// assert_eq!(sidecar_path("corpus/talk.txt"), Path::new("corpus/talk.meta.json"));
/// ```
#[must_use]
pub fn sidecar_path(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    path.with_file_name(format!("{}{SIDECAR_SUFFIX}", document_id(path)))
}

/// Whether `path` is a metadata sidecar (its name ends with `.meta.json`), so
/// that a corpus walker can skip it.
#[must_use]
pub fn is_sidecar(path: impl AsRef<Path>) -> bool {
    path.as_ref().file_name().is_some_and(|name| name.to_string_lossy().ends_with(SIDECAR_SUFFIX))
}

/// Reads the sidecar of `path` (see [`sidecar_path`]); `Ok(None)` when there is none.
///
/// # Errors
///
/// An I/O error other than "not found", or [`Error::Metadata`] when the
/// sidecar is not a JSON object with string fields; both name the sidecar.
pub fn read_sidecar(path: impl AsRef<Path>) -> Result<Option<Metadata>> {
    let sidecar = sidecar_path(path);
    match std::fs::read(&sidecar) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| Error::Metadata(err).with_path(&sidecar)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Error::Io(err).with_path(&sidecar)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_nul_finds_the_first_nul_byte_anywhere() {
        for len in [0usize, 1, 63, 64, 65, 200] {
            assert_eq!(first_nul(&vec![b'a'; len]), None, "{len}");
            for at in 0..len {
                let mut bytes = vec![b'a'; len];
                bytes[at] = 0;
                if at + 3 < len {
                    bytes[at + 3] = 0;
                }
                assert_eq!(first_nul(&bytes), Some(at), "{len} {at}");
            }
        }
    }

    #[test]
    fn control_bytes_are_counted_exactly_past_a_byte_counter() {
        let every: Vec<u8> = (0..=255u8).collect();
        assert_eq!(count_control(&every), 29, "0x00-0x08, 0x0b, 0x0e-0x1f, 0x7f");
        // 300 control bytes in one run (more than a byte-wide lane holds), then text.
        let mut bytes = vec![0x01u8; 300];
        bytes.extend(b"text\t\r\n\x0c".repeat(40));
        bytes.extend(every.iter().cycle().take(5000));
        let expected = bytes.iter().filter(|&&b| is_control(b)).count();
        assert_eq!(count_control(&bytes), expected);
        assert_eq!(count_control(&[]), 0);
    }
}
