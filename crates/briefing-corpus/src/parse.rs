//! Format detection and the transcript, marked and plain parsers that turn text into a [`Document`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use briefing_tokenize::Span;

use crate::label::{self, Analysis, LabelKind};
use crate::text::{self, DateLine, Line, is_space};
use crate::{
    Document, Error, Format, Header, Metadata, Paragraph, ParagraphMode, Result, Role, Turn,
};

/// How many non-blank lines the JSONL content check looks at.
const JSONL_PROBE_LINES: usize = 8;

/// Detects the format of a file's bytes; `path` is only used for its extension.
///
/// The rules, in order:
///
/// 1. **JSONL by name**: the file name ends with `.jsonl` or `.ndjson`
///    (case-insensitive, after dropping a final `.gz`).
/// 2. **JSONL by content**: the first non-blank line starts with `{` and ends
///    with `}`, and at least half of the first 8 non-blank lines start with `{`.
/// 3. Bytes that are not UTF-8 are [`Format::Plain`] (parsing will then
///    report the invalid byte).
/// 4. **Marked**: with every non-empty line a paragraph, speaker labels at
///    line start (`Q:`, `Answer:`, `MODERATOR:`, `Ann Lee:`) cover at least two
///    paragraphs with at least two different labels, and a label repeats, or
///    `Q`/`A` markers are used, or labels start at least a third of the
///    paragraphs from the first label on. A first line such as
///    `Ann Lee: we will grow` whose name labels nothing else and which is
///    followed by a date line or does not end like a sentence is a title, not
///    a label.
/// 5. **Transcript**: with every non-empty line a paragraph, at least two
///    questions (runs of paragraphs ending with `?`) are followed by an answer
///    paragraph, or one is and the text opens with a title line or a date line
///    (`dd.mm.yyyy[ hh:mm]` or `yyyy-mm-dd[ hh:mm]`).
/// 6. Otherwise **Plain**.
///
/// ```
/// use briefing_corpus::{Format, detect_format};
/// use std::path::Path;
///
/// assert_eq!(detect_format(Some(Path::new("a.jsonl")), b"anything"), Format::Jsonl);
/// assert_eq!(detect_format(None, b"{\"text\": \"hi\"}\n"), Format::Jsonl);
/// assert_eq!(detect_format(None, b"Q: Why?\nA: Because.\n"), Format::Marked);
/// assert_eq!(detect_format(None, b"Title\n01.02.2020 10:00\nWhy?\nBecause.\n"), Format::Transcript);
/// assert_eq!(detect_format(None, b"Just some text.\n"), Format::Plain);
/// ```
#[must_use]
pub fn detect_format(path: Option<&Path>, bytes: &[u8]) -> Format {
    if is_jsonl(path, bytes) {
        return Format::Jsonl;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => detect_text_format(text, &text::lines(text), ParagraphMode::Auto),
        Err(_) => Format::Plain,
    }
}

/// Whether [`detect_format`] says [`Format::Jsonl`]; otherwise the text formats are
/// detected by [`build`] with `Format::Auto`, on lines it splits only once.
pub(crate) fn is_jsonl(path: Option<&Path>, bytes: &[u8]) -> bool {
    path.is_some_and(has_jsonl_extension) || looks_like_jsonl(bytes)
}

fn has_jsonl_extension(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".jsonl") || name.ends_with(".ndjson")
}

fn looks_like_jsonl(bytes: &[u8]) -> bool {
    let mut probe = bytes
        .split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty())
        .take(JSONL_PROBE_LINES)
        .peekable();
    let Some(first) = probe.peek() else { return false };
    let first = first.strip_prefix("\u{feff}".as_bytes()).unwrap_or(first);
    if !(first.starts_with(b"{") && first.ends_with(b"}")) {
        return false;
    }
    let (n_lines, n_objects) = probe
        .fold((0usize, 0usize), |(n, k), line| (n + 1, k + usize::from(line.starts_with(b"{"))));
    n_objects * 2 >= n_lines
}

