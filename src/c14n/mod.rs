//! XML tree -> canonical bytes.
//!
//! Exclusive XML Canonicalization 1.0 (with and without comments, with the
//! `InclusiveNamespaces PrefixList`) and Canonical XML 1.0 (with and without
//! comments), over a whole [`Document`] or over one element's subtree (the
//! node-set of a same-document `#id` reference), optionally leaving out one
//! descendant element (what XML-DSig's enveloped-signature transform does).
//!
//! Output streams into any [`std::io::Write`]; a digest is computed by
//! handing in a hasher adapter, without building the canonical string.
//! The walk is iterative: no input can overflow the stack.
//!
//! Speed: each node is read once, as bytes; an element without children
//! or with one text child is written whole; an element that binds its
//! parent's prefix to its parent's namespace needs no namespace work;
//! bytes to escape are searched 16 at a time; and markup already canonical
//! in the document buffer (` name="value"`, `<name>text</name>`, as
//! usually written) is copied in one piece after its bytes are checked.
//! Output buffer and stacks are kept per thread between calls. The code
//! before this work is kept in `reference.rs` as the oracle of the
//! differential tests in `tests.rs`.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::io::Write;

use crate::bytes::eq_short;
use crate::error::{Error, ErrorKind, Result};
use crate::vocabulary::C14nMethod;
use crate::xml::{
    Document, Element, NodeId, NsKey, RawAttr, RawAttrs, RawKind, RawName, Scope, XML_NS, work,
};

/// The `InclusiveNamespaces PrefixList` parameter of exclusive
/// canonicalization: prefixes whose namespace declarations are rendered as
/// Canonical XML would, whether or not they are visibly used. `#default`
/// names the default namespace. Ignored by the inclusive methods.
///
/// ```
/// use saml_sp::building_blocks::InclusivePrefixes;
/// let list = InclusivePrefixes::parse("xs  #default\txsi")?;
/// assert!(list.contains(None));
/// assert!(list.contains(Some("xs")));
/// assert!(!list.contains(Some("saml")));
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InclusivePrefixes {
    default: bool,
    /// Sorted, without duplicates.
    prefixes: Vec<Box<str>>,
}

impl InclusivePrefixes {
    /// The most tokens a PrefixList may have (duplicates counted). Real
    /// IdPs list at most five (`ds saml samlp xs xsi`); a list is read from
    /// the unauthenticated `SignedInfo`, and each listed prefix is work on
    /// every element that declares it.
    pub const MAX_TOKENS: usize = 32;

    /// An empty list.
    pub fn none() -> Self {
        Self::default()
    }

    /// Parses a whitespace-separated PrefixList, in time linear in its
    /// length.
    ///
    /// # Errors
    /// [`ErrorKind::XmlInvalidName`] for a token that is neither an NCName nor
    /// `#default`; [`ErrorKind::PrefixListTooLong`] for more than
    /// [`MAX_TOKENS`](Self::MAX_TOKENS) tokens.
    ///
    /// ```
    /// use saml_sp::ErrorKind;
    /// use saml_sp::building_blocks::InclusivePrefixes;
    /// let long = vec!["p"; 33].join(" ");
    /// let err = InclusivePrefixes::parse(&long).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::PrefixListTooLong);
    /// ```
    pub fn parse(list: &str) -> Result<Self> {
        let mut out = Self::default();
        for (n, token) in list
            .split([' ', '\t', '\n', '\r'])
            .filter(|t| !t.is_empty())
            .enumerate()
        {
            if n == Self::MAX_TOKENS {
                return Err(Error::new(
                    ErrorKind::PrefixListTooLong,
                    format!("PrefixList has more than {} tokens", Self::MAX_TOKENS),
                ));
            }
            if token == "#default" {
                out.default = true;
            } else if crate::xml::is_ncname(token) {
                out.prefixes.push(token.into());
            } else {
                return Err(Error::new(
                    ErrorKind::XmlInvalidName,
                    format!("PrefixList token {token:?} is not a prefix"),
                ));
            }
        }
        out.prefixes.sort_unstable();
        out.prefixes.dedup();
        Ok(out)
    }

