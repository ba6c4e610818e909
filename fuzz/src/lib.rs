//! Checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! A target is a thin `fuzz_target!` wrapper around one function here, so the
//! oracles (what must hold for every input) live in one place and read as
//! plain Rust. Every violated property is a panic (`assert!`), which libFuzzer
//! reports as a crash and saves under `fuzz/artifacts/<target>/`.

use std::sync::OnceLock;

use num_bigint::BigUint;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Pkcs1v15Sign, PrivateKey, PublicKey};
use saml_sp::__fuzzing;
use saml_sp::building_blocks::{
    Document, Element, InclusivePrefixes, canonicalize_document, canonicalize_element,
};
use saml_sp::certs::CertificatePolicy;
use saml_sp::vocabulary::{C14nMethod, DigestAlgorithm};
use saml_sp::{ErrorKind, Limits, SigningCertificate};

/// The XML-DSig namespace: a direct child `{DSIG_NS}Signature` of a signed
/// element is what the enveloped-signature transform leaves out.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Tiny budgets, so that short fuzz inputs reach every limit path.
pub fn small_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_input_bytes = 1024;
    limits.max_depth = 4;
    limits.max_elements = 50;
    limits.max_attributes_per_element = 4;
    limits.max_text_bytes = 64;
    limits.max_namespaces_in_scope = 3;
    limits
}

/// No budget at all: used to re-parse canonical output, which may be larger
/// than its input (exclusive c14n repeats namespace declarations, `<a/>`
/// becomes `<a></a>`) without being wrong.
fn unlimited() -> Limits {
    let mut limits = Limits::default();
    limits.max_input_bytes = usize::MAX;
    limits.max_depth = usize::MAX;
    limits.max_elements = usize::MAX;
    limits.max_attributes_per_element = usize::MAX;
    limits.max_text_bytes = usize::MAX;
    limits.max_namespaces_in_scope = usize::MAX;
    limits
}

/// The error kinds that only a resource limit produces.
pub fn is_limit_kind(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InputTooLarge
            | ErrorKind::XmlTooDeep
            | ErrorKind::XmlTooManyElements
            | ErrorKind::XmlTooManyAttributes
            | ErrorKind::XmlTextTooLong
            | ErrorKind::XmlTooManyNamespaces
    )
}

/// Target `xml_parse`: parse with default limits, then canonicalize.
pub fn xml_parse(data: &[u8]) {
    if let Ok(doc) = Document::parse(data, &Limits::default()) {
        check_canonical_forms(&doc);
    }
}

/// Target `xml_parse_small_limits`: parse with [`small_limits`], check it
/// against a parse with the default limits (tighter limits may only turn a
/// success into a limit error, never change anything else), then
/// canonicalize.
pub fn xml_parse_small_limits(data: &[u8]) {
    let small = Document::parse(data, &small_limits());
    let default = Document::parse(data, &Limits::default());
    match (&small, &default) {
        (Ok(_), Ok(_)) => {}
        (Ok(_), Err(e)) => panic!("accepted with small limits, refused with defaults: {e:?}"),
        (Err(e), Ok(_)) => assert!(
            is_limit_kind(e.kind()),
            "a well-formed document refused with small limits by a non-limit error: {e:?}"
        ),
        (Err(s), Err(d)) => assert!(
            is_limit_kind(s.kind()) || s.kind() == d.kind(),
            "small limits gave {s:?}, default limits gave {d:?}"
        ),
    }
    if let (Ok(small), Ok(default)) = (&small, &default) {
        for method in C14nMethod::ALL {
            let a = c14n_document(small, method, &InclusivePrefixes::none());
            let b = c14n_document(default, method, &InclusivePrefixes::none());
            assert!(a == b, "{method:?}: the limits changed the canonical form");
        }
        check_canonical_forms(small);
    }
}

/// Target `prefix_list`: `InclusivePrefixes::parse` against an independent
/// reading of the same list (tokens split on XML whitespace, each `#default`
/// or an `NCName` by the XML 1.0 productions), and against the XML parser's
/// own idea of a name.
pub fn prefix_list(data: &[u8]) {
    let Ok(list) = std::str::from_utf8(data) else {
        return;
    };
    let tokens: Vec<&str> = list
        .split([' ', '\t', '\n', '\r'])
        .filter(|t| !t.is_empty())
        .collect();
    match InclusivePrefixes::parse(list) {
        Ok(parsed) => {
            assert_eq!(parsed.is_empty(), tokens.is_empty(), "{list:?}");
            assert_eq!(
                parsed.contains(None),
                tokens.contains(&"#default"),
                "{list:?}"
            );
            for token in tokens.iter().filter(|t| **t != "#default") {
                assert!(parsed.contains(Some(token)), "{token:?} lost from {list:?}");
                assert!(
                    is_ncname_by_spec(token),
                    "{token:?} accepted as a prefix but it is not an NCName"
                );
                assert!(
                    is_element_name_for_parser(token),
                    "{token:?} accepted as a prefix but the XML parser refuses <{token}/>"
                );
            }
            // A listed prefix is never confused with the default namespace.
            if !tokens.contains(&"#default") {
                assert!(!parsed.contains(None));
            }
        }
        Err(e) => {
            // Tokens are read in order: the first bad one, or the one past
            // the bound, decides.
            let first_bad = tokens
                .iter()
                .position(|t| *t != "#default" && !is_ncname_by_spec(t));
            let expected = match first_bad {
                Some(i) if i < InclusivePrefixes::MAX_TOKENS => ErrorKind::XmlInvalidName,
                _ => ErrorKind::PrefixListTooLong,
            };
            assert_eq!(e.kind(), expected, "{list:?}: {e:?}");
            if expected == ErrorKind::PrefixListTooLong {
                assert!(tokens.len() > InclusivePrefixes::MAX_TOKENS, "{list:?}");
            }
        }
    }
}

/// Whether `token` is an `NCName`, read straight from XML 1.0 (Fifth
/// Edition) productions [4] and [4a] without the colon: the crate's own
/// check is not reused, so the two readings are compared.
fn is_ncname_by_spec(token: &str) -> bool {
    const START: &[(u32, u32)] = &[
        (0x41, 0x5A),
        (0x5F, 0x5F),
        (0x61, 0x7A),
        (0xC0, 0xD6),
        (0xD8, 0xF6),
        (0xF8, 0x2FF),
        (0x370, 0x37D),
        (0x37F, 0x1FFF),
        (0x200C, 0x200D),
        (0x2070, 0x218F),
        (0x2C00, 0x2FEF),
        (0x3001, 0xD7FF),
        (0xF900, 0xFDCF),
        (0xFDF0, 0xFFFD),
        (0x10000, 0xEFFFF),
    ];
    const MORE: &[(u32, u32)] = &[
        (0x2D, 0x2E),
        (0x30, 0x39),
        (0xB7, 0xB7),
        (0x300, 0x36F),
        (0x203F, 0x2040),
    ];
    let within = |ranges: &[(u32, u32)], c: char| {
        ranges
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&u32::from(c)))
    };
    let mut chars = token.chars();
    chars.next().is_some_and(|c| within(START, c))
        && chars.all(|c| within(START, c) || within(MORE, c))
}

