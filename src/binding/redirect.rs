//! The HTTP-Redirect binding (SAML bindings 3.4): a message deflated,
//! base64-encoded and percent-encoded into a query string, optionally signed
//! over the query octets.
//!
//! Encoding serves every SP-sent message (AuthnRequest, LogoutRequest and
//! LogoutResponse): [`encode`] takes the message kind, the XML, the
//! RelayState and an optional signer, injected by the caller (this module
//! knows no keys). Decoding ([`RedirectMessage`]) is for tests and tooling,
//! and for messages an IdP redirects to us; checking a query signature is
//! the business of `dsig`.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::error::{Error, ErrorKind, Result};
use crate::ids::EndpointUrl;
use crate::limits::Limits;
use crate::vocabulary::{MessageKind, SignatureAlgorithm};

/// What signs a query: its algorithm, and a function from the exact octets
/// `SAMLRequest=…&RelayState=…&SigAlg=…` to the signature value.
pub(crate) type QuerySigner<'s> = (
    SignatureAlgorithm,
    &'s mut dyn FnMut(&[u8]) -> Result<Vec<u8>>,
);

/// The longest RelayState the SAML bindings specification allows, in bytes
/// (sections 3.4.3 and 3.5.3).
pub const MAX_RELAY_STATE_BYTES: usize = 80;

/// Refuses a RelayState longer than [`MAX_RELAY_STATE_BYTES`].
pub(crate) fn check_relay_state(relay_state: &str) -> Result<()> {
    if relay_state.len() > MAX_RELAY_STATE_BYTES {
        return Err(Error::new(
            ErrorKind::RelayStateTooLong,
            format!(
                "RelayState is {} bytes, the limit is {MAX_RELAY_STATE_BYTES}",
                relay_state.len()
            ),
        ));
    }
    Ok(())
}

/// The URL that carries `xml` to `endpoint` over HTTP-Redirect: raw DEFLATE,
/// base64, percent-encoding; `RelayState`; with `signer`, `SigAlg`
/// (the signer's algorithm) and `Signature` over the exact octets
/// `SAMLRequest=…&RelayState=…&SigAlg=…` (bindings 3.4.4.1). An endpoint
/// that already has a query gets ours appended with `&`; a fragment stays
/// last.
pub(crate) fn encode(
    endpoint: &EndpointUrl,
    kind: MessageKind,
    xml: &str,
    relay_state: Option<&str>,
    signer: Option<QuerySigner<'_>>,
) -> Result<String> {
    if let Some(rs) = relay_state {
        check_relay_state(rs)?;
    }
    let mut query = String::with_capacity(xml.len() + 512);
    query.push_str(kind.parameter());
    query.push('=');
    percent_encode_into(
        &mut query,
        STANDARD.encode(deflate(xml.as_bytes())?).as_bytes(),
    );
    if let Some(rs) = relay_state {
        query.push_str("&RelayState=");
        percent_encode_into(&mut query, rs.as_bytes());
    }
    if let Some((algorithm, sign)) = signer {
        query.push_str("&SigAlg=");
        percent_encode_into(&mut query, algorithm.uri().as_bytes());
        let signature = sign(query.as_bytes())?;
        query.push_str("&Signature=");
        percent_encode_into(&mut query, STANDARD.encode(signature).as_bytes());
    }
    let url = endpoint.as_str();
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = String::with_capacity(base.len() + query.len() + 2);
    out.push_str(base);
    out.push_str(separator);
    out.push_str(&query);
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    Ok(out)
}

/// Raw DEFLATE (RFC 1951, no zlib header), as the binding requires.
pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::new(ErrorKind::Io, format!("deflate: {e}")))
}

/// Inflates raw DEFLATE data, refusing output beyond `cap` bytes as soon as
/// it is reached (a DEFLATE bomb costs at most `cap` bytes of work), and
/// refusing truncated streams and trailing bytes.
pub(crate) fn inflate(data: &[u8], cap: usize) -> Result<Vec<u8>> {
    let not_deflate = |detail: String| Error::new(ErrorKind::InputNotDeflate, detail);
    let mut inflater = Decompress::new(false);
    let mut out = Vec::with_capacity(cap.min(data.len().saturating_mul(4)));
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let in_before = inflater.total_in();
        let out_before = inflater.total_out();
        let consumed = usize::try_from(in_before).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let status = inflater
            .decompress(input, &mut chunk, FlushDecompress::None)
            .map_err(|e| not_deflate(format!("corrupt DEFLATE stream: {e}")))?;
        let produced =
            usize::try_from(inflater.total_out().saturating_sub(out_before)).unwrap_or(usize::MAX);
        if out.len().saturating_add(produced) > cap {
            return Err(Error::new(
                ErrorKind::InflatedTooLarge,
                format!(
                    "{} compressed bytes inflate to more than {cap} bytes",
                    data.len()
                ),
            ));
        }
        out.extend_from_slice(chunk.get(..produced).unwrap_or_default());
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if produced == 0 && inflater.total_in() == in_before {
                    return Err(not_deflate(format!(
                        "DEFLATE stream ends early after {} of {} bytes",
                        in_before,
                        data.len()
                    )));
                }
            }
        }
    }
    if inflater.total_in() != data.len() as u64 {
        return Err(not_deflate(format!(
            "{} bytes follow the DEFLATE stream",
            (data.len() as u64).saturating_sub(inflater.total_in())
        )));
    }
    Ok(out)
}

