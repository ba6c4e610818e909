//! The validated values a team configuration is made of: the team slug, the
//! SP URL layout and the URLs it derives, roles and email domains.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId};

/// A team's URL name: 1 to 63 of `a-z`, `0-9` and `-`, not starting or
/// ending with `-` (a DNS label, so it is safe in paths and host names).
///
/// ```
/// use saml_sp::{ErrorKind, TeamSlug};
/// assert_eq!(TeamSlug::new("acme-eu")?.as_str(), "acme-eu");
/// assert_eq!(TeamSlug::new("Acme").unwrap_err().kind(), ErrorKind::TeamSlugInvalid);
/// assert_eq!(TeamSlug::new("-acme").unwrap_err().kind(), ErrorKind::TeamSlugInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeamSlug(String);

impl TeamSlug {
    /// Most bytes in a slug.
    pub const MAX_LEN: usize = 63;

    /// Checks and wraps a slug (no normalisation: `Acme` is refused, not
    /// lowercased, so a slug is never silently another team's).
    ///
    /// # Errors
    /// [`ErrorKind::TeamSlugInvalid`].
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        let bad = |why: &str| {
            Err(Error::new(
                ErrorKind::TeamSlugInvalid,
                format!("team slug {value:?} {why}"),
            ))
        };
        if value.is_empty() || value.len() > Self::MAX_LEN {
            return bad("must be 1 to 63 characters");
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("may contain only a-z, 0-9 and '-'");
        }
        if value.starts_with('-') || value.ends_with('-') {
            return bad("must not start or end with '-'");
        }
        Ok(Self(value))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the SP endpoints of every team live: a base URL (scheme and host,
/// optionally a path prefix) and four path templates holding `{team}`.
///
/// The defaults give Heroku's layout: SP entity ID
/// `https://<sso-host>/saml/<team>`, sign-on URL `…/saml/<team>/init`, ACS
/// URL `…/saml/<team>/acs`, SP metadata `…/saml/<team>/metadata`, and the
/// SingleLogoutService `…/saml/<team>/slo` ([`with_slo_path`](Self::with_slo_path)).
///
/// ```
/// use saml_sp::{SpUrlLayout, TeamSlug};
/// let layout = SpUrlLayout::new("https://sso.example.com")?;
/// let urls = layout.endpoints(&TeamSlug::new("acme")?)?;
/// assert_eq!(urls.entity_id().as_str(), "https://sso.example.com/saml/acme");
/// assert_eq!(urls.sign_on_url().as_str(), "https://sso.example.com/saml/acme/init");
/// assert_eq!(urls.acs_url().as_str(), "https://sso.example.com/saml/acme/acs");
/// assert_eq!(urls.metadata_url().as_str(), "https://sso.example.com/saml/acme/metadata");
/// assert_eq!(urls.slo_url().unwrap().as_str(), "https://sso.example.com/saml/acme/slo");
///
/// let custom = SpUrlLayout::new("https://example.com/auth/")?
///     .with_paths("/sp/{team}", "/login/{team}", "/sp/{team}/consume", "/sp/{team}.xml")?;
/// let urls = custom.endpoints(&TeamSlug::new("acme")?)?;
/// assert_eq!(urls.acs_url().as_str(), "https://example.com/auth/sp/acme/consume");
/// assert!(SpUrlLayout::new("https://example.com")?.with_paths("/sp", "/a/{team}", "/b/{team}", "/c/{team}").is_err());
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpUrlLayout {
    base: String,
    entity_id: String,
    sign_on: String,
    acs: String,
    metadata: String,
    slo: String,
}

/// The placeholder every path template must contain exactly once.
pub const TEAM_PLACEHOLDER: &str = "{team}";

fn template_error(detail: String) -> Error {
    Error::new(ErrorKind::UrlTemplateInvalid, detail)
}

fn check_template(what: &str, template: &str) -> Result<()> {
    if !template.starts_with('/') {
        return Err(template_error(format!(
            "the {what} path {template:?} must start with '/'"
        )));
    }
    if template.matches(TEAM_PLACEHOLDER).count() != 1 {
        return Err(template_error(format!(
            "the {what} path {template:?} must contain {TEAM_PLACEHOLDER} exactly once"
        )));
    }
    let path = template.split(['?', '#']).next().unwrap_or_default();
    if path.contains("//") || path.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(template_error(format!(
            "the {what} path {template:?} has an empty, '.' or '..' segment"
        )));
    }
    let rest = template.replace(TEAM_PLACEHOLDER, "");
    if let Some(c) = rest.chars().find(|c| {
        !c.is_ascii_graphic() || matches!(c, '{' | '}' | '?' | '#' | '\\' | '"' | '<' | '>')
    }) {
        return Err(template_error(format!(
            "the {what} path {template:?} contains {c:?}"
        )));
    }
    Ok(())
}

impl SpUrlLayout {
    /// The default entity ID path.
    pub const DEFAULT_ENTITY_ID: &'static str = "/saml/{team}";
    /// The default sign-on (SP-initiated login) path.
    pub const DEFAULT_SIGN_ON: &'static str = "/saml/{team}/init";
    /// The default ACS path.
    pub const DEFAULT_ACS: &'static str = "/saml/{team}/acs";
    /// The default SP metadata path.
    pub const DEFAULT_METADATA: &'static str = "/saml/{team}/metadata";
    /// The default SingleLogoutService path (HTTP-Redirect and HTTP-POST).
    pub const DEFAULT_SLO: &'static str = "/saml/{team}/slo";

