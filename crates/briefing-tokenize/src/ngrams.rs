//! Word and character n-grams.

/// Contiguous word n-grams of `keys`, each joined with a single space.
///
/// Returns nothing when `n == 0` or `n > keys.len()`.
///
/// ```
/// use briefing_tokenize::word_ngrams;
/// assert_eq!(word_ngrams(&["new", "york", "citi"], 2), ["new york", "york citi"]);
/// ```
#[must_use]
pub fn word_ngrams(keys: &[&str], n: usize) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    keys.windows(n).map(|window| window.join(" ")).collect()
}

/// fastText-style character n-grams of `word`, computed over `"<" + word + ">"`
/// by chars (not bytes), for every length `min_n..=max_n`, shortest first and
/// left to right within a length.
///
/// Returns nothing when `min_n == 0` or `min_n > max_n`.
///
/// ```
/// use briefing_tokenize::char_ngrams;
/// assert_eq!(char_ngrams("где", 3, 3), ["<гд", "где", "де>"]);
/// assert_eq!(char_ngrams("ab", 2, 3), ["<a", "ab", "b>", "<ab", "ab>"]);
/// ```
#[must_use]
pub fn char_ngrams(word: &str, min_n: usize, max_n: usize) -> Vec<String> {
    if min_n == 0 || min_n > max_n {
        return Vec::new();
    }
    let mut bounds: Vec<usize> = Vec::with_capacity(word.len() + 3);
    let padded = format!("<{word}>");
    bounds.extend(padded.char_indices().map(|(idx, _)| idx));
    bounds.push(padded.len());
    let n_chars = bounds.len() - 1;
    let mut out = Vec::new();
    for n in min_n..=max_n.min(n_chars) {
        for start_idx in 0..=(n_chars - n) {
            if let (Some(&start), Some(&end)) = (bounds.get(start_idx), bounds.get(start_idx + n))
                && let Some(gram) = padded.get(start..end)
            {
                out.push(gram.to_owned());
            }
        }
    }
    out
}
