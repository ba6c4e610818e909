//! `web_app`: a multi-team SAML service provider on axum, built on saml-sp.
//!
//! ```text
//! cargo run --example web_app -- examples/web_app/config.json
//! cargo run --example web_app --features redis -- CONFIG   # with "store": {"kind": "redis", ...}
//! ```
//!
//! Routes, for each team in the configuration:
//! - `GET /saml/{team}/init?return_to=/path`: `TeamConfig::start_login`
//!   builds the AuthnRequest, remembers its ID for this browser (a random
//!   ID in a signed cookie) and answers with a redirect to the team's IdP
//!   (HTTP-Redirect) or a page that posts it (HTTP-POST, its script allowed
//!   by a CSP nonce). `return_to` must be a local path (`ReturnPath`, never
//!   an open redirect, else 400); it travels as RelayState.
//! - `POST /saml/{team}/acs`: `TeamConfig::finish_login` (the browser's
//!   outstanding requests, every check of the verifier, one-time use), then
//!   just-in-time provisioning (`decide_with_async` on the account table),
//!   `TeamConfig::register_session` (for Single Logout: the IdP's
//!   LogoutRequest names the person, never our cookie), a server-side
//!   session (the cookie holds only its random ID: signed, HttpOnly,
//!   SameSite=Lax, Secure over https; it ends no later than the IdP's
//!   SessionNotOnOrAfter) and a redirect to `Login::return_to` (always a
//!   local path). A team with `"allow_idp_initiated": true` also takes a
//!   Response that answers no request (the IdP's portal); the signed-in
//!   page then says so. An assertion that came encrypted is said so too.
//! - `GET|POST /saml/{team}/slo`: Single Logout. On GET the raw query
//!   string (exactly as received: the HTTP-Redirect signature is over its
//!   octets) is `LogoutInput::Redirect`; on POST the form's `SAMLRequest`
//!   or `SAMLResponse` is `LogoutInput::Post`. A LogoutResponse finishes
//!   our sign-out (`TeamConfig::finish_logout`); a LogoutRequest from the
//!   IdP (`TeamConfig::handle_logout_request`) ends the sessions the
//!   registry returns (`ended_sessions()`) and is answered with our
//!   LogoutResponse.
//! - `GET /saml/{team}/metadata` serves `TeamConfig::sp_metadata` (with the
//!   SLO URL) and the SP's signing and encryption certificates.
//! - `GET /` shows who is signed in; `POST /logout` (CSRF-protected by a
//!   per-session token) ends the app session, unregisters it and sends the
//!   browser to the IdP with a LogoutRequest (`TeamConfig::start_logout`).
//!
//! A failed sign-in shows "Sign-in failed" (a failed sign-out "Sign-out
//! failed") with a message that is safe to show, with the status of the
//! error's class (503 transient, 500 configuration, 403 refused); the
//! precise error kind and detail go to the log (stderr), never to the
//! browser.
//!
//! Storage: with `"store": {"kind": "memory"}` one process keeps requests,
//! used assertions, the session registry and the app's sessions in memory
//! (`LoginContext::in_memory`); with `{"kind": "redis", "url": ...}` (cargo
//! feature `redis`) several instances behind a load balancer share them
//! all, so a logout handled by one instance ends a session created on
//! another. An unreachable Redis makes sign-ins, sign-outs and session
//! look-ups fail (closed, 503), never pass.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod config;
mod cookies;
mod pages;
mod sessions;
mod state;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saml_sp::logout::{LogoutInput, LogoutStatus};
use saml_sp::provisioning::decide_with_async;
use saml_sp::team::{LoginSend, ReturnPath};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{Error, ErrorKind, OsRng};
use serde::Deserialize;

