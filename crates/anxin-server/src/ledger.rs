//! The ledger as the server (and the CLI) use it: the signing key file, and [`Ledger`], which
//! keeps the Merkle tree's hashes in memory, follows the store's leaves, issues signed tree
//! heads, and answers proofs.
//!
//! The tree is rebuilt from the store's leaf hashes when a [`Ledger`] is made and brought up
//! to date before every answer (one indexed read of the leaf count, and the new leaf hashes
//! if there are any), so a proof is computed in memory: O(log² n) hashes, well under a
//! millisecond at millions of leaves, for about 64 bytes of memory per leaf. A new tree head
//! is signed only when the tree has grown since the last one; heads are stored as issued.
//!
//! The key file holds the Ed25519 private key as PKCS#8 PEM, made on first start with the
//! operating system's randomness and written with permissions 0600; it is never logged and
//! a key file that others may read is refused.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anxin_ledger::api::{
    ConsistencyProofJson, InclusionProofJson, KeyJson, LeafEntryJson, LeafProofJson, TreeHeadJson,
    hash_hex,
};
use anxin_ledger::{LogKey, ProofError, PublicKey, Tree, TreeHead};
use anxin_store::ledger::LedgerLeaf;
use anxin_store::{LedgerStore, StoreError, now_ms};

/// The key file's name inside the data folder.
pub const KEY_FILE: &str = "ledger-key.pem";

/// Leaf hashes read per round trip while catching up with the store.
const SYNC_BATCH: u32 = 50_000;

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading or writing failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The file is not a key, or not private enough.
    #[error("{path}: {what}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// Reads the ledger key from `folder/ledger-key.pem`, making the folder and a new key (mode
/// 0600) when there is none. Returns the key and whether it was made now.
pub fn load_or_create_key(folder: &Path) -> Result<(LogKey, bool), KeyFileError> {
    let path = folder.join(KEY_FILE);
    let io = |error| KeyFileError::Io {
        path: path.clone(),
        error,
    };
    match read_key(&path) {
        Ok(key) => return Ok((key, false)),
        Err(KeyFileError::Io { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(other) => return Err(other),
    }
    std::fs::create_dir_all(folder).map_err(|error| KeyFileError::Io {
        path: folder.to_path_buf(),
        error,
    })?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| KeyFileError::Bad {
        path: path.clone(),
        what: format!("no randomness to make a key: {err}"),
    })?;
    let key = LogKey::from_seed(seed);
    seed.fill(0);
    let pem = key.to_pem().map_err(|err| KeyFileError::Bad {
        path: path.clone(),
        what: err.to_string(),
    })?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(pem.as_bytes()).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok((key, true))
        }
        // Another process made it first: use theirs.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok((read_key(&path)?, false))
        }
        Err(error) => Err(io(error)),
    }
}

fn read_key(path: &Path) -> Result<LogKey, KeyFileError> {
    let io = |error| KeyFileError::Io {
        path: path.to_path_buf(),
        error,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Bad {
                path: path.to_path_buf(),
                what: format!(
                    "the ledger's private key may be read by others (mode {mode:o}); run chmod 600 on it"
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    let pem = std::fs::read_to_string(path).map_err(io)?;
    LogKey::from_pem(&pem).map_err(|err| KeyFileError::Bad {
        path: path.to_path_buf(),
        what: err.to_string(),
    })
}

/// Why a ledger question has no answer.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// No leaf names this event.
    #[error(
        "no event with eventID or hash ID {0} is in the ledger (it was never captured, or its capture has not committed)"
    )]
    UnknownEvent(String),
    /// Sizes out of range.
    #[error("{0}")]
    Range(#[from] ProofError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What [`Ledger::check_leaf`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafCheck {
    /// The leaf's event's `eventID`.
    pub event_id: String,
    /// Where its event's raw proof is served: `/api/v1/ledger/proof/{eventID}`, the ID
    /// form-urlencoded (so only letters, digits and `*-._+%`; the passport page writes it
    /// without escaping).
    pub proof_path: String,
    /// The signed head's tree size it was checked against.
    pub tree_size: u64,
    /// Whether the head's signature, the leaf's hash and its audit path all verified.
    pub verified: bool,
}

/// What [`Ledger::check_heads`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadsCheck {
    /// Stored heads checked.
    pub heads_checked: usize,
    /// The latest head's tree size.
    pub latest_size: u64,
    /// Sizes of heads whose signature does not verify with the key.
    pub bad_signature: Vec<u64>,
    /// Sizes of heads whose root differs from the root of the leaves at that size.
    pub bad_root: Vec<u64>,
    /// Sizes of heads from which no consistency proof to the latest head verifies.
    pub bad_consistency: Vec<u64>,
}

impl HeadsCheck {
    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.bad_signature.is_empty() && self.bad_root.is_empty() && self.bad_consistency.is_empty()
    }
}

