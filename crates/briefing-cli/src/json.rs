//! A JSON writer for output records, byte-identical to `serde_json`'s compact output, faster on long text.

/// `"` `\` or a control byte in any byte of `word` (eight bytes, little-endian).
#[inline]
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    // Some byte < 0x20 (bytes >= 0x80 never count: their high bit is set in `word`).
    let has_control = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    has_control
        || has_zero(word ^ (ONES * u64::from(b'"')))
        || has_zero(word ^ (ONES * u64::from(b'\\')))
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` does: `"`,
/// `\`, and control bytes (`\b`, `\t`, `\n`, `\f`, `\r`, else `\u00XX`);
/// everything else, DEL and non-ASCII included, as is.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut done = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        if let Some(chunk) = bytes.get(pos..pos + 8)
            && let Ok(word) = <[u8; 8]>::try_from(chunk)
            && !needs_escape(u64::from_le_bytes(word))
        {
            pos += 8;
            continue;
        }
        let end = (pos + 8).min(bytes.len());
        for idx in pos..end {
            let Some(&b) = bytes.get(idx) else { break };
            let escaped: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => b"",
                _ => continue,
            };
            out.extend_from_slice(bytes.get(done..idx).unwrap_or_default());
            if escaped.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)]);
            } else {
                out.extend_from_slice(escaped);
            }
            done = idx + 1;
        }
        pos = end;
    }
    out.extend_from_slice(bytes.get(done..).unwrap_or_default());
    out.push(b'"');
}

/// Appends `n` in decimal.
pub fn push_uint(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        push_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_match_serde_json() {
        let mut cases: Vec<String> = (0u8..=0x7f).map(|b| char::from(b).to_string()).collect();
        let all: String = (0u8..=0x7f).map(char::from).collect();
        cases.push(all.clone());
        cases.push(format!("{all}{all}é—中文 \"quoted\" back\\slash\ttab"));
        cases.push(String::new());
        cases.push("plain ascii text longer than eight bytes".to_owned());
        cases.push("crème brûlée’s \u{1}\u{1f}\u{7f} 上海合作组织\n".repeat(3));
        for offset in 0..9 {
            cases.push(format!("{}\"{}\n", "x".repeat(offset), "y".repeat(offset)));
        }
        for case in cases {
            assert_eq!(ours(&case), serde_json::to_string(&case).unwrap(), "{case:?}");
        }
    }

    #[test]
    fn numbers_match_serde_json() {
        for n in [0u64, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            push_uint(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
