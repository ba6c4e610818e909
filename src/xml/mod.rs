//! Bytes -> one namespace-resolved XML tree.
//!
//! [`Document::parse`] reads untrusted bytes into an arena of nodes that every
//! later stage (canonicalization, signature verification, SAML checks) reads.
//! There is exactly one parse of any input: the bytes that are hashed and the
//! values that are read come from the same nodes.
//!
//! Hardening, all enforced while parsing:
//! - UTF-8 only (a leading BOM is skipped; a declaration naming another
//!   encoding is refused); characters XML does not allow are refused;
//! - any `<!DOCTYPE` is refused, and so is every entity reference except the
//!   five predefined ones; character references are expanded and checked;
//! - end-of-line and attribute-value normalisation as XML 1.0 requires;
//! - namespaces are resolved for elements and attributes, unbound prefixes and
//!   duplicate expanded attribute names are refused;
//! - two elements with the same `ID` (or `Id`, or `xml:id`) value are refused;
//! - [`Limits`] on input size, depth, element count, attributes and text size.
//!
//! Nothing here recurses: deep trees cannot overflow the stack.
//!
//! Speed: plain documents take a single-pass scanner with word-at-a-time
//! byte searches; anything unusual, and every error, goes through the
//! general (quick-xml) path, which decides all refusals. Names, values and
//! text are spans of one buffer that starts with a copy of the input.

mod chars;
mod parse;
mod scope;
pub(crate) mod work;
mod writer;

pub(crate) use chars::{is_ncname, trim_xml_whitespace};
pub(crate) use scope::Scope;
pub(crate) use writer::{XmlWriter, check_xml_text, escape_attr_into};

/// A byte's entry in a 256-entry table.
#[inline]
pub(crate) fn byte_class<T: Copy>(table: &[T; 256], b: u8) -> T {
    // A u8 always indexes a 256-entry array in bounds.
    #[allow(clippy::indexing_slicing)]
    table[usize::from(b)]
}

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use crate::bytes::eq_short;
use crate::error::Result;
use crate::limits::Limits;

/// The namespace name bound to the `xml` prefix.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A parsed, namespace-resolved XML document.
///
/// ```
/// use saml_sp::Limits;
/// use saml_sp::building_blocks::Document;
///
/// let doc = Document::parse(
///     br#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1">
///           <saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://idp</saml:Issuer>
///         </samlp:Response>"#,
///     &Limits::default(),
/// )?;
/// let root = doc.root();
/// assert!(root.is("urn:oasis:names:tc:SAML:2.0:protocol", "Response"));
/// let issuer = root.child_elements().next().unwrap();
/// assert_eq!(issuer.local_name(), "Issuer");
/// assert_eq!(issuer.text(), "https://idp");
/// assert_eq!(doc.element_by_id("_r1"), Some(root));
/// # Ok::<(), saml_sp::Error>(())
/// ```
pub struct Document {
    /// Every string of the document, back to back.
    buf: String,
    /// Node 0 is the document node.
    nodes: Vec<NodeData>,
    attrs: Vec<AttrData>,
    decls: Vec<DeclData>,
    /// Interned namespace names; a [`NsId`] indexes this.
    namespaces: Vec<Span>,
    ids: HashMap<Box<str>, NodeId>,
    root: NodeId,
    /// Each interned namespace name's place in bytewise order, computed
    /// on first use ([`Document::ns_rank`]).
    ns_ranks: OnceLock<Box<[u32]>>,
}

/// Everything a parse builds, as text: the buffer, the node, attribute and
/// declaration arrays, the interned namespace names, the `ID` index (sorted)
/// and the document element. Two parses built the same tree exactly when
/// their dumps are equal: the differential checks of the two parse paths
/// (the tests of `parse::scan`, the fuzz target `xml_scan_diff`) compare
/// these.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn dump(doc: &Document) -> String {
    let mut ids: Vec<_> = doc.ids.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    ids.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        doc.buf, doc.nodes, doc.attrs, doc.decls, doc.namespaces, ids, doc.root
    )
}

/// The fast scanner's tree (`None` where it gives up) and the general
/// path's outcome for the same input, each computed on its own after the
/// checks and normalisation [`Document::parse`] starts with.
#[cfg(feature = "fuzzing")]
pub(crate) fn parse_both_paths(
    input: &[u8],
    limits: &Limits,
) -> (Option<Document>, Result<Document>) {
    parse::parse_both_paths(input, limits)
}

/// Index of a node in its document's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NodeId(u32);

impl NodeId {
    const NONE: Self = Self(u32::MAX);
    const DOCUMENT: Self = Self(0);

    fn index(self) -> usize {
        self.0 as usize
    }

