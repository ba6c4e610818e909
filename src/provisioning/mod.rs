//! Just-in-time provisioning: what to do with a person who just signed in
//! through the team's IdP. The guide is on [`decide`].

use crate::error::{Error, ErrorKind};
use crate::ids::{EntityId, hashed_key};
use crate::response::FreshAssertion;
use crate::team::{EmailDomain, Role, TeamConfig, TeamSlug};

/// The SAML 1.1 `emailAddress` NameID format.
pub const NAME_ID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
/// The SAML 2.0 `persistent` NameID format.
pub const NAME_ID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
/// `AuthnContextClassRef` values taken as multi-factor authentication (with
/// Azure's `authnmethodsreferences` = `multipleauthn` claim): the REFEDS MFA
/// profile and Azure's `multipleauthn`.
pub const MFA_CONTEXT_CLASSES: [&str; 2] = [
    "https://refeds.org/profile/mfa",
    "http://schemas.microsoft.com/claims/multipleauthn",
];

/// Where a [`SubjectKey`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectKeySource {
    /// Azure's `objectidentifier` claim.
    AzureObjectId,
    /// A NameID with Format `persistent`.
    PersistentNameId,
}

impl SubjectKeySource {
    /// A stable name: `azure_object_id`, `persistent_name_id`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AzureObjectId => "azure_object_id",
            Self::PersistentNameId => "persistent_name_id",
        }
    }
}

/// A person's stable key at one team's IdP (see the
/// [`decide`](decide#the-stable-key-and-why-email-is-never-the-key)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubjectKey {
    key: String,
    source: SubjectKeySource,
    value: String,
}

impl SubjectKey {
    fn new(team: &TeamSlug, issuer: &EntityId, source: SubjectKeySource, value: &str) -> Self {
        Self {
            key: hashed_key(
                "saml-sp subject v1",
                &[team.as_str(), issuer.as_str(), source.as_str(), value],
            ),
            source,
            value: value.to_owned(),
        }
    }

    /// The key to store and look up: 64 lowercase hex digits, the SHA-256 of
    /// the team, the IdP's entity ID, the source and the value.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// Where the value comes from.
    pub fn source(&self) -> SubjectKeySource {
        self.source
    }

    /// The asserted value (the object ID or the persistent NameID), for logs.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// An email address as asserted (trimmed), compared case-insensitively.
///
/// Accepted: one `@`; a local part of 1 to 64 printable ASCII characters
/// without spaces, quotes, brackets, `(),:;<>\` or leading, trailing or
/// double dots; a domain valid as an [`EmailDomain`]; 254 bytes at most.
#[derive(Debug, Clone)]
pub struct EmailAddress {
    asserted: String,
    normalized: String,
    at: usize,
}

impl EmailAddress {
    fn parse(value: &str) -> Option<Self> {
        let asserted = value.trim();
        if asserted.len() > 254 {
            return None;
        }
        let (local, domain) = asserted.split_once('@')?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"\"(),:;<>@[\\]".contains(&b))
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return None;
        }
        let domain = EmailDomain::new(domain).ok()?;
        if domain.as_str().len() != asserted.len() - local.len() - 1 {
            return None;
        }
        Some(Self {
            asserted: asserted.to_owned(),
            normalized: format!("{}@{}", local.to_ascii_lowercase(), domain.as_str()),
            at: local.len(),
        })
    }

    /// The address as the IdP sent it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.asserted
    }

    /// The address lowercased: compare and look up with this.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The domain, lowercased.
    pub fn domain(&self) -> &str {
        self.normalized.get(self.at + 1..).unwrap_or_default()
    }
}

impl PartialEq for EmailAddress {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}

impl Eq for EmailAddress {}

impl std::hash::Hash for EmailAddress {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized.hash(state);
    }
}

/// An account the platform manages itself, outside the IdP, so that it
/// works when the IdP does not. It signs in with the platform's own
/// credentials, never by SSO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ManagedKind {
    /// The team's break-glass admin.
    BreakGlassAdmin,
    /// An integrations (service) user.
    Integration,
}

