//! XML Encryption, the reading side: an `EncryptedAssertion`,
//! `EncryptedID` or `EncryptedAttribute` (SAML's `EncryptedElementType`)
//! -> the decrypted element, parsed into its own [`Document`].
//!
//! What is read, and nothing else:
//! - exactly one `xenc:EncryptedData` child, with `Type` absent or
//!   `xmlenc#Element`, one `EncryptionMethod` of the allow-list
//!   ([`EncryptionPolicy::data_method`]), and one `CipherData/CipherValue`.
//!   A `CipherReference` is refused, never fetched.
//! - its session key in an `xenc:EncryptedKey`: inline in the
//!   `EncryptedData`'s `ds:KeyInfo`; a sibling named by a `ds:RetrievalMethod`
//!   (`Type` EncryptedKey, `URI="#id"`: a sibling of this element only) or
//!   by a `ds:KeyName` equal to its `CarriedKeyName`; or, when the KeyInfo
//!   gives none (a `KeyName` that matches nothing is only a hint), every
//!   sibling `EncryptedKey`. Key transport is RSA-OAEP
//!   ([`EncryptionPolicy::key_transport`]); `rsa-1_5` is refused.
//! - several `EncryptedKey`s (one per recipient): those for us (our
//!   certificate or its serial number in their `KeyInfo`, or our entity ID
//!   as `Recipient`) are tried first, those for someone else last, and at
//!   most [`MAX_UNWRAPS`] private-key operations are spent on one element.
//!   At most `MAX_ENCRYPTED_KEYS` (8) sibling `EncryptedKey`s, and as many
//!   distinct ones named, counted before any reference is resolved: the
//!   references cost work linear in the input.
//!
//! Every failure from the key unwrap to the parsed element is
//! [`ErrorKind::DecryptionFailed`], with one user text: the SP is no padding
//! or format oracle. When no key unwraps, decryption goes on with a random
//! session key and fails where a bad ciphertext would, so that the two
//! cases also take the same path (see the security manual for the timing
//! that remains). Structure and algorithm refusals, decided from what
//! anyone can read in the message, keep their own kinds.

use crate::certs::{SpDecryptionKey, SpDecryptionKeys};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::ns::{DSIG, XMLENC, XMLENC11};
use crate::rng::Csprng;
use crate::vocabulary::{DataEncryption, EncryptionPolicy, KeyTransport};
use crate::xml::{Document, Element, trim_xml_whitespace as trim};

/// The most RSA private-key operations one encrypted element may cost
/// (EncryptedKeys times our keys): enough for two recipients and our two
/// keys, and a bound on what an unsigned message can make us spend.
pub(crate) const MAX_UNWRAPS: usize = 4;

/// The most `EncryptedKey`s an encrypted element may carry.
const MAX_ENCRYPTED_KEYS: usize = 8;

const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
const TYPE_ENCRYPTED_KEY: &str = "http://www.w3.org/2001/04/xmlenc#EncryptedKey";

/// What decryption needs: our keys, the algorithm policy, and who we are
/// (the `Recipient` an `EncryptedKey` for us may name).
#[derive(Clone, Copy)]
pub(crate) struct Decryption<'a> {
    pub(crate) keys: &'a SpDecryptionKeys,
    pub(crate) policy: EncryptionPolicy,
    pub(crate) recipient: &'a str,
    pub(crate) limits: &'a Limits,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::EncryptedDataMalformed, detail)
}

fn failed(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::DecryptionFailed, detail)
}

fn children<'d, 'n>(
    el: Element<'d>,
    ns: &'n str,
    local: &'n str,
) -> impl Iterator<Item = Element<'d>> + use<'d, 'n> {
    el.child_elements().filter(move |c| c.is(ns, local))
}

/// At most one child `{ns}local`.
fn optional_child<'d>(el: Element<'d>, ns: &str, local: &str) -> Result<Option<Element<'d>>> {
    let mut it = children(el, ns, local);
    let first = it.next();
    if it.next().is_some() {
        return Err(malformed(format!(
            "<{}> has several {local}",
            el.local_name()
        )));
    }
    Ok(first)
}

