//! HTML pages, the failure page, and small HTTP helpers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saml_sp::provisioning::Refusal;
use saml_sp::request::PostForm;
use saml_sp::team::ReturnPath;
use saml_sp::time::DateTime;
use saml_sp::{Csprng as _, ErrorClass, ErrorKind, OsRng};

use crate::state::Session;

/// Why a request failed. The page says only what is safe to show; the log
/// line (stderr) has the precise kind and detail.
pub(crate) enum Failure {
    UnknownTeam,
    BadReturnPath,
    Saml(saml_sp::Error),
    Refused(Refusal),
    /// A provisioning outcome that is not a session (confirm by email).
    Pending(&'static str),
    /// The IdP's SessionNotOnOrAfter has passed: no session to start.
    SessionEnded,
    /// The account table cannot be read (a real app: its database is down).
    AccountTable,
    /// The app's session store failed (503): nobody is signed in or out.
    SessionStore(String),
    /// A sign-out whose CSRF token is not the session's (403; the session
    /// stays).
    CsrfMismatch,
    /// A message at the SLO URL that is neither a LogoutRequest nor a
    /// LogoutResponse (400).
    NotALogoutMessage,
}

impl From<saml_sp::Error> for Failure {
    fn from(e: saml_sp::Error) -> Self {
        Self::Saml(e)
    }
}

impl From<crate::sessions::StoreDown> for Failure {
    fn from(e: crate::sessions::StoreDown) -> Self {
        Self::SessionStore(e.0)
    }
}

impl Failure {
    pub(crate) fn into_page(self, route: &str, team: &str) -> Response {
        let team = escape(team);
        // Sign-out routes say "Sign-out failed".
        let (title, doing) = if matches!(route, "slo" | "logout") {
            ("Sign-out failed", "Sign-out")
        } else {
            ("Sign-in failed", "Sign-in")
        };
        match self {
            Self::UnknownTeam => {
                eprintln!("{route} team={team} error=unknown_team");
                page(StatusCode::NOT_FOUND, "Not found", "<p>No such team.</p>")
            }
            Self::BadReturnPath => {
                eprintln!("{route} team={team} error=bad_return_path");
                page(
                    StatusCode::BAD_REQUEST,
                    "Sign-in failed",
                    "<p>The return address must be a path on this site.</p>",
                )
            }
            Self::Saml(e) => {
                eprintln!(
                    "{route} team={team} error={} detail={:?}",
                    e.kind().as_str(),
                    e.detail()
                );
                let status = status_of(e.kind());
                page(
                    status,
                    title,
                    &format!(
                        "<p>{doing} failed: {}.</p><p>Please try again from your team's sign-in page.</p>",
                        escape(&e.to_string())
                    ),
                )
            }
            Self::Refused(r) => {
                eprintln!(
                    "{route} team={team} refused={} detail={:?}",
                    r.reason.as_str(),
                    r.detail
                );
                page(
                    StatusCode::FORBIDDEN,
                    "Sign-in failed",
                    &format!("<p>Sign-in failed: {}.</p>", escape(r.reason.message())),
                )
            }
            Self::SessionEnded => {
                eprintln!("{route} team={team} error=session_ended");
                page(
                    StatusCode::FORBIDDEN,
                    "Sign-in failed",
                    "<p>Sign-in failed: your identity provider's session has already ended.</p>",
                )
            }
            Self::AccountTable => {
                eprintln!("{route} team={team} error=account_table_unavailable");
                page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sign-in failed",
                    "<p>Sign-in is unavailable right now. Please try again later.</p>",
                )
            }
            Self::SessionStore(detail) => {
                eprintln!("{route} team={team} error=session_store_unavailable detail={detail:?}");
                page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    title,
                    &format!("<p>{doing} is unavailable right now. Please try again later.</p>"),
                )
            }
            Self::CsrfMismatch => {
                eprintln!("{route} team={team} error=csrf_token_mismatch");
                page(
                    StatusCode::FORBIDDEN,
                    title,
                    "<p>Sign-out failed: the form did not come from this session. \
                     Sign out with the button on the home page.</p>",
                )
            }
            Self::NotALogoutMessage => {
                eprintln!("{route} team={team} error=not_a_logout_message");
                page(
                    StatusCode::BAD_REQUEST,
                    title,
                    "<p>Sign-out failed: no SAMLRequest or SAMLResponse.</p>",
                )
            }
            Self::Pending(message) => {
                eprintln!("{route} team={team} pending={message:?}");
                page(
                    StatusCode::OK,
                    "Check your email",
                    &format!("<p>{}</p>", escape(message)),
                )
            }
        }
    }
}

