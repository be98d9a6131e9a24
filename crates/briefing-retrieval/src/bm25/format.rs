//! The `index.bin` file: a magic header, a JSON description, varint sections and a checksum.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! magic "BRF-BM25" | version u32 | header length u32 | header (JSON)
//! section*         (u64 byte length, then the bytes)
//! checksum u64     (of every byte before it)
//! ```
//!
//! The sections, in order: term bytes (sorted terms, concatenated); term
//! lengths; document frequencies; for each term its paragraphs (the first,
//! then gaps); term frequencies; paragraph lengths; document runs (name
//! length, name bytes, paragraph count); paragraph id bytes; paragraph id
//! lengths. Numbers are LEB128 varints.

use super::index::Parts;
use super::shard::Names;
use super::{Index, Params};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// The version of the `index.bin` layout this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The name of the index file inside an index directory.
pub const INDEX_FILE: &str = "index.bin";

const MAGIC: &[u8; 8] = b"BRF-BM25";
const FORMAT_NAME: &str = "briefing-bm25";

/// The JSON header: what the index is, so a reader can check before decoding.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    analyzer: String,
    params: Params,
    n_paragraphs: u64,
    n_terms: u64,
    n_postings: u64,
    n_docs: u64,
    n_tokens: u64,
}

impl Index {
    /// Saves the index as `dir/index.bin` ([`INDEX_FILE`]), creating `dir`
    /// if needed. The file is written under a temporary name and renamed, so
    /// an interrupted save never leaves a partial `index.bin`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory or file cannot be written.
    pub fn save(&self, dir: &Path) -> Result<()> {
        save_atomically(dir, |out| self.write_to(out))
    }

