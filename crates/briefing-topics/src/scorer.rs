//! The prediction fast path: feature hashes straight to class scores through one compact
//! table, without building a vector first.
//!
//! With up to 14 classes, the table holds the rows themselves: an open-addressing table of
//! entries `[fingerprint, idf, w_0, .., w_{k-1}]` of 16, 32 or 64 bytes, aligned so that an entry
//! never straddles a cache line, and a feature costs one cache miss. With more classes, each
//! known feature hash maps, through an open-addressing table of 8-byte slots (32-bit
//! fingerprint, 32-bit row), to one row `[idf, w_0, .., w_{k-1}]`: about two cache misses per
//! distinct feature.

use crate::features::FeatureSpace;
use crate::linear::Linear;

#[derive(Clone, Debug)]
pub(crate) struct Scorer {
    /// Empty when the rows are inline (see the module documentation).
    slots: Vec<u64>,
    /// Whether `rows` is the hash table itself, with entries `[fingerprint, idf, weights]`.
    inline: bool,
    mask: usize,
    rotation: u32,
    /// The rows `[idf, weights]`, or the inline entries `[fingerprint, idf, weights]`, as the
    /// bits of the floats (the fingerprint is an integer).
    rows: Vec<u32>,
    /// Where row 0 starts in `rows`: rows start on a 64-byte boundary when they can.
    row_offset: usize,
    /// Floats per row: `1 + n_classes`, rounded up to a power of two up to 16 and to a
    /// multiple of 16 beyond, so that a row spans as few cache lines as possible.
    stride: usize,
    n_classes: usize,
    bias: Vec<f32>,
    sublinear_tf: bool,
}

const EMPTY: u64 = u64::MAX;

/// The fingerprint of an empty inline entry; no known key has it (see `place`).
const EMPTY_FP: u32 = u32::MAX;

/// The largest inline entry, in floats (one cache line).
const MAX_INLINE: usize = 16;

