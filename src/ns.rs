//! Namespace names of the specifications this crate reads.

/// XML Signature (`ds:`).
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// SAML 2.0 assertions (`saml:`).
pub const SAML_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol (`samlp:`).
pub const SAML_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML 2.0 metadata (`md:`).
pub const SAML_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// XML Encryption (`xenc:`).
pub const XMLENC: &str = "http://www.w3.org/2001/04/xmlenc#";
/// XML Encryption 1.1 (`xenc11:`): `MGF`.
pub const XMLENC11: &str = "http://www.w3.org/2009/xmlenc11#";
