//! A lookup from qualified id to position that stores no copy of the ids:
//! the keys live in the vectors it indexes (100,000 targets would otherwise
//! cost 100,000 extra strings).

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

/// Positions in a vector, found by the qualified id of their element.
#[derive(Debug, Clone, Default)]
pub(crate) struct QidIndex {
    table: HashTable<usize>,
    hasher: DefaultHashBuilder,
}

impl QidIndex {
    /// Records `pos` under `qid`, unless `qid` is already indexed (the first
    /// element wins). `key` gives the qid of an indexed position.
    pub(crate) fn insert<'a>(&mut self, qid: &str, pos: usize, key: impl Fn(usize) -> &'a str) {
        let hash = self.hasher.hash_one(qid);
        if self.table.find(hash, |&p| key(p) == qid).is_none() {
            let hasher = &self.hasher;
            self.table
                .insert_unique(hash, pos, |&p| hasher.hash_one(key(p)));
        }
    }

    /// The position recorded under `qid`.
    pub(crate) fn get<'a>(&self, qid: &str, key: impl Fn(usize) -> &'a str) -> Option<usize> {
        let hash = self.hasher.hash_one(qid);
        self.table.find(hash, |&p| key(p) == qid).copied()
    }
}
