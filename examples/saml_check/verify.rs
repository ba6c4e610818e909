//! `saml_check verify`.
//!
//! ```text
//! saml_check verify --idp-metadata FILE --sp-entity-id URI --acs-url URL [--request-id ID]...
//!     [--allow-unsolicited] [--allow-sha1] [--clock-skew SECONDS] [--min-rsa-bits N]
//!     [--decryption-key PEM]... [--allow-tripledes] --now RFC3339 [--repeat N] RESPONSE_FILE
//! ```
//!
//! RESPONSE_FILE holds the base64 `SAMLResponse` form value, or raw XML if it
//! starts with `<`. The IdP's entity ID and signing certificates (those valid
//! at `--now`) come from the metadata, loaded under `--min-rsa-bits`
//! (default 2048). stdout is exactly one JSON object, with `"encrypted"`
//! saying whether the Assertion came encrypted. `--decryption-key` (the
//! SP's private key, PKCS#8 or PKCS#1 PEM, under the same `--min-rsa-bits`;
//! at most two: current and next) decrypts an `EncryptedAssertion`.
//! `--repeat N` verifies the same input N times in one process (no replay
//! cache) and adds `"per_verify_ns"`, the median: the figure used to compare
//! saml-sp with other SAML libraries.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{SecondsFormat, TimeDelta};
use clap::builder::RangedU64ValueParser;
use saml_sp::certs::{SpDecryptionKey, SpDecryptionKeys};
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::store::MemoryReplayCache;
use saml_sp::time::{DateTime, Utc};
use saml_sp::{EndpointUrl, EntityId, RequestId, ResponseVerifier};

use crate::{Failure, KeySizeArgs, read_file, rfc3339};

/// Verify a SAML Response as the SP would
///
/// Every check of ResponseVerifier: signature, issuer, audience, destination,
/// times, InResponseTo. RESPONSE_FILE holds the base64 SAMLResponse form
/// value, or raw XML if it starts with `<`. The IdP's entity ID and signing
/// certificates (those valid at --now) come from the metadata. Prints one
/// JSON object: the verified assertion's issuer, NameID, session index and
/// attributes.
#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// The IdP's metadata (entity ID and signing certificates).
    #[arg(long, value_name = "FILE")]
    idp_metadata: PathBuf,
    /// Our SP entity ID (the audience).
    #[arg(long, value_name = "URI")]
    sp_entity_id: String,
    /// Our AssertionConsumerService URL (the destination and recipient).
    #[arg(long, value_name = "URL")]
    acs_url: String,
    /// An outstanding AuthnRequest ID the response may answer; repeatable.
    #[arg(long = "request-id", value_name = "ID")]
    request_ids: Vec<String>,
    /// Accept IdP-initiated responses (no InResponseTo).
    #[arg(long)]
    allow_unsolicited: bool,
    /// Accept rsa-sha1 signatures and sha1 digests.
    #[arg(long)]
    allow_sha1: bool,
    /// Allowed clock skew in seconds (the verifier accepts 0..=600).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true, value_parser = seconds)]
    clock_skew: Option<TimeDelta>,
    #[command(flatten)]
    key_size: KeySizeArgs,
    /// The SP's decryption key (PEM, PKCS#8 or PKCS#1) for encrypted
    /// assertions; repeatable (current and next).
    #[arg(long = "decryption-key", value_name = "PEM")]
    decryption_keys: Vec<PathBuf>,
    /// Accept assertions encrypted with tripledes-cbc.
    #[arg(long)]
    allow_tripledes: bool,
    /// The time to verify at.
    #[arg(long, value_name = "RFC3339", value_parser = rfc3339)]
    now: DateTime<Utc>,
    /// Verify the same input N more times in one process (no replay cache)
    /// and add "per_verify_ns" (the median) and "repeat" to the output.
    #[arg(
        long,
        value_name = "N",
        value_parser = RangedU64ValueParser::<usize>::new().range(1..),
    )]
    repeat: Option<usize>,
    /// The base64 SAMLResponse form value, or the Response XML.
    #[arg(value_name = "RESPONSE_FILE")]
    file: PathBuf,
}

fn seconds(value: &str) -> Result<TimeDelta, String> {
    let n: i64 = value.parse().map_err(|_| "not a number".to_owned())?;
    TimeDelta::try_seconds(n).ok_or_else(|| "out of range".to_owned())
}

pub(crate) fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let VerifyArgs {
        idp_metadata,
        sp_entity_id,
        acs_url,
        request_ids,
        allow_unsolicited,
        allow_sha1,
        clock_skew,
        key_size,
        decryption_keys,
        allow_tripledes,
        now,
        repeat,
        file,
    } = args;
    let metadata_bytes = read_file(&idp_metadata)?;
    let input = read_file(&file)?;

    let idp = IdpMetadataReader::new()
        .with_certificate_policy(key_size.policy())
        .read(&metadata_bytes, now)?;
    let certs = idp.certificate_set(now)?.into_set();
    let mut verifier = ResponseVerifier::new(
        EntityId::new(sp_entity_id)?,
        EndpointUrl::new(acs_url)?,
        idp.entity_id().clone(),
        certs,
    )
    .allow_unsolicited(allow_unsolicited)
    .allow_sha1(allow_sha1)
    .allow_tripledes(allow_tripledes);
    if !decryption_keys.is_empty() {
        let keys = decryption_keys
            .iter()
            .map(|path| {
                let pem = String::from_utf8_lossy(&read_file(path)?).into_owned();
                Ok(SpDecryptionKey::from_pem_with_policy(
                    &pem,
                    &key_size.policy(),
                )?)
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        verifier = verifier.decryption_keys(SpDecryptionKeys::from_keys(keys)?);
    }
    if let Some(skew) = clock_skew {
        verifier = verifier.clock_skew(skew)?;
    }
    let requests = request_ids
        .into_iter()
        .map(RequestId::new)
        .collect::<Result<Vec<_>, _>>()?;

    // One response, checked once: its one-time use in an empty in-memory
    // cache is always a first use, and hands over the claims.
    let assertion = verifier
        .verify(&input, &requests, now)?
        .check_replay(&MemoryReplayCache::new(1), now)?;
    let mut attributes = serde_json::Map::new();
    for attr in assertion.attributes() {
        let values = attributes
            .entry(attr.name().to_owned())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(list) = values {
            list.extend(
                attr.values()
                    .map(|v| serde_json::Value::String(v.to_owned())),
            );
        }
    }
    let mut out = serde_json::json!({
        "ok": true,
        "issuer": assertion.issuer().as_str(),
        "name_id": assertion.name_id(),
        "name_id_format": assertion.name_id_format(),
        "session_index": assertion.session_index(),
        "attributes": attributes,
        "signed": assertion.signed().as_str(),
        "encrypted": assertion.encrypted(),
        "not_on_or_after": assertion.not_on_or_after().to_rfc3339_opts(SecondsFormat::AutoSi, true),
    });
    if let Some(n) = repeat {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            let again = verifier.verify(&input, &requests, now)?;
            times.push(started.elapsed().as_nanos());
            std::hint::black_box(again);
        }
        times.sort_unstable();
        let median = times.get(times.len() / 2).copied().unwrap_or_default();
        if let Some(map) = out.as_object_mut() {
            map.insert("per_verify_ns".into(), serde_json::json!(median as u64));
            map.insert("repeat".into(), serde_json::json!(n));
        }
    }
    println!("{out}");
    Ok(())
}