    /// The default layout under `base_url`: `https://` (or `http://` for
    /// `localhost`, `127.0.0.1` and `[::1]` only), a host, optionally a path
    /// prefix; no query or fragment. A trailing `/` is dropped.
    ///
    /// # Errors
    /// [`ErrorKind::UrlTemplateInvalid`].
    pub fn new(base_url: &str) -> Result<Self> {
        let base = base_url.strip_suffix('/').unwrap_or(base_url);
        let url = EndpointUrl::new(base).map_err(|e| template_error(e.detail().to_owned()))?;
        if base.contains(['?', '#', '{', '}', '@']) {
            return Err(template_error(format!(
                "base URL {base_url:?} must not have a query, a fragment, user info or braces"
            )));
        }
        if !url.is_https() {
            let host = base
                .trim_start_matches("http://")
                .split(['/', ':'])
                .next()
                .unwrap_or_default();
            let local =
                matches!(host, "localhost" | "127.0.0.1") || base.starts_with("http://[::1]");
            if !local {
                return Err(template_error(format!(
                    "base URL {base_url:?} must use https (http only for localhost)"
                )));
            }
        }
        Ok(Self {
            base: base.to_owned(),
            entity_id: Self::DEFAULT_ENTITY_ID.to_owned(),
            sign_on: Self::DEFAULT_SIGN_ON.to_owned(),
            acs: Self::DEFAULT_ACS.to_owned(),
            metadata: Self::DEFAULT_METADATA.to_owned(),
            slo: Self::DEFAULT_SLO.to_owned(),
        })
    }

    /// This layout with other path templates. Each must start with `/`,
    /// contain `{team}` exactly once and no other braces, `?`, `#` or
    /// whitespace; the sign-on, ACS and metadata paths must differ from each
    /// other (the entity ID may equal one of them, e.g. the metadata URL).
    ///
    /// # Errors
    /// [`ErrorKind::UrlTemplateInvalid`].
    pub fn with_paths(
        mut self,
        entity_id: &str,
        sign_on: &str,
        acs: &str,
        metadata: &str,
    ) -> Result<Self> {
        check_template("entity ID", entity_id)?;
        check_template("sign-on", sign_on)?;
        check_template("ACS", acs)?;
        check_template("metadata", metadata)?;
        if sign_on == acs || acs == metadata || sign_on == metadata {
            return Err(template_error(format!(
                "the sign-on, ACS and metadata paths must differ ({sign_on:?}, {acs:?}, {metadata:?})"
            )));
        }
        if [sign_on, acs, metadata].contains(&self.slo.as_str()) {
            return Err(template_error(format!(
                "the sign-on, ACS and metadata paths must differ from the SLO path {:?} \
                 (change it first with with_slo_path)",
                self.slo
            )));
        }
        self.entity_id = entity_id.to_owned();
        self.sign_on = sign_on.to_owned();
        self.acs = acs.to_owned();
        self.metadata = metadata.to_owned();
        Ok(self)
    }

