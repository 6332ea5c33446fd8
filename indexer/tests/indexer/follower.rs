//! The follower applies the outbox in order, resumes from the sequence in its last commit,
//! and a rebuild swaps a new generation in while searches keep answering.

use quanze_indexer::SearchIndex;
use quanze_indexer::index::rebuild;
use quanze_registry::Database;
use quanze_registry::repo::history::max_outbox_seq;
use quanze_testkit::TestDatabase;

use crate::{analysis, import_file, options, search};

#[test]
fn follower_applies_changes_and_resumes_from_its_commit() {
    for t in TestDatabase::each() {
        let db = Database::open(&t.url).unwrap();
        import_file(&db, "demo/items/guangan-511602-services.ndjson");
        let root = t.dir.path().join("index");
        // The feed also announces the departments (the index leaves those entries alone).
        let (rows, items_in_first_500) = {
            let mut conn = db.conn().unwrap();
            let feed = quanze_registry::repo::history::outbox_since(&mut conn, 0, 10_000).unwrap();
            let items = feed.iter().take(500).filter(|r| r.is_item()).count() as u64;
            (feed.len(), items)
        };
        assert!(items_in_first_500 < 500, "departments are in the feed");
        {
            let index = SearchIndex::open(&root, analysis(), true).unwrap();
            assert_eq!(index.document_count(), 0);
            assert_eq!(index.apply_pending(&db, 500).unwrap(), 500);
            assert_eq!(index.live().applied_seq().unwrap(), 500);
            assert_eq!(index.document_count(), items_in_first_500);
            // Dropped without further commits: as if the process died here.
        }
        let index = SearchIndex::open(&root, analysis(), true).unwrap();
        assert_eq!(
            index.live().applied_seq().unwrap(),
            500,
            "{}",
            t.backend.name()
        );
        assert_eq!(index.catch_up(&db).unwrap(), rows - 500);
        assert_eq!(index.document_count(), 1135);
        assert_eq!(index.lag(&db).unwrap(), 0);

        // A revision is searchable after the next apply; the old name is gone.
        let code = "511A0138000000-511602000000-000-115113010833722043-1-00";
        let line = std::fs::read_to_string(
            crate::repo_root().join("demo/items/guangan-511602-services.ndjson"),
        )
        .unwrap()
        .lines()
        .find(|l| l.contains(code))
        .unwrap()
        .replace(
            "适龄儿童、少年因身体状况需要延缓入学或者休学审批",
            "适龄儿童延缓入学审批（修订）",
        );
        quanze_registry::import::items::import_items_ndjson(&db, line.as_bytes(), &options())
            .unwrap();
        assert_eq!(index.lag(&db).unwrap(), 1);
        // How long the change has waited, from when this index first saw it, grows until it is
        // applied, then is none.
        assert!(index.progress(&db).unwrap().waiting_seconds < 1.0);
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let waiting = index.progress(&db).unwrap().waiting_seconds;
        assert!((1.0..60.0).contains(&waiting), "{waiting}");
        assert_eq!(index.apply_pending(&db, 100).unwrap(), 1);
        assert_eq!(index.progress(&db).unwrap().waiting_seconds, 0.0);
        let hits = search(&index, "延缓入学").hits;
        assert_eq!(hits[0].code, code);
        assert_eq!(hits[0].name, "适龄儿童延缓入学审批（修订）");
        let old_name = search(&index, "适龄儿童、少年因身体状况需要延缓入学或者休学审批");
        assert!(
            old_name
                .hits
                .iter()
                .filter(|h| h.code == code)
                .all(|h| h.name == "适龄儿童延缓入学审批（修订）")
        );
        assert_eq!(
            index.document_count(),
            1135,
            "an update replaces, never duplicates"
        );
        // Totals and facets count the replaced document once: the old one is deleted in its
        // segment, the new one is in a segment the reader's warmer gave a facet table.
        let all = search(&index, "");
        assert_eq!(all.total, 1135);
        for (facet, counts) in [
            ("category", &all.facets.category),
            ("department", &all.facets.department),
            ("region", &all.facets.region),
        ] {
            assert_eq!(counts.values().sum::<u64>(), 1135, "{facet}");
        }
        let live = index.live();
        for segment in live.reader.searcher().segment_readers() {
            assert!(live.facet_tables.has_table(segment.segment_id()));
        }
        let revised = search(&index, "适龄儿童延缓入学审批（修订）");
        assert_eq!(
            revised.facets.category.values().sum::<u64>() as usize,
            revised.total
        );
        let mut conn = db.conn().unwrap();
        assert_eq!(
            index.live().applied_seq().unwrap(),
            max_outbox_seq(&mut conn).unwrap()
        );
    }
}

