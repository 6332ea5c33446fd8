//! The transparency figures on both backends: counts per category, department and region from
//! the published items, changes per month from the feed, and the list review between two
//! dates with the cancelled items and their reasons.

use quanze_registry::auth::Principal;
use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::statistics;
use quanze_testkit::TestDatabase;

use crate::{open, options, repo_root};

#[test]
fn figures_and_the_list_review_count_what_was_published_and_revoked() {
    let input = std::fs::read_to_string(repo_root().join("demo/items/transport.ndjson")).unwrap();
    let items = input.lines().count() as i64;
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let db = open(&t);
        let report = import_items_ndjson(&db, input.as_bytes(), &options()).unwrap();
        assert!(report.committed, "{:?}", report.problems);
        let mut conn = db.conn().unwrap();

        let categories = statistics::items_by_category(&mut conn).unwrap();
        assert_eq!(
            categories.iter().map(|c| c.count).sum::<i64>(),
            items,
            "{name}"
        );
        assert_eq!(categories[0].key, "licensing", "catalogue order");
        let departments = statistics::items_by_department(&mut conn).unwrap();
        assert_eq!(departments.len(), 1);
        assert_eq!(departments[0].label, "临江市交通运输局");
        assert_eq!(departments[0].count, items);
        let regions = statistics::items_by_region(&mut conn).unwrap();
        assert_eq!(
            (regions[0].key.as_str(), regions[0].count),
            ("519900", items)
        );

        // Forty days later two items are revoked, one with each reason.
        let today = quanze_registry::repo::now();
        let later = today + chrono::Duration::days(40);
        let operator = Principal::operator("tester");
        let codes: Vec<String> = input
            .lines()
            .filter(|l| l.contains("\"inspection\""))
            .take(2)
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for (code, reason) in codes.iter().zip(["没有法定依据", "法律已废止"]) {
            quanze_registry::workflow::revoke_item(&mut conn, &operator, code, Some(reason), later)
                .unwrap();
        }
        let review = statistics::list_review(&mut conn, today.date(), later.date(), None).unwrap();
        assert_eq!(
            (
                review.before,
                review.after,
                review.cancelled,
                review.added,
                review.withdrawn
            ),
            (items, items - 2, 2, 0, 0),
            "{name}"
        );
        let mut reasons: Vec<(String, i64)> = review
            .cancel_reasons
            .iter()
            .map(|r| (r.label.clone(), r.count))
            .collect();
        reasons.sort();
        assert_eq!(
            reasons,
            [
                ("没有法定依据".to_string(), 1),
                ("法律已废止".to_string(), 1)
            ]
        );
        let inspection = review
            .categories
            .iter()
            .find(|c| c.key == "inspection")
            .unwrap();
        assert_eq!(inspection.before - inspection.after, 2);
        // Before anything was published the list was empty.
        let empty = statistics::list_review(
            &mut conn,
            (today - chrono::Duration::days(1)).date(),
            today.date(),
            None,
        )
        .unwrap();
        assert_eq!((empty.before, empty.after, empty.added), (0, items, items));

        let months = statistics::changes_by_month(&mut conn).unwrap();
        let total = |f: fn(&statistics::MonthOfChanges) -> i64| months.iter().map(f).sum::<i64>();
        assert_eq!(total(|m| m.published), items, "{name}");
        assert_eq!(total(|m| m.revoked), 2, "{name}");
        let revoked_month = months.iter().find(|m| m.revoked > 0).unwrap();
        assert_eq!(revoked_month.month, later.format("%Y-%m").to_string());
        assert_eq!(revoked_month.revoke_reasons.len(), 2);

        let csv = String::from_utf8(statistics::to_csv(&categories).unwrap()).unwrap();
        assert!(
            csv.starts_with("\u{feff}代码,名称,数量\r\nlicensing,行政许可,"),
            "{csv}"
        );
    }
}
