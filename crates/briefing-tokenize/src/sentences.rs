//! Sentence segmentation by rules over punctuation, case and a few word lists.
//!
//! [`sentences`] cuts `text` at *boundaries* and trims whitespace around
//! each piece; whitespace-only pieces are dropped, so every non-whitespace
//! character belongs to exactly one sentence. The rules, in order:
//!
//! 1. A blank line (a line break, optional spaces, another line break) is
//!    always a boundary. A single line break is not.
//! 2. A *terminator run* starts at `.`, `?`, `!`, `…` (or `‼`, `⁇`, `⁈`, `⁉`,
//!    `‽`, `।`, `॥`, `؟`, `۔`, `。`, `｡`, `！`, `？`) and takes every following
//!    terminator and closing quote or bracket (`)`, `]`, `"`, `’`, `»`, `」`, ...),
//!    so `?!`, `...` and `."` stay whole and closers stay with their sentence.
//! 3. A run containing an ideographic terminator (`。`, `｡`, `！`, `？`) ends
//!    a sentence wherever it is (CJK text has no spaces).
//! 4. Any other run ends a sentence only when followed by whitespace or the
//!    end of the text (so `1,000`, `22.04.2019`, `U.N.`, `e.g.,`, `3.5` and
//!    `example.com` never split), and only when the next word does not start
//!    with a lowercase letter (after skipping opening quotes and brackets):
//!    `"Why?" she asked` is one sentence.
//! 5. `?`, `!`, ellipses and runs of several terminators then end the sentence.
//! 6. A single period is a boundary unless the word before it is:
//!    - a title such as `Mr`, `Mrs`, `Dr`, `Prof`, `St`, `Gen` (never a boundary);
//!    - `e.g`, `i.e`, `cf`, `vs`, `viz` (never a boundary);
//!    - `No`, `Vol`, `p`, `pp`, `Fig`, `Art`, ... followed by a number (`No. 5`);
//!    - a list number at the start of a line (`1. First`);
//!    - *ambiguous*: an initial (`J.`), a dotted acronym (`U.N.`, `a.m.`),
//!      or an abbreviation such as `etc`, `Inc`, `Ltd`, `Jr`, or a month
//!      (`Jan.`): a boundary only when the next word is a common sentence
//!      starter (`The`, `For`, `We`, `This`, `However`, ...), so
//!      `J. R. R. Tolkien` and `the U.N. Security Council` stay whole while
//!      `in the U.S. The` splits.

use crate::Span;

/// Sentence spans of `text`, in order, trimmed of surrounding whitespace.
///
/// See the [module rules](self) for where sentences end.
///
/// ```
/// use briefing_tokenize::sentences;
/// let text = "Mr. Smith paid $1,000 on 22.04.2019. Was it enough? \"Yes.\" He left.";
/// let found: Vec<&str> = sentences(text).iter().map(|s| &text[s.range()]).collect();
/// assert_eq!(found, ["Mr. Smith paid $1,000 on 22.04.2019.", "Was it enough?", "\"Yes.\"", "He left."]);
/// ```
#[must_use]
pub fn sentences(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for_each_sentence(text, |span| out.push(span));
    out
}

/// How many sentences [`sentences`] finds in `text`, without collecting them.
///
/// ```
/// use briefing_tokenize::sentences::sentence_count;
/// let text = "Mr. Smith paid. Was it enough? \"Yes.\" He left.";
/// assert_eq!(sentence_count(text), 4);
/// assert_eq!(sentence_count(" \n "), 0);
/// ```
#[must_use]
pub fn sentence_count(text: &str) -> usize {
    let mut n = 0;
    for_each_sentence(text, |_| n += 1);
    n
}

/// Calls `f` with each sentence span of `text`, in order (the engine of [`sentences`]).
fn for_each_sentence(text: &str, mut f: impl FnMut(Span)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut idx = 0;
    // Skip to each next byte that may matter: a terminator, a line break or non-ASCII.
    while let Some(next) = next_stop(bytes, idx) {
        idx = next;
        let Some(c) = text.get(idx..).and_then(|rest| rest.chars().next()) else {
            // Not on a char boundary: a continuation byte; move on.
            idx += 1;
            continue;
        };
        if c == '\n' {
            if blank_line_follows(text, idx + 1) {
                push_trimmed(text, start, idx, &mut f);
                start = idx + 1;
            }
            idx += 1;
        } else if is_terminator(c) {
            let run_end = end_of_run(text, idx);
            if is_boundary(text, idx, run_end) {
                push_trimmed(text, start, run_end, &mut f);
                start = run_end;
            }
            idx = run_end;
        } else {
            idx += c.len_utf8();
        }
    }
    push_trimmed(text, start, text.len(), &mut f);
}

