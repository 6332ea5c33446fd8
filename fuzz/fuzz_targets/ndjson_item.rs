//! One line of an NDJSON import: parsed (strict and lenient) and validated; any bytes, never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quanze_registry::import::ndjson::parse_record;
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::validate::{Checker, validate_item};

fuzz_target!(|text: &str| {
    for strict in [true, false] {
        let (record, _problems) = parse_record::<PowerItemRecord>(text, strict);
        if let Some(record) = record {
            let mut checker = Checker::default();
            let _ = validate_item(&record, &mut checker);
        }
    }
});
