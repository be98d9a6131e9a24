//! Merging shards, in push order, into an [`Index`].

use super::cache::Interner;
use super::shard::Names;
use super::{Index, Params, Shard};
use crate::{Error, Result};

/// Merges [`Shard`]s into an [`Index`].
///
/// Shards are numbered by the order they are pushed, and their paragraphs
/// follow each other in that order: push them in corpus order and the index
/// is the same whichever threads built them.
///
/// ```
/// use briefing_retrieval::bm25::{IndexBuilder, Params, ShardBuilder, TermCache};
/// let mut cache = TermCache::new();
/// let mut builder = IndexBuilder::new(Params::default());
/// for (doc, text) in [("a", "Red apples."), ("b", "Green apples and red pears.")] {
///     let mut shard = ShardBuilder::new(&mut cache);
///     shard.add(doc, "p0", text);
///     builder.push(shard.finish()).unwrap();
/// }
/// let index = builder.build().unwrap();
/// assert_eq!(index.stats().n_paragraphs, 2);
/// assert_eq!(index.stats().n_terms, 4);
/// ```
#[derive(Debug)]
pub struct IndexBuilder {
    params: Params,
    /// The terms, by global id (first-pushed order).
    terms: Interner,
    parts: Vec<Part>,
    doc_lens: Vec<u32>,
    names: Names,
    n_tokens: u64,
    n_postings: usize,
    /// For the caches whose shards were pushed last: cache term id → global id + 1
    /// (0: not known yet), so that a term is interned once per cache, not once per shard.
    known: Vec<(u64, Vec<u32>)>,
}

/// Most caches [`IndexBuilder`] remembers the term ids of.
const KNOWN_CACHES: usize = 8;

/// A pushed shard: global term ids, and postings with global paragraph numbers.
#[derive(Debug)]
struct Part {
    term_ids: Vec<u32>,
    offsets: Vec<u32>,
    /// For each local term in order, for each posting: the paragraph gap
    /// (global paragraph for the first) and the tf, as varints: about a
    /// third of the memory of plain `u32`s while shards wait for `build`.
    postings: Vec<u8>,
}

