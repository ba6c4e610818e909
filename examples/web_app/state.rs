//! The app's state: teams, the login context (stores, the session registry
//! and the SP's keys), the app's sessions, cookies, and a toy account table
//! standing in for the app's database.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use chrono::TimeDelta;
use saml_sp::logout::LogoutSubject;
use saml_sp::provisioning::{
    EmailAddress, FoundBy, KeyLink, KnownAccount, ManagedKind, ProvisioningDecision, SubjectKey,
};
use saml_sp::response::NameId;
use saml_sp::team::{Login, LoginContext, Role};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{SigningCertificate, TeamConfig};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigFile, SpKeys, StoreConfig};
use crate::cookies::Cookies;
use crate::pages::Failure;
use crate::sessions::{SessionStore, new_csrf_token};

/// The longest session; shorter when the IdP sends SessionNotOnOrAfter.
const SESSION_HOURS: i64 = 8;

pub(crate) struct App {
    pub(crate) listen: SocketAddr,
    teams: HashMap<String, TeamConfig>,
    /// The request tracker, replay cache and session registry, and the
    /// SP's signing and decryption keys when configured.
    pub(crate) login: LoginContext,
    /// The app's own sessions (server side; the cookie holds only an ID).
    pub(crate) sessions: SessionStore,
    /// The certificates every team's SP metadata publishes.
    pub(crate) signing_certificate: Option<SigningCertificate>,
    pub(crate) encryption_certificates: Vec<SigningCertificate>,
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
        let keys = file.sp_keys(dir)?;
        let signing_certificate = keys.signing.as_ref().and_then(|k| k.certificate().cloned());
        let encryption_certificates = keys
            .decryption
            .as_ref()
            .map(|k| {
                k.keys()
                    .iter()
                    .filter_map(|k| k.certificate().cloned())
                    .collect()
            })
            .unwrap_or_default();
        let (login, sessions) = stores(&file.store, keys)?;
        Ok(Self {
            listen: file.listen,
            teams,
            login,
            sessions,
            signing_certificate,
            encryption_certificates,
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

/// The login context and the app's session store: in memory for one
/// process, or on Redis for several instances (request tracker, replay
/// cache, session registry and the app's sessions all on the one Redis).
fn stores(config: &StoreConfig, keys: SpKeys) -> Result<(LoginContext, SessionStore), String> {
    let (context, sessions) = match config {
        StoreConfig::Memory => (LoginContext::in_memory(), SessionStore::in_memory()),
        #[cfg(feature = "redis")]
        StoreConfig::Redis { url, namespace } => {
            use saml_sp::store::{
                RedisReplayCache, RedisRequestTracker, RedisSessionRegistry, RedisStore,
            };
            use std::sync::Arc;
            let store = RedisStore::open(url, namespace)
                .map_err(|e| format!("redis: {}: {}", e.kind().as_str(), e.detail()))?;
            let context = LoginContext::new(
                Arc::new(RedisRequestTracker::new(store.clone())),
                Arc::new(RedisReplayCache::new(store.clone())),
            )
            .with_session_registry(Arc::new(RedisSessionRegistry::new(store)));
            (context, SessionStore::redis(url, namespace)?)
        }
        #[cfg(not(feature = "redis"))]
        StoreConfig::Redis { .. } => {
            return Err(
                "\"store\": redis needs the redis feature: cargo run --features redis".into(),
            );
        }
    };
    let mut context = context;
    if let Some(key) = keys.signing {
        context = context.with_signing_key(key);
    }
    if let Some(keys) = keys.decryption {
        context = context.with_decryption_keys(keys);
    }
    Ok((context, sessions))
}

/// Who is signed in: the app's session, kept server side under the handle
/// of the ID in the session cookie ([`crate::sessions`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Session {
    pub(crate) team: String,
    pub(crate) email: String,
    pub(crate) name: Option<String>,
    pub(crate) role: String,
    pub(crate) email_verification_pending: bool,
    /// Signed in from the IdP's portal (the page says so: login CSRF).
    pub(crate) idp_initiated: bool,
    /// The assertion came encrypted (an `EncryptedAssertion`).
    pub(crate) encrypted: bool,
    /// Unix time the session ends.
    pub(crate) expires: i64,
    /// The NameID exactly as the IdP asserted it, and the SessionIndex of
    /// the sign-in: sign-out builds the LogoutRequest from them.
    pub(crate) name_id: SessionNameId,
    pub(crate) session_index: Option<String>,
    /// The sign-out form's CSRF token (per session, 32 hex digits).
    pub(crate) csrf: String,
}

/// [`NameId`], stored with the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionNameId {
    pub(crate) value: String,
    pub(crate) format: Option<String>,
    pub(crate) name_qualifier: Option<String>,
    pub(crate) sp_name_qualifier: Option<String>,
}

impl From<&NameId> for SessionNameId {
    fn from(n: &NameId) -> Self {
        Self {
            value: n.value.clone(),
            format: n.format.clone(),
            name_qualifier: n.name_qualifier.clone(),
            sp_name_qualifier: n.sp_name_qualifier.clone(),
        }
    }
}

impl Session {
    /// The NameID as the library takes it.
    pub(crate) fn name_id(&self) -> NameId {
        NameId {
            value: self.name_id.value.clone(),
            format: self.name_id.format.clone(),
            name_qualifier: self.name_id.name_qualifier.clone(),
            sp_name_qualifier: self.name_id.sp_name_qualifier.clone(),
        }
    }

    /// Who the LogoutRequest of this session's sign-out names.
    pub(crate) fn logout_subject(&self) -> LogoutSubject {
        let subject = LogoutSubject::new(self.name_id());
        match &self.session_index {
            Some(index) => subject.with_session_index(index.clone()),
            None => subject,
        }
    }
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
        let assertion = login.assertion();
        let session = |email: &str, name: Option<String>, role: &Role, pending: bool| Session {
            team: slug.clone(),
            email: email.to_owned(),
            name,
            role: role.as_str().to_owned(),
            email_verification_pending: pending,
            idp_initiated: login.idp_initiated(),
            encrypted: assertion.encrypted(),
            expires: expires.timestamp(),
            name_id: SessionNameId::from(assertion.name_id_details()),
            session_index: assertion.session_index().map(str::to_owned),
            csrf: new_csrf_token(),
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
