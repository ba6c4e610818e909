//! Single Logout (SAML 2.0 profiles 4.4) over HTTP-Redirect and HTTP-POST,
//! in both directions, built with the same care as Response verification.
//!
//! **SP-initiated** (the user signs out at the app):
//! [`LogoutRequestBuilder`] makes a LogoutRequest for the person
//! ([`LogoutSubject`]: NameID with its format and qualifiers, the
//! SessionIndex of the sign-in) to the IdP's SingleLogoutService, signed
//! when the IdP wants it, and returns its [`RequestId`](crate::RequestId) to
//! keep. The IdP's answer goes to [`LogoutVerifier::verify_response`]:
//! signature, Issuer, Destination = our SLO URL, `InResponseTo` = the kept
//! ID, and the status, with a partial logout reported as
//! [`LogoutStatus::PartialLogout`], never hidden.
//!
//! **IdP-initiated** (the user signed out at the IdP, or at another app):
//! [`LogoutVerifier::verify_request`] checks the IdP's LogoutRequest, and
//! [`VerifiedLogoutRequest::check_replay`] its one-time use; only the
//! [`FreshLogoutRequest`] it returns shows the NameID and SessionIndexes of
//! the sessions to end (see [`crate::store::SessionRegistry`]).
//! [`LogoutResponseBuilder`] then makes our answer, with `InResponseTo`,
//! Destination and the IdP's RelayState.
//!
//! # The rules, in the order they run
//!
//! The first failing check wins (`fixtures/logout/README.md` holds the
//! corpus these verdicts are tested on):
//!
//! 1. **Input.** POST: the form value (base64, or raw XML starting with
//!    `<`). Redirect: the query string *exactly as received*
//!    ([`RedirectMessage`]): each SAML parameter at most once, `SigAlg` and
//!    `Signature` only together, raw DEFLATE. Then the hardened parser.
//! 2. **Root.** `samlp:LogoutRequest` (or `samlp:LogoutResponse`),
//!    `Version="2.0"`, an `ID`, an `IssueInstant`:
//!    [`logout_request_malformed`](crate::ErrorKind::LogoutRequestMalformed)
//!    ([`logout_response_malformed`](crate::ErrorKind::LogoutResponseMalformed)).
//! 3. **Signature**, before anything of the message is read.
//!    - POST: only the root's own enveloped `Signature` (a direct child)
//!      counts, through the strict [`verify_enveloped`]: its Reference must
//!      be `#` + the root's `ID`. A signed LogoutRequest nested in an
//!      unsigned one, a captured signed Assertion or the IdP's signed
//!      metadata as a child: all refused.
//!    - Redirect: the query signature over the raw octets in the order of
//!      the bindings specification (Azure's lower-case escapes verify as
//!      received; nothing is ever re-encoded). A `ds:Signature` inside the
//!      deflated XML is not the binding's signature and never replaces it.
//!    - An unsigned message is refused unless the team allowed it for an
//!      IdP that cannot sign ([`LogoutVerifier::dangerous_allow_unsigned`]);
//!      a signature that is present must verify, allowed or not.
//! 4. **Shape** (LogoutRequest): exactly one `saml:NameID` or
//!    `saml:EncryptedID` in the whole document, a direct child of the root
//!    (`BaseID` is not supported); `SessionIndex`es only as direct
//!    children, in order. An `EncryptedID` in an unsigned message is
//!    `signature_missing` even with the unsigned opt-in, and without the
//!    SP's [decryption keys](LogoutVerifier::decryption_keys)
//!    [`encrypted_id_unsupported`](crate::ErrorKind::EncryptedIdUnsupported).
//! 5. **Issuer**: present, of the entity format, equal to the IdP's entity
//!    ID; for a LogoutResponse also exactly the configured
//!    [issuer alias](LogoutVerifier::response_issuer_alias) (Azure AD,
//!    see [`azure_logout_issuer_alias`]), never a looser comparison.
//! 6. **Destination**: present and equal to our SLO URL.
//! 7. LogoutRequest: **time**. `IssueInstant` not in the future,
//!    `NotOnOrAfter`, if present, not past, and the request issued at most
//!    [`LOGOUT_REQUEST_LIFETIME`] ago (all with the clock skew):
//!    `logout_request_expired`. So its one-time-use entry is kept at most
//!    `LOGOUT_REQUEST_LIFETIME` plus twice the skew. LogoutResponse:
//!    `InResponseTo` names a LogoutRequest we sent and kept, then the
//!    **Status**: top-level Success is [`LogoutStatus::Success`], with a
//!    second-level PartialLogout [`LogoutStatus::PartialLogout`], anything
//!    else `status_not_success`.
//! 8. LogoutRequest: **decryption** of an `EncryptedID`, last, with the
//!    decryption of an Assertion's `EncryptedID` (the same algorithm
//!    allow-list, [`EncryptionPolicy`](crate::vocabulary::EncryptionPolicy)
//!    with the team's `allow_tripledes`; `rsa-1_5` is
//!    `key_transport_refused`): the plaintext is parsed under the same
//!    limits into a document whose root must be exactly one `saml:NameID`,
//!    read as a cleartext one. Every failure from the key unwrap on is
//!    [`decryption_failed`](crate::ErrorKind::DecryptionFailed).
//!
//! Everything returned is read from the root of the very tree the
//! signature was checked on, after the checks: on HTTP-Redirect the whole
//! message is signed; on HTTP-POST the root is the signed element, and
//! nothing outside it (or inside its `Signature`) is read. A decrypted
//! NameID comes from the ciphertext of the `EncryptedID` child of that
//! root, which the signature covers.
//!
//! [`verify_enveloped`]: crate::dsig::verify_enveloped
//! [`RedirectMessage`]: crate::binding::RedirectMessage

