//! Parse + exclusive canonicalization of Azure-shaped SAML assertions.
//!
//! `cargo bench --bench c14n` prints time and MB/s for a 5 KB response (a
//! handful of claims) and a 100 KB one (1,400 group claims).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::HashWriter;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use saml_sp::Limits;
use saml_sp::building_blocks::{Document, InclusivePrefixes, canonicalize_element};
use saml_sp::vocabulary::C14nMethod;
use sha2::Digest;

/// An Azure AD-shaped Response (unprefixed Assertion, default-namespace
/// Signature) with `groups` group claims.
fn azure_response(groups: usize) -> String {
    let mut values = String::new();
    for i in 0..groups {
        values.push_str(&format!(
            "<AttributeValue>{:08x}-5e6f-4a1b-9c2d-{:012x}</AttributeValue>",
            i * 7919,
            i * 104_729
        ));
    }
    format!(
        r##"<samlp:Response ID="_5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b" Version="2.0" IssueInstant="2026-03-02T10:00:00.123Z" Destination="https://sso.example.com/saml/acme/acs" InResponseTo="id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><Assertion ID="_a1b2c3d4-e5f6-4789-abcd-ef0123456789" IssueInstant="2026-03-02T10:00:00.120Z" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/</Issuer><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="#_a1b2c3d4-e5f6-4789-abcd-ef0123456789"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>q0G3MqjcJRAwN6mRbEmD8T8hT9WmxhDx0c3FLBhyCHs=</DigestValue></Reference></SignedInfo><SignatureValue>{sig}</SignatureValue><KeyInfo><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></Signature><Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">alice@example.com</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData InResponseTo="id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f" NotOnOrAfter="2026-03-02T11:00:00.120Z" Recipient="https://sso.example.com/saml/acme/acs"/></SubjectConfirmation></Subject><Conditions NotBefore="2026-03-02T09:55:00.120Z" NotOnOrAfter="2026-03-02T11:00:00.120Z"><AudienceRestriction><Audience>https://sso.example.com/saml/acme</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name="http://schemas.microsoft.com/identity/claims/tenantid"><AttributeValue>0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</AttributeValue></Attribute><Attribute Name="http://schemas.microsoft.com/identity/claims/objectidentifier"><AttributeValue>9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d</AttributeValue></Attribute><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"><AttributeValue>alice@example.com</AttributeValue></Attribute><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"><AttributeValue>Alice</AttributeValue></Attribute><Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"><AttributeValue>Example</AttributeValue></Attribute><Attribute Name="http://schemas.microsoft.com/identity/claims/displayname"><AttributeValue>Alice Example</AttributeValue></Attribute><Attribute Name="http://schemas.microsoft.com/claims/authnmethodsreferences"><AttributeValue>http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password</AttributeValue><AttributeValue>http://schemas.microsoft.com/claims/multipleauthn</AttributeValue></Attribute><Attribute Name="http://schemas.microsoft.com/ws/2008/06/identity/claims/groups">{values}</Attribute></AttributeStatement><AuthnStatement AuthnInstant="2026-03-02T09:59:58.000Z" SessionIndex="_a1b2c3d4-e5f6-4789-abcd-ef0123456789"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion></samlp:Response>"##,
        sig = "A".repeat(344),
        cert = "B".repeat(1500),
    )
}

/// Parse, then canonicalize the Assertion without its Signature into SHA-256.
fn parse_c14n_digest(xml: &str) -> impl AsRef<[u8]> + use<> {
    let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
    let assertion = doc
        .root()
        .child_elements()
        .find(|e| e.local_name() == "Assertion")
        .unwrap();
    let signature = assertion
        .child_elements()
        .find(|e| e.local_name() == "Signature");
    let mut hasher = HashWriter::new();
    canonicalize_element(
        assertion,
        signature,
        C14nMethod::Exclusive,
        &InclusivePrefixes::none(),
        &mut hasher,
    )
    .unwrap();
    hasher.0.finalize()
}

const SIZES: [(&str, usize); 2] = [("5KB", 10), ("100KB", 1400)];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_exc_c14n_sha256");
    for (label, groups) in SIZES {
        let xml = azure_response(groups);
        group.throughput(Throughput::Bytes(xml.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", label), &xml, |b, xml| {
            b.iter(|| Document::parse(xml.as_bytes(), &Limits::default()).unwrap());
        });
        group.bench_with_input(
            BenchmarkId::new("parse+c14n+digest", label),
            &xml,
            |b, xml| b.iter(|| parse_c14n_digest(xml)),
        );
    }
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

/// `C14N_PROFILE=<parse|c14n|full>:<5KB|100KB>:<iterations>` runs exactly that
/// many iterations of one case and exits, without criterion: stable
/// instruction counts under `valgrind --tool=callgrind`.
fn main() {
    if let Ok(spec) = std::env::var("C14N_PROFILE") {
        let mut parts = spec.split(':');
        let (stage, size, n) = (parts.next(), parts.next(), parts.next());
        let groups = SIZES
            .iter()
            .find(|(label, _)| Some(*label) == size)
            .map(|(_, g)| *g)
            .expect("size 5KB or 100KB");
        let n: usize = n.and_then(|n| n.parse().ok()).expect("iterations");
        let xml = azure_response(groups);
        if stage == Some("c14n") {
            // Canonicalization alone, into a sink: parse once.
            let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
            let assertion = doc.root().child_elements().nth(2).unwrap();
            let signature = assertion.child_elements().nth(1);
            for _ in 0..n {
                canonicalize_element(
                    assertion,
                    signature,
                    C14nMethod::Exclusive,
                    &InclusivePrefixes::none(),
                    &mut std::io::sink(),
                )
                .unwrap();
            }
            return;
        }
        for _ in 0..n {
            match stage {
                Some("parse") => {
                    std::hint::black_box(
                        Document::parse(xml.as_bytes(), &Limits::default()).unwrap(),
                    );
                }
                Some("full") => {
                    std::hint::black_box(parse_c14n_digest(&xml));
                }
                _ => panic!("stage parse, c14n or full"),
            }
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
