//! `saml_check metadata` and `saml_check sp-metadata`.

use crate::Failure;

pub(crate) fn idp_metadata(_args: &[String]) -> Result<(), Failure> {
    Err(Failure::Usage("metadata: not implemented yet".into()))
}

pub(crate) fn sp_metadata(_args: &[String]) -> Result<(), Failure> {
    Err(Failure::Usage("sp-metadata: not implemented yet".into()))
}
