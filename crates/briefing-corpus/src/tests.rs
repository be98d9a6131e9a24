//! Crate tests: every format, detection, labels, bad input, spans, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, BufReader, Read};
use std::path::Path;

use proptest::prelude::*;

use crate::testdata::{
    JSONL, MARKED_NO_META, MARKED_QA, MARKED_SPEAKERS, PLAIN_LINES, PLAIN_WRAPPED, TRANSCRIPT,
};
use crate::{
    Document, Error, Format, JsonlReader, Loaded, Metadata, ParagraphMode, ParseOptions, Role,
    detect_format, load, parse_bytes,
};

/// Checks the invariants every document must keep, on any input.
fn assert_spans(doc: &Document) {
    for (pos, p) in doc.paragraphs.iter().enumerate() {
        assert_eq!(p.idx, pos);
        assert_eq!(p.id, format!("p{pos}"));
        assert_eq!(doc.text.get(p.span.range()), Some(p.text.as_str()), "paragraph {pos}");
        assert!(!p.text.is_empty());
        assert_eq!(p.text.trim(), p.text, "paragraph {pos} is not trimmed");
        for s in &p.sentences {
            assert!(p.span.start <= s.start && s.end <= p.span.end, "sentence {s:?} of {pos}");
            assert!(doc.text.get(s.range()).is_some(), "sentence {s:?} not on char boundaries");
        }
        assert_eq!(p.iter_sentences().count(), p.sentences.len());
        if let Some(turn_idx) = p.turn {
            let turn = doc.turn(turn_idx).unwrap();
            assert!(turn.paragraph_indices().any(|idx| idx == pos));
        }
    }
    for (pos, turn) in doc.turns.iter().enumerate() {
        assert_eq!(turn.idx, pos);
        assert!(!turn.question.is_empty());
        for idx in &turn.question {
            assert_eq!(doc.paragraphs[*idx].role, Role::Question);
        }
        for idx in &turn.answer {
            assert_eq!(doc.paragraphs[*idx].role, Role::Answer);
        }
    }
    let header = doc.header.title.iter().chain(&doc.header.date_line).chain(&doc.header.lead);
    for &idx in header {
        assert!(matches!(doc.paragraphs[idx].role, Role::Title | Role::DateLine | Role::Lead));
    }
}

fn parse(text: &str, options: &ParseOptions) -> Document {
    let doc = Document::parse("doc", text, options).unwrap();
    assert_spans(&doc);
    doc
}

fn roles(doc: &Document) -> Vec<Role> {
    doc.paragraphs.iter().map(|p| p.role).collect()
}

fn answer_counts(doc: &Document) -> Vec<usize> {
    doc.turns.iter().map(|t| t.answer.len()).collect()
}

#[test]
fn transcript_structure() {
    let doc = parse(TRANSCRIPT, &ParseOptions::default());
    assert_eq!(doc.format, Format::Transcript);
    assert_eq!(doc.paragraphs.len(), 14);
    use Role::*;
    assert_eq!(
        roles(&doc),
        [
            Title, DateLine, Lead, Lead, Question, Answer, Answer, Question, Answer, Answer,
            Answer, Question, Question, Answer
        ]
    );
    assert_eq!(doc.header.title, Some(0));
    assert_eq!(doc.header.date_line, Some(1));
    assert_eq!(doc.header.lead, [2, 3]);
    assert_eq!(answer_counts(&doc), [2, 3, 1]);
    assert_eq!(doc.turns[2].question, [11, 12]);
    assert_eq!(doc.question_text(2).as_deref(), Some("Is that all?\nCan you say more?"));
    assert_eq!(doc.answer_text(0).as_deref(), Some(TRANSCRIPT_ANSWER_0));
    assert_eq!(doc.paragraphs[0].speaker, None);
    assert_eq!(doc.title(), Some("Ann Lee: the region\u{2019}s role will be growing"));
    assert_eq!(doc.meta.title.as_deref(), doc.title());
    assert_eq!(doc.meta.date.as_deref(), Some("2021-05-03"));
    assert_eq!(doc.meta.time.as_deref(), Some("14:05"));
    assert_eq!(doc.turn_of(9).map(|t| t.idx), Some(1));
    assert_eq!(doc.turn_of(2), None);
    assert_eq!(doc.answer_paragraphs().count(), 6);
    assert_eq!(doc.question_paragraphs().count(), 4);
    // The no-break spaces stay in the text and inside the spans.
    assert_eq!(doc.text, TRANSCRIPT);
    assert!(doc.paragraphs[2].text.contains('\u{a0}'));
    let sentences: Vec<&str> = doc.paragraphs[4].iter_sentences().map(|s| s.text).collect();
    assert_eq!(
        sentences,
        ["What are your expectations from the summit?", "Will it bring anything new?"]
    );
    assert_eq!(doc.n_sentences(), doc.iter_sentences().count());
}

