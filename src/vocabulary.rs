//! The words of the protocols: algorithms, bindings, formats, message
//! kinds, and the policy over algorithms. Plain values with their URIs,
//! used by every stage; nothing here reads input or does work.
//!
//! [`SignaturePolicy`] is the one place where an algorithm URI read from a
//! message becomes an algorithm we accept: XML signatures
//! (`SignatureMethod`, `DigestMethod`) and HTTP-Redirect query signatures
//! (`SigAlg`) go through it alike.

use crate::error::{Error, ErrorKind, Result};

/// A signature algorithm of the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-1: only with [`SignaturePolicy::allow_sha1`].
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaSha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaSha512,
}

impl SignatureAlgorithm {
    pub(crate) const ALL: [Self; 4] = [
        Self::RsaSha1,
        Self::RsaSha256,
        Self::RsaSha384,
        Self::RsaSha512,
    ];

    /// The algorithm identifier URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        }
    }

    /// A short stable name: `rsa-sha256` and so on.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RsaSha1 => "rsa-sha1",
            Self::RsaSha256 => "rsa-sha256",
            Self::RsaSha384 => "rsa-sha384",
            Self::RsaSha512 => "rsa-sha512",
        }
    }

    /// The digest algorithm the signature hashes with.
    pub const fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaSha1 => DigestAlgorithm::Sha1,
            Self::RsaSha256 => DigestAlgorithm::Sha256,
            Self::RsaSha384 => DigestAlgorithm::Sha384,
            Self::RsaSha512 => DigestAlgorithm::Sha512,
        }
    }
}

/// A digest algorithm of the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-1: only with [`SignaturePolicy::allow_sha1`].
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    pub(crate) const ALL: [Self; 4] = [Self::Sha1, Self::Sha256, Self::Sha384, Self::Sha512];

    /// The algorithm identifier URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// A short stable name: `sha256` and so on.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }
}

/// What signature verification accepts beyond its strict defaults.
///
/// No option turns a check off: the only one widens the algorithm
/// allow-list to SHA-1, which about half of real IdP recordings still use.
///
/// ```
/// use saml_sp::vocabulary::SignaturePolicy;
/// assert!(!SignaturePolicy::default().allow_sha1);
/// let legacy = SignaturePolicy::default().with_sha1_allowed(true);
/// assert!(legacy.allow_sha1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignaturePolicy {
    /// Accept rsa-sha1 signatures and sha1 digests. Off by default: SHA-1
    /// collisions are practical; enable only for an IdP that cannot do
    /// better.
    pub allow_sha1: bool,
}

impl SignaturePolicy {
    /// This policy with `allow_sha1` set.
    pub fn with_sha1_allowed(mut self, allow: bool) -> Self {
        self.allow_sha1 = allow;
        self
    }

    /// The signature algorithm `uri` names (a `SignatureMethod` or a
    /// `SigAlg`), if this policy accepts it.
    ///
    /// ```
    /// use saml_sp::vocabulary::{SignatureAlgorithm, SignaturePolicy};
    /// let policy = SignaturePolicy::default();
    /// let uri = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    /// assert_eq!(policy.signature_method(uri)?, SignatureAlgorithm::RsaSha256);
    /// let sha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
    /// assert!(policy.signature_method(sha1).is_err());
    /// assert!(policy.with_sha1_allowed(true).signature_method(sha1).is_ok());
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for a URI outside the allow-list,
    /// and for rsa-sha1 unless [`allow_sha1`](Self::allow_sha1).
    pub fn signature_method(&self, uri: &str) -> Result<SignatureAlgorithm> {
        let algorithm = SignatureAlgorithm::ALL
            .into_iter()
            .find(|a| a.uri() == uri)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!("signature algorithm {uri:?}"),
                )
            })?;
        self.check_signature(algorithm)?;
        Ok(algorithm)
    }

    /// The digest algorithm `uri` names (a `DigestMethod`), if this policy
    /// accepts it.
    ///
    /// # Errors
    /// As [`signature_method`](Self::signature_method).
    pub fn digest_method(&self, uri: &str) -> Result<DigestAlgorithm> {
        let algorithm = DigestAlgorithm::ALL
            .into_iter()
            .find(|a| a.uri() == uri)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!("digest algorithm {uri:?}"),
                )
            })?;
        if algorithm == DigestAlgorithm::Sha1 && !self.allow_sha1 {
            return Err(sha1_refused("the digest"));
        }
        Ok(algorithm)
    }

    /// Whether this policy accepts `algorithm`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for rsa-sha1 unless
    /// [`allow_sha1`](Self::allow_sha1).
    pub fn check_signature(&self, algorithm: SignatureAlgorithm) -> Result<()> {
        if algorithm == SignatureAlgorithm::RsaSha1 && !self.allow_sha1 {
            return Err(sha1_refused("the signature"));
        }
        Ok(())
    }
}

