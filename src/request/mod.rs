//! SP-initiated login: [`AuthnRequestBuilder`] -> a redirect URL
//! ([`RedirectRequest`]) or an auto-posting form ([`PostForm`]), together
//! with the [`RequestId`] the caller keeps for the `InResponseTo` check.
//!
//! - **ID**: `id` + 32 lower-case hex digits: 128 bits from the caller's
//!   [`Csprng`] (pass [`OsRng`](crate::OsRng) in production, a seeded one in
//!   tests), an NCName that never starts with a digit (Azure AD refuses those).
//! - **IssueInstant** from the caller's `now`, UTC, to the second, with `Z`.
//! - **Destination** is the IdP's SingleSignOnService URL for the chosen
//!   binding (from its [`IdpMetadata`]), `Issuer` our entity ID,
//!   `AssertionConsumerServiceURL` our ACS URL, `ProtocolBinding` HTTP-POST
//!   (how the IdP must answer).
//! - **Options**: [`NameIdPolicy`], `ForceAuthn`, `IsPassive`,
//!   [`RequestedAuthnContext`], a `Subject` `NameID` hint (not for Azure AD,
//!   which refuses requests with a `Subject`).
//! - **HTTP-Redirect**: raw DEFLATE, base64, percent-encoding; `RelayState`
//!   (at most 80 bytes); with a [`SpSigningKey`], `SigAlg` rsa-sha256 and
//!   `Signature` over the query octets.
//! - **HTTP-POST**: base64 in a form ([`PostForm::html`]); with a
//!   [`SpSigningKey`], an enveloped XML signature (exc-c14n, rsa-sha256,
//!   canonicalized by this crate's canonicalizer).
//!
//! Signing is blinded (see [`SpSigningKey`] on RUSTSEC-2023-0071).
//!
//! The decoding side, for tests and tools: [`RedirectMessage`](crate::binding::RedirectMessage)
//! (query string as received -> XML, signature check) and
//! [`DecodedAuthnRequest`] (XML -> fields).

mod decode;
mod post;

use crate::rng::Csprng;
use chrono::{DateTime, SecondsFormat, Utc};

pub use decode::DecodedAuthnRequest;
pub use post::PostForm;

use crate::binding::redirect;
use crate::certs::SpSigningKey;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId, RequestId};
use crate::metadata::{Endpoints, IdpMetadata};
use crate::ns::{SAML_ASSERTION, SAML_PROTOCOL};
use crate::vocabulary::MessageKind;
use crate::vocabulary::{Binding, NameIdFormat, SignatureAlgorithm};
use crate::xml::{XmlWriter, check_xml_text};

/// Longest `AuthnContextClassRef` or `Subject` `NameID` hint accepted.
const MAX_VALUE: usize = 1024;

/// The `NameIDPolicy` of a request: which NameID format we want and whether
/// the IdP may create a new identifier for the user.
///
/// Azure AD accepts the persistent, emailAddress, unspecified and transient
/// formats.
///
/// ```
/// use saml_sp::request::NameIdPolicy;
/// use saml_sp::vocabulary::NameIdFormat;
/// let policy = NameIdPolicy::new(NameIdFormat::EmailAddress).allow_create(true);
/// assert_eq!(policy.format(), Some(NameIdFormat::EmailAddress));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameIdPolicy {
    format: Option<NameIdFormat>,
    allow_create: Option<bool>,
}

impl NameIdPolicy {
    /// A policy asking for `format`.
    pub fn new(format: NameIdFormat) -> Self {
        Self {
            format: Some(format),
            allow_create: None,
        }
    }

    /// A policy without a `Format` (the IdP chooses), for `AllowCreate` alone.
    pub fn any_format() -> Self {
        Self {
            format: None,
            allow_create: None,
        }
    }

    /// Sets `AllowCreate`.
    pub fn allow_create(mut self, allow: bool) -> Self {
        self.allow_create = Some(allow);
        self
    }

    /// The requested format.
    pub fn format(&self) -> Option<NameIdFormat> {
        self.format
    }
}

/// The `Comparison` of a [`RequestedAuthnContext`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthnContextComparison {
    /// `exact`: one of the listed classes.
    Exact,
    /// `minimum`: at least as strong as one of them.
    Minimum,
    /// `maximum`: as strong as possible but no stronger than them.
    Maximum,
    /// `better`: stronger than all of them.
    Better,
}

impl AuthnContextComparison {
    /// The attribute value: `exact`, `minimum`, `maximum`, `better`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Minimum => "minimum",
            Self::Maximum => "maximum",
            Self::Better => "better",
        }
    }
}