/// The HTTP status of a failed sign-in, from the kind's class: our store or
/// cache is down (503, try again later), our setup cannot work (500, the
/// operator must act), or the message was refused (403). A class this
/// version does not know is a refusal.
fn status_of(kind: ErrorKind) -> StatusCode {
    match kind.class() {
        ErrorClass::Transient => StatusCode::SERVICE_UNAVAILABLE,
        ErrorClass::Configuration => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::FORBIDDEN,
    }
}

/// The `return_to` of a sign-in: `/` when absent, else a local path
/// (`ReturnPath`: never another host), else 400.
pub(crate) fn return_path(query: Option<String>) -> Result<ReturnPath, Failure> {
    match query {
        None => Ok(ReturnPath::root()),
        Some(path) => ReturnPath::new(path).map_err(|_| Failure::BadReturnPath),
    }
}

/// `303 See Other` to `location` (a URL of the IdP, or a local path whose
/// non-ASCII bytes pass as they are).
pub(crate) fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_bytes(location.as_bytes())
        .unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// The page that posts an AuthnRequest to an IdP that takes HTTP-POST: its
/// one script runs under a fresh CSP nonce, and the form may post only to
/// the IdP's origin.
pub(crate) fn post_form(form: &PostForm) -> Result<Response, Failure> {
    let mut bytes = [0u8; 18];
    OsRng.fill_random(&mut bytes);
    let nonce = STANDARD.encode(bytes);
    let html = form.html(&nonce)?;
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; form-action {}",
        csp_origin(form.action().as_str()).unwrap_or("'none'")
    );
    let mut response = (StatusCode::OK, Html(html)).into_response();
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `scheme://host[:port]` of an http(s) URL, if it is safe in a CSP source
/// list (no spaces, quotes, `;` or `,`).
fn csp_origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = url.get(..url.len() - rest.len() + host_end)?;
    let safe = !rest.get(..host_end)?.is_empty()
        && origin
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b));
    safe.then_some(origin)
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn add_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_with_csp(
        status,
        title,
        body,
        HeaderValue::from_static("default-src 'none'; form-action 'self'"),
    )
}

fn page_with_csp(status: StatusCode, title: &str, body: &str, csp: HeaderValue) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n{body}\n<p><a href=\"/\">Home</a></p></body></html>\n"
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// How a sign-out ended, for the home page's notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignedOut {
    /// At the app and at the IdP.
    Done,
    /// The IdP says other apps may still be signed in (PartialLogout).
    Partial,
    /// At the app only: the team's IdP has no Single Logout.
    Local,
}

impl SignedOut {
    /// The `signed_out` query value of the home page.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Partial => "partial",
            Self::Local => "local",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        [Self::Done, Self::Partial, Self::Local]
            .into_iter()
            .find(|s| s.as_str() == value)
    }

    fn notice(self) -> &'static str {
        match self {
            Self::Done => {
                "<p id=\"signed-out\">You are signed out, here and at your identity provider.</p>"
            }
            Self::Partial => {
                "<p id=\"signed-out\">You are signed out here. Your identity provider reports \
                 that other apps may still be signed in (partial logout).</p>"
            }
            Self::Local => {
                "<p id=\"signed-out\">You are signed out of this app. Your identity provider \
                 does not offer Single Logout: sign out there too on a shared computer.</p>"
            }
        }
    }
}

pub(crate) fn home(teams: Vec<(String, String)>, signed_out: Option<SignedOut>) -> Response {
    let notice = signed_out.map_or("", SignedOut::notice);
    let mut list = String::new();
    for (slug, url) in teams {
        list.push_str(&format!(
            "<li><a id=\"sign-in-{0}\" href=\"{1}\">Sign in to {0}</a></li>\n",
            escape(&slug),
            escape(&url)
        ));
    }
    page(
        StatusCode::OK,
        "Not signed in",
        &format!("{notice}<p>Sign in with your team's identity provider:</p><ul>{list}</ul>"),
    )
}

