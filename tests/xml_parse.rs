//! The XML tree: every rejection path with its exact error kind, and the
//! normalisations canonicalization depends on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use saml_sp::building_blocks::{Document, Node};
use saml_sp::{ErrorKind, Limits};

fn parse(input: &[u8]) -> Result<Document, saml_sp::Error> {
    Document::parse(input, &Limits::default())
}

#[track_caller]
fn refused(input: impl AsRef<[u8]>, kind: ErrorKind) {
    refused_with(input, &Limits::default(), kind);
}

#[track_caller]
fn refused_with(input: impl AsRef<[u8]>, limits: &Limits, kind: ErrorKind) {
    match Document::parse(input.as_ref(), limits) {
        Ok(doc) => panic!("accepted, expected {kind}: {doc:?}"),
        Err(err) => assert_eq!(err.kind(), kind, "{err:?}"),
    }
}

// ---- limits ---------------------------------------------------------------

#[test]
fn ten_megabytes_refused_fast() {
    let mut big = b"<a>".to_vec();
    big.resize(10 * 1024 * 1024, b'x');
    big.extend_from_slice(b"</a>");
    let started = Instant::now();
    refused(&big, ErrorKind::InputTooLarge);
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn fifty_thousand_nested_elements_refused_fast() {
    let mut deep = "<a>".repeat(50_000);
    deep.push_str(&"</a>".repeat(50_000));
    let started = Instant::now();
    refused(&deep, ErrorKind::XmlTooDeep);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn depth_limit_is_exact() {
    let mut limits = Limits::default();
    limits.max_depth = 3;
    assert!(Document::parse(b"<a><b><c/></b></a>", &limits).is_ok());
    refused_with(b"<a><b><c><d/></c></b></a>", &limits, ErrorKind::XmlTooDeep);
}

#[test]
fn element_count_limit() {
    let mut limits = Limits::default();
    limits.max_elements = 3;
    assert!(Document::parse(b"<a><b/><c/></a>", &limits).is_ok());
    refused_with(
        b"<a><b/><c/><d/></a>",
        &limits,
        ErrorKind::XmlTooManyElements,
    );
}

#[test]
fn attribute_count_limit_counts_namespace_declarations() {
    let mut limits = Limits::default();
    limits.max_attributes_per_element = 2;
    assert!(Document::parse(br#"<a xmlns="urn:x" b="1"/>"#, &limits).is_ok());
    refused_with(
        br#"<a xmlns="urn:x" b="1" c="2"/>"#,
        &limits,
        ErrorKind::XmlTooManyAttributes,
    );
    let many: String = (0..65).map(|i| format!(" a{i}=\"v\"")).collect();
    refused(format!("<a{many}/>"), ErrorKind::XmlTooManyAttributes);
}

#[test]
fn text_length_limits() {
    let mut limits = Limits::default();
    limits.max_text_bytes = 4;
    assert!(Document::parse(b"<a b=\"1234\">1234<!--1234--><?p 1234?></a>", &limits).is_ok());
    refused_with(b"<a>12345</a>", &limits, ErrorKind::XmlTextTooLong);
    // A run split by references and CDATA is one text node.
    refused_with(
        b"<a>12&amp;<![CDATA[45]]></a>",
        &limits,
        ErrorKind::XmlTextTooLong,
    );
    refused_with(b"<a b=\"12345\"/>", &limits, ErrorKind::XmlTextTooLong);
    refused_with(b"<a><!--12345--></a>", &limits, ErrorKind::XmlTextTooLong);
    refused_with(b"<a><?p 12345?></a>", &limits, ErrorKind::XmlTextTooLong);
}

// ---- encoding and characters ----------------------------------------------

#[test]
fn non_utf8_refused() {
    refused(b"<a>\xff</a>", ErrorKind::XmlNotUtf8);
    refused(b"<a>\xc3</a>", ErrorKind::XmlNotUtf8);
    // UTF-16 with its BOM is not UTF-8.
    refused(b"\xff\xfe<\x00a\x00/\x00>\x00", ErrorKind::XmlNotUtf8);
}

#[test]
fn declared_encodings() {
    assert!(parse(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>").is_ok());
    assert!(parse(b"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?><a/>").is_ok());
    assert!(parse(b"<?xml version=\"1.0\"?><a/>").is_ok());
    refused(
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
        ErrorKind::XmlUnsupportedEncoding,
    );
    refused(
        b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
        ErrorKind::XmlUnsupportedEncoding,
    );
    refused(
        b"<?xml version=\"1.1\"?><a/>",
        ErrorKind::XmlUnsupportedVersion,
    );
}

#[test]
fn bom_is_skipped() {
    let doc = parse(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a>x</a>").unwrap();
    assert_eq!(doc.root().text(), "x");
}

#[test]
fn declaration_must_come_first() {
    refused(b" <?xml version=\"1.0\"?><a/>", ErrorKind::XmlMalformed);
    refused(b"<a/><?xml version=\"1.0\"?>", ErrorKind::XmlMalformed);
    refused(b"<a><?XML x?></a>", ErrorKind::XmlMalformed);
}

#[test]
fn invalid_characters_refused() {
    refused(b"<a>\x01</a>", ErrorKind::XmlInvalidChar);
    refused(b"<a b=\"\x0c\"/>", ErrorKind::XmlInvalidChar);
    refused("<a>\u{FFFE}</a>".as_bytes(), ErrorKind::XmlInvalidChar);
    refused("<a>\u{FFFF}</a>".as_bytes(), ErrorKind::XmlInvalidChar);
    refused(b"<a>\x00</a>", ErrorKind::XmlInvalidChar);
}

// ---- DOCTYPE and references -------------------------------------------------

#[test]
fn doctype_refused() {
    refused(b"<!DOCTYPE a><a/>", ErrorKind::XmlDoctypeForbidden);
    refused(
        b"<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
        ErrorKind::XmlDoctypeForbidden,
    );
    // Billion laughs never gets to expand anything.
    let lol =
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><a>&lol2;</a>";
    refused(lol, ErrorKind::XmlDoctypeForbidden);
    refused(
        b"<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
        ErrorKind::XmlDoctypeForbidden,
    );
}

#[test]
fn unknown_entities_refused() {
    refused(b"<a>&x;</a>", ErrorKind::XmlEntityForbidden);
    refused(b"<a>&nbsp;</a>", ErrorKind::XmlEntityForbidden);
    refused(b"<a b=\"&x;\"/>", ErrorKind::XmlEntityForbidden);
}

#[test]
fn predefined_and_character_references_expand() {
    let doc =
        parse(b"<a b=\"&lt;&#x41;&#66;&quot;&apos;\">&amp;&lt;&gt;&#x1F600;&#xD;</a>").unwrap();
    assert_eq!(doc.root().attribute(None, "b"), Some("<AB\"'"));
    assert_eq!(doc.root().text(), "&<>\u{1F600}\r");
}

#[test]
fn invalid_character_references_refused() {
    for r in [
        "&#0;",
        "&#x0;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#x;",
        "&#12a;",
    ] {
        refused(format!("<a>{r}</a>"), ErrorKind::XmlInvalidCharRef);
        refused(format!("<a b=\"{r}\"/>"), ErrorKind::XmlInvalidCharRef);
    }
}

// ---- normalisation ----------------------------------------------------------

#[test]
fn end_of_lines_normalised() {
    let doc = parse(b"<a b=\"x\r\ny\rz\">1\r\n2\r3\n</a>").unwrap();
    assert_eq!(doc.root().text(), "1\n2\n3\n");
    // Literal line breaks in attributes become spaces (after CRLF -> LF).
    assert_eq!(doc.root().attribute(None, "b"), Some("x y z"));
}

#[test]
fn attribute_value_normalisation_keeps_references() {
    let doc = parse(b"<a b=\"1\t2\n3&#x9;4&#xA;5&#xD;6\"/>").unwrap();
    assert_eq!(doc.root().attribute(None, "b"), Some("1 2 3\t4\n5\r6"));
}

#[test]
fn cdata_becomes_text_and_merges() {
    let doc = parse(b"<a>x<![CDATA[<&>]]>y&amp;z</a>").unwrap();
    let children: Vec<_> = doc.root().children().collect();
    assert_eq!(children, vec![Node::Text("x<&>y&z")]);
}

#[test]
fn text_includes_content_around_comments() {
    // A comment splits text nodes but text() sees all of it (the comment
    // injection attack truncated NameIDs at the comment).
    let doc = parse(b"<NameID>admin@example.com<!---->.evil.com</NameID>").unwrap();
    assert_eq!(doc.root().text(), "admin@example.com.evil.com");
    assert_eq!(doc.root().children().count(), 3);
}

// ---- namespaces -------------------------------------------------------------

#[test]
fn namespaces_resolve_by_uri() {
    let doc = parse(
        br#"<r xmlns="urn:d" xmlns:p="urn:p"><p:a p:x="1" y="2"><b xmlns=""/><p:c xmlns:p="urn:q"/></p:a></r>"#,
    )
    .unwrap();
    let r = doc.root();
    assert!(r.is("urn:d", "r"));
    let a = r.child_elements().next().unwrap();
    assert!(a.is("urn:p", "a"));
    assert_eq!(a.prefix(), Some("p"));
    assert_eq!(a.attribute(Some("urn:p"), "x"), Some("1"));
    assert_eq!(a.attribute(None, "y"), Some("2"));
    assert_eq!(a.attribute(None, "x"), None);
    let mut kids = a.child_elements();
    let b = kids.next().unwrap();
    assert_eq!(b.namespace(), None);
    assert_eq!(b.lookup_namespace(None), None);
    let c = kids.next().unwrap();
    assert!(c.is("urn:q", "c"));
    assert_eq!(c.lookup_namespace(Some("p")), Some("urn:q"));
    assert_eq!(
        c.lookup_namespace(Some("xml")),
        Some("http://www.w3.org/XML/1998/namespace")
    );
}

#[test]
fn xml_prefix_is_built_in() {
    let doc = parse(br#"<a xml:lang="en"/>"#).unwrap();
    assert_eq!(
        doc.root()
            .attribute(Some("http://www.w3.org/XML/1998/namespace"), "lang"),
        Some("en")
    );
    assert!(parse(br#"<a xmlns:xml="http://www.w3.org/XML/1998/namespace"/>"#).is_ok());
}

#[test]
fn unbound_prefixes_refused() {
    refused(b"<p:a/>", ErrorKind::XmlUnboundPrefix);
    refused(b"<a p:b=\"1\"/>", ErrorKind::XmlUnboundPrefix);
    refused(
        b"<a><p:b xmlns:q=\"urn:q\"/></a>",
        ErrorKind::XmlUnboundPrefix,
    );
    // A prefix declared on a sibling is not in scope.
    refused(
        b"<a><b xmlns:p=\"urn:p\"/><p:c/></a>",
        ErrorKind::XmlUnboundPrefix,
    );
}

#[test]
fn invalid_namespace_declarations_refused() {
    refused(br#"<a xmlns:p=""/>"#, ErrorKind::XmlInvalidNamespace);
    refused(br#"<a xmlns:xml="urn:x"/>"#, ErrorKind::XmlInvalidNamespace);
    refused(
        br#"<a xmlns:p="http://www.w3.org/XML/1998/namespace"/>"#,
        ErrorKind::XmlInvalidNamespace,
    );
    refused(
        br#"<a xmlns:xmlns="urn:x"/>"#,
        ErrorKind::XmlInvalidNamespace,
    );
    refused(
        br#"<a xmlns:p="http://www.w3.org/2000/xmlns/"/>"#,
        ErrorKind::XmlInvalidNamespace,
    );
    refused(br#"<xmlns:a/>"#, ErrorKind::XmlInvalidNamespace);
}

#[test]
fn duplicate_attributes_refused() {
    refused(br#"<a b="1" b="2"/>"#, ErrorKind::XmlDuplicateAttribute);
    refused(
        br#"<a xmlns:p="urn:u" xmlns:q="urn:u" p:b="1" q:b="2"/>"#,
        ErrorKind::XmlDuplicateAttribute,
    );
    refused(
        br#"<a xmlns:p="urn:u" xmlns:p="urn:v"/>"#,
        ErrorKind::XmlDuplicateAttribute,
    );
    // Same local name in different namespaces is fine.
    assert!(parse(br#"<a xmlns:p="urn:u" b="1" p:b="2"/>"#).is_ok());
}

#[test]
fn duplicate_ids_refused() {
    refused(
        br#"<r><a ID="x"/><b ID="x"/></r>"#,
        ErrorKind::XmlDuplicateId,
    );
    refused(br#"<r ID="x"><a Id="x"/></r>"#, ErrorKind::XmlDuplicateId);
    refused(
        br#"<r ID="x"><a xml:id="x"/></r>"#,
        ErrorKind::XmlDuplicateId,
    );
    let doc = parse(br#"<r ID="x"><a ID="y"/></r>"#).unwrap();
    assert_eq!(doc.element_by_id("y").unwrap().local_name(), "a");
    assert!(doc.element_by_id("z").is_none());
}

#[test]
fn element_by_id_matches_only_the_id_attribute() {
    let doc = parse(br#"<r><a Id="x"/></r>"#).unwrap();
    assert!(doc.element_by_id("x").is_none());
}

#[test]
fn invalid_names_refused() {
    refused(b"<1a/>", ErrorKind::XmlInvalidName);
    refused(b"<a:b:c xmlns:a=\"urn:a\"/>", ErrorKind::XmlInvalidName);
    refused(b"<a 1b=\"x\"/>", ErrorKind::XmlInvalidName);
    refused(b"<a :b=\"x\"/>", ErrorKind::XmlInvalidName);
}

// ---- well-formedness ------------------------------------------------------------

#[test]
fn malformed_documents_refused() {
    for bad in [
        &b""[..],
        b"   ",
        b"<!-- only a comment -->",
        b"<a>",
        b"<a></b>",
        b"</a>",
        b"<a/><b/>",
        b"<a/>text",
        b"text<a/>",
        b"<a>]]></a>",
        b"<a b=\"<\"/>",
        b"<a b=\"&amp\"/>",
        b"<a>&amp</a>",
        b"<a b=1/>",
        b"<a><!-- -- --></a>",
        b"<a/><![CDATA[x]]>",
        b"&amp;<a/>",
    ] {
        refused(bad, ErrorKind::XmlMalformed);
    }
}

#[test]
fn prolog_and_epilog_nodes_are_kept() {
    let doc = parse(b"<?pi data?>\n<!--c--><a/>\n<!--d-->").unwrap();
    let nodes: Vec<_> = doc.children().collect();
    assert_eq!(nodes.len(), 4);
    assert_eq!(
        nodes[0],
        Node::ProcessingInstruction {
            target: "pi",
            data: "data"
        }
    );
    assert_eq!(nodes[1], Node::Comment("c"));
    assert_eq!(nodes[3], Node::Comment("d"));
}

#[test]
fn errors_carry_offsets_for_logs() {
    let err = parse(b"<a>\n  <b>&bogus;</b></a>").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::XmlEntityForbidden);
    assert!(err.detail().contains("&bogus;"), "{}", err.detail());
    assert!(err.detail().contains("byte 9"), "{}", err.detail());
    assert!(!err.to_string().contains("bogus"));
}
