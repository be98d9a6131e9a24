//! Exact top-k search with MaxScore pruning, and score explanations.

use super::{Index, idf};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One ranked paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// The paragraph number (see [`Index::doc_id`], [`Index::paragraph_id`]).
    pub paragraph: u32,
    /// Its BM25 score.
    pub score: f64,
}

/// How one query term contributes to a paragraph's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TermExplanation {
    /// The term (a stemmed analyzer key).
    pub term: String,
    /// In how many paragraphs it occurs.
    pub df: u64,
    /// Its inverse document frequency.
    pub idf: f64,
    /// How often it occurs in the paragraph (0: not at all).
    pub tf: u32,
    /// Its contribution to the score.
    pub score: f64,
}

/// The BM25 breakdown of one paragraph's score for a query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The paragraph.
    pub paragraph: u32,
    /// The total score (the sum of the term scores).
    pub score: f64,
    /// Indexed terms of the paragraph (`dl`).
    pub len: u32,
    /// Mean indexed terms per paragraph (`avgdl`).
    pub avg_len: f64,
    /// `k1`.
    pub k1: f32,
    /// `b`.
    pub b: f32,
    /// One entry per distinct indexed query term, in term order.
    pub terms: Vec<TermExplanation>,
}

/// A heap entry ordered so that the *worst* hit is the greatest: lower
/// score, then (on equal scores) the later paragraph.
#[derive(Clone, Copy, Debug)]
struct Worst(Hit);

impl PartialEq for Worst {
    fn eq(&self, other: &Worst) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Worst) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Worst) -> Ordering {
        other.0.score.total_cmp(&self.0.score).then(self.0.paragraph.cmp(&other.0.paragraph))
    }
}

/// Sorts hits best first: higher score, then earlier paragraph.
pub(crate) fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.paragraph.cmp(&b.paragraph)));
}

/// A position in one term's postings.
struct Cursor<'a> {
    docs: &'a [u32],
    impacts: &'a [f32],
    pos: usize,
    bound: f64,
}

impl Cursor<'_> {
    fn doc(&self) -> Option<u32> {
        self.docs.get(self.pos).copied()
    }

    fn impact(&self) -> f64 {
        f64::from(self.impacts.get(self.pos).copied().unwrap_or(0.0))
    }

    /// Moves to the first posting at or after `target` (galloping search).
    fn advance_to(&mut self, target: u32) {
        let docs = self.docs;
        if docs.get(self.pos).is_none_or(|&doc| doc >= target) {
            return;
        }
        let mut step = 1usize;
        let mut lo = self.pos;
        loop {
            let probe = lo + step;
            match docs.get(probe) {
                Some(&doc) if doc < target => {
                    lo = probe;
                    step *= 2;
                }
                _ => break,
            }
        }
        let hi = (lo + step + 1).min(docs.len());
        let found =
            docs.get(lo..hi).map_or(0, |window| window.partition_point(|&doc| doc < target));
        self.pos = lo + found;
    }
}

