//! Team SSO configuration: slugs, URL layouts, roles, email domains, the
//! team's verifier, certificate rotation with real xmlsec1 signatures,
//! expiry notices over time, and (feature `serde`) storage round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use saml_sp::certs::{CertFingerprint, NoticeThreshold};
use saml_sp::metadata::DropReason;
use saml_sp::team::{DueNotice, EmailDomain, NoticeAudience, Role};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::Binding;
use saml_sp::{
    EndpointUrl, EntityId, ErrorKind, IdpMetadata, IdpSettings, RequestId, SpUrlLayout, TeamConfig,
    TeamSlug,
};

mod common;
use common::{cert, fixtures, fresh, now, time};

const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const LOGIN: &str = "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2";
const REQUEST: &str = "id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f";

fn fp(name: &str) -> CertFingerprint {
    cert(name).fingerprint()
}

fn layout() -> SpUrlLayout {
    SpUrlLayout::new("https://sso.example.com").unwrap()
}

/// Team `acme` (the fixtures' SP) trusting `certs` at `at`.
fn team_with(certs: &[&str], at: DateTime<Utc>) -> TeamConfig {
    let idp = IdpSettings::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new(LOGIN).unwrap(),
        Binding::HttpRedirect,
        certs.iter().map(|n| cert(n)),
        at,
    )
    .unwrap();
    TeamConfig::new(TeamSlug::new("acme").unwrap(), &layout(), idp).unwrap()
}

/// Verifies a fixture response with the team's verifier at `at`.
fn verify(team: &TeamConfig, file: &str, at: DateTime<Utc>) -> Result<String, ErrorKind> {
    let xml = std::fs::read(fixtures().join(file)).unwrap();
    team.response_verifier()
        .verify(&xml, &[RequestId::new(REQUEST).unwrap()], at)
        .map(|a| fresh(a).name_id().to_owned())
        .map_err(|e| e.kind())
}

/// Unsigned metadata of `entity_id` listing these signing certificates.
fn metadata(entity_id: &str, certs: &[&str]) -> IdpMetadata {
    let keys: String = certs
        .iter()
        .map(|name| {
            let pem =
                std::fs::read_to_string(fixtures().join(format!("keys/{name}.crt.pem"))).unwrap();
            let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            format!(
                r#"<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
            )
        })
        .collect();
    let xml = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{LOGIN}"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    IdpMetadata::parse(xml.as_bytes(), now()).unwrap()
}

// ---------------------------------------------------------------- values

#[test]
fn team_slugs() {
    for ok in ["acme", "a", "acme-eu-2", "0", &"a".repeat(63)] {
        assert_eq!(TeamSlug::new(ok).unwrap().as_str(), ok);
    }
    for bad in [
        "",
        &"a".repeat(64),
        "Acme",
        "-acme",
        "acme-",
        "ac me",
        "acme_eu",
        "acme/../beta",
        "acmé",
        "acme.eu",
    ] {
        assert_eq!(
            TeamSlug::new(bad).unwrap_err().kind(),
            ErrorKind::TeamSlugInvalid,
            "{bad:?}"
        );
    }
}

#[test]
fn default_layout_gives_herokus_urls() {
    let urls = layout().endpoints(&TeamSlug::new("acme").unwrap()).unwrap();
    assert_eq!(
        urls.entity_id().as_str(),
        "https://sso.example.com/saml/acme"
    );
    assert_eq!(
        urls.sign_on_url().as_str(),
        "https://sso.example.com/saml/acme/init"
    );
    assert_eq!(
        urls.acs_url().as_str(),
        "https://sso.example.com/saml/acme/acs"
    );
    assert_eq!(
        urls.metadata_url().as_str(),
        "https://sso.example.com/saml/acme/metadata"
    );
    // A trailing slash on the base is dropped; a path prefix is kept; http
    // is fine for local development only.
    let prefixed = SpUrlLayout::new("https://example.com/auth/").unwrap();
    assert_eq!(prefixed.base_url(), "https://example.com/auth");
    let local = SpUrlLayout::new("http://localhost:3000").unwrap();
    assert_eq!(
        local
            .endpoints(&TeamSlug::new("acme").unwrap())
            .unwrap()
            .acs_url()
            .as_str(),
        "http://localhost:3000/saml/acme/acs"
    );
}

