//! The replay cache, the request tracker and the Single Logout session
//! registry on Redis (feature `redis`), so that several app instances
//! behind a load balancer share one-time use, request tracking and the
//! sessions an IdP's LogoutRequest ends.
//!
//! Keys (`<ns>` is the namespace given to [`RedisStore::open`]):
//!
//! | key | type | holds |
//! |---|---|---|
//! | `saml-sp:<ns>:replay:<ReplayKey>` | string `1` | a used assertion, `PX` until its NotOnOrAfter + skew |
//! | `saml-sp:<ns>:requests:<TrackerKey>` | sorted set | request IDs scored by expiry (Unix ms), `PEXPIRE` until the latest |
//! | `saml-sp:<ns>:sessions:<SessionKey>` | hash | app session ID -> `<expiry Unix ms>\|-` or `<expiry>\|+<SessionIndex>`, `PEXPIRE` until the latest |
//!
//! Every operation runs under a deadline (2 s by default) and every failure
//! (connection refused, timeout, a Redis error) is an error of kind
//! [`ErrorKind::ReplayCacheUnavailable`],
//! [`ErrorKind::RequestStoreUnavailable`] or
//! [`ErrorKind::SessionRegistryUnavailable`]: an unreachable Redis never lets
//! an assertion through. The connection is a [`ConnectionManager`], which
//! reconnects by itself once Redis is back.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, RedisResult, Script};

use super::sessions::check_value;
use super::{
    MAX_PENDING_REQUESTS, MAX_SESSIONS_PER_SUBJECT, RequestTracker, SessionKey, SessionRegistry,
    StoreFuture, TrackerKey, check_lifetime,
};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::RequestId;
use crate::store::{ReplayCache, ReplayKey};

/// Default deadline for one store operation, reconnection attempts included.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest namespace accepted, in bytes.
const MAX_NAMESPACE: usize = 64;

/// Remember one request: add it (score = expiry), drop expired IDs, keep
/// the newest `MAX_PENDING_REQUESTS`, let the key expire with its last ID.
/// Times are the caller's (Unix ms); the key's TTL is relative, so Redis's
/// own clock does not matter. ZADD comes first: Redis checks `maxmemory` at
/// a script's first write, and only ZADD is refused when out of memory.
const REMEMBER_LUA: &str = r"
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - tonumber(ARGV[3])))
return 1
";

/// Take every live request ID and delete the key, in one step.
const TAKE_LUA: &str = r"
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')
redis.call('DEL', KEYS[1])
return ids
";

/// Register one app session: write it first (the write Redis checks
/// `maxmemory` on), drop expired ones, refuse past the per-person cap, let
/// the key expire with its last session. ARGV: app session, value, now
/// (ms), cap, expiry (ms).
const REGISTER_LUA: &str = r"
local now = tonumber(ARGV[3])
local latest = tonumber(ARGV[5])
local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
local live = 0
for i = 1, #all, 2 do
  local exp = tonumber(string.match(all[i + 1], '^(%d+)|'))
  if all[i] ~= ARGV[1] then
    if exp == nil or exp <= now then
      redis.call('HDEL', KEYS[1], all[i])
    else
      live = live + 1
      if exp > latest then latest = exp end
    end
  end
end
if live >= tonumber(ARGV[4]) then
  if existed == 0 and live == 0 then redis.call('DEL', KEYS[1]) end
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.max(1, latest - now))
return 1
";

