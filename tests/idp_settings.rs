//! The table of `src/manual/idp_settings.rs`, held: one test per row feeds
//! the input the row is about and asserts the exact kind, that the log
//! detail carries the row's hint word for word and names the setting, and
//! that the user text is the kind's own. The real IdP recordings
//! (`../shared/fixtures/real`) are checked the same way where they show
//! the symptom.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::Path;

use saml_sp::response::RequiredSignature;
use saml_sp::{EndpointUrl, EntityId, Error, IdpCertSet, ResponseVerifier};

mod common;
#[path = "common/real_recordings.rs"]
mod real_recordings;
use common::{IDP, SP, cert, fixtures, now, real_manifest, real_verifier, request, time, verifier};
use real_recordings::real_recordings_dir;

/// The issuers of the Google Workspace, OneLogin and other-IdP responses
/// of `fixtures/provisioning` (`generate.py`).
const GOOGLE: &str = "https://accounts.google.com/o/saml2?idpid=C03acme7x";
const ONELOGIN: &str =
    "https://app.onelogin.com/saml/metadata/8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const OTHER: &str = "https://idp.example.org/saml2/idp";

/// One row of the manual's table.
#[derive(Debug)]
struct Row {
    symptom: String,
    idp: String,
    setting: String,
    hint: String,
}

fn manual_rows() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/manual/idp_settings.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let Some(cells) = line
            .strip_prefix("//! | `")
            .and_then(|l| l.strip_suffix(" |"))
        else {
            continue;
        };
        let cells: Vec<&str> = cells.split(" | ").map(str::trim).collect();
        let [symptom, idp, setting, hint] = cells.as_slice() else {
            panic!("a table row without four cells: {line}");
        };
        rows.push(Row {
            symptom: format!("`{symptom}"),
            idp: (*idp).to_owned(),
            setting: (*setting).to_owned(),
            hint: hint
                .strip_prefix('`')
                .and_then(|h| h.strip_suffix('`'))
                .expect("the hint is one code span")
                .to_owned(),
        });
    }
    rows
}

fn row(symptom: &str, idp: &str) -> Row {
    let mut rows = manual_rows()
        .into_iter()
        .filter(|r| r.symptom == symptom && r.idp == idp);
    let found = rows
        .next()
        .unwrap_or_else(|| panic!("no manual row {symptom} / {idp}"));
    assert!(rows.next().is_none(), "two manual rows {symptom} / {idp}");
    found
}

/// The rows the tests below hold, as (symptom, IdP) of the manual.
const TESTED: &[(&str, &str)] = &[
    ("`response_not_signed`", "Azure AD / Entra ID"),
    ("`assertion_not_signed`", "Azure AD / Entra ID"),
    ("`unsupported_algorithm`", "Azure AD / Entra ID"),
    ("`status_not_success`", "Azure AD / Entra ID"),
    ("`status_not_success` (AADSTS50105)", "Azure AD / Entra ID"),
    ("`response_not_signed`", "Google Workspace"),
    ("`unsupported_algorithm`", "OneLogin"),
    ("`response_not_signed`", "OneLogin"),
    ("`assertion_not_signed`", "OneLogin"),
    ("`unsupported_algorithm`", "any other"),
    ("`response_not_signed`", "any other"),
    ("`assertion_not_signed`", "any other"),
    (
        "`destination_mismatch`",
        "any, app behind a TLS-terminating proxy",
    ),
    (
        "`recipient_mismatch`",
        "any, app behind a TLS-terminating proxy",
    ),
];

#[test]
fn every_row_of_the_manual_has_its_test() {
    let manual: BTreeSet<(String, String)> = manual_rows()
        .into_iter()
        .map(|r| (r.symptom, r.idp))
        .collect();
    let tested: BTreeSet<(String, String)> = TESTED
        .iter()
        .map(|(s, i)| ((*s).to_owned(), (*i).to_owned()))
        .collect();
    assert_eq!(manual, tested);
}

