//! Differential tests: the canonicalizer against its reference copy (the
//! code before the speed work, `super::reference`), byte for byte, on every
//! fixture, the real IdP recordings and random documents; every method,
//! several PrefixLists, every element as the apex, with and without an
//! excluded descendant.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use super::{C14nMethod, InclusivePrefixes, reference};
#[path = "../../tests/common/real_recordings.rs"]
// std only, included by path in each unit test that reads the recordings
// (one crate module would need a floor in manual::architecture's table).
#[allow(clippy::duplicate_mod)]
mod real_recordings;
use crate::error::ErrorKind;
use crate::limits::Limits;
use crate::xml::{Document, Element};
use real_recordings::real_recordings_dir;

/// PrefixLists for the random documents (which use `p`, `q`, `xsi` and the
/// default namespace) and for the fixtures (SAML's usual prefixes).
const PREFIX_LISTS: [&str; 6] = [
    "",
    "#default",
    "xsi",
    "#default samlp p q xsi",
    "q",
    "#default p w0 w3 w5 w8 w11 w13 w17 w19",
];
/// The prefixes random documents use: a few (as SAML), or many, so that
/// more bindings are in scope than scope lookups scan.
const FEW: &[&str] = &["p", "q", "xsi"];
const MANY: &[&str] = &[
    "p", "q", "xsi", "w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11",
    "w12", "w13", "w14", "w15", "w16", "w17", "w18", "w19",
];
const FIXTURE_LISTS: [&str; 2] = ["", "#default saml samlp xs xsi ds"];

fn ours(
    el: Element<'_>,
    exclude: Option<Element<'_>>,
    m: C14nMethod,
    p: &InclusivePrefixes,
) -> Vec<u8> {
    let mut out = Vec::new();
    super::canonicalize_element(el, exclude, m, p, &mut out).unwrap();
    out
}

fn theirs(
    el: Element<'_>,
    exclude: Option<Element<'_>>,
    m: C14nMethod,
    p: &InclusivePrefixes,
) -> Vec<u8> {
    let mut out = Vec::new();
    reference::canonicalize_element(el, exclude, m, p, &mut out).unwrap();
    out
}

/// Compares the ways of canonicalizing `doc`: the whole document, and each
/// of the first `max_apexes` elements as the apex, with nothing left out,
/// its `Signature` child (or first child element) left out and, with
/// `deep`, its last descendant left out; every method, with each of
/// `lists`. Returns how many outputs were compared.
fn compare_all(doc: &Document, what: &str, lists: &[&str], max_apexes: usize, deep: bool) -> usize {
    let mut compared = 0;
    let lists: Vec<InclusivePrefixes> = lists
        .iter()
        .map(|l| InclusivePrefixes::parse(l).unwrap())
        .collect();
    for method in C14nMethod::ALL {
        for list in &lists {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            super::canonicalize_document(doc, method, list, &mut a).unwrap();
            reference::canonicalize_document(doc, method, list, &mut b).unwrap();
            assert!(
                a == b,
                "{what}: document, {method:?}, {list:?}:\n{}\n{}",
                show(&a),
                show(&b)
            );
            compared += 1;
            for el in doc.root().descendants().take(max_apexes) {
                let child = el
                    .child_elements()
                    .find(|c| c.local_name() == "Signature")
                    .or_else(|| el.child_elements().next());
                let last = el.descendants().last().filter(|_| deep);
                let mut excludes = vec![None];
                excludes.extend([child, last].into_iter().flatten().map(Some));
                excludes.dedup();
                for exclude in excludes {
                    let a = ours(el, exclude, method, list);
                    let b = theirs(el, exclude, method, list);
                    assert!(
                        a == b,
                        "{what}: apex {el:?}, exclude {exclude:?}, {method:?}, {list:?}:\n{}\n{}",
                        show(&a),
                        show(&b)
                    );
                    compared += 1;
                }
            }
        }
    }
    compared
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

#[test]
fn same_bytes_as_the_reference_on_fixtures_and_real_recordings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    xml_files(&root.join("fixtures"), &mut files);
    let own = files.len();
    if let Some(real) =
        real_recordings_dir("the real recordings against the reference canonicalizer")
    {
        xml_files(&real, &mut files);
    }
    let (mut parsed, mut compared) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(doc) = Document::parse(&bytes, &Limits::default()) else {
            continue;
        };
        parsed += 1;
        compared += compare_all(&doc, &path.display().to_string(), &FIXTURE_LISTS, 60, false);
    }
    println!(
        "{} files ({own} own), {parsed} parsed, {compared} canonical outputs compared",
        files.len()
    );
    assert!(own > 50 && parsed > 50, "fixtures not found: {files:?}");
}

