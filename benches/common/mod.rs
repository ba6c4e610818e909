//! Pieces shared by the benches.

use sha2::{Digest, Sha256};

/// A SHA-256 hasher as an `io::Write`, so canonicalization streams into it.
pub(crate) struct HashWriter(pub(crate) Sha256);

impl HashWriter {
    /// A fresh hasher.
    pub(crate) fn new() -> Self {
        Self(Sha256::new())
    }
}

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
