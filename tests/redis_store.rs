//! RedisReplayCache and RedisRequestTracker against a real redis-server
//! (Debian package `redis-server`), started by each test on 127.0.0.1 at a
//! free port in a temp dir and killed by PID when the test ends (also on
//! failure). Two `RedisStore`s on one server stand for two app instances.
//!
//! The tests that need redis-server are `#[ignore]`d, so a plain `cargo test`
//! lists them as ignored (with the reason) instead of passing without having
//! run; `cargo test --features redis --test redis_store -- --include-ignored`
//! runs them (.ci/run does, after installing redis-server), and then a
//! missing redis-server is a failure.
#![cfg(feature = "redis")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use saml_sp::store::{
    MAX_PENDING_REQUESTS, MAX_SESSIONS_PER_SUBJECT, RedisReplayCache, RedisRequestTracker,
    RedisSessionRegistry, RedisStore, ReplayCache, ReplayKey, RequestTracker, SessionKey,
    SessionRegistry, TrackerKey,
};
use saml_sp::time::Utc;
use saml_sp::{ErrorKind, RequestId};

// ---- the redis-server under test ---------------------------------------------

/// A redis-server of our own: no persistence, loopback only, killed by PID
/// on drop.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts a server; panics when redis-server is not installed.
    fn start() -> Self {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
        {
            panic!("redis-server is not installed: apt-get install redis-server");
        }
        // A port the kernel says is free; retry if someone takes it first.
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let dir =
                std::env::temp_dir().join(format!("saml-sp-redis-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let mut server = Self {
                child: None,
                port,
                dir,
            };
            if server.spawn() {
                return server;
            }
        }
        panic!("could not start redis-server (see the logs above)");
    }

    /// (Re)starts redis-server on `self.port`; true once it answers PING.
    fn spawn(&mut self) -> bool {
        assert!(self.child.is_none());
        let log = std::fs::File::create(self.dir.join("redis.log")).unwrap();
        let child = Command::new("redis-server")
            .args(["--save", "", "--appendonly", "no"])
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if ping(self.port) {
                return true;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                eprintln!(
                    "redis-server on port {} exited with {status}:\n{}",
                    self.port,
                    std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
                );
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop();
        false
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Kills the server by PID (SIGKILL) and reaps it.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends `signal` (e.g. "STOP", "CONT") to the server's PID.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            // A SIGSTOPped server must be woken to die promptly on SIGKILL
            // (it would anyway, but CONT keeps the state clean).
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(child.id().to_string())
                .stderr(Stdio::null())
                .status();
        }
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// PING over a raw socket: does a server answer on `port`?
fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// One app instance's connection, under `namespace`.
fn instance(server: &RedisServer, namespace: &str) -> RedisStore {
    RedisStore::open(&server.url(), namespace).unwrap()
}

/// A raw client, to look at what the store wrote.
async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

// ---- fixtures ----------------------------------------------------------------

mod common;
use common::{REQUEST, fixtures, now as pinned_now, verifier};

fn response_xml() -> Vec<u8> {
    std::fs::read(fixtures().join("dsig/assertion-signed.xml")).unwrap()
}

/// A replay key of a real verified assertion.
fn some_replay_key() -> ReplayKey {
    verifier()
        .verify(
            &response_xml(),
            &[RequestId::new(REQUEST).unwrap()],
            pinned_now(),
        )
        .unwrap()
        .replay_key()
}

fn id(n: usize) -> RequestId {
    RequestId::new(format!("id{n:032x}")).unwrap()
}

// ---- replay cache --------------------------------------------------------------

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn replay_first_use_true_then_false_on_every_instance() {
    let server = RedisServer::start();
    let a = RedisReplayCache::new(instance(&server, "app"));
    let b = RedisReplayCache::new(instance(&server, "app"));
    let key = some_replay_key();
    let now = Utc::now();
    let expires = now + TimeDelta::seconds(300);
    assert!(a.insert_if_absent(&key, expires, now).await.unwrap());
    assert!(!a.insert_if_absent(&key, expires, now).await.unwrap());
    assert!(!b.insert_if_absent(&key, expires, now).await.unwrap());

    // Stored under the documented name, with the expiry as a TTL.
    let mut conn = raw(&server).await;
    let name = format!("saml-sp:app:replay:{}", key.as_str());
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&name)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((299_000..=300_000).contains(&ttl), "PTTL {ttl}");

    // Another namespace (another app on the same Redis) is separate.
    let other = RedisReplayCache::new(instance(&server, "other-app"));
    assert!(other.insert_if_absent(&key, expires, now).await.unwrap());
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn verified_assertion_accepted_by_one_instance_refused_by_the_other() {
    let server = RedisServer::start();
    let instance_a = instance(&server, "app");
    let instance_b = instance(&server, "app");
    let tracker_a = RedisRequestTracker::new(instance_a.clone());
    let tracker_b = RedisRequestTracker::new(instance_b.clone());
    let replay_a = RedisReplayCache::new(instance_a);
    let replay_b = RedisReplayCache::new(instance_b);
    let now = pinned_now();
    let browser = TrackerKey::new("acme", "browser-1").unwrap();

    // /init on instance A remembers the request; the ACS POST lands on B.
    let request = RequestId::new(REQUEST).unwrap();
    tracker_a
        .remember(&browser, &request, now + TimeDelta::minutes(10), now)
        .await
        .unwrap();
    let expected = tracker_b.take(&browser, now).await.unwrap();
    assert_eq!(expected, vec![request.clone()]);
    let fresh = verifier()
        .verify(&response_xml(), &expected, now)
        .unwrap()
        .check_replay_async(&replay_b, now)
        .await
        .unwrap();
    assert_eq!(fresh.name_id(), "alice@acme.example");

    // The same response posted again to A: its request ID was consumed ...
    let expected = tracker_a.take(&browser, now).await.unwrap();
    assert!(expected.is_empty());
    assert_eq!(
        verifier()
            .verify(&response_xml(), &expected, now)
            .unwrap_err()
            .kind(),
        ErrorKind::InResponseToMismatch
    );
    // ... and even with the request ID, the assertion was used.
    let again = verifier().verify(&response_xml(), &[request], now).unwrap();
    assert_eq!(
        again
            .check_replay_async(&replay_a, now)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::AssertionReplayed
    );
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn replay_keys_expire() {
    let server = RedisServer::start();
    let cache = RedisReplayCache::new(instance(&server, "app"));
    let key = some_replay_key();
    let now = Utc::now();
    assert!(
        cache
            .insert_if_absent(&key, now + TimeDelta::milliseconds(150), now)
            .await
            .unwrap()
    );
    assert!(
        !cache
            .insert_if_absent(&key, now + TimeDelta::milliseconds(150), now)
            .await
            .unwrap()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let later = Utc::now();
    assert!(
        cache
            .insert_if_absent(&key, later + TimeDelta::seconds(60), later)
            .await
            .unwrap()
    );
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn replay_expiry_in_the_past_is_refused_and_not_recorded() {
    let server = RedisServer::start();
    let cache = RedisReplayCache::new(instance(&server, "app"));
    let key = some_replay_key();
    let now = Utc::now();
    for expires in [now, now - TimeDelta::seconds(1)] {
        let err = cache
            .insert_if_absent(&key, expires, now)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AssertionExpired);
    }
    assert!(
        cache
            .insert_if_absent(&key, now + TimeDelta::seconds(60), now)
            .await
            .unwrap()
    );
}

// ---- request tracker -----------------------------------------------------------

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn requests_are_shared_one_time_capped_and_expire() {
    let server = RedisServer::start();
    let a = RedisRequestTracker::new(instance(&server, "app"));
    let b = RedisRequestTracker::new(instance(&server, "app"));
    let browser = TrackerKey::new("acme", "browser-1").unwrap();
    let now = Utc::now();
    let later = now + TimeDelta::minutes(10);

    // Remembered on A, taken on B, gone for both afterwards.
    a.remember(&browser, &id(1), later, now).await.unwrap();
    b.remember(&browser, &id(2), later + TimeDelta::seconds(1), now)
        .await
        .unwrap();
    assert_eq!(b.take(&browser, now).await.unwrap(), vec![id(1), id(2)]);
    assert!(a.take(&browser, now).await.unwrap().is_empty());
    assert!(b.take(&browser, now).await.unwrap().is_empty());

    // Other teams and other browsers do not see each other's requests.
    a.remember(&browser, &id(3), later, now).await.unwrap();
    let other_team = TrackerKey::new("globex", "browser-1").unwrap();
    let other_browser = TrackerKey::new("acme", "browser-2").unwrap();
    assert!(b.take(&other_team, now).await.unwrap().is_empty());
    assert!(b.take(&other_browser, now).await.unwrap().is_empty());
    let other_app = RedisRequestTracker::new(instance(&server, "other-app"));
    assert!(other_app.take(&browser, now).await.unwrap().is_empty());
    assert_eq!(b.take(&browser, now).await.unwrap(), vec![id(3)]);

    // At most MAX_PENDING_REQUESTS per browser: the oldest are dropped.
    for n in 0..20 {
        let expires = later + TimeDelta::seconds(n as i64);
        a.remember(&browser, &id(n), expires, now).await.unwrap();
    }
    let mut conn = raw(&server).await;
    let name = format!("saml-sp:app:requests:{}", browser.as_str());
    let count: usize = redis::cmd("ZCARD")
        .arg(&name)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, MAX_PENDING_REQUESTS);
    // The key expires with its latest request.
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&name)
        .query_async(&mut conn)
        .await
        .unwrap();
    let expected_ttl = (later + TimeDelta::seconds(19) - Utc::now()).num_milliseconds();
    assert!(
        ttl > 0 && (ttl - expected_ttl).abs() < 2_000,
        "PTTL {ttl}, expected about {expected_ttl}"
    );
    assert_eq!(
        b.take(&browser, now).await.unwrap(),
        (12..20).map(id).collect::<Vec<_>>()
    );

    // Expired requests are not handed out; the key disappears on its own.
    let soon = now + TimeDelta::milliseconds(150);
    a.remember(&browser, &id(1), soon, now).await.unwrap();
    a.remember(&browser, &id(2), later, now).await.unwrap();
    assert_eq!(b.take(&browser, soon).await.unwrap(), vec![id(2)]);
    let now = Utc::now();
    a.remember(&browser, &id(5), now + TimeDelta::milliseconds(150), now)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let exists: bool = redis::cmd("EXISTS")
        .arg(&name)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!exists, "the tracker key outlived its requests");
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn request_expiry_in_the_past_is_refused() {
    let server = RedisServer::start();
    let tracker = RedisRequestTracker::new(instance(&server, "app"));
    let browser = TrackerKey::new("acme", "browser-1").unwrap();
    let now = Utc::now();
    let err = tracker
        .remember(&browser, &id(1), now, now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
    assert!(tracker.take(&browser, now).await.unwrap().is_empty());
}

// ---- session registry (Single Logout) -------------------------------------------

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn sessions_are_shared_ended_once_capped_and_expire() {
    let server = RedisServer::start();
    let a = RedisSessionRegistry::new(instance(&server, "app"));
    let b = RedisSessionRegistry::new(instance(&server, "app"));
    let alice = SessionKey::new("acme", "urn:idp", "alice@acme.example", None).unwrap();
    let bob = SessionKey::new("acme", "urn:idp", "bob@acme.example", None).unwrap();
    let now = Utc::now();
    let until = now + TimeDelta::hours(1);
    a.register(&alice, Some("s1"), "app1", until, now)
        .await
        .unwrap();
    b.register(&alice, Some("s2"), "app2", until, now)
        .await
        .unwrap();
    a.register(&alice, None, "app3", until, now).await.unwrap();
    a.register(&bob, Some("s1"), "app4", until, now)
        .await
        .unwrap();
    // The key's TTL follows its latest session.
    let mut conn = raw(&server).await;
    let name = format!("saml-sp:app:sessions:{}", alice.as_str());
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&name)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((3_599_000..=3_600_000).contains(&ttl), "PTTL {ttl}");

    // Instance b ends what a LogoutRequest for s2 names: s2 and the unindexed one.
    let mut ended = b.end(&alice, &["s2".to_owned()], now).await.unwrap();
    ended.sort();
    assert_eq!(ended, ["app2", "app3"]);
    assert!(
        a.end(&alice, &["s2".to_owned()], now)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(a.unregister(&alice, "app1", now).await.unwrap());
    assert!(!b.unregister(&alice, "app1", now).await.unwrap());
    assert!(a.end(&alice, &[], now).await.unwrap().is_empty());
    assert_eq!(a.end(&bob, &[], now).await.unwrap(), ["app4"]);

    // Expired sessions are never returned.
    a.register(
        &alice,
        Some("s1"),
        "short",
        now + TimeDelta::seconds(1),
        now,
    )
    .await
    .unwrap();
    let later = now + TimeDelta::seconds(2);
    assert!(b.end(&alice, &[], later).await.unwrap().is_empty());

    // Per-person cap: fails closed; re-registering a session replaces it.
    for n in 0..MAX_SESSIONS_PER_SUBJECT {
        a.register(&bob, None, &format!("b{n}"), until, now)
            .await
            .unwrap();
    }
    let err = a
        .register(&bob, None, "one-more", until, now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
    a.register(&bob, Some("x"), "b0", until, now).await.unwrap();
    // Refusals before any I/O.
    let err = a.register(&bob, None, "late", now, now).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);

    // Redis gone: every operation fails closed, as the registry's kind.
    drop(server);
    let err = a.end(&alice, &[], now).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
    let err = a
        .register(&alice, None, "app9", until, now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionRegistryUnavailable);
}

/// Ending sessions costs Redis (single-threaded: every instance waits)
/// work linear in the SessionIndexes, not their number times the person's
/// sessions: a LogoutRequest of 29,000 SessionIndexes (2 MiB; anyone's with
/// the unsigned opt-in, any team's own IdP otherwise) against a person with
/// 32 sessions made the script compare 930,000 pairs, building a string for
/// each (90 to 110 ms of Redis, against 5 ms for a person with one
/// session).
#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn ending_with_many_session_indexes_is_linear() {
    let server = RedisServer::start();
    let registry = RedisSessionRegistry::new(instance(&server, "app"));
    let mut conn = raw(&server).await;
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-log-slower-than")
        .arg(0)
        .query_async(&mut conn)
        .await
        .unwrap();
    let now = Utc::now();
    let until = now + TimeDelta::hours(1);
    let mut indexes: Vec<String> = (0..29_000)
        .map(|n| format!("_no-such-index-{n:08}"))
        .collect();
    indexes.push("s0".to_owned());
    // The script's time as Redis measures it (SLOWLOG, microseconds), for a
    // person with `sessions` sessions: the best of three.
    let mut script_time = async |who: &str, sessions: usize| {
        let mut best = i64::MAX;
        for round in 0..3 {
            let key = SessionKey::new("acme", "urn:idp", &format!("{who}{round}"), None).unwrap();
            for n in 0..sessions {
                registry
                    .register(&key, Some(&format!("s{n}")), &format!("app{n}"), until, now)
                    .await
                    .unwrap();
            }
            let _: () = redis::cmd("SLOWLOG")
                .arg("RESET")
                .query_async(&mut conn)
                .await
                .unwrap();
            let ended = registry.end(&key, &indexes, now).await.unwrap();
            assert_eq!(ended, ["app0"]);
            let log: Vec<redis::Value> = redis::cmd("SLOWLOG")
                .arg("GET")
                .arg(128)
                .query_async(&mut conn)
                .await
                .unwrap();
            let longest = log
                .iter()
                .filter_map(|entry| match entry {
                    redis::Value::Array(fields) => match fields.get(2) {
                        Some(redis::Value::Int(us)) => Some(*us),
                        _ => None,
                    },
                    _ => None,
                })
                .max()
                .unwrap();
            best = best.min(longest);
        }
        best
    };
    let one = script_time("alice", 1).await;
    let many = script_time("mallory", MAX_SESSIONS_PER_SUBJECT).await;
    assert!(
        many < 3 * one,
        "{many} µs with {MAX_SESSIONS_PER_SUBJECT} sessions, {one} µs with one"
    );
}

// ---- fail closed, recover ------------------------------------------------------

/// Runs `op`, which must fail with `kind` within `bound`.
async fn fails_closed<T: std::fmt::Debug>(
    what: &str,
    kind: ErrorKind,
    bound: Duration,
    op: impl std::future::Future<Output = saml_sp::Result<T>>,
) -> Duration {
    let started = Instant::now();
    let err = tokio::time::timeout(bound + Duration::from_secs(5), op)
        .await
        .unwrap_or_else(|_| panic!("{what}: still hanging after {bound:?} + 5 s"))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), kind, "{what}: {err}");
    assert!(took <= bound, "{what}: took {took:?}, bound {bound:?}");
    eprintln!(
        "{what}: {} after {took:?} ({})",
        kind.as_str(),
        err.detail()
    );
    took
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn redis_stopped_mid_test_fails_closed_and_recovers_on_restart() {
    let mut server = RedisServer::start();
    let a = instance(&server, "app");
    let b = instance(&server, "app");
    let (replay_a, replay_b) = (RedisReplayCache::new(a.clone()), RedisReplayCache::new(b));
    let tracker = RedisRequestTracker::new(a.clone());
    let key = some_replay_key();
    let browser = TrackerKey::new("acme", "browser-1").unwrap();
    let now = Utc::now();
    let expires = now + TimeDelta::seconds(300);
    a.ping().await.unwrap();
    tracker
        .remember(&browser, &id(1), expires, now)
        .await
        .unwrap();

    server.stop();
    let bound = Duration::from_millis(2_500);
    for round in 0..2 {
        fails_closed(
            &format!("replay, Redis down, round {round}"),
            ErrorKind::ReplayCacheUnavailable,
            bound,
            replay_a.insert_if_absent(&key, expires, now),
        )
        .await;
        fails_closed(
            &format!("remember, Redis down, round {round}"),
            ErrorKind::RequestStoreUnavailable,
            bound,
            tracker.remember(&browser, &id(2), expires, now),
        )
        .await;
        fails_closed(
            &format!("take, Redis down, round {round}"),
            ErrorKind::RequestStoreUnavailable,
            bound,
            tracker.take(&browser, now),
        )
        .await;
        fails_closed(
            &format!("ping, Redis down, round {round}"),
            ErrorKind::ReplayCacheUnavailable,
            bound,
            a.ping(),
        )
        .await;
    }

    // Back on the same port (empty: no persistence in this test): both
    // instances work again without being rebuilt.
    assert!(server.spawn(), "redis-server did not restart");
    let started = Instant::now();
    let first = loop {
        match replay_a.insert_if_absent(&key, expires, now).await {
            Ok(first) => break first,
            Err(e) if started.elapsed() < Duration::from_secs(5) => {
                assert_eq!(e.kind(), ErrorKind::ReplayCacheUnavailable);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("not recovered after 5 s: {e}"),
        }
    };
    eprintln!("recovered after {:?}", started.elapsed());
    assert!(first);
    assert!(!replay_b.insert_if_absent(&key, expires, now).await.unwrap());
    tracker
        .remember(&browser, &id(3), expires, now)
        .await
        .unwrap();
    assert_eq!(tracker.take(&browser, now).await.unwrap(), vec![id(3)]);
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_full_redis_refuses_writes_and_that_fails_closed() {
    let server = RedisServer::start();
    let store = instance(&server, "app");
    let cache = RedisReplayCache::new(store.clone());
    let tracker = RedisRequestTracker::new(store);
    let key = some_replay_key();
    let browser = TrackerKey::new("acme", "browser-1").unwrap();
    let now = Utc::now();
    let expires = now + TimeDelta::seconds(300);
    let mut conn = raw(&server).await;
    let config = |maxmemory: &str| {
        let mut cmd = redis::cmd("CONFIG");
        cmd.arg("SET")
            .arg("maxmemory-policy")
            .arg("noeviction")
            .arg("maxmemory")
            .arg(maxmemory);
        cmd
    };
    // Over maxmemory with noeviction: Redis answers writes with OOM.
    let () = config("1").query_async(&mut conn).await.unwrap();
    let err = cache
        .insert_if_absent(&key, expires, now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplayCacheUnavailable, "{err}");
    assert!(err.detail().contains("OOM"), "{err}");
    let err = tracker
        .remember(&browser, &id(1), expires, now)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RequestStoreUnavailable, "{err}");

    let () = config("0").query_async(&mut conn).await.unwrap();
    assert!(cache.insert_if_absent(&key, expires, now).await.unwrap());
    tracker
        .remember(&browser, &id(1), expires, now)
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "needs redis-server (apt-get install redis-server)"]
async fn a_hung_redis_times_out_and_recovers() {
    let server = RedisServer::start();
    let url = server.url();
    let store = RedisStore::open_with_timeout(&url, "app", Duration::from_millis(500)).unwrap();
    let cache = RedisReplayCache::new(store.clone());
    let tracker = RedisRequestTracker::new(store.clone());
    let key = some_replay_key();
    let browser = TrackerKey::new("acme", "browser-1").unwrap();
    let now = Utc::now();
    let expires = now + TimeDelta::seconds(300);
    store.ping().await.unwrap();

    // SIGSTOP: the socket stays open, nothing answers.
    server.signal("STOP");
    let bound = Duration::from_millis(1_000);
    fails_closed(
        "replay, Redis hung",
        ErrorKind::ReplayCacheUnavailable,
        bound,
        cache.insert_if_absent(&key, expires, now),
    )
    .await;
    fails_closed(
        "take, Redis hung",
        ErrorKind::RequestStoreUnavailable,
        bound,
        tracker.take(&browser, now),
    )
    .await;
    // A new instance started while Redis hangs: the TCP connect succeeds
    // (the kernel accepts), the handshake gets no answer.
    let late = RedisStore::open_with_timeout(&url, "app", Duration::from_millis(500)).unwrap();
    fails_closed(
        "ping on a new connection, Redis hung",
        ErrorKind::ReplayCacheUnavailable,
        bound,
        late.ping(),
    )
    .await;
    server.signal("CONT");

    let started = Instant::now();
    loop {
        match cache.insert_if_absent(&key, expires, now).await {
            Ok(first) => {
                // The SET sent while Redis was stopped may have run when it
                // resumed: then this is a second use (refused, fail closed).
                let _ = first;
                break;
            }
            Err(_) if started.elapsed() < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("not recovered after 5 s: {e}"),
        }
    }
    assert!(!cache.insert_if_absent(&key, expires, now).await.unwrap());
    late.ping().await.unwrap();
}

#[tokio::test]
async fn nothing_listening_fails_closed_in_bounded_time() {
    // A port nobody listens on (bound, then released): no redis-server needed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisStore::open(&format!("redis://127.0.0.1:{port}/"), "app").unwrap();
    let bound = Duration::from_millis(2_500);
    let now = Utc::now();
    fails_closed(
        "replay, nothing listening",
        ErrorKind::ReplayCacheUnavailable,
        bound,
        RedisReplayCache::new(store.clone()).insert_if_absent(
            &some_replay_key(),
            now + TimeDelta::seconds(60),
            now,
        ),
    )
    .await;
    fails_closed(
        "take, nothing listening",
        ErrorKind::RequestStoreUnavailable,
        bound,
        RedisRequestTracker::new(store).take(&TrackerKey::new("acme", "b").unwrap(), now),
    )
    .await;
}

#[tokio::test]
async fn unroutable_host_fails_closed_in_bounded_time() {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no route or a black hole, the
    // connect attempt must be cut by the deadline, not the OS's ~2 min.
    let store =
        RedisStore::open_with_timeout("redis://192.0.2.1:6379/", "app", Duration::from_millis(700))
            .unwrap();
    fails_closed(
        "ping, unroutable host",
        ErrorKind::ReplayCacheUnavailable,
        Duration::from_millis(1_500),
        store.ping(),
    )
    .await;
}

// ---- configuration -------------------------------------------------------------

#[test]
fn stores_can_live_in_shared_web_app_state() {
    fn shareable<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    shareable::<RedisStore>();
    shareable::<RedisReplayCache>();
    shareable::<RedisRequestTracker>();
}

#[tokio::test]
async fn bad_configuration_is_refused() {
    for namespace in ["", "has space", "colon:inside", "ünïcode", &"n".repeat(65)] {
        let err = RedisStore::open("redis://127.0.0.1/", namespace).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{namespace:?}");
    }
    assert!(RedisStore::open("redis://127.0.0.1/", &"n".repeat(64)).is_ok());
    // rediss:// needs TLS, which is not compiled in.
    for url in ["not a url", "http://127.0.0.1/", "", "rediss://127.0.0.1/"] {
        let err = RedisStore::open(url, "app").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConfigInvalid, "{url:?}");
    }
    // The password in a URL that fails later is never echoed.
    let err = RedisStore::open("redis://user:s3cret@[::1/", "app").unwrap_err();
    assert!(!err.to_string().contains("s3cret"), "{err}");
    let err =
        RedisStore::open_with_timeout("redis://127.0.0.1/", "app", Duration::ZERO).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

#[test]
fn opening_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let err = RedisStore::open("redis://127.0.0.1/", "app").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}
