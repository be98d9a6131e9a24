//! Shards: the postings of a run of consecutive paragraphs, built on one thread.

use super::TermCache;

/// Names of a run of paragraphs: document ids (run-length coded, since
/// consecutive paragraphs usually share a document) and paragraph ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    /// `(document id, number of consecutive paragraphs)`.
    pub(crate) doc_runs: Vec<(String, u32)>,
    /// All paragraph ids, concatenated.
    pub(crate) para_bytes: String,
    /// End offset of each paragraph id in `para_bytes`.
    pub(crate) para_ends: Vec<u32>,
}

impl Names {
    pub(crate) fn push(&mut self, doc: &str, paragraph: &str) {
        match self.doc_runs.last_mut() {
            Some((last, n)) if last == doc => *n += 1,
            _ => self.doc_runs.push((doc.to_owned(), 1)),
        }
        self.para_bytes.push_str(paragraph);
        self.para_ends.push(u32::try_from(self.para_bytes.len()).unwrap_or(u32::MAX));
    }
}

/// Indexes a run of consecutive paragraphs into a [`Shard`].
///
/// Build shards of disjoint runs on as many threads as you like (each with
/// its own [`TermCache`]), then push them into an
/// [`IndexBuilder`](super::IndexBuilder) in corpus order.
///
/// ```
/// use briefing_retrieval::bm25::{ShardBuilder, TermCache};
/// let mut cache = TermCache::new();
/// let mut builder = ShardBuilder::new(&mut cache);
/// assert_eq!(builder.add("doc", "p0", "Trade grew, and trade rules changed."), 6);
/// let shard = builder.finish();
/// assert_eq!((shard.n_paragraphs(), shard.n_tokens(), shard.n_postings()), (1, 6, 4));
/// ```
#[derive(Debug)]
pub struct ShardBuilder<'a> {
    cache: &'a mut TermCache,
    /// Cache term id → local term id + 1 (0: not seen in this shard).
    local_of: Vec<u32>,
    /// Local term id → cache term id.
    cache_ids: Vec<u32>,
    /// `(local term, paragraph within the shard, tf)`, in paragraph order.
    entries: Vec<(u32, u32, u32)>,
    doc_lens: Vec<u32>,
    names: Names,
    texts: Option<Texts>,
    n_tokens: u64,
    /// Local term id → index in `entries` of its latest entry.
    last_entry: Vec<u32>,
}

/// Paragraph texts, concatenated.
#[derive(Clone, Debug, Default)]
struct Texts {
    bytes: String,
    ends: Vec<usize>,
}

impl<'a> ShardBuilder<'a> {
    /// A builder whose terms come from `cache`. The cache is
    /// [trimmed](TermCache::trim) first.
    pub fn new(cache: &'a mut TermCache) -> ShardBuilder<'a> {
        cache.trim();
        let local_of = std::mem::take(&mut cache.local_of);
        ShardBuilder {
            cache,
            local_of,
            cache_ids: Vec::new(),
            entries: Vec::new(),
            doc_lens: Vec::new(),
            names: Names::default(),
            texts: None,
            n_tokens: 0,
            last_entry: Vec::new(),
        }
    }

    /// Also keeps the paragraph texts, for [`Shard::texts`].
    #[must_use]
    pub fn with_texts(mut self) -> ShardBuilder<'a> {
        self.texts = Some(Texts::default());
        self
    }

    /// Reserves room for about `n_bytes` of paragraph text, so that a shard of a known
    /// size grows its buffers once rather than by repeated doubling (and copying).
    /// Only speed changes, never the shard.
    ///
    /// ```
    /// use briefing_retrieval::bm25::{ShardBuilder, TermCache};
    /// let mut cache = TermCache::new();
    /// let mut builder = ShardBuilder::new(&mut cache).with_texts();
    /// builder.reserve(1 << 16);
    /// builder.add("doc", "p0", "Trade grew.");
    /// assert_eq!(builder.finish().texts().collect::<Vec<_>>(), ["Trade grew."]);
    /// ```
    pub fn reserve(&mut self, n_bytes: usize) {
        // About one posting per 10 bytes of English text, one paragraph per 70.
        self.entries.reserve(n_bytes / 10);
        self.doc_lens.reserve(n_bytes / 70);
        if let Some(texts) = &mut self.texts {
            texts.bytes.reserve(n_bytes);
            texts.ends.reserve(n_bytes / 70);
        }
    }