/// A `RequestedAuthnContext`: how the user must have authenticated.
///
/// ```
/// use saml_sp::request::{AuthnContextComparison, RequestedAuthnContext};
/// let ctx = RequestedAuthnContext::new(
///     AuthnContextComparison::Exact,
///     [RequestedAuthnContext::PASSWORD_PROTECTED_TRANSPORT],
/// )?;
/// assert_eq!(ctx.class_refs().len(), 1);
/// assert!(RequestedAuthnContext::new(AuthnContextComparison::Exact, Vec::<String>::new()).is_err());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestedAuthnContext {
    comparison: AuthnContextComparison,
    class_refs: Vec<String>,
}

impl RequestedAuthnContext {
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport`.
    pub const PASSWORD_PROTECTED_TRANSPORT: &'static str =
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:Password`.
    pub const PASSWORD: &'static str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
    /// `urn:oasis:names:tc:SAML:2.0:ac:classes:X509`.
    pub const X509: &'static str = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509";

    /// A context with at least one `AuthnContextClassRef` URI.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] for no class, or a class that is empty,
    /// longer than 1024 bytes, or has whitespace or control characters.
    pub fn new<S: Into<String>>(
        comparison: AuthnContextComparison,
        class_refs: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        let class_refs: Vec<String> = class_refs.into_iter().map(Into::into).collect();
        if class_refs.is_empty() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "RequestedAuthnContext needs at least one AuthnContextClassRef",
            ));
        }
        for class in &class_refs {
            if class.is_empty()
                || class.len() > MAX_VALUE
                || class.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("AuthnContextClassRef {class:?} is not a URI"),
                ));
            }
        }
        Ok(Self {
            comparison,
            class_refs,
        })
    }

    /// The comparison.
    pub fn comparison(&self) -> AuthnContextComparison {
        self.comparison
    }

    /// The class reference URIs.
    pub fn class_refs(&self) -> &[String] {
        &self.class_refs
    }
}

/// Builds AuthnRequests for one SP (one team) and one IdP.
///
/// The mandatory parts are the constructor's arguments; the options are
/// off until set. One builder serves every login: each call to
/// [`redirect`](Self::redirect) or [`post`](Self::post) makes a new request
/// with a fresh ID and hands it back with the output. Keep that
/// [`RequestId`] in the user's session and pass it to
/// [`ResponseVerifier::verify`](crate::response::ResponseVerifier::verify).
///
/// ```
/// use saml_sp::{AuthnRequestBuilder, EndpointUrl, EntityId, IdpMetadata, OsRng, Limits, SigningCertificate};
/// use saml_sp::binding::RedirectMessage;
/// use saml_sp::request::NameIdPolicy;
/// use saml_sp::time::Utc;
/// use saml_sp::vocabulary::{Binding, NameIdFormat};
/// let idp = IdpMetadata::manual(
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
///     Binding::HttpRedirect,
///     SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?,
/// );
/// let builder = AuthnRequestBuilder::new(
///     EntityId::new("https://sso.example.com/saml/acme")?,
///     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
///     &idp,
/// )
/// .name_id_policy(NameIdPolicy::new(NameIdFormat::EmailAddress));
///
/// let (redirect, request_id) = builder.redirect(Some("/dashboard"), &mut OsRng, Utc::now())?;
/// // Send the browser to redirect.url() (HTTP 302 / 303); keep request_id.
/// assert!(redirect.url().starts_with(
///     "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2?SAMLRequest="));
/// assert!(request_id.as_str().starts_with("id") && request_id.as_str().len() == 34);
///
/// // The decoding side reads it back.
/// let sent = RedirectMessage::from_url(redirect.url(), &Limits::default())?;
/// assert_eq!(sent.relay_state(), Some("/dashboard"));
/// assert_eq!(sent.xml(), redirect.xml().as_bytes());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AuthnRequestBuilder {
    sp_entity_id: EntityId,
    acs_url: EndpointUrl,
    idp_entity_id: EntityId,
    single_sign_on: Endpoints,
    idp_wants_signed: bool,
    name_id_policy: Option<NameIdPolicy>,
    force_authn: bool,
    is_passive: bool,
    requested_authn_context: Option<RequestedAuthnContext>,
    subject: Option<(String, Option<NameIdFormat>)>,
    signing_key: Option<SpSigningKey>,
}

/// A message for the HTTP-Redirect binding (an AuthnRequest; also a
/// LogoutRequest or LogoutResponse): the URL to send the browser to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRequest {
    url: String,
    xml: String,
}

impl RedirectRequest {
    /// A message to send over HTTP-Redirect: its URL and the XML it carries.
    pub(crate) fn new(url: String, xml: String) -> Self {
        Self { url, xml }
    }

    /// The IdP's SSO URL with `SAMLRequest`, `RelayState`, `SigAlg` and
    /// `Signature` appended: answer with `303 See Other` (or 302) and this
    /// `Location`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL, owned.
    pub fn into_url(self) -> String {
        self.url
    }

