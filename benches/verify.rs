//! The whole `ResponseVerifier::verify` on three xmlsec1-signed Azure-shaped
//! responses, and its stages measured apart, so that
//! verify / (parse + digests + RSA) can be stated:
//!
//! - `azure-5k-assertion-signed`: fixtures/dsig/assertion-signed.xml (5.4 KB)
//! - `azure-5k-both-signed`: fixtures/dsig/both-signed.xml (7.5 KB, two signatures)
//! - `azure-100k-groups`: fixtures/dsig/azure-100k-groups.xml (100 KB, 1,400 groups)
//!
//! Per input: `verify` (end to end, raw XML in, `VerifiedAssertion` out),
//! `parse`, `parse+digests` (parse, then c14n + SHA-256 of each signed
//! element minus its Signature and of each SignedInfo), and `rsa` (every
//! RSA-2048 signature verify of the input with the `rsa` crate directly; with
//! `--features aws-lc-rs` also with aws-lc-rs, which hashes SignedInfo itself).
//!
//! `cargo bench --bench verify` (about a minute);
//! `cargo bench --bench verify --features aws-lc-rs` for the fast RSA backend;
//! `python3 compare/criterion_summary.py` prints the ratios afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use common::HashWriter;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, PublicKey};
use saml_sp::building_blocks::{Document, Element, InclusivePrefixes, canonicalize_element};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{C14nMethod, SignatureAlgorithm, SignaturePolicy};
use saml_sp::{
    EndpointUrl, EntityId, IdpCertSet, Limits, RequestId, ResponseVerifier, SigningCertificate, ns,
};
use sha2::{Digest, Sha256};

const INPUTS: [(&str, &str); 3] = [
    ("azure-5k-assertion-signed", "assertion-signed.xml"),
    ("azure-5k-both-signed", "both-signed.xml"),
    ("azure-100k-groups", "azure-100k-groups.xml"),
];

/// (signed element, its Signature, that Signature's SignedInfo) for every
/// enveloped signature of the document: the Response's and the Assertion's.
fn signed_elements<'d>(doc: &'d Document) -> Vec<(Element<'d>, Element<'d>, Element<'d>)> {
    let root = doc.root();
    let assertion = root
        .child_elements()
        .find(|e| e.is(ns::SAML_ASSERTION, "Assertion"));
    [Some(root), assertion]
        .into_iter()
        .flatten()
        .filter_map(|el| {
            let sig = el.child_elements().find(|e| e.is(ns::DSIG, "Signature"))?;
            let info = sig
                .child_elements()
                .find(|e| e.is(ns::DSIG, "SignedInfo"))?;
            Some((el, sig, info))
        })
        .collect()
}

/// Parse, then every digest verification computes: the c14n + SHA-256 of
/// each signed element without its Signature, and of each SignedInfo.
fn parse_and_digest(xml: &[u8]) {
    let doc = Document::parse(xml, &Limits::default()).unwrap();
    let none = InclusivePrefixes::none();
    for (el, sig, info) in signed_elements(&doc) {
        let mut h = HashWriter::new();
        canonicalize_element(el, Some(sig), C14nMethod::Exclusive, &none, &mut h).unwrap();
        black_box(h.0.finalize());
        let mut h = HashWriter::new();
        canonicalize_element(info, None, C14nMethod::Exclusive, &none, &mut h).unwrap();
        black_box(h.0.finalize());
    }
}

