//! What we send: LogoutRequests (SP-initiated) and LogoutResponses (our
//! answer to an IdP's LogoutRequest), over HTTP-Redirect (query signature)
//! or HTTP-POST (enveloped signature).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};

use super::{
    FreshLogoutRequest, LOGOUT_REQUEST_LIFETIME, LogoutStatus, LogoutSubject,
    STATUS_PARTIAL_LOGOUT, STATUS_RESPONDER, STATUS_SUCCESS, check_value,
};
use crate::binding::redirect;
use crate::certs::SpSigningKey;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId, RequestId};
use crate::metadata::{Endpoints, IdpMetadata};
use crate::ns::{SAML_ASSERTION, SAML_PROTOCOL};
use crate::request::{PostForm, RedirectRequest};
use crate::rng::Csprng;
use crate::vocabulary::{Binding, MessageKind, SignatureAlgorithm};
use crate::xml::XmlWriter;

/// Longest NameID, qualifier or SessionIndex we put into a LogoutRequest.
const MAX_VALUE: usize = 1024;
/// Most SessionIndexes in one LogoutRequest.
const MAX_SESSION_INDEXES: usize = 16;

/// Where and how we send logout messages to one IdP: its SLO endpoints,
/// whether it wants them signed, and our key.
#[derive(Debug, Clone)]
struct Sender {
    sp_entity_id: EntityId,
    idp_entity_id: EntityId,
    single_logout: Endpoints,
    signed_wanted: bool,
    signing_key: Option<SpSigningKey>,
}

impl Sender {
    /// Where a message of ours goes: the SingleLogoutService's `Location`
    /// for a LogoutRequest, its `ResponseLocation` (if any) for a
    /// LogoutResponse.
    fn destination(&self, binding: Binding, kind: MessageKind) -> Result<&EndpointUrl> {
        let what = match kind {
            MessageKind::Request => "LogoutRequest",
            _ => "LogoutResponse",
        };
        if self.signed_wanted && self.signing_key.is_none() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "{} wants signed logout messages and no signing key is set",
                    self.idp_entity_id
                ),
            ));
        }
        let endpoint = match kind {
            MessageKind::Request => self.single_logout.get(binding),
            _ => self.single_logout.response_location(binding),
        };
        endpoint.ok_or_else(|| {
            Error::new(
                ErrorKind::EndpointMissing,
                format!(
                    "{} has no SingleLogoutService for {} (to send a {what})",
                    self.idp_entity_id,
                    binding.uri()
                ),
            )
        })
    }

    /// The URL carrying `xml` over HTTP-Redirect, with the query signature
    /// when we have a key.
    fn redirect_url<R: Csprng + ?Sized>(
        &self,
        destination: &EndpointUrl,
        kind: MessageKind,
        xml: &str,
        relay_state: Option<&str>,
        rng: &mut R,
    ) -> Result<String> {
        match &self.signing_key {
            Some(key) => {
                let mut sign = |octets: &[u8]| key.sign_sha256(rng, octets);
                let signer = (SignatureAlgorithm::RsaSha256, &mut sign as _);
                redirect::encode(destination, kind, xml, relay_state, Some(signer))
            }
            None => redirect::encode(destination, kind, xml, relay_state, None),
        }
    }

    /// The form carrying the document `render` writes over HTTP-POST, with
    /// an enveloped signature when we have a key.
    fn post_form<R: Csprng + ?Sized>(
        &self,
        destination: &EndpointUrl,
        kind: MessageKind,
        id: &str,
        render: &dyn Fn(Option<&str>) -> Result<String>,
        relay_state: Option<&str>,
        rng: &mut R,
    ) -> Result<PostForm> {
        if let Some(rs) = relay_state {
            redirect::check_relay_state(rs)?;
        }
        let xml = match &self.signing_key {
            None => render(None)?,
            Some(key) => crate::dsig::sign_enveloped(render, id, key, rng)?,
        };
        Ok(PostForm {
            action: destination.clone(),
            kind,
            value: STANDARD.encode(&xml),
            relay_state: relay_state.map(str::to_owned),
            xml,
            signing_out: true,
        })
    }
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Builds LogoutRequests from one SP (one team) to one IdP: SP-initiated
/// single logout.
///
/// Destination is the IdP's SingleLogoutService for the binding; Issuer our
/// entity ID; `NotOnOrAfter` the `IssueInstant` plus
/// [`LOGOUT_REQUEST_LIFETIME`](super::LOGOUT_REQUEST_LIFETIME); the
/// NameID with its format and qualifiers exactly as the IdP asserted it,
/// and the SessionIndexes of the sign-in. With a key
/// ([`sign_with`](Self::sign_with)) every request is signed (the query
/// signature on HTTP-Redirect, an enveloped signature on HTTP-POST); an IdP
/// that wants signed logout messages without a key is a configuration
/// error, never an unsigned request.
///
/// ```
/// use saml_sp::{EndpointUrl, EntityId, IdpMetadata, OsRng, Limits, SigningCertificate};
/// use saml_sp::binding::RedirectMessage;
/// use saml_sp::logout::{LogoutRequestBuilder, LogoutSubject};
/// use saml_sp::response::NameId;
/// use saml_sp::time::Utc;
/// let now = Utc::now();
/// let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// let idp = IdpMetadata::parse(&xml, "2026-03-02T10:01:00Z".parse().unwrap())?;
/// let builder = LogoutRequestBuilder::new(EntityId::new("https://sso.example.com/saml/acme")?, &idp);
/// let subject = LogoutSubject::new(NameId {
///     value: "alice@acme.example".into(),
///     format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
///     name_qualifier: None,
///     sp_name_qualifier: None,
/// })
/// .with_session_index("_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d");
/// let (redirect, request_id) = builder.redirect(&subject, Some("/signed-out"), &mut OsRng, now)?;
/// // Keep request_id for the LogoutResponse's InResponseTo.
/// let sent = RedirectMessage::from_url(redirect.url(), &Limits::default())?;
/// assert!(std::str::from_utf8(sent.xml()).unwrap().contains(request_id.as_str()));
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LogoutRequestBuilder {
    sender: Sender,
}

