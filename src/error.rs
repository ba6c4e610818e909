//! The crate's one error type.
//!
//! Every failure is an [`Error`] carrying an [`ErrorKind`]. The kind has a
//! stable snake_case name ([`ErrorKind::as_str`]) that callers can match on,
//! log, and print (the `saml_check` CLI prints it); these names are part of the
//! public API and never change meaning.
//!
//! Two texts come with an error:
//! - `Display` is the kind's fixed description: short, and safe to show to an
//!   end user (it never echoes attacker-controlled input);
//! - [`Error::detail`] is for logs: what exactly was wrong, where (byte offset),
//!   expected versus found values. It may contain pieces of the input.

use std::fmt;

/// What went wrong, as a stable, matchable kind.
///
/// New kinds may be added in minor releases (`#[non_exhaustive]`); existing
/// names never change.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    // ---- limits ----
    /// The input is larger than [`Limits::max_input_bytes`](crate::limits::Limits).
    InputTooLarge,
    /// Elements are nested deeper than [`Limits::max_depth`](crate::limits::Limits).
    XmlTooDeep,
    /// The document has more elements than [`Limits::max_elements`](crate::limits::Limits).
    XmlTooManyElements,
    /// An element has more attributes (namespace declarations included) than
    /// [`Limits::max_attributes_per_element`](crate::limits::Limits).
    XmlTooManyAttributes,
    /// A text node, attribute value, comment or processing instruction is
    /// longer than [`Limits::max_text_bytes`](crate::limits::Limits).
    XmlTextTooLong,
    /// More namespace declarations are in scope at an element than
    /// [`Limits::max_namespaces_in_scope`](crate::limits::Limits).
    XmlTooManyNamespaces,
    // ---- xml ----
    /// The input is not valid UTF-8.
    XmlNotUtf8,
    /// The XML declaration names an encoding other than UTF-8.
    XmlUnsupportedEncoding,
    /// The XML declaration names a version other than 1.0.
    XmlUnsupportedVersion,
    /// The document contains a document type declaration (`<!DOCTYPE`).
    XmlDoctypeForbidden,
    /// An entity reference other than the five predefined ones.
    XmlEntityForbidden,
    /// A character reference to a code point XML does not allow.
    XmlInvalidCharRef,
    /// A character XML 1.0 does not allow appears literally.
    XmlInvalidChar,
    /// A namespace prefix is used without being declared.
    XmlUnboundPrefix,
    /// A namespace declaration is not allowed (binding `xml` or `xmlns`
    /// wrongly, or an empty namespace name for a prefix).
    XmlInvalidNamespace,
    /// Two attributes of one element have the same expanded name.
    XmlDuplicateAttribute,
    /// Two elements carry the same ID value (`ID`, `Id` or `xml:id`).
    XmlDuplicateId,
    /// An element or attribute name, or a prefix, is not a valid name.
    XmlInvalidName,
    /// Any other violation of XML 1.0 well-formedness.
    XmlMalformed,
    /// No element carries the requested ID.
    XmlIdNotFound,
    /// An `InclusiveNamespaces PrefixList` has more than
    /// [`InclusivePrefixes::MAX_TOKENS`](crate::c14n::InclusivePrefixes::MAX_TOKENS)
    /// tokens.
    PrefixListTooLong,
    /// Writing canonical output failed (an I/O error of the caller's writer).
    Io,
    // ---- certificates ----
    /// A certificate is not valid PEM, DER or base64 DER X.509, or its
    /// public key cannot be read.
    CertificateInvalid,
    /// The certificate's key is not RSA (EC and others are recorded for
    /// later support).
    UnsupportedKeyType,
    /// The certificate's RSA key is shorter than 2048 bits.
    KeyTooSmall,
    /// The certificate's validity ended before `now`.
    CertificateExpired,
    /// More than [`IdpCertSet::MAX`](crate::certs::IdpCertSet::MAX) certificates.
    TooManyCertificates,
    /// The same certificate (by SHA-256 fingerprint) was given twice.
    DuplicateCertificate,
    /// No certificate of the set has the given fingerprint.
    CertificateNotFound,
    /// No certificate of the set is valid at `now`: verification fails closed.
    NoUsableCertificate,
    // ---- signatures ----
    /// The element has no enveloped `Signature` child.
    SignatureMissing,
    /// More than one `Signature` child, `SignedInfo`, `SignatureValue`,
    /// `Reference` or algorithm element where exactly one is allowed.
    SignatureAmbiguous,
    /// The `Signature` element does not have the structure XML-DSig
    /// requires (a missing or unknown element, bad base64).
    SignatureMalformed,
    /// The `Reference` URI is not `#` followed by the signed element's `ID`
    /// (empty, another element, an XPointer, or the element has no `ID`).
    ReferenceUriMismatch,
    /// A `Transform` outside the allow-list (enveloped-signature and one
    /// canonicalization), or the enveloped-signature transform is missing.
    UnsupportedTransform,
    /// A canonicalization, signature or digest algorithm outside the
    /// allow-list (SHA-1 is allowed only with the `allow_sha1` option).
    UnsupportedAlgorithm,
    /// The digest of the signed element does not match `DigestValue`.
    DigestMismatch,
    /// `SignatureValue` does not verify under any usable certificate.
    SignatureInvalid,
    /// The canonical form of a signed element is several times longer than
    /// the element as written (exclusive canonicalization repeating a long
    /// namespace declaration on many elements): refused before hashing it.
    CanonicalFormTooLarge,
    // ---- configuration ----
    /// A configuration value (entity ID, URL, request ID, option) is not
    /// acceptable.
    ConfigInvalid,
    /// A team slug is not 1 to 63 of `a-z`, `0-9` and `-`, or starts or ends
    /// with `-`.
    TeamSlugInvalid,
    /// A base URL or path template for the team's SAML URLs is not
    /// acceptable (a path template must contain `{team}` exactly once).
    UrlTemplateInvalid,
    /// A role name is not `admin`, `collaborator`, `member` or a valid custom
    /// role name.
    RoleInvalid,
    /// An allowed email domain is not a valid DNS name.
    EmailDomainInvalid,
    // ---- metadata ----
    /// The document is not an `EntityDescriptor` / `EntitiesDescriptor`, or
    /// a required part is missing or malformed.
    MetadataInvalid,
    /// No entity with the requested `entityID`.
    MetadataEntityNotFound,
    /// Several IdPs and none chosen by entity ID.
    MetadataAmbiguous,
    /// No `IDPSSODescriptor` supporting the SAML 2.0 protocol.
    MetadataNoIdp,
    /// `validUntil` is before `now`.
    MetadataExpired,
    // ---- responses ----
    /// The form value is neither base64 nor raw XML.
    InputNotBase64,
    /// The document is not a SAML 2.0 `Response`, or a required element or
    /// attribute is missing or malformed.
    ResponseMalformed,
    /// `Version` is not `2.0`.
    VersionUnsupported,
    /// The `StatusCode` is not Success; the detail carries the codes and
    /// `StatusMessage`.
    StatusNotSuccess,
    /// `Destination` is not our ACS URL (or is missing on a signed Response).
    DestinationMismatch,
    /// An `Issuer` is not the configured IdP entity ID.
    IssuerMismatch,
    /// `InResponseTo` names no request we are waiting for, or the Response
    /// and its SubjectConfirmationData disagree.
    InResponseToMismatch,
    /// A Response without `InResponseTo` while IdP-initiated login is off.
    UnsolicitedResponse,
    /// No `Assertion`.
    AssertionMissing,
    /// More than one `Assertion`, or plaintext and encrypted ones together.
    AssertionAmbiguous,
    /// The Response carries an `EncryptedAssertion`.
    EncryptedAssertionUnsupported,
    /// The Assertion is not covered by a valid signature (its own or the
    /// enclosing Response's).
    AssertionNotSigned,
    /// The policy requires a signed Response and it is not.
    ResponseNotSigned,
    /// No `Subject`, no `NameID`, or an `EncryptedID`.
    SubjectInvalid,
    /// No bearer `SubjectConfirmation` whose data is valid for us.
    SubjectConfirmationInvalid,
    /// `Recipient` is not our ACS URL.
    RecipientMismatch,
    /// A `NotOnOrAfter` is not after `now` (with the allowed clock skew).
    AssertionExpired,
    /// `NotBefore` is after `now` (with the allowed clock skew).
    AssertionNotYetValid,
    /// An `AudienceRestriction` does not name our entity ID, or there is none.
    AudienceMismatch,
    /// No `AuthnStatement`.
    AuthnStatementMissing,
    /// `Conditions` holds a condition this crate does not understand (SAML
    /// core 2.5.1: the assertion is then Indeterminate and must not be used).
    ConditionUnsupported,
    /// The request-tracking store could not remember or hand back the
    /// AuthnRequest IDs a browser started (full or unreachable): fail closed.
    RequestStoreUnavailable,
    /// The assertion ID was seen before (one-time use).
    AssertionReplayed,
    /// The replay cache could not record the assertion (full or unreachable):
    /// fail closed.
    ReplayCacheUnavailable,
    // ---- requests and the HTTP-Redirect binding ----
    /// `RelayState` is longer than the 80 bytes the SAML bindings
    /// specification allows (sections 3.4.3 and 3.5.3).
    RelayStateTooLong,
    /// The IdP lists no endpoint for the chosen binding.
    EndpointMissing,
    /// The SP's private key is not an unencrypted RSA key in PKCS#8 or
    /// PKCS#1 PEM, or does not match its certificate.
    PrivateKeyInvalid,
    /// An HTTP-Redirect query string is malformed: bad percent-encoding, a
    /// missing, repeated or conflicting SAML parameter, or a `Signature`
    /// without `SigAlg`.
    QueryMalformed,
    /// The HTTP-Redirect message is not raw DEFLATE data (corrupt,
    /// truncated, followed by extra bytes, or zlib-wrapped).
    InputNotDeflate,
    /// Inflating an HTTP-Redirect message would exceed
    /// [`Limits::max_inflated_bytes`](crate::limits::Limits).
    InflatedTooLarge,
    /// The document is not a SAML 2.0 `AuthnRequest`, or a required element
    /// or attribute is missing or malformed.
    RequestMalformed,
}

