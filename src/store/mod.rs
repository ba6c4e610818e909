//! Storage: every store trait, its keys, and bounded in-memory stores.
//! The one-time use of assertions ([`ReplayCache`], [`MemoryReplayCache`])
//! and request tracking, below. Each trait is dyn-compatible (its
//! operations return a [`StoreFuture`]); in-memory stores answer at once
//! ([`ready`] drives them without an async runtime).
//!
//! Request tracking: which AuthnRequests a browser started, so the ACS can
//! check a Response's `InResponseTo` (SAML 2.0 profiles, 4.1.4.3).
//!
//! When the app sends a browser to the IdP it remembers the [`RequestId`]
//! under a [`TrackerKey`] (team + the browser's session ID). When the
//! browser comes back to the ACS, the app takes the IDs for that key (an
//! atomic, one-time removal: a second take finds nothing) and hands them to
//! [`ResponseVerifier::verify`](crate::response::ResponseVerifier::verify) as the
//! expected request IDs. Storage is the caller's: [`MemoryRequestTracker`]
//! for one process, any shared store through [`RequestTracker`], and with
//! the `redis` feature
#![cfg_attr(
    feature = "redis",
    doc = "[`RedisRequestTracker`] and [`RedisReplayCache`]"
)]
#![cfg_attr(
    not(feature = "redis"),
    doc = "`RedisRequestTracker` and `RedisReplayCache`"
)]
//! for apps that run as several instances.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RequestId, hashed_key};

mod replay;
mod sessions;

pub use replay::{MemoryReplayCache, ReplayCache, ReplayKey};
pub use sessions::{
    MAX_SESSION_VALUE, MAX_SESSIONS_PER_SUBJECT, MemorySessionRegistry, SessionKey, SessionRegistry,
};

/// What a store's operation returns: a future, boxed so that the store
/// traits are dyn-compatible (`Arc<dyn ReplayCache>`, one app serving some
/// teams from memory and others from Redis). In-memory stores return one
/// that is already complete: drive it with [`ready`] where there is no
/// async runtime (tests, a single-threaded tool).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// The result of a store future that is already complete (every
/// in-memory store's), for code without an async runtime.
///
/// ```
/// use saml_sp::store::{MemoryReplayCache, ReplayCache, ReplayKey, ready};
/// # let now = chrono::Utc::now();
/// let cache = MemoryReplayCache::new(10);
/// # let key = ReplayKey::for_test("assertion-1");
/// assert!(ready(cache.insert_if_absent(&key, now + chrono::TimeDelta::minutes(5), now))?);
/// assert!(!ready(cache.insert_if_absent(&key, now + chrono::TimeDelta::minutes(5), now))?);
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # Errors
/// The store's error; [`ErrorKind::ConfigInvalid`] when the future is
/// not complete (an asynchronous store, such as Redis, used without
/// awaiting it).
pub fn ready<T>(future: StoreFuture<'_, T>) -> Result<T> {
    ready_future(future)
}

/// As [`ready`], for any future: the `_sync` forms of the login facade run
/// their async form with it.
pub(crate) fn ready_future<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(Error::new(
            ErrorKind::ConfigInvalid,
            "an asynchronous store was used where its answer is needed at once: await it",
        )),
    }
}

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::{RedisReplayCache, RedisRequestTracker, RedisSessionRegistry, RedisStore};

/// How many AuthnRequests one [`TrackerKey`] may have outstanding; when a
/// browser starts a ninth, the oldest is forgotten, so one browser cannot
/// grow the store.
pub const MAX_PENDING_REQUESTS: usize = 8;

/// A sensible lifetime for a remembered request: 10 minutes, long enough
/// for a user to type a password and approve an MFA prompt.
pub const DEFAULT_REQUEST_LIFETIME: TimeDelta = TimeDelta::seconds(600);

/// Largest part (team or browser ID) a [`TrackerKey`] accepts, in bytes.
const MAX_KEY_PART: usize = 256;

