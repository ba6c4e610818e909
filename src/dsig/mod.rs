//! Enveloped XML Signature verification -> [`VerifiedElement`].
//!
//! [`verify_enveloped`] checks the one enveloped `Signature` child of an
//! element against an [`IdpCertSet`] and, only if everything holds, returns
//! a [`VerifiedElement`]: proof that this element of this tree was signed by
//! a trusted certificate. Nothing else can build one.
//!
//! The checks, in order (each failure has its own [`ErrorKind`]):
//! 1. structure: exactly one `Signature` child; in it exactly one
//!    `SignedInfo` then one `SignatureValue` (then optional `KeyInfo` and
//!    `Object`s); `SignedInfo` at most [`MAX_SIGNED_INFO_BYTES`] long, and
//!    in it one `CanonicalizationMethod`, one `SignatureMethod` and exactly
//!    one `Reference`, whose `URI` is `#` + the element's `ID`; every element
//!    under `SignedInfo` is one XML-DSig allows there, with only the children
//!    it allows (none under `SignatureMethod`, `DigestMethod`,
//!    `DigestValue` and `InclusiveNamespaces`), and a PrefixList has at
//!    most [`InclusivePrefixes::MAX_TOKENS`] tokens;
//! 2. algorithms: canonicalization from the allow-list (exclusive or
//!    inclusive 1.0, with or without comments); transforms exactly
//!    enveloped-signature, optionally followed by one canonicalization;
//!    RSA PKCS#1 v1.5 with SHA-256/384/512 and digests SHA-256/384/512;
//!    SHA-1 only with [`SignaturePolicy::allow_sha1`];
//! 3. the certificates of the set valid at `now` (none: fail closed);
//! 4. `SignatureValue` over the canonical `SignedInfo` (at most
//!    [`MAX_SIGNED_INFO_BYTES`] once canonical: namespaces inherited from
//!    ancestors count) under one of them (a certificate in `KeyInfo` is
//!    only a hint of which to try first, and only if it is one of the
//!    trusted ones);
//! 5. the digest of the element minus its `Signature`, canonicalized and
//!    streamed into the hasher, against the now-authenticated `DigestValue`.
//!
//! Cost before the signature verifies (everything above but the digest):
//! the structure checks visit the `Signature`'s children and the at most
//! [`MAX_SIGNED_INFO_BYTES`] of `SignedInfo`; canonicalizing `SignedInfo`
//! walks that subtree once plus, at its top, the namespace declarations in
//! scope (at most [`Limits::max_namespaces_in_scope`](crate::limits::Limits)), and
//! writes at most [`MAX_SIGNED_INFO_BYTES`]; decoding `SignatureValue` and
//! the `KeyInfo` hint is linear in their text; then at most three RSA
//! public-key operations. The digest (step 5, which an attacker holding
//! any validly signed message can reach) is one linear canonicalization
//! of the signed element.

mod redirect;
mod sign;

pub use redirect::verify_redirect_signature;
pub(crate) use sign::sign_enveloped;

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::c14n::{InclusivePrefixes, canonicalize_element};
use crate::certs::{CertFingerprint, IdpCertSet};
use crate::crypto::{self, Hasher};
use crate::error::{Error, ErrorKind, Result};
use crate::ns::DSIG;
use crate::vocabulary::{C14nMethod, DigestAlgorithm, SignatureAlgorithm, SignaturePolicy};
use crate::xml::Element;

const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The largest `SignedInfo` accepted, in bytes, both as written and once
/// canonical: 16 KiB. Real IdPs send 500 to 900 bytes (the largest of the
/// recordings in `../shared/fixtures/real` is 867). SignedInfo is read and
/// canonicalized before its signature can be checked, so its size bounds
/// work an attacker without a key can cause.
pub const MAX_SIGNED_INFO_BYTES: usize = 16 * 1024;

/// How much longer than the signed element as written its canonical form
/// may be: [`C14N_GROWTH`] times, plus [`C14N_SLACK`] bytes. Exclusive
/// canonicalization repeats a namespace declaration on every element that
/// uses its prefix without an output ancestor declaring it, so a long
/// namespace name declared once and used by thousands of elements would be
/// hashed thousands of times. Real signed elements grow by at most 1.18
/// times (`../shared/fixtures/real`, elements over 2 KB); the slack covers
/// the namespaces a small element inherits.
const C14N_GROWTH: usize = 8;
/// See [`C14N_GROWTH`].
const C14N_SLACK: usize = 64 * 1024;

/// The digest's hasher, refusing more than its budget of canonical bytes.
struct BoundedHasher {
    hasher: Hasher,
    left: usize,
    overflowed: bool,
}

