//! `quanze serve` on the embedded default loads and serves the demo; a backup taken while it
//! serves restores into a new data directory.

use std::path::Path;
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
    let (server, token) = serving_demo_that_just_took_a_write(&t, &data);

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
    assert_the_same_registry(&server, &restored, &token);
}

/// The demo registry served from `data`, having just taken a write (a new account); the
/// server and the admin's token.
fn serving_demo_that_just_took_a_write(t: &TestDatabase, data: &Path) -> (Server, String) {
    assert!(quanze(t, data, &["demo"]).status.success());
    let token = crate::support::admin_token(t, data);
    let server = Server::start(crate::bin(), t, data);
    let made = server.call(
        "POST",
        "/api/v1/users",
        Some(&token),
        Some(&serde_json::json!({"username": "clerk", "role": "editor", "departments": [1]})),
        &[],
    );
    assert_eq!(made.status, 201);
    (server, token)
}

/// A server `restored` from a backup of `original`'s database serves the same registry: every
/// item, the accounts (the admin's token works on the copy), the audit log, and the same
/// search hits in the same order from an index built another way (equal scores fall to the
/// item id, not to index order).
fn assert_the_same_registry(original: &Server, restored: &Server, token: &str) {
    let (_, _, original_export) = original.get_text("/api/v1/export");
    let (_, _, restored_export) = restored.get_text("/api/v1/export");
    assert!(original_export.lines().count() > 1135);
    assert!(original_export == restored_export, "the exports differ");
    let users = |s: &Server| s.call("GET", "/api/v1/users", Some(token), None, &[]).body;
    assert_eq!(
        users(original),
        users(restored),
        "the token works on the copy"
    );
    let audit = |s: &Server| {
        s.call("GET", "/api/v1/audit?limit=500", Some(token), None, &[])
            .body
    };
    assert_eq!(audit(original), audit(restored));
    for words in ["驾驶", "许可", "出租汽车"] {
        let hits = original.search_codes(words, "published");
        assert!(!hits.is_empty(), "{words}");
        assert_eq!(hits, restored.search_codes(words, "published"), "{words}");
    }
}

