//! Text to sparse feature vectors: hashed word n-grams, leading words and character n-grams
//! over `briefing-tokenize` words, looked up in a vocabulary learnt from the training set and
//! weighted by TF-IDF.

use crate::{Error, Result};
use briefing_tokenize::{Analyzer, Stemmer, Stopwords};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::OnceLock;

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
    /// The first `head_words` content words (not English stopwords) after the first word, each
    /// alone and paired with the first word, tagged with their rank (`what is the capital of
    /// …` → `capital`, `what+capital`): the subject of a question or a heading. 0 turns them
    /// off.
    #[serde(default)]
    pub head_words: usize,
    /// Pairs of words up to `skip_pairs` positions apart with at least one word between them
    /// (skip-bigrams: `capital … france`); 0 or 1 turns them off (adjacent pairs are the
    /// bigrams of `word_ngrams`).
    #[serde(default)]
    pub skip_pairs: usize,
    /// A feature for the number of words (in classes 1, 2, 3, 4, 5, 6, 7–8, 9–11, 12–15,
    /// 16–23, 24+), alone and with the first word (`what` + 4 words): short definition
    /// questions and long descriptive ones read alike word by word.
    #[serde(default)]
    pub length: bool,
    /// Position-aware features for the last 1..=`trailing_words` words together (`born$`,
    /// `stand for$`): endings of questions and short messages. 0 turns them off.
    #[serde(default)]
    pub trailing_words: usize,
    /// Word-shape features for words that are not all lowercase (`HTML` → all caps, `Paris` →
    /// capitalised, `B52` → letters then digits), alone and after the previous word.
    pub shapes: bool,
    /// Use Snowball English stems instead of normalized words for word features.
    pub stem: bool,
    /// With `stem`, also a feature for each word's unstemmed normalized form.
    #[serde(default)]
    pub unstemmed: bool,
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
    /// Number of hash buckets features fall into (a power of two): the model keeps one row of
    /// weights per bucket that training texts use. `None` picks the smallest power of two at
    /// least twice the number of distinct features in the training texts.
    #[serde(default)]
    pub buckets: Option<usize>,
}

