//! HTTP-Redirect query signatures (SAML bindings 3.4.4.1): checked over the
//! octets exactly as received, never re-encoded, under the IdP's
//! certificate set.

use chrono::{DateTime, Utc};

use crate::binding::RedirectMessage;
use crate::certs::IdpCertSet;
use crate::error::{Error, ErrorKind, Result};
use crate::vocabulary::{SignatureAlgorithm, SignaturePolicy};

/// Verifies the query signature of `message` under the certificates of
/// `certs` valid at `now`, and returns its algorithm.
///
/// ```
/// use saml_sp::building_blocks::verify_redirect_signature;
/// use saml_sp::binding::RedirectMessage;
/// use saml_sp::vocabulary::SignaturePolicy;
/// use saml_sp::{ErrorKind, IdpCertSet, Limits, SigningCertificate};
/// let now = "2026-03-02T10:01:00Z".parse()?;
/// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem")?)?;
/// let certs = IdpCertSet::new([cert], now)?;
/// let unsigned = RedirectMessage::from_url(
///     "https://sp.example.com/slo?SAMLRequest=s0nUtwMA", &Limits::default())?;
/// let err = verify_redirect_signature(&unsigned, &certs, now, &SignaturePolicy::default())
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::SignatureMissing);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ErrorKind::SignatureMissing`] when the query is not signed;
/// [`ErrorKind::UnsupportedAlgorithm`] for a `SigAlg` outside the
/// allow-list (rsa-sha1 only with
/// [`SignaturePolicy::allow_sha1`]); [`ErrorKind::NoUsableCertificate`]
/// when no certificate of the set is valid at `now`;
/// [`ErrorKind::SignatureInvalid`] when the signature does not verify
/// (another key, or any changed octet).
pub fn verify_redirect_signature(
    message: &RedirectMessage,
    certs: &IdpCertSet,
    now: DateTime<Utc>,
    policy: &SignaturePolicy,
) -> Result<SignatureAlgorithm> {
    let (Some(uri), Some(octets), Some(value)) = (
        message.signature_algorithm_uri(),
        message.signed_octets(),
        message.signature_value(),
    ) else {
        return Err(Error::new(
            ErrorKind::SignatureMissing,
            "the query carries no Signature",
        ));
    };
    let algorithm = policy.signature_method(uri)?;
    let mut usable = certs.usable_at(now).peekable();
    if usable.peek().is_none() {
        return Err(Error::new(
            ErrorKind::NoUsableCertificate,
            format!(
                "none of the {} certificates is valid at {now}",
                certs.certificates().len()
            ),
        ));
    }
    if usable.any(|cert| cert.verifies(algorithm, octets.as_bytes(), value)) {
        return Ok(algorithm);
    }
    Err(Error::new(
        ErrorKind::SignatureInvalid,
        "the query signature does not verify under any usable certificate",
    ))
}
