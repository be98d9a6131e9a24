//! The index: sorted terms, postings with precomputed scores, paragraph names.

use super::shard::Names;
use super::{Params, idf};
use briefing_tokenize::Analyzer;
use serde::{Deserialize, Serialize};

/// Everything an [`Index`] is made of, as built or loaded.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) params: Params,
    pub(crate) term_bytes: String,
    pub(crate) term_ends: Vec<u32>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) docs: Vec<u32>,
    pub(crate) tfs: Vec<u32>,
    pub(crate) doc_lens: Vec<u32>,
    pub(crate) names: Names,
    pub(crate) n_tokens: u64,
}

/// A BM25 index over paragraphs, ready to [search](Index::search).
///
/// Built by [`IndexBuilder`](super::IndexBuilder), saved and loaded with
/// [`Index::save`] / [`Index::load`]. Paragraphs are numbered from 0 in the
/// order they were added; [`Index::doc_id`] and [`Index::paragraph_id`] give
/// their names.
#[derive(Debug)]
pub struct Index {
    pub(crate) analyzer: Analyzer,
    pub(crate) parts: Parts,
    /// The scores, computed on the first query (building and saving an
    /// index never needs them).
    scores: std::sync::OnceLock<Scores>,
    /// First paragraph of each document run, for [`Index::doc_id`].
    run_starts: Vec<u32>,
}

/// Precomputed BM25 scores.
#[derive(Debug)]
pub(crate) struct Scores {
    /// The BM25 score of each posting, for its term and paragraph.
    pub(crate) impacts: Vec<f32>,
    /// The largest score in each term's postings.
    pub(crate) max_impacts: Vec<f32>,
}

/// Counts describing an [`Index`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexStats {
    /// Paragraphs indexed (including those without any term).
    pub n_paragraphs: usize,
    /// Distinct terms.
    pub n_terms: usize,
    /// (term, paragraph) pairs.
    pub n_postings: usize,
    /// Words of all paragraphs, stopwords included.
    pub n_tokens: u64,
    /// Indexed terms of all paragraphs (stopwords excluded), with repeats.
    pub n_indexed: u64,
    /// Mean number of indexed terms per paragraph.
    pub avg_len: f64,
}

impl Index {
    pub(crate) fn from_parts(parts: Parts) -> Index {
        let mut run_starts = Vec::with_capacity(parts.names.doc_runs.len());
        let mut start = 0u32;
        for (_, count) in &parts.names.doc_runs {
            run_starts.push(start);
            start = start.saturating_add(*count);
        }
        Index {
            analyzer: Analyzer::english(),
            parts,
            scores: std::sync::OnceLock::new(),
            run_starts,
        }
    }

    /// Computes the BM25 score of every posting now, rather than on the
    /// first query (for timing queries, or to answer the first one fast).
    pub fn warm_up(&self) {
        let _ = self.scores();
    }

    /// The precomputed scores, computed now if needed.
    pub(crate) fn scores(&self) -> &Scores {
        self.scores.get_or_init(|| compute_scores(&self.parts))
    }

    /// The BM25 parameters.
    #[must_use]
    pub fn params(&self) -> Params {
        self.parts.params
    }

    /// Counts: paragraphs, terms, postings, tokens.
    #[must_use]
    pub fn stats(&self) -> IndexStats {
        let n_paragraphs = self.parts.doc_lens.len();
        let n_indexed: u64 = self.parts.doc_lens.iter().map(|&len| u64::from(len)).sum();
        IndexStats {
            n_paragraphs,
            n_terms: self.parts.term_ends.len(),
            n_postings: self.parts.docs.len(),
            n_tokens: self.parts.n_tokens,
            n_indexed,
            avg_len: if n_paragraphs == 0 { 0.0 } else { n_indexed as f64 / n_paragraphs as f64 },
        }
    }

    /// The document id of paragraph `paragraph` (`None` past the end).
    #[must_use]
    pub fn doc_id(&self, paragraph: u32) -> Option<&str> {
        if paragraph as usize >= self.parts.doc_lens.len() {
            return None;
        }
        let run = self.run_starts.partition_point(|&start| start <= paragraph).checked_sub(1)?;
        self.parts.names.doc_runs.get(run).map(|(doc, _)| doc.as_str())
    }