/// Whether the XML parser takes `<token/>` as a document, for a token made
/// only of name characters (so that it cannot be markup itself).
fn is_element_name_for_parser(token: &str) -> bool {
    let doc = format!("<{token}/>");
    Document::parse(doc.as_bytes(), &Limits::default()).is_ok()
}

/// Every canonical form of `doc`: the whole document with each method, and
/// each element that has an `ID` with each method, its enveloped
/// `ds:Signature` left out. Each output must be a fixed point: re-parsed and
/// canonicalized again with the same method, it gives the same bytes.
pub fn check_canonical_forms(doc: &Document) {
    let none = InclusivePrefixes::none();
    let listed = prefix_list_in(doc);

    for method in C14nMethod::ALL {
        let out = c14n_document(doc, method, &none);
        assert_fixed_point(&out, method, &none, "document");
        if let (true, Some(list)) = (method.is_exclusive(), &listed) {
            let out = c14n_document(doc, method, list);
            assert_fixed_point(&out, method, list, "document with PrefixList");
        }
    }

    for element in doc.root().descendants() {
        let Some(id) = element.attribute(None, "ID") else {
            continue;
        };
        let found = doc.element_by_id(id);
        assert!(
            found == Some(element),
            "element_by_id({id:?}) gave {found:?}, expected {element:?}"
        );
        let signature = element
            .child_elements()
            .find(|child| child.is(DSIG_NS, "Signature"));
        for method in C14nMethod::ALL {
            let out = c14n_element(element, signature, method, &none);
            assert_fixed_point(&out, method, &none, "element");
            if let (true, Some(list)) = (method.is_exclusive(), &listed) {
                let out = c14n_element(element, signature, method, list);
                assert_fixed_point(&out, method, list, "element with PrefixList");
            }
        }
    }
}

/// The `PrefixList` of the first `InclusiveNamespaces` element (any
/// namespace), if it parses: lets the fuzzer drive the PrefixList parameter
/// from inside the document, as a real signature does.
fn prefix_list_in(doc: &Document) -> Option<InclusivePrefixes> {
    doc.root()
        .descendants()
        .filter(|e| e.local_name() == "InclusiveNamespaces")
        .find_map(|e| e.attribute(None, "PrefixList"))
        .and_then(|list| InclusivePrefixes::parse(list).ok())
}

fn c14n_document(doc: &Document, method: C14nMethod, prefixes: &InclusivePrefixes) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = canonicalize_document(doc, method, prefixes, &mut out) {
        panic!("canonicalize_document({method:?}) failed on a parsed document: {e:?}");
    }
    out
}

fn c14n_element(
    element: Element<'_>,
    exclude: Option<Element<'_>>,
    method: C14nMethod,
    prefixes: &InclusivePrefixes,
) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = canonicalize_element(element, exclude, method, prefixes, &mut out) {
        panic!("canonicalize_element({method:?}) failed on a parsed document: {e:?}");
    }
    out
}

/// Canonical output is a document whose canonical form is itself.
fn assert_fixed_point(
    canonical: &[u8],
    method: C14nMethod,
    prefixes: &InclusivePrefixes,
    what: &str,
) {
    let reparsed = match Document::parse(canonical, &unlimited()) {
        Ok(doc) => doc,
        Err(e) => panic!(
            "{what} {method:?}: canonical output does not re-parse: {e:?}\noutput: {:?}",
            String::from_utf8_lossy(canonical)
        ),
    };
    let again = c14n_document(&reparsed, method, prefixes);
    assert!(
        again == canonical,
        "{what} {method:?}: canonical form is not a fixed point\nfirst:  {:?}\nsecond: {:?}",
        String::from_utf8_lossy(canonical),
        String::from_utf8_lossy(&again)
    );
}

/// The pinned time of the committed fixtures (certificates valid, responses
/// fresh).
fn fixture_now() -> saml_sp::time::DateTime<saml_sp::time::Utc> {
    saml_sp::time::DateTime::from_timestamp(1_772_445_660, 0).unwrap_or_default() // 2026-03-02T10:01:00Z
}

/// Untrusted bytes as an HTTP-Redirect query string -> `RedirectMessage`
/// (capped inflate) -> `DecodedAuthnRequest`: never a panic; whatever is
/// accepted respects the inflate cap and the RelayState limit.
pub fn redirect_query(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let Ok(message) = saml_sp::binding::RedirectMessage::from_query(query, &limits) else {
        return;
    };
    assert!(message.xml().len() <= limits.max_inflated_bytes);
    assert!(
        message
            .relay_state()
            .is_none_or(|r| r.len() <= saml_sp::binding::MAX_RELAY_STATE_BYTES)
    );
    if let Ok(request) = saml_sp::request::DecodedAuthnRequest::parse(message.xml(), &limits) {
        assert!(!request.id().is_empty());
    }
}

/// Untrusted bytes -> `IdpMetadata::parse` -> the certificate set: never a
/// panic; an accepted document names an entity and 1..=3 usable
/// certificates, all valid at `now`.
pub fn metadata(data: &[u8]) {
    let now = fixture_now();
    let Ok(metadata) = saml_sp::IdpMetadata::parse(data, now) else {
        return;
    };
    assert!(!metadata.entity_id().as_str().is_empty());
    if let Ok(set) = metadata.certificate_set(now) {
        let certs = set.set().certificates();
        assert!((1..=3).contains(&certs.len()));
        assert!(certs.iter().all(|c| c.is_valid_at(now)));
    }
}

const SP: &str = "https://sso.example.com/saml/acme";
const ACS: &str = "https://sso.example.com/saml/acme/acs";
const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";

/// Untrusted bytes as a POSTed SAMLResponse -> `ResponseVerifier::verify`
/// with the fixtures' verifier (idp-a): never a panic; anything accepted is
/// from our IdP, for our SP, answers our request and was signed.
pub fn response_verify(data: &[u8]) {
    use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier};
    static CERT: &[u8] = include_bytes!("../../fixtures/keys/idp-a.crt.pem");
    let now = fixture_now();
    let (Ok(cert), Ok(sp), Ok(acs), Ok(idp), Ok(request)) = (
        saml_sp::SigningCertificate::parse(CERT),
        EntityId::new(SP),
        EndpointUrl::new(ACS),
        EntityId::new(IDP),
        RequestId::new(REQUEST),
    ) else {
        panic!("fixture setup");
    };
    let Ok(certs) = IdpCertSet::new([cert], now) else {
        panic!("fixture certificate");
    };
    let verifier = ResponseVerifier::new(sp, acs, idp, certs);
    if let Ok(verified) = verifier.verify(data, std::slice::from_ref(&request), now) {
        // An accepted response passes its first one-time-use check.
        let cache = saml_sp::store::MemoryReplayCache::new(1);
        let Ok(assertion) = verified.check_replay(&cache, now) else {
            panic!("a verified assertion failed its first one-time-use check");
        };
        assert_eq!(assertion.issuer().as_str(), IDP);
        assert_eq!(assertion.audience().as_str(), SP);
        assert_eq!(assertion.in_response_to(), Some(REQUEST));
        assert!(assertion.not_on_or_after() + saml_sp::response::DEFAULT_CLOCK_SKEW > now);
    }
}