impl std::io::Write for BoundedHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.left.checked_sub(buf.len()) {
            Some(left) => {
                self.left = left;
                self.hasher.write_all(buf)?;
                Ok(buf.len())
            }
            None => {
                self.overflowed = true;
                Err(std::io::Error::other("canonical form too large"))
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The canonical `SignedInfo`, refused past [`MAX_SIGNED_INFO_BYTES`].
struct BoundedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for BoundedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_SIGNED_INFO_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("SignedInfo too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
pub(crate) const ENVELOPED_SIGNATURE: &str =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Proof that an element of a document carries a valid enveloped signature
/// by a trusted certificate. Only [`verify_enveloped`] builds one.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedElement<'d> {
    element: Element<'d>,
    certificate: CertFingerprint,
    signature_algorithm: SignatureAlgorithm,
    digest_algorithm: DigestAlgorithm,
    canonicalization: C14nMethod,
}

impl<'d> VerifiedElement<'d> {
    /// The signed element, in the very tree that was verified.
    pub fn element(&self) -> Element<'d> {
        self.element
    }

    /// The fingerprint of the certificate whose key verified the signature.
    pub fn certificate(&self) -> CertFingerprint {
        self.certificate
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }

    /// The digest algorithm of the reference.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// The canonicalization of `SignedInfo`.
    pub fn canonicalization(&self) -> C14nMethod {
        self.canonicalization
    }
}

/// The text content of `element`, exactly [`Element::text`], borrowed from
/// the tree when it is one text node (the usual case: no copy, no growth).
pub(crate) fn element_text<'d>(element: Element<'d>) -> Cow<'d, str> {
    match element.simple_text() {
        Some(text) => Cow::Borrowed(text),
        None => Cow::Owned(element.text()),
    }
}

/// Whether `element` has an enveloped `Signature` child (valid or not).
pub fn has_enveloped_signature(element: Element<'_>) -> bool {
    element.child_elements().any(|c| c.is(DSIG, "Signature"))
}

/// Verifies the enveloped signature of `element` against the certificates
/// of `certs` valid at `now`.
///
/// ```
/// use saml_sp::{IdpCertSet, Limits, SigningCertificate};
/// use saml_sp::building_blocks::{Document, verify_enveloped};
/// use saml_sp::time::{Clock, FixedClock};
/// use saml_sp::vocabulary::SignaturePolicy;
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// let cert = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// let certs = IdpCertSet::new([cert], now)?;
/// let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// let doc = Document::parse(&xml, &Limits::default())?;
/// let assertion = doc.root().child_elements().find(|e| e.local_name() == "Assertion").unwrap();
/// let verified = verify_enveloped(assertion, &certs, now, &SignaturePolicy::default())?;
/// assert_eq!(verified.element(), assertion);
/// assert_eq!(verified.signature_algorithm().as_str(), "rsa-sha256");
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # Errors
/// The [`ErrorKind`] of the first check that fails (see the module docs).
pub fn verify_enveloped<'d>(
    element: Element<'d>,
    certs: &IdpCertSet,
    now: DateTime<Utc>,
    policy: &SignaturePolicy,
) -> Result<VerifiedElement<'d>> {
    let sig = Parsed::read(element, policy)?;

    // At most three certificates: counted and filtered in place.
    let usable = || certs.usable_at(now);
    let usable_count = usable().count();
    if usable_count == 0 {
        return Err(Error::new(
            ErrorKind::NoUsableCertificate,
            format!(
                "none of the {} certificates is valid at {now}",
                certs.certificates().len()
            ),
        ));
    }

    // The signature over SignedInfo first: its content (the digest value,
    // the algorithms) is trusted only once it is authenticated.
    let mut bounded = BoundedOutput {
        bytes: Vec::with_capacity(1024),
        overflowed: false,
    };
    let canonical = canonicalize_element(
        sig.signed_info,
        None,
        sig.c14n,
        &sig.c14n_prefixes,
        &mut bounded,
    );
    if bounded.overflowed {
        return Err(malformed(format!(
            "canonical SignedInfo is longer than {MAX_SIGNED_INFO_BYTES} bytes"
        )));
    }
    canonical?;
    let signed_info = bounded.bytes;
    // KeyInfo is only a hint of which trusted certificate to try first,
    // worth decoding only when there is a choice.
    let hint = if usable_count > 1 {
        key_info_hint(sig.key_info)
    } else {
        None
    };
    let ordered = usable()
        .filter(|c| Some(c.fingerprint()) == hint)
        .chain(usable().filter(|c| Some(c.fingerprint()) != hint));
    let mut verified_by = None;
    for cert in ordered {
        if cert.verifies(sig.signature_algorithm, &signed_info, &sig.signature_value) {
            verified_by = Some(cert.fingerprint());
            break;
        }
    }
    let certificate = verified_by.ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureInvalid,
            format!(
                "SignatureValue of <{}> does not verify under any of {} usable certificates",
                element.local_name(),
                usable_count
            ),
        )
    })?;

    let written = element.source_range().len();
    let mut hasher = BoundedHasher {
        hasher: Hasher::new(sig.digest_algorithm),
        left: written
            .saturating_mul(C14N_GROWTH)
            .saturating_add(C14N_SLACK),
        overflowed: false,
    };
    let canonical = canonicalize_element(
        element,
        Some(sig.signature),
        sig.reference_c14n,
        &sig.reference_prefixes,
        &mut hasher,
    );
    if hasher.overflowed {
        return Err(Error::new(
            ErrorKind::CanonicalFormTooLarge,
            format!(
                "the canonical form of <{}> ({written} bytes as written) is longer than \
                 {C14N_GROWTH} times that plus {C14N_SLACK} bytes",
                element.local_name()
            ),
        ));
    }
    canonical?;
    if !crypto::constant_time_eq(&hasher.hasher.finish(), &sig.digest_value) {
        return Err(Error::new(
            ErrorKind::DigestMismatch,
            format!(
                "digest of <{}> does not match DigestValue",
                element.local_name()
            ),
        ));
    }

    Ok(VerifiedElement {
        element,
        certificate,
        signature_algorithm: sig.signature_algorithm,
        digest_algorithm: sig.digest_algorithm,
        canonicalization: sig.c14n,
    })
}

