//! Hostile inputs that try to make the work before (and around) the
//! signature check super-linear, for `tests/adversarial.rs` and
//! `benches/adversarial.rs`.
//!
//! Every builder starts from an xmlsec1-signed Azure-shaped response
//! (`fixtures/dsig/assertion-signed.xml`) or signed IdP metadata
//! (`fixtures/metadata/azure-app-signed.xml`) and adds what an attacker
//! without the IdP's key can add:
//! - to `SignedInfo` (then the RSA check fails, but only after SignedInfo
//!   was read and canonicalized): PrefixLists, elements, namespaces;
//! - to the signed Assertion, keeping `SignedInfo` intact (an attacker who
//!   holds any validly signed response of the IdP, e.g. their own login):
//!   the RSA check passes and the digest is computed over what they added,
//!   then fails;
//! - anywhere: what only the parser sees.
//!
//! The sizes are parameters, so a test can show that the cost grows
//! linearly and the bench can fill the default [`Limits`](saml_sp::Limits).
#![allow(dead_code, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

/// The exclusive canonicalization namespace (`InclusiveNamespaces`).
pub(crate) const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const EXC_METHOD: &str =
    r#"<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#;
const EXC_TRANSFORM: &str = r#"<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#;
const DIGEST_METHOD: &str =
    r#"<DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>"#;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The xmlsec1-signed 5 KB response (the Assertion is signed).
pub(crate) fn signed_response() -> String {
    read("fixtures/dsig/assertion-signed.xml")
}

/// The xmlsec1-signed Azure app metadata (signed by idp-a).
pub(crate) fn signed_metadata() -> String {
    read("fixtures/metadata/azure-app-signed.xml")
}

