//! # IdP settings behind refusals
//!
//! Some refusals are not attacks but a setting: the IdP signs only the
//! Assertion while the team requires a signed Response, it signs with
//! SHA-1, or the app behind a proxy believes its own URL is `http://`.
//! For those, the verifier appends a hint to the error's log detail
//! ([`Error::detail`](crate::Error::detail)) naming the setting to change,
//! as `; hint: ...`. The kind and the text users see
//! ([`Display`](crate::Error), [`ErrorKind::description`](crate::ErrorKind::description))
//! never change: the hint is for the operator who reads the logs and for
//! the IdP's administrator they forward it to.
//!
//! Which product's setting is named is told by the IdP entity ID the
//! verifier is configured with (`https://sts.windows.net/...` is Azure AD /
//! Entra ID, `https://accounts.google.com/...` Google Workspace,
//! `https://*.onelogin.com/...` OneLogin), never by the message; any other
//! entity ID gets the generic rows. No hint weakens a check: each error
//! is raised exactly as before, and nothing a message says turns a check
//! off.
//!
//! ## The table
//!
//! One row per hint. `tests/idp_settings.rs` reads this table: for each row
//! it feeds the matching input (an xmlsec1-signed fixture, or a real IdP
//! recording where one exists), and asserts the exact kind, that the detail
//! carries the hint text of the row word for word (`NNNNN` standing for the
//! AADSTS code) and names the setting, and that the user text is unchanged.
//!
//! | symptom (kind) | IdP | setting to change | hint (appended to the detail) |
//! |---|---|---|---|
//! | `response_not_signed` | Azure AD / Entra ID | Signing Option: "Sign SAML response and assertion" | `Azure AD / Entra ID signs what the app's Signing Option says: set it to "Sign SAML response and assertion" (Entra admin center > Enterprise applications > the app > Single sign-on > SAML Certificates > Edit)` |
//! | `assertion_not_signed` | Azure AD / Entra ID | Signing Option: "Sign SAML response and assertion" | `Azure AD / Entra ID signs what the app's Signing Option says: set it to "Sign SAML response and assertion" (Entra admin center > Enterprise applications > the app > Single sign-on > SAML Certificates > Edit)` |
//! | `unsupported_algorithm` | Azure AD / Entra ID | Signing Algorithm: SHA-256 | `Azure AD / Entra ID signs with SHA-1 when the app's Signing Algorithm says so: set it to SHA-256 (Entra admin center > Enterprise applications > the app > Single sign-on > SAML Certificates > Edit)` |
//! | `status_not_success` | Azure AD / Entra ID | the one the AADSTS code's page names | `Azure AD error AADSTSNNNNN: see https://login.microsoftonline.com/error?code=NNNNN` |
//! | `status_not_success` (AADSTS50105) | Azure AD / Entra ID | Users and groups: assign the user or a group | `the user is not assigned to the app: assign the user or one of their groups (Entra admin center > Enterprise applications > the app > Users and groups)` |
//! | `response_not_signed` | Google Workspace | "Signed response" (checked) | `Google Workspace signs the whole Response only with the app's "Signed response" box checked (Admin console > Apps > Web and mobile apps > the app > Service provider details)` |
//! | `unsupported_algorithm` | OneLogin | "SAML Signature Algorithm": SHA-256 | `OneLogin signs with SHA-1 by default: set "SAML Signature Algorithm" to SHA-256 on the app's SSO tab` |
//! | `response_not_signed` | OneLogin | "SAML signature element": Both | `OneLogin signs the element its "SAML signature element" names: set it to Both on the app's Configuration tab` |
//! | `assertion_not_signed` | OneLogin | "SAML signature element": Both | `OneLogin signs the element its "SAML signature element" names: set it to Both on the app's Configuration tab` |
//! | `unsupported_algorithm` | any other | the IdP's signature algorithm: RSA-SHA256 | `the IdP signs with SHA-1: set its signature algorithm to RSA-SHA256 (SHA-1 is accepted only with allow_sha1)` |
//! | `response_not_signed` | any other | the IdP's signing option: sign the Response too | `the IdP signed only the Assertion: set it to sign the Response too, or require only the Assertion's signature for this team` |
//! | `assertion_not_signed` | any other | the IdP's signing option: sign the Assertion too | `the IdP signed only the Response: set it to sign the Assertion too, or require only the Response's signature for this team` |
//! | `destination_mismatch` | any, app behind a TLS-terminating proxy | the SP URLs: the public https URL | `the two URLs differ only in scheme or port, typical of the app running behind a TLS-terminating proxy that makes it believe it is on http (or on an internal port): configure the SP URLs with the public https URL` |
//! | `recipient_mismatch` | any, app behind a TLS-terminating proxy | the SP URLs: the public https URL | `the two URLs differ only in scheme or port, typical of the app running behind a TLS-terminating proxy that makes it believe it is on http (or on an internal port): configure the SP URLs with the public https URL` |
//!
//! ## When each hint is given
//!
//! - **Signing option** (`response_not_signed`, `assertion_not_signed`):
//!   the team requires a signed Response
//!   ([`RequiredSignature::Response`](crate::response::RequiredSignature::Response)
//!   or [`Both`](crate::response::RequiredSignature::Both)) and only the
//!   Assertion was signed; or it requires both and only the Response was.
//!   Azure AD signs the Assertion alone by default ("Sign SAML assertion");
//!   "Sign SAML response and assertion" satisfies every requirement
//!   (Microsoft: "Advanced certificate signing options in a SAML token",
//!   <https://learn.microsoft.com/entra/identity/enterprise-apps/certificate-signing-options>).
//!   Google Workspace signs only the Assertion unless "Signed response" is
//!   checked in the custom SAML app's service provider details, and then
//!   signs the Response (its recordings in the test corpus are signed one
//!   way or the other, never both); a team that requires both signatures
//!   cannot use it, and the generic `assertion_not_signed` row applies.
//! - **SHA-1** (`unsupported_algorithm`): the refused signature names
//!   rsa-sha1 or a sha1 digest. Azure's default is SHA-256, so SHA-1 there
//!   is a changed setting; OneLogin's default is SHA-1 (every OneLogin
//!   recording in the corpus is rsa-sha1). The other
//!   `unsupported_algorithm` causes (an unknown algorithm, a forbidden
//!   transform) get no hint: no IdP setting makes them.
//! - **Proxy** (`destination_mismatch`, `recipient_mismatch`): the URL in
//!   the message is `https://`, ours has the same host and path but is
//!   `http://` or names another port. That is what an app computes
//!   from the request when a TLS-terminating proxy or load balancer
//!   forwards plain http to an internal port: configure the team's URLs
//!   ([`SpUrlLayout`](crate::SpUrlLayout), the ACS URL and entity ID) from
//!   the public https base URL instead of the incoming request. Any other
//!   difference (another path, another host, or the IdP holding the http
//!   URL) gets no hint.
//! - **AADSTS codes** (`status_not_success`): the IdP's `StatusMessage`
//!   carries `AADSTS` and a code (Azure AD error Responses do). The hint
//!   names the code and links Microsoft's lookup page
//!   (<https://learn.microsoft.com/entra/identity-platform/reference-error-codes>
//!   documents `https://login.microsoftonline.com/error?code=NNNNN`).
//!   This reads the message whatever the IdP, since AD FS or another IdP
//!   federating to Azure AD may relay it; only the digits are repeated.
//!   For AADSTS50105 (the app requires assignment and the user is not
//!   assigned) the hint also names the setting.
