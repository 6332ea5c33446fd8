//! The spreadsheet form of a power list (权力清单), as departments keep it in Excel: one row per
//! item under a header row of the usual Chinese column names, multi-line cells for legal bases,
//! 责任事项 by stage and numbered 追责情形. The importer (`import::sheet`) reads it, export and
//! the template write it; docs/sheets.md describes it for the people who fill it in.

pub mod cells;
pub mod columns;
pub mod workbook;
pub mod write;
