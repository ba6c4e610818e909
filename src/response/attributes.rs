//! The attributes of a [`VerifiedAssertion`](super::VerifiedAssertion):
//! every name and value in one buffer, read through borrowed views.
//!
//! Azure AD sends up to a few thousand group IDs in one attribute; one
//! `String` per value made them as many allocations.

use std::ops::Range;

/// Every `Attribute` of a verified assertion's `AttributeStatement`s, in
/// document order.
///
/// Only the verifier fills one; read it with [`iter`](Self::iter) (or a
/// `for` loop over `&Attributes`).
///
/// ```
/// # fn show(assertion: &saml_sp::FreshAssertion) {
/// for attribute in assertion.attributes() {
///     let values: Vec<&str> = attribute.values().collect();
///     println!("{} = {values:?}", attribute.name());
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// Every name and value, back to back.
    text: String,
    /// Where each value is in `text`, every attribute's values in turn.
    values: Vec<Range<usize>>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: Range<usize>,
    friendly_name: Option<Range<usize>>,
    name_format: Option<Range<usize>>,
    /// Indices into [`Attributes::values`].
    values: Range<usize>,
}

impl Attributes {
    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the assertion carries no attribute.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The attribute at `index`, in document order.
    pub fn get(&self, index: usize) -> Option<SamlAttribute<'_>> {
        self.entries.get(index).map(|entry| SamlAttribute {
            attributes: self,
            entry,
        })
    }

    /// Every attribute, in document order.
    pub fn iter(&self) -> AttributesIter<'_> {
        AttributesIter {
            attributes: self,
            entries: self.entries.iter(),
        }
    }

    fn str(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or_default()
    }

    fn push_str(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    /// Starts a new attribute; its values follow with
    /// [`push_value`](Self::push_value).
    pub(super) fn push_attribute(
        &mut self,
        name: &str,
        friendly_name: Option<&str>,
        name_format: Option<&str>,
    ) {
        let name = self.push_str(name);
        let friendly_name = friendly_name.map(|s| self.push_str(s));
        let name_format = name_format.map(|s| self.push_str(s));
        let first = self.values.len();
        self.entries.push(Entry {
            name,
            friendly_name,
            name_format,
            values: first..first,
        });
    }

    /// Appends a value to the last attribute started.
    pub(super) fn push_value(&mut self, value: &str) {
        let range = self.push_str(value);
        self.values.push(range);
        if let Some(last) = self.entries.last_mut() {
            last.values.end = self.values.len();
        }
    }
}

impl<'a> IntoIterator for &'a Attributes {
    type Item = SamlAttribute<'a>;
    type IntoIter = AttributesIter<'a>;

    fn into_iter(self) -> AttributesIter<'a> {
        self.iter()
    }
}

/// The iterator of [`Attributes::iter`].
#[derive(Debug, Clone)]
pub struct AttributesIter<'a> {
    attributes: &'a Attributes,
    entries: std::slice::Iter<'a, Entry>,
}

impl<'a> Iterator for AttributesIter<'a> {
    type Item = SamlAttribute<'a>;

    fn next(&mut self) -> Option<SamlAttribute<'a>> {
        let entry = self.entries.next()?;
        Some(SamlAttribute {
            attributes: self.attributes,
            entry,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for AttributesIter<'_> {}

/// One SAML attribute: its `Name`, optional `FriendlyName` and
/// `NameFormat`, and the full text of every `AttributeValue` in document
/// order. Two are equal when all of these are.
#[derive(Debug, Clone, Copy)]
pub struct SamlAttribute<'a> {
    attributes: &'a Attributes,
    entry: &'a Entry,
}

impl<'a> SamlAttribute<'a> {
    /// `Name`, e.g. `http://schemas.microsoft.com/ws/2008/06/identity/claims/groups`.
    pub fn name(&self) -> &'a str {
        self.attributes.str(&self.entry.name)
    }

    /// `FriendlyName`, if any.
    pub fn friendly_name(&self) -> Option<&'a str> {
        let attributes = self.attributes;
        self.entry.friendly_name.as_ref().map(|r| attributes.str(r))
    }

    /// `NameFormat`, if any.
    pub fn name_format(&self) -> Option<&'a str> {
        let attributes = self.attributes;
        self.entry.name_format.as_ref().map(|r| attributes.str(r))
    }

    /// The full text of each `AttributeValue`, in order.
    pub fn values(&self) -> AttributeValues<'a> {
        let attributes = self.attributes;
        AttributeValues {
            attributes,
            ranges: attributes
                .values
                .get(self.entry.values.clone())
                .unwrap_or_default()
                .iter(),
        }
    }
}

impl PartialEq for SamlAttribute<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
            && self.friendly_name() == other.friendly_name()
            && self.name_format() == other.name_format()
            && self.values().eq(other.values())
    }
}

impl Eq for SamlAttribute<'_> {}

/// The values of one attribute ([`SamlAttribute::values`]), in order.
#[derive(Debug, Clone)]
pub struct AttributeValues<'a> {
    attributes: &'a Attributes,
    ranges: std::slice::Iter<'a, Range<usize>>,
}

impl<'a> Iterator for AttributeValues<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let range = self.ranges.next()?;
        Some(self.attributes.str(range))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ranges.size_hint()
    }
}

impl ExactSizeIterator for AttributeValues<'_> {}

impl<'a> DoubleEndedIterator for AttributeValues<'a> {
    fn next_back(&mut self) -> Option<&'a str> {
        let range = self.ranges.next_back()?;
        Some(self.attributes.str(range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_read_back_in_order() {
        let mut a = Attributes::default();
        assert!(a.is_empty());
        a.push_attribute("groups", Some("Groups"), None);
        for g in ["g1", "", "g3"] {
            a.push_value(g);
        }
        a.push_attribute("email", None, Some("urn:basic"));
        a.push_value("a@b.example");
        a.push_attribute("empty", None, None);
        assert_eq!(a.len(), 3);
        let all: Vec<_> = a.iter().collect();
        assert_eq!(all[0].name(), "groups");
        assert_eq!(all[0].friendly_name(), Some("Groups"));
        assert_eq!(all[0].name_format(), None);
        assert_eq!(all[0].values().collect::<Vec<_>>(), ["g1", "", "g3"]);
        assert_eq!(all[0].values().len(), 3);
        assert_eq!(all[0].values().next_back(), Some("g3"));
        assert_eq!(all[1].name_format(), Some("urn:basic"));
        assert_eq!(all[1].values().collect::<Vec<_>>(), ["a@b.example"]);
        assert_eq!(all[2].values().count(), 0);
        assert_eq!(a.get(1), Some(all[1]));
        assert_ne!(all[0], all[1]);
        assert_eq!(a.get(3), None);
    }

    #[test]
    fn equality_is_by_content() {
        let mut a = Attributes::default();
        a.push_attribute("n", None, None);
        a.push_value("ab");
        let mut b = Attributes::default();
        b.push_attribute("n", None, None);
        b.push_value("a");
        b.push_value("b");
        // Same bytes, different values.
        assert_ne!(a, b);
        assert_ne!(a.get(0), b.get(0));
        let mut c = Attributes::default();
        c.push_attribute("n", None, None);
        c.push_value("ab");
        assert_eq!(a, c);
        assert_eq!(a.get(0), c.get(0));
    }
}