    /// This layout with another SingleLogoutService path template (default
    /// [`DEFAULT_SLO`](Self::DEFAULT_SLO)), under the same rules as
    /// [`with_paths`](Self::with_paths); it must differ from the sign-on,
    /// ACS and metadata paths.
    ///
    /// # Errors
    /// [`ErrorKind::UrlTemplateInvalid`].
    pub fn with_slo_path(mut self, slo: &str) -> Result<Self> {
        check_template("SLO", slo)?;
        if [
            self.sign_on.as_str(),
            self.acs.as_str(),
            self.metadata.as_str(),
        ]
        .contains(&slo)
        {
            return Err(template_error(format!(
                "the SLO path {slo:?} must differ from the sign-on, ACS and metadata paths"
            )));
        }
        self.slo = slo.to_owned();
        Ok(self)
    }

    /// The base URL (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, template: &str, team: &TeamSlug) -> String {
        format!(
            "{}{}",
            self.base,
            template.replace(TEAM_PLACEHOLDER, team.as_str())
        )
    }

    /// The SP URLs of `team`.
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] if a URL would be too long.
    pub fn endpoints(&self, team: &TeamSlug) -> Result<SpEndpoints> {
        Ok(SpEndpoints {
            entity_id: EntityId::new(self.url(&self.entity_id, team))?,
            sign_on_url: EndpointUrl::new(self.url(&self.sign_on, team))?,
            acs_url: EndpointUrl::new(self.url(&self.acs, team))?,
            metadata_url: EndpointUrl::new(self.url(&self.metadata, team))?,
            slo_url: Some(EndpointUrl::new(self.url(&self.slo, team))?),
        })
    }
}

/// One team's SP identity and URLs: what the team admin enters at the IdP.
///
/// Stored with the team (not recomputed from the layout at each use): the
/// entity ID the IdP knows must not change when the platform's URLs do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SpEndpoints {
    entity_id: EntityId,
    sign_on_url: EndpointUrl,
    acs_url: EndpointUrl,
    metadata_url: EndpointUrl,
    /// Absent in configurations stored before Single Logout existed.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub(super) slo_url: Option<EndpointUrl>,
}

impl SpEndpoints {
    /// Our SingleLogoutService URL (HTTP-Redirect and HTTP-POST): the
    /// Destination of the IdP's logout messages. `None` only for a
    /// configuration stored before Single Logout existed (store it again
    /// with [`TeamConfig::set_slo_url`](crate::TeamConfig::set_slo_url)).
    pub fn slo_url(&self) -> Option<&EndpointUrl> {
        self.slo_url.as_ref()
    }

    /// The SP entity ID (the Audience of the team's assertions).
    pub fn entity_id(&self) -> &EntityId {
        &self.entity_id
    }

    /// Where a user starts SP-initiated login.
    pub fn sign_on_url(&self) -> &EndpointUrl {
        &self.sign_on_url
    }

    /// The Assertion Consumer Service URL the IdP posts to.
    pub fn acs_url(&self) -> &EndpointUrl {
        &self.acs_url
    }

    /// Where the team's SP metadata is served.
    pub fn metadata_url(&self) -> &EndpointUrl {
        &self.metadata_url
    }
}

/// A team role. New SSO users get the team's default role, [`Role::Member`]
/// unless an admin changed it. Apps with their own roles use
/// [`Role::parse`] with their name.
///
/// ```
/// use saml_sp::ErrorKind;
/// use saml_sp::team::Role;
/// assert_eq!(Role::default(), Role::Member);
/// assert_eq!(Role::parse("admin")?, Role::Admin);
/// let billing = Role::parse("billing-viewer")?;
/// assert_eq!(billing.as_str(), "billing-viewer");
/// assert_eq!(Role::parse("Billing Viewer").unwrap_err().kind(), ErrorKind::RoleInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Role {
    /// Manages the team, its members and its SSO settings.
    Admin,
    /// Works in the team's apps with limited rights.
    Collaborator,
    /// A regular member (the default role).
    #[default]
    Member,
    /// A role the application defines.
    Custom(CustomRole),
}