    fn get(self) -> Option<Self> {
        (self != Self::NONE).then_some(self)
    }
}

/// Index of an interned namespace name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NsId(u32);

/// A string in [`Document::buf`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// The span of `prefix:local` (the parser interns qualified names in one
/// piece), or of `local` when there is no prefix.
fn qname_span(prefix: Span, local: Span) -> Span {
    if prefix.is_empty() {
        local
    } else {
        Span {
            start: prefix.start,
            end: local.end,
        }
    }
}

impl Span {
    fn is_empty(self) -> bool {
        self.start == self.end
    }
}

#[derive(Debug)]
struct NodeData {
    parent: NodeId,
    first_child: NodeId,
    last_child: NodeId,
    next_sibling: NodeId,
    /// Byte range in the input (after end-of-line normalisation).
    source: (u32, u32),
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Document,
    Element(ElementData),
    Text(Span),
    Comment(Span),
    Pi { target: Span, data: Span },
}

#[derive(Debug)]
struct ElementData {
    /// Empty when the name has no prefix.
    prefix: Span,
    local: Span,
    ns: Option<NsId>,
    attrs: Range<u32>,
    decls: Range<u32>,
}

#[derive(Debug)]
struct AttrData {
    prefix: Span,
    local: Span,
    ns: Option<NsId>,
    value: Span,
}

#[derive(Debug)]
struct DeclData {
    /// Empty for the default namespace (`xmlns="..."`).
    prefix: Span,
    /// Empty for `xmlns=""`.
    uri: Span,
}

impl Document {
    /// Parses untrusted bytes into a tree, within `limits`.
    ///
    /// # Errors
    /// An [`Error`](crate::error::Error) whose kind names the first problem found:
    /// a limit exceeded, a forbidden construct, or malformed XML.
    pub fn parse(input: &[u8], limits: &Limits) -> Result<Self> {
        parse::parse(input, limits)
    }

    /// The document element.
    pub fn root(&self) -> Element<'_> {
        Element {
            doc: self,
            id: self.root,
        }
    }

    /// The element whose `ID` attribute (no namespace; SAML's identifier
    /// attribute) has exactly this value.
    pub fn element_by_id(&self, id: &str) -> Option<Element<'_>> {
        let node = *self.ids.get(id)?;
        let el = Element {
            doc: self,
            id: node,
        };
        (el.attribute(None, "ID") == Some(id)).then_some(el)
    }

    /// The children of the document node in order: comments and processing
    /// instructions before and after the document element, and the element.
    pub fn children(&self) -> Children<'_> {
        Children {
            doc: self,
            next: self.node(NodeId::DOCUMENT).first_child,
        }
    }

    #[inline]
    fn node(&self, id: NodeId) -> &NodeData {
        // Node ids are only created by the parser, for this arena.
        #[allow(clippy::indexing_slicing)]
        &self.nodes[id.index()]
    }

    #[inline]
    fn str(&self, span: Span) -> &str {
        self.buf
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    #[inline]
    fn ns(&self, ns: Option<NsId>) -> Option<&str> {
        let span = *self.namespaces.get(ns?.0 as usize)?;
        Some(self.str(span))
    }

    #[inline]
    fn element_data(&self, id: NodeId) -> Option<&ElementData> {
        match &self.node(id).kind {
            Kind::Element(data) => Some(data),
            _ => None,
        }
    }

    fn node_ref(&self, id: NodeId) -> Node<'_> {
        match &self.node(id).kind {
            Kind::Element(_) | Kind::Document => Node::Element(Element { doc: self, id }),
            Kind::Text(s) => Node::Text(self.str(*s)),
            Kind::Comment(s) => Node::Comment(self.str(*s)),
            Kind::Pi { target, data } => Node::ProcessingInstruction {
                target: self.str(*target),
                data: self.str(*data),
            },
        }
    }
}

/// The three big arrays of a dropped [`Document`] (its buffer, nodes and
/// attributes), emptied and kept per thread for the next parse.
///
/// Allocating and freeing a few hundred KB per verify of a large response
/// let glibc give the top of the heap back to the kernel after each one and
/// fault it in again on the next: measured, 100 KB verifies took 216 us
/// instead of 148 us. Reuse keeps at most [`RECYCLE_MAX_BYTES`] of capacity
/// per thread; like freed memory, it holds the last document's bytes until
/// overwritten, unreachable from safe code.
#[derive(Default)]
struct Recycled {
    buf: String,
    nodes: Vec<NodeData>,
    attrs: Vec<AttrData>,
}

/// The most capacity (in bytes) one thread keeps for the next parse.
const RECYCLE_MAX_BYTES: usize = 2 << 20;

