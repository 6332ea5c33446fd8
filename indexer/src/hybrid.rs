//! The semantic channel beside the lexical one, and how their lists fuse.
//!
//! The lexical result stays the backbone: its total, facets and everything past the fused head
//! are the words' own. The semantic channel ranks the items the filters let through by the
//! cosine of the question's and the passage's e5 vectors; the two top lists are fused by
//! reciprocal rank (k = 60, the usual constant, untuned). An item the semantic channel finds
//! that does not contain the words is marked as such ("match": "semantic"); one that does
//! contain them but ranks below the lexical head is left at its lexical place, so paging past
//! the head continues the lexical order with nothing repeated or skipped.

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, EnableScoring, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use crate::follow_up::FOLLOW_UP_PENALTY;
use crate::schema::ItemFields;
use crate::semantic::store::VectorStore;

/// Lexical and semantic hits that are fused (the head); past it, lexical order alone.
pub const FUSION_DEPTH: usize = 50;
/// Reciprocal-rank constant.
const RRF_K: f32 = 60.0;
/// Distinct passage texts whose items are looked up first. Texts are taken in order of
/// similarity, so once their items are enough, no other item can rank above them — except,
/// when follow-ups are ranked lower, an item of a later text within `FOLLOW_UP_PENALTY` of a
/// follow-up kept. Looking further until that is settled gained 0.002 on the held-out set and
/// cost a fifth of the semantic channel's time at 1 M items (BENCHMARKS), so it is not done.
/// When they are too few: without narrowing filters, four times as many texts, and so on
/// (every text has items); with filters (a department, a category …), every item the filters
/// allow — then likely few, since the closest texts' items held so few of them.
const FIRST_TEXTS: usize = 16;

/// Collects every matching document with its passage key, its item id (equal similarities,
/// the same text in many places, are ordered by id, the same on every server) and whether it
/// is a follow-up procedure.
struct PassageKeyCollector;

/// A document found as the semantic channel ranks it.
#[derive(Clone, Copy)]
struct KeyedDoc {
    address: DocAddress,
    passage_key: u64,
    id: u64,
    follow_up: bool,
}

struct SegmentPassageKeyCollector {
    segment: SegmentOrdinal,
    column: Option<Column<u64>>,
    ids: Option<Column<u64>>,
    follow_ups: Option<Column<u64>>,
    found: Vec<(DocId, u64, u64, bool)>,
}

impl Collector for PassageKeyCollector {
    type Fruit = Vec<KeyedDoc>;
    type Child = SegmentPassageKeyCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPassageKeyCollector> {
        Ok(SegmentPassageKeyCollector {
            segment,
            column: reader.fast_fields().u64(crate::schema::PASSAGE_KEY).ok(),
            ids: Some(reader.fast_fields().u64(crate::schema::ITEM_ID)?),
            follow_ups: reader.fast_fields().u64(crate::schema::FOLLOW_UP).ok(),
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<(DocId, u64, u64, bool)>)>,
    ) -> tantivy::Result<Self::Fruit> {
        Ok(fruits
            .into_iter()
            .flat_map(|(segment, docs)| {
                docs.into_iter()
                    .map(move |(doc, passage_key, id, follow_up)| KeyedDoc {
                        address: DocAddress::new(segment, doc),
                        passage_key,
                        id,
                        follow_up,
                    })
            })
            .collect())
    }
}

impl SegmentCollector for SegmentPassageKeyCollector {
    type Fruit = (SegmentOrdinal, Vec<(DocId, u64, u64, bool)>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(key) = self.column.as_ref().and_then(|c| c.first(doc)) {
            let id = self.ids.as_ref().and_then(|c| c.first(doc));
            let follow_up = self.follow_ups.as_ref().and_then(|c| c.first(doc)) == Some(1);
            self.found
                .push((doc, key, id.unwrap_or(u64::MAX), follow_up));
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.segment, self.found)
    }
}

/// The filters a semantic search must respect: required queries and excluded terms.
pub struct SemanticFilters {
    pub require: Vec<Box<dyn Query>>,
    pub exclude: Vec<Term>,
}

impl SemanticFilters {
    /// Documents the filters allow, among those of `keys` (all of them when `None`).
    fn query(&self, keys: Option<&[u64]>, field: tantivy::schema::Field) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = match keys {
            Some(keys) => {
                let terms = keys.iter().map(|k| Term::from_field_u64(field, *k));
                vec![(Occur::Must, Box::new(TermSetQuery::new(terms)))]
            }
            None => vec![(Occur::Must, Box::new(AllQuery))],
        };
        for q in &self.require {
            clauses.push((Occur::Must, q.box_clone()));
        }
        for t in &self.exclude {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic)),
            ));
        }
        BooleanQuery::new(clauses)
    }
}

