//! IdP signing certificates: loading, the per-IdP set of one to three, and
//! expiry notices.
//!
//! A [`SigningCertificate`] is parsed once: its RSA public key is decoded,
//! and its Montgomery constants computed, at load time, never per
//! verification. An [`IdpCertSet`] holds the one to
//! three certificates a team trusts for its IdP, so the IdP can rotate its
//! signing key with zero downtime: a signature under any certificate valid at
//! `now` is accepted.
//!
//! x509-parser and rsa types never appear in this module's public API.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

use crate::crypto::rsa_verify::RsaVerifyKey;
use sha2::{Digest, Sha256};
use x509_parser::oid_registry::{OID_KEY_TYPE_EC_PUBLIC_KEY, OID_PKCS1_RSAENCRYPTION};

use crate::crypto;
use crate::error::{Error, ErrorKind, Result};
use crate::vocabulary::{DigestAlgorithm, SignatureAlgorithm, SignaturePolicy};

mod pem;
mod sp_decryption;
mod sp_key;

pub use sp_decryption::{SpDecryptionKey, SpDecryptionKeys};
pub use sp_key::SpSigningKey;

/// Smallest RSA modulus accepted by default, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Smallest RSA modulus accepted even by a relaxed [`CertificatePolicy`].
const FLOOR_RSA_BITS: usize = 1024;

/// Largest RSA modulus a certificate may have, in bits: the `rsa` crate's
/// bound before 0.10 (which raised its default to 8192), kept so that which
/// certificates load did not change with that upgrade.
const MAX_RSA_BITS: usize = 4096;
/// Largest public exponent accepted: 2^33 - 1.
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// `bytes` without its leading zero bytes (DER integers carry one before a
/// set top bit).
fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// What certificate loading accepts. The default is strict; the only knob
/// lowers the RSA key size floor for legacy IdPs (some 2013-era Okta and
/// OneLogin tenants signed with 1024-bit keys), never below 1024 bits.
///
/// ```
/// use saml_sp::certs::CertificatePolicy;
/// assert_eq!(CertificatePolicy::default().min_rsa_bits, 2048);
/// let legacy = CertificatePolicy::default().with_min_rsa_bits(1024);
/// assert_eq!(legacy.min_rsa_bits, 1024);
/// assert_eq!(CertificatePolicy::default().with_min_rsa_bits(512).min_rsa_bits, 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificatePolicy {
    /// Smallest RSA modulus accepted, in bits: 2048 unless lowered (not
    /// below 1024).
    pub min_rsa_bits: usize,
}

impl Default for CertificatePolicy {
    fn default() -> Self {
        Self {
            min_rsa_bits: MIN_RSA_BITS,
        }
    }
}

impl CertificatePolicy {
    /// This policy with another RSA floor, clamped to at least 1024 bits.
    /// Weak keys can be factored by a well-funded attacker: accept them only
    /// for an IdP that cannot rotate, and plan the rotation.
    pub fn with_min_rsa_bits(mut self, bits: usize) -> Self {
        self.min_rsa_bits = bits.max(FLOOR_RSA_BITS);
        self
    }
}

/// The SHA-256 fingerprint of a certificate's DER encoding.
///
/// Displays as lowercase hex without separators.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertFingerprint([u8; 32]);

impl CertFingerprint {
    /// The fingerprint of DER bytes.
    pub fn of_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 hex digits (either case; `:` separators allowed).
    pub fn from_hex(hex: &str) -> Option<Self> {
        let digits: Vec<u8> = hex.bytes().filter(|b| *b != b':').collect();
        crate::ids::from_hex(&digits)?.try_into().ok().map(Self)
    }
}

impl fmt::Display for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::ids::hex(&self.0))
    }
}

impl fmt::Debug for CertFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertFingerprint({self})")
    }
}

