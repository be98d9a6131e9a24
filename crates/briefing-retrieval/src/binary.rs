//! The compact binary save format of an [`Index`]: magic bytes, a version
//! and a [`postcard`] body holding what building computed, so loading
//! analyses nothing again.
//!
//! Layout:
//!
//! ```text
//! magic "BRF-RETR" | version u32 (little-endian) | postcard body
//! ```
//!
//! The body is the index's serde types in a fixed field order, plus the
//! eagerly compiled synonym phrases; the lazily compiled parts (derived
//! rules' query phrases) start empty after a load, as after a build.
//! The synonym rules are packed (version 2): all their terms as one string
//! plus a byte block with each rule's weight, term counts and term lengths;
//! the lexicon is read as bytes; the word terms' order by key is saved.

use crate::index::{Derived, Posting, Saved, analyzer_for};
use crate::synonyms::{Compiled, CompiledParts};
use crate::{Config, Error, FORMAT, Index, Lexicon, Passage, Result, Source, Synonyms};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{Read, Write};

/// The magic bytes opening a binary saved index ([`Index::to_bytes`]).
pub const BINARY_MAGIC: [u8; 8] = *b"BRF-RETR";

/// The version of the binary layout this code writes and reads; a file of
/// another version is refused with [`Error::Format`].
pub const BINARY_VERSION: u32 = 2;

/// The body: borrowed when writing, owned after reading.
#[derive(Serialize, Deserialize)]
struct Body<'a> {
    config: Cow<'a, Config>,
    synonyms: Cow<'a, Synonyms>,
    sources: Cow<'a, [Source]>,
    passages: Cow<'a, [Passage]>,
    passage_doc: Cow<'a, [usize]>,
    bank: Cow<'a, [Vec<String>]>,
    labels: Cow<'a, [Option<String>]>,
    terms: Cow<'a, [String]>,
    postings: Cow<'a, [Vec<Posting>]>,
    derived: Cow<'a, [Derived]>,
    speaker_keys: Cow<'a, [String]>,
    typo_words: Vec<(String, String, u32)>,
    lexicon: Cow<'a, Lexicon>,
    compiled: CompiledParts,
    /// The word terms' ids sorted by key (so loading sorts nothing).
    sorted_terms: Cow<'a, [u32]>,
}

fn version_name(version: u32) -> String {
    format!("binary version {version}")
}

impl Index {
    /// The index in the compact binary format (see [`BINARY_MAGIC`]).
    ///
    /// ```
    /// use briefing_retrieval::{Config, Index, IndexBuilder, Passage, Source};
    /// let mut builder = IndexBuilder::new(Config::default());
    /// builder.document(Source::default(), vec![Passage::new("p0", "Trade grew.")]);
    /// let index = builder.build().unwrap();
    /// let bytes = index.to_bytes().unwrap();
    /// assert!(bytes.starts_with(b"BRF-RETR"));
    /// let loaded = Index::from_bytes(&bytes).unwrap();
    /// assert_eq!(loaded.passages(), index.passages());
    /// assert_eq!(loaded.to_bytes().unwrap(), bytes);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Binary`] when encoding fails.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let body = Body {
            config: Cow::Borrowed(&self.config),
            synonyms: Cow::Borrowed(&self.synonyms),
            sources: Cow::Borrowed(&self.sources),
            passages: Cow::Borrowed(&self.passages),
            passage_doc: Cow::Borrowed(&self.passage_doc),
            bank: Cow::Borrowed(&self.bank),
            labels: Cow::Borrowed(&self.labels),
            terms: Cow::Borrowed(&self.terms),
            postings: Cow::Borrowed(&self.postings),
            derived: Cow::Borrowed(&self.derived),
            speaker_keys: Cow::Borrowed(&self.speaker_keys),
            typo_words: self.typos.entries(),
            lexicon: Cow::Borrowed(&self.lexicon),
            compiled: self.compiled.parts(),
            sorted_terms: Cow::Borrowed(&self.sorted_terms),
        };
        let mut bytes = Vec::with_capacity(64 * 1024);
        bytes.extend_from_slice(&BINARY_MAGIC);
        bytes.extend_from_slice(&BINARY_VERSION.to_le_bytes());
        Ok(postcard::to_extend(&body, bytes)?)
    }

    /// Reads an index written by [`Index::to_bytes`]. Nothing is analysed
    /// or compiled again: the synonym phrases, vocabulary and postings are
    /// read as saved.
    ///
    /// # Errors
    ///
    /// [`Error::NotBinary`] when the input does not start with
    /// [`BINARY_MAGIC`], [`Error::Format`] when it has another
    /// [`BINARY_VERSION`], [`Error::Binary`] when it is truncated, corrupt or
    /// has bytes after the index.
    pub fn from_bytes(bytes: &[u8]) -> Result<Index> {
        let Some(rest) = bytes.strip_prefix(&BINARY_MAGIC) else {
            return Err(if BINARY_MAGIC.starts_with(bytes) {
                Error::from(postcard::Error::DeserializeUnexpectedEnd)
            } else {
                Error::NotBinary
            });
        };
        let (version, rest) = match rest.split_first_chunk::<4>() {
            Some((version, rest)) => (u32::from_le_bytes(*version), rest),
            None => return Err(Error::from(postcard::Error::DeserializeUnexpectedEnd)),
        };
        if version != BINARY_VERSION {
            return Err(Error::Format {
                found: version_name(version),
                expected: version_name(BINARY_VERSION),
            });
        }
        let (body, trailing): (Body<'_>, &[u8]) = postcard::take_from_bytes(rest)?;
        if !trailing.is_empty() {
            return Err(Error::TrailingBytes(trailing.len()));
        }
        let config = body.config.into_owned();
        let analyzer = analyzer_for(&config)?;
        let synonyms = body.synonyms.into_owned();
        let compiled = std::sync::Arc::new(Compiled::from_parts(
            body.compiled,
            synonyms.rules().len(),
            &analyzer,
        ));
        let saved = Saved {
            format: FORMAT.to_owned(),
            config,
            synonyms,
            sources: body.sources.into_owned(),
            passages: body.passages.into_owned(),
            passage_doc: body.passage_doc.into_owned(),
            bank: body.bank.into_owned(),
            labels: body.labels.into_owned(),
            terms: body.terms.into_owned(),
            postings: body.postings.into_owned(),
            derived: body.derived.into_owned(),
            speaker_keys: body.speaker_keys.into_owned(),
            typo_words: body.typo_words,
            lexicon: body.lexicon.into_owned(),
        };
        let sorted_terms = body.sorted_terms.into_owned();
        if sorted_terms.iter().any(|&id| id as usize >= saved.terms.len()) {
            return Err(Error::from(postcard::Error::DeserializeBadEncoding));
        }
        Ok(Index::from_saved(saved, analyzer, compiled, None, Some(sorted_terms)))
    }

    /// Writes the index in the compact binary format ([`Index::to_bytes`]).
    ///
    /// # Errors
    ///
    /// [`Error::Binary`] when encoding fails, [`Error::Io`] when writing
    /// fails.
    pub fn save_binary<W: Write>(&self, mut writer: W) -> Result<()> {
        writer.write_all(&self.to_bytes()?)?;
        Ok(())
    }

    /// Reads an index written by [`Index::save_binary`] (all of `reader`).
    ///
    /// # Errors
    ///
    /// As [`Index::from_bytes`], and [`Error::Io`] when reading fails.
    pub fn load_binary<R: Read>(mut reader: R) -> Result<Index> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        Index::from_bytes(&bytes)
    }
}