/// The checks of one row on one error: the row's kind exactly, the hint
/// word for word (`NNNNN` is `code`), the setting named, the user text the
/// kind's own.
fn assert_row(symptom: &str, idp: &str, setting: &str, code: Option<&str>, err: &Error) {
    let row = row(symptom, idp);
    let kind = row.symptom.split('`').nth(1).unwrap();
    assert_eq!(err.kind().as_str(), kind, "{}", err.detail());
    let hint = match code {
        Some(code) => row.hint.replace("NNNNN", code),
        None => row.hint.clone(),
    };
    assert!(
        err.detail().contains(&hint),
        "{symptom} / {idp}: the detail {:?} lacks the hint {hint:?}",
        err.detail()
    );
    assert!(err.detail().contains("; hint: "), "{}", err.detail());
    assert!(
        row.setting.contains(setting),
        "the manual's setting cell {:?} does not name {setting:?}",
        row.setting
    );
    assert!(
        err.detail().contains(setting),
        "the detail {:?} does not name {setting:?}",
        err.detail()
    );
    assert_eq!(err.to_string(), err.kind().description());
    assert!(!err.to_string().contains("hint"));
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap()
}

/// The scenario's verifier for another IdP entity ID (the provisioning
/// fixtures issued by Google, OneLogin or another IdP, signed by idp-a).
fn verifier_for(idp: &str) -> ResponseVerifier {
    ResponseVerifier::new(
        EntityId::new(SP).unwrap(),
        EndpointUrl::new(common::ACS).unwrap(),
        EntityId::new(idp).unwrap(),
        IdpCertSet::new([cert("idp-a")], now()).unwrap(),
    )
}

/// The scenario's verifier with our ACS URL as an app behind a proxy sees
/// it.
fn verifier_at(acs: &str) -> ResponseVerifier {
    ResponseVerifier::new(
        EntityId::new(SP).unwrap(),
        EndpointUrl::new(acs).unwrap(),
        EntityId::new(IDP).unwrap(),
        IdpCertSet::new([cert("idp-a")], now()).unwrap(),
    )
}

fn refused(verifier: &ResponseVerifier, path: &str) -> Error {
    verifier
        .verify(&fixture(path), &request(), now())
        .expect_err(path)
}

// ---- Azure AD / Entra ID ---------------------------------------------------

#[test]
fn azure_response_not_signed() {
    let err = refused(
        &verifier().required_signature(RequiredSignature::Response),
        "dsig/assertion-signed.xml",
    );
    assert_row(
        "`response_not_signed`",
        "Azure AD / Entra ID",
        "Sign SAML response and assertion",
        None,
        &err,
    );
}

#[test]
fn azure_assertion_not_signed() {
    let err = refused(
        &verifier().required_signature(RequiredSignature::Both),
        "dsig/response-signed.xml",
    );
    assert_row(
        "`assertion_not_signed`",
        "Azure AD / Entra ID",
        "Sign SAML response and assertion",
        None,
        &err,
    );
}

#[test]
fn azure_sha1() {
    for path in ["attacks/rsa-sha1.xml", "dsig/rsa-sha1.xml"] {
        let err = refused(&verifier(), path);
        assert_row(
            "`unsupported_algorithm`",
            "Azure AD / Entra ID",
            "Signing Algorithm",
            None,
            &err,
        );
    }
    // A sha1 digest under an rsa-sha256 signature: the same setting.
    let err = refused(&verifier(), "dsig/digest-sha1.xml");
    assert_row(
        "`unsupported_algorithm`",
        "Azure AD / Entra ID",
        "Signing Algorithm",
        None,
        &err,
    );
}

#[test]
fn azure_aadsts_code() {
    let err = refused(&verifier(), "attacks/status-responder-aadsts.xml");
    assert_row(
        "`status_not_success`",
        "Azure AD / Entra ID",
        "AADSTS",
        Some("50105"),
        &err,
    );
    assert!(
        err.detail()
            .contains("https://login.microsoftonline.com/error?code=50105")
    );
}

#[test]
fn azure_aadsts50105_user_not_assigned() {
    let err = refused(&verifier(), "attacks/status-responder-aadsts.xml");
    assert_row(
        "`status_not_success` (AADSTS50105)",
        "Azure AD / Entra ID",
        "Users and groups",
        None,
        &err,
    );
}

// ---- Google Workspace --------------------------------------------------------