/// The signed-in page. Its sign-out form posts to `/logout`, which
/// redirects to the IdP's SingleLogoutService: browsers hold the redirect
/// of a form submission to the page's `form-action` too, so the IdP's
/// origin (`idp_slo_url`'s) is allowed there besides `'self'`.
pub(crate) fn signed_in(session: &Session, idp_slo_url: Option<&str>) -> Response {
    let pending = if session.email_verification_pending {
        "<p id=\"verification\">Email verification pending: we sent a link to your address.</p>"
    } else {
        ""
    };
    // Login CSRF: a Response posted by someone else's page signs the browser
    // in as them. Say plainly how this session started, and as whom.
    let idp_initiated = if session.idp_initiated {
        "<p id=\"idp-initiated\">You signed in from your identity provider (IdP-initiated sign-in). \
         If this is not your account, sign out now.</p>"
    } else {
        ""
    };
    let encrypted = if session.encrypted {
        "<p id=\"encrypted\">Your identity provider sent the assertion encrypted to this app's key.</p>"
    } else {
        ""
    };
    let ends = DateTime::from_timestamp(session.expires, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let csp = match idp_slo_url.and_then(csp_origin) {
        Some(origin) => format!("default-src 'none'; form-action 'self' {origin}"),
        None => "default-src 'none'; form-action 'self'".to_owned(),
    };
    page_with_csp(
        StatusCode::OK,
        "Signed in",
        &format!(
            "<p>Signed in as <span id=\"email\">{}</span> ({}) in team <span id=\"team\">{}</span> \
             with role <span id=\"role\">{}</span>.</p>{idp_initiated}{pending}{encrypted}\
             <p>Session ends <span id=\"expires\">{ends}</span>.</p>\
             <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\" id=\"sign-out\">Sign out</button></form>",
            escape(&session.email),
            escape(session.name.as_deref().unwrap_or("no name")),
            escape(&session.team),
            escape(&session.role),
            escape(&session.csrf)
        ),
        HeaderValue::from_str(&csp)
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; form-action 'self'")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_return_targets() {
        assert_eq!(return_path(None).ok(), Some(ReturnPath::root()));
        for ok in ["/", "/dashboard", "/a/b?c=d&e=f#g"] {
            let path = return_path(Some(ok.into())).ok().unwrap();
            assert_eq!(path.as_str(), ok);
        }
        for bad in [
            "",
            "dashboard",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/a b",
            "/\n",
        ] {
            assert!(
                matches!(return_path(Some(bad.into())), Err(Failure::BadReturnPath)),
                "{bad:?}"
            );
        }
        let long = format!("/{}", "a".repeat(80));
        assert!(matches!(
            return_path(Some(long)),
            Err(Failure::BadReturnPath)
        ));
    }

    #[test]
    fn redirects_carry_the_location_as_is() {
        for location in [
            "/",
            "/a?b=c",
            "/caf\u{e9}",
            "https://idp.example/sso?SAMLRequest=x",
        ] {
            let response = see_other(location);
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                response.headers()[header::LOCATION].as_bytes(),
                location.as_bytes()
            );
        }
    }

    #[test]
    fn the_post_form_may_post_only_to_the_idp_origin() {
        assert_eq!(
            csp_origin("https://idp.example:8443/saml2/sso?x=1"),
            Some("https://idp.example:8443")
        );
        assert_eq!(
            csp_origin("http://127.0.0.1:9000"),
            Some("http://127.0.0.1:9000")
        );
        for bad in [
            "ftp://idp.example/",
            "https://",
            "https://a;b/",
            "https://a b/",
            "https://a,b",
        ] {
            assert_eq!(csp_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn status_follows_the_class() {
        for (kind, status) in [
            (
                ErrorKind::ReplayCacheUnavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                ErrorKind::RequestStoreUnavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                ErrorKind::NoUsableCertificate,
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (ErrorKind::ConfigInvalid, StatusCode::INTERNAL_SERVER_ERROR),
            (ErrorKind::AssertionReplayed, StatusCode::FORBIDDEN),
            (ErrorKind::SignatureInvalid, StatusCode::FORBIDDEN),
        ] {
            assert_eq!(status_of(kind), status, "{}", kind.as_str());
        }
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