/// Where a browser's outstanding request IDs are kept: the SHA-256 (hex)
/// of the team and the browser's session ID, so two teams never share an
/// entry and the key is safe to use verbatim in any store.
///
/// The browser ID must be a value the browser cannot choose or guess (a
/// random session ID from a signed, HttpOnly cookie), otherwise one browser
/// could consume another's requests.
///
/// ```
/// use saml_sp::ErrorKind;
/// use saml_sp::store::TrackerKey;
/// let key = TrackerKey::new("acme", "3f9c0e6a1b2d4c5e8f7a9b0c1d2e3f4a")?;
/// assert_eq!(key.as_str().len(), 64);
/// assert_ne!(key, TrackerKey::new("globex", "3f9c0e6a1b2d4c5e8f7a9b0c1d2e3f4a")?);
/// assert_eq!(TrackerKey::new("acme", "").unwrap_err().kind(), ErrorKind::ConfigInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackerKey(String);

impl TrackerKey {
    /// The key for `team` (any stable team identifier, e.g. its slug) and
    /// `browser` (the browser's session ID).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if either part is empty;
    /// [`ErrorKind::InputTooLarge`] if either is longer than 256 bytes.
    pub fn new(team: &str, browser: &str) -> Result<Self> {
        for (what, part) in [("team", team), ("browser ID", browser)] {
            if part.is_empty() {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("tracker key: {what} is empty"),
                ));
            }
            if part.len() > MAX_KEY_PART {
                return Err(Error::new(
                    ErrorKind::InputTooLarge,
                    format!("tracker key: {what} is longer than {MAX_KEY_PART} bytes"),
                ));
            }
        }
        Ok(Self(hashed_key("saml-sp request v1", &[team, browser])))
    }

    /// The key for the LogoutRequests `browser` sent through `team`: kept
    /// apart from its AuthnRequests, so a LogoutResponse can never answer a
    /// sign-in, nor a Response a sign-out.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn for_logout(team: &str, browser: &str) -> Result<Self> {
        Self::new(team, browser)?;
        Ok(Self(hashed_key(
            "saml-sp logout request v1",
            &[team, browser],
        )))
    }

    /// The key as 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses a lifetime that is already over: remembering such a request
