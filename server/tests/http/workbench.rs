//! The workbench's security over real HTTP, on SQLite and PostgreSQL: sign-in and its cookie,
//! CSRF and same-origin checks, one department's session against another's drafts on every
//! workbench route, sign-in throttling, sign-out and revocation ending a session at once, and
//! passwords in no answer, log or audit entry.

use std::path::Path;

use quanze_testkit::TestDatabase;
use quanze_testkit::server::department_id_named;
use quanze_testkit::workbench::{Desk, add_user};

use crate::{Server, quanze};

const EDITOR_PASSWORD: &str = "交通局编辑的密码2026";
const REVIEWER_PASSWORD: &str = "交通局审核的密码2026";
const OTHER_PASSWORD: &str = "市场局编辑的密码2026";
const ADMIN_PASSWORD: &str = "管理员的长密码2026!";

/// The demo with four people who may sign in, a running server, and one draft of the
/// transport bureau in review. Returns the server, the draft's id and its item code.
fn office(t: &TestDatabase, data: &Path, options: &[&str]) -> (Server, i64, String) {
    assert!(quanze(t, data, &["demo"]).status.success());
    let bin = crate::bin();
    let mut all = vec!["--search-limit", "1000000", "--export-limit", "1000000"];
    all.extend_from_slice(options);
    let server = Server::start_with(bin, t, data, &all);
    let transport = department_id_named(&server, "临江市交通运输局").to_string();
    let market = department_id_named(&server, "临江市市场监督管理局").to_string();
    for (args, password) in [
        (
            vec!["editor.t", "--role", "editor", "--department", &transport],
            EDITOR_PASSWORD,
        ),
        (
            vec![
                "reviewer.t",
                "--role",
                "reviewer",
                "--department",
                &transport,
            ],
            REVIEWER_PASSWORD,
        ),
        (
            vec!["editor.m", "--role", "editor", "--department", &market],
            OTHER_PASSWORD,
        ),
        (vec!["root", "--role", "admin"], ADMIN_PASSWORD),
    ] {
        add_user(bin, t, data, &args, password);
    }
    // The editor's revision of one transport item, in review (made over the API).
    let out = quanze(
        t,
        data,
        &["token", "create", "--user", "editor.t", "--expires", "1d"],
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let (_, _, hits) = server.get(&format!(
        "/api/v1/search?q=%E9%81%93%E8%B7%AF%E8%B4%A7%E7%89%A9&department={transport}"
    ));
    let code = hits["hits"][0]["code"].as_str().unwrap().to_string();
    let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
    let mut record = item["item"].clone();
    record["time_limit"]["promised_days"] = serde_json::json!(2);
    let revised = server.call(
        "POST",
        &format!("/api/v1/items/{code}/revise"),
        Some(&token),
        Some(&serde_json::json!({"record": record, "reason": "压缩承诺时限"})),
        &[],
    );
    assert_eq!(revised.status, 201, "{}", revised.body);
    let draft = revised.body["id"].as_i64().unwrap();
    let submitted = server.call(
        "POST",
        &format!("/api/v1/drafts/{draft}/submit"),
        Some(&token),
        None,
        &[("If-Match", "*")],
    );
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    (server, draft, code)
}

/// What another department's editor gets for a workbench path.
fn other_status(server: &Server, path: &str) -> u16 {
    signed_in(server, "editor.m", OTHER_PASSWORD)
        .get(path)
        .status
}

fn signed_in(server: &Server, user: &str, password: &str) -> Desk {
    let mut desk = Desk::new(&server.base);
    let answer = desk.sign_in(user, password);
    assert_eq!(answer.status, 303, "{user}: {}", answer.body);
    assert_eq!(answer.location(), "/workbench");
    desk
}

#[test]
fn workbench_sessions_cookies_csrf_and_department_walls() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let (server, draft, code) = office(&t, &data, &["--behind-proxy"]);

        // Not signed in: every page and every form goes to the sign-in form.
        let mut anonymous = Desk::new(&server.base);
        for path in [
            "/workbench",
            "/workbench/review",
            "/workbench/upload",
            "/workbench/account",
            &format!("/workbench/drafts/{draft}"),
        ] {
            let p = anonymous.get(path);
            assert_eq!(
                (p.status, p.location().as_str()),
                (303, "/workbench/sign-in"),
                "{name} GET {path}"
            );
        }
        let p = anonymous.post(
            &format!("/workbench/drafts/{draft}/approve"),
            &[("revision", "2")],
            &[],
        );
        assert_eq!(
            (p.status, p.location().as_str()),
            (303, "/workbench/sign-in"),
            "{name}"
        );

        // The session cookie: HttpOnly, SameSite=Strict, only for /workbench, Secure over TLS.
        let mut editor = Desk::new(&server.base);
        let signed = editor.sign_in("editor.t", EDITOR_PASSWORD);
        let cookie = signed.header("set-cookie").unwrap();
        for flag in ["HttpOnly", "SameSite=Strict", "Path=/workbench"] {
            assert!(cookie.contains(flag), "{name}: {cookie}");
        }
        assert!(!cookie.contains("Secure"), "{name}: plain HTTP, {cookie}");
        let over_tls = Desk::new(&server.base).sign_in_with(
            "editor.t",
            EDITOR_PASSWORD,
            &[("X-Forwarded-Proto", "https")],
        );
        assert!(
            over_tls.header("set-cookie").unwrap().contains("Secure"),
            "{name}"
        );
        let home = editor.get("/workbench");
        assert_eq!(home.status, 200);
        assert_eq!(home.header("cache-control").as_deref(), Some("no-store"));
        assert!(
            home.body.contains("待审核"),
            "{name}: the draft in review is listed"
        );
        // A sign-in post not from a form this browser was given (login CSRF) is refused.
        let forged = Desk::new(&server.base).post(
            "/workbench/sign-in",
            &[("username", "editor.t"), ("password", EDITOR_PASSWORD)],
            &[],
        );
        assert_eq!(forged.status, 403, "{name}");
        assert!(
            forged
                .header("set-cookie")
                .is_none_or(|c| !c.contains("quanze_session=qz_")),
            "{name}"
        );
        // Public pages never set a cookie, with or without one sent.
        let public = server
            .agent
            .get(format!("{}/", server.base))
            .header(
                "Cookie",
                format!("quanze_session={}", editor.cookie.clone().unwrap()),
            )
            .call()
            .unwrap();
        assert!(public.headers().get("set-cookie").is_none(), "{name}");

        // The reviewer's forms need this session's CSRF token and a same-origin post.
        let mut reviewer = signed_in(&server, "reviewer.t", REVIEWER_PASSWORD);
        let draft_page = reviewer.get(&format!("/workbench/drafts/{draft}"));
        assert_eq!(draft_page.status, 200, "{name}");
        assert!(
            draft_page.body.contains("<ins>") && draft_page.body.contains("办理时限"),
            "{name}: the diff shows the changed field"
        );
        let csrf = draft_page.csrf();
        let approve = format!("/workbench/drafts/{draft}/approve");
        let revision = "2";
        for (fields, headers, why) in [
            (vec![("revision", revision)], vec![], "no CSRF token"),
            (
                vec![("csrf", "0".repeat(64).as_str()), ("revision", revision)],
                vec![],
                "a wrong CSRF token",
            ),
            (
                vec![
                    ("csrf", editor.get("/workbench").csrf().as_str()),
                    ("revision", revision),
                ],
                vec![],
                "another session's token",
            ),
            (
                vec![("csrf", csrf.as_str()), ("revision", revision)],
                vec![("Origin", "https://evil.example")],
                "another origin",
            ),
            (
                vec![("csrf", csrf.as_str()), ("revision", revision)],
                vec![("Sec-Fetch-Site", "cross-site")],
                "a cross-site post",
            ),
        ] {
            let p = reviewer.post(&approve, &fields, &headers);
            assert_eq!(p.status, 403, "{name}: {why}");
        }
        let (_, _, live) = server.get(&format!("/api/v1/items/{code}"));
        assert_ne!(
            live["item"]["time_limit"]["promised_days"], 2,
            "{name}: nothing was approved"
        );

        // Another department's editor: the draft is walled off on every route.
        let mut other = signed_in(&server, "editor.m", OTHER_PASSWORD);
        assert!(
            !other.get("/workbench").body.contains(&code),
            "{name}: not in their list"
        );
        assert!(
            !other.get("/workbench/review").body.contains(&code),
            "{name}"
        );
        let other_csrf = other.get("/workbench").csrf();
        let p = other.get(&format!("/workbench/drafts/{draft}"));
        assert!(
            matches!(p.status, 403 | 404),
            "{name}: GET draft → {}",
            p.status
        );
        for action in ["submit", "delete", "approve", "reject"] {
            let p = other.post(
                &format!("/workbench/drafts/{draft}/{action}"),
                &[
                    ("csrf", &other_csrf),
                    ("revision", revision),
                    ("comment", "不该能退回"),
                ],
                &[],
            );
            assert!(
                matches!(p.status, 403 | 404),
                "{name}: {action} → {}",
                p.status
            );
        }
        // The editor who wrote it may not approve it either (four eyes), nor may the reviewer
        // delete it.
        let p = editor.post_form("/workbench", &approve, &[("revision", revision)]);
        assert_eq!(p.status, 403, "{name}");
        let p = reviewer.post_form(
            "/workbench",
            &format!("/workbench/drafts/{draft}/delete"),
            &[("revision", revision)],
        );
        assert_eq!(p.status, 403, "{name}");
        // A stale revision is refused, then the right one publishes.
        let p = reviewer.post_form("/workbench", &approve, &[("revision", "1")]);
        assert_eq!(p.status, 412, "{name}");
        let p = reviewer.post_form("/workbench", &approve, &[("revision", revision)]);
        assert_eq!(
            (p.status, p.location().as_str()),
            (303, "/workbench/review"),
            "{name}: {}",
            p.body
        );
        server.wait_for_index();
        let (_, _, live) = server.get(&format!("/api/v1/items/{code}"));
        assert_eq!(live["item"]["time_limit"]["promised_days"], 2, "{name}");

        // Sign-out ends the session at once; the old cookie opens nothing.
        let old_cookie = editor.cookie.clone();
        let p = editor.post_form("/workbench", "/workbench/sign-out", &[]);
        assert_eq!(
            (p.status, p.location().as_str()),
            (303, "/workbench/sign-in"),
            "{name}"
        );
        editor.cookie = old_cookie;
        assert_eq!(editor.get("/workbench").status, 303, "{name}: signed out");

        // An admin ends another person's session from the account page.
        let mut admin = signed_in(&server, "root", ADMIN_PASSWORD);
        let account = admin.get("/workbench/account");
        assert!(
            account.body.contains("editor.m"),
            "{name}: admins see every session"
        );
        let session_path = account
            .body
            .split("action=\"/workbench/sessions/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect::<Vec<_>>();
        for path in &session_path {
            admin.post_form(
                "/workbench/account",
                &format!("/workbench/sessions/{path}"),
                &[],
            );
        }
        assert_eq!(
            other.get("/workbench").status,
            303,
            "{name}: revoked by the admin"
        );
        assert_eq!(
            reviewer.get("/workbench").status,
            303,
            "{name}: revoked by the admin"
        );
        assert_eq!(
            admin.get("/workbench").status,
            200,
            "{name}: the admin's own session goes on"
        );

        // Password change: the wrong current password is shown beside its field.
        let mut editor = signed_in(&server, "editor.t", EDITOR_PASSWORD);
        let p = editor.post_form(
            "/workbench/account",
            "/workbench/account/password",
            &[
                ("current_password", "不对的密码不对的密码"),
                ("new_password", "新的编辑密码新的编辑密码"),
                ("confirm_password", "新的编辑密码新的编辑密码"),
            ],
        );
        assert_eq!(p.status, 422, "{name}");
        assert!(
            p.body.contains("当前密码不正确") && p.body.contains("aria-invalid=\"true\""),
            "{name}"
        );
        let p = editor.post_form(
            "/workbench/account",
            "/workbench/account/password",
            &[
                ("current_password", EDITOR_PASSWORD),
                ("new_password", "新的编辑密码新的编辑密码"),
                ("confirm_password", "新的编辑密码新的编辑密码"),
            ],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        assert_eq!(
            editor.get("/workbench").status,
            200,
            "{name}: the session that changed it goes on"
        );
        assert_eq!(
            Desk::new(&server.base)
                .sign_in("editor.t", EDITOR_PASSWORD)
                .status,
            401,
            "{name}"
        );
        assert_eq!(
            Desk::new(&server.base)
                .sign_in("editor.t", "新的编辑密码新的编辑密码")
                .status,
            303,
            "{name}"
        );

        // The audit log has the sign-ins, failures and sign-outs, and no password.
        let out = quanze(
            &t,
            &data,
            &["token", "create", "--user", "root", "--expires", "1d"],
        );
        let admin_token = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let text: String = ["editor.t", "reviewer.t", "editor.m", "root"]
            .iter()
            .map(|actor| {
                let path = format!("/api/v1/audit?limit=500&actor={actor}");
                let answer = server.call("GET", &path, Some(&admin_token), None, &[]);
                answer.body.to_string()
            })
            .collect();
        for action in [
            "session.sign_in",
            "session.sign_in_failed",
            "session.sign_out",
            "session.revoke",
            "user.password_change",
            "user.password_change_failed",
        ] {
            assert!(text.contains(action), "{name}: {action} not audited");
        }
        for secret in [
            EDITOR_PASSWORD,
            REVIEWER_PASSWORD,
            OTHER_PASSWORD,
            ADMIN_PASSWORD,
            "新的编辑密码新的编辑密码",
            "不对的密码不对的密码",
        ] {
            assert!(
                !text.contains(secret),
                "{name}: a password in the audit log"
            );
        }

        // Nor in the server's log, which does say that sign-ins failed.
        let log = std::fs::read_to_string(Server::log_path(&data)).unwrap();
        assert!(
            log.contains("failed sign-in"),
            "{name}: failures are logged"
        );
        for secret in [
            EDITOR_PASSWORD,
            REVIEWER_PASSWORD,
            "新的编辑密码新的编辑密码",
            "不对的密码不对的密码",
        ] {
            assert!(!log.contains(secret), "{name}: a password in the log");
        }
    }
}

#[test]
fn workbench_sign_in_is_held_back_per_account() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    let (server, _, _) = office(
        &t,
        &data,
        &[
            "--sign-in-failure-limit",
            "3",
            "--auth-failure-limit",
            "1000000",
        ],
    );
    let mut desk = Desk::new(&server.base);
    for _ in 0..3 {
        let p = desk.sign_in("editor.t", "猜一个密码猜一个密码");
        assert_eq!(p.status, 401);
        assert!(p.body.contains("用户名或密码不正确"));
    }
    // Held back: even the right password waits, and the page says for how long.
    let p = desk.sign_in("editor.t", EDITOR_PASSWORD);
    assert_eq!(p.status, 429, "{}", p.body);
    assert!(p.header("retry-after").is_some() && p.body.contains("分钟后再试"));
    // Another account from the same address is not held back.
    assert_eq!(desk.sign_in("reviewer.t", REVIEWER_PASSWORD).status, 303);
    // An unknown name is answered like a wrong password.
    let unknown = Desk::new(&server.base).sign_in("nobody.here", "猜一个密码猜一个密码");
    assert_eq!(unknown.status, 401);
    assert!(unknown.body.contains("用户名或密码不正确"));
}

