//! Turns text into normalized words with byte offsets into the original
//! text, plus sentences, stems, n-grams, vocabularies and Hugging Face
//! subword tokenizers.
//!
//! # The pipeline
//!
//! An [`Analyzer`] turns text into [`Word`]s in four stages:
//!
//! 1. **Split** the *original* text into words ([`Word::span`] is a byte
//!    [`Span`] into it, so `&text[word.span.range()]` is always the surface
//!    form). A word is a run of letters, digits and combining marks, glued
//!    across an apostrophe or period between letters (`SCO’s`, `don't`,
//!    `U.N`) or a `.` `,` `-` `–` `/` `:` between digits (`1,000`,
//!    `22.04.2019`, `2013-2017`). A hyphen between letters splits
//!    (`law-enforcement` is two words); a trailing period never belongs to
//!    a word; an unspaced run of CJK ideographs is one word.
//! 2. **Normalize** each word ([`Word::norm`]) with `tokenizers` normalizers
//!    on a `NormalizedString`: curly quotes and apostrophes folded to ASCII,
//!    NFKC, lowercase, then NFD + `StripAccents` + NFC (each optional
//!    through [`AnalyzerBuilder`]).
//! 3. **Stem** the norm with a Snowball stemmer into the matching key
//!    ([`Word::key`]): `SCO’s` → `sco's` → `sco`.
//! 4. **Flag stopwords** ([`Word::is_stopword`]) from a [`Stopwords`] list.
//!
//! Text that is ASCII between whitespace takes a fast path with identical
//! results; the rest goes through `tokenizers`' `PreTokenizedString` and
//! `NormalizedString`, whose splits keep offsets into the original text.
//!
//! [`sentences()`] splits text into sentence spans (rules in the
//! [`sentences` module docs](mod@sentences)); [`word_ngrams`] and
//! [`char_ngrams`] build n-grams; [`Vocabulary`] counts terms in a
//! deterministic order; [`subword`] loads, trains and runs WordPiece and BPE
//! tokenizers.
//!
//! ```
//! use briefing_tokenize::{Analyzer, sentences, word_ngrams};
//!
//! let text = "The SCO’s members met in 2013-2017. Mr. Norov spoke first!";
//! let spans = sentences(text);
//! assert_eq!(&text[spans[1].range()], "Mr. Norov spoke first!");
//!
//! let analyzer = Analyzer::english();
//! let words = analyzer.words(&text[spans[0].range()]);
//! let keys: Vec<&str> = words.iter().filter(|w| !w.is_stopword).map(|w| w.key.as_str()).collect();
//! assert_eq!(keys, ["sco", "member", "met", "2013-2017"]);
//! assert_eq!(&text[words[1].span.range()], "SCO’s");
//! assert_eq!(word_ngrams(&keys, 2)[0], "sco member");
//! ```
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod analyzer;
mod error;
mod keytable;
mod ngrams;
mod normalize;
mod scan;
pub mod sentences;
mod span;
mod stopwords;
pub mod subword;
mod vocab;

pub use analyzer::{Analyzer, AnalyzerBuilder, Stemmer, Token, Word};
pub use error::{Error, Result};
pub use ngrams::{char_ngrams, word_ngrams};
pub use sentences::sentences;
pub use span::Span;
pub use stopwords::{ENGLISH_STOPWORDS, Stopwords};
pub use vocab::Vocabulary;
