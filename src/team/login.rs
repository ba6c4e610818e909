//! The login facade: a team's sign-in in two calls. The how-to, with
//! IdP-initiated sign-in and its risk, is `manual::login`.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::TeamConfig;
use crate::certs::{SpDecryptionKeys, SpSigningKey};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::RequestId;
use crate::request::PostForm;
use crate::response::{FreshAssertion, VerifiedAssertion};
use crate::rng::Csprng;
use crate::store::{
    DEFAULT_REQUEST_LIFETIME, MemoryReplayCache, MemoryRequestTracker, MemorySessionRegistry,
    ReplayCache, RequestTracker, SessionRegistry, TrackerKey, ready_future,
};
use crate::vocabulary::Binding;

/// How old an IdP-initiated Response's Assertion may be (its
/// `IssueInstant`), besides the clock skew: 90 seconds, as crewjam/saml
/// allows. A solicited Response needs no such bound: it answers a request
/// of ours that expires.
pub const IDP_INITIATED_MAX_AGE: TimeDelta = TimeDelta::seconds(90);

/// The longest return path kept (RelayState is at most 80 bytes).
const MAX_RETURN_PATH: usize = 80;

/// A local path to send the browser to after sign-in: it starts with one
/// `/`, not `//` or `/\` (another host), holds no backslash, no control or
/// space characters, and is at most 80 bytes (it travels as RelayState).
/// So it can never be an open redirect.
///
/// ```
/// use saml_sp::team::ReturnPath;
/// assert!(ReturnPath::new("/projects/42?tab=files").is_ok());
/// for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "projects", "/a b"] {
///     assert!(ReturnPath::new(bad).is_err(), "{bad}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReturnPath(String);

impl ReturnPath {
    /// Checks `path`.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] for anything but a local path.
    pub fn new(path: impl Into<String>) -> Result<Self> {
        let path = path.into();
        let local = path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && path.len() <= MAX_RETURN_PATH
            && !path.chars().any(|c| c.is_control() || c.is_whitespace());
        if !local {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                format!("return path {path:?} is not a local path"),
            ));
        }
        Ok(Self(path))
    }

    /// The root, `/`.
    pub fn root() -> Self {
        Self("/".to_owned())
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What sign-in needs besides a team: the app's stores (in memory for one
/// process, Redis for several), for IdPs that want signed AuthnRequests the
/// SP's signing key, and for IdPs that encrypt assertions the SP's
/// decryption keys. Built once at startup and shared. The keys are the SP's,
/// not a team's: the app loads them from its secret store, never through
/// the team configuration (which is what serde stores).
///
/// ```
/// use saml_sp::team::LoginContext;
/// // One process: in-memory stores (100,000 browsers / assertions).
/// let context = LoginContext::in_memory();
/// ```
#[derive(Clone)]
pub struct LoginContext {
    pub(super) tracker: Arc<dyn RequestTracker>,
    pub(super) replay: Arc<dyn ReplayCache>,
    pub(super) sessions: Option<Arc<dyn SessionRegistry>>,
    pub(super) signing_key: Option<SpSigningKey>,
    pub(super) decryption_keys: Option<SpDecryptionKeys>,
    pub(super) request_lifetime: TimeDelta,
}

impl std::fmt::Debug for LoginContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginContext")
            .field("signing_key", &self.signing_key)
            .field("decryption_keys", &self.decryption_keys)
            .field("session_registry", &self.sessions.is_some())
            .field("request_lifetime", &self.request_lifetime)
            .finish_non_exhaustive()
    }
}

impl LoginContext {
    /// Stores of the app's choice (`Arc<RedisRequestTracker>` and
    /// `Arc<RedisReplayCache>` behind the `redis` feature, or its own).
    /// It has no session registry, unlike [`in_memory`](Self::in_memory):
    /// add one with [`with_session_registry`](Self::with_session_registry)
    /// for [`TeamConfig::register_session`] (which fails without one) and
    /// Single Logout.
    pub fn new(tracker: Arc<dyn RequestTracker>, replay: Arc<dyn ReplayCache>) -> Self {
        Self {
            tracker,
            replay,
            sessions: None,
            signing_key: None,
            decryption_keys: None,
            request_lifetime: DEFAULT_REQUEST_LIFETIME,
        }
    }

