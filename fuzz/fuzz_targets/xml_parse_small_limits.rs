//! Untrusted bytes -> `Document::parse` with tiny limits (depth 4, 50
//! elements, 4 attributes, 64 text bytes, 1 KiB input), compared with a parse
//! under the default limits. See `saml_sp_fuzz::xml_parse_small_limits`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| saml_sp_fuzz::xml_parse_small_limits(data));
