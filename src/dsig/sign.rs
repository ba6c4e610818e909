//! Enveloped XML signatures on what we send (AuthnRequests over HTTP-POST;
//! LogoutRequests and LogoutResponses next), made exactly as a verifier
//! will check them: the digest and `SignedInfo` canonicalized by our own
//! canonicalizer from parsed trees.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::ENVELOPED_SIGNATURE;
use crate::c14n::{InclusivePrefixes, canonicalize_element};
use crate::certs::SpSigningKey;
use crate::crypto::{self, HashAlg};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::ns::DSIG;
use crate::rng::Csprng;
use crate::vocabulary::{C14nMethod, DigestAlgorithm, SignatureAlgorithm};
use crate::xml::{Document, XmlWriter};

/// The canonical form (exclusive c14n, no comments) of `element` in `xml`.
fn exc_c14n(xml: &str, find: impl Fn(&Document) -> Option<Vec<u8>>) -> Result<Vec<u8>> {
    let doc = Document::parse(xml.as_bytes(), &Limits::default())?;
    find(&doc).ok_or_else(|| Error::new(ErrorKind::XmlIdNotFound, "element to sign not found"))
}

/// Signs the document `render` writes with an enveloped signature on its
/// root element (whose `ID` is `id`): exclusive c14n, rsa-sha256, sha256,
/// Reference `#id`, transforms enveloped-signature + exc-c14n, KeyInfo with
/// the certificate if the key has one.
///
/// `render(None)` is the unsigned document; `render(Some(sig))` must place
/// `sig` where the schema wants the `Signature` (after `Issuer`). The digest
/// and `SignedInfo` are canonicalized by our own canonicalizer from parsed
/// trees, exactly as a verifier will.
pub(crate) fn sign_enveloped<R: Csprng + ?Sized>(
    render: &dyn Fn(Option<&str>) -> Result<String>,
    id: &str,
    key: &SpSigningKey,
    rng: &mut R,
) -> Result<String> {
    let none = InclusivePrefixes::none();
    // 1. The digest of the root element, which has no signature yet: the
    //    enveloped-signature transform removes nothing else.
    let unsigned = render(None)?;
    let canonical = exc_c14n(&unsigned, |doc| {
        let root = doc.root();
        if root.attribute(None, "ID") != Some(id) {
            return None;
        }
        let mut out = Vec::with_capacity(unsigned.len());
        canonicalize_element(root, None, C14nMethod::Exclusive, &none, &mut out).ok()?;
        Some(out)
    })?;
    let digest = STANDARD.encode(crypto::digest(HashAlg::Sha256, &canonical));

    // 2. The signature with an empty SignatureValue, placed in the document;
    //    SignedInfo is canonicalized from there.
    const VALUE_SLOT: &str = "<ds:SignatureValue></ds:SignatureValue>";
    let mut w = XmlWriter::new();
    w.open("ds:Signature");
    w.attr("xmlns:ds", DSIG);
    w.close_open();
    w.raw("<ds:SignedInfo>");
    for (name, algorithm) in [
        ("ds:CanonicalizationMethod", C14nMethod::Exclusive.uri()),
        ("ds:SignatureMethod", SignatureAlgorithm::RsaSha256.uri()),
    ] {
        w.open(name);
        w.attr("Algorithm", algorithm);
        w.close_empty();
    }
    w.open("ds:Reference");
    w.attr("URI", &format!("#{id}"));
    w.close_open();
    w.raw("<ds:Transforms>");
    for algorithm in [ENVELOPED_SIGNATURE, C14nMethod::Exclusive.uri()] {
        w.open("ds:Transform");
        w.attr("Algorithm", algorithm);
        w.close_empty();
    }
    w.raw("</ds:Transforms>");
    w.open("ds:DigestMethod");
    w.attr("Algorithm", DigestAlgorithm::Sha256.uri());
    w.close_empty();
    w.text_element("ds:DigestValue", &digest);
    w.raw("</ds:Reference></ds:SignedInfo>");
    w.raw(VALUE_SLOT);
    if let Some(cert) = key.certificate() {
        w.raw("<ds:KeyInfo><ds:X509Data>");
        w.text_element("ds:X509Certificate", &STANDARD.encode(cert.der()));
        w.raw("</ds:X509Data></ds:KeyInfo>");
    }
    w.close("ds:Signature");
    let template = w.finish();
    let with_slot = render(Some(&template))?;
    let signed_info = exc_c14n(&with_slot, |doc| {
        let root = doc.root();
        let signature = root.child_elements().find(|e| e.is(DSIG, "Signature"))?;
        let signed_info = signature
            .child_elements()
            .find(|e| e.is(DSIG, "SignedInfo"))?;
        let mut out = Vec::with_capacity(1024);
        canonicalize_element(signed_info, None, C14nMethod::Exclusive, &none, &mut out).ok()?;
        Some(out)
    })?;
    let value = STANDARD.encode(key.sign_sha256(rng, &signed_info)?);
    if with_slot.matches(VALUE_SLOT).count() != 1 {
        return Err(Error::new(
            ErrorKind::Io,
            "the rendered document does not hold exactly one signature slot",
        ));
    }
    Ok(with_slot.replacen(
        VALUE_SLOT,
        &format!("<ds:SignatureValue>{value}</ds:SignatureValue>"),
        1,
    ))
}