#[test]
fn google_signed_response() {
    for required in [RequiredSignature::Response, RequiredSignature::Both] {
        let err = refused(
            &verifier_for(GOOGLE).required_signature(required),
            "provisioning/google-assertion-signed.xml",
        );
        assert_row(
            "`response_not_signed`",
            "Google Workspace",
            "Signed response",
            None,
            &err,
        );
    }
    // What Google signs by default is what the default requirement takes.
    assert!(
        verifier_for(GOOGLE)
            .verify(
                &fixture("provisioning/google-assertion-signed.xml"),
                &request(),
                now()
            )
            .is_ok()
    );
}

// ---- OneLogin ------------------------------------------------------------------

#[test]
fn onelogin_sha1() {
    let err = refused(
        &verifier_for(ONELOGIN),
        "provisioning/onelogin-rsa-sha1.xml",
    );
    assert_row(
        "`unsupported_algorithm`",
        "OneLogin",
        "SAML Signature Algorithm",
        None,
        &err,
    );
}

#[test]
fn onelogin_response_not_signed() {
    let err = refused(
        &verifier_for(ONELOGIN)
            .allow_sha1(true)
            .required_signature(RequiredSignature::Response),
        "provisioning/onelogin-rsa-sha1.xml",
    );
    assert_row(
        "`response_not_signed`",
        "OneLogin",
        "SAML signature element",
        None,
        &err,
    );
}

#[test]
fn onelogin_assertion_not_signed() {
    let err = refused(
        &verifier_for(ONELOGIN).required_signature(RequiredSignature::Both),
        "provisioning/onelogin-response-signed.xml",
    );
    assert_row(
        "`assertion_not_signed`",
        "OneLogin",
        "SAML signature element",
        None,
        &err,
    );
}

// ---- any other IdP -------------------------------------------------------------

#[test]
fn other_idp_sha1() {
    let err = refused(&verifier_for(OTHER), "provisioning/other-idp-rsa-sha1.xml");
    assert_row(
        "`unsupported_algorithm`",
        "any other",
        "RSA-SHA256",
        None,
        &err,
    );
}

#[test]
fn other_idp_response_not_signed() {
    let err = refused(
        &verifier_for(OTHER)
            .allow_sha1(true)
            .required_signature(RequiredSignature::Both),
        "provisioning/other-idp-rsa-sha1.xml",
    );
    assert_row(
        "`response_not_signed`",
        "any other",
        "sign the Response too",
        None,
        &err,
    );
}

#[test]
fn other_idp_assertion_not_signed() {
    let err = refused(
        &verifier_for(OTHER).required_signature(RequiredSignature::Both),
        "provisioning/other-idp-response-signed.xml",
    );
    assert_row(
        "`assertion_not_signed`",
        "any other",
        "sign the Assertion too",
        None,
        &err,
    );
}

// ---- behind a TLS-terminating proxy ----------------------------------------------

/// How an app behind the proxy may see its own ACS URL
/// (`https://sso.example.com/saml/acme/acs` in public).
const INTERNAL_ACS: &[&str] = &[
    "http://sso.example.com/saml/acme/acs",
    "http://sso.example.com:8080/saml/acme/acs",
    "https://sso.example.com:8443/saml/acme/acs",
];

#[test]
fn proxy_destination_mismatch() {
    for acs in INTERNAL_ACS {
        // The signed Response's Destination is the public URL.
        let err = refused(&verifier_at(acs), "dsig/response-signed.xml");
        assert_row(
            "`destination_mismatch`",
            "any, app behind a TLS-terminating proxy",
            "public https URL",
            None,
            &err,
        );
    }
}

#[test]
fn proxy_recipient_mismatch() {
    for acs in INTERNAL_ACS {
        // No Destination (an unsigned Response may omit it): the
        // Recipient of the signed Assertion is the public URL.
        let err = refused(
            &verifier_at(acs),
            "attacks/destination-missing-unsigned-response.xml",
        );
        assert_row(
            "`recipient_mismatch`",
            "any, app behind a TLS-terminating proxy",
            "public https URL",
            None,
            &err,
        );
    }
}

