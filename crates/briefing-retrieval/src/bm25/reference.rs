//! The reference scorer: BM25 computed the slow, obvious way, to test the index against.

use super::search::sort_hits;
use super::{Hit, Params, idf};
use briefing_tokenize::Analyzer;
use std::collections::{BTreeMap, BTreeSet};

/// The `k` best of `paragraphs` for `query` by BM25, computed from scratch:
/// every paragraph is analyzed again, every document frequency counted, and
/// every score computed in `f64` straight from the formula in the
/// [module docs](super). Hits are numbered by position in `paragraphs`.
///
/// It is slow (linear in the corpus per query) and exists to check
/// [`Index::search`](super::Index::search), which must return the same
/// paragraphs with the same scores up to `f32` rounding.
///
/// ```
/// use briefing_retrieval::bm25::{Params, reference_search};
/// let paragraphs = ["Red apples.", "Green apples and red pears.", "Blue sky."];
/// let hits = reference_search(&paragraphs, "red pear", Params::default(), 10);
/// assert_eq!(hits.iter().map(|hit| hit.paragraph).collect::<Vec<_>>(), [1, 0]);
/// ```
#[must_use]
pub fn reference_search(paragraphs: &[&str], query: &str, params: Params, k: usize) -> Vec<Hit> {
    let analyzer = Analyzer::english();
    let terms_of = |text: &str| -> Vec<String> {
        analyzer.words(text).into_iter().filter(|w| !w.is_stopword).map(|w| w.key).collect()
    };
    let query: BTreeSet<String> = terms_of(query).into_iter().collect();
    let docs: Vec<Vec<String>> = paragraphs.iter().map(|text| terms_of(text)).collect();
    let n = docs.len() as u64;
    let total: usize = docs.iter().map(Vec::len).sum();
    let avg_len = if n == 0 { 0.0 } else { total as f64 / n as f64 };
    let mut df: BTreeMap<&str, u64> = BTreeMap::new();
    for doc in &docs {
        let distinct: BTreeSet<&str> = doc.iter().map(String::as_str).collect();
        for term in distinct {
            *df.entry(term).or_default() += 1;
        }
    }
    let (k1, b) = (f64::from(params.k1), f64::from(params.b));
    let mut hits = Vec::new();
    for (idx, doc) in docs.iter().enumerate() {
        let len = doc.len() as f64;
        let mut score = 0.0;
        let mut matched = false;
        for term in &query {
            let tf = doc.iter().filter(|t| *t == term).count() as f64;
            if tf == 0.0 {
                continue;
            }
            matched = true;
            let idf = idf(n, df.get(term.as_str()).copied().unwrap_or(0));
            score += idf * (tf * (k1 + 1.0)) / (tf + k1 * (1.0 - b + b * len / avg_len));
        }
        if matched {
            hits.push(Hit { paragraph: u32::try_from(idx).unwrap_or(u32::MAX), score });
        }
    }
    sort_hits(&mut hits);
    hits.truncate(k);
    hits
}
