//! tantivy tokenizers over the Chinese analyzer (index side).

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::analyzer::{AnalyzedToken, ChineseAnalyzer, bigram_tokens};

/// A finished list of tokens replayed to tantivy.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl VecTokenStream {
    fn new(analyzed: Vec<AnalyzedToken>) -> VecTokenStream {
        let tokens = analyzed
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.from,
                offset_to: t.to,
                position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        VecTokenStream {
            tokens,
            index: usize::MAX,
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index]
    }
}

/// jieba search-mode words (shares one dictionary; cloning is cheap).
#[derive(Clone)]
pub struct JiebaTokenizer {
    analyzer: ChineseAnalyzer,
}

impl JiebaTokenizer {
    pub fn new(analyzer: ChineseAnalyzer) -> JiebaTokenizer {
        JiebaTokenizer { analyzer }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(self.analyzer.index_tokens(text))
    }
}

/// Character bigrams and ASCII words.
#[derive(Clone)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(bigram_tokens(text))
    }
}
