//! Team SSO: one team's configuration, certificate rotation and expiry
//! notices. The guide is on [`TeamConfig`].

mod login;
mod logout;
mod names;
mod notices;

use chrono::{DateTime, Utc};

pub use login::{IDP_INITIATED_MAX_AGE, Login, LoginContext, LoginSend, LoginStart, ReturnPath};
pub use logout::{IdpLogout, LogoutFinished, LogoutStart};
pub use names::{
    CustomRole, EmailDomain, Role, SpEndpoints, SpUrlLayout, TEAM_PLACEHOLDER, TeamSlug,
};
pub use notices::{DueNotice, NoticeAudience};

use crate::certs::{CertFingerprint, IdpCertSet, SigningCertificate};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId};
use crate::logout::{LogoutRequestBuilder, LogoutResponseBuilder, LogoutVerifier};
use crate::metadata::{DroppedCertificate, Endpoints, IdpMetadata, SpMetadata};
use crate::request::AuthnRequestBuilder;
use crate::response::{NameId, ResponseVerifier};
use crate::store::SessionKey;
use crate::vocabulary::Binding;
use notices::NoticeLog;

/// A team's IdP: its entity ID (the expected Issuer), the SingleSignOnService
/// endpoint AuthnRequests go to, and the one to three certificates trusted
/// for its signatures.
///
/// ```
/// use saml_sp::{EndpointUrl, EntityId, IdpSettings, SigningCertificate};
/// use saml_sp::time::{Clock, FixedClock};
/// use saml_sp::vocabulary::Binding;
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// let pem = std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap();
/// let idp = IdpSettings::manual(
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
///     Binding::HttpRedirect,
///     [SigningCertificate::from_pem(&pem)?],
///     now,
/// )?;
/// assert_eq!(idp.certificates().certificates().len(), 1);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct IdpSettings {
    entity_id: EntityId,
    sso_url: EndpointUrl,
    sso_binding: Binding,
    certificates: IdpCertSet,
    /// The IdP's SingleLogoutService for HTTP-Redirect (absent in
    /// configurations stored before Single Logout existed).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    slo_redirect_url: Option<EndpointUrl>,
    /// The IdP's SingleLogoutService for HTTP-POST.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    slo_post_url: Option<EndpointUrl>,
    /// The `ResponseLocation` of the HTTP-Redirect SingleLogoutService, if
    /// the metadata gives one (where our LogoutResponses go).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    slo_redirect_response_url: Option<EndpointUrl>,
    /// The `ResponseLocation` of the HTTP-POST SingleLogoutService.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    slo_post_response_url: Option<EndpointUrl>,
    /// Whether the IdP wants our logout messages signed.
    #[cfg_attr(feature = "serde", serde(default))]
    sign_logout: bool,
    /// An explicit LogoutResponse Issuer alias (Azure tenants have theirs
    /// derived).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    logout_issuer_alias: Option<EntityId>,
    /// Dangerous: accept unsigned logout messages from this IdP.
    #[cfg_attr(feature = "serde", serde(default))]
    dangerous_allow_unsigned_logout: bool,
}

impl IdpSettings {
    /// The IdP as an admin entered it: entity ID, SSO URL and its binding,
    /// and one to three certificates, checked at `now`.
    ///
    /// # Errors
    /// As [`IdpCertSet::new`].
    pub fn manual(
        entity_id: EntityId,
        sso_url: EndpointUrl,
        sso_binding: Binding,
        certificates: impl IntoIterator<Item = SigningCertificate>,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        Ok(Self {
            entity_id,
            sso_url,
            sso_binding,
            certificates: IdpCertSet::new(certificates, now)?,
            slo_redirect_url: None,
            slo_post_url: None,
            slo_redirect_response_url: None,
            slo_post_response_url: None,
            sign_logout: false,
            logout_issuer_alias: None,
            dangerous_allow_unsigned_logout: false,
        })
    }

