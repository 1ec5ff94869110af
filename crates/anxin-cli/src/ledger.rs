//! `anxin ledger verify|proof|sth`: the tamper-evident ledger from the command line.
//!
//! `verify` re-computes every leaf from the stored events, every signed head's root, and
//! every signature (with the public half of the key in the data folder, or `--public-key`),
//! and exits 1 naming the first mismatch: leaf index, event, and which field differs.
//! `proof` prints an event's inclusion proof; `sth` prints the signed tree head, signing a
//! new one if the ledger has grown. Both use the data folder's key, making it on first use.
//!
//! The data folder is `--data DIR`, else `$ANXIN_DATA`, else the folder of the SQLite file,
//! else `./anxin-data` (see [`data_folder`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anxin_ledger::api::{InclusionProofJson, TreeHeadJson};
use anxin_ledger::{AuditReport, Mismatch, PublicKey};
use anxin_server::ledger::{KEY_FILE, Ledger, LedgerError, load_or_create_key};
use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use comfy_table::Table;

use crate::db::{DbArgs, DbUrl, open, runtime};

/// The default data folder (it holds the SQLite file and the ledger key).
pub const DEFAULT_DATA: &str = "anxin-data";

/// The `--data` option.
#[derive(Args, Clone, Debug)]
pub struct DataArgs {
    /// The data folder holding the ledger's key (`ledger-key.pem`). Defaults to $ANXIN_DATA,
    /// then to the folder of the SQLite file, then to ./anxin-data.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// The data folder for these options and this database.
pub fn data_folder(args: &DataArgs, url: &DbUrl) -> PathBuf {
    if let Some(dir) = &args.data {
        return dir.clone();
    }
    if let Ok(dir) = std::env::var("ANXIN_DATA")
        && !dir.trim().is_empty()
    {
        return PathBuf::from(dir);
    }
    match url {
        DbUrl::Sqlite(path) => match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        },
        DbUrl::Postgres(_) => PathBuf::from(DEFAULT_DATA),
    }
}

/// How results are printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// JSON (the API's shapes).
    Json,
    /// CSV with a header row.
    Csv,
}