/// End the sessions a LogoutRequest names and return the live ones, in one
/// step. ARGV: now (ms), then the SessionIndexes (none: every session).
/// The SessionIndexes are put in a set once: the work is linear in them
/// (a comparison of each with each session held Redis, which every
/// instance waits on, for about 100 ms with 29,000 of them and 32
/// sessions).
const END_LUA: &str = r"
local now = tonumber(ARGV[1])
local wanted = {}
for j = 2, #ARGV do wanted['+' .. ARGV[j]] = true end
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local exp, index = string.match(all[i + 1], '^(%d+)|(.*)$')
  local hit = (#ARGV == 1) or (index == '-') or (index ~= nil and wanted[index] == true)
  if hit or exp == nil or tonumber(exp) <= now then
    redis.call('HDEL', KEYS[1], all[i])
    if hit and exp ~= nil and tonumber(exp) > now then table.insert(out, all[i]) end
  end
end
return out
";

/// A connection to Redis shared by [`RedisReplayCache`],
/// [`RedisRequestTracker`] and [`RedisSessionRegistry`]: a reconnecting
/// [`ConnectionManager`], the key namespace and the per-operation
/// deadline. Cheap to clone (one connection, multiplexed).
///
/// Running Redis for this:
/// - `maxmemory-policy noeviction`: an evicted replay key would let that
///   assertion be used again; with `noeviction` a full Redis refuses the
///   write, which is an error here (fail closed).
/// - Persistence (`appendonly yes`): a Redis restarted empty forgets the
///   assertions used in the last few minutes, and each could then be
///   replayed once until its NotOnOrAfter.
/// - TLS is not compiled in (`rediss://` URLs are refused): keep Redis on
///   loopback or a private network, with a password or ACL user in the URL.
///
/// ```no_run
/// # async fn demo() -> Result<(), saml_sp::Error> {
/// use std::sync::Arc;
/// use saml_sp::store::{RedisReplayCache, RedisRequestTracker, RedisSessionRegistry, RedisStore};
/// use saml_sp::team::LoginContext;
/// let store = RedisStore::open("redis://127.0.0.1:6379/", "my-app")?;
/// store.ping().await?; // optional health check at start-up
/// let replay = RedisReplayCache::new(store.clone());
/// let requests = RedisRequestTracker::new(store.clone());
/// // What the team facade (start_login, finish_login, ...) runs on:
/// let context = LoginContext::new(Arc::new(requests), Arc::new(replay))
///     .with_session_registry(Arc::new(RedisSessionRegistry::new(store)));
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    timeout: Duration,
    scripts: Arc<Scripts>,
}

struct Scripts {
    remember: Script,
    take: Script,
    register: Script,
    end: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`, with
    /// `redis://user:password@…` for ACL authentication), keys under
    /// `saml-sp:<namespace>:`, each operation bounded by 2 s.
    ///
    /// Connects lazily: this call does no I/O, so an app starts even while
    /// Redis is down (its logins then fail closed until Redis answers).
    /// Must be called inside a Tokio runtime (the connection manager runs a
    /// background task there).
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if the URL does not parse, the
    /// namespace is empty, longer than 64 bytes or not made of ASCII
    /// letters, digits, `-`, `_` and `.`, or there is no Tokio runtime.
    pub fn open(url: &str, namespace: &str) -> Result<Self> {
        Self::open_with_timeout(url, namespace, DEFAULT_TIMEOUT)
    }