    /// The IdP from its metadata at `now`: the HTTP-Redirect SSO endpoint
    /// (HTTP-POST if it has none), and the signing certificates valid at
    /// `now`. Also returns the listed certificates that were left out, with
    /// why ([`DroppedCertificate`]): show them to the admin.
    ///
    /// # Errors
    /// As [`IdpMetadata::certificate_set`]; [`ErrorKind::MetadataInvalid`]
    /// if it has no HTTP-Redirect or HTTP-POST SSO endpoint.
    pub fn from_metadata(
        metadata: &IdpMetadata,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<DroppedCertificate>)> {
        let sso = metadata.single_sign_on();
        let (sso_binding, sso_url) = [Binding::HttpRedirect, Binding::HttpPost]
            .into_iter()
            .find_map(|b| sso.get(b).map(|url| (b, url.clone())))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::MetadataInvalid,
                    format!(
                        "the metadata of {} has no HTTP-Redirect or HTTP-POST SingleSignOnService",
                        metadata.entity_id()
                    ),
                )
            })?;
        let chosen = metadata.certificate_set(now)?;
        let dropped = chosen.dropped().to_vec();
        Ok((
            Self {
                entity_id: metadata.entity_id().clone(),
                sso_url,
                sso_binding,
                certificates: chosen.into_set(),
                slo_redirect_url: metadata.single_logout().redirect().cloned(),
                slo_post_url: metadata.single_logout().post().cloned(),
                slo_redirect_response_url: response_only(metadata, Binding::HttpRedirect),
                slo_post_response_url: response_only(metadata, Binding::HttpPost),
                sign_logout: metadata.want_authn_requests_signed(),
                logout_issuer_alias: None,
                dangerous_allow_unsigned_logout: false,
            },
            dropped,
        ))
    }

    /// The IdP's entity ID: the Issuer its responses must carry.
    pub fn entity_id(&self) -> &EntityId {
        &self.entity_id
    }

    /// Where to send the AuthnRequest.
    pub fn sso_url(&self) -> &EndpointUrl {
        &self.sso_url
    }

    /// The binding of [`sso_url`](Self::sso_url).
    pub fn sso_binding(&self) -> Binding {
        self.sso_binding
    }

    /// The trusted signing certificates.
    pub fn certificates(&self) -> &IdpCertSet {
        &self.certificates
    }

    /// The IdP's SingleLogoutService endpoints (from its metadata, or
    /// [`with_single_logout`](Self::with_single_logout)).
    pub fn single_logout(&self) -> Endpoints {
        let mut endpoints = Endpoints::default();
        *endpoints.slot(Binding::HttpRedirect) = self.slo_redirect_url.clone();
        *endpoints.slot(Binding::HttpPost) = self.slo_post_url.clone();
        *endpoints.response_slot(Binding::HttpRedirect) = self.slo_redirect_response_url.clone();
        *endpoints.response_slot(Binding::HttpPost) = self.slo_post_response_url.clone();
        endpoints
    }

    /// The binding our logout messages go to the IdP with: HTTP-Redirect
    /// when it has that endpoint (Azure AD has only that one), else
    /// HTTP-POST; `None` when it has no SingleLogoutService.
    pub fn logout_binding(&self) -> Option<Binding> {
        if self.slo_redirect_url.is_some() {
            Some(Binding::HttpRedirect)
        } else if self.slo_post_url.is_some() {
            Some(Binding::HttpPost)
        } else {
            None
        }
    }

    /// These settings with the IdP's SingleLogoutService for `binding` (what
    /// an admin enters: Azure's "Logout URL", which takes HTTP-Redirect).
    pub fn with_single_logout(mut self, binding: Binding, url: EndpointUrl) -> Self {
        match binding {
            Binding::HttpPost => {
                self.slo_post_url = Some(url);
                self.slo_post_response_url = None;
            }
            _ => {
                self.slo_redirect_url = Some(url);
                self.slo_redirect_response_url = None;
            }
        }
        self
    }

    /// Whether our LogoutRequests and LogoutResponses to this IdP must be
    /// signed (then a missing signing key is a configuration error). Read
    /// from metadata as `WantAuthnRequestsSigned`; an app with a signing
    /// key signs them anyway.
    pub fn sign_logout(&self) -> bool {
        self.sign_logout
    }

    /// Sets [`sign_logout`](Self::sign_logout).
    pub fn with_sign_logout(mut self, signed: bool) -> Self {
        self.sign_logout = signed;
        self
    }

    /// The second Issuer accepted on this IdP's **LogoutResponses** only:
    /// the one set with [`with_logout_issuer_alias`](Self::with_logout_issuer_alias),
    /// else for an Azure AD tenant the derived
    /// [`azure_logout_issuer_alias`](crate::logout::azure_logout_issuer_alias)
    /// (`https://login.microsoftonline.com/<tenant>/`), else none. Compared
    /// exactly, never more loosely.
    ///
    /// ```
    /// # use saml_sp::*;
    /// # use saml_sp::vocabulary::Binding;
    /// # let now = "2026-03-02T10:01:00Z".parse().unwrap();
    /// # let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// let idp = IdpSettings::manual(
    ///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
    ///     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
    ///     Binding::HttpRedirect, [cert], now)?;
    /// assert_eq!(
    ///     idp.logout_issuer_alias().unwrap().as_str(),
    ///     "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
    /// );
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    pub fn logout_issuer_alias(&self) -> Option<EntityId> {
        self.logout_issuer_alias
            .clone()
            .or_else(|| crate::logout::azure_logout_issuer_alias(&self.entity_id))
    }

    /// Sets an explicit LogoutResponse Issuer alias (for an IdP seen
    /// answering with another Issuer than its entity ID; `None` goes back
    /// to the derived one).
    pub fn with_logout_issuer_alias(mut self, alias: Option<EntityId>) -> Self {
        self.logout_issuer_alias = alias;
        self
    }

    /// Whether unsigned logout messages from this IdP are accepted (see
    /// [`LogoutVerifier::dangerous_allow_unsigned`](crate::logout::LogoutVerifier::dangerous_allow_unsigned)).
    pub fn dangerous_allow_unsigned_logout(&self) -> bool {
        self.dangerous_allow_unsigned_logout
    }

    /// **Dangerous.** Accept unsigned LogoutRequests and LogoutResponses
    /// from this IdP, for one that cannot sign them: anyone can then sign
    /// a person out of the app, or fake the IdP's "signed out" answer. A
    /// signature that is present must still verify.
    pub fn with_dangerous_allow_unsigned_logout(mut self, allow: bool) -> Self {
        self.dangerous_allow_unsigned_logout = allow;
        self
    }

    /// Keeps the logout choices an admin made (signing, alias, unsigned)
    /// across a metadata upload for the same IdP.
    fn keep_logout_choices(&mut self, old: &Self) {
        if old.entity_id == self.entity_id {
            self.sign_logout |= old.sign_logout;
            self.logout_issuer_alias = old.logout_issuer_alias.clone();
            self.dangerous_allow_unsigned_logout = old.dangerous_allow_unsigned_logout;
        }
    }
}