/// would be a caller bug that silently breaks the next login.
fn check_lifetime(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if expires_at <= now {
        return Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!(
                "request expiry {} is not after now ({})",
                expires_at.to_rfc3339(),
                now.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// A store of the AuthnRequest IDs each browser has outstanding.
///
/// Implementations must be atomic and fail closed: a storage error is an
/// error, never "no requests" silently turned into acceptance (an empty
/// list makes the verifier refuse a solicited Response, which is the safe
/// side). Report it as [`ErrorKind::RequestStoreUnavailable`], a
/// [`Transient`](crate::error::ErrorClass::Transient) kind: apps then answer
/// "try again later", not "sign-in refused".
///
/// The whole round trip, with the in-memory stores (driven by [`ready`]
/// here; a web app `.await`s the same calls, and uses
/// [`check_replay_async`](crate::VerifiedAssertion::check_replay_async)):
///
/// ```
/// use chrono::TimeDelta;
/// use saml_sp::{EndpointUrl, EntityId, ErrorKind, IdpCertSet, RequestId, ResponseVerifier, SigningCertificate};
/// use saml_sp::store::{DEFAULT_REQUEST_LIFETIME, MemoryReplayCache, MemoryRequestTracker, RequestTracker, TrackerKey, ready};
/// use saml_sp::time::{FixedClock, Clock};
///
/// let requests = MemoryRequestTracker::new(100_000);
/// let replay = MemoryReplayCache::new(100_000);
/// let now = FixedClock::parse("2026-03-02T10:00:00Z").unwrap().now();
///
/// // GET /saml/acme/init: build the AuthnRequest, remember its ID for this
/// // browser (the session ID comes from the app's signed, HttpOnly cookie).
/// let browser = TrackerKey::new("acme", "7f3a9c0e6a1b2d4c5e8f7a9b0c1d2e3f")?;
/// let request_id = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// ready(requests.remember(&browser, &request_id, now + DEFAULT_REQUEST_LIFETIME, now))?;
///
/// // POST /saml/acme/acs, a minute later: take the IDs (one-time), verify,
/// // then the one-time-use check.
/// let now = now + TimeDelta::minutes(1);
/// let expected = ready(requests.take(&browser, now))?;
/// let pem = std::fs::read("fixtures/keys/idp-a.crt.pem").unwrap();
/// let verifier = ResponseVerifier::new(
///     EntityId::new("https://sso.example.com/saml/acme")?,
///     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
///     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
///     IdpCertSet::new([SigningCertificate::parse(&pem)?], now)?,
/// );
/// let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// let fresh = verifier.verify(&xml, &expected, now)?.check_replay(&replay, now)?;
/// assert_eq!(fresh.name_id(), "alice@acme.example");
///
/// // The same POST again: the request was consumed.
/// let expected = ready(requests.take(&browser, now))?;
/// let err = verifier.verify(&xml, &expected, now).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InResponseToMismatch);
/// # Ok::<(), saml_sp::Error>(())
/// ```
pub trait RequestTracker: Send + Sync {
    /// Remembers `id` under `key` until `expires_at`. At most
    /// [`MAX_PENDING_REQUESTS`] IDs are kept per key; the oldest goes first.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if `expires_at` is not after `now`;
    /// a storage failure, typically [`ErrorKind::RequestStoreUnavailable`].
    fn remember<'a>(
        &'a self,
        key: &'a TrackerKey,
        id: &'a RequestId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;

    /// Removes every ID remembered under `key` and returns those that have
    /// not expired, oldest first. One-time: a second call returns nothing.
    ///
    /// # Errors
    /// A storage failure, typically [`ErrorKind::RequestStoreUnavailable`].
    fn take<'a>(
        &'a self,
        key: &'a TrackerKey,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<RequestId>>;
}

type Pending = VecDeque<(RequestId, DateTime<Utc>)>;

/// A bounded in-memory request tracker for a single process.
///
/// Holds at most `capacity` keys (browsers with outstanding requests), each
/// with at most [`MAX_PENDING_REQUESTS`] IDs. When full, a new browser's
/// request pushes out the browser that started one least recently (an
/// expired one, as a rule): O(1) amortised per call, whatever the flood.
///
/// Starting a sign-in needs no key, so a tracker that refused new browsers
/// when full would let anyone stop every team's sign-ins for the request
/// lifetime with `capacity` requests (100,000 in ten minutes: about 170 a
/// second). Losing an outstanding request can only refuse a Response
/// (`in_response_to_mismatch`; that person signs in again), never accept
/// one, so the tracker makes room instead: a flood must push `capacity`
/// starts through in the time a person takes at the IdP (100,000 in 30 s,
/// about 3,300 a second) to disturb anyone. Several instances share a
/// `RedisRequestTracker` (feature `redis`), which has
/// no capacity of its own (size Redis's memory for the flood you expect).
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use saml_sp::RequestId;
/// use saml_sp::store::{MemoryRequestTracker, RequestTracker, TrackerKey, ready};
///
/// let tracker = MemoryRequestTracker::new(10_000);
/// let now = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
/// let key = TrackerKey::new("acme", "session-7f3a9c")?;
/// let id = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// ready(tracker.remember(&key, &id, now + TimeDelta::minutes(10), now))?;
///
/// let later = now + TimeDelta::minutes(1);
/// assert_eq!(ready(tracker.take(&key, later))?, vec![id]);
/// assert!(ready(tracker.take(&key, later))?.is_empty()); // one-time
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug)]
pub struct MemoryRequestTracker {
    capacity: usize,
    entries: Mutex<Tracked>,
}

/// The keys with their pending requests, and the order in which they were
/// last written (oldest first; an entry whose sequence number is no longer
/// its key's is stale and skipped).
#[derive(Debug, Default)]
struct Tracked {
    map: HashMap<TrackerKey, (u64, Pending)>,
    order: VecDeque<(u64, TrackerKey)>,
    next_seq: u64,
}

impl Tracked {
    /// Drops the least recently written key.
    fn evict_oldest(&mut self) {
        while let Some((seq, key)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|(s, _)| *s == seq) {
                self.map.remove(&key);
                return;
            }
        }
    }

    /// Drops stale order entries once they outnumber the keys: each call
    /// is paid for by the writes and takes that made them stale.
    fn compact(&mut self) {
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(seq, key)| map.get(key).is_some_and(|(s, _)| s == seq));
        }
    }
}