#[test]
fn bad_layouts_are_refused() {
    for base in [
        "sso.example.com",
        "/saml",
        "ftp://sso.example.com",
        "http://sso.example.com",
        "https://sso.example.com/?x=1",
        "https://sso.example.com/#top",
        "https://sso.example.com/{team}",
        "https://admin@sso.example.com",
        "https:// sso.example.com",
        "",
    ] {
        assert_eq!(
            SpUrlLayout::new(base).unwrap_err().kind(),
            ErrorKind::UrlTemplateInvalid,
            "{base:?}"
        );
    }
    let ok = "/saml/{team}";
    for (e, s, a, m) in [
        ("/saml", "/s/{team}", "/a/{team}", "/m/{team}"),
        ("saml/{team}", "/s/{team}", "/a/{team}", "/m/{team}"),
        (ok, "/s/{team}/{team}", "/a/{team}", "/m/{team}"),
        (ok, "/s/{team}", "/a/{team}?x", "/m/{team}"),
        (ok, "/s/{team}", "/a/{team}", "/m/{team}#x"),
        (ok, "/s/{team}", "/a/{ team }/{team}", "/m/{team}"),
        (ok, "/s/{team}", "/a/ {team}", "/m/{team}"),
        (ok, "/s/{TEAM}", "/a/{team}", "/m/{team}"),
        (ok, "/x/{team}", "/x/{team}", "/m/{team}"),
        (ok, "/s/{team}", "/x/{team}", "/x/{team}"),
        (ok, "/s/../{team}", "/a/{team}", "/m/{team}"),
        (ok, "/s/{team}", "/a//{team}", "/m/{team}"),
        (ok, "/s/{team}", "/a/{team}", "/m/./{team}"),
    ] {
        assert_eq!(
            layout().with_paths(e, s, a, m).unwrap_err().kind(),
            ErrorKind::UrlTemplateInvalid,
            "{e} {s} {a} {m}"
        );
    }
}

#[test]
fn custom_templates_derive_every_url() {
    let layout = SpUrlLayout::new("https://example.com/auth")
        .unwrap()
        .with_paths(
            "/sp/{team}/metadata",
            "/teams/{team}/sso",
            "/sp/acs/{team}",
            "/sp/{team}/metadata",
        );
    // The entity ID may be the metadata URL; the other three must differ.
    let urls = layout
        .unwrap()
        .endpoints(&TeamSlug::new("beta").unwrap())
        .unwrap();
    assert_eq!(
        urls.entity_id().as_str(),
        "https://example.com/auth/sp/beta/metadata"
    );
    assert_eq!(
        urls.sign_on_url().as_str(),
        "https://example.com/auth/teams/beta/sso"
    );
    assert_eq!(
        urls.acs_url().as_str(),
        "https://example.com/auth/sp/acs/beta"
    );
    assert_eq!(
        urls.metadata_url().as_str(),
        "https://example.com/auth/sp/beta/metadata"
    );
}

#[test]
fn roles() {
    assert_eq!(Role::default(), Role::Member);
    for (name, role) in [
        ("admin", Role::Admin),
        ("collaborator", Role::Collaborator),
        ("member", Role::Member),
    ] {
        assert_eq!(Role::parse(name).unwrap(), role);
        assert_eq!(role.as_str(), name);
    }
    let custom = Role::parse("billing_viewer-2").unwrap();
    assert!(matches!(custom, Role::Custom(ref c) if c.as_str() == "billing_viewer-2"));
    for bad in [
        "",
        "Admin",
        "2fa-user",
        "-x",
        "a b",
        "rôle",
        &"r".repeat(65),
    ] {
        assert_eq!(
            Role::parse(bad).unwrap_err().kind(),
            ErrorKind::RoleInvalid,
            "{bad:?}"
        );
    }
}

