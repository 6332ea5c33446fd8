//! Who may write what, as one table: every write route of the maintenance API × every kind of
//! caller (no token, malformed, unknown, revoked, expired, disabled user, wrong role, wrong
//! department, the right one), each cell with the status it must get. The cells that must be
//! refused are sent first against the same prepared state, so a refusal that changed anything
//! would make the right caller's request fail too. Both backends.

use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::department_id_named;

use crate::{Server, demo_record, quanze};

const CSV: &str = "text/csv; charset=utf-8";

/// A request body.
#[derive(Clone)]
enum Body {
    None,
    Json(serde_json::Value),
    Csv(String),
}

/// One write route with the state it acts on and who may and may not call it.
struct Route {
    method: &'static str,
    path: String,
    body: Body,
    if_match: bool,
    /// A caller of the right department whose role may not do this (or, for a person's own
    /// things, someone else); `None` where the route has no such caller.
    wrong_role: Option<String>,
    /// A caller with the right role in another department; `None` for admin-only routes.
    wrong_department: Option<String>,
    right: String,
    success: u16,
}

impl Route {
    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

fn send(server: &Server, route: &Route, authorization: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = ureq::http::Request::builder()
        .method(route.method)
        .uri(format!("{}{}", server.base, route.path));
    if let Some(a) = authorization {
        request = request.header("Authorization", a);
    }
    if route.if_match {
        request = request.header("If-Match", "*");
    }
    let bytes = match &route.body {
        Body::None => Vec::new(),
        Body::Json(v) => {
            request = request.header("Content-Type", "application/json");
            v.to_string().into_bytes()
        }
        Body::Csv(text) => {
            request = request.header("Content-Type", CSV);
            text.clone().into_bytes()
        }
    };
    let mut r = server.agent.run(request.body(bytes).unwrap()).unwrap();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (
        r.status().as_u16(),
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Makes a user over the API and returns (user id, token).
fn user(server: &Server, admin: &str, name: &str, role: &str, department: i64) -> (i64, String) {
    let created = server.call(
        "POST",
        "/api/v1/users",
        Some(admin),
        Some(&serde_json::json!({"username": name, "role": role, "departments": [department]})),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    (id, token(server, admin, id, None))
}

fn token(server: &Server, admin: &str, user_id: i64, expires_at: Option<String>) -> String {
    let made = server.call(
        "POST",
        &format!("/api/v1/users/{user_id}/tokens"),
        Some(admin),
        Some(&serde_json::json!({"label": "matrix", "expires_at": expires_at})),
        &[],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["token"].as_str().unwrap().to_string()
}

fn me(server: &Server, token: &str) -> u16 {
    server
        .call("GET", "/api/v1/me", Some(token), None, &[])
        .status
}

/// A new item of the department as the interchange format has it.
fn new_record(n: u32) -> serde_json::Value {
    let mut record = demo_record("transport.ndjson", "\"licensing\"");
    record["code"] = serde_json::json!(format!(
        "519A09990{n:02}-519900000000-000-11519900MB0000001P-1-00"
    ));
    record["name"] = serde_json::json!(format!("权限矩阵测试事项{n}"));
    record["base_code"] = serde_json::json!(format!("519A09990{n:02}"));
    record
}

/// Creates a draft as `editor`, submitted when asked; returns its id.
fn draft(server: &Server, editor: &str, n: u32, submit: bool) -> i64 {
    let created = server.call(
        "POST",
        "/api/v1/drafts",
        Some(editor),
        Some(&serde_json::json!({"record": new_record(n), "reason": "新增事项"})),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    if submit {
        let submitted = server.call(
            "POST",
            &format!("/api/v1/drafts/{id}/submit"),
            Some(editor),
            None,
            &[],
        );
        assert_eq!(submitted.status, 200, "{}", submitted.body);
    }
    id
}

/// Imports a sheet of two new items as `editor` into review (one draft alone is no change
/// set); returns their change set.
fn change_set(server: &Server, editor: &str, department: i64, name: &str) -> String {
    let imported = server.post_file(
        &format!("/api/v1/import?department={department}"),
        editor,
        CSV,
        format!(
            "序号,事项名称,权力分类,法定期限\n1,{name},行政许可,20个工作日\n\
             2,{name}之二,行政许可,20个工作日\n"
        )
        .into_bytes(),
    );
    assert_eq!(imported.status, 200, "{}", imported.body);
    let drafts = server.call(
        "GET",
        "/api/v1/drafts?status=in_review&limit=100",
        Some(editor),
        None,
        &[],
    );
    drafts.body["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .and_then(|d| d["change_set"].as_str())
        .unwrap_or_else(|| panic!("no change set for {name}"))
        .to_string()
}

#[test]
fn every_write_route_refuses_every_caller_but_the_right_one_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let admin = crate::support::admin_token(&t, &data);
        // Nearly a hundred refused authentications from this one address are the point here.
        let server =
            Server::start_with(crate::bin(), &t, &data, &["--auth-failure-limit", "100000"]);
        let transport = department_id_named(&server, "临江市交通运输局");
        let market = department_id_named(&server, "临江市市场监督管理局");

        let (editor_t_id, editor_t) = user(&server, &admin, "editor.t", "editor", transport);
        let (_, reviewer_t) = user(&server, &admin, "reviewer.t", "reviewer", transport);
        let (_, editor_m) = user(&server, &admin, "editor.m", "editor", market);
        let (_, reviewer_m) = user(&server, &admin, "reviewer.m", "reviewer", market);

        // A token lives 90 days unless asked otherwise, and a year at most.
        let listed = server.call(
            "GET",
            &format!("/api/v1/users/{editor_t_id}/tokens"),
            Some(&admin),
            None,
            &[],
        );
        let expires =
            chrono::DateTime::parse_from_rfc3339(listed.body[0]["expires_at"].as_str().unwrap())
                .unwrap();
        let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() / 24;
        assert!((89..=90).contains(&days), "{name}: {days} days");
        let too_long = server.call(
            "POST",
            &format!("/api/v1/users/{editor_t_id}/tokens"),
            Some(&admin),
            Some(&serde_json::json!({
                "expires_at": (chrono::Utc::now() + chrono::Duration::days(400))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })),
            &[],
        );
        assert_eq!(too_long.status, 422, "{name}: {}", too_long.body);
        assert_eq!(too_long.body["problems"][0]["field"], "expires_at");

        // The refused credentials, each shown to work (or to exist) before it stops working.
        let revoked_made = server.call(
            "POST",
            &format!("/api/v1/users/{editor_t_id}/tokens"),
            Some(&admin),
            Some(&serde_json::json!({"label": "to revoke"})),
            &[],
        );
        let revoked = revoked_made.body["token"].as_str().unwrap().to_string();
        assert_eq!(me(&server, &revoked), 200, "{name}");
        let revoked_id = revoked_made.body["id"].as_i64().unwrap();
        let revocation = server.call(
            "DELETE",
            &format!("/api/v1/tokens/{revoked_id}"),
            Some(&admin),
            None,
            &[],
        );
        assert_eq!(revocation.status, 200, "{name}: {}", revocation.body);

        let (_, disabled) = user(&server, &admin, "gone.t", "editor", transport);
        assert_eq!(me(&server, &disabled), 200, "{name}");
        assert!(
            quanze(&t, &data, &["user", "disable", "gone.t"])
                .status
                .success()
        );

        let expiry = chrono::Utc::now() + chrono::Duration::seconds(3);
        let expired = token(
            &server,
            &admin,
            editor_t_id,
            Some(expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
        assert_eq!(me(&server, &expired), 200, "{name}: works until it expires");

        // The state each route acts on, all in the transport bureau.
        let codes = crate::support::department_codes(&server, transport);
        assert!(codes.len() >= 3, "{name}: {codes:?}");
        let draft_to_edit = draft(&server, &editor_t, 1, false);
        let draft_to_delete = draft(&server, &editor_t, 2, false);
        let draft_to_submit = draft(&server, &editor_t, 3, false);
        let draft_to_approve = draft(&server, &editor_t, 4, true);
        let draft_to_reject = draft(&server, &editor_t, 5, true);
        let set_to_approve = change_set(&server, &editor_t, transport, "权限矩阵整批通过");
        let set_to_reject = change_set(&server, &editor_t, transport, "权限矩阵整批退回");
        // A citizen's complaint about a transport item, for the department to answer.
        let complaint = {
            let (_, _, q) = server.get("/api/v1/feedback/question");
            let posted = server.call(
                "POST",
                &format!("/api/v1/items/{}/feedback", codes[0]),
                None,
                Some(&serde_json::json!({
                    "kind": "complaint",
                    "text": "窗口工作人员要求提供清单以外的材料。",
                    "question_token": q["token"],
                    "answer": crate::feedback::solve(q["text"].as_str().unwrap()),
                })),
                &[],
            );
            assert_eq!(posted.status, 201, "{name}: {}", posted.body);
            posted.body["receipt"].as_str().unwrap().to_string()
        };
        let (new_user_id, _) = user(&server, &admin, "someone.t", "editor", transport);
        let listed = server.call(
            "GET",
            &format!("/api/v1/users/{editor_t_id}/tokens"),
            Some(&editor_t),
            None,
            &[],
        );
        let editor_t_token_id = listed
            .body
            .as_array()
            .and_then(|tokens| tokens.iter().find_map(|t| t["id"].as_i64()));

        let json = |v: serde_json::Value| Body::Json(v);
        let s = |v: &str| Some(v.to_string());
        let mut routes = vec![
            Route {
                method: "POST",
                path: format!("/api/v1/feedback/{complaint}/answer"),
                body: json(serde_json::json!({"answer": "已核实，已按清单办理。"})),
                if_match: false,
                wrong_role: None,
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: "/api/v1/drafts".into(),
                body: json(serde_json::json!({"record": new_record(6), "reason": "新增事项"})),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 201,
            },
            Route {
                method: "PUT",
                path: format!("/api/v1/drafts/{draft_to_edit}"),
                body: json(serde_json::json!({"record": new_record(1), "reason": "补充"})),
                if_match: true,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 200,
            },
            Route {
                method: "DELETE",
                path: format!("/api/v1/drafts/{draft_to_delete}"),
                body: Body::None,
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 204,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/drafts/{draft_to_submit}/submit"),
                body: Body::None,
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/drafts/{draft_to_approve}/approve"),
                body: Body::None,
                if_match: true,
                wrong_role: s(&editor_t),
                wrong_department: s(&reviewer_m),
                right: reviewer_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/drafts/{draft_to_reject}/reject"),
                body: json(serde_json::json!({"comment": "请补充实施依据"})),
                if_match: true,
                wrong_role: s(&editor_t),
                wrong_department: s(&reviewer_m),
                right: reviewer_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/change-sets/{set_to_approve}/approve"),
                body: Body::None,
                if_match: false,
                wrong_role: s(&editor_t),
                wrong_department: s(&reviewer_m),
                right: reviewer_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/change-sets/{set_to_reject}/reject"),
                body: json(serde_json::json!({"comment": "请补充实施依据"})),
                if_match: false,
                wrong_role: s(&editor_t),
                wrong_department: s(&reviewer_m),
                right: reviewer_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/items/{}/revise", codes[0]),
                body: json(serde_json::json!({"reason": "法规修改"})),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 201,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/items/{}/propose-revocation", codes[1]),
                body: json(serde_json::json!({"reason": "上位法已删除该项许可"})),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 201,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/items/{}/revoke", codes[2]),
                body: json(serde_json::json!({"reason": "上位法废止"})),
                if_match: false,
                wrong_role: s(&editor_t),
                wrong_department: s(&reviewer_m),
                right: reviewer_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/departments/{transport}/responsibilities/draft"),
                body: json(serde_json::json!({"reason": "职责调整"})),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 201,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/import?department={transport}"),
                body: Body::Csv(
                    "序号,事项名称,权力分类,法定期限\n1,权限矩阵导入事项,行政许可,20个工作日\n"
                        .into(),
                ),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: s(&editor_m),
                right: editor_t.clone(),
                success: 200,
            },
            Route {
                method: "POST",
                path: "/api/v1/users".into(),
                body: json(serde_json::json!({
                    "username": "new.t", "role": "editor", "departments": [transport]
                })),
                if_match: false,
                wrong_role: s(&reviewer_t),
                wrong_department: None,
                right: admin.clone(),
                success: 201,
            },
            Route {
                method: "POST",
                path: format!("/api/v1/users/{new_user_id}/tokens"),
                body: json(serde_json::json!({"label": "同步"})),
                if_match: false,
                wrong_role: s(&editor_t),
                wrong_department: None,
                right: admin.clone(),
                success: 201,
            },
        ];
        // A person's own token: anyone else but an admin is refused.
        let own_token = editor_t_token_id.expect("editor.t lists its tokens");
        routes.push(Route {
            method: "DELETE",
            path: format!("/api/v1/tokens/{own_token}"),
            body: Body::None,
            if_match: false,
            wrong_role: s(&editor_m),
            wrong_department: None,
            right: editor_t.clone(),
            success: 200,
        });
        let operations = crate::write_operations();
        assert_eq!(
            routes.len(),
            operations,
            "{name}: one row per write operation of the OpenAPI document"
        );

        // Wait out the expired token's last second, then show it no longer works.
        let until = Instant::now() + Duration::from_secs(5);
        while me(&server, &expired) == 200 {
            assert!(Instant::now() < until, "{name}: the token never expired");
            std::thread::sleep(Duration::from_millis(200));
        }

        let refused_by_authentication: [(&str, Option<String>); 6] = [
            ("no token", None),
            ("malformed", s("Bearer not-a-token")),
            ("unknown", Some(format!("Bearer qz_{}", "0".repeat(64)))),
            ("revoked", Some(format!("Bearer {revoked}"))),
            ("expired", Some(format!("Bearer {expired}"))),
            ("disabled user", Some(format!("Bearer {disabled}"))),
        ];
        let mut wrong = Vec::new();
        let mut cells = 0;
        for route in &routes {
            let mut check = |who: &str, authorization: Option<&str>, want: u16, code: &str| {
                cells += 1;
                let (status, body) = send(&server, route, authorization);
                if status != want || (!code.is_empty() && body["code"] != code) {
                    wrong.push(format!(
                        "{} as {who}: {status} {}, want {want} {code}",
                        route.label(),
                        body["code"]
                    ));
                }
            };
            for (who, authorization) in &refused_by_authentication {
                check(who, authorization.as_deref(), 401, "unauthenticated");
            }
            if let Some(token) = &route.wrong_role {
                check(
                    "wrong role",
                    Some(&format!("Bearer {token}")),
                    403,
                    "forbidden",
                );
            }
            if let Some(token) = &route.wrong_department {
                let bearer = format!("Bearer {token}");
                check("wrong department", Some(&bearer), 403, "forbidden");
            }
            check(
                "the right one",
                Some(&format!("Bearer {}", route.right)),
                route.success,
                "",
            );
        }
        assert!(
            wrong.is_empty(),
            "{name}: {} of {cells} cells wrong:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        assert!(cells > 16 * 8, "{name}: {cells}");
    }
}