/// An X.509 certificate an IdP signs with, its RSA key parsed once.
///
/// ```
/// use saml_sp::SigningCertificate;
/// let pem = std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap();
/// let cert = SigningCertificate::from_pem(&pem)?;
/// assert_eq!(cert.key_bits(), 2048);
/// assert!(cert.subject().contains("saml-sp test idp-a"));
/// assert_eq!(cert.not_before().to_rfc3339(), "2024-01-01T00:00:00+00:00");
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningCertificate {
    der: Box<[u8]>,
    fingerprint: CertFingerprint,
    subject: String,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    /// The public key with its Montgomery constants, computed once here.
    key: RsaVerifyKey,
    /// The key as PKCS#1 `RSAPublicKey` DER, for the `aws-lc-rs` backend.
    key_pkcs1_der: Box<[u8]>,
    /// The key parsed once for the `aws-lc-rs` backend.
    #[cfg(feature = "aws-lc-rs")]
    aws_lc_keys: crate::crypto::AwsLcKeys,
}

fn invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::CertificateInvalid, detail)
}

/// Base64 with whitespace and line breaks tolerated.
fn decode_base64(text: &str) -> Result<Vec<u8>> {
    crate::binding::decode_base64(text.as_bytes()).map_err(|e| invalid(format!("base64: {e}")))
}