impl LogoutRequestBuilder {
    /// A builder for requests from `sp_entity_id` to the IdP described by
    /// `idp` (its SingleLogoutService endpoints; an IdP that wants signed
    /// AuthnRequests is taken to want signed logout messages too).
    pub fn new(sp_entity_id: EntityId, idp: &IdpMetadata) -> Self {
        Self {
            sender: Sender {
                sp_entity_id,
                idp_entity_id: idp.entity_id().clone(),
                single_logout: idp.single_logout().clone(),
                signed_wanted: idp.want_authn_requests_signed(),
                signing_key: None,
            },
        }
    }

    /// A builder from a team's stored IdP settings.
    pub(crate) fn for_endpoints(
        sp_entity_id: EntityId,
        idp_entity_id: EntityId,
        single_logout: Endpoints,
        signed_wanted: bool,
    ) -> Self {
        Self {
            sender: Sender {
                sp_entity_id,
                idp_entity_id,
                single_logout,
                signed_wanted,
                signing_key: None,
            },
        }
    }

    /// Signs every request with `key`.
    pub fn sign_with(mut self, key: SpSigningKey) -> Self {
        self.sender.signing_key = Some(key);
        self
    }

    /// Whether requests must be signed (then a missing key is an error).
    pub fn require_signed(mut self, required: bool) -> Self {
        self.sender.signed_wanted = required;
        self
    }

