//! Departments' task lists (工作任务清单): the work plans that assign tasks to responsible units
//! with a deadline — a date, `2024年底前`, `2024年第三季度`, or `长期推进` — with progress notes
//! and a status. A department brings its list in as a sheet like its power list (XLSX or CSV,
//! the usual Chinese headers, problems at their cell in Chinese, all or nothing); the list is
//! public on the department's page, and a task past its deadline and not done is overdue,
//! shown in red.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::Principal;
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::problem::Problem;
use crate::repo::history::{AuditEntry, append_audit};
use crate::schema::department_tasks;
use crate::sheet::columns::normalise_header;
use crate::sheet::workbook::{Sheet, SheetFormat, column_letter, read_workbook};

/// Most tasks in one department's list.
pub const MAX_TASKS: usize = 2_000;
/// Longest task or progress note, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "未开始",
            TaskStatus::InProgress => "推进中",
            TaskStatus::Done => "已完成",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        match normalise_header(s).as_str() {
            "not_started" | "未开始" | "未启动" | "尚未开始" => {
                Some(TaskStatus::NotStarted)
            }
            "in_progress" | "推进中" | "进行中" | "正在推进" | "持续推进" | "正在进行"
            | "未完成" => Some(TaskStatus::InProgress),
            "done" | "已完成" | "完成" | "已办结" | "已落实" => Some(TaskStatus::Done),
            _ => None,
        }
    }
}

/// When a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Due by the end of this day.
    By(NaiveDate),
    /// 长期推进: no end date.
    Ongoing,
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// Reads a deadline as plans write them: `2024-06-30`, `2024/6/30`, `2024年6月30日(前)`,
/// `2024年6月(底)(前)`, `2024年(底|年底)(前)`, `2024年上半年`/`下半年`, `2024年第三季度`,
/// `长期推进`/`长期`/`持续推进`/`常态化推进`.
pub fn parse_deadline(text: &str) -> Option<Deadline> {
    let t = normalise_header(text);
    if matches!(
        t.as_str(),
        "长期推进" | "长期" | "持续推进" | "常态化推进" | "长期坚持" | "持续"
    ) {
        return Some(Deadline::Ongoing);
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&t, format) {
            return Some(Deadline::By(d));
        }
    }
    let t = t
        .trim_end_matches("以前")
        .trim_end_matches('前')
        .trim_end_matches("之")
        .to_string();
    let (year, rest) = t.split_once('年')?;
    let year: i32 = year.parse().ok().filter(|y| (1949..=2100).contains(y))?;
    let end_of_year = NaiveDate::from_ymd_opt(year, 12, 31)?;
    let quarter = |q: u32| last_day_of_month(year, q * 3).map(Deadline::By);
    match rest {
        "" | "底" | "年底" | "末" | "年末" | "内" | "全年" => {
            return Some(Deadline::By(end_of_year));
        }
        "上半年" => return last_day_of_month(year, 6).map(Deadline::By),
        "下半年" => return Some(Deadline::By(end_of_year)),
        "第一季度" | "一季度" => return quarter(1),
        "第二季度" | "二季度" => return quarter(2),
        "第三季度" | "三季度" => return quarter(3),
        "第四季度" | "四季度" => return quarter(4),
        _ => {}
    }
    let (month, rest) = rest.split_once('月')?;
    let month: u32 = month.parse().ok().or_else(|| {
        crate::domain::numerals::parse_chinese_number(month).and_then(|n| u32::try_from(n).ok())
    })?;
    match rest {
        "" | "底" | "末" | "内" | "份" => last_day_of_month(year, month).map(Deadline::By),
        day => {
            let day: u32 = day.trim_end_matches(['日', '号']).parse().ok()?;
            NaiveDate::from_ymd_opt(year, month, day).map(Deadline::By)
        }
    }
}

/// One task as a department writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub task: String,
    pub responsible_unit: String,
    /// 完成时间 as written.
    pub deadline_text: String,
    pub deadline: Deadline,
    pub progress: Option<String>,
    pub status: TaskStatus,
}

