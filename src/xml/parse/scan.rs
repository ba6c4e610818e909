//! The fast scanner: one pass over the (validated, end-of-line normalised)
//! input for documents made only of the XML declaration, elements,
//! attributes, text with the predefined and character references, CDATA
//! sections and comments.
//!
//! It feeds the same [`Builder`] the general (quick-xml) path feeds, with the
//! same pieces at the same positions, so an accepted document is exactly the
//! tree the general path would build. It never refuses anything itself: on
//! any problem, and on every construct it does not handle (DOCTYPE,
//! processing instructions, anything unusual in markup), it returns `None`
//! and [`super::parse`] runs the general path on the whole input, which
//! alone decides what is refused and with which error.

use super::{
    AttrData, Builder, ElementData, Kind, NodeId, Open, Span, TextRun, check_declaration_syntax,
    is_ncname, len32, resolve, split_qname,
};
use crate::bytes::{control_bytes, eq_bytes, eq_short, find_with, find1, find3};

/// XML whitespace (production [3]); CR cannot occur after normalisation but
/// is listed as quick-xml lists it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The position of the first `needle` at or after `from`.
fn find(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    loop {
        let i = find1(bytes, at, first)?;
        if bytes.get(i..)?.starts_with(needle) {
            return Some(i);
        }
        at = i + 1;
    }
}

/// Name classes of ASCII bytes for [`scan_ncname`]: `NAME` for every
/// `NameChar` but `:`, `NAME | START` for the `NameStartChar`s, `COLON` for
/// `:`, 0 for everything else (non-ASCII bytes included: such names go to
/// the general path).
const NAME: u8 = 1;
const START: u8 = 2;
const COLON: u8 = 4;
#[allow(clippy::indexing_slicing)] // indices below 256, checked at compile time
static NAME_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' {
            NAME | START
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            NAME
        } else if c == b':' {
            COLON
        } else {
            0
        };
        b += 1;
    }
    table
};

#[inline(always)]
fn class(b: u8) -> u8 {
    crate::xml::byte_class(&NAME_CLASS, b)
}

/// The end of the all-ASCII `NCName` starting at `from`, or `None` when no
/// name starts there.
#[inline(always)]
fn scan_ncname(bytes: &[u8], from: usize) -> Option<usize> {
    let rest = bytes.get(from..)?;
    if class(*rest.first()?) & START == 0 {
        return None;
    }
    let len = rest
        .iter()
        .position(|&b| class(b) & NAME == 0)
        .unwrap_or(rest.len());
    Some(from + len)
}

/// The `QName` starting at `from` in `src`: its end and the colon's
/// position, or `None` when there is no valid name there (the general path
/// then decides). The caller checks what follows the name.
#[inline(always)]
fn scan_qname(src: &str, from: usize) -> Option<(usize, Option<usize>)> {
    let bytes = src.as_bytes();
    scan_ascii_qname(bytes, from)
        .filter(|&(end, _)| bytes.get(end).is_none_or(|&b| b < 0x80))
        .or_else(|| scan_qname_general(src, from))
}

/// [`scan_qname`] for all-ASCII names, the usual case: `None` at a second
/// colon, an empty part, or anything not ASCII.
#[inline(always)]
fn scan_ascii_qname(bytes: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
    let end = scan_ncname(bytes, from)?;
    if bytes.get(end) != Some(&b':') {
        return Some((end, None));
    }
    let local_end = scan_ncname(bytes, end + 1)?;
    if bytes.get(local_end) == Some(&b':') {
        return None;
    }
    Some((local_end, Some(end)))
}

/// [`scan_qname`] for the rest (names with non-ASCII characters): the name
/// runs to whitespace, `>`, `/` or `=`, and must be a `QName` by the check
/// the general path applies.
#[cold]
#[inline(never)]
fn scan_qname_general(src: &str, from: usize) -> Option<(usize, Option<usize>)> {
    let rest = src.as_bytes().get(from..)?;
    let len = rest
        .iter()
        .position(|&b| is_space(b) || matches!(b, b'>' | b'/' | b'='))
        .unwrap_or(rest.len());
    let (prefix, _) = split_qname(src.get(from..from + len)?, from).ok()?;
    Some((from + len, prefix.map(|p| from + p.len())))
}

/// The offset of the first non-whitespace byte at or after `from`.
#[inline(always)]
fn skip_space(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while bytes.get(i).is_some_and(|&b| is_space(b)) {
        i += 1;
    }
    i
}