/// PostgreSQL is backed up with its own tools (docs/backup.md): `pg_dump` of the database of a
/// running server that has just taken writes, `pg_restore` into an empty database, `quanze
/// reindex`, and the restored server serves the same registry.
#[test]
fn a_pg_dump_of_a_serving_registry_restores_into_an_empty_database() {
    let Some(t) = TestDatabase::new(quanze_testkit::Backend::Postgres) else {
        return;
    };
    let data = t.dir.path().join("data");
    let (server, token) = serving_demo_that_just_took_a_write(&t, &data);

    let file = t.dir.path().join("quanze.dump");
    let dump = quanze_testkit::pg_tool(
        "pg_dump",
        &["--format=custom", "--file", file.to_str().unwrap(), &t.url],
    )
    .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let restored_db = TestDatabase::new(quanze_testkit::Backend::Postgres).unwrap();
    let dbname = format!("--dbname={}", restored_db.url);
    let restore = quanze_testkit::pg_tool(
        "pg_restore",
        &[&dbname, "--no-owner", file.to_str().unwrap()],
    )
    .unwrap();
    assert!(
        restore.status.success(),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    let restored_data = restored_db.dir.path().join("data");
    let reindex = quanze(&restored_db, &restored_data, &["reindex"]);
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    let restored = Server::start(crate::bin(), &restored_db, &restored_data);
    assert_the_same_registry(&server, &restored, &token);
    // The restored registry takes writes: its sequences continue past the copied rows.
    let again = restored.call(
        "POST",
        "/api/v1/users",
        Some(&token),
        Some(&serde_json::json!({"username": "clerk2", "role": "editor", "departments": [1]})),
        &[],
    );
    assert_eq!(again.status, 201, "{}", again.body);
}

/// SIGTERM stops a server gracefully: it takes no new connections, a request in flight (an
/// export a client is still reading) is answered to its end, the follower stops after its
/// current batch, the process exits 0, and after a restart the index holds exactly the
/// published items.
#[test]
fn sigterm_finishes_requests_in_flight_and_exits_cleanly() {
    use std::io::Read;
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let editor = crate::support::user_token(&t, &data, "clerk", "editor");
        let reviewer = crate::support::user_token(&t, &data, "chief", "reviewer");
        let mut server = Server::start(crate::bin(), &t, &data);
        let transport = quanze_testkit::server::department_id_named(&server, "临江市交通运输局");
        let codes = crate::support::department_codes(&server, transport);
        let published = crate::support::published(&t, &data).len();

        // A client starts an export and reads only its first bytes.
        let mut export = server
            .agent
            .get(format!("{}/api/v1/export", server.base))
            .call()
            .unwrap();
        assert_eq!(export.status().as_u16(), 200);
        let mut reader = export.body_mut().with_config().limit(u64::MAX).reader();
        let mut body = vec![0u8; 4096];
        reader.read_exact(&mut body).unwrap();
        // A change is approved just before the signal: the follower has it to apply.
        let draft = crate::support::submitted_revision(&server, &editor, &codes[0], "停机前的修改");
        assert_eq!(crate::support::approve(&server, &reviewer, draft), 200);

        let pid = server.process().id().to_string();
        let term = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(term.success());
        let signalled = Instant::now();
        std::thread::scope(|scope| {
            // The export in flight is answered to its end…
            let rest = scope.spawn(|| reader.read_to_end(&mut body).map(|_| ()));
            // …while new connections are refused.
            let address = server.base.trim_start_matches("http://").to_string();
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(&address).is_ok() {
                assert!(
                    Instant::now() < deadline,
                    "{}: still accepting",
                    t.backend.name()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            rest.join().unwrap().unwrap();
        });
        let lines = body.iter().filter(|b| **b == b'\n').count();
        assert_eq!(lines, published, "{}", t.backend.name());
        let status = server.process().wait().unwrap();
        assert!(status.success(), "{}: {status:?}", t.backend.name());
        eprintln!(
            "{}: stopped {:?} after SIGTERM",
            t.backend.name(),
            signalled.elapsed()
        );

        let restarted = Server::start(crate::bin(), &t, &data);
        let feed = crate::support::check_consistent(&t, &data, &restarted, "after SIGTERM");
        assert!(
            feed[&codes[0]].iter().any(|(kind, _)| kind == "revised"),
            "{:?}",
            feed[&codes[0]]
        );
    }
}

/// A configuration file sets what flags and variables do not: `quanze config` shows each
/// setting with where it came from and no password, an unknown setting is refused by name, and
/// `serve` listens where the file says.
#[test]
fn a_configuration_file_under_flags_and_variables() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let file = dir.path().join("quanze.toml");
    std::fs::write(
        &file,
        format!(
            "bind = \"127.0.0.1:{port}\"\nsearch_limit = 90\nexport_limit = 5\ndata_dir = \"{}\"\nread_database_url = \"postgres://reader:s3cret@standby/quanze\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let quanze = |args: &[&str], env: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_quanze"))
            .env_remove("QUANZE_DATABASE_URL")
            .env_remove("QUANZE_DATA_DIR")
            .env_remove("QUANZE_CONFIG")
            .envs(env.iter().copied())
            .args(args)
            .output()
            .unwrap()
    };
    let out = quanze(
        &[
            "--config",
            file.to_str().unwrap(),
            "config",
            "--search-limit",
            "1",
        ],
        &[("QUANZE_EXPORT_LIMIT", "7")],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // `config` takes no serve flags: clap refuses the stray one.
    assert!(!out.status.success(), "{text}");
    let out = quanze(
        &[
            "--config",
            file.to_str().unwrap(),
            "config",
            "--db-pool-size",
            "3",
        ],
        &[("QUANZE_EXPORT_LIMIT", "7")],
    );
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |setting: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("--{setting} ")))
            .unwrap_or_else(|| panic!("no {setting} in:\n{text}"))
            .to_string()
    };
    assert!(line("bind").contains("file") && line("bind").contains(&port.to_string()));
    assert!(line("search-limit").contains("file") && line("search-limit").ends_with("90"));
    assert!(line("export-limit").contains("environment") && line("export-limit").ends_with('7'));
    assert!(line("workers").contains("unset") || line("workers").contains("default"));
    assert!(line("db-pool-size").contains("flag") && line("db-pool-size").ends_with('3'));
    assert!(
        line("read-database-url").contains("reader:***@standby"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "bnd = \"0.0.0.0:80\"\n").unwrap();
    let out = quanze(&["--config", bad.to_str().unwrap(), "config"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown setting `bnd`") && err.contains("bind"),
        "{err}"
    );

    // `serve` takes its address and data dir from the file (no read replica: drop it).
    std::fs::write(
        &file,
        format!(
            "bind = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    /// The server, stopped however the test ends.
    struct Stopped(std::process::Child);
    impl Drop for Stopped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let server = Stopped(
        Command::new(env!("CARGO_BIN_EXE_quanze"))
            .env_remove("QUANZE_DATABASE_URL")
            .env_remove("QUANZE_DATA_DIR")
            .env("QUANZE_CONFIG", &file)
            .args(["serve", "--model", "none"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    loop {
        if let Ok(r) = agent.get(format!("http://127.0.0.1:{port}/readyz")).call()
            && r.status() == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "serve did not listen where the file says"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    assert!(dir.path().join("data").join("quanze.db").exists());
}
