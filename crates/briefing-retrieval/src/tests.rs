//! Behaviour tests on the small inline interview of `testdata`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::testdata::{builder, index};
use crate::{
    Abstention, AnswerType, Config, Features, Index, IndexBuilder, MatchKind, Passage, Query,
    Source,
};

/// Asks `question` and checks the passage and that the answer contains
/// `expect` (or that it abstains when `expect` is `None`).
fn check(index: &Index, question: &str, expect: Option<(&str, &str)>) {
    let answer = index.answer(&Query::new(question));
    match expect {
        Some((passage, text)) => {
            let got = answer.passage_idx.map(|i| index.passages()[i].id.as_str());
            assert_eq!(got, Some(passage), "{question}: {answer:#?}");
            assert!(answer.text.contains(text), "{question}: {:?} lacks {text:?}", answer.text);
            assert!(answer.answered, "{question}: abstained with {answer:#?}");
        }
        None => assert!(!answer.answered, "{question}: answered {:?} ({answer:#?})", answer.text),
    }
}

#[test]
fn ranks_the_passage_with_the_rarest_matching_words_first() {
    let index = index();
    let hits = index.search(&Query::new("pumping stations repaired"), 3);
    assert_eq!(hits[0].passage_id, "p2");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    check(&index, "Which pumping stations were repaired?", Some(("p2", "120 pumping stations")));
}

