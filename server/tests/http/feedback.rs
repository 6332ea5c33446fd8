//! Citizens' ratings, complaints and corrections over real HTTP on both backends (issue 17):
//! submitted without an account through the API and the form page (with the question), kept
//! from personal data, scored per workflow step, answered by the department in its workbench
//! and shown in public with the answer; an overdue complaint in red on the department page;
//! the submitter's contact nowhere public.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, enc, page};
use quanze_testkit::workbench::{Desk, add_user};

use crate::{Server, quanze};

const EDITOR_PASSWORD: &str = "交通局编辑的密码2026";
const OTHER_PASSWORD: &str = "市场局编辑的密码2026";
const ITEM: &str = "519A0001000-519900000000-000-11519900MB0000001P-1-00";
/// The complaint's private contact: it must appear nowhere public.
const CONTACT: &str = "13912345678 张先生";

/// The answer to `三加五等于几？`.
pub fn solve(question: &str) -> String {
    const DIGITS: &str = "零一二三四五六七八九";
    let digit = |c: char| DIGITS.chars().position(|d| d == c).unwrap();
    let mut chars = question.chars();
    let a = digit(chars.next().unwrap());
    assert_eq!(chars.next(), Some('加'), "{question}");
    (a + digit(chars.next().unwrap())).to_string()
}

/// A question from the API with its answer: (token, answer).
fn question(server: &Server) -> (String, String) {
    let (status, _, q) = server.get("/api/v1/feedback/question");
    assert_eq!(status, 200);
    (
        q["token"].as_str().unwrap().to_string(),
        solve(q["text"].as_str().unwrap()),
    )
}

/// Submits over the API with a solved question.
fn submit(
    server: &Server,
    code: &str,
    mut body: serde_json::Value,
) -> quanze_testkit::server::Answer {
    let (token, answer) = question(server);
    body["question_token"] = serde_json::json!(token);
    body["answer"] = serde_json::json!(answer);
    server.call(
        "POST",
        &format!("/api/v1/items/{}/feedback", enc(code)),
        None,
        Some(&body),
        &[],
    )
}

