//! Region tallies (departments and published items per region), cached while the data they
//! were counted from stays the same.

use std::sync::{Arc, Mutex, PoisonError};

use quanze_registry::DbConnection;
use quanze_registry::repo::regions::{RegionTallies, TalliesVersion};

use crate::error::ApiError;

/// The region tallies of the last request, kept while the data they were counted from stays
/// the same: counting groups every department and every published item, which a public route
/// must not do on each request.
#[derive(Default)]
pub struct RegionTalliesCache(Mutex<Option<(TalliesVersion, Arc<RegionTallies>)>>);

impl RegionTalliesCache {
    pub fn get(&self, conn: &mut DbConnection) -> Result<Arc<RegionTallies>, ApiError> {
        let version = RegionTallies::version(conn)?;
        let mut cached = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((v, tallies)) = cached.as_ref()
            && *v == version
        {
            return Ok(Arc::clone(tallies));
        }
        let tallies = Arc::new(RegionTallies::load(conn)?);
        *cached = Some((version, Arc::clone(&tallies)));
        Ok(tallies)
    }
}
