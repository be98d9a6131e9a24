//! Linear scoring models over sparse vectors, and the solvers that fit them: one-vs-rest
//! linear SVMs (dual coordinate descent, as liblinear), one-vs-rest logistic regression
//! (the same solver family) and complement naive Bayes.

use crate::features::SparseVec;
use crate::rng::Rng;
use rayon::prelude::*;

/// Per-class scores `w_k · x + b_k`; weights are stored feature-major (`[feature][class]`) so
/// that scoring one text touches one contiguous row per feature.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Linear {
    pub(crate) n_classes: usize,
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

impl Linear {
    /// Writes the class scores of `x` into `scores` (resized to the number of classes).
    #[inline]
    pub(crate) fn scores_into(&self, x: &SparseVec, scores: &mut Vec<f32>) {
        scores.clear();
        scores.extend_from_slice(&self.bias);
        let k = self.n_classes;
        for &(feature_idx, value) in &x.pairs {
            let start = feature_idx as usize * k;
            if let Some(row) = self.weights.get(start..start + k) {
                for (score, w) in scores.iter_mut().zip(row) {
                    *score += value * w;
                }
            }
        }
    }

    /// Stacks per-class weight vectors (`n_features` weights each) into the feature-major layout.
    fn from_columns(columns: Vec<(Vec<f64>, f64)>, n_features: usize) -> Linear {
        let n_classes = columns.len();
        let mut weights = vec![0f32; n_features * n_classes];
        for (class_idx, (w, _)) in columns.iter().enumerate() {
            for (feature_idx, &value) in w.iter().enumerate() {
                weights[feature_idx * n_classes + class_idx] = value as f32;
            }
        }
        let bias = columns.iter().map(|(_, b)| *b as f32).collect();
        Linear { n_classes, weights, bias }
    }
}

/// What the solvers need to know about the problem.
#[derive(Clone, Debug)]
pub(crate) struct Problem<'a> {
    pub(crate) xs: &'a [&'a SparseVec],
    pub(crate) ys: &'a [usize],
    pub(crate) n_classes: usize,
    pub(crate) n_features: usize,
    /// Per-class multiplier of the cost of its examples (class weights).
    pub(crate) class_cost: Vec<f64>,
}

/// Settings shared by the dual coordinate descent solvers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Solver {
    pub(crate) c: f64,
    pub(crate) max_epochs: usize,
    pub(crate) tolerance: f64,
    pub(crate) seed: u64,
}

/// Which loss the one-vs-rest solver minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    /// Squared hinge (L2-loss SVM).
    SquaredHinge,
    /// Logistic.
    Logistic,
}

/// One binary model per class, fitted in parallel on the current rayon pool; each class has
/// its own seeded order, so the result does not depend on the number of threads.
pub(crate) fn one_vs_rest(problem: &Problem<'_>, solver: Solver, loss: Loss) -> Linear {
    one_vs_rest_warm(problem, solver, loss, None).0
}

/// [`one_vs_rest`], with the dual variables of each fitted class's SVM (`[class][example]`;
/// one class when there are two) in and out: `warm`, when given for the squared hinge,
/// starts each SVM's descent from them instead of zero. Logistic models ignore `warm` and
/// return no dual variables.
pub(crate) fn one_vs_rest_warm(
    problem: &Problem<'_>,
    solver: Solver,
    loss: Loss,
    warm: Option<&[Vec<f64>]>,
) -> (Linear, Vec<Vec<f64>>) {
    let fit = |class_idx: usize| {
        let costs: Vec<f64> = problem
            .ys
            .iter()
            .map(|&y| solver.c * problem.class_cost.get(y).copied().unwrap_or(1.0))
            .collect();
        let signs: Vec<f64> =
            problem.ys.iter().map(|&y| if y == class_idx { 1.0 } else { -1.0 }).collect();
        let mut rng = Rng::new(solver.seed, class_idx as u64);
        match loss {
            Loss::SquaredHinge => {
                let init = warm
                    .and_then(|warm| warm.get(class_idx))
                    .filter(|alpha| alpha.len() == problem.xs.len());
                svm_dual(problem.xs, &signs, &costs, problem.n_features, solver, &mut rng, init)
            }
            Loss::Logistic => {
                let (w, b) =
                    logistic_dual(problem.xs, &signs, &costs, problem.n_features, solver, &mut rng);
                (w, b, Vec::new())
            }
        }
    };
    let fits: Vec<(Vec<f64>, f64, Vec<f64>)> = if problem.n_classes == 2 {
        // The two one-vs-rest problems mirror each other: fit one, negate it.
        vec![fit(0)]
    } else {
        (0..problem.n_classes).into_par_iter().map(fit).collect()
    };
    let mut columns = Vec::with_capacity(problem.n_classes);
    let mut alphas = Vec::with_capacity(fits.len());
    for (w, b, alpha) in fits {
        columns.push((w, b));
        if loss == Loss::SquaredHinge {
            alphas.push(alpha);
        }
    }
    if problem.n_classes == 2
        && let Some((w, b)) = columns.first()
    {
        let negated = (w.iter().map(|v| -v).collect(), -b);
        columns.push(negated);
    }
    (Linear::from_columns(columns, problem.n_features), alphas)
}

