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

use num_bigint::BigUint;
use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, PrivateKey};
use saml_sp::certs::CertificatePolicy;
use saml_sp::vocabulary::{SignatureAlgorithm, SignaturePolicy};
use saml_sp::{ErrorKind, SigningCertificate};
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
fn signers() -> Vec<(&'static str, SigningCertificate, PrivateKey)> {
    ["weak1024", "idp-a", "idp-c"]
        .into_iter()
        .map(|name| {
            let cert = SigningCertificate::parse_with_policy(
                &fixture(&format!("{name}.crt.pem")),
                &legacy(),
            )
            .unwrap();
            let pem = String::from_utf8(fixture(&format!("{name}.key.pem"))).unwrap();
            (name, cert, PrivateKey::from_pkcs8_pem(&pem).unwrap())
        })
        .collect()
}

/// The rsa crate's signature of `message`.
fn sign(key: &PrivateKey, alg: SignatureAlgorithm, message: &[u8]) -> Vec<u8> {
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
        let n_bytes = key.n_bytes().to_vec();
        let k = sig.len();
        assert_eq!(k * 8, cert.key_bits().div_ceil(8) * 8, "{name}");
        let mut with_zero = vec![0u8];
        with_zero.extend_from_slice(&sig);
        let s_plus_n =
            (BigUint::from_bytes_be(&sig) + BigUint::from_bytes_be(&n_bytes)).to_bytes_be();
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

/// One DER TLV: (tag, header + content) split off the front of `der`.
fn der_tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let (tag, first) = (der[0], der[1]);
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        (
            2 + n,
            der[2..2 + n]
                .iter()
                .fold(0, |acc, &b| (acc << 8) | usize::from(b)),
        )
    };
    (tag, &der[..header + len], &der[header..header + len])
}

/// The DER TLVs inside a constructed value's content.
fn der_children(mut content: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (_, whole, _) = der_tlv(content);
        out.push(whole);
        content = &content[whole.len()..];
    }
    out
}

fn der_encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A positive DER INTEGER of the big-endian magnitude `be`.
fn der_uint(be: &[u8]) -> Vec<u8> {
    let mut content = vec![0u8];
    content.extend(be.iter().skip_while(|&&b| b == 0));
    let skip = usize::from(content.len() > 1 && content[1] < 0x80);
    der_encode(0x02, &content[skip..])
}

/// The idp-a certificate with its RSA key replaced by (`n`, `e`), every
/// enclosing length re-encoded (the certificate's own signature is not what
/// makes it trusted, so it need not match).
fn certificate_with_key(n: &[u8], e: &[u8]) -> Vec<u8> {
    let original = fixture("idp-a.crt.der");
    let (_, _, cert) = der_tlv(&original);
    let parts = der_children(cert);
    let (_, _, tbs) = der_tlv(parts[0]);
    let mut tbs_content = Vec::new();
    for field in der_children(tbs) {
        let (tag, _, content) = der_tlv(field);
        // The SubjectPublicKeyInfo: the SEQUENCE whose first child is the
        // rsaEncryption AlgorithmIdentifier.
        const RSA_ENCRYPTION: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        let spki_algorithm = (tag == 0x30)
            .then(|| der_children(content).first().map(|a| a.to_vec()))
            .flatten()
            .filter(|a| a.windows(9).any(|w| w == RSA_ENCRYPTION));
        let is_spki = spki_algorithm.is_some();
        if !is_spki {
            tbs_content.extend_from_slice(field);
            continue;
        }
        let key = der_encode(0x30, &[der_uint(n), der_uint(e)].concat());
        let bits = der_encode(0x03, &[&[0u8][..], &key].concat());
        let spki = der_encode(0x30, &[spki_algorithm.unwrap(), bits].concat());
        tbs_content.extend_from_slice(&spki);
    }
    let tbs = der_encode(0x30, &tbs_content);
    der_encode(0x30, &[&tbs[..], parts[1], parts[2]].concat())
}

/// An odd modulus of exactly `bits` bits.
fn odd_modulus(bits: usize) -> Vec<u8> {
    let mut n = vec![0x9du8; bits.div_ceil(8)];
    let top = bits - 8 * (n.len() - 1);
    n[0] = (n[0] & ((1u16 << top) - 1) as u8) | (1 << (top - 1));
    *n.last_mut().unwrap() |= 1;
    n
}

/// What loads is what loaded with the rsa crate 0.9 (the bounds are ours
/// now, not rsa 0.10's defaults of 1024..=8192 bits): moduli up to 4096
/// bits; small ones KeyTooSmall (not CertificateInvalid), also under the
/// legacy policy; public exponents from 3 to 2^33-1.
#[test]
fn key_bounds_at_load_are_those_of_before() {
    let e = [1, 0, 1];
    let load = |n: &[u8], e: &[u8]| {
        SigningCertificate::parse_with_policy(&certificate_with_key(n, e), &legacy())
    };
    // The surgery itself: idp-a's own key gives idp-a back, byte for byte.
    let idp_a = SigningCertificate::from_der(&fixture("idp-a.crt.der")).unwrap();
    let (_, x509) = x509_parser::parse_x509_certificate(idp_a.der()).unwrap();
    let rsa = x509.public_key().parsed().unwrap();
    let x509_parser::public_key::PublicKey::RSA(own) = rsa else {
        panic!("idp-a is RSA");
    };
    assert_eq!(
        certificate_with_key(own.modulus, own.exponent),
        fixture("idp-a.crt.der")
    );

    for bits in [1024, 2048, 3072, 4095, 4096] {
        let cert = load(&odd_modulus(bits), &e).unwrap_or_else(|err| panic!("{bits}: {err}"));
        assert_eq!(cert.key_bits(), bits);
    }
    for bits in [4097, 6144, 8192] {
        let err = load(&odd_modulus(bits), &e).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CertificateInvalid, "{bits}: {err}");
    }
    for bits in [512, 1023] {
        let err = load(&odd_modulus(bits), &e).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KeyTooSmall, "{bits}: {err}");
    }
    let n = odd_modulus(2048);
    for ok in [&[3][..], &[0x01, 0xff, 0xff, 0xff, 0xff]] {
        load(&n, ok).unwrap_or_else(|err| panic!("e = {ok:x?}: {err}"));
    }
    for bad in [&[1][..], &[2], &[0x02, 0x00, 0x00, 0x00, 0x01], &[0xff; 8]] {
        let err = load(&n, bad).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::CertificateInvalid,
            "e = {bad:x?}: {err}"
        );
    }
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
