//! The app's two cookies, signed with the `cookie` crate's `SignedJar`
//! (HMAC-SHA256 over the value, checked in constant time):
//!
//! - `browser`: a random ID for this browser, the key under which its
//!   started sign-ins are remembered (`TrackerKey` = team + browser ID);
//! - `session`: the ID of the app's session (64 hex digits), which the
//!   server keeps ([`crate::sessions`]): ending a session deletes it there,
//!   for every instance, whatever cookie a browser still holds.
//!
//! A cookie whose MAC does not match is treated as absent, never as an error
//! the user can probe. The crate's MAC covers the value, not the name, so
//! each cookie's value must also have its own shape (32 hex digits for the
//! browser ID, 64 for the session ID): a value signed for one cookie is
//! refused under the other name.

use cookie::time::Duration;
use cookie::{Cookie, CookieJar, Key, SameSite};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{Csprng as _, OsRng};

use axum::http::{HeaderMap, header};

const SESSION: &str = "session";
const BROWSER: &str = "browser";
/// How long a browser ID lives: longer than any sign-in takes.
const BROWSER_ID_SECS: i64 = 3600;

/// The cookie key and whether the app is served over https.
pub(crate) struct Cookies {
    key: Key,
    secure: bool,
}

impl Cookies {
    /// `hex`: at least 64 bytes (the crate's `Key`: 32 for signing, 32 for
    /// encryption, of which the signed jar uses the first).
    pub(crate) fn new(hex: &str, secure: bool) -> Result<Self, String> {
        let bytes = decode_hex(hex).ok_or("cookie_key_hex is not hex")?;
        let key = Key::try_from(bytes.as_slice())
            .map_err(|_| "cookie_key_hex must hold at least 64 bytes (128 hex digits)")?;
        Ok(Self { key, secure })
    }

    /// The verified value of cookie `name` in the request, if any.
    fn verified(&self, headers: &HeaderMap, name: &str) -> Option<String> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for cookie in Cookie::split_parse(value.to_owned()).flatten() {
                if cookie.name() == name {
                    jar.add_original(cookie);
                }
            }
        }
        jar.signed(&self.key)
            .get(name)
            .map(|c| c.value().to_owned())
    }

    /// `cookie` signed, as a `Set-Cookie` value.
    fn signed(&self, cookie: Cookie<'static>) -> String {
        let name = cookie.name().to_owned();
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(cookie);
        jar.get(&name).map(Cookie::to_string).unwrap_or_default()
    }

    /// This browser's ID from its signed cookie.
    pub(crate) fn browser_id(&self, headers: &HeaderMap) -> Option<String> {
        self.verified(headers, BROWSER)
            .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// This browser's ID, or a new one with the `Set-Cookie` value to send.
    /// The ACS is reached by a cross-site POST from the IdP, so over https
    /// the cookie is `SameSite=None; Secure` (sent with that POST); on
    /// http://localhost, where IdP and app share a site, `Lax`.
    pub(crate) fn browser(&self, headers: &HeaderMap) -> (String, Option<String>) {
        if let Some(id) = self.browser_id(headers) {
            return (id, None);
        }
        let id = new_browser_id();
        let same_site = if self.secure {
            SameSite::None
        } else {
            SameSite::Lax
        };
        let cookie = self.signed(self.base(BROWSER, id.clone(), BROWSER_ID_SECS, same_site));
        (id, Some(cookie))
    }

    /// The session ID from the signed session cookie, if it verifies and
    /// has the shape of one (64 hex digits).
    pub(crate) fn session_id(&self, headers: &HeaderMap) -> Option<String> {
        self.verified(headers, SESSION)
            .filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// The session cookie for the session `id` ending at `expires` (Unix
    /// time): HttpOnly, SameSite=Lax, Secure over https.
    pub(crate) fn session_cookie(&self, id: &str, expires: i64, now: DateTime<Utc>) -> String {
        let secs = (expires - now.timestamp()).max(0);
        self.signed(self.base(SESSION, id.to_owned(), secs, SameSite::Lax))
    }

    /// Ends the session (an empty, expired cookie).
    pub(crate) fn clear_session(&self) -> String {
        self.base(SESSION, String::new(), 0, SameSite::Lax)
            .to_string()
    }

    fn base(
        &self,
        name: &'static str,
        value: String,
        secs: i64,
        same_site: SameSite,
    ) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .max_age(Duration::seconds(secs))
            .http_only(true)
            .same_site(same_site)
            .secure(self.secure)
            .build()
    }
}

