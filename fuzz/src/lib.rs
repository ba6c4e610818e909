//! Checks shared by the fuzz targets in `fuzz_targets/`.
//!
//! A target is a thin `fuzz_target!` wrapper around one function here, so the
//! oracles (what must hold for every input) live in one place and read as
//! plain Rust. Every violated property is a panic (`assert!`), which libFuzzer
//! reports as a crash and saves under `fuzz/artifacts/<target>/`.

use saml_sp::{ErrorKind, Limits};
use saml_sp::building_blocks::{Document, Element, InclusivePrefixes, canonicalize_document, canonicalize_element};
use saml_sp::vocabulary::C14nMethod;

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
    if let Ok(assertion) = verifier.verify(data, std::slice::from_ref(&request), now) {
        assert_eq!(assertion.issuer().as_str(), IDP);
        assert!(assertion.not_on_or_after() + saml_sp::response::DEFAULT_CLOCK_SKEW > now);
        // The claims come with the one-time use (a first use here).
        let cache = saml_sp::store::MemoryReplayCache::new(1);
        let Ok(fresh) = assertion.check_replay(&cache, now) else {
            panic!("a verified assertion is fresh at the time it was verified");
        };
        assert_eq!(fresh.audience().as_str(), SP);
        assert_eq!(fresh.in_response_to(), Some(REQUEST));
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
        0 => RESPONSE.replacen("</Signature><Subject>", &format!("</Signature>{built}<Subject>"), 1),
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
    let verifier = LogoutVerifier::new(sp, slo, idp, certs).dangerous_allow_unsigned(unsigned_ok);
    let input = if mode & 2 != 0 {
        let Ok(query) = std::str::from_utf8(rest) else {
            return;
        };
        LogoutInput::Redirect(query)
    } else {
        LogoutInput::Post { value: rest, relay_state: None }
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
    let binding = if redirect { Binding::HttpRedirect } else { Binding::HttpPost };
    let (Ok(settings), Ok(slug), Ok(layout)) = (
        saml_sp::IdpSettings::manual(idp.clone(), idp_slo.clone(), binding, [cert], now),
        saml_sp::TeamSlug::new("acme"),
        saml_sp::SpUrlLayout::new("https://sso.example.com"),
    ) else {
        panic!("team setup");
    };
    let Ok(team) = saml_sp::TeamConfig::new(slug, &layout, settings.with_single_logout(binding, idp_slo.clone())) else {
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
            .map(|(r, _)| r.url().split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default().into_bytes())
    } else {
        builder
            .post(&subject, None, &mut saml_sp::OsRng, now)
            .map(|(f, _)| f.value().as_bytes().to_vec())
    };
    let bytes = match built {
        Ok(bytes) => bytes,
        Err(e) => {
            assert!(
                matches!(e.kind(), ErrorKind::ConfigInvalid | ErrorKind::InputTooLarge),
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
        LogoutInput::Post { value: &bytes, relay_state: None }
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