/// xorshift64: reproducible random documents without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const URIS: [&str; 6] = [
    "urn:a",
    "urn:b",
    "urn:a&amp;&quot;&lt;q",
    "http://www.w3.org/2001/XMLSchema-instance",
    "urn:x:y",
    "urn:b",
];
const PIECES: [&str; 16] = [
    "a",
    "Zz",
    " ",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "'",
    "&#13;",
    "&#10;",
    "&#9;",
    "\n",
    "\t",
    "é",
    "😀",
    "0123456789abcdefghij",
];

fn value(rng: &mut Rng, attr: bool) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(7) {
        let piece = rng.pick(&PIECES);
        if attr || piece != "&quot;" {
            s.push_str(piece);
        }
    }
    if !attr && rng.chance(10) {
        s.push_str("<![CDATA[x<&>]]]]>");
    }
    s
}

/// A random namespace-well-formed document: prefixes `p`, `q`, `xsi` and
/// the default namespace declared, redeclared and undeclared at random,
/// used by elements and attributes only where bound.
fn random_doc(rng: &mut Rng, prefixes: &'static [&'static str]) -> String {
    let mut out = String::new();
    if rng.chance(30) {
        out.push_str("<!--before--><?pi data?>");
    }
    let mut budget = 1 + rng.below(40);
    element(rng, prefixes, &mut out, &mut Vec::new(), 0, &mut budget);
    if rng.chance(30) {
        out.push_str("<?after?><!--after-->");
    }
    out
}

fn element(
    rng: &mut Rng,
    all: &'static [&'static str],
    out: &mut String,
    scope: &mut Vec<(&'static str, &'static str)>,
    depth: usize,
    budget: &mut usize,
) {
    *budget = budget.saturating_sub(1);
    let mark = scope.len();
    let mut decls = Vec::new();
    for prefix in std::iter::once("").chain(all.iter().copied()) {
        if rng.chance(20) {
            let mut uri = rng.pick(&URIS);
            if prefix.is_empty() && rng.chance(25) {
                uri = "";
            }
            decls.push((prefix, uri));
        }
    }
    scope.extend(decls.iter().copied());
    let bound = |scope: &[(&str, &str)], p: &str| {
        scope
            .iter()
            .rev()
            .find(|(q, _)| *q == p)
            .is_some_and(|(_, u)| !u.is_empty())
    };
    let prefixes: Vec<&str> = all.iter().copied().filter(|p| bound(scope, p)).collect();
    let name = rng.pick(&["a", "b", "Assertion", "c"]);
    let qname = if !prefixes.is_empty() && rng.chance(60) {
        format!("{}:{name}", rng.pick(&prefixes))
    } else {
        name.to_owned()
    };
    out.push('<');
    out.push_str(&qname);
    for (p, u) in &decls {
        if p.is_empty() {
            out.push_str(&format!(" xmlns=\"{u}\""));
        } else {
            out.push_str(&format!(" xmlns:{p}=\"{u}\""));
        }
    }
    let mut used: Vec<String> = Vec::new();
    for _ in 0..rng.below(5) {
        let local = rng.pick(&["ID", "a", "b", "z", "Version", "type"]);
        let attr = match rng.below(4) {
            0 if !prefixes.is_empty() => {
                // One attribute per local name and prefixed-or-not, so no
                // two share an expanded name even when p and q are bound to
                // the same namespace.
                format!("{}:{local}", rng.pick(&prefixes))
            }
            1 => format!("xml:{}", rng.pick(&["lang", "space", "id"])),
            _ => local.to_owned(),
        };
        let key =
            attr.rsplit(':').next().unwrap().to_owned() + if attr.contains(':') { ":" } else { "" };
        if used.contains(&key) || used.contains(&attr) {
            continue;
        }
        used.push(key);
        used.push(attr.clone());
        // Attributes as written in many ways: canonicalization copies
        // ` name="value"` straight from the buffer only when it is written
        // exactly so.
        let quote = if rng.chance(70) { '"' } else { '\'' };
        let v = value(rng, true).replace(quote, "");
        let space = rng.pick(&[" ", " ", " ", "\n", "\t", "  "]);
        let eq = rng.pick(&["=", "=", "=", " = "]);
        out.push_str(&format!("{space}{attr}{eq}{quote}{v}{quote}"));
    }
    if depth > 6 || *budget == 0 || rng.chance(20) {
        out.push_str(rng.pick(&["/>", " />", &format!("></{qname}>")]));
    } else if rng.chance(30) {
        // One text child, the most common shape (written whole, from the
        // buffer when it allows).
        out.push('>');
        out.push_str(&value(rng, false));
        out.push_str(&format!("</{qname}{}>", rng.pick(&["", "", " ", "\n"])));
    } else {
        out.push('>');
        for _ in 0..rng.below(5) {
            match rng.below(6) {
                0 | 1 if *budget > 0 => element(rng, all, out, scope, depth + 1, budget),
                2 => out.push_str(&value(rng, false)),
                3 => out.push_str("<!-- c -->"),
                4 => out.push_str("<?t d?>"),
                _ => out.push_str(&value(rng, false)),
            }
        }
        out.push_str(&format!("</{qname}>"));
    }
    scope.truncate(mark);
}

