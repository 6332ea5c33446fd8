//! Runs one search over every segment in two passes, because counting and ranking have
//! different cheap paths.
//!
//! 1. **Match**: each alternative of the matching query (words, filters) is walked without
//!    scores, a block of document ids at a time, marking its matches in a bit set — a union
//!    of alternatives costs no merging. Then every marked document is counted and tallied
//!    into the facets. Exact totals and facets need every match; nothing here needs a score.
//! 2. **Rank**: the ranking — a flat sum of weighted term scores — picks the best `k` marked
//!    documents, one of two ways per segment, whichever visits less:
//!    - few matches (a specific query, or a broad word narrowed by a rare one): each match is
//!      scored term by term, every term's postings skipping straight to it;
//!    - many matches: block-max WAND over the terms' union. Blocks of postings whose best
//!      possible score cannot reach the current k-th score (less a rounding margin) are
//!      skipped, so a query matching half the index visits the few thousand documents that
//!      can still make the page.
//!
//! The contenders WAND keeps are scored again term by term, so a document's score does not
//! depend on the path its segment took. Equal scores are ordered by item id, never by index
//! order: servers following one database build their segments at different times, and the
//! same request must get the same page from each. Segments are searched in parallel on the
//! index's search executor.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    BitSet, DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term,
};

use crate::facets::{FacetTables, FacetTotals, Facets, SegmentTally};

/// The result of a search: exact total and facets, the requested page of (score, address).
pub struct Ranked {
    pub total: usize,
    pub top: Vec<(Score, DocAddress)>,
    pub facets: Facets,
}

/// A document in a top-k heap, ordered so that the greatest is the best: higher score, then
/// the lower item id (the registry's, the same in every server's index).
#[derive(Clone, Copy)]
struct Candidate {
    score: Score,
    id: u64,
    doc: DocId,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.id.cmp(&self.id))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

/// The best `k` documents seen so far (by score, then the lower item id).
struct TopK {
    k: usize,
    /// Worst candidate on top.
    heap: BinaryHeap<std::cmp::Reverse<Candidate>>,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k.min(1024) + 1),
        }
    }

    fn push(&mut self, score: Score, id: u64, doc: DocId) {
        let candidate = Candidate { score, id, doc };
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && candidate > worst.0
        {
            *worst = std::cmp::Reverse(candidate);
        }
    }

    /// The k-th best score, once k are in.
    fn kth_score(&self) -> Option<Score> {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => Some(worst.0.score),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    fn into_candidates(self) -> impl Iterator<Item = Candidate> {
        self.heap.into_iter().map(|c| c.0)
    }
}

/// Block-max WAND's pick of a segment: every document whose score may be among the best `k`,
/// with its neighbours in score. WAND adds a document's term scores in whatever order its
/// cursors stand, so its sums may differ in the last bits from the term-by-term score that
/// ranks: documents within a rounding margin of the k-th score are kept too, and the exact top
/// k (equal scores by id) is picked from them afterwards.
struct Contenders {
    /// The best k so far, for the k-th score.
    best: TopK,
    /// Everything pushed at or above the floor of its moment.
    near: Vec<(Score, DocId)>,
    prune_at: usize,
}

impl Contenders {
    fn new(k: usize) -> Contenders {
        // A page holds at least one hit; with k = 0 the floor would never rise.
        let k = k.max(1);
        let prune_at = 2 * k + 1024;
        Contenders {
            best: TopK::new(k),
            near: Vec::with_capacity(prune_at.min(4096)),
            prune_at,
        }
    }

    /// Scores below this cannot make the top k.
    fn floor(&self) -> Score {
        match self.best.kth_score() {
            Some(kth) => kth - (kth.abs() * 1e-4 + 1e-6),
            None => Score::MIN,
        }
    }

    fn push(&mut self, score: Score, doc: DocId) {
        if score < self.floor() {
            return;
        }
        // Only the k-th score is read from `best`: the document stands in for the item id.
        self.best.push(score, u64::from(doc), doc);
        self.near.push((score, doc));
        if self.near.len() >= self.prune_at {
            let floor = self.floor();
            self.near.retain(|(score, _)| *score >= floor);
            // Many equal scores survive a pruning: wait for twice as many before the next.
            self.prune_at = self.prune_at.max(2 * self.near.len());
        }
    }

    fn into_docs(self, max_doc: DocId) -> BitSet {
        let floor = self.floor();
        let mut docs = BitSet::with_max_value(max_doc);
        for (_, doc) in self.near.into_iter().filter(|(score, _)| *score >= floor) {
            docs.insert(doc);
        }
        docs
    }
}

struct SegmentResult {
    count: usize,
    /// Score, item id, address.
    top: Vec<(Score, u64, DocAddress)>,
}

/// Scoring a match term by term costs about this many postings visited by block-max WAND
/// (a skip-list seek per term against a sequential, pruned walk).
const SEEK_COST_IN_WAND_POSTINGS: usize = 8;

