//! Properties of words and sentences on arbitrary Unicode input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tokenize::{Analyzer, Span, Stopwords, char_ngrams, sentences, word_ngrams};
use proptest::prelude::*;

/// Arbitrary text, biased towards the characters the rules care about.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 .,;:!?'\"()\\-\n]{0,80}",
        "[a-zA-Zé0-9 .…!?'’“”()\\[\\]«»\u{a0}\u{301}\n—Жж中。！？]{0,80}",
        "((Mr|Dr|U\\.N|e\\.g|J|etc|No|[A-Z]|[a-z]+|[0-9]+)[.?!]{1,3}[\"')]? {0,2}){0,12}",
    ]
}

fn assert_words(analyzer: &Analyzer, text: &str) -> Result<(), TestCaseError> {
    let words = analyzer.words(text);
    let mut last_end = 0;
    for word in &words {
        let Span { start, end } = word.span;
        prop_assert!(start >= last_end && start < end, "span {:?} after {}", word.span, last_end);
        let surface = word.span.slice(text);
        prop_assert!(surface.is_some(), "span {:?} does not slice the text", word.span);
        let surface = surface.unwrap_or_default();
        prop_assert!(!word.norm.is_empty());
        // A word analyzed on its own is the same single word.
        let alone = analyzer.words(surface);
        prop_assert_eq!(alone.len(), 1, "{:?} splits alone", surface);
        prop_assert_eq!(alone[0].span, Span::new(0, surface.len()));
        prop_assert_eq!(&alone[0].norm, &word.norm);
        prop_assert_eq!(&alone[0].key, &word.key);
        prop_assert_eq!(analyzer.normalize(surface), word.norm.clone());
        prop_assert_eq!(analyzer.key(surface), word.key.clone());
        prop_assert_eq!(analyzer.is_stopword(&word.norm), word.is_stopword);
        last_end = end;
    }
    let mut streamed = Vec::new();
    analyzer.for_each_word(text, |word| streamed.push(word));
    prop_assert_eq!(&streamed, &words);
    // The borrowed tokens are the same words, field by field.
    let mut at = 0;
    let mut mismatch = None;
    analyzer.for_each_token(text, |token| {
        let same = words.get(at).is_some_and(|word| {
            token.span == word.span
                && token.norm == word.norm
                && token.key == word.key
                && token.is_stopword == word.is_stopword
        });
        if !same && mismatch.is_none() {
            mismatch = Some((at, token.to_word()));
        }
        at += 1;
    });
    prop_assert_eq!(mismatch, None);
    prop_assert_eq!(at, words.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn words_are_ordered_surface_slices(text in text()) {
        assert_words(&Analyzer::english(), &text)?;
        let raw = Analyzer::builder()
            .lowercase(false)
            .strip_accents(false)
            .stemmer(None)
            .stopwords(Stopwords::None)
            .build()
            .unwrap();
        assert_words(&raw, &text)?;
    }

    #[test]
    fn sentences_partition_the_text(text in text()) {
        let spans = sentences(&text);
        let mut covered = vec![false; text.len()];
        let mut last_end = 0;
        for span in &spans {
            prop_assert!(span.start >= last_end && span.start < span.end, "span {:?} after {}", span, last_end);
            let sentence = span.slice(&text);
            prop_assert!(sentence.is_some(), "span {:?} does not slice the text", span);
            let sentence = sentence.unwrap_or_default();
            prop_assert_eq!(sentence, sentence.trim());
            covered[span.range()].iter_mut().for_each(|c| *c = true);
            last_end = span.end;
        }
        for (idx, c) in text.char_indices() {
            prop_assert!(c.is_whitespace() || covered[idx], "{:?} at {} is in no sentence", c, idx);
        }
    }

    #[test]
    fn ngram_counts(keys in prop::collection::vec("[a-z]{1,4}", 0..8), n in 0usize..5) {
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let grams = word_ngrams(&refs, n);
        let expected = if n == 0 || n > keys.len() { 0 } else { keys.len() - n + 1 };
        prop_assert_eq!(grams.len(), expected);
        for (idx, gram) in grams.iter().enumerate() {
            prop_assert_eq!(gram, &refs[idx..idx + n].join(" "));
        }
    }

    #[test]
    fn char_ngram_counts(word in "\\PC{0,8}", min_n in 0usize..4, extra in 0usize..3) {
        let max_n = min_n + extra;
        let grams = char_ngrams(&word, min_n, max_n);
        let n_chars = word.chars().count() + 2;
        let expected: usize = if min_n == 0 {
            0
        } else {
            (min_n..=max_n).map(|n| (n_chars + 1).saturating_sub(n)).sum()
        };
        prop_assert_eq!(grams.len(), expected);
        let padded = format!("<{word}>");
        for gram in &grams {
            let len = gram.chars().count();
            prop_assert!(len >= min_n && len <= max_n && padded.contains(gram.as_str()));
        }
    }
}
