//! The tree against RFC 6962/9162 reference vectors (transparency-dev/merkle's test leaves,
//! roots and proofs), against a brute-force reading of the RFC written here independently,
//! and against ct-merkle's verifiers.

use anxin_ledger::tree::{
    Hash, RootBuilder, Tree, empty_root, leaf_hash, node_hash, verify_consistency, verify_inclusion,
};
use sha2::Sha256;

fn h(text: &str) -> Hash {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).unwrap();
    out
}

/// transparency-dev/merkle testonly: the eight reference leaves.
fn reference_leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|text| hex::decode(text).unwrap())
    .collect()
}

/// The reference roots for sizes 1..=8.
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn reference_tree() -> Tree {
    Tree::from_leaf_hashes(reference_leaves().iter().map(|leaf| leaf_hash(leaf)))
}

#[test]
fn hashing_is_rfc_6962s() {
    assert_eq!(
        empty_root(),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    // The leaf hash of the empty leaf is the size-1 root.
    assert_eq!(leaf_hash(b""), h(ROOTS[0]));
    let leaves = reference_leaves();
    assert_eq!(
        node_hash(&leaf_hash(&leaves[0]), &leaf_hash(&leaves[1])),
        h(ROOTS[1])
    );
}

#[test]
fn roots_match_the_reference_for_every_size() {
    let tree = reference_tree();
    assert_eq!(tree.root(0).unwrap(), empty_root());
    let mut builder = RootBuilder::new();
    assert_eq!(builder.root(), empty_root());
    for (size, leaf) in reference_leaves().iter().enumerate() {
        builder.push(leaf_hash(leaf));
        let size = size as u64 + 1;
        assert_eq!(
            tree.root(size).unwrap(),
            h(ROOTS[size as usize - 1]),
            "size {size}"
        );
        assert_eq!(
            builder.root(),
            h(ROOTS[size as usize - 1]),
            "builder, size {size}"
        );
    }
}

#[test]
fn proofs_match_the_reference_vectors() {
    let tree = reference_tree();
    let cases: [(u64, u64, &[&str]); 2] = [
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    for (index, size, path) in cases {
        let expected: Vec<Hash> = path.iter().map(|text| h(text)).collect();
        assert_eq!(tree.inclusion_proof(index, size).unwrap(), expected);
    }
    let cases: [(u64, u64, &[&str]); 3] = [
        (
            2,
            8,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (from, to, proof) in cases {
        let expected: Vec<Hash> = proof.iter().map(|text| h(text)).collect();
        assert_eq!(tree.consistency_proof(from, to).unwrap(), expected);
        assert!(verify_consistency(
            from,
            to,
            &tree.root(from).unwrap(),
            &tree.root(to).unwrap(),
            &expected
        ));
    }
}

/// The RFC's definitions read literally, over a slice, with no cache.
mod brute {
    use super::*;

    fn k(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    pub fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => d[0],
            n => node_hash(&mth(&d[..k(n)]), &mth(&d[k(n)..])),
        }
    }

    pub fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
        let n = d.len();
        if n <= 1 {
            return Vec::new();
        }
        let k = k(n);
        if m < k {
            let mut out = path(m, &d[..k]);
            out.push(mth(&d[k..]));
            out
        } else {
            let mut out = path(m - k, &d[k..]);
            out.push(mth(&d[..k]));
            out
        }
    }

    pub fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { Vec::new() } else { vec![mth(d)] };
        }
        let k = k(n);
        if m <= k {
            let mut out = subproof(m, &d[..k], b);
            out.push(mth(&d[k..]));
            out
        } else {
            let mut out = subproof(m - k, &d[k..], false);
            out.push(mth(&d[..k]));
            out
        }
    }
}

fn ct_root(root: &Hash, size: u64) -> ct_merkle::RootHash<Sha256> {
    ct_merkle::RootHash::new((*root).into(), size)
}

fn digests(hashes: &[Hash]) -> Vec<sha2::digest::Output<Sha256>> {
    hashes.iter().map(|hash| (*hash).into()).collect()
}

