//! Word boundary rules, shared by the ASCII fast path and the general path.
//!
//! A word is a run of letters, digits and combining marks (starting with a
//! letter or digit), continued across single *joiner* characters:
//!
//! - an apostrophe (`'`, `’`, `‘`, `ʼ`) or a period between two letters:
//!   `don't`, `SCO’s`, `U.N` (of `U.N.`), `e.g`;
//! - a period, comma, hyphen or dash (`-`, `‐`, `‑`, `–`), slash or colon
//!   between two digits: `1,000`, `3.5`, `22.04.2019`, `2013-2017`, `24/7`, `10:30`.
//!
//! Anything else separates words: a hyphen between letters splits
//! `law-enforcement` into `law` and `enforcement`, and a trailing period or
//! apostrophe is never part of a word.

use tokenizers::tokenizer::pattern::{Invert, Pattern};
use tokenizers::{Offsets, PreTokenizedString, PreTokenizer, SplitDelimiterBehavior};

/// Whether `c` separates pieces of text that can be analyzed independently:
/// whitespace, or one of a few punctuation marks that are neither word
/// characters nor joiners.
pub(crate) fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '—' | '“' | '”' | '„' | '«' | '»' | '…' | '•')
}

/// Whether `c` can never be part of a word: neither a run character nor a
/// joiner. Cutting text at such characters keeps every word whole.
pub(crate) fn breaks_words(c: char) -> bool {
    !is_run_char(c)
        && !matches!(c, '\'' | '’' | '‘' | 'ʼ' | '.' | ',' | '-' | '‐' | '‑' | '–' | '/' | ':')
}

/// Whether `c` can continue a word run.
fn is_run_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Whether `c` can start a word run.
fn is_start_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Combining marks (general category M), the characters `StripAccents` removes.
fn is_mark(c: char) -> bool {
    unicode_normalization_alignments::char::is_combining_mark(c)
}

fn is_letterish(c: char) -> bool {
    c.is_alphabetic() || is_mark(c)
}

/// Whether `joiner` glues the run ending in `prev` to the run starting with `next`.
fn joins(prev: char, joiner: char, next: char) -> bool {
    match joiner {
        '\'' | '’' | '‘' | 'ʼ' => is_letterish(prev) && next.is_alphabetic(),
        '.' => {
            (is_letterish(prev) && next.is_alphabetic()) || (prev.is_numeric() && next.is_numeric())
        }
        ',' | '-' | '‐' | '‑' | '–' | '/' | ':' => prev.is_numeric() && next.is_numeric(),
        _ => false,
    }
}

/// Calls `emit(start, end)` for every word of `text` (any Unicode), in order.
pub(crate) fn scan_unicode(text: &str, mut emit: impl FnMut(usize, usize)) {
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !is_start_char(c) {
            continue;
        }
        let mut prev = c;
        let mut end = start + c.len_utf8();
        loop {
            match chars.peek().copied() {
                Some((idx, next)) if is_run_char(next) => {
                    chars.next();
                    prev = next;
                    end = idx + next.len_utf8();
                }
                Some((_, joiner)) => {
                    let mut ahead = chars.clone();
                    ahead.next();
                    match ahead.peek().copied() {
                        Some((idx, next)) if is_start_char(next) && joins(prev, joiner, next) => {
                            chars.next();
                            chars.next();
                            prev = next;
                            end = idx + next.len_utf8();
                        }
                        _ => break,
                    }
                }
                None => break,
            }
        }
        emit(start, end);
    }
}

const ALPHA: u8 = 1;
const DIGIT: u8 = 2;
/// Set, with `ALPHA`, for uppercase letters; also a flag of [`scan_ascii`]'s words.
pub(crate) const UPPER: u8 = 4;
/// A flag of [`scan_ascii`]'s words: the word holds a typographic joiner.
pub(crate) const FOLDED: u8 = 8;

/// Byte classes for the ASCII scanner: `ALPHA` (with `UPPER` for uppercase), `DIGIT` or 0.
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = if b.is_ascii_uppercase() {
            ALPHA | UPPER
        } else if b.is_ascii_alphabetic() {
            ALPHA
        } else if b.is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        byte += 1;
    }
    table
};

#[inline]
fn class(byte: u8) -> u8 {
    ASCII_CLASS[usize::from(byte)]
}

