//! A lexicon of real words: query words found there are never "corrected"
//! as typos, even when the index does not know them.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A sorted list of lowercase words, searched in place (no set is built, so
/// a large embedded list costs nothing at start-up).
///
/// ```
/// use briefing_retrieval::Lexicon;
/// let lexicon = Lexicon::new(["budget", "night", "Apple"]);
/// assert!(lexicon.contains("night") && lexicon.contains("apple"));
/// assert!(!lexicon.contains("nigth"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lexicon {
    /// The words, sorted bytewise, one per line.
    text: Cow<'static, str>,
}

impl Lexicon {
    /// A lexicon of `words` (lowercased, sorted, deduplicated).
    pub fn new<I, S>(words: I) -> Lexicon
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut words: Vec<String> = words
            .into_iter()
            .map(|w| w.as_ref().trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        words.sort();
        words.dedup();
        Lexicon { text: Cow::Owned(words.join("\n")) }
    }

    /// A lexicon over text that already has one lowercase word per line,
    /// sorted bytewise (as `LC_ALL=C sort -u` writes it); borrowed, not
    /// copied or checked, so it costs nothing. Lines out of order are only
    /// missed by [`Lexicon::contains`]; [`Lexicon::is_sorted`] checks.
    ///
    /// ```
    /// use briefing_retrieval::Lexicon;
    /// let lexicon = Lexicon::from_sorted("alpha\nbeta\n");
    /// assert!(lexicon.is_sorted() && lexicon.contains("beta"));
    /// assert!(!Lexicon::from_sorted("beta\nalpha\n").is_sorted());
    /// ```
    #[must_use]
    pub fn from_sorted(text: &'static str) -> Lexicon {
        Lexicon { text: Cow::Borrowed(text) }
    }

    /// Whether the lines are sorted bytewise without duplicates.
    #[must_use]
    pub fn is_sorted(&self) -> bool {
        self.text.lines().zip(self.text.lines().skip(1)).all(|(a, b)| a < b)
    }

    /// Whether `word` (lowercase) is in the lexicon.
    #[must_use]
    pub fn contains(&self, word: &str) -> bool {
        let text = self.text.as_bytes();
        let (mut lo, mut hi) = (0usize, text.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = text
                .get(..mid)
                .and_then(|head| head.iter().rposition(|&b| b == b'\n'))
                .map_or(0, |i| i + 1);
            let start = start.max(lo);
            let end = text
                .get(start..)
                .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
                .map_or(text.len(), |i| start + i);
            let line = text.get(start..end).unwrap_or_default();
            match line.cmp(word.as_bytes()) {
                Ordering::Equal => return true,
                Ordering::Less => lo = end + 1,
                Ordering::Greater => hi = start,
            }
        }
        false
    }

    /// Whether the lexicon is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn finds_every_word_and_nothing_else() {
        let words = ["able", "about", "b", "budget", "night", "zebra", "zebras"];
        let lexicon = Lexicon::new(words);
        for w in words {
            assert!(lexicon.contains(w), "{w}");
        }
        for w in ["", "a", "abl", "aboutt", "c", "zebr", "zebrass", "nigth"] {
            assert!(!lexicon.contains(w), "{w}");
        }
        assert!(!Lexicon::default().contains("a"));
        assert!(Lexicon::default().is_empty());
    }
}
