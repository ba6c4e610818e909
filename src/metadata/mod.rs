//! IdP metadata in, SP metadata out.
//!
//! **In:** [`IdpMetadataReader`] reads SAML 2.0 metadata (an
//! `EntityDescriptor`, or an `EntitiesDescriptor` aggregate, nested or not)
//! into an [`IdpMetadata`]: the entity ID we will expect as `Issuer`, the
//! SingleSignOnService and SingleLogoutService URLs per binding, the
//! NameIDFormats, `WantAuthnRequestsSigned`, the signing certificates,
//! `validUntil` and `cacheDuration`. Azure AD / Entra "Federation Metadata
//! XML" is read as it comes: a leading UTF-8 BOM, a `ds:Signature` over the
//! `EntityDescriptor`, WS-Federation `RoleDescriptor xsi:type="fed:…"`
//! elements (skipped), several signing `KeyDescriptor`s during a rollover.
//! [`IdpMetadata::manual`] builds the same value from what an admin types in.
//!
//! Trust: metadata is configuration that an admin uploads, so it is only as
//! trustworthy as the upload. Its embedded signature is **never** a source of
//! trust by itself (anyone can sign a document with a key they put in it).
//! With [`IdpMetadataReader::with_pinned_signer`] the document must carry a
//! signature that verifies under a certificate the caller pinned, with the
//! same strict [`verify_enveloped`](crate::dsig::verify_enveloped) used for
//! responses, and the fields are read from the very tree that was verified.
//!
//! Budgets: metadata is parsed under [`IdpMetadataReader::DEFAULT_LIMITS`]
//! (at most 5,000 elements, 32 levels deep), and at most
//! [`IdpMetadataReader::MAX_KEY_DESCRIPTORS`] `KeyDescriptor`s of the IdP
//! role are read, counted before any certificate is parsed.
//!
//! From metadata to the certificates that verify responses:
//! [`IdpMetadata::certificate_set`] keeps the signing certificates valid at
//! `now`, drops and reports the others, and refuses none or more than
//! [`IdpCertSet::MAX`].
//!
//! **Out:** [`SpMetadata`] writes our `EntityDescriptor` for the IdP admin to
//! upload.

mod idp;
mod sp;
mod values;

use std::time::Duration;

use chrono::{DateTime, Utc};

pub use idp::IdpMetadataReader;
pub use sp::SpMetadata;

use crate::certs::{CertFingerprint, IdpCertSet, SigningCertificate};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId};
use crate::vocabulary::Binding;

/// The endpoint URLs of one service (SingleSignOnService or
/// SingleLogoutService), one per binding we speak. When metadata lists
/// several endpoints for one binding, the first is kept, with its
/// `ResponseLocation` if it has one (where responses to the IdP's requests
/// go: SAML metadata 2.2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    redirect: Option<EndpointUrl>,
    post: Option<EndpointUrl>,
    redirect_response: Option<EndpointUrl>,
    post_response: Option<EndpointUrl>,
}

impl Endpoints {
    /// The HTTP-Redirect endpoint.
    pub fn redirect(&self) -> Option<&EndpointUrl> {
        self.redirect.as_ref()
    }

    /// The HTTP-POST endpoint.
    pub fn post(&self) -> Option<&EndpointUrl> {
        self.post.as_ref()
    }

    /// The endpoint for `binding`.
    pub fn get(&self, binding: Binding) -> Option<&EndpointUrl> {
        match binding {
            Binding::HttpRedirect => self.redirect(),
            Binding::HttpPost => self.post(),
        }
    }

    /// Whether no endpoint is known.
    pub fn is_empty(&self) -> bool {
        self.redirect.is_none() && self.post.is_none()
    }

    /// Where a response to the IdP goes over `binding`: the endpoint's
    /// `ResponseLocation` if it has one, else its `Location`.
    pub fn response_location(&self, binding: Binding) -> Option<&EndpointUrl> {
        let response = match binding {
            Binding::HttpRedirect => self.redirect_response.as_ref(),
            Binding::HttpPost => self.post_response.as_ref(),
        };
        response.or_else(|| self.get(binding))
    }

    pub(crate) fn slot(&mut self, binding: Binding) -> &mut Option<EndpointUrl> {
        match binding {
            Binding::HttpRedirect => &mut self.redirect,
            Binding::HttpPost => &mut self.post,
        }
    }

    /// The `ResponseLocation` slot of `binding`.
    pub(crate) fn response_slot(&mut self, binding: Binding) -> &mut Option<EndpointUrl> {
        match binding {
            Binding::HttpRedirect => &mut self.redirect_response,
            Binding::HttpPost => &mut self.post_response,
        }
    }
}

