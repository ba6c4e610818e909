//! End to end against a live IdP: SimpleSAMLphp 1.19 (Debian's package, run
//! by `php -S` on 127.0.0.1; see testbed/simplesamlphp/README.md).
//!
//! We read the IdP's live metadata, send our AuthnRequests over
//! HTTP-Redirect and HTTP-POST (unsigned, and signed to the SP that requires
//! it), log the test user in with testbed/simplesamlphp/login.py, and feed
//! the SAMLResponse the IdP posts to our ACS to `ResponseVerifier` with the
//! request ID we kept and the system clock.
//!
//! `#[ignore]`d: it needs the testbed (`testbed/simplesamlphp/install.sh`),
//! so a plain `cargo test` lists it as ignored, with the reason, instead of
//! passing without having run. `cargo test --test live_idp -- --ignored` runs
//! it (.ci/run does, after install.sh), and then a missing testbed is a
//! failure. The server is started here and stopped by PID (stop.sh) from a
//! Drop guard, also on failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fresh;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::request::NameIdPolicy;
use saml_sp::response::{RequiredSignature, SignedParts};
use saml_sp::time::Utc;
use saml_sp::vocabulary::NameIdFormat;
use saml_sp::{
    AuthnRequestBuilder, EndpointUrl, EntityId, ErrorKind, IdpMetadata, OsRng, RequestId,
    ResponseVerifier, SigningCertificate, SpSigningKey,
};

const SSP_ROOT: &str =
    "target/simplesamlphp/root/usr/share/simplesamlphp/www/saml2/idp/SSOService.php";

/// The running IdP; stopped by PID when dropped.
struct Idp {
    env: HashMap<String, String>,
}

impl Idp {
    fn start() -> Self {
        let out = Command::new("bash")
            .arg("testbed/simplesamlphp/start.sh")
            .env("SSP_START_TIMEOUT", "15")
            .output()
            .expect("run start.sh");
        assert!(
            out.status.success(),
            "start.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env: HashMap<String, String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for key in [
            "SSP_PID",
            "SSP_SSO_URL",
            "SSP_METADATA_URL",
            "SSP_IDP_ENTITY_ID",
            "SSP_ACS_BASE",
            "SSP_RUN_DIR",
        ] {
            assert!(env.contains_key(key), "start.sh printed no {key}");
        }
        Self { env }
    }

    fn get(&self, key: &str) -> &str {
        &self.env[key]
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let started = Instant::now();
        let status = Command::new("bash")
            .arg("testbed/simplesamlphp/stop.sh")
            .arg(self.get("SSP_RUN_DIR"))
            .output();
        match status {
            Ok(out) if out.status.success() => {
                println!(
                    "IdP PID {} stopped in {:?}",
                    self.get("SSP_PID"),
                    started.elapsed()
                );
            }
            _ => {
                // Last resort, by PID only.
                let _ = Command::new("kill")
                    .args(["-KILL", self.get("SSP_PID")])
                    .status();
            }
        }
    }
}

/// What login.py captured: the form the IdP would post to the ACS.
struct Captured {
    acs_url: String,
    saml_response: String,
    relay_state: Option<String>,
}

/// Logs alice in; `Err` with login.py's reason when the IdP refuses.
fn login(args: &[&str]) -> Result<Captured, String> {
    let out = Command::new("python3")
        .arg("testbed/simplesamlphp/login.py")
        .args(args)
        .args(["--timeout", "10"])
        .output()
        .expect("run login.py");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Ok(Captured {
        acs_url: json["acs_url"].as_str().unwrap().to_owned(),
        saml_response: json["saml_response"].as_str().unwrap().to_owned(),
        relay_state: json["relay_state"].as_str().map(str::to_owned),
    })
}

fn cert(name: &str) -> SigningCertificate {
    SigningCertificate::from_pem(
        &std::fs::read_to_string(format!("fixtures/keys/{name}.crt.pem")).unwrap(),
    )
    .unwrap()
}

fn key(name: &str) -> SpSigningKey {
    SpSigningKey::from_pem(
        &std::fs::read_to_string(format!("fixtures/keys/{name}.key.pem")).unwrap(),
    )
    .unwrap()
}