/// The bytes [`for_each_sentence`] stops at: `.`, `?`, `!`, `\n` and every non-ASCII byte.
static STOPS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = byte >= 0x80 || matches!(byte as u8, b'.' | b'?' | b'!' | b'\n');
        byte += 1;
    }
    table
};

/// The first position from `from` on of a byte in [`STOPS`]: eight bytes at a time while none
/// of them can be one (prose runs for dozens of bytes between stops), then byte by byte.
#[inline]
fn next_stop(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `word` is zero (exact as a yes/no answer).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGH != 0;
    let mut idx = from;
    while let Some(chunk) = bytes.get(idx..idx + 8)
        && let Ok(chunk) = <[u8; 8]>::try_from(chunk)
    {
        let word = u64::from_le_bytes(chunk);
        if word & HIGH != 0
            || has_zero(word ^ (ONES * u64::from(b'.')))
            || has_zero(word ^ (ONES * u64::from(b'?')))
            || has_zero(word ^ (ONES * u64::from(b'!')))
            || has_zero(word ^ (ONES * u64::from(b'\n')))
        {
            break;
        }
        idx += 8;
    }
    let skip = bytes.get(idx..)?.iter().position(|&b| STOPS[usize::from(b)])?;
    Some(idx + skip)
}

fn push_trimmed(text: &str, start: usize, end: usize, f: &mut impl FnMut(Span)) {
    let Some(piece) = text.get(start..end) else { return };
    let trimmed = piece.trim_start();
    let first = start + (piece.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        f(Span::new(first, first + trimmed.len()));
    }
}

fn blank_line_follows(text: &str, from: usize) -> bool {
    let Some(rest) = text.get(from..) else { return false };
    rest.chars().find(|&c| c == '\n' || !c.is_whitespace()) == Some('\n')
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '?' | '!' | '…' | '‼' | '⁇' | '⁈' | '⁉' | '‽' | '।' | '॥' | '؟' | '۔')
        || is_ideographic_terminator(c)
}

fn is_ideographic_terminator(c: char) -> bool {
    matches!(c, '。' | '｡' | '！' | '？')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        ')' | ']'
            | '}'
            | '"'
            | '\''
            | '”'
            | '’'
            | '»'
            | '›'
            | '」'
            | '』'
            | '）'
            | '］'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〗'
            | '＂'
            | '＇'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '(' | '['
            | '{'
            | '"'
            | '\''
            | '“'
            | '‘'
            | '„'
            | '«'
            | '‹'
            | '¿'
            | '¡'
            | '「'
            | '『'
            | '（'
            | '［'
            | '【'
            | '〔'
            | '〈'
            | '《'
            | '-'
            | '–'
            | '—'
            | '•'
            | '*'
    )
}

/// End (exclusive) of the run of terminators and closers starting at `from`.
fn end_of_run(text: &str, from: usize) -> usize {
    let Some(rest) = text.get(from..) else { return from };
    let run_len: usize =
        rest.chars().take_while(|&c| is_terminator(c) || is_closer(c)).map(char::len_utf8).sum();
    from + run_len
}

fn is_boundary(text: &str, run_start: usize, run_end: usize) -> bool {
    let Some(run) = text.get(run_start..run_end) else { return false };
    if run.chars().any(is_ideographic_terminator) {
        return true;
    }
    let Some(after) = text.get(run_end..) else { return false };
    match after.chars().next() {
        None => return true,
        Some(c) if !c.is_whitespace() => return false,
        Some(_) => {}
    }
    let next = after.trim_start().trim_start_matches(is_opener);
    let Some(first) = next.chars().next() else { return true };
    if first.is_lowercase() {
        return false;
    }
    let n_terminators = run.chars().filter(|&c| is_terminator(c)).count();
    if n_terminators > 1 || !run.starts_with('.') {
        return true;
    }
    period_is_boundary(text, run_start, first, next)
}

/// Decides a single period followed by whitespace and a word starting with
/// `first` (not lowercase); `next` is the text from that word on.
fn period_is_boundary(text: &str, period: usize, first: char, next: &str) -> bool {
    let Some(before) = text.get(..period) else { return true };
    let token = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return true;
    }
    // A plain ASCII word longer than every listed abbreviation and than a list number, not
    // an initial or an acronym: a boundary (the rules below would say so, allocating).
    if word.len() > LONGEST_ABBREVIATION && word.is_ascii() && !word.contains('.') {
        return true;
    }
    let lower = word.to_lowercase();
    let lower = lower.as_str();
    if TITLES.contains(&lower) || NEVER_FINAL.contains(&lower) {
        return false;
    }
    if NUMBER_ABBREVIATIONS.contains(&lower) && first.is_numeric() {
        return false;
    }
    if word.chars().all(|c| c.is_ascii_digit()) && word.len() <= 3 && at_line_start(before, token) {
        return false;
    }
    let ambiguous = AMBIGUOUS.contains(&lower) || is_initial(word) || is_dotted_acronym(word);
    if ambiguous {
        return next_word_is_starter(next);
    }
    true
}