impl Default for FeatureConfig {
    fn default() -> FeatureConfig {
        FeatureConfig {
            word_ngrams: 2,
            char_ngrams: None,
            char_weight: 0.3,
            leading_words: 2,
            first_word_pairs: 5,
            head_words: 0,
            skip_pairs: 0,
            length: false,
            trailing_words: 0,
            shapes: true,
            stem: true,
            unstemmed: false,
            lowercase: true,
            strip_accents: true,
            min_count: 1,
            sublinear_tf: true,
            idf: true,
            buckets: None,
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
        if self.head_words > 4 {
            return Err(Error::Config(format!(
                "head_words must be at most 4, not {}",
                self.head_words
            )));
        }
        if self.skip_pairs > 8 {
            return Err(Error::Config(format!(
                "skip_pairs must be at most 8, not {}",
                self.skip_pairs
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
        if let Some(n) = self.buckets
            && (!n.is_power_of_two() || !(MIN_BUCKETS..=MAX_BUCKETS).contains(&n))
        {
            return Err(Error::Config(format!(
                "buckets must be a power of two from {MIN_BUCKETS} to {MAX_BUCKETS}, not {n}"
            )));
        }
        Ok(())
    }

    pub(crate) fn analyzer(&self) -> Result<Analyzer> {
        Ok(Analyzer::builder()
            .lowercase(self.lowercase)
            .strip_accents(self.strip_accents)
            .stemmer(self.stem.then_some(Stemmer::English))
            .stopwords(Stopwords::English)
            .build()?)
    }
}

/// Turns texts into feature hashes.
#[derive(Clone, Debug)]
pub(crate) struct Featurizer {
    config: FeatureConfig,
    analyzer: Analyzer,
}

#[derive(Default)]
struct Scratch {
    words: Vec<u64>,
    /// Whether each word is an English stopword.
    stops: Vec<bool>,
    chars: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

const TAG_WORD: u64 = 0x1;
const TAG_BIGRAM: u64 = 0x2;
const TAG_TRIGRAM: u64 = 0x3;
const TAG_LEADING: u64 = 0x10;
const TAG_FIRST_PAIR: u64 = 0x18;
const TAG_HEAD: u64 = 0x28;
const TAG_HEAD_PAIR: u64 = 0x2C;
const TAG_TRAILING: u64 = 0x30;
const TAG_SKIP: u64 = 0x38;
const TAG_UNSTEMMED: u64 = 0x48;
const TAG_LENGTH: u64 = 0x40;
const TAG_LENGTH_FIRST: u64 = 0x41;
const TAG_SHAPE: u64 = 0x20;
const TAG_SHAPE_BIGRAM: u64 = 0x21;
const TAG_CHAR: u64 = 0x8000_0000_0000_0000;
/// The top bit of a feature hash is set for character n-grams and clear for the rest, so that
/// their weight can differ.
const CHAR_BIT: u64 = 1 << 63;

impl Featurizer {
    pub(crate) fn new(config: FeatureConfig) -> Result<Featurizer> {
        config.validate()?;
        let analyzer = config.analyzer()?;
        Ok(Featurizer { config, analyzer })
    }

    pub(crate) fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Appends the feature hashes of `text` to `out` (with repeats, in no useful order).
    pub(crate) fn hashes(&self, text: &str, out: &mut Vec<u64>) {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.hashes_with(text, &mut scratch, out),
            Err(_) => self.hashes_with(text, &mut Scratch::default(), out),
        });
    }

    fn hashes_with(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<u64>) {
        let config = &self.config;
        let Scratch { words, stops, chars } = scratch;
        words.clear();
        stops.clear();
        let mut prev = 0u64;
        self.analyzer.for_each_token(text, |token| {
            let base = hash_bytes(token.key.as_bytes(), 0);
            words.push(base);
            stops.push(token.is_stopword);
            if config.unstemmed && config.stem && token.norm != token.key {
                out.push(hash_bytes(token.norm.as_bytes(), TAG_UNSTEMMED));
            }
            out.push(mix(base ^ TAG_WORD));
            if let Some((min_n, max_n)) = config.char_ngrams {
                char_ngram_hashes(token.norm, min_n, max_n, chars, out);
            }
            if config.shapes
                && let Some(shape) = text.get(token.span.range()).and_then(shape_hash)
            {
                out.push(mix(shape ^ TAG_SHAPE));
                out.push(mix(combine(prev, shape) ^ TAG_SHAPE_BIGRAM));
            }
            prev = base;
        });
        if config.word_ngrams >= 2 {
            out.extend(words.windows(2).map(|w| mix(combine(w[0], w[1]) ^ TAG_BIGRAM)));
        }
        if config.word_ngrams >= 3 {
            out.extend(
                words.windows(3).map(|w| mix(combine(combine(w[0], w[1]), w[2]) ^ TAG_TRIGRAM)),
            );
        }
        if let Some((&first, rest)) = words.split_first() {
            for &word in rest.iter().take(config.first_word_pairs) {
                out.push(mix(combine(first, word) ^ TAG_FIRST_PAIR));
            }
        }
        let mut prefix = 0u64;
        for (idx, &word) in words.iter().take(config.leading_words).enumerate() {
            prefix = combine(prefix, word);
            out.push(mix(prefix ^ (TAG_LEADING + idx as u64)));
        }
        if config.head_words > 0
            && let Some(&first) = words.first()
        {
            let content = words.iter().zip(stops.iter()).skip(1).filter(|(_, stop)| !**stop);
            for (rank, (&word, _)) in content.take(config.head_words).enumerate() {
                out.push(mix(word ^ (TAG_HEAD + rank as u64)));
                out.push(mix(combine(first, word) ^ (TAG_HEAD_PAIR + rank as u64)));
            }
        }
        if config.length
            && let Some(&first) = words.first()
        {
            let class = match words.len() {
                0..=6 => words.len() as u64,
                7..=8 => 7,
                9..=11 => 8,
                12..=15 => 9,
                16..=23 => 10,
                _ => 11,
            };
            out.push(mix(class ^ (TAG_LENGTH << 8)));
            out.push(mix(combine(first, class) ^ TAG_LENGTH_FIRST));
        }
        for gap in 2..=config.skip_pairs {
            for (&a, &b) in words.iter().zip(words.iter().skip(gap)) {
                out.push(mix(combine(a, b) ^ TAG_SKIP));
            }
        }
        let mut suffix = 0u64;
        for (idx, &word) in words.iter().rev().take(config.trailing_words).enumerate() {
            suffix = combine(suffix, word);
            out.push(mix(suffix ^ (TAG_TRAILING + idx as u64)));
        }
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
    for c in surface.chars() {
        let class = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_numeric() {
            b'd'
        } else {
            b'-'
        };
        has_other |= class != b'x';
        if len > 0 && shape.get(len - 1) == Some(&class) {
            continue;
        }
        if let Some(slot) = shape.get_mut(len) {
            *slot = class;
            len += 1;
        }
    }
    has_other.then(|| hash_bytes(shape.get(..len).unwrap_or_default(), TAG_SHAPE))
}

/// Hashes of the character n-grams of `<word>`, `min_n..=max_n` characters long: for each
/// start, the hash grows one character at a time (so a word costs a few operations per
/// n-gram), then is mixed with the length. `chars` is scratch space.
fn char_ngram_hashes(
    word: &str,
    min_n: usize,
    max_n: usize,
    chars: &mut Vec<u32>,
    out: &mut Vec<u64>,
) {
    chars.clear();
    chars.push(u32::from('<'));
    chars.extend(word.chars().map(u32::from));
    chars.push(u32::from('>'));
    for start in 0..chars.len() {
        let mut h = TAG_CHAR;
        for (len, &c) in chars.get(start..).unwrap_or_default().iter().take(max_n).enumerate() {
            h = (h ^ u64::from(c)).wrapping_mul(CHAR_K);
            if len + 1 >= min_n {
                out.push(mix(h ^ (len as u64 + 1)) | CHAR_BIT);
            }
        }
    }
}

/// The multiplier of [`char_ngram_hashes`] (odd, with well spread bits).
const CHAR_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's finalizer: a strong 64-bit mixer.
#[inline]
fn mix(mut z: u64) -> u64 {
    // Word-level features keep the top bit clear (see `CHAR_BIT`).
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & !CHAR_BIT
}

#[inline]
fn combine(a: u64, b: u64) -> u64 {
    mix(a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b)
}

/// A fast, platform-independent hash of a byte string (8 bytes at a time, then mixed).
#[inline]
fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    const K: u64 = 0x51_7C_C1_B7_27_22_0A_95;
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        h = (h.rotate_left(5) ^ load8(chunk)).wrapping_mul(K);
    }
    h = (h.rotate_left(5) ^ tail(chunks.remainder())).wrapping_mul(K);
    mix(h)
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

/// Fewer than eight bytes as one integer, with a few overlapping loads (no copy loop); with
/// the length mixed into the hash, different strings give different integers.
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

/// A sparse vector: distinct feature indices with their weights, in increasing index order.
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

/// Hash buckets per distinct training feature when [`FeatureConfig::buckets`] is automatic.
const BUCKETS_PER_FEATURE: usize = 2;

/// Fewest and most hash buckets.
pub(crate) const MIN_BUCKETS: usize = 1 << 8;
pub(crate) const MAX_BUCKETS: usize = 1 << 26;

/// An estimate of the number of distinct hashes (linear counting on a bitmap of 2^20 bits:
/// within a few percent up to a few million), deterministic and without sorting.
fn count_distinct(hashes: impl Iterator<Item = u64>) -> usize {
    const BITS: usize = 1 << 20;
    let mut bitmap = vec![0u64; BITS / 64];
    for hash in hashes {
        // High bits: the bucket uses the low ones, the signature bits 58 to 62.
        let bit = (hash >> 32) as usize & (BITS - 1);
        if let Some(word) = bitmap.get_mut(bit / 64) {
            *word |= 1 << (bit % 64);
        }
    }
    let set: u64 = bitmap.iter().map(|w| u64::from(w.count_ones())).sum();
    let empty = (BITS as u64 - set).max(1) as f64 / BITS as f64;
    (-(BITS as f64) * empty.ln()).round() as usize
}

/// The bucket of a feature hash: its low bits.
#[inline]
pub(crate) fn bucket_of(hash: u64, mask: usize) -> usize {
    hash as usize & mask
}

/// The signature bit of a feature hash: one of 32, from high bits that the bucket does not use.
/// A bucket's signature is the union of its features' bits, so that a feature never seen in
/// training passes for a known one only if its bit is set there (one chance in 32 per feature
/// in the bucket).
#[inline]
pub(crate) fn signature_bit(hash: u64) -> u32 {
    1 << ((hash >> 58) & 31)
}

/// The features learnt from a training set: feature hashes fall into `n_buckets` hash buckets
/// (the hashing trick); the buckets that training texts use are the features, numbered in
/// bucket order, each with a signature of the hashes seen in it and an IDF weight.
#[derive(Clone, Debug)]
pub(crate) struct FeatureSpace {
    featurizer: Featurizer,
    n_buckets: usize,
    /// The used buckets, increasing: feature `i` is bucket `buckets[i]`.
    buckets: Vec<u32>,
    signatures: Vec<u32>,
    idf: Vec<f32>,
    /// Bucket → feature index (or `u32::MAX`), built on first use: a loaded classifier
    /// predicts through its `Scorer` and never needs it.
    lookup: OnceLock<Vec<u32>>,
    is_char: Vec<bool>,
}

/// Marks a bucket that is not a feature.
const NO_FEATURE: u32 = u32::MAX;

impl FeatureSpace {
    /// Learns the features from `texts` and returns them with the texts' vectors.
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
                hashes
            })
            .collect();
        let n_buckets = match config.buckets {
            Some(n) => n,
            None => (count_distinct(per_text.iter().flatten().copied()) * BUCKETS_PER_FEATURE)
                .next_power_of_two()
                .clamp(MIN_BUCKETS, MAX_BUCKETS),
        };
        let mask = n_buckets - 1;
        // Per bucket: the signature, and whether every feature in it is a character n-gram.
        let mut signatures = vec![0u32; n_buckets];
        let mut word_feature = vec![false; n_buckets];
        for &hash in per_text.iter().flatten() {
            let bucket = bucket_of(hash, mask);
            signatures[bucket] |= signature_bit(hash);
            word_feature[bucket] |= hash & CHAR_BIT == 0;
        }
        // Each text as sorted (bucket, count) runs, and document frequencies.
        let runs: Vec<Vec<(u32, u32)>> = per_text
            .into_par_iter()
            .map(|hashes| {
                let mut buckets: Vec<u32> =
                    hashes.iter().map(|&h| bucket_of(h, mask) as u32).collect();
                buckets.sort_unstable();
                let mut runs: Vec<(u32, u32)> = Vec::with_capacity(buckets.len());
                for bucket in buckets {
                    match runs.last_mut() {
                        Some((last, count)) if *last == bucket => *count += 1,
                        _ => runs.push((bucket, 1)),
                    }
                }
                runs
            })
            .collect();
        let mut df = vec![0u32; n_buckets];
        for text in &runs {
            for &(bucket, _) in text {
                df[bucket as usize] += 1;
            }
        }
        let min_count = config.min_count.max(1) as u32;
        let mut lookup = vec![NO_FEATURE; n_buckets];
        let mut buckets = Vec::new();
        for (bucket, &n) in df.iter().enumerate() {
            if n >= min_count {
                lookup[bucket] = buckets.len() as u32;
                buckets.push(bucket as u32);
            }
        }
        let n_texts = texts.len() as f64;
        let idf: Vec<f32> = buckets
            .iter()
            .map(|&bucket| {
                let n = f64::from(df[bucket as usize]);
                let idf = if config.idf { ((1.0 + n_texts) / (1.0 + n)).ln() + 1.0 } else { 1.0 };
                let weight = if word_feature[bucket as usize] || std::env::var_os("TOPICS_BLOCKNORM").is_some() { 1.0 } else { f64::from(config.char_weight) };
                (idf * weight) as f32
            })
            .collect();
        let signatures: Vec<u32> = buckets.iter().map(|&b| signatures[b as usize]).collect();
        let is_char: Vec<bool> = buckets.iter().map(|&b| !word_feature[b as usize]).collect();
        let space = FeatureSpace {
            featurizer,
            n_buckets,
            buckets,
            signatures,
            idf,
            lookup: OnceLock::from(lookup),
            is_char,
        };
        let vectors = runs
            .into_par_iter()
            .map(|runs| {
                let mut out = SparseVec::default();
                space.weigh_into(
                    runs.iter().filter_map(|&(bucket, count)| {
                        let feature = space.lookup().get(bucket as usize).copied()?;
                        (feature != NO_FEATURE).then_some((feature, count))
                    }),
                    &mut out,
                );
                out
            })
            .collect();
        Ok((space, vectors))
    }

    /// Rebuilds a space from its saved parts.
    pub(crate) fn from_parts(
        config: FeatureConfig,
        n_buckets: usize,
        buckets: Vec<u32>,
        signatures: Vec<u32>,
        idf: Vec<f32>,
    ) -> Result<FeatureSpace> {
        if !n_buckets.is_power_of_two() || !(MIN_BUCKETS..=MAX_BUCKETS).contains(&n_buckets) {
            return Err(Error::Model(format!(
                "{n_buckets} hash buckets is not a power of two from {MIN_BUCKETS} to {MAX_BUCKETS}"
            )));
        }
        if buckets.len() != idf.len() || buckets.len() != signatures.len() {
            return Err(Error::Model(format!(
                "{} buckets but {} signatures and {} idf weights",
                buckets.len(),
                signatures.len(),
                idf.len()
            )));
        }
        if buckets.windows(2).any(|w| w[0] >= w[1])
            || buckets.last().is_some_and(|&b| b as usize >= n_buckets)
        {
            return Err(Error::Model(
                "feature buckets are not increasing and within the hash space".to_owned(),
            ));
        }
        Ok(FeatureSpace {
            featurizer: Featurizer::new(config)?,
            n_buckets,
            buckets,
            signatures,
            idf,
            lookup: OnceLock::new(),
            is_char: Vec::new(),
        })
    }

    pub(crate) fn config(&self) -> &FeatureConfig {
        self.featurizer.config()
    }

    pub(crate) fn n_buckets(&self) -> usize {
        self.n_buckets
    }

    pub(crate) fn buckets(&self) -> &[u32] {
        &self.buckets
    }

    pub(crate) fn signatures(&self) -> &[u32] {
        &self.signatures
    }

    pub(crate) fn idf(&self) -> &[f32] {
        &self.idf
    }

    pub(crate) fn n_features(&self) -> usize {
        self.idf.len()
    }

    fn lookup(&self) -> &[u32] {
        self.lookup.get_or_init(|| {
            let mut lookup = vec![NO_FEATURE; self.n_buckets];
            for (feature, &bucket) in self.buckets.iter().enumerate() {
                if let Some(slot) = lookup.get_mut(bucket as usize) {
                    *slot = feature as u32;
                }
            }
            lookup
        })
    }

    /// The feature hashes of `text` (with repeats, in no useful order), in `hashes`.
    pub(crate) fn hashes(&self, text: &str, hashes: &mut Vec<u64>) {
        hashes.clear();
        self.featurizer.hashes(text, hashes);
    }

    /// The vector of `text`, using `scratch` as scratch space; a hash counts only if its
    /// bucket is a feature whose signature has its bit.
    pub(crate) fn vectorize_into(
        &self,
        text: &str,
        scratch: &mut (Vec<u64>, Vec<u32>),
        out: &mut SparseVec,
    ) {
        let (hashes, features) = scratch;
        self.hashes(text, hashes);
        let (lookup, mask) = (self.lookup(), self.n_buckets - 1);
        features.clear();
        features.extend(hashes.iter().filter_map(|&hash| {
            let feature = *lookup.get(bucket_of(hash, mask))?;
            let signature = *self.signatures.get(feature as usize)?;
            (signature & signature_bit(hash) != 0).then_some(feature)
        }));
        features.sort_unstable();
        let runs = features.chunk_by(|a, b| a == b);
        self.weigh_into(runs.filter_map(|run| Some((*run.first()?, run.len() as u32))), out);
    }

    #[cfg(test)]
    pub(crate) fn vectorize(&self, text: &str) -> SparseVec {
        let mut out = SparseVec::default();
        self.vectorize_into(text, &mut Default::default(), &mut out);
        out
    }

    /// Weighs (feature, count) runs in increasing feature order: TF-IDF, unit length.
    fn weigh_into(&self, runs: impl Iterator<Item = (u32, u32)>, out: &mut SparseVec) {
        out.pairs.clear();
        let sublinear = self.featurizer.config().sublinear_tf;
        for (feature, count) in runs {
            if let Some(&idf) = self.idf.get(feature as usize) {
                out.pairs.push((feature, tf(count, sublinear) * idf));
            }
        }
        if std::env::var_os("TOPICS_BLOCKNORM").is_some() {
            let (mut nw, mut nc) = (0f32, 0f32);
            for &(f, v) in &out.pairs {
                if self.is_char.get(f as usize).copied().unwrap_or(false) { nc += v * v } else { nw += v * v }
            }
            let cw = self.featurizer.config().char_weight;
            let (sw, sc) = (if nw > 0.0 { 1.0 / nw.sqrt() } else { 0.0 }, if nc > 0.0 { cw / nc.sqrt() } else { 0.0 });
            for p in &mut out.pairs {
                p.1 *= if self.is_char.get(p.0 as usize).copied().unwrap_or(false) { sc } else { sw };
            }
            return;
        }
        let norm = out.norm_sq().sqrt();
        if norm > 0.0 {
            out.pairs.iter_mut().for_each(|p| p.1 /= norm);
        }
    }
}

/// The term-frequency weight of a feature seen `count` times.
#[inline]
pub(crate) fn tf(count: u32, sublinear: bool) -> f32 {
    match count {
        1 => 1.0,
        _ if sublinear => 1.0 + (count as f32).ln(),
        _ => count as f32,
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
            shapes: false,
            ..FeatureConfig::default()
        };
        assert_eq!(hashes(words_only.clone(), "What is the SCO?").len(), 4);
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
    fn char_ngrams_match_briefing_tokenize() {
        // The same n-grams as `briefing_tokenize::char_ngrams`, each hashed on its own.
        let gram_hash = |gram: &str| {
            let mut h = TAG_CHAR;
            for c in gram.chars() {
                h = (h ^ u64::from(u32::from(c))).wrapping_mul(CHAR_K);
            }
            mix(h ^ gram.chars().count() as u64) | CHAR_BIT
        };
        for word in ["где", "a", "council’s", ""] {
            let mut ours = Vec::new();
            char_ngram_hashes(word, 2, 4, &mut Vec::new(), &mut ours);
            let mut theirs: Vec<u64> =
                briefing_tokenize::char_ngrams(word, 2, 4).iter().map(|g| gram_hash(g)).collect();
            ours.sort_unstable();
            theirs.sort_unstable();
            assert_eq!(ours, theirs, "{word:?}");
        }
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
    fn shapes_collapse_character_classes() {
        let shape = |s: &str| shape_hash(s);
        assert_eq!(shape("paris"), None);
        assert_eq!(shape("HTML"), shape("SCO"));
        assert_eq!(shape("Paris"), shape("Moscow"));
        assert_ne!(shape("Paris"), shape("HTML"));
        assert_eq!(shape("B52"), shape("AK47"));
        assert_eq!(shape("2019"), shape("7"));
        assert_ne!(shape("2019"), shape("B52"));
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
    fn buckets_hold_the_training_features_and_signatures_reject_strangers() {
        let config = FeatureConfig { buckets: Some(MIN_BUCKETS), ..FeatureConfig::default() };
        let texts = ["the striker scored a goal", "rain and wind tonight", "a new phone chip"];
        let (space, vectors) = FeatureSpace::fit(&config, &texts).unwrap();
        assert_eq!(space.n_buckets(), MIN_BUCKETS);
        assert!(space.buckets().windows(2).all(|w| w[0] < w[1]));
        // Training texts vectorize as in training.
        for (text, vector) in texts.iter().zip(&vectors) {
            assert_eq!(&space.vectorize(text), vector);
        }
        // Hashes never seen in training mostly land in empty buckets or fail the signature.
        let mut hashes = Vec::new();
        let strangers: Vec<String> = (0..200).map(|i| format!("zq{i}x")).collect();
        let mut passed = 0;
        let mask = space.n_buckets() - 1;
        for word in &strangers {
            space.hashes(word, &mut hashes);
            for &hash in &hashes {
                let bucket = bucket_of(hash, mask) as u32;
                if let Ok(feature) = space.buckets().binary_search(&bucket) {
                    passed += usize::from(space.signatures()[feature] & signature_bit(hash) != 0);
                }
            }
        }
        assert!(passed < 20, "{passed} of {} unseen features pass", strangers.len() * 3);
        // An automatic hash space has at least two buckets per distinct feature.
        let (auto, _) = FeatureSpace::fit(&FeatureConfig::default(), &texts).unwrap();
        assert!(auto.n_buckets() >= 2 * auto.n_features());
        assert!(auto.n_buckets().is_power_of_two());
        let bad = FeatureConfig { buckets: Some(1000), ..FeatureConfig::default() };
        assert!(matches!(FeatureSpace::fit(&bad, &texts), Err(Error::Config(_))));
    }
}
