//! The columns of a power list sheet and the header names departments use for each: one
//! table, documented in docs/sheets.md, read by the importer and written (first name of each)
//! by the exporter and the template. Header cells match after normalisation: spaces, line
//! breaks and full-width forms do not matter, nor a trailing note in brackets (`承诺时限
//! （工作日）`).

use unicode_normalization::UnicodeNormalization;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Seq,
    Code,
    BaseCode,
    Category,
    Name,
    SubItem,
    ParentCode,
    Department,
    Uscc,
    Region,
    Office,
    JointDepartments,
    PowerSource,
    ExerciseLevels,
    /// Legal bases; the role is the column's unless a citation names its own (`【设定依据】`).
    Basis(&'static str),
    Responsibilities,
    ResponsibilityBasis,
    Accountability,
    AccountabilityBasis,
    Workflow,
    Discretion,
    Exemptions,
    StatutoryLimit,
    PromisedLimit,
    TimeLimitNote,
    Charged,
    FeeBasis,
    FeeStandard,
    Consultation,
    Supervision,
    Remedies,
    EffectiveFrom,
    Remarks,
}

/// Every column with its header names, the first being what export and the template write.
/// The order is the export's column order.
pub const COLUMNS: &[(Column, &[&str])] = &[
    (Column::Seq, &["序号", "编号"]),
    (Column::Code, &["实施编码", "事项编码", "权力编码", "编码"]),
    (Column::BaseCode, &["基本编码"]),
    (
        Column::Category,
        &[
            "权力分类",
            "事项类型",
            "职权类别",
            "权力类别",
            "权力类型",
            "事项类别",
            "类别",
        ],
    ),
    (
        Column::Name,
        &[
            "项目名称",
            "事项名称",
            "职权名称",
            "权力事项名称",
            "权力名称",
            "主项名称",
            "主项",
        ],
    ),
    (Column::SubItem, &["子项名称", "子项"]),
    (Column::ParentCode, &["主项编码"]),
    (
        Column::Department,
        &["实施主体", "行使主体", "责任主体", "实施机关"],
    ),
    (Column::Uscc, &["统一社会信用代码", "实施主体编码"]),
    (Column::Region, &["行政区划代码", "行政区划", "区划代码"]),
    (
        Column::Office,
        &["承办机构", "承办科室", "责任处室", "内设机构", "承办处室"],
    ),
    (Column::JointDepartments, &["联办部门", "共同实施部门"]),
    (Column::PowerSource, &["权力来源", "行使方式"]),
    (Column::ExerciseLevels, &["行使层级"]),
    (
        Column::Basis("实施依据"),
        &[
            "实施依据",
            "依据",
            "法律依据",
            "行使依据",
            "法定依据",
            "法律法规依据",
        ],
    ),
    (Column::Basis("设定依据"), &["设定依据"]),
    (Column::Basis("处罚依据"), &["处罚依据"]),
    (Column::Responsibilities, &["责任事项", "责任事项内容"]),
    (Column::ResponsibilityBasis, &["责任事项依据"]),
    (
        Column::Accountability,
        &["追责情形", "问责情形", "追责情形及依据"],
    ),
    (Column::AccountabilityBasis, &["追责依据", "问责依据"]),
    (Column::Workflow, &["运行流程", "办理流程", "流程"]),
    (Column::Discretion, &["裁量基准", "自由裁量基准"]),
    (Column::Exemptions, &["免罚轻罚", "免罚轻罚清单"]),
    (
        Column::StatutoryLimit,
        &["法定期限", "法定时限", "法定办结时限", "法定办理时限"],
    ),
    (
        Column::PromisedLimit,
        &["承诺时限", "承诺期限", "承诺办结时限", "承诺办理时限"],
    ),
    (Column::TimeLimitNote, &["时限说明", "期限说明"]),
    (Column::Charged, &["是否收费"]),
    (Column::FeeBasis, &["收费依据", "收费法律依据"]),
    (Column::FeeStandard, &["收费标准"]),
    (Column::Consultation, &["咨询电话", "咨询方式", "咨询渠道"]),
    (
        Column::Supervision,
        &[
            "监督电话",
            "投诉电话",
            "监督投诉电话",
            "监督投诉方式",
            "投诉方式",
        ],
    ),
    (Column::Remedies, &["救济途径", "救济渠道"]),
    (Column::EffectiveFrom, &["生效日期", "实施日期"]),
    (Column::Remarks, &["备注", "说明"]),
];

/// A header or value as compared: NFKC (full-width → half-width), no whitespace of any kind
/// (line breaks inside a header cell included), no trailing bracketed note.
pub fn normalise_header(text: &str) -> String {
    let folded: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    // `承诺时限(工作日)` → `承诺时限`, but `收费依据(标准)` is itself a header name.
    if let Some(open) = folded.find('(')
        && open > 0
        && folded.ends_with(')')
        && column_of_exact(&folded).is_none()
    {
        return folded[..open].to_string();
    }
    folded
}