/// The columns of a task sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskColumn {
    Task,
    Unit,
    Deadline,
    Progress,
    Status,
}

/// Header synonyms of task sheets (normalised as power-list headers are).
const TASK_COLUMNS: &[(TaskColumn, &[&str])] = &[
    (
        TaskColumn::Task,
        &[
            "任务",
            "工作任务",
            "重点任务",
            "任务内容",
            "具体任务",
            "工作内容",
            "主要任务",
        ],
    ),
    (
        TaskColumn::Unit,
        &[
            "责任单位",
            "牵头单位",
            "责任部门",
            "责任科室",
            "责任处室",
            "牵头部门",
            "承办单位",
        ],
    ),
    (
        TaskColumn::Deadline,
        &[
            "完成时间",
            "完成时限",
            "时间节点",
            "完成期限",
            "时限要求",
            "时间安排",
        ],
    ),
    (
        TaskColumn::Progress,
        &[
            "进展情况",
            "推进情况",
            "进展",
            "工作进展",
            "完成情况说明",
            "备注",
        ],
    ),
    (
        TaskColumn::Status,
        &["状态", "完成情况", "任务状态", "进度状态"],
    ),
];

fn task_column(header: &str) -> Option<TaskColumn> {
    let h = normalise_header(header);
    TASK_COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(c, _)| *c)
}

fn at_cell(sheet: &Sheet, row: usize, col: usize, message: impl Into<String>) -> Problem {
    Problem::error("", message).at_cell(format!("{}!{}{}", sheet.name, column_letter(col), row + 1))
}

/// Reads a task sheet: the header row is the first with a task column (a title row above it
/// is fine), blank rows are skipped, every sheet of a workbook is read. All problems at their
/// cells, in Chinese; no tasks when there is one.
pub fn read_task_sheet(
    bytes: &[u8],
    format: SheetFormat,
    name: &str,
) -> std::result::Result<Vec<TaskRecord>, Vec<Problem>> {
    let sheets = read_workbook(bytes, format, name)
        .map_err(|e| vec![Problem::error("", e).at_cell(name.to_string())])?;
    let mut tasks = Vec::new();
    let mut problems = Vec::new();
    let mut found_header = false;
    for sheet in &sheets {
        let Some(header_row) = sheet
            .rows
            .iter()
            .position(|row| row.iter().any(|c| task_column(c) == Some(TaskColumn::Task)))
        else {
            continue;
        };
        found_header = true;
        let mut columns: Vec<(TaskColumn, usize)> = Vec::new();
        for (col, header) in sheet.rows[header_row].iter().enumerate() {
            if let Some(c) = task_column(header)
                && !columns.iter().any(|(seen, _)| *seen == c)
            {
                columns.push((c, col));
            }
        }
        let col_of = |c: TaskColumn| columns.iter().find(|(k, _)| *k == c).map(|(_, i)| *i);
        for (c, label) in [
            (TaskColumn::Unit, "责任单位"),
            (TaskColumn::Deadline, "完成时间"),
        ] {
            if col_of(c).is_none() {
                problems.push(at_cell(sheet, header_row, 0, format!("缺少“{label}”一列")));
            }
        }
        let (Some(task_col), Some(unit_col), Some(deadline_col)) = (
            col_of(TaskColumn::Task),
            col_of(TaskColumn::Unit),
            col_of(TaskColumn::Deadline),
        ) else {
            continue;
        };
        for row in header_row + 1..sheet.rows.len() {
            if sheet.rows[row].iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let text = |col: usize| sheet.cell(row, col).trim().to_string();
            let task = text(task_col);
            if task.is_empty() {
                problems.push(at_cell(sheet, row, task_col, "任务为空"));
                continue;
            }
            let mut row_problems = Vec::new();
            let unit = text(unit_col);
            if unit.is_empty() {
                row_problems.push(at_cell(sheet, row, unit_col, "责任单位为空"));
            }
            let deadline_text = text(deadline_col);
            let deadline = parse_deadline(&deadline_text);
            if deadline.is_none() {
                row_problems.push(at_cell(
                    sheet,
                    row,
                    deadline_col,
                    format!(
                        "无法识别完成时间“{deadline_text}”（应为 2024-06-30、2024年6月底前、2024年底前、2024年第三季度或长期推进）"
                    ),
                ));
            }
            let status_text = col_of(TaskColumn::Status).map(text).unwrap_or_default();
            let status = if status_text.is_empty() {
                Some(TaskStatus::InProgress)
            } else {
                TaskStatus::parse(&status_text)
            };
            if status.is_none() {
                row_problems.push(at_cell(
                    sheet,
                    row,
                    col_of(TaskColumn::Status).unwrap_or(0),
                    format!("无法识别状态“{status_text}”（应为未开始、推进中或已完成）"),
                ));
            }
            let progress = col_of(TaskColumn::Progress)
                .map(text)
                .filter(|p| !p.is_empty());
            for (col, value) in [
                (task_col, Some(&task)),
                (col_of(TaskColumn::Progress).unwrap_or(0), progress.as_ref()),
            ] {
                let Some(value) = value else { continue };
                let len = value.chars().count();
                if len > MAX_TEXT_CHARS {
                    row_problems.push(at_cell(
                        sheet,
                        row,
                        col,
                        format!("长{len}字，最多{MAX_TEXT_CHARS}字"),
                    ));
                }
                if let Some(f) = crate::publish_guard::find_personal_data(value).first() {
                    row_problems.push(at_cell(
                        sheet,
                        row,
                        col,
                        format!("含有{}（{}），个人信息不得公开", f.kind.label(), f.masked),
                    ));
                }
            }
            match (row_problems.is_empty(), deadline, status) {
                (true, Some(deadline), Some(status)) => tasks.push(TaskRecord {
                    task,
                    responsible_unit: unit,
                    deadline_text,
                    deadline,
                    progress,
                    status,
                }),
                _ => problems.extend(row_problems),
            }
        }
    }
    if !found_header {
        problems.push(
            Problem::error("", "找不到表头：应有“任务”“责任单位”“完成时间”等列")
                .at_cell(name.to_string()),
        );
    }
    if tasks.len() > MAX_TASKS {
        problems.push(
            Problem::error("", format!("有{}项任务，最多{MAX_TASKS}项", tasks.len()))
                .at_cell(name.to_string()),
        );
    }
    if problems.is_empty() {
        Ok(tasks)
    } else {
        Err(problems)
    }
}

