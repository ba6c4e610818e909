//! An exclusive-c14n `PrefixList` -> `InclusivePrefixes::parse`, checked
//! against an independent reading. See `saml_sp_fuzz::prefix_list`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| saml_sp_fuzz::prefix_list(data));
