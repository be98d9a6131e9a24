//! The prediction fast path: feature hashes straight to class scores through one compact
//! table, without building a vector first.
//!
//! Each known feature hash maps, through an open-addressing table of 8-byte slots (32-bit
//! fingerprint, 32-bit row), to one row `[idf, w_0, .., w_{k-1}]`; scoring a text costs about
//! two cache misses per distinct feature.

use crate::features::FeatureSpace;
use crate::linear::Linear;

#[derive(Clone, Debug)]
pub(crate) struct Scorer {
    slots: Vec<u64>,
    mask: usize,
    rotation: u32,
    rows: Vec<f32>,
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

impl Scorer {
    pub(crate) fn new(space: &FeatureSpace, model: &Linear) -> Scorer {
        let keys = space.keys();
        let k = model.n_classes;
        let capacity = (keys.len() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let (mut slots, mut rotation) = (Vec::new(), 0);
        // Rotate the keys until no two keys on one probe run share a fingerprint (the first
        // rotation nearly always works).
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
        let stride =
            if k < 16 { (k + 1).next_power_of_two() } else { (k + 1).next_multiple_of(16) };
        let n_rows = space.idf().len();
        // Up to 15 floats of slack, to start row 0 on a cache line.
        let mut rows = vec![0f32; n_rows * stride + 16];
        let misalign = rows.as_ptr() as usize % 64;
        let row_offset = if misalign.is_multiple_of(4) { (64 - misalign) % 64 / 4 } else { 0 };
        for (row, &idf) in space.idf().iter().enumerate() {
            let start = row_offset + row * stride;
            if let Some(slot) = rows.get_mut(start..start + k + 1)
                && let Some((first, rest)) = slot.split_first_mut()
            {
                *first = idf;
                if let Some(weights) = model.weights.get(row * k..(row + 1) * k) {
                    rest.copy_from_slice(weights);
                }
            }
        }
        Scorer {
            slots,
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
        first_slots.extend(
            distinct.iter().map(|&(key, _)| {
                self.slots.get(key as usize & self.mask).copied().unwrap_or(EMPTY)
            }),
        );
        found.clear();
        for (&(key, run), &slot) in distinct.iter().zip(first_slots.iter()) {
            let row = if slot == EMPTY {
                None
            } else if slot >> 32 == fingerprint(key) {
                Some(slot & 0xFFFF_FFFF)
            } else {
                self.probe(key)
            };
            if let Some(row) = row {
                let tf = match run {
                    1 => 1.0,
                    _ if self.sublinear_tf => 1.0 + (run as f32).ln(),
                    _ => run as f32,
                };
                found.push((self.row_offset + row as usize * self.stride, tf));
            }
        }
        scores.clear();
        scores.resize(self.n_classes, 0.0);
        let mut norm_sq = 0f32;
        for &(start, tf) in found.iter() {
            if let Some((&idf, weights)) =
                self.rows.get(start..start + self.n_classes + 1).and_then(<[f32]>::split_first)
            {
                let value = tf * idf;
                norm_sq += value * value;
                for (score, w) in scores.iter_mut().zip(weights) {
                    *score += value * w;
                }
            }
        }
        let scale = if norm_sq > 0.0 { 1.0 / norm_sq.sqrt() } else { 0.0 };
        for (score, b) in scores.iter_mut().zip(&self.bias) {
            *score = *score * scale + b;
        }
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
/// fingerprint.
fn place(keys: &[u64], mask: usize, rotation: u32) -> Option<Vec<u64>> {
    let mut slots = vec![EMPTY; mask + 1];
    for (row, &key) in keys.iter().enumerate() {
        let key = key.rotate_left(rotation);
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

    #[test]
    fn fast_path_scores_match_the_training_vectors() {
        let texts: Vec<&str> = TOY.iter().map(|(t, _)| *t).collect();
        let labels = ["sport", "tech", "weather"];
        let ys: Vec<usize> =
            TOY.iter().map(|(_, l)| labels.iter().position(|x| x == l).unwrap()).collect();
        let config = FeatureConfig { char_ngrams: Some((2, 4)), ..FeatureConfig::default() };
        let (space, xs) = FeatureSpace::fit(&config, &texts).unwrap();
        let refs: Vec<_> = xs.iter().collect();
        let problem = Problem {
            xs: &refs,
            ys: &ys,
            n_classes: 3,
            n_features: space.n_features(),
            class_cost: vec![1.0; 3],
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
            assert_eq!(fast.len(), 3);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-5, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
    }
}
