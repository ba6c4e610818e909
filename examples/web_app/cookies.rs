//! Signed cookies: `value.mac` where `mac` is HMAC-SHA256 over the cookie's
//! name and value with the app's secret key. A cookie whose MAC does not
//! match is treated as absent, never as an error the user can probe.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The key that signs cookies (32 bytes or more).
#[derive(Clone)]
pub(crate) struct CookieKey(Vec<u8>);

impl CookieKey {
    pub(crate) fn from_hex(hex: &str) -> Result<Self, String> {
        let bytes = decode_hex(hex).ok_or("cookie_key_hex is not hex")?;
        if bytes.len() < 32 {
            return Err("cookie_key_hex must hold at least 32 bytes".into());
        }
        Ok(Self(bytes))
    }

    fn mac(&self, name: &str, value: &str) -> Option<HmacSha256> {
        // HMAC takes keys of any length: this never fails.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0).ok()?;
        mac.update(name.as_bytes());
        mac.update(b"=");
        mac.update(value.as_bytes());
        Some(mac)
    }

    /// `value` (cookie-safe: base64url of the payload) with its MAC appended.
    pub(crate) fn sign(&self, name: &str, payload: &[u8]) -> String {
        let value = URL_SAFE_NO_PAD.encode(payload);
        let tag = self
            .mac(name, &value)
            .map(|m| m.finalize().into_bytes().to_vec())
            .unwrap_or_default();
        format!("{value}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The payload of a cookie value this key signed, or `None`.
    pub(crate) fn verify(&self, name: &str, signed: &str) -> Option<Vec<u8>> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // verify_slice compares in constant time.
        self.mac(name, value)?.verify_slice(&tag).ok()?;
        URL_SAFE_NO_PAD.decode(value).ok()
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let hex = hex.trim();
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The value of cookie `name` in a `Cookie:` header.
pub(crate) fn find<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// A `Set-Cookie` header value: HttpOnly, Path=/, SameSite as given, Secure
/// when the app is served over https.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    same_site: &str,
    secure: bool,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite={same_site}{secure}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_cookie_round_trips_and_tampering_is_refused() {
        let key = CookieKey::from_hex(&"ab".repeat(32)).unwrap();
        let v = key.sign("s", b"{\"email\":\"a@b\"}");
        assert_eq!(key.verify("s", &v).unwrap(), b"{\"email\":\"a@b\"}");
        // Another cookie name, a flipped character, another key: refused.
        assert!(key.verify("t", &v).is_none());
        let mut bad = v.clone().into_bytes();
        bad[2] ^= 1;
        assert!(
            key.verify("s", std::str::from_utf8(&bad).unwrap())
                .is_none()
        );
        let other = CookieKey::from_hex(&"cd".repeat(32)).unwrap();
        assert!(other.verify("s", &v).is_none());
        assert!(CookieKey::from_hex("abcd").is_err());
    }
}
