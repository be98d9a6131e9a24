//! Term counts with a deterministic order.

use ahash::AHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A term → count table.
///
/// Counting uses a hash map, but everything observable is deterministic:
/// [`Vocabulary::iter`] yields terms by count descending then term ascending,
/// and serialization writes a JSON object sorted by term.
/// [`Vocabulary::merge`] combines partial tables, e.g. in a rayon `reduce`.
///
/// ```
/// use briefing_tokenize::Vocabulary;
/// let mut left = Vocabulary::new();
/// left.add("b");
/// left.add("a");
/// let mut right = Vocabulary::new();
/// right.add("b");
/// let vocab = left.merge(right);
/// assert_eq!(vocab.count("b"), 2);
/// let order: Vec<_> = vocab.iter().collect();
/// assert_eq!(order, [("b", 2), ("a", 1)]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "BTreeMap<String, u64>", into = "BTreeMap<String, u64>")]
pub struct Vocabulary {
    counts: AHashMap<String, u64>,
}

impl Vocabulary {
    /// An empty vocabulary.
    #[must_use]
    pub fn new() -> Vocabulary {
        Vocabulary::default()
    }

    /// Adds one occurrence of `term`.
    pub fn add(&mut self, term: &str) {
        self.add_count(term, 1);
    }

    /// Adds `n` occurrences of `term` (saturating).
    pub fn add_count(&mut self, term: &str, n: u64) {
        if let Some(count) = self.counts.get_mut(term) {
            *count = count.saturating_add(n);
        } else {
            self.counts.insert(term.to_owned(), n);
        }
    }

    /// How many times `term` was added (0 when absent).
    #[must_use]
    pub fn count(&self, term: &str) -> u64 {
        self.counts.get(term).copied().unwrap_or(0)
    }

    /// Whether `term` is present.
    #[must_use]
    pub fn contains(&self, term: &str) -> bool {
        self.counts.contains_key(term)
    }

    /// Number of distinct terms.
    #[must_use]
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether there are no terms.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Sum of all counts (saturating).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.counts.values().fold(0u64, |sum, &n| sum.saturating_add(n))
    }

    /// Adds every count of `other` into `self` and returns it; associative and
    /// commutative, so it can serve as a parallel `reduce` operator.
    #[must_use]
    pub fn merge(mut self, other: Vocabulary) -> Vocabulary {
        if self.counts.len() < other.counts.len() {
            return other.merge(self);
        }
        for (term, n) in other.counts {
            let count = self.counts.entry(term).or_insert(0);
            *count = count.saturating_add(n);
        }
        self
    }

    /// Keeps only terms whose count is at least `min_count`.
    pub fn retain_min_count(&mut self, min_count: u64) {
        self.counts.retain(|_, n| *n >= min_count);
    }

    /// Terms with counts, by count descending then term ascending.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        let mut entries: Vec<(&str, u64)> =
            self.counts.iter().map(|(term, &n)| (term.as_str(), n)).collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        entries.into_iter()
    }
}

impl<S: AsRef<str>> Extend<S> for Vocabulary {
    fn extend<I: IntoIterator<Item = S>>(&mut self, terms: I) {
        for term in terms {
            self.add(term.as_ref());
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Vocabulary {
    fn from_iter<I: IntoIterator<Item = S>>(terms: I) -> Vocabulary {
        let mut vocab = Vocabulary::new();
        vocab.extend(terms);
        vocab
    }
}

impl From<BTreeMap<String, u64>> for Vocabulary {
    fn from(map: BTreeMap<String, u64>) -> Vocabulary {
        Vocabulary { counts: map.into_iter().collect() }
    }
}

impl From<Vocabulary> for BTreeMap<String, u64> {
    fn from(vocab: Vocabulary) -> BTreeMap<String, u64> {
        vocab.counts.into_iter().collect()
    }
}
