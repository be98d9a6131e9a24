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

/// One binary model per class. Squared-hinge SVMs are fitted by [`svm_one_vs_rest`]; logistic
/// models one class at a time in parallel on the current rayon pool, each with its own seeded
/// order, so the result does not depend on the number of threads.
pub(crate) fn one_vs_rest(problem: &Problem<'_>, solver: Solver, loss: Loss) -> Linear {
    if loss == Loss::SquaredHinge {
        return svm_one_vs_rest(problem, solver, None).linear;
    }
    let fit = |class_idx: usize| {
        let costs = example_costs(problem, solver);
        let signs: Vec<f64> =
            problem.ys.iter().map(|&y| if y == class_idx { 1.0 } else { -1.0 }).collect();
        let mut rng = Rng::new(solver.seed, class_idx as u64);
        logistic_dual(problem.xs, &signs, &costs, problem.n_features, solver, &mut rng)
    };
    let columns: Vec<(Vec<f64>, f64)> = if problem.n_classes == 2 {
        // The two one-vs-rest problems mirror each other: fit one, negate it.
        let (w, b) = fit(0);
        let negated = (w.iter().map(|v| -v).collect(), -b);
        vec![(w, b), negated]
    } else {
        (0..problem.n_classes).into_par_iter().map(fit).collect()
    };
    Linear::from_columns(columns, problem.n_features)
}

/// The loss weight of each example: `C` times its class's cost.
fn example_costs(problem: &Problem<'_>, solver: Solver) -> Vec<f64> {
    problem
        .ys
        .iter()
        .map(|&y| solver.c * problem.class_cost.get(y).copied().unwrap_or(1.0))
        .collect()
}

/// One-vs-rest squared-hinge SVMs with their dual variables.
#[derive(Clone, Debug)]
pub(crate) struct SvmFit {
    pub(crate) linear: Linear,
    /// `alpha[i * m + c]`: the dual variable of example `i` in the SVM of fitted class `c`,
    /// where `m` is the number of fitted classes (1 for two classes, else all of them).
    pub(crate) alpha: Vec<f64>,
}

/// Classes whose SVMs are fitted together, sharing each pass over the data.
const BLOCK: usize = 16;

/// One-vs-rest squared-hinge SVMs for every class (for two classes, one SVM and its mirror).
///
/// Classes are fitted in fixed blocks of [`BLOCK`], in parallel on the current rayon pool;
/// within a block, one pass over the examples computes every class's margin from one
/// feature-major weight row per feature. Each class follows its own dual coordinate descent
/// over an order shared by all (drawn from the seed alone), so the result does not depend on
/// the blocks or the number of threads. `warm`, the dual variables of a fit on a superset of
/// these examples restricted to them, starts the descent near the optimum.
pub(crate) fn svm_one_vs_rest(
    problem: &Problem<'_>,
    solver: Solver,
    warm: Option<&[f64]>,
) -> SvmFit {
    let n = problem.xs.len();
    let m = if problem.n_classes == 2 { 1 } else { problem.n_classes };
    let costs = example_costs(problem, solver);
    let blocks: Vec<Vec<usize>> =
        (0..m).collect::<Vec<_>>().chunks(BLOCK).map(<[usize]>::to_vec).collect();
    let fitted: Vec<BlockFit> = blocks
        .par_iter()
        .map(|classes| {
            let init = warm.filter(|w| w.len() == n * m).map(|warm| {
                let mut init = vec![0f64; n * classes.len()];
                for (i, row) in init.chunks_exact_mut(classes.len()).enumerate() {
                    for (slot, &c) in row.iter_mut().zip(classes) {
                        *slot = warm.get(i * m + c).copied().unwrap_or(0.0);
                    }
                }
                init
            });
            svm_block_any(problem, classes, &costs, solver, init)
        })
        .collect();
    let nf = problem.n_features;
    let mut weights = vec![0f32; nf * problem.n_classes];
    let mut bias = vec![0f32; problem.n_classes];
    let mut alpha = vec![0f64; n * m];
    for (classes, fit) in blocks.iter().zip(&fitted) {
        let bk = classes.len();
        for (pos, &c) in classes.iter().enumerate() {
            bias[c] = fit.bias[pos] as f32;
            for j in 0..nf {
                weights[j * problem.n_classes + c] = fit.weights[j * bk + pos];
            }
            for i in 0..n {
                alpha[i * m + c] = fit.alpha[i * bk + pos];
            }
        }
    }
    if problem.n_classes == 2 {
        // The second class's SVM mirrors the first.
        for j in 0..nf {
            weights[j * 2 + 1] = -weights[j * 2];
        }
        bias[1] = -bias[0];
    }
    SvmFit { linear: Linear { n_classes: problem.n_classes, weights, bias }, alpha }
}

