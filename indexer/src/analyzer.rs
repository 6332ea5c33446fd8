//! The Chinese analyzer: one text pipeline for indexing and for queries, so both sides agree
//! on what a word is.
//!
//! Normalisation, per character so offsets map back to the original text: Unicode NFKC
//! (full-width → half-width), Traditional → Simplified (fast2s, one character in, one out),
//! lower case. Segmentation: jieba with a domain user dictionary — search mode at index time
//! (compounds and their parts), default mode at query time (whole words, fewer and cheaper
//! clauses). Tokens without a letter or digit (punctuation, spaces) are dropped. Offsets are
//! byte offsets into the *original* text: jieba reports characters, tantivy wants bytes.
//!
//! Because jieba may split a word one way in an item name and another way in a query, text is
//! also indexed as overlapping character bigrams (CJK) and whole ASCII words, which the query
//! side combines with the jieba terms.

use std::sync::Arc;

use jieba_rs::Jieba;
use unicode_normalization::UnicodeNormalization;

/// A token with byte offsets into the original (not normalised) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// Text after normalisation, with the original byte offset of every normalised character.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    /// `starts[i]` is the original byte offset where normalised char `i` came from;
    /// `starts[len]` is the original length.
    starts: Vec<usize>,
}

impl Normalized {
    pub fn new(original: &str) -> Normalized {
        let mut folded = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len());
        for (offset, c) in original.char_indices() {
            if let Some(one) = fold_without_tables(c) {
                folded.push(one);
                starts.push(offset);
            } else {
                fold_with_tables(c, |l| {
                    folded.push(l);
                    starts.push(offset);
                });
            }
        }
        starts.push(original.len());
        // fast2s maps one character to one character, so positions stay aligned.
        let simplified = fast2s::convert(&folded);
        let text = if simplified.chars().count() == starts.len() - 1 {
            simplified
        } else {
            folded
        };
        Normalized { text, starts }
    }

    /// Original byte range of normalised characters `from..to`.
    pub fn original_range(&self, from_char: usize, to_char: usize) -> (usize, usize) {
        let last = self.starts.len() - 1;
        let from = self.starts[from_char.min(last)];
        // The end is where the character after the span starts in the original.
        let mut to = self.starts[to_char.min(last)];
        if to < from {
            to = from;
        }
        (from, to)
    }
}

/// The general folding of one character: NFKC (of the character alone), then lower case; one
/// character may become several (ﬁ → f, i).
fn fold_with_tables(c: char, mut out: impl FnMut(char)) {
    for n in std::iter::once(c).nfkc() {
        n.to_lowercase().for_each(&mut out);
    }
}

/// The folded form of the characters nearly every text consists of, without the general path
/// (a decomposition state per character, a case table look-up): ASCII only lower-cases, and
/// the CJK unified ideographs U+4E00–U+9FFF have neither compatibility forms nor case. A tenth
/// of indexing time went into folding before this (profiled at 200,000 items).
fn fold_without_tables(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        _ if is_common_ideograph(c) => Some(c),
        _ => None,
    }
}

/// Normalises a string for matching (what tokens and dictionary lookups see).
pub fn normalize(text: &str) -> String {
    Normalized::new(text).text
}

/// The CJK unified ideographs, most of every text here: alphanumeric, answered without the
/// Unicode tables' slow look-up.
fn is_common_ideograph(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}')
}

fn is_word_char(c: char) -> bool {
    is_common_ideograph(c) || c.is_alphanumeric()
}

fn is_cjk(c: char) -> bool {
    is_common_ideograph(c) || (c.is_alphanumeric() && !c.is_ascii())
}

/// Segmentation shared by the index and query sides.
#[derive(Clone)]
pub struct ChineseAnalyzer {
    jieba: Arc<Jieba>,
}

/// The domain dictionary shipped with quanze (see indexer/data/README.md).
pub const BUILTIN_USER_DICT: &str = include_str!("../data/user_dict.txt");

impl ChineseAnalyzer {
    /// jieba's dictionary plus the built-in domain dictionary and any extra dictionary text
    /// (an operator's `user_dict.txt`). Loading takes ~0.15 s: build one and share it.
    pub fn new(extra_user_dict: Option<&str>) -> Result<ChineseAnalyzer, jieba_rs::Error> {
        let mut jieba = Jieba::new();
        jieba.load_dict(&mut std::io::BufReader::new(BUILTIN_USER_DICT.as_bytes()))?;
        if let Some(extra) = extra_user_dict {
            jieba.load_dict(&mut std::io::BufReader::new(extra.as_bytes()))?;
        }
        Ok(ChineseAnalyzer {
            jieba: Arc::new(jieba),
        })
    }

    /// Index-time tokens: jieba search mode (words and their sub-words).
    pub fn index_tokens(&self, text: &str) -> Vec<AnalyzedToken> {
        self.segment(text, true)
    }

