//! Azure AD / Entra ID claims.

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
    /// Group object IDs.
    pub const GROUPS: &str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    /// How the user authenticated.
    pub const AUTHN_METHODS: &str = "http://schemas.microsoft.com/claims/authnmethodsreferences";
    /// The value of [`AUTHN_METHODS`] that means multi-factor authentication.
    pub const MULTIPLE_AUTHN: &str = "http://schemas.microsoft.com/claims/multipleauthn";
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

    /// Every `groups` value.
    pub fn groups(&self) -> Vec<&'a str> {
        self.assertion.attribute_values(claims::GROUPS)
    }

    /// Whether `authnmethodsreferences` says multi-factor authentication
    /// was used.
    pub fn mfa(&self) -> bool {
        self.assertion
            .attribute_values(claims::AUTHN_METHODS)
            .iter()
            .any(|v| v.trim() == claims::MULTIPLE_AUTHN)
    }
}
