//! A lexicon of real words: query words found there are never "corrected"
//! as typos, even when the index does not know them.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A sorted list of lowercase words, searched in place (no set is built, so
/// a large embedded list costs nothing at start-up). The words are kept as
/// bytes: a binary saved index loads them with one copy, without checking
/// them as UTF-8 again.
///
/// ```
/// use briefing_retrieval::Lexicon;
/// let lexicon = Lexicon::new(["budget", "night", "Apple"]);
/// assert!(lexicon.contains("night") && lexicon.contains("apple"));
/// assert!(!lexicon.contains("nigth"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lexicon {
    /// The words, sorted bytewise, one per line (UTF-8).
    #[serde(with = "text_or_bytes")]
    text: Cow<'static, [u8]>,
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
        Lexicon { text: Cow::Owned(words.join("\n").into_bytes()) }
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
        Lexicon { text: Cow::Borrowed(text.as_bytes()) }
    }

    /// Whether the lines are sorted bytewise without duplicates.
    #[must_use]
    pub fn is_sorted(&self) -> bool {
        self.lines().zip(self.lines().skip(1)).all(|(a, b)| a < b)
    }

    /// Whether `word` (lowercase) is in the lexicon.
    #[must_use]
    pub fn contains(&self, word: &str) -> bool {
        let text: &[u8] = &self.text;
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
        self.text.trim_ascii().is_empty()
    }

    /// The lines, as [`str::lines`] splits them.
    fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let text: &[u8] = &self.text;
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        text.split(|&b| b == b'\n')
            .filter(move |_| !text.is_empty())
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
    }
}

/// The words as a string in human-readable formats (JSON), as bytes in
/// binary ones (postcard writes both alike; reading bytes skips the UTF-8
/// check of a large list).
mod text_or_bytes {
    use serde::de::{Error, Visitor};
    use serde::{Deserializer, Serializer};
    use std::borrow::Cow;
    use std::fmt;

    pub(super) fn serialize<S: Serializer>(text: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            let text = std::str::from_utf8(text).map_err(serde::ser::Error::custom)?;
            serializer.serialize_str(text)
        } else {
            serializer.serialize_bytes(text)
        }
    }

    struct TextVisitor;

    impl Visitor<'_> for TextVisitor {
        type Value = Cow<'static, [u8]>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the lexicon's words, one per line")
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.as_bytes().to_vec()))
        }

        fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.into_bytes()))
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_vec()))
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Cow<'static, [u8]>, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_string(TextVisitor)
        } else {
            deserializer.deserialize_bytes(TextVisitor)
        }
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
