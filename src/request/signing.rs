//! The SP's signing key and the two ways we sign what we send: over the
//! HTTP-Redirect query octets, and as an enveloped XML signature (HTTP-POST).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest as _, Sha256};

use super::xml_writer::XmlWriter;
use crate::c14n::{C14nMethod, InclusivePrefixes, canonicalize_element};
use crate::certs::{MIN_RSA_BITS, SigningCertificate};
use crate::ns::DSIG;
use crate::rng::Blinding;
use crate::xml::Document;
use crate::{Csprng, DigestAlgorithm, Error, ErrorKind, Limits, Result, SignatureAlgorithm};

const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// The SP's RSA private key, for signing the requests we send
/// (AuthnRequests; LogoutRequests later): rsa-sha256, RSASSA-PKCS1-v1_5.
///
/// **Side channels.** Signing is a private-key operation of the pure-Rust
/// `rsa` crate. Its 0.9 releases, the subject of advisory RUSTSEC-2023-0071
/// ("Marvin": non-constant-time big-number arithmetic, so precise timing of
/// many private-key operations may leak the key), are not used: `rsa` 0.10
/// exponentiates with `crypto-bigint`'s constant-time Montgomery arithmetic.
/// On top of that every signature here is blinded with the caller's
/// [`Csprng`] (`rsa`'s randomized signer), which decorrelates the timing from
/// the key. Neither is a proof of constant time on every target: keep the SP
/// signing key for this one purpose (not also TLS), and sign only where the
/// IdP requires it
/// ([`IdpMetadata::want_authn_requests_signed`](crate::IdpMetadata::want_authn_requests_signed)).
///
/// ```
/// use saml_sp::{SigningCertificate, SpSigningKey};
/// let key = SpSigningKey::from_pem(&std::fs::read_to_string("fixtures/keys/sp.key.pem").unwrap())?
///     .with_certificate(SigningCertificate::from_pem(
///         &std::fs::read_to_string("fixtures/keys/sp.crt.pem").unwrap())?)?;
/// assert_eq!(key.key_bits(), 2048);
/// // Another certificate than the key's is refused.
/// let other = SigningCertificate::from_pem(
///     &std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// assert_eq!(key.with_certificate(other).unwrap_err().kind(), saml_sp::ErrorKind::PrivateKeyInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone)]
pub struct SpSigningKey {
    signer: SigningKey<Sha256>,
    public: PublicKey,
    certificate: Option<SigningCertificate>,
}

fn key_invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::PrivateKeyInvalid, detail)
}

/// The modulus length in bits (public: no constant time needed).
fn modulus_bits(key: &impl PublicKeyParts) -> usize {
    key.n().bit_width_vartime() as usize
}

