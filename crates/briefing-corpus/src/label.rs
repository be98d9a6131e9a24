//! Speaker labels (`Q:`, `Answer:`, `MODERATOR:`, `Ann Lee:`) and the document-level rules that accept them.
//!
//! A *candidate* label is checked on one paragraph's text alone:
//!
//! - it sits at the start, ends with `:` followed by whitespace or the end of
//!   the paragraph (so `12:45` and `http://` are not labels);
//! - it is a marker (`Q`, `A`, `Question`, `Answer`, `QUESTION`, `ANSWER`), or a
//!   name of 1 to 4 words and at most 32 chars, each word Title-case or
//!   ALL-CAPS letters (plus `.`, `-`, `'`, `’`), lowercase particles such as
//!   `de`, `van`, `al` allowed inside; an optional `(...)` note may follow the
//!   name (`REPORTER (TASS)`);
//! - it is not a common heading word (`Note`, `Update`, `Source`, `Summary`,
//!   ...) and does not start with a function word (`In Bishkek:`, `The result:`).
//!
//! Candidates are then judged over the whole document (see [`analyze`]):
//! a first paragraph whose name labels no other paragraph and that looks like a
//! title (followed by a date line, or not ending like a sentence) is a title
//! such as `Ann Lee: we will grow`, not a label. The document is *marked* when
//! the remaining labels cover at least two paragraphs with at least two
//! different names, and either some name repeats, markers are used, or labels
//! start at least a third of the paragraphs from the first label on.

use std::collections::BTreeMap;

use briefing_tokenize::Span;

use crate::text::{self, is_space};

const MAX_NAME_CHARS: usize = 32;
const MAX_LABEL_CHARS: usize = 64;
const MAX_NAME_WORDS: usize = 4;

const PARTICLES: &[&str] =
    &["de", "da", "del", "der", "di", "du", "la", "le", "van", "von", "al", "el", "bin", "ibn"];

const HEADING_WORDS: &[&str] = &[
    "note",
    "notes",
    "nb",
    "ps",
    "update",
    "updated",
    "source",
    "sources",
    "photo",
    "video",
    "date",
    "time",
    "tags",
    "tag",
    "subject",
    "from",
    "to",
    "cc",
    "re",
    "warning",
    "example",
    "summary",
    "conclusion",
    "conclusions",
    "background",
    "contents",
    "keywords",
    "location",
    "place",
    "see also",
    "read more",
    "related",
    "attention",
    "important",
    "abstract",
    "disclaimer",
];

const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "in", "on", "at", "for", "to", "by", "with", "from", "of", "as", "and",
    "but", "or", "however", "this", "that", "these", "those", "our", "we", "it", "my", "his",
    "her", "their", "its", "there", "here", "when", "where", "what", "why", "how", "who", "if",
    "then", "so", "also",
];

/// What a label says about its paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LabelKind {
    /// `Q:` / `Question:`.
    Question,
    /// `A:` / `Answer:`.
    Answer,
    /// A speaker name.
    Name,
}

/// A candidate label at the start of a paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Label<'a> {
    /// The label as written, without the colon.
    pub(crate) name: &'a str,
    pub(crate) kind: LabelKind,
    /// Offset in the paragraph text where the body starts (after the colon
    /// and whitespace); the text length when the label stands alone.
    pub(crate) body_start: usize,
}

/// The byte offset of the first `:` of `s` if it is among the first `MAX_LABEL_CHARS + 1`
/// characters, found on bytes (a character is at most 4 bytes, and `:` is ASCII, so it is
/// never inside one; characters are counted by their first bytes).
fn label_colon(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let probe = bytes.get(..(MAX_LABEL_CHARS + 1) * 4).unwrap_or(bytes);
    let colon = memchr::memchr(b':', probe)?;
    let n_chars_before = probe.iter().take(colon).filter(|&&b| (b as i8) >= -0x40).count();
    (n_chars_before <= MAX_LABEL_CHARS).then_some(colon)
}

/// Parses a candidate label at the start of `s` (a trimmed paragraph).
pub(crate) fn parse_label(s: &str) -> Option<Label<'_>> {
    // Every label starts with an uppercase letter (a marker, or a name's first word), so
    // a paragraph starting otherwise is none, without looking for a colon.
    if s.chars().next().is_some_and(|c| !is_space(c) && !c.is_uppercase()) {
        return None;
    }
    let colon = label_colon(s)?;
    let (name, rest) = s.split_at_checked(colon)?;
    let after = rest.strip_prefix(':')?;
    if after.chars().next().is_some_and(|c| !is_space(c)) {
        return None;
    }
    let name = name.trim_end_matches(is_space);
    let kind = classify(name)?;
    let body_start = s.len() - after.trim_start_matches(is_space).len();
    Some(Label { name, kind, body_start })
}

