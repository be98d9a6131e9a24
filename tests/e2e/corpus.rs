//! The SCO transcript parses into its header and six turns, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use briefing_corpus::{Document, Format, ParseOptions, Role, load, parse_bytes};

const SCO_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../corpora/sco/norov-press-conference-2019-04-22.txt");
const SCO_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpora/sco/norov-press-conference-2019-04-22.txt"
));

const TITLE: &str = "Vladimir Norov: SCO\u{2019}s role in creating a new system of international \
                     relations will be growing";

/// Parses the bytes alone: no sidecar, so title and date come from the header.
fn parse_without_sidecar() -> Document {
    let loaded = parse_bytes(SCO_PATH, SCO_BYTES, &ParseOptions::default()).unwrap();
    assert!(loaded.problems.is_empty());
    loaded.into_single().unwrap()
}

fn check_structure(doc: &Document) {
    assert_eq!(doc.format, Format::Transcript);
    assert_eq!(doc.id, "norov-press-conference-2019-04-22");
    assert_eq!(doc.paragraphs.len(), 36);
    assert_eq!(doc.title(), Some(TITLE));
    assert_eq!(doc.header.title, Some(0));
    assert_eq!(doc.header.date_line, Some(1));
    assert_eq!(doc.paragraphs[1].text, "22.04.2019 12:45");
    assert_eq!(doc.header.lead, [2, 3]);
    let answer_counts: Vec<usize> = doc.turns.iter().map(|t| t.answer.len()).collect();
    assert_eq!(answer_counts, [2, 5, 8, 4, 2, 5]);
    let questions: Vec<&[usize]> = doc.turns.iter().map(|t| t.question.as_slice()).collect();
    assert_eq!(questions, [[4], [7], [13], [22], [27], [30]]);
    // The title line looks like "Name: ..." but is no speaker label.
    assert_eq!(doc.paragraphs[0].role, Role::Title);
    assert!(doc.paragraphs.iter().all(|p| p.speaker.is_none()));
    assert_eq!(doc.paragraph_by_id("p4").map(|p| p.role), Some(Role::Question));
    assert!(doc.question_text(4).unwrap().starts_with("Is the SCO currently reviewing"));
}

#[test]
fn sco_transcript_structure_from_the_header() {
    let doc = parse_without_sidecar();
    check_structure(&doc);
    assert_eq!(doc.meta.title.as_deref(), Some(TITLE));
    assert_eq!(doc.meta.date.as_deref(), Some("2019-04-22"));
    assert_eq!(doc.meta.time.as_deref(), Some("12:45"));
    assert_eq!(doc.meta.speaker, None);
}

#[test]
fn sco_transcript_with_its_sidecar() {
    let doc = load(SCO_PATH, &ParseOptions::default()).unwrap().into_single().unwrap();
    check_structure(&doc);
    assert_eq!(doc.meta.speaker.as_deref(), Some("Vladimir Norov"));
    assert_eq!(doc.meta.role.as_deref(), Some("SCO Secretary-General"));
    assert_eq!(doc.meta.date.as_deref(), Some("2019-04-22"));
    assert_eq!(doc.meta.time.as_deref(), Some("12:45"));
    assert_eq!(doc.meta.language.as_deref(), Some("en"));
    assert!(doc.meta.extra.is_empty());
    assert!(doc.turns.iter().all(|t| t.answerer.as_deref() == Some("Vladimir Norov")));
}

#[test]
fn sco_transcript_text_is_untouched() {
    let text = std::str::from_utf8(SCO_BYTES).unwrap();
    assert_eq!(text.matches('\u{a0}').count(), 257);
    let doc = parse_without_sidecar();
    assert_eq!(doc.text, text);
    // Spans are trimmed, and Unicode whitespace includes U+00A0: the one
    // no-break space that ends a line (after p11) is outside every paragraph.
    let n_nbsp_in_paragraphs: usize =
        doc.paragraphs.iter().map(|p| p.text.matches('\u{a0}').count()).sum();
    assert_eq!(n_nbsp_in_paragraphs, 256);
    assert!(text[doc.paragraphs[11].span.end..].starts_with("\u{a0}\n"));
    for p in &doc.paragraphs {
        assert_eq!(&text[p.span.range()], p.text, "{}", p.id);
        assert!(!p.sentences.is_empty(), "{}", p.id);
        for s in &p.sentences {
            assert!(p.span.start <= s.start && s.end <= p.span.end, "{} {s:?}", p.id);
            assert!(text.get(s.range()).is_some(), "{} {s:?}", p.id);
        }
    }
}