/// The `ResponseLocation` of the IdP's SingleLogoutService for `binding`,
/// when it differs from its `Location`.
fn response_only(metadata: &IdpMetadata, binding: Binding) -> Option<EndpointUrl> {
    let slo = metadata.single_logout();
    slo.response_location(binding)
        .filter(|r| Some(*r) != slo.get(binding))
        .cloned()
}

/// What a certificate change did, for the admin's screen and the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RotationReport {
    /// Certificates now trusted that were not before.
    pub added: Vec<CertFingerprint>,
    /// Certificates trusted before and no longer (their notice records are
    /// dropped).
    pub removed: Vec<CertFingerprint>,
    /// Certificates the metadata lists that were left out, with why
    /// (expired, not yet valid).
    pub dropped: Vec<DroppedCertificate>,
    /// The IdP entity ID before, when the new metadata names another one
    /// (the team switched IdPs: check this was meant).
    pub previous_entity_id: Option<EntityId>,
}

/// Team SSO: one team's SAML configuration, certificate rotation as admins
/// do it, and expiry notices sent exactly once.
///
/// Each team turns on SSO with its own IdP (Heroku's model): the platform
/// derives the team's SP entity ID, sign-on URL, ACS URL and SP metadata URL
/// from an [`SpUrlLayout`] and the [`TeamSlug`]; a team admin uploads the
/// IdP's metadata or enters its values ([`IdpSettings`]); the team chooses
/// the default role of new SSO users, whether SSO is enforced, an optional
/// email-domain allow-list and whether MFA is required. [`TeamConfig`] holds
/// all of it, builds the team's [`ResponseVerifier`], and keeps the record of
/// expiry notices already sent. With the `serde` feature it serializes for
/// the app's database, and deserializing re-validates every part.
///
/// **Sign-in in two calls.** [`TeamConfig::start_login`] and
/// [`TeamConfig::finish_login`] (see [`manual::login`](crate::manual::login)) do the whole
/// SP-initiated round trip with the app's stores. IdP-initiated sign-in
/// (the tile in the IdP's dashboard) is off by default and allowed per team
/// with [`TeamConfig::set_allow_idp_initiated`]; read the login-CSRF notes
/// there first. The verifier [`TeamConfig::response_verifier`] builds for
/// direct use refuses unsolicited responses.
///
/// **Single Logout.** The layout gives each team an SLO URL
/// ([`SpEndpoints::slo_url`], published by [`TeamConfig::sp_metadata`] for
/// HTTP-Redirect and HTTP-POST); the IdP settings carry its
/// SingleLogoutService, whether it wants signed logout messages, and the
/// LogoutResponse issuer alias (derived for Azure AD tenants). The
/// facade: [`TeamConfig::register_session`] after sign-in,
/// [`TeamConfig::start_logout`] / [`TeamConfig::finish_logout`] when the
/// user signs out here, [`TeamConfig::handle_logout_request`] when the IdP
/// signs them out (see [`crate::logout`] for the checks, and
/// [`manual::login`](crate::manual::login#sessions-and-single-logout) for
/// the round trip).
///
/// **Rotation, as admins do it.** [`TeamConfig::add_certificate`] (up to
/// three; a fourth, a duplicate or an expired one is refused),
/// [`TeamConfig::remove_certificate`], [`TeamConfig::replace_idp`] from
/// freshly uploaded metadata (reporting what was dropped and why). A
/// signature under any certificate of the set valid at `now` verifies, so an
/// admin adds the IdP's new certificate before the IdP switches, and removes
/// the old one after: zero downtime.
///
/// **Expiry notices.** [`TeamConfig::due_notices`] returns the notices due
/// 30, 7 and 1 days before each certificate expires that were not sent yet;
/// the app emails them to the team's admins and calls
/// [`TeamConfig::mark_sent`], then stores the configuration. Each notice is
/// thus returned once. When time jumped past several thresholds at once
/// (the job did not run for a week, or a certificate was added 5 days before
/// it expires), only the most urgent notice is returned; the skipped ones
/// are listed in [`DueNotice::passed`] and recorded as passed by `mark_sent`,
/// never sent late. Removing or replacing a certificate drops its record.
///
/// # Example
///
/// ```
/// use saml_sp::{IdpMetadata, IdpSettings, SpUrlLayout, TeamConfig, TeamSlug, RequestId};
/// use saml_sp::team::{Role, EmailDomain};
/// use saml_sp::time::{Clock, FixedClock};
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// let layout = SpUrlLayout::new("https://sso.example.com")?;
/// let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// let (idp, dropped) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
/// assert!(dropped.is_empty());
/// let mut team = TeamConfig::new(TeamSlug::new("acme")?, &layout, idp)?;
/// assert_eq!(team.default_role(), &Role::Member);
/// team.set_allowed_email_domains([EmailDomain::new("acme.example")?]);
/// team.set_require_mfa(true);
///
/// // The team's verifier, with the team's URLs and certificates.
/// let verifier = team.response_verifier();
/// let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// let verified = verifier.verify(&xml, &[request], now)?;
/// let fresh = verified.check_replay(&saml_sp::store::MemoryReplayCache::new(10), now)?;
/// assert_eq!(fresh.name_id(), "alice@acme.example");
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamConfig {
    slug: TeamSlug,
    sp: SpEndpoints,
    idp: IdpSettings,
    default_role: Role,
    sso_enforced: bool,
    allowed_email_domains: Vec<EmailDomain>,
    require_mfa: bool,
    allow_idp_initiated: bool,
    landing_page: ReturnPath,
    notices: NoticeLog,
    require_encrypted_assertion: bool,
    allow_tripledes: bool,
}

