<?php
/*
 * SimpleSAMLphp 1.19 authentication sources for the saml-sp test IdP.
 * TEMPLATE: start.sh substitutes the @@-delimited placeholders (see config.php).
 *
 * The test user alice / alice-password, carrying the claims Azure AD (Entra ID)
 * sends, under Azure's claim URIs. The values are the ones of
 * fixtures/attacks/generate.py and fixtures/dsig (same tenant, object id, groups).
 *
 * bob / bob-password, of another organisation (bob@globex.example): examples/web_app's
 * team `globex` in testbed/e2e (a person of its own, so that his sign-ins there are
 * not alice's account found by email).
 *
 * carol / carol-password (carol@initech.example): the team `initech` in testbed/e2e,
 * whose assertions come encrypted.
 */

$config = [
    // Required by SimpleSAMLphp for its admin pages; not used by the tests.
    'admin' => ['core:AdminPassword'],

    'example-userpass' => [
        'exampleauth:UserPass',
        'alice:alice-password' => [
            'http://schemas.microsoft.com/identity/claims/tenantid' => ['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'],
            'http://schemas.microsoft.com/identity/claims/objectidentifier' => ['7c9e6679-7425-40de-944b-e07fc1f90ae7'],
            'http://schemas.microsoft.com/identity/claims/displayname' => ['Alice Liddell'],
            'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups' => [
                '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
                '6ba7b810-9dad-41d1-80b4-00c04fd430c8',
            ],
            'http://schemas.microsoft.com/identity/claims/identityprovider' => ['@@IDP_ENTITY_ID@@'],
            'http://schemas.microsoft.com/claims/authnmethodsreferences' => [
                'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
                'http://schemas.microsoft.com/claims/multipleauthn',
            ],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname' => ['Alice'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname' => ['Liddell'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' => ['alice@acme.example'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name' => ['alice@acme.example'],
        ],
        'bob:bob-password' => [
            'http://schemas.microsoft.com/identity/claims/tenantid' => ['5d4c3b2a-1f0e-4d9c-8b7a-695847362514'],
            'http://schemas.microsoft.com/identity/claims/objectidentifier' => ['0b0b1e2d-3c4f-4a5b-9c8d-7e6f5a4b3c2d'],
            'http://schemas.microsoft.com/identity/claims/displayname' => ['Bob Globex'],
            'http://schemas.microsoft.com/identity/claims/identityprovider' => ['@@IDP_ENTITY_ID@@'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname' => ['Bob'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname' => ['Globex'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' => ['bob@globex.example'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name' => ['bob@globex.example'],
        ],
        'carol:carol-password' => [
            'http://schemas.microsoft.com/identity/claims/tenantid' => ['9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'],
            'http://schemas.microsoft.com/identity/claims/objectidentifier' => ['c4a01e2b-3d4c-4e5f-8a6b-7c8d9e0f1a2b'],
            'http://schemas.microsoft.com/identity/claims/displayname' => ['Carol Initech'],
            'http://schemas.microsoft.com/identity/claims/identityprovider' => ['@@IDP_ENTITY_ID@@'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname' => ['Carol'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname' => ['Initech'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' => ['carol@initech.example'],
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name' => ['carol@initech.example'],
        ],
    ],
];
