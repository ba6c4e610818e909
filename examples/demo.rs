//! The saml-sp demo: one team turns on SSO with an Azure AD-shaped IdP and
//! Alice signs in, end to end, on bundled fixtures.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! The IdP metadata (`fixtures/metadata/azure-app-signed.xml`) and the SAML
//! Response (`fixtures/dsig/assertion-signed.xml`) were signed by xmlsec1,
//! an implementation independent of ours, with test keys
//! (`fixtures/*/generate.py`). Every step takes the time as a value: the
//! demo runs at the response's own time, 2026-03-02T10:01:00Z.
//!
//! It shows the pieces one by one. An app does steps 3 and 4 in two calls
//! of the login facade, `TeamConfig::start_login` and
//! `TeamConfig::finish_login` (README "Quick start", `saml_sp::manual::login`,
//! `examples/web_app`), and Single Logout with `handle_logout_request`.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use saml_sp::provisioning::{KnownAccount, ManagedKind, ProvisioningDecision, decide};
use saml_sp::response::AzureGroups;
use saml_sp::store::MemoryReplayCache;
use saml_sp::time::{Clock, DateTime, FixedClock, Utc};
use saml_sp::{IdpMetadata, IdpSettings, SpUrlLayout, TeamConfig, TeamSlug};

fn main() -> Result<(), saml_sp::Error> {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |path: &str| std::fs::read(format!("{root}/{path}")).expect(path);
    let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
    let day = |s: &str| FixedClock::parse(s).unwrap().now();

    println!("1. Team 'acme' turns on SSO: an admin uploads the IdP's federation metadata");
    let metadata = IdpMetadata::parse(&read("fixtures/metadata/azure-app-signed.xml"), now)?;
    let (idp, dropped) = IdpSettings::from_metadata(&metadata, now)?;
    let layout = SpUrlLayout::new("https://sso.example.com")?;
    let mut team = TeamConfig::new(TeamSlug::new("acme")?, &layout, idp)?;
    println!("   IdP        {}", team.idp().entity_id());
    println!(
        "   sign-on at {} ({:?})",
        team.idp().sso_url(),
        team.idp().sso_binding()
    );
    println!(
        "   the admin enters at the IdP: entity ID {}, ACS {}",
        team.sp().entity_id(),
        team.sp().acs_url()
    );
    println!("   new users get role '{}'", team.default_role().as_str());

    println!("\n2. Its signing certificates (up to three; any one that is valid verifies)");
    for cert in team.certificates().certificates() {
        println!(
            "   {}  valid until {}  sha256 {}…",
            cert.subject(),
            cert.not_after().format("%Y-%m-%d"),
            &cert.fingerprint().to_string()[..16]
        );
    }
    println!("   dropped from the metadata: {}", dropped.len());
    println!(
        "   expiry notices due today: {}",
        team.due_notices(now).len()
    );
    println!("   a daily job later on sends each notice once, to the team's admins:");
    for date in [
        "2027-05-01T09:00:00Z",
        "2027-05-02T09:00:00Z",
        "2027-05-03T09:00:00Z",
        "2027-05-25T09:00:00Z",
        "2027-05-31T09:00:00Z",
    ] {
        for notice in team.due_notices(day(date)) {
            println!(
                "   {}  {}-day notice to {}: {} expires {}",
                &date[..10],
                notice.threshold.days(),
                notice.concerns.as_str(),
                notice.subject,
                notice.not_after.format("%Y-%m-%d %H:%M UTC")
            );
            team.mark_sent(&notice);
        }
    }

    println!("\n3. Alice opens the team's sign-on URL: we send her to the IdP");
    // The response below was recorded for a request made at its time; the
    // demo replays that request's random bytes so the IDs match. A real app
    // passes saml_sp::OsRng.
    let mut rng = Recorded::new("4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f");
    let (redirect, request_id) =
        team.authn_request()
            .redirect(Some("/dashboard"), &mut rng, now)?;
    let url = redirect.url();
    println!("   303 -> {}…", &url[..url.len().min(96)]);
    println!(
        "   request ID to remember for this browser: {}",
        request_id.as_str()
    );

    println!("\n4. The IdP posts a SAML Response to our ACS URL: verify, then one-time use");
    let posted = read("fixtures/dsig/assertion-signed.xml");
    let verifier = team.response_verifier();
    let started = Instant::now();
    let assertion = verifier.verify(&posted, std::slice::from_ref(&request_id), now)?;
    // The claims come only with the one-time-use check.
    let cache = MemoryReplayCache::new(10_000);
    let fresh = assertion.check_replay(&cache, now)?;
    println!(
        "   verified in {:?}{}: signed {}, by certificate {}…",
        started.elapsed(),
        if cfg!(debug_assertions) {
            " (debug build; --release is ~10x faster)"
        } else {
            ""
        },
        fresh.signed().as_str(),
        &fresh.certificate().to_string()[..16]
    );
    let azure = fresh.azure();
    println!(
        "   {} ({}), groups {}, MFA {}",
        azure.email().unwrap_or("-"),
        azure.display_name().unwrap_or("-"),
        match azure.groups() {
            AzureGroups::Listed(groups) => groups.len().to_string(),
            AzureGroups::Overage { .. } => "too many: ask Microsoft Graph".to_owned(),
            _ => "not sent".to_owned(),
        },
        azure.mfa()
    );
    println!("   first use: accepted");
    let again = verifier.verify(&posted, std::slice::from_ref(&request_id), now)?;
    let err = again.check_replay(&cache, now).unwrap_err();
    println!("   replay refused: {} ({err})", err.kind().as_str());

    println!("\n5. Just-in-time provisioning decides what the app does");
    match decide(&fresh, &team, &KnownAccount::NoAccount) {
        ProvisioningDecision::CreateAccount {
            email,
            name,
            role,
            email_verification_required,
            subject_key,
        } => {
            println!(
                "   first login: create {} ({}) with role '{}', email verification required: {}",
                email.as_str(),
                name.as_deref().unwrap_or("-"),
                role.as_str(),
                email_verification_required
            );
            println!(
                "   stable key ({}): {}…",
                subject_key.source().as_str(),
                &subject_key.as_str()[..16]
            );
        }
        other => println!("   unexpected: {other:?}"),
    }
    let managed = KnownAccount::ManagedDirectly {
        kind: ManagedKind::BreakGlassAdmin,
    };
    if let ProvisioningDecision::Refused(refusal) = decide(&fresh, &team, &managed) {
        println!(
            "   the team's break-glass admin: refused ({}): {}",
            refusal.reason.as_str(),
            refusal.reason.message()
        );
    }

    println!(
        "\n6. Forgeries are refused with a precise kind (for logs; users see \"sign-in failed\")"
    );
    for (file, what) in [
        (
            "fixtures/dsig/tampered-nameid.xml",
            "NameID edited after signing",
        ),
        (
            "fixtures/dsig/attacker-keyinfo.xml",
            "signed by an attacker key in KeyInfo",
        ),
        ("fixtures/dsig/unsigned.xml", "signature stripped"),
    ] {
        let err = verifier
            .verify(&read(file), std::slice::from_ref(&request_id), now)
            .unwrap_err();
        println!("   {what:38} -> {}", err.kind().as_str());
    }
    let late: DateTime<Utc> = now + chrono::TimeDelta::hours(2);
    let err = verifier
        .verify(&posted, std::slice::from_ref(&request_id), late)
        .unwrap_err();
    println!(
        "   {:38} -> {}",
        "the same response two hours later",
        err.kind().as_str()
    );

    println!("\n7. Single Logout: Alice signs out at Azure, which tells every app she used");
    use saml_sp::logout::{LogoutInput, LogoutStatus};
    use saml_sp::store::{MemorySessionRegistry, SessionRegistry, ready};
    let sessions = MemorySessionRegistry::new(10_000);
    let key = team.session_key(fresh.name_id_details())?;
    let until = now + chrono::TimeDelta::hours(8);
    ready(sessions.register(&key, fresh.session_index(), "app-session-7f3a", until, now))?;
    println!(
        "   at sign-in the app registered its session under SessionIndex {}",
        fresh.session_index().unwrap_or("-")
    );
    let url = String::from_utf8(read("fixtures/logout/lr-redirect-valid-relaystate.url")).unwrap();
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let logout_verifier = team.logout_verifier()?;
    let request = logout_verifier
        .verify_request(LogoutInput::Redirect(query), now)?
        .check_replay(&cache, now)?;
    let ended = ready(sessions.end(&key, request.session_indexes(), now))?;
    println!(
        "   LogoutRequest for {} verified (query signature, as received): end {ended:?}",
        request.name_id().value
    );
    let answer = team
        .logout_response()
        .redirect(&request, LogoutStatus::Success, &mut rng, now)?;
    println!("   303 -> {}…", &answer.url()[..answer.url().len().min(96)]);
    let again = logout_verifier.verify_request(LogoutInput::Redirect(query), now)?;
    let err = again.check_replay(&cache, now).unwrap_err();
    println!("   the same LogoutRequest again: {}", err.kind().as_str());
    let forged = read("fixtures/logout/samlify-ghsa-63ch-captured-assertion.xml");
    let err = logout_verifier
        .verify_request(
            LogoutInput::Post {
                value: &forged,
                relay_state: None,
            },
            now,
        )
        .unwrap_err();
    println!(
        "   samlify's logout bypass (a captured signed Assertion inside): {}",
        err.kind().as_str()
    );
    Ok(())
}

/// Replays recorded random bytes (demo only: a real app uses `OsRng`).
struct Recorded(Vec<u8>, usize);

impl Recorded {
    fn new(hex: &str) -> Self {
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap(), 16).unwrap())
            .collect();
        Self(bytes, 0)
    }
}

impl saml_sp::Csprng for Recorded {
    fn fill_random(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.0.get(self.1 % self.0.len()).copied().unwrap_or(0);
            self.1 += 1;
        }
    }
}
