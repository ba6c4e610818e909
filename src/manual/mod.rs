//! The manual: documentation only, no code. As in rustls' `manual`, each
//! chapter is a module so that it is versioned, linked and tested with the
//! code it describes.
//!
//! - [`login`]: signing a team's people in with two calls, and IdP-initiated
//!   sign-in with its login-CSRF risk.
//! - [`security`]: the security model (each attack class and what stops it)
//!   and the cost of hostile input.
//! - [`architecture`]: the floors of the crate, and why arrows only point
//!   down.

pub mod architecture;
pub mod login;
pub mod security;