    /// Whether the list names `prefix` (`None`: the default namespace).
    pub fn contains(&self, prefix: Option<&str>) -> bool {
        self.position(prefix).is_some()
    }

    /// A distinct number below `self.prefixes.len() + 1` for each listed
    /// prefix (the last one for `#default`).
    fn position(&self, prefix: Option<&str>) -> Option<usize> {
        match prefix {
            None => self.default.then_some(self.prefixes.len()),
            Some(p) => self.prefixes.binary_search_by(|q| (**q).cmp(p)).ok(),
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        !self.default && self.prefixes.is_empty()
    }
}

/// Canonicalizes a whole document into `out`.
///
/// ```
/// use saml_sp::Limits;
/// use saml_sp::building_blocks::{Document, InclusivePrefixes, canonicalize_document};
/// use saml_sp::vocabulary::C14nMethod;
/// let doc = Document::parse(b"<?xml version=\"1.0\"?>\n<a b='1' a='2'><c/></a>", &Limits::default())?;
/// let mut out = Vec::new();
/// canonicalize_document(&doc, C14nMethod::Exclusive, &InclusivePrefixes::none(), &mut out)?;
/// assert_eq!(out, b"<a a=\"2\" b=\"1\"><c></c></a>");
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Io`] if `out` fails.
pub fn canonicalize_document<W: Write>(
    doc: &Document,
    method: C14nMethod,
    prefixes: &InclusivePrefixes,
    out: &mut W,
) -> Result<()> {
    Canonicalizer::new(doc, method, prefixes, None, out).run(doc.document_id())
}

/// Canonicalizes the subtree of `element` into `out`, as the node-set of a
/// same-document `#id` reference, leaving out `exclude` (and its subtree)
/// when it is a descendant of `element`.
///
/// ```
/// use saml_sp::Limits;
/// use saml_sp::building_blocks::{Document, InclusivePrefixes, canonicalize_element};
/// use saml_sp::vocabulary::C14nMethod;
/// let doc = Document::parse(
///     br#"<r xmlns="urn:r" xmlns:p="urn:p"><p:a ID="x"><p:b/></p:a></r>"#,
///     &Limits::default(),
/// )?;
/// let a = doc.element_by_id("x").unwrap();
/// let mut out = Vec::new();
/// canonicalize_element(a, None, C14nMethod::Exclusive, &InclusivePrefixes::none(), &mut out)?;
/// assert_eq!(out, br#"<p:a xmlns:p="urn:p" ID="x"><p:b></p:b></p:a>"#);
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::Io`] if `out` fails.
pub fn canonicalize_element<W: Write>(
    element: Element<'_>,
    exclude: Option<Element<'_>>,
    method: C14nMethod,
    prefixes: &InclusivePrefixes,
    out: &mut W,
) -> Result<()> {
    let doc = element.document();
    let exclude = exclude
        .filter(|e| std::ptr::eq(e.document(), doc))
        .map(|e| e.node_id());
    Canonicalizer::new(doc, method, prefixes, exclude, out).run(element.node_id())
}

/// Output buffered in chunks so hashers and writers see few, large writes.
struct Out<'w, W: Write> {
    w: &'w mut W,
    buf: Vec<u8>,
}

const CHUNK: usize = 8 * 1024;

impl<W: Write> Out<'_, W> {
    #[inline]
    fn push(&mut self, s: &[u8]) -> Result<()> {
        self.buf.extend_from_slice(s);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    /// Appends short markup (`<`, `="`, ...) without a flush check: the
    /// buffer has room past [`CHUNK`] and the next [`push`](Self::push)
    /// flushes.
    #[inline]
    fn mark(&mut self, s: &'static [u8]) {
        match s {
            [b] => self.buf.push(*b),
            [a, b] => self.buf.extend_from_slice(&[*a, *b]),
            _ => self.buf.extend_from_slice(s),
        }
    }

    fn flush(&mut self) -> Result<()> {
        self.w
            .write_all(&self.buf)
            .map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        self.buf.clear();
        Ok(())
    }

