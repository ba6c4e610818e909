#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Inputs found by the fuzzers in `fuzz/`, kept as named tests.
//!
//! Convention (see `fuzz/README.md`):
//! - every crash a fuzz target finds becomes one `#[test]` here, named after
//!   what went wrong, holding the exact minimized bytes, and asserting the
//!   exact expected outcome through the public API: an error kind
//!   (`err.kind()`), or a successful parse and the expected canonical bytes.
//!   "It does not panic" alone is never the assertion;
//! - a comment names the target that found the input;
//! - a known bug that is not fixed yet is an `#[ignore = "bug: ..."]` test
//!   asserting the correct outcome: whoever fixes it removes the `ignore`.
//!
//! Besides crashes, this file keeps inputs the fuzzers generated that reach a
//! rarely seen path (each resource limit, odd refusals), so those paths stay
//! covered by plain `cargo test` without running a fuzzer.

use saml_sp::building_blocks::{
    Document, InclusivePrefixes, canonicalize_document, canonicalize_element,
};
use saml_sp::vocabulary::C14nMethod;
use saml_sp::{ErrorKind, Limits};

/// The limits of the `xml_parse_small_limits` target.
fn small_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_input_bytes = 1024;
    limits.max_depth = 4;
    limits.max_elements = 50;
    limits.max_attributes_per_element = 4;
    limits.max_text_bytes = 64;
    limits
}

#[track_caller]
fn refused_with(input: &[u8], limits: &Limits, kind: ErrorKind) {
    match Document::parse(input, limits) {
        Ok(doc) => panic!("accepted, expected {kind}: {doc:?}"),
        Err(err) => assert_eq!(err.kind(), kind, "{err:?}"),
    }
}

#[track_caller]
fn refused(input: &[u8], kind: ErrorKind) {
    refused_with(input, &Limits::default(), kind);
}