/// The ranking of one search, weighed once for all segments.
struct Ranking<'a> {
    searcher: &'a Searcher,
    terms: &'a [(Term, Score)],
    /// Each term's weight, for scoring matches term by term.
    term_weights: Vec<(Box<dyn Weight>, Score)>,
    /// The terms' union, for block-max WAND; weighed when a segment first needs it.
    union: Mutex<Option<Arc<dyn Weight>>>,
}

impl Ranking<'_> {
    fn union(&self) -> tantivy::Result<Arc<dyn Weight>> {
        let mut union = self.union.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(weight) = union.as_ref() {
            return Ok(Arc::clone(weight));
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .terms
            .iter()
            .map(|(term, boost)| {
                let term = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), *boost)) as Box<dyn Query>,
                )
            })
            .collect();
        let weight: Arc<dyn Weight> = Arc::from(
            BooleanQuery::new(clauses)
                .weight(EnableScoring::enabled_from_searcher(self.searcher))?,
        );
        *union = Some(Arc::clone(&weight));
        Ok(weight)
    }

    /// The segment's scorer of every term present in it, in term order.
    fn term_scorers(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Box<dyn Scorer>>> {
        let mut scorers = Vec::with_capacity(self.term_weights.len());
        for (weight, boost) in &self.term_weights {
            let scorer = weight.scorer(reader, *boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(scorers)
    }
}

/// What a search looks for: documents matching any of `alternatives` and containing none of
/// the `excluded` terms, ranked by the sum of the weighted `ranking` terms' scores (in item-id
/// order when there are none, e.g. an empty query that lists a department's items).
pub struct SearchPlan<'a> {
    pub alternatives: Vec<Box<dyn Query>>,
    pub excluded: &'a [Term],
    pub ranking: &'a [(Term, Score)],
}

/// Searches every segment: the plan's matches are counted and faceted, and the best
/// `offset + limit` of them make the page.
pub fn search_ranked(
    searcher: &Searcher,
    plan: &SearchPlan,
    tables: &FacetTables,
    offset: usize,
    limit: usize,
) -> tantivy::Result<Ranked> {
    let no_scores = EnableScoring::disabled_from_searcher(searcher);
    let matching = plan
        .alternatives
        .iter()
        .map(|q| q.weight(no_scores))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let excluded = plan
        .excluded
        .iter()
        .map(|t| TermQuery::new(t.clone(), IndexRecordOption::Basic).weight(no_scores))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let ranking = if plan.ranking.is_empty() {
        None
    } else {
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        Some(Ranking {
            searcher,
            terms: plan.ranking,
            term_weights: plan
                .ranking
                .iter()
                .map(|(term, boost)| {
                    TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)
                        .weight(scoring)
                        .map(|w| (w, *boost))
                })
                .collect::<tantivy::Result<_>>()?,
            union: Mutex::new(None),
        })
    };
    let k = offset + limit;
    let per_segment = searcher.index().search_executor().map(
        |(ord, reader): (usize, &SegmentReader)| {
            let table = tables.for_segment(reader)?;
            let mut tally = table.tally();
            let matched = mark_matches(reader, &matching, &excluded)?;
            let result = search_segment(
                ord as u32,
                reader,
                &matched,
                ranking.as_ref(),
                k,
                &mut tally,
            )?;
            Ok((result, tally))
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    let mut total = 0;
    let mut top = Vec::new();
    let mut facets = FacetTotals::default();
    for (result, tally) in per_segment {
        total += result.count;
        top.extend(result.top);
        facets.merge(tally);
    }
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let top = top
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(score, _, address)| (score, address))
        .collect();
    Ok(Ranked {
        total,
        top,
        facets: facets.into_facets(),
    })
}

/// Calls `f` with every element of `set`, in ascending order.
fn for_each_in(set: &BitSet, mut f: impl FnMut(DocId)) {
    for bucket in 0..set.max_value().div_ceil(64) {
        let mut bits = set.tinyset(bucket);
        while let Some(bit) = bits.pop_lowest() {
            f(bucket * 64 + bit);
        }
    }
}

fn search_segment(
    segment_ord: u32,
    reader: &SegmentReader,
    matched: &BitSet,
    ranking: Option<&Ranking>,
    k: usize,
    tally: &mut SegmentTally,
) -> tantivy::Result<SegmentResult> {
    let count = matched.len();
    let ids = ItemIds::of_reader(reader)?;
    let page = |best: TopK| {
        best.into_candidates()
            .map(|c| (c.score, c.id, DocAddress::new(segment_ord, c.doc)))
    };
    let Some(ranking) = ranking else {
        // Item order: the k lowest ids are the page.
        let mut first = TopK::new(k);
        for_each_in(matched, |doc| {
            tally.add(doc);
            first.push(1.0, ids.of(doc), doc);
        });
        return Ok(SegmentResult {
            count,
            top: page(first).collect(),
        });
    };
    for_each_in(matched, |doc| tally.add(doc));
    if count == 0 {
        return Ok(SegmentResult {
            count,
            top: Vec::new(),
        });
    }
    let mut scorers = ranking.term_scorers(reader)?;
    let postings: usize = scorers.iter().map(|s| s.size_hint() as usize).sum();
    let seeking = count
        .saturating_mul(scorers.len())
        .saturating_mul(SEEK_COST_IN_WAND_POSTINGS);
    let best = if seeking <= postings {
        rank_by_seeking(matched, &mut scorers, &ids, k)
    } else {
        // The contenders are scored again term by term, so that equal documents get equal
        // scores whichever way their segment was ranked.
        let contenders = rank_by_wand(reader, matched, ranking, k)?;
        rank_by_seeking(
            &contenders.into_docs(reader.max_doc()),
            &mut scorers,
            &ids,
            k,
        )
    };
    let mut top: Vec<(Score, u64, DocAddress)> = Vec::with_capacity(k.min(count));
    if best.len() < k.min(count) {
        // A match the ranking terms never reached (none of them is in it): it still belongs
        // on the page, after every ranked one.
        let ranked: HashSet<DocId> = best.heap.iter().map(|c| c.0.doc).collect();
        let mut unranked = TopK::new(k.min(count) - ranked.len());
        for_each_in(matched, |doc| {
            if !ranked.contains(&doc) {
                unranked.push(0.0, ids.of(doc), doc);
            }
        });
        top.extend(page(unranked));
    }
    top.extend(page(best));
    Ok(SegmentResult { count, top })
}

/// The segment's live documents matching any of the alternatives and none of the excluded
/// terms.
fn mark_matches(
    reader: &SegmentReader,
    matching: &[Box<dyn Weight>],
    excluded: &[Box<dyn Weight>],
) -> tantivy::Result<BitSet> {
    let alive = reader.alive_bitset();
    let mut matched = BitSet::with_max_value(reader.max_doc());
    for alternative in matching {
        alternative.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    matched.insert(doc);
                }
            }
        })?;
    }
    for exclusion in excluded {
        exclusion.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                matched.remove(doc);
            }
        })?;
    }
    Ok(matched)
}

