//! Untrusted bytes -> the fast XML scanner and the general (quick-xml) path,
//! each on its own: whatever the fast one accepts, the general one accepts
//! with the same tree. See `saml_sp_fuzz::xml_scan_diff`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| saml_sp_fuzz::xml_scan_diff(data));
