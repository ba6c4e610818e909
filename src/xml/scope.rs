//! Scoped bindings (namespace prefixes in scope), innermost last, with
//! lookups in O(1) whatever the number of bindings.
//!
//! The parser resolves every prefixed name against the declarations in
//! scope, and canonicalization asks which namespace an output ancestor
//! rendered for a prefix. Scanning the bindings from the innermost
//! outwards is fastest for the handful real documents have, but costs as
//! many steps as there are bindings: a document that declares thousands
//! makes every lookup that long. Here the first [`SCANNED`] bindings are
//! scanned (a bounded number of steps) and every binding above them is
//! found through a hash index. Each binding records the index entry it
//! shadows, restored when it goes out of scope: push, lookup and pop are
//! O(1) (amortised, per binding).
//!
//! The index hashes with foldhash, seeded at random per map: several times
//! faster than std's SipHash on these short keys, and not predictable from
//! outside. Should an attacker still make prefixes collide, a lookup costs
//! at most one comparison per binding in scope, which
//! [`Limits::max_namespaces_in_scope`](crate::limits::Limits) bounds: no worse
//! than a scan.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use foldhash::fast::RandomState;

/// Bindings below this position are found by scanning, the rest through
/// the index.
const SCANNED: usize = 16;
const NONE: u32 = u32::MAX;

/// A stack of bindings from keys (prefix bytes) to values. `K` is how the
/// caller stores a key (a span, a slice); the caller says how to compare
/// it and hands its bytes in when they are needed for the index, which
/// keeps them as `I` (owned bytes, or a slice that outlives the scope).
#[derive(Debug)]
pub(crate) struct Scope<K, V, I = Box<[u8]>> {
    entries: Vec<Entry<K, V>>,
    /// Key bytes -> position of the innermost binding at or above
    /// [`SCANNED`].
    index: HashMap<I, u32, RandomState>,
}

#[derive(Debug, Clone, Copy)]
struct Entry<K, V> {
    key: K,
    value: V,
    /// The index entry this binding replaced ([`NONE`]: there was none).
    shadowed: u32,
}

impl<K: Copy, V: Copy, I: Hash + Eq + Borrow<[u8]>> Scope<K, V, I> {
    /// An empty scope.
    pub(crate) fn new() -> Self {
        Self {
            entries: Vec::new(),
            index: HashMap::default(),
        }
    }

    /// How many bindings there are (shadowed ones included).
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Room for `n` bindings without regrowth.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
    }

    /// The innermost binding of the key whose bytes are `key`, with its
    /// position; `matches` tells whether a stored key is that key.
    #[inline(always)]
    pub(crate) fn find(&self, key: &[u8], matches: impl Fn(&K) -> bool) -> Option<(usize, V)> {
        let len = self.entries.len();
        super::work::tally(1);
        if len > SCANNED {
            if let Some(&at) = self.index.get(key) {
                let at = at as usize;
                return self.entries.get(at).map(|e| (at, e.value));
            }
        }
        let scanned = self.entries.get(..len.min(SCANNED)).unwrap_or_default();
        scanned
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| {
                super::work::tally(1);
                matches(&e.key)
            })
            .map(|(at, e)| (at, e.value))
    }

    /// The innermost binding's value (see [`find`](Self::find)).
    #[inline(always)]
    pub(crate) fn get(&self, key: &[u8], matches: impl Fn(&K) -> bool) -> Option<V> {
        self.find(key, matches).map(|(_, value)| value)
    }

    /// Binds `key` (whose bytes are `key_bytes`) to `value`, innermost.
    #[inline(always)]
    pub(crate) fn push<'b>(&mut self, key: K, key_bytes: &'b [u8], value: V)
    where
        I: From<&'b [u8]>,
    {
        let at = self.entries.len();
        let mut shadowed = NONE;
        if at >= SCANNED {
            // Positions fit in u32: bindings are attributes of a document
            // far smaller than 4 GiB.
            let at32 = u32::try_from(at).unwrap_or(NONE);
            match self.index.get_mut(key_bytes) {
                Some(slot) => shadowed = std::mem::replace(slot, at32),
                None => {
                    self.index.insert(key_bytes.into(), at32);
                }
            }
        }
        self.entries.push(Entry {
            key,
            value,
            shadowed,
        });
    }

    /// Drops the bindings from position `mark` on; `bytes` gives a stored
    /// key's bytes (needed only for bindings that are in the index).
    #[inline(always)]
    pub(crate) fn truncate<'b>(&mut self, mark: usize, bytes: impl Fn(&K) -> &'b [u8]) {
        if self.entries.len() <= SCANNED || mark >= self.entries.len() {
            self.entries.truncate(mark);
            return;
        }
        self.truncate_indexed(mark, bytes);
    }

    #[inline(never)]
    fn truncate_indexed<'b>(&mut self, mark: usize, bytes: impl Fn(&K) -> &'b [u8]) {
        while self.entries.len() > mark {
            super::work::tally(1);
            let at = self.entries.len() - 1;
            let Some(entry) = self.entries.pop() else {
                break;
            };
            if at < SCANNED {
                continue;
            }
            let key = bytes(&entry.key);
            if entry.shadowed == NONE {
                self.index.remove(key);
            } else if let Some(slot) = self.index.get_mut(key) {
                *slot = entry.shadowed;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scope against a plain list scanned from the innermost binding, over
    /// random pushes, lookups and truncations with few distinct keys (so
    /// that bindings shadow each other across the scanned and indexed
    /// parts).
    #[test]
    fn agrees_with_a_scanned_list() {
        let alphabet: Vec<u8> = (0..=255).collect();
        let bytes = crate::bytes::random_bytes(&mut 0x5eed, &alphabet, 200_000);
        let keys: Vec<Vec<u8>> = (0..24).map(|i| format!("p{i}").into_bytes()).collect();
        let mut scope: Scope<usize, u32> = Scope::new();
        let mut list: Vec<(usize, u32)> = Vec::new();
        let mut marks: Vec<usize> = Vec::new();
        for (step, pair) in bytes.chunks_exact(2).enumerate() {
            let (op, k) = (pair[0] % 8, usize::from(pair[1]) % keys.len());
            let key = &keys[k];
            match op {
                0..=2 => {
                    let value = u32::try_from(step).unwrap();
                    scope.push(k, key, value);
                    list.push((k, value));
                }
                3 => marks.push(list.len()),
                4 => {
                    if let Some(mark) = marks.pop() {
                        scope.truncate(mark, |i| keys[*i].as_slice());
                        list.truncate(mark);
                    }
                }
                _ => {
                    let expected = list
                        .iter()
                        .enumerate()
                        .rev()
                        .find(|(_, (i, _))| *i == k)
                        .map(|(at, (_, v))| (at, *v));
                    assert_eq!(scope.find(key, |i| *i == k), expected, "step {step}");
                }
            }
            assert_eq!(scope.len(), list.len());
        }
    }
}
