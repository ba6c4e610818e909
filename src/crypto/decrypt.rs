//! The decryption primitives of XML Encryption: RSA-OAEP key unwrapping
//! with the SP's private key (`rsa` 0.10: constant-time `crypto-bigint`
//! arithmetic, blinded, OAEP decoding with `subtle`), and the data ciphers
//! AES-CBC, AES-GCM and 3DES-CBC (RustCrypto).
//!
//! Every failure here is `None`: which step failed is nobody's business
//! but a log's, and not even that (see `xmlenc`).

use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::AeadInOut as _;
use aes_gcm::{AesGcm, KeyInit as _};
use cbc::cipher::{BlockModeDecrypt, BlockSizeUser, InOutBuf, KeyIvInit};
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rsa::{Oaep, PrivateKey, PublicKey};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

use super::HashAlg;
use super::signer::{Blinding, parse_private_key};
use crate::error::Result;
use crate::rng::Csprng;
use crate::vocabulary::DataEncryption;

/// An RSA private key that unwraps session keys (RSA-OAEP), and its public
/// key.
#[derive(Clone)]
pub(crate) struct RsaDecrypter {
    key: PrivateKey,
    public: PublicKey,
}

impl RsaDecrypter {
    /// An unencrypted PKCS#8 `PrivateKeyInfo` (`pkcs1 == false`) or PKCS#1
    /// `RSAPrivateKey`, checked for consistency.
    pub(crate) fn from_der(der: &[u8], pkcs1: bool) -> Result<Self> {
        let key = parse_private_key(der, pkcs1)?;
        let public = key.to_public_key();
        Ok(Self { key, public })
    }

    /// The modulus length in bits (public).
    pub(crate) fn bits(&self) -> usize {
        self.public.n().bit_width_vartime() as usize
    }

