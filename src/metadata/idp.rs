//! Metadata bytes -> [`IdpMetadata`].

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::values;
use super::{Endpoints, IdpMetadata};
use crate::certs::{CertFingerprint, CertificatePolicy, IdpCertSet, SigningCertificate};
use crate::dsig::{has_enveloped_signature, verify_enveloped};
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{EndpointUrl, EntityId};
use crate::limits::Limits;
use crate::ns::{DSIG, SAML_METADATA as MD, SAML_PROTOCOL};
use crate::vocabulary::Binding;
use crate::vocabulary::SignaturePolicy;
use crate::xml::{Document, Element};

fn invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::MetadataInvalid, detail)
}

/// How many entity IDs an error detail lists at most.
const LISTED: usize = 5;

/// Reads IdP metadata: which entity, whether a pinned certificate must have
/// signed it, and the budgets. The defaults read a document that describes
/// exactly one SAML 2.0 IdP and ignore its signature.
///
/// ```
/// use saml_sp::{EntityId, IdpCertSet, SigningCertificate};
/// use saml_sp::metadata::IdpMetadataReader;
/// use saml_sp::time::{Clock, FixedClock};
/// let now = FixedClock::parse("2026-03-02T10:01:00Z").unwrap().now();
/// // The certificate the admin pinned for the metadata's signature.
/// let pem = std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap();
/// let pinned = IdpCertSet::new([SigningCertificate::from_pem(&pem)?], now)?;
///
/// let xml = std::fs::read("fixtures/metadata/azure-app-signed.xml").unwrap();
/// let idp = IdpMetadataReader::new()
///     .with_entity_id(EntityId::new("https://sts.windows.net/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/")?)
///     .with_pinned_signer(pinned.clone())
///     .read(&xml, now)?;
/// assert_eq!(idp.signed_by(), Some(pinned.certificates()[0].fingerprint()));
///
/// // A document signed by anyone else is refused.
/// let other = std::fs::read("fixtures/metadata/azure-app-signed-by-idp-b.xml").unwrap();
/// let err = IdpMetadataReader::new().with_pinned_signer(pinned).read(&other, now).unwrap_err();
/// assert_eq!(err.kind(), saml_sp::ErrorKind::SignatureInvalid);
/// # Ok::<(), saml_sp::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct IdpMetadataReader {
    entity_id: Option<EntityId>,
    pinned: Option<IdpCertSet>,
    signature_policy: SignaturePolicy,
    certificate_policy: CertificatePolicy,
    limits: Limits,
}

impl Default for IdpMetadataReader {
    fn default() -> Self {
        Self::new()
    }
}

impl IdpMetadataReader {
    /// The budget metadata is parsed under unless
    /// [`with_limits`](Self::with_limits) says otherwise: 2 MiB, 32 levels,
    /// 5,000 elements (AD FS metadata, the largest single-IdP document we
    /// know, has about 550; Azure AD's about 120). Aggregates of many
    /// entities need a larger budget.
    pub const DEFAULT_LIMITS: Limits = Limits {
        max_depth: 32,
        max_elements: 5_000,
        ..Limits::DEFAULT
    };

    /// Most `KeyDescriptor`s read in the IdP role; more is refused
    /// ([`ErrorKind::MetadataInvalid`]) before any certificate is parsed.
    pub const MAX_KEY_DESCRIPTORS: usize = 16;

    /// A reader with the defaults.
    pub fn new() -> Self {
        Self {
            entity_id: None,
            pinned: None,
            signature_policy: SignaturePolicy::default(),
            certificate_policy: CertificatePolicy::default(),
            limits: Self::DEFAULT_LIMITS,
        }
    }

    /// Read the entity with this `entityID` (needed when the document
    /// describes several IdPs; checked when it describes one).
    pub fn with_entity_id(mut self, entity_id: EntityId) -> Self {
        self.entity_id = Some(entity_id);
        self
    }

    /// Require a signature over the entity (on its `EntityDescriptor` or an
    /// enclosing `EntitiesDescriptor`) that verifies under one of these
    /// certificates, valid at `now`. Without it the metadata's signature is
    /// not checked at all: an embedded signature proves nothing by itself.
    pub fn with_pinned_signer(mut self, certs: IdpCertSet) -> Self {
        self.pinned = Some(certs);
        self
    }

    /// The signature policy for the pinned-signer check (e.g. allow SHA-1
    /// for an old federation).
    pub fn with_signature_policy(mut self, policy: SignaturePolicy) -> Self {
        self.signature_policy = policy;
        self
    }