thread_local! {
    static RECYCLED: std::cell::Cell<Recycled> = const {
        std::cell::Cell::new(Recycled {
            buf: String::new(),
            nodes: Vec::new(),
            attrs: Vec::new(),
        })
    };
}

/// The arrays the last document dropped on this thread left (empty ones
/// when there are none).
fn take_recycled() -> Recycled {
    RECYCLED.try_with(std::cell::Cell::take).unwrap_or_default()
}

impl Drop for Document {
    fn drop(&mut self) {
        let bytes = self.buf.capacity()
            + self.nodes.capacity() * std::mem::size_of::<NodeData>()
            + self.attrs.capacity() * std::mem::size_of::<AttrData>();
        if bytes > RECYCLE_MAX_BYTES {
            return;
        }
        let mut kept = Recycled {
            buf: std::mem::take(&mut self.buf),
            nodes: std::mem::take(&mut self.nodes),
            attrs: std::mem::take(&mut self.attrs),
        };
        kept.buf.clear();
        kept.nodes.clear();
        kept.attrs.clear();
        // During thread teardown the slot may be gone: then the arrays are
        // simply freed.
        let _ = RECYCLED.try_with(|slot| slot.set(kept));
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("root", &self.root())
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

/// A node of a [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node<'d> {
    /// An element.
    Element(Element<'d>),
    /// Character data (CDATA sections are text; adjacent pieces are merged).
    Text(&'d str),
    /// A comment's content, without `<!--` and `-->`.
    Comment(&'d str),
    /// A processing instruction.
    ProcessingInstruction {
        /// The target name.
        target: &'d str,
        /// Everything after the whitespace that follows the target.
        data: &'d str,
    },
}

/// An element of a [`Document`]: a cheap handle (a reference and an index).
#[derive(Clone, Copy)]
pub struct Element<'d> {
    doc: &'d Document,
    id: NodeId,
}

impl PartialEq for Element<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

impl Eq for Element<'_> {}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element(")?;
        if let Some(ns) = self.namespace() {
            write!(f, "{{{ns}}}")?;
        }
        write!(f, "{} @{})", self.local_name(), self.source_range().start)
    }
}

static EMPTY_ELEMENT: ElementData = ElementData {
    prefix: Span { start: 0, end: 0 },
    local: Span { start: 0, end: 0 },
    ns: None,
    attrs: 0..0,
    decls: 0..0,
};

impl<'d> Element<'d> {
    #[inline]
    fn data(&self) -> &'d ElementData {
        self.doc.element_data(self.id).unwrap_or(&EMPTY_ELEMENT)
    }

