//! The real `quanze` binary for end-to-end tests: run a command, start `quanze serve` on a free
//! port and wait until its index is in step, and make requests (JSON, NDJSON, pages) with the
//! answers parsed. The binary's path comes from the test crate (`CARGO_BIN_EXE_quanze`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestDatabase;

/// Runs one `quanze` command against the test database and data dir.
pub fn run(bin: &Path, t: &TestDatabase, data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin)
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(&t.url)
        .args(args)
        .output()
        .unwrap()
}

pub struct Server {
    child: Child,
    pub base: String,
    pub agent: ureq::Agent,
}

impl Server {
    /// Starts `quanze serve` with rate limits out of the way of tests about other things.
    pub fn start(bin: &Path, t: &TestDatabase, data: &Path) -> Server {
        Server::start_with(bin, t, data, Server::NO_RATE_LIMITS)
    }

    /// Serve options that keep the per-client rate limits out of the way of tests about
    /// other things.
    pub const NO_RATE_LIMITS: &'static [&'static str] = &[
        "--search-limit",
        "1000000",
        "--export-limit",
        "1000000",
        "--auth-failure-limit",
        "1000000",
    ];

    /// Where a server started on `data` writes its log.
    pub fn log_path(data: &Path) -> std::path::PathBuf {
        data.join("serve.log")
    }

    /// Starts `quanze serve` with extra serve options.
    pub fn start_with(bin: &Path, t: &TestDatabase, data: &Path, options: &[&str]) -> Server {
        let server = Server::spawn(bin, t, data, options, &[]);
        server.wait_ready();
        server
    }

    /// Starts `quanze serve` with extra serve options and environment variables, without
    /// waiting for it to answer.
    pub fn spawn(
        bin: &Path,
        t: &TestDatabase,
        data: &Path,
        options: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // The server's log (warnings and errors) is kept beside its data, for tests that read
        // what it logged and for whoever looks into a failure.
        std::fs::create_dir_all(data).unwrap();
        let log = std::fs::File::create(Server::log_path(data)).unwrap();
        let child = Command::new(bin)
            .arg("--data-dir")
            .arg(data)
            .arg("--database-url")
            .arg(&t.url)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--workers",
                "2",
            ])
            .args(options)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    /// Waits until the server answers with its index in step with the registry.
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(mut r) = self.agent.get(format!("{}/readyz", self.base)).call()
                && r.status() == 200
            {
                let body: serde_json::Value =
                    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
                if body["index_lag"] == 0 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "server did not become ready with an index in step"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// GET a path (already percent-encoded): status, content type, body text (up to 50 MiB).
    pub fn get_text(&self, path_and_query: &str) -> (u16, String, String) {
        let (status, content_type, bytes) = self.get_bytes(path_and_query);
        (status, content_type, String::from_utf8(bytes).unwrap())
    }

    /// GET a path (already percent-encoded): status, content type, body bytes (up to 50 MiB).
    pub fn get_bytes(&self, path_and_query: &str) -> (u16, String, Vec<u8>) {
        let mut r = self
            .agent
            .get(format!("{}{path_and_query}", self.base))
            .call()
            .unwrap();
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_string())
            .unwrap_or_default();
        let bytes = r
            .body_mut()
            .with_config()
            .limit(50 << 20)
            .read_to_vec()
            .unwrap();
        (status, content_type, bytes)
    }

    /// GET a path (already percent-encoded): status, content type, JSON body (Null if none).
    pub fn get(&self, path_and_query: &str) -> (u16, String, serde_json::Value) {
        let (status, content_type, text) = self.get_text(path_and_query);
        (
            status,
            content_type,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// The server's process, for a test that watches whether it is still running.
    pub fn process(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Percent-encodes every byte but unreserved ASCII.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A response of the maintenance API: status, headers, JSON body.
pub struct Answer {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

impl Server {
    /// Any request: method, path, bearer token, JSON body, extra headers.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.header("Authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            request = request.header("Content-Type", "application/json");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let mut r = self.agent.run(request.body(bytes).unwrap()).unwrap();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn post_ndjson(&self, path: &str, token: &str, body: String) -> Answer {
        self.post_file(path, token, "application/x-ndjson", body.into_bytes())
    }

    /// POST a file's bytes with a bearer token and a content type.
    pub fn post_file(&self, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let mut r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", content_type)
            .send(body)
            .unwrap();
        let text = r.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        }
    }

    /// Waits until the index has applied every published change.
    pub fn wait_for_index(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.get("/readyz").2["index_lag"] != 0 {
            assert!(Instant::now() < deadline, "the index did not catch up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Codes the public search finds for a query by its words (status as given): what the
    /// index holds, without the semantic channel's related items.
    pub fn search_codes(&self, query: &str, status: &str) -> Vec<String> {
        self.wait_for_index();
        let (_, _, body) = self.get(&format!(
            "/api/v1/search?q={}&status={status}&per_page=100&semantic=false",
            enc(query)
        ));
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["code"].as_str().unwrap().to_string())
            .collect()
    }

    /// The change feed's entries for one item code: (kind, version).
    pub fn feed_for(&self, code: &str) -> Vec<(String, i64)> {
        let (_, _, page) = self.get("/api/v1/changes?since=0&limit=500");
        let mut since = 0;
        let mut out = vec![];
        let mut page = page;
        loop {
            let changes = page["changes"].as_array().unwrap().clone();
            if changes.is_empty() {
                return out;
            }
            for c in &changes {
                if c["item_code"] == code {
                    out.push((
                        c["kind"].as_str().unwrap().to_string(),
                        c["version"].as_i64().unwrap(),
                    ));
                }
            }
            since = page["next_since"].as_i64().unwrap().max(since);
            page = self
                .get(&format!("/api/v1/changes?since={since}&limit=500"))
                .2;
        }
    }
}

/// The id of the department with exactly this name.
pub fn department_id_named(server: &Server, name: &str) -> i64 {
    let (_, _, page) = server.get(&format!("/api/v1/departments?name={}", enc(name)));
    page["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Fetches a page: status, content type, body text.
pub fn page(server: &Server, path: &str) -> (u16, String, String) {
    server.get_text(path)
}

/// A LawRefBook tree in `dir` holding copies of these files of the repository's `demo/laws`
/// (`行政法规/道路运输条例(2022-03-29).md`), for tests that import laws step by step.
pub fn law_tree(dir: &Path, files: &[&str]) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/laws");
    for file in files {
        let target = dir.join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(demo.join(file), target).unwrap();
    }
}
