//! The ledger's size, without a database read on every request.
//!
//! The trace graph and the ledger's tree follow the store's leaves; before each answer they
//! need to know whether the ledger grew. Asking the database each time was one query per
//! passport, the largest fixed cost of a public page. [`SizeWatch`] remembers the size it
//! last read beside the store handle's count of its own committed captures
//! (`LedgerStore::local_commits`) and reads the size again only when that count moved or a
//! capture is in flight (a capture through this server: answered at once, so a recall shows
//! on the very next page, even to a client that asks the moment its job finished)
//! or when its reading is older than [`SIZE_FRESH`] (a capture by another process writing to
//! the same database, such as `anxin capture` beside a running server).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anxin_store::{LedgerStore, StoreError};

/// How long a size read from the database is trusted while this process has committed no
/// capture; an assumption of ours, short beside a person's reaction time and long beside a
/// request, so a busy server reads it a few times a second instead of once per request.
pub const SIZE_FRESH: Duration = Duration::from_millis(100);

/// What was read last: the local commit count before the read, when, and the size.
#[derive(Clone, Copy)]
struct Reading {
    commits: u64,
    at: Instant,
    size: u64,
}

/// The ledger's size as last read, read again only when it may have changed.
#[derive(Default)]
pub struct SizeWatch {
    last: Mutex<Option<Reading>>,
}

impl std::fmt::Debug for SizeWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SizeWatch").finish_non_exhaustive()
    }
}

impl SizeWatch {
    /// The ledger's size: the remembered one while this process has committed nothing since
    /// it was read and it is younger than [`SIZE_FRESH`], else read from the store.
    pub async fn size(&self, store: &dyn LedgerStore) -> Result<u64, StoreError> {
        // The count is taken before the read: a capture committing during the read moves it
        // past what is remembered, so the next caller reads again. While a capture through
        // this handle is in flight there is no count, and nothing is trusted or kept.
        let Some(commits) = store.local_commits() else {
            return store.ledger_size().await;
        };
        let now = Instant::now();
        if let Some(last) = self.remembered()
            && last.commits == commits
            && now.duration_since(last.at) < SIZE_FRESH
        {
            return Ok(last.size);
        }
        let size = store.ledger_size().await?;
        if let Ok(mut last) = self.last.lock() {
            // Two readers may race; keep the later reading (sizes only grow).
            let newer = last.is_none_or(|kept| kept.commits <= commits && kept.size <= size);
            if newer {
                *last = Some(Reading {
                    commits,
                    at: now,
                    size,
                });
            }
        }
        Ok(size)
    }

    fn remembered(&self) -> Option<Reading> {
        self.last.lock().ok().and_then(|last| *last)
    }
}
