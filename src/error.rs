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
//!
//! Each kind also has an [`ErrorClass`] ([`ErrorKind::class`]): whether the
//! input was refused, our infrastructure failed for now, or the service
//! provider's own setup is wrong. Apps answer with that instead of lists of
//! kinds.
//!
//! All of it comes from one table, the `error_kinds!` invocation below: one
//! row per kind with its doc comment, variant, name, class and description.

use std::fmt;

/// What a failure asks of whoever handles it: the class of an
/// [`ErrorKind`], from [`ErrorKind::class`].
///
/// Three classes rather than a yes/no "is transient": what an app does next
/// takes three answers, not two. A refused message gets a "sign-in failed"
/// page; a store that is down gets HTTP 503 and a retry; a setup that cannot
/// work (the IdP's only certificate has expired, the metadata is wrong) gets
/// HTTP 500 and an operator, since no retry and nothing the user does will
/// fix it. A yes/no answer would file the last with the refusals, so that an
/// expired certificate looks like a bad response and pages nobody.
///
/// The rule each kind is classed by:
/// - [`Transient`](Self::Transient): our infrastructure failed, not the
///   input, and the input was not judged (a request store or replay cache
///   that is full or unreachable, a writer that failed). The failure is
///   closed: nothing was accepted. The same request may succeed later.
/// - [`Configuration`](Self::Configuration): the service provider's own
///   setup cannot work: its configuration, the IdP's metadata and
///   certificates as loaded, its signing key, or a value the application
///   itself passed in. Only kinds that no message from the network can cause
///   are in this class, so that strangers cannot page an operator.
/// - [`Refused`](Self::Refused): everything else, that is everything decided
///   by the input. That includes kinds whose usual cause is a mismatch of
///   settings (an IdP sending to another ACS URL gives
///   `destination_mismatch`, an IdP encrypting assertions gives
///   `encrypted_assertion_unsupported`): anyone can send such a message.
///
/// A kind has one class wherever it is raised: an XML error in metadata an
/// administrator uploads is still [`Refused`](Self::Refused) (the document
/// was refused); the app knows it was loading configuration.
///
/// New classes may be added (`#[non_exhaustive]`); treat a class you do not
/// know as a refusal.
///
/// ```
/// use saml_sp::{ErrorClass, ErrorKind};
///
/// fn http_status(kind: ErrorKind) -> u16 {
///     match kind.class() {
///         ErrorClass::Transient => 503,     // try again later
///         ErrorClass::Configuration => 500, // the operator must act
///         _ => 403,                         // sign-in failed
///     }
/// }
/// assert_eq!(http_status(ErrorKind::ReplayCacheUnavailable), 503);
/// assert_eq!(http_status(ErrorKind::NoUsableCertificate), 500);
/// assert_eq!(http_status(ErrorKind::SignatureInvalid), 403);
/// assert_eq!(http_status(ErrorKind::AssertionReplayed), 403);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The input was refused: malformed, over a limit, badly signed, for
    /// someone else, expired, replayed, or an error from the IdP. Sending the
    /// same message again fails the same way.
    Refused,
    /// Our infrastructure failed for now (a store or cache full or
    /// unreachable, a writer that failed); the input was not judged and
    /// nothing was accepted. The same request may succeed later.
    Transient,
    /// The service provider's setup cannot work (configuration, IdP metadata
    /// or certificates, signing key, or a value the application passed). No
    /// retry helps until someone changes it.
    Configuration,
}

