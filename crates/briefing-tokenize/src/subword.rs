//! Hugging Face subword tokenizers (WordPiece, BPE): load, train, encode, save.
//!
//! [`SubwordTokenizer`] wraps a `tokenizers::Tokenizer` and keeps its types
//! out of this crate's API: it loads any `tokenizer.json`, trains a new
//! WordPiece or byte-level BPE model on files or in-memory text, encodes text
//! into [`Encoding`]s whose offsets are byte [`Span`]s into the input, and
//! saves back to `tokenizer.json`. Nothing is ever downloaded.
//!
//! ```
//! use briefing_tokenize::subword::{SubwordTokenizer, WordPieceConfig};
//! let corpus = ["the council met", "the councils meet", "a council meeting"];
//! let config = WordPieceConfig { vocab_size: 60, min_frequency: 1, ..WordPieceConfig::default() };
//! let tokenizer = SubwordTokenizer::train_wordpiece_from_iter(&config, corpus).unwrap();
//! let text = "Councils met";
//! let encoding = tokenizer.encode(text).unwrap();
//! assert!(!encoding.is_empty());
//! for (token, span) in encoding.tokens.iter().zip(&encoding.offsets) {
//!     assert!(span.slice(text).is_some(), "{token} has no surface");
//! }
//! ```

use crate::{Error, Result, Span};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::models::wordpiece::{WordPiece, WordPieceTrainerBuilder};
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{
    AddedToken, NormalizedString, Normalizer as _, OffsetReferential, OffsetType,
    PreTokenizedString, PreTokenizer as _, Tokenizer,
};

/// One encoded text: parallel lists of token ids, token strings and byte
/// spans of each token in the input (`(0, 0)`-spans for added special tokens).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// Token ids in the tokenizer's vocabulary.
    pub ids: Vec<u32>,
    /// Token strings (e.g. `##ing` for a WordPiece continuation).
    pub tokens: Vec<String>,
    /// Byte span of each token in the encoded text.
    pub offsets: Vec<Span>,
}

impl Encoding {
    /// Number of tokens.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no tokens.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Training settings for a WordPiece tokenizer (BERT-style normalization and
/// pre-tokenization, `##` continuation prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordPieceConfig {
    /// Target vocabulary size, special tokens and alphabet included.
    pub vocab_size: usize,
    /// Minimum count for a merge to be learned.
    pub min_frequency: u64,
    /// Lowercase and strip accents before tokenizing.
    pub lowercase: bool,
    /// Token for unknown characters; added to the special tokens if missing.
    pub unk_token: String,
    /// Special tokens, given the first ids in this order.
    pub special_tokens: Vec<String>,
}

impl Default for WordPieceConfig {
    fn default() -> WordPieceConfig {
        WordPieceConfig {
            vocab_size: 8_000,
            min_frequency: 2,
            lowercase: true,
            unk_token: "[UNK]".to_owned(),
            special_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

/// Training settings for a byte-level BPE tokenizer (GPT-2 style: every
/// input is representable, so there is no unknown token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpeConfig {
    /// Target vocabulary size, special tokens and the 256 byte symbols included.
    pub vocab_size: usize,
    /// Minimum count for a merge to be learned.
    pub min_frequency: u64,
    /// Special tokens, given the first ids in this order.
    pub special_tokens: Vec<String>,
}

impl Default for BpeConfig {
    fn default() -> BpeConfig {
        BpeConfig {
            vocab_size: 8_000,
            min_frequency: 2,
            special_tokens: ["<s>", "<pad>", "</s>", "<unk>"].map(str::to_owned).to_vec(),
        }
    }
}

/// A subword tokenizer backed by Hugging Face `tokenizers`.
///
/// ```
/// use briefing_tokenize::subword::{BpeConfig, SubwordTokenizer};
/// let config = BpeConfig { vocab_size: 300, min_frequency: 1, ..BpeConfig::default() };
/// let tokenizer =
///     SubwordTokenizer::train_bpe_from_iter(&config, ["low lower lowest", "new newer"]).unwrap();
/// let restored = SubwordTokenizer::from_json(&tokenizer.to_json().unwrap()).unwrap();
/// assert_eq!(tokenizer.encode("lowest newer").unwrap(), restored.encode("lowest newer").unwrap());
/// ```
#[derive(Clone)]
pub struct SubwordTokenizer {
    inner: Tokenizer,
}

impl fmt::Debug for SubwordTokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubwordTokenizer").field("vocab_size", &self.vocab_size()).finish()
    }
}

