//! A spreadsheet as rows of text, whatever it came as: XLSX (calamine, merged cells filled in
//! from their top-left cell, as a reader of the sheet sees them) or CSV in UTF-8 (with or
//! without BOM) or GBK/GB18030 (what Excel on zh-CN Windows writes), detected, never garbled.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// One sheet: its name and its rows of cell text (trailing empty cells trimmed).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The text of a cell (empty past the end of a row).
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What a file is, from its name or its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Xlsx,
    Csv,
}

impl SheetFormat {
    /// From a file name's extension (`list.xlsx`, `清单.CSV`).
    pub fn from_extension(path: &str) -> Option<SheetFormat> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(SheetFormat::Xlsx),
            "csv" => Some(SheetFormat::Csv),
            _ => None,
        }
    }

    /// From a key (`xlsx`, `csv`).
    pub fn parse(key: &str) -> Option<SheetFormat> {
        match key.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Some(SheetFormat::Xlsx),
            "csv" => Some(SheetFormat::Csv),
            _ => None,
        }
    }

    /// The key [`SheetFormat::parse`] reads.
    pub fn key(self) -> &'static str {
        match self {
            SheetFormat::Xlsx => "xlsx",
            SheetFormat::Csv => "csv",
        }
    }

    /// An XLSX file is a zip archive (`PK\x03\x04`); anything else is read as CSV.
    pub fn sniff(bytes: &[u8]) -> SheetFormat {
        if bytes.starts_with(b"PK\x03\x04") {
            SheetFormat::Xlsx
        } else {
            SheetFormat::Csv
        }
    }
}

/// Reads every sheet of a file. The error says, in Chinese, why the file cannot be read.
pub fn read_workbook(bytes: &[u8], format: SheetFormat, name: &str) -> Result<Vec<Sheet>, String> {
    match format {
        SheetFormat::Xlsx => read_xlsx(bytes),
        SheetFormat::Csv => Ok(vec![read_csv(bytes, name)?]),
    }
}

fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers as written (序号 1, not 1.0); long digit strings stay exact as Int.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| {
                if t.time() == chrono::NaiveTime::MIN {
                    t.date().to_string()
                } else {
                    t.to_string()
                }
            })
            .unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

/// The most rows and columns a sheet may use: a department's list is far smaller, and a
/// file that claims a cell at XFD1048576 must not make the server allocate the whole grid.
pub const MAX_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 256;
/// The most cells merged regions may fill in (a merge over a whole column, say).
const MAX_MERGED_CELLS: usize = 2_000_000;

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, String> {
    let mut book =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("不是可读取的 XLSX 文件（{e}）"))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let mut rows: Vec<Vec<String>> = Vec::new();
        {
            // Cell by cell, so only cells that exist take memory.
            let mut cells = book
                .worksheet_cells_reader(&name)
                .map_err(|e| format!("工作表“{name}”无法读取（{e}）"))?;
            while let Some(cell) = cells
                .next_cell()
                .map_err(|e| format!("工作表“{name}”无法读取（{e}）"))?
            {
                let (r, c) = cell.get_position();
                let (r, c) = (r as usize, c as usize);
                let text = cell_text(&Data::from(cell.get_value().clone()));
                if text.trim().is_empty() {
                    continue;
                }
                if r >= MAX_ROWS || c >= MAX_COLUMNS {
                    return Err(format!(
                        "工作表“{name}”过大：最多读取{MAX_ROWS}行、{MAX_COLUMNS}列（{}{}处有内容）",
                        column_letter(c),
                        r + 1
                    ));
                }
                if rows.len() <= r {
                    rows.resize_with(r + 1, Vec::new);
                }
                if rows[r].len() <= c {
                    rows[r].resize(c + 1, String::new());
                }
                rows[r][c] = text;
            }
        }
        let merged = book
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| format!("工作表“{name}”的合并单元格无法读取（{e}）"))?;
        let mut filled = 0usize;
        for m in merged {
            let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
            let Some(value) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
                continue;
            };
            // Only over rows that exist, and never past the limits.
            let last_row = (m.end.0 as usize).min(rows.len().saturating_sub(1));
            let last_col = (m.end.1 as usize).min(MAX_COLUMNS - 1);
            filled += (last_row.saturating_sub(r0) + 1) * (last_col.saturating_sub(c0) + 1);
            if filled > MAX_MERGED_CELLS {
                return Err(format!("工作表“{name}”的合并单元格过大"));
            }
            for row in rows.iter_mut().take(last_row + 1).skip(r0) {
                if row.len() <= last_col {
                    row.resize(last_col + 1, String::new());
                }
                for cell in row.iter_mut().take(last_col + 1).skip(c0) {
                    cell.clone_from(&value);
                }
            }
        }
        for row in &mut rows {
            while row.last().is_some_and(|c| c.trim().is_empty()) {
                row.pop();
            }
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// Decodes CSV bytes: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else is GB18030 (a
/// superset of GBK and GB2312). Returns the text and the encoding's name.
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8");
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "GB18030")
        }
    }
}

