//! The app's state: teams, cookie key, stores, and a toy account table
//! standing in for the app's database.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use axum::http::{HeaderMap, header};
use saml_sp::provisioning::{
    FoundBy, KeyLink, KnownAccount, ManagedKind, ProvisioningDecision, SubjectKey,
};
use saml_sp::store::{MemoryReplayCache, MemoryRequestTracker, RequestTracker as _, TrackerKey};
use saml_sp::team::Role;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    AuthnRequestBuilder, Csprng as _, FreshAssertion, OsRng, RequestId, ResponseVerifier,
    TeamConfig, VerifiedAssertion,
};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigFile, StoreConfig};
use crate::cookies::{self, CookieKey};
use crate::pages::Failure;

/// How long a session lasts.
const SESSION_HOURS: i64 = 8;
const SESSION_COOKIE: &str = "session";
const BROWSER_COOKIE: &str = "browser";

pub(crate) struct Team {
    pub(crate) config: TeamConfig,
    pub(crate) verifier: ResponseVerifier,
    pub(crate) requests: AuthnRequestBuilder,
}

pub(crate) struct App {
    pub(crate) listen: SocketAddr,
    teams: HashMap<String, Team>,
    key: CookieKey,
    secure: bool,
    pub(crate) stores: Stores,
    pub(crate) accounts: Accounts,
}

impl App {
    pub(crate) async fn load(path: &Path, now: DateTime<Utc>) -> Result<Self, String> {
        let file = ConfigFile::load(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut teams = HashMap::new();
        for (config, metadata) in file.teams(dir, now)? {
            let verifier = config.response_verifier();
            let sp = config.sp();
            let requests =
                AuthnRequestBuilder::new(sp.entity_id().clone(), sp.acs_url().clone(), &metadata);
            teams.insert(
                config.slug().as_str().to_owned(),
                Team {
                    config,
                    verifier,
                    requests,
                },
            );
        }
        let stores = Stores::open(&file.store).await?;
        Ok(Self {
            listen: file.listen,
            teams,
            key: CookieKey::from_hex(&file.cookie_key_hex)?,
            secure: file.base_url.starts_with("https://"),
            stores,
            accounts: Accounts::new(&file.accounts)?,
        })
    }

    pub(crate) fn team(&self, slug: &str) -> Result<&Team, Failure> {
        self.teams.get(slug).ok_or(Failure::UnknownTeam)
    }

    pub(crate) fn team_links(&self) -> Vec<(String, String)> {
        let mut links: Vec<_> = self
            .teams
            .iter()
            .map(|(slug, t)| {
                (
                    slug.clone(),
                    t.config.sp().sign_on_url().as_str().to_owned(),
                )
            })
            .collect();
        links.sort();
        links
    }

    /// This browser's ID from its signed cookie, or a new one with the
    /// cookie to set. The ACS is reached by a cross-site POST from the IdP,
    /// so over https the cookie is `SameSite=None; Secure` (sent with that
    /// POST); on http://localhost, where IdP and app share a site, `Lax`.
    pub(crate) fn browser_id(&self, headers: &HeaderMap) -> (String, Option<String>) {
        if let Some(id) = self.known_browser_id(headers) {
            return (id, None);
        }
        let mut bytes = [0u8; 16];
        OsRng.fill_random(&mut bytes);
        let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let value = self.key.sign(BROWSER_COOKIE, id.as_bytes());
        let same_site = if self.secure { "None" } else { "Lax" };
        let cookie = cookies::set_cookie(BROWSER_COOKIE, &value, 3600, same_site, self.secure);
        (id, Some(cookie))
    }

    pub(crate) fn known_browser_id(&self, headers: &HeaderMap) -> Option<String> {
        let value = self.cookie(headers, BROWSER_COOKIE)?;
        String::from_utf8(value).ok()
    }

    fn cookie(&self, headers: &HeaderMap, name: &str) -> Option<Vec<u8>> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookies::find(h, name))
            .and_then(|v| self.key.verify(name, v))
    }

    pub(crate) fn session(&self, headers: &HeaderMap, now: DateTime<Utc>) -> Option<Session> {
        let payload = self.cookie(headers, SESSION_COOKIE)?;
        let session: Session = serde_json::from_slice(&payload).ok()?;
        (session.expires > now.timestamp()).then_some(session)
    }

    pub(crate) fn session_cookie(&self, session: &Session) -> String {
        let payload = serde_json::to_vec(session).unwrap_or_default();
        let value = self.key.sign(SESSION_COOKIE, &payload);
        cookies::set_cookie(
            SESSION_COOKIE,
            &value,
            SESSION_HOURS * 3600,
            "Lax",
            self.secure,
        )
    }

    pub(crate) fn clear_session_cookie(&self) -> String {
        cookies::set_cookie(SESSION_COOKIE, "", 0, "Lax", self.secure)
    }
}

