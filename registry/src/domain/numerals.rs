//! Chinese numerals as used in article labels: 第六十三条 → 63, 第一百零五条之一 → (105, 1).

/// Value of a Chinese (or Arabic) numeral such as 六十三, 一百零五, 二千, 十, 63.
pub fn parse_chinese_number(s: &str) -> Option<i32> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n > 0);
    }
    let mut total: i32 = 0;
    let mut current: i32 = 0;
    let mut seen_digit = false;
    for ch in s.chars() {
        let digit = match ch {
            '〇' | '零' | '0' => Some(0),
            '一' | '壹' | '1' => Some(1),
            '二' | '两' | '贰' | '2' => Some(2),
            '三' | '叁' | '3' => Some(3),
            '四' | '肆' | '4' => Some(4),
            '五' | '伍' | '5' => Some(5),
            '六' | '陆' | '6' => Some(6),
            '七' | '柒' | '7' => Some(7),
            '八' | '捌' | '8' => Some(8),
            '九' | '玖' | '9' => Some(9),
            _ => None,
        };
        if let Some(d) = digit {
            current = if seen_digit {
                current.checked_mul(10)?.checked_add(d)?
            } else {
                d
            };
            seen_digit = true;
            continue;
        }
        let unit = match ch {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        let multiplier = if seen_digit || current > 0 {
            current
        } else {
            1
        };
        if unit == 10_000 {
            total = (total + multiplier).checked_mul(unit)?;
        } else {
            total = total.checked_add(multiplier.checked_mul(unit)?)?;
        }
        current = 0;
        seen_digit = false;
    }
    let value = total.checked_add(current)?;
    (value > 0).then_some(value)
}

/// Parses a label that starts with 第X条 (optionally 之Y): returns (X, Y) and the byte length of
/// the matched label. Y is 0 without 之.
pub fn parse_article_prefix(s: &str) -> Option<(i32, i32, usize)> {
    let rest = s.strip_prefix('第')?;
    let end = rest.find('条')?;
    let number = parse_chinese_number(&rest[..end])?;
    let mut consumed = '第'.len_utf8() + end + '条'.len_utf8();
    let mut sub = 0;
    if let Some(after) = s[consumed..].strip_prefix('之') {
        let digits: String = after
            .chars()
            .take_while(|c| "〇零一二两三四五六七八九十".contains(*c))
            .collect();
        if let Some(n) = parse_chinese_number(&digits) {
            sub = n;
            consumed += '之'.len_utf8() + digits.len();
        }
    }
    Some((number, sub, consumed))
}

/// Parses 第六十三条 / 第六十三条第一款 / 第一百零五条之一 → (number, sub-number).
pub fn parse_article_label(label: &str) -> Option<(i32, i32)> {
    parse_article_prefix(label.trim()).map(|(n, sub, _)| (n, sub))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十一", 11),
            ("二十", 20),
            ("六十三", 63),
            ("一百", 100),
            ("一百零五", 105),
            ("一百一十", 110),
            ("一百二十三", 123),
            ("二百", 200),
            ("一千零一", 1001),
            ("一千二百零八", 1208),
            ("63", 63),
        ] {
            assert_eq!(parse_chinese_number(s), Some(n), "{s}");
        }
        assert_eq!(parse_chinese_number(""), None);
        assert_eq!(parse_chinese_number("条"), None);
        assert_eq!(parse_chinese_number("0"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(parse_article_label("第六十三条"), Some((63, 0)));
        assert_eq!(
            parse_article_label("第六十三条第一款第（二）项"),
            Some((63, 0))
        );
        assert_eq!(parse_article_label("第一百零五条之一"), Some((105, 1)));
        assert_eq!(parse_article_label("第5条"), Some((5, 0)));
        assert_eq!(parse_article_label("全文"), None);
        assert_eq!(parse_article_label("第条"), None);
    }

    /// Writes n the way the laws do (一百零五, 六十三, 十一).
    fn to_chinese(n: i32) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let (th, h, t, o) = (n / 1000, n / 100 % 10, n / 10 % 10, n % 10);
        let mut s = String::new();
        if th > 0 {
            s += D[th as usize];
            s += "千";
        }
        if h > 0 {
            s += D[h as usize];
            s += "百";
        } else if th > 0 && (t > 0 || o > 0) {
            s += "零";
        }
        if t > 0 {
            if !(t == 1 && n < 20) {
                s += D[t as usize];
            }
            s += "十";
        } else if h > 0 && o > 0 {
            s += "零";
        }
        if o > 0 {
            s += D[o as usize];
        }
        s
    }

    proptest! {
        #[test]
        fn round_trips_law_style_numerals(n in 1i32..9999) {
            let written = to_chinese(n);
            prop_assert_eq!(parse_chinese_number(&written), Some(n), "{}", written);
            prop_assert_eq!(parse_article_label(&format!("第{written}条")), Some((n, 0)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = parse_article_label(&s);
            let _ = parse_chinese_number(&s);
        }
    }
}