/// The `depth` items closest to the question among those the filters let through, best
/// first, with their cosine. Items whose passage has no vector yet are not among them. With
/// `demote_follow_ups`, follow-up procedures rank as if [`FOLLOW_UP_PENALTY`] less similar
/// (their cosine as returned is their own).
pub fn semantic_search(
    searcher: &Searcher,
    fields: &ItemFields,
    store: &VectorStore,
    question: &[f32],
    filters: &SemanticFilters,
    depth: usize,
    demote_follow_ups: bool,
) -> tantivy::Result<Vec<(DocAddress, f32)>> {
    let nearest = store.nearest(question, usize::MAX);
    let rank =
        |docs, similarity: &HashMap<u64, f32>| rank(docs, similarity, depth, demote_follow_ups);
    let mut texts = FIRST_TEXTS;
    loop {
        let taken = &nearest[..texts.min(nearest.len())];
        let keys: Vec<u64> = taken.iter().map(|(k, _)| *k).collect();
        let similarity: HashMap<u64, f32> = taken.iter().copied().collect();
        let query = filters.query(Some(&keys), fields.passage_key);
        let docs = searcher.search(&query, &PassageKeyCollector)?;
        if docs.len() >= depth || texts >= nearest.len() {
            return Ok(rank(docs, &similarity));
        }
        if !filters.require.is_empty() {
            let similarity: HashMap<u64, f32> = nearest.iter().copied().collect();
            let query = filters.query(None, fields.passage_key);
            let docs = searcher.search(&query, &PassageKeyCollector)?;
            return Ok(rank(docs, &similarity));
        }
        texts *= 4;
    }
}

fn rank(
    docs: Vec<KeyedDoc>,
    similarity: &HashMap<u64, f32>,
    depth: usize,
    demote_follow_ups: bool,
) -> Vec<(DocAddress, f32)> {
    // (document, similarity, the similarity it ranks by, item id)
    let mut scored: Vec<(DocAddress, f32, f32, u64)> = docs
        .into_iter()
        .filter_map(|d| {
            let s = *similarity.get(&d.passage_key)?;
            let penalty = if demote_follow_ups && d.follow_up {
                FOLLOW_UP_PENALTY
            } else {
                0.0
            };
            Some((d.address, s, s - penalty, d.id))
        })
        .collect();
    let order = |a: &(DocAddress, f32, f32, u64), b: &(DocAddress, f32, f32, u64)| {
        b.2.total_cmp(&a.2).then_with(|| a.3.cmp(&b.3))
    };
    if scored.len() > depth && depth > 0 {
        scored.select_nth_unstable_by(depth - 1, order);
        scored.truncate(depth);
    }
    scored.sort_unstable_by(order);
    scored.into_iter().map(|(doc, s, _, _)| (doc, s)).collect()
}

