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
//! that is safe to redirect to. Each has a `_sync` twin of the same logic
//! for code without an async runtime (tests, tools), which works with stores
//! that answer at once (the in-memory ones).
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
