//! Item import, export, versions and the all-or-nothing guarantee, on both backends.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use quanze_registry::DbConnection;
use quanze_registry::export::export_items_ndjson;
use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::repo::history::{list_versions, outbox_since};
use quanze_registry::repo::items::{ItemFilter, find_item_by_code};
use quanze_testkit::TestDatabase;

use crate::{open, options, repo_root};

fn services_file() -> String {
    std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson")).unwrap()
}

fn export_all(db: &quanze_registry::Database) -> String {
    let mut out = Vec::new();
    let filter = ItemFilter {
        status: Some("published".into()),
        ..Default::default()
    };
    export_items_ndjson(db, &filter, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn codes_of(ndjson: &str) -> Vec<String> {
    let mut codes: Vec<String> = ndjson
        .lines()
        .map(|l| serde_json::from_str::<PowerItemRecord>(l).unwrap().code)
        .collect();
    codes.sort();
    codes
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Row counts of every table that an import writes.
fn table_counts(conn: &mut DbConnection) -> Vec<(String, i64)> {
    [
        "regions",
        "departments",
        "power_items",
        "item_legal_bases",
        "item_workflow_steps",
        "item_responsibilities",
        "item_accountability",
        "item_discretion",
        "item_exemptions",
        "item_remedies",
        "item_joint_departments",
        "item_versions",
        "outbox",
        "audit_log",
    ]
    .iter()
    .map(|t| {
        let c: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {t}"))
            .get_result(conn)
            .unwrap();
        (t.to_string(), c.n)
    })
    .collect()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct VersionDump {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Text)]
    snapshot: String,
}

fn version_dump(conn: &mut DbConnection) -> Vec<VersionDump> {
    diesel::sql_query(
        "SELECT p.code AS code, CAST(v.version AS BIGINT) AS version, v.snapshot AS snapshot FROM item_versions v JOIN power_items p ON p.id = v.item_id ORDER BY p.code, v.version",
    )
    .load(conn)
    .unwrap()
}

#[test]
fn real_service_items_import_and_export_round_trip() {
    let input = services_file();
    assert_eq!(input.lines().count(), 1135);
    for t in TestDatabase::each() {
        let db = open(&t);
        let report = import_items_ndjson(&db, input.as_bytes(), &options()).unwrap();
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        assert_eq!(
            (report.rows, report.created, report.committed),
            (1135, 1135, true),
            "{}",
            t.backend.name()
        );
        let exported = export_all(&db);
        assert_eq!(
            codes_of(&exported),
            codes_of(&input),
            "{}: export must return every code",
            t.backend.name()
        );

        // export → import into an empty database → export is identical.
        let empty = TestDatabase::new(t.backend).unwrap();
        let db2 = open(&empty);
        let again = import_items_ndjson(&db2, exported.as_bytes(), &options()).unwrap();
        assert_eq!(again.created, 1135);
        assert_eq!(
            export_all(&db2),
            exported,
            "{}: export → import → export differs",
            t.backend.name()
        );

        // The same file again changes nothing.
        let third = import_items_ndjson(&db, exported.as_bytes(), &options()).unwrap();
        assert_eq!(
            (third.created, third.updated, third.unchanged),
            (0, 0, 1135)
        );
    }
}

/// Output that checks, on every write, that no pooled connection is held meanwhile: a slow
/// export client must not pin one of the pool's few connections for as long as it takes.
struct PoolWatchingOutput<'a> {
    db: &'a quanze_registry::Database,
    bytes: usize,
}

impl std::io::Write for PoolWatchingOutput<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let status = self.db.pool_status();
        assert_eq!(
            status.idle, status.open,
            "a connection is held while the export writes: {status:?}"
        );
        self.bytes += data.len();
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn an_export_holds_no_connection_while_it_writes() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = quanze_registry::Database::open_with_pool(&t.url, Some(1)).unwrap();
    assert_eq!(db.pool_status().max, 1);
    import_items_ndjson(&db, services_file().as_bytes(), &options()).unwrap();
    let filter = ItemFilter {
        status: Some("published".into()),
        ..Default::default()
    };
    let mut out = PoolWatchingOutput { db: &db, bytes: 0 };
    assert_eq!(export_items_ndjson(&db, &filter, &mut out).unwrap(), 1135);
    let mut csv = PoolWatchingOutput { db: &db, bytes: 0 };
    assert_eq!(
        quanze_registry::export::export_items_csv(&db, &filter, &mut csv).unwrap(),
        1135
    );
    assert!(
        out.bytes > 200_000 && csv.bytes > 200_000,
        "{} {}",
        out.bytes,
        csv.bytes
    );
    assert!(quanze_registry::Database::open_with_pool(&t.url, Some(0)).is_err());
}