    /// Adds a paragraph of document `doc` with id `paragraph`; returns its
    /// number of words (stopwords included).
    pub fn add(&mut self, doc: &str, paragraph: &str, text: &str) -> usize {
        let mut n_words = 0usize;
        let mut n_terms = 0u32;
        let para = u32::try_from(self.doc_lens.len()).unwrap_or(u32::MAX);
        // Each term's entry of this paragraph is found through `last_entry` (entries before
        // `first` belong to earlier paragraphs), so its tf is counted without sorting.
        let first = self.entries.len();
        let ShardBuilder { cache, local_of, cache_ids, entries, last_entry, .. } = self;
        cache.for_each_term(text, |id, is_stopword| {
            n_words += 1;
            if is_stopword {
                return;
            }
            n_terms += 1;
            let local = local_id(local_of, cache_ids, id) as usize;
            if last_entry.len() <= local {
                last_entry.resize(local + 1, u32::MAX);
            }
            let Some(last) = last_entry.get_mut(local) else { return };
            let at = *last as usize;
            if at >= first
                && let Some(entry) = entries.get_mut(at)
            {
                entry.2 = entry.2.saturating_add(1);
            } else {
                *last = u32::try_from(entries.len()).unwrap_or(u32::MAX);
                entries.push((local as u32, para, 1));
            }
        });
        self.doc_lens.push(n_terms);
        self.names.push(doc, paragraph);
        if let Some(texts) = &mut self.texts {
            texts.bytes.push_str(text);
            texts.ends.push(texts.bytes.len());
        }
        self.n_tokens += n_words as u64;
        n_words
    }

    /// How many paragraphs were added so far.
    #[must_use]
    pub fn n_paragraphs(&self) -> usize {
        self.doc_lens.len()
    }

    /// The shard: postings grouped by term, paragraphs in the order added.
    #[must_use]
    pub fn finish(mut self) -> Shard {
        let n_terms = self.cache_ids.len();
        // Counting sort by local term; stable, so each term's paragraphs stay in order.
        let mut offsets = vec![0u32; n_terms + 1];
        for &(term, _, _) in &self.entries {
            if let Some(count) = offsets.get_mut(term as usize + 1) {
                *count += 1;
            }
        }
        for idx in 1..offsets.len() {
            let prev = offsets.get(idx - 1).copied().unwrap_or(0);
            if let Some(offset) = offsets.get_mut(idx) {
                *offset += prev;
            }
        }
        let mut next: Vec<u32> = offsets.clone();
        let mut docs = vec![0u32; self.entries.len()];
        let mut tfs = vec![0u32; self.entries.len()];
        for &(term, para, tf) in &self.entries {
            if let Some(slot) = next.get_mut(term as usize) {
                let at = *slot as usize;
                *slot += 1;
                if let (Some(doc), Some(freq)) = (docs.get_mut(at), tfs.get_mut(at)) {
                    *doc = para;
                    *freq = tf;
                }
            }
        }
        drop(next);
        self.entries = Vec::new();
        // Compact postings, encoded here on the worker rather than by the merging thread.
        let mut postings = Vec::with_capacity(docs.len() * 3);
        let mut byte_ends = Vec::with_capacity(n_terms);
        let mut too_large = false;
        for term in 0..n_terms {
            let start = offsets.get(term).copied().unwrap_or(0) as usize;
            let end = offsets.get(term + 1).copied().unwrap_or(0) as usize;
            let mut prev = 0u32;
            for (&doc, &tf) in docs
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .zip(tfs.get(start..end).unwrap_or_default())
            {
                push_varint(&mut postings, doc - prev);
                push_varint(&mut postings, tf);
                prev = doc;
            }
            let end = u32::try_from(postings.len()).unwrap_or_else(|_| {
                too_large = true;
                u32::MAX
            });
            byte_ends.push(end);
        }
        let n_postings = docs.len();
        drop((docs, tfs));
        let mut terms = (String::new(), Vec::with_capacity(n_terms));
        for &id in &self.cache_ids {
            terms.0.push_str(self.cache.key(id));
            terms.1.push(terms.0.len());
        }
        // Back to all zeros for the cache's next shard.
        for &id in &self.cache_ids {
            if let Some(slot) = self.local_of.get_mut(id as usize) {
                *slot = 0;
            }
        }
        self.cache.local_of = std::mem::take(&mut self.local_of);
        Shard {
            origin: self.cache.origin(),
            cache_ids: self.cache_ids,
            terms,
            offsets,
            postings,
            byte_ends,
            n_postings,
            too_large,
            doc_lens: self.doc_lens,
            names: self.names,
            texts: self.texts.unwrap_or_default().into_parts(),
            n_tokens: self.n_tokens,
        }
    }
}

