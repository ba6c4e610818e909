//! Operator hints: when the usual cause of a refusal is a setting at the
//! IdP (or the SP's own URLs behind a proxy), the log detail names it.
//!
//! A hint is appended to [`Error::detail`](crate::Error::detail) where the
//! error is raised, as `; hint: ...`. Kinds and the user texts never change:
//! a hint is for whoever reads the logs and can change the setting. The
//! table of hints, with the setting each names, is the manual chapter
//! [`idp_settings`](crate::manual::idp_settings); `tests/idp_settings.rs`
//! holds every row.
//!
//! Which product's setting to name is told by the IdP entity ID the
//! verifier was configured with (never by the message), and the facts are
//! those the check found.

use super::{RequiredSignature, SignedParts};
use crate::error::ErrorKind;

/// The IdP products whose settings a hint names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdpProduct {
    /// Azure AD / Entra ID: `https://sts.windows.net/{tenant}/` (the
    /// Azure China cloud: `sts.chinacloudapi.cn`).
    AzureAd,
    /// Google Workspace: `https://accounts.google.com/o/saml2?idpid=...`.
    GoogleWorkspace,
    /// OneLogin: `https://app.onelogin.com/saml/metadata/...` or a
    /// `*.onelogin.com` subdomain.
    OneLogin,
    /// Any other IdP.
    Other,
}

impl IdpProduct {
    /// The product of the IdP whose entity ID the verifier was configured
    /// with.
    pub(super) fn of(entity_id: &str) -> Self {
        let Some(url) = split_url(entity_id) else {
            return Self::Other;
        };
        let host = url.host.to_ascii_lowercase();
        match host.as_str() {
            "sts.windows.net" | "sts.chinacloudapi.cn" => Self::AzureAd,
            "accounts.google.com" => Self::GoogleWorkspace,
            h if h.ends_with(".onelogin.com") => Self::OneLogin,
            _ => Self::Other,
        }
    }
}

/// What the check found, for [`hint`].
#[derive(Debug, Clone, Copy)]
pub(super) enum Fact<'a> {
    /// The refused signature uses SHA-1 (rsa-sha1 or a sha1 digest).
    Sha1,
    /// The team requires `required`; the IdP signed `signed`.
    Signed {
        /// What the team requires.
        required: RequiredSignature,
        /// What carried a valid signature.
        signed: SignedParts,
    },
    /// Our ACS URL and the one the message names (Destination, Recipient).
    Url {
        /// Ours, as configured.
        ours: &'a str,
        /// The message's.
        theirs: &'a str,
    },
    /// The `StatusMessage` of an error Response.
    StatusMessage(&'a str),
}

const AZURE_SIGNING_OPTION: &str = "Azure AD / Entra ID signs what the app's Signing Option says: \
     set it to \"Sign SAML response and assertion\" (Entra admin center > Enterprise applications \
     > the app > Single sign-on > SAML Certificates > Edit)";
const AZURE_SHA256: &str = "Azure AD / Entra ID signs with SHA-1 when the app's Signing \
     Algorithm says so: set it to SHA-256 (Entra admin center > Enterprise applications > the \
     app > Single sign-on > SAML Certificates > Edit)";
const GOOGLE_SIGNED_RESPONSE: &str = "Google Workspace signs the whole Response only with the \
     app's \"Signed response\" box checked (Admin console > Apps > Web and mobile apps > the app \
     > Service provider details)";
const ONELOGIN_SHA256: &str = "OneLogin signs with SHA-1 by default: set \"SAML Signature \
     Algorithm\" to SHA-256 on the app's SSO tab";
const ONELOGIN_SIGNATURE_ELEMENT: &str = "OneLogin signs the element its \"SAML signature \
     element\" names: set it to Both on the app's Configuration tab";
const OTHER_SHA256: &str = "the IdP signs with SHA-1: set its signature algorithm to RSA-SHA256 \
     (SHA-1 is accepted only with allow_sha1)";
const OTHER_SIGN_RESPONSE: &str = "the IdP signed only the Assertion: set it to sign the \
     Response too, or require only the Assertion's signature for this team";