    /// Bounded in-memory stores, for an app that runs as one process
    /// (a session registry included).
    pub fn in_memory() -> Self {
        Self::new(
            Arc::new(MemoryRequestTracker::new(100_000)),
            Arc::new(MemoryReplayCache::new(100_000)),
        )
        .with_session_registry(Arc::new(MemorySessionRegistry::new(100_000)))
    }

    /// The registry of the app's sessions per person, for Single Logout
    /// ([`TeamConfig::register_session`] after sign-in,
    /// [`TeamConfig::handle_logout_request`] ends them). Without one, an
    /// IdP-initiated logout still verifies and answers, and the app ends
    /// the sessions of the NameID it returns itself.
    pub fn with_session_registry(mut self, registry: Arc<dyn SessionRegistry>) -> Self {
        self.sessions = Some(registry);
        self
    }

    /// Signs every AuthnRequest, LogoutRequest and LogoutResponse with
    /// `key` (needed when a team's IdP wants signed messages; harmless
    /// otherwise).
    pub fn with_signing_key(mut self, key: SpSigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// Decrypts encrypted assertions and the encrypted NameIDs
    /// (`EncryptedID`) of IdPs' LogoutRequests with `keys` (the SP's current
    /// key and, during a rollover, the next one; their certificates go into
    /// the SP metadata). Without keys an `EncryptedAssertion` is refused,
    /// and so is a LogoutRequest whose NameID is encrypted
    /// ([`ErrorKind::EncryptedIdUnsupported`]). The keys' certificates are
    /// not added to a team's SP metadata for you; see
    /// [`manual::login`](crate::manual::login#encrypted-assertions) for the
    /// whole setup.
    pub fn with_decryption_keys(mut self, keys: SpDecryptionKeys) -> Self {
        self.decryption_keys = Some(keys);
        self
    }

    /// How long a started sign-in may take (default
    /// [`DEFAULT_REQUEST_LIFETIME`], 10 minutes).
    pub fn with_request_lifetime(mut self, lifetime: TimeDelta) -> Self {
        self.request_lifetime = lifetime;
        self
    }
}

/// What [`TeamConfig::start_login`] returns: how to send the browser to the
/// IdP, and the request's ID (already remembered for this browser).
#[derive(Debug, Clone)]
pub struct LoginStart {
    send: LoginSend,
    request_id: RequestId,
}

/// How to send the browser to the IdP.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum LoginSend {
    /// Answer `303 See Other` with this `Location` (HTTP-Redirect).
    Redirect(String),
    /// Answer with this page, which posts the request (HTTP-POST):
    /// [`PostForm::html`] with a CSP nonce.
    Post(PostForm),
}

impl LoginSend {
    /// The redirect URL, when the IdP takes HTTP-Redirect.
    pub fn redirect_url(&self) -> Option<&str> {
        match self {
            LoginSend::Redirect(url) => Some(url),
            LoginSend::Post(_) => None,
        }
    }

    /// The form, when the IdP takes HTTP-POST.
    pub fn post_form(&self) -> Option<&PostForm> {
        match self {
            LoginSend::Post(form) => Some(form),
            LoginSend::Redirect(_) => None,
        }
    }
}

impl LoginStart {
    /// How to send the browser on.
    pub fn send(&self) -> &LoginSend {
        &self.send
    }

    /// The redirect URL, when the IdP takes HTTP-Redirect.
    pub fn redirect_url(&self) -> Option<&str> {
        self.send.redirect_url()
    }

    /// The form, when the IdP takes HTTP-POST.
    pub fn post_form(&self) -> Option<&PostForm> {
        self.send.post_form()
    }