/// Format detection on text. Labels are looked for at line starts; the
/// transcript shape is checked on paragraphs as `mode` cuts them (lines unless `Blocks`).
fn detect_text_format(text: &str, lines: &[Line], mode: ParagraphMode) -> Format {
    let line_paragraphs = text::line_paragraphs(lines);
    if label::analyze(text, &line_paragraphs).is_marked {
        return Format::Marked;
    }
    let paragraphs = match mode {
        ParagraphMode::Blocks => text::block_paragraphs(lines, |_| false),
        ParagraphMode::Auto | ParagraphMode::Lines => line_paragraphs,
    };
    if looks_like_transcript(text, &paragraphs) { Format::Transcript } else { Format::Plain }
}

fn looks_like_transcript(text: &str, paragraphs: &[Span]) -> bool {
    let texts = slices(text, paragraphs);
    let first_question = texts.iter().position(|t| text::is_question(t)).unwrap_or(texts.len());
    let (header, _) = header(&texts, first_question);
    let mut n_answered = 0;
    for pair in texts.windows(2) {
        if let [a, b] = pair {
            n_answered += usize::from(text::is_question(a) && !text::is_question(b));
        }
    }
    n_answered >= 2 || n_answered == 1 && (header.title.is_some() || header.date_line.is_some())
}

fn slices<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
    spans.iter().map(|span| span.slice(text).unwrap_or("")).collect()
}

/// Parses one non-JSONL document (the engine of [`Document::parse`]).
pub(crate) fn parse_document(
    id: &str,
    text: &str,
    options: &crate::ParseOptions,
) -> Result<Document> {
    if options.format == Format::Jsonl {
        return Err(Error::MultipleDocuments);
    }
    let id = options.id.clone().unwrap_or_else(|| id.to_owned());
    let meta = options.metadata.clone().unwrap_or_default();
    let shape = Shape {
        format: options.format,
        mode: options.paragraphs,
        sentences: options.sentences,
        texts: options.paragraph_texts,
    };
    build(id, text.to_owned(), shape, meta, None)
}

/// A paragraph before ids and sentences are added.
struct Draft {
    span: Span,
    role: Role,
    turn: Option<usize>,
    speaker: Option<String>,
}

impl Draft {
    fn new(span: Span, role: Role) -> Draft {
        Draft { span, role, turn: None, speaker: None }
    }
}

/// What a parser returns.
#[derive(Default)]
struct Parts {
    drafts: Vec<Draft>,
    header: Header,
    turns: Vec<Turn>,
    date_line: Option<DateLine>,
}

/// How [`build`] parses: the format, the paragraph mode and whether to split sentences.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub(crate) format: Format,
    pub(crate) mode: ParagraphMode,
    pub(crate) sentences: bool,
    /// Whether paragraphs get a copy of their text ([`crate::ParseOptions::paragraph_texts`]).
    pub(crate) texts: bool,
}

/// Builds a document from owned text. `format` may be `Auto` (detect among
/// transcript, marked and plain); `Jsonl` parses as plain and records `Jsonl`.
pub(crate) fn build(
    id: String,
    text: String,
    shape: Shape,
    mut meta: Metadata,
    line: Option<u64>,
) -> Result<Document> {
    let Shape { format, mode, sentences, texts } = shape;
    if text.is_empty() {
        return Err(Error::Empty);
    }
    if text.trim_matches(is_space).is_empty() {
        return Err(Error::OnlyWhitespace);
    }
    let lines = text::lines(&text);
    let format = match format {
        Format::Auto => detect_text_format(&text, &lines, mode),
        other => other,
    };
    let mode = match mode {
        ParagraphMode::Auto if format == Format::Transcript => ParagraphMode::Lines,
        ParagraphMode::Auto if text::looks_hard_wrapped(&text, &lines) => ParagraphMode::Blocks,
        ParagraphMode::Auto => ParagraphMode::Lines,
        other => other,
    };
    let parts = match format {
        Format::Transcript => transcript(&text, &split(&lines, mode), &meta),
        Format::Marked => marked(&text, &lines, mode, &meta),
        Format::Auto | Format::Plain | Format::Jsonl => plain(&split(&lines, mode)),
    };
    if parts.drafts.is_empty() {
        return Err(Error::NoParagraphs);
    }
    fill_metadata(&text, &parts, &mut meta);
    let paragraphs = parts
        .drafts
        .into_iter()
        .enumerate()
        .map(|(idx, draft)| paragraph(&text, idx, draft, sentences, texts))
        .collect();
    Ok(Document {
        id,
        format,
        line,
        meta,
        text,
        header: parts.header,
        paragraphs,
        turns: parts.turns,
    })
}

