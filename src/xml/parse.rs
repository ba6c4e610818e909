//! Bytes -> [`Document`], along one of two paths that feed the same
//! [`Builder`]:
//!
//! - the fast scanner ([`scan`]) for plain documents (declaration, elements,
//!   attributes, text, references, CDATA, comments), which gives up on
//!   anything else or on any error;
//! - the general path, quick-xml events, which then parses the whole input
//!   again and alone decides every refusal.
//!
//! Both enforce the [`Limits`] while building, and build identical trees
//! (a differential test in [`scan`] checks this on fixtures and mutations,
//! the fuzz target `xml_scan_diff` on whatever libFuzzer makes).

mod scan;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use quick_xml::Reader;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use super::chars::{Reference, is_ncname, is_xml_whitespace, resolve_reference};
use super::scope::Scope;
use super::{
    AttrData, DeclData, Document, ElementData, Kind, NodeData, NodeId, NsId, Span, XML_NS, len32,
};
use crate::bytes::eq_short;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;

const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Offsets are stored as `u32`; no limit may let the input reach this.
const HARD_MAX_INPUT: usize = (u32::MAX / 2) as usize;
/// Inputs up to this size are copied whole to the start of the buffer.
const INPUT_COPY_MAX: usize = (u32::MAX / 4) as usize;

pub(super) fn parse(input: &[u8], limits: &Limits) -> Result<Document> {
    let text = prepare(input, limits)?;
    // The fast scanner accepts the common, plainly well-formed documents and
    // builds exactly the tree the general path would. On anything else (any
    // error, a DOCTYPE, a processing instruction, unusual markup) it gives
    // up, and the general path parses the input from the start: it alone
    // decides what is refused, and how.
    if let Some(doc) = Builder::new(&text, limits).run_fast() {
        return Ok(doc);
    }
    Builder::new(&text, limits).run()
}

/// What both paths start from: the input within its size limit, without
/// its byte order mark, valid UTF-8, free of characters XML forbids, and
/// with XML 1.0 end-of-line handling applied.
fn prepare<'i>(input: &'i [u8], limits: &Limits) -> Result<Cow<'i, str>> {
    if input.len() > limits.max_input_bytes.min(HARD_MAX_INPUT) {
        return Err(Error::new(
            ErrorKind::InputTooLarge,
            format!(
                "{} bytes, limit {}",
                input.len(),
                limits.max_input_bytes.min(HARD_MAX_INPUT)
            ),
        ));
    }
    let input = input.strip_prefix(UTF8_BOM).unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| {
        Error::at(
            ErrorKind::XmlNotUtf8,
            e.valid_up_to(),
            "invalid UTF-8 sequence",
        )
    })?;
    if text.starts_with('\u{FEFF}') {
        return Err(Error::at(
            ErrorKind::XmlMalformed,
            0,
            "a second byte order mark (U+FEFF before the document element)",
        ));
    }
    normalize_input(text)
}

/// Both paths over the same [`prepare`]d input, each on its own: the fast
/// scanner's tree (`None` where it gives up) and the general path's
/// outcome. [`parse`] returns the first if there is one, else the second;
/// the differential fuzz target `xml_scan_diff` checks that the first, when
/// there is one, equals the second.
#[cfg(feature = "fuzzing")]
pub(super) fn parse_both_paths(
    input: &[u8],
    limits: &Limits,
) -> (Option<Document>, Result<Document>) {
    match prepare(input, limits) {
        Ok(text) => (
            Builder::new(&text, limits).run_fast(),
            Builder::new(&text, limits).run(),
        ),
        Err(e) => (None, Err(e)),
    }
}

/// Whether [`normalize_input`] must look at `b`: a control other than tab
/// and LF (CR included), or 0xEF (the lead byte of U+FFFE/U+FFFF). Written
/// without branches so that a loop over a chunk becomes vector code.
#[inline(always)]
fn needs_look(b: u8) -> u8 {
    u8::from(b < 9) | u8::from(b.wrapping_sub(11) < 21) | u8::from(b == 0xEF)
}

/// Refuses characters XML does not allow anywhere in a document, and applies
/// XML 1.0 end-of-line handling (section 2.11): CRLF and lone CR become LF.
fn normalize_input(text: &str) -> Result<Cow<'_, str>> {
    let bytes = text.as_bytes();
    // Most 64-byte chunks hold no byte that needs a closer look; the test
    // of a whole chunk compiles to a few vector instructions.
    let mut has_cr = false;
    let mut chunks = bytes.chunks_exact(64);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        if chunk.iter().fold(0u8, |a, &b| a | needs_look(b)) != 0 {
            has_cr |= look_closer(bytes, offset, chunk)?;
        }
        offset += 64;
    }
    has_cr |= look_closer(bytes, offset, chunks.remainder())?;
    if !has_cr {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('\r') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        out.push('\n');
        rest = rest.get(pos + 1..).unwrap_or_default();
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

/// The byte-by-byte check of [`normalize_input`] over `chunk`, which starts
/// at `offset` in `bytes`: whether it holds a CR.
fn look_closer(bytes: &[u8], offset: usize, chunk: &[u8]) -> Result<bool> {
    let mut has_cr = false;
    for (j, &b) in chunk.iter().enumerate() {
        if needs_look(b) == 0 {
            continue;
        }
        let i = offset + j;
        match b {
            b'\r' => has_cr = true,
            0..=0x1F => {
                return Err(Error::at(
                    ErrorKind::XmlInvalidChar,
                    i,
                    format!("control character U+{b:04X}"),
                ));
            }
            // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                return Err(Error::at(
                    ErrorKind::XmlInvalidChar,
                    i,
                    "noncharacter U+FFFE/U+FFFF",
                ));
            }
            _ => {}
        }
    }
    Ok(has_cr)
}