impl SigningCertificate {
    /// Reads one PEM `CERTIFICATE` block. Text around the block is ignored;
    /// several blocks are refused (say which certificate you mean).
    ///
    /// # Errors
    /// [`ErrorKind::CertificateInvalid`], [`ErrorKind::UnsupportedKeyType`],
    /// [`ErrorKind::KeyTooSmall`].
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_der(&pem::certificate(pem)?)
    }

    /// Reads base64 DER, as found in metadata `<X509Certificate>` elements;
    /// whitespace and line breaks inside are allowed.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_base64(text: &str) -> Result<Self> {
        Self::from_der(&decode_base64(text)?)
    }

    /// Reads a PEM file's bytes, DER bytes, or base64 DER, whichever `bytes`
    /// hold.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        Self::parse_with_policy(bytes, &CertificatePolicy::default())
    }

    /// As [`parse`](Self::parse), under `policy`.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn parse_with_policy(bytes: &[u8], policy: &CertificatePolicy) -> Result<Self> {
        if bytes.first() == Some(&0x30) {
            return Self::from_der_with_policy(bytes, policy);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| invalid("neither DER nor text"))?;
        let der = if text.contains("-----BEGIN ") {
            pem::certificate(text)?
        } else {
            decode_base64(text)?
        };
        Self::from_der_with_policy(&der, policy)
    }

    /// Reads a DER-encoded certificate.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_der_with_policy(der, &CertificatePolicy::default())
    }

    fn from_der_with_policy(der: &[u8], policy: &CertificatePolicy) -> Result<Self> {
        let (rest, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|e| invalid(format!("X.509: {e}")))?;
        if !rest.is_empty() {
            return Err(invalid(format!(
                "{} bytes after the certificate",
                rest.len()
            )));
        }
        let spki = cert.public_key();
        let algorithm = &spki.algorithm.algorithm;
        if *algorithm != OID_PKCS1_RSAENCRYPTION {
            let name = if *algorithm == OID_KEY_TYPE_EC_PUBLIC_KEY {
                "EC (id-ecPublicKey)".to_owned()
            } else {
                format!("OID {algorithm}")
            };
            return Err(Error::new(
                ErrorKind::UnsupportedKeyType,
                format!("the certificate's key is {name}, not RSA"),
            ));
        }
        // The RSAPublicKey as x509-parser reads it from the SPKI; the bounds
        // are ours: n odd, at most MAX_RSA_BITS; e odd, from 3 to 2^33-1
        // (the rsa crate's old bounds, pinned by tests/rsa_verify.rs); then
        // the policy's lower bound, so that a small key is KeyTooSmall.
        let Ok(x509_parser::public_key::PublicKey::RSA(rsa_key)) = spki.parsed() else {
            return Err(invalid("RSA public key: not an RSAPublicKey"));
        };
        let (n, e) = (
            strip_leading_zeros(rsa_key.modulus),
            strip_leading_zeros(rsa_key.exponent),
        );
        let bits = match n.first() {
            Some(top) => n.len() * 8 - top.leading_zeros() as usize,
            None => 0,
        };
        if bits > MAX_RSA_BITS {
            return Err(invalid(format!(
                "RSA public key: {bits} bits, at most {MAX_RSA_BITS} are supported"
            )));
        }
        if n.last().is_none_or(|low| low & 1 == 0) {
            return Err(invalid("RSA public key: the modulus is even"));
        }
        let exponent = (e.len() <= 8)
            .then(|| e.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
            .filter(|e| (3..=MAX_RSA_EXPONENT).contains(e) && e & 1 == 1);
        if exponent.is_none() {
            return Err(invalid(
                "RSA public key: the exponent is not odd between 3 and 2^33-1",
            ));
        }
        let min = policy.min_rsa_bits.max(FLOOR_RSA_BITS);
        if bits < min {
            return Err(Error::new(
                ErrorKind::KeyTooSmall,
                format!("RSA key of {bits} bits, at least {min} required"),
            ));
        }
        let key = RsaVerifyKey::new(n, e).map_err(|e| invalid(format!("RSA public key: {e}")))?;
        let time = |t: &x509_parser::time::ASN1Time| {
            DateTime::from_timestamp(t.timestamp(), 0)
                .ok_or_else(|| invalid("validity date out of range"))
        };
        let validity = cert.validity();
        #[cfg(feature = "aws-lc-rs")]
        let aws_lc_keys = crate::crypto::AwsLcKeys::new(&spki.subject_public_key.data, key.bits());
        Ok(Self {
            der: der.into(),
            fingerprint: CertFingerprint::of_der(der),
            subject: cert.subject().to_string(),
            not_before: time(&validity.not_before)?,
            not_after: time(&validity.not_after)?,
            key,
            key_pkcs1_der: spki.subject_public_key.data.as_ref().into(),
            #[cfg(feature = "aws-lc-rs")]
            aws_lc_keys,
        })
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The SHA-256 fingerprint of the DER encoding.
    pub fn fingerprint(&self) -> CertFingerprint {
        self.fingerprint
    }

    /// The subject distinguished name, e.g. `CN=Microsoft Azure Federated SSO
    /// Certificate`.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> DateTime<Utc> {
        self.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// Size of the RSA modulus in bits.
    pub fn key_bits(&self) -> usize {
        self.key.bits()
    }

    /// Whether `now` lies within the validity period (both ends included).
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Which expiry notice is due at `now`: the nearest of 30 days, 7 days and
    /// 1 day before `not_after` that `now` has crossed; `None` when more than
    /// 30 days are left or the certificate has already expired.
    pub fn notice_due(&self, now: DateTime<Utc>) -> Option<NoticeThreshold> {
        let left = self.not_after - now;
        if left <= TimeDelta::zero() {
            return None;
        }
        NoticeThreshold::ALL
            .into_iter()
            .rev()
            .find(|t| left <= TimeDelta::days(t.days()))
    }

    pub(crate) fn verify_key(&self) -> &RsaVerifyKey {
        &self.key
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER (kept from load time).
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(dead_code))]
    pub(crate) fn rsa_key_pkcs1_der(&self) -> &[u8] {
        &self.key_pkcs1_der
    }

    /// The key parsed once for the `aws-lc-rs` backend.
    #[cfg(feature = "aws-lc-rs")]
    pub(crate) fn aws_lc_keys(&self) -> &crate::crypto::AwsLcKeys {
        &self.aws_lc_keys
    }
}

impl fmt::Debug for SigningCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningCertificate")
            .field("subject", &self.subject)
            .field("sha256", &self.fingerprint.to_string())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish()
    }
}

impl PartialEq for SigningCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}

impl Eq for SigningCertificate {}

/// How long before a certificate's expiry a notice is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NoticeThreshold {
    /// 30 days before expiry.
    #[cfg_attr(feature = "serde", serde(rename = "30_days"))]
    ThirtyDays,
    /// 7 days before expiry.
    #[cfg_attr(feature = "serde", serde(rename = "7_days"))]
    SevenDays,
    /// 1 day before expiry.
    #[cfg_attr(feature = "serde", serde(rename = "1_day"))]
    OneDay,
}