fn c14n(doc: &Document, method: C14nMethod) -> String {
    let mut out = Vec::new();
    canonicalize_document(doc, method, &InclusivePrefixes::none(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

// ---- xml_parse: refusals ----------------------------------------------------

/// xml_parse: `<!DOCTYPE` glued to the name is still a document type
/// declaration, refused as such (not as a generic syntax error).
#[test]
fn doctype_without_space_before_name_is_forbidden() {
    refused(b"<!DOCTYPEr/>", ErrorKind::XmlDoctypeForbidden);
}

/// xml_parse: a start tag whose name is empty (whitespace right after `<`).
#[test]
fn start_tag_with_empty_name_is_an_invalid_name() {
    refused(b"<\t>", ErrorKind::XmlInvalidName);
}

/// xml_parse: undeclaring a prefix is refused before the unclosed element
/// and the stray text are noticed.
#[test]
fn undeclared_prefix_binding_refused_before_truncation() {
    refused(b"<du xmlns:n1=\"\">IclNIc", ErrorKind::XmlInvalidNamespace);
}

/// xml_parse: a NUL character reference in a truncated document.
#[test]
fn nul_char_ref_in_truncated_document() {
    refused(b"<r>\n&#x0;osed", ErrorKind::XmlInvalidCharRef);
}

/// xml_parse: an attribute whose prefix only looks like `xmlns`.
#[test]
fn misspelled_xmlns_is_an_unbound_attribute_prefix() {
    refused(b"<a xmzns:p=\"LISH\t:=\"/>", ErrorKind::XmlUnboundPrefix);
}

/// xml_parse: U+FFFF alone, before any markup.
#[test]
fn lone_noncharacter_is_an_invalid_char() {
    refused("\u{FFFF}".as_bytes(), ErrorKind::XmlInvalidChar);
}

// ---- xml_parse_small_limits: each limit, and which check comes first -------

/// xml_parse_small_limits: the depth limit fires at the fifth start tag,
/// before its malformed name (`&`) is looked at.
#[test]
fn depth_limit_fires_before_a_malformed_tag_name() {
    refused_with(b"<a><b><b><c><&>", &small_limits(), ErrorKind::XmlTooDeep);
    // With room to nest, the name is what is wrong.
    refused(b"<a><b><b><c><&>", ErrorKind::XmlInvalidName);
}

/// xml_parse_small_limits: the fifth attribute is refused before the
/// malformed end of the tag is reached.
#[test]
fn attribute_limit_fires_before_a_malformed_tag_end() {
    let input = b"<a x=\"1\" y=\"2\" z=\"3\" w=\"4\" v=\"5\"/Pst>";
    refused_with(input, &small_limits(), ErrorKind::XmlTooManyAttributes);
    refused(input, ErrorKind::XmlMalformed);
}

/// xml_parse_small_limits: a 65-byte text node is refused before the
/// unterminated tag after it.
#[test]
fn text_limit_fires_before_an_unterminated_tag() {
    let input = b"<a>           \"                    :dx=ilm                          <";
    refused_with(input, &small_limits(), ErrorKind::XmlTextTooLong);
    refused(input, ErrorKind::XmlMalformed);
}

/// xml_parse_small_limits: the 51st element is refused before the
/// mismatched end tag that follows it.
#[test]
fn element_limit_fires_before_a_mismatched_end_tag() {
    let input = format!("<r>{}<e><e/></r>", "<e/>".repeat(48));
    refused_with(
        input.as_bytes(),
        &small_limits(),
        ErrorKind::XmlTooManyElements,
    );
    refused(input.as_bytes(), ErrorKind::XmlMalformed);
}

/// xml_parse_small_limits: the size limit is checked before anything else,
/// even before UTF-8 validity.
#[test]
fn input_limit_fires_before_utf8_check() {
    let input = vec![0xFF; 1025];
    refused_with(&input, &small_limits(), ErrorKind::InputTooLarge);
    refused_with(&input[..1024], &small_limits(), ErrorKind::XmlNotUtf8);
}

/// xml_parse_small_limits: the shortest accepted input the fuzzer kept, a
/// non-ASCII element name.
#[test]
fn non_ascii_element_name_within_small_limits() {
    let doc = Document::parse("<ß/>".as_bytes(), &small_limits()).unwrap();
    assert_eq!(doc.root().local_name(), "ß");
    assert_eq!(c14n(&doc, C14nMethod::Exclusive), "<ß></ß>");
}

// ---- canonical forms are fixed points --------------------------------------

/// xml_parse (the shape of many fixed-point checks): an `ID` element with
/// its enveloped signature left out, inheriting `xml:lang` in inclusive mode
/// only; each output re-parses and canonicalizes to itself.
#[test]
fn id_subset_without_signature_is_a_fixed_point() {
    let doc = Document::parse(
        b"<r xmlns:p=\"urn:p\" xml:lang=\"de\"><p:a ID=\"x\" xml:space=\"preserve\">\
          <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/> t </p:a></r>",
        &Limits::default(),
    )
    .unwrap();
    let a = doc.element_by_id("x").unwrap();
    let signature = a.child_elements().next().unwrap();
    assert!(signature.is("http://www.w3.org/2000/09/xmldsig#", "Signature"));
    for (method, expected) in [
        (
            C14nMethod::Exclusive,
            "<p:a xmlns:p=\"urn:p\" ID=\"x\" xml:space=\"preserve\"> t </p:a>",
        ),
        (
            C14nMethod::Inclusive,
            "<p:a xmlns:p=\"urn:p\" ID=\"x\" xml:lang=\"de\" xml:space=\"preserve\"> t </p:a>",
        ),
    ] {
        let mut out = Vec::new();
        canonicalize_element(
            a,
            Some(signature),
            method,
            &InclusivePrefixes::none(),
            &mut out,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out.clone()).unwrap(), expected);
        let again = Document::parse(&out, &Limits::default()).unwrap();
        assert_eq!(c14n(&again, method), expected, "{method:?}");
    }
}

// ---- prefix_list -----------------------------------------------------------

/// prefix_list: a qualified name is not a prefix, not even with the
/// always-bound `xml` prefix. (The target's first crash, a mistake in its own
/// oracle, which asked the XML parser and forgot that `<xml:space/>` is a
/// document.)
#[test]
fn prefix_list_refuses_an_xml_qualified_name() {
    let err = InclusivePrefixes::parse("xml:space").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::XmlInvalidName);
    let list = InclusivePrefixes::parse("xml #default").unwrap();
    assert!(list.contains(Some("xml")) && list.contains(None));
}

/// prefix_list: a token that is markup when pasted into a tag (`<?III?><eC/>`
/// is a processing instruction and an element). The target's second crash,
/// again in its oracle, which now reads the XML 1.0 name productions itself.
#[test]
fn prefix_list_refuses_a_token_made_of_markup() {
    let err = InclusivePrefixes::parse("?III?><eC").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::XmlInvalidName);
}

// ---- malformed documents that were accepted (fixed) ------------------------

/// xml_parse (seen with lxml as a second opinion): XML 1.0 production [40]
/// requires whitespace between attributes.
#[test]
fn attributes_without_separating_whitespace_are_malformed() {
    refused(b"<a b=\"1\"c=\"2\"/>", ErrorKind::XmlMalformed);
    refused(
        b"<a xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" p:x=\"1\"q:x=\"2\"/>",
        ErrorKind::XmlMalformed,
    );
}

/// xml_parse: the XML declaration has a fixed grammar (productions [23] to
/// [32]): whitespace before each pseudo-attribute, only `version`,
/// `encoding`, `standalone` in that order, `standalone` only `yes` or `no`.
#[test]
fn malformed_xml_declarations_are_refused() {
    for decl in [
        "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>",
        "<?xml version=\"1.0\" foo=\"bar\"?><a/>",
        "<?xml version=\"1.0\" standalone=\"maybe\"?><a/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\" encoding=\"UTF-8\"?><a/>",
        "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>",
    ] {
        refused(decl.as_bytes(), ErrorKind::XmlMalformed);
    }
}

/// xml_parse: only one byte order mark is skipped; a second one is a
/// U+FEFF character before the document element.
#[test]
fn second_byte_order_mark_is_text_before_the_root() {
    refused(b"\xEF\xBB\xBF\xEF\xBB\xBF<a/>", ErrorKind::XmlMalformed);
}