    /// As [`open`](Self::open), with `timeout` as the deadline for one
    /// operation (connecting, reconnecting and the command together).
    ///
    /// # Errors
    /// As [`open`](Self::open); also [`ErrorKind::ConfigInvalid`] for a
    /// zero timeout.
    pub fn open_with_timeout(url: &str, namespace: &str, timeout: Duration) -> Result<Self> {
        let config_error = |detail: String| Error::new(ErrorKind::ConfigInvalid, detail);
        if namespace.is_empty()
            || namespace.len() > MAX_NAMESPACE
            || !namespace
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(config_error(format!(
                "Redis namespace {namespace:?} must be 1 to {MAX_NAMESPACE} ASCII letters, digits, '-', '_' or '.'"
            )));
        }
        if timeout.is_zero() {
            return Err(config_error("Redis timeout is zero".into()));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(config_error(
                "RedisStore::open must be called inside a Tokio runtime".into(),
            ));
        }
        // The URL may hold a password: never echo it.
        let client = Client::open(url)
            .map_err(|e| config_error(format!("Redis URL does not parse: {}", e.category())))?;
        let attempt = timeout.min(Duration::from_secs(1));
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(attempt))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(250));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| config_error(format!("Redis connection manager: {}", e.category())))?;
        Ok(Self {
            conn,
            prefix: format!("saml-sp:{namespace}:").into(),
            timeout,
            scripts: Arc::new(Scripts {
                remember: Script::new(REMEMBER_LUA),
                take: Script::new(TAKE_LUA),
                register: Script::new(REGISTER_LUA),
                end: Script::new(END_LUA),
            }),
        })
    }

    /// Sends `PING`: a health check for start-up or a readiness probe.
    ///
    /// # Errors
    /// [`ErrorKind::ReplayCacheUnavailable`] if Redis does not answer in
    /// time.
    pub async fn ping(&self) -> Result<()> {
        let reply: String = self
            .run(
                ErrorKind::ReplayCacheUnavailable,
                "PING",
                |mut conn| async move { redis::cmd("PING").query_async(&mut conn).await },
            )
            .await?;
        if reply == "PONG" {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::ReplayCacheUnavailable,
                "Redis PING: unexpected reply",
            ))
        }
    }

    fn key(&self, kind: &str, hex: &str) -> String {
        format!("{}{kind}:{hex}", self.prefix)
    }

    /// Runs one operation under the deadline. A refused connection (the
    /// command was never sent) is tried once more, so the first request
    /// after Redis returns does not fail on the manager's stale error; any
    /// other failure is returned as `kind`.
    async fn run<T, F, Fut>(&self, kind: ErrorKind, what: &str, op: F) -> Result<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempts = async {
            match op(self.conn.clone()).await {
                Err(e) if e.is_connection_refusal() => op(self.conn.clone()).await,
                other => other,
            }
        };
        match tokio::time::timeout(self.timeout, attempts).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(store_error(kind, what, &e)),
            Err(_) => Err(Error::new(
                kind,
                format!("Redis {what}: no answer within {:?}", self.timeout),
            )),
        }
    }
}

fn store_error(kind: ErrorKind, what: &str, e: &RedisError) -> Error {
    Error::new(kind, format!("Redis {what}: {e}"))
}

/// Milliseconds from `now` until `at`, at least 1.
fn millis_until(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (at - now).num_milliseconds().max(1)
}

/// [`ReplayCache`] on Redis: `SET saml-sp:<ns>:replay:<key> 1 NX PX
/// <ms until expiry>`, atomic across every instance sharing the Redis.
///
/// ```no_run
/// # async fn demo(assertion: saml_sp::VerifiedAssertion) -> Result<(), saml_sp::Error> {
/// use saml_sp::store::{RedisReplayCache, RedisStore};
/// use saml_sp::time::Utc;
/// let replay = RedisReplayCache::new(RedisStore::open("redis://127.0.0.1/", "my-app")?);
/// let fresh = assertion.check_replay_async(&replay, Utc::now()).await?;
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Debug, Clone)]
pub struct RedisReplayCache {
    store: RedisStore,
}

impl RedisReplayCache {
    /// The replay cache on `store`.
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }
}

impl ReplayCache for RedisReplayCache {
    /// # Errors
    /// [`ErrorKind::AssertionExpired`] if `expires_at` is not after `now`
    /// (nothing is recorded: fail closed); [`ErrorKind::ReplayCacheUnavailable`]
    /// if Redis fails or does not answer in time.
    fn insert_if_absent<'a>(
        &'a self,
        key: &'a ReplayKey,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        let redis_key = self.store.key("replay", key.as_str());
        let expired = expires_at <= now;
        let ttl = millis_until(expires_at, now);
        Box::pin(async move {
            if expired {
                return Err(Error::new(
                    ErrorKind::AssertionExpired,
                    format!("replay expiry {} is not after now", expires_at.to_rfc3339()),
                ));
            }
            let reply: Option<String> = self
                .store
                .run(ErrorKind::ReplayCacheUnavailable, "SET NX", |mut conn| {
                    let redis_key = redis_key.clone();
                    async move {
                        redis::cmd("SET")
                            .arg(redis_key)
                            .arg(1)
                            .arg("NX")
                            .arg("PX")
                            .arg(ttl)
                            .query_async(&mut conn)
                            .await
                    }
                })
                .await?;
            match reply.as_deref() {
                Some("OK") => Ok(true),
                None => Ok(false),
                Some(_) => Err(Error::new(
                    ErrorKind::ReplayCacheUnavailable,
                    "Redis SET NX: unexpected reply",
                )),
            }
        })
    }
}

