//! Power lists from the spreadsheets departments keep them in (XLSX, CSV): every sheet with a
//! header row of the usual Chinese column names (`crate::sheet::columns`), a title row above it
//! or not, merged cells, blank rows, several sheets (one per category, say). Each row becomes
//! an item in the interchange format and goes the way NDJSON rows go: all rows or none,
//! published by the operator (CLI) or submitted for review (HTTP).
//!
//! The report names the sheet, row and column of every problem (`权力清单!E12: 未知的权力分类
//! “行政监管”`), in Chinese for the person who made the sheet. Nothing in the sheet is dropped
//! without a word: a column the importer does not know is kept in 备注 and said so.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::db::Database;
use crate::domain::Category;
use crate::error::Result;
use crate::import::{ImportOptions, ImportReport, RecordOrigin, sort_problems};
use crate::interchange::{DepartmentRef, Fee, PowerItemRecord, TimeLimit};
use crate::problem::Problem;
use crate::sheet::cells;
use crate::sheet::columns::{Column, HeaderRow, find_header, header_of};
use crate::sheet::workbook::{Sheet, SheetFormat, column_letter, read_workbook};
use crate::validate::{Checker, validate_item};

/// What a sheet may leave out: the department its rows belong to (a department's own list
/// rarely names itself on every row).
#[derive(Debug, Clone, Default)]
pub struct SheetDefaults {
    pub department: Option<DepartmentRef>,
}

/// A spreadsheet file as it arrived.
pub struct SheetFile<'a> {
    pub bytes: &'a [u8],
    pub format: SheetFormat,
    /// The file's name, for messages about the file as a whole (and a CSV's sheet name).
    pub name: &'a str,
}

/// Imports a sheet's items, published at once (the operator's CLI): all rows or none.
pub fn import_items_sheet(
    db: &Database,
    file: &SheetFile,
    defaults: &SheetDefaults,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let (report, valid) = read_items(file, defaults, opts);
    crate::import::items::import_items(db, report, valid, opts)
}

/// Imports a sheet's items for review by `p` (or published, for an admin with `publish`).
pub fn import_items_sheet_for_review(
    db: &Database,
    file: &SheetFile,
    defaults: &SheetDefaults,
    opts: &ImportOptions,
    p: &Principal,
    publish: bool,
) -> Result<ImportReport> {
    let (report, valid) = read_items(file, defaults, opts);
    crate::import::review::review_items(db, report, valid, opts, p, publish)
}

/// Reads and validates every item row of every sheet: the report so far and the valid items.
pub fn read_items(
    file: &SheetFile,
    defaults: &SheetDefaults,
    opts: &ImportOptions,
) -> (ImportReport, Vec<(RecordOrigin, PowerItemRecord)>) {
    let mut report = ImportReport {
        dry_run: opts.dry_run,
        ..Default::default()
    };
    let sheets = match read_workbook(file.bytes, file.format, sheet_name_of(file.name)) {
        Ok(sheets) => sheets,
        Err(message) => {
            report
                .problems
                .push(Problem::error("", message).at_cell(file.name));
            return (report, Vec::new());
        }
    };
    let mut valid = Vec::new();
    let mut first_seen: HashMap<String, String> = HashMap::new();
    for sheet in &sheets {
        read_sheet(sheet, defaults, &mut report, &mut valid, &mut first_seen);
    }
    if report.rows == 0 && report.errors() == 0 {
        report.problems.push(
            Problem::error(
                "",
                "没有读到任何事项：需要一行表头（如“序号、事项名称、权力分类……”）和其下的数据行",
            )
            .at_cell(file.name),
        );
    }
    sort_problems(&mut report.problems);
    (report, valid)
}

/// `list.csv` → `list` (a CSV file has one sheet, named after it).
fn sheet_name_of(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.').map_or(base, |(stem, _)| stem)
}

/// The cell reference `表名!E12` of a 0-based row and column.
fn cell_ref(sheet: &Sheet, row: usize, col: usize) -> String {
    format!("{}!{}{}", sheet.name, column_letter(col), row + 1)
}

/// A sheet's columns: where each known column is, and the unknown ones.
struct Layout {
    header: HeaderRow,
    /// Column → 0-based positions (legal-basis columns may appear several times).
    positions: HashMap<Column, Vec<usize>>,
}

impl Layout {
    fn new(header: HeaderRow) -> Layout {
        let mut positions: HashMap<Column, Vec<usize>> = HashMap::new();
        for (i, c) in header.columns.iter().enumerate() {
            if let Some(c) = c {
                positions.entry(*c).or_default().push(i);
            }
        }
        Layout { header, positions }
    }

    fn first(&self, column: Column) -> Option<usize> {
        self.positions.get(&column).and_then(|p| p.first().copied())
    }
}

