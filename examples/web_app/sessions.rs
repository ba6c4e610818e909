//! The app's sessions, kept on the server: the session cookie carries only
//! a random session ID (32 bytes, 64 hex digits), and the store holds the
//! session under its *handle*, the SHA-256 of the ID. So a Redis dump or the
//! session registry (which holds handles too) never shows a cookie value,
//! and a session ends for every instance the moment its entry is deleted:
//! an IdP's LogoutRequest handled by instance B ends a session created on
//! A, whatever cookie the browser still has.
//!
//! In memory for one process; on Redis (`web_app:<namespace>:session:<handle>`,
//! a JSON string with `PX` until the session ends) for several instances.
//! Every Redis operation runs under a 2 s deadline, and every failure is a
//! [`StoreDown`]: the request fails (503), it never passes as "signed in" or
//! "signed out".

use std::collections::HashMap;
use std::sync::Mutex;

use saml_sp::time::{DateTime, Utc};
use saml_sp::{Csprng as _, OsRng};
use sha2::{Digest as _, Sha256};

use crate::state::Session;

/// At most this many live sessions in memory; past it, a sign-in fails
/// closed (503) rather than evicting someone's session.
const MEMORY_CAPACITY: usize = 100_000;

/// The store failed or did not answer in time (503).
#[derive(Debug)]
pub(crate) struct StoreDown(pub(crate) String);

/// A new session ID: 32 random bytes, as 64 hex digits.
pub(crate) fn new_session_id() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_random(&mut bytes);
    hex(&bytes)
}

/// A new sign-out CSRF token: 16 random bytes, as 32 hex digits.
pub(crate) fn new_csrf_token() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_random(&mut bytes);
    hex(&bytes)
}

/// Whether the token posted with the sign-out form is the session's
/// (compared in constant time).
pub(crate) fn csrf_matches(session: &Session, posted: Option<&str>) -> bool {
    use subtle::ConstantTimeEq as _;
    posted.is_some_and(|p| {
        p.len() == session.csrf.len() && bool::from(p.as_bytes().ct_eq(session.csrf.as_bytes()))
    })
}

