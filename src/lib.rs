#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod c14n;
mod error;
mod limits;
mod xml;

pub use c14n::{C14nMethod, InclusivePrefixes, canonicalize_document, canonicalize_element};
pub use error::{Error, ErrorKind, Result};
pub use limits::Limits;
pub use xml::{Attribute, Children, Document, Element, Node};
