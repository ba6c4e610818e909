<?php
/*
 * SimpleSAMLphp 1.19 main configuration for the saml-sp test IdP (loopback only).
 *
 * TEMPLATE: start.sh copies this folder into a run directory and replaces every
 * @@-delimited placeholder (see start.sh) before pointing SIMPLESAMLPHP_CONFIG_DIR at
 * the copy. Never point SimpleSAMLphp at this folder directly.
 *
 * Everything not set here keeps SimpleSAMLphp's built-in default.
 */

$config = [
    // With `php -S 127.0.0.1:PORT -t .../www` the www folder is the web root, so
    // the base URL has no /simplesaml/ path: SSO is @@BASE_URL@@/saml2/idp/SSOService.php
    'baseurlpath' => '@@BASE_URL@@/',

    // Per-run writable folders (made by start.sh), nothing under /var or /etc.
    'certdir' => '@@RUN_DIR@@/cert/',
    'loggingdir' => '@@RUN_DIR@@/log/',
    'datadir' => '@@RUN_DIR@@/data/',
    'tempdir' => '@@RUN_DIR@@/tmp/',
    'metadatadir' => '@@CONFIG_DIR@@/metadata/',
    'attributenamemapdir' => '@@SSP_ROOT@@/attributemap/',

    // Per-run random values (start.sh); the test IdP guards nothing.
    'secretsalt' => '@@SECRET_SALT@@',
    'auth.adminpassword' => '@@ADMIN_PASSWORD@@',
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,     // no outbound requests, ever

    'technicalcontact_name' => 'saml-sp testbed',
    'technicalcontact_email' => 'na@example.org',
    'timezone' => 'UTC',

    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'module.enable' => [
        'core' => true,
        'saml' => true,
        'exampleauth' => true,
        'admin' => true,
    ],

    // Plain http on loopback: cookies must not be Secure or SameSite=None,
    // or the scripted client (and any browser) drops them between requests.
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.cookie.path' => '/',
    'session.cookie.domain' => null,
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,
    'store.type' => 'phpsession',
    'session.phpsession.cookiename' => 'SimpleSAML',
    'session.phpsession.savepath' => '@@RUN_DIR@@/sessions',
    'session.phpsession.httponly' => true,
    'session.duration' => 8 * 60 * 60,

    'logging.level' => SimpleSAML\Logger::@@LOG_LEVEL@@,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'debug' => [
        'saml' => @@DEBUG_SAML@@,   // true logs every SAML message in full
        'backtraces' => true,
        'validatexml' => false,
    ],
    'showerrors' => true,
    'errorreporting' => false,
    'production' => true,

    'metadata.sources' => [
        ['type' => 'flatfile'],
    ],
    'metadata.sign.enable' => false,

    // No attribute mapping, no consent: attributes leave the IdP as the
    // authsource defines them.
    'authproc.idp' => [],
    'authproc.sp' => [],
];
