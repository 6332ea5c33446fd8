//! The public pages, over HTTP: content, escaping, links.

use std::path::Path;

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, enc, page};

use crate::{Server, demo_record, quanze};

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
        let server = Server::start(crate::bin(), &t, &data);
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

/// The browse pages (issue 17): departments by region with their counts, the region
/// hierarchy, laws with how many items cite each — all linked from every page, with the same
/// numbers as the API.
#[test]
fn browse_pages_for_departments_regions_and_laws() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(crate::bin(), &t, &data);
    let transport = department_id_named(&server, "临江市交通运输局");
    let (_, _, powers) = server.get(&format!("/api/v1/departments/{transport}/powers"));
    let total = powers["total"].as_i64().unwrap();

    let (status, _, home) = page(&server, "/");
    assert_eq!(status, 200);
    for link in ["/departments", "/regions", "/laws", "/statistics"] {
        assert!(home.contains(&format!("<a href=\"{link}\">")), "{link}");
    }
    let (status, _, departments) = page(&server, "/departments");
    assert_eq!(status, 200);
    let row = format!(
        "<td><a href=\"/departments/{transport}\">临江市交通运输局</a></td><td class=\"n\">{total}</td>"
    );
    assert!(departments.contains(&row), "{departments}");
    assert!(departments.contains("暂无评价"));

    let (_, _, region) = server.get("/api/v1/regions/519900");
    let (status, _, region_page) = page(&server, "/regions/519900");
    assert_eq!(status, 200);
    assert!(region_page.contains(&format!(
        "共 {} 个部门、{} 项已公布事项",
        region["departments"], region["published_items"]
    )));
    assert!(region_page.contains(&row), "the region's own departments");
    assert_eq!(page(&server, "/regions/abc").0, 400);
    let (status, _, regions) = page(&server, "/regions");
    assert_eq!(status, 200);
    assert!(regions.contains("href=\"/regions/"));

    let (_, _, laws) = server.get(&format!("/api/v1/laws?q={}", enc("道路运输条例")));
    let law = &laws["laws"][0];
    let (_, _, citing) = server.get(&format!("/api/v1/laws/{}/items?per_page=500", law["id"]));
    assert!(citing["total"].as_u64().unwrap() <= 500);
    let mut items: Vec<i64> = citing["articles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["items"].as_array().unwrap().iter())
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    items.sort_unstable();
    items.dedup();
    assert!(!items.is_empty());
    let (status, _, laws_page) = page(&server, &format!("/laws?q={}", enc("道路运输条例")));
    assert_eq!(status, 200);
    let cell = format!(
        "<a href=\"/laws/{}\">{}</a>",
        law["id"],
        law["title"].as_str().unwrap()
    );
    assert!(laws_page.contains(&cell), "{laws_page}");
    assert!(
        laws_page.contains(&format!("<td class=\"n\">{}</td>", items.len())),
        "{} items cite it",
        items.len()
    );
}