impl TeamConfig {
    /// A team's configuration: its SP URLs from `layout`, its IdP, and the
    /// defaults: new users get [`Role::Member`], SSO not enforced, any email
    /// domain, MFA not required, no notice sent.
    ///
    /// # Errors
    /// As [`SpUrlLayout::endpoints`].
    pub fn new(slug: TeamSlug, layout: &SpUrlLayout, idp: IdpSettings) -> Result<Self> {
        Ok(Self {
            sp: layout.endpoints(&slug)?,
            slug,
            idp,
            default_role: Role::Member,
            sso_enforced: false,
            allowed_email_domains: Vec::new(),
            require_mfa: false,
            allow_idp_initiated: false,
            landing_page: ReturnPath::root(),
            notices: NoticeLog::default(),
            require_encrypted_assertion: false,
            allow_tripledes: false,
        })
    }

    /// Whether the team accepts IdP-initiated sign-in (the tile in the
    /// IdP's dashboard). Off by default; see
    /// [`manual::login`](crate::manual::login#idp-initiated-sign-in) for what it
    /// allows and the login-CSRF risk.
    pub fn allow_idp_initiated(&self) -> bool {
        self.allow_idp_initiated
    }

    /// Allows or refuses IdP-initiated sign-in for this team.
    pub fn set_allow_idp_initiated(&mut self, allow: bool) {
        self.allow_idp_initiated = allow;
    }

    /// Where a sign-in without a usable return path lands (default `/`).
    pub fn landing_page(&self) -> &ReturnPath {
        &self.landing_page
    }

    /// Sets the landing page.
    pub fn set_landing_page(&mut self, page: ReturnPath) {
        self.landing_page = page;
    }

    /// The team's slug.
    pub fn slug(&self) -> &TeamSlug {
        &self.slug
    }

    /// The team's SP entity ID and URLs.
    pub fn sp(&self) -> &SpEndpoints {
        &self.sp
    }

