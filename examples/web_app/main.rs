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
//!   just-in-time provisioning (`decide_with_async` on the account table), a
//!   session (signed, HttpOnly, SameSite=Lax, Secure over https; it ends no
//!   later than the IdP's SessionNotOnOrAfter) and a redirect to
//!   `Login::return_to` (always a local path). A team with
//!   `"allow_idp_initiated": true` also takes a Response that answers no
//!   request (the IdP's portal); the signed-in page then says so.
//! - `GET /saml/{team}/metadata` serves the team's SP metadata.
//! - `GET /` shows who is signed in; `POST /logout` ends the session.
//!
//! A failed sign-in shows "Sign-in failed" with a message that is safe to
//! show, with the status of the error's class (503 transient, 500
//! configuration, 403 refused); the precise error kind and detail go to the
//! log (stderr), never to the browser.
//!
//! Storage: with `"store": {"kind": "memory"}` one process keeps requests and
//! used assertions in memory (`LoginContext::in_memory`); with
//! `{"kind": "redis", "url": ...}` (cargo feature `redis`) several instances
//! behind a load balancer share them. An unreachable Redis makes sign-ins
//! fail (closed), never pass.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod config;
mod cookies;
mod pages;
mod state;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saml_sp::metadata::SpMetadata;
use saml_sp::provisioning::decide_with_async;
use saml_sp::team::LoginSend;
use saml_sp::time::Utc;
use saml_sp::{Error, ErrorKind, OsRng};
use serde::Deserialize;

use crate::pages::Failure;
use crate::state::App;

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
        .route("/saml/{team}/metadata", get(metadata))
        .with_state(app)
}

async fn index(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match app.cookies.session(&headers, Utc::now()) {
        Some(session) => pages::signed_in(&session),
        None => pages::home(app.team_links()),
    }
}

async fn logout(State(app): State<Arc<App>>) -> Response {
    let mut response = pages::see_other("/");
    pages::add_cookie(&mut response, &app.cookies.clear_session());
    response
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
        let mut response = match start.send() {
            LoginSend::Redirect(url) => pages::see_other(url),
            LoginSend::Post(form) => pages::post_form(form)?,
            _ => return Err(Error::new(ErrorKind::ConfigInvalid, "unknown binding").into()),
        };
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
            "acs team={slug} assertion={} idp_initiated={} decision={}",
            login.assertion().assertion_id(),
            login.idp_initiated(),
            state::decision_name(&decision)
        );
        let session = app.accounts.apply(team, &login, decision, now)?;
        let mut response = pages::see_other(login.return_to().as_str());
        pages::add_cookie(&mut response, &app.cookies.session_cookie(&session, now));
        Ok::<_, Failure>(response)
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("acs", &slug))
}

async fn metadata(State(app): State<Arc<App>>, Path(team): Path<String>) -> Response {
    let result = (|| {
        let team = app.team(&team)?;
        let sp = team.sp();
        let xml = SpMetadata::new(sp.entity_id().clone(), sp.acs_url().clone()).to_xml()?;
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
