//! Digests and the one RSA step.

use std::io::Write;

use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// A hash function of the allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashAlg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

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

/// RSASSA-PKCS1-v1_5 verification of `signature` over a message whose
/// `alg` digest is `hashed`. The only place that touches RSA: an opt-in
/// faster backend replaces this function alone.
pub(crate) fn rsa_pkcs1v15_verify(
    key: &RsaPublicKey,
    alg: HashAlg,
    hashed: &[u8],
    signature: &[u8],
) -> bool {
    let scheme = match alg {
        HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
        HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    };
    key.verify(scheme, hashed, signature).is_ok()
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