    /// The team's IdP.
    pub fn idp(&self) -> &IdpSettings {
        &self.idp
    }

    /// The trusted IdP certificates.
    pub fn certificates(&self) -> &IdpCertSet {
        &self.idp.certificates
    }

    /// The role of users created or added by SSO.
    pub fn default_role(&self) -> &Role {
        &self.default_role
    }

    /// Sets the role of users created or added by SSO from now on (existing
    /// members keep theirs).
    pub fn set_default_role(&mut self, role: Role) {
        self.default_role = role;
    }

    /// Whether members must sign in through the IdP (password sign-in is
    /// then left to accounts the platform manages directly, see
    /// [`password_sign_in_allowed`](crate::provisioning::password_sign_in_allowed)).
    pub fn sso_enforced(&self) -> bool {
        self.sso_enforced
    }

    /// Sets whether SSO is enforced.
    pub fn set_sso_enforced(&mut self, enforced: bool) {
        self.sso_enforced = enforced;
    }

    /// The email domains SSO users may have; empty means any.
    pub fn allowed_email_domains(&self) -> &[EmailDomain] {
        &self.allowed_email_domains
    }

    /// Sets the allow-list (duplicates removed, sorted); empty allows any
    /// domain.
    pub fn set_allowed_email_domains(&mut self, domains: impl IntoIterator<Item = EmailDomain>) {
        let mut domains: Vec<EmailDomain> = domains.into_iter().collect();
        domains.sort();
        domains.dedup();
        self.allowed_email_domains = domains;
    }

    /// Whether `domain` (any case) may sign in: exact match with an entry,
    /// or any domain when the list is empty.
    pub fn email_domain_allowed(&self, domain: &str) -> bool {
        self.allowed_email_domains.is_empty()
            || self
                .allowed_email_domains
                .iter()
                .any(|d| d.as_str().eq_ignore_ascii_case(domain))
    }

    /// Whether the IdP must assert multi-factor authentication.
    pub fn require_mfa(&self) -> bool {
        self.require_mfa
    }

    /// Sets whether MFA is required.
    pub fn set_require_mfa(&mut self, required: bool) {
        self.require_mfa = required;
    }

    /// Whether the team refuses assertions that come in the clear
    /// ([`ErrorKind::AssertionNotEncrypted`]).
    /// Off by default. Switches no other check off: an encrypted assertion
    /// must still be signed.
    pub fn require_encrypted_assertion(&self) -> bool {
        self.require_encrypted_assertion
    }

    /// Sets whether the team requires encrypted assertions (the SP's
    /// decryption keys come with the [`LoginContext`]).
    pub fn set_require_encrypted_assertion(&mut self, required: bool) {
        self.require_encrypted_assertion = required;
    }

    /// Whether the team accepts assertions (and the encrypted NameIDs of
    /// LogoutRequests) encrypted with `tripledes-cbc` (off by default:
    /// [`ErrorKind::TripledesNotAllowed`]).
    pub fn allow_tripledes(&self) -> bool {
        self.allow_tripledes
    }

    /// Allows `tripledes-cbc` for this team: for an IdP that encrypts with
    /// nothing else (a stock pysaml2), whose admin cannot change that.
    pub fn set_allow_tripledes(&mut self, allow: bool) {
        self.allow_tripledes = allow;
    }

    /// The team's [`ResponseVerifier`]: Audience = the team's SP entity ID,
    /// Destination/Recipient = its ACS URL, Issuer = its IdP, signatures
    /// under its certificates, and the team's encryption settings (require
    /// encryption, allow tripledes). Options (clock skew, required
    /// signature, the SP's decryption keys, which are the SP's and not the
    /// team's: [`LoginContext::with_decryption_keys`]) can be chained on it.
    pub fn response_verifier(&self) -> ResponseVerifier {
        ResponseVerifier::new(
            self.sp.entity_id().clone(),
            self.sp.acs_url().clone(),
            self.idp.entity_id.clone(),
            self.idp.certificates.clone(),
        )
        .require_encrypted_assertion(self.require_encrypted_assertion)
        .allow_tripledes(self.allow_tripledes)
    }

