//! # Architecture: the floors
//!
//! The folder tree is the data flow. Each module sits on a floor and uses
//! only modules on lower floors (or, on its own floor, modules it does not
//! form a cycle with), each by its own path (`crate::certs::IdpCertSet`,
//! never a re-export at the crate root). Nothing low knows anything high: a
//! codec does not know keys (signing is handed to it), a key does not know
//! XML signatures, a signature does not know SAML.
//!
//! `tests/architecture.rs` reads the table below and every `crate::` path
//! in `src/`, and fails on an arrow that points up, a cycle, a module
//! missing from the table, or an import through the crate root.
//!
//! | floor | module | holds |
//! |---|---|---|
//! | 0 | `bytes` | byte searches a word at a time (the hot loops of parsing and canonicalization) |
//! | 0 | `error` | [`Error`](crate::error::Error), [`ErrorKind`](crate::error::ErrorKind) and its [`ErrorClass`](crate::error::ErrorClass) |
//! | 0 | `limits` | [`Limits`](crate::limits::Limits): the budgets for untrusted input |
//! | 0 | `rng` | [`Csprng`](crate::rng::Csprng), [`OsRng`](crate::rng::OsRng): randomness comes from the caller |
//! | 0 | `time` | [`Clock`](crate::time::Clock): time comes from the caller |
//! | 0 | `ids` | [`EntityId`](crate::ids::EntityId), [`EndpointUrl`](crate::ids::EndpointUrl), [`RequestId`](crate::ids::RequestId); the one hex helper and the one hashed-key derivation |
//! | 0 | `ns` | namespace names |
//! | 0 | `vocabulary` | algorithms, [`SignaturePolicy`](crate::vocabulary::SignaturePolicy) (the one place an algorithm URI is accepted), bindings, NameID formats, message kinds |
//! | 1 | `binding` | HTTP-POST and HTTP-Redirect codecs (base64, percent-encoding, capped DEFLATE); signing injected |
//! | 1 | `store` | every storage trait and key, bounded in-memory stores (replay cache, request tracker, session registry), Redis behind a feature |
//! | 2 | `xml` | bytes -> namespace-resolved tree (two parse paths, one tree); the XML writer |
//! | 3 | `c14n` | tree -> canonical bytes |
//! | 4 | `crypto` | digests, our RSA verify (isolated), the AWS-LC keys, the RSA private-key operations (signing, OAEP unwrap), the data ciphers (AES-CBC/GCM, 3DES), constant-time comparison |
//! | 5 | `certs` | all key material: IdP [`SigningCertificate`](crate::certs::SigningCertificate) / [`IdpCertSet`](crate::certs::IdpCertSet), the SP's [`SpSigningKey`](crate::certs::SpSigningKey) and [`SpDecryptionKeys`](crate::certs::SpDecryptionKeys); the one PEM reader |
//! | 6 | `dsig` | enveloped XML signatures, verified and made; HTTP-Redirect query signatures |
//! | 6 | `xmlenc` | XML Encryption read: EncryptedData / EncryptedKey / KeyInfo, the algorithm allow-list, decryption into a tree |
//! | 7 | `metadata` | IdP metadata in, SP metadata out |
//! | 8 | `request` | AuthnRequests out, decoded back |
//! | 8 | `response` | SAML Responses in -> [`VerifiedAssertion`](crate::response::VerifiedAssertion) -> [`FreshAssertion`](crate::response::FreshAssertion) |
//! | 8 | `logout` | Single Logout: LogoutRequests and LogoutResponses out, the IdP's in -> [`FreshLogoutRequest`](crate::logout::FreshLogoutRequest) (uses `request`'s outputs and `response`'s `NameId`) |
//! | 9 | `team` | per-team configuration, certificate rotation and notices |
//! | 9 | `provisioning` | just-in-time provisioning decisions |
//! | 10 | `fuzzing` | hooks for the differential fuzz targets (feature `fuzzing` only): our RSA verify, AWS-LC's, both XML parse paths |
//!
//! `manual` (documentation) and `building_blocks` (re-exports for tooling)
//! hold no code of their own.
//!
//! `fuzzing` is a floor of its own, above everything: it reaches down to
//! internals on several floors (`crypto`, `xml`) to set our hot paths side
//! by side with what they replace, and nothing may use it. It is compiled
//! only with the `fuzzing` feature, which the fuzz crate alone enables.
//!
//! ## Why
//!
//! A cycle makes every change anywhere in it a change everywhere in it:
//! logout, encrypted assertions and key rollover each need keys, signing,
//! bindings and stores, and would otherwise grow the tangle. With the
//! floors, key material is in one place (`certs`), primitives in another
//! (`crypto`), and the code that an attacker's bytes reach first
//! (`binding`, `xml`, `c14n`) depends on nothing that holds secrets.
