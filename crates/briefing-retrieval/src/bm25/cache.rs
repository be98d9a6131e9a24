//! Text to term ids, memoized per word norm.

use briefing_tokenize::Analyzer;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Source of [`TermCache::origin`] values, unique in the process.
static NEXT_ORIGIN: AtomicU64 = AtomicU64::new(1);

fn next_origin() -> u64 {
    NEXT_ORIGIN.fetch_add(1, Ordering::Relaxed)
}

/// The stopword flag in a word entry; the other bits are the term id.
const STOPWORD: u32 = 1 << 31;

/// When a cache holds more distinct terms than this, [`TermCache::trim`]
/// starts it afresh.
const MAX_TERMS: usize = 1 << 21;

/// Longest norm (in bytes) the norm table memoizes; longer words are stemmed each time.
const MAX_NORM_LEN: usize = 64;

/// Most norms the norm table holds before it starts afresh (16 MiB of slots, 16 bytes
/// each at most half full, plus the norms' bytes): more than the distinct words of a
/// 100 MB English corpus, so that such a corpus never stems a word twice on one thread.
const MAX_NORMS: usize = 1 << 19;

/// Slots of a fresh norm table.
const MIN_SLOTS: usize = 1 << 12;

/// Marks an empty slot of the norm table.
const EMPTY: u32 = u32::MAX;

/// One slot of the norm table.
#[derive(Clone, Copy, Debug)]
struct NormSlot {
    /// The low half of the norm's hash (its position comes from the same bits).
    tag: u32,
    /// Length of the norm in bytes.
    len: u32,
    /// Start of the norm in the arena, or [`EMPTY`].
    start: u32,
    /// The word entry: term id and [`STOPWORD`] flag.
    entry: u32,
}

const EMPTY_SLOT: NormSlot = NormSlot { tag: 0, len: 0, start: EMPTY, entry: 0 };

/// log2 of the number of slots of the front table (1.5 MiB: most lookups of words that are
/// not among the most frequent few thousand end here rather than in the larger table).
const FRONT_BITS: u32 = 16;

/// Longest norm (in bytes) the front table holds.
const FRONT_BYTES: usize = 16;

/// One slot of the front table: a norm of at most [`FRONT_BYTES`] bytes, inline.
#[derive(Clone, Copy, Debug)]
struct FrontSlot {
    /// The norm's bytes, zero-padded, as two little-endian integers.
    word: [u64; 2],
    /// The norm's length, or `u32::MAX` for an empty slot.
    len: u32,
    entry: u32,
}

const EMPTY_FRONT: FrontSlot = FrontSlot { word: [0; 2], len: u32::MAX, entry: 0 };

/// Open-addressing table (linear probing, at most half full) from a word's norm to its
/// entry; the norms live back to back in one arena, most frequent first (they are met
/// first), so that a hit costs one hash, one slot and one short comparison, without
/// allocating. In front of it, a small direct-mapped table of the short norms seen last
/// (most words are short, and frequent ones stay there) answers without leaving the cache.
#[derive(Debug)]
struct NormTable {
    front: Box<[FrontSlot]>,
    slots: Vec<NormSlot>,
    arena: Vec<u8>,
    len: usize,
}

impl Default for NormTable {
    fn default() -> NormTable {
        NormTable {
            front: vec![EMPTY_FRONT; 1 << FRONT_BITS].into_boxed_slice(),
            slots: vec![EMPTY_SLOT; MIN_SLOTS],
            arena: Vec::new(),
            len: 0,
        }
    }
}

impl NormTable {
    /// The entry of `norm`, computed with `make` and memoized on a miss.
    #[inline]
    fn get_or_insert(&mut self, norm: &str, make: impl FnOnce(&str) -> u32) -> u32 {
        let bytes = norm.as_bytes();
        if bytes.len() > FRONT_BYTES {
            return self.get_or_insert_long(norm, make);
        }
        let word = match bytes.split_at_checked(8) {
            Some((low, high)) => [load_le(low), load_le(high)],
            None => [load_le(bytes), 0],
        };
        let len = bytes.len() as u32;
        let mixed = (word[0] ^ u64::from(len)).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ word[1];
        let idx = (mixed.wrapping_mul(0x517c_c1b7_2722_0a95) >> (64 - FRONT_BITS)) as usize;
        if let Some(slot) = self.front.get(idx)
            && slot.word == word
            && slot.len == len
        {
            return slot.entry;
        }
        let entry = self.get_or_insert_long(norm, make);
        if let Some(slot) = self.front.get_mut(idx) {
            *slot = FrontSlot { word, len, entry };
        }
        entry
    }