    /// The AuthnRequest XML the URL carries (for logs and tests).
    pub fn xml(&self) -> &str {
        &self.xml
    }
}

impl AuthnRequestBuilder {
    /// A builder for requests from `sp_entity_id` (`Issuer`) asking the IdP
    /// to post its Response to `acs_url`, sent to the IdP described by
    /// `idp` (its SingleSignOnService endpoints and whether it wants
    /// requests signed are copied).
    pub fn new(sp_entity_id: EntityId, acs_url: EndpointUrl, idp: &IdpMetadata) -> Self {
        Self {
            sp_entity_id,
            acs_url,
            idp_entity_id: idp.entity_id().clone(),
            single_sign_on: idp.single_sign_on().clone(),
            idp_wants_signed: idp.want_authn_requests_signed(),
            name_id_policy: None,
            force_authn: false,
            is_passive: false,
            requested_authn_context: None,
            subject: None,
            signing_key: None,
        }
    }

    /// A builder for requests to one SSO endpoint of the IdP
    /// `idp_entity_id` (what a team's stored IdP settings hold).
    pub(crate) fn for_endpoint(
        sp_entity_id: EntityId,
        acs_url: EndpointUrl,
        idp_entity_id: EntityId,
        binding: Binding,
        sso_url: EndpointUrl,
    ) -> Self {
        let mut single_sign_on = Endpoints::default();
        *single_sign_on.slot(binding) = Some(sso_url);
        Self {
            sp_entity_id,
            acs_url,
            idp_entity_id,
            single_sign_on,
            idp_wants_signed: false,
            name_id_policy: None,
            force_authn: false,
            is_passive: false,
            requested_authn_context: None,
            subject: None,
            signing_key: None,
        }
    }

    /// Adds a `NameIDPolicy`.
    pub fn name_id_policy(mut self, policy: NameIdPolicy) -> Self {
        self.name_id_policy = Some(policy);
        self
    }

    /// `ForceAuthn="true"`: the IdP must authenticate the user again, even
    /// with a session.
    pub fn force_authn(mut self, force: bool) -> Self {
        self.force_authn = force;
        self
    }

    /// `IsPassive="true"`: the IdP must not interact with the user (it
    /// answers with an error status if it would have to).
    pub fn is_passive(mut self, passive: bool) -> Self {
        self.is_passive = passive;
        self
    }

    /// Adds a `RequestedAuthnContext`.
    pub fn requested_authn_context(mut self, context: RequestedAuthnContext) -> Self {
        self.requested_authn_context = Some(context);
        self
    }

    /// Adds a `Subject` with this `NameID` (the user we expect), with an
    /// optional `Format`. Not for Azure AD, which refuses requests with a
    /// `Subject`. The value is checked when a request is made (at most 1024
    /// bytes, characters XML can carry).
    pub fn subject_name_id(
        mut self,
        name_id: impl Into<String>,
        format: Option<NameIdFormat>,
    ) -> Self {
        self.subject = Some((name_id.into(), format));
        self
    }

