//! IdP metadata in, SP metadata out.