#[test]
fn same_bytes_as_the_reference_on_random_documents() {
    let rounds: usize = std::env::var("C14N_DIFF_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut parsed, mut compared) = (0, 0);
    for round in 0..rounds {
        // Every fourth document uses many prefixes.
        let prefixes = if round % 4 == 3 { MANY } else { FEW };
        let xml = random_doc(&mut rng, prefixes);
        match Document::parse(xml.as_bytes(), &Limits::default()) {
            Ok(doc) => {
                parsed += 1;
                let what = format!("round {round}: {xml}");
                compared += compare_all(&doc, &what, &PREFIX_LISTS, usize::MAX, true);
            }
            // Two prefixes bound to one namespace can still collide, and
            // two `ID`s can have the same value.
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    ErrorKind::XmlDuplicateAttribute | ErrorKind::XmlDuplicateId
                ),
                "{xml}: {e}"
            ),
        }
    }
    println!("{rounds} random documents, {parsed} parsed, {compared} outputs compared");
    assert!(
        parsed * 10 >= rounds * 9,
        "only {parsed} of {rounds} parsed"
    );
}

#[test]
fn special_byte_search_agrees_with_a_byte_loop() {
    let alphabet = b"&<>\"\r\n\t\x01ab:/-0\xc3\xa9";
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for len in 0..70 {
        for _ in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            for from in 0..=len + 1 {
                let slow = |attr: bool| {
                    bytes.get(from..).and_then(|r| {
                        r.iter()
                            .position(|&b| {
                                if attr {
                                    b"&<\"".contains(&b) || b < 0x20
                                } else {
                                    b"&<>\r".contains(&b)
                                }
                            })
                            .map(|i| from + i)
                    })
                };
                assert_eq!(super::find_special::<true>(&bytes, from), slow(true));
                assert_eq!(super::find_special::<false>(&bytes, from), slow(false));
            }
        }
    }
}

#[test]
fn long_texts_and_values_and_buffer_reuse() {
    // Pieces longer than the output chunk, with and without bytes to
    // escape, then a small document on the same thread (the kept buffer).
    let long = "0123456789abcdef".repeat(3000);
    let xml =
        format!("<r xmlns='urn:r'><a v='{long}'>{long}</a><b w='{long}&amp;'>&lt;{long}</b></r>");
    let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
    assert!(compare_all(&doc, "long", &["", "#default"], usize::MAX, true) > 0);
    let small = Document::parse(b"<x a='1'>t</x>", &Limits::default()).unwrap();
    assert!(compare_all(&small, "small", &[""], usize::MAX, true) > 0);
    let mut out = Vec::new();
    super::canonicalize_document(
        &small,
        C14nMethod::Exclusive,
        &InclusivePrefixes::none(),
        &mut out,
    )
    .unwrap();
    assert_eq!(out, b"<x a=\"1\">t</x>");
}

/// Hostile namespace shapes: the steps counted while parsing and
/// canonicalizing (every method, a 32-token PrefixList naming the
/// prefixes) grow linearly with the input, whatever the number of
/// bindings in scope. Limits are raised far past their defaults so that
/// the shapes are not simply refused: the algorithms are linear on their
/// own.
mod linear_work {
    use super::*;
    use crate::xml::work;
    use std::fmt::Write as _;

    fn limits() -> Limits {
        Limits {
            max_namespaces_in_scope: usize::MAX,
            max_attributes_per_element: 100_000,
            max_elements: 1_000_000,
            max_input_bytes: 64 << 20,
            max_text_bytes: 64 << 20,
            ..Limits::default()
        }
    }

