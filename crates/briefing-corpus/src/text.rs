//! Line scanning, trimming, paragraph splitting and the small text predicates the parsers share.

use briefing_tokenize::Span;

/// Lines at most this many chars long can be hard-wrapped lines.
pub(crate) const WRAP_WIDTH: usize = 100;

/// A title line is at most this many chars long.
const MAX_HEADLINE_CHARS: usize = 200;

/// Whitespace for trimming: Unicode `White_Space` (which includes U+00A0)
/// plus the byte order mark U+FEFF.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// One line of the input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    /// The trimmed content, `None` for a blank line.
    pub(crate) content: Option<Span>,
}

/// The lines of `text`; terminators are `\n` or `\r\n` (a lone `\r` at a line end too).
///
/// The same lines as `text.split_inclusive('\n')`, found with a vectorized search
/// that keeps its state across lines (a search per line costs more than the line's
/// bytes on short lines), into a vector sized once.
pub(crate) fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
    let line = |start: usize, end: usize| {
        let body = bytes.get(start..end).unwrap_or_default();
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        Line { content: trim_span(text, Span::new(start, start + body.len())) }
    };
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', bytes) {
        out.push(line(start, newline + 1));
        start = newline + 1;
    }
    if start < bytes.len() {
        out.push(line(start, bytes.len()));
    }
    out
}

/// `span` without surrounding whitespace, or `None` when nothing is left.
pub(crate) fn trim_span(text: &str, span: Span) -> Option<Span> {
    let s = span.slice(text)?;
    let trimmed_start = s.trim_start_matches(is_space);
    let lead = s.len() - trimmed_start.len();
    let trimmed = trimmed_start.trim_end_matches(is_space);
    if trimmed.is_empty() {
        return None;
    }
    let start = span.start + lead;
    Some(Span::new(start, start + trimmed.len()))
}

/// Every non-blank line as a paragraph.
pub(crate) fn line_paragraphs(lines: &[Line]) -> Vec<Span> {
    lines.iter().filter_map(|line| line.content).collect()
}

/// Runs of non-blank lines as paragraphs; `starts_paragraph` may also cut a
/// run before a line.
pub(crate) fn block_paragraphs(
    lines: &[Line],
    starts_paragraph: impl Fn(Span) -> bool,
) -> Vec<Span> {
    let mut out = Vec::new();
    let mut current: Option<Span> = None;
    for line in lines {
        match (line.content, current) {
            (None, _) => out.extend(current.take()),
            (Some(content), None) => current = Some(content),
            (Some(content), Some(block)) => {
                if starts_paragraph(content) {
                    out.push(block);
                    current = Some(content);
                } else {
                    current = Some(Span::new(block.start, content.end));
                }
            }
        }
    }
    out.extend(current);
    out
}

/// Whether the text looks hard-wrapped (see [`ParagraphMode::detect`](crate::ParagraphMode::detect)).
pub(crate) fn looks_hard_wrapped(text: &str, lines: &[Line]) -> bool {
    let mut n_candidates = 0usize;
    let mut n_wrapped = 0usize;
    for pair in lines.windows(2) {
        let [first, second] = pair else { continue };
        let (Some(a), Some(b)) = (first.content, second.content) else { continue };
        let (Some(a), Some(b)) = (a.slice(text), b.slice(text)) else { continue };
        n_candidates += 1;
        let runs_on = !ends_sentence(a) || b.chars().next().is_some_and(char::is_lowercase);
        if runs_on && a.chars().count() <= WRAP_WIDTH {
            n_wrapped += 1;
        }
    }
    n_candidates > 0 && n_wrapped * 2 >= n_candidates
}

const CLOSERS: &[char] = &['"', '\'', '”', '’', '»', ')', ']', '*'];

fn strip_closers(s: &str) -> &str {
    s.trim_end_matches(|c: char| is_space(c) || CLOSERS.contains(&c))
}