fn sha1_refused(what: &str) -> Error {
    Error::new(
        ErrorKind::UnsupportedAlgorithm,
        format!("{what} uses SHA-1, which needs allow_sha1"),
    )
}

/// A canonicalization algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum C14nMethod {
    /// Exclusive XML Canonicalization 1.0, omitting comments
    /// (`http://www.w3.org/2001/10/xml-exc-c14n#`). What SAML uses.
    Exclusive,
    /// Exclusive XML Canonicalization 1.0 with comments
    /// (`http://www.w3.org/2001/10/xml-exc-c14n#WithComments`).
    ExclusiveWithComments,
    /// Canonical XML 1.0, omitting comments
    /// (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
    /// Canonical XML 1.0 with comments
    /// (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments`).
    InclusiveWithComments,
}

impl C14nMethod {
    /// Every method, for iteration.
    pub const ALL: [Self; 4] = [
        Self::Exclusive,
        Self::ExclusiveWithComments,
        Self::Inclusive,
        Self::InclusiveWithComments,
    ];

    /// The algorithm identifier URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Exclusive => "http://www.w3.org/2001/10/xml-exc-c14n#",
            Self::ExclusiveWithComments => "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
            Self::Inclusive => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            Self::InclusiveWithComments => {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            }
        }
    }

    /// The method an algorithm identifier URI names, if it is one of ours.
    ///
    /// ```
    /// use saml_sp::vocabulary::C14nMethod;
    /// assert_eq!(
    ///     C14nMethod::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#"),
    ///     Some(C14nMethod::Exclusive)
    /// );
    /// assert_eq!(C14nMethod::from_uri("http://www.w3.org/2006/12/xml-c14n11"), None);
    /// ```
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.uri() == uri)
    }

    /// Whether this is an exclusive canonicalization.
    pub const fn is_exclusive(self) -> bool {
        matches!(self, Self::Exclusive | Self::ExclusiveWithComments)
    }

    /// The same canonicalization without comments.
    pub const fn without_comments(self) -> Self {
        match self {
            Self::Exclusive | Self::ExclusiveWithComments => Self::Exclusive,
            Self::Inclusive | Self::InclusiveWithComments => Self::Inclusive,
        }
    }

    /// Whether comments are kept.
    pub const fn with_comments(self) -> bool {
        matches!(
            self,
            Self::ExclusiveWithComments | Self::InclusiveWithComments
        )
    }
}

/// A SAML 2.0 binding this crate speaks to an IdP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
#[non_exhaustive]
pub enum Binding {
    /// HTTP-Redirect: the message deflated into a query string.
    HttpRedirect,
    /// HTTP-POST: the message base64-encoded in an auto-submitted form.
    HttpPost,
}

impl Binding {
    /// The binding's URI, e.g.
    /// `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect`.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::HttpRedirect => "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            Self::HttpPost => "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        }
    }

    /// The binding with this URI, if it is one of ours.
    ///
    /// ```
    /// use saml_sp::vocabulary::Binding;
    /// assert_eq!(Binding::from_uri(Binding::HttpPost.uri()), Some(Binding::HttpPost));
    /// assert_eq!(Binding::from_uri("urn:oasis:names:tc:SAML:2.0:bindings:SOAP"), None);
    /// ```
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::HttpRedirect, Self::HttpPost]
            .into_iter()
            .find(|b| b.uri() == uri)
    }
}

/// A NameID format an SP can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameIdFormat {
    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`.
    EmailAddress,
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`: an opaque,
    /// stable identifier per SP.
    Persistent,
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:transient`.
    Transient,
    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`.
    Unspecified,
}

impl NameIdFormat {
    /// The format's URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::EmailAddress => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            Self::Persistent => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            Self::Transient => "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            Self::Unspecified => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        }
    }
}

