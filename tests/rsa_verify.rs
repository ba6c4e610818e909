//! The RSA verify step through the public API
//! ([`SigningCertificate::verify_signature`], the step `verify_enveloped`
//! uses), against signatures made by the `rsa` crate with the fixture keys.
//! The arithmetic itself is proven by the unit tests of
//! `src/dsig/rsa_verify` (Wycheproof, `modpow` differential); this file
//! checks the wiring: certificate load -> precomputed key -> verdict, and
//! each refusal's error kind.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey};
use saml_sp::{
    CertificatePolicy, ErrorKind, SignatureAlgorithm, SignaturePolicy, SigningCertificate,
};
use sha2::{Digest, Sha256, Sha384, Sha512};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/keys/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn legacy() -> CertificatePolicy {
    CertificatePolicy::default().with_min_rsa_bits(1024)
}

/// (name, certificate, private key) of the fixture RSA keys of 1024, 2048
/// and 3072 bits.
fn signers() -> Vec<(&'static str, SigningCertificate, RsaPrivateKey)> {
    ["weak1024", "idp-a", "idp-c"]
        .into_iter()
        .map(|name| {
            let cert = SigningCertificate::parse_with_policy(
                &fixture(&format!("{name}.crt.pem")),
                &legacy(),
            )
            .unwrap();
            let pem = String::from_utf8(fixture(&format!("{name}.key.pem"))).unwrap();
            (name, cert, RsaPrivateKey::from_pkcs8_pem(&pem).unwrap())
        })
        .collect()
}

/// The rsa crate's signature of `message`.
fn sign(key: &RsaPrivateKey, alg: SignatureAlgorithm, message: &[u8]) -> Vec<u8> {
    match alg {
        SignatureAlgorithm::RsaSha1 => {
            use sha1::Sha1;
            key.sign(Pkcs1v15Sign::new::<Sha1>(), &Sha1::digest(message))
        }
        SignatureAlgorithm::RsaSha256 => {
            key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        }
        SignatureAlgorithm::RsaSha384 => {
            key.sign(Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(message))
        }
        SignatureAlgorithm::RsaSha512 => {
            key.sign(Pkcs1v15Sign::new::<Sha512>(), &Sha512::digest(message))
        }
        _ => unreachable!("an algorithm this test does not know"),
    }
    .unwrap()
}

const ALGS: [SignatureAlgorithm; 4] = [
    SignatureAlgorithm::RsaSha1,
    SignatureAlgorithm::RsaSha256,
    SignatureAlgorithm::RsaSha384,
    SignatureAlgorithm::RsaSha512,
];

fn sha1_ok() -> SignaturePolicy {
    SignaturePolicy::default().with_sha1_allowed(true)
}

fn kind(r: saml_sp::Result<()>) -> ErrorKind {
    r.unwrap_err().kind()
}

#[test]
fn signatures_verify_under_their_key_only() {
    let signers = signers();
    let other = SigningCertificate::parse(&fixture("idp-b.crt.pem")).unwrap();
    for (name, cert, key) in &signers {
        for alg in ALGS {
            let message = format!("{name} signs with {}", alg.as_str());
            let sig = sign(key, alg, message.as_bytes());
            cert.verify_signature(alg, message.as_bytes(), &sig, &sha1_ok())
                .unwrap_or_else(|e| panic!("{name} {}: {e}", alg.as_str()));
            // Another message, another key, another hash: refused.
            let err = cert.verify_signature(alg, b"another message", &sig, &sha1_ok());
            assert_eq!(kind(err), ErrorKind::SignatureInvalid);
            let err = other.verify_signature(alg, message.as_bytes(), &sig, &sha1_ok());
            assert_eq!(kind(err), ErrorKind::SignatureInvalid);
            for mixed in ALGS.into_iter().filter(|&a| a != alg) {
                let err = cert.verify_signature(mixed, message.as_bytes(), &sig, &sha1_ok());
                assert_eq!(
                    kind(err),
                    ErrorKind::SignatureInvalid,
                    "{alg:?} as {mixed:?}"
                );
            }
        }
    }
}