fn read_sheet(
    sheet: &Sheet,
    defaults: &SheetDefaults,
    report: &mut ImportReport,
    valid: &mut Vec<(RecordOrigin, PowerItemRecord)>,
    first_seen: &mut HashMap<String, String>,
) {
    if sheet.name == crate::sheet::write::GUIDE_SHEET {
        // The template's instructions.
        return;
    }
    let has_content = sheet
        .rows
        .iter()
        .any(|r| r.iter().any(|c| !c.trim().is_empty()));
    let Some(header) = find_header(&sheet.rows) else {
        if has_content {
            report.problems.push(
                Problem::warning("", "没有找到表头行（需要“事项名称”等列名），本工作表未导入")
                    .at_cell(&sheet.name),
            );
        }
        return;
    };
    let layout = Layout::new(header);
    for (column, positions) in &layout.positions {
        if positions.len() > 1 && !matches!(column, Column::Basis(_)) {
            let letters: Vec<String> = positions.iter().map(|p| column_letter(*p)).collect();
            report.problems.push(
                Problem::error(
                    "",
                    format!(
                        "列“{}”出现了{}次（{}列），请只保留一列",
                        header_of(*column),
                        positions.len(),
                        letters.join("、")
                    ),
                )
                .at_cell(cell_ref(sheet, layout.header.row, positions[0])),
            );
        }
    }
    for (col, text) in &layout.header.unknown {
        report.problems.push(
            Problem::warning(
                "",
                format!("不认识的列“{text}”：其内容已并入“备注”；如需单独保存，请改用模板中的列名"),
            )
            .at_cell(cell_ref(sheet, layout.header.row, *col)),
        );
    }
    let sheet_category = Category::parse(sheet.name.trim()).or_else(|| {
        Category::ALL
            .iter()
            .copied()
            .find(|c| sheet.name.contains(c.label()))
    });
    if layout.first(Column::Category).is_none() && sheet_category.is_none() {
        report.problems.push(
            Problem::error(
                "",
                "没有“权力分类”列，工作表名也不是权力分类（如“行政许可”）",
            )
            .at_cell(cell_ref(sheet, layout.header.row, 0)),
        );
        return;
    }
    let mut main_items = MainItems::default();
    for row in layout.header.row + 1..sheet.rows.len() {
        let cells = &sheet.rows[row];
        if cells.iter().all(|c| c.trim().is_empty()) || is_header_again(cells, &layout) {
            continue;
        }
        let only_seq = cells.iter().enumerate().all(|(i, c)| {
            c.trim().is_empty() || layout.header.columns.get(i) == Some(&Some(Column::Seq))
        });
        let is_example = layout
            .first(Column::Seq)
            .is_some_and(|c| sheet.cell(row, c).trim() == crate::sheet::write::EXAMPLE_MARK);
        if only_seq || is_example {
            continue;
        }
        report.rows += 1;
        let mut row_reader = RowReader {
            sheet,
            layout: &layout,
            row,
            problems: Vec::new(),
        };
        let built = row_reader.build(defaults, sheet_category, &mut main_items);
        let faulted: Vec<Option<String>> = row_reader
            .problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| p.cell.clone())
            .collect();
        report.problems.append(&mut row_reader.problems);
        if !faulted.is_empty() {
            // Rejected with its errors; a main item it would have made goes with it.
            main_items.forget_pending_of(row);
        }
        for (origin, record) in built {
            accept(origin, record, &faulted, report, valid, first_seen);
        }
    }
    // 项目 that had only 子项 rows get the main item made from their first 子项, said once.
    for (origin, record, warning) in main_items.finish(valid) {
        report.problems.push(warning);
        let code = record.code.clone();
        let before = valid.len();
        accept(origin, record, &[], report, valid, first_seen);
        // Listed before its first 子项, where the sheet would have had its row.
        if valid.len() > before
            && let Some(first_child) = valid
                .iter()
                .position(|(_, r)| r.parent_code.as_deref() == Some(code.as_str()))
        {
            valid[first_child..].rotate_right(1);
        }
    }
}

/// Validates a record read from a row and keeps it unless its row failed or its code was seen
/// already. `faulted`: the cells the row reader found wrong (not found wrong again).
fn accept(
    origin: RecordOrigin,
    record: PowerItemRecord,
    faulted: &[Option<String>],
    report: &mut ImportReport,
    valid: &mut Vec<(RecordOrigin, PowerItemRecord)>,
    first_seen: &mut HashMap<String, String>,
) {
    let mut checker = Checker::default();
    let normalised = validate_item(&record, &mut checker);
    for p in checker.problems {
        let placed = origin.place(in_chinese(p));
        if !faulted.contains(&placed.cell) {
            report.problems.push(placed);
        }
    }
    let Some(item) = normalised.filter(|_| faulted.is_empty()) else {
        return;
    };
    let here = origin.row_cell.clone().unwrap_or_default();
    if let Some(first) = first_seen.get(&item.code) {
        report.problems.push(origin.place(Problem::error(
            "code",
            format!(
                "实施编码 {} 与 {first} 重复；每个事项只能出现一次",
                item.code
            ),
        )));
        return;
    }
    first_seen.insert(item.code.clone(), here);
    valid.push((origin, item));
}

/// A 项目 (department, region, 项目名称) whose 子项 rows name it as their main item.
type ProjectKey = (String, String, String);

