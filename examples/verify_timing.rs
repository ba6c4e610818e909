//! Times `ResponseVerifier::verify` on files of the fixtures' scenario and
//! prints one JSON line per file with the median time per verify: the same
//! loop as compare/samael, for a side-by-side comparison.
//!
//! ```sh
//! cargo run --release --example verify_timing -- [--iterations N] FILE...
//! cargo run --release --features aws-lc-rs --example verify_timing -- FILE...
//! ```
//!
//! The trusted certificate is fixtures/keys/idp-a.crt.pem; `now` is the
//! fixtures' pinned 2026-03-02T10:01:00Z.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

use saml_sp::time::{DateTime, Utc};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut iterations = 2000usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iterations" => iterations = args.next().ok_or("--iterations N")?.parse()?,
            _ => files.push(arg),
        }
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let now: DateTime<Utc> = "2026-03-02T10:01:00Z".parse()?;
    let pem = std::fs::read(format!("{root}/fixtures/keys/idp-a.crt.pem"))?;
    let verifier = ResponseVerifier::new(
        EntityId::new("https://sso.example.com/saml/acme")?,
        EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
        EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
        IdpCertSet::new([SigningCertificate::parse(&pem)?], now)?,
    );
    let requests = [RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?];
    let backend = if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rsa"
    };

    for file in files {
        let xml = std::fs::read(&file)?;
        let name_id = verifier
            .verify(&xml, &requests, now)?
            .check_replay(&saml_sp::store::MemoryReplayCache::new(1), now)?
            .name_id()
            .to_owned();
        let warmup = (iterations / 10).clamp(3, 50);
        let mut times = Vec::with_capacity(iterations);
        for i in 0..warmup + iterations {
            let start = Instant::now();
            let assertion = verifier.verify(&xml, &requests, now)?;
            let elapsed = start.elapsed().as_nanos();
            std::hint::black_box(assertion);
            if i >= warmup {
                times.push(elapsed);
            }
        }
        times.sort_unstable();
        let median = times[times.len() / 2];
        let mean = times.iter().sum::<u128>() / times.len() as u128;
        println!(
            r#"{{"impl":"saml-sp ({backend})","file":"{file}","bytes":{},"iterations":{iterations},"median_ns":{median},"mean_ns":{mean},"min_ns":{},"name_id":"{name_id}"}}"#,
            xml.len(),
            times[0],
        );
    }
    Ok(())
}
