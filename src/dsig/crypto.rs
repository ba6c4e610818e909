//! Digests and the one RSA step.

use std::io::Write;

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{SignatureAlgorithm, SignaturePolicy};
use crate::certs::SigningCertificate;
use crate::{Error, ErrorKind, Result};

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

/// RSASSA-PKCS1-v1_5 verification of `signature` over `message` (the
/// canonical `SignedInfo`), hashed with `alg`, under the key of `cert`.
///
/// The only place that touches RSA. By default our own Montgomery
/// arithmetic does it ([`super::rsa_verify`], with the key's constants
/// computed when the certificate was loaded); the opt-in `aws-lc-rs`
/// feature swaps this step alone, for keys of 2048 bits and more (legacy
/// 1024..2048-bit keys, accepted only under a relaxed `CertificatePolicy`,
/// stay on ours: AWS-LC has no 1024-bit parameter set for SHA-384). All
/// backends give the same verdicts as the `rsa` crate (see the tests
/// below, and `rsa_verify`'s).
pub(crate) fn rsa_pkcs1v15_verify(
    cert: &SigningCertificate,
    alg: HashAlg,
    message: &[u8],
    signature: &[u8],
) -> bool {
    #[cfg(feature = "aws-lc-rs")]
    if cert.key_bits() >= 2048 {
        return match cert.aws_lc_keys().get(alg) {
            Some(key) => key.verify_sig(message, signature).is_ok(),
            None => aws_lc_verify(cert.rsa_key_pkcs1_der(), alg, message, signature),
        };
    }
    cert.verify_key()
        .verify_pkcs1v15(alg, &digest(alg, message), signature)
}

