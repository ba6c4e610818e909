//! SAML Response verification: real IdP recordings at their pinned time,
//! xmlsec1-signed Azure-shaped responses, one-time use.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use saml_sp::response::{AzureGroups, RequiredSignature};
use saml_sp::store::{MemoryReplayCache, ReplayCache, StoreFuture, ready};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    EndpointUrl, EntityId, ErrorKind, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate,
};

mod common;
use common::{ACS, IDP, REQUEST, SP, fixtures, fresh, now, real_verifier, request, time, verifier};

#[path = "common/real_recordings.rs"]
mod real_recordings;
use real_recordings::real_recordings_dir;

fn dsig_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("dsig").join(name)).unwrap()
}

#[test]
fn azure_shaped_responses_signed_by_xmlsec1() {
    for (file, signed) in [
        ("assertion-signed.xml", "assertion"),
        ("response-signed.xml", "response"),
        ("both-signed.xml", "both"),
        ("pretty-crlf.xml", "assertion"),
        ("inclusive-namespaces.xml", "assertion"),
        ("rsa-sha512.xml", "assertion"),
    ] {
        let a = fresh(
            verifier()
                .verify(&dsig_fixture(file), &request(), now())
                .unwrap_or_else(|e| panic!("{file}: {e:?}")),
        );
        assert_eq!(a.signed().as_str(), signed, "{file}");
        assert_eq!(a.name_id(), "alice@acme.example", "{file}");
        assert_eq!(a.issuer().as_str(), IDP);
        assert_eq!(a.audience().as_str(), SP);
        assert_eq!(a.in_response_to(), Some(REQUEST));
    }
}

