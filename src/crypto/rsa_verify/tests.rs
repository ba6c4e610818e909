//! Proofs for the Montgomery RSA verify:
//! - the arithmetic against `num-bigint`'s `modpow` (a big-integer library
//!   of its own, not the `rsa` crate's `crypto-bigint`) on random odd moduli
//!   of 1024..=8192 bits, random odd exponents and random bases, edges
//!   included;
//! - Project Wycheproof's RSASSA-PKCS1-v1_5 vectors (2048 to 8192 bits,
//!   SHA-256/384/512), every verdict asserted, and the same verdicts as the
//!   `rsa` crate;
//! - real signatures by the `rsa` crate under the fixture keys (1024, 2048,
//!   3072 bits) verify; every single-bit flip of the signature and of the
//!   digest is refused; wrong lengths, `s >= n`, hash mix-ups are refused;
//! - properly signed but malformed encoded messages (every padding byte,
//!   the DigestInfo, the hash) are refused, exactly as the `rsa` crate does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use num_bigint::BigUint;
use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, Pkcs1v15Sign, PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

use super::*;
use crate::crypto::digest;

const ALGS: [HashAlg; 4] = [
    HashAlg::Sha1,
    HashAlg::Sha256,
    HashAlg::Sha384,
    HashAlg::Sha512,
];

fn scheme(alg: HashAlg) -> Pkcs1v15Sign {
    match alg {
        HashAlg::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
        HashAlg::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        HashAlg::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        HashAlg::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    }
}

/// `x` as exactly `k` big-endian bytes.
fn be_pad(x: &BigUint, k: usize) -> Vec<u8> {
    let bytes = x.to_bytes_be();
    assert!(bytes.len() <= k);
    let mut out = vec![0u8; k - bytes.len()];
    out.extend_from_slice(&bytes);
    out
}

fn ours_of(key: &PublicKey) -> RsaVerifyKey {
    RsaVerifyKey::new(&key.n_bytes(), &key.e_bytes()).unwrap()
}

/// The modulus of `key` as a reference big integer.
fn n_of(key: &impl PublicKeyParts) -> BigUint {
    BigUint::from_bytes_be(&key.n_bytes())
}

fn rsa_crate_verdict(key: &PublicKey, alg: HashAlg, digest: &[u8], sig: &[u8]) -> bool {
    key.verify(scheme(alg), digest, sig).is_ok()
}

/// The fixture keys: 1024 (weak1024), 2048 (idp-a), 3072 (idp-c) bits.
fn fixture_keys() -> Vec<PrivateKey> {
    ["weak1024", "idp-a", "idp-c"]
        .iter()
        .map(|name| {
            let path = format!(
                "{}/fixtures/keys/{name}.key.pem",
                env!("CARGO_MANIFEST_DIR")
            );
            PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
        })
        .collect()
}

/// `em^d mod n`: a "signature" of any encoded message, well-formed or not.
fn raw_sign(key: &PrivateKey, em: &[u8]) -> Vec<u8> {
    let m = BigUint::from_bytes_be(em);
    let d = BigUint::from_bytes_be(&key.d().to_be_bytes());
    be_pad(&m.modpow(&d, &n_of(key)), key.size())
}

/// The correct `EM` of RFC 8017 §9.2 for `digest`, built independently of
/// the code under test (from the `rsa` crate's signature).
fn correct_em(key: &PrivateKey, alg: HashAlg, digest: &[u8]) -> Vec<u8> {
    let sig = key.sign(scheme(alg), digest).unwrap();
    let e = BigUint::from_bytes_be(&key.e_bytes());
    let m = BigUint::from_bytes_be(&sig).modpow(&e, &n_of(key));
    be_pad(&m, key.size())
}

// ---- the arithmetic ------------------------------------------------------

#[test]
fn neg_inv_is_the_negated_inverse() {
    for n0 in [
        1u64,
        3,
        5,
        0xffff_ffff_ffff_ffff,
        0x8000_0000_0000_0001,
        0x1234_5678_9abc_def1,
    ] {
        assert_eq!(n0.wrapping_mul(neg_inv(n0)), u64::MAX, "{n0:#x}");
    }
}