impl NoticeThreshold {
    /// The three thresholds, farthest first.
    pub const ALL: [Self; 3] = [Self::ThirtyDays, Self::SevenDays, Self::OneDay];

    /// Days before expiry.
    pub const fn days(self) -> i64 {
        match self {
            Self::ThirtyDays => 30,
            Self::SevenDays => 7,
            Self::OneDay => 1,
        }
    }

    /// A stable name: `30_days`, `7_days`, `1_day`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ThirtyDays => "30_days",
            Self::SevenDays => "7_days",
            Self::OneDay => "1_day",
        }
    }
}

/// An expiry notice due for one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryNotice {
    /// The certificate's fingerprint.
    pub fingerprint: CertFingerprint,
    /// The certificate's subject.
    pub subject: String,
    /// When it expires.
    pub not_after: DateTime<Utc>,
    /// Whole days left (rounded down) at the `now` the notice was computed.
    pub days_left: i64,
    /// Which notice is due.
    pub due: NoticeThreshold,
}

/// The one to three signing certificates trusted for one IdP.
///
/// ```
/// use saml_sp::{IdpCertSet, SigningCertificate};
/// use saml_sp::time::{FixedClock, Clock};
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// let a = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// let b = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-b.crt.pem").unwrap())?;
/// let set = IdpCertSet::new([a, b], now)?;
/// assert_eq!(set.usable_at(now).count(), 2);
/// // idp-b expires 2027-06-01: at 2027-05-20 its 30-day notice is due.
/// let later = FixedClock::parse("2027-05-20T00:00:00Z").unwrap().now();
/// let notices = set.expiry_notices(later);
/// assert_eq!(notices.len(), 1);
/// assert_eq!(notices[0].due.as_str(), "30_days");
/// assert_eq!(notices[0].days_left, 12);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpCertSet {
    certs: Vec<SigningCertificate>,
}

impl IdpCertSet {
    /// Most certificates one IdP may have at once.
    pub const MAX: usize = 3;

    /// Builds the set at `now`.
    ///
    /// # Errors
    /// [`ErrorKind::NoUsableCertificate`] for an empty list,
    /// [`ErrorKind::TooManyCertificates`] for more than [`Self::MAX`],
    /// [`ErrorKind::DuplicateCertificate`] for the same certificate twice,
    /// [`ErrorKind::CertificateExpired`] for one already expired at `now`.
    pub fn new(
        certs: impl IntoIterator<Item = SigningCertificate>,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        let mut set = Self { certs: Vec::new() };
        for cert in certs {
            set.add(cert, now)?;
        }
        if set.certs.is_empty() {
            return Err(Error::new(
                ErrorKind::NoUsableCertificate,
                "an IdP needs at least one signing certificate",
            ));
        }
        Ok(set)
    }

    /// Adds a certificate (an admin rotating keys).
    ///
    /// # Errors
    /// As [`new`](Self::new); the set is unchanged on error.
    pub fn add(&mut self, cert: SigningCertificate, now: DateTime<Utc>) -> Result<()> {
        if self.certs.iter().any(|c| c.fingerprint == cert.fingerprint) {
            return Err(Error::new(
                ErrorKind::DuplicateCertificate,
                format!("certificate {} is already in the set", cert.fingerprint),
            ));
        }
        if self.certs.len() >= Self::MAX {
            return Err(Error::new(
                ErrorKind::TooManyCertificates,
                format!("an IdP may have at most {} certificates", Self::MAX),
            ));
        }
        if cert.not_after < now {
            return Err(Error::new(
                ErrorKind::CertificateExpired,
                format!(
                    "certificate {} ({}) expired at {}",
                    cert.fingerprint,
                    cert.subject,
                    cert.not_after.to_rfc3339()
                ),
            ));
        }
        self.certs.push(cert);
        Ok(())
    }

