//! The one PEM reader, for certificates and private keys alike:
//! `rustls-pki-types`' (the parser of rustls). It takes RFC 7468's lax
//! form that real certificates come in (76-character lines from older
//! tools, explanatory text around the blocks), and decodes private keys
//! with constant-time base64, so that a key's bytes do not steer the
//! timing.

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{Error, ErrorKind, Result};

/// The DER of the one `CERTIFICATE` block of `text`.
pub(crate) fn certificate(text: &str) -> Result<Vec<u8>> {
    let invalid = |detail: String| Error::new(ErrorKind::CertificateInvalid, detail);
    let mut blocks = CertificateDer::pem_slice_iter(text.as_bytes());
    let first = blocks
        .next()
        .ok_or_else(|| invalid("no PEM CERTIFICATE block".into()))?
        .map_err(|e| invalid(format!("PEM: {e}")))?;
    if blocks.next().is_some() {
        return Err(invalid("several PEM CERTIFICATE blocks".into()));
    }
    Ok(first.as_ref().to_vec())
}

/// The DER of the first unencrypted RSA private key of `text`, and whether
/// it is PKCS#1 (`RSA PRIVATE KEY`) rather than PKCS#8 (`PRIVATE KEY`).
pub(crate) fn private_key(text: &str) -> Result<(Vec<u8>, bool)> {
    let invalid = |detail: String| Error::new(ErrorKind::PrivateKeyInvalid, detail);
    // Encrypted keys are a section kind the reader does not know (PKCS#8)
    // or a legacy header it cannot decode (PKCS#1 with Proc-Type): named
    // here, so the message says what to do.
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type:") {
        return Err(invalid("the private key is encrypted".into()));
    }
    match PrivateKeyDer::from_pem_slice(text.as_bytes()) {
        Ok(PrivateKeyDer::Pkcs1(key)) => Ok((key.secret_pkcs1_der().to_vec(), true)),
        Ok(PrivateKeyDer::Pkcs8(key)) => Ok((key.secret_pkcs8_der().to_vec(), false)),
        Ok(_) => Err(invalid("the private key is not an RSA key".into())),
        Err(rustls_pki_types::pem::Error::NoItemsFound) => Err(invalid(
            "no PRIVATE KEY or RSA PRIVATE KEY PEM block".into(),
        )),
        Err(e) => Err(invalid(format!("PEM: {e}"))),
    }
}
