//! A LawRefBook law file (its file name and Markdown): any text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quanze_registry::import::lawref::parse_lawref;

fuzz_target!(|input: (&str, &str)| {
    let (stem, content) = input;
    let _ = parse_lawref(stem, content);
});