#[test]
fn limbs_from_big_endian() {
    assert_eq!(limbs_from_be(&[]), Vec::<u64>::new());
    assert_eq!(limbs_from_be(&[0, 0, 0]), Vec::<u64>::new());
    assert_eq!(limbs_from_be(&[1, 2]), vec![0x0102]);
    assert_eq!(
        limbs_from_be(&[0, 9, 1, 2, 3, 4, 5, 6, 7, 8]),
        vec![0x0102_0304_0506_0708, 9]
    );
}

/// An odd modulus of exactly `bits` bits from random bytes.
fn modulus(bits: usize, random: &[u8]) -> BigUint {
    let k = bits.div_ceil(8);
    let mut bytes: Vec<u8> = random.iter().cycle().take(k).copied().collect();
    let top_bits = bits - 8 * (k - 1);
    bytes[0] = (bytes[0] & ((1u16 << top_bits) - 1) as u8) | (1 << (top_bits - 1));
    bytes[k - 1] |= 1;
    BigUint::from_bytes_be(&bytes)
}

fn check_public_op(n: &BigUint, e: u64, s: &BigUint) {
    let key = RsaVerifyKey::new(&n.to_bytes_be(), &e.to_be_bytes()).unwrap();
    assert_eq!(key.bits() as u64, n.bits());
    let k = key.bits().div_ceil(8);
    if s.bits() > 8 * k as u64 {
        return; // not k bytes long: refused before any arithmetic
    }
    let got = key.public_op(&be_pad(s, k));
    if s >= n {
        assert_eq!(got, None);
    } else {
        let want = be_pad(&s.modpow(&BigUint::from(e), n), k);
        assert_eq!(got, Some(want), "n = {n:x}, e = {e}, s = {s:x}");
    }
}

