//! Base64 packing of numeric arrays, so that saved models stay small and load fast.

use serde::{Deserialize, Deserializer, Serializer};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk.first().copied(), chunk.get(1).copied(), chunk.get(2).copied()];
        let n = (u32::from(b[0].unwrap_or(0)) << 16)
            | (u32::from(b[1].unwrap_or(0)) << 8)
            | u32::from(b[2].unwrap_or(0));
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if b[1].is_some() { sextet(6) } else { '=' });
        out.push(if b[2].is_some() { sextet(0) } else { '=' });
    }
    out
}

/// Sextet values of the alphabet's bytes; 64 marks any other byte.
const DECODE: [u8; 256] = {
    let mut table = [64u8; 256];
    let mut idx = 0;
    while idx < 64 {
        table[ALPHABET[idx] as usize] = idx as u8;
        idx += 1;
    }
    table
};

pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let pad = match bytes {
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let (body, last) = bytes.split_at(bytes.len().saturating_sub(if pad > 0 { 4 } else { 0 }));
    for chunk in body.chunks_exact(4) {
        let [a, b, c, d] = [chunk[0], chunk[1], chunk[2], chunk[3]].map(|x| DECODE[x as usize]);
        if (a | b | c | d) & 64 != 0 {
            return None;
        }
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        let [_, x, y, z] = n.to_be_bytes();
        out.extend_from_slice(&[x, y, z]);
    }
    if let [a, b, c, _] = *last {
        let c = if pad == 2 { b'A' } else { c };
        let [a, b, c] = [a, b, c].map(|x| DECODE[x as usize]);
        if (a | b | c) & 64 != 0 {
            return None;
        }
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6);
        let [_, x, y, _] = n.to_be_bytes();
        out.push(x);
        if pad == 1 {
            out.push(y);
        }
    }
    Some(out)
}

/// Serde adapter: `Vec<f32>` as base64 of little-endian bytes.
pub(crate) mod f32s {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        s.serialize_str(&encode(&bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode(&text).ok_or_else(|| serde::de::Error::custom("bad base64"))?;
        if !bytes.len().is_multiple_of(4) {
            return Err(serde::de::Error::custom("f32 array length is not a multiple of 4"));
        }
        Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }
}

/// Serde adapter: `Vec<u64>` as base64 of little-endian bytes.
pub(crate) mod u64s {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(values: &[u64], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        s.serialize_str(&encode(&bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = decode(&text).ok_or_else(|| serde::de::Error::custom("bad base64"))?;
        if !bytes.len().is_multiple_of(8) {
            return Err(serde::de::Error::custom("u64 array length is not a multiple of 8"));
        }
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_round_trips_and_matches_rfc4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(decode("Zm9"), None);
        assert_eq!(decode("Z=9v"), None);
        assert_eq!(decode("Zg==Zm9v"), None);
        assert_eq!(decode("Zm9*"), None);
    }
}
