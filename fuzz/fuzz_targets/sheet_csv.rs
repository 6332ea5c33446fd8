//! A department's sheet (csv) read into items, as an upload is: any bytes, never a panic, and
//! bounded work (the reader's row, column and merged-cell limits).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quanze_registry::import::ImportOptions;
use quanze_registry::import::sheet::{SheetDefaults, SheetFile, read_items};
use quanze_registry::sheet::workbook::SheetFormat;

fuzz_target!(|bytes: &[u8]| {
    let file = SheetFile {
        bytes,
        format: SheetFormat::Csv,
        name: "清单.csv",
    };
    let opts = ImportOptions::strict_by("fuzz", "fuzz", None);
    let _ = read_items(&file, &SheetDefaults { department: None }, &opts);
});