    /// The AuthnRequest's ID (remembered already; for logs).
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

/// A finished sign-in: who signed in, and where to send them.
#[derive(Debug, Clone)]
pub struct Login {
    assertion: FreshAssertion,
    return_to: ReturnPath,
    idp_initiated: bool,
}

impl Login {
    /// The assertion, after every check and one-time use: the claims.
    pub fn assertion(&self) -> &FreshAssertion {
        &self.assertion
    }

    /// The assertion, owned (for [`decide`](crate::provisioning::decide)
    /// and the app's session).
    pub fn into_assertion(self) -> FreshAssertion {
        self.assertion
    }

    /// Where to send the browser now: the return path the sign-in started
    /// with, or for an IdP-initiated sign-in a local RelayState path or the
    /// team's landing page. Always a local path.
    pub fn return_to(&self) -> &ReturnPath {
        &self.return_to
    }

    /// Whether the sign-in was IdP-initiated (answered no request).
    pub fn idp_initiated(&self) -> bool {
        self.idp_initiated
    }
}

impl TeamConfig {
    /// Starts a sign-in for the browser `browser` (a random ID the app keeps
    /// in a signed, HttpOnly cookie): builds the AuthnRequest for the team's
    /// IdP over its binding, remembers its ID for this team and browser
    /// (until the context's request lifetime), and carries `return_to` as
    /// RelayState. `rng` makes the request ID (and blinds a signature).
    ///
    /// # Errors
    /// As [`AuthnRequestBuilder::redirect`](crate::request::AuthnRequestBuilder::redirect)
    /// (an IdP that wants signed requests and no key in `context`:
    /// [`ErrorKind::ConfigInvalid`]); [`ErrorKind::ConfigInvalid`] for an
    /// empty browser ID, [`ErrorKind::InputTooLarge`] for one over 256
    /// bytes; the tracker's error, typically
    /// [`ErrorKind::RequestStoreUnavailable`].
    pub fn start_login<'a, R: Csprng + ?Sized>(
        &'a self,
        context: &'a LoginContext,
        browser: &str,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<LoginStart>> + Send + 'a {
        let built = self.build_login(context, browser, return_to, rng, now);
        async move {
            let (key, start) = built?;
            let expires = now + context.request_lifetime;
            context
                .tracker
                .remember(&key, &start.request_id, expires, now)
                .await?;
            Ok(start)
        }
    }

