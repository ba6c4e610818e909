//! One-time use of assertions: the key an assertion is remembered under,
//! the store traits, and a bounded in-memory store.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::StoreFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::hashed_key;

/// The key an assertion is remembered under: the SHA-256 (hex) of our
/// entity ID, the IdP's entity ID and the assertion ID, so two teams (two
/// SP entity IDs) or two IdPs can never collide, and the key is safe to use
/// verbatim in any store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplayKey(String);

impl ReplayKey {
    /// The key of the assertion `assertion_id` issued by `idp` to `sp`
    /// (entity IDs).
    pub(crate) fn new(sp: &str, idp: &str, assertion_id: &str) -> Self {
        Self(hashed_key("saml-sp replay v1", &[sp, idp, assertion_id]))
    }

    /// The key of the LogoutRequest `request_id` sent by `idp` to `sp`:
    /// kept apart from assertion keys by its own label.
    pub(crate) fn for_logout_request(sp: &str, idp: &str, request_id: &str) -> Self {
        Self(hashed_key(
            "saml-sp logout replay v1",
            &[sp, idp, request_id],
        ))
    }

    /// A key for tests of a store: as [`new`](Self::new) for a test SP and
    /// IdP. Not for production (a real key comes from
    /// [`VerifiedAssertion::replay_key`](crate::VerifiedAssertion::replay_key)).
    #[doc(hidden)]
    pub fn for_test(assertion_id: &str) -> Self {
        Self::new("urn:test:sp", "urn:test:idp", assertion_id)
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
pub trait ReplayCache: Send + Sync {
    /// Records `key` until `expires_at` if it is not recorded yet.
    /// Resolves to `true` on first use, `false` if it was already there.
    ///
    /// # Errors
    /// Any storage failure, typically [`ErrorKind::ReplayCacheUnavailable`]
    /// (a [`Transient`](crate::error::ErrorClass::Transient) kind, so apps
    /// answer "try again later").
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool>;
}

/// A bounded in-memory replay cache for a single process.
///
/// When full, expired entries are dropped; if it is still full, the
/// insertion fails with [`ErrorKind::ReplayCacheUnavailable`] (fail
/// closed: a flood of logins cannot push live entries out).
///
/// ```
/// use saml_sp::store::MemoryReplayCache;
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
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        Box::pin(std::future::ready(self.insert_now(key, expires_at, now)))
    }
}

impl MemoryReplayCache {
    fn insert_now(
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