/// The main item of each 项目 of a sheet. A 项目 has a row of its own, before or after its
/// 子项 rows; one that has none gets a main item made from its first 子项 — decided at the end
/// of the sheet, so a 项目 row after its 子项 is the main item, not a duplicate.
#[derive(Default)]
struct MainItems {
    /// The code 子项 rows name as their main item's.
    codes: HashMap<ProjectKey, String>,
    /// 项目 seen only through 子项 so far: (key, the row, the made main item with its origin
    /// and the warning that says it was made), in sheet order.
    pending: Vec<(ProjectKey, usize, RecordOrigin, PowerItemRecord, Problem)>,
    /// A made main item's code → the code of the 项目's own row, found later.
    replaced: HashMap<String, String>,
}

impl MainItems {
    /// The main item's code for a 子项 row of `key`; made (pending) from this row when the
    /// 项目 has no row yet.
    fn code_for_sub_item(
        &mut self,
        key: ProjectKey,
        row: usize,
        make: impl FnOnce() -> (RecordOrigin, PowerItemRecord, Problem),
    ) -> String {
        if let Some(code) = self.codes.get(&key) {
            return code.clone();
        }
        let (origin, main, warning) = make();
        let code = main.code.clone();
        self.codes.insert(key.clone(), code.clone());
        self.pending.push((key, row, origin, main, warning));
        code
    }

    /// The 项目's own row: it is the main item (a made one is dropped, its 子项 follow).
    fn project_row(&mut self, key: ProjectKey, code: &str) {
        if let Some(i) = self.pending.iter().position(|p| p.0 == key) {
            let made = self.pending.remove(i);
            if made.3.code != code {
                self.replaced.insert(made.3.code, code.to_string());
            }
        }
        self.codes.insert(key, code.to_string());
    }

    /// Drops a main item a rejected row would have made.
    fn forget_pending_of(&mut self, row: usize) {
        if let Some(i) = self.pending.iter().position(|p| p.1 == row) {
            let made = self.pending.remove(i);
            self.codes.remove(&made.0);
        }
    }

    /// Points 子项 at their 项目's own row where it came after them, and returns the main
    /// items still to make, each with its warning.
    fn finish(
        self,
        valid: &mut [(RecordOrigin, PowerItemRecord)],
    ) -> Vec<(RecordOrigin, PowerItemRecord, Problem)> {
        for (_, record) in valid.iter_mut() {
            if let Some(real) = record
                .parent_code
                .as_ref()
                .and_then(|p| self.replaced.get(p))
            {
                record.parent_code = Some(real.clone());
            }
        }
        self.pending
            .into_iter()
            .map(|(_, _, origin, main, warning)| (origin, main, warning))
            .collect()
    }
}

/// A header row repeated further down (a sheet printed over several pages).
fn is_header_again(cells: &[String], layout: &Layout) -> bool {
    let name_col = layout.first(Column::Name);
    name_col.is_some_and(|c| {
        // A header cell is short; a name is rarely that short, so most rows skip the folding.
        cells.get(c).is_some_and(|t| {
            t.chars().count() <= 24 && crate::sheet::columns::column_of(t) == Some(Column::Name)
        })
    })
}

/// Turns one sheet row into items (one, or a synthesized main item and the row's 子项).
struct RowReader<'a> {
    sheet: &'a Sheet,
    layout: &'a Layout,
    row: usize,
    problems: Vec<Problem>,
}

