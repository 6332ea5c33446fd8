//! The pages in a real headless Chromium, with screenshots.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::enc;

use crate::{Server, quanze, repo_root};

/// Where the browser tests keep their screenshots (a CI artifact).
fn screenshot_dir() -> PathBuf {
    repo_root().join("target/screenshots")
}

/// A real headless Chromium: type a query (Traditional) into the search box, submit, see
/// highlighted results, open an item, see its flowchart with a box per workflow step; and
/// screenshots of search and item pages at desktop and phone widths.
#[test]
fn browser_search_then_item_with_flowchart() {
    let Some(browser) = quanze_testkit::browser::Browser::start() else {
        return;
    };
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let server = Server::start(crate::bin(), &t, &data);
    let shots = screenshot_dir();

    browser.set_window(1280, 1000);
    browser.goto(&format!("{}/", server.base));
    // Suggestions arrive as the citizen types (progressive enhancement).
    let q = browser.find("#q");
    browser.type_into(&q, "道路货");
    browser.find("#suggestions option");
    assert!(browser.find_all("#suggestions option").iter().any(|o| {
        browser
            .attribute(o, "value")
            .unwrap_or_default()
            .starts_with("道路货")
    }));
    browser.goto(&format!("{}/", server.base));
    let q = browser.find("#q");
    browser.type_into(&q, "道路旅客運輸經營許可\u{E007}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser.current_url().contains("q=") {
        assert!(Instant::now() < deadline, "the search form did not submit");
        std::thread::sleep(Duration::from_millis(100));
    }
    browser.find("ol.hits");
    let highlighted: Vec<String> = browser
        .find_all("ol.hits em")
        .iter()
        .map(|e| browser.text(e))
        .collect();
    assert!(
        highlighted.iter().any(|h| h.contains("道路旅客运输")),
        "{highlighted:?}"
    );
    browser.screenshot(&shots.join("search-desktop.png"));

    // A result of 临江市交通运输局, whose items carry workflows.
    let first = browser.find("ol.hits a.name[href*='519A']");
    let href = browser.attribute(&first, "href").unwrap();
    browser.click(&first);
    browser.find("svg.flowchart");
    let code = href.rsplit('/').next().unwrap().to_string();
    let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
    let steps = item["item"]["workflow"].as_array().unwrap().len();
    assert!(steps >= 3, "{code}");
    assert_eq!(browser.find_all("svg.flowchart rect.step").len(), steps);
    assert!(
        browser
            .text(&browser.find("h1"))
            .contains("道路旅客运输经营许可")
    );
    browser.set_window(1280, 2400);
    let desktop = browser.screenshot(&shots.join("item-desktop.png"));

    // A phone: the same pages fit a narrow screen.
    browser.set_window(390, 1600);
    browser.screenshot(&shots.join("item-phone.png"));
    browser.goto(&format!("{}/?q={}", server.base, enc("網約車")));
    browser.find("ol.hits");
    browser.screenshot(&shots.join("search-phone.png"));

    // `QUANZE_UPDATE_SCREENSHOTS=1` refreshes the README's picture.
    if std::env::var("QUANZE_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let docs = repo_root().join("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&desktop, docs.join("item-page.png")).unwrap();
    }
}

