//! `cargo bench -p quanze-registry --bench import -- [ROWS] [--postgres URL]`: a benchmark
//! harness (not a test). Builds ROWS (default 10,000) rich power items from the demo's
//! transport list (every list filled: legal bases with article text, workflow, 责任事项,
//! 追责情形, discretion …), writes them as NDJSON, CSV and XLSX, and imports each file into a
//! fresh database in a child process of its own, so each line's peak RSS is that import's. It
//! prints one table. `--dir DIR` keeps the files and databases there. Machines here are shared and noisy: compare the ratios of one run.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use diesel::connection::SimpleConnection;
use quanze_registry::import::ImportOptions;
use quanze_registry::import::sheet::{SheetDefaults, SheetFile};
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::sheet::workbook::SheetFormat;
use quanze_registry::sheet::write::{XlsxItems, headers, neutralise, record_cells};
use quanze_registry::validate::{Checker, validate_item};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn demo_items(file: &str) -> BenchResult<Vec<PowerItemRecord>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../demo/items")
        .join(file);
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        let record: PowerItemRecord = serde_json::from_str(line)?;
        let mut checker = Checker::default();
        out.extend(validate_item(&record, &mut checker));
    }
    Ok(out)
}

/// What a row carries.
#[derive(Clone, Copy)]
enum Shape {
    /// A full 权责清单 row, as the demo's transport list: legal bases quoting their articles,
    /// workflow, 责任事项, 追责情形, discretion (~9.7 KB of NDJSON).
    Rich,
    /// A catalogue row, as the district's 1,135 real service items: name, category, body,
    /// basis, time limits (~0.3 KB).
    Catalogue,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Rich => "rich",
            Shape::Catalogue => "catalogue",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Shape::Rich => "transport.ndjson",
            Shape::Catalogue => "guangan-511602-services.ndjson",
        }
    }
}

/// ROWS items of a shape: the demo's, cycled, each with its own code and name.
fn items(rows: usize, shape: Shape) -> BenchResult<Vec<PowerItemRecord>> {
    let demo = demo_items(shape.source())?;
    Ok((0..rows)
        .map(|i| {
            let mut r = demo[i % demo.len()].clone();
            r.code = format!("BENCH-{i:07}");
            r.name = format!("{}（{}）", r.name, i / demo.len() + 1);
            r.parent_code = None;
            r
        })
        .collect())
}

fn write_files(dir: &Path, rows: usize, shape: Shape) -> BenchResult<()> {
    let items = items(rows, shape)?;
    let mut ndjson = std::io::BufWriter::new(std::fs::File::create(dir.join("items.ndjson"))?);
    for r in &items {
        serde_json::to_writer(&mut ndjson, r)?;
        ndjson.write_all(b"\n")?;
    }
    ndjson.flush()?;
    let mut csv_bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut csv_bytes);
        csv.write_record(headers())?;
        for (i, r) in items.iter().enumerate() {
            let cells = record_cells(&(i + 1).to_string(), r);
            csv.write_record(cells.iter().map(|c| neutralise(c)))?;
        }
        csv.flush()?;
    }
    std::fs::write(dir.join("items.csv"), csv_bytes)?;
    let mut book = XlsxItems::new()?;
    for (i, r) in items.iter().enumerate() {
        book.push(&record_cells(&(i + 1).to_string(), r))?;
    }
    std::fs::write(dir.join("items.xlsx"), book.finish()?)?;
    Ok(())
}

/// Peak resident set of this process, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// What the database takes after the import, in MiB: the SQLite file, or the
/// PostgreSQL database (its catalogs included, ~8 MiB).
fn stored_mib(db: &quanze_registry::Database, url: &str) -> BenchResult<f64> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bytes: i64,
    }
    let bytes = match url.strip_prefix("sqlite://") {
        // The database file: the import's commit has checkpointed its WAL into it (the WAL
        // file stays, reused, until the last connection closes).
        Some(path) => std::fs::metadata(path)?.len() as f64,
        None => {
            let mut conn = db.conn()?;
            diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes")
                .get_result::<Size>(&mut *conn)?
                .bytes as f64
        }
    };
    Ok(bytes / 1024.0 / 1024.0)
}

