//! Softmax probabilities with a temperature fitted on held-out scores, and stratified folds.

use crate::rng::Rng;

/// Writes `softmax(scores / temperature)` into `probs`.
#[inline]
pub(crate) fn softmax_into(scores: &[f32], temperature: f32, probs: &mut Vec<f32>) {
    probs.clear();
    let beta = 1.0 / temperature;
    // The largest score that is not NaN, as a fold with `f32::max` gives (up to the sign of
    // a zero, which changes no probability), in fewer instructions.
    let max = scores.iter().fold(f32::NEG_INFINITY, |max, &s| if s > max { s } else { max });
    probs.resize(scores.len(), 0.0);
    for (p, s) in probs.iter_mut().zip(scores) {
        *p = exp_nonpositive((s - max) * beta);
    }
    let sum: f32 = probs.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        probs.iter_mut().for_each(|p| *p /= sum);
    }
}

/// The index of the best label (the first of the highest scores) and its probability under
/// `softmax(scores / temperature)`, the same as [`softmax_into`] gives it, without dividing
/// every probability by the sum. `exps` is scratch space.
#[inline]
pub(crate) fn best_probability(
    scores: &[f32],
    temperature: f32,
    exps: &mut Vec<f32>,
) -> (usize, f32) {
    let beta = 1.0 / temperature;
    let (mut best, mut max) = (0, f32::NEG_INFINITY);
    for (idx, &s) in scores.iter().enumerate() {
        if s > max {
            (best, max) = (idx, s);
        }
    }
    exps.clear();
    exps.extend(scores.iter().map(|&s| exp_nonpositive((s - max) * beta)));
    let sum: f32 = exps.iter().sum();
    let e_best = exps.get(best).copied().unwrap_or(0.0);
    let p = if sum > 0.0 && sum.is_finite() { e_best / sum } else { e_best };
    (best, p)
}

/// `e^x` for `x <= 0` (larger `x` is taken as 0, smaller than -87 as -87), to within a few
/// units in the last place: Cephes' `expf` without branches, so that a loop over a
/// slice of scores vectorises. The same bits on every platform (no fused multiply-adds).
#[inline]
fn exp_nonpositive(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two parts, the first exact in few bits.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Rounds to the nearest integer when added and subtracted (1.5 × 2^23).
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 0.0);
    // The nearest integer to x / ln 2, in the low bits of `shifted`'s mantissa.
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_2e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let e_r = p * r * r + r + 1.0;
    // 2^n, with n in -126..=0: a normal float (integer operations only: they vectorise).
    let n_int = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(n_int.wrapping_add(127) << 23);
    e_r * scale
}

/// Mean cross-entropy of `softmax(beta * scores)` against the gold classes, with the targets
/// smoothed by `epsilon` (spread evenly over all classes).
fn loss(scores: &[Vec<f32>], gold: &[usize], beta: f64, epsilon: f64) -> f64 {
    let total: f64 = scores
        .iter()
        .zip(gold)
        .map(|(s, &y)| {
            let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let log_sum = s.iter().map(|&v| (beta * f64::from(v - max)).exp()).sum::<f64>().ln();
            let neg_log_p = |v: f32| log_sum - beta * f64::from(v - max);
            let gold_term = s.get(y).map_or(0.0, |&v| neg_log_p(v));
            let mean_term = s.iter().map(|&v| neg_log_p(v)).sum::<f64>() / s.len().max(1) as f64;
            (1.0 - epsilon) * gold_term + epsilon * mean_term
        })
        .sum();
    total / scores.len().max(1) as f64
}

/// Golden-section steps: each shrinks the bracket (a factor 10^7 of temperatures) by 0.618,
/// to a relative precision of the temperature of about 10^-5.
const GOLDEN_STEPS: usize = 32;

/// The temperature that minimises the held-out cross-entropy (temperature scaling, Guo et al.
/// 2017). The loss is convex in `1 / temperature`, so a golden-section search over its
/// logarithm finds the optimum.
///
/// The targets are smoothed by `1 / (n + 2)` (Laplace's rule: as if one more example had
/// been right and one wrong), so that a model with no held-out mistakes gets a finite,
/// still-confident temperature instead of certainty.
pub(crate) fn fit_temperature(scores: &[Vec<f32>], gold: &[usize]) -> f32 {
    if scores.is_empty() {
        return 1.0;
    }
    let epsilon = 1.0 / (scores.len() as f64 + 2.0);
    let f = |log_beta: f64| loss(scores, gold, log_beta.exp(), epsilon);
    let (mut lo, mut hi) = ((1e-3f64).ln(), (1e4f64).ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - ratio * (hi - lo);
    let mut b = lo + ratio * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..GOLDEN_STEPS {
        if fa <= fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - ratio * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + ratio * (hi - lo);
            fb = f(b);
        }
    }
    (1.0 / ((lo + hi) / 2.0).exp()) as f32
}

/// Stratified fold ids in `0..k` for examples with classes `ys`: each class is shuffled with
/// the seed and dealt round-robin, continuing where the previous class stopped, so folds differ
/// in size by at most one and keep the class proportions.
pub(crate) fn stratified_folds(ys: &[usize], n_classes: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut folds = vec![0; ys.len()];
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (idx, &y) in ys.iter().enumerate() {
        if let Some(members) = by_class.get_mut(y) {
            members.push(idx);
        }
    }
    let mut rng = Rng::new(seed, 0xF01D);
    let mut next = 0;
    for members in &mut by_class {
        rng.shuffle(members);
        for &idx in members.iter() {
            folds[idx] = next % k.max(1);
            next += 1;
        }
    }
    folds
}

