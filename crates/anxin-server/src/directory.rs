//! The master data a public page names things by (places and products), kept in memory.
//!
//! A product passport names a dozen or more places (the can's journey, the farms and
//! ingredient suppliers of its lot) and its product; asking the store for each on every
//! request was most of a passport's queries. [`MasterData`] keeps each record it has read,
//! with the time it read it and the store handle's count of committed captures then
//! (`LedgerStore::local_commits`; master data arrives only with captured documents). A
//! record is read again once it is older than [`MASTER_DATA_FRESH`] if this server has
//! captured anything since, and otherwise once it is older than [`MASTER_DATA_QUIET`] (only
//! another process writing to the same database can have changed it then). So a place or
//! product renamed in master data captured here shows within a second, and a quiet server
//! does not read its names again every second.
//! Only names and addresses come from here; nothing that decides what a page says about an
//! item's safety (recalls, dispositions, release) does: those come from the events.
//! A record the store does not have is remembered as absent for the same time.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anxin_store::{LocationRecord, ProductRecord, Store, StoreError};

/// How long a master-data record read from the store is used before it is read again; an
/// assumption of ours, one trace tick ([`crate::TRACE_TICK`]), so that names follow
/// captured master data as quickly as the trace graph follows events when idle.
pub const MASTER_DATA_FRESH: Duration = crate::TRACE_TICK;

/// How long a record is used while this server has captured nothing since it was read; an
/// assumption of ours: the bound on how long a rename made by another process (`anxin
/// capture` or `anxin sim --db` on the same database) takes to show.
pub const MASTER_DATA_QUIET: Duration = Duration::from_secs(60);

/// Records kept at most per kind; beyond it the map is emptied and refilled on demand. An
/// assumption of ours, far above the places and products of the large simulated world
/// (a few thousand), bounding memory if ids were ever unbounded.
const KEPT_MAX: usize = 200_000;

/// A kept record: when it was read, the local commit count then, and the record (or its
/// absence). hashbrown's default hasher (foldhash) rather than the standard library's
/// SipHash: the keys are identifiers the store already accepted, and a page looks up a dozen
/// of them.
type Kept<T> = RwLock<hashbrown::HashMap<String, (Instant, Option<u64>, Option<Arc<T>>)>>;

/// Places and products by id, read through from the store.
#[derive(Default)]
pub struct MasterData {
    /// Places as a passport shows them, each kept with the record it was made from.
    views: RwLock<hashbrown::HashMap<String, Arc<PlaceView>>>,
    locations: Kept<LocationRecord>,
    products: Kept<ProductRecord>,
}

impl std::fmt::Debug for MasterData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterData").finish_non_exhaustive()
    }
}

fn kept<T>(map: &Kept<T>, id: &str, now: Instant, commits: Option<u64>) -> Option<Option<Arc<T>>> {
    let map = map.read().ok()?;
    let (read_at, read_commits, record) = map.get(id)?;
    let age = now.duration_since(*read_at);
    // The quiet allowance needs a count: none while a capture is in flight here.
    let quiet = commits.is_some() && *read_commits == commits;
    let fresh = age < MASTER_DATA_FRESH || (quiet && age < MASTER_DATA_QUIET);
    fresh.then(|| record.clone())
}

fn keep<T>(map: &Kept<T>, id: &str, now: Instant, commits: Option<u64>, record: Option<Arc<T>>) {
    if let Ok(mut map) = map.write() {
        if map.len() >= KEPT_MAX {
            map.clear();
        }
        map.insert(id.to_owned(), (now, commits, record));
    }
}

/// A place as a page names it: its record, its city, and both written out as escaped HTML
/// once (` · name (city)`), since a passport's journey shows the same few places on page
/// after page.
#[derive(Debug)]
pub struct PlaceView {
    /// The record it was made from.
    pub record: Arc<LocationRecord>,
    /// The city of its address ([`city_of`]).
    pub city: Option<String>,
    /// ` · name (city)`, escaped; empty when the record has neither.
    pub html: String,
}

