//! The text of a sheet's multi-value cells, both ways: `parse_*` reads what departments write
//! (and what export writes), `format_*` writes what `parse_*` reads back unchanged. Parse
//! errors are Chinese sentences for the person who made the sheet.
//!
//! - Lists are numbered entries, one per line: `1.受理责任：……` (also `1、` `（1）` `(一)` `一、`
//!   `①`); text before the first number is an entry of its own, and a cell without numbers
//!   has one entry per line.
//! - An entry with several fields separates them with a full-width bar and labels all but the
//!   first: `受理｜办理：行政审批科｜时限：5日｜接收申请材料……`.
//! - A legal-basis cell holds citations, each starting on a new line:
//!   `【行政法规】《中华人民共和国道路运输条例》（2023年7月20日修订）第十条：申请从事……`. A tag
//!   naming a basis role (`【设定依据】`) sets the citation's role; a law level is only a label.

use crate::domain::numerals::parse_chinese_number;
use crate::interchange::{
    Accountability, Discretion, Exemption, JointDepartment, LegalBasis, Remedy, Responsibility,
    WorkflowStep,
};

/// Separates the fields of one entry.
pub const FIELD_SEPARATOR: char = '｜';

/// The length in bytes of a list marker at the start of `line` (`1.`, `12、`, `（3）`, `(一)`,
/// `二、`, `①`), if it starts with one.
fn marker_len(line: &str) -> Option<usize> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &line[digits..];
        let mut chars = rest.chars();
        return match chars.next() {
            Some(sep @ '、') => Some(digits + sep.len_utf8()),
            // `1.5万元` is a number, not a marker.
            Some(sep @ ('.' | '．')) if !chars.next().is_some_and(|c| c.is_ascii_digit()) => {
                Some(digits + sep.len_utf8())
            }
            _ => None,
        };
    }
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = line.strip_prefix(open)
            && let Some(end) = rest.find(close)
            && end > 0
            && end <= 9
            && is_number(&rest[..end])
        {
            return Some(open.len_utf8() + end + close.len_utf8());
        }
    }
    if let Some(end) = line.find('、')
        && end > 0
        && end <= 9
        && parse_chinese_number(&line[..end]).is_some()
        && !line[..end].chars().any(|c| c.is_ascii_digit())
    {
        return Some(end + '、'.len_utf8());
    }
    line.chars()
        .next()
        .filter(|c| ('①'..='⑳').contains(c))
        .map(char::len_utf8)
}

fn is_number(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit()) || parse_chinese_number(s).is_some()
}

/// The entries of a list cell, trimmed, markers removed.
pub fn split_entries(cell: &str) -> Vec<String> {
    split_entries_keeping_empty(cell)
        .into_iter()
        .filter(|e| !e.is_empty())
        .collect()
}

/// The same, but a numbered entry left empty (`2.`) is kept as an empty entry: a basis column
/// numbered like its list says which entries have no basis.
fn split_entries_keeping_empty(cell: &str) -> Vec<String> {
    let lines: Vec<&str> = cell.lines().collect();
    if !lines.iter().any(|l| marker_len(l.trim_start()).is_some()) {
        return lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut entries: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(len) = marker_len(trimmed) {
            entries.extend(current.take());
            current = Some(trimmed[len..].trim_start().to_string());
        } else {
            match current.as_mut() {
                Some(entry) => {
                    entry.push('\n');
                    entry.push_str(line);
                }
                None if !trimmed.trim().is_empty() => current = Some(line.trim().to_string()),
                None => {}
            }
        }
    }
    entries.extend(current);
    entries.into_iter().map(|e| e.trim().to_string()).collect()
}