/// Expected calibration error of top-label confidences (10 equal-width bins): the mean gap
/// between confidence and accuracy, weighted by bin size.
pub(crate) fn expected_calibration_error(confidence_correct: &[(f32, bool)]) -> f64 {
    const BINS: usize = 10;
    let mut bins = [(0usize, 0f64, 0usize); BINS];
    for &(confidence, correct) in confidence_correct {
        let bin_idx = ((confidence.clamp(0.0, 1.0) * BINS as f32) as usize).min(BINS - 1);
        let bin = &mut bins[bin_idx];
        bin.0 += 1;
        bin.1 += f64::from(confidence);
        bin.2 += usize::from(correct);
    }
    let n = confidence_correct.len().max(1) as f64;
    bins.iter()
        .filter(|bin| bin.0 > 0)
        .map(|&(count, conf_sum, n_correct)| {
            let count_f = count as f64;
            (conf_sum / count_f - n_correct as f64 / count_f).abs() * count_f / n
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_nonpositive_matches_the_standard_exp() {
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        assert_eq!(exp_nonpositive(3.0), 1.0);
        let mut worst = 0f64;
        for i in 0..=870_000 {
            let x = -(i as f32) * 1e-4;
            let exact = f64::from(x).exp();
            let relative = (f64::from(exp_nonpositive(x)) - exact).abs() / exact;
            worst = worst.max(relative);
        }
        // Two units in the last place of an f32 are about 2.4e-7 relative.
        assert!(worst < 2.5e-7, "worst relative error {worst}");
        assert!(exp_nonpositive(-1000.0) > 0.0);
        assert!(exp_nonpositive(-1000.0) < 1e-37);
    }

    #[test]
    fn softmax_sums_to_one_and_sharpens_with_low_temperature() {
        let mut probs = Vec::new();
        softmax_into(&[1.0, 0.0, -1.0], 1.0, &mut probs);
        let mut exps = Vec::new();
        for (scores, t) in [(vec![1.0, 0.0, -1.0], 1.0), (vec![-3.0, 2.5, 2.5, 0.1], 0.2)] {
            let mut all = Vec::new();
            softmax_into(&scores, t, &mut all);
            let (best, p) = best_probability(&scores, t, &mut exps);
            assert_eq!(p.to_bits(), all[best].to_bits());
            assert!(all.iter().all(|&q| q <= p));
            assert_eq!(best, usize::from(scores.len() == 4));
        }
        assert!((probs.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let soft = probs[0];
        softmax_into(&[1.0, 0.0, -1.0], 0.1, &mut probs);
        assert!(probs[0] > soft && probs[0] > 0.99);
    }

    #[test]
    fn temperature_grows_when_scores_are_overconfident() {
        // Scores always say class 0 by a wide margin, but class 0 is right only 70% of the time.
        let scores: Vec<Vec<f32>> = (0..100).map(|_| vec![5.0, -5.0]).collect();
        let gold: Vec<usize> = (0..100).map(|i| usize::from(i % 10 >= 7)).collect();
        let t = fit_temperature(&scores, &gold);
        let mut probs = Vec::new();
        softmax_into(&scores[0], t, &mut probs);
        assert!((probs[0] - 0.7).abs() < 0.02, "temperature {t} gives {probs:?}");
    }

    #[test]
    fn perfect_held_out_scores_give_a_finite_temperature() {
        let scores: Vec<Vec<f32>> =
            (0..20).map(|i| if i % 2 == 0 { vec![1.0, -1.0] } else { vec![-1.0, 1.0] }).collect();
        let gold: Vec<usize> = (0..20).map(|i| i % 2).collect();
        let t = fit_temperature(&scores, &gold);
        let mut probs = Vec::new();
        softmax_into(&scores[0], t, &mut probs);
        assert!(probs[0] > 0.9 && probs[0] < 0.999, "temperature {t} gives {probs:?}");
    }

    #[test]
    fn folds_are_stratified_balanced_and_seeded() {
        let ys: Vec<usize> = (0..23).map(|i| i % 3).collect();
        let folds = stratified_folds(&ys, 3, 5, 1);
        let mut sizes = [0; 5];
        folds.iter().for_each(|&f| sizes[f] += 1);
        assert!(sizes.iter().all(|&s| s == 4 || s == 5), "{sizes:?}");
        for class in 0..3 {
            let mut per_fold = [0; 5];
            ys.iter()
                .zip(&folds)
                .filter(|(y, _)| **y == class)
                .for_each(|(_, &f)| per_fold[f] += 1);
            assert!(per_fold.iter().all(|&n| n == 1 || n == 2), "{per_fold:?}");
        }
        assert_eq!(folds, stratified_folds(&ys, 3, 5, 1));
        assert_ne!(folds, stratified_folds(&ys, 3, 5, 2));
    }

    #[test]
    fn calibration_error_of_perfect_and_overconfident_predictions() {
        let perfect: Vec<(f32, bool)> = (0..10).map(|i| (0.75, i % 4 != 0)).collect::<Vec<_>>();
        assert!(expected_calibration_error(&perfect[..8]) < 1e-9);
        let overconfident = [(0.99, false), (0.99, true)];
        assert!((expected_calibration_error(&overconfident) - 0.49).abs() < 1e-6);
    }
}
