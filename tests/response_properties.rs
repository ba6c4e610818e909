//! No panic on any input: mutated valid responses (bytes, attribute values,
//! element order) always give a result, and a mutated response is never
//! accepted with different claims.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::fresh;
use std::path::Path;

use proptest::prelude::*;
use saml_sp::building_blocks::Document;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    EndpointUrl, EntityId, IdpCertSet, Limits, RequestId, ResponseVerifier, SigningCertificate,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T10:01:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn verifier() -> ResponseVerifier {
    let pem = fixture("keys/idp-a.crt.pem");
    ResponseVerifier::new(
        EntityId::new("https://sso.example.com/saml/acme").unwrap(),
        EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
        EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/").unwrap(),
        IdpCertSet::new([SigningCertificate::from_pem(&pem).unwrap()], now()).unwrap(),
    )
    .allow_unsolicited(false)
}

fn request() -> Vec<RequestId> {
    vec![RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()]
}

const FILES: [&str; 3] = [
    "dsig/assertion-signed.xml",
    "dsig/response-signed.xml",
    "dsig/both-signed.xml",
];

/// Verifies and, if accepted, checks the claims are the original ones.
fn check(original: &str, mutated: &[u8]) {
    let v = verifier();
    if let Ok(a) = v.verify(mutated, &request(), now()).map(fresh) {
        let expected = fresh(v.verify(original.as_bytes(), &request(), now()).unwrap());
        assert_eq!(a.name_id(), expected.name_id());
        assert_eq!(a.attributes(), expected.attributes());
        assert_eq!(a.assertion_id(), expected.assertion_id());
    }
}

/// Swaps the source text of two sibling elements.
fn swap_siblings(xml: &str, pick: usize, other: usize) -> Option<String> {
    let doc = Document::parse(xml.as_bytes(), &Limits::default()).ok()?;
    let elements: Vec<_> = doc.root().descendants().collect();
    let a = elements[pick % elements.len()];
    let siblings: Vec<_> = a.parent()?.child_elements().filter(|s| *s != a).collect();
    let b = *siblings.get(other % siblings.len().max(1))?;
    let (ra, rb) = (a.source_range(), b.source_range());
    let (first, second) = if ra.start < rb.start {
        (ra, rb)
    } else {
        (rb, ra)
    };
    Some(format!(
        "{}{}{}{}{}",
        &xml[..first.start],
        &xml[second.clone()],
        &xml[first.end..second.start],
        &xml[first],
        &xml[second.end..]
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn byte_mutations(file in 0usize..3, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let original = fixture(FILES[file]);
        let mut bytes = original.clone().into_bytes();
        for (at, b) in flips {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        check(&original, &bytes);
    }

    #[test]
    fn truncations(file in 0usize..3, cut in any::<usize>()) {
        let original = fixture(FILES[file]);
        let cut = cut % original.len();
        check(&original, &original.as_bytes()[..cut]);
    }

    #[test]
    fn attribute_value_mutations(file in 0usize..3, which in any::<usize>(), value in "[a-zA-Z0-9#_:/. -]{0,12}") {
        let original = fixture(FILES[file]);
        let quotes: Vec<usize> = original.match_indices("=\"").map(|(i, _)| i + 2).collect();
        let start = quotes[which % quotes.len()];
        let end = start + original[start..].find('"').unwrap();
        let mutated = format!("{}{}{}", &original[..start], value, &original[end..]);
        check(&original, mutated.as_bytes());
    }

    #[test]
    fn element_reordering(file in 0usize..3, pick in any::<usize>(), other in any::<usize>()) {
        let original = fixture(FILES[file]);
        if let Some(mutated) = swap_siblings(&original, pick, other) {
            check(&original, mutated.as_bytes());
        }
    }
}
