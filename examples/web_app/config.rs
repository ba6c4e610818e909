//! The web app's configuration file (JSON): where it listens, its public
//! base URL, the cookie key, the store, the teams and the accounts the
//! platform manages directly.
//!
//! ```json
//! {
//!   "listen": "127.0.0.1:8080",
//!   "base_url": "http://127.0.0.1:8080",
//!   "cookie_key_hex": "<128 hex digits or more: 64 bytes, the cookie crate's Key>",
//!   "store": { "kind": "memory" },
//!   "teams": [
//!     { "slug": "acme", "idp_metadata_file": "fixtures/metadata/azure-app-signed.xml",
//!       "default_role": "member", "allowed_email_domains": ["acme.example"], "require_mfa": false },
//!     { "slug": "globex", "idp_metadata_file": "globex-idp.xml",
//!       "allow_idp_initiated": true, "landing_page": "/?team=globex" }
//!   ],
//!   "accounts": [
//!     { "email": "root@acme.example", "team": "acme", "role": "admin", "managed": "break_glass_admin" }
//!   ]
//! }
//! ```
//!
//! Relative file names are relative to the configuration file.
//!
//! `allow_idp_initiated` (default false) lets the team's users sign in from
//! the IdP's portal (a Response that answers no request of ours; see
//! `saml_sp::team` on login CSRF before turning it on). `landing_page`
//! (default `/`, a local path) is where such a sign-in lands when the IdP's
//! RelayState is not a local path.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use saml_sp::team::{EmailDomain, ReturnPath, Role};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{IdpMetadata, IdpSettings, SpUrlLayout, TeamConfig, TeamSlug};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    pub(crate) listen: SocketAddr,
    pub(crate) base_url: String,
    pub(crate) cookie_key_hex: String,
    #[serde(default)]
    pub(crate) store: StoreConfig,
    pub(crate) teams: Vec<TeamFile>,
    #[serde(default)]
    pub(crate) accounts: Vec<AccountFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum StoreConfig {
    /// One process: in-memory request tracker and replay cache.
    #[default]
    Memory,
    /// Several instances: both on one Redis (the `redis` feature).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Redis {
        url: String,
        #[serde(default = "default_namespace")]
        namespace: String,
    },
}

fn default_namespace() -> String {
    "web_app".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeamFile {
    slug: String,
    idp_metadata_file: PathBuf,
    #[serde(default)]
    default_role: Option<String>,
    #[serde(default)]
    allowed_email_domains: Vec<String>,
    #[serde(default)]
    require_mfa: bool,
    #[serde(default)]
    sso_enforced: bool,
    #[serde(default)]
    allow_idp_initiated: bool,
    #[serde(default)]
    landing_page: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountFile {
    pub(crate) email: String,
    pub(crate) team: String,
    pub(crate) role: String,
    /// `break_glass_admin` or `integration`: signs in with a password, never by SSO.
    #[serde(default)]
    pub(crate) managed: Option<String>,
}

impl ConfigFile {
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Every team's configuration, from its IdP metadata file.
    pub(crate) fn teams(&self, dir: &Path, now: DateTime<Utc>) -> Result<Vec<TeamConfig>, String> {
        let layout = SpUrlLayout::new(&self.base_url).map_err(|e| e.detail().to_owned())?;
        self.teams
            .iter()
            .map(|t| {
                let err = |e: saml_sp::Error| {
                    format!("team {}: {}: {}", t.slug, e.kind().as_str(), e.detail())
                };
                let path = dir.join(&t.idp_metadata_file);
                let xml = std::fs::read(&path)
                    .map_err(|e| format!("team {}: cannot read {}: {e}", t.slug, path.display()))?;
                let metadata = IdpMetadata::parse(&xml, now).map_err(err)?;
                let (idp, dropped) = IdpSettings::from_metadata(&metadata, now).map_err(err)?;
                for d in dropped {
                    eprintln!("team {}: certificate not used: {d:?}", t.slug);
                }
                let mut team =
                    TeamConfig::new(TeamSlug::new(t.slug.clone()).map_err(err)?, &layout, idp)
                        .map_err(err)?;
                if let Some(role) = &t.default_role {
                    team.set_default_role(Role::parse(role).map_err(err)?);
                }
                let domains = t
                    .allowed_email_domains
                    .iter()
                    .map(|d| EmailDomain::new(d))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(err)?;
                team.set_allowed_email_domains(domains);
                team.set_require_mfa(t.require_mfa);
                team.set_sso_enforced(t.sso_enforced);
                team.set_allow_idp_initiated(t.allow_idp_initiated);
                if let Some(page) = &t.landing_page {
                    team.set_landing_page(ReturnPath::new(page.clone()).map_err(err)?);
                }
                Ok(team)
            })
            .collect()
    }
}
