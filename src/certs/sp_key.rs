//! The SP's own signing key: what signs the requests we send (over the
//! HTTP-Redirect query octets, or as an enveloped XML signature).

use std::fmt;

use super::{MIN_RSA_BITS, SigningCertificate, pem};
use crate::crypto::RsaSigner;
use crate::error::{Error, ErrorKind, Result};
use crate::rng::Csprng;

/// The SP's RSA private key, for signing the messages we send
/// (AuthnRequests, LogoutRequests, LogoutResponses): rsa-sha256,
/// RSASSA-PKCS1-v1_5.
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
/// ([`IdpMetadata::want_authn_requests_signed`](crate::metadata::IdpMetadata::want_authn_requests_signed)).
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
    signer: RsaSigner,
    certificate: Option<SigningCertificate>,
}

fn key_invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::PrivateKeyInvalid, detail)
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
        let (der, pkcs1) = pem::private_key(pem)?;
        Self::from_key(RsaSigner::from_der(&der, pkcs1)?)
    }

    /// Reads an unencrypted RSA private key from DER: PKCS#8
    /// `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let key = RsaSigner::from_der(der, false)
            .or_else(|_| RsaSigner::from_der(der, true))
            .map_err(|e| {
                key_invalid(format!(
                    "not a PKCS#8 or PKCS#1 RSA private key: {}",
                    e.detail()
                ))
            })?;
        Self::from_key(key)
    }

    fn from_key(signer: RsaSigner) -> Result<Self> {
        let bits = signer.bits();
        if bits < MIN_RSA_BITS {
            return Err(Error::new(
                ErrorKind::KeyTooSmall,
                format!("the SP key has {bits} bits, at least {MIN_RSA_BITS} are required"),
            ));
        }
        Ok(Self {
            signer,
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
        if !self.signer.has_public_key(certificate.rsa_key_pkcs1_der()) {
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
        self.signer.bits()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, blinded with `rng`.
    pub(crate) fn sign_sha256<R: Csprng + ?Sized>(
        &self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        self.signer.sign_sha256(rng, message)
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
