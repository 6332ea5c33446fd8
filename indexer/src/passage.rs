//! The passage of an item: the text the semantic channel compares a question with. It is the
//! item's name, normalised as every other text the index sees (NFKC, Traditional →
//! Simplified, lower case) — what a citizen recognises, and the same in every county that
//! exercises the power, so one vector serves them all. The department is left out on
//! purpose: it is a filter, and putting it in would make every county's text distinct.

use std::collections::HashMap;

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

/// Passage keys of item names, each distinct name normalised and hashed once (a bulk load
/// repeats the same few thousand names), with the passages seen for the first time.
#[derive(Default)]
pub struct PassageKeys {
    keys: HashMap<String, u64>,
    new: Vec<(u64, String)>,
}

impl PassageKeys {
    /// The passage key of an item name.
    pub fn key(&mut self, name: &str) -> u64 {
        if let Some(key) = self.keys.get(name) {
            return *key;
        }
        let text = passage_text(name);
        let key = passage_key(&text);
        self.keys.insert(name.to_string(), key);
        self.new.push((key, text));
        key
    }

    /// The passages met since the last call (to be embedded if they have no vector).
    pub fn take_new(&mut self) -> Vec<(u64, String)> {
        std::mem::take(&mut self.new)
    }
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
