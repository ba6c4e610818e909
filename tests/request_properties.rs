//! Property tests of the request encoders and decoders: whatever the
//! values, encode -> decode gives them back, the HTML and XML escaping
//! leaves no markup, and the Redirect decoder never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::verify_query;

use proptest::prelude::*;
use saml_sp::binding::RedirectMessage;
use saml_sp::request::DecodedAuthnRequest;
use saml_sp::time::{DateTime, Utc};
use saml_sp::vocabulary::{Binding, SignaturePolicy};
use saml_sp::{
    AuthnRequestBuilder, EndpointUrl, EntityId, ErrorKind, IdpMetadata, Limits, OsRng,
    SigningCertificate, SpSigningKey,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T10:01:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn idp(binding: Binding) -> IdpMetadata {
    IdpMetadata::manual(
        EntityId::new("https://idp.example.com/").unwrap(),
        EndpointUrl::new("https://idp.example.com/sso").unwrap(),
        binding,
        SigningCertificate::from_pem(
            &std::fs::read_to_string("fixtures/keys/idp-a.crt.pem").unwrap(),
        )
        .unwrap(),
    )
}

/// Text XML can carry (no C0 controls but tab/LF/CR, no U+FFFE/U+FFFF).
fn xml_text() -> impl Strategy<Value = String> {
    "[\\t\\n\\r\\u{20}-\\u{D7FF}\\u{E000}-\\u{FFFD}\\u{10000}-\\u{10FFFF}]{1,40}"
        .prop_filter("not only whitespace", |s| !s.trim().is_empty())
}

/// A RelayState of at most 80 bytes, any characters.
fn relay_state() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| {
        let mut out = String::new();
        for c in s.chars() {
            if out.len() + c.len_utf8() > 80 {
                break;
            }
            out.push(c);
        }
        out
    })
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#x9;", "\t")
        .replace("&#xA;", "\n")
        .replace("&#xD;", "\r")
        .replace("&amp;", "&")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Redirect: the RelayState, the Subject hint and a URL path survive
    /// deflate, base64 and percent-encoding, and the XML escaping.
    #[test]
    fn redirect_round_trip(
        rs in relay_state(),
        hint in xml_text(),
        path in "[a-zA-Z0-9&<>\"'%+=?;:@!$()*,~._-]{0,30}",
    ) {
        let idp = idp(Binding::HttpRedirect);
        let acs = format!("https://sp.example.com/{path}");
        let builder = AuthnRequestBuilder::new(
            EntityId::new("https://sp.example.com/").unwrap(),
            EndpointUrl::new(acs.clone()).unwrap(),
            &idp,
        )
        .subject_name_id(hint.clone(), None);
        let (redirect, id) = builder.redirect(Some(&rs), &mut OsRng, now()).unwrap();
        let msg = RedirectMessage::from_url(redirect.url(), &Limits::default()).unwrap();
        prop_assert_eq!(msg.relay_state(), Some(rs.as_str()));
        prop_assert_eq!(msg.xml(), redirect.xml().as_bytes());
        let request = DecodedAuthnRequest::parse(msg.xml(), &Limits::default()).unwrap();
        prop_assert_eq!(request.id(), id.as_str());
        prop_assert_eq!(request.assertion_consumer_service_url(), Some(acs.as_str()));
        prop_assert_eq!(request.subject_name_id(), Some((hint.as_str(), None)));
        // The URL is plain ASCII without spaces or quotes.
        prop_assert!(redirect.url().bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\''));
    }

    /// POST: the HTML has exactly our markup, and the escaped values read
    /// back as given.
    #[test]
    fn post_html_escaping(rs in relay_state(), nonce in "[A-Za-z0-9+/=_-]{1,64}") {
        let idp = idp(Binding::HttpPost);
        let builder = AuthnRequestBuilder::new(
            EntityId::new("https://sp.example.com/").unwrap(),
            EndpointUrl::new("https://sp.example.com/acs").unwrap(),
            &idp,
        );
        let (form, _) = builder.post(Some(&rs), &mut OsRng, now()).unwrap();
        let html = form.html(&nonce).unwrap();
        let marker = r#"name="RelayState" value=""#;
        let start = html.find(marker).unwrap() + marker.len();
        let end = start + html[start..].find('"').unwrap();
        let escaped = &html[start..end];
        prop_assert!(!escaped.contains(['<', '>', '\'']));
        prop_assert_eq!(html_unescape(escaped), rs);
        prop_assert_eq!(html.matches("<script").count(), 1);
        prop_assert_eq!(html.matches("<input").count(), 2);
        prop_assert_eq!(html.matches("<form").count(), 1);
        let nonce_attr = format!(r#"<script nonce="{nonce}">"#);
        prop_assert!(html.contains(&nonce_attr));
    }

    /// The Redirect decoder refuses garbage with a typed error and never
    /// panics, whatever the query.
    #[test]
    fn redirect_decoder_never_panics(query in "(SAMLRequest=|SAMLResponse=|RelayState=|SigAlg=|Signature=|&|%[0-9a-fA-F]{2}|%|[A-Za-z0-9+/=])*") {
        match RedirectMessage::from_query(&query, &Limits::default()) {
            Ok(msg) => {
                let cert = SigningCertificate::from_pem(
                    &std::fs::read_to_string("fixtures/keys/sp.crt.pem").unwrap()).unwrap();
                // Verification fails closed.
                prop_assert!(verify_query(&msg, &cert, &SignaturePolicy::default()).is_err());
            }
            Err(e) => prop_assert!(matches!(
                e.kind(),
                ErrorKind::QueryMalformed
                    | ErrorKind::InputNotBase64
                    | ErrorKind::InputNotDeflate
                    | ErrorKind::InflatedTooLarge
                    | ErrorKind::RelayStateTooLong
                    | ErrorKind::SignatureMalformed
            ), "{:?}", e),
        }
    }

    /// Arbitrary bytes as a deflated message: a typed error or some bytes,
    /// never more than the cap.
    #[test]
    fn inflate_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 1..512)) {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let query = format!("SAMLRequest={}", b64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"));
        let mut limits = Limits::default();
        limits.max_inflated_bytes = 4096;
        match RedirectMessage::from_query(&query, &limits) {
            Ok(msg) => prop_assert!(msg.xml().len() <= 4096),
            Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::InputNotDeflate | ErrorKind::InflatedTooLarge), "{:?}", e),
        }
    }
}