/// Target `response_shapes`: the bytes are a small program that builds
/// hostile namespace structure (declarations of many prefixes on long or
/// short names, elements using them, repetition to grow large) and puts it
/// in one of the places an attacker can reach around the xmlsec1-signed
/// fixture response: inside the signed Assertion (the digest path), in
/// SignedInfo (a PrefixList and elements under DigestMethod), on the
/// Response. The verify must not panic; the target is run with
/// `-timeout=1` so that any input taking a second is reported as a slow
/// unit (the worst shapes we know take under 50 ms at 2 MiB).
pub fn response_shapes(data: &[u8]) {
    use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier};
    static CERT: &[u8] = include_bytes!("../../fixtures/keys/idp-a.crt.pem");
    static RESPONSE: &str = include_str!("../../fixtures/dsig/assertion-signed.xml");
    let Some((&site, program)) = data.split_first() else {
        return;
    };
    let built = Shapes::new(program).build();
    let xml = match site % 4 {
        0 => RESPONSE.replacen(
            "</Signature><Subject>",
            &format!("</Signature>{built}<Subject>"),
            1,
        ),
        1 => {
            let list: Vec<String> = program.iter().take(40).map(|b| format!("p{b}")).collect();
            RESPONSE
                .replacen(
                    r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
                    &format!(
                        r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><InclusiveNamespaces xmlns="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="{}"/></CanonicalizationMethod>"#,
                        list.join(" ")
                    ),
                    1,
                )
                .replacen(
                    r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>"#,
                    &format!(r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256">{built}</DigestMethod>"#),
                    1,
                )
        }
        2 => RESPONSE.replacen("<samlp:Status>", &format!("{built}<samlp:Status>"), 1),
        _ => RESPONSE.replacen("<Subject>", &format!("<Subject>{built}"), 1),
    };
    let now = fixture_now();
    let (Ok(cert), Ok(sp), Ok(acs), Ok(idp), Ok(request)) = (
        saml_sp::SigningCertificate::parse(CERT),
        EntityId::new(SP),
        EndpointUrl::new(ACS),
        EntityId::new(IDP),
        RequestId::new(REQUEST),
    ) else {
        panic!("fixture setup");
    };
    let Ok(certs) = IdpCertSet::new([cert], now) else {
        panic!("fixture certificate");
    };
    let verifier = ResponseVerifier::new(sp, acs, idp, certs);
    let result = verifier.verify(xml.as_bytes(), std::slice::from_ref(&request), now);
    // Anything added inside the signed Assertion or its SignedInfo must be
    // refused (the Response around it is not signed: additions there are
    // not read, and may be accepted).
    if !built.is_empty() && site % 4 != 2 {
        assert!(result.is_err(), "a changed signed assertion was accepted");
    }
}

/// The interpreter of [`response_shapes`] programs.
struct Shapes<'a> {
    program: &'a [u8],
    out: String,
    open: usize,
    /// The last complete piece (for repetition): a leaf or text, never
    /// what a repetition added.
    last: String,
}

impl<'a> Shapes<'a> {
    /// Output stops growing past this (the input limit is 2 MiB).
    const MAX: usize = 2 * 1024 * 1024;

    fn new(program: &'a [u8]) -> Self {
        Self {
            program,
            out: String::new(),
            open: 0,
            last: String::new(),
        }
    }

    fn byte(&mut self) -> u8 {
        match self.program.split_first() {
            Some((&b, rest)) => {
                self.program = rest;
                b
            }
            None => 0,
        }
    }

    fn namespace_name(&mut self, i: u8) -> String {
        let long = match self.byte() % 4 {
            0 => 0,
            1 => 64,
            2 => 1024,
            _ => 8192,
        };
        format!("urn:{}:{i}", "n".repeat(long))
    }