fn classify(name: &str) -> Option<LabelKind> {
    match name {
        "Q" | "Question" | "QUESTION" => return Some(LabelKind::Question),
        "A" | "Answer" | "ANSWER" => return Some(LabelKind::Answer),
        _ => {}
    }
    let base = match name.strip_suffix(')') {
        Some(inner) => {
            let (base, note) = inner.split_once('(')?;
            if note.trim_matches(is_space).is_empty() || note.contains(['(', ')']) {
                return None;
            }
            base.trim_end_matches(is_space)
        }
        None => name,
    };
    if base.is_empty() || base.chars().count() > MAX_NAME_CHARS {
        return None;
    }
    let lower = base.to_lowercase();
    if HEADING_WORDS.contains(&lower.as_str()) {
        return None;
    }
    let words: Vec<&str> = base.split(is_space).filter(|w| !w.is_empty()).collect();
    let n_words = words.len();
    if n_words == 0 || n_words > MAX_NAME_WORDS {
        return None;
    }
    let first_lower = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    if FUNCTION_WORDS.contains(&first_lower.as_str()) {
        return None;
    }
    for (word_idx, word) in words.iter().enumerate() {
        let inside = word_idx > 0 && word_idx + 1 < n_words;
        if !(is_name_word(word) || inside && PARTICLES.contains(word)) {
            return None;
        }
    }
    Some(LabelKind::Name)
}

fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && word.chars().all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
}

/// A name key for counting: labels that differ only in case are one speaker.
pub(crate) fn speaker_key(name: &str) -> String {
    name.to_lowercase()
}

/// The document-level verdict on candidate labels.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// Speaker keys of accepted labels.
    pub(crate) accepted: BTreeMap<String, usize>,
    /// Whether the first paragraph's label is really a title.
    pub(crate) first_is_title: bool,
    /// Whether the labels make the document a marked transcript.
    pub(crate) is_marked: bool,
}

impl Analysis {
    /// The accepted label at the start of a paragraph's `text`; `is_first`
    /// says whether it is the document's first paragraph (maybe a title).
    pub(crate) fn label<'a>(&self, text: &'a str, is_first: bool) -> Option<Label<'a>> {
        if is_first && self.first_is_title {
            return None;
        }
        parse_label(text).filter(|label| self.accepted.contains_key(&speaker_key(label.name)))
    }
}

/// Judges the candidate labels of `paragraphs` (spans into `text`).
pub(crate) fn analyze(text: &str, paragraphs: &[Span]) -> Analysis {
    let labels: Vec<Option<Label<'_>>> =
        paragraphs.iter().map(|span| span.slice(text).and_then(parse_label)).collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for label in labels.iter().flatten() {
        *counts.entry(speaker_key(label.name)).or_default() += 1;
    }
    let first_is_title = match (labels.first(), paragraphs.first()) {
        (Some(Some(label)), Some(first)) if label.kind == LabelKind::Name => {
            let unique = counts.get(&speaker_key(label.name)).copied() == Some(1);
            let first_text = first.slice(text).unwrap_or("");
            let next_is_date = paragraphs
                .get(1)
                .and_then(|span| span.slice(text))
                .is_some_and(|s| text::parse_date_line(s).is_some());
            unique && (next_is_date || text::looks_like_headline(first_text))
        }
        _ => false,
    };
    if first_is_title && let Some(Some(label)) = labels.first() {
        counts.remove(&speaker_key(label.name));
    }
    let skip = usize::from(first_is_title);
    let n_labelled: usize = counts.values().sum();
    let n_distinct = counts.len();
    let repeats = counts.values().any(|&n| n >= 2);
    let uses_markers = labels.iter().skip(skip).flatten().any(|l| l.kind != LabelKind::Name);
    let first_labelled = labels.iter().skip(skip).position(Option::is_some).map(|p| p + skip);
    let n_from_first = first_labelled.map_or(0, |p| paragraphs.len() - p);
    let dense = n_labelled * 3 >= n_from_first;
    let is_marked = n_labelled >= 2 && n_distinct >= 2 && (repeats || uses_markers || dense);
    Analysis { accepted: counts, first_is_title, is_marked }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<(&str, LabelKind, &str)>) {
        let got = parse_label(input)
            .map(|l| (l.name, l.kind, input.get(l.body_start..).unwrap_or("<bad offset>")));
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn the_colon_is_looked_for_in_the_first_characters_only() {
        for n in [0, 1, 62, 63, 64, 65, 66, 70, 300] {
            for c in ["a", "é", "中", "😀"] {
                for tail in [": x", ":", "", " a:b"] {
                    let s = format!("{}{tail}", c.repeat(n));
                    let reference = s
                        .char_indices()
                        .take(MAX_LABEL_CHARS + 1)
                        .find(|&(_, c)| c == ':')
                        .map(|(idx, _)| idx);
                    assert_eq!(label_colon(&s), reference, "{n} × {c} + {tail:?}");
                }
            }
        }
    }

    #[test]
    fn candidate_labels() {
        check("Q: Why?", Some(("Q", LabelKind::Question, "Why?")));
        check("Answer:\u{a0}Because.", Some(("Answer", LabelKind::Answer, "Because.")));
        check("MODERATOR: Welcome.", Some(("MODERATOR", LabelKind::Name, "Welcome.")));
        check("Ann Lee: Hello.", Some(("Ann Lee", LabelKind::Name, "Hello.")));
        check("REPORTER (TASS): Hi", Some(("REPORTER (TASS)", LabelKind::Name, "Hi")));
        check("Ludwig van Beethoven: Da", Some(("Ludwig van Beethoven", LabelKind::Name, "Da")));
        check("NOROV:", Some(("NOROV", LabelKind::Name, "")));
        check("At 12:45 we met.", None);
        check("See http://example.org", None);
        check("Note: this is not a speaker.", None);
        check("In Bishkek: a summit.", None);
        check("the speaker: lowercase", None);
        check("One Two Three Four Five: too many words", None);
        check("R2D2: digits", None);
        check("", None);
        check(":", None);
    }
}
