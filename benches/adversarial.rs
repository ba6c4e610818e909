//! The worst inputs we could build under the default [`Limits`], each next
//! to a plain response of the same size (`plain`: an xmlsec1-signed
//! Azure-shaped response with group values appended, so that the whole
//! pipeline runs: parse, SignedInfo, RSA, digest, which then fails).
//!
//! Every hostile input is built by `tests/common/adversarial.rs` (its docs
//! say what each does); the cases:
//!
//! | case | what it attacks | refused with |
//! |---|---|---|
//! | `prefix-list-huge` | a 256 KiB PrefixList in SignedInfo (the red team's input) | `signature_malformed` |
//! | `prefix-list-32-in-scope-128` | a PrefixList at its bound, 128 namespaces in scope at SignedInfo | `signature_invalid` |
//! | `wide-scope` | 128 bindings in scope, leaves with 60 prefixed attributes each (parser lookups, exclusive c14n renders) | `digest_mismatch` |
//! | `wide-scope-refused-at-end` | the same with a DOCTYPE at the very end: parsed by the fast scanner, then again by the general parser, which refuses it | `xml_doctype_forbidden` |
//! | `many-attributes` | elements with 64 unsorted attributes (duplicate check, c14n sort) | `digest_mismatch` |
//! | `many-attributes-refused-at-end` | the same, refused at its end | `xml_doctype_forbidden` |
//! | `rebinding` | prefixes rebound on every level and used (rendered scope churn) | `digest_mismatch` |
//! | `long-namespace-names` | 64 namespace names of 3 KB sharing all but their end, each leaf with an attribute in every one (attribute sort, rendered-namespace checks) | `digest_mismatch` |
//! | `amplified` | exclusive c14n output just under the digest's growth budget (8x + 64 KiB) | `digest_mismatch` |
//! | `amplified-over-budget` | a 200 KB namespace re-rendered on 30,000 elements | `canonical_form_too_large` |
//! | `metadata-prefix-list-huge` | signed metadata, pinned signer, 256 KiB PrefixList | `signature_malformed` |
//! | `metadata-nested-signatures` | the IdP's signed metadata, changed (its digest fails), inside 24 nested EntitiesDescriptors each with a failing signature: every one on the path is tried | `digest_mismatch` |
//!
//! `cargo bench --bench adversarial` (about two minutes), then
//! `python3 compare/adversarial_summary.py` prints each case's time, bytes,
//! ns per byte and ratio to `plain` of its size.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

#[path = "../tests/common/adversarial.rs"]
mod adversarial;
#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use adversarial::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use saml_sp::building_blocks::InclusivePrefixes;
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::{ErrorKind, IdpCertSet, Limits};

/// The default limit on the input, less a margin for the response around
/// what a case adds.
const FILL: usize = 2 * 1024 * 1024 - 16 * 1024;

enum Target {
    Response,
    Metadata,
}

struct Case {
    name: &'static str,
    xml: Vec<u8>,
    target: Target,
    expect: ErrorKind,
}

fn response(name: &'static str, xml: Vec<u8>, expect: ErrorKind) -> Case {
    Case {
        name,
        xml,
        target: Target::Response,
        expect,
    }
}

/// `unit` repeated to fill the input limit.
fn leaves_for(unit_bytes: usize) -> usize {
    FILL / unit_bytes
}