    /// The policy for loading the listed certificates (e.g. a legacy IdP's
    /// 1024-bit key).
    pub fn with_certificate_policy(mut self, policy: CertificatePolicy) -> Self {
        self.certificate_policy = policy;
        self
    }

    /// Another parsing budget (e.g. for a large aggregate).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads `xml` at `now`.
    ///
    /// # Errors
    /// - an XML kind or [`ErrorKind::InputTooLarge`] from parsing;
    /// - [`ErrorKind::MetadataInvalid`]: not an `EntityDescriptor` /
    ///   `EntitiesDescriptor`, a missing or malformed `entityID`, endpoint,
    ///   `use`, `validUntil`, `cacheDuration` or `WantAuthnRequestsSigned`,
    ///   no SingleSignOnService with HTTP-Redirect or HTTP-POST, more than
    ///   [`MAX_KEY_DESCRIPTORS`](Self::MAX_KEY_DESCRIPTORS);
    /// - [`ErrorKind::MetadataEntityNotFound`]: no entity has the requested
    ///   entity ID;
    /// - [`ErrorKind::MetadataAmbiguous`]: several IdPs and none requested,
    ///   or the requested entity ID (or its SAML 2.0 IdP role) twice;
    /// - [`ErrorKind::MetadataNoIdp`]: no SAML 2.0 `IDPSSODescriptor`;
    /// - [`ErrorKind::MetadataExpired`]: `validUntil` is not after `now`;
    /// - with a pinned signer, the signature kinds of
    ///   [`verify_enveloped`](crate::dsig::verify_enveloped), and
    ///   [`ErrorKind::SignatureMissing`] for an unsigned document.
    pub fn read(&self, xml: &[u8], now: DateTime<Utc>) -> Result<IdpMetadata> {
        let doc = Document::parse(xml, &self.limits)?;
        let (entity, entity_id, role) = self.select(&doc)?;
        let signed_by = match &self.pinned {
            Some(pinned) => Some(verify_covering(
                entity,
                pinned,
                now,
                &self.signature_policy,
            )?),
            None => None,
        };

        // validUntil and cacheDuration along the path: the role, the entity,
        // the enclosing EntitiesDescriptors.
        let mut valid_until: Option<DateTime<Utc>> = None;
        let mut cache_duration: Option<Duration> = None;
        let mut on_path = Some(role);
        while let Some(el) = on_path {
            if let Some(v) = el.attribute(None, "validUntil") {
                let t = values::date_time("validUntil", v)?;
                valid_until = Some(valid_until.map_or(t, |u| u.min(t)));
            }
            if let Some(v) = el.attribute(None, "cacheDuration") {
                let d = values::duration("cacheDuration", v)?;
                cache_duration = Some(cache_duration.map_or(d, |c| c.min(d)));
            }
            on_path = el.parent();
        }
        if let Some(until) = valid_until {
            if until <= now {
                return Err(Error::new(
                    ErrorKind::MetadataExpired,
                    format!(
                        "the metadata of {entity_id} is valid until {}, and now is {}",
                        until.to_rfc3339(),
                        now.to_rfc3339()
                    ),
                ));
            }
        }

        let mut idp = self.read_role(role, entity_id)?;
        idp.valid_until = valid_until;
        idp.cache_duration = cache_duration;
        idp.signed_by = signed_by;
        Ok(idp)
    }

