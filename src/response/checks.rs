//! One function per SAML Web Browser SSO rule, in the order they run.

use chrono::{DateTime, TimeDelta, Utc};

use super::hints::{Fact, IdpProduct, hint};
use super::{
    Attributes, CoveredAssertion, MAX_ASSERTION_AGE, NameId, RequiredSignature, ResponseVerifier,
    SignedParts, VerifiedAssertion, is_saml, is_samlp, verify_if_signed,
};
use crate::dsig::element_text;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EntityId, RequestId};
use crate::ns::{SAML_ASSERTION, SAML_PROTOCOL};
use crate::rng::OsRng;
use crate::xml::{Document, Element, trim_xml_whitespace as trim};

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

fn err(kind: ErrorKind, detail: impl Into<String>) -> Error {
    Error::new(kind, detail)
}

fn malformed(detail: impl Into<String>) -> Error {
    err(ErrorKind::ResponseMalformed, detail)
}

/// The child elements `{ns}local` of `el`.
fn children_in<'d, 'n>(
    el: Element<'d>,
    ns: &'n str,
    local: &'n str,
) -> impl Iterator<Item = Element<'d>> + use<'d, 'n> {
    el.child_elements().filter(move |c| c.is(ns, local))
}

/// The child elements `saml:local` of `el`.
fn children<'d, 'n>(
    el: Element<'d>,
    local: &'n str,
) -> impl Iterator<Item = Element<'d>> + use<'d, 'n> {
    children_in(el, SAML_ASSERTION, local)
}

/// At most one child `saml:<local>`.
fn optional_child<'d>(el: Element<'d>, local: &str) -> Result<Option<Element<'d>>> {
    let mut it = children(el, local);
    let first = it.next();
    if it.next().is_some() {
        return Err(malformed(format!(
            "<{}> has several {local}",
            el.local_name()
        )));
    }
    Ok(first)
}

/// An `xs:dateTime` with a time zone (SAML requires UTC).
fn parse_time(el: Element<'_>, attr: &str) -> Result<Option<DateTime<Utc>>> {
    let Some(value) = el.attribute(None, attr) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(trim(value))
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| {
            malformed(format!(
                "<{} {attr}={value:?}> is not a dateTime with a time zone: {e}",
                el.local_name()
            ))
        })
}

fn required_time(el: Element<'_>, attr: &str) -> Result<DateTime<Utc>> {
    parse_time(el, attr)?.ok_or_else(|| malformed(format!("<{}> has no {attr}", el.local_name())))
}

fn check_version_and_id<'d>(el: Element<'d>) -> Result<(&'d str, DateTime<Utc>)> {
    match el.attribute(None, "Version") {
        Some("2.0") => {}
        other => {
            return Err(err(
                ErrorKind::VersionUnsupported,
                format!("<{}> Version {other:?}", el.local_name()),
            ));
        }
    }
    let id = el
        .attribute(None, "ID")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| malformed(format!("<{}> has no ID", el.local_name())))?;
    let issue_instant = required_time(el, "IssueInstant")?;
    Ok((id, issue_instant))
}

/// `Issuer` (if `required` or present) must name the IdP; Format absent or
/// `entity`.
fn check_issuer(el: Element<'_>, idp: &EntityId, required: bool) -> Result<()> {
    let Some(issuer) = optional_child(el, "Issuer")? else {
        if required {
            return Err(err(
                ErrorKind::IssuerMismatch,
                format!("<{}> has no Issuer", el.local_name()),
            ));
        }
        return Ok(());
    };
    if let Some(format) = issuer.attribute(None, "Format") {
        if trim(format) != ENTITY_FORMAT {
            return Err(err(
                ErrorKind::IssuerMismatch,
                format!("Issuer Format {format:?} is not the entity format"),
            ));
        }
    }
    let text = element_text(issuer);
    if trim(&text) != idp.as_str() {
        return Err(err(
            ErrorKind::IssuerMismatch,
            format!("Issuer {text:?}, expected {:?}", idp.as_str()),
        ));
    }
    Ok(())
}