    /// Signs every request with `key`: the query signature for
    /// HTTP-Redirect, an enveloped XML signature for HTTP-POST.
    pub fn sign_with(mut self, key: SpSigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// The IdP's entity ID (for the verifier's expected `Issuer`).
    pub fn idp_entity_id(&self) -> &EntityId {
        &self.idp_entity_id
    }

    /// A new request for the HTTP-Redirect binding. `rng` makes the ID (and
    /// blinds the signature); `now` is the `IssueInstant`.
    ///
    /// # Errors
    /// [`ErrorKind::EndpointMissing`] when the IdP has no HTTP-Redirect
    /// SingleSignOnService; [`ErrorKind::RelayStateTooLong`];
    /// [`ErrorKind::ConfigInvalid`] for an unusable option value, or when the
    /// IdP wants signed requests and no key was given.
    pub fn redirect<R: Csprng + ?Sized>(
        &self,
        relay_state: Option<&str>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(RedirectRequest, RequestId)> {
        let (destination, id, xml) = self.start(Binding::HttpRedirect, relay_state, rng, now)?;
        let request = MessageKind::Request;
        let url = match &self.signing_key {
            Some(key) => {
                let mut sign = |octets: &[u8]| key.sign_sha256(rng, octets);
                let signer = (SignatureAlgorithm::RsaSha256, &mut sign as _);
                redirect::encode(destination, request, &xml, relay_state, Some(signer))?
            }
            None => redirect::encode(destination, request, &xml, relay_state, None)?,
        };
        Ok((RedirectRequest { url, xml }, id))
    }

    /// A new request for the HTTP-POST binding. `rng` makes the ID (and
    /// blinds the signature); `now` is the `IssueInstant`.
    ///
    /// # Errors
    /// As [`redirect`](Self::redirect), for the HTTP-POST endpoint.
    pub fn post<R: Csprng + ?Sized>(
        &self,
        relay_state: Option<&str>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(PostForm, RequestId)> {
        use base64::Engine as _;
        let (destination, id, xml) = self.start(Binding::HttpPost, relay_state, rng, now)?;
        let xml = match &self.signing_key {
            None => xml,
            Some(key) => {
                let render =
                    |signature: Option<&str>| self.render(id.as_str(), destination, now, signature);
                crate::dsig::sign_enveloped(&render, id.as_str(), key, rng)?
            }
        };
        let form = PostForm {
            action: destination.clone(),
            kind: MessageKind::Request,
            value: base64::engine::general_purpose::STANDARD.encode(&xml),
            relay_state: relay_state.map(str::to_owned),
            xml,
            signing_out: false,
        };
        Ok((form, id))
    }

    /// What both bindings do first: the endpoint, the RelayState check, a
    /// fresh ID and the unsigned XML.
    fn start<R: Csprng + ?Sized>(
        &self,
        binding: Binding,
        relay_state: Option<&str>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(&EndpointUrl, RequestId, String)> {
        let destination = self.destination(binding)?;
        if let Some(rs) = relay_state {
            redirect::check_relay_state(rs)?;
        }
        let id = RequestId::random(rng);
        let xml = self.render(id.as_str(), destination, now, None)?;
        Ok((destination, id, xml))
    }

    fn destination(&self, binding: Binding) -> Result<&EndpointUrl> {
        if self.idp_wants_signed && self.signing_key.is_none() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!(
                    "{} wants signed AuthnRequests (WantAuthnRequestsSigned) and no signing key is set",
                    self.idp_entity_id
                ),
            ));
        }
        self.single_sign_on.get(binding).ok_or_else(|| {
            Error::new(
                ErrorKind::EndpointMissing,
                format!(
                    "{} has no SingleSignOnService for {}",
                    self.idp_entity_id,
                    binding.uri()
                ),
            )
        })
    }

    /// The AuthnRequest XML, with `signature` (markup we built) after
    /// `Issuer` where the schema puts it.
    fn render(
        &self,
        id: &str,
        destination: &EndpointUrl,
        now: DateTime<Utc>,
        signature: Option<&str>,
    ) -> Result<String> {
        let mut w = XmlWriter::new();
        w.open("samlp:AuthnRequest");
        w.attr("xmlns:samlp", SAML_PROTOCOL);
        w.attr("xmlns:saml", SAML_ASSERTION);
        w.attr("ID", id);
        w.attr("Version", "2.0");
        w.attr(
            "IssueInstant",
            &now.to_rfc3339_opts(SecondsFormat::Secs, true),
        );
        w.attr("Destination", destination.as_str());
        if self.force_authn {
            w.attr("ForceAuthn", "true");
        }
        if self.is_passive {
            w.attr("IsPassive", "true");
        }
        w.attr("ProtocolBinding", Binding::HttpPost.uri());
        w.attr("AssertionConsumerServiceURL", self.acs_url.as_str());
        w.close_open();
        w.text_element("saml:Issuer", self.sp_entity_id.as_str());
        if let Some(signature) = signature {
            w.raw(signature);
        }
        // The schema's order: Subject?, NameIDPolicy?, Conditions?,
        // RequestedAuthnContext?, Scoping?.
        if let Some((name_id, format)) = &self.subject {
            if name_id.trim().is_empty() || name_id.len() > MAX_VALUE {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    "the Subject NameID hint must be 1 to 1024 bytes, not only whitespace",
                ));
            }
            check_xml_text("the Subject NameID hint", name_id)?;
            w.raw("<saml:Subject>");
            w.open("saml:NameID");
            if let Some(format) = format {
                w.attr("Format", format.uri());
            }
            w.close_open();
            w.text(name_id);
            w.close("saml:NameID");
            w.raw("</saml:Subject>");
        }
        if let Some(policy) = &self.name_id_policy {
            w.open("samlp:NameIDPolicy");
            if let Some(format) = policy.format {
                w.attr("Format", format.uri());
            }
            if let Some(allow) = policy.allow_create {
                w.attr("AllowCreate", if allow { "true" } else { "false" });
            }
            w.close_empty();
        }
        if let Some(context) = &self.requested_authn_context {
            w.open("samlp:RequestedAuthnContext");
            w.attr("Comparison", context.comparison.as_str());
            w.close_open();
            for class in &context.class_refs {
                w.text_element("saml:AuthnContextClassRef", class);
            }
            w.close("samlp:RequestedAuthnContext");
        }
        w.close("samlp:AuthnRequest");
        Ok(w.finish())
    }
}
