//! `anxin account create|revoke|list|add-location`: accounts, their API tokens and the places
//! their parties own.
//!
//! `create` prints the token once; the store keeps only its SHA-256, so a lost token is
//! replaced by revoking the account and creating a new one. A party owns its own GLN from its
//! account's creation; `add-location` registers another GLN as its place, which lets the
//! party capture events there alone and describe the place in master data (only an owner's
//! description is kept, `anxin_store::ownership`). Nothing here decides what a role may see;
//! that is `anxin_store::access`.

use anxin_store::{NewAccount, PartyGln, RegionCode, Role};
use anyhow::{Context, Result, anyhow};
use clap::Subcommand;

use crate::db::{DbArgs, DbUrl, open, runtime};

/// The account subcommands.
#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account and print its token (shown once).
    Create {
        /// A readable name (`Feihe Qiqihar factory`).
        #[arg(long)]
        name: String,
        /// manufacturer, farm, ingredient-supplier, distributor, retailer, importer,
        /// cross-border-ecommerce, lab, regulator, industry-association, researcher, admin.
        #[arg(long)]
        role: String,
        /// The party's GLN (13 digits, PGLN URN or Digital Link); required for enterprises.
        #[arg(long)]
        party: Option<String>,
        /// GB/T 2260 region code; a regulator's jurisdiction (000000 for national).
        #[arg(long)]
        region: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke an account's token.
    Revoke {
        /// The account number (see `anxin account list`).
        account_id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Register a location (GLN) as a party's own place; refused if another party owns it.
    AddLocation {
        /// The location: a GLN (13 digits), an SGLN EPC URN or a Digital Link (its GLN is taken).
        location: String,
        /// The owning party's GLN (13 digits, PGLN URN or Digital Link).
        #[arg(long)]
        party: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs an account subcommand.
pub fn run(command: AccountCommand) -> Result<u8> {
    runtime()?.block_on(async move {
        match command {
            AccountCommand::Create {
                name,
                role,
                party,
                region,
                db,
            } => create(name, &role, party, region, db).await,
            AccountCommand::Revoke { account_id, db } => revoke(account_id, db).await,
            AccountCommand::List { db } => list(db).await,
            AccountCommand::AddLocation {
                location,
                party,
                db,
            } => add_location(&location, &party, db).await,
        }
    })
}

async fn create(
    name: String,
    role: &str,
    party: Option<String>,
    region: Option<String>,
    db: DbArgs,
) -> Result<u8> {
    let role = Role::parse(role).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|role| role.name()).collect();
        anyhow!("`{role}` is not a role; use one of {}", names.join(", "))
    })?;
    let party = party
        .map(|text| PartyGln::parse(&text))
        .transpose()
        .map_err(|err| anyhow!(err))?;
    let region = region
        .map(|text| RegionCode::parse(&text))
        .transpose()
        .map_err(|err| anyhow!(err))?;
    let store = open(&DbUrl::from_args(&db)?).await?;
    let (account, token) = store
        .create_account(NewAccount {
            name,
            role,
            party,
            region,
        })
        .await
        .context("failed to create the account")?;
    println!(
        "account {} ({}, {})",
        account.account_id, account.name, account.role
    );
    println!("token: {token}");
    eprintln!("keep the token now: it is not stored and cannot be shown again");
    Ok(crate::exit::OK)
}

async fn revoke(account_id: i64, db: DbArgs) -> Result<u8> {
    let store = open(&DbUrl::from_args(&db)?).await?;
    if store
        .revoke_account(account_id)
        .await
        .context("failed to revoke")?
    {
        println!("account {account_id}: token revoked");
        Ok(crate::exit::OK)
    } else {
        eprintln!("no active account {account_id}");
        Ok(crate::exit::INVALID)
    }
}

async fn add_location(location: &str, party: &str, db: DbArgs) -> Result<u8> {
    let location = PartyGln::parse(location).map_err(|err| anyhow!("the location: {err}"))?;
    let party = PartyGln::parse(party).map_err(|err| anyhow!("--party: {err}"))?;
    let store = open(&DbUrl::from_args(&db)?).await?;
    match store.add_party_location(location.as_str(), &party).await {
        Ok(()) => {
            println!("location {location} belongs to party {party}");
            Ok(crate::exit::OK)
        }
        Err(anxin_store::StoreError::ConstraintViolation(reason)) => {
            eprintln!("{reason}");
            Ok(crate::exit::INVALID)
        }
        Err(error) => Err(error).context("failed to register the location"),
    }
}

async fn list(db: DbArgs) -> Result<u8> {
    let store = open(&DbUrl::from_args(&db)?).await?;
    println!(
        "{:>6}  {:<24}  {:<14}  {:<13}  {:<6}  status",
        "id", "role", "name", "party", "region"
    );
    for account in store
        .list_accounts()
        .await
        .context("failed to list accounts")?
    {
        println!(
            "{:>6}  {:<24}  {:<14}  {:<13}  {:<6}  {}",
            account.account_id,
            account.role.name(),
            account.name,
            account.party.as_ref().map_or("-", |party| party.as_str()),
            account
                .region
                .as_ref()
                .map_or("-", |region| region.as_str()),
            if account.revoked_ms.is_some() {
                "revoked"
            } else {
                "active"
            }
        );
    }
    Ok(crate::exit::OK)
}
