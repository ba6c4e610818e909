//! A key (fixture or made from the input), a hash, a digest and a signature
//! (valid and mutated, or made up) -> our RSA PKCS#1 v1.5 verify, the rsa
//! crate's, and AWS-LC's with `--features aws-lc-rs`: the same verdicts.
//! See `saml_sp_fuzz::rsa_verify_diff`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| saml_sp_fuzz::rsa_verify_diff(data));