/// The ledger subcommands.
#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Re-compute the whole ledger from the stored events; exit 1 naming the first mismatch.
    Verify {
        /// Check tree heads with this public key (SubjectPublicKeyInfo PEM) instead of the
        /// data folder's key.
        #[arg(long, value_name = "PEM_FILE")]
        public_key: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the inclusion proof of an event (by eventID or hash ID).
    Proof {
        /// The event's `eventID` or CBV 2.0 hash ID.
        event_id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print the signed tree head (signing a new one if the ledger has grown).
    Sth {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// Runs a ledger subcommand.
pub fn run(command: LedgerCommand) -> Result<u8> {
    runtime()?.block_on(async move {
        match command {
            LedgerCommand::Verify {
                public_key,
                format,
                db,
                data,
            } => verify(public_key.as_deref(), format, db, data).await,
            LedgerCommand::Proof {
                event_id,
                format,
                db,
                data,
            } => proof(&event_id, format, db, data).await,
            LedgerCommand::Sth { format, db, data } => sth(format, db, data).await,
        }
    })
}

/// The public key to check heads with: `--public-key`, else the data folder's key file if
/// there is one (never made here: verifying must not create a key).
fn verifying_key(public_key: Option<&Path>, folder: &Path) -> Result<Option<PublicKey>> {
    if let Some(path) = public_key {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        return PublicKey::from_pem(&pem)
            .map(Some)
            .map_err(|err| anyhow!("{}: {err}", path.display()));
    }
    if !folder.join(KEY_FILE).exists() {
        return Ok(None);
    }
    let (key, _) = load_or_create_key(folder)?;
    Ok(Some(key.public()))
}

async fn verify(
    public_key: Option<&Path>,
    format: Format,
    db: DbArgs,
    data: DataArgs,
) -> Result<u8> {
    let url = DbUrl::from_args(&db)?;
    let folder = data_folder(&data, &url);
    let key = verifying_key(public_key, &folder)?;
    let store = open(&url).await?;
    let outcome = anxin_store::ledger::verify(&*store, key.as_ref())
        .await
        .context("the store failed while the ledger was read")?;
    print_verdict(&outcome, format)?;
    Ok(match outcome {
        Ok(_) => crate::exit::OK,
        Err(_) => crate::exit::INVALID,
    })
}

fn print_verdict(outcome: &Result<AuditReport, Mismatch>, format: Format) -> Result<()> {
    match (outcome, format) {
        (Ok(report), Format::Json) => println!(
            "{}",
            serde_json::json!({
                "verified": true,
                "leaves": report.leaves,
                "rootHash": hex_of(&report.root_hash),
                "treeHeads": report.heads,
            })
        ),
        (Err(mismatch), Format::Json) => println!(
            "{}",
            serde_json::json!({
                "verified": false,
                "leafIndex": mismatch.leaf_index,
                "eventSeq": mismatch.event_seq,
                "hashID": mismatch.hash_id,
                "field": mismatch.field.name(),
                "detail": mismatch.detail,
            })
        ),
        (Ok(report), Format::Table) => {
            let mut table = Table::new();
            table.set_header(["verified", "leaves", "root hash", "signed heads checked"]);
            table.add_row([
                "yes".to_owned(),
                report.leaves.to_string(),
                hex_of(&report.root_hash),
                report.heads.to_string(),
            ]);
            println!("{table}");
        }
        (Err(mismatch), Format::Table) => {
            let mut table = Table::new();
            table.set_header(["leaf", "event", "hash ID", "field", "what differs"]);
            table.add_row(mismatch_cells(mismatch));
            println!("{table}");
            eprintln!("the ledger does not verify: {mismatch}");
        }
        (Ok(report), Format::Csv) => {
            println!("verified,leaves,root_hash,tree_heads");
            println!(
                "yes,{},{},{}",
                report.leaves,
                hex_of(&report.root_hash),
                report.heads
            );
        }
        (Err(mismatch), Format::Csv) => {
            println!("verified,leaf_index,event_seq,hash_id,field,detail");
            let cells = mismatch_cells(mismatch);
            println!(
                "no,{}",
                cells
                    .iter()
                    .map(|cell| csv(cell))
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
    }
    Ok(())
}

fn mismatch_cells(mismatch: &Mismatch) -> [String; 5] {
    [
        mismatch
            .leaf_index
            .map_or_else(String::new, |index| index.to_string()),
        mismatch
            .event_seq
            .map_or_else(String::new, |seq| seq.to_string()),
        mismatch.hash_id.clone().unwrap_or_default(),
        mismatch.field.name().to_owned(),
        mismatch.detail.clone(),
    ]
}

fn hex_of(hash: &[u8; 32]) -> String {
    anxin_ledger::api::hash_hex(hash)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

async fn open_ledger(db: &DbArgs, data: &DataArgs) -> Result<Ledger> {
    let url = DbUrl::from_args(db)?;
    let folder = data_folder(data, &url);
    let (key, made) = load_or_create_key(&folder)?;
    if made {
        eprintln!(
            "made the ledger's signing key {} (key ID {})",
            folder.join(KEY_FILE).display(),
            key.public().key_id()
        );
    }
    let store = open(&url).await?;
    let store: Arc<dyn anxin_store::LedgerStore> = store;
    Ledger::open(store, key)
        .await
        .context("failed to read the ledger")
}

async fn proof(event_id: &str, format: Format, db: DbArgs, data: DataArgs) -> Result<u8> {
    let ledger = open_ledger(&db, &data).await?;
    let proof = match ledger.inclusion(event_id).await {
        Ok(proof) => proof,
        Err(error @ LedgerError::UnknownEvent(_)) => {
            eprintln!("error: {error}");
            return Ok(crate::exit::INVALID);
        }
        Err(error) => return Err(error.into()),
    };
    print_proof(&proof, format)?;
    Ok(crate::exit::OK)
}

fn print_proof(proof: &InclusionProofJson, format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(proof)?),
        Format::Table => {
            print_head(&proof.tree_head, Format::Table);
            for leaf in &proof.leaves {
                let mut table = Table::new();
                table.set_header(["leaf", "field", "value"]);
                let index = leaf.leaf_index.to_string();
                let rows = [
                    ("hash ID", leaf.entry.hash_id.clone()),
                    ("record time (ms)", leaf.entry.record_time_ms.to_string()),
                    (
                        "capturing party",
                        leaf.entry.capturing_party.clone().unwrap_or_default(),
                    ),
                    ("body SHA-256", leaf.entry.body_sha256.clone()),
                    ("leaf hash", leaf.leaf_hash.clone()),
                ];
                for (name, value) in rows {
                    table.add_row([index.clone(), name.to_owned(), value]);
                }
                for (step, hash) in leaf.audit_path.iter().enumerate() {
                    table.add_row([index.clone(), format!("audit path {step}"), hash.clone()]);
                }
                println!("{table}");
            }
        }
        Format::Csv => {
            println!(
                "tree_size,root_hash,leaf_index,leaf_hash,hash_id,record_time_ms,capturing_party,body_sha256,step,audit_hash"
            );
            for leaf in &proof.leaves {
                let prefix = format!(
                    "{},{},{},{},{},{},{},{}",
                    proof.tree_head.tree_size,
                    proof.tree_head.root_hash,
                    leaf.leaf_index,
                    leaf.leaf_hash,
                    csv(&leaf.entry.hash_id),
                    leaf.entry.record_time_ms,
                    csv(leaf.entry.capturing_party.as_deref().unwrap_or("")),
                    leaf.entry.body_sha256,
                );
                if leaf.audit_path.is_empty() {
                    println!("{prefix},,");
                }
                for (step, hash) in leaf.audit_path.iter().enumerate() {
                    println!("{prefix},{step},{hash}");
                }
            }
        }
    }
    Ok(())
}

fn print_head(head: &TreeHeadJson, format: Format) {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(head).unwrap_or_default()),
        Format::Table => {
            let mut table = Table::new();
            table.set_header(["tree size", "root hash", "signed at (ms)", "key ID"]);
            table.add_row([
                head.tree_size.to_string(),
                head.root_hash.clone(),
                head.timestamp_ms.to_string(),
                head.key_id.clone(),
            ]);
            println!("{table}");
        }
        Format::Csv => {
            println!("tree_size,root_hash,timestamp_ms,key_id,signature");
            println!(
                "{},{},{},{},{}",
                head.tree_size, head.root_hash, head.timestamp_ms, head.key_id, head.signature
            );
        }
    }
}

async fn sth(format: Format, db: DbArgs, data: DataArgs) -> Result<u8> {
    let ledger = open_ledger(&db, &data).await?;
    let head = ledger
        .tree_head_json()
        .await
        .context("failed to sign the tree head")?;
    print_head(&head, format);
    Ok(crate::exit::OK)
}