impl ErrorKind {
    /// Every kind, for tables and tests.
    pub const ALL: &'static [Self] = &[
        Self::InputTooLarge,
        Self::XmlTooDeep,
        Self::XmlTooManyElements,
        Self::XmlTooManyAttributes,
        Self::XmlTextTooLong,
        Self::XmlTooManyNamespaces,
        Self::XmlNotUtf8,
        Self::XmlUnsupportedEncoding,
        Self::XmlUnsupportedVersion,
        Self::XmlDoctypeForbidden,
        Self::XmlEntityForbidden,
        Self::XmlInvalidCharRef,
        Self::XmlInvalidChar,
        Self::XmlUnboundPrefix,
        Self::XmlInvalidNamespace,
        Self::XmlDuplicateAttribute,
        Self::XmlDuplicateId,
        Self::XmlInvalidName,
        Self::XmlMalformed,
        Self::XmlIdNotFound,
        Self::PrefixListTooLong,
        Self::Io,
        Self::CertificateInvalid,
        Self::UnsupportedKeyType,
        Self::KeyTooSmall,
        Self::CertificateExpired,
        Self::TooManyCertificates,
        Self::DuplicateCertificate,
        Self::CertificateNotFound,
        Self::NoUsableCertificate,
        Self::SignatureMissing,
        Self::SignatureAmbiguous,
        Self::SignatureMalformed,
        Self::ReferenceUriMismatch,
        Self::UnsupportedTransform,
        Self::UnsupportedAlgorithm,
        Self::DigestMismatch,
        Self::SignatureInvalid,
        Self::CanonicalFormTooLarge,
        Self::ConfigInvalid,
        Self::TeamSlugInvalid,
        Self::UrlTemplateInvalid,
        Self::RoleInvalid,
        Self::EmailDomainInvalid,
        Self::MetadataInvalid,
        Self::MetadataEntityNotFound,
        Self::MetadataAmbiguous,
        Self::MetadataNoIdp,
        Self::MetadataExpired,
        Self::InputNotBase64,
        Self::ResponseMalformed,
        Self::VersionUnsupported,
        Self::StatusNotSuccess,
        Self::DestinationMismatch,
        Self::IssuerMismatch,
        Self::InResponseToMismatch,
        Self::UnsolicitedResponse,
        Self::AssertionMissing,
        Self::AssertionAmbiguous,
        Self::EncryptedAssertionUnsupported,
        Self::AssertionNotSigned,
        Self::ResponseNotSigned,
        Self::SubjectInvalid,
        Self::SubjectConfirmationInvalid,
        Self::RecipientMismatch,
        Self::AssertionExpired,
        Self::AssertionNotYetValid,
        Self::AudienceMismatch,
        Self::AuthnStatementMissing,
        Self::ConditionUnsupported,
        Self::RequestStoreUnavailable,
        Self::AssertionReplayed,
        Self::ReplayCacheUnavailable,
        Self::RelayStateTooLong,
        Self::EndpointMissing,
        Self::PrivateKeyInvalid,
        Self::QueryMalformed,
        Self::InputNotDeflate,
        Self::InflatedTooLarge,
        Self::RequestMalformed,
    ];

    /// The stable snake_case name of this kind, e.g. `"xml_doctype_forbidden"`.
    ///
    /// ```
    /// assert_eq!(saml_sp::ErrorKind::XmlDuplicateId.as_str(), "xml_duplicate_id");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InputTooLarge => "input_too_large",
            Self::XmlTooDeep => "xml_too_deep",
            Self::XmlTooManyElements => "xml_too_many_elements",
            Self::XmlTooManyAttributes => "xml_too_many_attributes",
            Self::XmlTextTooLong => "xml_text_too_long",
            Self::XmlTooManyNamespaces => "xml_too_many_namespaces",
            Self::XmlNotUtf8 => "xml_not_utf8",
            Self::XmlUnsupportedEncoding => "xml_unsupported_encoding",
            Self::XmlUnsupportedVersion => "xml_unsupported_version",
            Self::XmlDoctypeForbidden => "xml_doctype_forbidden",
            Self::XmlEntityForbidden => "xml_entity_forbidden",
            Self::XmlInvalidCharRef => "xml_invalid_char_ref",
            Self::XmlInvalidChar => "xml_invalid_char",
            Self::XmlUnboundPrefix => "xml_unbound_prefix",
            Self::XmlInvalidNamespace => "xml_invalid_namespace",
            Self::XmlDuplicateAttribute => "xml_duplicate_attribute",
            Self::XmlDuplicateId => "xml_duplicate_id",
            Self::XmlInvalidName => "xml_invalid_name",
            Self::XmlMalformed => "xml_malformed",
            Self::XmlIdNotFound => "xml_id_not_found",
            Self::PrefixListTooLong => "prefix_list_too_long",
            Self::Io => "io",
            Self::CertificateInvalid => "certificate_invalid",
            Self::UnsupportedKeyType => "unsupported_key_type",
            Self::KeyTooSmall => "key_too_small",
            Self::CertificateExpired => "certificate_expired",
            Self::TooManyCertificates => "too_many_certificates",
            Self::DuplicateCertificate => "duplicate_certificate",
            Self::CertificateNotFound => "certificate_not_found",
            Self::NoUsableCertificate => "no_usable_certificate",
            Self::SignatureMissing => "signature_missing",
            Self::SignatureAmbiguous => "signature_ambiguous",
            Self::SignatureMalformed => "signature_malformed",
            Self::ReferenceUriMismatch => "reference_uri_mismatch",
            Self::UnsupportedTransform => "unsupported_transform",
            Self::UnsupportedAlgorithm => "unsupported_algorithm",
            Self::DigestMismatch => "digest_mismatch",
            Self::SignatureInvalid => "signature_invalid",
            Self::CanonicalFormTooLarge => "canonical_form_too_large",
            Self::ConfigInvalid => "config_invalid",
            Self::TeamSlugInvalid => "team_slug_invalid",
            Self::UrlTemplateInvalid => "url_template_invalid",
            Self::RoleInvalid => "role_invalid",
            Self::EmailDomainInvalid => "email_domain_invalid",
            Self::MetadataInvalid => "metadata_invalid",
            Self::MetadataEntityNotFound => "metadata_entity_not_found",
            Self::MetadataAmbiguous => "metadata_ambiguous",
            Self::MetadataNoIdp => "metadata_no_idp",
            Self::MetadataExpired => "metadata_expired",
            Self::InputNotBase64 => "input_not_base64",
            Self::ResponseMalformed => "response_malformed",
            Self::VersionUnsupported => "version_unsupported",
            Self::StatusNotSuccess => "status_not_success",
            Self::DestinationMismatch => "destination_mismatch",
            Self::IssuerMismatch => "issuer_mismatch",
            Self::InResponseToMismatch => "in_response_to_mismatch",
            Self::UnsolicitedResponse => "unsolicited_response",
            Self::AssertionMissing => "assertion_missing",
            Self::AssertionAmbiguous => "assertion_ambiguous",
            Self::EncryptedAssertionUnsupported => "encrypted_assertion_unsupported",
            Self::AssertionNotSigned => "assertion_not_signed",
            Self::ResponseNotSigned => "response_not_signed",
            Self::SubjectInvalid => "subject_invalid",
            Self::SubjectConfirmationInvalid => "subject_confirmation_invalid",
            Self::RecipientMismatch => "recipient_mismatch",
            Self::AssertionExpired => "assertion_expired",
            Self::AssertionNotYetValid => "assertion_not_yet_valid",
            Self::AudienceMismatch => "audience_mismatch",
            Self::AuthnStatementMissing => "authn_statement_missing",
            Self::ConditionUnsupported => "condition_unsupported",
            Self::RequestStoreUnavailable => "request_store_unavailable",
            Self::AssertionReplayed => "assertion_replayed",
            Self::ReplayCacheUnavailable => "replay_cache_unavailable",
            Self::RelayStateTooLong => "relay_state_too_long",
            Self::EndpointMissing => "endpoint_missing",
            Self::PrivateKeyInvalid => "private_key_invalid",
            Self::QueryMalformed => "query_malformed",
            Self::InputNotDeflate => "input_not_deflate",
            Self::InflatedTooLarge => "inflated_too_large",
            Self::RequestMalformed => "request_malformed",
        }
    }

    /// A short description, safe to show to an end user.
    pub const fn description(self) -> &'static str {
        match self {
            Self::InputTooLarge => "the input is too large",
            Self::XmlTooDeep => "the XML document is nested too deeply",
            Self::XmlTooManyElements => "the XML document has too many elements",
            Self::XmlTooManyAttributes => "an XML element has too many attributes",
            Self::XmlTextTooLong => "an XML text or attribute value is too long",
            Self::XmlTooManyNamespaces => "the XML document declares too many namespaces",
            Self::XmlNotUtf8 => "the XML document is not valid UTF-8",
            Self::XmlUnsupportedEncoding => "the XML document declares an unsupported encoding",
            Self::XmlUnsupportedVersion => "the XML document declares an unsupported XML version",
            Self::XmlDoctypeForbidden => "XML document type declarations are not allowed",
            Self::XmlEntityForbidden => "XML entity references are not allowed",
            Self::XmlInvalidCharRef => "the XML document contains an invalid character reference",
            Self::XmlInvalidChar => "the XML document contains a character XML does not allow",
            Self::XmlUnboundPrefix => "the XML document uses an undeclared namespace prefix",
            Self::XmlInvalidNamespace => {
                "the XML document contains an invalid namespace declaration"
            }
            Self::XmlDuplicateAttribute => "an XML element has a duplicate attribute",
            Self::XmlDuplicateId => "two XML elements have the same ID",
            Self::XmlInvalidName => "the XML document contains an invalid name",
            Self::XmlMalformed => "the XML document is malformed",
            Self::XmlIdNotFound => "no XML element has the requested ID",
            Self::PrefixListTooLong => "the list of inclusive namespace prefixes is too long",
            Self::Io => "writing the output failed",
            Self::CertificateInvalid => "the certificate cannot be read",
            Self::UnsupportedKeyType => "the certificate's key type is not supported",
            Self::KeyTooSmall => "the certificate's key is too small",
            Self::CertificateExpired => "the certificate has expired",
            Self::TooManyCertificates => "too many certificates for one identity provider",
            Self::DuplicateCertificate => "the certificate is already in the set",
            Self::CertificateNotFound => "the certificate is not in the set",
            Self::NoUsableCertificate => "no identity provider certificate is valid now",
            Self::SignatureMissing => "the element is not signed",
            Self::SignatureAmbiguous => "the signature is ambiguous",
            Self::SignatureMalformed => "the signature is malformed",
            Self::ReferenceUriMismatch => "the signature does not refer to the signed element",
            Self::UnsupportedTransform => "the signature uses a transform that is not allowed",
            Self::UnsupportedAlgorithm => "the signature uses an algorithm that is not allowed",
            Self::DigestMismatch => "the signed content was changed",
            Self::SignatureInvalid => "the signature does not verify",
            Self::CanonicalFormTooLarge => "the signed content is not acceptable",
            Self::ConfigInvalid => "the SSO configuration is invalid",
            Self::TeamSlugInvalid => "the team name is not valid",
            Self::UrlTemplateInvalid => "the SSO URL settings are not valid",
            Self::RoleInvalid => "the role name is not valid",
            Self::EmailDomainInvalid => "the email domain is not valid",
            Self::MetadataInvalid => "the metadata document is not valid SAML 2.0 metadata",
            Self::MetadataEntityNotFound => "the metadata does not describe the requested entity",
            Self::MetadataAmbiguous => "the metadata describes several identity providers",
            Self::MetadataNoIdp => "the metadata describes no SAML 2.0 identity provider",
            Self::MetadataExpired => "the metadata has expired",
            Self::InputNotBase64 => "the SAML message is not valid base64",
            Self::ResponseMalformed => "the SAML response is malformed",
            Self::VersionUnsupported => "the SAML version is not supported",
            Self::StatusNotSuccess => "the identity provider reported an error",
            Self::DestinationMismatch => "the response was sent to another destination",
            Self::IssuerMismatch => "the response comes from another identity provider",
            Self::InResponseToMismatch => "the response does not answer a request we sent",
            Self::UnsolicitedResponse => "unsolicited responses are not accepted",
            Self::AssertionMissing => "the response contains no assertion",
            Self::AssertionAmbiguous => "the response contains more than one assertion",
            Self::EncryptedAssertionUnsupported => "encrypted assertions are not supported yet",
            Self::AssertionNotSigned => "the assertion is not signed",
            Self::ResponseNotSigned => "the response is not signed",
            Self::SubjectInvalid => "the assertion's subject is missing or unsupported",
            Self::SubjectConfirmationInvalid => "the assertion's subject confirmation is not valid",
            Self::RecipientMismatch => "the assertion was issued for another recipient",
            Self::AssertionExpired => "the assertion has expired",
            Self::AssertionNotYetValid => "the assertion is not valid yet",
            Self::AudienceMismatch => "the assertion was issued for another service",
            Self::AuthnStatementMissing => "the assertion does not state an authentication",
            Self::ConditionUnsupported => "the assertion carries a condition that is not supported",
            Self::RequestStoreUnavailable => "the sign-in could not be completed",
            Self::AssertionReplayed => "the assertion was already used",
            Self::ReplayCacheUnavailable => "the sign-in could not be completed",
            Self::RelayStateTooLong => "the relay state is too long",
            Self::EndpointMissing => "the identity provider has no endpoint for this binding",
            Self::PrivateKeyInvalid => "the service provider's signing key is not usable",
            Self::QueryMalformed => "the SAML query string is malformed",
            Self::InputNotDeflate => "the SAML message is not valid DEFLATE data",
            Self::InflatedTooLarge => "the SAML message is too large once decompressed",
            Self::RequestMalformed => "the SAML request is malformed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error type of every fallible operation in this crate.
///
/// ```
/// let err = saml_sp::building_blocks::Document::parse(b"<!DOCTYPE x><x/>", &saml_sp::Limits::default())
///     .unwrap_err();
/// assert_eq!(err.kind(), saml_sp::ErrorKind::XmlDoctypeForbidden);
/// assert_eq!(err.kind().as_str(), "xml_doctype_forbidden");
/// // Display is safe for users; detail() is for logs.
/// assert_eq!(err.to_string(), "XML document type declarations are not allowed");
/// assert!(err.detail().contains("byte 0"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    detail: Box<str>,
}