/// The fingerprint of the first certificate in `KeyInfo`, if any. Never a
/// source of trust: it only orders the trusted certificates.
fn key_info_hint(key_info: Option<Element<'_>>) -> Option<CertFingerprint> {
    key_info?
        .descendants()
        .find(|e| e.is(DSIG, "X509Certificate"))
        .and_then(|c| decode_base64(&element_text(c), "X509Certificate").ok())
        .map(|der| CertFingerprint::of_der(&der))
}

/// A structurally valid signature with allow-listed algorithms.
struct Parsed<'d> {
    signature: Element<'d>,
    signed_info: Element<'d>,
    c14n: C14nMethod,
    c14n_prefixes: InclusivePrefixes,
    signature_algorithm: SignatureAlgorithm,
    reference_c14n: C14nMethod,
    reference_prefixes: InclusivePrefixes,
    digest_algorithm: DigestAlgorithm,
    digest_value: Vec<u8>,
    signature_value: Vec<u8>,
    key_info: Option<Element<'d>>,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::SignatureMalformed, detail)
}

/// The child elements of `parent`, which must all be in the dsig namespace
/// and named in `allowed`; each name in `exactly_one` must occur once.
fn dsig_children<'d>(
    parent: Element<'d>,
    allowed: &[&str],
    exactly_one: &[&str],
) -> Result<DsigChildren<'d>> {
    let children = DsigChildren(parent);
    for child in children.iter() {
        if child.namespace() != Some(DSIG) || !allowed.iter().any(|name| child.has_local_name(name))
        {
            return Err(malformed(format!(
                "unexpected element {:?} in {}",
                child.local_name(),
                parent.local_name()
            )));
        }
    }
    for name in exactly_one {
        match children.count(name) {
            1 => {}
            0 => {
                return Err(malformed(format!("{} has no {name}", parent.local_name())));
            }
            n => {
                return Err(Error::new(
                    ErrorKind::SignatureAmbiguous,
                    format!("{} has {n} {name} elements", parent.local_name()),
                ));
            }
        }
    }
    Ok(children)
}

/// The child elements of a dsig element that [`dsig_children`] checked,
/// read again from the tree whenever asked (they are few: no list kept).
#[derive(Clone, Copy)]
struct DsigChildren<'d>(Element<'d>);

impl<'d> DsigChildren<'d> {
    fn iter(self) -> impl Iterator<Item = Element<'d>> {
        self.0.child_elements()
    }

    /// The first child named `name`.
    fn find(self, name: &str) -> Option<Element<'d>> {
        self.iter().find(|c| c.has_local_name(name))
    }

    /// How many children are named `name`.
    fn count(self, name: &str) -> usize {
        self.iter().filter(|c| c.has_local_name(name)).count()
    }
}

