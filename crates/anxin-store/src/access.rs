//! Who may see and capture what: accounts, roles, jurisdictions and API tokens.
//!
//! An [`Account`] becomes a [`Viewer`] once its token is checked; every store read takes a
//! viewer and the backends turn its [`Scope`] into a SQL predicate, so access is enforced in
//! the same statement that reads the rows. This module holds the rules and the token
//! arithmetic; it does not read or write accounts (that is [`crate::AccountStore`]).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::StoreError;

/// What an account is for. Enterprise roles capture and see their own records; the others
/// read.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Role {
    /// An infant-formula manufacturer.
    Manufacturer,
    /// A dairy farm.
    Farm,
    /// A supplier of ingredients (whey, lactose, oils, premixes).
    IngredientSupplier,
    /// A distributor or wholesaler.
    Distributor,
    /// A shop or pharmacy.
    Retailer,
    /// An importer of foreign-made formula.
    Importer,
    /// A cross-border e-commerce platform.
    CrossBorderEcommerce,
    /// A testing laboratory.
    Lab,
    /// A market regulator, with a jurisdiction.
    Regulator,
    /// An industry association.
    IndustryAssociation,
    /// A researcher.
    Researcher,
    /// The platform's administrator.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 12] = [
        Role::Manufacturer,
        Role::Farm,
        Role::IngredientSupplier,
        Role::Distributor,
        Role::Retailer,
        Role::Importer,
        Role::CrossBorderEcommerce,
        Role::Lab,
        Role::Regulator,
        Role::IndustryAssociation,
        Role::Researcher,
        Role::Admin,
    ];

    /// The written name (`ingredient-supplier`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Manufacturer => "manufacturer",
            Role::Farm => "farm",
            Role::IngredientSupplier => "ingredient-supplier",
            Role::Distributor => "distributor",
            Role::Retailer => "retailer",
            Role::Importer => "importer",
            Role::CrossBorderEcommerce => "cross-border-ecommerce",
            Role::Lab => "lab",
            Role::Regulator => "regulator",
            Role::IndustryAssociation => "industry-association",
            Role::Researcher => "researcher",
            Role::Admin => "admin",
        }
    }

    /// The role with this written name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.name() == text.trim())
    }

    /// True for the roles that speak for an enterprise (and so need a party GLN).
    pub fn is_enterprise(self) -> bool {
        !matches!(
            self,
            Role::Regulator | Role::IndustryAssociation | Role::Researcher | Role::Admin
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A GB/T 2260 administrative region code: six digits, province (2), city (2), county (2).
/// `000000` is the whole country.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct RegionCode([u8; 6]);

impl RegionCode {
    /// The whole country.
    pub const NATIONAL: RegionCode = RegionCode(*b"000000");

    /// Reads six ASCII digits.
    pub fn parse(text: &str) -> Result<RegionCode, String> {
        let bytes: [u8; 6] = text.trim().as_bytes().try_into().map_err(|_| {
            format!("`{text}` is not a GB/T 2260 region code (six digits, e.g. 440300)")
        })?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(format!(
                "`{text}` is not a GB/T 2260 region code (six digits)"
            ));
        }
        Ok(RegionCode(bytes))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    /// The significant prefix: `44` for a province (440000), `4403` for a city (440300),
    /// all six digits for a county, empty for the nation.
    pub fn prefix(&self) -> &str {
        let text = self.as_str();
        let mut end = 6;
        while end > 0 && &text[end - 2..end] == "00" {
            end -= 2;
        }
        &text[..end]
    }

    /// True when `region` lies within this one (a county within its city and province).
    pub fn contains(&self, region: &RegionCode) -> bool {
        region.as_str().starts_with(self.prefix())
    }

    /// The smallest and largest codes within this region, for a range predicate in SQL.
    pub fn code_range(&self) -> (String, String) {
        let prefix = self.prefix();
        let pad = 6 - prefix.len();
        (
            format!("{prefix}{}", "0".repeat(pad)),
            format!("{prefix}{}", "9".repeat(pad)),
        )
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 13-digit GLN naming a party (the `--party` of an enterprise account).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PartyGln(String);

impl PartyGln {
    /// Reads a GLN given as 13 digits, a PGLN/SGLN EPC URN or a Digital Link.
    pub fn parse(text: &str) -> Result<PartyGln, String> {
        let text = text.trim();
        if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
            return anxin_gs1::Gln::parse(text)
                .map(|gln| PartyGln(gln.as_str().to_owned()))
                .map_err(|err| format!("`{text}` is not a GLN: {err}"));
        }
        crate::prepare::gln_of(text)
            .map(PartyGln)
            .ok_or_else(|| format!("`{text}` is not a GLN, a PGLN or an SGLN"))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartyGln {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored account. The token itself is never kept, only its SHA-256.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Account {
    /// The account's number.
    pub account_id: i64,
    /// A readable name (`Feihe Qiqihar factory`).
    pub name: String,
    /// What it is for.
    pub role: Role,
    /// The party it speaks for (enterprise roles).
    pub party: Option<PartyGln>,
    /// The region it is in or, for a regulator, its jurisdiction.
    pub region: Option<RegionCode>,
    /// When it was created (Unix milliseconds).
    pub created_ms: i64,
    /// When its token was revoked, if it was.
    pub revoked_ms: Option<i64>,
}

/// What [`crate::AccountStore::create_account`] needs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NewAccount {
    /// A readable name.
    pub name: String,
    /// The role.
    pub role: Role,
    /// The party, required for enterprise roles.
    pub party: Option<PartyGln>,
    /// The region; required for a regulator (its jurisdiction; `000000` for national).
    pub region: Option<RegionCode>,
}

impl NewAccount {
    /// Checks that the role has what it needs: a party for an enterprise, a jurisdiction
    /// for a regulator.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.name.trim().is_empty() {
            return Err(StoreError::ConstraintViolation(
                "an account needs a name".into(),
            ));
        }
        if self.role.is_enterprise() && self.party.is_none() {
            return Err(StoreError::ConstraintViolation(format!(
                "a {} account needs a party GLN (--party)",
                self.role
            )));
        }
        if self.role == Role::Regulator && self.region.is_none() {
            return Err(StoreError::ConstraintViolation(
                "a regulator account needs a jurisdiction (--region, 000000 for national)".into(),
            ));
        }
        Ok(())
    }
}

/// What a viewer may see of the events.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Scope {
    /// Everything (admin).
    Everything,
    /// Events the party captured, and events naming its locations or itself as read point,
    /// business location, source or destination.
    Party(PartyGln),
    /// Events at locations whose master data puts them in the region.
    Jurisdiction(RegionCode),
    /// No individual events (industry associations and researchers read statistics, which
    /// are not served by this store).
    Nothing,
}

/// An authenticated account, as the store sees the caller of a read or a capture.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Viewer {
    /// The account.
    pub account: Account,
}

impl Viewer {
    /// The viewer for an account.
    pub fn new(account: Account) -> Viewer {
        Viewer { account }
    }

    /// What this viewer may see.
    pub fn scope(&self) -> Scope {
        match (self.account.role, &self.account.party, self.account.region) {
            (Role::Admin, _, _) => Scope::Everything,
            (Role::Regulator, _, Some(region)) => Scope::Jurisdiction(region),
            (role, Some(party), _) if role.is_enterprise() => Scope::Party(party.clone()),
            _ => Scope::Nothing,
        }
    }

    /// True when reads by this viewer are written to the access log (regulators).
    pub fn reads_are_logged(&self) -> bool {
        self.account.role == Role::Regulator
    }

    /// The party this viewer captures as, or why it may not capture.
    pub fn capturing_party(&self) -> Result<Option<&PartyGln>, StoreError> {
        match self.account.role {
            Role::Admin => Ok(None),
            role if role.is_enterprise() => Ok(self.account.party.as_ref()),
            role => Err(StoreError::Forbidden(format!(
                "a {role} account reads records; it does not capture them"
            ))),
        }
    }
}

/// The prefix of every API token, so that a leaked one is easy to find in logs and code.
pub const TOKEN_PREFIX: &str = "ax_";

/// A new random API token: `ax_` and 64 hex digits (256 bits from the operating system).
pub fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::internal(format!("no randomness for a token: {err}")))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The SHA-256 of a token, the only form in which tokens are stored. A plain hash is enough
/// because the token carries 256 random bits; there is nothing to guess.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_contains_its_counties_and_not_its_neighbours() {
        let shenzhen = RegionCode::parse("440300").unwrap();
        assert!(shenzhen.contains(&RegionCode::parse("440305").unwrap()));
        assert!(!shenzhen.contains(&RegionCode::parse("440100").unwrap()));
        assert!(RegionCode::NATIONAL.contains(&RegionCode::parse("230100").unwrap()));
        assert_eq!(shenzhen.code_range(), ("440300".into(), "440399".into()));
        assert_eq!(RegionCode::parse("440000").unwrap().prefix(), "44");
    }

    #[test]
    fn tokens_are_prefixed_and_hash_to_32_bytes() {
        let token = new_token().unwrap();
        assert!(token.starts_with("ax_") && token.len() == 67);
        assert_eq!(token_hash(&token).len(), 32);
        assert_ne!(new_token().unwrap(), token);
    }

    #[test]
    fn a_regulator_without_a_jurisdiction_is_refused() {
        let account = NewAccount {
            name: "SAMR Shenzhen".into(),
            role: Role::Regulator,
            party: None,
            region: None,
        };
        assert!(matches!(
            account.check(),
            Err(StoreError::ConstraintViolation(_))
        ));
    }
}
