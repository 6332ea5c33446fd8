//! The index stays true to the registry: reindex under a running server (kills at the
//! moments that matter: `crash.rs`).

use std::path::Path;
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::enc;

use crate::{Server, quanze};

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
