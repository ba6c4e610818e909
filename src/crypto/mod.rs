//! The cryptographic primitives, and nothing else: digests, our RSA
//! signature check (isolated in [`rsa_verify`], differentially tested
//! against the `rsa` crate and Wycheproof, and fuzzed against the `rsa`
//! crate and AWS-LC by the target `rsa_verify_diff`), the AWS-LC keys of
//! the opt-in `aws-lc-rs` feature, the RSA private-key operations (signing
//! and RSA-OAEP key unwrapping, blinded), the data ciphers of XML
//! Encryption (AES-CBC, AES-GCM, 3DES-CBC), and constant-time comparison. Keys arrive here as bytes; what they
//! belong to (a certificate, the SP) is the business of `certs`.

mod decrypt;
pub(crate) mod rsa_verify;
mod signer;

use std::io::Write;

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

pub(crate) use decrypt::{RsaDecrypter, decrypt_data};
pub(crate) use signer::RsaSigner;

/// The hash functions of the allow-list are the digest algorithms.
pub(crate) use crate::vocabulary::DigestAlgorithm as HashAlg;

/// A running digest that canonicalization writes into.
pub(crate) enum Hasher {
    Sha1(Sha1),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl Hasher {
    pub(crate) fn new(alg: HashAlg) -> Self {
        match alg {
            HashAlg::Sha1 => Self::Sha1(Sha1::new()),
            HashAlg::Sha256 => Self::Sha256(Sha256::new()),
            HashAlg::Sha384 => Self::Sha384(Sha384::new()),
            HashAlg::Sha512 => Self::Sha512(Sha512::new()),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Self::Sha1(h) => h.finalize().to_vec(),
            Self::Sha256(h) => h.finalize().to_vec(),
            Self::Sha384(h) => h.finalize().to_vec(),
            Self::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

impl Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::Sha1(h) => h.update(buf),
            Self::Sha256(h) => h.update(buf),
            Self::Sha384(h) => h.update(buf),
            Self::Sha512(h) => h.update(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn digest(alg: HashAlg, data: &[u8]) -> Vec<u8> {
    let mut h = Hasher::new(alg);
    let _ = h.write_all(data);
    h.finish()
}

/// The check with the pure-Rust `rsa` crate (the backend before ours),
/// kept for the differential tests.
#[cfg(test)]
pub(crate) fn rsa_crate_verify(
    key_pkcs1_der: &[u8],
    alg: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> bool {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::{Pkcs1v15Sign, PublicKey};
    let Ok(key) = PublicKey::from_pkcs1_der(key_pkcs1_der) else {
        return false;
    };
    let scheme = match alg {
        HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
        HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    };
    key.verify(scheme, &digest(alg, message), signature).is_ok()
}

/// AWS-LC's parameters for RSASSA-PKCS1-v1_5 with `alg`, 2048..=8192 bits.
#[cfg(feature = "aws-lc-rs")]
fn aws_lc_params(alg: HashAlg) -> &'static aws_lc_rs::signature::RsaParameters {
    use aws_lc_rs::signature as sig;
    match alg {
        HashAlg::Sha1 => &sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        HashAlg::Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        HashAlg::Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        HashAlg::Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
    }
}

/// The check with AWS-LC, for a 2048..=8192-bit key given as PKCS#1
/// `RSAPublicKey` DER, parsing the key on every call. AWS-LC hashes the
/// message itself.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn aws_lc_verify(
    key_pkcs1_der: &[u8],
    alg: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> bool {
    aws_lc_rs::signature::UnparsedPublicKey::new(aws_lc_params(alg), key_pkcs1_der)
        .verify(message, signature)
        .is_ok()
}

/// A certificate's key parsed once for AWS-LC (when the certificate is
/// loaded), so that a verify does not parse the DER and set up the
/// Montgomery constants again: one parsed key per hash, since AWS-LC binds
/// a parsed key to its algorithm. The same parse and the same verify as
/// [`aws_lc_verify`]; where AWS-LC refuses the key, no parsed key is kept
/// and [`aws_lc_verify`] decides (refusing it the same way).
#[cfg(feature = "aws-lc-rs")]
#[derive(Clone)]
pub(crate) struct AwsLcKeys([Option<aws_lc_rs::signature::ParsedPublicKey>; 4]);

#[cfg(feature = "aws-lc-rs")]
impl AwsLcKeys {
    const ORDER: [HashAlg; 4] = [
        HashAlg::Sha1,
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Sha512,
    ];

    /// Parsed keys for a key of `bits` bits; none below 2048 bits, which
    /// stay on our own arithmetic.
    pub(crate) fn new(key_pkcs1_der: &[u8], bits: usize) -> Self {
        Self(Self::ORDER.map(|alg| {
            (bits >= 2048)
                .then(|| {
                    aws_lc_rs::signature::ParsedPublicKey::new(aws_lc_params(alg), key_pkcs1_der)
                        .ok()
                })
                .flatten()
        }))
    }

    pub(crate) fn get(&self, alg: HashAlg) -> Option<&aws_lc_rs::signature::ParsedPublicKey> {
        let index = Self::ORDER.iter().position(|a| *a == alg)?;
        self.0.get(index)?.as_ref()
    }
}

/// Compares two byte strings in time independent of their contents
/// (`subtle`, RustCrypto's constant-time comparison; lengths are public).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
