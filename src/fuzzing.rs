//! Hooks for the differential fuzz targets of `fuzz/` (feature `fuzzing`).
//!
//! **Not an API.** This module exists only with the `fuzzing` feature,
//! which no application should enable: it exposes internals so that the
//! fuzz targets `rsa_verify_diff` and `xml_scan_diff` can compare our two
//! hand-written hot paths with the code they stand in for. Each function is
//! a thin call of the code the library runs; none adds, skips or changes a
//! check.

use crate::crypto::rsa_verify::RsaVerifyKey;
use crate::error::ErrorKind;
use crate::limits::Limits;
use crate::vocabulary::DigestAlgorithm;
use crate::xml::Document;

/// Our RSASSA-PKCS1-v1_5 verify (`crypto::rsa_verify`, the default
/// backend): the key of modulus `n` and exponent `e` (big-endian, leading
/// zeros allowed) checks `signature` over a message whose `hash` digest is
/// `digest`. `None` when our key constructor refuses the key (modulus not
/// 1024..=8192 bits or even; exponent even, below 3 or wider than 64 bits).
pub fn rsa_verify_ours(
    n: &[u8],
    e: &[u8],
    hash: DigestAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Option<bool> {
    let key = RsaVerifyKey::new(n, e).ok()?;
    Some(key.verify_pkcs1v15(hash, digest, signature))
}

/// AWS-LC's verify (feature `aws-lc-rs`) as a certificate's key of 2048
/// bits or more goes through it: the key (PKCS#1 `RSAPublicKey` DER)
/// parsed once for `hash` when AWS-LC takes it, else the verify that
/// parses on every call (which then refuses the same way). AWS-LC hashes
/// `message` itself.
#[cfg(feature = "aws-lc-rs")]
pub fn rsa_verify_aws_lc(
    pkcs1_der_public_key: &[u8],
    hash: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    // The bit count only gates keys below 2048 bits away from AWS-LC; the
    // caller sends only keys of 2048 bits or more.
    let keys = crate::crypto::AwsLcKeys::new(pkcs1_der_public_key, 2048);
    match keys.get(hash) {
        Some(key) => key.verify_sig(message, signature).is_ok(),
        None => crate::crypto::aws_lc_verify(pkcs1_der_public_key, hash, message, signature),
    }
}

/// Both XML parse paths over `input`, after the size check, byte order
/// mark, UTF-8 check and end-of-line normalisation that
/// [`Document::parse`] starts with: the fast scanner's tree dump (`None`
/// where it gives up, or where those first checks refuse the input) and
/// the general path's tree dump or error kind. `Document::parse` returns
/// the fast tree when there is one, else the general outcome.
pub fn parse_both(input: &[u8], limits: &Limits) -> (Option<String>, Result<String, ErrorKind>) {
    let (fast, general) = crate::xml::parse_both_paths(input, limits);
    (
        fast.as_ref().map(crate::xml::dump),
        general
            .map(|doc| crate::xml::dump(&doc))
            .map_err(|e| e.kind()),
    )
}

/// The same dump of a tree as [`parse_both`] gives, for a document from
/// [`Document::parse`].
pub fn dump(doc: &Document) -> String {
    crate::xml::dump(doc)
}
