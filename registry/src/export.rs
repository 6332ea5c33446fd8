//! Export in the interchange format (NDJSON) and as a flat CSV table for spreadsheets. Pages
//! through the items in id order, so memory stays constant however large the registry is, and
//! the output order is stable.

use std::io::Write;

use crate::db::Database;
use crate::domain::Category;
use crate::error::{RegistryError, Result};
use crate::interchange::PowerItemRecord;
use crate::repo::departments::list_departments;
use crate::repo::items::{ItemFilter, list_items_after, load_item_records};
use crate::repo::responsibilities::load_responsibility_list;

const PAGE: i64 = 500;

fn output_error(source: std::io::Error) -> RegistryError {
    RegistryError::Io {
        path: "output".into(),
        source,
    }
}

fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|e| output_error(e.into()))?;
    out.write_all(b"\n").map_err(output_error)
}

/// Writes every item matching `filter` as NDJSON; returns how many.
pub fn export_items_ndjson(
    db: &Database,
    filter: &ItemFilter,
    out: &mut impl Write,
) -> Result<usize> {
    let written = for_each_item(db, filter, |record| write_line(out, record))?;
    out.flush().map_err(output_error)?;
    Ok(written)
}

/// Writes every item matching `filter` through `write_record`, a page of items at a time.
fn for_each_item(
    db: &Database,
    filter: &ItemFilter,
    mut write_record: impl FnMut(&PowerItemRecord) -> Result<()>,
) -> Result<usize> {
    let mut after = 0i64;
    let mut written = 0;
    loop {
        let mut conn = db.conn()?;
        let rows = list_items_after(&mut conn, filter, after, PAGE)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        for record in load_item_records(&mut conn, &rows)? {
            write_record(&record)?;
            written += 1;
        }
    }
    Ok(written)
}

/// The columns of the CSV export: one row per item, lists joined with "；" (legal bases as
/// 《law》article), so a department can open its list in a spreadsheet. The NDJSON export is
/// the lossless one.
pub const CSV_COLUMNS: [&str; 22] = [
    "code",
    "name",
    "category",
    "category_label",
    "parent_code",
    "base_code",
    "department",
    "department_uscc",
    "region",
    "undertaking_office",
    "joint_departments",
    "power_source",
    "exercise_levels",
    "statutory_days",
    "promised_days",
    "time_limit_unit",
    "fee_charged",
    "fee_standard",
    "legal_bases",
    "workflow",
    "consultation",
    "supervision",
];

fn csv_row(r: &PowerItemRecord) -> [String; 22] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    let time_limit = r.time_limit.clone().unwrap_or_default();
    let fee = r.fee.clone().unwrap_or_default();
    [
        r.code.clone(),
        r.name.clone(),
        r.category.clone(),
        Category::label_of(&r.category),
        opt(&r.parent_code),
        opt(&r.base_code),
        r.department.name.clone(),
        opt(&r.department.uscc),
        r.department.region.clone(),
        opt(&r.undertaking_office),
        r.joint_departments
            .iter()
            .map(|j| j.name.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        opt(&r.power_source),
        r.exercise_levels.join("；"),
        num(time_limit.statutory_days),
        num(time_limit.promised_days),
        opt(&time_limit.unit),
        if r.fee.is_some() {
            fee.charged.to_string()
        } else {
            String::new()
        },
        opt(&fee.standard),
        r.legal_bases
            .iter()
            .map(|b| {
                let law = b.law.trim_start_matches('《').trim_end_matches('》');
                format!("《{law}》{}", b.article.as_deref().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("；"),
        r.workflow
            .iter()
            .map(|s| s.stage.as_str())
            .collect::<Vec<_>>()
            .join("→"),
        opt(&r.consultation),
        opt(&r.supervision),
    ]
}

/// Writes every item matching `filter` as CSV with a header row; returns how many items.
/// RFC 4180: fields with a comma, quote or line break quoted, quotes doubled, CRLF line ends.
pub fn export_items_csv(db: &Database, filter: &ItemFilter, out: &mut impl Write) -> Result<usize> {
    let mut csv = csv_writer(out);
    csv.write_record(CSV_COLUMNS).map_err(csv_error)?;
    let written = for_each_item(db, filter, |record| {
        csv.write_record(csv_row(record)).map_err(csv_error)
    })?;
    csv.flush().map_err(output_error)?;
    Ok(written)
}

fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out)
}

fn csv_error(e: csv::Error) -> RegistryError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => output_error(source),
        other => RegistryError::Corrupt(format!("CSV output: {other:?}")),
    }
}

/// Writes the responsibility list of every department that has one, as NDJSON.
pub fn export_responsibilities_ndjson(
    db: &Database,
    department_ids: Option<&[i64]>,
    out: &mut impl Write,
) -> Result<usize> {
    let mut conn = db.conn()?;
    let mut written = 0;
    for d in list_departments(&mut conn)? {
        if department_ids.is_some_and(|ids| !ids.contains(&d.id)) {
            continue;
        }
        let list = load_responsibility_list(&mut conn, d.id, d.as_record())?;
        if list.main_duties.is_empty()
            && list.duty_boundaries.is_empty()
            && list.supervision_rules.is_empty()
            && list.public_services.is_empty()
        {
            continue;
        }
        write_line(out, &list)?;
        written += 1;
    }
    out.flush().map_err(output_error)?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write_record(fields: &[impl AsRef<str>]) -> String {
        let mut out = vec![];
        let mut csv = csv_writer(&mut out);
        csv.write_record(fields.iter().map(AsRef::as_ref)).unwrap();
        drop(csv);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            write_record(&["a", "b,c", "say \"hi\"", "two\nlines", ""]),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn csv_records_read_back_unchanged(fields in proptest::collection::vec(".*", 1..8)) {
            // A reader takes a byte-order mark at the very start for the encoding, not data.
            proptest::prop_assume!(!fields[0].starts_with('\u{feff}'));
            let text = write_record(&fields);
            let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect();
            proptest::prop_assert_eq!(rows, vec![fields]);
        }
    }
}