impl SigningCertificate {
    /// Checks an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2) over
    /// `message` under this certificate's key: the step of
    /// [`verify_enveloped`](crate::verify_enveloped) that checks
    /// `SignatureValue`, for signatures that are not XML Signatures (the
    /// HTTP-Redirect binding signs its query string, SAML Bindings
    /// §3.4.4.1). `message` is hashed here with `algorithm`'s hash.
    /// Whether the certificate is trusted and valid now is the caller's
    /// question.
    ///
    /// ```
    /// use saml_sp::{ErrorKind, SignatureAlgorithm, SignaturePolicy, SigningCertificate};
    /// let cert = SigningCertificate::parse(&std::fs::read("fixtures/keys/idp-a.crt.pem")?)?;
    /// let policy = SignaturePolicy::default();
    /// let err = cert
    ///     .verify_signature(SignatureAlgorithm::RsaSha256, b"message", &[0; 256], &policy)
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::SignatureInvalid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind::UnsupportedAlgorithm)
    /// for `RsaSha1` unless `policy.allow_sha1`;
    /// [`ErrorKind::SignatureInvalid`](crate::ErrorKind::SignatureInvalid)
    /// when the signature does not verify (wrong length, not below the
    /// modulus, wrong padding, digest or key).
    pub fn verify_signature(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
        policy: &SignaturePolicy,
    ) -> Result<()> {
        if algorithm == SignatureAlgorithm::RsaSha1 && !policy.allow_sha1 {
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                "rsa-sha1 needs allow_sha1",
            ));
        }
        if rsa_pkcs1v15_verify(self, algorithm.hash(), message, signature) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::SignatureInvalid,
                format!(
                    "{} signature does not verify under {}",
                    algorithm.as_str(),
                    self.fingerprint()
                ),
            ))
        }
    }
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

    fn get(&self, alg: HashAlg) -> Option<&aws_lc_rs::signature::ParsedPublicKey> {
        let index = Self::ORDER.iter().position(|a| *a == alg)?;
        self.0.get(index)?.as_ref()
    }
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The RSA backends (ours, the `rsa` crate, and AWS-LC with
/// `--features aws-lc-rs`) agree on every signature of the xmlsec1
/// fixtures, under every test key, and on corrupted variants of each.
#[cfg(test)]
mod backends {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::c14n::{C14nMethod, InclusivePrefixes, canonicalize_element};
    use crate::certs::CertificatePolicy;
    use crate::ns::DSIG;
    use crate::xml::Document;
    use crate::{Limits, SignatureAlgorithm};

    fn fixtures() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
    }

    /// (canonical SignedInfo, hash, SignatureValue) of every RSA signature.
    fn signatures() -> Vec<(String, Vec<u8>, HashAlg, Vec<u8>)> {
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(fixtures().join("dsig"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        for path in files {
            let xml = std::fs::read(&path).unwrap();
            let Ok(doc) = Document::parse(&xml, &Limits::default()) else {
                continue;
            };
            for signature in doc.root().descendants().filter(|e| e.is(DSIG, "Signature")) {
                let child =
                    |name: &str| signature.child_elements().find(|e| e.local_name() == name);
                let (Some(info), Some(value)) = (child("SignedInfo"), child("SignatureValue"))
                else {
                    continue;
                };
                let of = |name: &str| {
                    info.child_elements()
                        .find(|e| e.local_name() == name)
                        .and_then(|e| e.attribute(None, "Algorithm"))
                };
                let Some(c14n) = of("CanonicalizationMethod").and_then(C14nMethod::from_uri) else {
                    continue;
                };
                let Some(alg) = SignatureAlgorithm::ALL
                    .into_iter()
                    .find(|a| Some(a.uri()) == of("SignatureMethod"))
                else {
                    continue;
                };
                let prefixes = info
                    .descendants()
                    .find(|e| e.local_name() == "InclusiveNamespaces")
                    .and_then(|e| e.attribute(None, "PrefixList"))
                    .map_or_else(InclusivePrefixes::none, |l| {
                        InclusivePrefixes::parse(l).unwrap()
                    });
                let mut message = Vec::new();
                canonicalize_element(info, None, c14n, &prefixes, &mut message).unwrap();
                let text: String = value.text().split_whitespace().collect();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.push((name, message, alg.hash(), STANDARD.decode(text).unwrap()));
            }
        }
        out
    }

    #[test]
    fn backends_agree() {
        let policy = CertificatePolicy::default().with_min_rsa_bits(1024);
        let certs: Vec<(String, SigningCertificate)> = std::fs::read_dir(fixtures().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".crt.pem"))
            .filter_map(|p| {
                let cert =
                    SigningCertificate::parse_with_policy(&std::fs::read(&p).unwrap(), &policy);
                cert.ok()
                    .map(|c| (p.file_name().unwrap().to_string_lossy().into_owned(), c))
            })
            .collect();
        assert!(certs.len() >= 7, "{} RSA test certificates", certs.len());
        let sigs = signatures();
        assert!(sigs.len() >= 35, "{} signatures", sigs.len());
        let (mut checked, mut valid) = (0, 0);
        for (file, message, alg, signature) in &sigs {
            let mut flipped = signature.clone();
            flipped[signature.len() / 2] ^= 1;
            let mut longer = vec![0u8];
            longer.extend_from_slice(signature);
            let mut other_message = message.clone();
            other_message.push(b' ');
            let variants = [
                (message.as_slice(), signature.as_slice()),
                (message.as_slice(), flipped.as_slice()),
                (message.as_slice(), &signature[1..]),
                (message.as_slice(), longer.as_slice()),
                (other_message.as_slice(), signature.as_slice()),
            ];
            for (name, cert) in &certs {
                for (i, (m, s)) in variants.iter().enumerate() {
                    let rust = rsa_crate_verify(cert.rsa_key_pkcs1_der(), *alg, m, s);
                    let ours = cert.verify_key().verify_pkcs1v15(*alg, &digest(*alg, m), s);
                    assert_eq!(rust, ours, "{file} under {name}, variant {i}");
                    let dispatched = rsa_pkcs1v15_verify(cert, *alg, m, s);
                    assert_eq!(rust, dispatched, "{file} under {name}, variant {i}");
                    #[cfg(feature = "aws-lc-rs")]
                    if cert.key_bits() >= 2048 {
                        let aws = aws_lc_verify(cert.rsa_key_pkcs1_der(), *alg, m, s);
                        assert_eq!(rust, aws, "{file} under {name}, variant {i}");
                    }
                    valid += usize::from(rust);
                    checked += 1;
                }
            }
        }
        // Every fixture but the broken ones verifies under its signer's key.
        assert!(valid >= 30, "{valid} of {checked} verified");
    }
}
