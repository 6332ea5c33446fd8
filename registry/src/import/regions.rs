//! Region names (行政区划名称) from NDJSON lines `{"code": "511602", "name": "广安区"}`. Items
//! and departments only carry codes; the names come from a list like this one. All or nothing:
//! a bad line rejects the file with its row number, and nothing is written.

use std::io::BufRead;

use crate::db::{DbConnection, write_transaction};
use crate::domain::RegionCode;
use crate::error::{RegistryError, Result};
use crate::problem::Problem;
use crate::repo::regions::ensure_region;

#[derive(serde::Deserialize)]
struct RegionName {
    code: String,
    name: String,
}

/// Reads every line, then names the regions (creating them and their ancestors) in one
/// transaction. Returns how many regions were named.
pub fn import_region_names(conn: &mut DbConnection, input: impl BufRead) -> Result<usize> {
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let row = i + 1;
        let line = line.map_err(|source| RegistryError::Io {
            path: "region names".into(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: RegionName = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::error("", format!("not a region line: {e}")).at_row(row));
                continue;
            }
        };
        let name = parsed.name.trim();
        if name.is_empty() {
            problems.push(Problem::error("name", "must not be blank").at_row(row));
        }
        match RegionCode::parse(&parsed.code) {
            Ok(code) => names.push((code, name.to_string())),
            Err(e) => problems.push(Problem::error("code", e).at_row(row)),
        }
    }
    if !problems.is_empty() {
        return Err(RegistryError::Invalid(problems));
    }
    write_transaction(conn, |c| {
        for (code, name) in &names {
            ensure_region(c, code, Some(name))?;
        }
        Ok(names.len())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_by_row_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let db = crate::Database::open(&url).unwrap();
        let mut conn = db.conn().unwrap();
        let input = "{\"code\": \"511602\", \"name\": \"广安区\"}\n\n{\"code\": \"99\", \"name\": \"x\"}\nnot json\n";
        let err = import_region_names(&mut conn, input.as_bytes()).unwrap_err();
        let RegistryError::Invalid(problems) = err else {
            panic!("expected invalid input, got {err}");
        };
        let rows: Vec<_> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![Some(3), Some(4)]);
        assert_eq!(crate::repo::regions::count_regions(&mut conn).unwrap(), 0);

        let named = import_region_names(
            &mut conn,
            "{\"code\": \"511602\", \"name\": \"广安区\"}\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(named, 1);
        let region = crate::repo::regions::find_region(&mut conn, "511602")
            .unwrap()
            .unwrap();
        assert_eq!(region.name.as_deref(), Some("广安区"));
    }
}
