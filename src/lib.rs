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
mod provisioning;
mod request;
mod response;
mod rng;
pub mod security;
mod store;
mod team;
mod time;
mod xml;

pub use binding::{MAX_RELAY_STATE_BYTES, MessageKind, RedirectMessage};
pub use c14n::{C14nMethod, InclusivePrefixes, canonicalize_document, canonicalize_element};
pub use certs::{
    CertFingerprint, CertificatePolicy, ExpiryNotice, IdpCertSet, MIN_RSA_BITS, NoticeThreshold,
    SigningCertificate,
};
pub use dsig::{
    DigestAlgorithm, MAX_SIGNED_INFO_BYTES, SignatureAlgorithm, SignaturePolicy, VerifiedElement,
    has_enveloped_signature, verify_enveloped,
};
pub use error::{Error, ErrorKind, Result};
pub use ids::{EndpointUrl, EntityId, RequestId};
pub use limits::Limits;
pub use metadata::{
    Binding, DropReason, DroppedCertificate, Endpoints, IdpMetadata, IdpMetadataReader,
    MetadataCertSet, NameIdFormat, SpMetadata,
};
pub use provisioning::{
    EmailAddress, FoundBy, KeyLink, KnownAccount, MFA_CONTEXT_CLASSES, ManagedKind, NAME_ID_EMAIL,
    NAME_ID_PERSISTENT, ProvisioningDecision, Refusal, RefusalReason, SubjectKey, SubjectKeySource,
    asserted_email, asserted_mfa, decide, password_sign_in_allowed, subject_key,
};
pub use request::{
    AuthnContextComparison, AuthnRequestBuilder, DecodedAuthnRequest, NameIdPolicy, PostForm,
    RedirectRequest, RequestedAuthnContext, SpSigningKey,
};
pub use response::{
    AsyncReplayCache, AttributeValues, Attributes, AttributesIter, AzureClaims, DEFAULT_CLOCK_SKEW,
    FreshAssertion, MAX_CLOCK_SKEW, MemoryReplayCache, NameId, ReplayCache, ReplayKey,
    RequiredSignature, ResponseVerifier, SamlAttribute, SignedParts, VerifiedAssertion,
    azure_claims,
};
pub use rng::{Csprng, OsRng};
pub use store::{
    AsyncRequestTracker, DEFAULT_REQUEST_LIFETIME, MAX_PENDING_REQUESTS, MemoryRequestTracker,
    RequestTracker, TrackerKey,
};
#[cfg(feature = "redis")]
pub use store::{RedisReplayCache, RedisRequestTracker, RedisStore};
pub use team::{
    CustomRole, DueNotice, EmailDomain, IdpSettings, NoticeAudience, Role, RotationReport,
    SpEndpoints, SpUrlLayout, TEAM_PLACEHOLDER, TeamConfig, TeamSlug,
};
pub use time::{Clock, DateTime, FixedClock, SystemClock, Utc};
pub use xml::{Attribute, Children, Document, Element, Node};