    /// The index as bytes, in the `index.bin` layout.
    ///
    /// ```
    /// use briefing_retrieval::bm25::{Index, IndexBuilder, Params, ShardBuilder, TermCache};
    /// let mut cache = TermCache::new();
    /// let mut shard = ShardBuilder::new(&mut cache);
    /// shard.add("d", "p0", "Trade rules.");
    /// let mut builder = IndexBuilder::new(Params::default());
    /// builder.push(shard.finish()).unwrap();
    /// let index = builder.build().unwrap();
    /// let copy = Index::from_bytes(&index.to_bytes()).unwrap();
    /// assert_eq!(copy.search("rule", 1), index.search("rule", 1));
    /// assert!(Index::from_bytes(b"not an index").is_err());
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Hashing { inner: Vec::new(), hash: Hasher::default() };
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut out);
        let hash = out.hash.finish();
        let mut bytes = out.inner;
        bytes.extend_from_slice(&hash.to_le_bytes());
        bytes
    }

    fn write_to<W: Write>(&self, out: &mut Hashing<W>) -> Result<()> {
        let parts = &self.parts;
        let layout = Layout {
            params: parts.params,
            term_bytes: &parts.term_bytes,
            term_ends: &parts.term_ends,
            offsets: &parts.offsets,
            doc_lens: &parts.doc_lens,
            names: &parts.names,
            n_tokens: parts.n_tokens,
        };
        write_index(out, &layout, Postings::Lists { docs: &parts.docs, tfs: &parts.tfs })
    }

    /// Loads `dir/index.bin` ([`INDEX_FILE`]) written by [`Index::save`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read or is corrupt (bad
    /// checksum, truncated, inconsistent), [`Error::Format`] when it is not a
    /// BM25 index of version [`FORMAT_VERSION`], [`Error::Json`] for a bad
    /// header.
    pub fn load(dir: &Path) -> Result<Index> {
        let bytes = std::fs::read(dir.join(INDEX_FILE))?;
        Index::from_bytes(&bytes)
    }

    /// Decodes an index from the bytes of an `index.bin` file.
    ///
    /// # Errors
    ///
    /// As [`Index::load`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Index> {
        let expected = || format!("{FORMAT_NAME} version {FORMAT_VERSION}");
        if bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(Error::Format {
                found: "not a bm25 index".to_owned(),
                expected: expected(),
            });
        }
        let body_len = bytes.len().checked_sub(8).ok_or_else(|| corrupt("truncated"))?;
        let (body, tail) = bytes.split_at(body_len);
        let stored = u64::from_le_bytes(tail.try_into().map_err(|_| corrupt("truncated"))?);
        let mut reader = Reader { bytes: body, pos: 8 };
        let version = reader.u32()?;
        if version != FORMAT_VERSION {
            return Err(Error::Format {
                found: format!("{FORMAT_NAME} version {version}"),
                expected: expected(),
            });
        }
        let mut hasher = Hasher::default();
        hasher.update(body);
        if hasher.finish() != stored {
            return Err(corrupt("checksum mismatch (truncated or damaged file)"));
        }
        let header_len = reader.u32()? as usize;
        let header: Header = serde_json::from_slice(reader.take(header_len)?)?;
        if header.format != FORMAT_NAME || header.analyzer != "english" {
            return Err(Error::Format {
                found: format!("{} ({})", header.format, header.analyzer),
                expected: expected(),
            });
        }
        let n_terms = usize::try_from(header.n_terms).map_err(|_| corrupt("too many terms"))?;
        let n_postings =
            usize::try_from(header.n_postings).map_err(|_| corrupt("too many postings"))?;
        let n_paragraphs =
            usize::try_from(header.n_paragraphs).map_err(|_| corrupt("too many paragraphs"))?;
        let n_docs = usize::try_from(header.n_docs).map_err(|_| corrupt("too many documents"))?;
        if n_postings >= u32::MAX as usize || n_paragraphs >= u32::MAX as usize {
            return Err(corrupt("too large"));
        }

        let term_bytes = utf8(reader.section()?)?;
        let term_ends = ends(reader.section()?, n_terms, term_bytes.len())?;
        let mut dfs = Reader { bytes: reader.section()?, pos: 0 };
        let mut offsets = Vec::with_capacity(n_terms + 1);
        offsets.push(0u32);
        let mut total = 0u64;
        for _ in 0..n_terms {
            total += dfs.varint()?;
            offsets.push(u32::try_from(total).map_err(|_| corrupt("document frequencies"))?);
        }
        if total != header.n_postings {
            return Err(corrupt("document frequencies do not add up to the postings"));
        }
        let mut gaps = Reader { bytes: reader.section()?, pos: 0 };
        let mut docs = Vec::with_capacity(n_postings);
        for term in 0..n_terms {
            let len = offsets.get(term + 1).copied().unwrap_or(0)
                - offsets.get(term).copied().unwrap_or(0);
            let mut doc = 0u64;
            for idx in 0..len {
                let gap = gaps.varint()?;
                if idx > 0 && gap == 0 {
                    return Err(corrupt("postings out of order"));
                }
                doc += gap;
                if doc >= n_paragraphs as u64 {
                    return Err(corrupt("posting past the last paragraph"));
                }
                docs.push(doc as u32);
            }
        }
        let tfs = u32s(reader.section()?, n_postings)?;
        let doc_lens = u32s(reader.section()?, n_paragraphs)?;
        let mut runs = Reader { bytes: reader.section()?, pos: 0 };
        let mut doc_runs = Vec::with_capacity(n_docs);
        let mut n_in_runs = 0u64;
        for _ in 0..n_docs {
            let len = usize::try_from(runs.varint()?).map_err(|_| corrupt("document name"))?;
            let name = utf8(runs.take(len)?)?;
            let count = u32::try_from(runs.varint()?).map_err(|_| corrupt("document run"))?;
            n_in_runs += u64::from(count);
            doc_runs.push((name, count));
        }
        if n_in_runs != header.n_paragraphs {
            return Err(corrupt("document runs do not cover the paragraphs"));
        }
        let para_bytes = utf8(reader.section()?)?;
        let para_ends = ends(reader.section()?, n_paragraphs, para_bytes.len())?;
        if reader.pos != body.len() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(Index::from_parts(Parts {
            params: header.params,
            term_bytes,
            term_ends,
            offsets,
            docs,
            tfs,
            doc_lens,
            names: Names { doc_runs, para_bytes, para_ends },
            n_tokens: header.n_tokens,
        }))
    }
}

/// Everything of an index but its postings, as [`write_index`] writes it.
pub(crate) struct Layout<'a> {
    pub(crate) params: Params,
    pub(crate) term_bytes: &'a str,
    pub(crate) term_ends: &'a [u32],
    /// Postings of term `t`: `offsets[t]..offsets[t + 1]` (`n_terms + 1` entries).
    pub(crate) offsets: &'a [u32],
    pub(crate) doc_lens: &'a [u32],
    pub(crate) names: &'a Names,
    pub(crate) n_tokens: u64,
}

/// The postings to write: plain lists, or their two sections already encoded in pieces
/// (in term order; the pieces of a section are written back to back).
pub(crate) enum Postings<'a> {
    /// Paragraph and term frequency of each posting, in term order.
    Lists { docs: &'a [u32], tfs: &'a [u32] },
    /// The paragraph-gap section and the term-frequency section, in pieces.
    Encoded { gaps: &'a [Vec<u8>], tfs: &'a [Vec<u8>] },
}

