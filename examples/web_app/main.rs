//! `web_app`: a multi-team SAML service provider on axum, built on saml-sp.
//!
//! ```text
//! cargo run --example web_app -- examples/web_app/config.json
//! cargo run --example web_app --features redis -- CONFIG   # with "store": {"kind": "redis", ...}
//! ```
//!
//! Routes, for each team in the configuration:
//! - `GET /saml/{team}/init?return_to=/path` builds an AuthnRequest
//!   (HTTP-Redirect), remembers its ID for this browser, and redirects to the
//!   team's IdP. `return_to` must be a local path (never an open redirect);
//!   it travels as RelayState.
//! - `POST /saml/{team}/acs` takes the browser's outstanding request IDs,
//!   verifies the SAMLResponse for that team, passes the one-time-use check,
//!   decides just-in-time provisioning, starts a session (signed, HttpOnly,
//!   SameSite=Lax, Secure over https) and redirects to the RelayState path.
//! - `GET /saml/{team}/metadata` serves the team's SP metadata.
//! - `GET /` shows who is signed in; `POST /logout` ends the session.
//!
//! A failed sign-in shows "Sign-in failed" with a message that is safe to
//! show; the precise error kind and detail go to the log (stderr), never to
//! the browser.
//!
//! Storage: with `"store": {"kind": "memory"}` one process keeps requests and
//! used assertions in memory; with `{"kind": "redis", "url": ...}` (cargo
//! feature `redis`) several instances behind a load balancer share them. An
//! unreachable Redis makes sign-ins fail (closed), never pass.
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
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use saml_sp::OsRng;
use saml_sp::metadata::SpMetadata;
use saml_sp::provisioning::{asserted_email, decide, subject_key};
use saml_sp::store::{DEFAULT_REQUEST_LIFETIME, TrackerKey};
use saml_sp::time::{Clock, SystemClock};
use serde::Deserialize;

use crate::pages::Failure;
use crate::state::{App, Session};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: web_app CONFIG.json");
        return std::process::ExitCode::from(2);
    };
    let app = match App::load(&path, SystemClock.now()).await {
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
    let now = SystemClock.now();
    match app.session(&headers, now) {
        Some(session) => pages::signed_in(&session).into_response(),
        None => pages::home(app.team_links()).into_response(),
    }
}

async fn logout(State(app): State<Arc<App>>) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_owned()),
            (header::SET_COOKIE, app.clear_session_cookie()),
        ],
    )
        .into_response()
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
    let now = SystemClock.now();
    let result = async {
        let team = app.team(&team)?;
        let return_to = match query.return_to.as_deref() {
            None => "/",
            Some(path) => pages::local_path(path).ok_or(Failure::BadReturnPath)?,
        };
        let (redirect, request_id) = team.requests.redirect(Some(return_to), &mut OsRng, now)?;
        let (browser, new_cookie) = app.browser_id(&headers);
        let key = TrackerKey::new(team.config.slug().as_str(), &browser)?;
        app.stores
            .remember(&key, &request_id, now + DEFAULT_REQUEST_LIFETIME, now)
            .await?;
        eprintln!(
            "init team={} request_id={}",
            team.config.slug(),
            request_id.as_str()
        );
        let mut response = (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, redirect.into_url())],
        )
            .into_response();
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
    Path(team): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let now = SystemClock.now();
    let result = async {
        let team = app.team(&team)?;
        // The requests this browser started for this team (taken: one-time).
        let expected = match app.known_browser_id(&headers) {
            Some(browser) => {
                let key = TrackerKey::new(team.config.slug().as_str(), &browser)?;
                app.stores.take(&key, now).await?
            }
            None => Vec::new(),
        };
        let verified = team
            .verifier
            .verify(form.saml_response.as_bytes(), &expected, now)?;
        let fresh = app.stores.check_replay(verified, now).await?;
        // Provisioning: look the person up by stable key, then by email.
        let key = subject_key(&fresh, &team.config).map_err(Failure::Refused)?;
        let email = asserted_email(&fresh).map_err(Failure::Refused)?;
        let known = app.accounts.lookup(&team.config, &key, &email);
        let decision = decide(&fresh, &team.config, &known);
        eprintln!(
            "acs team={} assertion={} signed={} decision={}",
            team.config.slug(),
            fresh.assertion_id(),
            fresh.signed().as_str(),
            state::decision_name(&decision)
        );
        let session: Session = app.accounts.apply(&team.config, decision, now)?;
        let target = form
            .relay_state
            .as_deref()
            .and_then(pages::local_path)
            .unwrap_or("/");
        let mut response = (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, target.to_owned())],
        )
            .into_response();
        pages::add_cookie(&mut response, &app.session_cookie(&session));
        Ok::<_, Failure>(response)
    }
    .await;
    result.unwrap_or_else(|f| f.into_page("acs", &team))
}

async fn metadata(State(app): State<Arc<App>>, Path(team): Path<String>) -> Response {
    let result = (|| {
        let team = app.team(&team)?;
        let sp = team.config.sp();
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
