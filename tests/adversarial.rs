//! CPU exhaustion before (and around) the signature check: one test per
//! class of hostile input, asserting the exact error kind and that the call
//! returns quickly. The bounds are generous (seconds, in a debug build)
//! against inputs that took seconds to hours in a release build before the
//! work became linear; `benches/adversarial.rs` measures the worst inputs
//! under the default limits, and unit tests in `src/c14n/tests.rs` count
//! the steps to show linear growth without timing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/adversarial.rs"]
mod adversarial;
mod common;

use std::time::{Duration, Instant};

use adversarial::*;
use saml_sp::building_blocks::{Document, InclusivePrefixes, MAX_SIGNED_INFO_BYTES};
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::{ErrorKind, IdpCertSet, Limits};

/// Generous for a debug build on a busy 2-core machine.
const BOUND: Duration = Duration::from_secs(3);

fn verify_kind(xml: &[u8]) -> ErrorKind {
    let started = Instant::now();
    let result = common::verifier().verify(xml, &common::request(), common::now());
    let took = started.elapsed();
    assert!(took < BOUND, "verify of {} bytes took {took:?}", xml.len());
    result.expect_err("hostile input accepted").kind()
}

fn metadata_kind(xml: &[u8]) -> ErrorKind {
    let pinned = IdpCertSet::new([common::cert("idp-a")], common::now()).unwrap();
    let started = Instant::now();
    let result = IdpMetadataReader::new()
        .with_pinned_signer(pinned)
        .read(xml, common::now());
    let took = started.elapsed();
    assert!(
        took < BOUND,
        "metadata of {} bytes took {took:?}",
        xml.len()
    );
    result.expect_err("hostile metadata accepted").kind()
}

#[test]
fn huge_prefix_list_in_signed_info_is_refused_before_canonicalization() {
    // The red team's input: 20,000 distinct prefixes (4.8 s for 243 KB
    // before).
    assert_eq!(
        verify_kind(&prefix_list_in_signed_info(20_000)),
        ErrorKind::SignatureMalformed
    );
    assert_eq!(
        verify_kind(&prefix_list_in_signed_info(
            InclusivePrefixes::MAX_TOKENS + 1
        )),
        ErrorKind::SignatureMalformed
    );
    // At the bound the list is read, SignedInfo canonicalized, and the
    // signature (over the original SignedInfo) fails.
    assert_eq!(
        verify_kind(&prefix_list_in_signed_info(InclusivePrefixes::MAX_TOKENS)),
        ErrorKind::SignatureInvalid
    );
}

#[test]
fn huge_prefix_list_in_a_transform_is_refused() {
    assert_eq!(
        verify_kind(&prefix_list_in_transform(20_000)),
        ErrorKind::SignatureMalformed
    );
    assert_eq!(
        verify_kind(&prefix_list_in_transform(InclusivePrefixes::MAX_TOKENS)),
        ErrorKind::SignatureInvalid
    );
}

#[test]
fn prefix_list_parser_counts_tokens() {
    let list = |n: usize| vec!["p"; n].join(" ");
    assert!(InclusivePrefixes::parse(&list(InclusivePrefixes::MAX_TOKENS)).is_ok());
    assert_eq!(
        InclusivePrefixes::parse(&list(InclusivePrefixes::MAX_TOKENS + 1))
            .unwrap_err()
            .kind(),
        ErrorKind::PrefixListTooLong
    );
    let huge = list(1_000_000);
    let started = Instant::now();
    assert_eq!(
        InclusivePrefixes::parse(&huge).unwrap_err().kind(),
        ErrorKind::PrefixListTooLong
    );
    assert!(started.elapsed() < BOUND);
}

#[test]
fn elements_under_signed_info_leaves_are_refused() {
    // A chain of elements declaring namespaces under DigestMethod (330 ms
    // for 85 KB before), and one element under each childless element.
    assert_eq!(
        verify_kind(&chain_under_digest_method(3, 10, 32)),
        ErrorKind::SignatureMalformed
    );
    let doc = signed_response();
    for (leaf, with_child) in [
        (
            r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>"#,
            r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"><x/></DigestMethod>"#,
        ),
        (
            r#"<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>"#,
            r#"<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"><x/></SignatureMethod>"#,
        ),
        ("<DigestValue>", "<DigestValue><x xmlns:a=\"urn:a\"/>"),
        (
            r#"<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
            r#"<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><InclusiveNamespaces xmlns="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"><x/></InclusiveNamespaces></Transform>"#,
        ),
    ] {
        assert_eq!(doc.matches(leaf).count(), 1, "{leaf}");
        let xml = doc.replacen(leaf, with_child, 1);
        assert_eq!(
            verify_kind(xml.as_bytes()),
            ErrorKind::SignatureMalformed,
            "{with_child}"
        );
    }
}

