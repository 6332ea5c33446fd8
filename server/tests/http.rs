//! The HTTP service end to end: the real `quanze serve` process over real HTTP, on SQLite and
//! PostgreSQL, following the real registry into a real index.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn quanze(t: &TestDatabase, data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quanze"))
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(&t.url)
        .args(args)
        .output()
        .unwrap()
}

struct Server {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    /// Starts `quanze serve` with rate limits out of the way of tests about other things.
    fn start(t: &TestDatabase, data: &Path) -> Server {
        Server::start_with(
            t,
            data,
            &[
                "--search-limit",
                "1000000",
                "--export-limit",
                "1000000",
                "--auth-failure-limit",
                "1000000",
            ],
        )
    }

    /// Starts `quanze serve` with extra serve options.
    fn start_with(t: &TestDatabase, data: &Path, options: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_quanze"))
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
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(mut r) = server.agent.get(format!("{}/readyz", server.base)).call()
                && r.status() == 200
            {
                let body: serde_json::Value =
                    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
                if body["index_lag"] == 0 {
                    return server;
                }
            }
            assert!(
                Instant::now() < deadline,
                "server did not become ready with an index in step"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// GET a path (already percent-encoded): status, content type, JSON body.
    fn get(&self, path_and_query: &str) -> (u16, String, serde_json::Value) {
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
        let text = r.body_mut().read_to_string().unwrap();
        (
            status,
            content_type,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    fn kill(&mut self) {
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
fn enc(s: &str) -> String {
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

#[test]
fn search_api_answers_every_input_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(&t, &data);

        let (status, _, body) = server.get(&format!("/api/v1/search?q={}", enc("網約車")));
        assert_eq!(status, 200, "{}", t.backend.name());
        assert!(body["total"].as_u64().unwrap() > 0);
        let hit = &body["hits"][0];
        assert!(hit["snippet"].as_str().unwrap().contains("<em>"), "{hit}");
        assert!(
            hit["category_label"].as_str().unwrap().contains("行政")
                || hit["category_label"] == "公共服务",
            "{hit}"
        );
        assert!(body["facets"]["category"].is_object());

        let (status, _, body) = server.get(&format!(
            "/api/v1/search?q={}&category=penalty&category=enforcement&region=510000",
            enc("出租汽车")
        ));
        assert_eq!(status, 200);
        assert!(
            body["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["category"] == "penalty" || h["category"] == "enforcement")
        );

        // Empty q with a filter lists items.
        let (status, _, body) = server.get("/api/v1/search?region=511602&per_page=5");
        assert_eq!(status, 200);
        assert_eq!(body["total"], 1135);
        assert_eq!(body["hits"].as_array().unwrap().len(), 5);

        // Bad parameters: 400 problem+json naming the parameter.
        for (query, parameter) in [
            ("category=bogus", "category"),
            ("page=abc", "page"),
            ("per_page=0", "per_page"),
            ("region=12", "region"),
            ("status=draft", "status"),
            ("level=moon", "level"),
        ] {
            let (status, content_type, body) = server.get(&format!("/api/v1/search?q=x&{query}"));
            assert_eq!(status, 400, "{query}");
            assert_eq!(content_type, "application/problem+json", "{query}");
            assert_eq!(body["parameter"], parameter, "{query}");
            assert_eq!(body["code"], "invalid_parameter");
        }
        // Anything in q: syntax characters, invalid percent-encoding, control characters,
        // emoji, 10 KB of text — 200, never a 500.
        let long = enc(&"出租车".repeat(1200));
        for q in [
            "%E4%B8",
            "%FF%FE",
            "%01%02%1F",
            "a%22b%3A(c)%5B%5D%7B%7D~*%3F%5C",
            "%F0%9F%9A%95",
            "title%3A%2A%20OR%201%3D1",
            long.as_str(),
            "%",
            "%%%",
        ] {
            let (status, _, body) = server.get(&format!("/api/v1/search?q={q}"));
            assert_eq!(status, 200, "q={}", &q[..q.len().min(40)]);
            assert!(body["hits"].is_array());
        }
        let (status, _, body) = server.get(&format!("/api/v1/suggest?q={}", enc("道路货物")));
        assert_eq!(status, 200);
        assert!(!body["suggestions"].as_array().unwrap().is_empty());
        let (status, content_type, body) = server.get("/api/v1/nothing-here");
        assert_eq!(
            (status, content_type.as_str()),
            (404, "application/problem+json")
        );
        assert_eq!(body["code"], "not_found");
        assert_eq!(server.get("/healthz").0, 200);

        // The served OpenAPI document is the committed one; Swagger UI is served offline.
        let (status, _, spec) = server.get("/openapi.json");
        assert_eq!(status, 200);
        let committed: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(repo_root().join("openapi/openapi.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(spec, committed);
        assert!(spec["paths"]["/api/v1/search"]["get"]["summary"].is_string());
        for path in ["/docs/", "/docs"] {
            let mut docs = server
                .agent
                .get(format!("{}{path}", server.base))
                .call()
                .unwrap();
            assert_eq!(docs.status().as_u16(), 200, "{path}");
            assert!(
                docs.body_mut()
                    .read_to_string()
                    .unwrap()
                    .to_lowercase()
                    .contains("swagger"),
                "{path}"
            );
        }
    }
}

#[test]
fn a_published_change_is_searchable_within_a_second() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        let services =
            std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
                .unwrap();
        let first = services.lines().next().unwrap();
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(t.dir.path().join("one.ndjson"), first).unwrap();
        assert!(
            quanze(
                &t,
                &data,
                &["import", t.dir.path().join("one.ndjson").to_str().unwrap()]
            )
            .status
            .success()
        );
        let server = Server::start(&t, &data);

        let changed = first.replace(
            "企业投资项目备案（技术改造）（市级/县级）",
            "企业投资项目备案（数字化改造）",
        );
        std::fs::write(t.dir.path().join("changed.ndjson"), &changed).unwrap();
        assert!(
            quanze(
                &t,
                &data,
                &[
                    "import",
                    t.dir.path().join("changed.ndjson").to_str().unwrap()
                ]
            )
            .status
            .success()
        );
        let written = Instant::now();
        let deadline = written + Duration::from_secs(10);
        loop {
            let (_, _, body) = server.get(&format!("/api/v1/search?q={}", enc("数字化改造")));
            if body["total"] == 1 {
                eprintln!(
                    "{}: change searchable after {} ms",
                    t.backend.name(),
                    written.elapsed().as_millis()
                );
                break;
            }
            assert!(Instant::now() < deadline, "change not searchable");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn kill_9_during_a_bulk_import_then_restart_leaves_exactly_the_published_items() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut server = Server::start(&t, &data);
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

        let server = Server::start(&t, &data);
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
    let server = Server::start(&t, &data);
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

#[test]
fn items_and_categories_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(&t, &data);

        let (status, _, categories) = server.get("/api/v1/categories");
        assert_eq!(status, 200, "{}", t.backend.name());
        let list = categories.as_array().unwrap();
        assert_eq!(list.len(), 11);
        assert_eq!(list[0]["key"], "licensing");
        assert_eq!(list[0]["label"], "行政许可");
        let total: i64 = list.iter().map(|c| c["count"].as_i64().unwrap()).sum();
        let (_, _, all) = server.get("/api/v1/search?per_page=1");
        assert_eq!(total, all["total"].as_i64().unwrap());
        assert!(
            list.iter().find(|c| c["key"] == "penalty").unwrap()["count"]
                .as_i64()
                .unwrap()
                >= 100
        );

        // A demo penalty item: its legal bases resolve to the stored article text.
        let transport =
            std::fs::read_to_string(repo_root().join("demo/items/transport.ndjson")).unwrap();
        let record: serde_json::Value = serde_json::from_str(
            transport
                .lines()
                .find(|l| l.contains("\"penalty\""))
                .unwrap(),
        )
        .unwrap();
        let code = record["code"].as_str().unwrap();
        let (status, _, item) = server.get(&format!("/api/v1/items/{}", enc(code)));
        assert_eq!(status, 200);
        assert_eq!(item["code"], code);
        assert_eq!(item["status"], "published");
        assert_eq!(item["category_label"], "行政处罚");
        assert_eq!(item["department"]["name"], "临江市交通运输局");
        assert_eq!(item["item"]["legal_bases"], record["legal_bases"]);
        let resolved = item["resolved_legal_bases"].as_array().unwrap();
        assert_eq!(
            resolved.len(),
            record["legal_bases"].as_array().unwrap().len()
        );
        let first = &resolved[0];
        assert_eq!(first["article_label"], record["legal_bases"][0]["article"]);
        assert!(
            record["legal_bases"][0]["text"].as_str().unwrap().contains(
                first["article_text"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
            )
        );
        assert_eq!(first["law_status"], "现行有效");

        // The same item by id; unknown ids and codes are a 404 problem.
        let id = item["id"].as_i64().unwrap();
        assert_eq!(server.get(&format!("/api/v1/items/{id}")).2["code"], code);
        for missing in ["999999999", "no-such-code", "%E4%B8%8D%E5%AD%98%E5%9C%A8"] {
            let (status, content_type, body) = server.get(&format!("/api/v1/items/{missing}"));
            assert_eq!(
                (status, content_type.as_str()),
                (404, "application/problem+json"),
                "{missing}"
            );
            assert_eq!(body["code"], "not_found");
        }
    }
}

#[test]
fn departments_and_the_change_feed_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(&t, &data);

        let (status, _, page) = server.get("/api/v1/departments?region=519900");
        assert_eq!(status, 200, "{}", t.backend.name());
        assert_eq!(page["total"], 3, "the three departments of 临江市");
        let (_, _, sichuan) = server.get("/api/v1/departments?region=510000&per_page=100");
        assert_eq!(
            sichuan["total"].as_i64().unwrap(),
            sichuan["departments"].as_array().unwrap().len() as i64
        );
        assert!(sichuan["total"].as_i64().unwrap() > 30);
        let (_, _, by_name) =
            server.get(&format!("/api/v1/departments?name={}", enc("交通运输局")));
        let names: Vec<&str> = by_name["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"临江市交通运输局") && names.contains(&"区交通运输局"),
            "{names:?}"
        );
        assert_eq!(
            server.get("/api/v1/departments?region=12").2["parameter"],
            "region"
        );
        let (_, _, cities) = server.get("/api/v1/departments?level=city&region=519900");
        assert_eq!(cities["total"], 3);
        assert_eq!(
            server
                .get("/api/v1/departments?level=county&region=519900")
                .2["total"],
            0
        );
        assert_eq!(
            server.get("/api/v1/departments?level=galaxy").2["parameter"],
            "level"
        );
        assert_eq!(
            server
                .get(&format!("/api/v1/departments?name={}", enc("100%_")))
                .0,
            200
        );

        let transport = by_name["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "临江市交通运输局")
            .unwrap();
        let id = transport["id"].as_i64().unwrap();
        let (status, _, one) = server.get(&format!("/api/v1/departments/{id}"));
        assert_eq!(status, 200);
        assert_eq!(one["region"], "519900");
        assert_eq!(one["level"], "city");
        assert_eq!(server.get("/api/v1/departments/abc").0, 400);
        assert_eq!(server.get("/api/v1/departments/999999").0, 404);

        let (status, _, powers) = server.get(&format!("/api/v1/departments/{id}/powers"));
        assert_eq!(status, 200);
        let lines = std::fs::read_to_string(repo_root().join("demo/items/transport.ndjson"))
            .unwrap()
            .lines()
            .count();
        assert_eq!(powers["total"].as_u64().unwrap() as usize, lines);
        let groups = powers["categories"].as_array().unwrap();
        assert_eq!(groups[0]["category"], "licensing");
        assert_eq!(
            groups
                .iter()
                .map(|g| g["count"].as_u64().unwrap())
                .sum::<u64>() as usize,
            lines
        );
        assert!(
            groups
                .iter()
                .any(|g| g["label"] == "行政处罚" && g["count"].as_u64().unwrap() >= 50)
        );

        let (status, _, duties) = server.get(&format!("/api/v1/departments/{id}/responsibilities"));
        assert_eq!(status, 200);
        assert_eq!(duties["department"]["name"], "临江市交通运输局");
        assert!(duties["main_duties"].as_array().unwrap().len() >= 8);
        assert!(!duties["duty_boundaries"].as_array().unwrap().is_empty());

        // The feed: every published item once, in sequence order, page by page.
        let mut since = 0;
        let mut seen = 0;
        loop {
            let (status, _, page) = server.get(&format!("/api/v1/changes?since={since}&limit=500"));
            assert_eq!(status, 200);
            let changes = page["changes"].as_array().unwrap();
            if changes.is_empty() {
                assert_eq!(page["next_since"], since);
                break;
            }
            let mut last = since;
            for c in changes {
                assert!(c["seq"].as_i64().unwrap() > last);
                last = c["seq"].as_i64().unwrap();
                assert_eq!(c["kind"], "published");
            }
            seen += changes.len();
            since = page["next_since"].as_i64().unwrap();
        }
        let (_, _, all) = server.get("/api/v1/search?per_page=1");
        assert_eq!(seen as i64, all["total"].as_i64().unwrap());
        assert_eq!(
            server.get("/api/v1/changes?since=-1").2["parameter"],
            "since"
        );
        assert_eq!(
            server.get("/api/v1/changes?limit=0").2["parameter"],
            "limit"
        );
    }
}

#[test]
fn conditional_gets_and_headers() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(&t, &data);
    let url = format!("{}/api/v1/categories", server.base);
    let first = server.agent.get(&url).call().unwrap();
    assert_eq!(first.status().as_u16(), 200);
    let header = |r: &ureq::http::Response<ureq::Body>, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let etag = header(&first, "etag").expect("an ETag on a GET");
    assert!(etag.starts_with("W/\""));
    assert_eq!(
        header(&first, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        header(&first, "x-content-type-options").as_deref(),
        Some("nosniff")
    );

    let again = server
        .agent
        .get(&url)
        .header("If-None-Match", &etag)
        .call()
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()));
    let stale = server
        .agent
        .get(&url)
        .header("If-None-Match", "W/\"0000000000000000\"")
        .call()
        .unwrap();
    assert_eq!(stale.status().as_u16(), 200);

    // A published change changes the tag.
    let one = t.dir.path().join("one.ndjson");
    let line =
        std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .replace("\"category\": \"other\"", "\"category\": \"reward\"");
    std::fs::write(&one, line).unwrap();
    assert!(
        quanze(&t, &data, &["import", one.to_str().unwrap()])
            .status
            .success()
    );
    let changed = server
        .agent
        .get(&url)
        .header("If-None-Match", &etag)
        .call()
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    assert_ne!(header(&changed, "etag"), Some(etag));
    // HEAD is answered like GET without the body; other methods on a route are a 405.
    let head = server.agent.head(&url).call().unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert!(header(&head, "etag").is_some());
    let delete = server.agent.delete(&url).call().unwrap();
    assert_eq!(delete.status().as_u16(), 405);
    assert_eq!(header(&delete, "allow").as_deref(), Some("GET, HEAD"));
    // Errors carry no ETag.
    let missing = server
        .agent
        .get(format!("{}/api/v1/items/no-such-code", server.base))
        .call()
        .unwrap();
    assert!(missing.headers().get("etag").is_none());
}

/// The first line of a demo file whose line contains `needle`, as JSON.
fn demo_record(file: &str, needle: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo_root().join("demo/items").join(file)).unwrap();
    serde_json::from_str(text.lines().find(|l| l.contains(needle)).unwrap()).unwrap()
}

#[test]
fn versions_regions_laws_atom_and_export_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());

        // A revision of one demo penalty: version 2 with a reason.
        let mut record = demo_record("transport.ndjson", "\"penalty\"");
        let code = record["code"].as_str().unwrap().to_string();
        let original = record.clone();
        record["remarks"] = serde_json::json!("2026年起由综合执法支队实施");
        record["time_limit"]["promised_days"] = serde_json::json!(5);
        let file = t.dir.path().join("revision.ndjson");
        std::fs::write(&file, record.to_string()).unwrap();
        let out = quanze(
            &t,
            &data,
            &["import", file.to_str().unwrap(), "--reason", "机构改革"],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let server = Server::start(&t, &data);

        // Versions and the diff.
        let (status, _, versions) = server.get(&format!("/api/v1/items/{}/versions", enc(&code)));
        assert_eq!(status, 200, "{name}");
        assert_eq!(versions["total"], 2);
        assert_eq!(versions["versions"][1]["reason"], "机构改革");
        assert!(
            versions["versions"][0].get("actor").is_none(),
            "users are not public"
        );
        let (_, _, v1) = server.get(&format!("/api/v1/items/{}/versions/1", enc(&code)));
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["item"]["name"], original["name"]);
        assert_eq!(v1["item"]["legal_bases"], original["legal_bases"]);
        let (_, _, diff) = server.get(&format!("/api/v1/items/{}/diff", enc(&code)));
        assert_eq!(
            (diff["from"].as_i64(), diff["to"].as_i64()),
            (Some(1), Some(2))
        );
        let fields: Vec<&str> = diff["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["remarks", "time_limit"], "{name}");
        assert_eq!(diff["changes"][0]["after"], "2026年起由综合执法支队实施");
        assert_eq!(diff["changes"][1]["after"]["promised_days"], 5);
        let (_, _, whole) = server.get(&format!("/api/v1/items/{}/diff?from=0&to=1", enc(&code)));
        assert!(whole["changes"].as_array().unwrap().len() >= 8);
        assert_eq!(
            server
                .get(&format!("/api/v1/items/{}/diff?from=2&to=2", enc(&code)))
                .2["changes"],
            serde_json::json!([])
        );
        for (path, expected, parameter) in [
            (
                format!("/api/v1/items/{}/versions/3", enc(&code)),
                404,
                None,
            ),
            (
                format!("/api/v1/items/{}/versions/x", enc(&code)),
                400,
                Some("n"),
            ),
            (
                format!("/api/v1/items/{}/versions/0", enc(&code)),
                400,
                Some("n"),
            ),
            (
                format!("/api/v1/items/{}/diff?from=-1", enc(&code)),
                400,
                Some("from"),
            ),
            (format!("/api/v1/items/{}/diff?to=9", enc(&code)), 404, None),
            ("/api/v1/items/no-such-code/versions".to_string(), 404, None),
            (
                format!("/api/v1/items/{}/versions?per_page=0", enc(&code)),
                400,
                Some("per_page"),
            ),
        ] {
            let (status, content_type, body) = server.get(&path);
            assert_eq!(
                (status, content_type.as_str()),
                (expected, "application/problem+json"),
                "{path}"
            );
            if let Some(p) = parameter {
                assert_eq!(body["parameter"], p, "{path}");
            }
        }

        // Regions: tallies include everything below.
        let (status, _, city) = server.get("/api/v1/regions/511600");
        assert_eq!(status, 200);
        assert_eq!(city["name"], "广安市");
        assert_eq!(city["published_items"], 1135);
        assert_eq!(city["children"][0]["code"], "511602");
        assert_eq!(city["children"][0]["name"], "广安区");
        assert_eq!(city["children"][0]["published_items"], 1135);
        let (_, _, linjiang) = server.get("/api/v1/regions/519900000000");
        assert_eq!(linjiang["code"], "519900");
        assert_eq!(linjiang["departments"], 3);
        assert_eq!(linjiang["published_items"], 254);
        let (_, _, provinces) = server.get("/api/v1/regions?level=province");
        assert_eq!(provinces["total"], 1);
        assert_eq!(provinces["regions"][0]["published_items"], 1135 + 254);
        let (_, _, below) = server.get("/api/v1/regions?parent=510000");
        let codes: Vec<&str> = below["regions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["511600", "519900"]);
        assert_eq!(server.get("/api/v1/regions/12").0, 400);
        assert_eq!(server.get("/api/v1/regions/650000").0, 404);
        assert_eq!(
            server.get("/api/v1/regions?level=galaxy").2["parameter"],
            "level"
        );

        // Laws: title search, one law with versions and articles, items citing it by article.
        let (status, _, laws) = server.get(&format!("/api/v1/laws?q={}", enc("《道路运输条例》")));
        assert_eq!(status, 200);
        assert_eq!(laws["total"], 3, "three stored versions");
        let current = &laws["laws"][0];
        assert_eq!(current["status"], "现行有效");
        assert_eq!(current["version_date"], "2023-07-20");
        let law_id = current["id"].as_i64().unwrap();
        let (_, _, law) = server.get(&format!("/api/v1/laws/{law_id}"));
        assert_eq!(law["versions"].as_array().unwrap().len(), 3);
        assert_eq!(
            law["articles"].as_array().unwrap().len() as i64,
            law["article_count"].as_i64().unwrap()
        );
        assert!(law["history"][0].as_str().unwrap().contains("公布"));
        let (_, _, in_force) = server.get(&format!(
            "/api/v1/laws?status={}&per_page=100",
            enc("现行有效")
        ));
        let in_force = in_force["laws"].as_array().unwrap();
        assert!(!in_force.is_empty());
        assert!(in_force.iter().all(|l| l["status"] == "现行有效"));
        assert_eq!(server.get("/api/v1/laws?status=x").2["parameter"], "status");
        assert_eq!(server.get("/api/v1/laws?q=100%25_").0, 200);
        assert_eq!(server.get("/api/v1/laws/abc").0, 400);
        assert_eq!(server.get("/api/v1/laws/99999999").0, 404);

        // Every citation of the law, page by page, agrees with the items' own resolved bases.
        let mut citations = vec![];
        let mut page = 1;
        loop {
            let (status, _, cited) = server.get(&format!(
                "/api/v1/laws/{law_id}/items?page={page}&per_page=7"
            ));
            assert_eq!(status, 200);
            let groups = cited["articles"].as_array().unwrap();
            if groups.is_empty() {
                assert_eq!(cited["total"].as_u64().unwrap() as usize, citations.len());
                break;
            }
            for g in groups {
                for item in g["items"].as_array().unwrap() {
                    citations.push((g["article_label"].clone(), item["code"].clone()));
                }
            }
            page += 1;
        }
        assert!(citations.len() > 20, "{name}: {}", citations.len());
        let (label, cited_code) = citations[citations.len() / 2].clone();
        let (_, _, item) = server.get(&format!(
            "/api/v1/items/{}",
            enc(cited_code.as_str().unwrap())
        ));
        assert!(
            item["resolved_legal_bases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["law_id"] == law_id && b["article_label"] == label),
            "{label} {cited_code}"
        );

        // Atom: the newest change first, names escaped, links to the item.
        let mut r = server
            .agent
            .get(format!("{}/api/v1/changes.atom?limit=3", server.base))
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let atom = r.body_mut().read_to_string().unwrap();
        assert_eq!(atom.matches("<entry>").count(), 3);
        let first_entry = &atom[atom.find("<entry>").unwrap()..];
        assert!(first_entry.contains("<title>修订："), "{first_entry}");
        assert!(first_entry.contains(&format!("/api/v1/items/{code}")));
        assert!(first_entry.contains("理由：机构改革"));
        assert_eq!(server.get("/api/v1/changes.atom?limit=0").0, 400);

        // Export: NDJSON equals the published items, CSV one row each, filters checked.
        let fetch = |path: &str| {
            let mut r = server
                .agent
                .get(format!("{}{path}", server.base))
                .call()
                .unwrap();
            let status = r.status().as_u16();
            let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
            (
                status,
                content_type,
                r.body_mut()
                    .with_config()
                    .limit(100 << 20)
                    .read_to_string()
                    .unwrap(),
            )
        };
        let (status, content_type, ndjson) = fetch("/api/v1/export");
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/x-ndjson; charset=utf-8")
        );
        let exported: Vec<serde_json::Value> = ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(exported.len(), 1135 + 254);
        let revised = exported
            .iter()
            .find(|r| r["code"] == code.as_str())
            .unwrap();
        assert_eq!(revised["remarks"], "2026年起由综合执法支队实施");
        let transport_id = item["department"]["id"].as_i64().unwrap();
        let (_, content_type, csv) = fetch(&format!(
            "/api/v1/export?format=csv&department={transport_id}&category={}",
            enc("行政处罚")
        ));
        assert!(content_type.starts_with("text/csv"));
        let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(rows[0].starts_with("code,name,category,category_label"));
        let penalties = exported
            .iter()
            .filter(|r| r["category"] == "penalty" && r["department"]["name"] == "临江市交通运输局")
            .count();
        assert_eq!(rows.len(), penalties + 1, "{name}");
        assert!(rows[1..].iter().all(|r| r.contains(",penalty,行政处罚,")));
        assert_eq!(
            server.get("/api/v1/export?format=xml").2["parameter"],
            "format"
        );
        assert_eq!(
            server.get("/api/v1/export?category=x").2["parameter"],
            "category"
        );
        assert_eq!(
            server.get("/api/v1/export?department=x").2["parameter"],
            "department"
        );
        assert_eq!(server.get("/api/v1/export?department=99999999").0, 404);
    }
}

#[test]
fn rate_limits_body_limit_and_metrics_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        // Six a minute: a burst of one, then one every ten seconds.
        let server = Server::start_with(
            &t,
            &data,
            &[
                "--search-limit",
                "6",
                "--export-limit",
                "6",
                "--auth-failure-limit",
                "6",
                "--max-body",
                "1000",
            ],
        );
        let url = |path: &str| format!("{}{path}", server.base);

        assert_eq!(
            server.get("/api/v1/search?q=%E9%A9%BE%E9%A9%B6").0,
            200,
            "{name}"
        );
        let limited = server.agent.get(url("/api/v1/suggest?q=a")).call().unwrap();
        assert_eq!(limited.status().as_u16(), 429);
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=10).contains(&retry_after), "{retry_after}");
        let (status, content_type, body) = server.get("/api/v1/search?q=x");
        assert_eq!(
            (status, content_type.as_str()),
            (429, "application/problem+json")
        );
        assert_eq!(body["code"], "rate_limited");
        // Other routes and the export's own budget are untouched.
        assert_eq!(server.get("/api/v1/categories").0, 200);
        let export = server
            .agent
            .get(url("/api/v1/export?format=csv"))
            .call()
            .unwrap();
        assert_eq!(export.status().as_u16(), 200);
        drop(export);
        assert_eq!(server.get("/api/v1/export").0, 429);

