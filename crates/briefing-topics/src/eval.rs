//! Evaluation: accuracy, macro-F1, per-class precision/recall/F1, the confusion matrix, the
//! most confident mistakes, calibration error, and stratified k-fold cross-validation.

use crate::calibrate::{expected_calibration_error, softmax_into, stratified_folds};
use crate::classifier::Fitted;
use crate::features::FeatureSpace;
use crate::{Classifier, Error, Example, Result, TrainConfig};
use rayon::prelude::*;

/// Precision, recall and F1 of one label.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassMetrics {
    /// The label.
    pub label: String,
    /// Correct predictions of this label / all predictions of it (0 when never predicted).
    pub precision: f64,
    /// Correct predictions of this label / examples with it (0 without examples).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Examples with this label.
    pub support: usize,
}

/// One misclassified (or rejected) example.
#[derive(Clone, Debug, PartialEq)]
pub struct Misclassified {
    /// The example's text.
    pub text: String,
    /// Its label.
    pub gold: String,
    /// The predicted label; `None` when rejected as unknown.
    pub predicted: Option<String>,
    /// The probability of the best label.
    pub confidence: f32,
    /// The example's line in its file, if known.
    pub line: Option<usize>,
}

/// The result of evaluating predictions against gold labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Number of examples.
    pub n: usize,
    /// Fraction predicted correctly (a rejected example counts as wrong).
    pub accuracy: f64,
    /// Unweighted mean F1 over the labels that occur as gold or predicted label (as
    /// scikit-learn's `f1_score(average="macro")`).
    pub macro_f1: f64,
    /// Mean F1 weighted by support.
    pub weighted_f1: f64,
    /// Examples rejected as unknown.
    pub n_rejected: usize,
    /// Expected calibration error of the confidences (10 bins; 0 is perfectly calibrated).
    pub ece: f64,
    /// The model's labels: the rows of `confusion` and the order of `classes`.
    pub labels: Vec<String>,
    /// Per-label metrics, in `labels` order.
    pub classes: Vec<ClassMetrics>,
    /// `confusion[gold][predicted]`; the last column counts rejected examples.
    pub confusion: Vec<Vec<usize>>,
    /// The mistakes, most confident first (ties by input order).
    pub errors: Vec<Misclassified>,
}

/// One scored example: gold label index, predicted label index (`None` when rejected) and
/// confidence.
pub(crate) struct Outcome {
    gold: usize,
    predicted: Option<usize>,
    confidence: f32,
}

impl Report {
    fn build(labels: &[String], examples: &[&Example], outcomes: &[Outcome]) -> Report {
        let k = labels.len();
        let mut confusion = vec![vec![0usize; k + 1]; k];
        let mut n_rejected = 0;
        for o in outcomes {
            let column = o.predicted.unwrap_or(k);
            if let Some(cell) = confusion.get_mut(o.gold).and_then(|row| row.get_mut(column)) {
                *cell += 1;
            }
            n_rejected += usize::from(o.predicted.is_none());
        }
        let n = outcomes.len();
        let correct: usize = (0..k).map(|i| confusion[i][i]).sum();
        let classes: Vec<ClassMetrics> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let tp = confusion[i][i] as f64;
                let support: usize = confusion[i].iter().sum();
                let predicted: usize = confusion.iter().map(|row| row[i]).sum();
                let precision = if predicted > 0 { tp / predicted as f64 } else { 0.0 };
                let recall = if support > 0 { tp / support as f64 } else { 0.0 };
                let f1 = if precision + recall > 0.0 {
                    2.0 * precision * recall / (precision + recall)
                } else {
                    0.0
                };
                ClassMetrics { label: label.clone(), precision, recall, f1, support }
            })
            .collect();
        let present: Vec<&ClassMetrics> = classes
            .iter()
            .enumerate()
            .filter(|(i, c)| c.support > 0 || confusion.iter().any(|row| row[*i] > 0))
            .map(|(_, c)| c)
            .collect();
        let macro_f1 = present.iter().map(|c| c.f1).sum::<f64>() / present.len().max(1) as f64;
        let weighted_f1 =
            classes.iter().map(|c| c.f1 * c.support as f64).sum::<f64>() / n.max(1) as f64;
        let calibration: Vec<(f32, bool)> =
            outcomes.iter().map(|o| (o.confidence, o.predicted == Some(o.gold))).collect();
        let mut errors: Vec<(usize, Misclassified)> = outcomes
            .iter()
            .zip(examples)
            .enumerate()
            .filter(|(_, (o, _))| o.predicted != Some(o.gold))
            .map(|(idx, (o, e))| {
                let name = |i: usize| labels.get(i).cloned().unwrap_or_default();
                let error = Misclassified {
                    text: e.text.clone(),
                    gold: name(o.gold),
                    predicted: o.predicted.map(name),
                    confidence: o.confidence,
                    line: e.line,
                };
                (idx, error)
            })
            .collect();
        errors.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence).then(a.0.cmp(&b.0)));
        Report {
            n,
            accuracy: correct as f64 / n.max(1) as f64,
            macro_f1,
            weighted_f1,
            n_rejected,
            ece: expected_calibration_error(&calibration),
            labels: labels.to_vec(),
            classes,
            confusion,
            errors: errors.into_iter().map(|(_, e)| e).collect(),
        }
    }
}

