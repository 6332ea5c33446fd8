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

/// List reviews kept at most: one per pair of dates and department asked for.
const REVIEWS_KEPT: usize = 64;

/// Which list review: its two dates and its department (all when `None`).
pub type ReviewKey = (NaiveDate, NaiveDate, Option<i64>);

/// List reviews, kept like the item figures (they read every item's version history) while the
/// registry is unchanged, one per pair of dates and department.
#[derive(Default)]
pub struct ListReviews(Mutex<KeptReviews>);

/// The version the kept reviews were computed at, and the reviews.
type KeptReviews = (Option<FiguresVersion>, HashMap<ReviewKey, Arc<ListReview>>);

impl ListReviews {
    pub fn get(
        &self,
        conn: &mut DbConnection,
        key: ReviewKey,
    ) -> Result<Arc<ListReview>, ApiError> {
        let version = ItemFigures::version(conn)?;
        {
            let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if cached.0 != Some(version) {
                *cached = (Some(version), HashMap::new());
            }
            if let Some(review) = cached.1.get(&key) {
                return Ok(Arc::clone(review));
            }
        }
        let (from, to, department) = key;
        let review = Arc::new(list_review(conn, from, to, department)?);
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.0 == Some(version) {
            if cached.1.len() >= REVIEWS_KEPT {
                cached.1.clear();
            }
            cached.1.insert(key, Arc::clone(&review));
        }
        Ok(review)
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
