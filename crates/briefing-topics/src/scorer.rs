//! The prediction fast path: feature hashes straight to class scores, without building a
//! vector first.
//!
//! Every hash bucket of the feature space is a row `[signature, idf, w_0, .., w_{k-1}]`
//! (`Dense`, for few classes: one memory access per feature), or, for many classes, an
//! 8-byte index entry `(signature, row)` pointing to a compact row `[idf, w_0, .., w_{k-1}]`
//! of the buckets training used (`Indexed`: rows are only stored for used buckets). Lookups
//! run in passes whose memory loads do not depend on each other, so that cache misses overlap.

use crate::features::{FeatureSpace, bucket_of, signature_bit, tf};
use crate::linear::Linear;

/// Above this many classes, rows are stored for used buckets only.
const DENSE_MAX_CLASSES: usize = 6;

/// Width of the chunks in which indexed rows add up.
const LANES: usize = 8;

#[derive(Clone, Debug)]
pub(crate) struct Scorer {
    mask: usize,
    n_classes: usize,
    layout: Layout,
    bias: Vec<f32>,
    sublinear_tf: bool,
}

#[derive(Clone, Debug)]
enum Layout {
    /// `rows[bucket * (k + 2)..]` is `[signature, idf, w_0, .., w_{k-1}]`, as bits.
    Dense(Vec<u32>),
    /// `index[bucket]` is `signature << 32 | row`; `rows[row..row + 1 + lanes]` is
    /// `[idf, w_0, .., w_{k-1}, 0, ..]`, the weights padded to `lanes`, a multiple of 8, so
    /// that they add up in fixed-width chunks.
    Indexed { index: Vec<u64>, rows: Vec<f32>, lanes: usize },
}

impl Scorer {
    pub(crate) fn new(space: &FeatureSpace, model: &Linear) -> Scorer {
        let k = model.n_classes;
        let n_buckets = space.n_buckets();
        let features = space.buckets().iter().zip(space.signatures()).zip(space.idf());
        let layout = if k <= DENSE_MAX_CLASSES {
            let stride = k + 2;
            let mut rows = vec![0u32; n_buckets * stride];
            for (feature, ((&bucket, &signature), &idf)) in features.enumerate() {
                let start = bucket as usize * stride;
                if let Some(row) = rows.get_mut(start..start + stride) {
                    row[0] = signature;
                    row[1] = idf.to_bits();
                    let weights = model.weights.get(feature * k..(feature + 1) * k).unwrap_or(&[]);
                    for (slot, w) in row[2..].iter_mut().zip(weights) {
                        *slot = w.to_bits();
                    }
                }
            }
            Layout::Dense(rows)
        } else {
            let lanes = k.next_multiple_of(LANES);
            let mut index = vec![0u64; n_buckets];
            let mut rows = vec![0f32; space.n_features() * (1 + lanes)];
            for (feature, ((&bucket, &signature), &idf)) in features.enumerate() {
                let start = feature * (1 + lanes);
                if let Some(entry) = index.get_mut(bucket as usize) {
                    *entry = (u64::from(signature) << 32) | start as u64;
                }
                if let Some(row) = rows.get_mut(start..start + 1 + k) {
                    row[0] = idf;
                    let weights = model.weights.get(feature * k..(feature + 1) * k).unwrap_or(&[]);
                    row[1..].copy_from_slice(weights);
                }
            }
            Layout::Indexed { index, rows, lanes }
        };
        Scorer {
            mask: n_buckets - 1,
            n_classes: k,
            layout,
            bias: model.bias.clone(),
            sublinear_tf: space.config().sublinear_tf,
        }
    }

    /// The class scores of a text given its feature hashes (with repeats, in any order).
    #[inline]
    pub(crate) fn scores_into(
        &self,
        hashes: &[u64],
        scratch: &mut ScoreScratch,
        scores: &mut Vec<f32>,
    ) {
        let k = self.n_classes;
        let ScoreScratch { found, counter } = scratch;
        scores.clear();
        scores.resize(k, 0.0);
        let mut norm_sq = 0f32;
        found.clear();
        match &self.layout {
            Layout::Dense(rows) => {
                let stride = k + 2;
                // Pass 1: the rows whose signature knows the hash. Branch-free, so that the
                // loads of all hashes are in flight together.
                found.resize(hashes.len(), 0);
                let mut n = 0;
                for &hash in hashes {
                    let start = bucket_of(hash, self.mask) * stride;
                    let signature = rows.get(start).copied().unwrap_or(0);
                    if let Some(slot) = found.get_mut(n) {
                        *slot = start as u32;
                    }
                    n += usize::from(signature & signature_bit(hash) != 0);
                }
                found.truncate(n);
                // Pass 2: each distinct row once, weighted by its count.
                for &(start, count) in counter.count(found) {
                    let start = start as usize;
                    let Some(row) = rows.get(start + 1..start + stride) else { continue };
                    let Some((&idf, weights)) = row.split_first() else { continue };
                    let value = tf(count, self.sublinear_tf) * f32::from_bits(idf);
                    norm_sq += value * value;
                    for (score, &w) in scores.iter_mut().zip(weights) {
                        *score += value * f32::from_bits(w);
                    }
                }
            }
            Layout::Indexed { index, rows, lanes } => {
                let lanes = *lanes;
                found.resize(hashes.len(), 0);
                let mut n = 0;
                for &hash in hashes {
                    let entry = index.get(bucket_of(hash, self.mask)).copied().unwrap_or(0);
                    if let Some(slot) = found.get_mut(n) {
                        *slot = entry as u32;
                    }
                    n += usize::from((entry >> 32) as u32 & signature_bit(hash) != 0);
                }
                found.truncate(n);
                let distinct = counter.count(found);
                // Pass 2: touch every cache line of every row, in a loop of independent
                // loads, so that the rows' cache misses overlap.
                let mut touched = 0f32;
                for &(start, _) in distinct {
                    let start = start as usize;
                    for at in (start..start + 1 + lanes).step_by(16) {
                        touched += rows.get(at).copied().unwrap_or(0.0);
                    }
                }
                std::hint::black_box(touched);
                // Pass 3: each distinct row once, weighted by its count.
                scores.resize(lanes, 0.0);
                for &(start, count) in distinct {
                    let start = start as usize;
                    let Some(row) = rows.get(start..start + 1 + lanes) else { continue };
                    let Some((&idf, weights)) = row.split_first() else { continue };
                    let value = tf(count, self.sublinear_tf) * idf;
                    norm_sq += value * value;
                    let chunks = scores.chunks_exact_mut(LANES).zip(weights.chunks_exact(LANES));
                    for (chunk, w) in chunks {
                        if let (Ok(chunk), Ok(w)) =
                            (<&mut [f32; LANES]>::try_from(chunk), <&[f32; LANES]>::try_from(w))
                        {
                            for lane in 0..LANES {
                                chunk[lane] += value * w[lane];
                            }
                        }
                    }
                }
                scores.truncate(k);
            }
        }
        let scale = if norm_sq > 0.0 { 1.0 / norm_sq.sqrt() } else { 0.0 };
        for (score, b) in scores.iter_mut().zip(&self.bias) {
            *score = *score * scale + b;
        }
    }
}