/// ` xmlns:{p}{i}="urn:{tag}:{i}"` for `i` in `from..from + n`.
pub(crate) fn declarations(prefix: &str, tag: &str, from: usize, n: usize) -> String {
    let mut s = String::new();
    for i in from..from + n {
        write!(s, r#" xmlns:{prefix}{i}="urn:{tag}:{i}""#).unwrap();
    }
    s
}

/// `{p}{from} {p}{from+1} ...`: `n` tokens.
pub(crate) fn tokens(prefix: &str, from: usize, n: usize) -> String {
    let mut s = String::new();
    for i in from..from + n {
        if i > from {
            s.push(' ');
        }
        write!(s, "{prefix}{i}").unwrap();
    }
    s
}

fn replace_once(doc: &str, from: &str, to: &str) -> String {
    assert_eq!(doc.matches(from).count(), 1, "{from:?} must occur once");
    doc.replacen(from, to, 1)
}

/// Declarations of `n` prefixes `p0..` on the Response element.
fn declare_on_response(doc: &str, n: usize) -> String {
    replace_once(
        doc,
        "<samlp:Response ",
        &format!("<samlp:Response{} ", declarations("p", "r", 0, n)),
    )
}

/// The red team's input: SignedInfo's CanonicalizationMethod carries an
/// `InclusiveNamespaces PrefixList` of `tokens` distinct prefixes, 60 of
/// them declared on the Response.
pub(crate) fn prefix_list_in_signed_info(n: usize) -> Vec<u8> {
    let doc = declare_on_response(&signed_response(), 55);
    let method = format!(
        r#"<CanonicalizationMethod Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></CanonicalizationMethod>"#,
        tokens("p", 0, n)
    );
    replace_once(&doc, EXC_METHOD, &method).into_bytes()
}

/// The same PrefixList in the Reference's exclusive c14n Transform.
pub(crate) fn prefix_list_in_transform(n: usize) -> Vec<u8> {
    let doc = declare_on_response(&signed_response(), 55);
    let transform = format!(
        r#"<Transform Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></Transform>"#,
        tokens("p", 0, n)
    );
    replace_once(&doc, EXC_TRANSFORM, &transform).into_bytes()
}

/// A chain of `depth` elements under `DigestMethod`, each declaring `per`
/// namespaces, and a PrefixList of `listed` tokens naming them.
pub(crate) fn chain_under_digest_method(depth: usize, per: usize, listed: usize) -> Vec<u8> {
    let doc = signed_response();
    let method = format!(
        r#"<CanonicalizationMethod Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></CanonicalizationMethod>"#,
        tokens("q", 0, listed)
    );
    let doc = replace_once(&doc, EXC_METHOD, &method);
    let mut chain = String::new();
    for level in 0..depth {
        write!(
            chain,
            "<x{}>",
            declarations("q", &format!("l{level}"), 0, per)
        )
        .unwrap();
    }
    for _ in 0..depth {
        chain.push_str("</x>");
    }
    let digest = DIGEST_METHOD.replace("/>", &format!(">{chain}</DigestMethod>"));
    replace_once(&doc, DIGEST_METHOD, &digest).into_bytes()
}

/// Bytes inserted into the signed Assertion, right after its Signature:
/// SignedInfo stays intact, so the RSA check passes and the digest is
/// computed over `content` (and fails).
pub(crate) fn inside_signed_assertion(content: &str) -> Vec<u8> {
    let doc = signed_response();
    replace_once(
        &doc,
        "</Signature><Subject>",
        &format!("</Signature>{content}<Subject>"),
    )
    .into_bytes()
}

/// Parser and c14n: a chain of `depth` elements each declaring `per`
/// prefixes, around `leaves` elements that each use `uses` of the
/// outermost prefixes in attributes (every lookup would scan the whole
/// scope).
pub(crate) fn wide_scope(depth: usize, per: usize, leaves: usize, uses: usize) -> String {
    let mut s = String::new();
    for level in 0..depth {
        write!(
            s,
            "<w{}>",
            declarations("w", &format!("l{level}"), level * per, per)
        )
        .unwrap();
    }
    let mut leaf = String::from("<v");
    for i in 0..uses {
        write!(leaf, " w{i}:a=\"\"").unwrap();
    }
    leaf.push_str("/>");
    for _ in 0..leaves {
        s.push_str(&leaf);
    }
    for _ in 0..depth {
        s.push_str("</w>");
    }
    s
}

/// Exclusive c14n: a chain of `depth` elements that each rebind prefixes
/// `r0..r{per}` to new namespaces and use them (so each renders them and
/// the rendered stack grows), around `leaves` elements using all of them.
pub(crate) fn rebinding_chain(depth: usize, per: usize, leaves: usize) -> String {
    let uses = |s: &mut String| {
        for i in 0..per {
            write!(s, " r{i}:a=\"\"").unwrap();
        }
    };
    let mut s = String::new();
    for level in 0..depth {
        write!(s, "<r{}", declarations("r", &format!("l{level}"), 0, per)).unwrap();
        uses(&mut s);
        s.push('>');
    }
    for _ in 0..leaves {
        s.push_str("<e");
        uses(&mut s);
        s.push_str("/>");
    }
    for _ in 0..depth {
        s.push_str("</r>");
    }
    s
}

/// `leaves` elements with `n` attributes each (`a0` .. `a{n-1}`): the
/// duplicate-attribute check of each element.
pub(crate) fn many_attributes(leaves: usize, n: usize) -> String {
    let mut leaf = String::from("<m");
    for i in 0..n {
        write!(leaf, " a{i}=\"\"").unwrap();
    }
    leaf.push_str("/>");
    leaf.repeat(leaves)
}

/// `leaves` elements that each declare `n` prefixes (scope pushes and
/// pops, the duplicate-declaration check).
pub(crate) fn many_declarations(leaves: usize, n: usize) -> String {
    let leaf = format!("<d{}/>", declarations("d", "d", 0, n));
    leaf.repeat(leaves)
}

/// A plain response of about `bytes` bytes: the signed one with group
/// values appended (group names as distinguished names, about 100 bytes
/// each, so that 2 MiB stays under the element limit), so the digest fails
/// and all of the work (parse, SignedInfo, RSA, digest) is done.
pub(crate) fn plain_response(bytes: usize) -> Vec<u8> {
    let doc = signed_response();
    let value = "<AttributeValue>CN=Engineering Platform Team 0001,OU=Groups,DC=acme,DC=example</AttributeValue>";
    let n = bytes.saturating_sub(doc.len()) / value.len();
    let marker = "<AttributeValue>6ba7b810-9dad-41d1-80b4-00c04fd430c8</AttributeValue>";
    replace_once(&doc, marker, &format!("{marker}{}", value.repeat(n))).into_bytes()
}

/// Signed metadata whose SignedInfo carries a PrefixList of `n` tokens,
/// 60 of them declared on the EntityDescriptor.
pub(crate) fn metadata_prefix_list(n: usize) -> Vec<u8> {
    let doc = signed_metadata();
    let doc = replace_once(
        &doc,
        "<EntityDescriptor ",
        &format!("<EntityDescriptor{} ", declarations("p", "m", 0, 60)),
    );
    let method = format!(
        r#"<CanonicalizationMethod Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></CanonicalizationMethod>"#,
        tokens("p", 0, n)
    );
    replace_once(&doc, EXC_METHOD, &method).into_bytes()
}

/// Signed metadata with a chain under DigestMethod (as
/// [`chain_under_digest_method`]).
pub(crate) fn metadata_chain(depth: usize, per: usize, listed: usize) -> Vec<u8> {
    let doc = signed_metadata();
    let method = format!(
        r#"<CanonicalizationMethod Algorithm="{EXC}"><InclusiveNamespaces xmlns="{EXC}" PrefixList="{}"/></CanonicalizationMethod>"#,
        tokens("q", 0, listed)
    );
    let doc = replace_once(&doc, EXC_METHOD, &method);
    let mut chain = String::new();
    for level in 0..depth {
        write!(
            chain,
            "<x{}>",
            declarations("q", &format!("l{level}"), 0, per)
        )
        .unwrap();
    }
    for _ in 0..depth {
        chain.push_str("</x>");
    }
    let digest = DIGEST_METHOD.replace("/>", &format!(">{chain}</DigestMethod>"));
    replace_once(&doc, DIGEST_METHOD, &digest).into_bytes()
}

/// Exclusive c14n amplification: a namespace name of `uri_bytes` declared
/// once (and not used there), then `uses` elements that each use its
/// prefix: each renders the declaration again.
pub(crate) fn amplified_namespace(uri_bytes: usize, uses: usize) -> String {
    format!(
        r#"<amp xmlns:long="urn:{}">{}</amp>"#,
        "n".repeat(uri_bytes),
        r#"<e long:a=""/>"#.repeat(uses)
    )
}

/// The most exclusive canonicalization output per input byte within the
/// default limits and the digest's growth budget: a chain declaring 126
/// prefixes on namespace names of `uri_bytes` (not used there), then
/// `leaves` elements that each use 60 of them, so that each leaf renders
/// 60 declarations.
pub(crate) fn amplified_wide(leaves: usize, uri_bytes: usize) -> String {
    let long = "n".repeat(uri_bytes);
    let mut s = String::new();
    for level in 0..2 {
        s.push_str("<w");
        for i in level * 63..level * 63 + 63 {
            write!(s, r#" xmlns:w{i}="urn:{long}{i}""#).unwrap();
        }
        s.push('>');
    }
    let mut leaf = String::from("<v");
    for i in 0..60 {
        write!(leaf, " w{i}:a=\"\"").unwrap();
    }
    leaf.push_str("/>");
    for _ in 0..leaves {
        s.push_str(&leaf);
    }
    s.push_str("</w></w>");
    s
}

/// Signed metadata, changed after signing (its own signature's digest
/// fails), inside `depth` nested EntitiesDescriptors, each with a
/// Signature (a copy of the entity's, its Reference pointing at the
/// group): every signature on the path is tried and fails.
pub(crate) fn metadata_nested_signatures(depth: usize) -> Vec<u8> {
    let doc = signed_metadata().replacen("/saml2\"", "/saml2?changed\"", 1);
    let body = doc.trim_start_matches('\u{feff}');
    let body = body
        .split_once("?>")
        .map_or(body, |(_, rest)| rest)
        .trim_start();
    let start = body.find("<Signature").unwrap();
    let end = body.find("</Signature>").unwrap() + "</Signature>".len();
    let signature = &body[start..end];
    let reference = signature
        .split("URI=\"#")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut s = String::from("<?xml version=\"1.0\"?>\n");
    for i in 0..depth {
        write!(
            s,
            r#"<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="_g{i}">{}"#,
            signature.replace(reference, &format!("_g{i}"))
        )
        .unwrap();
    }
    s.push_str(body);
    for _ in 0..depth {
        s.push_str("</EntitiesDescriptor>");
    }
    s.into_bytes()
}

/// Long namespace names sharing a long beginning, declared and used once
/// high up (so canonicalization renders them there only), then `leaves`
/// elements with one attribute in each of the 64 namespaces: sorting those
/// attributes, and checking what an ancestor rendered, must not compare
/// the names byte by byte (they are not part of the leaf).
pub(crate) fn long_namespaces(uri_bytes: usize, leaves: usize) -> String {
    let common = "s".repeat(uri_bytes);
    let mut s = String::new();
    for level in 0..2 {
        s.push_str("<n");
        for i in level * 32..level * 32 + 32 {
            write!(s, r#" xmlns:n{i}="urn:{common}:{i}""#).unwrap();
        }
        for i in level * 32..level * 32 + 32 {
            write!(s, r#" n{i}:a="""#).unwrap();
        }
        s.push('>');
    }
    // Written in an order far from the canonical one.
    let mut leaf = String::from("<l");
    for i in (0..64).rev() {
        write!(leaf, r#" n{}:a="""#, (i * 37) % 64).unwrap();
    }
    leaf.push_str("/>");
    for _ in 0..leaves {
        s.push_str(&leaf);
    }
    s.push_str("</n></n>");
    s
}