/// The table of kinds: from one row per kind, the enum with each variant's
/// doc comment, `ALL`, `as_str`, `description` and `class`. A kind cannot be
/// forgotten in one of them.
///
/// A row: the doc comment, then
/// `Variant = "snake_case_name", Class,` and `"description";`.
macro_rules! error_kinds {
    ($(
        $(#[$attr:meta])*
        $variant:ident = $name:literal, $class:ident,
            $description:literal;
    )*) => {
        /// What went wrong, as a stable, matchable kind.
        ///
        /// New kinds may be added in minor releases (`#[non_exhaustive]`); existing
        /// names never change.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $(
                $(#[$attr])*
                ///
                #[doc = concat!(
                    "Name `", $name, "`, class [`", stringify!($class),
                    "`](ErrorClass::", stringify!($class), ")."
                )]
                $variant,
            )*
        }

        impl ErrorKind {
            /// Every kind, for tables and tests.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stable snake_case name of this kind, e.g. `"xml_doctype_forbidden"`.
            ///
            /// ```
            /// assert_eq!(saml_sp::ErrorKind::XmlDuplicateId.as_str(), "xml_duplicate_id");
            /// ```
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// A short description, safe to show to an end user.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $description,)*
                }
            }

            /// What this failure asks of the caller: see [`ErrorClass`] for
            /// the rule each kind is classed by.
            ///
            /// ```
            /// use saml_sp::{ErrorClass, ErrorKind};
            ///
            /// assert_eq!(ErrorKind::RequestStoreUnavailable.class(), ErrorClass::Transient);
            /// assert_eq!(ErrorKind::MetadataExpired.class(), ErrorClass::Configuration);
            /// assert_eq!(ErrorKind::DestinationMismatch.class(), ErrorClass::Refused);
            /// ```
            pub const fn class(self) -> ErrorClass {
                match self {
                    $(Self::$variant => ErrorClass::$class,)*
                }
            }
        }

        #[cfg(test)]
        /// How many rows the table has (tests check `ALL` against it).
        const ROWS: usize = [$($name),*].len();
    };
}

