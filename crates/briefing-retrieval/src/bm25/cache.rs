//! Text to term ids, memoized per whitespace-delimited piece.

use ahash::AHashMap;
use briefing_tokenize::Analyzer;
use std::sync::Arc;

/// Longest piece (in bytes) the piece table memoizes.
const SLOT_BYTES: usize = 22;

/// Most words a memoized piece may hold.
const SLOT_WORDS: usize = 4;

/// log2 of the number of slots in the piece table (64 Ki slots, 2.5 MiB).
const SLOT_BITS: u32 = 16;

/// The stopword flag in a word entry; the other bits are the term id.
const STOPWORD: u32 = 1 << 31;

/// When a cache holds more distinct terms than this, [`TermCache::trim`]
/// starts it afresh.
const MAX_TERMS: usize = 1 << 21;

/// One memoized piece: its bytes and its words' entries.
#[derive(Clone, Copy, Debug)]
struct Slot {
    len: u8,
    n_words: u8,
    bytes: [u8; SLOT_BYTES],
    words: [u32; SLOT_WORDS],
}

const EMPTY_SLOT: Slot =
    Slot { len: 0, n_words: 0, bytes: [0; SLOT_BYTES], words: [0; SLOT_WORDS] };

/// Turns text into term ids with [`Analyzer::english`], fast.
///
/// Words never span ASCII whitespace and depend only on their own
/// characters, so the words of a text are the words of its
/// whitespace-delimited pieces, each analyzed on its own. The cache memoizes
/// the words of short pieces in a fixed-size table (a piece's slot is picked
/// by its hash; a newer piece evicts an older one) and interns each term
/// (stemmed key) as a dense id. What it holds changes speed only, never
/// results. One cache serves one thread at a time; term ids mean nothing
/// outside the cache that issued them.
///
/// ```
/// use briefing_retrieval::bm25::TermCache;
/// let mut cache = TermCache::new();
/// let mut terms = Vec::new();
/// cache.for_each_term("The members’ meetings, and the member met.", |id, is_stopword| {
///     terms.push((id, is_stopword));
/// });
/// let keys: Vec<&str> = terms.iter().filter(|(_, stop)| !stop).map(|&(id, _)| cache.key(id)).collect();
/// assert_eq!(keys, ["member", "meet", "member", "met"]);
/// assert_eq!(terms.len(), 7);
/// ```
#[derive(Debug)]
pub struct TermCache {
    analyzer: Analyzer,
    interner: Interner,
    slots: Box<[Slot]>,
    /// Scratch buffer for the words of a piece that missed.
    scratch: Vec<u32>,
}

#[derive(Debug, Default)]
struct Interner {
    ids: AHashMap<Arc<str>, u32>,
    keys: Vec<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = u32::try_from(self.keys.len()).unwrap_or(u32::MAX) & !STOPWORD;
        let key: Arc<str> = Arc::from(key);
        self.keys.push(Arc::clone(&key));
        self.ids.insert(key, id);
        id
    }
}

impl Default for TermCache {
    fn default() -> TermCache {
        TermCache::new()
    }
}

impl TermCache {
    /// An empty cache over [`Analyzer::english`].
    #[must_use]
    pub fn new() -> TermCache {
        TermCache {
            analyzer: Analyzer::english(),
            interner: Interner::default(),
            slots: vec![EMPTY_SLOT; 1 << SLOT_BITS].into_boxed_slice(),
            scratch: Vec::new(),
        }
    }

