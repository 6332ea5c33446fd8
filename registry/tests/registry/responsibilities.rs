//! Departments' responsibility lists: import, replace, export.

use quanze_registry::export::export_responsibilities_ndjson;
use quanze_registry::import::responsibilities::import_responsibilities_ndjson;
use quanze_registry::interchange::ResponsibilityListRecord;
use quanze_testkit::TestDatabase;

use crate::{open, options, repo_root};

#[test]
fn demo_responsibility_lists_round_trip() {
    let input = std::fs::read_to_string(repo_root().join("demo/responsibilities.ndjson")).unwrap();
    for t in TestDatabase::each() {
        let db = open(&t);
        let report = import_responsibilities_ndjson(&db, input.as_bytes(), &options()).unwrap();
        assert_eq!(report.errors(), 0, "{:?}", report.problems);
        assert_eq!(report.updated, 3);
        let mut out = Vec::new();
        assert_eq!(
            export_responsibilities_ndjson(&db, None, &mut out).unwrap(),
            3
        );
        let exported: Vec<ResponsibilityListRecord> = String::from_utf8(out.clone())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let transport = exported
            .iter()
            .find(|r| r.department.name == "临江市交通运输局")
            .unwrap();
        assert!(transport.main_duties.len() >= 8);
        assert!(
            transport
                .main_duties
                .iter()
                .all(|d| !d.work_items.is_empty())
        );
        assert!(
            transport
                .duty_boundaries
                .iter()
                .all(|b| b.parties.len() >= 2)
        );

        // Re-import of the export changes nothing; a shorter list replaces the old one.
        let again = import_responsibilities_ndjson(&db, &out[..], &options()).unwrap();
        assert_eq!(again.unchanged, 3);
        let mut shorter = transport.clone();
        shorter.main_duties.truncate(1);
        let line = serde_json::to_string(&shorter).unwrap();
        import_responsibilities_ndjson(&db, line.as_bytes(), &options()).unwrap();
        let mut out2 = Vec::new();
        export_responsibilities_ndjson(&db, None, &mut out2).unwrap();
        let after: Vec<ResponsibilityListRecord> = String::from_utf8(out2)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let t2 = after
            .iter()
            .find(|r| r.department.name == "临江市交通运输局")
            .unwrap();
        assert_eq!(t2.main_duties.len(), 1);
        assert_eq!(t2.duty_boundaries, transport.duty_boundaries);
    }
}
