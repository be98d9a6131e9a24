//! The prediction fast path: feature hashes straight to class scores through one compact
//! table, without building a vector first.
//!
//! With up to 60 classes, the table holds the rows themselves: an open-addressing table of
//! entries `[fingerprint, idf, q_0, .., q_{k-1}]` (a 32-bit fingerprint, the idf as an `f32`,
//! then the weights quantized to `i8`, or to `i16` beyond 56 classes, each class with its own
//! step) of 16, 32, 64 or 128 bytes, aligned so that an entry of up to 64 bytes never
//! straddles a cache line: a feature costs one cache miss, and the table is a quarter of
//! the size of one of `f32` weights. With more classes, each known feature hash maps, through
//! an open-addressing table of 8-byte slots (32-bit fingerprint, 32-bit row), to one row
//! `[idf, w_0, .., w_{k-1}]` of `f32`: about two cache misses per distinct feature.

use crate::features::FeatureSpace;
use crate::linear::Linear;

#[derive(Clone, Debug)]
pub(crate) struct Scorer {
    /// Empty when the rows are inline (see the module documentation).
    slots: Vec<u64>,
    /// Whether `entries` is the hash table itself (else `slots` and `rows`).
    inline: bool,
    mask: usize,
    rotation: u32,
    /// The rows `[idf, weights]` as the bits of the floats (empty when the rows are inline).
    rows: Vec<u32>,
    /// Where row 0 starts in `rows`: rows start on a 64-byte boundary when they can.
    row_offset: usize,
    /// Floats per row: `1 + n_classes`, rounded up to a power of two up to 16 and to a
    /// multiple of 16 beyond, so that a row spans as few cache lines as possible.
    stride: usize,
    /// The inline entries as 32-bit words: the fingerprint, the bits of the idf, then one
    /// weight a class (the bits of an `f32`, or `i8` or `i16` quantized, packed little-endian),
    /// zero-padded to `entry_bytes` (empty when the rows are not inline).
    entries: Vec<u32>,
    /// Where entry 0 starts in `entries`, in words: on a 64-byte boundary when it can.
    entry_offset: usize,
    /// `entry_bytes / 4`.
    entry_words: usize,
    /// Bytes an inline entry: 16, 32, 64 or 128.
    entry_bytes: usize,
    /// Bytes a quantized weight: 1 or 2.
    weight_bytes: usize,
    /// For each class, the weight of one quantization step (a weight is `q × step`).
    steps: Vec<f32>,
    n_classes: usize,
    bias: Vec<f32>,
    sublinear_tf: bool,
}

const EMPTY: u64 = u64::MAX;

/// The fingerprint of an empty inline entry; no known key has it (see `place`).
const EMPTY_FP: u32 = u32::MAX;

/// Bytes of an inline entry before its weights: the fingerprint and the idf.
const HEADER: usize = 8;

/// The most classes whose inline weights stay `f32` (an entry of 64 bytes, one cache line).
const MAX_F32_CLASSES: usize = (64 - HEADER) / 4;

/// The most classes whose inline weights are quantized to `i8` (an entry of 64 bytes); up to
/// 60 classes get `i16` (128 bytes).
const MAX_I8_CLASSES: usize = 64 - HEADER;

