//! The web app's configuration file (JSON): where it listens, its public
//! base URL, the cookie key, the store, the SP's keys, the teams and the
//! accounts the platform manages directly.
//!
//! ```json
//! {
//!   "listen": "127.0.0.1:8080",
//!   "base_url": "http://127.0.0.1:8080",
//!   "cookie_key_hex": "<128 hex digits or more: 64 bytes, the cookie crate's Key>",
//!   "store": { "kind": "memory" },
//!   "sp_signing_key_file": "sp.key.pem", "sp_signing_cert_file": "sp.crt.pem",
//!   "sp_decryption_key_file": "sp-enc.key.pem", "sp_decryption_cert_file": "sp-enc.crt.pem",
//!   "teams": [
//!     { "slug": "acme", "idp_metadata_file": "fixtures/metadata/azure-app-signed.xml",
//!       "default_role": "member", "allowed_email_domains": ["acme.example"], "require_mfa": false },
//!     { "slug": "globex", "idp_metadata_file": "globex-idp.xml",
//!       "allow_idp_initiated": true, "landing_page": "/?team=globex" },
//!     { "slug": "initech", "idp_metadata_file": "initech-idp.xml",
//!       "require_encrypted_assertion": true }
//!   ],
//!   "accounts": [
//!     { "email": "root@acme.example", "team": "acme", "role": "admin", "managed": "break_glass_admin" }
//!   ]
//! }
//! ```
//!
//! Relative file names are relative to the configuration file (so the
//! example's `fixtures/...` path needs the file at the repository root).
//!
//! `allow_idp_initiated` (default false) lets the team's users sign in from
//! the IdP's portal (a Response that answers no request of ours; see
//! `saml_sp::manual::login` on login CSRF before turning it on). `landing_page`
//! (default `/`, a local path) is where such a sign-in lands when the IdP's
//! RelayState is not a local path.
//!
//! The SP's keys are the app's, not a team's (a real app reads them from
//! its secret store): `sp_signing_key_file` (with its certificate) signs
//! every AuthnRequest, LogoutRequest and LogoutResponse (SAML profiles
//! 4.4.4.1 want logout messages signed; most IdPs check them when they
//! have the certificate); `sp_decryption_key_file` (with its certificate)
//! decrypts encrypted assertions. Each certificate goes into every team's
//! SP metadata (`KeyDescriptor use="signing"` / `use="encryption"`).
//! `require_encrypted_assertion` (default false) refuses a team's
//! assertions that come in the clear (`assertion_not_encrypted`); it needs
//! the decryption key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::team::{EmailDomain, ReturnPath, Role};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    IdpMetadata, IdpSettings, SigningCertificate, SpSigningKey, SpUrlLayout, TeamConfig, TeamSlug,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    pub(crate) listen: SocketAddr,
    pub(crate) base_url: String,
    pub(crate) cookie_key_hex: String,
    #[serde(default)]
    pub(crate) store: StoreConfig,
    #[serde(default)]
    pub(crate) sp_signing_key_file: Option<PathBuf>,
    #[serde(default)]
    pub(crate) sp_signing_cert_file: Option<PathBuf>,
    #[serde(default)]
    pub(crate) sp_decryption_key_file: Option<PathBuf>,
    #[serde(default)]
    pub(crate) sp_decryption_cert_file: Option<PathBuf>,
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
    #[serde(default)]
    require_encrypted_assertion: bool,
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
                if t.require_encrypted_assertion && self.sp_decryption_key_file.is_none() {
                    return Err(format!(
                        "team {}: require_encrypted_assertion needs sp_decryption_key_file",
                        t.slug
                    ));
                }
                team.set_require_encrypted_assertion(t.require_encrypted_assertion);
                if let Some(page) = &t.landing_page {
                    team.set_landing_page(ReturnPath::new(page.clone()).map_err(err)?);
                }
                Ok(team)
            })
            .collect()
    }
}

/// The SP's keys from the configuration: the signing key and the
/// decryption keys, each with its certificate (for the SP metadata).
#[derive(Default)]
pub(crate) struct SpKeys {
    pub(crate) signing: Option<SpSigningKey>,
    pub(crate) decryption: Option<SpDecryptionKeys>,
}

impl ConfigFile {
    /// Reads the SP's keys (paths relative to `dir`). A key needs its
    /// certificate: it is what the IdP admin uploads.
    pub(crate) fn sp_keys(&self, dir: &Path) -> Result<SpKeys, String> {
        let read = |what: &str, path: &Path| {
            let path = dir.join(path);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))
        };
        let err = |what: &str| {
            let what = what.to_owned();
            move |e: saml_sp::Error| format!("{what}: {}: {}", e.kind().as_str(), e.detail())
        };
        let pair = |key: &Option<PathBuf>, cert: &Option<PathBuf>, what: &str| match (key, cert) {
            (None, None) => Ok(None),
            (Some(key), Some(cert)) => Ok(Some((
                read(what, key)?,
                SigningCertificate::from_pem(&read(what, cert)?).map_err(err(what))?,
            ))),
            _ => Err(format!(
                "{what}: give both the key file and the certificate file"
            )),
        };
        let signing = pair(
            &self.sp_signing_key_file,
            &self.sp_signing_cert_file,
            "sp_signing_key_file",
        )?
        .map(|(pem, cert)| {
            SpSigningKey::from_pem(&pem)
                .and_then(|k| k.with_certificate(cert))
                .map_err(err("sp_signing_key_file"))
        })
        .transpose()?;
        let decryption = pair(
            &self.sp_decryption_key_file,
            &self.sp_decryption_cert_file,
            "sp_decryption_key_file",
        )?
        .map(|(pem, cert)| {
            SpDecryptionKey::from_pem(&pem)
                .and_then(|k| k.with_certificate(cert))
                .map(SpDecryptionKeys::new)
                .map_err(err("sp_decryption_key_file"))
        })
        .transpose()?;
        Ok(SpKeys {
            signing,
            decryption,
        })
    }
}
