//! SAML Responses: the POSTed form value -> [`VerifiedAssertion`].
//!
//! [`ResponseVerifier::verify`] parses the input once, verifies the
//! signatures, finds the one Assertion that a verified signature covers, and
//! applies every check of the SAML 2.0 Web Browser SSO profile. All SAML
//! data of the result is read from that covered Assertion element, in the
//! very tree the signature was checked on: a signature wrapping attack has
//! nothing to wrap, because nothing outside the covered element is read.
//!
//! The result still has to pass the one-time-use check
//! ([`VerifiedAssertion::check_replay`]) before the application may use it:
//! only a [`FreshAssertion`] carries the claims onwards.

mod attributes;
mod azure;
mod checks;
mod hints;
mod replay;

use chrono::{DateTime, TimeDelta, Utc};

use crate::certs::{CertFingerprint, IdpCertSet, SpDecryptionKeys};
use crate::dsig::{VerifiedElement, has_enveloped_signature, verify_enveloped};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId, RequestId};
use crate::limits::Limits;
use crate::ns::{DSIG, SAML_ASSERTION, SAML_PROTOCOL};
use crate::vocabulary::{DigestAlgorithm, EncryptionPolicy, SignatureAlgorithm, SignaturePolicy};
use crate::xml::{Document, Element};

pub use attributes::{AttributeValues, Attributes, AttributesIter, SamlAttribute};
pub use azure::{AzureClaims, AzureGroups, claims as azure_claims};
pub use replay::FreshAssertion;

/// Which element a valid signature must cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RequiredSignature {
    /// The Assertion must be covered: by its own signature or by the
    /// signature of the Response that directly contains it (the default;
    /// Azure AD signs only the Assertion unless told otherwise).
    #[default]
    Assertion,
    /// The Response itself must be signed (Azure's "sign SAML response").
    Response,
    /// Both must carry their own valid signature ("sign both").
    Both,
}

/// Which elements carried a valid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedParts {
    /// Only the Response (which covers the Assertion it contains).
    Response,
    /// Only the Assertion.
    Assertion,
    /// Both.
    Both,
}

impl SignedParts {
    /// `response`, `assertion` or `both`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Assertion => "assertion",
            Self::Both => "both",
        }
    }
}

/// Checks SAML Responses for one SP (one team) and one IdP.
///
/// Every check is on and fails closed; the options widen nothing but what
/// their names say. The mandatory parts are constructor arguments: there is
/// no verifier without our entity ID, our ACS URL, the IdP's entity ID and a
/// non-empty certificate set.
///
/// ```
/// use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};
/// use saml_sp::time::{Clock, FixedClock};
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// let cert = SigningCertificate::from_pem(
///     &std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// let verifier = ResponseVerifier::new(
///     EntityId::new("https://sso.example.com/saml/acme")?,
///     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     IdpCertSet::new([cert], now)?,
/// );
/// let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// let assertion = verifier.verify(&xml, &[request], now)?;
/// // The claims come with the one-time-use check.
/// let fresh = assertion.check_replay(&saml_sp::store::MemoryReplayCache::new(10), now)?;
/// assert_eq!(fresh.name_id(), "alice@acme.example");
/// assert_eq!(fresh.signed().as_str(), "assertion");
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ResponseVerifier {
    sp_entity_id: EntityId,
    acs_url: EndpointUrl,
    idp_entity_id: EntityId,
    certs: IdpCertSet,
    clock_skew: TimeDelta,
    allow_unsolicited: bool,
    signature_policy: SignaturePolicy,
    required_signature: RequiredSignature,
    limits: Limits,
    decryption_keys: Option<SpDecryptionKeys>,
    encryption_policy: EncryptionPolicy,
    require_encryption: bool,
}