#[test]
fn email_domains() {
    assert_eq!(
        EmailDomain::new("Acme.Example").unwrap().as_str(),
        "acme.example"
    );
    assert_eq!(
        EmailDomain::new("xn--bcher-kva.example").unwrap().as_str(),
        "xn--bcher-kva.example"
    );
    for bad in [
        "",
        "example",
        ".acme.example",
        "acme.example.",
        "acme..example",
        "-acme.example",
        "acme-.example",
        "ac me.example",
        "acme_eu.example",
        "bücher.example",
        "alice@acme.example",
        "10.0.0.1",
        &format!("{}.example", "a".repeat(64)),
    ] {
        assert_eq!(
            EmailDomain::new(bad).unwrap_err().kind(),
            ErrorKind::EmailDomainInvalid,
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------- config

#[test]
fn a_new_team_has_the_documented_defaults() {
    let team = team_with(&["idp-a"], now());
    assert_eq!(team.slug().as_str(), "acme");
    assert_eq!(team.default_role(), &Role::Member);
    assert!(!team.sso_enforced());
    assert!(!team.require_mfa());
    assert!(team.allowed_email_domains().is_empty());
    assert!(team.email_domain_allowed("anything.example"));
    assert_eq!(team.idp().entity_id().as_str(), IDP);
    assert_eq!(team.idp().sso_binding(), Binding::HttpRedirect);
    assert!(team.due_notices(now()).is_empty());
}

#[test]
fn settings_change() {
    let mut team = team_with(&["idp-a"], now());
    team.set_default_role(Role::parse("viewer").unwrap());
    team.set_sso_enforced(true);
    team.set_require_mfa(true);
    team.set_allowed_email_domains([
        EmailDomain::new("acme.example").unwrap(),
        EmailDomain::new("ACME.example").unwrap(),
        EmailDomain::new("acme.test").unwrap(),
    ]);
    assert_eq!(team.default_role().as_str(), "viewer");
    assert!(team.sso_enforced() && team.require_mfa());
    assert_eq!(team.allowed_email_domains().len(), 2);
    assert!(team.email_domain_allowed("Acme.Example"));
    assert!(!team.email_domain_allowed("eu.acme.example"));
    assert!(!team.email_domain_allowed("acme.example.evil.com"));
}

#[test]
fn idp_from_azure_metadata() {
    let xml = std::fs::read(fixtures().join("metadata/azure-app-signed.xml")).unwrap();
    let (idp, dropped) =
        IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now()).unwrap(), now()).unwrap();
    assert!(dropped.is_empty());
    assert_eq!(idp.entity_id().as_str(), IDP);
    assert_eq!(idp.sso_url().as_str(), LOGIN);
    assert_eq!(idp.sso_binding(), Binding::HttpRedirect);
    let fps: Vec<_> = idp
        .certificates()
        .certificates()
        .iter()
        .map(|c| c.fingerprint())
        .collect();
    assert_eq!(fps, [fp("idp-a"), fp("idp-b")]);
    // POST-only metadata: the POST endpoint is used.
    let (post, _) = IdpSettings::from_metadata(&metadata(IDP, &["idp-a"]), now()).unwrap();
    assert_eq!(post.sso_binding(), Binding::HttpPost);
}

#[test]
fn manual_idp_refuses_bad_certificate_sets() {
    let manual = |certs: &[&str]| {
        IdpSettings::manual(
            EntityId::new(IDP).unwrap(),
            EndpointUrl::new(LOGIN).unwrap(),
            Binding::HttpPost,
            certs.iter().map(|n| cert(n)),
            now(),
        )
        .unwrap_err()
        .kind()
    };
    assert_eq!(manual(&[]), ErrorKind::NoUsableCertificate);
    assert_eq!(manual(&["expired"]), ErrorKind::CertificateExpired);
    assert_eq!(manual(&["idp-a", "idp-a"]), ErrorKind::DuplicateCertificate);
    assert_eq!(
        manual(&["idp-a", "idp-b", "idp-c", "notyet"]),
        ErrorKind::TooManyCertificates
    );
}

#[test]
fn the_teams_verifier_checks_its_own_urls() {
    let acme = team_with(&["idp-a"], now());
    assert_eq!(
        verify(&acme, "dsig/assertion-signed.xml", now()),
        Ok("alice@acme.example".into())
    );
    // The same response, posted to team beta: not its audience or ACS.
    let idp = acme.idp().clone();
    let beta = TeamConfig::new(TeamSlug::new("beta").unwrap(), &layout(), idp).unwrap();
    assert_eq!(
        beta.sp().acs_url().as_str(),
        "https://sso.example.com/saml/beta/acs"
    );
    assert_eq!(
        verify(&beta, "dsig/assertion-signed.xml", now()),
        Err(ErrorKind::DestinationMismatch)
    );
}

// ---------------------------------------------------------------- rotation

#[test]
fn add_up_to_three_and_refuse_the_rest() {
    let mut team = team_with(&["idp-a"], now());
    team.add_certificate(cert("idp-b"), now()).unwrap();
    let before = team.clone();
    assert_eq!(
        team.add_certificate(cert("idp-b"), now())
            .unwrap_err()
            .kind(),
        ErrorKind::DuplicateCertificate
    );
    assert_eq!(
        team.add_certificate(cert("expired"), now())
            .unwrap_err()
            .kind(),
        ErrorKind::CertificateExpired
    );
    assert_eq!(team, before, "unchanged on error");
    team.add_certificate(cert("idp-c"), now()).unwrap();
    assert_eq!(
        team.add_certificate(cert("notyet"), now())
            .unwrap_err()
            .kind(),
        ErrorKind::TooManyCertificates
    );
    assert_eq!(team.certificates().certificates().len(), 3);
}

#[test]
fn remove_refuses_unknown_and_last() {
    let mut team = team_with(&["idp-a", "idp-b"], now());
    assert_eq!(
        team.remove_certificate(fp("idp-c")).unwrap_err().kind(),
        ErrorKind::CertificateNotFound
    );
    assert_eq!(
        team.remove_certificate(fp("idp-a")).unwrap().fingerprint(),
        fp("idp-a")
    );
    assert_eq!(
        team.remove_certificate(fp("idp-b")).unwrap_err().kind(),
        ErrorKind::NoUsableCertificate
    );
}

#[test]
fn zero_downtime_switch_with_real_signatures() {
    // The team trusts idp-a; the IdP announces idp-b.
    let mut team = team_with(&["idp-a"], now());
    assert_eq!(
        verify(&team, "dsig/signed-by-idp-b.xml", now()),
        Err(ErrorKind::SignatureInvalid)
    );
    // The admin adds idp-b: both verify while the IdP switches.
    team.add_certificate(cert("idp-b"), now()).unwrap();
    assert!(verify(&team, "dsig/assertion-signed.xml", now()).is_ok());
    assert!(verify(&team, "dsig/signed-by-idp-b.xml", now()).is_ok());
    // Switch done: the admin removes idp-a, whose signatures stop verifying.
    team.remove_certificate(fp("idp-a")).unwrap();
    assert!(verify(&team, "dsig/signed-by-idp-b.xml", now()).is_ok());
    assert_eq!(
        verify(&team, "dsig/assertion-signed.xml", now()),
        Err(ErrorKind::SignatureInvalid)
    );
}

#[test]
fn replace_from_uploaded_metadata_reports_what_changed() {
    let mut team = team_with(&["idp-a", "idp-b"], now());
    let before = team.clone();
    // Metadata whose only certificate expired: refused, nothing changes.
    assert_eq!(
        team.replace_idp(&metadata(IDP, &["expired"]), now())
            .unwrap_err()
            .kind(),
        ErrorKind::NoUsableCertificate
    );
    assert_eq!(
        team.replace_idp(&metadata(IDP, &["idp-a", "idp-b", "idp-c", "sp"]), now())
            .unwrap_err()
            .kind(),
        ErrorKind::TooManyCertificates
    );
    assert_eq!(team, before);
    // idp-b stays, idp-a goes, idp-c comes; the expired and the not yet
    // valid certificates are dropped with their reason.
    let report = team
        .replace_idp(
            &metadata(IDP, &["expired", "idp-b", "idp-c", "notyet"]),
            now(),
        )
        .unwrap();
    assert_eq!(report.added, [fp("idp-c")]);
    assert_eq!(report.removed, [fp("idp-a")]);
    let dropped: Vec<_> = report
        .dropped
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
    assert_eq!(report.previous_entity_id, None);
    assert_eq!(team.idp().sso_binding(), Binding::HttpPost);
    assert_eq!(
        verify(&team, "dsig/assertion-signed.xml", now()),
        Err(ErrorKind::SignatureInvalid)
    );
    assert!(verify(&team, "dsig/idp-c-3072.xml", now()).is_ok());
    // Another IdP entity ID is reported.
    let report = team
        .replace_idp(&metadata("https://idp.example.org/saml", &["idp-c"]), now())
        .unwrap();
    assert_eq!(report.previous_entity_id.unwrap().as_str(), IDP);
    assert_eq!(
        team.idp().entity_id().as_str(),
        "https://idp.example.org/saml"
    );
}

#[test]
fn replace_certificates_by_hand() {
    let mut team = team_with(&["idp-a"], now());
    assert_eq!(
        team.replace_certificates([cert("expired")], now())
            .unwrap_err()
            .kind(),
        ErrorKind::CertificateExpired
    );
    let report = team
        .replace_certificates([cert("idp-b"), cert("idp-c")], now())
        .unwrap();
    assert_eq!(report.added, [fp("idp-b"), fp("idp-c")]);
    assert_eq!(report.removed, [fp("idp-a")]);
}

// ---------------------------------------------------------------- notices

/// Runs a daily notice job at 09:00 UTC from `from` for `days` days,
/// sending (recording) whatever is due. Returns (day, notice) pairs.
fn daily_job(team: &mut TeamConfig, from: &str, days: i64) -> Vec<(String, DueNotice)> {
    let start = time(&format!("{from}T09:00:00Z"));
    let mut sent = Vec::new();
    for day in 0..days {
        let at = start + chrono::TimeDelta::days(day);
        for notice in team.due_notices(at) {
            team.mark_sent(&notice);
            sent.push((at.format("%Y-%m-%d").to_string(), notice));
        }
        // Running the job twice a day sends nothing more.
        assert!(team.due_notices(at).is_empty());
    }
    sent
}

#[test]
fn three_certificates_one_expiring_notices_once_each_and_no_verification_after() {
    // idp-a (to 2034), idp-b (to 2027-06-01T00:00Z), idp-c (to 2035).
    let mut team = team_with(&["idp-a", "idp-b", "idp-c"], now());
    let sent = daily_job(&mut team, "2027-04-01", 70);
    let summary: Vec<(&str, NoticeThreshold, i64)> = sent
        .iter()
        .map(|(day, n)| (day.as_str(), n.threshold, n.days_left))
        .collect();
    assert_eq!(
        summary,
        [
            ("2027-05-02", NoticeThreshold::ThirtyDays, 29),
            ("2027-05-25", NoticeThreshold::SevenDays, 6),
            ("2027-05-31", NoticeThreshold::OneDay, 0),
        ]
    );
    for (_, n) in &sent {
        assert_eq!(n.team.as_str(), "acme");
        assert_eq!(n.concerns, NoticeAudience::TeamAdmins);
        assert_eq!(n.fingerprint, fp("idp-b"));
        assert_eq!(n.subject, "CN=saml-sp test idp-b");
        assert_eq!(n.not_after, time("2027-06-01T00:00:00Z"));
        assert!(n.passed.is_empty(), "no threshold skipped by a daily job");
    }
    assert_eq!(
        sent[1].1.summary(),
        "Team acme: the IdP signing certificate CN=saml-sp test idp-b (SHA-256 \
         c1a372d4a13a2e93eb2350f6cdb562d26cdc65dd0c1a6368fc38ef842b3c0abc) expires on \
         2027-06-01 00:00 UTC, in 6 days. Add the IdP's new certificate before then."
    );
    // The day before expiry idp-b still verifies; the day after it does not,
    // while idp-a and idp-c still do.
    assert_eq!(
        verify(
            &team,
            "provisioning/rotation-idp-b-2027-05-31.xml",
            time("2027-05-31T10:01:00Z")
        ),
        Ok("alice@acme.example".into())
    );
    let after = time("2027-06-02T10:01:00Z");
    assert_eq!(
        verify(&team, "provisioning/rotation-idp-b-2027-06-02.xml", after),
        Err(ErrorKind::SignatureInvalid)
    );
    assert!(verify(&team, "provisioning/rotation-idp-a-2027-06-02.xml", after).is_ok());
    assert!(verify(&team, "provisioning/rotation-idp-c-2027-06-02.xml", after).is_ok());
    // With only the expired one, verification fails closed.
    let only_b = team_with(&["idp-b"], now());
    assert_eq!(
        verify(&only_b, "provisioning/rotation-idp-b-2027-06-02.xml", after),
        Err(ErrorKind::NoUsableCertificate)
    );
}

#[test]
fn thresholds_are_crossed_at_the_exact_instant() {
    let team = team_with(&["idp-b"], now());
    let due = |at: &str| team.due_notices(time(at)).first().map(|n| n.threshold);
    assert_eq!(due("2027-05-01T23:59:59Z"), None);
    assert_eq!(
        due("2027-05-02T00:00:00Z"),
        Some(NoticeThreshold::ThirtyDays)
    );
    assert_eq!(
        due("2027-05-24T23:59:59Z"),
        Some(NoticeThreshold::ThirtyDays)
    );
    assert_eq!(
        due("2027-05-25T00:00:00Z"),
        Some(NoticeThreshold::SevenDays)
    );
    assert_eq!(due("2027-05-31T00:00:00Z"), Some(NoticeThreshold::OneDay));
    assert_eq!(due("2027-05-31T23:59:59Z"), Some(NoticeThreshold::OneDay));
    assert_eq!(due("2027-06-01T00:00:00Z"), None, "expired: no notice");
}

#[test]
fn a_time_jump_sends_only_the_most_urgent_and_marks_the_rest_passed() {
    let mut team = team_with(&["idp-a", "idp-b"], now());
    // The job did not run until 3 days before expiry.
    let due = team.due_notices(time("2027-05-29T09:00:00Z"));
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].threshold, NoticeThreshold::SevenDays);
    assert_eq!(due[0].passed, [NoticeThreshold::ThirtyDays]);
    // Not marked: returned again (at least once until the app records it).
    assert_eq!(team.due_notices(time("2027-05-29T10:00:00Z")), due);
    team.mark_sent(&due[0]);
    let rest = daily_job(&mut team, "2027-05-29", 5);
    let thresholds: Vec<_> = rest
        .iter()
        .map(|(d, n)| (d.as_str(), n.threshold))
        .collect();
    assert_eq!(thresholds, [("2027-05-31", NoticeThreshold::OneDay)]);
    assert!(rest[0].1.passed.is_empty());
}

