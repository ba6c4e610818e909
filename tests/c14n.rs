//! Canonicalization: hand-checked semantics, and byte-for-byte conformance
//! with libxml2 (through lxml and xmlsec1) on fixtures/c14n/manifest.json.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use saml_sp::Limits;
use saml_sp::building_blocks::{
    Document, Element, InclusivePrefixes, canonicalize_document, canonicalize_element,
};
use saml_sp::vocabulary::C14nMethod;
use sha2::{Digest, Sha256};

#[path = "common/real_recordings.rs"]
mod real_recordings;
use real_recordings::real_recordings_dir;

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

fn doc(xml: &str) -> Document {
    Document::parse(xml.as_bytes(), &Limits::default()).unwrap()
}

fn whole(xml: &str, method: C14nMethod) -> String {
    let mut out = Vec::new();
    canonicalize_document(&doc(xml), method, &InclusivePrefixes::none(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn subtree(xml: &str, id: &str, method: C14nMethod, prefixes: &str) -> String {
    let d = doc(xml);
    let el = d.element_by_id(id).unwrap();
    let mut out = Vec::new();
    let prefixes = InclusivePrefixes::parse(prefixes).unwrap();
    canonicalize_element(el, signature_child(el), method, &prefixes, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn signature_child(el: Element<'_>) -> Option<Element<'_>> {
    el.child_elements().find(|c| c.is(DSIG, "Signature"))
}

#[test]
fn exclusive_renders_only_visibly_used_namespaces() {
    let xml = r#"<r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u">
<a:x ID="x" b:attr="1"><y/><a:z/></a:x></r>"#;
    assert_eq!(
        subtree(xml, "x", C14nMethod::Exclusive, ""),
        r#"<a:x xmlns:a="urn:a" xmlns:b="urn:b" ID="x" b:attr="1"><y xmlns="urn:d"></y><a:z></a:z></a:x>"#
    );
    // Inclusive renders everything in scope at the apex.
    assert_eq!(
        subtree(xml, "x", C14nMethod::Inclusive, ""),
        r#"<a:x xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u" ID="x" b:attr="1"><y></y><a:z></a:z></a:x>"#
    );
}

#[test]
fn prefix_list_renders_namespaces_used_only_in_values() {
    let xml = r#"<r xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><v ID="v" xsi:type="xs:string">x</v></r>"#;
    assert_eq!(
        subtree(xml, "v", C14nMethod::Exclusive, ""),
        r#"<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="v" xsi:type="xs:string">x</v>"#
    );
    assert_eq!(
        subtree(xml, "v", C14nMethod::Exclusive, "xs"),
        r#"<v xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="v" xsi:type="xs:string">x</v>"#
    );
}

#[test]
fn default_namespace_undeclaration() {
    let xml = r#"<r xmlns="urn:d"><a ID="a"><b xmlns=""><c xmlns=""/></b></a></r>"#;
    assert_eq!(
        subtree(xml, "a", C14nMethod::Exclusive, ""),
        r#"<a xmlns="urn:d" ID="a"><b xmlns=""><c></c></b></a>"#
    );
    // An element in no namespace under no rendered default: no xmlns="".
    assert_eq!(
        whole(r#"<a xmlns=""><b/></a>"#, C14nMethod::Exclusive),
        "<a><b></b></a>"
    );
    assert_eq!(
        whole(r#"<a xmlns=""><b/></a>"#, C14nMethod::Inclusive),
        "<a><b></b></a>"
    );
}

#[test]
fn prefix_list_default() {
    let xml = r#"<r xmlns="urn:d" xmlns:p="urn:p"><p:a ID="a"/></r>"#;
    assert_eq!(
        subtree(xml, "a", C14nMethod::Exclusive, "#default"),
        r#"<p:a xmlns="urn:d" xmlns:p="urn:p" ID="a"></p:a>"#
    );
}

#[test]
fn redeclared_prefixes() {
    let xml = r#"<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c xmlns:p="urn:2"/></p:b><p:d xmlns:p="urn:1"/></p:a>"#;
    let expected =
        r#"<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c></p:c></p:b><p:d></p:d></p:a>"#;
    assert_eq!(whole(xml, C14nMethod::Exclusive), expected);
    assert_eq!(whole(xml, C14nMethod::Inclusive), expected);
}

#[test]
fn attribute_and_namespace_order() {
    // Attributes: unqualified first, then by namespace URI, then local name
    // (not by prefix); namespace declarations by prefix.
    let xml = r#"<e xmlns:z="urn:a" xmlns:a="urn:z" a:attr="1" z:attr="2" b="3" a="4"/>"#;
    assert_eq!(
        whole(xml, C14nMethod::Inclusive),
        r#"<e xmlns:a="urn:z" xmlns:z="urn:a" a="4" b="3" z:attr="2" a:attr="1"></e>"#
    );
}

#[test]
fn escaping() {
    let xml = "<a b=\"&quot;&amp;&lt;&gt;'&#x9;&#xA;&#xD;\">&amp;&lt;&gt;\"'&#xD;</a>";
    assert_eq!(
        whole(xml, C14nMethod::Exclusive),
        "<a b=\"&quot;&amp;&lt;>'&#x9;&#xA;&#xD;\">&amp;&lt;&gt;\"'&#xD;</a>"
    );
}

#[test]
fn comments_and_pis_outside_the_root() {
    let xml =
        "<?xml version=\"1.0\"?>\n<?a b?>\n<!--c-->\n<r><!--in--><?p?></r>\n<!--d-->\n<?e?>\n";
    assert_eq!(
        whole(xml, C14nMethod::ExclusiveWithComments),
        "<?a b?>\n<!--c-->\n<r><!--in--><?p?></r>\n<!--d-->\n<?e?>"
    );
    assert_eq!(
        whole(xml, C14nMethod::Exclusive),
        "<?a b?>\n<r><?p?></r>\n<?e?>"
    );
}

#[test]
fn enveloped_signature_is_left_out() {
    let xml = r#"<r xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><a ID="a">x<ds:Signature><ds:SignedInfo/></ds:Signature>y</a></r>"#;
    assert_eq!(
        subtree(xml, "a", C14nMethod::Exclusive, ""),
        r#"<a ID="a">xy</a>"#
    );
}

#[test]
fn inclusive_apex_inherits_xml_attributes() {
    let xml = r#"<r xml:lang="en" xml:space="preserve"><s xml:lang="fr"><a ID="a"/></s></r>"#;
    assert_eq!(
        subtree(xml, "a", C14nMethod::Inclusive, ""),
        r#"<a ID="a" xml:lang="fr" xml:space="preserve"></a>"#
    );
    assert_eq!(
        subtree(xml, "a", C14nMethod::Exclusive, ""),
        r#"<a ID="a"></a>"#
    );
}

#[test]
fn writer_errors_surface_as_io() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let d = doc("<a/>");
    let err = canonicalize_document(
        &d,
        C14nMethod::Exclusive,
        &InclusivePrefixes::none(),
        &mut Broken,
    )
    .unwrap_err();
    assert_eq!(err.kind(), saml_sp::ErrorKind::Io);
}

#[test]
fn invalid_prefix_list_refused() {
    let err = InclusivePrefixes::parse("xs 1bad").unwrap_err();
    assert_eq!(err.kind(), saml_sp::ErrorKind::XmlInvalidName);
}

// ---- conformance vectors ------------------------------------------------------

fn method_of(name: &str) -> C14nMethod {
    match name {
        "exc" => C14nMethod::Exclusive,
        "exc-comments" => C14nMethod::ExclusiveWithComments,
        "inc" => C14nMethod::Inclusive,
        "inc-comments" => C14nMethod::InclusiveWithComments,
        other => panic!("unknown method {other}"),
    }
}

fn canonical_bytes(doc: &Document, row: &serde_json::Value) -> Vec<u8> {
    let method = method_of(row["method"].as_str().unwrap());
    let prefixes = match row["prefixes"].as_array() {
        Some(list) => InclusivePrefixes::parse(
            &list
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" "),
        )
        .unwrap(),
        None => InclusivePrefixes::none(),
    };
    let select = &row["select"];
    let mut out = Vec::new();
    let element = match select["kind"].as_str().unwrap() {
        "document" => {
            canonicalize_document(doc, method, &prefixes, &mut out).unwrap();
            return out;
        }
        "id" => doc.element_by_id(select["id"].as_str().unwrap()).unwrap(),
        "signed_info" => {
            let index = select["index"].as_u64().unwrap() as usize;
            doc.root()
                .descendants()
                .filter(|e| e.is(DSIG, "SignedInfo"))
                .nth(index)
                .unwrap()
        }
        other => panic!("unknown select {other}"),
    };
    let exclude = if row["exclude_signature"].as_bool().unwrap_or(false) {
        signature_child(element)
    } else {
        None
    };
    canonicalize_element(element, exclude, method, &prefixes, &mut out).unwrap();
    out
}

/// Real recordings we refuse on purpose, with the kind we refuse them with.
const DELIBERATE_REFUSALS: &[(&str, saml_sp::ErrorKind)] = &[
    // An XML signature wrapping attack: two elements share one ID.
    (
        "onelogin/crewjam-2016-xsw-permutation-one.xml",
        saml_sp::ErrorKind::XmlDuplicateId,
    ),
];

#[test]
fn conformance_with_libxml2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/c14n");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let real = real_recordings_dir("the real rows of fixtures/c14n/manifest.json");
    let (mut own, mut real_rows, mut refusals) = (0, 0, 0);
    let mut failures = Vec::new();
    for row in manifest.as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let input = row["input"].as_str().unwrap();
        let is_real = row["source"] == "real";
        let path = if is_real {
            match &real {
                Some(dir) => dir.join(input),
                None => continue,
            }
        } else {
            root.join(input)
        };
        let bytes = std::fs::read(&path).unwrap();
        let parsed = Document::parse(&bytes, &Limits::default());
        if row["parse_error"].as_bool() == Some(true) {
            assert!(
                parsed.is_err(),
                "{name}: libxml2 refuses {input} but we accept it"
            );
            refusals += 1;
            continue;
        }
        let doc = match parsed {
            Ok(doc) => doc,
            Err(err) => {
                let deliberate = DELIBERATE_REFUSALS
                    .iter()
                    .any(|(file, kind)| *file == input && *kind == err.kind());
                assert!(deliberate, "{name}: we refuse {input}: {err:?}");
                refusals += 1;
                continue;
            }
        };
        let ours = canonical_bytes(&doc, row);
        let matches = match row["expected"].as_str() {
            Some(expected) => ours == std::fs::read(root.join(expected)).unwrap(),
            None => {
                hex(&Sha256::digest(&ours)) == row["sha256"].as_str().unwrap()
                    && ours.len() as u64 == row["len"].as_u64().unwrap()
            }
        };
        if !matches {
            failures.push(name.to_owned());
        }
        if is_real {
            real_rows += 1;
        } else {
            own += 1;
        }
    }
    println!("c14n conformance: {own} own rows, {real_rows} real rows, {refusals} refusals");
    assert!(
        failures.is_empty(),
        "{} mismatches: {failures:#?}",
        failures.len()
    );
    assert!(own > 0);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn namespace_names_are_escaped() {
    // libxml2 writes a raw '&' here (not well-formed output); the
    // specification's attribute escaping applies to namespace nodes too.
    let xml = r#"<a xmlns:p="urn:x?a=1&amp;b=&quot;2&quot;" p:b="1"/>"#;
    let expected = r#"<a xmlns:p="urn:x?a=1&amp;b=&quot;2&quot;" p:b="1"></a>"#;
    assert_eq!(whole(xml, C14nMethod::Exclusive), expected);
    assert_eq!(whole(xml, C14nMethod::Inclusive), expected);
    // And the output parses back to the same namespace name.
    let again = doc(expected);
    assert_eq!(
        again.root().attributes().next().unwrap().namespace(),
        Some("urn:x?a=1&b=\"2\"")
    );
}
