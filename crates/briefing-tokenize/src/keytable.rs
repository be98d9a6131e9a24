//! A per-thread memo of keys and stopword flags: norm → (key, is_stopword), handed out as
//! borrowed strings from one arena, so that a cached word costs one hash and one comparison.

/// Longest norm (in bytes) worth memoizing; longer words are stemmed each time.
pub(crate) const MAX_CACHED_LEN: usize = 64;

/// Most entries a table holds before it is cleared.
const CAPACITY: usize = 1 << 15;

/// Marks an empty slot.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Slot {
    hash: u64,
    /// Start of the norm in the arena (the key follows it), or [`EMPTY`].
    start: u32,
    norm_len: u8,
    key_len: u8,
    is_stopword: bool,
}

const EMPTY_SLOT: Slot =
    Slot { hash: 0, start: EMPTY, norm_len: 0, key_len: 0, is_stopword: false };

/// Open-addressing table (linear probing, at most half full) from a norm to its key and
/// stopword flag; norms and keys live back to back in one string.
///
/// Words can be looked up one by one ([`KeyTable::get_or_insert`]) or queued in batches
/// ([`KeyTable::push`], [`KeyTable::flush`]): a queued word's slot is read when it is queued,
/// so the cache misses of a batch overlap instead of stalling one word at a time.
#[derive(Debug, Default)]
pub(crate) struct KeyTable {
    slots: Vec<Slot>,
    arena: String,
    len: usize,
    pending: Vec<Pending>,
    /// Norms of queued words that are not slices of the text.
    pending_norms: String,
}

/// Words queued before their keys are looked up.
pub(crate) const BATCH: usize = 32;

/// Where a queued word's norm is.
#[derive(Clone, Copy, Debug)]
enum NormAt {
    /// At this offset of the analyzed text.
    Text(usize),
    /// At this offset of `pending_norms`.
    Buffer(usize),
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    start: usize,
    end: usize,
    norm_at: NormAt,
    norm_len: usize,
    hash: u64,
    /// The `start` of the word's first slot, read ahead so that the slot is in cache.
    first: u32,
}

impl KeyTable {
    /// The key and stopword flag of `norm`, computing and memoizing them with `make` on a miss;
    /// `None` for a norm too long to memoize.
    #[inline]
    pub(crate) fn get_or_insert(
        &mut self,
        norm: &str,
        make: impl FnOnce(&str) -> (String, bool),
    ) -> Option<(&str, bool)> {
        let pos = self.position(hash_str(norm.as_bytes()), norm, make)?;
        self.entry(pos)
    }

    /// The slot of `norm` (whose hash is `hash`), inserting it on a miss.
    #[inline]
    fn position(
        &mut self,
        hash: u64,
        norm: &str,
        make: impl FnOnce(&str) -> (String, bool),
    ) -> Option<usize> {
        if norm.len() > MAX_CACHED_LEN {
            return None;
        }
        match self.find(hash, norm) {
            Ok(pos) => Some(pos),
            Err(()) => {
                let (key, is_stopword) = make(norm);
                self.insert(hash, norm, &key, is_stopword)
            }
        }
    }

    /// The key and stopword flag in slot `pos`.
    #[inline]
    fn entry(&self, pos: usize) -> Option<(&str, bool)> {
        let slot = self.slots.get(pos)?;
        let start = slot.start as usize + usize::from(slot.norm_len);
        let key = self.arena.get(start..start + usize::from(slot.key_len))?;
        Some((key, slot.is_stopword))
    }

