//! A small XML writer for the messages we send: every value escaped, no
//! whitespace between elements (nothing for canonicalization to keep).
//! Serves AuthnRequests now and LogoutRequests later.

use crate::error::{Error, ErrorKind, Result};

/// Whether `c` may appear in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Refuses a value that XML cannot carry (NUL and most C0 controls, lone
/// surrogates cannot occur in `str`, U+FFFE/U+FFFF).
pub(crate) fn check_xml_text(what: &str, value: &str) -> Result<()> {
    match value.chars().find(|&c| !is_xml_char(c)) {
        None => Ok(()),
        Some(c) => Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!(
                "{what} contains U+{:04X}, which XML cannot carry",
                u32::from(c)
            ),
        )),
    }
}

/// An XML document under construction.
#[derive(Debug, Default)]
pub(crate) struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub(crate) fn new() -> Self {
        Self {
            out: String::with_capacity(2048),
        }
    }

    /// `<name` (attributes follow).
    pub(crate) fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
    }

    /// ` name="value"`, the value escaped for a double-quoted attribute
    /// (whitespace characters as references, so they survive attribute
    /// value normalisation).
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_attr_into(&mut self.out, value);
        self.out.push('"');
    }

    /// `>` after the attributes.
    pub(crate) fn close_open(&mut self) {
        self.out.push('>');
    }

    /// `/>` after the attributes.
    pub(crate) fn close_empty(&mut self) {
        self.out.push_str("/>");
    }

    /// `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Character data, escaped.
    pub(crate) fn text(&mut self, value: &str) {
        escape_text_into(&mut self.out, value);
    }

    /// `<name>text</name>`.
    pub(crate) fn text_element(&mut self, name: &str, value: &str) {
        self.open(name);
        self.close_open();
        self.text(value);
        self.close(name);
    }

    /// Markup we built ourselves (a signature), inserted as is.
    pub(crate) fn raw(&mut self, xml: &str) {
        self.out.push_str(xml);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Escapes for a double-quoted attribute value.
pub(crate) fn escape_attr_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// Escapes character data (`>` too, for `]]>`; CR as a reference so it
/// survives end-of-line normalisation).
pub(crate) fn escape_text_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut w = XmlWriter::new();
        w.open("a");
        w.attr("v", "x&<>\"'\t\n\r y");
        w.close_open();
        w.text("a&b<c>d\"e'\r");
        w.close("a");
        assert_eq!(
            w.finish(),
            "<a v=\"x&amp;&lt;&gt;&quot;&apos;&#x9;&#xA;&#xD; y\">a&amp;b&lt;c&gt;d\"e'&#xD;</a>"
        );
    }

    #[test]
    fn xml_chars() {
        assert!(check_xml_text("v", "ok\t\n\r é 𝄞").is_ok());
        for bad in ["\u{0}", "a\u{1}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"] {
            assert_eq!(
                check_xml_text("v", bad).unwrap_err().kind(),
                ErrorKind::ConfigInvalid
            );
        }
    }
}
