//! Single Logout: the corpus of `fixtures/logout/manifest.json` (signed by
//! xmlsec1 and openssl) in one table test, each case giving exactly its
//! expected kind and, when accepted, exactly its values; then every other
//! rejection path with its exact kind, replay, the builders' round trips
//! and the Azure issuer alias.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;

use chrono::TimeDelta;
use saml_sp::binding::RedirectMessage;
use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::logout::{
    LogoutInput, LogoutRequestBuilder, LogoutResponseBuilder, LogoutStatus, LogoutSubject,
    LogoutVerifier, azure_logout_issuer_alias,
};
use saml_sp::response::NameId;
use saml_sp::store::MemoryReplayCache;
use saml_sp::testing::RecordedRequestId;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    EndpointUrl, EntityId, ErrorKind, IdpCertSet, IdpMetadata, Limits, RequestId, SpSigningKey,
};
use serde_json::Value;

use common::{cert, fixtures, time};

const SP: &str = "https://sso.example.com/saml/acme";
const SLO: &str = "https://sso.example.com/saml/acme/slo";
const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const ALIAS: &str = "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const KEPT: &str = "id7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a";

fn dir() -> PathBuf {
    fixtures().join("logout")
}

fn now() -> DateTime<Utc> {
    time("2026-03-02T10:01:00Z")
}

fn verifier() -> LogoutVerifier {
    LogoutVerifier::new(
        EntityId::new(SP).unwrap(),
        EndpointUrl::new(SLO).unwrap(),
        EntityId::new(IDP).unwrap(),
        IdpCertSet::new([cert("idp-a")], now()).unwrap(),
    )
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

/// The SP decryption key `fixtures/keys/<name>.key.pem`.
fn decryption_key(name: &str) -> SpDecryptionKey {
    let pem = std::fs::read_to_string(fixtures().join(format!("keys/{name}.key.pem"))).unwrap();
    SpDecryptionKey::from_pem(&pem).unwrap()
}

/// The query string of a `.url` file, exactly as received.
fn query(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes)
        .unwrap()
        .split_once('?')
        .unwrap()
        .1
}

fn input<'a>(binding: &str, bytes: &'a [u8]) -> LogoutInput<'a> {
    match binding {
        "redirect" => LogoutInput::Redirect(query(bytes)),
        _ => LogoutInput::Post {
            value: bytes,
            relay_state: None,
        },
    }
}

/// The verdict of one manifest case as the manifest writes it.
fn run(case: &Value) -> Value {
    let mut v = verifier();
    if case["allow_sha1"] == Value::Bool(true) {
        v = v.allow_sha1(true);
    }
    if case["allow_unsigned"] == Value::Bool(true) {
        v = v.dangerous_allow_unsigned(true);
    }
    if let Some(alias) = case["issuer_alias"].as_str() {
        v = v.response_issuer_alias(Some(EntityId::new(alias).unwrap()));
    }
    if let Some(keys) = case["decryption_keys"].as_array() {
        let keys = keys.iter().map(|k| decryption_key(k.as_str().unwrap()));
        v = v.decryption_keys(SpDecryptionKeys::from_keys(keys).unwrap());
    }
    if case["allow_tripledes"] == Value::Bool(true) {
        v = v.allow_tripledes(true);
    }
    let now = time(case["now"].as_str().unwrap());
    let bytes = read(case["file"].as_str().unwrap());
    let binding = case["binding"].as_str().unwrap();
    let redirect = binding == "redirect";
    let msg = input(binding, &bytes);
    let result = match case["kind"].as_str().unwrap() {
        "logout_request" => v
            .verify_request(msg, now)
            .and_then(|r| r.check_replay(&MemoryReplayCache::new(4), now))
            .map(|r| {
                let mut out = serde_json::json!({
                    "ok": true,
                    "name_id": r.name_id().value,
                    "session_indexes": r.session_indexes(),
                });
                if let Some(q) = &r.name_id().name_qualifier {
                    out["name_qualifier"] = q.as_str().into();
                }
                if let Some(q) = &r.name_id().sp_name_qualifier {
                    out["sp_name_qualifier"] = q.as_str().into();
                }
                if r.name_id_encrypted() {
                    out["name_id_format"] = r.name_id().format.as_deref().into();
                    out["encrypted"] = true.into();
                } else if case["expect"].get("name_id_format").is_some() {
                    // The real-shape rows state the Format as sent.
                    out["name_id_format"] = r.name_id().format.as_deref().into();
                }
                if redirect {
                    out["relay_state"] = r.relay_state().into();
                }
                out
            }),
        "logout_response" => {
            let kept = RequestId::new(case["request_id"].as_str().unwrap()).unwrap();
            v.verify_response(msg, &[kept], now).map(|r| {
                let mut out = serde_json::json!({"ok": true, "status": r.status().as_str()});
                if redirect {
                    out["relay_state"] = r.relay_state().into();
                }
                out
            })
        }
        other => panic!("unknown kind {other}"),
    };
    result.unwrap_or_else(|e| serde_json::json!({"error": e.kind().as_str()}))
}

