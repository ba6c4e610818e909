//! The Single Logout facade: a team's sign-out in both directions, on the
//! stores of a [`LoginContext`].
//!
//! **SP-initiated.** The user presses "Sign out": the app ends its own
//! session, calls [`TeamConfig::unregister_session`], then
//! [`TeamConfig::start_logout`], which builds the LogoutRequest for the
//! team's IdP (HTTP-Redirect when it has that endpoint, as Azure AD has),
//! remembers its ID for this browser and returns where to send the
//! browser. The IdP's answer comes to the team's SLO URL:
//! [`TeamConfig::finish_logout`] takes the remembered IDs (one-time),
//! verifies the LogoutResponse and returns its status (partial logout
//! reported) and a local return path.
//!
//! **IdP-initiated.** A LogoutRequest arrives at the SLO URL:
//! [`TeamConfig::handle_logout_request`] verifies it, passes its one-time
//! use, ends the sessions it names in the context's
//! [`SessionRegistry`](crate::store::SessionRegistry) (registered at
//! sign-in by [`TeamConfig::register_session`]) and returns those app
//! session IDs, which the app destroys, with the LogoutResponse to send
//! back. A registry that fails is an error: the IdP is never told that
//! sessions ended that may not have.
//!
//! One SLO URL takes both: [`LogoutInput::is_response`] tells them apart
//! on HTTP-Redirect; on HTTP-POST the form field does (`SAMLRequest` or
//! `SAMLResponse`).

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{LoginContext, LoginSend, ReturnPath, TeamConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::RequestId;
use crate::logout::{
    FreshLogoutRequest, LOGOUT_REQUEST_LIFETIME, LogoutInput, LogoutStatus, LogoutSubject,
};
use crate::request::PostForm;
use crate::response::{FreshAssertion, NameId};
use crate::rng::Csprng;
use crate::store::{TrackerKey, ready_future};
use crate::vocabulary::Binding;

/// What [`TeamConfig::start_logout`] returns: how to send the browser to
/// the IdP, and the LogoutRequest's ID (already remembered).
#[derive(Debug, Clone)]
pub struct LogoutStart {
    send: LoginSend,
    request_id: RequestId,
}

impl LogoutStart {
    /// How to send the browser on.
    pub fn send(&self) -> &LoginSend {
        &self.send
    }

    /// The redirect URL, when the IdP's SingleLogoutService takes
    /// HTTP-Redirect.
    pub fn redirect_url(&self) -> Option<&str> {
        self.send.redirect_url()
    }

    /// The form, when the IdP's SingleLogoutService takes HTTP-POST.
    pub fn post_form(&self) -> Option<&PostForm> {
        self.send.post_form()
    }

    /// The LogoutRequest's ID (remembered already; for logs).
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }
}

/// A finished SP-initiated logout: the IdP's verified answer.
#[derive(Debug, Clone)]
pub struct LogoutFinished {
    status: LogoutStatus,
    return_to: ReturnPath,
}

impl LogoutFinished {
    /// [`LogoutStatus::Success`], or [`LogoutStatus::PartialLogout`]: say
    /// so to the user (other apps may still be signed in).
    pub fn status(&self) -> LogoutStatus {
        self.status
    }

    /// Where to send the browser: the return path the logout started with
    /// (checked again), or the team's landing page.
    pub fn return_to(&self) -> &ReturnPath {
        &self.return_to
    }
}

/// A handled IdP-initiated logout.
#[derive(Debug, Clone)]
pub struct IdpLogout {
    request: FreshLogoutRequest,
    ended_sessions: Vec<String>,
    send: LoginSend,
}

impl IdpLogout {
    /// The verified, fresh LogoutRequest (NameID, SessionIndexes).
    pub fn request(&self) -> &FreshLogoutRequest {
        &self.request
    }