    /// [`NormTable::get_or_insert`] without the front table.
    #[inline]
    fn get_or_insert_long(&mut self, norm: &str, make: impl FnOnce(&str) -> u32) -> u32 {
        let bytes = norm.as_bytes();
        if bytes.len() > MAX_NORM_LEN {
            return make(norm);
        }
        let hash = hash_bytes(bytes);
        let tag = hash as u32;
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        loop {
            let Some(slot) = self.slots.get(pos) else { return make(norm) };
            if slot.start == EMPTY {
                break;
            }
            if slot.tag == tag && slot.len as usize == bytes.len() {
                let start = slot.start as usize;
                if self.arena.get(start..start + bytes.len()).is_some_and(|s| short_eq(s, bytes)) {
                    return slot.entry;
                }
            }
            pos = (pos + 1) & mask;
        }
        let entry = make(norm);
        self.insert(hash, bytes, entry);
        entry
    }

    fn insert(&mut self, hash: u64, bytes: &[u8], entry: u32) {
        if self.len >= MAX_NORMS || self.arena.len() + bytes.len() >= EMPTY as usize {
            *self = NormTable::default();
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let Ok(start) = u32::try_from(self.arena.len()) else { return };
        self.arena.extend_from_slice(bytes);
        let slot = NormSlot {
            tag: hash as u32,
            len: u32::try_from(bytes.len()).unwrap_or(0),
            start,
            entry,
        };
        self.place(hash, slot);
        self.len += 1;
    }

    /// Puts `slot` in the first free slot from its hash's position.
    fn place(&mut self, hash: u64, slot: NormSlot) {
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        while let Some(existing) = self.slots.get_mut(pos) {
            if existing.start == EMPTY {
                *existing = slot;
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Doubles the slots and places them again by their hash bits (the norms are not read).
    fn grow(&mut self) {
        let n_slots = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; n_slots]);
        for slot in old.into_iter().filter(|slot| slot.start != EMPTY) {
            self.place(u64::from(slot.tag), slot);
        }
    }
}

/// The first (at most) eight bytes of `bytes` as a little-endian integer, zero-padded,
/// without a call to `memcpy` (a variable-length copy into a buffer makes one).
#[inline]
fn load_le(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let get = |idx: usize| u64::from(bytes.get(idx).copied().unwrap_or(0));
    let read4 = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_le_bytes)
    };
    if len >= 8 {
        bytes.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_le_bytes)
    } else if len >= 4 {
        // Two overlapping four-byte reads: the shared bytes agree, so or-ing them is exact.
        u64::from(read4(0)) | (u64::from(read4(len - 4)) << ((len - 4) * 8))
    } else if len > 0 {
        get(0) | (get(len / 2) << (len / 2 * 8)) | (get(len - 1) << ((len - 1) * 8))
    } else {
        0
    }
}

/// Whether two byte strings of equal length are equal, eight bytes at a time (norms are
/// short: a call to `memcmp` costs more than the comparison).
#[inline]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        let load = |c: &[u8]| <[u8; 8]>::try_from(c).map_or(0, u64::from_ne_bytes);
        if load(x) != load(y) {
            return false;
        }
    }
    ca.remainder().iter().zip(cb.remainder()).all(|(x, y)| x == y) && a.len() == b.len()
}

/// A fast hash of a short byte string (FxHash-like, eight bytes at a time), its halves
/// mixed so that both the low bits (the slot) and the high bits (the tag) depend on
/// every byte.
#[inline]
fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        if let Some(dst) = word.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        hash = (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    hash ^ (hash >> 29)
}

/// Turns text into term ids with [`Analyzer::english`], fast.
///
/// The analyzer splits and normalizes the words
/// ([`Analyzer::for_each_norm`], allocation-free on ASCII text); the cache
/// memoizes each norm's term id and stopword flag in an open-addressing table
/// (started afresh past about 260,000 norms) and interns each term (stemmed
/// key) as a dense id, so only a norm's first occurrence is stemmed. What it
/// holds changes speed only, never results. One cache serves one thread at a time; term ids mean nothing
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
    norms: NormTable,
    /// Unique to this cache and its ids since the last trim.
    origin: u64,
    /// A [`ShardBuilder`](super::ShardBuilder)'s table from term id to shard-local id, all
    /// zeros between shards, kept here so that each shard does not allocate and zero its own.
    pub(super) local_of: Vec<u32>,
}