impl SubwordTokenizer {
    /// Loads a `tokenizer.json` file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be read, [`Error::Tokenizer`] if it
    /// is not a valid tokenizer.
    pub fn from_file(path: impl AsRef<Path>) -> Result<SubwordTokenizer> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { path: path.to_owned(), source })?;
        SubwordTokenizer::from_json(&json)
    }

    /// Parses the contents of a `tokenizer.json`.
    ///
    /// # Errors
    ///
    /// [`Error::Tokenizer`] if `json` is not a valid tokenizer.
    pub fn from_json(json: &str) -> Result<SubwordTokenizer> {
        let inner: Tokenizer = json.parse().map_err(Error::Tokenizer)?;
        Ok(SubwordTokenizer { inner })
    }

    /// Serializes to `tokenizer.json` text (pretty-printed).
    ///
    /// # Errors
    ///
    /// [`Error::Tokenizer`] if serialization fails.
    pub fn to_json(&self) -> Result<String> {
        self.inner.to_string(true).map_err(Error::Tokenizer)
    }

    /// Writes `tokenizer.json` to `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let json = self.to_json()?;
        std::fs::write(path, json).map_err(|source| Error::Io { path: path.to_owned(), source })
    }

    /// Trains a WordPiece tokenizer on the lines of text files.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a file cannot be read, [`Error::Config`] or
    /// [`Error::Tokenizer`] if training fails.
    pub fn train_wordpiece(
        config: &WordPieceConfig,
        files: &[impl AsRef<Path>],
    ) -> Result<SubwordTokenizer> {
        let texts = read_files(files)?;
        SubwordTokenizer::train_wordpiece_from_iter(config, texts.iter().flat_map(|t| t.lines()))
    }

    /// Trains a WordPiece tokenizer on in-memory texts.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if `vocab_size` is 0, [`Error::Tokenizer`] if
    /// training fails.
    pub fn train_wordpiece_from_iter<I, S>(
        config: &WordPieceConfig,
        texts: I,
    ) -> Result<SubwordTokenizer>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send,
        S: AsRef<str> + Send,
    {
        check_vocab_size(config.vocab_size)?;
        let mut special = config.special_tokens.clone();
        if !special.contains(&config.unk_token) {
            special.insert(0, config.unk_token.clone());
        }
        let model = WordPiece::builder()
            .unk_token(config.unk_token.clone())
            .build()
            .map_err(Error::Tokenizer)?;
        let mut tokenizer = Tokenizer::new(model);
        tokenizer
            .with_normalizer(Some(BertNormalizer::new(true, true, None, config.lowercase)))
            .map_err(Error::Tokenizer)?
            .with_pre_tokenizer(Some(BertPreTokenizer))
            .with_decoder(Some(DecoderWrapper::WordPiece(WordPieceDecoder::default())));

        // `WordPieceTrainer` numbers the `##c` continuation symbols in hash
        // map order, and ties between equally frequent merges are broken by
        // those numbers, so training differs from run to run. Registering
        // every `##c` up front, sorted, fixes the numbering: the trainer sees
        // them as special tokens, and the tokenizer is then rebuilt around the
        // trained model with only the configured special tokens.
        let texts: Vec<S> = texts.into_iter().collect();
        let mut pinned = special.clone();
        pinned.extend(continuation_symbols(&tokenizer, &texts)?);
        let trainer = WordPieceTrainerBuilder::new()
            .show_progress(false)
            .vocab_size(config.vocab_size)
            .min_frequency(config.min_frequency)
            .special_tokens(added_tokens(&pinned))
            .build();
        let trained = train(tokenizer, TrainerWrapper::WordPieceTrainer(trainer), texts)?.inner;
        let mut rebuilt = Tokenizer::new(trained.get_model().clone());
        rebuilt
            .with_normalizer(trained.get_normalizer().cloned())
            .map_err(Error::Tokenizer)?
            .with_pre_tokenizer(trained.get_pre_tokenizer().cloned())
            .with_decoder(trained.get_decoder().cloned());
        rebuilt.add_special_tokens(added_tokens(&special)).map_err(Error::Tokenizer)?;
        Ok(SubwordTokenizer { inner: rebuilt })
    }

    /// Trains a byte-level BPE tokenizer on the lines of text files.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if a file cannot be read, [`Error::Config`] or
    /// [`Error::Tokenizer`] if training fails.
    pub fn train_bpe(config: &BpeConfig, files: &[impl AsRef<Path>]) -> Result<SubwordTokenizer> {
        let texts = read_files(files)?;
        SubwordTokenizer::train_bpe_from_iter(config, texts.iter().flat_map(|t| t.lines()))
    }

    /// Trains a byte-level BPE tokenizer on in-memory texts.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if `vocab_size` is 0, [`Error::Tokenizer`] if
    /// training fails.
    pub fn train_bpe_from_iter<I, S>(config: &BpeConfig, texts: I) -> Result<SubwordTokenizer>
    where
        I: IntoIterator<Item = S>,
        I::IntoIter: Send,
        S: AsRef<str> + Send,
    {
        check_vocab_size(config.vocab_size)?;
        let mut tokenizer = Tokenizer::new(BPE::default());
        let byte_level = ByteLevel::new(false, true, true);
        tokenizer
            .with_pre_tokenizer(Some(byte_level))
            .with_post_processor(Some(byte_level))
            .with_decoder(Some(byte_level));
        let trainer = BpeTrainerBuilder::new()
            .show_progress(false)
            .vocab_size(config.vocab_size)
            .min_frequency(config.min_frequency)
            .special_tokens(added_tokens(&config.special_tokens))
            .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
            .build();
        train(tokenizer, TrainerWrapper::BpeTrainer(trainer), texts)
    }

    /// Encodes `text` (adding special tokens if the tokenizer defines a
    /// post-processor that does).
    ///
    /// # Errors
    ///
    /// [`Error::Tokenizer`] if the model cannot encode the text (e.g. a
    /// WordPiece vocabulary without its unknown token).
    pub fn encode(&self, text: &str) -> Result<Encoding> {
        let encoding = self.inner.encode(text, true).map_err(Error::Tokenizer)?;
        Ok(Encoding {
            ids: encoding.get_ids().to_vec(),
            tokens: encoding.get_tokens().to_vec(),
            offsets: encoding
                .get_offsets()
                .iter()
                .map(|&(start, end)| Span::new(start, end))
                .collect(),
        })
    }

    /// Encodes every text in parallel on the current rayon pool; results are
    /// in input order and identical to calling [`encode`](Self::encode) on each.
    ///
    /// # Errors
    ///
    /// The first error of any text, as [`encode`](Self::encode).
    pub fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Encoding>> {
        texts.par_iter().map(|text| self.encode(text)).collect()
    }

    /// Decodes ids back to text, skipping special tokens.
    ///
    /// # Errors
    ///
    /// [`Error::Tokenizer`] if decoding fails.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner.decode(ids, true).map_err(Error::Tokenizer)
    }

    /// Vocabulary size, added tokens included.
    #[must_use]
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The id of `token`, if it is in the vocabulary.
    #[must_use]
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// The token with id `id`, if any.
    #[must_use]
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }
}