    /// The team's [`AuthnRequestBuilder`]: Issuer = the team's SP entity
    /// ID, AssertionConsumerServiceURL = its ACS URL, Destination = its
    /// IdP's SSO URL (with the binding the admin chose or the metadata
    /// offered). Options (NameIDPolicy, ForceAuthn, a signing key) can be
    /// chained on it; the [`RequestId`](crate::ids::RequestId) each request
    /// returns goes to the app's request tracker.
    ///
    /// ```
    /// # use saml_sp::*;
    /// # use saml_sp::{time::*, vocabulary::*, store::*, provisioning::*, team::*, request::*, response::*};
    /// # let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
    /// # let cert = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// let idp = IdpSettings::manual(
    ///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
    ///     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
    ///     Binding::HttpRedirect, [cert], now)?;
    /// let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
    /// let (redirect, request_id) = team.authn_request().redirect(Some("/"), &mut OsRng, now)?;
    /// assert!(redirect.url().starts_with("https://login.microsoftonline.com/"));
    /// assert!(request_id.as_str().starts_with("id"));
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    pub fn authn_request(&self) -> AuthnRequestBuilder {
        AuthnRequestBuilder::for_endpoint(
            self.sp.entity_id().clone(),
            self.sp.acs_url().clone(),
            self.idp.entity_id.clone(),
            self.idp.sso_binding,
            self.idp.sso_url.clone(),
        )
    }

    /// The team's SP metadata for the IdP admin: entity ID, ACS URL
    /// (HTTP-POST) and the SingleLogoutService URL for HTTP-Redirect and
    /// HTTP-POST. Chain a signing certificate, the SP's encryption
    /// certificates and NameID formats on it: the keys of a
    /// [`LoginContext`] are not added for you (see
    /// [`SpMetadata::with_signing_certificate`] and
    /// [`SpMetadata::with_encryption_certificate`]).
    ///
    /// ```
    /// # use saml_sp::*;
    /// # use saml_sp::vocabulary::Binding;
    /// # let now = "2026-03-02T10:01:00Z".parse().unwrap();
    /// # let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// # let idp = IdpSettings::manual(EntityId::new("https://idp.example.com")?,
    /// #     EndpointUrl::new("https://idp.example.com/sso")?, Binding::HttpRedirect, [cert], now)?;
    /// let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
    /// let xml = team.sp_metadata().to_xml()?;
    /// assert!(xml.contains(r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sso.example.com/saml/acme/slo"/>"#));
    /// assert!(xml.contains(r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sso.example.com/saml/acme/slo"/>"#));
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    pub fn sp_metadata(&self) -> SpMetadata {
        let mut metadata = SpMetadata::new(self.sp.entity_id().clone(), self.sp.acs_url().clone());
        if let Some(slo) = self.sp.slo_url() {
            metadata = metadata
                .with_single_logout_service(slo.clone(), Binding::HttpRedirect)
                .with_single_logout_service(slo.clone(), Binding::HttpPost);
        }
        metadata
    }

    /// The team's SingleLogoutService URL, for a configuration stored
    /// before Single Logout existed (new ones get it from the layout).
    pub fn set_slo_url(&mut self, url: EndpointUrl) {
        self.sp.slo_url = Some(url);
    }

    /// Sets the IdP's SingleLogoutService for `binding` (Azure's "Logout
    /// URL" takes HTTP-Redirect).
    pub fn set_idp_single_logout(&mut self, binding: Binding, url: EndpointUrl) {
        self.idp = self.idp.clone().with_single_logout(binding, url);
    }

    /// Sets whether the IdP wants our logout messages signed.
    pub fn set_sign_logout(&mut self, signed: bool) {
        self.idp.sign_logout = signed;
    }

    /// Sets an explicit LogoutResponse Issuer alias (see
    /// [`IdpSettings::logout_issuer_alias`]).
    pub fn set_logout_issuer_alias(&mut self, alias: Option<EntityId>) {
        self.idp.logout_issuer_alias = alias;
    }

    /// **Dangerous**: see [`IdpSettings::with_dangerous_allow_unsigned_logout`].
    pub fn set_dangerous_allow_unsigned_logout(&mut self, allow: bool) {
        self.idp.dangerous_allow_unsigned_logout = allow;
    }

    /// The team's [`LogoutVerifier`]: Destination = the team's SLO URL,
    /// Issuer = its IdP (and, on LogoutResponses only, the IdP's
    /// [alias](IdpSettings::logout_issuer_alias)), signatures under its
    /// certificates, unsigned messages only if the team allowed them, and
    /// the team's `allow_tripledes` for encrypted NameIDs. The SP's
    /// decryption keys (the SP's, not the team's:
    /// [`LoginContext::with_decryption_keys`]) can be chained on it.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] for a configuration stored without an
    /// SLO URL.
    pub fn logout_verifier(&self) -> Result<LogoutVerifier> {
        let slo_url = self.sp.slo_url().cloned().ok_or_else(|| {
            Error::new(
                ErrorKind::ConfigInvalid,
                format!("team {} has no SingleLogoutService URL", self.slug.as_str()),
            )
        })?;
        Ok(LogoutVerifier::new(
            self.sp.entity_id().clone(),
            slo_url,
            self.idp.entity_id.clone(),
            self.idp.certificates.clone(),
        )
        .response_issuer_alias(self.idp.logout_issuer_alias())
        .dangerous_allow_unsigned(self.idp.dangerous_allow_unsigned_logout)
        .allow_tripledes(self.allow_tripledes))
    }