    /// The document this element belongs to.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    pub(crate) fn node_id(&self) -> NodeId {
        self.id
    }

    /// The namespace name (URI), or `None` for an element in no namespace.
    #[inline]
    pub fn namespace(&self) -> Option<&'d str> {
        self.doc.ns(self.data().ns)
    }

    /// The local part of the name.
    #[inline]
    pub fn local_name(&self) -> &'d str {
        self.doc.str(self.data().local)
    }

    /// The prefix as written, if any. Only canonicalization cares about it;
    /// matching is always by [`namespace`](Self::namespace) and local name.
    pub fn prefix(&self) -> Option<&'d str> {
        let prefix = self.data().prefix;
        (!prefix.is_empty()).then(|| self.doc.str(prefix))
    }

    /// What canonicalization needs of the name, with one lookup: the prefix
    /// (`""` for none), the namespace name (`""` for none) and the
    /// qualified name. (Canonicalization now reads [`Element::raw_parts`];
    /// this serves its reference copy in tests.)
    #[cfg(test)]
    #[inline]
    pub(crate) fn name_parts(&self) -> (&'d str, &'d str, &'d str) {
        let data = self.data();
        (
            self.doc.str(data.prefix),
            self.doc.ns(data.ns).unwrap_or(""),
            self.doc.str(qname_span(data.prefix, data.local)),
        )
    }

    /// Whether this element's expanded name is `{namespace}local`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        // The local name first (short, and it rules out nearly every
        // element), compared in place; the namespace only on a match.
        let ns = self.data().ns;
        self.has_local_name(local) && ns.is_some() && self.doc.raw_ns(ns) == namespace.as_bytes()
    }

    /// The value of the attribute with this expanded name (`namespace` is
    /// `None` for an unqualified attribute).
    pub fn attribute(&self, namespace: Option<&str>, local: &str) -> Option<&'d str> {
        self.attributes()
            .find(|a| {
                eq_short(a.local_name().as_bytes(), local.as_bytes()) && a.namespace() == namespace
            })
            .map(|a| a.value())
    }

    /// The attributes in document order (namespace declarations excluded).
    #[inline]
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'d>> + use<'d> {
        let doc = self.doc;
        let range = self.data().attrs.clone();
        doc.attrs
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
            .iter()
            .map(move |data| Attribute { doc, data })
    }

    /// The namespace declarations written on this element, in document order,
    /// as `(prefix, namespace name)`; the prefix is `None` for `xmlns="..."`
    /// and the name is empty for `xmlns=""`.
    pub fn namespace_declarations(
        &self,
    ) -> impl ExactSizeIterator<Item = (Option<&'d str>, &'d str)> + use<'d> {
        let doc = self.doc;
        let range = self.data().decls.clone();
        doc.decls
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
            .iter()
            .map(move |d| {
                let prefix = (!d.prefix.is_empty()).then(|| doc.str(d.prefix));
                (prefix, doc.str(d.uri))
            })
    }

    /// The namespace name bound to `prefix` (`None`: the default namespace)
    /// at this element, looking at its ancestors' declarations too.
    pub fn lookup_namespace(&self, prefix: Option<&str>) -> Option<&'d str> {
        if prefix == Some("xml") {
            return Some(XML_NS);
        }
        let mut current = Some(*self);
        while let Some(el) = current {
            for (p, uri) in el.namespace_declarations() {
                if p == prefix {
                    return (!uri.is_empty()).then_some(uri);
                }
            }
            current = el.parent();
        }
        None
    }

    /// The parent element, or `None` for the document element.
    pub fn parent(&self) -> Option<Element<'d>> {
        let parent = self.doc.node(self.id).parent.get()?;
        self.doc.element_data(parent)?;
        Some(Element {
            doc: self.doc,
            id: parent,
        })
    }

    /// The child nodes in document order.
    pub fn children(&self) -> Children<'d> {
        Children {
            doc: self.doc,
            next: self.doc.node(self.id).first_child,
        }
    }

    /// The child elements in document order.
    pub fn child_elements(&self) -> impl Iterator<Item = Element<'d>> + use<'d> {
        // Straight along the sibling links: no view is built of the text
        // nodes skipped.
        let doc = self.doc;
        let mut next = doc.node(self.id).first_child;
        std::iter::from_fn(move || {
            while let Some(id) = next.get() {
                let node = doc.node(id);
                next = node.next_sibling;
                if let Kind::Element(_) = node.kind {
                    return Some(Element { doc, id });
                }
            }
            None
        })
    }

    /// This element and every element below it, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = Element<'d>> + use<'d> {
        // The arena holds nodes in document order, so a subtree is one run
        // of it: a scan, without walking the tree.
        let doc = self.doc;
        let end = doc.subtree_end(self.id);
        (self.id.index()..end).filter_map(move |i| {
            let id = NodeId(u32::try_from(i).ok()?);
            matches!(doc.node(id).kind, Kind::Element(_)).then_some(Element { doc, id })
        })
    }

    /// The text content: every descendant text node concatenated in document
    /// order, exactly the characters canonicalization sees (a comment or CDATA
    /// section inside does not cut it short).
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut walk = self.doc.walk(self.id);
        while let Some(step) = walk.next_step() {
            if let Step::Enter(id) = step {
                if let Kind::Text(s) = self.doc.node(id).kind {
                    out.push_str(self.doc.str(s));
                }
            }
        }
        out
    }

    /// The text content when the element has no child (`""`) or exactly
    /// one text node (borrowed, no walk); `None` otherwise, when
    /// [`text`](Self::text) has to gather it.
    #[inline]
    pub(crate) fn simple_text(&self) -> Option<&'d str> {
        let doc = self.doc;
        let Some(first) = doc.node(self.id).first_child.get() else {
            return Some("");
        };
        let child = doc.node(first);
        match child.kind {
            Kind::Text(s) if child.next_sibling == NodeId::NONE => Some(doc.str(s)),
            _ => None,
        }
    }

    /// Whether the local name is `local` (compared in place).
    #[inline]
    pub(crate) fn has_local_name(&self, local: &str) -> bool {
        eq_short(self.doc.raw(self.data().local), local.as_bytes())
    }

    /// Whether both elements are in the same namespace (or both in none):
    /// namespace names are interned per document, so this compares ids.
    #[inline]
    pub(crate) fn same_namespace(&self, other: &Element<'_>) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.data().ns == other.data().ns
    }

    /// Byte range of the element's start tag through its end tag, in the
    /// input (after the BOM and end-of-line normalisation), for messages.
    pub fn source_range(&self) -> Range<usize> {
        let (start, end) = self.doc.node(self.id).source;
        start as usize..end as usize
    }
}

/// An attribute of an [`Element`].
#[derive(Clone, Copy)]
pub struct Attribute<'d> {
    doc: &'d Document,
    data: &'d AttrData,
}

