//! The canonicalizer as it was before the speed work (commit b782120),
//! kept verbatim as the oracle of the differential tests in `super::tests`:
//! the fast walk must produce the same bytes on every input, method, apex,
//! excluded element and PrefixList.
#![allow(clippy::indexing_slicing, dead_code)]

use std::io::Write;

use super::{C14nMethod, InclusivePrefixes};
use crate::error::{Error, ErrorKind, Result};
use crate::xml::{Document, Element, NodeId, NodeView, Step, XML_NS};

/// [`super::canonicalize_element`], the old way.
pub(super) fn canonicalize_element<W: Write>(
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

/// [`super::canonicalize_document`], the old way.
pub(super) fn canonicalize_document<W: Write>(
    doc: &Document,
    method: C14nMethod,
    prefixes: &InclusivePrefixes,
    out: &mut W,
) -> Result<()> {
    Canonicalizer::new(doc, method, prefixes, None, out).run(doc.document_id())
}

/// Output buffered in chunks so hashers and writers see few, large writes.
struct Out<'w, W: Write> {
    w: &'w mut W,
    buf: Vec<u8>,
}

const CHUNK: usize = 8 * 1024;

impl<W: Write> Out<'_, W> {
    fn push(&mut self, s: &str) -> Result<()> {
        self.buf.extend_from_slice(s.as_bytes());
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

    /// Writes `s` with each of `specials` replaced by its escape.
    #[inline]
    fn escaped(&mut self, s: &str, escape: impl Fn(u8) -> Option<&'static str>) -> Result<()> {
        let bytes = s.as_bytes();
        let mut run = 0;
        // Runs of bytes that need no escape are found eight bytes at a time
        // and copied at once (none of the special bytes is >= 0x80, so runs
        // always end on character boundaries).
        while let Some(i) = crate::bytes::find_with(bytes, run, special_word, |b| {
            crate::xml::byte_class(&SPECIAL, b)
        }) {
            self.push(s.get(run..i).unwrap_or_default())?;
            if let Some(rep) = bytes.get(i).and_then(|b| escape(*b)) {
                self.push(rep)?;
            } else {
                self.push(s.get(i..=i).unwrap_or_default())?;
            }
            run = i + 1;
        }
        self.push(s.get(run..).unwrap_or_default())
    }
}

/// Flags the bytes of [`SPECIAL`] in an 8-byte word (at least the first of
/// them exactly). Document strings hold no control characters other than
/// tab, LF and CR (the parser refuses the others), so "below 0x20" is
/// exactly those three.
#[inline(always)]
fn special_word(w: u64) -> u64 {
    use crate::bytes::{control_bytes, eq_bytes};
    eq_bytes(w, b'&') | eq_bytes(w, b'<') | eq_bytes(w, b'>') | eq_bytes(w, b'"') | control_bytes(w)
}

/// Every byte either escape function may replace: `&`, `<`, `>`, `"`, tab,
/// LF, CR. A byte in this set that the current escape function keeps (such
/// as `"` in text) is copied as it is.
#[allow(clippy::indexing_slicing)] // constant indices below 256
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[b'\r' as usize] = true;
    table
};

fn escape_text(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    }
}

fn escape_attr(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'"' => Some("&quot;"),
        b'\t' => Some("&#x9;"),
        b'\n' => Some("&#xA;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    }
}

/// An attribute to render: (namespace or "", local name, qualified name,
/// value).
type AttrOut<'d> = (&'d str, &'d str, &'d str, &'d str);

struct Canonicalizer<'d, 'p, 'w, W: Write> {
    doc: &'d Document,
    method: C14nMethod,
    prefixes: &'p InclusivePrefixes,
    exclude: Option<NodeId>,
    out: Out<'w, W>,
    /// Namespace declarations rendered by output ancestors, innermost last:
    /// (prefix or "" for the default namespace, namespace name or "").
    rendered: Vec<(&'d str, &'d str)>,
    marks: Vec<usize>,
    /// Qualified names of the open output elements, for their end tags.
    qnames: Vec<&'d str>,
    ns_scratch: Vec<(&'d str, &'d str)>,
    attr_scratch: Vec<AttrOut<'d>>,
    scope_scratch: Vec<(&'d str, &'d str)>,
}