impl IndexBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new(params: Params) -> IndexBuilder {
        IndexBuilder {
            params,
            terms: Interner::default(),
            parts: Vec::new(),
            doc_lens: Vec::new(),
            names: Names::default(),
            n_tokens: 0,
            n_postings: 0,
            known: Vec::new(),
        }
    }

    /// Appends a shard's paragraphs after those pushed so far.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] (invalid input) when the index would hold more than
    /// `u32::MAX - 1` paragraphs or postings.
    pub fn push(&mut self, shard: Shard) -> Result<()> {
        let base = self.doc_lens.len();
        let n_postings = self.n_postings;
        if base + shard.doc_lens.len() >= u32::MAX as usize
            || n_postings + shard.docs.len() >= u32::MAX as usize
            || self.names.para_bytes.len() + shard.names.para_bytes.len() >= u32::MAX as usize
        {
            return Err(too_large());
        }
        let base = base as u32;
        self.n_tokens += shard.n_tokens();
        let term_ids = self.global_ids(&shard);
        let mut postings = Vec::with_capacity(shard.docs.len() * 3);
        for local in 0..term_ids.len() {
            let start = shard.offsets.get(local).copied().unwrap_or(0) as usize;
            let len = list_len(&shard.offsets, local) as usize;
            let docs = shard.docs.get(start..start + len).unwrap_or_default();
            let tfs = shard.tfs.get(start..start + len).unwrap_or_default();
            let mut prev = 0u32;
            for (idx, (&doc, &tf)) in docs.iter().zip(tfs).enumerate() {
                let gap = if idx == 0 { doc + base } else { doc - prev };
                push_varint(&mut postings, gap);
                push_varint(&mut postings, tf);
                prev = doc;
            }
        }
        self.n_postings += shard.docs.len();
        self.parts.push(Part { term_ids, offsets: shard.offsets, postings });
        self.doc_lens.extend_from_slice(&shard.doc_lens);
        append_names(&mut self.names, shard.names);
        Ok(())
    }

    /// The global id of each of the shard's terms, interned when new.
    fn global_ids(&mut self, shard: &Shard) -> Vec<u32> {
        let idx = match self.known.iter().position(|(origin, _)| *origin == shard.origin) {
            Some(idx) => idx,
            None => {
                if self.known.len() >= KNOWN_CACHES {
                    self.known.remove(0);
                }
                self.known.push((shard.origin, Vec::new()));
                self.known.len() - 1
            }
        };
        let terms = &mut self.terms;
        let Some((_, known)) = self.known.get_mut(idx) else {
            return shard.terms().map(|term| terms.intern(term)).collect();
        };
        shard
            .terms()
            .zip(&shard.cache_ids)
            .map(|(term, &cache_id)| {
                super::shard::memoized(known, cache_id as usize, || terms.intern(term))
            })
            .collect()
    }

    /// How many paragraphs were pushed so far.
    #[must_use]
    pub fn n_paragraphs(&self) -> usize {
        self.doc_lens.len()
    }

    /// Sorts the terms, lays out each term's postings in paragraph order and
    /// computes the scores.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for limits.
    pub fn build(self) -> Result<Index> {
        let IndexBuilder { params, terms, parts, doc_lens, names, n_tokens, .. } = self;
        let n_terms = terms.len();
        // Sorted by key; most comparisons are settled by the keys' first eight bytes
        // (big-endian, zero-padded: their order is the keys' order when they differ).
        let mut keyed: Vec<(u64, u32)> =
            (0..n_terms as u32).map(|id| (prefix(terms.key(id).unwrap_or("")), id)).collect();
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| terms.key(a.1).unwrap_or("").cmp(terms.key(b.1).unwrap_or("")))
        });
        let order: Vec<u32> = keyed.into_iter().map(|(_, id)| id).collect();
        let mut rank = vec![0u32; n_terms];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = rank.get_mut(old as usize) {
                *slot = new as u32;
            }
        }
        // Document frequencies, then offsets, in sorted-term order.
        let mut offsets = vec![0u32; n_terms + 1];
        for part in &parts {
            for (local, &global) in part.term_ids.iter().enumerate() {
                let len = list_len(&part.offsets, local);
                if let Some(slot) =
                    rank.get(global as usize).and_then(|&r| offsets.get_mut(r as usize + 1))
                {
                    *slot += len;
                }
            }
        }
        for idx in 1..offsets.len() {
            let prev = offsets.get(idx - 1).copied().unwrap_or(0);
            if let Some(offset) = offsets.get_mut(idx) {
                *offset += prev;
            }
        }
        let n_postings = offsets.last().copied().unwrap_or(0) as usize;
        let mut docs = vec![0u32; n_postings];
        let mut tfs = vec![0u32; n_postings];
        let mut cursor: Vec<u32> = offsets.clone();
        for part in parts {
            let mut pos = 0usize;
            for (local, &global) in part.term_ids.iter().enumerate() {
                let len = list_len(&part.offsets, local) as usize;
                let Some(at) = rank.get(global as usize).and_then(|&r| cursor.get_mut(r as usize))
                else {
                    continue;
                };
                let dst = *at as usize;
                *at += len as u32;
                let mut doc = 0u32;
                for idx in dst..dst + len {
                    doc += read_varint(&part.postings, &mut pos);
                    let tf = read_varint(&part.postings, &mut pos);
                    if let (Some(d), Some(t)) = (docs.get_mut(idx), tfs.get_mut(idx)) {
                        *d = doc;
                        *t = tf;
                    }
                }
            }
        }
        let mut term_bytes = String::new();
        let mut term_ends = Vec::with_capacity(n_terms);
        for &old in &order {
            term_bytes.push_str(terms.key(old).unwrap_or(""));
            term_ends.push(u32::try_from(term_bytes.len()).map_err(|_| too_large())?);
        }
        drop(terms);
        Ok(Index::from_parts(super::index::Parts {
            params,
            term_bytes,
            term_ends,
            offsets,
            docs,
            tfs,
            doc_lens,
            names,
            n_tokens,
        }))
    }
}

/// The first eight bytes of `key`, zero-padded, as a big-endian integer.
fn prefix(key: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (dst, &src) in bytes.iter_mut().zip(key.as_bytes()) {
        *dst = src;
    }
    u64::from_be_bytes(bytes)
}

fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a varint written by [`push_varint`] (0 past the end: the bytes are our own).
fn read_varint(bytes: &[u8], pos: &mut usize) -> u32 {
    let mut value = 0u32;
    let mut shift = 0;
    while let Some(&byte) = bytes.get(*pos) {
        *pos += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 28 {
            break;
        }
    }
    value
}

fn list_len(offsets: &[u32], local: usize) -> u32 {
    let start = offsets.get(local).copied().unwrap_or(0);
    let end = offsets.get(local + 1).copied().unwrap_or(start);
    end.saturating_sub(start)
}

fn append_names(names: &mut Names, more: Names) {
    let mut runs = more.doc_runs.into_iter();
    if let (Some((last, n)), Some((first, m))) =
        (names.doc_runs.last_mut(), runs.as_slice().first())
        && last == first
    {
        *n += *m;
        runs.next();
    }
    names.doc_runs.extend(runs);
    let base = names.para_bytes.len();
    names.para_bytes.push_str(&more.para_bytes);
    names.para_ends.extend(more.para_ends.iter().map(|&end| (base + end as usize) as u32));
}

pub(crate) fn too_large() -> Error {
    Error::Io(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "bm25 index too large: more than 4 GiB of postings, paragraphs or names",
    ))
}
