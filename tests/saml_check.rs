//! The `saml_check` example CLI, run as other tools run it: its help, its
//! usage errors and exit statuses, and `--min-rsa-bits`.
//!
//! Contract: exactly one JSON object on stdout, exit 0 with `"ok":true`;
//! exit 1 with `{"ok":false,"error":"<kind>","message":"..."}`; exit 2 for
//! usage errors (a message on stderr, nothing on stdout); `--help` on
//! stdout with exit 0.
//!
//! Cargo gives integration tests no path to an example's binary
//! (`CARGO_BIN_EXE_*` is for `[[bin]]` targets only), so the first test to
//! need it builds it once with the cargo running the tests, the same profile
//! and the same features, and takes the path cargo reports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const SP: &str = "https://sso.example.com/saml/acme";
const ACS: &str = "https://sso.example.com/saml/acme/acs";
const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";
const NOW: &str = "2026-03-02T10:01:00Z";

const SUBCOMMANDS: [&str; 9] = [
    "c14n",
    "dsig",
    "metadata",
    "sp-metadata",
    "verify",
    "authn-request",
    "logout-request",
    "verify-logout-response",
    "verify-logout-request",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The path of the built `saml_check` example.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let mut features = Vec::new();
        if cfg!(feature = "aws-lc-rs") {
            features.push("aws-lc-rs");
        }
        if cfg!(feature = "serde") {
            features.push("serde");
        }
        if cfg!(feature = "redis") {
            features.push("redis");
        }
        let mut cargo = Command::new(env!("CARGO"));
        cargo.current_dir(root()).args([
            "build",
            "--example",
            "saml_check",
            "--message-format=json",
        ]);
        if !features.is_empty() {
            cargo.args(["--features", &features.join(",")]);
        }
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
        }
        let out = cargo.output().expect("run cargo");
        assert!(
            out.status.success(),
            "cargo build --example saml_check failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "saml_check")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no saml_check executable")
    })
}

