//! A JSON writer for output records, byte-identical to `serde_json`'s compact output, faster on long text.

/// Bytes scanned at a time for bytes to escape.
const CHUNK: usize = 16;

/// Whether JSON escapes byte `b`: `"`, `\\` or a control byte.
#[inline]
fn escapes(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether some byte of `chunk` is escaped; written without early exit, so that the compiler
/// checks all sixteen bytes at once.
#[inline]
fn any_escape(chunk: &[u8; CHUNK]) -> bool {
    chunk
        .iter()
        .fold(0u8, |any, &b| any | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\'))
        != 0
}

/// Appends the escape of byte `b`, one that [`escapes`] flags.
#[inline]
fn push_escape(out: &mut Vec<u8>, b: u8) {
    let escaped: &[u8] = match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hex = |n: u8| HEX.get(usize::from(n & 0xf)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b)]);
            return;
        }
    };
    out.extend_from_slice(escaped);
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` does: `"`,
/// `\`, and control bytes (`\b`, `\t`, `\n`, `\f`, `\r`, else `\u00XX`);
/// everything else, DEL and non-ASCII included, as is.
pub fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[done..pos]` needs no escape and is not written yet.
    let mut done = 0;
    let mut pos = 0;
    while let Some(chunk) = bytes.get(pos..pos + CHUNK)
        && let Ok(array) = <&[u8; CHUNK]>::try_from(chunk)
    {
        if any_escape(array) {
            for (idx, &b) in (pos..).zip(chunk) {
                if escapes(b) {
                    out.extend_from_slice(bytes.get(done..idx).unwrap_or_default());
                    push_escape(out, b);
                    done = idx + 1;
                }
            }
        }
        pos += CHUNK;
    }
    for (idx, &b) in (pos..).zip(bytes.get(pos..).unwrap_or_default()) {
        if escapes(b) {
            out.extend_from_slice(bytes.get(done..idx).unwrap_or_default());
            push_escape(out, b);
            done = idx + 1;
        }
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
        for offset in 0..40 {
            cases.push(format!(
                "{}\n{}\"\u{1}{}\\",
                "x".repeat(offset),
                "é".repeat(offset),
                "y".repeat(offset)
            ));
        }
        cases.push("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n".to_owned());
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
