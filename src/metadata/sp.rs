//! Our SP metadata, written for the IdP admin to upload.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};

use crate::certs::SigningCertificate;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId};
use crate::ns::{DSIG, SAML_METADATA, SAML_PROTOCOL};
use crate::vocabulary::{Binding, DataEncryption, KEY_TRANSPORTS, NameIdFormat};
use crate::xml::XmlWriter;

/// Our SP's metadata: an `EntityDescriptor` with one `SPSSODescriptor`, for
/// the IdP admin to upload. The entity ID and the Assertion Consumer Service
/// URL are mandatory, so they are the constructor's arguments; the rest is
/// optional.
///
/// The output is deterministic (same input, same bytes), every value is
/// escaped, and it is valid against the OASIS `saml-schema-metadata-2.0.xsd`.
///
/// ```
/// use saml_sp::{EndpointUrl, EntityId, SigningCertificate};
/// use saml_sp::metadata::SpMetadata;
/// use saml_sp::vocabulary::NameIdFormat;
/// let pem = std::fs::read_to_string("fixtures/keys/sp.crt.pem").unwrap();
/// let xml = SpMetadata::new(
///     EntityId::new("https://sso.example.com/saml/acme")?,
///     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
/// )
/// .with_name_id_format(NameIdFormat::EmailAddress)
/// .with_signing_certificate(SigningCertificate::from_pem(&pem)?)
/// .to_xml()?;
/// assert!(xml.contains(r#"entityID="https://sso.example.com/saml/acme""#));
/// assert!(xml.contains(r#"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sso.example.com/saml/acme/acs" index="0" isDefault="true"/>"#));
/// assert!(xml.contains(r#"<md:KeyDescriptor use="signing">"#));
/// // A published signing certificate means we sign our requests.
/// assert!(xml.contains(r#"AuthnRequestsSigned="true""#));
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpMetadata {
    entity_id: EntityId,
    acs_url: EndpointUrl,
    name_id_formats: Vec<NameIdFormat>,
    authn_requests_signed: bool,
    want_assertions_signed: bool,
    signing_certificate: Option<SigningCertificate>,
    encryption_certificates: Vec<SigningCertificate>,
    single_logout: Vec<(EndpointUrl, Binding)>,
    valid_until: Option<DateTime<Utc>>,
}

impl SpMetadata {
    /// Our metadata with its two mandatory values: the SP entity ID (the
    /// Audience the IdP will address) and the ACS URL (HTTP-POST, where the
    /// IdP posts responses). `WantAssertionsSigned` is true and
    /// `AuthnRequestsSigned` false until a signing certificate is added.
    pub fn new(entity_id: EntityId, acs_url: EndpointUrl) -> Self {
        Self {
            entity_id,
            acs_url,
            name_id_formats: Vec::new(),
            authn_requests_signed: false,
            want_assertions_signed: true,
            signing_certificate: None,
            encryption_certificates: Vec::new(),
            single_logout: Vec::new(),
            valid_until: None,
        }
    }

    /// Adds a NameIDFormat we accept (written in the order added; a format
    /// added twice is written once).
    pub fn with_name_id_format(mut self, format: NameIdFormat) -> Self {
        if !self.name_id_formats.contains(&format) {
            self.name_id_formats.push(format);
        }
        self
    }

    /// Our signing certificate, published as a `KeyDescriptor use="signing"`.
    /// An SP that publishes one signs its AuthnRequests (the
    /// [`LoginContext`](crate::team::LoginContext) with a signing key signs
    /// every one), so this also sets `AuthnRequestsSigned="true"`;
    /// [`with_authn_requests_signed`](Self::with_authn_requests_signed)
    /// after it says otherwise.
    pub fn with_signing_certificate(mut self, certificate: SigningCertificate) -> Self {
        self.signing_certificate = Some(certificate);
        self.authn_requests_signed = true;
        self
    }

    /// An encryption certificate (the certificate of an
    /// [`SpDecryptionKey`](crate::certs::SpDecryptionKey)), published as a
    /// `KeyDescriptor use="encryption"` with the `EncryptionMethod`s we
    /// decrypt: AES-GCM and AES-CBC data, RSA-OAEP key transport. Call it
    /// for the current and the next key during a rollover; a certificate
    /// added twice is written once.
    pub fn with_encryption_certificate(mut self, certificate: SigningCertificate) -> Self {
        if !self
            .encryption_certificates
            .iter()
            .any(|c| c.fingerprint() == certificate.fingerprint())
        {
            self.encryption_certificates.push(certificate);
        }
        self
    }

