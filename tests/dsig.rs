//! XML Signature verification against fixtures signed by xmlsec1
//! (fixtures/dsig/manifest.json), bit flips, and the certificate rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use saml_sp::building_blocks::{Document, Element, verify_enveloped};
use saml_sp::certs::CertificatePolicy;
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::SignaturePolicy;
use saml_sp::{ErrorKind, IdpCertSet, Limits, SigningCertificate, ns};

#[path = "common/real_recordings.rs"]
mod real_recordings;
use real_recordings::real_recordings_dir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn cert(name: &str) -> Result<SigningCertificate, saml_sp::Error> {
    SigningCertificate::parse(&std::fs::read(fixtures().join("keys").join(name)).unwrap())
}

fn now() -> DateTime<Utc> {
    time("2026-03-02T10:01:00Z")
}

fn idp_a() -> IdpCertSet {
    IdpCertSet::new([cert("idp-a.crt.pem").unwrap()], now()).unwrap()
}

/// The first element with this local name in a SAML or metadata namespace.
fn find<'d>(doc: &'d Document, local: &str) -> Element<'d> {
    doc.root()
        .descendants()
        .find(|e| {
            e.local_name() == local
                && matches!(
                    e.namespace(),
                    Some(ns::SAML_ASSERTION | ns::SAML_PROTOCOL | ns::SAML_METADATA)
                )
        })
        .unwrap_or_else(|| panic!("no {local}"))
}

/// Verifies every element `signed` names; the first error wins.
fn verdict(
    xml: &[u8],
    signed: &[&str],
    certs: &IdpCertSet,
    at: DateTime<Utc>,
    policy: &SignaturePolicy,
) -> Result<(), ErrorKind> {
    let doc = Document::parse(xml, &Limits::default()).map_err(|e| e.kind())?;
    for local in signed {
        verify_enveloped(find(&doc, local), certs, at, policy).map_err(|e| e.kind())?;
    }
    Ok(())
}