/// The name of an application-defined role: 1 to 64 of `a-z`, `0-9`, `-`
/// and `_`, starting with a letter, and not a built-in role's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomRole(String);

impl CustomRole {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Role {
    /// `admin`, `collaborator`, `member`, or a custom role name.
    ///
    /// # Errors
    /// [`ErrorKind::RoleInvalid`] for anything else.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "admin" => return Ok(Self::Admin),
            "collaborator" => return Ok(Self::Collaborator),
            "member" => return Ok(Self::Member),
            _ => {}
        }
        let ok = (1..=64).contains(&name.len())
            && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !ok {
            return Err(Error::new(
                ErrorKind::RoleInvalid,
                format!(
                    "role {name:?}: expected admin, collaborator, member or a name of 1 to 64 \
                     of a-z, 0-9, '-', '_' starting with a letter"
                ),
            ));
        }
        Ok(Self::Custom(CustomRole(name.to_owned())))
    }

    /// The role's name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Admin => "admin",
            Self::Collaborator => "collaborator",
            Self::Member => "member",
            Self::Custom(c) => c.as_str(),
        }
    }
}

/// An email domain of a team's allow-list, lowercased: a DNS name of at
/// least two labels (ASCII; enter internationalised domains in their
/// `xn--` form). Matching is exact: `acme.example` does not admit
/// `eu.acme.example`; list each domain.
///
/// ```
/// use saml_sp::ErrorKind;
/// use saml_sp::team::EmailDomain;
/// assert_eq!(EmailDomain::new(" ACME.Example ")?.as_str(), "acme.example");
/// assert_eq!(EmailDomain::new("localhost").unwrap_err().kind(), ErrorKind::EmailDomainInvalid);
/// assert_eq!(EmailDomain::new("acme..example").unwrap_err().kind(), ErrorKind::EmailDomainInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailDomain(String);

impl EmailDomain {
    /// Trims, lowercases and checks a domain.
    ///
    /// # Errors
    /// [`ErrorKind::EmailDomainInvalid`].
    pub fn new(value: &str) -> Result<Self> {
        let domain = value.trim().to_ascii_lowercase();
        let bad = |why: &str| {
            Err(Error::new(
                ErrorKind::EmailDomainInvalid,
                format!("email domain {value:?} {why}"),
            ))
        };
        if domain.is_empty() || domain.len() > 253 {
            return bad("must be 1 to 253 characters");
        }
        if !domain.is_ascii() {
            return bad("is not ASCII (use its xn-- form)");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return bad("needs at least two labels");
        }
        for label in &labels {
            let valid = (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !valid {
                return bad("has an invalid label");
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return bad("ends in a numeric label");
        }
        Ok(Self(domain))
    }

    /// The lowercased domain.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_value {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($t), self.as_str())
            }
        }
    )*};
}

string_value!(TeamSlug, EmailDomain);

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as plain strings; deserializing runs the same checks.
#[cfg(feature = "serde")]
mod serde_impls {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{EmailDomain, Role, TeamSlug};
    use crate::error::serde_error;

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for TeamSlug {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for TeamSlug {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Self::new(String::deserialize(d)?).map_err(serde_error)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for EmailDomain {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for EmailDomain {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let stored = String::deserialize(d)?;
            let domain = Self::new(&stored).map_err(serde_error)?;
            if domain.as_str() != stored {
                return Err(serde::de::Error::custom(format_args!(
                    "email_domain_invalid: stored domain {stored:?} is not normalized"
                )));
            }
            Ok(domain)
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl Serialize for Role {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }

    #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
    impl<'de> Deserialize<'de> for Role {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Self::parse(&String::deserialize(d)?).map_err(serde_error)
        }
    }
}