#[test]
fn workbench_item_form_new_revise_and_edit_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let (server, draft, code) = office(&t, &data, &[]);
        let mut editor = signed_in(&server, "editor.t", EDITOR_PASSWORD);
        let transport = department_id_named(&server, "临江市交通运输局").to_string();

        // A new item: problems beside their fields, everything typed kept.
        let form = editor.get("/workbench/items/new");
        assert_eq!(form.status, 200, "{name}");
        let csrf = form.csrf();
        let base_fields = |name: &'static str, days: &'static str| {
            vec![
                ("department", transport.clone()),
                ("category", "licensing".to_string()),
                ("name", name.to_string()),
                ("time_limit.statutory_days", "20".to_string()),
                ("time_limit.promised_days", days.to_string()),
                ("legal_bases[0].role", "设定依据".to_string()),
                (
                    "legal_bases[0].law",
                    "中华人民共和国道路运输条例".to_string(),
                ),
                ("legal_bases[0].article", "第十条".to_string()),
                ("responsibilities[0].stage", "受理责任".to_string()),
                (
                    "responsibilities[0].duty",
                    "依法受理或者不予受理，并一次性告知".to_string(),
                ),
                ("workflow[0].stage", "受理".to_string()),
                ("workflow[1].stage", "审查".to_string()),
            ]
        };
        let post =
            |desk: &mut Desk, path: &str, fields: &[(&str, String)], extra: &[(&str, &str)]| {
                let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
                all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
                all.extend_from_slice(extra);
                desk.post(path, &all, &[])
            };
        let bad = post(
            &mut editor,
            "/workbench/items/new",
            &base_fields("", "五天"),
            &[("then", "save")],
        );
        assert_eq!(bad.status, 422, "{name}: {}", bad.body);
        assert!(bad.body.contains("请填写天数（整数）"), "{name}");
        assert!(
            bad.body.contains("中华人民共和国道路运输条例"),
            "{name}: typed values kept"
        );
        let bad = post(
            &mut editor,
            "/workbench/items/new",
            &base_fields("", "5"),
            &[("then", "save")],
        );
        assert_eq!(bad.status, 422, "{name}");
        assert!(
            bad.body.contains("id=\"f-name-error\"") && bad.body.contains("不能为空"),
            "{name}: the name's problem beside it"
        );
        // One more row without JavaScript: nothing saved, the form again with a blank row.
        let more = post(
            &mut editor,
            "/workbench/items/new",
            &base_fields("", "5"),
            &[("add_row", "workflow")],
        );
        assert_eq!(more.status, 200, "{name}");
        assert!(
            more.body.contains("name=\"workflow[3].stage\""),
            "{name}: two rows, a blank one and the added one"
        );
        let mut partial = base_fields("道路运输经营许可证件补办", "5");
        partial.push(("discretion[0].violation", "未按规定办理".to_string()));
        let p = post(
            &mut editor,
            "/workbench/items/new",
            &partial,
            &[("then", "save")],
        );
        assert_eq!(p.status, 422, "{name}");
        assert!(
            p.body.contains("裁量基准第 1 行"),
            "{name}: a whole row's problem is named above the form"
        );
        let saved = post(
            &mut editor,
            "/workbench/items/new",
            &base_fields("道路运输经营许可证件补办", "5"),
            &[("then", "submit")],
        );
        assert_eq!(saved.status, 303, "{name}: {}", saved.body);
        let page = editor.get(&saved.location());
        assert!(
            page.body.contains("待审核") && page.body.contains("道路运输经营许可证件补办"),
            "{name}"
        );
        assert!(
            page.body.contains("QZ-"),
            "{name}: a new item without a code gets a stable local one"
        );
        // The same new item again: refused as things stand, with everything typed kept.
        let again = post(
            &mut editor,
            "/workbench/items/new",
            &base_fields("道路运输经营许可证件补办", "5"),
            &[("then", "save")],
        );
        assert_eq!(again.status, 409, "{name}");
        assert!(
            again.body.contains("已有一份未完成的草稿")
                && again.body.contains("依法受理或者不予受理"),
            "{name}"
        );

        // The published list: the item in review shows its draft, the others a way to revise.
        let items = editor.get("/workbench/items");
        assert_eq!(items.status, 200, "{name}");
        assert!(
            items
                .body
                .contains(&format!("href=\"/workbench/drafts/{draft}\"")),
            "{name}"
        );
        assert!(items.body.contains("/revise\""), "{name}");
        assert!(
            matches!(
                other_status(&server, &format!("/workbench/items?department={transport}")),
                403 | 404
            ),
            "{name}"
        );

        // A published item in the form: its values filled in; another department's refused.
        let revise = editor.get(&format!("/workbench/items/{code}/revise"));
        assert_eq!(revise.status, 200, "{name}");
        assert!(
            revise.body.contains("name=\"legal_bases[0].law\""),
            "{name}"
        );
        let mut other = signed_in(&server, "editor.m", OTHER_PASSWORD);
        assert!(
            matches!(
                other.get(&format!("/workbench/items/{code}/revise")).status,
                403 | 404
            ),
            "{name}"
        );
        assert!(
            matches!(
                other.get(&format!("/workbench/drafts/{draft}/edit")).status,
                403 | 404
            ),
            "{name}"
        );

        // The reviewer sends the first draft back; the editor fixes it in the form and submits.
        let mut reviewer = signed_in(&server, "reviewer.t", REVIEWER_PASSWORD);
        let p = reviewer.post_form(
            "/workbench/review",
            &format!("/workbench/drafts/{draft}/reject"),
            &[("revision", "2"), ("comment", "承诺时限请写明理由")],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        let edit = editor.get(&format!("/workbench/drafts/{draft}/edit"));
        assert_eq!(edit.status, 200, "{name}");
        let revision = edit
            .body
            .split("name=\"revision\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        // Every field as the form shows it, with the time changed.
        let mut fields: Vec<(String, String)> = Vec::new();
        for chunk in edit.body.split("<input ").skip(1) {
            let attr = |a: &str| {
                chunk
                    .split(&format!("{a}=\""))
                    .nth(1)
                    .map(|r| r.split('"').next().unwrap().to_string())
            };
            if let (Some(n), Some(v)) = (attr("name"), attr("value"))
                && !n.ends_with("._remove")
            {
                fields.push((n, v));
            }
        }
        for chunk in edit.body.split("<select ").skip(1) {
            let n = chunk
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            let selected = chunk
                .split("</select>")
                .next()
                .unwrap()
                .split("<option value=\"")
                .skip(1)
                .find(|o| o.contains("selected"))
                .map(|o| o.split('"').next().unwrap().to_string())
                .unwrap_or_default();
            fields.push((n, selected));
        }
        for chunk in edit.body.split("<textarea ").skip(1) {
            let n = chunk
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            let v = chunk
                .split('>')
                .nth(1)
                .unwrap()
                .split("</textarea")
                .next()
                .unwrap()
                .to_string();
            fields.push((
                n,
                v.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            ));
        }
        for f in fields.iter_mut() {
            if f.0 == "time_limit.promised_days" {
                f.1 = "4".into();
            }
            if f.0 == "revision" {
                f.1 = revision.clone();
            }
        }
        let stale: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if k == "revision" {
                        "1".to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect();
        let p = post(
            &mut editor,
            &format!("/workbench/drafts/{draft}/edit"),
            &stale,
            &[("then", "submit")],
        );
        assert_eq!(
            p.status, 412,
            "{name}: an edit of an older revision is refused"
        );
        let fixed: Vec<(&str, String)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let p = post(
            &mut editor,
            &format!("/workbench/drafts/{draft}/edit"),
            &fixed,
            &[("then", "submit")],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        let page = reviewer.get(&format!("/workbench/drafts/{draft}"));
        assert!(page.body.contains("待审核"), "{name}");
        assert!(
            page.body.contains("承诺时限：4"),
            "{name}: the fixed value is what is in review"
        );
        // Only the time changed: the rest of the item came through the form untouched.
        let changed = page.body.matches("<tr data-field=").count();
        assert_eq!(changed, 1, "{name}: {}", page.body);

        // A reviewer revokes another published item with a public reason; an editor may not.
        let list = reviewer.get("/workbench/items");
        let other_code = list
            .body
            .split("action=\"/workbench/items/")
            .skip(1)
            .map(|r| r.split("/revoke\"").next().unwrap().to_string())
            .find(|c| !c.contains(&code) && !c.contains('"'))
            .unwrap();
        let p = editor.post_form(
            "/workbench/items",
            &format!("/workbench/items/{other_code}/revoke"),
            &[("reason", "职能调整")],
        );
        assert_eq!(p.status, 403, "{name}");
        let p = reviewer.post_form(
            "/workbench/items",
            &format!("/workbench/items/{other_code}/revoke"),
            &[("reason", "")],
        );
        assert_eq!(p.status, 422, "{name}: a revocation needs its reason");
        let p = reviewer.post_form(
            "/workbench/items",
            &format!("/workbench/items/{other_code}/revoke"),
            &[("reason", "职能调整，划转至市场监督管理局")],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        let (_, _, item) = server.get(&format!("/api/v1/items/{other_code}"));
        assert_eq!(
            item["item_status"].as_str().or(item["status"].as_str()),
            Some("revoked"),
            "{name}: {item}"
        );

        // An editor proposes revoking a third item; the reviewer approves the proposal, which
        // revokes it; the proposer could not have approved it.
        let list = editor.get("/workbench/items");
        let third = list
            .body
            .split("action=\"/workbench/items/")
            .skip(1)
            .filter_map(|r| r.split("/propose-revocation\"").next())
            .find(|c| !c.contains(&code) && !c.contains('"') && *c != other_code)
            .unwrap()
            .to_string();
        let p = editor.post_form(
            "/workbench/items",
            &format!("/workbench/items/{third}/propose-revocation"),
            &[("reason", "上位法已删除该项许可")],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        let proposal = p.location();
        let page = editor.get(&proposal);
        assert!(
            page.body.contains("id=\"revocation\"") && page.body.contains("上位法已删除该项许可"),
            "{name}"
        );
        let p = editor.post_form(
            &proposal,
            &format!("{proposal}/approve"),
            &[("revision", "2")],
        );
        assert_eq!(p.status, 403, "{name}: the proposer does not decide");
        let revision = reviewer
            .get(&proposal)
            .body
            .split("name=\"revision\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let p = reviewer.post_form(
            &proposal,
            &format!("{proposal}/approve"),
            &[("revision", &revision)],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        let (_, _, item) = server.get(&format!("/api/v1/items/{third}"));
        assert_eq!(
            item["item_status"].as_str().or(item["status"].as_str()),
            Some("revoked"),
            "{name}: {item}"
        );
    }
}

#[test]
fn workbench_admin_pages_manage_people_tokens_and_show_the_audit_log() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let (server, _, _) = office(&t, &data, &[]);
        let transport = department_id_named(&server, "临江市交通运输局").to_string();
        let mut admin = signed_in(&server, "root", ADMIN_PASSWORD);
        let mut editor = signed_in(&server, "editor.t", EDITOR_PASSWORD);
        let mut reviewer = signed_in(&server, "reviewer.t", REVIEWER_PASSWORD);

        // Only admins reach the account pages, and only reviewers and admins the audit log.
        assert_eq!(editor.get("/workbench/admin/users").status, 403, "{name}");
        let csrf = editor.get("/workbench").csrf();
        let p = editor.post(
            "/workbench/admin/users",
            &[("csrf", &csrf), ("username", "sneaky"), ("role", "admin")],
            &[],
        );
        assert_eq!(p.status, 403, "{name}: an editor cannot make an admin");
        assert_eq!(editor.get("/workbench/audit").status, 403, "{name}");
        let log = reviewer.get("/workbench/audit?actor=editor.t");
        assert_eq!(log.status, 200, "{name}");
        assert!(
            log.body.contains("draft.submit"),
            "{name}: the reviewer sees their department's entries"
        );

        // A new editor with a first password signs in at once.
        let page = admin.get("/workbench/admin/users");
        assert_eq!(page.status, 200, "{name}");
        let p = admin.post_form(
            "/workbench/admin/users",
            "/workbench/admin/users",
            &[
                ("username", "clerk.new"),
                ("display_name", "新同事"),
                ("role", "editor"),
                ("departments", &transport),
                ("password", "新同事的初始密码2026"),
            ],
        );
        assert_eq!(
            (p.status, p.location().as_str()),
            (303, "/workbench/admin/users?created"),
            "{name}: {}",
            p.body
        );
        let mut newcomer = signed_in(&server, "clerk.new", "新同事的初始密码2026");
        // Refusals say why, in Chinese: a taken name, an editor without a department.
        let p = admin.post_form(
            "/workbench/admin/users",
            "/workbench/admin/users",
            &[
                ("username", "clerk.new"),
                ("role", "editor"),
                ("departments", &transport),
            ],
        );
        assert_eq!(p.status, 422, "{name}");
        assert!(p.body.contains("已有同名用户"), "{name}");
        let p = admin.post_form(
            "/workbench/admin/users",
            "/workbench/admin/users",
            &[("username", "clerk.lost"), ("role", "editor")],
        );
        assert!(
            p.status == 422 && p.body.contains("至少要属于一个部门"),
            "{name}: {}",
            p.status
        );

        // Find the newcomer's id in the page's forms.
        let page = admin.get("/workbench/admin/users");
        let row = page.body.split("data-user=\"clerk.new\"").nth(1).unwrap();
        let id = row
            .split("/workbench/admin/users/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();

        // A reset ends their sessions; the new password works.
        let p = admin.post_form(
            "/workbench/admin/users",
            &format!("/workbench/admin/users/{id}/password"),
            &[("password", "管理员重设的密码2026")],
        );
        assert_eq!(p.status, 303, "{name}: {}", p.body);
        assert_eq!(
            newcomer.get("/workbench").status,
            303,
            "{name}: the reset ended the session"
        );
        let mut newcomer = signed_in(&server, "clerk.new", "管理员重设的密码2026");

        // A token: shown once, works on the API, then revoked.
        let p = admin.post_form(
            "/workbench/admin/users",
            &format!("/workbench/admin/users/{id}/token"),
            &[],
        );
        assert_eq!(p.status, 200, "{name}");
        let secret = p
            .body
            .split("id=\"token-secret\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert!(secret.starts_with("qz_"), "{name}");
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&secret), None, &[])
                .status,
            200,
            "{name}"
        );
        let page = admin.get("/workbench/admin/users");
        assert!(
            !page.body.contains(&secret),
            "{name}: the secret is never shown again"
        );
        let revoke = page
            .body
            .split("action=\"/workbench/admin/tokens/")
            .last()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let p = admin.post_form(
            "/workbench/admin/users",
            &format!("/workbench/admin/tokens/{revoke}"),
            &[],
        );
        assert_eq!(p.status, 303, "{name}");
        assert_eq!(
            server
                .call("GET", "/api/v1/me", Some(&secret), None, &[])
                .status,
            401,
            "{name}"
        );

        // Disabled: the session ends and sign-in fails.
        let p = admin.post_form(
            "/workbench/admin/users",
            &format!("/workbench/admin/users/{id}/disable"),
            &[],
        );
        assert_eq!(p.status, 303, "{name}");
        assert_eq!(newcomer.get("/workbench").status, 303, "{name}");
        assert_eq!(
            Desk::new(&server.base)
                .sign_in("clerk.new", "管理员重设的密码2026")
                .status,
            401,
            "{name}"
        );

        // The audit log, filtered by who did it.
        let log = admin.get("/workbench/audit?actor=root");
        for action in [
            "user.create",
            "user.password_reset",
            "token.create",
            "token.revoke",
            "user.disable",
        ] {
            assert!(log.body.contains(action), "{name}: {action}");
        }
        assert!(
            !log.body.contains("新同事的初始密码2026") && !log.body.contains(&secret),
            "{name}"
        );
        let (newest, oldest) = (log.body.find("user.disable"), log.body.find("user.create"));
        assert!(newest < oldest, "{name}: the newest entry comes first");
        assert_eq!(
            admin.get("/workbench/audit?since=yesterday").status,
            400,
            "{name}"
        );
    }
}

/// Every workbench route in one table: without a session it sends the browser to sign in; with
/// another department's session (and a valid CSRF token) it neither shows nor changes the
/// transport bureau's draft, item, upload or account data.
#[test]
fn workbench_every_route_checks_the_session_and_the_department() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    let (server, draft, code) = office(&t, &data, &[]);
    let transport = department_id_named(&server, "临江市交通运输局").to_string();
    let code = quanze_testkit::server::enc(&code);
    let gets = [
        "/workbench".to_string(),
        "/workbench/review".into(),
        "/workbench/items".into(),
        format!("/workbench/items?department={transport}"),
        "/workbench/items/new".into(),
        format!("/workbench/items/{code}/revise"),
        format!("/workbench/drafts/{draft}"),
        format!("/workbench/drafts/{draft}/edit"),
        "/workbench/upload".into(),
        "/workbench/account".into(),
        "/workbench/admin/users".into(),
        "/workbench/audit".into(),
        "/workbench/feedback".into(),
        "/workbench/tasks".into(),
    ];
    let posts = [
        format!("/workbench/drafts/{draft}/submit"),
        format!("/workbench/drafts/{draft}/delete"),
        format!("/workbench/drafts/{draft}/approve"),
        format!("/workbench/drafts/{draft}/reject"),
        format!("/workbench/drafts/{draft}/edit"),
        format!("/workbench/items/{code}/revise"),
        format!("/workbench/items/{code}/revoke"),
        "/workbench/change-sets/u1-1/approve".into(),
        "/workbench/change-sets/u1-1/reject".into(),
        "/workbench/upload/1/submit".into(),
        "/workbench/admin/users".into(),
        "/workbench/admin/users/1/password".into(),
        "/workbench/admin/users/1/disable".into(),
        "/workbench/admin/users/1/token".into(),
        "/workbench/admin/tokens/1/revoke".into(),
        "/workbench/sessions/1/revoke".into(),
        "/workbench/feedback/FK20261207AAAAAAAA/answer".into(),
    ];
    // No session: to the sign-in form, whatever the route.
    let mut anonymous = Desk::new(&server.base);
    for path in gets.iter().chain(&posts) {
        let p = if gets.contains(path) {
            anonymous.get(path)
        } else {
            anonymous.post(path, &[], &[])
        };
        assert_eq!(
            (p.status, p.location()),
            (303, "/workbench/sign-in".to_string()),
            "{path}"
        );
    }
    // Another department's editor: the transport bureau's things (the reviewer's session 1
    // among them) are out of reach.
    let mut reviewer = signed_in(&server, "reviewer.t", REVIEWER_PASSWORD);
    let mut other = signed_in(&server, "editor.m", OTHER_PASSWORD);
    let csrf = other.get("/workbench").csrf();
    let open_to_all = [
        "/workbench",
        "/workbench/review",
        "/workbench/items",
        "/workbench/items/new",
        "/workbench/upload",
        "/workbench/account",
        "/workbench/feedback",
        "/workbench/tasks",
    ];
    for path in &gets {
        let p = other.get(path);
        if open_to_all.contains(&path.as_str()) {
            assert_eq!(p.status, 200, "{path}");
            assert!(
                !p.body.contains(&format!("/workbench/drafts/{draft}\"")),
                "{path} shows the draft"
            );
        } else {
            assert!(matches!(p.status, 403 | 404), "GET {path} → {}", p.status);
        }
    }
    for path in &posts {
        let p = other.post(
            path,
            &[
                ("csrf", &csrf),
                ("revision", "2"),
                ("comment", "越权"),
                ("password", "越权设置的密码越权"),
                ("username", "x.y"),
                ("role", "admin"),
                ("department", &transport),
                ("category", "licensing"),
                ("name", "越权事项"),
            ],
            &[],
        );
        assert!(
            matches!(p.status, 403 | 404),
            "POST {path} → {}: {}",
            p.status,
            p.body
        );
    }
    // Nothing changed: the draft is still in review, the reviewer still signed in.
    assert!(
        reviewer
            .get(&format!("/workbench/drafts/{draft}"))
            .body
            .contains("待审核")
    );
}

/// The API proposes a revocation too: an editor's proposal (kind `revocation`, in review), the
/// reviewer's approval revoking the item, the feed saying so.
#[test]
fn a_revocation_is_proposed_and_approved_over_the_api() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    let (server, _, code) = office(&t, &data, &[]);
    let token = |user: &str| {
        let out = quanze(
            &t,
            &data,
            &["token", "create", "--user", user, "--expires", "1d"],
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let (editor, reviewer) = (token("editor.t"), token("reviewer.t"));
    let (_, _, hits) = server
        .get("/api/v1/search?q=%E9%81%93%E8%B7%AF%E6%97%85%E5%AE%A2&department=37&per_page=5");
    let victim = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap().to_string())
        .find(|c| *c != code)
        .unwrap();
    let path = format!("/api/v1/items/{victim}/propose-revocation");
    let bare = server.call(
        "POST",
        &path,
        Some(&editor),
        Some(&serde_json::json!({})),
        &[],
    );
    assert_eq!(bare.status, 422);
    let by_reviewer = server.call(
        "POST",
        &path,
        Some(&reviewer),
        Some(&serde_json::json!({"reason": "x"})),
        &[],
    );
    assert_eq!(
        by_reviewer.status, 403,
        "reviewers revoke directly; editors propose"
    );
    let proposed = server.call(
        "POST",
        &path,
        Some(&editor),
        Some(&serde_json::json!({"reason": "职能已划转"})),
        &[],
    );
    assert_eq!(proposed.status, 201, "{}", proposed.body);
    assert_eq!(
        (
            proposed.body["kind"].as_str(),
            proposed.body["status"].as_str()
        ),
        (Some("revocation"), Some("in_review"))
    );
    let edit = server.call(
        "PUT",
        &format!("/api/v1/drafts/{}", proposed.body["id"]),
        Some(&editor),
        Some(&serde_json::json!({"record": proposed.body["record"]})),
        &[("If-Match", "*")],
    );
    assert_eq!(edit.status, 409, "a proposal in review is not edited");
    let approved = server.call(
        "POST",
        &format!("/api/v1/drafts/{}/approve", proposed.body["id"]),
        Some(&reviewer),
        None,
        &[("If-Match", "*")],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["kind"], "revocation");
    server.wait_for_index();
    assert!(
        server
            .feed_for(&victim)
            .iter()
            .any(|(kind, _)| kind == "revoked")
    );
}

/// A department's 责任清单 draft is shown beside the published list, part by part.
#[test]
fn a_responsibility_list_draft_is_compared_with_the_published_list() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    let (server, _, _) = office(&t, &data, &[]);
    let transport = department_id_named(&server, "临江市交通运输局");
    let out = quanze(
        &t,
        &data,
        &["token", "create", "--user", "editor.t", "--expires", "1d"],
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let draft = server.call(
        "POST",
        &format!("/api/v1/departments/{transport}/responsibilities/draft"),
        Some(&token),
        Some(&serde_json::json!({"reason": "职责调整"})),
        &[],
    );
    assert_eq!(draft.status, 201, "{}", draft.body);
    let mut list = draft.body["record"].clone();
    list["main_duties"][0]["duty"] = serde_json::json!("负责全市道路运输和城市客运的行业管理。");
    let id = draft.body["id"].as_i64().unwrap();
    let edited = server.call(
        "PUT",
        &format!("/api/v1/drafts/{id}"),
        Some(&token),
        Some(&serde_json::json!({"record": list})),
        &[("If-Match", "*")],
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    let mut editor = signed_in(&server, "editor.t", EDITOR_PASSWORD);
    let page = editor.get(&format!("/workbench/drafts/{id}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("与现行第"),
        "compared with the published list"
    );
    assert_eq!(
        page.body.matches("<tr data-field=").count(),
        1,
        "only the main duties changed"
    );
    assert!(
        page.body.contains("主要职责")
            && page.body.contains("负责全市道路运输和城市客运的行业管理。")
    );
}
