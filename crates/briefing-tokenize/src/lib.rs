//! Text to normalized words with byte offsets, sentences, stems and n-grams.

use std::ops::Range;

/// Splits `text` into sentences, returned as byte ranges into `text`.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    if text.trim().is_empty() { Vec::new() } else { vec![0..text.len()] }
}
