//! The demo dataset shipped in the repository's `demo/` folder: real laws (LawRefBook
//! Markdown), three departments of the fictional city 临江市 with power and responsibility lists
//! written from those laws, and the 1,135 real service items of 广安市广安区.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use quanze_registry::domain::RegionCode;
use quanze_registry::import::ImportOptions;
use quanze_registry::{Database, RegistryError};

use crate::cli::{EXIT_REJECTED, print_report};

/// The repository's demo folder, as seen from this crate at build time.
pub fn default_demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("demo")
}

#[derive(serde::Deserialize)]
struct RegionName {
    code: String,
    name: String,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError + '_ {
    move |source| RegistryError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// How many items the database holds, in any status.
pub fn item_count(db: &Database) -> Result<i64, RegistryError> {
    let mut conn = db.conn()?;
    let counts = quanze_registry::repo::items::count_items_by_status(&mut conn)?;
    Ok(counts.iter().map(|(_, n)| n).sum())
}

/// Loads the demo into an empty database; a database that already holds items is left alone.
pub fn load_demo(db: &Database, dir: &Path) -> Result<ExitCode, RegistryError> {
    {
        let items = item_count(db)?;
        if items > 0 {
            println!(
                "the database already holds {items} items; demo not loaded (use an empty --data-dir)"
            );
            return Ok(ExitCode::SUCCESS);
        }
    }
    let laws = quanze_registry::import::laws::import_law_tree(db, &dir.join("laws"))?;
    println!("laws: {} versions, {} articles", laws.laws, laws.articles);

    let regions_file = dir.join("regions.ndjson");
    let reader =
        std::io::BufReader::new(std::fs::File::open(&regions_file).map_err(io_err(&regions_file))?);
    let mut conn = db.conn()?;
    for line in reader.lines() {
        let line = line.map_err(io_err(&regions_file))?;
        if line.trim().is_empty() {
            continue;
        }
        let region: RegionName = serde_json::from_str(&line)
            .map_err(|e| RegistryError::Corrupt(format!("{}: {e}", regions_file.display())))?;
        let code = RegionCode::parse(&region.code)
            .map_err(|e| RegistryError::Corrupt(format!("{}: {e}", regions_file.display())))?;
        quanze_registry::repo::regions::ensure_region(&mut conn, &code, Some(&region.name))?;
    }
    drop(conn);

    let opts = ImportOptions::strict_by("demo", "cli", Some("示例数据"));
    let items_dir = dir.join("items");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&items_dir)
        .map_err(io_err(&items_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    for file in &files {
        let input = std::io::BufReader::new(std::fs::File::open(file).map_err(io_err(file))?);
        let report = quanze_registry::import::items::import_items_ndjson(db, input, &opts)?;
        print_report(file, &report);
        if report.errors() > 0 {
            return Ok(ExitCode::from(EXIT_REJECTED));
        }
    }
    let file = dir.join("responsibilities.ndjson");
    let input = std::io::BufReader::new(std::fs::File::open(&file).map_err(io_err(&file))?);
    let report = quanze_registry::import::responsibilities::import_responsibilities_ndjson(
        db, input, &opts,
    )?;
    print_report(&file, &report);
    Ok(if report.errors() > 0 {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}
