//! Text to sparse feature vectors: hashed word n-grams, leading words and character n-grams
//! over `briefing-tokenize` words, looked up in a vocabulary learnt from the training set and
//! weighted by TF-IDF.

use crate::{Error, Result};
use briefing_tokenize::{Analyzer, Stemmer, Stopwords, Token};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which features a text turns into, and how they are weighted.
///
/// Every feature is a 64-bit hash (no strings are built), kept only if it occurs in at least
/// `min_count` training texts.
///
/// ```
/// use briefing_topics::FeatureConfig;
/// let config = FeatureConfig { char_ngrams: None, ..FeatureConfig::default() };
/// assert_eq!(config.word_ngrams, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureConfig {
    /// Longest word n-gram: 1 = words only, 2 = words and word pairs, 3 = up to triples.
    pub word_ngrams: usize,
    /// fastText-style character n-grams of each word (padded as `<word>`), as an inclusive
    /// `(min, max)` length range in characters, or `None` for none.
    pub char_ngrams: Option<(usize, usize)>,
    /// Weight of character n-grams relative to word features (their IDF is multiplied by it).
    pub char_weight: f32,
    /// Position-aware features for the first 1..=`leading_words` words together (`^what`,
    /// `^what is`): they tell questions and openings apart. 0 turns them off.
    pub leading_words: usize,
    /// Pairs of the first word with each of the next `first_word_pairs` words, wherever they
    /// are (`what … city`): they link a question word to its subject. 0 turns them off.
    pub first_word_pairs: usize,
    /// Position-aware features for the last 1..=`trailing_words` words together (`born$`,
    /// `stand for$`): endings of questions and short messages. 0 turns them off.
    #[serde(default)]
    pub trailing_words: usize,
    /// With `stem`, also a feature for each word's unstemmed normalized form when it differs
    /// from the stem.
    #[serde(default)]
    pub unstemmed: bool,
    /// For English questions, the head of the phrase after the question word (`what is the
    /// *capital* of …`, `name a female figure *skater*`, `in what Olympic *games* …`): when one
    /// of the first four words is a question word (`what`, `which`, `who`, `how`, `name`, …),
    /// the function words after it are skipped and the last word of the run of content words
    /// that follows is the head; it becomes a feature alone and paired with the question word.
    /// A strong cue for the type of answer a question wants; other texts get none.
    #[serde(default)]
    pub head_word: bool,
    /// Word-shape features for words that are not all lowercase (`HTML` → all caps, `Paris` →
    /// capitalised, `B52` → letters then digits), alone and after the previous word.
    pub shapes: bool,
    /// Use Snowball English stems instead of normalized words for word features.
    pub stem: bool,
    /// Lowercase words.
    pub lowercase: bool,
    /// Strip accents.
    pub strip_accents: bool,
    /// Drop features found in fewer training texts than this.
    pub min_count: usize,
    /// Weigh a feature's count `c` as `1 + ln c` instead of `c`.
    pub sublinear_tf: bool,
    /// Multiply by the smoothed inverse document frequency `ln((1 + n) / (1 + df)) + 1`.
    pub idf: bool,
}

impl Default for FeatureConfig {
    fn default() -> FeatureConfig {
        FeatureConfig {
            word_ngrams: 2,
            char_ngrams: None,
            char_weight: 0.3,
            leading_words: 2,
            first_word_pairs: 5,
            trailing_words: 2,
            unstemmed: false,
            head_word: true,
            shapes: true,
            stem: true,
            lowercase: true,
            strip_accents: true,
            min_count: 1,
            sublinear_tf: true,
            idf: true,
        }
    }
}

impl FeatureConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(1..=3).contains(&self.word_ngrams) {
            return Err(Error::Config(format!(
                "word_ngrams must be 1, 2 or 3, not {}",
                self.word_ngrams
            )));
        }
        if let Some((min, max)) = self.char_ngrams
            && (min == 0 || min > max || max > 8)
        {
            return Err(Error::Config(format!(
                "char_ngrams must satisfy 1 <= min <= max <= 8, not ({min}, {max})"
            )));
        }
        if !(self.char_weight.is_finite() && self.char_weight > 0.0) {
            return Err(Error::Config(format!(
                "char_weight must be a positive number, not {}",
                self.char_weight
            )));
        }
        if self.first_word_pairs > 16 {
            return Err(Error::Config(format!(
                "first_word_pairs must be at most 16, not {}",
                self.first_word_pairs
            )));
        }
        if self.trailing_words > 4 {
            return Err(Error::Config(format!(
                "trailing_words must be at most 4, not {}",
                self.trailing_words
            )));
        }
        if self.leading_words > 4 {
            return Err(Error::Config(format!(
                "leading_words must be at most 4, not {}",
                self.leading_words
            )));
        }
        Ok(())
    }

    pub(crate) fn analyzer(&self) -> Result<Analyzer> {
        Ok(Analyzer::builder()
            .lowercase(self.lowercase)
            .strip_accents(self.strip_accents)
            .stemmer(self.stem.then_some(Stemmer::English))
            .stopwords(Stopwords::None)
            .build()?)
    }
}

/// Turns texts into feature hashes.
#[derive(Clone, Debug)]
pub(crate) struct Featurizer {
    config: FeatureConfig,
    analyzer: Analyzer,
    /// Tells this featurizer's word caches from those of others on the same thread (clones
    /// share it: they compute the same features).
    id: u64,
}

