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
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

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

/// The department bits of a packed entry hold ordinals below this; the value itself means "no
/// department", and departments past it in a segment are not counted (China has about 3,000
/// counties; a segment never comes close).
const NO_DEPARTMENT: u32 = (1 << 24) - 1;

/// One segment's facet values as dense ordinals, one packed entry per document — a single
/// load per counted document: category position in `Category::ALL` (bits 0–7), department
/// ordinal into `department_ids` (bits 8–31), region ordinal into `regions` (bits 32–63). An
/// absent value is all ones, past the end of every tally.
#[derive(Debug)]
pub struct SegmentFacetTable {
    packed: Vec<u64>,
    department_ids: Vec<u64>,
    /// Region codes as numbers (511602).
    regions: Vec<u64>,
}

/// Dense ordinals for the values of one u64 column, numbered in value order (so a tally's
/// slots are sorted and tallies of different segments merge in one sequential pass).
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
    let mut by_value: Vec<u32> = (0..values.len() as u32).collect();
    by_value.sort_unstable_by_key(|i| values[*i as usize]);
    let mut renumbered = vec![0u32; values.len()];
    for (new, old) in by_value.iter().enumerate() {
        renumbered[*old as usize] = new as u32;
    }
    for o in ordinals.iter_mut().filter(|o| **o != NONE) {
        *o = renumbered[*o as usize];
    }
    values.sort_unstable();
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
        let packed = category
            .iter()
            .zip(&department)
            .zip(&region)
            .map(|((c, d), r)| {
                u64::from(*c) | (u64::from((*d).min(NO_DEPARTMENT)) << 8) | (u64::from(*r) << 32)
            })
            .collect();
        Ok(SegmentFacetTable {
            packed,
            department_ids,
            regions,
        })
    }

    /// A zeroed tally for one query over this segment.
    pub fn tally(self: &Arc<Self>) -> SegmentTally {
        SegmentTally {
            category: [0; Category::ALL.len()],
            // No slot for NO_DEPARTMENT: documents without a countable department add nothing.
            department: vec![0; self.department_ids.len().min(NO_DEPARTMENT as usize)],
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
        let Some(packed) = self.table.packed.get(doc as usize) else {
            return;
        };
        if let Some(slot) = self.category.get_mut((packed & 0xff) as usize) {
            *slot += 1;
        }
        if let Some(slot) = self
            .department
            .get_mut(((packed >> 8) & 0xff_ffff) as usize)
        {
            *slot += 1;
        }
        if let Some(slot) = self.region.get_mut((packed >> 32) as usize) {
            *slot += 1;
        }
    }
}

/// Facet counts of every segment of a search, turned into the response's strings once, at
/// the end: the segments' counts, each sorted by value, are merged in one pass.
#[derive(Default)]
pub struct FacetTotals {
    category: [u64; Category::ALL.len()],
    tallies: Vec<SegmentTally>,
}

/// Sums sorted (value, count) runs into one sorted run.
fn merge_sorted_counts<'a>(runs: impl Iterator<Item = (&'a [u64], &'a [u32])>) -> Vec<(u64, u64)> {
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (values, counts) in runs {
        let mut next: Vec<(u64, u64)> = Vec::with_capacity(merged.len() + values.len());
        let mut old = merged.iter().copied().peekable();
        for (value, n) in values.iter().zip(counts).filter(|(_, n)| **n > 0) {
            while let Some(&(v, c)) = old.peek() {
                if v >= *value {
                    break;
                }
                next.push((v, c));
                old.next();
            }
            match old.peek() {
                Some(&(v, c)) if v == *value => {
                    next.push((v, c + u64::from(*n)));
                    old.next();
                }
                _ => next.push((*value, u64::from(*n))),
            }
        }
        next.extend(old);
        merged = next;
    }
    merged
}

