//! Abstention: signals that an answer is right, a logistic model that turns
//! them into a confidence, and the fitting of that model.

use serde::{Deserialize, Serialize};

/// What the abstention decision looks at, each in about `[0, 1]`.
///
/// Shares are of the query's *mass*: each content word weighted by its idf
/// (and lowered for words naming the speaker).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Signals {
    /// Share of the query matched in the best passage (any field).
    pub coverage: f32,
    /// Share of the query matched in the best passage's own text.
    pub body_coverage: f32,
    /// Share of the query matched in the chosen answer sentences.
    pub answer_coverage: f32,
    /// Share of the query made of words the index does not know at all.
    pub unknown: f32,
    /// Share of the query's words that were typo-corrected.
    pub corrected: f32,
    /// The best score relative to the query's highest possible score.
    pub score: f32,
    /// `(best − runner-up) / best`.
    pub margin: f32,
    /// 1 − the answer-type evidence in the answer (0 when no type is asked).
    pub type_missing: f32,
    /// Similarity of the query to the best passage's closest bank question.
    pub bank: f32,
    /// The off-topic probability given with the query (0 when none).
    pub off_topic: f32,
    /// `1 / number of content words`: short queries are less certain.
    pub short: f32,
    /// Share of the fields (text, interviewer's question, bank questions)
    /// whose own best match agrees with the answer (same passage; same turn
    /// for the interviewer's question): independent evidence agreeing.
    pub agreement: f32,
    /// The largest share of the query found in one bank question of the
    /// best passage.
    pub bank_cover: f32,
    /// The share of the query's weightiest word that the best passage does
    /// not match (0 when every word matches): a question about something
    /// else often shares all words but one with a passage.
    pub missing_max: f32,
    /// 1 when the query holds a number or year (`2018`) that the best
    /// passage does not match, else 0: a question about another year or
    /// figure is not answered by this passage.
    pub number_missing: f32,
}

impl Signals {
    /// Names of the signals, in [`Signals::to_array`] order.
    pub const NAMES: [&'static str; N_SIGNALS] = [
        "coverage",
        "body_coverage",
        "answer_coverage",
        "unknown",
        "corrected",
        "score",
        "margin",
        "type_missing",
        "bank",
        "off_topic",
        "short",
        "agreement",
        "bank_cover",
        "missing_max",
        "number_missing",
    ];

    /// The signals as an array, in [`Signals::NAMES`] order.
    #[must_use]
    pub fn to_array(&self) -> [f32; N_SIGNALS] {
        [
            self.coverage,
            self.body_coverage,
            self.answer_coverage,
            self.unknown,
            self.corrected,
            self.score,
            self.margin,
            self.type_missing,
            self.bank,
            self.off_topic,
            self.short,
            self.agreement,
            self.bank_cover,
            self.missing_max,
            self.number_missing,
        ]
    }

    /// The inverse of [`Signals::to_array`].
    #[must_use]
    pub fn from_array(a: [f32; N_SIGNALS]) -> Signals {
        let [
            coverage,
            body_coverage,
            answer_coverage,
            unknown,
            corrected,
            score,
            margin,
            type_missing,
            bank,
            off_topic,
            short,
            agreement,
            bank_cover,
            missing_max,
            number_missing,
        ] = a;
        Signals {
            coverage,
            body_coverage,
            answer_coverage,
            unknown,
            corrected,
            score,
            margin,
            type_missing,
            bank,
            off_topic,
            short,
            agreement,
            bank_cover,
            missing_max,
            number_missing,
        }
    }
}

/// The number of [`Signals`].
pub const N_SIGNALS: usize = 15;

/// A logistic model over [`Signals`]: `confidence = σ(bias + weights · signals)`;
/// the index answers when `confidence >= threshold`.
///
/// ```
/// use briefing_retrieval::{AbstainModel, Signals};
/// let model = AbstainModel::default();
/// let good = Signals { coverage: 1.0, body_coverage: 1.0, answer_coverage: 1.0, score: 0.8, bank: 0.6, ..Signals::default() };
/// let bad = Signals { unknown: 0.7, coverage: 0.2, ..Signals::default() };
/// assert!(model.confidence(&good) > model.threshold);
/// assert!(model.confidence(&bad) < model.threshold);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AbstainModel {
    /// One weight per signal.
    pub weights: Signals,
    /// The intercept.
    pub bias: f32,
    /// The confidence at or above which the index answers.
    pub threshold: f32,
}

