//! The session registry: which of the app's sessions belong to a person
//! signed in through a team's IdP, so that a LogoutRequest from the IdP
//! (which names a person and session indexes, never the app's cookie) can
//! end them.
//!
//! At sign-in the app registers its new session under a [`SessionKey`]
//! (team + IdP entity ID + NameID value and format) with the assertion's
//! `SessionIndex`. When the IdP sends a verified LogoutRequest, the app
//! asks the registry to [`end`](SessionRegistry::end) the sessions it
//! names and destroys the app sessions returned. When the user signs out
//! at the app first, the app [`unregister`](SessionRegistry::unregister)s
//! its session.
//!
//! Which sessions a LogoutRequest ends (SAML core 3.7.3.2): with no
//! `SessionIndex`, every session of the person; with `SessionIndex`es, the
//! sessions registered under one of them, and also every session registered
//! without one (its sign-in carried no index, so it cannot be told apart,
//! and a logout is the safe side).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::{StoreFuture, check_lifetime};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::hashed_key;

/// How many live sessions one person may have registered per team and IdP;
/// registering one more fails closed (expired sessions are dropped first).
pub const MAX_SESSIONS_PER_SUBJECT: usize = 32;

/// Longest app session ID or `SessionIndex` the registry takes, in bytes.
pub const MAX_SESSION_VALUE: usize = 1024;

/// `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`: what a NameID
/// without `Format` has (SAML core 8.3.1).
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

/// Where a person's sessions are registered: the SHA-256 (hex) of the team,
/// the IdP's entity ID, the NameID's value and its `Format` (absent is
/// `unspecified`). Two teams or two IdPs never share an entry; the key is
/// safe to use verbatim in any store.
///
/// The qualifiers (`NameQualifier`, `SPNameQualifier`) are not part of the
/// key: they name the IdP and the SP, which the team and the IdP entity ID
/// already fix, and IdPs differ in whether they repeat them in a
/// LogoutRequest.
///
/// ```
/// use saml_sp::store::SessionKey;
/// let idp = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
/// let a = SessionKey::new("acme", idp, "alice@acme.example", None)?;
/// let b = SessionKey::new("acme", idp, "alice@acme.example",
///     Some("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"))?;
/// assert_eq!(a, b);
/// assert_ne!(a, SessionKey::new("globex", idp, "alice@acme.example", None)?);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionKey(String);

impl SessionKey {
    /// The key of the person `name_id` (with `format`) signed in to `team`
    /// through the IdP `idp_entity_id`.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if a part is empty;
    /// [`ErrorKind::InputTooLarge`] if one is longer than 1024 bytes.
    pub fn new(
        team: &str,
        idp_entity_id: &str,
        name_id: &str,
        format: Option<&str>,
    ) -> Result<Self> {
        let format = format.unwrap_or(UNSPECIFIED);
        for (what, part) in [
            ("team", team),
            ("IdP entity ID", idp_entity_id),
            ("NameID", name_id),
            ("NameID format", format),
        ] {
            if part.is_empty() {
                return Err(Error::new(
                    ErrorKind::ConfigInvalid,
                    format!("session key: {what} is empty"),
                ));
            }
            if part.len() > MAX_SESSION_VALUE {
                return Err(Error::new(
                    ErrorKind::InputTooLarge,
                    format!("session key: {what} is longer than {MAX_SESSION_VALUE} bytes"),
                ));
            }
        }
        Ok(Self(hashed_key(
            "saml-sp session v1",
            &[team, idp_entity_id, name_id, format],
        )))
    }

    /// The key as 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses an empty or over-long app session ID or session index.
pub(crate) fn check_value(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::new(
            ErrorKind::ConfigInvalid,
            format!("session registry: {what} is empty"),
        ));
    }
    if value.len() > MAX_SESSION_VALUE {
        return Err(Error::new(
            ErrorKind::InputTooLarge,
            format!("session registry: {what} is longer than {MAX_SESSION_VALUE} bytes"),
        ));
    }
    Ok(())
}