fn split(lines: &[Line], mode: ParagraphMode) -> Vec<Span> {
    match mode {
        ParagraphMode::Blocks => text::block_paragraphs(lines, |_| false),
        ParagraphMode::Auto | ParagraphMode::Lines => text::line_paragraphs(lines),
    }
}

fn paragraph(
    text: &str,
    idx: usize,
    draft: Draft,
    with_sentences: bool,
    with_text: bool,
) -> Paragraph {
    let body = draft.span.slice(text).unwrap_or("");
    let sentences = if with_sentences {
        briefing_tokenize::sentences(body)
            .into_iter()
            .filter(|s| s.start < s.end && body.get(s.range()).is_some())
            .map(|s| Span::new(draft.span.start + s.start, draft.span.start + s.end))
            .collect()
    } else {
        Vec::new()
    };
    Paragraph {
        id: paragraph_id(idx),
        idx,
        role: draft.role,
        turn: draft.turn,
        speaker: draft.speaker,
        span: draft.span,
        text: if with_text { body.to_owned() } else { String::new() },
        sentences,
    }
}

/// `p{idx}`, without the formatting machinery (one id per paragraph adds up).
fn paragraph_id(idx: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(idx);
    let mut id = String::with_capacity(1 + digits.len());
    id.push('p');
    id.push_str(digits);
    id
}

fn fill_metadata(text: &str, parts: &Parts, meta: &mut Metadata) {
    if meta.title.is_none() {
        let title = parts.header.title.and_then(|idx| parts.drafts.get(idx));
        meta.title = title.and_then(|d| d.span.slice(text)).map(str::to_owned);
    }
    if let Some(date_line) = &parts.date_line {
        let same_day = meta.date.as_deref().is_none_or(|date| date == date_line.date);
        if meta.time.is_none() && same_day {
            meta.time.clone_from(&date_line.time);
        }
        if meta.date.is_none() {
            meta.date = Some(date_line.date.clone());
        }
    }
}

/// Finds the header among the first `limit` paragraphs: an optional title, an
/// optional date line, then lead paragraphs up to `limit`.
///
/// The first paragraph is the title when it is not a date line or a question
/// and either the next paragraph is a date line or it looks like a headline
/// (one line, at most 200 chars, not ending with `.`, `!`, `?` or `…`).
fn header(texts: &[&str], limit: usize) -> (Header, Option<DateLine>) {
    let limit = limit.min(texts.len());
    let mut header = Header::default();
    let mut date_line = None;
    let mut next = 0;
    if let Some(first) = texts.first().filter(|_| limit > 0) {
        let second_is_date =
            limit > 1 && texts.get(1).is_some_and(|s| text::parse_date_line(s).is_some());
        if text::parse_date_line(first).is_none()
            && !text::is_question(first)
            && (second_is_date || text::looks_like_headline(first))
        {
            header.title = Some(0);
            next = 1;
        }
    }
    if next < limit
        && let Some(parsed) = texts.get(next).and_then(|s| text::parse_date_line(s))
    {
        header.date_line = Some(next);
        date_line = Some(parsed);
        next += 1;
    }
    header.lead = (next..limit).collect();
    (header, date_line)
}

fn header_drafts(spans: &[Span], header: &Header) -> Vec<Draft> {
    spans
        .iter()
        .enumerate()
        .map(|(pos, &span)| {
            let role = if header.title == Some(pos) {
                Role::Title
            } else if header.date_line == Some(pos) {
                Role::DateLine
            } else {
                Role::Lead
            };
            Draft::new(span, role)
        })
        .collect()
}

