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

use saml_sp::metadata::IdpMetadataReader;
use saml_sp::request::{AuthnContextComparison, NameIdPolicy, RequestedAuthnContext};
use saml_sp::vocabulary::NameIdFormat;
use saml_sp::{
    AuthnRequestBuilder, EndpointUrl, EntityId, OsRng, SigningCertificate, SpSigningKey,
};

use crate::{Args, Failure, parse_now, read_file};

fn text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Failure::Usage(format!("{path} is not UTF-8 text")))
}

pub(crate) fn authn_request(args: &[String]) -> Result<(), Failure> {
    let mut metadata = None;
    let mut sp = None;
    let mut acs = None;
    let mut post = false;
    let mut relay_state = None;
    let mut now = None;
    let mut sign_key = None;
    let mut sign_cert = None;
    let mut format = None;
    let mut allow_create = None;
    let mut force_authn = false;
    let mut is_passive = false;
    let mut classes = Vec::new();
    let mut comparison = AuthnContextComparison::Exact;
    let mut subject = None;
    let mut nonce = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--idp-metadata" => metadata = Some(it.value(arg)?),
            "--sp-entity-id" => sp = Some(it.value(arg)?),
            "--acs-url" => acs = Some(it.value(arg)?),
            "--binding" => {
                post = match it.value(arg)? {
                    "redirect" => false,
                    "post" => true,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--binding {other:?}: expected redirect or post"
                        )));
                    }
                }
            }
            "--relay-state" => relay_state = Some(it.value(arg)?),
            "--now" => now = Some(parse_now(it.value(arg)?)?),
            "--sign-key" => sign_key = Some(it.value(arg)?),
            "--sign-cert" => sign_cert = Some(it.value(arg)?),
            "--name-id-format" => {
                format = Some(match it.value(arg)? {
                    "email" => NameIdFormat::EmailAddress,
                    "persistent" => NameIdFormat::Persistent,
                    "transient" => NameIdFormat::Transient,
                    "unspecified" => NameIdFormat::Unspecified,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--name-id-format {other:?}: expected email, persistent, transient or unspecified"
                        )));
                    }
                });
            }
            "--allow-create" => {
                allow_create = Some(match it.value(arg)? {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--allow-create {other:?}: expected true or false"
                        )));
                    }
                });
            }
            "--force-authn" => force_authn = true,
            "--is-passive" => is_passive = true,
            "--authn-context-class" => classes.push(it.value(arg)?),
            "--authn-context-comparison" => {
                comparison = match it.value(arg)? {
                    "exact" => AuthnContextComparison::Exact,
                    "minimum" => AuthnContextComparison::Minimum,
                    "maximum" => AuthnContextComparison::Maximum,
                    "better" => AuthnContextComparison::Better,
                    other => {
                        return Err(Failure::Usage(format!(
                            "--authn-context-comparison {other:?}: expected exact, minimum, maximum or better"
                        )));
                    }
                }
            }
            "--subject-name-id" => subject = Some(it.value(arg)?),
            "--csp-nonce" => nonce = Some(it.value(arg)?),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")));
            }
            extra => return Err(Failure::Usage(format!("unexpected argument {extra}"))),
        }
    }
    let missing = |what: &str| Failure::Usage(format!("{what} is required"));
    let metadata = metadata.ok_or_else(|| missing("--idp-metadata"))?;
    let sp = sp.ok_or_else(|| missing("--sp-entity-id"))?;
    let acs = acs.ok_or_else(|| missing("--acs-url"))?;
    let now = now.ok_or_else(|| missing("--now"))?;
    let key = match (sign_key, sign_cert) {
        (None, None) => None,
        (Some(key), Some(cert)) => Some(
            SpSigningKey::from_pem(&text(key)?)?
                .with_certificate(SigningCertificate::parse(&read_file(cert)?)?)?,
        ),
        _ => {
            return Err(Failure::Usage(
                "--sign-key and --sign-cert go together".into(),
            ));
        }
    };
    if allow_create.is_some() && format.is_none() {
        return Err(Failure::Usage(
            "--allow-create needs --name-id-format".into(),
        ));
    }
    if nonce.is_some() && !post {
        return Err(Failure::Usage("--csp-nonce needs --binding post".into()));
    }

    let idp = IdpMetadataReader::new().read(&read_file(metadata)?, now)?;
    let mut builder = AuthnRequestBuilder::new(EntityId::new(sp)?, EndpointUrl::new(acs)?, &idp)
        .force_authn(force_authn)
        .is_passive(is_passive);
    if let Some(format) = format {
        let mut policy = NameIdPolicy::new(format);
        if let Some(allow) = allow_create {
            policy = policy.allow_create(allow);
        }
        builder = builder.name_id_policy(policy);
    }
    if !classes.is_empty() {
        builder = builder.requested_authn_context(RequestedAuthnContext::new(comparison, classes)?);
    }
    if let Some(subject) = subject {
        builder = builder.subject_name_id(subject, None);
    }
    if let Some(key) = key {
        builder = builder.sign_with(key);
    }
    let json = if post {
        let (form, id) = builder.post(relay_state, &mut OsRng, now)?;
        let html = form.html(nonce.unwrap_or("c2FtbC1jaGVjaw"))?;
        serde_json::json!({ "ok": true, "request_id": id.as_str(), "html": html })
    } else {
        let (redirect, id) = builder.redirect(relay_state, &mut OsRng, now)?;
        serde_json::json!({ "ok": true, "request_id": id.as_str(), "url": redirect.url() })
    };
    println!("{json}");
    Ok(())
}
