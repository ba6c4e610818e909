//! `saml_check logout-request`, `verify-logout-response`,
//! `verify-logout-request` (Single Logout).
//!
//! ```text
//! saml_check logout-request --idp-metadata FILE --sp-entity-id URI --name-id V [--name-id-format URI]
//!     [--session-index S]... [--binding redirect|post] [--relay-state S] --now RFC3339
//!     [--sign-key PEM --sign-cert PEM]
//!     -> {"ok":true,"request_id":"...","url":"..."} (or "html" for post)
//! saml_check verify-logout-response --idp-metadata FILE --sp-entity-id URI --slo-url URL
//!     --request-id ID [--allow-sha1] --now RFC3339 INPUT
//!     -> {"ok":true,"status":"success"|"partial_logout"}
//! saml_check verify-logout-request --idp-metadata FILE --sp-entity-id URI --slo-url URL
//!     [--allow-sha1] [--decryption-key PEM]... [--allow-tripledes] --now RFC3339
//!     [--sign-key PEM --sign-cert PEM] INPUT
//!     -> {"ok":true,"request_id":"...","name_id":"...","name_id_format":...,"name_id_encrypted":false,
//!         "session_indexes":[...],"response_url":"..."}
//! ```
//!
//! INPUT is a file holding the full HTTP-Redirect URL (or just its query
//! string), raw XML (starts with `<`: the HTTP-POST form value as XML), or
//! the base64 HTTP-POST form value. The IdP's entity ID, certificates (those
//! valid at `--now`) and SingleLogoutService come from the metadata; for an
//! Azure AD tenant the LogoutResponse Issuer alias
//! `https://login.microsoftonline.com/<tenant>/` is derived. `response_url`
//! is our LogoutResponse (Success, the request's RelayState) to the IdP's
//! HTTP-Redirect SingleLogoutService, signed with `--sign-key` if given.
//! `--decryption-key` (the SP's private key, PKCS#8 or PKCS#1 PEM;
//! repeatable, at most two: current and next) decrypts a NameID that comes
//! as an `EncryptedID`; `name_id_encrypted` says whether it did.

use std::path::{Path, PathBuf};

use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::logout::{
    LogoutInput, LogoutRequestBuilder, LogoutResponseBuilder, LogoutStatus, LogoutSubject,
    LogoutVerifier, azure_logout_issuer_alias,
};
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::response::NameId;
use saml_sp::store::MemoryReplayCache;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{
    EndpointUrl, EntityId, IdpMetadata, OsRng, RequestId, SigningCertificate, SpSigningKey,
};

use crate::authn_request::BindingArg;
use crate::{Failure, read_file, rfc3339};

fn text(path: &Path) -> Result<String, Failure> {
    String::from_utf8(read_file(path)?)
        .map_err(|_| Failure::Usage(format!("{} is not UTF-8 text", path.display())))
}

fn signing_key(
    key: Option<PathBuf>,
    cert: Option<PathBuf>,
) -> Result<Option<SpSigningKey>, Failure> {
    match (key, cert) {
        (Some(key), Some(cert)) => Ok(Some(
            SpSigningKey::from_pem(&text(&key)?)?
                .with_certificate(SigningCertificate::parse(&read_file(&cert)?)?)?,
        )),
        (None, None) => Ok(None),
        // clap refuses one without the other already.
        _ => Err(Failure::Usage(
            "--sign-key and --sign-cert go together".into(),
        )),
    }
}

/// What the IdP's messages are checked against, from the metadata.
#[derive(clap::Args)]
pub(crate) struct VerifyLogoutArgs {
    /// The IdP's metadata (entity ID, signing certificates, SingleLogoutService).
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// Our SP entity ID.
    #[arg(long, value_name = "URI")]
    sp_entity_id: String,
    /// Our SingleLogoutService URL (the messages' Destination).
    #[arg(long, value_name = "URL")]
    slo_url: String,
    /// Accept rsa-sha1 signatures and sha1 digests.
    #[arg(long)]
    allow_sha1: bool,
    /// The time to verify at.
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    now: DateTime<Utc>,
    /// A file with the Redirect URL (or its query string), raw XML, or the base64 POST form value.
    #[arg(value_name = "INPUT")]
    input: PathBuf,
}