fn at_line_start(before: &str, token: &str) -> bool {
    let head = before.get(..before.len() - token.len()).unwrap_or("");
    head.chars().rev().take_while(|&c| c != '\n').all(char::is_whitespace)
}

fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase())
}

fn is_dotted_acronym(word: &str) -> bool {
    word.contains('.')
        && word.split('.').all(|part| {
            let mut chars = part.chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
        })
}

fn next_word_is_starter(next: &str) -> bool {
    let word_len: usize = next.chars().take_while(|c| c.is_alphabetic()).map(char::len_utf8).sum();
    let Some(word) = next.get(..word_len) else { return false };
    let followed_by_period = next.get(word_len..).is_some_and(|rest| rest.starts_with('.'));
    if word.chars().count() == 1 && followed_by_period {
        // Another initial, as in `J. R. R. Tolkien`.
        return false;
    }
    STARTERS.contains(&word.to_lowercase().as_str())
}

/// Titles before a name: a period after them never ends a sentence.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "mme", "mlle", "dr", "prof", "rev", "hon", "st", "sr", "gen",
    "col", "lt", "maj", "capt", "cmdr", "adm", "sgt", "gov", "sen", "rep", "pres", "amb",
];

/// Abbreviations that introduce more of the same sentence.
const NEVER_FINAL: &[&str] = &["e.g", "i.e", "cf", "vs", "viz"];

/// Abbreviations that introduce a number (`No. 5`, `pp. 10-12`).
const NUMBER_ABBREVIATIONS: &[&str] =
    &["no", "nos", "vol", "p", "pp", "fig", "figs", "art", "ch", "sec", "para", "tel", "ext"];

/// Bytes in the longest word of [`TITLES`], [`NEVER_FINAL`], [`NUMBER_ABBREVIATIONS`] and
/// [`AMBIGUOUS`] (checked by a test), at least 3 (list numbers).
const LONGEST_ABBREVIATION: usize = 6;