#[derive(Default)]
struct Scratch {
    words: Vec<u64>,
    /// The kind of each word (see [`word_kind`]).
    function: Vec<WordKind>,
    padded: Vec<u8>,
    bounds: Vec<usize>,
    /// The word caches of the last few featurizers used on this thread.
    caches: Vec<WordCache>,
    /// The cache to replace next when a new featurizer needs one.
    next_evict: usize,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// What the features need of one word of `text`: its key's hash, its kind (for head words) and
/// the hash of its shape (when shapes are on).
fn word_features(
    config: &FeatureConfig,
    word: &Token<'_>,
    text: &str,
) -> (u64, WordKind, Option<u64>) {
    let base = hash_bytes(word.key.as_bytes(), SEED_WORD);
    let kind = if config.head_word { word_kind(word.norm) } else { WordKind::Content };
    let shape = if config.shapes { text.get(word.span.range()).and_then(shape_hash) } else { None };
    (base, kind, shape)
}

/// Source of [`Featurizer::id`]s.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Word caches kept per thread, one per featurizer recently used on it.
const MAX_CACHES: usize = 4;

/// Entries of a new word cache (two-way set-associative, 48 bytes an entry): 8192 entries,
/// 384 KiB a featurizer.
const CACHE_SLOTS: usize = 8192;

/// The most entries a word cache grows to (3 MiB): it doubles, keeping its entries, when
/// over a window of as many lookups as it has entries more than one in 64 dropped an entry
/// (a miss costs a call of the analyzer, some 600 to 1,000 instructions against some 40 for
/// a hit). A two-way cache thrashes long before it is full: with 17,665 distinct pieces
/// read over and over (2,779 film review snippets), the cache of 32,768 entries this used to
/// stop at still missed about 2 pieces a text.
const MAX_CACHE_SLOTS: usize = 8 * CACHE_SLOTS;

/// The longest whitespace-delimited piece of text a word cache holds, in bytes.
const CACHE_BYTES: usize = 8 * CACHE_WORDS;

/// [`CACHE_BYTES`] in 64-bit words.
const CACHE_WORDS: usize = 3;

/// A bounded memo of whitespace-delimited pieces of text (`capital?`, `Paris,`) that hold at
/// most one word, with what the features need of that word: its hash, its kind and its shape.
///
/// Words never span ASCII whitespace and the analyzer treats each whitespace-delimited piece
/// on its own (see `briefing-tokenize`'s word rules), so a piece always yields the same words
/// wherever it occurs; the cache only skips recomputing them and never changes a feature.
struct WordCache {
    owner: u64,
    /// A power of two of entries, at least 2.
    entries: Vec<CacheEntry>,
    /// The words of pieces of 2 to [`MULTI_WORDS`] words (`sci-fi`, `&lt;#&gt;`), referred to
    /// by entries marked [`ENTRY_MULTI`]; emptied when full, so an entry's index is checked
    /// against the piece's bytes before use.
    multi: Vec<MultiEntry>,
    /// Lookups in the current window (see [`MAX_CACHE_SLOTS`]).
    lookups: usize,
    /// Entries dropped to make room for others in the current window.
    dropped: usize,
}

#[derive(Clone, Copy)]
struct CacheEntry {
    /// The word's key hash (see [`Featurizer::hashes`]).
    base: u64,
    /// The word's shape hash, if it has a shape feature.
    shape: u64,
    /// The piece's bytes, zero-padded, as little-endian words.
    key: [u64; CACHE_WORDS],
    /// The piece's length in bytes (0 for an empty entry).
    len: u8,
    /// [`ENTRY_EMPTY`], [`ENTRY_NO_WORD`], or [`ENTRY_WORD`] plus [`ENTRY_SHAPE`] if `shape`
    /// holds one.
    state: u8,
    kind: WordKind,
}

const ENTRY_EMPTY: u8 = 0;
const ENTRY_NO_WORD: u8 = 1;
const ENTRY_WORD: u8 = 2;
const ENTRY_SHAPE: u8 = 4;
/// The piece has several words, in [`WordCache::multi`] at index `base`.
const ENTRY_MULTI: u8 = 8;

/// The most words of a piece a word cache holds.
const MULTI_WORDS: usize = 4;

/// The most pieces of several words a word cache holds before it empties their store.
const MAX_MULTI: usize = 4096;

/// The words of a piece of several words: `key` and `len` as in [`CacheEntry`], and for each
/// word its key hash, kind and shape hash (if any).
#[derive(Clone, Copy)]
struct MultiEntry {
    key: [u64; CACHE_WORDS],
    len: u8,
    n_words: u8,
    words: [(u64, WordKind, Option<u64>); MULTI_WORDS],
}

const EMPTY_ENTRY: CacheEntry = CacheEntry {
    base: 0,
    shape: 0,
    key: [0; CACHE_WORDS],
    len: 0,
    state: ENTRY_EMPTY,
    kind: WordKind::Content,
};

impl WordCache {
    fn new(owner: u64) -> WordCache {
        WordCache {
            owner,
            entries: vec![EMPTY_ENTRY; CACHE_SLOTS],
            multi: Vec::new(),
            lookups: 0,
            dropped: 0,
        }
    }

    /// Doubles the cache, keeping its entries: the sets of a cache twice the size take one
    /// more bit of the same hash, so the (at most two) entries of set `s` go to sets `2s` and
    /// `2s + 1`, and keep their order.
    fn grow(&mut self) {
        let doubled = vec![EMPTY_ENTRY; 2 * self.entries.len()];
        let old = std::mem::replace(&mut self.entries, doubled);
        let set_bits = (self.entries.len() / 2).trailing_zeros();
        // Oldest first, each put in front of its set.
        for entry in old.iter().rev().filter(|e| e.state != ENTRY_EMPTY) {
            let set = set_of(&entry.key, usize::from(entry.len), set_bits);
            if let Some(ways) = self.entries.get_mut(2 * set..2 * set + 2) {
                ways.copy_within(0..1, 1);
                if let Some(newest) = ways.first_mut() {
                    *newest = *entry;
                }
            }
        }
    }

    /// Counts a lookup that missed, and whether storing it dropped an entry (hits only add
    /// to `lookups`); at the end of a window, doubles the cache (see [`WordCache::grow`]) if
    /// more than one lookup in 64 dropped an entry.
    fn count_miss(&mut self, dropped: bool) {
        self.lookups += 1;
        self.dropped += usize::from(dropped);
        if self.lookups >= self.entries.len() {
            if self.dropped * 64 > self.lookups && self.entries.len() < MAX_CACHE_SLOTS {
                self.grow();
            }
            self.lookups = 0;
            self.dropped = 0;
        }
    }
}

/// The word cache of featurizer `owner` among `caches`, created (replacing the one at
/// `next_evict` when there are [`MAX_CACHES`] already) if missing.
fn cache_for<'c>(
    caches: &'c mut Vec<WordCache>,
    next_evict: &mut usize,
    owner: u64,
) -> Option<&'c mut WordCache> {
    let at = match caches.iter().position(|c| c.owner == owner) {
        Some(at) => at,
        None if caches.len() < MAX_CACHES => {
            caches.push(WordCache::new(owner));
            caches.len() - 1
        }
        None => {
            let at = *next_evict % MAX_CACHES;
            *next_evict = (at + 1) % MAX_CACHES;
            let cache = caches.get_mut(at)?;
            *cache = WordCache::new(owner);
            at
        }
    };
    caches.get_mut(at)
}

/// Collects the words of a text: their hashes and kinds, and their per-word features.
struct WordSink<'s> {
    config: &'s FeatureConfig,
    words: &'s mut Vec<u64>,
    function: &'s mut Vec<WordKind>,
    out: &'s mut Vec<u64>,
    prev: u64,
}

impl WordSink<'_> {
    /// Adds a word with key hash `base` and (if it has one) shape hash `shape`.
    #[inline(always)]
    fn push(&mut self, base: u64, kind: WordKind, shape: Option<u64>) {
        self.words.push(base);
        if self.config.head_word && self.function.len() < HEAD_WINDOW {
            self.function.push(kind);
        }
        // A word's key hash is its unigram feature, a shape's hash its shape feature.
        self.out.push(base);
        if let Some(shape) = shape {
            self.out.push(shape);
            self.out.push(pair(self.prev, shape, TAG_SHAPE_BIGRAM));
        }
        self.prev = base;
    }
}

/// Seeds of the byte-string hashes of word keys, shapes and unstemmed forms: unrelated
/// 64-bit constants, so that the three never share a hash by a pattern of their bytes.
const SEED_WORD: u64 = 0x243F_6A88_85A3_08D3;
const SEED_SHAPE: u64 = 0x1319_8A2E_0370_7344;
const SEED_UNSTEMMED: u64 = 0xA409_3822_299F_31D0;
const TAG_BIGRAM: u64 = 0x2;
const TAG_TRIGRAM: u64 = 0x3;
const TAG_LEADING: u64 = 0x10;
const TAG_FIRST_PAIR: u64 = 0x18;
const TAG_HEAD: u64 = 0x28;
const TAG_TRAILING: u64 = 0x30;
const TAG_HEAD_PAIR: u64 = 0x29;
const TAG_SHAPE_BIGRAM: u64 = 0x21;
const TAG_CHAR: u64 = 0x8000_0000_0000_0000;
/// The top bit of a feature hash is set for character n-grams and clear for the rest, so that
/// their weight can differ.
const CHAR_BIT: u64 = 1 << 63;