/// Appends `bytes` percent-encoded: everything but the RFC 3986 unreserved
/// characters, as `%XX` with upper-case hex digits.
pub(crate) fn percent_encode_into(out: &mut String, bytes: &[u8]) {
    use std::fmt::Write as _;
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes one `application/x-www-form-urlencoded` component: `%XX` (either
/// case) and `+` for a space.
pub(crate) fn percent_decode(raw: &str) -> Result<Vec<u8>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = |at: usize| {
                    bytes
                        .get(at)
                        .and_then(|&h| char::from(h).to_digit(16))
                        .and_then(|d| u8::try_from(d).ok())
                };
                let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                    return Err(Error::new(
                        ErrorKind::QueryMalformed,
                        format!("bad percent-escape at byte {i}"),
                    ));
                };
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A message received over HTTP-Redirect, decoded from the query string
/// exactly as it arrived.
///
/// The signature, if any, is checked over the raw, still percent-encoded
/// components as received (`SAMLRequest=…&RelayState=…&SigAlg=…`, in that
/// order whatever their order in the URL), never over a re-encoding: Azure
/// AD and AD FS send lower-case percent-escapes, and a re-encoding with
/// upper-case ones would not verify.
///
/// ```
/// use saml_sp::Limits;
/// use saml_sp::binding::RedirectMessage;
/// use saml_sp::vocabulary::MessageKind;
/// // A deflated, base64 and percent-encoded `<a/>` with a RelayState.
/// let msg = RedirectMessage::from_url(
///     "https://idp.example.com/sso?SAMLRequest=s0nUtwMA&RelayState=%2Fhome",
///     &Limits::default(),
/// )?;
/// assert_eq!(msg.kind(), MessageKind::Request);
/// assert_eq!(msg.xml(), b"<a/>");
/// assert_eq!(msg.relay_state(), Some("/home"));
/// assert!(!msg.is_signed());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectMessage {
    kind: MessageKind,
    xml: Vec<u8>,
    relay_state: Option<String>,
    signature: Option<RedirectSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RedirectSignature {
    algorithm: String,
    value: Vec<u8>,
    signed_octets: String,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::QueryMalformed, detail)
}

impl RedirectMessage {
    /// Decodes the query of `url` (the part after the first `?`, without a
    /// fragment).
    ///
    /// # Errors
    /// As [`from_query`](Self::from_query); [`ErrorKind::QueryMalformed`]
    /// when the URL has no query.
    pub fn from_url(url: &str, limits: &Limits) -> Result<Self> {
        let without_fragment = url.split('#').next().unwrap_or_default();
        let (_, query) = without_fragment
            .split_once('?')
            .ok_or_else(|| malformed("the URL has no query string"))?;
        Self::from_query(query, limits)
    }

