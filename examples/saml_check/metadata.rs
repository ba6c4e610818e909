//! `saml_check metadata` and `saml_check sp-metadata`.
//!
//! ```text
//! saml_check metadata --idp-metadata FILE [--entity-id ID] [--pin-cert PEM]... --now RFC3339
//! saml_check sp-metadata --sp-entity-id URI --acs-url URL [--sign-cert PEM] [--slo-url URL]
//!     [--name-id-format email|persistent|transient|unspecified]... [--valid-until RFC3339]
//! ```
//!
//! `metadata` inspects IdP metadata and prints one JSON object listing every
//! signing certificate and whether it is usable at `--now`; it exits 0 even
//! when none is (it is an inspection tool), and 1 for documents it cannot
//! read. With `--pin-cert`, the document must be signed by one of those
//! certificates.
//!
//! `sp-metadata` prints our SP metadata XML for the IdP admin.

use chrono::SecondsFormat;
use saml_sp::metadata::{IdpMetadataReader, SpMetadata};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{Binding, NameIdFormat};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, IdpMetadata, SigningCertificate};

use crate::{Args, Failure, parse_now, read_file};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn idp_metadata(args: &[String]) -> Result<(), Failure> {
    let mut file = None;
    let mut entity_id = None;
    let mut pins = Vec::new();
    let mut now = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--idp-metadata" => file = Some(it.value(arg)?),
            "--entity-id" => entity_id = Some(it.value(arg)?),
            "--pin-cert" => pins.push(it.value(arg)?),
            "--now" => now = Some(parse_now(it.value(arg)?)?),
            other => return Err(Failure::Usage(format!("unexpected argument {other}"))),
        }
    }
    let file = file.ok_or_else(|| Failure::Usage("--idp-metadata is required".into()))?;
    let now = now.ok_or_else(|| Failure::Usage("--now is required".into()))?;
    let mut reader = IdpMetadataReader::new();
    if let Some(id) = entity_id {
        reader = reader.with_entity_id(EntityId::new(id)?);
    }
    if !pins.is_empty() {
        let mut certs = Vec::new();
        for path in pins {
            certs.push(SigningCertificate::parse(&read_file(path)?)?);
        }
        reader = reader.with_pinned_signer(IdpCertSet::new(certs, now)?);
    }
    let idp: IdpMetadata = reader.read(&read_file(file)?, now)?;

    let url = |u: Option<&EndpointUrl>| u.map(|u| u.as_str().to_owned());
    let certificates: Vec<_> = idp
        .signing_certificates()
        .iter()
        .map(|c| {
            serde_json::json!({
                "sha256": c.fingerprint().to_string(),
                "subject": c.subject(),
                "not_before": time(c.not_before()),
                "not_after": time(c.not_after()),
                "usable": c.is_valid_at(now),
                "notice": c.notice_due(now).map(|n| n.as_str()),
            })
        })
        .collect();
    let skipped: Vec<_> = idp
        .skipped_keys()
        .iter()
        .map(|e| serde_json::json!({ "error": e.kind().as_str(), "message": e.detail() }))
        .collect();
    let json = serde_json::json!({
        "ok": true,
        "entity_id": idp.entity_id().as_str(),
        "sso": {
            "redirect": url(idp.single_sign_on().redirect()),
            "post": url(idp.single_sign_on().post()),
        },
        "slo": {
            "redirect": url(idp.single_logout().redirect()),
            "post": url(idp.single_logout().post()),
        },
        "name_id_formats": idp.name_id_formats(),
        "want_authn_requests_signed": idp.want_authn_requests_signed(),
        "valid_until": idp.valid_until().map(time),
        "cache_duration_seconds": idp.cache_duration().map(|d| d.as_secs()),
        "signed_by": idp.signed_by().map(|f| f.to_string()),
        "certificates": certificates,
        "skipped_keys": skipped,
    });
    println!("{json}");
    Ok(())
}

pub(crate) fn sp_metadata(args: &[String]) -> Result<(), Failure> {
    let mut entity_id = None;
    let mut acs_url = None;
    let mut sign_cert = None;
    let mut slo_url = None;
    let mut formats = Vec::new();
    let mut valid_until = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--sp-entity-id" => entity_id = Some(it.value(arg)?),
            "--acs-url" => acs_url = Some(it.value(arg)?),
            "--sign-cert" => sign_cert = Some(it.value(arg)?),
            "--slo-url" => slo_url = Some(it.value(arg)?),
            "--name-id-format" => formats.push(match it.value(arg)? {
                "email" => NameIdFormat::EmailAddress,
                "persistent" => NameIdFormat::Persistent,
                "transient" => NameIdFormat::Transient,
                "unspecified" => NameIdFormat::Unspecified,
                other => {
                    return Err(Failure::Usage(format!(
                        "--name-id-format {other:?}: use email, persistent, transient or unspecified"
                    )));
                }
            }),
            "--valid-until" => {
                let value = it.value(arg)?;
                let t = DateTime::parse_from_rfc3339(value).map_err(|e| {
                    Failure::Usage(format!("--valid-until {value:?} is not RFC 3339: {e}"))
                })?;
                valid_until = Some(t.with_timezone(&Utc));
            }
            other => return Err(Failure::Usage(format!("unexpected argument {other}"))),
        }
    }
    let entity_id = entity_id.ok_or_else(|| Failure::Usage("--sp-entity-id is required".into()))?;
    let acs_url = acs_url.ok_or_else(|| Failure::Usage("--acs-url is required".into()))?;
    let mut metadata = SpMetadata::new(EntityId::new(entity_id)?, EndpointUrl::new(acs_url)?);
    for format in formats {
        metadata = metadata.with_name_id_format(format);
    }
    if let Some(path) = sign_cert {
        metadata = metadata.with_signing_certificate(SigningCertificate::parse(&read_file(path)?)?);
    }
    if let Some(url) = slo_url {
        metadata =
            metadata.with_single_logout_service(EndpointUrl::new(url)?, Binding::HttpRedirect);
    }
    if let Some(t) = valid_until {
        metadata = metadata.with_valid_until(t);
    }
    print!("{}", metadata.to_xml()?);
    Ok(())
}
