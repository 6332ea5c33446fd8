//! A law amended under published items, with the real 道路运输条例 versions (2019-03-02 →
//! 2022-03-29 → 2023-07-20): items citing the version that stops being in force are flagged
//! with the articles concerned and whether their text changed; a citation without a version
//! stays on the version in force when the item was published; the feed says so; a revised
//! version clears the flag — on SQLite and PostgreSQL.

use std::path::Path;

use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::import::laws::import_law_tree;
use quanze_registry::repo::flags::{FlaggedArticle, open_flags};
use quanze_testkit::TestDatabase;
use serde_json::json;

use crate::{open, options};

/// The 道路运输条例 versions named, in a LawRefBook tree in `dir`.
fn law_tree(dir: &Path, versions: &[&str]) {
    let files: Vec<String> = versions
        .iter()
        .map(|v| format!("行政法规/道路运输条例({v}).md"))
        .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    quanze_testkit::server::law_tree(dir, &files);
}

fn item(code: &str, bases: serde_json::Value) -> String {
    json!({
        "code": code,
        "name": format!("测试事项{code}"),
        "category": "licensing",
        "department": {"name": "临江市交通运输局", "region": "519900"},
        "legal_bases": bases,
    })
    .to_string()
}

#[test]
fn an_amended_law_flags_the_items_citing_it_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let db = open(&t);
        let before = tempfile::tempdir().unwrap();
        law_tree(before.path(), &["2019-03-02", "2022-03-29"]);
        import_law_tree(&db, before.path()).unwrap();

        let law = "中华人民共和国道路运输条例";
        let items = [
            item(
                "T-CITES-2022",
                json!([
                    {"role": "设定依据", "law": law, "version": "2022-03-29", "article": "第十条"},
                    {"role": "处罚依据", "law": law, "version": "2022-03-29", "article": "第六十三条"},
                    {"role": "实施依据", "law": law, "version": "2022-03-29", "article": "第八十三条"}
                ]),
            ),
            item(
                "T-NO-VERSION",
                json!([{"role": "实施依据", "law": "道路运输条例", "article": "第十条"}]),
            ),
            item(
                "T-CITES-2019",
                json!([{"role": "实施依据", "law": law, "version": "2019-03-02", "article": "第十条"}]),
            ),
            {
                let mut withheld: serde_json::Value = serde_json::from_str(&item(
                    "T-WITHHELD",
                    json!([{"role": "实施依据", "law": law, "version": "2022-03-29", "article": "第十条"}]),
                ))
                .unwrap();
                withheld["withheld"] = json!({"reason": "国家秘密", "basis": "《保守国家秘密法》第十三条"});
                withheld.to_string()
            },
        ]
        .join("\n");
        let report = import_items_ndjson(&db, items.as_bytes(), &options()).unwrap();
        assert!(report.committed, "{:?}", report.problems);

        let after = tempfile::tempdir().unwrap();
        law_tree(after.path(), &["2019-03-02", "2022-03-29", "2023-07-20"]);
        let laws = import_law_tree(&db, after.path()).unwrap();
        assert_eq!(
            laws.flagged_items, 3,
            "{name}: the 2019 version was not in force; the withheld item is flagged too"
        );

        let mut conn = db.conn().unwrap();
        let id_of = |conn: &mut _, code: &str| {
            quanze_registry::repo::items::find_item_by_code(conn, code)
                .unwrap()
                .unwrap()
                .id
        };
        let cites_2022 = id_of(&mut conn, "T-CITES-2022");
        let flags = open_flags(&mut conn, cites_2022).unwrap();
        assert_eq!(flags.len(), 1);
        assert_eq!(
            flags[0].reason,
            "《中华人民共和国道路运输条例》2022-03-29版已被2023-07-20版修改"
        );
        let articles: Vec<FlaggedArticle> = serde_json::from_str(&flags[0].articles).unwrap();
        let changes: Vec<(&str, &str)> = articles
            .iter()
            .map(|a| (a.article.as_str(), a.change.as_str()))
            .collect();
        assert_eq!(
            changes,
            [
                ("第十条", "unchanged"),
                ("第六十三条", "changed"),
                ("第八十三条", "removed")
            ],
            "{name}"
        );
        // Without a version the citation stays on what was in force when it was published.
        let no_version = id_of(&mut conn, "T-NO-VERSION");
        assert_eq!(open_flags(&mut conn, no_version).unwrap().len(), 1);
        let resolved =
            quanze_registry::repo::laws::resolved_legal_bases(&mut conn, no_version).unwrap();
        assert_eq!(
            resolved[0].law_version.as_deref(),
            Some("2022-03-29"),
            "{name}"
        );
        // A withheld item is flagged for its department, and the public feed says nothing.
        let withheld = id_of(&mut conn, "T-WITHHELD");
        assert_eq!(open_flags(&mut conn, withheld).unwrap().len(), 1, "{name}");
        let cites_2019 = id_of(&mut conn, "T-CITES-2019");
        assert!(open_flags(&mut conn, cites_2019).unwrap().is_empty());
        // The change feed says which items are due for review.
        let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 1000).unwrap();
        let mut flagged: Vec<&str> = feed
            .iter()
            .filter(|r| r.kind == "needs_review")
            .map(|r| r.entity_key.as_str())
            .collect();
        flagged.sort();
        assert_eq!(flagged, ["T-CITES-2022", "T-NO-VERSION"]);
        drop(conn);

        // Importing the same laws again flags nothing twice.
        assert_eq!(import_law_tree(&db, after.path()).unwrap().flagged_items, 0);

        // A revised version clears the flag, and the citation moves to the version in force.
        let mut revised: serde_json::Value = serde_json::from_str(&item(
            "T-NO-VERSION",
            json!([{"role": "实施依据", "law": "道路运输条例", "article": "第十条"}]),
        ))
        .unwrap();
        revised["remarks"] = json!("依据已复核");
        let revised = revised.to_string();
        let report = import_items_ndjson(&db, revised.as_bytes(), &options()).unwrap();
        assert_eq!(report.updated, 1, "{:?}", report.problems);
        let mut conn = db.conn().unwrap();
        assert!(open_flags(&mut conn, no_version).unwrap().is_empty());
        let resolved =
            quanze_registry::repo::laws::resolved_legal_bases(&mut conn, no_version).unwrap();
        assert_eq!(
            resolved[0].law_version.as_deref(),
            Some("2023-07-20"),
            "{name}"
        );
        assert_eq!(open_flags(&mut conn, cites_2022).unwrap().len(), 1);
    }
}