const TRANSCRIPT_ANSWER_0: &str = "Each summit opens a new page. We expect\u{a0}progress.\nThe leaders will sign three agreements.";

#[test]
fn transcript_answerer_comes_from_metadata() {
    let meta = Metadata { speaker: Some("Ann Lee".into()), ..Metadata::default() };
    let doc = parse(TRANSCRIPT, &ParseOptions::default().with_metadata(meta));
    assert!(doc.turns.iter().all(|t| t.answerer.as_deref() == Some("Ann Lee")));
    assert!(doc.turns.iter().all(|t| t.questioner.is_none()));
}

#[test]
fn metadata_from_options_wins_over_header() {
    let meta = Metadata {
        title: Some("Given".into()),
        date: Some("2021-05-03".into()),
        ..Metadata::default()
    };
    let doc = parse(TRANSCRIPT, &ParseOptions::default().with_metadata(meta));
    assert_eq!(doc.meta.title.as_deref(), Some("Given"));
    assert_eq!(doc.meta.time.as_deref(), Some("14:05"), "same day: time filled from header");
    assert_eq!(doc.title(), Some("Ann Lee: the region\u{2019}s role will be growing"));

    let other_day = Metadata { date: Some("1999-01-01".into()), ..Metadata::default() };
    let doc = parse(TRANSCRIPT, &ParseOptions::default().with_metadata(other_day));
    assert_eq!(doc.meta.date.as_deref(), Some("1999-01-01"));
    assert_eq!(doc.meta.time, None, "another day's time is not mixed in");
}

#[test]
fn crlf_transcript_has_the_same_structure() {
    let crlf = TRANSCRIPT.replace('\n', "\r\n");
    let lf = parse(TRANSCRIPT, &ParseOptions::default());
    let doc = parse(&crlf, &ParseOptions::default());
    assert_eq!(roles(&doc), roles(&lf));
    assert_eq!(answer_counts(&doc), answer_counts(&lf));
    assert!(doc.paragraphs.iter().all(|p| !p.text.contains('\r')));
}

#[test]
fn marked_question_answer_markers() {
    let doc = parse(MARKED_QA, &ParseOptions::default());
    assert_eq!(doc.format, Format::Marked);
    use Role::*;
    assert_eq!(roles(&doc), [Title, DateLine, Question, Answer, Answer, Question, Answer]);
    assert_eq!(doc.meta.date.as_deref(), Some("2022-10-10"));
    assert_eq!(doc.meta.time, None);
    assert_eq!(answer_counts(&doc), [2, 1]);
    let question = &doc.paragraphs[2];
    assert_eq!(question.text, "Why did the bridge close?");
    assert_eq!(question.speaker.as_deref(), Some("Q"));
    // The label is outside the span.
    assert_eq!(&MARKED_QA[question.span.start - 3..question.span.start], "Q: ");
    assert_eq!(doc.paragraphs[4].speaker.as_deref(), Some("A"), "continuation keeps the speaker");
    assert_eq!(doc.paragraphs[5].text, "And the tram?");
    assert_eq!(doc.paragraphs[5].speaker.as_deref(), Some("Q"), "label-only line");
}

#[test]
fn marked_speaker_labels() {
    let meta = Metadata { speaker: Some("Ann Lee".into()), ..Metadata::default() };
    let doc = parse(MARKED_SPEAKERS, &ParseOptions::default().with_metadata(meta));
    assert_eq!(doc.format, Format::Marked);
    use Role::*;
    assert_eq!(
        roles(&doc),
        [Title, DateLine, Question, Question, Answer, Answer, Question, Question, Answer]
    );
    let speakers: Vec<Option<&str>> = doc.paragraphs.iter().map(|p| p.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        [
            None,
            None,
            Some("MODERATOR"),
            Some("REPORTER (DAILY)"),
            Some("LEE"),
            Some("LEE"),
            Some("MODERATOR"),
            Some("Ben Ode"),
            Some("LEE")
        ]
    );
    assert_eq!(doc.turns[0].questioner.as_deref(), Some("REPORTER (DAILY)"));
    assert_eq!(doc.turns[0].answerer.as_deref(), Some("LEE"));
    assert_eq!(doc.turns[1].questioner.as_deref(), Some("Ben Ode"));
    assert_eq!(doc.paragraphs[3].text, "What is the plan for roads?");
}