        // Failed authentications are limited too: after the first, the address must wait.
        let bad = format!("Bearer qz_{}", "f".repeat(64));
        let first = server
            .agent
            .get(url("/api/v1/me"))
            .header("Authorization", &bad)
            .call()
            .unwrap();
        assert_eq!(first.status().as_u16(), 401);
        let second = server
            .agent
            .get(url("/api/v1/me"))
            .header("Authorization", &bad)
            .call()
            .unwrap();
        assert_eq!(second.status().as_u16(), 429);
        assert!(second.headers().contains_key("retry-after"));

        // A body over the limit is refused before it is read.
        let (status, body) = {
            let mut r = server
                .agent
                .post(url("/api/v1/search"))
                .header("content-type", "application/json")
                .send(vec![b' '; 5_000])
                .unwrap();
            (
                r.status().as_u16(),
                r.body_mut().read_to_string().unwrap_or_default(),
            )
        };
        assert_eq!(status, 413);
        assert!(body.contains("payload_too_large"), "{body}");
        assert_eq!(server.get("/no/such/route").0, 404);

        let mut r = server.agent.get(url("/metrics")).call().unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let metrics = r.body_mut().read_to_string().unwrap();
        for line in [
            "quanze_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"200\"} 1",
            "quanze_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"429\"} 1",
            "quanze_http_requests_total{route=\"/api/v1/suggest\",method=\"GET\",status=\"429\"} 1",
            "quanze_http_requests_total{route=\"/api/v1/export\",method=\"GET\",status=\"200\"} 1",
            "quanze_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
            "quanze_http_requests_total{route=\"/api/v1/search\",method=\"POST\",status=\"413\"} 1",
            "quanze_http_request_duration_seconds_count{route=\"/api/v1/categories\"} 1",
            "quanze_index_lag_rows 0",
        ] {
            assert!(
                metrics.lines().any(|l| l == line),
                "{name}: no {line:?} in\n{metrics}"
            );
        }
        let outbox: i64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("quanze_outbox_seq "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(outbox, 1135 + 254);
    }
}

