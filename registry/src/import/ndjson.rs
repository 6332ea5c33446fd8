//! Reading NDJSON input row by row, with every problem tied to its row and field.

use std::io::BufRead;

use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// One non-blank input row: its 1-based line number and what was made of it, if it parsed.
pub struct Row<T> {
    pub line: usize,
    pub record: Option<T>,
}

/// Lines handed to each worker at a time: enough to outweigh starting a thread, few enough
/// that a block of rich rows stays a few megabytes.
const LINES_PER_WORKER: usize = 256;

/// Reads every row; problems (bad UTF-8, bad JSON, wrong types, unknown keys) are collected
/// with the row number instead of stopping at the first.
pub fn read_rows<T: DeserializeOwned + Send>(
    input: impl BufRead,
    strict: bool,
    problems: &mut Vec<Problem>,
) -> std::io::Result<Vec<Row<T>>> {
    read_rows_with(input, strict, problems, |record: T, _| Some(record))
}

/// Reads every row and turns each parsed record into an output with `make` (validation, say),
/// which may add problems of the row. Parsing and `make` run on the machine's cores, a block
/// of lines at a time, so memory stays bounded however long the input; rows and problems come
/// out in input order.
pub fn read_rows_with<R, T, F>(
    mut input: impl BufRead,
    strict: bool,
    problems: &mut Vec<Problem>,
    make: F,
) -> std::io::Result<Vec<Row<T>>>
where
    R: DeserializeOwned,
    T: Send,
    F: Fn(R, &mut Vec<Problem>) -> Option<T> + Sync,
{
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let mut rows = Vec::new();
    let mut line = 0usize;
    loop {
        let mut block: Vec<(usize, Vec<u8>)> = Vec::new();
        while block.len() < workers * LINES_PER_WORKER {
            let mut buf = Vec::new();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            line += 1;
            block.push((line, buf));
        }
        if block.is_empty() {
            break;
        }
        let parse_part = |part: &[(usize, Vec<u8>)]| -> Vec<(Row<T>, Vec<Problem>)> {
            part.iter()
                .filter_map(|(line, bytes)| parse_line(*line, bytes, strict, &make))
                .collect()
        };
        let parts: Vec<Vec<(Row<T>, Vec<Problem>)>> = if workers == 1 || block.len() < 64 {
            vec![parse_part(&block)]
        } else {
            let size = block.len().div_ceil(workers);
            std::thread::scope(|scope| {
                let handles: Vec<_> = block
                    .chunks(size)
                    .map(|part| scope.spawn(|| parse_part(part)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        };
        for (row, row_problems) in parts.into_iter().flatten() {
            problems.extend(row_problems);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// One line: None when blank, else the row with its problems (placed on the line).
fn parse_line<R: DeserializeOwned, T>(
    line: usize,
    bytes: &[u8],
    strict: bool,
    make: &impl Fn(R, &mut Vec<Problem>) -> Option<T>,
) -> Option<(Row<T>, Vec<Problem>)> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let problem = Problem::error("", format!("row is not valid UTF-8 ({e})")).at_row(line);
            return Some((Row { line, record: None }, vec![problem]));
        }
    };
    let text = if line == 1 {
        text.trim_start_matches('\u{feff}')
    } else {
        text
    };
    if text.trim().is_empty() {
        return None;
    }
    let (parsed, mut problems) = parse_record::<R>(text, strict);
    let record = parsed.and_then(|r| make(r, &mut problems));
    let problems = problems.into_iter().map(|p| p.at_row(line)).collect();
    Some((Row { line, record }, problems))
}

/// Parses one JSON object. Type errors name the JSON path; unknown keys are warnings, or
/// errors when `strict`.
pub fn parse_record<T: DeserializeOwned>(text: &str, strict: bool) -> (Option<T>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<T, _> = {
        let mut note_unknown = |path: serde_ignored::Path<'_>| unknown.push(path.to_string());
        let ignoring = serde_ignored::Deserializer::new(&mut de, &mut note_unknown);
        serde_path_to_error::deserialize(ignoring)
    };
    let record = match parsed {
        Ok(r) => match de.end() {
            Ok(()) => Some(r),
            Err(e) => {
                problems.push(Problem::error(
                    "",
                    format!("unexpected text after the JSON object ({e})"),
                ));
                None
            }
        },
        Err(e) => {
            let path = e.path().to_string();
            let field = if path == "." || path == "?" {
                String::new()
            } else {
                path
            };
            problems.push(Problem::error(field, describe_json_error(e.inner())));
            None
        }
    };
    for key in unknown {
        let message = "unknown key";
        problems.push(if strict {
            Problem::error(key, message)
        } else {
            Problem::warning(key, format!("{message}, ignored"))
        });
    }
    (record, problems)
}

fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("not valid JSON: {e}"),
        Category::Data | Category::Io => {
            // serde's own words ("missing field `name`", "invalid type: …") without the position.
            let s = e.to_string();
            match s.rfind(" at line ") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::PowerItemRecord;

    #[test]
    fn problems_carry_row_and_field() {
        let input = concat!(
            "{\"code\":\"A\",\"name\":\"n\",\"category\":\"licensing\",\"department\":{\"name\":\"d\",\"region\":\"511602\"}}\n",
            "\n",
            "{\"code\":\"B\",\"name\":\"n\",\"category\":\"licensing\",\"department\":{\"name\":\"d\",\"region\":511602}}\n",
            "{not json\n",
            "{\"code\":\"C\",\"name\":\"n\",\"category\":\"licensing\",\"department\":{\"name\":\"d\",\"region\":\"511602\"},\"colour\":1}\n",
        );
        let mut problems = Vec::new();
        let rows: Vec<Row<PowerItemRecord>> =
            read_rows(input.as_bytes(), false, &mut problems).unwrap_or_default();
        assert_eq!(rows.len(), 4);
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("row 3: department.region: invalid type: integer"),
            "{}",
            text[0]
        );
        assert!(text[1].starts_with("row 4: not valid JSON"), "{}", text[1]);
        assert_eq!(text[2], "row 5: colour: warning: unknown key, ignored");
        let mut strict = Vec::new();
        let _: Vec<Row<PowerItemRecord>> =
            read_rows(input.as_bytes(), true, &mut strict).unwrap_or_default();
        assert!(strict.iter().any(|p| p.is_error() && p.field == "colour"));
    }

    proptest::proptest! {
        /// Any line: a record or problems, never a panic (the fuzz target `ndjson_item` runs
        /// the same with validation for longer).
        #[test]
        fn any_line_parses_or_has_problems(line in "(\\PC|\\{|\\}|\"|:|,|\\[|\\]){0,300}") {
            let (_, _) = parse_record::<PowerItemRecord>(&line, true);
            let (record, problems) = parse_record::<PowerItemRecord>(&line, false);
            proptest::prop_assert!(record.is_some() || !problems.is_empty());
        }
    }
}
