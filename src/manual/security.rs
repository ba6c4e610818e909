//! # The security model
//!
//! What an attacker can send us, and which part of the crate stops it. A
//! SAML service provider is attacked with forged or replayed responses: one
//! accepted forgery is a login as anyone. Each row names the mechanism and
//! the tests that prove it; most attacks are made impossible by the shape of
//! the code rather than caught by a special case.
//!
//! ## Principles
//!
//! - **One parse, one tree.** The bytes are parsed once
//!   ([`Document::parse`](crate::building_blocks::Document::parse)); canonicalization, the
//!   digest, the signature check and every SAML value read use the nodes of
//!   that same tree. There is no second parser to disagree with the first
//!   (the root cause of ruby-saml CVE-2024-45409 / CVE-2025-25291/25292 and
//!   of samael's libxml2 + quick-xml split).
//! - **Two parse paths, one tree, one verdict.** Said plainly: the parser
//!   has two readers. A fast scanner reads plain documents in one pass; on
//!   anything it does not handle, or any error, it gives up and the general
//!   reader (quick-xml events) reads the whole input again. Why that is
//!   safe: both feed the same builder, which makes every decision about
//!   names, namespaces, IDs, limits and the tree; the fast scanner never
//!   refuses anything itself (the general reader alone decides what is
//!   refused and with which error), and whatever it accepts it accepts
//!   with exactly the tree the general reader builds. That is tested, not
//!   assumed: a differential test compares the two trees on every fixture,
//!   every real recording and hundreds of thousands of mutations, and the
//!   fuzz target `xml_scan_diff` compares them on fuzzer input. Either
//!   way, one input gives one tree, and everything later reads that tree.
//! - **Only what was signed is read.** [`verify_enveloped`](crate::dsig::verify_enveloped)
//!   returns a [`VerifiedElement`](crate::dsig::VerifiedElement) naming the element
//!   its Reference covers; the response module reads SAML data only through a
//!   private `CoveredAssertion`, built only from the verified Assertion or from
//!   the verified Response that directly contains it.
//! - **Proof types.** [`VerifiedElement`](crate::dsig::VerifiedElement),
//!   [`VerifiedAssertion`](crate::response::VerifiedAssertion) and
//!   [`FreshAssertion`](crate::response::FreshAssertion) have private fields and are
//!   built only by the code that checked.
//! - **Fail closed, no switches.** No option turns a signature, time or
//!   audience check off. The only widening options are named for what they
//!   allow: `allow_sha1`, `allow_unsolicited`, a lower RSA floor (never below
//!   1024 bits), and for Single Logout only, `dangerous_allow_unsigned`
//!   (an IdP that cannot sign its logout messages; a signature that is
//!   present must still verify).
//! - **Time is a value.** Every check takes `now`; nothing reads the clock.
//!
//! ## Attacks and what stops them
//!
//! | attack | stopped by | tests |
//! |---|---|---|
//! | XML Signature Wrapping (XSW1-8, Somorovsky et al. 2012): the signed element moved (into `Extensions`, `Advice`, `StatusDetail`, a `ds:Object`) and a forged one put where the application reads | the Reference must be `#` + the ID of the element that *holds* the Signature (enveloped only); exactly one Assertion in the whole document and it must be a direct child of the Response; data read only from the covered element | `tests/attacks.rs`, `fixtures/attacks/` |
//! | duplicate IDs (the verifier resolves one element, the application reads another) | two elements with the same `ID`, `Id` or `xml:id` refuse the document at parse time (`xml_duplicate_id`) | `tests/xml_parse.rs`, real recording `onelogin/crewjam-2016-xsw-permutation-one.xml` |
//! | several assertions, one verified (crewjam/saml CVE-2022-41912) | more than one `Assertion` anywhere: `assertion_ambiguous` | `tests/attacks.rs` |
//! | comment / CDATA injection truncating the NameID (CVE-2017-11427 family) | text values are the full text content, exactly what canonicalization hashed ([`Element::text`](crate::xml::Element::text)) | `tests/xml_parse.rs`, `tests/attacks.rs` |
//! | signature stripped, or an unsigned assertion next to a signed one | the Assertion must be covered by a valid signature (`assertion_not_signed`); a present but invalid signature is an error, never ignored | `tests/attacks.rs` |
//! | key confusion: the attacker's certificate in `KeyInfo` | `KeyInfo` is never trusted: only the team's [`IdpCertSet`](crate::certs::IdpCertSet) is tried; an embedded certificate only orders the trusted ones | `tests/dsig.rs` (`attacker-keyinfo`) |
//! | algorithm downgrade / confusion (HMAC with the public key as secret, SHA-1 collisions, XPath/XSLT transforms, ECDSA with an RSA key) | allow-lists: exc-c14n / c14n 1.0, enveloped-signature, RSA PKCS#1 v1.5 with SHA-256/384/512; SHA-1 only with `allow_sha1`; exactly one Reference and transform list | `tests/dsig.rs` |
//! | SignedInfo content trusted before it is authenticated | `SignatureValue` is checked first; the `DigestValue` is compared only afterwards | `tests/dsig.rs` (`tampered-digestvalue`) |
//! | weak or foreign keys | RSA below 2048 bits and non-RSA keys refused at load time | `tests/dsig.rs` |
//! | expired or not-yet-valid IdP certificates | only certificates valid at `now` are tried; an empty usable set fails closed | `tests/dsig.rs` |
//! | DOCTYPE, external entities, billion laughs (XXE) | any `<!DOCTYPE` refused; only the five predefined entities | `tests/xml_parse.rs` |
//! | resource exhaustion: huge input, deep nesting, many elements or attributes, DEFLATE bombs | [`Limits`](crate::limits::Limits) enforced while parsing, the input size checked before base64 decoding; no recursion anywhere | `tests/xml_parse.rs`, fuzzing |
//! | CPU exhaustion before the signature check: a PrefixList of 40,000 prefixes, elements nested under `DigestMethod`, thousands of namespace bindings in scope, a long namespace name re-rendered by exclusive c14n on every element, long namespace names compared while sorting, an EncryptedAssertion's `KeyInfo` of thousands of `KeyName`s or `RetrievalMethod`s each matched against thousands of sibling `EncryptedKey`s (seconds to hours, or gigabytes, per request before) | the work is linear in the input with a small constant, and bounded by `Limits` (next section): a scoped namespace map, a PrefixList of at most 32 tokens resolved once, a strict and small `SignedInfo`, a bounded canonical form, namespace names compared by rank | `tests/adversarial.rs`, `tests/xmlenc.rs` (`key_reference_cost`), `benches/adversarial.rs`, `src/c14n/tests.rs` (`linear_work`), fuzz target `response_shapes` |
//! | replay of a captured response | one-time use: [`FreshAssertion`](crate::response::FreshAssertion) only through a [`ReplayCache`](crate::store::ReplayCache) keyed by team, IdP and assertion ID, failing closed when the store is full or down | `tests/response.rs` |
//! | a replay cache filled with entries that never expire (an IdP, a team's own among them, signs assertions valid until 9999; each one-time-use entry lives as long as its assertion) | an assertion is usable for at most [`MAX_ASSERTION_AGE`](crate::response::MAX_ASSERTION_AGE) (1 h) after its IssueInstant, whatever its NotOnOrAfter, and one issued more than that in the future is refused (`assertion_not_yet_valid`): no entry outlives two hours and the skew; a LogoutRequest's entry lives at most 10 min plus twice the skew (one issued in the future is `logout_request_expired`). A tenant's IdP can still fill a shared cache at its request rate within that window: per-team quotas are the app's (or a later issue's) | `fixtures/attacks` (`lifetime-months*`, `issue-instant-far-future`), `tests/response.rs`, `tests/logout.rs` |
//! | a flood of sign-in starts (`/init` needs no key) filling the in-memory request tracker, so that no team can start a sign-in | [`MemoryRequestTracker`](crate::store::MemoryRequestTracker) pushes out the browser that started a sign-in least recently, in O(1) amortised work, instead of refusing: losing an outstanding request can only refuse a Response (`in_response_to_mismatch`), never accept one; disturbing anyone takes `capacity` starts in the time a person spends at the IdP (100,000 in 30 s). The replay cache and the session registry never push live entries out (that would allow a replay or leave a session un-ended): they fail closed, and only verified sign-ins fill them | `src/store/mod.rs` (`flood_of_new_browsers_is_bounded_and_never_refused`) |
//! | a response for another SP or another tenant with the same key (Azure AD shared one key across tenants until 2016) | Audience (every AudienceRestriction), Destination, Recipient and Issuer compared exactly with the team's configuration | `tests/response.rs`, `tests/attacks.rs` |
//! | login CSRF / unsolicited responses | `InResponseTo` must name a request this browser session sent; unsolicited responses refused unless `allow_unsolicited` | `tests/response.rs` |
//! | conditions we do not understand (SAML core 2.5.1) | any condition other than AudienceRestriction, OneTimeUse, ProxyRestriction: `condition_unsupported` | `tests/attacks.rs` |
//! | stale assertions | Conditions and SubjectConfirmationData windows with a bounded skew (default 180 s, at most 600 s) | `tests/response.rs` |
//! | canonicalization differences that let two documents share a digest | canonicalization checked byte for byte against libxml2 on 536 own vectors and 390 real ones; property tests | `tests/c14n.rs`, `tests/c14n_properties.rs` |
//! | account takeover by email across teams (nOAuth): a team's IdP asserts another person's email or object ID | provisioning keys people by Azure `objectidentifier` or persistent NameID hashed with the team and the IdP's entity ID, never by email; an account found by email only is linked after an email confirmation ([`KeyLink::ConfirmByEmail`](crate::provisioning::KeyLink)); an assertion checked for another team is refused | `tests/provisioning.rs` |
//! | re-encoded HTTP-Redirect query strings (libraries that re-encode break on Azure AD's and AD FS's lowercase escapes, or verify octets the sender never signed) | a Redirect signature is checked over the raw `SAMLRequest=…&RelayState=…&SigAlg=…` octets exactly as received, never re-encoded | `tests/request.rs` |
//! | RSA private-key timing (RUSTSEC-2023-0071) when signing AuthnRequests | signing is blinded with the caller's CSPRNG (`sign_with_rng`); verification uses only public values | `tests/request_properties.rs` |
//! | predictable request IDs (an attacker who guesses the next ID can pre-build a matching response flow) | 128 bits from the caller's CSPRNG (`OsRng` in production) | `tests/request.rs` |
//! | replay across app instances behind a load balancer | the replay cache and the request tracker on one shared store (Redis `SET NX` with expiry); an unreachable store fails closed (`replay_cache_unavailable`, `request_store_unavailable`); the Single Logout session registry too (`session_registry_unavailable`), so a LogoutRequest handled by one instance ends the sessions created on another (the web-app example keeps its own sessions on the same Redis) | `tests/redis_store.rs`, `testbed/e2e` |
//! | open redirect through RelayState (it is not signed over HTTP-POST) | only a local path ([`ReturnPath`](crate::team::ReturnPath): `/…`, no `//`, no backslash) is sent as RelayState and followed when it comes back, on sign-in and on sign-out ([`finish_logout`](crate::TeamConfig::finish_logout) checks the LogoutResponse's RelayState again) | `examples/web_app`, `testbed/e2e` |
//! | logout CSRF: another site's form posts the sign-out and ends the user's session (or starts a logout at the IdP) | not the crate's to stop (sign-out is the app's route); the web-app example's sign-out form carries a per-session random token, compared in constant time, and a POST without it ends nothing (`csrf_token_mismatch`, 403) | `examples/web_app` (unit test), `testbed/e2e` |
//! | a forged assertion encrypted to the SP's public key (anyone can encrypt: encryption gives no authenticity) | a decrypted Assertion is held to every rule of a cleartext one: it must be covered by a verified signature, its own or the Response's over the `EncryptedAssertion` (a direct child); claims are read only from it | `tests/xmlenc.rs` (`refuse-nothing-signed`, `refuse-inner-attacker-signed`, `refuse-swapped-encrypted-assertion`) |
//! | padding / format oracles on the ciphertext (Jager and Somorovsky 2011 on XML Encryption CBC; Bleichenbacher on PKCS#1 v1.5) | `rsa-1_5` key transport refused outright (`key_transport_refused`); when the Response is signed its signature is verified before anything is decrypted; every failure from the key unwrap to the decrypted Assertion's signature is one kind, `decryption_failed`, with one user text; see "Decryption and timing" | `tests/xmlenc.rs` |
//! | external references in encrypted data (`CipherReference`, `RetrievalMethod` to a URL) | never fetched or followed: a `CipherReference` is `encrypted_data_malformed`, a `RetrievalMethod` may only name a sibling `EncryptedKey` by `#id` | `tests/xmlenc.rs` (`references_are_never_followed_outside`) |
//! | hostile decrypted content (DOCTYPE, two roots, 50,000-deep nesting, a whole Response, another namespace) | the plaintext is parsed with the same [`Limits`](crate::limits::Limits) and parser into its own tree whose root must be exactly one SAML `Assertion` (`NameID`, `Attribute` for `EncryptedID`, `EncryptedAttribute`): `decryption_failed` otherwise | `tests/xmlenc.rs` (`refuse-content-*`) |
//! | Single Logout signature wrapping: a signed LogoutRequest nested in an unsigned one, in `Extensions`, or a captured signed Assertion / the IdP's signed metadata as the root's child (samlify GHSA-63ch-w8pw-4mf2, CVE-2025-47949); an extra NameID inside the signed root or in a `ds:Object` | on HTTP-POST only the root's own enveloped Signature counts, with its Reference `#` + the root's ID; on HTTP-Redirect only the query signature (an XML Signature in the deflated message never replaces it); exactly one NameID in the whole document, a direct child of the root; everything read from the root of the verified tree ([`logout`](crate::logout)) | `tests/logout.rs` over `fixtures/logout/` (xmlsec1/openssl-signed), fuzz target `logout` |
//! | a forged or replayed LogoutRequest ending someone's sessions | signature required unless the team set the named `dangerous_allow_unsigned` opt-in; Issuer, Destination, `NotOnOrAfter` and an age bound; one-time use by ID ([`FreshLogoutRequest`](crate::logout::FreshLogoutRequest) only through the replay cache, `logout_request_replayed`); sessions found only by team + IdP + NameID + SessionIndex in the [`SessionRegistry`](crate::store::SessionRegistry), which fails closed | `tests/logout.rs`, `tests/redis_store.rs`, `tests/live_idp.rs`, `testbed/e2e` (through the web app: forged, unsigned and replayed ones refused with their kind, no session ended) |
//! | a LogoutResponse that reports success for a logout that did not happen, or answers another request | signature, Issuer (the IdP's entity ID, or exactly the configured or Azure-derived alias, on LogoutResponses only), Destination, `InResponseTo` = a LogoutRequest this browser sent (kept apart from its AuthnRequests), status with partial logout reported | `tests/logout.rs` |
//! | crashes on hostile input | `#![forbid(unsafe_code)]`, no `unwrap`/`panic`/indexing in `src/` (clippy-denied), fuzzing of every parser | `fuzz/`, `tests/fuzz_regressions.rs` |
//!
//! ## Cost of hostile input
//!
//! **Guarantee:** all work done on attacker-controlled input before a
//! signature has verified is linear in the size of the input, with a small
//! constant, and bounded by [`Limits`](crate::limits::Limits). So is the digest
//! (which anyone holding one validly signed message of the IdP can make us
//! compute over content of their choice) and everything after it. The cost
//! model, per unit of input:
//!
//! | stage | per byte | per element | per attribute / namespace binding |
//! |---|---|---|---|
//! | POST form value | base64 decode, once; size checked first ([`Limits::max_input_bytes`](crate::limits::Limits)) | | |
//! | parse ([`Document::parse`](crate::building_blocks::Document::parse)) | one pass of word-at-a-time scans; a document the fast scanner gives up on (only invalid ones: DOCTYPE, errors) is read once more by the general parser, which refuses it | O(1), depth ≤ `max_depth`, count ≤ `max_elements` | name resolution O(1): the innermost 16 bindings compared, the rest found through a hash index (foldhash, random seed); ≤ `max_namespaces_in_scope` bindings in scope (so even colliding prefixes cost at most that many comparisons); duplicate attributes: pairwise up to 12, else sorted by a hash, O(k log k) with k ≤ `max_attributes_per_element`; IDs: one hash insert |
//! | before the signature: structure | | the `Signature`'s children once; `SignedInfo` at most [`MAX_SIGNED_INFO_BYTES`](crate::dsig::MAX_SIGNED_INFO_BYTES) as written, every element in it one XML-DSig allows there, with only the children it allows | a PrefixList of at most [`InclusivePrefixes::MAX_TOKENS`](crate::c14n::InclusivePrefixes::MAX_TOKENS) tokens, sorted once |
//! | before the signature: canonical `SignedInfo` | its ≤ 16 KiB once; output capped at 16 KiB | | at the top, one walk over the declarations in scope (≤ `max_namespaces_in_scope`) |
//! | before the signature: RSA | `SignatureValue` and the `KeyInfo` hint decoded once | | at most 3 certificates × 2 signatures per Response (metadata: one signature per enclosing `EntitiesDescriptor`) |
//! | digest (c14n + hash) | each node once; the canonical form is at most 8 times the signed element plus 64 KiB, else `canonical_form_too_large` | attributes sorted, O(k log k), namespace names compared by their rank in the document (one sort of the document's namespace names, once) | each namespace node considered in O(1) (scoped map); PrefixList: one walk at the top, then only each element's own declarations |
//!
//! `benches/adversarial.rs` builds the worst inputs we know under the
//! default limits and runs each next to a plain response of its size; on
//! the project's 2-vCPU machine none took more than 41 ms (2 MiB) or more
//! than 11.6 times the plain response (see `compare/README.md`). The unit
//! tests in `src/c14n/tests.rs` (`linear_work`) count the elementary steps
//! of parsing and every canonicalization on hostile shapes and fail if they
//! grow faster than the input.
//!
//! ## Deliberately refused real-world behaviour
//!
//! - A bearer `SubjectConfirmationData` with `NotBefore` (one IdP in the real
//!   recordings sends it): the Web SSO profile forbids it.
//! - `EncryptedAssertion`: refused (`encrypted_assertion_unsupported`) when
//!   the SP has no decryption key; `rsa-1_5` key transport always
//!   (`key_transport_refused`); `tripledes-cbc` unless the team opts in
//!   (`tripledes_not_allowed`).
//! - SHA-1 signatures: refused unless the team opts in with `allow_sha1`.
//!
//! ## Decryption and timing
//!
//! What an attacker can learn from how we fail to decrypt, and why what
//! remains is acceptable.
//!
//! - **Kinds and texts.** Every failure from unwrapping the session key to
//!   the decrypted Assertion's own signature is `decryption_failed` with one
//!   user text. The cleartext structure (algorithms, placement, base64) has
//!   its own kinds: anyone can read it, so saying what is wrong with it
//!   tells nothing secret. The log detail ([`Error::detail`](crate::error::Error::detail))
//!   does say which step failed, for operators: it must not be shown to
//!   users, like every detail.
//! - **Signed Responses first.** When the Response is signed, its signature
//!   (over the ciphertext) is verified before any private-key operation, so
//!   a modified ciphertext is refused as `digest_mismatch` without touching
//!   the key: no oracle at all for IdPs that sign the Response.
//! - **The RSA operation** is `rsa` 0.10's: constant-time `crypto-bigint`
//!   Montgomery arithmetic, blinded with fresh randomness on every call, then
//!   OAEP decoding whose checks are combined in constant time. `rsa-1_5`
//!   (where even a constant-time decoder leaks through what follows) is
//!   refused before any operation.
//! - **Randomness.** The verifier takes no random generator: blinding and
//!   the stand-in session key below come from [`OsRng`](crate::rng::OsRng)
//!   (the operating system's generator) inside the decryption. Its failure
//!   is not recoverable, as everywhere in this crate.
//! - **One path for both failures.** When no `EncryptedKey` unwraps, the
//!   data is still decrypted, with a random session key, and fails where a
//!   bad ciphertext fails; so "wrong key" and "bad padding" differ by no
//!   step. The CBC padding check itself looks only at the last byte.
//! - **What remains: timing.** (1) The work after a successful decryption
//!   (parsing the plaintext, verifying the inner signature) runs only when
//!   the padding or GCM tag was right, and takes longer than a failure;
//!   over CBC that is the classic distinction an oracle needs. It is
//!   acceptable here because a useful oracle needs thousands to millions of
//!   adaptive queries, each one a full sign-in attempt over HTTPS measured
//!   through network jitter that is far larger than the gap at the padding
//!   step (microseconds), and each refused attempt is a
//!   `decryption_failed` the app can count and rate-limit per source; and
//!   because what it would decrypt is an assertion the IdP encrypted to us,
//!   which gives the attacker no forgery (a decrypted Assertion still needs
//!   the IdP's signature). Teams that want no CBC at all can have their IdP
//!   use AES-GCM (every major IdP offers it), where a modified ciphertext
//!   fails the tag before any plaintext exists. (2) The number of
//!   `EncryptedKey`s tried, at most four (`xmlenc::MAX_UNWRAPS`)
//!   private-key operations per element, depends only on public structure.