impl RowReader<'_> {
    fn text(&self, column: Column) -> &str {
        self.layout
            .first(column)
            .map(|c| self.sheet.cell(self.row, c).trim())
            .unwrap_or("")
    }

    /// The unit of days a column's header names in brackets (`承诺时限（工作日）`), if any.
    fn header_day_unit(&self, column: Column) -> Option<String> {
        let position = self.layout.first(column)?;
        let note =
            crate::sheet::columns::header_note(self.sheet.cell(self.layout.header.row, position))?;
        matches!(
            note.as_str(),
            "工作日" | "日" | "天" | "自然日" | "日历日" | "个工作日"
        )
        .then(|| cells::day_unit(&note))
        .flatten()
    }

    fn opt(&self, column: Column) -> Option<String> {
        Some(self.text(column).to_string()).filter(|s| !s.is_empty())
    }

    fn cell_of(&self, column: Column) -> String {
        cell_ref(self.sheet, self.row, self.layout.first(column).unwrap_or(0))
    }

    fn error(&mut self, column: Column, message: impl Into<String>) {
        let cell = self.cell_of(column);
        self.problems.push(
            Problem::error("", message)
                .at_row(self.row + 1)
                .at_cell(cell),
        );
    }

    fn warn(&mut self, column: Column, message: impl Into<String>) {
        let cell = self.cell_of(column);
        self.problems.push(
            Problem::warning("", message)
                .at_row(self.row + 1)
                .at_cell(cell),
        );
    }

    /// Where each field of this row's record lives, for validation problems.
    fn origin(&self, name_column: Column) -> RecordOrigin {
        let mut cells: HashMap<&'static str, String> = HashMap::new();
        let first_basis = self
            .layout
            .header
            .columns
            .iter()
            .position(|c| matches!(c, Some(Column::Basis(_))));
        for (field, column) in FIELD_COLUMNS {
            let column = if *field == "name" {
                name_column
            } else {
                *column
            };
            if let Some(c) = self.layout.first(column) {
                cells.insert(field, cell_ref(self.sheet, self.row, c));
            }
        }
        if let Some(c) = first_basis {
            cells.insert("legal_bases", cell_ref(self.sheet, self.row, c));
        }
        for (field, column) in [
            ("department.region", Column::Region),
            ("department.uscc", Column::Uscc),
        ] {
            if let Some(c) = self.layout.first(column) {
                cells.insert(field, cell_ref(self.sheet, self.row, c));
            }
        }
        RecordOrigin {
            row: self.row + 1,
            row_cell: Some(self.cell_of(name_column)),
            cells: Some(cells),
        }
    }

    fn build(
        &mut self,
        defaults: &SheetDefaults,
        sheet_category: Option<Category>,
        main_items: &mut MainItems,
    ) -> Vec<(RecordOrigin, PowerItemRecord)> {
        let project = self.text(Column::Name).to_string();
        let sub_item = self.text(Column::SubItem).to_string();
        let name_column = if sub_item.is_empty() {
            Column::Name
        } else {
            Column::SubItem
        };
        if project.is_empty() {
            self.error(Column::Name, "事项名称为空");
        }
        let category = match self.opt(Column::Category) {
            Some(text) => match Category::parse(&text) {
                Some(c) => c.key().to_string(),
                None => {
                    self.error(
                        Column::Category,
                        format!(
                            "未知的权力分类“{text}”（应为{}之一）",
                            Category::ALL
                                .iter()
                                .map(|c| c.label())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    );
                    text
                }
            },
            None => match sheet_category {
                Some(c) => c.key().to_string(),
                None => {
                    self.error(Column::Category, "权力分类为空");
                    String::new()
                }
            },
        };
        let Some(department) = self.department(defaults) else {
            return Vec::new();
        };
        let mut record = PowerItemRecord {
            name: if sub_item.is_empty() {
                project.clone()
            } else {
                sub_item.clone()
            },
            category,
            department,
            base_code: self.opt(Column::BaseCode),
            parent_code: self.opt(Column::ParentCode),
            undertaking_office: self.opt(Column::Office),
            power_source: self.opt(Column::PowerSource),
            exercise_levels: cells::split_list(self.text(Column::ExerciseLevels)),
            consultation: self.opt(Column::Consultation),
            supervision: self.opt(Column::Supervision),
            remarks: self.opt(Column::Remarks),
            ..Default::default()
        };
        record.code = self
            .opt(Column::Code)
            .unwrap_or_else(|| local_code(&record.department, &project, &sub_item));
        self.lists(&mut record);
        self.time_limit(&mut record);
        self.fee(&mut record);
        if let Some(text) = self.opt(Column::EffectiveFrom) {
            match cells::find_date(&text) {
                Some(d) => record.effective_from = Some(d),
                None => self.error(
                    Column::EffectiveFrom,
                    format!("生效日期“{text}”应写成 2024-01-01"),
                ),
            }
        }
        self.keep_unknown_columns(&mut record);

        let mut out = Vec::new();
        let project_key = (
            record.department.name.clone(),
            record.department.region.clone(),
            project.clone(),
        );
        if !sub_item.is_empty() && record.parent_code.is_none() && !project.is_empty() {
            let main_code = main_items.code_for_sub_item(project_key, self.row, || {
                let main = PowerItemRecord {
                    code: local_code(&record.department, &project, ""),
                    name: project.clone(),
                    category: record.category.clone(),
                    department: record.department.clone(),
                    ..Default::default()
                };
                let warning = Problem::warning(
                    "",
                    format!(
                        "项目“{project}”没有单独的一行，已按其子项建立主项（只含名称、分类和实施主体）"
                    ),
                )
                .at_row(self.row + 1)
                .at_cell(self.cell_of(Column::Name));
                let mut origin = self.origin(Column::Name);
                origin.cells = None;
                origin.row_cell = Some(self.cell_of(Column::Name));
                (origin, main, warning)
            });
            record.parent_code = Some(main_code);
        } else if sub_item.is_empty() && !project.is_empty() {
            main_items.project_row(project_key, &record.code);
        }
        out.push((self.origin(name_column), record));
        out
    }

    /// The row's department: its 实施主体 cell, or the default. Its region from the row's cell,
    /// else the default's (a sheet lists the departments of one region); its credit code from
    /// the row's cell, else the default's when the row names the default department.
    fn department(&mut self, defaults: &SheetDefaults) -> Option<DepartmentRef> {
        let default = defaults.department.as_ref();
        let name = self
            .opt(Column::Department)
            .or_else(|| default.map(|d| d.name.clone()));
        let Some(name) = name else {
            self.error(
                Column::Department,
                "没有实施主体：请填写“实施主体”列，或导入时指定部门（--department）",
            );
            return None;
        };
        let same = default.filter(|d| d.name == name);
        let region = self
            .opt(Column::Region)
            .or_else(|| default.map(|d| d.region.clone()));
        let Some(region) = region else {
            self.error(
                Column::Region,
                "没有行政区划代码：请填写“行政区划代码”列，或导入时指定部门（--department）",
            );
            return None;
        };
        Some(DepartmentRef {
            name,
            uscc: self
                .opt(Column::Uscc)
                .or_else(|| same.and_then(|d| d.uscc.clone())),
            region,
        })
    }

    fn lists(&mut self, record: &mut PowerItemRecord) {
        let basis_columns: Vec<(usize, &'static str)> = self
            .layout
            .header
            .columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Some(Column::Basis(role)) => Some((i, *role)),
                _ => None,
            })
            .collect();
        for (col, role) in basis_columns {
            let text = self.sheet.cell(self.row, col).trim().to_string();
            if text.is_empty() {
                continue;
            }
            let cell = cell_ref(self.sheet, self.row, col);
            match cells::parse_bases(&text, role) {
                Ok((bases, warnings)) => {
                    record.legal_bases.extend(bases);
                    for w in warnings {
                        self.problems.push(
                            Problem::warning("", w)
                                .at_row(self.row + 1)
                                .at_cell(cell.clone()),
                        );
                    }
                }
                Err(e) => self.problems.push(
                    Problem::error("", format!("依据无法识别：{e}"))
                        .at_row(self.row + 1)
                        .at_cell(cell),
                ),
            }
        }
        let duties = self.text(Column::Responsibilities).to_string();
        let duty_bases = self.text(Column::ResponsibilityBasis).to_string();
        if !duties.is_empty() {
            match cells::parse_responsibilities(&duties, &duty_bases) {
                Ok(list) => record.responsibilities = list,
                Err(e) => self.error(Column::Responsibilities, e),
            }
        } else if !duty_bases.is_empty() {
            self.error(
                Column::ResponsibilityBasis,
                "有责任事项依据，却没有责任事项",
            );
        }
        let circumstances = self.text(Column::Accountability).to_string();
        let circumstance_bases = self.text(Column::AccountabilityBasis).to_string();
        if !circumstances.is_empty() {
            match cells::parse_accountability(&circumstances, &circumstance_bases) {
                Ok(list) => record.accountability = list,
                Err(e) => self.error(Column::Accountability, e),
            }
        } else if !circumstance_bases.is_empty() {
            self.error(Column::AccountabilityBasis, "有追责依据，却没有追责情形");
        }
        macro_rules! list {
            ($column:expr, $parse:path, $field:ident) => {
                let text = self.text($column).to_string();
                if !text.is_empty() {
                    match $parse(&text) {
                        Ok(list) => record.$field = list,
                        Err(e) => self.error($column, e),
                    }
                }
            };
        }
        list!(Column::Workflow, cells::parse_workflow, workflow);
        list!(Column::Discretion, cells::parse_discretion, discretion);
        list!(Column::Exemptions, cells::parse_exemptions, exemptions);
        list!(
            Column::JointDepartments,
            cells::parse_joint_departments,
            joint_departments
        );
        list!(Column::Remedies, cells::parse_remedies, remedies);
        let remedies = self.text(Column::Remedies).to_string();
        if !remedies.is_empty()
            && cells::remedies_are_free_text(&remedies)
            && !record.remedies.is_empty()
        {
            append_remark(record, &format!("救济途径：{remedies}"));
            self.warn(
                Column::Remedies,
                "救济途径是一段文字，已按其中的“行政复议”“行政诉讼”识别，原文并入“备注”",
            );
        }
    }

    fn time_limit(&mut self, record: &mut PowerItemRecord) {
        let mut limit = TimeLimit {
            note: self.opt(Column::TimeLimitNote),
            ..Default::default()
        };
        let mut notes = Vec::new();
        for column in [Column::StatutoryLimit, Column::PromisedLimit] {
            let text = self.text(column).to_string();
            if text.is_empty() {
                continue;
            }
            match cells::parse_days(&text) {
                Some((days, unit)) => {
                    // A bare number takes the unit its header names (`法定期限（工作日）`).
                    let unit = unit.or_else(|| self.header_day_unit(column));
                    if let (Some(a), Some(b)) = (&limit.unit, &unit)
                        && a != b
                    {
                        // One unit holds both numbers: this one is kept as words, with its unit.
                        let written = cells::format_days(days, Some(b));
                        notes.push(format!("{}：{written}", header_of(column)));
                        self.warn(
                            column,
                            format!("“{written}”的单位与法定期限不同，记入时限说明"),
                        );
                        continue;
                    }
                    if limit.unit.is_none() {
                        limit.unit = unit;
                    }
                    if column == Column::StatutoryLimit {
                        limit.statutory_days = Some(days);
                    } else {
                        limit.promised_days = Some(days);
                    }
                }
                None => {
                    notes.push(format!("{}：{text}", header_of(column)));
                    self.warn(column, format!("“{text}”不是天数，记入时限说明"));
                }
            }
        }
        if !notes.is_empty() {
            let mut all: Vec<String> = limit.note.take().into_iter().collect();
            all.extend(notes);
            limit.note = Some(all.join("；"));
        }
        if limit != TimeLimit::default() {
            record.time_limit = Some(limit);
        }
    }

    fn fee(&mut self, record: &mut PowerItemRecord) {
        let charged_text = self.text(Column::Charged).to_string();
        let basis = self.opt(Column::FeeBasis);
        let standard = self.opt(Column::FeeStandard);
        if charged_text.is_empty() && basis.is_none() && standard.is_none() {
            return;
        }
        let charged = if charged_text.is_empty() {
            basis.is_some()
        } else {
            match cells::parse_yes_no(&charged_text) {
                Some(c) => c,
                None => {
                    self.error(
                        Column::Charged,
                        format!("是否收费应填“是”或“否”，不是“{charged_text}”"),
                    );
                    false
                }
            }
        };
        record.fee = Some(Fee {
            charged,
            basis,
            standard,
        });
    }

    /// Columns the importer does not know go into 备注 as `列名：内容`.
    fn keep_unknown_columns(&mut self, record: &mut PowerItemRecord) {
        for (col, header) in &self.layout.header.unknown {
            let value = self.sheet.cell(self.row, *col).trim();
            if !value.is_empty() {
                append_remark(record, &format!("{header}：{value}"));
            }
        }
    }
}