/// Abbreviations that may or may not end a sentence.
const AMBIGUOUS: &[&str] = &[
    "etc", "inc", "ltd", "co", "corp", "jr", "bros", "al", "dept", "est", "approx", "ca", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Common first words of English sentences (lowercase).
const STARTERS: &[&str] = &[
    "a",
    "i",
    "the",
    "an",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "we",
    "our",
    "they",
    "their",
    "he",
    "she",
    "his",
    "her",
    "you",
    "your",
    "in",
    "on",
    "at",
    "for",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "however",
    "therefore",
    "thus",
    "also",
    "there",
    "here",
    "what",
    "when",
    "where",
    "why",
    "how",
    "who",
    "which",
    "if",
    "as",
    "after",
    "before",
    "since",
    "while",
    "although",
    "though",
    "because",
    "many",
    "most",
    "some",
    "all",
    "such",
    "no",
    "not",
    "now",
    "then",
    "today",
    "moreover",
    "furthermore",
    "meanwhile",
    "nevertheless",
    "still",
    "finally",
    "first",
    "second",
    "last",
    "during",
    "with",
    "by",
    "from",
    "to",
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "let",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stop_finds_the_first_stop_byte_like_a_byte_scan() {
        let reference = |bytes: &[u8], from: usize| {
            bytes.get(from..)?.iter().position(|&b| STOPS[usize::from(b)]).map(|p| from + p)
        };
        let base = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789,;:'\"()-";
        for stop in [".", "?", "!", "\n", "é", "…", "\u{80}"] {
            for at in 0..40 {
                let mut text: String = base.chars().take(at).collect();
                text.push_str(stop);
                text.push_str(base);
                let bytes = text.as_bytes();
                for from in 0..bytes.len() + 2 {
                    assert_eq!(next_stop(bytes, from), reference(bytes, from), "{text:?} {from}");
                }
            }
        }
        assert_eq!(next_stop(base.as_bytes(), 0), None);
    }

    #[test]
    fn longest_abbreviation_is_the_longest() {
        let lists = [TITLES, NEVER_FINAL, NUMBER_ABBREVIATIONS, AMBIGUOUS];
        let longest = lists.iter().flat_map(|list| list.iter()).map(|w| w.len()).max();
        assert_eq!(longest.map(|n| n.max(3)), Some(LONGEST_ABBREVIATION));
        let text = "Ask Messrs. Smith. Ask Messrsx. Smith. About 100. Then 1000. Done.";
        assert_eq!(sentence_count(text), sentences(text).len());
        assert_eq!(sentences(text).len(), 6);
    }

    /// Segments `input` and compares the sentence texts with `expected`,
    /// checking on the way that spans are ordered, trimmed and in bounds.
    #[track_caller]
    fn check(input: &str, expected: &[&str]) {
        let spans = sentences(input);
        assert_eq!(sentence_count(input), spans.len());
        let mut last_end = 0;
        let mut found = Vec::new();
        for span in &spans {
            assert!(span.start >= last_end && span.start < span.end, "bad span {span:?}");
            let text = span.slice(input).unwrap_or_else(|| panic!("span {span:?} out of bounds"));
            assert_eq!(text, text.trim(), "sentence not trimmed");
            found.push(text);
            last_end = span.end;
        }
        assert_eq!(found, expected, "input: {input:?}");
    }

    #[test]
    fn empty_and_blank() {
        check("", &[]);
        check(" \n\t ", &[]);
        check("  no terminator  ", &["no terminator"]);
    }

    #[test]
    fn basic_terminators() {
        check("One. Two? Three! Four", &["One.", "Two?", "Three!", "Four"]);
        check("Really?! Yes.", &["Really?!", "Yes."]);
    }

    #[test]
    fn numbers_stay_whole() {
        check(
            "It cost 1,000 dollars in 2013-2017. Then it rose 3.5 times by 22.04.2019. Done.",
            &[
                "It cost 1,000 dollars in 2013-2017.",
                "Then it rose 3.5 times by 22.04.2019.",
                "Done.",
            ],
        );
    }

    #[test]
    fn abbreviations() {
        check(
            "Mr. Smith met Dr. Jones. They talked.",
            &["Mr. Smith met Dr. Jones.", "They talked."],
        );
        check(
            "Some fruit, e.g. Apples, i.e. Red ones. Fine.",
            &["Some fruit, e.g. Apples, i.e. Red ones.", "Fine."],
        );
        check("See No. 5 and pp. 10-12. Next.", &["See No. 5 and pp. 10-12.", "Next."]);
        check("Apples, pears, etc. The rest.", &["Apples, pears, etc.", "The rest."]);
        check("Apples, pears, etc. Bananas too.", &["Apples, pears, etc. Bananas too."]);
    }

    #[test]
    fn dotted_acronyms() {
        check(
            "The U.N. Security Council met. The U.S. For years it waited.",
            &["The U.N. Security Council met.", "The U.S.", "For years it waited."],
        );
        check("At 5 p.m. The end.", &["At 5 p.m.", "The end."]);
        check("The U.N., NATO and others.", &["The U.N., NATO and others."]);
    }

    #[test]
    fn initials() {
        check(
            "J. R. R. Tolkien wrote it. He was British.",
            &["J. R. R. Tolkien wrote it.", "He was British."],
        );
        check("It was plan B. The plan failed.", &["It was plan B.", "The plan failed."]);
        check("Ask J. A. Smith.", &["Ask J. A. Smith."]);
    }

    #[test]
    fn ellipses() {
        check(
            "...terrorism. For almost 20 years... We waited.",
            &["...terrorism.", "For almost 20 years...", "We waited."],
        );
        check("We waited… and waited… Then it came.", &["We waited… and waited…", "Then it came."]);
    }

    #[test]
    fn quotes_and_brackets() {
        check(
            "He said \"Stop.\" Then he left. (It was late.) \"Why?\" she asked.",
            &["He said \"Stop.\"", "Then he left.", "(It was late.)", "\"Why?\" she asked."],
        );
        check(
            "She wrote: \u{201c}We agree.\u{201d} Fine.",
            &["She wrote: \u{201c}We agree.\u{201d}", "Fine."],
        );
        check("Period. \"Quoted start.\"", &["Period.", "\"Quoted start.\""]);
    }

    #[test]
    fn lowercase_continues() {
        check("It was 5 p.m. in Moscow. ok.", &["It was 5 p.m. in Moscow. ok."]);
    }

    #[test]
    fn lines_and_lists() {
        check(
            "Title line\nsecond line.\n\nNew paragraph",
            &["Title line\nsecond line.", "New paragraph"],
        );
        check("Heading\r\n \r\nBody.", &["Heading", "Body."]);
        check("Steps:\n1. Open it.\n2. Close it.", &["Steps:\n1. Open it.", "2. Close it."]);
    }

    #[test]
    fn non_latin() {
        check("Привет. Как дела? Хорошо!", &["Привет.", "Как дела?", "Хорошо!"]);
        check("Это я. Он тоже. А. С. Пушкин.", &["Это я.", "Он тоже.", "А. С. Пушкин."]);
        check("我们来了。你好吗？很好！", &["我们来了。", "你好吗？", "很好！"]);
        check("「はい。」と言った。", &["「はい。」", "と言った。"]);
    }
}
