//! The RSA private-key operation: RSASSA-PKCS1-v1_5 with SHA-256 over
//! `rsa` 0.10 (constant-time `crypto-bigint` arithmetic), always blinded
//! with the caller's [`Csprng`].

use std::convert::Infallible;

use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha2::Sha256;

use crate::error::{Error, ErrorKind, Result};
use crate::rng::Csprng;

fn key_invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::PrivateKeyInvalid, detail)
}

/// An RSA private key that signs with SHA-256 (PKCS#1 v1.5), and its public
/// key.
#[derive(Clone)]
pub(crate) struct RsaSigner {
    signer: SigningKey<Sha256>,
    public: PublicKey,
}

impl RsaSigner {
    /// An unencrypted PKCS#8 `PrivateKeyInfo` (`pkcs1 == false`) or PKCS#1
    /// `RSAPrivateKey`, checked for consistency.
    pub(crate) fn from_der(der: &[u8], pkcs1: bool) -> Result<Self> {
        let key = parse_private_key(der, pkcs1)?;
        let public = key.to_public_key();
        Ok(Self {
            signer: SigningKey::new(key),
            public,
        })
    }

    /// The modulus length in bits (public: no constant time needed).
    pub(crate) fn bits(&self) -> usize {
        self.public.n().bit_width_vartime() as usize
    }

    /// Whether `pkcs1_der` (an `RSAPublicKey`) is this key's public key.
    pub(crate) fn has_public_key(&self, pkcs1_der: &[u8]) -> bool {
        self.public
            .to_pkcs1_der()
            .is_ok_and(|ours| crate::crypto::constant_time_eq(ours.as_bytes(), pkcs1_der))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, blinded with `rng`.
    pub(crate) fn sign_sha256<R: Csprng + ?Sized>(
        &self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<Vec<u8>> {
        self.signer
            .try_sign_with_rng(&mut Blinding(rng), message)
            .map(|s| s.to_vec())
            .map_err(|e| key_invalid(format!("signing failed: {e}")))
    }
}

/// An unencrypted PKCS#8 `PrivateKeyInfo` (`pkcs1 == false`) or PKCS#1
/// `RSAPrivateKey`, checked for consistency
/// ([`ErrorKind::PrivateKeyInvalid`] otherwise; callers holding a
/// decryption key rename the kind).
pub(crate) fn parse_private_key(der: &[u8], pkcs1: bool) -> Result<PrivateKey> {
    let key = if pkcs1 {
        PrivateKey::from_pkcs1_der(der)
            .map_err(|e| key_invalid(format!("not a PKCS#1 RSA private key: {e}")))?
    } else {
        PrivateKey::from_pkcs8_der(der)
            .map_err(|e| key_invalid(format!("not a PKCS#8 RSA private key: {e}")))?
    };
    key.validate()
        .map_err(|e| key_invalid(format!("inconsistent RSA key: {e}")))?;
    Ok(key)
}

/// A [`Csprng`] as the `rand_core` 0.10 generator `rsa` 0.10 takes for
/// blinding (infallible: [`Csprng`] is).
pub(crate) struct Blinding<'a, R: ?Sized>(pub(crate) &'a mut R);

impl<R: Csprng + ?Sized> rand_core::TryRng for Blinding<'_, R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0u8; 4];
        self.0.fill_random(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0u8; 8];
        self.0.fill_random(&mut bytes);
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_random(dest);
        Ok(())
    }
}

impl<R: Csprng + ?Sized> rand_core::TryCryptoRng for Blinding<'_, R> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blinding hands rsa exactly the caller's bytes, in order.
    #[test]
    fn blinding_passes_the_bytes_through() {
        use rand_core::Rng as _;
        struct Counting(u8);
        impl Csprng for Counting {
            fn fill_random(&mut self, dest: &mut [u8]) {
                for b in dest {
                    *b = self.0;
                    self.0 = self.0.wrapping_add(1);
                }
            }
        }
        let mut counting = Counting(1);
        let mut blinding = Blinding(&mut counting);
        assert_eq!(blinding.next_u32(), 0x0403_0201);
        assert_eq!(blinding.next_u64(), 0x0c0b_0a09_0807_0605);
        let mut rest = [0u8; 3];
        blinding.fill_bytes(&mut rest);
        assert_eq!(rest, [13, 14, 15]);
    }
}
