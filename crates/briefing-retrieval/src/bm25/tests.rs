//! Tests of the BM25 module: the term cache against the analyzer, the index against the reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use briefing_tokenize::Analyzer;

/// A small deterministic generator (64-bit LCG), so tests need no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "council",
    "met",
    "in",
    "June",
    "to",
    "discuss",
    "trade",
    "security",
    "cooperation",
    "members",
    "member's",
    "meeting",
    "meetings",
    "agreed",
    "on",
    "a",
    "new",
    "plan",
    "for",
    "transport",
    "routes",
    "drug",
    "trafficking",
    "U.N.",
    "2013-2017",
    "1,000",
    "tons",
    "SCO’s",
    "Crème",
    "brûlée",
    "Совет",
    "“quoted”",
    "well-known",
    "e.g.",
    "don't",
    "and",
    "of",
    "economy",
    "summit",
    "Bishkek",
    "CJK漢字",
    "x86_64",
    "foo.bar",
    "(parenthesis)",
    "—",
    "…",
    "end.",
    "Question?",
    "yes!",
];

/// Words with a skewed (roughly Zipf) distribution, so some terms are frequent.
fn word(rng: &mut Rng) -> &'static str {
    let a = rng.below(WORDS.len());
    let b = rng.below(WORDS.len());
    WORDS[a.min(b)]
}

fn corpus(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(30);
            let mut text = String::new();
            for idx in 0..len {
                if idx > 0 {
                    text.push_str(if rng.below(10) == 0 { "\n" } else { " " });
                }
                text.push_str(word(&mut rng));
            }
            text
        })
        .collect()
}

fn build(texts: &[String], shard_size: usize) -> Index {
    build_with_caches(texts, shard_size, 1)
}

/// [`build`] with shards made by `n_caches` term caches in turn (as worker threads do).
fn build_with_caches(texts: &[String], shard_size: usize, n_caches: usize) -> Index {
    let mut caches: Vec<TermCache> = (0..n_caches.max(1)).map(|_| TermCache::new()).collect();
    let mut builder = IndexBuilder::new(Params::default());
    for (chunk_idx, chunk) in texts.chunks(shard_size.max(1)).enumerate() {
        let n = caches.len();
        let cache = &mut caches[chunk_idx * 7 % n];
        let mut shard = ShardBuilder::new(cache);
        for (idx, text) in chunk.iter().enumerate() {
            let global = chunk_idx * shard_size + idx;
            shard.add(&format!("doc{}", global / 3), &format!("p{}", global % 3), text);
        }
        builder.push(shard.finish()).unwrap();
    }
    builder.build().unwrap()
}

