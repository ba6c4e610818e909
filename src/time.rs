//! Time as a value.
//!
//! No check in this crate reads the clock: each takes `now` as a parameter,
//! so recorded IdP responses can be verified at their own time in tests and
//! every decision is reproducible. [`Clock`] is for the application's own
//! code that has to produce that `now`.

pub use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, ErrorKind, Result};

/// A source of the current time, for application code; the crate's checks
/// take `now` as a value instead.
pub trait Clock {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock pinned to one instant, for tests and replays.
///
/// ```
/// use saml_sp::time::{Clock, FixedClock};
/// let clock = FixedClock::parse("2026-03-02T10:01:00Z")?;
/// assert_eq!(clock.now().to_rfc3339(), "2026-03-02T10:01:00+00:00");
/// assert!(FixedClock::parse("yesterday").is_err());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// A clock pinned to an RFC 3339 time.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] when the text is not an RFC 3339 time.
    pub fn parse(rfc3339: &str) -> Result<Self> {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| Self(t.with_timezone(&Utc)))
            .map_err(|e| {
                Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("{rfc3339:?} is not an RFC 3339 time: {e}"),
                )
            })
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
