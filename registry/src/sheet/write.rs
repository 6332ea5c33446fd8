//! Writing the sheet form: one row per item under the Chinese headers, in XLSX (for Excel,
//! with a drop-down list on the category column) or CSV (UTF-8 with a BOM, which Excel on
//! zh-CN Windows needs to read it as UTF-8; cells that Excel would take for a formula are
//! neutralised). What is written here the importer reads back unchanged.

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};

use crate::domain::{Category, ExerciseLevel};
use crate::interchange::PowerItemRecord;
use crate::sheet::cells;
use crate::sheet::columns::{Column, export_columns, header_of};

/// The name of the items sheet that export and the template write.
pub const ITEMS_SHEET: &str = "权力清单";
/// The name of the template's instructions sheet; the importer passes over it.
pub const GUIDE_SHEET: &str = "填写说明";
/// A 序号 that marks the template's example row; the importer passes over such rows.
pub const EXAMPLE_MARK: &str = "示例";

/// The headers, in export order.
pub fn headers() -> Vec<&'static str> {
    export_columns().into_iter().map(header_of).collect()
}

/// One item as the cells of a row, in export order; `seq` is its 序号.
pub fn record_cells(seq: &str, r: &PowerItemRecord) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let limit = r.time_limit.clone().unwrap_or_default();
    let unit = limit.unit.as_deref();
    let fee = r.fee.clone();
    let (duties, duty_bases) = cells::format_responsibilities(&r.responsibilities);
    let (circumstances, circumstance_bases) = cells::format_accountability(&r.accountability);
    export_columns()
        .into_iter()
        .map(|column| match column {
            Column::Seq => seq.to_string(),
            Column::Code => r.code.clone(),
            Column::BaseCode => opt(&r.base_code),
            Column::Category => Category::label_of(&r.category),
            Column::Name => r.name.clone(),
            Column::SubItem => String::new(),
            Column::ParentCode => opt(&r.parent_code),
            Column::Department => r.department.name.clone(),
            Column::Uscc => opt(&r.department.uscc),
            Column::Region => r.department.region.clone(),
            Column::Office => opt(&r.undertaking_office),
            Column::JointDepartments => cells::format_joint_departments(&r.joint_departments),
            Column::PowerSource => opt(&r.power_source),
            Column::ExerciseLevels => r
                .exercise_levels
                .iter()
                .map(|l| level_label(l))
                .collect::<Vec<_>>()
                .join("、"),
            Column::Basis(_) => cells::format_bases(&r.legal_bases),
            Column::Responsibilities => duties.clone(),
            Column::ResponsibilityBasis => duty_bases.clone(),
            Column::Accountability => circumstances.clone(),
            Column::AccountabilityBasis => circumstance_bases.clone(),
            Column::Workflow => cells::format_workflow(&r.workflow),
            Column::Discretion => cells::format_discretion(&r.discretion),
            Column::Exemptions => cells::format_exemptions(&r.exemptions),
            Column::StatutoryLimit => limit
                .statutory_days
                .map(|d| cells::format_days(d, unit))
                .unwrap_or_default(),
            Column::PromisedLimit => limit
                .promised_days
                .map(|d| cells::format_days(d, unit))
                .unwrap_or_default(),
            Column::TimeLimitNote => opt(&limit.note),
            Column::Charged => fee
                .as_ref()
                .map(|f| if f.charged { "是" } else { "否" }.to_string())
                .unwrap_or_default(),
            Column::FeeBasis => fee
                .as_ref()
                .and_then(|f| f.basis.clone())
                .unwrap_or_default(),
            Column::FeeStandard => fee
                .as_ref()
                .and_then(|f| f.standard.clone())
                .unwrap_or_default(),
            Column::Consultation => opt(&r.consultation),
            Column::Supervision => opt(&r.supervision),
            Column::Remedies => cells::format_remedies(&r.remedies),
            Column::EffectiveFrom => opt(&r.effective_from),
            Column::Remarks => opt(&r.remarks),
        })
        .collect()
}

/// `county` → `县级` (the stored key, shown as the sheet's people write it).
fn level_label(key: &str) -> String {
    match ExerciseLevel::parse(key) {
        Some(ExerciseLevel::National) => "国家级",
        Some(ExerciseLevel::Province) => "省级",
        Some(ExerciseLevel::City) => "市级",
        Some(ExerciseLevel::County) => "县级",
        Some(ExerciseLevel::Township) => "乡级",
        None => key,
    }
    .to_string()
}

/// A CSV cell that Excel would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) gets a leading `'`, which Excel shows as text; the importer takes it off.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The inverse of [`neutralise`], for cells read from CSV.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// An XLSX workbook of items, built in memory.
pub struct XlsxItems {
    workbook: Workbook,
    rows: u32,
}

fn xlsx_error(e: XlsxError) -> String {
    format!("XLSX: {e}")
}