/// A store of the app sessions each person has, by [`SessionKey`] and
/// `SessionIndex`.
///
/// Implementations must be atomic and fail closed: a storage failure is an
/// error ([`ErrorKind::SessionRegistryUnavailable`], a
/// [`Transient`](crate::error::ErrorClass::Transient) kind), never "no
/// sessions": an app that cannot look up the sessions to end must not
/// answer the IdP that the logout succeeded.
pub trait SessionRegistry: Send + Sync {
    /// Registers the app session `app_session` of the person `key`, signed
    /// in with `session_index` (the assertion's `SessionIndex`, if any),
    /// until `expires_at` (the app session's end). Registering the same app
    /// session again replaces its entry.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if `expires_at` is not after `now` or a
    /// value is empty; [`ErrorKind::InputTooLarge`] for a value over
    /// [`MAX_SESSION_VALUE`] bytes; [`ErrorKind::SessionRegistryUnavailable`]
    /// when the person already has [`MAX_SESSIONS_PER_SUBJECT`] live
    /// sessions, the store is full, or it fails.
    fn register<'a>(
        &'a self,
        key: &'a SessionKey,
        session_index: Option<&'a str>,
        app_session: &'a str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;

    /// Forgets one app session (the user signed out at the app). Resolves
    /// to whether it was registered.
    ///
    /// # Errors
    /// [`ErrorKind::SessionRegistryUnavailable`] when the store fails.
    fn unregister<'a>(
        &'a self,
        key: &'a SessionKey,
        app_session: &'a str,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool>;

    /// Removes and returns the live app sessions a LogoutRequest for `key`
    /// with `session_indexes` ends (see the module docs: every session when
    /// the list is empty; otherwise those with one of the indexes and those
    /// registered without one), oldest registration first. One-time: the
    /// same call again returns nothing.
    ///
    /// # Errors
    /// [`ErrorKind::SessionRegistryUnavailable`] when the store fails.
    fn end<'a>(
        &'a self,
        key: &'a SessionKey,
        session_indexes: &'a [String],
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<String>>;
}

#[derive(Debug, Clone)]
struct Entry {
    app_session: String,
    session_index: Option<String>,
    expires_at: DateTime<Utc>,
}

/// Whether a LogoutRequest with `indexes` ends a session registered with
/// `registered`.
pub(crate) fn is_ended_by(registered: Option<&str>, indexes: &[String]) -> bool {
    match registered {
        None => true,
        Some(index) => indexes.is_empty() || indexes.iter().any(|i| i == index),
    }
}

/// A bounded in-memory session registry for a single process.
///
/// Holds at most `capacity` people (keys), each with at most
/// [`MAX_SESSIONS_PER_SUBJECT`] sessions. When full, people whose sessions
/// all expired are dropped; if it is still full, registering fails with
/// [`ErrorKind::SessionRegistryUnavailable`] (fail closed: the sign-in is
/// refused rather than a session the IdP could not end).
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use saml_sp::store::{MemorySessionRegistry, SessionKey, SessionRegistry, ready};
///
/// let registry = MemorySessionRegistry::new(10_000);
/// let now = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
/// let alice = SessionKey::new("acme", "https://idp.example.com", "alice@acme.example", None)?;
/// let until = now + TimeDelta::hours(8);
/// ready(registry.register(&alice, Some("_s1"), "app-session-1", until, now))?;
/// ready(registry.register(&alice, Some("_s2"), "app-session-2", until, now))?;
///
/// // The IdP ends the sign-in with SessionIndex _s1.
/// let ended = ready(registry.end(&alice, &["_s1".to_owned()], now))?;
/// assert_eq!(ended, ["app-session-1"]);
/// assert!(ready(registry.end(&alice, &["_s1".to_owned()], now))?.is_empty());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug)]
pub struct MemorySessionRegistry {
    capacity: usize,
    entries: Mutex<HashMap<SessionKey, Vec<Entry>>>,
}

