//! Azure AD / Entra ID claims.
//!
//! The claim names are those of Microsoft's "SAML token claims reference"
//! (<https://learn.microsoft.com/entra/identity-platform/reference-saml-tokens>);
//! the real Azure AD recordings of the test corpus carry them under these
//! names (tenantid, objectidentifier, displayname, identityprovider,
//! authnmethodsreferences, name, groups), and Azure's federation metadata
//! offers `groups.link` as "GroupsOverageClaim".

use super::FreshAssertion;

/// The claim type URIs Azure AD / Entra ID puts in SAML assertions.
pub mod claims {
    /// The user's email address.
    pub const EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    /// Given name.
    pub const GIVEN_NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
    /// Surname.
    pub const SURNAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
    /// The user principal name.
    pub const NAME: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    /// Display name.
    pub const DISPLAY_NAME: &str = "http://schemas.microsoft.com/identity/claims/displayname";
    /// The user's immutable object ID in the tenant.
    pub const OBJECT_ID: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    /// The tenant ID.
    pub const TENANT_ID: &str = "http://schemas.microsoft.com/identity/claims/tenantid";
    /// Group object IDs (or names, as the app's group claim is configured);
    /// JWT claim `groups`.
    pub const GROUPS: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    /// The group overage indicator: sent *instead of* [`GROUPS`] when the
    /// user is in more groups than a SAML token may carry (150); its value
    /// is a Graph URL for the user's groups. JWT claim `groups:src1`.
    pub const GROUPS_LINK: &str = "http://schemas.microsoft.com/claims/groups.link";
    /// The app roles granted to the user, directly or through a group (the
    /// `value` of each of the application's `appRoles`); JWT claim `roles`.
    pub const ROLE: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    /// The identity provider that authenticated the user: the issuer
    /// (`https://sts.windows.net/{tenant}/`) unless the account is in
    /// another tenant (a guest) or outside Entra ID; JWT claim `idp`.
    pub const IDENTITY_PROVIDER: &str =
        "http://schemas.microsoft.com/identity/claims/identityprovider";
    /// How the user authenticated (one value per method); JWT claim `amr`.
    pub const AUTHN_METHODS: &str = "http://schemas.microsoft.com/claims/authnmethodsreferences";
    /// The value of [`AUTHN_METHODS`] that means multi-factor authentication.
    pub const MULTIPLE_AUTHN: &str = "http://schemas.microsoft.com/claims/multipleauthn";
}

/// The user's groups as Azure AD / Entra ID sent them: a list, or the
/// group overage indicator that says the list did not fit.
///
/// Entra ID emits at most 150 groups in a SAML assertion ("Configure group
/// claims for applications by using Microsoft Entra ID",
/// <https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-fed-group-claims>).
/// For a user in more groups it sends no [`groups`](claims::GROUPS) claim
/// at all but [`groups.link`](claims::GROUPS_LINK), a link to the user's
/// group list in Graph (Microsoft's example:
/// `https://graph.windows.net/{tenantID}/users/{userID}/getMemberObjects`;
/// the Azure AD Graph API it names is replaced by Microsoft Graph's
/// `user: getMemberObjects`). An app that authorizes by group must then ask
/// Graph, and must not read the missing claim as "in no group".
///
/// `#[non_exhaustive]`: match with a `_` arm, and treat an unknown variant
/// as "groups unknown" (never as "no groups").
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AzureGroups<'a> {
    /// The `groups` claim: every value (trimmed, empty ones dropped), in
    /// document order.
    Listed(Vec<&'a str>),
    /// Group overage: the user is in too many groups for the token; `link`
    /// is the `groups.link` value. Ask Microsoft Graph for the groups of
    /// [`AzureClaims::object_id`] with the app's own credentials (rather
    /// than sending them to whatever host the link names).
    Overage {
        /// The `groups.link` value (a Graph URL), trimmed.
        link: &'a str,
    },
    /// Neither claim: the app has no group claim configured, or the user
    /// is in none of the groups the claim is filtered to.
    NotSent,
}

impl<'a> AzureGroups<'a> {
    /// The listed groups; `None` on overage or when no group claim was
    /// sent.
    pub fn listed(&self) -> Option<&[&'a str]> {
        match self {
            Self::Listed(groups) => Some(groups),
            _ => None,
        }
    }

    /// Whether the listed groups include `group` (an object ID, compared
    /// exactly). `None` when that cannot be told from the token: on
    /// overage (ask Graph) or when no group claim was sent.
    pub fn contains(&self, group: &str) -> Option<bool> {
        self.listed().map(|groups| groups.contains(&group))
    }
}