/// A region code as the API shows it: its digits, at least six (110101; a township's
/// 511602001 and a village's 511602001002 keep all of theirs). Written by hand: a broad query
/// labels thousands of regions, and `format!` costs several times as much.
fn region_label(code: u64) -> String {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = code;
    while rest > 0 || digits.len() - at < 6 {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    digits[at..].iter().map(|d| char::from(*d)).collect()
}

impl FacetTotals {
    pub fn merge(&mut self, tally: SegmentTally) {
        for (total, n) in self.category.iter_mut().zip(tally.category) {
            *total += u64::from(n);
        }
        self.tallies.push(tally);
    }

    pub fn into_facets(self) -> Facets {
        let departments = merge_sorted_counts(
            self.tallies
                .iter()
                .map(|t| (t.table.department_ids.as_slice(), t.department.as_slice())),
        );
        let regions = merge_sorted_counts(
            self.tallies
                .iter()
                .map(|t| (t.table.regions.as_slice(), t.region.as_slice())),
        );
        Facets {
            category: Category::ALL
                .iter()
                .zip(self.category)
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| (c.key().to_string(), n))
                .collect(),
            department: departments
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
            region: regions
                .into_iter()
                .map(|(code, n)| (region_label(code), n))
                .collect(),
        }
    }
}

/// Adds documents counted outside a search's matches (the semantic channel's hits) to its
/// facets, so that every hit a search returns is in its facet counts.
pub fn add_facets(
    facets: &mut Facets,
    searcher: &Searcher,
    tables: &FacetTables,
    docs: &[tantivy::DocAddress],
) -> tantivy::Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let mut totals = FacetTotals::default();
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let mut tally = None;
        for d in docs.iter().filter(|d| d.segment_ord as usize == ordinal) {
            if tally.is_none() {
                tally = Some(tables.for_segment(reader)?.tally());
            }
            if let Some(t) = tally.as_mut() {
                t.add(d.doc_id);
            }
        }
        if let Some(t) = tally {
            totals.merge(t);
        }
    }
    let extra = totals.into_facets();
    for (counts, more) in [
        (&mut facets.category, extra.category),
        (&mut facets.department, extra.department),
        (&mut facets.region, extra.region),
    ] {
        for (key, n) in more {
            *counts.entry(key).or_default() += n;
        }
    }
    Ok(())
}

/// The facet tables of every segment in use, filled by the reader's warmer.
#[derive(Default)]
pub struct FacetTables {
    tables: RwLock<TableMap>,
}

type TableMap = HashMap<SegmentId, Arc<SegmentFacetTable>>;

impl FacetTables {
    /// The segment's table; built here if the warmer has not seen the segment (it always
    /// has, for segments of a searcher the reader handed out).
    pub fn for_segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacetTable>> {
        let id = reader.segment_id();
        if let Some(t) = self.read().get(&id) {
            return Ok(Arc::clone(t));
        }
        let table = Arc::new(SegmentFacetTable::build(reader)?);
        Ok(Arc::clone(self.write().entry(id).or_insert(table)))
    }

    // A panic while holding the lock cannot leave the map half-changed (each change is one
    // insert or retain), so a poisoned lock is used as it is.
    fn read(&self) -> RwLockReadGuard<'_, TableMap> {
        self.tables.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, TableMap> {
        self.tables.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the segment has its table yet (the warmer builds them before a reload
    /// publishes the segment).
    pub fn has_table(&self, segment: SegmentId) -> bool {
        self.read().contains_key(&segment)
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
        self.write().retain(|id, _| live.contains(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_counts_merge_by_value() {
        let merged = merge_sorted_counts(
            [
                (&[3u64, 5, 9][..], &[1u32, 0, 2][..]),
                (&[1u64, 5, 9, 12][..], &[4u32, 7, 1, 1][..]),
                (&[][..], &[][..]),
            ]
            .into_iter(),
        );
        assert_eq!(merged, [(1, 4), (3, 1), (5, 7), (9, 3), (12, 1)]);
    }

    #[test]
    fn region_labels_have_six_digits() {
        assert_eq!(region_label(511602), "511602");
        assert_eq!(region_label(10000), "010000");
        assert_eq!(region_label(511602001), "511602001");
        assert_eq!(region_label(511602001002), "511602001002");
        assert_eq!(region_label(0), "000000");
        assert_eq!(region_label(u64::MAX), u64::MAX.to_string());
    }
}
