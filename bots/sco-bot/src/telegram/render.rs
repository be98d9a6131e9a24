//! Telegram HTML: escaping, a message built from blocks, and splitting a
//! long message on sentence boundaries into parts of at most 4096 UTF-16
//! code units.
//!
//! Only [`HtmlMessage::markup`] takes HTML as it is (the constants of
//! [`super::text`]); every other text is escaped, so transcript and user
//! text can never open a tag or an entity.
//!
//! ```
//! use sco_bot::telegram::render::{HtmlMessage, Style};
//! let message = HtmlMessage::new()
//!     .markup("<b>Answer</b>")
//!     .line("1 < 2 & <i>not a tag</i>", Style::Plain);
//! assert_eq!(message.to_html(), "<b>Answer</b>\n1 &lt; 2 &amp; &lt;i&gt;not a tag&lt;/i&gt;");
//! assert_eq!(message.split(4096).len(), 1);
//! ```

use std::fmt::Write as _;

/// Telegram's limit on a message's text, in UTF-16 code units.
pub const MAX_MESSAGE_UTF16: usize = 4096;

/// Escapes text for Telegram's HTML parse mode: `&`, `<`, `>` and `"`
/// become the four entities Telegram knows.
///
/// ```
/// use sco_bot::telegram::render::escape;
/// assert_eq!(escape(r#"<b>"Tom" & Jerry</b>"#), "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;");
/// ```
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The length of `text` in UTF-16 code units, as Telegram counts it.
#[must_use]
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// How a text block is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Plain text.
    Plain,
    /// Bold.
    Bold,
    /// Italic.
    Italic,
}

impl Style {
    fn tags(self) -> (&'static str, &'static str) {
        match self {
            Style::Plain => ("", ""),
            Style::Bold => ("<b>", "</b>"),
            Style::Italic => ("<i>", "</i>"),
        }
    }
}

/// One block of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    /// Trusted HTML, never split.
    Markup(String),
    /// Text, escaped and split on sentence boundaries when needed.
    Text(String, Style),
}

/// A message made of blocks, each on its own line or paragraph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlMessage {
    /// Each block with the separator that goes before it.
    blocks: Vec<(&'static str, Block)>,
}

impl HtmlMessage {
    /// An empty message.
    #[must_use]
    pub fn new() -> HtmlMessage {
        HtmlMessage::default()
    }

    /// Adds trusted HTML (a constant of [`super::text`], or tags around
    /// [`escape`]d text) on a new line. It is never split, so keep it short.
    #[must_use]
    pub fn markup(mut self, html: &str) -> HtmlMessage {
        self.blocks.push(("\n", Block::Markup(html.to_owned())));
        self
    }

    /// Adds trusted HTML as a new paragraph (after a blank line).
    #[must_use]
    pub fn markup_paragraph(mut self, html: &str) -> HtmlMessage {
        self.blocks.push(("\n\n", Block::Markup(html.to_owned())));
        self
    }

    /// Adds text on a new line; it is escaped.
    #[must_use]
    pub fn line(mut self, text: &str, style: Style) -> HtmlMessage {
        self.blocks.push(("\n", Block::Text(text.trim().to_owned(), style)));
        self
    }

    /// Adds text as a new paragraph (after a blank line); it is escaped.
    #[must_use]
    pub fn paragraph(mut self, text: &str, style: Style) -> HtmlMessage {
        self.blocks.push(("\n\n", Block::Text(text.trim().to_owned(), style)));
        self
    }

    /// Whether the message has no text.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.blocks.iter().all(|(_, block)| match block {
            Block::Markup(html) => html.trim().is_empty(),
            Block::Text(text, _) => text.is_empty(),
        })
    }

    /// The whole message as one HTML string (it may be over the limit).
    #[must_use]
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for (separator, block) in &self.blocks {
            let html = match block {
                Block::Markup(html) => html.clone(),
                Block::Text(text, _) if text.is_empty() => continue,
                Block::Text(text, style) => {
                    let (open, close) = style.tags();
                    format!("{open}{}{close}", escape(text))
                }
            };
            if !out.is_empty() {
                out.push_str(separator);
            }
            out.push_str(&html);
        }
        out
    }

    /// The message as HTML parts of at most `limit` UTF-16 code units
    /// each. Text is cut between sentences; a sentence longer than a part
    /// is cut between words, and a word longer than a part between
    /// characters. Tags are closed at the end of a part and opened again
    /// at the start of the next, so each part is well-formed on its own.
    /// An empty message has no parts.
    #[must_use]
    pub fn split(&self, limit: usize) -> Vec<String> {
        let mut splitter =
            Splitter { limit, parts: Vec::new(), current: String::new(), n_units: 0 };
        for (separator, block) in &self.blocks {
            match block {
                Block::Markup(html) => splitter.push_markup(separator, html),
                Block::Text(text, style) => splitter.push_text(separator, text, *style),
            }
        }
        splitter.finish()
    }
}