#[test]
fn marked_answerer_is_who_speaks_most_without_metadata() {
    let doc = parse(MARKED_NO_META, &ParseOptions::default());
    assert_eq!(doc.format, Format::Marked);
    assert_eq!(doc.turns.len(), 2);
    assert!(doc.turns.iter().all(|t| t.questioner.as_deref() == Some("HOST")));
    assert!(doc.turns.iter().all(|t| t.answerer.as_deref() == Some("GUEST")));
    assert_eq!(doc.header.title, None);
}

#[test]
fn answerer_statement_before_any_question_is_body() {
    let text = "CHAIR: Good morning. I will open with a long statement about the year.\n\
                ANN: What about taxes?\nCHAIR: They stay the same.\n";
    let doc = parse(text, &ParseOptions::default());
    assert_eq!(doc.format, Format::Marked);
    assert_eq!(roles(&doc), [Role::Body, Role::Question, Role::Answer]);
    assert_eq!(doc.paragraphs[0].turn, None);
}

#[test]
fn title_line_is_not_a_speaker_label() {
    // One "Name: headline" line followed by a date line is a title.
    let doc = parse(TRANSCRIPT, &ParseOptions::default());
    assert_eq!(doc.paragraphs[0].role, Role::Title);
    assert!(doc.paragraphs[0].text.starts_with("Ann Lee: "));
    // Without a date line, a headline (no sentence-final punctuation) still is a title.
    let text = "Ann Lee: growth will continue\n\nWhat next?\nMore work.\nWhy?\nIt pays.\n";
    let doc = parse(text, &ParseOptions::default());
    assert_eq!(doc.format, Format::Transcript);
    assert_eq!(doc.paragraphs[0].role, Role::Title);
    assert_eq!(doc.paragraphs[0].speaker, None);
    // In a marked transcript the same line is still the title, not a speaker turn.
    let doc = parse(MARKED_SPEAKERS, &ParseOptions::default());
    assert_eq!(doc.paragraphs[0].role, Role::Title);
    assert_eq!(doc.paragraphs[0].text, "Ann Lee: our region will keep growing");
    assert_eq!(doc.paragraphs[0].speaker, None);
    // A speaker who opens with a full sentence and speaks again is a speaker.
    let text = "Ann Lee: Welcome, everyone.\nBEN: Why?\nAnn Lee: Because.\n";
    let doc = parse(text, &ParseOptions::default());
    assert_eq!(doc.paragraphs[0].speaker.as_deref(), Some("Ann Lee"));
    assert_eq!(doc.paragraphs[0].text, "Welcome, everyone.");
}

#[test]
fn format_detection() {
    let cases: &[(Option<&str>, &str, Format)] = &[
        (Some("x.jsonl"), "plain words", Format::Jsonl),
        (Some("x.NDJSON"), "plain words", Format::Jsonl),
        (Some("x.jsonl.gz"), "plain words", Format::Jsonl),
        (None, JSONL, Format::Jsonl),
        (None, "{ not really json\nbut prose\n", Format::Plain),
        (None, TRANSCRIPT, Format::Transcript),
        (None, MARKED_QA, Format::Marked),
        (None, MARKED_SPEAKERS, Format::Marked),
        (None, MARKED_NO_META, Format::Marked),
        (None, PLAIN_LINES, Format::Plain),
        (None, PLAIN_WRAPPED, Format::Plain),
        // One question with an answer but no title or date line: plain.
        (None, "It was late. Why?\nNobody knew.\n", Format::Plain),
        // Two answered questions make a transcript.
        (None, "Why?\nBecause.\nWhen?\nSoon.\n", Format::Transcript),
        // A single label, or labels that never repeat in a long text: not marked.
        (None, "Note: read this.\nSome text.\n", Format::Plain),
        (
            None,
            "Berlin: a city.\nMany words here.\nMore words here.\nEven more.\nParis: another.\nAnd so on.\nThe end.\n",
            Format::Plain,
        ),
        (None, "caf\u{e9} 12:45 http://x.org\n", Format::Plain),
    ];
    for (path, text, expected) in cases {
        let got = detect_format(path.map(Path::new), text.as_bytes());
        assert_eq!(got, *expected, "path {path:?}, text {text:?}");
    }
    assert_eq!(detect_format(None, b"\xff\xfe"), Format::Plain);
}