/// Which SAML message an HTTP binding carries: the name of its form field or
/// query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// A request (`AuthnRequest`, `LogoutRequest`): `SAMLRequest`.
    Request,
    /// A response (`Response`, `LogoutResponse`): `SAMLResponse`.
    Response,
}

impl MessageKind {
    /// The parameter name: `SAMLRequest` or `SAMLResponse`.
    pub const fn parameter(self) -> &'static str {
        match self {
            Self::Request => "SAMLRequest",
            Self::Response => "SAMLResponse",
        }
    }
}

/// A data encryption algorithm of XML Encryption that this crate decrypts
/// (the `EncryptionMethod` of an `EncryptedData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataEncryption {
    /// `xmlenc#aes128-cbc`.
    Aes128Cbc,
    /// `xmlenc#aes192-cbc`.
    Aes192Cbc,
    /// `xmlenc#aes256-cbc`.
    Aes256Cbc,
    /// `xmlenc11#aes128-gcm`.
    Aes128Gcm,
    /// `xmlenc11#aes192-gcm`.
    Aes192Gcm,
    /// `xmlenc11#aes256-gcm`.
    Aes256Gcm,
    /// `xmlenc#tripledes-cbc`: only with [`EncryptionPolicy::allow_tripledes`].
    TripleDesCbc,
}

impl DataEncryption {
    /// Every data algorithm, the preferred first (what SP metadata lists).
    pub const ALL: [Self; 7] = [
        Self::Aes256Gcm,
        Self::Aes128Gcm,
        Self::Aes192Gcm,
        Self::Aes256Cbc,
        Self::Aes192Cbc,
        Self::Aes128Cbc,
        Self::TripleDesCbc,
    ];

    /// The algorithm identifier URI.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            Self::Aes192Cbc => "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
            Self::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            Self::Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            Self::Aes192Gcm => "http://www.w3.org/2009/xmlenc11#aes192-gcm",
            Self::Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
            Self::TripleDesCbc => "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
        }
    }

    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Cbc | Self::Aes128Gcm => 16,
            Self::Aes192Cbc | Self::Aes192Gcm | Self::TripleDesCbc => 24,
            Self::Aes256Cbc | Self::Aes256Gcm => 32,
        }
    }
}

/// A key transport algorithm of XML Encryption that this crate unwraps
/// with (the `EncryptionMethod` of an `EncryptedKey`), with its digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTransport {
    /// The OAEP digest (`DigestMethod`; SHA-1 when absent).
    pub digest: DigestAlgorithm,
    /// The MGF1 digest (SHA-1 for `rsa-oaep-mgf1p`; `MGF` of
    /// `xmlenc11#rsa-oaep`, SHA-1 when absent).
    pub mgf: DigestAlgorithm,
}

/// `xmlenc#rsa-oaep-mgf1p`: RSA-OAEP with MGF1-SHA1.
pub const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
/// `xmlenc11#rsa-oaep`: RSA-OAEP with an explicit MGF.
pub const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
/// `xmlenc#rsa-1_5`: RSAES-PKCS1-v1_5, refused.
const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
/// The key transport algorithms SP metadata lists.
pub const KEY_TRANSPORTS: [&str; 2] = [RSA_OAEP, RSA_OAEP_MGF1P];

/// What decryption accepts beyond the fixed allow-list: only
/// `tripledes-cbc`, off by default.
///
/// ```
/// use saml_sp::vocabulary::{DataEncryption, EncryptionPolicy};
/// let policy = EncryptionPolicy::default();
/// assert_eq!(
///     policy.data_method("http://www.w3.org/2009/xmlenc11#aes256-gcm")?,
///     DataEncryption::Aes256Gcm
/// );
/// let tdes = "http://www.w3.org/2001/04/xmlenc#tripledes-cbc";
/// assert_eq!(policy.data_method(tdes).unwrap_err().kind(), saml_sp::ErrorKind::TripledesNotAllowed);
/// assert!(policy.with_tripledes_allowed(true).data_method(tdes).is_ok());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncryptionPolicy {
    /// Accept data encrypted with `tripledes-cbc` (off by default: a 64-bit
    /// block cipher; a stock pysaml2 IdP uses nothing else).
    pub allow_tripledes: bool,
}

impl EncryptionPolicy {
    /// This policy with `allow_tripledes` set.
    pub fn with_tripledes_allowed(mut self, allow: bool) -> Self {
        self.allow_tripledes = allow;
        self
    }

