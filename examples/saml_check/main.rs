//! `saml_check`: an admin and conformance tool for saml-sp.
//!
//! ```text
//! saml_check c14n [--inclusive] [--with-comments] [--inclusive-prefixes "p q #default"] [--id ID] FILE
//! saml_check dsig --cert PEM [--cert PEM]... [--allow-sha1] --now RFC3339 FILE
//! saml_check metadata ...      (see metadata.rs)
//! saml_check sp-metadata ...   (see metadata.rs)
//! saml_check verify ...        (see verify.rs)
//! saml_check authn-request ... (see authn_request.rs)
//! ```
//!
//! `dsig` verifies every enveloped signature in FILE (a Response, an
//! Assertion, a metadata document, any XML) against only the given
//! certificates, valid at `--now`, and prints one JSON object:
//! `{"ok":true,"signatures":[{"element":"Assertion","id":"...","cert_sha256":"<hex>","algorithm":"rsa-sha256"}]}`
//! when the file holds at least one signature and every one verifies.
//!
//! `c14n` writes the canonical form of FILE to stdout: Exclusive XML
//! Canonicalization 1.0 unless `--inclusive` (Canonical XML 1.0); the whole
//! document, or with `--id` the subtree of the element whose `ID` attribute
//! has that value.
//!
//! Exit status: 0 on success; 1 when the input is refused, with one JSON
//! object `{"ok":false,"error":"<kind>","message":"..."}` on stdout; 2 for
//! usage errors and unreadable files.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod authn_request;
mod metadata;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use saml_sp::building_blocks::{
    Document, InclusivePrefixes, canonicalize_document, canonicalize_element,
    has_enveloped_signature, verify_enveloped,
};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{C14nMethod, SignaturePolicy};
use saml_sp::{Error, ErrorKind, IdpCertSet, Limits, SigningCertificate};

const USAGE: &str = "usage:
  saml_check c14n [--inclusive] [--with-comments] [--inclusive-prefixes \"p q #default\"] [--id ID] FILE
  saml_check dsig --cert PEM [--cert PEM]... [--allow-sha1] --now RFC3339 FILE
  saml_check metadata --idp-metadata FILE [--entity-id ID] [--pin-cert PEM]... --now RFC3339
  saml_check sp-metadata --sp-entity-id URI --acs-url URL [--sign-cert PEM] [--slo-url URL]
      [--name-id-format email|persistent|transient|unspecified]... [--valid-until RFC3339]
  saml_check verify --idp-metadata FILE --sp-entity-id URI --acs-url URL [--request-id ID]...
      [--allow-unsolicited] [--allow-sha1] [--clock-skew SECONDS] --now RFC3339 [--repeat N] RESPONSE_FILE
  saml_check authn-request --idp-metadata FILE --sp-entity-id URI --acs-url URL [--binding redirect|post]
      [--relay-state S] --now RFC3339 [--sign-key PEM --sign-cert PEM]
      [--name-id-format email|persistent|transient|unspecified [--allow-create true|false]]
      [--force-authn] [--is-passive] [--authn-context-class URI]... [--authn-context-comparison
      exact|minimum|maximum|better] [--subject-name-id S] [--csp-nonce NONCE]";

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("c14n") => c14n(args.get(1..).unwrap_or_default()),
        Some("dsig") => dsig(args.get(1..).unwrap_or_default()),
        Some("metadata") => metadata::idp_metadata(args.get(1..).unwrap_or_default()),
        Some("sp-metadata") => metadata::sp_metadata(args.get(1..).unwrap_or_default()),
        Some("verify") => verify::verify(args.get(1..).unwrap_or_default()),
        Some("authn-request") => authn_request::authn_request(args.get(1..).unwrap_or_default()),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(Failure::Usage("unknown or missing subcommand".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("saml_check: {msg}\n{USAGE}");
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

/// Command-line arguments: flags, options with values, and positionals.
pub(crate) struct Args<'a> {
    pub(crate) rest: std::slice::Iter<'a, String>,
}

impl<'a> Args<'a> {
    pub(crate) fn value(&mut self, flag: &str) -> Result<&'a str, Failure> {
        self.rest
            .next()
            .map(String::as_str)
            .ok_or_else(|| Failure::Usage(format!("{flag} needs a value")))
    }
}

pub(crate) fn read_file(path: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))
}

fn c14n(args: &[String]) -> Result<(), Failure> {
    let mut inclusive = false;
    let mut with_comments = false;
    let mut prefixes = InclusivePrefixes::none();
    let mut id = None;
    let mut file = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--inclusive" => inclusive = true,
            "--with-comments" => with_comments = true,
            "--inclusive-prefixes" => {
                prefixes = InclusivePrefixes::parse(it.value(arg)?)
                    .map_err(|e| Failure::Usage(e.detail().to_owned()))?;
            }
            "--id" => id = Some(it.value(arg)?),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")));
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Failure::Usage(format!("unexpected argument {extra}"))),
        }
    }
    let file = file.ok_or_else(|| Failure::Usage("FILE is missing".into()))?;
    let method = match (inclusive, with_comments) {
        (false, false) => C14nMethod::Exclusive,
        (false, true) => C14nMethod::ExclusiveWithComments,
        (true, false) => C14nMethod::Inclusive,
        (true, true) => C14nMethod::InclusiveWithComments,
    };
    let input = read_file(file)?;
    let doc = Document::parse(&input, &Limits::default())?;
    let mut out = Vec::new();
    match id {
        None => canonicalize_document(&doc, method, &prefixes, &mut out)?,
        Some(id) => {
            let element = doc.element_by_id(id).ok_or_else(|| {
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

pub(crate) fn parse_now(value: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Failure::Usage(format!("--now {value:?} is not RFC 3339: {e}")))
}

fn dsig(args: &[String]) -> Result<(), Failure> {
    let mut cert_files = Vec::new();
    let mut policy = SignaturePolicy::default();
    let mut now = None;
    let mut file = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--cert" => cert_files.push(it.value(arg)?),
            "--allow-sha1" => policy = policy.with_sha1_allowed(true),
            "--now" => now = Some(parse_now(it.value(arg)?)?),
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")));
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Failure::Usage(format!("unexpected argument {extra}"))),
        }
    }
    let file = file.ok_or_else(|| Failure::Usage("FILE is missing".into()))?;
    let now = now.ok_or_else(|| Failure::Usage("--now is required".into()))?;
    if cert_files.is_empty() {
        return Err(Failure::Usage("at least one --cert is required".into()));
    }
    let mut certs = Vec::new();
    for path in cert_files {
        certs.push(SigningCertificate::parse(&read_file(path)?)?);
    }
    let certs = IdpCertSet::new(certs, now)?;
    let input = read_file(file)?;
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