impl Featurizer {
    pub(crate) fn new(config: FeatureConfig) -> Result<Featurizer> {
        config.validate()?;
        let analyzer = config.analyzer()?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        Ok(Featurizer { config, analyzer, id })
    }

    pub(crate) fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Appends the feature hashes of `text` to `out` (with repeats, in no useful order).
    pub(crate) fn hashes(&self, text: &str, out: &mut Vec<u64>) {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.hashes_with(text, &mut scratch, true, out),
            Err(_) => self.hashes_with(text, &mut Scratch::default(), false, out),
        });
    }

    /// Whether the per-word features are those a [`WordCache`] holds (no character n-grams,
    /// no unstemmed forms).
    fn cacheable(&self) -> bool {
        self.config.char_ngrams.is_none() && !(self.config.unstemmed && self.config.stem)
    }

    fn hashes_with(&self, text: &str, scratch: &mut Scratch, cached: bool, out: &mut Vec<u64>) {
        let config = &self.config;
        let Scratch { words, function, padded, bounds, caches, next_evict } = scratch;
        words.clear();
        function.clear();
        let mut sink = WordSink { config, words, function, out, prev: 0 };
        let cache =
            if cached && self.cacheable() { cache_for(caches, next_evict, self.id) } else { None };
        match cache {
            Some(cache) => self.cached_words(text, cache, &mut sink),
            None => self.analyzer.for_each_token(text, |word| {
                let (base, kind, shape) = word_features(config, &word, text);
                // The per-word features a cache cannot hold.
                if config.unstemmed && config.stem && word.norm != word.key {
                    sink.out.push(hash_bytes(word.norm.as_bytes(), SEED_UNSTEMMED));
                }
                if let Some((min_n, max_n)) = config.char_ngrams {
                    char_ngram_hashes(word.norm, min_n, max_n, padded, bounds, sink.out);
                }
                sink.push(base, kind, shape);
            }),
        }
        let (words, function, out) = (sink.words, sink.function, sink.out);
        if config.word_ngrams >= 2 {
            out.extend(words.windows(2).map(|w| pair(w[0], w[1], TAG_BIGRAM)));
        }
        if config.word_ngrams >= 3 {
            out.extend(
                words.windows(3).map(|w| pair(pair(w[0], w[1], TAG_TRIGRAM), w[2], TAG_TRIGRAM)),
            );
        }
        if let Some((&first, rest)) = words.split_first() {
            for &word in rest.iter().take(config.first_word_pairs) {
                out.push(pair(first, word, TAG_FIRST_PAIR));
            }
        }
        if config.head_word
            && let Some((first, head)) = head_word(words, function)
        {
            out.push(pair(0, head, TAG_HEAD));
            out.push(pair(first, head, TAG_HEAD_PAIR));
        }
        let mut prefix = 0u64;
        for (idx, &word) in words.iter().take(config.leading_words).enumerate() {
            prefix = pair(prefix, word, TAG_LEADING + idx as u64);
            out.push(prefix);
        }
        let mut suffix = 0u64;
        for (idx, &word) in words.iter().rev().take(config.trailing_words).enumerate() {
            suffix = pair(suffix, word, TAG_TRAILING + idx as u64);
            out.push(suffix);
        }
    }

    /// The words of `text`, piece by whitespace-delimited piece: short pieces of at most one
    /// word come from `cache` (and go into it on a miss), the rest from the analyzer.
    ///
    /// A piece of up to [`CACHE_BYTES`] bytes is found and read 8 bytes at a time: the words
    /// it is read into are the cache key.
    fn cached_words(&self, text: &str, cache: &mut WordCache, sink: &mut WordSink<'_>) {
        let bytes = text.as_bytes();
        let mut at = 0;
        loop {
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            if at >= bytes.len() {
                break;
            }
            let start = at;
            let mut key = [0u64; CACHE_WORDS];
            let mut end = None;
            for (idx, slot) in key.iter_mut().enumerate() {
                let offset = start + 8 * idx;
                let (word, valid) = load_le(bytes, offset);
                match first_whitespace(word, valid) {
                    Some(len) => {
                        *slot = word & low_bytes(len);
                        end = Some(offset + len);
                        break;
                    }
                    None => {
                        *slot = word;
                        if valid < 8 {
                            end = Some(offset + valid);
                            break;
                        }
                    }
                }
            }
            let end = end.unwrap_or_else(|| {
                let from = start + CACHE_BYTES;
                bytes
                    .get(from..)
                    .and_then(|rest| rest.iter().position(u8::is_ascii_whitespace))
                    .map_or(bytes.len(), |len| from + len)
            });
            at = end;
            let len = end - start;
            // A hit needs neither the piece as a `str` nor a call.
            if len <= CACHE_BYTES && cached_hit(&key, len, cache, sink) {
                continue;
            }
            // Both ends are next to ASCII bytes (or the ends of the text): char boundaries.
            let Some(piece) = text.get(start..end) else { break };
            if piece.len() > CACHE_BYTES {
                self.analyzed_piece(piece, sink, |_, _, _| {});
            } else {
                self.cached_piece(piece, key, cache, sink);
            }
        }
    }

    /// The words of one whitespace-delimited piece of at most [`CACHE_BYTES`] bytes, whose
    /// bytes zero-padded as little-endian words are `key`, and that [`cached_hit`] did not
    /// find: through the analyzer, then stored in `cache`.
    #[inline(never)]
    fn cached_piece(
        &self,
        piece: &str,
        key: [u64; CACHE_WORDS],
        cache: &mut WordCache,
        sink: &mut WordSink<'_>,
    ) {
        let len = piece.len();
        // Of a set's two entries, the most recently stored comes first.
        let set_bits = (cache.entries.len() / 2).trailing_zeros();
        let set = set_of(&key, len, set_bits);
        let mut n_words = 0;
        let mut words = [(0, WordKind::Content, None); MULTI_WORDS];
        self.analyzed_piece(piece, sink, |base, kind, shape| {
            if let Some(word) = words.get_mut(n_words) {
                *word = (base, kind, shape);
            }
            n_words += 1;
        });
        let mut first = EMPTY_ENTRY;
        first.len = len as u8;
        first.key = key;
        match n_words {
            0 => first.state = ENTRY_NO_WORD,
            1 => {
                let [(base, kind, shape), ..] = words;
                first.base = base;
                first.kind = kind;
                first.state = ENTRY_WORD;
                if let Some(shape) = shape {
                    first.shape = shape;
                    first.state |= ENTRY_SHAPE;
                }
            }
            n if n <= MULTI_WORDS => {
                if cache.multi.len() >= MAX_MULTI {
                    cache.multi.clear();
                }
                first.base = cache.multi.len() as u64;
                first.state = ENTRY_MULTI;
                cache.multi.push(MultiEntry { key, len: len as u8, n_words: n as u8, words });
            }
            _ => return,
        }
        let Some(ways) = cache.entries.get_mut(2 * set..2 * set + 2) else { return };
        let dropped = ways.get(1).is_some_and(|oldest| oldest.state != ENTRY_EMPTY);
        // A piece found with its words dropped replaces its own entry.
        if let Some(stale) = ways.iter_mut().find(|e| usize::from(e.len) == len && e.key == key) {
            *stale = first;
            cache.lookups += 1;
            return;
        }
        ways.copy_within(0..1, 1);
        if let Some(newest) = ways.first_mut() {
            *newest = first;
        }
        cache.count_miss(dropped);
    }

    /// The words of one piece of text through the analyzer, each also passed to `seen`.
    fn analyzed_piece(
        &self,
        piece: &str,
        sink: &mut WordSink<'_>,
        mut seen: impl FnMut(u64, WordKind, Option<u64>),
    ) {
        let config = &self.config;
        self.analyzer.for_each_token(piece, |word| {
            let (base, kind, shape) = word_features(config, &word, piece);
            seen(base, kind, shape);
            sink.push(base, kind, shape);
        });
    }
}

