//! Figures computed from the whole registry, kept while the data they were computed from
//! stays the same: region tallies (departments and published items per region), the
//! item figures of the statistics page and its list reviews. Each groups every published item (the item figures
//! read the whole change feed too), which a public route must not do on each request; asking
//! whether the data changed costs an index lookup or two.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use quanze_registry::DbConnection;
use quanze_registry::repo::regions::{RegionTallies, TalliesVersion};
use quanze_registry::statistics::{FiguresVersion, ItemFigures, ListReview, list_review};

use crate::error::ApiError;

/// Something computed from the database with a cheap version of the data it comes from.
pub trait Versioned: Sized {
    type Version: PartialEq;
    fn version(conn: &mut DbConnection) -> quanze_registry::Result<Self::Version>;
    fn load(conn: &mut DbConnection) -> quanze_registry::Result<Self>;
}

impl Versioned for RegionTallies {
    type Version = TalliesVersion;
    fn version(conn: &mut DbConnection) -> quanze_registry::Result<TalliesVersion> {
        RegionTallies::version(conn)
    }
    fn load(conn: &mut DbConnection) -> quanze_registry::Result<RegionTallies> {
        RegionTallies::load(conn)
    }
}

impl Versioned for ItemFigures {
    type Version = FiguresVersion;
    fn version(conn: &mut DbConnection) -> quanze_registry::Result<FiguresVersion> {
        ItemFigures::version(conn)
    }
    fn load(conn: &mut DbConnection) -> quanze_registry::Result<ItemFigures> {
        ItemFigures::load(conn)
    }
}

/// The value of the last request, kept while its version stays the same.
pub struct Cached<T: Versioned>(Mutex<Option<(T::Version, Arc<T>)>>);

impl<T: Versioned> Default for Cached<T> {
    fn default() -> Self {
        Cached(Mutex::new(None))
    }
}

impl<T: Versioned> Cached<T> {
    pub fn get(&self, conn: &mut DbConnection) -> Result<Arc<T>, ApiError> {
        let version = T::version(conn)?;
        {
            let cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((v, value)) = cached.as_ref()
                && *v == version
            {
                return Ok(Arc::clone(value));
            }
        }
        // Computed without the lock: two first requests may both compute; neither waits.
        let value = Arc::new(T::load(conn)?);
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((version, Arc::clone(&value)));
        Ok(value)
    }
}

/// Values computed per key (a report's or a review's parameters), kept while the version of
/// the data they come from stays the same, `kept` keys at most (all are dropped past it).
pub struct KeptByKey<V, K, T> {
    kept: usize,
    entries: Mutex<Kept<V, K, T>>,
}

/// The data version the kept values were made at, and the values by key.
type Kept<V, K, T> = (Option<V>, HashMap<K, Arc<T>>);

impl<V: PartialEq + Copy, K: Eq + std::hash::Hash, T> KeptByKey<V, K, T> {
    pub fn new(kept: usize) -> Self {
        KeptByKey {
            kept,
            entries: Mutex::new((None, HashMap::new())),
        }
    }

    /// The value for `key` at data `version`: kept, or made by `make` (without the lock: two
    /// first requests may both make it; neither waits).
    pub fn get(
        &self,
        version: V,
        key: K,
        make: impl FnOnce() -> Result<T, ApiError>,
    ) -> Result<Arc<T>, ApiError> {
        {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            if entries.0 != Some(version) {
                *entries = (Some(version), HashMap::new());
            }
            if let Some(value) = entries.1.get(&key) {
                return Ok(Arc::clone(value));
            }
        }
        let value = Arc::new(make()?);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.0 == Some(version) {
            if entries.1.len() >= self.kept {
                entries.1.clear();
            }
            entries.1.insert(key, Arc::clone(&value));
        }
        Ok(value)
    }
}

/// List reviews kept at most: one per pair of dates and department asked for.
const REVIEWS_KEPT: usize = 64;

/// Which list review: its two dates and its department (all when `None`).
pub type ReviewKey = (NaiveDate, NaiveDate, Option<i64>);

/// List reviews, kept like the item figures (they read every item's version history) while the
/// registry is unchanged, one per pair of dates and department.
pub struct ListReviews(KeptByKey<FiguresVersion, ReviewKey, ListReview>);

impl Default for ListReviews {
    fn default() -> Self {
        ListReviews(KeptByKey::new(REVIEWS_KEPT))
    }
}

impl ListReviews {
    pub fn get(
        &self,
        conn: &mut DbConnection,
        key: ReviewKey,
    ) -> Result<Arc<ListReview>, ApiError> {
        let version = ItemFigures::version(conn)?;
        let (from, to, department) = key;
        self.0.get(version, key, || {
            Ok(list_review(conn, from, to, department)?)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    static DATA_VERSION: AtomicI64 = AtomicI64::new(1);
    static LOADS: AtomicUsize = AtomicUsize::new(0);

    struct Counted(i64);

    impl Versioned for Counted {
        type Version = i64;
        fn version(_: &mut DbConnection) -> quanze_registry::Result<i64> {
            Ok(DATA_VERSION.load(Ordering::SeqCst))
        }
        fn load(_: &mut DbConnection) -> quanze_registry::Result<Counted> {
            LOADS.fetch_add(1, Ordering::SeqCst);
            Ok(Counted(DATA_VERSION.load(Ordering::SeqCst)))
        }
    }

    #[test]
    fn kept_by_key_until_the_version_moves_and_at_most_kept() {
        let kept = KeptByKey::<i64, &str, usize>::new(2);
        let made = std::cell::Cell::new(0);
        let make = || {
            made.set(made.get() + 1);
            Ok(made.get())
        };
        assert_eq!(*kept.get(1, "a", make).unwrap(), 1);
        assert_eq!(*kept.get(1, "a", make).unwrap(), 1, "kept");
        assert_eq!(*kept.get(1, "b", make).unwrap(), 2);
        assert_eq!(*kept.get(2, "a", make).unwrap(), 3, "the data changed");
        assert_eq!(*kept.get(2, "b", make).unwrap(), 4);
        assert_eq!(
            *kept.get(2, "c", make).unwrap(),
            5,
            "past two kept, all dropped"
        );
        assert_eq!(*kept.get(2, "a", make).unwrap(), 6);
    }

    #[test]
    fn computed_again_only_when_the_data_changed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("q.db").display());
        let db = quanze_registry::Database::open(&url).unwrap();
        let conn = &mut *db.conn().unwrap();
        let cache = Cached::<Counted>::default();
        assert_eq!(cache.get(conn).unwrap().0, 1);
        assert_eq!(cache.get(conn).unwrap().0, 1);
        assert_eq!(LOADS.load(Ordering::SeqCst), 1);
        DATA_VERSION.store(2, Ordering::SeqCst);
        assert_eq!(cache.get(conn).unwrap().0, 2);
        assert_eq!(cache.get(conn).unwrap().0, 2);
        assert_eq!(LOADS.load(Ordering::SeqCst), 2);
    }
}