#[test]
fn citizens_rate_complain_and_departments_answer_in_public_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let bin = crate::bin();
        let server = Server::start_with(bin, &t, &data, &["--feedback-limit", "100000"]);
        let transport = department_id_named(&server, "临江市交通运输局");
        let market = department_id_named(&server, "临江市市场监督管理局");
        add_user(
            bin,
            &t,
            &data,
            &[
                "editor.t",
                "--role",
                "editor",
                "--department",
                &transport.to_string(),
            ],
            EDITOR_PASSWORD,
        );
        add_user(
            bin,
            &t,
            &data,
            &[
                "editor.m",
                "--role",
                "editor",
                "--department",
                &market.to_string(),
            ],
            OTHER_PASSWORD,
        );

        // Ratings of a step and of the item as a whole; a complaint with a private contact.
        for (step, score) in [(Some("受理"), 5), (Some("受理"), 2), (None, 4)] {
            let rated = submit(
                &server,
                ITEM,
                serde_json::json!({"kind": "rating", "step": step, "score": score}),
            );
            assert_eq!(rated.status, 201, "{name}: {}", rated.body);
            assert_eq!(rated.body["status"], "received");
        }
        let complaint = submit(
            &server,
            ITEM,
            serde_json::json!({
                "kind": "complaint",
                "step": "审查",
                "text": "审查环节要求提供清单以外的证明材料，来回跑了三次。",
                "contact": CONTACT
            }),
        );
        assert_eq!(complaint.status, 201, "{name}: {}", complaint.body);
        let receipt = complaint.body["receipt"].as_str().unwrap().to_string();
        assert!(
            receipt.starts_with("FK") && receipt.len() == 18,
            "{receipt}"
        );
        assert_eq!(complaint.body["status"], "open");
        assert_eq!(complaint.body["overdue"], false);
        assert!(complaint.body["due_at"].as_str().is_some());
        assert!(complaint.body.get("contact").is_none());

        // Refused with the field named, nothing recorded.
        let refused = [
            (
                serde_json::json!({"kind": "complaint", "text": "办事员的手机 13812345678 打不通"}),
                "text",
            ),
            (serde_json::json!({"kind": "rating", "score": 6}), "score"),
            (
                serde_json::json!({"kind": "rating", "score": 3, "step": "盖章"}),
                "step",
            ),
            (serde_json::json!({"kind": "complaint"}), "text"),
            (serde_json::json!({"kind": "praise"}), "kind"),
        ];
        for (body, field) in refused {
            let answer = submit(&server, ITEM, body.clone());
            assert_eq!(answer.status, 422, "{name}: {body}: {}", answer.body);
            assert_eq!(answer.body["problems"][0]["field"], field, "{body}");
        }
        let wrong = server.call(
            "POST",
            &format!("/api/v1/items/{ITEM}/feedback"),
            None,
            Some(&serde_json::json!({
                "kind": "rating", "score": 5, "question_token": question(&server).0, "answer": "99"
            })),
            &[],
        );
        assert_eq!(wrong.status, 422);
        assert_eq!(wrong.body["problems"][0]["field"], "answer");
        // One question, one submission.
        let (token, answer) = question(&server);
        let once = serde_json::json!({
            "kind": "rating", "score": 3, "question_token": token, "answer": answer
        });
        let path = format!("/api/v1/items/{ITEM}/feedback");
        assert_eq!(
            server.call("POST", &path, None, Some(&once), &[]).status,
            201
        );
        let replayed = server.call("POST", &path, None, Some(&once), &[]);
        assert_eq!(replayed.status, 422, "{name}: a question answered twice");
        assert_eq!(replayed.body["problems"][0]["field"], "answer");
        assert_eq!(
            submit(
                &server,
                "NO-SUCH-ITEM",
                serde_json::json!({"kind": "rating", "score": 5})
            )
            .status,
            404
        );

        // Scores per step, in public.
        let (_, _, item_feedback) = server.get(&format!("/api/v1/items/{ITEM}/feedback"));
        assert_eq!(
            item_feedback["scores"],
            serde_json::json!([
                {"ratings": 2, "average": 3.5, "satisfaction": 50},
                {"step": "受理", "ratings": 2, "average": 3.5, "satisfaction": 50}
            ]),
            "{name}"
        );
        assert_eq!(item_feedback["complaints"]["received"], 1);
        assert_eq!(item_feedback["complaints"]["open"], 1);

        // A complaint filed six weeks ago and never answered: overdue, in red, in public.
        let db = quanze_registry::Database::open(&t.url).unwrap();
        let long_ago = quanze_registry::repo::now() - chrono::Duration::days(42);
        let old = quanze_registry::feedback::submit(
            &mut db.conn().unwrap(),
            ITEM,
            &quanze_registry::feedback::NewFeedback {
                kind: "correction".into(),
                text: Some("咨询电话已停用。".into()),
                ..Default::default()
            },
            None,
            quanze_registry::feedback::AnswerPolicy::default(),
            long_ago,
        )
        .unwrap();
        let (_, _, record) = server.get(&format!("/api/v1/departments/{transport}/feedback"));
        assert_eq!(
            record["overdue"].as_array().unwrap().len(),
            1,
            "{name}: {record}"
        );
        assert_eq!(record["overdue"][0]["receipt"], old.receipt.as_str());
        assert_eq!(record["score"]["ratings"], 4);
        // Over time: the months' counts add up to what was received.
        let months = record["by_month"].as_array().unwrap();
        let sum = |key: &str| months.iter().map(|m| m[key].as_i64().unwrap()).sum::<i64>();
        assert_eq!(
            (sum("ratings"), sum("received"), sum("overdue")),
            (4, 2, 1),
            "{name}"
        );
        let (_, _, department_page) = page(&server, &format!("/departments/{transport}"));
        assert!(department_page.contains("id=\"chart-department-feedback\""));
        assert!(department_page.contains("逾期未答复（1 件）"), "{name}");
        assert!(department_page.contains(&format!(
            "<li class=\"overdue\" data-receipt=\"{}\">",
            old.receipt
        )));
        let (_, _, item_page) = page(&server, &format!("/items/{ITEM}"));
        assert!(item_page.contains("逾期未答复"), "{name}");
        assert!(item_page.contains("审查环节要求提供清单以外的证明材料"));

        // The department answers in its workbench; another department cannot.
        let mut editor = Desk::new(&server.base);
        assert_eq!(editor.sign_in("editor.t", EDITOR_PASSWORD).status, 303);
        let desk = editor.get("/workbench/feedback");
        assert_eq!(desk.status, 200);
        assert!(
            desk.body.contains(&receipt) && desk.body.contains(CONTACT),
            "{name}"
        );
        let mut other = Desk::new(&server.base);
        assert_eq!(other.sign_in("editor.m", OTHER_PASSWORD).status, 303);
        assert!(!other.get("/workbench/feedback").body.contains(&receipt));
        let refused = other.post_form(
            "/workbench/feedback",
            &format!("/workbench/feedback/{receipt}/answer"),
            &[("answer", "不归我们管")],
        );
        assert_eq!(refused.status, 403, "{name}");
        let answered = editor.post_form(
            "/workbench/feedback",
            &format!("/workbench/feedback/{receipt}/answer"),
            &[(
                "answer",
                "已核实，已责成审查科按清单所列材料办理，并向您致歉。",
            )],
        );
        assert_eq!(answered.status, 303, "{name}: {}", answered.body);
        // A correction needs its outcome; then it counts as accepted.
        let incomplete = editor.post_form(
            "/workbench/feedback",
            &format!("/workbench/feedback/{}/answer", old.receipt),
            &[("answer", "已更新咨询电话。")],
        );
        assert_eq!(incomplete.status, 422, "{name}");
        let accepted = editor.post_form(
            "/workbench/feedback",
            &format!("/workbench/feedback/{}/answer", old.receipt),
            &[("answer", "已更新咨询电话。"), ("outcome", "accepted")],
        );
        assert_eq!(accepted.status, 303, "{name}: {}", accepted.body);
        let again = editor.post_form(
            "/workbench/feedback",
            &format!("/workbench/feedback/{receipt}/answer"),
            &[("answer", "再答一次")],
        );
        assert_eq!(again.status, 409, "{name}");

        // In public: the answers, no overdue left, and the contact nowhere.
        let (_, _, followed) = server.get(&format!("/api/v1/feedback/{receipt}"));
        assert_eq!(followed["status"], "answered");
        assert_eq!(
            followed["answer"],
            "已核实，已责成审查科按清单所列材料办理，并向您致歉。"
        );
        let (_, _, item_feedback) = server.get(&format!("/api/v1/items/{ITEM}/feedback"));
        assert_eq!(item_feedback["corrections"]["accepted"], 1);
        assert_eq!(item_feedback["complaints"]["answered"], 1);
        let (_, _, record) = server.get(&format!("/api/v1/departments/{transport}/feedback"));
        assert_eq!(record["overdue"], serde_json::json!([]), "{name}");
        let (_, _, item_page) = page(&server, &format!("/items/{ITEM}"));
        assert!(item_page.contains("部门答复"));
        assert!(item_page.contains("已采纳"));
        for public in [
            item_page,
            page(&server, &format!("/departments/{transport}")).2,
            page(&server, &format!("/feedback/{receipt}")).2,
            item_feedback.to_string(),
            followed.to_string(),
            server.get_text("/api/v1/export?format=ndjson").2,
        ] {
            assert!(
                !public.contains("13912345678"),
                "{name}: the contact is public"
            );
        }
    }
}