    /// The entity to read, its entity ID, and its SAML 2.0 IdP role.
    fn select<'d>(&self, doc: &'d Document) -> Result<(Element<'d>, EntityId, Element<'d>)> {
        let root = doc.root();
        let mut entities = Vec::new();
        if root.is(MD, "EntityDescriptor") {
            entities.push(root);
        } else if root.is(MD, "EntitiesDescriptor") {
            let mut stack = vec![root];
            while let Some(group) = stack.pop() {
                let mut nested = Vec::new();
                for child in group.child_elements() {
                    if child.is(MD, "EntityDescriptor") {
                        entities.push(child);
                    } else if child.is(MD, "EntitiesDescriptor") {
                        nested.push(child);
                    } else if !(child.is(DSIG, "Signature") || child.is(MD, "Extensions")) {
                        return Err(invalid(format!(
                            "unexpected {} in EntitiesDescriptor",
                            describe(child)
                        )));
                    }
                }
                // Document order: the first nested group is walked next.
                stack.extend(nested.into_iter().rev());
            }
        } else {
            return Err(invalid(format!(
                "the document element is {}, not md:EntityDescriptor or md:EntitiesDescriptor",
                describe(root)
            )));
        }

        let mut read = Vec::with_capacity(entities.len());
        for entity in entities {
            let id = entity
                .attribute(None, "entityID")
                .ok_or_else(|| invalid("an EntityDescriptor has no entityID"))?;
            read.push((entity, id));
        }
        let listed = |items: &mut dyn Iterator<Item = &str>| {
            let names: Vec<String> = items.take(LISTED).map(|s| format!("{s:?}")).collect();
            names.join(", ")
        };

        let (entity, id) = match &self.entity_id {
            Some(wanted) => {
                let mut matching = read.iter().filter(|(_, id)| *id == wanted.as_str());
                let found = *matching.next().ok_or_else(|| {
                    Error::new(
                        ErrorKind::MetadataEntityNotFound,
                        format!(
                            "no entity {wanted:?} among the {} described (first ones: {})",
                            read.len(),
                            listed(&mut read.iter().map(|(_, id)| *id))
                        ),
                    )
                })?;
                if matching.next().is_some() {
                    return Err(Error::new(
                        ErrorKind::MetadataAmbiguous,
                        format!("entity {wanted:?} is described more than once"),
                    ));
                }
                found
            }
            None => {
                let idps: Vec<&(Element<'d>, &str)> = read
                    .iter()
                    .filter(|(entity, _)| idp_roles(*entity).next().is_some())
                    .collect();
                match idps.as_slice() {
                    [] => {
                        return Err(Error::new(
                            ErrorKind::MetadataNoIdp,
                            format!(
                                "none of the {} entities described has an IDPSSODescriptor \
                                 supporting {SAML_PROTOCOL}",
                                read.len()
                            ),
                        ));
                    }
                    [one] => **one,
                    several => {
                        return Err(Error::new(
                            ErrorKind::MetadataAmbiguous,
                            format!(
                                "the metadata describes {} SAML 2.0 IdPs; choose one by entity ID \
                                 (first ones: {})",
                                several.len(),
                                listed(&mut several.iter().map(|(_, id)| *id))
                            ),
                        ));
                    }
                }
            }
        };

        let mut roles = idp_roles(entity);
        let role = roles.next().ok_or_else(|| {
            Error::new(
                ErrorKind::MetadataNoIdp,
                format!("entity {id:?} has no IDPSSODescriptor supporting {SAML_PROTOCOL}"),
            )
        })?;
        if roles.next().is_some() {
            return Err(Error::new(
                ErrorKind::MetadataAmbiguous,
                format!("entity {id:?} has several SAML 2.0 IDPSSODescriptors"),
            ));
        }
        let entity_id =
            EntityId::new(id).map_err(|e| invalid(format!("entityID: {}", e.detail())))?;
        Ok((entity, entity_id, role))
    }

    /// Reads the fields of the IdP role.
    fn read_role(&self, role: Element<'_>, entity_id: EntityId) -> Result<IdpMetadata> {
        let want_authn_requests_signed = match role.attribute(None, "WantAuthnRequestsSigned") {
            Some(v) => values::boolean("WantAuthnRequestsSigned", v)?,
            None => false,
        };
        let mut key_descriptors = Vec::new();
        let mut single_sign_on = Endpoints::default();
        let mut single_logout = Endpoints::default();
        let mut name_id_formats = Vec::new();
        for child in role.child_elements() {
            if child.namespace() != Some(MD) {
                continue;
            }
            match child.local_name() {
                "KeyDescriptor" => {
                    if key_descriptors.len() == Self::MAX_KEY_DESCRIPTORS {
                        return Err(invalid(format!(
                            "the IDPSSODescriptor of {entity_id} has more than {} KeyDescriptors",
                            Self::MAX_KEY_DESCRIPTORS
                        )));
                    }
                    key_descriptors.push(child);
                }
                "SingleSignOnService" => endpoint(child, &mut single_sign_on)?,
                "SingleLogoutService" => endpoint(child, &mut single_logout)?,
                "NameIDFormat" => name_id_formats.push(child.text().trim().to_owned()),
                _ => {}
            }
        }
        if single_sign_on.is_empty() {
            return Err(invalid(format!(
                "the IDPSSODescriptor of {entity_id} has no SingleSignOnService with the \
                 HTTP-Redirect or HTTP-POST binding"
            )));
        }

        let mut signing_certificates: Vec<SigningCertificate> = Vec::new();
        let mut skipped_keys = Vec::new();
        for (index, key) in key_descriptors.into_iter().enumerate() {
            match key.attribute(None, "use") {
                None | Some("signing") => {}
                Some("encryption") => continue,
                Some(other) => {
                    return Err(invalid(format!(
                        "KeyDescriptor #{} has use={other:?}, not \"signing\" or \"encryption\"",
                        index + 1
                    )));
                }
            }
            match self.certificate(key) {
                Ok(cert) => {
                    if !signing_certificates
                        .iter()
                        .any(|c| c.fingerprint() == cert.fingerprint())
                    {
                        signing_certificates.push(cert);
                    }
                }
                Err(e) => skipped_keys.push(Error::new(
                    e.kind(),
                    format!("signing KeyDescriptor #{}: {}", index + 1, e.detail()),
                )),
            }
        }

        Ok(IdpMetadata {
            entity_id,
            single_sign_on,
            single_logout,
            name_id_formats,
            want_authn_requests_signed,
            signing_certificates,
            skipped_keys,
            valid_until: None,
            cache_duration: None,
            signed_by: None,
        })
    }

    /// The one certificate of a KeyDescriptor
    /// (`ds:KeyInfo/ds:X509Data/ds:X509Certificate`).
    fn certificate(&self, key: Element<'_>) -> Result<SigningCertificate> {
        let mut certs = key
            .child_elements()
            .filter(|e| e.is(DSIG, "KeyInfo"))
            .flat_map(|info| info.child_elements().filter(|e| e.is(DSIG, "X509Data")))
            .flat_map(|data| {
                data.child_elements()
                    .filter(|e| e.is(DSIG, "X509Certificate"))
            });
        let cert = certs.next().ok_or_else(|| {
            Error::new(
                ErrorKind::CertificateInvalid,
                "no ds:KeyInfo/ds:X509Data/ds:X509Certificate",
            )
        })?;
        if certs.next().is_some() {
            return Err(Error::new(
                ErrorKind::CertificateInvalid,
                "several X509Certificates in one KeyDescriptor: list each in its own",
            ));
        }
        SigningCertificate::parse_with_policy(cert.text().as_bytes(), &self.certificate_policy)
    }
}