impl MemoryRequestTracker {
    /// A tracker holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(Tracked::default()),
        }
    }

    /// How many keys are held (expired ones included until pushed out or
    /// taken).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.map.len()).unwrap_or(0)
    }

    /// Whether the tracker holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Tracked>> {
        self.entries.lock().map_err(|_| {
            Error::new(
                ErrorKind::RequestStoreUnavailable,
                "request tracker lock poisoned",
            )
        })
    }
}

impl MemoryRequestTracker {
    fn remember_now(
        &self,
        key: &TrackerKey,
        id: &RequestId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_lifetime(expires_at, now)?;
        let mut guard = self.lock()?;
        let tracked = &mut *guard;
        if !tracked.map.contains_key(key) {
            while tracked.map.len() >= self.capacity && !tracked.order.is_empty() {
                tracked.evict_oldest();
            }
        }
        let seq = tracked.next_seq;
        tracked.next_seq += 1;
        tracked.order.push_back((seq, key.clone()));
        let (slot_seq, pending) = tracked.map.entry(key.clone()).or_default();
        *slot_seq = seq;
        pending.retain(|(old, expiry)| *expiry > now && old != id);
        pending.push_back((id.clone(), expires_at));
        while pending.len() > MAX_PENDING_REQUESTS {
            pending.pop_front();
        }
        tracked.compact();
        Ok(())
    }

    fn take_now(&self, key: &TrackerKey, now: DateTime<Utc>) -> Result<Vec<RequestId>> {
        let pending = self
            .lock()?
            .map
            .remove(key)
            .map(|(_, pending)| pending)
            .unwrap_or_default();
        Ok(pending
            .into_iter()
            .filter(|(_, expiry)| *expiry > now)
            .map(|(id, _)| id)
            .collect())
    }
}