/// The schemathesis CLI, if installed (`pip install schemathesis`; `.ci/run` does).
fn schemathesis() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("QUANZE_SCHEMATHESIS") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("st"))
            .find(|candidate| {
                Command::new(candidate)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
    })
}

/// A property-based fuzzer generates requests from the committed OpenAPI document, valid and
/// invalid, and checks every answer: never a 5xx, every status, content type, header and body
/// as documented, 405 for undocumented methods. (Its checks that demand a 400 for every value
/// outside the schema, or a 2xx for every value inside it, are left out: blank parameters
/// count as absent, and a well-formed region code can still name no region.)
#[test]
fn schemathesis_finds_no_server_error_or_schema_violation_on_both_backends() {
    let Some(st) = schemathesis() else {
        assert!(
            std::env::var("QUANZE_REQUIRE_SCHEMATHESIS").as_deref() != Ok("1"),
            "QUANZE_REQUIRE_SCHEMATHESIS=1 but schemathesis (st) is not installed"
        );
        eprintln!("schemathesis (st) is not installed; skipping the API fuzz run");
        return;
    };
    let seed = std::env::var("QUANZE_FUZZ_SEED").unwrap_or_else(|_| "20261122".into());
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    let operations: usize = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        // The fuzzer acts as an admin, so the maintenance routes get past authentication.
        assert!(
            quanze(&t, &data, &["user", "add", "fuzz", "--role", "admin"])
                .status
                .success()
        );
        let out = quanze(&t, &data, &["token", "create", "--user", "fuzz"]);
        let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let server = Server::start(&t, &data);
        let out = Command::new(&st)
            .current_dir(t.dir.path())
            .args([
                "run",
                &format!("{}/openapi.json", server.base),
                "--checks",
                "all",
                "--exclude-checks",
                "negative_data_rejection,positive_data_acceptance",
                "--max-examples",
                "40",
                "--seed",
                &seed,
                // One worker: schemathesis's generator (hypothesis) is not thread-safe on
                // Python 3.11 ("AST constructor recursion depth mismatch").
                "--workers",
                "1",
                "--no-color",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--header",
                &format!("Authorization: Bearer {token}"),
            ])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: schemathesis found problems (seed {seed}):\n{report}\n{}",
            t.backend.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            report.contains(&format!("Tested: {operations}")),
            "every operation tested:\n{report}"
        );
    }
}

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

