//! Saving and loading classifiers: one JSON object with a `"format"` version; the large numeric
//! arrays (feature keys, IDF, weights) are base64 of little-endian bytes.

use crate::config::TrainConfig;
use crate::features::FeatureSpace;
use crate::linear::Linear;
use crate::scorer::Scorer;
use crate::{Classifier, Error, Result, codec};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model format this build writes and reads.
pub const FORMAT_VERSION: u64 = 2;

const KIND: &str = "briefing-topics classifier";

#[derive(Serialize, Deserialize)]
struct Header {
    format: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    format: u64,
    kind: String,
    labels: Vec<String>,
    config: TrainConfig,
    temperature: f32,
    rejection: Option<f32>,
    n_features: usize,
    #[serde(with = "codec::u64s")]
    feature_keys: Vec<u64>,
    #[serde(with = "codec::f32s")]
    idf: Vec<f32>,
    #[serde(with = "codec::f32s")]
    bias: Vec<f32>,
    #[serde(with = "codec::f32s")]
    weights: Vec<f32>,
}

impl Classifier {
    /// The classifier as bytes (UTF-8 JSON), readable by [`Classifier::from_bytes`].
    ///
    /// The same classifier always gives the same bytes.
    ///
    /// ```
    /// # use briefing_topics::{Classifier, Example, TrainConfig};
    /// # let examples = [Example::new("red apple", "fruit"), Example::new("green pear", "fruit"),
    /// #     Example::new("fast car", "car"), Example::new("old truck", "car")];
    /// let classifier = Classifier::train(&examples, &TrainConfig::default())?;
    /// let loaded = Classifier::from_bytes(&classifier.to_bytes())?;
    /// assert_eq!(loaded.probabilities("red car"), classifier.probabilities("red car"));
    /// # Ok::<(), briefing_topics::Error>(())
    /// ```
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let file = ModelFile {
            format: FORMAT_VERSION,
            kind: KIND.to_owned(),
            labels: self.labels.clone(),
            config: self.config.clone(),
            temperature: self.temperature,
            rejection: self.rejection,
            n_features: self.space.n_features(),
            feature_keys: self.space.keys().to_vec(),
            idf: self.space.idf().to_vec(),
            bias: self.model.bias.clone(),
            weights: self.model.weights.clone(),
        };
        let mut bytes = serde_json::to_vec(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Reads a classifier written by [`Classifier::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::Format`] for a file of another format version, [`Error::Model`] for anything
    /// that is not a valid model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier> {
        let header: Header = serde_json::from_slice(bytes).map_err(|e| {
            Error::Model(format!(
                "not a briefing-topics model ({})",
                e.to_string().replace('`', "\"")
            ))
        })?;
        if header.format != FORMAT_VERSION {
            return Err(Error::Format { found: header.format, expected: FORMAT_VERSION });
        }
        let file: ModelFile = serde_json::from_slice(bytes)
            .map_err(|e| Error::Model(e.to_string().replace('`', "\"")))?;
        if file.kind != KIND {
            return Err(Error::Model(format!("kind is {:?}, not {KIND:?}", file.kind)));
        }
        let n_classes = file.labels.len();
        if n_classes < 2
            || file.bias.len() != n_classes
            || file.feature_keys.len() != file.n_features
            || file.weights.len() != file.n_features * n_classes
            || file.labels.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(Error::Model(
                "labels, feature keys and weight arrays do not fit together".to_owned(),
            ));
        }
        if !(file.temperature.is_finite() && file.temperature > 0.0) {
            return Err(Error::Model(format!("temperature {} is not positive", file.temperature)));
        }
        file.config.validate()?;
        let space =
            FeatureSpace::from_parts(file.config.features.clone(), file.feature_keys, file.idf)?;
        let model = Linear { n_classes, weights: file.weights, bias: file.bias };
        Ok(Classifier {
            labels: file.labels,
            scorer: Scorer::new(&space, &model),
            space,
            model,
            temperature: file.temperature,
            rejection: file.rejection,
            config: file.config,
        })
    }

    /// Writes the classifier to `path` (see [`Classifier::to_bytes`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_bytes())
            .map_err(|error| Error::Io { path: path.to_path_buf(), error })
    }

    /// Reads a classifier saved with [`Classifier::save`].
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read; the errors of [`Classifier::from_bytes`]
    /// wrapped in [`Error::WithPath`].
    pub fn load(path: &Path) -> Result<Classifier> {
        let bytes =
            std::fs::read(path).map_err(|error| Error::Io { path: path.to_path_buf(), error })?;
        Classifier::from_bytes(&bytes).map_err(|e| e.with_path(path))
    }
}