impl Classifier {
    /// Evaluates the classifier on labelled examples (in parallel on the current rayon pool).
    ///
    /// ```
    /// # use briefing_topics::{Classifier, Example, TrainConfig};
    /// # let examples = [Example::new("red apple", "fruit"), Example::new("green pear", "fruit"),
    /// #     Example::new("fast car", "car"), Example::new("old truck", "car")];
    /// let classifier = Classifier::train(&examples, &TrainConfig::default())?;
    /// let report = classifier.evaluate(&examples)?;
    /// assert_eq!((report.n, report.accuracy), (4, 1.0));
    /// assert_eq!(report.confusion, [[2, 0, 0], [0, 2, 0]]);
    /// # Ok::<(), briefing_topics::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Empty`] without examples and [`Error::UnknownLabel`] (with the example's line)
    /// for a label the classifier was not trained on.
    pub fn evaluate(&self, examples: &[Example]) -> Result<Report> {
        if examples.is_empty() {
            return Err(Error::Empty("nothing to evaluate".to_owned()));
        }
        let mut golds = Vec::with_capacity(examples.len());
        for (idx, example) in examples.iter().enumerate() {
            match self.labels.binary_search(&example.label) {
                Ok(gold) => golds.push(gold),
                Err(_) => {
                    return Err(Error::UnknownLabel {
                        location: example.location(idx),
                        label: example.label.clone(),
                        known: self.labels.join(", "),
                    });
                }
            }
        }
        let outcomes: Vec<Outcome> = examples
            .par_iter()
            .zip(golds)
            .map(|(example, gold)| {
                let (best, confidence) = self.best(&example.text);
                let rejected = self.rejection.is_some_and(|t| confidence < t);
                Outcome { gold, predicted: (!rejected).then_some(best), confidence }
            })
            .collect();
        let refs: Vec<&Example> = examples.iter().collect();
        Ok(Report::build(&self.labels, &refs, &outcomes))
    }
}

/// The result of k-fold cross-validation.
#[derive(Clone, Debug, PartialEq)]
pub struct CvReport {
    /// One report per fold, each on that fold's held-out examples.
    pub folds: Vec<Report>,
    /// One report over all out-of-fold predictions together (every example predicted once, by
    /// the model that did not see it).
    pub pooled: Report,
    /// Mean of the folds' accuracies.
    pub accuracy_mean: f64,
    /// Standard deviation of the folds' accuracies.
    pub accuracy_std: f64,
    /// Mean of the folds' macro-F1.
    pub macro_f1_mean: f64,
    /// Standard deviation of the folds' macro-F1.
    pub macro_f1_std: f64,
}

