//! `cargo bench -p quanze-registry --bench import -- [ROWS] [--postgres URL]`: a benchmark
//! harness (not a test). Builds ROWS (default 10,000) rich power items from the demo's
//! transport list (every list filled: legal bases with article text, workflow, 责任事项,
//! 追责情形, discretion …), writes them as NDJSON, CSV and XLSX, and imports each file into a
//! fresh database in a child process of its own, so each line's peak RSS is that import's. It
//! prints one table. Machines here are shared and noisy: compare the ratios of one run.

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

fn demo_items() -> BenchResult<Vec<PowerItemRecord>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo/items/transport.ndjson");
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        let record: PowerItemRecord = serde_json::from_str(line)?;
        let mut checker = Checker::default();
        out.extend(validate_item(&record, &mut checker));
    }
    Ok(out)
}

/// ROWS items: the demo's, cycled, each with its own code and name.
fn items(rows: usize) -> BenchResult<Vec<PowerItemRecord>> {
    let demo = demo_items()?;
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

fn write_files(dir: &Path, rows: usize) -> BenchResult<()> {
    let items = items(rows)?;
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
    println!("{} {seconds} {}", report.created, peak_rss_mib());
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
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    write_files(dir.path(), rows)?;
    println!(
        "{rows} items written as NDJSON, CSV and XLSX in {:.1}s ({} / {} / {} KiB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(dir.path().join("items.ndjson"))?.len() / 1024,
        std::fs::metadata(dir.path().join("items.csv"))?.len() / 1024,
        std::fs::metadata(dir.path().join("items.xlsx"))?.len() / 1024,
    );
    println!();
    println!("| backend | format | rows | seconds | rows/s | peak RSS, MiB |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let exe = std::env::current_exe()?;
    let mut backends = vec![("SQLite".to_string(), None)];
    if let Some(url) = postgres {
        backends.push(("PostgreSQL".to_string(), Some(url)));
    }
    for (backend, url) in backends {
        for format in ["ndjson", "csv", "xlsx"] {
            let url = match &url {
                Some(u) => {
                    // A fresh schema each time: drop everything the last import left.
                    let db = quanze_registry::Database::open(u)?;
                    let mut conn = db.conn()?;
                    conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")?;
                    u.clone()
                }
                None => format!(
                    "sqlite://{}",
                    dir.path().join(format!("{format}.db")).display()
                ),
            };
            let out = Command::new(&exe)
                .args(["--child", &url])
                .arg(dir.path().join(format!("items.{format}")))
                .output()?;
            if !out.status.success() {
                return Err(format!("{format}: {}", String::from_utf8_lossy(&out.stderr)).into());
            }
            let text = String::from_utf8(out.stdout)?;
            let fields: Vec<f64> = text
                .split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect();
            let [created, seconds, rss] = fields[..] else {
                return Err(format!("{format}: unexpected output {text:?}").into());
            };
            println!(
                "| {backend} | {format} | {created} | {seconds:.2} | {:.0} | {rss:.0} |",
                created / seconds
            );
        }
    }
    Ok(())
}
