//! Vocabulary counts, merging and deterministic order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tokenize::{Analyzer, Vocabulary};
use proptest::prelude::*;
use rayon::prelude::*;

#[test]
fn counts_and_order() {
    let mut vocab: Vocabulary = ["b", "a", "c", "a", "b", "a"].into_iter().collect();
    vocab.add_count("d", 2);
    assert_eq!((vocab.count("a"), vocab.count("zz"), vocab.len(), vocab.total()), (3, 0, 4, 8));
    let order: Vec<(&str, u64)> = vocab.iter().collect();
    assert_eq!(order, [("a", 3), ("b", 2), ("d", 2), ("c", 1)]);
    vocab.retain_min_count(2);
    assert!(!vocab.contains("c") && vocab.contains("d"));
    assert!(Vocabulary::new().is_empty());
}

#[test]
fn serializes_sorted_and_round_trips() {
    let vocab: Vocabulary = ["zeta", "alpha", "zeta"].into_iter().collect();
    let json = serde_json::to_string(&vocab).unwrap();
    assert_eq!(json, r#"{"alpha":1,"zeta":2}"#);
    assert_eq!(serde_json::from_str::<Vocabulary>(&json).unwrap(), vocab);
}

#[test]
fn parallel_reduce_equals_sequential() {
    let analyzer = Analyzer::english();
    let docs = [
        "The council met on Monday.",
        "Council members met again; the councils agreed.",
        "Members of the council, the harbour and the port.",
        "Совет собрался снова.",
    ];
    let count = |doc: &&str| {
        let mut vocab = Vocabulary::new();
        analyzer.for_each_word(doc, |word| vocab.add(&word.key));
        vocab
    };
    let sequential = docs.iter().map(count).fold(Vocabulary::new(), Vocabulary::merge);
    for n_threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().unwrap();
        let parallel =
            pool.install(|| docs.par_iter().map(count).reduce(Vocabulary::new, Vocabulary::merge));
        assert_eq!(parallel, sequential);
        assert_eq!(parallel.iter().collect::<Vec<_>>(), sequential.iter().collect::<Vec<_>>());
    }
    assert_eq!(sequential.count("council"), 4);
}

proptest! {
    #[test]
    fn merge_is_commutative_and_associative(
        a in prop::collection::vec("[a-d]{1,2}", 0..20),
        b in prop::collection::vec("[a-d]{1,2}", 0..20),
        c in prop::collection::vec("[a-d]{1,2}", 0..20),
    ) {
        let v = |terms: &Vec<String>| terms.iter().collect::<Vocabulary>();
        prop_assert_eq!(v(&a).merge(v(&b)), v(&b).merge(v(&a)));
        prop_assert_eq!(v(&a).merge(v(&b)).merge(v(&c)), v(&a).merge(v(&b).merge(v(&c))));
        let all: Vocabulary = a.iter().chain(&b).collect();
        prop_assert_eq!(v(&a).merge(v(&b)), all);
    }
}