/// A segment's item ids (the `id` fast field), the tie-break of equal scores.
struct ItemIds(tantivy::columnar::Column<u64>);

impl ItemIds {
    fn of_reader(reader: &SegmentReader) -> tantivy::Result<ItemIds> {
        Ok(ItemIds(reader.fast_fields().u64(crate::schema::ITEM_ID)?))
    }

    fn of(&self, doc: DocId) -> u64 {
        self.0.first(doc).unwrap_or(u64::MAX)
    }
}

/// Scores every document of `docs` term by term (each term's postings skip to it), adding
/// the terms' scores in term order.
fn rank_by_seeking(
    docs: &BitSet,
    scorers: &mut [Box<dyn Scorer>],
    ids: &ItemIds,
    k: usize,
) -> TopK {
    let mut best = TopK::new(k);
    for_each_in(docs, |doc| {
        let mut score = 0.0;
        for scorer in scorers.iter_mut() {
            if scorer.doc() < doc {
                scorer.seek(doc);
            }
            if scorer.doc() == doc {
                score += scorer.score();
            }
        }
        best.push(score, ids.of(doc), doc);
    });
    best
}

/// Block-max WAND over the ranking terms' union, keeping the matches that contend for the
/// top k.
fn rank_by_wand(
    reader: &SegmentReader,
    matched: &BitSet,
    ranking: &Ranking,
    k: usize,
) -> tantivy::Result<Contenders> {
    let mut contenders = Contenders::new(k);
    ranking
        .union()?
        .for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if matched.contains(doc) {
                contenders.push(score, doc);
            }
            contenders.floor()
        })?;
    Ok(contenders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_best_and_the_lowest_id_of_equals_whatever_the_order() {
        // (doc, id, score): equal scores 1.0 for ids 40, 30 and 50; the page takes id 30.
        let docs = [
            (1, 10, 0.5),
            (2, 20, 2.0),
            (3, 40, 1.0),
            (4, 30, 1.0),
            (5, 60, 3.0),
            (6, 50, 1.0),
        ];
        for reversed in [false, true] {
            let mut top = TopK::new(3);
            let mut input = docs.to_vec();
            if reversed {
                input.reverse();
            }
            for (doc, id, score) in input {
                top.push(score, id, doc);
            }
            let mut got: Vec<(Score, u64)> =
                top.into_candidates().map(|c| (c.score, c.id)).collect();
            got.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            assert_eq!(
                got,
                [(3.0, 60), (2.0, 20), (1.0, 30)],
                "reversed: {reversed}"
            );
        }
    }

    #[test]
    fn contenders_keep_every_score_within_rounding_of_the_kth() {
        let mut contenders = Contenders::new(2);
        assert_eq!(contenders.floor(), Score::MIN);
        // Far more than the pruning size, most of them tied just under the k-th score.
        for doc in 0..5000 {
            let score = match doc {
                7 => 9.0,
                11 => 8.0,
                d if d % 2 == 0 => 8.0 - 1e-6,
                _ => 1.0,
            };
            contenders.push(score, doc);
        }
        assert!(contenders.floor() > 1.0 && contenders.floor() < 8.0 - 1e-6);
        let docs = contenders.into_docs(5000);
        assert!(docs.contains(7) && docs.contains(11));
        assert_eq!(
            docs.len(),
            2 + 2500,
            "the near-ties stay, the low scores go"
        );
    }
}