/// Signs in through the form, as a person types.
fn sign_in(browser: &quanze_testkit::browser::Browser, base: &str, user: &str, password: &str) {
    browser.goto(&format!("{base}/workbench"));
    // Not signed in: the workbench sends the browser to the form.
    browser.find("#username");
    assert!(browser.current_url().ends_with("/workbench/sign-in"));
    accessible(browser, "sign-in");
    browser.type_into(&browser.find("#username"), user);
    browser.type_into(&browser.find("#password"), &format!("{password}\u{E007}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while browser.find_all("form.sign-out").is_empty() {
        assert!(
            Instant::now() < deadline,
            "{user} is not signed in: {} {}",
            browser.current_url(),
            browser.text(&browser.find("main"))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sign_out(browser: &quanze_testkit::browser::Browser, base: &str) {
    browser.goto(&format!("{base}/workbench"));
    browser.click(&browser.find("form.sign-out button"));
    browser.find("#username");
}

/// Every workbench page passes the basic accessibility checks, and leaves a screenshot at a
/// desktop and a phone width (`target/screenshots/workbench-<page>-{desktop,phone}.png`).
fn accessible(browser: &quanze_testkit::browser::Browser, page: &str) {
    let problems = browser.accessibility_problems();
    assert!(problems.is_empty(), "{page}: {problems:?}");
    let slug = page.replace(' ', "-");
    let shots = screenshot_dir();
    browser.set_window(390, 1400);
    browser.screenshot(&shots.join(format!("workbench-{slug}-phone.png")));
    browser.set_window(1280, 1000);
    browser.screenshot(&shots.join(format!("workbench-{slug}-desktop.png")));
}

/// The department's list as a clerk keeps it: the sheet the registry exports (CSV), a title
/// row above the headers, one item's promised time changed and one new item, as XLSX.
fn department_sheet(
    server: &Server,
    department: i64,
    promised: &str,
    new_name: &str,
) -> (Vec<u8>, String) {
    let (status, _, csv_bytes) = server.get_bytes(&format!(
        "/api/v1/export?format=csv&department={department}"
    ));
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(&csv_bytes[..]);
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut first: Vec<String> = reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let code = first[column("实施编码")].clone();
    first[column("承诺时限")] = promised.to_string();
    let mut new_row = vec![String::new(); headers.len()];
    new_row[column("序号")] = "2".into();
    new_row[column("项目名称")] = new_name.into();
    new_row[column("权力分类")] = "行政许可".into();
    new_row[column("实施依据")] =
        "【行政法规】《中华人民共和国道路运输条例》（2023年7月20日修订）第十条".into();
    new_row[column("法定期限")] = "20个工作日".into();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("行政许可").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            6,
            "临江市交通运输局权力清单（2026年版）",
            &rust_xlsxwriter::Format::new(),
        )
        .unwrap();
    for (r, row) in [headers.clone(), first, new_row].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    (book.save_to_buffer().unwrap(), code)
}

/// Uploads a sheet through the form and returns the report's counts (created, updated).
fn upload(
    browser: &quanze_testkit::browser::Browser,
    base: &str,
    file: &std::path::Path,
) -> (String, String) {
    browser.goto(&format!("{base}/workbench/upload"));
    browser.type_into(&browser.find("#file"), &file.display().to_string());
    browser.click(&browser.find("form[action='/workbench/upload'] button[type=submit]"));
    browser.find("#report-counts");
    (
        browser.text(&browser.find("#report-created")),
        browser.text(&browser.find("#report-updated")),
    )
}

/// The whole life of a change in the browser: an editor signs in, uploads the department's
/// sheet, reads the report and submits; a reviewer signs in, opens the difference and approves;
/// the public page shows the new version at once. Then a change sent back: the editor reads the
/// reason, fixes the sheet, uploads again and resubmits. Screenshots at desktop and phone
/// widths; every page passes the accessibility basics.
#[test]
fn browser_workbench_upload_review_publish() {
    let Some(browser) = quanze_testkit::browser::Browser::start() else {
        return;
    };
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let bin = crate::bin();
    quanze_testkit::workbench::add_user(
        bin,
        &t,
        &data,
        &[
            "clerk.wang",
            "--role",
            "editor",
            "--department",
            "临江市交通运输局",
            "--display-name",
            "王编辑",
        ],
        "交通局编辑的密码2026",
    );
    quanze_testkit::workbench::add_user(
        bin,
        &t,
        &data,
        &[
            "chief.zhao",
            "--role",
            "reviewer",
            "--department",
            "临江市交通运输局",
            "--display-name",
            "赵审核",
        ],
        "交通局审核的密码2026",
    );
    quanze_testkit::workbench::add_user(
        bin,
        &t,
        &data,
        &["root.admin", "--role", "admin"],
        "管理员的长密码2026!",
    );
    let server = Server::start(bin, &t, &data);
    let base = server.base.clone();
    let transport = quanze_testkit::server::department_id_named(&server, "临江市交通运输局");
    let shots = screenshot_dir();
    let files = tempfile::tempdir().unwrap();
    browser.set_window(1280, 1000);

    // The editor: sign in, upload, read the report, submit.
    sign_in(&browser, &base, "clerk.wang", "交通局编辑的密码2026");
    accessible(&browser, "home");
    browser.screenshot(&shots.join("workbench-home-desktop.png"));
    let (sheet, code) = department_sheet(
        &server,
        transport,
        "3个工作日",
        "道路运输从业人员从业资格证件补发",
    );
    let file = files.path().join("交通运输局权力清单.xlsx");
    std::fs::write(&file, sheet).unwrap();
    browser.goto(&format!("{base}/workbench/items"));
    accessible(&browser, "published list");
    // The form of a whole item, new and filled with a published one.
    browser.goto(&format!("{base}/workbench/items/new"));
    accessible(&browser, "new item form");
    // With JavaScript: a row added in place, rows moved (renumbered), an article's text filled.
    let value = |css: &str| {
        browser
            .execute(
                "return document.querySelector(arguments[0]).value;",
                serde_json::json!([css]),
            )
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let form_url = browser.current_url();
    browser.click(&browser.find("fieldset[data-section=workflow] button[name=add_row]"));
    assert_eq!(
        browser
            .find_all("fieldset[data-section=workflow] .row")
            .len(),
        2
    );
    assert_eq!(
        browser.current_url(),
        form_url,
        "added without a round trip"
    );
    browser.type_into(&browser.find("[name='workflow[0].stage']"), "受理");
    browser.type_into(&browser.find("[name='workflow[1].stage']"), "审查");
    let rows = browser.find_all("fieldset[data-section=workflow] .row .move button");
    browser.click(&rows[2]); // the second row's 上移
    assert_eq!(value("[name='workflow[0].stage']"), "审查");
    assert_eq!(value("[name='workflow[1].stage']"), "受理");
    assert_eq!(
        browser.find_all("label[for='f-workflow-1--stage']").len(),
        1
    );
    browser.type_into(
        &browser.find("[name='legal_bases[0].law']"),
        "中华人民共和国道路运输条例",
    );
    browser.type_into(
        &browser.find("[name='legal_bases[0].article']"),
        "第十条\u{E004}",
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while value("[name='legal_bases[0].text']").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the article's text was not filled in"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        value("[name='legal_bases[0].text']").contains("道路运输"),
        "{}",
        value("[name='legal_bases[0].text']")
    );
    accessible(&browser, "new item form with rows added");
    browser.goto(&format!("{base}/workbench/items/{code}/revise"));
    browser.find("input[name='legal_bases[0].law']");
    accessible(&browser, "revision form");
    browser.set_window(1280, 2400);
    browser.screenshot(&shots.join("workbench-form-desktop.png"));
    browser.set_window(390, 1600);
    browser.screenshot(&shots.join("workbench-form-phone.png"));
    browser.set_window(1280, 1000);
    browser.goto(&format!("{base}/workbench/upload"));
    accessible(&browser, "upload");
    assert_eq!(
        upload(&browser, &base, &file),
        ("1".to_string(), "1".to_string())
    );
    let changes = browser.text(&browser.find("table.changes"));
    assert!(
        changes.contains("新增") && changes.contains("道路运输从业人员从业资格证件补发"),
        "the report names what would change: {changes}"
    );
    accessible(&browser, "report");
    browser.set_window(1280, 1400);
    let report = browser.screenshot(&shots.join("workbench-report-desktop.png"));
    browser.set_window(390, 1400);
    browser.screenshot(&shots.join("workbench-report-phone.png"));
    browser.set_window(1280, 1000);
    browser.click(&browser.find("#submit-upload"));
    browser.find("table.drafts");
    assert_eq!(browser.find_all("tr[data-status=in_review]").len(), 2);
    sign_out(&browser, &base);

    // The reviewer: the queue, the difference, approve.
    sign_in(&browser, &base, "chief.zhao", "交通局审核的密码2026");
    browser.goto(&format!("{base}/workbench/review"));
    accessible(&browser, "review queue");
    assert_eq!(browser.find_all("table.drafts tbody tr").len(), 2);
    let links: Vec<String> = browser
        .find_all("table.drafts a")
        .iter()
        .filter_map(|a| browser.attribute(a, "href"))
        .collect();
    for href in &links {
        browser.goto(&format!("{base}{href}"));
        browser.find("table.diff");
        accessible(&browser, "draft");
        if browser.text(&browser.find("dl.facts")).contains(&code) {
            let changed: Vec<String> = browser
                .find_all("table.diff tr[data-field] ins")
                .iter()
                .map(|e| browser.text(e))
                .collect();
            assert!(changed.iter().any(|c| c.contains('3')), "{changed:?}");
            browser.set_window(1280, 1200);
            browser.screenshot(&shots.join("workbench-review-desktop.png"));
            browser.set_window(390, 1400);
            browser.screenshot(&shots.join("workbench-review-phone.png"));
            browser.set_window(1280, 1000);
        }
    }
    // The upload's two changes are one batch: approved as one.
    browser.goto(&format!("{base}/workbench/review"));
    browser.click(&browser.find("section.change-set form[action$='/approve'] button"));
    browser.find("h1");
    assert!(browser.current_url().ends_with("/workbench/review"));
    assert!(browser.find_all("table.drafts tbody tr").is_empty());
    // Public within a second or so: the item page and search show the new version.
    let approved = Instant::now();
    loop {
        let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
        let (_, _, hits) = server.get(&format!("/api/v1/search?q={}", enc("从业资格证件补发")));
        let found = hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "道路运输从业人员从业资格证件补发");
        if item["item"]["time_limit"]["promised_days"] == 3 && found {
            break;
        }
        assert!(
            approved.elapsed() < Duration::from_secs(3),
            "not public yet: {}",
            item["item"]["time_limit"]
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "public {} ms after the last approval",
        approved.elapsed().as_millis()
    );
    browser.goto(&format!("{base}/items/{code}"));
    let public = browser.text(&browser.find("main"));
    assert!(public.contains("承诺 3 个工作日"), "{public}");
    sign_out(&browser, &base);

    // Sent back: the editor reads why and fixes it in the form.
    sign_in(&browser, &base, "clerk.wang", "交通局编辑的密码2026");
    let (sheet, _) = department_sheet(
        &server,
        transport,
        "1个工作日",
        "道路运输从业人员从业资格证件补发",
    );
    std::fs::write(&file, sheet).unwrap();
    assert_eq!(
        upload(&browser, &base, &file),
        ("0".to_string(), "1".to_string())
    );
    browser.click(&browser.find("#submit-upload"));
    browser.find("table.drafts");
    sign_out(&browser, &base);
    sign_in(&browser, &base, "chief.zhao", "交通局审核的密码2026");
    browser.goto(&format!("{base}/workbench/review"));
    browser.click(&browser.find("table.drafts a"));
    browser.type_into(
        &browser.find("#comment"),
        "一个工作日办不完，请核实承诺时限",
    );
    browser.click(&browser.find("form[action$='/reject'] button"));
    browser.find("h1");
    sign_out(&browser, &base);
    sign_in(&browser, &base, "clerk.wang", "交通局编辑的密码2026");
    let row = browser.text(&browser.find("tr[data-status=draft]"));
    assert!(
        row.contains("已退回") && row.contains("一个工作日办不完"),
        "{row}"
    );
    // The fix, in the form: one field changed, saved and submitted again.
    browser.click(&browser.find("tr[data-status=draft] a"));
    browser.click(&browser.find("a[href$='/edit']"));
    let promised = browser.find("[name='time_limit.promised_days']");
    browser.execute(
        "arguments[0].value = '';",
        serde_json::json!([{"element-6066-11e4-a52e-4f735466cecf": browser.element_id(&promised)}]),
    );
    browser.type_into(&promised, "2");
    accessible(&browser, "draft form");
    browser.click(&browser.find("button[name=then][value=submit]:not(.sr-only)"));
    browser.find("#draft-state");
    assert_eq!(browser.text(&browser.find("#draft-state")), "待审核");
    browser.goto(&format!("{base}/workbench"));
    assert_eq!(browser.find_all("tr[data-status=in_review]").len(), 1);
    browser.click(&browser.find("tr[data-status=in_review] a"));
    let after: Vec<String> = browser
        .find_all("table.diff td.after ins")
        .iter()
        .map(|e| browser.text(e))
        .collect();
    assert!(
        after.iter().any(|c| c.contains('2')),
        "the fixed value is what is in review: {after:?}"
    );

    // An admin's pages.
    sign_out(&browser, &base);
    sign_in(&browser, &base, "root.admin", "管理员的长密码2026!");
    for (path, what) in [
        ("/workbench/admin/users", "accounts"),
        ("/workbench/audit", "audit log"),
        ("/workbench/account", "account"),
    ] {
        browser.goto(&format!("{base}{path}"));
        browser.find("h1");
        accessible(&browser, what);
    }
    browser.goto(&format!("{base}/workbench/admin/users"));
    browser.screenshot(&shots.join("workbench-admin-desktop.png"));

    if std::env::var("QUANZE_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let docs = repo_root().join("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&report, docs.join("workbench-report.png")).unwrap();
        std::fs::copy(
            shots.join("workbench-review-desktop.png"),
            docs.join("workbench-review.png"),
        )
        .unwrap();
    }
}

/// Waits until the browser is at a path containing `part`.
fn wait_for_url(browser: &quanze_testkit::browser::Browser, part: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser.current_url().contains(part) {
        assert!(
            Instant::now() < deadline,
            "not at {part}: {} {}",
            browser.current_url(),
            browser.text(&browser.find("main"))
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Fills the feedback form of the page the browser is on and submits it; returns the receipt.
fn give_feedback(
    browser: &quanze_testkit::browser::Browser,
    kind: &str,
    step: &str,
    score: Option<u8>,
    text: &str,
) -> String {
    browser.click(&browser.find(&format!("input[name=kind][value={kind}]")));
    browser.execute(
        "document.querySelector('#f-step').value = arguments[0];",
        serde_json::json!([step]),
    );
    if let Some(score) = score {
        browser.click(&browser.find(&format!("input[name=score][value='{score}']")));
    }
    if !text.is_empty() {
        browser.type_into(&browser.find("#f-text"), text);
    }
    let label = browser.text(&browser.find("label[for=f-answer]"));
    let question = label.trim_start_matches("验证问题：");
    browser.type_into(
        &browser.find("#f-answer"),
        &crate::feedback::solve(question),
    );
    browser.click(&browser.find("form.feedback-form button[type=submit]"));
    wait_for_url(browser, "/feedback/FK");
    browser
        .current_url()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Issue 17 in a real Chromium: a citizen rates a step and files a complaint from the item
/// page, the department answers in its workbench, and the item page shows the score and the
/// answer (screenshots of the form and the section).
#[test]
fn browser_a_citizen_rates_and_complains_and_the_department_answers() {
    let Some(browser) = quanze_testkit::browser::Browser::start() else {
        return;
    };
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let data = t.dir.path().join("data");
    assert!(quanze(&t, &data, &["demo"]).status.success());
    let bin = crate::bin();
    quanze_testkit::workbench::add_user(
        bin,
        &t,
        &data,
        &[
            "clerk.wang",
            "--role",
            "editor",
            "--department",
            "临江市交通运输局",
        ],
        "交通局编辑的密码2026",
    );
    let server = Server::start(bin, &t, &data);
    let base = server.base.clone();
    let item = "519A0001000-519900000000-000-11519900MB0000001P-1-00";
    let shots = screenshot_dir();
    browser.set_window(1280, 1400);

    browser.goto(&format!("{base}/items/{item}"));
    browser.click(&browser.find("#feedback ~ p a.button"));
    browser.find("form.feedback-form");
    let problems = browser.accessibility_problems();
    assert!(problems.is_empty(), "feedback form: {problems:?}");
    browser.screenshot(&shots.join("feedback-form.png"));
    let rating = give_feedback(&browser, "rating", "受理", Some(5), "窗口热情，一次办好。");
    assert!(
        browser
            .text(&browser.find("main"))
            .contains("评价的受理号是")
    );
    browser.goto(&format!("{base}/items/{item}/feedback"));
    let complaint = give_feedback(
        &browser,
        "complaint",
        "审查",
        None,
        "审查环节要求提供清单以外的证明材料。",
    );
    assert_ne!(rating, complaint);

    sign_in(&browser, &base, "clerk.wang", "交通局编辑的密码2026");
    browser.goto(&format!("{base}/workbench/feedback"));
    let entry = format!("li[data-receipt='{complaint}']");
    browser.find(&entry);
    accessible(&browser, "feedback");
    browser.type_into(
        &browser.find(&format!("{entry} textarea[name=answer]")),
        "已责成审查科按清单所列材料办理。",
    );
    browser.click(&browser.find(&format!("{entry} button[type=submit]")));
    wait_for_url(&browser, "answered");
    sign_out(&browser, &base);

    browser.goto(&format!("{base}/items/{item}#feedback"));
    let section = browser.text(&browser.find("section[aria-labelledby=feedback]"));
    assert!(section.contains("受理环节"), "{section}");
    assert!(
        section.contains("5.0 分（1 人评价，满意率 100%）"),
        "{section}"
    );
    assert!(section.contains("部门答复"), "{section}");
    assert!(
        section.contains("已责成审查科按清单所列材料办理。"),
        "{section}"
    );
    assert!(section.contains("窗口热情，一次办好。"), "{section}");
    let problems = browser.accessibility_problems();
    assert!(problems.is_empty(), "item page: {problems:?}");
    browser.set_window(1280, 3200);
    browser.screenshot(&shots.join("item-feedback.png"));
    // The statistics page: its charts carry the API's numbers.
    browser.set_window(1280, 1400);
    browser.goto(&format!("{base}/statistics"));
    let drawn = |chart: &str| -> Vec<i64> {
        browser
            .find_all(&format!("svg#{chart} rect[data-value]"))
            .iter()
            .map(|r| browser.attribute(r, "data-value").unwrap().parse().unwrap())
            .collect()
    };
    let (_, _, api) = server.get("/api/v1/statistics");
    let counts = |figure: &str| -> Vec<i64> {
        api[figure]
            .as_array()
            .unwrap()
            .iter()
            .take(20)
            .map(|c| c["count"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(drawn("chart-categories"), counts("categories"));
    assert_eq!(drawn("chart-departments"), counts("departments"));
    assert_eq!(drawn("chart-regions"), counts("regions"));
    let month = &api["feedback"][0];
    assert_eq!(
        drawn("chart-feedback"),
        [month["answered"].as_i64().unwrap(), 0, 0],
        "one complaint, answered"
    );
    let problems = browser.accessibility_problems();
    assert!(problems.is_empty(), "statistics: {problems:?}");
    browser.set_window(1280, 4000);
    browser.screenshot(&shots.join("statistics.png"));

    // The browse pages pass the same checks.
    browser.set_window(1280, 1400);
    for path in ["/departments", "/regions", "/regions/519900", "/laws"] {
        browser.goto(&format!("{base}{path}"));
        browser.find("table.browse");
        let problems = browser.accessibility_problems();
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
}