    /// Removes the certificate with this fingerprint and returns it.
    ///
    /// # Errors
    /// [`ErrorKind::CertificateNotFound`] if no certificate has it;
    /// [`ErrorKind::NoUsableCertificate`] if it is the last one (a set is
    /// never empty: replace the set instead).
    pub fn remove(&mut self, fingerprint: CertFingerprint) -> Result<SigningCertificate> {
        let index = self
            .certs
            .iter()
            .position(|c| c.fingerprint == fingerprint)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::CertificateNotFound,
                    format!("no certificate {fingerprint}"),
                )
            })?;
        if self.certs.len() == 1 {
            return Err(Error::new(
                ErrorKind::NoUsableCertificate,
                "cannot remove the last certificate",
            ));
        }
        Ok(self.certs.remove(index))
    }

    /// Every certificate of the set, in the order they were added.
    pub fn certificates(&self) -> &[SigningCertificate] {
        &self.certs
    }

    /// The certificates valid at `now`: the only ones verification tries.
    pub fn usable_at(
        &self,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = &SigningCertificate> + use<'_> {
        self.certs.iter().filter(move |c| c.is_valid_at(now))
    }

    /// The expiry notices due at `now`, one per certificate at most.
    pub fn expiry_notices(&self, now: DateTime<Utc>) -> Vec<ExpiryNotice> {
        self.certs
            .iter()
            .filter_map(|c| {
                let due = c.notice_due(now)?;
                Some(ExpiryNotice {
                    fingerprint: c.fingerprint,
                    subject: c.subject.clone(),
                    not_after: c.not_after,
                    days_left: (c.not_after - now).num_days(),
                    due,
                })
            })
            .collect()
    }
}

/// Storage form (feature `serde`): fingerprints as hex; a certificate as its
/// SHA-256 and base64 DER, re-parsed, re-checked (RSA, key size under the
/// default [`CertificatePolicy`]) and matched against the stored fingerprint
/// on load; a set as its certificates, re-checked for 1 to
/// [`IdpCertSet::MAX`] and duplicates. Expiry is not re-checked on load: a
/// stored set may hold a certificate that expired since (verification never
/// uses it; remove it).
/// RSASSA-PKCS1-v1_5 verification of `signature` over `message` (the
/// canonical `SignedInfo`), hashed with `alg`, under the key of `cert`.
///
/// The only place that touches RSA. By default our own Montgomery
/// arithmetic does it (`crypto::rsa_verify`, with the key's constants
/// computed when the certificate was loaded); the opt-in `aws-lc-rs`
/// feature swaps this step alone, for keys of 2048 bits and more (legacy
/// 1024..2048-bit keys, accepted only under a relaxed `CertificatePolicy`,
/// stay on ours: AWS-LC has no 1024-bit parameter set for SHA-384). All
/// backends give the same verdicts as the `rsa` crate (see the tests
/// below, and `rsa_verify`'s).
pub(crate) fn rsa_pkcs1v15_verify(
    cert: &SigningCertificate,
    alg: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    #[cfg(feature = "aws-lc-rs")]
    if cert.key_bits() >= 2048 {
        return match cert.aws_lc_keys().get(alg) {
            Some(key) => key.verify_sig(message, signature).is_ok(),
            None => crypto::aws_lc_verify(cert.rsa_key_pkcs1_der(), alg, message, signature),
        };
    }
    cert.verify_key()
        .verify_pkcs1v15(alg, &crypto::digest(alg, message), signature)
}

impl SigningCertificate {
    /// Whether `signature` is this key's RSASSA-PKCS1-v1_5 signature over
    /// `message` with `algorithm` (no policy: the caller checked it).
    pub(crate) fn verifies(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        rsa_pkcs1v15_verify(self, algorithm.digest(), message, signature)
    }