/// The largest inline entry, in bytes (two cache lines).
const MAX_ENTRY_BYTES: usize = 128;

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
        let weight_bytes = if k <= MAX_F32_CLASSES {
            4
        } else if k <= MAX_I8_CLASSES {
            1
        } else {
            2
        };
        let entry_bytes = (HEADER + weight_bytes * k).next_power_of_two().max(16);
        let inline = entry_bytes <= MAX_ENTRY_BYTES && !slots.is_empty();
        let stride =
            if k < 16 { (k + 1).next_power_of_two() } else { (k + 1).next_multiple_of(16) };
        let mut scorer = Scorer {
            slots: Vec::new(),
            inline,
            mask,
            rotation,
            rows: Vec::new(),
            row_offset: 0,
            stride,
            entries: Vec::new(),
            entry_offset: 0,
            entry_bytes,
            entry_words: entry_bytes / 4,
            weight_bytes,
            steps: vec![1.0; k],
            n_classes: k,
            bias: model.bias.clone(),
            sublinear_tf: space.config().sublinear_tf,
        };
        if inline {
            scorer.fill_entries(&slots, space.idf(), &model.weights);
        } else {
            scorer.fill_rows(space.idf(), &model.weights);
            scorer.slots = slots;
        }
        scorer
    }

    /// Fills the inline entries of the table positions `slots` (see [`place`]) with the
    /// quantized rows of `weights` (`[row][class]`): each class's step is its largest weight
    /// (in magnitude) over the largest quantized value, and weights round to the nearest step.
    fn fill_entries(&mut self, slots: &[u64], idf: &[f32], weights: &[f32]) {
        let k = self.n_classes;
        let q_max = match self.weight_bytes {
            1 => f32::from(i8::MAX),
            2 => f32::from(i16::MAX),
            _ => f32::MAX,
        };
        let mut largest = vec![0f32; k];
        for row in weights.chunks_exact(k.max(1)) {
            for (max, &w) in largest.iter_mut().zip(row) {
                *max = max.max(w.abs());
            }
        }
        if self.weight_bytes < 4 {
            self.steps = largest
                .iter()
                .map(|&max| if max > 0.0 && max.is_finite() { max / q_max } else { 1.0 })
                .collect();
        }
        // Up to 15 words of slack, to start entry 0 on a cache line.
        let mut entries = vec![0u32; slots.len() * self.entry_words + 16];
        let misalign = entries.as_ptr() as usize % 64;
        self.entry_offset = if misalign.is_multiple_of(4) { (64 - misalign) % 64 / 4 } else { 0 };
        let mut bytes = vec![0u8; self.entry_bytes];
        for (pos, &slot) in slots.iter().enumerate() {
            let start = self.entry_offset + pos * self.entry_words;
            let Some(entry) = entries.get_mut(start..start + self.entry_words) else { continue };
            bytes.fill(0);
            let (header, quantized) = bytes.split_at_mut(HEADER);
            let (fp, idf_bytes) = header.split_at_mut(4);
            if slot == EMPTY {
                fp.copy_from_slice(&EMPTY_FP.to_le_bytes());
            } else {
                fp.copy_from_slice(&((slot >> 32) as u32).to_le_bytes());
                let row = (slot & 0xFFFF_FFFF) as usize;
                idf_bytes.copy_from_slice(&idf.get(row).copied().unwrap_or(0.0).to_le_bytes());
                let row_weights = weights.get(row * k..(row + 1) * k).unwrap_or(&[]);
                let quantize = |(&w, &step): (&f32, &f32)| (w / step).round().clamp(-q_max, q_max);
                let levels = row_weights.iter().zip(&self.steps).map(quantize);
                match self.weight_bytes {
                    1 => {
                        for (byte, q) in quantized.iter_mut().zip(levels) {
                            *byte = (q as i8).to_le_bytes()[0];
                        }
                    }
                    2 => {
                        for (pair, q) in quantized.chunks_exact_mut(2).zip(levels) {
                            pair.copy_from_slice(&(q as i16).to_le_bytes());
                        }
                    }
                    _ => {
                        for (quad, &w) in quantized.chunks_exact_mut(4).zip(row_weights) {
                            quad.copy_from_slice(&w.to_le_bytes());
                        }
                    }
                }
            }
            for (word, quad) in entry.iter_mut().zip(bytes.as_chunks::<4>().0) {
                *word = u32::from_le_bytes(*quad);
            }
        }
        self.entries = entries;
    }

    /// Fills the rows `[idf, weights]` of the indirect table, as `f32` bits.
    fn fill_rows(&mut self, idf: &[f32], weights: &[f32]) {
        let (k, stride) = (self.n_classes, self.stride);
        // Up to 15 floats of slack, to start row 0 on a cache line.
        let mut rows = vec![0u32; idf.len() * stride + 16];
        let misalign = rows.as_ptr() as usize % 64;
        self.row_offset = if misalign.is_multiple_of(4) { (64 - misalign) % 64 / 4 } else { 0 };
        for (row, &idf) in idf.iter().enumerate() {
            let start = self.row_offset + row * stride;
            if let Some(slot) = rows.get_mut(start..start + k + 1)
                && let Some((first, rest)) = slot.split_first_mut()
            {
                *first = idf.to_bits();
                if let Some(weights) = weights.get(row * k..(row + 1) * k) {
                    rest.iter_mut().zip(weights).for_each(|(bits, w)| *bits = w.to_bits());
                }
            }
        }
        self.rows = rows;
    }

    /// The fingerprint of the inline entry at table position `pos`.
    #[inline]
    fn inline_fp(&self, pos: usize) -> u32 {
        self.entries.get(self.entry_offset + pos * self.entry_words).copied().unwrap_or(EMPTY_FP)
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
                    count_row(found, seen, bits, self.entry_offset + pos * self.entry_words);
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
        let norm_sq = match (self.inline, self.weight_bytes, self.entry_bytes) {
            (false, _, _) => self.accumulate(found, scores),
            (true, 4, 16) => self.accumulate_f32::<4>(found, scores),
            (true, 4, 32) => self.accumulate_f32::<8>(found, scores),
            (true, 4, _) => self.accumulate_f32::<16>(found, scores),
            (true, 1, 32) => self.accumulate_quantized::<8, 32, 1>(found, scores),
            (true, 1, _) => self.accumulate_quantized::<16, 64, 1>(found, scores),
            (true, _, _) => self.accumulate_quantized::<32, 128, 2>(found, scores),
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

    /// [`Scorer::accumulate`] for inline entries of `W` words with `f32` weights: whole
    /// entries at once (it vectorises), in the same order of additions (so with the same
    /// result).
    #[inline]
    fn accumulate_f32<const W: usize>(&self, found: &[(usize, u32)], scores: &mut [f32]) -> f32 {
        let mut sums = [0f32; W];
        let mut norm_sq = 0f32;
        for &(start, count) in found {
            let Some(entry) = self.entry::<W>(start) else { continue };
            // The sums of the fingerprint (zeroed) and idf lanes are ignored, the others get
            // the same additions as one by one.
            let mut lanes = entry.map(f32::from_bits);
            if let Some(fingerprint) = lanes.first_mut() {
                *fingerprint = 0.0;
            }
            let value = self.tf(count) * lanes.get(1).copied().unwrap_or(0.0);
            norm_sq += value * value;
            for (sum, w) in sums.iter_mut().zip(lanes) {
                *sum += value * w;
            }
        }
        for (score, &sum) in scores.iter_mut().zip(sums.iter().skip(2)) {
            *score = sum;
        }
        norm_sq
    }

    /// [`Scorer::accumulate`] for inline entries of `W` words (`B = 4 W` bytes) with
    /// weights of `Q` bytes (`i8` or `i16`): whole entries at once (it vectorises), the padding
    /// lanes hold zeros; each sum times its class's step is the score.
    #[inline]
    fn accumulate_quantized<const W: usize, const B: usize, const Q: usize>(
        &self,
        found: &[(usize, u32)],
        scores: &mut [f32],
    ) -> f32 {
        let mut sums = [0f32; B];
        let mut norm_sq = 0f32;
        let mut bytes = [0u8; B];
        for &(start, count) in found {
            let Some(entry) = self.entry::<W>(start) else { continue };
            let value = self.tf(count) * f32::from_bits(entry.get(1).copied().unwrap_or(0));
            norm_sq += value * value;
            for (quad, word) in bytes.as_chunks_mut::<4>().0.iter_mut().zip(entry) {
                *quad = word.to_le_bytes();
            }
            let weights = bytes.get(HEADER..).unwrap_or(&[]);
            if Q == 1 {
                for (sum, &q) in sums.iter_mut().zip(weights) {
                    *sum += value * f32::from(q as i8);
                }
            } else {
                for (sum, &q) in sums.iter_mut().zip(weights.as_chunks::<2>().0) {
                    *sum += value * f32::from(i16::from_le_bytes(q));
                }
            }
        }
        for ((score, &sum), &step) in scores.iter_mut().zip(&sums).zip(&self.steps) {
            *score = sum * step;
        }
        norm_sq
    }

    /// The inline entry of `W` words at `start`.
    #[inline(always)]
    fn entry<const W: usize>(&self, start: usize) -> Option<&[u32; W]> {
        self.entries.get(start..start + W).and_then(|e| <&[u32; W]>::try_from(e).ok())
    }

    /// The inline table position of a (rotated) key whose first entry holds another key: the
    /// entries after it, up to the first empty one.
    #[inline]
    fn probe_inline(&self, key: u64) -> Option<usize> {
        let want = fingerprint(key);
        let mut pos = key as usize & self.mask;
        for _ in 0..self.mask {
            pos = (pos + 1) & self.mask;
            match u64::from(self.inline_fp(pos)) {
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
            let vector = space.vectorize(text);
            model.scores_into(&vector, &mut slow);
            assert_eq!(fast.len(), n_classes);
            // Quantized weights are within half a step of the weights: a score is off by at
            // most half a step times the L1 norm of the (unit) vector.
            let l1: f32 = vector.iter().map(|(_, v)| v.abs()).sum();
            for ((a, b), step) in fast.iter().zip(&slow).zip(&scorer.steps) {
                let tolerance =
                    if scorer.weight_bytes == 4 { 1e-5 } else { 0.5 * step * l1 + 1e-5 };
                assert!((a - b).abs() <= tolerance, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
        scorer
    }

    #[test]
    fn inline_and_indirect_tables_score_alike() {
        let texts: Vec<String> =
            (0..192).map(|i| format!("topic{} word{} shared text {}", i % 64, i, i % 5)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let config = FeatureConfig::default();
        // 64 classes: too many for inline entries.
        let ys: Vec<usize> = (0..192).map(|i| i % 64).collect();
        let scorer = check(&refs, &ys, 64, &config);
        assert!(!scorer.inline);
        assert_eq!(scorer.stride, 80);
        // Up to 14 classes keep `f32` weights in entries of 16, 32 or 64 bytes; up to 56 get
        // `i8` weights (32 or 64 bytes), up to 60 `i16` weights (128 bytes).
        for (n_classes, weight_bytes, entry_bytes) in
            [(2, 4, 16), (6, 4, 32), (14, 4, 64), (16, 1, 32), (50, 1, 64), (60, 2, 128)]
        {
            let ys: Vec<usize> = (0..192).map(|i| i % n_classes).collect();
            let scorer = check(&refs, &ys, n_classes, &config);
            assert!(scorer.inline);
            assert_eq!((scorer.weight_bytes, scorer.entry_bytes), (weight_bytes, entry_bytes));
            assert_eq!(scorer.entries.len(), (scorer.mask + 1) * entry_bytes / 4 + 16);
        }
    }

    #[test]
    fn quantized_weights_are_within_half_a_step_and_the_largest_is_exact() {
        let texts: Vec<String> =
            (0..120).map(|i| format!("topic{} word{} shared text {}", i % 20, i, i % 7)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let ys: Vec<usize> = (0..120).map(|i| i % 20).collect();
        let (space, xs) = FeatureSpace::fit(&FeatureConfig::default(), &refs).unwrap();
        let xs: Vec<_> = xs.iter().collect();
        let problem = Problem {
            xs: &xs,
            ys: &ys,
            n_classes: 20,
            n_features: space.n_features(),
            class_cost: vec![1.0; 20],
        };
        let solver = Solver { c: 1.0, max_epochs: 50, tolerance: 0.01, seed: 1 };
        let model = one_vs_rest(&problem, solver, Loss::SquaredHinge);
        let scorer = Scorer::new(&space, &model);
        assert_eq!(scorer.weight_bytes, 1);
        let mut largest = [0f32; 20];
        for (row, &key) in space.keys().iter().enumerate() {
            // Find the key's entry as a lookup does.
            let key = key.rotate_left(scorer.rotation);
            let mut pos = key as usize & scorer.mask;
            while u64::from(scorer.inline_fp(pos)) != fingerprint(key) {
                pos = (pos + 1) & scorer.mask;
            }
            let start = scorer.entry_offset + pos * scorer.entry_words;
            let entry = scorer.entry::<8>(start).unwrap();
            assert_eq!(f32::from_bits(entry[1]), space.idf()[row]);
            let bytes: Vec<u8> = entry.iter().flat_map(|w| w.to_le_bytes()).collect();
            let quantized = &bytes[HEADER..];
            for (class, (&q, &step)) in quantized.iter().zip(&scorer.steps).enumerate() {
                let w = model.weights[row * 20 + class];
                let restored = f32::from(q as i8) * step;
                assert!((restored - w).abs() <= 0.5 * step * 1.0001, "{w} vs {restored}");
                largest[class] = largest[class].max(restored.abs());
            }
            // The padding after the classes stays zero.
            assert!(quantized[20..].iter().all(|&b| b == 0));
        }
        for (class, &max) in largest.iter().enumerate() {
            assert!((max - 127.0 * scorer.steps[class]).abs() <= 1e-6 * max, "class {class}");
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
        for (n_classes, sublinear_tf) in [(3, true), (3, false), (16, true), (64, false)] {
            let ys: Vec<usize> = (0..texts.len()).map(|i| i % n_classes).collect();
            let config = FeatureConfig { sublinear_tf, ..FeatureConfig::default() };
            let scorer = check_on(&texts, &ys, n_classes, &config, &random);
            assert_eq!(scorer.inline, n_classes < 64);
            assert_eq!(
                scorer.weight_bytes,
                match n_classes {
                    3 => 4,
                    16 => 1,
                    _ => 2,
                }
            );
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