    fn build(mut self) -> String {
        use std::fmt::Write as _;
        while !self.program.is_empty() && self.out.len() < Self::MAX {
            let start = self.out.len();
            match self.byte() % 8 {
                0 => {
                    let n = self.byte() % 70;
                    self.out.push_str("<e");
                    for _ in 0..n {
                        let p = self.byte();
                        let name = self.namespace_name(p);
                        let _ = write!(self.out, r#" xmlns:p{p}="{name}""#);
                    }
                    self.out.push('>');
                    self.open += 1;
                }
                1 if self.open > 0 => {
                    self.out.push_str("</e>");
                    self.open -= 1;
                }
                2 => {
                    let n = self.byte() % 70;
                    self.out.push_str("<l");
                    for _ in 0..n {
                        let p = self.byte();
                        let _ = write!(self.out, r#" p{p}:a="""#);
                    }
                    self.out.push_str("/>");
                }
                3 => {
                    // Repeat the last piece (balanced: a leaf or text).
                    let times = usize::from(self.byte()) * 64;
                    let piece = std::mem::take(&mut self.last);
                    if !piece.is_empty() && !piece.contains("<e") && !piece.contains("</e>") {
                        for _ in 0..times {
                            if self.out.len() + piece.len() > Self::MAX {
                                break;
                            }
                            self.out.push_str(&piece);
                        }
                    }
                    self.last = piece;
                    continue;
                }
                4 => {
                    let n = self.byte() % 70;
                    self.out.push_str("<u");
                    for i in 0..n {
                        let _ = write!(self.out, r#" a{}="{i}""#, (u32::from(i) * 37) % 64);
                    }
                    self.out.push_str("/>");
                }
                5 => {
                    let p = self.byte();
                    let name = self.namespace_name(p);
                    let _ = write!(self.out, r#"<d xmlns="{name}"><x xmlns=""/></d>"#);
                }
                6 => {
                    let p = self.byte();
                    let _ = write!(self.out, "<p{p}:q/>");
                }
                _ => self.out.push_str("<!--c-->text&amp;"),
            }
            self.last = self.out.get(start..).unwrap_or_default().to_owned();
        }
        for _ in 0..self.open {
            self.out.push_str("</e>");
        }
        self.out
    }
}

// ---- xml_scan_diff ---------------------------------------------------------

/// Target `xml_scan_diff`: the two XML parse paths, each on its own, under
/// the default limits and under [`small_limits`] (without their 1 KiB input
/// cap, so that the tiny depth, element, attribute, text and namespace
/// budgets are what the paths meet). Whatever the fast scanner accepts, the
/// general (quick-xml) path accepts with an identical tree (buffer, nodes,
/// attributes, namespace declarations, interned namespace names, `ID`
/// index, document element); the scanner may give up on anything, accepted
/// or not. And `Document::parse` returns exactly the fast tree when there
/// is one, else the general path's outcome (same tree, or same error kind).
pub fn xml_scan_diff(data: &[u8]) {
    let mut tiny = small_limits();
    tiny.max_input_bytes = Limits::default().max_input_bytes;
    for limits in [&Limits::default(), &tiny] {
        let (fast, general) = __fuzzing::parse_both(data, limits);
        if let Some(fast) = &fast {
            match &general {
                Ok(general) => assert!(
                    fast == general,
                    "the two paths built different trees\n--- fast:\n{fast}\n--- general:\n{general}"
                ),
                Err(kind) => {
                    panic!("the fast path accepted what the general path refuses ({kind:?})")
                }
            }
        }
        let public = Document::parse(data, limits)
            .map(|doc| __fuzzing::dump(&doc))
            .map_err(|e| e.kind());
        let expected = match fast {
            Some(fast) => Ok(fast),
            None => general,
        };
        assert!(
            public == expected,
            "Document::parse is neither path's outcome"
        );
    }
}

// ---- rsa_verify_diff -------------------------------------------------------

/// The hash algorithms of RSASSA-PKCS1-v1_5 we verify, in input order.
const HASHES: [DigestAlgorithm; 4] = [
    DigestAlgorithm::Sha1,
    DigestAlgorithm::Sha256,
    DigestAlgorithm::Sha384,
    DigestAlgorithm::Sha512,
];

/// The message the fixture keys sign once, with every hash, at start-up.
pub const SIGNED_MESSAGE: &[u8] = b"saml-sp rsa_verify_diff";

/// Largest public exponent the rsa crate (`PublicKey::MAX_PUB_EXPONENT`)
/// and AWS-LC (33 bits, "DoS protection") take: `2^33 - 1`.
const THEIR_MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The fixture certificates and their private keys (`fixtures/keys/`), one
/// of each RSA size there: 1024 (accepted only under a relaxed policy),
/// 2048 and 3072 bits.
const FIXTURE_KEYS: [(&str, &str, &str); 3] = [
    (
        "weak1024",
        include_str!("../../fixtures/keys/weak1024.crt.pem"),
        include_str!("../../fixtures/keys/weak1024.key.pem"),
    ),
    (
        "idp-a",
        include_str!("../../fixtures/keys/idp-a.crt.pem"),
        include_str!("../../fixtures/keys/idp-a.key.pem"),
    ),
    (
        "idp-c",
        include_str!("../../fixtures/keys/idp-c.crt.pem"),
        include_str!("../../fixtures/keys/idp-c.key.pem"),
    ),
];

/// A fixture certificate's public key, and its private key's signatures of
/// [`SIGNED_MESSAGE`] (one per hash of [`HASHES`], made by the rsa crate).
struct FixtureKey {
    n: Vec<u8>,
    e: Vec<u8>,
    signatures: Vec<Vec<u8>>,
}

fn fixture_keys() -> &'static [FixtureKey] {
    static KEYS: OnceLock<Vec<FixtureKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        FIXTURE_KEYS
            .iter()
            .map(|(name, crt, key)| {
                let private = PrivateKey::from_pkcs8_pem(key).expect(name);
                let public = private.to_public_key();
                let (n, e) = (public.n_bytes().to_vec(), public.e_bytes().to_vec());
                // The certificate's key is the private key's: the same size,
                // and its PKCS#1 encoding (also a check of `pkcs1_der`) in
                // the certificate's SubjectPublicKeyInfo.
                let policy = CertificatePolicy::default().with_min_rsa_bits(1024);
                let cert =
                    SigningCertificate::parse_with_policy(crt.as_bytes(), &policy).expect(name);
                let der = pkcs1_der(&n, &e);
                assert_eq!(
                    cert.key_bits() as u64,
                    BigUint::from_bytes_be(&n).bits(),
                    "{name}"
                );
                assert!(cert.der().windows(der.len()).any(|w| w == der), "{name}");
                let signatures = HASHES
                    .iter()
                    .map(|&alg| {
                        let sig = private
                            .sign(scheme(alg), &hash(alg, SIGNED_MESSAGE))
                            .expect(name);
                        // Both verifiers take their valid signatures.
                        let digest = hash(alg, SIGNED_MESSAGE);
                        assert_eq!(
                            __fuzzing::rsa_verify_ours(&n, &e, alg, &digest, &sig),
                            Some(true),
                            "{name} {alg:?}"
                        );
                        assert!(public.verify(scheme(alg), &digest, &sig).is_ok());
                        sig
                    })
                    .collect();
                FixtureKey { n, e, signatures }
            })
            .collect()
    })
}

fn scheme(alg: DigestAlgorithm) -> Pkcs1v15Sign {
    match alg {
        DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
        other => unimplemented!("{other:?}: add it to HASHES and here"),
    }
}

fn hash(alg: DigestAlgorithm, message: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    match alg {
        DigestAlgorithm::Sha1 => sha1::Sha1::digest(message).to_vec(),
        DigestAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
        DigestAlgorithm::Sha384 => sha2::Sha384::digest(message).to_vec(),
        DigestAlgorithm::Sha512 => sha2::Sha512::digest(message).to_vec(),
        other => unimplemented!("{other:?}: add it to HASHES and here"),
    }
}

/// `x` big-endian, without leading zero bytes.
fn trimmed(x: &[u8]) -> &[u8] {
    let start = x.iter().position(|&b| b != 0).unwrap_or(x.len());
    &x[start..]
}

/// The PKCS#1 `RSAPublicKey` DER of `n` and `e` (minimal INTEGERs), as a
/// certificate carries it; written here so that keys the rsa crate refuses
/// reach AWS-LC too.
fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn length(len: usize, out: &mut Vec<u8>) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let bytes = trimmed(&bytes);
            out.push(0x80 | bytes.len() as u8);
            out.extend_from_slice(bytes);
        }
    }
    fn integer(x: &[u8], out: &mut Vec<u8>) {
        let x = trimmed(x);
        let pad = x.first().is_none_or(|&b| b & 0x80 != 0);
        out.push(0x02);
        length(x.len() + usize::from(pad), out);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(x);
    }
    let mut body = Vec::new();
    integer(n, &mut body);
    integer(e, &mut body);
    let mut out = vec![0x30];
    length(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// `EM = 00 01 FF..FF 00 DigestInfo(alg) digest` of RFC 8017 §9.2 for a
/// modulus of `k` bytes, with the rsa crate's DigestInfo prefix (at least
/// no padding when `k` is too small, so possibly longer than `k`).
fn encoded_message(alg: DigestAlgorithm, digest: &[u8], k: usize) -> Vec<u8> {
    let prefix = scheme(alg).prefix;
    let padding = k.saturating_sub(3 + prefix.len() + digest.len());
    let mut em = vec![0x00, 0x01];
    em.resize(2 + padding, 0xff);
    em.push(0x00);
    em.extend_from_slice(&prefix);
    em.extend_from_slice(digest);
    em
}

/// `x` as `k` big-endian bytes, or as many as it needs if more.
fn be_bytes(x: &BigUint, k: usize) -> Vec<u8> {
    let bytes = x.to_bytes_be();
    let bytes = if x.bits() == 0 { Vec::new() } else { bytes };
    let mut out = vec![0u8; k.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

/// The fuzz input read front to back; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// Up to `n` bytes (fewer at the end of the input).
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }

    /// Exactly `n` bytes, zero-padded at the end of the input.
    fn exactly(&mut self, n: usize) -> Vec<u8> {
        let mut out = self.bytes(n).to_vec();
        out.resize(n, 0);
        out
    }

    /// Up to 7 edits of `v`, each 4 bytes (kind, position, value): flip
    /// the bits of a byte, flip one bit, set a byte, insert a byte, remove
    /// a byte, or cut everything from a position.
    fn edit(&mut self, v: &mut Vec<u8>) {
        for _ in 0..self.byte() % 8 {
            let (kind, at, value) = (self.byte(), usize::from(self.u16()), self.byte());
            let len = v.len();
            match kind % 6 {
                0 if len > 0 => v[at % len] ^= value.max(1),
                1 if len > 0 => v[at % len] ^= 1 << (value % 8),
                2 if len > 0 => v[at % len] = value,
                3 => v.insert(at % (len + 1), value),
                4 if len > 0 => {
                    v.remove(at % len);
                }
                5 => v.truncate(at % (len + 1)),
                _ => {}
            }
        }
    }
}

/// Target `rsa_verify_diff`: our RSASSA-PKCS1-v1_5 verify
/// (`crypto::rsa_verify`, the default backend) against the rsa crate's
/// (`rsa::PublicKey` + `Pkcs1v15Sign`, 0.10) and, built with
/// `--features aws-lc-rs`, AWS-LC's for keys of 2048 bits or more (the
/// keys that feature sends to AWS-LC): the same verdict for every key,
/// hash, digest and signature.
///
/// The input, read front to back (zeros past its end):
///
/// - byte 0: bits 0-1 the key: a fixture certificate's (`weak1024` 1024,
///   `idp-a` 2048, `idp-c` 3072 bits), or 3, one made from the input;
///   bits 2-3 the hash of the verify; bit 4 a raw digest (below); bits 5-7
///   the signature of a fixture key: 0-3 a valid one, 4-5 a value around
///   `n`, 6-7 input bytes;
/// - byte 1: bit 0 a message from the input instead of [`SIGNED_MESSAGE`];
///   bits 1-2 and 3-4 the hashes of the raw digest and of the signature
///   (or of a made key's encoded message); bit 5 a made key's modulus from
///   the input; bits 6-7 zero bytes put before the modulus (leading zeros
///   are no bits);
/// - byte 2: the message's length, when it comes from the input;
/// - then the message, and, with a raw digest, edits of the hash of
///   [`SIGNED_MESSAGE`] (any length, another hash's value): the digest is
///   then not the message's hash, and AWS-LC (which hashes the message
///   itself) is not asked;
/// - a fixture key: the edits of its valid signature (none: the valid
///   signature, which must verify exactly when the hashes agree and the
///   message is [`SIGNED_MESSAGE`]), or the value around `n` (`n - 1 - x`,
///   `n + x`, `n`, `x`, valid `+ n`, `n -` valid), or `k` input bytes;
/// - a made key: its length in bytes (100..=1059, so 800..=8472 bits, both
///   bounds crossed), its exponent (3, 5, 7, 17, 257, 65537, or up to 15
///   input bytes: any value), then either a modulus that makes a signature
///   of the fuzzer's choosing valid, or input bytes for `n` and the
///   signature. The made modulus: `EM'` is the encoded message of the
///   digest (edited by the input: every padding, DigestInfo and digest
///   byte can be wrong), `s` the integer `e`-th root of a `k`-byte number
///   from the input, and `n = s^e - EM'` (made odd by stepping `s`), so
///   that `s^e mod n = EM'`: a signature that is valid exactly when `EM'`
///   is the right encoding, whatever the modulus looks like (composite,
///   sparse, any size).
///
/// Where the backends legitimately differ, only keys that both take are
/// compared, and each difference is asserted to be one of these:
///
/// - **Public exponents from 2^33 to 2^64-1**: ours takes any odd exponent
///   from 3 to 2^64-1; the rsa crate (`MAX_PUB_EXPONENT`) and AWS-LC (33
///   bits, a DoS bound) refuse those above 2^33-1. Asserted: the rsa crate
///   refuses a key ours takes only for such an exponent, and AWS-LC
///   refuses every signature under it. Unreachable in the library: a
///   certificate's key passes the rsa crate's checks before ours is made
///   (`SigningCertificate::from_der`; `tests/rsa_verify.rs`,
///   `key_bounds_at_load_are_those_of_before`, loads `2^33 - 1` and refuses
///   `2^33 + 1`).
/// - **AWS-LC and keys below 2048 bits**: AWS-LC's parameter sets start at
///   2048 bits; the `aws-lc-rs` feature keeps 1024..2048-bit keys on ours,
///   so they are compared with the rsa crate only.
/// - **AWS-LC and raw digests**: AWS-LC takes the message, not its hash,
///   so a digest that is not the hash of a message (wrong length, edited)
///   is compared between ours and the rsa crate only.
/// - **Empty modulus or exponent**: not given to the rsa crate (a
///   zero-width `BoxedUint`); ours must refuse the key, as it must refuse
///   every modulus of 0 bits.
pub fn rsa_verify_diff(data: &[u8]) {
    let mut input = Input(data);
    let control = input.byte();
    let flags = input.byte();
    let message_len = usize::from(input.byte());
    let alg = HASHES[usize::from((control >> 2) & 3)];
    let digest_alg = HASHES[usize::from((flags >> 1) & 3)];
    let sign_alg = HASHES[usize::from((flags >> 3) & 3)];
    let message = if flags & 1 == 0 {
        SIGNED_MESSAGE
    } else {
        input.bytes(message_len)
    };
    let (digest, message) = if control & 0x10 != 0 {
        let mut digest = hash(digest_alg, SIGNED_MESSAGE);
        input.edit(&mut digest);
        (digest, None)
    } else {
        (hash(alg, message), Some(message))
    };
    let (mut n, e, signature) = match control & 3 {
        3 => made_key(&mut input, flags, sign_alg, &digest, message),
        fixture => {
            let key = &fixture_keys()[usize::from(fixture)];
            let k = key.n.len();
            let valid = &key.signatures[usize::from((flags >> 3) & 3)];
            let signature = match control >> 5 {
                0..=3 => {
                    let mut s = valid.clone();
                    input.edit(&mut s);
                    s
                }
                4 | 5 => {
                    let n = BigUint::from_bytes_be(&key.n);
                    let x = BigUint::from(input.u16());
                    let valid = BigUint::from_bytes_be(valid);
                    let value = match input.byte() % 6 {
                        0 if x < n => &n - 1u8 - &x,
                        0 | 1 => &n + &x,
                        2 => n.clone(),
                        3 => x,
                        4 => &valid + &n,
                        _ => &n - &valid,
                    };
                    be_bytes(&value, k)
                }
                _ => input.exactly(k),
            };
            (key.n.clone(), key.e.clone(), signature)
        }
    };
    for _ in 0..flags >> 6 {
        n.insert(0, 0);
    }
    compare(&n, &e, alg, &digest, message, &signature);
}

/// A key made from the input, and a signature (see [`rsa_verify_diff`]).
fn made_key(
    input: &mut Input<'_>,
    flags: u8,
    sign_alg: DigestAlgorithm,
    digest: &[u8],
    message: Option<&[u8]>,
) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let k = 100 + usize::from(input.u16()) % 960;
    let e_choice = input.byte();
    let e = if e_choice & 0x80 == 0 {
        let e = [3u32, 5, 7, 17, 257, 65537, 3, 3][usize::from(e_choice & 7)];
        BigUint::from(e).to_bytes_be()
    } else {
        input.bytes(usize::from(e_choice & 0x0f)).to_vec()
    };
    if flags & 0x20 != 0 {
        let n = input.exactly(k);
        let signature = input.exactly(trimmed(&n).len());
        return (n, e, signature);
    }
    // The encoded message of the signature's hash over the same message (or
    // of the raw digest), edited.
    let em_digest = match message {
        Some(message) => hash(sign_alg, message),
        None => digest.to_vec(),
    };
    let mut em = encoded_message(sign_alg, &em_digest, k);
    input.edit(&mut em);
    let em = BigUint::from_bytes_be(&em);
    // s: the e-th root of a k-byte number whose top bit is set.
    let mut top = input.exactly(8);
    top[0] |= 0x80;
    top.resize(k, 0);
    let t = BigUint::from_bytes_be(&top);
    let e_int = BigUint::from_bytes_be(&e);
    let Some(e_small) = u32::try_from(&e_int).ok().filter(|&e| e >= 2) else {
        // No root to take: any signature.
        let n = input.exactly(k);
        let signature = input.exactly(trimmed(&n).len());
        return (n, e, signature);
    };
    let mut s = t.nth_root(e_small);
    let mut power = s.pow(e_small);
    if power > em && !(&power - &em).bit(0) && s > BigUint::from(1u8) {
        s -= 1u8;
        power = s.pow(e_small);
    }
    let n = if power > em {
        &power - &em
    } else {
        power | BigUint::from(1u8)
    };
    let n_bytes = n.to_bytes_be();
    let signature = be_bytes(&s, n_bytes.len());
    (n_bytes, e, signature)
}