    /// The team's [`LogoutRequestBuilder`] (Issuer = the team's SP entity
    /// ID, Destination = its IdP's SingleLogoutService).
    pub fn logout_request(&self) -> LogoutRequestBuilder {
        LogoutRequestBuilder::for_endpoints(
            self.sp.entity_id().clone(),
            self.idp.entity_id.clone(),
            self.idp.single_logout(),
            self.idp.sign_logout,
        )
    }

    /// The team's [`LogoutResponseBuilder`].
    pub fn logout_response(&self) -> LogoutResponseBuilder {
        LogoutResponseBuilder::for_endpoints(
            self.sp.entity_id().clone(),
            self.idp.entity_id.clone(),
            self.idp.single_logout(),
            self.idp.sign_logout,
        )
    }

    /// Where a person's sessions are registered for this team and IdP.
    ///
    /// # Errors
    /// As [`SessionKey::new`].
    pub fn session_key(&self, name_id: &NameId) -> Result<SessionKey> {
        SessionKey::new(
            self.slug.as_str(),
            self.idp.entity_id.as_str(),
            &name_id.value,
            name_id.format.as_deref(),
        )
    }

    /// Adds a certificate (the IdP's next one, before it switches).
    ///
    /// # Errors
    /// [`ErrorKind::TooManyCertificates`] for a fourth,
    /// [`ErrorKind::DuplicateCertificate`], [`ErrorKind::CertificateExpired`];
    /// the configuration is unchanged on error.
    pub fn add_certificate(&mut self, cert: SigningCertificate, now: DateTime<Utc>) -> Result<()> {
        self.idp.certificates.add(cert, now)
    }

    /// Removes a certificate (the IdP's previous one, after it switched) and
    /// its notice record.
    ///
    /// # Errors
    /// [`ErrorKind::CertificateNotFound`]; [`ErrorKind::NoUsableCertificate`]
    /// for the last one.
    pub fn remove_certificate(
        &mut self,
        fingerprint: CertFingerprint,
    ) -> Result<SigningCertificate> {
        let removed = self.idp.certificates.remove(fingerprint)?;
        self.notices.retain(&self.idp.certificates);
        Ok(removed)
    }

    /// Replaces the IdP from freshly uploaded metadata: entity ID, SSO
    /// endpoint and the certificate set (the ones valid at `now`). Notice
    /// records of certificates that stay are kept; the others are dropped.
    ///
    /// # Errors
    /// As [`IdpSettings::from_metadata`]; the configuration is unchanged on
    /// error.
    pub fn replace_idp(
        &mut self,
        metadata: &IdpMetadata,
        now: DateTime<Utc>,
    ) -> Result<RotationReport> {
        let (mut idp, dropped) = IdpSettings::from_metadata(metadata, now)?;
        idp.keep_logout_choices(&self.idp);
        let previous_entity_id =
            (idp.entity_id != self.idp.entity_id).then(|| self.idp.entity_id.clone());
        let mut report = self.swap_idp(idp);
        report.dropped = dropped;
        report.previous_entity_id = previous_entity_id;
        Ok(report)
    }

    /// Replaces the certificate set with `certs`, checked at `now` (an admin
    /// entering the values by hand).
    ///
    /// # Errors
    /// As [`IdpCertSet::new`]; the configuration is unchanged on error.
    pub fn replace_certificates(
        &mut self,
        certs: impl IntoIterator<Item = SigningCertificate>,
        now: DateTime<Utc>,
    ) -> Result<RotationReport> {
        let idp = IdpSettings {
            certificates: IdpCertSet::new(certs, now)?,
            ..self.idp.clone()
        };
        Ok(self.swap_idp(idp))
    }

    fn swap_idp(&mut self, idp: IdpSettings) -> RotationReport {
        let fingerprints = |set: &IdpCertSet| -> Vec<CertFingerprint> {
            set.certificates()
                .iter()
                .map(SigningCertificate::fingerprint)
                .collect()
        };
        let old = fingerprints(&self.idp.certificates);
        let new = fingerprints(&idp.certificates);
        let report = RotationReport {
            added: new.iter().filter(|f| !old.contains(f)).copied().collect(),
            removed: old.iter().filter(|f| !new.contains(f)).copied().collect(),
            ..RotationReport::default()
        };
        self.idp = idp;
        self.notices.retain(&self.idp.certificates);
        report
    }

