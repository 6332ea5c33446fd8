//! `quanze serve` on the embedded default loads and serves the demo.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