/// The three verdicts on one case (see [`rsa_verify_diff`] for the
/// exceptions).
fn compare(
    n: &[u8],
    e: &[u8],
    alg: DigestAlgorithm,
    digest: &[u8],
    message: Option<&[u8]>,
    signature: &[u8],
) {
    let ours = __fuzzing::rsa_verify_ours(n, e, alg, digest, signature);
    let theirs = (!n.is_empty() && !e.is_empty())
        .then(|| {
            PublicKey::new(
                BoxedUint::from_be_slice_vartime(n),
                BoxedUint::from_be_slice_vartime(e),
            )
            .ok()
        })
        .flatten()
        .map(|key| key.verify(scheme(alg), digest, signature).is_ok());
    let e_int = BigUint::from_bytes_be(e);
    let big_exponent = e_int > BigUint::from(THEIR_MAX_EXPONENT);
    match (ours, theirs) {
        (Some(a), Some(b)) => assert_eq!(
            a,
            b,
            "ours says {a}, the rsa crate {b} ({alg:?}, e = {e_int}, {} bits)",
            BigUint::from_bytes_be(n).bits()
        ),
        (None, None) => {}
        (Some(_), None) => assert!(
            big_exponent,
            "the rsa crate refuses a key ours takes (e = {e_int}, {} bits)",
            BigUint::from_bytes_be(n).bits()
        ),
        (None, Some(_)) => panic!(
            "ours refuses a key the rsa crate takes (e = {e_int}, {} bits)",
            BigUint::from_bytes_be(n).bits()
        ),
    }
    #[cfg(feature = "aws-lc-rs")]
    if let (Some(verdict), Some(message)) = (ours, message) {
        if BigUint::from_bytes_be(n).bits() >= 2048 {
            let aws = __fuzzing::rsa_verify_aws_lc(&pkcs1_der(n, e), alg, message, signature);
            if big_exponent {
                assert!(!aws, "AWS-LC verified under an exponent above 2^33-1");
            } else {
                assert_eq!(
                    verdict, aws,
                    "ours says {verdict}, AWS-LC {aws} ({alg:?}, e = {e_int})"
                );
            }
        }
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    let _ = message;
}

// ---- xmlenc ----------------------------------------------------------------

/// The SP's decryption key `sp-enc` (PEM), which the plaintext mode of
/// `xmlenc` also encrypts to.
static SP_ENC_KEY: &str = include_str!("../../fixtures/keys/sp-enc.key.pem");

/// The SP's decryption keys, sp-enc and sp-enc-next (current and next):
/// fixtures, not fuzz input, so parsed once for every target and run.
fn sp_decryption_keys() -> saml_sp::certs::SpDecryptionKeys {
    use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
    static NEXT: &str = include_str!("../../fixtures/keys/sp-enc-next.key.pem");
    static KEYS: OnceLock<SpDecryptionKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (Ok(key), Ok(next)) = (
            SpDecryptionKey::from_pem(SP_ENC_KEY),
            SpDecryptionKey::from_pem(NEXT),
        ) else {
            panic!("fixture decryption keys");
        };
        SpDecryptionKeys::new(key).with_next(next)
    })
    .clone()
}