/// What we know about one SAML 2.0 identity provider: read from its metadata
/// by [`IdpMetadataReader`] or entered by hand ([`IdpMetadata::manual`]).
///
/// ```
/// use saml_sp::IdpMetadata;
/// use saml_sp::time::{Clock, FixedClock};
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// // Azure AD-shaped federation metadata with a UTF-8 BOM, two signing
/// // certificates (a rollover) and WS-Federation RoleDescriptors.
/// let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// let idp = IdpMetadata::parse(&xml, now)?;
/// assert_eq!(idp.entity_id().as_str(), "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/");
/// assert_eq!(
///     idp.single_sign_on().redirect().map(|u| u.as_str()),
///     Some("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"),
/// );
/// assert_eq!(idp.signing_certificates().len(), 2);
///
/// // The certificates that will verify responses, chosen at `now`.
/// let certs = idp.certificate_set(now)?;
/// assert_eq!(certs.set().certificates().len(), 2);
/// assert!(certs.dropped().is_empty());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    entity_id: EntityId,
    single_sign_on: Endpoints,
    single_logout: Endpoints,
    name_id_formats: Vec<String>,
    want_authn_requests_signed: bool,
    signing_certificates: Vec<SigningCertificate>,
    skipped_keys: Vec<Error>,
    valid_until: Option<DateTime<Utc>>,
    cache_duration: Option<Duration>,
    signed_by: Option<CertFingerprint>,
}

impl IdpMetadata {
    /// Reads metadata describing exactly one SAML 2.0 IdP with the default
    /// [`IdpMetadataReader`]: no entity chosen, no pinned signer.
    ///
    /// # Errors
    /// As [`IdpMetadataReader::read`].
    pub fn parse(xml: &[u8], now: DateTime<Utc>) -> Result<Self> {
        IdpMetadataReader::new().read(xml, now)
    }

    /// The IdP an admin configured by hand: its entity ID, its SSO URL and
    /// that URL's binding, and one signing certificate.
    ///
    /// Azure AD's "Login URL" serves both bindings; pass
    /// [`Binding::HttpRedirect`] for it.
    ///
    /// ```
    /// use saml_sp::{EndpointUrl, EntityId, IdpMetadata, SigningCertificate};
    /// use saml_sp::time::{Clock, FixedClock};
    /// use saml_sp::vocabulary::Binding;
    /// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
    /// let pem = std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap();
    /// let idp = IdpMetadata::manual(
    ///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
    ///     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
    ///     Binding::HttpRedirect,
    ///     SigningCertificate::from_pem(&pem)?,
    /// );
    /// assert!(idp.single_sign_on().post().is_none());
    /// assert_eq!(idp.certificate_set(now)?.set().certificates().len(), 1);
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    pub fn manual(
        entity_id: EntityId,
        sso_url: EndpointUrl,
        binding: Binding,
        certificate: SigningCertificate,
    ) -> Self {
        let mut single_sign_on = Endpoints::default();
        *single_sign_on.slot(binding) = Some(sso_url);
        Self {
            entity_id,
            single_sign_on,
            single_logout: Endpoints::default(),
            name_id_formats: Vec::new(),
            want_authn_requests_signed: false,
            signing_certificates: vec![certificate],
            skipped_keys: Vec::new(),
            valid_until: None,
            cache_duration: None,
            signed_by: None,
        }
    }

    /// The IdP's entity ID: the `Issuer` its responses must carry.
    pub fn entity_id(&self) -> &EntityId {
        &self.entity_id
    }

    /// The SingleSignOnService endpoints (at least one is known).
    pub fn single_sign_on(&self) -> &Endpoints {
        &self.single_sign_on
    }

    /// The SingleLogoutService endpoints (possibly none).
    pub fn single_logout(&self) -> &Endpoints {
        &self.single_logout
    }

    /// The NameIDFormat URIs the IdP lists, in document order.
    pub fn name_id_formats(&self) -> &[String] {
        &self.name_id_formats
    }

    /// Whether the IdP wants AuthnRequests signed (`WantAuthnRequestsSigned`,
    /// false when absent).
    pub fn want_authn_requests_signed(&self) -> bool {
        self.want_authn_requests_signed
    }

    /// Every distinct signing certificate listed (`KeyDescriptor`s with
    /// `use="signing"` or without `use`), in document order, whatever their
    /// validity. [`certificate_set`](Self::certificate_set) chooses among them.
    pub fn signing_certificates(&self) -> &[SigningCertificate] {
        &self.signing_certificates
    }

    /// Signing `KeyDescriptor`s that could not be used, one error each: no
    /// or several `X509Certificate`s, an unreadable certificate, a key type
    /// we do not support, a key that is too small. Never trusted; shown to the
    /// admin.
    pub fn skipped_keys(&self) -> &[Error] {
        &self.skipped_keys
    }

