//! Just-in-time provisioning: every decision branch and every refusal
//! reason, on xmlsec1-signed responses (fixtures/dsig and
//! fixtures/provisioning) verified and replay-checked through the team's own
//! verifier.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use saml_sp::provisioning::{
    FoundBy, KeyLink, KnownAccount, ManagedKind, ProvisioningDecision, RefusalReason,
    SubjectKeySource, asserted_email, asserted_mfa, decide, decide_with, decide_with_async,
    password_sign_in_allowed, subject_key,
};
use saml_sp::store::MemoryReplayCache;
use saml_sp::team::{EmailDomain, Role};
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::Binding;
use saml_sp::{
    EndpointUrl, EntityId, FreshAssertion, IdpMetadata, IdpSettings, RequestId, SigningCertificate,
    SpUrlLayout, TeamConfig, TeamSlug,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T10:01:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

const IDP: &str = "https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/";
const OBJECT_ID: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const PAIRWISE: &str = "kV3q1nZ8y0bW2c4xR6t8uA0sD2fG4hJ6kL8zX0cV2bN";

fn team(slug: &str) -> TeamConfig {
    let cert =
        SigningCertificate::parse(&std::fs::read(fixtures().join("keys/idp-a.crt.pem")).unwrap())
            .unwrap();
    let idp = IdpSettings::manual(
        EntityId::new(IDP).unwrap(),
        EndpointUrl::new(
            "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/saml2",
        )
        .unwrap(),
        Binding::HttpRedirect,
        [cert],
        now(),
    )
    .unwrap();
    let layout = SpUrlLayout::new("https://sso.example.com").unwrap();
    TeamConfig::new(TeamSlug::new(slug).unwrap(), &layout, idp).unwrap()
}

fn acme() -> TeamConfig {
    team("acme")
}

/// A fixture response verified by `team`'s verifier and replay-checked.
fn fresh(file: &str, team: &TeamConfig) -> FreshAssertion {
    let xml = std::fs::read(fixtures().join(file)).unwrap();
    team.response_verifier()
        .verify(
            &xml,
            &[RequestId::new("id4c1b9e0f6a2d4e8b9c7f3a1e5d2b8c6f").unwrap()],
            now(),
        )
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
        .check_replay(&MemoryReplayCache::new(10), now())
        .unwrap()
}

const ALICE: &str = "dsig/assertion-signed.xml";

fn refused(decision: ProvisioningDecision) -> RefusalReason {
    match decision {
        ProvisioningDecision::Refused(r) => r.reason,
        other => panic!("not refused: {other:?}"),
    }
}

// ---------------------------------------------------------------- branches

#[test]
fn first_login_creates_the_account_with_the_default_role() {
    let team = acme();
    let a = fresh(ALICE, &team);
    let key = subject_key(&a, &team).unwrap();
    assert_eq!(key.source(), SubjectKeySource::AzureObjectId);
    assert_eq!(key.value(), OBJECT_ID);
    assert_eq!(key.as_str().len(), 64);
    assert!(key.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    match decide(&a, &team, &KnownAccount::NoAccount) {
        ProvisioningDecision::CreateAccount {
            subject_key,
            email,
            name,
            role,
            email_verification_required,
        } => {
            assert_eq!(subject_key, key);
            assert_eq!(email.as_str(), "alice@acme.example");
            assert_eq!(email.domain(), "acme.example");
            assert_eq!(name.as_deref(), Some("Alice Liddell"));
            assert_eq!(role, Role::Member);
            assert!(email_verification_required);
        }
        other => panic!("{other:?}"),
    }
    // An admin changed the default role.
    let mut team = acme();
    team.set_default_role(Role::Collaborator);
    assert!(matches!(
        decide(&a, &team, &KnownAccount::NoAccount),
        ProvisioningDecision::CreateAccount {
            role: Role::Collaborator,
            ..
        }
    ));
}

#[test]
fn a_member_signs_in_with_the_role_untouched() {
    let mut team = acme();
    team.set_default_role(Role::Collaborator);
    let a = fresh(ALICE, &team);
    for (found_by, link) in [
        (FoundBy::SubjectKey, KeyLink::Linked),
        (FoundBy::Email, KeyLink::ConfirmByEmail),
    ] {
        let known = KnownAccount::MemberOfTeam {
            role: Role::Admin,
            found_by,
        };
        match decide(&a, &team, &known) {
            ProvisioningDecision::SignIn {
                subject_key,
                email,
                role,
                link: got,
            } => {
                assert_eq!(subject_key.value(), OBJECT_ID);
                assert_eq!(email.normalized(), "alice@acme.example");
                assert_eq!(role, Role::Admin, "the member keeps admin");
                assert_eq!(got, link);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn an_account_outside_the_team_is_added_with_the_default_role() {
    let mut team = acme();
    team.set_default_role(Role::parse("viewer").unwrap());
    let a = fresh(ALICE, &team);
    for (found_by, link) in [
        (FoundBy::SubjectKey, KeyLink::Linked),
        (FoundBy::Email, KeyLink::ConfirmByEmail),
    ] {
        match decide(&a, &team, &KnownAccount::AccountOutsideTeam { found_by }) {
            ProvisioningDecision::AddToTeam {
                subject_key,
                email,
                role,
                link: got,
            } => {
                assert_eq!(subject_key.source(), SubjectKeySource::AzureObjectId);
                assert_eq!(email.as_str(), "alice@acme.example");
                assert_eq!(role.as_str(), "viewer");
                assert_eq!(got, link);
            }
            other => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------- refusals

#[test]
fn refused_managed_account() {
    let mut team = acme();
    // Refused as managed even when other checks would also refuse.
    team.set_allowed_email_domains([EmailDomain::new("acme.example").unwrap()]);
    for file in [ALICE, "provisioning/other-domain.xml"] {
        let a = fresh(file, &team);
        for kind in [ManagedKind::BreakGlassAdmin, ManagedKind::Integration] {
            assert_eq!(
                refused(decide(&a, &team, &KnownAccount::ManagedDirectly { kind })),
                RefusalReason::ManagedAccount(kind)
            );
        }
    }
}

#[test]
fn refused_assertion_for_another_team() {
    let acme = acme();
    let a = fresh(ALICE, &acme);
    // Team beta trusts the same IdP, but the assertion was issued to acme.
    let beta = team("beta");
    assert_eq!(
        refused(decide(&a, &beta, &KnownAccount::NoAccount)),
        RefusalReason::AssertionForAnotherTeam
    );
    assert_eq!(
        subject_key(&a, &beta).unwrap_err().reason,
        RefusalReason::AssertionForAnotherTeam
    );
    // Team acme after switching to another IdP.
    let mut switched = acme.clone();
    let xml = std::fs::read(fixtures().join("metadata/aggregate-signed.xml")).unwrap();
    let other = saml_sp::metadata::IdpMetadataReader::new()
        .with_entity_id(EntityId::new("https://idp2.example.org/saml").unwrap())
        .read(&xml, now())
        .unwrap();
    switched.replace_idp(&other, now()).unwrap();
    assert_eq!(
        refused(decide(&a, &switched, &KnownAccount::NoAccount)),
        RefusalReason::AssertionForAnotherTeam
    );
}

#[test]
fn refused_missing_subject_key() {
    let team = acme();
    let a = fresh("provisioning/no-stable-key.xml", &team);
    assert_eq!(
        subject_key(&a, &team).unwrap_err().reason,
        RefusalReason::MissingSubjectKey
    );
    // The email alone is never a key: refused whatever the app found.
    for known in [
        KnownAccount::NoAccount,
        KnownAccount::MemberOfTeam {
            role: Role::Member,
            found_by: FoundBy::Email,
        },
        KnownAccount::AccountOutsideTeam {
            found_by: FoundBy::Email,
        },
    ] {
        assert_eq!(
            refused(decide(&a, &team, &known)),
            RefusalReason::MissingSubjectKey
        );
    }
}

#[test]
fn refused_missing_email() {
    let team = acme();
    let a = fresh("provisioning/no-email.xml", &team);
    assert_eq!(
        asserted_email(&a).unwrap_err().reason,
        RefusalReason::MissingEmail
    );
    assert_eq!(
        refused(decide(&a, &team, &KnownAccount::NoAccount)),
        RefusalReason::MissingEmail
    );
}

#[test]
fn refused_malformed_email() {
    let team = acme();
    let a = fresh("provisioning/malformed-email.xml", &team);
    // The NameID is a valid email, but a malformed claim is refused, not
    // skipped.
    assert_eq!(a.name_id(), "alice@acme.example");
    assert_eq!(
        asserted_email(&a).unwrap_err().reason,
        RefusalReason::MalformedEmail
    );
    assert_eq!(
        refused(decide(&a, &team, &KnownAccount::NoAccount)),
        RefusalReason::MalformedEmail
    );
}

#[test]
fn refused_domain_not_allowed() {
    let mut team = acme();
    let a = fresh("provisioning/other-domain.xml", &team);
    // No allow-list: any domain.
    assert!(matches!(
        decide(&a, &team, &KnownAccount::NoAccount),
        ProvisioningDecision::CreateAccount { ref name, .. } if name.as_deref() == Some("Bob Builder")
    ));
    team.set_allowed_email_domains([EmailDomain::new("acme.example").unwrap()]);
    for known in [
        KnownAccount::NoAccount,
        KnownAccount::MemberOfTeam {
            role: Role::Admin,
            found_by: FoundBy::SubjectKey,
        },
    ] {
        assert_eq!(
            refused(decide(&a, &team, &known)),
            RefusalReason::DomainNotAllowed
        );
    }
    // A subdomain is another domain.
    team.set_allowed_email_domains([EmailDomain::new("eu.contractor.example").unwrap()]);
    assert_eq!(
        refused(decide(&a, &team, &KnownAccount::NoAccount)),
        RefusalReason::DomainNotAllowed
    );
}

#[test]
fn refused_mfa_required() {
    let mut team = acme();
    let a = fresh("provisioning/no-mfa.xml", &team);
    assert!(!asserted_mfa(&a));
    assert!(matches!(
        decide(&a, &team, &KnownAccount::NoAccount),
        ProvisioningDecision::CreateAccount { .. }
    ));
    team.set_require_mfa(true);
    assert_eq!(
        refused(decide(&a, &team, &KnownAccount::NoAccount)),
        RefusalReason::MfaRequired
    );
    // MFA via Azure's claim, or via the REFEDS MFA context class.
    for file in [ALICE, "provisioning/mfa-refeds-context.xml"] {
        let a = fresh(file, &team);
        assert!(asserted_mfa(&a), "{file}");
        assert!(
            matches!(
                decide(&a, &team, &KnownAccount::NoAccount),
                ProvisioningDecision::CreateAccount { .. }
            ),
            "{file}"
        );
    }
}

#[test]
fn refusal_reasons_have_stable_names_and_safe_messages() {
    let reasons = [
        RefusalReason::AssertionForAnotherTeam,
        RefusalReason::ManagedAccount(ManagedKind::BreakGlassAdmin),
        RefusalReason::MissingSubjectKey,
        RefusalReason::MissingEmail,
        RefusalReason::MalformedEmail,
        RefusalReason::DomainNotAllowed,
        RefusalReason::MfaRequired,
    ];
    let names: std::collections::HashSet<_> = reasons.iter().map(|r| r.as_str()).collect();
    assert_eq!(names.len(), reasons.len());
    // Display is the message; the detail (which quotes the assertion) is
    // for logs.
    let team = acme();
    let a = fresh("provisioning/malformed-email.xml", &team);
    let refusal = asserted_email(&a).unwrap_err();
    assert_eq!(refusal.to_string(), RefusalReason::MalformedEmail.message());
    assert!(refusal.detail.contains("alice(at)acme.example"));
    assert!(!refusal.to_string().contains("alice"));
}

// ---------------------------------------------------------------- email, key, name

#[test]
fn email_from_the_name_id_compares_case_insensitively() {
    let mut team = acme();
    team.set_allowed_email_domains([EmailDomain::new("ACME.EXAMPLE").unwrap()]);
    let a = fresh("provisioning/email-nameid-mixed-case.xml", &team);
    let email = asserted_email(&a).unwrap();
    assert_eq!(email.as_str(), "Alice@ACME.example");
    assert_eq!(email.normalized(), "alice@acme.example");
    assert_eq!(email.domain(), "acme.example");
    let from_claim = asserted_email(&fresh(ALICE, &team)).unwrap();
    assert_eq!(email, from_claim);
    assert!(matches!(
        decide(&a, &team, &KnownAccount::NoAccount),
        ProvisioningDecision::CreateAccount { .. }
    ));
}

#[test]
fn the_stable_key() {
    let team = acme();
    // Persistent NameID when there is no objectidentifier.
    let p = fresh("provisioning/persistent-nameid-no-object-id.xml", &team);
    let key = subject_key(&p, &team).unwrap();
    assert_eq!(key.source(), SubjectKeySource::PersistentNameId);
    assert_eq!(key.value(), PAIRWISE);
    // objectidentifier first when both are present; the key does not
    // depend on the NameID or the email.
    let both = fresh("provisioning/no-email.xml", &team);
    assert_eq!(both.name_id(), PAIRWISE);
    let from_oid = subject_key(&both, &team).unwrap();
    assert_eq!(from_oid.source(), SubjectKeySource::AzureObjectId);
    let alice = subject_key(&fresh(ALICE, &team), &team).unwrap();
    assert_eq!(from_oid.as_str(), alice.as_str());
    assert_ne!(key.as_str(), alice.as_str());
    // The stored key is a hash scoped to team and IdP, never the raw value.
    assert!(!alice.as_str().contains(OBJECT_ID));
}

#[test]
fn the_name_falls_back_to_the_display_name() {
    let team = acme();
    let a = fresh("provisioning/display-name-only.xml", &team);
    assert!(matches!(
        decide(&a, &team, &KnownAccount::NoAccount),
        ProvisioningDecision::CreateAccount { ref name, .. } if name.as_deref() == Some("Alice L.")
    ));
}

#[test]
fn password_sign_in_under_enforced_sso() {
    let mut team = acme();
    let member = KnownAccount::MemberOfTeam {
        role: Role::Member,
        found_by: FoundBy::SubjectKey,
    };
    let break_glass = KnownAccount::ManagedDirectly {
        kind: ManagedKind::BreakGlassAdmin,
    };
    assert!(password_sign_in_allowed(&team, &member));
    team.set_sso_enforced(true);
    assert!(!password_sign_in_allowed(&team, &member));
    assert!(password_sign_in_allowed(&team, &break_glass));
    assert!(password_sign_in_allowed(
        &team,
        &KnownAccount::ManagedDirectly {
            kind: ManagedKind::Integration
        }
    ));
}

#[test]
fn metadata_teams_decide_the_same() {
    // A team configured from Azure metadata instead of by hand.
    let xml = std::fs::read(fixtures().join("metadata/azure-app-signed.xml")).unwrap();
    let (idp, _) =
        IdpSettings::from_metadata(&IdpMetadata::parse(&xml, now()).unwrap(), now()).unwrap();
    let layout = SpUrlLayout::new("https://sso.example.com").unwrap();
    let team = TeamConfig::new(TeamSlug::new("acme").unwrap(), &layout, idp).unwrap();
    let a = fresh(ALICE, &team);
    assert_eq!(
        subject_key(&a, &team).unwrap(),
        subject_key(&fresh(ALICE, &acme()), &acme()).unwrap()
    );
}

#[test]
fn decide_with_looks_up_by_key_and_email_then_decides() {
    let team = acme();
    let a = fresh("dsig/assertion-signed.xml", &team);
    let mut asked = None;
    let decision = decide_with(&a, &team, |key, email| {
        asked = Some((key.clone(), email.normalized().to_owned()));
        Ok::<_, String>(KnownAccount::MemberOfTeam {
            role: Role::Admin,
            found_by: FoundBy::SubjectKey,
        })
    })
    .unwrap();
    let (key, email) = asked.unwrap();
    assert_eq!(key, subject_key(&a, &team).unwrap());
    assert_eq!(email, "alice@acme.example");
    assert!(
        matches!(decision, ProvisioningDecision::SignIn { .. }),
        "{decision:?}"
    );
    // The look-up's error is the caller's.
    let err = decide_with(&a, &team, |_, _| Err::<KnownAccount, _>("database down")).unwrap_err();
    assert_eq!(err, "database down");
}

#[test]
fn decide_with_refuses_without_a_look_up_when_it_needs_none() {
    let team = acme();
    let a = fresh("provisioning/no-stable-key.xml", &team);
    let decision = decide_with(&a, &team, |_, _| -> Result<KnownAccount, ()> {
        panic!("no look-up without a stable key")
    })
    .unwrap();
    assert_eq!(refused(decision), RefusalReason::MissingSubjectKey);
}

#[test]
fn decide_with_async_and_refusal_as_error() {
    let mut team = acme();
    team.set_allowed_email_domains([EmailDomain::new("acme.example").unwrap()]);
    let a = fresh("provisioning/other-domain.xml", &team);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let decision = runtime
        .block_on(decide_with_async(&a, &team, |_, _| async {
            Ok::<_, ()>(KnownAccount::NoAccount)
        }))
        .unwrap();
    let ProvisioningDecision::Refused(refusal) = decision else {
        panic!("{decision:?}")
    };
    assert_eq!(refusal.reason, RefusalReason::DomainNotAllowed);
    let as_std: &dyn std::error::Error = &refusal;
    assert_eq!(as_std.to_string(), refusal.reason.message());
    let err: saml_sp::Error = refusal.into();
    assert_eq!(err.kind(), saml_sp::ErrorKind::ProvisioningRefused);
    assert!(err.detail().starts_with("domain_not_allowed: "));
}