impl ManagedKind {
    /// A stable name: `break_glass_admin`, `integration`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BreakGlassAdmin => "break_glass_admin",
            Self::Integration => "integration",
        }
    }
}

/// How the app found the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FoundBy {
    /// By [`SubjectKey::as_str`]: the account was linked to this IdP
    /// identity before.
    SubjectKey,
    /// By the normalized email only: not linked yet.
    Email,
}

/// What the app knows about the person (looked up as
/// [`decide`](decide#how-the-app-looks-the-person-up) says).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KnownAccount {
    /// No account has the key or the email.
    NoAccount,
    /// An account that is a member of this team, with its current role.
    MemberOfTeam {
        /// The member's role (SSO leaves it untouched).
        role: Role,
        /// How the account was found.
        found_by: FoundBy,
    },
    /// An account that exists but is not in this team.
    AccountOutsideTeam {
        /// How the account was found.
        found_by: FoundBy,
    },
    /// An account the platform manages directly (found by key or email).
    ManagedDirectly {
        /// Which kind.
        kind: ManagedKind,
    },
}

/// Whether the link between the IdP identity and the account is
/// established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyLink {
    /// The account already carries this subject key.
    Linked,
    /// The account was found by email only. Anyone who controls an IdP can
    /// assert any email, so before opening a session the app emails a
    /// confirmation link to the account's own (verified) address, and links
    /// the subject key to the account only when it is followed.
    ConfirmByEmail,
}

impl From<FoundBy> for KeyLink {
    fn from(found_by: FoundBy) -> Self {
        match found_by {
            FoundBy::SubjectKey => Self::Linked,
            FoundBy::Email => Self::ConfirmByEmail,
        }
    }
}

/// Why an SSO login is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The assertion was verified for another team or IdP than this
    /// configuration's (Audience or Issuer differ).
    AssertionForAnotherTeam,
    /// The account is managed by the platform directly: it signs in with
    /// the platform's own credentials.
    ManagedAccount(ManagedKind),
    /// No `objectidentifier` claim and no persistent NameID.
    MissingSubjectKey,
    /// No email claim and no `emailAddress` NameID.
    MissingEmail,
    /// The email is not a valid address.
    MalformedEmail,
    /// The email's domain is not on the team's allow-list.
    DomainNotAllowed,
    /// The team requires MFA and the assertion does not say it was used.
    MfaRequired,
}

impl RefusalReason {
    /// A stable snake_case name, e.g. `domain_not_allowed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AssertionForAnotherTeam => "assertion_for_another_team",
            Self::ManagedAccount(_) => "managed_account",
            Self::MissingSubjectKey => "missing_subject_key",
            Self::MissingEmail => "missing_email",
            Self::MalformedEmail => "malformed_email",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::MfaRequired => "mfa_required",
        }
    }

    /// A message for the person signing in (never echoes input).
    pub const fn message(self) -> &'static str {
        match self {
            Self::AssertionForAnotherTeam => "this sign-in was meant for another team",
            Self::ManagedAccount(_) => {
                "this account signs in with its password, not through the team's identity provider"
            }
            Self::MissingSubjectKey => {
                "the identity provider did not send a stable user identifier; ask your administrator"
            }
            Self::MissingEmail => "the identity provider did not send your email address",
            Self::MalformedEmail => "the identity provider sent an invalid email address",
            Self::DomainNotAllowed => "your email domain is not allowed for this team",
            Self::MfaRequired => "this team requires multi-factor authentication",
        }
    }
}

/// A refused login: the reason, and a detail for logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub reason: RefusalReason,
    /// What exactly (may quote the assertion; for logs, not for users).
    pub detail: String,
}

impl Refusal {
    fn new(reason: RefusalReason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason.message())
    }
}

impl std::error::Error for Refusal {}

