//! # Signing a team's people in: two calls
//!
//!
//! [`TeamConfig::start_login`](crate::TeamConfig::start_login) builds the AuthnRequest for the team's IdP
//! (HTTP-Redirect or HTTP-POST, as the IdP takes it), remembers its ID for
//! this browser, carries a checked local return path as RelayState, and
//! returns what to send to the browser. [`TeamConfig::finish_login`](crate::TeamConfig::finish_login) takes
//! the POSTed `SAMLResponse` and `RelayState` at the ACS URL, takes the
//! browser's outstanding request IDs, verifies the Response, passes the
//! one-time-use check, and returns the [`FreshAssertion`](crate::FreshAssertion) with a return path
//! that is safe to redirect to. The outstanding IDs are taken whatever the
//! outcome, like an OAuth `state`: a refused Response (or junk posted from
//! another site while a sign-in is outstanding) ends that attempt, and the
//! user signs in again. Each has a `_sync` twin of the same logic
//! for code without an async runtime (tests, tools), which works with stores
//! that answer at once (the in-memory ones).
//!
//! The whole round trip, on the bundled fixtures. A recorded Response can
//! only be replayed at its own time and for its own request ID, so the
//! example pins `now` and replays the request ID with
//! [`saml_sp::testing`](crate::testing); a real app passes
//! `saml_sp::time::Utc::now()` and [`OsRng`](crate::OsRng) instead.
//!
//! ```
//! use saml_sp::team::{LoginContext, ReturnPath};
//! use saml_sp::testing::RecordedRequestId;
//! use saml_sp::{IdpMetadata, IdpSettings, SpUrlLayout, TeamConfig, TeamSlug};
//!
//! let now = "2026-03-02T10:01:00Z".parse()?; // production: Utc::now()
//! // The team, from its IdP's metadata (Azure: "App Federation Metadata Url").
//! let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml")?;
//! let (idp, _dropped) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
//! let sp = SpUrlLayout::new("https://sso.example.com")?;
//! let team = TeamConfig::new(TeamSlug::new("acme")?, &sp, idp)?;
//! // Once, at startup.
//! let context = LoginContext::in_memory();
//! // A random ID the app keeps in the browser's signed, HttpOnly cookie.
//! let browser = "7f3a9c0e6a1b2d4c";
//!
//! // GET /saml/acme/init?return_to=/dashboard
//! let back = ReturnPath::new("/dashboard")?; // refuses anything but a local path
//! let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?; // production: OsRng
//! let start = team.start_login_sync(&context, browser, Some(&back), &mut rng, now)?;
//! // 303 See Other to this URL (or, for an IdP that takes HTTP-POST, serve
//! // `start.post_form()`'s page). The request ID is already remembered.
//! let location = start.redirect_url().expect("this IdP takes HTTP-Redirect");
//! assert!(location.starts_with("https://login.microsoftonline.com/"));
//! assert_eq!(start.request_id().as_str(), "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f");
//!
//! // POST /saml/acme/acs with the form fields SAMLResponse and RelayState.
//! let saml_response = std::fs::read("fixtures/dsig/assertion-signed.xml")?;
//! let login = team.finish_login_sync(&context, browser, &saml_response, Some("/dashboard"), now)?;
//! assert_eq!(login.assertion().name_id(), "alice@acme.example");
//! assert_eq!(login.return_to().as_str(), "/dashboard"); // 303 there
//! // The same Response again (a replay) is refused.
//! let again = team.finish_login_sync(&context, browser, &saml_response, None, now);
//! assert!(again.is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A refused sign-in is an [`Error`](crate::Error): take the HTTP status
//! from its class (`err.kind().class()`: refused, transient,
//! configuration), show its `Display` text (safe to show), and log
//! `err.kind().as_str()` with `err.detail()` (which may quote the input:
//! never show it).
//!
//! # IdP-initiated sign-in
//!
//! A team can allow it ([`TeamConfig::set_allow_idp_initiated`](crate::TeamConfig::set_allow_idp_initiated), off by
//! default): the user clicks the app's tile in Okta, OneLogin, Google or
//! Azure My Apps, and the IdP posts a Response that answers no request.
//! [`finish_login`](crate::TeamConfig::finish_login) then accepts a Response
//! without `InResponseTo` only when the browser has no outstanding request
//! for the team (a Response to a request must match it), only once (one-time
//! use as always), and only if its Assertion was issued at most
//! [`IDP_INITIATED_MAX_AGE`](crate::team::IDP_INITIATED_MAX_AGE) (plus the clock skew) ago. RelayState from the
//! IdP is untrusted: it is used only if it is a local path, otherwise the
//! user lands on the team's landing page.
//!
//! **The risk, and what the app can do.** An unsolicited Response proves
//! who the IdP says signed in, not that *this browser's user* asked to sign
//! in: an attacker can sign in at the IdP as themselves, capture their own
//! Response, and make a victim's browser post it (a hidden auto-submitting
//! form on any page). The victim is then signed in to the app as the
//! attacker, and what they type lands in the attacker's account (login
//! CSRF). One-time use limits each captured Response to one victim, and the
//! short age bound limits how long it can be used, but neither removes the
//! risk. An app that allows IdP-initiated sign-in should show who is signed
//! in prominently, ask before linking the session to anything the user
//! already has, and prefer SP-initiated sign-in where the IdP supports a
//! "Sign-on URL" (Azure: set it, and the tile starts an SP-initiated
//! sign-in instead).
//!
//! # Sessions and Single Logout
//!
//! The same context and team sign people out, both ways (the checks are in
//! [`crate::logout`]). The context needs a
//! [`SessionRegistry`](crate::store::SessionRegistry)
//! ([`LoginContext::in_memory`](crate::team::LoginContext::in_memory) has
//! one), and the team's IdP a SingleLogoutService (Azure's metadata lists
//! one; entered by hand: [`TeamConfig::set_idp_single_logout`](crate::TeamConfig::set_idp_single_logout)).
//!
//! 1. After [`finish_login`](crate::TeamConfig::finish_login), register the
//!    app's session for the person with
//!    [`TeamConfig::register_session`](crate::TeamConfig::register_session),
//!    and keep in it what sign-out needs: the
//!    [`LogoutSubject`](crate::logout::LogoutSubject) of the sign-in
//!    ([`LogoutSubject::from_assertion`](crate::logout::LogoutSubject::from_assertion):
//!    the NameID with its format and qualifiers, and the SessionIndex).
//! 2. The user signs out here (SP-initiated): end the app's session,
//!    [`TeamConfig::unregister_session`](crate::TeamConfig::unregister_session)
//!    (async only; its docs show the call without a runtime), then
//!    [`TeamConfig::start_logout`](crate::TeamConfig::start_logout) and send
//!    the browser to the IdP. Its LogoutResponse comes back to the team's
//!    SLO URL: [`TeamConfig::finish_logout`](crate::TeamConfig::finish_logout).
//! 3. The user signs out at the IdP or another app (IdP-initiated): the
//!    IdP's LogoutRequest comes to the same SLO URL;
//!    [`TeamConfig::handle_logout_request`](crate::TeamConfig::handle_logout_request)
//!    verifies it, returns the registered app sessions to destroy
//!    ([`ended_sessions`](crate::team::IdpLogout::ended_sessions)) and the
//!    LogoutResponse to send the browser back with
//!    ([`send`](crate::team::IdpLogout::send)).
//!
//! On HTTP-Redirect the SLO URL gets the query string exactly as received
//! ([`LogoutInput::Redirect`](crate::logout::LogoutInput::Redirect), never
//! re-encoded from parsed parameters), and
//! [`is_response`](crate::logout::LogoutInput::is_response) tells a
//! LogoutResponse from a LogoutRequest; on HTTP-POST
//! ([`LogoutInput::Post`](crate::logout::LogoutInput::Post)) the form
//! field's name does (`SAMLResponse` or `SAMLRequest`).
//!
//! ```
//! use saml_sp::logout::{LogoutInput, LogoutStatus, LogoutSubject};
//! use saml_sp::team::{LoginContext, ReturnPath};
//! use saml_sp::testing::RecordedRequestId;
//! use saml_sp::time::TimeDelta;
//! use saml_sp::{IdpMetadata, IdpSettings, OsRng, SpUrlLayout, TeamConfig, TeamSlug};
//!
//! let now = "2026-03-02T10:01:00Z".parse()?;
//! let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml")?;
//! let (idp, _) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
//! let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
//! let context = LoginContext::in_memory();
//! let browser = "7f3a9c0e6a1b2d4c";
//! let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
//! team.start_login_sync(&context, browser, None, &mut rng, now)?;
//! let response = std::fs::read("fixtures/dsig/assertion-signed.xml")?;
//! let login = team.finish_login_sync(&context, browser, &response, None, now)?;
//!
//! // Sign-in: the app creates its session "app-session-1" (ending in 8
//! // hours at most) and registers it; it keeps the subject in the session.
//! team.register_session_sync(&context, login.assertion(), "app-session-1", now + TimeDelta::hours(8), now)?;
//! let subject = LogoutSubject::from_assertion(login.assertion());
//!
//! // IdP-initiated: GET /saml/acme/slo?SAMLRequest=... (the raw query).
//! let url = std::fs::read_to_string("fixtures/logout/lr-redirect-valid-relaystate.url")?;
//! let (_, query) = url.split_once('?').unwrap();
//! let input = LogoutInput::Redirect(query);
//! assert_eq!(input.is_response(), Some(false));
//! let idp_logout = team.handle_logout_request_sync(&context, input, &mut OsRng, now)?;
//! assert_eq!(idp_logout.ended_sessions(), ["app-session-1"]); // destroy them
//! // Then 303 back to the IdP with `idp_logout.send()` (our LogoutResponse).
//!
//! // SP-initiated: POST /logout (the app ended its session and called
//! // unregister_session already), then 303 to the IdP.
//! let back = ReturnPath::new("/teams/acme/signed-out")?;
//! // The LogoutResponse below answers this recorded ID; production: OsRng.
//! let mut rng = RecordedRequestId::new("id7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a")?;
//! let start = team.start_logout_sync(&context, browser, &subject, Some(&back), &mut rng, now)?;
//! assert!(start.redirect_url().unwrap().starts_with("https://login.microsoftonline.com/"));
//! // The IdP's answer: GET /saml/acme/slo?SAMLResponse=...
//! let url = std::fs::read_to_string("fixtures/logout/lresp-redirect-success.url")?;
//! let (_, query) = url.split_once('?').unwrap();
//! let done = team.finish_logout_sync(&context, browser, LogoutInput::Redirect(query), now)?;
//! assert_eq!(done.status(), LogoutStatus::Success); // PartialLogout: say so
//! assert_eq!(done.return_to().as_str(), "/teams/acme/signed-out"); // 303 there
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Encrypted assertions
//!
//! For an IdP that encrypts assertions (`EncryptedAssertion`), the context
//! gets the SP's decryption keys
//! ([`LoginContext::with_decryption_keys`](crate::team::LoginContext::with_decryption_keys):
//! the current key and, during a rollover, the next one), loaded from the
//! app's secret store, never from the team configuration. The keys are the
//! SP's, for every team; each team's SP metadata must publish their
//! certificates, which the app chains on
//! [`TeamConfig::sp_metadata`](crate::TeamConfig::sp_metadata) (the context's
//! keys are not added for it). A team can refuse assertions in the clear
//! ([`TeamConfig::set_require_encrypted_assertion`](crate::TeamConfig::set_require_encrypted_assertion)).
//! `finish_login` decrypts, then runs every check as for a cleartext
//! assertion; [`FreshAssertion::encrypted`](crate::FreshAssertion::encrypted)
//! says how it came.
//!
//! ```
//! use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
//! use saml_sp::team::LoginContext;
//! use saml_sp::testing::RecordedRequestId;
//! use saml_sp::{ErrorKind, IdpMetadata, IdpSettings, SigningCertificate, SpUrlLayout, TeamConfig, TeamSlug};
//!
//! let now = "2026-03-02T10:01:00Z".parse()?;
//! let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml")?;
//! let (idp, _) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
//! let mut team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
//! team.set_require_encrypted_assertion(true);
//!
//! // At startup: the SP's key and its certificate (from the secret store).
//! let key = SpDecryptionKey::from_pem(&std::fs::read_to_string("fixtures/keys/sp-enc.key.pem")?)?
//!     .with_certificate(SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/sp-enc.crt.pem")?)?)?;
//! let certificate = key.certificate().unwrap().clone();
//! let context = LoginContext::in_memory().with_decryption_keys(SpDecryptionKeys::new(key));
//!
//! // GET /saml/acme/metadata: what the IdP admin uploads, with the certificate.
//! let metadata = team.sp_metadata().with_encryption_certificate(certificate).to_xml()?;
//! assert!(metadata.contains(r#"<md:KeyDescriptor use="encryption">"#));
//!
//! let browser = "7f3a9c0e6a1b2d4c";
//! let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
//! team.start_login_sync(&context, browser, None, &mut rng, now)?;
//! let posted = std::fs::read("fixtures/xmlenc/alg-aes256cbc-rsaoaepmgf1p-sha1-azure.xml")?;
//! let login = team.finish_login_sync(&context, browser, &posted, None, now)?;
//! assert!(login.assertion().encrypted());
//! assert_eq!(login.assertion().name_id(), "alice@acme.example");
//!
//! // The same team refuses an assertion in the clear.
//! let mut rng = RecordedRequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
//! team.start_login_sync(&context, "another-browser", None, &mut rng, now)?;
//! let plain = std::fs::read("fixtures/dsig/assertion-signed.xml")?;
//! let err = team.finish_login_sync(&context, "another-browser", &plain, None, now).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::AssertionNotEncrypted);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
