//! One-time use of bearer assertions (SAML 2.0 profiles, 4.1.4.5).
//!
//! A [`VerifiedAssertion`] becomes a [`FreshAssertion`], the only form the
//! application and provisioning accept, by passing a replay cache: the cache
//! atomically records the assertion until it expires, and a second use of
//! the same assertion is refused. Storage is the caller's: an in-memory
//! [`MemoryReplayCache`] for one process, or any shared store (Redis, a
//! database) through [`ReplayCache`] / [`AsyncReplayCache`].

use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::VerifiedAssertion;
use crate::{Error, ErrorKind, Result};

/// The key an assertion is remembered under: the SHA-256 (hex) of our
/// entity ID, the IdP's entity ID and the assertion ID, so two teams (two
/// SP entity IDs) or two IdPs can never collide, and the key is safe to use
/// verbatim in any store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplayKey(String);

impl ReplayKey {
    fn new(assertion: &VerifiedAssertion) -> Self {
        let mut h = Sha256::new();
        for part in [
            "saml-sp replay v1",
            assertion.audience().as_str(),
            assertion.issuer().as_str(),
            assertion.assertion_id(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        Self(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The key as 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A store that remembers assertion keys until they expire.
///
/// Implementations must be atomic (check and insert in one step, e.g.
/// Redis `SET key 1 NX PXAT expiry`) and must fail closed: any storage
/// error is returned as an error, never as "not seen".
pub trait ReplayCache {
    /// Records `key` until `expires_at` if it is not recorded yet.
    /// Returns `Ok(true)` on first use, `Ok(false)` if it was already there.
    ///
    /// # Errors
    /// Any storage failure, typically [`ErrorKind::ReplayCacheUnavailable`].
    fn insert_if_absent(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

/// [`ReplayCache`] for stores reached asynchronously.
pub trait AsyncReplayCache {
    /// As [`ReplayCache::insert_if_absent`].
    fn insert_if_absent(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// An assertion that passed every check and the one-time-use check: the
/// only form the application (and provisioning) accepts. Only
/// [`VerifiedAssertion::check_replay`] and its async twin build one.
#[derive(Debug, Clone)]
pub struct FreshAssertion(VerifiedAssertion);

impl Deref for FreshAssertion {
    type Target = VerifiedAssertion;

    fn deref(&self) -> &VerifiedAssertion {
        &self.0
    }
}

impl VerifiedAssertion {
    /// The key this assertion is remembered under.
    pub fn replay_key(&self) -> ReplayKey {
        ReplayKey::new(self)
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
    pub fn check_replay(
        self,
        cache: &impl ReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshAssertion> {
        self.check_still_valid(now)?;
        let first = cache.insert_if_absent(&self.replay_key(), self.replay_expiry(), now)?;
        self.fresh_or_replayed(first)
    }

    /// [`check_replay`](Self::check_replay) with an asynchronous store.
    ///
    /// # Errors
    /// As [`check_replay`](Self::check_replay).
    pub async fn check_replay_async(
        self,
        cache: &impl AsyncReplayCache,
        now: DateTime<Utc>,
    ) -> Result<FreshAssertion> {
        self.check_still_valid(now)?;
        let first = cache
            .insert_if_absent(&self.replay_key(), self.replay_expiry(), now)
            .await?;
        self.fresh_or_replayed(first)
    }
}

/// A bounded in-memory replay cache for a single process.
///
/// When full, expired entries are dropped; if it is still full, the
/// insertion fails with [`ErrorKind::ReplayCacheUnavailable`] (fail
/// closed: a flood of logins cannot push live entries out).
///
/// ```
/// use saml_sp::{MemoryReplayCache};
/// let cache = MemoryReplayCache::new(10_000);
/// assert_eq!(cache.len(), 0);
/// ```
#[derive(Debug)]
pub struct MemoryReplayCache {
    capacity: usize,
    entries: Mutex<HashMap<ReplayKey, DateTime<Utc>>>,
}

impl MemoryReplayCache {
    /// A cache holding at most `capacity` live assertions.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How many entries are held (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for MemoryReplayCache {
    fn insert_if_absent(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut entries = self.entries.lock().map_err(|_| {
            Error::new(
                ErrorKind::ReplayCacheUnavailable,
                "replay cache lock poisoned",
            )
        })?;
        if let Some(expiry) = entries.get(key) {
            if *expiry > now {
                return Ok(false);
            }
        }
        if entries.len() >= self.capacity {
            entries.retain(|_, expiry| *expiry > now);
            if entries.len() >= self.capacity {
                return Err(Error::new(
                    ErrorKind::ReplayCacheUnavailable,
                    format!("replay cache full ({} live entries)", self.capacity),
                ));
            }
        }
        entries.insert(key.clone(), expires_at);
        Ok(true)
    }
}

impl AsyncReplayCache for MemoryReplayCache {
    fn insert_if_absent(
        &self,
        key: &ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send {
        let result = ReplayCache::insert_if_absent(self, key, expires_at, now);
        async move { result }
    }
}
