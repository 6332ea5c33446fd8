//! The question on the public feedback form (三加五等于几？): a small hurdle for scripts that
//! needs no CAPTCHA service from outside and works without JavaScript. The answer is not in
//! the form: the form carries a token, an HMAC-SHA256 over its expiry, a nonce and the answer
//! under a key the registry's servers share (`crate::secrets`), so any server checks what any
//! other asked. A token is good for 30 minutes and for one submission (its nonce is recorded
//! with it); the per-client rate limit bounds how fast questions are solved.

use chrono::{Duration, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::hex;
use crate::error::{RegistryError, Result};
use crate::problem::Problem;

/// The name of the shared secret that signs questions.
pub const SECRET_NAME: &str = "feedback-question";
/// How long a question may be answered.
pub const VALID_FOR: Duration = Duration::minutes(30);

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A question and the token that travels with the form.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    /// In words: 三加五等于几？
    pub text: String,
    /// Sent back with the answer, unchanged.
    pub token: String,
}

fn mac(key: &[u8], expires: i64, nonce: &str, answer: i64) -> Result<String> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
    mac.update(format!("{expires}.{nonce}.{answer}").as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

/// A new question: the sum of two digits from 1 to 9, in Chinese.
pub fn ask(key: &[u8], now: NaiveDateTime) -> Result<Question> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
    let a = 1 + usize::from(random[0]) % 9;
    let b = 1 + usize::from(random[1]) % 9;
    let nonce = hex(&random[2..]);
    let expires = (now + VALID_FOR).and_utc().timestamp();
    let mac = mac(key, expires, &nonce, (a + b) as i64)?;
    Ok(Question {
        text: format!("{}加{}等于几？", DIGITS[a], DIGITS[b]),
        token: format!("{expires}.{nonce}.{mac}"),
    })
}

fn wrong(message: &str) -> RegistryError {
    RegistryError::Invalid(vec![Problem::error("answer", message)])
}

/// The answer as a number: ASCII or full-width digits, or Chinese numerals (十二).
fn parse_answer(answer: &str) -> Option<i64> {
    let answer: String = answer
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    answer
        .parse::<i64>()
        .ok()
        .or_else(|| crate::domain::numerals::parse_chinese_number(&answer).map(i64::from))
}

/// Whether `answer` answers the question the token was made for, in time; the question's
/// nonce, which the submission records so that one question serves one submission.
pub fn check(key: &[u8], token: &str, answer: &str, now: NaiveDateTime) -> Result<String> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(expires), Some(nonce), Some(signed)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(wrong("验证问题已失效，请重新作答"));
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return Err(wrong("验证问题已失效，请重新作答"));
    };
    if now.and_utc().timestamp() > expires {
        return Err(wrong("验证问题已过期（30分钟内有效），请重新作答"));
    }
    let Some(answer) = parse_answer(answer) else {
        return Err(wrong("请用数字回答验证问题"));
    };
    let expected = mac(key, expires, nonce, answer)?;
    // Both are hex of the same length; compared in constant time as the tokens are.
    if crate::auth::constant_time_eq(expected.as_bytes(), signed.as_bytes()) {
        Ok(nonce.to_string())
    } else {
        Err(wrong("验证问题回答不正确"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
    }

    fn solve(q: &Question) -> i64 {
        let digit = |c: char| DIGITS.iter().position(|d| d.starts_with(c)).unwrap() as i64;
        let mut chars = q.text.chars();
        let a = digit(chars.next().unwrap());
        assert_eq!(chars.next(), Some('加'));
        a + digit(chars.next().unwrap())
    }

    #[test]
    fn the_right_answer_passes_in_any_script_and_nothing_else_does() {
        let key = b"k".repeat(64);
        let q = ask(&key, now()).unwrap();
        let n = solve(&q);
        assert!(check(&key, &q.token, &n.to_string(), now()).is_ok());
        let full_width: String = n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
            .collect();
        assert!(check(&key, &q.token, &full_width, now()).is_ok());
        assert!(check(&key, &q.token, &(n + 1).to_string(), now()).is_err());
        assert!(check(&key, &q.token, "abc", now()).is_err());
        // Another key (another registry), a changed token, too late.
        assert!(check(&b"x".repeat(64), &q.token, &n.to_string(), now()).is_err());
        let forged = q.token.replacen('.', "9.", 1);
        assert!(check(&key, &forged, &n.to_string(), now()).is_err());
        let late = now() + VALID_FOR + Duration::seconds(1);
        assert!(check(&key, &q.token, &n.to_string(), late).is_err());
        assert!(check(&key, "", "1", now()).is_err());
    }

    #[test]
    fn chinese_numerals_are_answers_too() {
        assert_eq!(parse_answer("十二"), Some(12));
        assert_eq!(parse_answer(" 7 "), Some(7));
        assert_eq!(parse_answer("１８"), Some(18));
    }
}
