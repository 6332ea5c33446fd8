//! Facet counts (by category, department, region) from u64 fast-field columns: one column
//! read per matching document and a counter per value. u64 columns open without a dictionary,
//! which keeps the fixed cost per query and segment small.

use std::collections::{BTreeMap, HashMap};

use quanze_registry::domain::Category;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Facets {
    pub category: BTreeMap<String, u64>,
    /// Department id → count.
    pub department: BTreeMap<String, u64>,
    pub region: BTreeMap<String, u64>,
}

/// Counts the matching documents per category, department id and region code.
pub struct FacetCounter;

pub struct SegmentFacetCounter {
    category: Option<Column<u64>>,
    region: Option<Column<u64>>,
    department: Option<Column<u64>>,
    counts: SegmentFacets,
}

/// A hasher for the u64 keys of the facet maps: a multiplication (Fibonacci hashing) and a
/// fold instead of SipHash. Counting a broad query touches these maps twice per matching
/// document, hundreds of thousands of times, and the keys (ids, region codes) are not chosen
/// by clients, so there is nothing to defend against hash flooding.
#[derive(Default, Clone, Copy)]
pub struct U64KeyHasher(u64);

impl std::hash::Hasher for U64KeyHasher {
    fn finish(&self) -> u64 {
        // The table indexes by the low bits: fold the well-mixed high bits down.
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type CountMap = HashMap<u64, u64, std::hash::BuildHasherDefault<U64KeyHasher>>;

#[derive(Default)]
pub struct SegmentFacets {
    category: [u64; Category::ALL.len()],
    region: CountMap,
    department: CountMap,
}

impl Collector for FacetCounter {
    type Fruit = Facets;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let fast = segment.fast_fields();
        Ok(SegmentFacetCounter {
            category: fast.u64("category_ord").ok(),
            region: fast.u64("region_num").ok(),
            department: fast.u64("department_id").ok(),
            counts: SegmentFacets::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFacets>) -> tantivy::Result<Facets> {
        let mut facets = Facets::default();
        for f in fruits {
            for (i, n) in f.category.iter().enumerate() {
                if *n > 0 {
                    *facets
                        .category
                        .entry(Category::ALL[i].key().to_string())
                        .or_default() += n;
                }
            }
            for (k, v) in f.region {
                *facets.region.entry(format!("{k:06}")).or_default() += v;
            }
            for (k, v) in f.department {
                *facets.department.entry(k.to_string()).or_default() += v;
            }
        }
        Ok(facets)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentFacets;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(i) = self.category.as_ref().and_then(|c| c.first(doc))
            && let Some(n) = self.counts.category.get_mut(i as usize)
        {
            *n += 1;
        }
        if let Some(r) = self.region.as_ref().and_then(|c| c.first(doc)) {
            *self.counts.region.entry(r).or_default() += 1;
        }
        if let Some(d) = self.department.as_ref().and_then(|c| c.first(doc)) {
            *self.counts.department.entry(d).or_default() += 1;
        }
    }

    fn harvest(self) -> SegmentFacets {
        self.counts
    }
}
