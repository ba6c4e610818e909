//! Newtypes for the identifiers and URLs SAML configuration is made of, so
//! that an entity ID cannot be passed where an ACS URL is expected.

use std::fmt;

use sha2::{Digest as _, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::rng::Csprng;

/// SAML 2.0 core limits `entityID` to 1024 characters.
const MAX_ENTITY_ID: usize = 1024;
const MAX_URL: usize = 2048;

fn config_error(detail: String) -> Error {
    Error::new(ErrorKind::ConfigInvalid, detail)
}

fn check_text(what: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        return Err(config_error(format!("{what} is empty")));
    }
    if value.len() > max {
        return Err(config_error(format!("{what} is longer than {max} bytes")));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(config_error(format!(
            "{what} {value:?} contains whitespace or control characters"
        )));
    }
    Ok(())
}

/// A SAML entity ID: the SP's (our Audience) or an IdP's (the expected
/// Issuer). Compared exactly, byte for byte, as SAML requires.
///
/// ```
/// use saml_sp::EntityId;
/// let id = EntityId::new("https://sso.example.com/saml/acme")?;
/// assert_eq!(id.as_str(), "https://sso.example.com/saml/acme");
/// assert!(EntityId::new("").is_err());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(String);

impl EntityId {
    /// Checks and wraps an entity ID: non-empty, at most 1024 bytes, no
    /// whitespace or control characters.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`].
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        check_text("entity ID", &value, MAX_ENTITY_ID)?;
        Ok(Self(value))
    }

    /// The entity ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absolute `https://` (or `http://`) URL of a SAML endpoint: our
/// Assertion Consumer Service (Destination and Recipient are compared with
/// it exactly), an IdP's SingleSignOnService or SingleLogoutService.
///
/// ```
/// use saml_sp::EndpointUrl;
/// let acs = EndpointUrl::new("https://sso.example.com/saml/acme/acs")?;
/// assert_eq!(acs.as_str(), "https://sso.example.com/saml/acme/acs");
/// assert!(EndpointUrl::new("javascript:alert(1)").is_err());
/// assert!(EndpointUrl::new("/relative").is_err());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Checks and wraps a URL: `https://` or `http://` followed by a host,
    /// at most 2048 bytes, no whitespace or control characters.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`].
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        check_text("URL", &value, MAX_URL)?;
        let rest = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .ok_or_else(|| config_error(format!("URL {value:?} is not http(s)")))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains(['<', '>', '"', '\'', '\\']) {
            return Err(config_error(format!("URL {value:?} has no valid host")));
        }
        Ok(Self(value))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the URL uses `https`.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

/// The ID of an AuthnRequest we sent, which the IdP's Response must name in
/// `InResponseTo`. The caller keeps it (in the session) between the two.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub(crate) String);

impl RequestId {
    /// Wraps a request ID read back from the caller's storage.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if empty, longer than 256 bytes, or
    /// containing whitespace or control characters.
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        check_text("request ID", &value, 256)?;
        Ok(Self(value))
    }

    /// The ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_traits {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

string_traits!(EntityId, EndpointUrl, RequestId);

/// Serialized as the plain string; deserializing runs the constructor's
/// checks.
#[cfg(feature = "serde")]
macro_rules! serde_string {
    ($($t:ty),*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                Self::new(String::deserialize(d)?).map_err(crate::error::serde_error)
            }
        }
    )*};
}

#[cfg(feature = "serde")]
serde_string!(EntityId, EndpointUrl, RequestId);

impl RequestId {
    /// A fresh request ID: `id` followed by 32 lower-case hex digits, 128
    /// bits from `rng`.
    ///
    /// ```
    /// let id = saml_sp::RequestId::random(&mut saml_sp::OsRng);
    /// assert_eq!(id.as_str().len(), 34);
    /// assert!(id.as_str().starts_with("id"));
    /// ```
    pub fn random<R: Csprng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_random(&mut bytes);
        Self(format!("id{}", hex(&bytes)))
    }
}

/// A [`Csprng`] for tests that replay a recorded Response: the first
/// request ID made from it is the recorded one, so the Response's
/// `InResponseTo` matches the request the test started. **Deterministic:
/// never for production** (pass [`OsRng`](crate::OsRng) there).
///
/// After the 16 bytes of the ID it yields a counter (for the RSA blinding
/// of a signed request).
///
/// ```
/// use saml_sp::RequestId;
/// use saml_sp::testing::RecordedRequestId;
/// let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// assert_eq!(RequestId::random(&mut rng).as_str(), "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f");
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RecordedRequestId {
    id: Vec<u8>,
    counter: u8,
}

impl RecordedRequestId {
    /// The generator whose first request ID is `id` (`id` and 32 hex
    /// digits, as this crate makes them).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] when `id` is not of that form.
    pub fn new(id: &str) -> Result<Self> {
        let bytes = id
            .strip_prefix("id")
            .filter(|hex| hex.len() == 32)
            .and_then(|hex| from_hex(hex.as_bytes()))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("{id:?} is not a request ID of this crate (id + 32 hex digits)"),
                )
            })?;
        Ok(Self {
            id: bytes,
            counter: 0,
        })
    }
}

impl Csprng for RecordedRequestId {
    fn fill_random(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = if self.id.is_empty() {
                self.counter = self.counter.wrapping_add(1);
                self.counter
            } else {
                self.id.remove(0)
            };
        }
    }
}

/// Lowercase hex digits of `bytes`: the one hex encoder of the crate.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
    out
}

/// The bytes of an even number of hex digits (either case), or `None`:
/// the one hex decoder of the crate.
pub(crate) fn from_hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

/// A key for a store or a table: 64 hex digits, the SHA-256 of `label`
/// and `parts`, each prefixed by its length (so no two part lists share a
/// key), and safe to use verbatim anywhere.
pub(crate) fn hashed_key(label: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in std::iter::once(label).chain(parts.iter().copied()) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

#[cfg(test)]
mod hex_tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        let text = hex(&bytes);
        assert_eq!(&text[..6], "000102");
        assert_eq!(from_hex(text.as_bytes()).unwrap(), bytes);
        assert_eq!(from_hex(text.to_uppercase().as_bytes()).unwrap(), bytes);
        assert_eq!(from_hex(b"abc"), None);
        assert_eq!(from_hex(b"zz"), None);
        assert_eq!(from_hex(b"+1"), None);
    }
}