/// Target `xmlenc`: the XML Encryption structures of an encrypted
/// response, decrypted with the SP's keys (sp-enc and sp-enc-next). The
/// first byte chooses the mode:
///
/// - even: the rest is the whole Response (seeds: the `fixtures/xmlenc`
///   files), so mutations reach EncryptedData / EncryptedKey / KeyInfo /
///   RetrievalMethod / KeyName parsing, the algorithm allow-list and the
///   key-candidate order;
/// - odd: the rest is the *plaintext*: the harness encrypts it (AES-256-CBC
///   under the session key of `alg-aes256cbc-rsaoaepmgf1p-sha1-azure.xml`,
///   unwrapped once here with the `rsa` crate) into that file's
///   EncryptedData, so mutations reach the parse of decrypted content.
///
/// What must hold: no panic; an accepted assertion can only be one the IdP
/// signed (its NameID is one of the corpus's); and in the plaintext mode no
/// XML or structure error of the decrypted content escapes as its own kind
/// (every failure there is `decryption_failed`: no format oracle).
pub fn xmlenc(data: &[u8]) {
    use saml_sp::{EndpointUrl, EntityId, IdpCertSet, RequestId, ResponseVerifier};
    static CERT: &[u8] = include_bytes!("../../fixtures/keys/idp-a.crt.pem");
    static AZURE: &str =
        include_str!("../../fixtures/xmlenc/alg-aes256cbc-rsaoaepmgf1p-sha1-azure.xml");
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let plaintext_mode = mode % 2 == 1;
    let input = if plaintext_mode {
        encrypt_into_azure(AZURE, SP_ENC_KEY, rest).into_bytes()
    } else {
        rest.to_vec()
    };
    let now = fixture_now();
    let (Ok(cert), Ok(sp), Ok(acs), Ok(idp), Ok(request)) = (
        saml_sp::SigningCertificate::parse(CERT),
        EntityId::new(SP),
        EndpointUrl::new(ACS),
        EntityId::new(IDP),
        RequestId::new(REQUEST),
    ) else {
        panic!("fixture setup");
    };
    let Ok(certs) = IdpCertSet::new([cert], now) else {
        panic!("fixture certificate");
    };
    let verifier = ResponseVerifier::new(sp, acs, idp, certs)
        .decryption_keys(sp_decryption_keys())
        .allow_tripledes(mode & 2 == 2);
    match verifier.verify(&input, std::slice::from_ref(&request), now) {
        Ok(assertion) => {
            let Ok(fresh) = assertion.check_replay(&saml_sp::store::MemoryReplayCache::new(1), now)
            else {
                panic!("first use refused");
            };
            assert!(
                [
                    "alice@acme.example",
                    "kV3q1nZ8y0bW2c4xR6t8uA0sD2fG4hJ6kL8zX0cV2bN"
                ]
                .contains(&fresh.name_id()),
                "accepted a NameID the IdP never signed: {:?}",
                fresh.name_id()
            );
            assert_eq!(fresh.issuer().as_str(), IDP);
        }
        Err(e) if plaintext_mode => {
            let kind = e.kind();
            let leaked = kind.as_str().starts_with("xml_")
                || matches!(
                    kind,
                    ErrorKind::EncryptedDataMalformed
                        | ErrorKind::EncryptionAlgorithmUnsupported
                        | ErrorKind::KeyTransportRefused
                        | ErrorKind::TripledesNotAllowed
                        | ErrorKind::InputTooLarge
                        | ErrorKind::PrefixListTooLong
                        | ErrorKind::SignatureMalformed
                        | ErrorKind::SignatureInvalid
                        | ErrorKind::DigestMismatch
                );
            assert!(!leaked, "the decrypted content's failure escaped as {e:?}");
        }
        Err(_) => {}
    }
}