#[test]
fn a_certificate_added_late_gets_only_its_most_urgent_notice() {
    let at = time("2027-05-31T12:00:00Z");
    let mut team = team_with(&["idp-a"], at);
    team.add_certificate(cert("idp-b"), at).unwrap();
    let due = team.due_notices(at);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].threshold, NoticeThreshold::OneDay);
    assert_eq!(
        due[0].passed,
        [NoticeThreshold::ThirtyDays, NoticeThreshold::SevenDays]
    );
    assert_eq!(due[0].days_left, 0);
    assert!(due[0].summary().contains("in less than a day"));
    team.mark_sent(&due[0]);
    assert!(team.due_notices(at).is_empty());
}

#[test]
fn removing_or_replacing_a_certificate_drops_its_notice_record() {
    let at = time("2027-05-10T09:00:00Z");
    let mut team = team_with(&["idp-a", "idp-b"], now());
    let due = team.due_notices(at);
    team.mark_sent(&due[0]);
    assert!(team.due_notices(at).is_empty());
    // Removed, then re-added: the record went with it.
    team.remove_certificate(fp("idp-b")).unwrap();
    team.add_certificate(cert("idp-b"), at).unwrap();
    assert_eq!(team.due_notices(at).len(), 1);
    // A notice for a certificate no longer in the set is ignored.
    let stale = team.due_notices(at).remove(0);
    team.remove_certificate(fp("idp-b")).unwrap();
    team.mark_sent(&stale);
    team.add_certificate(cert("idp-b"), at).unwrap();
    assert_eq!(team.due_notices(at).len(), 1);
    // Replacing the set keeps the records of certificates that stay.
    team.mark_sent(&team.due_notices(at)[0]);
    team.replace_certificates([cert("idp-b"), cert("idp-c")], at)
        .unwrap();
    assert!(team.due_notices(at).is_empty());
    team.replace_certificates([cert("idp-c")], at).unwrap();
    team.replace_certificates([cert("idp-b"), cert("idp-c")], at)
        .unwrap();
    assert_eq!(team.due_notices(at).len(), 1);
}

