//! The demo dataset shipped in the repository's `demo/` folder: real laws (LawRefBook
//! Markdown), three departments of the fictional city 临江市 with power and responsibility lists
//! written from those laws, and the 1,135 real service items of 广安市广安区.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use quanze_registry::Database;
use quanze_registry::import::ImportOptions;

use super::{CliError, print_report};

/// The repository's demo folder, as seen from this crate at build time.
pub fn default_demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("demo")
}

/// How many items the database holds, in any status.
fn item_count(db: &Database) -> Result<i64, CliError> {
    let mut conn = db.conn()?;
    let counts = quanze_registry::repo::items::count_items_by_status(&mut conn)?;
    Ok(counts.iter().map(|(_, n)| n).sum())
}

/// Loads the demo when the database holds no items (`quanze serve` on a fresh machine).
pub fn load_demo_if_empty(db: &Database) -> Result<(), CliError> {
    if item_count(db)? == 0 {
        eprintln!("loading the demo dataset into the empty database");
        load_demo(db, &default_demo_dir())?;
    }
    Ok(())
}

/// Opens a file of the demo folder.
fn open(path: &Path) -> Result<BufReader<File>, CliError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(CliError::io(path.display()))
}

/// Loads the demo into an empty database; a database that already holds items is left alone.
pub fn load_demo(db: &Database, dir: &Path) -> Result<(), CliError> {
    let items = item_count(db)?;
    if items > 0 {
        println!(
            "the database already holds {items} items; demo not loaded (use an empty --data-dir)"
        );
        return Ok(());
    }
    let laws = quanze_registry::import::laws::import_law_tree(db, &dir.join("laws"))?;
    println!("laws: {} versions, {} articles", laws.laws, laws.articles);

    let regions = open(&dir.join("regions.ndjson"))?;
    quanze_registry::import::regions::import_region_names(&mut *db.conn()?, regions)?;

    let opts = ImportOptions::strict_by("demo", "cli", Some("示例数据"));
    let items_dir = dir.join("items");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&items_dir)
        .map_err(CliError::io(items_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    for file in &files {
        let report = quanze_registry::import::items::import_items_ndjson(db, open(file)?, &opts)?;
        print_report(file, &report)?;
    }
    let file = dir.join("responsibilities.ndjson");
    let report = quanze_registry::import::responsibilities::import_responsibilities_ndjson(
        db,
        open(&file)?,
        &opts,
    )?;
    print_report(&file, &report)
}