    /// The data algorithm `uri` names, if this policy accepts it.
    ///
    /// # Errors
    /// [`ErrorKind::TripledesNotAllowed`] for tripledes-cbc unless allowed;
    /// [`ErrorKind::EncryptionAlgorithmUnsupported`] for anything else off
    /// the list.
    pub fn data_method(&self, uri: &str) -> Result<DataEncryption> {
        let algorithm = DataEncryption::ALL
            .into_iter()
            .find(|a| a.uri() == uri)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::EncryptionAlgorithmUnsupported,
                    format!("data encryption algorithm {uri:?}"),
                )
            })?;
        if algorithm == DataEncryption::TripleDesCbc && !self.allow_tripledes {
            return Err(Error::new(
                ErrorKind::TripledesNotAllowed,
                "tripledes-cbc data encryption needs allow_tripledes",
            ));
        }
        Ok(algorithm)
    }

    /// The key transport `uri` names with its `DigestMethod` and `MGF`
    /// algorithm URIs (either may be absent: SHA-1).
    ///
    /// ```
    /// use saml_sp::vocabulary::{DigestAlgorithm, EncryptionPolicy, RSA_OAEP};
    /// let kt = EncryptionPolicy::default().key_transport(
    ///     RSA_OAEP,
    ///     Some("http://www.w3.org/2001/04/xmlenc#sha256"),
    ///     Some("http://www.w3.org/2009/xmlenc11#mgf1sha256"),
    /// )?;
    /// assert_eq!((kt.digest, kt.mgf), (DigestAlgorithm::Sha256, DigestAlgorithm::Sha256));
    /// let pkcs1 = EncryptionPolicy::default()
    ///     .key_transport("http://www.w3.org/2001/04/xmlenc#rsa-1_5", None, None);
    /// assert_eq!(pkcs1.unwrap_err().kind(), saml_sp::ErrorKind::KeyTransportRefused);
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::KeyTransportRefused`] for `rsa-1_5`;
    /// [`ErrorKind::EncryptionAlgorithmUnsupported`] for any other URI off
    /// the list, an unknown digest or MGF, or an MGF on `rsa-oaep-mgf1p`.
    pub fn key_transport(
        &self,
        uri: &str,
        digest: Option<&str>,
        mgf: Option<&str>,
    ) -> Result<KeyTransport> {
        let unsupported =
            |what: String| Error::new(ErrorKind::EncryptionAlgorithmUnsupported, what);
        let digest = match digest {
            None => DigestAlgorithm::Sha1,
            Some(d) => DigestAlgorithm::ALL
                .into_iter()
                .find(|a| a.uri() == d)
                .ok_or_else(|| unsupported(format!("OAEP digest {d:?}")))?,
        };
        match uri {
            RSA_OAEP_MGF1P if mgf.is_none() => Ok(KeyTransport {
                digest,
                mgf: DigestAlgorithm::Sha1,
            }),
            RSA_OAEP_MGF1P => Err(unsupported("rsa-oaep-mgf1p fixes MGF1-SHA1: no MGF".into())),
            RSA_OAEP => {
                let mgf = match mgf {
                    None => DigestAlgorithm::Sha1,
                    Some(m) => DigestAlgorithm::ALL
                        .into_iter()
                        .find(|a| mgf_uri(*a) == m)
                        .ok_or_else(|| unsupported(format!("MGF {m:?}")))?,
                };
                Ok(KeyTransport { digest, mgf })
            }
            RSA_1_5 => Err(Error::new(
                ErrorKind::KeyTransportRefused,
                "rsa-1_5 key transport (RSAES-PKCS1-v1_5, Bleichenbacher) is refused",
            )),
            other => Err(unsupported(format!("key transport algorithm {other:?}"))),
        }
    }
}

/// The `xmlenc11#mgf1*` URI of MGF1 with `digest`.
const fn mgf_uri(digest: DigestAlgorithm) -> &'static str {
    match digest {
        DigestAlgorithm::Sha1 => "http://www.w3.org/2009/xmlenc11#mgf1sha1",
        DigestAlgorithm::Sha256 => "http://www.w3.org/2009/xmlenc11#mgf1sha256",
        DigestAlgorithm::Sha384 => "http://www.w3.org/2009/xmlenc11#mgf1sha384",
        DigestAlgorithm::Sha512 => "http://www.w3.org/2009/xmlenc11#mgf1sha512",
    }
}