fn queries(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| (0..1 + rng.below(5)).map(|_| word(&mut rng)).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn term_cache_gives_the_analyzer_words() {
    let analyzer = Analyzer::english();
    let mut cache = TermCache::new();
    let mut texts = corpus(7, 300);
    texts.push("  leading and trailing\t\twhitespace \r\n".to_owned());
    texts.push(
        "a-very-long-hyphenated-piece-that-exceeds-the-slot-size and U.S.A. 22.04.2019".to_owned(),
    );
    texts.push(String::new());
    // Twice, so the second pass reads memoized pieces.
    for _ in 0..2 {
        for text in &texts {
            let expected: Vec<(String, bool)> =
                analyzer.words(text).into_iter().map(|w| (w.key, w.is_stopword)).collect();
            let terms = cache.terms(text);
            let got: Vec<(String, bool)> =
                terms.into_iter().map(|(id, stop)| (cache.key(id).to_owned(), stop)).collect();
            assert_eq!(got, expected, "{text:?}");
        }
    }
}

#[test]
fn search_equals_the_reference_on_a_sample() {
    let texts = corpus(11, 400);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let index = build(&texts, 37);
    let mut n_hits = 0;
    for query in queries(5, 60) {
        let fast = index.search(&query, 10);
        let slow = reference_search(&refs, &query, Params::default(), 10);
        assert_eq!(fast.len(), slow.len(), "{query}");
        for (rank, (f, s)) in fast.iter().zip(&slow).enumerate() {
            assert!(
                (f.score - s.score).abs() < 1e-4 * s.score.max(1.0),
                "{query} #{rank}: {f:?} vs {s:?}"
            );
            // The paragraphs agree unless the reference has a near-tie there.
            let near_tie =
                slow.iter().any(|o| o.paragraph != s.paragraph && (o.score - s.score).abs() < 1e-4);
            if !near_tie {
                assert_eq!(f.paragraph, s.paragraph, "{query} #{rank}");
            }
        }
        n_hits += fast.len();
    }
    assert!(n_hits > 300, "the sample queries must match something: {n_hits}");
}

#[test]
fn pruned_search_equals_exhaustive_search_exactly() {
    let texts = corpus(3, 1500);
    let index = build(&texts, 100);
    for query in queries(9, 200) {
        for k in [1, 3, 10, 50] {
            assert_eq!(
                index.search(&query, k),
                index.search_exhaustive(&query, k),
                "{query} k={k}"
            );
        }
    }
    assert!(index.search("", 10).is_empty());
    assert!(index.search("the and of", 10).is_empty(), "stopwords only");
    assert!(index.search("trade", 0).is_empty());
}

#[test]
fn sharding_does_not_change_the_index() {
    let texts = corpus(21, 500);
    let one = build(&texts, 500).to_bytes();
    for shard_size in [1, 7, 64] {
        assert!(build(&texts, shard_size).to_bytes() == one, "shard size {shard_size}");
    }
}

#[test]
fn the_caches_that_built_the_shards_do_not_change_the_index() {
    let texts = corpus(22, 400);
    let one = build(&texts, 400).to_bytes();
    // More caches than the builder remembers the ids of, so some are forgotten and met again.
    for n_caches in [2, 3, 11] {
        assert!(build_with_caches(&texts, 5, n_caches).to_bytes() == one, "{n_caches} caches");
    }
}

#[test]
fn names_and_stats() {
    let texts = corpus(2, 10);
    let index = build(&texts, 4);
    assert_eq!(index.doc_id(0), Some("doc0"));
    assert_eq!(index.doc_id(3), Some("doc1"));
    assert_eq!(index.doc_id(9), Some("doc3"));
    assert_eq!(index.doc_id(10), None);
    assert_eq!(index.paragraph_id(5), Some("p2"));
    assert_eq!(index.paragraph_id(10), None);
    let stats = index.stats();
    assert_eq!(stats.n_paragraphs, 10);
    let n_words: usize = texts.iter().map(|t| Analyzer::english().words(t).len()).sum();
    assert_eq!(stats.n_tokens, n_words as u64);
}

#[test]
fn explain_breaks_down_the_score() {
    let texts = corpus(4, 200);
    let index = build(&texts, 50);
    let query = "trade security routes";
    let hits = index.search(query, 5);
    assert!(!hits.is_empty());
    for hit in &hits {
        let explanation = index.explain(query, hit.paragraph).unwrap();
        assert_eq!(explanation.score, hit.score);
        let sum: f64 = explanation.terms.iter().map(|t| t.score).sum();
        assert!((sum - hit.score).abs() < 1e-9);
        for term in &explanation.terms {
            let expected =
                if term.tf == 0 { 0.0 } else { index.recompute(term.tf, explanation.len, term.df) };
            assert!((term.score - expected).abs() < 1e-5, "{term:?}");
        }
    }
    assert!(index.explain(query, 10_000).is_none());
}

#[test]
fn save_and_load_round_trip() {
    let texts = corpus(8, 300);
    let index = build(&texts, 40);
    let dir = tempfile::tempdir().unwrap();
    index.save(dir.path()).unwrap();
    assert!(!dir.path().join(format!("{INDEX_FILE}.tmp")).exists());
    let loaded = Index::load(dir.path()).unwrap();
    assert_eq!(loaded.stats(), index.stats());
    assert!(loaded.to_bytes() == index.to_bytes());
    for query in queries(1, 30) {
        assert_eq!(loaded.search(&query, 10), index.search(&query, 10));
    }
    for paragraph in 0..300 {
        assert_eq!(loaded.doc_id(paragraph), index.doc_id(paragraph));
        assert_eq!(loaded.paragraph_id(paragraph), index.paragraph_id(paragraph));
    }
}

#[test]
fn saving_from_the_builder_writes_the_built_index_byte_for_byte() {
    let texts = corpus(9, 700);
    let expected = build(&texts, 700).to_bytes();
    for (shard_size, n_caches, threads) in [(700, 1, 1), (33, 2, 2), (5, 3, 3), (64, 11, 7)] {
        let mut caches: Vec<TermCache> = (0..n_caches).map(|_| TermCache::new()).collect();
        let mut builder = IndexBuilder::new(Params::default());
        for (chunk_idx, chunk) in texts.chunks(shard_size).enumerate() {
            let cache = &mut caches[chunk_idx * 7 % n_caches];
            let mut shard = ShardBuilder::new(cache);
            for (idx, text) in chunk.iter().enumerate() {
                let global = chunk_idx * shard_size + idx;
                shard.add(&format!("doc{}", global / 3), &format!("p{}", global % 3), text);
            }
            builder.push(shard.finish()).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let stats = builder.save(dir.path(), threads).unwrap();
        let saved = std::fs::read(dir.path().join(INDEX_FILE)).unwrap();
        assert!(saved == expected, "shards of {shard_size}, {n_caches} caches, {threads} threads");
        assert!(!dir.path().join(format!("{INDEX_FILE}.tmp")).exists());
        assert_eq!(stats, Index::from_bytes(&expected).unwrap().stats());
    }
    let dir = tempfile::tempdir().unwrap();
    let stats = IndexBuilder::new(Params::default()).save(dir.path(), 2).unwrap();
    assert_eq!((stats.n_paragraphs, stats.n_terms, stats.n_postings), (0, 0, 0));
    assert_eq!(Index::load(dir.path()).unwrap().stats(), stats);
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let texts = corpus(6, 50);
    let bytes = build(&texts, 10).to_bytes();
    assert!(Index::from_bytes(&bytes).is_ok());
    for cut in [0, 7, 8, 12, 20, bytes.len() / 2, bytes.len() - 1] {
        assert!(Index::from_bytes(bytes.get(..cut).unwrap()).is_err(), "cut at {cut}");
    }
    for at in (0..bytes.len()).step_by(97) {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x55;
        assert!(Index::from_bytes(&damaged).is_err(), "byte {at}");
    }
    let mut newer = bytes.clone();
    newer[8] = 99;
    let err = Index::from_bytes(&newer).unwrap_err();
    assert!(err.to_string().contains("version 99"), "{err}");
}

#[test]
fn text_store_round_trip() {
    let texts = corpus(12, 100);
    let dir = tempfile::tempdir().unwrap();
    let mut writer = TextStoreWriter::create(dir.path()).unwrap();
    for text in &texts {
        writer.append(text).unwrap();
    }
    assert_eq!(writer.len(), 100);
    assert!(!dir.path().join(TEXTS_FILE).exists(), "only the finished file gets the final name");
    writer.finish().unwrap();
    let store = TextStore::open(dir.path()).unwrap();
    assert_eq!(store.len(), 100);
    for (idx, text) in texts.iter().enumerate() {
        assert_eq!(&store.get(idx).unwrap(), text);
    }
    assert!(store.get(100).is_err());
    // An abandoned writer leaves nothing behind.
    let other = tempfile::tempdir().unwrap();
    let mut writer = TextStoreWriter::create(other.path()).unwrap();
    writer.append("x").unwrap();
    drop(writer);
    assert_eq!(std::fs::read_dir(other.path()).unwrap().count(), 0);
}