/// Writes `dir/index.bin` under a temporary name with `write` and renames it when
/// complete (checksum included).
pub(crate) fn save_atomically(
    dir: &Path,
    write: impl FnOnce(&mut Hashing<std::io::BufWriter<std::fs::File>>) -> Result<()>,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(INDEX_FILE);
    let tmp = dir.join(format!("{INDEX_FILE}.tmp"));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 20, file),
            hash: Hasher::default(),
        };
        write(&mut out)?;
        let hash = out.hash.finish();
        let mut inner = out.inner;
        inner.write_all(&hash.to_le_bytes())?;
        inner.into_inner().map_err(std::io::IntoInnerError::into_error)?;
        Ok(std::fs::rename(&tmp, &path)?)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes an index in the `index.bin` layout, checksum excluded.
pub(crate) fn write_index<W: Write>(
    out: &mut Hashing<W>,
    layout: &Layout<'_>,
    postings: Postings<'_>,
) -> Result<()> {
    let n_postings = layout.offsets.last().copied().unwrap_or(0);
    let header = Header {
        format: FORMAT_NAME.to_owned(),
        version: FORMAT_VERSION,
        analyzer: "english".to_owned(),
        params: layout.params,
        n_paragraphs: layout.doc_lens.len() as u64,
        n_terms: layout.term_ends.len() as u64,
        n_postings: u64::from(n_postings),
        n_docs: layout.names.doc_runs.len() as u64,
        n_tokens: layout.n_tokens,
    };
    let header = serde_json::to_vec(&header)?;
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&u32::try_from(header.len()).unwrap_or(u32::MAX).to_le_bytes())?;
    out.write_all(&header)?;
    section(out, layout.term_bytes.as_bytes())?;
    section(out, &varints(lengths(layout.term_ends)))?;
    section(out, &varints(lengths(layout.offsets).skip(1)))?;
    match postings {
        Postings::Lists { docs, tfs } => {
            // The big sections are streamed, not built in memory.
            let gaps = || {
                layout.offsets.windows(2).flat_map(|range| {
                    let (start, end) = match *range {
                        [start, end] => (start as usize, end as usize),
                        _ => (0, 0),
                    };
                    let docs = docs.get(start..end).unwrap_or_default();
                    let prevs = std::iter::once(0).chain(docs.iter().copied());
                    docs.iter().zip(prevs).map(|(&doc, prev)| u64::from(doc.saturating_sub(prev)))
                })
            };
            varint_section(out, gaps)?;
            varint_section(out, || tfs.iter().map(|&tf| u64::from(tf)))?;
        }
        Postings::Encoded { gaps, tfs } => {
            pieces_section(out, gaps)?;
            pieces_section(out, tfs)?;
        }
    }
    varint_section(out, || layout.doc_lens.iter().map(|&len| u64::from(len)))?;
    let mut runs = Vec::new();
    for (name, count) in &layout.names.doc_runs {
        push_varint(&mut runs, name.len() as u64);
        runs.extend_from_slice(name.as_bytes());
        push_varint(&mut runs, u64::from(*count));
    }
    section(out, &runs)?;
    section(out, layout.names.para_bytes.as_bytes())?;
    section(out, &varints(lengths(&layout.names.para_ends)))?;
    Ok(())
}

/// A section made of `pieces` written back to back.
fn pieces_section<W: Write>(out: &mut Hashing<W>, pieces: &[Vec<u8>]) -> Result<()> {
    let n_bytes: usize = pieces.iter().map(Vec::len).sum();
    out.write_all(&(n_bytes as u64).to_le_bytes())?;
    for piece in pieces {
        out.write_all(piece)?;
    }
    Ok(())
}

fn corrupt(what: &str) -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("corrupt bm25 index: {what}"),
    ))
}

fn utf8(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| corrupt("invalid utf-8"))
}

/// Lengths of consecutive ranges from their end offsets.
fn lengths(ends: &[u32]) -> impl Iterator<Item = u64> + '_ {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts.zip(ends.iter().copied()).map(|(start, end)| u64::from(end.saturating_sub(start)))
}