/// Passes the words of a piece of `len` bytes (at most [`CACHE_BYTES`]), zero-padded as
/// little-endian words `key`, to `sink` if `cache` holds them, and says whether it did (as
/// [`Featurizer::cached_piece`] does on a hit, without its miss path).
#[inline(always)]
fn cached_hit(
    key: &[u64; CACHE_WORDS],
    len: usize,
    cache: &mut WordCache,
    sink: &mut WordSink<'_>,
) -> bool {
    let set_bits = (cache.entries.len() / 2).trailing_zeros();
    let set = set_of(key, len, set_bits);
    let Some(ways) = cache.entries.get(2 * set..2 * set + 2) else { return false };
    let Some(entry) = ways.iter().find(|e| usize::from(e.len) == len && e.key == *key) else {
        return false;
    };
    if entry.state & ENTRY_MULTI != 0 {
        let multi = cache.multi.get(entry.base as usize);
        // Its words may have been dropped (the miss path analyzes it again).
        let Some(multi) = multi.filter(|m| usize::from(m.len) == len && m.key == *key) else {
            return false;
        };
        for &(base, kind, shape) in multi.words.iter().take(multi.n_words.into()) {
            sink.push(base, kind, shape);
        }
    } else if entry.state & ENTRY_WORD != 0 {
        let shape = (entry.state & ENTRY_SHAPE != 0).then_some(entry.shape);
        sink.push(entry.base, entry.kind, shape);
    }
    cache.lookups += 1;
    true
}

/// The set of a piece of `len` bytes, zero-padded as little-endian words `key`, in a word
/// cache of `1 << set_bits` sets: the top bits of a product that depends on all the bytes.
#[inline]
fn set_of(key: &[u64; CACHE_WORDS], len: usize, set_bits: u32) -> usize {
    let [a, b, c] = *key;
    let mixed = (a ^ b.rotate_left(21) ^ c.rotate_left(42) ^ ((len as u64) << 56))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    mixed.checked_shr(64 - set_bits).unwrap_or(0) as usize
}

/// The question word and the head of the phrase after it: the question word is the first
/// `what`/`which`/… among the first [`WH_WINDOW`] words (else the first word); function words
/// after it are skipped, and the head is the last word of the run of content words that
/// follows (at most [`HEAD_RUN`] words looked at).
fn head_word(words: &[u64], kinds: &[WordKind]) -> Option<(u64, u64)> {
    let wh = kinds.iter().take(WH_WINDOW).position(|&k| k == WordKind::Question)?;
    let after = wh + 1;
    let start = after + kinds.get(after..)?.iter().position(|&k| k == WordKind::Content)?;
    // The run goes on through possessives (`Columbia Tristar 's phone *number*`).
    let mut head = start;
    let mut taken = 0;
    for (idx, &kind) in kinds.iter().enumerate().skip(start) {
        match kind {
            WordKind::Content if taken < HEAD_RUN => {
                head = idx;
                taken += 1;
            }
            WordKind::Possessive => {}
            _ => break,
        }
    }
    Some((*words.get(wh)?, *words.get(head)?))
}

/// The longest run of content words [`head_word`] looks at.
const HEAD_RUN: usize = 4;

/// How far into a text [`head_word`] looks for a question word.
const WH_WINDOW: usize = 4;

/// How far into a text [`head_word`] looks for the head.
const HEAD_WINDOW: usize = 16;

/// What [`head_word`] needs to know about a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordKind {
    /// Anything else.
    Content,
    /// An English auxiliary, determiner, preposition, pronoun, or `kind`/`type`/`sort`.
    Function,
    /// An English question word.
    Question,
    /// `'s`: inside a phrase.
    Possessive,
}

/// The kind of a normalized word.
fn word_kind(norm: &str) -> WordKind {
    match norm {
        "what" | "which" | "who" | "whom" | "whose" | "where" | "when" | "why" | "how" | "name" => {
            WordKind::Question
        }
        "'s" | "s" | "'" => WordKind::Possessive,
        "a" | "an" | "the" | "this" | "that" | "these" | "those" | "some" | "any" | "each"
        | "every" | "one" | "is" | "are" | "was" | "were" | "be" | "been" | "being" | "do"
        | "does" | "did" | "can" | "could" | "will" | "would" | "should" | "may" | "might"
        | "must" | "has" | "have" | "had" | "of" | "in" | "on" | "at" | "for" | "to" | "from"
        | "by" | "with" | "as" | "about" | "into" | "onto" | "over" | "under" | "after"
        | "before" | "between" | "during" | "through" | "and" | "or" | "but" | "if" | "than"
        | "then" | "so" | "not" | "no" | "it" | "its" | "he" | "she" | "they" | "we" | "you"
        | "i" | "his" | "her" | "their" | "our" | "your" | "my" | "kind" | "type" | "sort"
        | "there" | "here" | "much" | "many" => WordKind::Function,
        _ => WordKind::Content,
    }
}

/// The hash of a word's shape when it is not all lowercase: its characters mapped to `X`
/// (uppercase), `x` (lowercase), `d` (digit) or `-`, runs collapsed (`HTML` → `X`, `Paris` →
/// `Xx`, `B52` → `Xd`), at most 8 classes long.
fn shape_hash(surface: &str) -> Option<u64> {
    if surface.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut shape = [0u8; 8];
    let mut len = 0;
    let mut has_other = false;
    let mut push = |class: u8| {
        has_other |= class != b'x';
        if len > 0 && shape.get(len - 1) == Some(&class) {
            return;
        }
        if let Some(slot) = shape.get_mut(len) {
            *slot = class;
            len += 1;
        }
    };
    if surface.is_ascii() {
        for b in surface.bytes() {
            push(match b {
                b'A'..=b'Z' => b'X',
                b'a'..=b'z' => b'x',
                b'0'..=b'9' => b'd',
                _ => b'-',
            });
        }
    } else {
        for c in surface.chars() {
            push(char_class(c));
        }
    }
    has_other.then(|| hash_bytes(shape.get(..len).unwrap_or_default(), SEED_SHAPE))
}