/// A refusal as the crate's [`Error`](crate::Error), of kind
/// [`ErrorKind::ProvisioningRefused`](crate::ErrorKind::ProvisioningRefused):
/// its detail starts with the reason's stable name.
///
/// ```
/// # use saml_sp::provisioning::*;
/// # fn f(refusal: Refusal) {
/// let err: saml_sp::Error = refusal.into();
/// assert_eq!(err.kind(), saml_sp::ErrorKind::ProvisioningRefused);
/// # }
/// ```
impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::new(
            ErrorKind::ProvisioningRefused,
            format!("{}: {}", refusal.reason.as_str(), refusal.detail),
        )
    }
}

/// What the app must do with an SSO login.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProvisioningDecision {
    /// First login: create the account with the team's default role and
    /// link the subject key. The account is unusable until its email is
    /// verified (the platform sends the acknowledgment link).
    CreateAccount {
        /// The key to link to the new account.
        subject_key: SubjectKey,
        /// The asserted email.
        email: EmailAddress,
        /// Given name and surname, else the display name, if any.
        name: Option<String>,
        /// The team's default role.
        role: Role,
        /// Always `true`.
        email_verification_required: bool,
    },
    /// A member of the team signs in; the role is untouched.
    SignIn {
        /// The person's key.
        subject_key: SubjectKey,
        /// The asserted email.
        email: EmailAddress,
        /// The member's current role.
        role: Role,
        /// Whether the key is linked, or must be confirmed by email first.
        link: KeyLink,
    },
    /// An existing account outside the team joins it with the team's
    /// default role.
    AddToTeam {
        /// The person's key.
        subject_key: SubjectKey,
        /// The asserted email.
        email: EmailAddress,
        /// The team's default role.
        role: Role,
        /// Whether the key is linked, or must be confirmed by email first.
        link: KeyLink,
    },
    /// No SSO login.
    Refused(Refusal),
}

fn check_team(assertion: &FreshAssertion, team: &TeamConfig) -> Result<(), Refusal> {
    if assertion.audience() != team.sp().entity_id() || assertion.issuer() != team.idp().entity_id()
    {
        return Err(Refusal::new(
            RefusalReason::AssertionForAnotherTeam,
            format!(
                "assertion from {} to {}; team {} is {} with IdP {}",
                assertion.issuer(),
                assertion.audience(),
                team.slug(),
                team.sp().entity_id(),
                team.idp().entity_id()
            ),
        ));
    }
    Ok(())
}

/// The person's stable key at `team`'s IdP: Azure's `objectidentifier`,
/// else a persistent NameID.
///
/// # Errors
/// [`RefusalReason::AssertionForAnotherTeam`],
/// [`RefusalReason::MissingSubjectKey`].
pub fn subject_key(assertion: &FreshAssertion, team: &TeamConfig) -> Result<SubjectKey, Refusal> {
    check_team(assertion, team)?;
    let issuer = assertion.issuer();
    if let Some(oid) = assertion.azure().object_id() {
        return Ok(SubjectKey::new(
            team.slug(),
            issuer,
            SubjectKeySource::AzureObjectId,
            oid,
        ));
    }
    if assertion.name_id_format() == Some(NAME_ID_PERSISTENT) && !assertion.name_id().is_empty() {
        return Ok(SubjectKey::new(
            team.slug(),
            issuer,
            SubjectKeySource::PersistentNameId,
            assertion.name_id(),
        ));
    }
    Err(Refusal::new(
        RefusalReason::MissingSubjectKey,
        format!(
            "no objectidentifier claim and NameID format {:?}",
            assertion.name_id_format()
        ),
    ))
}