mod build;
mod verify;

use chrono::TimeDelta;

pub use build::{LogoutRequestBuilder, LogoutResponseBuilder};
pub use verify::{
    FreshLogoutRequest, LogoutInput, LogoutVerifier, VerifiedLogoutRequest, VerifiedLogoutResponse,
};

use crate::error::Result;
use crate::ids::EntityId;
use crate::response::{FreshAssertion, NameId};

/// How long a LogoutRequest is good for: the `NotOnOrAfter` of ours
/// (`IssueInstant` + 10 minutes), and how long ago an IdP's may have been
/// issued (plus the clock skew), whatever its own `NotOnOrAfter` says. It
/// also bounds how long a LogoutRequest ID is remembered for its one-time
/// use.
pub const LOGOUT_REQUEST_LIFETIME: TimeDelta = TimeDelta::seconds(600);

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const STATUS_PARTIAL_LOGOUT: &str = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";

/// The outcome a LogoutResponse reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogoutStatus {
    /// Every session was ended (top-level `Success`).
    Success,
    /// The logout succeeded here but not at every session participant
    /// (`Success` with the second-level `PartialLogout`): tell the user
    /// that other apps may still be signed in.
    PartialLogout,
    /// The responder could not end the sessions (`Responder`): only for
    /// LogoutResponses we send (for example when the session registry is
    /// unreachable); a verified response never has it (it is refused with
    /// `status_not_success`).
    Failed,
}

impl LogoutStatus {
    /// `success`, `partial_logout` or `failed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::PartialLogout => "partial_logout",
            Self::Failed => "failed",
        }
    }
}

/// Who a LogoutRequest we send signs out: the NameID exactly as the IdP
/// asserted it (value, format and qualifiers) and the SessionIndex(es) of
/// the sign-in.
///
/// ```
/// use saml_sp::logout::LogoutSubject;
/// use saml_sp::response::NameId;
/// let subject = LogoutSubject::new(NameId {
///     value: "alice@acme.example".into(),
///     format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
///     name_qualifier: None,
///     sp_name_qualifier: None,
/// })
/// .with_session_index("_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d");
/// assert_eq!(subject.session_indexes().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutSubject {
    name_id: NameId,
    session_indexes: Vec<String>,
}

impl LogoutSubject {
    /// The person named by `name_id`, with no SessionIndex (the IdP then
    /// ends all of their sessions with us).
    pub fn new(name_id: NameId) -> Self {
        Self {
            name_id,
            session_indexes: Vec::new(),
        }
    }

    /// The person of a sign-in, with its SessionIndex if the IdP gave one.
    pub fn from_assertion(assertion: &FreshAssertion) -> Self {
        Self {
            name_id: assertion.name_id_details().clone(),
            session_indexes: assertion
                .session_index()
                .map(str::to_owned)
                .into_iter()
                .collect(),
        }
    }

    /// Adds a SessionIndex.
    pub fn with_session_index(mut self, index: impl Into<String>) -> Self {
        self.session_indexes.push(index.into());
        self
    }

    /// The NameID.
    pub fn name_id(&self) -> &NameId {
        &self.name_id
    }

    /// The SessionIndexes.
    pub fn session_indexes(&self) -> &[String] {
        &self.session_indexes
    }
}

/// The Issuer Azure AD (Entra ID) puts on its LogoutResponses for the
/// tenant whose entity ID is `idp_entity_id`, when that is the plain
/// tenant entity ID `https://sts.windows.net/<tenant GUID>/`.
///
/// Microsoft's SAML Single Logout documentation shows the LogoutResponse
/// `Issuer` as `https://login.microsoftonline.com/<tenant>/`, while its
/// sign-in Responses and its metadata use the entity ID
/// `https://sts.windows.net/<tenant>/`. The alias names exactly the same
/// tenant at Microsoft's other host, and is accepted only on
/// LogoutResponses, only as an exact string, and only under the tenant's
/// certificates. For entity IDs with the "append application ID to issuer"
/// option (`https://sts.windows.net/<tenant>/<app ID>`) and for other clouds
/// no alias is derived: set one explicitly if the IdP is seen sending one.
///
/// ```
/// use saml_sp::EntityId;
/// use saml_sp::logout::azure_logout_issuer_alias;
/// let tenant = EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?;
/// assert_eq!(
///     azure_logout_issuer_alias(&tenant).unwrap().as_str(),
///     "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
/// );
/// let other = EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/app")?;
/// assert!(azure_logout_issuer_alias(&other).is_none());
/// assert!(azure_logout_issuer_alias(&EntityId::new("https://idp.example.com/")?).is_none());
/// # Ok::<(), saml_sp::Error>(())
/// ```
pub fn azure_logout_issuer_alias(idp_entity_id: &EntityId) -> Option<EntityId> {
    let tenant = idp_entity_id
        .as_str()
        .strip_prefix("https://sts.windows.net/")?
        .strip_suffix('/')?;
    if !is_guid(tenant) {
        return None;
    }
    EntityId::new(format!("https://login.microsoftonline.com/{tenant}/")).ok()
}

/// `8-4-4-4-12` hex digits (either case).
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The same rule as everywhere: a value we put into a message must be XML
/// text of at most `max` bytes, not only whitespace.
fn check_value(what: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() || value.len() > max {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::ConfigInvalid,
            format!("{what} must be 1 to {max} bytes, not only whitespace"),
        ));
    }
    crate::xml::check_xml_text(what, value)
}