/// The shape class of a character: `X` uppercase, `x` lowercase, `d` digit, `-` other.
fn char_class(c: char) -> u8 {
    if c.is_uppercase() {
        b'X'
    } else if c.is_lowercase() {
        b'x'
    } else if c.is_numeric() {
        b'd'
    } else {
        b'-'
    }
}

/// Hashes of the character n-grams of `<word>`, `min_n..=max_n` characters long.
fn char_ngram_hashes(
    word: &str,
    min_n: usize,
    max_n: usize,
    padded: &mut Vec<u8>,
    bounds: &mut Vec<usize>,
    out: &mut Vec<u64>,
) {
    padded.clear();
    padded.push(b'<');
    padded.extend_from_slice(word.as_bytes());
    padded.push(b'>');
    bounds.clear();
    // Char starts: every byte that is not a UTF-8 continuation byte, plus the end.
    bounds.extend(padded.iter().enumerate().filter(|(_, b)| (**b & 0xC0) != 0x80).map(|(i, _)| i));
    bounds.push(padded.len());
    let n_chars = bounds.len() - 1;
    for n in min_n..=max_n.min(n_chars) {
        for (start, end) in bounds.iter().zip(bounds.iter().skip(n)) {
            if let Some(gram) = padded.get(*start..*end) {
                out.push(hash_bytes(gram, TAG_CHAR | n as u64) | CHAR_BIT);
            }
        }
    }
}

/// The 8 bytes of `bytes` from `at` as a little-endian word, zero-padded past the end, and how
/// many of them are in `bytes`.
#[inline]
fn load_le(bytes: &[u8], at: usize) -> (u64, usize) {
    match bytes.get(at..at + 8).and_then(|chunk| <[u8; 8]>::try_from(chunk).ok()) {
        Some(chunk) => (u64::from_le_bytes(chunk), 8),
        None => {
            let rest = bytes.get(at..).unwrap_or_default();
            let word = rest.iter().enumerate().fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            (word, rest.len())
        }
    }
}

/// The index of the first ASCII whitespace byte among the first `valid` bytes of a
/// little-endian word.
#[inline]
fn first_whitespace(word: u64, valid: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The lowest flagged byte is the first below 0x21 (bytes of 0x80 and more never are):
    // whitespace or, rarely, another control byte.
    let below = word.wrapping_sub(ONES * 0x21) & !word & HIGH;
    let first = (below.trailing_zeros() / 8) as usize;
    if first >= valid {
        return None;
    }
    let byte_at = |idx: usize| (word >> (8 * idx)) as u8;
    if byte_at(first).is_ascii_whitespace() {
        return Some(first);
    }
    (first + 1..valid).find(|&idx| byte_at(idx).is_ascii_whitespace())
}

/// A mask of the low `n` bytes of a word (`n` < 8).
#[inline]
fn low_bytes(n: usize) -> u64 {
    1u64.checked_shl(8 * n as u32).map_or(u64::MAX, |bit| bit - 1)
}

/// splitmix64's finalizer: a strong 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    // Word-level features keep the top bit clear (see `CHAR_BIT`).
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & !CHAR_BIT
}

/// The feature hash of an ordered pair of hashes (word pairs, a word after a shape, chains
/// of leading or trailing words), for the feature kind `tag`: one rotation, two xors and one
/// multiplication instead of a full mix, since `a` and `b` are themselves well mixed (word
/// key hashes, shapes, or pairs). The multiplier is odd, so distinct `a.rotate_left(23) ^ b ^
/// tag` give distinct pairs (up to the top bit, cleared as for every word-level feature); the
/// low bits that place a feature in a table depend on the (random) low bits of the rotated
/// `a` and of `b`, and the top bits on all of them.
#[inline]
fn pair(a: u64, b: u64, tag: u64) -> u64 {
    ((a.rotate_left(23) ^ b ^ tag).wrapping_mul(0x9E37_79B9_7F4A_7C15)) & !CHAR_BIT
}

/// A fast, platform-independent hash of a byte string (8 bytes at a time, then mixed).
#[inline]
fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    const K: u64 = 0x51_7C_C1_B7_27_22_0A_95;
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The rest zero-padded, as little-endian bytes (a loop: no call to `memcpy`).
        let word = rest.iter().enumerate().fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
        h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    }
    mix(h)
}

/// A sparse vector: distinct feature indices with their weights, in a deterministic order
/// (that of the feature hashes).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SparseVec {
    pub(crate) pairs: Vec<(u32, f32)>,
}

impl SparseVec {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.pairs.iter().map(|&(i, v)| (i as usize, v))
    }

    pub(crate) fn norm_sq(&self) -> f32 {
        self.pairs.iter().map(|p| p.1 * p.1).sum()
    }
}

/// The learnt vocabulary of feature hashes with their IDF weights.
#[derive(Clone, Debug)]
pub(crate) struct FeatureSpace {
    featurizer: Featurizer,
    index: HashIndex,
}

impl FeatureSpace {
    /// Learns the vocabulary from `texts` and returns it with their vectors.
    pub(crate) fn fit(
        config: &FeatureConfig,
        texts: &[&str],
    ) -> Result<(FeatureSpace, Vec<SparseVec>)> {
        let featurizer = Featurizer::new(config.clone())?;
        let per_text: Vec<Vec<u64>> = texts
            .par_iter()
            .map(|text| {
                let mut hashes = Vec::new();
                featurizer.hashes(text, &mut hashes);
                hashes.sort_unstable();
                hashes
            })
            .collect();
        let mut df: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        for hashes in &per_text {
            let mut prev = None;
            for &h in hashes {
                if prev != Some(h) {
                    *df.entry(h).or_insert(0) += 1;
                    prev = Some(h);
                }
            }
        }
        let min_count = config.min_count.max(1) as u32;
        let mut keys: Vec<(u64, u32)> = df.into_iter().filter(|&(_, n)| n >= min_count).collect();
        keys.sort_unstable();
        let n_texts = texts.len() as f64;
        let idf: Vec<f32> = keys
            .iter()
            .map(|&(key, n)| {
                let idf = if config.idf {
                    ((1.0 + n_texts) / (1.0 + f64::from(n))).ln() + 1.0
                } else {
                    1.0
                };
                let weight = if key & CHAR_BIT != 0 { f64::from(config.char_weight) } else { 1.0 };
                (idf * weight) as f32
            })
            .collect();
        let index = HashIndex::new(keys.into_iter().map(|(k, _)| k).collect(), idf);
        let space = FeatureSpace { featurizer, index };
        let vectors = per_text.into_par_iter().map(|mut hashes| space.weigh(&mut hashes)).collect();
        Ok((space, vectors))
    }

