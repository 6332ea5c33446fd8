//! Export in the interchange format (NDJSON) and as a flat CSV table for spreadsheets. Pages
//! through the items in id order, so memory stays constant however large the registry is, and
//! the output order is stable.

use std::io::Write;

use crate::db::Database;
use crate::error::{RegistryError, Result};
use crate::interchange::PowerItemRecord;
use crate::problem::Problem;
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
        // The page is read and the connection back in the pool before the first byte is
        // written: `write_record` may wait as long as a slow client takes, and a few such
        // clients must not hold the pool that pages, writes and the index follower share.
        let records = {
            let mut conn = db.conn()?;
            let rows = list_items_after(&mut conn, filter, after, PAGE)?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            load_item_records(&mut conn, &rows)?
        };
        for record in &records {
            write_record(record)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Writes every item matching `filter` as CSV in the sheet form (the Chinese headers a
/// department's list uses, one row per item; see `crate::sheet`), UTF-8 with a BOM so Excel on
/// zh-CN Windows reads it, cells Excel would run as formulas neutralised. It imports back
/// unchanged. Returns how many items.
pub fn export_items_csv(db: &Database, filter: &ItemFilter, out: &mut impl Write) -> Result<usize> {
    out.write_all(b"\xEF\xBB\xBF").map_err(output_error)?;
    let mut csv = csv_writer(out);
    csv.write_record(crate::sheet::write::headers())
        .map_err(csv_error)?;
    let mut seq = 0usize;
    let written = for_each_item(db, filter, |record| {
        seq += 1;
        let cells = crate::sheet::write::record_cells(&seq.to_string(), record);
        csv.write_record(cells.iter().map(|c| crate::sheet::write::neutralise(c)))
            .map_err(csv_error)
    })?;
    csv.flush().map_err(output_error)?;
    Ok(written)
}

/// Most items an XLSX export holds: the workbook is built in memory, and a spreadsheet is
/// for one department's list, not the registry (NDJSON and CSV stream any number).
pub const MAX_XLSX_ITEMS: usize = 20_000;

/// The most characters Excel keeps in one cell.
const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Writes every item matching `filter` as an XLSX workbook in the sheet form (with the
/// category drop-down); refuses more than [`MAX_XLSX_ITEMS`]. Returns how many items.
pub fn export_items_xlsx(
    db: &Database,
    filter: &ItemFilter,
    out: &mut impl Write,
) -> Result<usize> {
    let mut book = crate::sheet::write::XlsxItems::new().map_err(RegistryError::Corrupt)?;
    let mut seq = 0usize;
    let written = for_each_item(db, filter, |record| {
        seq += 1;
        if seq > MAX_XLSX_ITEMS {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "format",
                format!(
                    "an XLSX export holds at most {MAX_XLSX_ITEMS} items; choose a department or category, or export CSV or NDJSON"
                ),
            )]));
        }
        let cells = crate::sheet::write::record_cells(&seq.to_string(), record);
        if let Some(cell) = cells
            .iter()
            .find(|c| c.chars().count() > XLSX_MAX_CELL_CHARS)
        {
            return Err(RegistryError::Invalid(vec![Problem::error(
                "format",
                format!(
                    "item {} has a cell of {} characters, more than an XLSX cell holds ({XLSX_MAX_CELL_CHARS}); export CSV or NDJSON",
                    record.code,
                    cell.chars().count()
                ),
            )]));
        }
        book.push(&cells).map_err(RegistryError::Corrupt)
    })?;
    let bytes = book.finish().map_err(RegistryError::Corrupt)?;
    out.write_all(&bytes).map_err(output_error)?;
    out.flush().map_err(output_error)?;
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
    let departments = list_departments(&mut *db.conn()?)?;
    let mut written = 0;
    for d in departments {
        if department_ids.is_some_and(|ids| !ids.contains(&d.id)) {
            continue;
        }
        // One list at a time, the connection returned before writing (see `for_each_item`).
        let list = load_responsibility_list(&mut *db.conn()?, d.id, d.as_record())?;
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