impl<'d> Attribute<'d> {
    /// The namespace name, `None` for an unqualified attribute.
    #[inline]
    pub fn namespace(&self) -> Option<&'d str> {
        self.doc.ns(self.data.ns)
    }

    /// The local part of the name.
    #[inline]
    pub fn local_name(&self) -> &'d str {
        self.doc.str(self.data.local)
    }

    /// The prefix as written, if any.
    pub fn prefix(&self) -> Option<&'d str> {
        (!self.data.prefix.is_empty()).then(|| self.doc.str(self.data.prefix))
    }

    /// The qualified name as written (`prefix:local` or `local`).
    #[cfg(test)]
    #[inline]
    pub(crate) fn qname(&self) -> &'d str {
        self.doc.str(qname_span(self.data.prefix, self.data.local))
    }

    /// The normalised value (references expanded, literal whitespace
    /// characters turned into spaces as XML 1.0 requires).
    #[inline]
    pub fn value(&self) -> &'d str {
        self.doc.str(self.data.value)
    }
}

impl fmt::Debug for Attribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = self.namespace() {
            write!(f, "{{{ns}}}")?;
        }
        write!(f, "{}={:?}", self.local_name(), self.value())
    }
}

/// Iterator over child nodes.
#[derive(Debug, Clone)]
pub struct Children<'d> {
    doc: &'d Document,
    next: NodeId,
}

impl<'d> Iterator for Children<'d> {
    type Item = Node<'d>;

    fn next(&mut self) -> Option<Node<'d>> {
        let id = self.next.get()?;
        self.next = self.doc.node(id).next_sibling;
        Some(self.doc.node_ref(id))
    }
}

/// One step of a depth-first walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Enter(NodeId),
    Leave(NodeId),
}

/// A depth-first, non-recursive walk over a subtree, with the option of
/// skipping a node's children.
pub(crate) struct Walk<'d> {
    doc: &'d Document,
    apex: NodeId,
    next: Option<Step>,
}

impl Document {
    pub(crate) fn walk(&self, apex: NodeId) -> Walk<'_> {
        Walk {
            doc: self,
            apex,
            next: Some(Step::Enter(apex)),
        }
    }
}

impl Walk<'_> {
    /// The next step: every node is entered, then its children are walked,
    /// then it is left.
    #[inline]
    pub(crate) fn next_step(&mut self) -> Option<Step> {
        let step = self.next?;
        self.next = match step {
            Step::Enter(id) => match self.doc.node(id).first_child.get() {
                Some(child) => Some(Step::Enter(child)),
                None => Some(Step::Leave(id)),
            },
            Step::Leave(id) if id == self.apex => None,
            Step::Leave(id) => {
                let node = self.doc.node(id);
                match node.next_sibling.get() {
                    Some(sibling) => Some(Step::Enter(sibling)),
                    None => node.parent.get().map(Step::Leave),
                }
            }
        };
        Some(step)
    }

    // Used by the reference copy of canonicalization (src/c14n/reference.rs,
    // tests only); canonicalization itself reads `raw_node`.
    #[cfg(test)]
    /// Skips the children of the node just entered: the next step leaves it.
    pub(crate) fn skip_children(&mut self, id: NodeId) {
        self.next = Some(Step::Leave(id));
    }
}

/// What canonicalization needs to see of a node, without allocation.
/// (Now only the reference copy of canonicalization in tests.)
#[cfg(test)]
pub(crate) enum NodeView<'d> {
    Document,
    Element(Element<'d>),
    Text(&'d str),
    Comment(&'d str),
    Pi(&'d str, &'d str),
}

impl Document {
    // Used by the reference copy of canonicalization (src/c14n/reference.rs,
    // tests only); canonicalization itself reads `raw_node`.
    #[cfg(test)]
    #[inline]
    pub(crate) fn view(&self, id: NodeId) -> NodeView<'_> {
        match &self.node(id).kind {
            Kind::Document => NodeView::Document,
            Kind::Element(_) => NodeView::Element(Element { doc: self, id }),
            Kind::Text(s) => NodeView::Text(self.str(*s)),
            Kind::Comment(s) => NodeView::Comment(self.str(*s)),
            Kind::Pi { target, data } => NodeView::Pi(self.str(*target), self.str(*data)),
        }
    }

    /// The arena index just past the subtree of `id`: nodes are stored in
    /// document order, so the subtree ends where the next sibling of `id`
    /// or of its nearest ancestor that has one starts.
    fn subtree_end(&self, id: NodeId) -> usize {
        let mut current = Some(id);
        while let Some(c) = current {
            let node = self.node(c);
            if let Some(next) = node.next_sibling.get() {
                return next.index();
            }
            current = node.parent.get();
        }
        self.nodes.len()
    }

    // Used by the reference copy of canonicalization (src/c14n/reference.rs,
    // tests only); canonicalization itself reads `raw_node`.
    #[cfg(test)]
    #[inline]
    pub(crate) fn is_element(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, Kind::Element(_))
    }

    pub(crate) fn root_id(&self) -> NodeId {
        self.root
    }

    pub(crate) fn document_id(&self) -> NodeId {
        NodeId::DOCUMENT
    }

    // Used by the reference copy of canonicalization (src/c14n/reference.rs,
    // tests only); canonicalization itself reads `raw_node`.
    #[cfg(test)]
    pub(crate) fn parent_of(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).parent.get()
    }
}