/// Packs pieces into parts.
struct Splitter {
    limit: usize,
    parts: Vec<String>,
    /// The part being filled.
    current: String,
    /// Its length in UTF-16 code units.
    n_units: usize,
}

impl Splitter {
    fn push_markup(&mut self, separator: &str, html: &str) {
        if html.trim().is_empty() {
            return;
        }
        let n = utf16_len(html);
        let n_separator = if self.current.is_empty() { 0 } else { utf16_len(separator) };
        if self.n_units + n_separator + n > self.limit {
            self.flush();
        }
        self.append_separator(separator);
        self.append(html);
    }

    fn push_text(&mut self, separator: &str, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let (open, close) = style.tags();
        let n_tags = utf16_len(open) + utf16_len(close);
        let budget = self.limit.saturating_sub(n_tags).max(1);
        let mut open_here = false;
        for piece in pieces(text, budget) {
            let html = escape(piece);
            // Trailing whitespace is dropped when a part ends after it.
            let n = utf16_len(html.trim_end());
            let needed = if open_here {
                n + utf16_len(close)
            } else {
                let n_separator = if self.current.is_empty() { 0 } else { utf16_len(separator) };
                n_separator + n + n_tags
            };
            if self.n_units + needed > self.limit && !self.current.is_empty() {
                if open_here {
                    self.append(close);
                }
                self.flush();
                open_here = false;
            }
            if !open_here {
                self.append_separator(separator);
                self.append(open);
                open_here = true;
            }
            self.append(&html);
        }
        if open_here {
            self.append(close);
        }
    }

    fn append_separator(&mut self, separator: &str) {
        if !self.current.is_empty() {
            self.append(separator);
        }
    }

    fn append(&mut self, html: &str) {
        self.current.push_str(html);
        self.n_units += utf16_len(html);
    }

    fn flush(&mut self) {
        let part = std::mem::take(&mut self.current);
        self.n_units = 0;
        let trimmed = trim_part(&part);
        if !trimmed.is_empty() {
            self.parts.push(trimmed);
        }
    }

    fn finish(mut self) -> Vec<String> {
        self.flush();
        self.parts
    }
}

/// A part without trailing whitespace inside or after its last closing tag.
fn trim_part(part: &str) -> String {
    let mut out = part.trim_end().to_owned();
    for (_, close) in [Style::Bold.tags(), Style::Italic.tags()] {
        if let Some(inner) = out.strip_suffix(close) {
            let trimmed = inner.trim_end();
            if trimmed.len() != inner.len() {
                let mut fixed = trimmed.to_owned();
                fixed.push_str(close);
                out = fixed;
            }
        }
    }
    out
}

/// Cuts `text` into pieces whose escaped form fits `budget` UTF-16 code
/// units: whole sentences (with the whitespace after them) when they fit,
/// else words, else characters. The pieces concatenate to `text`.
fn pieces(text: &str, budget: usize) -> Vec<&str> {
    let mut out = Vec::new();
    for sentence in sentence_pieces(text) {
        if escaped_len(sentence.trim_end()) <= budget {
            out.push(sentence);
            continue;
        }
        for word in word_pieces(sentence) {
            if escaped_len(word.trim_end()) <= budget {
                out.push(word);
            } else {
                out.extend(char_pieces(word, budget));
            }
        }
    }
    out
}

fn escaped_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '&' => 5,
            '<' | '>' => 4,
            '"' => 6,
            c => c.len_utf16(),
        })
        .sum()
}

/// Sentences with their trailing whitespace; they concatenate to `text`.
fn sentence_pieces(text: &str) -> Vec<&str> {
    let mut starts: Vec<usize> =
        briefing_tokenize::sentences(text).iter().map(|span| span.start).collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.dedup();
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        if let Some(piece) = text.get(start..end).filter(|p| !p.is_empty()) {
            out.push(piece);
        }
    }
    out
}

/// Words with their trailing whitespace; they concatenate to `text`.
fn word_pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (idx, c) in text.char_indices() {
        if c.is_whitespace() {
            in_space = true;
        } else if in_space {
            if let Some(piece) = text.get(start..idx) {
                out.push(piece);
            }
            start = idx;
            in_space = false;
        }
    }
    if let Some(piece) = text.get(start..).filter(|p| !p.is_empty()) {
        out.push(piece);
    }
    out
}

/// Runs of characters whose escaped form fits `budget`.
fn char_pieces(text: &str, budget: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut n = 0;
    for (idx, c) in text.char_indices() {
        let width = escaped_len(c.encode_utf8(&mut [0; 4]));
        if n + width > budget && idx > start {
            if let Some(piece) = text.get(start..idx) {
                out.push(piece);
            }
            start = idx;
            n = 0;
        }
        n += width;
    }
    if let Some(piece) = text.get(start..).filter(|p| !p.is_empty()) {
        out.push(piece);
    }
    out
}