/// Items published before their laws: a laws import links their bases and says so in the feed,
/// so the index's law filter follows without a reindex.
#[test]
fn a_laws_import_announces_the_items_it_relinks() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = open(&t);
    let report = import_items_ndjson(
        &db,
        item(
            "T-BEFORE-LAWS",
            json!([{"role": "实施依据", "law": "中华人民共和国道路运输条例", "article": "第十条"}]),
        )
        .as_bytes(),
        &options(),
    )
    .unwrap();
    assert!(report.committed);
    let laws = tempfile::tempdir().unwrap();
    law_tree(laws.path(), &["2023-07-20"]);
    let imported = import_law_tree(&db, laws.path()).unwrap();
    assert_eq!(imported.relinked_items, 1);
    let mut conn = db.conn().unwrap();
    let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 100).unwrap();
    // The feed carries the department and the law beside the item, so a mirror has them all.
    assert_eq!(
        feed.iter()
            .map(|r| (r.entity.as_str(), r.entity_key.as_str(), r.kind.as_str()))
            .collect::<Vec<_>>(),
        [
            ("department", "临江市交通运输局", "published"),
            ("item", "T-BEFORE-LAWS", "published"),
            ("law", "中华人民共和国道路运输条例", "published"),
            ("item", "T-BEFORE-LAWS", "relinked")
        ]
    );
    // Nothing changed: nothing announced.
    let again = import_law_tree(&db, laws.path()).unwrap();
    assert_eq!((again.relinked_items, again.announced_laws), (0, 0));
    // An older version is published (already 已修改); a corrected text of the stored one is
    // revised.
    let more = tempfile::tempdir().unwrap();
    law_tree(more.path(), &["2022-03-29", "2023-07-20"]);
    let current = more.path().join("行政法规/道路运输条例(2023-07-20).md");
    let text = std::fs::read_to_string(&current).unwrap();
    std::fs::write(&current, format!("{}（勘误）\n", text.trim_end())).unwrap();
    assert_eq!(import_law_tree(&db, more.path()).unwrap().announced_laws, 2);
    let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 100).unwrap();
    let laws: Vec<(&str, &str)> = feed
        .iter()
        .filter(|r| r.entity == "law")
        .map(|r| (r.kind.as_str(), r.entity_key.as_str()))
        .collect();
    assert_eq!(
        laws,
        [
            ("published", "中华人民共和国道路运输条例"),
            ("revised", "中华人民共和国道路运输条例"),
            ("published", "中华人民共和国道路运输条例")
        ]
    );
}

