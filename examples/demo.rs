//! The saml-sp demo: one Azure AD-shaped SAML Response, signed by xmlsec1
//! (an independent implementation) with a test key, checked end to end as
//! far as the crate goes today.
//!
//! ```text
//! cargo run --example demo
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use saml_sp::{
    C14nMethod, Clock, Document, FixedClock, IdpCertSet, InclusivePrefixes, Limits,
    SignaturePolicy, SigningCertificate, canonicalize_element, ns, verify_enveloped,
};

fn main() -> Result<(), saml_sp::Error> {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read(format!("{root}/{path}")).expect(path);
    // Every check takes the time as a value: here, the response's own time.
    let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();

    println!("1. The IdP's signing certificate (what an admin uploads)");
    let cert = SigningCertificate::parse(&read("fixtures/keys/idp-a.crt.pem"))?;
    println!("   subject    {}", cert.subject());
    println!("   sha256     {}", cert.fingerprint());
    println!(
        "   valid      {} .. {}",
        cert.not_before(),
        cert.not_after()
    );
    let certs = IdpCertSet::new([cert], now)?;

    println!("\n2. The POSTed SAML Response, parsed once into a hardened tree");
    let xml = read("fixtures/dsig/both-signed.xml");
    let started = Instant::now();
    let doc = Document::parse(&xml, &Limits::default())?;
    println!("   {} bytes parsed in {:?}", xml.len(), started.elapsed());
    let response = doc.root();
    let assertion = response
        .child_elements()
        .find(|e| e.is(ns::SAML_ASSERTION, "Assertion"))
        .expect("an Assertion");
    println!(
        "   <{}> ID {}",
        response.local_name(),
        response.attribute(None, "ID").unwrap_or("-")
    );
    println!(
        "   <{}> ID {}",
        assertion.local_name(),
        assertion.attribute(None, "ID").unwrap_or("-")
    );

    println!("\n3. Exclusive canonicalization of the Assertion (what its digest covers)");
    let signature = assertion
        .child_elements()
        .find(|e| e.is(ns::DSIG, "Signature"));
    let mut canonical = Vec::new();
    canonicalize_element(
        assertion,
        signature,
        C14nMethod::Exclusive,
        &InclusivePrefixes::none(),
        &mut canonical,
    )?;
    let text = String::from_utf8_lossy(&canonical);
    println!(
        "   {} bytes: {}...",
        canonical.len(),
        text.chars().take(96).collect::<String>()
    );

    println!("\n4. XML-DSig verification against the trusted certificate only");
    for element in [response, assertion] {
        let started = Instant::now();
        let verified = verify_enveloped(element, &certs, now, &SignaturePolicy::default())?;
        println!(
            "   <{}> signed ({}, {}) by {} [{:?}]",
            element.local_name(),
            verified.signature_algorithm().as_str(),
            verified.digest_algorithm().as_str(),
            &verified.certificate().to_string()[..16],
            started.elapsed()
        );
    }

    println!("\n5. The same response with its NameID changed after signing");
    let tampered = read("fixtures/dsig/tampered-nameid.xml");
    let doc = Document::parse(&tampered, &Limits::default())?;
    let assertion = doc
        .root()
        .child_elements()
        .find(|e| e.is(ns::SAML_ASSERTION, "Assertion"))
        .expect("an Assertion");
    let err = verify_enveloped(assertion, &certs, now, &SignaturePolicy::default()).unwrap_err();
    println!("   refused: {} ({})", err.kind().as_str(), err);
    Ok(())
}