/// The in-memory tree over the store's leaves, and the key that signs its heads.
pub struct Ledger {
    store: Arc<dyn LedgerStore>,
    key: LogKey,
    public: PublicKey,
    tree: RwLock<Tree>,
    /// Held while catching up and while issuing a head, so neither happens twice at once.
    sync: tokio::sync::Mutex<()>,
    /// The latest head issued or read, kept so that a head at the tree's current size is
    /// answered without the store while the tree has not grown.
    latest: RwLock<Option<TreeHead>>,
    /// The last head whose signature [`Ledger::verify_inclusion`] checked with the key.
    verified: RwLock<Option<TreeHead>>,
    /// The store's leaf count without a query per answer.
    size: crate::watch::SizeWatch,
    /// Leaf rows read by index (they never change), for [`Ledger::check_leaf`].
    leaves: RwLock<std::collections::HashMap<u64, Arc<KeptLeaf>>>,
}

/// A leaf row kept by [`Ledger::check_leaf`], with the head (size and root) it last
/// verified against.
struct KeptLeaf {
    leaf: LedgerLeaf,
    /// `/api/v1/ledger/proof/{eventID}`, the ID percent-encoded once.
    proof_path: String,
    verified_against: RwLock<Option<(u64, anxin_ledger::Hash)>>,
}