impl Index {
    /// The `k` best paragraphs for `query`, best first (ties go to the
    /// earlier paragraph); paragraphs without any query term never appear.
    ///
    /// Exact: the same hits and scores as scoring every paragraph, but
    /// paragraphs that cannot enter the top `k` are skipped (MaxScore: terms
    /// whose summed score bounds cannot beat the current `k`-th score are
    /// only looked up in the paragraphs the other terms bring).
    #[must_use]
    pub fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        let terms = self.query_terms(query);
        self.search_terms(&terms, k)
    }

    pub(crate) fn search_terms(&self, terms: &[u32], k: usize) -> Vec<Hit> {
        if k == 0 || terms.is_empty() {
            return Vec::new();
        }
        let scores = self.scores();
        let mut cursors: Vec<Cursor<'_>> = terms
            .iter()
            .filter_map(|&term| {
                let range = self.postings(term);
                Some(Cursor {
                    docs: self.parts.docs.get(range.clone())?,
                    impacts: scores.impacts.get(range)?,
                    pos: 0,
                    bound: f64::from(scores.max_impacts.get(term as usize).copied().unwrap_or(0.0)),
                })
            })
            .collect();
        cursors.sort_by(|a, b| a.bound.total_cmp(&b.bound));
        // bounds[i]: the sum of the bounds of cursors 0..=i.
        let mut bounds = Vec::with_capacity(cursors.len());
        let mut sum = 0f64;
        for cursor in &cursors {
            sum += cursor.bound;
            bounds.push(sum);
        }
        let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
        let mut threshold = f64::NEG_INFINITY;
        // Cursors first_essential.. must be walked; the others only probed.
        let mut first_essential = 0usize;
        loop {
            while bounds.get(first_essential).is_some_and(|&bound| bound <= threshold) {
                first_essential += 1;
            }
            let Some(essential) = cursors.get(first_essential..) else { break };
            let Some(doc) = essential.iter().filter_map(Cursor::doc).min() else { break };
            let mut score = 0f64;
            for cursor in cursors.iter_mut().skip(first_essential) {
                if cursor.doc() == Some(doc) {
                    score += cursor.impact();
                    cursor.pos += 1;
                }
            }
            let mut pruned = false;
            for idx in (0..first_essential).rev() {
                if score + bounds.get(idx).copied().unwrap_or(0.0) <= threshold {
                    pruned = true;
                    break;
                }
                if let Some(cursor) = cursors.get_mut(idx) {
                    cursor.advance_to(doc);
                    if cursor.doc() == Some(doc) {
                        score += cursor.impact();
                    }
                }
            }
            if pruned || score <= threshold {
                continue;
            }
            heap.push(Worst(Hit { paragraph: doc, score }));
            if heap.len() > k {
                heap.pop();
            }
            if heap.len() == k {
                threshold = heap.peek().map_or(f64::NEG_INFINITY, |worst| worst.0.score);
            }
        }
        let mut hits: Vec<Hit> = heap.into_iter().map(|worst| worst.0).collect();
        sort_hits(&mut hits);
        hits
    }

    /// The same as [`Index::search`], scoring every posting of every query
    /// term: the plain algorithm the pruned one is tested against.
    #[must_use]
    pub fn search_exhaustive(&self, query: &str, k: usize) -> Vec<Hit> {
        let all = self.scores();
        let mut scores: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
        for term in self.query_terms(query) {
            let range = self.postings(term);
            let (Some(docs), Some(impacts)) =
                (self.parts.docs.get(range.clone()), all.impacts.get(range))
            else {
                continue;
            };
            for (&doc, &impact) in docs.iter().zip(impacts) {
                *scores.entry(doc).or_default() += f64::from(impact);
            }
        }
        let mut hits: Vec<Hit> =
            scores.into_iter().map(|(paragraph, score)| Hit { paragraph, score }).collect();
        sort_hits(&mut hits);
        hits.truncate(k);
        hits
    }

    /// The BM25 breakdown of paragraph `paragraph`'s score for `query`;
    /// `None` when there is no such paragraph.
    ///
    /// ```
    /// use briefing_retrieval::bm25::{IndexBuilder, Params, ShardBuilder, TermCache};
    /// let mut cache = TermCache::new();
    /// let mut shard = ShardBuilder::new(&mut cache);
    /// shard.add("d", "p0", "Trade rules and trade talks.");
    /// shard.add("d", "p1", "Security talks.");
    /// let mut builder = IndexBuilder::new(Params::default());
    /// builder.push(shard.finish()).unwrap();
    /// let index = builder.build().unwrap();
    /// let explanation = index.explain("trade talks", 0).unwrap();
    /// assert_eq!(explanation.terms.len(), 2);
    /// assert_eq!((explanation.terms[1].term.as_str(), explanation.terms[1].tf), ("trade", 2));
    /// assert_eq!(explanation.score, index.search("trade talks", 1)[0].score);
    /// ```
    #[must_use]
    pub fn explain(&self, query: &str, paragraph: u32) -> Option<Explanation> {
        let len = self.paragraph_len(paragraph)?;
        let stats = self.stats();
        let mut terms = Vec::new();
        let mut total = 0f64;
        for term in self.query_terms(query) {
            let range = self.postings(term);
            let docs = self.parts.docs.get(range.clone()).unwrap_or_default();
            let df = docs.len() as u64;
            let (tf, score) = match docs.binary_search(&paragraph) {
                Ok(pos) => {
                    let at = range.start + pos;
                    let tf = self.parts.tfs.get(at).copied().unwrap_or(0);
                    (tf, f64::from(self.scores().impacts.get(at).copied().unwrap_or(0.0)))
                }
                Err(_) => (0, 0.0),
            };
            total += score;
            terms.push(TermExplanation {
                term: self.term(term).unwrap_or("").to_owned(),
                df,
                idf: idf(stats.n_paragraphs as u64, df),
                tf,
                score,
            });
        }
        let params = self.params();
        Some(Explanation {
            paragraph,
            score: total,
            len,
            avg_len: stats.avg_len,
            k1: params.k1,
            b: params.b,
            terms,
        })
    }

    /// The score of one term in one paragraph, recomputed from the counts.
    #[cfg(test)]
    pub(crate) fn recompute(&self, tf: u32, len: u32, df: u64) -> f64 {
        let stats = self.stats();
        let params = self.params();
        let (k1, b) = (f64::from(params.k1), f64::from(params.b));
        let norm = k1 * (1.0 - b + b * f64::from(len) / stats.avg_len);
        super::index::term_score(idf(stats.n_paragraphs as u64, df), f64::from(tf), norm, k1)
    }
}