impl Default for AbstainModel {
    /// Hand-set weights, a reasonable start before fitting.
    fn default() -> AbstainModel {
        AbstainModel {
            weights: Signals {
                coverage: 3.0,
                body_coverage: 1.0,
                answer_coverage: 1.5,
                unknown: -4.0,
                corrected: -0.5,
                score: 1.5,
                margin: 0.5,
                type_missing: -2.0,
                bank: 2.0,
                off_topic: -8.0,
                short: 0.0,
                agreement: 1.0,
                bank_cover: 0.5,
                missing_max: -1.0,
                number_missing: -1.0,
            },
            bias: -3.5,
            threshold: 0.5,
        }
    }
}

/// Options of [`AbstainModel::fit`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FitOptions {
    /// Gradient-descent steps.
    pub iterations: usize,
    /// Step size.
    pub learning_rate: f32,
    /// L2 penalty on the weights (not the bias).
    pub l2: f32,
    /// Weigh the two classes by [`FitOptions::positive_share`], whatever
    /// their counts in the samples.
    pub balanced: bool,
    /// The share of right answers expected among real questions (the prior
    /// of the positive class): with `balanced`, the classes are weighed
    /// `positive_share : 1 − positive_share`, and the threshold maximizes
    /// the accuracy so weighed. 0.5 weighs both classes equally.
    pub positive_share: f32,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            iterations: 4000,
            learning_rate: 0.5,
            l2: 0.003,
            balanced: true,
            positive_share: 0.5,
        }
    }
}

/// Accuracy of a threshold on labelled confidences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// The threshold.
    pub threshold: f32,
    /// Share of positives at or above it.
    pub true_positive_rate: f32,
    /// Share of negatives below it.
    pub true_negative_rate: f32,
    /// Share of all samples on the right side.
    pub accuracy: f32,
}

impl AbstainModel {
    /// The confidence in `[0, 1]` that an answer with these signals is right.
    #[must_use]
    pub fn confidence(&self, signals: &Signals) -> f32 {
        sigmoid(self.logit(signals))
    }

    fn logit(&self, signals: &Signals) -> f32 {
        let x = signals.to_array();
        let w = self.weights.to_array();
        self.bias + x.iter().zip(w).map(|(x, w)| x * w).sum::<f32>()
    }

    /// Fits weights and bias by logistic regression (full-batch gradient
    /// descent from zero, so the result is deterministic) on labelled
    /// signals (`true` = the answer is right / the question is answerable),
    /// then sets the threshold that maximizes balanced accuracy on them.
    ///
    /// ```
    /// use briefing_retrieval::{AbstainModel, FitOptions, Signals};
    /// let pos = Signals { coverage: 0.9, ..Signals::default() };
    /// let neg = Signals { coverage: 0.2, unknown: 0.6, ..Signals::default() };
    /// let model = AbstainModel::fit(&[(pos, true), (neg, false)], FitOptions::default());
    /// assert!(model.confidence(&pos) >= model.threshold);
    /// assert!(model.confidence(&neg) < model.threshold);
    /// ```
    #[must_use]
    pub fn fit(samples: &[(Signals, bool)], options: FitOptions) -> AbstainModel {
        let n_pos = samples.iter().filter(|(_, y)| *y).count().max(1) as f32;
        let n_neg = samples.iter().filter(|(_, y)| !*y).count().max(1) as f32;
        let n = samples.len().max(1) as f32;
        let share = options.positive_share.clamp(0.01, 0.99);
        let (w_pos, w_neg) = if options.balanced {
            (n * share / n_pos, n * (1.0 - share) / n_neg)
        } else {
            (1.0, 1.0)
        };
        let mut model = AbstainModel { weights: Signals::default(), bias: 0.0, threshold: 0.5 };
        for _ in 0..options.iterations {
            let mut grad = [0.0f32; N_SIGNALS];
            let mut grad_bias = 0.0;
            for (signals, label) in samples {
                let p = model.confidence(signals);
                let (y, weight) = if *label { (1.0, w_pos) } else { (0.0, w_neg) };
                let error = weight * (p - y);
                for (g, x) in grad.iter_mut().zip(signals.to_array()) {
                    *g += error * x;
                }
                grad_bias += error;
            }
            let mut w = model.weights.to_array();
            for (w, g) in w.iter_mut().zip(grad) {
                *w -= options.learning_rate * (g / n + options.l2 * *w);
            }
            model.weights = Signals::from_array(w);
            model.bias -= options.learning_rate * grad_bias / n;
        }
        let confidences: Vec<(f32, bool)> =
            samples.iter().map(|(s, y)| (model.confidence(s), *y)).collect();
        let share = if options.balanced { share } else { n_pos / n };
        model.threshold = best_threshold(&confidences, share);
        model
    }
}