#[test]
fn forced_formats() {
    let plain = parse(TRANSCRIPT, &ParseOptions::default().with_format(Format::Plain));
    assert_eq!(plain.format, Format::Plain);
    assert!(plain.paragraphs.iter().all(|p| p.role == Role::Body));
    assert!(plain.turns.is_empty());

    let transcript = parse(PLAIN_LINES, &ParseOptions::default().with_format(Format::Transcript));
    assert_eq!(transcript.format, Format::Transcript);
    assert!(transcript.turns.is_empty());

    let err = Document::parse("x", JSONL, &ParseOptions::default().with_format(Format::Jsonl));
    assert!(matches!(err, Err(Error::MultipleDocuments)));
    // Auto in Document::parse never picks JSONL.
    let doc = parse(JSONL, &ParseOptions::default());
    assert_ne!(doc.format, Format::Jsonl);
}

#[test]
fn paragraph_modes() {
    let lines = parse(PLAIN_LINES, &ParseOptions::default());
    assert_eq!(lines.paragraphs.len(), 3);

    let wrapped = parse(PLAIN_WRAPPED, &ParseOptions::default());
    assert_eq!(wrapped.paragraphs.len(), 3, "hard-wrapped text is cut at blank lines");
    assert!(wrapped.paragraphs[0].text.contains('\n'));
    assert!(wrapped.paragraphs[0].text.ends_with("autumn session."));

    let forced = ParseOptions::default().with_paragraphs(ParagraphMode::Lines);
    assert_eq!(parse(PLAIN_WRAPPED, &forced).paragraphs.len(), 6);
    let forced = ParseOptions::default().with_paragraphs(ParagraphMode::Blocks);
    assert_eq!(parse(PLAIN_LINES, &forced).paragraphs.len(), 2);

    // A transcript uses lines unless told otherwise.
    let blocks = ParseOptions::default()
        .with_format(Format::Transcript)
        .with_paragraphs(ParagraphMode::Blocks);
    let doc = parse(TRANSCRIPT, &blocks);
    assert_eq!(doc.paragraphs.len(), 8, "lines without a blank line between form one block");
    assert_eq!(doc.header.lead, [0, 1]);
    assert_eq!(answer_counts(&doc), [1, 1, 1]);
}

#[test]
fn marked_blocks_split_at_labels() {
    let text = "Q: Is the plan\nready now?\nA: Yes, it is\nready and it will\nbe published soon.\n\nQ: When?\nA: Today.\n";
    let doc = parse(text, &ParseOptions::default().with_paragraphs(ParagraphMode::Blocks));
    let texts: Vec<&str> = doc.paragraphs.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Is the plan\nready now?",
            "Yes, it is\nready and it will\nbe published soon.",
            "When?",
            "Today."
        ]
    );
    assert_eq!(answer_counts(&doc), [1, 1]);
}

#[test]
fn document_ids_and_lookup() {
    let doc = parse(TRANSCRIPT, &ParseOptions::default().with_id("given"));
    assert_eq!(doc.id, "given");
    assert_eq!(doc.paragraph_by_id("p4").map(|p| p.idx), Some(4));
    assert_eq!(doc.paragraph_by_id("p99"), None);
    assert_eq!(doc.paragraph_by_id("x4"), None);
    assert_eq!(doc.turns[1].id(), "t1");
    assert_eq!(crate::document_id("a/b/talk.txt"), "talk");
    assert_eq!(crate::document_id("talk"), "talk");
    assert_eq!(crate::document_id(".hidden"), ".hidden");
    assert_eq!(crate::document_id(""), "document");
}