impl<'d, 'p, 'w, W: Write> Canonicalizer<'d, 'p, 'w, W> {
    fn new(
        doc: &'d Document,
        method: C14nMethod,
        prefixes: &'p InclusivePrefixes,
        exclude: Option<NodeId>,
        w: &'w mut W,
    ) -> Self {
        Self {
            doc,
            method,
            prefixes,
            exclude,
            out: Out {
                w,
                buf: Vec::with_capacity(CHUNK + 256),
            },
            rendered: Vec::new(),
            marks: Vec::new(),
            qnames: Vec::new(),
            ns_scratch: Vec::new(),
            attr_scratch: Vec::new(),
            scope_scratch: Vec::new(),
        }
    }

    fn run(mut self, apex: NodeId) -> Result<()> {
        let document_level = apex == self.doc.document_id();
        let root = self.doc.root_id();
        let mut after_root = false;
        let mut walk = self.doc.walk(apex);
        while let Some(step) = walk.next_step() {
            match step {
                Step::Enter(id) => {
                    if Some(id) == self.exclude && id != apex {
                        walk.skip_children(id);
                        continue;
                    }
                    // Separators around comments and PIs outside the
                    // document element (Canonical XML 1.0, section 2.1).
                    let top = document_level && self.doc.parent_of(id) == Some(apex);
                    match self.doc.view(id) {
                        NodeView::Document => {}
                        NodeView::Element(el) => self.start_tag(el, id == apex)?,
                        NodeView::Text(text) => self.out.escaped(text, escape_text)?,
                        NodeView::Comment(text) => {
                            if self.method.with_comments() {
                                if top && after_root {
                                    self.out.push("\n")?;
                                }
                                self.out.push("<!--")?;
                                self.out.push(text)?;
                                self.out.push("-->")?;
                                if top && !after_root {
                                    self.out.push("\n")?;
                                }
                            }
                        }
                        NodeView::Pi(target, data) => {
                            if top && after_root {
                                self.out.push("\n")?;
                            }
                            self.out.push("<?")?;
                            self.out.push(target)?;
                            if !data.is_empty() {
                                self.out.push(" ")?;
                                self.out.push(data)?;
                            }
                            self.out.push("?>")?;
                            if top && !after_root {
                                self.out.push("\n")?;
                            }
                        }
                    }
                }
                Step::Leave(id) => {
                    if Some(id) == self.exclude && id != apex {
                        continue;
                    }
                    if self.doc.is_element(id) {
                        self.end_tag()?;
                        if id == root {
                            after_root = true;
                        }
                    }
                }
            }
        }
        self.out.flush()
    }