    /// A new LogoutRequest for `subject` over HTTP-Redirect, and its ID to
    /// keep for the LogoutResponse.
    ///
    /// # Errors
    /// [`ErrorKind::EndpointMissing`] when the IdP has no HTTP-Redirect
    /// SingleLogoutService; [`ErrorKind::ConfigInvalid`] for a NameID or
    /// SessionIndex XML cannot carry (or empty, or over 1024 bytes), more
    /// than 16 SessionIndexes, or an IdP that wants signed messages and no
    /// key; [`ErrorKind::RelayStateTooLong`].
    pub fn redirect<R: Csprng + ?Sized>(
        &self,
        subject: &LogoutSubject,
        relay_state: Option<&str>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(RedirectRequest, RequestId)> {
        let destination = self
            .sender
            .destination(Binding::HttpRedirect, MessageKind::Request)?;
        if let Some(rs) = relay_state {
            redirect::check_relay_state(rs)?;
        }
        let id = RequestId::random(rng);
        let xml = self.render(subject, id.as_str(), destination, now, None)?;
        let url =
            self.sender
                .redirect_url(destination, MessageKind::Request, &xml, relay_state, rng)?;
        Ok((RedirectRequest::new(url, xml), id))
    }

    /// A new LogoutRequest for `subject` over HTTP-POST, and its ID.
    ///
    /// # Errors
    /// As [`redirect`](Self::redirect), for the HTTP-POST endpoint.
    pub fn post<R: Csprng + ?Sized>(
        &self,
        subject: &LogoutSubject,
        relay_state: Option<&str>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(PostForm, RequestId)> {
        let destination = self
            .sender
            .destination(Binding::HttpPost, MessageKind::Request)?;
        let id = RequestId::random(rng);
        // Checked once before signing, so a bad value is not a signing error.
        self.render(subject, id.as_str(), destination, now, None)?;
        let render = |signature: Option<&str>| {
            self.render(subject, id.as_str(), destination, now, signature)
        };
        let form = self.sender.post_form(
            destination,
            MessageKind::Request,
            id.as_str(),
            &render,
            relay_state,
            rng,
        )?;
        Ok((form, id))
    }

    fn render(
        &self,
        subject: &LogoutSubject,
        id: &str,
        destination: &EndpointUrl,
        now: DateTime<Utc>,
        signature: Option<&str>,
    ) -> Result<String> {
        let name_id = subject.name_id();
        check_value("the NameID", &name_id.value, MAX_VALUE)?;
        for (what, value) in [
            ("the NameID Format", &name_id.format),
            ("the NameQualifier", &name_id.name_qualifier),
            ("the SPNameQualifier", &name_id.sp_name_qualifier),
        ] {
            if let Some(value) = value {
                check_value(what, value, MAX_VALUE)?;
            }
        }
        if subject.session_indexes().len() > MAX_SESSION_INDEXES {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!("more than {MAX_SESSION_INDEXES} SessionIndexes"),
            ));
        }
        for index in subject.session_indexes() {
            check_value("a SessionIndex", index, MAX_VALUE)?;
        }
        let mut w = XmlWriter::new();
        w.open("samlp:LogoutRequest");
        w.attr("xmlns:samlp", SAML_PROTOCOL);
        w.attr("xmlns:saml", SAML_ASSERTION);
        w.attr("ID", id);
        w.attr("Version", "2.0");
        w.attr("IssueInstant", &instant(now));
        w.attr("Destination", destination.as_str());
        w.attr("NotOnOrAfter", &instant(now + LOGOUT_REQUEST_LIFETIME));
        w.close_open();
        w.text_element("saml:Issuer", self.sender.sp_entity_id.as_str());
        if let Some(signature) = signature {
            w.raw(signature);
        }
        w.open("saml:NameID");
        if let Some(q) = &name_id.name_qualifier {
            w.attr("NameQualifier", q);
        }
        if let Some(q) = &name_id.sp_name_qualifier {
            w.attr("SPNameQualifier", q);
        }
        if let Some(format) = &name_id.format {
            w.attr("Format", format);
        }
        w.close_open();
        w.text(&name_id.value);
        w.close("saml:NameID");
        for index in subject.session_indexes() {
            w.text_element("samlp:SessionIndex", index);
        }
        w.close("samlp:LogoutRequest");
        Ok(w.finish())
    }
}

/// Builds our LogoutResponses to one IdP's LogoutRequests (IdP-initiated
/// single logout): `InResponseTo` = the request's ID, Destination = the
/// IdP's SingleLogoutService for the binding, Issuer = our entity ID, the
/// IdP's RelayState sent back unchanged; signed as for
/// [`LogoutRequestBuilder`].
///
/// ```
/// # use saml_sp::*;
/// use saml_sp::logout::{LogoutInput, LogoutResponseBuilder, LogoutStatus, LogoutVerifier};
/// use saml_sp::store::MemoryReplayCache;
/// let now = "2026-03-02T10:01:00Z".parse().unwrap();
/// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// let sp = EntityId::new("https://sso.example.com/saml/acme")?;
/// let verifier = LogoutVerifier::new(
///     sp.clone(),
///     EndpointUrl::new("https://sso.example.com/saml/acme/slo")?,
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     IdpCertSet::new([cert], now)?,
/// );
/// let url = std::fs::read_to_string("fixtures/logout/lr-redirect-valid-relaystate.url").unwrap();
/// let query = url.split_once('?').unwrap().1;
/// let request = verifier
///     .verify_request(LogoutInput::Redirect(query), now)?
///     .check_replay(&MemoryReplayCache::new(10), now)?;
/// assert_eq!(request.name_id().value, "alice@acme.example");
///
/// let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// let idp = IdpMetadata::parse(&xml, now)?;
/// let answer = LogoutResponseBuilder::new(sp, &idp)
///     .redirect(&request, LogoutStatus::Success, &mut OsRng, now)?;
/// assert!(answer.url().contains("&RelayState=https%3A%2F%2Fmyapps.microsoft.com"));
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LogoutResponseBuilder {
    sender: Sender,
}