    /// The paragraph id of paragraph `paragraph` (`None` past the end).
    #[must_use]
    pub fn paragraph_id(&self, paragraph: u32) -> Option<&str> {
        let idx = paragraph as usize;
        let end = *self.parts.names.para_ends.get(idx)? as usize;
        let start = match idx.checked_sub(1) {
            Some(prev) => self.parts.names.para_ends.get(prev).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.parts.names.para_bytes.get(start..end)
    }

    /// The number of indexed terms of paragraph `paragraph`.
    #[must_use]
    pub fn paragraph_len(&self, paragraph: u32) -> Option<u32> {
        self.parts.doc_lens.get(paragraph as usize).copied()
    }

    /// The id of `term` (an analyzer key), if indexed.
    pub(crate) fn term_id(&self, term: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.parts.term_ends.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let found = self.term(mid as u32)?;
            match found.cmp(term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return u32::try_from(mid).ok(),
            }
        }
        None
    }

    /// The text of term `id`.
    pub(crate) fn term(&self, id: u32) -> Option<&str> {
        let idx = id as usize;
        let end = *self.parts.term_ends.get(idx)? as usize;
        let start = match idx.checked_sub(1) {
            Some(prev) => self.parts.term_ends.get(prev).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.parts.term_bytes.get(start..end)
    }

    /// Postings of term `id`: its range in `docs`/`tfs`/`impacts`.
    pub(crate) fn postings(&self, id: u32) -> std::ops::Range<usize> {
        let start = self.parts.offsets.get(id as usize).copied().unwrap_or(0) as usize;
        let end = self.parts.offsets.get(id as usize + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// The distinct indexed terms of `query`, as sorted term ids; query
    /// words that are stopwords or not in the index are dropped.
    pub(crate) fn query_terms(&self, query: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        self.analyzer.for_each_word(query, |word| {
            if !word.is_stopword
                && let Some(id) = self.term_id(&word.key)
            {
                ids.push(id);
            }
        });
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

fn compute_scores(parts: &Parts) -> Scores {
    let n = parts.doc_lens.len() as u64;
    let total: u64 = parts.doc_lens.iter().map(|&len| u64::from(len)).sum();
    let avg_len = if n == 0 { 0.0 } else { total as f64 / n as f64 };
    let (k1, b) = (f64::from(parts.params.k1), f64::from(parts.params.b));
    let norms: Vec<f64> = parts
        .doc_lens
        .iter()
        .map(|&len| {
            let rel = if avg_len > 0.0 { f64::from(len) / avg_len } else { 0.0 };
            k1 * (1.0 - b + b * rel)
        })
        .collect();
    let n_terms = parts.term_ends.len();
    let mut impacts = vec![0f32; parts.docs.len()];
    let mut max_impacts = vec![0f32; n_terms];
    for term in 0..n_terms {
        let start = parts.offsets.get(term).copied().unwrap_or(0) as usize;
        let end = parts.offsets.get(term + 1).copied().unwrap_or(0) as usize;
        let idf = idf(n, (end.saturating_sub(start)) as u64);
        let (Some(docs), Some(tfs), Some(out)) =
            (parts.docs.get(start..end), parts.tfs.get(start..end), impacts.get_mut(start..end))
        else {
            continue;
        };
        let mut max = 0f32;
        for ((&doc, &tf), out) in docs.iter().zip(tfs).zip(out) {
            let norm = norms.get(doc as usize).copied().unwrap_or(k1);
            let impact = term_score(idf, f64::from(tf), norm, k1) as f32;
            *out = impact;
            max = max.max(impact);
        }
        if let Some(slot) = max_impacts.get_mut(term) {
            *slot = max;
        }
    }
    Scores { impacts, max_impacts }
}

/// The BM25 score of one term in one paragraph; `norm` is
/// `k1 · (1 − b + b · dl / avgdl)`.
pub(crate) fn term_score(idf: f64, tf: f64, norm: f64, k1: f64) -> f64 {
    idf * tf * (k1 + 1.0) / (tf + norm)
}