    /// Decodes a raw query string (without the leading `?`), exactly as
    /// received: percent-decoding, base64, then inflating under
    /// [`Limits::max_inflated_bytes`]. Parameters other than the four SAML
    /// ones are ignored; each SAML one may appear at most once.
    ///
    /// # Errors
    /// [`ErrorKind::InputTooLarge`] for a query longer than
    /// [`Limits::max_input_bytes`]; [`ErrorKind::QueryMalformed`] (bad
    /// escape, a parameter repeated, both `SAMLRequest` and `SAMLResponse`
    /// or neither, `Signature` without `SigAlg` or the reverse, a text
    /// parameter that is not UTF-8); [`ErrorKind::RelayStateTooLong`];
    /// [`ErrorKind::InputNotBase64`]; [`ErrorKind::InputNotDeflate`];
    /// [`ErrorKind::InflatedTooLarge`]; [`ErrorKind::SignatureMalformed`]
    /// for a `Signature` that is not base64.
    pub fn from_query(query: &str, limits: &Limits) -> Result<Self> {
        if query.len() > limits.max_input_bytes {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!(
                    "query of {} bytes, limit {}",
                    query.len(),
                    limits.max_input_bytes
                ),
            ));
        }
        let mut request = None;
        let mut response = None;
        let mut relay_state = None;
        let mut sig_alg = None;
        let mut signature = None;
        for component in query.split('&').filter(|c| !c.is_empty()) {
            let (raw_name, raw_value) = component.split_once('=').unwrap_or((component, ""));
            let name = percent_decode(raw_name)?;
            let slot = match name.as_slice() {
                b"SAMLRequest" => &mut request,
                b"SAMLResponse" => &mut response,
                b"RelayState" => &mut relay_state,
                b"SigAlg" => &mut sig_alg,
                b"Signature" => &mut signature,
                _ => continue,
            };
            if slot.replace(raw_value).is_some() {
                return Err(malformed(format!(
                    "parameter {} appears more than once",
                    String::from_utf8_lossy(&name)
                )));
            }
        }
        let (kind, raw_message) = match (request, response) {
            (Some(r), None) => (MessageKind::Request, r),
            (None, Some(r)) => (MessageKind::Response, r),
            (Some(_), Some(_)) => {
                return Err(malformed("both SAMLRequest and SAMLResponse"));
            }
            (None, None) => return Err(malformed("neither SAMLRequest nor SAMLResponse")),
        };
        let text = |name: &str, raw: &str| {
            String::from_utf8(percent_decode(raw)?)
                .map_err(|_| malformed(format!("{name} is not UTF-8")))
        };
        let relay_state_text = relay_state.map(|raw| text("RelayState", raw)).transpose()?;
        if let Some(rs) = &relay_state_text {
            check_relay_state(rs)?;
        }
        let compressed =
            crate::binding::decode_base64(&percent_decode(raw_message)?).map_err(|e| {
                Error::new(
                    ErrorKind::InputNotBase64,
                    format!("{}: {e}", kind.parameter()),
                )
            })?;
        if compressed.is_empty() {
            return Err(Error::new(
                ErrorKind::InputNotBase64,
                format!("{} is empty", kind.parameter()),
            ));
        }
        let xml = inflate(&compressed, limits.max_inflated_bytes)?;
        let signature = match (sig_alg, signature) {
            (None, None) => None,
            (Some(raw_alg), Some(raw_sig)) => {
                let value = crate::binding::decode_base64(&percent_decode(raw_sig)?)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        Error::new(ErrorKind::SignatureMalformed, "Signature is not base64")
                    })?;
                // Bindings 3.4.4.1: the octets as received, in this order.
                let mut signed_octets = format!("{}={raw_message}", kind.parameter());
                if let Some(raw_rs) = relay_state {
                    signed_octets.push_str("&RelayState=");
                    signed_octets.push_str(raw_rs);
                }
                signed_octets.push_str("&SigAlg=");
                signed_octets.push_str(raw_alg);
                Some(RedirectSignature {
                    algorithm: text("SigAlg", raw_alg)?,
                    value,
                    signed_octets,
                })
            }
            (Some(_), None) => return Err(malformed("SigAlg without Signature")),
            (None, Some(_)) => return Err(malformed("Signature without SigAlg")),
        };
        Ok(Self {
            kind,
            xml,
            relay_state: relay_state_text,
            signature,
        })
    }

    /// Whether the message is a request or a response.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The inflated message: XML, not yet parsed or checked.
    pub fn xml(&self) -> &[u8] {
        &self.xml
    }

    /// The decoded RelayState.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// Whether the query carries `SigAlg` and `Signature`.
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }

    /// The `SigAlg` URI as received, if signed.
    pub fn signature_algorithm_uri(&self) -> Option<&str> {
        self.signature.as_ref().map(|s| s.algorithm.as_str())
    }

    /// The octets the signature covers, exactly as received
    /// (`SAMLRequest=…[&RelayState=…]&SigAlg=…`), if signed.
    pub fn signed_octets(&self) -> Option<&str> {
        self.signature.as_ref().map(|s| s.signed_octets.as_str())
    }

    /// The decoded `Signature` value, if signed.
    pub(crate) fn signature_value(&self) -> Option<&[u8]> {
        self.signature.as_ref().map(|s| s.value.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_coding() {
        let mut out = String::new();
        percent_encode_into(&mut out, b"a+b/c=d e~_.-\xff");
        assert_eq!(out, "a%2Bb%2Fc%3Dd%20e~_.-%FF");
        assert_eq!(percent_decode("a%2bb%2Fc+d").unwrap(), b"a+b/c d");
        for bad in ["%", "%2", "%zz", "a%g0"] {
            assert_eq!(
                percent_decode(bad).unwrap_err().kind(),
                ErrorKind::QueryMalformed
            );
        }
    }

    #[test]
    fn inflate_round_trip_and_refusals() {
        let data = b"<samlp:AuthnRequest/>".repeat(10);
        let packed = deflate(&data).unwrap();
        assert_eq!(inflate(&packed, 1024).unwrap(), data);
        assert_eq!(
            inflate(&packed, 100).unwrap_err().kind(),
            ErrorKind::InflatedTooLarge
        );
        let truncated = &packed[..packed.len() - 3];
        assert_eq!(
            inflate(truncated, 1024).unwrap_err().kind(),
            ErrorKind::InputNotDeflate
        );
        let mut trailing = packed.clone();
        trailing.push(0);
        assert_eq!(
            inflate(&trailing, 1024).unwrap_err().kind(),
            ErrorKind::InputNotDeflate
        );
        assert_eq!(
            inflate(b"", 1024).unwrap_err().kind(),
            ErrorKind::InputNotDeflate
        );
    }
}
