//! "At least n of these" for matching, by counting.
//!
//! tantivy's minimum-should-match walks every posting of every part through a binary heap;
//! with broad parts (the bigram 许可 is in a third of all item names) that cost half of a
//! search. Matching needs no scores, so this query counts instead: each part's documents
//! are read in blocks and tallied in one byte per document, and the documents reaching the
//! count form a bit set. A sequential pass per part and one over the segment — a few
//! nanoseconds per posting.

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError};

/// Documents matching at least `required` of `parts` (matching only: every match scores 1).
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

impl AtLeastWeight {
    fn matches(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let max_doc = reader.max_doc();
        let mut matched = BitSet::with_max_value(max_doc);
        if self.required == 0 || self.required > self.parts.len() {
            return Ok(matched);
        }
        // A document is marked the moment its count reaches `required`, so no pass over the
        // whole segment is needed afterwards.
        let required = u8::try_from(self.required).unwrap_or(u8::MAX);
        let mut counts = vec![0u8; max_doc as usize];
        for part in &self.parts {
            part.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if let Some(n) = counts.get_mut(doc as usize) {
                        *n = n.saturating_add(1);
                        if *n == required {
                            matched.insert(doc);
                        }
                    }
                }
            })?;
        }
        Ok(matched)
    }
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from(self.matches(reader)?),
            boost,
        )))
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

    /// Same documents as tantivy's minimum-should-match, over random documents and every
    /// required count, with deletes.
    #[test]
    fn matches_what_minimum_should_match_matches() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("t", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..3_000u32 {
            let mut doc = TantivyDocument::default();
            for word in ["a", "b", "c", "d", "e"] {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state % 3 == 0 {
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
            assert!(!ours.is_empty(), "required {required}");
            assert_eq!(ours, theirs, "required {required}");
        }
        assert!(
            searcher
                .search(&AtLeastQuery::new(parts(), 6), &DocSetCollector)?
                .is_empty()
        );
        Ok(())
    }
}
