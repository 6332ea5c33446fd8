//! "At least n of these" — and "all of these" — for matching, by counting where that is
//! cheaper.
//!
//! tantivy's minimum-should-match walks every posting of every part through a binary heap;
//! with broad parts (the bigram 许可 is in a third of all item names) that cost half of a
//! search. And its intersection seeks each list to the candidates of the shortest, which is
//! the right thing for a rare word and a common one, but for two common ones (部门 and 应当,
//! each in half of all items) a seek per posting costs several times a sequential read.
//! Matching needs no scores, so this query counts instead: each part's documents are read in
//! blocks and tallied in one byte per document; a document is marked in a bit set when its
//! tally reaches the count. An intersection counts only when its lists are of similar length;
//! otherwise tantivy's own intersection runs.

use tantivy::query::{
    AllScorer, BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer,
    Weight, intersect_scorers,
};
use tantivy::{
    BitSet, COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError,
};

/// Documents matching at least `required` of `parts` (matching only: every match scores 1).
/// `required == parts.len()` is an intersection.
#[derive(Debug)]
pub struct AtLeastQuery {
    parts: Vec<Box<dyn Query>>,
    required: usize,
}

impl AtLeastQuery {
    pub fn new(parts: Vec<Box<dyn Query>>, required: usize) -> AtLeastQuery {
        AtLeastQuery { parts, required }
    }
}

impl Clone for AtLeastQuery {
    fn clone(&self) -> Self {
        AtLeastQuery {
            parts: self.parts.iter().map(|p| p.box_clone()).collect(),
            required: self.required,
        }
    }
}

impl Query for AtLeastQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let no_scores = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        let parts = self
            .parts
            .iter()
            .map(|p| p.weight(no_scores))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(AtLeastWeight {
            parts,
            required: self.required,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for p in &self.parts {
            p.query_terms(visitor);
        }
    }
}

struct AtLeastWeight {
    parts: Vec<Box<dyn Weight>>,
    required: usize,
}

/// A seek costs about this many sequentially read postings.
const SEEK_COST_IN_READS: u64 = 6;

impl AtLeastWeight {
    /// The matching documents of a segment, as a docset.
    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<Box<dyn Scorer>> {
        let max_doc = reader.max_doc();
        if self.required == 0 {
            return Ok(Box::new(AllScorer::new(max_doc)));
        }
        if self.required > self.parts.len() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut scorers = self
            .parts
            .iter()
            .map(|p| p.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let present = scorers.iter().filter(|s| s.doc() != TERMINATED).count();
        if present < self.required {
            return Ok(Box::new(EmptyScorer));
        }
        if self.required == self.parts.len() {
            let sizes: Vec<u64> = scorers.iter().map(|s| u64::from(s.size_hint())).collect();
            let shortest = sizes.iter().copied().min().unwrap_or(0);
            let reading: u64 = sizes.iter().sum();
            let seeking = shortest * (sizes.len() as u64 - 1) * SEEK_COST_IN_READS;
            if seeking < reading || self.parts.len() > usize::from(u8::MAX) {
                return Ok(intersect_scorers(scorers, reader.num_docs()));
            }
        }
        // Tallies are a byte per document (queries are clipped long before 255 parts).
        let Ok(required) = u8::try_from(self.required) else {
            return Err(TantivyError::InvalidArgument(
                "at most 255 parts can be counted".into(),
            ));
        };
        // A document is marked the moment its tally reaches `required`, so no pass over the
        // whole segment is needed afterwards.
        let mut tallies = vec![0u8; max_doc as usize];
        let mut matched = BitSet::with_max_value(max_doc);
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        for scorer in &mut scorers {
            loop {
                let filled = scorer.fill_buffer(&mut buffer);
                for &doc in &buffer[..filled] {
                    if let Some(n) = tallies.get_mut(doc as usize) {
                        *n = n.saturating_add(1);
                        if *n == required {
                            matched.insert(doc);
                        }
                    }
                }
                if filled < buffer.len() {
                    break;
                }
            }
        }
        Ok(Box::new(ConstScorer::new(BitSetDocSet::from(matched), 1.0)))
    }
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.matches(reader)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("AtLeastQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    use super::*;

    /// Same documents as tantivy's minimum-should-match and intersection, over random
    /// documents, every required count and both ways of intersecting, with deletes.
    #[test]
    fn matches_what_minimum_should_match_matches() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("t", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..3_000u32 {
            let mut doc = TantivyDocument::default();
            for (word, one_in) in [("a", 2), ("b", 3), ("c", 3), ("d", 6), ("e", 100)] {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state.is_multiple_of(one_in) {
                    doc.add_text(field, word);
                }
            }
            doc.add_text(field, format!("id{i}"));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        writer.delete_term(Term::from_field_text(field, "id7"));
        writer.delete_term(Term::from_field_text(field, "id8"));
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let parts = || -> Vec<Box<dyn Query>> {
            ["a", "b", "c", "d", "e"]
                .iter()
                .map(|w| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, w),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect()
        };
        for required in 1..=5 {
            let ours = searcher.search(&AtLeastQuery::new(parts(), required), &DocSetCollector)?;
            let theirs = searcher.search(
                &BooleanQuery::with_minimum_required_clauses(
                    parts().into_iter().map(|p| (Occur::Should, p)).collect(),
                    required,
                ),
                &DocSetCollector,
            )?;
            assert_eq!(ours, theirs, "required {required}");
        }
        // Intersections: a, b, c are common (counted); a and e differ fifty-fold (sought).
        for words in [vec![0, 1, 2], vec![0, 4]] {
            let chosen = || -> Vec<Box<dyn Query>> {
                let all = parts();
                words.iter().map(|i| all[*i].box_clone()).collect()
            };
            let ours =
                searcher.search(&AtLeastQuery::new(chosen(), words.len()), &DocSetCollector)?;
            let theirs = searcher.search(
                &BooleanQuery::new(chosen().into_iter().map(|p| (Occur::Must, p)).collect()),
                &DocSetCollector,
            )?;
            assert!(!ours.is_empty(), "{words:?}");
            assert_eq!(ours, theirs, "{words:?}");
        }
        assert!(
            searcher
                .search(&AtLeastQuery::new(parts(), 6), &DocSetCollector)?
                .is_empty()
        );
        Ok(())
    }
}