/// The name and city part of a journey step (`templates` has the page around it).
#[derive(askama::Template)]
#[template(
    source = "{% if let Some(name) = name %} · {{ name }}{% endif %}{% if let Some(city) = city %} ({{ city }}){% endif %}",
    ext = "html"
)]
struct PlaceFragment<'a> {
    name: Option<&'a str>,
    city: Option<&'a str>,
}

/// The city in a place's address (`province, city, …`), or the address itself.
pub fn city_of(address: &str) -> String {
    // Byte by byte: a searcher for the two-byte ", " was a visible part of a page's cost.
    let bytes = address.as_bytes();
    let after_comma = |from: usize| {
        (from..bytes.len().saturating_sub(1)).find(|&at| bytes[at] == b',' && bytes[at + 1] == b' ')
    };
    let city = match after_comma(0) {
        Some(first) => {
            let rest = &address[first + 2..];
            match after_comma(first + 2) {
                Some(second) => &address[first + 2..second],
                None => rest,
            }
        }
        None => address,
    };
    city.to_owned()
}

impl MasterData {
    /// The place by id as a page shows it ([`PlaceView`]), made again whenever
    /// [`MasterData::location_at`] reads its record again.
    pub async fn place_at(
        &self,
        store: &dyn Store,
        id: &str,
        now: Instant,
    ) -> Result<Option<Arc<PlaceView>>, StoreError> {
        let Some(record) = self.location_at(store, id, now).await? else {
            return Ok(None);
        };
        let kept = self.views.read().ok().and_then(|views| {
            views
                .get(id)
                .filter(|view| Arc::ptr_eq(&view.record, &record))
                .cloned()
        });
        if let Some(view) = kept {
            return Ok(Some(view));
        }
        let city = record.address.as_deref().map(city_of);
        let html = askama::Template::render(&PlaceFragment {
            name: record.name.as_deref(),
            city: city.as_deref(),
        })
        .map_err(StoreError::internal)?;
        let view = Arc::new(PlaceView { record, city, html });
        if let Ok(mut views) = self.views.write() {
            if views.len() >= KEPT_MAX {
                views.clear();
            }
            views.insert(id.to_owned(), Arc::clone(&view));
        }
        Ok(Some(view))
    }

    /// The location (or sub-location) by id, as `Store::get_location` answers it.
    pub async fn location(
        &self,
        store: &dyn Store,
        id: &str,
    ) -> Result<Option<Arc<LocationRecord>>, StoreError> {
        self.location_at(store, id, Instant::now()).await
    }

    /// [`MasterData::location`] at a time the caller read once for several look-ups (a
    /// passport names a dozen places).
    pub async fn location_at(
        &self,
        store: &dyn Store,
        id: &str,
        now: Instant,
    ) -> Result<Option<Arc<LocationRecord>>, StoreError> {
        let commits = store.local_commits();
        if let Some(known) = kept(&self.locations, id, now, commits) {
            return Ok(known);
        }
        let read = store.get_location(id).await?.map(Arc::new);
        keep(&self.locations, id, now, commits, read.clone());
        Ok(read)
    }

    /// The product by id, as `Store::get_product` answers it.
    pub async fn product(
        &self,
        store: &dyn Store,
        id: &str,
    ) -> Result<Option<Arc<ProductRecord>>, StoreError> {
        let now = Instant::now();
        let commits = store.local_commits();
        if let Some(known) = kept(&self.products, id, now, commits) {
            return Ok(known);
        }
        let read = store.get_product(id).await?.map(Arc::new);
        keep(&self.products, id, now, commits, read.clone());
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::city_of;

    #[test]
    fn the_city_is_the_second_part_of_an_address() {
        assert_eq!(city_of("浙江省, 宁波市, 海曙区 1 号"), "宁波市");
        assert_eq!(city_of("浙江省, 宁波市"), "宁波市");
        assert_eq!(city_of("法国 初康"), "法国 初康");
        assert_eq!(city_of("a,b, c"), "c");
        assert_eq!(city_of("x, "), "");
        assert_eq!(city_of(""), "");
        for address in [
            "浙江省, 宁波市, 海曙区",
            "a, b, c, d",
            "no comma",
            "a,, b",
            ", x, y",
        ] {
            let split = address.split(", ").nth(1).unwrap_or(address);
            assert_eq!(city_of(address), split, "{address}");
        }
    }
}
