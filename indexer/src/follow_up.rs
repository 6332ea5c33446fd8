//! Follow-up procedures: most powers come as a family — the first procedure (设立, 发放, 初次申领)
//! and the steps after it (补办, 换发, 变更, 注销, 延续 …) under nearly the same name. To the
//! sentence model the family's names are all alike, so a question about getting something
//! the first time (我想跑网约车得办啥证) was answered with 补办 and 换发 as often as with the
//! permit itself. In the semantic channel, a follow-up ranks as if a little less similar
//! unless the question asks for such a step (补办, 换证, 变更, 丢 …); its similarity as shown
//! is unchanged. The words are of the procedure, never of a topic. `FOLLOW_UP_MARKERS` decides
//! what the index stores: changing it changes documents but not the schema, so raise
//! `ANALYSIS_VERSION` (index.rs) with it.
//!
//! Measured on the development sets (`cargo bench -p quanze-indexer --bench semantic`),
//! NDCG@10 hybrid, by how much less similar a follow-up ranks: 0 → 0.913 / 0.765, 0.005 →
//! 0.921 / 0.776, 0.01 → 0.923 / 0.780, 0.02 → 0.927 / 0.789, 0.03 → 0.926 / 0.780, 0.05 →
//! 0.926 / 0.776, every follow-up last 0.922 / 0.776.

/// How much less similar a follow-up ranks (cosines of the semantic channel are 0.86–0.95).
pub const FOLLOW_UP_PENALTY: f32 = 0.02;

/// Name parts that make an item a follow-up procedure.
const FOLLOW_UP_MARKERS: &[&str] = &[
    "补办",
    "补发",
    "补证",
    "补领",
    "换发",
    "换证",
    "变更",
    "注销",
    "延续",
    "遗失",
    "续期",
    "到期",
    "转出",
    "转入",
    "迁出",
    "迁入",
    "过户",
    "报停",
    "撤销",
    "再注册",
];

/// Question parts that ask for a follow-up step (and so leave the order alone): phrases, not
/// single characters (补 is in 补贴, 续 in 手续, 转 in 转让, 改 in 改建).
const FOLLOW_UP_ASKED: &[&str] = &[
    "补办", "补领", "补发", "补交", "补证", "补缴", "续期", "续签", "续办", "延续", "延期", "转出",
    "转入", "转移", "转学", "迁出", "迁入", "迁移", "更换", "换证", "换发", "换领", "换个", "改名",
    "更名", "变更", "注销", "撤销", "丢", "遗失", "过期", "到期", "损坏",
];

/// Whether an item name (normalised) is a follow-up procedure.
pub fn is_follow_up(name: &str) -> bool {
    FOLLOW_UP_MARKERS.iter().any(|m| name.contains(m))
}

/// Whether a question (normalised, without its framing) asks for a follow-up step.
pub fn asks_for_follow_up(question: &str) -> bool {
    FOLLOW_UP_ASKED.iter().any(|a| question.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_and_questions_asking_for_them() {
        assert!(is_follow_up("网络预约出租汽车运输证发放（补办）"));
        assert!(is_follow_up("食品小经营店备案变更"));
        assert!(!is_follow_up("网络预约出租汽车经营许可"));
        assert!(asks_for_follow_up("驾驶证丢了"));
        assert!(asks_for_follow_up("营业执照换个地址"));
        assert!(!asks_for_follow_up("养猪场有没有补贴"));
        assert!(!asks_for_follow_up("采矿权转让"));
        assert!(!asks_for_follow_up("我想跑网约车"));
        assert!(!asks_for_follow_up("开面馆要办什么手续"));
        assert!(asks_for_follow_up("驾驶证续期要什么手续"));
    }
}
