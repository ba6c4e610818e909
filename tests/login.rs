//! The login facade (`TeamConfig::start_login` / `finish_login`): every
//! branch, on the xmlsec1-signed fixtures of the Azure scenario (a Response
//! answering `id4c1b9e0f…`, and an IdP-initiated one without
//! `InResponseTo`), in both the sync and the async form.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{IDP, REQUEST, cert, fixtures, time};
use saml_sp::store::{
    MemoryReplayCache, MemoryRequestTracker, RequestTracker, StoreFuture, TrackerKey,
};
use saml_sp::team::{IDP_INITIATED_MAX_AGE, LoginContext, ReturnPath};
use saml_sp::testing::RecordedRequestId;
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::Binding;
use saml_sp::{
    EndpointUrl, EntityId, ErrorKind, IdpSettings, RequestId, SpUrlLayout, TeamConfig, TeamSlug,
};

const BROWSER: &str = "7f3a9c0e6a1b2d4c5e8f7a9b0c1d2e3f";

fn team(binding: Binding) -> TeamConfig {
    let now = time("2026-03-02T10:00:00Z");
    let idp = IdpSettings::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new(
            "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2",
        )
        .unwrap(),
        binding,
        [cert("idp-a")],
        now,
    )
    .unwrap();
    TeamConfig::new(
        TeamSlug::new("acme").unwrap(),
        &SpUrlLayout::new("https://sso.example.com").unwrap(),
        idp,
    )
    .unwrap()
}

fn response(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(file)).unwrap()
}

/// The solicited fixture (answers `REQUEST`), and the IdP-initiated one.
const SOLICITED: &str = "dsig/assertion-signed.xml";
const UNSOLICITED: &str = "attacks/in-response-to-absent.xml";

/// Both assertions were issued at 10:00:00.120.
fn soon() -> DateTime<Utc> {
    time("2026-03-02T10:00:30Z")
}