#[test]
fn what_a_verified_assertion_carries() {
    let a = fresh(
        verifier()
            .verify(&dsig_fixture("assertion-signed.xml"), &request(), now())
            .unwrap(),
    );
    assert_eq!(a.assertion_id(), "_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d");
    assert_eq!(a.response_id(), "_5f0c7e3a-9b2d-4c1e-8a6f-3d2b1c0e9f87");
    assert_eq!(
        a.name_id_format(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(
        a.session_index(),
        Some("_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d")
    );
    assert_eq!(a.authn_instant(), time("2026-03-02T09:58:41.517Z"));
    assert_eq!(a.not_on_or_after(), time("2026-03-02T11:00:00.120Z"));
    assert!(a.authn_context_class_ref().is_some());
    let azure = a.azure();
    assert_eq!(azure.email(), Some("alice@acme.example"));
    assert_eq!(
        azure.tenant_id(),
        Some("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    );
    assert!(azure.object_id().is_some());
    assert!(azure.given_name().is_some());
    assert!(azure.surname().is_some());
    assert!(azure.display_name().is_some());
    assert_eq!(
        azure.groups(),
        AzureGroups::Listed(vec![
            "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
            "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
        ])
    );
    assert!(azure.mfa());
    assert!(a.attributes().iter().all(|attr| attr.values().len() > 0));
}

fn provisioning_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("provisioning").join(name)).unwrap()
}

/// The Azure claim helpers on the xmlsec1-signed responses of
/// `fixtures/provisioning` (the tenant's scenario, signed by idp-a).
#[test]
fn azure_group_overage_roles_and_identity_provider() {
    let claims_of = |file: &str| {
        fresh(
            verifier()
                .verify(&provisioning_fixture(file), &request(), now())
                .unwrap_or_else(|e| panic!("{file}: {e:?}")),
        )
    };

    // More than 150 groups: no groups claim, the Graph link instead.
    let overage = claims_of("azure-group-overage.xml");
    let groups = overage.azure().groups();
    assert_eq!(
        groups,
        AzureGroups::Overage {
            link: "https://graph.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/users/\
                   7c9e6679-7425-40de-944b-e07fc1f90ae7/getMemberObjects"
        }
    );
    assert_eq!(groups.listed(), None);
    assert_eq!(
        groups.contains("3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
        None,
        "overage says nothing about membership"
    );
    assert!(overage.azure().roles().is_empty());

    // App roles next to a listed set of groups.
    let roles = claims_of("azure-roles.xml");
    let azure = roles.azure();
    assert_eq!(azure.roles(), ["Reports.Reader", "Billing.Admin"]);
    let groups = azure.groups();
    assert_eq!(
        groups.listed(),
        Some(
            &[
                "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
            ][..]
        )
    );
    assert_eq!(
        groups.contains("6ba7b810-9dad-41d1-80b4-00c04fd430c8"),
        Some(true)
    );
    assert_eq!(groups.contains("6ba7b810"), Some(false));
    assert_eq!(azure.identity_provider(), Some(IDP));
    assert_eq!(
        azure.auth_methods(),
        [
            "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password",
            "http://schemas.microsoft.com/claims/multipleauthn"
        ]
    );
    assert!(azure.mfa());

    // A B2B guest: authenticated by its home tenant, with a password only.
    let guest = claims_of("azure-guest.xml");
    let azure = guest.azure();
    assert_eq!(
        azure.identity_provider(),
        Some("https://sts.windows.net/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d/")
    );
    assert_ne!(azure.identity_provider(), Some(guest.issuer().as_str()));
    assert_eq!(
        azure.auth_methods(),
        ["http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"]
    );
    assert!(!azure.mfa());
    assert_eq!(azure.groups(), AzureGroups::NotSent);
    assert!(azure.roles().is_empty());
}

#[test]
fn base64_form_value_with_line_breaks() {
    use base64::Engine as _;
    let xml = dsig_fixture("assertion-signed.xml");
    let encoded = base64::engine::general_purpose::STANDARD.encode(&xml);
    let wrapped: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n");
    let a = fresh(
        verifier()
            .verify(wrapped.as_bytes(), &request(), now())
            .unwrap(),
    );
    assert_eq!(a.name_id(), "alice@acme.example");
}

#[test]
fn required_signature_options() {
    let v = verifier().required_signature(RequiredSignature::Response);
    assert_eq!(
        v.verify(&dsig_fixture("assertion-signed.xml"), &request(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::ResponseNotSigned
    );
    assert!(
        v.verify(&dsig_fixture("response-signed.xml"), &request(), now())
            .is_ok()
    );
    let v = verifier().required_signature(RequiredSignature::Both);
    assert_eq!(
        v.verify(&dsig_fixture("response-signed.xml"), &request(), now())
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionNotSigned
    );
    assert!(
        v.verify(&dsig_fixture("both-signed.xml"), &request(), now())
            .is_ok()
    );
}

#[test]
fn request_ids_and_unsolicited() {
    let xml = dsig_fixture("assertion-signed.xml");
    let other = vec![RequestId::new("id-other").unwrap()];
    assert_eq!(
        verifier().verify(&xml, &other, now()).unwrap_err().kind(),
        ErrorKind::InResponseToMismatch
    );
    // InResponseTo present but nothing expected: refused, even when
    // unsolicited responses are allowed.
    assert_eq!(
        verifier()
            .allow_unsolicited(true)
            .verify(&xml, &[], now())
            .unwrap_err()
            .kind(),
        ErrorKind::InResponseToMismatch
    );
    // One of several pending requests.
    let several = vec![
        RequestId::new("id-other").unwrap(),
        RequestId::new(REQUEST).unwrap(),
    ];
    assert!(verifier().verify(&xml, &several, now()).is_ok());
}

#[test]
fn time_window_with_skew() {
    let xml = dsig_fixture("assertion-signed.xml");
    // NotOnOrAfter 11:00:00.120 + 180 s skew.
    assert!(
        verifier()
            .verify(&xml, &request(), time("2026-03-02T11:03:00Z"))
            .is_ok()
    );
    assert_eq!(
        verifier()
            .verify(&xml, &request(), time("2026-03-02T11:03:00.120Z"))
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionExpired
    );
    // NotBefore 09:55:00.120 - 180 s skew.
    assert!(
        verifier()
            .verify(&xml, &request(), time("2026-03-02T09:52:00.120Z"))
            .is_ok()
    );
    assert_eq!(
        verifier()
            .verify(&xml, &request(), time("2026-03-02T09:52:00.119Z"))
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionNotYetValid
    );
    let strict = verifier().clock_skew(chrono::TimeDelta::zero()).unwrap();
    assert_eq!(
        strict
            .verify(&xml, &request(), time("2026-03-02T11:00:00.120Z"))
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionExpired
    );
}

#[test]
fn clock_skew_is_bounded() {
    for bad in [
        chrono::TimeDelta::seconds(-1),
        chrono::TimeDelta::seconds(601),
    ] {
        assert_eq!(
            verifier().clock_skew(bad).unwrap_err().kind(),
            ErrorKind::ConfigInvalid
        );
    }
}

#[test]
fn wrong_configuration_is_refused_by_the_right_check() {
    let cert = || {
        SigningCertificate::parse(&std::fs::read(fixtures().join("keys/idp-a.crt.pem")).unwrap())
            .unwrap()
    };
    let xml = dsig_fixture("assertion-signed.xml");
    let build = |sp: &str, acs: &str, idp: &str| {
        ResponseVerifier::new(
            EntityId::new(sp).unwrap(),
            EndpointUrl::new(acs).unwrap(),
            EntityId::new(idp).unwrap(),
            IdpCertSet::new([cert()], now()).unwrap(),
        )
    };
    let kind = |v: ResponseVerifier| v.verify(&xml, &request(), now()).unwrap_err().kind();
    // Another team's SP entity ID: the audience check.
    assert_eq!(
        kind(build("https://sso.example.com/saml/other", ACS, IDP)),
        ErrorKind::AudienceMismatch
    );
    // Another ACS URL: the response's Destination.
    assert_eq!(
        kind(build(SP, "https://sso.example.com/saml/other/acs", IDP)),
        ErrorKind::DestinationMismatch
    );
    // Another IdP (same key, as 2014-era Azure AD shared one across tenants).
    assert_eq!(
        kind(build(SP, ACS, "https://sts.windows.net/other/")),
        ErrorKind::IssuerMismatch
    );
}

// ---- one-time use ------------------------------------------------------------

#[test]
fn replay_is_refused() {
    let cache = MemoryReplayCache::new(100);
    let xml = dsig_fixture("assertion-signed.xml");
    let fresh = verifier()
        .verify(&xml, &request(), now())
        .unwrap()
        .check_replay(&cache, now())
        .unwrap();
    assert_eq!(fresh.name_id(), "alice@acme.example");
    let again = verifier().verify(&xml, &request(), now()).unwrap();
    assert_eq!(
        again.check_replay(&cache, now()).unwrap_err().kind(),
        ErrorKind::AssertionReplayed
    );
    // The same assertion ID for another team (another SP entity ID) is
    // another key.
    let a = verifier().verify(&xml, &request(), now()).unwrap();
    assert_eq!(a.replay_key().as_str().len(), 64);
    assert_eq!(a.replay_expiry(), time("2026-03-02T11:03:00.120Z"));
}

#[test]
fn replay_keys_are_per_team() {
    let xml = dsig_fixture("assertion-signed.xml");
    let a = verifier().verify(&xml, &request(), now()).unwrap();
    // Same bytes accepted under another SP entity ID would be refused by the
    // audience check, so compare keys built from two configurations that
    // both accept: only the SP entity ID differs in the key input.
    let cert =
        SigningCertificate::parse(&std::fs::read(fixtures().join("keys/idp-a.crt.pem")).unwrap())
            .unwrap();
    let other_idp = ResponseVerifier::new(
        EntityId::new(SP).unwrap(),
        EndpointUrl::new(ACS).unwrap(),
        EntityId::new(IDP).unwrap(),
        IdpCertSet::new([cert], now()).unwrap(),
    );
    let b = other_idp.verify(&xml, &request(), now()).unwrap();
    assert_eq!(a.replay_key(), b.replay_key());
    let cache = MemoryReplayCache::new(10);
    let key_a = a.replay_key();
    let team_b = saml_sp::store::ReplayKey::clone(&key_a);
    assert!(
        ready(ReplayCache::insert_if_absent(
            &cache,
            &key_a,
            a.replay_expiry(),
            now()
        ))
        .unwrap()
    );
    assert!(
        !ready(ReplayCache::insert_if_absent(
            &cache,
            &team_b,
            a.replay_expiry(),
            now()
        ))
        .unwrap()
    );
}

#[test]
fn memory_cache_is_bounded_and_fails_closed() {
    let cache = MemoryReplayCache::new(1);
    let xml = dsig_fixture("assertion-signed.xml");
    let other = dsig_fixture("response-signed.xml");
    verifier()
        .verify(&xml, &request(), now())
        .unwrap()
        .check_replay(&cache, now())
        .unwrap();
    // Full of a live entry: the next login fails closed instead of evicting.
    let err = verifier()
        .verify(&other, &request(), now())
        .unwrap()
        .check_replay(&cache, now())
        .unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::ReplayCacheUnavailable | ErrorKind::AssertionReplayed
    ));
    // Once the first entry has expired it is purged and there is room.
    let later = time("2026-03-02T11:03:30Z");
    assert!(
        ready(ReplayCache::insert_if_absent(
            &cache,
            &verifier()
                .verify(&xml, &request(), now())
                .unwrap()
                .replay_key(),
            later + chrono::TimeDelta::hours(1),
            later
        ))
        .unwrap()
    );
    assert_eq!(cache.len(), 1);
}

#[test]
fn expired_by_the_time_of_the_replay_check() {
    let cache = MemoryReplayCache::new(10);
    let a = verifier()
        .verify(&dsig_fixture("assertion-signed.xml"), &request(), now())
        .unwrap();
    assert_eq!(
        a.check_replay(&cache, time("2026-03-02T12:00:00Z"))
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionExpired
    );
    assert!(cache.is_empty());
}

/// A cache whose store is down: logins fail closed.
struct Unreachable;

impl ReplayCache for Unreachable {
    fn insert_if_absent<'a>(
        &'a self,
        _: &'a saml_sp::store::ReplayKey,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        Box::pin(std::future::ready(Err(saml_sp::Error::new(
            ErrorKind::ReplayCacheUnavailable,
            "connection refused",
        ))))
    }
}

