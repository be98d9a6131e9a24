//! Typo tolerance: the closest known word to a misspelled query word.
//!
//! The vocabulary of a transcript is small (a few thousand words), so a
//! linear scan with two cheap filters (length and letter set) followed by a
//! bounded Damerau-Levenshtein distance is both exact and fast; it also needs
//! no build step, so the index stays quick to build.

/// Known words for typo correction.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TypoDictionary {
    /// `(chars, letter mask, frequency, norm, key)` sorted by norm.
    words: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    norm: String,
    key: String,
    n_chars: usize,
    mask: u64,
    count: u32,
}

/// A correction: the known word and its distance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Correction {
    pub(crate) norm: String,
    pub(crate) key: String,
    pub(crate) distance: usize,
}

impl TypoDictionary {
    /// Builds the dictionary from `(norm, key, count)` triples; duplicates of
    /// a norm add up their counts.
    pub(crate) fn new(mut words: Vec<(String, String, u32)>) -> TypoDictionary {
        words.sort();
        let mut entries: Vec<Entry> = Vec::with_capacity(words.len());
        for (norm, key, count) in words {
            if let Some(last) = entries.last_mut()
                && last.norm == norm
            {
                last.count += count;
                continue;
            }
            let n_chars = norm.chars().count();
            let mask = letter_mask(&norm);
            entries.push(Entry { norm, key, n_chars, mask, count });
        }
        TypoDictionary { words: entries }
    }

    /// Whether `norm` is a known word.
    pub(crate) fn contains(&self, norm: &str) -> bool {
        self.words.binary_search_by(|e| e.norm.as_str().cmp(norm)).is_ok()
    }

    /// The best known word within `max_distance` edits of `norm`: smallest
    /// distance, then most frequent, then alphabetical.
    pub(crate) fn correct(&self, norm: &str, max_distance: usize) -> Option<Correction> {
        if max_distance == 0 {
            return None;
        }
        let query: Vec<char> = norm.chars().collect();
        let mask = letter_mask(norm);
        let mut best: Option<(&Entry, usize)> = None;
        let mut candidate = Vec::with_capacity(32);
        for entry in &self.words {
            if entry.n_chars.abs_diff(query.len()) > max_distance
                || (entry.mask ^ mask).count_ones() as usize > 2 * max_distance
            {
                continue;
            }
            candidate.clear();
            candidate.extend(entry.norm.chars());
            let Some(distance) = osa_distance(&query, &candidate, max_distance) else { continue };
            if distance == 0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((b, d)) => distance < d || (distance == d && entry.count > b.count),
            };
            if better {
                best = Some((entry, distance));
            }
        }
        best.map(|(e, distance)| Correction { norm: e.norm.clone(), key: e.key.clone(), distance })
    }

    /// The `(norm, key, count)` triples of the dictionary, sorted by norm.
    pub(crate) fn entries(&self) -> Vec<(String, String, u32)> {
        self.words.iter().map(|e| (e.norm.clone(), e.key.clone(), e.count)).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }
}

fn letter_mask(word: &str) -> u64 {
    word.chars().fold(0u64, |mask, c| mask | (1u64 << (u32::from(c) % 64)))
}

/// Optimal string alignment distance (Damerau-Levenshtein without repeated
/// edits of a substring), or `None` when above `max`.
pub(crate) fn osa_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![0usize; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0usize; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(prev2[j - 2] + 1);
            }
            cur[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let distance = prev[b.len()];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn dict() -> TypoDictionary {
        let words =
            ["terrorist", "terrorism", "explosives", "summit", "narcotics", "camps", "camp"];
        TypoDictionary::new(words.iter().map(|w| ((*w).to_owned(), (*w).to_owned(), 1)).collect())
    }

    fn check(word: &str, max: usize, expect: Option<(&str, usize)>) {
        let got = dict().correct(word, max).map(|c| (c.norm, c.distance));
        assert_eq!(got, expect.map(|(w, d)| (w.to_owned(), d)), "{word}");
    }

    #[test]
    fn corrects_insertions_deletions_substitutions_and_transpositions() {
        check("terorist", 2, Some(("terrorist", 1)));
        check("explosievs", 2, Some(("explosives", 1)));
        check("sumit", 1, Some(("summit", 1)));
        check("narcotcs", 2, Some(("narcotics", 1)));
        check("terrorsim", 2, Some(("terrorism", 1)));
    }

    #[test]
    fn leaves_far_and_exact_words_alone() {
        check("budget", 1, None);
        check("summit", 1, None);
        check("xyz", 2, None);
        check("camps", 0, None);
    }

    #[test]
    fn distance_is_bounded_and_symmetric() {
        let a: Vec<char> = "kitten".chars().collect();
        let b: Vec<char> = "sitting".chars().collect();
        assert_eq!(osa_distance(&a, &b, 3), Some(3));
        assert_eq!(osa_distance(&b, &a, 3), Some(3));
        assert_eq!(osa_distance(&a, &b, 2), None);
        assert_eq!(osa_distance(&[], &[], 0), Some(0));
    }
}