/// The asserted email: Azure's `emailaddress` claim, else the NameID when
/// its Format is `emailAddress`.
///
/// # Errors
/// [`RefusalReason::MissingEmail`], [`RefusalReason::MalformedEmail`].
pub fn asserted_email(assertion: &FreshAssertion) -> Result<EmailAddress, Refusal> {
    let (source, value) = match assertion.azure().email() {
        Some(claim) => ("email claim", claim),
        None if assertion.name_id_format() == Some(NAME_ID_EMAIL) => {
            ("emailAddress NameID", assertion.name_id())
        }
        None => {
            return Err(Refusal::new(
                RefusalReason::MissingEmail,
                format!(
                    "no email claim and NameID format {:?}",
                    assertion.name_id_format()
                ),
            ));
        }
    };
    EmailAddress::parse(value).ok_or_else(|| {
        Refusal::new(
            RefusalReason::MalformedEmail,
            format!("{source} {value:?} is not an email address"),
        )
    })
}

/// Whether the assertion says multi-factor authentication was used: Azure's
/// `authnmethodsreferences` claim holds `multipleauthn`, or the
/// `AuthnContextClassRef` is one of [`MFA_CONTEXT_CLASSES`].
pub fn asserted_mfa(assertion: &FreshAssertion) -> bool {
    assertion.azure().mfa()
        || assertion
            .authn_context_class_ref()
            .is_some_and(|c| MFA_CONTEXT_CLASSES.contains(&c))
}