/// `s[start..end]` as a span (offsets of the input are offsets of the buffer,
/// which starts with a copy of it).
#[inline(always)]
fn span(start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        end: end as u32,
    }
}

impl Builder<'_> {
    /// Parses the whole input, or returns `None` to hand it to the general
    /// path.
    pub(super) fn run_fast(mut self) -> Option<super::Document> {
        let src = self.src;
        let bytes = src.as_bytes();
        // Offsets are spans of the input copy at the start of the buffer.
        if bytes.len() > super::INPUT_COPY_MAX {
            return None;
        }
        let mut at = 0;
        // `<?xml` then whitespace or `?>` is the XML declaration (so
        // quick-xml reads it); any other `<?` starts a processing
        // instruction, read in the loop.
        if bytes.starts_with(b"<?xml") && bytes.get(5).is_none_or(|&b| is_space(b) || b == b'?') {
            at = self.declaration()?;
        }
        // Names of the open elements (start, end), for end tags.
        let mut names: Vec<(usize, usize)> = Vec::with_capacity(16);
        loop {
            let lt = if at <= bytes.len() {
                self.fast_text(at)?
            } else {
                return None;
            };
            let Some(lt) = lt else { break };
            at = match bytes.get(lt + 1)? {
                b'/' => {
                    let (start, end) = names.pop()?;
                    let name = bytes.get(start..end)?;
                    let after = lt + 2 + name.len();
                    if !eq_short(bytes.get(lt + 2..after)?, name) {
                        return None;
                    }
                    let gt = skip_space(bytes, after);
                    if bytes.get(gt) != Some(&b'>') {
                        return None;
                    }
                    self.end(gt + 1).ok()?;
                    gt + 1
                }
                b'!' => self.bang(lt)?,
                b'?' => self.processing_instruction(lt)?,
                _ => {
                    let (name_end, gt, empty) = self.fast_start(lt)?;
                    if !empty {
                        names.push((lt + 1, name_end));
                    }
                    gt + 1
                }
            };
        }
        self.finish().ok()
    }

    /// A start tag at `lt`: the element, its attributes and namespace
    /// declarations, exactly as [`Builder::start`] records them. Returns the
    /// end of the name, the offset of the closing `>` and whether the tag
    /// was an empty-element tag; `None` on anything unusual or wrong.
    fn fast_start(&mut self, lt: usize) -> Option<(usize, usize, bool)> {
        let bytes = self.src.as_bytes();
        self.flush_text();
        if self.open.is_empty() && self.doc.root != NodeId::NONE {
            return None;
        }
        if self.open.len() >= self.limits.max_depth {
            return None;
        }
        self.elements += 1;
        if self.elements > self.limits.max_elements {
            return None;
        }
        let (name_end, colon) = scan_qname(self.src, lt + 1)?;
        let prefix = colon.map_or(Span::default(), |c| span(lt + 1, c));
        let local = span(colon.map_or(lt + 1, |c| c + 1), name_end);
        if eq_short(self.span_bytes(prefix), b"xmlns") {
            return None;
        }

        let scope_mark = self.scope.len();
        let decls_start = self.doc.decls.len();
        let attrs_start = self.doc.attrs.len();
        let mut count = 0usize;
        let mut i = name_end;
        let (gt, empty) = loop {
            // Whitespace must separate attributes (XML 1.0 production [40]).
            let next = skip_space(bytes, i);
            match bytes.get(next)? {
                b'>' => break (next, false),
                b'/' => {
                    if bytes.get(next + 1) != Some(&b'>') {
                        return None;
                    }
                    break (next + 1, true);
                }
                _ if next == i => return None,
                _ => {}
            }
            count += 1;
            if count > self.limits.max_attributes_per_element {
                return None;
            }
            let key_start = next;
            let (key_end, acolon) = scan_qname(self.src, key_start)?;
            let mut j = skip_space(bytes, key_end);
            if bytes.get(j) != Some(&b'=') {
                return None;
            }
            j = skip_space(bytes, j + 1);
            let quote = *bytes.get(j)?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let value_start = j + 1;
            // The closing quote, unless something needs normalising first.
            let special = find_with(
                bytes,
                value_start,
                |w| eq_bytes(w, quote) | eq_bytes(w, b'&') | eq_bytes(w, b'<') | control_bytes(w),
                |b| b == quote || b == b'&' || b == b'<' || b < 0x20,
            )?;
            let (close, value) = if bytes.get(special) == Some(&quote) {
                if special - value_start > self.limits.max_text_bytes {
                    return None;
                }
                (special, span(value_start, special))
            } else {
                let close = find1(bytes, special, quote)?;
                let raw = self.src.get(value_start..close)?;
                (close, self.normalize_attribute(raw, lt).ok()?)
            };
            i = close + 1;
            match acolon {
                None if eq_short(bytes.get(key_start..key_end)?, b"xmlns") => {
                    self.declare(None, value, decls_start, lt).ok()?;
                }
                Some(c) if eq_short(bytes.get(key_start..c)?, b"xmlns") => {
                    let declared = self.src.get(c + 1..key_end)?;
                    self.declare(Some(declared), value, decls_start, lt).ok()?;
                }
                _ => {
                    let (prefix, local) = match acolon {
                        Some(c) => (span(key_start, c), span(c + 1, key_end)),
                        None => (Span::default(), span(key_start, key_end)),
                    };
                    // The namespace is resolved below, once every
                    // declaration of the element is in scope.
                    self.doc.attrs.push(AttrData {
                        prefix,
                        local,
                        ns: None,
                        value,
                    });
                }
            }
        };
        let decls = len32(decls_start)..len32(self.doc.decls.len());

        // Resolve names now that this element's declarations are in scope.
        let ns = self.lookup_prefix(self.span_bytes(prefix))?;
        let attrs_end = self.doc.attrs.len();
        let mut has_id = false;
        for k in attrs_start..attrs_end {
            let a = self.doc.attrs.get(k)?;
            let (aprefix, alocal) = (a.prefix, a.local);
            let ans = if aprefix.is_empty() {
                None
            } else {
                Some(self.lookup_prefix(self.span_bytes(aprefix))??)
            };
            has_id |= self.span_bytes(alocal).len() == 2;
            self.doc.attrs.get_mut(k)?.ns = ans;
        }
        let attrs = len32(attrs_start)..len32(attrs_end);
        if self.duplicate_attribute(attrs.clone()).is_some() {
            return None;
        }
        let id = self.append(
            Kind::Element(ElementData {
                prefix,
                local,
                ns,
                attrs: attrs.clone(),
                decls,
            }),
            lt,
            gt + 1,
        );
        if self.open.is_empty() {
            self.doc.root = id;
        }
        if has_id {
            self.index_ids(id, attrs, lt).ok()?;
        }
        self.open.push(Open { id, scope_mark });
        if empty {
            self.end(gt + 1).ok()?;
        }
        Some((name_end, gt, empty))
    }

    /// An XML declaration at the very start (the only `<?` handled here):
    /// version 1.0 and, if given, encoding UTF-8. Returns the end offset.
    fn declaration(&mut self) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let close = find(bytes, b"?>", 2)?;
        let content = self.src.get(2..close)?;
        // quick-xml reads `<?xml` followed by whitespace (or `?>`) as the
        // declaration; `<?xml-stylesheet ...?>` and the like are PIs.
        if content.as_bytes().get(3).is_some_and(|&b| !is_space(b)) {
            return None;
        }
        let (version, encoding) = check_declaration_syntax(content, 0).ok()?;
        let utf8 = encoding.is_none_or(|e| e.eq_ignore_ascii_case("utf-8"));
        (version == "1.0" && utf8).then_some(close + 2)
    }

    /// A processing instruction `<?target data?>` after the start, as the
    /// general path records it: the target an NCName other than `xml` in
    /// any case (else the general path decides), the data without the
    /// whitespace that follows the target. Without this, an attacker could
    /// send any document through both paths by ending it with one.
    fn processing_instruction(&mut self, lt: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let close = find(bytes, b"?>", lt + 2)?;
        let content = self.src.get(lt + 2..close)?;
        let target_end = content.bytes().position(is_space).unwrap_or(content.len());
        let target = content.get(..target_end)?;
        if !is_ncname(target) || target.eq_ignore_ascii_case("xml") {
            return None;
        }
        let data = content
            .get(target_end..)?
            .trim_start_matches([' ', '\t', '\n']);
        self.flush_text();
        self.check_len(data.len(), lt, "processing instruction")
            .ok()?;
        let target = self.intern_str(target);
        let data = self.intern_str(data);
        self.append(Kind::Pi { target, data }, lt, close + 2);
        Some(close + 2)
    }

    /// `<!--` comments and `<![CDATA[` sections; anything else after `<!`
    /// (a DOCTYPE above all) is left to the general path.
    fn bang(&mut self, lt: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let rest = bytes.get(lt..)?;
        if rest.starts_with(b"<!--") {
            let close = find(bytes, b"-->", lt + 4)?;
            let content = self.src.get(lt + 4..close)?;
            if content.contains("--") || content.ends_with('-') {
                return None;
            }
            let end = close + 3;
            self.flush_text();
            self.check_len(content.len(), lt, "comment").ok()?;
            let span = self.intern_str(content);
            self.append(Kind::Comment(span), lt, end);
            Some(end)
        } else if rest.starts_with(b"<![CDATA[") {
            let close = find(bytes, b"]]>", lt + 9)?;
            if self.open.is_empty() {
                return None;
            }
            self.push_text(self.src.get(lt + 9..close)?, lt).ok()?;
            Some(close + 3)
        } else {
            None
        }
    }

    /// The character data from `at` to the next `<`, whose offset is
    /// returned (`Some(None)` at the end of the input).
    fn fast_text(&mut self, at: usize) -> Option<Option<usize>> {
        let src = self.src;
        let bytes = src.as_bytes();
        if bytes.get(at) == Some(&b'<') {
            // Markup right after markup: no text.
            return Some(Some(at));
        }
        let mut from = at;
        let mut search = at;
        loop {
            let hit = find3(bytes, search, b'<', b'&', b']');
            let end = hit.unwrap_or(bytes.len());
            match hit.map(|i| bytes.get(i)) {
                Some(Some(b']')) => {
                    // `]]>` may not appear in text.
                    if bytes.get(end..)?.starts_with(b"]]>") {
                        return None;
                    }
                    search = end + 1;
                }
                Some(Some(b'&')) => {
                    if self.open.is_empty() {
                        return None;
                    }
                    if end > from {
                        self.push_text(src.get(from..end)?, from).ok()?;
                    }
                    let semi = find1(bytes, end + 1, b';')?;
                    let name = src.get(end + 1..semi)?;
                    if name.contains('&') {
                        return None;
                    }
                    let c = resolve(name, end).ok()?;
                    let mut utf8 = [0u8; 4];
                    self.push_text(c.encode_utf8(&mut utf8), end).ok()?;
                    from = semi + 1;
                    search = from;
                }
                _ => {
                    if end > from {
                        if self.open.is_empty() {
                            if !bytes.get(from..end)?.iter().all(|&b| is_space(b)) {
                                return None;
                            }
                        } else if self.text_run.is_none() {
                            // One piece of the input: what `push_text` does,
                            // with the span known.
                            if end - from > self.limits.max_text_bytes {
                                return None;
                            }
                            self.text_run = Some((TextRun::Input(span(from, end)), from));
                        } else {
                            self.push_text(src.get(from..end)?, from).ok()?;
                        }
                    }
                    return Some(hit);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "../../../tests/common/real_recordings.rs"]
// std only, included by path in each unit test that reads the recordings
// (one crate module would need a floor in manual::architecture's table).
#[allow(clippy::duplicate_mod)]
mod real_recordings;

#[cfg(test)]
mod tests {
    //! Differential tests: whatever the fast scanner accepts, the general
    //! path accepts too, with the same tree; mutated inputs included.
    use super::super::{Builder, prepare};
    use super::real_recordings::real_recordings_dir;
    use crate::limits::Limits;
    use crate::xml::dump;

    /// Runs both paths; returns whether the fast one accepted.
    fn compare(input: &[u8], limits: &Limits) -> bool {
        let Ok(text) = prepare(input, limits) else {
            return false;
        };
        let fast = Builder::new(&text, limits).run_fast();
        let slow = Builder::new(&text, limits).run();
        match (fast, slow) {
            (Some(fast), Ok(slow)) => {
                assert_eq!(dump(&fast), dump(&slow), "{text}");
                true
            }
            (Some(_), Err(e)) => panic!("fast path accepted what is refused ({e}): {text:?}"),
            (None, _) => false,
        }
    }

    fn corpus() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        // Our fixtures and the real IdP recordings (read in place, never
        // copied).
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        dirs.extend(real_recordings_dir(
            "the real recordings through both parse paths",
        ));
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xml") {
                    out.push(std::fs::read(&path).unwrap());
                }
            }
        }
        out.sort();
        for extra in [
            &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns='u' b = \"1\"\tc='&lt;&#x41;&#65;'><!-- c --><![CDATA[x]]>&amp;y<b/></a >\n<!--after-->"[..],
            b"<a><![CDATA[]]>x<![CDATA[]]></a>",
            b"<p:a xmlns:p=\"urn:p\" p:x=\"1\" x=\"2\"><p:b xmlns:p=\"urn:q\"/></p:a>",
            b"<a xml:lang=\"en\" ID=\"i\"><b Id=\"j\" xml:id=\"k\"/></a>",
            b"<a>\xc3\xa9&#x1F600;]]&gt;</a>",
            b" <a/> ",
            // Processing instructions: in and around the document element,
            // with and without data, whitespace of every kind after the
            // target, and targets the general path refuses.
            b"<?t?><a>x<?t  d ?>y<?t\td\n?></a><?after x?>",
            b"<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.css\"?><a/>",
            b"<a><?XmL x?></a>",
            b"<a><??></a>",
            b"<a><?t:x d?></a>",
            b"<a><?t d?</a>",
            b"<a><?t\n\n?></a>",
            b"<a><?t d?>?></a>",
        ] {
            out.push(extra.to_vec());
        }
        out
    }

    const SNIPPETS: &[&[u8]] = &[
        b"<",
        b">",
        b"&",
        b";",
        b"\"",
        b"'",
        b"/",
        b"!",
        b"-",
        b"[",
        b"]",
        b"?",
        b" ",
        b"=",
        b":",
        b"x",
        b"\n",
        b"\t",
        b"<!--",
        b"-->",
        b"<![CDATA[",
        b"]]>",
        b"&amp;",
        b"&#x41;",
        b"&#0;",
        b"&nbsp;",
        b"<?xml version=\"1.0\"?>",
        b"<?pi x?>",
        b"<?t\t?>",
        b"?>",
        b" xmlns:a=\"u\"",
        b" xmlns=\"\"",
        b" a:b=\"1\"",
        b"<!DOCTYPE a>",
        b"</a>",
        b"<a>",
        b"<a/>",
        b"--",
        b"xmlns",
        b" ID=\"_x\"",
        b"\xc3\xa9",
    ];

    #[test]
    fn fast_path_accepts_only_what_the_general_path_accepts_identically() {
        let corpus = corpus();
        let tiny = Limits {
            max_depth: 4,
            max_elements: 12,
            max_attributes_per_element: 2,
            max_text_bytes: 16,
            ..Limits::default()
        };
        let mut accepted = 0;
        for input in &corpus {
            if compare(input, &Limits::default()) {
                accepted += 1;
            }
            compare(input, &tiny);
        }
        // Nearly every fixture is plain enough for the fast path.
        println!("fast path: {accepted} of {} documents", corpus.len());
        assert!(
            accepted * 4 >= corpus.len() * 3,
            "{accepted}/{}",
            corpus.len()
        );

        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut rand = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let mut mutated_accepted = 0;
        let small: Vec<&Vec<u8>> = corpus.iter().filter(|c| c.len() < 6000).collect();
        // SCAN_DIFF_ROUNDS=1000000 cargo test --release --lib scan: a longer run.
        let rounds = std::env::var("SCAN_DIFF_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(4000);
        for round in 0..rounds {
            let mut input = small[rand(small.len())].clone();
            for _ in 0..=rand(3) {
                let at = rand(input.len() + 1);
                match rand(4) {
                    0 => {
                        if at < input.len() {
                            input.remove(at);
                        }
                    }
                    1 => {
                        let end = (at + rand(40)).min(input.len());
                        let piece = input[at..end].to_vec();
                        let to = rand(input.len() + 1);
                        input.splice(to..to, piece);
                    }
                    _ => {
                        let s = SNIPPETS[rand(SNIPPETS.len())];
                        input.splice(at..at, s.iter().copied());
                    }
                }
            }
            let limits = if round % 5 == 0 {
                &tiny
            } else {
                &Limits::default()
            };
            if compare(&input, limits) {
                mutated_accepted += 1;
            }
        }
        println!("fast path: {mutated_accepted} of {rounds} mutated documents");
        assert!(mutated_accepted > 100, "{mutated_accepted}");

        // SCAN_DIFF_CORPUS=fuzz/corpus/xml_parse cargo test --release --lib
        // scan: every file of a directory (a fuzzing corpus) too.
        if let Ok(dir) = std::env::var("SCAN_DIFF_CORPUS") {
            let (mut files, mut fast) = (0, 0);
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let input = std::fs::read(entry.path()).unwrap();
                files += 1;
                if compare(&input, &Limits::default()) {
                    fast += 1;
                }
                compare(&input, &tiny);
            }
            println!("fast path: {fast} of {files} corpus files");
        }
    }
}