/// Reusable buffers for [`Scorer::scores_into`].
#[derive(Debug, Default)]
pub(crate) struct ScoreScratch {
    found: Vec<u32>,
    counter: Counter,
}

/// Counts the distinct values of a short list, in order of first occurrence, with a small
/// open-addressing table whose slots are stamped with the list they belong to (so that it is
/// never cleared): cheaper than sorting the few dozen features of a text.
#[derive(Debug, Default)]
struct Counter {
    /// `(stamp, value, index into distinct)`.
    slots: Vec<(u32, u32, u32)>,
    stamp: u32,
    distinct: Vec<(u32, u32)>,
}

impl Counter {
    /// The distinct values of `values` with their counts, in order of first occurrence.
    fn count(&mut self, values: &[u32]) -> &[(u32, u32)] {
        self.distinct.clear();
        let bits = (values.len() * 2).max(64).next_power_of_two().trailing_zeros();
        let size = 1usize << bits;
        if self.slots.len() < size {
            self.slots.resize(size, (0, 0, 0));
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.slots.iter_mut().for_each(|slot| slot.0 = 0);
            self.stamp = 1;
        }
        let mask = size - 1;
        for &value in values {
            let mut pos = (value.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize;
            while let Some(slot) = self.slots.get_mut(pos) {
                if slot.0 != self.stamp {
                    *slot = (self.stamp, value, self.distinct.len() as u32);
                    self.distinct.push((value, 1));
                    break;
                }
                if slot.1 == value {
                    if let Some(entry) = self.distinct.get_mut(slot.2 as usize) {
                        entry.1 += 1;
                    }
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        &self.distinct
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::features::FeatureConfig;
    use crate::linear::{Loss, Problem, Solver, one_vs_rest};
    use crate::testdata::TOY;

    /// Fits a model on the toy texts with labels `ys` and checks the fast path against
    /// `Linear::scores_into` on the training vectorization.
    fn check(config: &FeatureConfig, ys: &[usize]) {
        let texts: Vec<&str> = TOY.iter().map(|(t, _)| *t).collect();
        let n_classes = ys.iter().max().unwrap() + 1;
        let (space, xs) = FeatureSpace::fit(config, &texts).unwrap();
        let refs: Vec<&_> = xs.iter().collect();
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
            space.hashes(text, &mut hashes);
            scorer.scores_into(&hashes, &mut scratch, &mut fast);
            model.scores_into(&space.vectorize(text), &mut slow);
            assert_eq!(fast.len(), n_classes);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-5, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
    }

    #[test]
    fn counter_counts_in_order_of_first_occurrence() {
        let mut counter = Counter::default();
        assert_eq!(counter.count(&[7, 3, 7, 7, 0, 3]), [(7, 3), (3, 2), (0, 1)]);
        assert_eq!(counter.count(&[]), []);
        assert_eq!(counter.count(&[3]), [(3, 1)]);
        let many: Vec<u32> = (0..1000).map(|i| i % 300 * 4).collect();
        let counted = counter.count(&many).to_vec();
        assert_eq!(counted.len(), 300);
        assert!(counted.iter().enumerate().all(|(i, &(v, n))| v == i as u32 * 4 && n >= 3));
        counter.stamp = u32::MAX;
        assert_eq!(counter.count(&[5, 5]), [(5, 2)]);
    }

    #[test]
    fn fast_path_scores_match_the_training_vectors_in_both_layouts() {
        let labels = ["sport", "tech", "weather"];
        let ys: Vec<usize> =
            TOY.iter().map(|(_, l)| labels.iter().position(|x| x == l).unwrap()).collect();
        let config = FeatureConfig { char_ngrams: Some((2, 4)), ..FeatureConfig::default() };
        check(&config, &ys);
        // A small hash space: buckets shared by several features.
        check(&FeatureConfig { buckets: Some(256), ..FeatureConfig::default() }, &ys);
        // More classes than `DENSE_MAX_CLASSES`: the indexed layout.
        let many: Vec<usize> = (0..TOY.len()).map(|i| i % (DENSE_MAX_CLASSES + 2)).collect();
        check(&config, &many);
        check(&FeatureConfig { buckets: Some(256), ..FeatureConfig::default() }, &many);
    }
}