/// Whether ASCII `joiner` glues a run ending in a byte of kind `prev` to a run starting with
/// a byte of kind `next` (kinds: `ALPHA`, `DIGIT` or 0); the rules of [`joins`].
#[inline]
fn ascii_joins(prev: u8, joiner: u8, next: u8) -> bool {
    match joiner {
        b'\'' => prev == ALPHA && next == ALPHA,
        b'.' => prev == next && prev != 0,
        b',' | b'-' | b'/' | b':' => prev == DIGIT && next == DIGIT,
        _ => false,
    }
}

/// Whether `c` is a non-ASCII joiner that [`scan_ascii`] handles: `’` and `‘` (which join like
/// `'`), `‐`, `‑` and `–` (which join like `-`). They are neither letters nor digits, and the
/// normalizer folds them to their ASCII twins.
pub(crate) fn is_typographic_joiner(c: char) -> bool {
    matches!(c, '’' | '‘' | '‐' | '‑' | '–')
}

/// The joiner at `idx` as the ASCII byte it acts as, with its width in bytes: an ASCII byte,
/// or one of the typographic joiners (UTF-8 `E2 80 xx`).
#[inline]
fn joiner_at(text: &[u8], idx: usize) -> Option<(u8, usize)> {
    match text.get(idx..idx + 3) {
        Some([0xE2, 0x80, 0x98 | 0x99]) => Some((b'\'', 3)),
        Some([0xE2, 0x80, 0x90 | 0x91 | 0x93]) => Some((b'-', 3)),
        _ => text.get(idx).filter(|b| b.is_ascii()).map(|&b| (b, 1)),
    }
}

/// Calls `emit(start, end, flags)` for every word of `text`, in order: the words
/// [`scan_unicode`] finds, computed on bytes, for text that is ASCII apart from typographic
/// joiners (see [`is_typographic_joiner`]); any other non-ASCII byte separates words. `flags`
/// holds [`UPPER`] if the word has an uppercase letter and [`FOLDED`] if it has a typographic
/// joiner.
#[inline]
pub(crate) fn scan_ascii(text: &[u8], mut emit: impl FnMut(usize, usize, u8)) {
    let n = text.len();
    let mut idx = 0;
    while idx < n {
        let Some(&byte) = text.get(idx) else { break };
        let first = class(byte);
        if first == 0 {
            idx += 1;
            continue;
        }
        let start = idx;
        let mut flags = first;
        idx += 1;
        loop {
            // The rest of the run.
            let mut last = first;
            while let Some(&b) = text.get(idx) {
                let c = class(b);
                if c == 0 {
                    break;
                }
                last = c;
                flags |= c;
                idx += 1;
            }
            let Some((joiner, width)) = joiner_at(text, idx) else { break };
            match text.get(idx + width) {
                Some(&next) if ascii_joins(last & 3, joiner, class(next) & 3) => {
                    if width > 1 {
                        flags |= FOLDED;
                    }
                    idx += width;
                }
                _ => break,
            }
        }
        emit(start, idx, flags & (UPPER | FOLDED));
    }
}

/// The word rules as a `tokenizers` [`Pattern`]: words are matches.
#[derive(Clone, Copy, Debug)]
struct WordPattern;

impl Pattern for WordPattern {
    fn find_matches(&self, inside: &str) -> tokenizers::Result<Vec<(Offsets, bool)>> {
        let mut out = Vec::new();
        let mut last = 0;
        scan_unicode(inside, |start, end| {
            if start > last {
                out.push(((last, start), false));
            }
            out.push(((start, end), true));
            last = end;
        });
        if last < inside.len() || out.is_empty() {
            out.push(((last, inside.len()), false));
        }
        Ok(out)
    }
}

/// The word rules as a `tokenizers` pre-tokenizer: splits into words and
/// drops everything between them, keeping offsets into the original text:
/// what words with non-ASCII characters go through, and the reference the
/// scanners are tested against.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WordPreTokenizer;

impl PreTokenizer for WordPreTokenizer {
    fn pre_tokenize(&self, pretokenized: &mut PreTokenizedString) -> tokenizers::Result<()> {
        pretokenized.split(|_, normalized| {
            normalized.split(Invert(WordPattern), SplitDelimiterBehavior::Removed)
        })
    }
}
