#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// docs.rs (and the docs check in .ci/run) build with `--cfg docsrs` on
// nightly: every feature-gated item then says which feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

// The floors, lowest first: a module uses only modules on lower floors, each
// by its own path. `manual::architecture` has the table and the reasons;
// `tests/architecture.rs` fails on any `use crate::` that points up or
// sideways.

// Floor 0: words and values.
mod bytes;
mod error;
mod ids;
mod limits;
pub mod ns;
mod rng;
pub mod time;
pub mod vocabulary;
// Floor 1: codecs and storage.
pub mod binding;
pub mod store;
// Floor 2: the XML tree; 3: canonicalization; 4: primitives.
mod c14n;
mod crypto;
mod xml;
// Floor 5: key material; 6: signatures.
pub mod certs;
mod dsig;
mod xmlenc;
// Floor 7: metadata; 8: messages; 9: per-team flow.
pub mod logout;
pub mod metadata;
pub mod provisioning;
pub mod request;
pub mod response;
pub mod team;
// Floor 10: hooks for the differential fuzz targets (feature `fuzzing`,
// never for applications).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzzing;
// Documentation only.
pub mod manual;

pub mod building_blocks {
    //! The XML tree, canonicalization and XML-DSig building blocks, for
    //! tooling: the `saml_check` conformance CLI, fuzzing, tests of other
    //! implementations. Applications do not need them: the flow at the
    //! crate root ([`TeamConfig`](crate::TeamConfig),
    //! [`ResponseVerifier`](crate::ResponseVerifier)) parses, verifies and
    //! reads for them, and a [`VerifiedElement`] on its own proves only
    //! that one element was signed, not that a SAML message is acceptable.
    //!
    //! One enveloped signature checked on its own (what `saml_check dsig`
    //! does): a [`VerifiedElement`] names the element its signature covers,
    //! in the tree it was checked on.
    //!
    //! ```
    //! use saml_sp::building_blocks::{Document, verify_enveloped};
    //! use saml_sp::time::{Clock, FixedClock};
    //! use saml_sp::vocabulary::SignaturePolicy;
    //! use saml_sp::{IdpCertSet, Limits, SigningCertificate, ns};
    //! let now = FixedClock::parse("2026-03-02T10:01:00Z")?.now();
    //! let pem = std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap();
    //! let certs = IdpCertSet::new([SigningCertificate::from_pem(&pem)?], now)?;
    //! let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
    //! let doc = Document::parse(&xml, &Limits::default())?;
    //! let assertion = doc.root().child_elements()
    //!     .find(|e| e.is(ns::SAML_ASSERTION, "Assertion")).unwrap();
    //! let verified = verify_enveloped(assertion, &certs, now, &SignaturePolicy::default())?;
    //! assert_eq!(verified.signature_algorithm().as_str(), "rsa-sha256");
    //! # Ok::<(), saml_sp::Error>(())
    //! ```
    //!
    //! Canonicalization:
    //!
    //! ```
    //! use saml_sp::building_blocks::{Document, canonicalize_element, InclusivePrefixes};
    //! use saml_sp::vocabulary::C14nMethod;
    //! use saml_sp::Limits;
    //! let doc = Document::parse(br#"<r xmlns:p="urn:p"><p:a ID="x"/></r>"#, &Limits::default())?;
    //! let a = doc.element_by_id("x").unwrap();
    //! let mut out = Vec::new();
    //! canonicalize_element(a, None, C14nMethod::Exclusive, &InclusivePrefixes::none(), &mut out)?;
    //! assert_eq!(out, br#"<p:a xmlns:p="urn:p" ID="x"></p:a>"#);
    //! # Ok::<(), saml_sp::Error>(())
    //! ```

    pub use crate::c14n::{InclusivePrefixes, canonicalize_document, canonicalize_element};
    pub use crate::dsig::{
        MAX_SIGNED_INFO_BYTES, VerifiedElement, has_enveloped_signature, verify_enveloped,
        verify_redirect_signature,
    };
    pub use crate::xml::{Attribute, Children, Document, Element, Node};
}

pub mod testing {
    //! For tests of an application: a recorded Response replayed at its own
    //! time needs its own request ID and its own clock. Deterministic on
    //! purpose: never in production code.
    pub use crate::ids::RecordedRequestId;
    pub use crate::time::FixedClock;
}

// The flow: what an application names.
pub use certs::{IdpCertSet, SigningCertificate, SpSigningKey};
pub use error::{Error, ErrorClass, ErrorKind, Result};
pub use ids::{EndpointUrl, EntityId, RequestId};
pub use limits::Limits;
pub use metadata::IdpMetadata;
pub use request::AuthnRequestBuilder;
pub use response::{FreshAssertion, ResponseVerifier, VerifiedAssertion};
pub use rng::{Csprng, OsRng};
pub use team::{IdpSettings, SpUrlLayout, TeamConfig, TeamSlug};
