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

    /// The class scores of a text given its sorted feature hashes (with repeats).
    ///
    /// Works in passes so that the memory loads of one pass do not depend on each other and
    /// overlap: first the distinct hashes and their counts, then their first slots, then the
    /// rows they point to.
    #[inline]
    pub(crate) fn scores_into(
        &self,
        sorted_hashes: &[u64],
        scratch: &mut ScoreScratch,
        scores: &mut Vec<f32>,
    ) {
        let ScoreScratch { distinct, first_slots, found } = scratch;
        distinct.clear();
        let mut at = 0;
        while let Some(&hash) = sorted_hashes.get(at) {
            let mut run = 1;
            while sorted_hashes.get(at + run) == Some(&hash) {
                run += 1;
            }
            at += run;
            distinct.push((hash.rotate_left(self.rotation), run as u32));
        }
        first_slots.clear();
        found.clear();
        let tf_of = |run: u32| match run {
            1 => 1.0,
            _ if self.sublinear_tf => 1.0 + (run as f32).ln(),
            _ => run as f32,
        };
        if self.inline {
            first_slots.extend(
                distinct
                    .iter()
                    .map(|&(key, _)| u64::from(self.inline_fp(key as usize & self.mask))),
            );
            for (&(key, run), &fp) in distinct.iter().zip(first_slots.iter()) {
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
                    found.push((self.row_offset + pos * self.stride + 1, tf_of(run)));
                }
            }
        } else {
            first_slots.extend(distinct.iter().map(|&(key, _)| {
                self.slots.get(key as usize & self.mask).copied().unwrap_or(EMPTY)
            }));
            for (&(key, run), &slot) in distinct.iter().zip(first_slots.iter()) {
                let row = if slot == EMPTY {
                    None
                } else if slot >> 32 == fingerprint(key) {
                    Some(slot & 0xFFFF_FFFF)
                } else {
                    self.probe(key)
                };
                if let Some(row) = row {
                    found.push((self.row_offset + row as usize * self.stride, tf_of(run)));
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

    /// Adds `tf × idf × weights` of the `found` rows to `scores` (in `found` order) and
    /// returns the squared norm of the `tf × idf` values.
    fn accumulate(&self, found: &[(usize, f32)], scores: &mut [f32]) -> f32 {
        let mut norm_sq = 0f32;
        for &(start, tf) in found.iter() {
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
    fn accumulate_inline<const S: usize>(&self, found: &[(usize, f32)], scores: &mut [f32]) -> f32 {
        let mut sums = [0f32; S];
        let mut norm_sq = 0f32;
        for &(start, tf) in found.iter() {
            // `start` is that of the idf, after the fingerprint.
            let entry = start.checked_sub(1).and_then(|at| self.rows.get(at..at + S));
            if let Some(entry) = entry.and_then(|e| <&[u32; S]>::try_from(e).ok()) {
                let (head, weights) = entry.split_at(2);
                let value = tf * head.get(1).map_or(0.0, |&idf| f32::from_bits(idf));
                norm_sq += value * value;
                for (sum, &w) in sums.get_mut(2..).unwrap_or_default().iter_mut().zip(weights) {
                    *sum += value * f32::from_bits(w);
                }
            }
        }
        for (score, &sum) in scores.iter_mut().zip(sums.iter().skip(2)) {
            *score = sum;
        }
        norm_sq
    }

    /// The inline table position of a (rotated) key whose first entry holds another key.
    #[cold]
    fn probe_inline(&self, key: u64) -> Option<usize> {
        let want = fingerprint(key);
        let mut pos = key as usize & self.mask;
        for _ in 0..=self.mask {
            match u64::from(self.inline_fp(pos)) {
                fp if fp == u64::from(EMPTY_FP) => return None,
                fp if fp == want => return Some(pos),
                _ => pos = (pos + 1) & self.mask,
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
    distinct: Vec<(u64, u32)>,
    first_slots: Vec<u64>,
    found: Vec<(usize, f32)>,
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
        for text in texts.iter().copied().chain(["", "rain rain rain on the new chip", "zzz"]) {
            space.sorted_hashes(text, &mut hashes);
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
