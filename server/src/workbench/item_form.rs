//! The form of a whole power item: its fields and lists (legal bases, workflow, 责任事项 by
//! stage, 追责情形, 裁量基准, 免罚轻罚, remedies, joint departments) as form fields named like the
//! validator's problems (`legal_bases[0].law`, `time_limit.promised_days`), so that every
//! problem is shown beside its field; and the way back from the posted fields to an interchange
//! record. It works without JavaScript: each list shows its rows and a blank one, a button adds
//! another, a box removes a row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use maud::{Markup, html};
use quanze_registry::domain::category::Category;
use quanze_registry::models::DepartmentRow;
use serde_json::{Map, Value};

use super::session::FormFields;

/// How a value is typed in.
#[derive(Clone, Copy)]
enum Kind {
    Line,
    Text,
    Days,
    Choice(&'static [&'static str]),
}

/// A field of the item, or a column of one of its lists.
struct Field {
    key: &'static str,
    label: &'static str,
    kind: Kind,
}

const fn field(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { key, label, kind }
}

const BASIS_ROLES: &[&str] = &[
    "设定依据",
    "实施依据",
    "处罚依据",
    "违法依据",
    "强制依据",
    "检查依据",
    "征收依据",
    "给付依据",
    "确认依据",
    "奖励依据",
    "裁决依据",
    "收费依据",
    "其他依据",
];
const TIERS: &[&str] = &["不予处罚", "减轻", "从轻", "一般", "从重"];
const EXEMPTIONS: &[&str] = &["不予处罚", "减轻处罚", "从轻处罚", "免予强制"];
const REMEDIES: &[&str] = &["行政复议", "行政诉讼"];
const SOURCES: &[&str] = &[
    "法定本级行使",
    "上级下放",
    "上级授权",
    "同级授权",
    "上级委托",
    "同级委托",
];
const CHARGED: &[&str] = &["否", "是"];
/// Most rows of one list a form takes (the validator's own limits are lower for most lists).
const MAX_ROWS: usize = 500;
const UNITS: &[&str] = &["工作日", "自然日"];
const WITHHOLDING_REASONS: &[&str] = &["国家秘密", "商业秘密", "个人隐私", "其他法律法规规定"];

/// The item's own fields, in the order a clerk fills them (the category and department are
/// chosen from lists above these).
const SCALARS: &[Field] = &[
    field("name", "事项名称", Kind::Line),
    field("code", "实施编码（新事项可留空，由系统生成）", Kind::Line),
    field("base_code", "基本编码", Kind::Line),
    field("parent_code", "所属主项的实施编码（子项填写）", Kind::Line),
    field("undertaking_office", "承办机构", Kind::Line),
    field("power_source", "权力来源", Kind::Choice(SOURCES)),
    field(
        "exercise_levels",
        "行使层级（用顿号分隔，如：市、县）",
        Kind::Line,
    ),
    field("time_limit.statutory_days", "法定期限（天）", Kind::Days),
    field("time_limit.promised_days", "承诺时限（天）", Kind::Days),
    field("time_limit.unit", "时限单位", Kind::Choice(UNITS)),
    field("time_limit.note", "时限说明", Kind::Text),
    field("fee.charged", "是否收费", Kind::Choice(CHARGED)),
    field("fee.basis", "收费依据", Kind::Text),
    field("fee.standard", "收费标准", Kind::Text),
    field("consultation", "咨询方式", Kind::Line),
    field("supervision", "监督投诉方式", Kind::Line),
    field("effective_from", "生效日期（如 2026-01-01）", Kind::Line),
    field("remarks", "备注", Kind::Text),
    field(
        "withheld.reason",
        "不予公开的理由（依法不予公开的事项才填写；填写后该事项不在任何公开页面、接口、导出和检索中出现，只公布数量）",
        Kind::Choice(WITHHOLDING_REASONS),
    ),
    field("withheld.basis", "不予公开的法律依据", Kind::Text),
];

/// A list of the item, with its columns.
struct Section {
    key: &'static str,
    label: &'static str,
    columns: &'static [Field],
}

