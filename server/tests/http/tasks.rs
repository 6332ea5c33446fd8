//! Departments' task lists over real HTTP on both backends (issue 17): a sheet with a title
//! row and the usual headers is imported in the workbench, replacing the list; the list is
//! public on the department's page and in the API with the overdue task in red; a broken sheet
//! says which cells and changes nothing; another department cannot touch it.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::{department_id_named, page};
use quanze_testkit::workbench::{Desk, add_user};

use crate::{Server, quanze};

const EDITOR_PASSWORD: &str = "交通局编辑的密码2026";
const OTHER_PASSWORD: &str = "市场局编辑的密码2026";

fn workbook(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("任务清单").unwrap();
    sheet
        .write_string(0, 0, "临江市交通运输局2024年重点工作任务清单")
        .unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

const HEADER: [&str; 6] = [
    "序号",
    "重点任务",
    "牵头单位",
    "完成时限",
    "进展情况",
    "状态",
];

#[test]
fn a_task_list_is_imported_and_shown_with_what_is_overdue_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let bin = crate::bin();
        let server = Server::start(bin, &t, &data);
        let transport = department_id_named(&server, "临江市交通运输局").to_string();
        let market = department_id_named(&server, "临江市市场监督管理局").to_string();
        add_user(
            bin,
            &t,
            &data,
            &["editor.t", "--role", "editor", "--department", &transport],
            EDITOR_PASSWORD,
        );
        add_user(
            bin,
            &t,
            &data,
            &["editor.m", "--role", "editor", "--department", &market],
            OTHER_PASSWORD,
        );
        let mut editor = Desk::new(&server.base);
        assert_eq!(editor.sign_in("editor.t", EDITOR_PASSWORD).status, 303);
        let csrf = editor.get("/workbench/tasks").csrf();

        let good = workbook(&[
            HEADER,
            [
                "1",
                "完成农村公路危桥改造",
                "公路管理科",
                "2020年底前",
                "已完成 12 座中的 9 座",
                "推进中",
            ],
            [
                "2",
                "推进“一件事一次办”",
                "行政审批科",
                "长期推进",
                "",
                "进行中",
            ],
            [
                "3",
                "修订道路运输行政处罚裁量基准",
                "法规科",
                "2099年6月底前",
                "",
                "未开始",
            ],
            ["", "", "", "", "", ""],
            [
                "4",
                "清理没有法定依据的权力事项",
                "法规科",
                "2021-03-31",
                "已取消 3 项",
                "已完成",
            ],
        ]);
        let imported = editor.post_multipart(
            "/workbench/tasks",
            &[("csrf", &csrf), ("department", &transport)],
            "任务清单.xlsx",
            &good,
        );
        assert_eq!(imported.status, 303, "{name}: {}", imported.body);
        let (_, _, tasks) = server.get(&format!("/api/v1/departments/{transport}/tasks"));
        let tasks = tasks.as_array().unwrap();
        assert_eq!(tasks.len(), 4, "{name}: {tasks:?}");
        assert_eq!(tasks[0]["due"], "2020-12-31");
        assert_eq!(tasks[0]["overdue"], true);
        assert_eq!(tasks[1]["ongoing"], true);
        assert_eq!(tasks[1]["overdue"], false);
        assert_eq!(tasks[2]["due"], "2099-06-30");
        assert_eq!(tasks[2]["status"], "not_started");
        assert_eq!(tasks[3]["overdue"], false, "done is never overdue");
        let (_, _, html) = page(&server, &format!("/departments/{transport}"));
        assert!(html.contains("工作任务（4 项）"), "{name}");
        assert!(html.contains("1 项任务已过完成时间仍未完成。"));
        assert!(html.contains("<tr class=\"overdue\"><td>完成农村公路危桥改造</td>"));

        // A broken sheet: each problem at its cell, the published list unchanged.
        let broken = workbook(&[
            HEADER,
            ["1", "整治超限超载", "", "尽快", "", "推进中"],
            ["2", "", "法规科", "2025年底前", "", ""],
            [
                "3",
                "公开投诉电话",
                "办公室",
                "2025年底前",
                "联系人手机 13812345678",
                "差不多",
            ],
        ]);
        let refused = editor.post_multipart(
            "/workbench/tasks",
            &[("csrf", &csrf), ("department", &transport)],
            "任务清单.xlsx",
            &broken,
        );
        assert_eq!(refused.status, 422, "{name}: {}", refused.body);
        for expected in [
            "任务清单!C3: 责任单位为空",
            "任务清单!D3: 无法识别完成时间“尽快”",
            "任务清单!B4: 任务为空",
            "任务清单!E5: 含有个人手机号码（138…5678）",
            "任务清单!F5: 无法识别状态“差不多”",
        ] {
            assert!(refused.body.contains(expected), "{name}: {expected}");
        }
        let (_, _, after) = server.get(&format!("/api/v1/departments/{transport}/tasks"));
        assert_eq!(
            after.as_array().unwrap().len(),
            4,
            "{name}: nothing changed"
        );

        // Another department's editor may not replace it.
        let mut other = Desk::new(&server.base);
        assert_eq!(other.sign_in("editor.m", OTHER_PASSWORD).status, 303);
        let other_csrf = other.get("/workbench/tasks").csrf();
        let forbidden = other.post_multipart(
            "/workbench/tasks",
            &[("csrf", &other_csrf), ("department", &transport)],
            "任务清单.xlsx",
            &good,
        );
        assert_eq!(forbidden.status, 403, "{name}");
        assert_eq!(
            server.get(&format!("/api/v1/departments/{market}/tasks")).2,
            serde_json::json!([])
        );
    }
}