    /// The earliest `validUntil` of the entity, its enclosing
    /// `EntitiesDescriptor`s and its IdP role. Reading already refused a
    /// document whose `validUntil` had passed.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.valid_until
    }

    /// The shortest `cacheDuration` along the same path: how long the caller
    /// may keep this metadata before fetching it again. (A year counts as 365
    /// days and a month as 30.)
    pub fn cache_duration(&self) -> Option<Duration> {
        self.cache_duration
    }

    /// The pinned certificate that verified the metadata's signature, when
    /// it was read with [`IdpMetadataReader::with_pinned_signer`].
    pub fn signed_by(&self) -> Option<CertFingerprint> {
        self.signed_by
    }

    /// The certificates to verify this IdP's responses with, chosen at `now`:
    /// the signing certificates valid at `now`. Certificates that expired or
    /// are not valid yet are dropped and reported
    /// ([`MetadataCertSet::dropped`]), not an error.
    ///
    /// # Errors
    /// [`ErrorKind::NoUsableCertificate`] when no signing certificate is
    /// valid at `now`; [`ErrorKind::TooManyCertificates`] when more than
    /// [`IdpCertSet::MAX`] are: the admin must choose which to trust (build
    /// the [`IdpCertSet`] from the chosen ones of
    /// [`signing_certificates`](Self::signing_certificates)).
    pub fn certificate_set(&self, now: DateTime<Utc>) -> Result<MetadataCertSet> {
        let mut usable = Vec::new();
        let mut dropped = Vec::new();
        for cert in &self.signing_certificates {
            if cert.is_valid_at(now) {
                usable.push(cert.clone());
            } else {
                let reason = if cert.not_after() < now {
                    DropReason::Expired
                } else {
                    DropReason::NotYetValid
                };
                dropped.push(DroppedCertificate {
                    certificate: cert.clone(),
                    reason,
                });
            }
        }
        let describe = |certs: &mut dyn Iterator<Item = &SigningCertificate>| {
            certs
                .map(|c| {
                    format!(
                        "{} ({}, {} to {})",
                        c.fingerprint(),
                        c.subject(),
                        c.not_before().to_rfc3339(),
                        c.not_after().to_rfc3339()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        if usable.is_empty() {
            let detail = if self.signing_certificates.is_empty() {
                let skipped: Vec<&str> = self.skipped_keys.iter().map(Error::detail).collect();
                format!(
                    "the metadata of {} lists no usable signing certificate{}",
                    self.entity_id,
                    if skipped.is_empty() {
                        String::new()
                    } else {
                        format!(" (skipped: {})", skipped.join("; "))
                    }
                )
            } else {
                format!(
                    "none of the {} signing certificates of {} is valid at {}: {}",
                    self.signing_certificates.len(),
                    self.entity_id,
                    now.to_rfc3339(),
                    describe(&mut self.signing_certificates.iter())
                )
            };
            return Err(Error::new(ErrorKind::NoUsableCertificate, detail));
        }
        if usable.len() > IdpCertSet::MAX {
            return Err(Error::new(
                ErrorKind::TooManyCertificates,
                format!(
                    "the metadata of {} lists {} signing certificates valid at {}, and at most {} \
                     can be trusted: choose which to trust by fingerprint: {}",
                    self.entity_id,
                    usable.len(),
                    now.to_rfc3339(),
                    IdpCertSet::MAX,
                    describe(&mut usable.iter())
                ),
            ));
        }
        Ok(MetadataCertSet {
            set: IdpCertSet::new(usable, now)?,
            dropped,
        })
    }
}

/// The certificate set chosen from metadata at one instant, with the
/// certificates left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataCertSet {
    set: IdpCertSet,
    dropped: Vec<DroppedCertificate>,
}

impl MetadataCertSet {
    /// The certificates to verify with (one to [`IdpCertSet::MAX`]).
    pub fn set(&self) -> &IdpCertSet {
        &self.set
    }

    /// The signing certificates the metadata lists that were not valid at
    /// `now`: report them to the admin.
    pub fn dropped(&self) -> &[DroppedCertificate] {
        &self.dropped
    }

    /// The set, for the verifier.
    pub fn into_set(self) -> IdpCertSet {
        self.set
    }
}

/// A signing certificate listed in metadata but left out of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DroppedCertificate {
    /// The certificate.
    pub certificate: SigningCertificate,
    /// Why it was left out.
    pub reason: DropReason,
}

/// Why a listed certificate was left out of the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// Its validity ended before `now`.
    Expired,
    /// Its validity starts after `now`.
    NotYetValid,
}

impl DropReason {
    /// A stable name: `expired`, `not_yet_valid`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
        }
    }
}
