//! A department's sheet over HTTP: the template, export as XLSX, an editor's upload (a broken
//! one refused cell by cell, a good one into review), the reviewer's approval, and the new item
//! public and searchable — on SQLite and PostgreSQL.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, enc};

use crate::support::user_token;
use crate::{Server, quanze};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A sheet as a clerk fills the template: no code, no department (the upload names it).
fn new_item_sheet(category: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["序号", "事项名称", "权力分类", "设定依据", "法定期限"],
        [
            "1",
            "道路运输从业人员从业资格证件补发",
            category,
            "【行政法规】《中华人民共和国道路运输条例》（2023年7月20日修订）第九条",
            "20个工作日",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_department_uploads_its_sheet_for_review_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let editor = user_token(&t, &data, "clerk", "editor");
        let reviewer = user_token(&t, &data, "chief", "reviewer");
        let server = Server::start(crate::bin(), &t, &data);
        let transport = department_id_named(&server, "临江市交通运输局");

        let (status, content_type, template) = server.get_bytes("/api/v1/import/template.xlsx");
        assert_eq!((status, content_type.as_str()), (200, XLSX), "{name}");
        assert!(template.starts_with(b"PK"));

        // The department's list as XLSX imports back as it is: nothing to review.
        let (status, _, exported) = server.get_bytes(&format!(
            "/api/v1/export?format=xlsx&department={transport}"
        ));
        assert_eq!(status, 200);
        let again = server.post_file("/api/v1/import", &editor, XLSX, exported);
        assert_eq!(again.status, 200, "{name}: {}", again.body);
        assert_eq!(again.body["created"], 0);
        assert_eq!(again.body["updated"], 0);
        assert!(again.body["unchanged"].as_i64().unwrap() > 100);

        // A broken sheet: refused, the cell named, nothing in review.
        let broken = server.post_file(
            &format!("/api/v1/import?department={transport}"),
            &editor,
            XLSX,
            new_item_sheet("行政监管"),
        );
        assert_eq!(broken.status, 422, "{name}: {}", broken.body);
        assert_eq!(broken.body["problems"][0]["cell"], "Sheet1!C2");
        assert!(
            broken.body["problems"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("未知的权力分类“行政监管”")
        );
        let drafts = server.call("GET", "/api/v1/drafts", Some(&editor), None, &[]);
        assert_eq!(drafts.body["total"], 0);

        // Another department's id is refused before anything is read.
        let market = department_id_named(&server, "临江市市场监督管理局");
        let foreign = server.post_file(
            &format!("/api/v1/import?department={market}"),
            &editor,
            XLSX,
            new_item_sheet("行政许可"),
        );
        assert_eq!(foreign.status, 403);

        // The good sheet goes into review; the reviewer approves; the public sees it.
        let good = server.post_file(
            &format!(
                "/api/v1/import?department={transport}&reason={}",
                enc("清单调整")
            ),
            &editor,
            XLSX,
            new_item_sheet("行政许可"),
        );
        assert_eq!(good.status, 200, "{name}: {}", good.body);
        assert_eq!(good.body["created"], 1);
        let drafts = server.call(
            "GET",
            "/api/v1/drafts?status=in_review",
            Some(&reviewer),
            None,
            &[],
        );
        assert_eq!(drafts.body["total"], 1, "{name}");
        let draft = &drafts.body["drafts"][0];
        let code = draft["code"].as_str().unwrap().to_string();
        assert!(
            code.starts_with("QZ-519900-"),
            "a stable code for a list without codes"
        );
        assert!(
            !server
                .search_codes("从业资格证件补发", "published")
                .contains(&code)
        );
        let approved = server.call(
            "POST",
            &format!("/api/v1/drafts/{}/approve", draft["id"]),
            Some(&reviewer),
            None,
            &[("If-Match", "*")],
        );
        assert_eq!(approved.status, 200, "{name}: {}", approved.body);
        assert!(
            server
                .search_codes("从业资格证件补发", "published")
                .contains(&code)
        );
        let (_, _, item) = server.get(&format!("/api/v1/items/{}", enc(&code)));
        assert_eq!(item["item"]["department"]["name"], "临江市交通运输局");
        assert_eq!(item["item"]["legal_bases"][0]["article"], "第九条");
        assert_eq!(item["item"]["time_limit"]["statutory_days"], 20);
    }
}

/// Two new items in one sheet: one change set, sent back as one, then approved as one — all
/// or none — and only by a reviewer who wrote none of it.
#[test]
fn an_uploads_drafts_are_one_change_set_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let editor = user_token(&t, &data, "clerk", "editor");
        let reviewer = user_token(&t, &data, "chief", "reviewer");
        let server = Server::start(crate::bin(), &t, &data);
        let transport = department_id_named(&server, "临江市交通运输局");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows = [
            ["序号", "事项名称", "权力分类", "法定期限"],
            [
                "1",
                "道路运输从业人员从业资格证件补发",
                "行政许可",
                "20个工作日",
            ],
            [
                "2",
                "道路运输从业人员从业资格证件换发",
                "行政许可",
                "20个工作日",
            ],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let uploaded = server.post_file(
            &format!("/api/v1/import?department={transport}"),
            &editor,
            XLSX,
            book.save_to_buffer().unwrap(),
        );
        assert_eq!(uploaded.status, 200, "{name}: {}", uploaded.body);
        let drafts = server.call(
            "GET",
            "/api/v1/drafts?status=in_review",
            Some(&reviewer),
            None,
            &[],
        );
        let sets: Vec<&str> = drafts.body["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["change_set"].as_str().unwrap())
            .collect();
        assert_eq!(sets.len(), 2, "{name}");
        assert_eq!(sets[0], sets[1], "{name}: one upload, one change set");
        let set = sets[0].to_string();

        // The author may not decide on it; a missing comment is refused; unknown sets are 404.
        let own = server.call(
            "POST",
            &format!("/api/v1/change-sets/{set}/approve"),
            Some(&editor),
            None,
            &[],
        );
        assert_eq!(own.status, 403, "{name}");
        let bare = server.call(
            "POST",
            &format!("/api/v1/change-sets/{set}/reject"),
            Some(&reviewer),
            Some(&serde_json::json!({})),
            &[],
        );
        assert_eq!(bare.status, 422, "{name}");
        let unknown = server.call(
            "POST",
            "/api/v1/change-sets/u1-999999/approve",
            Some(&reviewer),
            None,
            &[],
        );
        assert_eq!(unknown.status, 404, "{name}");

        // Sent back as one, submitted again (an upload of the same sheet carries both forward),
        // approved as one.
        let rejected = server.call(
            "POST",
            &format!("/api/v1/change-sets/{set}/reject"),
            Some(&reviewer),
            Some(&serde_json::json!({"comment": "请补充实施依据"})),
            &[],
        );
        assert_eq!(
            (rejected.status, rejected.body["drafts"].as_i64()),
            (200, Some(2)),
            "{name}: {}",
            rejected.body
        );
        let back = server.call(
            "GET",
            "/api/v1/drafts?status=draft",
            Some(&editor),
            None,
            &[],
        );
        assert!(
            back.body["drafts"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["review_comment"] == "请补充实施依据"),
            "{name}"
        );
        let again = server.post_file(
            &format!("/api/v1/import?department={transport}"),
            &editor,
            XLSX,
            book.save_to_buffer().unwrap(),
        );
        assert_eq!(
            (again.status, again.body["created"].as_i64()),
            (200, Some(2)),
            "{name}: {}",
            again.body
        );
        let drafts = server.call(
            "GET",
            "/api/v1/drafts?status=in_review",
            Some(&reviewer),
            None,
            &[],
        );
        let set = drafts.body["drafts"][0]["change_set"]
            .as_str()
            .unwrap()
            .to_string();
        let approved = server.call(
            "POST",
            &format!("/api/v1/change-sets/{set}/approve"),
            Some(&reviewer),
            None,
            &[],
        );
        assert_eq!(
            (approved.status, approved.body["drafts"].as_i64()),
            (200, Some(2)),
            "{name}: {}",
            approved.body
        );
        server.wait_for_index();
        assert_eq!(
            server
                .search_codes("从业资格证件", "published")
                .iter()
                .filter(|c| c.starts_with("QZ-"))
                .count(),
            2,
            "{name}"
        );
    }
}