/// Replaces a department's task list with these tasks, in one transaction, with an audit entry.
/// Its editors (and admins) may.
pub fn replace_tasks(
    conn: &mut DbConnection,
    p: &Principal,
    department_id: i64,
    tasks: &[TaskRecord],
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    p.require(
        p.can_edit(department_id),
        "change this department's task list",
    )?;
    write_transaction(conn, |conn| {
        crate::repo::departments::get_department(conn, department_id)?
            .ok_or_else(|| RegistryError::NotFound(format!("department {department_id}")))?;
        diesel::delete(
            department_tasks::table.filter(department_tasks::department_id.eq(department_id)),
        )
        .execute(conn)?;
        for (position, t) in tasks.iter().enumerate() {
            let (due, ongoing) = match t.deadline {
                Deadline::By(d) => (Some(d), false),
                Deadline::Ongoing => (None, true),
            };
            diesel::insert_into(department_tasks::table)
                .values((
                    department_tasks::department_id.eq(department_id),
                    department_tasks::position.eq(position as i32),
                    department_tasks::task.eq(&t.task),
                    department_tasks::responsible_unit.eq(&t.responsible_unit),
                    department_tasks::deadline_text.eq(&t.deadline_text),
                    department_tasks::due_date.eq(due),
                    department_tasks::ongoing.eq(ongoing),
                    department_tasks::progress.eq(&t.progress),
                    department_tasks::status.eq(t.status.as_str()),
                    department_tasks::updated_at.eq(at),
                ))
                .execute(conn)?;
        }
        append_audit(
            conn,
            &AuditEntry {
                action: "tasks.replace",
                entity_type: "department_tasks",
                entity_key: &department_id.to_string(),
                department_id: Some(department_id),
                details: serde_json::json!({"tasks": tasks.len()}),
            },
            &p.actor(),
            at,
        )?;
        Ok(tasks.len())
    })
}

