//! quanze-indexer: the search side of the registry. A Chinese analyzer (NFKC, Traditional →
//! Simplified, jieba with a domain dictionary, bigrams), the tantivy index of power items, the
//! follower that applies the registry's outbox to it in order (resuming from the sequence
//! stored in the last commit), full rebuilds swapped in atomically, and the searcher.
//! It never speaks HTTP.

pub mod analyzer;
pub mod at_least;
pub mod error;
pub mod facets;
pub mod follow_up;
pub mod highlight;
pub mod hybrid;
pub mod index;
pub mod lag;
pub mod passage;
pub mod query;
pub mod question;
pub mod ranked_search;
pub mod schema;
pub mod search;
pub mod semantic;
pub mod synonyms;
pub mod tokenizers;

pub use error::{IndexError, Result};
pub use index::SearchIndex;
pub use search::{SearchHit, SearchRequest, SearchResponse, Suggestion};