const OTHER_SIGN_ASSERTION: &str = "the IdP signed only the Response: set it to sign the \
     Assertion too, or require only the Response's signature for this team";
const BEHIND_PROXY: &str = "the two URLs differ only in scheme or port, typical of the app \
     running behind a TLS-terminating proxy that makes it believe it is on http (or on an \
     internal port): configure the SP URLs with the public https URL";
const AADSTS50105: &str = "the user is not assigned to the app: assign the user or one of their \
     groups (Entra admin center > Enterprise applications > the app > Users and groups)";

/// The hint for an error of `kind` from an IdP of `idp`, given what the
/// check found; `None` when the facts point to no setting.
pub(super) fn hint(kind: ErrorKind, idp: IdpProduct, fact: Fact<'_>) -> Option<String> {
    use IdpProduct::{AzureAd, GoogleWorkspace, OneLogin};
    let fixed = match (kind, fact) {
        (ErrorKind::UnsupportedAlgorithm, Fact::Sha1) => match idp {
            AzureAd => AZURE_SHA256,
            OneLogin => ONELOGIN_SHA256,
            _ => OTHER_SHA256,
        },
        (ErrorKind::ResponseNotSigned, Fact::Signed { .. }) => match idp {
            AzureAd => AZURE_SIGNING_OPTION,
            GoogleWorkspace => GOOGLE_SIGNED_RESPONSE,
            OneLogin => ONELOGIN_SIGNATURE_ELEMENT,
            _ => OTHER_SIGN_RESPONSE,
        },
        (ErrorKind::AssertionNotSigned, Fact::Signed { required, signed })
            if required == RequiredSignature::Both && signed == SignedParts::Response =>
        {
            match idp {
                AzureAd => AZURE_SIGNING_OPTION,
                OneLogin => ONELOGIN_SIGNATURE_ELEMENT,
                _ => OTHER_SIGN_ASSERTION,
            }
        }
        (
            ErrorKind::DestinationMismatch | ErrorKind::RecipientMismatch,
            Fact::Url { ours, theirs },
        ) if behind_proxy(ours, theirs) => BEHIND_PROXY,
        (ErrorKind::StatusNotSuccess, Fact::StatusMessage(message)) => {
            return aadsts_code(message).map(|code| {
                let mut hint = format!(
                    "Azure AD error AADSTS{code}: see https://login.microsoftonline.com/error?code={code}"
                );
                if code == "50105" {
                    hint.push_str("; ");
                    hint.push_str(AADSTS50105);
                }
                hint
            });
        }
        _ => return None,
    };
    Some(fixed.to_owned())
}

/// The digits of the first `AADSTS<digits>` in an Azure StatusMessage
/// (one to nine digits: the codes have five to seven).
fn aadsts_code(message: &str) -> Option<&str> {
    message.match_indices("AADSTS").find_map(|(at, prefix)| {
        let rest = message.get(at + prefix.len()..)?;
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        (1..=9).contains(&len).then(|| rest.get(..len)).flatten()
    })
}

/// A URL in parts, for comparing two of them.
struct UrlParts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    /// Path, query and fragment.
    rest: &'a str,
}

fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, after) = url.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 literal's colons are inside brackets.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    Some(UrlParts {
        scheme,
        host,
        port,
        rest,
    })
}