    /// The app sessions the registry ended: destroy them now (an app
    /// without a registry ends the sessions of
    /// [`request().name_id()`](FreshLogoutRequest::name_id) itself).
    pub fn ended_sessions(&self) -> &[String] {
        &self.ended_sessions
    }

    /// The LogoutResponse to send the browser back to the IdP with.
    pub fn send(&self) -> &LoginSend {
        &self.send
    }

    /// The LogoutResponse's redirect URL, when it goes back over
    /// HTTP-Redirect.
    pub fn redirect_url(&self) -> Option<&str> {
        self.send.redirect_url()
    }

    /// The LogoutResponse's form, when it goes back over HTTP-POST.
    pub fn post_form(&self) -> Option<&PostForm> {
        self.send.post_form()
    }
}

fn no_registry() -> Error {
    Error::new(
        ErrorKind::ConfigInvalid,
        "the login context has no session registry",
    )
}

fn no_slo(team: &TeamConfig) -> Error {
    Error::new(
        ErrorKind::EndpointMissing,
        format!(
            "the IdP of team {} has no SingleLogoutService",
            team.slug.as_str()
        ),
    )
}

impl TeamConfig {
    /// Registers the app session `app_session` for the person of a
    /// sign-in (after [`finish_login`](Self::finish_login)), with the
    /// assertion's SessionIndex, until `expires_at` (the app session's end;
    /// no later than the assertion's `SessionNotOnOrAfter`, if any).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] when the context has no session
    /// registry; the registry's errors.
    pub async fn register_session(
        &self,
        context: &LoginContext,
        assertion: &FreshAssertion,
        app_session: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let registry = context.sessions.as_ref().ok_or_else(no_registry)?;
        let key = self.session_key(assertion.name_id_details())?;
        let until = assertion
            .session_not_on_or_after()
            .map_or(expires_at, |bound| bound.min(expires_at));
        registry
            .register(&key, assertion.session_index(), app_session, until, now)
            .await
    }

    /// [`register_session`](Self::register_session) for code without an
    /// async runtime (stores that answer at once).
    ///
    /// # Errors
    /// As [`register_session`](Self::register_session).
    pub fn register_session_sync(
        &self,
        context: &LoginContext,
        assertion: &FreshAssertion,
        app_session: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        ready_future(self.register_session(context, assertion, app_session, expires_at, now))
    }