    fn rendered_uri(&self, prefix: &str) -> Option<&'d str> {
        self.rendered
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map(|(_, uri)| *uri)
    }

    /// Decides whether the namespace node (prefix, uri) must be rendered on
    /// the current element, given what output ancestors rendered.
    fn consider(&mut self, prefix: &'d str, uri: &'d str) {
        if prefix == "xml" || self.ns_scratch.iter().any(|(p, _)| *p == prefix) {
            return;
        }
        let current = self.rendered_uri(prefix);
        let render = if uri.is_empty() {
            // Only the default namespace can be empty: render xmlns="" only
            // to undo a non-empty default rendered above.
            current.is_some_and(|c| !c.is_empty())
        } else {
            !current.is_some_and(|c| same_str(c, uri))
        };
        if render {
            self.ns_scratch.push((prefix, uri));
        }
    }

    fn start_tag(&mut self, el: Element<'d>, is_apex: bool) -> Result<()> {
        self.marks.push(self.rendered.len());
        self.ns_scratch.clear();
        self.attr_scratch.clear();
        let (el_prefix, el_ns, qname) = el.name_parts();
        self.qnames.push(qname);
        for attr in el.attributes() {
            self.attr_scratch.push((
                attr.namespace().unwrap_or(""),
                attr.local_name(),
                attr.qname(),
                attr.value(),
            ));
        }

        if self.method.is_exclusive() {
            // Visibly utilized prefixes: the element's and its attributes'.
            self.consider(el_prefix, el_ns);
            for i in 0..self.attr_scratch.len() {
                let Some(&(ns, local, qname, _)) = self.attr_scratch.get(i) else {
                    break;
                };
                // A prefixed attribute's qualified name is `prefix:local`.
                let prefix_len = qname.len().saturating_sub(local.len() + 1);
                if prefix_len > 0 && !ns.is_empty() {
                    if let Some(prefix) = qname.get(..prefix_len) {
                        self.consider(prefix, ns);
                    }
                }
            }
            let prefixes = self.prefixes;
            if prefixes.contains(None) {
                self.consider("", el.lookup_namespace(None).unwrap_or(""));
            }
            for prefix in &prefixes.prefixes {
                if let Some(uri) = el.lookup_namespace(Some(prefix)) {
                    // The list outlives the walk only as `'p`; find the same
                    // prefix string in the document so it lives as `'d`.
                    if let Some(p) = in_scope_prefix(el, prefix) {
                        self.consider(p, uri);
                    }
                }
            }
        } else if is_apex {
            // Every namespace in scope: the nearest declaration of a prefix
            // wins.
            let mut in_scope = std::mem::take(&mut self.scope_scratch);
            in_scope.clear();
            let mut current = Some(el);
            while let Some(e) = current {
                for (prefix, uri) in e.namespace_declarations() {
                    let prefix = prefix.unwrap_or("");
                    if !in_scope.iter().any(|(p, _)| *p == prefix) {
                        in_scope.push((prefix, uri));
                    }
                }
                current = e.parent();
            }
            for &(prefix, uri) in &in_scope {
                self.consider(prefix, uri);
            }
            self.scope_scratch = in_scope;
        } else {
            for (prefix, uri) in el.namespace_declarations() {
                self.consider(prefix.unwrap_or(""), uri);
            }
        }

        // Attributes (collected above): in inclusive mode, the apex inherits
        // the xml:* attributes of its ancestors that it does not carry itself.
        if is_apex && !self.method.is_exclusive() {
            let mut current = el.parent();
            while let Some(e) = current {
                for attr in e.attributes() {
                    let inherited = attr.namespace() == Some(XML_NS)
                        && !self
                            .attr_scratch
                            .iter()
                            .any(|(ns, local, _, _)| *ns == XML_NS && *local == attr.local_name());
                    if inherited {
                        self.attr_scratch.push((
                            XML_NS,
                            attr.local_name(),
                            attr.qname(),
                            attr.value(),
                        ));
                    }
                }
                current = e.parent();
            }
        }

        if self.ns_scratch.len() > 1 {
            self.ns_scratch.sort_by(|a, b| a.0.cmp(b.0));
        }
        if self.attr_scratch.len() > 1 {
            self.attr_scratch
                .sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        }

        self.out.mark(b"<");
        self.out.push(qname)?;
        for i in 0..self.ns_scratch.len() {
            let Some(&(prefix, uri)) = self.ns_scratch.get(i) else {
                break;
            };
            if prefix.is_empty() {
                self.out.push(" xmlns=\"")?;
            } else {
                self.out.push(" xmlns:")?;
                self.out.push(prefix)?;
                self.out.push("=\"")?;
            }
            self.out.escaped(uri, escape_attr)?;
            self.out.mark(b"\"");
            self.rendered.push((prefix, uri));
        }
        for i in 0..self.attr_scratch.len() {
            let Some(&(_, _, qname, value)) = self.attr_scratch.get(i) else {
                break;
            };
            self.out.mark(b" ");
            self.out.push(qname)?;
            self.out.mark(b"=\"");
            self.out.escaped(value, escape_attr)?;
            self.out.mark(b"\"");
        }
        self.out.mark(b">");
        Ok(())
    }

    fn end_tag(&mut self) -> Result<()> {
        let qname = self.qnames.pop().unwrap_or_default();
        self.out.mark(b"</");
        self.out.push(qname)?;
        self.out.mark(b">");
        let mark = self.marks.pop().unwrap_or(0);
        self.rendered.truncate(mark);
        Ok(())
    }
}

/// String equality with a shortcut for the same interned string (namespace
/// names of elements and attributes point into one table).
#[inline]
fn same_str(a: &str, b: &str) -> bool {
    (a.len() == b.len() && std::ptr::eq(a.as_ptr(), b.as_ptr())) || a == b
}

/// The prefix string as declared on `el` or an ancestor, borrowed from the
/// document.
fn in_scope_prefix<'d>(el: Element<'d>, prefix: &str) -> Option<&'d str> {
    let mut current = Some(el);
    while let Some(e) = current {
        for (p, _) in e.namespace_declarations() {
            if let Some(p) = p.filter(|p| *p == prefix) {
                return Some(p);
            }
        }
        current = e.parent();
    }
    None
}
