//! Prints the words and sentences of a text given as arguments (or a built-in sample).
//!
//! ```text
//! cargo run -p briefing-tokenize --example words -- "Mr. Smith’s U.N. report: 1,000 pages."
//! ```

use briefing_tokenize::{Analyzer, Vocabulary, sentences, word_ngrams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = if args.is_empty() {
        "Mr. Smith’s U.N. report covers 2013-2017. It runs to 1,000 pages! Was it read?".to_owned()
    } else {
        args.join(" ")
    };

    // 1. Sentences: byte spans into the original text.
    println!("sentences:");
    for span in sentences(&text) {
        println!("  {:>4}..{:<4} {}", span.start, span.end, &text[span.range()]);
    }

    // 2. Words: surface form (sliced from the original), norm, key, stopword flag.
    let analyzer = Analyzer::english();
    let words = analyzer.words(&text);
    println!("words:");
    for word in &words {
        let stop = if word.is_stopword { " (stopword)" } else { "" };
        println!(
            "  {:>4}..{:<4} {:<12} norm={:<12} key={}{stop}",
            word.span.start,
            word.span.end,
            &text[word.span.range()],
            word.norm,
            word.key
        );
    }

    // 3. Content keys, their bigrams and a vocabulary.
    let keys: Vec<&str> = words.iter().filter(|w| !w.is_stopword).map(|w| w.key.as_str()).collect();
    println!("bigrams: {:?}", word_ngrams(&keys, 2));
    let vocab: Vocabulary = keys.iter().collect();
    println!("vocabulary: {:?}", vocab.iter().collect::<Vec<_>>());
}