#[test]
fn an_unreachable_store_fails_closed() {
    let a = verifier()
        .verify(&dsig_fixture("assertion-signed.xml"), &request(), now())
        .unwrap();
    assert_eq!(
        a.check_replay(&Unreachable, now()).unwrap_err().kind(),
        ErrorKind::ReplayCacheUnavailable
    );
}

#[test]
fn async_replay_check() {
    let cache = MemoryReplayCache::new(10);
    let xml = dsig_fixture("assertion-signed.xml");
    let first = verifier().verify(&xml, &request(), now()).unwrap();
    let fresh = block_on(first.check_replay_async(&cache, now())).unwrap();
    assert_eq!(fresh.name_id(), "alice@acme.example");
    let second = verifier().verify(&xml, &request(), now()).unwrap();
    assert_eq!(
        block_on(second.check_replay_async(&cache, now()))
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionReplayed
    );
}

/// A minimal executor for futures that complete without waiting.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = Waker::from(std::sync::Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

// ---- real IdP recordings -------------------------------------------------------

/// Recordings the source repository calls valid that we refuse on purpose,
/// with the kind and the reason.
const DELIBERATE: &[(&str, ErrorKind, &str)] = &[
    (
        "okta/crewjam-2020-signed-response-encrypted-assertion.xml",
        ErrorKind::EncryptedAssertionUnsupported,
        "this table gives the verifier no SP decryption key; tests/xmlenc.rs decrypts it \
         with the key the manifest names",
    ),
    (
        "onelogin/passportsaml-2014-response.xml",
        ErrorKind::ConfigInvalid,
        "its signed Destination and Recipient are the literal placeholder {recipient}: \
         no ACS URL can be configured to match it",
    ),
    (
        "other/crewjam-2017-secureworks-assertion-signed.xml",
        ErrorKind::SubjectConfirmationInvalid,
        "its bearer SubjectConfirmationData carries NotBefore, which the Web SSO profile \
         (saml-profiles 4.1.4.2) forbids",
    ),
    (
        "shibboleth/crewjam-2021-samltest-artifact-response.xml",
        ErrorKind::ResponseMalformed,
        "a SOAP ArtifactResponse, not an HTTP-POST Response",
    ),
];

