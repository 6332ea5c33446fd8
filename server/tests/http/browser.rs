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