enum Send {
    Redirect,
    Post,
}

struct Sp<'a> {
    idp: &'a Idp,
    metadata: &'a IdpMetadata,
    mode: &'static str,
}

impl Sp<'_> {
    fn entity_id(&self) -> String {
        format!("https://sso.example.com/saml/{}", self.mode)
    }

    fn acs(&self) -> String {
        format!("{}/saml/{}/acs", self.idp.get("SSP_ACS_BASE"), self.mode)
    }

    fn builder(&self) -> AuthnRequestBuilder {
        AuthnRequestBuilder::new(
            EntityId::new(self.entity_id()).unwrap(),
            EndpointUrl::new(self.acs()).unwrap(),
            self.metadata,
        )
        .name_id_policy(NameIdPolicy::new(NameIdFormat::EmailAddress).allow_create(true))
    }

    /// Sends one AuthnRequest with `builder` and logs in.
    fn send(
        &self,
        builder: &AuthnRequestBuilder,
        how: Send,
        relay_state: &str,
    ) -> (Result<Captured, String>, RequestId) {
        match how {
            Send::Redirect => {
                let (redirect, id) = builder
                    .redirect(Some(relay_state), &mut OsRng, Utc::now())
                    .unwrap();
                (login(&["--redirect", redirect.url()]), id)
            }
            Send::Post => {
                let (form, id) = builder
                    .post(Some(relay_state), &mut OsRng, Utc::now())
                    .unwrap();
                assert_eq!(
                    STANDARD.decode(form.value()).unwrap(),
                    form.xml().as_bytes()
                );
                let result = login(&[
                    "--post",
                    form.action().as_str(),
                    "--saml-request",
                    form.value(),
                    "--relay-state",
                    form.relay_state().unwrap(),
                ]);
                (result, id)
            }
        }
    }

    fn verifier(&self, required: RequiredSignature) -> ResponseVerifier {
        self.verifier_at(&self.acs(), required)
    }

    fn verifier_at(&self, acs: &str, required: RequiredSignature) -> ResponseVerifier {
        ResponseVerifier::new(
            EntityId::new(self.entity_id()).unwrap(),
            EndpointUrl::new(acs).unwrap(),
            self.metadata.entity_id().clone(),
            self.metadata
                .certificate_set(Utc::now())
                .unwrap()
                .into_set(),
        )
        .required_signature(required)
    }
}

