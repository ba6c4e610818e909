<?php
/*
 * SimpleSAMLphp 1.19 hosted IdP for the saml-sp tests.
 * TEMPLATE: start.sh substitutes the @@-delimited placeholders (see config.php).
 *
 * Entity ID: fixed (default urn:saml-sp:testbed:simplesamlphp, env SSP_IDP_ENTITY_ID),
 * so it does not change with the port. Signing key: fixtures/keys/idp-a (test-only),
 * referenced by absolute path (env SSP_IDP_KEY / SSP_IDP_CERT).
 */

$metadata['@@IDP_ENTITY_ID@@'] = [
    'host' => '__DEFAULT__',
    'privatekey' => '@@IDP_KEY@@',
    'certificate' => '@@IDP_CERT@@',
    'auth' => 'example-userpass',

    // Defaults for every SP; saml20-sp-remote.php overrides per SP.
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'validate.authnrequest' => false,   // unsigned AuthnRequests are accepted
    'sign.logout' => true,

    // Like Azure: emailAddress NameID from the emailaddress claim.
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    'simplesaml.nameidattribute' => 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',

    'SingleSignOnServiceBinding' => [
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    ],
];