/// [`RequestTracker`] on Redis: one sorted set per [`TrackerKey`],
/// changed only by Lua scripts (atomic: remember = prune + add + cap +
/// expire; take = read live IDs + delete), shared by every instance.
///
/// Over the cap of [`MAX_PENDING_REQUESTS`], the IDs that expire first are
/// dropped (the oldest, when every request gets the same lifetime); `take`
/// returns the IDs in expiry order.
///
/// ```no_run
/// # async fn demo() -> Result<(), saml_sp::Error> {
/// use saml_sp::RequestId;
/// use saml_sp::store::{RequestTracker, DEFAULT_REQUEST_LIFETIME, RedisRequestTracker, RedisStore, TrackerKey};
/// use saml_sp::time::Utc;
/// let tracker = RedisRequestTracker::new(RedisStore::open("redis://127.0.0.1/", "my-app")?);
/// let key = TrackerKey::new("acme", "browser-session-id")?;
/// let id = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// let now = Utc::now();
/// tracker.remember(&key, &id, now + DEFAULT_REQUEST_LIFETIME, now).await?;
/// let expected = tracker.take(&key, Utc::now()).await?; // at the ACS
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[derive(Debug, Clone)]
pub struct RedisRequestTracker {
    store: RedisStore,
}

impl RedisRequestTracker {
    /// The request tracker on `store`.
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }
}

impl RequestTracker for RedisRequestTracker {
    fn remember<'a>(
        &'a self,
        key: &'a TrackerKey,
        id: &'a RequestId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        let checked = check_lifetime(expires_at, now);
        let redis_key = self.store.key("requests", key.as_str());
        let id = id.as_str().to_owned();
        let (expires_ms, now_ms) = (expires_at.timestamp_millis(), now.timestamp_millis());
        Box::pin(async move {
            checked?;
            let _: i64 = self
                .store
                .run(
                    ErrorKind::RequestStoreUnavailable,
                    "remember",
                    |mut conn| {
                        let mut invocation = self.store.scripts.remember.key(&redis_key);
                        invocation
                            .arg(&id)
                            .arg(expires_ms)
                            .arg(now_ms)
                            .arg(MAX_PENDING_REQUESTS);
                        async move { invocation.invoke_async(&mut conn).await }
                    },
                )
                .await?;
            Ok(())
        })
    }

    fn take<'a>(
        &'a self,
        key: &'a TrackerKey,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<RequestId>> {
        let redis_key = self.store.key("requests", key.as_str());
        let now_ms = now.timestamp_millis();
        Box::pin(async move {
            let ids: Vec<String> = self
                .store
                .run(ErrorKind::RequestStoreUnavailable, "take", |mut conn| {
                    let mut invocation = self.store.scripts.take.key(&redis_key);
                    invocation.arg(now_ms);
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await?;
            ids.into_iter()
                .map(|id| {
                    RequestId::new(id).map_err(|e| {
                        Error::new(
                            ErrorKind::RequestStoreUnavailable,
                            format!("Redis take: stored request ID is not valid: {}", e.detail()),
                        )
                    })
                })
                .collect()
        })
    }
}