/// The form page works without JavaScript: a wrong answer keeps what was typed and asks a new
/// question; the right one leads to the receipt page.
#[test]
fn the_feedback_form_page_works_without_javascript() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(crate::bin(), &t, &data);
    let mut citizen = Desk::new(&server.base);
    let form_path = format!("/items/{ITEM}/feedback");
    let form = citizen.get(&form_path);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<option value=\"受理\">受理</option>"));
    let token = hidden(&form.body, "question_token");
    let wrong = citizen.post(
        &form_path,
        &[
            ("kind", "complaint"),
            ("text", "窗口中午无人值守。"),
            ("question_token", &token),
            ("answer", "100"),
        ],
        &[],
    );
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("验证问题回答不正确"));
    assert!(
        wrong.body.contains("窗口中午无人值守。"),
        "what was typed stays"
    );
    // Posted from another site: refused.
    let token = hidden(&wrong.body, "question_token");
    let question = label_after(&wrong.body, "验证问题：");
    let foreign = citizen.post(
        &form_path,
        &[
            ("kind", "complaint"),
            ("text", "窗口中午无人值守。"),
            ("question_token", &token),
            ("answer", &solve(&question)),
        ],
        &[
            ("Origin", "https://elsewhere.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    );
    assert_eq!(foreign.status, 403);
    let done = citizen.post(
        &form_path,
        &[
            ("kind", "complaint"),
            ("step", "受理"),
            ("score", "2"),
            ("text", "窗口中午无人值守。"),
            ("question_token", &token),
            ("answer", &solve(&question)),
        ],
        &[],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let receipt_page = citizen.get(&done.location());
    assert_eq!(receipt_page.status, 200);
    assert!(receipt_page.body.contains("投诉的受理号是"));
    assert!(receipt_page.body.contains("窗口中午无人值守。"));
}

/// The value of a hidden input.
fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).unwrap();
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The text of a label after `prefix` up to the tag's end.
fn label_after(html: &str, prefix: &str) -> String {
    let at = html.find(prefix).unwrap() + prefix.len();
    let rest = &html[at..];
    rest[..rest.find('<').unwrap()].to_string()
}
