//! The HTTP-POST binding, outbound: an HTML page whose form posts the
//! message to the IdP.

use crate::error::{Error, ErrorKind, Result};
use crate::ids::EndpointUrl;
use crate::vocabulary::MessageKind;
use crate::xml::escape_attr_into;

/// The longest CSP nonce [`PostForm::html`] accepts.
const MAX_NONCE: usize = 256;

/// A message for the HTTP-POST binding: the form the browser must post to
/// the IdP. [`html`](Self::html) renders a complete page; the accessors give
/// the parts to a template of your own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostForm {
    pub(crate) action: EndpointUrl,
    pub(crate) kind: MessageKind,
    pub(crate) value: String,
    pub(crate) relay_state: Option<String>,
    pub(crate) xml: String,
    /// A sign-out message (LogoutRequest, LogoutResponse): the page says
    /// "Signing out" instead of "Signing in".
    pub(crate) signing_out: bool,
}

impl PostForm {
    /// Where the form posts: the IdP's endpoint for HTTP-POST.
    pub fn action(&self) -> &EndpointUrl {
        &self.action
    }

    /// The form field's name: `SAMLRequest` (or `SAMLResponse`).
    pub fn field_name(&self) -> &'static str {
        self.kind.parameter()
    }

    /// The form field's value: the message, base64 (no DEFLATE, no line
    /// breaks).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The `RelayState` field, if any.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// The message XML (what `value` encodes).
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// A complete HTML page that posts the form: every value escaped (the
    /// XML attribute escaping, which HTML5 reads the same way); a
    /// `<script nonce="…">` submits it at once (allow it with
    /// `Content-Security-Policy: script-src 'nonce-…'`); a visible
    /// "Continue" button submits it where scripts do not run. Serve it with
    /// `Content-Type: text/html; charset=utf-8` and `Cache-Control: no-store`.
    ///
    /// ```
    /// # use saml_sp::*;
    /// # use saml_sp::{time::*, vocabulary::*, store::*, provisioning::*, team::*, request::*, response::*};
    /// # let idp = IdpMetadata::manual(
    /// #     EntityId::new("https://idp.example.com")?,
    /// #     EndpointUrl::new("https://idp.example.com/sso?tenant=a&b=<c>")?,
    /// #     Binding::HttpPost,
    /// #     SigningCertificate::from_pem(&std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap())?,
    /// # );
    /// let builder = AuthnRequestBuilder::new(
    ///     EntityId::new("https://sso.example.com/saml/acme")?,
    ///     EndpointUrl::new("https://sso.example.com/saml/acme/acs")?,
    ///     &idp,
    /// );
    /// let (form, request_id) = builder.post(Some("/after\"login"), &mut OsRng, Utc::now())?;
    /// let html = form.html("rAnd0mN0nce+/=")?;
    /// assert!(html.contains(r#"action="https://idp.example.com/sso?tenant=a&amp;b=&lt;c&gt;""#));
    /// assert!(html.contains(r#"name="RelayState" value="/after&quot;login""#));
    /// assert!(html.contains(r#"<script nonce="rAnd0mN0nce+/=">"#));
    /// // A nonce that could break out of the attribute is refused.
    /// assert_eq!(form.html("x\"><script>").unwrap_err().kind(), ErrorKind::ConfigInvalid);
    /// # Ok::<(), saml_sp::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::ConfigInvalid`] when `nonce` is empty, longer than 256
    /// bytes, or has characters other than base64's (`A-Z a-z 0-9 + / =`,
    /// and `-` `_` of base64url).
    pub fn html(&self, nonce: &str) -> Result<String> {
        if nonce.is_empty()
            || nonce.len() > MAX_NONCE
            || !nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        {
            return Err(Error::new(
                ErrorKind::ConfigInvalid,
                "the CSP nonce must be 1 to 256 base64 characters",
            ));
        }
        let (title, doing) = if self.signing_out {
            ("Signing out", "Signing you out")
        } else {
            ("Signing in", "Signing you in")
        };
        let mut out = String::with_capacity(self.value.len() + 1024);
        out.push_str(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n<title>",
        );
        out.push_str(title);
        out.push_str(
            "</title>\n</head>\n<body>\n\
             <form id=\"saml-post\" method=\"post\" action=\"",
        );
        escape_attr_into(&mut out, self.action.as_str());
        out.push_str("\">\n<input type=\"hidden\" name=\"");
        out.push_str(self.kind.parameter());
        out.push_str("\" value=\"");
        escape_attr_into(&mut out, &self.value);
        out.push_str("\">\n");
        if let Some(rs) = &self.relay_state {
            out.push_str("<input type=\"hidden\" name=\"RelayState\" value=\"");
            escape_attr_into(&mut out, rs);
            out.push_str("\">\n");
        }
        out.push_str("<p>");
        out.push_str(doing);
        out.push_str(
            "&hellip; If nothing happens, press Continue.</p>\n\
             <button type=\"submit\">Continue</button>\n</form>\n<script nonce=\"",
        );
        out.push_str(nonce);
        out.push_str(
            "\">document.getElementById(\"saml-post\").submit();</script>\n</body>\n</html>\n",
        );
        Ok(out)
    }
}
