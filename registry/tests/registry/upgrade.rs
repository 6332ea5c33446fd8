//! Upgrade: a registry written by the previous release — its migrations and its binary (the
//! demo, three users with tokens, a revision approved, a revision in review, a revoked item; see
//! `registry/tests/fixtures/README.md`) — migrates to this release with nothing lost, and its
//! work goes on.

use std::io::Read;

use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::repo::items::ItemFilter;
use quanze_registry::workflow::{RevisionCondition, approve_draft, list_drafts};
use quanze_registry::{Database, repo};

use crate::{repo_root, rows_of, tables_and_columns};

/// The tokens the fixture's users were given (test secrets, valid only in the fixture).
const CLERK_TOKEN: &str = "qz_580c07c4fa780ebfe6389079509a991f45b80c79a7d9097ddc46aaffe042f532";
const CHIEF_TOKEN: &str = "qz_c1b0c6430664cdc64c9cc9a3d87d17bf1bfc4a15e01e7c4dc68cdf0075d70ba9";

fn gunzip(name: &str) -> Vec<u8> {
    let file = std::fs::File::open(repo_root().join("registry/tests/fixtures").join(name)).unwrap();
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn codes_and_records(ndjson: &str) -> Vec<(String, PowerItemRecord)> {
    let mut records: Vec<(String, PowerItemRecord)> = ndjson
        .lines()
        .map(|l| {
            let r: PowerItemRecord = serde_json::from_str(l).unwrap();
            (r.code.clone(), r)
        })
        .collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    records
}

#[test]
fn a_registry_of_the_previous_release_upgrades_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quanze.db");
    std::fs::write(&path, gunzip("release-2026-12-04.db.gz")).unwrap();
    let before: Vec<(String, Vec<String>, Vec<String>)> = tables_and_columns(&path)
        .into_iter()
        .map(|(table, columns)| {
            let rows = rows_of(&path, &table, &columns);
            (table, columns, rows)
        })
        .collect();
    assert!(!before.iter().any(|(t, _, _)| t == "user_sessions"));

    let db = Database::open(&format!("sqlite://{}", path.display())).unwrap();
    quanze_registry::upgrade::complete(&db).unwrap();

    // Every row of every table the old release had, in every column it had, is still there.
    let after = tables_and_columns(&path);
    for (table, columns, rows) in &before {
        let now = after.iter().find(|(t, _)| t == table);
        let now_columns = &now.unwrap_or_else(|| panic!("{table} is gone")).1;
        for c in columns {
            assert!(now_columns.contains(c), "{table}.{c} is gone");
        }
        let rows_now = rows_of(&path, table, columns);
        if table == "__diesel_schema_migrations" {
            // The migrations of this release are added to the ones applied before.
            assert!(rows_now.len() > rows.len());
            assert!(rows.iter().all(|r| rows_now.contains(r)));
        } else {
            assert!(rows_now == *rows, "{table}: rows changed by the upgrade");
        }
    }
    assert!(after.iter().any(|(t, _)| t == "user_sessions"));

    // The published list exports as the old release exported it.
    let mut out = Vec::new();
    let filter = ItemFilter {
        status: Some("published".into()),
        ..Default::default()
    };
    quanze_registry::export::export_items_ndjson(&db, &filter, &mut out).unwrap();
    let old_export = String::from_utf8(gunzip("release-2026-12-04.export.ndjson.gz")).unwrap();
    let new_export = String::from_utf8(out).unwrap();
    assert_eq!(old_export.lines().count(), 1388);
    let (old, new) = (
        codes_and_records(&old_export),
        codes_and_records(&new_export),
    );
    assert_eq!(old.len(), new.len());
    for (a, b) in old.iter().zip(&new) {
        assert!(a == b, "item {} differs after the upgrade", a.0);
    }

    // The tokens still work (on a day within their lifetime), and the revision left in
    // review is approved by the reviewer.
    let conn = &mut *db.conn().unwrap();
    let day_after = chrono::NaiveDate::from_ymd_opt(2026, 12, 8)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let clerk = repo::users::authenticate(conn, CLERK_TOKEN, "test", day_after).unwrap();
    assert_eq!(clerk.username, "clerk");
    let chief = repo::users::authenticate(conn, CHIEF_TOKEN, "test", day_after).unwrap();
    let (drafts, total) = list_drafts(conn, &chief, None, Some("in_review".into()), 0, 10).unwrap();
    assert_eq!(total, 1);
    approve_draft(
        conn,
        &chief,
        drafts[0].id,
        &RevisionCondition::Any,
        repo::now(),
    )
    .unwrap();
    let (_, left) = list_drafts(conn, &chief, None, Some("in_review".into()), 0, 10).unwrap();
    assert_eq!(left, 0);
}

/// Servers (or a server and a command) starting together on one new database: every one opens
/// it — one migrates, the others wait for it and find nothing pending — and each migration is
/// recorded once.
#[test]
fn openers_starting_together_migrate_once() {
    for test_db in quanze_testkit::TestDatabase::each() {
        let openers = 6;
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(openers));
        let handles: Vec<_> = (0..openers)
            .map(|_| {
                let (url, barrier) = (test_db.url.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Database::open(&url).map(|_| ()).map_err(|e| e.to_string())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), Ok(()), "{}", test_db.backend.name());
        }
        let db = Database::open(&test_db.url).unwrap();
        let (sqlite, postgres) = quanze_registry::db::migration_names();
        let expected = match test_db.backend {
            quanze_testkit::Backend::Sqlite => sqlite.len(),
            quanze_testkit::Backend::Postgres => postgres.len(),
        };
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let recorded: Count = diesel::RunQueryDsl::get_result(
            diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations"),
            &mut *db.conn().unwrap(),
        )
        .unwrap();
        assert_eq!(recorded.n as usize, expected, "{}", test_db.backend.name());
    }
}