error_kinds! {
    // ---- limits ----
    /// The input is larger than [`Limits::max_input_bytes`](crate::limits::Limits).
    InputTooLarge = "input_too_large", Refused,
        "the input is too large";
    /// Elements are nested deeper than [`Limits::max_depth`](crate::limits::Limits).
    XmlTooDeep = "xml_too_deep", Refused,
        "the XML document is nested too deeply";
    /// The document has more elements than [`Limits::max_elements`](crate::limits::Limits).
    XmlTooManyElements = "xml_too_many_elements", Refused,
        "the XML document has too many elements";
    /// An element has more attributes (namespace declarations included) than
    /// [`Limits::max_attributes_per_element`](crate::limits::Limits).
    XmlTooManyAttributes = "xml_too_many_attributes", Refused,
        "an XML element has too many attributes";
    /// A text node, attribute value, comment or processing instruction is
    /// longer than [`Limits::max_text_bytes`](crate::limits::Limits).
    XmlTextTooLong = "xml_text_too_long", Refused,
        "an XML text or attribute value is too long";
    /// More namespace declarations are in scope at an element than
    /// [`Limits::max_namespaces_in_scope`](crate::limits::Limits).
    XmlTooManyNamespaces = "xml_too_many_namespaces", Refused,
        "the XML document declares too many namespaces";
    // ---- xml ----
    /// The input is not valid UTF-8.
    XmlNotUtf8 = "xml_not_utf8", Refused,
        "the XML document is not valid UTF-8";
    /// The XML declaration names an encoding other than UTF-8.
    XmlUnsupportedEncoding = "xml_unsupported_encoding", Refused,
        "the XML document declares an unsupported encoding";
    /// The XML declaration names a version other than 1.0.
    XmlUnsupportedVersion = "xml_unsupported_version", Refused,
        "the XML document declares an unsupported XML version";
    /// The document contains a document type declaration (`<!DOCTYPE`).
    XmlDoctypeForbidden = "xml_doctype_forbidden", Refused,
        "XML document type declarations are not allowed";
    /// An entity reference other than the five predefined ones.
    XmlEntityForbidden = "xml_entity_forbidden", Refused,
        "XML entity references are not allowed";
    /// A character reference to a code point XML does not allow.
    XmlInvalidCharRef = "xml_invalid_char_ref", Refused,
        "the XML document contains an invalid character reference";
    /// A character XML 1.0 does not allow appears literally.
    XmlInvalidChar = "xml_invalid_char", Refused,
        "the XML document contains a character XML does not allow";
    /// A namespace prefix is used without being declared.
    XmlUnboundPrefix = "xml_unbound_prefix", Refused,
        "the XML document uses an undeclared namespace prefix";
    /// A namespace declaration is not allowed (binding `xml` or `xmlns`
    /// wrongly, or an empty namespace name for a prefix).
    XmlInvalidNamespace = "xml_invalid_namespace", Refused,
        "the XML document contains an invalid namespace declaration";
    /// Two attributes of one element have the same expanded name.
    XmlDuplicateAttribute = "xml_duplicate_attribute", Refused,
        "an XML element has a duplicate attribute";
    /// Two elements carry the same ID value (`ID`, `Id` or `xml:id`).
    XmlDuplicateId = "xml_duplicate_id", Refused,
        "two XML elements have the same ID";
    /// An element or attribute name, or a prefix, is not a valid name.
    XmlInvalidName = "xml_invalid_name", Refused,
        "the XML document contains an invalid name";
    /// Any other violation of XML 1.0 well-formedness.
    XmlMalformed = "xml_malformed", Refused,
        "the XML document is malformed";
    /// No element carries the requested ID.
    XmlIdNotFound = "xml_id_not_found", Refused,
        "no XML element has the requested ID";
    /// An `InclusiveNamespaces PrefixList` has more than
    /// [`InclusivePrefixes::MAX_TOKENS`](crate::c14n::InclusivePrefixes::MAX_TOKENS)
    /// tokens.
    PrefixListTooLong = "prefix_list_too_long", Refused,
        "the list of inclusive namespace prefixes is too long";
    /// Writing canonical output failed (an I/O error of the caller's writer).
    Io = "io", Transient,
        "writing the output failed";
    // ---- certificates ----
    /// A certificate is not valid PEM, DER or base64 DER X.509, or its
    /// public key cannot be read.
    CertificateInvalid = "certificate_invalid", Configuration,
        "the certificate cannot be read";
    /// The certificate's key is not RSA (EC and others are recorded for
    /// later support).
    UnsupportedKeyType = "unsupported_key_type", Configuration,
        "the certificate's key type is not supported";
    /// The certificate's RSA key is shorter than 2048 bits.
    KeyTooSmall = "key_too_small", Configuration,
        "the certificate's key is too small";
    /// The certificate's validity ended before `now`.
    CertificateExpired = "certificate_expired", Configuration,
        "the certificate has expired";
    /// More than [`IdpCertSet::MAX`](crate::certs::IdpCertSet::MAX) certificates.
    TooManyCertificates = "too_many_certificates", Configuration,
        "too many certificates for one identity provider";
    /// The same certificate (by SHA-256 fingerprint) was given twice.
    DuplicateCertificate = "duplicate_certificate", Configuration,
        "the certificate is already in the set";
    /// No certificate of the set has the given fingerprint.
    CertificateNotFound = "certificate_not_found", Configuration,
        "the certificate is not in the set";
    /// No certificate of the set is valid at `now`: verification fails closed.
    NoUsableCertificate = "no_usable_certificate", Configuration,
        "no identity provider certificate is valid now";
    // ---- signatures ----
    /// The element has no enveloped `Signature` child.
    SignatureMissing = "signature_missing", Refused,
        "the element is not signed";
    /// More than one `Signature` child, `SignedInfo`, `SignatureValue`,
    /// `Reference` or algorithm element where exactly one is allowed.
    SignatureAmbiguous = "signature_ambiguous", Refused,
        "the signature is ambiguous";
    /// The `Signature` element does not have the structure XML-DSig
    /// requires (a missing or unknown element, bad base64).
    SignatureMalformed = "signature_malformed", Refused,
        "the signature is malformed";
    /// The `Reference` URI is not `#` followed by the signed element's `ID`
    /// (empty, another element, an XPointer, or the element has no `ID`).
    ReferenceUriMismatch = "reference_uri_mismatch", Refused,
        "the signature does not refer to the signed element";
    /// A `Transform` outside the allow-list (enveloped-signature and one
    /// canonicalization), or the enveloped-signature transform is missing.
    UnsupportedTransform = "unsupported_transform", Refused,
        "the signature uses a transform that is not allowed";
    /// A canonicalization, signature or digest algorithm outside the
    /// allow-list (SHA-1 is allowed only with the `allow_sha1` option).
    UnsupportedAlgorithm = "unsupported_algorithm", Refused,
        "the signature uses an algorithm that is not allowed";
    /// The digest of the signed element does not match `DigestValue`.
    DigestMismatch = "digest_mismatch", Refused,
        "the signed content was changed";
    /// `SignatureValue` does not verify under any usable certificate.
    SignatureInvalid = "signature_invalid", Refused,
        "the signature does not verify";
    /// The canonical form of a signed element is several times longer than
    /// the element as written (exclusive canonicalization repeating a long
    /// namespace declaration on many elements): refused before hashing it.
    CanonicalFormTooLarge = "canonical_form_too_large", Refused,
        "the signed content is not acceptable";
    // ---- configuration ----
    /// A configuration value (entity ID, URL, request ID, option) is not
    /// acceptable.
    ConfigInvalid = "config_invalid", Configuration,
        "the SSO configuration is invalid";
    /// A team slug is not 1 to 63 of `a-z`, `0-9` and `-`, or starts or ends
    /// with `-`.
    TeamSlugInvalid = "team_slug_invalid", Configuration,
        "the team name is not valid";
    /// A base URL or path template for the team's SAML URLs is not
    /// acceptable (a path template must contain `{team}` exactly once).
    UrlTemplateInvalid = "url_template_invalid", Configuration,
        "the SSO URL settings are not valid";
    /// A role name is not `admin`, `collaborator`, `member` or a valid custom
    /// role name.
    RoleInvalid = "role_invalid", Configuration,
        "the role name is not valid";
    /// An allowed email domain is not a valid DNS name.
    EmailDomainInvalid = "email_domain_invalid", Configuration,
        "the email domain is not valid";
    // ---- metadata ----
    /// The document is not an `EntityDescriptor` / `EntitiesDescriptor`, or
    /// a required part is missing or malformed.
    MetadataInvalid = "metadata_invalid", Configuration,
        "the metadata document is not valid SAML 2.0 metadata";
    /// No entity with the requested `entityID`.
    MetadataEntityNotFound = "metadata_entity_not_found", Configuration,
        "the metadata does not describe the requested entity";
    /// Several IdPs and none chosen by entity ID.
    MetadataAmbiguous = "metadata_ambiguous", Configuration,
        "the metadata describes several identity providers";
    /// No `IDPSSODescriptor` supporting the SAML 2.0 protocol.
    MetadataNoIdp = "metadata_no_idp", Configuration,
        "the metadata describes no SAML 2.0 identity provider";
    /// `validUntil` is before `now`.
    MetadataExpired = "metadata_expired", Configuration,
        "the metadata has expired";
    // ---- responses ----
    /// The form value is neither base64 nor raw XML.
    InputNotBase64 = "input_not_base64", Refused,
        "the SAML message is not valid base64";
    /// The document is not a SAML 2.0 `Response`, or a required element or
    /// attribute is missing or malformed.
    ResponseMalformed = "response_malformed", Refused,
        "the SAML response is malformed";
    /// `Version` is not `2.0`.
    VersionUnsupported = "version_unsupported", Refused,
        "the SAML version is not supported";
    /// The `StatusCode` is not Success; the detail carries the codes and
    /// `StatusMessage`.
    StatusNotSuccess = "status_not_success", Refused,
        "the identity provider reported an error";
    /// `Destination` is not our ACS URL (or is missing on a signed Response).
    DestinationMismatch = "destination_mismatch", Refused,
        "the response was sent to another destination";
    /// An `Issuer` is not the configured IdP entity ID.
    IssuerMismatch = "issuer_mismatch", Refused,
        "the response comes from another identity provider";
    /// `InResponseTo` names no request we are waiting for, or the Response
    /// and its SubjectConfirmationData disagree.
    InResponseToMismatch = "in_response_to_mismatch", Refused,
        "the response does not answer a request we sent";
    /// A Response without `InResponseTo` while IdP-initiated login is off.
    UnsolicitedResponse = "unsolicited_response", Refused,
        "unsolicited responses are not accepted";
    /// An IdP-initiated (unsolicited) Response whose Assertion was issued
    /// longer ago than the bound (`team::IDP_INITIATED_MAX_AGE` plus the
    /// clock skew).
    ResponseTooOld = "response_too_old", Refused,
        "the sign-in took too long: start again";
    /// Just-in-time provisioning refused the person (a
    /// `provisioning::Refusal` as an error; the detail starts with its
    /// reason's name).
    ProvisioningRefused = "provisioning_refused", Refused,
        "your account cannot sign in with this identity provider";
    /// No `Assertion`.
    AssertionMissing = "assertion_missing", Refused,
        "the response contains no assertion";
    /// More than one `Assertion`, or plaintext and encrypted ones together.
    AssertionAmbiguous = "assertion_ambiguous", Refused,
        "the response contains more than one assertion";
    /// The Response carries an `EncryptedAssertion` and the SP has no
    /// decryption key (none given to the verifier).
    EncryptedAssertionUnsupported = "encrypted_assertion_unsupported", Refused,
        "encrypted assertions are not accepted by this service";
    /// The Assertion is not covered by a valid signature (its own or the
    /// enclosing Response's).
    AssertionNotSigned = "assertion_not_signed", Refused,
        "the assertion is not signed";
    /// The policy requires a signed Response and it is not.
    ResponseNotSigned = "response_not_signed", Refused,
        "the response is not signed";
    /// No `Subject`, no `NameID` (nor an `EncryptedID` the verifier can
    /// decrypt), or both.
    SubjectInvalid = "subject_invalid", Refused,
        "the assertion's subject is missing or unsupported";
    /// No bearer `SubjectConfirmation` whose data is valid for us.
    SubjectConfirmationInvalid = "subject_confirmation_invalid", Refused,
        "the assertion's subject confirmation is not valid";
    /// `Recipient` is not our ACS URL.
    RecipientMismatch = "recipient_mismatch", Refused,
        "the assertion was issued for another recipient";
    /// A `NotOnOrAfter` is not after `now` (with the allowed clock skew).
    AssertionExpired = "assertion_expired", Refused,
        "the assertion has expired";
    /// `NotBefore` is after `now` (with the allowed clock skew).
    AssertionNotYetValid = "assertion_not_yet_valid", Refused,
        "the assertion is not valid yet";
    /// An `AudienceRestriction` does not name our entity ID, or there is none.
    AudienceMismatch = "audience_mismatch", Refused,
        "the assertion was issued for another service";
    /// No `AuthnStatement`.
    AuthnStatementMissing = "authn_statement_missing", Refused,
        "the assertion does not state an authentication";
    /// `Conditions` holds a condition this crate does not understand (SAML
    /// core 2.5.1: the assertion is then Indeterminate and must not be used).
    ConditionUnsupported = "condition_unsupported", Refused,
        "the assertion carries a condition that is not supported";
    /// The request-tracking store could not remember or hand back the
    /// AuthnRequest IDs a browser started (full or unreachable): fail closed.
    RequestStoreUnavailable = "request_store_unavailable", Transient,
        "the sign-in could not be completed";
    /// The assertion ID was seen before (one-time use).
    AssertionReplayed = "assertion_replayed", Refused,
        "the assertion was already used";
    /// The replay cache could not record the assertion (full or unreachable):
    /// fail closed.
    ReplayCacheUnavailable = "replay_cache_unavailable", Transient,
        "the sign-in could not be completed";
    // ---- requests and the HTTP-Redirect binding ----
    /// `RelayState` is longer than the 80 bytes the SAML bindings
    /// specification allows (sections 3.4.3 and 3.5.3).
    RelayStateTooLong = "relay_state_too_long", Refused,
        "the relay state is too long";
    /// The IdP lists no endpoint for the chosen binding.
    EndpointMissing = "endpoint_missing", Configuration,
        "the identity provider has no endpoint for this binding";
    /// The SP's private key is not an unencrypted RSA key in PKCS#8 or
    /// PKCS#1 PEM, or does not match its certificate.
    PrivateKeyInvalid = "private_key_invalid", Configuration,
        "the service provider's signing key is not usable";
    /// An HTTP-Redirect query string is malformed: bad percent-encoding, a
    /// missing, repeated or conflicting SAML parameter, or a `Signature`
    /// without `SigAlg`.
    QueryMalformed = "query_malformed", Refused,
        "the SAML query string is malformed";
    /// The HTTP-Redirect message is not raw DEFLATE data (corrupt,
    /// truncated, followed by extra bytes, or zlib-wrapped).
    InputNotDeflate = "input_not_deflate", Refused,
        "the SAML message is not valid DEFLATE data";
    /// Inflating an HTTP-Redirect message would exceed
    /// [`Limits::max_inflated_bytes`](crate::limits::Limits).
    InflatedTooLarge = "inflated_too_large", Refused,
        "the SAML message is too large once decompressed";
    /// The document is not a SAML 2.0 `AuthnRequest`, or a required element
    /// or attribute is missing or malformed.
    RequestMalformed = "request_malformed", Refused,
        "the SAML request is malformed";
    // ---- encrypted assertions (XML Encryption) ----
    /// Any failure from unwrapping the session key to the decrypted
    /// element: no key of ours unwraps it, tampered or truncated ciphertext,
    /// bad CBC padding or GCM tag, decrypted bytes that are not exactly one
    /// well-formed element of the expected kind (DOCTYPE, depth and every
    /// other XML limit included), the decrypted Assertion's own signature
    /// failing, and a LogoutRequest's decrypted NameID that is empty.
    /// One kind and one text on purpose: the SP must be no padding or
    /// format oracle.
    DecryptionFailed = "decryption_failed", Refused,
        "the encrypted content could not be decrypted";
    /// The session key is wrapped with `rsa-1_5` (RSAES-PKCS1-v1_5, open to
    /// Bleichenbacher's attack): refused whatever the key.
    KeyTransportRefused = "key_transport_refused", Refused,
        "the identity provider encrypts with a key transport that is not allowed";
    /// An `EncryptionMethod` outside the allow-list (data: AES-CBC, AES-GCM,
    /// tripledes-cbc by opt-in; key transport: RSA-OAEP).
    EncryptionAlgorithmUnsupported = "encryption_algorithm_unsupported", Refused,
        "the identity provider encrypts with an algorithm that is not supported";
    /// The data is encrypted with `tripledes-cbc` and the team has not
    /// allowed it.
    TripledesNotAllowed = "tripledes_not_allowed", Refused,
        "the identity provider encrypts with triple DES, which is not allowed";
    /// The `EncryptedData` is structurally unusable: no or several
    /// `EncryptedData`, no `CipherValue` (a `CipherReference` is never
    /// fetched), bad base64, no `EncryptedKey` to be found.
    EncryptedDataMalformed = "encrypted_data_malformed", Refused,
        "the encrypted content is malformed";
    /// The team requires encrypted assertions and the Assertion came in the
    /// clear (an `EncryptedID` alone does not count).
    AssertionNotEncrypted = "assertion_not_encrypted", Refused,
        "the assertion must be encrypted";
    /// The SP's decryption key is not an unencrypted RSA key in PKCS#8 or
    /// PKCS#1 PEM, does not match its certificate, or more keys were given
    /// than an SP holds (current and next).
    DecryptionKeyInvalid = "decryption_key_invalid", Configuration,
        "the service provider's decryption key is not usable";
    // ---- single logout ----
    /// The document is not a SAML 2.0 `LogoutRequest` (root, `Version`,
    /// `ID`, `IssueInstant`), or its subject is not exactly one `NameID` or
    /// `EncryptedID`, a direct child of the root, in the whole document.
    LogoutRequestMalformed = "logout_request_malformed", Refused,
        "the logout request is malformed";
    /// A `LogoutRequest`'s `NotOnOrAfter` is past, it was issued longer
    /// ago than the logout message age bound, or its `IssueInstant` is in
    /// the future (all with the clock skew).
    LogoutRequestExpired = "logout_request_expired", Refused,
        "the logout request has expired";
    /// The document is not a SAML 2.0 `LogoutResponse` (root, `Version`,
    /// `ID`, `IssueInstant`, `Status`).
    LogoutResponseMalformed = "logout_response_malformed", Refused,
        "the logout response is malformed";
    /// The `LogoutRequest` ID was seen before (one-time use).
    LogoutRequestReplayed = "logout_request_replayed", Refused,
        "the logout request was already used";
    /// The session registry could not record, look up or remove sessions
    /// (full or unreachable): fail closed.
    SessionRegistryUnavailable = "session_registry_unavailable", Transient,
        "the session could not be recorded or ended";
    /// A `LogoutRequest` names the person with an `EncryptedID` and the SP
    /// has no decryption key (none given to the verifier): the message may
    /// be valid, but the SP cannot read whom it signs out. The fix is the
    /// SP's decryption keys, or an IdP that does not encrypt NameIDs.
    EncryptedIdUnsupported = "encrypted_id_unsupported", Refused,
        "encrypted name identifiers are not accepted by this service";
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

    /// This error with `hint` appended to its detail as `; hint: ...`: the
    /// setting an operator should change (see
    /// [`manual::idp_settings`](crate::manual::idp_settings)). The kind and
    /// the user text stay as they are.
    pub(crate) fn with_hint(mut self, hint: Option<String>) -> Self {
        if let Some(hint) = hint {
            self.detail = format!("{}; hint: {hint}", self.detail).into_boxed_str();
        }
        self
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
        ("response_too_old", "the sign-in took too long: start again"),
        ("provisioning_refused", "your account cannot sign in with this identity provider"),
        ("assertion_missing", "the response contains no assertion"),
        ("assertion_ambiguous", "the response contains more than one assertion"),
        ("encrypted_assertion_unsupported", "encrypted assertions are not accepted by this service"),
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
        ("decryption_failed", "the encrypted content could not be decrypted"),
        ("key_transport_refused", "the identity provider encrypts with a key transport that is not allowed"),
        ("encryption_algorithm_unsupported", "the identity provider encrypts with an algorithm that is not supported"),
        ("tripledes_not_allowed", "the identity provider encrypts with triple DES, which is not allowed"),
        ("encrypted_data_malformed", "the encrypted content is malformed"),
        ("assertion_not_encrypted", "the assertion must be encrypted"),
        ("decryption_key_invalid", "the service provider's decryption key is not usable"),
        ("logout_request_malformed", "the logout request is malformed"),
        ("logout_request_expired", "the logout request has expired"),
        ("logout_response_malformed", "the logout response is malformed"),
        ("logout_request_replayed", "the logout request was already used"),
        ("session_registry_unavailable", "the session could not be recorded or ended"),
        ("encrypted_id_unsupported", "encrypted name identifiers are not accepted by this service"),
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
    fn all_has_one_entry_per_row() {
        assert_eq!(ErrorKind::ALL.len(), ROWS);
        let distinct: std::collections::HashSet<_> = ErrorKind::ALL.iter().collect();
        assert_eq!(distinct.len(), ROWS);
    }

    /// The kinds that are not plain refusals. Classing a kind anew is a
    /// decision about what apps do with it (retry, page an operator): it
    /// changes this list on purpose.
    const NOT_REFUSED: &[(ErrorKind, ErrorClass)] = &[
        (ErrorKind::Io, ErrorClass::Transient),
        (ErrorKind::RequestStoreUnavailable, ErrorClass::Transient),
        (ErrorKind::ReplayCacheUnavailable, ErrorClass::Transient),
        (ErrorKind::SessionRegistryUnavailable, ErrorClass::Transient),
        (ErrorKind::CertificateInvalid, ErrorClass::Configuration),
        (ErrorKind::UnsupportedKeyType, ErrorClass::Configuration),
        (ErrorKind::KeyTooSmall, ErrorClass::Configuration),
        (ErrorKind::CertificateExpired, ErrorClass::Configuration),
        (ErrorKind::TooManyCertificates, ErrorClass::Configuration),
        (ErrorKind::DuplicateCertificate, ErrorClass::Configuration),
        (ErrorKind::CertificateNotFound, ErrorClass::Configuration),
        (ErrorKind::NoUsableCertificate, ErrorClass::Configuration),
        (ErrorKind::ConfigInvalid, ErrorClass::Configuration),
        (ErrorKind::TeamSlugInvalid, ErrorClass::Configuration),
        (ErrorKind::UrlTemplateInvalid, ErrorClass::Configuration),
        (ErrorKind::RoleInvalid, ErrorClass::Configuration),
        (ErrorKind::EmailDomainInvalid, ErrorClass::Configuration),
        (ErrorKind::MetadataInvalid, ErrorClass::Configuration),
        (ErrorKind::MetadataEntityNotFound, ErrorClass::Configuration),
        (ErrorKind::MetadataAmbiguous, ErrorClass::Configuration),
        (ErrorKind::MetadataNoIdp, ErrorClass::Configuration),
        (ErrorKind::MetadataExpired, ErrorClass::Configuration),
        (ErrorKind::EndpointMissing, ErrorClass::Configuration),
        (ErrorKind::PrivateKeyInvalid, ErrorClass::Configuration),
        (ErrorKind::DecryptionKeyInvalid, ErrorClass::Configuration),
    ];

    #[test]
    fn every_kind_has_its_class() {
        for kind in ErrorKind::ALL {
            let expected = NOT_REFUSED
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(ErrorClass::Refused, |&(_, class)| class);
            assert_eq!(kind.class(), expected, "{}", kind.as_str());
        }
        // Everything a message decides is refused, never "try again".
        for kind in [
            ErrorKind::AssertionReplayed,
            ErrorKind::SignatureInvalid,
            ErrorKind::DigestMismatch,
            ErrorKind::StatusNotSuccess,
            ErrorKind::DestinationMismatch,
            ErrorKind::EncryptedAssertionUnsupported,
            ErrorKind::EncryptedIdUnsupported,
            ErrorKind::XmlDoctypeForbidden,
            ErrorKind::InputTooLarge,
        ] {
            assert_eq!(kind.class(), ErrorClass::Refused, "{}", kind.as_str());
        }
    }

    #[test]
    fn a_hint_goes_to_the_detail_only() {
        let err = Error::new(ErrorKind::ResponseNotSigned, "the Response is not signed")
            .with_hint(Some("sign it".to_owned()));
        assert_eq!(err.kind(), ErrorKind::ResponseNotSigned);
        assert_eq!(err.to_string(), "the response is not signed");
        assert_eq!(err.detail(), "the Response is not signed; hint: sign it");
        let plain = Error::new(ErrorKind::ResponseNotSigned, "x").with_hint(None);
        assert_eq!(plain.detail(), "x");
    }

    #[test]
    fn display_hides_detail() {
        let err = Error::at(ErrorKind::XmlMalformed, 7, "<script>");
        assert_eq!(err.to_string(), "the XML document is malformed");
        assert_eq!(err.detail(), "at byte 7: <script>");
        assert!(format!("{err:?}").contains("xml_malformed"));
    }
}
