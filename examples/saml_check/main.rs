//! `saml_check`: an admin and conformance tool for saml-sp.
//!
//! ```text
//! saml_check c14n [--inclusive] [--with-comments] [--inclusive-prefixes "p q #default"] [--id ID] FILE
//! saml_check dsig --cert PEM [--cert PEM]... [--allow-sha1] [--min-rsa-bits N] --now RFC3339 FILE
//! saml_check metadata ...      (see metadata.rs)
//! saml_check sp-metadata ...   (see metadata.rs)
//! saml_check verify ...        (see verify.rs)
//! saml_check authn-request ... (see authn_request.rs)
//! saml_check logout-request ...          (see logout.rs)
//! saml_check verify-logout-response ...  (see logout.rs)
//! saml_check verify-logout-request ...   (see logout.rs)
//! ```
//!
//! `dsig` verifies every enveloped signature in FILE (a Response, an
//! Assertion, a metadata document, any XML) against only the given
//! certificates, valid at `--now`, and prints one JSON object:
//! `{"ok":true,"signatures":[{"element":"Assertion","id":"...","cert_sha256":"<hex>","algorithm":"rsa-sha256"}]}`
//! when the file holds at least one signature and every one verifies.
//!
//! `--min-rsa-bits N` (`dsig`, `metadata`, `verify`; default 2048, from 1024
//! to 4096) is the RSA key size floor of the certificate policy the IdP
//! certificates load under: 1024 lets conformance runs over recordings of
//! legacy IdPs reach the checks behind the key-size check.
//!
//! `c14n` writes the canonical form of FILE to stdout: Exclusive XML
//! Canonicalization 1.0 unless `--inclusive` (Canonical XML 1.0); the whole
//! document, or with `--id` the subtree of the element whose `ID` attribute
//! has that value.
//!
//! Exit status: 0 on success; 1 when the input is refused, with one JSON
//! object `{"ok":false,"error":"<kind>","message":"..."}` on stdout; 2 for
//! usage errors and unreadable files, with a message on stderr and nothing
//! on stdout. `saml_check --help` and `saml_check SUBCOMMAND --help` (or
//! `-h`) print help on stdout and exit 0, as does `--version`. Arguments are
//! parsed by clap; see `parse_failure` for how its outcomes map to these
//! statuses.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod authn_request;
mod logout;
mod metadata;
mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use saml_sp::building_blocks::{
    Document, InclusivePrefixes, canonicalize_document, canonicalize_element,
    has_enveloped_signature, verify_enveloped,
};
use saml_sp::certs::{CertificatePolicy, MIN_RSA_BITS};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{C14nMethod, SignaturePolicy};
use saml_sp::{Error, ErrorKind, IdpCertSet, Limits, SigningCertificate};

/// An admin and conformance tool for saml-sp.
///
/// dsig, metadata, verify, authn-request, logout-request,
/// verify-logout-response and verify-logout-request print exactly one JSON
/// object on stdout; c14n prints the canonical form, sp-metadata the XML.
#[derive(Parser)]
#[command(
    name = "saml_check",
    version,
    args_override_self = true,
    after_help = "Exit status: 0 on success; 1 when the input is refused, with one JSON object \
                  {\"ok\":false,\"error\":\"<kind>\",\"message\":\"...\"} on stdout; 2 for usage \
                  errors and unreadable files (a message on stderr)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    C14n(C14nArgs),
    Dsig(DsigArgs),
    Metadata(metadata::IdpMetadataArgs),
    SpMetadata(metadata::SpMetadataArgs),
    Verify(verify::VerifyArgs),
    AuthnRequest(authn_request::AuthnRequestArgs),
    LogoutRequest(logout::LogoutRequestArgs),
    VerifyLogoutResponse(logout::VerifyLogoutResponseArgs),
    VerifyLogoutRequest(logout::VerifyLogoutRequestArgs),
}