/// Signing is blinded with the caller's rng, and the blinding does not show:
/// PKCS#1 v1.5 signatures of the same octets are equal whatever the rng.
#[test]
fn blinded_signatures_are_deterministic_pkcs1() {
    let idp = idp(Binding::HttpPost);
    let key = SpSigningKey::from_pem(&std::fs::read_to_string("fixtures/keys/sp.key.pem").unwrap())
        .unwrap();
    let builder = AuthnRequestBuilder::new(
        EntityId::new("https://sp.example.com/").unwrap(),
        EndpointUrl::new("https://sp.example.com/acs").unwrap(),
        &idp,
    )
    .sign_with(key);
    // The first 16 bytes (the ID) fixed, the rest (the blinding) from the OS:
    // a rand_core 0.10 generator, a `Csprng` through the blanket impl.
    struct Fixed(usize);

    impl rand_core::TryRng for Fixed {
        type Error = std::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            rand_core::utils::next_word_via_fill(self)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            rand_core::utils::next_word_via_fill(self)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
            for b in dest {
                *b = if self.0 < 16 {
                    0x11
                } else {
                    let mut one = [0u8; 1];
                    saml_sp::Csprng::fill_random(&mut OsRng, &mut one);
                    one[0]
                };
                self.0 += 1;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Fixed {}
    let (a, id_a) = builder.post(None, &mut Fixed(0), now()).unwrap();
    let (b, id_b) = builder.post(None, &mut Fixed(0), now()).unwrap();
    assert_eq!(id_a.as_str(), "id11111111111111111111111111111111");
    assert_eq!(id_a, id_b);
    // Different blinding, the same (deterministic PKCS#1 v1.5) signature.
    assert_eq!(a.xml(), b.xml());
}