#[test]
fn synonyms_reach_the_transcript_wording() {
    let index = index();
    check(
        &index,
        "How many kilometers of dikes were built?",
        Some(("p2", "40 kilometres of new levees")),
    );
    let mut config = Config::default();
    config.features.synonyms = false;
    let plain = builder(config).build().unwrap();
    let hits = plain.search(&Query::new("dikes"), 3);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn multiword_abbreviations_expand_both_ways() {
    let index = index();
    let explained = index.explain(&Query::new("RCC levees"), 0);
    assert_eq!(explained.words.len(), 2);
    assert_eq!(explained.words[1].kind, Some(MatchKind::Exact));
}

#[test]
fn typos_are_corrected_against_the_vocabulary() {
    let index = index();
    check(&index, "how many pumpng statoins were repaird", Some(("p2", "120 pumping stations")));
    let explained = index.explain(&Query::new("pumpng"), 0);
    assert_eq!(explained.words[0].corrected.as_deref(), Some("pumping"));
    assert_eq!(explained.words[0].kind, Some(MatchKind::Typo));
    let mut config = Config::default();
    config.features.typos = false;
    let strict = builder(config).build().unwrap();
    assert!(strict.search(&Query::new("pumpng"), 3).is_empty());
}

#[test]
fn answer_type_picks_the_sentence_with_the_number_date_or_place() {
    let index = index();
    check(&index, "How many flood warnings were issued?", Some(("p3", "2,500 flood warnings")));
    check(&index, "Where will the next session be held?", Some(("p5", "held in Riverton")));
    let answer = index.answer(&Query::new("How many trees were planted?"));
    assert_eq!(answer.answer_type, Some(AnswerType::Quantity));
    assert!(answer.text.contains("one million trees"), "{}", answer.text);
    assert_eq!(answer.signals.type_missing, 0.0);
}

#[test]
fn the_interviewers_question_is_context_for_its_answers() {
    let index = index();
    let hits = index.search(&Query::new("achievements in flood protection"), 5);
    let top: Vec<&str> = hits.iter().take(2).map(|h| h.passage_id.as_str()).collect();
    assert!(top.contains(&"p2") && top.contains(&"p3"), "{hits:?}");
    let mut config = Config::default();
    config.features.context = false;
    let without = builder(config).build().unwrap();
    assert!(without.search(&Query::new("achieved protection"), 5).is_empty());
}

#[test]
fn bank_questions_answer_paraphrases() {
    let index = index();
    check(&index, "Are farmers helped with watering?", Some(("p6", "grants for irrigation")));
    let mut config = Config::default();
    config.features.bank = false;
    let without = builder(config).build().unwrap();
    let answer = without.answer(&Query::new("Are farmers helped with watering?"));
    assert!(
        answer.signals.bank == 0.0
            && answer.confidence
                < index.answer(&Query::new("Are farmers helped with watering?")).confidence
    );
}

#[test]
fn abstains_on_unanswered_and_unrelated_questions() {
    let index = index();
    check(&index, "What is the council's annual budget?", None);
    check(&index, "recipe for pancakes with blueberries", None);
    check(&index, "When was the council founded?", None);
    let answer = index.answer(&Query::new("pancakes"));
    assert_eq!(answer.abstention, Some(Abstention::NoKnownWords));
}

#[test]
fn off_topic_probability_lowers_confidence() {
    let index = index();
    let plain = index.answer(&Query::new("grants for irrigation"));
    let hinted = index.answer(&Query::new("grants for irrigation").off_topic(0.95));
    assert!(hinted.confidence < plain.confidence);
    assert!(!hinted.answered);
}

#[test]
fn topic_hint_breaks_ties_toward_the_labelled_passage() {
    let mut b = IndexBuilder::new(Config::default());
    b.document(
        Source::default(),
        vec![Passage::new("a", "Cooperation grew."), Passage::new("b", "Cooperation grew.")],
    );
    b.label("", "b", "economy");
    let index = b.build().unwrap();
    assert_eq!(index.search(&Query::new("cooperation"), 1)[0].passage_id, "a");
    assert_eq!(
        index.search(&Query::new("cooperation").topic("economy", 0.9), 1)[0].passage_id,
        "b"
    );
    let mut config = index.config().clone();
    config.features.topic = false;
    let mut off = index.clone();
    off.set_config(config);
    assert_eq!(off.search(&Query::new("cooperation").topic("economy", 0.9), 1)[0].passage_id, "a");
}

#[test]
fn answers_are_at_most_600_characters_of_1_to_3_sentences() {
    let long_sentence = format!("The river {} ends here.", "flows and flows ".repeat(60));
    let text = format!("Floods came. {long_sentence} Floods went. Floods again. Floods stayed.");
    let mut b = IndexBuilder::new(Config::default());
    b.document(Source::default(), vec![Passage::new("p0", &text)]);
    let index = b.build().unwrap();
    for q in ["river flows", "floods", "floods came went again stayed"] {
        let answer = index.answer(&Query::new(q));
        assert!(answer.text.chars().count() <= 600, "{q}: {}", answer.text.len());
        assert!((1..=3).contains(&answer.sentences.len()), "{q}: {:?}", answer.sentences);
    }
}

#[test]
fn save_and_load_give_the_same_answers() {
    let index = index();
    let mut bytes = Vec::new();
    index.save(&mut bytes).unwrap();
    let loaded = Index::load(bytes.as_slice()).unwrap();
    for q in
        ["How many kilometers of dikes were built?", "pumpng", "budget", "where is the session"]
    {
        assert_eq!(loaded.answer(&Query::new(q)), index.answer(&Query::new(q)), "{q}");
    }
    let mut again = Vec::new();
    loaded.save(&mut again).unwrap();
    assert_eq!(bytes, again);
    let wrong = String::from_utf8(bytes).unwrap().replace(crate::FORMAT, "other/9");
    assert!(matches!(Index::load(wrong.as_bytes()), Err(crate::Error::Format { .. })));
    assert!(Index::load(&b"{"[..]).is_err());
}

/// The test interview with derived (lower-weight) synonym rules and a
/// lexicon too, so every saved part is exercised.
fn rich_index() -> Index {
    let mut synonyms = crate::Synonyms::parse(crate::testdata::SYNONYMS).unwrap();
    let derived =
        "watering => irrigation\nsession | meeting | sitting\nagriculture => farming | husbandry\n";
    synonyms.extend(crate::Synonyms::parse(derived).unwrap().with_weight(0.6));
    let mut b = builder(Config::default());
    b.synonyms(synonyms).lexicon(crate::Lexicon::new(["budget", "weather"]));
    b.build().unwrap()
}

const SAVE_QUESTIONS: [&str; 6] = [
    "How many kilometers of dikes were built?",
    "pumpng",
    "budget",
    "where is the session",
    "where is the next meeting held",
    "how are fields watered for farming",
];

#[test]
fn binary_save_and_load_give_the_same_answers_and_bytes() {
    let index = rich_index();
    let bytes = index.to_bytes().unwrap();
    assert!(bytes.starts_with(&crate::BINARY_MAGIC));
    let loaded = Index::from_bytes(&bytes).unwrap();
    for q in SAVE_QUESTIONS {
        assert_eq!(loaded.answer(&Query::new(q)), index.answer(&Query::new(q)), "{q}");
    }
    assert_eq!(loaded.n_terms(), index.n_terms());
    assert_eq!(loaded.n_known_words(), index.n_known_words());
    // Answering compiled lazy parts; the file does not change.
    assert_eq!(loaded.to_bytes().unwrap(), bytes);
    let mut written = Vec::new();
    loaded.save_binary(&mut written).unwrap();
    assert_eq!(written, bytes);
    let again = Index::load_binary(written.as_slice()).unwrap();
    assert_eq!(again.to_bytes().unwrap(), bytes);
    // The binary file holds the same index as the JSON one.
    let mut json = Vec::new();
    index.save(&mut json).unwrap();
    let from_json = Index::load(json.as_slice()).unwrap();
    assert_eq!(from_json.to_bytes().unwrap(), bytes);
    assert!(bytes.len() < json.len(), "{} vs {}", bytes.len(), json.len());
}

#[test]
fn binary_load_refuses_other_versions_and_other_files() {
    let bytes = rich_index().to_bytes().unwrap();
    let mut other = bytes.clone();
    other[8..12].copy_from_slice(&(crate::BINARY_VERSION + 1).to_le_bytes());
    let error = Index::from_bytes(&other).unwrap_err();
    assert!(matches!(error, crate::Error::Format { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        format!(
            "saved index has format \"binary version {}\", expected \"binary version {}\"",
            crate::BINARY_VERSION + 1,
            crate::BINARY_VERSION
        )
    );
    let mut json = Vec::new();
    rich_index().save(&mut json).unwrap();
    for not_binary in [&json[..], b"BRF-BM25\x01\0\0\0", b"hello world, not an index"] {
        let error = Index::from_bytes(not_binary).unwrap_err();
        assert!(matches!(error, crate::Error::NotBinary), "{error}");
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"xyz");
    let error = Index::from_bytes(&longer).unwrap_err();
    assert_eq!(error.to_string(), "saved index is followed by 3 unexpected bytes");
}

#[test]
fn binary_load_of_truncated_or_garbled_input_errs_without_panicking() {
    let bytes = rich_index().to_bytes().unwrap();
    let step = bytes.len() / 400 + 1;
    let lengths =
        (0..64).chain((64..bytes.len()).step_by(step)).chain(bytes.len() - 64..bytes.len());
    for len in lengths {
        let error = Index::from_bytes(&bytes[..len]).unwrap_err();
        assert!(matches!(error, crate::Error::Binary { .. }), "{len}: {error}");
        assert_eq!(error.to_string(), "saved index is truncated", "{len}");
    }
    // Flipped bytes (a fixed pseudo-random walk over the body): an error or
    // an index, never a panic; a loaded one still answers.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut n_errors = 0;
    for _ in 0..300 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut garbled = bytes.clone();
        let at = 12 + (state as usize) % (bytes.len() - 12);
        garbled[at] ^= 1 + (state >> 32) as u8 % 255;
        match Index::from_bytes(&garbled) {
            Ok(index) => {
                for q in SAVE_QUESTIONS {
                    let _ = index.answer(&Query::new(q));
                }
            }
            Err(_) => n_errors += 1,
        }
    }
    assert!(n_errors > 0);
    let error = Index::load_binary(&b"BRF-RETR\x02\0\0\0\xff\xff"[..]).unwrap_err();
    assert!(matches!(error, crate::Error::Binary { .. }), "{error}");
}

#[test]
fn binary_load_refuses_a_term_order_naming_unknown_terms() {
    let bytes = rich_index().to_bytes().unwrap();
    // The body ends with the word terms' order: make its last id huge.
    let mut garbled = bytes[..bytes.len() - 1].to_vec();
    garbled.extend_from_slice(&[0xff, 0xff, 0x03]);
    let error = Index::from_bytes(&garbled).unwrap_err();
    assert!(matches!(error, crate::Error::Binary { .. }), "{error}");
    assert_eq!(error.to_string(), "saved index is corrupt");
}

#[test]
fn explain_adds_up_to_the_score() {
    let index = index();
    let query = Query::new("new levees built");
    let hits = index.search(&query, 1);
    let explained = index.explain(&query, hits[0].passage_idx);
    let sum: f32 = explained.words.iter().map(|w| w.score).sum();
    assert!((sum - explained.base).abs() < 1e-5);
    assert!((explained.score - hits[0].score).abs() < 1e-4, "{explained}");
    assert!(explained.to_string().contains("levees"));
    let levees = &explained.words[1];
    assert_eq!(levees.tf, [1.0, 0.0, 0.0]);
    assert!(levees.idf > 0.0 && levees.tf_part > 0.0);
}

#[test]
fn speaker_words_weigh_less_than_content() {
    let index = index();
    let explained = index.explain(&Query::new("Anna Berg irrigation grants"), 3);
    assert!(explained.words[0].weight < 1.0);
    assert_eq!(explained.words[2].weight, 1.0);
}

#[test]
fn bad_input_never_panics_and_never_answers() {
    let index = index();
    let huge = "flood ".repeat(20_000);
    let inputs = [
        "",
        "   \t ",
        "🙂🙂🙂",
        "?!...",
        "Что такое совет?",
        "理事会是什么",
        "\u{0}\u{7}\u{1b}[2J",
        "<b></b><br/>",
        &huge,
    ];
    for input in inputs {
        let answer = index.answer(&Query::new(input));
        if input != huge {
            assert!(!answer.answered, "{input:?}: {answer:#?}");
        }
        assert!(answer.text.chars().count() <= 600);
    }
}

#[test]
fn plain_bm25_switches_everything_off() {
    let plain = builder(Config::plain_bm25()).build().unwrap();
    assert_eq!(plain.config().features, Features::none());
    assert_eq!(plain.search(&Query::new("levees"), 1)[0].passage_id, "p2");
    assert!(plain.search(&Query::new("dikes"), 1).is_empty());
}

#[test]
fn same_input_same_output() {
    let a = index();
    let b = index();
    for q in ["levees", "how many warnings", "ministers meet where"] {
        assert_eq!(a.answer(&Query::new(q)), b.answer(&Query::new(q)));
    }
}

#[test]
fn real_words_from_the_lexicon_are_not_corrected() {
    let build = |lexicon: Option<crate::Lexicon>| {
        let mut b = IndexBuilder::new(Config::default());
        b.document(
            Source::default(),
            vec![Passage::new("p0", "The team fights floods every spring.")],
        );
        if let Some(lexicon) = lexicon {
            b.lexicon(lexicon);
        }
        b.build().unwrap()
    };
    let explained = build(None).explain(&Query::new("nights"), 0);
    assert_eq!(explained.words[0].corrected.as_deref(), Some("fights"));
    let strict = build(Some(crate::Lexicon::new(["nights", "floods"])));
    assert_eq!(strict.explain(&Query::new("nights"), 0).words[0].corrected, None);
    assert_eq!(strict.answer(&Query::new("nights")).abstention, Some(Abstention::NoKnownWords));
}

#[test]
fn related_word_forms_match_as_variants() {
    let mut b = IndexBuilder::new(Config::default());
    b.document(
        Source::default(),
        vec![Passage::new("p0", "The council prioritizes flood security.")],
    );
    let index = b.build().unwrap();
    let explained = index.explain(&Query::new("priority"), 0);
    assert_eq!(explained.words[0].kind, Some(MatchKind::Variant), "{explained}");
    let mut config = Config::default();
    config.features.variants = false;
    let mut strict = index.clone();
    strict.set_config(config);
    assert_eq!(strict.explain(&Query::new("priority"), 0).words[0].kind, None);
}

#[test]
fn synonym_rules_can_carry_lower_weights() {
    let build = |weight: f32| {
        let mut b = IndexBuilder::new(Config::default());
        b.synonyms(crate::Synonyms::parse("dikes => levees").unwrap().with_weight(weight))
            .document(Source::default(), vec![Passage::new("p0", "New levees were built.")]);
        b.build().unwrap()
    };
    let strong = build(1.0).explain(&Query::new("dikes"), 0).score;
    let weak = build(0.5).explain(&Query::new("dikes"), 0).score;
    assert!(weak > 0.0 && weak < strong);
}

#[test]
fn bank_similarity_counts_each_word_once_and_a_missing_word_shows() {
    // The bank question names the body by its abbreviation; the query spells
    // it out and asks about something the bank question does not.
    let mut builder = IndexBuilder::new(Config::default());
    builder
        .synonyms(crate::Synonyms::parse("rcc | river conservation council").unwrap())
        .document(
            Source { doc_id: "d".to_owned(), ..Source::default() },
            vec![
                Passage::new("p0", "The River Conservation Council repaired the levees."),
                Passage::new("p1", "Trade grew by ten percent last year."),
            ],
        )
        .bank("d", "p0", &["what is the rcc"]);
    let index = builder.build().unwrap();
    let full = index.answer(&Query::new("What does the River Conservation Council do?"));
    let more = index.answer(&Query::new("Who chairs the River Conservation Council?"));
    assert!(full.signals.bank > 0.0 && full.signals.bank <= 1.0, "{:?}", full.signals);
    assert!(more.signals.bank < 1.0, "{:?}", more.signals);
    assert!(more.signals.bank_cover < 1.0 && more.signals.missing_max > 0.0, "{:?}", more.signals);
    assert!(more.signals.bank_cover < full.signals.bank_cover + 1e-6);
    assert_eq!(full.signals.missing_max, 0.0);
}

#[test]
fn bank_similarity_from_the_lookup_equals_testing_every_bank_word() {
    let mut b = builder(Config::default());
    b.bank("interview", "p2", &["how many km of dikes were built", "were pumping stations fixed"])
        .bank("interview", "p3", &["how many flood warnings", "gravel pits closed"])
        .bank("interview", "p5", &["where is the next meeting of the council"]);
    let index = b.build().unwrap();
    assert!(index.bank_lookup.is_some());
    let questions = SAVE_QUESTIONS.iter().chain(&[
        "how many kilometers of levees",
        "were the pits confiscated",
        "council meeting in riverton",
        "farms and irrigation",
    ]);
    let mut compared = 0;
    for question in questions {
        let plan = index.plan(question);
        let matches = index.bank_lookup.as_ref().map(|lookup| lookup.matches(&plan));
        for passage in 0..index.passages().len() {
            let looked_up = index.bank_similarity(&plan, passage, matches.as_ref());
            let scanned = index.bank_similarity(&plan, passage, None);
            // Bit for bit: the same sums in the same order.
            assert_eq!(looked_up.0.to_bits(), scanned.0.to_bits(), "{question:?} p{passage}");
            assert_eq!(looked_up.1.to_bits(), scanned.1.to_bits(), "{question:?} p{passage}");
            compared += usize::from(scanned.0 > 0.0);
        }
    }
    assert!(compared >= 3, "only {compared} passages share words with a bank question");
}
