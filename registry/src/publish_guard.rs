//! The publish guard: no public field of a power list may carry personal data (谁发布谁审核谁负责).
//! Everything a department writes into an item or a 责任清单 is published once approved, so a
//! resident ID number pasted into a remark, a clerk's mobile number as the consultation line or
//! a bank card number in a fee note would be on the public page, in the API, the export, the
//! feed and the index. The guard finds them in every text field before anything is stored or
//! approved: validation runs it (imports, sheets, drafts), and approval runs it again on what it
//! publishes (a draft stored before the guard existed is checked too).
//!
//! What it refuses, and what passes (docs/publish-guard.md):
//! - an 18-digit resident ID number (GB 11643) with a valid check digit and birth date;
//! - a mobile number (11 digits from 13… to 19…, also `+86`, or written 3-4-4);
//! - a bank card number (16 to 19 digits from 62, 3, 4 or 5 with a valid Luhn digit);
//! - a personal e-mail address: one at a free mailbox provider (qq.com, 163.com, …); an
//!   organisation's own domain (…gov.cn) passes.
//!
//! Office landlines (`0826-2345678`), service numbers (12345, 12315) and 400/800 hotlines pass:
//! they are neither 11 digits from 1[3-9] nor a valid ID or card number. Numbers that are part of
//! a code (next to a Latin letter, `_`, or a `.` with more of the code beyond it) are not read
//! as numbers. Codes, regions and dates are
//! not scanned: their validators allow nothing but their own format.

use serde::Serialize;
use serde_json::Value;

use crate::problem::Problem;

/// A kind of personal data the guard refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    ResidentId,
    Mobile,
    BankCard,
    PersonalEmail,
}

impl PersonalData {
    /// How the field's problem names it (English; the sheet importer tells it in Chinese).
    pub fn describe(self) -> &'static str {
        match self {
            PersonalData::ResidentId => "a resident ID number",
            PersonalData::Mobile => "a personal mobile number",
            PersonalData::BankCard => "a bank card number",
            PersonalData::PersonalEmail => "a personal e-mail address",
        }
    }

    /// The same in Chinese, for sheets and pages.
    pub fn label(self) -> &'static str {
        match self {
            PersonalData::ResidentId => "居民身份证号码",
            PersonalData::Mobile => "个人手机号码",
            PersonalData::BankCard => "银行卡号",
            PersonalData::PersonalEmail => "个人电子邮箱",
        }
    }
}

/// One piece of personal data found in a text, masked for the message (the report must not
/// repeat it in full: it is read by others and may be logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: PersonalData,
    pub masked: String,
}

/// The start of every guard message; `sheet::zh_message` recognises it.
pub const MESSAGE_PREFIX: &str = "contains ";
/// The end of every guard message.
pub const MESSAGE_SUFFIX: &str = "; personal data must not be published";

/// Keys whose values are codes, regions, dates or vocabulary, checked by their own validators.
const NOT_TEXT: &[&str] = &[
    "code",
    "base_code",
    "parent_code",
    "uscc",
    "region",
    "effective_from",
    "category",
    "exercise_levels",
    "version",
];

/// Every personal datum in every public text field of a record, as problems naming the field
/// (`workflow[2].description`) the way validation names them.
pub fn check<T: Serialize>(record: &T) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Ok(value) = serde_json::to_value(record) {
        walk(&value, &mut String::new(), &mut problems);
    }
    problems
}