/// The Azure fixture with its data CipherValue replaced by `plaintext`
/// encrypted under the fixture's own session key (AES-256-CBC, fixed IV,
/// XML Encryption padding).
fn encrypt_into_azure(azure: &str, key_pem: &str, plaintext: &[u8]) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use cbc::cipher::{BlockModeEncrypt as _, KeyIvInit as _};
    static SESSION: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let between = |text: &str, open: &str, close: &str| -> (usize, usize) {
        let (Some(a), Some(b)) = (text.find(open), text.find(close)) else {
            panic!("fixture layout");
        };
        (a + open.len(), b)
    };
    let session = SESSION.get_or_init(|| {
        use rsa::pkcs8::DecodePrivateKey as _;
        let (a, b) = between(azure, "<e:CipherValue>", "</e:CipherValue>");
        let wrapped: String = azure[a..b].split_whitespace().collect();
        let (Ok(wrapped), Ok(key)) = (
            STANDARD.decode(wrapped),
            rsa::PrivateKey::from_pkcs8_pem(key_pem),
        ) else {
            panic!("fixture key");
        };
        let Ok(session) = key.decrypt(rsa::Oaep::<sha1::Sha1>::new(), &wrapped) else {
            panic!("fixture unwrap");
        };
        session
    });
    let iv = [0x5au8; 16];
    let pad = 16 - plaintext.len() % 16;
    let mut buf = plaintext.to_vec();
    buf.extend(std::iter::repeat_n(pad as u8, pad));
    let Ok(mut enc) = cbc::Encryptor::<aes::Aes256>::new_from_slices(session, &iv) else {
        panic!("session key");
    };
    for block in buf.chunks_exact_mut(16) {
        let Ok(block) = <&mut aes::Block>::try_from(block) else {
            panic!("block");
        };
        enc.encrypt_block(block);
    }
    let mut data = iv.to_vec();
    data.extend(buf);
    let (a, b) = between(azure, "<xenc:CipherValue>", "</xenc:CipherValue>");
    format!("{}{}{}", &azure[..a], STANDARD.encode(data), &azure[b..])
}

// ---- logout ----------------------------------------------------------------