/// A response of the maintenance API: status, headers, JSON body.
struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: serde_json::Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

impl Server {
    /// Any request: method, path, bearer token, JSON body, extra headers.
    fn call(
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

    fn post_ndjson(&self, path: &str, token: &str, body: String) -> Answer {
        let mut r = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/x-ndjson")
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
    fn wait_for_index(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.get("/readyz").2["index_lag"] != 0 {
            assert!(Instant::now() < deadline, "the index did not catch up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Codes the public search finds for a query (status as given).
    fn search_codes(&self, query: &str, status: &str) -> Vec<String> {
        self.wait_for_index();
        let (_, _, body) = self.get(&format!(
            "/api/v1/search?q={}&status={status}&per_page=100",
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
    fn feed_for(&self, code: &str) -> Vec<(String, i64)> {
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

fn department_id_named(server: &Server, name: &str) -> i64 {
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

/// The whole life of an item through two departments and three users (plus the admin who
/// made them): every refusal (401, 403, 412, 428, four eyes), and after each step the public
/// item, search and change feed show exactly the published state.
#[test]
fn the_life_of_an_item_under_review_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        // The first admin comes from the command line.
        let out = quanze(&t, &data, &["user", "add", "root", "--role", "admin"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = quanze(
            &t,
            &data,
            &["token", "create", "--user", "root", "--expires", "30d"],
        );
        assert!(out.status.success());
        let admin = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(admin.starts_with("qz_") && admin.len() == 67, "{admin}");
        let server = Server::start(&t, &data);
        let transport = department_id_named(&server, "临江市交通运输局");
        let market = department_id_named(&server, "临江市市场监督管理局");

        // Admin makes three users over the API, one token each.
        let mut tokens = std::collections::HashMap::new();
        for (user, role, department) in [
            ("editor.t", "editor", transport),
            ("reviewer.t", "reviewer", transport),
            ("editor.m", "editor", market),
        ] {
            let created = server.call(
                "POST",
                "/api/v1/users",
                Some(&admin),
                Some(&serde_json::json!({"username": user, "role": role, "departments": [department]})),
                &[],
            );
            assert_eq!(created.status, 201, "{name}: {}", created.body);
            let id = created.body["id"].as_i64().unwrap();
            let token = server.call(
                "POST",
                &format!("/api/v1/users/{id}/tokens"),
                Some(&admin),
                Some(&serde_json::json!({"label": "test"})),
                &[],
            );
            assert_eq!(token.status, 201);
            tokens.insert(
                user,
                (
                    token.body["token"].as_str().unwrap().to_string(),
                    token.body["id"].as_i64().unwrap(),
                ),
            );
        }
        let tok = |u: &str| tokens[u].0.clone();
        let (editor_t, reviewer_t, editor_m) =
            (tok("editor.t"), tok("reviewer.t"), tok("editor.m"));
        assert_eq!(
            server
                .call(
                    "POST",
                    "/api/v1/users",
                    Some(&editor_t),
                    Some(&serde_json::json!({"username": "x", "role": "admin"})),
                    &[]
                )
                .status,
            403,
            "only admins manage accounts"
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&reviewer_t), None, &[])
                .body["role"],
            "reviewer"
        );

        // A new item of the transport department.
        let mut record = demo_record("transport.ndjson", "\"licensing\"");
        let code = "519A0999000-519900000000-000-11519900MB0000001P-1-00";
        record["code"] = serde_json::json!(code);
        record["name"] = serde_json::json!("低空飞行器试验场地备案");
        record["base_code"] = serde_json::json!("519A0999000");
        let body = serde_json::json!({"record": record, "reason": "新增事项"});

        // 401 without or with a bad token; 403 for another department's editor.
        let anonymous = server.call("POST", "/api/v1/drafts", None, Some(&body), &[]);
        assert_eq!(anonymous.status, 401);
        assert!(
            anonymous
                .header("www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(anonymous.body["code"], "unauthenticated");
        let forged = format!("qz_{}", "0".repeat(64));
        assert_eq!(
            server
                .call("POST", "/api/v1/drafts", Some(&forged), Some(&body), &[])
                .status,
            401
        );
        assert_eq!(
            server
                .call("POST", "/api/v1/drafts", Some(&editor_m), Some(&body), &[])
                .status,
            403
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    "/api/v1/drafts",
                    Some(&reviewer_t),
                    Some(&body),
                    &[]
                )
                .status,
            403,
            "reviewers do not write"
        );
        let mut invalid = body.clone();
        invalid["record"]["category"] = serde_json::json!("许可证");
        let rejected = server.call(
            "POST",
            "/api/v1/drafts",
            Some(&editor_t),
            Some(&invalid),
            &[],
        );
        assert_eq!(rejected.status, 422);
        assert_eq!(rejected.body["problems"][0]["field"], "category");

        let created = server.call("POST", "/api/v1/drafts", Some(&editor_t), Some(&body), &[]);
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
        let draft = created.body["id"].as_i64().unwrap();
        let draft_path = format!("/api/v1/drafts/{draft}");
        assert_eq!(
            server
                .call("POST", "/api/v1/drafts", Some(&editor_t), Some(&body), &[])
                .status,
            409,
            "one open draft per code"
        );
        // Drafts are private: not public, not searchable, not in the feed, not for others.
        assert_eq!(server.get(&format!("/api/v1/items/{code}")).0, 404);
        assert!(server.search_codes("低空飞行器", "all").is_empty());
        assert!(server.feed_for(code).is_empty());
        assert_eq!(
            server
                .call("GET", &draft_path, Some(&editor_m), None, &[])
                .status,
            403
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/drafts", Some(&editor_m), None, &[])
                .body["total"],
            0
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/drafts", Some(&reviewer_t), None, &[])
                .body["total"],
            1
        );

        // Edits need the current revision.
        let mut edited = body.clone();
        edited["record"]["remarks"] = serde_json::json!("试点期间实行告知承诺制");
        assert_eq!(
            server
                .call("PUT", &draft_path, Some(&editor_t), Some(&edited), &[])
                .status,
            428
        );
        let stale = server.call(
            "PUT",
            &draft_path,
            Some(&editor_t),
            Some(&edited),
            &[("If-Match", "\"0\"")],
        );
        assert_eq!(stale.status, 412);
        assert_eq!(stale.body["code"], "precondition_failed");
        let updated = server.call(
            "PUT",
            &draft_path,
            Some(&editor_t),
            Some(&edited),
            &[("If-Match", "\"1\"")],
        );
        assert_eq!(updated.status, 200, "{}", updated.body);
        assert_eq!(updated.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(
            server
                .call(
                    "PUT",
                    &draft_path,
                    Some(&editor_m),
                    Some(&edited),
                    &[("If-Match", "\"2\"")]
                )
                .status,
            403
        );

        // Submit; in review it cannot be edited; editors cannot approve.
        let submitted = server.call(
            "POST",
            &format!("{draft_path}/submit"),
            Some(&editor_t),
            None,
            &[],
        );
        assert_eq!(submitted.body["status"], "in_review");
        assert_eq!(
            server
                .call(
                    "PUT",
                    &draft_path,
                    Some(&editor_t),
                    Some(&edited),
                    &[("If-Match", "\"3\"")]
                )
                .status,
            409
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{draft_path}/approve"),
                    Some(&editor_t),
                    None,
                    &[("If-Match", "*")]
                )
                .status,
            403
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{draft_path}/approve"),
                    Some(&editor_m),
                    None,
                    &[("If-Match", "*")]
                )
                .status,
            403
        );

        // The reviewer sends it back with a comment (required), the editor fixes and resubmits.
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{draft_path}/reject"),
                    Some(&reviewer_t),
                    Some(&serde_json::json!({})),
                    &[("If-Match", "*")]
                )
                .status,
            422
        );
        let seen = submitted.header("etag").unwrap();
        let back = server.call(
            "POST",
            &format!("{draft_path}/reject"),
            Some(&reviewer_t),
            Some(&serde_json::json!({"comment": "请补充收费依据"})),
            &[("If-Match", seen.as_str())],
        );
        assert_eq!(back.status, 200);
        assert_eq!(back.body["status"], "draft");
        assert_eq!(back.body["review_comment"], "请补充收费依据");
        let revision = back.header("etag").unwrap();
        let fixed = server.call(
            "PUT",
            &draft_path,
            Some(&editor_t),
            Some(&edited),
            &[("If-Match", revision.as_str())],
        );
        assert_eq!(fixed.status, 200);
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{draft_path}/submit"),
                    Some(&editor_t),
                    None,
                    &[]
                )
                .status,
            200
        );
        assert!(
            server.feed_for(code).is_empty(),
            "nothing public before approval"
        );

        // The reviewer approves the revision they read (If-Match): the item is public,
        // searchable, in the feed and in its region's tally.
        let published_in_linjiang = || {
            server.get("/api/v1/regions/519900").2["published_items"]
                .as_i64()
                .unwrap()
        };
        let before_approval = published_in_linjiang();
        let approve = format!("{draft_path}/approve");
        assert_eq!(
            server
                .call("POST", &approve, Some(&reviewer_t), None, &[])
                .status,
            428
        );
        let reviewed = server
            .call("GET", &draft_path, Some(&reviewer_t), None, &[])
            .header("etag")
            .unwrap();
        assert_eq!(
            server
                .call(
                    "POST",
                    &approve,
                    Some(&reviewer_t),
                    None,
                    &[("If-Match", "\"1\"")]
                )
                .status,
            412,
            "approving a revision the reviewer did not read"
        );
        let approved = server.call(
            "POST",
            &approve,
            Some(&reviewer_t),
            None,
            &[("If-Match", reviewed.as_str())],
        );
        assert_eq!(approved.status, 200, "{}", approved.body);
        assert_eq!(approved.body["version"], 1);
        assert_eq!(
            server
                .call("GET", &draft_path, Some(&editor_t), None, &[])
                .status,
            404,
            "the draft is closed"
        );
        let (status, _, item) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(status, 200);
        assert_eq!(item["item"]["remarks"], "试点期间实行告知承诺制");
        assert_eq!(server.search_codes("低空飞行器", "published"), [code]);
        assert_eq!(server.feed_for(code), [("published".to_string(), 1)]);
        assert_eq!(published_in_linjiang(), before_approval + 1);

        // A revision lives beside the published version until approved.
        let mut revised = edited["record"].clone();
        revised["time_limit"]["promised_days"] = serde_json::json!(3);
        let revision = server.call(
            "POST",
            &format!("/api/v1/items/{code}/revise"),
            Some(&editor_t),
            Some(&serde_json::json!({"record": revised, "reason": "法规修改"})),
            &[],
        );
        assert_eq!(revision.status, 201, "{}", revision.body);
        assert_eq!(revision.body["item_id"], item["id"]);
        let revision_path = format!("/api/v1/drafts/{}", revision.body["id"]);
        assert_eq!(server.get(&format!("/api/v1/items/{code}")).2["version"], 1);
        // Four eyes: the admin submits, so the admin may not approve.
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{revision_path}/submit"),
                    Some(&admin),
                    None,
                    &[]
                )
                .status,
            200
        );
        let own = server.call(
            "POST",
            &format!("{revision_path}/approve"),
            Some(&admin),
            None,
            &[("If-Match", "*")],
        );
        assert_eq!(own.status, 403, "{}", own.body);
        assert_eq!(server.get(&format!("/api/v1/items/{code}")).2["version"], 1);
        assert_eq!(server.feed_for(code).len(), 1);
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{revision_path}/approve"),
                    Some(&reviewer_t),
                    None,
                    &[("If-Match", "*")]
                )
                .body["version"],
            2
        );
        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(item["version"], 2);
        assert_eq!(item["item"]["time_limit"]["promised_days"], 3);
        assert_eq!(
            server.feed_for(code),
            [("published".to_string(), 1), ("revised".to_string(), 2)]
        );
        let diff = server.get(&format!("/api/v1/items/{code}/diff")).2;
        assert_eq!(diff["changes"][0]["field"], "time_limit");
        let (_, _, item_page) = page(&server, &format!("/items/{code}"));
        assert!(
            item_page.contains("修改了：办理时限"),
            "{name}: the page's history shows the change"
        );

        // A revision in review when the item is revoked cannot undo the revocation.
        let stale = server.call(
            "POST",
            &format!("/api/v1/items/{code}/revise"),
            Some(&editor_t),
            Some(&serde_json::json!({"reason": "补充材料清单"})),
            &[],
        );
        assert_eq!(stale.status, 201);
        let stale_path = format!("/api/v1/drafts/{}", stale.body["id"]);
        let stale_submitted = server.call(
            "POST",
            &format!("{stale_path}/submit"),
            Some(&editor_t),
            None,
            &[],
        );

        // Revocation: reviewers only, with a reason; the item stays readable, marked revoked.
        let revoke = format!("/api/v1/items/{code}/revoke");
        assert_eq!(
            server
                .call(
                    "POST",
                    &revoke,
                    Some(&editor_t),
                    Some(&serde_json::json!({"reason": "x"})),
                    &[]
                )
                .status,
            403
        );
        assert_eq!(
            server
                .call("POST", &revoke, Some(&reviewer_t), None, &[])
                .status,
            422
        );
        let revoked = server.call(
            "POST",
            &revoke,
            Some(&reviewer_t),
            Some(&serde_json::json!({"reason": "上位法废止"})),
            &[],
        );
        assert_eq!(revoked.status, 200, "{}", revoked.body);
        assert_eq!(revoked.body["status"], "revoked");
        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(
            (item["status"].as_str(), item["revoke_reason"].as_str()),
            (Some("revoked"), Some("上位法废止"))
        );
        assert!(server.search_codes("低空飞行器", "published").is_empty());
        assert_eq!(server.search_codes("低空飞行器", "revoked"), [code]);
        assert_eq!(
            server.feed_for(code).last().unwrap(),
            &("revoked".to_string(), 3)
        );
        let (_, _, item_page) = page(&server, &format!("/items/{code}"));
        assert!(item_page.contains("本事项已撤销") && item_page.contains("上位法废止"));
        let etag = stale_submitted.header("etag").unwrap();
        let undo = server.call(
            "POST",
            &format!("{stale_path}/approve"),
            Some(&reviewer_t),
            None,
            &[("If-Match", etag.as_str())],
        );
        assert_eq!(undo.status, 409, "{}", undo.body);
        assert_eq!(
            server.get(&format!("/api/v1/items/{code}")).2["status"],
            "revoked"
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    &revoke,
                    Some(&reviewer_t),
                    Some(&serde_json::json!({"reason": "again"})),
                    &[]
                )
                .status,
            409
        );

        // A never-published draft can be deleted.
        let mut other = body.clone();
        other["record"]["code"] =
            serde_json::json!("519A0998000-519900000000-000-11519900MB0000001P-1-00");
        other["record"]["base_code"] = serde_json::json!("519A0998000");
        let scratch = server.call("POST", "/api/v1/drafts", Some(&editor_t), Some(&other), &[]);
        let scratch_path = format!("/api/v1/drafts/{}", scratch.body["id"]);
        assert_eq!(
            server
                .call("DELETE", &scratch_path, Some(&editor_m), None, &[])
                .status,
            403
        );
        assert_eq!(
            server
                .call("DELETE", &scratch_path, Some(&editor_t), None, &[])
                .status,
            204
        );
        assert_eq!(
            server
                .call("GET", &scratch_path, Some(&editor_t), None, &[])
                .status,
            404
        );

        // The responsibility list goes through the same path.
        let duties = server.call(
            "POST",
            &format!("/api/v1/departments/{transport}/responsibilities/draft"),
            Some(&editor_t),
            Some(&serde_json::json!({"reason": "职责调整"})),
            &[],
        );
        assert_eq!(duties.status, 201, "{}", duties.body);
        assert_eq!(duties.body["kind"], "responsibility_list");
        let mut list = duties.body["record"].clone();
        list["main_duties"][0]["duty"] =
            serde_json::json!("负责全市道路运输和城市客运的行业管理。");
        let duties_path = format!("/api/v1/drafts/{}", duties.body["id"]);
        let etag = duties.header("etag").unwrap();
        assert_eq!(
            server
                .call(
                    "PUT",
                    &duties_path,
                    Some(&editor_t),
                    Some(&serde_json::json!({"record": list})),
                    &[("If-Match", etag.as_str())]
                )
                .status,
            200
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{duties_path}/submit"),
                    Some(&editor_t),
                    None,
                    &[]
                )
                .status,
            200
        );
        assert_eq!(
            server
                .call(
                    "POST",
                    &format!("{duties_path}/approve"),
                    Some(&reviewer_t),
                    None,
                    &[("If-Match", "*")]
                )
                .body["kind"],
            "responsibility_list"
        );
        let (_, _, published) =
            server.get(&format!("/api/v1/departments/{transport}/responsibilities"));
        assert_eq!(
            published["main_duties"][0]["duty"],
            "负责全市道路运输和城市客运的行业管理。"
        );

