//! A law amended under a running server (the real 道路运输条例 2022 → 2023): the item citing the
//! old version says so in the API, on its page, on its department's page and in the change
//! feed; the operator's revised version clears it; an item whose law arrives only now is
//! relinked and found by the law filter without a reindex — on SQLite and PostgreSQL.

use std::path::Path;

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{enc, page};

use crate::{Server, quanze};

/// The 道路运输条例 versions named, in a LawRefBook tree in `dir`.
fn law_tree(dir: &Path, versions: &[&str]) {
    let files: Vec<String> = versions
        .iter()
        .map(|v| format!("行政法规/道路运输条例({v}).md"))
        .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    quanze_testkit::server::law_tree(dir, &files);
}

#[test]
fn an_amended_law_shows_on_the_items_citing_it_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let before = t.dir.path().join("laws-2022");
        law_tree(&before, &["2022-03-29"]);
        assert!(
            quanze(&t, &data, &["laws", "import", before.to_str().unwrap()])
                .status
                .success()
        );
        let code = "T-LAW-CHANGE";
        let record = |remarks: &str| {
            serde_json::json!({
                "code": code,
                "name": "道路客运班线经营许可（测试）",
                "category": "licensing",
                "department": {"name": "临江市交通运输局", "region": "519900"},
                "legal_bases": [{"role": "处罚依据", "law": "中华人民共和国道路运输条例",
                                 "version": "2022-03-29", "article": "第六十三条"}],
                "remarks": remarks,
            })
            .to_string()
        };
        let file = t.dir.path().join("item.ndjson");
        // A second item cites a law the registry does not hold yet.
        let waiting = serde_json::json!({
            "code": "T-LAW-LATER",
            "name": "公路用地占用许可（测试）",
            "category": "licensing",
            "department": {"name": "临江市交通运输局", "region": "519900"},
            "legal_bases": [{"role": "设定依据", "law": "中华人民共和国公路法", "article": "第四十四条"}],
        });
        std::fs::write(&file, format!("{}\n{waiting}\n", record("初版"))).unwrap();
        assert!(
            quanze(&t, &data, &["import", file.to_str().unwrap()])
                .status
                .success()
        );
        let server = Server::start_with(crate::bin(), &t, &data, &[]);
        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(item["needs_review"], serde_json::json!([]), "{name}");

        let after = t.dir.path().join("laws-2023");
        law_tree(&after, &["2022-03-29", "2023-07-20"]);
        quanze_testkit::server::law_tree(&after, &["经济法/公路法(2017-11-04).md"]);
        let out = quanze(&t, &data, &["laws", "import", after.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        let flag = &item["needs_review"][0];
        assert_eq!(
            flag["reason"], "《中华人民共和国道路运输条例》2022-03-29版已被2023-07-20版修改",
            "{name}: {item}"
        );
        assert_eq!(flag["articles"][0]["article"], "第六十三条");
        assert_eq!(flag["articles"][0]["change"], "changed");
        assert_eq!(server.feed_for(code).last().unwrap().0, "needs_review");
        let (_, _, html) = page(&server, &format!("/items/{}", enc(code)));
        assert!(
            html.contains("法规修改，待复核") && html.contains("第六十三条（条文已修改）"),
            "{name}"
        );
        let department = item["department"]["id"].as_i64().unwrap();
        let (_, _, html) = page(&server, &format!("/departments/{department}"));
        assert!(html.contains("法规修改，待复核"));
        // The index followed the feed row: the item is still found.
        assert!(
            server
                .search_codes("道路客运班线经营许可", "published")
                .contains(&code.to_string())
        );

        // The law the second item cites arrived: its link reached the index through the feed.
        let (_, _, laws) = server.get(&format!("/api/v1/laws?q={}", enc("公路法")));
        let highway = laws["laws"][0]["id"].as_i64().unwrap();
        server.wait_for_index();
        let (_, _, found) = server.get(&format!("/api/v1/search?law={highway}"));
        assert_eq!(found["hits"][0]["code"], "T-LAW-LATER", "{name}: {found}");
        assert_eq!(server.feed_for("T-LAW-LATER").last().unwrap().0, "relinked");

        // The operator publishes a revised version: the flag clears.
        std::fs::write(&file, record("依据已按2023年修订复核")).unwrap();
        assert!(
            quanze(&t, &data, &["import", file.to_str().unwrap()])
                .status
                .success()
        );
        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(item["needs_review"], serde_json::json!([]), "{name}");
        assert_eq!(item["resolved_legal_bases"][0]["law_version"], "2022-03-29");
    }
}
