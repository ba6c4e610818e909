//! The manual: documentation only, no code. As in rustls' `manual`, each
//! chapter is a module so that it is versioned, linked and tested with the
//! code it describes.
//!
//! - [`login`]: signing a team's people in with two calls, IdP-initiated
//!   sign-in with its login-CSRF risk, sessions and Single Logout both
//!   ways, and encrypted assertions.
//! - [`security`]: the security model (each attack class and what stops it)
//!   and the cost of hostile input.
//! - [`architecture`]: the floors of the crate, and why arrows only point
//!   down.
//! - [`idp_settings`]: refusals whose cause is a setting at the IdP (or
//!   the SP's URLs behind a proxy), and the hint each puts in the log
//!   detail.

pub mod architecture;
pub mod idp_settings;
pub mod login;
pub mod security;
