//! An encrypted 5 KB Azure-shaped response (`fixtures/xmlenc/bench-azure-5k.xml`:
//! the signed Assertion of `fixtures/dsig/assertion-signed.xml` encrypted
//! with AES-256-CBC, its key wrapped with RSA-OAEP (mgf1p, SHA-1) to the
//! 2048-bit `sp-enc` key), and the split of its cost:
//!
//! - `verify-encrypted`: `ResponseVerifier::verify` end to end, raw XML in;
//! - `rsa-oaep-unwrap`: the RSA private-key operation alone (the `rsa` crate
//!   directly, blinded, OAEP decoding included);
//! - `aes-256-cbc`: the data decryption alone (4,880 bytes);
//! - `verify-plain`: the same Assertion in the clear
//!   (`fixtures/dsig/assertion-signed.xml`): the verify path that follows
//!   decryption (parse, digest, RSA verify, SAML checks).
//!
//! `cargo bench --bench decrypt` (under a minute);
//! `compare/xmlenc/` runs the same input through python3-saml (xmlsec).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use cbc::cipher::{BlockModeDecrypt as _, InOutBuf, KeyIvInit as _};
use criterion::{Criterion, Throughput, criterion_group};
use rsa::pkcs8::DecodePrivateKey as _;
use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};

/// The operating system's generator as the `rand_core` 0.10 generator
/// `rsa` 0.10 blinds with.
struct Os;

impl rand_core::TryRng for Os {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).unwrap();
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        getrandom::fill(dest).unwrap();
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Os {}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The base64 text between `open` and `close`, decoded.
fn between(xml: &str, open: &str, close: &str) -> Vec<u8> {
    let a = xml.find(open).unwrap() + open.len();
    let b = a + xml[a..].find(close).unwrap();
    let text: String = xml[a..b].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn verifier(now: DateTime<Utc>, keys: Option<SpDecryptionKeys>) -> ResponseVerifier {
    let cert = SigningCertificate::parse(&read("fixtures/keys/idp-a.crt.pem")).unwrap();
    let v = ResponseVerifier::new(
        EntityId::new("https://sso.example.com/saml/acme").unwrap(),
        EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
        EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/").unwrap(),
        IdpCertSet::new([cert], now).unwrap(),
    );
    match keys {
        Some(keys) => v.decryption_keys(keys),
        None => v,
    }
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse().unwrap();
    let requests = [RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()];
    let key_pem = String::from_utf8(read("fixtures/keys/sp-enc.key.pem")).unwrap();
    let keys = SpDecryptionKeys::new(SpDecryptionKey::from_pem(&key_pem).unwrap());
    let encrypted = read("fixtures/xmlenc/bench-azure-5k.xml");
    let plain = read("fixtures/dsig/assertion-signed.xml");
    let text = String::from_utf8(encrypted.clone()).unwrap();
    let wrapped = between(&text, "<e:CipherValue>", "</e:CipherValue>");
    let data = between(&text, "<xenc:CipherValue>", "</xenc:CipherValue>");
    let rsa_key = rsa::PrivateKey::from_pkcs8_pem(&key_pem).unwrap();
    let session = rsa_key
        .decrypt_blinded(&mut Os, rsa::Oaep::<sha1::Sha1>::new(), &wrapped)
        .unwrap();
    assert_eq!(session.len(), 32);

    let with_keys = verifier(now, Some(keys));
    let without = verifier(now, None);
    assert!(
        with_keys
            .verify(&encrypted, &requests, now)
            .unwrap()
            .encrypted()
    );
    assert!(!without.verify(&plain, &requests, now).unwrap().encrypted());

    let mut group = c.benchmark_group("azure-5k-encrypted");
    group.throughput(Throughput::Bytes(encrypted.len() as u64));
    group.bench_function("verify-encrypted", |b| {
        b.iter(|| black_box(with_keys.verify(&encrypted, &requests, now).unwrap()));
    });
    group.bench_function("rsa-oaep-unwrap", |b| {
        b.iter(|| {
            black_box(
                rsa_key
                    .decrypt_blinded(&mut Os, rsa::Oaep::<sha1::Sha1>::new(), &wrapped)
                    .unwrap(),
            )
        });
    });
    group.bench_function("aes-256-cbc", |b| {
        b.iter(|| {
            let (iv, ct) = data.split_at(16);
            let mut buf = ct.to_vec();
            let mut dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(&session, iv).unwrap();
            let (blocks, _) = InOutBuf::from(buf.as_mut_slice()).into_chunks();
            dec.decrypt_blocks_inout(blocks);
            black_box(buf)
        });
    });
    group.bench_function("verify-plain", |b| {
        b.iter(|| black_box(without.verify(&plain, &requests, now).unwrap()));
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

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
