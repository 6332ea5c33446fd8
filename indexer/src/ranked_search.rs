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
//!      possible score cannot beat the current k-th score are skipped, so a query matching
//!      half the index visits the few thousand documents that can still make the page.
//!
//! The few winners of WAND are scored again term by term, so a document's score does not
//! depend on the path its segment took. Segments are searched in parallel on the index's
//! search executor.

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
/// the earlier document (ties go to index order, as tantivy's own collectors do).
#[derive(Clone, Copy)]
struct Candidate {
    score: Score,
    doc: DocId,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
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

/// The best `k` documents seen so far; its threshold is always the exact k-th score, which
/// is what lets block-max WAND skip the most.
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

    /// Documents must come in ascending order: an equal score never displaces an earlier
    /// document.
    fn push(&mut self, score: Score, doc: DocId) {
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(Candidate { score, doc }));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && score > worst.0.score
        {
            *worst = std::cmp::Reverse(Candidate { score, doc });
        }
    }

    /// Scores at or below this cannot enter.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => worst.0.score,
            _ => Score::MIN,
        }
    }

    fn len(&self) -> usize {
        self.heap.len()
    }

    fn into_candidates(self) -> impl Iterator<Item = Candidate> {
        self.heap.into_iter().map(|c| c.0)
    }
}

struct SegmentResult {
    count: usize,
    top: Vec<(Score, DocAddress)>,
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
/// the `excluded` terms, ranked by the sum of the weighted `ranking` terms' scores (in index
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
    let top = top.into_iter().skip(offset).take(limit).collect();
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
    let address = |doc| DocAddress::new(segment_ord, doc);
    let Some(ranking) = ranking else {
        // Index order: the first k matches are the page.
        let mut first = Vec::with_capacity(k.min(count));
        for_each_in(matched, |doc| {
            tally.add(doc);
            if first.len() < k {
                first.push((1.0, address(doc)));
            }
        });
        return Ok(SegmentResult { count, top: first });
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
        rank_by_seeking(matched, &mut scorers, k)
    } else {
        // WAND adds a document's term scores in whatever order its cursors stand; the
        // winners are scored again term by term, so that equal documents get equal scores
        // whichever way their segment was ranked, and ties fall to index order.
        let winners = rank_by_wand(reader, matched, ranking, k)?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for candidate in winners.into_candidates() {
            docs.insert(candidate.doc);
        }
        rank_by_seeking(&docs, &mut scorers, k)
    };
    let mut top: Vec<(Score, DocAddress)> = Vec::with_capacity(best.len());
    if best.len() < k.min(count) {
        // A match the ranking terms never reached (none of them is in it): it still belongs
        // on the page, after every ranked one.
        let ranked: HashSet<DocId> = best.heap.iter().map(|c| c.0.doc).collect();
        let wanted = k.min(count) - ranked.len();
        for_each_in(matched, |doc| {
            if top.len() < wanted && !ranked.contains(&doc) {
                top.push((0.0, address(doc)));
            }
        });
    }
    top.extend(best.into_candidates().map(|c| (c.score, address(c.doc))));
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

/// Scores every document of `docs` term by term (each term's postings skip to it), adding
/// the terms' scores in term order.
fn rank_by_seeking(docs: &BitSet, scorers: &mut [Box<dyn Scorer>], k: usize) -> TopK {
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
        best.push(score, doc);
    });
    best
}

/// Block-max WAND over the ranking terms' union, keeping the matches.
fn rank_by_wand(
    reader: &SegmentReader,
    matched: &BitSet,
    ranking: &Ranking,
    k: usize,
) -> tantivy::Result<TopK> {
    let mut best = TopK::new(k);
    ranking
        .union()?
        .for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if matched.contains(doc) {
                best.push(score, doc);
            }
            best.threshold()
        })?;
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_best_and_the_earliest_of_equals() {
        let mut top = TopK::new(3);
        for (doc, score) in [(1, 0.5), (2, 2.0), (3, 1.0), (4, 1.0), (5, 3.0), (6, 1.0)] {
            top.push(score, doc);
        }
        assert_eq!(top.threshold(), 1.0);
        let mut got: Vec<(Score, DocId)> =
            top.into_candidates().map(|c| (c.score, c.doc)).collect();
        got.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        assert_eq!(got, [(3.0, 5), (2.0, 2), (1.0, 3)]);
    }

    #[test]
    fn top_k_threshold_is_open_until_full() {
        let mut top = TopK::new(2);
        top.push(5.0, 1);
        assert_eq!(top.threshold(), Score::MIN);
        top.push(4.0, 2);
        assert_eq!(top.threshold(), 4.0);
    }
}