    /// Writes `s` escaped as text (`ATTR == false`) or as an attribute
    /// value (`ATTR == true`).
    #[inline(always)]
    fn escaped<const ATTR: bool>(&mut self, s: &[u8]) -> Result<()> {
        self.escaped_from::<ATTR>(s, find_special::<ATTR>(s, 0))
    }

    /// [`escaped`](Self::escaped), given where the first special byte is.
    #[inline(always)]
    fn escaped_from<const ATTR: bool>(&mut self, s: &[u8], first: Option<usize>) -> Result<()> {
        let mut run = 0;
        let mut next = first;
        // Runs of bytes that need no escape are copied at once (none of the
        // special bytes is >= 0x80, so runs end on character boundaries).
        while let Some(i) = next {
            self.push(s.get(run..i).unwrap_or_default())?;
            match s.get(i).and_then(|&b| escape::<ATTR>(b)) {
                Some(rep) => self.push(rep)?,
                None => self.push(s.get(i..=i).unwrap_or_default())?,
            }
            run = i + 1;
            next = find_special::<ATTR>(s, run);
        }
        self.push(s.get(run..).unwrap_or_default())
    }
}

/// Whether `b` may need an escape: `&`, `<`, `>` and CR in text; `&`, `<`,
/// `"` and the bytes below 0x20 in attribute values (document strings hold
/// no control characters other than tab, LF and CR: the parser refuses the
/// others). 1 or 0, without short-circuits, so that LLVM checks 16 bytes
/// at once (SSE2 compares; with `bool`s and `|=`, its SLP vectorizer
/// emitted a long shuffle sequence for the text set instead).
#[inline(always)]
fn special<const ATTR: bool>(b: u8) -> u8 {
    if ATTR {
        u8::from(b == b'&') | u8::from(b == b'<') | u8::from(b == b'"') | u8::from(b < 0x20)
    } else {
        u8::from(b == b'&') | u8::from(b == b'<') | u8::from(b == b'>') | u8::from(b == b'\r')
    }
}

#[inline(always)]
fn is_special<const ATTR: bool>(b: u8) -> bool {
    special::<ATTR>(b) != 0
}

/// Whether any byte of a 16-byte block is special (see [`special`]).
#[inline(always)]
fn any_special<const ATTR: bool>(block: &[u8; 16]) -> bool {
    let mut acc = 0u8;
    for &b in block {
        acc |= special::<ATTR>(b);
    }
    acc != 0
}

/// The special bytes of an 8-byte word, flagged by their high bit (the
/// lowest flag exact: a false flag only ever sits above a true one).
#[inline(always)]
fn special_word<const ATTR: bool>(w: u64) -> u64 {
    use crate::bytes::{control_bytes, eq_bytes};
    if ATTR {
        eq_bytes(w, b'&') | eq_bytes(w, b'<') | eq_bytes(w, b'"') | control_bytes(w)
    } else {
        eq_bytes(w, b'&') | eq_bytes(w, b'<') | eq_bytes(w, b'>') | eq_bytes(w, b'\r')
    }
}

/// The position of the first special byte of `bytes`, one at a time.
#[inline(always)]
fn first_special<const ATTR: bool>(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| is_special::<ATTR>(b))
}