fn read_csv(bytes: &[u8], name: &str) -> Result<Sheet, String> {
    let (text, _) = decode_text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    // The reader skips blank lines, which Excel shows as empty rows: put them back, so every
    // cell reference in a report is the row Excel shows. A quoted cell may span lines.
    let mut next_line = 1u64;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("第{}行无法按 CSV 读取（{e}）", i + 1))?;
        if let Some(position) = record.position() {
            // The position is where reading began, before the blank lines it skipped.
            let skipped = text
                .as_bytes()
                .get(position.byte() as usize..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .filter(|b| **b == b'\n')
                .count() as u64;
            let start = position.line() + skipped;
            for _ in next_line..start {
                rows.push(Vec::new());
            }
            let spanned: u64 = record.iter().map(|c| c.matches('\n').count() as u64).sum();
            next_line = start + spanned + 1;
        }
        let mut row: Vec<String> = record
            .iter()
            .map(|c| crate::sheet::write::unneutralise(c).to_string())
            .collect();
        while row.last().is_some_and(|c| c.trim().is_empty()) {
            row.pop();
        }
        rows.push(row);
    }
    Ok(Sheet {
        name: name.to_string(),
        rows,
    })
}

/// The spreadsheet name of a column: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_far_away_is_refused_not_allocated() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "序号").unwrap();
        sheet.write_string(1_048_575, 16_383, "远处").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let err = read_workbook(&bytes, SheetFormat::Xlsx, "x").unwrap_err();
        assert!(err.contains("过大"), "{err}");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_in_every_encoding_reads_the_same() {
        let text = "序号,事项名称\r\n1,\"道路运输经营许可\"\r\n";
        let utf8 = read_csv(text.as_bytes(), "a").unwrap();
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(read_csv(&bom, "a").unwrap(), utf8);
        assert_eq!(read_csv(&gbk, "a").unwrap(), utf8);
        assert_eq!(utf8.rows[1], vec!["1", "道路运输经营许可"]);
        assert_eq!(decode_text(&gbk).1, "GB18030");
    }

    #[test]
    fn blank_lines_keep_their_rows_and_quoted_lines_do_not_add_any() {
        let sheet = read_csv("a,b\n\n\"x\ny\",c\n\nd,e\n".as_bytes(), "s").unwrap();
        assert_eq!(sheet.rows.len(), 5, "{:?}", sheet.rows);
        assert_eq!(sheet.cell(2, 0), "x\ny");
        assert_eq!(sheet.cell(4, 0), "d");
    }

    #[test]
    fn formats_from_names_and_bytes() {
        assert_eq!(
            SheetFormat::from_extension("清单.XLSX"),
            Some(SheetFormat::Xlsx)
        );
        assert_eq!(SheetFormat::from_extension("a.csv"), Some(SheetFormat::Csv));
        assert_eq!(SheetFormat::from_extension("a.ndjson"), None);
        assert_eq!(SheetFormat::sniff(b"PK\x03\x04rest"), SheetFormat::Xlsx);
        assert_eq!(SheetFormat::sniff("序号".as_bytes()), SheetFormat::Csv);
    }

    proptest::proptest! {
        /// Any bytes as a CSV or XLSX upload: rows or a reason, never a panic (the fuzz
        /// targets `sheet_csv` and `sheet_xlsx` run the same for longer).
        #[test]
        fn any_bytes_read_or_are_refused(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let _ = read_workbook(&bytes, SheetFormat::Csv, "x.csv");
            let _ = read_workbook(&bytes, SheetFormat::Xlsx, "x.xlsx");
            let mut zipped = b"PK\x03\x04".to_vec();
            zipped.extend_from_slice(&bytes);
            let _ = read_workbook(&zipped, SheetFormat::Xlsx, "x.xlsx");
        }
    }
}