/// Who is signed in (the signed session cookie's payload).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) team: String,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) role: String,
    pub(crate) email_verification_pending: bool,
    pub(crate) expires: i64,
}

/// The request tracker and replay cache: in memory for one process, or on
/// Redis for several instances.
pub(crate) enum Stores {
    Memory {
        requests: MemoryRequestTracker,
        replay: MemoryReplayCache,
    },
    #[cfg(feature = "redis")]
    Redis {
        requests: saml_sp::store::RedisRequestTracker,
        replay: saml_sp::store::RedisReplayCache,
    },
}

impl Stores {
    async fn open(config: &StoreConfig) -> Result<Self, String> {
        match config {
            StoreConfig::Memory => Ok(Self::Memory {
                requests: MemoryRequestTracker::new(100_000),
                replay: MemoryReplayCache::new(100_000),
            }),
            #[cfg(feature = "redis")]
            StoreConfig::Redis { url, namespace } => {
                let store = saml_sp::store::RedisStore::open(url, namespace)
                    .map_err(|e| format!("redis: {}: {}", e.kind().as_str(), e.detail()))?;
                Ok(Self::Redis {
                    requests: saml_sp::store::RedisRequestTracker::new(store.clone()),
                    replay: saml_sp::store::RedisReplayCache::new(store),
                })
            }
            #[cfg(not(feature = "redis"))]
            StoreConfig::Redis { .. } => {
                Err("\"store\": redis needs the redis feature: cargo run --features redis".into())
            }
        }
    }

    pub(crate) async fn remember(
        &self,
        key: &TrackerKey,
        id: &RequestId,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> saml_sp::Result<()> {
        match self {
            Self::Memory { requests, .. } => requests.remember(key, id, expires_at, now).await,
            #[cfg(feature = "redis")]
            Self::Redis { requests, .. } => requests.remember(key, id, expires_at, now).await,
        }
    }

    pub(crate) async fn take(
        &self,
        key: &TrackerKey,
        now: DateTime<Utc>,
    ) -> saml_sp::Result<Vec<RequestId>> {
        match self {
            Self::Memory { requests, .. } => requests.take(key, now).await,
            #[cfg(feature = "redis")]
            Self::Redis { requests, .. } => requests.take(key, now).await,
        }
    }

    pub(crate) async fn check_replay(
        &self,
        assertion: VerifiedAssertion,
        now: DateTime<Utc>,
    ) -> saml_sp::Result<FreshAssertion> {
        match self {
            Self::Memory { replay, .. } => assertion.check_replay_async(replay, now).await,
            #[cfg(feature = "redis")]
            Self::Redis { replay, .. } => assertion.check_replay_async(replay, now).await,
        }
    }
}

/// One account in the toy account table.
#[derive(Debug, Clone)]
struct Account {
    email: String,
    subject_keys: Vec<String>,
    teams: HashMap<String, Role>,
    managed: Option<ManagedKind>,
    email_verified: bool,
}

/// The app's accounts (a real app has a database).
pub(crate) struct Accounts(Mutex<Vec<Account>>);

impl Accounts {
    fn new(seed: &[crate::config::AccountFile]) -> Result<Self, String> {
        let mut accounts = Vec::new();
        for a in seed {
            let managed = match a.managed.as_deref() {
                None => None,
                Some("break_glass_admin") => Some(ManagedKind::BreakGlassAdmin),
                Some("integration") => Some(ManagedKind::Integration),
                Some(other) => {
                    return Err(format!(
                        "account {}: unknown managed kind {other:?}",
                        a.email
                    ));
                }
            };
            let role = Role::parse(&a.role).map_err(|e| e.detail().to_owned())?;
            accounts.push(Account {
                email: a.email.to_ascii_lowercase(),
                subject_keys: Vec::new(),
                teams: HashMap::from([(a.team.clone(), role)]),
                managed,
                email_verified: true,
            });
        }
        Ok(Self(Mutex::new(accounts)))
    }