    /// Whether we sign AuthnRequests (`AuthnRequestsSigned`). Requires a
    /// signing certificate.
    pub fn with_authn_requests_signed(mut self, signed: bool) -> Self {
        self.authn_requests_signed = signed;
        self
    }

    /// Whether we want assertions signed (`WantAssertionsSigned`; true by
    /// default).
    pub fn with_want_assertions_signed(mut self, wanted: bool) -> Self {
        self.want_assertions_signed = wanted;
        self
    }

    /// Adds our SingleLogoutService for `binding` (written in the order
    /// added; one per binding, a second for the same binding replaces the
    /// first). Our SLO URL takes both bindings: add it for each.
    pub fn with_single_logout_service(mut self, url: EndpointUrl, binding: Binding) -> Self {
        match self.single_logout.iter_mut().find(|(_, b)| *b == binding) {
            Some(slot) => slot.0 = url,
            None => self.single_logout.push((url, binding)),
        }
        self
    }

    /// The document's `validUntil`.
    pub fn with_valid_until(mut self, valid_until: DateTime<Utc>) -> Self {
        self.valid_until = Some(valid_until);
        self
    }

    /// The metadata document (UTF-8, with an XML declaration, two-space
    /// indentation and a final newline).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] when `AuthnRequestsSigned` is set without
    /// a signing certificate.
    pub fn to_xml(&self) -> Result<String> {
        if self.authn_requests_signed && self.signing_certificate.is_none() {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "AuthnRequestsSigned needs the SP's signing certificate in the metadata",
            ));
        }
        let mut w = XmlWriter::new();
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.open("md:EntityDescriptor");
        w.attr("xmlns:md", SAML_METADATA);
        w.attr("entityID", self.entity_id.as_str());
        if let Some(t) = self.valid_until {
            w.attr(
                "validUntil",
                &t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            );
        }
        w.close_open();
        w.raw("\n  ");
        w.open("md:SPSSODescriptor");
        w.attr("AuthnRequestsSigned", bool_str(self.authn_requests_signed));
        w.attr(
            "WantAssertionsSigned",
            bool_str(self.want_assertions_signed),
        );
        w.attr("protocolSupportEnumeration", SAML_PROTOCOL);
        w.close_open();
        w.raw("\n");
        // The schema's order: KeyDescriptor*, SingleLogoutService*,
        // NameIDFormat*, AssertionConsumerService+.
        if let Some(cert) = &self.signing_certificate {
            key_descriptor(&mut w, "signing", cert);
            w.raw("    </md:KeyDescriptor>\n");
        }
        for cert in &self.encryption_certificates {
            key_descriptor(&mut w, "encryption", cert);
            // What we decrypt, preferred first (tripledes-cbc is a
            // per-team opt-in and never advertised).
            let methods = DataEncryption::ALL
                .iter()
                .filter(|a| **a != DataEncryption::TripleDesCbc)
                .map(|a| a.uri())
                .chain(KEY_TRANSPORTS);
            for method in methods {
                w.raw("      ");
                w.open("md:EncryptionMethod");
                w.attr("Algorithm", method);
                w.close_empty();
                w.raw("\n");
            }
            w.raw("    </md:KeyDescriptor>\n");
        }
        for (url, binding) in &self.single_logout {
            w.raw("    ");
            w.open("md:SingleLogoutService");
            w.attr("Binding", binding.uri());
            w.attr("Location", url.as_str());
            w.close_empty();
            w.raw("\n");
        }
        for format in &self.name_id_formats {
            w.raw("    ");
            w.text_element("md:NameIDFormat", format.uri());
            w.raw("\n");
        }
        w.raw("    ");
        w.open("md:AssertionConsumerService");
        w.attr("Binding", Binding::HttpPost.uri());
        w.attr("Location", self.acs_url.as_str());
        w.attr("index", "0");
        w.attr("isDefault", "true");
        w.close_empty();
        w.raw("\n  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n");
        Ok(w.finish())
    }
}

/// An open `KeyDescriptor` with its `KeyInfo` (the caller closes it).
fn key_descriptor(w: &mut XmlWriter, use_: &str, cert: &SigningCertificate) {
    w.raw("    ");
    w.open("md:KeyDescriptor");
    w.attr("use", use_);
    w.close_open();
    w.raw("\n      ");
    w.open("ds:KeyInfo");
    w.attr("xmlns:ds", DSIG);
    w.close_open();
    w.raw("\n        <ds:X509Data>\n          ");
    w.text_element("ds:X509Certificate", &STANDARD.encode(cert.der()));
    w.raw("\n        </ds:X509Data>\n      </ds:KeyInfo>\n");
}

fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}