#[inline]
fn dot(w: &[f32], bias: f64, x: &SparseVec) -> f64 {
    let mut sum = 0f32;
    for &(i, v) in &x.pairs {
        sum += w.get(i as usize).copied().unwrap_or(0.0) * v;
    }
    f64::from(sum) + bias
}

#[inline]
fn axpy(w: &mut [f32], bias: &mut f64, d: f64, x: &SparseVec) {
    let d32 = d as f32;
    for &(i, v) in &x.pairs {
        if let Some(slot) = w.get_mut(i as usize) {
            *slot += d32 * v;
        }
    }
    *bias += d;
}

/// L2-regularised squared-hinge SVM by dual coordinate descent (Hsieh et al. 2008; liblinear's
/// `L2R_L2LOSS_SVC_DUAL`, with its shrinking of variables stuck at zero), with the bias as a
/// regularised constant feature of value 1. The descent starts from the dual variables `init`
/// (one per example) when given, else from zero; the final ones are returned.
fn svm_dual(
    xs: &[&SparseVec],
    signs: &[f64],
    costs: &[f64],
    n_features: usize,
    solver: Solver,
    rng: &mut Rng,
    init: Option<&Vec<f64>>,
) -> (Vec<f64>, f64, Vec<f64>) {
    let n = xs.len();
    let diag: Vec<f64> = costs.iter().map(|c| 0.5 / c).collect();
    let qd: Vec<f64> =
        xs.iter().zip(&diag).map(|(x, d)| f64::from(x.norm_sq()) + 1.0 + d).collect();
    let mut alpha = vec![0f64; n];
    let mut w = vec![0f32; n_features];
    let mut bias = 0f64;
    if let Some(init) = init {
        for (i, (&a, (x, &y))) in init.iter().zip(xs.iter().zip(signs)).enumerate() {
            if a > 0.0 {
                alpha[i] = a;
                axpy(&mut w, &mut bias, a * y, x);
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut active = n;
    // With no upper bound on alpha (squared hinge), only variables at zero are shrunk.
    let mut pg_max_old = f64::INFINITY;
    let mut epoch = 0;
    while epoch < solver.max_epochs {
        rng.shuffle(&mut order[..active]);
        let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
        let mut s = 0;
        while s < active {
            let i = order[s];
            let (x, y, a) = (xs[i], signs[i], alpha[i]);
            let g = y * dot(&w, bias, x) - 1.0 + a * diag[i];
            let mut pg = g;
            if a == 0.0 {
                if g > pg_max_old {
                    // At its bound and pushing outward: set aside until the final check.
                    active -= 1;
                    order.swap(s, active);
                    continue;
                }
                pg = g.min(0.0);
            }
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let new = (a - g / qd[i]).max(0.0);
                alpha[i] = new;
                axpy(&mut w, &mut bias, (new - a) * y, x);
            }
            s += 1;
        }
        epoch += 1;
        if pg_max - pg_min <= solver.tolerance {
            if active == n {
                break;
            }
            // Converged on the active set: check every variable once more.
            active = n;
            pg_max_old = f64::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f64::INFINITY } else { pg_max };
    }
    (w.iter().map(|&v| f64::from(v)).collect(), bias, alpha)
}

/// L2-regularised logistic regression by dual coordinate descent (Yu, Huang & Lin 2011;
/// liblinear's `L2R_LR_DUAL`), with the bias as a regularised constant feature of value 1.
fn logistic_dual(
    xs: &[&SparseVec],
    signs: &[f64],
    costs: &[f64],
    n_features: usize,
    solver: Solver,
    rng: &mut Rng,
) -> (Vec<f64>, f64) {
    const INNER_EPS_MIN: f64 = 1e-8;
    const MAX_INNER: usize = 100;
    let n = xs.len();
    let xtx: Vec<f64> = xs.iter().map(|x| f64::from(x.norm_sq()) + 1.0).collect();
    // alpha[2i] is alpha_i, alpha[2i+1] is C_i - alpha_i; start at min(0.001 C, 1e-8).
    let mut alpha = vec![0f64; 2 * n];
    let mut w = vec![0f32; n_features];
    let mut bias = 0f64;
    for i in 0..n {
        let c = costs[i];
        alpha[2 * i] = (0.001 * c).min(1e-8);
        alpha[2 * i + 1] = c - alpha[2 * i];
        axpy(&mut w, &mut bias, signs[i] * alpha[2 * i], xs[i]);
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut inner_eps = 1e-2f64;
    let inner_eps_min = INNER_EPS_MIN.min(solver.tolerance);
    for _ in 0..solver.max_epochs {
        rng.shuffle(&mut order);
        let mut newton_iters = 0usize;
        let mut g_max = 0f64;
        for &i in &order {
            let (x, y, c) = (xs[i], signs[i], costs[i]);
            let a = xtx[i];
            let b = y * dot(&w, bias, x);
            // Pick the variable of the pair nearer to its bound.
            let (mut ind1, mut ind2, mut sign) = (2 * i, 2 * i + 1, 1.0);
            if 0.5 * a * (alpha[ind2] - alpha[ind1]) + b < 0.0 {
                ind1 = 2 * i + 1;
                ind2 = 2 * i;
                sign = -1.0;
            }
            let alpha_old = alpha[ind1];
            let mut z = alpha_old;
            if c - z < 0.5 * c {
                z *= 0.1;
            }
            let mut gp = a * (z - alpha_old) + sign * b + (z / (c - z)).ln();
            g_max = g_max.max(gp.abs());
            let eta = 0.1;
            let mut inner = 0;
            while inner <= MAX_INNER {
                if gp.abs() < inner_eps {
                    break;
                }
                let gpp = a + c / (c - z) / z;
                let tmpz = z - gp / gpp;
                z = if tmpz <= 0.0 { z * eta } else { tmpz };
                gp = a * (z - alpha_old) + sign * b + (z / (c - z)).ln();
                newton_iters += 1;
                inner += 1;
            }
            if inner > 0 {
                alpha[ind1] = z;
                alpha[ind2] = c - z;
                axpy(&mut w, &mut bias, sign * (z - alpha_old) * y, x);
            }
        }
        if g_max < solver.tolerance {
            break;
        }
        if newton_iters <= n / 10 {
            inner_eps = (inner_eps * 0.1).max(inner_eps_min);
        }
    }
    (w.iter().map(|&v| f64::from(v)).collect(), bias)
}

/// Complement naive Bayes (Rennie et al. 2003) on the weighted features, with additive
/// smoothing `alpha`; each class's weights are normalised to unit L1 norm, and the score of a
/// class is high when the text is unlike the *other* classes.
pub(crate) fn complement_nb(problem: &Problem<'_>, alpha: f64) -> Linear {
    let (k, m) = (problem.n_classes, problem.n_features);
    let mut per_class = vec![0f64; k * m];
    let mut total = vec![0f64; m];
    for (x, &y) in problem.xs.iter().zip(problem.ys) {
        for (i, v) in x.iter() {
            per_class[y * m + i] += f64::from(v);
            total[i] += f64::from(v);
        }
    }
    let columns = (0..k)
        .map(|class_idx| {
            let own = &per_class[class_idx * m..(class_idx + 1) * m];
            let complement: Vec<f64> = total.iter().zip(own).map(|(t, o)| t - o + alpha).collect();
            let sum: f64 = complement.iter().sum();
            let logs: Vec<f64> = complement.iter().map(|c| (c / sum).ln()).collect();
            let l1: f64 = logs.iter().map(|v| v.abs()).sum::<f64>().max(f64::MIN_POSITIVE);
            (logs.iter().map(|v| -v / l1 * m as f64).collect(), 0.0)
        })
        .collect();
    Linear::from_columns(columns, m)
}