/// A task as the public sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicTask {
    pub task: String,
    pub responsible_unit: String,
    /// 完成时间 as the plan writes it.
    pub deadline: String,
    /// The day it is due by (`YYYY-MM-DD`); absent for 长期推进.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// 长期推进: no end date.
    pub ongoing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// not_started, in_progress or done.
    pub status: String,
    /// 未开始, 推进中 or 已完成.
    pub status_label: String,
    /// Past its due day and not done: shown in red.
    pub overdue: bool,
}

/// A stored task, as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = department_tasks)]
struct TaskRow {
    task: String,
    responsible_unit: String,
    deadline_text: String,
    due_date: Option<NaiveDate>,
    ongoing: bool,
    progress: Option<String>,
    status: String,
}

/// A department's task list in its order, with what is overdue on `today`.
pub fn department_tasks(
    conn: &mut DbConnection,
    department_id: i64,
    today: NaiveDate,
) -> Result<Vec<PublicTask>> {
    let rows: Vec<TaskRow> = department_tasks::table
        .filter(department_tasks::department_id.eq(department_id))
        .order(department_tasks::position.asc())
        .select(TaskRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let parsed = TaskStatus::parse(&r.status).unwrap_or(TaskStatus::InProgress);
            PublicTask {
                task: r.task,
                responsible_unit: r.responsible_unit,
                deadline: r.deadline_text,
                due: r.due_date.map(|d| d.to_string()),
                ongoing: r.ongoing,
                progress: r.progress,
                overdue: parsed != TaskStatus::Done && r.due_date.is_some_and(|d| today > d),
                status_label: parsed.label().to_string(),
                status: r.status,
            }
        })
        .collect())
}

/// Today in China, for what is overdue.
pub fn china_today(now: chrono::NaiveDateTime) -> NaiveDate {
    (now + chrono::Duration::hours(8)).date()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn by(y: i32, m: u32, d: u32) -> Option<Deadline> {
        Some(Deadline::By(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
    }

    #[test]
    fn deadlines_as_plans_write_them() {
        assert_eq!(parse_deadline("2024-06-30"), by(2024, 6, 30));
        assert_eq!(parse_deadline("2024/6/30"), by(2024, 6, 30));
        assert_eq!(parse_deadline("2024年6月30日前"), by(2024, 6, 30));
        assert_eq!(parse_deadline("2024年6月底前"), by(2024, 6, 30));
        assert_eq!(parse_deadline("2024年2月底"), by(2024, 2, 29));
        assert_eq!(parse_deadline("2024年十二月"), by(2024, 12, 31));
        assert_eq!(parse_deadline("2024年底前"), by(2024, 12, 31));
        assert_eq!(parse_deadline("2024年年底前"), by(2024, 12, 31));
        assert_eq!(parse_deadline("２０２４年底前"), by(2024, 12, 31));
        assert_eq!(parse_deadline("2024年上半年"), by(2024, 6, 30));
        assert_eq!(parse_deadline("2024年第三季度"), by(2024, 9, 30));
        assert_eq!(parse_deadline("长期推进"), Some(Deadline::Ongoing));
        assert_eq!(parse_deadline(" 持续推进 "), Some(Deadline::Ongoing));
        for bad in [
            "",
            "尽快",
            "2024年13月",
            "2024年6月31日",
            "明年",
            "3000年底",
        ] {
            assert_eq!(parse_deadline(bad), None, "{bad}");
        }
    }

    #[test]
    fn statuses_in_their_usual_words() {
        assert_eq!(TaskStatus::parse("已完成"), Some(TaskStatus::Done));
        assert_eq!(TaskStatus::parse("进行中"), Some(TaskStatus::InProgress));
        assert_eq!(TaskStatus::parse("未启动"), Some(TaskStatus::NotStarted));
        assert_eq!(TaskStatus::parse("差不多"), None);
    }
}