    /// Whether the batch is full and must be flushed before the next [`KeyTable::push`].
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.pending.len() >= BATCH
    }

    /// Queues the word `text[start..end]` with its `norm` (a slice of `text`, or any string).
    #[inline]
    pub(crate) fn push(&mut self, text: &str, start: usize, end: usize, norm: &str) {
        let hash = hash_str(norm.as_bytes());
        // A norm that is the word's own text (the common case: nothing to lowercase or fold)
        // is referred to by its offset; anything else is copied.
        let in_text = norm.len() == end.wrapping_sub(start)
            && (text.as_ptr() as usize).wrapping_add(start) == norm.as_ptr() as usize;
        let norm_at = if in_text {
            NormAt::Text(start)
        } else {
            let at = self.pending_norms.len();
            self.pending_norms.push_str(norm);
            NormAt::Buffer(at)
        };
        self.pending.push(Pending {
            start,
            end,
            norm_at,
            norm_len: norm.len(),
            hash,
            first: EMPTY,
        });
    }

    /// Looks up every queued word of `text` and calls `f(start, end, norm, key, is_stopword)`
    /// for each, in order; `make` computes the key and flag of a word not memoized.
    pub(crate) fn flush(
        &mut self,
        text: &str,
        mut make: impl FnMut(&str) -> (String, bool),
        mut f: impl FnMut(usize, usize, &str, &str, bool),
    ) {
        let mut pending = std::mem::take(&mut self.pending);
        let pending_norms = std::mem::take(&mut self.pending_norms);
        // Read the first slot of every word, then the norm it points to, in tight loops of
        // independent loads, so that their cache misses overlap; the lookups below then hit.
        if let Some(mask) = self.slots.len().checked_sub(1) {
            for word in &mut pending {
                word.first = self.slots.get(word.hash as usize & mask).map_or(EMPTY, |s| s.start);
            }
            let mut touched = 0u8;
            for word in &pending {
                touched ^= self.arena.as_bytes().get(word.first as usize).copied().unwrap_or(0);
            }
            std::hint::black_box(touched);
        }
        for word in &pending {
            let (at, source) = match word.norm_at {
                NormAt::Text(at) => (at, text),
                NormAt::Buffer(at) => (at, pending_norms.as_str()),
            };
            let Some(norm) = source.get(at..at + word.norm_len) else { continue };
            let found = self.position(word.hash, norm, &mut make);
            match found.and_then(|pos| self.entry(pos)) {
                Some((key, is_stopword)) => f(word.start, word.end, norm, key, is_stopword),
                None => {
                    let (key, is_stopword) = make(norm);
                    f(word.start, word.end, norm, &key, is_stopword);
                }
            }
        }
        pending.clear();
        self.pending = pending;
        self.pending_norms = pending_norms;
        self.pending_norms.clear();
    }

    /// The slot holding `norm`, or `Err` if it is absent.
    #[inline]
    fn find(&self, hash: u64, norm: &str) -> Result<usize, ()> {
        if self.slots.is_empty() {
            return Err(());
        }
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        loop {
            let slot = self.slots.get(pos).ok_or(())?;
            if slot.start == EMPTY {
                return Err(());
            }
            if slot.hash == hash && usize::from(slot.norm_len) == norm.len() {
                let start = slot.start as usize;
                let stored = self.arena.as_bytes().get(start..start + norm.len()).ok_or(())?;
                if bytes_eq(stored, norm.as_bytes()) {
                    return Ok(pos);
                }
            }
            pos = (pos + 1) & mask;
        }
    }

    /// Stores a new entry and returns its slot (`None` if the key is too long to store).
    fn insert(&mut self, hash: u64, norm: &str, key: &str, is_stopword: bool) -> Option<usize> {
        let norm_len = u8::try_from(norm.len()).ok()?;
        let key_len = u8::try_from(key.len()).ok()?;
        if self.len >= CAPACITY {
            self.len = 0;
            self.arena.clear();
            self.slots.iter_mut().for_each(|slot| *slot = EMPTY_SLOT);
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let start = u32::try_from(self.arena.len()).ok()?;
        self.arena.push_str(norm);
        self.arena.push_str(key);
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        while self.slots.get(pos).is_some_and(|slot| slot.start != EMPTY) {
            pos = (pos + 1) & mask;
        }
        let slot = self.slots.get_mut(pos)?;
        *slot = Slot { hash, start, norm_len, key_len, is_stopword };
        self.len += 1;
        Some(pos)
    }

    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(256);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; capacity]);
        let mask = capacity - 1;
        for slot in old.into_iter().filter(|slot| slot.start != EMPTY) {
            let mut pos = slot.hash as usize & mask;
            while self.slots.get(pos).is_some_and(|slot| slot.start != EMPTY) {
                pos = (pos + 1) & mask;
            }
            if let Some(free) = self.slots.get_mut(pos) {
                *free = slot;
            }
        }
    }
}

