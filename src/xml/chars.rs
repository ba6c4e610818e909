//! Character classes and references of XML 1.0 (Fifth Edition) and
//! Namespaces in XML 1.0.

/// `NameStartChar` of XML 1.0 production [4], without `:` (NCName).
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` of XML 1.0 production [4a], without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// ASCII bytes by name class: 2 for `NameStartChar` (without `:`), 1 for the
/// other `NameChar`s, 0 for the rest.
#[allow(clippy::indexing_slicing)] // constant indices below 128
static ASCII_NAME: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' {
            2
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            1
        } else {
            0
        };
        b += 1;
    }
    table
};

/// One pass over an all-ASCII qualified name: `Some(Ok(colon))` when it is
/// a valid `QName` (NCName, or NCName `:` NCName; `colon` is the colon's
/// position), `Some(Err(()))` when it is not, and `None` when the name is
/// not all ASCII (the caller then takes the general path).
pub(crate) fn split_ascii_qname(qname: &str) -> Option<Result<Option<usize>, ()>> {
    if !qname.is_ascii() {
        return None;
    }
    let bytes = qname.as_bytes();
    // Tight passes: every byte a name character or a colon, then the colon,
    // then the two name starts.
    if !bytes
        .iter()
        .all(|&b| super::byte_class(&ASCII_NAME, b) != 0 || b == b':')
    {
        return Some(Err(()));
    }
    let starts_name = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|&b| super::byte_class(&ASCII_NAME, b) == 2)
    };
    let colon = bytes.iter().position(|&b| b == b':');
    let valid = match colon {
        None => starts_name(0),
        Some(c) => {
            starts_name(0)
                && starts_name(c + 1)
                && !bytes.get(c + 1..).unwrap_or_default().contains(&b':')
        }
    };
    Some(if valid { Ok(colon) } else { Err(()) })
}

/// Whether `s` is an `NCName` (a name without colons).
pub(crate) fn is_ncname(s: &str) -> bool {
    // Fast path for all-ASCII names, the usual case.
    if let Some((&first, rest)) = s.as_bytes().split_first() {
        if s.is_ascii() {
            return super::byte_class(&ASCII_NAME, first) == 2
                && rest.iter().all(|&b| super::byte_class(&ASCII_NAME, b) != 0);
        }
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// Whether `c` is a `Char` of XML 1.0 production [2].
pub(crate) fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `s` without the XML whitespace (production [3]) around it: the value of
/// a token or an xs:anyURI, which collapse it.
pub(crate) fn trim_xml_whitespace(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\n', '\r'])
}

/// XML whitespace (production [3]) after end-of-line normalisation.
pub(crate) fn is_xml_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// What an entity or character reference (the text between `&` and `;`)
/// stands for.
pub(crate) enum Reference {
    /// One of the five predefined entities or a character reference.
    Char(char),
    /// A character reference to a code point XML does not allow, or a
    /// malformed one.
    InvalidCharRef,
    /// Any other entity name: never expanded.
    Entity,
}

/// Resolves the name of a reference (without `&` and `;`).
pub(crate) fn resolve_reference(name: &str) -> Reference {
    match name {
        "lt" => return Reference::Char('<'),
        "gt" => return Reference::Char('>'),
        "amp" => return Reference::Char('&'),
        "apos" => return Reference::Char('\''),
        "quot" => return Reference::Char('"'),
        _ => {}
    }
    let Some(num) = name.strip_prefix('#') else {
        return Reference::Entity;
    };
    let (digits, radix) = match num.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    // `from_str_radix` accepts a leading '+'; XML does not.
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return Reference::InvalidCharRef;
    }
    match u32::from_str_radix(digits, radix) {
        Ok(code) if is_xml_char(code) => match char::from_u32(code) {
            Some(c) => Reference::Char(c),
            None => Reference::InvalidCharRef,
        },
        _ => Reference::InvalidCharRef,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncnames() {
        for ok in ["a", "_x", "Assertion", "a-b.c_1", "é", "日本"] {
            assert!(is_ncname(ok), "{ok}");
        }
        for bad in [
            "", "1a", "-a", "a:b", ".a", "a b", "a>", "a\u{D7}", "\u{B7}a",
        ] {
            assert!(!is_ncname(bad), "{bad}");
        }
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_productions() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(is_ncname(&c.to_string()), is_name_start_char(c), "{b}");
            assert_eq!(
                is_ncname(&format!("a{c}")),
                is_name_char(c) && c != ':',
                "{b}"
            );
            // Non-ASCII names take the slow path with the same answer.
            assert_eq!(is_ncname(&format!("\u{E9}{c}")), is_name_char(c), "{b}");
        }
    }

    #[test]
    fn ascii_qname_split_agrees_with_the_general_check() {
        let alphabet = ["a", "Z", "_", "-", ".", "1", ":", " ", ">", "\u{E9}"];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for n in &names {
                for c in alphabet {
                    next.push(format!("{n}{c}"));
                }
            }
            names.extend(next);
        }
        for name in names {
            let general = match name.split_once(':') {
                Some((p, l)) => is_ncname(p) && is_ncname(l),
                None => is_ncname(&name),
            };
            match split_ascii_qname(&name) {
                Some(Ok(colon)) => {
                    assert!(general, "{name:?}");
                    assert_eq!(colon, name.find(':'), "{name:?}");
                }
                Some(Err(())) => assert!(!general, "{name:?}"),
                None => assert!(!name.is_ascii(), "{name:?}"),
            }
        }
    }

    #[test]
    fn references() {
        assert!(matches!(resolve_reference("amp"), Reference::Char('&')));
        assert!(matches!(resolve_reference("#x41"), Reference::Char('A')));
        assert!(matches!(resolve_reference("#65"), Reference::Char('A')));
        assert!(matches!(
            resolve_reference("#x1F600"),
            Reference::Char('\u{1F600}')
        ));
        assert!(matches!(resolve_reference("#xD"), Reference::Char('\r')));
        for bad in [
            "#x0", "#0", "#xD800", "#xFFFE", "#x110000", "#", "#x", "#+5", "#xZZ", "#X41",
        ] {
            assert!(
                matches!(resolve_reference(bad), Reference::InvalidCharRef),
                "{bad}"
            );
        }
        assert!(matches!(resolve_reference("nbsp"), Reference::Entity));
        assert!(matches!(resolve_reference("AMP"), Reference::Entity));
    }
}