fn required_child<'d>(el: Element<'d>, ns: &str, local: &str) -> Result<Element<'d>> {
    optional_child(el, ns, local)?
        .ok_or_else(|| malformed(format!("<{}> has no {local}", el.local_name())))
}

fn algorithm(method: Element<'_>) -> Result<&str> {
    method
        .attribute(None, "Algorithm")
        .map(trim)
        .ok_or_else(|| malformed("EncryptionMethod without Algorithm"))
}

/// The bytes of `CipherData/CipherValue` (a `CipherReference` is refused).
fn cipher_value(parent: Element<'_>) -> Result<Vec<u8>> {
    let data = required_child(parent, XMLENC, "CipherData")?;
    if children(data, XMLENC, "CipherReference").next().is_some() {
        return Err(malformed(
            "CipherReference: external ciphertext is never fetched",
        ));
    }
    let value = required_child(data, XMLENC, "CipherValue")?;
    if data.child_elements().count() != 1 {
        return Err(malformed("CipherData holds more than one CipherValue"));
    }
    crate::binding::decode_base64(value.text().as_bytes())
        .map_err(|e| malformed(format!("CipherValue: base64: {e}")))
}

/// Who an `EncryptedKey` is for, as far as its cleartext says.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Aim {
    /// Our certificate, its serial, or our entity ID as Recipient.
    Us,
    /// Nothing says.
    Unknown,
    /// Another Recipient.
    Other,
}

/// An `EncryptedKey` ready to unwrap.
struct Candidate {
    transport: KeyTransport,
    wrapped: Vec<u8>,
    aim: Aim,
    /// The one key of ours its KeyInfo names, if it names one.
    our_key: Option<usize>,
}

fn read_encrypted_key(
    ek: Element<'_>,
    dec: &Decryption<'_>,
) -> Result<std::result::Result<Candidate, Error>> {
    let method = required_child(ek, XMLENC, "EncryptionMethod")?;
    let uri = algorithm(method)?;
    let digest = optional_child(method, DSIG, "DigestMethod")?
        .map(algorithm)
        .transpose()?;
    let mgf = optional_child(method, XMLENC11, "MGF")?
        .map(algorithm)
        .transpose()?;
    let wrapped = cipher_value(ek)?;
    if optional_child(method, XMLENC, "OAEPparams")?.is_some() {
        return Ok(Err(Error::new(
            ErrorKind::EncryptionAlgorithmUnsupported,
            "OAEPparams (an OAEP label) is not supported",
        )));
    }
    let transport = match dec.policy.key_transport(uri, digest, mgf) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    // Whom it is for: its KeyInfo's certificate or serial, its Recipient.
    let mut our_key = None;
    if let Some(info) = optional_child(ek, DSIG, "KeyInfo")? {
        for el in info.descendants() {
            if el.is(DSIG, "X509Certificate") {
                if let Ok(der) = crate::binding::decode_base64(el.text().as_bytes()) {
                    our_key = our_key.or_else(|| {
                        dec.keys
                            .keys()
                            .iter()
                            .position(|k| k.is_for_certificate(&der))
                    });
                }
            } else if el.is(DSIG, "X509SerialNumber") {
                let serial = el.text();
                our_key = our_key.or_else(|| {
                    dec.keys
                        .keys()
                        .iter()
                        .position(|k| k.has_serial(trim(&serial)))
                });
            }
        }
    }
    let aim = match (our_key, ek.attribute(None, "Recipient").map(trim)) {
        (Some(_), _) => Aim::Us,
        (None, Some(r)) if r == dec.recipient => Aim::Us,
        (None, Some(_)) => Aim::Other,
        (None, None) => Aim::Unknown,
    };
    Ok(Ok(Candidate {
        transport,
        wrapped,
        aim,
        our_key,
    }))
}