/// Leaf rows [`Ledger::check_leaf`] keeps at most; beyond it the map is emptied and
/// refilled on demand. An assumption of ours: a passport proves its item's commissioning
/// event, shared by a lot's cans, so this covers far more lots than the large world has.
const LEAVES_KEPT_MAX: usize = 100_000;

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Ledger {
    /// A ledger over the store's leaves, signing with `key`; reads every leaf hash once.
    pub async fn open(store: Arc<dyn LedgerStore>, key: LogKey) -> Result<Ledger, StoreError> {
        let ledger = Ledger {
            store,
            public: key.public(),
            key,
            tree: RwLock::new(Tree::new()),
            sync: tokio::sync::Mutex::new(()),
            latest: RwLock::new(None),
            verified: RwLock::new(None),
            size: crate::watch::SizeWatch::default(),
            leaves: RwLock::default(),
        };
        ledger.catch_up().await?;
        Ok(ledger)
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    fn tree_size(&self) -> u64 {
        self.tree.read().map_or(0, |tree| tree.size())
    }

    /// Reads the leaf hashes committed since the last call; returns the tree's size.
    pub async fn catch_up(&self) -> Result<u64, StoreError> {
        let stored = self.size.size(&*self.store).await?;
        if stored == self.tree_size() {
            return Ok(stored);
        }
        let _one_at_a_time = self.sync.lock().await;
        loop {
            let from = self.tree_size();
            if from >= stored {
                return Ok(from);
            }
            let wanted = (stored - from).min(u64::from(SYNC_BATCH));
            let hashes = self.store.ledger_leaf_hashes(from, wanted as u32).await?;
            if (hashes.len() as u64) < wanted {
                // Leaf indexes are gap-free by construction; a hole means rows were removed
                // behind the platform's back. Proofs over it would be wrong, so none are given.
                return Err(StoreError::internal(format!(
                    "the ledger is missing leaves between {from} and {}: run `anxin ledger verify`",
                    from + wanted - 1
                )));
            }
            let mut tree = self
                .tree
                .write()
                .map_err(|_| StoreError::internal("the ledger's tree lock is poisoned"))?;
            // Another caller may have appended while this one read.
            if tree.size() == from {
                for hash in hashes {
                    tree.push(hash);
                }
            }
        }
    }

    /// The latest signed head at the tree's current size, signing and storing a new one when
    /// the tree has grown since the last.
    ///
    /// The head is kept in memory: while the tree has not grown, it is answered with one
    /// indexed read of the leaf count and no lock held across the store.
    pub async fn tree_head(&self) -> Result<TreeHead, StoreError> {
        let size = self.catch_up().await?;
        if let Some(head) = self.latest_at(size) {
            return Ok(head);
        }
        let _one_at_a_time = self.sync.lock().await;
        if let Some(head) = self.latest_at(size) {
            return Ok(head);
        }
        if let Some(head) = self.store.latest_tree_head().await?
            && head.tree_size == size
        {
            self.remember(&head);
            return Ok(head);
        }
        let root = self
            .with_tree(|tree| tree.root(size))?
            .map_err(StoreError::internal)?;
        let head = self.key.sign(size, root, now_ms());
        self.store.add_tree_head(&head).await?;
        self.remember(&head);
        Ok(head)
    }

    /// The kept head, when it is at `size`.
    fn latest_at(&self, size: u64) -> Option<TreeHead> {
        self.latest
            .read()
            .ok()?
            .as_ref()
            .filter(|head| head.tree_size == size)
            .cloned()
    }

    fn remember(&self, head: &TreeHead) {
        if let Ok(mut latest) = self.latest.write()
            && latest
                .as_ref()
                .is_none_or(|kept| kept.tree_size <= head.tree_size)
        {
            *latest = Some(head.clone());
        }
    }

    /// Verifies an inclusion proof as a client would ([`InclusionProofJson::verify`]: the
    /// head's signature with this ledger's key, each leaf's hash and audit path to the
    /// head's root), except that the Ed25519 signature of a head identical to the last one
    /// verified here is not checked again: a head is verified once, not per request.
    pub fn verify_inclusion(&self, proof: &InclusionProofJson) -> bool {
        let Ok(head) = proof.tree_head.to_head() else {
            return false;
        };
        self.head_verified(&head) && proof.verify_paths(&head).is_ok()
    }

    /// Whether the head's signature verifies with this ledger's key; a head identical to the
    /// last one verified is not checked again.
    fn head_verified(&self, head: &TreeHead) -> bool {
        let known = self
            .verified
            .read()
            .is_ok_and(|verified| verified.as_ref() == Some(head));
        if !known {
            if !head.verify(&self.public) {
                return false;
            }
            if let Ok(mut verified) = self.verified.write() {
                *verified = Some(head.clone());
            }
        }
        true
    }

    fn with_tree<T>(&self, work: impl FnOnce(&Tree) -> T) -> Result<T, StoreError> {
        let tree = self
            .tree
            .read()
            .map_err(|_| StoreError::internal("the ledger's tree lock is poisoned"))?;
        Ok(work(&tree))
    }

    /// The head in JSON.
    pub async fn tree_head_json(&self) -> Result<TreeHeadJson, StoreError> {
        let head = self.tree_head().await?;
        Ok(TreeHeadJson::new(&head, &self.public.key_id()))
    }

    /// The public key in JSON.
    pub fn key_json(&self) -> Result<KeyJson, StoreError> {
        KeyJson::new(&self.public).map_err(StoreError::internal)
    }

    /// Every leaf of the event with this `eventID` or hash ID, proved against the current
    /// signed head.
    pub async fn inclusion(&self, event_id: &str) -> Result<InclusionProofJson, LedgerError> {
        let leaves = self.store.ledger_leaves_of(event_id).await?;
        if leaves.is_empty() {
            return Err(LedgerError::UnknownEvent(event_id.to_owned()));
        }
        self.prove(event_id, &leaves).await
    }

    /// Checks the one leaf with this index against the current signed head, as a client
    /// given its proof would (the head's signature with this ledger's key, the leaf's hash
    /// recomputed from its stored entry, the audit path from the in-memory tree to the head's
    /// root), without writing the proof out: the passport's "verify this record". The leaf
    /// row is read once and kept, since leaves never change, so once a lot's first can has
    /// been shown its commissioning leaf is checked without a query.
    ///
    /// The check is a function of the leaf's row and the head, so a leaf found to verify
    /// against a head is not checked again against that same head (the kept row remembers
    /// the head's size and root); any other head, a grown tree included, is checked afresh.
    pub async fn check_leaf(&self, leaf_index: u64) -> Result<LeafCheck, LedgerError> {
        let leaf = self.leaf_row(leaf_index).await?;
        let head = self.tree_head().await?;
        let already = leaf
            .verified_against
            .read()
            .is_ok_and(|against| *against == Some((head.tree_size, head.root_hash)));
        let verified = already || {
            let signed = self.head_verified(&head);
            let path =
                self.with_tree(|tree| tree.inclusion_proof(leaf_index, head.tree_size))??;
            let hash = leaf.leaf.row.entry.leaf_hash();
            let verified = signed
                && hash == leaf.leaf.row.leaf_hash
                && anxin_ledger::tree::verify_inclusion(
                    &hash,
                    leaf_index,
                    head.tree_size,
                    &path,
                    &head.root_hash,
                );
            if verified && let Ok(mut against) = leaf.verified_against.write() {
                *against = Some((head.tree_size, head.root_hash));
            }
            verified
        };
        Ok(LeafCheck {
            event_id: leaf.leaf.event_id.clone(),
            proof_path: leaf.proof_path.clone(),
            tree_size: head.tree_size,
            verified,
        })
    }

    /// The leaf row with this index, from what was kept or from the store.
    async fn leaf_row(&self, leaf_index: u64) -> Result<Arc<KeptLeaf>, LedgerError> {
        let kept = self
            .leaves
            .read()
            .ok()
            .and_then(|leaves| leaves.get(&leaf_index).cloned());
        if let Some(leaf) = kept {
            return Ok(leaf);
        }
        let row = self.store.ledger_leaf(leaf_index).await?.ok_or_else(|| {
            LedgerError::UnknownEvent(format!("(the event of leaf {leaf_index})"))
        })?;
        let encoded: String = form_urlencoded::byte_serialize(row.event_id.as_bytes()).collect();
        let leaf = Arc::new(KeptLeaf {
            proof_path: format!("/api/v1/ledger/proof/{encoded}"),
            leaf: row,
            verified_against: RwLock::new(None),
        });
        if let Ok(mut leaves) = self.leaves.write() {
            if leaves.len() >= LEAVES_KEPT_MAX {
                leaves.clear();
            }
            leaves.insert(leaf_index, Arc::clone(&leaf));
        }
        Ok(leaf)
    }

    /// Proves `leaves` (of the event `event_id`) against the current signed head.
    async fn prove(
        &self,
        event_id: &str,
        leaves: &[LedgerLeaf],
    ) -> Result<InclusionProofJson, LedgerError> {
        let head = self.tree_head().await?;
        let proved = self.with_tree(|tree| {
            leaves
                .iter()
                .map(|leaf| {
                    let path = tree.inclusion_proof(leaf.row.leaf_index, head.tree_size)?;
                    Ok(LeafProofJson {
                        leaf_index: leaf.row.leaf_index,
                        leaf_hash: hash_hex(&leaf.row.leaf_hash),
                        entry: LeafEntryJson::new(&leaf.row.entry),
                        audit_path: path.iter().map(hash_hex).collect(),
                    })
                })
                .collect::<Result<Vec<_>, ProofError>>()
        })??;
        Ok(InclusionProofJson {
            event_id: event_id.to_owned(),
            tree_head: TreeHeadJson::new(&head, &self.public.key_id()),
            leaves: proved,
        })
    }

    /// Checks every stored tree head against this server's leaves and key, cheaply enough
    /// for a page request (no event is read): each head's signature, its root recomputed
    /// from the leaf hashes at its size, and a consistency proof from it to the latest head,
    /// built and verified here. Comparing every event with its leaf is the full audit's job
    /// (`anxin_store::ledger::verify`, `anxin ledger verify`).
    pub async fn check_heads(&self) -> Result<HeadsCheck, StoreError> {
        let latest = self.tree_head().await?;
        let heads = self.store.list_tree_heads().await?;
        let mut check = HeadsCheck {
            heads_checked: heads.len(),
            latest_size: latest.tree_size,
            bad_signature: Vec::new(),
            bad_root: Vec::new(),
            bad_consistency: Vec::new(),
        };
        for head in &heads {
            if !head.verify(&self.public) {
                check.bad_signature.push(head.tree_size);
            }
            let outcome = self.with_tree(|tree| {
                let root = tree.root(head.tree_size)?;
                let proof = tree.consistency_proof(head.tree_size, latest.tree_size)?;
                Ok::<_, ProofError>((root, proof))
            })?;
            match outcome {
                Ok((root, proof)) => {
                    if root != head.root_hash {
                        check.bad_root.push(head.tree_size);
                    }
                    if !anxin_ledger::tree::verify_consistency(
                        head.tree_size,
                        latest.tree_size,
                        &head.root_hash,
                        &latest.root_hash,
                        &proof,
                    ) {
                        check.bad_consistency.push(head.tree_size);
                    }
                }
                Err(_) => {
                    check.bad_root.push(head.tree_size);
                    check.bad_consistency.push(head.tree_size);
                }
            }
        }
        Ok(check)
    }

    /// The consistency proof between two sizes of the tree (`to` at most the current size).
    pub async fn consistency(
        &self,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyProofJson, LedgerError> {
        self.catch_up().await?;
        let (proof, from_root, to_root) = self.with_tree(|tree| {
            Ok::<_, ProofError>((
                tree.consistency_proof(from, to)?,
                tree.root(from)?,
                tree.root(to)?,
            ))
        })??;
        Ok(ConsistencyProofJson {
            from,
            to,
            from_root: hash_hex(&from_root),
            to_root: hash_hex(&to_root),
            proof: proof.iter().map(hash_hex).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_reused() {
        let folder = std::env::temp_dir().join(format!("anxin-key-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let (made, fresh) = load_or_create_key(&folder.join("data")).expect("made");
        assert!(fresh);
        let path = folder.join("data").join(KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (again, fresh) = load_or_create_key(&folder.join("data")).expect("read");
        assert!(!fresh);
        assert_eq!(again.public(), made.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = load_or_create_key(&folder.join("data")).unwrap_err();
            assert!(refused.to_string().contains("chmod 600"), "{refused}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(&path, "not a key").unwrap();
        let refused = load_or_create_key(&folder.join("data")).unwrap_err();
        assert!(refused.to_string().contains("PKCS#8"), "{refused}");
        let _ = std::fs::remove_dir_all(&folder);
    }
}