fn check_status(response: Element<'_>, idp: &EntityId) -> Result<()> {
    let status = children_in(response, SAML_PROTOCOL, "Status")
        .next()
        .ok_or_else(|| malformed("Response has no Status"))?;
    let code = children_in(status, SAML_PROTOCOL, "StatusCode")
        .next()
        .ok_or_else(|| malformed("Status has no StatusCode"))?;
    let value = code.attribute(None, "Value").unwrap_or_default();
    if trim(value) == STATUS_SUCCESS {
        return Ok(());
    }
    // The codes, outermost first, and the IdP's message (Azure: AADSTS...).
    let mut codes = vec![value.to_owned()];
    let mut current = code;
    while let Some(inner) = children_in(current, SAML_PROTOCOL, "StatusCode").next() {
        codes.push(
            inner
                .attribute(None, "Value")
                .unwrap_or_default()
                .to_owned(),
        );
        current = inner;
    }
    let message = children_in(status, SAML_PROTOCOL, "StatusMessage")
        .next()
        .map(|m| element_text(m).into_owned())
        .unwrap_or_default();
    let hint = hint(
        ErrorKind::StatusNotSuccess,
        IdpProduct::of(idp.as_str()),
        Fact::StatusMessage(&message),
    );
    Err(err(
        ErrorKind::StatusNotSuccess,
        format!("status {}; message {message:?}", codes.join(" / ")),
    )
    .with_hint(hint))
}

/// A URL mismatch (`kind`: Destination or Recipient), with the proxy hint
/// when the two URLs fit its pattern.
fn url_mismatch(kind: ErrorKind, verifier: &ResponseVerifier, what: &str, theirs: &str) -> Error {
    let ours = verifier.acs_url.as_str();
    let fact = Fact::Url {
        ours,
        theirs: trim(theirs),
    };
    err(kind, format!("{what} {theirs:?}, expected {ours:?}")).with_hint(hint(
        kind,
        IdpProduct::of(verifier.idp_entity_id.as_str()),
        fact,
    ))
}

fn check_destination(
    verifier: &ResponseVerifier,
    response: Element<'_>,
    signed: bool,
) -> Result<()> {
    match response.attribute(None, "Destination") {
        Some(dest) if trim(dest) == verifier.acs_url.as_str() => Ok(()),
        Some(dest) => Err(url_mismatch(
            ErrorKind::DestinationMismatch,
            verifier,
            "Destination",
            dest,
        )),
        None if signed => Err(err(
            ErrorKind::DestinationMismatch,
            "a signed Response must carry a Destination",
        )),
        None => Ok(()),
    }
}

fn check_in_response_to<'d>(
    verifier: &ResponseVerifier,
    response: Element<'d>,
    expected: &[RequestId],
) -> Result<Option<&'d str>> {
    match response.attribute(None, "InResponseTo") {
        Some(irt) if expected.iter().any(|r| r.as_str() == irt) => Ok(Some(irt)),
        Some(irt) if expected.is_empty() => Err(err(
            ErrorKind::InResponseToMismatch,
            format!("InResponseTo {irt:?} but no request is pending"),
        )),
        Some(irt) => Err(err(
            ErrorKind::InResponseToMismatch,
            format!("InResponseTo {irt:?} names no pending request"),
        )),
        None if verifier.allow_unsolicited => Ok(None),
        None => Err(err(
            ErrorKind::UnsolicitedResponse,
            "the Response has no InResponseTo",
        )),
    }
}

