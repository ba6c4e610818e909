//! What we receive: the IdP's LogoutRequests and LogoutResponses, checked
//! in the order of the module docs.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::{LOGOUT_REQUEST_LIFETIME, LogoutStatus, STATUS_PARTIAL_LOGOUT, STATUS_SUCCESS};
use crate::binding::{RedirectMessage, decode_post_value, redirect::check_relay_state};
use crate::certs::{CertFingerprint, IdpCertSet, SpDecryptionKeys};
use crate::dsig::{
    element_text, has_enveloped_signature, verify_enveloped, verify_redirect_signature,
};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId, RequestId};
use crate::limits::Limits;
use crate::ns::{SAML_ASSERTION, SAML_PROTOCOL};
use crate::response::{DEFAULT_CLOCK_SKEW, MAX_CLOCK_SKEW, NameId};
use crate::store::{ReplayCache, ReplayKey, SessionKey, ready};
use crate::vocabulary::{EncryptionPolicy, MessageKind, SignatureAlgorithm, SignaturePolicy};
use crate::xml::{Document, Element, trim_xml_whitespace as trim};

const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

/// A logout message as it reached our SLO endpoint.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum LogoutInput<'a> {
    /// HTTP-Redirect: the raw query string exactly as received (after `?`,
    /// without a fragment; never re-encoded from parsed parameters, or
    /// its signature cannot verify).
    Redirect(&'a str),
    /// HTTP-POST: the `SAMLRequest` or `SAMLResponse` form value (base64,
    /// or raw XML starting with `<`) and the `RelayState` field.
    Post {
        /// The form value.
        value: &'a [u8],
        /// The `RelayState` form field, if any.
        relay_state: Option<&'a str>,
    },
}

impl LogoutInput<'_> {
    /// Whether the message is a LogoutResponse (`SAMLResponse`) rather than
    /// a LogoutRequest: on HTTP-Redirect, whether the query has a
    /// `SAMLResponse` parameter (a query with both is refused when
    /// verified); `None` on HTTP-POST, where the form field's name tells.
    pub fn is_response(&self) -> Option<bool> {
        match self {
            LogoutInput::Redirect(query) => Some(
                query
                    .split('&')
                    .any(|c| c.split('=').next() == Some("SAMLResponse")),
            ),
            LogoutInput::Post { .. } => None,
        }
    }
}

/// How a logout message was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signed {
    /// The HTTP-Redirect query signature.
    Query(SignatureAlgorithm),
    /// The root's enveloped XML signature, by this certificate.
    Xml(SignatureAlgorithm, CertFingerprint),
    /// Not signed: accepted only with `dangerous_allow_unsigned`.
    Unsigned,
}

/// A message after steps 1 to 3: its root (checked), `ID` and
/// `IssueInstant`, how it was signed, and the RelayState that came with it.
struct Opened<'d> {
    root: Element<'d>,
    id: &'d str,
    issue_instant: DateTime<Utc>,
    signed: Signed,
    relay_state: Option<String>,
}

/// Checks the IdP's logout messages for one SP (one team) and one IdP.
///
/// Every check is on and fails closed; the options widen nothing but what
/// their names say.
///
/// ```
/// use saml_sp::{EndpointUrl, EntityId, ErrorKind, IdpCertSet, RequestId, SigningCertificate};
/// use saml_sp::logout::{LogoutInput, LogoutStatus, LogoutVerifier};
/// let now = "2026-03-02T10:01:00Z".parse().unwrap();
/// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// let verifier = LogoutVerifier::new(
///     EntityId::new("https://sso.example.com/saml/acme")?,
///     EndpointUrl::new("https://sso.example.com/saml/acme/slo")?,
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     IdpCertSet::new([cert], now)?,
/// );
/// // The answer to the LogoutRequest we sent and kept the ID of.
/// let sent = RequestId::new("id7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a")?;
/// let xml = std::fs::read("fixtures/logout/lresp-post-success.xml").unwrap();
/// let input = LogoutInput::Post { value: &xml, relay_state: None };
/// let response = verifier.verify_response(input, &[sent], now)?;
/// assert_eq!(response.status(), LogoutStatus::Success);
///
/// // A signed LogoutRequest nested in an unsigned one is not signed.
/// let xml = std::fs::read("fixtures/logout/xsw-lr-unsigned-wrapper.xml").unwrap();
/// let input = LogoutInput::Post { value: &xml, relay_state: None };
/// let err = verifier.verify_request(input, now).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::SignatureMissing);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LogoutVerifier {
    sp_entity_id: EntityId,
    slo_url: EndpointUrl,
    idp_entity_id: EntityId,
    response_issuer_alias: Option<EntityId>,
    certs: IdpCertSet,
    clock_skew: TimeDelta,
    signature_policy: SignaturePolicy,
    allow_unsigned: bool,
    limits: Limits,
    decryption_keys: Option<SpDecryptionKeys>,
    encryption_policy: EncryptionPolicy,
}