        // Bulk import over HTTP: into review, within the caller's departments, all or nothing.
        let mut new_item = demo_record("market-regulation.ndjson", "\"licensing\"");
        let market_code = new_item["code"].as_str().unwrap().to_string();
        let mut changed = new_item.clone();
        changed["remarks"] = serde_json::json!("实行告知承诺");
        new_item["code"] =
            serde_json::json!("519A0399000-519900000000-000-11519900MB0000003X-1-00");
        new_item["name"] = serde_json::json!("小餐饮登记");
        let foreign = demo_record("transport.ndjson", "\"penalty\"");
        let bad = format!("{new_item}\n{changed}\n{foreign}\n");
        let report = server.post_ndjson("/api/v1/import", &editor_m, bad);
        assert_eq!(report.status, 422, "{}", report.body);
        assert_eq!(report.body["problems"][0]["row"], 3);
        assert_eq!(report.body["problems"][0]["field"], "department");
        assert_eq!(report.body["committed"], false);
        assert_eq!(
            server
                .call("GET", "/api/v1/drafts", Some(&editor_m), None, &[])
                .body["total"],
            0,
            "nothing written"
        );
        let good = format!("{new_item}\n{changed}\n");
        let dry = server.post_ndjson("/api/v1/import?dry_run=true", &editor_m, good.clone());
        assert_eq!(
            (
                dry.body["created"].as_i64(),
                dry.body["updated"].as_i64(),
                dry.body["committed"].as_bool()
            ),
            (Some(1), Some(1), Some(false))
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/drafts", Some(&editor_m), None, &[])
                .body["total"],
            0
        );
        assert_eq!(
            server
                .post_ndjson("/api/v1/import?publish=true", &editor_m, good.clone())
                .status,
            403
        );
        let imported =
            server.post_ndjson("/api/v1/import?reason=%E6%89%B9%E9%87%8F", &editor_m, good);
        assert_eq!(imported.status, 200, "{}", imported.body);
        assert_eq!(
            (
                imported.body["created"].as_i64(),
                imported.body["updated"].as_i64()
            ),
            (Some(1), Some(1))
        );
        let listed = server.call(
            "GET",
            "/api/v1/drafts?status=in_review",
            Some(&editor_m),
            None,
            &[],
        );
        assert_eq!(listed.body["total"], 2);
        let (_, _, live) = server.get(&format!("/api/v1/items/{market_code}"));
        assert_eq!(live["version"], 1);
        assert_ne!(live["item"]["remarks"], "实行告知承诺");
        assert!(
            server.feed_for(&market_code).len() == 1,
            "the import is not public before review"
        );

