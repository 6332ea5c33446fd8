//! 事项类型: the categories of administrative power, with their stable key, two-digit code and
//! Chinese name. Stored and exported as the key; accepted in any of the three spellings
//! because departments' spreadsheets use all of them.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Licensing,
    Penalty,
    Enforcement,
    Levy,
    Payment,
    Inspection,
    Confirmation,
    Reward,
    Adjudication,
    Other,
    PublicService,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Licensing,
        Category::Penalty,
        Category::Enforcement,
        Category::Levy,
        Category::Payment,
        Category::Inspection,
        Category::Confirmation,
        Category::Reward,
        Category::Adjudication,
        Category::Other,
        Category::PublicService,
    ];

    /// Stable English key, as stored in the database and written by export.
    pub fn key(self) -> &'static str {
        match self {
            Category::Licensing => "licensing",
            Category::Penalty => "penalty",
            Category::Enforcement => "enforcement",
            Category::Levy => "levy",
            Category::Payment => "payment",
            Category::Inspection => "inspection",
            Category::Confirmation => "confirmation",
            Category::Reward => "reward",
            Category::Adjudication => "adjudication",
            Category::Other => "other",
            Category::PublicService => "public_service",
        }
    }

    /// Two-digit code used by national and provincial catalogues.
    pub fn code(self) -> &'static str {
        match self {
            Category::Licensing => "01",
            Category::Penalty => "02",
            Category::Enforcement => "03",
            Category::Levy => "04",
            Category::Payment => "05",
            Category::Inspection => "06",
            Category::Confirmation => "07",
            Category::Reward => "08",
            Category::Adjudication => "09",
            Category::Other => "10",
            Category::PublicService => "20",
        }
    }

    /// Chinese name shown to citizens.
    pub fn label(self) -> &'static str {
        match self {
            Category::Licensing => "行政许可",
            Category::Penalty => "行政处罚",
            Category::Enforcement => "行政强制",
            Category::Levy => "行政征收",
            Category::Payment => "行政给付",
            Category::Inspection => "行政检查",
            Category::Confirmation => "行政确认",
            Category::Reward => "行政奖励",
            Category::Adjudication => "行政裁决",
            Category::Other => "其他行政权力",
            Category::PublicService => "公共服务",
        }
    }

    /// The Chinese name of a stored category key (empty for an unknown key), for display.
    pub fn label_of(key: &str) -> String {
        Category::parse(key)
            .map(|c| c.label().to_string())
            .unwrap_or_default()
    }

    /// Parses a key, a two-digit code (also a bare `1`…`9`) or the Chinese name (with or
    /// without the 行政 prefix). Surrounding whitespace is ignored.
    pub fn parse(input: &str) -> Option<Category> {
        let s = input.trim();
        if s.is_empty() {
            return None;
        }
        let lower = s.to_ascii_lowercase();
        Category::ALL.into_iter().find(|c| {
            let label = c.label();
            lower == c.key()
                || s == c.code()
                || (s.len() == 1 && c.code().strip_prefix('0') == Some(s))
                || s == label
                || label.strip_prefix("行政") == Some(s)
                || (*c == Category::Other && (s == "其他" || s == "其他权力"))
        })
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_parses_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
            assert_eq!(Category::parse(c.code()), Some(c));
            assert_eq!(Category::parse(c.label()), Some(c));
            assert_eq!(
                Category::parse(&format!(" {} ", c.key().to_uppercase())),
                Some(c)
            );
        }
        assert_eq!(Category::parse("许可"), Some(Category::Licensing));
        assert_eq!(Category::parse("1"), Some(Category::Licensing));
        assert_eq!(Category::parse("20"), Some(Category::PublicService));
        assert_eq!(Category::parse("其他"), Some(Category::Other));
        assert_eq!(Category::parse("11"), None);
        assert_eq!(Category::parse(""), None);
        assert_eq!(Category::parse("行政"), None);
    }
}