const SECTIONS: &[Section] = &[
    Section {
        key: "legal_bases",
        label: "实施依据",
        columns: &[
            field("role", "依据类别", Kind::Choice(BASIS_ROLES)),
            field("law", "法律法规名称", Kind::Line),
            field("version", "版本（修订日期，如 2023-07-20）", Kind::Line),
            field("article", "条款（如 第十条第一款）", Kind::Line),
            field("text", "条文", Kind::Text),
        ],
    },
    Section {
        key: "workflow",
        label: "办理流程",
        columns: &[
            field("stage", "环节", Kind::Line),
            field("description", "内容", Kind::Text),
            field("actor", "办理人员或机构", Kind::Line),
            field("time_limit_days", "时限（天）", Kind::Days),
        ],
    },
    Section {
        key: "responsibilities",
        label: "责任事项",
        columns: &[
            field("stage", "环节（如 受理责任）", Kind::Line),
            field("duty", "责任内容", Kind::Text),
            field("basis", "责任事项依据", Kind::Text),
        ],
    },
    Section {
        key: "accountability",
        label: "追责情形",
        columns: &[
            field("circumstance", "情形", Kind::Text),
            field("basis", "追责依据", Kind::Text),
        ],
    },
    Section {
        key: "discretion",
        label: "裁量基准",
        columns: &[
            field("violation", "违法行为", Kind::Line),
            field("tier", "阶次", Kind::Choice(TIERS)),
            field("conditions", "情形", Kind::Text),
            field("sanction", "处罚", Kind::Text),
            field("basis", "依据", Kind::Line),
        ],
    },
    Section {
        key: "exemptions",
        label: "免罚轻罚",
        columns: &[
            field("kind", "类别", Kind::Choice(EXEMPTIONS)),
            field("conditions", "情形", Kind::Text),
            field("basis", "依据", Kind::Line),
        ],
    },
    Section {
        key: "remedies",
        label: "救济途径",
        columns: &[
            field("kind", "途径", Kind::Choice(REMEDIES)),
            field("body", "受理机关", Kind::Line),
            field("time_limit", "期限", Kind::Line),
        ],
    },
    Section {
        key: "joint_departments",
        label: "联办部门",
        columns: &[
            field("name", "部门名称", Kind::Line),
            field("division", "分工", Kind::Line),
        ],
    },
];

/// What the clerk chose and typed, read back from the posted fields.
pub struct Posted {
    /// The record (without `department`, which the caller fills from the chosen id).
    pub record: Value,
    pub department: Option<i64>,
    pub reason: String,
    /// A list to give one more blank row (the form is shown again, nothing saved).
    pub add_row: Option<String>,
    /// Fields that could not be read (a number that is not one), by field name.
    pub problems: BTreeMap<String, String>,
}

/// Levels are stored by key (`city`); the form shows what a clerk writes (市), which the
/// validator reads back as the same key.
fn level_name(key: &str) -> &str {
    match key {
        "national" => "国家",
        "province" => "省",
        "city" => "市",
        "county" => "县",
        "township" => "乡镇",
        other => other,
    }
}

/// The value at a dotted path of the record, as text for a field.
fn text_at(record: &Value, path: &str) -> String {
    let mut v = record;
    for part in path.split('.') {
        match v.get(part) {
            Some(next) => v = next,
            None => return String::new(),
        }
    }
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map_or_else(|| i.to_string(), |s| level_name(s).to_string())
            })
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

fn input(name: &str, id: &str, f: &Field, value: &str, problem: Option<&String>) -> Markup {
    let error_id = format!("{id}-error");
    let described = problem.map(|_| error_id.as_str());
    let invalid = problem.map(|_| "true");
    html! {
        label for=(id) { (f.label) }
        @match f.kind {
            Kind::Line => input id=(id) name=(name) type="text" value=(value) aria-invalid=[invalid] aria-describedby=[described];,
            Kind::Days => input id=(id) name=(name) type="text" inputmode="numeric" value=(value) aria-invalid=[invalid] aria-describedby=[described];,
            Kind::Text => textarea id=(id) name=(name) rows="2" aria-invalid=[invalid] aria-describedby=[described] { (value) },
            Kind::Choice(options) => select id=(id) name=(name) aria-invalid=[invalid] aria-describedby=[described] {
                option value="" { "（不填）" }
                @for o in options { option value=(o) selected[*o == value] { (o) } }
                @if !value.is_empty() && !options.contains(&value) {
                    option value=(value) selected { (value) }
                }
            },
        }
        @if let Some(p) = problem { span.field-error id=(error_id) { (p) } }
    }
}