/// Equality of two byte strings, eight bytes at a time (no library call for the short strings
/// words are).
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        if load8(x) != load8(y) {
            return false;
        }
    }
    // Equal lengths, so equal tails are equal bytes.
    tail(ca.remainder()) == tail(cb.remainder())
}

/// Eight bytes as a little-endian integer (0 if `bytes` is shorter).
#[inline]
fn load8(bytes: &[u8]) -> u64 {
    bytes.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_le_bytes)
}

#[inline]
fn load4(bytes: &[u8]) -> u64 {
    bytes
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b).into())
}

/// Fewer than eight bytes as one integer, with a few overlapping loads; for a given length the
/// integer determines the bytes.
#[inline]
fn tail(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    match n {
        0 => 0,
        1..=3 => {
            let byte = |i: usize| u64::from(bytes.get(i).copied().unwrap_or(0));
            (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1)
        }
        4..=7 => (load4(bytes) << 32) | load4(bytes.get(n - 4..).unwrap_or_default()),
        _ => load8(bytes),
    }
}

/// A fast 64-bit hash of a short byte string (eight bytes at a time, then mixed).
#[inline]
pub(crate) fn hash_str(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        h = (h.rotate_left(23) ^ load8(chunk)).wrapping_mul(K);
    }
    h = (h.rotate_left(23) ^ tail(chunks.remainder())).wrapping_mul(K);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn stem(norm: &str) -> (String, bool) {
        (norm.trim_end_matches('s').to_owned(), norm == "the")
    }

    #[test]
    fn remembers_entries_and_survives_growth_and_clearing() {
        let mut table = KeyTable::default();
        assert_eq!(table.get_or_insert("cats", stem), Some(("cat", false)));
        assert_eq!(table.get_or_insert("the", stem), Some(("the", true)));
        // A second lookup must not call `make`.
        assert_eq!(table.get_or_insert("cats", |_| unreachable!()), Some(("cat", false)));
        let words: Vec<String> = (0..CAPACITY + 10).map(|i| format!("w{i}s")).collect();
        for word in &words {
            let expected = word.trim_end_matches('s');
            assert_eq!(table.get_or_insert(word, stem), Some((expected, false)));
        }
        assert!(table.len <= CAPACITY);
        assert_eq!(
            table.get_or_insert(&words[CAPACITY + 9], |_| unreachable!()).unwrap().0,
            "w32777"
        );
        assert_eq!(table.get_or_insert(&"x".repeat(MAX_CACHED_LEN + 1), stem), None);
    }

    #[test]
    fn byte_equality_and_hashes() {
        for (a, b) in
            [("", ""), ("abc", "abc"), ("abcdefgh", "abcdefgh"), ("abcdefghij", "abcdefghij")]
        {
            assert!(bytes_eq(a.as_bytes(), b.as_bytes()));
            assert_eq!(hash_str(a.as_bytes()), hash_str(b.as_bytes()));
        }
        for (a, b) in [
            ("a", "b"),
            ("abc", "acc"),
            ("abcde", "abdde"),
            ("abcdefg", "abcdefh"),
            ("abcdefgh", "abcdefgi"),
            ("abcdefghij", "abcdefghik"),
            ("a", "a\0"),
        ] {
            assert!(!bytes_eq(a.as_bytes(), b.as_bytes()));
            assert_ne!(hash_str(a.as_bytes()), hash_str(b.as_bytes()));
        }
    }
}