impl XlsxItems {
    pub fn new() -> Result<XlsxItems, String> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(ITEMS_SHEET).map_err(xlsx_error)?;
        write_header(sheet).map_err(xlsx_error)?;
        Ok(XlsxItems { workbook, rows: 0 })
    }

    fn sheet(&mut self) -> Result<&mut Worksheet, String> {
        self.workbook.worksheet_from_index(0).map_err(xlsx_error)
    }

    /// Appends one row of cells.
    pub fn push(&mut self, cells: &[String]) -> Result<(), String> {
        self.rows += 1;
        let row = self.rows;
        let wrap = Format::new().set_text_wrap();
        let sheet = self.sheet()?;
        for (col, value) in cells.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string_with_format(row, col as u16, value, &wrap)
                    .map_err(xlsx_error)?;
            }
        }
        Ok(())
    }

    /// The file's bytes, with the category drop-down over the written rows (and some more,
    /// for rows a clerk adds).
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        let last = self.rows + 500;
        let sheet = self.sheet()?;
        add_category_list(sheet, last).map_err(xlsx_error)?;
        self.workbook.save_to_buffer().map_err(xlsx_error)
    }
}

fn write_header(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    for (col, (column, header)) in export_columns().into_iter().zip(headers()).enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
        let width = match column {
            Column::Name | Column::Department | Column::Office => 24,
            Column::Basis(_)
            | Column::Responsibilities
            | Column::Accountability
            | Column::Workflow
            | Column::Discretion => 48,
            Column::Code => 30,
            _ => 14,
        };
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn add_category_list(sheet: &mut Worksheet, last_row: u32) -> Result<(), XlsxError> {
    let Some(col) = export_columns().iter().position(|c| *c == Column::Category) else {
        return Ok(());
    };
    let labels: Vec<&str> = Category::ALL.iter().map(|c| c.label()).collect();
    let validation = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_input_title("权力分类")?
        .set_input_message("从下拉列表中选择")?;
    sheet.add_data_validation(1, col as u16, last_row, col as u16, &validation)?;
    Ok(())
}

/// A filled example row for the template (marked 示例, which the importer passes over).
pub fn example_record() -> PowerItemRecord {
    use crate::interchange::*;
    PowerItemRecord {
        code: "511A0000000-511602000000-000-11511301008778386B-1-00".into(),
        name: "道路旅客运输经营许可".into(),
        category: "licensing".into(),
        department: DepartmentRef {
            name: "某区交通运输局".into(),
            uscc: Some("11511301008778386B".into()),
            region: "511602".into(),
        },
        undertaking_office: Some("行政审批科".into()),
        power_source: Some("法定本级行使".into()),
        exercise_levels: vec!["county".into()],
        time_limit: Some(TimeLimit {
            statutory_days: Some(20),
            promised_days: Some(10),
            unit: Some("工作日".into()),
            note: None,
        }),
        fee: Some(Fee {
            charged: false,
            basis: None,
            standard: Some("不收费".into()),
        }),
        legal_bases: vec![LegalBasis {
            role: "设定依据".into(),
            law: "中华人民共和国道路运输条例".into(),
            version: Some("2023-07-20".into()),
            article: Some("第十条".into()),
            text: Some("申请从事客运经营的，应当依法向市场监督管理部门办理有关登记手续后，按照下列规定提出申请……".into()),
        }],
        workflow: vec![
            WorkflowStep {
                stage: "受理".into(),
                actor: Some("行政审批科".into()),
                time_limit_days: Some(5),
                description: Some("接收申请材料，一次告知需要补正的全部内容".into()),
            },
            WorkflowStep {
                stage: "决定".into(),
                actor: Some("分管负责人".into()),
                time_limit_days: Some(15),
                description: None,
            },
        ],
        responsibilities: vec![Responsibility {
            stage: "受理责任".into(),
            duty: "公示申请材料目录和办理程序；一次性告知补正材料".into(),
            basis: Some("《中华人民共和国行政许可法》第三十条、第三十二条".into()),
        }],
        accountability: vec![Accountability {
            circumstance: "对符合法定条件的申请不予受理的".into(),
            basis: Some("《中华人民共和国行政许可法》第七十二条".into()),
        }],
        consultation: Some("0826-0000000".into()),
        supervision: Some("12345".into()),
        remedies: vec![Remedy {
            kind: "行政复议".into(),
            body: Some("某区人民政府".into()),
            time_limit: Some("自知道该行政行为之日起六十日内".into()),
        }],
        ..Default::default()
    }
}

/// How each column is filled in, for the template's instructions sheet and docs/sheets.md.
pub fn guide_lines() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "总则",
            "第一行是表头（列名见“权力清单”表，也可用常见的其他叫法，如“事项名称”“职权名称”）；表头上方可以有标题行；每行一个事项；空行跳过；序号为“示例”的行不导入。",
        ),
        (
            "权力分类",
            "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务（也可写“许可”“处罚”等，或按分类分工作表，以工作表名为分类）。",
        ),
        (
            "实施编码",
            "可不填：不填时按实施主体、项目名称和子项生成固定的编码，再次导入同一表格会更新同一事项。",
        ),
        (
            "子项名称",
            "同一项目的多个子项可分行填写，项目名称可合并单元格；项目没有单独一行时，按子项自动建立主项。",
        ),
        (
            "依据",
            "每条依据另起一行：【类别】《法规名称》（版本日期）第X条第X款：条文。类别为设定依据、实施依据、处罚依据、收费依据、追责依据等，可省略（“设定依据”“实施依据”“处罚依据”列的依据按列名归类）。",
        ),
        (
            "责任事项",
            "每项一行并编号：1.受理责任：……；“责任事项依据”按同样编号逐项对应，或只写一条（适用于全部）。",
        ),
        ("追责情形", "每项一行并编号：1.……；“追责依据”同上。"),
        (
            "运行流程",
            "每步一行：1.受理｜办理：行政审批科｜时限：5日｜说明；也可写“受理→审查→决定→送达”。",
        ),
        (
            "裁量基准",
            "每项一行：1.违法行为｜阶次：一般｜情形：……｜处罚：……｜依据：……",
        ),
        ("免罚轻罚", "每项一行：1.不予处罚｜情形：……｜依据：……"),
        (
            "救济途径",
            "每项一行：1.行政复议｜机关：……人民政府｜期限：……",
        ),
        (
            "法定期限、承诺时限",
            "如“20个工作日”“30日”；不是天数的写法（如“即办”）记入时限说明。",
        ),
        ("是否收费", "是或否；收费依据、收费标准另列。"),
    ]
}