#[test]
#[ignore = "needs the SimpleSAMLphp testbed (testbed/simplesamlphp/install.sh)"]
fn live_simplesamlphp() {
    let installed = Path::new(SSP_ROOT).is_file() && Command::new("php").arg("-v").output().is_ok();
    assert!(
        installed,
        "the SimpleSAMLphp testbed is not installed: run testbed/simplesamlphp/install.sh"
    );
    let started = Instant::now();
    let idp = Idp::start();
    println!(
        "IdP started in {:?} at {}",
        started.elapsed(),
        idp.get("SSP_SSO_URL")
    );

    // The IdP's live metadata, read by our metadata reader (php fetches it).
    let xml = Command::new("php")
        .args([
            "-r",
            "echo file_get_contents($argv[1]);",
            idp.get("SSP_METADATA_URL"),
        ])
        .output()
        .unwrap()
        .stdout;
    let metadata = IdpMetadata::parse(&xml, Utc::now()).unwrap();
    assert_eq!(metadata.entity_id().as_str(), idp.get("SSP_IDP_ENTITY_ID"));
    for binding in [
        saml_sp::vocabulary::Binding::HttpRedirect,
        saml_sp::vocabulary::Binding::HttpPost,
    ] {
        assert_eq!(
            metadata.single_sign_on().get(binding).map(|u| u.as_str()),
            Some(idp.get("SSP_SSO_URL"))
        );
    }
    assert!(metadata.signing_certificates().contains(&cert("idp-a")));

    let mut logins = 0;
    // Each signing mode of the IdP, over both bindings: accepted with the kept
    // request ID, refused for another one.
    for (mode, required, signed) in [
        (
            "assertion-only",
            RequiredSignature::Assertion,
            SignedParts::Assertion,
        ),
        (
            "response-only",
            RequiredSignature::Response,
            SignedParts::Response,
        ),
        ("both", RequiredSignature::Both, SignedParts::Both),
    ] {
        let sp = Sp {
            idp: &idp,
            metadata: &metadata,
            mode,
        };
        for how in [Send::Redirect, Send::Post] {
            let binding = match how {
                Send::Redirect => "redirect",
                Send::Post => "post",
            };
            let relay_state = format!("/teams/acme?via={binding}&x=<y>");
            let (captured, id) = sp.send(&sp.builder(), how, &relay_state);
            logins += 1;
            let captured =
                captured.unwrap_or_else(|e| panic!("{mode} {binding}: IdP refused: {e}"));
            assert_eq!(captured.acs_url, sp.acs());
            assert_eq!(captured.relay_state.as_deref(), Some(relay_state.as_str()));
            let verifier = sp.verifier(required);
            let assertion = verifier
                .verify(
                    captured.saml_response.as_bytes(),
                    std::slice::from_ref(&id),
                    Utc::now(),
                )
                .unwrap_or_else(|e| panic!("{mode} {binding}: {e:?}"));
            let assertion = fresh(assertion);
            assert_eq!(assertion.name_id(), "alice@acme.example");
            assert_eq!(assertion.signed(), signed, "{mode} {binding}");
            assert_eq!(
                assertion.attribute("http://schemas.microsoft.com/identity/claims/tenantid"),
                Some("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
            );
            // Another request ID: refused.
            let other = RequestId::random(&mut OsRng);
            assert_eq!(
                verifier
                    .verify(captured.saml_response.as_bytes(), &[other], Utc::now())
                    .unwrap_err()
                    .kind(),
                ErrorKind::InResponseToMismatch,
                "{mode} {binding}"
            );
            println!(
                "{mode:>15} {binding:<8} accepted ({}), other request ID refused",
                assertion.signed().as_str()
            );
        }
    }

    // An SP expecting another ACS URL refuses what the IdP posts to the
    // registered one (SimpleSAMLphp ignores the request's ACS URL).
    let sp = Sp {
        idp: &idp,
        metadata: &metadata,
        mode: "both",
    };
    let (captured, id) = sp.send(&sp.builder(), Send::Redirect, "x");
    logins += 1;
    let elsewhere = format!("{}/saml/elsewhere/acs", idp.get("SSP_ACS_BASE"));
    assert_eq!(
        sp.verifier_at(&elsewhere, RequiredSignature::Both)
            .verify(
                captured.unwrap().saml_response.as_bytes(),
                &[id],
                Utc::now()
            )
            .unwrap_err()
            .kind(),
        ErrorKind::DestinationMismatch
    );
    println!("           both redirect to another ACS: destination_mismatch");

    // SHA-1: refused unless allowed.
    let sp = Sp {
        idp: &idp,
        metadata: &metadata,
        mode: "sha1",
    };
    let (captured, id) = sp.send(&sp.builder(), Send::Redirect, "sha1");
    logins += 1;
    let response = captured.unwrap().saml_response;
    assert_eq!(
        sp.verifier(RequiredSignature::Assertion)
            .verify(response.as_bytes(), std::slice::from_ref(&id), Utc::now())
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    let assertion = sp
        .verifier(RequiredSignature::Assertion)
        .allow_sha1(true)
        .verify(response.as_bytes(), &[id], Utc::now())
        .unwrap();
    assert_eq!(fresh(assertion).name_id(), "alice@acme.example");
    println!("           sha1 redirect refused (unsupported_algorithm); accepted with allow_sha1");

    // Signed AuthnRequests: the IdP requires them from this SP and checks
    // them against fixtures/keys/sp.crt.pem.
    let sp = Sp {
        idp: &idp,
        metadata: &metadata,
        mode: "signed-requests",
    };
    let signed = sp
        .builder()
        .sign_with(key("sp").with_certificate(cert("sp")).unwrap());
    for how in [Send::Redirect, Send::Post] {
        let binding = match how {
            Send::Redirect => "redirect",
            Send::Post => "post",
        };
        let (captured, id) = sp.send(&signed, how, "signed");
        logins += 1;
        let captured = captured.unwrap_or_else(|e| panic!("signed {binding}: IdP refused: {e}"));
        let assertion = sp
            .verifier(RequiredSignature::Both)
            .verify(captured.saml_response.as_bytes(), &[id], Utc::now())
            .unwrap();
        assert_eq!(fresh(assertion).name_id(), "alice@acme.example");
        println!(
            "signed-requests {binding:<8} signed request accepted by the IdP; response verified"
        );
    }
    // Unsigned, or signed with another key: the IdP refuses them.
    let wrong = sp.builder().sign_with(key("attacker"));
    for (what, builder) in [("unsigned", sp.builder()), ("wrong key", wrong)] {
        for how in [Send::Redirect, Send::Post] {
            let (captured, _) = sp.send(&builder, how, "x");
            logins += 1;
            let err = captured
                .err()
                .unwrap_or_else(|| panic!("the IdP accepted a {what} request"));
            assert!(
                err.contains("signature") || err.contains("Signature"),
                "{what}: {err}"
            );
        }
        println!("signed-requests {what} request refused by the IdP");
    }
    // Assertion encryption (assertion.encryption with the sp-enc
    // certificate in the remote-SP metadata): the IdP signs the Assertion,
    // then encrypts it (aes128-cbc, rsa-oaep-mgf1p); we decrypt it with the
    // sp-enc key, and refuse it without a key.
    let sp = Sp {
        idp: &idp,
        metadata: &metadata,
        mode: "encrypted",
    };
    let decryption = SpDecryptionKey::from_pem(
        &std::fs::read_to_string(common::fixtures().join("keys/sp-enc.key.pem")).unwrap(),
    )
    .unwrap()
    .with_certificate(cert("sp-enc"))
    .unwrap();
    for how in [Send::Redirect, Send::Post] {
        let binding = match how {
            Send::Redirect => "redirect",
            Send::Post => "post",
        };
        let (captured, id) = sp.send(&sp.builder(), how, "encrypted");
        logins += 1;
        let response = captured
            .unwrap_or_else(|e| panic!("encrypted {binding}: IdP refused: {e}"))
            .saml_response;
        let xml = STANDARD.decode(response.as_bytes()).unwrap();
        let text = String::from_utf8_lossy(&xml);
        assert!(text.contains("EncryptedAssertion"), "{text}");
        assert!(text.contains("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"));
        assert_eq!(
            sp.verifier(RequiredSignature::Assertion)
                .verify(response.as_bytes(), std::slice::from_ref(&id), Utc::now())
                .unwrap_err()
                .kind(),
            ErrorKind::EncryptedAssertionUnsupported
        );
        let verified = sp
            .verifier(RequiredSignature::Assertion)
            .decryption_keys(SpDecryptionKeys::new(decryption.clone()))
            .require_encrypted_assertion(true)
            .verify(response.as_bytes(), &[id], Utc::now())
            .unwrap_or_else(|e| panic!("encrypted {binding}: {e:?}"));
        assert!(verified.encrypted());
        let assertion = fresh(verified);
        assert_eq!(assertion.name_id(), "alice@acme.example");
        assert_eq!(assertion.signed(), SignedParts::Assertion);
        println!(
            "      encrypted {binding:<8} decrypted (sp-enc) and accepted; refused without a key"
        );
    }

    println!(
        "{logins} logins, {:?} in all (before stop)",
        started.elapsed()
    );
}

/// What `login.py --slo` / `--idp-logout` saw: the redirect to our SLO URL
/// (not followed), or the IdP's own final page.
fn slo(args: &[&str]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg("testbed/simplesamlphp/login.py")
        .args(args)
        .args(["--timeout", "10"])
        .output()
        .expect("run login.py");
    assert!(
        out.status.success(),
        "login.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Single Logout against SimpleSAMLphp, both directions, with the SP
/// `signed-requests` (the IdP checks our logout messages' signatures:
/// `validate.logout`), over HTTP-Redirect, in one browser whose cookies
/// (the IdP session) live in a cookie jar:
/// - SP-initiated: our signed LogoutRequest ends the IdP session (the next
///   sign-in asks for the password again) and the IdP's LogoutResponse to
///   our SLO URL verifies with the kept request ID;
/// - IdP-initiated: a logout started at the IdP reaches our SLO URL as a
///   signed LogoutRequest that verifies, names the signed-in person and
///   session, ends the app session registered at sign-in, is refused when
///   replayed, and our signed LogoutResponse completes the IdP's logout.
#[test]
fn live_simplesamlphp_single_logout() {
    use saml_sp::logout::{
        LogoutInput, LogoutRequestBuilder, LogoutResponseBuilder, LogoutStatus, LogoutSubject,
        LogoutVerifier,
    };
    use saml_sp::store::{
        MemoryReplayCache, MemorySessionRegistry, SessionKey, SessionRegistry, ready,
    };

    let demanded = std::env::var("SAML_SP_LIVE_IDP").is_ok_and(|v| v == "1");
    let installed = Path::new(SSP_ROOT).is_file() && Command::new("php").arg("-v").output().is_ok();
    if !installed {
        assert!(
            !demanded,
            "SAML_SP_LIVE_IDP=1 but the testbed is not installed: run testbed/simplesamlphp/install.sh"
        );
        println!("skipped: the SimpleSAMLphp testbed is not installed");
        return;
    }
    let idp = Idp::start();
    let xml = Command::new("php")
        .args([
            "-r",
            "echo file_get_contents($argv[1]);",
            idp.get("SSP_METADATA_URL"),
        ])
        .output()
        .unwrap()
        .stdout;
    let metadata = IdpMetadata::parse(&xml, Utc::now()).unwrap();
    let idp_slo = metadata
        .single_logout()
        .redirect()
        .expect("the IdP publishes an HTTP-Redirect SingleLogoutService")
        .clone();
    println!("IdP SingleLogoutService (Redirect): {}", idp_slo.as_str());

    let jar = Path::new(idp.get("SSP_RUN_DIR")).join("cookies.txt");
    let jar = jar.to_str().unwrap();
    let acs_base = idp.get("SSP_ACS_BASE");
    let base_url = idp
        .get("SSP_SSO_URL")
        .trim_end_matches("/saml2/idp/SSOService.php");
    let sp = Sp {
        idp: &idp,
        metadata: &metadata,
        mode: "signed-requests",
    };
    let our_slo = format!("{}/saml/signed-requests/slo", idp.get("SSP_ACS_BASE"));
    let sp_key = || key("sp").with_certificate(cert("sp")).unwrap();
    let signed = sp.builder().sign_with(sp_key());
    let sign_in = || {
        let (redirect, id) = signed.redirect(Some("/"), &mut OsRng, Utc::now()).unwrap();
        let out = slo(&[
            "--redirect",
            redirect.url(),
            "--cookie-jar",
            jar,
            "--acs-base",
            acs_base,
        ]);
        let assertion = sp
            .verifier(RequiredSignature::Both)
            .verify(
                out["saml_response"].as_str().unwrap().as_bytes(),
                &[id],
                Utc::now(),
            )
            .unwrap();
        (fresh(assertion), out["password_asked"].as_bool().unwrap())
    };
    let verifier = LogoutVerifier::new(
        EntityId::new(sp.entity_id()).unwrap(),
        EndpointUrl::new(&our_slo).unwrap(),
        metadata.entity_id().clone(),
        metadata.certificate_set(Utc::now()).unwrap().into_set(),
    );
    let query = |url: &str| url.split_once('?').unwrap().1.to_owned();

    // ---- SP-initiated ----
    let (alice, asked) = sign_in();
    assert!(asked, "the first sign-in asks for the password");
    let (_, asked) = sign_in();
    assert!(
        !asked,
        "the IdP session signs alice in again without a password"
    );
    let session_index = alice
        .session_index()
        .expect("SimpleSAMLphp sends a SessionIndex")
        .to_owned();
    let subject = LogoutSubject::from_assertion(&alice);
    let (request, request_id) =
        LogoutRequestBuilder::new(EntityId::new(sp.entity_id()).unwrap(), &metadata)
            .sign_with(sp_key())
            .redirect(&subject, Some("/signed-out"), &mut OsRng, Utc::now())
            .unwrap();
    assert!(request.url().starts_with(idp_slo.as_str()));
    let out = slo(&[
        "--slo",
        request.url(),
        "--cookie-jar",
        jar,
        "--acs-base",
        acs_base,
    ]);
    let back = out["redirect"]
        .as_str()
        .unwrap_or_else(|| panic!("no redirect to our SLO URL: {out}"));
    assert!(
        back.starts_with(&format!("{our_slo}?SAMLResponse=")),
        "{back}"
    );
    let response = verifier
        .verify_response(
            LogoutInput::Redirect(&query(back)),
            std::slice::from_ref(&request_id),
            Utc::now(),
        )
        .unwrap_or_else(|e| panic!("the IdP's LogoutResponse: {e:?}"));
    assert_eq!(response.status(), LogoutStatus::Success);
    assert_eq!(response.relay_state(), Some("/signed-out"));
    assert!(response.is_signed());
    // Another request ID: refused.
    assert_eq!(
        verifier
            .verify_response(
                LogoutInput::Redirect(&query(back)),
                &[RequestId::random(&mut OsRng)],
                Utc::now()
            )
            .unwrap_err()
            .kind(),
        ErrorKind::InResponseToMismatch
    );
    let (alice, asked) = sign_in();
    assert!(
        asked,
        "after our LogoutRequest the IdP asks for the password again"
    );
    println!(
        "SP-initiated: IdP session ended, LogoutResponse verified (success), SessionIndex {session_index}"
    );

    // ---- IdP-initiated: alice's new sign-in is an app session ----
    let registry = MemorySessionRegistry::new(100);
    let key = SessionKey::new(
        "signed-requests",
        metadata.entity_id().as_str(),
        alice.name_id(),
        alice.name_id_format(),
    )
    .unwrap();
    let until = Utc::now() + chrono::TimeDelta::hours(1);
    ready(registry.register(
        &key,
        alice.session_index(),
        "app-session-1",
        until,
        Utc::now(),
    ))
    .unwrap();

    let out = slo(&[
        "--idp-logout",
        "--cookie-jar",
        jar,
        "--acs-base",
        acs_base,
        "--base-url",
        base_url,
    ]);
    let to_us = out["redirect"]
        .as_str()
        .unwrap_or_else(|| panic!("no LogoutRequest to our SLO URL: {out}"));
    assert!(
        to_us.starts_with(&format!("{our_slo}?SAMLRequest=")),
        "{to_us}"
    );
    let replay = MemoryReplayCache::new(10);
    let verified = verifier
        .verify_request(LogoutInput::Redirect(&query(to_us)), Utc::now())
        .unwrap_or_else(|e| panic!("the IdP's LogoutRequest: {e:?}"));
    let request = verified.check_replay(&replay, Utc::now()).unwrap();
    assert!(request.is_signed());
    assert_eq!(request.name_id().value, "alice@acme.example");
    assert_eq!(request.session_indexes(), [alice.session_index().unwrap()]);
    let ended = ready(registry.end(&key, request.session_indexes(), Utc::now())).unwrap();
    assert_eq!(ended, ["app-session-1"], "the app session is ended");
    // The same LogoutRequest again: refused.
    assert_eq!(
        verifier
            .verify_request(LogoutInput::Redirect(&query(to_us)), Utc::now())
            .unwrap()
            .check_replay(&replay, Utc::now())
            .unwrap_err()
            .kind(),
        ErrorKind::LogoutRequestReplayed
    );
    let answer = LogoutResponseBuilder::new(EntityId::new(sp.entity_id()).unwrap(), &metadata)
        .sign_with(sp_key())
        .redirect(&request, LogoutStatus::Success, &mut OsRng, Utc::now())
        .unwrap();
    let out = slo(&[
        "--slo",
        answer.url(),
        "--cookie-jar",
        jar,
        "--acs-base",
        acs_base,
    ]);
    assert_eq!(out["status"], 200, "the IdP completes its logout: {out}");
    assert!(
        out["final_url"]
            .as_str()
            .unwrap()
            .ends_with("/saml2/idp/metadata.php"),
        "{out}"
    );
    let (_, asked) = sign_in();
    assert!(
        asked,
        "after the IdP-initiated logout the IdP asks for the password again"
    );
    println!(
        "IdP-initiated: LogoutRequest verified, app session ended, replay refused, our LogoutResponse accepted"
    );
}
