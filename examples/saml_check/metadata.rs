//! `saml_check metadata` and `saml_check sp-metadata`.
//!
//! ```text
//! saml_check metadata --idp-metadata FILE [--entity-id ID] [--pin-cert PEM]...
//!     [--min-rsa-bits N] --now RFC3339
//! saml_check sp-metadata --sp-entity-id URI --acs-url URL [--sign-cert PEM] [--encryption-cert PEM]... [--slo-url URL]
//!     [--name-id-format email|persistent|transient|unspecified]... [--valid-until RFC3339]
//! ```
//!
//! `metadata` inspects IdP metadata and prints one JSON object listing every
//! signing certificate and whether it is usable at `--now`; it exits 0 even
//! when none is (it is an inspection tool), and 1 for documents it cannot
//! read. With `--pin-cert`, the document must be signed by one of those
//! certificates. `--min-rsa-bits` (default 2048, from 1024 to 4096) is the
//! RSA key size floor for the listed certificates and the pinned ones.
//!
//! `sp-metadata` prints our SP metadata XML for the IdP admin.

use std::path::PathBuf;

use chrono::SecondsFormat;
use clap::ValueEnum;
use saml_sp::metadata::{IdpMetadataReader, SpMetadata};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{Binding, NameIdFormat};
use saml_sp::{EndpointUrl, EntityId, IdpCertSet, IdpMetadata, SigningCertificate};

use crate::{Failure, KeySizeArgs, read_file, rfc3339};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Inspect IdP metadata: endpoints, signing certificates, skipped keys
///
/// Prints one JSON object listing every signing certificate and whether it is
/// usable at --now, and the keys skipped. Exits 0 even when no certificate is
/// usable (it is an inspection tool), 1 for documents it cannot read. With
/// --pin-cert, the document must be signed by one of those certificates.
#[derive(clap::Args)]
pub(crate) struct IdpMetadataArgs {
    /// The IdP metadata document.
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// Read the entity with this entityID (needed when the document describes
    /// several IdPs).
    #[arg(long, value_name = "ID")]
    entity_id: Option<String>,
    /// Require the document to be signed by this certificate; repeatable (any
    /// one of them).
    #[arg(long = "pin-cert", value_name = "PEM")]
    pin_certs: Vec<PathBuf>,
    #[command(flatten)]
    key_size: KeySizeArgs,
    /// The time to read at (validUntil, certificate validity).
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    now: DateTime<Utc>,
}

/// A NameID format, by its short name.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum NameIdFormatArg {
    Email,
    Persistent,
    Transient,
    Unspecified,
}

impl From<NameIdFormatArg> for NameIdFormat {
    fn from(format: NameIdFormatArg) -> Self {
        match format {
            NameIdFormatArg::Email => Self::EmailAddress,
            NameIdFormatArg::Persistent => Self::Persistent,
            NameIdFormatArg::Transient => Self::Transient,
            NameIdFormatArg::Unspecified => Self::Unspecified,
        }
    }
}

/// Print our SP metadata XML for the IdP admin
#[derive(clap::Args)]
pub(crate) struct SpMetadataArgs {
    /// Our SP entity ID.
    #[arg(long, value_name = "URI")]
    sp_entity_id: String,
    /// Our AssertionConsumerService URL (HTTP-POST).
    #[arg(long, value_name = "URL")]
    acs_url: String,
    /// Our AuthnRequest signing certificate, published for the IdP.
    #[arg(long, value_name = "PEM")]
    sign_cert: Option<PathBuf>,
    /// Our encryption certificate, published with the algorithms we
    /// decrypt; repeatable (current and next key).
    #[arg(long = "encryption-cert", value_name = "PEM")]
    encryption_certs: Vec<PathBuf>,
    /// Our SingleLogoutService URL (published for HTTP-Redirect and HTTP-POST).
    #[arg(long, value_name = "URL")]
    slo_url: Option<String>,
    /// A NameID format we accept; repeatable.
    #[arg(long = "name-id-format", value_name = "FORMAT")]
    name_id_formats: Vec<NameIdFormatArg>,
    /// The metadata's validUntil.
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    valid_until: Option<DateTime<Utc>>,
}

pub(crate) fn idp_metadata(args: IdpMetadataArgs) -> Result<(), Failure> {
    let IdpMetadataArgs {
        idp_metadata: file,
        entity_id,
        pin_certs: pins,
        key_size,
        now,
    } = args;
    let cert_policy = key_size.policy();
    let mut reader = IdpMetadataReader::new().with_certificate_policy(cert_policy);
    if let Some(id) = entity_id {
        reader = reader.with_entity_id(EntityId::new(id)?);
    }
    if !pins.is_empty() {
        let mut certs = Vec::new();
        for path in pins {
            certs.push(SigningCertificate::parse_with_policy(
                &read_file(&path)?,
                &cert_policy,
            )?);
        }
        reader = reader.with_pinned_signer(IdpCertSet::new(certs, now)?);
    }
    let idp: IdpMetadata = reader.read(&read_file(&file)?, now)?;

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

pub(crate) fn sp_metadata(args: SpMetadataArgs) -> Result<(), Failure> {
    let SpMetadataArgs {
        sp_entity_id: entity_id,
        acs_url,
        sign_cert,
        encryption_certs,
        slo_url,
        name_id_formats: formats,
        valid_until,
    } = args;
    let mut metadata = SpMetadata::new(EntityId::new(entity_id)?, EndpointUrl::new(acs_url)?);
    for format in formats {
        metadata = metadata.with_name_id_format(format.into());
    }
    if let Some(path) = sign_cert {
        metadata =
            metadata.with_signing_certificate(SigningCertificate::parse(&read_file(&path)?)?);
    }
    for path in encryption_certs {
        metadata =
            metadata.with_encryption_certificate(SigningCertificate::parse(&read_file(&path)?)?);
    }
    if let Some(url) = slo_url {
        let url = EndpointUrl::new(url)?;
        metadata = metadata
            .with_single_logout_service(url.clone(), Binding::HttpRedirect)
            .with_single_logout_service(url, Binding::HttpPost);
    }
    if let Some(t) = valid_until {
        metadata = metadata.with_valid_until(t);
    }
    print!("{}", metadata.to_xml()?);
    Ok(())
}