/// Terms (stemmed keys) and their dense ids: the keys back to back in one string, found
/// through an open-addressing table (linear probing, at most half full) whose slots hold
/// the id and the low half of the key's hash. A probe reads one slot and most slots holding
/// another key are passed over without reading that key (two more cache misses); the table
/// grows without reading a key. About a third of the memory of a map of shared strings,
/// and a cache lives on every thread.
#[derive(Debug, Default)]
pub(super) struct Interner {
    bytes: String,
    /// End of each key in `bytes`, by id.
    ends: Vec<usize>,
    /// `(hash as u32) << 32 | (id + 1)` of the key placed there, or 0 for an empty slot. A
    /// slot's position comes from the same low bits of the hash (at most 2^32 slots).
    table: Vec<u64>,
}

/// An [`Interner`] slot of `id` for a key of hash `hash`.
#[inline]
fn interner_slot(hash: u64, id: u32) -> u64 {
    (hash << 32) | u64::from(id + 1)
}

impl Interner {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn key(&self, id: u32) -> Option<&str> {
        let id = id as usize;
        let start = if id == 0 { 0 } else { *self.ends.get(id - 1)? };
        self.bytes.get(start..*self.ends.get(id)?)
    }

    pub(super) fn intern(&mut self, key: &str) -> u32 {
        if (self.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let hash = hash_bytes(key.as_bytes());
        let high = hash << 32;
        let mut pos = hash as usize & mask;
        while let Some(&slot) = self.table.get(pos) {
            if slot == 0 {
                break;
            }
            if slot & !0xffff_ffff == high
                && let Some(id) = (slot as u32).checked_sub(1)
                && self.key(id) == Some(key)
            {
                return id;
            }
            pos = (pos + 1) & mask;
        }
        let id = u32::try_from(self.len()).unwrap_or(u32::MAX - 1) & !STOPWORD;
        self.bytes.push_str(key);
        self.ends.push(self.bytes.len());
        if let Some(slot) = self.table.get_mut(pos) {
            *slot = interner_slot(hash, id);
        }
        id
    }

    /// Doubles the table (at least 4,096 slots) and places every slot again by the hash
    /// bits it holds.
    fn grow(&mut self) {
        let n_slots = (self.table.len() * 2).max(1 << 12);
        let old = std::mem::replace(&mut self.table, vec![0; n_slots]);
        let mask = n_slots - 1;
        for slot in old.into_iter().filter(|&slot| slot != 0) {
            let mut pos = (slot >> 32) as usize & mask;
            while self.table.get(pos).is_some_and(|&taken| taken != 0) {
                pos = (pos + 1) & mask;
            }
            if let Some(free) = self.table.get_mut(pos) {
                *free = slot;
            }
        }
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
            norms: NormTable::default(),
            origin: next_origin(),
            local_of: Vec::new(),
        }
    }

    /// Calls `f(term_id, is_stopword)` for each word of `text`, in order:
    /// exactly the words of [`Analyzer::words`](briefing_tokenize::Analyzer::words),
    /// with [`key`](TermCache::key) of the id equal to the word's `key`.
    pub fn for_each_term(&mut self, text: &str, mut f: impl FnMut(u32, bool)) {
        let Self { analyzer, interner, norms, .. } = self;
        analyzer.for_each_norm(text, |_, norm| {
            let entry = norms.get_or_insert(norm, |norm| {
                let id = interner.intern(&analyzer.key_of_norm(norm));
                if analyzer.is_stopword(norm) { id | STOPWORD } else { id }
            });
            f(entry & !STOPWORD, entry & STOPWORD != 0);
        });
    }

    /// The words of `text`, as `(term id, is_stopword)`, in order.
    #[must_use]
    pub fn terms(&mut self, text: &str) -> Vec<(u32, bool)> {
        let mut terms = Vec::new();
        self.for_each_term(text, |id, is_stopword| terms.push((id, is_stopword)));
        terms
    }

    /// The key (stemmed term) of `id`; empty for an id this cache never issued.
    #[must_use]
    pub fn key(&self, id: u32) -> &str {
        self.interner.key(id).unwrap_or("")
    }