/// The first special byte at or after `from`: 16 bytes at a time (a tail
/// shorter than 16 as the last 16 bytes, overlapping bytes already found
/// clean), two overlapping words for 8 to 15 bytes, a byte loop below.
/// No padding copies: short strings are the common case.
#[inline(always)]
fn find_special<const ATTR: bool>(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let n = rest.len();
    if n >= 16 {
        let mut chunks = rest.chunks_exact(16);
        let mut offset = from;
        for chunk in chunks.by_ref() {
            if let Ok(block) = <&[u8; 16]>::try_from(chunk) {
                if any_special::<ATTR>(block) {
                    return first_special::<ATTR>(chunk).map(|i| offset + i);
                }
            }
            offset += 16;
        }
        let tail = chunks.remainder();
        let last = rest
            .get(n - 16..)
            .and_then(|l| <&[u8; 16]>::try_from(l).ok());
        if tail.is_empty() || last.is_some_and(|l| !any_special::<ATTR>(l)) {
            return None;
        }
        first_special::<ATTR>(tail).map(|i| offset + i)
    } else if n >= 8 {
        let word = |at: usize| {
            rest.get(at..at + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map_or(0, |w| special_word::<ATTR>(u64::from_le_bytes(w)))
        };
        let head = word(0);
        if head != 0 {
            return Some(from + (head.trailing_zeros() / 8) as usize);
        }
        let last = word(n - 8);
        (last != 0).then(|| from + n - 8 + (last.trailing_zeros() / 8) as usize)
    } else {
        first_special::<ATTR>(rest).map(|i| from + i)
    }
}

/// The escape of a special byte; `None` for one that is kept as it is (a
/// control byte other than tab, LF and CR, which the parser never lets in).
#[inline]
fn escape<const ATTR: bool>(b: u8) -> Option<&'static [u8]> {
    if ATTR {
        match b {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'"' => Some(b"&quot;"),
            b'\t' => Some(b"&#x9;"),
            b'\n' => Some(b"&#xA;"),
            b'\r' => Some(b"&#xD;"),
            _ => None,
        }
    } else {
        match b {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\r' => Some(b"&#xD;"),
            _ => None,
        }
    }
}

const TEXT: bool = false;
const ATTR: bool = true;

/// A namespace node: (prefix or empty for the default namespace, namespace
/// name or empty).
type NsNode<'d> = (&'d [u8], &'d [u8]);

/// An open output element.
struct Open<'d> {
    /// For the end tag.
    qname: &'d [u8],
    /// The element's prefix and namespace name: after its start tag they
    /// are the rendered binding of that prefix (exclusive methods).
    prefix: &'d [u8],
    ns: NsKey,
    /// `rendered.len()` before the start tag.
    mark: usize,
}

struct Canonicalizer<'d, 'p, 'w, W: Write> {
    doc: &'d Document,
    /// [`Document::raw_buf`].
    buf: &'d [u8],
    method: C14nMethod,
    exclusive: bool,
    prefixes: &'p InclusivePrefixes,
    exclude: Option<NodeId>,
    out: Out<'w, W>,
    /// Namespace declarations rendered by output ancestors and the current
    /// element, innermost last: prefix -> namespace name, found in O(1).
    rendered: Scope<&'d [u8], &'d [u8], &'d [u8]>,
    /// The open output elements, innermost last.
    open: Vec<Open<'d>>,
    /// The namespace nodes the current element renders, in the order
    /// found (sorted before output).
    ns_scratch: Vec<NsNode<'d>>,
    attr_scratch: Vec<RawAttr<'d>>,
    /// Which prefixes of the PrefixList were found in scope at the apex.
    listed_seen: Vec<bool>,
}

impl<'d, 'p, 'w, W: Write> Canonicalizer<'d, 'p, 'w, W> {
    fn new(
        doc: &'d Document,
        method: C14nMethod,
        prefixes: &'p InclusivePrefixes,
        exclude: Option<NodeId>,
        w: &'w mut W,
    ) -> Self {
        // Room for usual documents: no regrowth on the way. (Keeping these
        // per thread between calls saved 0.4% of a 5 KB verify's
        // instructions and 0.3% at 100 KB (callgrind): not worth keeping
        // canonical output around after a call.)
        let buf = Vec::with_capacity(CHUNK + 256);
        let mut rendered = Scope::new();
        rendered.reserve(8);
        let open = Vec::with_capacity(16);
        let ns = Vec::with_capacity(4);
        Self {
            doc,
            buf: doc.raw_buf(),
            method,
            exclusive: method.is_exclusive(),
            prefixes,
            exclude,
            out: Out { w, buf },
            rendered,
            open,
            ns_scratch: ns,
            attr_scratch: Vec::new(),
            listed_seen: Vec::new(),
        }
    }