fn cases() -> Vec<Case> {
    // Refused only at its very end: the fast scanner reads it all, gives
    // up, and the general parser reads it all again before refusing.
    let refused_at_end = |mut xml: Vec<u8>| {
        xml.extend_from_slice(b"<!DOCTYPE x>");
        xml
    };
    let wide_leaf = wide_scope(0, 0, 1, 60).len();
    let wide = inside_signed_assertion(&wide_scope(2, 63, leaves_for(wide_leaf), 60));
    let attrs_leaf = many_attributes(1, 64).len();
    let attrs = inside_signed_assertion(&many_attributes(leaves_for(attrs_leaf), 64));
    let long_leaf = long_namespaces(0, 1).len() - long_namespaces(0, 0).len();
    let long = inside_signed_assertion(&long_namespaces(3_000, leaves_for(long_leaf) - 400));
    let rebind_leaf = rebinding_chain(0, 30, 1).len();
    let rebind = inside_signed_assertion(&rebinding_chain(4, 30, leaves_for(rebind_leaf)));
    // 60 declarations of about 70 bytes rendered per leaf of 540 bytes:
    // just under the budget of 8 times the input.
    let amp_leaf = amplified_wide(1, 0).len() - amplified_wide(0, 0).len();
    let amplified = inside_signed_assertion(&amplified_wide(leaves_for(amp_leaf), 38));
    // 256 KiB of PrefixList: as many `pNNNNN ` tokens as fit.
    let huge_list = (256 * 1024 - 64) / 7;
    let mut in_scope_128 = signed_response();
    in_scope_128 = in_scope_128.replacen(
        "<samlp:Response ",
        &format!("<samlp:Response{} ", declarations("p", "r", 0, 58)),
        1,
    );
    in_scope_128 = in_scope_128.replacen(
        "<Assertion ",
        &format!("<Assertion{} ", declarations("p", "a", 58, 58)),
        1,
    );
    in_scope_128 = in_scope_128.replacen(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">",
        &format!(
            "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"{}>",
            declarations("p", "s", 116, 8)
        ),
        1,
    );
    in_scope_128 = in_scope_128.replacen(
        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        &format!(
            r#"<CanonicalizationMethod Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></CanonicalizationMethod>"#,
            (0..InclusivePrefixes::MAX_TOKENS)
                .map(|i| format!("p{}", i * 4))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        1,
    );
    vec![
        response(
            "prefix-list-huge",
            prefix_list_in_signed_info(huge_list),
            ErrorKind::SignatureMalformed,
        ),
        response(
            "prefix-list-32-in-scope-128",
            in_scope_128.into_bytes(),
            ErrorKind::SignatureInvalid,
        ),
        response("wide-scope", wide.clone(), ErrorKind::DigestMismatch),
        response(
            "wide-scope-refused-at-end",
            refused_at_end(wide),
            ErrorKind::XmlDoctypeForbidden,
        ),
        response("many-attributes", attrs.clone(), ErrorKind::DigestMismatch),
        response(
            "many-attributes-refused-at-end",
            refused_at_end(attrs),
            ErrorKind::XmlDoctypeForbidden,
        ),
        response("rebinding", rebind, ErrorKind::DigestMismatch),
        response("long-namespace-names", long, ErrorKind::DigestMismatch),
        response("amplified", amplified, ErrorKind::DigestMismatch),
        response(
            "amplified-over-budget",
            inside_signed_assertion(&amplified_namespace(200_000, 29_000)),
            ErrorKind::CanonicalFormTooLarge,
        ),
        Case {
            name: "metadata-prefix-list-huge",
            xml: metadata_prefix_list(huge_list),
            target: Target::Metadata,
            expect: ErrorKind::SignatureMalformed,
        },
        Case {
            name: "metadata-nested-signatures",
            xml: metadata_nested_signatures(24),
            target: Target::Metadata,
            expect: ErrorKind::DigestMismatch,
        },
    ]
}

fn bench(c: &mut Criterion) {
    let verifier = common::verifier();
    let requests = common::request();
    let now = common::now();
    let pinned = IdpCertSet::new([common::cert("idp-a")], now).unwrap();
    let reader = IdpMetadataReader::new().with_pinned_signer(pinned);
    let mut group = c.benchmark_group("adversarial");
    for case in cases() {
        let limit = match case.target {
            Target::Response => Limits::default().max_input_bytes,
            Target::Metadata => IdpMetadataReader::DEFAULT_LIMITS.max_input_bytes,
        };
        assert!(case.xml.len() <= limit, "{} is over the limit", case.name);
        let run = |xml: &[u8]| match case.target {
            Target::Response => verifier.verify(xml, &requests, now).map(|_| ()),
            Target::Metadata => reader.read(xml, now).map(|_| ()),
        };
        let kind = run(&case.xml).expect_err(case.name).kind();
        assert_eq!(kind, case.expect, "{}", case.name);
        let plain = plain_response(case.xml.len());
        assert_eq!(
            verifier.verify(&plain, &requests, now).unwrap_err().kind(),
            ErrorKind::DigestMismatch
        );

        group.throughput(Throughput::Bytes(case.xml.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(case.name, "hostile"),
            &case.xml,
            |b, xml| b.iter(|| black_box(run(xml))),
        );
        group.bench_with_input(BenchmarkId::new(case.name, "plain"), &plain, |b, xml| {
            b.iter(|| black_box(verifier.verify(xml, &requests, now)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}

/// `ADVERSARIAL_LIST=1` prints each case's size and verdict and exits;
/// `ADVERSARIAL_PROFILE=<case>:<iterations>` runs one case that many times
/// without criterion (for `valgrind --tool=callgrind` or `perf record`).
fn main() {
    if std::env::var_os("ADVERSARIAL_LIST").is_some() {
        for case in cases() {
            println!(
                "{:32} {:>9} bytes  {:?}",
                case.name,
                case.xml.len(),
                case.expect
            );
        }
        return;
    }
    if let Ok(spec) = std::env::var("ADVERSARIAL_PROFILE") {
        let (name, n) = spec.split_once(':').expect("<case>:<iterations>");
        let n: usize = n.parse().expect("iterations");
        let case = cases()
            .into_iter()
            .find(|c| c.name == name)
            .expect("a case name (ADVERSARIAL_LIST=1 lists them)");
        let now = common::now();
        let verifier = common::verifier();
        let reader = IdpMetadataReader::new()
            .with_pinned_signer(IdpCertSet::new([common::cert("idp-a")], now).unwrap());
        for _ in 0..n {
            let result = match case.target {
                Target::Response => verifier
                    .verify(&case.xml, &common::request(), now)
                    .map(|_| ()),
                Target::Metadata => reader.read(&case.xml, now).map(|_| ()),
            };
            assert_eq!(black_box(result).unwrap_err().kind(), case.expect);
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