#[test]
fn serde_round_trip() {
    let doc = parse(MARKED_SPEAKERS, &ParseOptions::default());
    let json = serde_json::to_string(&doc).unwrap();
    let back: Document = serde_json::from_str(&json).unwrap();
    assert_eq!(back, doc);
    assert!(json.contains(r#""role":"date-line""#));
    assert!(json.contains(r#""format":"marked""#));
}

fn load_jsonl(options: &ParseOptions) -> Loaded {
    let loaded = parse_bytes("in.jsonl", JSONL.as_bytes(), options).unwrap();
    for doc in &loaded.documents {
        assert_spans(doc);
    }
    loaded
}

#[test]
fn jsonl_documents_and_problems() {
    let loaded = load_jsonl(&ParseOptions::default());
    let ids: Vec<&str> = loaded.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "7", "in:9"]);
    let lines: Vec<Option<u64>> = loaded.documents.iter().map(|d| d.line).collect();
    assert_eq!(lines, [Some(1), Some(4), Some(9)]);
    assert!(loaded.documents.iter().all(|d| d.format == Format::Jsonl && d.turns.is_empty()));

    let first = &loaded.documents[0];
    assert_eq!(first.meta.speaker.as_deref(), Some("Ann Lee"));
    assert_eq!(first.meta.extra["score"], 3);
    assert_eq!(first.n_sentences(), 2);
    let second = &loaded.documents[1];
    assert_eq!(second.paragraphs.len(), 2);
    assert_eq!(second.text, "Para one.\n\nPara two.");
    assert_eq!(second.meta.date.as_deref(), Some("2020-01-02"));
    assert_eq!(second.meta.extra.keys().collect::<Vec<_>>(), ["ok"]);

    let problems: Vec<(Option<u64>, String)> =
        loaded.problems.iter().map(|e| (e.line_number(), e.to_string())).collect();
    assert_eq!(problems.len(), 5);
    assert_eq!(problems[0].0, Some(3));
    assert_eq!(problems[0].1, "in.jsonl: line 3: invalid json at column 21: expected value");
    assert_eq!(problems[1], (Some(5), "in.jsonl: line 5: missing \"text\" field".into()));
    assert_eq!(problems[2], (Some(6), "in.jsonl: line 6: field \"text\" must be a string".into()));
    assert_eq!(problems[3], (Some(7), "in.jsonl: line 7: expected a json object".into()));
    assert_eq!(problems[4], (Some(8), "in.jsonl: line 8: field \"text\" is empty".into()));
    assert!(loaded.problems.iter().all(|e| e.path() == Some(Path::new("in.jsonl"))));
}

#[test]
fn jsonl_metadata_and_prefix_from_options() {
    let base = Metadata { event: Some("Forum".into()), ..Metadata::default() };
    let loaded = load_jsonl(&ParseOptions::default().with_id("batch").with_metadata(base));
    assert_eq!(loaded.documents[2].id, "batch:9");
    assert!(loaded.documents.iter().all(|d| d.meta.event.as_deref() == Some("Forum")));
}

#[test]
fn jsonl_bad_utf8_and_long_lines_are_per_line() {
    let mut bytes = b"{\"text\": \"ok\"}\n{\"text\": \"caf".to_vec();
    bytes.extend_from_slice(b"\xe9\"}\n");
    let long = format!("{{\"text\": \"{}\"}}\n", "x".repeat(200));
    bytes.extend_from_slice(long.as_bytes());
    bytes.extend_from_slice(b"{\"text\": \"last\"}");
    let options = ParseOptions::default().with_max_line_bytes(100);
    let loaded = parse_bytes("in.jsonl", &bytes, &options).unwrap();
    let texts: Vec<&str> = loaded.documents.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["ok", "last"]);
    assert_eq!(loaded.documents[1].line, Some(4));
    assert!(matches!(loaded.problems[0].root(), Error::InvalidUtf8 { offset: 28 }));
    assert_eq!(loaded.problems[0].line_number(), Some(2));
    assert!(matches!(loaded.problems[1].root(), Error::LineTooLong { max_line_bytes: 100 }));
    assert_eq!(loaded.problems[1].to_string(), "in.jsonl: line 3: line is longer than 100 bytes");
}

#[test]
fn jsonl_where_no_line_loads_is_an_error() {
    let err =
        parse_bytes("bad.jsonl", b"nope\n{\"x\": 1}\n", &ParseOptions::default()).unwrap_err();
    let Error::NoDocuments { n_bad, first } = err.root() else { panic!("{err:?}") };
    assert_eq!(*n_bad, 2);
    assert_eq!(first.line_number(), Some(1));
    assert_eq!(first.path(), None, "the path is printed once, outside");
    assert_eq!(
        err.to_string(),
        "bad.jsonl: no line holds a document \
         (2 bad lines; the first: line 1: invalid json at column 2: expected ident)"
    );

    let err = parse_bytes("blank.jsonl", b"\n  \n", &ParseOptions::default()).unwrap_err();
    assert!(matches!(err.root(), Error::OnlyWhitespace));
}

/// A reader that hands out at most `chunk` bytes per read, then fails if asked to.
struct Trickle<'a> {
    data: &'a [u8],
    chunk: usize,
    fail_at_end: bool,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() && self.fail_at_end {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.chunk.min(buf.len()).min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        buf[..n].copy_from_slice(head);
        self.data = tail;
        Ok(n)
    }
}