/// Default allowed clock skew between us and the IdP: 180 seconds.
pub const DEFAULT_CLOCK_SKEW: TimeDelta = TimeDelta::seconds(180);
/// Largest clock skew [`ResponseVerifier::clock_skew`] accepts: 10 minutes.
pub const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::seconds(600);
/// How long after its `IssueInstant` an Assertion is accepted, whatever its
/// `NotOnOrAfter` says: one hour (plus the clock skew).
///
/// A browser posts the Response seconds after the IdP issued it; real IdPs
/// give 60 s to 1 h (Azure AD, AD FS and Auth0: 1 h in `Conditions`,
/// Okta, Google, PingFederate: 5 min), but some let an admin set months
/// (a Keycloak recording in `../shared`: 239 days). The one-time-use entry
/// of an assertion lives until its validity ends, so without this bound an
/// IdP, a team's own among them, could fill the shared replay cache with
/// entries that never expire. [`VerifiedAssertion::not_on_or_after`] is
/// already the earlier of the two; an assertion issued more than this in
/// the future is [`ErrorKind::AssertionNotYetValid`], so no replay entry
/// outlives two hours and the skew.
pub const MAX_ASSERTION_AGE: TimeDelta = TimeDelta::seconds(3600);

impl ResponseVerifier {
    /// A verifier for responses to `sp_entity_id` (the Audience) at
    /// `acs_url` (Destination and Recipient) from `idp_entity_id` (the
    /// Issuer), signed by a certificate of `certs`.
    pub fn new(
        sp_entity_id: EntityId,
        acs_url: EndpointUrl,
        idp_entity_id: EntityId,
        certs: IdpCertSet,
    ) -> Self {
        Self {
            sp_entity_id,
            acs_url,
            idp_entity_id,
            certs,
            clock_skew: DEFAULT_CLOCK_SKEW,
            allow_unsolicited: false,
            signature_policy: SignaturePolicy::default(),
            required_signature: RequiredSignature::default(),
            limits: Limits::default(),
            decryption_keys: None,
            encryption_policy: EncryptionPolicy::default(),
            require_encryption: false,
        }
    }