        // The audit trail: who, what, from where; reviewers see their department only.
        let mut entries = vec![];
        let mut after = 0;
        loop {
            let trail = server.call(
                "GET",
                &format!("/api/v1/audit?department={transport}&after={after}&limit=500"),
                Some(&reviewer_t),
                None,
                &[],
            );
            assert_eq!(trail.status, 200);
            let page = trail.body["entries"].as_array().unwrap().clone();
            if page.is_empty() {
                break;
            }
            after = trail.body["next_after"].as_i64().unwrap();
            entries.extend(page);
        }
        let done: Vec<(String, String)> = entries
            .iter()
            .filter(|e| e["entity_key"] == code)
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["actor"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for expected in [
            ("draft.create", "editor.t"),
            ("draft.update", "editor.t"),
            ("draft.submit", "editor.t"),
            ("draft.reject", "reviewer.t"),
            ("draft.approve", "reviewer.t"),
            ("item.create", "reviewer.t"),
            ("draft.revise", "editor.t"),
            ("item.update", "reviewer.t"),
            ("item.revoke", "reviewer.t"),
        ] {
            assert!(
                done.contains(&(expected.0.to_string(), expected.1.to_string())),
                "{name}: {expected:?} not in {done:?}"
            );
        }
        assert!(
            entries
                .iter()
                .filter(|e| e["entity_key"] == code)
                .all(|e| e["origin"] == "127.0.0.1")
        );
        let update = entries
            .iter()
            .find(|e| e["action"] == "draft.update" && e["entity_key"] == code)
            .unwrap();
        assert_eq!(
            update["details"]["changes"]["remarks"]["after"],
            "试点期间实行告知承诺制"
        );
        assert_eq!(
            server
                .call(
                    "GET",
                    &format!("/api/v1/audit?department={market}"),
                    Some(&reviewer_t),
                    None,
                    &[]
                )
                .status,
            403
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/audit", Some(&editor_t), None, &[])
                .status,
            403
        );
        let everything = server.call(
            "GET",
            "/api/v1/audit?actor=root&limit=500",
            Some(&admin),
            None,
            &[],
        );
        assert!(
            everything.body["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "token.create")
        );
        // Tokens never appear in the audit log or any answer but their creation.
        let whole = server.call("GET", "/api/v1/audit?limit=500", Some(&admin), None, &[]);
        assert!(!whole.body.to_string().contains(&editor_t[3..]));

        // A revoked token stops working at once.
        let (_, editor_m_token) = tokens["editor.m"].clone();
        assert_eq!(
            server
                .call(
                    "DELETE",
                    &format!("/api/v1/tokens/{editor_m_token}"),
                    Some(&editor_t),
                    None,
                    &[]
                )
                .status,
            403
        );
        assert_eq!(
            server
                .call(
                    "DELETE",
                    &format!("/api/v1/tokens/{editor_m_token}"),
                    Some(&admin),
                    None,
                    &[]
                )
                .status,
            200
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&editor_m), None, &[])
                .status,
            401
        );
        let listed = server.call("GET", "/api/v1/users", Some(&admin), None, &[]);
        assert_eq!(listed.body.as_array().unwrap().len(), 4);
        let editor_m_id = listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "editor.m")
            .unwrap()["id"]
            .clone();
        let their_tokens = server.call(
            "GET",
            &format!("/api/v1/users/{editor_m_id}/tokens"),
            Some(&admin),
            None,
            &[],
        );
        assert_eq!(their_tokens.status, 200);
        assert!(their_tokens.body[0]["revoked_at"].is_string());
        assert!(
            !their_tokens
                .body
                .to_string()
                .contains(&tokens["editor.m"].0[12..]),
            "no secrets in listings"
        );
        assert!(
            their_tokens.body[0].get("token").is_none(),
            "secrets are shown once only"
        );

        // The operator's commands: disabling a user and revoking a token take effect at once.
        assert!(
            quanze(&t, &data, &["user", "disable", "editor.t"])
                .status
                .success()
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&editor_t), None, &[])
                .status,
            401
        );
        let users = String::from_utf8(quanze(&t, &data, &["user", "list"]).stdout).unwrap();
        assert!(
            users
                .lines()
                .any(|l| l.contains("editor.t") && l.ends_with("disabled")),
            "{users}"
        );
        let tokens =
            String::from_utf8(quanze(&t, &data, &["token", "list", "--user", "root"]).stdout)
                .unwrap();
        let root_token = tokens
            .lines()
            .next()
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_string();
        assert!(
            !tokens.contains(&admin[3..]),
            "listings never show the secret"
        );
        assert!(
            quanze(&t, &data, &["token", "revoke", &root_token])
                .status
                .success()
        );
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&admin), None, &[])
                .status,
            401
        );
    }
}