/// Stratified, seeded k-fold cross-validation: each fold trains a classifier (features and
/// model) on the other folds and is scored on its own examples. Folds run in parallel on the
/// current rayon pool; the report is the same for any number of threads.
///
/// A label may be missing from a fold's training part (e.g. a label with one example); that
/// fold's model cannot predict it, and its examples count as errors.
///
/// ```
/// use briefing_topics::{Example, TrainConfig, cross_validate};
/// let examples: Vec<Example> = (0..12)
///     .map(|i| if i % 2 == 0 { Example::new(format!("red apple {i}"), "fruit") }
///          else { Example::new(format!("fast car {i}"), "car") })
///     .collect();
/// let cv = cross_validate(&examples, 3, &TrainConfig::default())?;
/// assert_eq!(cv.folds.len(), 3);
/// assert_eq!(cv.pooled.n, 12);
/// assert_eq!(cv.pooled.accuracy, 1.0);
/// # Ok::<(), briefing_topics::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Config`] when `k < 2` or there are fewer examples than folds, plus the errors of
/// [`Classifier::train`].
pub fn cross_validate(examples: &[Example], k: usize, config: &TrainConfig) -> Result<CvReport> {
    config.validate()?;
    if k < 2 {
        return Err(Error::Config(format!("cross-validation needs at least 2 folds, not {k}")));
    }
    if examples.len() < k {
        return Err(Error::Config(format!(
            "{k} folds need at least {k} examples, not {}",
            examples.len()
        )));
    }
    let mut labels: Vec<String> = examples.iter().map(|e| e.label.clone()).collect();
    labels.sort_unstable();
    labels.dedup();
    if let [only] = labels.as_slice() {
        return Err(Error::OneLabel(only.clone()));
    }
    let ys: Vec<usize> =
        examples.iter().map(|e| labels.binary_search(&e.label).unwrap_or(0)).collect();
    let folds = stratified_folds(&ys, labels.len(), k, config.seed);
    let per_fold: Vec<Result<Vec<(usize, Outcome)>>> = (0..k)
        .into_par_iter()
        .map(|fold| {
            let train_idx: Vec<usize> = (0..examples.len()).filter(|&i| folds[i] != fold).collect();
            let texts: Vec<&str> = train_idx.iter().map(|&i| examples[i].text.as_str()).collect();
            let train_ys: Vec<usize> = train_idx.iter().map(|&i| ys[i]).collect();
            let (space, xs) = FeatureSpace::fit(&config.features, &texts)?;
            let fitted = Fitted {
                xs: &xs,
                ys: &train_ys,
                n_classes: labels.len(),
                n_features: space.n_features(),
            };
            let (model, temperature) = fitted.fit_calibrated(config);
            let mut present = vec![false; labels.len()];
            train_ys.iter().for_each(|&y| present[y] = true);
            let (mut hashes, mut vector, mut scores, mut probs) =
                (Vec::new(), Default::default(), Vec::new(), Vec::new());
            Ok((0..examples.len())
                .filter(|&i| folds[i] == fold)
                .map(|i| {
                    space.vectorize_into(&examples[i].text, &mut hashes, &mut vector);
                    model.scores_into(&vector, &mut scores);
                    softmax_into(&scores, temperature, &mut probs);
                    // A label absent from this fold's training part is never predicted.
                    let best = (0..probs.len())
                        .filter(|&c| present[c])
                        .max_by(|&a, &b| probs[a].total_cmp(&probs[b]).then(b.cmp(&a)))
                        .unwrap_or(0);
                    let outcome =
                        Outcome { gold: ys[i], predicted: Some(best), confidence: probs[best] };
                    (i, outcome)
                })
                .collect())
        })
        .collect();
    let mut reports = Vec::with_capacity(k);
    let mut pooled: Vec<(usize, Outcome)> = Vec::with_capacity(examples.len());
    for fold in per_fold {
        let fold = fold?;
        let refs: Vec<&Example> = fold.iter().map(|(i, _)| &examples[*i]).collect();
        let outcomes: Vec<Outcome> = fold
            .iter()
            .map(|(_, o)| Outcome {
                gold: o.gold,
                predicted: o.predicted,
                confidence: o.confidence,
            })
            .collect();
        reports.push(Report::build(&labels, &refs, &outcomes));
        pooled.extend(fold);
    }
    pooled.sort_by_key(|(i, _)| *i);
    let refs: Vec<&Example> = pooled.iter().map(|(i, _)| &examples[*i]).collect();
    let outcomes: Vec<Outcome> = pooled.into_iter().map(|(_, o)| o).collect();
    let pooled = Report::build(&labels, &refs, &outcomes);
    let (accuracy_mean, accuracy_std) = mean_std(reports.iter().map(|r| r.accuracy));
    let (macro_f1_mean, macro_f1_std) = mean_std(reports.iter().map(|r| r.macro_f1));
    Ok(CvReport {
        folds: reports,
        pooled,
        accuracy_mean,
        accuracy_std,
        macro_f1_mean,
        macro_f1_std,
    })
}

fn mean_std(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count().max(1) as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}
