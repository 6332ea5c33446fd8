//! Search over HTTP: every input answered, and a published change searchable within a second.

use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::enc;

use crate::{Server, quanze, repo_root};

#[test]
fn search_api_answers_every_input_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(crate::bin(), &t, &data);

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
        let server = Server::start(crate::bin(), &t, &data);

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

/// Waits until the server's semantic channel has a vector for every item name.
fn wait_for_vectors(server: &Server) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, _, body) = server.get("/readyz");
        assert_eq!(status, 200);
        if body["semantic_pending"] == 0 || body["search"] == "lexical" {
            return body;
        }
        assert!(Instant::now() < deadline, "{body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_question_in_everyday_words_finds_related_items_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(crate::bin(), &t, &data);
        let ready = wait_for_vectors(&server);
        assert_eq!(ready["search"], "hybrid", "{ready}");
        let (_, _, metrics) = server.get_text("/metrics");
        assert!(metrics.contains("quanze_semantic_enabled 1\n"), "{metrics}");
        assert!(metrics.contains("quanze_semantic_pending_passages 0\n"));

        let question = enc("我想跟女朋友去领证成家");
        let (status, _, body) = server.get(&format!("/api/v1/search?q={question}"));
        assert_eq!(status, 200, "{}", t.backend.name());
        assert_eq!(body["semantic"], true);
        let hits = body["hits"].as_array().unwrap();
        // Marriage registration itself on the first page (follow-ups such as 补领结婚证 rank
        // after first procedures).
        let marriage = hits
            .iter()
            .take(10)
            .find(|h| h["name"].as_str().unwrap().contains("结婚登记"))
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(marriage["match"], "semantic", "{marriage}");
        assert!(marriage["similarity"].as_f64().unwrap() > 0.5);
        // Asked the first time, a permit comes before its 补办, 换证 and 变更 (the index's
        // follow-up field, read by the semantic channel).
        let (_, _, ride_hailing) =
            server.get(&format!("/api/v1/search?q={}", enc("我想跑网约车得办啥证")));
        let family: Vec<&str> = ride_hailing["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["name"].as_str())
            .filter(|n| n.starts_with("网络预约出租汽车"))
            .collect();
        assert!(
            family
                .first()
                .is_some_and(|n| !quanze_indexer::follow_up::is_follow_up(n)),
            "{}: {family:?}",
            t.backend.name()
        );
        assert_eq!(
            body["facets"]["category"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>(),
            body["total"].as_u64().unwrap()
        );
        // Words only, when asked: the question's words are in no item name.
        let (_, _, lexical) = server.get(&format!("/api/v1/search?q={question}&semantic=false"));
        assert_eq!(lexical["semantic"], false);
        assert!(
            lexical["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["match"] == "lexical")
        );
        let (status, _, bad) = server.get(&format!("/api/v1/search?q={question}&semantic=maybe"));
        assert_eq!(status, 400);
        assert_eq!(bad["parameter"], "semantic");
        // A code is the words' business alone.
        let (_, _, code) = server.get("/api/v1/search?q=511A0138000000");
        assert_eq!(code["semantic"], false);
        assert_eq!(code["no_good_match"], false);
        // The page marks related items as such.
        let (status, _, page) = server.get_text(&format!("/?q={question}"));
        assert_eq!(status, 200);
        assert!(page.contains("相关事项"), "{}", t.backend.name());
        assert!(page.contains("结婚"));
    }
}

#[test]
fn a_server_without_the_model_searches_by_words_and_says_so() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    for model in ["none", "/nonexistent/e5-small-q4.bin"] {
        let mut server = Server::start_with(crate::bin(), &t, &data, &["--model", model]);
        let (_, _, ready) = server.get("/readyz");
        assert_eq!(ready["search"], "lexical", "{model}: {ready}");
        assert!(ready.get("semantic_pending").is_none());
        let (_, _, metrics) = server.get_text("/metrics");
        assert!(metrics.contains("quanze_semantic_enabled 0\n"), "{metrics}");
        let (status, _, body) = server.get(&format!("/api/v1/search?q={}", enc("網約車")));
        assert_eq!(status, 200);
        assert_eq!(body["semantic"], false);
        assert!(body["total"].as_u64().unwrap() > 0);
        assert_eq!(body["hits"][0]["match"], "lexical");
        server.kill();
    }
}
