//! One string table: every identifier the graph knows is stored once and named by a `u32`.
//!
//! Strings live back to back in one arena; the hash table holds only their numbers and finds
//! a string by hashing the arena slice, so a string costs its bytes, four bytes of offset and
//! about five bytes of table. Canonical GS1 Digital Links all start with
//! `https://id.gs1.org/`, so that stem is stored as one flag bit rather than 19 bytes.
//!
//! It does not free anything: the graph only grows, as the event log does.

use std::hash::BuildHasher;

use hashbrown::HashTable;

/// The stem every canonical Digital Link starts with.
const STEM: &str = anxin_gs1::CANONICAL_DL_STEM;

/// The largest arena the `u32` offsets can address, minus the flag bit.
const ARENA_BYTES_MAX: usize = (u32::MAX >> 1) as usize;

/// A string table with `u32` ids.
#[derive(Default)]
pub(crate) struct Interner {
    arena: String,
    /// `ends[i]` is where string `i` ends in the arena, with the top bit set when the string
    /// was stored without the Digital Link stem.
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

/// The arena is full (more than 2 GiB of identifiers).
#[derive(Debug)]
pub(crate) struct ArenaFull;

fn split(text: &str) -> (bool, &str) {
    match text.strip_prefix(STEM) {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

impl Interner {
    /// The number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    fn raw(&self, id: u32) -> (bool, &str) {
        let index = id as usize;
        let start = if index == 0 {
            0
        } else {
            (self.ends[index - 1] & !(1 << 31)) as usize
        };
        let end_word = self.ends[index];
        let end = (end_word & !(1 << 31)) as usize;
        (end_word & (1 << 31) != 0, &self.arena[start..end])
    }

    fn hash_of(&self, stemmed: bool, rest: &str) -> u64 {
        self.hasher.hash_one((stemmed, rest))
    }

    /// The id of `text`, if it is stored.
    pub(crate) fn get(&self, text: &str) -> Option<u32> {
        let (stemmed, rest) = split(text);
        let hash = self.hash_of(stemmed, rest);
        self.table
            .find(hash, |&id| self.raw(id) == (stemmed, rest))
            .copied()
    }

    /// The id of `text`, storing it first when it is new; the flag says whether it was new.
    pub(crate) fn intern(&mut self, text: &str) -> Result<(u32, bool), ArenaFull> {
        if let Some(id) = self.get(text) {
            return Ok((id, false));
        }
        let (stemmed, rest) = split(text);
        if self.arena.len() + rest.len() > ARENA_BYTES_MAX || self.ends.len() >= u32::MAX as usize {
            return Err(ArenaFull);
        }
        let hash = self.hash_of(stemmed, rest);
        self.arena.push_str(rest);
        let id = self.ends.len() as u32;
        self.ends
            .push(self.arena.len() as u32 | if stemmed { 1 << 31 } else { 0 });
        let Interner {
            table,
            hasher,
            ends,
            arena,
        } = self;
        table.insert_unique(hash, id, |&other| {
            let index = other as usize;
            let start = if index == 0 {
                0
            } else {
                (ends[index - 1] & !(1 << 31)) as usize
            };
            let end_word = ends[index];
            let end = (end_word & !(1 << 31)) as usize;
            hasher.hash_one((end_word & (1 << 31) != 0, &arena[start..end]))
        });
        Ok((id, true))
    }

    /// The string `id` names, written out in full.
    pub(crate) fn text(&self, id: u32) -> String {
        let (stemmed, rest) = self.raw(id);
        if stemmed {
            let mut text = String::with_capacity(STEM.len() + rest.len());
            text.push_str(STEM);
            text.push_str(rest);
            text
        } else {
            rest.to_owned()
        }
    }

    /// Gives back spare capacity (the hash table keeps its own).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.arena.capacity()
            + self.ends.capacity() * 4
            + self.table.capacity() * (4 + 1)
            + hashbrown_group_width()
    }
}

/// The control bytes hashbrown keeps beyond the buckets (one SIMD group).
fn hashbrown_group_width() -> usize {
    16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_is_stored_once_and_read_back_whole() {
        let mut strings = Interner::default();
        let link = "https://id.gs1.org/01/06901234567892/21/1";
        let (a, new_a) = strings.intern(link).unwrap();
        let (b, new_b) = strings.intern("urn:uuid:1").unwrap();
        let (c, new_c) = strings.intern(link).unwrap();
        assert!(new_a && new_b && !new_c);
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(strings.text(a), link);
        assert_eq!(strings.text(b), "urn:uuid:1");
        assert_eq!(strings.get("01/06901234567892/21/1"), None);
        assert_eq!(strings.len(), 2);
    }
}