impl Texts {
    fn into_parts(self) -> (String, Vec<usize>) {
        (self.bytes, self.ends)
    }
}

fn local_id(local_of: &mut Vec<u32>, cache_ids: &mut Vec<u32>, id: u32) -> u32 {
    memoized(local_of, id as usize, || {
        let local = u32::try_from(cache_ids.len()).unwrap_or(u32::MAX);
        cache_ids.push(id);
        local
    })
}

/// The id kept at `idx` of a dense memo table (0 = none yet, else id + 1),
/// made by `make` the first time.
#[inline]
pub(crate) fn memoized(table: &mut Vec<u32>, idx: usize, make: impl FnOnce() -> u32) -> u32 {
    if table.len() <= idx {
        table.resize(idx + 1, 0);
    }
    match table.get_mut(idx) {
        Some(slot) if *slot != 0 => *slot - 1,
        Some(slot) => {
            let id = make();
            *slot = id.saturating_add(1);
            id
        }
        None => make(),
    }
}

/// The postings of a run of consecutive paragraphs, ready to merge.
///
/// Made by [`ShardBuilder::finish`]; consumed by
/// [`IndexBuilder::push`](super::IndexBuilder::push).
#[derive(Clone, Debug)]
pub struct Shard {
    /// The [`TermCache::origin`] of the cache its terms came from.
    pub(crate) origin: u64,
    /// The cache's id of each local term.
    pub(crate) cache_ids: Vec<u32>,
    /// The terms, by local id: concatenated, and the end of each.
    pub(crate) terms: (String, Vec<usize>),
    /// Postings of local term `t`: `offsets[t]..offsets[t + 1]`.
    pub(crate) offsets: Vec<u32>,
    /// For each local term in order, for each of its postings: the paragraph
    /// gap (the paragraph within the shard for the first) and the tf, as
    /// LEB128 varints: about a third of the memory of plain `u32`s while
    /// shards wait to be merged.
    pub(crate) postings: Vec<u8>,
    /// End of each local term's postings in `postings`.
    pub(crate) byte_ends: Vec<u32>,
    n_postings: usize,
    /// Whether `postings` outgrew `u32` offsets.
    pub(crate) too_large: bool,
    /// Number of indexed terms of each paragraph.
    pub(crate) doc_lens: Vec<u32>,
    pub(crate) names: Names,
    texts: (String, Vec<usize>),
    n_tokens: u64,
}

impl Shard {
    /// How many paragraphs the shard holds.
    #[must_use]
    pub fn n_paragraphs(&self) -> usize {
        self.doc_lens.len()
    }

    /// How many words its paragraphs have, stopwords included.
    #[must_use]
    pub fn n_tokens(&self) -> u64 {
        self.n_tokens
    }

    /// How many (term, paragraph) postings it holds.
    #[must_use]
    pub fn n_postings(&self) -> usize {
        self.n_postings
    }

    /// How many distinct terms it holds.
    #[must_use]
    pub fn n_terms(&self) -> usize {
        self.terms.1.len()
    }

    /// The distinct terms it holds, in first-seen order.
    pub fn terms(&self) -> impl Iterator<Item = &str> + '_ {
        slices(&self.terms)
    }

    /// The paragraph texts, in order, when built [`with_texts`](ShardBuilder::with_texts);
    /// otherwise nothing.
    pub fn texts(&self) -> impl Iterator<Item = &str> + '_ {
        slices(&self.texts)
    }
}

/// The strings of a concatenation and the end of each.
fn slices((bytes, ends): &(String, Vec<usize>)) -> impl Iterator<Item = &str> + '_ {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts.zip(ends.iter().copied()).map(|(start, end)| bytes.get(start..end).unwrap_or(""))
}

/// Appends `value` as a LEB128 varint.
pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}