    /// The clock skew allowed on every time comparison (default 180 s).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] for a negative skew or one above
    /// [`MAX_CLOCK_SKEW`].
    pub fn clock_skew(mut self, skew: TimeDelta) -> Result<Self> {
        if skew < TimeDelta::zero() || skew > MAX_CLOCK_SKEW {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!("clock skew {}s outside 0..=600s", skew.num_seconds()),
            ));
        }
        self.clock_skew = skew;
        Ok(self)
    }

    /// Accept IdP-initiated (unsolicited) responses: a Response without
    /// `InResponseTo`. Off by default: unsolicited responses cannot be tied
    /// to a login the user started, which makes login CSRF and replay across
    /// sessions easier.
    pub fn allow_unsolicited(mut self, allow: bool) -> Self {
        self.allow_unsolicited = allow;
        self
    }

    /// Accept rsa-sha1 signatures and sha1 digests (off by default).
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.signature_policy = self.signature_policy.with_sha1_allowed(allow);
        self
    }

    /// Which element must be signed (default: the Assertion must be covered).
    pub fn required_signature(mut self, required: RequiredSignature) -> Self {
        self.required_signature = required;
        self
    }

    /// Resource limits for the input (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The SP's decryption keys: with them, an `EncryptedAssertion` (and
    /// `EncryptedID`, `EncryptedAttribute`) is decrypted, and then every
    /// check applies to the decrypted Assertion as to a plaintext one (it
    /// must be covered by a verified signature: its own, or the Response's
    /// over the `EncryptedAssertion`). Without them an `EncryptedAssertion`
    /// is refused ([`ErrorKind::EncryptedAssertionUnsupported`]).
    ///
    /// Decryption never adds trust: anyone can encrypt to the SP's public
    /// key. A signed Response is verified before anything is decrypted.
    pub fn decryption_keys(mut self, keys: SpDecryptionKeys) -> Self {
        self.decryption_keys = Some(keys);
        self
    }

    /// Accept data encrypted with `tripledes-cbc` (off by default:
    /// [`ErrorKind::TripledesNotAllowed`]). For IdPs that encrypt with
    /// nothing else (a stock pysaml2).
    pub fn allow_tripledes(mut self, allow: bool) -> Self {
        self.encryption_policy = self.encryption_policy.with_tripledes_allowed(allow);
        self
    }

    /// Refuse an Assertion that came in the clear
    /// ([`ErrorKind::AssertionNotEncrypted`]; an `EncryptedID` alone does not
    /// make it encrypted). Switches no other check off.
    pub fn require_encrypted_assertion(mut self, required: bool) -> Self {
        self.require_encryption = required;
        self
    }

    /// What decryption needs, when the verifier has keys.
    fn decryption(&self) -> Option<crate::xmlenc::Decryption<'_>> {
        self.decryption_keys
            .as_ref()
            .map(|keys| crate::xmlenc::Decryption {
                keys,
                policy: self.encryption_policy,
                recipient: self.sp_entity_id.as_str(),
                limits: &self.limits,
            })
    }

    /// The clock skew allowed on every time comparison.
    pub(crate) fn skew(&self) -> TimeDelta {
        self.clock_skew
    }

    /// Our entity ID (the expected Audience).
    pub fn sp_entity_id(&self) -> &EntityId {
        &self.sp_entity_id
    }

    /// The IdP's entity ID (the expected Issuer).
    pub fn idp_entity_id(&self) -> &EntityId {
        &self.idp_entity_id
    }

    /// Verifies a SAML Response.
    ///
    /// `input` is the `SAMLResponse` form value (base64; line breaks and
    /// spaces tolerated) or raw XML (starting with `<`).
    /// `expected_request_ids` are the IDs of the AuthnRequests this browser
    /// session sent and still waits for; `now` is the time to check against.
    ///
    /// # Errors
    /// The kind of the first check that fails; see [`ErrorKind`].
    pub fn verify(
        &self,
        input: &[u8],
        expected_request_ids: &[RequestId],
        now: DateTime<Utc>,
    ) -> Result<VerifiedAssertion> {
        let bytes = crate::binding::decode_post_value(input, &self.limits)?;
        let doc = Document::parse(&bytes, &self.limits)?;
        checks::verify_document(self, &doc, expected_request_ids, now)
    }
}

/// The NameID of the assertion's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameId {
    /// The full text content.
    pub value: String,
    /// `Format`, if given.
    pub format: Option<String>,
    /// `NameQualifier`, if given.
    pub name_qualifier: Option<String>,
    /// `SPNameQualifier`, if given.
    pub sp_name_qualifier: Option<String>,
}

/// An assertion that passed every check of [`ResponseVerifier::verify`], but
/// not yet the one-time-use check.
///
/// Only the verifier builds one, and it shows only what the one-time-use
/// check needs: who issued it, its ID, until when it must be remembered.
/// The claims (NameID, attributes, session) are on the [`FreshAssertion`]
/// that [`check_replay`](Self::check_replay) returns, so that no code can
/// read them from an assertion that may be a replay:
///
/// ```compile_fail
/// # fn f(assertion: saml_sp::VerifiedAssertion) {
/// let who = assertion.name_id(); // only a FreshAssertion has claims
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    issuer: EntityId,
    sp_entity_id: EntityId,
    assertion_id: String,
    response_id: String,
    in_response_to: Option<String>,
    issue_instant: DateTime<Utc>,
    name_id: NameId,
    session_index: Option<String>,
    session_not_on_or_after: Option<DateTime<Utc>>,
    authn_instant: DateTime<Utc>,
    authn_context_class_ref: Option<String>,
    attributes: Attributes,
    not_on_or_after: DateTime<Utc>,
    signed: SignedParts,
    certificate: CertFingerprint,
    clock_skew: TimeDelta,
    encrypted: bool,
}