/// Fetches a page: status, content type, body text.
fn page(server: &Server, path: &str) -> (u16, String, String) {
    let mut r = server
        .agent
        .get(format!("{}{path}", server.base))
        .call()
        .unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        r.body_mut()
            .with_config()
            .limit(50 << 20)
            .read_to_string()
            .unwrap(),
    )
}

/// A demo transport item renamed to carry markup, imported: no page may run it.
fn plant_markup_item(t: &TestDatabase, data: &Path) -> (String, usize) {
    let mut record = demo_record("transport.ndjson", "\"licensing\"");
    let code = "519A0997000-519900000000-000-11519900MB0000001P-1-00";
    record["code"] = serde_json::json!(code);
    record["base_code"] = serde_json::json!("519A0997000");
    record["name"] = serde_json::json!("测试<script>alert(\"x\")</script>许可");
    record["remarks"] = serde_json::json!("<img src=x onerror=alert(1)>");
    let steps = record["workflow"].as_array().unwrap().len();
    let file = t.dir.path().join("markup.ndjson");
    std::fs::write(&file, record.to_string()).unwrap();
    let out = quanze(t, data, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code.to_string(), steps)
}

#[test]
fn public_pages_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let (planted, steps) = plant_markup_item(&t, &data);
        assert!(steps >= 3);
        let server = Server::start(&t, &data);
        let no_markup = |html: &str| {
            assert!(
                !html.contains("<script>alert"),
                "{name}: raw script in page"
            );
            assert!(!html.contains("<img src=x"), "{name}: raw img in page");
        };

        // Search: home, Traditional query with highlighted hits, no results help, escaping.
        let (status, content_type, home) = page(&server, "/");
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/html; charset=utf-8"),
            "{name}"
        );
        assert!(home.contains("<html lang=\"zh-CN\">"));
        assert!(home.contains("查询部门的权力和责任") && home.contains("行政许可"));
        assert!(home.contains("<label for=\"q\">"));
        // Region filters show region names (one lookup for all the facet's codes).
        let (_, _, marriage) = page(&server, &format!("/?q={}", enc("婚姻登记")));
        assert!(
            marriage.contains("<option value=\"511602\">广安区（"),
            "{name}"
        );
        let (_, _, results) = page(&server, &format!("/?q={}", enc("網約車")));
        let codes = |html: &str| -> Vec<String> {
            html.split("class=\"name\" href=\"/items/")
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap().to_string())
                .collect()
        };
        let (_, _, simplified) = page(&server, &format!("/?q={}", enc("网约车")));
        assert!(!codes(&results).is_empty());
        assert_eq!(
            codes(&results),
            codes(&simplified),
            "Traditional works like Simplified"
        );
        assert!(results.contains("<em>网络预约出租汽车</em>"), "{name}");
        assert!(results.contains("共 <strong>"));
        assert!(
            results.contains(&format!("value=\"{}\"", "網約車")),
            "the query stays in the box"
        );
        let (_, _, filtered) = page(&server, &format!("/?q={}&category=penalty", enc("網約車")));
        assert!(filtered.contains("aria-current=\"true\">行政处罚"));
        assert!(
            !filtered.contains(">行政许可</span>"),
            "only penalties listed"
        );
        let (_, _, nothing) = page(&server, "/?q=zzqxjvwkp");
        assert!(nothing.contains("没有结果时可以这样试试"), "{name}");
        let (_, _, planted_hits) = page(&server, &format!("/?q={}", enc("测试 script 许可")));
        no_markup(&planted_hits);
        assert!(
            planted_hits.contains("alert(&quot;x&quot;)&lt;/"),
            "{name}: the planted name, escaped"
        );
        let (_, _, second) = page(&server, "/?category=licensing&page=2");
        assert!(second.contains("aria-current=\"page\">2<"));

        // The planted item: escaped everywhere, flowchart with one box per step.
        let (status, _, item) = page(&server, &format!("/items/{planted}"));
        assert_eq!(status, 200);
        no_markup(&item);
        assert!(item.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        assert!(item.contains("<svg class=\"flowchart\""));
        assert_eq!(item.matches("<rect class=\"step\"").count(), steps);
        assert!(item.contains("设定和实施依据") && item.contains("查看条文"));
        assert!(item.contains("责任事项") && item.contains("追责情形"));
        assert_eq!(page(&server, &format!("/items/{planted}/print")).0, 200);

        // A real penalty: discretion table and the cited article text.
        let penalty = demo_record("transport.ndjson", "\"penalty\"");
        let (_, _, penalty_page) = page(
            &server,
            &format!("/items/{}", penalty["code"].as_str().unwrap()),
        );
        assert!(penalty_page.contains("行政处罚裁量基准"), "{name}");
        assert!(penalty_page.contains("<blockquote>"));

        // Department, law, changes.
        let transport = department_id_named(&server, "临江市交通运输局");
        let (status, _, department) = page(&server, &format!("/departments/{transport}"));
        assert_eq!(status, 200);
        assert!(department.contains("<h1>临江市交通运输局</h1>"));
        assert!(department.contains("权力清单（共 124 项）"), "{name}");
        for part in [
            "一、主要职责",
            "二、与相关部门的职责边界",
            "三、事中事后监管制度",
            "四、公共服务事项",
        ] {
            assert!(department.contains(part), "{part}");
        }
        // The demo 责任清单's own content, not just the headings.
        for content in [
            "组织拟订全市综合交通运输发展规划",
            "组织编制全市综合交通运输体系规划和公路网规划",
            "道路运输证照信息查询",
        ] {
            assert!(department.contains(content), "{name}: {content}");
        }
        no_markup(&department);
        let law_id = server
            .get(&format!("/api/v1/laws?q={}", enc("道路运输条例")))
            .2["laws"][0]["id"]
            .as_i64()
            .unwrap();
        let (status, _, law) = page(&server, &format!("/laws/{law_id}"));
        assert_eq!(status, 200);
        assert!(law.contains("中华人民共和国道路运输条例") && law.contains("第六十三条"));
        assert!(law.contains("引用本条的事项"), "{name}");
        let (status, _, changes) = page(&server, "/changes");
        assert_eq!(status, 200);
        assert!(changes.contains("/api/v1/changes.atom"));
        assert!(
            changes.contains("<span class=\"badge\">新增</span>")
                && changes.contains("<td><a href=\"/items/"),
            "{name}: a change row with its item"
        );
        no_markup(&changes);

        // Not found and bad input are pages too; assets are served by quanze itself.
        let (status, content_type, missing) = page(&server, "/items/no-such-item");
        assert_eq!(
            (status, content_type.as_str()),
            (404, "text/html; charset=utf-8")
        );
        assert!(missing.contains("页面不存在"));
        assert_eq!(page(&server, "/no/such/page").0, 404);
        assert_eq!(page(&server, "/departments/abc").0, 400);
        let (status, content_type, _) = page(&server, "/static/style.css");
        assert_eq!(
            (status, content_type.as_str()),
            (200, "text/css; charset=utf-8")
        );
        let csp = server
            .agent
            .get(format!("{}/", server.base))
            .call()
            .unwrap()
            .headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'"), "{csp}");
    }
}