/// An empty list to fill in: the headers, one example row, the category drop-down and an
/// instructions sheet.
pub fn template_xlsx() -> Result<Vec<u8>, String> {
    let mut items = XlsxItems::new()?;
    items.push(&record_cells(EXAMPLE_MARK, &example_record()))?;
    let mut bytes_workbook = items;
    let guide = bytes_workbook.workbook.add_worksheet();
    guide.set_name(GUIDE_SHEET).map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    guide.set_column_width(0, 18).map_err(xlsx_error)?;
    guide.set_column_width(1, 100).map_err(xlsx_error)?;
    guide
        .write_string_with_format(0, 0, "列", &bold)
        .map_err(xlsx_error)?;
    guide
        .write_string_with_format(0, 1, "怎么填", &bold)
        .map_err(xlsx_error)?;
    for (i, (column, how)) in guide_lines().into_iter().enumerate() {
        let row = i as u32 + 1;
        guide.write_string(row, 0, column).map_err(xlsx_error)?;
        guide
            .write_string_with_format(row, 1, how, &wrap)
            .map_err(xlsx_error)?;
    }
    bytes_workbook.finish()
}

/// The same as CSV (UTF-8 with a BOM): the headers and the example row.
pub fn template_csv() -> Result<Vec<u8>, String> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        csv.write_record(headers()).map_err(|e| e.to_string())?;
        csv.write_record(
            record_cells(EXAMPLE_MARK, &example_record())
                .iter()
                .map(|c| neutralise(c)),
        )
        .map_err(|e| e.to_string())?;
        csv.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A table as CSV for Excel on zh-CN Windows: UTF-8 with a BOM, CRLF, cells that Excel would
/// run as formulas neutralised (statistics and other tables the API offers as CSV).
pub fn table_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        csv.write_record(headers).map_err(|e| e.to_string())?;
        for row in rows {
            csv.write_record(row.iter().map(|c| neutralise(c)))
                .map_err(|e| e.to_string())?;
        }
        csv.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::sheet::workbook::{SheetFormat, read_workbook};

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for cell in ["=SUM(A1)", "+86", "-1", "@x", "正常", "'引号"] {
            assert_eq!(unneutralise(&neutralise(cell)), cell);
        }
        assert_eq!(neutralise("=1+1"), "'=1+1");
    }

    #[test]
    fn the_template_reads_back_with_its_drop_down_and_guide() {
        let bytes = template_xlsx().unwrap();
        let sheets = read_workbook(&bytes, SheetFormat::Xlsx, "t").unwrap();
        assert_eq!(sheets[0].name, ITEMS_SHEET);
        assert_eq!(sheets[0].rows[0], headers());
        assert_eq!(sheets[0].rows[1][0], EXAMPLE_MARK);
        assert_eq!(sheets[1].name, GUIDE_SHEET);
        let csv = template_csv().unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let sheets = read_workbook(&csv, SheetFormat::Csv, "t").unwrap();
        assert_eq!(sheets[0].rows[0], headers());
    }
}
