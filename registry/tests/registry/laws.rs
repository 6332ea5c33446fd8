//! LawRefBook import on the real law texts shipped in demo/laws (and the whole tree in
//! ../shared when it is there), and the links from legal bases to stored articles.

use quanze_registry::import::items::import_items_ndjson;
use quanze_registry::import::laws::import_law_tree;
use quanze_registry::repo::items::find_item_by_code;
use quanze_registry::repo::laws::{find_law_versions, list_articles, resolved_legal_bases};
use quanze_testkit::TestDatabase;

use crate::{open, options, repo_root};

#[test]
fn demo_laws_import_with_numbering_and_superseded_versions() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let report = import_law_tree(&db, &repo_root().join("demo/laws")).unwrap();
        assert!(report.laws >= 20, "{report:?}");
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(report.superseded, 2, "道路运输条例 has three versions");

        let mut conn = db.conn().unwrap();
        let versions = find_law_versions(&mut conn, "中华人民共和国道路运输条例").unwrap();
        let dates: Vec<String> = versions
            .iter()
            .map(|v| v.version_date.unwrap().to_string())
            .collect();
        assert_eq!(dates, ["2019-03-02", "2022-03-29", "2023-07-20"]);
        let statuses: Vec<&str> = versions.iter().map(|v| v.status.as_str()).collect();
        assert_eq!(statuses, ["已修改", "已修改", "现行有效"]);
        assert_eq!(versions[0].supersedes_id, None);
        assert_eq!(versions[1].supersedes_id, Some(versions[0].id));
        assert_eq!(versions[2].supersedes_id, Some(versions[1].id));
        assert_eq!(versions[2].level, "行政法规");
        assert_eq!(versions[2].issuer.as_deref(), Some("国务院"));
        // The short title finds it too.
        assert_eq!(
            find_law_versions(&mut conn, "道路运输条例").unwrap().len(),
            3
        );

        let articles = list_articles(&mut conn, versions[2].id).unwrap();
        assert_eq!(articles.len() as i32, versions[2].article_count);
        let numbers: Vec<i32> = articles.iter().map(|a| a.number).collect();
        assert_eq!(
            numbers,
            (1..=numbers.len() as i32).collect::<Vec<_>>(),
            "articles are numbered 1..n in order"
        );
        let a63 = &articles[62];
        assert_eq!(a63.label, "第六十三条");
        assert!(a63.text.starts_with("违反本条例的规定"), "{}", a63.text);
        assert_eq!(a63.chapter.as_deref(), Some("第六章 法律责任"));

        // Importing the same tree again replaces, never duplicates.
        let again = import_law_tree(&db, &repo_root().join("demo/laws")).unwrap();
        assert_eq!(again.laws, report.laws);
        let (laws, articles_total) = quanze_registry::repo::laws::count_laws(&mut conn).unwrap();
        assert_eq!(
            (laws as usize, articles_total as usize),
            (report.laws, report.articles)
        );
    }
}

#[test]
fn legal_bases_link_to_articles_whichever_comes_first() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let items =
            std::fs::read_to_string(repo_root().join("demo/items/transport.ndjson")).unwrap();
        // Items before laws: nothing to link yet; the laws import links them.
        import_items_ndjson(&db, items.as_bytes(), &options()).unwrap();
        let report = import_law_tree(&db, &repo_root().join("demo/laws")).unwrap();
        assert!(report.linked_bases > 100, "{report:?}");

        let first: quanze_registry::interchange::PowerItemRecord =
            serde_json::from_str(items.lines().find(|l| l.contains("\"penalty\"")).unwrap())
                .unwrap();
        let mut conn = db.conn().unwrap();
        let item = find_item_by_code(&mut conn, &first.code).unwrap().unwrap();
        let links = resolved_legal_bases(&mut conn, item.id).unwrap();
        assert_eq!(
            links.len(),
            first.legal_bases.len(),
            "every basis links to its law"
        );
        for (link, basis) in links.iter().zip(&first.legal_bases) {
            assert!(
                link.article_id.is_some(),
                "{} {:?} not linked",
                basis.law,
                basis.article
            );
            assert_eq!(link.article_label.as_deref(), basis.article.as_deref());
            assert_eq!(Some(link.law_title.as_str()), Some(basis.law.as_str()));
        }

        // Laws before items: linked at item import.
        let fresh = TestDatabase::new(t.backend).unwrap();
        let db2 = open(&fresh);
        import_law_tree(&db2, &repo_root().join("demo/laws")).unwrap();
        import_items_ndjson(&db2, items.as_bytes(), &options()).unwrap();
        let mut conn2 = db2.conn().unwrap();
        let item2 = find_item_by_code(&mut conn2, &first.code).unwrap().unwrap();
        let links2 = resolved_legal_bases(&mut conn2, item2.id).unwrap();
        assert_eq!(links2.len(), first.legal_bases.len());
        assert!(links2.iter().all(|l| l.article_id.is_some()));
    }
}

/// The whole real tree, when ../shared/data/laws is beside the repository (it is in CI).
#[test]
fn whole_lawrefbook_tree_imports() {
    let root = repo_root().join("../shared/data/laws");
    if !root.is_dir() {
        eprintln!("skipping: {} not present", root.display());
        return;
    }
    for t in TestDatabase::each() {
        let db = open(&t);
        let report = import_law_tree(&db, &root).unwrap();
        let index_pages = report
            .skipped
            .iter()
            .filter(|(p, _)| p.ends_with("_index.md"))
            .count();
        assert_eq!(
            report.skipped.len(),
            index_pages,
            "only section index pages are skipped: {:?}",
            report.skipped
        );
        assert_eq!(report.laws + report.skipped.len(), report.files);
        assert!(
            report.laws > 3400 && report.articles > 140_000,
            "{report:?}"
        );
        eprintln!(
            "{}: {} laws, {} articles in {:.1}s",
            t.backend.name(),
            report.laws,
            report.articles,
            report.elapsed.as_secs_f64()
        );
    }
}