#[test]
fn notices_are_ordered_by_expiry() {
    // idp-b expires 2027-06-01; at 2034-12-10 idp-a has expired and idp-c
    // (2035-01-01) is due; at 2026-03-02 none is.
    let mut team = team_with(&["idp-c", "idp-b", "idp-a"], now());
    assert!(team.due_notices(now()).is_empty());
    let at = time("2027-05-20T00:00:00Z");
    let due = team.due_notices(at);
    assert_eq!(
        due.iter().map(|n| n.fingerprint).collect::<Vec<_>>(),
        [fp("idp-b")]
    );
    team.mark_sent(&due[0]);
    let late = time("2033-12-20T00:00:00Z");
    let due = team.due_notices(late);
    assert_eq!(
        due.iter().map(|n| n.fingerprint).collect::<Vec<_>>(),
        [fp("idp-a")]
    );
}

// ---------------------------------------------------------------- serde

#[cfg(feature = "serde")]
mod storage {
    use super::*;
    use saml_sp::SigningCertificate;
    use serde_json::{Value, json};

    fn configured() -> TeamConfig {
        let mut team = team_with(&["idp-a", "idp-b"], now());
        team.set_default_role(Role::parse("billing-viewer").unwrap());
        team.set_sso_enforced(true);
        team.set_require_mfa(true);
        team.set_allowed_email_domains([EmailDomain::new("acme.example").unwrap()]);
        let due = team.due_notices(time("2027-05-26T00:00:00Z"));
        team.mark_sent(&due[0]);
        team
    }