    fn decls(prefix: &str, tag: &str, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            write!(s, r#" xmlns:{prefix}{i}="urn:{tag}:{i}""#).unwrap();
        }
        s
    }

    fn uses(prefix: &str, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            write!(s, r#" {prefix}{i}:a="""#).unwrap();
        }
        s
    }

    /// Steps to parse `xml` and canonicalize its root every way, and the
    /// input's length.
    fn steps(xml: &str) -> (u64, usize) {
        work::take();
        let doc = Document::parse(xml.as_bytes(), &limits()).unwrap();
        let list = InclusivePrefixes::parse(
            &(0..InclusivePrefixes::MAX_TOKENS)
                .map(|i| format!("p{i}"))
                .collect::<Vec<_>>()
                .join(" "),
        )
        .unwrap();
        for method in C14nMethod::ALL {
            for list in [&InclusivePrefixes::none(), &list] {
                let mut sink = std::io::sink();
                super::super::canonicalize_document(&doc, method, list, &mut sink).unwrap();
                // The deepest element as apex: its ancestors' declarations.
                let deepest = doc.root().descendants().last().unwrap();
                super::super::canonicalize_element(deepest, None, method, list, &mut sink).unwrap();
            }
        }
        (work::take(), xml.len())
    }

    /// `shape(n)` for n and 4n: the steps must grow at most as the input
    /// (plus 10%), and stay under 8 steps per input byte (for the parse
    /// and 16 canonicalizations together).
    fn assert_linear(what: &str, shape: impl Fn(usize) -> String, n: usize) {
        let per_byte = 8;
        let (small, small_len) = steps(&shape(n));
        let (big, big_len) = steps(&shape(4 * n));
        let growth = big as f64 / small as f64;
        let size_growth = big_len as f64 / small_len as f64;
        println!(
            "{what}: {small} steps / {small_len} bytes -> {big} / {big_len} (x{growth:.2} for x{size_growth:.2})"
        );
        assert!(
            growth <= size_growth * 1.1,
            "{what}: work grew {growth:.2}x for {size_growth:.2}x the input"
        );
        assert!(
            big <= per_byte * big_len as u64,
            "{what}: {big} steps for {big_len} bytes"
        );
    }

    #[test]
    fn many_bindings_in_scope() {
        // A chain of 60 elements declaring `n` prefixes each (p0.. on the
        // outermost, listed in the PrefixList), leaves using the outermost.
        assert_linear(
            "bindings in scope",
            |n| {
                let mut s = String::new();
                for level in 0..60 {
                    write!(
                        s,
                        "<c{}>",
                        decls(if level == 0 { "p" } else { "q" }, &format!("l{level}"), n)
                    )
                    .unwrap();
                }
                for _ in 0..50 {
                    write!(s, "<v{}/>", uses("p", 8)).unwrap();
                }
                s.push_str(&"</c>".repeat(60));
                s
            },
            40,
        );
    }

    #[test]
    fn listed_prefixes_redeclared_on_every_element() {
        assert_linear(
            "PrefixList redeclared",
            |n| {
                let mut s = String::from("<r>");
                for i in 0..n {
                    write!(s, "<e{}/>", decls("p", &i.to_string(), 32)).unwrap();
                }
                s.push_str("</r>");
                s
            },
            100,
        );
    }

    #[test]
    fn rendered_bindings_far_up() {
        // Each level renders its own prefixes; leaves use the outermost
        // level's, rendered far up the stack.
        assert_linear(
            "rendered far up",
            |n| {
                let mut s = String::new();
                for level in 0..60 {
                    write!(
                        s,
                        "<c{}{}>",
                        decls(&format!("l{level}x"), "u", 30),
                        uses(&format!("l{level}x"), 30)
                    )
                    .unwrap();
                }
                for _ in 0..n {
                    write!(s, "<v{}/>", uses("l0x", 30)).unwrap();
                }
                s.push_str(&"</c>".repeat(60));
                s
            },
            200,
        );
    }

    #[test]
    fn many_attributes_per_element() {
        assert_linear(
            "attributes per element",
            |n| {
                let mut s = String::from("<r");
                for i in 0..n {
                    write!(s, " a{i}=\"\" xml:a{i}=\"\"").unwrap();
                }
                s.push_str("><c/></r>");
                s
            },
            500,
        );
    }
}
