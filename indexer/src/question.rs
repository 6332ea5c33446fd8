//! The text of a citizen's question that the semantic channel embeds:
//! - without the phrases that only frame it (我想…, …要办什么手续, …找谁, …吗). Every question to
//!   a registry of powers is about some procedure, so these phrases pull every question towards
//!   every item with 证, 审批 or 手续 in its name and say nothing of the topic. The list is of
//!   framings, never of topics.
//! - in official wording: everyday terms of the vocabularies replaced by the words item names
//!   use (砍树 → 林木采伐; see `Synonyms::in_official_wording`).
//!
//! Measured on the development sets (`cargo bench -p quanze-indexer --bench semantic`),
//! questions NDCG@10: as asked 0.607, without framing 0.620, and in official wording with the
//! everyday vocabulary 0.754.

use crate::analyzer::normalize;
use crate::synonyms::Synonyms;

/// A question is a sentence: past this, more text only costs time (the model reads 510 tokens
/// at once and a longer text window by window).
const QUESTION_CHARS: usize = 100;

/// Framing phrases, longer before the shorter ones they contain.
const FRAMES: &[&str] = &[
    "需要办什么手续",
    "需要办哪些手续",
    "要办什么手续",
    "要办哪些手续",
    "需要什么材料",
    "需要哪些材料",
    "办什么手续",
    "办哪些手续",
    "要什么材料",
    "在哪里办理",
    "去哪里办理",
    "什么手续",
    "办啥手续",
    "要啥手续",
    "怎么办理",
    "去哪里办",
    "在哪里办",
    "去哪办理",
    "在哪办理",
    "哪里办理",
    "要审批吗",
    "要备案吗",
    "要批准吗",
    "啥手续",
    "怎么办",
    "怎么弄",
    "去哪办",
    "在哪办",
    "咋办",
    "咋弄",
    "找谁",
    "请问",
    "我想",
    "想要",
    "吗",
    "呢",
    // NFKC has made a full-width question mark this one.
    "?",
];

/// What the semantic channel reads of a question, read once.
pub struct Question {
    /// The text embedded: normalised (so that Traditional framing goes too), clipped, its
    /// framing phrases taken out, and put in official wording. Normalising lower-cases Latin
    /// letters too (CT → ct), as the relevance figures were measured.
    pub text: String,
    /// Whether it asks for a follow-up step (补办, 变更 …), read without its framing (续 of 手续
    /// asks for nothing).
    pub asks_for_follow_up: bool,
}

impl Question {
    pub fn read(question: &str, synonyms: &Synonyms) -> Question {
        let topic = without_framing(&normalize(question));
        Question {
            asks_for_follow_up: crate::follow_up::asks_for_follow_up(&topic),
            text: synonyms.in_official_wording(&topic),
        }
    }
}

/// The question clipped and without its framing phrases — unless that leaves less than two
/// characters: a question that is all framing is kept as asked.
fn without_framing(question: &str) -> String {
    let clipped: String = question.chars().take(QUESTION_CHARS).collect();
    let mut text = clipped.clone();
    for frame in FRAMES {
        text = text.replace(frame, "");
    }
    if text.trim().chars().count() >= 2 {
        text.trim().to_string()
    } else {
        clipped.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_goes_and_the_topic_stays() {
        assert_eq!(without_framing("我想开个书店要办什么手续?"), "开个书店");
        assert_eq!(without_framing("渔船检验找谁"), "渔船检验");
        assert_eq!(without_framing("身份证在哪里办理"), "身份证");
        assert_eq!(without_framing("开书店需要办什么手续"), "开书店");
        // Nothing but framing: kept as asked.
        assert_eq!(without_framing("找谁"), "找谁");
        assert_eq!(without_framing("我想找谁"), "我想找谁");
        assert_eq!(
            without_framing(&"长".repeat(300)).chars().count(),
            QUESTION_CHARS
        );
    }

    #[test]
    fn asked_in_everyday_words_embedded_in_official_ones() {
        let synonyms = Synonyms::parse(&["林木采伐,砍树"]);
        assert_eq!(
            Question::read("我想在自家山上砍樹要辦什麼手續？", &synonyms).text,
            "在自家山上林木采伐"
        );
    }

    #[test]
    fn what_it_takes_is_no_follow_up() {
        let asks = |q| Question::read(q, &Synonyms::default()).asks_for_follow_up;
        assert!(!asks("开面馆要办啥手续"));
        assert!(!asks("开工手续找谁批"));
        assert!(asks("驾驶证丢了去哪补办"));
    }
}
