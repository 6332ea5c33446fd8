//! The passage of an item: the text the semantic channel compares a question with. It is the
//! item's name, normalised as every other text the index sees (NFKC, Traditional →
//! Simplified, lower case) — what a citizen recognises, and the same in every county that
//! exercises the power, so one vector serves them all. The department is left out on
//! purpose: it is a filter, and putting it in would make every county's text distinct.

use sha2::{Digest, Sha256};

use crate::analyzer::normalize;

/// The passage text of an item name.
pub fn passage_text(name: &str) -> String {
    normalize(name).trim().to_string()
}

/// The key of a passage text: the first 8 bytes of its SHA-256 (stable across processes,
/// versions and machines, unlike the standard library's hasher).
pub fn passage_key(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_and_full_width_names_share_a_passage() {
        assert_eq!(passage_text("戶口遷移"), passage_text("户口迁移"));
        assert_eq!(
            passage_key(&passage_text("ＡＢＣ证明")),
            passage_key(&passage_text("abc证明"))
        );
        assert_ne!(passage_key("a"), passage_key("b"));
    }
}
