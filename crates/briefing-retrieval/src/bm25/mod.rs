//! Large-scale BM25 over every paragraph of a corpus: a parallel-friendly
//! builder, compact postings, exact top-k search with MaxScore pruning, a
//! versioned binary file format, and a slow reference scorer to check it.
//!
//! This module is separate from the question-answering [`Index`](crate::Index):
//! it ranks plain paragraphs by BM25 and nothing else, but scales to millions
//! of paragraphs.
//!
//! The pieces, in the order data flows through them:
//!
//! 1. [`TermCache`] turns text into term ids with the
//!    [`Analyzer::english`](briefing_tokenize::Analyzer::english) analyzer,
//!    memoizing each word norm's term id (only a norm's first occurrence is
//!    stemmed; nothing is allocated per word). A cache belongs
//!    to one thread; its results never depend on what it has cached.
//! 2. [`ShardBuilder`] indexes a run of consecutive paragraphs into a
//!    [`Shard`]. Shards of disjoint runs can be built on different threads.
//! 3. [`IndexBuilder`] merges shards *in the order they are pushed* (so the
//!    result does not depend on which thread built which shard), and
//!    [`IndexBuilder::build`] sorts the terms and lays out the postings; or
//!    [`IndexBuilder::save`] writes the index file directly, term ranges
//!    encoded on several threads, without laying out the whole index in memory.
//! 4. [`Index::search`] returns the exact BM25 top `k` (MaxScore over
//!    per-term score bounds; ties go to the earlier paragraph), and
//!    [`Index::explain`] breaks a score down term by term.
//! 5. [`Index::save`] / [`Index::load`] write and read `index.bin` in a
//!    directory ([`FORMAT_VERSION`], a magic header, a checksum);
//!    [`TextStoreWriter`] / [`TextStore`] keep the paragraph texts beside it
//!    (`texts.bin`), read one at a time.
//! 6. [`reference_search`] computes BM25 the slow, obvious way, from the raw
//!    texts, to check the index against.
//!
//! Scoring is Lucene's BM25: for each distinct query term `t` present in
//! paragraph `d`,
//! `idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl))` with
//! `idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))`. Terms are the analyzer's
//! stemmed keys of the words that are not stopwords; `dl` counts them.
//!
//! ```
//! use briefing_retrieval::bm25::{IndexBuilder, Params, ShardBuilder, TermCache};
//!
//! let mut cache = TermCache::new();
//! let mut shard = ShardBuilder::new(&mut cache);
//! shard.add("talk", "p0", "The council met in June to discuss trade.");
//! shard.add("talk", "p1", "Security cooperation was the main topic.");
//! shard.add("notes", "p0", "Trade between the members grew, and trade rules changed.");
//! let mut builder = IndexBuilder::new(Params::default());
//! builder.push(shard.finish()).unwrap();
//! let index = builder.build().unwrap();
//!
//! let hits = index.search("trading rules", 10);
//! assert_eq!(hits.len(), 2);
//! assert_eq!((index.doc_id(hits[0].paragraph), index.paragraph_id(hits[0].paragraph)), (Some("notes"), Some("p0")));
//! assert!(hits[0].score > hits[1].score);
//! ```

mod builder;
mod cache;
mod format;
mod index;
mod reference;
mod search;
mod shard;
mod store;

#[cfg(test)]
mod tests;

pub use builder::IndexBuilder;
pub(crate) use builder::prefix;
pub use cache::TermCache;
pub use format::{FORMAT_VERSION, INDEX_FILE};
pub use index::{Index, IndexStats};
pub use reference::reference_search;
pub use search::{Explanation, Hit, TermExplanation};
pub use shard::{Shard, ShardBuilder};
pub use store::{TEXTS_FILE, TextStore, TextStoreWriter};

use serde::{Deserialize, Serialize};

/// The BM25 parameters.
///
/// ```
/// use briefing_retrieval::bm25::Params;
/// let params = Params::default();
/// assert_eq!((params.k1, params.b), (1.2, 0.75));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Term-frequency saturation (Lucene's default 1.2).
    pub k1: f32,
    /// Length normalization, from 0 (none) to 1 (full); 0.75 by default.
    pub b: f32,
}

impl Default for Params {
    fn default() -> Params {
        Params { k1: 1.2, b: 0.75 }
    }
}

/// The inverse document frequency of a term found in `df` of `n` paragraphs.
fn idf(n: u64, df: u64) -> f64 {
    let (n, df) = (n as f64, df as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}