/// The bracketed note a header cell carries after its name (`承诺时限（工作日）` → `工作日`), if
/// the name without it is what names the column.
pub fn header_note(text: &str) -> Option<String> {
    let folded: String = text.nfkc().filter(|c| !c.is_whitespace()).collect();
    let normalised = normalise_header(text);
    (normalised != folded)
        .then(|| {
            folded[normalised.len()..]
                .trim_matches(['(', ')'])
                .to_string()
        })
        .filter(|note| !note.is_empty())
}

fn column_of_exact(normalised: &str) -> Option<Column> {
    COLUMNS.iter().find_map(|(column, names)| {
        names
            .iter()
            .any(|n| {
                n.nfkc()
                    .filter(|c| !c.is_whitespace())
                    .eq(normalised.chars())
            })
            .then_some(*column)
    })
}

/// The column a header cell names, if any.
pub fn column_of(header: &str) -> Option<Column> {
    column_of_exact(&normalise_header(header))
}

/// The header export writes for a column.
pub fn header_of(column: Column) -> &'static str {
    COLUMNS
        .iter()
        .find(|(c, _)| *c == column)
        .and_then(|(_, names)| names.first().copied())
        .unwrap_or("")
}

/// The columns export writes, in order: every column but the role-specific basis columns
/// (export writes every citation into one 依据 column, each tagged with its role, so their
/// order survives), and the 子项 column (export writes each item as its own row).
pub fn export_columns() -> Vec<Column> {
    COLUMNS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !matches!(c, Column::Basis(role) if *role != "实施依据"))
        .filter(|c| *c != Column::SubItem)
        .collect()
}

/// A header row found in a sheet: the columns it names, by position, and the header cells it
/// does not know.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderRow {
    /// 0-based row index of the header.
    pub row: usize,
    pub columns: Vec<Option<Column>>,
    /// (0-based column, header text) of every non-empty header cell that names no column.
    pub unknown: Vec<(usize, String)>,
}

/// The first row within the first ten that names the item's name and at least one more
/// column: title rows above the header (`广安区交通运输局权力清单`) are skipped.
pub fn find_header(rows: &[Vec<String>]) -> Option<HeaderRow> {
    rows.iter().take(10).enumerate().find_map(|(i, row)| {
        let columns: Vec<Option<Column>> = row.iter().map(|c| column_of(c)).collect();
        let named = columns.iter().flatten().count();
        if !columns.contains(&Some(Column::Name)) || named < 2 {
            return None;
        }
        let unknown = row
            .iter()
            .enumerate()
            .filter(|(j, text)| columns[*j].is_none() && !text.trim().is_empty())
            .map(|(j, text)| (j, text.trim().to_string()))
            .collect();
        Some(HeaderRow {
            row: i,
            columns,
            unknown,
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_and_its_variants_match() {
        for (column, names) in COLUMNS {
            for name in *names {
                assert_eq!(column_of(name), Some(*column), "{name}");
                // Full-width letters, spaces and line breaks inside the cell.
                let spaced: String = name.chars().flat_map(|c| [c, ' ']).collect();
                assert_eq!(column_of(&spaced), Some(*column), "{spaced}");
                assert_eq!(column_of(&format!("\n{name}\r\n")), Some(*column));
            }
        }
        assert_eq!(column_of("承诺时限（工作日）"), Some(Column::PromisedLimit));
        assert_eq!(column_of("收费依据（元/件）"), Some(Column::FeeBasis));
        assert_eq!(header_note("承诺时限（工作日）").as_deref(), Some("工作日"));
        assert_eq!(header_note("法定期限\n(工作日)").as_deref(), Some("工作日"));
        assert_eq!(header_note("法定期限"), None);
        assert_eq!(column_of("权力\n分类"), Some(Column::Category));
        assert_eq!(column_of("审批人签字"), None);
    }

    #[test]
    fn no_name_belongs_to_two_columns() {
        let mut seen = std::collections::HashMap::new();
        for (column, names) in COLUMNS {
            for name in *names {
                let key = normalise_header(name);
                if let Some(other) = seen.insert(key.clone(), *column) {
                    panic!("{key} names both {other:?} and {column:?}");
                }
            }
        }
    }

    #[test]
    fn the_header_is_found_below_a_title() {
        let rows = vec![
            vec!["广安区交通运输局权力清单".to_string()],
            vec![],
            vec![
                "序号".into(),
                "事项名称".into(),
                "权力分类".into(),
                "审批人".into(),
            ],
        ];
        let header = find_header(&rows).unwrap();
        assert_eq!(header.row, 2);
        assert_eq!(header.unknown, vec![(3, "审批人".to_string())]);
    }
}

#[cfg(test)]
mod documented {
    /// docs/sheets.md lists every header name the importer knows.
    #[test]
    fn every_header_name_is_in_the_docs() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sheets.md");
        let docs = std::fs::read_to_string(path).unwrap_or_default();
        for (_, names) in super::COLUMNS {
            for name in *names {
                assert!(
                    docs.contains(name),
                    "docs/sheets.md does not mention {name}"
                );
            }
        }
    }
}
