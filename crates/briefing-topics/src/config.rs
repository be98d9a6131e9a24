//! Training settings: features, model kind, regularisation, calibration and the seed.

use crate::features::FeatureConfig;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Which learner fits the per-class weights.
///
/// All of them produce a linear model over the same features, so prediction costs the same.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ModelKind {
    /// One-vs-rest L2-regularised squared-hinge linear SVMs, fitted exactly by dual coordinate
    /// descent (the liblinear solver behind scikit-learn's `LinearSVC`). The default: the most
    /// accurate on every benchmark in the README.
    LinearSvm,
    /// One-vs-rest L2-regularised logistic regression, by dual coordinate descent.
    Logistic,
    /// Complement naive Bayes with additive smoothing `alpha` (no iterations; fastest to train).
    ComplementNb {
        /// Additive smoothing.
        alpha: f64,
    },
}

/// How much each class's examples weigh in the loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassWeight {
    /// Every example weighs the same.
    Uniform,
    /// Examples weigh `n / (n_classes * n_class)`: rare classes count as much as common ones
    /// (raises macro-F1, usually at a small cost in accuracy).
    Balanced,
}

/// Everything [`Classifier::train`](crate::Classifier::train) needs besides the examples.
///
/// The same config and examples give the same model, byte for byte, whatever the number of
/// threads.
///
/// ```
/// use briefing_topics::{ModelKind, TrainConfig};
/// let config = TrainConfig { seed: 7, model: ModelKind::Logistic, ..TrainConfig::default() };
/// assert_eq!(config.calibration_folds, 3);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Seeds every shuffle (solver order, calibration folds).
    pub seed: u64,
    /// What the texts turn into.
    pub features: FeatureConfig,
    /// The learner.
    pub model: ModelKind,
    /// Inverse regularisation strength of the SVM / logistic loss (larger fits the training
    /// data more closely).
    pub c: f64,
    /// Maximum passes over the data per class.
    pub epochs: usize,
    /// Stopping tolerance of the dual solvers (on the projected gradient).
    pub tolerance: f64,
    /// Per-class example weights.
    pub class_weight: ClassWeight,
    /// Folds used to fit the softmax temperature on held-out scores, so that confidences are
    /// calibrated; 0 or 1 skips calibration (temperature 1).
    pub calibration_folds: usize,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            seed: 0,
            features: FeatureConfig::default(),
            model: ModelKind::LinearSvm,
            c: 2.0,
            epochs: 100,
            tolerance: 0.1,
            class_weight: ClassWeight::Uniform,
            calibration_folds: 3,
        }
    }
}

impl TrainConfig {
    pub(crate) fn validate(&self) -> Result<()> {
        self.features.validate()?;
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(Error::Config(format!("c must be a positive number, not {}", self.c)));
        }
        if self.epochs == 0 {
            return Err(Error::Config("epochs must be at least 1".to_owned()));
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(Error::Config(format!(
                "tolerance must be a positive number, not {}",
                self.tolerance
            )));
        }
        if let ModelKind::ComplementNb { alpha } = self.model
            && !(alpha.is_finite() && alpha > 0.0)
        {
            return Err(Error::Config(format!("alpha must be a positive number, not {alpha}")));
        }
        Ok(())
    }
}