use crate::pages::{Failure, SignedOut};
use crate::state::{App, Session};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: web_app CONFIG.json");
        return std::process::ExitCode::from(2);
    };
    let app = match App::load(&path, Utc::now()) {
        Ok(app) => Arc::new(app),
        Err(e) => {
            eprintln!("web_app: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let listen = app.listen;
    let router = router(app);
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("web_app: cannot listen on {listen}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    println!("web_app listening on http://{listen}");
    if let Err(e) = axum::serve(listener, router).await {
        eprintln!("web_app: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/logout", post(logout))
        .route("/saml/{team}/init", get(init))
        .route("/saml/{team}/acs", post(acs))
        .route("/saml/{team}/slo", get(slo_redirect).post(slo_post))
        .route("/saml/{team}/metadata", get(metadata))
        .with_state(app)
}

#[derive(Deserialize)]
struct HomeQuery {
    signed_out: Option<String>,
}

async fn index(
    State(app): State<Arc<App>>,
    Query(query): Query<HomeQuery>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        Ok::<_, Failure>(match current_session(&app, &headers, Utc::now()).await? {
            Some((_, session)) => {
                let slo = app.team(&session.team).ok().and_then(|t| {
                    let endpoints = t.idp().single_logout();
                    endpoints
                        .redirect()
                        .or(endpoints.post())
                        .map(|u| u.as_str().to_owned())
                });
                pages::signed_in(&session, slo.as_deref())
            }
            None => pages::home(
                app.team_links(),
                query.signed_out.as_deref().and_then(SignedOut::parse),
            ),
        })
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("index", ""))
}

/// The browser's session: the ID from its signed cookie, looked up (by its
/// handle) in the session store. A store that fails is an error (503),
/// never "not signed in".
async fn current_session(
    app: &App,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<Option<(String, Session)>, Failure> {
    let Some(id) = app.cookies.session_id(headers) else {
        return Ok(None);
    };
    let handle = sessions::handle(&id);
    Ok(app
        .sessions
        .get(&handle, now)
        .await?
        .map(|session| (handle, session)))
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: Option<String>,
}

/// Sign-out (SP-initiated Single Logout). CSRF: the form carries the
/// session's own random token (compared in constant time); a POST without
/// it, from another site or an old page, ends nothing (403). Then: the app
/// session is destroyed (for every instance) and its cookie cleared,
/// `unregister_session` forgets it, and `start_logout` sends the browser to
/// the IdP with a LogoutRequest for the NameID and SessionIndex of the
/// sign-in; the IdP's LogoutResponse comes back to the team's SLO URL.
async fn logout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let now = Utc::now();
    let mut team_slug = String::new();
    let result = async {
        let Some((handle, session)) = current_session(&app, &headers, now).await? else {
            // Nothing to end (already signed out, or the session expired).
            let mut response = pages::see_other("/");
            pages::add_cookie(&mut response, &app.cookies.clear_session());
            return Ok(response);
        };
        team_slug.clone_from(&session.team);
        if !sessions::csrf_matches(&session, form.csrf.as_deref()) {
            return Err(Failure::CsrfMismatch);
        }
        app.sessions.destroy(std::slice::from_ref(&handle)).await?;
        let mut cookies = vec![app.cookies.clear_session()];
        let team = app.team(&session.team)?;
        // The app session is gone already; a registry entry left behind
        // (registry down) names a session that no longer exists.
        match team
            .unregister_session(&app.login, &session.name_id(), &handle, now)
            .await
        {
            Ok(found) => eprintln!("logout team={} unregistered={found}", team.slug()),
            Err(e) => eprintln!(
                "logout team={} unregister error={} detail={:?}",
                team.slug(),
                e.kind().as_str(),
                e.detail()
            ),
        }
        let (browser, new_cookie) = app.cookies.browser(&headers);
        cookies.extend(new_cookie);
        let return_to = ReturnPath::new(format!("/?signed_out={}", SignedOut::Done.as_str()))?;
        let mut response = match team
            .start_logout(
                &app.login,
                &browser,
                &session.logout_subject(),
                Some(&return_to),
                &mut OsRng,
                now,
            )
            .await
        {
            Ok(start) => {
                eprintln!(
                    "logout team={} request_id={}",
                    team.slug(),
                    start.request_id().as_str()
                );
                send(start.send())?
            }
            Err(e) if e.kind() == ErrorKind::EndpointMissing => {
                eprintln!("logout team={} local_only", team.slug());
                pages::see_other(&format!("/?signed_out={}", SignedOut::Local.as_str()))
            }
            Err(e) => {
                // Signed out here; the IdP could not be asked. Say so.
                let mut page = Failure::Saml(e).into_page("logout", team.slug().as_str());
                for cookie in &cookies {
                    pages::add_cookie(&mut page, cookie);
                }
                return Ok(page);
            }
        };
        for cookie in &cookies {
            pages::add_cookie(&mut response, cookie);
        }
        Ok::<_, Failure>(response)
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("logout", &team_slug))
}

/// A redirect (HTTP-Redirect) or the page that posts (HTTP-POST).
fn send(send: &LoginSend) -> Result<Response, Failure> {
    match send {
        LoginSend::Redirect(url) => Ok(pages::see_other(url)),
        LoginSend::Post(form) => pages::post_form(form),
        _ => Err(Error::new(ErrorKind::ConfigInvalid, "unknown binding").into()),
    }
}

#[derive(Deserialize)]
struct InitQuery {
    return_to: Option<String>,
}

async fn init(
    State(app): State<Arc<App>>,
    Path(team): Path<String>,
    Query(query): Query<InitQuery>,
    headers: HeaderMap,
) -> Response {
    let now = Utc::now();
    let result = async {
        let team = app.team(&team)?;
        let return_to = pages::return_path(query.return_to)?;
        let (browser, new_cookie) = app.cookies.browser(&headers);
        let start = team
            .start_login(&app.login, &browser, Some(&return_to), &mut OsRng, now)
            .await?;
        eprintln!(
            "init team={} request_id={}",
            team.slug(),
            start.request_id().as_str()
        );
        let mut response = send(start.send())?;
        if let Some(cookie) = new_cookie {
            pages::add_cookie(&mut response, &cookie);
        }
        Ok::<_, Failure>(response)
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("init", &team))
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

async fn acs(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let now = Utc::now();
    let result = async {
        let team = app.team(&slug)?;
        // A browser without our cookie has no outstanding request.
        let browser = app
            .cookies
            .browser_id(&headers)
            .unwrap_or_else(cookies::new_browser_id);
        let (posted, relay_state) = (form.saml_response.as_bytes(), form.relay_state.as_deref());
        let login = team
            .finish_login(&app.login, &browser, posted, relay_state, now)
            .await?;
        let decision = decide_with_async(login.assertion(), team, |key, email| {
            app.accounts.lookup(team, key, email)
        })
        .await?;
        eprintln!(
            "acs team={slug} assertion={} idp_initiated={} encrypted={} decision={}",
            login.assertion().assertion_id(),
            login.idp_initiated(),
            login.assertion().encrypted(),
            state::decision_name(&decision)
        );
        let session = app.accounts.apply(team, &login, decision, now)?;
        // Registered first: a session the IdP could not end is never
        // created (a registry that fails refuses the sign-in, 503).
        let id = sessions::new_session_id();
        let handle = sessions::handle(&id);
        let expires = DateTime::from_timestamp(session.expires, 0).unwrap_or(now);
        team.register_session(&app.login, login.assertion(), &handle, expires, now)
            .await?;
        app.sessions.create(&handle, &session, now).await?;
        let mut response = pages::see_other(login.return_to().as_str());
        pages::add_cookie(
            &mut response,
            &app.cookies.session_cookie(&id, session.expires, now),
        );
        Ok::<_, Failure>(response)
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("acs", &slug))
}

/// The HTTP-Redirect binding at the SLO URL: the query string exactly as
/// received (`RawQuery`; decoding and re-encoding it would break the
/// signature, which is over the raw octets).
async fn slo_redirect(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let input = LogoutInput::Redirect(&query);
    let result = match input.is_response() {
        Some(true) => finish_logout(&app, &slug, &headers, input).await,
        _ => idp_logout(&app, &slug, &headers, input).await,
    };
    result.unwrap_or_else(|f| f.into_page("slo", &slug))
}

#[derive(Deserialize)]
struct SloForm {
    #[serde(rename = "SAMLRequest")]
    saml_request: Option<String>,
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

/// The HTTP-POST binding at the SLO URL: the form field's name says which
/// message it is.
async fn slo_post(
    State(app): State<Arc<App>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SloForm>,
) -> Response {
    let relay_state = form.relay_state.as_deref();
    let result = match (&form.saml_request, &form.saml_response) {
        (Some(request), None) => {
            let input = LogoutInput::Post {
                value: request.as_bytes(),
                relay_state,
            };
            idp_logout(&app, &slug, &headers, input).await
        }
        (None, Some(response)) => {
            let input = LogoutInput::Post {
                value: response.as_bytes(),
                relay_state,
            };
            finish_logout(&app, &slug, &headers, input).await
        }
        _ => Err(Failure::NotALogoutMessage),
    };
    result.unwrap_or_else(|f| f.into_page("slo", &slug))
}

/// The IdP's LogoutResponse to our sign-out: verified against the
/// LogoutRequest IDs this browser has outstanding (its browser cookie: a
/// top-level GET carries it with SameSite=Lax, and over https it is
/// SameSite=None so that a cross-site POST does too; the session cookie is
/// not needed, that session ended at `/logout`).
async fn finish_logout(
    app: &App,
    slug: &str,
    headers: &HeaderMap,
    input: LogoutInput<'_>,
) -> Result<Response, Failure> {
    let team = app.team(slug)?;
    let browser = app
        .cookies
        .browser_id(headers)
        .unwrap_or_else(cookies::new_browser_id);
    let finished = team
        .finish_logout(&app.login, &browser, input, Utc::now())
        .await?;
    eprintln!(
        "slo team={slug} logout_response status={}",
        finished.status().as_str()
    );
    Ok(match finished.status() {
        LogoutStatus::Success => pages::see_other(finished.return_to().as_str()),
        _ => pages::see_other(&format!("/?signed_out={}", SignedOut::Partial.as_str())),
    })
}

/// An IdP-initiated LogoutRequest: verified, used once, the registered
/// sessions it names ended (destroyed in the session store for every
/// instance), then our LogoutResponse back to the IdP. If the session
/// store fails, no LogoutResponse is sent (503): the IdP is never told that
/// a session ended that may not have. This browser's session cookie, when
/// it names one of the ended sessions, is cleared too (a cross-site POST
/// does not carry it, which does not matter: the session is gone on the
/// server).
async fn idp_logout(
    app: &App,
    slug: &str,
    headers: &HeaderMap,
    input: LogoutInput<'_>,
) -> Result<Response, Failure> {
    let now = Utc::now();
    let team = app.team(slug)?;
    let handled = team
        .handle_logout_request(&app.login, input, &mut OsRng, now)
        .await?;
    let ended = handled.ended_sessions();
    let destroyed = app.sessions.destroy(ended).await?;
    let this_browser = app
        .cookies
        .session_id(headers)
        .map(|id| sessions::handle(&id))
        .is_some_and(|h| ended.contains(&h));
    eprintln!(
        "slo team={slug} logout_request request_id={} ended_sessions={} destroyed={destroyed} this_browser={this_browser}",
        handled.request().request_id(),
        ended.len()
    );
    let mut response = send(handled.send())?;
    if this_browser {
        pages::add_cookie(&mut response, &app.cookies.clear_session());
    }
    Ok(response)
}

/// The team's SP metadata: `TeamConfig::sp_metadata` (entity ID, ACS, the
/// SLO URL for both bindings), the SP's signing certificate (we sign our
/// requests) and its encryption certificates (the IdP may encrypt
/// assertions to them).
async fn metadata(State(app): State<Arc<App>>, Path(team): Path<String>) -> Response {
    let result = (|| {
        let team = app.team(&team)?;
        let mut metadata = team.sp_metadata();
        if let Some(cert) = &app.signing_certificate {
            metadata = metadata.with_signing_certificate(cert.clone());
        }
        for cert in &app.encryption_certificates {
            metadata = metadata.with_encryption_certificate(cert.clone());
        }
        let xml = metadata.to_xml()?;
        Ok::<_, Failure>(
            (
                [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
                xml,
            )
                .into_response(),
        )
    })();
    result.unwrap_or_else(|f| f.into_page("metadata", &team))
}