#[test]
fn signed_info_over_its_budget_is_refused() {
    let doc = signed_response();
    // As written: a comment in SignedInfo.
    let big = format!("<SignedInfo><!--{}-->", "x".repeat(MAX_SIGNED_INFO_BYTES));
    let xml = doc.replacen("<SignedInfo>", &big, 1);
    assert_eq!(verify_kind(xml.as_bytes()), ErrorKind::SignatureMalformed);
    // Once canonical: inclusive canonicalization renders every namespace
    // in scope, here one of 20 KB declared on the Response.
    let xml = doc
        .replacen(
            "<samlp:Response ",
            &format!(r#"<samlp:Response xmlns:big="urn:{}" "#, "b".repeat(20_000)),
            1,
        )
        .replacen(
            r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
            r#"<CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>"#,
            1,
        );
    assert_eq!(verify_kind(xml.as_bytes()), ErrorKind::SignatureMalformed);
}

#[test]
fn too_many_namespaces_in_scope_are_refused_while_parsing() {
    let limit = Limits::default().max_namespaces_in_scope;
    // At the limit the document parses (the Response and the Assertion
    // declare one namespace each), and the digest then fails ...
    let content = wide_scope(2, limit / 2 - 1, 100, 40);
    let at_limit = inside_signed_assertion(&content);
    assert_eq!(verify_kind(&at_limit), ErrorKind::DigestMismatch);
    // ... one more binding in scope is refused.
    let over = inside_signed_assertion(&format!(r#"<x xmlns:one="urn:more">{content}</x>"#));
    assert_eq!(verify_kind(&over), ErrorKind::XmlTooManyNamespaces);
    // Deep chains of declarations (lookups scanned all of them before).
    let deep = inside_signed_assertion(&wide_scope(58, 63, 1_000, 60));
    assert_eq!(verify_kind(&deep), ErrorKind::XmlTooManyNamespaces);
    let over = wide_scope(3, limit / 3 + 1, 1, 1);
    let err = Document::parse(over.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::XmlTooManyNamespaces);
    // Siblings do not add up: each element's scope is its own.
    let siblings = format!("<r>{}</r>", many_declarations(10, 60));
    assert!(Document::parse(siblings.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn exclusive_c14n_amplification_is_refused() {
    // A 200 KB namespace name re-rendered on 10,000 elements would be 2 GB
    // to hash (1.8 s before).
    let xml = inside_signed_assertion(&amplified_namespace(200_000, 10_000));
    assert_eq!(verify_kind(&xml), ErrorKind::CanonicalFormTooLarge);
    // A short namespace re-rendered on many elements is what real IdPs do
    // (xsi on each AttributeValue): within the budget (here 3.6 times the
    // input), the digest fails.
    let xml = inside_signed_assertion(&amplified_namespace(40, 10_000));
    assert_eq!(verify_kind(&xml), ErrorKind::DigestMismatch);
}

#[test]
fn many_attributes_and_bindings_within_limits_stay_fast() {
    for content in [
        // 3 KB namespace names that share all but their last characters:
        // sorting 64 attributes compared them in full each time before.
        long_namespaces(3_000, 1_000),
        many_attributes(2_000, 64),
        rebinding_chain(4, 30, 2_000),
        wide_scope(2, 60, 1_000, 60),
    ] {
        assert_eq!(
            verify_kind(&inside_signed_assertion(&content)),
            ErrorKind::DigestMismatch
        );
        // A processing instruction after the document element stays on
        // the fast scanner (it once sent the whole input through both
        // parsers) ...
        let mut xml = inside_signed_assertion(&content);
        xml.extend_from_slice(b"<?pi after?>");
        assert_eq!(verify_kind(&xml), ErrorKind::DigestMismatch);
        // ... and a refusal at the very end costs two parses, no more.
        let mut xml = inside_signed_assertion(&content);
        xml.extend_from_slice(b"<!DOCTYPE x>");
        assert_eq!(verify_kind(&xml), ErrorKind::XmlDoctypeForbidden);
    }
}

#[test]
fn duplicate_attributes_among_many_are_found() {
    // Past the pairwise threshold duplicates are found by sorting; both
    // parse paths, qualified names that differ but expand alike, and a
    // duplicate namespace declaration among many bindings in scope.
    let mut attrs = String::new();
    for i in 0..40 {
        attrs.push_str(&format!(" a{i}=\"\""));
    }
    let cases = [
        format!("<r{attrs} a17=\"x\"/>"),
        format!(r#"<r xmlns:p="urn:x" xmlns:q="urn:x"{attrs} p:k="" q:k=""/>"#),
        format!(
            "<r{}><e{} xmlns:d3=\"urn:again\"/></r>",
            declarations("s", "s", 0, 30),
            declarations("d", "d", 0, 30)
        ),
    ];
    for case in &cases {
        for tail in ["", "<?pi?>"] {
            let xml = format!("{case}{tail}");
            let err = Document::parse(xml.as_bytes(), &Limits::default()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::XmlDuplicateAttribute, "{xml}");
        }
    }
    // And no false alarm: 64 distinct attributes, some expanding to the
    // same local name in different namespaces.
    let mut ok = String::from(r#"<r xmlns:p="urn:p" xmlns:q="urn:q""#);
    for i in 0..20 {
        ok.push_str(&format!(" a{i}=\"\" p:a{i}=\"\" q:a{i}=\"\""));
    }
    ok.push_str("/>");
    assert!(Document::parse(ok.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn signed_metadata_with_hostile_signed_info_is_refused() {
    assert_eq!(
        metadata_kind(&metadata_prefix_list(20_000)),
        ErrorKind::SignatureMalformed
    );
    assert_eq!(
        metadata_kind(&metadata_prefix_list(InclusivePrefixes::MAX_TOKENS)),
        ErrorKind::SignatureInvalid
    );
    assert_eq!(
        metadata_kind(&metadata_chain(3, 10, 32)),
        ErrorKind::SignatureMalformed
    );
}
