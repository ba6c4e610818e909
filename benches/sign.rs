//! AuthnRequest building with and without the SP's signing key, so the cost
//! of the RSA-2048 private-key operation (the `rsa` crate, blinded with the
//! caller's generator) can be read off:
//!
//! - `redirect unsigned`: ID, XML, DEFLATE, URL (no RSA);
//! - `redirect signed`: the same plus `SigAlg` and the query signature;
//! - `post signed`: an enveloped XML signature (two exclusive c14n passes,
//!   SHA-256, one signature).
//!
//! `cargo bench --bench sign` (about 20 seconds).
//!
//! Measured when moving from rsa 0.9.10 (num-bigint-dig) to rsa 0.10.0
//! (constant-time crypto-bigint), 2 shared vCPUs, medians of six
//! alternating runs: signed Redirect 1.76 -> 2.29 ms, signed POST 1.71 ->
//! 2.20 ms (about +0.5 ms, +30%, per signature); unsigned 94 -> 95 us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::Binding;
use saml_sp::{
    AuthnRequestBuilder, EndpointUrl, EntityId, IdpMetadata, OsRng, SigningCertificate,
    SpSigningKey,
};

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let read =
        |name: &str| std::fs::read_to_string(format!("{root}/fixtures/keys/{name}")).unwrap();
    let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse().unwrap();
    let key = SpSigningKey::from_pem(&read("sp.key.pem"))
        .unwrap()
        .with_certificate(SigningCertificate::from_pem(&read("sp.crt.pem")).unwrap())
        .unwrap();
    let idp = |binding| {
        IdpMetadata::manual(
            EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/").unwrap(),
            EndpointUrl::new("https://login.microsoftonline.com/0f1e2d3c/saml2").unwrap(),
            binding,
            SigningCertificate::from_pem(&read("idp-a.crt.pem")).unwrap(),
        )
    };
    let builder = |idp: &IdpMetadata| {
        AuthnRequestBuilder::new(
            EntityId::new("https://sso.example.com/saml/acme").unwrap(),
            EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
            idp,
        )
    };
    let (redirect_idp, post_idp) = (idp(Binding::HttpRedirect), idp(Binding::HttpPost));
    let unsigned = builder(&redirect_idp);
    let signed_redirect = builder(&redirect_idp).sign_with(key.clone());
    let signed_post = builder(&post_idp).sign_with(key);

    let mut group = c.benchmark_group("authn_request");
    group.bench_function("redirect unsigned", |b| {
        b.iter(|| black_box(unsigned.redirect(Some("/"), &mut OsRng, now).unwrap()));
    });
    group.bench_function("redirect signed (rsa-2048)", |b| {
        b.iter(|| {
            black_box(
                signed_redirect
                    .redirect(Some("/"), &mut OsRng, now)
                    .unwrap(),
            )
        });
    });
    group.bench_function("post signed (rsa-2048)", |b| {
        b.iter(|| black_box(signed_post.post(Some("/"), &mut OsRng, now).unwrap()));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