#[test]
fn public_op_edges() {
    let one = BigUint::from(1u8);
    for bits in [1024, 1025, 1087, 1088, 1089, 2047, 2048, 3072, 4096, 8192] {
        let n = modulus(bits, &[0xa5, 0x13, 0xff, 0x00, 0x7e, 0x42, 0x99]);
        let all_ones = modulus(bits, &[0xff]);
        let sparse = modulus(bits, &[0x00]); // 2^(bits-1) + 1
        for n in [n, all_ones, sparse] {
            for e in [3u64, 65537] {
                for s in [
                    BigUint::from(0u8),
                    one.clone(),
                    BigUint::from(2u8),
                    &n - &one,
                    &n - BigUint::from(2u8),
                    &n >> 1,
                    n.clone(),
                    &n + &one,
                ] {
                    check_public_op(&n, e, &s);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `s^e mod n` agrees with `num-bigint` for random moduli, odd
    /// exponents (up to 2^64-1) and bases (some at or above `n`).
    #[test]
    fn public_op_matches_modpow(
        bits in prop_oneof![Just(1024usize), Just(2048), Just(3072), Just(4096), 1024usize..=4200],
        n_bytes in proptest::collection::vec(any::<u8>(), 16..64),
        s_bytes in proptest::collection::vec(any::<u8>(), 1..600),
        e in prop_oneof![Just(3u64), Just(65537), any::<u64>().prop_map(|e| (e | 1).max(3))],
    ) {
        let n = modulus(bits, &n_bytes);
        let k = bits.div_ceil(8);
        let s = BigUint::from_bytes_be(&s_bytes[..s_bytes.len().min(k)]);
        check_public_op(&n, e, &s);
    }
}

#[test]
fn keys_refused() {
    let n2048 = modulus(2048, &[0x5a]).to_bytes_be();
    let ok = RsaVerifyKey::new(&n2048, &[1, 0, 1]).unwrap();
    assert_eq!(ok.bits(), 2048);
    // Leading zero bytes are not bits.
    let mut padded = vec![0, 0];
    padded.extend_from_slice(&n2048);
    assert_eq!(RsaVerifyKey::new(&padded, &[0, 1, 0, 1]).unwrap(), ok);
    for e in [
        &[][..],
        &[0],
        &[1],
        &[2],
        &[1, 0, 0],
        &[1, 0, 0, 0, 0, 0, 0, 0, 1],
    ] {
        assert_eq!(
            RsaVerifyKey::new(&n2048, e),
            Err(KeyError::Exponent),
            "{e:?}"
        );
    }
    let mut even = n2048.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(RsaVerifyKey::new(&even, &[3]), Err(KeyError::ModulusEven));
    for bits in [1, 512, 1023, 8193, 9000] {
        let n = modulus(bits, &[0x77]).to_bytes_be();
        assert_eq!(
            RsaVerifyKey::new(&n, &[3]),
            Err(KeyError::ModulusSize),
            "{bits}"
        );
    }
    assert_eq!(RsaVerifyKey::new(&[], &[3]), Err(KeyError::ModulusSize));
    for bits in [1024, 8192] {
        assert!(RsaVerifyKey::new(&modulus(bits, &[0x77]).to_bytes_be(), &[3]).is_ok());
    }
}

// ---- Wycheproof ----------------------------------------------------------

/// Every RSASSA-PKCS1-v1_5 vector of Wycheproof with a hash of ours. Valid
/// ones verify, invalid ones are refused; the only "acceptable" ones are
/// signatures whose DigestInfo lacks the NULL parameters (flag
/// `MissingNull`), which we refuse, as ring and BoringSSL do. The `rsa`
/// crate's verdict is the same wherever it takes the key (0.10: up to 8192
/// bits, so all of them), and so is AWS-LC's with `--features aws-lc-rs`.
#[test]
fn wycheproof_pkcs1v15() {
    use wycheproof::TestResult;
    use wycheproof::rsa_pkcs1_verify::{TestFlag, TestName, TestSet};
    let sets = [
        (TestName::Rsa2048Sha256, HashAlg::Sha256),
        (TestName::Rsa2048Sha384, HashAlg::Sha384),
        (TestName::Rsa2048Sha512, HashAlg::Sha512),
        (TestName::Rsa3072Sha256, HashAlg::Sha256),
        (TestName::Rsa3072Sha384, HashAlg::Sha384),
        (TestName::Rsa3072Sha512, HashAlg::Sha512),
        (TestName::Rsa4096Sha256, HashAlg::Sha256),
        (TestName::Rsa4096Sha384, HashAlg::Sha384),
        (TestName::Rsa4096Sha512, HashAlg::Sha512),
        (TestName::Rsa8192Sha256, HashAlg::Sha256),
        (TestName::Rsa8192Sha384, HashAlg::Sha384),
        (TestName::Rsa8192Sha512, HashAlg::Sha512),
    ];
    let (mut total, mut valid, mut acceptable, mut compared) = (0, 0, 0, 0);
    for (name, alg) in sets {
        let set = TestSet::load(name).unwrap();
        for group in &set.test_groups {
            let key = RsaVerifyKey::new(&group.key.n, &group.key.e).unwrap();
            assert_eq!(key.bits(), group.key_size, "{name:?}");
            let theirs = PublicKey::new(
                BoxedUint::from_be_slice_vartime(&group.key.n),
                BoxedUint::from_be_slice_vartime(&group.key.e),
            )
            .ok();
            for test in &group.tests {
                let hashed = digest(alg, &test.msg);
                let verdict = key.verify_pkcs1v15(alg, &hashed, &test.sig);
                let what = format!("{name:?} tcId {} ({})", test.tc_id, test.comment);
                match test.result {
                    TestResult::Valid => {
                        assert!(verdict, "{what} refused");
                        valid += 1;
                    }
                    TestResult::Invalid => assert!(!verdict, "{what} accepted"),
                    TestResult::Acceptable => {
                        assert_eq!(test.flags, [TestFlag::MissingNull], "{what}");
                        assert!(!verdict, "{what} accepted");
                        acceptable += 1;
                    }
                }
                if let Some(theirs) = &theirs {
                    let other = rsa_crate_verdict(theirs, alg, &hashed, &test.sig);
                    assert_eq!(verdict, other, "{what}: rsa crate disagrees");
                    compared += 1;
                }
                #[cfg(feature = "aws-lc-rs")]
                {
                    let aws =
                        crate::crypto::aws_lc_verify(&group.asn_key, alg, &test.msg, &test.sig);
                    assert_eq!(verdict, aws, "{what}: aws-lc-rs disagrees");
                }
                total += 1;
            }
        }
    }
    // wycheproof 0.7.0: 3,106 vectors, 89 valid, 12 acceptable; 2,330 with
    // keys of at most 4096 bits (all the rsa crate took before 0.10).
    assert!(total >= 3106, "{total} vectors");
    assert!(valid >= 89, "{valid} valid vectors");
    assert!(acceptable >= 12, "{acceptable} acceptable vectors");
    assert!(compared >= 2330, "{compared} compared with the rsa crate");
}

// ---- real signatures, flipped and mixed up -------------------------------

/// Signatures by the `rsa` crate verify; every single-bit flip of the
/// signature and of the digest is refused; so are every other hash's
/// DigestInfo over the same digest bytes, truncated or extended
/// signatures, and `s + n` (same value mod n, not below n).
#[test]
fn fixture_signatures_and_every_bit_flip() {
    for private in fixture_keys() {
        let public = private.to_public_key();
        let key = ours_of(&public);
        let k = public.size();
        assert_eq!(key.bits() as u64, n_of(&public).bits());
        for alg in ALGS {
            let hashed = digest(alg, format!("message for {alg:?}").as_bytes());
            let sig = private.sign(scheme(alg), &hashed).unwrap();
            assert_eq!(sig.len(), k);
            assert!(key.verify_pkcs1v15(alg, &hashed, &sig));
            // Another hash with the same (truncated or padded) digest bytes.
            for other in ALGS.into_iter().filter(|&a| a != alg) {
                let mut d = hashed.clone();
                d.resize(digest_len(other), 0);
                assert!(
                    !key.verify_pkcs1v15(other, &d, &sig),
                    "{alg:?} as {other:?}"
                );
                assert!(!rsa_crate_verdict(&public, other, &d, &sig));
            }
            // Digest of the wrong length for its algorithm.
            assert!(!key.verify_pkcs1v15(alg, &hashed[1..], &sig));
            let mut longer = hashed.clone();
            longer.push(0);
            assert!(!key.verify_pkcs1v15(alg, &longer, &sig));
            // Signature of the wrong length, with the same value.
            let mut padded = vec![0u8];
            padded.extend_from_slice(&sig);
            assert!(!key.verify_pkcs1v15(alg, &hashed, &padded));
            assert!(!rsa_crate_verdict(&public, alg, &hashed, &padded));
            assert!(!key.verify_pkcs1v15(alg, &hashed, &sig[1..]));
            assert!(!key.verify_pkcs1v15(alg, &hashed, &[]));
            // s + n, when it still fits in k bytes, is refused (not reduced).
            let s_plus_n = BigUint::from_bytes_be(&sig) + n_of(&public);
            if s_plus_n.bits() <= 8 * k as u64 {
                let s_plus_n = be_pad(&s_plus_n, k);
                assert!(!key.verify_pkcs1v15(alg, &hashed, &s_plus_n));
                assert!(!rsa_crate_verdict(&public, alg, &hashed, &s_plus_n));
            }
            let n_itself = be_pad(&n_of(&public), k);
            assert!(!key.verify_pkcs1v15(alg, &hashed, &n_itself));
            // Every bit of the digest.
            for bit in 0..hashed.len() * 8 {
                let mut d = hashed.clone();
                d[bit / 8] ^= 1 << (bit % 8);
                assert!(
                    !key.verify_pkcs1v15(alg, &d, &sig),
                    "{alg:?} digest bit {bit}"
                );
            }
            // Every bit of the signature (SHA-256 only: the cost is the same
            // for every hash; 1024 and 2048 bits: the slow debug build).
            if alg == HashAlg::Sha256 && key.bits() <= 2048 {
                for bit in 0..k * 8 {
                    let mut s = sig.clone();
                    s[bit / 8] ^= 1 << (bit % 8);
                    assert!(
                        !key.verify_pkcs1v15(alg, &hashed, &s),
                        "signature bit {bit}"
                    );
                }
            }
        }
    }
}

/// Encoded messages that differ from the right one anywhere (every byte
/// position of EM, in turn), properly signed with the private key: all
/// refused by ours and by the `rsa` crate; the unmodified one accepted by
/// both. This reaches the padding and DigestInfo checks that bit flips of
/// the signature cannot (a flipped signature decrypts to noise).
#[test]
fn every_byte_of_the_encoded_message_matters() {
    let private = &fixture_keys()[0]; // 1024 bits: the private op is slow in debug
    let public = private.to_public_key();
    let key = ours_of(&public);
    for alg in ALGS {
        let hashed = digest(alg, b"every byte");
        let em = correct_em(private, alg, &hashed);
        assert_eq!(em[..2], [0, 1]);
        let good = raw_sign(private, &em);
        assert!(key.verify_pkcs1v15(alg, &hashed, &good));
        assert!(rsa_crate_verdict(&public, alg, &hashed, &good));
        for i in 0..em.len() {
            let mut bad = em.clone();
            bad[i] ^= 0x01;
            let sig = raw_sign(private, &bad);
            assert!(
                !key.verify_pkcs1v15(alg, &hashed, &sig),
                "{alg:?} EM byte {i}"
            );
            assert!(
                !rsa_crate_verdict(&public, alg, &hashed, &sig),
                "{alg:?} EM byte {i}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Ours and the `rsa` crate agree on random signatures (nearly always
    /// invalid), on signatures of randomly mutated encoded messages, and on
    /// the valid signature itself.
    #[test]
    fn agrees_with_the_rsa_crate(
        key_index in 0usize..3,
        alg_index in 0usize..4,
        message in proptest::collection::vec(any::<u8>(), 0..64),
        random_sig in proptest::collection::vec(any::<u8>(), 0..400),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        truncate in any::<bool>(),
    ) {
        let keys = fixture_keys();
        let private = &keys[key_index];
        let public = private.to_public_key();
        let key = ours_of(&public);
        let alg = ALGS[alg_index];
        let hashed = digest(alg, &message);
        let k = public.size();

        // Random bytes, of random length (a third of the time exactly k).
        let mut sig = random_sig;
        if truncate {
            sig.resize(k, 0);
        }
        prop_assert_eq!(
            key.verify_pkcs1v15(alg, &hashed, &sig),
            rsa_crate_verdict(&public, alg, &hashed, &sig)
        );

        // A signature of a mutated EM (the edits may be no-ops).
        if key_index == 0 {
            let mut em = correct_em(private, alg, &hashed);
            for (at, value) in &edits {
                let at = at % em.len();
                em[at] = *value;
            }
            let sig = raw_sign(private, &em);
            let ours = key.verify_pkcs1v15(alg, &hashed, &sig);
            prop_assert_eq!(ours, rsa_crate_verdict(&public, alg, &hashed, &sig));
            prop_assert_eq!(ours, em == correct_em(private, alg, &hashed));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary key bytes never panic: a key is refused or built, and a
    /// built key gives a verdict on arbitrary signatures and digests.
    #[test]
    fn arbitrary_keys_and_signatures_never_panic(
        n in proptest::collection::vec(any::<u8>(), 0..200),
        e in proptest::collection::vec(any::<u8>(), 0..10),
        sig in proptest::collection::vec(any::<u8>(), 0..200),
        digest in proptest::collection::vec(any::<u8>(), 0..70),
        alg_index in 0usize..4,
        exact_length in any::<bool>(),
    ) {
        if let Ok(key) = RsaVerifyKey::new(&n, &e) {
            prop_assert!((MIN_BITS..=MAX_BITS).contains(&key.bits()));
            let mut sig = sig;
            if exact_length {
                sig.resize(key.bits().div_ceil(8), 0x5a);
            }
            let _ = key.verify_pkcs1v15(ALGS[alg_index], &digest, &sig);
        }
    }
}