impl Scorer {
    pub(crate) fn new(space: &FeatureSpace, model: &Linear) -> Scorer {
        let keys = space.keys();
        let k = model.n_classes;
        let capacity = (keys.len() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let (mut slots, mut rotation) = (Vec::new(), 0);
        // Rotate the keys until no two keys on one probe run share a fingerprint and none has
        // the empty fingerprint (the first rotation nearly always works).
        for attempt in 0..64 {
            rotation = attempt * 7 % 64;
            match place(keys, mask, rotation) {
                Some(placed) => {
                    slots = placed;
                    break;
                }
                None => continue,
            }
        }
        let inline_stride = (k + 2).next_power_of_two();
        let inline = inline_stride <= MAX_INLINE && !slots.is_empty();
        let stride = if inline {
            inline_stride
        } else if k < 16 {
            (k + 1).next_power_of_two()
        } else {
            (k + 1).next_multiple_of(16)
        };
        let n_rows = if inline { capacity } else { space.idf().len() };
        // Up to 15 floats of slack, to start row 0 on a cache line.
        let mut rows = vec![0u32; n_rows * stride + 16];
        let misalign = rows.as_ptr() as usize % 64;
        let row_offset = if misalign.is_multiple_of(4) { (64 - misalign) % 64 / 4 } else { 0 };
        let mut fill = |start: usize, row: usize, idf: f32| {
            if let Some(slot) = rows.get_mut(start..start + k + 1)
                && let Some((first, rest)) = slot.split_first_mut()
            {
                *first = idf.to_bits();
                if let Some(weights) = model.weights.get(row * k..(row + 1) * k) {
                    rest.iter_mut().zip(weights).for_each(|(bits, w)| *bits = w.to_bits());
                }
            }
        };
        if inline {
            for (pos, &slot) in slots.iter().enumerate() {
                let start = row_offset + pos * stride;
                let row = (slot & 0xFFFF_FFFF) as usize;
                let idf = space.idf().get(row).copied().unwrap_or(0.0);
                if slot != EMPTY {
                    fill(start + 1, row, idf);
                }
            }
            for (pos, &slot) in slots.iter().enumerate() {
                let fp = if slot == EMPTY { EMPTY_FP } else { (slot >> 32) as u32 };
                if let Some(first) = rows.get_mut(row_offset + pos * stride) {
                    *first = fp;
                }
            }
            slots = Vec::new();
        } else {
            for (row, &idf) in space.idf().iter().enumerate() {
                fill(row_offset + row * stride, row, idf);
            }
        }
        Scorer {
            slots,
            inline,
            mask,
            rotation,
            rows,
            row_offset,
            stride,
            n_classes: k,
            bias: model.bias.clone(),
            sublinear_tf: space.config().sublinear_tf,
        }
    }

    /// The fingerprint of the inline entry at table position `pos`.
    #[inline]
    fn inline_fp(&self, pos: usize) -> u32 {
        self.rows.get(self.row_offset + pos * self.stride).copied().unwrap_or(EMPTY_FP)
    }

    /// The class scores of a text given its feature hashes (with repeats, in any order).
    ///
    /// Works in passes so that the memory loads of one pass do not depend on each other and
    /// overlap: first the first slot of every hash, then the rows they point to. Repeats are
    /// merged by row (in a small open-addressing set) rather than by sorting the hashes, and
    /// rows are added in the order of their first hash: the scores equal those of the
    /// training vectors up to the order of float additions.
    #[inline]
    pub(crate) fn scores_into(
        &self,
        hashes: &[u64],
        scratch: &mut ScoreScratch,
        scores: &mut Vec<f32>,
    ) {
        let ScoreScratch { first_slots, found, seen } = scratch;
        first_slots.clear();
        found.clear();
        // Room for every hash at a load of at most one half.
        let bits = (2 * hashes.len()).next_power_of_two().max(64).trailing_zeros();
        seen.clear();
        seen.resize(1 << bits, 0);
        if self.inline {
            first_slots.extend(hashes.iter().map(|&hash| {
                u64::from(self.inline_fp(hash.rotate_left(self.rotation) as usize & self.mask))
            }));
            for (&hash, &fp) in hashes.iter().zip(first_slots.iter()) {
                let key = hash.rotate_left(self.rotation);
                let want = fingerprint(key);
                let pos = if fp == u64::from(EMPTY_FP) || want == u64::from(EMPTY_FP) {
                    None
                } else if fp == want {
                    Some(key as usize & self.mask)
                } else {
                    self.probe_inline(key)
                };
                if let Some(pos) = pos {
                    // The idf and weights follow the fingerprint.
                    count_row(found, seen, bits, self.row_offset + pos * self.stride + 1);
                }
            }
        } else {
            first_slots.extend(hashes.iter().map(|&hash| {
                let key = hash.rotate_left(self.rotation);
                self.slots.get(key as usize & self.mask).copied().unwrap_or(EMPTY)
            }));
            for (&hash, &slot) in hashes.iter().zip(first_slots.iter()) {
                let key = hash.rotate_left(self.rotation);
                let row = if slot == EMPTY {
                    None
                } else if slot >> 32 == fingerprint(key) {
                    Some(slot & 0xFFFF_FFFF)
                } else {
                    self.probe(key)
                };
                if let Some(row) = row {
                    count_row(found, seen, bits, self.row_offset + row as usize * self.stride);
                }
            }
        }
        scores.clear();
        scores.resize(self.n_classes, 0.0);
        let norm_sq = match (self.inline, self.stride) {
            (true, 4) => self.accumulate_inline::<4>(found, scores),
            (true, 8) => self.accumulate_inline::<8>(found, scores),
            (true, 16) => self.accumulate_inline::<16>(found, scores),
            _ => self.accumulate(found, scores),
        };
        let scale = if norm_sq > 0.0 { 1.0 / norm_sq.sqrt() } else { 0.0 };
        for (score, b) in scores.iter_mut().zip(&self.bias) {
            *score = *score * scale + b;
        }
    }

    /// The term frequency of a feature found `count` times.
    #[inline]
    fn tf(&self, count: u32) -> f32 {
        match count {
            1 => 1.0,
            _ if self.sublinear_tf => 1.0 + (count as f32).ln(),
            _ => count as f32,
        }
    }

    /// Adds `tf × idf × weights` of the `found` rows to `scores` (in `found` order) and
    /// returns the squared norm of the `tf × idf` values.
    fn accumulate(&self, found: &[(usize, u32)], scores: &mut [f32]) -> f32 {
        let mut norm_sq = 0f32;
        for &(start, count) in found.iter() {
            let tf = self.tf(count);
            if let Some((&idf, weights)) =
                self.rows.get(start..start + self.n_classes + 1).and_then(<[u32]>::split_first)
            {
                let value = tf * f32::from_bits(idf);
                norm_sq += value * value;
                for (score, &w) in scores.iter_mut().zip(weights) {
                    *score += value * f32::from_bits(w);
                }
            }
        }
        norm_sq
    }

    /// [`Scorer::accumulate`] for inline entries of `S` floats: whole entries at once, in the
    /// same order of additions (so with the same result).
    #[inline]
    fn accumulate_inline<const S: usize>(&self, found: &[(usize, u32)], scores: &mut [f32]) -> f32 {
        let mut sums = [0f32; S];
        let mut norm_sq = 0f32;
        for &(start, count) in found.iter() {
            let tf = self.tf(count);
            // `start` is that of the idf, after the fingerprint.
            let entry = start.checked_sub(1).and_then(|at| self.rows.get(at..at + S));
            if let Some(entry) = entry.and_then(|e| <&[u32; S]>::try_from(e).ok()) {
                // The whole entry at once (it vectorises): the sums of the fingerprint (zeroed)
                // and idf lanes are ignored, the others get the same additions as one by one.
                let mut lanes = entry.map(f32::from_bits);
                if let Some(fingerprint) = lanes.first_mut() {
                    *fingerprint = 0.0;
                }
                let value = tf * lanes.get(1).copied().unwrap_or(0.0);
                norm_sq += value * value;
                for (sum, w) in sums.iter_mut().zip(lanes) {
                    *sum += value * w;
                }
            }
        }
        for (score, &sum) in scores.iter_mut().zip(sums.iter().skip(2)) {
            *score = sum;
        }
        norm_sq
    }

    /// The inline table position of a (rotated) key whose first entry holds another key: the
    /// entries after it, up to the first empty one.
    #[inline]
    fn probe_inline(&self, key: u64) -> Option<usize> {
        let want = fingerprint(key);
        let entries = self.rows.get(self.row_offset..)?;
        let mut pos = key as usize & self.mask;
        for _ in 0..self.mask {
            pos = (pos + 1) & self.mask;
            match u64::from(*entries.get(pos * self.stride)?) {
                fp if fp == want => return Some(pos),
                fp if fp == u64::from(EMPTY_FP) => return None,
                _ => {}
            }
        }
        None
    }

    /// The row of a (rotated) key whose first slot holds another key.
    #[cold]
    fn probe(&self, key: u64) -> Option<u64> {
        let want = fingerprint(key);
        let mut pos = key as usize & self.mask;
        loop {
            let slot = *self.slots.get(pos)?;
            if slot == EMPTY {
                return None;
            }
            if slot >> 32 == want {
                return Some(slot & 0xFFFF_FFFF);
            }
            pos = (pos + 1) & self.mask;
        }
    }
}

/// Reusable buffers for [`Scorer::scores_into`].
#[derive(Debug, Default)]
pub(crate) struct ScoreScratch {
    first_slots: Vec<u64>,
    /// The rows found (where their idf is in `rows`) with their number of hashes.
    found: Vec<(usize, u32)>,
    /// An open-addressing set of the rows in `found`: `1 +` their index there, 0 when empty.
    seen: Vec<u32>,
}

/// Counts one more hash of the row starting at `start`: a new entry of `found` the first
/// time, else one more on its count. `seen` has `1 << bits` slots, at least twice as many as
/// there are hashes.
#[inline]
fn count_row(found: &mut Vec<(usize, u32)>, seen: &mut [u32], bits: u32, start: usize) {
    let mask = seen.len().wrapping_sub(1);
    let mut pos = ((start as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize;
    loop {
        match seen.get(pos).copied() {
            Some(0) => {
                found.push((start, 1));
                if let Some(slot) = seen.get_mut(pos) {
                    *slot = found.len() as u32;
                }
                return;
            }
            Some(at) => {
                if let Some(entry) = found.get_mut(at as usize - 1)
                    && entry.0 == start
                {
                    entry.1 += 1;
                    return;
                }
                pos = (pos + 1) & mask;
            }
            None => return,
        }
    }
}

/// The slots for `keys` rotated by `rotation`, or `None` if two keys on one probe run share a
/// fingerprint or a key has the empty inline fingerprint.
fn place(keys: &[u64], mask: usize, rotation: u32) -> Option<Vec<u64>> {
    let mut slots = vec![EMPTY; mask + 1];
    for (row, &key) in keys.iter().enumerate() {
        let key = key.rotate_left(rotation);
        if fingerprint(key) == u64::from(EMPTY_FP) {
            return None;
        }
        let mut pos = key as usize & mask;
        while slots[pos] != EMPTY {
            if slots[pos] >> 32 == fingerprint(key) {
                return None;
            }
            pos = (pos + 1) & mask;
        }
        slots[pos] = (fingerprint(key) << 32) | row as u64;
    }
    Some(slots)
}

/// The high 32 bits of a (rotated) key; the table position uses the low bits. Known keys never
/// share a fingerprint on one probe run (see `place`); an unknown hash matching a known
/// fingerprint on its run (odds about one in 2^31 per lookup) counts as that feature.
#[inline]
fn fingerprint(key: u64) -> u64 {
    key >> 32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::features::FeatureConfig;
    use crate::linear::{Loss, Problem, Solver, one_vs_rest};
    use crate::testdata::TOY;

    /// Fits SVMs on `texts` and checks the fast path against the training vectors; returns
    /// the scorer.
    fn check(texts: &[&str], ys: &[usize], n_classes: usize, config: &FeatureConfig) -> Scorer {
        check_on(texts, ys, n_classes, config, &[])
    }

    /// [`check`], also on the texts `more`.
    fn check_on(
        texts: &[&str],
        ys: &[usize],
        n_classes: usize,
        config: &FeatureConfig,
        more: &[String],
    ) -> Scorer {
        let (space, xs) = FeatureSpace::fit(config, texts).unwrap();
        let refs: Vec<_> = xs.iter().collect();
        let problem = Problem {
            xs: &refs,
            ys,
            n_classes,
            n_features: space.n_features(),
            class_cost: vec![1.0; n_classes],
        };
        let solver = Solver { c: 1.0, max_epochs: 50, tolerance: 0.01, seed: 1 };
        let model = one_vs_rest(&problem, solver, Loss::SquaredHinge);
        let scorer = Scorer::new(&space, &model);
        let (mut hashes, mut scratch, mut fast, mut slow) =
            (Vec::new(), ScoreScratch::default(), Vec::new(), Vec::new());
        let extra = ["", "rain rain rain on the new chip", "zzz"];
        for text in texts.iter().copied().chain(extra).chain(more.iter().map(String::as_str)) {
            space.hashes(text, &mut hashes);
            scorer.scores_into(&hashes, &mut scratch, &mut fast);
            model.scores_into(&space.vectorize(text), &mut slow);
            assert_eq!(fast.len(), n_classes);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-5, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
        scorer
    }

    #[test]
    fn inline_and_indirect_tables_score_alike() {
        // 16 classes: too many for inline entries.
        let texts: Vec<String> =
            (0..48).map(|i| format!("topic{} word{} shared text {}", i % 16, i, i % 5)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let ys: Vec<usize> = (0..48).map(|i| i % 16).collect();
        let config = FeatureConfig::default();
        let scorer = check(&refs, &ys, 16, &config);
        assert!(!scorer.inline);
        assert_eq!(scorer.stride, 32);
        // 14 classes fit a 64-byte entry; 6 a 32-byte one; 2 a 16-byte one.
        for (n_classes, stride) in [(14, 16), (6, 8), (2, 4)] {
            let ys: Vec<usize> = (0..48).map(|i| i % n_classes).collect();
            let scorer = check(&refs, &ys, n_classes, &config);
            assert!(scorer.inline);
            assert_eq!(scorer.stride, stride);
        }
    }

    #[test]
    fn repeated_features_are_counted_once_with_their_term_frequency() {
        // Random texts over a small vocabulary: many repeats, and long texts whose hashes
        // outgrow the smallest set of rows seen.
        const WORDS: &[&str] = &[
            "rain", "chip", "goal", "the", "The", "new", "of", "match", "storm", "Paris", "B52",
            "what", "is", "zzz", "unknown", "rain,", "chip?",
        ];
        let mut rng = crate::rng::Rng::new(7, 0);
        let mut next = |n: usize| rng.below(n);
        let random: Vec<String> = (0..300)
            .map(|i| {
                let len = if i % 10 == 0 { 50 + next(200) } else { next(12) };
                let words: Vec<&str> = (0..len).map(|_| WORDS[next(WORDS.len())]).collect();
                words.join(" ")
            })
            .collect();
        let texts: Vec<&str> = TOY.iter().map(|(t, _)| *t).collect();
        for (n_classes, sublinear_tf) in [(3, true), (3, false), (16, true), (16, false)] {
            let ys: Vec<usize> = (0..texts.len()).map(|i| i % n_classes).collect();
            let config = FeatureConfig { sublinear_tf, ..FeatureConfig::default() };
            let scorer = check_on(&texts, &ys, n_classes, &config, &random);
            assert_eq!(scorer.inline, n_classes == 3);
        }
    }

    #[test]
    fn fast_path_scores_match_the_training_vectors() {
        let texts: Vec<&str> = TOY.iter().map(|(t, _)| *t).collect();
        let labels = ["sport", "tech", "weather"];
        let ys: Vec<usize> =
            TOY.iter().map(|(_, l)| labels.iter().position(|x| x == l).unwrap()).collect();
        let config = FeatureConfig { char_ngrams: Some((2, 4)), ..FeatureConfig::default() };
        let scorer = check(&texts, &ys, 3, &config);
        assert!(scorer.inline);
    }
}
