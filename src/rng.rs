//! The randomness this crate consumes: request IDs (128 bits each) and the
//! blinding of the RSA private-key operation when requests are signed. Why
//! the public API takes a trait of ours rather than `rand_core`'s: see
//! [`Csprng`]. `crypto::Blinding` is the one place that hands a [`Csprng`]
//! to `rsa`, and so the one place that knows `rsa`'s `rand_core` version.

/// A cryptographically secure random generator: where request IDs and the
/// RSA blinding of signed requests come from.
///
/// - Production code passes [`OsRng`], the operating system's generator:
///   the app needs no `rand*` crate at all.
/// - Every `rand_core` 0.10 [`CryptoRng`](rand_core::CryptoRng) (the
///   generation `rsa` 0.10 uses: `rand` 0.10's generators,
///   `UnwrapErr<getrandom::SysRng>`) is a `Csprng` through a blanket impl.
/// - Anything else (a generator of another `rand_core` release, in a newtype;
///   a seeded or counting one in tests) implements the one method.
///
/// **Why not `rand_core`'s traits.** They changed shape in each of 0.6, 0.9
/// and 0.10 (`CryptoRngCore` went in 0.9, `OsRng` in 0.10). Taking them
/// would tie this crate's API to one `rand_core` release: an app on another
/// release could not pass its generator, and every `rsa` upgrade would break
/// our callers. A one-method trait keeps that coupling inside the crate;
/// re-exporting `rand_core` would have exported it instead.
///
/// A deterministic generator for tests:
///
/// ```
/// use saml_sp::{Csprng, RequestId};
///
/// /// Deterministic, for tests only: never for production.
/// struct Counting(u8);
///
/// impl Csprng for Counting {
///     fn fill_random(&mut self, dest: &mut [u8]) {
///         for b in dest {
///             *b = self.0;
///             self.0 = self.0.wrapping_add(1);
///         }
///     }
/// }
///
/// let id = RequestId::random(&mut Counting(0));
/// assert_eq!(id.as_str(), "id000102030405060708090a0b0c0d0e0f");
/// ```
#[doc(alias = "rng")]
#[doc(alias = "CryptoRng")]
pub trait Csprng {
    /// Fills `dest` entirely with unpredictable bytes. A generator that
    /// cannot (the operating system's source failing) panics, as
    /// `rand_core`'s `Rng::fill_bytes` does: there is nothing safe to fall
    /// back to.
    fn fill_random(&mut self, dest: &mut [u8]);
}

impl<R: rand_core::CryptoRng + ?Sized> Csprng for R {
    fn fill_random(&mut self, dest: &mut [u8]) {
        self.fill_bytes(dest);
    }
}

/// The operating system's random generator (`getrandom(2)` on Linux; the
/// `getrandom` crate picks the source elsewhere): the [`Csprng`] to pass in
/// production.
///
/// ```
/// use saml_sp::{Csprng as _, OsRng};
/// let mut secret = [0u8; 32];
/// OsRng.fill_random(&mut secret);
/// ```
///
/// # Panics
/// If the operating system's generator fails (not expected once the system
/// has booted), as `rand_core` 0.6's `OsRng` did.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRng;

impl Csprng for OsRng {
    #[allow(
        clippy::panic,
        reason = "no safe fallback for a failing OS generator; rand_core panics the same way"
    )]
    fn fill_random(&mut self, dest: &mut [u8]) {
        if let Err(e) = getrandom::fill(dest) {
            panic!("the operating system's random generator failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_rng_fills() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        OsRng.fill_random(&mut a);
        OsRng.fill_random(&mut b);
        assert_ne!(a, b);
        OsRng.fill_random(&mut []);
    }
}
