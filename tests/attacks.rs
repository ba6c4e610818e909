//! The attack corpus (fixtures/attacks/manifest.json, signed by xmlsec1):
//! one table-driven test; each case must give exactly its expected kind, and
//! the accepted ones must read back exactly the expected values.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use saml_sp::response::RequiredSignature;
use saml_sp::store::MemoryReplayCache;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};
use serde_json::Value;

const SP: &str = "https://sso.example.com/saml/acme";
const ACS: &str = "https://sso.example.com/saml/acme/acs";
const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The verifier a row asks for, or the error building it gives.
fn verifier(overrides: &Value, now: DateTime<Utc>) -> Result<ResponseVerifier, saml_sp::Error> {
    let cert_path = overrides["trusted_cert"]
        .as_str()
        .unwrap_or("keys/idp-a.crt.pem");
    let cert = SigningCertificate::parse(&std::fs::read(fixtures().join(cert_path)).unwrap())?;
    let mut v = ResponseVerifier::new(
        EntityId::new(SP)?,
        EndpointUrl::new(ACS)?,
        EntityId::new(IDP)?,
        IdpCertSet::new([cert], now)?,
    )
    .allow_sha1(overrides["allow_sha1"].as_bool().unwrap_or(false))
    .allow_unsolicited(overrides["allow_unsolicited"].as_bool().unwrap_or(false));
    if let Some(required) = overrides["required_signature"].as_str() {
        v = v.required_signature(match required {
            "response" => RequiredSignature::Response,
            "both" => RequiredSignature::Both,
            "assertion" => RequiredSignature::Assertion,
            other => panic!("unknown required_signature {other}"),
        });
    }
    Ok(v)
}

fn input(row: &Value) -> Vec<u8> {
    match row["synthetic"].as_str() {
        Some("oversized") => {
            let mut bytes = std::fs::read(fixtures().join("attacks/valid-assertion-signed.xml")).unwrap();
            bytes.resize(2 * 1024 * 1024 + 1, b' ');
            bytes
        }
        Some("deep-50000") => format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}{}</samlp:Response>",
            "<a>".repeat(50_000),
            "</a>".repeat(50_000)
        )
        .into_bytes(),
        Some(other) => panic!("unknown synthetic input {other}"),
        None => std::fs::read(fixtures().join("attacks").join(row["file"].as_str().unwrap())).unwrap(),
    }
}

/// Runs one row: Ok(()) when the verdict and read-back values match.
fn run(row: &Value) -> Result<(), String> {
    let overrides = &row["overrides"];
    let now = time(overrides["now"].as_str().unwrap_or("2026-03-02T10:01:00Z"));
    let expected_ids: Vec<RequestId> = match overrides["expected_request_ids"].as_array() {
        Some(ids) => ids
            .iter()
            .map(|i| RequestId::new(i.as_str().unwrap()).unwrap())
            .collect(),
        None => vec![RequestId::new(REQUEST).unwrap()],
    };
    let expect = row["expect"].as_str().unwrap();
    let verifier = match verifier(overrides, now) {
        Ok(v) => v,
        Err(e) => {
            return if e.kind().as_str() == expect {
                Ok(())
            } else {
                Err(format!("building the verifier: {e:?}"))
            };
        }
    };
    let bytes = input(row);
    let cache = MemoryReplayCache::new(16);
    let mut outcome = verifier
        .verify(&bytes, &expected_ids, now)
        .and_then(|a| a.check_replay(&cache, now));
    if row["replay"].as_bool() == Some(true) {
        if let Err(e) = outcome {
            return Err(format!("first use refused: {e:?}"));
        }
        outcome = verifier
            .verify(&bytes, &expected_ids, now)
            .and_then(|a| a.check_replay(&cache, now));
    }
    match (outcome, expect) {
        (Ok(fresh), "valid") => {
            if let Some(name_id) = row["expect_name_id"].as_str() {
                if fresh.name_id() != name_id {
                    return Err(format!(
                        "NameID {:?}, expected {name_id:?}",
                        fresh.name_id()
                    ));
                }
            }
            if let Some(attr) = row.get("expect_attribute").filter(|a| !a.is_null()) {
                let name = attr["name"].as_str().unwrap();
                let want: Vec<&str> = attr["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                if fresh.attribute_values(name) != want {
                    return Err(format!(
                        "{name}: {:?}, expected {want:?}",
                        fresh.attribute_values(name)
                    ));
                }
            }
            Ok(())
        }
        (Ok(_), _) => Err(format!("accepted, expected {expect}")),
        (Err(e), _) if e.kind().as_str() == expect => Ok(()),
        (Err(e), _) => Err(format!(
            "{} ({}), expected {expect}",
            e.kind().as_str(),
            e.detail()
        )),
    }
}

#[test]
fn attack_corpus() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("attacks/manifest.json")).unwrap())
            .unwrap();
    let rows = manifest.as_array().unwrap();
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            run(row)
                .err()
                .map(|e| format!("{}: {e}", row["case"].as_str().unwrap()))
        })
        .collect();
    println!(
        "attack corpus: {} cases, {} failures",
        rows.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(rows.len() >= 100);
    // Every kind the corpus exercises is a real, stable kind name.
    for row in rows {
        let expect = row["expect"].as_str().unwrap();
        assert!(
            expect == "valid" || saml_sp::ErrorKind::ALL.iter().any(|k| k.as_str() == expect),
            "unknown kind {expect}"
        );
    }
}