#[test]
fn sp_initiated_redirect_round_trip() {
    let team = team(Binding::HttpRedirect);
    let context = LoginContext::in_memory();
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    let back = ReturnPath::new("/projects/42").unwrap();
    let start = team
        .start_login_sync(
            &context,
            BROWSER,
            Some(&back),
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .unwrap();
    assert_eq!(start.request_id().as_str(), REQUEST);
    let url = start.redirect_url().unwrap();
    assert!(url.starts_with("https://login.microsoftonline.com/"));
    assert!(url.contains("RelayState=%2Fprojects%2F42"));
    assert!(start.post_form().is_none());

    let login = team
        .finish_login_sync(
            &context,
            BROWSER,
            &response(SOLICITED),
            Some("/projects/42"),
            soon(),
        )
        .unwrap();
    assert_eq!(login.assertion().name_id(), "alice@acme.example");
    assert_eq!(login.return_to(), &back);
    assert!(!login.idp_initiated());

    // The request was taken: the same post again answers nothing pending.
    let err = team
        .finish_login_sync(&context, BROWSER, &response(SOLICITED), None, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InResponseToMismatch);
}

#[test]
fn sp_initiated_post_binding_gives_a_form() {
    let team = team(Binding::HttpPost);
    let context = LoginContext::in_memory();
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    let start = team
        .start_login_sync(
            &context,
            BROWSER,
            None,
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .unwrap();
    let form = start.post_form().unwrap();
    assert!(form.html("bm9uY2U").unwrap().contains("SAMLRequest"));
    assert!(start.redirect_url().is_none());
}

#[test]
fn another_browser_cannot_use_the_request() {
    let team = team(Binding::HttpRedirect);
    let context = LoginContext::in_memory();
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    team.start_login_sync(
        &context,
        BROWSER,
        None,
        &mut rng,
        time("2026-03-02T10:00:00Z"),
    )
    .unwrap();
    let err = team
        .finish_login_sync(
            &context,
            "another-browser",
            &response(SOLICITED),
            None,
            soon(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InResponseToMismatch);
}

#[test]
fn a_relay_state_that_is_not_a_local_path_lands_on_the_landing_page() {
    let mut team = team(Binding::HttpRedirect);
    team.set_landing_page(ReturnPath::new("/home").unwrap());
    let context = LoginContext::in_memory();
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    team.start_login_sync(
        &context,
        BROWSER,
        None,
        &mut rng,
        time("2026-03-02T10:00:00Z"),
    )
    .unwrap();
    for evil in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        // The RelayState of a solicited response came back through the
        // browser too: checked all the same.
        let context = LoginContext::in_memory();
        let mut rng = RecordedRequestId::new(REQUEST).unwrap();
        team.start_login_sync(
            &context,
            BROWSER,
            None,
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .unwrap();
        let login = team
            .finish_login_sync(&context, BROWSER, &response(SOLICITED), Some(evil), soon())
            .unwrap();
        assert_eq!(login.return_to().as_str(), "/home", "{evil}");
    }
}

#[test]
fn idp_initiated_is_refused_unless_the_team_allows_it() {
    let team = team(Binding::HttpRedirect);
    assert!(!team.allow_idp_initiated());
    let err = team
        .finish_login_sync(
            &LoginContext::in_memory(),
            BROWSER,
            &response(UNSOLICITED),
            None,
            soon(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsolicitedResponse);
}

#[test]
fn idp_initiated_allowed_fresh_once_with_a_local_relay_state_only() {
    let mut team = team(Binding::HttpRedirect);
    team.set_allow_idp_initiated(true);
    let context = LoginContext::in_memory();
    let login = team
        .finish_login_sync(
            &context,
            BROWSER,
            &response(UNSOLICITED),
            Some("/reports"),
            soon(),
        )
        .unwrap();
    assert!(login.idp_initiated());
    assert_eq!(login.assertion().in_response_to(), None);
    assert_eq!(login.return_to().as_str(), "/reports");
    // One-time use as always.
    let err = team
        .finish_login_sync(
            &context,
            "another-browser",
            &response(UNSOLICITED),
            None,
            soon(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionReplayed);
    // An open-redirect RelayState from the IdP: the landing page instead.
    let login = team
        .finish_login_sync(
            &LoginContext::in_memory(),
            BROWSER,
            &response(UNSOLICITED),
            Some("https://evil.example/phish"),
            soon(),
        )
        .unwrap();
    assert_eq!(login.return_to().as_str(), "/");
}

#[test]
fn idp_initiated_is_refused_while_the_browser_waits_for_an_answer() {
    let mut team = team(Binding::HttpRedirect);
    team.set_allow_idp_initiated(true);
    let context = LoginContext::in_memory();
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    team.start_login_sync(
        &context,
        BROWSER,
        None,
        &mut rng,
        time("2026-03-02T10:00:00Z"),
    )
    .unwrap();
    let err = team
        .finish_login_sync(&context, BROWSER, &response(UNSOLICITED), None, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsolicitedResponse);
}

#[test]
fn idp_initiated_must_be_recent() {
    let mut team = team(Binding::HttpRedirect);
    team.set_allow_idp_initiated(true);
    // Issued at 10:00:00.120; 90 s plus the 180 s default skew.
    let last = time("2026-03-02T10:04:30.120Z");
    assert_eq!(IDP_INITIATED_MAX_AGE.num_seconds(), 90);
    let ok = team.finish_login_sync(
        &LoginContext::in_memory(),
        BROWSER,
        &response(UNSOLICITED),
        None,
        last,
    );
    assert!(ok.is_ok(), "{ok:?}");
    let late = time("2026-03-02T10:04:30.121Z");
    let err = team
        .finish_login_sync(
            &LoginContext::in_memory(),
            BROWSER,
            &response(UNSOLICITED),
            None,
            late,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseTooOld);
}

#[test]
fn the_async_form_takes_the_same_steps() {
    let team = team(Binding::HttpRedirect);
    let context = LoginContext::new(
        Arc::new(MemoryRequestTracker::new(10)),
        Arc::new(MemoryReplayCache::new(10)),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut rng = RecordedRequestId::new(REQUEST).unwrap();
        team.start_login(
            &context,
            BROWSER,
            None,
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .await
        .unwrap();
        let login = team
            .finish_login(&context, BROWSER, &response(SOLICITED), None, soon())
            .await
            .unwrap();
        assert_eq!(login.into_assertion().name_id(), "alice@acme.example");
    });
}

/// A tracker that never answers at once, as a networked store.
struct Pending;

impl RequestTracker for Pending {
    fn remember<'a>(
        &'a self,
        _: &'a TrackerKey,
        _: &'a RequestId,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::pending())
    }

    fn take<'a>(&'a self, _: &'a TrackerKey, _: DateTime<Utc>) -> StoreFuture<'a, Vec<RequestId>> {
        Box::pin(std::future::pending())
    }
}

#[test]
fn the_sync_form_refuses_an_asynchronous_store() {
    let team = team(Binding::HttpRedirect);
    let context = LoginContext::new(Arc::new(Pending), Arc::new(MemoryReplayCache::new(10)));
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    let err = team
        .start_login_sync(
            &context,
            BROWSER,
            None,
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    let err = team
        .finish_login_sync(&context, BROWSER, &response(SOLICITED), None, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

#[test]
fn a_request_needs_a_browser_id() {
    let team = team(Binding::HttpRedirect);
    let mut rng = RecordedRequestId::new(REQUEST).unwrap();
    let err = team
        .start_login_sync(&LoginContext::in_memory(), "", None, &mut rng, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

#[test]
fn recorded_request_ids_are_checked() {
    for bad in [
        "",
        "id",
        "4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f",
        "idzz1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f",
    ] {
        assert_eq!(
            RecordedRequestId::new(bad).unwrap_err().kind(),
            ErrorKind::ConfigInvalid,
            "{bad:?}"
        );
    }
}

/// Both futures can be spawned on a multi-threaded runtime (axum, tokio).
#[test]
fn the_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let team = team(Binding::HttpRedirect);
    let context = LoginContext::in_memory();
    let mut rng = saml_sp::OsRng;
    send(team.start_login(&context, BROWSER, None, &mut rng, soon()));
    send(team.finish_login(&context, BROWSER, b"", None, soon()));
}

/// The SP's decryption keys come with the context (not the team): an
/// encrypted Azure response signs in; a team that requires encryption
/// refuses the cleartext one; a context without keys refuses encryption.
#[test]
fn encrypted_assertions_through_the_facade() {
    use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
    let key = SpDecryptionKey::from_pem(
        &std::fs::read_to_string(fixtures().join("keys/sp-enc.key.pem")).unwrap(),
    )
    .unwrap();
    let with_keys = LoginContext::in_memory().with_decryption_keys(SpDecryptionKeys::new(key));
    let mut team = team(Binding::HttpRedirect);
    team.set_require_encrypted_assertion(true);
    let encrypted = "xmlenc/alg-aes256cbc-rsaoaepmgf1p-sha1-azure.xml";
    let start = |context: &LoginContext| {
        let mut rng = RecordedRequestId::new(REQUEST).unwrap();
        team.start_login_sync(
            context,
            BROWSER,
            None,
            &mut rng,
            time("2026-03-02T10:00:00Z"),
        )
        .unwrap();
    };
    start(&with_keys);
    let login = team
        .finish_login_sync(&with_keys, BROWSER, &response(encrypted), None, soon())
        .unwrap();
    assert_eq!(login.assertion().name_id(), "alice@acme.example");
    assert!(login.assertion().encrypted());

    start(&with_keys);
    let err = team
        .finish_login_sync(&with_keys, BROWSER, &response(SOLICITED), None, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionNotEncrypted);

    let without = LoginContext::in_memory();
    start(&without);
    let err = team
        .finish_login_sync(&without, BROWSER, &response(encrypted), None, soon())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EncryptedAssertionUnsupported);
}