#[test]
fn demo_items_with_every_list_round_trip() {
    let dir = repo_root().join("demo/items");
    for t in TestDatabase::each() {
        let db = open(&t);
        let mut all = String::new();
        for f in [
            "transport.ndjson",
            "traffic-police.ndjson",
            "market-regulation.ndjson",
        ] {
            all += &std::fs::read_to_string(dir.join(f)).unwrap();
        }
        let report = import_items_ndjson(&db, all.as_bytes(), &options()).unwrap();
        assert_eq!(
            report.errors(),
            0,
            "{:?}",
            &report.problems[..report.problems.len().min(5)]
        );
        assert!(report.created >= 150);
        let exported = export_all(&db);
        // Every list survives storage: compare parsed records with the normalised input.
        let records: Vec<PowerItemRecord> = exported
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let penalty = records
            .iter()
            .find(|r| r.category == "penalty" && !r.discretion.is_empty())
            .unwrap();
        assert!(
            !penalty.workflow.is_empty()
                && !penalty.responsibilities.is_empty()
                && !penalty.accountability.is_empty()
        );
        assert!(penalty.legal_bases.iter().any(|b| b.role == "处罚依据"));
        let empty = TestDatabase::new(t.backend).unwrap();
        let db2 = open(&empty);
        import_items_ndjson(&db2, exported.as_bytes(), &options()).unwrap();
        assert_eq!(export_all(&db2), exported, "{}", t.backend.name());
    }
}

/// 1,000 generated items (real names, codes made unique) as NDJSON lines.
fn thousand_items(name_suffix: &str) -> Vec<String> {
    services_file()
        .lines()
        .cycle()
        .take(1000)
        .enumerate()
        .map(|(i, l)| {
            let mut r: PowerItemRecord = serde_json::from_str(l).unwrap();
            r.code = format!("T{i:04}-{}", r.code);
            r.name = format!("{}{name_suffix}", r.name);
            serde_json::to_string(&r).unwrap()
        })
        .collect()
}

#[test]
fn one_bad_row_in_a_thousand_writes_nothing() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let first = thousand_items("");
        let report =
            import_items_ndjson(&db, first[..600].join("\n").as_bytes(), &options()).unwrap();
        assert_eq!(report.created, 600);
        let mut conn = db.conn().unwrap();
        let counts_before = table_counts(&mut conn);
        let versions_before = version_dump(&mut conn);
        drop(conn);

        // Changes to existing items, new items, and one invalid row in the middle.
        let mut second = thousand_items("（修订）");
        second[499] = second[499]
            .replace("\"category\":\"licensing\"", "\"category\":\"许可证\"")
            .replace("\"category\":\"public_service\"", "\"category\":\"许可证\"")
            .replace("\"category\":\"other\"", "\"category\":\"许可证\"");
        assert!(second[499].contains("许可证"));
        let report = import_items_ndjson(&db, second.join("\n").as_bytes(), &options()).unwrap();
        assert!(!report.committed);
        assert_eq!(report.errors(), 1);
        let problem = report.problems.iter().find(|p| p.is_error()).unwrap();
        assert_eq!(problem.row, Some(500));
        assert_eq!(problem.field, "category");
        assert!(
            problem
                .to_string()
                .starts_with("row 500: category: \"许可证\" is not one of"),
            "{problem}"
        );

        let mut conn = db.conn().unwrap();
        assert_eq!(
            table_counts(&mut conn),
            counts_before,
            "{}",
            t.backend.name()
        );
        assert_eq!(
            version_dump(&mut conn),
            versions_before,
            "{}",
            t.backend.name()
        );

        // A dry run of a valid file reports exactly what a real run does, and writes nothing.
        second[499] = thousand_items("（修订）")[499].clone();
        let mut dry = options();
        dry.dry_run = true;
        let report = import_items_ndjson(&db, second.join("\n").as_bytes(), &dry).unwrap();
        assert_eq!(
            (report.created, report.updated, report.committed),
            (400, 600, false)
        );
        assert_eq!(table_counts(&mut conn), counts_before);
        let real = import_items_ndjson(&db, second.join("\n").as_bytes(), &options()).unwrap();
        assert_eq!(
            (real.created, real.updated, real.committed),
            (400, 600, true)
        );
    }
}

