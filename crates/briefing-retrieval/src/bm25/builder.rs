//! Merging shards, in push order, into an [`Index`].

use super::cache::Interner;
use super::format::{Layout, Postings, save_atomically, write_index};
use super::shard::{Names, push_varint};
use super::{Index, IndexStats, Params, Shard};
use crate::{Error, Result};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// Document frequency of each term, by global id.
    dfs: Vec<u32>,
    doc_lens: Vec<u32>,
    names: Names,
    n_tokens: u64,
    n_postings: usize,
    /// For the caches whose shards were pushed last: cache term id → global id + 1
    /// (0: not known yet), so that a term is interned once per cache, not once per shard.
    known: Vec<(u64, Vec<u32>)>,
}

/// Postings in a piece of [`IndexBuilder::save`] (about; more in an index of over 100 million).
const PIECE_POSTINGS: usize = 1 << 18;

/// Most caches [`IndexBuilder`] remembers the term ids of.
const KNOWN_CACHES: usize = 8;

/// A pushed shard: its terms' global ids and its compact postings.
#[derive(Debug)]
struct Part {
    /// The global id of each local term (its rank in sorted order once the terms are sorted).
    term_ids: Vec<u32>,
    /// End of each local term's postings in `postings`.
    byte_ends: Vec<u32>,
    /// As [`Shard`]'s: paragraph gaps (the first within the shard) and tfs, as varints.
    postings: Vec<u8>,
    /// The global number of the shard's first paragraph.
    base: u32,
}