    /// Checks an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2) over
    /// `message` under this certificate's key: the step of
    /// [`verify_enveloped`](crate::dsig::verify_enveloped) that checks
    /// `SignatureValue`, for signatures that are not XML Signatures (the
    /// HTTP-Redirect binding signs its query string, SAML Bindings
    /// §3.4.4.1). `message` is hashed here with `algorithm`'s hash.
    /// Whether the certificate is trusted and valid now is the caller's
    /// question.
    ///
    /// ```
    /// use saml_sp::{ErrorKind, SigningCertificate};
    /// use saml_sp::vocabulary::{SignatureAlgorithm, SignaturePolicy};
    /// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem")?)?;
    /// let policy = SignaturePolicy::default();
    /// let err = cert
    ///     .verify_signature(SignatureAlgorithm::RsaSha256, b"message", &[0; 256], &policy)
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::SignatureInvalid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`]
    /// for `RsaSha1` unless `policy.allow_sha1`;
    /// [`ErrorKind::SignatureInvalid`]
    /// when the signature does not verify (wrong length, not below the
    /// modulus, wrong padding, digest or key).
    pub fn verify_signature(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
        policy: &SignaturePolicy,
    ) -> Result<()> {
        policy.check_signature(algorithm)?;
        if rsa_pkcs1v15_verify(self, algorithm.digest(), message, signature) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::SignatureInvalid,
                format!(
                    "{} signature does not verify under {}",
                    algorithm.as_str(),
                    self.fingerprint()
                ),
            ))
        }
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use base64::Engine as _;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{CertFingerprint, IdpCertSet, SigningCertificate, invalid};
    use crate::error::serde_error;
    use crate::error::{Error, ErrorKind};

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for CertFingerprint {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(self)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for CertFingerprint {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let hex = String::deserialize(d)?;
            Self::from_hex(&hex).ok_or_else(|| {
                D::Error::custom(format_args!(
                    "certificate_invalid: fingerprint {hex:?} is not 64 hex digits"
                ))
            })
        }
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Stored {
        sha256: CertFingerprint,
        der: String,
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for SigningCertificate {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Stored {
                sha256: self.fingerprint,
                der: base64::engine::general_purpose::STANDARD.encode(&self.der),
            }
            .serialize(s)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for SigningCertificate {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let stored = Stored::deserialize(d)?;
            let cert = Self::from_base64(&stored.der).map_err(serde_error)?;
            if cert.fingerprint != stored.sha256 {
                return Err(serde_error(invalid(format!(
                    "stored certificate has SHA-256 {}, the record says {}",
                    cert.fingerprint, stored.sha256
                ))));
            }
            Ok(cert)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for IdpCertSet {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.certs.serialize(s)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for IdpCertSet {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let certs = Vec::<SigningCertificate>::deserialize(d)?;
            if certs.is_empty() {
                return Err(serde_error(Error::new(
                    ErrorKind::NoUsableCertificate,
                    "a stored certificate set is empty",
                )));
            }
            if certs.len() > Self::MAX {
                return Err(serde_error(Error::new(
                    ErrorKind::TooManyCertificates,
                    format!(
                        "a stored certificate set has {} certificates, at most {}",
                        certs.len(),
                        Self::MAX
                    ),
                )));
            }
            for (i, cert) in certs.iter().enumerate() {
                if certs
                    .iter()
                    .skip(i + 1)
                    .any(|c| c.fingerprint == cert.fingerprint)
                {
                    return Err(serde_error(Error::new(
                        ErrorKind::DuplicateCertificate,
                        format!("certificate {} is stored twice", cert.fingerprint),
                    )));
                }
            }
            Ok(Self { certs })
        }
    }
}

/// The RSA backends (ours, the `rsa` crate, and AWS-LC with
/// `--features aws-lc-rs`) agree on every signature of the xmlsec1
/// fixtures, under every test key, and on corrupted variants of each.
#[cfg(test)]
mod backends {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::c14n::{InclusivePrefixes, canonicalize_element};
    #[cfg(feature = "aws-lc-rs")]
    use crate::crypto::aws_lc_verify;
    use crate::crypto::{digest, rsa_crate_verify};
    use crate::limits::Limits;
    use crate::ns::DSIG;
    use crate::vocabulary::C14nMethod;
    use crate::vocabulary::SignatureAlgorithm;
    use crate::xml::Document;

    fn fixtures() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
    }

    /// (canonical SignedInfo, hash, SignatureValue) of every RSA signature.
    fn signatures() -> Vec<(String, Vec<u8>, DigestAlgorithm, Vec<u8>)> {
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(fixtures().join("dsig"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        for path in files {
            let xml = std::fs::read(&path).unwrap();
            let Ok(doc) = Document::parse(&xml, &Limits::default()) else {
                continue;
            };
            for signature in doc.root().descendants().filter(|e| e.is(DSIG, "Signature")) {
                let child =
                    |name: &str| signature.child_elements().find(|e| e.local_name() == name);
                let (Some(info), Some(value)) = (child("SignedInfo"), child("SignatureValue"))
                else {
                    continue;
                };
                let of = |name: &str| {
                    info.child_elements()
                        .find(|e| e.local_name() == name)
                        .and_then(|e| e.attribute(None, "Algorithm"))
                };
                let Some(c14n) = of("CanonicalizationMethod").and_then(C14nMethod::from_uri) else {
                    continue;
                };
                let Some(alg) = SignatureAlgorithm::ALL
                    .into_iter()
                    .find(|a| Some(a.uri()) == of("SignatureMethod"))
                else {
                    continue;
                };
                let prefixes = info
                    .descendants()
                    .find(|e| e.local_name() == "InclusiveNamespaces")
                    .and_then(|e| e.attribute(None, "PrefixList"))
                    .map_or_else(InclusivePrefixes::none, |l| {
                        InclusivePrefixes::parse(l).unwrap()
                    });
                let mut message = Vec::new();
                canonicalize_element(info, None, c14n, &prefixes, &mut message).unwrap();
                let text: String = value.text().split_whitespace().collect();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, message, alg.digest(), STANDARD.decode(text).unwrap()));
            }
        }
        out
    }

    #[test]
    fn backends_agree() {
        let policy = CertificatePolicy::default().with_min_rsa_bits(1024);
        let certs: Vec<(String, SigningCertificate)> = std::fs::read_dir(fixtures().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".crt.pem"))
            .filter_map(|p| {
                let cert =
                    SigningCertificate::parse_with_policy(&std::fs::read(&p).unwrap(), &policy);
                cert.ok()
                    .map(|c| (p.file_name().unwrap().to_string_lossy().into_owned(), c))
            })
            .collect();
        assert!(certs.len() >= 7, "{} RSA test certificates", certs.len());
        let sigs = signatures();
        assert!(sigs.len() >= 35, "{} signatures", sigs.len());
        let (mut checked, mut valid) = (0, 0);
        for (file, message, alg, signature) in &sigs {
            let mut flipped = signature.clone();
            flipped[signature.len() / 2] ^= 1;
            let mut longer = vec![0u8];
            longer.extend_from_slice(signature);
            let mut other_message = message.clone();
            other_message.push(b' ');
            let variants = [
                (message.as_slice(), signature.as_slice()),
                (message.as_slice(), flipped.as_slice()),
                (message.as_slice(), &signature[1..]),
                (message.as_slice(), longer.as_slice()),
                (other_message.as_slice(), signature.as_slice()),
            ];
            for (name, cert) in &certs {
                for (i, (m, s)) in variants.iter().enumerate() {
                    let rust = rsa_crate_verify(cert.rsa_key_pkcs1_der(), *alg, m, s);
                    let ours = cert.verify_key().verify_pkcs1v15(*alg, &digest(*alg, m), s);
                    assert_eq!(rust, ours, "{file} under {name}, variant {i}");
                    let dispatched = rsa_pkcs1v15_verify(cert, *alg, m, s);
                    assert_eq!(rust, dispatched, "{file} under {name}, variant {i}");
                    #[cfg(feature = "aws-lc-rs")]
                    if cert.key_bits() >= 2048 {
                        let aws = aws_lc_verify(cert.rsa_key_pkcs1_der(), *alg, m, s);
                        assert_eq!(rust, aws, "{file} under {name}, variant {i}");
                    }
                    valid += usize::from(rust);
                    checked += 1;
                }
            }
        }
        // Every fixture but the broken ones verifies under its signer's key.
        assert!(valid >= 30, "{valid} of {checked} verified");
    }
}