    fn load(value: Value) -> Result<TeamConfig, String> {
        serde_json::from_value::<TeamConfig>(value).map_err(|e| e.to_string())
    }

    #[test]
    fn team_config_round_trip() {
        let team = configured();
        let json = serde_json::to_value(&team).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["slug"], "acme");
        assert_eq!(
            json["sp"]["acs_url"],
            "https://sso.example.com/saml/acme/acs"
        );
        assert_eq!(json["idp"]["sso_binding"], "http-redirect");
        assert_eq!(json["default_role"], "billing-viewer");
        assert_eq!(json["allowed_email_domains"], json!(["acme.example"]));
        assert_eq!(
            json["notices_sent"],
            json!([{"sha256": fp("idp-b").to_string(), "handled": "7_days"}])
        );
        assert_eq!(
            json["idp"]["certificates"][0]["sha256"],
            fp("idp-a").to_string()
        );
        let back = load(json.clone()).unwrap();
        assert_eq!(back, team);
        assert_eq!(serde_json::to_value(&back).unwrap(), json);
        // The loaded configuration works: it verifies, and remembers the
        // notice already sent (the 7-day one; the 1-day one is still due).
        assert!(verify(&back, "dsig/assertion-signed.xml", now()).is_ok());
        assert!(back.due_notices(time("2027-05-26T00:00:00Z")).is_empty());
        assert_eq!(
            back.due_notices(time("2027-05-31T00:00:00Z"))[0].threshold,
            NoticeThreshold::OneDay
        );
    }

    /// The encryption settings are stored; configurations stored before
    /// they existed load with both off.
    #[test]
    fn encryption_settings_round_trip() {
        let mut team = configured();
        team.set_require_encrypted_assertion(true);
        team.set_allow_tripledes(true);
        let json = serde_json::to_value(&team).unwrap();
        assert_eq!(json["require_encrypted_assertion"], true);
        assert_eq!(json["allow_tripledes"], true);
        let back = load(json.clone()).unwrap();
        assert_eq!(back, team);
        assert!(back.require_encrypted_assertion() && back.allow_tripledes());
        // Now a cleartext assertion is refused for this team.
        assert_eq!(
            verify(&back, "dsig/assertion-signed.xml", now()).unwrap_err(),
            saml_sp::ErrorKind::AssertionNotEncrypted
        );
        let mut old = json;
        let object = old.as_object_mut().unwrap();
        object.remove("require_encrypted_assertion");
        object.remove("allow_tripledes");
        let back = load(old).unwrap();
        assert!(!back.require_encrypted_assertion() && !back.allow_tripledes());
    }

    #[test]
    fn parts_round_trip() {
        let c = cert("idp-c");
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            serde_json::from_str::<SigningCertificate>(&json).unwrap(),
            c
        );
        let f = fp("idp-a");
        assert_eq!(
            serde_json::from_value::<CertFingerprint>(serde_json::to_value(f).unwrap()).unwrap(),
            f
        );
        for t in NoticeThreshold::ALL {
            let v = serde_json::to_value(t).unwrap();
            assert_eq!(v, t.as_str());
            assert_eq!(serde_json::from_value::<NoticeThreshold>(v).unwrap(), t);
        }
        let id = RequestId::new(REQUEST).unwrap();
        assert_eq!(
            serde_json::from_value::<RequestId>(serde_json::to_value(&id).unwrap()).unwrap(),
            id
        );
    }

    /// The stored form with one edit at `pointer`.
    fn edited(pointer: &str, value: Value) -> Value {
        let mut json = serde_json::to_value(configured()).unwrap();
        *json.pointer_mut(pointer).unwrap() = value;
        json
    }

    #[test]
    fn a_tampered_certificate_is_refused() {
        let json = serde_json::to_value(configured()).unwrap();
        let der = json["idp"]["certificates"][0]["der"]
            .as_str()
            .unwrap()
            .to_owned();
        let flip = |i: usize| {
            let mut bytes = der.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            load(edited(
                "/idp/certificates/0/der",
                String::from_utf8(bytes).unwrap().into(),
            ))
        };
        // A changed character inside the RSA modulus: it still parses, but it
        // is not the certificate the record names.
        let err = flip(400).unwrap_err();
        assert!(
            err.starts_with("certificate_invalid: stored certificate has SHA-256"),
            "{err}"
        );
        // Wherever the change is, the load fails.
        for i in (0..der.len() - 4).step_by(7) {
            assert!(flip(i).is_err(), "change at {i} accepted");
        }
        // Truncated: not a certificate at all.
        let err = load(edited("/idp/certificates/0/der", "MIIBIjAN".into())).unwrap_err();
        assert!(err.starts_with("certificate_invalid:"), "{err}");
        // The record's fingerprint swapped for another's.
        let err = load(edited(
            "/idp/certificates/0/sha256",
            fp("idp-c").to_string().into(),
        ))
        .unwrap_err();
        assert!(err.starts_with("certificate_invalid:"), "{err}");
        // A weak key re-checked on load.
        let weak = serde_json::to_value(
            SigningCertificate::parse_with_policy(
                &std::fs::read(fixtures().join("keys/weak1024.crt.pem")).unwrap(),
                &saml_sp::certs::CertificatePolicy::default().with_min_rsa_bits(1024),
            )
            .unwrap(),
        )
        .unwrap();
        let err = load(edited("/idp/certificates/0", weak)).unwrap_err();
        assert!(err.starts_with("key_too_small:"), "{err}");
    }

    #[test]
    fn stored_sets_are_rechecked() {
        let c = |n: &str| serde_json::to_value(cert(n)).unwrap();
        // An EC certificate cannot be loaded; its storage form is written by hand.
        let ec_pem = std::fs::read_to_string(fixtures().join("keys/ec-p256.crt.pem")).unwrap();
        let ec_b64: String = ec_pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let ec_der = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(&ec_b64)
                .unwrap()
        };
        let ec = json!({"sha256": CertFingerprint::of_der(&ec_der).to_string(), "der": ec_b64});
        let cases = [
            (json!([]), "no_usable_certificate:"),
            (json!([c("idp-a"), c("idp-a")]), "duplicate_certificate:"),
            (
                json!([c("idp-a"), c("idp-b"), c("idp-c"), c("notyet")]),
                "too_many_certificates:",
            ),
            (json!([ec]), "unsupported_key_type:"),
        ];
        for (certs, want) in cases {
            let err = load(edited("/idp/certificates", certs)).unwrap_err();
            assert!(err.starts_with(want), "{want} {err}");
        }
    }

    #[test]
    fn every_stored_field_is_revalidated() {
        let cases = [
            ("/slug", json!("Acme"), "team_slug_invalid:"),
            ("/default_role", json!("Super Admin"), "role_invalid:"),
            (
                "/allowed_email_domains",
                json!(["ACME.example"]),
                "email_domain_invalid:",
            ),
            (
                "/allowed_email_domains",
                json!(["acme"]),
                "email_domain_invalid:",
            ),
            (
                "/allowed_email_domains",
                json!(["acme.example", "acme.example"]),
                "config_invalid:",
            ),
            (
                "/sp/acs_url",
                json!("javascript:alert(1)"),
                "config_invalid:",
            ),
            ("/sp/entity_id", json!(""), "config_invalid:"),
            ("/idp/entity_id", json!("has space"), "config_invalid:"),
            ("/idp/sso_url", json!("/relative"), "config_invalid:"),
            ("/version", json!(2), "config_invalid:"),
            (
                "/notices_sent",
                json!([{"sha256": fp("idp-c").to_string(), "handled": "1_day"}]),
                "config_invalid:",
            ),
            (
                "/notices_sent/0/handled",
                json!("2_days"),
                "unknown variant",
            ),
            (
                "/notices_sent/0/sha256",
                json!("not hex"),
                "certificate_invalid:",
            ),
            ("/idp/sso_binding", json!("soap"), "unknown variant"),
        ];
        for (pointer, value, want) in cases {
            let err = load(edited(pointer, value)).unwrap_err();
            assert!(err.contains(want), "{pointer}: want {want}, got {err}");
        }
        // Unknown fields are refused, not ignored.
        let mut json = serde_json::to_value(configured()).unwrap();
        json["idp"]["skip_signature_check"] = json!(true);
        assert!(load(json).unwrap_err().contains("unknown field"));
        let mut json = serde_json::to_value(configured()).unwrap();
        json.as_object_mut().unwrap().remove("require_mfa");
        assert!(load(json).unwrap_err().contains("missing field"));
    }
}