/// The entity's `IDPSSODescriptor`s supporting the SAML 2.0 protocol.
fn idp_roles<'d>(entity: Element<'d>) -> impl Iterator<Item = Element<'d>> + use<'d> {
    entity.child_elements().filter(|role| {
        role.is(MD, "IDPSSODescriptor")
            && role
                .attribute(None, "protocolSupportEnumeration")
                .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == SAML_PROTOCOL))
    })
}

/// Records an endpoint of a binding we speak, unless one is known already.
fn endpoint(el: Element<'_>, into: &mut Endpoints) -> Result<()> {
    let name = el.local_name();
    let binding = el
        .attribute(None, "Binding")
        .ok_or_else(|| invalid(format!("a {name} has no Binding")))?;
    let location = el
        .attribute(None, "Location")
        .ok_or_else(|| invalid(format!("a {name} has no Location")))?;
    if let Some(binding) = Binding::from_uri(binding) {
        if into.slot(binding).is_none() {
            let url = EndpointUrl::new(location)
                .map_err(|e| invalid(format!("{name} Location: {}", e.detail())))?;
            *into.slot(binding) = Some(url);
            if let Some(response) = el.attribute(None, "ResponseLocation") {
                let url = EndpointUrl::new(response)
                    .map_err(|e| invalid(format!("{name} ResponseLocation: {}", e.detail())))?;
                *into.response_slot(binding) = Some(url);
            }
        }
    }
    Ok(())
}

/// Verifies a signature covering `entity`: its own or an enclosing
/// `EntitiesDescriptor`'s (a signature covers the whole signed subtree).
/// When none verifies, the error of the nearest signature is returned.
fn verify_covering(
    entity: Element<'_>,
    pinned: &IdpCertSet,
    now: DateTime<Utc>,
    policy: &SignaturePolicy,
) -> Result<CertFingerprint> {
    let mut first_error = None;
    let mut current = Some(entity);
    while let Some(el) = current {
        if has_enveloped_signature(el) {
            match verify_enveloped(el, pinned, now, policy) {
                Ok(verified) => return Ok(verified.certificate()),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        current = el.parent();
    }
    Err(first_error.unwrap_or_else(|| {
        Error::new(
            ErrorKind::SignatureMissing,
            "a signed metadata document is required, and neither the EntityDescriptor nor an \
             enclosing EntitiesDescriptor is signed",
        )
    }))
}

/// `{namespace}local` for messages.
fn describe(el: Element<'_>) -> String {
    match el.namespace() {
        Some(ns) => format!("{{{ns}}}{}", el.local_name()),
        None => el.local_name().to_owned(),
    }
}
