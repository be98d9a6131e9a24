//! The trained classifier: training, prediction with calibrated probabilities, rejection.

use crate::calibrate::{best_probability, fit_temperature, softmax_into, stratified_folds};
use crate::config::{ClassWeight, ModelKind, TrainConfig};
use crate::features::{FeatureSpace, SparseVec};
use crate::linear::{self, Linear, Loss, Problem, Solver};
use crate::scorer::{ScoreScratch, Scorer};
use crate::{Error, Example, Result};
use rayon::prelude::*;
use std::cell::RefCell;

/// A trained text classifier: features, a linear model and a softmax temperature.
///
/// ```
/// use briefing_topics::{Classifier, Example, TrainConfig};
/// let examples = [
///     Example::new("where is the river", "LOC"),
///     Example::new("where was she born", "LOC"),
///     Example::new("who wrote the book", "HUM"),
///     Example::new("who is the president", "HUM"),
/// ];
/// let classifier = Classifier::train(&examples, &TrainConfig::default()).unwrap();
/// let prediction = classifier.predict("who painted it");
/// assert_eq!(prediction.label.as_str(), Some("HUM"));
/// assert!(prediction.confidence > 0.5);
/// ```
#[derive(Clone)]
pub struct Classifier {
    pub(crate) labels: Vec<String>,
    pub(crate) space: FeatureSpace,
    pub(crate) model: Linear,
    pub(crate) scorer: Scorer,
    pub(crate) temperature: f32,
    pub(crate) rejection: Option<f32>,
    pub(crate) config: TrainConfig,
}

impl std::fmt::Debug for Classifier {
    /// A summary: the weights are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("labels", &self.labels)
            .field("n_features", &self.space.n_features())
            .field("temperature", &self.temperature)
            .field("rejection", &self.rejection)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A predicted label, or `Unknown` when the classifier is not confident enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label<'a> {
    /// One of the classifier's labels.
    Known(&'a str),
    /// The best probability was below the rejection threshold.
    Unknown,
}

impl<'a> Label<'a> {
    /// The label, or `None` for [`Label::Unknown`].
    #[must_use]
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            Label::Known(label) => Some(label),
            Label::Unknown => None,
        }
    }
}

/// The outcome of classifying one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction<'a> {
    /// The best label, or [`Label::Unknown`] if its probability is below the rejection threshold.
    pub label: Label<'a>,
    /// The probability of the best label (whether or not it was rejected).
    pub confidence: f32,
    /// The `k` most probable labels with their probabilities, best first.
    pub top: Vec<(&'a str, f32)>,
}

#[derive(Default)]
struct Scratch {
    hashes: Vec<u64>,
    score: ScoreScratch,
    scores: Vec<f32>,
    probs: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

impl Classifier {
    /// Trains a classifier on `examples`.
    ///
    /// Labels are sorted, so label order (and thus the model) does not depend on example order
    /// beyond the seeded shuffles. Runs on the current rayon pool (one-vs-rest classes and
    /// calibration folds in parallel); the result is the same for any number of threads.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] without examples, [`Error::OneLabel`] when all share one label, and
    /// [`Error::Config`] for out-of-range settings.
    pub fn train(examples: &[Example], config: &TrainConfig) -> Result<Classifier> {
        config.validate()?;
        if examples.is_empty() {
            return Err(Error::Empty("nothing to train on".to_owned()));
        }
        let mut labels: Vec<String> = examples.iter().map(|e| e.label.clone()).collect();
        labels.sort_unstable();
        labels.dedup();
        if let [only] = labels.as_slice() {
            return Err(Error::OneLabel(only.clone()));
        }
        let ys: Vec<usize> =
            examples.iter().map(|e| labels.binary_search(&e.label).unwrap_or(0)).collect();
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let (space, xs) = FeatureSpace::fit(&config.features, &texts)?;
        let fitted =
            Fitted { xs: &xs, ys: &ys, n_classes: labels.len(), n_features: space.n_features() };
        let (model, temperature) = fitted.fit_calibrated(config);
        let scorer = Scorer::new(&space, &model);
        Ok(Classifier {
            labels,
            space,
            model,
            scorer,
            temperature,
            rejection: None,
            config: config.clone(),
        })
    }

    /// The labels, in the order used by [`Classifier::probabilities`].
    #[must_use]
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The settings the classifier was trained with.
    #[must_use]
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The number of features kept from training.
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.space.n_features()
    }

    /// The fitted softmax temperature (1 when calibration was off).
    #[must_use]
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The same classifier, answering [`Label::Unknown`] when the best probability is below
    /// `threshold` (a threshold of 0 or less never rejects).
    ///
    /// ```
    /// # use briefing_topics::{Classifier, Example, Label, TrainConfig};
    /// # let examples = [Example::new("red apple", "fruit"), Example::new("green pear", "fruit"),
    /// #     Example::new("fast car", "car"), Example::new("old truck", "car")];
    /// let classifier = Classifier::train(&examples, &TrainConfig::default())?.with_rejection(0.999);
    /// assert_eq!(classifier.predict("nothing in common").label, Label::Unknown);
    /// # Ok::<(), briefing_topics::Error>(())
    /// ```
    #[must_use]
    pub fn with_rejection(mut self, threshold: f32) -> Classifier {
        self.rejection = (threshold > 0.0).then_some(threshold);
        self
    }