#[test]
fn manifest_cases_give_exactly_their_verdicts() {
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 87, "the corpus has 87 rows");
    let mut failures = Vec::new();
    for case in cases {
        let got = run(case);
        if got != case["expect"] {
            failures.push(format!(
                "{}: expected {}, got {}",
                case["case"], case["expect"], got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_scenario_is_the_manifests() {
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let s = &manifest["scenario"];
    assert_eq!(s["sp_entity_id"], SP);
    assert_eq!(s["sp_slo_url"], SLO);
    assert_eq!(s["idp_entity_id"], IDP);
    assert_eq!(s["request_id"], KEPT);
    assert_eq!(s["clock_skew_seconds"], 180);
    assert_eq!(s["now"], "2026-03-02T10:01:00Z");
}

fn post(xml: &[u8]) -> LogoutInput<'_> {
    LogoutInput::Post {
        value: xml,
        relay_state: None,
    }
}

fn request_kind(xml: &[u8]) -> ErrorKind {
    verifier()
        .dangerous_allow_unsigned(true)
        .verify_request(post(xml), now())
        .unwrap_err()
        .kind()
}

/// An unsigned LogoutRequest (accepted only with the opt-in) with `attrs`
/// on the root and `body` inside.
fn unsigned_request(attrs: &str, body: &str) -> Vec<u8> {
    format!(
        r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" {attrs}>{body}</samlp:LogoutRequest>"#
    )
    .into_bytes()
}

const ROOT: &str = r#"ID="_r1" Version="2.0" IssueInstant="2026-03-02T10:00:30Z" Destination="https://sso.example.com/saml/acme/slo""#;
const ISSUER: &str =
    "<saml:Issuer>https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/</saml:Issuer>";
const NAME_ID: &str = "<saml:NameID>alice@acme.example</saml:NameID>";

#[test]
fn unsigned_opt_in_still_runs_every_other_check() {
    let ok = unsigned_request(ROOT, &format!("{ISSUER}{NAME_ID}"));
    let r = verifier()
        .dangerous_allow_unsigned(true)
        .verify_request(post(&ok), now())
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
    assert!(!r.is_signed());
    assert!(r.session_indexes().is_empty());
    // Without the opt-in: signature_missing.
    assert_eq!(
        verifier()
            .verify_request(post(&ok), now())
            .unwrap_err()
            .kind(),
        ErrorKind::SignatureMissing
    );
}

#[test]
fn every_request_rejection_has_its_kind() {
    use ErrorKind::*;
    let body = format!("{ISSUER}{NAME_ID}");
    let cases: Vec<(Vec<u8>, ErrorKind)> = vec![
        // Root.
        (
            br#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="2026-03-02T10:00:30Z"/>"#.to_vec(),
            LogoutRequestMalformed,
        ),
        (unsigned_request(&ROOT.replace("2.0\"", "1.1\""), &body), LogoutRequestMalformed),
        (unsigned_request(&ROOT.replace("ID=\"_r1\"", ""), &body), LogoutRequestMalformed),
        (unsigned_request(&ROOT.replace("IssueInstant=\"2026-03-02T10:00:30Z\"", ""), &body), LogoutRequestMalformed),
        (unsigned_request(&ROOT.replace("2026-03-02T10:00:30Z", "yesterday"), &body), LogoutRequestMalformed),
        // Shape.
        (unsigned_request(ROOT, ISSUER), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}{NAME_ID}{NAME_ID}")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:NameID> </saml:NameID>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:BaseID/>{NAME_ID}")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:EncryptedID/><saml:BaseID/>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:EncryptedID/>{NAME_ID}")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:EncryptedID/><saml:EncryptedID/>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:EncryptedID>{NAME_ID}</saml:EncryptedID>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}<samlp:Extensions><saml:EncryptedID/></samlp:Extensions>")), LogoutRequestMalformed),
        // A well-placed EncryptedID in an unsigned message: never decrypted,
        // whatever the opt-in.
        (unsigned_request(ROOT, &format!("{ISSUER}<saml:EncryptedID/>")), SignatureMissing),
        (unsigned_request(ROOT, &format!("{ISSUER}<samlp:Extensions>{NAME_ID}</samlp:Extensions>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}{NAME_ID}<samlp:SessionIndex> </samlp:SessionIndex>")), LogoutRequestMalformed),
        (unsigned_request(ROOT, &format!("{ISSUER}{ISSUER}{NAME_ID}")), LogoutRequestMalformed),
        // Issuer.
        (unsigned_request(ROOT, NAME_ID), IssuerMismatch),
        (unsigned_request(ROOT, &format!("<saml:Issuer>https://evil.example/</saml:Issuer>{NAME_ID}")), IssuerMismatch),
        (unsigned_request(ROOT, &format!("{}{NAME_ID}", ISSUER.replace("<saml:Issuer>", "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">"))), IssuerMismatch),
        // The Azure alias is for LogoutResponses only.
        (unsigned_request(ROOT, &format!("<saml:Issuer>{ALIAS}</saml:Issuer>{NAME_ID}")), IssuerMismatch),
        // Destination.
        (unsigned_request(&ROOT.replace(" Destination=\"https://sso.example.com/saml/acme/slo\"", ""), &body), DestinationMismatch),
        (unsigned_request(&ROOT.replace("/slo\"", "/acs\""), &body), DestinationMismatch),
        // Time: NotOnOrAfter past, or issued too long ago.
        (unsigned_request(&format!("{ROOT} NotOnOrAfter=\"2026-03-02T09:57:59Z\""), &body), LogoutRequestExpired),
        (unsigned_request(&format!("{ROOT} NotOnOrAfter=\"soon\""), &body), LogoutRequestMalformed),
        (unsigned_request(&ROOT.replace("2026-03-02T10:00:30Z", "2026-03-02T09:47:59Z"), &body), LogoutRequestExpired),
        // Input.
        (b"<samlp:LogoutRequest".to_vec(), XmlMalformed),
        (b"PD94".to_vec(), XmlMalformed),
        (b"!!!".to_vec(), InputNotBase64),
    ];
    for (xml, kind) in cases {
        assert_eq!(
            request_kind(&xml),
            kind,
            "{}",
            String::from_utf8_lossy(&xml)
        );
    }
    // Just inside the bounds: accepted.
    let at_edge = unsigned_request(
        &format!(
            "{} NotOnOrAfter=\"2026-03-02T09:58:01Z\"",
            ROOT.replace("2026-03-02T10:00:30Z", "2026-03-02T09:48:01Z")
        ),
        &body,
    );
    verifier()
        .dangerous_allow_unsigned(true)
        .verify_request(post(&at_edge), now())
        .unwrap();
}

#[test]
fn redirect_input_rejections_have_their_kinds() {
    let v = verifier();
    let valid = read("lr-redirect-valid-relaystate.url");
    let q = query(&valid);
    // A LogoutRequest query where a LogoutResponse is expected, and back.
    let kept = RequestId::new(KEPT).unwrap();
    assert_eq!(
        v.verify_response(LogoutInput::Redirect(q), std::slice::from_ref(&kept), now())
            .unwrap_err()
            .kind(),
        ErrorKind::QueryMalformed
    );
    let resp = read("lresp-redirect-success.url");
    assert_eq!(
        v.verify_request(LogoutInput::Redirect(query(&resp)), now())
            .unwrap_err()
            .kind(),
        ErrorKind::QueryMalformed
    );
    for (bad, kind) in [
        ("RelayState=x", ErrorKind::QueryMalformed),
        ("SAMLRequest=%zz", ErrorKind::QueryMalformed),
        ("SAMLRequest=AAAA", ErrorKind::InputNotDeflate),
        ("SAMLRequest=****", ErrorKind::InputNotBase64),
    ] {
        assert_eq!(
            v.verify_request(LogoutInput::Redirect(bad), now())
                .unwrap_err()
                .kind(),
            kind,
            "{bad}"
        );
    }
    // Too large before any decoding.
    let mut limits = Limits::default();
    limits.max_input_bytes = 64;
    let small = verifier().limits(limits);
    assert_eq!(
        small
            .verify_request(LogoutInput::Redirect(q), now())
            .unwrap_err()
            .kind(),
        ErrorKind::InputTooLarge
    );
    // A POST RelayState longer than the bindings allow.
    let xml = read("lr-post-valid.xml");
    let long = "x".repeat(81);
    assert_eq!(
        v.verify_request(
            LogoutInput::Post {
                value: &xml,
                relay_state: Some(&long)
            },
            now()
        )
        .unwrap_err()
        .kind(),
        ErrorKind::RelayStateTooLong
    );
}

#[test]
fn certificates_must_be_valid_now() {
    let later = time("2040-01-01T00:00:00Z");
    let xml = read("lr-post-valid.xml");
    let err = verifier().verify_request(post(&xml), later).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableCertificate);
}

/// A LogoutRequest issued in the future (beyond the clock skew) is refused:
/// its one-time-use entry would be kept until `IssueInstant` + 10 minutes,
/// so one from the year 9999 (anyone's, with the unsigned opt-in) stayed
/// in the replay cache the sign-ins share for ever, and enough of them
/// filled it (every sign-in then `replay_cache_unavailable`).
#[test]
fn a_logout_request_from_the_future_is_refused() {
    let body = format!("{ISSUER}{NAME_ID}");
    for issued in ["9999-12-31T23:59:59Z", "2026-03-02T10:04:01Z"] {
        let xml = unsigned_request(&ROOT.replace("2026-03-02T10:00:30Z", issued), &body);
        assert_eq!(
            request_kind(&xml),
            ErrorKind::LogoutRequestExpired,
            "{issued}"
        );
    }
    // Within the skew (now + 180 s): accepted, remembered at most
    // IssueInstant + 600 s + skew.
    let xml = unsigned_request(
        &ROOT.replace("2026-03-02T10:00:30Z", "2026-03-02T10:04:00Z"),
        &body,
    );
    let verified = verifier()
        .dangerous_allow_unsigned(true)
        .verify_request(post(&xml), now())
        .unwrap();
    assert_eq!(
        verified.replay_expiry(),
        common::time("2026-03-02T10:17:00Z")
    );
}

#[test]
fn a_logout_request_is_used_once() {
    let cache = MemoryReplayCache::new(8);
    let xml = read("lr-post-valid.xml");
    let first = verifier().verify_request(post(&xml), now()).unwrap();
    assert!(first.replay_expiry() > now());
    first.check_replay(&cache, now()).unwrap();
    let again = verifier().verify_request(post(&xml), now()).unwrap();
    assert_eq!(
        again.check_replay(&cache, now()).unwrap_err().kind(),
        ErrorKind::LogoutRequestReplayed
    );
    // The same message over Redirect has the same ID: also refused.
    let url = read("lr-redirect-valid-relaystate.url");
    let redirect = verifier()
        .verify_request(LogoutInput::Redirect(query(&url)), now())
        .unwrap();
    assert_eq!(
        redirect.check_replay(&cache, now()).unwrap_err().kind(),
        ErrorKind::LogoutRequestReplayed
    );
    // Verified in time, used too late: expired, not recorded.
    let late = verifier().verify_request(post(&xml), now()).unwrap();
    let at = late.replay_expiry();
    assert_eq!(
        late.check_replay(&MemoryReplayCache::new(1), at)
            .unwrap_err()
            .kind(),
        ErrorKind::LogoutRequestExpired
    );
}

fn response(attrs: &str, issuer: &str, status: &str) -> Vec<u8> {
    format!(
        r#"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_p1" Version="2.0" IssueInstant="2026-03-02T10:00:45Z" Destination="https://sso.example.com/saml/acme/slo" {attrs}>{issuer}{status}</samlp:LogoutResponse>"#
    )
    .into_bytes()
}

const IRT: &str = r#"InResponseTo="id7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a""#;
const SUCCESS: &str = r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#;

#[test]
fn every_response_rejection_has_its_kind() {
    use ErrorKind::*;
    let v = verifier().dangerous_allow_unsigned(true);
    let kept = [RequestId::new(KEPT).unwrap()];
    let verdict = |xml: &[u8], expected: &[RequestId]| {
        v.verify_response(post(xml), expected, now())
            .map(|r| r.status())
            .map_err(|e| e.kind())
    };
    assert_eq!(
        verdict(&response(IRT, ISSUER, SUCCESS), &kept),
        Ok(LogoutStatus::Success)
    );
    let partial = SUCCESS.replace(
        "/>",
        r#"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:PartialLogout"/></samlp:StatusCode>"#,
    );
    assert_eq!(
        verdict(&response(IRT, ISSUER, &partial), &kept),
        Ok(LogoutStatus::PartialLogout)
    );
    for (xml, expected, kind) in [
        (
            response(IRT, ISSUER, ""),
            &kept[..],
            LogoutResponseMalformed,
        ),
        (
            response(IRT, ISSUER, "<samlp:Status/>"),
            &kept[..],
            LogoutResponseMalformed,
        ),
        (
            response(IRT, ISSUER, &SUCCESS.replace("Success", "Requester")),
            &kept[..],
            StatusNotSuccess,
        ),
        (
            response(IRT, ISSUER, &partial.replace(":Success", ":Responder")),
            &kept[..],
            StatusNotSuccess,
        ),
        (response(IRT, "", SUCCESS), &kept[..], IssuerMismatch),
        (
            response(IRT, &format!("<saml:Issuer>{ALIAS}</saml:Issuer>"), SUCCESS),
            &kept[..],
            IssuerMismatch,
        ),
        (
            response("", ISSUER, SUCCESS),
            &kept[..],
            InResponseToMismatch,
        ),
        (response(IRT, ISSUER, SUCCESS), &[], InResponseToMismatch),
        (
            response(IRT, ISSUER, SUCCESS).replace_str("Version=\"2.0\"", ""),
            &kept[..],
            LogoutResponseMalformed,
        ),
        (
            response(IRT, ISSUER, SUCCESS).replace_str("/slo\"", "/acs\""),
            &kept[..],
            DestinationMismatch,
        ),
        (
            response(IRT, ISSUER, SUCCESS).replace_str("LogoutResponse", "Response"),
            &kept[..],
            LogoutResponseMalformed,
        ),
    ] {
        assert_eq!(
            verdict(&xml, expected),
            Err(kind),
            "{}",
            String::from_utf8_lossy(&xml)
        );
    }
    // The alias is accepted exactly, not as a prefix or in another case.
    let aliased = verifier()
        .dangerous_allow_unsigned(true)
        .response_issuer_alias(Some(EntityId::new(ALIAS).unwrap()));
    for (issuer, ok) in [
        (ALIAS.to_owned(), true),
        (IDP.to_owned(), true),
        (ALIAS.trim_end_matches('/').to_owned(), false),
        (ALIAS.to_uppercase(), false),
        (format!("{ALIAS}x"), false),
    ] {
        let xml = response(
            IRT,
            &format!("<saml:Issuer>{issuer}</saml:Issuer>"),
            SUCCESS,
        );
        let got = aliased.verify_response(post(&xml), &kept, now());
        assert_eq!(got.is_ok(), ok, "{issuer}: {got:?}");
        if !ok {
            assert_eq!(got.unwrap_err().kind(), IssuerMismatch);
        }
    }
}

trait ReplaceStr {
    fn replace_str(&self, from: &str, to: &str) -> Vec<u8>;
}

impl ReplaceStr for Vec<u8> {
    fn replace_str(&self, from: &str, to: &str) -> Vec<u8> {
        String::from_utf8(self.clone())
            .unwrap()
            .replace(from, to)
            .into_bytes()
    }
}

#[test]
fn azure_alias_is_derived_for_tenants_only() {
    let idp = EntityId::new(IDP).unwrap();
    assert_eq!(azure_logout_issuer_alias(&idp).unwrap().as_str(), ALIAS);
    for other in [
        "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/app-id",
        "https://sts.windows.net/not-a-guid/",
        "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0x/",
        "http://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
        "urn:saml-sp:testbed:simplesamlphp",
    ] {
        assert!(
            azure_logout_issuer_alias(&EntityId::new(other).unwrap()).is_none(),
            "{other}"
        );
    }
}

fn subject() -> LogoutSubject {
    LogoutSubject::new(NameId {
        value: "alice@acme.example".into(),
        format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
        name_qualifier: Some(IDP.into()),
        sp_name_qualifier: Some(SP.into()),
    })
    .with_session_index("_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d")
    .with_session_index("_d9c8b7a6-5f4e-4d3c-8b2a-1f0e9d8c7b6a")
}

/// An IdP with SingleLogoutService for both bindings (Shibboleth-shaped).
fn shibboleth() -> IdpMetadata {
    saml_sp::metadata::IdpMetadataReader::new()
        .with_entity_id(EntityId::new("https://idp.example.org/idp/shibboleth").unwrap())
        .read(
            &std::fs::read(fixtures().join("metadata/aggregate-signed.xml")).unwrap(),
            now(),
        )
        .unwrap()
}

fn sp_key() -> SpSigningKey {
    SpSigningKey::from_pem(&std::fs::read_to_string(fixtures().join("keys/sp.key.pem")).unwrap())
        .unwrap()
        .with_certificate(cert("sp"))
        .unwrap()
}

/// Our own LogoutRequests, read back by the verifier as if we were the IdP
/// (SP and IdP swapped), over both bindings, signed and unsigned.
#[test]
fn built_requests_verify_both_bindings() {
    let metadata = IdpMetadata::parse(
        &std::fs::read(fixtures().join("metadata/azure-app-signed.xml")).unwrap(),
        now(),
    )
    .unwrap();
    let slo = metadata.single_logout().redirect().unwrap().clone();
    // The IdP's view: our entity ID is the issuer, its SLO URL the destination.
    let as_idp = |certs: IdpCertSet| {
        LogoutVerifier::new(
            EntityId::new(IDP).unwrap(),
            slo.clone(),
            EntityId::new(SP).unwrap(),
            certs,
        )
    };
    let sp_certs = IdpCertSet::new([cert("sp")], now()).unwrap();
    let builder = LogoutRequestBuilder::new(EntityId::new(SP).unwrap(), &metadata);
    let mut rng = RecordedRequestId::new(KEPT).unwrap();

    // Unsigned Redirect: the IdP sees exactly our subject.
    let (redirect, id) = builder
        .redirect(&subject(), Some("/signed-out"), &mut rng, now())
        .unwrap();
    assert_eq!(id.as_str(), KEPT);
    let q = redirect.url().split_once('?').unwrap().1;
    let seen = as_idp(sp_certs.clone())
        .dangerous_allow_unsigned(true)
        .verify_request(LogoutInput::Redirect(q), now())
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
    assert_eq!(seen.request_id(), KEPT);
    assert_eq!(seen.name_id(), subject().name_id());
    assert_eq!(seen.session_indexes(), subject().session_indexes());
    assert_eq!(seen.relay_state(), Some("/signed-out"));
    assert!(!seen.is_signed());
    assert!(
        redirect
            .xml()
            .contains(r#"NotOnOrAfter="2026-03-02T10:11:00Z""#)
    );

    // Signed Redirect and POST verify under our certificate only.
    let signed = builder.clone().sign_with(sp_key());
    let (redirect, _) = signed
        .redirect(&subject(), None, &mut saml_sp::OsRng, now())
        .unwrap();
    let q = redirect.url().split_once('?').unwrap().1;
    let seen = as_idp(sp_certs.clone())
        .verify_request(LogoutInput::Redirect(q), now())
        .unwrap();
    assert!(
        seen.check_replay(&MemoryReplayCache::new(1), now())
            .unwrap()
            .is_signed()
    );
    assert_eq!(
        as_idp(IdpCertSet::new([cert("idp-a")], now()).unwrap())
            .verify_request(LogoutInput::Redirect(q), now())
            .unwrap_err()
            .kind(),
        ErrorKind::SignatureInvalid
    );

    // Azure's metadata has no HTTP-POST SingleLogoutService.
    assert_eq!(
        signed
            .post(&subject(), None, &mut saml_sp::OsRng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::EndpointMissing
    );
    let both = shibboleth();
    {
        let post_slo = both.single_logout().post().cloned().unwrap();
        let builder =
            LogoutRequestBuilder::new(EntityId::new(SP).unwrap(), &both).sign_with(sp_key());
        let (form, _) = builder
            .post(&subject(), Some("/bye"), &mut saml_sp::OsRng, now())
            .unwrap();
        assert_eq!(form.field_name(), "SAMLRequest");
        assert!(form.html("bm9uY2U").unwrap().contains("Signing out"));
        let seen = LogoutVerifier::new(
            both.entity_id().clone(),
            post_slo,
            EntityId::new(SP).unwrap(),
            sp_certs,
        )
        .verify_request(
            LogoutInput::Post {
                value: form.value().as_bytes(),
                relay_state: form.relay_state(),
            },
            now(),
        )
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
        assert_eq!(seen.relay_state(), Some("/bye"));
        assert!(seen.certificate().is_some());
    }
}

#[test]
fn builder_refusals_have_their_kinds() {
    let metadata = azure_metadata();
    let builder = LogoutRequestBuilder::new(EntityId::new(SP).unwrap(), &metadata);
    let mut rng = saml_sp::OsRng;
    let bad = |name_id: &str| {
        LogoutSubject::new(NameId {
            value: name_id.into(),
            format: None,
            name_qualifier: None,
            sp_name_qualifier: None,
        })
    };
    for subject in [bad(""), bad("  "), bad("a\u{0}b"), bad(&"x".repeat(1025))] {
        assert_eq!(
            builder
                .redirect(&subject, None, &mut rng, now())
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
    }
    let mut many = bad("alice");
    for n in 0..17 {
        many = many.with_session_index(format!("s{n}"));
    }
    assert_eq!(
        builder
            .redirect(&many, None, &mut rng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::ConfigInvalid
    );
    assert_eq!(
        builder
            .redirect(&bad("alice"), Some(&"r".repeat(81)), &mut rng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::RelayStateTooLong
    );
    // Signing required and no key: a configuration error, never unsigned.
    assert_eq!(
        builder
            .clone()
            .require_signed(true)
            .redirect(&bad("alice"), None, &mut rng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::ConfigInvalid
    );
}

fn azure_metadata() -> IdpMetadata {
    IdpMetadata::parse(
        &std::fs::read(fixtures().join("metadata/azure-app-signed.xml")).unwrap(),
        now(),
    )
    .unwrap()
}

/// IdP-initiated: the fixture's LogoutRequest, our LogoutResponse back
/// over Redirect (signed) and POST, read by the IdP's side.
#[test]
fn logout_response_round_trip() {
    let url = read("lr-redirect-valid-relaystate.url");
    let request = verifier()
        .verify_request(LogoutInput::Redirect(query(&url)), now())
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
    let metadata = azure_metadata();
    let slo = metadata.single_logout().redirect().unwrap().clone();
    let builder =
        LogoutResponseBuilder::new(EntityId::new(SP).unwrap(), &metadata).sign_with(sp_key());
    let idp_side = LogoutVerifier::new(
        EntityId::new(IDP).unwrap(),
        slo,
        EntityId::new(SP).unwrap(),
        IdpCertSet::new([cert("sp")], now()).unwrap(),
    );
    let ours = RequestId::new("_c4a7e2f1-8d3b-4e6a-9f0c-1b2d3e4f5a6b").unwrap();
    for status in [LogoutStatus::Success, LogoutStatus::PartialLogout] {
        let answer = builder
            .redirect(&request, status, &mut saml_sp::OsRng, now())
            .unwrap();
        let msg = RedirectMessage::from_url(answer.url(), &Limits::default()).unwrap();
        assert!(msg.is_signed());
        assert_eq!(
            msg.relay_state(),
            Some("https://myapps.microsoft.com/signout?t=acme")
        );
        let q = answer.url().split_once('?').unwrap().1;
        let seen = idp_side
            .verify_response(LogoutInput::Redirect(q), std::slice::from_ref(&ours), now())
            .unwrap();
        assert_eq!(seen.status(), status);
        assert_eq!(seen.in_response_to(), &ours);
    }
    let failed = builder
        .redirect(&request, LogoutStatus::Failed, &mut saml_sp::OsRng, now())
        .unwrap();
    let q = failed.url().split_once('?').unwrap().1;
    assert_eq!(
        idp_side
            .verify_response(LogoutInput::Redirect(q), &[ours], now())
            .unwrap_err()
            .kind(),
        ErrorKind::StatusNotSuccess
    );
    assert_eq!(
        builder
            .post(&request, LogoutStatus::Success, &mut saml_sp::OsRng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::EndpointMissing
    );
}

#[test]
fn skew_option_is_bounded() {
    assert!(verifier().clock_skew(TimeDelta::seconds(-1)).is_err());
    assert!(verifier().clock_skew(TimeDelta::seconds(601)).is_err());
    // No skew: the fixture's expiry rows are unchanged, a valid one still passes.
    let xml = read("lr-post-not-on-or-after-future.xml");
    verifier()
        .clock_skew(TimeDelta::zero())
        .unwrap()
        .verify_request(post(&xml), now())
        .unwrap();
}

// ---------------------------------------------------------------------------
// The team facade: register at sign-in, IdP-initiated and SP-initiated.
// ---------------------------------------------------------------------------

use saml_sp::team::{LoginContext, LoginSend, ReturnPath};
use saml_sp::{IdpSettings, SpUrlLayout, TeamConfig, TeamSlug};

fn team() -> TeamConfig {
    let (idp, _) = IdpSettings::from_metadata(&azure_metadata(), now()).unwrap();
    TeamConfig::new(
        TeamSlug::new("acme").unwrap(),
        &SpUrlLayout::new("https://sso.example.com").unwrap(),
        idp,
    )
    .unwrap()
}

fn alice_signed_in(team: &TeamConfig) -> saml_sp::FreshAssertion {
    let xml = std::fs::read(fixtures().join("dsig/assertion-signed.xml")).unwrap();
    let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap();
    team.response_verifier()
        .verify(&xml, &[request], now())
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap()
}

#[test]
fn team_settings_carry_logout() {
    let team = team();
    assert_eq!(team.sp().slo_url().unwrap().as_str(), SLO);
    assert_eq!(
        team.idp().single_logout().redirect().unwrap().as_str(),
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"
    );
    assert_eq!(
        team.idp().logout_binding(),
        Some(saml_sp::vocabulary::Binding::HttpRedirect)
    );
    assert_eq!(team.idp().logout_issuer_alias().unwrap().as_str(), ALIAS);
    assert!(!team.idp().dangerous_allow_unsigned_logout());
}

#[test]
fn idp_initiated_logout_ends_the_registered_session_once() {
    let team = team();
    let context = LoginContext::in_memory();
    let alice = alice_signed_in(&team);
    let until = now() + TimeDelta::hours(8);
    team.register_session_sync(&context, &alice, "app-session-1", until, now())
        .unwrap();
    assert_eq!(
        LogoutSubject::from_assertion(&alice).session_indexes(),
        ["_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d"]
    );

    let url = read("lr-redirect-valid-relaystate.url");
    let input = LogoutInput::Redirect(query(&url));
    assert_eq!(input.is_response(), Some(false));
    let handled = team
        .handle_logout_request_sync(&context, input, &mut saml_sp::OsRng, now())
        .unwrap();
    assert_eq!(handled.ended_sessions(), ["app-session-1"]);
    assert_eq!(handled.request().name_id().value, "alice@acme.example");
    let LoginSend::Redirect(answer) = handled.send() else {
        panic!("Azure answers over HTTP-Redirect");
    };
    assert_eq!(handled.redirect_url(), Some(answer.as_str()));
    assert!(handled.post_form().is_none());
    assert!(answer.starts_with(
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2?SAMLResponse="
    ));
    let msg = RedirectMessage::from_url(answer, &Limits::default()).unwrap();
    assert_eq!(
        msg.relay_state(),
        Some("https://myapps.microsoft.com/signout?t=acme")
    );
    let xml = String::from_utf8(msg.xml().to_vec()).unwrap();
    assert!(
        xml.contains(r#"InResponseTo="_c4a7e2f1-8d3b-4e6a-9f0c-1b2d3e4f5a6b""#),
        "{xml}"
    );

    // The same LogoutRequest again: refused, nothing more ended.
    let err = team
        .handle_logout_request_sync(
            &context,
            LogoutInput::Redirect(query(&url)),
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogoutRequestReplayed);
    // A forged one never reaches the registry.
    let forged = read("xsw-lr-unsigned-wrapper.xml");
    let err = team
        .handle_logout_request_sync(
            &context,
            LogoutInput::Post {
                value: &forged,
                relay_state: None,
            },
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureMissing);
}

#[test]
fn sp_initiated_logout_round_trip_with_azure_issuer() {
    let team = team();
    let context = LoginContext::in_memory();
    let alice = alice_signed_in(&team);
    team.register_session_sync(
        &context,
        &alice,
        "app-session-1",
        now() + TimeDelta::hours(8),
        now(),
    )
    .unwrap();
    assert!(
        team.unregister_session(&context, alice.name_id_details(), "app-session-1", now())
            .now_or_never()
    );
    // Unregistered once: the second time there is nothing to forget.
    assert!(
        !team
            .unregister_session_sync(&context, alice.name_id_details(), "app-session-1", now())
            .unwrap()
    );
    let subject = LogoutSubject::from_assertion(&alice);
    let return_to = ReturnPath::new("/teams/acme/signed-out").unwrap();
    let mut rng = RecordedRequestId::new(KEPT).unwrap();
    let start = team
        .start_logout_sync(
            &context,
            "browser-1",
            &subject,
            Some(&return_to),
            &mut rng,
            now(),
        )
        .unwrap();
    assert_eq!(start.request_id().as_str(), KEPT);
    assert!(start.post_form().is_none(), "Azure takes HTTP-Redirect");
    let sent =
        RedirectMessage::from_url(start.redirect_url().unwrap(), &Limits::default()).unwrap();
    let xml = String::from_utf8(sent.xml().to_vec()).unwrap();
    assert!(
        xml.contains(
            "<samlp:SessionIndex>_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d</samlp:SessionIndex>"
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alice@acme.example</saml:NameID>"#), "{xml}");

    // Azure answers with its login.microsoftonline.com Issuer: accepted
    // through the derived alias.
    let url = read("lresp-redirect-azure-login-issuer.url");
    let input = LogoutInput::Redirect(query(&url));
    assert_eq!(input.is_response(), Some(true));
    // Another browser has no such request outstanding.
    assert_eq!(
        team.finish_logout_sync(&context, "browser-2", input, now())
            .unwrap_err()
            .kind(),
        ErrorKind::InResponseToMismatch
    );
    let done = team
        .finish_logout_sync(&context, "browser-1", input, now())
        .unwrap();
    assert_eq!(done.status(), LogoutStatus::Success);
    assert_eq!(done.return_to().as_str(), "/teams/acme/signed-out");
    // Once only.
    assert_eq!(
        team.finish_logout_sync(&context, "browser-1", input, now())
            .unwrap_err()
            .kind(),
        ErrorKind::InResponseToMismatch
    );
}

#[test]
fn a_logout_id_never_answers_a_login() {
    // The logout tracker key is not the login one: a LogoutRequest ID kept
    // for a browser is not an outstanding AuthnRequest of that browser.
    let team = team();
    let context = LoginContext::in_memory();
    let alice = alice_signed_in(&team);
    let subject = LogoutSubject::from_assertion(&alice);
    let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap();
    team.start_logout_sync(&context, "browser-1", &subject, None, &mut rng, now())
        .unwrap();
    let xml = std::fs::read(fixtures().join("dsig/assertion-signed.xml")).unwrap();
    let err = team
        .finish_login_sync(&context, "browser-1", &xml, None, now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InResponseToMismatch);
}

#[test]
fn unsigned_logout_only_when_the_team_allows_it() {
    let mut team = team();
    let context = LoginContext::in_memory();
    let url = read("lr-redirect-unsigned.url");
    let err = team
        .handle_logout_request_sync(
            &context,
            LogoutInput::Redirect(query(&url)),
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureMissing);
    team.set_dangerous_allow_unsigned_logout(true);
    let handled = team
        .handle_logout_request_sync(
            &context,
            LogoutInput::Redirect(query(&url)),
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap();
    assert!(!handled.request().is_signed());
    // A team whose IdP wants signed logout messages and no key: refused
    // before anything is sent.
    team.set_sign_logout(true);
    let alice = alice_signed_in(&team);
    let err = team
        .start_logout_sync(
            &context,
            "b",
            &LogoutSubject::from_assertion(&alice),
            None,
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

trait NowOrNever {
    fn now_or_never(self) -> bool;
}

impl<F: std::future::Future<Output = saml_sp::Result<bool>>> NowOrNever for F {
    fn now_or_never(self) -> bool {
        let mut f = std::pin::pin!(self);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(r) => r.unwrap(),
            std::task::Poll::Pending => panic!("not ready"),
        }
    }
}

#[test]
fn facade_refusals_have_their_kinds() {
    use std::sync::Arc;
    let team = team();
    let alice = alice_signed_in(&team);
    // A context without a session registry: registering is a setup error;
    // an IdP-initiated logout still verifies and answers, ending nothing.
    let bare = LoginContext::new(
        Arc::new(saml_sp::store::MemoryRequestTracker::new(10)),
        Arc::new(MemoryReplayCache::new(10)),
    );
    let err = team
        .register_session_sync(&bare, &alice, "app-1", now() + TimeDelta::hours(1), now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    let url = read("lr-redirect-valid-no-relaystate.url");
    let handled = team
        .handle_logout_request_sync(
            &bare,
            LogoutInput::Redirect(query(&url)),
            &mut saml_sp::OsRng,
            now(),
        )
        .unwrap();
    assert!(handled.ended_sessions().is_empty());

    // An IdP entered by hand without a Logout URL: nothing to send to.
    let idp = IdpSettings::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new(
            "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2",
        )
        .unwrap(),
        saml_sp::vocabulary::Binding::HttpRedirect,
        [cert("idp-a")],
        now(),
    )
    .unwrap();
    assert_eq!(idp.logout_binding(), None);
    let mut no_slo = TeamConfig::new(
        TeamSlug::new("acme").unwrap(),
        &SpUrlLayout::new("https://sso.example.com").unwrap(),
        idp,
    )
    .unwrap();
    let context = LoginContext::in_memory();
    let subject = LogoutSubject::from_assertion(&alice);
    let err = no_slo
        .start_logout_sync(&context, "b", &subject, None, &mut saml_sp::OsRng, now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EndpointMissing);
    let url = read("lr-post-valid.xml");
    let err = no_slo
        .handle_logout_request_sync(&context, post(&url), &mut saml_sp::OsRng, now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EndpointMissing);
    // The admin enters Azure's Logout URL: it works.
    no_slo.set_idp_single_logout(
        saml_sp::vocabulary::Binding::HttpRedirect,
        EndpointUrl::new(
            "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2",
        )
        .unwrap(),
    );
    let start = no_slo
        .start_logout_sync(&context, "b", &subject, None, &mut saml_sp::OsRng, now())
        .unwrap();
    assert!(start.redirect_url().is_some());
}

/// The logout settings are stored with the team, and a configuration
/// stored before Single Logout existed still loads (no SLO URL, no IdP SLO
/// endpoint), refusing logout with a setup error until they are set.
#[cfg(feature = "serde")]
#[test]
fn logout_settings_round_trip_and_old_configs_load() {
    let mut team = team();
    team.set_sign_logout(true);
    team.set_logout_issuer_alias(Some(
        EntityId::new("https://idp.example.com/alias").unwrap(),
    ));
    let json = serde_json::to_value(&team).unwrap();
    assert_eq!(json["sp"]["slo_url"], SLO);
    assert_eq!(
        json["idp"]["slo_redirect_url"],
        "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"
    );
    assert_eq!(json["idp"]["sign_logout"], true);
    assert_eq!(json["idp"]["dangerous_allow_unsigned_logout"], false);
    let back: TeamConfig = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, team);
    assert_eq!(
        back.idp().logout_issuer_alias().unwrap().as_str(),
        "https://idp.example.com/alias"
    );

    // As stored before Single Logout.
    let mut old = json;
    for (part, field) in [
        ("sp", "slo_url"),
        ("idp", "slo_redirect_url"),
        ("idp", "sign_logout"),
        ("idp", "logout_issuer_alias"),
        ("idp", "dangerous_allow_unsigned_logout"),
    ] {
        old[part].as_object_mut().unwrap().remove(field);
    }
    let mut old: TeamConfig = serde_json::from_value(old).unwrap();
    assert!(old.sp().slo_url().is_none());
    assert_eq!(old.idp().logout_binding(), None);
    // The Azure alias is derived, not stored.
    assert_eq!(old.idp().logout_issuer_alias().unwrap().as_str(), ALIAS);
    assert_eq!(
        old.logout_verifier().unwrap_err().kind(),
        ErrorKind::ConfigInvalid
    );
    old.set_slo_url(EndpointUrl::new(SLO).unwrap());
    assert!(old.logout_verifier().is_ok());
    // Unknown fields are still refused.
    let mut bad = serde_json::to_value(&team).unwrap();
    bad["idp"]["allow_everything"] = true.into();
    assert!(serde_json::from_value::<TeamConfig>(bad).is_err());
}

#[test]
fn the_slo_path_is_a_template_like_the_others() {
    let layout = SpUrlLayout::new("https://sso.example.com")
        .unwrap()
        .with_slo_path("/sp/{team}/logout")
        .unwrap();
    let urls = layout.endpoints(&TeamSlug::new("acme").unwrap()).unwrap();
    assert_eq!(
        urls.slo_url().unwrap().as_str(),
        "https://sso.example.com/sp/acme/logout"
    );
    for bad in [
        "/saml/{team}/acs",
        "/saml/logout",
        "/saml/{team}/{team}",
        "saml/{team}/slo",
    ] {
        let err = SpUrlLayout::new("https://sso.example.com")
            .unwrap()
            .with_slo_path(bad)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UrlTemplateInvalid, "{bad}");
    }
    // Another path may not take the SLO path.
    let err = SpUrlLayout::new("https://sso.example.com")
        .unwrap()
        .with_paths(
            "/saml/{team}",
            "/saml/{team}/slo",
            "/saml/{team}/acs",
            "/saml/{team}/metadata",
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UrlTemplateInvalid);
}

/// An IdP whose SingleLogoutService has a ResponseLocation: our
/// LogoutRequests go to its Location, our LogoutResponses to its
/// ResponseLocation (SAML metadata 2.2.2), from metadata and in the team.
#[test]
fn logout_responses_go_to_the_response_location() {
    let xml = String::from_utf8(std::fs::read(fixtures().join("metadata/azure-app-signed.xml")).unwrap())
        .unwrap()
        .replace(
            r#"<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"/>"#,
            r#"<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo" ResponseLocation="https://idp.example.com/slo/return"/>"#,
        );
    let metadata = IdpMetadata::parse(xml.as_bytes(), now()).unwrap();
    let slo = metadata.single_logout();
    let redirect = saml_sp::vocabulary::Binding::HttpRedirect;
    assert_eq!(
        slo.get(redirect).unwrap().as_str(),
        "https://idp.example.com/slo"
    );
    assert_eq!(
        slo.response_location(redirect).unwrap().as_str(),
        "https://idp.example.com/slo/return"
    );

    let url = read("lr-redirect-valid-relaystate.url");
    let request = verifier()
        .verify_request(LogoutInput::Redirect(query(&url)), now())
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
    let answer = LogoutResponseBuilder::new(EntityId::new(SP).unwrap(), &metadata)
        .redirect(&request, LogoutStatus::Success, &mut saml_sp::OsRng, now())
        .unwrap();
    assert!(
        answer
            .url()
            .starts_with("https://idp.example.com/slo/return?SAMLResponse=")
    );
    assert!(
        answer
            .xml()
            .contains(r#"Destination="https://idp.example.com/slo/return""#)
    );
    let (sent, _) = LogoutRequestBuilder::new(EntityId::new(SP).unwrap(), &metadata)
        .redirect(&subject(), None, &mut saml_sp::OsRng, now())
        .unwrap();
    assert!(
        sent.url()
            .starts_with("https://idp.example.com/slo?SAMLRequest=")
    );

    // The team keeps both; an admin-entered Logout URL replaces both.
    let (idp, _) = IdpSettings::from_metadata(&metadata, now()).unwrap();
    assert_eq!(
        idp.single_logout()
            .response_location(redirect)
            .unwrap()
            .as_str(),
        "https://idp.example.com/slo/return"
    );
    let idp = idp.with_single_logout(
        redirect,
        EndpointUrl::new("https://idp.example.com/other").unwrap(),
    );
    assert_eq!(
        idp.single_logout()
            .response_location(redirect)
            .unwrap()
            .as_str(),
        "https://idp.example.com/other"
    );
}

// ---------------------------------------------------------------------------
// Encrypted NameIDs (EncryptedID): the rules the corpus rows cannot vary.
// ---------------------------------------------------------------------------

const PAIRWISE: &str = "kV3q1nZ8y0bW2c4xR6t8uA0sD2fG4hJ6kL8zX0cV2bN";
const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

fn with_keys(v: LogoutVerifier) -> LogoutVerifier {
    v.decryption_keys(SpDecryptionKeys::new(decryption_key("sp-enc")))
}

/// `text[from..to]` of the first `open` ... `close` (the content between).
fn between(text: &str, open: &str, close: &str) -> (usize, usize) {
    let a = text.find(open).unwrap() + open.len();
    let b = a + text[a..].find(close).unwrap();
    (a, b)
}

/// lr-post-encrypted-id.xml without its Signature and XML declaration: the
/// LogoutRequest as an IdP builds it before signing, with the AD FS
/// EncryptedID (aes256-cbc, the session key wrapped to sp-enc).
fn encrypted_template() -> String {
    let xml = String::from_utf8(read("lr-post-encrypted-id.xml")).unwrap();
    let start = xml.find("<Signature ").unwrap();
    let end = xml.find("</Signature>").unwrap() + "</Signature>".len();
    let xml = format!("{}{}", &xml[..start], &xml[end..]);
    xml.trim_start_matches("<?xml version=\"1.0\"?>\n")
        .trim_end()
        .to_owned()
}

/// `template` with its EncryptedData's ciphertext replaced by `plaintext`
/// encrypted under the template's own session key (unwrapped once with the
/// `rsa` crate and sp-enc), AES-256-CBC with a fixed IV and XML
/// Encryption's padding: the IdP encrypts what the test chooses.
fn reencrypted(template: &str, plaintext: &[u8]) -> String {
    let pad = 16 - plaintext.len() % 16;
    let mut padded = plaintext.to_vec();
    padded.extend(std::iter::repeat_n(pad as u8, pad));
    reencrypted_blocks(template, &padded)
}

/// As [`reencrypted`], with `padded` (whole blocks) encrypted as it is.
fn reencrypted_blocks(template: &str, padded: &[u8]) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use cbc::cipher::{BlockModeEncrypt as _, KeyIvInit as _};
    use rsa::pkcs8::DecodePrivateKey as _;
    let (a, b) = between(template, "<e:CipherValue>", "</e:CipherValue>");
    let wrapped = STANDARD
        .decode(template[a..b].split_whitespace().collect::<String>())
        .unwrap();
    let pem = std::fs::read_to_string(fixtures().join("keys/sp-enc.key.pem")).unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let session = key
        .decrypt(rsa::Oaep::<sha1::Sha1>::new(), &wrapped)
        .unwrap();
    let iv = [0x5au8; 16];
    let mut buf = padded.to_vec();
    let mut enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&session, &iv).unwrap();
    for block in buf.chunks_exact_mut(16) {
        enc.encrypt_block(<&mut aes::Block>::try_from(block).unwrap());
    }
    let mut data = iv.to_vec();
    data.extend(buf);
    let (a, b) = between(template, "<xenc:CipherValue>", "</xenc:CipherValue>");
    format!(
        "{}{}{}",
        &template[..a],
        STANDARD.encode(data),
        &template[b..]
    )
}

fn pct(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `xml` as an HTTP-Redirect query signed by idp-a (rsa-sha256), as the
/// IdP would send it: the whole message is covered.
fn idp_signed_query(xml: &str) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    use std::io::Write as _;
    let mut deflater =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(xml.as_bytes()).unwrap();
    let deflated = deflater.finish().unwrap();
    let octets = format!(
        "SAMLRequest={}&SigAlg={}",
        pct(STANDARD.encode(deflated).as_bytes()),
        pct(b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    );
    let pem = std::fs::read_to_string(fixtures().join("keys/idp-a.key.pem")).unwrap();
    let key = rsa::PrivateKey::from_pkcs8_pem(&pem).unwrap();
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key)
        .sign(octets.as_bytes())
        .to_vec();
    format!(
        "{octets}&Signature={}",
        pct(STANDARD.encode(signature).as_bytes())
    )
}

fn verify_query(
    v: &LogoutVerifier,
    query: &str,
) -> saml_sp::Result<saml_sp::logout::FreshLogoutRequest> {
    v.verify_request(LogoutInput::Redirect(query), now())
        .and_then(|r| r.check_replay(&MemoryReplayCache::new(1), now()))
}

#[test]
fn the_helpers_make_what_an_idp_sends() {
    // The template re-signed as a Redirect query verifies and decrypts to
    // the corpus's pairwise NameID; re-encrypted, to what the test chose.
    let template = encrypted_template();
    let r = verify_query(&with_keys(verifier()), &idp_signed_query(&template)).unwrap();
    assert!(r.name_id_encrypted());
    assert_eq!(r.name_id().value, PAIRWISE);
    assert_eq!(r.name_id().format.as_deref(), Some(PERSISTENT));
    assert_eq!(
        r.session_indexes(),
        ["_a3e1c9d7-4b6f-4e2a-9c8d-7f1e0b2a3c4d"]
    );
    assert_eq!(
        r.signature_algorithm(),
        Some(saml_sp::vocabulary::SignatureAlgorithm::RsaSha256)
    );
    let plaintext = br#"<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" NameQualifier="https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/" SPNameQualifier="https://sso.example.com/saml/acme">alice@acme.example</saml:NameID>"#;
    let signed = idp_signed_query(&reencrypted(&template, plaintext));
    let r = verify_query(&with_keys(verifier()), &signed).unwrap();
    assert_eq!(
        r.name_id(),
        &NameId {
            value: "alice@acme.example".into(),
            format: Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress".into()),
            name_qualifier: Some(IDP.into()),
            sp_name_qualifier: Some(SP.into()),
        }
    );
    // A cleartext NameID is not "encrypted".
    let plain = verify_query(
        &verifier(),
        query(&read("lr-redirect-valid-relaystate.url")),
    )
    .unwrap();
    assert!(!plain.name_id_encrypted());
}

#[test]
fn decrypted_content_must_be_one_nameid_and_every_failure_is_decryption_failed() {
    let template = encrypted_template();
    let deep = format!(
        r#"<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{}alice{}</NameID>"#,
        "<x>".repeat(70),
        "</x>".repeat(70)
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", br#"<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">  </NameID>"#.to_vec()),
        ("self-closing", br#"<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>"#.to_vec()),
        ("no namespace", b"<NameID>admin@acme.example</NameID>".to_vec()),
        ("a BaseID", br#"<BaseID xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>"#.to_vec()),
        ("an Assertion", br#"<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>"#.to_vec()),
        ("an EncryptedID", br#"<EncryptedID xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/>"#.to_vec()),
        ("text", b"admin@acme.example".to_vec()),
        ("nothing", Vec::new()),
        ("a DOCTYPE", br#"<!DOCTYPE NameID [<!ENTITY a "admin">]><NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">&a;</NameID>"#.to_vec()),
        ("two roots", br#"<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">admin@acme.example</NameID><NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">alice@acme.example</NameID>"#.to_vec()),
        ("too deep for the limits", deep.into_bytes()),
        ("not UTF-8", b"<NameID xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">\xff</NameID>".to_vec()),
    ];
    let v = with_keys(verifier());
    let mut texts = std::collections::BTreeSet::new();
    for (what, plaintext) in cases {
        let query = idp_signed_query(&reencrypted(&template, &plaintext));
        let err = verify_query(&v, &query).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecryptionFailed, "{what}: {err:?}");
        texts.insert(err.to_string());
    }
    // Bad padding and a wrong key: the same kind and the same user text.
    let mut block = *b"<NameID/>\0\0\0\0\0\0\0";
    let bad_padding = reencrypted_blocks(&template, &block);
    block[15] = 17;
    let long_padding = reencrypted_blocks(&template, &block);
    for (what, v, query) in [
        (
            "padding 0",
            with_keys(verifier()),
            idp_signed_query(&bad_padding),
        ),
        (
            "padding 17",
            with_keys(verifier()),
            idp_signed_query(&long_padding),
        ),
        (
            "the other key",
            verifier().decryption_keys(SpDecryptionKeys::new(decryption_key("sp-enc-next"))),
            idp_signed_query(&template),
        ),
    ] {
        let err = verify_query(&v, &query).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecryptionFailed, "{what}: {err:?}");
        texts.insert(err.to_string());
    }
    assert_eq!(texts.len(), 1, "{texts:?}");
}

#[test]
fn what_the_cleartext_of_an_encrypted_id_says_keeps_its_kind() {
    let template = encrypted_template();
    let (a, b) = between(&template, "<xenc:CipherData>", "</xenc:CipherData>");
    let reference = format!(
        "{}<xenc:CipherReference URI=\"https://attacker.example/ciphertext.bin\"/>{}",
        &template[..a],
        &template[b..]
    );
    let cases = [
        (reference, ErrorKind::EncryptedDataMalformed),
        (
            template.replace(
                "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                "urn:example:no-such-cipher",
            ),
            ErrorKind::EncryptionAlgorithmUnsupported,
        ),
        (
            template.replace(
                "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
                "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
            ),
            ErrorKind::KeyTransportRefused,
        ),
        (
            template.replace(
                "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
            ),
            ErrorKind::TripledesNotAllowed,
        ),
    ];
    for (xml, kind) in cases {
        let err = verify_query(&with_keys(verifier()), &idp_signed_query(&xml)).unwrap_err();
        assert_eq!(err.kind(), kind, "{err:?}");
    }
}

#[test]
fn an_encrypted_id_is_decrypted_last() {
    // A ciphertext nobody can decrypt: any refusal other than
    // decryption_failed was decided before a private-key operation.
    let undecryptable = reencrypted(&encrypted_template(), b"x")
        .replace("<xenc:CipherValue>", "<xenc:CipherValue>AAAA");
    let v = with_keys(verifier());
    assert_eq!(
        verify_query(&v, &idp_signed_query(&undecryptable))
            .unwrap_err()
            .kind(),
        ErrorKind::DecryptionFailed
    );
    for (from, to, kind) in [
        (
            IDP,
            "https://sts.windows.net/9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d/",
            ErrorKind::IssuerMismatch,
        ),
        (
            SLO,
            "https://sso.example.com/saml/globex/slo",
            ErrorKind::DestinationMismatch,
        ),
        (
            "2026-03-02T10:00:30.250Z",
            "2026-03-02T09:40:30.250Z",
            ErrorKind::LogoutRequestExpired,
        ),
        (
            "<samlp:SessionIndex>_a3e1",
            "<samlp:SessionIndex> </samlp:SessionIndex><samlp:SessionIndex>_a3e1",
            ErrorKind::LogoutRequestMalformed,
        ),
    ] {
        let xml = undecryptable.replacen(from, to, 1);
        assert_ne!(xml, undecryptable);
        assert_eq!(
            verify_query(&v, &idp_signed_query(&xml))
                .unwrap_err()
                .kind(),
            kind,
            "{to}"
        );
    }
    // Without keys the EncryptedID is refused at the shape step, before
    // the Issuer is looked at.
    let xml = undecryptable.replacen(IDP, "https://evil.example/", 1);
    assert_eq!(
        verify_query(&verifier(), &idp_signed_query(&xml))
            .unwrap_err()
            .kind(),
        ErrorKind::EncryptedIdUnsupported
    );
    // The query signature still comes first: a RelayState added after
    // signing is not covered.
    let tampered = format!("{}&RelayState=x", idp_signed_query(&undecryptable));
    assert_eq!(
        verify_query(&v, &tampered).unwrap_err().kind(),
        ErrorKind::SignatureInvalid
    );
}

#[test]
fn idp_initiated_logout_with_an_encrypted_name_id_ends_the_registered_session() {
    let mut team = team();
    let keys = SpDecryptionKeys::new(decryption_key("sp-enc"));
    // Alice signed in with an EncryptedID (../xmlenc): her pairwise
    // persistent NameID, decrypted, keys her sessions.
    let xml =
        std::fs::read(fixtures().join("xmlenc/encrypted-nameid-plain-assertion.xml")).unwrap();
    let alice = team
        .response_verifier()
        .decryption_keys(keys.clone())
        .verify(
            &xml,
            &[RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()],
            now(),
        )
        .unwrap()
        .check_replay(&MemoryReplayCache::new(1), now())
        .unwrap();
    assert_eq!(alice.name_id(), PAIRWISE);
    let until = now() + TimeDelta::hours(8);
    let post = read("lr-post-encrypted-id.xml");
    let input = || LogoutInput::Post {
        value: &post,
        relay_state: None,
    };

    // A context without the SP's decryption keys cannot read whom the IdP
    // signs out: refused, nothing ended.
    let without = LoginContext::in_memory();
    team.register_session_sync(&without, &alice, "app-session-1", until, now())
        .unwrap();
    let err = team
        .handle_logout_request_sync(&without, input(), &mut saml_sp::OsRng, now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EncryptedIdUnsupported);

    // With them: decrypted, and the session registered under the decrypted
    // NameID and Format is ended.
    let context = LoginContext::in_memory().with_decryption_keys(keys.clone());
    team.register_session_sync(&context, &alice, "app-session-1", until, now())
        .unwrap();
    let handled = team
        .handle_logout_request_sync(&context, input(), &mut saml_sp::OsRng, now())
        .unwrap();
    assert!(handled.request().name_id_encrypted());
    assert_eq!(handled.request().name_id().value, PAIRWISE);
    assert_eq!(
        handled.request().name_id().format.as_deref(),
        Some(PERSISTENT)
    );
    assert_eq!(handled.ended_sessions(), ["app-session-1"]);
    // Once only.
    assert_eq!(
        team.handle_logout_request_sync(&context, input(), &mut saml_sp::OsRng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::LogoutRequestReplayed
    );

    // The team's tripledes setting is the logout verifier's too.
    let tdes = read("lr-post-encrypted-id-tripledes.xml");
    let tdes_input = LogoutInput::Post {
        value: &tdes,
        relay_state: None,
    };
    let context = LoginContext::in_memory().with_decryption_keys(keys);
    assert_eq!(
        team.handle_logout_request_sync(&context, tdes_input, &mut saml_sp::OsRng, now())
            .unwrap_err()
            .kind(),
        ErrorKind::TripledesNotAllowed
    );
    team.set_allow_tripledes(true);
    let handled = team
        .handle_logout_request_sync(&context, tdes_input, &mut saml_sp::OsRng, now())
        .unwrap();
    assert_eq!(handled.request().name_id().value, PAIRWISE);
}
