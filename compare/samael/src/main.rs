//! Times samael 0.0.22 verifying SAML Responses the way its README does
//! (`ServiceProvider` built with the IdP's metadata, `parse_xml_response`
//! with the possible request IDs), and prints one JSON line per file with the
//! median time per verify.
//!
//! samael reads the system clock inside validation (`Utc::now()`), and the
//! fixtures are pinned at 2026-03-02T10:01:00Z. Its public `max_issue_delay`
//! and `max_clock_skew` fields are widened (to 20 years) so that the pinned
//! responses are still "fresh" today: every check still runs, the windows are
//! just wider. The time checks are a handful of comparisons either way.
//!
//! usage: samael-compare [--iterations N] [--cert PEM] FILE...
//! (`--cert` defaults to fixtures/keys/idp-a.crt.pem; the same path with
//! idp-b must fail.)

use std::time::Instant;

use samael::metadata::EntityDescriptor;
use samael::service_provider::ServiceProviderBuilder;

const SP: &str = "https://sso.example.com/saml/acme";
const ACS: &str = "https://sso.example.com/saml/acme/acs";
const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";

/// IdP metadata as an admin would download it: the signing certificate in
/// an IDPSSODescriptor.
fn idp_metadata(cert_pem: &str) -> String {
    let body: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    format!(
        r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{IDP}"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{body}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2"/></IDPSSODescriptor></EntityDescriptor>"#
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut iterations = 200usize;
    let mut cert = String::from("../../fixtures/keys/idp-a.crt.pem");
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--iterations" => iterations = args.next().ok_or("--iterations N")?.parse()?,
            "--cert" => cert = args.next().ok_or("--cert PEM")?,
            "--help" | "-h" => {
                println!("usage: samael-compare [--iterations N] [--cert PEM] FILE...");
                return Ok(());
            }
            _ => files.push(arg),
        }
    }
    let twenty_years = chrono::Duration::days(20 * 365);
    let service_provider = |cert: &str| -> Result<_, Box<dyn std::error::Error>> {
        let metadata: EntityDescriptor = idp_metadata(&std::fs::read_to_string(cert)?).parse()?;
        Ok(ServiceProviderBuilder::default()
            .entity_id(SP.to_string())
            .acs_url(ACS.to_string())
            .idp_metadata(metadata)
            .max_issue_delay(twenty_years)
            .max_clock_skew(twenty_years)
            .build()?)
    };
    let sp = service_provider(&cert)?;
    // The same SP trusting another key: a sanity check that samael really
    // verifies the signature on these inputs.
    let wrong = service_provider(&cert.replace("idp-a", "idp-b"))?;

    for file in files {
        let xml = std::fs::read_to_string(&file)?;
        // It must verify, and it must refuse the response under another key.
        let assertion = sp.parse_xml_response(&xml, Some(&[REQUEST]))?;
        if wrong.parse_xml_response(&xml, Some(&[REQUEST])).is_ok() {
            return Err(format!("{file}: samael accepted it under idp-b's key").into());
        }
        let name_id = assertion
            .subject
            .as_ref()
            .and_then(|s| s.name_id.as_ref())
            .map(|n| n.value.clone())
            .unwrap_or_default();
        let warmup = (iterations / 10).clamp(3, 50);
        let mut times = Vec::with_capacity(iterations);
        for i in 0..warmup + iterations {
            let start = Instant::now();
            let a = sp.parse_xml_response(&xml, Some(&[REQUEST]))?;
            let elapsed = start.elapsed().as_nanos();
            std::hint::black_box(a);
            if i >= warmup {
                times.push(elapsed);
            }
        }
        times.sort_unstable();
        let median = times[times.len() / 2];
        let mean = times.iter().sum::<u128>() / times.len() as u128;
        println!(
            r#"{{"impl":"samael 0.0.22 (xmlsec)","file":"{file}","bytes":{},"iterations":{iterations},"median_ns":{median},"mean_ns":{mean},"min_ns":{},"name_id":"{name_id}"}}"#,
            xml.len(),
            times[0],
        );
    }
    Ok(())
}
