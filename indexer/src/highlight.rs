//! Highlighting: marks every occurrence of the query's terms in a stored text, HTML-escapes
//! everything, and wraps the marked runs in `<em>`. Matching happens on normalised text
//! (Traditional → Simplified, full-width → half-width) and maps back to the original.

use crate::analyzer::Normalized;

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Which normalised characters of `text` are covered by some term.
fn marks(normalized: &str, terms: &[String]) -> Vec<bool> {
    let chars: Vec<char> = normalized.chars().collect();
    let mut marked = vec![false; chars.len()];
    for term in terms {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > chars.len() {
            continue;
        }
        for start in 0..=chars.len() - t.len() {
            if chars[start..start + t.len()] == t[..] {
                marked[start..start + t.len()]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
        }
    }
    marked
}

/// The whole text with matches in `<em>`; `None` when nothing matches.
pub fn highlight(text: &str, terms: &[String]) -> Option<String> {
    highlight_window(text, terms, usize::MAX)
}

/// Like [`highlight`], cut to about `max_chars` characters around the first match.
pub fn highlight_window(text: &str, terms: &[String], max_chars: usize) -> Option<String> {
    let n = Normalized::new(text);
    let marked = marks(&n.text, terms);
    let first = marked.iter().position(|m| *m)?;
    let len = marked.len();
    let (from_char, to_char) = if len <= max_chars {
        (0, len)
    } else {
        let start = first.saturating_sub(max_chars / 3);
        (start, (start + max_chars).min(len))
    };
    let mut out = String::new();
    if from_char > 0 {
        out.push('…');
    }
    let mut i = from_char;
    while i < to_char {
        let on = marked[i];
        let mut j = i;
        while j < to_char && marked[j] == on {
            j += 1;
        }
        let (a, b) = n.original_range(i, j);
        let piece = escape_html(&text[a..b]);
        if on {
            out.push_str("<em>");
            out.push_str(&piece);
            out.push_str("</em>");
        } else {
            out.push_str(&piece);
        }
        i = j;
    }
    if to_char < len {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        let terms = vec!["出租".to_string(), "租车".to_string()];
        assert_eq!(
            highlight("<b>出租车</b>经营", &terms).as_deref(),
            Some("&lt;b&gt;<em>出租车</em>&lt;/b&gt;经营")
        );
        assert_eq!(highlight("無關", &terms), None);
        // Traditional text is matched through normalisation and shown as written.
        assert_eq!(
            highlight("網約車", &["网约车".to_string()]).as_deref(),
            Some("<em>網約車</em>")
        );
    }

    #[test]
    fn windows_long_text() {
        let text = format!("{}出租车{}", "甲".repeat(100), "乙".repeat(100));
        let s = highlight_window(&text, &["出租车".to_string()], 30).unwrap_or_default();
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("<em>出租车</em>"));
        assert!(s.chars().count() < 50);
    }
}