/// The name for a new account: given name and surname (either alone if
/// only one is sent), else the display name.
fn asserted_name(assertion: &FreshAssertion) -> Option<String> {
    let azure = assertion.azure();
    match (azure.given_name(), azure.surname()) {
        (Some(given), Some(surname)) => Some(format!("{given} {surname}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => azure.display_name().map(str::to_owned),
    }
}

/// Just-in-time provisioning: what to do with a person who just signed in
/// through the team's IdP.
///
/// The decision is a pure function of three things: the assertion after the
/// one-time-use check ([`FreshAssertion`], nothing weaker), the team's
/// [`TeamConfig`], and what the app knows about the person
/// ([`KnownAccount`]). It does no I/O; the app carries it out.
///
/// # How the app looks the person up
///
/// 1. [`subject_key`]: the person's stable key at this team's IdP. Look the
///    account up by it first (the app stores it when it links an account).
/// 2. If no account has that key, [`asserted_email`] and look up by the
///    normalized (lowercase) email: report it with
///    [`FoundBy::Email`], so the decision asks the app to confirm the link
///    by email before trusting it.
/// 3. [`decide`] with what was found.
///
/// ```
/// # use saml_sp::*;
/// # use saml_sp::{time::*, vocabulary::*, store::*, provisioning::*, team::*, request::*, response::*};
/// # let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// # let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// # let (idp, _) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
/// # let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
/// # let response = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// # let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// let fresh = team
///     .response_verifier()
///     .verify(&response, &[request], now)?
///     .check_replay(&MemoryReplayCache::new(1000), now)?;
/// let key = subject_key(&fresh, &team).expect("Azure sends objectidentifier");
/// // ... the app finds no account by key.as_str(), none by email either:
/// match decide(&fresh, &team, &KnownAccount::NoAccount) {
///     ProvisioningDecision::CreateAccount { email, name, role, email_verification_required, .. } => {
///         assert_eq!(email.normalized(), "alice@acme.example");
///         assert_eq!(name.as_deref(), Some("Alice Liddell"));
///         assert_eq!(role, Role::Member);
///         assert!(email_verification_required);
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # The stable key, and why email is never the key
///
/// An email address is mutable (renames, marriage, domain changes) and can
/// be reassigned to another person; an IdP admin can also set any user's
/// email to anything. The key is therefore, in this order:
/// 1. Azure's `objectidentifier` claim: the user's immutable object ID in
///    the tenant. It comes first because Azure sends it whatever the app's
///    NameID is configured as, so changing the NameID source in the Azure
///    portal does not turn every member into a stranger.
/// 2. A NameID with Format `persistent`: the SAML standard's opaque,
///    non-reassigned identifier (Okta, Google, ADFS and others).
///
/// Without either, the login is refused ([`RefusalReason::MissingSubjectKey`]):
/// configure the IdP to send a persistent NameID. The key is scoped to the
/// team and the IdP's entity ID (a SHA-256 over both and the value), so one
/// team's IdP can never assert a key that opens another team's identity.
///
/// # Emails
///
/// The email is Azure's `emailaddress` claim, else the NameID when its
/// Format is `emailAddress`; a malformed email claim is refused, not
/// skipped. Emails and domains compare case-insensitively (ASCII). A new
/// account's email must be verified before use (the platform sends the
/// acknowledgment link): the IdP vouches for its user, not for the mailbox.
///
/// # What removal at the IdP does
///
/// Removing or disabling a user at the IdP stops their future SSO logins,
/// and nothing else: this crate keeps no state about people. Team membership,
/// sessions already open and API keys are the app's to revoke (for example
/// on a SCIM deprovisioning event, or when an admin removes the member).
///
/// # The checks
///
/// In order: the assertion is for this team; a directly managed account is
/// refused; a stable key; an email, well-formed, in the team's allow-list;
/// MFA when the team requires it. Then: no account → create it, a member →
/// sign in, an account outside the team → add it with the default role.
pub fn decide(
    assertion: &FreshAssertion,
    team: &TeamConfig,
    known: &KnownAccount,
) -> ProvisioningDecision {
    match decide_inner(assertion, team, known) {
        Ok(decision) => decision,
        Err(refusal) => ProvisioningDecision::Refused(refusal),
    }
}

/// [`decide`] with the look-up in one call: `lookup` gets the person's
/// stable key and asserted email (in that order of trust: look up by the
/// key first, then by the email, reporting [`FoundBy::Email`]) and says
/// what the app knows. A refusal that needs no look-up (no key, no email,
/// another team) is returned without calling it.
///
/// ```
/// # use saml_sp::*;
/// # use saml_sp::{time::*, store::*, provisioning::*, team::*};
/// # let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// # let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// # let (idp, _) = IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now)?, now)?;
/// # let team = TeamConfig::new(TeamSlug::new("acme")?, &SpUrlLayout::new("https://sso.example.com")?, idp)?;
/// # let response = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// # let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// # let fresh = team.response_verifier().verify(&response, &[request], now)?
/// #     .check_replay(&MemoryReplayCache::new(10), now)?;
/// let decision = decide_with(&fresh, &team, |key, email| {
///     // SELECT ... WHERE subject_key = key.as_str(), then by email.normalized()
///     Ok::<_, std::io::Error>(KnownAccount::NoAccount)
/// });
/// assert!(matches!(decision, Ok(ProvisioningDecision::CreateAccount { .. })));
/// # Ok::<(), saml_sp::Error>(())
/// ```
///
/// # Errors
/// The look-up's error.
pub fn decide_with<E>(
    assertion: &FreshAssertion,
    team: &TeamConfig,
    lookup: impl FnOnce(&SubjectKey, &EmailAddress) -> Result<KnownAccount, E>,
) -> Result<ProvisioningDecision, E> {
    let (key, email) = match key_and_email(assertion, team) {
        Ok(found) => found,
        Err(refusal) => return Ok(ProvisioningDecision::Refused(refusal)),
    };
    let known = lookup(&key, &email)?;
    Ok(decide(assertion, team, &known))
}

/// [`decide_with`] for an asynchronous look-up (a database on tokio).
///
/// # Errors
/// The look-up's error.
pub async fn decide_with_async<E, F, Fut>(
    assertion: &FreshAssertion,
    team: &TeamConfig,
    lookup: F,
) -> Result<ProvisioningDecision, E>
where
    F: FnOnce(SubjectKey, EmailAddress) -> Fut,
    Fut: std::future::Future<Output = Result<KnownAccount, E>>,
{
    let (key, email) = match key_and_email(assertion, team) {
        Ok(found) => found,
        Err(refusal) => return Ok(ProvisioningDecision::Refused(refusal)),
    };
    let known = lookup(key, email).await?;
    Ok(decide(assertion, team, &known))
}

/// The stable key and the email a look-up needs, or the refusal that
/// needs none.
fn key_and_email(
    assertion: &FreshAssertion,
    team: &TeamConfig,
) -> Result<(SubjectKey, EmailAddress), Refusal> {
    let key = subject_key(assertion, team)?;
    let email = asserted_email(assertion)?;
    Ok((key, email))
}

fn decide_inner(
    assertion: &FreshAssertion,
    team: &TeamConfig,
    known: &KnownAccount,
) -> Result<ProvisioningDecision, Refusal> {
    check_team(assertion, team)?;
    if let KnownAccount::ManagedDirectly { kind } = known {
        return Err(Refusal::new(
            RefusalReason::ManagedAccount(*kind),
            format!(
                "the {} account of team {} is managed by the platform",
                kind.as_str(),
                team.slug()
            ),
        ));
    }
    let subject_key = subject_key(assertion, team)?;
    let email = asserted_email(assertion)?;
    if !team.email_domain_allowed(email.domain()) {
        return Err(Refusal::new(
            RefusalReason::DomainNotAllowed,
            format!(
                "domain {} is not in the allow-list of team {}",
                email.domain(),
                team.slug()
            ),
        ));
    }
    if team.require_mfa() && !asserted_mfa(assertion) {
        return Err(Refusal::new(
            RefusalReason::MfaRequired,
            format!(
                "no MFA claim; AuthnContextClassRef {:?}",
                assertion.authn_context_class_ref()
            ),
        ));
    }
    Ok(match known {
        KnownAccount::NoAccount => ProvisioningDecision::CreateAccount {
            subject_key,
            name: asserted_name(assertion),
            email,
            role: team.default_role().clone(),
            email_verification_required: true,
        },
        KnownAccount::MemberOfTeam { role, found_by } => ProvisioningDecision::SignIn {
            subject_key,
            email,
            role: role.clone(),
            link: (*found_by).into(),
        },
        KnownAccount::AccountOutsideTeam { found_by } => ProvisioningDecision::AddToTeam {
            subject_key,
            email,
            role: team.default_role().clone(),
            link: (*found_by).into(),
        },
        KnownAccount::ManagedDirectly { kind } => {
            return Err(Refusal::new(
                RefusalReason::ManagedAccount(*kind),
                "managed account",
            ));
        }
    })
}

/// Whether the account may sign in with the platform's own credentials
/// (password) in `team`: accounts the platform manages directly always may
/// (that is their purpose); others only while SSO is not enforced.
pub fn password_sign_in_allowed(team: &TeamConfig, known: &KnownAccount) -> bool {
    matches!(known, KnownAccount::ManagedDirectly { .. }) || !team.sso_enforced()
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn email_addresses() {
        for (ok, normalized) in [
            ("alice@acme.example", "alice@acme.example"),
            (
                "  Alice.Liddell+sso@ACME.Example ",
                "alice.liddell+sso@acme.example",
            ),
            ("o'brien@acme.example", "o'brien@acme.example"),
        ] {
            let e = EmailAddress::parse(ok).unwrap();
            assert_eq!(e.normalized(), normalized, "{ok:?}");
            assert_eq!(e.domain(), "acme.example");
        }
        let long_local = format!("{}@acme.example", "a".repeat(65));
        let long_total = format!("a@{}.example", vec!["b".repeat(63); 4].join("."));
        for bad in [
            "",
            "alice",
            "@acme.example",
            "alice@",
            "alice@@acme.example",
            "alice@bob@acme.example",
            "alice@acme",
            "alice@acme..example",
            "al ice@acme.example",
            "alice(at)acme.example",
            "\"alice\"@acme.example",
            ".alice@acme.example",
            "alice.@acme.example",
            "al..ice@acme.example",
            "alice@acme.example.",
            "alice@ acme.example",
            "alicé@acme.example",
            "alice@bücher.example",
            "alice@[10.0.0.1]",
            "alice<script>@acme.example",
            &long_local,
            &long_total,
        ] {
            assert!(EmailAddress::parse(bad).is_none(), "{bad:?}");
        }
    }
}