/// Where an unplaced problem is, in words (`discretion[0]` → 裁量基准第 1 行).
fn place_of(name: &str) -> String {
    for s in SECTIONS {
        if let Some(i) = name
            .strip_prefix(s.key)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
        {
            return format!("{}第 {} 行", s.label, i + 1);
        }
    }
    if let Some(s) = SECTIONS.iter().find(|s| s.key == name) {
        return s.label.into();
    }
    match name {
        "department" | "department.name" | "department.region" => "实施主体".into(),
        "record" => "事项".into(),
        other => other.into(),
    }
}

/// Whether a problem's field is a field of the form (else it is listed above the form: a
/// whole row, say `discretion[0]`, or the record).
fn is_rendered_field(name: &str) -> bool {
    if SCALARS.iter().any(|f| f.key == name) || name == "category" {
        return true;
    }
    SECTIONS.iter().any(|s| {
        name.strip_prefix(s.key)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.split_once("]."))
            .is_some_and(|(i, c)| {
                i.parse::<usize>().is_ok() && s.columns.iter().any(|col| col.key == c)
            })
    })
}

/// An HTML id from a field name (`legal_bases[0].law` → `f-legal_bases-0-law`).
fn id_of(name: &str) -> String {
    let mut id = String::from("f-");
    for c in name.chars() {
        id.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        });
    }
    id.trim_end_matches('-').to_string()
}

/// The form's fields for `record` (the caller wraps them in its `<form>` with the CSRF field
/// and the buttons). `problems` go beside their fields; `extra` blank rows per list.
pub fn fields(
    record: &Value,
    departments: &[DepartmentRow],
    department: Option<i64>,
    laws: &[String],
    problems: &BTreeMap<String, String>,
    extra: &HashMap<String, usize>,
) -> Markup {
    let category = text_at(record, "category");
    let unplaced: Vec<(&String, &String)> = problems
        .iter()
        .filter(|(k, _)| !is_rendered_field(k))
        .collect();
    html! {
        // Enter in a field saves the draft: the first submit button of a form is its default,
        // and the rows' 添加一行 buttons come before the ones at the end.
        button.sr-only type="submit" name="then" value="save" tabindex="-1" { "保存草稿" }
        @if !problems.is_empty() {
            div.problem role="alert" #form-problems {
                p { "有 " (problems.len()) " 处需要修改，已在对应的栏目旁标出。" }
                @if !unplaced.is_empty() {
                    ul { @for (k, m) in &unplaced { li { (place_of(k)) "：" (m) } } }
                }
            }
        }
        fieldset {
            legend { "基本信息" }
            p {
                label for="f-department" { "实施主体（部门）" }
                select #f-department name="department" required {
                    @for d in departments {
                        option value=(d.id) selected[Some(d.id) == department] { (d.name) }
                    }
                }
            }
            p {
                label for="f-category" { "权力分类" }
                select #f-category name="category" required aria-describedby=[problems.get("category").map(|_| "f-category-error")] {
                    @for c in Category::ALL {
                        option value=(c.key()) selected[c.key() == category || c.label() == category] { (c.label()) }
                    }
                }
                @if let Some(p) = problems.get("category") { span.field-error #f-category-error { (p) } }
            }
            @for f in SCALARS {
                p { (input(f.key, &id_of(f.key), f, &text_at(record, f.key), problems.get(f.key))) }
            }
        }
        datalist #laws { @for l in laws { option value=(l) {} } }
        @for s in SECTIONS {
            @let rows = record.get(s.key).and_then(Value::as_array).cloned().unwrap_or_default();
            @let blank = 1 + extra.get(s.key).copied().unwrap_or(0);
            fieldset.rows data-section=(s.key) {
                legend { (s.label) }
                @for i in 0..rows.len() + blank {
                    @let row = rows.get(i).cloned().unwrap_or(Value::Null);
                    div.row role="group" aria-label=(format!("{}第{}行", s.label, i + 1)) {
                        @for c in s.columns {
                            @let name = format!("{}[{i}].{}", s.key, c.key);
                            @let value = text_at(&row, c.key);
                            p {
                                @if s.key == "legal_bases" && c.key == "law" {
                                    label for=(id_of(&name)) { (c.label) }
                                    input id=(id_of(&name)) name=(name) type="text" list="laws" value=(value)
                                        aria-invalid=[problems.get(&name).map(|_| "true")]
                                        aria-describedby=[problems.get(&name).map(|_| format!("{}-error", id_of(&name)))];
                                    @if let Some(p) = problems.get(&name) { span.field-error id=(format!("{}-error", id_of(&name))) { (p) } }
                                } @else {
                                    (input(&name, &id_of(&name), c, &value, problems.get(&name)))
                                }
                            }
                        }
                        @if i < rows.len() {
                            p.remove {
                                label {
                                    input type="checkbox" name=(format!("{}[{i}]._remove", s.key)) value="1";
                                    " 删除这一行"
                                }
                            }
                        }
                    }
                }
                button.secondary type="submit" name="add_row" value=(s.key) formnovalidate { "添加一行" (s.label) }
            }
        }
    }
}