    /// Query-time words: jieba default mode, normalised, punctuation dropped.
    pub fn query_words(&self, text: &str) -> Vec<String> {
        self.segment(text, false)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    /// Two-character dictionary words inside a longer query word that together cover it
    /// (食品经营许可 → 食品, 经营, 许可), so a word the index split differently still matches;
    /// empty when the word has no such cover.
    pub fn covering_parts(&self, word: &str) -> Vec<String> {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 4 {
            return Vec::new();
        }
        let mut covered = vec![false; chars.len()];
        let mut parts = Vec::new();
        for t in self.jieba.cut_for_search(word, false) {
            if t.end - t.start == 2 && t.word != word {
                covered[t.start..t.end].iter_mut().for_each(|c| *c = true);
                if !parts.iter().any(|p: &String| p == t.word) {
                    parts.push(t.word.to_string());
                }
            }
        }
        if covered.iter().all(|c| *c) {
            parts
        } else {
            Vec::new()
        }
    }

    fn segment(&self, original: &str, search_mode: bool) -> Vec<AnalyzedToken> {
        let n = Normalized::new(original);
        let tokens = if search_mode {
            self.jieba.cut_for_search(&n.text, true)
        } else {
            self.jieba.cut(&n.text, true)
        };
        tokens
            .into_iter()
            .filter(|t| t.word.chars().any(is_word_char))
            .map(|t| {
                let (from, to) = n.original_range(t.start, t.end);
                AnalyzedToken {
                    text: t.word.trim().to_string(),
                    from,
                    to,
                }
            })
            .filter(|t| !t.text.is_empty())
            .collect()
    }
}

/// Character bigrams of CJK runs (a lone character stays a unigram) and whole lower-cased
/// ASCII words, with original byte offsets. Recall that does not depend on jieba.
pub fn bigram_tokens(original: &str) -> Vec<AnalyzedToken> {
    let n = Normalized::new(original);
    let chars: Vec<char> = n.text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            if i - start == 1 {
                let (from, to) = n.original_range(start, start + 1);
                out.push(AnalyzedToken {
                    text: c.to_string(),
                    from,
                    to,
                });
            } else {
                for j in start..i - 1 {
                    let (from, to) = n.original_range(j, j + 2);
                    out.push(AnalyzedToken {
                        text: chars[j..j + 2].iter().collect(),
                        from,
                        to,
                    });
                }
            }
        } else if c.is_ascii_alphanumeric() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let (from, to) = n.original_range(start, i);
            out.push(AnalyzedToken {
                text: chars[start..i].iter().collect(),
                from,
                to,
            });
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn analyzer() -> ChineseAnalyzer {
        static SHARED: std::sync::OnceLock<ChineseAnalyzer> = std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| ChineseAnalyzer::new(None).unwrap_or_else(|e| panic!("{e}")))
            .clone()
    }

    #[test]
    fn normalises_width_script_and_case() {
        assert_eq!(normalize("網約車ＡＢＣ１２３"), "网约车abc123");
        assert_eq!(normalize("駕駛員培訓"), "驾驶员培训");
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "網約車（ＡＢ）經營許可";
        for t in analyzer().index_tokens(text) {
            assert!(
                text.is_char_boundary(t.from) && text.is_char_boundary(t.to),
                "{t:?}"
            );
            assert_eq!(normalize(&text[t.from..t.to]), t.text, "{t:?}");
        }
        for t in bigram_tokens(text) {
            assert_eq!(normalize(&text[t.from..t.to]), t.text);
        }
    }

    #[test]
    fn domain_words_stay_whole_and_punctuation_goes() {
        let words = analyzer().query_words("网约车、道路运输经营许可！");
        assert!(words.contains(&"网约车".to_string()), "{words:?}");
        assert!(words.iter().all(|w| w.chars().any(char::is_alphanumeric)));
    }

    #[test]
    fn long_words_have_covering_parts() {
        let a = analyzer();
        assert_eq!(a.covering_parts("食品经营许可"), ["食品", "经营", "许可"]);
        assert!(a.covering_parts("许可").is_empty());
    }

    #[test]
    fn bigrams() {
        let texts: Vec<String> = bigram_tokens("出租车 A1类，证")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(texts, ["出租", "租车", "a1", "类", "证"]);
    }

    /// The shortcuts give what the general path gives, for every character they take: the
    /// folded form, and (for the ideographs) being a word character.
    #[test]
    fn shortcuts_agree_with_the_tables() {
        for c in (0u32..0x80)
            .chain(0x4e00..=0x9fff)
            .filter_map(char::from_u32)
        {
            let mut general = String::new();
            fold_with_tables(c, |l| general.push(l));
            assert_eq!(
                fold_without_tables(c).map(String::from),
                Some(general),
                "{c:?}"
            );
            if is_common_ideograph(c) {
                assert!(c.is_alphanumeric() && !c.is_ascii(), "{c:?}");
            }
        }
        assert_eq!(fold_without_tables('Ａ'), None);
        assert_eq!(fold_without_tables('（'), None);
    }

    proptest! {
        #[test]
        fn any_text_tokenizes_with_valid_offsets(text in "\\PC{0,60}") {
            let a = analyzer();
            for t in a.index_tokens(&text).into_iter().chain(bigram_tokens(&text)) {
                prop_assert!(t.from <= t.to && t.to <= text.len());
                prop_assert!(text.is_char_boundary(t.from) && text.is_char_boundary(t.to));
            }
        }
    }
}
