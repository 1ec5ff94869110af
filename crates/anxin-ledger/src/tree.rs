//! The Merkle tree of RFC 9162 §2.1 (the same as RFC 6962 §2.1): hashing, a tree kept in
//! memory that answers for any of its past sizes, audit paths, consistency proofs, and the
//! two verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
//!
//! [`Tree`] keeps every leaf hash and the hash of every complete, aligned subtree (the
//! nodes that never change once their last leaf arrives): about 64 bytes per leaf. The
//! root of any size, an audit path or a consistency proof is then O(log² n) hashes at
//! worst, whatever the size: the nodes on the right edge of a past tree are recomputed
//! from the complete subtrees beneath them.

use sha2::{Digest, Sha256};

/// A SHA-256 output.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of no bytes (RFC 9162 §2.1.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `SHA-256(0x00 || data)`: the hash of a leaf (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node (RFC 9162 §2.1.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two strictly below `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Why a proof could not be made.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ProofError {
    /// The leaf is not in a tree of that size.
    #[error("leaf index {index} is not in a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// The tree has not grown that big.
    #[error("tree size {asked} is beyond the tree, which has {size} leaves")]
    SizeBeyondTree {
        /// The size asked for.
        asked: u64,
        /// The tree's size.
        size: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error("a consistency proof needs from ≤ to (got from {from}, to {to})")]
    FromAfterTo {
        /// The first size.
        from: u64,
        /// The second size.
        to: u64,
    },
}

/// An append-only Merkle tree held in memory (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// `levels[k][j]` is the hash of the complete subtree over leaves `j·2^k .. (j+1)·2^k`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Tree {
        Tree::default()
    }

    /// A tree over these leaf hashes.
    pub fn from_leaf_hashes(hashes: impl IntoIterator<Item = Hash>) -> Tree {
        let mut tree = Tree::new();
        for hash in hashes {
            tree.push(hash);
        }
        tree
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Bytes held for hashes (for the memory note in ARCHITECTURE.md).
    pub fn hash_bytes(&self) -> usize {
        self.levels.iter().map(|level| level.capacity() * 32).sum()
    }

    /// Appends a leaf hash and every complete subtree it finishes.
    pub fn push(&mut self, hash: Hash) {
        let mut level = 0;
        let mut hash = hash;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(hash);
            let len = self.levels[level].len();
            if len % 2 == 1 {
                return;
            }
            hash = node_hash(&self.levels[level][len - 2], &self.levels[level][len - 1]);
            level += 1;
        }
    }

    /// The hash of leaf `index`, if the tree has it.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels
            .first()?
            .get(usize::try_from(index).ok()?)
            .copied()
    }

    /// MTH over leaves `start .. end`, where the range is one the RFC's recursion visits
    /// (every power-of-two part starts at a multiple of its length), `end ≤ size`, and
    /// `start < end`.
    fn mth(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n.is_power_of_two() {
            let level = n.trailing_zeros() as usize;
            return self.levels[level][(start >> level) as usize];
        }
        let k = split(n);
        node_hash(&self.mth(start, start + k), &self.mth(start + k, end))
    }

    /// The root hash of the tree when it had `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(if size == 0 {
            empty_root()
        } else {
            self.mth(0, size)
        })
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size() {
            return Err(ProofError::SizeBeyondTree {
                asked: size,
                size: self.size(),
            });
        }
        Ok(())
    }

    /// The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1),
    /// nearest the leaf first.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut path = Vec::new();
        self.path(index, 0, size, &mut path);
        path.reverse();
        Ok(path)
    }

    /// Pushes PATH(m, D[start..end]) root-side first (the caller reverses).
    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let n = end - start;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            out.push(self.mth(start + k, end));
            self.path(m, start, start + k, out);
        } else {
            out.push(self.mth(start, start + k));
            self.path(m - k, start + k, end, out);
        }
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves
    /// (RFC 9162 §2.1.4.1). Empty when `from` is 0 or equals `to`.
    pub fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, ProofError> {
        if from > to {
            return Err(ProofError::FromAfterTo { from, to });
        }
        self.check_size(to)?;
        let mut proof = Vec::new();
        if from > 0 && from < to {
            self.subproof(from, 0, to, true, &mut proof);
        }
        proof.reverse();
        Ok(proof)
    }

    /// Pushes SUBPROOF(m, D[start..end], b) last element first (the caller reverses).
    fn subproof(&self, m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !whole {
                out.push(self.mth(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            out.push(self.mth(start + k, end));
            self.subproof(m, start, start + k, whole, out);
        } else {
            out.push(self.mth(start, start + k));
            self.subproof(m - k, start + k, end, false, out);
        }
    }
}

/// The root of a tree built one leaf at a time in O(log n) memory (for re-computing a
/// whole ledger without holding it).
#[derive(Clone, Debug, Default)]
pub struct RootBuilder {
    size: u64,
    /// Roots of the complete subtrees along the right edge, largest first.
    stack: Vec<Hash>,
}

impl RootBuilder {
    /// An empty builder.
    pub fn new() -> RootBuilder {
        RootBuilder::default()
    }

    /// Leaves pushed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, hash: Hash) {
        let mut hash = hash;
        let mut size = self.size;
        while size & 1 == 1 {
            let left = self.stack.pop().unwrap_or_default();
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.stack.push(hash);
        self.size += 1;
    }

    /// The root of the leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// Checks an audit path (RFC 9162 §2.1.3.2): true when `leaf` is leaf `index` of the tree
/// of `size` leaves whose root is `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): true when the tree of `from` leaves with
/// root `from_root` is a prefix of the tree of `to` leaves with root `to_root`. Equal sizes
/// need an empty proof and equal roots; size 0 (the empty tree) needs an empty proof and the
/// empty root.
pub fn verify_consistency(
    from: u64,
    to: u64,
    from_root: &Hash,
    to_root: &Hash,
    proof: &[Hash],
) -> bool {
    if from > to {
        return false;
    }
    if from == 0 {
        return proof.is_empty() && *from_root == empty_root();
    }
    if from == to {
        return proof.is_empty() && from_root == to_root;
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(*from_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (from - 1, to - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == *from_root && sr == *to_root && snode == 0
}