    /// The rejection threshold, if any.
    #[must_use]
    pub fn rejection(&self) -> Option<f32> {
        self.rejection
    }

    /// Calls `f` with the calibrated probabilities of `text`, in [`Classifier::labels`] order.
    fn with_probabilities<T>(&self, text: &str, f: impl FnOnce(&[f32]) -> T) -> T {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.probabilities_with(text, &mut scratch, f),
            Err(_) => self.probabilities_with(text, &mut Scratch::default(), f),
        })
    }

    /// The best label of `text` and its calibrated probability (see [`best_probability`]).
    fn best_with(&self, text: &str, s: &mut Scratch) -> (usize, f32) {
        self.space.hashes(text, &mut s.hashes);
        self.scorer.scores_into(&s.hashes, &mut s.score, &mut s.scores);
        best_probability(&s.scores, self.temperature, &mut s.probs)
    }

    fn probabilities_with<T>(&self, text: &str, s: &mut Scratch, f: impl FnOnce(&[f32]) -> T) -> T {
        self.space.hashes(text, &mut s.hashes);
        self.scorer.scores_into(&s.hashes, &mut s.score, &mut s.scores);
        softmax_into(&s.scores, self.temperature, &mut s.probs);
        f(&s.probs)
    }

    /// The calibrated probability of every label for `text`, in [`Classifier::labels`] order.
    #[must_use]
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        self.with_probabilities(text, <[f32]>::to_vec)
    }

    /// The best label for `text`; `top` holds just that label.
    #[must_use]
    pub fn predict(&self, text: &str) -> Prediction<'_> {
        let (best, confidence) = self.best(text);
        let Some(label) = self.labels.get(best) else {
            return Prediction { label: Label::Unknown, confidence, top: Vec::new() };
        };
        let rejected = self.rejection.is_some_and(|threshold| confidence < threshold);
        Prediction {
            label: if rejected { Label::Unknown } else { Label::Known(label) },
            confidence,
            top: vec![(label.as_str(), confidence)],
        }
    }

    /// The best label for `text` and the `k` most probable labels (ties broken by label order).
    ///
    /// ```
    /// # use briefing_topics::{Classifier, Example, TrainConfig};
    /// # let examples = [Example::new("red apple", "fruit"), Example::new("green pear", "fruit"),
    /// #     Example::new("fast car", "car"), Example::new("old truck", "car"),
    /// #     Example::new("blue sea", "water"), Example::new("deep lake", "water")];
    /// let classifier = Classifier::train(&examples, &TrainConfig::default())?;
    /// let prediction = classifier.predict_top_k("a red car", 2);
    /// assert_eq!(prediction.top.len(), 2);
    /// assert!(prediction.top[0].1 >= prediction.top[1].1);
    /// # Ok::<(), briefing_topics::Error>(())
    /// ```
    #[must_use]
    pub fn predict_top_k(&self, text: &str, k: usize) -> Prediction<'_> {
        self.with_probabilities(text, |probs| self.prediction(probs, k))
    }

    /// [`Classifier::predict`] for many texts, in parallel on the current rayon pool; results
    /// are in input order.
    #[must_use]
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction<'_>> {
        texts.par_iter().map(|text| self.predict(text.as_ref())).collect()
    }

    fn prediction(&self, probs: &[f32], k: usize) -> Prediction<'_> {
        let best_idx = argmax(probs);
        let mut top: Vec<(&str, f32)> = Vec::with_capacity(k.min(probs.len()));
        if k == 1 {
            if let (Some(label), Some(&p)) = (self.labels.get(best_idx), probs.get(best_idx)) {
                top.push((label.as_str(), p));
            }
        } else {
            let mut order: Vec<usize> = (0..probs.len()).collect();
            order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
            top.extend(
                order
                    .iter()
                    .take(k)
                    .filter_map(|&i| Some((self.labels.get(i)?.as_str(), probs[i]))),
            );
        }
        let confidence = probs.get(best_idx).copied().unwrap_or(0.0);
        let label = match (self.labels.get(best_idx), self.rejection) {
            (Some(_), Some(threshold)) if confidence < threshold => Label::Unknown,
            (Some(label), _) => Label::Known(label),
            (None, _) => Label::Unknown,
        };
        Prediction { label, confidence, top }
    }

    /// The index of the best label and its probability (no rejection), without allocating.
    pub(crate) fn best(&self, text: &str) -> (usize, f32) {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.best_with(text, &mut scratch),
            Err(_) => self.best_with(text, &mut Scratch::default()),
        })
    }
}

