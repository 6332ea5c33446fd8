//! The index stays true to the registry: kill -9 during an import, reindex under a running server.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::enc;

use crate::{Server, quanze, repo_root};

#[test]
fn kill_9_during_a_bulk_import_then_restart_leaves_exactly_the_published_items() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut server = Server::start(crate::bin(), &t, &data);
        let file = repo_root().join("demo/items/guangan-511602-services.ndjson");
        let mut import = Command::new(env!("CARGO_BIN_EXE_quanze"))
            .arg("--data-dir")
            .arg(&data)
            .arg("--database-url")
            .arg(&t.url)
            .args(["import", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        // Kill the server (SIGKILL) while the import is running or its rows are being indexed.
        std::thread::sleep(Duration::from_millis(300));
        server.kill();
        assert!(import.wait().unwrap().success());
        // More published changes while the server is down.
        let more = repo_root().join("demo/items/transport.ndjson");
        assert!(
            quanze(&t, &data, &["import", more.to_str().unwrap()])
                .status
                .success()
        );

        let server = Server::start(crate::bin(), &t, &data);
        let (_, _, body) = server.get("/api/v1/search?status=all&per_page=1");
        let expected = 1135 + std::fs::read_to_string(&more).unwrap().lines().count();
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            expected,
            "{}",
            t.backend.name()
        );
        // Every exported (published) code is in the index exactly once.
        let export = quanze(&t, &data, &["export"]);
        let codes: Vec<String> = String::from_utf8(export.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(codes.len(), expected);
        for code in codes.iter().step_by(97) {
            let (_, _, body) = server.get(&format!("/api/v1/search?q={}", enc(code)));
            let hits = body["hits"].as_array().unwrap();
            assert_eq!(
                hits.iter().filter(|h| h["code"] == code.as_str()).count(),
                1,
                "{code}"
            );
        }
    }
}

#[test]
fn reindex_swaps_the_index_under_a_running_server() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(crate::bin(), &t, &data);
    let before = server
        .get(&format!("/api/v1/search?q={}", enc("出租汽车")))
        .2["total"]
        .clone();
    let generation = |data: &Path| std::fs::read_to_string(data.join("index/CURRENT")).unwrap();
    let old = generation(&data);
    let out = quanze(&t, &data, &["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(generation(&data), old);
    // The server switches on its next tick; searches answer the same throughout.
    let deadline = Instant::now() + Duration::from_secs(10);
    while data.join("index").join(old.trim()).exists() {
        assert_eq!(
            server
                .get(&format!("/api/v1/search?q={}", enc("出租汽车")))
                .2["total"],
            before
        );
        assert!(
            Instant::now() < deadline,
            "the server did not switch to the rebuilt index"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        server
            .get(&format!("/api/v1/search?q={}", enc("出租汽车")))
            .2["total"],
        before
    );
    assert_eq!(server.get("/readyz").2["index_lag"], 0);
}