/// The SVMs of one block of classes.
struct BlockFit {
    /// `[feature][class in block]`.
    weights: Vec<f32>,
    bias: Vec<f64>,
    /// `[example][class in block]`.
    alpha: Vec<f64>,
}

/// [`svm_block`] with a lane width fitting the block.
fn svm_block_any(
    problem: &Problem<'_>,
    classes: &[usize],
    costs: &[f64],
    solver: Solver,
    init: Option<Vec<f64>>,
) -> BlockFit {
    match classes.len() {
        0..=4 => svm_block::<4>(problem, classes, costs, solver, init),
        5..=8 => svm_block::<8>(problem, classes, costs, solver, init),
        9..=12 => svm_block::<12>(problem, classes, costs, solver, init),
        _ => svm_block::<16>(problem, classes, costs, solver, init),
    }
}

/// L2-regularised squared-hinge SVMs, one per class of `classes` (at most `W`) against the
/// rest, by dual coordinate descent (Hsieh et al. 2008; liblinear's `L2R_L2LOSS_SVC_DUAL`,
/// with its shrinking of variables stuck at zero, kept per class), with the bias as a
/// regularised constant feature of value 1.
///
/// Weights are stored `W` lanes per feature, so that the margins of all classes on one example
/// cost one pass over its features with fixed-width arithmetic; lanes past the classes stay
/// zero. Each lane computes exactly what a solver for its class alone would.
fn svm_block<const W: usize>(
    problem: &Problem<'_>,
    classes: &[usize],
    costs: &[f64],
    solver: Solver,
    init: Option<Vec<f64>>,
) -> BlockFit {
    let (xs, ys) = (problem.xs, problem.ys);
    let (n, bk, nf) = (xs.len(), classes.len().min(W), problem.n_features);
    let diag: Vec<f64> = costs.iter().map(|c| 0.5 / c).collect();
    let qd: Vec<f64> =
        xs.iter().zip(&diag).map(|(x, d)| f64::from(x.norm_sq()) + 1.0 + d).collect();
    // signs[i][lane]: +1 for the example's own class, -1 otherwise (and for unused lanes).
    let signs: Vec<[f64; W]> = ys
        .iter()
        .map(|y| std::array::from_fn(|lane| if classes.get(lane) == Some(y) { 1.0 } else { -1.0 }))
        .collect();
    let mut alpha: Vec<[f64; W]> = vec![[0.0; W]; n];
    if let Some(init) = init {
        for (row, start) in alpha.iter_mut().zip((0..).step_by(bk.max(1))) {
            for (slot, &a) in row.iter_mut().zip(init.get(start..start + bk).unwrap_or(&[])) {
                *slot = a;
            }
        }
    }
    let mut w: Vec<[f32; W]> = vec![[0.0; W]; nf];
    let mut bias = [0f64; W];
    // A warm start: the weights of the starting dual variables.
    for ((x, a), sign) in xs.iter().zip(&alpha).zip(&signs) {
        let d: [f64; W] = std::array::from_fn(|lane| a[lane] * sign[lane]);
        if d.iter().any(|&d| d != 0.0) {
            add_scaled(&mut w, &mut bias, &d, x);
        }
    }
    let mut rng = Rng::new(solver.seed, 0x5EED);
    let mut order: Vec<usize> = (0..n).collect();
    // With no upper bound on alpha (squared hinge), only variables at zero are shrunk.
    let mut active: Vec<[bool; W]> = vec![std::array::from_fn(|lane| lane < bk); n];
    let mut live = vec![bk; n];
    let mut n_active = [n; W];
    let mut done: [bool; W] = std::array::from_fn(|lane| lane >= bk);
    let mut pg_max_old = [f64::INFINITY; W];
    let mut epoch = 0;
    while epoch < solver.max_epochs && done.iter().any(|d| !d) {
        rng.shuffle(&mut order);
        let mut pg_max = [f64::NEG_INFINITY; W];
        let mut pg_min = [f64::INFINITY; W];
        for &i in &order {
            let (Some(x), Some(live_i)) = (xs.get(i), live.get_mut(i)) else { continue };
            if *live_i == 0 {
                continue;
            }
            let mut dots = [0f32; W];
            for &(j, v) in &x.pairs {
                if let Some(row) = w.get(j as usize) {
                    for (dot, &wj) in dots.iter_mut().zip(row) {
                        *dot += wj * v;
                    }
                }
            }
            let (Some(a_i), Some(active_i), Some(sign)) =
                (alpha.get_mut(i), active.get_mut(i), signs.get(i))
            else {
                continue;
            };
            let mut delta = [0f64; W];
            let mut any = false;
            for lane in 0..bk {
                if done[lane] || !active_i[lane] {
                    continue;
                }
                let (y, a) = (sign[lane], a_i[lane]);
                let g = y * (f64::from(dots[lane]) + bias[lane]) - 1.0 + a * diag[i];
                let mut pg = g;
                if a == 0.0 {
                    if g > pg_max_old[lane] {
                        // At its bound and pushing outward: set aside until the final check.
                        active_i[lane] = false;
                        *live_i -= 1;
                        n_active[lane] -= 1;
                        continue;
                    }
                    pg = g.min(0.0);
                }
                pg_max[lane] = pg_max[lane].max(pg);
                pg_min[lane] = pg_min[lane].min(pg);
                if pg.abs() > 1e-12 {
                    let new = (a - g / qd[i]).max(0.0);
                    a_i[lane] = new;
                    delta[lane] = (new - a) * y;
                    any |= delta[lane] != 0.0;
                }
            }
            if any {
                add_scaled(&mut w, &mut bias, &delta, x);
            }
        }
        epoch += 1;
        for lane in 0..bk {
            if done[lane] {
                continue;
            }
            if pg_max[lane] - pg_min[lane] <= solver.tolerance {
                if n_active[lane] == n {
                    done[lane] = true;
                    continue;
                }
                // Converged on the active set: check every variable once more.
                for (active_i, live_i) in active.iter_mut().zip(&mut live) {
                    if !active_i[lane] {
                        active_i[lane] = true;
                        *live_i += 1;
                    }
                }
                n_active[lane] = n;
                pg_max_old[lane] = f64::INFINITY;
            } else {
                pg_max_old[lane] = if pg_max[lane] <= 0.0 { f64::INFINITY } else { pg_max[lane] };
            }
        }
    }
    if std::env::var_os("TOPICS_DEBUG").is_some() {
        eprintln!("svm n={n} bk={bk} W={W} epochs={epoch}");
    }
    let mut weights = Vec::with_capacity(nf * bk);
    for row in &w {
        weights.extend_from_slice(row.get(..bk).unwrap_or(&[]));
    }
    let mut alphas = Vec::with_capacity(n * bk);
    for row in &alpha {
        alphas.extend_from_slice(row.get(..bk).unwrap_or(&[]));
    }
    BlockFit { weights, bias: bias.get(..bk).unwrap_or(&[]).to_vec(), alpha: alphas }
}

/// `w += d * x` for every lane, and `bias += d` (the bias is a feature of value 1). Lanes
/// with `d = 0` are unchanged.
#[inline]
fn add_scaled<const W: usize>(
    w: &mut [[f32; W]],
    bias: &mut [f64; W],
    d: &[f64; W],
    x: &SparseVec,
) {
    let d32: [f32; W] = std::array::from_fn(|lane| d[lane] as f32);
    for &(j, v) in &x.pairs {
        if let Some(row) = w.get_mut(j as usize) {
            for (wj, &dl) in row.iter_mut().zip(&d32) {
                *wj += dl * v;
            }
        }
    }
    for (b, &dl) in bias.iter_mut().zip(d) {
        *b += dl;
    }
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
            let (x, y, c) = (&xs[i], signs[i], costs[i]);
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
