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
// Floor 7: metadata; 8: messages; 9: per-team flow.
pub mod logout;
pub mod metadata;
pub mod provisioning;
pub mod request;
pub mod response;
pub mod team;
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
