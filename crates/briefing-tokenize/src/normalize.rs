//! Word normalization built on `tokenizers` normalizers.

use ahash::AHashMap;
use std::cell::RefCell;
use tokenizers::normalizers::{Lowercase, NFC, NFD, NFKC, StripAccents};
use tokenizers::{NormalizedString, Normalizer};

/// Most distinct words a thread's norm table holds before it is cleared.
const NORM_CACHE_CAPACITY: usize = 1 << 14;

thread_local! {
    /// Memoized norms of non-ASCII words, one table per (lowercase,
    /// strip_accents) setting. Each `NormalizedString` step costs about a
    /// microsecond, and words repeat, so this keeps non-Latin text fast
    /// without changing any result.
    static NORM_CACHE: RefCell<[AHashMap<Box<str>, Box<str>>; 4]> = RefCell::default();
}

/// Folds typographic punctuation to ASCII before Unicode normalization:
/// curly apostrophes and single quotes (`’`, `‘`, `ʼ`) to `'`, curly double
/// quotes to `"`, U+00A0 to a space, and hyphen/dash variants (which can only
/// occur inside number tokens such as `2013–2017`) to `-`.
pub(crate) fn fold_char(c: char) -> char {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
        '\u{201C}' | '\u{201D}' => '"',
        '\u{00A0}' => ' ',
        '\u{2010}' | '\u{2011}' | '\u{2013}' => '-',
        c => c,
    }
}

/// Whether every step of the pipeline leaves `c` unchanged, in any context: a CJK unified
/// ideograph (U+4E00 to U+9FFF: no decomposition, no case, not a mark), an ASCII digit
/// or an ASCII lowercase letter. Ideograph runs are whole words, and common.
fn is_stable_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '0'..='9' | 'a'..='z')
}

/// The fold as a `tokenizers` normalizer: one `NormalizedString::map` pass
/// (one regex `Replace` per character would scan the string nine times).
#[derive(Clone, Copy, Debug)]
struct FoldPunctuation;

impl Normalizer for FoldPunctuation {
    fn normalize(&self, normalized: &mut NormalizedString) -> tokenizers::Result<()> {
        normalized.map(fold_char);
        Ok(())
    }
}

/// The normalizer pipeline: [`fold_char`], `NFKC`, then optionally
/// `Lowercase`, then optionally `NFD` + `StripAccents` + `NFC` (accents can
/// only be stripped from decomposed text; `NFC` recomposes what remains, such
/// as Hangul syllables).
#[derive(Clone, Copy, Debug)]
pub(crate) struct WordNormalizer {
    lowercase: bool,
    strip_accents: bool,
}

impl WordNormalizer {
    pub(crate) fn new(lowercase: bool, strip_accents: bool) -> WordNormalizer {
        WordNormalizer { lowercase, strip_accents }
    }

    /// Runs the whole pipeline on a `NormalizedString`, in place.
    pub(crate) fn normalize(&self, normalized: &mut NormalizedString) -> tokenizers::Result<()> {
        FoldPunctuation.normalize(normalized)?;
        NFKC.normalize(normalized)?;
        if self.lowercase {
            Lowercase.normalize(normalized)?;
        }
        // NFD, StripAccents and NFC are the identity on ASCII.
        if self.strip_accents && !normalized.get().is_ascii() {
            NFD.normalize(normalized)?;
            StripAccents.normalize(normalized)?;
            NFC.normalize(normalized)?;
        }
        Ok(())
    }

    /// The normalized form of `word`. Words that are ASCII once punctuation
    /// is folded (`SCO’s`) skip the `NormalizedString` machinery: on ASCII
    /// the pipeline only lowercases.
    pub(crate) fn normalize_str(&self, word: &str) -> String {
        if word.chars().all(|c| c.is_ascii() || fold_char(c).is_ascii()) {
            let mut out: String = word.chars().map(fold_char).collect();
            if self.lowercase {
                out.make_ascii_lowercase();
            }
            return out;
        }
        if word.chars().all(is_stable_cjk) {
            return word.to_owned();
        }
        let slot = usize::from(self.lowercase) * 2 + usize::from(self.strip_accents);
        NORM_CACHE.with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                return self.normalize_general(word);
            };
            let Some(table) = cache.get_mut(slot) else { return self.normalize_general(word) };
            if let Some(norm) = table.get(word) {
                return String::from(&**norm);
            }
            let norm = self.normalize_general(word);
            if table.len() >= NORM_CACHE_CAPACITY {
                table.clear();
            }
            table.insert(word.into(), norm.as_str().into());
            norm
        })
    }

    /// The normalized form of `word` through `NormalizedString`, without shortcuts.
    pub(crate) fn normalize_general(&self, word: &str) -> String {
        let mut normalized = NormalizedString::from(word);
        match self.normalize(&mut normalized) {
            Ok(()) => normalized.get().to_owned(),
            // The built-in normalizers above never fail; keep the input if one does.
            Err(_) => word.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn shortcuts_equal_the_pipeline(
            word in "[a-zA-Z0-9中文的一\u{4e00}\u{9fff}\u{9fa6}\u{f900}㐀\u{0301}’ＡⅫ²]{1,12}",
        ) {
            for (lowercase, strip_accents) in [(true, true), (true, false), (false, true), (false, false)] {
                let normalizer = WordNormalizer::new(lowercase, strip_accents);
                prop_assert_eq!(normalizer.normalize_str(&word), normalizer.normalize_general(&word));
            }
        }
    }
}