impl VerifiedAssertion {
    /// The IdP entity ID (the Issuer).
    pub fn issuer(&self) -> &EntityId {
        &self.issuer
    }

    /// The Assertion's `ID`.
    pub fn assertion_id(&self) -> &str {
        &self.assertion_id
    }

    /// The earliest `NotOnOrAfter` of the Conditions and the bearer
    /// confirmation, and `IssueInstant` + [`MAX_ASSERTION_AGE`]: the
    /// assertion is not usable from then on (plus the clock skew).
    pub fn not_on_or_after(&self) -> DateTime<Utc> {
        self.not_on_or_after
    }

    /// Whether the Assertion came encrypted (an `EncryptedAssertion`).
    pub fn encrypted(&self) -> bool {
        self.encrypted
    }

    /// The request this answers (`InResponseTo`), `None` when unsolicited.
    pub(crate) fn in_response_to(&self) -> Option<&str> {
        self.in_response_to.as_deref()
    }

    /// The Assertion's `IssueInstant` (covered by its signature).
    pub(crate) fn issue_instant(&self) -> DateTime<Utc> {
        self.issue_instant
    }
}

impl FreshAssertion {
    /// The IdP entity ID (the Issuer).
    pub fn issuer(&self) -> &EntityId {
        &self.0.issuer
    }

    /// Our entity ID the assertion was issued to (its Audience).
    pub fn audience(&self) -> &EntityId {
        &self.0.sp_entity_id
    }

    /// The Assertion's `ID`.
    pub fn assertion_id(&self) -> &str {
        &self.0.assertion_id
    }

    /// The Response's `ID`.
    pub fn response_id(&self) -> &str {
        &self.0.response_id
    }

    /// The request this answers (`InResponseTo`), `None` when unsolicited
    /// (IdP-initiated).
    pub fn in_response_to(&self) -> Option<&str> {
        self.0.in_response_to.as_deref()
    }

    /// The subject's NameID value.
    pub fn name_id(&self) -> &str {
        &self.0.name_id.value
    }

    /// The subject's NameID with its format and qualifiers.
    pub fn name_id_details(&self) -> &NameId {
        &self.0.name_id
    }

    /// The NameID `Format`, if given.
    pub fn name_id_format(&self) -> Option<&str> {
        self.0.name_id.format.as_deref()
    }

    /// `SessionIndex` of the AuthnStatement, for single logout.
    pub fn session_index(&self) -> Option<&str> {
        self.0.session_index.as_deref()
    }

    /// `SessionNotOnOrAfter` of the AuthnStatement: the IdP asks that the
    /// app's session for this sign-in end no later than this. `None` when
    /// the IdP sets no bound (the app's own session length applies).
    pub fn session_not_on_or_after(&self) -> Option<DateTime<Utc>> {
        self.0.session_not_on_or_after
    }

    /// When the user authenticated at the IdP.
    pub fn authn_instant(&self) -> DateTime<Utc> {
        self.0.authn_instant
    }

    /// `AuthnContextClassRef`, e.g.
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`.
    pub fn authn_context_class_ref(&self) -> Option<&str> {
        self.0.authn_context_class_ref.as_deref()
    }

    /// Every attribute, in document order.
    pub fn attributes(&self) -> &Attributes {
        &self.0.attributes
    }

    /// The values of the attribute with this `Name` (all attributes of that
    /// name, concatenated), empty if absent.
    pub fn attribute_values(&self, name: &str) -> Vec<&str> {
        self.0
            .attributes
            .iter()
            .filter(|a| a.name() == name)
            .flat_map(|a| a.values())
            .collect()
    }

    /// The first value of the attribute with this `Name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.0
            .attributes
            .iter()
            .filter(|a| a.name() == name)
            .find_map(|a| a.values().next())
    }

    /// The earliest `NotOnOrAfter` of the Conditions and the bearer
    /// confirmation, and `IssueInstant` + [`MAX_ASSERTION_AGE`].
    pub fn not_on_or_after(&self) -> DateTime<Utc> {
        self.0.not_on_or_after
    }

    /// Which elements were signed.
    pub fn signed(&self) -> SignedParts {
        self.0.signed
    }

    /// Whether the Assertion came encrypted (an `EncryptedAssertion`
    /// decrypted with the SP's key). An encrypted `EncryptedID` or
    /// `EncryptedAttribute` in a cleartext Assertion does not count.
    pub fn encrypted(&self) -> bool {
        self.0.encrypted
    }

    /// The certificate that verified the signature (the Assertion's, or the
    /// Response's when only the Response was signed).
    pub fn certificate(&self) -> CertFingerprint {
        self.0.certificate
    }

    /// Azure AD / Entra ID claim helpers.
    pub fn azure(&self) -> AzureClaims<'_> {
        AzureClaims::new(self)
    }
}

