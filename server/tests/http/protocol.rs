//! HTTP behaviour every route shares: conditional GETs and headers, rate limits, the body limit, metrics.

use quanze_testkit::TestDatabase;

use crate::{Server, quanze, repo_root};

#[test]
fn conditional_gets_and_headers() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(crate::bin(), &t, &data);
    let url = format!("{}/api/v1/categories", server.base);
    let first = server
        .agent
        .get(&url)
        .header("Origin", "https://example.org")
        .call()
        .unwrap();
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
    // A page on another site may read the public API: its preflight is answered (a
    // conditional GET sends If-None-Match, which is not a simple header) and the ETag exposed.
    let preflight = server
        .agent
        .options(&url)
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "if-none-match")
        .call()
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 200);
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(
        header(&preflight, "access-control-allow-methods")
            .is_some_and(|m| m.contains("GET") && !m.contains("POST"))
    );
    assert!(
        header(&first, "access-control-expose-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("etag"))
    );
    // Writes are not offered to other sites.
    let write_preflight = server
        .agent
        .options(format!("{}/api/v1/drafts", server.base))
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "POST")
        .call()
        .unwrap();
    assert_eq!(write_preflight.status().as_u16(), 400);
    assert!(header(&write_preflight, "access-control-allow-origin").is_none());
    // The refusal is actix-cors's own answer, still tagged with the request's id.
    assert!(header(&write_preflight, "x-request-id").is_some());

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
#[test]
fn rate_limits_body_limit_and_metrics_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let valid = format!("Bearer {}", crate::support::admin_token(&t, &data));
        // Six a minute: a burst of one, then one every ten seconds.
        let server = Server::start_with(
            crate::bin(),
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
                "--db-pool-size",
                "2",
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
        // A valid token from the same address (a colleague behind the same NAT) still works.
        let colleague = server
            .agent
            .get(url("/api/v1/me"))
            .header("Authorization", &valid)
            .call()
            .unwrap();
        assert_eq!(colleague.status().as_u16(), 200, "{name}");

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
        // A chunked body (no length announced) that outgrows the limit gets the same problem.
        let answer = post_chunked(&server.base, "/api/v1/import", &valid, &[b' '; 5_000]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{name}: {answer}");
        assert!(
            answer.contains("application/problem+json") && answer.contains("payload_too_large"),
            "{name}: {answer}"
        );
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
            "quanze_http_requests_total{route=\"/api/v1/import\",method=\"POST\",status=\"413\"} 1",
            "quanze_http_request_duration_seconds_count{route=\"/api/v1/categories\"} 1",
            "quanze_index_lag_rows 0",
            "quanze_db_pool_max_connections 2",
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
        // The demo's items, with its departments, 责任清单 and laws announced beside them.
        let (_, _, feed) = server.get(&format!("/api/v1/changes?since={}", outbox - 1));
        assert_eq!(feed["changes"][0]["seq"].as_i64(), Some(outbox), "{name}");
        assert!(feed["changes"][1].is_null());
        assert!(outbox > 1135 + 254, "{name}: {outbox}");
    }
}

/// Posts `body` with `Transfer-Encoding: chunked` (no length announced) over a raw
/// connection; returns what the server answered, head and body.
fn post_chunked(base: &str, path: &str, authorization: &str, body: &[u8]) -> String {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-ndjson\r\n\
         Authorization: {authorization}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(&request);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Every answer carries a request id — the caller's when it is sane, else a new one — and so
/// do problem bodies and the access log, so that a reported problem can be found in the log.
#[test]
fn request_ids_in_headers_problems_and_the_access_log() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let mut server = Server::spawn(
        crate::bin(),
        &t,
        &data,
        &[],
        &[
            ("QUANZE_LOG", "warn,quanze::access=info"),
            ("QUANZE_LOG_FORMAT", "json"),
        ],
    );
    server.wait_ready();
    let get = |path: &str, id: Option<&str>| {
        let mut req = server.agent.get(format!("{}{path}", server.base));
        if let Some(id) = id {
            req = req.header("X-Request-Id", id);
        }
        let mut r = req.call().unwrap();
        let id = r
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_string())
            .expect("an X-Request-Id on every answer");
        let body = r.body_mut().read_to_string().unwrap();
        (r.status().as_u16(), id, body)
    };
    let is_made_here = |id: &str| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());

    let (status, first, _) = get("/api/v1/categories", None);
    assert_eq!(status, 200);
    assert!(is_made_here(&first), "{first}");
    let (_, second, _) = get("/api/v1/categories", None);
    assert_ne!(first, second);
    // A proxy's id is kept; one that is not sane is replaced, never echoed.
    let (_, kept, _) = get("/healthz", Some("edge-7f3a.1:42"));
    assert_eq!(kept, "edge-7f3a.1:42");
    let (_, replaced, _) = get("/healthz", Some("<script>alert(1)</script>"));
    assert!(is_made_here(&replaced), "{replaced}");
    // Problems name the request they answer: a 404 from a handler, a 401 from the
    // authentication of a write.
    let (status, id, body) = get("/api/v1/items/NO-SUCH-CODE", Some("report-me-1"));
    assert_eq!(status, 404);
    assert_eq!(id, "report-me-1");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["request_id"], "report-me-1");
    let mut r = server
        .agent
        .post(format!("{}/api/v1/drafts", server.base))
        .header("Authorization", "Bearer qz_wrong")
        .header("Content-Type", "application/json")
        .send("{}")
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let problem: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(problem["request_id"], id.as_str());
    // The access log has one line per request, with its id, method, path and status; the
    // failed sign-in's warning carries the same id.
    server.kill();
    let log = std::fs::read_to_string(Server::log_path(&data)).unwrap();
    // Logged as JSON (--log-format json): every line from the logger is one object.
    let events: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let access = events
        .iter()
        .find(|e| e["request_id"] == "report-me-1")
        .unwrap_or_else(|| panic!("no access line for report-me-1 in:\n{log}"));
    assert_eq!(access["target"], "quanze::access", "{access}");
    assert_eq!(access["method"], "GET", "{access}");
    assert_eq!(access["path"], "/api/v1/items/NO-SUCH-CODE", "{access}");
    assert_eq!(access["status"], 404, "{access}");
    assert!(
        events.iter().any(|e| e["request_id"] == id.as_str()
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("authentication failed"))),
        "{log}"
    );
}
