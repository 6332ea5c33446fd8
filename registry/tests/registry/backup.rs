//! Backup and restore of the embedded database: a backup taken while writers are busy is a
//! whole, consistent registry, and restoring it into a new place gives back every row of every
//! table; a backup never overwrites a file and a restore never replaces a registry.

use quanze_registry::auth::{Principal, Role};
use quanze_registry::backup::{backup, restore};
use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::{Database, RegistryError, accounts, repo};
use quanze_testkit::{Backend, TestDatabase};

use crate::{every_row, open, options, repo_root};

/// A registry with items in several versions, users, a token, a password and their audit rows.
fn busy_registry(db: &Database) {
    let items =
        std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
            .unwrap();
    import_items_ndjson(db, items.as_bytes(), &options()).unwrap();
    let changed = items.replacen("\"name\": \"", "\"name\": \"（新）", 50);
    import_items_ndjson(db, changed.as_bytes(), &options()).unwrap();
    let conn = &mut *db.conn().unwrap();
    let op = Principal::operator("tester");
    let at = repo::now();
    let user = accounts::add_user(conn, &op, "clerk", "张办事", Role::Editor, &[1], at).unwrap();
    accounts::issue_token(conn, &op, user.row.id, Some("同步"), None, at).unwrap();
    accounts::set_password(
        conn,
        &op,
        user.row.id,
        None,
        "交通运输局清单维护2026",
        None,
        at,
    )
    .unwrap();
}

/// Files in `dir` whose name says they are unfinished copies.
fn partials(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_backup_taken_under_writes_restores_every_row() {
    let t = TestDatabase::new(Backend::Sqlite).unwrap();
    let db = open(&t);
    busy_registry(&db);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quanze-backup.db");

    // A writer keeps importing while the backup is taken: the copy is one consistent moment.
    let writer = {
        let db = db.clone();
        let items =
            std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
                .unwrap();
        let (started, import_started) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            for round in 0..3 {
                if round == 0 {
                    let _ = started.send(());
                }
                let changed = items.replacen("\"name\": \"", &format!("\"name\": \"{round}"), 200);
                import_items_ndjson(&db, changed.as_bytes(), &options()).unwrap();
            }
        });
        (thread, import_started)
    };
    // The backup starts as the writer's first import does.
    writer.1.recv().unwrap();
    let summary = backup(&db, &file).unwrap();
    writer.0.join().unwrap();
    assert_eq!(summary.items, 1135);
    assert!(summary.versions > 1135, "{summary:?}");
    assert_eq!(summary.users, 1);
    assert!(summary.audit_entries >= 4, "{summary:?}");
    assert_eq!(summary.bytes, std::fs::metadata(&file).unwrap().len());
    assert_eq!(partials(dir.path()), 0, "nothing left beside the backup");

    // The backup is what restore makes of it, row for row, in every table.
    let backed_up = every_row(&file);
    let restored_path = dir.path().join("restored/quanze.db");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let again = restore(&file, &restored_url).unwrap();
    assert_eq!(
        (
            again.items,
            again.versions,
            again.users,
            again.audit_entries,
            again.outbox_seq
        ),
        (
            summary.items,
            summary.versions,
            summary.users,
            summary.audit_entries,
            summary.outbox_seq
        )
    );
    let restored = every_row(&restored_path);
    assert_eq!(backed_up.len(), restored.len());
    for ((table, rows), (table_again, rows_again)) in backed_up.iter().zip(&restored) {
        assert_eq!(table, table_again);
        assert!(rows == rows_again, "{table}: rows differ after restore");
    }
    let tables: Vec<&str> = backed_up.iter().map(|(t, _)| t.as_str()).collect();
    for table in [
        "power_items",
        "item_versions",
        "users",
        "api_tokens",
        "audit_log",
        "outbox",
    ] {
        let rows = &backed_up.iter().find(|(t, _)| t == table).unwrap().1;
        assert!(!rows.is_empty(), "{table} is empty in {tables:?}");
    }
    // The restored registry opens and serves (and its password still signs in).
    let reopened = Database::open(&restored_url).unwrap();
    let conn = &mut *reopened.conn().unwrap();
    assert!(
        quanze_registry::sessions::sign_in(
            conn,
            "clerk",
            "交通运输局清单维护2026",
            "test",
            None,
            quanze_registry::sessions::SessionPolicy::default(),
            repo::now(),
        )
        .is_ok()
    );

    // Never onto an existing file or registry; never from something that is not a backup.
    assert!(matches!(
        backup(&db, &file),
        Err(RegistryError::Conflict(_))
    ));
    assert!(matches!(
        restore(&file, &restored_url),
        Err(RegistryError::Conflict(_))
    ));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "这不是数据库".repeat(1000)).unwrap();
    let elsewhere = format!("sqlite://{}", dir.path().join("other/quanze.db").display());
    assert!(matches!(
        restore(&junk, &elsewhere),
        Err(RegistryError::Invalid(_))
    ));
    assert!(!dir.path().join("other/quanze.db").exists());
    assert_eq!(partials(&dir.path().join("other")), 0);
    assert!(matches!(
        restore(&dir.path().join("missing.db"), &elsewhere),
        Err(RegistryError::NotFound(_))
    ));
}

#[test]
fn postgres_is_backed_up_with_its_own_tools() {
    let Some(t) = TestDatabase::each()
        .into_iter()
        .find(|t| t.backend == Backend::Postgres)
    else {
        return;
    };
    let db = open(&t);
    let dir = tempfile::tempdir().unwrap();
    let refused = backup(&db, &dir.path().join("b.db"));
    assert!(
        matches!(&refused, Err(RegistryError::Conflict(m)) if m.contains("pg_dump")),
        "{refused:?}"
    );
    assert!(!dir.path().join("b.db").exists());
    assert!(matches!(
        restore(&dir.path().join("b.db"), &t.url),
        Err(RegistryError::Conflict(_))
    ));
}
