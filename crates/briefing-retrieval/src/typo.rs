//! Typo tolerance: the closest known word to a misspelled query word.
//!
//! The vocabulary of a transcript is small (a few thousand words), so a scan
//! of the words whose length is within the edit distance (the dictionary is
//! indexed by length, one counting sort when it is built), a cheap letter-set
//! filter, then a bounded Damerau-Levenshtein distance is both exact and
//! fast, with no structure that would slow the index build down (a deletion
//! index or an automaton over every word).

/// Known words for typo correction.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TypoDictionary {
    /// `(chars, letter mask, frequency, norm, key)` sorted by norm.
    words: Vec<Entry>,
    /// `(letter mask, index in words)` of every word, by length in chars
    /// (then by norm): a query scans only the lengths within its distance,
    /// reading 16 bytes per word.
    by_length: Vec<(u64, u32)>,
    /// Where the words of each length start in `by_length` (one more entry
    /// than lengths).
    length_starts: Vec<usize>,
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
        // Equal entries are identical, so the unstable sort is the sort.
        words.sort_unstable();
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
        // A counting sort by length keeps each length's words in norm order.
        let max_chars = entries.iter().map(|e| e.n_chars).max().unwrap_or(0);
        let mut length_starts = vec![0usize; max_chars + 2];
        for entry in &entries {
            if let Some(n) = length_starts.get_mut(entry.n_chars + 1) {
                *n += 1;
            }
        }
        for idx in 1..length_starts.len() {
            length_starts[idx] += length_starts[idx - 1];
        }
        let mut next = length_starts.clone();
        let mut by_length = vec![(0u64, 0u32); entries.len()];
        for (idx, entry) in entries.iter().enumerate() {
            if let Some(at) = next.get_mut(entry.n_chars) {
                if let Some(slot) = by_length.get_mut(*at) {
                    *slot = (entry.mask, u32::try_from(idx).unwrap_or(u32::MAX));
                }
                *at += 1;
            }
        }
        TypoDictionary { words: entries, by_length, length_starts }
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
        let lengths = query.len().saturating_sub(max_distance)..=query.len() + max_distance;
        let start = self
            .length_starts
            .get(*lengths.start())
            .or(self.length_starts.last())
            .copied()
            .unwrap_or(0);
        let end = self
            .length_starts
            .get(lengths.end() + 1)
            .or(self.length_starts.last())
            .copied()
            .unwrap_or(0);
        let mut best: Option<(&Entry, usize)> = None;
        let mut candidate = Vec::with_capacity(32);
        let mut rows = Rows::default();
        for &(entry_mask, idx) in self.by_length.get(start..end).unwrap_or_default() {
            // Each edit adds at most one letter to a word's letter set and
            // takes at most one away, so within `max_distance` edits neither
            // set has more than `max_distance` letters the other lacks.
            if (entry_mask & !mask).count_ones() as usize > max_distance
                || (mask & !entry_mask).count_ones() as usize > max_distance
            {
                continue;
            }
            let Some(entry) = self.words.get(idx as usize) else { continue };
            candidate.clear();
            candidate.extend(entry.norm.chars());
            let Some(distance) = rows.osa_distance(&query, &candidate, max_distance) else {
                continue;
            };
            if distance == 0 {
                continue;
            }
            // Words come by length, not by norm: the alphabetical tie-break is explicit.
            let better = match best {
                None => true,
                Some((b, d)) => {
                    distance < d
                        || (distance == d
                            && (entry.count > b.count
                                || (entry.count == b.count && entry.norm < b.norm)))
                }
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
#[cfg(test)]
pub(crate) fn osa_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    Rows::default().osa_distance(a, b, max)
}

/// The three rows of the distance table, kept across the words of a
/// dictionary scan so that each comparison allocates nothing.
#[derive(Default)]
struct Rows {
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// Optimal string alignment distance (Damerau-Levenshtein without
    /// repeated edits of a substring), or `None` when above `max`.
    fn osa_distance(&mut self, a: &[char], b: &[char], max: usize) -> Option<usize> {
        if a.len().abs_diff(b.len()) > max {
            return None;
        }
        let width = b.len() + 1;
        let Rows { prev2, prev, cur } = self;
        prev2.clear();
        prev2.resize(width, 0);
        prev.clear();
        prev.extend(0..width);
        cur.clear();
        cur.resize(width, 0);
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
            std::mem::swap(prev2, prev);
            std::mem::swap(prev, cur);
        }
        let distance = prev[b.len()];
        (distance <= max).then_some(distance)
    }
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

    /// The best correction by the definition: a scan of every word in norm order.
    fn brute_force(words: &[(&str, u32)], norm: &str, max: usize) -> Option<(String, usize)> {
        let query: Vec<char> = norm.chars().collect();
        let mut sorted = words.to_vec();
        sorted.sort();
        let mut best: Option<(&str, u32, usize)> = None;
        for &(word, count) in &sorted {
            let chars: Vec<char> = word.chars().collect();
            let Some(d) = osa_distance(&query, &chars, max) else { continue };
            if d == 0 {
                continue;
            }
            if best.is_none_or(|(_, c, bd)| d < bd || (d == bd && count > c)) {
                best = Some((word, count, d));
            }
        }
        best.map(|(w, _, d)| (w.to_owned(), d))
    }

    #[test]
    fn scanning_by_length_finds_what_a_scan_of_every_word_finds() {
        let words = [
            ("cat", 3),
            ("cats", 1),
            ("cart", 3),
            ("act", 2),
            ("at", 5),
            ("coat", 3),
            ("scat", 1),
            ("catch", 2),
            ("c", 1),
            ("été", 2),
            ("ete", 2),
            ("summits", 1),
            ("summit", 4),
        ];
        let dictionary = TypoDictionary::new(
            words.iter().map(|&(w, c)| (w.to_owned(), w.to_owned(), c)).collect(),
        );
        let queries =
            ["ca", "cta", "caat", "cot", "", "x", "catc", "eté", "sumit", "summmits", "ct"];
        for query in queries {
            for max in 0..=3 {
                let found = dictionary.correct(query, max).map(|c| (c.norm, c.distance));
                let expected = if max == 0 { None } else { brute_force(&words, query, max) };
                assert_eq!(found, expected, "{query:?} within {max}");
            }
        }
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