/// An Assertion known to be covered by a verified signature: the only
/// element SAML data is read from. Built only here, from a
/// [`VerifiedElement`] of the Assertion or of the Response that directly
/// contains it.
#[derive(Clone, Copy)]
struct CoveredAssertion<'d> {
    element: Element<'d>,
}

impl<'d> CoveredAssertion<'d> {
    fn from_own(verified: &VerifiedElement<'d>) -> Self {
        Self {
            element: verified.element(),
        }
    }

    fn from_response(response: &VerifiedElement<'d>, assertion: Element<'d>) -> Option<Self> {
        (assertion.parent() == Some(response.element())).then_some(Self { element: assertion })
    }

    /// The Assertion decrypted from `encrypted`, an `EncryptedAssertion`
    /// that is a direct child of the verified Response: the Response's
    /// signature covers the ciphertext, hence what it decrypts to.
    fn from_encrypted(
        response: &VerifiedElement<'d>,
        encrypted: Element<'d>,
        decrypted: Element<'d>,
    ) -> Option<Self> {
        (encrypted.parent() == Some(response.element())).then_some(Self { element: decrypted })
    }
}

fn is_samlp(el: Element<'_>, local: &str) -> bool {
    el.is(SAML_PROTOCOL, local)
}

/// `el.is(SAML_ASSERTION, local)`, comparing the local name first: it
/// rules out most elements without looking up the namespace.
fn is_saml(el: Element<'_>, local: &str) -> bool {
    el.is(SAML_ASSERTION, local)
}

/// Signature of an element if it has one: `None` when unsigned, an error
/// when a signature is present and does not verify (never ignored).
fn verify_if_signed<'d>(
    verifier: &ResponseVerifier,
    element: Element<'d>,
    now: DateTime<Utc>,
) -> Result<Option<VerifiedElement<'d>>> {
    if !has_enveloped_signature(element) {
        return Ok(None);
    }
    verify_enveloped(element, &verifier.certs, now, &verifier.signature_policy)
        .map(Some)
        .map_err(|e| {
            if e.kind() == ErrorKind::UnsupportedAlgorithm && signature_uses_sha1(element) {
                let idp = hints::IdpProduct::of(verifier.idp_entity_id.as_str());
                let hint = hints::hint(e.kind(), idp, hints::Fact::Sha1);
                e.with_hint(hint)
            } else {
                e
            }
        })
}

/// Whether the enveloped signature of `element` names rsa-sha1 or a sha1
/// digest (read only to word the hint of a refusal).
fn signature_uses_sha1(element: Element<'_>) -> bool {
    let sha1 = [
        SignatureAlgorithm::RsaSha1.uri(),
        DigestAlgorithm::Sha1.uri(),
    ];
    element
        .child_elements()
        .filter(|c| c.is(DSIG, "Signature"))
        .flat_map(|signature| signature.descendants())
        .filter(|el| el.is(DSIG, "SignatureMethod") || el.is(DSIG, "DigestMethod"))
        .any(|el| {
            el.attribute(None, "Algorithm")
                .is_some_and(|uri| sha1.contains(&uri))
        })
}