fn append_remark(record: &mut PowerItemRecord, text: &str) {
    record.remarks = Some(match record.remarks.take() {
        Some(r) => format!("{r}\n{text}"),
        None => text.to_string(),
    });
}

/// A code for an item whose sheet has none (local lists often do not): stable for the same
/// department, project and sub-item, so importing the sheet again updates the same items.
pub fn local_code(department: &DepartmentRef, project: &str, sub_item: &str) -> String {
    let digest = Sha256::digest(
        format!(
            "{}|{}|{project}|{sub_item}",
            department.region, department.name
        )
        .as_bytes(),
    );
    let hex: String = digest[..8].iter().map(|b| format!("{b:02X}")).collect();
    format!("QZ-{}-{hex}", department.region.trim())
}

/// The column each top-level field of a record comes from.
const FIELD_COLUMNS: &[(&str, Column)] = &[
    ("code", Column::Code),
    ("base_code", Column::BaseCode),
    ("name", Column::Name),
    ("category", Column::Category),
    ("parent_code", Column::ParentCode),
    ("department", Column::Department),
    ("undertaking_office", Column::Office),
    ("joint_departments", Column::JointDepartments),
    ("power_source", Column::PowerSource),
    ("exercise_levels", Column::ExerciseLevels),
    ("time_limit", Column::StatutoryLimit),
    ("fee", Column::Charged),
    ("workflow", Column::Workflow),
    ("responsibilities", Column::Responsibilities),
    ("accountability", Column::Accountability),
    ("discretion", Column::Discretion),
    ("exemptions", Column::Exemptions),
    ("consultation", Column::Consultation),
    ("supervision", Column::Supervision),
    ("remedies", Column::Remedies),
    ("remarks", Column::Remarks),
    ("effective_from", Column::EffectiveFrom),
];