/// Which of `docs` the matching query (any of its alternatives) matches.
pub fn matching(
    searcher: &Searcher,
    alternatives: &[Box<dyn Query>],
    docs: &[DocAddress],
) -> tantivy::Result<HashSet<DocAddress>> {
    let mut out = HashSet::new();
    if docs.is_empty() {
        return Ok(out);
    }
    let no_scores = EnableScoring::disabled_from_searcher(searcher);
    for alternative in alternatives {
        let weight = alternative.weight(no_scores)?;
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let mut wanted: Vec<DocId> = docs
                .iter()
                .filter(|d| d.segment_ord as usize == ordinal)
                .map(|d| d.doc_id)
                .collect();
            if wanted.is_empty() {
                continue;
            }
            wanted.sort_unstable();
            let mut scorer = weight.scorer(reader, 1.0)?;
            for doc in wanted {
                if scorer.doc() <= doc && scorer.seek(doc) == doc {
                    out.insert(DocAddress::new(ordinal as SegmentOrdinal, doc));
                }
            }
        }
    }
    Ok(out)
}

/// One hit of the fused head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusedHit {
    pub address: DocAddress,
    pub score: f32,
    /// Found by the semantic channel only: the item does not contain the words.
    pub semantic_only: bool,
}

/// Reciprocal-rank fusion of the lexical head and the semantic list. Semantic hits in
/// `word_matches` but not in the lexical head are left out (they keep their lexical place
/// after the head).
pub fn fuse(
    lexical: &[DocAddress],
    semantic: &[(DocAddress, f32)],
    word_matches: &HashSet<DocAddress>,
) -> Vec<FusedHit> {
    let mut by_doc: HashMap<DocAddress, FusedHit> = HashMap::new();
    let mut order: Vec<DocAddress> = Vec::new();
    for (rank, doc) in lexical.iter().enumerate() {
        by_doc.insert(
            *doc,
            FusedHit {
                address: *doc,
                score: 1.0 / (RRF_K + rank as f32 + 1.0),
                semantic_only: false,
            },
        );
        order.push(*doc);
    }
    for (rank, (doc, _)) in semantic.iter().enumerate() {
        let contribution = 1.0 / (RRF_K + rank as f32 + 1.0);
        if let Some(hit) = by_doc.get_mut(doc) {
            hit.score += contribution;
        } else if !word_matches.contains(doc) {
            by_doc.insert(
                *doc,
                FusedHit {
                    address: *doc,
                    score: contribution,
                    semantic_only: true,
                },
            );
            order.push(*doc);
        }
    }
    let mut fused: Vec<FusedHit> = order
        .iter()
        .filter_map(|d| by_doc.get(d).copied())
        .collect();
    // Stable: equal scores keep the lexical hit first, then semantic order.
    fused.sort_by(|a, b| b.score.total_cmp(&a.score));
    fused
}

/// The score a lexical hit past the fused head gets, so scores fall monotonically down the
/// whole list.
pub fn tail_score(lexical_rank: usize) -> f32 {
    1.0 / (RRF_K + lexical_rank as f32 + 1.0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(n: u32) -> DocAddress {
        DocAddress::new(0, n)
    }

    #[test]
    fn agreement_rises_and_word_matches_below_the_head_stay_lexical() {
        let lexical = [d(1), d(2), d(3)];
        let semantic = [(d(3), 0.9), (d(7), 0.85), (d(9), 0.8)];
        let words: HashSet<DocAddress> = [d(9)].into_iter().collect();
        let fused = fuse(&lexical, &semantic, &words);
        let order: Vec<u32> = fused.iter().map(|h| h.address.doc_id).collect();
        // 3 is in both lists; 7 only semantic (tied with lexical 2, which keeps its place
        // first); 9 matches the words lower down, so it is not pulled into the head.
        assert_eq!(order, [3, 1, 2, 7]);
        assert!(
            fused
                .iter()
                .find(|h| h.address == d(7))
                .unwrap()
                .semantic_only
        );
        assert!(
            !fused
                .iter()
                .find(|h| h.address == d(3))
                .unwrap()
                .semantic_only
        );
        assert!(tail_score(3) < fused.last().unwrap().score);
    }
}