impl SpSigningKey {
    /// Reads an unencrypted RSA private key from PEM: PKCS#8 (`BEGIN
    /// PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`). Other PEM blocks
    /// in the text (a certificate) are skipped.
    ///
    /// # Errors
    /// [`ErrorKind::PrivateKeyInvalid`] (no key block, an encrypted key, not
    /// RSA, inconsistent); [`ErrorKind::KeyTooSmall`] under 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let mut rest = pem;
        while let Some(start) = rest.find("-----BEGIN ") {
            let after = rest.get(start + 11..).unwrap_or_default();
            let (label, body) = after
                .split_once("-----")
                .ok_or_else(|| key_invalid("unterminated PEM header"))?;
            let end_marker = format!("-----END {label}-----");
            let (body, next) = body
                .split_once(&end_marker)
                .ok_or_else(|| key_invalid(format!("PEM block {label:?} has no END line")))?;
            rest = next;
            let pkcs1 = match label {
                "PRIVATE KEY" => false,
                "RSA PRIVATE KEY" => true,
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(key_invalid("the private key is encrypted"));
                }
                _ => continue,
            };
            if body.contains(':') {
                return Err(key_invalid(
                    "the PEM block has headers (an encrypted legacy key?)",
                ));
            }
            let der = crate::binding::decode_base64(body.as_bytes())
                .map_err(|e| key_invalid(format!("the PEM body is not base64: {e}")))?;
            let key = if pkcs1 {
                PrivateKey::from_pkcs1_der(&der)
                    .map_err(|e| key_invalid(format!("not a PKCS#1 RSA private key: {e}")))?
            } else {
                PrivateKey::from_pkcs8_der(&der)
                    .map_err(|e| key_invalid(format!("not a PKCS#8 RSA private key: {e}")))?
            };
            return Self::from_key(key);
        }
        Err(key_invalid("no PRIVATE KEY or RSA PRIVATE KEY PEM block"))
    }

    /// Reads an unencrypted RSA private key from DER: PKCS#8
    /// `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let key = PrivateKey::from_pkcs8_der(der)
            .or_else(|_| PrivateKey::from_pkcs1_der(der))
            .map_err(|e| key_invalid(format!("not a PKCS#8 or PKCS#1 RSA private key: {e}")))?;
        Self::from_key(key)
    }

    fn from_key(key: PrivateKey) -> Result<Self> {
        key.validate()
            .map_err(|e| key_invalid(format!("inconsistent RSA key: {e}")))?;
        let bits = modulus_bits(&key);
        if bits < MIN_RSA_BITS {
            return Err(Error::new(
                ErrorKind::KeyTooSmall,
                format!("the SP key has {bits} bits, at least {MIN_RSA_BITS} are required"),
            ));
        }
        let public = key.to_public_key();
        Ok(Self {
            signer: SigningKey::new(key),
            public,
            certificate: None,
        })
    }

    /// Attaches the key's certificate: sent in `KeyInfo` of enveloped
    /// signatures, and the one the IdP admin registers.
    ///
    /// # Errors
    /// [`ErrorKind::PrivateKeyInvalid`] when the certificate's public key is
    /// not this key's.
    pub fn with_certificate(mut self, certificate: SigningCertificate) -> Result<Self> {
        let cert_key = PublicKey::from_pkcs1_der(certificate.rsa_key_pkcs1_der()).ok();
        if cert_key.as_ref() != Some(&self.public) {
            return Err(key_invalid(format!(
                "certificate {} ({}) does not belong to this private key",
                certificate.fingerprint(),
                certificate.subject()
            )));
        }
        self.certificate = Some(certificate);
        Ok(self)
    }

    /// The attached certificate.
    pub fn certificate(&self) -> Option<&SigningCertificate> {
        self.certificate.as_ref()
    }

    /// The modulus size in bits.
    pub fn key_bits(&self) -> usize {
        modulus_bits(&self.public)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, blinded with `rng`.
    pub(crate) fn sign_sha256<R: Csprng + ?Sized>(
        &self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        self.signer
            .try_sign_with_rng(&mut Blinding(rng), message)
            .map(|s| s.to_vec())
            .map_err(|e| key_invalid(format!("signing failed: {e}")))
    }
}

impl fmt::Debug for SpSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpSigningKey")
            .field("bits", &self.key_bits())
            .field(
                "certificate",
                &self.certificate.as_ref().map(|c| c.fingerprint()),
            )
            .finish_non_exhaustive()
    }
}

/// The canonical form (exclusive c14n, no comments) of `element` in `xml`.
fn exc_c14n(xml: &str, find: impl Fn(&Document) -> Option<Vec<u8>>) -> Result<Vec<u8>> {
    let doc = Document::parse(xml.as_bytes(), &Limits::default())?;
    find(&doc).ok_or_else(|| Error::new(ErrorKind::XmlIdNotFound, "element to sign not found"))
}

