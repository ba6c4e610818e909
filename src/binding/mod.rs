//! HTTP bindings: the POSTed form value -> bytes, with caps applied before
//! any work is done; the HTTP-Redirect query <-> message (see [`RedirectMessage`]).

pub(crate) mod redirect;

pub use redirect::{MAX_RELAY_STATE_BYTES, RedirectMessage};

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;

/// Decodes an HTTP-POST binding form value (`SAMLResponse`): base64 with
/// line breaks and spaces tolerated. Input that starts with `<` (after
/// whitespace) is taken as raw XML, for tools and tests.
///
/// The size is checked before decoding: no input larger than
/// `limits.max_input_bytes` once decoded is ever decoded.
pub(crate) fn decode_post_value<'a>(input: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>> {
    let start = input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(input.len());
    let trimmed = input.get(start..).unwrap_or_default();
    // Raw XML (possibly behind a UTF-8 BOM).
    if trimmed.starts_with(b"<") || trimmed.starts_with(b"\xEF\xBB\xBF") {
        if input.len() > limits.max_input_bytes {
            return Err(too_large(input.len(), limits));
        }
        return Ok(Cow::Borrowed(input));
    }
    // base64 grows data by 4/3; allow line breaks on top.
    let cap = limits.max_input_bytes.saturating_div(3).saturating_mul(4);
    let compact = strip_whitespace(input);
    if compact.is_empty() {
        return Err(Error::new(
            ErrorKind::InputNotBase64,
            "SAMLResponse is empty",
        ));
    }
    if compact.len() > cap.saturating_add(4) {
        return Err(too_large(compact.len() / 4 * 3, limits));
    }
    let decoded = STANDARD
        .decode(&compact)
        .map_err(|e| Error::new(ErrorKind::InputNotBase64, format!("SAMLResponse: {e}")))?;
    if decoded.len() > limits.max_input_bytes {
        return Err(too_large(decoded.len(), limits));
    }
    Ok(Cow::Owned(decoded))
}

/// The bytes of `text` without XML whitespace (space, tab, CR, LF): base64
/// in XML text and in form values may be wrapped.
fn strip_whitespace(text: &[u8]) -> Vec<u8> {
    // Runs between whitespace are found a word at a time and copied whole:
    // base64 is wrapped every 64 or 76 characters, if at all.
    let mut out = Vec::with_capacity(text.len());
    let mut from = 0;
    while let Some(at) = crate::bytes::find_with(text, from, whitespace_word, is_base64_space) {
        out.extend_from_slice(text.get(from..at).unwrap_or_default());
        from = at + 1;
    }
    out.extend_from_slice(text.get(from..).unwrap_or_default());
    out
}

fn is_base64_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Flags the whitespace bytes of an 8-byte word (the lowest flag exact,
/// which is all `find_with` uses).
fn whitespace_word(w: u64) -> u64 {
    use crate::bytes::eq_bytes;
    eq_bytes(w, b' ') | eq_bytes(w, b'\t') | eq_bytes(w, b'\r') | eq_bytes(w, b'\n')
}

/// Standard, padded base64 with whitespace and line breaks ignored: the one
/// decoder for certificates, digests, signature values and form values.
pub(crate) fn decode_base64(text: &[u8]) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(strip_whitespace(text))
}

fn too_large(len: usize, limits: &Limits) -> Error {
    Error::new(
        ErrorKind::InputTooLarge,
        format!("{len} bytes, limit {}", limits.max_input_bytes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_whitespace_keeps_every_other_byte() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = b" \t\r\nAZaz09+/=\x01\x0b\x0c\x1f\x7f\xff";
        for len in 0..70 {
            for _ in 0..50 {
                let text = crate::bytes::random_bytes(&mut state, alphabet, len);
                let expected: Vec<u8> = text
                    .iter()
                    .copied()
                    .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .collect();
                assert_eq!(strip_whitespace(&text), expected, "{text:?}");
            }
        }
    }

    #[test]
    fn raw_and_base64() {
        let limits = Limits::default();
        assert_eq!(&*decode_post_value(b"  <a/>", &limits).unwrap(), b"  <a/>");
        assert_eq!(
            &*decode_post_value(b"PGEv\r\nPg==\n", &limits).unwrap(),
            b"<a/>"
        );
        assert_eq!(
            decode_post_value(b"PGEv*Pg==", &limits).unwrap_err().kind(),
            ErrorKind::InputNotBase64
        );
        assert_eq!(
            decode_post_value(b"", &limits).unwrap_err().kind(),
            ErrorKind::InputNotBase64
        );
    }

    #[test]
    fn caps_before_decoding() {
        let limits = Limits {
            max_input_bytes: 6,
            ..Limits::default()
        };
        assert!(decode_post_value(b"PGEvPg==", &limits).is_ok());
        assert_eq!(
            decode_post_value(b"PGEvPjxhLz48YS8+", &limits)
                .unwrap_err()
                .kind(),
            ErrorKind::InputTooLarge
        );
        assert_eq!(
            decode_post_value(b"<a></a>", &limits).unwrap_err().kind(),
            ErrorKind::InputTooLarge
        );
    }
}
