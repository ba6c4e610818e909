//! One Azure-shaped signed assertion (fixtures/dsig/assertion-signed.xml,
//! signed by xmlsec1): the whole verification and its stages.
//!
//! `cargo bench --bench dsig`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use base64::Engine as _;
use common::HashWriter;
use criterion::{Criterion, criterion_group, criterion_main};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::{Pkcs1v15Sign, PublicKey};
use saml_sp::building_blocks::{
    Document, Element, InclusivePrefixes, canonicalize_element, verify_enveloped,
};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{C14nMethod, SignatureAlgorithm, SignaturePolicy};
use saml_sp::{IdpCertSet, Limits, SigningCertificate, ns};
use sha2::{Digest, Sha256};

fn assertion(doc: &Document) -> Element<'_> {
    doc.root()
        .child_elements()
        .find(|e| e.is(ns::SAML_ASSERTION, "Assertion"))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let xml = std::fs::read(format!("{root}/fixtures/dsig/assertion-signed.xml")).unwrap();
    let pem = std::fs::read(format!("{root}/fixtures/keys/idp-a.crt.pem")).unwrap();
    let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse().unwrap();
    let cert = SigningCertificate::parse(&pem).unwrap();
    let certs = IdpCertSet::new([cert.clone()], now).unwrap();
    let policy = SignaturePolicy::default();

    let mut group = c.benchmark_group(format!("dsig_azure_assertion_{}B", xml.len()));
    group.bench_function("parse+verify", |b| {
        b.iter(|| {
            let doc = Document::parse(&xml, &Limits::default()).unwrap();
            verify_enveloped(assertion(&doc), &certs, now, &policy)
                .unwrap()
                .certificate()
        });
    });
    group.bench_function("parse", |b| {
        b.iter(|| Document::parse(&xml, &Limits::default()).unwrap());
    });
    let doc = Document::parse(&xml, &Limits::default()).unwrap();
    let a = assertion(&doc);
    let signature = a
        .child_elements()
        .find(|e| e.is(ns::DSIG, "Signature"))
        .unwrap();
    let signed_info = signature.child_elements().next().unwrap();
    group.bench_function("verify (after parse)", |b| {
        b.iter(|| {
            verify_enveloped(a, &certs, now, &policy)
                .unwrap()
                .certificate()
        });
    });
    group.bench_function("c14n+sha256 of the assertion", |b| {
        b.iter(|| {
            let mut h = HashWriter::new();
            canonicalize_element(
                a,
                Some(signature),
                C14nMethod::Exclusive,
                &InclusivePrefixes::none(),
                &mut h,
            )
            .unwrap();
            h.0.finalize()
        });
    });
    let mut info = Vec::new();
    canonicalize_element(
        signed_info,
        None,
        C14nMethod::Exclusive,
        &InclusivePrefixes::none(),
        &mut info,
    )
    .unwrap();
    group.bench_function("c14n+sha256 of SignedInfo", |b| {
        b.iter(|| {
            let mut h = HashWriter::new();
            canonicalize_element(
                signed_info,
                None,
                C14nMethod::Exclusive,
                &InclusivePrefixes::none(),
                &mut h,
            )
            .unwrap();
            h.0.finalize()
        });
    });
    // The RSA step alone, with the rsa crate directly.
    let (_, x509) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
    let key = PublicKey::from_pkcs1_der(&x509.public_key().subject_public_key.data).unwrap();
    let sig_text: String = signature
        .child_elements()
        .find(|e| e.local_name() == "SignatureValue")
        .unwrap()
        .text()
        .split_whitespace()
        .collect();
    let sig = base64::engine::general_purpose::STANDARD
        .decode(sig_text)
        .unwrap();
    let hashed = Sha256::digest(&info);
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &sig)
        .unwrap();
    group.bench_function("rsa-2048 verify (rsa crate)", |b| {
        b.iter(|| {
            key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, &sig)
                .unwrap();
        });
    });
    // The same step as the crate does it (our Montgomery arithmetic by
    // default, AWS-LC with --features aws-lc-rs); it hashes SignedInfo
    // itself (about 1 us of the total).
    let policy = SignaturePolicy::default();
    cert.verify_signature(SignatureAlgorithm::RsaSha256, &info, &sig, &policy)
        .unwrap();
    let backend = if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "ours"
    };
    group.bench_function(
        format!("rsa-2048 sha256+verify (saml-sp, {backend})"),
        |b| {
            b.iter(|| {
                cert.verify_signature(SignatureAlgorithm::RsaSha256, &info, &sig, &policy)
                    .unwrap();
            });
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
