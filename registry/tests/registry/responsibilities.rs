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
        assert_eq!(report.created, 3);
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

/// A 责任清单 has versions and change-feed entries like a power item: the first import is
/// version 1 (published), the same list again writes nothing, a changed one is version 2
/// (revised) with the reason given.
#[test]
fn a_changed_list_is_a_new_version_in_the_feed() {
    let input = std::fs::read_to_string(repo_root().join("demo/responsibilities.ndjson")).unwrap();
    let first_line = input.lines().next().unwrap();
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let db = open(&t);
        let report =
            import_responsibilities_ndjson(&db, first_line.as_bytes(), &options()).unwrap();
        assert_eq!(report.created, 1, "{name}: {:?}", report.problems);
        let again = import_responsibilities_ndjson(&db, first_line.as_bytes(), &options()).unwrap();
        assert_eq!(again.unchanged, 1, "{name}");

        let mut list: ResponsibilityListRecord = serde_json::from_str(first_line).unwrap();
        list.main_duties.pop();
        let changed = serde_json::to_string(&list).unwrap();
        let mut opts = options();
        opts.reason = Some("机构改革".into());
        let report = import_responsibilities_ndjson(&db, changed.as_bytes(), &opts).unwrap();
        assert_eq!(report.updated, 1, "{name}");

        let mut conn = db.conn().unwrap();
        let department = quanze_registry::repo::departments::find_department(
            &mut conn,
            &quanze_registry::interchange::DepartmentRef {
                name: list.department.name.clone(),
                uscc: list.department.uscc.clone(),
                region: list.department.region.clone(),
            },
        )
        .unwrap()
        .unwrap();
        use quanze_registry::repo::responsibilities::{find_list_version, list_version_summaries};
        let versions = list_version_summaries(&mut conn, department.id).unwrap();
        assert_eq!(versions.len(), 2, "{name}");
        let mut snapshot = |version| {
            let row = find_list_version(&mut conn, department.id, version)
                .unwrap()
                .unwrap();
            serde_json::from_str::<ResponsibilityListRecord>(&row.snapshot).unwrap()
        };
        let (v1, v2) = (snapshot(versions[0].0), snapshot(versions[1].0));
        assert_eq!(v1.main_duties.len(), v2.main_duties.len() + 1, "{name}");
        assert_eq!(v2, list);
        assert_eq!(versions[1].1.as_deref(), Some("机构改革"));

        let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 100).unwrap();
        let lists: Vec<(i64, &str, i32, Option<&str>)> = feed
            .iter()
            .filter(|r| r.entity == "responsibility_list")
            .map(|r| (r.entity_id, r.kind.as_str(), r.version, r.reason.as_deref()))
            .collect();
        assert_eq!(
            lists,
            [
                (department.id, "published", 1, Some("测试")),
                (department.id, "revised", 2, Some("机构改革"))
            ],
            "{name}"
        );
        // The department came into the registry with its list: one entry for it too.
        assert_eq!(
            feed.iter()
                .filter(|r| r.entity == "department" && r.entity_id == department.id)
                .count(),
            1
        );
    }
}

/// A registry upgraded from before the feed carried departments, lists and laws: the upgrade's
/// data step announces each once and gives each stored list its version 1.
#[test]
fn an_upgraded_registry_announces_what_it_held() {
    use diesel::connection::SimpleConnection;
    let input = std::fs::read_to_string(repo_root().join("demo/responsibilities.ndjson")).unwrap();
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let db = open(&t);
        import_responsibilities_ndjson(&db, input.as_bytes(), &options()).unwrap();
        let mut conn = db.conn().unwrap();
        // As the registry was before: no feed entries but items', no list versions.
        conn.batch_execute(
            "DELETE FROM outbox WHERE entity <> 'item'; DELETE FROM responsibility_list_versions;",
        )
        .unwrap();
        let written = quanze_registry::upgrade::complete(&db).unwrap();
        assert_eq!(
            quanze_registry::upgrade::complete(&db).unwrap(),
            0,
            "done once"
        );
        let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 100).unwrap();
        let count = |entity: &str| feed.iter().filter(|r| r.entity == entity).count();
        assert_eq!(count("department"), 3, "{name}");
        assert_eq!(count("responsibility_list"), 3, "{name}");
        assert_eq!(written, 6, "{name}");
        for entry in feed.iter().filter(|r| r.entity == "responsibility_list") {
            let versions = quanze_registry::repo::responsibilities::list_version_summaries(
                &mut conn,
                entry.entity_id,
            )
            .unwrap();
            assert_eq!(versions.len(), 1, "{name}");
            assert_eq!(entry.version, 1);
        }
    }
}