/// End offsets from `n` varint lengths that must add up to `total`.
fn ends(bytes: &[u8], n: usize, total: usize) -> Result<Vec<u32>> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut out = Vec::with_capacity(n);
    let mut end = 0u64;
    for _ in 0..n {
        end += reader.varint()?;
        out.push(u32::try_from(end).map_err(|_| corrupt("lengths"))?);
    }
    if end != total as u64 || reader.pos != bytes.len() {
        return Err(corrupt("lengths do not add up"));
    }
    Ok(out)
}

fn u32s(bytes: &[u8], n: usize) -> Result<Vec<u32>> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(u32::try_from(reader.varint()?).map_err(|_| corrupt("number too large"))?);
    }
    if reader.pos != bytes.len() {
        return Err(corrupt("section length"));
    }
    Ok(out)
}

fn varints(values: impl Iterator<Item = u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for value in values {
        push_varint(&mut out, value);
    }
    out
}

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A section of varints, as [`section`] of [`varints`] would write it, through a small
/// buffer: `values` is called twice, to size the section, then to write it.
fn varint_section<W: Write, I: Iterator<Item = u64>>(
    out: &mut Hashing<W>,
    values: impl Fn() -> I,
) -> Result<()> {
    let size = |value: u64| (64 - (value | 1).leading_zeros() as u64).div_ceil(7);
    let n_bytes: u64 = values().map(size).sum();
    out.write_all(&n_bytes.to_le_bytes())?;
    let mut buf = Vec::with_capacity(1 << 16);
    for value in values() {
        push_varint(&mut buf, value);
        if buf.len() >= (1 << 16) - 10 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(())
}

fn section<W: Write>(out: &mut Hashing<W>, bytes: &[u8]) -> Result<()> {
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)?;
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(|| corrupt("truncated"))?;
        let out = self.bytes.get(self.pos..end).ok_or_else(|| corrupt("truncated"))?;
        self.pos = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32> {
        let bytes = self.take(4)?;
        Ok(u32::from_le_bytes(bytes.try_into().map_err(|_| corrupt("truncated"))?))
    }

    fn section(&mut self) -> Result<&'a [u8]> {
        let bytes = self.take(8)?;
        let len = u64::from_le_bytes(bytes.try_into().map_err(|_| corrupt("truncated"))?);
        self.take(usize::try_from(len).map_err(|_| corrupt("section too large"))?)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or_else(|| corrupt("truncated varint"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(corrupt("varint too long"))
    }
}

/// A writer that hashes what goes through it.
pub(crate) struct Hashing<W> {
    inner: W,
    hash: Hasher,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A fast streaming 64-bit checksum (not cryptographic): detects truncation
/// and damage, the same whatever the chunking of the input.
#[derive(Debug)]
struct Hasher {
    state: u64,
    pending: [u8; 8],
    n_pending: usize,
    n_bytes: u64,
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher { state: 0x9e37_79b9_7f4a_7c15, pending: [0; 8], n_pending: 0, n_bytes: 0 }
    }
}

impl Hasher {
    fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.n_bytes += bytes.len() as u64;
        while self.n_pending > 0 && !bytes.is_empty() {
            if let (Some(slot), Some((&byte, rest))) =
                (self.pending.get_mut(self.n_pending), bytes.split_first())
            {
                *slot = byte;
                bytes = rest;
            }
            self.n_pending += 1;
            if self.n_pending == 8 {
                self.mix(u64::from_le_bytes(self.pending));
                self.n_pending = 0;
            }
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            if let Some(slot) = self.pending.get_mut(self.n_pending) {
                *slot = byte;
            }
            self.n_pending += 1;
        }
    }

    fn finish(mut self) -> u64 {
        let mut last = [0u8; 8];
        if let Some(dst) = last.get_mut(..self.n_pending) {
            dst.copy_from_slice(self.pending.get(..self.n_pending).unwrap_or_default());
        }
        self.mix(u64::from_le_bytes(last));
        self.mix(self.n_bytes);
        self.state ^ (self.state >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_varint_sections_equal_built_ones() {
        let values: Vec<u64> =
            (0..100_000u64).map(|i| (i * 7919) % (1 << (i % 40))).chain([0, 127, 128]).collect();
        let mut built = Hashing { inner: Vec::new(), hash: Hasher::default() };
        section(&mut built, &varints(values.iter().copied())).unwrap_or_default();
        let mut streamed = Hashing { inner: Vec::new(), hash: Hasher::default() };
        varint_section(&mut streamed, || values.iter().copied()).unwrap_or_default();
        assert!(built.inner.len() > 8 + values.len());
        assert_eq!(built.inner, streamed.inner);
        assert_eq!(built.hash.finish(), streamed.hash.finish());
    }
}