/// Numbered entries, one per line: `1.…\n2.…` (`1、5日内` where an entry starts with a digit,
/// which `1.5` would swallow).
pub fn format_entries<S: AsRef<str>>(entries: &[S]) -> String {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let e = e.as_ref();
            let sep = if e.starts_with(|c: char| c.is_ascii_digit()) {
                '、'
            } else {
                '.'
            };
            format!("{}{sep}{e}", i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An entry's first field and its labelled fields (`标签：值`); unlabelled later fields are
/// joined under the empty label.
fn fields(entry: &str) -> (String, Vec<(String, String)>) {
    let mut parts = entry.split(FIELD_SEPARATOR);
    let first = parts.next().unwrap_or("").trim().to_string();
    let mut labelled: Vec<(String, String)> = Vec::new();
    for part in parts {
        match part.split_once('：') {
            Some((label, value)) if label.chars().count() <= 4 && !label.trim().is_empty() => {
                labelled.push((label.trim().to_string(), value.trim().to_string()));
            }
            _ => labelled.push((String::new(), part.trim().to_string())),
        }
    }
    (first, labelled)
}

fn field(labelled: &[(String, String)], names: &[&str]) -> Option<String> {
    labelled
        .iter()
        .find(|(l, _)| names.contains(&l.as_str()))
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

fn unknown_labels(labelled: &[(String, String)], known: &[&str]) -> Option<String> {
    let unknown: Vec<&str> = labelled
        .iter()
        .filter(|(l, _)| !l.is_empty() && !known.contains(&l.as_str()))
        .map(|(l, _)| l.as_str())
        .collect();
    (!unknown.is_empty()).then(|| format!("不认识的字段“{}”", unknown.join("”“")))
}

fn join_fields(first: &str, labelled: &[(&str, &Option<String>)]) -> String {
    let mut out = first.to_string();
    for (label, value) in labelled {
        if let Some(v) = value {
            out.push(FIELD_SEPARATOR);
            if !label.is_empty() {
                out.push_str(label);
                out.push('：');
            }
            out.push_str(v);
        }
    }
    out
}

// ---- legal bases ----

/// `2023年7月20日` / `2023-07-20` / `2023.7.20` / `2023/7/20` anywhere in `text` →
/// `2023-07-20`.
pub fn find_date(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let number = |i: &mut usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        (*i > start).then(|| chars[start..*i].iter().collect::<String>().parse().ok())?
    };
    for start in 0..chars.len() {
        let mut i = start;
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            continue;
        }
        let Some(year) = number(&mut i, 4) else {
            continue;
        };
        if !(1949..=2200).contains(&year) || i >= chars.len() {
            continue;
        }
        let sep = chars[i];
        if !matches!(sep, '年' | '-' | '.' | '/') {
            continue;
        }
        i += 1;
        let Some(month) = number(&mut i, 2) else {
            continue;
        };
        if i >= chars.len() || !matches!(chars[i], '月' | '-' | '.' | '/') {
            continue;
        }
        i += 1;
        let Some(day) = number(&mut i, 2) else {
            continue;
        };
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(year as i32, month, day) {
            return Some(date.to_string());
        }
    }
    None
}

/// The article label at the start of `text` with its 款/项 and further listed articles
/// (`第十二条第一款第（一）项`, `第二十九条、第三十条`): (label, byte length).
fn article_label(text: &str) -> Option<(String, usize)> {
    let (_, _, mut len) = crate::domain::numerals::parse_article_prefix(text)?;
    loop {
        let rest = &text[len..];
        // 第X款 / 第X项 / 第（X）项
        if let Some(after) = rest.strip_prefix('第') {
            let (inner, closing) = match after.strip_prefix('（').or(after.strip_prefix('(')) {
                Some(a) => (a, a.find(['）', ')'])),
                None => (after, None),
            };
            let unit_at = match closing {
                Some(c) => inner[c..].char_indices().nth(1).map(|(i, _)| c + i),
                None => inner.find(['款', '项']),
            };
            if let Some(u) = unit_at
                && inner[u..].starts_with(['款', '项'])
            {
                let consumed = (after.len() - inner.len()) + u + '款'.len_utf8();
                len += '第'.len_utf8() + consumed;
                continue;
            }
        }
        // 、第三十条 (a list of articles)
        if let Some(after) = rest.strip_prefix('、')
            && let Some((_, _, more)) = crate::domain::numerals::parse_article_prefix(after)
        {
            len += '、'.len_utf8() + more;
            continue;
        }
        break;
    }
    Some((text[..len].to_string(), len))
}

/// Where citations start in a basis cell: at lines opening with 【 when any does, else at lines
/// opening with 《 (or a list marker followed by 《).
fn split_citations(cell: &str) -> Vec<String> {
    let lines: Vec<&str> = cell.lines().collect();
    let tagged = lines.iter().any(|l| l.trim_start().starts_with('【'));
    let starts = |line: &str| {
        let t = line.trim_start();
        if tagged {
            return t.starts_with('【');
        }
        let t = marker_len(t).map_or(t, |n| t[n..].trim_start());
        t.starts_with('《')
    };
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        if starts(line) || out.is_empty() {
            out.push(line.trim_start().to_string());
        } else if let Some(last) = out.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    out.into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// The levels of law a citation's tag may name (LawRefBook's and the usual others).
const LAW_LEVELS: &[&str] = &[
    "宪法",
    "法律",
    "行政法规",
    "地方性法规",
    "自治条例",
    "单行条例",
    "部门规章",
    "地方政府规章",
    "规章",
    "规范性文件",
    "司法解释",
    "国务院决定",
    "党内法规",
    "其他",
];

/// One citation: `【tag】《law》（version）article：text`. The error says what is missing.
fn parse_citation(citation: &str, role: &str) -> Result<(LegalBasis, Option<String>), String> {
    let mut rest = citation.trim();
    let mut role = role.to_string();
    let mut warning = None;
    rest = marker_len(rest).map_or(rest, |n| rest[n..].trim_start());
    if let Some(after) = rest.strip_prefix('【')
        && let Some(end) = after.find('】')
    {
        let tag = after[..end].trim();
        // A law's level (行政法规) is only a label; any other tag is the citation's role
        // (设定依据, or whatever role a list uses — kept as written).
        if !LAW_LEVELS.contains(&tag) && !tag.is_empty() && tag.chars().count() <= 10 {
            role = tag.to_string();
        }
        rest = after[end + '】'.len_utf8()..].trim_start();
    }
    let open = rest
        .find('《')
        .ok_or_else(|| format!("找不到《法规名称》：{}", preview(citation)))?;
    let after_open = &rest[open + '《'.len_utf8()..];
    let close = after_open
        .find('》')
        .ok_or_else(|| format!("《法规名称》缺少右书名号：{}", preview(citation)))?;
    let law = after_open[..close].trim().to_string();
    if law.is_empty() {
        return Err(format!("《》中没有法规名称：{}", preview(citation)));
    }
    rest = after_open[close + '》'.len_utf8()..].trim_start();
    let mut version = None;
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(after) = rest.strip_prefix(open)
            && let Some(end) = after.find(close)
        {
            let inside = &after[..end];
            version = find_date(inside);
            if version.is_none() {
                warning = Some(format!(
                    "《{law}》的版本“{inside}”不是日期，按施行中的版本链接"
                ));
            }
            rest = after[end + close.len_utf8()..].trim_start();
            break;
        }
    }
    let mut article = None;
    if let Some((label, len)) = article_label(rest) {
        article = Some(label);
        rest = &rest[len..];
    }
    let rest = rest
        .strip_prefix(['：', ':'])
        .unwrap_or(rest)
        .trim_matches(|c: char| c == ' ' || c == '\u{3000}');
    let text = (!rest.trim().is_empty()).then(|| rest.trim_end().to_string());
    Ok((
        LegalBasis {
            role,
            law,
            version,
            article,
            text,
        },
        warning,
    ))
}

fn preview(text: &str) -> String {
    let short: String = text.chars().take(30).collect();
    if short.len() < text.len() {
        format!("“{short}……”")
    } else {
        format!("“{short}”")
    }
}

/// The citations of a basis cell, with `role` for those not tagged with their own; warnings
/// beside them. An error names the citation it could not read.
pub fn parse_bases(cell: &str, role: &str) -> Result<(Vec<LegalBasis>, Vec<String>), String> {
    let mut bases = Vec::new();
    let mut warnings = Vec::new();
    for citation in split_citations(cell) {
        let (basis, warning) = parse_citation(&citation, role)?;
        bases.push(basis);
        warnings.extend(warning);
    }
    Ok((bases, warnings))
}

/// Every citation on its own line, tagged with its role, so order and roles survive.
pub fn format_bases(bases: &[LegalBasis]) -> String {
    bases
        .iter()
        .map(|b| {
            let mut s = format!("【{}】《{}》", b.role, b.law);
            if let Some(v) = &b.version {
                s.push_str(&format!("（{v}）"));
            }
            if let Some(a) = &b.article {
                s.push_str(a);
            }
            if let Some(t) = &b.text {
                s.push('：');
                s.push_str(t);
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---- lists beside a basis column ----

/// Pairs entries with their bases: one basis each, or one basis for all.
fn align_bases(count: usize, basis_cell: &str, what: &str) -> Result<Vec<Option<String>>, String> {
    let bases = split_entries_keeping_empty(basis_cell);
    let as_basis = |b: String| Some(b).filter(|b| !b.is_empty());
    match bases.iter().filter(|b| !b.is_empty()).count() {
        0 => Ok(vec![None; count]),
        1 if bases.len() == 1 && count != 1 => Ok(vec![as_basis(bases[0].clone()); count]),
        _ if bases.len() == count => Ok(bases.into_iter().map(as_basis).collect()),
        _ => Err(format!(
            "{what}依据有{}条，与{what}的{count}条对不上",
            bases.len()
        )),
    }
}

/// The longest 责任事项 stage name (`其他法律法规规章文件规定应履行的责任` has 18): a longer text
/// before the first colon is a duty without a stage.
const MAX_STAGE_CHARS: usize = 30;

/// Whether an entry names its stage: `受理责任：……` (a colon within the longest stage name).
fn opens_stage(text: &str) -> bool {
    text.split_once(['：', ':'])
        .is_some_and(|(stage, _)| stage.chars().count() <= MAX_STAGE_CHARS)
}

/// Whether a line is a sub-point of a stage's duty: `（1）`, `(1)` or `①` at its start (a
/// stage itself is numbered `1.` or `一、`).
fn is_sub_point(line: &str) -> bool {
    marker_len(line).is_some()
        && line
            .chars()
            .next()
            .is_some_and(|c| c == '（' || c == '(' || ('①'..='⑳').contains(&c))
}

/// 责任事项 whose duties have sub-points on lines of their own: each line that names a stage
/// opens an entry, each sub-point line after it joins it. None when any other line (text
/// before the first stage, a line that is neither) makes the reading doubtful.
fn split_by_stages(cell: &str) -> Option<Vec<String>> {
    let mut entries: Vec<String> = Vec::new();
    for line in cell.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if is_sub_point(line) {
            let entry = entries.last_mut()?;
            entry.push('\n');
            entry.push_str(line);
            continue;
        }
        let body = marker_len(line).map_or(line, |len| line[len..].trim_start());
        if !opens_stage(body) {
            return None;
        }
        entries.push(body.to_string());
    }
    Some(entries)
}

/// 责任事项 (`1.受理责任：……`) with their 责任事项依据 (numbered alike, or one for all). A stage
/// whose duty has numbered sub-points on lines of their own (`受理责任：\n（1）……\n（2）……`) is
/// one entry.
pub fn parse_responsibilities(cell: &str, basis_cell: &str) -> Result<Vec<Responsibility>, String> {
    let mut entries = split_entries(cell);
    if !entries.iter().all(|e| opens_stage(e))
        && let Some(by_stage) = split_by_stages(cell)
    {
        entries = by_stage;
    }
    let bases = align_bases(entries.len(), basis_cell, "责任事项")?;
    entries
        .into_iter()
        .zip(bases)
        .enumerate()
        .map(|(i, (entry, basis))| {
            let (stage, duty) = entry
                .split_once(['：', ':'])
                .filter(|(stage, _)| stage.chars().count() <= MAX_STAGE_CHARS)
                .ok_or_else(|| {
                    format!(
                        "第{}项没有环节名称，应写成“受理责任：……”：{}",
                        i + 1,
                        preview(&entry)
                    )
                })?;
            Ok(Responsibility {
                stage: stage.trim().to_string(),
                duty: duty.trim().to_string(),
                basis,
            })
        })
        .collect()
}

/// (责任事项 cell, 责任事项依据 cell).
pub fn format_responsibilities(list: &[Responsibility]) -> (String, String) {
    let duties: Vec<String> = list
        .iter()
        .map(|r| format!("{}：{}", r.stage, r.duty))
        .collect();
    (
        format_entries(&duties),
        format_aligned_bases(list.iter().map(|r| &r.basis)),
    )
}

fn format_aligned_bases<'a>(bases: impl Iterator<Item = &'a Option<String>>) -> String {
    let bases: Vec<String> = bases.map(|b| b.clone().unwrap_or_default()).collect();
    if bases.iter().all(String::is_empty) {
        String::new()
    } else {
        format_entries(&bases)
    }
}

/// 追责情形 with their 追责依据 (numbered alike, or one for all).
pub fn parse_accountability(cell: &str, basis_cell: &str) -> Result<Vec<Accountability>, String> {
    let entries = split_entries(cell);
    let bases = align_bases(entries.len(), basis_cell, "追责情形")?;
    Ok(entries
        .into_iter()
        .zip(bases)
        .map(|(circumstance, basis)| Accountability {
            circumstance,
            basis,
        })
        .collect())
}

/// (追责情形 cell, 追责依据 cell).
pub fn format_accountability(list: &[Accountability]) -> (String, String) {
    let circumstances: Vec<&str> = list.iter().map(|a| a.circumstance.as_str()).collect();
    (
        format_entries(&circumstances),
        format_aligned_bases(list.iter().map(|a| &a.basis)),
    )
}

// ---- structured entries ----

/// `5日` / `5个工作日` / `5` → 5.
fn days_of(text: &str) -> Option<i32> {
    let digits: String = text
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// 运行流程: `受理｜办理：…｜时限：5日｜说明`, or one line of stages `受理→审查→决定`.
pub fn parse_workflow(cell: &str) -> Result<Vec<WorkflowStep>, String> {
    let entries = split_entries(cell);
    if entries.len() == 1 && !entries[0].contains(FIELD_SEPARATOR) {
        let stages: Vec<&str> = entries[0]
            .split(['→', '—', '－'])
            .flat_map(|s| s.split("->"))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if stages.len() > 1 && stages.iter().all(|s| s.chars().count() <= 12) {
            return Ok(stages
                .into_iter()
                .map(|stage| WorkflowStep {
                    stage: stage.to_string(),
                    ..Default::default()
                })
                .collect());
        }
    }
    entries
        .iter()
        .map(|entry| {
            let (stage, labelled) = fields(entry);
            if let Some(e) = unknown_labels(&labelled, &["办理", "时限", "说明"]) {
                return Err(format!("{e}：{}", preview(entry)));
            }
            let limit = field(&labelled, &["时限"]);
            let time_limit_days = match &limit {
                Some(l) => Some(days_of(l).ok_or_else(|| format!("时限“{l}”不是天数"))?),
                None => None,
            };
            Ok(WorkflowStep {
                stage,
                actor: field(&labelled, &["办理"]),
                time_limit_days,
                description: field(&labelled, &["说明", ""]),
            })
        })
        .collect()
}

pub fn format_workflow(steps: &[WorkflowStep]) -> String {
    let entries: Vec<String> = steps
        .iter()
        .map(|s| {
            join_fields(
                &s.stage,
                &[
                    ("办理", &s.actor),
                    ("时限", &s.time_limit_days.map(|d| format!("{d}日"))),
                    ("说明", &s.description),
                ],
            )
        })
        .collect();
    format_entries(&entries)
}

/// 裁量基准: `违法行为｜阶次：一般｜情形：…｜处罚：…｜依据：…`.
pub fn parse_discretion(cell: &str) -> Result<Vec<Discretion>, String> {
    split_entries(cell)
        .iter()
        .map(|entry| {
            let (violation, labelled) = fields(entry);
            if let Some(e) = unknown_labels(&labelled, &["阶次", "情形", "处罚", "依据"]) {
                return Err(format!("{e}：{}", preview(entry)));
            }
            Ok(Discretion {
                violation,
                tier: field(&labelled, &["阶次"]).unwrap_or_default(),
                conditions: field(&labelled, &["情形"]),
                sanction: field(&labelled, &["处罚"]).unwrap_or_default(),
                basis: field(&labelled, &["依据"]),
            })
        })
        .collect()
}

pub fn format_discretion(list: &[Discretion]) -> String {
    let entries: Vec<String> = list
        .iter()
        .map(|d| {
            join_fields(
                &d.violation,
                &[
                    ("阶次", &Some(d.tier.clone())),
                    ("情形", &d.conditions),
                    ("处罚", &Some(d.sanction.clone())),
                    ("依据", &d.basis),
                ],
            )
        })
        .collect();
    format_entries(&entries)
}

/// 免罚轻罚: `不予处罚｜情形：…｜依据：…`.
pub fn parse_exemptions(cell: &str) -> Result<Vec<Exemption>, String> {
    split_entries(cell)
        .iter()
        .map(|entry| {
            let (kind, labelled) = fields(entry);
            if let Some(e) = unknown_labels(&labelled, &["情形", "依据"]) {
                return Err(format!("{e}：{}", preview(entry)));
            }
            Ok(Exemption {
                kind,
                conditions: field(&labelled, &["情形"]).unwrap_or_default(),
                basis: field(&labelled, &["依据"]),
            })
        })
        .collect()
}

pub fn format_exemptions(list: &[Exemption]) -> String {
    let entries: Vec<String> = list
        .iter()
        .map(|e| {
            join_fields(
                &e.kind,
                &[("情形", &Some(e.conditions.clone())), ("依据", &e.basis)],
            )
        })
        .collect();
    format_entries(&entries)
}

/// 救济途径: `行政复议｜机关：…｜期限：…`. Free text (`可依法申请行政复议或者提起行政诉讼`) is
/// read as the remedies it names; the caller keeps the original wording.
pub fn parse_remedies(cell: &str) -> Result<Vec<Remedy>, String> {
    let entries = split_entries(cell);
    if remedies_are_free_text(cell) {
        let named: Vec<Remedy> = crate::domain::RemedyKind::ALL
            .iter()
            .filter(|k| cell.contains(k.as_str()))
            .map(|k| Remedy {
                kind: k.as_str().to_string(),
                ..Default::default()
            })
            .collect();
        if named.is_empty() {
            return Err(format!(
                "救济途径应写成“行政复议｜机关：……｜期限：……”：{}",
                preview(cell)
            ));
        }
        return Ok(named);
    }
    entries
        .iter()
        .map(|entry| {
            let (kind, labelled) = fields(entry);
            if let Some(e) = unknown_labels(&labelled, &["机关", "期限"]) {
                return Err(format!("{e}：{}", preview(entry)));
            }
            Ok(Remedy {
                kind,
                body: field(&labelled, &["机关"]),
                time_limit: field(&labelled, &["期限"]),
            })
        })
        .collect()
}

/// Whether a 救济途径 cell is free text rather than structured entries (each entry a known
/// kind, or any kind with labelled fields).
pub fn remedies_are_free_text(cell: &str) -> bool {
    !split_entries(cell).iter().all(|e| {
        let (kind, _) = fields(e);
        e.contains(FIELD_SEPARATOR) || crate::domain::RemedyKind::parse(&kind).is_some()
    })
}

pub fn format_remedies(list: &[Remedy]) -> String {
    let entries: Vec<String> = list
        .iter()
        .map(|r| join_fields(&r.kind, &[("机关", &r.body), ("期限", &r.time_limit)]))
        .collect();
    format_entries(&entries)
}

/// 联办部门: `部门｜分工：…` per entry, or names separated by 、 on one line.
pub fn parse_joint_departments(cell: &str) -> Result<Vec<JointDepartment>, String> {
    let entries = split_entries(cell);
    if entries.len() == 1 && !entries[0].contains(FIELD_SEPARATOR) {
        return Ok(entries[0]
            .split(['、', '，', ',', '；', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| JointDepartment {
                name: name.to_string(),
                division: None,
            })
            .collect());
    }
    entries
        .iter()
        .map(|entry| {
            let (name, labelled) = fields(entry);
            if let Some(e) = unknown_labels(&labelled, &["分工"]) {
                return Err(format!("{e}：{}", preview(entry)));
            }
            Ok(JointDepartment {
                name,
                division: field(&labelled, &["分工"]),
            })
        })
        .collect()
}

pub fn format_joint_departments(list: &[JointDepartment]) -> String {
    let entries: Vec<String> = list
        .iter()
        .map(|j| join_fields(&j.name, &[("分工", &j.division)]))
        .collect();
    format_entries(&entries)
}

/// Values listed on one line: `市级、县级` / `市级,县级`.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split(['、', '，', ',', '；', ';', '/', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A time limit cell: `20个工作日` → (20, 工作日); `20日` / `20天` → (20, 自然日); `20` → (20,
/// none). Text without a number (`即办`) is not a number of days.
pub fn parse_days(cell: &str) -> Option<(i32, Option<String>)> {
    let text = cell.trim();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let (days, rest) = if digits.is_empty() {
        let numeral: String = text
            .chars()
            .take_while(|c| "〇零一二两三四五六七八九十百".contains(*c))
            .collect();
        (parse_chinese_number(&numeral)?, &text[numeral.len()..])
    } else {
        (digits.parse().ok()?, &text[digits.len()..])
    };
    Some((days, day_unit(rest)))
}

/// The unit of a number of days as stored: `工作日`; `日` / `天` / `自然日` / `日历日` →
/// `自然日`; none for nothing.
pub fn day_unit(text: &str) -> Option<String> {
    match text.trim().trim_start_matches('个').trim() {
        "" => None,
        "日" | "天" | "自然日" | "日历日" => Some("自然日".to_string()),
        other => Some(other.to_string()),
    }
}

pub fn format_days(days: i32, unit: Option<&str>) -> String {
    match unit {
        Some(u) => format!("{days}个{u}"),
        None => days.to_string(),
    }
}

/// 是否收费: 是 / 否 (收费, 不收费, 免费, Y, N …).
pub fn parse_yes_no(cell: &str) -> Option<bool> {
    match cell.trim() {
        "是" | "收费" | "Y" | "y" | "yes" | "true" | "1" => Some(true),
        "否" | "不收费" | "免费" | "不" | "N" | "n" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_with_sub_points_on_their_own_lines_is_one_entry() {
        let cell = "受理责任：\n（1）公示应当提交的材料；\n（2）一次性告知补正材料。\n审查责任：对申请材料进行审查。\n3.决定责任：作出决定。";
        let parsed = parse_responsibilities(cell, "").unwrap();
        let stages: Vec<&str> = parsed.iter().map(|r| r.stage.as_str()).collect();
        assert_eq!(stages, ["受理责任", "审查责任", "决定责任"]);
        assert_eq!(
            parsed[0].duty,
            "（1）公示应当提交的材料；\n（2）一次性告知补正材料。"
        );
        // Written back and read again, it is the same.
        let (duties, bases) = format_responsibilities(&parsed);
        assert_eq!(parse_responsibilities(&duties, &bases).unwrap(), parsed);
        // Text before any stage is still an error, not a guess.
        assert!(parse_responsibilities("说明文字\n（1）受理", "").is_err());
        // Stages need not end in 责任, and are never merged into one another.
        let plain = parse_responsibilities("1.受理责任：接收材料\n2.审查：审查材料", "").unwrap();
        assert_eq!(plain.len(), 2);
        assert_eq!(plain[1].stage, "审查");
        // A numbered line without a stage name is still reported.
        assert!(
            parse_responsibilities("1.受理责任：接收材料\n2.其他法律法规规定应履行的责任。", "")
                .is_err()
        );
    }
    use proptest::prelude::*;

    #[test]
    fn numbered_entries_in_every_style() {
        assert_eq!(
            split_entries("1.受理\n2、审查\n（3）决定\n(4)送达"),
            ["受理", "审查", "决定", "送达"]
        );
        assert_eq!(split_entries("一、甲\n二、乙"), ["甲", "乙"]);
        assert_eq!(split_entries("①甲\n②乙"), ["甲", "乙"]);
        assert_eq!(
            split_entries("有下列情形的，追究责任：\n1.甲\n续行\n2.乙"),
            ["有下列情形的，追究责任：", "甲\n续行", "乙"]
        );
        assert_eq!(split_entries("甲\n\n乙"), ["甲", "乙"]);
        assert_eq!(split_entries("1.5万元以下罚款"), ["1.5万元以下罚款"]);
    }

    #[test]
    fn a_real_basis_cell() {
        let cell = "【行政法规】《中华人民共和国道路运输条例》（2023年7月20日修订）第十条：申请从事客运经营的，应当……\n（一）从事县级行政区域内……\n【法律】《中华人民共和国行政许可法》第十二条第一款第（一）项：直接涉及国家安全……";
        let (bases, warnings) = parse_bases(cell, "设定依据").unwrap();
        let (tagged, _) = parse_bases(
            "【许可条件】《中华人民共和国行政许可法》第十二条",
            "实施依据",
        )
        .unwrap();
        assert_eq!(
            tagged[0].role, "许可条件",
            "a tag that is no law level is the role"
        );
        assert!(warnings.is_empty());
        assert_eq!(bases.len(), 2);
        assert_eq!(bases[0].law, "中华人民共和国道路运输条例");
        assert_eq!(bases[0].version.as_deref(), Some("2023-07-20"));
        assert_eq!(bases[0].article.as_deref(), Some("第十条"));
        assert_eq!(
            bases[0].text.as_deref(),
            Some("申请从事客运经营的，应当……\n（一）从事县级行政区域内……")
        );
        assert_eq!(bases[0].role, "设定依据");
        assert_eq!(
            bases[1].article.as_deref(),
            Some("第十二条第一款第（一）项")
        );
        assert_eq!(bases[1].version, None);
    }

    #[test]
    fn untagged_citations_split_at_book_titles_and_list_articles() {
        let (bases, _) = parse_bases(
            "1.《中华人民共和国行政许可法》第二十九条、第三十条\n2.《中华人民共和国道路运输条例》（2019年修正）第八条",
            "实施依据",
        )
        .unwrap();
        assert_eq!(bases.len(), 2);
        assert_eq!(bases[0].article.as_deref(), Some("第二十九条、第三十条"));
        assert_eq!(bases[0].text, None);
        let (_, warnings) =
            parse_bases("《道路运输条例》（2019年修正）第八条", "实施依据").unwrap();
        assert_eq!(warnings.len(), 1, "a version that is not a date is said");
        assert!(parse_bases("依照有关规定办理", "实施依据").is_err());
        assert!(parse_bases("《道路运输条例第八条", "实施依据").is_err());
    }

    #[test]
    fn dates_in_every_spelling() {
        assert_eq!(
            find_date("2023年7月20日修订").as_deref(),
            Some("2023-07-20")
        );
        assert_eq!(find_date("2019-03-02").as_deref(), Some("2019-03-02"));
        assert_eq!(
            find_date("国务院令第 2023.7.20").as_deref(),
            Some("2023-07-20")
        );
        assert_eq!(find_date("2019年修正"), None);
        assert_eq!(find_date("2023年2月30日"), None);
    }

    #[test]
    fn responsibilities_with_aligned_or_shared_bases() {
        let list = parse_responsibilities(
            "1.受理责任：公示材料目录\n2.审查责任：审查材料",
            "1.《行政许可法》第三十条\n2.《行政许可法》第三十四条",
        )
        .unwrap();
        assert_eq!(list[1].stage, "审查责任");
        assert_eq!(list[1].basis.as_deref(), Some("《行政许可法》第三十四条"));
        let shared = parse_accountability("1.甲\n2.乙", "《行政许可法》第七十二条").unwrap();
        assert!(
            shared
                .iter()
                .all(|a| a.basis.as_deref() == Some("《行政许可法》第七十二条"))
        );
        assert!(parse_accountability("1.甲\n2.乙\n3.丙", "1.a\n2.b").is_err());
        assert!(parse_responsibilities("公示材料目录，一次告知补正内容", "").is_err());
    }

    #[test]
    fn workflow_remedies_and_days() {
        let steps = parse_workflow("受理→审查→决定→送达").unwrap();
        assert_eq!(steps.len(), 4);
        let steps = parse_workflow("1.受理｜办理：行政审批科｜时限：5日｜接收材料").unwrap();
        assert_eq!(steps[0].actor.as_deref(), Some("行政审批科"));
        assert_eq!(steps[0].time_limit_days, Some(5));
        assert_eq!(steps[0].description.as_deref(), Some("接收材料"));
        assert!(parse_workflow("1.受理｜审批人：张三").is_err());
        let free = parse_remedies("对决定不服的，可以依法申请行政复议或者提起行政诉讼").unwrap();
        assert_eq!(free.len(), 2);
        assert!(remedies_are_free_text("可以申请行政复议"));
        assert!(parse_remedies("向法院反映").is_err());
        assert_eq!(parse_days("20个工作日"), Some((20, Some("工作日".into()))));
        assert_eq!(parse_days("20日"), Some((20, Some("自然日".into()))));
        assert_eq!(parse_days("二十日"), Some((20, Some("自然日".into()))));
        assert_eq!(parse_days("即办"), None);
        assert_eq!(parse_yes_no(" 否 "), Some(false));
    }

    fn text() -> impl Strategy<Value = String> {
        // Official wording: no field separators, no lines that look like list markers.
        "[一-龥，。；、（）：0-9a-z ]{1,30}"
            .prop_filter("no marker at the start", |s| {
                marker_len(s.trim_start()).is_none() && !s.trim().is_empty()
            })
            .prop_map(|s| s.trim().to_string())
    }

    fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
        proptest::option::of(s)
    }

    proptest! {
        #[test]
        fn workflow_reads_back(steps in proptest::collection::vec(
            (text(), opt(text()), opt(0i32..400), opt(text())), 1..6)) {
            let steps: Vec<WorkflowStep> = steps.into_iter().map(|(stage, actor, days, description)| WorkflowStep {
                stage, actor, time_limit_days: days, description,
            }).collect();
            prop_assert_eq!(parse_workflow(&format_workflow(&steps)).unwrap(), steps);
        }

        #[test]
        fn bases_read_back(bases in proptest::collection::vec(
            ("[设实处收追]", "[一-龥]{2,20}", opt(Just("2023-07-20".to_string())), opt(1i32..300), opt(text())), 1..5)) {
            let roles = ["设定依据", "实施依据", "处罚依据", "收费依据", "追责依据"];
            let bases: Vec<LegalBasis> = bases.into_iter().map(|(r, law, version, article, text)| LegalBasis {
                role: roles["设实处收追".chars().position(|c| r.starts_with(c)).unwrap_or(0)].to_string(),
                law,
                version,
                article: article.map(|n| format!("第{n}条")),
                text,
            }).collect();
            let (parsed, _) = parse_bases(&format_bases(&bases), "实施依据").unwrap();
            prop_assert_eq!(parsed, bases);
        }

        #[test]
        fn responsibilities_and_accountability_read_back(list in proptest::collection::vec(
            ("[一-龥]{2,8}", text(), opt(text())), 1..6)) {
            let responsibilities: Vec<Responsibility> = list.iter().map(|(stage, duty, basis)| Responsibility {
                stage: stage.clone(), duty: duty.clone(), basis: basis.clone(),
            }).collect();
            let (duties, bases) = format_responsibilities(&responsibilities);
            prop_assert_eq!(parse_responsibilities(&duties, &bases).unwrap(), responsibilities);
        }

        #[test]
        fn discretion_exemptions_remedies_read_back(
            d in proptest::collection::vec((text(), text(), opt(text()), text(), opt(text())), 1..4),
            r in proptest::collection::vec((prop_oneof![Just("行政复议"), Just("行政诉讼")], opt(text()), opt(text())), 1..3),
        ) {
            let discretion: Vec<Discretion> = d.iter().map(|(v, t, c, s, b)| Discretion {
                violation: v.clone(), tier: t.clone(), conditions: c.clone(), sanction: s.clone(), basis: b.clone(),
            }).collect();
            prop_assert_eq!(parse_discretion(&format_discretion(&discretion)).unwrap(), discretion);
            let exemptions: Vec<Exemption> = d.iter().map(|(k, c, _, _, b)| Exemption {
                kind: k.clone(), conditions: c.clone(), basis: b.clone(),
            }).collect();
            prop_assert_eq!(parse_exemptions(&format_exemptions(&exemptions)).unwrap(), exemptions);
            let remedies: Vec<Remedy> = r.into_iter().map(|(k, body, time_limit)| Remedy {
                kind: k.to_string(), body, time_limit,
            }).collect();
            prop_assert_eq!(parse_remedies(&format_remedies(&remedies)).unwrap(), remedies);
        }
    }
}