    /// Rebuilds a space from its saved parts.
    pub(crate) fn from_parts(
        config: FeatureConfig,
        keys: Vec<u64>,
        idf: Vec<f32>,
    ) -> Result<FeatureSpace> {
        if keys.len() != idf.len() {
            return Err(Error::Model(format!(
                "{} feature keys but {} idf weights",
                keys.len(),
                idf.len()
            )));
        }
        if keys.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::Model("feature keys are not sorted and distinct".to_owned()));
        }
        Ok(FeatureSpace { featurizer: Featurizer::new(config)?, index: HashIndex::new(keys, idf) })
    }

    pub(crate) fn config(&self) -> &FeatureConfig {
        self.featurizer.config()
    }

    pub(crate) fn keys(&self) -> &[u64] {
        &self.index.keys
    }

    pub(crate) fn idf(&self) -> &[f32] {
        &self.index.idf
    }

    pub(crate) fn n_features(&self) -> usize {
        self.index.idf.len()
    }

    /// The feature hashes of `text` (with repeats, in no useful order), in `hashes`.
    pub(crate) fn hashes(&self, text: &str, hashes: &mut Vec<u64>) {
        hashes.clear();
        self.featurizer.hashes(text, hashes);
    }

    /// The feature hashes of `text`, sorted (with repeats), in `hashes`.
    pub(crate) fn sorted_hashes(&self, text: &str, hashes: &mut Vec<u64>) {
        hashes.clear();
        self.featurizer.hashes(text, hashes);
        hashes.sort_unstable();
    }

    /// The vector of `text`, using `hashes` as scratch space.
    pub(crate) fn vectorize_into(&self, text: &str, hashes: &mut Vec<u64>, out: &mut SparseVec) {
        self.sorted_hashes(text, hashes);
        self.weigh_into(hashes, out);
    }

    #[cfg(test)]
    pub(crate) fn vectorize(&self, text: &str) -> SparseVec {
        let mut out = SparseVec::default();
        self.vectorize_into(text, &mut Vec::new(), &mut out);
        out
    }

    fn weigh(&self, sorted_hashes: &mut [u64]) -> SparseVec {
        let mut out = SparseVec::default();
        self.weigh_into(sorted_hashes, &mut out);
        out
    }

    /// Counts sorted hashes, keeps the known ones, and weighs them (TF-IDF, unit length).
    fn weigh_into(&self, sorted_hashes: &[u64], out: &mut SparseVec) {
        out.pairs.clear();
        let config = self.featurizer.config();
        let mut at = 0;
        while let Some(&hash) = sorted_hashes.get(at) {
            let run = sorted_hashes
                .get(at..)
                .map_or(1, |rest| rest.iter().take_while(|&&h| h == hash).count());
            at += run;
            if let Some((feature_idx, idf)) = self.index.get(hash) {
                let tf = match run {
                    1 => 1.0,
                    _ if config.sublinear_tf => 1.0 + (run as f32).ln(),
                    _ => run as f32,
                };
                out.pairs.push((feature_idx, tf * idf));
            }
        }
        let norm = out.norm_sq().sqrt();
        if norm > 0.0 {
            out.pairs.iter_mut().for_each(|p| p.1 /= norm);
        }
    }
}

/// Open-addressing table from feature hash to feature index and IDF weight (one cache line
/// holds four slots); the index of a key is its rank among the sorted keys, so the table is
/// fully determined by the key set.
#[derive(Clone, Debug)]
struct HashIndex {
    keys: Vec<u64>,
    idf: Vec<f32>,
    /// Built on first use: a loaded classifier predicts through its `Scorer` and never
    /// needs it.
    slots: OnceLock<Vec<Slot>>,
    mask: usize,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    key: u64,
    idx: u32,
    idf: f32,
}

const EMPTY: u32 = u32::MAX;

impl HashIndex {
    fn new(keys: Vec<u64>, idf: Vec<f32>) -> HashIndex {
        let capacity = (keys.len() * 2).next_power_of_two().max(16);
        HashIndex { keys, idf, slots: OnceLock::new(), mask: capacity - 1 }
    }

    fn slots(&self) -> &[Slot] {
        self.slots.get_or_init(|| {
            let mask = self.mask;
            let mut slots = vec![Slot { key: 0, idx: EMPTY, idf: 0.0 }; mask + 1];
            for (idx, &key) in self.keys.iter().enumerate() {
                let mut pos = key as usize & mask;
                while slots[pos].idx != EMPTY {
                    pos = (pos + 1) & mask;
                }
                let idf = self.idf.get(idx).copied().unwrap_or(1.0);
                slots[pos] = Slot { key, idx: idx as u32, idf };
            }
            slots
        })
    }

