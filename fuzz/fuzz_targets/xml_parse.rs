//! Untrusted bytes -> `Document::parse` (default limits) -> every canonical
//! form, each checked to be a fixed point. See `saml_sp_fuzz::xml_parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| saml_sp_fuzz::xml_parse(data));