/// Children must appear in the order of `sequence` (each name may repeat
/// where the schema allows; unknown names were refused before).
fn check_order(parent: Element<'_>, children: DsigChildren<'_>, sequence: &[&str]) -> Result<()> {
    let mut position = 0;
    for child in children.iter() {
        let rank = sequence
            .iter()
            .position(|n| child.has_local_name(n))
            .unwrap_or(usize::MAX);
        if rank < position {
            return Err(malformed(format!(
                "{} is out of order in {}",
                child.local_name(),
                parent.local_name()
            )));
        }
        position = rank;
    }
    Ok(())
}

fn algorithm_of<'d>(el: Element<'d>) -> Result<&'d str> {
    el.attribute(None, "Algorithm")
        .ok_or_else(|| malformed(format!("{} has no Algorithm", el.local_name())))
}

fn decode_base64(text: &str, what: &str) -> Result<Vec<u8>> {
    let bytes = crate::binding::decode_base64(text.as_bytes())
        .map_err(|e| malformed(format!("{what} is not base64: {e}")))?;
    if bytes.is_empty() {
        return Err(malformed(format!("{what} is empty")));
    }
    Ok(bytes)
}

/// The `InclusiveNamespaces PrefixList` under a canonicalization method or
/// transform, allowed only for exclusive canonicalization.
fn prefix_list(el: Element<'_>, method: C14nMethod, kind: ErrorKind) -> Result<InclusivePrefixes> {
    let mut prefixes = InclusivePrefixes::none();
    let mut seen = false;
    for child in el.child_elements() {
        let ok = method.is_exclusive() && !seen && child.is(EXC_C14N_NS, "InclusiveNamespaces");
        if !ok {
            return Err(Error::new(
                kind,
                format!("unexpected {:?} in {}", child.local_name(), el.local_name()),
            ));
        }
        seen = true;
        no_child_elements(child)?;
        let list = child.attribute(None, "PrefixList").unwrap_or_default();
        prefixes = InclusivePrefixes::parse(list).map_err(|e| malformed(e.detail().to_owned()))?;
    }
    Ok(prefixes)
}

/// An element XML-DSig gives no element content (`SignatureMethod`
/// without HMAC, `DigestMethod`, `DigestValue`, `InclusiveNamespaces`).
fn no_child_elements(el: Element<'_>) -> Result<()> {
    match el.child_elements().next() {
        None => Ok(()),
        Some(child) => Err(malformed(format!(
            "{} has a child element {:?}",
            el.local_name(),
            child.local_name()
        ))),
    }
}

