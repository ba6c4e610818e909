//! RSASSA-PKCS1-v1_5 signature verification (RFC 8017 §8.2.2) with a public
//! key, in plain Rust: Montgomery multiplication on 64-bit limbs.
//!
//! Everything here is public data (modulus, exponent, signature, digest), so
//! nothing needs to run in constant time; what matters is exactness. The
//! check is done the way BoringSSL and ring do it: the whole expected
//! encoded message `EM' = 00 01 FF..FF 00 DigestInfo(hash)` of the modulus
//! length is built and compared with `s^e mod n` byte for byte. The padding
//! is never parsed, so there is no ASN.1 or length field an attacker could
//! bend (Bleichenbacher's 2006 `e = 3` forgery and its parser-bug kin).
//!
//! [`RsaVerifyKey::new`] does all per-key work once, when a certificate is
//! loaded (limbs of `n`, `-n^-1 mod 2^64`, `R^2 mod n`); a verify is one
//! exponentiation: for `e = 65537`, 16 Montgomery squarings and two
//! multiplications.

use super::HashAlg;

/// Smallest modulus accepted here, in bits (the certificate policy may ask
/// for more).
const MIN_BITS: usize = 1024;
/// Largest modulus accepted here, in bits.
const MAX_BITS: usize = 8192;

/// The `DigestInfo` DER prefix of each hash (RFC 8017 §9.2, note 1), with
/// the NULL parameters: the only encoding accepted.
fn digest_info_prefix(alg: HashAlg) -> &'static [u8] {
    match alg {
        HashAlg::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        HashAlg::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        HashAlg::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        HashAlg::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// Output length of each hash, in bytes.
fn digest_len(alg: HashAlg) -> usize {
    match alg {
        HashAlg::Sha1 => 20,
        HashAlg::Sha256 => 32,
        HashAlg::Sha384 => 48,
        HashAlg::Sha512 => 64,
    }
}

/// Why a public key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The modulus is not between 1024 and 8192 bits.
    ModulusSize,
    /// The modulus is even (no RSA modulus is).
    ModulusEven,
    /// The exponent is even, below 3, or wider than 64 bits.
    Exponent,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ModulusSize => "modulus not between 1024 and 8192 bits",
            Self::ModulusEven => "even modulus",
            Self::Exponent => "public exponent not an odd number from 3 to 2^64-1",
        })
    }
}

/// An RSA public key ready to verify: the modulus as little-endian 64-bit
/// limbs with its Montgomery constants, computed once.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RsaVerifyKey {
    /// `n`, least significant limb first; the top limb is not zero.
    n: Box<[u64]>,
    /// `-n^-1 mod 2^64`.
    n0_inv: u64,
    /// `R^2 mod n`, `R = 2^(64 * limbs)`.
    rr: Box<[u64]>,
    /// The public exponent: odd, at least 3.
    e: u64,
    /// Modulus length in bits.
    bits: usize,
}

impl std::fmt::Debug for RsaVerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaVerifyKey")
            .field("bits", &self.bits)
            .field("e", &self.e)
            .finish_non_exhaustive()
    }
}