fn stream(
    data: &[u8],
    chunk: usize,
    fail_at_end: bool,
    options: &ParseOptions,
) -> Vec<Result<Document, Error>> {
    let reader = BufReader::with_capacity(chunk, Trickle { data, chunk, fail_at_end });
    JsonlReader::new("s.jsonl", reader, options).collect()
}

#[test]
fn jsonl_reader_streams_in_small_chunks() {
    let options = ParseOptions::default().with_max_line_bytes(64);
    let long = format!("{{\"text\": \"{}\"}}\r\n", "y".repeat(10_000));
    let data = format!("{{\"text\": \"a\"}}\r\n{long}\r\n{{\"text\": \"b\"}}");
    let items = stream(data.as_bytes(), 7, false, &options);
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap().text, "a");
    assert!(matches!(items[1].as_ref().unwrap_err().root(), Error::LineTooLong { .. }));
    let last = items[2].as_ref().unwrap();
    assert_eq!((last.text.as_str(), last.line), ("b", Some(4)));
}

#[test]
fn jsonl_reader_stops_after_an_io_error() {
    let items = stream(b"{\"text\": \"a\"}\n", 4, true, &ParseOptions::default());
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    let err = items[1].as_ref().unwrap_err();
    assert!(err.is_io());
    assert_eq!(err.to_string(), "s.jsonl: line 2: disk on fire");
}

#[test]
fn jsonl_reader_counts_lines_and_bytes() {
    let mut reader =
        JsonlReader::new("c.jsonl", "\n{\"text\": \"x\"}\n".as_bytes(), &ParseOptions::default());
    let doc = reader.next().unwrap().unwrap();
    assert_eq!(doc.line, Some(2));
    assert_eq!((reader.line_number(), reader.byte_offset()), (2, 15));
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());
    let mut empty = JsonlReader::new("e.jsonl", io::empty(), &ParseOptions::default());
    assert!(empty.next().is_none());
}

/// Writes `bytes` to `name` in a temp dir and loads it.
fn load_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Result<Loaded, Error>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let result = load(&path, &ParseOptions::default());
    (dir, result)
}

fn load_err(name: &str, bytes: &[u8]) -> Error {
    let (dir, result) = load_file(name, bytes);
    let err = result.unwrap_err();
    assert_eq!(err.path(), Some(dir.path().join(name).as_path()), "{err}");
    let message = err.to_string();
    let prefix = format!("{}: ", dir.path().join(name).display());
    assert!(message.starts_with(&prefix), "{message}");
    let reason = &message[prefix.len()..];
    assert_eq!(reason.to_lowercase(), reason, "messages are lowercase: {reason}");
    assert!(!reason.ends_with('.'), "{reason}");
    err
}

#[test]
fn bad_input_files() {
    assert!(matches!(load_err("empty.txt", b"").root(), Error::Empty));
    assert!(matches!(
        load_err("blank.txt", " \n\t\r\n\u{a0}\n".as_bytes()).root(),
        Error::OnlyWhitespace
    ));
    assert!(matches!(
        load_err("latin1.txt", b"Hello caf\xe9 world").root(),
        Error::InvalidUtf8 { offset: 9 }
    ));
    assert!(matches!(load_err("nul.txt", b"text\0more").root(), Error::NulByte { offset: 4 }));
    let err = load_err("ctrl.txt", b"ab\x01\x02\x03\x04cd");
    assert!(matches!(err.root(), Error::ControlBytes { offset: 2, n_control: 4, n_scanned: 8 }));
    assert!(matches!(load_err("labels.txt", b"Q:\nA:\n").root(), Error::NoParagraphs));
    assert!(matches!(load_err("bad.jsonl", b"[1]\n").root(), Error::NoDocuments { .. }));
}

