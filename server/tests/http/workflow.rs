//! The maintenance API: the life of an item under review, a responsibility list, an NDJSON
//! import into review, and accounts and tokens — each on SQLite and PostgreSQL, from the same
//! starting desk.

use std::collections::HashMap;
use std::path::Path;

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, page};

use crate::{Server, demo_record, quanze};

/// What every maintenance test starts from: the demo, the first admin from the command line,
/// a running server, and three users (an editor and a reviewer of the transport bureau, an
/// editor of the market bureau) with a token each, made by the admin over the API.
struct Desk {
    server: Server,
    admin: String,
    transport: i64,
    market: i64,
    /// Username → (token, token id).
    tokens: HashMap<&'static str, (String, i64)>,
    editor_t: String,
    reviewer_t: String,
    editor_m: String,
}

fn desk(t: &TestDatabase, data: &Path) -> Desk {
    let name = t.backend.name();
    assert!(quanze(t, data, &["demo"]).status.success());
    // The first admin comes from the command line.
    let out = quanze(t, data, &["user", "add", "root", "--role", "admin"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = quanze(
        t,
        data,
        &["token", "create", "--user", "root", "--expires", "30d"],
    );
    assert!(out.status.success());
    let admin = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(admin.starts_with("qz_") && admin.len() == 67, "{admin}");
    let server = Server::start(crate::bin(), t, data);
    let transport = department_id_named(&server, "临江市交通运输局");
    let market = department_id_named(&server, "临江市市场监督管理局");

    // Admin makes three users over the API, one token each.
    let mut tokens = HashMap::new();
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
    let (editor_t, reviewer_t, editor_m) = (tok("editor.t"), tok("reviewer.t"), tok("editor.m"));
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
    Desk {
        server,
        admin,
        transport,
        market,
        tokens,
        editor_t,
        reviewer_t,
        editor_m,
    }
}

/// Sends a record through review: a draft (or a revision) by the editor, submitted, approved
/// by the reviewer. Returns the approval's answer.
fn through_review(
    server: &Server,
    create: &str,
    body: &serde_json::Value,
    editor: &str,
    reviewer: &str,
) -> serde_json::Value {
    let created = server.call("POST", create, Some(editor), Some(body), &[]);
    assert_eq!(created.status, 201, "{}", created.body);
    let draft = format!("/api/v1/drafts/{}", created.body["id"]);
    let submitted = server.call("POST", &format!("{draft}/submit"), Some(editor), None, &[]);
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let approved = server.call(
        "POST",
        &format!("{draft}/approve"),
        Some(reviewer),
        None,
        &[("If-Match", "*")],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    approved.body
}

/// 不予公开 (issue 17): an item approved as withheld stays in the registry for its department
/// and is counted publicly by reason, yet appears in no item, version, search, export, feed or
/// page; made public by a revision it appears with only its public versions; a public item
/// withheld later leaves search and the lists, and the feed says `withdrawn`.
#[test]
fn a_withheld_item_is_counted_but_nowhere_public_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let Desk {
            server,
            transport,
            editor_t,
            reviewer_t,
            editor_m,
            ..
        } = desk(&t, &data);
        let code = "519A0999002-519900000000-000-11519900MB0000001P-1-00";
        let mut record = demo_record("transport.ndjson", "\"licensing\"");
        record["code"] = serde_json::json!(code);
        record["base_code"] = serde_json::json!("519A0999002");
        record["name"] = serde_json::json!("战备物资运输通行审批");
        record["withheld"] = serde_json::json!({
            "reason": "涉及国家秘密",
            "basis": "《中华人民共和国保守国家秘密法》第十三条"
        });
        let body = serde_json::json!({"record": record, "reason": "新增事项"});
        assert_eq!(
            server.get("/api/v1/statistics/withheld").2,
            serde_json::json!([])
        );
        let approved = through_review(&server, "/api/v1/drafts", &body, &editor_t, &reviewer_t);
        assert_eq!(approved["version"], 1, "{name}");
        // Withholding writes nothing public, yet the statistics the server kept are made again.
        assert_eq!(
            server.get("/api/v1/statistics/withheld").2,
            serde_json::json!([{"key": "国家秘密", "label": "国家秘密", "count": 1}]),
            "{name}"
        );

        let nowhere_public = |code: &str, words: &str, item_name: &str| {
            assert_eq!(
                server.get(&format!("/api/v1/items/{code}")).0,
                404,
                "{name}"
            );
            assert_eq!(
                server.get(&format!("/api/v1/items/{code}/versions")).0,
                404,
                "{name}"
            );
            assert_eq!(page(&server, &format!("/items/{code}")).0, 404, "{name}");
            assert!(
                !server
                    .search_codes(words, "all")
                    .contains(&code.to_string()),
                "{name}: {code} is searchable"
            );
            let (status, _, export) =
                server.get_text(&format!("/api/v1/export?department={transport}"));
            assert_eq!(status, 200);
            assert!(
                !export.contains(code) && !export.contains(item_name),
                "{name}: exported"
            );
            let (_, _, csv) =
                server.get_text(&format!("/api/v1/export?format=csv&department={transport}"));
            assert!(!csv.contains(item_name), "{name}: in the CSV export");
            let (_, _, powers) = server.get(&format!("/api/v1/departments/{transport}/powers"));
            assert!(!powers.to_string().contains(code), "{name}: listed");
            let (_, _, html) = page(&server, &format!("/departments/{transport}"));
            assert!(!html.contains(item_name), "{name}: on the department page");
            let (_, _, changes) = page(&server, "/changes");
            assert!(!changes.contains(item_name), "{name}: on the changes page");
            let (_, _, atom) = server.get_text("/api/v1/changes.atom");
            assert!(!atom.contains(item_name), "{name}: in the Atom feed");
        };
        nowhere_public(code, "战备物资运输", "战备物资运输通行审批");
        assert!(server.feed_for(code).is_empty(), "{name}: in the feed");
        // Counted, by reason, in the API and on the department's page.
        let (_, _, powers) = server.get(&format!("/api/v1/departments/{transport}/powers"));
        assert_eq!(
            powers["withheld"],
            serde_json::json!([{"reason": "国家秘密", "count": 1}]),
            "{name}"
        );
        let (_, _, html) = page(&server, &format!("/departments/{transport}"));
        assert!(
            html.contains("另有不予公开的事项 1 项（依法不予公开：国家秘密 1 项）"),
            "{name}"
        );

        // Only its department sees it: another department's editor cannot even find it.
        let mut public = record.clone();
        public.as_object_mut().unwrap().remove("withheld");
        let revise = format!("/api/v1/items/{code}/revise");
        let body = serde_json::json!({"record": public, "reason": "解密后公开"});
        assert_eq!(
            server
                .call("POST", &revise, Some(&editor_m), Some(&body), &[])
                .status,
            404,
            "{name}"
        );
        // Declassified: a revision makes it public, with only its public version.
        let approved = through_review(&server, &revise, &body, &editor_t, &reviewer_t);
        assert_eq!(approved["version"], 2, "{name}");
        assert_eq!(
            server.get(&format!("/api/v1/items/{code}")).0,
            200,
            "{name}"
        );
        assert_eq!(server.search_codes("战备物资运输", "all"), [code], "{name}");
        assert_eq!(
            server.feed_for(code),
            [("published".to_string(), 2)],
            "{name}"
        );
        let (_, _, versions) = server.get(&format!("/api/v1/items/{code}/versions"));
        assert_eq!(versions["total"], 1, "{name}: {versions}");
        assert_eq!(
            server.get(&format!("/api/v1/items/{code}/versions/1")).0,
            404
        );
        let (_, _, powers) = server.get(&format!("/api/v1/departments/{transport}/powers"));
        assert_eq!(powers["withheld"], serde_json::json!([]), "{name}");

        // The statistics before: nothing withheld, nothing withdrawn.
        let withdrawn_months = |stats: &serde_json::Value| {
            stats["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["withdrawn"] != 0)
                .count()
        };
        let (_, _, before) = server.get("/api/v1/statistics");
        assert_eq!(before["withheld"], serde_json::json!([]), "{name}");
        assert_eq!(withdrawn_months(&before), 0, "{name}");
        assert_eq!(
            server.get("/api/v1/statistics/withheld").2,
            serde_json::json!([])
        );
        let (_, _, review_before) = server.get("/api/v1/statistics/list-review");
        // A public item withheld later: gone from every public place, `withdrawn` in the feed.
        let licensing = demo_record("transport.ndjson", "网络预约出租汽车运输证核发");
        let licensing_code = licensing["code"].as_str().unwrap().to_string();
        let licensing_name = licensing["name"].as_str().unwrap().to_string();
        let mut withheld = licensing.clone();
        withheld["withheld"] = serde_json::json!({"reason": "商业秘密", "basis": "《中华人民共和国反不正当竞争法》第九条"});
        through_review(
            &server,
            &format!("/api/v1/items/{licensing_code}/revise"),
            &serde_json::json!({"record": withheld, "reason": "依法不予公开"}),
            &editor_t,
            &reviewer_t,
        );
        let feed = server.feed_for(&licensing_code);
        assert_eq!(feed.last().unwrap().0, "withdrawn", "{name}: {feed:?}");
        // Its earlier feed entries stay, named by the code alone.
        let (_, _, changes) = page(&server, "/changes");
        assert!(changes.contains("依法不再公开"), "{name}");
        nowhere_public(&licensing_code, &licensing_name, &licensing_name);
        let (_, _, powers) = server.get(&format!("/api/v1/departments/{transport}/powers"));
        assert_eq!(
            powers["withheld"],
            serde_json::json!([{"reason": "商业秘密", "count": 1}]),
            "{name}"
        );
        // Re-importing the department's list (which does not say 不予公开) keeps it withheld,
        // and the report says so; approved, the item stays out of public.
        let mut changed = licensing.clone();
        changed["remarks"] = serde_json::json!("导入的新备注");
        let imported = server.post_ndjson("/api/v1/import", &editor_t, format!("{changed}\n"));
        assert_eq!(imported.status, 200, "{name}: {}", imported.body);
        assert!(
            imported.body["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["field"] == "withheld" && p["severity"] == "warning"),
            "{name}: {}",
            imported.body
        );
        let drafts = server.call(
            "GET",
            "/api/v1/drafts?status=in_review",
            Some(&reviewer_t),
            None,
            &[],
        );
        let draft = drafts.body["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == licensing_code.as_str())
            .unwrap()["id"]
            .clone();
        let approved = server.call(
            "POST",
            &format!("/api/v1/drafts/{draft}/approve"),
            Some(&reviewer_t),
            None,
            &[("If-Match", "*")],
        );
        assert_eq!(approved.status, 200, "{name}: {}", approved.body);
        assert_eq!(
            server.get(&format!("/api/v1/items/{licensing_code}")).0,
            404,
            "{name}: still withheld"
        );
        // Counted in the registry's statistics too (JSON, CSV and the page), and nowhere else:
        // what the server kept from before it was withheld is computed again.
        let (_, _, withheld) = server.get("/api/v1/statistics/withheld");
        assert_eq!(
            withheld,
            serde_json::json!([{"key": "商业秘密", "label": "商业秘密", "count": 1}]),
            "{name}"
        );
        let (_, _, csv) = server.get_text("/api/v1/statistics/withheld?format=csv");
        assert!(csv.contains("商业秘密,商业秘密,1"), "{name}: {csv}");
        let (_, _, stats) = server.get("/api/v1/statistics");
        assert_eq!(withdrawn_months(&stats), 1, "{name}: {stats}");
        let (_, _, review_after) = server.get("/api/v1/statistics/list-review");
        assert_eq!(
            review_after["after"].as_i64().unwrap(),
            review_before["after"].as_i64().unwrap() - 1,
            "{name}: the list today has one item fewer"
        );
        let (_, _, html) = page(&server, "/statistics");
        assert!(html.contains("依法不予公开的事项（按理由）") && html.contains("商业秘密"));
        assert!(!html.contains(&licensing_name), "{name}");
    }
}

/// The whole life of an item through two departments and three users (plus the admin who
/// made them): every refusal (401, 403, 412, 428, four eyes), and after each step the public
/// item, search and change feed show exactly the published state; then the audit trail of it
/// all: who, what, from where, each department's reviewers seeing only theirs.
#[test]
fn the_life_of_an_item_under_review_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let Desk {
            server,
            admin,
            transport,
            market,
            editor_t,
            reviewer_t,
            editor_m,
            ..
        } = desk(&t, &data);
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
        // The publish guard: a mobile number in a workflow step never becomes a draft.
        let mut private = body.clone();
        private["record"]["workflow"] = serde_json::json!([
            {"stage": "受理", "description": "联系经办人 13812345678"}
        ]);
        let refused = server.call(
            "POST",
            "/api/v1/drafts",
            Some(&editor_t),
            Some(&private),
            &[],
        );
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.body["code"], "invalid_record");
        assert_eq!(
            refused.body["problems"][0]["field"],
            "workflow[0].description"
        );
        assert_eq!(
            refused.body["problems"][0]["message"],
            "contains a personal mobile number (138…5678); personal data must not be published"
        );

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
        // A draft's reason: given, kept by an edit without one, cleared by an empty one.
        let edits = [
            (Some("法规修改"), serde_json::json!("法规修改")),
            (None, serde_json::json!("法规修改")),
            (Some(""), serde_json::Value::Null),
        ];
        for (revision, (reason, expected)) in (1..).zip(edits) {
            let mut edit = serde_json::json!({"record": other["record"].clone()});
            if let Some(reason) = reason {
                edit["reason"] = serde_json::json!(reason);
            }
            let etag = format!("\"{revision}\"");
            let put = server.call(
                "PUT",
                &scratch_path,
                Some(&editor_t),
                Some(&edit),
                &[("If-Match", etag.as_str())],
            );
            assert_eq!(put.status, 200, "{}", put.body);
            assert_eq!(put.body["reason"], expected, "{reason:?}");
        }
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
    }
}

/// A department's 责任清单 is drafted, edited, submitted and approved like an item.
#[test]
fn a_responsibility_list_goes_through_review_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        let Desk {
            server,
            transport,
            editor_t,
            reviewer_t,
            ..
        } = desk(&t, &data);
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

        // It is version 2 of the list (the demo published version 1), with a diff and a feed
        // entry, as an item's revision is.
        let history = format!("/api/v1/departments/{transport}/responsibilities");
        let (status, _, versions) = server.get(&format!("{history}/versions"));
        assert_eq!(status, 200);
        let numbers: Vec<i64> = versions["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, [1, 2]);
        assert_eq!(versions["versions"][1]["reason"], "职责调整");
        let (_, _, v1) = server.get(&format!("{history}/versions/1"));
        assert_ne!(
            v1["list"]["main_duties"][0]["duty"],
            "负责全市道路运输和城市客运的行业管理。"
        );
        let (_, _, diff) = server.get(&format!("{history}/diff"));
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
        assert_eq!(fields, ["main_duties"]);
        assert_eq!(server.get(&format!("{history}/versions/3")).0, 404);
        assert_eq!(server.get(&format!("{history}/versions/x")).0, 400);

        // A mirror following the feed learns of it, and of the departments and laws too.
        let mut changes = Vec::new();
        let mut since = 0;
        loop {
            let (_, _, page) = server.get(&format!("/api/v1/changes?since={since}&limit=500"));
            let entries = page["changes"].as_array().unwrap();
            if entries.is_empty() {
                break;
            }
            changes.extend(entries.iter().cloned());
            since = page["next_since"].as_i64().unwrap();
        }
        let revised = changes
            .iter()
            .find(|c| c["entity"] == "responsibility_list" && c["version"] == 2)
            .unwrap();
        assert_eq!(revised["kind"], "revised");
        assert_eq!(revised["entity_id"].as_i64(), Some(transport));
        assert_eq!(revised["reason"], "职责调整");
        assert_eq!(revised["href"], history);
        assert!(revised.get("item_id").is_none());
        for entity in ["item", "department", "law"] {
            let entry = changes.iter().find(|c| c["entity"] == entity).unwrap();
            let (status, _, _) = server.get(entry["href"].as_str().unwrap());
            assert_eq!(status, 200, "{entity}: {entry}");
        }
        // A client that mirrors items only asks for them.
        let (_, _, items_only) = server.get("/api/v1/changes?entity=item&limit=500");
        assert!(
            items_only["changes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["entity"] == "item" && c["item_code"].is_string())
        );
        let (_, _, lists) =
            server.get("/api/v1/changes?entity=responsibility_list,department&limit=500");
        assert!(
            lists["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["entity"] == "responsibility_list")
        );
        assert_eq!(server.get("/api/v1/changes?entity=items").0, 400);
        let (_, _, page) = server.get_text("/changes");
        assert!(page.contains("临江市交通运输局责任清单"), "{page}");
    }
}

/// Bulk import over HTTP: into review, within the caller's departments, all rows or none.
#[test]
fn an_ndjson_import_goes_into_review_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        let Desk {
            server, editor_m, ..
        } = desk(&t, &data);
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
    }
}

/// Tokens never leak; revoking one, or disabling a user (over the API or the operator's
/// command line), takes effect at once.
#[test]
fn accounts_and_tokens_take_effect_at_once_on_both_backends() {
    for t in TestDatabase::each() {
        let data = t.dir.path().join("data");
        let Desk {
            server,
            admin,
            tokens,
            editor_t,
            editor_m,
            ..
        } = desk(&t, &data);
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
