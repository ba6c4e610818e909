//! Byte searches eight bytes at a time (SWAR, safe code only): the scanner
//! and canonicalization spend most of their time looking for the next byte
//! that needs attention.
//!
//! A hand-written hot path, kept because it measured faster than the crate
//! that does this elsewhere: with [`find1`] and [`find3`] on `memchr` 2.8
//! (`memchr`, `memchr3`), the parse of the 5 KB and 100 KB fixtures took
//! 7.40 and 126.7 µs against 6.64 and 119.0 µs here (criterion,
//! `benches/verify.rs`, same machine and load, back to back); `memchr` only
//! gains on runs far longer than SAML's text nodes, and [`find_with`]'s
//! arbitrary byte classes are not `memchr`'s to offer. Each search is
//! checked against a byte loop on random inputs (`tests` below) and the
//! parser built on them differentially against the general path.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` that is zero. The lowest flagged byte is
/// always a true zero byte (false positives only occur above a true one),
/// which is all [`find_with`] uses.
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO) & !w & HI
}

/// High bit set in each byte of `w` equal to `b` (lowest flag exact).
#[inline(always)]
pub(crate) fn eq_bytes(w: u64, b: u8) -> u64 {
    zero_bytes(w ^ (LO * u64::from(b)))
}

/// High bit set in each byte of `w` below 0x20 (lowest flag exact).
#[inline(always)]
pub(crate) fn control_bytes(w: u64) -> u64 {
    w.wrapping_sub(LO * 0x20) & !w & HI
}

/// The first position at or after `from` whose byte satisfies `hit`, where
/// `word` flags (at least the first of) those bytes in an 8-byte word.
#[inline(always)]
pub(crate) fn find_with(
    bytes: &[u8],
    from: usize,
    word: impl Fn(u64) -> u64,
    hit: impl Fn(u8) -> bool,
) -> Option<usize> {
    let rest = bytes.get(from..)?;
    // Sixteen bytes (two words) per step: one test and branch for both.
    let mut pairs = rest.chunks_exact(16);
    let mut offset = from;
    for pair in pairs.by_ref() {
        let (a, b) = pair.split_at(8);
        if let (Ok(a), Ok(b)) = (<[u8; 8]>::try_from(a), <[u8; 8]>::try_from(b)) {
            let (fa, fb) = (word(u64::from_le_bytes(a)), word(u64::from_le_bytes(b)));
            if fa | fb != 0 {
                let at = if fa != 0 {
                    fa.trailing_zeros() / 8
                } else {
                    8 + fb.trailing_zeros() / 8
                };
                return Some(offset + at as usize);
            }
        }
        offset += 16;
    }
    let mut rest = pairs.remainder();
    if let Some((w, tail)) = rest.split_first_chunk::<8>() {
        let flags = word(u64::from_le_bytes(*w));
        if flags != 0 {
            return Some(offset + (flags.trailing_zeros() / 8) as usize);
        }
        offset += 8;
        rest = tail;
    }
    rest.iter().position(|&b| hit(b)).map(|i| offset + i)
}

/// Byte equality for the short strings markup is made of (prefixes, local
/// names): compared in place, without the call to `memcmp` that `==` on
/// slices makes even for empty ones (it showed as 12% of a whole verify).
#[inline(always)]
pub(crate) fn eq_short(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // Eight bytes at a time, then the rest byte by byte.
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in wa.by_ref().zip(wb.by_ref()) {
        if let (Ok(x), Ok(y)) = (<[u8; 8]>::try_from(x), <[u8; 8]>::try_from(y)) {
            if u64::from_ne_bytes(x) != u64::from_ne_bytes(y) {
                return false;
            }
        }
    }
    wa.remainder()
        .iter()
        .zip(wb.remainder())
        .all(|(x, y)| x == y)
}

/// The first `a` at or after `from`.
#[inline]
pub(crate) fn find1(bytes: &[u8], from: usize, a: u8) -> Option<usize> {
    find_with(bytes, from, |w| eq_bytes(w, a), |b| b == a)
}

/// The first `a` or `b` at or after `from`.
#[cfg(test)]
#[inline]
pub(crate) fn find2(bytes: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    find_with(
        bytes,
        from,
        |w| eq_bytes(w, a) | eq_bytes(w, b),
        |x| x == a || x == b,
    )
}

/// The first `a`, `b` or `c` at or after `from`.
#[inline]
pub(crate) fn find3(bytes: &[u8], from: usize, a: u8, b: u8, c: u8) -> Option<usize> {
    find_with(
        bytes,
        from,
        |w| eq_bytes(w, a) | eq_bytes(w, b) | eq_bytes(w, c),
        |x| x == a || x == b || x == c,
    )
}

/// `len` bytes drawn from `alphabet` by a xorshift generator at `state`:
/// inputs for the tests that check word-at-a-time searches against byte
/// loops.
#[cfg(test)]
pub(crate) fn random_bytes(state: &mut u64, alphabet: &[u8], len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            alphabet[(*state % alphabet.len() as u64) as usize]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_searches_agree_with_a_byte_loop() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let alphabet = b"<>&\"'ab]\t\n\r\x01\x1f\x20\x80\xff\x7f";
        for len in 0..40 {
            for _ in 0..200 {
                let bytes = random_bytes(&mut state, alphabet, len);
                for from in 0..=len + 1 {
                    let slow = |f: &dyn Fn(u8) -> bool| {
                        bytes
                            .get(from..)
                            .and_then(|r| r.iter().position(|&b| f(b)))
                            .map(|i| from + i)
                    };
                    assert_eq!(find1(&bytes, from, b'<'), slow(&|b| b == b'<'));
                    assert_eq!(
                        find2(&bytes, from, b'&', b']'),
                        slow(&|b| b == b'&' || b == b']')
                    );
                    assert_eq!(
                        find3(&bytes, from, b'>', b'"', b'\''),
                        slow(&|b| b == b'>' || b == b'"' || b == b'\'')
                    );
                    // eq_short: equal and unequal pairs of every length.
                    let k = len - from.min(len);
                    let (a, b) = (&bytes[..k], &bytes[len - k..]);
                    assert_eq!(eq_short(a, b), a == b);
                    assert!(!eq_short(a, &bytes[..k.saturating_sub(1)]) || k == 0);
                    let mut changed = bytes.clone();
                    assert!(eq_short(&bytes, &changed));
                    if let Some(x) = changed.get_mut(from) {
                        *x ^= 1;
                        assert!(!eq_short(&bytes, &changed));
                    }
                    assert_eq!(
                        find_with(&bytes, from, control_bytes, |b| b < 0x20),
                        slow(&|b| b < 0x20)
                    );
                }
            }
        }
    }
}