    /// The expiry notices due at `now` and not sent yet, soonest expiry
    /// first: at most one per certificate, the most urgent threshold crossed
    /// (see [`TeamConfig`] for skipped thresholds). Expired
    /// certificates get none.
    pub fn due_notices(&self, now: DateTime<Utc>) -> Vec<DueNotice> {
        self.notices.due(&self.slug, &self.idp.certificates, now)
    }

    /// Records that `notice` was sent (with its
    /// [`passed`](DueNotice::passed) thresholds): it is not returned again.
    /// A notice for a certificate no longer in the set is ignored.
    pub fn mark_sent(&mut self, notice: &DueNotice) {
        if self
            .idp
            .certificates
            .certificates()
            .iter()
            .any(|c| c.fingerprint() == notice.fingerprint)
        {
            self.notices.record(notice.fingerprint, notice.threshold);
        }
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{
        EmailDomain, IdpSettings, NoticeLog, ReturnPath, Role, SpEndpoints, TeamConfig, TeamSlug,
    };
    use crate::certs::{CertFingerprint, NoticeThreshold};
    use crate::error::serde_error;
    use crate::error::{Error, ErrorKind};

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoticeRecord {
        sha256: CertFingerprint,
        handled: NoticeThreshold,
    }

    /// The storage form; `version` lets a later release migrate it.
    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Stored {
        version: u32,
        slug: TeamSlug,
        sp: SpEndpoints,
        idp: IdpSettings,
        default_role: Role,
        sso_enforced: bool,
        allowed_email_domains: Vec<EmailDomain>,
        require_mfa: bool,
        /// Absent in configurations stored before IdP-initiated sign-in
        /// existed: off.
        #[serde(default)]
        allow_idp_initiated: bool,
        /// Absent before landing pages existed: `/`.
        #[serde(default)]
        landing_page: Option<String>,
        notices_sent: Vec<NoticeRecord>,
        /// Absent before encrypted assertions existed: off.
        #[serde(default)]
        require_encrypted_assertion: bool,
        /// Absent before encrypted assertions existed: off.
        #[serde(default)]
        allow_tripledes: bool,
    }

    const VERSION: u32 = 1;

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for TeamConfig {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            Stored {
                version: VERSION,
                slug: self.slug.clone(),
                sp: self.sp.clone(),
                idp: self.idp.clone(),
                default_role: self.default_role.clone(),
                sso_enforced: self.sso_enforced,
                allowed_email_domains: self.allowed_email_domains.clone(),
                require_mfa: self.require_mfa,
                allow_idp_initiated: self.allow_idp_initiated,
                landing_page: Some(self.landing_page.as_str().to_owned()),
                notices_sent: self
                    .notices
                    .iter()
                    .map(|(sha256, handled)| NoticeRecord { sha256, handled })
                    .collect(),
                require_encrypted_assertion: self.require_encrypted_assertion,
                allow_tripledes: self.allow_tripledes,
            }
            .serialize(s)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for TeamConfig {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let stored = Stored::deserialize(d)?;
            let invalid =
                |detail: String| serde_error(Error::new(ErrorKind::ConfigInvalid, detail));
            if stored.version != VERSION {
                return Err(invalid(format!(
                    "stored team configuration version {} (this release reads {VERSION})",
                    stored.version
                )));
            }
            let mut config = TeamConfig {
                slug: stored.slug,
                sp: stored.sp,
                idp: stored.idp,
                default_role: stored.default_role,
                sso_enforced: stored.sso_enforced,
                allowed_email_domains: Vec::new(),
                require_mfa: stored.require_mfa,
                allow_idp_initiated: stored.allow_idp_initiated,
                landing_page: match stored.landing_page {
                    Some(page) => ReturnPath::new(page)
                        .map_err(|e| invalid(format!("landing_page: {}", e.detail())))?,
                    None => ReturnPath::root(),
                },
                notices: NoticeLog::default(),
                require_encrypted_assertion: stored.require_encrypted_assertion,
                allow_tripledes: stored.allow_tripledes,
            };
            let domains = stored.allowed_email_domains.len();
            config.set_allowed_email_domains(stored.allowed_email_domains);
            if config.allowed_email_domains.len() != domains {
                return Err(invalid("an allowed email domain is stored twice".into()));
            }
            for record in stored.notices_sent {
                let known = config
                    .idp
                    .certificates
                    .certificates()
                    .iter()
                    .any(|c| c.fingerprint() == record.sha256);
                if !known {
                    return Err(invalid(format!(
                        "a notice record names certificate {}, which is not in the set",
                        record.sha256
                    )));
                }
                config.notices.record(record.sha256, record.handled);
            }
            Ok(config)
        }
    }
}