#[test]
fn missing_file_is_an_io_error_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.txt");
    let err = load(&path, &ParseOptions::default()).unwrap_err();
    assert!(err.is_io());
    assert_eq!(err.path(), Some(path.as_path()));
    let Error::Io(io) = err.root() else { panic!("{err:?}") };
    assert_eq!(io.kind(), io::ErrorKind::NotFound);
    assert!(err.to_string().starts_with(&format!("{}: ", path.display())));
    // A directory cannot be read as a document either.
    let err = load(dir.path(), &ParseOptions::default()).unwrap_err();
    assert!(err.is_io());
}

#[test]
fn sidecar_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.txt");
    std::fs::write(&path, TRANSCRIPT).unwrap();
    std::fs::write(
        dir.path().join("talk.meta.json"),
        r#"{"speaker": "Ann Lee", "language": "en", "zeta": 1, "alpha": {"x": [1]}}"#,
    )
    .unwrap();
    let doc = load(&path, &ParseOptions::default()).unwrap().into_single().unwrap();
    assert_spans(&doc);
    assert_eq!(doc.id, "talk");
    assert_eq!(doc.meta.speaker.as_deref(), Some("Ann Lee"));
    assert_eq!(doc.meta.language.as_deref(), Some("en"));
    assert_eq!(doc.meta.date.as_deref(), Some("2021-05-03"), "filled from the header");
    assert_eq!(doc.meta.extra.keys().collect::<Vec<_>>(), ["alpha", "zeta"]);
    let json = serde_json::to_string(&doc.meta).unwrap();
    assert!(json.find("\"alpha\"") < json.find("\"zeta\""), "{json}");
    assert!(crate::is_sidecar(dir.path().join("talk.meta.json")));
    assert!(!crate::is_sidecar(&path));

    // Given metadata turns the sidecar off.
    let options = ParseOptions::default().with_metadata(Metadata::default());
    let doc = load(&path, &options).unwrap().into_single().unwrap();
    assert_eq!(doc.meta.speaker, None);

    // A broken sidecar is an error that names the sidecar.
    let sidecar = dir.path().join("talk.meta.json");
    std::fs::write(&sidecar, r#"{"speaker": 5}"#).unwrap();
    let err = load(&path, &ParseOptions::default()).unwrap_err();
    assert_eq!(err.path(), Some(sidecar.as_path()));
    assert!(matches!(err.root(), Error::Metadata(_)));
    assert!(err.to_string().contains("invalid metadata: "), "{err}");
}

#[test]
fn error_context_accessors() {
    let err = Error::MissingText.with_line_number(4).with_path("x.jsonl");
    assert_eq!(err.to_string(), "x.jsonl: line 4: missing \"text\" field");
    assert_eq!(err.line_number(), Some(4));
    assert_eq!(err.path(), Some(Path::new("x.jsonl")));
    assert!(!err.is_io());
    assert_eq!(Error::Empty.path(), None);
    assert_eq!(Error::Empty.line_number(), None);
}

#[test]
fn every_module_starts_with_a_doc_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut n_files = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with("//!"), "{} lacks a //! first line", path.display());
            n_files += 1;
        }
    }
    assert!(n_files >= 8);
}

/// Text built from pieces that stress the parsers: labels, questions, dates,
/// no-break spaces, CRLF, blank lines, multi-byte chars.
fn structured_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Q: ".to_owned()),
        Just("A:".to_owned()),
        Just("MODERATOR: ".to_owned()),
        Just("Ann Lee: ".to_owned()),
        Just("22.04.2019 12:45".to_owned()),
        Just("?".to_owned()),
        Just(". ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("\u{a0}".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\u{2019}".to_owned()),
        Just("\u{201c}".to_owned()),
        Just("{\"text\": \"x\"}".to_owned()),
        "[a-zA-Z \u{e9}\u{4e2d}]{0,12}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn formats() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Auto),
        Just(Format::Transcript),
        Just(Format::Marked),
        Just(Format::Plain),
        Just(Format::Jsonl),
    ]
}

fn modes() -> impl Strategy<Value = ParagraphMode> {
    prop_oneof![Just(ParagraphMode::Auto), Just(ParagraphMode::Lines), Just(ParagraphMode::Blocks)]
}

