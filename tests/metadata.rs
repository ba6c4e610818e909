//! IdP metadata in (fixtures signed by xmlsec1, real IdP recordings, every
//! error kind, hostile documents) and SP metadata out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use saml_sp::building_blocks::{Document, verify_enveloped};
use saml_sp::certs::{CertFingerprint, CertificatePolicy};
use saml_sp::metadata::{DropReason, IdpMetadataReader, SpMetadata};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{Binding, NameIdFormat, SignaturePolicy};
use saml_sp::{
    EndpointUrl, EntityId, ErrorKind, IdpCertSet, IdpMetadata, Limits, SigningCertificate, ns,
};

#[path = "common/real_recordings.rs"]
mod real_recordings;
use real_recordings::real_recordings_dir;

const MD: &str = ns::SAML_METADATA;
const DS: &str = ns::DSIG;
const SAML2: &str = ns::SAML_PROTOCOL;
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const TENANT_ID: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const TENANT_LOGIN: &str =
    "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2";
const IDP: &str = "https://idp.example.com/saml";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap()
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    time("2026-03-02T10:01:00Z")
}

fn cert(name: &str) -> SigningCertificate {
    SigningCertificate::parse(&fixture(&format!("keys/{name}.crt.pem"))).unwrap()
}

fn fp(name: &str) -> CertFingerprint {
    CertFingerprint::of_der(&pem_der(
        &std::fs::read_to_string(fixtures().join(format!("keys/{name}.crt.pem"))).unwrap(),
    ))
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// The base64 DER of a test certificate (X509Certificate content).
fn b64(name: &str) -> String {
    let pem = std::fs::read_to_string(fixtures().join(format!("keys/{name}.crt.pem"))).unwrap();
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

fn pinned(names: &[&str]) -> IdpCertSet {
    IdpCertSet::new(names.iter().map(|n| cert(n)), now()).unwrap()
}

/// A KeyDescriptor holding a test certificate.
fn key(name: &str, use_: Option<&str>) -> String {
    let use_ = use_.map(|u| format!(r#" use="{u}""#)).unwrap_or_default();
    format!(
        "<md:KeyDescriptor{use_}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}\
         </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>",
        b64(name)
    )
}

fn sso(binding: &str, url: &str) -> String {
    format!(r#"<md:SingleSignOnService Binding="{binding}" Location="{url}"/>"#)
}

/// An EntityDescriptor with one SAML 2.0 IDPSSODescriptor.
fn entity(entity_id: &str, entity_attrs: &str, role_attrs: &str, role_inner: &str) -> String {
    format!(
        r#"<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{entity_id}"{entity_attrs}><md:IDPSSODescriptor protocolSupportEnumeration="{SAML2}"{role_attrs}>{role_inner}</md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

/// A plain IdP with these signing certificates and a Redirect SSO endpoint.
fn idp_with(keys: &[&str]) -> String {
    let keys: String = keys.iter().map(|k| key(k, Some("signing"))).collect();
    entity(
        IDP,
        "",
        "",
        &format!("{keys}{}", sso(REDIRECT, "https://idp.example.com/sso")),
    )
}

fn entities(inner: &str) -> String {
    format!(r#"<md:EntitiesDescriptor xmlns:md="{MD}">{inner}</md:EntitiesDescriptor>"#)
}

fn read(xml: &str) -> Result<IdpMetadata, ErrorKind> {
    IdpMetadata::parse(xml.as_bytes(), now()).map_err(|e| e.kind())
}

fn read_err(reader: &IdpMetadataReader, xml: &[u8]) -> ErrorKind {
    reader.read(xml, now()).unwrap_err().kind()
}

// ---------------------------------------------------------------------------
// Azure AD-shaped federation metadata (xmlsec1-signed fixtures)
// ---------------------------------------------------------------------------

#[test]
fn azure_app_federation_metadata_with_bom() {
    let xml = fixture("metadata/azure-app-signed.xml");
    assert!(
        xml.starts_with(b"\xEF\xBB\xBF<?xml"),
        "the fixture keeps its BOM"
    );
    let idp = IdpMetadata::parse(&xml, now()).unwrap();
    assert_eq!(idp.entity_id().as_str(), TENANT_ID);
    let sso = idp.single_sign_on();
    assert_eq!(sso.redirect().unwrap().as_str(), TENANT_LOGIN);
    assert_eq!(sso.post().unwrap().as_str(), TENANT_LOGIN);
    assert_eq!(sso.get(Binding::HttpPost), sso.post());
    assert_eq!(
        idp.single_logout().redirect().unwrap().as_str(),
        TENANT_LOGIN
    );
    assert_eq!(idp.single_logout().post(), None);
    // The RoleDescriptors list the same keys again: read once, from the IdP role.
    let fps: Vec<_> = idp
        .signing_certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(fps, [fp("idp-a"), fp("idp-b")]);
    assert!(idp.skipped_keys().is_empty());
    assert!(idp.name_id_formats().is_empty());
    assert!(!idp.want_authn_requests_signed());
    assert_eq!(idp.valid_until(), None);
    assert_eq!(idp.cache_duration(), None);
    // Not pinned: the embedded signature was not even looked at.
    assert_eq!(idp.signed_by(), None);

    let set = idp.certificate_set(now()).unwrap();
    assert_eq!(set.set().certificates().len(), 2);
    assert!(set.dropped().is_empty());
}

#[test]
fn pinned_signer_verifies_the_metadata_signature() {
    let reader = IdpMetadataReader::new().with_pinned_signer(pinned(&["idp-a"]));
    let idp = reader
        .read(&fixture("metadata/azure-app-signed.xml"), now())
        .unwrap();
    assert_eq!(idp.signed_by(), Some(fp("idp-a")));
    // The dsig fixture (same shape, no BOM) too.
    let idp = reader
        .read(&fixture("dsig/metadata-signed.xml"), now())
        .unwrap();
    assert_eq!(idp.signed_by(), Some(fp("idp-a")));
    // Pinning both certificates of a rollover accepts either signer.
    let both = IdpMetadataReader::new().with_pinned_signer(pinned(&["idp-a", "idp-b"]));
    let idp = both
        .read(&fixture("metadata/azure-app-signed-by-idp-b.xml"), now())
        .unwrap();
    assert_eq!(idp.signed_by(), Some(fp("idp-b")));
}

#[test]
fn signature_not_by_the_pinned_certificate_is_refused() {
    let reader = IdpMetadataReader::new().with_pinned_signer(pinned(&["idp-a"]));
    let signed_by_b = fixture("metadata/azure-app-signed-by-idp-b.xml");
    assert_eq!(read_err(&reader, &signed_by_b), ErrorKind::SignatureInvalid);
    // The certificate in the document's own KeyInfo is no source of trust.
    let attacker = IdpMetadataReader::new().with_pinned_signer(pinned(&["attacker"]));
    assert_eq!(
        read_err(&attacker, &fixture("metadata/azure-app-signed.xml")),
        ErrorKind::SignatureInvalid
    );
}

#[test]
fn tampered_signed_metadata_is_refused_when_pinned() {
    let xml = String::from_utf8(fixture("metadata/azure-app-signed.xml")).unwrap();
    let post = format!(r#"Binding="{POST}" Location="{TENANT_LOGIN}""#);
    assert_eq!(xml.matches(&post).count(), 1);
    let tampered = xml.replace(
        &post,
        &format!(r#"Binding="{POST}" Location="https://evil.example/saml2""#),
    );
    let reader = IdpMetadataReader::new().with_pinned_signer(pinned(&["idp-a"]));
    assert_eq!(
        read_err(&reader, tampered.as_bytes()),
        ErrorKind::DigestMismatch
    );
    // Without a pinned signer the signature proves nothing and is not checked:
    // the document is whatever the admin uploaded.
    let idp = IdpMetadata::parse(tampered.as_bytes(), now()).unwrap();
    assert_eq!(
        idp.single_sign_on().post().unwrap().as_str(),
        "https://evil.example/saml2"
    );
}

#[test]
fn unsigned_metadata_is_refused_when_a_signer_is_pinned() {
    let reader = IdpMetadataReader::new().with_pinned_signer(pinned(&["idp-a"]));
    assert_eq!(
        read_err(&reader, idp_with(&["idp-a"]).as_bytes()),
        ErrorKind::SignatureMissing
    );
}

#[test]
fn pinned_signer_must_be_valid_now() {
    // Pinned idp-b, and the document checked after idp-b expired.
    let later = time("2027-07-01T00:00:00Z");
    let pinned = IdpCertSet::new([cert("idp-b")], now()).unwrap();
    let err = IdpMetadataReader::new()
        .with_pinned_signer(pinned)
        .read(&fixture("metadata/azure-app-signed-by-idp-b.xml"), later)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableCertificate);
}

// ---------------------------------------------------------------------------
// EntitiesDescriptor
// ---------------------------------------------------------------------------

const SHIB: &str = "https://idp.example.org/idp/shibboleth";

#[test]
fn aggregate_selection_by_entity_id() {
    let xml = fixture("metadata/aggregate-signed.xml");
    let reader = |id: &str| IdpMetadataReader::new().with_entity_id(EntityId::new(id).unwrap());

    let idp = reader(SHIB).read(&xml, now()).unwrap();
    assert_eq!(idp.entity_id().as_str(), SHIB);
    assert!(idp.want_authn_requests_signed());
    // idp-c has no `use` (signing); the encryption key is not a signing key.
    let fps: Vec<_> = idp
        .signing_certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(fps, [fp("idp-c")]);
    // SOAP is skipped; Redirect and POST are read.
    assert_eq!(
        idp.single_sign_on().redirect().unwrap().as_str(),
        "https://idp.example.org/idp/profile/SAML2/Redirect/SSO"
    );
    assert_eq!(
        idp.single_sign_on().post().unwrap().as_str(),
        "https://idp.example.org/idp/profile/SAML2/POST/SSO"
    );
    assert_eq!(
        idp.single_logout().post().unwrap().as_str(),
        "https://idp.example.org/idp/profile/SAML2/POST/SLO"
    );
    assert_eq!(
        idp.name_id_formats(),
        [
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
        ]
    );
    // validUntil from the root; the shortest cacheDuration along the path.
    assert_eq!(idp.valid_until(), Some(time("2030-01-01T00:00:00Z")));
    assert_eq!(idp.cache_duration(), Some(Duration::from_secs(3600)));

    let idp2 = reader("https://idp2.example.org/saml")
        .read(&xml, now())
        .unwrap();
    assert_eq!(idp2.single_sign_on().redirect(), None);
    assert_eq!(
        idp2.single_sign_on().post().unwrap().as_str(),
        "https://idp2.example.org/saml/sso"
    );
    assert_eq!(idp2.cache_duration(), Some(Duration::from_secs(6 * 3600)));
    assert_eq!(idp2.signing_certificates()[0].fingerprint(), fp("idp-b"));

    // Refusals.
    let ambiguous = IdpMetadataReader::new().read(&xml, now()).unwrap_err();
    assert_eq!(ambiguous.kind(), ErrorKind::MetadataAmbiguous);
    assert!(ambiguous.detail().contains(SHIB), "{}", ambiguous.detail());
    assert_eq!(
        read_err(&reader("https://nobody.example.org/idp"), &xml),
        ErrorKind::MetadataEntityNotFound
    );
    assert_eq!(
        read_err(&reader("https://sp.example.org/shibboleth"), &xml),
        ErrorKind::MetadataNoIdp
    );
    // SAML 1.1 only.
    assert_eq!(
        read_err(&reader("https://legacy.example.org/idp"), &xml),
        ErrorKind::MetadataNoIdp
    );
}

#[test]
fn a_signature_on_the_enclosing_entities_descriptor_covers_the_entity() {
    let xml = fixture("metadata/aggregate-signed.xml");
    let reader = IdpMetadataReader::new()
        .with_entity_id(EntityId::new(SHIB).unwrap())
        .with_pinned_signer(pinned(&["idp-a"]));
    assert_eq!(
        reader.read(&xml, now()).unwrap().signed_by(),
        Some(fp("idp-a"))
    );
    let wrong = IdpMetadataReader::new()
        .with_entity_id(EntityId::new(SHIB).unwrap())
        .with_pinned_signer(pinned(&["idp-c"]));
    assert_eq!(read_err(&wrong, &xml), ErrorKind::SignatureInvalid);
    // Changing the selected entity breaks the root's digest.
    let tampered = String::from_utf8(xml)
        .unwrap()
        .replace("POST/SSO\"", "POST/SSO-evil\"");
    assert_eq!(
        read_err(&reader, tampered.as_bytes()),
        ErrorKind::DigestMismatch
    );
}

#[test]
fn one_idp_in_a_nested_aggregate_is_chosen_without_an_entity_id() {
    let sp = format!(
        r#"<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="{SAML2}"><md:AssertionConsumerService Binding="{POST}" Location="https://sp.example.com/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>"#
    );
    let xml = entities(&format!(
        "{sp}<md:EntitiesDescriptor>{}</md:EntitiesDescriptor>",
        idp_with(&["idp-a"])
    ));
    assert_eq!(read(&xml).unwrap().entity_id().as_str(), IDP);
}

#[test]
fn the_entity_id_is_checked_on_a_single_entity_descriptor() {
    let xml = idp_with(&["idp-a"]);
    let ok = IdpMetadataReader::new().with_entity_id(EntityId::new(IDP).unwrap());
    assert_eq!(
        ok.read(xml.as_bytes(), now()).unwrap().entity_id().as_str(),
        IDP
    );
    let other =
        IdpMetadataReader::new().with_entity_id(EntityId::new("https://other.example").unwrap());
    assert_eq!(
        read_err(&other, xml.as_bytes()),
        ErrorKind::MetadataEntityNotFound
    );
}

// ---------------------------------------------------------------------------
// One test per metadata error kind
// ---------------------------------------------------------------------------

#[test]
fn error_metadata_invalid() {
    let ok_sso = sso(REDIRECT, "https://idp.example.com/sso");
    let cases: Vec<(&str, String)> = vec![
        (
            "not metadata",
            format!(r#"<samlp:Response xmlns:samlp="{SAML2}" ID="_1"/>"#),
        ),
        (
            "EntityDescriptor in no namespace",
            format!(r#"<EntityDescriptor entityID="{IDP}"/>"#),
        ),
        (
            "no entityID",
            entity(IDP, "", "", &ok_sso).replace(&format!(r#" entityID="{IDP}""#), ""),
        ),
        (
            "entityID with a space",
            entity("https://idp.example.com/a b", "", "", &ok_sso),
        ),
        (
            "bad validUntil",
            entity(IDP, r#" validUntil="soon""#, "", &ok_sso),
        ),
        (
            "negative cacheDuration",
            entity(IDP, r#" cacheDuration="-PT1H""#, "", &ok_sso),
        ),
        (
            "bad WantAuthnRequestsSigned",
            entity(IDP, "", r#" WantAuthnRequestsSigned="yes""#, &ok_sso),
        ),
        ("no SingleSignOnService", entity(IDP, "", "", "")),
        (
            "only a SOAP SingleSignOnService",
            entity(
                IDP,
                "",
                "",
                &sso(
                    "urn:oasis:names:tc:SAML:2.0:bindings:SOAP",
                    "https://idp.example.com/soap",
                ),
            ),
        ),
        (
            "SSO Location not a URL",
            entity(IDP, "", "", &sso(REDIRECT, "javascript:alert(1)")),
        ),
        (
            "SSO without Location",
            entity(
                IDP,
                "",
                "",
                &format!(r#"<md:SingleSignOnService Binding="{REDIRECT}"/>"#),
            ),
        ),
        (
            "SLO without Binding",
            entity(
                IDP,
                "",
                "",
                &format!(
                    r#"{ok_sso}<md:SingleLogoutService Location="https://idp.example.com/slo"/>"#
                ),
            ),
        ),
        (
            "KeyDescriptor use=\"both\"",
            entity(
                IDP,
                "",
                "",
                &format!("{}{ok_sso}", key("idp-a", Some("both"))),
            ),
        ),
        (
            "17 KeyDescriptors",
            entity(
                IDP,
                "",
                "",
                &format!("{}{ok_sso}", key("idp-a", None).repeat(17)),
            ),
        ),
        (
            "stray element in EntitiesDescriptor",
            entities(&format!("<md:Organization/>{}", idp_with(&["idp-a"]))),
        ),
    ];
    for (name, xml) in cases {
        assert_eq!(
            read(&xml).unwrap_err(),
            ErrorKind::MetadataInvalid,
            "{name}"
        );
    }
    // Sixteen KeyDescriptors are fine.
    let sixteen = entity(
        IDP,
        "",
        "",
        &format!("{}{ok_sso}", key("idp-a", None).repeat(16)),
    );
    assert_eq!(read(&sixteen).unwrap().signing_certificates().len(), 1);
}

#[test]
fn error_metadata_entity_not_found() {
    let xml = entities(&idp_with(&["idp-a"]));
    let reader =
        IdpMetadataReader::new().with_entity_id(EntityId::new("https://x.example").unwrap());
    let err = reader.read(xml.as_bytes(), now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MetadataEntityNotFound);
    assert!(err.detail().contains(IDP), "{}", err.detail());
}

#[test]
fn error_metadata_ambiguous() {
    let second = idp_with(&["idp-b"]).replace(IDP, "https://idp2.example.com");
    // Two IdPs, none named.
    let two = entities(&format!("{}{second}", idp_with(&["idp-a"])));
    assert_eq!(read(&two).unwrap_err(), ErrorKind::MetadataAmbiguous);
    // Either can be named.
    let reader =
        IdpMetadataReader::new().with_entity_id(EntityId::new("https://idp2.example.com").unwrap());
    assert_eq!(
        reader
            .read(two.as_bytes(), now())
            .unwrap()
            .signing_certificates()[0]
            .fingerprint(),
        fp("idp-b")
    );
    // The same entityID twice.
    let twice = entities(&format!("{}{}", idp_with(&["idp-a"]), idp_with(&["idp-b"])));
    let named = IdpMetadataReader::new().with_entity_id(EntityId::new(IDP).unwrap());
    assert_eq!(
        read_err(&named, twice.as_bytes()),
        ErrorKind::MetadataAmbiguous
    );
    // Two SAML 2.0 IdP roles in one entity.
    let role = format!(
        r#"<md:IDPSSODescriptor protocolSupportEnumeration="{SAML2}">{}</md:IDPSSODescriptor>"#,
        sso(POST, "https://idp.example.com/other")
    );
    let two_roles = idp_with(&["idp-a"]).replace(
        "</md:EntityDescriptor>",
        &format!("{role}</md:EntityDescriptor>"),
    );
    assert_eq!(read(&two_roles).unwrap_err(), ErrorKind::MetadataAmbiguous);
}

#[test]
fn error_metadata_no_idp() {
    // WS-Federation only (an Azure document without its SAML role).
    let wsfed = format!(
        r#"<EntityDescriptor xmlns="{MD}" entityID="{TENANT_ID}"><RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706"/></EntityDescriptor>"#
    );
    assert_eq!(read(&wsfed).unwrap_err(), ErrorKind::MetadataNoIdp);
    // SAML 1.1 only.
    let saml11 = idp_with(&["idp-a"]).replace(
        &format!(r#"protocolSupportEnumeration="{SAML2}""#),
        r#"protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol""#,
    );
    assert_eq!(read(&saml11).unwrap_err(), ErrorKind::MetadataNoIdp);
    // An aggregate with no IdP at all.
    let sp_only = entities(&format!(
        r#"<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor protocolSupportEnumeration="{SAML2}"/></md:EntityDescriptor>"#
    ));
    assert_eq!(read(&sp_only).unwrap_err(), ErrorKind::MetadataNoIdp);
    // Our own SP metadata is not IdP metadata.
    let ours = sp_metadata_full().to_xml().unwrap();
    assert_eq!(read(&ours).unwrap_err(), ErrorKind::MetadataNoIdp);
}

#[test]
fn error_metadata_expired() {
    let ok_sso = sso(REDIRECT, "https://idp.example.com/sso");
    let expired = entity(IDP, r#" validUntil="2026-03-01T00:00:00Z""#, "", &ok_sso);
    assert_eq!(read(&expired).unwrap_err(), ErrorKind::MetadataExpired);
    // validUntil exactly now has expired too.
    let at_now = entity(IDP, r#" validUntil="2026-03-02T10:01:00Z""#, "", &ok_sso);
    assert_eq!(read(&at_now).unwrap_err(), ErrorKind::MetadataExpired);
    // On the role, or on an enclosing EntitiesDescriptor.
    let on_role = entity(
        IDP,
        "",
        r#" validUntil="2026-03-02T10:00:59.999Z""#,
        &ok_sso,
    );
    assert_eq!(read(&on_role).unwrap_err(), ErrorKind::MetadataExpired);
    let on_group = format!(
        r#"<md:EntitiesDescriptor xmlns:md="{MD}" validUntil="2025-12-31T23:59:59Z">{}</md:EntitiesDescriptor>"#,
        entity(IDP, r#" validUntil="2030-01-01T00:00:00Z""#, "", &ok_sso)
    );
    assert_eq!(read(&on_group).unwrap_err(), ErrorKind::MetadataExpired);
    // Still valid: surfaced for the caller.
    let valid = entity(
        IDP,
        r#" validUntil="2026-03-02T10:01:01Z" cacheDuration="P1D""#,
        "",
        &ok_sso,
    );
    let idp = read(&valid).unwrap();
    assert_eq!(idp.valid_until(), Some(time("2026-03-02T10:01:01Z")));
    assert_eq!(idp.cache_duration(), Some(Duration::from_secs(86_400)));
}

#[test]
fn error_too_many_certificates() {
    let xml = idp_with(&["idp-a", "idp-b", "idp-c", "sp"]);
    let idp = read(&xml).unwrap();
    assert_eq!(idp.signing_certificates().len(), 4);
    let err = idp.certificate_set(now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyCertificates);
    // The admin is told which ones to choose from.
    for name in ["idp-a", "idp-b", "idp-c", "sp"] {
        assert!(
            err.detail().contains(&fp(name).to_string()),
            "{}",
            err.detail()
        );
    }
    // Three usable plus an expired one is fine.
    let xml = idp_with(&["idp-a", "expired", "idp-b", "idp-c"]);
    let set = read(&xml).unwrap().certificate_set(now()).unwrap();
    assert_eq!(set.set().certificates().len(), 3);
    assert_eq!(set.dropped().len(), 1);
}

#[test]
fn error_no_usable_certificate() {
    // Only an expired one.
    let err = read(&idp_with(&["expired"]))
        .unwrap()
        .certificate_set(now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableCertificate);
    assert!(err.detail().contains(&fp("expired").to_string()));
    // Only a future one.
    let err = read(&idp_with(&["notyet"]))
        .unwrap()
        .certificate_set(now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableCertificate);
    // None listed at all (only an encryption key).
    let enc = entity(
        IDP,
        "",
        "",
        &format!(
            "{}{}",
            key("idp-a", Some("encryption")),
            sso(POST, "https://idp.example.com/sso")
        ),
    );
    let idp = read(&enc).unwrap();
    assert!(idp.signing_certificates().is_empty());
    assert_eq!(
        idp.certificate_set(now()).unwrap_err().kind(),
        ErrorKind::NoUsableCertificate
    );
    // Only keys we cannot use: reported, and still none usable.
    let idp = read(&idp_with(&["ec-p256"])).unwrap();
    let err = idp.certificate_set(now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableCertificate);
    assert!(err.detail().contains("EC"), "{}", err.detail());
}

#[test]
fn error_config_invalid_in_the_sp_metadata_builder() {
    let err = SpMetadata::new(
        EntityId::new("https://sp.example.com").unwrap(),
        EndpointUrl::new("https://sp.example.com/acs").unwrap(),
    )
    .with_authn_requests_signed(true)
    .to_xml()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

// ---------------------------------------------------------------------------
// Certificates: rollover, expiry, keys we cannot use
// ---------------------------------------------------------------------------

#[test]
fn an_expired_certificate_beside_a_current_one_is_dropped_and_reported() {
    let idp = read(&idp_with(&["expired", "idp-a", "notyet"])).unwrap();
    assert_eq!(idp.signing_certificates().len(), 3);
    let set = idp.certificate_set(now()).unwrap();
    let kept: Vec<_> = set
        .set()
        .certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(kept, [fp("idp-a")]);
    let dropped: Vec<_> = set
        .dropped()
        .iter()
        .map(|d| (d.certificate.fingerprint(), d.reason))
        .collect();
    assert_eq!(
        dropped,
        [
            (fp("expired"), DropReason::Expired),
            (fp("notyet"), DropReason::NotYetValid)
        ]
    );
    assert_eq!(DropReason::NotYetValid.as_str(), "not_yet_valid");
    let set = set.into_set();
    assert_eq!(set.usable_at(now()).count(), 1);
}

#[test]
fn the_same_certificate_listed_several_times_counts_once() {
    let idp = read(&idp_with(&["idp-a", "idp-a", "idp-b", "idp-a"])).unwrap();
    let fps: Vec<_> = idp
        .signing_certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(fps, [fp("idp-a"), fp("idp-b")]);
}

#[test]
fn keys_we_cannot_use_are_skipped_and_reported() {
    let ok_sso = sso(REDIRECT, "https://idp.example.com/sso");
    let key_name_only = "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:KeyName>k1</ds:KeyName></ds:KeyInfo></md:KeyDescriptor>";
    let garbage = "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
    let chain = format!(
        "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>",
        b64("idp-b"),
        b64("idp-c")
    );
    let xml = entity(
        IDP,
        "",
        "",
        &format!(
            "{}{}{}{key_name_only}{garbage}{chain}{ok_sso}",
            key("ec-p256", Some("signing")),
            key("weak1024", None),
            key("idp-a", None),
        ),
    );
    let idp = read(&xml).unwrap();
    let fps: Vec<_> = idp
        .signing_certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(fps, [fp("idp-a")]);
    let skipped: Vec<_> = idp.skipped_keys().iter().map(|e| e.kind()).collect();
    assert_eq!(
        skipped,
        [
            ErrorKind::UnsupportedKeyType,
            ErrorKind::KeyTooSmall,
            ErrorKind::CertificateInvalid,
            ErrorKind::CertificateInvalid,
            ErrorKind::CertificateInvalid,
        ]
    );
    assert!(
        idp.skipped_keys()[0]
            .detail()
            .starts_with("signing KeyDescriptor #1:")
    );
    assert!(idp.skipped_keys()[4].detail().contains("several"));
    // A legacy IdP's 1024-bit key, when the caller allows it.
    let legacy = IdpMetadataReader::new()
        .with_certificate_policy(CertificatePolicy::default().with_min_rsa_bits(1024))
        .read(xml.as_bytes(), now())
        .unwrap();
    assert_eq!(legacy.signing_certificates().len(), 2);
}

#[test]
fn the_manual_path_gives_the_same_idp_metadata() {
    let by_hand = IdpMetadata::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new("https://idp.example.com/sso").unwrap(),
        Binding::HttpRedirect,
        SigningCertificate::from_pem(
            &std::fs::read_to_string(fixtures().join("keys/idp-a.crt.pem")).unwrap(),
        )
        .unwrap(),
    );
    assert_eq!(read(&idp_with(&["idp-a"])).unwrap(), by_hand);
    assert_eq!(
        by_hand
            .certificate_set(now())
            .unwrap()
            .set()
            .certificates()
            .len(),
        1
    );
    let post = IdpMetadata::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new("https://idp.example.com/sso").unwrap(),
        Binding::HttpPost,
        cert("idp-a"),
    );
    assert_eq!(post.single_sign_on().redirect(), None);
    assert_eq!(
        post.single_sign_on().post().unwrap().as_str(),
        "https://idp.example.com/sso"
    );
}

// ---------------------------------------------------------------------------
// Hostile documents
// ---------------------------------------------------------------------------

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!("{what}: refused in {took:?}");
    assert!(took < Duration::from_secs(2), "{what} took {took:?}");
    out
}

#[test]
fn ten_thousand_key_descriptors_are_refused_quickly() {
    let ok_sso = sso(REDIRECT, "https://idp.example.com/sso");
    // Short fake certificates: 10,000 KeyDescriptors fit in 2 MiB, and the
    // metadata element budget (5,000) stops the parser.
    let fake = "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>";
    let xml = entity(IDP, "", "", &format!("{}{ok_sso}", fake.repeat(10_000)));
    assert!(xml.len() < 2 * 1024 * 1024, "{} bytes", xml.len());
    let err = timed("10,000 KeyDescriptors (metadata limits)", || {
        IdpMetadata::parse(xml.as_bytes(), now()).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::XmlTooManyElements);
    // Under the general default budget (30,000 elements) the parser stops too.
    let err = timed("10,000 KeyDescriptors (default limits)", || {
        IdpMetadataReader::new()
            .with_limits(Limits::default())
            .read(xml.as_bytes(), now())
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::XmlTooManyElements);
    // 10,000 empty KeyDescriptors fit a generous budget: the per-role cap
    // refuses them before any certificate is parsed.
    let empty = entity(
        IDP,
        "",
        "",
        &format!("{}{ok_sso}", "<md:KeyDescriptor/>".repeat(10_000)),
    );
    let err = timed("10,000 empty KeyDescriptors (default limits)", || {
        IdpMetadataReader::new()
            .with_limits(Limits::default())
            .read(empty.as_bytes(), now())
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::MetadataInvalid);
    assert!(
        err.detail().contains("more than 16 KeyDescriptors"),
        "{}",
        err.detail()
    );
    // With real certificates the document is too large to be read at all.
    let real = entity(
        IDP,
        "",
        "",
        &format!("{}{ok_sso}", key("idp-a", None).repeat(10_000)),
    );
    let err = timed("10,000 real KeyDescriptors", || {
        IdpMetadata::parse(real.as_bytes(), now()).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::InputTooLarge);
}

#[test]
fn a_doctype_is_refused() {
    let xml = format!(
        "<!DOCTYPE md:EntityDescriptor [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>{}",
        idp_with(&["idp-a"])
    );
    let err = timed("DOCTYPE", || {
        IdpMetadata::parse(xml.as_bytes(), now()).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::XmlDoctypeForbidden);
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let inner = format!(
        "<md:Extensions>{}{}</md:Extensions>{}",
        "<x>".repeat(depth),
        "</x>".repeat(depth),
        sso(REDIRECT, "https://idp.example.com/sso")
    );
    let xml = entity(IDP, "", "", &inner);
    let err = timed("100,000 levels", || {
        IdpMetadata::parse(xml.as_bytes(), now()).unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::XmlTooDeep);
    // 40 levels: fine for the general budget, too deep for metadata.
    let inner = format!(
        "<md:Extensions>{}{}</md:Extensions>{}",
        "<x>".repeat(40),
        "</x>".repeat(40),
        sso(REDIRECT, "https://idp.example.com/sso")
    );
    let xml = entity(IDP, "", "", &inner);
    assert_eq!(read(&xml).unwrap_err(), ErrorKind::XmlTooDeep);
    assert!(Document::parse(xml.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn deeply_nested_entities_descriptors_are_refused() {
    let depth = 1_000;
    let xml = format!(
        "{}{}{}",
        format!(r#"<md:EntitiesDescriptor xmlns:md="{MD}">"#).repeat(depth),
        idp_with(&["idp-a"]),
        "</md:EntitiesDescriptor>".repeat(depth)
    );
    assert_eq!(read(&xml).unwrap_err(), ErrorKind::XmlTooDeep);
}

// ---------------------------------------------------------------------------
// SP metadata out
// ---------------------------------------------------------------------------

fn sp_metadata_full() -> SpMetadata {
    SpMetadata::new(
        EntityId::new("https://sso.example.com/saml/acme").unwrap(),
        EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
    )
    .with_signing_certificate(cert("sp"))
    .with_single_logout_service(
        EndpointUrl::new("https://sso.example.com/saml/acme/slo").unwrap(),
        Binding::HttpRedirect,
    )
    .with_name_id_format(NameIdFormat::EmailAddress)
    .with_name_id_format(NameIdFormat::Persistent)
    .with_name_id_format(NameIdFormat::EmailAddress)
    .with_valid_until(time("2027-01-01T00:00:00Z"))
}

#[test]
fn sp_metadata_minimal_is_exactly_this() {
    let xml = SpMetadata::new(
        EntityId::new("https://sso.example.com/saml/acme").unwrap(),
        EndpointUrl::new("https://sso.example.com/saml/acme/acs").unwrap(),
    )
    .to_xml()
    .unwrap();
    assert_eq!(
        xml,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sso.example.com/saml/acme">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sso.example.com/saml/acme/acs" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"#
    );
}

#[test]
fn sp_metadata_reads_back_with_our_parser() {
    let metadata = sp_metadata_full().with_authn_requests_signed(true);
    let xml = metadata.to_xml().unwrap();
    assert_eq!(xml, metadata.to_xml().unwrap(), "deterministic");
    let doc = Document::parse(xml.as_bytes(), &IdpMetadataReader::DEFAULT_LIMITS).unwrap();
    let root = doc.root();
    assert!(root.is(MD, "EntityDescriptor"));
    assert_eq!(
        root.attribute(None, "entityID"),
        Some("https://sso.example.com/saml/acme")
    );
    assert_eq!(
        root.attribute(None, "validUntil"),
        Some("2027-01-01T00:00:00Z")
    );
    let roles: Vec<_> = root.child_elements().collect();
    assert_eq!(roles.len(), 1);
    let sp = roles[0];
    assert!(sp.is(MD, "SPSSODescriptor"));
    assert_eq!(sp.attribute(None, "AuthnRequestsSigned"), Some("true"));
    assert_eq!(sp.attribute(None, "WantAssertionsSigned"), Some("true"));
    assert_eq!(
        sp.attribute(None, "protocolSupportEnumeration"),
        Some(SAML2)
    );
    let children: Vec<&str> = sp.child_elements().map(|e| e.local_name()).collect();
    assert_eq!(
        children,
        [
            "KeyDescriptor",
            "SingleLogoutService",
            "NameIDFormat",
            "NameIDFormat",
            "AssertionConsumerService"
        ],
        "the schema's order"
    );
    let key = sp.child_elements().next().unwrap();
    assert_eq!(key.attribute(None, "use"), Some("signing"));
    let x509 = key
        .descendants()
        .find(|e| e.is(DS, "X509Certificate"))
        .unwrap();
    let published = SigningCertificate::from_base64(&x509.text()).unwrap();
    assert_eq!(published.fingerprint(), fp("sp"));
    let slo = sp.child_elements().nth(1).unwrap();
    assert_eq!(slo.attribute(None, "Binding"), Some(REDIRECT));
    assert_eq!(
        slo.attribute(None, "Location"),
        Some("https://sso.example.com/saml/acme/slo")
    );
    let formats: Vec<String> = sp
        .child_elements()
        .filter(|e| e.is(MD, "NameIDFormat"))
        .map(|e| e.text())
        .collect();
    assert_eq!(
        formats,
        [
            NameIdFormat::EmailAddress.uri(),
            NameIdFormat::Persistent.uri()
        ]
    );
    let acs = sp.child_elements().last().unwrap();
    assert!(acs.is(MD, "AssertionConsumerService"));
    assert_eq!(acs.attribute(None, "Binding"), Some(POST));
    assert_eq!(
        acs.attribute(None, "Location"),
        Some("https://sso.example.com/saml/acme/acs")
    );
    assert_eq!(acs.attribute(None, "index"), Some("0"));
    assert_eq!(acs.attribute(None, "isDefault"), Some("true"));
}

#[test]
fn sp_metadata_escapes_everything() {
    // Entity IDs and URLs may legally hold markup characters.
    let entity_id = r#"urn:x:a&b<c>"d'e"#;
    let acs = r#"https://sp.example.com/acs?a=1&b=<x>&c="y"&d='z'"#;
    let xml = SpMetadata::new(
        EntityId::new(entity_id).unwrap(),
        EndpointUrl::new(acs).unwrap(),
    )
    .with_single_logout_service(EndpointUrl::new(acs).unwrap(), Binding::HttpPost)
    .to_xml()
    .unwrap();
    assert!(!xml.contains("a&b"), "{xml}");
    assert!(
        xml.contains("urn:x:a&amp;b&lt;c&gt;&quot;d&apos;e"),
        "{xml}"
    );
    let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(doc.root().attribute(None, "entityID"), Some(entity_id));
    let locations: Vec<&str> = doc
        .root()
        .descendants()
        .filter_map(|e| e.attribute(None, "Location"))
        .collect();
    assert_eq!(locations, [acs, acs]);
}

// ---------------------------------------------------------------------------
// Real IdP metadata (../shared/fixtures/real)
// ---------------------------------------------------------------------------

fn real_cert(dir: &Path, rel: &str) -> SigningCertificate {
    SigningCertificate::parse(&std::fs::read(dir.join(rel)).unwrap()).unwrap()
}

/// A time inside the certificate's validity.
fn inside(cert: &SigningCertificate) -> DateTime<Utc> {
    cert.not_before() + (cert.not_after() - cert.not_before()) / 2
}

#[test]
fn real_idp_metadata() {
    let Some(dir) = real_recordings_dir("the real IdP metadata") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let rows = manifest.as_array().unwrap();
    // Before every certificate and validUntil in the corpus.
    let early = time("2010-01-01T00:00:00Z");
    let mut checked = 0;
    for row in rows.iter().filter(|r| r["kind"] == "metadata") {
        let file = row["file"].as_str().unwrap();
        let xml = std::fs::read(dir.join(file)).unwrap();
        let idp = IdpMetadata::parse(&xml, early).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let expected_id = row["entity_id"]
            .as_str()
            .or_else(|| row["idp_entity_id"].as_str())
            .unwrap();
        assert_eq!(idp.entity_id().as_str(), expected_id, "{file}");
        let got: Vec<String> = idp
            .signing_certificates()
            .iter()
            .map(|c| c.fingerprint().to_string())
            .collect();
        let mut want: Vec<String> = row["signing_cert_sha256"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(got_sorted, want, "{file}");
        assert!(
            idp.skipped_keys().is_empty(),
            "{file}: {:?}",
            idp.skipped_keys()
        );
        for (field, binding) in [
            ("sso_redirect", Binding::HttpRedirect),
            ("sso_post", Binding::HttpPost),
        ] {
            assert_eq!(
                idp.single_sign_on().get(binding).map(|u| u.as_str()),
                row[field].as_str(),
                "{file} {field}"
            );
        }
        // Every listed certificate is in the set chosen inside its validity.
        for cert in idp.signing_certificates() {
            let at = inside(cert);
            if idp.valid_until().is_some_and(|u| u <= at) {
                continue;
            }
            let set = IdpMetadata::parse(&xml, at)
                .unwrap()
                .certificate_set(at)
                .unwrap();
            assert!(
                set.set().certificates().iter().any(|c| c == cert),
                "{file}: {} not chosen at {at}",
                cert.fingerprint()
            );
        }
        // The metadata's own signature, against the certificate the manifest
        // names as its signer.
        let signed = !row["signed"].as_array().unwrap().is_empty();
        if let Some(signer) = row["certs"]
            .as_array()
            .unwrap()
            .first()
            .and_then(|c| c.as_str())
        {
            if signed {
                let signer = real_cert(&dir, signer);
                let at = inside(&signer);
                let reader = IdpMetadataReader::new()
                    .with_pinned_signer(IdpCertSet::new([signer.clone()], at).unwrap());
                let result = reader.read(&xml, at);
                if row["xmlsec1_verifies"] == true {
                    assert_eq!(
                        result.unwrap().signed_by(),
                        Some(signer.fingerprint()),
                        "{file}"
                    );
                } else {
                    let kind = result.unwrap_err().kind();
                    assert!(
                        matches!(
                            kind,
                            ErrorKind::SignatureInvalid | ErrorKind::DigestMismatch
                        ),
                        "{file}: {kind:?}"
                    );
                }
            }
        }
        println!(
            "{file}: {} ({} signing certificate(s))",
            idp.entity_id(),
            idp.signing_certificates().len()
        );
        checked += 1;
    }
    assert_eq!(checked, 13, "metadata rows in the manifest");

    // Responses recorded from these IdPs verify with the set the metadata
    // gives at the response's time: metadata -> IdpCertSet -> verify.
    let mut verified = 0;
    for row in rows.iter().filter(|r| r["idp_metadata"].is_string()) {
        let file = row["file"].as_str().unwrap();
        let at = time(row["now"].as_str().unwrap());
        let metadata = std::fs::read(dir.join(row["idp_metadata"].as_str().unwrap())).unwrap();
        let set = IdpMetadata::parse(&metadata, at)
            .unwrap()
            .certificate_set(at)
            .unwrap_or_else(|e| panic!("{file}: {e:?}"))
            .into_set();
        let xml = std::fs::read(dir.join(file)).unwrap();
        let doc = match Document::parse(&xml, &Limits::default()) {
            Ok(doc) => doc,
            Err(e) => {
                // Not this test's subject (e.g. OneLogin's duplicate IDs).
                println!("{file}: not parsed: {e:?}");
                continue;
            }
        };
        let policy = SignaturePolicy::default().with_sha1_allowed(true);
        for sig in row["signatures"].as_array().unwrap() {
            let Some(signer) = sig["verified_by"].as_str() else {
                continue;
            };
            if sig["xmlsec1"] != true {
                continue;
            }
            let id = sig["reference"].as_str().unwrap().trim_start_matches('#');
            let element = doc.element_by_id(id).unwrap();
            let ok = verify_enveloped(element, &set, at, &policy)
                .unwrap_or_else(|e| panic!("{file} #{id}: {e:?}"));
            assert_eq!(
                ok.certificate(),
                real_cert(&dir, signer).fingerprint(),
                "{file}"
            );
            verified += 1;
        }
    }
    println!("{verified} response signatures verified with certificate sets from metadata");
    assert!(verified >= 10, "only {verified} signatures");
}

#[test]
fn real_azure_tenant_rotation() {
    let Some(dir) = real_recordings_dir("a real Azure AD tenant's key rotation") else {
        return;
    };
    let old = std::fs::read(dir.join("azure-ad/ckanextadfs-FederationMetadata.old.metadata.xml"))
        .unwrap();
    let new = std::fs::read(dir.join("azure-ad/ckanextadfs-FederationMetadata.new.metadata.xml"))
        .unwrap();
    assert!(old.starts_with(b"\xEF\xBB\xBF") && new.starts_with(b"\xEF\xBB\xBF"));
    let signing1 = real_cert(
        &dir,
        "azure-ad/ckanextadfs-FederationMetadata.signing-1.pem",
    );
    let signing2 = real_cert(
        &dir,
        "azure-ad/ckanextadfs-FederationMetadata.signing-2.pem",
    );

    // Both documents list both certificates...
    for xml in [&old, &new] {
        let idp = IdpMetadata::parse(xml, time("2014-08-13T13:12:30Z")).unwrap();
        assert_eq!(idp.signing_certificates().len(), 2);
        assert_eq!(
            idp.entity_id().as_str(),
            "https://sts.windows.net/03159e92-72c6-4b23-a64a-af50e790adbf/"
        );
    }
    // ... and the set follows the calendar: the new key is not valid yet,
    let at = time("2014-08-13T13:12:30Z");
    let set = IdpMetadata::parse(&old, at)
        .unwrap()
        .certificate_set(at)
        .unwrap();
    assert_eq!(set.set().certificates(), std::slice::from_ref(&signing1));
    assert_eq!(set.dropped()[0].certificate, signing2);
    assert_eq!(set.dropped()[0].reason, DropReason::NotYetValid);
    // then both overlap,
    let at = time("2015-02-18T14:13:10Z");
    let set = IdpMetadata::parse(&new, at)
        .unwrap()
        .certificate_set(at)
        .unwrap();
    assert_eq!(set.set().certificates().len(), 2);
    // then the old one has expired and is dropped.
    let at = time("2016-06-01T00:00:00Z");
    let set = IdpMetadata::parse(&new, at)
        .unwrap()
        .certificate_set(at)
        .unwrap();
    assert_eq!(set.set().certificates(), std::slice::from_ref(&signing2));
    assert_eq!(set.dropped()[0].reason, DropReason::Expired);
    // After both: nothing usable.
    let at = time("2017-01-01T00:00:00Z");
    assert_eq!(
        IdpMetadata::parse(&new, at)
            .unwrap()
            .certificate_set(at)
            .unwrap_err()
            .kind(),
        ErrorKind::NoUsableCertificate
    );

    // The old document is signed by the old key, the new one by the new key.
    let at = time("2015-02-18T14:13:10Z");
    let pin = |c: &SigningCertificate| {
        IdpMetadataReader::new().with_pinned_signer(IdpCertSet::new([c.clone()], at).unwrap())
    };
    assert_eq!(
        pin(&signing1).read(&old, at).unwrap().signed_by(),
        Some(signing1.fingerprint())
    );
    assert_eq!(
        pin(&signing2).read(&new, at).unwrap().signed_by(),
        Some(signing2.fingerprint())
    );
    assert_eq!(
        pin(&signing2).read(&old, at).unwrap_err().kind(),
        ErrorKind::SignatureInvalid
    );
    assert_eq!(
        pin(&signing1).read(&new, at).unwrap_err().kind(),
        ErrorKind::SignatureInvalid
    );
}
