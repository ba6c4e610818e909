//! The app's state: teams, the login context (stores), cookies, and a toy
//! account table standing in for the app's database.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use chrono::TimeDelta;
use saml_sp::TeamConfig;
use saml_sp::provisioning::{
    EmailAddress, FoundBy, KeyLink, KnownAccount, ManagedKind, ProvisioningDecision, SubjectKey,
};
use saml_sp::team::{Login, LoginContext, Role};
use saml_sp::time::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigFile, StoreConfig};
use crate::cookies::Cookies;
use crate::pages::Failure;

/// The longest session; shorter when the IdP sends SessionNotOnOrAfter.
const SESSION_HOURS: i64 = 8;

pub(crate) struct App {
    pub(crate) listen: SocketAddr,
    teams: HashMap<String, TeamConfig>,
    /// The request tracker and replay cache (and no SP signing key: the
    /// testbed IdP takes unsigned AuthnRequests).
    pub(crate) login: LoginContext,
    pub(crate) cookies: Cookies,
    pub(crate) accounts: Accounts,
}

impl App {
    /// Reads the configuration. Inside the Tokio runtime (Redis's
    /// connection manager runs a task there).
    pub(crate) fn load(path: &Path, now: DateTime<Utc>) -> Result<Self, String> {
        let file = ConfigFile::load(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let teams = file
            .teams(dir, now)?
            .into_iter()
            .map(|team| (team.slug().as_str().to_owned(), team))
            .collect();
        Ok(Self {
            listen: file.listen,
            teams,
            login: login_context(&file.store)?,
            cookies: Cookies::new(&file.cookie_key_hex, file.base_url.starts_with("https://"))?,
            accounts: Accounts::new(&file.accounts)?,
        })
    }

    pub(crate) fn team(&self, slug: &str) -> Result<&TeamConfig, Failure> {
        self.teams.get(slug).ok_or(Failure::UnknownTeam)
    }

    pub(crate) fn team_links(&self) -> Vec<(String, String)> {
        let mut links: Vec<_> = self
            .teams
            .iter()
            .map(|(slug, t)| (slug.clone(), t.sp().sign_on_url().as_str().to_owned()))
            .collect();
        links.sort();
        links
    }
}

/// In memory for one process, or on Redis for several instances.
fn login_context(config: &StoreConfig) -> Result<LoginContext, String> {
    match config {
        StoreConfig::Memory => Ok(LoginContext::in_memory()),
        #[cfg(feature = "redis")]
        StoreConfig::Redis { url, namespace } => {
            use saml_sp::store::{RedisReplayCache, RedisRequestTracker, RedisStore};
            use std::sync::Arc;
            let store = RedisStore::open(url, namespace)
                .map_err(|e| format!("redis: {}: {}", e.kind().as_str(), e.detail()))?;
            Ok(LoginContext::new(
                Arc::new(RedisRequestTracker::new(store.clone())),
                Arc::new(RedisReplayCache::new(store)),
            ))
        }
        #[cfg(not(feature = "redis"))]
        StoreConfig::Redis { .. } => {
            Err("\"store\": redis needs the redis feature: cargo run --features redis".into())
        }
    }
}

/// Who is signed in (the signed session cookie's payload).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Session {
    pub(crate) team: String,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) role: String,
    pub(crate) email_verification_pending: bool,
    /// Signed in from the IdP's portal (the page says so: login CSRF).
    pub(crate) idp_initiated: bool,
    /// Unix time the session ends.
    pub(crate) expires: i64,
}

/// When the app's session ends: after [`SESSION_HOURS`], or earlier when
/// the IdP says its session ends earlier (SessionNotOnOrAfter).
pub(crate) fn session_end(now: DateTime<Utc>, idp_end: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let ours = now + TimeDelta::hours(SESSION_HOURS);
    idp_end.map_or(ours, |idp| idp.min(ours))
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

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Vec<Account>>, Failure> {
        self.0.lock().map_err(|_| Failure::AccountTable)
    }

    /// What the app knows about the person: by stable key first, then by
    /// (normalized) email. (A real app awaits its database here.)
    pub(crate) async fn lookup(
        &self,
        team: &TeamConfig,
        key: SubjectKey,
        email: EmailAddress,
    ) -> Result<KnownAccount, Failure> {
        let accounts = self.lock()?;
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
        Ok(match found {
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
        })
    }

    /// Carries out the decision; returns the session to start, which ends
    /// no later than the IdP's SessionNotOnOrAfter.
    pub(crate) fn apply(
        &self,
        team: &TeamConfig,
        login: &Login,
        decision: ProvisioningDecision,
        now: DateTime<Utc>,
    ) -> Result<Session, Failure> {
        let slug = team.slug().as_str().to_owned();
        let expires = session_end(now, login.assertion().session_not_on_or_after());
        if expires <= now {
            return Err(Failure::SessionEnded);
        }
        let session = |email: &str, name: Option<String>, role: &Role, pending: bool| Session {
            team: slug.clone(),
            email: email.to_owned(),
            name,
            role: role.as_str().to_owned(),
            email_verification_pending: pending,
            idp_initiated: login.idp_initiated(),
            expires: expires.timestamp(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_ends_no_later_than_the_idp_says() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let ours = now + TimeDelta::hours(SESSION_HOURS);
        assert_eq!(session_end(now, None), ours);
        let earlier = now + TimeDelta::minutes(30);
        assert_eq!(session_end(now, Some(earlier)), earlier);
        assert_eq!(session_end(now, Some(ours + TimeDelta::hours(1))), ours);
        // Already over: the ACS refuses to start a session (SessionEnded).
        assert!(session_end(now, Some(now)) <= now);
    }
}