    /// Calls `f(term_id, is_stopword)` for each word of `text`, in order:
    /// exactly the words of [`Analyzer::words`](briefing_tokenize::Analyzer::words),
    /// with [`key`](TermCache::key) of the id equal to the word's `key`.
    pub fn for_each_term(&mut self, text: &str, mut f: impl FnMut(u32, bool)) {
        let bytes = text.as_bytes();
        let mut pos = 0;
        let n = bytes.len();
        while pos < n {
            // Skip whitespace, then take the piece up to the next whitespace.
            while pos < n && bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
                pos += 1;
            }
            let start = pos;
            while pos < n && !bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
                pos += 1;
            }
            if start < pos {
                // Whitespace is ASCII, so `start..pos` is on char boundaries.
                if let Some(piece) = text.get(start..pos) {
                    self.piece(piece, &mut f);
                }
            }
        }
    }

    /// The words of `text`, as `(term id, is_stopword)`, in order.
    #[must_use]
    pub fn terms(&mut self, text: &str) -> Vec<(u32, bool)> {
        let mut terms = Vec::new();
        self.for_each_term(text, |id, is_stopword| terms.push((id, is_stopword)));
        terms
    }

    fn piece(&mut self, piece: &str, f: &mut impl FnMut(u32, bool)) {
        let bytes = piece.as_bytes();
        if bytes.len() > SLOT_BYTES {
            self.analyze(piece);
            for &entry in &self.scratch {
                f(entry & !STOPWORD, entry & STOPWORD != 0);
            }
            return;
        }
        let slot_idx = slot_of(bytes);
        if let Some(slot) = self.slots.get(slot_idx)
            && usize::from(slot.len) == bytes.len()
            && slot.bytes.get(..bytes.len()) == Some(bytes)
        {
            let words = slot.words;
            for &entry in words.iter().take(usize::from(slot.n_words)) {
                f(entry & !STOPWORD, entry & STOPWORD != 0);
            }
            return;
        }
        self.analyze(piece);
        for &entry in &self.scratch {
            f(entry & !STOPWORD, entry & STOPWORD != 0);
        }
        if self.scratch.len() <= SLOT_WORDS
            && let Some(slot) = self.slots.get_mut(slot_idx)
        {
            let mut new = EMPTY_SLOT;
            new.len = u8::try_from(bytes.len()).unwrap_or(0);
            new.n_words = u8::try_from(self.scratch.len()).unwrap_or(0);
            if let Some(dst) = new.bytes.get_mut(..bytes.len()) {
                dst.copy_from_slice(bytes);
            }
            for (dst, &entry) in new.words.iter_mut().zip(&self.scratch) {
                *dst = entry;
            }
            *slot = new;
        }
    }

    /// Runs the analyzer on one piece, leaving its entries in `scratch`.
    fn analyze(&mut self, piece: &str) {
        self.scratch.clear();
        let Self { analyzer, interner, scratch, .. } = self;
        analyzer.for_each_word(piece, |word| {
            let id = interner.intern(&word.key);
            scratch.push(if word.is_stopword { id | STOPWORD } else { id });
        });
    }

    /// The key (stemmed term) of `id`; empty for an id this cache never issued.
    #[must_use]
    pub fn key(&self, id: u32) -> &str {
        self.interner.keys.get(id as usize).map_or("", |key| &**key)
    }

    /// The key of `id` as the cache stores it (cheap to clone, to keep
    /// beyond the cache's life); `None` for an id this cache never issued.
    #[must_use]
    pub fn shared_key(&self, id: u32) -> Option<&Arc<str>> {
        self.interner.keys.get(id as usize)
    }

    /// How many distinct terms the cache has issued ids for.
    #[must_use]
    pub fn n_terms(&self) -> usize {
        self.interner.keys.len()
    }

    /// Starts afresh when the cache holds more than about two million
    /// terms, so that a long-lived cache stays bounded. Ids issued before a
    /// trim mean nothing after it.
    pub fn trim(&mut self) {
        if self.interner.keys.len() > MAX_TERMS {
            self.interner = Interner::default();
            self.slots.fill(EMPTY_SLOT);
        }
    }
}

/// The slot of a piece of at most [`SLOT_BYTES`] bytes.
fn slot_of(bytes: &[u8]) -> usize {
    let mut hash: u64 = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        if let Some(dst) = word.get_mut(..chunk.len()) {
            dst.copy_from_slice(chunk);
        }
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    (hash >> (64 - SLOT_BITS)) as usize
}