    /// The modulus length in bytes: the length of every ciphertext.
    pub(crate) fn size(&self) -> usize {
        self.public.size()
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn public_pkcs1_der(&self) -> Vec<u8> {
        self.public
            .to_pkcs1_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// Whether `pkcs1_der` (an `RSAPublicKey`) is this key's public key.
    pub(crate) fn has_public_key(&self, pkcs1_der: &[u8]) -> bool {
        super::constant_time_eq(&self.public_pkcs1_der(), pkcs1_der)
    }

    /// RSAES-OAEP decryption of `ciphertext` with the OAEP digest `digest`
    /// and MGF1 over `mgf`, an empty label, blinded with `rng`. `None` on
    /// any failure (wrong length, wrong key, bad padding).
    pub(crate) fn oaep_unwrap<R: Csprng + ?Sized>(
        &self,
        rng: &mut R,
        digest: HashAlg,
        mgf: HashAlg,
        ciphertext: &[u8],
    ) -> Option<Vec<u8>> {
        macro_rules! oaep {
            ($d:ty, $m:ty) => {
                self.key.decrypt_blinded(
                    &mut Blinding(rng),
                    Oaep::<$d, $m>::new_with_mgf_hash(),
                    ciphertext,
                )
            };
        }
        macro_rules! by_mgf {
            ($d:ty) => {
                match mgf {
                    HashAlg::Sha1 => oaep!($d, Sha1),
                    HashAlg::Sha256 => oaep!($d, Sha256),
                    HashAlg::Sha384 => oaep!($d, Sha384),
                    HashAlg::Sha512 => oaep!($d, Sha512),
                }
            };
        }
        let result = match digest {
            HashAlg::Sha1 => by_mgf!(Sha1),
            HashAlg::Sha256 => by_mgf!(Sha256),
            HashAlg::Sha384 => by_mgf!(Sha384),
            HashAlg::Sha512 => by_mgf!(Sha512),
        };
        result.ok()
    }
}

/// Decrypts `data` (IV, then ciphertext; for GCM IV, ciphertext, tag) with
/// `key` under `algorithm`. `None` for a wrong key length, a length that is
/// not whole blocks, bad XML Encryption padding or a GCM tag that does not
/// authenticate.
pub(crate) fn decrypt_data(algorithm: DataEncryption, key: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    if key.len() != algorithm.key_len() {
        return None;
    }
    match algorithm {
        DataEncryption::Aes128Cbc => cbc_decrypt::<Aes128>(key, data),
        DataEncryption::Aes192Cbc => cbc_decrypt::<Aes192>(key, data),
        DataEncryption::Aes256Cbc => cbc_decrypt::<Aes256>(key, data),
        DataEncryption::TripleDesCbc => cbc_decrypt::<des::TdesEde3>(key, data),
        DataEncryption::Aes128Gcm => gcm_decrypt::<Aes128>(key, data),
        DataEncryption::Aes192Gcm => gcm_decrypt::<Aes192>(key, data),
        DataEncryption::Aes256Gcm => gcm_decrypt::<Aes256>(key, data),
    }
}

/// CBC with XML Encryption's padding (section 5.2 of XML Encryption 1.1):
/// the last byte says how many bytes of padding end the plaintext, 1 to the
/// block size; the other padding bytes are arbitrary (not PKCS#7: .NET and
/// xmlsec write random ones).
fn cbc_decrypt<C>(key: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: cbc::cipher::BlockCipherDecrypt + cbc::cipher::KeyInit,
{
    let block = <C as BlockSizeUser>::block_size();
    let (iv, ciphertext) = data.split_at_checked(block)?;
    if ciphertext.is_empty() || ciphertext.len() % block != 0 {
        return None;
    }
    let mut decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    let mut buf = ciphertext.to_vec();
    let (blocks, tail) = InOutBuf::from(buf.as_mut_slice()).into_chunks();
    if !tail.is_empty() {
        return None;
    }
    decryptor.decrypt_blocks_inout(blocks);
    let pad = usize::from(*buf.last()?);
    if pad == 0 || pad > block {
        return None;
    }
    buf.truncate(buf.len() - pad);
    Some(buf)
}

/// AES-GCM as XML Encryption 1.1 lays it out: a 12-byte IV, the
/// ciphertext, a 16-byte tag; no additional data.
fn gcm_decrypt<C>(key: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: cbc::cipher::BlockCipherEncrypt
        + cbc::cipher::BlockSizeUser<BlockSize = aes_gcm::aead::consts::U16>
        + cbc::cipher::KeyInit,
{
    const IV: usize = 12;
    const TAG: usize = 16;
    let (iv, rest) = data.split_at_checked(IV)?;
    let tag_at = rest.len().checked_sub(TAG)?;
    let (ciphertext, tag) = rest.split_at_checked(tag_at)?;
    let cipher = AesGcm::<C, aes_gcm::aead::consts::U12>::new_from_slice(key).ok()?;
    let nonce = aes_gcm::Nonce::try_from(iv).ok()?;
    let tag = aes_gcm::Tag::try_from(tag).ok()?;
    let mut buf = ciphertext.to_vec();
    cipher
        .decrypt_inout_detached(&nonce, &[], buf.as_mut_slice().into(), &tag)
        .ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cbc::cipher::BlockModeEncrypt as _;

    fn cbc_encrypt(key: &[u8; 16], iv: &[u8; 16], plain_padded: &[u8]) -> Vec<u8> {
        let mut enc = cbc::Encryptor::<Aes128>::new_from_slices(key, iv).unwrap();
        let mut buf = plain_padded.to_vec();
        let (blocks, _) = InOutBuf::from(buf.as_mut_slice()).into_chunks();
        enc.encrypt_blocks_inout(blocks);
        let mut out = iv.to_vec();
        out.extend(buf);
        out
    }

    /// XML Encryption's padding: only the last byte counts; arbitrary pad
    /// bytes (not PKCS#7) are accepted, 0 and more than a block are not.
    #[test]
    fn cbc_padding_rule() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        let mut padded = b"hello world!".to_vec();
        padded.extend([0xAA, 0x55, 0x13, 4]);
        let data = cbc_encrypt(&key, &iv, &padded);
        assert_eq!(
            decrypt_data(DataEncryption::Aes128Cbc, &key, &data).unwrap(),
            b"hello world!"
        );
        for bad_last in [0u8, 17, 255] {
            let mut p = padded.clone();
            *p.last_mut().unwrap() = bad_last;
            let data = cbc_encrypt(&key, &iv, &p);
            assert!(decrypt_data(DataEncryption::Aes128Cbc, &key, &data).is_none());
        }
        // A whole block of padding leaves nothing.
        let data = cbc_encrypt(&key, &iv, &[16u8; 16]);
        assert_eq!(
            decrypt_data(DataEncryption::Aes128Cbc, &key, &data).unwrap(),
            b""
        );
        // Not whole blocks, no ciphertext, wrong key length.
        assert!(decrypt_data(DataEncryption::Aes128Cbc, &key, &data[..20]).is_none());
        assert!(decrypt_data(DataEncryption::Aes128Cbc, &key, &iv).is_none());
        assert!(decrypt_data(DataEncryption::Aes256Cbc, &key, &data).is_none());
    }

    #[test]
    fn gcm_needs_iv_and_tag() {
        let key = [1u8; 32];
        assert!(decrypt_data(DataEncryption::Aes256Gcm, &key, &[0u8; 27]).is_none());
        assert!(decrypt_data(DataEncryption::Aes256Gcm, &key, &[0u8; 28]).is_none());
    }
}