/// Cuts a label (a button's text) to at most `max` characters, with `…`.
#[must_use]
pub fn truncate(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_owned();
    let _ = write!(out, "…");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Splits `message` at `limit` and checks each part against the
    /// limit, its tags' balance, and the expected parts.
    fn check(message: &HtmlMessage, limit: usize, expect: &[&str]) {
        let parts = message.split(limit);
        for part in &parts {
            assert!(utf16_len(part) <= limit, "{part:?} is over {limit}");
            assert_eq!(part.matches("<b>").count(), part.matches("</b>").count(), "{part:?}");
            assert_eq!(part.matches("<i>").count(), part.matches("</i>").count(), "{part:?}");
            assert_eq!(part.trim(), part, "untrimmed {part:?}");
        }
        assert_eq!(parts, expect);
    }

    /// Removes tags and entities: the text a reader sees.
    fn visible(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
    }

    #[test]
    fn escapes_the_four_characters_and_nothing_else() {
        assert_eq!(escape("a < b > c & d \" e ' f"), "a &lt; b &gt; c &amp; d &quot; e ' f");
        assert_eq!(escape("&lt;"), "&amp;lt;");
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(
            escape("*bold* _it_ [link](http://x) `code`"),
            "*bold* _it_ [link](http://x) `code`"
        );
        assert_eq!(escape("\u{202e}abc\u{200b}"), "\u{202e}abc\u{200b}");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn counts_utf16_code_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
        assert_eq!(utf16_len("中文"), 2);
        assert_eq!(escaped_len("<😀&"), 4 + 2 + 5);
    }

    #[test]
    fn a_short_message_is_one_part() {
        let message = HtmlMessage::new()
            .markup("<b>Title</b>")
            .line("One. Two.", Style::Plain)
            .paragraph("— Source", Style::Italic);
        check(&message, 4096, &["<b>Title</b>\nOne. Two.\n\n<i>— Source</i>"]);
    }

    #[test]
    fn splits_between_sentences() {
        let message = HtmlMessage::new().line("First one. Second one. Third one.", Style::Plain);
        check(&message, 24, &["First one. Second one.", "Third one."]);
        check(&message, 11, &["First one.", "Second one.", "Third one."]);
    }

    #[test]
    fn reopens_tags_across_parts() {
        let message = HtmlMessage::new().line("First one. Second one.", Style::Italic);
        check(&message, 20, &["<i>First one.</i>", "<i>Second one.</i>"]);
    }

    #[test]
    fn cuts_a_long_sentence_between_words_then_characters() {
        let message = HtmlMessage::new().line("aaaa bbbb cccccccccc", Style::Plain);
        check(&message, 6, &["aaaa", "bbbb", "cccccc", "cccc"]);
    }

    #[test]
    fn never_cuts_an_entity_or_a_surrogate_pair() {
        let message = HtmlMessage::new().line("<<<<😀😀😀", Style::Plain);
        let parts = message.split(9);
        check(&message, 9, &["&lt;&lt;", "&lt;&lt;", "😀😀😀"]);
        assert_eq!(parts.iter().map(|p| visible(p)).collect::<String>(), "<<<<😀😀😀");
    }

    #[test]
    fn a_4096_character_hostile_text_splits_into_valid_parts() {
        let hostile = "<b>&amp;\u{202e}😀 ".repeat(400);
        let message = HtmlMessage::new().markup("<b>Echo</b>").paragraph(&hostile, Style::Italic);
        let parts = message.split(MAX_MESSAGE_UTF16);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(utf16_len(part) <= MAX_MESSAGE_UTF16);
            assert!(!part.contains("<b>&"), "unescaped text in {part:?}");
        }
        let seen: String = parts.iter().map(|p| visible(p)).collect::<Vec<_>>().join(" ");
        assert_eq!(
            seen.split_whitespace().collect::<Vec<_>>(),
            format!("Echo {hostile}").split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn keeps_every_character_of_a_long_text() {
        let text = (0..400)
            .map(|i| format!("Sentence number {i} says \"a < b\" & more."))
            .collect::<Vec<_>>()
            .join(" ");
        let message = HtmlMessage::new().paragraph(&text, Style::Plain);
        let parts = message.split(MAX_MESSAGE_UTF16);
        assert!(parts.len() >= 4, "{}", parts.len());
        for part in &parts {
            assert!(utf16_len(part) <= MAX_MESSAGE_UTF16);
            assert!(visible(part).ends_with("more."), "not cut at a sentence: {part:?}");
        }
        assert_eq!(parts.iter().map(|p| visible(p)).collect::<Vec<_>>().join(" "), text);
    }

    #[test]
    fn an_empty_message_has_no_parts() {
        check(&HtmlMessage::new(), 4096, &[]);
        check(&HtmlMessage::new().line("   ", Style::Bold), 4096, &[]);
        assert!(HtmlMessage::new().line(" ", Style::Plain).is_empty());
    }

    #[test]
    fn truncates_labels() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a  b\nc", 10), "a b c");
        assert_eq!(truncate("abcdefghijkl", 6), "abcde…");
    }
}