impl LogoutVerifier {
    /// A verifier for logout messages to `sp_entity_id` at our SLO URL
    /// `slo_url` (the Destination) from `idp_entity_id` (the Issuer),
    /// signed by a certificate of `certs`.
    pub fn new(
        sp_entity_id: EntityId,
        slo_url: EndpointUrl,
        idp_entity_id: EntityId,
        certs: IdpCertSet,
    ) -> Self {
        Self {
            sp_entity_id,
            slo_url,
            idp_entity_id,
            response_issuer_alias: None,
            certs,
            clock_skew: DEFAULT_CLOCK_SKEW,
            signature_policy: SignaturePolicy::default(),
            allow_unsigned: false,
            limits: Limits::default(),
            decryption_keys: None,
            encryption_policy: EncryptionPolicy::default(),
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

    /// Accept rsa-sha1 signatures and sha1 digests (off by default).
    pub fn allow_sha1(mut self, allow: bool) -> Self {
        self.signature_policy = self.signature_policy.with_sha1_allowed(allow);
        self
    }

    /// A second Issuer accepted, exactly, on **LogoutResponses only**:
    /// Azure AD answers with `https://login.microsoftonline.com/<tenant>/`
    /// instead of its entity ID (see
    /// [`azure_logout_issuer_alias`](super::azure_logout_issuer_alias)).
    /// LogoutRequests must always carry the entity ID.
    pub fn response_issuer_alias(mut self, alias: Option<EntityId>) -> Self {
        self.response_issuer_alias = alias;
        self
    }

    /// **Dangerous.** Accept logout messages that carry no signature at all,
    /// for an IdP that cannot sign them. Anyone can then make a browser
    /// deliver a LogoutRequest that signs a person out (a nuisance, not a
    /// sign-in), or a forged LogoutResponse that reports success. A
    /// signature that is present must still verify. Off by default.
    pub fn dangerous_allow_unsigned(mut self, allow: bool) -> Self {
        self.allow_unsigned = allow;
        self
    }

    /// Resource limits for the input (default [`Limits::default`]); the
    /// decrypted content of an `EncryptedID` is parsed under the same ones.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The SP's decryption keys (the current one and, during a rollover,
    /// the next): with them, a LogoutRequest whose subject is an
    /// `EncryptedID` (as AD FS and Shibboleth send it to an SP that
    /// publishes an encryption certificate) is decrypted, after every other
    /// check has passed, signature first. Without them it is refused
    /// ([`ErrorKind::EncryptedIdUnsupported`]).
    ///
    /// Decryption adds no trust: anyone can encrypt to the SP's
    /// certificate. An `EncryptedID` is therefore decrypted only in a
    /// message whose signature verified, even with
    /// [`dangerous_allow_unsigned`](Self::dangerous_allow_unsigned) (an
    /// unsigned one is `signature_missing`), and every failure from the key
    /// unwrap to the decrypted NameID is [`ErrorKind::DecryptionFailed`].
    ///
    /// ```
    /// use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
    /// use saml_sp::logout::{LogoutInput, LogoutVerifier};
    /// use saml_sp::{EndpointUrl, EntityId, ErrorKind, IdpCertSet, SigningCertificate};
    /// let now = "2026-03-02T10:01:00Z".parse().unwrap();
    /// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// let verifier = LogoutVerifier::new(
    ///     EntityId::new("https://sso.example.com/saml/acme")?,
    ///     EndpointUrl::new("https://sso.example.com/saml/acme/slo")?,
    ///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
    ///     IdpCertSet::new([cert], now)?,
    /// );
    /// // AD FS style: the NameID comes as an EncryptedID.
    /// let xml = std::fs::read("fixtures/logout/lr-post-encrypted-id.xml").unwrap();
    /// let input = LogoutInput::Post { value: &xml, relay_state: None };
    /// let err = verifier.verify_request(input, now).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::EncryptedIdUnsupported);
    ///
    /// let key = std::fs::read_to_string("fixtures/keys/sp-enc.key.pem").unwrap();
    /// let verifier = verifier.decryption_keys(SpDecryptionKeys::new(SpDecryptionKey::from_pem(&key)?));
    /// let request = verifier
    ///     .verify_request(input, now)?
    ///     .check_replay(&saml_sp::store::MemoryReplayCache::new(10), now)?;
    /// assert!(request.name_id_encrypted());
    /// assert_eq!(request.name_id().value, "kV3q1nZ8y0bW2c4xR6t8uA0sD2fG4hJ6kL8zX0cV2bN");
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    pub fn decryption_keys(mut self, keys: SpDecryptionKeys) -> Self {
        self.decryption_keys = Some(keys);
        self
    }

    /// Accept an `EncryptedID` whose data is encrypted with `tripledes-cbc`
    /// (off by default: [`ErrorKind::TripledesNotAllowed`]): the team's
    /// setting, the same as for encrypted assertions
    /// ([`ResponseVerifier::allow_tripledes`](crate::response::ResponseVerifier::allow_tripledes)).
    pub fn allow_tripledes(mut self, allow: bool) -> Self {
        self.encryption_policy = self.encryption_policy.with_tripledes_allowed(allow);
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

    /// Steps 1 and 3 for both message kinds: the document, its root, and
    /// how it was signed (the root checks of step 2 run in between, by
    /// `root_check`).
    fn open<T>(
        &self,
        input: LogoutInput<'_>,
        kind: MessageKind,
        now: DateTime<Utc>,
        read: impl FnOnce(Opened<'_>) -> Result<T>,
    ) -> Result<T> {
        let (local, malformed) = match kind {
            MessageKind::Request => ("LogoutRequest", ErrorKind::LogoutRequestMalformed),
            _ => ("LogoutResponse", ErrorKind::LogoutResponseMalformed),
        };
        let root_check = |root| root_checks(root, local, |d| Error::new(malformed, d));
        match input {
            LogoutInput::Redirect(query) => {
                let message = RedirectMessage::from_query(query, &self.limits)?;
                if message.kind() != kind {
                    return Err(Error::new(
                        ErrorKind::QueryMalformed,
                        format!("expected {}, the query carries the other", kind.parameter()),
                    ));
                }
                let doc = Document::parse(message.xml(), &self.limits)?;
                let root = doc.root();
                let (id, issue_instant) = root_check(root)?;
                // The binding's signature only: a ds:Signature in the XML
                // is not one (bindings 3.4.4.1 has it removed).
                let signed = if message.is_signed() || !self.allow_unsigned {
                    Signed::Query(verify_redirect_signature(
                        &message,
                        &self.certs,
                        now,
                        &self.signature_policy,
                    )?)
                } else {
                    Signed::Unsigned
                };
                read(Opened {
                    root,
                    id,
                    issue_instant,
                    signed,
                    relay_state: message.relay_state().map(str::to_owned),
                })
            }
            LogoutInput::Post { value, relay_state } => {
                if let Some(rs) = relay_state {
                    check_relay_state(rs)?;
                }
                let bytes = decode_post_value(value, &self.limits)?;
                let doc = Document::parse(&bytes, &self.limits)?;
                let root = doc.root();
                let (id, issue_instant) = root_check(root)?;
                // Only the root's own enveloped Signature counts.
                let signed = if has_enveloped_signature(root) {
                    let verified =
                        verify_enveloped(root, &self.certs, now, &self.signature_policy)?;
                    Signed::Xml(verified.signature_algorithm(), verified.certificate())
                } else if self.allow_unsigned {
                    Signed::Unsigned
                } else {
                    return Err(Error::new(
                        ErrorKind::SignatureMissing,
                        format!("the {} has no Signature of its own", root.local_name()),
                    ));
                };
                read(Opened {
                    root,
                    id,
                    issue_instant,
                    signed,
                    relay_state: relay_state.map(str::to_owned),
                })
            }
        }
    }

    /// Verifies an IdP's LogoutRequest (IdP-initiated single logout). The
    /// result still has to pass the one-time-use check
    /// ([`VerifiedLogoutRequest::check_replay`]) before its NameID and
    /// SessionIndexes can be read.
    ///
    /// # Errors
    /// The kind of the first check that fails (see the module docs):
    /// input kinds (`query_malformed`, `input_not_base64`,
    /// `input_not_deflate`, `xml_*`, ...), `logout_request_malformed`, the
    /// signature kinds (`signature_missing`, `reference_uri_mismatch`,
    /// `unsupported_algorithm`, `signature_invalid`, `digest_mismatch`,
    /// ...), `issuer_mismatch`, `destination_mismatch`,
    /// `logout_request_expired`.
    pub fn verify_request(
        &self,
        input: LogoutInput<'_>,
        now: DateTime<Utc>,
    ) -> Result<VerifiedLogoutRequest> {
        self.open(input, MessageKind::Request, now, |opened| {
            self.read_request(opened, now)
        })
    }

    fn read_request(
        &self,
        opened: Opened<'_>,
        now: DateTime<Utc>,
    ) -> Result<VerifiedLogoutRequest> {
        let malformed = |d: String| Error::new(ErrorKind::LogoutRequestMalformed, d);
        let Opened {
            root,
            id,
            issue_instant,
            signed,
            relay_state,
        } = opened;

        // 4. Shape: one NameID or EncryptedID in the whole document, a
        // child of the root. An EncryptedID is decrypted only in a signed
        // message, and only at the end (8).
        let subject = match find_subject(root)? {
            Subject::Plain(name_id) => Subject::Plain(read_name_id(name_id)?),
            Subject::Encrypted(encrypted) => {
                if signed == Signed::Unsigned {
                    return Err(Error::new(
                        ErrorKind::SignatureMissing,
                        "the LogoutRequest's subject is an EncryptedID and the message is not \
                         signed: an EncryptedID is decrypted only under a verified signature \
                         (dangerous_allow_unsigned does not extend to it)",
                    ));
                }
                let decryption = self.decryption().ok_or_else(|| {
                    Error::new(
                        ErrorKind::EncryptedIdUnsupported,
                        "the LogoutRequest's subject is an EncryptedID and no decryption key \
                         is configured",
                    )
                })?;
                Subject::Encrypted((encrypted, decryption))
            }
        };
        let mut session_indexes = Vec::new();
        for el in root
            .child_elements()
            .filter(|c| c.is(SAML_PROTOCOL, "SessionIndex"))
        {
            // Exactly as written (an xs:string): what the IdP asserted at
            // sign-in is compared with it byte for byte.
            let text = element_text(el);
            if trim(&text).is_empty() {
                return Err(malformed("an empty SessionIndex".into()));
            }
            session_indexes.push(text.into_owned());
        }

        // 5, 6. Issuer and Destination.
        self.check_issuer(root, None, malformed)?;
        self.check_destination(root)?;

        // 7. Time: not issued in the future, NotOnOrAfter if present, and
        // the age bound. Issued in the future, its one-time-use entry would
        // be kept until IssueInstant + LOGOUT_REQUEST_LIFETIME: for ever,
        // from the year 9999, in the replay cache the sign-ins share.
        let expired = |d: String| Error::new(ErrorKind::LogoutRequestExpired, d);
        if issue_instant > now + self.clock_skew {
            return Err(expired(format!(
                "issued at {}, after {now} (skew {}s)",
                issue_instant.to_rfc3339(),
                self.clock_skew.num_seconds()
            )));
        }
        let not_on_or_after = optional_time(root, "NotOnOrAfter", malformed)?;
        let mut deadline = issue_instant + LOGOUT_REQUEST_LIFETIME;
        if let Some(limit) = not_on_or_after {
            if now >= limit + self.clock_skew {
                return Err(expired(format!(
                    "NotOnOrAfter {} is past at {now} (skew {}s)",
                    limit.to_rfc3339(),
                    self.clock_skew.num_seconds()
                )));
            }
            deadline = deadline.min(limit);
        }
        if now >= deadline + self.clock_skew {
            return Err(expired(format!(
                "issued at {}, more than {}s (plus {}s skew) before {now}",
                issue_instant.to_rfc3339(),
                LOGOUT_REQUEST_LIFETIME.num_seconds(),
                self.clock_skew.num_seconds()
            )));
        }

        // 8. Decryption, last: every check above held, the signature first,
        // so no private-key operation is spent on a message that fails them.
        let (name_id, name_id_encrypted) = match subject {
            Subject::Plain(name_id) => (name_id, false),
            Subject::Encrypted((encrypted, decryption)) => {
                (decrypt_name_id(encrypted, &decryption)?, true)
            }
        };
        Ok(VerifiedLogoutRequest(FreshLogoutRequest {
            sp_entity_id: self.sp_entity_id.clone(),
            issuer: self.idp_entity_id.clone(),
            request_id: id.to_owned(),
            name_id,
            name_id_encrypted,
            session_indexes,
            relay_state,
            replay_expiry: deadline + self.clock_skew,
            signed,
        }))
    }

    /// Verifies the IdP's LogoutResponse to a LogoutRequest we sent:
    /// `expected` are the IDs of the LogoutRequests this browser sent and
    /// we kept (taken from the request tracker, one-time).
    ///
    /// # Errors
    /// The kind of the first check that fails: input kinds,
    /// `logout_response_malformed`, the signature kinds,
    /// `issuer_mismatch`, `destination_mismatch`,
    /// `in_response_to_mismatch`, `status_not_success`.
    pub fn verify_response(
        &self,
        input: LogoutInput<'_>,
        expected: &[RequestId],
        now: DateTime<Utc>,
    ) -> Result<VerifiedLogoutResponse> {
        self.open(input, MessageKind::Response, now, |opened| {
            self.read_response(opened, expected)
        })
    }

    fn read_response(
        &self,
        opened: Opened<'_>,
        expected: &[RequestId],
    ) -> Result<VerifiedLogoutResponse> {
        let malformed = |d: String| Error::new(ErrorKind::LogoutResponseMalformed, d);
        let Opened {
            root,
            id,
            signed,
            relay_state,
            ..
        } = opened;
        self.check_issuer(root, self.response_issuer_alias.as_ref(), malformed)?;
        self.check_destination(root)?;
        let in_response_to = match root.attribute(None, "InResponseTo") {
            Some(irt) => expected.iter().find(|r| r.as_str() == irt).ok_or_else(|| {
                Error::new(
                    ErrorKind::InResponseToMismatch,
                    format!("InResponseTo {irt:?} names no LogoutRequest we are waiting for"),
                )
            })?,
            None => {
                return Err(Error::new(
                    ErrorKind::InResponseToMismatch,
                    "the LogoutResponse has no InResponseTo",
                ));
            }
        };
        let status = read_status(root, malformed)?;
        Ok(VerifiedLogoutResponse {
            response_id: id.to_owned(),
            in_response_to: in_response_to.clone(),
            status,
            relay_state,
            signed,
        })
    }

    /// Exactly one `Issuer` child, entity format, naming the IdP (or the
    /// alias, when one is given).
    fn check_issuer(
        &self,
        root: Element<'_>,
        alias: Option<&EntityId>,
        malformed: impl Fn(String) -> Error,
    ) -> Result<()> {
        let mut issuers = root
            .child_elements()
            .filter(|c| c.is(SAML_ASSERTION, "Issuer"));
        let issuer = issuers.next();
        if issuers.next().is_some() {
            return Err(malformed(format!(
                "<{}> has several Issuer",
                root.local_name()
            )));
        }
        let mismatch = |d: String| Error::new(ErrorKind::IssuerMismatch, d);
        let Some(issuer) = issuer else {
            return Err(mismatch(format!("<{}> has no Issuer", root.local_name())));
        };
        if let Some(format) = issuer.attribute(None, "Format") {
            if trim(format) != ENTITY_FORMAT {
                return Err(mismatch(format!(
                    "Issuer Format {format:?} is not the entity format"
                )));
            }
        }
        let text: Cow<'_, str> = element_text(issuer);
        let text = trim(&text);
        if text == self.idp_entity_id.as_str() || alias.is_some_and(|a| a.as_str() == text) {
            return Ok(());
        }
        Err(mismatch(format!(
            "Issuer {text:?}, expected {:?}{}",
            self.idp_entity_id.as_str(),
            alias.map_or(String::new(), |a| format!(" or {:?}", a.as_str()))
        )))
    }

    fn check_destination(&self, root: Element<'_>) -> Result<()> {
        match root.attribute(None, "Destination") {
            Some(dest) if trim(dest) == self.slo_url.as_str() => Ok(()),
            other => Err(Error::new(
                ErrorKind::DestinationMismatch,
                format!(
                    "Destination {other:?}, expected {:?}",
                    self.slo_url.as_str()
                ),
            )),
        }
    }
}

/// The subject of a LogoutRequest: a NameID, or an EncryptedID (with what
/// decrypting it needs, once known).
enum Subject<N, E> {
    Plain(N),
    Encrypted(E),
}

/// Step 4: exactly one `saml:NameID` or `saml:EncryptedID` in the whole
/// document (counted everywhere, as Assertions are in a Response; inside
/// an EncryptedID too), a direct child of the root; no `BaseID` anywhere.
fn find_subject<'d>(root: Element<'d>) -> Result<Subject<Element<'d>, Element<'d>>> {
    let malformed = |d: String| Error::new(ErrorKind::LogoutRequestMalformed, d);
    let mut subjects = 0usize;
    let mut subject = None;
    for el in root.descendants() {
        if el.is(SAML_ASSERTION, "NameID") || el.is(SAML_ASSERTION, "EncryptedID") {
            subjects += 1;
            subject = Some(el);
        } else if el.is(SAML_ASSERTION, "BaseID") {
            return Err(malformed(
                "a BaseID (only a NameID or an EncryptedID is supported)".into(),
            ));
        }
    }
    match (subjects, subject) {
        (1, Some(el)) if el.parent() == Some(root) => Ok(if el.local_name() == "NameID" {
            Subject::Plain(el)
        } else {
            Subject::Encrypted(el)
        }),
        (1, Some(el)) => Err(malformed(format!(
            "the {} is not a child of the LogoutRequest",
            el.local_name()
        ))),
        (0, _) => Err(malformed("no NameID or EncryptedID".into())),
        (n, _) => Err(malformed(format!("{n} NameID and EncryptedID elements"))),
    }
}

/// A NameID's value (its whole text, not blank) and attributes.
fn read_name_id(name_id: Element<'_>) -> Result<NameId> {
    NameId::read(name_id, ErrorKind::LogoutRequestMalformed)
}

/// Step 8: the EncryptedID decrypted (the same decryption as an Assertion's
/// `EncryptedID`), its plaintext parsed under the verifier's limits into a
/// document whose root is exactly one `saml:NameID`, read as a cleartext
/// one. Every failure from the key unwrap on is `decryption_failed` (a
/// blank decrypted NameID too); what the cleartext structure says
/// (algorithms, placement) keeps its kind.
fn decrypt_name_id(
    encrypted: Element<'_>,
    decryption: &crate::xmlenc::Decryption<'_>,
) -> Result<NameId> {
    NameId::decrypt(encrypted, decryption, ErrorKind::DecryptionFailed)
}

/// Step 2: the root is `samlp:<local>`, Version 2.0, with an ID and an
/// IssueInstant.
fn root_checks<'d>(
    root: Element<'d>,
    local: &str,
    malformed: impl Fn(String) -> Error,
) -> Result<(&'d str, DateTime<Utc>)> {
    if !root.is(SAML_PROTOCOL, local) {
        return Err(malformed(format!(
            "the document is <{}>, not a SAML 2.0 {local}",
            root.local_name()
        )));
    }
    if root.attribute(None, "Version") != Some("2.0") {
        return Err(malformed(format!(
            "Version {:?}, not \"2.0\"",
            root.attribute(None, "Version")
        )));
    }
    let id = root
        .attribute(None, "ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| malformed(format!("the {local} has no ID")))?;
    let issue_instant = optional_time(root, "IssueInstant", &malformed)?
        .ok_or_else(|| malformed(format!("the {local} has no IssueInstant")))?;
    Ok((id, issue_instant))
}

fn optional_time(
    el: Element<'_>,
    attr: &str,
    malformed: impl Fn(String) -> Error,
) -> Result<Option<DateTime<Utc>>> {
    let Some(value) = el.attribute(None, attr) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(trim(value))
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| {
            malformed(format!(
                "{attr} {value:?} is not a dateTime with a time zone: {e}"
            ))
        })
}

/// Step 7 of a LogoutResponse: the status.
fn read_status(root: Element<'_>, malformed: impl Fn(String) -> Error) -> Result<LogoutStatus> {
    let status = root
        .child_elements()
        .find(|c| c.is(SAML_PROTOCOL, "Status"))
        .ok_or_else(|| malformed("the LogoutResponse has no Status".into()))?;
    let code = status
        .child_elements()
        .find(|c| c.is(SAML_PROTOCOL, "StatusCode"))
        .ok_or_else(|| malformed("Status has no StatusCode".into()))?;
    let value = trim(code.attribute(None, "Value").unwrap_or_default());
    let second: Vec<&str> = code
        .child_elements()
        .filter(|c| c.is(SAML_PROTOCOL, "StatusCode"))
        .map(|c| trim(c.attribute(None, "Value").unwrap_or_default()))
        .collect();
    if value == STATUS_SUCCESS {
        return Ok(if second.contains(&STATUS_PARTIAL_LOGOUT) {
            LogoutStatus::PartialLogout
        } else {
            LogoutStatus::Success
        });
    }
    let message = status
        .child_elements()
        .find(|c| c.is(SAML_PROTOCOL, "StatusMessage"))
        .map(|m| element_text(m).into_owned())
        .unwrap_or_default();
    let mut codes = vec![value];
    codes.extend(second);
    Err(Error::new(
        ErrorKind::StatusNotSuccess,
        format!("status {}; message {message:?}", codes.join(" / ")),
    ))
}

/// A LogoutRequest that passed every check of
/// [`LogoutVerifier::verify_request`], but not yet the one-time-use check:
/// it shows only what that check needs. The NameID and SessionIndexes are
/// on the [`FreshLogoutRequest`] that
/// [`check_replay`](Self::check_replay) returns.
#[derive(Debug, Clone)]
pub struct VerifiedLogoutRequest(FreshLogoutRequest);

impl VerifiedLogoutRequest {
    /// The LogoutRequest's `ID`.
    pub fn request_id(&self) -> &str {
        &self.0.request_id
    }

    /// The key the request is remembered under.
    pub fn replay_key(&self) -> ReplayKey {
        ReplayKey::for_logout_request(
            self.0.sp_entity_id.as_str(),
            self.0.issuer.as_str(),
            &self.0.request_id,
        )
    }

    /// Until when the key must be remembered: the request's deadline
    /// (`NotOnOrAfter`, and at most [`LOGOUT_REQUEST_LIFETIME`] after its
    /// `IssueInstant`) plus the clock skew; after that it is refused as
    /// expired anyway.
    pub fn replay_expiry(&self) -> DateTime<Utc> {
        self.0.replay_expiry
    }

    fn fresh_or_replayed(self, first_use: bool, now: DateTime<Utc>) -> Result<FreshLogoutRequest> {
        if now >= self.0.replay_expiry {
            return Err(Error::new(
                ErrorKind::LogoutRequestExpired,
                format!(
                    "the LogoutRequest expired at {}",
                    self.0.replay_expiry.to_rfc3339()
                ),
            ));
        }
        if first_use {
            Ok(self.0)
        } else {
            Err(Error::new(
                ErrorKind::LogoutRequestReplayed,
                format!("LogoutRequest {:?} was already used", self.0.request_id),
            ))
        }
    }

    /// The one-time-use check: records the request's ID in `cache` until
    /// its deadline and returns it as a [`FreshLogoutRequest`], or refuses
    /// a second use. For in-memory caches; with an asynchronous one use
    /// [`check_replay_async`](Self::check_replay_async).
    ///
    /// # Errors
    /// [`ErrorKind::LogoutRequestReplayed`] on a second use;
    /// [`ErrorKind::LogoutRequestExpired`] if it expired since
    /// verification; the cache's error if it cannot record (fail closed).
    pub fn check_replay(
        self,
        cache: &dyn ReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshLogoutRequest> {
        if now >= self.0.replay_expiry {
            return self.fresh_or_replayed(false, now);
        }
        let first = ready(cache.insert_if_absent(&self.replay_key(), self.0.replay_expiry, now))?;
        self.fresh_or_replayed(first, now)
    }

    /// [`check_replay`](Self::check_replay) with an asynchronous cache.
    ///
    /// # Errors
    /// As [`check_replay`](Self::check_replay).
    pub async fn check_replay_async(
        self,
        cache: &dyn ReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshLogoutRequest> {
        if now >= self.0.replay_expiry {
            return self.fresh_or_replayed(false, now);
        }
        let key = self.replay_key();
        let first = cache
            .insert_if_absent(&key, self.0.replay_expiry, now)
            .await?;
        self.fresh_or_replayed(first, now)
    }
}

/// A LogoutRequest from the IdP that passed every check and the
/// one-time-use check: whose sessions to end, and what to answer.
#[derive(Debug, Clone)]
pub struct FreshLogoutRequest {
    sp_entity_id: EntityId,
    issuer: EntityId,
    request_id: String,
    name_id: NameId,
    name_id_encrypted: bool,
    session_indexes: Vec<String>,
    relay_state: Option<String>,
    replay_expiry: DateTime<Utc>,
    signed: Signed,
}

impl FreshLogoutRequest {
    /// The LogoutRequest's `ID` (our LogoutResponse's `InResponseTo`).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The IdP's entity ID (the Issuer).
    pub fn issuer(&self) -> &EntityId {
        &self.issuer
    }

    /// The person to sign out: NameID with its format and qualifiers
    /// (decrypted, when it came as an `EncryptedID`).
    pub fn name_id(&self) -> &NameId {
        &self.name_id
    }

    /// Whether the NameID came encrypted (an `EncryptedID` decrypted with
    /// the SP's key, see [`LogoutVerifier::decryption_keys`]).
    pub fn name_id_encrypted(&self) -> bool {
        self.name_id_encrypted
    }

    /// The SessionIndexes, in document order; empty means every session
    /// of the person.
    pub fn session_indexes(&self) -> &[String] {
        &self.session_indexes
    }

    /// The RelayState that came with the request (decoded), to send back
    /// unchanged with the LogoutResponse.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// Whether the message carried a signature (false only with
    /// [`LogoutVerifier::dangerous_allow_unsigned`]).
    pub fn is_signed(&self) -> bool {
        self.signed != Signed::Unsigned
    }

    /// The certificate of the enveloped XML signature (HTTP-POST); `None`
    /// for a query signature or an unsigned message.
    pub fn certificate(&self) -> Option<CertFingerprint> {
        match self.signed {
            Signed::Xml(_, cert) => Some(cert),
            Signed::Query(_) | Signed::Unsigned => None,
        }
    }

    /// The signature algorithm, if signed.
    pub fn signature_algorithm(&self) -> Option<SignatureAlgorithm> {
        match self.signed {
            Signed::Xml(alg, _) | Signed::Query(alg) => Some(alg),
            Signed::Unsigned => None,
        }
    }

    /// The key of this person's sessions in a
    /// [`SessionRegistry`](crate::store::SessionRegistry) for `team`.
    ///
    /// # Errors
    /// As [`SessionKey::new`].
    pub fn session_key(&self, team: &str) -> Result<SessionKey> {
        SessionKey::new(
            team,
            self.issuer.as_str(),
            &self.name_id.value,
            self.name_id.format.as_deref(),
        )
    }
}

/// The IdP's LogoutResponse to a LogoutRequest of ours, after every check.
#[derive(Debug, Clone)]
pub struct VerifiedLogoutResponse {
    response_id: String,
    in_response_to: RequestId,
    status: LogoutStatus,
    relay_state: Option<String>,
    signed: Signed,
}

impl VerifiedLogoutResponse {
    /// [`LogoutStatus::Success`] or [`LogoutStatus::PartialLogout`] (tell
    /// the user other apps may still be signed in).
    pub fn status(&self) -> LogoutStatus {
        self.status
    }

    /// Which of our LogoutRequests this answers.
    pub fn in_response_to(&self) -> &RequestId {
        &self.in_response_to
    }

    /// The LogoutResponse's `ID`.
    pub fn response_id(&self) -> &str {
        &self.response_id
    }

    /// The RelayState that came back (ours, through the browser and the
    /// IdP: check it again before redirecting to it).
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// Whether the message carried a signature (false only with
    /// [`LogoutVerifier::dangerous_allow_unsigned`]).
    pub fn is_signed(&self) -> bool {
        self.signed != Signed::Unsigned
    }
}