/// What one run printed and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// stdout as the one JSON object it must be.
    fn json(&self) -> Value {
        let line = self.stdout.trim_end_matches('\n');
        assert!(
            !line.is_empty() && !line.contains('\n'),
            "stdout is not one line: {:?}",
            self.stdout
        );
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {line}"));
        assert!(value.is_object(), "stdout is not a JSON object: {line}");
        value
    }

    fn describe(&self) -> String {
        format!(
            "exit {}\nstdout: {}\nstderr: {}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn saml_check(args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(binary())
        .current_dir(root())
        .args(args)
        .output()
        .expect("run saml_check");
    Run {
        code: status.code().expect("saml_check ended by a signal"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// A usage error: exit 2, a message on stderr, nothing on stdout.
fn assert_usage_error(run: &Run, stderr_mentions: &str) {
    assert_eq!(run.code, 2, "{}", run.describe());
    assert_eq!(run.stdout, "", "{}", run.describe());
    assert!(
        run.stderr.contains(stderr_mentions),
        "stderr does not mention {stderr_mentions:?}: {}",
        run.describe()
    );
}

/// The arguments `.ci/run` verifies responses with.
fn ci_verify_args() -> Vec<&'static str> {
    vec![
        "verify",
        "--idp-metadata",
        "fixtures/metadata/azure-app-signed.xml",
        "--sp-entity-id",
        SP,
        "--acs-url",
        ACS,
        "--request-id",
        REQUEST,
        "--now",
        NOW,
    ]
}

#[test]
fn help_lists_every_subcommand_on_stdout_with_exit_0() {
    for flag in ["--help", "-h"] {
        let run = saml_check(&[flag]);
        assert_eq!(run.code, 0, "{}", run.describe());
        assert_eq!(run.stderr, "", "{}", run.describe());
        for sub in SUBCOMMANDS {
            assert!(
                run.stdout.contains(sub),
                "{flag} does not mention {sub}: {}",
                run.stdout
            );
        }
    }
}

#[test]
fn every_subcommand_has_help_on_stdout_with_exit_0() {
    for sub in SUBCOMMANDS {
        for flag in ["--help", "-h"] {
            let run = saml_check(&[sub, flag]);
            assert_eq!(run.code, 0, "{sub} {flag}: {}", run.describe());
            assert!(
                run.stdout.contains("Usage: saml_check ") && run.stdout.contains(sub),
                "{sub} {flag}: {}",
                run.describe()
            );
        }
    }
    // `help SUBCOMMAND` too.
    let run = saml_check(&["help", "verify"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.stdout.contains("--idp-metadata"), "{}", run.describe());
}

#[test]
fn min_rsa_bits_is_in_the_help_of_the_subcommands_that_load_idp_certificates() {
    for sub in ["verify", "dsig", "metadata"] {
        let run = saml_check(&[sub, "--help"]);
        assert_eq!(run.code, 0, "{}", run.describe());
        assert!(
            run.stdout.contains("--min-rsa-bits"),
            "{sub} --help: {}",
            run.stdout
        );
    }
    let run = saml_check(&["verify", "--help"]);
    for option in [
        "--idp-metadata",
        "--sp-entity-id",
        "--acs-url",
        "--request-id",
        "--allow-unsolicited",
        "--allow-sha1",
        "--clock-skew",
        "--now",
        "--repeat",
        "RESPONSE_FILE",
    ] {
        assert!(run.stdout.contains(option), "verify --help lacks {option}");
    }
}

#[test]
fn version_is_on_stdout_with_exit_0() {
    let run = saml_check(&["--version"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(
        run.stdout.trim(),
        format!("saml_check {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_with_nothing_on_stdout() {
    // No subcommand, an unknown one, an unknown option.
    assert_usage_error(&saml_check(&[]), "Usage: saml_check <COMMAND>");
    assert_usage_error(&saml_check(&["frobnicate"]), "frobnicate");
    let mut args = ci_verify_args();
    args.extend([
        "--no-such-option",
        "fixtures/attacks/valid-b64-wrapped76.b64",
    ]);
    assert_usage_error(&saml_check(&args), "--no-such-option");
    // The `.ci/run` case: required options missing.
    assert_usage_error(
        &saml_check(&["verify", "fixtures/dsig/assertion-signed.xml"]),
        "--idp-metadata",
    );
    // A missing value, a bad value, an out-of-range value.
    assert_usage_error(
        &saml_check(&["dsig", "--cert", "fixtures/keys/idp-a.crt.pem", "--now"]),
        "--now",
    );
    assert_usage_error(
        &saml_check(&[
            "dsig",
            "--cert",
            "fixtures/keys/idp-a.crt.pem",
            "--now",
            "yesterday",
            "fixtures/dsig/assertion-signed.xml",
        ]),
        "RFC 3339",
    );
    for bits in ["512", "1023", "4097", "many"] {
        let mut args = ci_verify_args();
        args.extend([
            "--min-rsa-bits",
            bits,
            "fixtures/attacks/valid-b64-wrapped76.b64",
        ]);
        assert_usage_error(&saml_check(&args), "--min-rsa-bits");
    }
    assert_usage_error(
        &saml_check(&[
            "sp-metadata",
            "--sp-entity-id",
            SP,
            "--acs-url",
            ACS,
            "--name-id-format",
            "x509",
        ]),
        "--name-id-format",
    );
    // Options that go together.
    let authn = [
        "authn-request",
        "--idp-metadata",
        "fixtures/metadata/azure-app-signed.xml",
        "--sp-entity-id",
        SP,
        "--acs-url",
        ACS,
        "--now",
        NOW,
    ];
    let mut args = authn.to_vec();
    args.extend(["--sign-key", "fixtures/keys/sp.key.pem"]);
    assert_usage_error(&saml_check(&args), "--sign-cert");
    let mut args = authn.to_vec();
    args.extend(["--allow-create", "true"]);
    assert_usage_error(&saml_check(&args), "--name-id-format");
    let mut args = authn.to_vec();
    args.extend(["--csp-nonce", "abc"]);
    assert_usage_error(&saml_check(&args), "--binding post");
    // An unreadable file is a usage error too.
    let mut args = ci_verify_args();
    args.push("fixtures/no-such-file.b64");
    assert_usage_error(&saml_check(&args), "cannot read fixtures/no-such-file.b64");
}

#[test]
fn verify_accepts_the_ci_response_and_refuses_a_tampered_one() {
    let mut args = ci_verify_args();
    args.push("fixtures/attacks/valid-b64-wrapped76.b64");
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["ok"], true, "{}", run.describe());
    assert_eq!(json["issuer"], IDP);

    let mut args = ci_verify_args();
    args.push("fixtures/dsig/tampered-nameid.xml");
    let run = saml_check(&args);
    assert_eq!(run.code, 1, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"], "digest_mismatch");
    assert!(json["message"].is_string());
}

#[test]
fn repeatable_options_stay_repeatable_and_single_ones_take_the_last_value() {
    let mut args = ci_verify_args();
    args.extend([
        "--request-id",
        "id00000000000000000000000000000000",
        "--now",
        "2000-01-01T00:00:00Z",
        "--now",
        NOW,
        "--repeat",
        "2",
        "fixtures/attacks/valid-b64-wrapped76.b64",
    ]);
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["repeat"], 2);
    assert!(json["per_verify_ns"].is_u64());

    let run = saml_check(&[
        "dsig",
        "--cert",
        "fixtures/keys/idp-b.crt.pem",
        "--cert",
        "fixtures/keys/idp-a.crt.pem",
        "--now",
        NOW,
        "fixtures/dsig/assertion-signed.xml",
    ]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.json()["signatures"][0]["algorithm"], "rsa-sha256");
}

/// `fixtures/dsig/weak-1024.xml`: a correct rsa-sha256 signature by the
/// RSA-1024 key `fixtures/keys/weak1024` (xmlsec1 verifies it).
fn dsig_weak(extra: &[&str]) -> Run {
    let mut args = vec![
        "dsig",
        "--cert",
        "fixtures/keys/weak1024.crt.pem",
        "--now",
        NOW,
    ];
    args.extend(extra);
    args.push("fixtures/dsig/weak-1024.xml");
    saml_check(&args)
}

#[test]
fn dsig_refuses_a_1024_bit_signer_by_default_and_accepts_it_with_min_rsa_bits_1024() {
    for extra in [&[][..], &["--min-rsa-bits", "2048"]] {
        let run = dsig_weak(extra);
        assert_eq!(run.code, 1, "{}", run.describe());
        let json = run.json();
        assert_eq!(json["ok"], false);
        assert_eq!(json["error"], "key_too_small", "{}", run.describe());
    }

    let run = dsig_weak(&["--min-rsa-bits", "1024"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["signatures"][0]["element"], "Assertion");
    assert_eq!(json["signatures"][0]["algorithm"], "rsa-sha256");

    // The relaxed floor relaxes nothing else: a tampered document still fails.
    let tampered = std::fs::read_to_string(root().join("fixtures/dsig/weak-1024.xml"))
        .unwrap()
        .replacen("<NameID", "<NameID SPNameQualifier=\"x\"", 1);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("saml_check-weak-1024-tampered.xml");
    std::fs::write(&path, tampered).unwrap();
    let run = saml_check(&[
        "dsig",
        "--cert",
        "fixtures/keys/weak1024.crt.pem",
        "--min-rsa-bits",
        "1024",
        "--now",
        NOW,
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.json()["error"], "digest_mismatch", "{}", run.describe());
}

/// IdP metadata for the fixtures' IdP, listing only the 1024-bit key, in a
/// file of this name (one per test: tests run in parallel).
fn weak_metadata(name: &str) -> PathBuf {
    let pem = std::fs::read_to_string(root().join("fixtures/keys/weak1024.crt.pem")).unwrap();
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let xml = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, xml).unwrap();
    path
}

#[test]
fn metadata_loads_a_1024_bit_key_only_with_min_rsa_bits_1024() {
    let metadata = weak_metadata("saml_check-metadata-weak1024.xml");
    let metadata = metadata.to_str().unwrap();
    let run = saml_check(&["metadata", "--idp-metadata", metadata, "--now", NOW]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["certificates"].as_array().unwrap().len(), 0);
    assert_eq!(json["skipped_keys"][0]["error"], "key_too_small");

    let run = saml_check(&[
        "metadata",
        "--idp-metadata",
        metadata,
        "--min-rsa-bits",
        "1024",
        "--now",
        NOW,
    ]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(
        json["certificates"][0]["usable"],
        true,
        "{}",
        run.describe()
    );
    assert_eq!(json["skipped_keys"].as_array().unwrap().len(), 0);
}

#[test]
fn verify_reaches_the_response_checks_behind_a_1024_bit_idp_key_with_min_rsa_bits_1024() {
    let metadata = weak_metadata("saml_check-verify-weak1024.xml");
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "verify",
            "--idp-metadata",
            metadata.to_str().unwrap(),
            "--sp-entity-id",
            SP,
            "--acs-url",
            ACS,
            "--request-id",
            REQUEST,
            "--now",
            NOW,
        ];
        args.extend(extra);
        args.push("fixtures/dsig/weak-1024.xml");
        args
    };
    let run = saml_check(&args(&[]));
    assert_eq!(run.code, 1, "{}", run.describe());
    let refused = run.json();
    assert_eq!(refused["ok"], false);
    assert_eq!(refused["error"], "no_usable_certificate");
    assert!(
        refused["message"].as_str().unwrap().contains("1024 bits"),
        "{}",
        run.describe()
    );

    let run = saml_check(&args(&["--min-rsa-bits", "1024"]));
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["issuer"], IDP);
}

#[test]
fn verify_decrypts_with_decryption_key_and_says_encrypted() {
    let encrypted = "fixtures/xmlenc/alg-aes256cbc-rsaoaepmgf1p-sha1-azure.xml";
    // Without a key: refused with its kind.
    let mut args = ci_verify_args();
    args.push(encrypted);
    let run = saml_check(&args);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.json()["error"], "encrypted_assertion_unsupported");
    // With the key (and the next one, repeatable): decrypted.
    let mut args = ci_verify_args();
    args.extend([
        "--decryption-key",
        "fixtures/keys/sp-enc-next.key.pem",
        "--decryption-key",
        "fixtures/keys/sp-enc.pkcs1.key.pem",
        encrypted,
    ]);
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    let json = run.json();
    assert_eq!(json["name_id"], "alice@acme.example");
    assert_eq!(json["encrypted"], true);
    // A cleartext response says false.
    let mut args = ci_verify_args();
    args.extend([
        "--decryption-key",
        "fixtures/keys/sp-enc.key.pem",
        "fixtures/attacks/valid-b64-wrapped76.b64",
    ]);
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.json()["encrypted"], false);
    // tripledes: refused unless allowed.
    let mut args = ci_verify_args();
    args.extend([
        "--decryption-key",
        "fixtures/keys/sp-enc.key.pem",
        "fixtures/xmlenc/alg-tripledes-cbc.xml",
    ]);
    let run = saml_check(&args);
    assert_eq!(
        run.json()["error"],
        "tripledes_not_allowed",
        "{}",
        run.describe()
    );
    args.insert(1, "--allow-tripledes");
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    // A 1024-bit key only with --min-rsa-bits 1024.
    let mut args = ci_verify_args();
    args.extend([
        "--decryption-key",
        "fixtures/keys/sp-enc-1024.key.pem",
        "fixtures/xmlenc/legacy-rsa1024-key.xml",
    ]);
    let run = saml_check(&args);
    assert_eq!(run.json()["error"], "key_too_small", "{}", run.describe());
    args.insert(1, "--min-rsa-bits");
    args.insert(2, "1024");
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
}

#[test]
fn sp_metadata_publishes_encryption_certificates_and_signed_requests() {
    let run = saml_check(&[
        "sp-metadata",
        "--sp-entity-id",
        SP,
        "--acs-url",
        ACS,
        "--sign-cert",
        "fixtures/keys/sp.crt.pem",
        "--encryption-cert",
        "fixtures/keys/sp-enc.crt.pem",
        "--encryption-cert",
        "fixtures/keys/sp-enc-next.crt.pem",
    ]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let xml = run.stdout;
    assert!(xml.contains(r#"AuthnRequestsSigned="true""#), "{xml}");
    assert_eq!(
        xml.matches(r#"<md:KeyDescriptor use="encryption">"#)
            .count(),
        2
    );
    for alg in [
        "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
    ] {
        assert!(
            xml.contains(&format!(r#"<md:EncryptionMethod Algorithm="{alg}"/>"#)),
            "{alg}"
        );
    }
    assert!(!xml.contains("tripledes"));
    assert!(!xml.contains("rsa-1_5"));
    // Without a signing certificate: not signed.
    let run = saml_check(&["sp-metadata", "--sp-entity-id", SP, "--acs-url", ACS]);
    assert!(run.stdout.contains(r#"AuthnRequestsSigned="false""#));
}

// ---------------------------------------------------------------------------
// Single Logout: logout-request, verify-logout-response, verify-logout-request
// ---------------------------------------------------------------------------

const SLO: &str = "https://sso.example.com/saml/acme/slo";
const AZURE_METADATA: &str = "fixtures/metadata/azure-app-signed.xml";

/// Every row of fixtures/logout/manifest.json that the CLI can express (no
/// `allow_unsigned`; the CLI derives the Azure issuer alias from the
/// metadata, so the two rows that expect issuer_mismatch without it are
/// checked with their alias twin's verdict; `decryption_keys` as
/// `--decryption-key`): same kind, same values.
#[test]
fn logout_verifiers_give_the_manifest_verdicts() {
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(root().join("fixtures/logout/manifest.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for case in manifest["cases"].as_array().unwrap() {
        if case["allow_unsigned"] == Value::Bool(true) || case.get("issuer_alias").is_some() {
            continue;
        }
        let name = case["case"].as_str().unwrap();
        let file = format!("fixtures/logout/{}", case["file"].as_str().unwrap());
        let now = case["now"].as_str().unwrap();
        let mut args = vec![
            "--idp-metadata",
            AZURE_METADATA,
            "--sp-entity-id",
            SP,
            "--slo-url",
            SLO,
            "--now",
            now,
        ];
        if case["allow_sha1"] == Value::Bool(true) {
            args.push("--allow-sha1");
        }
        let keys: Vec<String> = case["decryption_keys"]
            .as_array()
            .map(|keys| {
                keys.iter()
                    .map(|k| format!("fixtures/keys/{}.key.pem", k.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        for key in &keys {
            args.extend(["--decryption-key", key]);
        }
        if case["allow_tripledes"] == Value::Bool(true) {
            args.push("--allow-tripledes");
        }
        let mut expect = case["expect"].clone();
        let run = if case["kind"] == "logout_response" {
            if name.contains("azure-login-issuer") {
                expect = serde_json::json!({"ok": true, "status": "success"});
            }
            args.extend(["--request-id", case["request_id"].as_str().unwrap()]);
            let mut all = vec!["verify-logout-response"];
            all.extend(args);
            all.push(&file);
            saml_check(&all)
        } else {
            let mut all = vec!["verify-logout-request"];
            all.extend(args);
            all.push(&file);
            saml_check(&all)
        };
        let out = run.json();
        if let Some(kind) = expect.get("error") {
            assert_eq!(run.code, 1, "{name}: {}", run.describe());
            assert_eq!(&out["error"], kind, "{name}: {}", run.describe());
            assert_eq!(out["ok"], false, "{name}");
        } else {
            assert_eq!(run.code, 0, "{name}: {}", run.describe());
            assert_eq!(out["ok"], true, "{name}");
            if case["kind"] == "logout_response" {
                assert_eq!(out["status"], expect["status"], "{name}");
            } else {
                assert_eq!(out["name_id"], expect["name_id"], "{name}");
                let encrypted = expect["encrypted"] == Value::Bool(true);
                assert_eq!(out["name_id_encrypted"], encrypted, "{name}");
                if encrypted {
                    assert_eq!(out["name_id_format"], expect["name_id_format"], "{name}");
                }
                assert_eq!(out["session_indexes"], expect["session_indexes"], "{name}");
                assert!(out["request_id"].is_string(), "{name}");
                let url = out["response_url"].as_str().unwrap();
                assert!(url.starts_with("https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2?SAMLResponse="), "{name}: {url}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 79);
}

#[test]
fn verify_logout_input_may_be_a_url_a_query_or_a_form_value() {
    let dir = std::env::temp_dir().join(format!("saml-check-logout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url =
        std::fs::read_to_string(root().join("fixtures/logout/lr-redirect-valid-relaystate.url"))
            .unwrap();
    let query_only = dir.join("query.txt");
    std::fs::write(&query_only, format!("{}\n", url.split_once('?').unwrap().1)).unwrap();
    for input in [
        root().join("fixtures/logout/lr-redirect-valid-relaystate.url"),
        query_only,
        root().join("fixtures/logout/lr-post-valid-form.b64"),
        root().join("fixtures/logout/lr-post-valid.xml"),
    ] {
        let run = saml_check(&[
            "verify-logout-request",
            "--idp-metadata",
            AZURE_METADATA,
            "--sp-entity-id",
            SP,
            "--slo-url",
            SLO,
            "--now",
            NOW,
            input.to_str().unwrap(),
        ]);
        assert_eq!(run.code, 0, "{}: {}", input.display(), run.describe());
        assert_eq!(run.json()["name_id"], "alice@acme.example");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn logout_request_builds_both_bindings_and_refuses_what_it_cannot_send() {
    let base = [
        "--sp-entity-id",
        SP,
        "--name-id",
        "alice@acme.example",
        "--name-id-format",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "--session-index",
        "_s1",
        "--session-index",
        "_s2",
        "--relay-state",
        "/bye",
        "--now",
        NOW,
    ];
    let mut args = vec!["logout-request", "--idp-metadata", AZURE_METADATA];
    args.extend(base);
    let run = saml_check(&args);
    assert_eq!(run.code, 0, "{}", run.describe());
    let out = run.json();
    let url = out["url"].as_str().unwrap();
    assert!(url.contains("&RelayState=%2Fbye"), "{url}");
    let id = out["request_id"].as_str().unwrap();
    assert!(id.starts_with("id") && id.len() == 34);

    // Signed: SigAlg and Signature on the query.
    let mut signed = args.clone();
    signed.extend([
        "--sign-key",
        "fixtures/keys/sp.key.pem",
        "--sign-cert",
        "fixtures/keys/sp.crt.pem",
    ]);
    let run = saml_check(&signed);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.json()["url"].as_str().unwrap().contains(
        "&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="
    ));

    // Azure has no HTTP-POST SingleLogoutService.
    let mut post = args.clone();
    post.extend(["--binding", "post"]);
    let run = saml_check(&post);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.json()["error"], "endpoint_missing");

    // Metadata of several IdPs names none: refused, exit 1.
    let mut shib = vec![
        "logout-request",
        "--idp-metadata",
        "fixtures/metadata/aggregate-signed.xml",
    ];
    shib.extend(base);
    shib.extend(["--binding", "post"]);
    let run = saml_check(&shib);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.json()["error"], "metadata_ambiguous");

    // Usage errors: exit 2.
    assert_usage_error(
        &saml_check(&["logout-request", "--idp-metadata", AZURE_METADATA]),
        "--name-id",
    );
    let mut half = args.clone();
    half.extend(["--sign-key", "fixtures/keys/sp.key.pem"]);
    assert_usage_error(&saml_check(&half), "--sign-cert");
    assert_usage_error(
        &saml_check(&[
            "verify-logout-response",
            "--idp-metadata",
            AZURE_METADATA,
            "--sp-entity-id",
            SP,
            "--slo-url",
            SLO,
            "--now",
            NOW,
            "fixtures/logout/lresp-post-success.xml",
        ]),
        "--request-id",
    );
    assert_usage_error(
        &saml_check(&[
            "verify-logout-request",
            "--idp-metadata",
            AZURE_METADATA,
            "--sp-entity-id",
            SP,
            "--slo-url",
            SLO,
            "--now",
            NOW,
            "/nonexistent/input",
        ]),
        "cannot read",
    );
}