    #[inline]
    fn get(&self, key: u64) -> Option<(u32, f32)> {
        let slots = self.slots();
        let mut pos = key as usize & self.mask;
        loop {
            let slot = slots.get(pos)?;
            if slot.idx == EMPTY {
                return None;
            }
            if slot.key == key {
                return Some((slot.idx, slot.idf));
            }
            pos = (pos + 1) & self.mask;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hashes(config: FeatureConfig, text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        Featurizer::new(config).unwrap().hashes(text, &mut out);
        out
    }

    #[test]
    fn feature_counts_follow_the_config() {
        let words_only = FeatureConfig {
            word_ngrams: 1,
            char_ngrams: None,
            leading_words: 0,
            first_word_pairs: 0,
            trailing_words: 0,
            head_word: false,
            shapes: false,
            ..FeatureConfig::default()
        };
        assert_eq!(hashes(words_only.clone(), "What is the SCO?").len(), 4);
        let trailing = FeatureConfig { trailing_words: 2, ..words_only.clone() };
        assert_eq!(hashes(trailing.clone(), "What is the SCO?").len(), 4 + 2);
        assert_eq!(hashes(trailing, "SCO").len(), 1 + 1);
        // "members" stems to "member": one more feature; "the" is its own stem.
        let unstemmed = FeatureConfig { unstemmed: true, ..words_only.clone() };
        assert_eq!(hashes(unstemmed.clone(), "the members").len(), 2 + 1);
        let unstemmed_only = FeatureConfig { stem: false, ..unstemmed };
        assert_eq!(hashes(unstemmed_only, "the members").len(), 2);
        // A question gets its head word, alone and with the question word; other text not.
        let head = FeatureConfig { head_word: true, ..words_only.clone() };
        assert_eq!(hashes(head.clone(), "What is the capital of Peru?").len(), 6 + 2);
        assert_eq!(hashes(head.clone(), "the capital of Peru").len(), 4);
        assert_eq!(hashes(head, "What is it?").len(), 3);
        let bigrams = FeatureConfig { word_ngrams: 2, ..words_only.clone() };
        assert_eq!(hashes(bigrams, "What is the SCO?").len(), 4 + 3);
        let trigrams = FeatureConfig { word_ngrams: 3, leading_words: 2, ..words_only.clone() };
        assert_eq!(hashes(trigrams, "What is the SCO?").len(), 4 + 3 + 2 + 2);
        let pairs = FeatureConfig { first_word_pairs: 2, ..words_only.clone() };
        assert_eq!(hashes(pairs.clone(), "What is the SCO?").len(), 4 + 2);
        assert_eq!(hashes(pairs, "What").len(), 1);
        // "What" and "SCO" are not all lowercase: a shape and a shape-after-word each.
        let shapes = FeatureConfig { shapes: true, ..words_only.clone() };
        assert_eq!(hashes(shapes, "What is the SCO?").len(), 4 + 2 + 2);
        // "<ab>" has 3 bigrams and 2 trigrams; "é" is one char: "<e>" after accent stripping.
        let chars = FeatureConfig { char_ngrams: Some((2, 3)), ..words_only };
        assert_eq!(hashes(chars.clone(), "ab").len(), 1 + 3 + 2);
        assert_eq!(hashes(chars.clone(), "é").len(), 1 + 2 + 1);
        assert_eq!(hashes(chars, "").len(), 0);
    }

    #[test]
    fn word_cache_never_changes_features() {
        const PIECES: &[&str] = &[
            "What",
            "is",
            "the",
            "SCO's",
            "U.S.",
            "1,000",
            "Café",
            "МГИМО",
            "law-enforcement",
            "?",
            "—",
            "“quoted”",
            "a.b",
            "x",
            "B52",
            "'",
            "'s",
            "don't",
            "e.g.",
            "2013-2017",
            "супер-длинноеслово",
            "averyveryverylongword",
            "Paris,",
            "\u{a0}",
            "…",
            "name",
            "How",
            "many",
            "capital",
            "of",
            "Peru",
            "«ok»",
            "HTML5",
            "é",
            // Control bytes (NUL, vertical tab: not ASCII whitespace; form feed: whitespace).
            "\0",
            "a\u{1}b",
            "x\u{b}y",
            "p\u{c}q",
            // Pieces of 8, 16, 23, 24 and 25 bytes: the edges of the 8-byte reads.
            "eight-8b",
            "sixteen-bytes-16",
            "twenty-three-bytes-long",
            "twenty-four-bytes-long-x",
            "twenty-five-bytes-long-xy",
            "Sixteen-Bytes-16's",
        ];
        const SEPARATORS: &[&str] = &[" ", " ", " ", "", "\t", "\n", "  ", "\r\n", "-", "."];
        let mut rng = crate::rng::Rng::new(11, 0);
        let mut next = |n: usize| rng.below(n);
        let mut texts: Vec<String> = vec![String::new(), " ".to_owned(), "\t\n".to_owned()];
        for _ in 0..400 {
            let mut text = String::new();
            for _ in 0..next(12) {
                text.push_str(PIECES[next(PIECES.len())]);
                text.push_str(SEPARATORS[next(SEPARATORS.len())]);
            }
            texts.push(text);
        }
        let configs = [
            FeatureConfig::default(),
            FeatureConfig { shapes: false, head_word: false, ..FeatureConfig::default() },
            FeatureConfig { stem: false, lowercase: false, ..FeatureConfig::default() },
            FeatureConfig { strip_accents: false, word_ngrams: 3, ..FeatureConfig::default() },
        ];
        for config in configs {
            let featurizer = Featurizer::new(config).unwrap();
            assert!(featurizer.cacheable());
            // Twice over: the second pass finds most pieces in the cache.
            for text in texts.iter().chain(&texts) {
                let mut plain = Vec::new();
                featurizer.hashes_with(text, &mut Scratch::default(), false, &mut plain);
                let mut cached = Vec::new();
                featurizer.hashes(text, &mut cached);
                plain.sort_unstable();
                cached.sort_unstable();
                assert_eq!(plain, cached, "{text:?}");
            }
        }
        let chars = FeatureConfig { char_ngrams: Some((2, 4)), ..FeatureConfig::default() };
        assert!(!Featurizer::new(chars).unwrap().cacheable());
    }

    #[test]
    fn whitespace_is_found_eight_bytes_at_a_time() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Bytes from a small alphabet that has whitespace, other control bytes and UTF-8.
            const ALPHABET: &[u8] = b" \t\n\x0b\x0c\r\0\x01a!\x7f\x80\xd0\xff";
            let bytes: Vec<u8> = (0..(state % 11) as usize)
                .map(|i| ALPHABET[(state >> (4 + 4 * i)) as usize % ALPHABET.len()])
                .collect();
            for at in 0..=bytes.len() {
                let (word, valid) = load_le(&bytes, at);
                let rest = &bytes[at..];
                assert_eq!(valid, rest.len().min(8));
                let expected: Vec<u8> = rest.iter().copied().chain([0; 8]).take(8).collect();
                assert_eq!(word.to_le_bytes().to_vec(), expected);
                let first = rest.iter().take(8).position(u8::is_ascii_whitespace);
                assert_eq!(first_whitespace(word, valid), first, "{rest:?}");
            }
        }
        assert_eq!(low_bytes(0), 0);
        assert_eq!(low_bytes(3), 0xFF_FFFF);
    }

    /// Featurizes each text with the word cache of `scratch` and without
    /// one, and asserts the same features.
    fn assert_cache_is_exact(featurizer: &Featurizer, texts: &[&String], scratch: &mut Scratch) {
        for text in texts {
            let mut plain = Vec::new();
            featurizer.hashes_with(text, &mut Scratch::default(), false, &mut plain);
            let mut cached = Vec::new();
            featurizer.hashes_with(text, scratch, true, &mut cached);
            plain.sort_unstable();
            cached.sort_unstable();
            assert_eq!(plain, cached, "{text:?}");
        }
    }

    #[test]
    fn a_word_cache_grows_when_it_drops_many_entries_and_stays_exact() {
        let featurizer = Featurizer::new(FeatureConfig::default()).unwrap();
        let words: Vec<String> = (0..3 * CACHE_SLOTS).map(|i| format!("w{i}x")).collect();
        let texts: Vec<String> = words.chunks(16).map(|chunk| chunk.join(" ")).collect();
        let mut scratch = Scratch::default();
        let thrice: Vec<&String> = texts.iter().chain(&texts).chain(&texts).collect();
        assert_cache_is_exact(&featurizer, &thrice, &mut scratch);
        assert_eq!(scratch.caches.len(), 1);
        let cache = &scratch.caches[0];
        assert!(cache.entries.len() > CACHE_SLOTS);
        assert!(cache.entries.len() <= MAX_CACHE_SLOTS);
    }

    #[test]
    fn pieces_of_several_words_are_cached_exactly_and_their_store_empties_when_full() {
        let featurizer = Featurizer::new(FeatureConfig::default()).unwrap();
        // More distinct pieces of two and three words (`w7x-y's`, `&lt;w7&gt;`) than the store
        // holds, beside pieces of one word (`What's`, `U.S.`) and of too many to hold (five:
        // `a-b-c-d-e`).
        let texts: Vec<String> = (0..MAX_MULTI + 500)
            .map(|i| format!("What's w{i}x-y's U.S. &lt;w{i}&gt; a-b-c-d-e {}", i % 7))
            .collect();
        let mut scratch = Scratch::default();
        let twice: Vec<&String> = texts.iter().chain(&texts).collect();
        assert_cache_is_exact(&featurizer, &twice, &mut scratch);
        let cache = &scratch.caches[0];
        assert!(!cache.multi.is_empty());
        assert!(cache.multi.len() <= MAX_MULTI);
        assert!(cache.multi.iter().all(|m| (2..=MULTI_WORDS).contains(&usize::from(m.n_words))));
        let multi_entries = cache.entries.iter().filter(|e| e.state & ENTRY_MULTI != 0).count();
        assert!(multi_entries > cache.multi.len());
    }

