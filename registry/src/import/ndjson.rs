//! Reading NDJSON input row by row, with every problem tied to its row and field.

use std::io::BufRead;

use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// One non-blank input row: its 1-based line number and the parsed record, if it parsed.
pub struct Row<T> {
    pub line: usize,
    pub record: Option<T>,
}

/// Reads every row; problems (bad UTF-8, bad JSON, wrong types, unknown keys) are collected
/// with the row number instead of stopping at the first.
pub fn read_rows<T: DeserializeOwned>(
    mut input: impl BufRead,
    strict: bool,
    problems: &mut Vec<Problem>,
) -> std::io::Result<Vec<Row<T>>> {
    let mut rows = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0usize;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line += 1;
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t,
            Err(e) => {
                problems
                    .push(Problem::error("", format!("row is not valid UTF-8 ({e})")).at_row(line));
                rows.push(Row { line, record: None });
                continue;
            }
        };
        let text = if line == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        if text.trim().is_empty() {
            continue;
        }
        let (record, row_problems) = parse_record::<T>(text, strict);
        problems.extend(row_problems.into_iter().map(|p| p.at_row(line)));
        rows.push(Row { line, record });
    }
    Ok(rows)
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
}