    fn lock(&self) -> saml_sp::Result<std::sync::MutexGuard<'_, Vec<Account>>> {
        self.0.lock().map_err(|_| {
            saml_sp::Error::new(saml_sp::ErrorKind::ConfigInvalid, "account table poisoned")
        })
    }

    /// What the app knows about the person: by stable key first, then by
    /// (normalized) email.
    pub(crate) fn lookup(
        &self,
        team: &TeamConfig,
        key: &SubjectKey,
        email: &saml_sp::provisioning::EmailAddress,
    ) -> KnownAccount {
        let Ok(accounts) = self.lock() else {
            return KnownAccount::NoAccount;
        };
        let by_key = accounts
            .iter()
            .find(|a| a.subject_keys.iter().any(|k| k == key.as_str()))
            .map(|a| (a, FoundBy::SubjectKey));
        let found = by_key.or_else(|| {
            accounts
                .iter()
                .find(|a| a.email == email.normalized())
                .map(|a| (a, FoundBy::Email))
        });
        match found {
            None => KnownAccount::NoAccount,
            Some((a, _)) if a.managed.is_some() => KnownAccount::ManagedDirectly {
                kind: a.managed.unwrap_or(ManagedKind::Integration),
            },
            Some((a, found_by)) => match a.teams.get(team.slug().as_str()) {
                Some(role) => KnownAccount::MemberOfTeam {
                    role: role.clone(),
                    found_by,
                },
                None => KnownAccount::AccountOutsideTeam { found_by },
            },
        }
    }

    /// Carries out the decision; returns the session to start.
    pub(crate) fn apply(
        &self,
        team: &TeamConfig,
        decision: ProvisioningDecision,
        now: DateTime<Utc>,
    ) -> Result<Session, Failure> {
        let slug = team.slug().as_str().to_owned();
        let session = |email: &str, name: Option<String>, role: &Role, pending: bool| Session {
            team: slug.clone(),
            email: email.to_owned(),
            name,
            role: role.as_str().to_owned(),
            email_verification_pending: pending,
            expires: now.timestamp() + SESSION_HOURS * 3600,
        };
        let mut accounts = self.lock()?;
        match decision {
            ProvisioningDecision::CreateAccount {
                subject_key,
                email,
                name,
                role,
                ..
            } => {
                accounts.push(Account {
                    email: email.normalized().to_owned(),
                    subject_keys: vec![subject_key.as_str().to_owned()],
                    teams: HashMap::from([(slug.clone(), role.clone())]),
                    managed: None,
                    email_verified: false,
                });
                // A real app sends the verification link here.
                Ok(session(email.as_str(), name, &role, true))
            }
            ProvisioningDecision::SignIn {
                email, role, link, ..
            }
            | ProvisioningDecision::AddToTeam {
                email, role, link, ..
            } if link == KeyLink::ConfirmByEmail => {
                // A real app emails a confirmation link to the account's own
                // address and links the key only when it is followed.
                let _ = (email, role);
                Err(Failure::Pending(
                    "An account with your email exists: we sent a confirmation link to it. \
                     Follow it to link your sign-in.",
                ))
            }
            ProvisioningDecision::SignIn { email, role, .. } => {
                let verified = accounts
                    .iter()
                    .find(|a| a.email == email.normalized())
                    .is_some_and(|a| a.email_verified);
                Ok(session(email.as_str(), None, &role, !verified))
            }
            ProvisioningDecision::AddToTeam {
                subject_key,
                email,
                role,
                ..
            } => {
                let mut verified = false;
                if let Some(a) = accounts
                    .iter_mut()
                    .find(|a| a.subject_keys.iter().any(|k| k == subject_key.as_str()))
                {
                    a.teams.insert(slug.clone(), role.clone());
                    verified = a.email_verified;
                }
                Ok(session(email.as_str(), None, &role, !verified))
            }
            ProvisioningDecision::Refused(refusal) => Err(Failure::Refused(refusal)),
            _ => Err(Failure::Pending("This sign-in needs an administrator.")),
        }
    }
}

/// A short name of the decision for the log.
pub(crate) fn decision_name(decision: &ProvisioningDecision) -> &'static str {
    match decision {
        ProvisioningDecision::CreateAccount { .. } => "create_account",
        ProvisioningDecision::SignIn { .. } => "sign_in",
        ProvisioningDecision::AddToTeam { .. } => "add_to_team",
        ProvisioningDecision::Refused(r) => r.reason.as_str(),
        _ => "other",
    }
}
