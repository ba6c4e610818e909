//! Reading an AuthnRequest back: for tests and tooling (what did we send?).

use chrono::{DateTime, Utc};

use crate::dsig::has_enveloped_signature;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::ns::{SAML_ASSERTION, SAML_PROTOCOL};
use crate::xml::{Document, Element};

/// The fields of an `AuthnRequest`, read from its XML.
///
/// This is a reader, not a verifier: it says what a request asks for. A
/// signature is only reported ([`is_signed`](Self::is_signed)); check it
/// with [`verify_enveloped`](crate::dsig::verify_enveloped) (HTTP-POST) or
/// [`verify_redirect_signature`](crate::building_blocks::verify_redirect_signature).
///
/// ```
/// use saml_sp::Limits;
/// use saml_sp::request::DecodedAuthnRequest;
/// let xml = br#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
///     xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id1" Version="2.0"
///     IssueInstant="2026-03-02T10:01:00Z" ForceAuthn="true"
///     AssertionConsumerServiceURL="https://sp.example.com/acs">
///   <saml:Issuer>https://sp.example.com</saml:Issuer></samlp:AuthnRequest>"#;
/// let request = DecodedAuthnRequest::parse(xml, &Limits::default())?;
/// assert_eq!(request.id(), "id1");
/// assert_eq!(request.issuer(), Some("https://sp.example.com"));
/// assert!(request.force_authn());
/// assert!(!request.is_passive());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedAuthnRequest {
    id: String,
    issue_instant: DateTime<Utc>,
    destination: Option<String>,
    issuer: Option<String>,
    assertion_consumer_service_url: Option<String>,
    protocol_binding: Option<String>,
    force_authn: bool,
    is_passive: bool,
    name_id_policy: Option<(Option<String>, Option<bool>)>,
    requested_authn_context: Option<(String, Vec<String>)>,
    subject_name_id: Option<(String, Option<String>)>,
    signed: bool,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::RequestMalformed, detail)
}

fn boolean(el: Element<'_>, name: &str) -> Result<Option<bool>> {
    match el.attribute(None, name) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(malformed(format!("{name} {other:?} is not an xs:boolean"))),
    }
}

impl DecodedAuthnRequest {
    /// Parses `xml` (under `limits`) and reads its `AuthnRequest`.
    ///
    /// # Errors
    /// The XML parser's kinds; [`ErrorKind::RequestMalformed`] when the root
    /// is not a SAML 2.0 protocol `AuthnRequest`, or `ID`, `Version="2.0"` or
    /// a UTC `IssueInstant` is missing or wrong, or a boolean is malformed.
    pub fn parse(xml: &[u8], limits: &Limits) -> Result<Self> {
        let doc = Document::parse(xml, limits)?;
        let root = doc.root();
        if !root.is(SAML_PROTOCOL, "AuthnRequest") {
            return Err(malformed(format!(
                "the root element is {:?}, not a SAML 2.0 AuthnRequest",
                root.local_name()
            )));
        }
        let id = root
            .attribute(None, "ID")
            .filter(|v| !v.is_empty())
            .ok_or_else(|| malformed("AuthnRequest has no ID"))?;
        if root.attribute(None, "Version") != Some("2.0") {
            return Err(malformed("AuthnRequest Version is not 2.0"));
        }
        let instant = root
            .attribute(None, "IssueInstant")
            .ok_or_else(|| malformed("AuthnRequest has no IssueInstant"))?;
        let issue_instant = DateTime::parse_from_rfc3339(instant)
            .ok()
            .filter(|t| t.offset().local_minus_utc() == 0)
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| malformed(format!("IssueInstant {instant:?} is not a UTC dateTime")))?;
        let child = |ns: &str, name: &str| root.child_elements().find(|e| e.is(ns, name));
        let name_id_policy = match child(SAML_PROTOCOL, "NameIDPolicy") {
            Some(p) => Some((
                p.attribute(None, "Format").map(str::to_owned),
                boolean(p, "AllowCreate")?,
            )),
            None => None,
        };
        let requested_authn_context = child(SAML_PROTOCOL, "RequestedAuthnContext").map(|c| {
            (
                c.attribute(None, "Comparison")
                    .unwrap_or("exact")
                    .to_owned(),
                c.child_elements()
                    .filter(|e| e.is(SAML_ASSERTION, "AuthnContextClassRef"))
                    .map(|e| e.text())
                    .collect(),
            )
        });
        let subject_name_id = child(SAML_ASSERTION, "Subject")
            .and_then(|s| s.child_elements().find(|e| e.is(SAML_ASSERTION, "NameID")))
            .map(|n| (n.text(), n.attribute(None, "Format").map(str::to_owned)));
        Ok(Self {
            id: id.to_owned(),
            issue_instant,
            destination: root.attribute(None, "Destination").map(str::to_owned),
            issuer: child(SAML_ASSERTION, "Issuer").map(|e| e.text()),
            assertion_consumer_service_url: root
                .attribute(None, "AssertionConsumerServiceURL")
                .map(str::to_owned),
            protocol_binding: root.attribute(None, "ProtocolBinding").map(str::to_owned),
            force_authn: boolean(root, "ForceAuthn")?.unwrap_or(false),
            is_passive: boolean(root, "IsPassive")?.unwrap_or(false),
            name_id_policy,
            requested_authn_context,
            subject_name_id,
            signed: has_enveloped_signature(root),
        })
    }

    /// `ID`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `IssueInstant`.
    pub fn issue_instant(&self) -> DateTime<Utc> {
        self.issue_instant
    }

    /// `Destination`.
    pub fn destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }

    /// The `Issuer` text.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// `AssertionConsumerServiceURL`.
    pub fn assertion_consumer_service_url(&self) -> Option<&str> {
        self.assertion_consumer_service_url.as_deref()
    }

    /// `ProtocolBinding`.
    pub fn protocol_binding(&self) -> Option<&str> {
        self.protocol_binding.as_deref()
    }

    /// `ForceAuthn` (false when absent).
    pub fn force_authn(&self) -> bool {
        self.force_authn
    }

    /// `IsPassive` (false when absent).
    pub fn is_passive(&self) -> bool {
        self.is_passive
    }

    /// `NameIDPolicy`: its `Format` and `AllowCreate`, if the element is
    /// present.
    pub fn name_id_policy(&self) -> Option<(Option<&str>, Option<bool>)> {
        self.name_id_policy
            .as_ref()
            .map(|(format, allow)| (format.as_deref(), *allow))
    }

    /// `RequestedAuthnContext`: `Comparison` (`exact` when absent) and the
    /// `AuthnContextClassRef`s.
    pub fn requested_authn_context(&self) -> Option<(&str, &[String])> {
        self.requested_authn_context
            .as_ref()
            .map(|(comparison, refs)| (comparison.as_str(), refs.as_slice()))
    }

    /// The `Subject`'s `NameID` value and `Format`.
    pub fn subject_name_id(&self) -> Option<(&str, Option<&str>)> {
        self.subject_name_id
            .as_ref()
            .map(|(value, format)| (value.as_str(), format.as_deref()))
    }

    /// Whether the request carries an enveloped `Signature` (not verified).
    pub fn is_signed(&self) -> bool {
        self.signed
    }
}