/// What canonicalization (src/c14n) reads of an element's name: its parts
/// as bytes, each read only when asked for.
#[derive(Clone, Copy)]
pub(crate) struct RawName<'d> {
    doc: &'d Document,
    data: &'d ElementData,
}

/// An element's namespace, comparable without reading its name: equal keys
/// are equal names (names are interned; unequal keys may still be equal
/// names if they were not, which only costs a closer look).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct NsKey(Option<NsId>);

impl<'d> RawName<'d> {
    /// Empty when the name has no prefix.
    #[inline(always)]
    pub(crate) fn prefix(&self) -> &'d [u8] {
        self.doc.raw(self.data.prefix)
    }

    /// Empty for no namespace. The interned copy: equal namespace names
    /// of elements and attributes are the same slice.
    #[inline(always)]
    pub(crate) fn ns(&self) -> &'d [u8] {
        self.doc.raw_ns(self.data.ns)
    }

    #[inline(always)]
    pub(crate) fn ns_key(&self) -> NsKey {
        NsKey(self.data.ns)
    }

    /// `prefix:local`, or `local`.
    #[inline(always)]
    pub(crate) fn qname(&self) -> &'d [u8] {
        self.doc.raw(qname_span(self.data.prefix, self.data.local))
    }

    /// Where [`qname`](Self::qname) starts in [`Document::raw_buf`].
    #[inline(always)]
    pub(crate) fn qname_at(&self) -> usize {
        qname_span(self.data.prefix, self.data.local).start as usize
    }
}

/// An attribute as canonicalization reads it: its parts as bytes, each
/// read only when asked for.
#[derive(Clone, Copy)]
pub(crate) struct RawAttr<'d> {
    doc: &'d Document,
    data: &'d AttrData,
}

impl<'d> RawAttr<'d> {
    /// Whether the name has a prefix.
    #[inline(always)]
    pub(crate) fn is_prefixed(&self) -> bool {
        !self.data.prefix.is_empty()
    }

    /// Empty when the name has no prefix.
    #[inline(always)]
    pub(crate) fn prefix(&self) -> &'d [u8] {
        self.doc.raw(self.data.prefix)
    }

    /// Whether the attribute is in a namespace.
    #[inline(always)]
    pub(crate) fn has_ns(&self) -> bool {
        self.data.ns.is_some()
    }

    /// Empty for no namespace (the interned copy, as in [`RawName`]).
    #[inline(always)]
    pub(crate) fn ns(&self) -> &'d [u8] {
        self.doc.raw_ns(self.data.ns)
    }

    /// The interned namespace: equal keys, equal namespace names.
    #[inline(always)]
    pub(crate) fn ns_key(&self) -> NsKey {
        NsKey(self.data.ns)
    }

    /// The namespace name's place in bytewise order among the document's
    /// (see [`Document::ns_rank`]); `None` without a namespace.
    #[inline]
    pub(crate) fn ns_rank(&self) -> Option<u32> {
        self.data.ns.map(|ns| self.doc.ns_rank(ns))
    }

    #[inline(always)]
    pub(crate) fn local(&self) -> &'d [u8] {
        self.doc.raw(self.data.local)
    }

    /// `prefix:local`, or `local`.
    #[inline(always)]
    pub(crate) fn qname(&self) -> &'d [u8] {
        self.doc.raw(qname_span(self.data.prefix, self.data.local))
    }

    #[inline(always)]
    pub(crate) fn value(&self) -> &'d [u8] {
        self.doc.raw(self.data.value)
    }

    /// Where [`qname`](Self::qname) starts in [`Document::raw_buf`].
    #[inline(always)]
    pub(crate) fn qname_at(&self) -> usize {
        qname_span(self.data.prefix, self.data.local).start as usize
    }

    /// Where [`value`](Self::value) starts in [`Document::raw_buf`].
    #[inline(always)]
    pub(crate) fn value_at(&self) -> usize {
        self.data.value.start as usize
    }
}