/// [`SessionRegistry`] on Redis: one hash per [`SessionKey`] (app session
/// ID -> expiry and `SessionIndex`), changed atomically (Lua scripts for
/// register and end, `HDEL` for unregister), shared by every instance.
///
/// Sessions live in the hash until their expiry (checked on each use) and
/// the hash until its last session's: no sweeper is needed.
///
/// ```no_run
/// # async fn demo() -> Result<(), saml_sp::Error> {
/// use saml_sp::store::{RedisSessionRegistry, RedisStore, SessionKey, SessionRegistry};
/// use saml_sp::time::Utc;
/// let registry = RedisSessionRegistry::new(RedisStore::open("redis://127.0.0.1/", "my-app")?);
/// let alice = SessionKey::new("acme", "https://idp.example.com", "alice@acme.example", None)?;
/// let now = Utc::now();
/// registry.register(&alice, Some("_s1"), "app-session-1", now + chrono::TimeDelta::hours(8), now).await?;
/// let ended = registry.end(&alice, &["_s1".to_owned()], Utc::now()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RedisSessionRegistry {
    store: RedisStore,
}

impl RedisSessionRegistry {
    /// The session registry on `store`.
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }
}

impl SessionRegistry for RedisSessionRegistry {
    fn register<'a>(
        &'a self,
        key: &'a SessionKey,
        session_index: Option<&'a str>,
        app_session: &'a str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        let checked = check_lifetime(expires_at, now)
            .and_then(|()| check_value("app session ID", app_session))
            .and_then(|()| session_index.map_or(Ok(()), |i| check_value("SessionIndex", i)));
        let redis_key = self.store.key("sessions", key.as_str());
        let (expires_ms, now_ms) = (expires_at.timestamp_millis(), now.timestamp_millis());
        let value = match session_index {
            Some(index) => format!("{expires_ms}|+{index}"),
            None => format!("{expires_ms}|-"),
        };
        Box::pin(async move {
            checked?;
            let stored: i64 = self
                .store
                .run(
                    ErrorKind::SessionRegistryUnavailable,
                    "register",
                    |mut conn| {
                        let mut invocation = self.store.scripts.register.key(&redis_key);
                        invocation
                            .arg(app_session)
                            .arg(&value)
                            .arg(now_ms)
                            .arg(MAX_SESSIONS_PER_SUBJECT)
                            .arg(expires_ms);
                        async move { invocation.invoke_async(&mut conn).await }
                    },
                )
                .await?;
            if stored == 1 {
                Ok(())
            } else {
                Err(Error::new(
                    ErrorKind::SessionRegistryUnavailable,
                    format!("this person already has {MAX_SESSIONS_PER_SUBJECT} live sessions"),
                ))
            }
        })
    }

    fn unregister<'a>(
        &'a self,
        key: &'a SessionKey,
        app_session: &'a str,
        _now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        let redis_key = self.store.key("sessions", key.as_str());
        Box::pin(async move {
            let removed: i64 = self
                .store
                .run(ErrorKind::SessionRegistryUnavailable, "HDEL", |mut conn| {
                    let redis_key = redis_key.clone();
                    async move {
                        redis::cmd("HDEL")
                            .arg(redis_key)
                            .arg(app_session)
                            .query_async(&mut conn)
                            .await
                    }
                })
                .await?;
            Ok(removed > 0)
        })
    }

    fn end<'a>(
        &'a self,
        key: &'a SessionKey,
        session_indexes: &'a [String],
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<String>> {
        let redis_key = self.store.key("sessions", key.as_str());
        let now_ms = now.timestamp_millis();
        Box::pin(async move {
            self.store
                .run(ErrorKind::SessionRegistryUnavailable, "end", |mut conn| {
                    let mut invocation = self.store.scripts.end.key(&redis_key);
                    invocation.arg(now_ms);
                    for index in session_indexes {
                        invocation.arg(index);
                    }
                    async move { invocation.invoke_async(&mut conn).await }
                })
                .await
        })
    }
}