#[test]
fn xmlsec1_fixtures() {
    let dir = fixtures().join("dsig");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in manifest.as_array().unwrap() {
        let case = row["case"].as_str().unwrap();
        let at = time(row["now"].as_str().unwrap());
        let expect = row["expect"].as_str().unwrap();
        let signed: Vec<&str> = row["signed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let xml = std::fs::read(dir.join(row["file"].as_str().unwrap())).unwrap();
        let cert_path = row["cert"].as_str().unwrap().trim_start_matches("keys/");
        let mut policies = vec![(SignaturePolicy::default(), expect)];
        if let Some(with_sha1) = row["expect_with_allow_sha1"].as_str() {
            policies.push((
                SignaturePolicy::default().with_sha1_allowed(true),
                with_sha1,
            ));
        }
        for (policy, expected) in policies {
            let got = cert(cert_path)
                .and_then(|c| IdpCertSet::new([c], at))
                .map_err(|e| e.kind())
                .and_then(|certs| verdict(&xml, &signed, &certs, at, &policy));
            let got = match got {
                Ok(()) => "valid",
                Err(kind) => kind.as_str(),
            };
            if got != expected {
                failures.push(format!(
                    "{case} (allow_sha1={}): expected {expected}, got {got}",
                    policy.allow_sha1
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 38, "only {checked} rows");
}

#[test]
fn the_verified_element_reports_what_verified_it() {
    let xml = std::fs::read(fixtures().join("dsig/both-signed.xml")).unwrap();
    let doc = Document::parse(&xml, &Limits::default()).unwrap();
    let set = idp_a();
    for local in ["Response", "Assertion"] {
        let el = find(&doc, local);
        let v = verify_enveloped(el, &set, now(), &SignaturePolicy::default()).unwrap();
        assert_eq!(v.element(), el);
        assert_eq!(v.certificate(), set.certificates()[0].fingerprint());
        assert_eq!(v.signature_algorithm().as_str(), "rsa-sha256");
        assert_eq!(v.digest_algorithm().as_str(), "sha256");
        assert_eq!(
            v.canonicalization(),
            saml_sp::vocabulary::C14nMethod::Exclusive
        );
    }
}

#[test]
fn rotation_any_certificate_of_the_set_verifies() {
    let set = IdpCertSet::new(
        [
            cert("idp-a.crt.pem").unwrap(),
            cert("idp-b.crt.pem").unwrap(),
            cert("idp-c.crt.pem").unwrap(),
        ],
        now(),
    )
    .unwrap();
    for (file, by) in [
        ("assertion-signed.xml", 0),
        ("signed-by-idp-b.xml", 1),
        ("idp-c-3072.xml", 2),
    ] {
        let xml = std::fs::read(fixtures().join("dsig").join(file)).unwrap();
        let doc = Document::parse(&xml, &Limits::default()).unwrap();
        let v = verify_enveloped(
            find(&doc, "Assertion"),
            &set,
            now(),
            &SignaturePolicy::default(),
        )
        .unwrap();
        assert_eq!(
            v.certificate(),
            set.certificates()[by].fingerprint(),
            "{file}"
        );
    }
}

#[test]
fn a_certificate_that_expired_after_the_set_was_built_is_not_tried() {
    // idp-b is valid until 2027-06-01; the set was built while it was valid.
    let set = IdpCertSet::new([cert("idp-b.crt.pem").unwrap()], now()).unwrap();
    let xml = std::fs::read(fixtures().join("dsig/signed-by-idp-b.xml")).unwrap();
    let policy = SignaturePolicy::default();
    assert_eq!(verdict(&xml, &["Assertion"], &set, now(), &policy), Ok(()));
    assert_eq!(
        verdict(
            &xml,
            &["Assertion"],
            &set,
            time("2027-06-02T00:00:00Z"),
            &policy
        ),
        Err(ErrorKind::NoUsableCertificate)
    );
    // And one valid only later is not tried before its time.
    assert_eq!(
        verdict(
            &xml,
            &["Assertion"],
            &set,
            time("2024-05-31T00:00:00Z"),
            &policy
        ),
        Err(ErrorKind::NoUsableCertificate)
    );
}

#[test]
fn a_signature_by_another_trusted_looking_key_fails() {
    // Signed by idp-b, but only idp-a is trusted.
    let xml = std::fs::read(fixtures().join("dsig/signed-by-idp-b.xml")).unwrap();
    assert_eq!(
        verdict(
            &xml,
            &["Assertion"],
            &idp_a(),
            now(),
            &SignaturePolicy::default()
        ),
        Err(ErrorKind::SignatureInvalid)
    );
}

/// Flips one character inside the text of the first element named `local`
/// (in any namespace) and returns the verdict.
fn flip_in(file: &str, local: &str, pick: impl Fn(&str) -> usize) -> Result<(), ErrorKind> {
    let xml = std::fs::read_to_string(fixtures().join("dsig").join(file)).unwrap();
    let open = xml
        .find(&format!("<{local}>"))
        .or_else(|| xml.find(&format!("<{local} ")))
        .unwrap_or_else(|| panic!("no <{local}"));
    let start = open + xml[open..].find('>').unwrap() + 1;
    let end = start + xml[start..].find('<').unwrap();
    let text = &xml[start..end];
    let at = start + pick(text);
    let mut bytes = xml.into_bytes();
    bytes[at] = match bytes[at] {
        b'A' => b'B',
        b'a' => b'b',
        b'0' => b'1',
        b'B' => b'A',
        _ => b'A',
    };
    verdict(
        &bytes,
        &["Assertion"],
        &idp_a(),
        now(),
        &SignaturePolicy::default(),
    )
}

#[test]
fn bit_flips() {
    // In the signature value (not in padding bits: mid-string).
    assert_eq!(
        flip_in("assertion-signed.xml", "SignatureValue", |t| t.len() / 2),
        Err(ErrorKind::SignatureInvalid)
    );
    // In the digest value: SignedInfo changed, so the signature fails.
    assert_eq!(
        flip_in("assertion-signed.xml", "DigestValue", |t| t.len() / 2),
        Err(ErrorKind::SignatureInvalid)
    );
    // In the signed content.
    assert_eq!(
        flip_in("assertion-signed.xml", "NameID", |_| 0),
        Err(ErrorKind::DigestMismatch)
    );
    assert_eq!(
        flip_in("assertion-signed.xml", "Audience", |t| t.len() - 1),
        Err(ErrorKind::DigestMismatch)
    );
}

#[test]
fn every_byte_of_signed_info_matters() {
    let xml = std::fs::read_to_string(fixtures().join("dsig/assertion-signed.xml")).unwrap();
    let start = xml.find("<SignedInfo>").unwrap();
    let end = xml.find("</SignedInfo>").unwrap();
    let mut rejected = 0;
    // Change each letter of every Algorithm attribute and URI: each must be
    // refused (as an unknown algorithm, a wrong reference or a bad signature).
    for at in start..end {
        let b = xml.as_bytes()[at];
        if !b.is_ascii_lowercase() {
            continue;
        }
        let mut bytes = xml.clone().into_bytes();
        bytes[at] = if b == b'z' { b'y' } else { b + 1 };
        let got = verdict(
            &bytes,
            &["Assertion"],
            &idp_a(),
            now(),
            &SignaturePolicy::default(),
        );
        assert!(got.is_err(), "flip at {at} accepted");
        rejected += 1;
    }
    assert!(rejected > 200);
}

// ---- certificates ------------------------------------------------------------

#[test]
fn certificate_forms() {
    let pem = std::fs::read_to_string(fixtures().join("keys/idp-a.crt.pem")).unwrap();
    let der = std::fs::read(fixtures().join("keys/idp-a.crt.der")).unwrap();
    let from_pem = SigningCertificate::from_pem(&pem).unwrap();
    let from_der = SigningCertificate::from_der(&der).unwrap();
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n  ");
    let from_b64 = SigningCertificate::from_base64(&format!("\n  {body}\r\n")).unwrap();
    assert_eq!(from_pem, from_der);
    assert_eq!(from_pem, from_b64);
    assert_eq!(from_pem.der(), &der[..]);
    assert_eq!(
        from_pem.fingerprint(),
        saml_sp::certs::CertFingerprint::of_der(&der)
    );
    assert_eq!(
        saml_sp::certs::CertFingerprint::from_hex(&from_pem.fingerprint().to_string()),
        Some(from_pem.fingerprint())
    );
    assert_eq!(from_pem.not_after(), time("2034-01-01T00:00:00Z"));
}

#[test]
fn certificate_rejections() {
    let kind = |r: Result<SigningCertificate, saml_sp::Error>| r.unwrap_err().kind();
    assert_eq!(kind(cert("weak1024.crt.pem")), ErrorKind::KeyTooSmall);
    assert_eq!(kind(cert("ec-p256.crt.pem")), ErrorKind::UnsupportedKeyType);
    assert_eq!(
        kind(SigningCertificate::from_pem("no pem here")),
        ErrorKind::CertificateInvalid
    );
    assert_eq!(
        kind(SigningCertificate::from_base64("!!!")),
        ErrorKind::CertificateInvalid
    );
    assert_eq!(
        kind(SigningCertificate::from_der(b"\x30\x03\x02\x01\x00")),
        ErrorKind::CertificateInvalid
    );
    let pem = std::fs::read_to_string(fixtures().join("keys/idp-a.crt.pem")).unwrap();
    let two = format!("{pem}{pem}");
    assert_eq!(
        kind(SigningCertificate::from_pem(&two)),
        ErrorKind::CertificateInvalid
    );
    let truncated = &pem[..pem.len() - 30];
    assert_eq!(
        kind(SigningCertificate::from_pem(truncated)),
        ErrorKind::CertificateInvalid
    );
    let mut der = std::fs::read(fixtures().join("keys/idp-a.crt.der")).unwrap();
    der.push(0);
    assert_eq!(
        kind(SigningCertificate::from_der(&der)),
        ErrorKind::CertificateInvalid
    );
    // A private key is not a certificate.
    let key = std::fs::read_to_string(fixtures().join("keys/idp-a.key.pem")).unwrap();
    assert_eq!(
        kind(SigningCertificate::from_pem(&key)),
        ErrorKind::CertificateInvalid
    );
}

#[test]
fn cert_set_rules() {
    let a = || cert("idp-a.crt.pem").unwrap();
    let b = || cert("idp-b.crt.pem").unwrap();
    let c = || cert("idp-c.crt.pem").unwrap();
    let err = |r: Result<IdpCertSet, saml_sp::Error>| r.unwrap_err().kind();
    assert_eq!(
        err(IdpCertSet::new([], now())),
        ErrorKind::NoUsableCertificate
    );
    assert_eq!(
        err(IdpCertSet::new([a(), a()], now())),
        ErrorKind::DuplicateCertificate
    );
    assert_eq!(
        err(IdpCertSet::new(
            [a(), cert("expired.crt.pem").unwrap()],
            now()
        )),
        ErrorKind::CertificateExpired
    );
    let mut set = IdpCertSet::new([a(), b(), c()], now()).unwrap();
    let fourth = cert("attacker.crt.pem").unwrap();
    assert_eq!(
        set.add(fourth.clone(), now()).unwrap_err().kind(),
        ErrorKind::TooManyCertificates
    );
    assert_eq!(set.certificates().len(), 3);
    // Remove one, then the fourth fits.
    let removed = set.remove(b().fingerprint()).unwrap();
    assert_eq!(removed, b());
    set.add(fourth, now()).unwrap();
    assert_eq!(
        set.remove(b().fingerprint()).unwrap_err().kind(),
        ErrorKind::CertificateNotFound
    );
    let mut single = IdpCertSet::new([a()], now()).unwrap();
    assert_eq!(
        single.remove(a().fingerprint()).unwrap_err().kind(),
        ErrorKind::NoUsableCertificate
    );
    // A not-yet-valid certificate may be added ahead of a rotation, but is
    // not usable before its time.
    let notyet = IdpCertSet::new([a(), cert("notyet.crt.pem").unwrap()], now()).unwrap();
    assert_eq!(notyet.usable_at(now()).count(), 1);
}

#[test]
fn expiry_notices_at_each_threshold() {
    // idp-b: not_after 2027-06-01T00:00:00Z.
    let set = IdpCertSet::new([cert("idp-b.crt.pem").unwrap()], now()).unwrap();
    let due = |at: &str| {
        set.expiry_notices(time(at))
            .first()
            .map(|n| (n.due.as_str(), n.days_left))
    };
    assert_eq!(due("2027-05-01T23:59:59Z"), None);
    assert_eq!(due("2027-05-02T00:00:00Z"), Some(("30_days", 30)));
    assert_eq!(due("2027-05-24T23:59:59Z"), Some(("30_days", 7)));
    assert_eq!(due("2027-05-25T00:00:00Z"), Some(("7_days", 7)));
    assert_eq!(due("2027-05-31T00:00:00Z"), Some(("1_day", 1)));
    assert_eq!(due("2027-05-31T12:00:00Z"), Some(("1_day", 0)));
    assert_eq!(due("2027-06-01T00:00:00Z"), None);
}

// ---- real IdP recordings (../shared/fixtures/real) -----------------------------

/// Every signature of every recording: those xmlsec1 verifies with the
/// IdP's certificate must verify with ours at the recording's pinned time
/// (KeyInfo ignored); every file with a signature xmlsec1 refuses must fail.
#[test]
fn real_recordings_agree_with_xmlsec1() {
    let Some(dir) = real_recordings_dir("every signature of the real recordings against xmlsec1")
    else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let (mut verified, mut refused, mut weak_keys) = (0, 0, 0);
    let mut failures = Vec::new();
    for row in manifest.as_array().unwrap() {
        let file = row["file"].as_str().unwrap();
        let Some(signatures) = row["signatures"].as_array().filter(|s| !s.is_empty()) else {
            continue;
        };
        let xml = std::fs::read(dir.join(file)).unwrap();
        let sha1 = row["signature_algorithm"]
            .as_str()
            .unwrap_or("")
            .ends_with("sha1")
            || row["digest_algorithm"]
                .as_str()
                .unwrap_or("")
                .ends_with("sha1");
        let policy = SignaturePolicy::default().with_sha1_allowed(sha1);
        let mut outcomes = Vec::new();
        for (index, sig) in signatures.iter().enumerate() {
            let cert_file = sig["verified_by"]
                .as_str()
                .filter(|s| !s.is_empty())
                .or_else(|| row["certs"][0].as_str())
                .unwrap();
            let bytes = std::fs::read(dir.join(cert_file)).unwrap();
            let cert = match SigningCertificate::parse(&bytes) {
                Ok(cert) => cert,
                Err(e) if e.kind() == ErrorKind::KeyTooSmall => {
                    // 2013-era IdPs signed with 1024-bit keys: refused by
                    // default, accepted with the named opt-in.
                    weak_keys += 1;
                    let legacy = CertificatePolicy::default().with_min_rsa_bits(1024);
                    SigningCertificate::parse_with_policy(&bytes, &legacy).unwrap()
                }
                Err(e) => panic!("{file}: {cert_file}: {e:?}"),
            };
            let at = row["now"]
                .as_str()
                .map(time)
                .unwrap_or(cert.not_before() + chrono::TimeDelta::days(1));
            let id = sig["reference"].as_str().unwrap().trim_start_matches('#');
            let outcome = IdpCertSet::new([cert], at)
                .and_then(|certs| {
                    let doc = Document::parse(&xml, &Limits::default())?;
                    // The i-th Signature in document order is the i-th row;
                    // verify the element that holds it.
                    let el = doc
                        .root()
                        .descendants()
                        .filter(|e| e.is(ns::DSIG, "Signature"))
                        .nth(index)
                        .and_then(|sig| sig.parent())
                        .unwrap();
                    verify_enveloped(el, &certs, at, &policy).map(|_| ())
                })
                .map_err(|e| e.kind());
            let expected = sig["xmlsec1"].as_bool().unwrap();
            outcomes.push((expected, outcome));
            if expected && outcome.is_err() {
                failures.push(format!(
                    "{file} #{id}: xmlsec1 verifies, we say {outcome:?}"
                ));
            }
        }
        if outcomes.iter().all(|(expected, _)| *expected) {
            verified += 1;
        } else {
            if outcomes.iter().all(|(_, got)| got.is_ok()) {
                failures.push(format!(
                    "{file}: xmlsec1 refuses a signature, we accept all"
                ));
            }
            refused += 1;
        }
        if sha1 {
            // SHA-1 recordings are refused without the opt-in.
            let doc = Document::parse(&xml, &Limits::default());
            if let Ok(doc) = doc {
                let id = signatures[0]["reference"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches('#');
                if let Some(el) = doc.element_by_id(id) {
                    let cert = row["certs"][0].as_str().unwrap();
                    let legacy = CertificatePolicy::default().with_min_rsa_bits(1024);
                    let cert = SigningCertificate::parse_with_policy(
                        &std::fs::read(dir.join(cert)).unwrap(),
                        &legacy,
                    )
                    .unwrap();
                    let at = cert.not_before() + chrono::TimeDelta::days(1);
                    let certs = IdpCertSet::new([cert], at).unwrap();
                    let got = verify_enveloped(el, &certs, at, &SignaturePolicy::default());
                    assert_eq!(
                        got.unwrap_err().kind(),
                        ErrorKind::UnsupportedAlgorithm,
                        "{file}"
                    );
                }
            }
        }
    }
    println!(
        "real recordings: {verified} files verify, {refused} refused, {weak_keys} 1024-bit keys"
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(verified >= 30, "only {verified}");
}