impl Command {
    fn name(&self) -> &'static str {
        match self {
            Self::C14n(_) => "c14n",
            Self::Dsig(_) => "dsig",
            Self::Metadata(_) => "metadata",
            Self::SpMetadata(_) => "sp-metadata",
            Self::Verify(_) => "verify",
            Self::AuthnRequest(_) => "authn-request",
            Self::LogoutRequest(_) => "logout-request",
            Self::VerifyLogoutResponse(_) => "verify-logout-response",
            Self::VerifyLogoutRequest(_) => "verify-logout-request",
        }
    }
}

/// A failure of the tool: a usage problem (exit 2) or a refused input (exit 1).
pub(crate) enum Failure {
    Usage(String),
    Refused(ErrorKind, String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Refused(e.kind(), e.detail().to_owned())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_failure(&e),
    };
    let name = cli.command.name();
    let result = match cli.command {
        Command::C14n(args) => c14n(args),
        Command::Dsig(args) => dsig(args),
        Command::Metadata(args) => metadata::idp_metadata(args),
        Command::SpMetadata(args) => metadata::sp_metadata(args),
        Command::Verify(args) => verify::verify(args),
        Command::AuthnRequest(args) => authn_request::authn_request(args),
        Command::LogoutRequest(args) => logout::logout_request(args),
        Command::VerifyLogoutResponse(args) => logout::verify_logout_response(args),
        Command::VerifyLogoutRequest(args) => logout::verify_logout_request(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!(
                "saml_check {name}: {msg}\n\nFor more information, try 'saml_check {name} --help'."
            );
            ExitCode::from(2)
        }
        Err(Failure::Refused(kind, message)) => {
            let json = serde_json::json!({
                "ok": false,
                "error": kind.as_str(),
                "message": message,
            });
            println!("{json}");
            ExitCode::from(1)
        }
    }
}

/// What clap could not parse: help and version go to stdout with exit 0,
/// usage errors to stderr with exit 2 (nothing on stdout), whatever clap's
/// own defaults.
fn parse_failure(e: &clap::Error) -> ExitCode {
    match e.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
            print!("{}", e.render());
            ExitCode::SUCCESS
        }
        _ => {
            eprint!("{}", e.render());
            ExitCode::from(2)
        }
    }
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

/// An RFC 3339 time (`--now`, `--valid-until`), as UTC.
pub(crate) fn rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not RFC 3339: {e}"))
}

/// `--min-rsa-bits`, for the subcommands that load IdP certificates.
#[derive(clap::Args)]
pub(crate) struct KeySizeArgs {
    /// Smallest RSA key accepted in the IdP's certificates, in bits (1024..=4096)
    ///
    /// Lower it to 1024 only for recordings of legacy IdPs (2013-era 1024-bit
    /// keys), so that the checks behind the key-size check run. 1024 is the
    /// floor of saml_sp::certs::CertificatePolicy; no key above 4096 bits
    /// loads.
    #[arg(
        long,
        value_name = "N",
        default_value_t = MIN_RSA_BITS,
        value_parser = RangedU64ValueParser::<usize>::new().range(1024..=4096),
    )]
    pub(crate) min_rsa_bits: usize,
}

impl KeySizeArgs {
    pub(crate) fn policy(&self) -> CertificatePolicy {
        CertificatePolicy::default().with_min_rsa_bits(self.min_rsa_bits)
    }
}

/// Write the canonical form of an XML document to stdout
///
/// Exclusive XML Canonicalization 1.0 unless --inclusive (Canonical XML 1.0);
/// the whole document, or with --id the subtree of the element whose `ID`
/// attribute has that value.
#[derive(clap::Args)]
struct C14nArgs {
    /// Canonical XML 1.0 (inclusive) instead of Exclusive XML Canonicalization 1.0.
    #[arg(long)]
    inclusive: bool,
    /// Keep comments (the #WithComments variants).
    #[arg(long)]
    with_comments: bool,
    /// The InclusiveNamespaces PrefixList of exclusive c14n, e.g. "p q #default".
    #[arg(long, value_name = "\"p q #default\"", value_parser = inclusive_prefixes)]
    inclusive_prefixes: Option<InclusivePrefixes>,
    /// Canonicalize only the element whose ID attribute has this value.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// The XML document.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn inclusive_prefixes(value: &str) -> Result<InclusivePrefixes, String> {
    InclusivePrefixes::parse(value).map_err(|e| e.detail().to_owned())
}

