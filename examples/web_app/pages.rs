//! HTML pages, the failure page, and small HTTP helpers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use saml_sp::provisioning::Refusal;
use saml_sp::{ErrorClass, ErrorKind};

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
}

impl From<saml_sp::Error> for Failure {
    fn from(e: saml_sp::Error) -> Self {
        Self::Saml(e)
    }
}

impl Failure {
    pub(crate) fn into_page(self, route: &str, team: &str) -> Response {
        let team = escape(team);
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
                    "Sign-in failed",
                    &format!(
                        "<p>Sign-in failed: {}.</p><p>Please try again from your team's sign-in page.</p>",
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

/// `path` if it is a local path safe to redirect to: starts with one `/`,
/// no `//` or `/\` (protocol-relative URLs), printable ASCII without
/// backslashes, at most 80 bytes (the RelayState limit).
pub(crate) fn local_path(path: &str) -> Option<&str> {
    let ok = path.len() <= 80
        && path.starts_with('/')
        && !path.starts_with("//")
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    ok.then_some(path)
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
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n{body}\n<p><a href=\"/\">Home</a></p></body></html>\n"
    );
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; form-action 'self'"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn home(teams: Vec<(String, String)>) -> Response {
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
        &format!("<p>Sign in with your team's identity provider:</p><ul>{list}</ul>"),
    )
}

pub(crate) fn signed_in(session: &Session) -> Response {
    let pending = if session.email_verification_pending {
        "<p id=\"verification\">Email verification pending: we sent a link to your address.</p>"
    } else {
        ""
    };
    page(
        StatusCode::OK,
        "Signed in",
        &format!(
            "<p>Signed in as <span id=\"email\">{}</span> ({}) in team <span id=\"team\">{}</span> \
             with role <span id=\"role\">{}</span>.</p>{pending}\
             <form method=\"post\" action=\"/logout\"><button type=\"submit\">Sign out</button></form>",
            escape(&session.email),
            escape(session.name.as_deref().unwrap_or("no name")),
            escape(&session.team),
            escape(&session.role)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_return_targets() {
        for ok in ["/", "/dashboard", "/a/b?c=d&e=f#g"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "dashboard",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/a b",
            "/\u{e9}",
            "/\n",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(80))), None);
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