impl VerifyLogoutArgs {
    fn open(&self) -> Result<(IdpMetadata, LogoutVerifier, Vec<u8>), Failure> {
        let metadata = read_file(&self.idp_metadata)?;
        let input = read_file(&self.input)?;
        let idp = IdpMetadataReader::new().read(&metadata, self.now)?;
        let certs = idp.certificate_set(self.now)?.into_set();
        let verifier = LogoutVerifier::new(
            EntityId::new(self.sp_entity_id.clone())?,
            EndpointUrl::new(self.slo_url.clone())?,
            idp.entity_id().clone(),
            certs,
        )
        .allow_sha1(self.allow_sha1)
        .response_issuer_alias(azure_logout_issuer_alias(idp.entity_id()));
        Ok((idp, verifier, input))
    }
}

/// The INPUT file as a logout message: raw XML and base64 are HTTP-POST
/// form values; anything with a `SAMLRequest=` or `SAMLResponse=`
/// parameter is an HTTP-Redirect URL or query string, taken as written.
fn logout_input(bytes: &[u8]) -> Result<LogoutInput<'_>, Failure> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    let redirect = text.filter(|t| {
        !t.starts_with('<') && (t.contains("SAMLRequest=") || t.contains("SAMLResponse="))
    });
    Ok(match redirect {
        Some(t) => {
            let without_fragment = t.split('#').next().unwrap_or_default();
            let query = match without_fragment.split_once('?') {
                Some((_, query)) => query,
                None => without_fragment,
            };
            LogoutInput::Redirect(query)
        }
        None => LogoutInput::Post {
            value: bytes,
            relay_state: None,
        },
    })
}

/// Verify the IdP's LogoutResponse to a LogoutRequest we sent
///
/// Every check of LogoutVerifier::verify_response: signature (query or
/// enveloped), Issuer (for an Azure AD tenant also its login.microsoftonline.com
/// alias), Destination = --slo-url, InResponseTo = --request-id, status.
/// Prints {"ok":true,"status":"success"|"partial_logout"}.
#[derive(clap::Args)]
pub(crate) struct VerifyLogoutResponseArgs {
    #[command(flatten)]
    common: VerifyLogoutArgs,
    /// The ID of the LogoutRequest we sent and kept.
    #[arg(long, value_name = "ID")]
    request_id: String,
}

pub(crate) fn verify_logout_response(args: VerifyLogoutResponseArgs) -> Result<(), Failure> {
    let (_, verifier, bytes) = args.common.open()?;
    let kept = RequestId::new(args.request_id)?;
    let response = verifier.verify_response(logout_input(&bytes)?, &[kept], args.common.now)?;
    println!(
        "{}",
        serde_json::json!({ "ok": true, "status": response.status().as_str() })
    );
    Ok(())
}

/// Verify an IdP's LogoutRequest and build our LogoutResponse
///
/// Every check of LogoutVerifier::verify_request (signature, shape, Issuer,
/// Destination = --slo-url, NotOnOrAfter and age, then the decryption of an
/// EncryptedID with --decryption-key) and its one-time use. Prints the
/// NameID (with its Format, and whether it came encrypted) and
/// SessionIndexes to end, and "response_url": our LogoutResponse (Success,
/// with the request's RelayState) to the IdP's HTTP-Redirect
/// SingleLogoutService.
#[derive(clap::Args)]
pub(crate) struct VerifyLogoutRequestArgs {
    #[command(flatten)]
    common: VerifyLogoutArgs,
    /// The SP's decryption key (PEM, PKCS#8 or PKCS#1) for a NameID that
    /// comes as an EncryptedID; repeatable (current and next).
    #[arg(long = "decryption-key", value_name = "PEM")]
    decryption_keys: Vec<PathBuf>,
    /// Accept an EncryptedID encrypted with tripledes-cbc.
    #[arg(long)]
    allow_tripledes: bool,
    /// Sign the LogoutResponse with this private key (PKCS#1 or PKCS#8 PEM); needs --sign-cert.
    #[arg(long, value_name = "PEM", requires = "sign_cert")]
    sign_key: Option<PathBuf>,
    /// The certificate of --sign-key.
    #[arg(long, value_name = "PEM", requires = "sign_key")]
    sign_cert: Option<PathBuf>,
}