impl MemorySessionRegistry {
    /// A registry holding at most `capacity` people.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// How many people are held (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether the registry holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<SessionKey, Vec<Entry>>>> {
        self.entries.lock().map_err(|_| {
            Error::new(
                ErrorKind::SessionRegistryUnavailable,
                "session registry lock poisoned",
            )
        })
    }

    fn register_now(
        &self,
        key: &SessionKey,
        session_index: Option<&str>,
        app_session: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_lifetime(expires_at, now)?;
        check_value("app session ID", app_session)?;
        if let Some(index) = session_index {
            check_value("SessionIndex", index)?;
        }
        let mut entries = self.lock()?;
        if !entries.contains_key(key) && entries.len() >= self.capacity {
            entries.retain(|_, sessions| sessions.iter().any(|e| e.expires_at > now));
            if entries.len() >= self.capacity {
                return Err(Error::new(
                    ErrorKind::SessionRegistryUnavailable,
                    format!("session registry full ({} live people)", self.capacity),
                ));
            }
        }
        let sessions = entries.entry(key.clone()).or_default();
        sessions.retain(|e| e.expires_at > now && e.app_session != app_session);
        if sessions.len() >= MAX_SESSIONS_PER_SUBJECT {
            return Err(Error::new(
                ErrorKind::SessionRegistryUnavailable,
                format!("this person already has {MAX_SESSIONS_PER_SUBJECT} live sessions"),
            ));
        }
        sessions.push(Entry {
            app_session: app_session.to_owned(),
            session_index: session_index.map(str::to_owned),
            expires_at,
        });
        Ok(())
    }

    fn unregister_now(
        &self,
        key: &SessionKey,
        app_session: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut entries = self.lock()?;
        let Some(sessions) = entries.get_mut(key) else {
            return Ok(false);
        };
        let mut found = false;
        sessions.retain(|e| {
            let this = e.app_session == app_session;
            found |= this && e.expires_at > now;
            !this && e.expires_at > now
        });
        if sessions.is_empty() {
            entries.remove(key);
        }
        Ok(found)
    }

    fn end_now(
        &self,
        key: &SessionKey,
        indexes: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let mut entries = self.lock()?;
        let Some(sessions) = entries.get_mut(key) else {
            return Ok(Vec::new());
        };
        let mut ended = Vec::new();
        sessions.retain(|e| {
            if e.expires_at <= now {
                return false;
            }
            if is_ended_by(e.session_index.as_deref(), indexes) {
                ended.push(e.app_session.clone());
                return false;
            }
            true
        });
        if sessions.is_empty() {
            entries.remove(key);
        }
        Ok(ended)
    }
}