fn check_vocab_size(vocab_size: usize) -> Result<()> {
    if vocab_size == 0 {
        return Err(Error::Config("vocab_size must be positive".to_owned()));
    }
    Ok(())
}

fn added_tokens(tokens: &[String]) -> Vec<AddedToken> {
    tokens.iter().map(|token| AddedToken::from(token.clone(), true)).collect()
}

/// `##c` for every character `c` that follows another inside a
/// pre-tokenized word of `texts`, sorted.
fn continuation_symbols<S: AsRef<str>>(tokenizer: &Tokenizer, texts: &[S]) -> Result<Vec<String>> {
    let mut chars = std::collections::BTreeSet::new();
    for text in texts {
        let mut normalized = NormalizedString::from(text.as_ref());
        if let Some(normalizer) = tokenizer.get_normalizer() {
            normalizer.normalize(&mut normalized).map_err(Error::Tokenizer)?;
        }
        let mut pretokenized = PreTokenizedString::from(normalized);
        if let Some(pre_tokenizer) = tokenizer.get_pre_tokenizer() {
            pre_tokenizer.pre_tokenize(&mut pretokenized).map_err(Error::Tokenizer)?;
        }
        for (word, _, _) in pretokenized.get_splits(OffsetReferential::Original, OffsetType::Byte) {
            chars.extend(word.chars().skip(1));
        }
    }
    Ok(chars.into_iter().map(|c| format!("##{c}")).collect())
}

fn read_files(files: &[impl AsRef<Path>]) -> Result<Vec<String>> {
    files
        .iter()
        .map(|path| {
            let path = path.as_ref();
            std::fs::read_to_string(path)
                .map_err(|source| Error::Io { path: path.to_owned(), source })
        })
        .collect()
}

fn train<I, S>(
    mut tokenizer: Tokenizer,
    mut trainer: TrainerWrapper,
    texts: I,
) -> Result<SubwordTokenizer>
where
    I: IntoIterator<Item = S>,
    I::IntoIter: Send,
    S: AsRef<str> + Send,
{
    tokenizer.train(&mut trainer, texts.into_iter()).map_err(Error::Tokenizer)?;
    Ok(SubwordTokenizer { inner: tokenizer })
}