/// Target `logout`: the first byte picks what the rest is.
///
/// - bit 0: a LogoutRequest (0) or a LogoutResponse (1);
/// - bit 1: the HTTP-POST form value (0) or an HTTP-Redirect query string (1);
/// - bit 2: the verifier allows unsigned messages (the dangerous opt-in),
///   so that inputs without a valid signature reach the shape, Issuer,
///   Destination, time and status checks;
/// - bit 3: instead, a writer/reader round trip: the rest,
///   (UTF-8) split at `ÿ` (U+00FF), is a NameID, a Format and
///   SessionIndexes; our LogoutRequestBuilder
///   either refuses them (`config_invalid`, `relay_state_too_long`) or
///   builds a LogoutRequest that our verifier (SP and IdP swapped) reads
///   back with exactly those values, over the binding of bit 1.
///
/// What must hold: never a panic; every refusal is of class Refused (an
/// input can never page an operator) except `no_usable_certificate`,
/// which the fixed certificate rules out; whatever is accepted names our
/// IdP, one non-empty NameID, SessionIndexes that are not blank, a
/// RelayState within the bindings' 80 bytes, and a LogoutRequest ID that a
/// second use in the same cache refuses as replayed. A LogoutResponse
/// answers the kept request and reports success or partial logout only;
/// without the opt-in it is signed.
pub fn logout(data: &[u8]) {
    use saml_sp::logout::{LogoutInput, LogoutStatus, LogoutVerifier};
    use saml_sp::store::MemoryReplayCache;
    use saml_sp::{EndpointUrl, EntityId, ErrorClass, IdpCertSet, RequestId};
    static CERT: &[u8] = include_bytes!("../../fixtures/keys/idp-a.crt.pem");
    const SLO: &str = "https://sso.example.com/saml/acme/slo";
    const KEPT: &str = "id7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a";
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 8 != 0 {
        return logout_round_trip(mode & 2 != 0, rest);
    }
    let now = fixture_now();
    let (Ok(cert), Ok(sp), Ok(slo), Ok(idp), Ok(kept)) = (
        saml_sp::SigningCertificate::parse(CERT),
        EntityId::new(SP),
        EndpointUrl::new(SLO),
        EntityId::new(IDP),
        RequestId::new(KEPT),
    ) else {
        panic!("fixture setup");
    };
    let Ok(certs) = IdpCertSet::new([cert], now) else {
        panic!("fixture certificate");
    };
    let unsigned_ok = mode & 4 != 0;
    let mut verifier =
        LogoutVerifier::new(sp, slo, idp, certs).dangerous_allow_unsigned(unsigned_ok);
    if mode & 16 != 0 {
        // The SP's decryption keys, so that an EncryptedID reaches its
        // decryption; 3DES by mode bit 5.
        verifier = verifier
            .decryption_keys(sp_decryption_keys())
            .allow_tripledes(mode & 32 != 0);
    }
    let input = if mode & 2 != 0 {
        let Ok(query) = std::str::from_utf8(rest) else {
            return;
        };
        LogoutInput::Redirect(query)
    } else {
        LogoutInput::Post {
            value: rest,
            relay_state: None,
        }
    };
    let refused = |e: saml_sp::Error| {
        assert_eq!(e.kind().class(), ErrorClass::Refused, "{e:?}");
    };
    if mode & 1 == 0 {
        match verifier.verify_request(input, now) {
            Err(e) => refused(e),
            Ok(verified) => {
                assert!(verified.replay_expiry() > now);
                let cache = MemoryReplayCache::new(4);
                let again = verified.clone();
                let Ok(fresh) = verified.check_replay(&cache, now) else {
                    panic!("a verified LogoutRequest is fresh at the time it was verified");
                };
                assert_eq!(fresh.issuer().as_str(), IDP);
                assert!(!fresh.name_id().value.trim().is_empty());
                assert!(fresh.session_indexes().iter().all(|s| !s.trim().is_empty()));
                assert!(fresh.relay_state().is_none_or(|r| r.len() <= 80));
                assert!(unsigned_ok || fresh.is_signed());
                // An EncryptedID is decrypted only under a verified signature.
                assert!(!fresh.name_id_encrypted() || fresh.is_signed());
                let Err(e) = again.check_replay(&cache, now) else {
                    panic!("a LogoutRequest was used twice");
                };
                assert_eq!(e.kind(), ErrorKind::LogoutRequestReplayed);
            }
        }
    } else {
        match verifier.verify_response(input, std::slice::from_ref(&kept), now) {
            Err(e) => refused(e),
            Ok(response) => {
                assert_eq!(response.in_response_to(), &kept);
                assert!(matches!(
                    response.status(),
                    LogoutStatus::Success | LogoutStatus::PartialLogout
                ));
                assert!(unsigned_ok || response.is_signed());
            }
        }
    }
}

fn logout_round_trip(redirect: bool, rest: &[u8]) {
    use saml_sp::logout::{LogoutInput, LogoutSubject, LogoutVerifier};
    use saml_sp::response::NameId;
    use saml_sp::store::MemoryReplayCache;
    use saml_sp::vocabulary::Binding;
    use saml_sp::{EndpointUrl, EntityId, IdpCertSet};
    static CERT: &[u8] = include_bytes!("../../fixtures/keys/idp-a.crt.pem");
    const IDP_SLO: &str = "https://idp.example.com/slo";
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut parts = text.split('\u{ff}');
    let name_id = parts.next().unwrap_or_default().to_owned();
    let format = parts.next().filter(|f| !f.is_empty()).map(str::to_owned);
    let indexes: Vec<String> = parts.map(str::to_owned).collect();
    let now = fixture_now();
    let (Ok(cert), Ok(sp), Ok(idp), Ok(idp_slo)) = (
        saml_sp::SigningCertificate::parse(CERT),
        EntityId::new(SP),
        EntityId::new(IDP),
        EndpointUrl::new(IDP_SLO),
    ) else {
        panic!("fixture setup");
    };
    let Ok(certs) = IdpCertSet::new([cert.clone()], now) else {
        panic!("fixture certificate");
    };
    // Our SP's certificate set for the IdP's view: any set will do, the
    // message is unsigned.
    let binding = if redirect {
        Binding::HttpRedirect
    } else {
        Binding::HttpPost
    };
    let (Ok(settings), Ok(slug), Ok(layout)) = (
        saml_sp::IdpSettings::manual(idp.clone(), idp_slo.clone(), binding, [cert], now),
        saml_sp::TeamSlug::new("acme"),
        saml_sp::SpUrlLayout::new("https://sso.example.com"),
    ) else {
        panic!("team setup");
    };
    let Ok(team) = saml_sp::TeamConfig::new(
        slug,
        &layout,
        settings.with_single_logout(binding, idp_slo.clone()),
    ) else {
        panic!("team setup");
    };
    let mut subject = LogoutSubject::new(NameId {
        value: name_id,
        format,
        name_qualifier: None,
        sp_name_qualifier: None,
    });
    for index in &indexes {
        subject = subject.with_session_index(index.clone());
    }
    let builder = team.logout_request();
    let built = if redirect {
        builder
            .redirect(&subject, None, &mut saml_sp::OsRng, now)
            .map(|(r, _)| {
                r.url()
                    .split_once('?')
                    .map(|(_, q)| q.to_owned())
                    .unwrap_or_default()
                    .into_bytes()
            })
    } else {
        builder
            .post(&subject, None, &mut saml_sp::OsRng, now)
            .map(|(f, _)| f.value().as_bytes().to_vec())
    };
    let bytes = match built {
        Ok(bytes) => bytes,
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::ConfigInvalid | ErrorKind::InputTooLarge
                ),
                "{e:?}"
            );
            return;
        }
    };
    // The IdP's view: our entity ID issues, its SLO URL is the destination.
    let verifier = LogoutVerifier::new(idp, idp_slo, sp, certs).dangerous_allow_unsigned(true);
    let input = if redirect {
        let Ok(query) = std::str::from_utf8(&bytes) else {
            panic!("a query we built is not UTF-8");
        };
        LogoutInput::Redirect(query)
    } else {
        LogoutInput::Post {
            value: &bytes,
            relay_state: None,
        }
    };
    let read = verifier
        .verify_request(input, now)
        .and_then(|v| v.check_replay(&MemoryReplayCache::new(1), now));
    let Ok(read) = read else {
        panic!("our own LogoutRequest is refused: {read:?} for {subject:?}");
    };
    assert_eq!(read.name_id(), subject.name_id());
    assert_eq!(read.session_indexes(), subject.session_indexes());
}