/// Where the text run being collected lives in [`Document::buf`].
#[derive(Clone, Copy)]
enum TextRun {
    /// One piece so far, a slice of the input copy.
    Input(Span),
    /// Several pieces, appended from this offset to the end of the buffer.
    Appended(u32),
}

pub(super) struct Open {
    id: NodeId,
    /// Length of [`Builder::scope`] before this element's declarations.
    scope_mark: usize,
}

pub(super) struct Builder<'a> {
    src: &'a str,
    limits: &'a Limits,
    doc: Document,
    ns_index: HashMap<Box<str>, NsId>,
    /// In-scope namespace bindings, innermost last: prefix -> namespace.
    /// An empty prefix is the default namespace; `None` undeclares it.
    /// Lookups are O(1) however many bindings are in scope.
    pub(super) scope: Scope<Span, Option<NsId>>,
    open: Vec<Open>,
    elements: usize,
    /// The text run being collected: start in `doc.buf`, start in `src`.
    text_run: Option<(TextRun, usize)>,
    /// Scratch for moving a text run out of the input copy.
    scratch: String,
    /// Scratch for attributes before namespace resolution.
    pending: Vec<PendingAttr>,
    /// Scratch for the duplicate-attribute check of many attributes:
    /// (hash of the expanded name, index).
    attr_order: Vec<(u64, u32)>,
    /// The interned `xml` namespace, bound to the `xml` prefix everywhere.
    xml_ns: NsId,
    /// Recently validated qualified names (up to 48 bytes, with their
    /// length) and their colon positions.
    name_cache: [([u8; 48], u8, Option<usize>); NAME_CACHE],
}

const NAME_CACHE: usize = 16;
/// Elements with at most this many attributes have them compared pairwise
/// for duplicates; more are sorted.
const PAIRWISE_ATTRIBUTES: usize = 12;
/// Namespace names found by a linear scan before the hash index is used.
const NS_SCAN: usize = 8;

