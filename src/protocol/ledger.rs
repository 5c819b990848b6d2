//! A bound on a store of the protocol state machines: the insertion order and size of its
//! entries, so the oldest can be forgotten once the store holds more than a count or a
//! number of bytes (issue 17: every store a client can fill is capped by both).
//!
//! The ledger is kept beside the store's map rather than replacing it: an entry the
//! protocol consumed (an offer redeemed) stays in the ledger until it is popped, so the
//! ledger over-counts and the map always holds at most what the ledger admits. That keeps
//! every bound one comparison and the maps' code as it was.

use std::collections::VecDeque;

/// Insertion order and sizes of entries, oldest first.
#[derive(Debug)]
pub struct Ledger {
    order: VecDeque<(String, usize)>,
    bytes: usize,
    max_count: usize,
    max_bytes: usize,
}

impl Ledger {
    pub fn new(max_count: usize, max_bytes: usize) -> Self {
        Self {
            order: VecDeque::new(),
            bytes: 0,
            max_count: max_count.max(1),
            max_bytes,
        }
    }

    /// Records `key` of `size` bytes and returns the keys to forget (oldest first) so that
    /// the ledger, this entry included, stays within both bounds. The newest entry is always
    /// kept, even alone above the byte bound: the body limits bound its size.
    pub fn admit(&mut self, key: String, size: usize) -> Vec<String> {
        let mut forget = Vec::new();
        while !self.order.is_empty()
            && (self.order.len() >= self.max_count || self.bytes + size > self.max_bytes)
        {
            if let Some((old, old_size)) = self.order.pop_front() {
                self.bytes -= old_size;
                forget.push(old);
            }
        }
        self.bytes += size;
        self.order.push_back((key, size));
        forget
    }

    /// Entries recorded and not yet forgotten (consumed ones included).
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Bytes recorded and not yet forgotten.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// The size a JSON value takes serialised: what an entry holding it is charged.
pub fn json_size(value: &impl serde::Serialize) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_are_forgotten_beyond_the_count_or_the_bytes() {
        let mut l = Ledger::new(3, 100);
        assert!(l.admit("a".into(), 10).is_empty());
        assert!(l.admit("b".into(), 10).is_empty());
        assert!(l.admit("c".into(), 10).is_empty());
        // The count forgets a.
        assert_eq!(l.admit("d".into(), 10), ["a"]);
        assert_eq!((l.len(), l.bytes()), (3, 30));
        let mut l = Ledger::new(100, 100);
        for k in ["a", "b", "c"] {
            assert!(l.admit(k.into(), 30).is_empty());
        }
        // The bytes forget a and b to make room for 50 more.
        assert_eq!(l.admit("d".into(), 50), ["a", "b"]);
        assert_eq!((l.len(), l.bytes()), (2, 80));
        // Larger than the whole bound: kept alone.
        assert_eq!(l.admit("e".into(), 500), ["c", "d"]);
        assert_eq!((l.len(), l.bytes()), (1, 500));
    }
}