impl LogoutResponseBuilder {
    /// A builder for responses from `sp_entity_id` to the IdP described by
    /// `idp`.
    pub fn new(sp_entity_id: EntityId, idp: &IdpMetadata) -> Self {
        Self {
            sender: LogoutRequestBuilder::new(sp_entity_id, idp).sender,
        }
    }

    /// A builder from a team's stored IdP settings.
    pub(crate) fn for_endpoints(
        sp_entity_id: EntityId,
        idp_entity_id: EntityId,
        single_logout: Endpoints,
        signed_wanted: bool,
    ) -> Self {
        Self {
            sender: LogoutRequestBuilder::for_endpoints(
                sp_entity_id,
                idp_entity_id,
                single_logout,
                signed_wanted,
            )
            .sender,
        }
    }

    /// Signs every response with `key`.
    pub fn sign_with(mut self, key: SpSigningKey) -> Self {
        self.sender.signing_key = Some(key);
        self
    }

    /// Whether responses must be signed (then a missing key is an error).
    pub fn require_signed(mut self, required: bool) -> Self {
        self.sender.signed_wanted = required;
        self
    }

    /// Our answer to `request` over HTTP-Redirect, with its RelayState.
    ///
    /// # Errors
    /// [`ErrorKind::EndpointMissing`] when the IdP has no HTTP-Redirect
    /// SingleLogoutService; [`ErrorKind::ConfigInvalid`] for an IdP that
    /// wants signed messages and no key.
    pub fn redirect<R: Csprng + ?Sized>(
        &self,
        request: &FreshLogoutRequest,
        status: LogoutStatus,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<RedirectRequest> {
        let destination = self
            .sender
            .destination(Binding::HttpRedirect, MessageKind::Response)?;
        let id = RequestId::random(rng);
        let xml = self.render(request, status, id.as_str(), destination, now, None);
        let url = self.sender.redirect_url(
            destination,
            MessageKind::Response,
            &xml,
            request.relay_state(),
            rng,
        )?;
        Ok(RedirectRequest::new(url, xml))
    }

    /// Our answer to `request` over HTTP-POST, with its RelayState.
    ///
    /// # Errors
    /// As [`redirect`](Self::redirect), for the HTTP-POST endpoint.
    pub fn post<R: Csprng + ?Sized>(
        &self,
        request: &FreshLogoutRequest,
        status: LogoutStatus,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<PostForm> {
        let destination = self
            .sender
            .destination(Binding::HttpPost, MessageKind::Response)?;
        let id = RequestId::random(rng);
        let render = |signature: Option<&str>| {
            Ok(self.render(request, status, id.as_str(), destination, now, signature))
        };
        self.sender.post_form(
            destination,
            MessageKind::Response,
            id.as_str(),
            &render,
            request.relay_state(),
            rng,
        )
    }

    fn render(
        &self,
        request: &FreshLogoutRequest,
        status: LogoutStatus,
        id: &str,
        destination: &EndpointUrl,
        now: DateTime<Utc>,
        signature: Option<&str>,
    ) -> String {
        let mut w = XmlWriter::new();
        w.open("samlp:LogoutResponse");
        w.attr("xmlns:samlp", SAML_PROTOCOL);
        w.attr("xmlns:saml", SAML_ASSERTION);
        w.attr("ID", id);
        w.attr("Version", "2.0");
        w.attr("IssueInstant", &instant(now));
        w.attr("Destination", destination.as_str());
        w.attr("InResponseTo", request.request_id());
        w.close_open();
        w.text_element("saml:Issuer", self.sender.sp_entity_id.as_str());
        if let Some(signature) = signature {
            w.raw(signature);
        }
        w.raw("<samlp:Status>");
        w.open("samlp:StatusCode");
        match status {
            LogoutStatus::Success => {
                w.attr("Value", STATUS_SUCCESS);
                w.close_empty();
            }
            LogoutStatus::PartialLogout => {
                w.attr("Value", STATUS_SUCCESS);
                w.close_open();
                w.open("samlp:StatusCode");
                w.attr("Value", STATUS_PARTIAL_LOGOUT);
                w.close_empty();
                w.close("samlp:StatusCode");
            }
            LogoutStatus::Failed => {
                w.attr("Value", STATUS_RESPONDER);
                w.close_empty();
            }
        }
        w.raw("</samlp:Status>");
        w.close("samlp:LogoutResponse");
        w.finish()
    }
}