/// A validation problem told in Chinese, with the column the field lives in.
fn in_chinese(problem: Problem) -> Problem {
    let label = field_label(&problem.field);
    let message = format!("“{label}”{}", zh_message(&problem.message));
    Problem { message, ..problem }
}

/// `legal_bases[2].article` → `依据第3项的条款`.
fn field_label(field: &str) -> String {
    match field {
        "department.name" => return header_of(Column::Department).to_string(),
        "department.region" => return header_of(Column::Region).to_string(),
        "department.uscc" => return header_of(Column::Uscc).to_string(),
        _ => {}
    }
    let mut parts = field.split('.');
    let head = parts.next().unwrap_or("");
    let (top, index) = match head.split_once('[') {
        Some((t, i)) => (t, i.trim_end_matches(']').parse::<usize>().ok()),
        None => (head, None),
    };
    let column = FIELD_COLUMNS
        .iter()
        .find(|(f, _)| *f == top)
        .map(|(_, c)| header_of(*c))
        .unwrap_or(if top == "legal_bases" { "依据" } else { top });
    let mut label = column.to_string();
    if let Some(i) = index {
        label.push_str(&format!("第{}项", i + 1));
    }
    if let Some(sub) = parts.next() {
        let sub = match sub {
            "role" => "类别",
            "law" => "法规名称",
            "version" => "版本",
            "article" => "条款",
            "text" => "条文",
            "stage" => "环节",
            "duty" => "责任",
            "basis" => "依据",
            "circumstance" | "conditions" => "情形",
            "actor" => "办理",
            "time_limit_days" => "时限",
            "description" => "说明",
            "violation" => "违法行为",
            "tier" => "阶次",
            "sanction" => "处罚",
            "kind" => "类别",
            "body" => "机关",
            "time_limit" => "期限",
            "name" => "名称",
            "division" => "分工",
            "uscc" => "统一社会信用代码",
            "region" => "行政区划代码",
            "statutory_days" => "法定期限",
            "promised_days" => "承诺时限",
            "unit" => "单位",
            "note" => "说明",
            "standard" => "收费标准",
            other => other,
        };
        label.push_str(&format!("的{sub}"));
    }
    label
}