/// The mismatches that are not the proxy pattern get no hint: another
/// path, or the IdP holding the http URL.
#[test]
fn other_url_mismatches_get_no_hint() {
    for (acs, path) in [
        (
            "https://sso.example.com/saml/other/acs",
            "dsig/response-signed.xml",
        ),
        (
            "http://sso.example.com/saml/acme/acs2",
            "attacks/destination-missing-unsigned-response.xml",
        ),
    ] {
        let err = refused(&verifier_at(acs), path);
        assert!(!err.detail().contains("hint"), "{}", err.detail());
    }
    let err = refused(&verifier(), "attacks/destination-wrong.xml");
    assert_eq!(err.kind().as_str(), "destination_mismatch");
    assert!(!err.detail().contains("hint"), "{}", err.detail());
}

// ---- real IdP recordings -------------------------------------------------------

/// The real recordings that show a symptom of the table, refused with the
/// row's hint: Azure AD (an Assertion-signed and a Response-signed
/// response, and a public URL on its own port), OneLogin (rsa-sha1, and a
/// Response-signed one), Google Workspace (Assertion-signed), Okta
/// (rsa-sha1: the generic row).
#[test]
fn real_recordings_name_the_setting() {
    let Some(dir) = real_recordings_dir("the IdP-setting hints on real recordings") else {
        return;
    };
    let rows = real_manifest(&dir);
    let find = |file: &str| {
        rows.iter()
            .find(|r| r["file"] == file)
            .unwrap_or_else(|| panic!("{file} is not in the manifest"))
    };
    // (file, ACS URL instead of the row's, SHA-1 allowed, required
    // signature, manual row, setting)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<bool>,
        RequiredSignature,
        (&'static str, &'static str),
        &'static str,
    );
    let azure = "Azure AD / Entra ID";
    let cases: &[Case] = &[
        (
            "azure-ad/waisaml2-signed-assertion.xml",
            None,
            None,
            RequiredSignature::Response,
            ("`response_not_signed`", azure),
            "Sign SAML response and assertion",
        ),
        (
            "azure-ad/waisaml2-signed-response.xml",
            None,
            None,
            RequiredSignature::Both,
            ("`assertion_not_signed`", azure),
            "Sign SAML response and assertion",
        ),
        (
            "azure-ad/waisaml2-signed-response.xml",
            Some("http://loopback.ja-sore.de:3443/auth/page/saml2/login"),
            None,
            RequiredSignature::Assertion,
            (
                "`destination_mismatch`",
                "any, app behind a TLS-terminating proxy",
            ),
            "public https URL",
        ),
        (
            "onelogin/gosaml2-2017-response.xml",
            None,
            Some(false),
            RequiredSignature::Assertion,
            ("`unsupported_algorithm`", "OneLogin"),
            "SAML Signature Algorithm",
        ),
        (
            "onelogin/crewjam-2016-response.xml",
            None,
            Some(false),
            RequiredSignature::Assertion,
            ("`unsupported_algorithm`", "OneLogin"),
            "SAML Signature Algorithm",
        ),
        (
            "onelogin/crewjam-2016-response.xml",
            None,
            None,
            RequiredSignature::Both,
            ("`assertion_not_signed`", "OneLogin"),
            "SAML signature element",
        ),
        (
            "google/kolide-2017-invalid-signature.xml",
            None,
            None,
            RequiredSignature::Response,
            ("`response_not_signed`", "Google Workspace"),
            "Signed response",
        ),
        (
            "okta/passportwsfed-2013-response.xml",
            None,
            Some(false),
            RequiredSignature::Assertion,
            ("`unsupported_algorithm`", "any other"),
            "RSA-SHA256",
        ),
    ];
    for &(file, acs, sha1, required, (symptom, idp), setting) in cases {
        let row = find(file);
        let at = time(row["now"].as_str().unwrap());
        let (verifier, requests) = real_verifier(&dir, row, at, acs).unwrap();
        let verifier = match sha1 {
            Some(allow) => verifier.allow_sha1(allow),
            None => verifier,
        }
        .required_signature(required);
        let xml = std::fs::read(dir.join(file)).unwrap();
        let err = verifier.verify(&xml, &requests, at).expect_err(file);
        println!("{file}: {}: {}", err.kind().as_str(), err.detail());
        assert_row(symptom, idp, setting, None, &err);
    }
}