/// Big-endian bytes (leading zeros allowed) to little-endian limbs, with
/// leading zero limbs dropped.
fn limbs_from_be(bytes: &[u8]) -> Vec<u64> {
    let mut limbs: Vec<u64> = bytes
        .rchunks(8)
        .map(|chunk| chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .collect();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    limbs
}

/// `a >= b`, both of the same length.
fn ge(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// `a -= b`, both of the same length; returns the borrow out.
fn sub_assign(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *x = d;
        borrow = b1 | b2;
    }
    borrow
}

/// `-n0^-1 mod 2^64` for odd `n0` (Newton's iteration: each step doubles
/// the number of correct low bits, from 3).
fn neg_inv(n0: u64) -> u64 {
    let mut x = n0; // n0 * n0 = 1 mod 8 for odd n0
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(n0.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

/// Low and high halves of a 128-bit value.
#[inline(always)]
fn split(x: u128) -> (u64, u64) {
    (x as u64, (x >> 64) as u64)
}

/// Montgomery product `t = a * b * R^-1 mod n` (coarsely integrated operand
/// scanning, multiplication and reduction in one pass). `a`, `b` < `n`, all
/// of `n.len()` limbs; the result is fully reduced (< `n`).
fn mont_mul(t: &mut [u64], a: &[u64], b: &[u64], n: &[u64], n0_inv: u64) {
    t.fill(0);
    let (Some((&a0, a_rest)), Some((&n0, n_rest))) = (a.split_first(), n.split_first()) else {
        return;
    };
    // The limb above `t`; the running value stays below 2n < 2R, so 0 or 1.
    let mut t_hi = 0u64;
    for &bi in b {
        let Some((t0, t_rest)) = t.split_first_mut() else {
            return;
        };
        let bi = u128::from(bi);
        let (x_lo, mut c1) = split(u128::from(*t0) + u128::from(a0) * bi);
        let m = x_lo.wrapping_mul(n0_inv);
        let m128 = u128::from(m);
        // The low limb of x + m * n0 is zero by the choice of m.
        let (_, mut c2) = split(u128::from(x_lo) + m128 * u128::from(n0));
        let mut prev = t0;
        for ((tj, &aj), &nj) in t_rest.iter_mut().zip(a_rest).zip(n_rest) {
            // Neither sum overflows: (2^64-1) + (2^64-1)^2 + (2^64-1) = 2^128-1.
            let (x_lo, x_hi) = split(u128::from(*tj) + u128::from(aj) * bi + u128::from(c1));
            c1 = x_hi;
            let (y_lo, y_hi) = split(u128::from(x_lo) + m128 * u128::from(nj) + u128::from(c2));
            c2 = y_hi;
            *prev = y_lo;
            prev = tj;
        }
        let (z_lo, z_hi) = split(u128::from(t_hi) + u128::from(c1) + u128::from(c2));
        *prev = z_lo;
        t_hi = z_hi;
    }
    if t_hi != 0 || ge(t, n) {
        // With t_hi = 1 the borrow out cancels it.
        sub_assign(t, n);
    }
}

impl RsaVerifyKey {
    /// The key with modulus `n` and exponent `e`, both big-endian (leading
    /// zero bytes allowed). Precomputes the Montgomery constants.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = limbs_from_be(n);
        let bits = match n.last() {
            Some(top) => n.len() * 64 - top.leading_zeros() as usize,
            None => 0,
        };
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(KeyError::ModulusSize);
        }
        let n0 = n.first().copied().unwrap_or_default();
        if n0 & 1 == 0 {
            return Err(KeyError::ModulusEven);
        }
        let e = match limbs_from_be(e).as_slice() {
            [e] if *e >= 3 && e & 1 == 1 => *e,
            _ => return Err(KeyError::Exponent),
        };
        // R^2 mod n by doubling: start from 2^(bits-1) (< n, since n has
        // `bits` bits and is odd), double up to 2^(128 * limbs).
        let mut rr = vec![0u64; n.len()];
        if let Some(limb) = rr.get_mut((bits - 1) / 64) {
            *limb = 1 << ((bits - 1) % 64);
        }
        for _ in bits - 1..128 * n.len() {
            let mut carry = 0u64;
            for limb in &mut rr {
                let next = *limb >> 63;
                *limb = (*limb << 1) | carry;
                carry = next;
            }
            if carry != 0 || ge(&rr, &n) {
                sub_assign(&mut rr, &n);
            }
        }
        Ok(Self {
            n0_inv: neg_inv(n0),
            n: n.into(),
            rr: rr.into(),
            e,
            bits,
        })
    }

    /// Modulus length in bits.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Modulus length in bytes: the length of every signature.
    fn len_bytes(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// RSAVP1: `s^e mod n` as `k` big-endian bytes, for a signature of
    /// exactly `k` bytes whose value is below `n`; `None` otherwise.
    pub(crate) fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        let k = self.len_bytes();
        if signature.len() != k {
            return None;
        }
        let limbs = self.n.len();
        // `k` bytes make exactly `limbs` limbs (the top one may be zero).
        let mut s: Vec<u64> = signature
            .rchunks(8)
            .map(|chunk| chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            .collect();
        s.resize(limbs, 0);
        if ge(&s, &self.n) {
            return None;
        }
        let (n, n0_inv) = (&*self.n, self.n0_inv);
        // x = s * R mod n, Montgomery form of s.
        let mut x = vec![0u64; limbs];
        mont_mul(&mut x, &s, &self.rr, n, n0_inv);
        // Left to right over the bits of e below the top one. The last bit
        // (e is odd) multiplies by the plain s instead of x: that drops the
        // factor R and leaves s^e mod n out of Montgomery form.
        let mut acc = x.clone();
        let mut tmp = vec![0u64; limbs];
        let top = 63 - self.e.leading_zeros();
        for i in (1..top).rev() {
            mont_mul(&mut tmp, &acc, &acc, n, n0_inv);
            std::mem::swap(&mut acc, &mut tmp);
            if (self.e >> i) & 1 == 1 {
                mont_mul(&mut tmp, &acc, &x, n, n0_inv);
                std::mem::swap(&mut acc, &mut tmp);
            }
        }
        mont_mul(&mut tmp, &acc, &acc, n, n0_inv);
        mont_mul(&mut acc, &tmp, &s, n, n0_inv);
        let mut em: Vec<u8> = acc.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
        // The result is below n, so the bytes above `k` are zero.
        em.drain(..limbs * 8 - k);
        Some(em)
    }

    /// Whether `signature` is this key's RSASSA-PKCS1-v1_5 signature of a
    /// message whose `alg` hash is `digest`.
    pub(crate) fn verify_pkcs1v15(&self, alg: HashAlg, digest: &[u8], signature: &[u8]) -> bool {
        if digest.len() != digest_len(alg) {
            return false;
        }
        let prefix = digest_info_prefix(alg);
        let k = self.len_bytes();
        // RFC 8017 §9.2 step 3: at least 8 bytes of 0xFF padding.
        let Some(padding) = k.checked_sub(3 + prefix.len() + digest.len()) else {
            return false;
        };
        if padding < 8 {
            return false;
        }
        let Some(em) = self.public_op(signature) else {
            return false;
        };
        let mut expected = Vec::with_capacity(k);
        expected.extend_from_slice(&[0x00, 0x01]);
        expected.resize(2 + padding, 0xff);
        expected.push(0x00);
        expected.extend_from_slice(prefix);
        expected.extend_from_slice(digest);
        em == expected
    }
}

#[cfg(test)]
mod tests;