pub(crate) fn verify_logout_request(args: VerifyLogoutRequestArgs) -> Result<(), Failure> {
    let key = signing_key(args.sign_key, args.sign_cert)?;
    let (idp, mut verifier, bytes) = args.common.open()?;
    let now = args.common.now;
    verifier = verifier.allow_tripledes(args.allow_tripledes);
    if !args.decryption_keys.is_empty() {
        let keys = args
            .decryption_keys
            .iter()
            .map(|path| Ok(SpDecryptionKey::from_pem(&text(path)?)?))
            .collect::<Result<Vec<_>, Failure>>()?;
        verifier = verifier.decryption_keys(SpDecryptionKeys::from_keys(keys)?);
    }
    // One request, checked once: its one-time use in an empty in-memory
    // cache is always a first use, and hands over the NameID.
    let request = verifier
        .verify_request(logout_input(&bytes)?, now)?
        .check_replay(&MemoryReplayCache::new(1), now)?;
    let mut builder =
        LogoutResponseBuilder::new(EntityId::new(args.common.sp_entity_id.clone())?, &idp);
    if let Some(key) = key {
        builder = builder.sign_with(key);
    }
    let answer = builder.redirect(&request, LogoutStatus::Success, &mut OsRng, now)?;
    println!(
        "{}",
        serde_json::json!({
            "ok": true,
            "request_id": request.request_id(),
            "name_id": request.name_id().value,
            "name_id_format": request.name_id().format,
            "name_id_encrypted": request.name_id_encrypted(),
            "session_indexes": request.session_indexes(),
            "response_url": answer.url(),
        })
    );
    Ok(())
}

/// Build one LogoutRequest to the IdP the metadata describes
///
/// Sent to its SingleLogoutService for the binding, for the person
/// --name-id (with --name-id-format) and the sign-in --session-index.
/// Prints {"ok":true,"request_id":...,"url":...} (redirect) or
/// {"ok":true,"request_id":...,"html":...} (post). The ID comes from the
/// operating system's CSPRNG.
#[derive(clap::Args)]
pub(crate) struct LogoutRequestArgs {
    /// The IdP's metadata (its SingleLogoutService endpoints).
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// Our SP entity ID (the request's Issuer).
    #[arg(long, value_name = "URI")]
    sp_entity_id: String,
    /// The NameID of the person to sign out, exactly as the IdP asserted it.
    #[arg(long, value_name = "V")]
    name_id: String,
    /// The NameID's Format URI, exactly as the IdP asserted it.
    #[arg(long, value_name = "URI")]
    name_id_format: Option<String>,
    /// The SessionIndex of the sign-in; repeatable.
    #[arg(long = "session-index", value_name = "S")]
    session_indexes: Vec<String>,
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
}

pub(crate) fn logout_request(args: LogoutRequestArgs) -> Result<(), Failure> {
    let key = signing_key(args.sign_key, args.sign_cert)?;
    let idp = IdpMetadataReader::new().read(&read_file(&args.idp_metadata)?, args.now)?;
    let mut builder = LogoutRequestBuilder::new(EntityId::new(args.sp_entity_id)?, &idp);
    if let Some(key) = key {
        builder = builder.sign_with(key);
    }
    let mut subject = LogoutSubject::new(NameId {
        value: args.name_id,
        format: args.name_id_format,
        name_qualifier: None,
        sp_name_qualifier: None,
    });
    for index in args.session_indexes {
        subject = subject.with_session_index(index);
    }
    let relay_state = args.relay_state.as_deref();
    let json = match args.binding {
        BindingArg::Post => {
            let (form, id) = builder.post(&subject, relay_state, &mut OsRng, args.now)?;
            let html = form.html("c2FtbC1jaGVjaw")?;
            serde_json::json!({ "ok": true, "request_id": id.as_str(), "html": html })
        }
        BindingArg::Redirect => {
            let (redirect, id) = builder.redirect(&subject, relay_state, &mut OsRng, args.now)?;
            serde_json::json!({ "ok": true, "request_id": id.as_str(), "url": redirect.url() })
        }
    };
    println!("{json}");
    Ok(())
}