#[test]
fn every_proof_up_to_size_40_agrees_with_brute_force_and_ct_merkle() {
    let data: Vec<Vec<u8>> = (0u32..40)
        .map(|i| i.to_be_bytes().repeat(i as usize % 3 + 1))
        .collect();
    let hashes: Vec<Hash> = data.iter().map(|leaf| leaf_hash(leaf)).collect();
    let tree = Tree::from_leaf_hashes(hashes.iter().copied());
    for size in 1..=hashes.len() {
        let d = &hashes[..size];
        let root = tree.root(size as u64).unwrap();
        assert_eq!(root, brute::mth(d), "root at {size}");
        let ct = ct_root(&root, size as u64);
        for index in 0..size {
            let path = tree.inclusion_proof(index as u64, size as u64).unwrap();
            assert_eq!(path, brute::path(index, d), "path {index} at {size}");
            assert!(verify_inclusion(
                &d[index],
                index as u64,
                size as u64,
                &path,
                &root
            ));
            let proof = ct_merkle::InclusionProof::<Sha256>::from_digests(digests(&path).iter());
            ct.verify_inclusion(&data[index], index as u64, &proof)
                .unwrap_or_else(|err| panic!("ct-merkle refused path {index} at {size}: {err:?}"));
            // Altered: another leaf, another index, a flipped bit, a missing or extra hash.
            let other = leaf_hash(b"not a leaf");
            assert!(!verify_inclusion(
                &other,
                index as u64,
                size as u64,
                &path,
                &root
            ));
            if size > 1 {
                let moved = (index + 1) % size;
                assert!(!verify_inclusion(
                    &d[index],
                    moved as u64,
                    size as u64,
                    &path,
                    &root
                ));
                let mut flipped = path.clone();
                flipped[0][0] ^= 1;
                assert!(!verify_inclusion(
                    &d[index],
                    index as u64,
                    size as u64,
                    &flipped,
                    &root
                ));
                assert!(!verify_inclusion(
                    &d[index],
                    index as u64,
                    size as u64,
                    &path[..path.len() - 1],
                    &root
                ));
            }
            let mut longer = path.clone();
            longer.push(root);
            assert!(!verify_inclusion(
                &d[index],
                index as u64,
                size as u64,
                &longer,
                &root
            ));
            assert!(!verify_inclusion(
                &d[index],
                size as u64,
                size as u64,
                &path,
                &root
            ));
        }
        for from in 1..=size {
            let proof = tree.consistency_proof(from as u64, size as u64).unwrap();
            let old_root = tree.root(from as u64).unwrap();
            if from < size {
                assert_eq!(proof, brute::subproof(from, d, true), "{from} → {size}");
                let ct_proof =
                    ct_merkle::ConsistencyProof::<Sha256>::from_digests(digests(&proof).iter());
                ct.verify_consistency(&ct_root(&old_root, from as u64), &ct_proof)
                    .unwrap_or_else(|err| panic!("ct-merkle refused {from} → {size}: {err:?}"));
            } else {
                assert!(proof.is_empty());
            }
            assert!(verify_consistency(
                from as u64,
                size as u64,
                &old_root,
                &root,
                &proof
            ));
            let wrong_old = leaf_hash(b"another history");
            assert!(!verify_consistency(
                from as u64,
                size as u64,
                &wrong_old,
                &root,
                &proof
            ));
            assert!(!verify_consistency(
                from as u64,
                size as u64,
                &old_root,
                &wrong_old,
                &proof
            ));
            if !proof.is_empty() {
                let mut flipped = proof.clone();
                let last = flipped.len() - 1;
                flipped[last][31] ^= 0x80;
                assert!(!verify_consistency(
                    from as u64,
                    size as u64,
                    &old_root,
                    &root,
                    &flipped
                ));
                assert!(!verify_consistency(
                    from as u64,
                    size as u64,
                    &old_root,
                    &root,
                    &proof[..last]
                ));
            }
        }
    }
}

#[test]
fn out_of_range_requests_are_errors_not_panics() {
    let tree = reference_tree();
    assert!(tree.root(9).is_err());
    assert!(tree.inclusion_proof(8, 8).is_err());
    assert!(tree.inclusion_proof(0, 9).is_err());
    assert!(tree.inclusion_proof(0, 0).is_err());
    assert!(tree.consistency_proof(5, 4).is_err());
    assert!(tree.consistency_proof(1, 9).is_err());
    assert_eq!(tree.consistency_proof(0, 8).unwrap(), Vec::<Hash>::new());
    assert!(Tree::new().inclusion_proof(0, 0).is_err());
    assert!(!verify_inclusion(&[0; 32], 0, 0, &[], &empty_root()));
    assert!(verify_consistency(
        0,
        8,
        &empty_root(),
        &tree.root(8).unwrap(),
        &[]
    ));
    assert!(!verify_consistency(3, 2, &[0; 32], &[0; 32], &[]));
}

#[test]
fn a_large_tree_answers_past_sizes() {
    let hashes: Vec<Hash> = (0u32..5000).map(|i| leaf_hash(&i.to_le_bytes())).collect();
    let tree = Tree::from_leaf_hashes(hashes.iter().copied());
    for size in [1u64, 2, 3, 1000, 1023, 1024, 1025, 4097, 5000] {
        let root = tree.root(size).unwrap();
        assert_eq!(root, brute::mth(&hashes[..size as usize]));
        for index in [0, size / 3, size - 1] {
            let path = tree.inclusion_proof(index, size).unwrap();
            assert!(verify_inclusion(
                &hashes[index as usize],
                index,
                size,
                &path,
                &root
            ));
        }
        let proof = tree.consistency_proof(size, 5000).unwrap();
        assert!(verify_consistency(
            size,
            5000,
            &root,
            &tree.root(5000).unwrap(),
            &proof
        ));
    }
    assert!(tree.hash_bytes() >= 5000 * 32 * 2 - 64);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Random sizes up to 3,000: the cached tree's roots and proofs are the RFC's, and they
    /// verify.
    #[test]
    fn random_trees_agree_with_the_rfc(size in 1u64..3000, pick in 0u64..u64::MAX, old in 0u64..u64::MAX) {
        let hashes: Vec<Hash> = (0..size).map(|i| leaf_hash(&(i ^ 0x5a5a).to_le_bytes())).collect();
        let tree = Tree::from_leaf_hashes(hashes.iter().copied());
        let root = tree.root(size).unwrap();
        proptest::prop_assert_eq!(root, brute::mth(&hashes));
        let index = pick % size;
        let path = tree.inclusion_proof(index, size).unwrap();
        proptest::prop_assert_eq!(&path, &brute::path(index as usize, &hashes));
        proptest::prop_assert!(verify_inclusion(&hashes[index as usize], index, size, &path, &root));
        let from = old % size + 1;
        let proof = tree.consistency_proof(from, size).unwrap();
        if from < size {
            proptest::prop_assert_eq!(&proof, &brute::subproof(from as usize, &hashes, true));
        }
        proptest::prop_assert!(verify_consistency(from, size, &tree.root(from).unwrap(), &root, &proof));
    }
}
