//! Facet counts (by category, department, region) without a column read or a hash lookup per
//! matching document.
//!
//! A broad query matches half a million items; counting them must cost a few array
//! increments each. So every segment gets a [`SegmentFacetTable`] once — a dense ordinal per
//! document for its department and its region, and its category — built by the index
//! reader's warmer before a new segment becomes searchable. Segments never change (deletes
//! only hide documents, and hidden documents are never counted), so a table stays valid for
//! the segment's life and is dropped when no searcher uses the segment any more.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use quanze_registry::domain::Category;
use serde::Serialize;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SearcherGeneration, SegmentReader, Warmer};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Facets {
    pub category: BTreeMap<String, u64>,
    /// Department id → count.
    pub department: BTreeMap<String, u64>,
    pub region: BTreeMap<String, u64>,
}

/// No value in this column for the document.
const NONE: u32 = u32::MAX;
const NO_CATEGORY: u8 = u8::MAX;

/// One segment's facet values as dense ordinals, one entry per document.
#[derive(Debug, Default)]
pub struct SegmentFacetTable {
    /// Position in `Category::ALL`, or `NO_CATEGORY`.
    category: Vec<u8>,
    /// Index into `department_ids`, or `NONE`.
    department: Vec<u32>,
    /// Index into `regions`, or `NONE`.
    region: Vec<u32>,
    department_ids: Vec<u64>,
    /// Region codes as numbers (511602).
    regions: Vec<u64>,
}

/// Dense ordinals for the values of one u64 column, in order of first appearance.
fn dense_column(reader: &SegmentReader, column: &str) -> tantivy::Result<(Vec<u32>, Vec<u64>)> {
    let max_doc = reader.max_doc();
    let Ok(column) = reader.fast_fields().u64(column) else {
        return Ok((vec![NONE; max_doc as usize], Vec::new()));
    };
    let mut ordinal_of: HashMap<u64, u32> = HashMap::new();
    let mut values = Vec::new();
    let mut ordinals = Vec::with_capacity(max_doc as usize);
    for doc in 0..max_doc {
        let ordinal = match column.first(doc) {
            Some(v) => *ordinal_of.entry(v).or_insert_with(|| {
                values.push(v);
                (values.len() - 1) as u32
            }),
            None => NONE,
        };
        ordinals.push(ordinal);
    }
    Ok((ordinals, values))
}

impl SegmentFacetTable {
    /// Reads the segment's facet columns once (tens of milliseconds for a million documents).
    pub fn build(reader: &SegmentReader) -> tantivy::Result<SegmentFacetTable> {
        let max_doc = reader.max_doc();
        let category = match reader.fast_fields().u64("category_ord") {
            Ok(column) => (0..max_doc)
                .map(|doc| {
                    column
                        .first(doc)
                        .filter(|i| (*i as usize) < Category::ALL.len())
                        .map_or(NO_CATEGORY, |i| i as u8)
                })
                .collect(),
            Err(_) => vec![NO_CATEGORY; max_doc as usize],
        };
        let (department, department_ids) = dense_column(reader, "department_id")?;
        let (region, regions) = dense_column(reader, "region_num")?;
        Ok(SegmentFacetTable {
            category,
            department,
            region,
            department_ids,
            regions,
        })
    }

    /// A zeroed tally for one query over this segment.
    pub fn tally(self: &Arc<Self>) -> SegmentTally {
        SegmentTally {
            category: [0; Category::ALL.len()],
            department: vec![0; self.department_ids.len()],
            region: vec![0; self.regions.len()],
            table: Arc::clone(self),
        }
    }
}

/// The facet counts of one query in one segment: array slots, no hashing.
pub struct SegmentTally {
    table: Arc<SegmentFacetTable>,
    category: [u32; Category::ALL.len()],
    department: Vec<u32>,
    region: Vec<u32>,
}

impl SegmentTally {
    #[inline]
    pub fn add(&mut self, doc: DocId) {
        let doc = doc as usize;
        let t = &*self.table;
        if let Some(slot) = t
            .category
            .get(doc)
            .and_then(|c| self.category.get_mut(usize::from(*c)))
        {
            *slot += 1;
        }
        if let Some(slot) = t
            .department
            .get(doc)
            .and_then(|d| self.department.get_mut(*d as usize))
        {
            *slot += 1;
        }
        if let Some(slot) = t
            .region
            .get(doc)
            .and_then(|r| self.region.get_mut(*r as usize))
        {
            *slot += 1;
        }
    }
}

/// Facet counts merged across segments by raw value; turned into the response's strings
/// once, at the end.
#[derive(Default)]
pub struct FacetTotals {
    category: [u64; Category::ALL.len()],
    department: HashMap<u64, u64>,
    region: HashMap<u64, u64>,
}

impl FacetTotals {
    pub fn merge(&mut self, tally: SegmentTally) {
        for (total, n) in self.category.iter_mut().zip(tally.category) {
            *total += u64::from(n);
        }
        let t = &tally.table;
        for (id, n) in t.department_ids.iter().zip(&tally.department) {
            if *n > 0 {
                *self.department.entry(*id).or_default() += u64::from(*n);
            }
        }
        for (code, n) in t.regions.iter().zip(&tally.region) {
            if *n > 0 {
                *self.region.entry(*code).or_default() += u64::from(*n);
            }
        }
    }

    pub fn into_facets(self) -> Facets {
        Facets {
            category: Category::ALL
                .iter()
                .zip(self.category)
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| (c.key().to_string(), n))
                .collect(),
            department: self
                .department
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
            region: self
                .region
                .into_iter()
                .map(|(code, n)| (format!("{code:06}"), n))
                .collect(),
        }
    }
}

/// The facet tables of every segment in use, filled by the reader's warmer.
#[derive(Default)]
pub struct FacetTables {
    tables: RwLock<HashMap<SegmentId, Arc<SegmentFacetTable>>>,
}

impl FacetTables {
    /// The segment's table; built here if the warmer has not seen the segment (it always
    /// has, for segments of a searcher the reader handed out).
    pub fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacetTable>> {
        let id = reader.segment_id();
        if let Some(t) = self.read().get(&id) {
            return Ok(Arc::clone(t));
        }
        let table = Arc::new(SegmentFacetTable::build(reader)?);
        let mut tables = match self.tables.write() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        Ok(Arc::clone(tables.entry(id).or_insert(table)))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<SegmentId, Arc<SegmentFacetTable>>> {
        match self.tables.read() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Number of segments with a table (for tests).
    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Warmer for FacetTables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.for_segment(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let live: HashSet<SegmentId> = live_generations
            .iter()
            .flat_map(|g| g.segments().keys().copied())
            .collect();
        let mut tables = match self.tables.write() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        tables.retain(|id, _| live.contains(id));
    }
}