#[test]
fn sha1_needs_the_policy() {
    let (_, cert, key) = signers().swap_remove(1);
    let sig = sign(&key, SignatureAlgorithm::RsaSha1, b"legacy");
    let err = cert.verify_signature(
        SignatureAlgorithm::RsaSha1,
        b"legacy",
        &sig,
        &SignaturePolicy::default(),
    );
    assert_eq!(kind(err), ErrorKind::UnsupportedAlgorithm);
    cert.verify_signature(SignatureAlgorithm::RsaSha1, b"legacy", &sig, &sha1_ok())
        .unwrap();
}

#[test]
fn malformed_signature_values_are_refused() {
    let policy = SignaturePolicy::default();
    let alg = SignatureAlgorithm::RsaSha256;
    for (name, cert, key) in &signers() {
        let sig = sign(key, alg, b"m");
        let n = key.n();
        let k = sig.len();
        assert_eq!(k * 8, cert.key_bits().div_ceil(8) * 8, "{name}");
        let mut with_zero = vec![0u8];
        with_zero.extend_from_slice(&sig);
        let s_plus_n = (BigUint::from_bytes_be(&sig) + n).to_bytes_be();
        let n_bytes = n.to_bytes_be();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("one byte short", sig[1..].to_vec()),
            ("leading zero byte added", with_zero),
            ("all zero", vec![0; k]),
            ("one", {
                let mut one = vec![0; k];
                one[k - 1] = 1;
                one
            }),
            ("n itself", n_bytes.clone()),
            ("all ones (above n)", vec![0xff; k]),
            ("s + n", s_plus_n),
        ];
        for (what, bad) in cases {
            let err = cert.verify_signature(alg, b"m", &bad, &policy);
            assert_eq!(kind(err), ErrorKind::SignatureInvalid, "{name}: {what}");
        }
        // Every single-bit flip of the signature (2048-bit key only: the
        // others are covered by the unit tests).
        if cert.key_bits() == 2048 {
            for bit in 0..k * 8 {
                let mut s = sig.clone();
                s[bit / 8] ^= 1 << (bit % 8);
                let err = cert.verify_signature(alg, b"m", &s, &policy);
                assert_eq!(kind(err), ErrorKind::SignatureInvalid, "bit {bit}");
            }
        }
    }
}

/// The idp-a certificate with its SubjectPublicKeyInfo edited in place
/// (same lengths, so the DER stays well-formed; the certificate's own
/// signature is not what makes it trusted, so it need not match).
fn edited_certificate(edit: impl Fn(&mut [u8], usize)) -> Vec<u8> {
    let mut der = fixture("idp-a.crt.der");
    // The key's public exponent: INTEGER 65537, right after the modulus.
    let at = der
        .windows(5)
        .position(|w| w == [0x02, 0x03, 0x01, 0x00, 0x01])
        .expect("e = 65537 in idp-a");
    edit(&mut der, at);
    der
}

#[test]
fn keys_we_cannot_use_are_refused_at_load() {
    // Unedited, it loads.
    SigningCertificate::from_der(&edited_certificate(|_, _| {})).unwrap();
    // e = 65538: even.
    let even_e = edited_certificate(|der, at| der[at + 4] = 0x02);
    let err = SigningCertificate::from_der(&even_e).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CertificateInvalid, "{err}");
    // n with its lowest bit cleared: even.
    let even_n = edited_certificate(|der, at| der[at - 1] &= 0xfe);
    let err = SigningCertificate::from_der(&even_n).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CertificateInvalid, "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A valid signature with random byte edits verifies exactly when the
    /// edits changed nothing, under the public API and the rsa crate alike.
    #[test]
    fn edited_signatures(
        key_index in 0usize..3,
        message in proptest::collection::vec(any::<u8>(), 0..100),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
    ) {
        let signers = signers();
        let (_, cert, key) = &signers[key_index];
        let alg = SignatureAlgorithm::RsaSha256;
        let sig = sign(key, alg, &message);
        let mut edited = sig.clone();
        for (at, value) in &edits {
            let at = at % edited.len();
            edited[at] = *value;
        }
        let ours = cert.verify_signature(alg, &message, &edited, &SignaturePolicy::default());
        let theirs = key
            .to_public_key()
            .verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&message), &edited)
            .is_ok();
        prop_assert_eq!(ours.is_ok(), theirs);
        prop_assert_eq!(ours.is_ok(), edited == sig);
        if let Err(e) = ours {
            prop_assert_eq!(e.kind(), ErrorKind::SignatureInvalid);
        }
    }
}