    /// Walks the subtree of `apex` in document order, without recursion:
    /// each node is read once on the way down ([`Document::raw_node`]);
    /// on the way up, end tags are written and only the links of the
    /// ancestors are read.
    fn run(mut self, apex: NodeId) -> Result<()> {
        let document_level = apex == self.doc.document_id();
        let root = self.doc.root_id();
        let mut after_root = false;
        let mut id = apex;
        'walk: loop {
            work::tally(1);
            let node = self.doc.raw_node(id);
            // Whether an element's start tag was written and its end tag is
            // due: then its children are walked.
            let mut open = false;
            match node.kind {
                RawKind::Document => {}
                RawKind::Element(el, name, attrs) => {
                    if Some(id) != self.exclude || id == apex {
                        let qname = name.qname();
                        let at = name.qname_at();
                        let (mark, bare) =
                            self.start_tag(el, name, qname, at, attrs, id == apex)?;
                        // An element without children or with one text
                        // child (most of them) is written whole.
                        let whole = match node.first_child {
                            None => Some((&[][..], 0)),
                            Some(child) => self.doc.last_text(child),
                        };
                        if let Some((text, text_at)) = whole {
                            let special = find_special::<TEXT>(text, 0);
                            let run = match (bare, special) {
                                (true, None) => self.source_element(qname, at, text, text_at),
                                _ => None,
                            };
                            if let Some(run) = run {
                                self.out.push(run)?;
                            } else {
                                if bare {
                                    self.bare_start_tag(qname, at)?;
                                }
                                if !text.is_empty() {
                                    self.out.escaped_from::<TEXT>(text, special)?;
                                }
                                self.out.mark(b"</");
                                self.out.push(qname)?;
                                self.out.mark(b">");
                            }
                            self.rendered.truncate(mark, |p| *p);
                            if id == root {
                                after_root = true;
                            }
                        } else {
                            if bare {
                                self.bare_start_tag(qname, at)?;
                            }
                            self.open.push(Open {
                                qname,
                                prefix: name.prefix(),
                                ns: name.ns_key(),
                                mark,
                            });
                            open = true;
                        }
                    }
                }
                RawKind::Text(text) => self.out.escaped::<TEXT>(text)?,
                RawKind::Comment(text) => {
                    if self.method.with_comments() {
                        // Separators around comments and PIs outside the
                        // document element (Canonical XML 1.0, 2.1).
                        let top = document_level && node.parent == Some(apex);
                        if top && after_root {
                            self.out.push(b"\n")?;
                        }
                        self.out.push(b"<!--")?;
                        self.out.push(text)?;
                        self.out.push(b"-->")?;
                        if top && !after_root {
                            self.out.push(b"\n")?;
                        }
                    }
                }
                RawKind::Pi(target, data) => {
                    let top = document_level && node.parent == Some(apex);
                    if top && after_root {
                        self.out.push(b"\n")?;
                    }
                    self.out.push(b"<?")?;
                    self.out.push(target)?;
                    if !data.is_empty() {
                        self.out.push(b" ")?;
                        self.out.push(data)?;
                    }
                    self.out.push(b"?>")?;
                    if top && !after_root {
                        self.out.push(b"\n")?;
                    }
                }
            }
            if open || (document_level && id == apex) {
                if let Some(child) = node.first_child {
                    id = child;
                    continue;
                }
            }
            // Leave `id` and the ancestors it is the last child of.
            let (mut next_sibling, mut parent) = (node.next_sibling, node.parent);
            loop {
                if open {
                    self.end_tag()?;
                    if id == root {
                        after_root = true;
                    }
                }
                if id == apex {
                    break 'walk;
                }
                if let Some(sibling) = next_sibling {
                    id = sibling;
                    continue 'walk;
                }
                let Some(up) = parent else {
                    break 'walk;
                };
                id = up;
                // Every ancestor below the apex is an open element; the
                // apex is one unless it is the document node.
                open = !(document_level && id == apex);
                (next_sibling, parent) = self.doc.sibling_and_parent(id);
            }
        }
        self.out.flush()
    }

    #[inline]
    fn rendered_uri(&self, prefix: &[u8]) -> Option<&'d [u8]> {
        self.rendered.get(prefix, |p| eq_short(p, prefix))
    }

    /// Decides whether the namespace node (prefix, uri) must be rendered on
    /// the current element, given what output ancestors and the element
    /// itself rendered; if so it is recorded as rendered at once. A prefix
    /// has one namespace at one element, so considering it twice changes
    /// nothing the second time: no list of what was considered is needed.
    #[inline]
    fn consider(&mut self, prefix: &'d [u8], uri: &'d [u8]) {
        work::tally(1);
        if eq_short(prefix, b"xml") {
            return;
        }
        let current = self.rendered_uri(prefix);
        let render = if uri.is_empty() {
            // Only the default namespace can be empty: render xmlns="" only
            // to undo a non-empty default rendered above.
            current.is_some_and(|c| !c.is_empty())
        } else {
            !current.is_some_and(|c| same_bytes(c, uri))
        };
        if render {
            self.ns_scratch.push((prefix, uri));
            self.rendered.push(prefix, prefix, uri);
        }
    }

    /// The namespace nodes of the PrefixList on the apex: each listed
    /// prefix's binding in scope there, found in one walk over the
    /// declarations of the apex and its ancestors (the nearest wins).
    fn consider_prefix_list_in_scope(&mut self, el: Element<'d>) {
        let prefixes = self.prefixes;
        let mut seen = std::mem::take(&mut self.listed_seen);
        seen.clear();
        seen.resize(prefixes.prefixes.len() + 1, false);
        let mut current = Some(el);
        while let Some(e) = current {
            work::tally(1 + e.namespace_declarations().len());
            for (prefix, uri) in e.namespace_declarations() {
                if let Some(slot) = prefixes.position(prefix).and_then(|i| seen.get_mut(i)) {
                    if !std::mem::replace(slot, true) {
                        self.consider(prefix.unwrap_or("").as_bytes(), uri.as_bytes());
                    }
                }
            }
            current = e.parent();
        }
        self.listed_seen = seen;
    }

    /// The namespace nodes of the PrefixList below the apex: only the
    /// element's own declarations can change them. (Its parent is an output
    /// element too, whose start tag left every listed prefix in scope
    /// rendered with its binding; a binding the element does not redeclare
    /// is the parent's, so it would not be rendered again.)
    fn consider_prefix_list_declared(&mut self, el: Element<'d>) {
        let prefixes = self.prefixes;
        work::tally(el.namespace_declarations().len());
        for (prefix, uri) in el.namespace_declarations() {
            if prefixes.contains(prefix) {
                self.consider(prefix.unwrap_or("").as_bytes(), uri.as_bytes());
            }
        }
    }

    /// Inclusive methods: the namespace nodes to consider on `el`.
    fn consider_inclusive(&mut self, el: Element<'d>, is_apex: bool) {
        if is_apex {
            // Every namespace in scope: the nearest declaration of a prefix
            // wins (one walk; a set of the prefixes met, in O(1) each).
            let mut met: HashSet<&'d [u8]> = HashSet::new();
            let mut current = Some(el);
            while let Some(e) = current {
                work::tally(1 + e.namespace_declarations().len());
                for (prefix, uri) in e.namespace_declarations() {
                    let prefix = prefix.unwrap_or("").as_bytes();
                    if met.insert(prefix) {
                        self.consider(prefix, uri.as_bytes());
                    }
                }
                current = e.parent();
            }
        } else {
            for (prefix, uri) in el.namespace_declarations() {
                self.consider(prefix.unwrap_or("").as_bytes(), uri.as_bytes());
            }
        }
    }

    /// Inclusive methods: the apex inherits the `xml:*` attributes of its
    /// ancestors that it does not carry itself; they join `attr_scratch`.
    fn inherit_xml_attributes(&mut self, el: Element<'d>) {
        // The nearest carrier of an `xml:*` attribute wins: one walk, a set
        // of the local names met.
        let xml = XML_NS.as_bytes();
        let mut met: HashSet<&'d [u8]> = self
            .attr_scratch
            .iter()
            .filter(|a| a.ns() == xml)
            .map(|a| a.local())
            .collect();
        let mut current = el.parent();
        while let Some(e) = current {
            work::tally(1 + e.raw_parts().1.len());
            for attr in e.raw_parts().1 {
                if attr.ns() == xml && met.insert(attr.local()) {
                    self.attr_scratch.push(attr);
                }
            }
            current = e.parent();
        }
    }

    #[inline(always)]
    fn start_tag(
        &mut self,
        el: Element<'d>,
        name: RawName<'d>,
        qname: &'d [u8],
        at: usize,
        attrs: RawAttrs<'d>,
        is_apex: bool,
    ) -> Result<(usize, bool)> {
        let mark = self.rendered.len();
        self.ns_scratch.clear();

        // Namespace nodes to render; whether the attributes are already in
        // canonical order (usual: 0 to 3 of them, written in order).
        let mut sorted = true;
        let mut prev: Option<RawAttr<'d>> = None;
        if self.exclusive {
            // Visibly utilized prefixes: the element's and its attributes'.
            // The element's binding is the parent's most of the time, and
            // then rendered already.
            let inherited = self
                .open
                .last()
                .is_some_and(|o| o.ns == name.ns_key() && eq_short(o.prefix, name.prefix()));
            if !inherited {
                self.consider(name.prefix(), name.ns());
            }
            for attr in attrs.clone() {
                if attr.is_prefixed() && attr.has_ns() {
                    self.consider(attr.prefix(), attr.ns());
                }
                if let Some(p) = prev {
                    sorted &= attr_order(&p, &attr) != Ordering::Greater;
                }
                prev = Some(attr);
            }
            if !self.prefixes.is_empty() {
                if is_apex {
                    self.consider_prefix_list_in_scope(el);
                } else {
                    self.consider_prefix_list_declared(el);
                }
            }
        } else {
            self.consider_inclusive(el, is_apex);
            for attr in attrs.clone() {
                if let Some(p) = prev {
                    sorted &= attr_order(&p, &attr) != Ordering::Greater;
                }
                prev = Some(attr);
            }
        }

        if self.ns_scratch.len() > 1 {
            // Prefixes are distinct: no stability needed.
            self.ns_scratch.sort_unstable_by(|a, b| cmp_bytes(a.0, b.0));
        }

        let inherit = is_apex && !self.exclusive;
        if self.ns_scratch.is_empty() && attrs.len() == 0 && !inherit {
            // `<qname>`: left to the caller, who may find the whole
            // element canonical in the buffer already.
            return Ok((mark, true));
        }
        match self.source(at.wrapping_sub(1), at + qname.len()) {
            Some(run) if run.first() == Some(&b'<') => self.out.push(run)?,
            _ => {
                self.out.mark(b"<");
                self.out.push(qname)?;
            }
        }
        for &(prefix, uri) in &self.ns_scratch {
            if prefix.is_empty() {
                self.out.push(b" xmlns=\"")?;
            } else {
                self.out.push(b" xmlns:")?;
                self.out.push(prefix)?;
                self.out.push(b"=\"")?;
            }
            self.out.escaped::<ATTR>(uri)?;
            self.out.mark(b"\"");
        }
        if sorted && !inherit {
            for attr in attrs {
                self.attribute(&attr)?;
            }
        } else {
            self.attr_scratch.clear();
            self.attr_scratch.extend(attrs);
            if inherit {
                self.inherit_xml_attributes(el);
            }
            // Expanded names are distinct: no stability needed.
            self.attr_scratch.sort_unstable_by(attr_order);
            let list = std::mem::take(&mut self.attr_scratch);
            for attr in &list {
                self.attribute(attr)?;
            }
            self.attr_scratch = list;
        }
        self.out.mark(b">");
        Ok((mark, false))
    }

    /// `buf[from..to]`, a run of the document buffer.
    #[inline(always)]
    fn source(&self, from: usize, to: usize) -> Option<&'d [u8]> {
        self.buf.get(from..to)
    }

    /// Writes `<qname>`, in one piece when the buffer has it.
    #[inline(always)]
    fn bare_start_tag(&mut self, qname: &'d [u8], at: usize) -> Result<()> {
        match self.source(at.wrapping_sub(1), at + qname.len() + 1) {
            Some(run) if run.first() == Some(&b'<') && run.last() == Some(&b'>') => {
                self.out.push(run)
            }
            _ => {
                self.out.mark(b"<");
                self.out.push(qname)?;
                self.out.mark(b">");
                Ok(())
            }
        }
    }

    /// `<qname>text</qname>` as one run of the buffer, when the buffer has
    /// exactly those bytes there (usually: the element as written in the
    /// input). The caller knows that this is the canonical form: a bare
    /// start tag and a text that needs no escape.
    #[inline(always)]
    fn source_element(
        &self,
        qname: &[u8],
        at: usize,
        text: &[u8],
        text_at: usize,
    ) -> Option<&'d [u8]> {
        let name_end = at + qname.len();
        if text_at != name_end + 1 {
            return None;
        }
        let text_end = text_at + text.len();
        let end = text_end + qname.len() + 3;
        let run = self.source(at.checked_sub(1)?, end)?;
        let open = run.first() == Some(&b'<') && self.buf.get(name_end) == Some(&b'>');
        let close = self.source(text_end, end)?;
        let closes = close.get(..2) == Some(b"</")
            && close.last() == Some(&b'>')
            && close
                .get(2..2 + qname.len())
                .is_some_and(|n| eq_words(n, qname));
        (open && closes).then_some(run)
    }

    #[inline(always)]
    fn attribute(&mut self, attr: &RawAttr<'d>) -> Result<()> {
        let (qname, value) = (attr.qname(), attr.value());
        let special = find_special::<ATTR>(value, 0);
        if special.is_none() {
            // ` qname="value"` as one run of the buffer when it has exactly
            // those bytes there (usually: the attribute as written).
            let (at, value_at) = (attr.qname_at(), attr.value_at());
            let name_end = at + qname.len();
            if value_at == name_end + 2 {
                let run = self.source(at.wrapping_sub(1), value_at + value.len() + 1);
                if let Some(run) = run.filter(|r| {
                    r.first() == Some(&b' ')
                        && r.last() == Some(&b'"')
                        && self.buf.get(name_end..value_at) == Some(b"=\"")
                }) {
                    return self.out.push(run);
                }
            }
        }
        self.out.mark(b" ");
        self.out.push(qname)?;
        self.out.mark(b"=\"");
        self.out.escaped_from::<ATTR>(value, special)?;
        self.out.mark(b"\"");
        Ok(())
    }

    fn end_tag(&mut self) -> Result<()> {
        let Some(open) = self.open.pop() else {
            return Ok(());
        };
        self.out.mark(b"</");
        self.out.push(open.qname)?;
        self.out.mark(b">");
        self.rendered.truncate(open.mark, |p| *p);
        Ok(())
    }
}