/// The first index of the largest value (0 for an empty slice).
#[inline]
fn argmax(values: &[f32]) -> usize {
    let Some((&first, rest)) = values.split_first() else { return 0 };
    let (mut best, mut best_value) = (0, first);
    for (idx, &v) in rest.iter().enumerate() {
        if v > best_value {
            (best, best_value) = (idx + 1, v);
        }
    }
    best
}

/// Passes over the data of each calibration fold's SVMs, which start from the dual variables
/// of the SVMs fitted on all examples and so are close to their optimum from the start.
const CALIBRATION_EPOCHS: usize = 3;

/// Vectorised training data, shared by the final fit, calibration and cross-validation.
pub(crate) struct Fitted<'a> {
    pub(crate) xs: &'a [SparseVec],
    pub(crate) ys: &'a [usize],
    pub(crate) n_classes: usize,
    pub(crate) n_features: usize,
}

impl Fitted<'_> {
    /// Fits the model on all examples and calibrates its temperature.
    pub(crate) fn fit_calibrated(&self, config: &TrainConfig) -> (Linear, f32) {
        let (model, alphas) = self.fit(config, None, None);
        let temperature = self.temperature(config, &alphas);
        (model, temperature)
    }

    /// Fits the linear model on all examples, or on those whose `mask` entry is true; SVMs
    /// start from the dual variables `warm` (`[class][kept example]`) when given, and their
    /// final dual variables are returned.
    fn fit(
        &self,
        config: &TrainConfig,
        mask: Option<&[bool]>,
        warm: Option<&[Vec<f64>]>,
    ) -> (Linear, Vec<Vec<f64>>) {
        let keep = |i: usize| mask.is_none_or(|mask| mask.get(i).copied().unwrap_or(false));
        let xs: Vec<&SparseVec> =
            self.xs.iter().enumerate().filter(|&(i, _)| keep(i)).map(|(_, x)| x).collect();
        let ys: Vec<usize> =
            self.ys.iter().enumerate().filter(|&(i, _)| keep(i)).map(|(_, &y)| y).collect();
        let (xs, ys) = (xs.as_slice(), ys.as_slice());
        let mut counts = vec![0usize; self.n_classes];
        ys.iter().for_each(|&y| counts[y] += 1);
        let class_cost = match config.class_weight {
            ClassWeight::Uniform => vec![1.0; self.n_classes],
            ClassWeight::Balanced => counts
                .iter()
                .map(|&n| if n == 0 { 1.0 } else { ys.len() as f64 / (self.n_classes * n) as f64 })
                .collect(),
        };
        let problem =
            Problem { xs, ys, n_classes: self.n_classes, n_features: self.n_features, class_cost };
        let solver = Solver {
            c: config.c,
            max_epochs: config.epochs,
            tolerance: config.tolerance,
            seed: config.seed,
        };
        match config.model {
            ModelKind::LinearSvm => {
                linear::one_vs_rest_warm(&problem, solver, Loss::SquaredHinge, warm)
            }
            ModelKind::Logistic => (linear::one_vs_rest(&problem, solver, Loss::Logistic), vec![]),
            ModelKind::ComplementNb { alpha } => (linear::complement_nb(&problem, alpha), vec![]),
        }
    }

    /// The softmax temperature fitted on out-of-fold scores (1 when calibration is off or the
    /// data too small to split). With `alphas`, the dual variables of the SVMs fitted on all
    /// examples, each fold's SVMs start from them (restricted to the fold's examples) and
    /// run at most [`CALIBRATION_EPOCHS`] passes.
    fn temperature(&self, config: &TrainConfig, alphas: &[Vec<f64>]) -> f32 {
        let k = config.calibration_folds;
        if k < 2 || self.xs.len() < 2 * k {
            return 1.0;
        }
        let folds = stratified_folds(self.ys, self.n_classes, k, config.seed);
        let per_fold: Vec<Vec<(usize, Vec<f32>)>> = (0..k)
            .into_par_iter()
            .map(|fold| {
                let mask: Vec<bool> = folds.iter().map(|&f| f != fold).collect();
                let model = if alphas.is_empty() {
                    self.fit(config, Some(&mask), None).0
                } else {
                    let warm: Vec<Vec<f64>> = alphas
                        .iter()
                        .map(|alpha| {
                            alpha.iter().zip(&mask).filter(|(_, k)| **k).map(|(a, _)| *a).collect()
                        })
                        .collect();
                    let epochs = config.epochs.min(CALIBRATION_EPOCHS);
                    let short = TrainConfig { epochs, ..config.clone() };
                    self.fit(&short, Some(&mask), Some(&warm)).0
                };
                let mut scores = Vec::new();
                folds
                    .iter()
                    .enumerate()
                    .filter(|&(_, &f)| f == fold)
                    .map(|(i, _)| {
                        model.scores_into(&self.xs[i], &mut scores);
                        (i, scores.clone())
                    })
                    .collect()
            })
            .collect();
        let (gold, scores): (Vec<usize>, Vec<Vec<f32>>) =
            per_fold.into_iter().flatten().map(|(i, s)| (self.ys[i], s)).unzip();
        fit_temperature(&scores, &gold)
    }
}
