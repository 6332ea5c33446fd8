//! The public reads: items, categories, departments, the change feed, versions, regions, laws, Atom, export.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::enc;

use crate::{Server, demo_record, quanze, repo_root};

#[test]
fn items_and_categories_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(crate::bin(), &t, &data);

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
        let server = Server::start(crate::bin(), &t, &data);

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

        // The feed: every published item once, in sequence order, page by page, beside the
        // departments, their 责任清单 and the laws.
        let mut since = 0;
        let mut seen = 0;
        let mut entities = std::collections::BTreeSet::new();
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
                entities.insert(c["entity"].as_str().unwrap().to_string());
                if c["entity"] == "item" {
                    assert_eq!(c["kind"], "published");
                    assert_eq!(c["item_code"], c["key"]);
                    seen += 1;
                }
            }
            since = page["next_since"].as_i64().unwrap();
        }
        let (_, _, all) = server.get("/api/v1/search?per_page=1");
        assert_eq!(seen as i64, all["total"].as_i64().unwrap());
        assert_eq!(
            entities.into_iter().collect::<Vec<_>>(),
            ["department", "item", "law", "responsibility_list"]
        );
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
        let server = Server::start(crate::bin(), &t, &data);

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
        // The sheet form: a BOM for Excel, the Chinese headers, one row per item.
        let csv = csv.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
        let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[0], "序号");
        let category = headers.iter().position(|h| h == "权力分类").unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let penalties = exported
            .iter()
            .filter(|r| r["category"] == "penalty" && r["department"]["name"] == "临江市交通运输局")
            .count();
        assert_eq!(rows.len(), penalties, "{name}");
        assert!(rows.iter().all(|r| &r[category] == "行政处罚"));
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

/// The data-quality report over HTTP and as a page: the demo's real 广安区 service items are
/// public services or carry no legal basis in the source (they are counted), the fictional
/// city's transport list is clean.
#[test]
fn the_quality_report_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let server = Server::start(crate::bin(), &t, &data);
        let (status, _, all) = server.get("/api/v1/quality?limit=5");
        assert_eq!(status, 200, "{name}");
        assert_eq!(all["items_checked"], 1135 + 254);
        assert_eq!(all["kinds"].as_array().unwrap().len(), 8);
        assert!(all["total_findings"].as_u64().unwrap() > 5);
        assert_eq!(all["truncated"], true);
        assert_eq!(all["findings"].as_array().unwrap().len(), 5);
        let transport = quanze_testkit::server::department_id_named(&server, "临江市交通运输局");
        let (_, _, one) = server.get(&format!("/api/v1/quality?department={transport}"));
        assert_eq!(one["total_findings"], 0, "{name}: {one}");
        // Reports are cached until something public changes: an item without a legal basis
        // published now shows at once.
        let file = t.dir.path().join("unfounded.ndjson");
        std::fs::write(
            &file,
            serde_json::json!({
                "code": "T-NO-BASIS",
                "name": "无依据的许可",
                "category": "licensing",
                "department": {"name": "临江市交通运输局", "uscc": "11519900MB0000001P", "region": "519900"},
            })
            .to_string(),
        )
        .unwrap();
        let imported = quanze(&t, &data, &["import", file.to_str().unwrap()]);
        assert!(imported.status.success(), "{imported:?}");
        let (_, _, after) = server.get(&format!(
            "/api/v1/quality?department={transport}&kind=no_legal_basis"
        ));
        assert_eq!(after["total_findings"], 1, "{name}: {after}");
        assert_eq!(after["findings"][0]["code"], "T-NO-BASIS");
        let (_, _, bad) = server.get("/api/v1/quality?kind=everything");
        assert_eq!(bad["parameter"], "kind");
        let (status, _, html) = quanze_testkit::server::page(&server, "/quality");
        assert_eq!(status, 200);
        assert!(html.contains("清单数据质量") && html.contains("没有法定依据的权力"));
    }
}
