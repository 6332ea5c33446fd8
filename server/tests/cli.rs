//! The `quanze` command line end to end: the real binary against a real SQLite file and a real
//! PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quanze_testkit::TestDatabase;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn quanze(t: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quanze"))
        .arg("--data-dir")
        .arg(t.dir.path().join("data"))
        .arg("--database-url")
        .arg(&t.url)
        .args(args)
        .env_remove("QUANZE_DATA_DIR")
        .env_remove("QUANZE_DATABASE_URL")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn demo_loads_and_exports_every_item() {
    for t in TestDatabase::each() {
        let out = quanze(&t, &["demo"]);
        assert!(
            out.status.success(),
            "{}: {}{}",
            t.backend.name(),
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        );
        let export = quanze(&t, &["export"]);
        assert!(export.status.success());
        let lines = stdout(&export).lines().count();
        assert!(lines >= 1135 + 150, "{lines}");

        let transport = quanze(&t, &["export", "--department", "临江市交通运输局"]);
        let transport_lines: Vec<String> = stdout(&transport).lines().map(str::to_string).collect();
        assert!(transport_lines.len() >= 100);
        assert!(
            transport_lines
                .iter()
                .all(|l| l.contains("\"临江市交通运输局\""))
        );
        let penalties = quanze(&t, &["export", "--category", "行政处罚"]);
        assert!(
            stdout(&penalties)
                .lines()
                .all(|l| l.contains("\"category\":\"penalty\""))
        );
        let unknown = quanze(&t, &["export", "--department", "不存在的局"]);
        assert_eq!(unknown.status.code(), Some(3));

        // A second demo run leaves a loaded database alone.
        let again = quanze(&t, &["demo"]);
        assert!(again.status.success());
        assert!(stdout(&again).contains("demo not loaded"));
        let status = stdout(&quanze(&t, &["status"]));
        assert!(
            status.contains(&format!("items published: {lines}")),
            "{status}"
        );
    }
}

#[test]
fn a_file_with_one_bad_row_is_rejected_with_a_row_numbered_report() {
    let services =
        std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
            .unwrap();
    let mut rows: Vec<String> = services.lines().take(5).map(str::to_string).collect();
    rows[2] = rows[2].replace("\"511602000000\"", "\"5116\"");
    for t in TestDatabase::each() {
        let file = write(t.dir.path(), "items.ndjson", &rows.join("\n"));
        let out = quanze(&t, &["import", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
        let report = stdout(&out);
        assert!(
            report.contains("row 3: department.region: region code must be 6 or 12 digits"),
            "{report}"
        );
        assert!(report.contains("REJECTED, nothing written"), "{report}");
        let status = stdout(&quanze(&t, &["status"]));
        assert!(!status.contains("items published"), "{status}");

        // Dry run of the corrected file: counts, exit 0, still nothing written.
        let fixed = write(
            t.dir.path(),
            "fixed.ndjson",
            &services.lines().take(5).collect::<Vec<_>>().join("\n"),
        );
        let dry = quanze(&t, &["import", "--dry-run", fixed.to_str().unwrap()]);
        assert!(dry.status.success());
        assert!(
            stdout(&dry)
                .contains("5 created, 0 updated, 0 unchanged, 0 warnings, 0 errors — dry run"),
            "{}",
            stdout(&dry)
        );
        assert!(!stdout(&quanze(&t, &["status"])).contains("items published"));
        let real = quanze(
            &t,
            &["import", fixed.to_str().unwrap(), "--reason", "首次导入"],
        );
        assert!(stdout(&real).contains("5 created"), "{}", stdout(&real));
        assert!(stdout(&quanze(&t, &["status"])).contains("items published: 5"));
    }
}

#[test]
fn laws_import_reports_what_it_stored() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let dir = repo_root().join("demo/laws");
    let out = quanze(&t, &["laws", "import", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("law versions stored with"), "{text}");
    assert!(text.contains("(2 superseded by a newer version)"), "{text}");
}

#[test]
fn bad_database_url_and_missing_file_fail_cleanly() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_quanze"))
        .args(["--database-url", "mysql://x", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid database URL"));
    let missing = quanze(&t, &["import", "/nonexistent/items.ndjson"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/items.ndjson"));
}

/// The Excel path as the README gives it: template, dry run, import; then export as XLSX and
/// CSV and import both back with nothing changed.
#[test]
fn a_sheet_from_the_template_through_dry_run_to_import() {
    for t in TestDatabase::each() {
        assert!(quanze(&t, &["demo"]).status.success());
        let template = t.dir.path().join("list.xlsx");
        let out = quanze(&t, &["template", "-o", template.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The template's example row is never imported; a department adds its own row as CSV.
        let csv = t.dir.path().join("list.csv");
        let out = quanze(
            &t,
            &["template", "--format", "csv", "-o", csv.to_str().unwrap()],
        );
        assert!(out.status.success());
        let mut text = std::fs::read_to_string(&csv).unwrap();
        text.push_str("1,,,行政确认,出租汽车驾驶员从业资格注册,,,,,,,,,\r\n");
        std::fs::write(&csv, text).unwrap();
        let args = |extra: &[&str]| {
            let mut a = vec![
                "import",
                csv.to_str().unwrap(),
                "--department",
                "临江市交通运输局",
            ];
            a.extend_from_slice(extra);
            a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        };
        let run = |extra: &[&str]| {
            let a = args(extra);
            quanze(&t, &a.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let dry = run(&["--dry-run"]);
        assert!(
            dry.status.success(),
            "{}{}",
            stdout(&dry),
            String::from_utf8_lossy(&dry.stderr)
        );
        assert!(
            stdout(&dry).contains("1 created") && stdout(&dry).contains("dry run"),
            "{}",
            stdout(&dry)
        );
        let real = run(&[]);
        assert!(stdout(&real).contains("1 created") && stdout(&real).contains("committed"));
        let again = run(&[]);
        assert!(
            stdout(&again).contains("1 unchanged"),
            "the generated code is stable: {}",
            stdout(&again)
        );

        // The imported row has no legal basis, no 责任事项, no 追责情形: the quality report says so.
        let out = quanze(&t, &["quality", "--department", "临江市交通运输局"]);
        assert!(out.status.success());
        let report = stdout(&out);
        assert!(report.contains("没有法定依据的权力\t"), "{report}");
        assert!(report.contains("出租汽车驾驶员从业资格注册"), "{report}");

        // A broken row: exit 3, the cell named in Chinese, nothing written.
        let broken = write(
            t.dir.path(),
            "broken.csv",
            "序号,事项名称,权力分类\n1,某事项,行政监管\n",
        );
        let out = quanze(
            &t,
            &[
                "import",
                broken.to_str().unwrap(),
                "--department",
                "临江市交通运输局",
            ],
        );
        assert_eq!(out.status.code(), Some(3));
        assert!(
            stdout(&out).contains("broken!C2: 未知的权力分类“行政监管”"),
            "{}",
            stdout(&out)
        );

        for format in ["xlsx", "csv"] {
            let file = t.dir.path().join(format!("export.{format}"));
            let out = quanze(
                &t,
                &[
                    "export",
                    "--format",
                    format,
                    "--department",
                    "临江市交通运输局",
                    "-o",
                    file.to_str().unwrap(),
                ],
            );
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let out = quanze(&t, &["import", file.to_str().unwrap()]);
            assert!(out.status.success(), "{}", stdout(&out));
            assert!(
                stdout(&out).contains(" 0 created, 0 updated"),
                "{format}: {}",
                stdout(&out)
            );
        }
    }
}
