<?php
/*
 * SimpleSAMLphp 1.19 remote SPs: one per signing mode the saml-sp verifier meets.
 * TEMPLATE: start.sh substitutes the @@-delimited placeholders (see config.php).
 *
 *   entity ID                                        signs                     algorithm
 *   https://sso.example.com/saml/assertion-only      Assertion only (Azure's default)  rsa-sha256
 *   https://sso.example.com/saml/response-only       Response only             rsa-sha256
 *   https://sso.example.com/saml/both                Response and Assertion    rsa-sha256
 *   https://sso.example.com/saml/sha1                Assertion only            rsa-sha1 (+ sha1 digest)
 *   https://sso.example.com/saml/signed-requests     Response and Assertion    rsa-sha256;
 *                                                    refuses unsigned AuthnRequests (SP key: fixtures/keys/sp);
 *                                                    Single Logout over HTTP-Redirect at
 *                                                    @@ACS_BASE@@/saml/signed-requests/slo, signed
 *                                                    logout messages required (validate.logout)
 *   https://sso.example.com/saml/encrypted           Assertion, then encrypts it rsa-sha256; aes128-cbc +
 *                                                    rsa-oaep-mgf1p to fixtures/keys/sp-enc (1.19 uses
 *                                                    nothing else for a public key: sharedkey_algorithm
 *                                                    only applies to a pre-shared 'sharedkey')
 *
 *   @@ACS_BASE@@/saml/acme                       Assertion only            rsa-sha256
 *   @@ACS_BASE@@/saml/globex                     Assertion only            rsa-sha256
 *   @@ACS_BASE@@/saml/initech                    Assertion, then encrypts it to fixtures/keys/sp-enc
 *                                                    (examples/web_app's teams `acme`, `globex`,
 *                                                    the one that allows IdP-initiated sign-in,
 *                                                    and `initech`, which requires encrypted
 *                                                    assertions, when its base URL is
 *                                                    SSP_ACS_BASE: testbed/e2e). Each has Single
 *                                                    Logout over HTTP-Redirect at
 *                                                    @@ACS_BASE@@/saml/<team>/slo; acme and globex
 *                                                    require our logout messages signed with
 *                                                    fixtures/keys/sp (validate.logout)
 *
 * Each SP's one AssertionConsumerService (HTTP-POST) is @@ACS_BASE@@/saml/<mode>/acs.
 * SimpleSAMLphp posts the Response there whatever AssertionConsumerServiceURL the
 * request names: an unknown URL is logged and replaced by this registered one.
 */

$sp = function (string $mode, array $extra): array {
    return $extra + [
        'AssertionConsumerService' => [
            [
                'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
                'Location' => '@@ACS_BASE@@/saml/' . $mode . '/acs',
                'index' => 0,
            ],
        ],
        'NameIDFormat' => 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        'simplesaml.nameidattribute' => 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
        'simplesaml.attributes' => true,   // every attribute of the user, as named
        'validate.authnrequest' => false,
    ];
};

$metadata['https://sso.example.com/saml/assertion-only'] = $sp('assertion-only', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
]);

$metadata['https://sso.example.com/saml/response-only'] = $sp('response-only', [
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => false,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
]);

$metadata['https://sso.example.com/saml/both'] = $sp('both', [
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
]);

$metadata['https://sso.example.com/saml/sha1'] = $sp('sha1', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
]);

$metadata['https://sso.example.com/saml/signed-requests'] = $sp('signed-requests', [
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'validate.authnrequest' => true,
    'certificate' => '@@SP_CERT@@',
    // Single Logout (tests/live_idp.rs): our SLO URL takes HTTP-Redirect; the
    // IdP checks our LogoutRequests' and LogoutResponses' signatures.
    'SingleLogoutService' => [
        [
            'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
            'Location' => '@@ACS_BASE@@/saml/signed-requests/slo',
        ],
    ],
    'validate.logout' => true,
]);

// Assertion encryption: the SP's encryption certificate ('certificate' is what
// SimpleSAMLphp encrypts to) and assertion.encryption on.
$metadata['https://sso.example.com/saml/encrypted'] = $sp('encrypted', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'assertion.encryption' => true,
    'certificate' => '@@SP_ENC_CERT@@',
]);

// examples/web_app's Single Logout endpoint of team $team (HTTP-Redirect, the binding
// SimpleSAMLphp sends its LogoutRequests and LogoutResponses over).
$webAppSlo = function (string $team): array {
    return [
        [
            'Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
            'Location' => '@@ACS_BASE@@/saml/' . $team . '/slo',
        ],
    ];
};

// examples/web_app's team `acme` (SP entity ID <base URL>/saml/acme, the Heroku-style
// layout of saml_sp::SpUrlLayout) when the app's base URL is SSP_ACS_BASE. The app
// signs its messages with fixtures/keys/sp; the IdP checks its logout messages.
$metadata['@@ACS_BASE@@/saml/acme'] = $sp('acme', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'certificate' => '@@SP_CERT@@',
    'SingleLogoutService' => $webAppSlo('acme'),
    'validate.logout' => true,
]);

// examples/web_app's team `globex`, which allows IdP-initiated sign-in (testbed/e2e
// signs in from $SSP_SSO_URL?spentityid=@@ACS_BASE@@/saml/globex).
$metadata['@@ACS_BASE@@/saml/globex'] = $sp('globex', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'certificate' => '@@SP_CERT@@',
    'SingleLogoutService' => $webAppSlo('globex'),
    'validate.logout' => true,
]);

// examples/web_app's team `initech`, which requires encrypted assertions: 'certificate'
// is what SimpleSAMLphp encrypts to (the app's sp-enc key decrypts). 1.19 takes one
// certificate file per SP, so this entry does not check the app's logout signatures
// (acme's and globex's do); the app signs them all the same.
$metadata['@@ACS_BASE@@/saml/initech'] = $sp('initech', [
    'saml20.sign.response' => false,
    'saml20.sign.assertion' => true,
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'assertion.encryption' => true,
    'certificate' => '@@SP_ENC_CERT@@',
    'SingleLogoutService' => $webAppSlo('initech'),
]);