#[test]
fn reimport_creates_versions_outbox_rows_and_audit() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let line = services_file().lines().next().unwrap().to_string();
        let mut record: PowerItemRecord = serde_json::from_str(&line).unwrap();
        import_items_ndjson(&db, line.as_bytes(), &options()).unwrap();
        record.name = "企业投资项目备案（技术改造）".into();
        record.time_limit = Some(quanze_registry::interchange::TimeLimit {
            statutory_days: Some(20),
            promised_days: Some(5),
            unit: Some("工作日".into()),
            note: None,
        });
        let changed = serde_json::to_string(&record).unwrap();
        let report = import_items_ndjson(&db, changed.as_bytes(), &options()).unwrap();
        assert_eq!(report.updated, 1);

        let mut conn = db.conn().unwrap();
        let item = find_item_by_code(&mut conn, &record.code).unwrap().unwrap();
        assert_eq!(item.version, 2);
        assert_eq!(item.name, "企业投资项目备案（技术改造）");
        let versions = list_versions(&mut conn, item.id).unwrap();
        assert_eq!(versions.len(), 2);
        assert!(
            versions[0].snapshot.contains("（市级/县级）"),
            "version 1 keeps the old name"
        );
        let feed: Vec<_> = outbox_since(&mut conn, 0, 10)
            .unwrap()
            .into_iter()
            .filter(|o| o.is_item())
            .collect();
        let kinds: Vec<&str> = feed.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["published", "revised"]);
        assert!(feed[0].seq < feed[1].seq);
        let audit =
            quanze_registry::repo::history::audit_for_entity(&mut conn, "power_item", &record.code)
                .unwrap();
        assert_eq!(audit.len(), 2);
        // The audit entry names the version and the fields it changed; the versions hold
        // the content, so the log keeps no second copy of the item.
        let created: serde_json::Value = serde_json::from_str(&audit[0].details).unwrap();
        assert_eq!(created, serde_json::json!({"version": 1, "reason": "测试"}));
        let details: serde_json::Value = serde_json::from_str(&audit[1].details).unwrap();
        assert_eq!(details["version"], 2);
        assert_eq!(
            details["changed"],
            serde_json::json!(["name", "time_limit"])
        );
        assert!(!audit[1].details.contains("企业投资项目备案"));
        assert!(
            versions[1]
                .snapshot
                .contains("企业投资项目备案（技术改造）")
        );
        assert_eq!(audit[1].actor, "tester");
    }
}

#[test]
fn duplicate_codes_and_unknown_keys_are_reported_per_row() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = open(&t);
    let file = services_file();
    let lines: Vec<&str> = file.lines().take(3).collect();
    let input = format!(
        "{}\n{}\n{}\n",
        lines[0],
        lines[1],
        lines[0].replacen('{', "{\"colour\":\"red\",", 1)
    );
    let report = import_items_ndjson(&db, input.as_bytes(), &options()).unwrap();
    let messages: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        messages.iter().any(|m| m == "row 3: colour: unknown key"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("row 3: code: ") && m.contains("already appears on row 1")),
        "{messages:?}"
    );
    let mut lenient = options();
    lenient.strict = false;
    let input = format!(
        "{}\n{}\n",
        lines[0],
        lines[1].replacen('{', "{\"colour\":\"red\",", 1)
    );
    let report = import_items_ndjson(&db, input.as_bytes(), &lenient).unwrap();
    assert!(report.committed);
    assert_eq!(report.warnings(), 1);
}

/// Writers from several threads at once (as from several server workers): every import
/// commits — none fails with "database is locked" on SQLite — and the outbox sequence has no
/// gap, so a follower misses nothing.
#[test]
fn concurrent_writers_all_commit_in_order_on_both_backends() {
    const THREADS: usize = 4;
    const ROWS: usize = 40;
    for t in TestDatabase::each() {
        let db = open(&t);
        let lines: Vec<String> = services_file().lines().map(str::to_string).collect();
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let db = db.clone();
                let chunk = lines[i * ROWS..(i + 1) * ROWS].join("\n");
                std::thread::spawn(move || {
                    // Two files per thread: ten rows, then the rest.
                    let (first, rest) =
                        chunk.split_at(chunk.match_indices('\n').nth(9).map(|(at, _)| at).unwrap());
                    for part in [first, rest] {
                        let report = import_items_ndjson(&db, part.as_bytes(), &options()).unwrap();
                        assert!(report.committed, "{:?}", report.problems);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let mut conn = db.conn().unwrap();
        let feed = outbox_since(&mut conn, 0, 10_000).unwrap();
        let items = feed.iter().filter(|r| r.is_item()).count();
        assert_eq!(items, THREADS * ROWS, "{}", t.backend.name());
        let seqs: Vec<i64> = feed.iter().map(|r| r.seq).collect();
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "{}: gaps in the outbox",
            t.backend.name()
        );
    }
}