impl IndexBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new(params: Params) -> IndexBuilder {
        IndexBuilder {
            params,
            terms: Interner::default(),
            parts: Vec::new(),
            dfs: Vec::new(),
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
        if base + shard.doc_lens.len() >= u32::MAX as usize
            || self.n_postings + shard.n_postings() >= u32::MAX as usize
            || self.names.para_bytes.len() + shard.names.para_bytes.len() >= u32::MAX as usize
            || shard.too_large
        {
            return Err(too_large());
        }
        self.n_tokens += shard.n_tokens();
        let term_ids = self.global_ids(&shard);
        if self.dfs.len() < self.terms.len() {
            self.dfs.resize(self.terms.len(), 0);
        }
        for (local, &global) in term_ids.iter().enumerate() {
            if let Some(df) = self.dfs.get_mut(global as usize) {
                *df += list_len(&shard.offsets, local);
            }
        }
        self.n_postings += shard.n_postings();
        self.parts.push(Part {
            term_ids,
            byte_ends: shard.byte_ends,
            postings: shard.postings,
            base: base as u32,
        });
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
    /// [`Error::Io`] (invalid input) when the terms take more than 4 GiB.
    pub fn build(self) -> Result<Index> {
        let sorted = self.sort_terms(1)?;
        let (docs, tfs) = decode(&sorted.parts, &sorted.offsets, 0..sorted.n_terms(), |_| None);
        let Sorted { params, term_bytes, term_ends, offsets, doc_lens, names, n_tokens, .. } =
            sorted;
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

    /// Builds the index and saves it as `dir/index.bin`
    /// ([`INDEX_FILE`](super::INDEX_FILE)) on `threads` threads, without
    /// holding the whole index in memory: the file is byte for byte what
    /// [`build`](IndexBuilder::build) then [`Index::save`] write, the same
    /// for any number of threads. Like [`Index::save`], it writes under a
    /// temporary name and renames when complete.
    ///
    /// ```
    /// use briefing_retrieval::bm25::{Index, IndexBuilder, Params, ShardBuilder, TermCache};
    /// let mut cache = TermCache::new();
    /// let mut shard = ShardBuilder::new(&mut cache);
    /// shard.add("d", "p0", "Trade rules.");
    /// shard.add("d", "p1", "Security rules.");
    /// let mut builder = IndexBuilder::new(Params::default());
    /// builder.push(shard.finish()).unwrap();
    /// let dir = tempfile::tempdir().unwrap();
    /// let stats = builder.save(dir.path(), 2).unwrap();
    /// assert_eq!((stats.n_paragraphs, stats.n_terms, stats.n_postings), (2, 3, 4));
    /// let index = Index::load(dir.path()).unwrap();
    /// assert_eq!(index.search("rule", 5).len(), 2);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory or file cannot be written, or (invalid
    /// input) when the terms take more than 4 GiB.
    pub fn save(self, dir: &Path, threads: usize) -> Result<IndexStats> {
        let threads = threads.max(1);
        let sorted = self.sort_terms(threads)?;
        let n_terms = sorted.n_terms();
        let n_postings = sorted.offsets.last().copied().unwrap_or(0);
        // Pieces of about equal numbers of postings, each decoded and encoded on its own:
        // small enough that a piece's postings stay in the processor's cache while they are
        // scattered to their terms, and several per thread so that the threads balance.
        let n_pieces =
            (n_postings as usize / PIECE_POSTINGS).max(8 * threads).min(n_terms).clamp(1, 1 << 12);
        let mut bounds: Vec<usize> = (0..=n_pieces)
            .map(|piece| {
                let target = (u64::from(n_postings) * piece as u64 / n_pieces as u64) as u32;
                sorted.offsets.partition_point(|&offset| offset < target).min(n_terms)
            })
            .collect();
        bounds.dedup();
        if let Some(last) = bounds.last_mut() {
            *last = n_terms;
        }
        let ranges: Vec<Range<usize>> = bounds
            .windows(2)
            .filter_map(|w| w.first().zip(w.get(1)))
            .map(|(&a, &b)| a..b)
            .collect();
        // Each part's terms, grouped by the piece they fall in, so that a piece visits only
        // its own terms of each part.
        let mut piece_of = vec![0u16; n_terms];
        for (piece, range) in ranges.iter().enumerate() {
            if let Some(slots) = piece_of.get_mut(range.clone()) {
                slots.fill(u16::try_from(piece).unwrap_or(u16::MAX));
            }
        }
        let parts = &sorted.parts;
        let groups = parallel_map(parts.len(), threads, |idx| {
            parts.get(idx).map(|part| group(part, &piece_of, ranges.len())).unwrap_or_default()
        });
        drop(piece_of);
        let pieces = parallel_map(ranges.len(), threads, |piece| {
            let range = ranges.get(piece).cloned().unwrap_or_default();
            let selected =
                |part: usize| -> &[Run] { groups.get(part).map_or(&[], |group| group.runs(piece)) };
            encode(parts, &sorted.offsets, range, selected)
        });
        drop(groups);
        let (gaps, tfs): (Vec<Vec<u8>>, Vec<Vec<u8>>) = pieces.into_iter().unzip();
        let Sorted { params, term_bytes, term_ends, offsets, doc_lens, names, n_tokens, parts } =
            sorted;
        drop(parts);
        let layout = Layout {
            params,
            term_bytes: &term_bytes,
            term_ends: &term_ends,
            offsets: &offsets,
            doc_lens: &doc_lens,
            names: &names,
            n_tokens,
        };
        save_atomically(dir, |out| {
            write_index(out, &layout, Postings::Encoded { gaps: &gaps, tfs: &tfs })
        })?;
        let n_paragraphs = doc_lens.len();
        let n_indexed: u64 = doc_lens.iter().map(|&len| u64::from(len)).sum();
        Ok(IndexStats {
            n_paragraphs,
            n_terms,
            n_postings: n_postings as usize,
            n_tokens,
            n_indexed,
            avg_len: if n_paragraphs == 0 { 0.0 } else { n_indexed as f64 / n_paragraphs as f64 },
        })
    }

    /// Sorts the terms: the parts' term ids become ranks in sorted order.
    fn sort_terms(self, threads: usize) -> Result<Sorted> {
        let IndexBuilder { params, terms, mut parts, dfs, doc_lens, names, n_tokens, .. } = self;
        let n_terms = terms.len();
        // Sorted by key; most comparisons are settled by the keys' first eight bytes
        // (big-endian, zero-padded: their order is the keys' order when they differ).
        // Keys are grouped by their first byte, and the groups sorted on `threads` threads.
        let mut groups: Vec<Vec<(u64, u32)>> = vec![Vec::new(); 256];
        for id in 0..n_terms as u32 {
            let key = prefix(terms.key(id).unwrap_or(""));
            if let Some(group) = groups.get_mut((key >> 56) as usize) {
                group.push((key, id));
            }
        }
        let groups: Vec<std::sync::Mutex<Vec<(u64, u32)>>> =
            groups.into_iter().map(std::sync::Mutex::new).collect();
        parallel_map(groups.len(), threads, |idx| {
            if let Some(group) = groups.get(idx) {
                let mut group = group.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                group.sort_unstable_by(|a, b| {
                    a.0.cmp(&b.0).then_with(|| {
                        terms.key(a.1).unwrap_or("").cmp(terms.key(b.1).unwrap_or(""))
                    })
                });
            }
        });
        let keyed: Vec<(u64, u32)> = groups
            .into_iter()
            .flat_map(|group| group.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
            .collect();
        let mut rank = vec![0u32; n_terms];
        let mut offsets = Vec::with_capacity(n_terms + 1);
        offsets.push(0u32);
        let mut total = 0u32;
        let mut term_bytes = String::new();
        let mut term_ends = Vec::with_capacity(n_terms);
        for (new, &(_, old)) in keyed.iter().enumerate() {
            if let Some(slot) = rank.get_mut(old as usize) {
                *slot = new as u32;
            }
            total += dfs.get(old as usize).copied().unwrap_or(0);
            offsets.push(total);
            term_bytes.push_str(terms.key(old).unwrap_or(""));
            term_ends.push(u32::try_from(term_bytes.len()).map_err(|_| too_large())?);
        }
        drop((keyed, terms, dfs));
        for part in &mut parts {
            for id in &mut part.term_ids {
                *id = rank.get(*id as usize).copied().unwrap_or(u32::MAX);
            }
        }
        Ok(Sorted { params, term_bytes, term_ends, offsets, parts, doc_lens, names, n_tokens })
    }
}

/// An [`IndexBuilder`] whose terms are sorted.
struct Sorted {
    params: Params,
    term_bytes: String,
    term_ends: Vec<u32>,
    /// Postings of sorted term `t`: `offsets[t]..offsets[t + 1]`.
    offsets: Vec<u32>,
    /// Their `term_ids` are ranks in sorted order.
    parts: Vec<Part>,
    doc_lens: Vec<u32>,
    names: Names,
    n_tokens: u64,
}

impl Sorted {
    fn n_terms(&self) -> usize {
        self.term_ends.len()
    }
}

/// The postings of the sorted terms in `terms`, in term then paragraph order: their
/// paragraphs and term frequencies, from `offsets[terms.start]` on. `selected(part)` may
/// list the runs of part `part` among `terms` (in local order), to spare looking at all
/// of them.
fn decode<'a>(
    parts: &[Part],
    offsets: &[u32],
    terms: Range<usize>,
    selected: impl Fn(usize) -> Option<&'a [Run]>,
) -> (Vec<u32>, Vec<u32>) {
    let first = offsets.get(terms.start).copied().unwrap_or(0);
    let last = offsets.get(terms.end).copied().unwrap_or(first);
    let n = last.saturating_sub(first) as usize;
    let mut docs = vec![0u32; n];
    let mut tfs = vec![0u32; n];
    let mut cursor: Vec<u32> = offsets
        .get(terms.clone())
        .unwrap_or_default()
        .iter()
        .map(|&offset| offset - first)
        .collect();
    let (lo, hi) = (terms.start as u32, terms.end as u32);
    let mut put = |part: &Part, &Run { rank, start, end }: &Run| {
        if rank < lo || rank >= hi {
            return;
        }
        let Some(at) = cursor.get_mut((rank - lo) as usize) else { return };
        let bytes = part.postings.get(start as usize..end as usize).unwrap_or_default();
        let mut pos = 0;
        let mut doc = part.base;
        while pos < bytes.len() {
            doc += read_varint(bytes, &mut pos);
            let tf = read_varint(bytes, &mut pos);
            let idx = *at as usize;
            if let (Some(d), Some(t)) = (docs.get_mut(idx), tfs.get_mut(idx)) {
                *d = doc;
                *t = tf;
            }
            *at += 1;
        }
    };
    for (idx, part) in parts.iter().enumerate() {
        match selected(idx) {
            Some(runs) => runs.iter().for_each(|run| put(part, run)),
            None => {
                let starts = std::iter::once(0).chain(part.byte_ends.iter().copied());
                for ((&rank, &end), start) in part.term_ids.iter().zip(&part.byte_ends).zip(starts)
                {
                    put(part, &Run { rank, start, end });
                }
            }
        }
    }
    (docs, tfs)
}

/// One term's postings in a part: its rank and its bytes in the part's `postings`.
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    rank: u32,
    start: u32,
    end: u32,
}

/// A part's runs grouped by piece (each group in local order), so that a piece reads
/// only its own runs, without looking up the others.
#[derive(Debug, Default)]
struct Group {
    /// Group `p` is `runs[starts[p]..starts[p + 1]]`.
    starts: Vec<u32>,
    runs: Vec<Run>,
}

impl Group {
    fn runs(&self, piece: usize) -> &[Run] {
        let start = self.starts.get(piece).copied().unwrap_or(0) as usize;
        let end = self.starts.get(piece + 1).copied().unwrap_or(0) as usize;
        self.runs.get(start..end).unwrap_or_default()
    }
}

/// Groups the runs of `part` (whose term ids are ranks) by `piece_of` their rank.
fn group(part: &Part, piece_of: &[u16], n_pieces: usize) -> Group {
    let piece = |rank: u32| piece_of.get(rank as usize).copied().unwrap_or(0) as usize;
    let mut starts = vec![0u32; n_pieces + 1];
    for &rank in &part.term_ids {
        if let Some(count) = starts.get_mut(piece(rank) + 1) {
            *count += 1;
        }
    }
    for idx in 1..starts.len() {
        let prev = starts.get(idx - 1).copied().unwrap_or(0);
        if let Some(start) = starts.get_mut(idx) {
            *start += prev;
        }
    }
    let mut next = starts.clone();
    let mut runs = vec![Run::default(); part.term_ids.len()];
    let run_starts = std::iter::once(0).chain(part.byte_ends.iter().copied());
    for ((&rank, &end), start) in part.term_ids.iter().zip(&part.byte_ends).zip(run_starts) {
        if let Some(at) = next.get_mut(piece(rank)) {
            if let Some(slot) = runs.get_mut(*at as usize) {
                *slot = Run { rank, start, end };
            }
            *at += 1;
        }
    }
    Group { starts, runs }
}

/// `f(0), f(1), … f(n - 1)`, computed on up to `threads` threads (this one included).
fn parallel_map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let idx = next.fetch_add(1, Ordering::Relaxed);
            if idx >= n {
                break;
            }
            done.push((idx, f(idx)));
        }
        done
    };
    let mut done = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(n)).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            // A helper panics only on a bug: pass it on.
            match helper.join() {
                Ok(more) => done.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(idx, _)| *idx);
    done.into_iter().map(|(_, value)| value).collect()
}

