//! Parser for the LawRefBook Markdown layout: `# 标题`, revision history up to
//! `<!-- INFO END -->`, `##` chapters, `###` sections, and articles that start a paragraph
//! with 第X条 followed by a space; the paragraphs after it belong to the same article.

use chrono::NaiveDate;

use crate::domain::numerals::parse_article_prefix;

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedArticle {
    pub number: i32,
    pub sub_number: i32,
    pub label: String,
    pub chapter: Option<String>,
    pub section: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedLaw {
    /// Full title from the `#` line (中华人民共和国道路运输条例).
    pub title: String,
    /// Name from the file name (道路运输条例), how lists often cite it.
    pub short_title: String,
    /// Version date from the file name `(YYYY-MM-DD)`, when present.
    pub version_date: Option<NaiveDate>,
    pub history: Vec<String>,
    pub issuer: Option<String>,
    pub articles: Vec<ParsedArticle>,
}

/// Label of the pseudo-article that holds the text of a document without numbered articles
/// (amendment decisions and the like), so its text is still stored and citable.
pub const WHOLE_TEXT_LABEL: &str = "全文";

/// Splits `道路运输条例(2023-07-20)` into the name and the date.
pub fn split_file_stem(stem: &str) -> (String, Option<NaiveDate>) {
    if let Some(open) = stem.rfind('(')
        && stem.ends_with(')')
        && let Ok(date) = NaiveDate::parse_from_str(&stem[open + 1..stem.len() - 1], "%Y-%m-%d")
    {
        return (stem[..open].trim().to_string(), Some(date));
    }
    (stem.trim().to_string(), None)
}

/// Parses one file. `Err` says why the file is not a law text (no title line).
pub fn parse_lawref(file_stem: &str, content: &str) -> Result<ParsedLaw, String> {
    let (short_title, version_date) = split_file_stem(file_stem);
    let mut lines = content.lines();
    let mut title = None;
    for line in lines.by_ref() {
        if let Some(t) = line.trim().strip_prefix("# ") {
            title = Some(t.trim().to_string());
            break;
        }
    }
    let title = title.filter(|t| !t.is_empty()).ok_or("no '# title' line")?;
    let rest: Vec<&str> = lines.collect();
    let (history, body): (Vec<String>, &[&str]) =
        match rest.iter().position(|l| l.contains("<!-- INFO END -->")) {
            Some(end) => (
                rest[..end]
                    .iter()
                    .map(|l| l.trim())
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                &rest[end + 1..],
            ),
            None => (Vec::new(), &rest[..]),
        };

    let mut articles: Vec<ParsedArticle> = Vec::new();
    let mut preamble: Vec<&str> = Vec::new();
    let mut chapter: Option<String> = None;
    let mut section: Option<String> = None;
    for raw in body {
        let line = raw.trim();
        if line.is_empty() || line.starts_with("<!--") {
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            chapter = Some(h.trim().to_string());
            section = None;
            continue;
        }
        if let Some(h) = line
            .strip_prefix("### ")
            .or_else(|| line.strip_prefix("#### "))
        {
            section = Some(h.trim().to_string());
            continue;
        }
        if let Some((number, sub_number, len)) = parse_article_prefix(line) {
            let after = &line[len..];
            if after.is_empty() || after.starts_with(char::is_whitespace) {
                articles.push(ParsedArticle {
                    number,
                    sub_number,
                    label: line[..len].to_string(),
                    chapter: chapter.clone(),
                    section: section.clone(),
                    text: after.trim().to_string(),
                });
                continue;
            }
        }
        match articles.last_mut() {
            Some(a) => {
                if !a.text.is_empty() {
                    a.text.push('\n');
                }
                a.text.push_str(line);
            }
            None => preamble.push(line),
        }
    }
    if articles.is_empty() && !preamble.is_empty() {
        articles.push(ParsedArticle {
            number: 0,
            sub_number: 0,
            label: WHOLE_TEXT_LABEL.to_string(),
            chapter: None,
            section: None,
            text: preamble.join("\n"),
        });
    }
    let issuer = history.first().and_then(|h| issuer_from_history(h));
    Ok(ParsedLaw {
        title,
        short_title,
        version_date,
        history,
        issuer,
        articles,
    })
}

/// Best-effort issuing body from the first history line (…第九次会议通过 / 国务院令第406号公布).
fn issuer_from_history(line: &str) -> Option<String> {
    if line.contains("国务院令") || line.contains("国务院公布") {
        return Some("国务院".to_string());
    }
    let after_date = line.split_once('日').map(|(_, r)| r.trim()).unwrap_or(line);
    for marker in ["人民代表大会常务委员会", "人民代表大会"] {
        if let Some(i) = after_date.find(marker) {
            let body = &after_date[..i + marker.len()];
            return Some(strip_session(body));
        }
    }
    None
}

/// Removes the session number (第十三届) from a people's congress name.
fn strip_session(s: &str) -> String {
    if let Some(start) = s.find('第')
        && let Some(len) = s[start..].find('届')
    {
        let mut out = s[..start].to_string();
        out.push_str(&s[start + len + '届'.len_utf8()..]);
        return out;
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# 中华人民共和国道路运输条例\n\n2004年4月30日 中华人民共和国国务院令第406号公布\n\n2023年7月20日 《国务院关于修改和废止部分行政法规的决定》第五次修订）\n\n<!-- INFO END -->\n\n## 第一章 总 则\n\n第一条 为了维护道路运输市场秩序，制定本条例。\n\n第二条 从事道路运输经营的，应当遵守本条例。\n\n前款所称道路运输经营包括客运经营和货运经营。\n\n## 第七章 法律责任\n\n### 第一节 通则\n\n第六十三条　违反本条例的规定，有下列情形之一的，由县级以上地方人民政府交通运输主管部门责令停止经营：\n\n（一）未取得道路运输经营许可，擅自从事道路普通货物运输经营的；\n\n第六十三条之一 新增条文。\n";

    #[test]
    fn parses_articles_chapters_and_history() {
        let law =
            parse_lawref("道路运输条例(2023-07-20)", SAMPLE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(law.title, "中华人民共和国道路运输条例");
        assert_eq!(law.short_title, "道路运输条例");
        assert_eq!(law.version_date, NaiveDate::from_ymd_opt(2023, 7, 20));
        assert_eq!(law.history.len(), 2);
        assert_eq!(law.issuer.as_deref(), Some("国务院"));
        let numbers: Vec<(i32, i32)> = law
            .articles
            .iter()
            .map(|a| (a.number, a.sub_number))
            .collect();
        assert_eq!(numbers, [(1, 0), (2, 0), (63, 0), (63, 1)]);
        assert_eq!(
            law.articles[1].text,
            "从事道路运输经营的，应当遵守本条例。\n前款所称道路运输经营包括客运经营和货运经营。"
        );
        assert_eq!(law.articles[2].chapter.as_deref(), Some("第七章 法律责任"));
        assert_eq!(law.articles[2].section.as_deref(), Some("第一节 通则"));
        assert!(
            law.articles[2]
                .text
                .ends_with("擅自从事道路普通货物运输经营的；")
        );
        assert_eq!(law.articles[2].label, "第六十三条");
    }

    #[test]
    fn congress_issuer_drops_session() {
        assert_eq!(
            issuer_from_history("2018年4月16日 杭州市第十三届人民代表大会常务委员会第十次会议通过")
                .as_deref(),
            Some("杭州市人民代表大会常务委员会")
        );
    }

    #[test]
    fn document_without_articles_keeps_its_text() {
        let law = parse_lawref("刑法修正案（七）", "# 中华人民共和国刑法修正案（七）\n\n<!-- INFO END -->\n\n一、将刑法第一百五十一条第三款修改为：……\n\n二、……\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(law.version_date, None);
        assert_eq!(law.articles.len(), 1);
        assert_eq!(law.articles[0].label, WHOLE_TEXT_LABEL);
        assert!(parse_lawref("x", "---\nfront: matter\n---\n").is_err());
    }

    proptest::proptest! {
        /// Any file name and text: a law or a reason why not, never a panic (the fuzz target
        /// `lawref` runs the same for longer).
        #[test]
        fn any_file_parses_or_is_refused(stem in "\\PC{0,40}", body in "(\\PC|\n|#|第|条|款|章){0,400}") {
            let _ = parse_lawref(&stem, &body);
            let _ = parse_lawref(&stem, &format!("{SAMPLE}{body}"));
        }
    }
}