/// Canonical attribute order: by namespace name (none first), then local
/// name, bytewise. Namespace names are compared by their place in the
/// document's sorted namespace names (one integer comparison however long
/// they are), local names in place.
#[inline(always)]
fn attr_order(a: &RawAttr<'_>, b: &RawAttr<'_>) -> Ordering {
    let ns = match (a.has_ns(), b.has_ns()) {
        (false, false) => Ordering::Equal,
        (false, true) => Ordering::Less,
        (true, false) => Ordering::Greater,
        // Namespace names are interned: one id per name.
        (true, true) if a.ns_key() == b.ns_key() => Ordering::Equal,
        (true, true) => a.ns_rank().cmp(&b.ns_rank()),
    };
    ns.then_with(|| cmp_bytes(a.local(), b.local()))
}

/// Bytewise order, compared in place (`Ord` on slices calls `memcmp`, even
/// for the empty and very short names compared here).
#[inline]
fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Byte equality of names, a word at a time: two overlapping words for 8
/// to 16 bytes (as `memcmp` does for short sizes, but inline).
#[inline(always)]
fn eq_words(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    if (8..=16).contains(&n) {
        word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8)
    } else {
        a == b
    }
}

/// Byte equality with a shortcut for the same slice (namespace names of
/// elements and attributes point into one interned table).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && (std::ptr::eq(a.as_ptr(), b.as_ptr()) || a == b)
}

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
