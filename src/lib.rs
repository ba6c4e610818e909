#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod binding;
mod c14n;
mod certs;
mod dsig;
mod error;
mod ids;
mod limits;
mod metadata;
pub mod ns;
mod request;
mod response;
pub mod security;
mod time;
mod xml;

pub use binding::{MAX_RELAY_STATE_BYTES, MessageKind, RedirectMessage};
pub use c14n::{C14nMethod, InclusivePrefixes, canonicalize_document, canonicalize_element};
pub use certs::{
    CertFingerprint, CertificatePolicy, ExpiryNotice, IdpCertSet, MIN_RSA_BITS, NoticeThreshold,
    SigningCertificate,
};
pub use dsig::{
    DigestAlgorithm, SignatureAlgorithm, SignaturePolicy, VerifiedElement, has_enveloped_signature,
    verify_enveloped,
};
pub use error::{Error, ErrorKind, Result};
pub use ids::{EndpointUrl, EntityId, RequestId};
pub use limits::Limits;
pub use metadata::{
    Binding, DropReason, DroppedCertificate, Endpoints, IdpMetadata, IdpMetadataReader,
    MetadataCertSet, NameIdFormat, SpMetadata,
};
pub use rand_core::{CryptoRngCore, OsRng};
pub use request::{
    AuthnContextComparison, AuthnRequestBuilder, DecodedAuthnRequest, NameIdPolicy, PostForm,
    RedirectRequest, RequestedAuthnContext, SpSigningKey,
};
pub use response::{
    AsyncReplayCache, AzureClaims, DEFAULT_CLOCK_SKEW, FreshAssertion, MAX_CLOCK_SKEW,
    MemoryReplayCache, NameId, ReplayCache, ReplayKey, RequiredSignature, ResponseVerifier,
    SamlAttribute, SignedParts, VerifiedAssertion, azure_claims,
};
pub use time::{Clock, DateTime, FixedClock, SystemClock, Utc};
pub use xml::{Attribute, Children, Document, Element, Node};