/// Whether `s` ends like a sentence (`.`, `!`, `?`, `…`, `:`, `;`, possibly inside quotes).
pub(crate) fn ends_sentence(s: &str) -> bool {
    strip_closers(s).ends_with(['.', '!', '?', '…', ':', ';', '。', '！', '？'])
}

/// Whether `s` is a question: it ends with `?` (possibly inside closing quotes or brackets).
pub(crate) fn is_question(s: &str) -> bool {
    strip_closers(s).ends_with(['?', '？'])
}

/// Whether `s` can be a title line: one line of at most 200 chars that does
/// not end with `.`, `!`, `?` or `…`.
pub(crate) fn looks_like_headline(s: &str) -> bool {
    !s.contains('\n')
        && s.chars().count() <= MAX_HEADLINE_CHARS
        && !strip_closers(s).ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

/// A date line's date (`YYYY-MM-DD`) and time (`HH:MM`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateLine {
    pub(crate) date: String,
    pub(crate) time: Option<String>,
}

/// Parses a whole line as a date line: `dd.mm.yyyy` or `yyyy-mm-dd`,
/// optionally followed (after a space, `,` or `T`) by `hh:mm` or `hh:mm:ss`.
pub(crate) fn parse_date_line(s: &str) -> Option<DateLine> {
    let s = s.trim_matches(is_space);
    let is_sep = |c: char| is_space(c) || c == ',' || c == 'T';
    let (date_part, time_part) = match s.find(is_sep) {
        Some(idx) => {
            let (date, rest) = s.split_at_checked(idx)?;
            (date, Some(rest.trim_start_matches(is_sep)))
        }
        None => (s, None),
    };
    let (year, month, day) = parse_date(date_part)?;
    let time = match time_part {
        None => None,
        Some(t) => Some(parse_time(t)?),
    };
    Some(DateLine { date: format!("{year:04}-{month:02}-{day:02}"), time })
}

fn number(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    if s.len() < min_len || s.len() > max_len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let (year, month, day) = if let Some((d, rest)) = s.split_once('.') {
        let (m, y) = rest.split_once('.')?;
        (number(y, 4, 4)?, number(m, 1, 2)?, number(d, 1, 2)?)
    } else {
        let (y, rest) = s.split_once('-')?;
        let (m, d) = rest.split_once('-')?;
        (number(y, 4, 4)?, number(m, 2, 2)?, number(d, 2, 2)?)
    };
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

fn parse_time(s: &str) -> Option<String> {
    let mut parts = s.split(':');
    let hour = number(parts.next()?, 1, 2)?;
    let minute = number(parts.next()?, 2, 2)?;
    if let Some(second) = parts.next() {
        number(second, 2, 2).filter(|&s| s < 60)?;
    }
    if parts.next().is_some() || hour > 23 || minute > 59 {
        return None;
    }
    Some(format!("{hour:02}:{minute:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines as `split_inclusive` cuts them (the reference of [`lines`]).
    fn reference_lines(text: &str) -> Vec<Option<Span>> {
        let mut out = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            let body = piece.strip_suffix('\n').unwrap_or(piece);
            let body = body.strip_suffix('\r').unwrap_or(body);
            out.push(trim_span(text, Span::new(start, start + body.len())));
            start += piece.len();
        }
        out
    }

    #[test]
    fn lines_are_those_of_split_inclusive() {
        let texts = [
            "",
            "\n",
            "\n\n",
            "a",
            "a\n",
            "a\nb",
            " a \r\n\r\n  b\t\n",
            "\r",
            "a\rb\n\r",
            "Été \u{a0}\n— Шанхай —\r\nend",
            "\r\n\r\n\r\n",
        ];
        for text in texts {
            let got: Vec<Option<Span>> = lines(text).into_iter().map(|l| l.content).collect();
            assert_eq!(got, reference_lines(text), "{text:?}");
        }
        let long = "word line\r\n\n  indented  \n".repeat(500);
        let got: Vec<Option<Span>> = lines(&long).into_iter().map(|l| l.content).collect();
        assert_eq!(got.len(), 1500);
        assert_eq!(got, reference_lines(&long));
    }
}