impl<'d> Parsed<'d> {
    fn read(element: Element<'d>, policy: &SignaturePolicy) -> Result<Self> {
        let mut signatures = element.child_elements().filter(|c| c.is(DSIG, "Signature"));
        let signature = signatures.next().ok_or_else(|| {
            Error::new(
                ErrorKind::SignatureMissing,
                format!("<{}> has no enveloped Signature", element.local_name()),
            )
        })?;
        if signatures.next().is_some() {
            return Err(Error::new(
                ErrorKind::SignatureAmbiguous,
                format!("<{}> has several Signature children", element.local_name()),
            ));
        }

        let children = dsig_children(
            signature,
            &["SignedInfo", "SignatureValue", "KeyInfo", "Object"],
            &["SignedInfo", "SignatureValue"],
        )?;
        if children.count("KeyInfo") > 1 {
            return Err(Error::new(ErrorKind::SignatureAmbiguous, "several KeyInfo"));
        }
        check_order(
            signature,
            children,
            &["SignedInfo", "SignatureValue", "KeyInfo", "Object"],
        )?;
        let find = |name: &str| children.find(name);
        let (Some(signed_info), Some(signature_value)) =
            (find("SignedInfo"), find("SignatureValue"))
        else {
            return Err(malformed("SignedInfo or SignatureValue missing"));
        };
        let size = signed_info.source_range().len();
        if size > MAX_SIGNED_INFO_BYTES {
            return Err(malformed(format!(
                "SignedInfo is {size} bytes, more than {MAX_SIGNED_INFO_BYTES}"
            )));
        }

        let info_children = dsig_children(
            signed_info,
            &["CanonicalizationMethod", "SignatureMethod", "Reference"],
            &["CanonicalizationMethod", "SignatureMethod", "Reference"],
        )?;
        check_order(
            signed_info,
            info_children,
            &["CanonicalizationMethod", "SignatureMethod", "Reference"],
        )?;
        let find_info = |name: &str| info_children.find(name);
        let (Some(c14n_el), Some(method_el), Some(reference)) = (
            find_info("CanonicalizationMethod"),
            find_info("SignatureMethod"),
            find_info("Reference"),
        ) else {
            return Err(malformed("SignedInfo is incomplete"));
        };

        // Reference URI: "#" + this element's ID, nothing else.
        let uri = reference.attribute(None, "URI");
        let id = element.attribute(None, "ID");
        match (uri, id) {
            (Some(uri), Some(id))
                if uri.strip_prefix('#') == Some(id)
                    && element.document().element_by_id(id) == Some(element) => {}
            _ => {
                return Err(Error::new(
                    ErrorKind::ReferenceUriMismatch,
                    format!(
                        "Reference URI {uri:?} does not name <{}> (ID {id:?})",
                        element.local_name()
                    ),
                ));
            }
        }

        // SignedInfo's canonicalization.
        let c14n_uri = algorithm_of(c14n_el)?;
        let c14n = C14nMethod::from_uri(c14n_uri).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("CanonicalizationMethod {c14n_uri:?}"),
            )
        })?;
        let c14n_prefixes = prefix_list(c14n_el, c14n, ErrorKind::SignatureMalformed)?;

        // Signature algorithm.
        let signature_algorithm = policy.signature_method(algorithm_of(method_el)?)?;
        no_child_elements(method_el)?;

        // Reference: Transforms?, DigestMethod, DigestValue.
        let ref_children = dsig_children(
            reference,
            &["Transforms", "DigestMethod", "DigestValue"],
            &["DigestMethod", "DigestValue"],
        )?;
        if ref_children.count("Transforms") > 1 {
            return Err(Error::new(
                ErrorKind::SignatureAmbiguous,
                "several Transforms",
            ));
        }
        check_order(
            reference,
            ref_children,
            &["Transforms", "DigestMethod", "DigestValue"],
        )?;
        let find_ref = |name: &str| ref_children.find(name);
        let (Some(digest_method_el), Some(digest_value_el)) =
            (find_ref("DigestMethod"), find_ref("DigestValue"))
        else {
            return Err(malformed("Reference is incomplete"));
        };
        let (reference_c14n, reference_prefixes) = match find_ref("Transforms") {
            Some(transforms) => read_transforms(transforms)?,
            None => {
                return Err(Error::new(
                    ErrorKind::UnsupportedTransform,
                    "no enveloped-signature transform",
                ));
            }
        };

        no_child_elements(digest_method_el)?;
        no_child_elements(digest_value_el)?;
        let digest_algorithm = policy.digest_method(algorithm_of(digest_method_el)?)?;

        let digest_value = decode_base64(&element_text(digest_value_el), "DigestValue")?;
        let signature_value = decode_base64(&element_text(signature_value), "SignatureValue")?;

        let key_info = find("KeyInfo");

        Ok(Self {
            signature,
            signed_info,
            c14n,
            c14n_prefixes,
            signature_algorithm,
            reference_c14n,
            reference_prefixes,
            digest_algorithm,
            digest_value,
            signature_value,
            key_info,
        })
    }
}

/// Transforms: enveloped-signature, optionally followed by one
/// canonicalization. Returns the canonicalization of the reference: a
/// same-document `#id` reference is a node-set without comments (XML-DSig
/// 4.3.3.3), so the with-comments variants canonicalize without them too;
/// with no canonicalization transform, Canonical XML 1.0 applies.
fn read_transforms(transforms: Element<'_>) -> Result<(C14nMethod, InclusivePrefixes)> {
    let unsupported = |detail: String| Err(Error::new(ErrorKind::UnsupportedTransform, detail));
    let mut enveloped = false;
    let mut c14n = None;
    for t in transforms.child_elements() {
        if !t.is(DSIG, "Transform") {
            return Err(malformed(format!(
                "unexpected {:?} in Transforms",
                t.local_name()
            )));
        }
        let uri = algorithm_of(t)?;
        if uri == ENVELOPED_SIGNATURE && !enveloped && c14n.is_none() {
            if t.child_elements().next().is_some() {
                return unsupported("enveloped-signature transform with parameters".into());
            }
            enveloped = true;
        } else if let Some(method) = C14nMethod::from_uri(uri).filter(|_| c14n.is_none()) {
            let prefixes = prefix_list(t, method, ErrorKind::UnsupportedTransform)?;
            c14n = Some((method.without_comments(), prefixes));
        } else {
            return unsupported(format!("transform {uri:?} is not allowed here"));
        }
    }
    if !enveloped {
        return unsupported("no enveloped-signature transform".into());
    }
    Ok(c14n.unwrap_or((C14nMethod::Inclusive, InclusivePrefixes::none())))
}