/// Where the browser tests keep their screenshots (a CI artifact).
fn screenshot_dir() -> PathBuf {
    repo_root().join("target/screenshots")
}

/// A real headless Chromium: type a query (Traditional) into the search box, submit, see
/// highlighted results, open an item, see its flowchart with a box per workflow step; and
/// screenshots of search and item pages at desktop and phone widths.
#[test]
fn browser_search_then_item_with_flowchart() {
    let Some(browser) = quanze_testkit::browser::Browser::start() else {
        return;
    };
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(&t, &data);
    let shots = screenshot_dir();

    browser.set_window(1280, 1000);
    browser.goto(&format!("{}/", server.base));
    // Suggestions arrive as the citizen types (progressive enhancement).
    let q = browser.find("#q");
    browser.type_into(&q, "道路货");
    browser.find("#suggestions option");
    assert!(browser.find_all("#suggestions option").iter().any(|o| {
        browser
            .attribute(o, "value")
            .unwrap_or_default()
            .starts_with("道路货")
    }));
    browser.goto(&format!("{}/", server.base));
    let q = browser.find("#q");
    browser.type_into(&q, "道路旅客運輸經營許可\u{E007}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser.current_url().contains("q=") {
        assert!(Instant::now() < deadline, "the search form did not submit");
        std::thread::sleep(Duration::from_millis(100));
    }
    browser.find("ol.hits");
    let highlighted: Vec<String> = browser
        .find_all("ol.hits em")
        .iter()
        .map(|e| browser.text(e))
        .collect();
    assert!(
        highlighted.iter().any(|h| h.contains("道路旅客运输")),
        "{highlighted:?}"
    );
    browser.screenshot(&shots.join("search-desktop.png"));

    // A result of 临江市交通运输局, whose items carry workflows.
    let first = browser.find("ol.hits a.name[href*='519A']");
    let href = browser.attribute(&first, "href").unwrap();
    browser.click(&first);
    browser.find("svg.flowchart");
    let code = href.rsplit('/').next().unwrap().to_string();
    let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
    let steps = item["item"]["workflow"].as_array().unwrap().len();
    assert!(steps >= 3, "{code}");
    assert_eq!(browser.find_all("svg.flowchart rect.step").len(), steps);
    assert!(
        browser
            .text(&browser.find("h1"))
            .contains("道路旅客运输经营许可")
    );
    browser.set_window(1280, 2400);
    let desktop = browser.screenshot(&shots.join("item-desktop.png"));

    // A phone: the same pages fit a narrow screen.
    browser.set_window(390, 1600);
    browser.screenshot(&shots.join("item-phone.png"));
    browser.goto(&format!("{}/?q={}", server.base, enc("網約車")));
    browser.find("ol.hits");
    browser.screenshot(&shots.join("search-phone.png"));

    // `QUANZE_UPDATE_SCREENSHOTS=1` refreshes the README's picture.
    if std::env::var("QUANZE_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let docs = repo_root().join("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&desktop, docs.join("item-page.png")).unwrap();
    }
}