/// Groups body paragraphs into turns: a run of question paragraphs, then the
/// answer paragraphs up to the next question. Answer-side paragraphs before
/// the first question stay [`Role::Body`]. Returns the turns as (question,
/// answer) index lists.
fn group_turns(drafts: &mut [Draft], first_body: usize, is_question: &[bool]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for (offset, &question) in is_question.iter().enumerate() {
        let idx = first_body + offset;
        let Some(draft) = drafts.get_mut(idx) else { continue };
        if question {
            if turns.last().is_none_or(|turn| !turn.answer.is_empty()) {
                let turn_idx = turns.len();
                turns.push(Turn {
                    idx: turn_idx,
                    question: Vec::new(),
                    answer: Vec::new(),
                    questioner: None,
                    answerer: None,
                });
            }
            if let Some(turn) = turns.last_mut() {
                turn.question.push(idx);
                draft.role = Role::Question;
                draft.turn = Some(turn.idx);
            }
        } else if let Some(turn) = turns.last_mut() {
            turn.answer.push(idx);
            draft.role = Role::Answer;
            draft.turn = Some(turn.idx);
        } else {
            draft.role = Role::Body;
        }
    }
    turns
}

/// The plain-transcript parser: header, then questions (paragraphs ending
/// with `?`) and the answers that follow them.
fn transcript(text: &str, spans: &[Span], meta: &Metadata) -> Parts {
    let texts = slices(text, spans);
    let first_question = texts.iter().position(|t| text::is_question(t)).unwrap_or(texts.len());
    let (header, date_line) = header(&texts, first_question);
    let mut drafts = header_drafts(spans, &header);
    let is_question: Vec<bool> =
        texts.iter().skip(first_question).map(|t| text::is_question(t)).collect();
    let mut turns = group_turns(&mut drafts, first_question, &is_question);
    for turn in &mut turns {
        turn.answerer.clone_from(&meta.speaker);
    }
    Parts { drafts, header, turns, date_line }
}

/// The plain-text parser: every paragraph is [`Role::Body`].
fn plain(spans: &[Span]) -> Parts {
    let drafts = spans.iter().map(|&span| Draft::new(span, Role::Body)).collect();
    Parts { drafts, ..Parts::default() }
}

/// A paragraph of a marked transcript with its label resolved.
struct Item {
    span: Span,
    speaker: Option<(String, LabelKind)>,
    labelled: bool,
}

impl Item {
    /// The speaker's name when the label is a name (not a `Q`/`A` marker).
    fn name(&self) -> Option<String> {
        match &self.speaker {
            Some((name, LabelKind::Name)) => Some(name.clone()),
            _ => None,
        }
    }
}

/// The marked-transcript parser: speaker labels decide who asks and who answers.
fn marked(text: &str, lines: &[Line], mode: ParagraphMode, meta: &Metadata) -> Parts {
    let line_spans = text::line_paragraphs(lines);
    let analysis = label::analyze(text, &line_spans);
    let spans = match mode {
        ParagraphMode::Blocks => text::block_paragraphs(lines, |span| {
            span.slice(text).and_then(|s| analysis.label(s, false)).is_some()
        }),
        ParagraphMode::Auto | ParagraphMode::Lines => line_spans,
    };
    let items = resolve_labels(text, &spans, &analysis);
    let first_labelled = items.iter().position(|item| item.labelled).unwrap_or(items.len());
    let header_spans: Vec<Span> = items.iter().take(first_labelled).map(|i| i.span).collect();
    let (header, date_line) = header(&slices(text, &header_spans), first_labelled);
    let mut drafts = header_drafts(&header_spans, &header);

    let body = items.get(first_labelled..).unwrap_or_default();
    let answerers = answerers(text, body, meta);
    let mut is_question = Vec::with_capacity(body.len());
    for item in body {
        let question = match &item.speaker {
            Some((_, LabelKind::Question)) => true,
            Some((_, LabelKind::Answer)) => false,
            Some((name, LabelKind::Name)) => !answerers.contains(&label::speaker_key(name)),
            None => false,
        };
        is_question.push(question);
        let mut draft = Draft::new(item.span, Role::Body);
        draft.speaker = item.speaker.as_ref().map(|(name, _)| name.clone());
        drafts.push(draft);
    }
    let mut turns = group_turns(&mut drafts, first_labelled, &is_question);
    for turn in &mut turns {
        let question = turn.question.last().and_then(|&idx| items.get(idx));
        turn.questioner = question.and_then(Item::name);
        turn.answerer = match turn.answer.first().and_then(|&idx| items.get(idx)) {
            Some(item) => item.name().or_else(|| meta.speaker.clone()),
            None => None,
        };
    }
    Parts { drafts, header, turns, date_line }
}