    /// [`start_login`](Self::start_login) for code without an async runtime:
    /// the same steps, with stores that answer at once (in memory).
    ///
    /// # Errors
    /// As [`start_login`](Self::start_login); [`ErrorKind::ConfigInvalid`]
    /// when a store of `context` is asynchronous.
    pub fn start_login_sync<R: Csprng + ?Sized>(
        &self,
        context: &LoginContext,
        browser: &str,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<LoginStart> {
        ready_future(self.start_login(context, browser, return_to, rng, now))
    }

    fn build_login<R: Csprng + ?Sized>(
        &self,
        context: &LoginContext,
        browser: &str,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(TrackerKey, LoginStart)> {
        let key = TrackerKey::new(self.slug.as_str(), browser)?;
        let mut builder = self.authn_request();
        if let Some(signing_key) = &context.signing_key {
            builder = builder.sign_with(signing_key.clone());
        }
        let relay_state = return_to.map(ReturnPath::as_str);
        let start = match self.idp.sso_binding {
            Binding::HttpPost => {
                let (form, request_id) = builder.post(relay_state, rng, now)?;
                LoginStart {
                    send: LoginSend::Post(form),
                    request_id,
                }
            }
            _ => {
                let (redirect, request_id) = builder.redirect(relay_state, rng, now)?;
                LoginStart {
                    send: LoginSend::Redirect(redirect.into_url()),
                    request_id,
                }
            }
        };
        Ok((key, start))
    }

    /// Finishes a sign-in at the team's ACS URL: `saml_response` and
    /// `relay_state` are the POSTed form's `SAMLResponse` and `RelayState`,
    /// `browser` the same browser ID as at the start. Takes the browser's
    /// outstanding request IDs for this team (one-time), verifies the
    /// Response against them with every check of
    /// [`ResponseVerifier`](crate::ResponseVerifier), and passes the
    /// one-time-use check. An unsolicited Response is accepted only when
    /// the team allows IdP-initiated sign-in (see
    /// [`manual::login`](crate::manual::login#idp-initiated-sign-in)).
    ///
    /// ```
    /// use saml_sp::team::{LoginContext, ReturnPath};
    /// # use saml_sp::*;
    /// # use saml_sp::{time::*, vocabulary::*, team::*};
    /// # let now = FixedClock::parse("2026-03-02T10:00:30Z").unwrap().now();
    /// # let cert = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// # let idp = IdpSettings::manual(
    /// #     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
    /// #     EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2")?,
    /// #     Binding::HttpRedirect, [cert], now)?;
    /// # let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
    /// let context = LoginContext::in_memory();
    /// // A recorded Response answers no request of this browser: refused
    /// // unless the team allows IdP-initiated sign-in.
    /// let posted = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
    /// let err = team.finish_login_sync(&context, "browser-1", &posted, None, now).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InResponseToMismatch);
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// Every kind of [`ResponseVerifier::verify`](crate::ResponseVerifier::verify);
    /// [`ErrorKind::ResponseTooOld`] for an IdP-initiated Response issued
    /// too long ago; [`ErrorKind::AssertionReplayed`]; the stores' errors
    /// ([`ErrorKind::RequestStoreUnavailable`],
    /// [`ErrorKind::ReplayCacheUnavailable`]).
    pub async fn finish_login(
        &self,
        context: &LoginContext,
        browser: &str,
        saml_response: &[u8],
        relay_state: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Login> {
        let key = TrackerKey::new(self.slug.as_str(), browser)?;
        let pending = context.tracker.take(&key, now).await?;
        let verified = self.verify_login(context, &pending, saml_response, now)?;
        let idp_initiated = verified.in_response_to().is_none();
        let assertion = verified
            .check_replay_async(context.replay.as_ref(), now)
            .await?;
        // Our own RelayState is checked again (it came back through the
        // browser); an IdP's is used only if it is a local path.
        let return_to = relay_state
            .and_then(|rs| ReturnPath::new(rs).ok())
            .unwrap_or_else(|| self.landing_page.clone());
        Ok(Login {
            assertion,
            return_to,
            idp_initiated,
        })
    }

    /// [`finish_login`](Self::finish_login) for code without an async
    /// runtime: the same steps, with stores that answer at once.
    ///
    /// # Errors
    /// As [`finish_login`](Self::finish_login); [`ErrorKind::ConfigInvalid`]
    /// when a store of `context` is asynchronous.
    pub fn finish_login_sync(
        &self,
        context: &LoginContext,
        browser: &str,
        saml_response: &[u8],
        relay_state: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Login> {
        ready_future(self.finish_login(context, browser, saml_response, relay_state, now))
    }

    /// The verify step: unsolicited Responses only for a team that allows
    /// them and a browser with nothing outstanding, and only fresh ones.
    fn verify_login(
        &self,
        context: &LoginContext,
        pending: &[RequestId],
        saml_response: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedAssertion> {
        let unsolicited_ok = self.allow_idp_initiated && pending.is_empty();
        let mut verifier = self.response_verifier().allow_unsolicited(unsolicited_ok);
        if let Some(keys) = &context.decryption_keys {
            verifier = verifier.decryption_keys(keys.clone());
        }
        let verified = verifier.verify(saml_response, pending, now)?;
        if verified.in_response_to().is_none() {
            let oldest = now - IDP_INITIATED_MAX_AGE - verifier.skew();
            if verified.issue_instant() < oldest {
                return Err(Error::new(
                    ErrorKind::ResponseTooOld,
                    format!(
                        "IdP-initiated assertion issued at {}, more than {}s (plus {}s skew) before {}",
                        verified.issue_instant().to_rfc3339(),
                        IDP_INITIATED_MAX_AGE.num_seconds(),
                        verifier.skew().num_seconds(),
                        now.to_rfc3339()
                    ),
                ));
            }
        }
        Ok(verified)
    }
}