/// The child: imports one file into the database at `url`; prints `rows seconds rss`.
fn import_one(url: &str, file: &Path) -> BenchResult<()> {
    let db = quanze_registry::Database::open(url)?;
    let opts = ImportOptions::strict_by("bench", "bench", None);
    let started = Instant::now();
    let report = match file.extension().and_then(|e| e.to_str()) {
        Some("ndjson") => {
            let input = std::io::BufReader::new(std::fs::File::open(file)?);
            quanze_registry::import::items::import_items_ndjson(&db, input, &opts)?
        }
        Some(ext) => {
            let bytes = std::fs::read(file)?;
            let format = SheetFormat::from_extension(&format!("x.{ext}")).ok_or("format")?;
            let sheet = SheetFile {
                bytes: &bytes,
                format,
                name: "bench",
            };
            quanze_registry::import::sheet::import_items_sheet(
                &db,
                &sheet,
                &SheetDefaults::default(),
                &opts,
            )?
        }
        None => return Err("no extension".into()),
    };
    let seconds = started.elapsed().as_secs_f64();
    if report.errors() > 0 || report.created == 0 {
        return Err(format!("import failed: {:?}", report.problems.first()).into());
    }
    println!(
        "{} {seconds} {} {}",
        report.created,
        peak_rss_mib(),
        stored_mib(&db, url)?
    );
    Ok(())
}

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        let (url, file) = (args.get(pos + 1), args.get(pos + 2));
        let (Some(url), Some(file)) = (url, file) else {
            return Err("--child URL FILE".into());
        };
        return import_one(url, Path::new(file));
    }
    let rows: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|p| args.get(p + 1).cloned());
    // `--dir DIR` keeps the files and databases there (to profile one child by hand).
    let kept = args
        .iter()
        .position(|a| a == "--dir")
        .and_then(|p| args.get(p + 1).cloned());
    let temporary = tempfile::tempdir()?;
    let dir = match &kept {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            Path::new(d)
        }
        None => temporary.path(),
    };
    let exe = std::env::current_exe()?;
    let mut backends = vec![("SQLite".to_string(), None)];
    if let Some(url) = postgres {
        backends.push(("PostgreSQL".to_string(), Some(url)));
    }
    let mut table = vec![
        "| backend | rows | format | items | seconds | items/s | peak RSS, MiB | stored, MiB |"
            .to_string(),
        "| --- | --- | --- | --- | --- | --- | --- | --- |".to_string(),
    ];
    for shape in [Shape::Rich, Shape::Catalogue] {
        let dir = dir.join(shape.name());
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        write_files(&dir, rows, shape)?;
        println!(
            "{rows} {} items written as NDJSON, CSV and XLSX in {:.1}s ({} / {} / {} KiB)",
            shape.name(),
            started.elapsed().as_secs_f64(),
            std::fs::metadata(dir.join("items.ndjson"))?.len() / 1024,
            std::fs::metadata(dir.join("items.csv"))?.len() / 1024,
            std::fs::metadata(dir.join("items.xlsx"))?.len() / 1024,
        );
        for (backend, url) in &backends {
            for format in ["ndjson", "csv", "xlsx"] {
                let url = match url {
                    Some(u) => {
                        // A fresh schema each time: drop everything the last import left.
                        let db = quanze_registry::Database::open(u)?;
                        let mut conn = db.conn()?;
                        conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")?;
                        u.clone()
                    }
                    None => {
                        let file = dir.join(format!("{format}.db"));
                        for stale in ["", "-wal", "-shm"] {
                            let _ = std::fs::remove_file(format!("{}{stale}", file.display()));
                        }
                        format!("sqlite://{}", file.display())
                    }
                };
                let out = Command::new(&exe)
                    .args(["--child", &url])
                    .arg(dir.join(format!("items.{format}")))
                    .output()?;
                if !out.status.success() {
                    return Err(
                        format!("{format}: {}", String::from_utf8_lossy(&out.stderr)).into(),
                    );
                }
                let text = String::from_utf8(out.stdout)?;
                let fields: Vec<f64> = text
                    .split_whitespace()
                    .filter_map(|f| f.parse().ok())
                    .collect();
                let [created, seconds, rss, stored] = fields[..] else {
                    return Err(format!("{format}: unexpected output {text:?}").into());
                };
                table.push(format!(
                    "| {backend} | {} | {format} | {created} | {seconds:.2} | {:.0} | {rss:.0} | {stored:.0} |",
                    shape.name(),
                    created / seconds
                ));
            }
        }
    }
    println!();
    for line in table {
        println!("{line}");
    }
    Ok(())
}