impl Error {
    /// Builds an error of `kind` with a log detail. Public for
    /// implementations of the crate's traits (a replay cache reporting
    /// [`ErrorKind::ReplayCacheUnavailable`], say).
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into().into_boxed_str(),
        }
    }

    /// Builds an error of `kind` whose detail names a byte offset in the input.
    pub(crate) fn at(kind: ErrorKind, offset: usize, detail: impl fmt::Display) -> Self {
        Self::new(kind, format!("at byte {offset}: {detail}"))
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Details for logs: what exactly failed and where. May quote the input;
    /// do not show it to end users.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.description())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.kind.as_str(), self.detail)
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A validation error as a serde error: deserializing runs the same checks
/// as the constructors, and says which kind failed.
#[cfg(feature = "serde")]
pub(crate) fn serde_error<E: serde::de::Error>(err: Error) -> E {
    E::custom(format_args!("{}: {}", err.kind.as_str(), err.detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let name = kind.as_str();
            assert!(seen.insert(name), "duplicate name {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{name} is not snake_case"
            );
            assert!(!kind.description().is_empty());
        }
    }

    /// Every kind's name and description, in `ALL` order, as they were when
    /// the kinds moved into one table: names are public API and never
    /// change; descriptions are what users see. A new kind adds a row here.
    #[rustfmt::skip]
    const PINNED: &[(&str, &str)] = &[
        ("input_too_large", "the input is too large"),
        ("xml_too_deep", "the XML document is nested too deeply"),
        ("xml_too_many_elements", "the XML document has too many elements"),
        ("xml_too_many_attributes", "an XML element has too many attributes"),
        ("xml_text_too_long", "an XML text or attribute value is too long"),
        ("xml_too_many_namespaces", "the XML document declares too many namespaces"),
        ("xml_not_utf8", "the XML document is not valid UTF-8"),
        ("xml_unsupported_encoding", "the XML document declares an unsupported encoding"),
        ("xml_unsupported_version", "the XML document declares an unsupported XML version"),
        ("xml_doctype_forbidden", "XML document type declarations are not allowed"),
        ("xml_entity_forbidden", "XML entity references are not allowed"),
        ("xml_invalid_char_ref", "the XML document contains an invalid character reference"),
        ("xml_invalid_char", "the XML document contains a character XML does not allow"),
        ("xml_unbound_prefix", "the XML document uses an undeclared namespace prefix"),
        ("xml_invalid_namespace", "the XML document contains an invalid namespace declaration"),
        ("xml_duplicate_attribute", "an XML element has a duplicate attribute"),
        ("xml_duplicate_id", "two XML elements have the same ID"),
        ("xml_invalid_name", "the XML document contains an invalid name"),
        ("xml_malformed", "the XML document is malformed"),
        ("xml_id_not_found", "no XML element has the requested ID"),
        ("prefix_list_too_long", "the list of inclusive namespace prefixes is too long"),
        ("io", "writing the output failed"),
        ("certificate_invalid", "the certificate cannot be read"),
        ("unsupported_key_type", "the certificate's key type is not supported"),
        ("key_too_small", "the certificate's key is too small"),
        ("certificate_expired", "the certificate has expired"),
        ("too_many_certificates", "too many certificates for one identity provider"),
        ("duplicate_certificate", "the certificate is already in the set"),
        ("certificate_not_found", "the certificate is not in the set"),
        ("no_usable_certificate", "no identity provider certificate is valid now"),
        ("signature_missing", "the element is not signed"),
        ("signature_ambiguous", "the signature is ambiguous"),
        ("signature_malformed", "the signature is malformed"),
        ("reference_uri_mismatch", "the signature does not refer to the signed element"),
        ("unsupported_transform", "the signature uses a transform that is not allowed"),
        ("unsupported_algorithm", "the signature uses an algorithm that is not allowed"),
        ("digest_mismatch", "the signed content was changed"),
        ("signature_invalid", "the signature does not verify"),
        ("canonical_form_too_large", "the signed content is not acceptable"),
        ("config_invalid", "the SSO configuration is invalid"),
        ("team_slug_invalid", "the team name is not valid"),
        ("url_template_invalid", "the SSO URL settings are not valid"),
        ("role_invalid", "the role name is not valid"),
        ("email_domain_invalid", "the email domain is not valid"),
        ("metadata_invalid", "the metadata document is not valid SAML 2.0 metadata"),
        ("metadata_entity_not_found", "the metadata does not describe the requested entity"),
        ("metadata_ambiguous", "the metadata describes several identity providers"),
        ("metadata_no_idp", "the metadata describes no SAML 2.0 identity provider"),
        ("metadata_expired", "the metadata has expired"),
        ("input_not_base64", "the SAML message is not valid base64"),
        ("response_malformed", "the SAML response is malformed"),
        ("version_unsupported", "the SAML version is not supported"),
        ("status_not_success", "the identity provider reported an error"),
        ("destination_mismatch", "the response was sent to another destination"),
        ("issuer_mismatch", "the response comes from another identity provider"),
        ("in_response_to_mismatch", "the response does not answer a request we sent"),
        ("unsolicited_response", "unsolicited responses are not accepted"),
        ("assertion_missing", "the response contains no assertion"),
        ("assertion_ambiguous", "the response contains more than one assertion"),
        ("encrypted_assertion_unsupported", "encrypted assertions are not supported yet"),
        ("assertion_not_signed", "the assertion is not signed"),
        ("response_not_signed", "the response is not signed"),
        ("subject_invalid", "the assertion's subject is missing or unsupported"),
        ("subject_confirmation_invalid", "the assertion's subject confirmation is not valid"),
        ("recipient_mismatch", "the assertion was issued for another recipient"),
        ("assertion_expired", "the assertion has expired"),
        ("assertion_not_yet_valid", "the assertion is not valid yet"),
        ("audience_mismatch", "the assertion was issued for another service"),
        ("authn_statement_missing", "the assertion does not state an authentication"),
        ("condition_unsupported", "the assertion carries a condition that is not supported"),
        ("request_store_unavailable", "the sign-in could not be completed"),
        ("assertion_replayed", "the assertion was already used"),
        ("replay_cache_unavailable", "the sign-in could not be completed"),
        ("relay_state_too_long", "the relay state is too long"),
        ("endpoint_missing", "the identity provider has no endpoint for this binding"),
        ("private_key_invalid", "the service provider's signing key is not usable"),
        ("query_malformed", "the SAML query string is malformed"),
        ("input_not_deflate", "the SAML message is not valid DEFLATE data"),
        ("inflated_too_large", "the SAML message is too large once decompressed"),
        ("request_malformed", "the SAML request is malformed"),
    ];

    #[test]
    fn names_and_descriptions_are_pinned() {
        let actual: Vec<(&str, &str)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.description()))
            .collect();
        assert_eq!(actual, PINNED);
    }

    #[test]
    fn display_hides_detail() {
        let err = Error::at(ErrorKind::XmlMalformed, 7, "<script>");
        assert_eq!(err.to_string(), "the XML document is malformed");
        assert_eq!(err.detail(), "at byte 7: <script>");
        assert!(format!("{err:?}").contains("xml_malformed"));
    }
}
