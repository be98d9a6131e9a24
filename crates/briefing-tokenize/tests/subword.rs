//! Subword tokenizers: training, encoding offsets, save/load round trips, batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_tokenize::Error;
use briefing_tokenize::subword::{BpeConfig, Encoding, SubwordTokenizer, WordPieceConfig};

/// A small training corpus, one document per line.
const CORPUS: &[&str] = &[
    "The council met on Monday to discuss the new harbour terminal.",
    "Council members discussed the terminal, the ferries and the timetable.",
    "The new terminal will handle up to 1,500 passengers a day.",
    "Members of the council said the harbour needs new ferries.",
    "Discussions about the timetable continued on Tuesday and Wednesday.",
    "Residents asked the council about traffic near the harbour.",
    "The ferries will use hybrid engines; emissions will drop.",
    "Совет обсудил новый терминал и паромы.",
];

const PROBES: &[&str] = &[
    "The council discussed ferries.",
    "Unseen words: zebra, quixotic!",
    "Совет и паромы — 2019-2020",
    "",
    "   spaced   out  ",
];

fn wordpiece() -> SubwordTokenizer {
    let config =
        WordPieceConfig { vocab_size: 200, min_frequency: 1, ..WordPieceConfig::default() };
    SubwordTokenizer::train_wordpiece_from_iter(&config, CORPUS.iter().copied()).unwrap()
}

fn bpe() -> SubwordTokenizer {
    let config = BpeConfig { vocab_size: 400, min_frequency: 1, ..BpeConfig::default() };
    SubwordTokenizer::train_bpe_from_iter(&config, CORPUS.iter().copied()).unwrap()
}

fn encodings(tokenizer: &SubwordTokenizer) -> Vec<Encoding> {
    PROBES.iter().map(|text| tokenizer.encode(text).unwrap()).collect()
}

/// Every token has a span that slices `text` and is in order.
#[track_caller]
fn assert_offsets(text: &str, encoding: &Encoding) {
    assert_eq!(encoding.ids.len(), encoding.tokens.len());
    assert_eq!(encoding.ids.len(), encoding.offsets.len());
    let mut last_start = 0;
    for (token, span) in encoding.tokens.iter().zip(&encoding.offsets) {
        let surface = span.slice(text);
        assert!(surface.is_some(), "{token:?} at {span:?} does not slice {text:?}");
        assert!(span.start >= last_start, "{token:?} out of order in {text:?}");
        last_start = span.start;
    }
}

#[test]
fn wordpiece_tokens_match_their_surface() {
    let tokenizer = wordpiece();
    assert!(tokenizer.vocab_size() <= 200 && tokenizer.vocab_size() > 50);
    assert_eq!(tokenizer.token_to_id("[PAD]"), Some(0));
    assert_eq!(tokenizer.token_to_id("[UNK]"), Some(1));
    for text in PROBES {
        let encoding = tokenizer.encode(text).unwrap();
        assert_offsets(text, &encoding);
        for (token, span) in encoding.tokens.iter().zip(&encoding.offsets) {
            let surface = span.slice(text).unwrap().to_lowercase();
            if token != "[UNK]" && surface.is_ascii() {
                assert_eq!(token.trim_start_matches("##"), surface, "in {text:?}");
            }
        }
    }
    let council = tokenizer.encode("council").unwrap();
    assert_eq!(council.tokens, ["council"]);
    assert_eq!(
        tokenizer.decode(&tokenizer.encode("The council met").unwrap().ids).unwrap(),
        "the council met"
    );
}

#[test]
fn bpe_offsets_and_decoding() {
    let tokenizer = bpe();
    assert!(tokenizer.vocab_size() <= 400 && tokenizer.vocab_size() > 256);
    for text in PROBES {
        let encoding = tokenizer.encode(text).unwrap();
        assert_offsets(text, &encoding);
        // Byte-level BPE is lossless.
        assert_eq!(tokenizer.decode(&encoding.ids).unwrap(), *text);
    }
}

#[test]
fn save_and_load_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for (name, tokenizer) in [("wordpiece.json", wordpiece()), ("bpe.json", bpe())] {
        let path = dir.path().join(name);
        tokenizer.save(&path).unwrap();
        let loaded = SubwordTokenizer::from_file(&path).unwrap();
        assert_eq!(loaded.vocab_size(), tokenizer.vocab_size());
        assert_eq!(encodings(&loaded), encodings(&tokenizer), "{name}");
        assert_eq!(loaded.to_json().unwrap(), tokenizer.to_json().unwrap());
        let from_json = SubwordTokenizer::from_json(&tokenizer.to_json().unwrap()).unwrap();
        assert_eq!(encodings(&from_json), encodings(&tokenizer));
    }
}

#[test]
fn training_from_files_equals_training_from_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = CORPUS.split_at(4);
    let paths = [dir.path().join("a.txt"), dir.path().join("b.txt")];
    std::fs::write(&paths[0], first.join("\n")).unwrap();
    std::fs::write(&paths[1], second.join("\n")).unwrap();

    let config =
        WordPieceConfig { vocab_size: 200, min_frequency: 1, ..WordPieceConfig::default() };
    let from_files = SubwordTokenizer::train_wordpiece(&config, &paths).unwrap();
    assert_eq!(from_files.to_json().unwrap(), wordpiece().to_json().unwrap());

    let config = BpeConfig { vocab_size: 400, min_frequency: 1, ..BpeConfig::default() };
    let from_files = SubwordTokenizer::train_bpe(&config, &paths).unwrap();
    assert_eq!(from_files.to_json().unwrap(), bpe().to_json().unwrap());
}

#[test]
fn training_is_deterministic_across_thread_counts() {
    let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
    let one = pool(1).install(|| (wordpiece().to_json().unwrap(), bpe().to_json().unwrap()));
    let three = pool(3).install(|| (wordpiece().to_json().unwrap(), bpe().to_json().unwrap()));
    assert_eq!(one, three);
}

#[test]
fn encode_batch_equals_encode_in_any_pool() {
    for tokenizer in [wordpiece(), bpe()] {
        let expected = encodings(&tokenizer);
        assert_eq!(tokenizer.encode_batch(PROBES).unwrap(), expected);
        for n_threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().unwrap();
            assert_eq!(pool.install(|| tokenizer.encode_batch(PROBES)).unwrap(), expected);
        }
        assert!(tokenizer.encode_batch(&[]).unwrap().is_empty());
    }
}

#[test]
fn errors_name_their_cause() {
    let missing = std::path::Path::new("/nonexistent/dir/tokenizer.json");
    let error = SubwordTokenizer::from_file(missing).unwrap_err();
    assert!(matches!(&error, Error::Io { path, .. } if path == missing));
    assert!(error.to_string().starts_with("/nonexistent/dir/tokenizer.json: "));

    let error = SubwordTokenizer::train_bpe(&BpeConfig::default(), &[missing]).unwrap_err();
    assert!(matches!(error, Error::Io { .. }));

    assert!(matches!(SubwordTokenizer::from_json("{\"not\": 1}"), Err(Error::Tokenizer(_))));

    let zero = WordPieceConfig { vocab_size: 0, ..WordPieceConfig::default() };
    let error = SubwordTokenizer::train_wordpiece_from_iter(&zero, ["text"]).unwrap_err();
    assert_eq!(error.to_string(), "invalid configuration: vocab_size must be positive");

    let dir = tempfile::tempdir().unwrap();
    let error = bpe().save(dir.path().join("no/such/dir/t.json")).unwrap_err();
    assert!(matches!(error, Error::Io { .. }));
}
