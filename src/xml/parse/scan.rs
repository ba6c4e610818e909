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

use std::borrow::Cow;

use super::{Builder, Kind, check_declaration_syntax, resolve};
use crate::Result;
use crate::error::{Error, ErrorKind};
use crate::xml::bytes::{find1, find2, find3};

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

/// The `>` that ends the tag starting at `from` (just after `<`), outside
/// quoted attribute values, as quick-xml's element parser finds it.
fn tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let i = find3(bytes, at, b'>', b'"', b'\'')?;
        match bytes.get(i)? {
            b'>' => return Some(i),
            &quote => at = find1(bytes, i + 1, quote)? + 1,
        }
    }
}

/// The attributes of a start tag after its name: `name = "value"` pairs,
/// each followed by whitespace or the end of the tag. Anything else is an error (and the general path
/// takes over).
struct Attributes<'t> {
    rest: &'t str,
}

/// The offset of the first non-whitespace byte at or after `from`.
fn skip_space(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while bytes.get(i).is_some_and(|&b| is_space(b)) {
        i += 1;
    }
    i
}

impl<'t> Iterator for Attributes<'t> {
    type Item = Result<(&'t str, Cow<'t, str>)>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.rest.as_bytes();
        let start = skip_space(bytes, 0);
        if start >= bytes.len() {
            return None;
        }
        Some(self.attribute(start).ok_or_else(|| {
            self.rest = "";
            Error::new(ErrorKind::XmlMalformed, "attribute syntax")
        }))
    }
}

impl<'t> Attributes<'t> {
    /// The attribute starting at `start` in `self.rest`.
    fn attribute(&mut self, start: usize) -> Option<(&'t str, Cow<'t, str>)> {
        let rest = self.rest;
        let bytes = rest.as_bytes();
        let mut i = start;
        while bytes.get(i).is_some_and(|&b| b != b'=' && !is_space(b)) {
            i += 1;
        }
        let key = rest.get(start..i)?;
        i = skip_space(bytes, i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_space(bytes, i + 1);
        let quote = *bytes.get(i)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let close = find1(bytes, i + 1, quote)?;
        let value = rest.get(i + 1..close)?;
        // Whitespace must separate attributes (XML 1.0 production [40]).
        if bytes.get(close + 1).is_some_and(|&b| !is_space(b)) {
            return None;
        }
        self.rest = rest.get(close + 1..)?;
        Some((key, Cow::Borrowed(value)))
    }
}

impl Builder<'_> {
    /// Parses the whole input, or returns `None` to hand it to the general
    /// path.
    pub(super) fn run_fast(mut self) -> Option<super::Document> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut at = 0;
        if bytes.starts_with(b"<?") {
            at = self.declaration()?;
        }
        // Raw names of the open elements, for end tags.
        let mut names: Vec<&str> = Vec::new();
        loop {
            let lt = if at <= bytes.len() {
                find1(bytes, at, b'<')
            } else {
                return None;
            };
            let text_end = lt.unwrap_or(bytes.len());
            if text_end > at {
                self.fast_text(src.get(at..text_end)?, at)?;
            }
            let Some(lt) = lt else { break };
            at = match bytes.get(lt + 1)? {
                b'/' => {
                    let name = names.pop()?;
                    let after = lt + 2 + name.len();
                    if !bytes.get(lt + 2..)?.starts_with(name.as_bytes()) {
                        return None;
                    }
                    let gt = after + bytes.get(after..)?.iter().position(|&b| !is_space(b))?;
                    if bytes.get(gt) != Some(&b'>') {
                        return None;
                    }
                    self.end(gt + 1).ok()?;
                    gt + 1
                }
                b'!' => self.bang(lt)?,
                b'?' => return None,
                _ => {
                    let gt = tag_end(bytes, lt + 1)?;
                    let mut tag = src.get(lt + 1..gt)?;
                    let empty = tag.ends_with('/');
                    if empty {
                        tag = tag.get(..tag.len() - 1)?;
                    }
                    let name_len = tag.bytes().position(is_space).unwrap_or(tag.len());
                    let (qname, rest) = tag.split_at_checked(name_len)?;
                    self.start(qname, None, Attributes { rest }, lt, gt + 1, empty)
                        .ok()?;
                    if !empty {
                        names.push(qname);
                    }
                    gt + 1
                }
            };
        }
        self.finish().ok()
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

    /// Character data between two pieces of markup, at offset `pos`.
    fn fast_text(&mut self, raw: &str, pos: usize) -> Option<()> {
        if self.open.is_empty() {
            return raw.bytes().all(is_space).then_some(());
        }
        let bytes = raw.as_bytes();
        let mut from = 0;
        let mut search = 0;
        while let Some(at) = find2(bytes, search, b'&', b']') {
            if bytes.get(at) == Some(&b']') {
                // `]]>` may not appear in text.
                if bytes.get(at..)?.starts_with(b"]]>") {
                    return None;
                }
                search = at + 1;
                continue;
            }
            let amp = at;
            if amp > from {
                self.push_text(raw.get(from..amp)?, pos + from).ok()?;
            }
            let semi = find1(bytes, amp + 1, b';')?;
            let name = raw.get(amp + 1..semi)?;
            if name.contains('&') {
                return None;
            }
            let c = resolve(name, pos + amp).ok()?;
            let mut utf8 = [0u8; 4];
            self.push_text(c.encode_utf8(&mut utf8), pos + amp).ok()?;
            from = semi + 1;
            search = from;
        }
        if from < raw.len() {
            self.push_text(raw.get(from..)?, pos + from).ok()?;
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    //! Differential tests: whatever the fast scanner accepts, the general
    //! path accepts too, with the same tree; mutated inputs included.
    use super::super::{Builder, normalize_input};
    use crate::Limits;
    use crate::xml::Document;

    fn dump(doc: &Document) -> String {
        let mut ids: Vec<_> = doc.ids.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        ids.sort();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            doc.buf, doc.nodes, doc.attrs, doc.decls, doc.namespaces, ids, doc.root
        )
    }

    /// Runs both paths; returns whether the fast one accepted.
    fn compare(input: &[u8], limits: &Limits) -> bool {
        let Ok(text) = std::str::from_utf8(input) else {
            return false;
        };
        let Ok(text) = normalize_input(text) else {
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
        // Our fixtures, and the real IdP recordings when they are present
        // (read in place, never copied).
        let mut dirs = vec![
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")),
            std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/fixtures/real"
            )),
        ];
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
    }
}