fn is_integer_field(key: &str) -> bool {
    matches!(
        key,
        "time_limit.statutory_days" | "time_limit.promised_days" | "time_limit_days"
    )
}

/// Sets a dotted path of `map` to `value`.
fn set_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let entry = map
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
        None => {
            map.insert(path.to_string(), value);
        }
    }
}

/// A typed value from what was typed: days as a whole number (or the text as it is, with a
/// problem), the fee's 是/否 as a boolean, levels split at 、 or commas, else the text.
fn typed(key: &str, raw: &str, problems: &mut BTreeMap<String, String>, name: &str) -> Value {
    let raw = raw.trim();
    if is_integer_field(key) {
        return match raw.parse::<i32>() {
            Ok(n) => Value::from(n),
            Err(_) => {
                problems.insert(name.to_string(), "请填写天数（整数）".into());
                Value::String(raw.to_string())
            }
        };
    }
    match key {
        "fee.charged" => Value::Bool(raw == "是"),
        "exercise_levels" => Value::Array(
            raw.split(['、', ',', '，', ' '])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        _ => Value::String(raw.to_string()),
    }
}

/// Reads the posted form back into a record.
pub fn read(form: &FormFields) -> Posted {
    let mut problems = BTreeMap::new();
    let mut record = Map::new();
    let category = form.get("category").trim().to_string();
    record.insert("category".into(), Value::String(category));
    for f in SCALARS {
        let raw = form.get(f.key);
        if raw.trim().is_empty() {
            continue;
        }
        let value = typed(f.key, raw, &mut problems, f.key);
        set_path(&mut record, f.key, value);
    }
    if record.get("code").is_none() {
        record.insert("code".into(), Value::String(String::new()));
    }
    if record.get("name").is_none() {
        record.insert("name".into(), Value::String(String::new()));
    }
    for s in SECTIONS {
        // Rows by their index as posted; blank and removed rows drop out and the rest close up,
        // and only then are values typed, so a problem names the row as it is shown again.
        let mut posted: BTreeMap<usize, Vec<(&Field, &str)>> = BTreeMap::new();
        let mut removed = BTreeSet::new();
        for (name, value) in form.pairs() {
            let Some(rest) = name.strip_prefix(s.key).and_then(|r| r.strip_prefix('[')) else {
                continue;
            };
            let Some((index, column)) = rest.split_once("].") else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            if column == "_remove" {
                removed.insert(index);
                continue;
            }
            let Some(c) = s.columns.iter().find(|c| c.key == column) else {
                continue;
            };
            if !value.trim().is_empty() {
                posted.entry(index).or_default().push((c, value));
            }
        }
        let kept: Vec<Vec<(&Field, &str)>> = posted
            .into_iter()
            .filter(|(i, _)| !removed.contains(i))
            .map(|(_, row)| row)
            .collect();
        if kept.len() > MAX_ROWS {
            problems.insert(s.key.to_string(), format!("{}最多 {MAX_ROWS} 行", s.label));
        }
        let list: Vec<Value> = kept
            .into_iter()
            .take(MAX_ROWS)
            .enumerate()
            .map(|(i, row)| {
                let mut object = Map::new();
                for (c, value) in row {
                    let name = format!("{}[{i}].{}", s.key, c.key);
                    object.insert(c.key.to_string(), typed(c.key, value, &mut problems, &name));
                }
                Value::Object(object)
            })
            .collect();
        if !list.is_empty() {
            record.insert(s.key.to_string(), Value::Array(list));
        }
    }
    let add_row = Some(form.get("add_row").to_string())
        .filter(|k| SECTIONS.iter().any(|s| s.key == k.as_str()));
    Posted {
        record: Value::Object(record),
        department: form.get("department").trim().parse().ok(),
        reason: super::one_line(form.get("reason")),
        add_row,
        problems,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormFields {
        FormFields::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn posted_fields_become_a_record_with_blank_and_removed_rows_dropped() {
        let posted = read(&form(&[
            ("department", "37"),
            ("category", "licensing"),
            ("name", " 道路货物运输经营许可 "),
            ("time_limit.promised_days", "5"),
            ("fee.charged", "否"),
            ("exercise_levels", "市、县"),
            ("legal_bases[0].role", "设定依据"),
            ("legal_bases[0].law", "中华人民共和国道路运输条例"),
            ("legal_bases[0].article", "第二十一条"),
            ("legal_bases[1].law", ""),
            ("legal_bases[2].law", "要删掉的"),
            ("legal_bases[2]._remove", "1"),
            ("workflow[0].stage", "受理"),
            ("workflow[0].time_limit_days", "两天"),
            ("add_row", "workflow"),
        ]));
        assert_eq!(posted.department, Some(37));
        assert_eq!(posted.add_row.as_deref(), Some("workflow"));
        let r = &posted.record;
        assert_eq!(r["name"], "道路货物运输经营许可");
        assert_eq!(r["time_limit"]["promised_days"], 5);
        assert_eq!(r["fee"]["charged"], false);
        assert_eq!(r["exercise_levels"], serde_json::json!(["市", "县"]));
        assert_eq!(r["legal_bases"].as_array().unwrap().len(), 1);
        assert_eq!(r["legal_bases"][0]["article"], "第二十一条");
        assert_eq!(
            posted
                .problems
                .get("workflow[0].time_limit_days")
                .map(String::as_str),
            Some("请填写天数（整数）")
        );
    }

    #[test]
    fn problems_name_rows_as_they_are_shown_again() {
        let posted = read(&form(&[
            ("category", "penalty"),
            ("workflow[0].stage", ""),
            ("workflow[1].stage", "受理"),
            ("workflow[1].time_limit_days", "两天"),
            ("workflow[2].stage", "要删掉的"),
            ("workflow[2].time_limit_days", "也不对"),
            ("workflow[2]._remove", "1"),
        ]));
        // The blank row closed up: the bad days are row 0's; the removed row's are no problem.
        assert_eq!(
            posted.problems.keys().collect::<Vec<_>>(),
            vec!["workflow[0].time_limit_days"]
        );
        assert_eq!(posted.record["workflow"].as_array().unwrap().len(), 1);
        assert!(is_rendered_field("workflow[0].time_limit_days"));
        assert!(!is_rendered_field("discretion[0]"));
        assert_eq!(place_of("discretion[0]"), "裁量基准第 1 行");
    }

    #[test]
    fn a_record_renders_into_fields_that_read_back_the_same() {
        let record = serde_json::json!({
            "code": "X-1", "name": "示例事项", "category": "licensing",
            "time_limit": {"statutory_days": 20, "promised_days": 5, "unit": "工作日"},
            "legal_bases": [{"role": "设定依据", "law": "某条例", "article": "第十条", "text": "条文"}],
            "responsibilities": [{"stage": "受理责任", "duty": "依法受理"}],
        });
        let html = fields(&record, &[], None, &[], &BTreeMap::new(), &HashMap::new()).into_string();
        // Every value is in a field named as the validator names it.
        for needle in [
            "name=\"legal_bases[0].law\" type=\"text\" list=\"laws\" value=\"某条例\"",
            "name=\"time_limit.promised_days\" type=\"text\" inputmode=\"numeric\" value=\"5\"",
            "name=\"responsibilities[0].duty\" rows=\"2\">依法受理</textarea>",
            "name=\"legal_bases[1].law\"",
        ] {
            assert!(html.contains(needle), "{needle}");
        }
    }
}