struct PendingAttr {
    prefix: Span,
    local: Span,
    value: Span,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, limits: &'a Limits) -> Self {
        // The arrays of the last document dropped on this thread, emptied
        // (see `Recycled`).
        let mut recycled = super::take_recycled();
        let doc = Document {
            // The buffer starts with a copy of the input: names, values and
            // text that need no change are spans of it, not copies.
            // (Up to a quarter of the u32 offset range: the copy plus moved
            // text runs must stay addressable. Larger inputs are copied
            // piece by piece.)
            buf: if src.len() <= INPUT_COPY_MAX {
                recycled.buf.reserve(src.len() + src.len() / 8);
                recycled.buf.push_str(src);
                recycled.buf
            } else {
                recycled.buf.reserve(src.len());
                recycled.buf
            },
            // About one node per 32 bytes in SAML documents: one allocation
            // instead of a dozen regrowths.
            nodes: {
                recycled.nodes.reserve(src.len() / 32 + 1);
                recycled.nodes
            },
            // SAML documents carry about one attribute per 64 bytes.
            attrs: {
                recycled.attrs.reserve(src.len() / 64);
                recycled.attrs
            },
            decls: Vec::new(),
            namespaces: Vec::new(),
            ids: HashMap::new(),
            ns_ranks: OnceLock::new(),
            root: NodeId::NONE,
        };
        let mut doc = doc;
        doc.nodes.push(NodeData {
            parent: NodeId::NONE,
            first_child: NodeId::NONE,
            last_child: NodeId::NONE,
            next_sibling: NodeId::NONE,
            source: (0, len32(src.len())),
            kind: Kind::Document,
        });
        let mut builder = Self {
            src,
            limits,
            doc,
            ns_index: HashMap::new(),
            scope: Scope::new(),
            open: Vec::new(),
            elements: 0,
            text_run: None,
            scratch: String::new(),
            pending: Vec::new(),
            attr_order: Vec::new(),
            xml_ns: NsId(0),
            // A length above 48 never matches: empty slots hold no name.
            name_cache: [([0; 48], u8::MAX, None); NAME_CACHE],
        };
        builder.xml_ns = builder.intern_ns(XML_NS);
        builder
    }

    fn run(mut self) -> Result<Document> {
        let mut reader = Reader::from_str(self.src);
        {
            let config = reader.config_mut();
            config.check_end_names = true;
            config.check_comments = true;
            config.expand_empty_elements = false;
            config.trim_text(false);
        }
        let mut first = true;
        loop {
            let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = reader.read_event().map_err(|e| {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                Error::at(ErrorKind::XmlMalformed, at, e)
            })?;
            let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let was_first = std::mem::replace(&mut first, false);
            match event {
                Event::Decl(decl) => {
                    if !was_first || pos != 0 {
                        return Err(Error::at(
                            ErrorKind::XmlMalformed,
                            pos,
                            "XML declaration not at the start of the document",
                        ));
                    }
                    check_declaration(&decl, pos)?;
                }
                Event::DocType(_) => {
                    return Err(Error::at(
                        ErrorKind::XmlDoctypeForbidden,
                        pos,
                        "document type declaration",
                    ));
                }
                Event::Start(start) => self.start_event(&start, pos, end, false)?,
                Event::Empty(start) => self.start_event(&start, pos, end, true)?,
                Event::End(_) => self.end(end)?,
                Event::Text(text) => self.text(&text, pos)?,
                Event::CData(cdata) => {
                    if self.open.is_empty() {
                        return Err(Error::at(
                            ErrorKind::XmlMalformed,
                            pos,
                            "CDATA section outside the document element",
                        ));
                    }
                    self.push_text(&cdata, pos)?;
                }
                Event::GeneralRef(reference) => self.reference(&reference, pos)?,
                Event::Comment(comment) => {
                    self.flush_text();
                    self.check_len(comment.len(), pos, "comment")?;
                    let span = self.intern_str(&comment);
                    self.append(Kind::Comment(span), pos, end);
                }
                Event::PI(pi) => {
                    self.flush_text();
                    let target = pi.target();
                    if !is_ncname(target) || target.eq_ignore_ascii_case("xml") {
                        return Err(Error::at(
                            ErrorKind::XmlMalformed,
                            pos,
                            format!("invalid processing instruction target {target:?}"),
                        ));
                    }
                    let data = pi.content().trim_start_matches([' ', '\t', '\n']);
                    self.check_len(data.len(), pos, "processing instruction")?;
                    let target = self.intern_str(target);
                    let data = self.intern_str(data);
                    self.append(Kind::Pi { target, data }, pos, end);
                }
                Event::Eof => break,
            }
        }
        self.finish()
    }

    /// End of input: the open text run becomes a node, and the document
    /// must have exactly one, closed, document element.
    fn finish(mut self) -> Result<Document> {
        self.flush_text();
        if let Some(open) = self.open.last() {
            let at = self.doc.node(open.id).source.0 as usize;
            return Err(Error::at(ErrorKind::XmlMalformed, at, "element not closed"));
        }
        if self.doc.root == NodeId::NONE {
            return Err(Error::new(ErrorKind::XmlMalformed, "no document element"));
        }
        Ok(self.doc)
    }

    #[inline]
    pub(super) fn check_len(&self, len: usize, pos: usize, what: &str) -> Result<()> {
        if len > self.limits.max_text_bytes {
            return Err(Error::at(
                ErrorKind::XmlTextTooLong,
                pos,
                format!(
                    "{what} of {len} bytes, limit {}",
                    self.limits.max_text_bytes
                ),
            ));
        }
        Ok(())
    }

    /// The span of `s` in the copy of the input at the start of the buffer,
    /// when `s` is a slice of the input (`None` for any other string).
    #[inline]
    fn input_span(&self, s: &str) -> Option<Span> {
        if self.src.len() > INPUT_COPY_MAX {
            return None;
        }
        let base = self.src.as_ptr() as usize;
        let start = (s.as_ptr() as usize).checked_sub(base)?;
        let end = start.checked_add(s.len())?;
        (end <= self.src.len()).then(|| Span {
            start: len32(start),
            end: len32(end),
        })
    }

    /// A string as a span of the buffer: a slice of the input is not
    /// copied (the buffer starts with the input), anything else is appended.
    #[inline]
    pub(super) fn intern_str(&mut self, s: &str) -> Span {
        if let Some(span) = self.input_span(s) {
            return span;
        }
        self.append_str(s)
    }

    fn append_str(&mut self, s: &str) -> Span {
        let start = len32(self.doc.buf.len());
        self.doc.buf.push_str(s);
        Span {
            start,
            end: len32(self.doc.buf.len()),
        }
    }

    /// [`split_qname`], remembering the last valid names: documents repeat
    /// a few names many times. A hit is the very same string, so the same
    /// answer.
    fn split_name<'t>(&mut self, qname: &'t str, pos: usize) -> Result<(Option<&'t str>, &'t str)> {
        let last = qname.as_bytes().last().copied().unwrap_or(0);
        let slot = (qname.len() ^ usize::from(last)) % NAME_CACHE;
        if let Some(entry) = self.name_cache.get(slot) {
            let cached = entry.0.get(..usize::from(entry.1));
            if cached.is_some_and(|c| eq_short(c, qname.as_bytes())) {
                let colon = entry.2;
                return Ok(
                    match colon.and_then(|c| Some((qname.get(..c)?, qname.get(c + 1..)?))) {
                        Some((p, l)) => (Some(p), l),
                        None => (None, qname),
                    },
                );
            }
        }
        let (prefix, local) = split_qname(qname, pos)?;
        if let (Some(entry), Ok(len)) = (self.name_cache.get_mut(slot), u8::try_from(qname.len())) {
            if let Some(copy) = entry.0.get_mut(..qname.len()) {
                copy.copy_from_slice(qname.as_bytes());
                *entry = (entry.0, len, prefix.map(str::len));
            }
        }
        Ok((prefix, local))
    }

    /// Interns a qualified name in one piece, so that the prefix, the colon
    /// and the local part are contiguous in the buffer (canonicalization
    /// writes the whole name at once). Returns the prefix and local spans.
    fn intern_qname(&mut self, qname: &str, prefix: Option<&str>) -> (Span, Span) {
        let whole = self.intern_str(qname);
        match prefix {
            Some(p) => (
                Span {
                    start: whole.start,
                    end: whole.start + len32(p.len()),
                },
                Span {
                    start: whole.start + len32(p.len()) + 1,
                    end: whole.end,
                },
            ),
            None => (Span::default(), whole),
        }
    }

    fn buf_str(&self, span: Span) -> &str {
        self.doc.str(span)
    }

    fn intern_ns(&mut self, uri: &str) -> NsId {
        if let Some(id) = self.find_ns(uri) {
            return id;
        }
        let span = self.intern_str(uri);
        self.add_ns(uri.into(), span)
    }

    /// The id of an interned namespace name: the first few by a linear scan
    /// (documents use a handful), the rest through the hash index.
    fn find_ns(&self, uri: &str) -> Option<NsId> {
        let scanned = self.doc.namespaces.len().min(NS_SCAN);
        let first = self.doc.namespaces.get(..scanned).unwrap_or_default();
        if let Some(i) = first
            .iter()
            .position(|&span| same_bytes(self.span_bytes(span), uri.as_bytes()))
        {
            return Some(NsId(len32(i)));
        }
        self.ns_index.get(uri).copied()
    }

    fn add_ns(&mut self, uri: Box<str>, span: Span) -> NsId {
        let id = NsId(len32(self.doc.namespaces.len()));
        self.doc.namespaces.push(span);
        if id.0 as usize >= NS_SCAN {
            self.ns_index.insert(uri, id);
        }
        id
    }

    /// Interns a namespace name already in the buffer, without copying it.
    fn intern_ns_span(&mut self, span: Span) -> NsId {
        let uri = self.doc.str(span);
        if let Some(id) = self.find_ns(uri) {
            return id;
        }
        if self.doc.namespaces.len() < NS_SCAN {
            // No copy needed for the scanned part.
            let id = NsId(len32(self.doc.namespaces.len()));
            self.doc.namespaces.push(span);
            return id;
        }
        let uri: Box<str> = uri.into();
        self.add_ns(uri, span)
    }

    /// Appends a node as the last child of the innermost open element (or of
    /// the document node).
    #[inline(always)]
    pub(super) fn append(&mut self, kind: Kind, start: usize, end: usize) -> NodeId {
        let parent = self.open.last().map_or(NodeId::DOCUMENT, |o| o.id);
        let id = NodeId(len32(self.doc.nodes.len()));
        let mut previous = NodeId::NONE;
        if let Some(p) = self.doc.nodes.get_mut(parent.index()) {
            previous = std::mem::replace(&mut p.last_child, id);
            if previous == NodeId::NONE {
                p.first_child = id;
            }
        }
        // (`NodeId::NONE` indexes nothing.)
        if let Some(prev) = self.doc.nodes.get_mut(previous.index()) {
            prev.next_sibling = id;
        }
        self.doc.nodes.push(NodeData {
            parent,
            first_child: NodeId::NONE,
            last_child: NodeId::NONE,
            next_sibling: NodeId::NONE,
            source: (len32(start), len32(end)),
            kind,
        });
        id
    }

    // ---- text ------------------------------------------------------------

    fn text(&mut self, raw: &str, pos: usize) -> Result<()> {
        if self.open.is_empty() {
            if !is_xml_whitespace(raw) {
                return Err(Error::at(
                    ErrorKind::XmlMalformed,
                    pos,
                    "text outside the document element",
                ));
            }
            return Ok(());
        }
        if let Some(i) = find_cdata_end(raw) {
            return Err(Error::at(ErrorKind::XmlMalformed, pos + i, "']]>' in text"));
        }
        self.push_text(raw, pos)
    }

    #[inline]
    pub(super) fn push_text(&mut self, s: &str, pos: usize) -> Result<()> {
        match self.text_run {
            None => {
                self.check_len(s.len(), pos, "text")?;
                // A run of one piece of the input stays where it is.
                let run = match self.input_span(s) {
                    Some(span) => TextRun::Input(span),
                    None => TextRun::Appended(self.append_str(s).start),
                };
                self.text_run = Some((run, pos));
            }
            Some((TextRun::Input(span), src_start)) => {
                let len = (span.end - span.start) as usize + s.len();
                self.check_len(len, pos, "text")?;
                // A second piece: the run moves to the end of the buffer.
                let mut piece = std::mem::take(&mut self.scratch);
                piece.clear();
                piece.push_str(self.doc.str(span));
                let start = self.append_str(&piece).start;
                self.scratch = piece;
                self.doc.buf.push_str(s);
                self.text_run = Some((TextRun::Appended(start), src_start));
            }
            Some((TextRun::Appended(start), _)) => {
                let len = self.doc.buf.len() - start as usize + s.len();
                self.check_len(len, pos, "text")?;
                self.doc.buf.push_str(s);
            }
        }
        Ok(())
    }

    fn reference(&mut self, name: &str, pos: usize) -> Result<()> {
        if self.open.is_empty() {
            return Err(Error::at(
                ErrorKind::XmlMalformed,
                pos,
                "reference outside the document element",
            ));
        }
        let c = resolve(name, pos)?;
        let mut utf8 = [0u8; 4];
        self.push_text(c.encode_utf8(&mut utf8), pos)
    }

    #[inline(always)]
    pub(super) fn flush_text(&mut self) {
        if let Some((run, src_start)) = self.text_run.take() {
            let span = match run {
                TextRun::Input(span) => span,
                TextRun::Appended(start) => Span {
                    start,
                    end: len32(self.doc.buf.len()),
                },
            };
            if !span.is_empty() {
                self.append(Kind::Text(span), src_start, src_start);
            }
        }
    }

    // ---- elements --------------------------------------------------------

    fn start_event(
        &mut self,
        tag: &BytesStart<'_>,
        pos: usize,
        end: usize,
        empty: bool,
    ) -> Result<()> {
        let mut attributes = tag.attributes();
        // quick-xml's uniqueness check compares each name with every one
        // before it; [`Builder::start`] checks expanded names (which covers
        // equal qualified names) in O(n log n).
        attributes.with_checks(false);
        let attributes = attributes.map(|attr| {
            attr.map(|a| (a.key.into_inner(), a.value))
                .map_err(|e| match e {
                    AttrError::Duplicated(at, _) => Error::at(
                        ErrorKind::XmlDuplicateAttribute,
                        pos + at,
                        "attribute written twice",
                    ),
                    other => Error::at(ErrorKind::XmlMalformed, pos, other),
                })
        });
        self.start(
            tag.name().into_inner(),
            Some(tag),
            attributes,
            pos,
            end,
            empty,
        )
    }

    /// A start tag: `qname` is its name, `attributes` the (name, raw value)
    /// pairs in order. `tag`, everything between `<` and `>` (or `/>`), is
    /// checked for whitespace between attributes; `None` when the caller's
    /// attribute reader already requires it.
    pub(super) fn start<'t>(
        &mut self,
        qname: &'t str,
        tag: Option<&'t str>,
        attributes: impl Iterator<Item = Result<(&'t str, Cow<'t, str>)>>,
        pos: usize,
        end: usize,
        empty: bool,
    ) -> Result<()> {
        self.flush_text();
        if self.open.is_empty() && self.doc.root != NodeId::NONE {
            return Err(Error::at(
                ErrorKind::XmlMalformed,
                pos,
                "more than one document element",
            ));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(Error::at(
                ErrorKind::XmlTooDeep,
                pos,
                format!("nesting deeper than {}", self.limits.max_depth),
            ));
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return Err(Error::at(
                ErrorKind::XmlTooManyElements,
                pos,
                format!("more than {} elements", self.limits.max_elements),
            ));
        }

        let (prefix, _) = self.split_name(qname, pos)?;
        if prefix == Some("xmlns") {
            return Err(Error::at(
                ErrorKind::XmlInvalidNamespace,
                pos,
                format!("element name {qname:?} uses the xmlns prefix"),
            ));
        }

        if let Some(tag) = tag {
            check_attribute_separation(tag, pos)?;
        }
        let scope_mark = self.scope.len();
        let decls_start = len32(self.doc.decls.len());
        self.pending.clear();
        let mut count = 0usize;
        for attr in attributes {
            let (key, raw_value) = attr?;
            count += 1;
            if count > self.limits.max_attributes_per_element {
                return Err(Error::at(
                    ErrorKind::XmlTooManyAttributes,
                    pos,
                    format!(
                        "more than {} attributes",
                        self.limits.max_attributes_per_element
                    ),
                ));
            }
            let (aprefix, alocal) = self.split_name(key, pos)?;
            let value = self.normalize_attribute(&raw_value, pos)?;
            match (aprefix, alocal) {
                (None, "xmlns") => self.declare(None, value, decls_start as usize, pos)?,
                (Some("xmlns"), declared) => {
                    self.declare(Some(declared), value, decls_start as usize, pos)?
                }
                _ => {
                    let (prefix, local) = self.intern_qname(key, aprefix);
                    self.pending.push(PendingAttr {
                        prefix,
                        local,
                        value,
                    });
                }
            }
        }
        let decls = decls_start..len32(self.doc.decls.len());

        // Resolve names now that this element's declarations are in scope.
        let ns = self.resolve_prefix(prefix.unwrap_or(""), pos)?;
        let attrs_start = len32(self.doc.attrs.len());
        let pending = std::mem::take(&mut self.pending);
        for p in &pending {
            let ns = if p.prefix.is_empty() {
                None
            } else {
                let prefix = self.buf_str(p.prefix);
                let ns = self.resolve_prefix(prefix, pos)?;
                if ns.is_none() {
                    return Err(Error::at(
                        ErrorKind::XmlUnboundPrefix,
                        pos,
                        format!("attribute prefix {prefix:?} is not declared"),
                    ));
                }
                ns
            };
            self.doc.attrs.push(AttrData {
                prefix: p.prefix,
                local: p.local,
                ns,
                value: p.value,
            });
        }
        self.pending = pending;
        let attrs = attrs_start..len32(self.doc.attrs.len());
        if let Some(local) = self.duplicate_attribute(attrs.clone()) {
            return Err(Error::at(
                ErrorKind::XmlDuplicateAttribute,
                pos,
                format!("attribute {local:?} appears twice with the same namespace"),
            ));
        }

        let (prefix, local) = self.intern_qname(qname, prefix);
        let id = self.append(
            Kind::Element(ElementData {
                prefix,
                local,
                ns,
                attrs: attrs.clone(),
                decls,
            }),
            pos,
            end,
        );
        if self.open.is_empty() {
            self.doc.root = id;
        }
        self.index_ids(id, attrs, pos)?;
        self.open.push(Open { id, scope_mark });
        if empty {
            self.end(end)?;
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn end(&mut self, end: usize) -> Result<()> {
        self.flush_text();
        let open = self
            .open
            .pop()
            .ok_or_else(|| Error::at(ErrorKind::XmlMalformed, end, "unmatched end tag"))?;
        let buf = self.doc.buf.as_bytes();
        self.scope.truncate(open.scope_mark, |p| {
            buf.get(p.start as usize..p.end as usize)
                .unwrap_or_default()
        });
        if let Some(node) = self.doc.nodes.get_mut(open.id.index()) {
            node.source.1 = len32(end);
        }
        Ok(())
    }

    /// Records `xmlns[:prefix]="value"` after checking the Namespaces in XML
    /// constraints.
    fn declare(
        &mut self,
        prefix: Option<&str>,
        value: Span,
        decls_start: usize,
        pos: usize,
    ) -> Result<()> {
        let uri = self.doc.str(value);
        let invalid = |why: String| Err(Error::at(ErrorKind::XmlInvalidNamespace, pos, why));
        // Byte comparisons (`==` on strings calls memcmp, even when the
        // lengths differ).
        let is_xml_ns = same_bytes(uri.as_bytes(), XML_NS.as_bytes());
        let is_xml_prefix = prefix.is_some_and(|p| eq_short(p.as_bytes(), b"xml"));
        match prefix {
            Some(p) if eq_short(p.as_bytes(), b"xmlns") => {
                return invalid("the xmlns prefix cannot be declared".into());
            }
            Some(_) if is_xml_prefix && !is_xml_ns => {
                return invalid(format!("the xml prefix cannot be bound to {uri:?}"));
            }
            Some(p) if !is_xml_prefix && is_xml_ns => {
                return invalid(format!("prefix {p:?} cannot be bound to the xml namespace"));
            }
            None if is_xml_ns => {
                return invalid("the default namespace cannot be the xml namespace".into());
            }
            Some(p) if uri.is_empty() => {
                return invalid(format!(
                    "prefix {p:?} cannot be undeclared (xmlns:{p}=\"\")"
                ));
            }
            _ => {}
        }
        if same_bytes(uri.as_bytes(), XMLNS_NS.as_bytes()) {
            return invalid("the xmlns namespace cannot be declared".into());
        }
        let undeclares = uri.is_empty();
        // A second declaration of the prefix on this element: its innermost
        // binding is one of this element's (each declaration is one binding).
        let element_mark = self.scope.len() - (self.doc.decls.len() - decls_start);
        let prefix_bytes = prefix.unwrap_or("").as_bytes();
        if self
            .find_prefix(prefix_bytes)
            .is_some_and(|(at, _)| at >= element_mark)
        {
            return Err(Error::at(
                ErrorKind::XmlDuplicateAttribute,
                pos,
                "namespace declared twice on one element",
            ));
        }
        if self.scope.len() >= self.limits.max_namespaces_in_scope {
            return Err(Error::at(
                ErrorKind::XmlTooManyNamespaces,
                pos,
                format!(
                    "more than {} namespace declarations in scope",
                    self.limits.max_namespaces_in_scope
                ),
            ));
        }
        let prefix_span = match prefix {
            Some(p) => self.intern_str(p),
            None => Span::default(),
        };
        let ns = (!undeclares).then(|| self.intern_ns_span(value));
        self.scope.push(prefix_span, prefix_bytes, ns);
        // The interned copy: one span per namespace name, so that equal
        // names compare by position (canonicalization relies on it).
        let uri = ns
            .and_then(|id| self.doc.namespaces.get(id.0 as usize))
            .copied()
            .unwrap_or(value);
        self.doc.decls.push(DeclData {
            prefix: prefix_span,
            uri,
        });
        Ok(())
    }

    /// The namespace bound to `prefix` ("" for the default namespace).
    #[inline]
    fn resolve_prefix(&self, prefix: &str, pos: usize) -> Result<Option<NsId>> {
        self.lookup_prefix(prefix.as_bytes()).ok_or_else(|| {
            Error::at(
                ErrorKind::XmlUnboundPrefix,
                pos,
                format!("prefix {prefix:?} is not declared"),
            )
        })
    }

    /// The namespace bound to `prefix` (empty for the default namespace), or
    /// `None` when the prefix is not declared.
    #[inline(always)]
    pub(super) fn lookup_prefix(&self, prefix: &[u8]) -> Option<Option<NsId>> {
        if eq_short(prefix, b"xml") {
            return Some(Some(self.xml_ns));
        }
        match self.find_prefix(prefix) {
            Some((_, ns)) => Some(ns),
            None => prefix.is_empty().then_some(None),
        }
    }

    /// The innermost binding of `prefix` and its position in the scope.
    #[inline(always)]
    fn find_prefix(&self, prefix: &[u8]) -> Option<(usize, Option<NsId>)> {
        self.scope.find(prefix, |p| {
            (p.end - p.start) as usize == prefix.len() && eq_short(self.span_bytes(*p), prefix)
        })
    }

    /// The local name of an attribute of `attrs` whose expanded name
    /// (namespace, local name) another one has too. A few attributes are
    /// compared pairwise; more are sorted first, so that an element with
    /// many attributes costs O(n log n), not O(n²).
    pub(super) fn duplicate_attribute(&mut self, attrs: std::ops::Range<u32>) -> Option<&str> {
        let mut order = std::mem::take(&mut self.attr_order);
        let found = self.find_duplicate(attrs, &mut order);
        self.attr_order = order;
        found.map(|local| self.buf_str(local))
    }

    fn find_duplicate(
        &self,
        attrs: std::ops::Range<u32>,
        order: &mut Vec<(u64, u32)>,
    ) -> Option<Span> {
        let all = self
            .doc
            .attrs
            .get(attrs.start as usize..attrs.end as usize)?;
        let same = |a: &AttrData, b: &AttrData| {
            a.ns == b.ns && eq_short(self.span_bytes(a.local), self.span_bytes(b.local))
        };
        super::work::tally(all.len());
        if all.len() <= PAIRWISE_ATTRIBUTES {
            super::work::tally(all.len() * all.len() / 2);
            return all
                .iter()
                .enumerate()
                .find(|(i, a)| all.get(..*i).unwrap_or_default().iter().any(|b| same(a, b)))
                .map(|(_, a)| a.local);
        }
        // Sorted by a hash of the expanded name (integers compare cheaply);
        // only equal hashes are compared by name. A collision costs a
        // comparison, never a wrong answer.
        order.clear();
        order.extend(all.iter().zip(attrs).map(|(a, i)| {
            let ns = a.ns.map_or(u64::MAX, |n| u64::from(n.0));
            (name_hash(ns, self.span_bytes(a.local)), i)
        }));
        order.sort_unstable();
        order
            .windows(2)
            .filter(|w| matches!(w, [(x, _), (y, _)] if x == y))
            .find_map(|w| match w {
                [(_, i), (_, j)] => {
                    let a = self.doc.attrs.get(*i as usize)?;
                    let b = self.doc.attrs.get(*j as usize)?;
                    same(a, b).then_some(a.local)
                }
                _ => None,
            })
    }

    /// The bytes of a span of the buffer.
    #[inline(always)]
    pub(super) fn span_bytes(&self, span: Span) -> &[u8] {
        self.doc
            .buf
            .as_bytes()
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    fn index_ids(&mut self, id: NodeId, attrs: std::ops::Range<u32>, pos: usize) -> Result<()> {
        for i in attrs.start..attrs.end {
            let Some(a) = self.doc.attrs.get(i as usize) else {
                continue;
            };
            let local = self.buf_str(a.local);
            let is_id = match self.doc.ns(a.ns) {
                None => local == "ID" || local == "Id",
                Some(ns) => ns == XML_NS && local == "id",
            };
            if !is_id {
                continue;
            }
            let value = self.doc.str(a.value);
            match self.doc.ids.get(value) {
                Some(existing) if *existing != id => {
                    return Err(Error::at(
                        ErrorKind::XmlDuplicateId,
                        pos,
                        format!("ID {value:?} is used by two elements"),
                    ));
                }
                Some(_) => {}
                None => {
                    let value: Box<str> = value.into();
                    self.doc.ids.insert(value, id);
                }
            }
        }
        Ok(())
    }

    /// Attribute-value normalisation (XML 1.0 section 3.3.3, CDATA type):
    /// references expanded, literal tab / LF / CR replaced by a space. The
    /// result is appended to the buffer.
    fn normalize_attribute(&mut self, raw: &str, pos: usize) -> Result<Span> {
        self.check_len(raw.len(), pos, "attribute value")?;
        let plain = crate::bytes::find_with(
            raw.as_bytes(),
            0,
            |w| {
                crate::bytes::eq_bytes(w, b'&')
                    | crate::bytes::eq_bytes(w, b'<')
                    | crate::bytes::control_bytes(w)
            },
            |b| b == b'&' || b == b'<' || b < 0x20,
        )
        .is_none();
        if plain {
            return Ok(self.intern_str(raw));
        }
        let start = len32(self.doc.buf.len());
        let mut rest = raw;
        // After input normalisation the only control bytes left are tab and
        // LF (CR is gone), so "below 0x20" finds exactly those.
        while let Some(i) = crate::bytes::find_with(
            rest.as_bytes(),
            0,
            |w| {
                crate::bytes::eq_bytes(w, b'&')
                    | crate::bytes::eq_bytes(w, b'<')
                    | crate::bytes::control_bytes(w)
            },
            |b| b == b'&' || b == b'<' || b < 0x20,
        ) {
            self.doc.buf.push_str(rest.get(..i).unwrap_or_default());
            let special = rest.as_bytes().get(i).copied().unwrap_or(b'&');
            rest = rest.get(i + 1..).unwrap_or_default();
            match special {
                b'<' => {
                    return Err(Error::at(
                        ErrorKind::XmlMalformed,
                        pos,
                        "'<' in an attribute value",
                    ));
                }
                b'&' => {
                    let semi = rest.find(';').ok_or_else(|| {
                        Error::at(ErrorKind::XmlMalformed, pos, "unterminated reference")
                    })?;
                    let c = resolve(rest.get(..semi).unwrap_or_default(), pos)?;
                    self.doc.buf.push(c);
                    rest = rest.get(semi + 1..).unwrap_or_default();
                }
                _ => self.doc.buf.push(' '),
            }
        }
        self.doc.buf.push_str(rest);
        Ok(Span {
            start,
            end: len32(self.doc.buf.len()),
        })
    }
}

/// FNV-1a over a namespace id and a local name: only orders attributes for
/// the duplicate check, so it needs to be fast, not unpredictable.
fn name_hash(ns: u64, local: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ ns;
    for &b in local {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The position of the first `]]>` in `s`.
pub(super) fn find_cdata_end(s: &str) -> Option<usize> {
    // Text runs are short: a plain byte loop beats a memchr set-up.
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes.get(from..)?.iter().position(|&b| b == b']') {
        let at = from + i;
        if bytes.get(at..)?.starts_with(b"]]>") {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

pub(super) fn resolve(name: &str, pos: usize) -> Result<char> {
    match resolve_reference(name) {
        Reference::Char(c) => Ok(c),
        Reference::InvalidCharRef => Err(Error::at(
            ErrorKind::XmlInvalidCharRef,
            pos,
            format!("character reference &{name};"),
        )),
        Reference::Entity => Err(Error::at(
            ErrorKind::XmlEntityForbidden,
            pos,
            format!("entity reference &{name};"),
        )),
    }
}

fn split_qname(qname: &str, pos: usize) -> Result<(Option<&str>, &str)> {
    // One pass for ASCII names, the usual case; the same answer as below.
    match super::chars::split_ascii_qname(qname) {
        Some(Ok(Some(colon))) => {
            if let (Some(p), Some(l)) = (qname.get(..colon), qname.get(colon + 1..)) {
                return Ok((Some(p), l));
            }
        }
        Some(Ok(None)) => return Ok((None, qname)),
        Some(Err(())) => {
            return Err(Error::at(
                ErrorKind::XmlInvalidName,
                pos,
                format!("{qname:?} is not a valid qualified name"),
            ));
        }
        None => {}
    }
    let colon = qname.bytes().position(|b| b == b':');
    let (prefix, local) = match colon.and_then(|i| Some((qname.get(..i)?, qname.get(i + 1..)?))) {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    };
    if !is_ncname(local) || prefix.is_some_and(|p| !is_ncname(p)) {
        return Err(Error::at(
            ErrorKind::XmlInvalidName,
            pos,
            format!("{qname:?} is not a valid qualified name"),
        ));
    }
    Ok((prefix, local))
}

fn check_declaration(decl: &quick_xml::events::BytesDecl<'_>, pos: usize) -> Result<()> {
    check_declaration_syntax(decl, pos)?;
    let version = decl
        .version()
        .map_err(|e| Error::at(ErrorKind::XmlMalformed, pos, e))?;
    if version.as_ref() != "1.0" {
        return Err(Error::at(
            ErrorKind::XmlUnsupportedVersion,
            pos,
            format!("XML version {:?}", version.as_ref()),
        ));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| Error::at(ErrorKind::XmlMalformed, pos, e))?;
        let name = encoding.as_ref();
        if !name.eq_ignore_ascii_case("utf-8") {
            return Err(Error::at(
                ErrorKind::XmlUnsupportedEncoding,
                pos,
                format!("encoding {name:?}"),
            ));
        }
    }
    Ok(())
}

/// `a == b`, calling memcmp only when the lengths agree (for the long
/// strings namespace names are).
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a == b
}

const XML_SPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// XML 1.0 production [40]: whitespace between attributes. quick-xml reads
/// `<a b="1"c="2">` as two attributes; XML does not allow it.
fn check_attribute_separation(tag: &str, pos: usize) -> Result<()> {
    // Quotes, whitespace and '/' are ASCII, so a byte scan sees the same
    // structure as a scan by characters.
    let bytes = tag.as_bytes();
    let mut i = 0;
    while let Some(offset) = bytes
        .get(i..)
        .unwrap_or_default()
        .iter()
        .position(|&b| b == b'"' || b == b'\'')
    {
        let open = i + offset;
        let quote = bytes.get(open).copied().unwrap_or(b'"');
        let Some(len) = bytes
            .get(open + 1..)
            .unwrap_or_default()
            .iter()
            .position(|&b| b == quote)
        else {
            return Ok(());
        };
        let close = open + 1 + len;
        if let Some(&next) = bytes.get(close + 1) {
            if !matches!(next, b' ' | b'\t' | b'\n' | b'\r' | b'/') {
                return Err(Error::at(
                    ErrorKind::XmlMalformed,
                    pos,
                    "no whitespace between attributes",
                ));
            }
        }
        i = close + 1;
    }
    Ok(())
}

/// XML 1.0 productions [23]-[32]: `version`, then optional `encoding`, then
/// optional `standalone` (`yes` or `no`), each after whitespace. Returns the
/// raw `version` and `encoding` values.
pub(super) fn check_declaration_syntax(decl: &str, pos: usize) -> Result<(&str, Option<&str>)> {
    let bad = |why: &str| {
        Error::at(
            ErrorKind::XmlMalformed,
            pos,
            format!("XML declaration: {why}"),
        )
    };
    let mut rest = decl
        .strip_prefix("xml")
        .ok_or_else(|| bad("not an XML declaration"))?;
    // The first three pseudo-attribute names, and how many there were.
    let mut seen = [""; 3];
    let mut count = 0;
    let (mut version, mut encoding) = ("", None);
    loop {
        let trimmed = rest.trim_start_matches(XML_SPACE);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err(bad("no whitespace before a pseudo-attribute"));
        }
        let name_end = trimmed
            .find(|c: char| c == '=' || XML_SPACE.contains(&c))
            .ok_or_else(|| bad("pseudo-attribute without a value"))?;
        let name = trimmed.get(..name_end).unwrap_or_default();
        let after = trimmed
            .get(name_end..)
            .unwrap_or_default()
            .trim_start_matches(XML_SPACE);
        let after = after
            .strip_prefix('=')
            .ok_or_else(|| bad("pseudo-attribute without '='"))?
            .trim_start_matches(XML_SPACE);
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or_else(|| bad("unquoted pseudo-attribute"))?;
        let body = after.get(1..).unwrap_or_default();
        let end = body.find(quote).ok_or_else(|| bad("unterminated value"))?;
        let value = body.get(..end).unwrap_or_default();
        rest = body.get(end + 1..).unwrap_or_default();
        if let Some(slot) = seen.get_mut(count) {
            *slot = name;
        }
        count += 1;
        match name {
            "version" => version = value,
            "encoding" => encoding = Some(value),
            _ => {}
        }
        if name == "standalone" && value != "yes" && value != "no" {
            return Err(bad("standalone must be yes or no"));
        }
    }
    let order_ok = matches!(
        seen.get(..count).unwrap_or(&[""; 4][..]),
        ["version"]
            | ["version", "encoding"]
            | ["version", "standalone"]
            | ["version", "encoding", "standalone"]
    );
    if !order_ok {
        return Err(bad("only version, encoding, standalone, in that order"));
    }
    Ok((version, encoding))
}