impl RequestTracker for MemoryRequestTracker {
    fn remember<'a>(
        &'a self,
        key: &'a TrackerKey,
        id: &'a RequestId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(
            self.remember_now(key, id, expires_at, now),
        ))
    }

    fn take<'a>(
        &'a self,
        key: &'a TrackerKey,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<RequestId>> {
        Box::pin(std::future::ready(self.take_now(key, now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    }

    fn id(n: usize) -> RequestId {
        RequestId::new(format!("id{n:032x}")).unwrap()
    }

    fn key(browser: &str) -> TrackerKey {
        TrackerKey::new("acme", browser).unwrap()
    }

    fn remember(
        tracker: &MemoryRequestTracker,
        browser: &str,
        id: &RequestId,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        ready(RequestTracker::remember(
            tracker,
            &key(browser),
            id,
            expires,
            now,
        ))
    }

    #[test]
    fn remembers_and_takes_once() {
        let tracker = MemoryRequestTracker::new(4);
        let later = t0() + TimeDelta::seconds(30);
        remember(&tracker, "b1", &id(1), t0() + TimeDelta::minutes(10), t0()).unwrap();
        remember(&tracker, "b1", &id(2), t0() + TimeDelta::minutes(10), t0()).unwrap();
        assert_eq!(
            ready(RequestTracker::take(&tracker, &key("b1"), later)).unwrap(),
            vec![id(1), id(2)]
        );
        assert!(
            ready(RequestTracker::take(&tracker, &key("b1"), later))
                .unwrap()
                .is_empty()
        );
        assert!(tracker.is_empty());
    }

    #[test]
    fn keys_are_separate_per_team_and_browser() {
        let tracker = MemoryRequestTracker::new(4);
        let exp = t0() + TimeDelta::minutes(10);
        remember(&tracker, "b1", &id(1), exp, t0()).unwrap();
        let other_team = TrackerKey::new("globex", "b1").unwrap();
        assert!(
            ready(RequestTracker::take(&tracker, &other_team, t0()))
                .unwrap()
                .is_empty()
        );
        assert!(
            ready(RequestTracker::take(&tracker, &key("b2"), t0()))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            ready(RequestTracker::take(&tracker, &key("b1"), t0())).unwrap(),
            vec![id(1)]
        );
    }

    #[test]
    fn tracker_key_parts_cannot_be_shifted() {
        // Length-prefixed parts: ("ab", "c") and ("a", "bc") differ.
        assert_ne!(
            TrackerKey::new("ab", "c").unwrap(),
            TrackerKey::new("a", "bc").unwrap()
        );
    }

    #[test]
    fn expired_ids_are_not_returned() {
        let tracker = MemoryRequestTracker::new(4);
        remember(&tracker, "b1", &id(1), t0() + TimeDelta::seconds(60), t0()).unwrap();
        remember(&tracker, "b1", &id(2), t0() + TimeDelta::seconds(600), t0()).unwrap();
        let later = t0() + TimeDelta::seconds(60);
        assert_eq!(
            ready(RequestTracker::take(&tracker, &key("b1"), later)).unwrap(),
            vec![id(2)]
        );
    }

    #[test]
    fn at_most_eight_per_key_oldest_dropped() {
        let tracker = MemoryRequestTracker::new(4);
        let exp = t0() + TimeDelta::minutes(10);
        for n in 0..20 {
            remember(&tracker, "b1", &id(n), exp, t0()).unwrap();
        }
        let taken = ready(RequestTracker::take(&tracker, &key("b1"), t0())).unwrap();
        assert_eq!(taken, (12..20).map(id).collect::<Vec<_>>());
        assert_eq!(taken.len(), MAX_PENDING_REQUESTS);
    }

    #[test]
    fn same_id_twice_is_kept_once() {
        let tracker = MemoryRequestTracker::new(4);
        let exp = t0() + TimeDelta::minutes(10);
        remember(&tracker, "b1", &id(1), exp, t0()).unwrap();
        remember(&tracker, "b1", &id(1), exp, t0()).unwrap();
        assert_eq!(
            ready(RequestTracker::take(&tracker, &key("b1"), t0())).unwrap(),
            vec![id(1)]
        );
    }

    #[test]
    fn full_tracker_pushes_out_the_least_recent_browser() {
        let tracker = MemoryRequestTracker::new(2);
        let exp = t0() + TimeDelta::seconds(60);
        remember(&tracker, "b1", &id(1), exp, t0()).unwrap();
        remember(&tracker, "b2", &id(2), exp, t0()).unwrap();
        // b1 starts another sign-in: now b2 is the least recent.
        remember(&tracker, "b1", &id(4), exp, t0()).unwrap();
        remember(&tracker, "b3", &id(3), exp, t0()).unwrap();
        assert_eq!(tracker.len(), 2);
        let take = |b: &str| ready(RequestTracker::take(&tracker, &key(b), t0())).unwrap();
        assert!(take("b2").is_empty(), "b2 was pushed out");
        assert_eq!(take("b1"), vec![id(1), id(4)]);
        assert_eq!(take("b3"), vec![id(3)]);
        assert!(tracker.is_empty());
    }

    /// A flood of sign-in starts from new browsers (no key needed) never
    /// makes the tracker refuse, keeps it at its capacity, and costs the
    /// same per call whether it is full or not.
    #[test]
    fn flood_of_new_browsers_is_bounded_and_never_refused() {
        let tracker = MemoryRequestTracker::new(1_000);
        let exp = t0() + TimeDelta::minutes(10);
        remember(&tracker, "victim", &id(0), exp, t0()).unwrap();
        for n in 0..50_000 {
            remember(&tracker, &format!("flood-{n}"), &id(n + 1), exp, t0()).unwrap();
            assert!(tracker.len() <= 1_000);
            if n % 997 == 0 {
                // Some flooders come back: their keys are rewritten.
                remember(&tracker, &format!("flood-{n}"), &id(n + 2), exp, t0()).unwrap();
            }
        }
        assert_eq!(tracker.len(), 1_000);
        let order = tracker.lock().unwrap().order.len();
        assert!(order <= 2 * 1_000 + 64, "stale order entries kept: {order}");
        // The victim, least recent of all, was pushed out: its Response
        // will be refused, never accepted.
        assert!(
            ready(RequestTracker::take(&tracker, &key("victim"), t0()))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn capacity_zero_holds_one() {
        let tracker = MemoryRequestTracker::new(0);
        let exp = t0() + TimeDelta::seconds(60);
        remember(&tracker, "b1", &id(1), exp, t0()).unwrap();
        remember(&tracker, "b2", &id(2), exp, t0()).unwrap();
        assert_eq!(tracker.len(), 1);
    }

    #[test]
    fn expiry_not_after_now_is_refused() {
        let tracker = MemoryRequestTracker::new(2);
        for expires_at in [t0(), t0() - TimeDelta::seconds(1)] {
            let err = remember(&tracker, "b1", &id(1), expires_at, t0()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
        }
        assert!(tracker.is_empty());
    }

    #[test]
    fn tracker_key_refuses_empty_and_oversized_parts() {
        for (team, browser) in [("", "b"), ("t", "")] {
            assert_eq!(
                TrackerKey::new(team, browser).unwrap_err().kind(),
                ErrorKind::ConfigInvalid
            );
        }
        let long = "x".repeat(257);
        for (team, browser) in [(long.as_str(), "b"), ("t", long.as_str())] {
            assert_eq!(
                TrackerKey::new(team, browser).unwrap_err().kind(),
                ErrorKind::InputTooLarge
            );
        }
        assert!(TrackerKey::new(&"x".repeat(256), "b").is_ok());
    }

    #[test]
    fn poisoned_lock_fails_closed() {
        let tracker = std::sync::Arc::new(MemoryRequestTracker::new(2));
        let t = tracker.clone();
        let _ = std::thread::spawn(move || {
            let _guard = t.entries.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        let exp = t0() + TimeDelta::seconds(60);
        let err = ready(RequestTracker::remember(
            &*tracker,
            &key("b1"),
            &id(1),
            exp,
            t0(),
        ))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RequestStoreUnavailable);
        let err = ready(RequestTracker::take(&*tracker, &key("b1"), t0())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RequestStoreUnavailable);
    }

    #[test]
    fn async_twin_matches_sync() {
        let tracker = MemoryRequestTracker::new(2);
        let exp = t0() + TimeDelta::seconds(60);
        block_on(RequestTracker::remember(
            &tracker,
            &key("b1"),
            &id(1),
            exp,
            t0(),
        ))
        .unwrap();
        let taken = block_on(RequestTracker::take(&tracker, &key("b1"), t0())).unwrap();
        assert_eq!(taken, vec![id(1)]);
    }

    /// The futures above are ready at once; poll them with a no-op waker.
    fn block_on<F: Future>(fut: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("memory tracker future was not ready"),
        }
    }
}