#[test]
fn rebuild_swaps_generations_while_searches_answer() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = Database::open(&t.url).unwrap();
    import_file(&db, "demo/items/guangan-511602-services.ndjson");
    let root = t.dir.path().join("index");
    let index = SearchIndex::open(&root, analysis(), true).unwrap();
    index.catch_up(&db).unwrap();
    let old = index.live();
    let before = search(&index, "道路运输证").total;
    assert!(before > 0);

    // Another process (quanze reindex) builds the next generation beside the live one.
    let built = rebuild(&root, &db, &analysis()).unwrap();
    assert_eq!(built, 1135);
    // Until the follower notices, searches use the old generation and still answer.
    assert_eq!(search(&index, "道路运输证").total, before);
    assert!(index.check_for_new_generation().unwrap());
    assert_ne!(index.live().name, old.name);
    assert_eq!(search(&index, "道路运输证").total, before);
    assert_eq!(index.document_count(), 1135);
    // The rebuild recorded the outbox position: nothing is pending or applied twice.
    assert_eq!(index.lag(&db).unwrap(), 0);
    assert_eq!(index.catch_up(&db).unwrap(), 0);
    // The old generation's files are gone from disk, while its open searcher still works.
    assert!(!root.join(&old.name).exists());
    assert!(old.reader.searcher().num_docs() > 0);
}

/// Only published and revoked items enter the index, and a refused batch leaves nothing
/// behind for the next commit to pick up.
#[test]
fn bulk_index_refuses_unpublished_items_and_keeps_nothing_of_the_batch() {
    use quanze_indexer::IndexError;
    use quanze_indexer::schema::IndexableItem;
    use quanze_registry::interchange::{DepartmentRef, PowerItemRecord};

    let item = |id: i64, status: &str| IndexableItem {
        id,
        status: status.into(),
        department_id: 1,
        law_ids: vec![],
        record: PowerItemRecord {
            code: format!("T{id:08}"),
            name: "出租汽车经营许可".into(),
            category: "licensing".into(),
            department: DepartmentRef {
                name: "临江市交通运输局".into(),
                uscc: None,
                region: "511600".into(),
            },
            ..Default::default()
        },
    };
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(&dir.path().join("index"), analysis(), true).unwrap();
    let refused = index.bulk_index([item(1, "published"), item(2, "draft")]);
    assert!(
        matches!(refused, Err(IndexError::NotSearchable { id: 2, .. })),
        "{refused:?}"
    );
    assert_eq!(index.bulk_index([item(3, "revoked")]).unwrap(), 1);
    assert_eq!(
        index.document_count(),
        1,
        "item 1 of the refused batch stays out"
    );
    assert_eq!(
        search(&index, "出租汽车").total,
        0,
        "revoked items are not in default search"
    );
}

/// An index written by an older version (another schema) is not read with this version's
/// fields: a new generation replaces it and the follower fills it from the start of the outbox.
#[test]
fn an_index_of_an_older_schema_is_replaced_and_filled_again() {
    let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
    let db = Database::open(&t.url).unwrap();
    import_file(&db, "demo/items/transport.ndjson");
    let root = t.dir.path().join("index");
    let plant_old_generation = || {
        let old = root.join("gen-000000000000000000000001");
        std::fs::create_dir_all(&old).unwrap();
        let mut schema = tantivy::schema::Schema::builder();
        schema.add_u64_field("id", tantivy::schema::INDEXED);
        tantivy::Index::create_in_dir(&old, schema.build()).unwrap();
        std::fs::write(root.join("CURRENT"), "gen-000000000000000000000001").unwrap();
    };
    plant_old_generation();

    let index = SearchIndex::open(&root, analysis(), true).unwrap();
    assert_ne!(index.live().name, "gen-000000000000000000000001");
    assert_eq!(index.live().applied_seq().unwrap(), 0);
    index.catch_up(&db).unwrap();
    assert!(search(&index, "道路运输").total > 0);
    // A reader-only process does not guess: it refuses an index it cannot read.
    plant_old_generation();
    assert!(SearchIndex::open(&root, analysis(), false).is_err());
}

/// A generation built by an older analysis (one without the version file, or another version)
/// is rebuilt at start rather than searched beside documents written the new way.
#[test]
fn a_generation_of_an_older_analysis_needs_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("index");
    drop(SearchIndex::open(&root, analysis(), true).unwrap());
    assert!(!quanze_indexer::index::needs_rebuild(&root, &analysis()).unwrap());
    let current = std::fs::read_to_string(root.join("CURRENT")).unwrap();
    let version = root.join(current.trim()).join("analysis-version");
    std::fs::write(&version, "1").unwrap();
    assert!(quanze_indexer::index::needs_rebuild(&root, &analysis()).unwrap());
    std::fs::remove_file(&version).unwrap();
    assert!(quanze_indexer::index::needs_rebuild(&root, &analysis()).unwrap());
}
