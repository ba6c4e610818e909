//! The scenario most fixtures share (`fixtures/dsig`, `fixtures/attacks`,
//! `fixtures/provisioning`): team `acme` at `https://sso.example.com`, an
//! Azure AD tenant as IdP signing with the test key idp-a, the AuthnRequest
//! `id4c1b9e0f…`, and the pinned time 2026-03-02T10:01:00Z.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use saml_sp::time::{DateTime, Utc};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};

pub(crate) const SP: &str = "https://sso.example.com/saml/acme";
pub(crate) const ACS: &str = "https://sso.example.com/saml/acme/acs";
pub(crate) const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
pub(crate) const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub(crate) fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The pinned time of the xmlsec1-signed Azure-shaped responses.
pub(crate) fn now() -> DateTime<Utc> {
    time("2026-03-02T10:01:00Z")
}

/// A test certificate from `fixtures/keys` (`idp-a`, `idp-b`, ...).
pub(crate) fn cert(name: &str) -> SigningCertificate {
    SigningCertificate::parse(
        &std::fs::read(fixtures().join(format!("keys/{name}.crt.pem"))).unwrap(),
    )
    .unwrap()
}

/// The verifier of the scenario: SP `acme`, its ACS, the tenant, idp-a.
pub(crate) fn verifier() -> ResponseVerifier {
    ResponseVerifier::new(
        EntityId::new(SP).unwrap(),
        EndpointUrl::new(ACS).unwrap(),
        EntityId::new(IDP).unwrap(),
        IdpCertSet::new([cert("idp-a")], now()).unwrap(),
    )
}

/// The request the scenario's responses answer.
pub(crate) fn request() -> Vec<RequestId> {
    vec![RequestId::new(REQUEST).unwrap()]
}

/// The HTTP-Redirect query signature of `msg` under `cert` alone (a set of
/// one certificate, valid at the scenario's time), as `dsig` checks it.
pub(crate) fn verify_query(
    msg: &saml_sp::binding::RedirectMessage,
    cert: &SigningCertificate,
    policy: &saml_sp::vocabulary::SignaturePolicy,
) -> saml_sp::Result<saml_sp::vocabulary::SignatureAlgorithm> {
    let certs = IdpCertSet::new([cert.clone()], now())?;
    saml_sp::building_blocks::verify_redirect_signature(msg, &certs, now(), policy)
}

/// A verified assertion's claims: its one-time-use check in a new
/// in-memory cache (always a first use), at a time it is still valid.
pub(crate) fn fresh(assertion: saml_sp::VerifiedAssertion) -> saml_sp::FreshAssertion {
    let at = assertion.not_on_or_after() - chrono::TimeDelta::seconds(1);
    assertion
        .check_replay(&saml_sp::store::MemoryReplayCache::new(1), at)
        .unwrap()
}

/// The rows of the real recordings' `manifest.json`.
pub(crate) fn real_manifest(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read(dir.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&text).unwrap();
    manifest.as_array().unwrap().clone()
}

/// The verifier of a real recording's manifest row, valid at `at`: its
/// certificates (RSA floor 1024 for the old ones), audience, ACS URL (or
/// `acs` instead), issuer, SHA-1 allowed when the row's algorithms are
/// SHA-1, unsolicited when it answers no request; and the requests it
/// answers.
pub(crate) fn real_verifier(
    dir: &Path,
    row: &serde_json::Value,
    at: DateTime<Utc>,
    acs: Option<&str>,
) -> saml_sp::Result<(ResponseVerifier, Vec<RequestId>)> {
    let s = |key: &str| row.get(key).and_then(serde_json::Value::as_str);
    let legacy = saml_sp::certs::CertificatePolicy::default().with_min_rsa_bits(1024);
    let mut certs = Vec::new();
    for cert in row.get("certs").and_then(|c| c.as_array()).unwrap() {
        let bytes = std::fs::read(dir.join(cert.as_str().unwrap())).unwrap();
        certs.push(SigningCertificate::parse_with_policy(&bytes, &legacy)?);
    }
    let certs = IdpCertSet::new(certs, at)?;
    let sp = row
        .get("audience")
        .and_then(|a| a.get(0))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("urn:unset");
    let acs = acs
        .or(s("recipient"))
        .or(s("destination"))
        .unwrap_or("https://unset.invalid/");
    let idp = s("issuer").unwrap_or("urn:unset");
    let sha1 = s("signature_algorithm").unwrap_or("").ends_with("sha1")
        || s("digest_algorithm").unwrap_or("").ends_with("sha1");
    let verifier = ResponseVerifier::new(
        EntityId::new(sp)?,
        EndpointUrl::new(acs)?,
        EntityId::new(idp)?,
        certs,
    )
    .allow_sha1(sha1)
    .allow_unsolicited(s("in_response_to").is_none());
    let requests = s("in_response_to")
        .map(|r| RequestId::new(r).unwrap())
        .into_iter()
        .collect();
    Ok((verifier, requests))
}

/// The PEM text of a test certificate from `fixtures/keys`.
pub(crate) fn cert_pem(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(format!("keys/{name}.crt.pem"))).unwrap()
}
