//! The saml-sp demo: one team signs in with an Azure AD-shaped SAML
//! Response, signed by xmlsec1 (an independent implementation) with a test
//! key, checked end to end as far as the crate goes today.
//!
//! ```text
//! cargo run --release --example demo
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use saml_sp::{
    Clock, EndpointUrl, EntityId, FixedClock, IdpCertSet, MemoryReplayCache, RequestId,
    ResponseVerifier, SigningCertificate,
};

fn main() -> Result<(), saml_sp::Error> {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read(format!("{root}/{path}")).expect(path);
    // Every check takes the time as a value: here, the response's own time.
    let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();

    println!("1. Team 'acme' trusts its IdP's signing certificate (what an admin uploads)");
    let cert = SigningCertificate::parse(&read("fixtures/keys/idp-a.crt.pem"))?;
    println!("   subject  {}", cert.subject());
    println!("   sha256   {}", cert.fingerprint());
    println!("   valid    {} .. {}", cert.not_before(), cert.not_after());
    let verifier = ResponseVerifier::new(
        EntityId::new("https://sso.example.com/saml/acme")?,
        EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
        EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
        IdpCertSet::new([cert], now)?,
    );
    // The ID of the AuthnRequest this browser session sent to the IdP.
    let pending = [RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?];

    println!("\n2. The IdP posts a SAML Response to our ACS URL; we verify it");
    let posted = read("fixtures/dsig/assertion-signed.xml");
    let started = Instant::now();
    let assertion = verifier.verify(&posted, &pending, now)?;
    println!(
        "   verified in {:?}: signed {}",
        started.elapsed(),
        assertion.signed().as_str()
    );
    println!("   issuer   {}", assertion.issuer());
    println!("   name id  {}", assertion.name_id());
    let azure = assertion.azure();
    println!(
        "   email {:?}, name {:?}, groups {}, MFA {}",
        azure.email().unwrap_or("-"),
        azure.display_name().unwrap_or("-"),
        azure.groups().len(),
        azure.mfa()
    );

    println!("\n3. One-time use: the first use passes, a replay is refused");
    let cache = MemoryReplayCache::new(10_000);
    let fresh = assertion.check_replay(&cache, now)?;
    println!(
        "   accepted {} (assertion {})",
        fresh.name_id(),
        fresh.assertion_id()
    );
    let replayed = verifier.verify(&posted, &pending, now)?;
    let err = replayed.check_replay(&cache, now).unwrap_err();
    println!("   replay refused: {} ({err})", err.kind().as_str());

    println!("\n4. Forgeries are refused with a precise kind (shown to logs, not users)");
    for (file, what) in [
        (
            "fixtures/dsig/tampered-nameid.xml",
            "NameID edited after signing",
        ),
        (
            "fixtures/dsig/attacker-keyinfo.xml",
            "signed by an attacker key in KeyInfo",
        ),
        ("fixtures/dsig/unsigned.xml", "signature stripped"),
    ] {
        let err = verifier.verify(&read(file), &pending, now).unwrap_err();
        println!("   {what:38} -> {}", err.kind().as_str());
    }
    Ok(())
}