/// Every VALID response verifies at its pinned time with the parameters the
/// manifest gives (SHA-1 ones with allow_sha1); every INVALID one is refused.
#[test]
fn real_recordings() {
    let Some(dir) = real_recordings_dir("every real response against its expected verdict") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for row in manifest.as_array().unwrap() {
        if row["kind"] != "response" {
            continue;
        }
        let file = row["file"].as_str().unwrap();
        let verdict = row["verdict"].as_str().unwrap();
        let at = time(row["now"].as_str().unwrap());
        let outcome = verify_real(&dir, row, at);
        let expected_kind = DELIBERATE.iter().find(|(f, _, _)| *f == file);
        let ok = match (verdict, &outcome, expected_kind) {
            (_, Err(kind), Some((_, expected, _))) => kind == expected,
            ("valid", Ok(()), None) => true,
            ("valid", Err(_), None) => false,
            (_, Err(_), None) => true,
            (_, Ok(()), _) => false,
        };
        report.push(format!("{file}: {verdict} -> {outcome:?}"));
        if !ok {
            failures.push(format!(
                "{file}: manifest says {verdict}, we say {outcome:?}"
            ));
        }
    }
    println!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(report.len() >= 30, "only {} rows", report.len());
}

fn verify_real(dir: &Path, row: &serde_json::Value, at: DateTime<Utc>) -> Result<(), ErrorKind> {
    let s = |key: &str| row[key].as_str();
    let assertion = fresh_real(dir, row, at).map_err(|e| e.kind())?;
    if let Some(expected) = s("name_id") {
        assert_eq!(
            assertion.name_id().trim(),
            expected,
            "{}",
            s("file").unwrap()
        );
    }
    Ok(())
}