/// The threshold sweep over labelled confidences, from 0.05 to 0.95.
///
/// ```
/// let points = briefing_retrieval::sweep(&[(0.9, true), (0.2, false)]);
/// assert!(points.iter().any(|p| p.accuracy == 1.0));
/// ```
#[must_use]
pub fn sweep(confidences: &[(f32, bool)]) -> Vec<SweepPoint> {
    let n_pos = confidences.iter().filter(|(_, y)| *y).count();
    let n_neg = confidences.len() - n_pos;
    (1..20)
        .map(|step| {
            let threshold = step as f32 * 0.05;
            let tp = confidences.iter().filter(|(c, y)| *y && *c >= threshold).count();
            let tn = confidences.iter().filter(|(c, y)| !*y && *c < threshold).count();
            SweepPoint {
                threshold,
                true_positive_rate: ratio(tp, n_pos),
                true_negative_rate: ratio(tn, n_neg),
                accuracy: ratio(tp + tn, confidences.len()),
            }
        })
        .collect()
}

/// The threshold with the best accuracy when positives make up `share` of
/// the questions (0.5: balanced accuracy). Thresholds within one point of
/// the best count as ties, and ties go to the one closest to 0.5, the
/// natural boundary of a class-weighted logistic model (a flat optimum on
/// training data says little about new questions).
fn best_threshold(confidences: &[(f32, bool)], share: f32) -> f32 {
    let points: Vec<(f32, f32)> = sweep(confidences)
        .into_iter()
        .map(|p| (p.threshold, share * p.true_positive_rate + (1.0 - share) * p.true_negative_rate))
        .collect();
    let best = points.iter().map(|(_, b)| *b).fold(f32::MIN, f32::max);
    points
        .iter()
        .filter(|(_, b)| *b >= best - 0.01)
        .map(|(t, _)| *t)
        .min_by(|a, b| (a - 0.5).abs().total_cmp(&(b - 0.5).abs()))
        .unwrap_or(0.5)
}

fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 { 1.0 } else { a as f32 / b as f32 }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn fit_separates_and_is_deterministic() {
        let mut samples = Vec::new();
        for i in 0..20 {
            let x = i as f32 / 20.0;
            samples.push((
                Signals { coverage: 0.6 + x * 0.4, unknown: 0.0, ..Signals::default() },
                true,
            ));
            samples
                .push((Signals { coverage: x * 0.5, unknown: 0.3, ..Signals::default() }, false));
        }
        let a = AbstainModel::fit(&samples, FitOptions::default());
        let b = AbstainModel::fit(&samples, FitOptions::default());
        assert_eq!(a, b);
        assert!(a.weights.coverage > 0.0 && a.weights.unknown < 0.0);
        let right = samples.iter().filter(|(s, y)| (a.confidence(s) >= a.threshold) == *y).count();
        assert_eq!(right, samples.len());
    }

    #[test]
    fn a_higher_positive_share_answers_more() {
        let mut samples = Vec::new();
        for i in 0..40 {
            let x = i as f32 / 40.0;
            samples.push((Signals { coverage: 0.3 + x * 0.6, ..Signals::default() }, true));
            samples.push((Signals { coverage: x * 0.6, ..Signals::default() }, false));
        }
        let balanced = AbstainModel::fit(&samples, FitOptions::default());
        let prior = AbstainModel::fit(
            &samples,
            FitOptions { positive_share: 0.8, ..FitOptions::default() },
        );
        let answered = |m: &AbstainModel| {
            samples.iter().filter(|(s, _)| m.confidence(s) >= m.threshold).count()
        };
        assert!(answered(&prior) > answered(&balanced));
    }

    #[test]
    fn signals_round_trip_through_arrays() {
        let s = Signals { coverage: 0.1, short: 0.5, bank: 0.3, ..Signals::default() };
        assert_eq!(Signals::from_array(s.to_array()), s);
        assert_eq!(Signals::NAMES.len(), s.to_array().len());
    }
}