/// Strips accepted labels from paragraphs and carries each speaker over to
/// the unlabelled paragraphs that follow. A label standing alone on its line
/// is not a paragraph; it names the speaker of the next one.
fn resolve_labels(text: &str, spans: &[Span], analysis: &Analysis) -> Vec<Item> {
    let mut items = Vec::with_capacity(spans.len());
    let mut current: Option<(String, LabelKind)> = None;
    let mut pending_label = false;
    for (pos, &span) in spans.iter().enumerate() {
        let Some(s) = span.slice(text) else { continue };
        match analysis.label(s, pos == 0) {
            Some(found) => {
                current = Some((found.name.to_owned(), found.kind));
                let body = Span::new(span.start + found.body_start, span.end);
                match text::trim_span(text, body) {
                    Some(body) => {
                        items.push(Item { span: body, speaker: current.clone(), labelled: true });
                        pending_label = false;
                    }
                    None => pending_label = true,
                }
            }
            None => {
                items.push(Item { span, speaker: current.clone(), labelled: pending_label });
                pending_label = false;
            }
        }
    }
    items
}

/// The speaker keys on the answering side: the name labels matching the
/// metadata speaker (`NOROV` matches `Vladimir Norov`), or else the name with
/// the most text (ties go to the first to speak).
fn answerers(text: &str, body: &[Item], meta: &Metadata) -> BTreeSet<String> {
    let mut bytes_by_name: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (pos, item) in body.iter().enumerate() {
        if let Some((name, LabelKind::Name)) = &item.speaker {
            let n_bytes = item.span.slice(text).map_or(0, str::len);
            let entry = bytes_by_name.entry(label::speaker_key(name)).or_insert((0, pos));
            entry.0 += n_bytes;
        }
    }
    if let Some(speaker) = &meta.speaker {
        let matched: BTreeSet<String> =
            bytes_by_name.keys().filter(|key| names_match(speaker, key)).cloned().collect();
        if !matched.is_empty() {
            return matched;
        }
    }
    let best = bytes_by_name
        .iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(key, _)| key.clone());
    best.into_iter().collect()
}

/// Whether a label (already a speaker key) names the full speaker name: every
/// label word is a word of the name, or an initial of one.
fn names_match(full_name: &str, label_key: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| is_space(c) || c == '(' || c == ')')
            .map(|w| w.trim_matches('.').to_lowercase())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let name_words = words(full_name);
    let base = label_key.split('(').next().unwrap_or(label_key);
    let label_words = words(base);
    !label_words.is_empty()
        && label_words.iter().all(|lw| {
            name_words
                .iter()
                .any(|nw| nw == lw || lw.chars().count() == 1 && nw.starts_with(lw.as_str()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_lines() {
        let check = |s: &str, date: &str, time: Option<&str>| {
            let parsed = text::parse_date_line(s);
            assert_eq!(
                parsed,
                Some(DateLine { date: date.to_owned(), time: time.map(str::to_owned) }),
                "{s:?}"
            );
        };
        check("22.04.2019 12:45", "2019-04-22", Some("12:45"));
        check("1.2.2020", "2020-02-01", None);
        check("2020-02-01T09:05", "2020-02-01", Some("09:05"));
        check("2020-02-01 9:05:30", "2020-02-01", Some("09:05"));
        for bad in
            ["32.01.2020", "01.13.2020", "22.04.2019 25:00", "22.04.2019 noon", "2020-2-1", ""]
        {
            assert_eq!(text::parse_date_line(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn paragraph_ids() {
        for idx in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            assert_eq!(paragraph_id(idx), format!("p{idx}"));
        }
    }

    #[test]
    fn label_names_match_speaker() {
        assert!(names_match("Vladimir Norov", "norov"));
        assert!(names_match("Vladimir Norov", "v. norov"));
        assert!(names_match("Vladimir Norov", "vladimir norov"));
        assert!(!names_match("Vladimir Norov", "moderator"));
        assert!(!names_match("Vladimir Norov", "ivan norov"));
    }
}