/// Whether the IdP's URL is the public `https` form of ours: the same host
/// and path, while ours is `http` or names another port (what an app
/// computes from the request a TLS-terminating proxy forwards).
fn behind_proxy(ours: &str, theirs: &str) -> bool {
    let (Some(ours), Some(theirs)) = (split_url(ours), split_url(theirs)) else {
        return false;
    };
    theirs.scheme.eq_ignore_ascii_case("https")
        && (ours.scheme.eq_ignore_ascii_case("http") || ours.port != theirs.port)
        && ours.host.eq_ignore_ascii_case(theirs.host)
        && ours.rest == theirs.rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_from_entity_ids() {
        for (entity_id, product) in [
            (
                "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
                IdpProduct::AzureAd,
            ),
            ("https://STS.windows.net/x/", IdpProduct::AzureAd),
            (
                "https://accounts.google.com/o/saml2?idpid=C03acme7x",
                IdpProduct::GoogleWorkspace,
            ),
            (
                "https://app.onelogin.com/saml/metadata/634027",
                IdpProduct::OneLogin,
            ),
            (
                "https://acme.onelogin.com/saml/metadata/1",
                IdpProduct::OneLogin,
            ),
            ("https://onelogin.com.evil.example/", IdpProduct::Other),
            ("https://sts.windows.net.evil.example/", IdpProduct::Other),
            (
                "http://www.okta.com/exk659aytfMeNI49v0h7",
                IdpProduct::Other,
            ),
            ("urn:scaleft-test.auth0.com", IdpProduct::Other),
            ("https://user@sts.windows.net/", IdpProduct::Other),
        ] {
            assert_eq!(IdpProduct::of(entity_id), product, "{entity_id}");
        }
    }

    #[test]
    fn aadsts_codes() {
        assert_eq!(aadsts_code("AADSTS50105: not assigned"), Some("50105"));
        assert_eq!(aadsts_code("x AADSTS700016: app not found"), Some("700016"));
        assert_eq!(aadsts_code("AADSTS: none, then AADSTS50011"), Some("50011"));
        assert_eq!(aadsts_code("AADSTS1234567890"), None);
        assert_eq!(aadsts_code("aadsts50105"), None);
        assert_eq!(aadsts_code("no code"), None);
        assert_eq!(aadsts_code("AADSTS\u{661}\u{662}"), None);
        let hint = |m| {
            hint(
                ErrorKind::StatusNotSuccess,
                IdpProduct::Other,
                Fact::StatusMessage(m),
            )
        };
        assert_eq!(
            hint("AADSTS700016: Application not found").as_deref(),
            Some(
                "Azure AD error AADSTS700016: see https://login.microsoftonline.com/error?code=700016"
            )
        );
        assert!(
            hint("AADSTS50105: blocked")
                .unwrap()
                .contains("Users and groups")
        );
        assert_eq!(hint("Authentication failed"), None);
    }

    #[test]
    fn proxy_pattern() {
        let public = "https://sso.example.com/saml/acme/acs";
        for internal in [
            "http://sso.example.com/saml/acme/acs",
            "http://sso.example.com:8080/saml/acme/acs",
            "https://sso.example.com:8443/saml/acme/acs",
            "http://SSO.example.com/saml/acme/acs",
        ] {
            assert!(behind_proxy(internal, public), "{internal}");
        }
        // A public URL on its own port (a real Azure AD recording's).
        assert!(behind_proxy(
            "http://loopback.ja-sore.de:3443/auth/page/saml2/login",
            "https://loopback.ja-sore.de:3443/auth/page/saml2/login"
        ));
        for (ours, theirs) in [
            // The IdP has the http one: not a proxy in front of us.
            (public, "http://sso.example.com/saml/acme/acs"),
            // Another path, host or an internal port at the IdP.
            ("http://sso.example.com/saml/other/acs", public),
            ("http://app.internal/saml/acme/acs", public),
            ("http://sso.example.com/saml/acme/acs", "not a url"),
        ] {
            assert!(!behind_proxy(ours, theirs), "{ours} vs {theirs}");
        }
        assert!(behind_proxy(
            "http://[2001:db8::1]:8080/acs",
            "https://[2001:db8::1]/acs"
        ));
    }

    #[test]
    fn no_hint_without_the_matching_fact() {
        let signed = Fact::Signed {
            required: RequiredSignature::Assertion,
            signed: SignedParts::Assertion,
        };
        assert_eq!(
            hint(ErrorKind::AssertionNotSigned, IdpProduct::AzureAd, signed),
            None
        );
        assert_eq!(
            hint(ErrorKind::SignatureInvalid, IdpProduct::AzureAd, Fact::Sha1),
            None
        );
        assert_eq!(
            hint(
                ErrorKind::AudienceMismatch,
                IdpProduct::Other,
                Fact::Url {
                    ours: "http://a/x",
                    theirs: "https://a/x"
                }
            ),
            None
        );
    }
}