/// `a resident ID number (110…002X)` → `含有居民身份证号码（110…002X），个人信息不得公开`.
fn zh_personal_data(what: &str) -> String {
    use crate::publish_guard::PersonalData::*;
    let (kind, masked) = what.split_once(" (").unwrap_or((what, ""));
    let label = [ResidentId, Mobile, BankCard, PersonalEmail]
        .into_iter()
        .find(|k| k.describe() == kind)
        .map_or(kind, |k| k.label());
    let masked = masked.trim_end_matches(')');
    format!("含有{label}（{masked}），个人信息不得公开，请删除或改为单位办公电话、邮箱")
}

/// The validation messages in Chinese (the wording of `crate::validate`); anything else as it
/// is.
pub fn zh_message(message: &str) -> String {
    let m = message.trim();
    let number_after = |prefix: &str| -> Option<String> {
        m.strip_prefix(prefix)
            .map(|r| r.chars().take_while(char::is_ascii_digit).collect())
    };
    if m == "is required and must not be empty" {
        return "不能为空".into();
    }
    if let Some(rest) = m.strip_prefix(crate::publish_guard::MESSAGE_PREFIX)
        && let Some(rest) = rest.strip_suffix(crate::publish_guard::MESSAGE_SUFFIX)
    {
        return zh_personal_data(rest);
    }
    if m == "an item cannot be its own main item" {
        return "：事项不能是自己的主项".into();
    }
    if let Some(n) = number_after("is ")
        && let Some((_, max)) = m.split_once("at most ")
    {
        let max: String = max.chars().take_while(char::is_ascii_digit).collect();
        return format!("长{n}字，最多{max}字");
    }
    if let Some(n) = number_after("has ")
        && let Some((_, max)) = m.split_once("at most ")
    {
        let max: String = max.chars().take_while(char::is_ascii_digit).collect();
        return format!("有{n}项，最多{max}项");
    }
    if let Some(rest) = m.strip_prefix("contains the control character ") {
        return format!("含有控制字符 {rest}");
    }
    if let Some(rest) = m.strip_prefix("must be between 0 and ") {
        let (max, got) = rest.split_once(" days, got ").unwrap_or((rest, ""));
        return format!("应在0到{max}天之间，实为{got}");
    }
    if let Some(got) = m.strip_prefix("must be a date YYYY-MM-DD, got ") {
        return format!("应写成 2024-01-01 这样的日期，实为{got}");
    }
    if let Some((value, rest)) = m.split_once(" is not one of: ")
        && let Some(expected) = rest.strip_suffix("; kept as written")
    {
        return format!("{value}不在常用值中（{expected}），已按原文保留");
    }
    if let Some((value, expected)) = m.split_once(" is not one of: ") {
        return format!("{value}不是可用的值（可用：{expected}）");
    }
    if let Some(got) = m.strip_prefix("region code must be 6 or 12 digits (GB/T 2260), got ") {
        return format!("应为6位或12位数字（GB/T 2260），实为{got}");
    }
    if m.starts_with("may only contain letters") {
        return "只能由字母、数字和标点组成，不能有空格或汉字".into();
    }
    if m.starts_with("check character of") {
        return format!("的校验位不对（GB 32100），已按原样保留：{m}");
    }
    if m.contains("is not a unified social credit code") {
        return format!("不是统一社会信用代码：{m}");
    }
    if m.contains("does not start with an article number") {
        return "不以“第X条”开头，无法链接到法条原文".into();
    }
    if let Some(rest) = m.strip_prefix("promised ") {
        return format!("：承诺时限长于法定期限（{rest}）");
    }
    if m.starts_with("main item ") && m.contains("neither in this file nor in the registry") {
        return format!("：主项既不在本文件中，也不在登记库中（{m}）");
    }
    if m.starts_with("no department ") {
        return format!("：登记库中没有这个部门，部门由管理员登记（{m}）");
    }
    if m.ends_with("is not one of your departments") {
        return "：不是您所在的部门".into();
    }
    if m.ends_with("belongs to another department") {
        return "：该事项属于其他部门".into();
    }
    if m.starts_with("draft ") && m.ends_with("is in review; finish it first") {
        return format!("：该事项的上一次修改正在审核中，请待审核完成后再上传（{m}）");
    }
    if m.starts_with("draft ") && m.ends_with("finish it first") {
        return format!("：该事项还有未处理完的草稿，请先处理（{m}）");
    }
    format!("：{m}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn opts() -> ImportOptions {
        ImportOptions::strict_by("test", "test", None)
    }

    fn csv(text: &str) -> (ImportReport, Vec<(RecordOrigin, PowerItemRecord)>) {
        let defaults = SheetDefaults {
            department: Some(DepartmentRef {
                name: "广安区交通运输局".into(),
                uscc: Some("11511301008778386B".into()),
                region: "511602".into(),
            }),
        };
        read_items(
            &SheetFile {
                bytes: text.as_bytes(),
                format: SheetFormat::Csv,
                name: "清单.csv",
            },
            &defaults,
            &opts(),
        )
    }

    #[test]
    fn a_title_row_blank_rows_and_sub_items() {
        let (report, valid) = csv(
            "广安区交通运输局权力清单,,,\n序号,权力分类,项目名称,子项\n1,行政许可,道路运输经营许可,道路旅客运输经营许可\n,,,\n2,行政许可,道路运输经营许可,道路货物运输经营许可\n",
        );
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        assert_eq!(report.rows, 2);
        // The project has no row of its own: it is made once, from its first sub-item.
        assert_eq!(valid.len(), 3);
        assert_eq!(valid[0].1.name, "道路运输经营许可");
        assert_eq!(
            valid[1].1.parent_code.as_deref(),
            Some(valid[0].1.code.as_str())
        );
        assert_eq!(
            valid[2].1.parent_code.as_deref(),
            Some(valid[0].1.code.as_str())
        );
        assert_eq!(report.warnings(), 1);
        assert_eq!(
            valid[1].1.department.uscc.as_deref(),
            Some("11511301008778386B")
        );
        assert!(valid[1].1.code.starts_with("QZ-511602-"));
    }

    #[test]
    fn a_project_row_after_its_sub_items_is_their_main_item() {
        let (report, valid) = csv(
            "序号,权力分类,项目名称,子项,实施编码\n1,行政许可,道路运输经营许可,道路旅客运输经营许可,\n2,行政许可,道路运输经营许可,道路货物运输经营许可,\n3,行政许可,道路运输经营许可,,\n",
        );
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        assert_eq!(report.warnings(), 0, "{:?}", report.problems);
        assert_eq!(valid.len(), 3);
        let main = &valid[2].1;
        assert_eq!(main.name, "道路运输经营许可");
        assert!(
            valid[..2]
                .iter()
                .all(|(_, r)| r.parent_code.as_deref() == Some(main.code.as_str()))
        );
        // With its own code, the 子项 above point at that code.
        let (report, valid) = csv(
            "序号,权力分类,项目名称,子项,实施编码\n1,行政许可,道路运输经营许可,道路旅客运输经营许可,\n2,行政许可,道路运输经营许可,,XK-0001\n",
        );
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        assert_eq!(valid.len(), 2);
        assert_eq!(valid[0].1.parent_code.as_deref(), Some("XK-0001"));
    }

    #[test]
    fn problems_name_sheet_row_and_column_in_chinese() {
        let (report, valid) = csv(
            "序号,事项名称,权力分类,实施依据\n1,甲许可,行政监管,\n2,,行政许可,\n3,丙许可,行政许可,依照有关规定\n",
        );
        assert!(valid.is_empty());
        let lines: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert!(lines.contains(&"清单!C2: 未知的权力分类“行政监管”（应为行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务之一）".to_string()), "{lines:#?}");
        assert!(
            lines.iter().any(|l| l.starts_with("清单!B3: 事项名称为空")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("清单!D4: 依据无法识别")),
            "{lines:#?}"
        );
    }

    #[test]
    fn unknown_columns_go_to_remarks_and_the_category_can_be_the_sheet() {
        let (report, valid) = csv("事项名称,审批人,备注\n甲许可,张三,急\n");
        // The CSV's sheet is named after the file (清单), which is no category.
        assert_eq!(report.errors(), 1, "{:?}", report.problems);
        assert!(valid.is_empty());
        let (report, valid) = csv("事项名称,权力分类,审批人,备注\n甲许可,许可,张三,急\n");
        assert_eq!(report.errors(), 0);
        assert_eq!(valid[0].1.remarks.as_deref(), Some("急\n审批人：张三"));
        assert!(
            report.problems[0]
                .to_string()
                .starts_with("清单!C1: 提示：不认识的列“审批人”")
        );
    }

    #[test]
    fn a_bare_number_takes_the_unit_its_header_names() {
        let (report, valid) = csv(
            "事项名称,权力分类,法定期限（工作日）,承诺时限(天)\n甲许可,行政许可,20,5\n乙许可,行政许可,20个工作日,即办\n",
        );
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        let first = valid[0].1.time_limit.as_ref().unwrap();
        assert_eq!(
            (first.statutory_days, first.promised_days),
            (Some(20), None)
        );
        assert_eq!(first.unit.as_deref(), Some("工作日"));
        // 5 天 is another unit than 20 工作日: the promise is kept as words, with its unit.
        assert_eq!(first.note.as_deref(), Some("承诺时限：5个自然日"));
        let second = valid[1].1.time_limit.as_ref().unwrap();
        assert_eq!(second.unit.as_deref(), Some("工作日"));
    }

    #[test]
    fn chinese_messages_for_validation() {
        assert_eq!(zh_message("is required and must not be empty"), "不能为空");
        assert_eq!(
            zh_message("is 250 characters long; at most 200 are allowed"),
            "长250字，最多200字"
        );
        assert_eq!(field_label("legal_bases[2].article"), "依据第3项的条款");
        assert_eq!(field_label("name"), "项目名称");
    }
}