/// (canonical SignedInfo, SignatureValue) of every signature.
fn signatures(xml: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let doc = Document::parse(xml, &Limits::default()).unwrap();
    signed_elements(&doc)
        .into_iter()
        .map(|(_, sig, info)| {
            let mut message = Vec::new();
            let none = InclusivePrefixes::none();
            canonicalize_element(info, None, C14nMethod::Exclusive, &none, &mut message).unwrap();
            let text: String = sig
                .child_elements()
                .find(|e| e.is(ns::DSIG, "SignatureValue"))
                .unwrap()
                .text()
                .split_whitespace()
                .collect();
            let value = base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap();
            (message, value)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse().unwrap();
    let pem = std::fs::read(format!("{root}/fixtures/keys/idp-a.crt.pem")).unwrap();
    let cert = SigningCertificate::parse(&pem).unwrap();
    let verifier = ResponseVerifier::new(
        EntityId::new("https://sso.example.com/saml/acme").unwrap(),
        EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
        EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/").unwrap(),
        IdpCertSet::new([cert.clone()], now).unwrap(),
    );
    let requests = [RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()];
    let (_, x509) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
    let key_der = x509.public_key().subject_public_key.data.to_vec();
    let key = PublicKey::from_pkcs1_der(&key_der).unwrap();

    let backend = if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rsa"
    };
    let mut group = c.benchmark_group(format!("verify_{backend}"));
    for (label, file) in INPUTS {
        let xml = std::fs::read(format!("{root}/fixtures/dsig/{file}")).unwrap();
        verifier.verify(&xml, &requests, now).unwrap();
        group.throughput(Throughput::Bytes(xml.len() as u64));

        group.bench_with_input(BenchmarkId::new("verify", label), &xml, |b, xml| {
            b.iter(|| verifier.verify(xml, &requests, now).unwrap());
        });
        group.bench_with_input(BenchmarkId::new("parse", label), &xml, |b, xml| {
            b.iter(|| Document::parse(xml, &Limits::default()).unwrap());
        });
        group.bench_with_input(BenchmarkId::new("parse+digests", label), &xml, |b, xml| {
            b.iter(|| parse_and_digest(xml));
        });

        let sigs = signatures(&xml);
        let hashed: Vec<_> = sigs
            .iter()
            .map(|(m, s)| (Sha256::digest(m), s.clone()))
            .collect();
        for (h, s) in &hashed {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), h, s).unwrap();
        }
        let rsa_id = format!("rsa x{} (rsa crate)", sigs.len());
        group.bench_with_input(BenchmarkId::new(rsa_id, label), &hashed, |b, hashed| {
            b.iter(|| {
                for (h, s) in hashed {
                    key.verify(Pkcs1v15Sign::new::<Sha256>(), h, s).unwrap();
                }
            });
        });
        // The step as the verifier runs it: the loaded certificate's key
        // (constants or AWS-LC key parsed once), SignedInfo hashed inside.
        let policy = SignaturePolicy::default();
        let ours_id = format!("rsa x{} (as verify runs it)", sigs.len());
        group.bench_with_input(BenchmarkId::new(ours_id, label), &sigs, |b, sigs| {
            b.iter(|| {
                for (m, s) in sigs {
                    cert.verify_signature(SignatureAlgorithm::RsaSha256, m, s, &policy)
                        .unwrap();
                }
            });
        });
        #[cfg(feature = "aws-lc-rs")]
        {
            use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
            let aws_key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key_der);
            let aws_id = format!("rsa x{} (aws-lc-rs)", sigs.len());
            group.bench_with_input(BenchmarkId::new(aws_id, label), &sigs, |b, sigs| {
                b.iter(|| {
                    for (m, s) in sigs {
                        aws_key.verify(m, s).unwrap();
                    }
                });
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}

/// `VERIFY_PROFILE=<verify|parse|c14n|parse+digests>:<input label>:<iterations>` runs
/// exactly that many iterations of one case and exits, without criterion:
/// stable instruction counts under `valgrind --tool=callgrind`.
fn main() {
    if let Ok(spec) = std::env::var("VERIFY_PROFILE") {
        let mut parts = spec.split(':');
        let (stage, label, n) = (parts.next(), parts.next(), parts.next());
        let file = INPUTS
            .iter()
            .find(|(l, _)| Some(*l) == label)
            .map(|(_, f)| *f)
            .expect("input label, e.g. azure-100k-groups");
        let n: usize = n.and_then(|n| n.parse().ok()).expect("iterations");
        let root = env!("CARGO_MANIFEST_DIR");
        let xml = std::fs::read(format!("{root}/fixtures/dsig/{file}")).unwrap();
        let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse().unwrap();
        let pem = std::fs::read(format!("{root}/fixtures/keys/idp-a.crt.pem")).unwrap();
        let verifier = ResponseVerifier::new(
            EntityId::new("https://sso.example.com/saml/acme").unwrap(),
            EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
            EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/").unwrap(),
            IdpCertSet::new([SigningCertificate::parse(&pem).unwrap()], now).unwrap(),
        );
        let requests = [RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()];
        let parsed = Document::parse(&xml, &Limits::default()).unwrap();
        let none = InclusivePrefixes::none();
        for _ in 0..n {
            match stage {
                Some("verify") => {
                    black_box(verifier.verify(&xml, &requests, now).unwrap());
                }
                Some("parse+digests") => parse_and_digest(&xml),
                Some("parse") => {
                    black_box(Document::parse(&xml, &Limits::default()).unwrap());
                }
                // Canonicalization alone (no hashing, no parse): every
                // signed element without its Signature, and each SignedInfo.
                Some("c14n") => {
                    for (el, sig, info) in signed_elements(&parsed) {
                        let mut sink = std::io::sink();
                        canonicalize_element(
                            el,
                            Some(sig),
                            C14nMethod::Exclusive,
                            &none,
                            &mut sink,
                        )
                        .unwrap();
                        canonicalize_element(info, None, C14nMethod::Exclusive, &none, &mut sink)
                            .unwrap();
                    }
                }
                _ => panic!("stage verify, parse, c14n or parse+digests"),
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