    /// The key of `id` as a new shared string, to keep beyond the cache's
    /// life; `None` for an id this cache never issued.
    ///
    /// ```
    /// use briefing_retrieval::bm25::TermCache;
    /// let mut cache = TermCache::new();
    /// let terms = cache.terms("Meetings");
    /// assert_eq!(cache.shared_key(terms[0].0).as_deref(), Some("meet"));
    /// assert_eq!(cache.shared_key(1000), None);
    /// ```
    #[must_use]
    pub fn shared_key(&self, id: u32) -> Option<Arc<str>> {
        self.interner.key(id).map(Arc::from)
    }

    /// How many distinct terms the cache has issued ids for.
    #[must_use]
    pub fn n_terms(&self) -> usize {
        self.interner.len()
    }

    /// Starts afresh when the cache holds more than about two million
    /// terms, so that a long-lived cache stays bounded. Ids issued before a
    /// trim mean nothing after it.
    pub fn trim(&mut self) {
        if self.interner.len() > MAX_TERMS {
            self.interner = Interner::default();
            self.norms = NormTable::default();
            self.origin = next_origin();
            self.local_of = Vec::new();
        }
    }

    /// A number unique to this cache until its next trim: equal origins mean
    /// that equal ids have equal keys.
    pub(super) fn origin(&self) -> u64 {
        self.origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_table_grows_and_starts_afresh_without_losing_answers() {
        let mut table = NormTable::default();
        let n = MAX_NORMS + 1000;
        let word = |i: usize| format!("w{i:x}");
        let mut made = 0;
        for i in 0..n {
            let entry = table.get_or_insert(&word(i), |_| {
                made += 1;
                u32::try_from(i).unwrap_or(0)
            });
            assert_eq!(entry as usize, i);
        }
        assert_eq!(made, n);
        // The table started afresh once full: the last 1,000 are memoized, the first are not.
        assert!(table.len <= MAX_NORMS && table.len >= 1000);
        for i in (n - 1000)..n {
            assert_eq!(table.get_or_insert(&word(i), |_| u32::MAX) as usize, i);
        }
        assert_eq!(table.get_or_insert(&word(0), |_| 7), 7);
        let long = "x".repeat(MAX_NORM_LEN + 1);
        assert_eq!(table.get_or_insert(&long, |_| 1), 1);
        assert_eq!(table.get_or_insert(&long, |_| 2), 2, "long norms are not memoized");
    }

    #[test]
    fn short_loads_are_zero_padded_little_endian() {
        let bytes: Vec<u8> = (1..=20).collect();
        for len in 0..=8 {
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(&bytes[..len]);
            assert_eq!(load_le(&bytes[..len]), u64::from_le_bytes(padded), "{len}");
        }
        assert_eq!(load_le(&bytes), load_le(&bytes[..8]));
    }

    #[test]
    fn interner_ids_are_dense_and_stable_across_growth() {
        let mut interner = Interner::default();
        let keys: Vec<String> = (0..20_000).map(|i| format!("k{}", i * 7919 % 20_011)).collect();
        for (idx, key) in keys.iter().enumerate() {
            assert_eq!(interner.intern(key) as usize, idx);
        }
        assert_eq!(interner.intern(""), 20_000);
        for (idx, key) in keys.iter().enumerate() {
            assert_eq!(interner.intern(key) as usize, idx);
            assert_eq!(interner.key(idx as u32), Some(key.as_str()));
        }
        assert_eq!((interner.key(20_000), interner.key(20_001)), (Some(""), None));
        assert_eq!(interner.len(), 20_001);
    }

    #[test]
    fn term_cache_handles_unicode_and_long_words() {
        let analyzer = Analyzer::english();
        let mut cache = TermCache::new();
        let long = "Supercalifragilisticexpialidocious".repeat(3);
        let text = format!("Crème brûlée’s {long} Шанхайская организация 上海合作组织 {long}.");
        for _ in 0..2 {
            let expected: Vec<(String, bool)> =
                analyzer.words(&text).into_iter().map(|w| (w.key, w.is_stopword)).collect();
            let got: Vec<(String, bool)> = cache
                .terms(&text)
                .into_iter()
                .map(|(id, stop)| (cache.key(id).to_owned(), stop))
                .collect();
            assert_eq!(got, expected);
        }
        assert_eq!(cache.n_terms(), 6);
    }
}