fn walk(value: &Value, path: &mut String, problems: &mut Vec<Problem>) {
    match value {
        Value::String(text) => {
            for finding in find_personal_data(text) {
                problems.push(Problem::error(
                    path.clone(),
                    format!(
                        "{MESSAGE_PREFIX}{} ({}){MESSAGE_SUFFIX}",
                        finding.kind.describe(),
                        finding.masked
                    ),
                ));
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(v, path, problems);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, v) in map {
                if NOT_TEXT.contains(&key.as_str()) {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(v, path, problems);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Full-width digits, letters and signs as their ASCII forms (a sheet typed with a Chinese
/// input method has them); everything else as it is.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A maximal run of ASCII digits in the text, with what stands around it.
#[derive(Debug)]
struct Run {
    digits: String,
    /// An `X` check character right after the digits (resident ID numbers end in one).
    x_after: bool,
    /// Glued to a code: a Latin letter, `.`, `_` or `/` right before or after it.
    in_code: bool,
    /// The one separator (`-` or space) between this run and the next, when there is one.
    separator_after: bool,
}

fn digit_runs(chars: &[char]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let x_after = matches!(chars.get(i), Some('X' | 'x'))
            && !chars.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric());
        let after = if x_after { i + 1 } else { i };
        let at = |k: Option<usize>| k.and_then(|k| chars.get(k)).copied();
        // A Latin letter or `_` next to the digits makes them part of a code; so does a `.`
        // with more of the code on its other side (a decimal, `1.2.3`), but not a full stop.
        let glued = |next: Option<char>, beyond: Option<char>| match next {
            Some(c) if c.is_ascii_alphabetic() || c == '_' => true,
            Some('.') => beyond.is_some_and(|b| b.is_ascii_alphanumeric()),
            _ => false,
        };
        let in_code = glued(
            at(start.checked_sub(1)),
            start.checked_sub(2).and_then(|k| chars.get(k)).copied(),
        ) || (!x_after && glued(at(Some(i)), at(Some(i + 1))))
            || glued(at(Some(after)), at(Some(after + 1)));
        let separator_after = matches!(chars.get(after), Some('-' | ' '))
            && chars.get(after + 1).is_some_and(char::is_ascii_digit);
        runs.push(Run {
            digits,
            x_after,
            in_code,
            separator_after,
        });
        i = after;
    }
    runs
}

/// Every personal datum in one text.
pub fn find_personal_data(text: &str) -> Vec<Finding> {
    if !may_hold_personal_data(text) {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().map(half_width).collect();
    let mut findings = Vec::new();
    let runs = digit_runs(&chars);
    let mut i = 0;
    while i < runs.len() {
        // A chain of runs joined by single separators: 138-1234-5678, 6222 0200 1234 5678 901.
        let mut end = i;
        while runs[end].separator_after && end + 1 < runs.len() {
            end += 1;
        }
        let chain = &runs[i..=end];
        if chain.iter().any(|r| r.in_code) {
            i = end + 1;
            continue;
        }
        let mut found_in_chain = false;
        if chain.len() > 1 {
            let joined: String = chain.iter().map(|r| r.digits.as_str()).collect();
            let shape: Vec<usize> = chain.iter().map(|r| r.digits.len()).collect();
            let last = chain[chain.len() - 1].x_after;
            if let Some(f) = grouped_number(&joined, &shape, last) {
                findings.push(f);
                found_in_chain = true;
            }
        }
        if !found_in_chain {
            for run in chain {
                if let Some(f) = single_number(&run.digits, run.x_after) {
                    findings.push(f);
                }
            }
        }
        i = end + 1;
    }
    findings.extend(emails(&chars));
    findings
}

/// Whether `text` can hold anything `find_personal_data` looks for: the shortest number it
/// finds (a mobile) has 11 digits, and a mailbox an `@`. Most texts of a list have neither,
/// and an import of ten thousand items scans a million of them.
fn may_hold_personal_data(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        match half_width(c) {
            '@' => return true,
            '0'..='9' => {
                digits += 1;
                if digits >= 11 {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A number written in groups: a mobile 3-4-4, a card in fours, an ID 6-8-4.
fn grouped_number(joined: &str, shape: &[usize], x_after: bool) -> Option<Finding> {
    if shape == [3, 4, 4] && !x_after && is_mobile(joined) {
        return Some(finding(PersonalData::Mobile, joined));
    }
    // `+86 138 1234 5678`
    if shape == [2, 3, 4, 4]
        && !x_after
        && let Some(national) = joined.strip_prefix("86")
        && is_mobile(national)
    {
        return Some(finding(PersonalData::Mobile, joined));
    }
    if shape == [6, 8, 4] || shape == [6, 8, 3] && x_after {
        let id = if x_after {
            format!("{joined}X")
        } else {
            joined.to_string()
        };
        if is_resident_id(&id) {
            return Some(finding(PersonalData::ResidentId, &id));
        }
    }
    let (head, tail) = shape.split_at(shape.len() - 1);
    if !x_after
        && head.len() >= 3
        && head.iter().all(|&g| g == 4)
        && (1..=4).contains(&tail[0])
        && is_bank_card(joined)
    {
        return Some(finding(PersonalData::BankCard, joined));
    }
    None
}

fn single_number(digits: &str, x_after: bool) -> Option<Finding> {
    if digits.len() == 17 && x_after {
        let id = format!("{digits}X");
        return is_resident_id(&id).then(|| finding(PersonalData::ResidentId, &id));
    }
    if x_after {
        return None;
    }
    if digits.len() == 18 && is_resident_id(digits) {
        return Some(finding(PersonalData::ResidentId, digits));
    }
    if is_mobile(digits) {
        return Some(finding(PersonalData::Mobile, digits));
    }
    if let Some(national) = digits.strip_prefix("86")
        && is_mobile(national)
    {
        return Some(finding(PersonalData::Mobile, digits));
    }
    is_bank_card(digits).then(|| finding(PersonalData::BankCard, digits))
}

/// Shown as its first three and last four characters: enough for the clerk to find it.
fn finding(kind: PersonalData, value: &str) -> Finding {
    let chars: Vec<char> = value.chars().collect();
    let masked = if chars.len() > 7 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        "…".to_string()
    };
    Finding { kind, masked }
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// GB 11643: 6-digit region (province 11–82), birth date, sequence, ISO 7064 MOD 11-2 check.
pub fn is_resident_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b'1'..=b'8').contains(&b[0]) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> { id.get(range)?.parse().ok() };
    let (Some(year), Some(month), Some(day)) = (number(6..10), number(10..12), number(12..14))
    else {
        return false;
    };
    if !(1900..=2100).contains(&year)
        || chrono::NaiveDate::from_ymd_opt(year as i32, month, day).is_none()
    {
        return false;
    }
    b[17].to_ascii_uppercase() == id_check_character(&b[..17])
}

/// The ISO 7064 MOD 11-2 check character of an ID number's first 17 digits.
fn id_check_character(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

/// 16 to 19 digits from a card scheme's first digit (62 UnionPay, 4 Visa, 5 Mastercard, 3
/// JCB/American Express) with a valid Luhn check digit.
pub fn is_bank_card(digits: &str) -> bool {
    let b = digits.as_bytes();
    if !(16..=19).contains(&b.len()) || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !(b.starts_with(b"62") || matches!(b[0], b'3' | b'4' | b'5')) {
        return false;
    }
    let sum: u32 = b
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Mailbox providers where anyone gets an address: an address there is a person's, not an
/// office's.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "qq.com",
    "vip.qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "vip.163.com",
    "sina.com",
    "sina.cn",
    "vip.sina.com",
    "sohu.com",
    "139.com",
    "189.cn",
    "wo.cn",
    "aliyun.com",
    "tom.com",
    "21cn.com",
    "gmail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
];

fn emails(chars: &[char]) -> Vec<Finding> {
    let local_char = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain_char = |c: char| c.is_ascii_alphanumeric() || ".-".contains(c);
    let mut found = Vec::new();
    for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
        let start = chars[..at]
            .iter()
            .rposition(|c| !local_char(*c))
            .map_or(0, |p| p + 1);
        let end = chars[at + 1..]
            .iter()
            .position(|c| !domain_char(*c))
            .map_or(chars.len(), |p| at + 1 + p);
        if start == at || end == at + 1 {
            continue;
        }
        let local: String = chars[start..at].iter().collect();
        let domain: String = chars[at + 1..end]
            .iter()
            .collect::<String>()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if FREE_MAIL_DOMAINS.contains(&domain.as_str()) {
            found.push(Finding {
                kind: PersonalData::PersonalEmail,
                masked: format!("{}…@{domain}", local.chars().next().unwrap_or('…')),
            });
        }
    }
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PersonalData> {
        find_personal_data(text)
            .into_iter()
            .map(|f| f.kind)
            .collect()
    }

    /// A valid ID number made from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            id_check_character(first17.as_bytes()) as char
        )
    }

    #[test]
    fn resident_id_numbers_with_a_valid_check_digit_are_found() {
        // The standard's own example (GB 11643-1999, appendix).
        assert!(is_resident_id("11010519491231002X"));
        assert!(!is_resident_id("110105194912310021"));
        assert_eq!(
            kinds("申请人身份证11010519491231002X，住址某街"),
            [PersonalData::ResidentId]
        );
        assert_eq!(
            kinds("身份证号：１１０１０５１９４９１２３１００２Ｘ"),
            [PersonalData::ResidentId]
        );
        assert_eq!(kinds("110105 19491231 002X"), [PersonalData::ResidentId]);
        let id = with_check("51160219850317123");
        assert_eq!(kinds(&format!("联系人 {id} ")), [PersonalData::ResidentId]);
        // A wrong check digit, an impossible birth date, a code: not an ID.
        assert!(kinds("110105194912310021").is_empty());
        assert!(kinds(&with_check("51160219851317123")).is_empty());
        assert!(kinds(&format!("编码 QZ{id}")).is_empty());
    }

    #[test]
    fn only_texts_with_eleven_digits_or_an_at_sign_are_scanned() {
        assert!(!may_hold_personal_data(
            "依据《道路运输条例》第10条，2023年7月20日"
        ));
        assert!(!may_hold_personal_data("邮编 638000，第3款"));
        assert!(may_hold_personal_data("电话 0826-2345678"));
        assert!(may_hold_personal_data("１３８１２３４５６７８"));
        assert!(may_hold_personal_data("a＠qq.com"));
        // Everything the scan finds passes the pre-check.
        for text in [
            "13812345678",
            "+86 138 1234 5678",
            "x@163.com",
            "6222021234567890128",
        ] {
            assert!(may_hold_personal_data(text), "{text}");
            assert!(!find_personal_data(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn mobile_numbers_are_found_and_office_lines_pass() {
        assert_eq!(kinds("咨询电话：13812345678"), [PersonalData::Mobile]);
        assert_eq!(kinds("手机 138-1234-5678"), [PersonalData::Mobile]);
        assert_eq!(kinds("手机 138 1234 5678"), [PersonalData::Mobile]);
        assert_eq!(kinds("+86 13812345678"), [PersonalData::Mobile]);
        assert_eq!(kinds("+8613812345678"), [PersonalData::Mobile]);
        assert_eq!(kinds("１３８１２３４５６７８"), [PersonalData::Mobile]);
        assert_eq!(kinds("+86 138 1234 5678"), [PersonalData::Mobile]);
        assert_eq!(kinds("电话13812345678。"), [PersonalData::Mobile]);
        assert_eq!(kinds("电话13812345678."), [PersonalData::Mobile]);
        assert_eq!(
            kinds("0826-2345678/13912345678"),
            [PersonalData::Mobile],
            "an office line and a mobile"
        );
        for office in [
            "0826-2345678",
            "（0826）2345678",
            "028-12345678",
            "12345",
            "12315、12345政务服务便民热线",
            "400-810-8888",
            "800-820-8820",
            "10086",
            "0826-12345678转801",
            "第十二条 2023年7月20日修订",
            "收费标准：每件100元，3.14159265358979323",
        ] {
            assert!(kinds(office).is_empty(), "{office}");
        }
        // An 11-digit run that does not start 13…19 is no mobile number.
        assert!(kinds("08261234567").is_empty());
        assert!(kinds("12012345678").is_empty());
    }

    #[test]
    fn bank_card_numbers_need_a_scheme_and_a_luhn_digit() {
        assert!(is_bank_card("6222021234567890128"));
        assert!(is_bank_card("4111111111111111"));
        assert!(!is_bank_card("4111111111111112"));
        assert!(!is_bank_card("9111111111111111"));
        assert_eq!(
            kinds("退款账号6222021234567890128"),
            [PersonalData::BankCard]
        );
        assert_eq!(kinds("卡号 4111 1111 1111 1111"), [PersonalData::BankCard]);
        assert!(kinds("账号 4111111111111112").is_empty());
    }

    #[test]
    fn personal_mailboxes_are_found_and_office_domains_pass() {
        assert_eq!(
            kinds("来信请寄 zhangsan1985@163.com。"),
            [PersonalData::PersonalEmail]
        );
        assert_eq!(kinds("123456789@QQ.com"), [PersonalData::PersonalEmail]);
        assert!(kinds("ga_xzsp@gaq.gov.cn").is_empty());
        assert!(kinds("邮箱：xf@sc.gov.cn、@某单位").is_empty());
        let shown = find_personal_data("zhangsan@163.com");
        assert_eq!(shown[0].masked, "z…@163.com");
    }

    #[test]
    fn messages_mask_the_number_and_name_the_field() {
        #[derive(Serialize)]
        struct Step {
            stage: &'static str,
            description: &'static str,
        }
        #[derive(Serialize)]
        struct Item {
            code: &'static str,
            workflow: Vec<Step>,
            remarks: Option<&'static str>,
        }
        let item = Item {
            code: "13812345678",
            workflow: vec![
                Step {
                    stage: "受理",
                    description: "窗口受理",
                },
                Step {
                    stage: "审查",
                    description: "经办人王某 13812345678",
                },
            ],
            remarks: None,
        };
        let problems = check(&item);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "workflow[1].description");
        assert_eq!(
            problems[0].message,
            "contains a personal mobile number (138…5678); personal data must not be published"
        );
        assert!(problems[0].is_error());
    }
}
