//! Property tests: canonical output re-parses and canonicalizes to itself,
//! for every method; the parser never panics on mutated input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use saml_sp::Limits;
use saml_sp::building_blocks::{Document, InclusivePrefixes, canonicalize_document};
use saml_sp::vocabulary::C14nMethod;

#[derive(Debug, Clone)]
enum Tree {
    Element {
        prefix: Option<&'static str>,
        name: &'static str,
        /// (prefix or None for default, uri or "" to undeclare the default)
        decls: Vec<(Option<&'static str>, &'static str)>,
        attrs: Vec<(Option<&'static str>, &'static str, String)>,
        children: Vec<Tree>,
    },
    Text(String),
    Comment(String),
    Pi(&'static str, String),
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "a", "Z", " ", "&", "<", ">", "\"", "'", "\r", "\n", "\r\n", "\t", "é", "😀", "]",
            "]]", "日本",
        ]),
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

fn comment_text() -> impl Strategy<Value = String> {
    "[a-z <>&\"é-]{0,8}".prop_map(|s| s.replace("--", "-x").trim_end_matches('-').to_owned())
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        text().prop_map(Tree::Text),
        comment_text().prop_map(Tree::Comment),
        ("[a-z]{1,4}", "[a-z ]{0,6}").prop_map(|(t, d)| {
            let target: &'static str = Box::leak(format!("t{t}").into_boxed_str());
            Tree::Pi(target, d)
        }),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        (
            prop::sample::select(vec![None, Some("p"), Some("q")]),
            prop::sample::select(vec!["a", "b", "c"]),
            proptest::collection::vec(
                prop::sample::select(vec![
                    (None, "urn:d1"),
                    (None, "urn:d2"),
                    (None, ""),
                    (Some("p"), "urn:p1"),
                    (Some("p"), "urn:p2"),
                    (Some("q"), "urn:q1"),
                    (Some("r"), "urn:r1"),
                ]),
                0..3,
            ),
            proptest::collection::vec(
                (
                    prop::sample::select(vec![None, Some("p"), Some("q"), Some("xml")]),
                    prop::sample::select(vec!["x", "y", "lang"]),
                    text(),
                ),
                0..3,
            ),
            proptest::collection::vec(inner, 0..4),
        )
            .prop_map(|(prefix, name, mut decls, mut attrs, children)| {
                decls.dedup_by_key(|d| d.0);
                let mut seen = Vec::new();
                decls.retain(|d| {
                    let fresh = !seen.contains(&d.0);
                    seen.push(d.0);
                    fresh
                });
                let mut names = Vec::new();
                attrs.retain(|a| {
                    let key = (a.0, a.1);
                    let fresh = !names.contains(&key);
                    names.push(key);
                    fresh
                });
                Tree::Element {
                    prefix,
                    name,
                    decls,
                    attrs,
                    children,
                }
            })
    })
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\n' if attr => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    out
}

fn serialize(tree: &Tree, out: &mut String, root: bool) {
    match tree {
        Tree::Text(t) => out.push_str(&escape(t, false)),
        Tree::Comment(c) => {
            out.push_str("<!--");
            out.push_str(c);
            out.push_str("-->");
        }
        Tree::Pi(target, data) => {
            out.push_str(&format!("<?{target} {data}?>"));
        }
        Tree::Element {
            prefix,
            name,
            decls,
            attrs,
            children,
        } => {
            let qname = match prefix {
                Some(p) => format!("{p}:{name}"),
                None => (*name).to_owned(),
            };
            out.push('<');
            out.push_str(&qname);
            if root {
                // Every prefix is bound at the root so any use is legal.
                out.push_str(" xmlns:p=\"urn:p0\" xmlns:q=\"urn:q0\"");
            }
            for (p, uri) in decls {
                match p {
                    None => out.push_str(&format!(" xmlns=\"{uri}\"")),
                    Some(p) if root && (*p == "p" || *p == "q") => {}
                    Some(p) => out.push_str(&format!(" xmlns:{p}=\"{uri}\"")),
                }
            }
            for (p, n, v) in attrs {
                match p {
                    Some(p) => out.push_str(&format!(" {p}:{n}=\"{}\"", escape(v, true))),
                    None => out.push_str(&format!(" {n}=\"{}\"", escape(v, true))),
                }
            }
            out.push('>');
            for c in children {
                serialize(c, out, false);
            }
            out.push_str(&format!("</{qname}>"));
        }
    }
}

fn canon(bytes: &[u8], method: C14nMethod) -> Vec<u8> {
    let doc = Document::parse(bytes, &Limits::default()).unwrap();
    let mut out = Vec::new();
    canonicalize_document(&doc, method, &InclusivePrefixes::none(), &mut out).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_form_is_a_fixed_point(
        root in tree().prop_filter("root must be an element", |t| matches!(t, Tree::Element { .. })),
        lead in comment_text(),
    ) {
        let mut xml = format!("<!--{lead}-->\n");
        serialize(&root, &mut xml, true);
        xml.push_str("\n<?tail?>");
        for method in C14nMethod::ALL {
            let once = canon(xml.as_bytes(), method);
            let twice = canon(&once, method);
            prop_assert_eq!(&once, &twice, "method {:?} input {}", method, xml);
        }
    }

    #[test]
    fn parser_never_panics_on_mutations(
        flips in proptest::collection::vec((0usize..4096, any::<u8>()), 1..8),
        cut in 0usize..4096,
    ) {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut.max(1).min(bytes.len()));
        if let Ok(doc) = Document::parse(&bytes, &Limits::default()) {
            for method in C14nMethod::ALL {
                let mut out = Vec::new();
                canonicalize_document(&doc, method, &InclusivePrefixes::none(), &mut out).unwrap();
            }
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Document::parse(&bytes, &Limits::default());
    }
}

const SAMPLE: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="2026-03-02T10:00:00Z"><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"><Issuer>https://sts.windows.net/t/</Issuer><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><Reference URI="#_a"><DigestValue>abc=</DigestValue></Reference></SignedInfo></Signature><Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">a&amp;b@example.com<!--c--></NameID></Subject><AttributeStatement><Attribute Name="g"><AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">&#x1F600;<![CDATA[<x>]]></AttributeValue></Attribute></AttributeStatement></Assertion></samlp:Response>"##;
