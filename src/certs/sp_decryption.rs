//! The SP's decryption keys: what unwraps the session keys of the
//! encrypted assertions (and EncryptedID, EncryptedAttribute) that IdPs
//! send once the SP's metadata publishes an encryption certificate.

use std::fmt;
use std::sync::Arc;

use super::{CertificatePolicy, FLOOR_RSA_BITS, SigningCertificate, pem};
use crate::crypto::RsaDecrypter;
use crate::error::{Error, ErrorKind, Result};
use crate::rng::Csprng;
use crate::vocabulary::KeyTransport;

fn key_invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::DecryptionKeyInvalid, detail)
}

/// One RSA private key of the SP for decryption (RSA-OAEP key transport),
/// with its certificate (the one the SP metadata publishes as
/// `KeyDescriptor use="encryption"`).
///
/// Private keys never go through serde: an app loads them from its secret
/// store at startup. `Debug` shows the size and certificate, never the key.
///
/// **Side channels.** Unwrapping is a private-key operation of `rsa` 0.10
/// (constant-time `crypto-bigint` arithmetic), blinded with fresh operating
/// system randomness on every call, followed by OAEP decoding that compares
/// in constant time; see the security manual for what timing remains.
///
/// ```
/// use saml_sp::SigningCertificate;
/// use saml_sp::certs::SpDecryptionKey;
/// let key = SpDecryptionKey::from_pem(&std::fs::read_to_string("fixtures/keys/sp-enc.key.pem").unwrap())?
///     .with_certificate(SigningCertificate::from_pem(
///         &std::fs::read_to_string("fixtures/keys/sp-enc.crt.pem").unwrap())?)?;
/// assert_eq!(key.key_bits(), 2048);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone)]
pub struct SpDecryptionKey {
    decrypter: RsaDecrypter,
    public_pkcs1_der: Box<[u8]>,
    certificate: Option<SigningCertificate>,
    /// The certificate's serial number in decimal (`X509SerialNumber`).
    serial: Option<String>,
}

impl SpDecryptionKey {
    /// Reads an unencrypted RSA private key from PEM: PKCS#8 (`BEGIN
    /// PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`), of at least 2048
    /// bits. Other PEM blocks in the text (a certificate) are skipped.
    ///
    /// # Errors
    /// [`ErrorKind::DecryptionKeyInvalid`] (no key block, an encrypted key,
    /// not RSA, inconsistent); [`ErrorKind::KeyTooSmall`] under 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::from_pem_with_policy(pem, &CertificatePolicy::default())
    }

    /// As [`from_pem`](Self::from_pem), with the RSA floor of `policy`
    /// ([`CertificatePolicy::with_min_rsa_bits`], never below 1024): for
    /// legacy test setups whose IdP encrypts to a 1024-bit key.
    ///
    /// ```
    /// use saml_sp::certs::{CertificatePolicy, SpDecryptionKey};
    /// # let pem = std::fs::read_to_string("fixtures/keys/sp-enc.key.pem").unwrap();
    /// let legacy = CertificatePolicy::default().with_min_rsa_bits(1024);
    /// let key = SpDecryptionKey::from_pem_with_policy(&pem, &legacy)?;
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_pem_with_policy(pem: &str, policy: &CertificatePolicy) -> Result<Self> {
        let (der, pkcs1) = pem::private_key(pem).map_err(|e| key_invalid(e.detail().to_owned()))?;
        let decrypter =
            RsaDecrypter::from_der(&der, pkcs1).map_err(|e| key_invalid(e.detail().to_owned()))?;
        let bits = decrypter.bits();
        let min = policy.min_rsa_bits.max(FLOOR_RSA_BITS);
        if bits < min {
            return Err(Error::new(
                ErrorKind::KeyTooSmall,
                format!("the SP decryption key has {bits} bits, at least {min} are required"),
            ));
        }
        Ok(Self {
            public_pkcs1_der: decrypter.public_pkcs1_der().into(),
            decrypter,
            certificate: None,
            serial: None,
        })
    }

    /// Attaches the key's certificate: published in SP metadata, and used to
    /// tell which `EncryptedKey` of several is meant for us.
    ///
    /// # Errors
    /// [`ErrorKind::DecryptionKeyInvalid`] when the certificate's public key
    /// is not this key's.
    pub fn with_certificate(mut self, certificate: SigningCertificate) -> Result<Self> {
        if !self
            .decrypter
            .has_public_key(certificate.rsa_key_pkcs1_der())
        {
            return Err(key_invalid(format!(
                "certificate {} ({}) does not belong to this private key",
                certificate.fingerprint(),
                certificate.subject()
            )));
        }
        self.serial = x509_parser::parse_x509_certificate(certificate.der())
            .ok()
            .map(|(_, c)| c.tbs_certificate.serial.to_string());
        self.certificate = Some(certificate);
        Ok(self)
    }

    /// The attached certificate.
    pub fn certificate(&self) -> Option<&SigningCertificate> {
        self.certificate.as_ref()
    }

    /// The modulus size in bits.
    pub fn key_bits(&self) -> usize {
        self.decrypter.bits()
    }

    /// The modulus size in bytes: the length of every wrapped key.
    pub(crate) fn size(&self) -> usize {
        self.decrypter.size()
    }

    /// Whether the certificate `der` (as found in an `EncryptedKey`'s
    /// `KeyInfo`) carries this key's public key.
    pub(crate) fn is_for_certificate(&self, der: &[u8]) -> bool {
        x509_parser::parse_x509_certificate(der).is_ok_and(|(_, cert)| {
            crate::crypto::constant_time_eq(
                &cert.public_key().subject_public_key.data,
                &self.public_pkcs1_der,
            )
        })
    }

    /// Whether `serial` (an `X509SerialNumber`, decimal) is the serial of
    /// the attached certificate.
    pub(crate) fn has_serial(&self, serial: &str) -> bool {
        self.serial.as_deref() == Some(serial)
    }

    /// RSA-OAEP unwrap of `wrapped` under `transport`, blinded with `rng`;
    /// `None` on any failure.
    pub(crate) fn unwrap_key<R: Csprng + ?Sized>(
        &self,
        rng: &mut R,
        transport: KeyTransport,
        wrapped: &[u8],
    ) -> Option<Vec<u8>> {
        self.decrypter
            .oaep_unwrap(rng, transport.digest, transport.mgf, wrapped)
    }
}

