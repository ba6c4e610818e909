//! One-time use of bearer assertions (SAML 2.0 profiles, 4.1.4.5).
//!
//! A [`VerifiedAssertion`] becomes a [`FreshAssertion`], the only form the
//! application and provisioning accept, by passing a replay cache: the cache
//! atomically records the assertion until it expires, and a second use of
//! the same assertion is refused. Storage is the caller's: an in-memory
//! [`MemoryReplayCache`](crate::store::MemoryReplayCache) for one process, or any shared store (Redis, a
//! database) through [`ReplayCache`].

use chrono::{DateTime, Utc};

use super::VerifiedAssertion;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{ReplayCache, ReplayKey, ready};

/// An assertion that passed every check and the one-time-use check: the
/// only form the application (and provisioning) accepts. Only
/// [`VerifiedAssertion::check_replay`] and its async twin build one.
#[derive(Debug, Clone)]
pub struct FreshAssertion(pub(super) VerifiedAssertion);

impl VerifiedAssertion {
    /// The key this assertion is remembered under.
    pub fn replay_key(&self) -> ReplayKey {
        ReplayKey::new(
            self.sp_entity_id.as_str(),
            self.issuer().as_str(),
            &self.assertion_id,
        )
    }

    /// Until when the key must be remembered: the assertion's NotOnOrAfter
    /// plus the clock skew (after that the assertion is refused as expired
    /// anyway).
    pub fn replay_expiry(&self) -> DateTime<Utc> {
        self.not_on_or_after + self.clock_skew
    }

    fn fresh_or_replayed(self, first_use: bool) -> Result<FreshAssertion> {
        if first_use {
            Ok(FreshAssertion(self))
        } else {
            Err(Error::new(
                ErrorKind::AssertionReplayed,
                format!("assertion {:?} was already used", self.assertion_id),
            ))
        }
    }

    fn check_still_valid(&self, now: DateTime<Utc>) -> Result<()> {
        if now >= self.replay_expiry() {
            return Err(Error::new(
                ErrorKind::AssertionExpired,
                format!("assertion expired at {}", self.not_on_or_after.to_rfc3339()),
            ));
        }
        Ok(())
    }

    /// The one-time-use check: records the assertion in `cache` and returns
    /// it as a [`FreshAssertion`], or refuses a second use.
    ///
    /// # Errors
    /// [`ErrorKind::AssertionReplayed`] on a second use;
    /// [`ErrorKind::AssertionExpired`] if it expired since verification;
    /// the cache's error if it cannot record (fail closed).
    /// For in-memory stores, which answer at once; with an asynchronous
    /// store use [`check_replay_async`](Self::check_replay_async).
    pub fn check_replay(
        self,
        cache: &dyn ReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshAssertion> {
        self.check_still_valid(now)?;
        let key = self.replay_key();
        let first = ready(cache.insert_if_absent(&key, self.replay_expiry(), now))?;
        self.fresh_or_replayed(first)
    }

    /// [`check_replay`](Self::check_replay) with an asynchronous store.
    ///
    /// # Errors
    /// As [`check_replay`](Self::check_replay).
    pub async fn check_replay_async(
        self,
        cache: &dyn ReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshAssertion> {
        self.check_still_valid(now)?;
        let key = self.replay_key();
        let first = cache
            .insert_if_absent(&key, self.replay_expiry(), now)
            .await?;
        self.fresh_or_replayed(first)
    }
}