/// The `EncryptedKey` elements that hold `data`'s session key, in the
/// order the KeyInfo gives them, each once.
///
/// Linear in the input: at most [`MAX_ENCRYPTED_KEYS`] siblings (counted
/// first), each sibling's one `CarriedKeyName` read once, and the list refused
/// as soon as it holds more than [`MAX_ENCRYPTED_KEYS`] distinct keys (a
/// KeyInfo of thousands of `KeyName`s or `RetrievalMethod`s, each matched
/// against thousands of siblings, cost seconds and gigabytes before).
fn key_elements<'d>(encrypted: Element<'d>, data: Element<'d>) -> Result<Vec<Element<'d>>> {
    let too_many = |n: usize| malformed(format!("{n} EncryptedKeys, at most {MAX_ENCRYPTED_KEYS}"));
    let siblings: Vec<Element<'d>> = children(encrypted, XMLENC, "EncryptedKey").collect();
    if siblings.len() > MAX_ENCRYPTED_KEYS {
        return Err(too_many(siblings.len()));
    }
    // Each sibling's CarriedKeyName (at most one, as the schema says),
    // trimmed, read once: a KeyName is then matched in at most
    // MAX_ENCRYPTED_KEYS comparisons.
    let carried: Vec<Option<String>> = siblings
        .iter()
        .map(|ek| {
            Ok(optional_child(*ek, XMLENC, "CarriedKeyName")?
                .map(|c| trim(&crate::dsig::element_text(c)).to_owned()))
        })
        .collect::<Result<_>>()?;
    let mut found: Vec<Element<'d>> = Vec::new();
    let add = |found: &mut Vec<Element<'d>>, ek: Element<'d>| -> Result<()> {
        if !found.contains(&ek) {
            found.push(ek);
            if found.len() > MAX_ENCRYPTED_KEYS {
                return Err(too_many(found.len()));
            }
        }
        Ok(())
    };
    let mut named = false;
    if let Some(info) = optional_child(data, DSIG, "KeyInfo")? {
        for item in info.child_elements() {
            if item.is(XMLENC, "EncryptedKey") {
                add(&mut found, item)?;
            } else if item.is(DSIG, "RetrievalMethod") {
                named = true;
                if item.attribute(None, "Type").map(trim) != Some(TYPE_ENCRYPTED_KEY) {
                    return Err(malformed("RetrievalMethod of another Type"));
                }
                let id = item
                    .attribute(None, "URI")
                    .map(trim)
                    .and_then(|u| u.strip_prefix('#'))
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| {
                        malformed("RetrievalMethod URI is not a same-document #id: never followed")
                    })?;
                if children(item, DSIG, "Transforms").next().is_some() {
                    return Err(malformed("RetrievalMethod with Transforms"));
                }
                let target = siblings
                    .iter()
                    .find(|ek| ek.attribute(None, "Id") == Some(id))
                    .ok_or_else(|| {
                        malformed(format!(
                            "RetrievalMethod #{id} names no sibling EncryptedKey"
                        ))
                    })?;
                add(&mut found, *target)?;
            } else if item.is(DSIG, "KeyName") {
                // A hint, not a reference: when no CarriedKeyName matches,
                // the siblings are tried as if it were absent.
                let name = crate::dsig::element_text(item);
                let name = trim(&name);
                for (ek, carried) in siblings.iter().zip(&carried) {
                    if carried.as_deref() == Some(name) {
                        add(&mut found, *ek)?;
                    }
                }
            }
        }
    }
    if found.is_empty() && !named {
        found = siblings;
    }
    if found.is_empty() {
        return Err(malformed("no EncryptedKey holds the session key"));
    }
    Ok(found)
}

/// The encrypted element's `EncryptedData` checked, its algorithm, and the
/// ciphertext.
fn read_encrypted_data(
    encrypted: Element<'_>,
    dec: &Decryption<'_>,
) -> Result<(DataEncryption, Vec<u8>)> {
    for child in encrypted.child_elements() {
        if !(child.is(XMLENC, "EncryptedData") || child.is(XMLENC, "EncryptedKey")) {
            return Err(malformed(format!(
                "<{}> inside <{}>",
                child.local_name(),
                encrypted.local_name()
            )));
        }
    }
    let data = required_child(encrypted, XMLENC, "EncryptedData")?;
    match data.attribute(None, "Type").map(trim) {
        None | Some(TYPE_ELEMENT) => {}
        Some(other) => return Err(malformed(format!("EncryptedData Type {other:?}"))),
    }
    let method = required_child(data, XMLENC, "EncryptionMethod")?;
    let algorithm = dec.policy.data_method(algorithm(method)?)?;
    let ciphertext = cipher_value(data)?;
    Ok((algorithm, ciphertext))
}