    /// Forgets the app session `app_session` of the person `name_id` (the
    /// user signed out at the app): the NameID of the sign-in
    /// ([`FreshAssertion::name_id_details`], or
    /// [`LogoutSubject::name_id`]). Resolves to whether it was registered.
    ///
    /// ```
    /// # use saml_sp::*;
    /// use saml_sp::response::NameId;
    /// use saml_sp::team::LoginContext;
    /// # let now = "2026-03-02T10:01:00Z".parse().unwrap();
    /// # let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap())?;
    /// # let idp = IdpSettings::manual(EntityId::new("https://idp.example.com")?,
    /// #     EndpointUrl::new("https://idp.example.com/sso")?, vocabulary::Binding::HttpRedirect, [cert], now)?;
    /// # let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
    /// let context = LoginContext::in_memory(); // has a session registry
    /// // At sign-out, with the NameID kept in the app's session:
    /// let name_id = NameId {
    ///     value: "alice@acme.example".into(),
    ///     format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
    ///     name_qualifier: None,
    ///     sp_name_qualifier: None,
    /// };
    /// // `.unregister_session(..).await` on an async runtime.
    /// let was_registered = team.unregister_session_sync(&context, &name_id, "app-session-1", now)?;
    /// assert!(!was_registered);
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`register_session`](Self::register_session).
    pub async fn unregister_session(
        &self,
        context: &LoginContext,
        name_id: &NameId,
        app_session: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let registry = context.sessions.as_ref().ok_or_else(no_registry)?;
        registry
            .unregister(&self.session_key(name_id)?, app_session, now)
            .await
    }

    /// [`unregister_session`](Self::unregister_session) for code without
    /// an async runtime (stores that answer at once).
    ///
    /// # Errors
    /// As [`register_session`](Self::register_session).
    pub fn unregister_session_sync(
        &self,
        context: &LoginContext,
        name_id: &NameId,
        app_session: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        ready_future(self.unregister_session(context, name_id, app_session, now))
    }

    /// Starts an SP-initiated logout for the browser `browser` (the same
    /// browser ID as at sign-in): builds the LogoutRequest for `subject`
    /// to the team's IdP, remembers its ID for this browser (until
    /// [`LOGOUT_REQUEST_LIFETIME`]), and carries `return_to` as RelayState.
    /// `subject` is the person of the sign-in:
    /// [`LogoutSubject::from_assertion`] at sign-in, kept in the app's
    /// session (or rebuilt from the NameID, its format and qualifiers and
    /// the SessionIndex it stored, with [`LogoutSubject::new`]). The whole
    /// round trip is in
    /// [`manual::login`](crate::manual::login#sessions-and-single-logout).
    ///
    /// # Errors
    /// [`ErrorKind::EndpointMissing`] when the IdP has no
    /// SingleLogoutService; as
    /// [`LogoutRequestBuilder::redirect`](crate::logout::LogoutRequestBuilder::redirect);
    /// the tracker's errors.
    pub fn start_logout<'a, R: Csprng + ?Sized>(
        &'a self,
        context: &'a LoginContext,
        browser: &str,
        subject: &LogoutSubject,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<LogoutStart>> + Send + 'a {
        let built = self.build_logout(context, browser, subject, return_to, rng, now);
        async move {
            let (key, start) = built?;
            context
                .tracker
                .remember(&key, &start.request_id, now + LOGOUT_REQUEST_LIFETIME, now)
                .await?;
            Ok(start)
        }
    }

    /// [`start_logout`](Self::start_logout) for code without an async
    /// runtime.
    ///
    /// # Errors
    /// As [`start_logout`](Self::start_logout).
    pub fn start_logout_sync<R: Csprng + ?Sized>(
        &self,
        context: &LoginContext,
        browser: &str,
        subject: &LogoutSubject,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<LogoutStart> {
        ready_future(self.start_logout(context, browser, subject, return_to, rng, now))
    }

    fn build_logout<R: Csprng + ?Sized>(
        &self,
        context: &LoginContext,
        browser: &str,
        subject: &LogoutSubject,
        return_to: Option<&ReturnPath>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<(TrackerKey, LogoutStart)> {
        let key = TrackerKey::for_logout(self.slug.as_str(), browser)?;
        let mut builder = self.logout_request();
        if let Some(signing_key) = &context.signing_key {
            builder = builder.sign_with(signing_key.clone());
        }
        let relay_state = return_to.map(ReturnPath::as_str);
        let (send, request_id) = match self.idp.logout_binding().ok_or_else(|| no_slo(self))? {
            Binding::HttpPost => {
                let (form, id) = builder.post(subject, relay_state, rng, now)?;
                (LoginSend::Post(form), id)
            }
            _ => {
                let (redirect, id) = builder.redirect(subject, relay_state, rng, now)?;
                (LoginSend::Redirect(redirect.into_url()), id)
            }
        };
        Ok((key, LogoutStart { send, request_id }))
    }

    /// Finishes an SP-initiated logout at the team's SLO URL: takes the
    /// browser's outstanding LogoutRequest IDs (one-time), verifies the
    /// IdP's LogoutResponse against them (every check of
    /// [`LogoutVerifier::verify_response`](crate::logout::LogoutVerifier::verify_response)),
    /// and returns its status and a local return path.
    ///
    /// # Errors
    /// As `verify_response`; the tracker's errors.
    pub async fn finish_logout(
        &self,
        context: &LoginContext,
        browser: &str,
        input: LogoutInput<'_>,
        now: DateTime<Utc>,
    ) -> Result<LogoutFinished> {
        let verifier = self.logout_verifier()?;
        let key = TrackerKey::for_logout(self.slug.as_str(), browser)?;
        let pending = context.tracker.take(&key, now).await?;
        let response = verifier.verify_response(input, &pending, now)?;
        let return_to = response
            .relay_state()
            .and_then(|rs| ReturnPath::new(rs).ok())
            .unwrap_or_else(|| self.landing_page.clone());
        Ok(LogoutFinished {
            status: response.status(),
            return_to,
        })
    }

    /// [`finish_logout`](Self::finish_logout) for code without an async
    /// runtime.
    ///
    /// # Errors
    /// As [`finish_logout`](Self::finish_logout).
    pub fn finish_logout_sync(
        &self,
        context: &LoginContext,
        browser: &str,
        input: LogoutInput<'_>,
        now: DateTime<Utc>,
    ) -> Result<LogoutFinished> {
        ready_future(self.finish_logout(context, browser, input, now))
    }

    /// Handles an IdP-initiated LogoutRequest at the team's SLO URL:
    /// verifies it (an encrypted NameID is decrypted with the context's
    /// decryption keys, under the team's `allow_tripledes`), passes its
    /// one-time use, ends the sessions it names in the context's registry
    /// (if it has one; looked up by the NameID and Format, decrypted when
    /// they came encrypted), and builds the LogoutResponse (signed with the
    /// context's key, if any) with the IdP's RelayState.
    ///
    /// # Errors
    /// As [`LogoutVerifier::verify_request`](crate::logout::LogoutVerifier::verify_request)
    /// ([`ErrorKind::EncryptedIdUnsupported`] for an encrypted NameID and a
    /// context without decryption keys);
    /// [`ErrorKind::LogoutRequestReplayed`]; the replay cache's and the
    /// registry's errors (fail closed: no answer claims a logout that may
    /// not have happened); [`ErrorKind::EndpointMissing`] when the IdP has
    /// no SingleLogoutService to answer to.
    pub async fn handle_logout_request<R: Csprng + ?Sized + Send>(
        &self,
        context: &LoginContext,
        input: LogoutInput<'_>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<IdpLogout> {
        let mut verifier = self.logout_verifier()?;
        if let Some(keys) = &context.decryption_keys {
            verifier = verifier.decryption_keys(keys.clone());
        }
        let verified = verifier.verify_request(input, now)?;
        let binding = self.idp.logout_binding().ok_or_else(|| no_slo(self))?;
        let request = verified
            .check_replay_async(context.replay.as_ref(), now)
            .await?;
        let ended_sessions = match &context.sessions {
            Some(registry) => {
                let key = self.session_key(request.name_id())?;
                registry.end(&key, request.session_indexes(), now).await?
            }
            None => Vec::new(),
        };
        let mut builder = self.logout_response();
        if let Some(signing_key) = &context.signing_key {
            builder = builder.sign_with(signing_key.clone());
        }
        let send = match binding {
            Binding::HttpPost => {
                LoginSend::Post(builder.post(&request, LogoutStatus::Success, rng, now)?)
            }
            _ => LoginSend::Redirect(
                builder
                    .redirect(&request, LogoutStatus::Success, rng, now)?
                    .into_url(),
            ),
        };
        Ok(IdpLogout {
            request,
            ended_sessions,
            send,
        })
    }

    /// [`handle_logout_request`](Self::handle_logout_request) for code
    /// without an async runtime.
    ///
    /// # Errors
    /// As [`handle_logout_request`](Self::handle_logout_request).
    pub fn handle_logout_request_sync<R: Csprng + ?Sized + Send>(
        &self,
        context: &LoginContext,
        input: LogoutInput<'_>,
        rng: &mut R,
        now: DateTime<Utc>,
    ) -> Result<IdpLogout> {
        ready_future(self.handle_logout_request(context, input, rng, now))
    }
}