    #[test]
    fn a_word_cache_keeps_its_entries_when_it_grows() {
        let featurizer = Featurizer::new(FeatureConfig::default()).unwrap();
        let mut cache = WordCache::new(featurizer.id);
        let text: String = (0..CACHE_SLOTS / 4).map(|i| format!("w{i}x ")).collect();
        let (mut words, mut function, mut out) = (Vec::new(), Vec::new(), Vec::new());
        let config = featurizer.config();
        let mut sink =
            WordSink { config, words: &mut words, function: &mut function, out: &mut out, prev: 0 };
        featurizer.cached_words(&text, &mut cache, &mut sink);
        let stored = |cache: &WordCache| {
            let mut keys: Vec<_> = cache
                .entries
                .iter()
                .filter(|e| e.state != ENTRY_EMPTY)
                .map(|e| (e.key, e.len, e.base, e.shape, e.state))
                .collect();
            keys.sort_unstable();
            keys
        };
        let before = stored(&cache);
        assert!(before.len() > CACHE_SLOTS / 8);
        cache.grow();
        assert_eq!(cache.entries.len(), 2 * CACHE_SLOTS);
        assert_eq!(stored(&cache), before);
        // Every entry is in the set where a lookup looks for it.
        let set_bits = (cache.entries.len() / 2).trailing_zeros();
        for (at, entry) in cache.entries.iter().enumerate() {
            if entry.state != ENTRY_EMPTY {
                assert_eq!(set_of(&entry.key, usize::from(entry.len), set_bits), at / 2);
            }
        }
    }

    #[test]
    fn word_caches_of_several_featurizers_coexist() {
        let featurizers: Vec<Featurizer> = (1..=MAX_CACHES + 2)
            .map(|n| {
                let config = FeatureConfig { leading_words: n % 5, ..FeatureConfig::default() };
                Featurizer::new(config).unwrap()
            })
            .collect();
        let text = "What is the capital of Peru? The capital is Lima.";
        let expected: Vec<Vec<u64>> = featurizers
            .iter()
            .map(|f| {
                let mut out = Vec::new();
                f.hashes_with(text, &mut Scratch::default(), false, &mut out);
                out.sort_unstable();
                out
            })
            .collect();
        for _ in 0..3 {
            for (featurizer, expected) in featurizers.iter().zip(&expected) {
                let mut out = Vec::new();
                featurizer.hashes(text, &mut out);
                out.sort_unstable();
                assert_eq!(&out, expected);
            }
        }
        SCRATCH.with(|scratch| assert!(scratch.borrow().caches.len() <= MAX_CACHES));
    }

    #[test]
    fn char_ngrams_match_briefing_tokenize() {
        let mut padded = Vec::new();
        let mut bounds = Vec::new();
        let mut ours = Vec::new();
        char_ngram_hashes("где", 2, 4, &mut padded, &mut bounds, &mut ours);
        let theirs: Vec<u64> = briefing_tokenize::char_ngrams("где", 2, 4)
            .iter()
            .map(|g| hash_bytes(g.as_bytes(), TAG_CHAR | g.chars().count() as u64) | CHAR_BIT)
            .collect();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn case_and_accents_fold_and_order_matters() {
        let config = FeatureConfig { shapes: false, ..FeatureConfig::default() };
        let mut a = hashes(config.clone(), "Café Society");
        let mut b = hashes(config.clone(), "cafe society");
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        let mut c = hashes(config.clone(), "society cafe");
        c.sort_unstable();
        assert_ne!(a, c);
        let with_shapes = FeatureConfig { shapes: true, ..config };
        let mut d = hashes(with_shapes, "Café Society");
        d.sort_unstable();
        assert_ne!(a, d);
    }

    #[test]
    fn head_word_is_the_end_of_the_phrase_after_the_question_word() {
        let head = |text: &str| {
            let analyzer = FeatureConfig { stem: false, ..FeatureConfig::default() }.analyzer();
            let (mut words, mut kinds, mut norms) = (Vec::new(), Vec::new(), Vec::new());
            analyzer.unwrap().for_each_token(text, |token| {
                words.push(norms.len() as u64);
                kinds.push(word_kind(token.norm));
                norms.push(token.norm.to_owned());
            });
            head_word(&words, &kinds)
                .map(|(wh, head)| (norms[wh as usize].clone(), norms[head as usize].clone()))
        };
        let pair = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(head("What is the capital of Peru?"), pair("what", "capital"));
        assert_eq!(head("What is Columbia Tristar's phone number?"), pair("what", "number"));
        assert_eq!(head("Name a female figure skater."), pair("name", "skater"));
        assert_eq!(head("In what Olympic Games did she win?"), pair("what", "games"));
        assert_eq!(head("How many people were born in Oslo?"), pair("how", "people"));
        // No parts of speech: a verb after the phrase joins it.
        assert_eq!(head("How many people live in Oslo?"), pair("how", "live"));
        assert_eq!(head("What kind of dog is it?"), pair("what", "dog"));
        assert_eq!(head("What is it?"), None);
        assert_eq!(head("The capital of Peru is Lima"), None);
        assert_eq!(head(""), None);
    }

    #[test]
    fn shapes_collapse_character_classes() {
        let shape = |s: &str| shape_hash(s);
        assert_eq!(shape("paris"), None);
        assert_eq!(shape("HTML"), shape("SCO"));
        assert_eq!(shape("Paris"), shape("Moscow"));
        assert_ne!(shape("Paris"), shape("HTML"));
        assert_eq!(shape("B52"), shape("AK47"));
        assert_eq!(shape("2019"), shape("7"));
        assert_ne!(shape("2019"), shape("B52"));
        // Non-ASCII words get the same classes as ASCII ones.
        assert_eq!(shape("Élysée"), shape("Paris"));
        assert_eq!(shape("МГИМО"), shape("HTML"));
    }

    #[test]
    fn vectors_are_unit_length_with_known_features_only() {
        let config = FeatureConfig { char_ngrams: None, ..FeatureConfig::default() };
        let (space, vectors) = FeatureSpace::fit(&config, &["a b a", "b c"]).unwrap();
        for v in &vectors {
            assert!((v.norm_sq() - 1.0).abs() < 1e-5);
            let mut idx: Vec<u32> = v.pairs.iter().map(|p| p.0).collect();
            idx.sort_unstable();
            idx.dedup();
            assert_eq!(idx.len(), v.pairs.len());
        }
        assert_eq!(space.vectorize("zzz unknown"), SparseVec::default());
        assert_eq!(space.vectorize("b c"), vectors[1]);
    }

    #[test]
    fn min_count_prunes_rare_features() {
        let config = FeatureConfig {
            char_ngrams: None,
            word_ngrams: 1,
            leading_words: 0,
            min_count: 2,
            ..FeatureConfig::default()
        };
        let (space, _) = FeatureSpace::fit(&config, &["a b", "b c", "b d"]).unwrap();
        assert_eq!(space.n_features(), 1);
    }

    #[test]
    fn index_finds_every_key_and_nothing_else() {
        let keys: Vec<u64> = (0..1000u64).map(|k| mix(k) & !0xF).collect::<Vec<_>>();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let idf: Vec<f32> = (0..sorted.len()).map(|i| i as f32).collect();
        let index = HashIndex::new(sorted.clone(), idf);
        for (idx, &key) in sorted.iter().enumerate() {
            assert_eq!(index.get(key), Some((idx as u32, idx as f32)));
        }
        assert_eq!(index.get(1), None);
        assert_eq!(HashIndex::new(Vec::new(), Vec::new()).get(0), None);
    }
}