/// The paragraph-gap and term-frequency sections of the sorted terms in `terms`, as
/// `index.bin` holds them.
fn encode<'a>(
    parts: &[Part],
    offsets: &[u32],
    terms: Range<usize>,
    selected: impl Fn(usize) -> &'a [Run],
) -> (Vec<u8>, Vec<u8>) {
    let (docs, tfs) = decode(parts, offsets, terms.clone(), |part| Some(selected(part)));
    let mut gap_bytes = Vec::with_capacity(docs.len() * 2);
    let mut tf_bytes = Vec::with_capacity(tfs.len());
    let first = offsets.get(terms.start).copied().unwrap_or(0);
    let bounds = offsets.get(terms.start..=terms.end).unwrap_or_default();
    for range in bounds.windows(2) {
        let (start, end) = match *range {
            [start, end] => ((start - first) as usize, (end - first) as usize),
            _ => (0, 0),
        };
        let mut prev = 0u32;
        for &doc in docs.get(start..end).unwrap_or_default() {
            push_varint(&mut gap_bytes, doc.saturating_sub(prev));
            prev = doc;
        }
    }
    for &tf in &tfs {
        push_varint(&mut tf_bytes, tf);
    }
    (gap_bytes, tf_bytes)
}

/// The first eight bytes of `key`, zero-padded, as a big-endian integer: where two keys'
/// prefixes differ, they order the keys as the strings do.
pub(crate) fn prefix(key: &str) -> u64 {
    let mut bytes = [0u8; 8];
    for (dst, &src) in bytes.iter_mut().zip(key.as_bytes()) {
        *dst = src;
    }
    u64::from_be_bytes(bytes)
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