impl fmt::Debug for SpDecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpDecryptionKey")
            .field("bits", &self.key_bits())
            .field(
                "certificate",
                &self.certificate.as_ref().map(|c| c.fingerprint()),
            )
            .finish_non_exhaustive()
    }
}

/// The SP's decryption keys: one or two (the current key and, during a
/// rollover, the next one). Any of them may decrypt; the metadata publishes
/// both, so that an IdP that reads metadata can switch at its own pace.
///
/// ```
/// use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
/// # let read = |n: &str| std::fs::read_to_string(format!("fixtures/keys/{n}.key.pem")).unwrap();
/// let keys = SpDecryptionKeys::new(SpDecryptionKey::from_pem(&read("sp-enc"))?)
///     .with_next(SpDecryptionKey::from_pem(&read("sp-enc-next"))?);
/// assert_eq!(keys.keys().len(), 2);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SpDecryptionKeys {
    /// Shared: every verifier of every team holds the same keys.
    keys: Arc<[SpDecryptionKey]>,
}

impl SpDecryptionKeys {
    /// At most this many keys: current and next.
    pub const MAX: usize = 2;

    /// The current key alone.
    pub fn new(current: SpDecryptionKey) -> Self {
        Self {
            keys: Arc::new([current]),
        }
    }

    /// With `next` as the second key (replacing any second key).
    pub fn with_next(self, next: SpDecryptionKey) -> Self {
        let current = self.keys.first().cloned();
        Self {
            keys: current.into_iter().chain([next]).collect(),
        }
    }

    /// One or two keys, current first.
    ///
    /// # Errors
    /// [`ErrorKind::DecryptionKeyInvalid`] for none or more than
    /// [`MAX`](Self::MAX).
    pub fn from_keys(keys: impl IntoIterator<Item = SpDecryptionKey>) -> Result<Self> {
        let keys: Vec<_> = keys.into_iter().collect();
        if keys.is_empty() || keys.len() > Self::MAX {
            return Err(key_invalid(format!(
                "{} decryption keys: an SP has one or two (current and next)",
                keys.len()
            )));
        }
        Ok(Self { keys: keys.into() })
    }

    /// The keys, current first.
    pub fn keys(&self) -> &[SpDecryptionKey] {
        &self.keys
    }
}