fn check_any(bytes: &[u8], format: Format, mode: ParagraphMode) {
    let options =
        ParseOptions::default().with_format(format).with_paragraphs(mode).with_max_line_bytes(64);
    if let Ok(loaded) = parse_bytes("any.txt", bytes, &options) {
        assert!(!loaded.documents.is_empty());
        for doc in &loaded.documents {
            assert_spans(doc);
            if doc.format != Format::Jsonl {
                assert_eq!(doc.text.as_bytes(), bytes, "the text is never changed");
            }
        }
    }
    let _ = detect_format(None, bytes);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                                    format in formats(), mode in modes()) {
        check_any(&bytes, format, mode);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}", format in formats(), mode in modes()) {
        check_any(text.as_bytes(), format, mode);
    }

    #[test]
    fn structured_text_keeps_spans_on_char_boundaries(text in structured_text(),
                                                      format in formats(), mode in modes()) {
        check_any(text.as_bytes(), format, mode);
        if let Ok(doc) = Document::parse("s", &text, &ParseOptions::default().with_paragraphs(mode)) {
            assert_spans(&doc);
            prop_assert_eq!(&doc.text, &text);
        }
    }
}

#[test]
fn without_sentences_paragraphs_are_the_same() {
    let texts = [
        "Interview with Ann Lee\n\nWhy now? Really?\nBecause it is time. We waited.\n",
        "Q: Why?\nA: Because. Mr. Smith said so.\n\nQ: When?\nA: Now.\n",
        "The budget was agreed on Monday after\na long debate. It passed.\n\nNext.\n",
        "{\"id\": \"a\", \"text\": \"One. Two.\\n\\nThree?\"}\n{\"text\": \"Four.\"}\n",
    ];
    for text in texts {
        let with = parse_bytes("t.txt", text.as_bytes(), &ParseOptions::default()).unwrap();
        let options = ParseOptions::default().with_sentences(false);
        let without = parse_bytes("t.txt", text.as_bytes(), &options).unwrap();
        assert_eq!(with.documents.len(), without.documents.len());
        for (a, b) in with.documents.iter().zip(&without.documents) {
            assert_eq!(a.paragraphs.len(), b.paragraphs.len());
            for (pa, pb) in a.paragraphs.iter().zip(&b.paragraphs) {
                assert!(pb.sentences.is_empty());
                assert!(!pa.sentences.is_empty());
                assert_eq!(crate::Paragraph { sentences: Vec::new(), ..pa.clone() }, *pb);
                assert_eq!(
                    briefing_tokenize::sentences::sentence_count(&pb.text),
                    pa.sentences.len()
                );
            }
        }
    }
    // Options saved before the field existed still split sentences.
    let mut value = serde_json::to_value(ParseOptions::default().with_sentences(false)).unwrap();
    value.as_object_mut().unwrap().remove("sentences");
    let options: ParseOptions = serde_json::from_value(value).unwrap();
    assert!(options.sentences);
}

#[test]
fn without_paragraph_texts_documents_are_the_same_but_for_the_copies() {
    let lean = ParseOptions::default().with_paragraph_texts(false);
    let inputs = [
        ("t.txt", TRANSCRIPT),
        ("m.txt", MARKED_QA),
        ("s.txt", MARKED_SPEAKERS),
        ("l.txt", PLAIN_LINES),
        ("w.txt", PLAIN_WRAPPED),
        ("d.jsonl", JSONL),
    ];
    for (name, text) in inputs {
        let full = parse_bytes(name, text.as_bytes(), &ParseOptions::default()).unwrap();
        let owned = crate::parse_owned(name, text.as_bytes().to_vec(), &lean).unwrap();
        assert_eq!(owned.documents.len(), full.documents.len(), "{name}");
        for (mut doc, expected) in owned.documents.into_iter().zip(&full.documents) {
            for (p, e) in doc.paragraphs.iter().zip(&expected.paragraphs) {
                assert_eq!(p.text, "", "{name}");
                assert_eq!(doc.paragraph_text(p), e.text, "{name}");
            }
            for p in &mut doc.paragraphs {
                p.text = doc.text.get(p.span.range()).unwrap().to_owned();
            }
            assert_eq!(&doc, expected, "{name}");
        }
    }
}

#[test]
fn parse_owned_reports_bad_bytes_like_parse_bytes() {
    let options = ParseOptions::default();
    for bytes in [&b""[..], b"ab\0c", b"caf\xe9 au lait\n", b"  \n\n"] {
        let borrowed = parse_bytes("x.txt", bytes, &options).unwrap_err().to_string();
        let owned = crate::parse_owned("x.txt", bytes.to_vec(), &options).unwrap_err().to_string();
        assert_eq!(owned, borrowed);
    }
}