/// The one Assertion of a Response: in the clear or encrypted.
enum Found<'d> {
    Plain(Element<'d>),
    Encrypted(Element<'d>),
}

/// Exactly one Assertion or EncryptedAssertion in the whole document, a
/// direct child of the Response.
fn find_assertion<'d>(doc: &'d Document, response: Element<'d>) -> Result<Found<'d>> {
    let mut plain = Vec::new();
    let mut encrypted = Vec::new();
    for el in doc.root().descendants() {
        if el.is(SAML_ASSERTION, "Assertion") {
            plain.push(el);
        } else if el.is(SAML_ASSERTION, "EncryptedAssertion") {
            encrypted.push(el);
        }
    }
    let found = match (plain.as_slice(), encrypted.as_slice()) {
        ([], []) => return Err(err(ErrorKind::AssertionMissing, "no Assertion")),
        ([_, ..], [_, ..]) => {
            return Err(err(
                ErrorKind::AssertionAmbiguous,
                "an Assertion and an EncryptedAssertion",
            ));
        }
        ([one], []) => Found::Plain(*one),
        ([], [one]) => Found::Encrypted(*one),
        (many, []) => {
            return Err(err(
                ErrorKind::AssertionAmbiguous,
                format!("{} Assertion elements", many.len()),
            ));
        }
        ([], many) => {
            return Err(err(
                ErrorKind::AssertionAmbiguous,
                format!("{} EncryptedAssertion elements", many.len()),
            ));
        }
    };
    let (Found::Plain(el) | Found::Encrypted(el)) = found;
    if el.parent() != Some(response) {
        return Err(err(
            ErrorKind::AssertionMissing,
            format!(
                "the only {} is not a child of the Response",
                el.local_name()
            ),
        ));
    }
    Ok(found)
}

/// Every failure between the key unwrap and the decrypted Assertion's
/// signature is one kind (no oracle); the detail keeps the cause for logs.
fn decryption_failed(e: Error) -> Error {
    err(
        ErrorKind::DecryptionFailed,
        format!(
            "the decrypted Assertion's signature: {}: {}",
            e.kind().as_str(),
            e.detail()
        ),
    )
}

/// The document as a whole: Response checks, signatures, then the covered
/// Assertion's checks.
pub(super) fn verify_document(
    verifier: &ResponseVerifier,
    doc: &Document,
    expected: &[RequestId],
    now: DateTime<Utc>,
) -> Result<VerifiedAssertion> {
    let response = doc.root();
    if !is_samlp(response, "Response") {
        return Err(malformed(format!(
            "the document is <{}>, not a SAML 2.0 Response",
            response.local_name()
        )));
    }
    let (response_id, _) = check_version_and_id(response)?;
    let response_sig = verify_if_signed(verifier, response, now)?;
    check_status(response, &verifier.idp_entity_id)?;
    check_destination(verifier, response, response_sig.is_some())?;
    check_issuer(response, &verifier.idp_entity_id, false)?;
    let in_response_to = check_in_response_to(verifier, response, expected)?;

    // An EncryptedAssertion is decrypted only now: after the Response's
    // signature (which covers its ciphertext) has been verified.
    let decrypted: Document;
    let (assertion, encrypted) = match find_assertion(doc, response)? {
        Found::Plain(_) if verifier.require_encryption => {
            return Err(err(
                ErrorKind::AssertionNotEncrypted,
                "the team requires encrypted assertions; this one is in the clear",
            ));
        }
        Found::Plain(assertion) => (assertion, None),
        Found::Encrypted(encrypted) => {
            let decryption = verifier.decryption().ok_or_else(|| {
                err(
                    ErrorKind::EncryptedAssertionUnsupported,
                    "the Response carries an EncryptedAssertion and no decryption key is configured",
                )
            })?;
            decrypted = crate::xmlenc::decrypt_element(
                encrypted,
                &decryption,
                (SAML_ASSERTION, "Assertion"),
                &mut OsRng,
            )?;
            (decrypted.root(), Some(encrypted))
        }
    };
    let assertion_sig = match verify_if_signed(verifier, assertion, now) {
        Ok(sig) => sig,
        Err(e) if encrypted.is_some() => return Err(decryption_failed(e)),
        Err(e) => return Err(e),
    };
    let not_signed = || {
        err(
            ErrorKind::AssertionNotSigned,
            "no valid signature covers the Assertion",
        )
    };
    let (covered, signed, certificate) = match (&response_sig, &assertion_sig) {
        (_, Some(a)) => (
            CoveredAssertion::from_own(a),
            if response_sig.is_some() {
                SignedParts::Both
            } else {
                SignedParts::Assertion
            },
            a.certificate(),
        ),
        (Some(r), None) => (
            match encrypted {
                Some(e) => CoveredAssertion::from_encrypted(r, e, assertion),
                None => CoveredAssertion::from_response(r, assertion),
            }
            .ok_or_else(not_signed)?,
            SignedParts::Response,
            r.certificate(),
        ),
        (None, None) => return Err(not_signed()),
    };
    let required = verifier.required_signature;
    let signing_hint = |kind| {
        hint(
            kind,
            IdpProduct::of(verifier.idp_entity_id.as_str()),
            Fact::Signed { required, signed },
        )
    };
    match (required, signed) {
        (RequiredSignature::Response | RequiredSignature::Both, SignedParts::Assertion) => {
            let kind = ErrorKind::ResponseNotSigned;
            return Err(err(kind, "the Response is not signed").with_hint(signing_hint(kind)));
        }
        (RequiredSignature::Both, SignedParts::Response) => {
            let kind = ErrorKind::AssertionNotSigned;
            return Err(
                err(kind, "the Assertion is not signed itself").with_hint(signing_hint(kind))
            );
        }
        _ => {}
    }

    let mut verified = read_assertion(
        verifier,
        covered,
        response_id,
        in_response_to,
        signed,
        certificate,
        now,
    )?;
    verified.encrypted = encrypted.is_some();
    Ok(verified)
}

/// Every check of the covered Assertion, and the values of the result:
/// nothing here reads outside `covered`.
fn read_assertion(
    verifier: &ResponseVerifier,
    covered: CoveredAssertion<'_>,
    response_id: &str,
    in_response_to: Option<&str>,
    signed: SignedParts,
    certificate: crate::certs::CertFingerprint,
    now: DateTime<Utc>,
) -> Result<VerifiedAssertion> {
    let a = covered.element;
    let (assertion_id, issue_instant) = check_version_and_id(a)?;
    check_issuer(a, &verifier.idp_entity_id, true)?;
    let (name_id, confirmation_expiry) = check_subject(verifier, a, in_response_to, now)?;
    let conditions_expiry = check_conditions(verifier, a, now)?;
    let statement = check_authn_statement(a)?;
    let attributes = read_attributes(verifier, a)?;
    let not_on_or_after = match conditions_expiry {
        Some(c) => c.min(confirmation_expiry),
        None => confirmation_expiry,
    };
    let not_on_or_after = check_age(issue_instant, not_on_or_after, verifier.clock_skew, now)?;
    Ok(VerifiedAssertion {
        issuer: verifier.idp_entity_id.clone(),
        sp_entity_id: verifier.sp_entity_id.clone(),
        assertion_id: assertion_id.to_owned(),
        response_id: response_id.to_owned(),
        in_response_to: in_response_to.map(str::to_owned),
        name_id,
        session_index: statement.session_index,
        session_not_on_or_after: statement.session_not_on_or_after,
        issue_instant,
        authn_instant: statement.authn_instant,
        authn_context_class_ref: statement.class_ref,
        attributes,
        not_on_or_after,
        signed,
        certificate,
        clock_skew: verifier.clock_skew,
        encrypted: false,
    })
}

fn read_name_id(name_id: Element<'_>) -> Result<NameId> {
    NameId::read(name_id, ErrorKind::SubjectInvalid)
}

impl NameId {
    /// A NameID element's value (its whole text, not blank: `blank` when
    /// it is) and its attributes; shared by Responses and LogoutRequests.
    pub(crate) fn read(name_id: Element<'_>, blank: ErrorKind) -> Result<NameId> {
        let value = element_text(name_id);
        if trim(&value).is_empty() {
            return Err(err(blank, "the NameID is empty"));
        }
        let attr = |name: &str| name_id.attribute(None, name).map(str::to_owned);
        Ok(NameId {
            value: value.into_owned(),
            format: attr("Format"),
            name_qualifier: attr("NameQualifier"),
            sp_name_qualifier: attr("SPNameQualifier"),
        })
    }

    /// An `EncryptedID` decrypted into a document whose root is exactly one
    /// `saml:NameID`, read as [`read`](Self::read) reads a cleartext one;
    /// shared by Assertions and LogoutRequests.
    pub(crate) fn decrypt(
        encrypted: Element<'_>,
        decryption: &crate::xmlenc::Decryption<'_>,
        blank: ErrorKind,
    ) -> Result<NameId> {
        let doc = crate::xmlenc::decrypt_element(
            encrypted,
            decryption,
            (SAML_ASSERTION, "NameID"),
            &mut OsRng,
        )?;
        NameId::read(doc.root(), blank)
    }
}

/// Subject: a NameID (in the clear or an EncryptedID), and a bearer confirmation valid for us. Returns the
/// NameID and the confirmation's NotOnOrAfter.
fn check_subject(
    verifier: &ResponseVerifier,
    a: Element<'_>,
    in_response_to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(NameId, DateTime<Utc>)> {
    let subject = optional_child(a, "Subject")?
        .ok_or_else(|| err(ErrorKind::SubjectInvalid, "the Assertion has no Subject"))?;
    let name_id = optional_child(subject, "NameID")
        .map_err(|_| err(ErrorKind::SubjectInvalid, "several NameID"))?;
    let encrypted_id = optional_child(subject, "EncryptedID")
        .map_err(|_| err(ErrorKind::SubjectInvalid, "several EncryptedID"))?;
    let name = match (name_id, encrypted_id) {
        (Some(_), Some(_)) => {
            return Err(err(
                ErrorKind::SubjectInvalid,
                "the Subject has a NameID and an EncryptedID",
            ));
        }
        (Some(name_id), None) => read_name_id(name_id)?,
        (None, Some(encrypted)) => {
            // Covered by the Assertion's verified signature: the
            // ciphertext is the IdP's, so is the NameID it decrypts to.
            let decryption = verifier.decryption().ok_or_else(|| {
                err(
                    ErrorKind::SubjectInvalid,
                    "the Subject has an EncryptedID and no decryption key is configured",
                )
            })?;
            NameId::decrypt(encrypted, &decryption, ErrorKind::SubjectInvalid)?
        }
        (None, None) => {
            return Err(err(ErrorKind::SubjectInvalid, "the Subject has no NameID"));
        }
    };

    // The first bearer confirmation that holds wins; otherwise report why
    // the first one failed.
    let mut first_error = None;
    for confirmation in children(subject, "SubjectConfirmation") {
        if confirmation.attribute(None, "Method").map(trim) != Some(BEARER) {
            continue;
        }
        match check_bearer(verifier, confirmation, in_response_to, now) {
            Ok(expiry) => return Ok((name, expiry)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        err(
            ErrorKind::SubjectConfirmationInvalid,
            "no bearer SubjectConfirmation",
        )
    }))
}

fn check_bearer(
    verifier: &ResponseVerifier,
    confirmation: Element<'_>,
    in_response_to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let data = optional_child(confirmation, "SubjectConfirmationData")?.ok_or_else(|| {
        err(
            ErrorKind::SubjectConfirmationInvalid,
            "bearer SubjectConfirmation without SubjectConfirmationData",
        )
    })?;
    match data.attribute(None, "Recipient") {
        Some(r) if trim(r) == verifier.acs_url.as_str() => {}
        Some(r) => {
            return Err(url_mismatch(
                ErrorKind::RecipientMismatch,
                verifier,
                "Recipient",
                r,
            ));
        }
        other => {
            return Err(err(
                ErrorKind::RecipientMismatch,
                format!(
                    "Recipient {other:?}, expected {:?}",
                    verifier.acs_url.as_str()
                ),
            ));
        }
    }
    if data.attribute(None, "NotBefore").is_some() {
        return Err(err(
            ErrorKind::SubjectConfirmationInvalid,
            "a bearer SubjectConfirmationData must not have NotBefore",
        ));
    }
    let not_on_or_after = parse_time(data, "NotOnOrAfter")?.ok_or_else(|| {
        err(
            ErrorKind::SubjectConfirmationInvalid,
            "bearer SubjectConfirmationData without NotOnOrAfter",
        )
    })?;
    check_not_on_or_after(
        not_on_or_after,
        verifier.clock_skew,
        now,
        "SubjectConfirmationData",
    )?;
    let data_irt = data.attribute(None, "InResponseTo");
    if data_irt != in_response_to {
        return Err(err(
            ErrorKind::InResponseToMismatch,
            format!(
                "SubjectConfirmationData InResponseTo {data_irt:?}, Response InResponseTo {in_response_to:?}"
            ),
        ));
    }
    Ok(not_on_or_after)
}

/// The assertion's age: used within [`MAX_ASSERTION_AGE`] of its
/// IssueInstant whatever its NotOnOrAfter says, and issued no more than
/// that far in the future (IdPs tolerate SP clocks behind theirs: Azure AD
/// puts NotBefore five minutes before IssueInstant, so the future bound is
/// not the clock skew). Returns the validity end the rest of the crate uses
/// (the replay entry lives until then plus the skew): the earlier of the
/// two, so that no IdP, not even a team's own, can make an entry of the
/// shared replay cache outlive two hours.
fn check_age(
    issue_instant: DateTime<Utc>,
    not_on_or_after: DateTime<Utc>,
    skew: TimeDelta,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    if issue_instant > now + MAX_ASSERTION_AGE {
        return Err(err(
            ErrorKind::AssertionNotYetValid,
            format!(
                "the Assertion's IssueInstant {} is more than {}s after {now}",
                issue_instant.to_rfc3339(),
                MAX_ASSERTION_AGE.num_seconds()
            ),
        ));
    }
    let aged_out = issue_instant + MAX_ASSERTION_AGE;
    check_not_on_or_after(aged_out, skew, now, "IssueInstant + MAX_ASSERTION_AGE:")?;
    Ok(not_on_or_after.min(aged_out))
}

fn check_not_on_or_after(
    limit: DateTime<Utc>,
    skew: TimeDelta,
    now: DateTime<Utc>,
    what: &str,
) -> Result<()> {
    if now >= limit + skew {
        return Err(err(
            ErrorKind::AssertionExpired,
            format!(
                "{what} NotOnOrAfter {} is past at {now} (skew {}s)",
                limit.to_rfc3339(),
                skew.num_seconds()
            ),
        ));
    }
    Ok(())
}

/// Conditions: the validity window and our audience. Returns its
/// NotOnOrAfter.
fn check_conditions(
    verifier: &ResponseVerifier,
    a: Element<'_>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let Some(conditions) = optional_child(a, "Conditions")? else {
        return Err(err(
            ErrorKind::AudienceMismatch,
            "the Assertion has no Conditions, so no AudienceRestriction",
        ));
    };
    if let Some(not_before) = parse_time(conditions, "NotBefore")? {
        if now + verifier.clock_skew < not_before {
            return Err(err(
                ErrorKind::AssertionNotYetValid,
                format!(
                    "Conditions NotBefore {} is after {now}",
                    not_before.to_rfc3339()
                ),
            ));
        }
    }
    let not_on_or_after = parse_time(conditions, "NotOnOrAfter")?;
    if let Some(limit) = not_on_or_after {
        check_not_on_or_after(limit, verifier.clock_skew, now, "Conditions")?;
    }
    // SAML core 2.5.1: an unknown condition makes the assertion
    // Indeterminate. OneTimeUse is enforced by the replay cache anyway;
    // ProxyRestriction only limits what we may issue further.
    for condition in conditions.child_elements() {
        let known = ["AudienceRestriction", "OneTimeUse", "ProxyRestriction"]
            .iter()
            .any(|name| is_saml(condition, name));
        if !known {
            return Err(err(
                ErrorKind::ConditionUnsupported,
                format!("unknown condition <{}>", condition.local_name()),
            ));
        }
    }
    let mut restrictions = 0;
    for restriction in children(conditions, "AudienceRestriction") {
        restrictions += 1;
        let ours = children(restriction, "Audience")
            .any(|audience| trim(&element_text(audience)) == verifier.sp_entity_id.as_str());
        if !ours {
            return Err(err(
                ErrorKind::AudienceMismatch,
                format!(
                    "an AudienceRestriction does not name {:?}",
                    verifier.sp_entity_id.as_str()
                ),
            ));
        }
    }
    if restrictions == 0 {
        return Err(err(ErrorKind::AudienceMismatch, "no AudienceRestriction"));
    }
    Ok(not_on_or_after)
}

struct Statement {
    authn_instant: DateTime<Utc>,
    session_index: Option<String>,
    session_not_on_or_after: Option<DateTime<Utc>>,
    class_ref: Option<String>,
}

fn check_authn_statement(a: Element<'_>) -> Result<Statement> {
    let statement = children(a, "AuthnStatement")
        .next()
        .ok_or_else(|| err(ErrorKind::AuthnStatementMissing, "no AuthnStatement"))?;
    let class_ref = children(statement, "AuthnContext")
        .next()
        .and_then(|ctx| children(ctx, "AuthnContextClassRef").next())
        .map(|c| trim(&element_text(c)).to_owned());
    Ok(Statement {
        authn_instant: required_time(statement, "AuthnInstant")?,
        session_index: statement.attribute(None, "SessionIndex").map(str::to_owned),
        session_not_on_or_after: parse_time(statement, "SessionNotOnOrAfter")?,
        class_ref,
    })
}

/// Every Attribute, in document order; an EncryptedAttribute is decrypted
/// in its place when the verifier has decryption keys (and skipped, as
/// before decryption existed, when it has none).
fn read_attributes(verifier: &ResponseVerifier, a: Element<'_>) -> Result<Attributes> {
    let mut out = Attributes::default();
    let decryption = verifier.decryption();
    for statement in children(a, "AttributeStatement") {
        for child in statement.child_elements() {
            if is_saml(child, "Attribute") {
                push_attribute(&mut out, child);
            } else if let (true, Some(decryption)) =
                (is_saml(child, "EncryptedAttribute"), decryption.as_ref())
            {
                let doc = crate::xmlenc::decrypt_element(
                    child,
                    decryption,
                    (SAML_ASSERTION, "Attribute"),
                    &mut OsRng,
                )?;
                push_attribute(&mut out, doc.root());
            }
        }
    }
    Ok(out)
}

fn push_attribute(out: &mut Attributes, attribute: Element<'_>) {
    out.push_attribute(
        attribute.attribute(None, "Name").unwrap_or_default(),
        attribute.attribute(None, "FriendlyName"),
        attribute.attribute(None, "NameFormat"),
    );
    // `attribute` is saml:Attribute: its namespace id stands for SAML's,
    // without comparing the namespace name per value.
    for value in attribute.child_elements() {
        if value.has_local_name("AttributeValue") && value.same_namespace(&attribute) {
            out.push_value(&element_text(value));
        }
    }
}
