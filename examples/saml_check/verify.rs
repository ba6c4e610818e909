//! `saml_check verify`.
//!
//! ```text
//! saml_check verify --idp-metadata FILE --sp-entity-id URI --acs-url URL [--request-id ID]...
//!     [--allow-unsolicited] [--allow-sha1] [--clock-skew SECONDS] --now RFC3339 [--repeat N]
//!     RESPONSE_FILE
//! ```
//!
//! RESPONSE_FILE holds the base64 `SAMLResponse` form value, or raw XML if it
//! starts with `<`. The IdP's entity ID and signing certificates (those valid
//! at `--now`) come from the metadata. stdout is exactly one JSON object.
//! `--repeat N` verifies the same input N times in one process (no replay
//! cache) and adds `"per_verify_ns"`, the median: the figure used to compare
//! saml-sp with other SAML libraries.

use std::time::Instant;

use chrono::SecondsFormat;
use saml_sp::metadata::IdpMetadataReader;
use saml_sp::{EndpointUrl, EntityId, RequestId, ResponseVerifier};

use crate::{Args, Failure, parse_now, read_file};

pub(crate) fn verify(args: &[String]) -> Result<(), Failure> {
    let mut metadata = None;
    let mut sp = None;
    let mut acs = None;
    let mut requests = Vec::new();
    let mut unsolicited = false;
    let mut sha1 = false;
    let mut skew = None;
    let mut now = None;
    let mut repeat = None;
    let mut file = None;
    let mut it = Args { rest: args.iter() };
    while let Some(arg) = it.rest.next() {
        match arg.as_str() {
            "--idp-metadata" => metadata = Some(it.value(arg)?),
            "--sp-entity-id" => sp = Some(it.value(arg)?),
            "--acs-url" => acs = Some(it.value(arg)?),
            "--request-id" => requests.push(it.value(arg)?),
            "--allow-unsolicited" => unsolicited = true,
            "--allow-sha1" => sha1 = true,
            "--clock-skew" => {
                let value = it.value(arg)?;
                let seconds: i64 = value.parse().map_err(|_| {
                    Failure::Usage(format!("--clock-skew {value:?} is not a number"))
                })?;
                skew = Some(chrono::TimeDelta::seconds(seconds));
            }
            "--now" => now = Some(parse_now(it.value(arg)?)?),
            "--repeat" => {
                let value = it.value(arg)?;
                let n: usize = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Failure::Usage(format!("--repeat {value:?} is not a positive number"))
                })?;
                repeat = Some(n);
            }
            flag if flag.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {flag}")));
            }
            path if file.is_none() => file = Some(path),
            extra => return Err(Failure::Usage(format!("unexpected argument {extra}"))),
        }
    }
    let missing = |what: &str| Failure::Usage(format!("{what} is required"));
    let metadata = metadata.ok_or_else(|| missing("--idp-metadata"))?;
    let sp = sp.ok_or_else(|| missing("--sp-entity-id"))?;
    let acs = acs.ok_or_else(|| missing("--acs-url"))?;
    let now = now.ok_or_else(|| missing("--now"))?;
    let file = file.ok_or_else(|| missing("RESPONSE_FILE"))?;
    let metadata_bytes = read_file(metadata)?;
    let input = read_file(file)?;

    let idp = IdpMetadataReader::new().read(&metadata_bytes, now)?;
    let certs = idp.certificate_set(now)?.into_set();
    let mut verifier = ResponseVerifier::new(
        EntityId::new(sp)?,
        EndpointUrl::new(acs)?,
        idp.entity_id().clone(),
        certs,
    )
    .allow_unsolicited(unsolicited)
    .allow_sha1(sha1);
    if let Some(skew) = skew {
        verifier = verifier.clock_skew(skew)?;
    }
    let requests = requests
        .into_iter()
        .map(RequestId::new)
        .collect::<Result<Vec<_>, _>>()?;

    let assertion = verifier.verify(&input, &requests, now)?;
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