/// Verify every enveloped signature in a document against given certificates
///
/// FILE is any XML (a Response, an Assertion, a metadata document). Only the
/// --cert certificates valid at --now are trusted. Prints
/// {"ok":true,"signatures":[{"element":...,"id":...,"cert_sha256":...,"algorithm":...}]}
/// when the file holds at least one signature and every one verifies.
#[derive(clap::Args)]
struct DsigArgs {
    /// A trusted signing certificate (PEM, DER or base64 DER); repeatable.
    #[arg(long = "cert", value_name = "PEM", required = true)]
    certs: Vec<PathBuf>,
    /// Accept rsa-sha1 signatures and sha1 digests.
    #[arg(long)]
    allow_sha1: bool,
    #[command(flatten)]
    key_size: KeySizeArgs,
    /// The time the certificates must be valid at.
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    now: DateTime<Utc>,
    /// The signed XML document.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

fn c14n(args: C14nArgs) -> Result<(), Failure> {
    let C14nArgs {
        inclusive,
        with_comments,
        inclusive_prefixes,
        id,
        file,
    } = args;
    let prefixes = inclusive_prefixes.unwrap_or_else(InclusivePrefixes::none);
    let method = match (inclusive, with_comments) {
        (false, false) => C14nMethod::Exclusive,
        (false, true) => C14nMethod::ExclusiveWithComments,
        (true, false) => C14nMethod::Inclusive,
        (true, true) => C14nMethod::InclusiveWithComments,
    };
    let input = read_file(&file)?;
    let doc = Document::parse(&input, &Limits::default())?;
    let mut out = Vec::new();
    match id {
        None => canonicalize_document(&doc, method, &prefixes, &mut out)?,
        Some(id) => {
            let element = doc.element_by_id(&id).ok_or_else(|| {
                Failure::Refused(
                    ErrorKind::XmlIdNotFound,
                    format!("no element has ID {id:?}"),
                )
            })?;
            canonicalize_element(element, None, method, &prefixes, &mut out)?;
        }
    }
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Failure::Usage(format!("cannot write stdout: {e}")))
}

fn dsig(args: DsigArgs) -> Result<(), Failure> {
    let mut policy = SignaturePolicy::default();
    if args.allow_sha1 {
        policy = policy.with_sha1_allowed(true);
    }
    let now = args.now;
    let cert_policy = args.key_size.policy();
    let mut certs = Vec::new();
    for path in &args.certs {
        certs.push(SigningCertificate::parse_with_policy(
            &read_file(path)?,
            &cert_policy,
        )?);
    }
    let certs = IdpCertSet::new(certs, now)?;
    let input = read_file(&args.file)?;
    let doc = Document::parse(&input, &Limits::default())?;
    let signed: Vec<_> = doc
        .root()
        .descendants()
        .filter(|e| has_enveloped_signature(*e))
        .collect();
    if signed.is_empty() {
        return Err(Failure::Refused(
            ErrorKind::SignatureMissing,
            "the document holds no enveloped signature".into(),
        ));
    }
    let mut report = Vec::new();
    for element in signed {
        let verified = verify_enveloped(element, &certs, now, &policy)?;
        report.push(serde_json::json!({
            "element": element.local_name(),
            "id": element.attribute(None, "ID"),
            "cert_sha256": verified.certificate().to_string(),
            "algorithm": verified.signature_algorithm().as_str(),
        }));
    }
    println!(
        "{}",
        serde_json::json!({ "ok": true, "signatures": report })
    );
    Ok(())
}
