//! Resource budgets for untrusted input.

/// Resource budgets applied while reading untrusted input.
///
/// Every limit is enforced while parsing, before more work is done, and
/// exceeding one gives its own [`ErrorKind`](crate::error::ErrorKind). The defaults
/// fit the largest real SAML messages and metadata we know of (an Azure AD
/// response with 1,400 group claims is about 100 KB; AD FS metadata about
/// 70 KB) with a wide margin, and refuse hostile input in milliseconds.
///
/// Within these limits all work on untrusted input, before and after the
/// signature check, is linear in the input size with a small constant: the
/// cost model per byte, per element and per namespace binding is in the
/// [security manual](crate::manual::security#cost-of-hostile-input). Raising a limit
/// raises what an attacker can send, never the cost per byte (one
/// exception: `max_namespaces_in_scope` also bounds what colliding prefixes
/// could cost a namespace lookup).
///
/// ```
/// use saml_sp::Limits;
/// let mut limits = Limits::default();
/// limits.max_input_bytes = 256 * 1024;
/// assert_eq!(limits.max_depth, 64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted XML input, in bytes. Default 2 MiB.
    pub max_input_bytes: usize,
    /// Deepest element nesting. Default 64 (SAML responses nest about 8 deep).
    pub max_depth: usize,
    /// Most elements in one document. Default 30,000.
    pub max_elements: usize,
    /// Most attributes on one element, namespace declarations included.
    /// Default 64.
    pub max_attributes_per_element: usize,
    /// Longest text node, attribute value, comment or processing instruction,
    /// in bytes. Default 1 MiB: the longest text of a real message is the
    /// `CipherValue` of an encrypted assertion, one base64 text node 4/3 the
    /// size of the whole assertion (its plaintext is then parsed under these
    /// same limits). The cost per byte does not depend on this limit.
    pub max_text_bytes: usize,
    /// Most namespace declarations in scope at any element: its own and its
    /// ancestors', shadowed ones included. Default 128 (real SAML messages
    /// and metadata have at most about 10).
    pub max_namespaces_in_scope: usize,
    /// Largest output of inflating an HTTP-Redirect binding message (raw
    /// DEFLATE), in bytes: a DEFLATE bomb stops here. Default 256 KiB (an
    /// AuthnRequest or LogoutRequest is about 1 KB).
    pub max_inflated_bytes: usize,
}

impl Limits {
    /// The default budget.
    pub const DEFAULT: Self = Self {
        max_input_bytes: 2 * 1024 * 1024,
        max_depth: 64,
        max_elements: 30_000,
        max_attributes_per_element: 64,
        max_text_bytes: 1024 * 1024,
        max_namespaces_in_scope: 128,
        max_inflated_bytes: 256 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
