//! `quanze serve` on the embedded default loads and serves the demo; a backup taken while it
//! serves restores into a new data directory.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;

use crate::{Server, quanze};

/// README's run command: `serve` on the embedded default loads the demo into the empty
/// database and serves it; `--no-demo` starts empty.
#[test]
fn serve_on_the_embedded_default_serves_the_demo() {
    for (extra, expected_items) in [(None, 1135 + 254), (Some("--no-demo"), 0)] {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_quanze"))
            .current_dir(dir.path())
            .env_remove("QUANZE_DATABASE_URL")
            .env_remove("QUANZE_DATA_DIR")
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(120);
        let total = loop {
            let ready = agent
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .call()
                .ok()
                .filter(|r| r.status() == 200)
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .is_some_and(|b| b.contains("\"index_lag\":0"));
            if ready {
                let mut r = agent
                    .get(format!("http://127.0.0.1:{port}/api/v1/search?per_page=1"))
                    .call()
                    .unwrap();
                let body: serde_json::Value =
                    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
                break body["total"].as_i64().unwrap();
            }
            assert!(Instant::now() < deadline, "serve did not become ready");
            std::thread::sleep(Duration::from_millis(200));
        };
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(total, expected_items, "{extra:?}");
        assert!(dir.path().join("data/quanze.db").exists());
    }
}

/// An operator backs up the embedded database of a running server that has just taken writes, and
/// restores it into a new data directory: the restored server serves the same registry (every
/// item, the accounts and their tokens, the audit log) with a search index built from it.
#[test]
fn a_backup_made_while_serving_restores_into_a_new_data_dir() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let token = crate::support::admin_token(&t, &data);
    let server = Server::start(crate::bin(), &t, &data);
    let made = server.call(
        "POST",
        "/api/v1/users",
        Some(&token),
        Some(&serde_json::json!({"username": "clerk", "role": "editor", "departments": [1]})),
        &[],
    );
    assert_eq!(made.status, 201);

    let file = t.dir.path().join("备份 2026-12-07.db");
    let out = quanze(&t, &data, &["backup", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("items") && said.contains("2 users"), "{said}");
    // Never over an existing file.
    let again = quanze(&t, &data, &["backup", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));

    let restored_db = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let restored_data = restored_db.dir.path().join("data");
    let out = quanze(
        &restored_db,
        &restored_data,
        &["restore", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stdout).unwrap().contains("indexed"));
    // Never over an existing registry.
    let again = quanze(
        &restored_db,
        &restored_data,
        &["restore", file.to_str().unwrap()],
    );
    assert_eq!(again.status.code(), Some(3));

    let restored = Server::start(crate::bin(), &restored_db, &restored_data);
    let (_, _, original_export) = server.get_text("/api/v1/export");
    let (_, _, restored_export) = restored.get_text("/api/v1/export");
    assert!(original_export.lines().count() > 1135);
    assert!(original_export == restored_export, "the exports differ");
    let users = |s: &Server| s.call("GET", "/api/v1/users", Some(&token), None, &[]).body;
    assert_eq!(
        users(&server),
        users(&restored),
        "the token works on the copy"
    );
    let audit = |s: &Server| {
        s.call("GET", "/api/v1/audit?limit=500", Some(&token), None, &[])
            .body
    };
    assert_eq!(audit(&server), audit(&restored));
    // The same hits (equal scores may come in another order from an index built another way).
    let hits = |s: &Server| {
        let mut codes = s.search_codes("驾驶", "published");
        codes.sort();
        codes
    };
    assert_eq!(hits(&server), hits(&restored));
    assert!(!hits(&restored).is_empty());
}