/// A real recording verified with the parameters of its manifest row (SHA-1
/// ones with allow_sha1) at `at`, and replay-checked.
fn fresh_real(
    dir: &Path,
    row: &serde_json::Value,
    at: DateTime<Utc>,
) -> saml_sp::Result<saml_sp::FreshAssertion> {
    let (verifier, requests) = real_verifier(dir, row, at, None)?;
    let xml = std::fs::read(dir.join(row["file"].as_str().unwrap())).unwrap();
    Ok(fresh(verifier.verify(&xml, &requests, at)?))
}

/// The Azure claim helpers on the real Azure AD responses that verify: the
/// claims they carry come out under the names the helpers read (members of
/// the tenant, password sign-in, no group or role claim configured).
#[test]
fn real_azure_claims() {
    let Some(dir) = real_recordings_dir("the Azure claims of every real Azure AD response") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut seen = 0;
    for row in manifest.as_array().unwrap() {
        if row["kind"] != "response" || row["verdict"] != "valid" || row["idp"] != "Azure AD" {
            continue;
        }
        let file = row["file"].as_str().unwrap();
        let at = time(row["now"].as_str().unwrap());
        let assertion = fresh_real(&dir, row, at).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let azure = assertion.azure();
        let issuer = row["issuer"].as_str().unwrap();
        assert_eq!(azure.identity_provider(), Some(issuer), "{file}");
        assert_eq!(
            azure.auth_methods(),
            ["http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"],
            "{file}"
        );
        assert!(!azure.mfa(), "{file}");
        assert_eq!(azure.groups(), AzureGroups::NotSent, "{file}");
        assert!(azure.roles().is_empty(), "{file}");
        assert!(
            azure.tenant_id().is_some_and(|t| issuer.contains(t)),
            "{file}"
        );
        seen += 1;
    }
    assert!(seen >= 2, "only {seen} Azure AD responses");

    // Every claim type the helpers read, except authnmethodsreferences
    // (carried by the responses above), is one the tenants' federation
    // metadata offers (groups.link as "GroupsOverageClaim").
    use saml_sp::response::azure_claims as c;
    let offered = [
        c::EMAIL,
        c::GIVEN_NAME,
        c::SURNAME,
        c::NAME,
        c::DISPLAY_NAME,
        c::OBJECT_ID,
        c::TENANT_ID,
        c::GROUPS,
        c::GROUPS_LINK,
        c::ROLE,
        c::IDENTITY_PROVIDER,
    ];
    let mut documents = 0;
    for row in manifest.as_array().unwrap() {
        if row["kind"] != "metadata" || row["idp"] != "Azure AD" {
            continue;
        }
        let file = row["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for claim in offered {
            assert!(
                text.contains(&format!("ClaimType Uri=\"{claim}\"")),
                "{file} does not offer {claim}"
            );
        }
        documents += 1;
    }
    assert!(
        documents >= 3,
        "only {documents} Azure AD metadata documents"
    );
}

/// An assertion valid for months (as Keycloak can be set up) is usable for
/// an hour after its IssueInstant, and its one-time-use entry lives no
/// longer: a replay cache entry cannot be made to outlive two hours.
#[test]
fn assertion_life_is_capped_at_max_assertion_age() {
    let xml = std::fs::read(fixtures().join("attacks/lifetime-months.xml")).unwrap();
    let assertion = verifier().verify(&xml, &request(), now()).unwrap();
    let issued = time("2026-03-02T10:00:00.120Z");
    assert_eq!(
        assertion.not_on_or_after(),
        issued + saml_sp::response::MAX_ASSERTION_AGE
    );
    assert_eq!(
        assertion.replay_expiry(),
        issued + saml_sp::response::MAX_ASSERTION_AGE + saml_sp::response::DEFAULT_CLOCK_SKEW
    );
    // Verified in time, used too late: refused at the one-time-use check.
    let late = assertion.replay_expiry();
    let err = assertion
        .check_replay(&MemoryReplayCache::new(4), late)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionExpired);

    let err = verifier().verify(&xml, &request(), late).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionExpired);
}