impl SessionRegistry for MemorySessionRegistry {
    fn register<'a>(
        &'a self,
        key: &'a SessionKey,
        session_index: Option<&'a str>,
        app_session: &'a str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        Box::pin(std::future::ready(self.register_now(
            key,
            session_index,
            app_session,
            expires_at,
            now,
        )))
    }

    fn unregister<'a>(
        &'a self,
        key: &'a SessionKey,
        app_session: &'a str,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, bool> {
        Box::pin(std::future::ready(self.unregister_now(
            key,
            app_session,
            now,
        )))
    }

    fn end<'a>(
        &'a self,
        key: &'a SessionKey,
        session_indexes: &'a [String],
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Vec<String>> {
        Box::pin(std::future::ready(self.end_now(key, session_indexes, now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ready;
    use chrono::{TimeDelta, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    }

    fn key(who: &str) -> SessionKey {
        SessionKey::new("acme", "urn:idp", who, None).unwrap()
    }

    fn idx(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn end_by_index_all_and_unindexed() {
        let r = MemorySessionRegistry::new(4);
        let until = t0() + TimeDelta::hours(1);
        ready(r.register(&key("a"), Some("s1"), "app1", until, t0())).unwrap();
        ready(r.register(&key("a"), Some("s2"), "app2", until, t0())).unwrap();
        ready(r.register(&key("a"), None, "app3", until, t0())).unwrap();
        ready(r.register(&key("b"), Some("s1"), "app4", until, t0())).unwrap();
        // s2 ends app2 and the unindexed app3; not app1, not b's.
        assert_eq!(
            ready(r.end(&key("a"), &idx(&["s2"]), t0())).unwrap(),
            ["app2", "app3"]
        );
        // No index: everything left of a.
        assert_eq!(ready(r.end(&key("a"), &[], t0())).unwrap(), ["app1"]);
        assert!(ready(r.end(&key("a"), &[], t0())).unwrap().is_empty());
        assert_eq!(
            ready(r.end(&key("b"), &idx(&["x", "s1"]), t0())).unwrap(),
            ["app4"]
        );
        assert!(r.is_empty());
    }

    #[test]
    fn expired_sessions_are_not_returned_and_unregister_works() {
        let r = MemorySessionRegistry::new(4);
        ready(r.register(
            &key("a"),
            Some("s1"),
            "old",
            t0() + TimeDelta::seconds(5),
            t0(),
        ))
        .unwrap();
        ready(r.register(
            &key("a"),
            Some("s1"),
            "new",
            t0() + TimeDelta::hours(1),
            t0(),
        ))
        .unwrap();
        assert!(ready(r.unregister(&key("a"), "new", t0())).unwrap());
        assert!(!ready(r.unregister(&key("a"), "new", t0())).unwrap());
        let later = t0() + TimeDelta::seconds(5);
        assert!(ready(r.end(&key("a"), &[], later)).unwrap().is_empty());
    }

    #[test]
    fn per_person_cap_and_capacity_fail_closed() {
        let r = MemorySessionRegistry::new(1);
        let until = t0() + TimeDelta::hours(1);
        for n in 0..MAX_SESSIONS_PER_SUBJECT {
            ready(r.register(&key("a"), None, &format!("app{n}"), until, t0())).unwrap();
        }
        let err = ready(r.register(&key("a"), None, "one-more", until, t0())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
        // Re-registering an existing session is a replacement, not one more.
        ready(r.register(&key("a"), Some("s"), "app0", until, t0())).unwrap();
        let err = ready(r.register(&key("b"), None, "b1", until, t0())).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
        // Once a's sessions expired, b gets in.
        let later = until + TimeDelta::seconds(1);
        ready(r.register(&key("b"), None, "b1", later + TimeDelta::hours(1), later)).unwrap();
    }

    #[test]
    fn bad_values_are_refused() {
        let r = MemorySessionRegistry::new(4);
        let until = t0() + TimeDelta::hours(1);
        assert_eq!(
            ready(r.register(&key("a"), None, "", until, t0()))
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
        assert_eq!(
            ready(r.register(&key("a"), Some(""), "app", until, t0()))
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
        assert_eq!(
            ready(r.register(&key("a"), None, "app", t0(), t0()))
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
        let long = "x".repeat(MAX_SESSION_VALUE + 1);
        assert_eq!(
            ready(r.register(&key("a"), None, &long, until, t0()))
                .unwrap_err()
                .kind(),
            ErrorKind::InputTooLarge
        );
        assert_eq!(
            SessionKey::new("acme", "urn:idp", "", None)
                .unwrap_err()
                .kind(),
            ErrorKind::ConfigInvalid
        );
    }

    #[test]
    fn poisoned_lock_fails_closed() {
        let r = std::sync::Arc::new(MemorySessionRegistry::new(2));
        let t = r.clone();
        let _ = std::thread::spawn(move || {
            let _guard = t.entries.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        let until = t0() + TimeDelta::hours(1);
        for err in [
            ready(r.register(&key("a"), None, "app", until, t0())).unwrap_err(),
            ready(r.end(&key("a"), &[], t0())).unwrap_err(),
            ready(r.unregister(&key("a"), "app", t0())).unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
        }
    }
}