/// Azure AD / Entra ID claims of a fresh assertion.
///
/// ```
/// # use saml_sp::*;
/// # use saml_sp::{time::*, vocabulary::*, store::*, provisioning::*, team::*, request::*, response::*};
/// # let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// # let cert = SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?;
/// # let verifier = ResponseVerifier::new(
/// #     EntityId::new("https://sso.example.com/saml/acme")?,
/// #     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
/// #     EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?,
/// #     IdpCertSet::new([cert], now)?,
/// # );
/// # let request = RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f")?;
/// let xml = std::fs::read("fixtures/dsig/assertion-signed.xml").unwrap();
/// let assertion = verifier.verify(&xml, &[request], now)?;
/// let fresh = assertion.check_replay(&MemoryReplayCache::new(10), now)?;
/// let azure = fresh.azure();
/// assert_eq!(azure.email(), Some("alice@acme.example"));
/// assert!(azure.mfa());
/// match azure.groups() {
///     AzureGroups::Listed(groups) => assert_eq!(groups.len(), 2),
///     AzureGroups::Overage { link } => panic!("ask Microsoft Graph ({link})"),
///     _ => panic!("no group claim"),
/// }
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AzureClaims<'a> {
    assertion: &'a FreshAssertion,
}

impl<'a> AzureClaims<'a> {
    pub(super) fn new(assertion: &'a FreshAssertion) -> Self {
        Self { assertion }
    }

    fn one(&self, claim: &str) -> Option<&'a str> {
        self.assertion
            .attribute(claim)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The `emailaddress` claim.
    pub fn email(&self) -> Option<&'a str> {
        self.one(claims::EMAIL)
    }

    /// The `givenname` claim.
    pub fn given_name(&self) -> Option<&'a str> {
        self.one(claims::GIVEN_NAME)
    }

    /// The `surname` claim.
    pub fn surname(&self) -> Option<&'a str> {
        self.one(claims::SURNAME)
    }

    /// The `displayname` claim.
    pub fn display_name(&self) -> Option<&'a str> {
        self.one(claims::DISPLAY_NAME)
    }

    /// The `name` claim (the user principal name).
    pub fn user_principal_name(&self) -> Option<&'a str> {
        self.one(claims::NAME)
    }

    /// The `objectidentifier` claim: the user's stable ID in the tenant.
    pub fn object_id(&self) -> Option<&'a str> {
        self.one(claims::OBJECT_ID)
    }

    /// The `tenantid` claim.
    pub fn tenant_id(&self) -> Option<&'a str> {
        self.one(claims::TENANT_ID)
    }

    /// Every non-empty value of `claim`, trimmed, in document order.
    fn all(&self, claim: &str) -> Vec<&'a str> {
        self.assertion
            .attribute_values(claim)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The user's groups, telling a listed set from the group overage (see
    /// [`AzureGroups`]).
    ///
    /// A `groups.link` value wins over any `groups` values: Entra ID never
    /// sends both, and a list that comes with the overage indicator is not
    /// the whole list.
    pub fn groups(&self) -> AzureGroups<'a> {
        if let Some(link) = self.one(claims::GROUPS_LINK) {
            return AzureGroups::Overage { link };
        }
        let listed = self.all(claims::GROUPS);
        if listed.is_empty() {
            AzureGroups::NotSent
        } else {
            AzureGroups::Listed(listed)
        }
    }

    /// The app roles (`role` claim values), trimmed, in document order;
    /// empty if none was granted or the claim is not sent. Each is the
    /// `value` of one of the application's `appRoles`.
    pub fn roles(&self) -> Vec<&'a str> {
        self.all(claims::ROLE)
    }

    /// The `identityprovider` claim: who authenticated the user. The
    /// tenant's own issuer (`https://sts.windows.net/{tenant}/`) for its
    /// members; another tenant's issuer, or a social or federated
    /// provider's, for guests.
    pub fn identity_provider(&self) -> Option<&'a str> {
        self.one(claims::IDENTITY_PROVIDER)
    }

    /// Every `authnmethodsreferences` value, trimmed, in document order:
    /// how the user authenticated (e.g.
    /// `http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password`,
    /// [`MULTIPLE_AUTHN`](claims::MULTIPLE_AUTHN)).
    pub fn auth_methods(&self) -> Vec<&'a str> {
        self.all(claims::AUTHN_METHODS)
    }

    /// Whether `authnmethodsreferences` says multi-factor authentication
    /// was used.
    pub fn mfa(&self) -> bool {
        self.auth_methods().contains(&claims::MULTIPLE_AUTHN)
    }
}