/// Signs the document `render` writes with an enveloped signature on its
/// root element (whose `ID` is `id`): exclusive c14n, rsa-sha256, sha256,
/// Reference `#id`, transforms enveloped-signature + exc-c14n, KeyInfo with
/// the certificate if the key has one.
///
/// `render(None)` is the unsigned document; `render(Some(sig))` must place
/// `sig` where the schema wants the `Signature` (after `Issuer`). The digest
/// and `SignedInfo` are canonicalized by our own canonicalizer from parsed
/// trees, exactly as a verifier will.
pub(crate) fn sign_enveloped<R: Csprng + ?Sized>(
    render: &dyn Fn(Option<&str>) -> Result<String>,
    id: &str,
    key: &SpSigningKey,
    rng: &mut R,
) -> Result<String> {
    let none = InclusivePrefixes::none();
    // 1. The digest of the root element, which has no signature yet: the
    //    enveloped-signature transform removes nothing else.
    let unsigned = render(None)?;
    let canonical = exc_c14n(&unsigned, |doc| {
        let root = doc.root();
        if root.attribute(None, "ID") != Some(id) {
            return None;
        }
        let mut out = Vec::with_capacity(unsigned.len());
        canonicalize_element(root, None, C14nMethod::Exclusive, &none, &mut out).ok()?;
        Some(out)
    })?;
    let digest = STANDARD.encode(Sha256::digest(&canonical));

    // 2. The signature with an empty SignatureValue, placed in the document;
    //    SignedInfo is canonicalized from there.
    const VALUE_SLOT: &str = "<ds:SignatureValue></ds:SignatureValue>";
    let mut w = XmlWriter::new();
    w.open("ds:Signature");
    w.attr("xmlns:ds", DSIG);
    w.close_open();
    w.raw("<ds:SignedInfo>");
    for (name, algorithm) in [
        ("ds:CanonicalizationMethod", C14nMethod::Exclusive.uri()),
        ("ds:SignatureMethod", SignatureAlgorithm::RsaSha256.uri()),
    ] {
        w.open(name);
        w.attr("Algorithm", algorithm);
        w.close_empty();
    }
    w.open("ds:Reference");
    w.attr("URI", &format!("#{id}"));
    w.close_open();
    w.raw("<ds:Transforms>");
    for algorithm in [ENVELOPED_SIGNATURE, C14nMethod::Exclusive.uri()] {
        w.open("ds:Transform");
        w.attr("Algorithm", algorithm);
        w.close_empty();
    }
    w.raw("</ds:Transforms>");
    w.open("ds:DigestMethod");
    w.attr("Algorithm", DigestAlgorithm::Sha256.uri());
    w.close_empty();
    w.text_element("ds:DigestValue", &digest);
    w.raw("</ds:Reference></ds:SignedInfo>");
    w.raw(VALUE_SLOT);
    if let Some(cert) = &key.certificate {
        w.raw("<ds:KeyInfo><ds:X509Data>");
        w.text_element("ds:X509Certificate", &STANDARD.encode(cert.der()));
        w.raw("</ds:X509Data></ds:KeyInfo>");
    }
    w.close("ds:Signature");
    let template = w.finish();
    let with_slot = render(Some(&template))?;
    let signed_info = exc_c14n(&with_slot, |doc| {
        let root = doc.root();
        let signature = root.child_elements().find(|e| e.is(DSIG, "Signature"))?;
        let signed_info = signature
            .child_elements()
            .find(|e| e.is(DSIG, "SignedInfo"))?;
        let mut out = Vec::with_capacity(1024);
        canonicalize_element(signed_info, None, C14nMethod::Exclusive, &none, &mut out).ok()?;
        Some(out)
    })?;
    let value = STANDARD.encode(key.sign_sha256(rng, &signed_info)?);
    if with_slot.matches(VALUE_SLOT).count() != 1 {
        return Err(Error::new(
            ErrorKind::Io,
            "the rendered document does not hold exactly one signature slot",
        ));
    }
    Ok(with_slot.replacen(
        VALUE_SLOT,
        &format!("<ds:SignatureValue>{value}</ds:SignatureValue>"),
        1,
    ))
}
