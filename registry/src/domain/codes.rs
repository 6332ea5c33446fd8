//! Code formats with their validators: administrative division codes (GB/T 2260, extended to
//! townships and villages) and unified social credit codes (GB 32100).

use serde::{Deserialize, Serialize};

/// Two-digit province prefixes that exist in GB/T 2260 (including 71 台湾, 81 香港, 82 澳门).
const PROVINCE_PREFIXES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl RegionLevel {
    pub fn key(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
            RegionLevel::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<RegionLevel> {
        match s.trim() {
            "province" | "省" | "省级" => Some(RegionLevel::Province),
            "city" | "市" | "市级" => Some(RegionLevel::City),
            "county" | "县" | "县级" | "区" => Some(RegionLevel::County),
            "township" | "乡" | "乡镇" | "乡级" | "街道" => Some(RegionLevel::Township),
            "village" | "村" | "社区" => Some(RegionLevel::Village),
            _ => None,
        }
    }
}

/// A normalised region code: 6 digits for province/city/county, 9 for a township, 12 for a
/// village. The 12-digit padded form used by item codes (511602000000) normalises to 6 digits,
/// so one region is stored once whichever way a list spells it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

impl RegionCode {
    /// The code prefix a region filter covers: 510000 → "51", 511600 → "5116", 511602 →
    /// "511602" (a province covers its cities, a city its counties).
    pub fn covered_prefix(&self) -> &str {
        let s = self.as_str();
        match self.level() {
            RegionLevel::Province => &s[..2],
            RegionLevel::City => &s[..4],
            _ => s,
        }
    }

    /// Parses 6 or 12 ASCII digits (9, a township, is accepted too) with a real province
    /// prefix; `Err` says what is wrong.
    pub fn parse(input: &str) -> Result<RegionCode, String> {
        let s = input.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) || !matches!(s.len(), 6 | 9 | 12) {
            return Err(format!(
                "region code must be 6 or 12 digits (GB/T 2260), got {:?}",
                truncate_for_message(s)
            ));
        }
        let prefix = (s.as_bytes()[0] - b'0') * 10 + (s.as_bytes()[1] - b'0');
        if !PROVINCE_PREFIXES.contains(&prefix) {
            return Err(format!(
                "region code {s} has no valid province prefix ({prefix:02})"
            ));
        }
        let normalised = if s.len() == 6 || s[6..].bytes().all(|b| b == b'0') {
            &s[..6]
        } else if s.len() == 9 || s.ends_with("000") {
            &s[..9]
        } else {
            s
        };
        Ok(RegionCode(normalised.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        let s = &self.0;
        match s.len() {
            12 => RegionLevel::Village,
            9 => RegionLevel::Township,
            _ if s.ends_with("0000") => RegionLevel::Province,
            _ if s.ends_with("00") => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The enclosing region, by code structure (county 511602 → city 511600 → province 510000).
    pub fn parent(&self) -> Option<RegionCode> {
        let s = &self.0;
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::City => Some(RegionCode(format!("{}0000", &s[..2]))),
            RegionLevel::County => Some(RegionCode(format!("{}00", &s[..4]))),
            RegionLevel::Township => Some(RegionCode(s[..6].to_string())),
            RegionLevel::Village => Some(RegionCode(s[..9].to_string())),
        }
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// GB 32100 alphabet: digits and capitals without I, O, Z, S, V.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Result of checking a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccCheck {
    Valid,
    /// Well formed but the 18th character is not the GB 32100 check character. Real lists
    /// contain such codes, so this is a warning, never a rejection.
    BadCheckDigit {
        expected: char,
    },
    /// Not a unified social credit code at all (length or alphabet).
    Malformed(String),
}

/// Checks a unified social credit code: 18 characters from the GB 32100 alphabet, the 18th
/// the check character over the first 17 (weights 3^(i-1) mod 31, check = 31 − sum mod 31).
pub fn check_uscc(code: &str) -> UsccCheck {
    let bytes = code.as_bytes();
    if bytes.len() != 18 || !code.is_ascii() {
        return UsccCheck::Malformed(format!(
            "a unified social credit code has 18 characters, got {}",
            code.chars().count()
        ));
    }
    let mut sum = 0u32;
    for (i, b) in bytes[..17].iter().enumerate() {
        match USCC_ALPHABET.iter().position(|a| a == b) {
            Some(v) => sum += v as u32 * USCC_WEIGHTS[i],
            None => {
                return UsccCheck::Malformed(format!(
                    "character {} ({:?}) is not in the GB 32100 alphabet 0-9A-HJ-NPQRTUWXY",
                    i + 1,
                    *b as char
                ));
            }
        }
    }
    let check = (31 - sum % 31) % 31;
    let expected = USCC_ALPHABET[check as usize] as char;
    if !USCC_ALPHABET.contains(&bytes[17]) {
        return UsccCheck::Malformed(format!(
            "character 18 ({:?}) is not in the GB 32100 alphabet",
            bytes[17] as char
        ));
    }
    if bytes[17] as char == expected {
        UsccCheck::Valid
    } else {
        UsccCheck::BadCheckDigit { expected }
    }
}

/// Shortens user input quoted back in an error message.
pub(crate) fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn region_codes_normalise() {
        assert_eq!(
            RegionCode::parse("511602").map(|c| c.0),
            Ok("511602".into())
        );
        assert_eq!(
            RegionCode::parse("511602000000").map(|c| c.0),
            Ok("511602".into())
        );
        assert_eq!(
            RegionCode::parse("511602001000").map(|c| c.0),
            Ok("511602001".into())
        );
        assert_eq!(
            RegionCode::parse("511602001002").map(|c| c.0),
            Ok("511602001002".into())
        );
        assert!(RegionCode::parse("5116").is_err());
        assert!(RegionCode::parse("991602").is_err());
        assert!(RegionCode::parse("51160２").is_err());
        let county = RegionCode::parse("511602").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(county.level(), RegionLevel::County);
        let city = county.parent().unwrap_or_else(|| panic!("parent"));
        assert_eq!(city.as_str(), "511600");
        assert_eq!(city.level(), RegionLevel::City);
        let province = city.parent().unwrap_or_else(|| panic!("parent"));
        assert_eq!(province.as_str(), "510000");
        assert_eq!(province.parent(), None);
    }

    #[test]
    fn real_uscc_codes_check() {
        // From the real item codes of 广安市广安区.
        assert_eq!(check_uscc("115113010833722043"), UsccCheck::Valid);
        assert_eq!(check_uscc("11511301008778183N"), UsccCheck::Valid);
        assert!(matches!(
            check_uscc("115113010833722044"),
            UsccCheck::BadCheckDigit { .. }
        ));
        assert!(matches!(check_uscc("083372204"), UsccCheck::Malformed(_)));
        assert!(matches!(
            check_uscc("11511301008778183I"),
            UsccCheck::Malformed(_)
        ));
        assert!(matches!(
            check_uscc("１１5113010833722043"),
            UsccCheck::Malformed(_)
        ));
    }

    fn uscc_char() -> impl Strategy<Value = char> {
        (0usize..31).prop_map(|i| USCC_ALPHABET[i] as char)
    }

    proptest! {
        #[test]
        fn computed_check_character_always_validates(body in proptest::collection::vec(uscc_char(), 17)) {
            let body: String = body.into_iter().collect();
            let expected = match check_uscc(&format!("{body}0")) {
                UsccCheck::Valid => '0',
                UsccCheck::BadCheckDigit { expected } => expected,
                UsccCheck::Malformed(m) => panic!("{m}"),
            };
            prop_assert_eq!(check_uscc(&format!("{body}{expected}")), UsccCheck::Valid);
        }

        #[test]
        fn any_single_substitution_is_detected(body in proptest::collection::vec(uscc_char(), 17), pos in 0usize..17, delta in 1usize..31) {
            let body: String = body.into_iter().collect();
            let check = match check_uscc(&format!("{body}0")) {
                UsccCheck::Valid => '0',
                UsccCheck::BadCheckDigit { expected } => expected,
                UsccCheck::Malformed(m) => panic!("{m}"),
            };
            let mut chars: Vec<u8> = body.into_bytes();
            let old = USCC_ALPHABET.iter().position(|a| *a == chars[pos]).unwrap_or(0);
            chars[pos] = USCC_ALPHABET[(old + delta) % 31];
            let changed = format!("{}{check}", String::from_utf8(chars).unwrap_or_default());
            let detected = matches!(check_uscc(&changed), UsccCheck::BadCheckDigit { .. });
            prop_assert!(detected);
        }

        #[test]
        fn uscc_checker_never_panics(s in "\\PC{0,30}") {
            let _ = check_uscc(&s);
        }

        #[test]
        fn region_parser_never_panics_and_normalises_idempotently(s in "[0-9]{0,13}|\\PC{0,14}") {
            if let Ok(code) = RegionCode::parse(&s) {
                prop_assert_eq!(RegionCode::parse(code.as_str()), Ok(code.clone()));
                prop_assert!(matches!(code.as_str().len(), 6 | 9 | 12));
                if let Some(parent) = code.parent() {
                    prop_assert!(code.as_str().starts_with(&parent.as_str()[..2]));
                }
            }
        }

        #[test]
        fn twelve_digit_form_equals_six_digit_form(code in "(11|32|51|65)[0-9]{4}") {
            let six = RegionCode::parse(&code);
            let twelve = RegionCode::parse(&format!("{code}000000"));
            prop_assert_eq!(six, twelve);
        }
    }
}