/// A reviewer approves a flagged item unchanged: the flag clears, the citation without a
/// version moves to the law in force now, and the feed says the item was reviewed (so the
/// index, mirrors and the quality report follow).
#[test]
fn approving_a_flagged_item_unchanged_clears_it_in_the_feed() {
    use quanze_registry::accounts::add_user;
    use quanze_registry::auth::{Principal, Role};
    use quanze_registry::workflow::{
        RevisionCondition, approve_draft, create_revision, submit_draft,
    };
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let db = open(&t);
        let before = tempfile::tempdir().unwrap();
        law_tree(before.path(), &["2022-03-29"]);
        import_law_tree(&db, before.path()).unwrap();
        let line = item(
            "T-REVIEWED",
            json!([{"role": "实施依据", "law": "道路运输条例", "article": "第十条"}]),
        );
        assert!(
            import_items_ndjson(&db, line.as_bytes(), &options())
                .unwrap()
                .committed
        );
        let after = tempfile::tempdir().unwrap();
        law_tree(after.path(), &["2022-03-29", "2023-07-20"]);
        assert_eq!(import_law_tree(&db, after.path()).unwrap().flagged_items, 1);

        let mut conn = db.conn().unwrap();
        let item_row = quanze_registry::repo::items::find_item_by_code(&mut conn, "T-REVIEWED")
            .unwrap()
            .unwrap();
        let department = item_row.department_id;
        let now = quanze_registry::repo::now();
        let operator = Principal::operator("test");
        let mut principal = |role: Role, username: &str| {
            let user = add_user(
                &mut conn,
                &operator,
                username,
                username,
                role,
                &[department],
                now,
            )
            .unwrap();
            Principal {
                user_id: user.row.id,
                username: username.into(),
                role,
                departments: vec![department],
                origin: "test".into(),
            }
        };
        let editor = principal(Role::Editor, "editor");
        let reviewer = principal(Role::Reviewer, "reviewer");
        // A revision started from the item as it stands, approved without a change.
        let draft = create_revision(
            &mut conn,
            &editor,
            "T-REVIEWED",
            None,
            Some("依据已复核"),
            now,
        )
        .unwrap();
        submit_draft(&mut conn, &editor, draft.id, &RevisionCondition::Any, now).unwrap();
        approve_draft(&mut conn, &reviewer, draft.id, &RevisionCondition::Any, now).unwrap();

        assert!(
            open_flags(&mut conn, item_row.id).unwrap().is_empty(),
            "{name}"
        );
        let resolved =
            quanze_registry::repo::laws::resolved_legal_bases(&mut conn, item_row.id).unwrap();
        assert_eq!(
            resolved[0].law_version.as_deref(),
            Some("2023-07-20"),
            "{name}"
        );
        let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 100).unwrap();
        let last = feed.last().unwrap();
        assert_eq!(
            (last.entity_key.as_str(), last.kind.as_str(), last.version),
            ("T-REVIEWED", "reviewed", 1),
            "{name}"
        );
    }
}