/// The handle a session is stored (and registered for Single Logout)
/// under: SHA-256 of its ID, 64 hex digits.
pub(crate) fn handle(session_id: &str) -> String {
    hex(&Sha256::digest(session_id.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) enum SessionStore {
    Memory(Mutex<HashMap<String, Session>>),
    #[cfg(feature = "redis")]
    Redis(redis_store::RedisSessions),
}

impl SessionStore {
    pub(crate) fn in_memory() -> Self {
        Self::Memory(Mutex::new(HashMap::new()))
    }

    #[cfg(feature = "redis")]
    pub(crate) fn redis(url: &str, namespace: &str) -> Result<Self, String> {
        redis_store::RedisSessions::open(url, namespace).map(Self::Redis)
    }

    fn lock(
        map: &Mutex<HashMap<String, Session>>,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, Session>>, StoreDown> {
        map.lock()
            .map_err(|_| StoreDown("session table lock poisoned".into()))
    }

    /// Stores `session` under `handle` until it ends.
    pub(crate) async fn create(
        &self,
        handle: &str,
        session: &Session,
        now: DateTime<Utc>,
    ) -> Result<(), StoreDown> {
        match self {
            Self::Memory(map) => {
                let mut map = Self::lock(map)?;
                if map.len() >= MEMORY_CAPACITY {
                    map.retain(|_, s| s.expires > now.timestamp());
                    if map.len() >= MEMORY_CAPACITY {
                        return Err(StoreDown(format!(
                            "{MEMORY_CAPACITY} live sessions in memory"
                        )));
                    }
                }
                map.insert(handle.to_owned(), session.clone());
                Ok(())
            }
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.create(handle, session, now).await,
        }
    }

    /// The live session stored under `handle`, if any.
    pub(crate) async fn get(
        &self,
        handle: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreDown> {
        let session = match self {
            Self::Memory(map) => Self::lock(map)?.get(handle).cloned(),
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.get(handle).await?,
        };
        Ok(session.filter(|s| s.expires > now.timestamp()))
    }

    /// Ends the sessions stored under `handles`; resolves to how many
    /// there were.
    pub(crate) async fn destroy(&self, handles: &[String]) -> Result<usize, StoreDown> {
        if handles.is_empty() {
            return Ok(0);
        }
        match self {
            Self::Memory(map) => {
                let mut map = Self::lock(map)?;
                Ok(handles.iter().filter(|h| map.remove(*h).is_some()).count())
            }
            #[cfg(feature = "redis")]
            Self::Redis(redis) => redis.destroy(handles).await,
        }
    }
}

#[cfg(feature = "redis")]
mod redis_store {
    use std::future::Future;
    use std::time::Duration;

    use redis::aio::{ConnectionManager, ConnectionManagerConfig};
    use saml_sp::time::{DateTime, Utc};

    use super::StoreDown;
    use crate::state::Session;

    /// The deadline of one operation, reconnection included.
    const TIMEOUT: Duration = Duration::from_secs(2);

    pub(crate) struct RedisSessions {
        conn: ConnectionManager,
        prefix: String,
    }

    impl RedisSessions {
        /// Connects lazily (no I/O here): the app starts while Redis is
        /// down, and its requests fail closed until Redis answers. Inside
        /// the Tokio runtime.
        pub(crate) fn open(url: &str, namespace: &str) -> Result<Self, String> {
            // The URL may hold a password: never echo it.
            let client = redis::Client::open(url)
                .map_err(|e| format!("redis sessions: URL does not parse: {}", e.category()))?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(Duration::from_secs(1)))
                .set_response_timeout(Some(TIMEOUT))
                .set_number_of_retries(2)
                .set_min_delay(Duration::from_millis(50))
                .set_max_delay(Duration::from_millis(250));
            let conn = ConnectionManager::new_lazy_with_config(client, config)
                .map_err(|e| format!("redis sessions: {}", e.category()))?;
            Ok(Self {
                conn,
                prefix: format!("web_app:{namespace}:session:"),
            })
        }

        async fn run<T, F, Fut>(&self, what: &str, op: F) -> Result<T, StoreDown>
        where
            F: FnOnce(ConnectionManager) -> Fut,
            Fut: Future<Output = redis::RedisResult<T>>,
        {
            match tokio::time::timeout(TIMEOUT, op(self.conn.clone())).await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(e)) => Err(StoreDown(format!("Redis {what}: {e}"))),
                Err(_) => Err(StoreDown(format!(
                    "Redis {what}: no answer within {TIMEOUT:?}"
                ))),
            }
        }

        pub(crate) async fn create(
            &self,
            handle: &str,
            session: &Session,
            now: DateTime<Utc>,
        ) -> Result<(), StoreDown> {
            let json = serde_json::to_string(session)
                .map_err(|e| StoreDown(format!("session JSON: {e}")))?;
            let millis = (session.expires - now.timestamp()).max(1) * 1000;
            let key = format!("{}{handle}", self.prefix);
            self.run("SET", |mut conn| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(json)
                    .arg("PX")
                    .arg(millis)
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await
        }

        /// A stored value that does not parse is treated as a failure of
        /// the store (503), never as a session.
        pub(crate) async fn get(&self, handle: &str) -> Result<Option<Session>, StoreDown> {
            let key = format!("{}{handle}", self.prefix);
            let json: Option<String> = self
                .run("GET", |mut conn| async move {
                    redis::cmd("GET").arg(key).query_async(&mut conn).await
                })
                .await?;
            json.map(|j| {
                serde_json::from_str(&j).map_err(|e| StoreDown(format!("stored session: {e}")))
            })
            .transpose()
        }

        pub(crate) async fn destroy(&self, handles: &[String]) -> Result<usize, StoreDown> {
            let keys: Vec<String> = handles
                .iter()
                .map(|h| format!("{}{h}", self.prefix))
                .collect();
            let removed: i64 = self
                .run("DEL", |mut conn| async move {
                    redis::cmd("DEL").arg(keys).query_async(&mut conn).await
                })
                .await?;
            Ok(usize::try_from(removed).unwrap_or(0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::SessionNameId;

    fn session(expires: i64) -> Session {
        Session {
            team: "acme".into(),
            email: "alice@acme.example".into(),
            name: None,
            role: "member".into(),
            email_verification_pending: false,
            idp_initiated: false,
            encrypted: false,
            expires,
            name_id: SessionNameId {
                value: "alice@acme.example".into(),
                format: None,
                name_qualifier: None,
                sp_name_qualifier: None,
            },
            session_index: Some("_s1".into()),
            csrf: "00".repeat(16),
        }
    }

    #[test]
    fn only_the_sessions_own_csrf_token_signs_out() {
        let s = session(0);
        assert!(csrf_matches(&s, Some(&s.csrf)));
        let other = new_csrf_token();
        assert_eq!(other.len(), 32);
        assert_ne!(other, s.csrf);
        for bad in [None, Some(""), Some(other.as_str()), Some(&s.csrf[..31])] {
            assert!(!csrf_matches(&s, bad), "{bad:?}");
        }
        let longer = format!("{}0", s.csrf);
        assert!(!csrf_matches(&s, Some(&longer)));
    }

    #[tokio::test]
    async fn sessions_are_stored_under_their_handle_and_end_when_destroyed() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let store = SessionStore::in_memory();
        let id = new_session_id();
        assert_eq!(id.len(), 64);
        assert_ne!(id, new_session_id());
        let h = handle(&id);
        assert_eq!(h.len(), 64);
        assert_ne!(h, id);
        store
            .create(&h, &session(now.timestamp() + 60), now)
            .await
            .unwrap();
        assert!(store.get(&h, now).await.unwrap().is_some());
        // Only the handle finds it, never the ID itself.
        assert!(store.get(&id, now).await.unwrap().is_none());
        // Past its end: gone.
        let later = now + chrono::TimeDelta::seconds(60);
        assert!(store.get(&h, later).await.unwrap().is_none());
        assert_eq!(store.destroy(&[h.clone(), "x".into()]).await.unwrap(), 1);
        assert!(store.get(&h, now).await.unwrap().is_none());
        assert_eq!(store.destroy(&[h]).await.unwrap(), 0);
    }
}