impl Document {
    #[inline]
    fn raw(&self, span: Span) -> &[u8] {
        self.buf
            .as_bytes()
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    #[inline]
    fn raw_ns(&self, ns: Option<NsId>) -> &[u8] {
        match ns.and_then(|ns| self.namespaces.get(ns.0 as usize)) {
            Some(span) => self.raw(*span),
            None => &[],
        }
    }

    /// The place of a namespace name in the bytewise order of all the
    /// document's namespace names: canonical attribute order compares
    /// these numbers instead of the names, which may be long and share a
    /// long beginning, and are not part of the element being sorted. The
    /// first call sorts the names once, O(k log k) comparisons of names
    /// that are each in the input.
    fn ns_rank(&self, ns: NsId) -> u32 {
        let ranks = self.ns_ranks.get_or_init(|| {
            let mut order: Vec<u32> = (0..len32(self.namespaces.len())).collect();
            order.sort_unstable_by(|a, b| {
                let name = |i: &u32| {
                    self.namespaces
                        .get(*i as usize)
                        .map_or(&[][..], |s| self.raw(*s))
                };
                name(a).cmp(name(b))
            });
            let mut ranks = vec![0; order.len()].into_boxed_slice();
            for (rank, id) in order.iter().enumerate() {
                if let Some(slot) = ranks.get_mut(*id as usize) {
                    *slot = len32(rank);
                }
            }
            ranks
        });
        ranks.get(ns.0 as usize).copied().unwrap_or(u32::MAX)
    }
}

/// A count or offset as u32 (the arena's index type), saturating.
fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'d> Element<'d> {
    /// The name and the attributes (in document order) as canonicalization
    /// reads them, with one lookup of the element.
    #[inline]
    pub(crate) fn raw_parts(&self) -> (RawName<'d>, RawAttrs<'d>) {
        self.doc.raw_element(self.data())
    }
}

/// The attributes of an element as canonicalization reads them.
#[derive(Clone)]
pub(crate) struct RawAttrs<'d> {
    doc: &'d Document,
    iter: std::slice::Iter<'d, AttrData>,
}

impl<'d> Iterator for RawAttrs<'d> {
    type Item = RawAttr<'d>;

    #[inline]
    fn next(&mut self) -> Option<RawAttr<'d>> {
        let data = self.iter.next()?;
        Some(RawAttr {
            doc: self.doc,
            data,
        })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}

impl ExactSizeIterator for RawAttrs<'_> {}

/// What canonicalization reads of a node, with one lookup: its content
/// (as bytes) and its links.
pub(crate) struct RawNode<'d> {
    pub(crate) kind: RawKind<'d>,
    pub(crate) first_child: Option<NodeId>,
    pub(crate) next_sibling: Option<NodeId>,
    pub(crate) parent: Option<NodeId>,
}

