//! `saml_check authn-request`.
//!
//! ```text
//! saml_check authn-request --idp-metadata FILE --sp-entity-id URI --acs-url URL
//!     [--binding redirect|post] [--relay-state S] --now RFC3339
//!     [--sign-key PEM --sign-cert PEM]
//!     [--name-id-format email|persistent|transient|unspecified] [--allow-create true|false]
//!     [--force-authn] [--is-passive] [--authn-context-class URI]...
//!     [--authn-context-comparison exact|minimum|maximum|better]
//!     [--subject-name-id S] [--csp-nonce NONCE]
//! ```
//!
//! Builds one AuthnRequest to the IdP the metadata describes (its
//! SingleSignOnService for the binding, default redirect) and prints
//! `{"ok":true,"request_id":"...","url":"..."}` (redirect) or
//! `{"ok":true,"request_id":"...","html":"..."}` (post). The ID comes from
//! the operating system's CSPRNG.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::request::{AuthnContextComparison, NameIdPolicy, RequestedAuthnContext};
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    AuthnRequestBuilder, EndpointUrl, EntityId, OsRng, SigningCertificate, SpSigningKey,
};

use crate::metadata::NameIdFormatArg;
use crate::{Failure, read_file, rfc3339};

fn text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Failure::Usage(format!("{} is not UTF-8 text", path.display())))
}

/// The binding the request is sent with.
#[derive(Clone, Copy, Default, ValueEnum)]
pub(crate) enum BindingArg {
    /// HTTP-Redirect: prints "url".
    #[default]
    Redirect,
    /// HTTP-POST: prints "html", an auto-submitting form.
    Post,
}

/// The Comparison of RequestedAuthnContext.
#[derive(Clone, Copy, Default, ValueEnum)]
pub(crate) enum ComparisonArg {
    #[default]
    Exact,
    Minimum,
    Maximum,
    Better,
}

impl From<ComparisonArg> for AuthnContextComparison {
    fn from(comparison: ComparisonArg) -> Self {
        match comparison {
            ComparisonArg::Exact => Self::Exact,
            ComparisonArg::Minimum => Self::Minimum,
            ComparisonArg::Maximum => Self::Maximum,
            ComparisonArg::Better => Self::Better,
        }
    }
}

/// Build one AuthnRequest to the IdP the metadata describes
///
/// Sent to its SingleSignOnService for the binding. Prints
/// {"ok":true,"request_id":...,"url":...} (redirect) or
/// {"ok":true,"request_id":...,"html":...} (post). The ID comes from the
/// operating system's CSPRNG.
#[derive(clap::Args)]
pub(crate) struct AuthnRequestArgs {
    /// The IdP's metadata (its SingleSignOnService endpoints).
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// Our SP entity ID (the request's Issuer).
    #[arg(long, value_name = "URI")]
    sp_entity_id: String,
    /// Our AssertionConsumerService URL.
    #[arg(long, value_name = "URL")]
    acs_url: String,
    /// The binding to send the request with.
    #[arg(long, value_name = "BINDING", default_value = "redirect")]
    binding: BindingArg,
    /// The RelayState to send along.
    #[arg(long, value_name = "S")]
    relay_state: Option<String>,
    /// The request's IssueInstant.
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    now: DateTime<Utc>,
    /// Sign the request with this private key (PKCS#1 or PKCS#8 PEM); needs --sign-cert.
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    sign_key: Option<PathBuf>,
    /// The certificate of --sign-key.
    #[arg(long, value_name = "PEM", requires = "sign_key")]
    sign_cert: Option<PathBuf>,
    /// The NameIDPolicy's Format.
    #[arg(long, value_name = "FORMAT")]
    name_id_format: Option<NameIdFormatArg>,
    /// The NameIDPolicy's AllowCreate; needs --name-id-format.
    #[arg(long, value_name = "BOOL", requires = "name_id_format")]
    allow_create: Option<bool>,
    /// Set ForceAuthn="true".
    #[arg(long)]
    force_authn: bool,
    /// Set IsPassive="true".
    #[arg(long)]
    is_passive: bool,
    /// A requested AuthnContextClassRef; repeatable.
    #[arg(long = "authn-context-class", value_name = "URI")]
    authn_context_classes: Vec<String>,
    /// The Comparison of the requested authentication contexts.
    #[arg(long, value_name = "COMPARISON", default_value = "exact")]
    authn_context_comparison: ComparisonArg,
    /// A Subject NameID to ask the IdP to authenticate.
    #[arg(long, value_name = "S")]
    subject_name_id: Option<String>,
    /// The CSP nonce of the POST form's script; needs --binding post.
    #[arg(long, value_name = "NONCE")]
    csp_nonce: Option<String>,
}

pub(crate) fn authn_request(args: AuthnRequestArgs) -> Result<(), Failure> {
    let AuthnRequestArgs {
        idp_metadata: metadata,
        sp_entity_id: sp,
        acs_url: acs,
        binding,
        relay_state,
        now,
        sign_key,
        sign_cert,
        name_id_format: format,
        allow_create,
        force_authn,
        is_passive,
        authn_context_classes: classes,
        authn_context_comparison: comparison,
        subject_name_id: subject,
        csp_nonce: nonce,
    } = args;
    let post = matches!(binding, BindingArg::Post);
    let key = match (sign_key, sign_cert) {
        (Some(key), Some(cert)) => Some(
            SpSigningKey::from_pem(&text(&key)?)?
                .with_certificate(SigningCertificate::parse(&read_file(&cert)?)?)?,
        ),
        (None, None) => None,
        // clap refuses one without the other already.
        _ => {
            return Err(Failure::Usage(
                "--sign-key and --sign-cert go together".into(),
            ));
        }
    };
    if nonce.is_some() && !post {
        return Err(Failure::Usage("--csp-nonce needs --binding post".into()));
    }

    let idp = IdpMetadataReader::new().read(&read_file(&metadata)?, now)?;
    let mut builder = AuthnRequestBuilder::new(EntityId::new(sp)?, EndpointUrl::new(acs)?, &idp)
        .force_authn(force_authn)
        .is_passive(is_passive);
    if let Some(format) = format {
        let mut policy = NameIdPolicy::new(format.into());
        if let Some(allow) = allow_create {
            policy = policy.allow_create(allow);
        }
        builder = builder.name_id_policy(policy);
    }
    if !classes.is_empty() {
        builder = builder
            .requested_authn_context(RequestedAuthnContext::new(comparison.into(), classes)?);
    }
    if let Some(subject) = subject {
        builder = builder.subject_name_id(subject, None);
    }
    if let Some(key) = key {
        builder = builder.sign_with(key);
    }
    let json = if post {
        let (form, id) = builder.post(relay_state.as_deref(), &mut OsRng, now)?;
        let html = form.html(nonce.as_deref().unwrap_or("c2FtbC1jaGVjaw"))?;
        serde_json::json!({ "ok": true, "request_id": id.as_str(), "html": html })
    } else {
        let (redirect, id) = builder.redirect(relay_state.as_deref(), &mut OsRng, now)?;
        serde_json::json!({ "ok": true, "request_id": id.as_str(), "url": redirect.url() })
    };
    println!("{json}");
    Ok(())
}