/// 16 random bytes, as 32 hex digits.
pub(crate) fn new_browser_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_random(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn cookies(key: &str) -> Cookies {
        Cookies::new(&key.repeat(64), false).unwrap()
    }

    /// A request carrying `set_cookie`'s name=value, as a browser sends it back.
    fn request_with(set_cookies: &[&str]) -> HeaderMap {
        let pairs: Vec<&str> = set_cookies
            .iter()
            .map(|c| c.split(';').next().unwrap())
            .collect();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&pairs.join("; ")).unwrap(),
        );
        headers
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn session_id() -> String {
        crate::sessions::new_session_id()
    }

    #[test]
    fn session_round_trips_with_its_attributes() {
        let c = cookies("ab");
        let id = session_id();
        let set = c.session_cookie(&id, now().timestamp() + 600, now());
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=600"] {
            assert!(set.contains(attribute), "{attribute} in {set}");
        }
        assert!(!set.contains("Secure"), "{set}");
        assert_eq!(c.session_id(&request_with(&[&set])), Some(id.clone()));
        // Over https: Secure.
        let https = Cookies::new(&"ab".repeat(64), true).unwrap();
        assert!(
            https
                .session_cookie(&id, now().timestamp() + 600, now())
                .contains("Secure")
        );
        // Cleared: empty and expired at once.
        let cleared = c.clear_session();
        assert!(
            cleared.starts_with("session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
        assert_eq!(c.session_id(&request_with(&[&cleared])), None);
    }

    #[test]
    fn tampered_or_foreign_cookies_are_refused() {
        let c = cookies("ab");
        let set = c.session_cookie(&session_id(), now().timestamp() + 600, now());
        assert!(c.session_id(&request_with(&[&set])).is_some());
        // A flipped character anywhere in the value: refused.
        let value_at = set.find('=').unwrap() + 1;
        let value_end = set.find(';').unwrap();
        for i in [value_at, value_at + 10, value_at + 50, value_end - 1] {
            let mut bad = set.clone().into_bytes();
            bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
            let bad = String::from_utf8(bad).unwrap();
            assert!(c.session_id(&request_with(&[&bad])).is_none(), "{bad}");
        }
        // Unsigned, or signed with another key: refused.
        let unsigned = format!("session={}", session_id());
        assert!(c.session_id(&request_with(&[&unsigned])).is_none());
        assert!(cookies("cd").session_id(&request_with(&[&set])).is_none());
        // Short or odd keys: refused at start-up.
        assert!(Cookies::new(&"ab".repeat(63), false).is_err());
        assert!(Cookies::new("abc", false).is_err());
    }

    #[test]
    fn a_value_signed_for_one_cookie_is_refused_under_the_other_name() {
        let c = cookies("ab");
        let (id, set) = c.browser(&HeaderMap::new());
        let set = set.unwrap();
        assert!(
            set.starts_with("browser=") && set.contains("HttpOnly"),
            "{set}"
        );
        assert_eq!(
            c.browser_id(&request_with(&[&set])).as_deref(),
            Some(id.as_str())
        );
        // The same browser keeps its ID (no new cookie).
        let (again, none) = c.browser(&request_with(&[&set]));
        assert_eq!((again, none), (id, None));
        // The signed browser value presented as the session, and the other way round.
        let as_session = set.replacen("browser=", "session=", 1);
        assert!(c.session_id(&request_with(&[&as_session])).is_none());
        let session = c.session_cookie(&session_id(), now().timestamp() + 600, now());
        let as_browser = session.replacen("session=", "browser=", 1);
        assert!(c.browser_id(&request_with(&[&as_browser])).is_none());
    }
}
