//! Hostile input over HTTP: markup planted in every text field of an item is shown back as
//! text on every page and in the Atom feed; deep JSON, invalid UTF-8 in bodies and paths, huge
//! numbers and very long queries get a clear 4xx (or an answer), never a 5xx. Both backends.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, enc, page};

use crate::{Server, quanze, repo_root};

/// Fields whose values are codes, dates or closed vocabularies: checked, so no markup there.
const NOT_FREE_TEXT: &[&str] = &[
    "code",
    "base_code",
    "parent_code",
    "category",
    "department",
    "effective_from",
    "exercise_levels",
    "power_source",
    "article",
    "version",
    "role",
    "kind",
    "tier",
    "unit",
];

/// Appends a numbered piece of markup to every free-text string under `value`; returns how
/// many were planted.
fn plant(value: &mut serde_json::Value, planted: &mut usize) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if !NOT_FREE_TEXT.contains(&k.as_str()) {
                    plant(v, planted);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                plant(v, planted);
            }
        }
        serde_json::Value::String(text) => {
            *planted += 1;
            text.push_str(&format!(
                "<script>planted{planted}()</script><img src=x onerror=planted{planted}()>"
            ));
        }
        _ => {}
    }
}

/// The demo item with the most kinds of text, recoded so it is a new item.
fn richest_record() -> serde_json::Value {
    let text = std::fs::read_to_string(repo_root().join("demo/items/transport.ndjson")).unwrap();
    let mut record: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .max_by_key(|r| r.to_string().matches("\":\"").count() + r.to_string().len() / 1000)
        .unwrap();
    record["code"] = serde_json::json!("519A0996000-519900000000-000-11519900MB0000001P-1-00");
    record["base_code"] = serde_json::json!("519A0996000");
    record.as_object_mut().unwrap().remove("parent_code");
    record
}

fn no_live_markup(what: &str, body: &str) {
    for live in ["<script>planted", "<img src=x"] {
        assert!(
            !body.contains(live),
            "{what}: {live:?} reached it unescaped"
        );
    }
}

#[test]
fn planted_markup_and_hostile_requests_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let mut record = richest_record();
        let code = record["code"].as_str().unwrap().to_string();
        let mut planted = 0;
        plant(&mut record, &mut planted);
        assert!(planted >= 20, "{name}: only {planted} text fields");
        let file = t.dir.path().join("planted.ndjson");
        std::fs::write(&file, record.to_string()).unwrap();
        let out = quanze(
            &t,
            &data,
            &[
                "import",
                file.to_str().unwrap(),
                "--reason",
                "<script>planted0()</script>",
            ],
        );
        assert!(
            out.status.success(),
            "{name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let server = Server::start(crate::bin(), &t, &data);
        let department = department_id_named(&server, "临江市交通运输局");
        let law = record["legal_bases"][0]["law"]
            .as_str()
            .unwrap()
            .to_string();

        // The item's own text is all there, escaped.
        let (status, _, item_page) = page(&server, &format!("/items/{code}"));
        assert_eq!(status, 200, "{name}");
        let shown = item_page.matches("&lt;script&gt;planted").count();
        assert!(
            shown >= planted * 3 / 4,
            "{name}: {shown} of {planted} planted texts shown"
        );
        no_live_markup("item page", &item_page);

        let mut pages = vec![
            format!("/items/{code}/print"),
            format!("/?q={}", enc("planted")),
            format!("/?q={}", enc(record["name"].as_str().unwrap())),
            format!("/departments/{department}"),
            "/changes".to_string(),
            format!("/quality?department={department}"),
            "/api/v1/changes.atom".to_string(),
        ];
        let (_, _, laws) = server.get(&format!("/api/v1/laws?q={}", enc(&law)));
        if let Some(id) = laws["laws"][0]["id"].as_i64() {
            pages.push(format!("/laws/{id}"));
        }
        for path in &pages {
            let (status, _, body) = page(&server, path);
            assert!(status == 200, "{name}: {path} {status}");
            no_live_markup(&format!("{name} {path}"), &body);
        }
        let (_, _, atom) = page(&server, "/api/v1/changes.atom");
        assert!(
            atom.contains("&lt;script&gt;planted"),
            "{name}: the feed names the item"
        );

        // Hostile requests: a clear 4xx, never a 5xx, and the server keeps answering.
        let token = crate::support::admin_token(&t, &data);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let raw_bodies: Vec<(&str, &str, Vec<u8>)> = vec![
            (
                "/api/v1/drafts",
                "application/json",
                deep.clone().into_bytes(),
            ),
            ("/api/v1/users", "application/json", deep.into_bytes()),
            (
                "/api/v1/drafts",
                "application/json",
                b"{\"record\": {\"name\": \"\xff\xfe\x80\"}}".to_vec(),
            ),
            (
                "/api/v1/import",
                "application/x-ndjson",
                b"\xff\xfe\x00\x80\n\xc3".to_vec(),
            ),
            (
                "/api/v1/users",
                "application/json",
                br#"{"username": "x", "role": "editor", "departments": [1e400, 99999999999999999999999]}"#
                    .to_vec(),
            ),
            (
                "/api/v1/import",
                "text/csv",
                b"\xef\xbb\xbf\xff\xff,\"unclosed\n".to_vec(),
            ),
        ];
        for (path, content_type, body) in raw_bodies {
            let mut r = server
                .agent
                .post(format!("{}{path}", server.base))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", content_type)
                .send(body)
                .unwrap();
            let status = r.status().as_u16();
            let text = r.body_mut().read_to_string().unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{name}: POST {path} ({content_type}) got {status}: {text}"
            );
            // A problem, or an import's report with the problem of each row.
            assert!(
                text.contains("\"code\"") || text.contains("\"problems\""),
                "{name}: {path}: {text}"
            );
        }
        // A query of 10,000 characters (letters, digits and 汉字 mixed), and one of 2,000 汉字.
        let query = "营业执照 license 2024 ".repeat(556);
        assert!(query.chars().count() >= 10_000);
        let ten_thousand = enc(&query);
        let (status, _, body) = server.get(&format!("/api/v1/search?q={ten_thousand}"));
        assert_eq!(status, 200, "{name}: {body}");
        let long_query = enc(&"办理营业执照需要什么材料".repeat(167));
        for path in [
            "/api/v1/items/%FF%FE%80".to_string(),
            "/items/%FF%FE%80".to_string(),
            "/api/v1/departments/99999999999999999999999999".to_string(),
            "/api/v1/search?q=x&page=99999999999999999999".to_string(),
            "/api/v1/search?q=x&per_page=-1".to_string(),
            "/api/v1/changes?since=-99999999999999999999".to_string(),
            "/api/v1/search?q=%FF%FE".to_string(),
            format!("/api/v1/search?q={long_query}"),
            format!("/?q={long_query}"),
            format!("/api/v1/suggest?q={long_query}"),
        ] {
            let (status, _, _) = server.get_text(&path);
            assert!(
                status < 500 && status != 0,
                "{name}: GET {} got {status}",
                &path[..path.len().min(80)]
            );
        }
        assert_eq!(server.get("/readyz").0, 200, "{name}: still answering");
    }
}
