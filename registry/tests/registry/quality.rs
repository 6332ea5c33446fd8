//! The data-quality report finds planted problems of every kind on the demo's lists, and
//! nothing else, on both backends.

use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::quality::{FindingKind, QualityQuery, quality_report};
use quanze_testkit::TestDatabase;
use serde_json::json;

use crate::{open, options, repo_root};

fn demo_line(file: &str, needle: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo_root().join("demo/items").join(file)).unwrap();
    serde_json::from_str(text.lines().find(|l| l.contains(needle)).unwrap()).unwrap()
}

#[test]
fn planted_problems_of_every_kind_and_nothing_else_on_both_backends() {
    for t in TestDatabase::each() {
        let db = open(&t);
        quanze_registry::import::laws::import_law_tree(&db, &repo_root().join("demo/laws"))
            .unwrap();
        for file in ["transport", "traffic-police", "market-regulation"] {
            let input =
                std::fs::read(repo_root().join(format!("demo/items/{file}.ndjson"))).unwrap();
            let report = import_items_ndjson(&db, input.as_slice(), &options()).unwrap();
            assert!(report.committed);
        }
        let query = |days: i64| QualityQuery {
            department: None,
            stale_after_days: days,
            now: quanze_registry::repo::now(),
        };
        let mut conn = db.conn().unwrap();
        let clean = quality_report(&mut conn, &query(365)).unwrap();
        let found: Vec<String> = clean
            .findings
            .iter()
            .map(|f| format!("{} {} {:?}", f.kind.key(), f.name, f.detail))
            .collect();
        assert!(found.is_empty(), "{}: {found:#?}", t.backend.name());
        assert_eq!(clean.items_checked, 254);
        drop(conn);

        // One item planted for each kind, each otherwise in order.
        let licence = demo_line("transport.ndjson", "\"licensing\"");
        let penalty = demo_line("transport.ndjson", "\"penalty\"");
        let plant =
            |code: &str, base: &serde_json::Value, change: &dyn Fn(&mut serde_json::Value)| {
                let mut r = base.clone();
                r["code"] = json!(code);
                r["name"] = json!(format!("测试事项{code}"));
                r.as_object_mut().unwrap().remove("parent_code");
                change(&mut r);
                r
            };
        let planted = [
            plant("T-NOBASIS", &licence, &|r| {
                r.as_object_mut().unwrap().remove("legal_bases");
            }),
            plant("T-OLD", &licence, &|r| {
                r["legal_bases"][0]["version"] = json!("2019-03-02");
            }),
            plant("T-UNKNOWN", &licence, &|r| {
                r["legal_bases"][0]["law"] = json!("某某市客运管理办法");
            }),
            plant("T-NODUTY", &licence, &|r| {
                r.as_object_mut().unwrap().remove("responsibilities");
            }),
            plant("T-NOACCOUNT", &licence, &|r| {
                r.as_object_mut().unwrap().remove("accountability");
            }),
            plant("T-NODISCRETION", &penalty, &|r| {
                r.as_object_mut().unwrap().remove("discretion");
            }),
            // The market bureau lists a power the transport bureau holds, by the same name.
            {
                let mut r = licence.clone();
                r["code"] = json!("T-SHARED");
                r["department"] =
                    demo_line("market-regulation.ndjson", "\"licensing\"")["department"].clone();
                r
            },
        ];
        let text: String = planted.iter().map(|r| format!("{r}\n")).collect();
        let report = import_items_ndjson(&db, text.as_bytes(), &options()).unwrap();
        assert!(report.committed, "{:?}", report.problems);

        let mut conn = db.conn().unwrap();
        let after = quality_report(&mut conn, &query(365)).unwrap();
        let mut found: Vec<(FindingKind, String)> = after
            .findings
            .iter()
            .map(|f| (f.kind, f.code.clone()))
            .collect();
        found.sort();
        let shared_original = licence["code"].as_str().unwrap().to_string();
        let mut expected = vec![
            (FindingKind::NoLegalBasis, "T-NOBASIS".to_string()),
            (FindingKind::OutdatedBasis, "T-OLD".to_string()),
            (FindingKind::UnresolvedCitation, "T-UNKNOWN".to_string()),
            (FindingKind::NoResponsibilities, "T-NODUTY".to_string()),
            (FindingKind::NoAccountability, "T-NOACCOUNT".to_string()),
            (
                FindingKind::PenaltyWithoutDiscretion,
                "T-NODISCRETION".to_string(),
            ),
            (FindingKind::SharedPower, "T-SHARED".to_string()),
            (FindingKind::SharedPower, shared_original),
        ];
        expected.sort();
        assert_eq!(found, expected, "{}", t.backend.name());
        let old = after
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::OutdatedBasis)
            .unwrap();
        assert!(
            old.detail.as_deref().unwrap().contains("（2019-03-02）"),
            "{:?}",
            old.detail
        );
        assert!(old.detail.as_deref().unwrap().contains("已修改"));

        // Time passes: every item not revised within the period is due for review.
        let later = QualityQuery {
            now: quanze_registry::repo::now() + chrono::Duration::days(400),
            ..query(365)
        };
        let stale = quality_report(&mut conn, &later).unwrap();
        assert_eq!(
            stale
                .findings
                .iter()
                .filter(|f| f.kind == FindingKind::NotReviewed)
                .count(),
            254 + planted.len()
        );
        // One department's report holds only its items.
        let market = after
            .findings
            .iter()
            .find(|f| f.code == "T-SHARED")
            .unwrap()
            .department_id;
        let one = quality_report(
            &mut conn,
            &QualityQuery {
                department: Some(market),
                ..query(365)
            },
        )
        .unwrap();
        assert!(one.findings.iter().all(|f| f.department_id == market));
        assert_eq!(one.findings.len(), 1);
    }
}