/// The session key: the first `EncryptedKey` one of our keys unwraps to a
/// key of the right length, trying those for us first.
fn session_key<R: Csprng + ?Sized>(
    encrypted: Element<'_>,
    dec: &Decryption<'_>,
    algorithm: DataEncryption,
    rng: &mut R,
) -> Result<Option<Vec<u8>>> {
    let data = required_child(encrypted, XMLENC, "EncryptedData")?;
    let mut candidates = Vec::new();
    let mut refusal: Option<Error> = None;
    for ek in key_elements(encrypted, data)? {
        match read_encrypted_key(ek, dec)? {
            Ok(c) => candidates.push(c),
            // rsa-1_5 is the refusal to report over an unknown algorithm.
            Err(e) => {
                if refusal
                    .as_ref()
                    .is_none_or(|r| r.kind() != ErrorKind::KeyTransportRefused)
                {
                    refusal = Some(e);
                }
            }
        }
    }
    if candidates.is_empty() {
        return Err(refusal.unwrap_or_else(|| malformed("no usable EncryptedKey")));
    }
    candidates.sort_by_key(|c| c.aim);
    let keys = dec.keys.keys();
    let mut budget = MAX_UNWRAPS;
    for candidate in &candidates {
        let tries: Vec<&SpDecryptionKey> = match candidate.our_key.and_then(|i| keys.get(i)) {
            Some(key) => vec![key],
            None => keys.iter().collect(),
        };
        for key in tries {
            // A wrapped key of another length cannot be for this key: no
            // private-key operation is spent on it.
            if candidate.wrapped.len() != key.size() {
                continue;
            }
            if budget == 0 {
                return Ok(None);
            }
            budget -= 1;
            if let Some(session) = key.unwrap_key(rng, candidate.transport, &candidate.wrapped) {
                if session.len() == algorithm.key_len() {
                    return Ok(Some(session));
                }
            }
        }
    }
    Ok(None)
}

/// Decrypts `encrypted` (an element of SAML's `EncryptedElementType`) and
/// parses the plaintext under `dec.limits` into a document whose root
/// element must be `{ns}local`.
///
/// # Errors
/// [`ErrorKind::EncryptedDataMalformed`], [`ErrorKind::EncryptionAlgorithmUnsupported`],
/// [`ErrorKind::TripledesNotAllowed`] and [`ErrorKind::KeyTransportRefused`]
/// for what the cleartext structure says; [`ErrorKind::DecryptionFailed`]
/// for everything from the key unwrap on.
pub(crate) fn decrypt_element<R: Csprng + ?Sized>(
    encrypted: Element<'_>,
    dec: &Decryption<'_>,
    expected: (&str, &str),
    rng: &mut R,
) -> Result<Document> {
    let (algorithm, ciphertext) = read_encrypted_data(encrypted, dec)?;
    let session = session_key(encrypted, dec, algorithm, rng)?;
    let unwrapped = session.is_some();
    // No key unwrapped: go on with a random key, so that this failure takes
    // the path a bad ciphertext takes, and fail at the same place.
    let key = session.unwrap_or_else(|| {
        let mut random = vec![0u8; algorithm.key_len()];
        rng.fill_random(&mut random);
        random
    });
    let plaintext = crate::crypto::decrypt_data(algorithm, &key, &ciphertext);
    let parsed = plaintext
        .as_deref()
        .map(|bytes| Document::parse(bytes, dec.limits));
    match (unwrapped, parsed) {
        (false, _) => Err(failed("no EncryptedKey unwraps with our decryption keys")),
        (true, None) => Err(failed(
            "the ciphertext does not decrypt (padding, tag or length)",
        )),
        (true, Some(Err(e))) => Err(failed(format!(
            "the decrypted content is not well-formed XML within the limits: {}: {}",
            e.kind().as_str(),
            e.detail()
        ))),
        (true, Some(Ok(doc))) => {
            let root = doc.root();
            if !root.is(expected.0, expected.1) {
                return Err(failed(format!(
                    "the decrypted content is <{}> in {:?}, not {}",
                    root.local_name(),
                    root.namespace().unwrap_or_default(),
                    expected.1
                )));
            }
            Ok(doc)
        }
    }
}