/// The content of a [`RawNode`].
pub(crate) enum RawKind<'d> {
    Document,
    Element(Element<'d>, RawName<'d>, RawAttrs<'d>),
    Text(&'d [u8]),
    Comment(&'d [u8]),
    /// Target and data.
    Pi(&'d [u8], &'d [u8]),
}

impl Document {
    #[inline(always)]
    fn raw_element<'d>(&'d self, data: &'d ElementData) -> (RawName<'d>, RawAttrs<'d>) {
        let name = RawName { doc: self, data };
        let attrs = self
            .attrs
            .get(data.attrs.start as usize..data.attrs.end as usize)
            .unwrap_or_default();
        (
            name,
            RawAttrs {
                doc: self,
                iter: attrs.iter(),
            },
        )
    }

    /// A node as canonicalization reads it.
    #[inline(always)]
    pub(crate) fn raw_node(&self, id: NodeId) -> RawNode<'_> {
        let node = self.node(id);
        let kind = match &node.kind {
            Kind::Document => RawKind::Document,
            Kind::Element(data) => {
                let (name, attrs) = self.raw_element(data);
                RawKind::Element(Element { doc: self, id }, name, attrs)
            }
            Kind::Text(s) => RawKind::Text(self.raw(*s)),
            Kind::Comment(s) => RawKind::Comment(self.raw(*s)),
            Kind::Pi { target, data } => RawKind::Pi(self.raw(*target), self.raw(*data)),
        };
        RawNode {
            kind,
            first_child: node.first_child.get(),
            next_sibling: node.next_sibling.get(),
            parent: node.parent.get(),
        }
    }

    /// The text of `id` and where it starts in [`raw_buf`](Self::raw_buf),
    /// when `id` is a text node without a next sibling (the only child of
    /// an element, when it is the first).
    #[inline(always)]
    pub(crate) fn last_text(&self, id: NodeId) -> Option<(&[u8], usize)> {
        let node = self.node(id);
        match node.kind {
            Kind::Text(s) if node.next_sibling.get().is_none() => {
                Some((self.raw(s), s.start as usize))
            }
            _ => None,
        }
    }

    /// The buffer every name, value and text of the document is a span of
    /// (it starts with the input): canonicalization copies runs of it that
    /// are canonical already, after checking their bytes.
    #[inline(always)]
    pub(crate) fn raw_buf(&self) -> &[u8] {
        self.buf.as_bytes()
    }

    /// The next sibling and the parent of a node.
    #[inline]
    pub(crate) fn sibling_and_parent(&self, id: NodeId) -> (Option<NodeId>, Option<NodeId>) {
        let node = self.node(id);
        (node.next_sibling.get(), node.parent.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements of `el`'s subtree by walking the tree, for comparison.
    fn walked<'d>(el: Element<'d>) -> Vec<Element<'d>> {
        let doc = el.doc;
        let mut walk = doc.walk(el.id);
        let mut out = Vec::new();
        while let Some(step) = walk.next_step() {
            if let Step::Enter(id) = step {
                if doc.is_element(id) {
                    out.push(Element { doc, id });
                }
            }
        }
        out
    }

    #[test]
    fn a_parse_on_recycled_arrays_builds_the_same_document() {
        let big = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/dsig/azure-100k-groups.xml"
        ))
        .unwrap();
        let small = br#"<a xmlns="urn:a" ID="x"><b c="d">text</b></a>"#;
        let dump = |doc: &Document| {
            let mut ids: Vec<String> = doc.ids.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            ids.sort();
            format!(
                "{:?} {:?} {:?} {:?} {:?} {ids:?}",
                doc.buf, doc.nodes, doc.attrs, doc.decls, doc.namespaces
            )
        };
        let fresh =
            std::thread::spawn(move || dump(&Document::parse(small, &Limits::default()).unwrap()))
                .join()
                .unwrap();
        // The big document's arrays are kept when it is dropped, and the
        // small one is parsed on them.
        drop(Document::parse(&big, &Limits::default()).unwrap());
        let reused = Document::parse(small, &Limits::default()).unwrap();
        assert!(reused.buf.capacity() > big.len(), "arrays were not reused");
        assert_eq!(dump(&reused), fresh);
        assert_eq!(reused.root().attribute(None, "ID"), Some("x"));
    }

    #[test]
    fn simple_text_namespace_ids_and_local_names() {
        let doc = Document::parse(
            br#"<a xmlns="urn:x" xmlns:y="urn:y" xmlns:z="urn:x"><b>one</b><b/><y:b>t<!--c-->u</y:b><z:b><c/></z:b><b>v<![CDATA[w]]></b></a>"#,
            &Limits::default(),
        )
        .unwrap();
        let root = doc.root();
        let kids: Vec<_> = root.child_elements().collect();
        let simple: Vec<_> = kids.iter().map(|k| k.simple_text()).collect();
        // Text and CDATA are one text node.
        assert_eq!(simple, [Some("one"), Some(""), None, None, Some("vw")]);
        // Whatever simple_text gives is exactly text().
        for k in &kids {
            if let Some(t) = k.simple_text() {
                assert_eq!(t, k.text());
            }
        }
        assert_eq!(kids[2].text(), "tu");
        assert_eq!(kids[4].text(), "vw");
        // z: is bound to the same name as the default namespace.
        let same: Vec<_> = kids.iter().map(|k| k.same_namespace(&root)).collect();
        assert_eq!(same, [true, true, false, true, true]);
        assert!(kids.iter().all(|k| k.has_local_name("b")));
        assert!(!root.has_local_name("b") && root.has_local_name("a"));
        let other = Document::parse(br#"<a xmlns="urn:x"/>"#, &Limits::default()).unwrap();
        // Ids are per document: never compared across two.
        assert!(!other.root().same_namespace(&root));
    }

    #[test]
    fn descendants_by_arena_scan_match_a_tree_walk() {
        let mut inputs: Vec<Vec<u8>> = vec![
            b"<a><b><c/>t<d><e/></d></b><!--x--><f>u</f></a>".to_vec(),
            b"<a/>".to_vec(),
            b"<a>text only</a>".to_vec(),
        ];
        for dir in ["fixtures/dsig", "fixtures/attacks", "fixtures/metadata"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
                if entry.path().extension().is_some_and(|e| e == "xml") {
                    inputs.push(std::fs::read(entry.path()).unwrap());
                }
            }
        }
        let mut checked = 0;
        for input in &inputs {
            let Ok(doc) = Document::parse(input, &Limits::default()) else {
                continue;
            };
            for el in doc.root().descendants() {
                assert_eq!(el.descendants().collect::<Vec<_>>(), walked(el));
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
