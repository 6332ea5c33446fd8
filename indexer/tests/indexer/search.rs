//! Search behaviour on the demo data: filters, region prefixes, highlighting, facets,
//! suggestions, and any input whatsoever answered without an error.

use std::sync::OnceLock;

use proptest::prelude::*;
use quanze_indexer::SearchIndex;
use quanze_indexer::search::SearchRequest;
use quanze_registry::Database;
use quanze_testkit::TestDatabase;

use crate::{analysis, import_file};

/// One index over all demo items for the read-only tests of this module.
fn demo_index() -> &'static SearchIndex {
    static INDEX: OnceLock<(TestDatabase, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
            let db = Database::open(&t.url).unwrap();
            for f in [
                "guangan-511602-services",
                "transport",
                "traffic-police",
                "market-regulation",
            ] {
                import_file(&db, &format!("demo/items/{f}.ndjson"));
            }
            let index = SearchIndex::open(&t.dir.path().join("index"), analysis(), true).unwrap();
            index.catch_up(&db).unwrap();
            (t, index)
        })
        .1
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        per_page: 10,
        ..Default::default()
    }
}

#[test]
fn traditional_and_simplified_queries_agree() {
    let index = demo_index();
    let simplified = index.search(&req("网约车")).unwrap();
    let traditional = index.search(&req("網約車")).unwrap();
    assert!(simplified.total > 0);
    assert_eq!(simplified.total, traditional.total);
    let codes = |r: &quanze_indexer::SearchResponse| {
        r.hits.iter().map(|h| h.code.clone()).collect::<Vec<_>>()
    };
    assert_eq!(codes(&simplified), codes(&traditional));
    assert!(
        simplified.hits[0].name.contains("网络预约出租汽车")
            || simplified.hits[0].name.contains("网约车"),
        "{:?}",
        simplified.hits[0]
    );
}

#[test]
fn filters_narrow_and_region_prefix_covers_children() {
    let index = demo_index();
    let all = index
        .search(&SearchRequest {
            per_page: 1,
            ..Default::default()
        })
        .unwrap();
    let sichuan = index
        .search(&SearchRequest {
            region: Some("510000".into()),
            per_page: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        sichuan.total, all.total,
        "every demo region is in 四川 (51)"
    );
    let guangan = index
        .search(&SearchRequest {
            region: Some("511602000000".into()),
            per_page: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(guangan.total, 1135);
    let penalties = index
        .search(&SearchRequest {
            q: "出租汽车".into(),
            categories: vec!["行政处罚".into()],
            per_page: 100,
            ..Default::default()
        })
        .unwrap();
    assert!(penalties.total > 0);
    assert!(
        penalties
            .hits
            .iter()
            .all(|h| h.category == "penalty" && h.category_label == "行政处罚")
    );
    assert_eq!(
        penalties.facets.category.keys().collect::<Vec<_>>(),
        ["penalty"]
    );
    let by_name = index
        .search(&SearchRequest {
            q: "许可".into(),
            department: Some("临江市交通运输局".into()),
            per_page: 100,
            ..Default::default()
        })
        .unwrap();
    assert!(
        by_name.total > 0
            && by_name
                .hits
                .iter()
                .all(|h| h.department == "临江市交通运输局")
    );
    let dept_id = by_name.hits[0].department_id.to_string();
    let by_id = index
        .search(&SearchRequest {
            q: "许可".into(),
            department: Some(dept_id),
            per_page: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_id.total, by_name.total);
    for (param, bad) in [
        (
            "category",
            SearchRequest {
                categories: vec!["x".into()],
                ..req("a")
            },
        ),
        (
            "region",
            SearchRequest {
                region: Some("12".into()),
                ..req("a")
            },
        ),
        (
            "status",
            SearchRequest {
                status: Some("draft".into()),
                ..req("a")
            },
        ),
    ] {
        match index.search(&bad) {
            Err(quanze_indexer::IndexError::InvalidParameter { parameter, .. }) => {
                assert_eq!(parameter, param)
            }
            other => panic!("{param}: {other:?}"),
        }
    }
}

#[test]
fn snippets_highlight_and_escape() {
    let index = demo_index();
    let r = index.search(&req("延缓入学")).unwrap();
    assert!(
        r.hits[0].snippet.contains("<em>延缓入学</em>"),
        "{}",
        r.hits[0].snippet
    );
    let r = index
        .search(&req("<script>alert(1)</script>出租车"))
        .unwrap();
    for h in &r.hits {
        assert!(!h.snippet.contains("<script>"));
        assert!(
            h.snippet
                .replace("<em>", "")
                .replace("</em>", "")
                .find('<')
                .is_none(),
            "{}",
            h.snippet
        );
    }
}

#[test]
fn codes_and_their_leading_segments_find_the_item() {
    let index = demo_index();
    let code = "511A0138000000-511602000000-000-115113010833722043-1-00";
    assert_eq!(index.search(&req(code)).unwrap().hits[0].code, code);
    assert_eq!(
        index.search(&req("511A0138000000")).unwrap().hits[0].code,
        code
    );
    assert_eq!(
        index.search(&req("511a0138000000")).unwrap().hits[0].code,
        code
    );
    // Typed as far as the middle of a segment.
    let catalogue = index.search(&req("G-000007-00")).unwrap();
    assert!(
        catalogue
            .hits
            .iter()
            .any(|h| h.code.starts_with("G-000007-001")),
        "{:?}",
        catalogue.hits.iter().map(|h| &h.code).collect::<Vec<_>>()
    );
}

#[test]
fn suggestions_complete_prefixes() {
    let index = demo_index();
    let s = index.suggest("道路货物", 10).unwrap();
    assert!(!s.is_empty() && s.len() <= 10);
    assert!(s.iter().all(|x| x.name.starts_with("道路货物")), "{s:?}");
    let t = index.suggest("道路貨物", 10).unwrap();
    assert_eq!(s, t);
    assert!(index.suggest("   ", 10).unwrap().is_empty());
}

#[test]
fn empty_query_lists_and_paging_is_capped() {
    let index = demo_index();
    let r = index
        .search(&SearchRequest {
            page: 2,
            per_page: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.per_page, 100);
    assert_eq!(r.hits.len(), 100);
    assert!(
        index
            .search(&SearchRequest {
                page: 1000,
                per_page: 100,
                ..Default::default()
            })
            .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn any_query_text_is_answered(q in "\\PC{0,200}|[()\\[\\]{}:^~*?\"'+\\-!&|\\\\/ ]{0,30}|[\\x00-\\x1f]{0,10}") {
        let index = demo_index();
        let r = index.search(&req(&q));
        prop_assert!(r.is_ok(), "{:?}", r.err());
        let _ = index.suggest(&q, 10).unwrap();
    }
}

#[test]
fn ten_kilobytes_of_text_is_answered() {
    let q = "出租车".repeat(3500);
    assert!(demo_index().search(&req(&q)).is_ok());
}

/// Servers following one database build their indexes at different times: one in a single
/// pass (item order), another change by change (segments in another order). Equal scores —
/// the same power in many places — must still come in one order, by item id, so that the same
/// request gets the same page from every server.
#[test]
fn equal_scores_come_in_item_order_whatever_the_segments() {
    use quanze_indexer::schema::IndexableItem;
    use quanze_registry::interchange::{DepartmentRef, PowerItemRecord};

    // 1,500 places with one name (more than a WAND pruning round keeps), 500 others.
    let item = |id: i64| IndexableItem {
        id,
        status: "published".into(),
        department_id: 1 + id % 7,
        law_ids: vec![],
        record: PowerItemRecord {
            code: format!("T{id:08}"),
            name: if id % 4 == 0 {
                format!("道路货物运输站场经营备案（第{id}号）")
            } else {
                "出租汽车经营许可".into()
            },
            category: if id % 3 == 0 {
                "inspection"
            } else {
                "licensing"
            }
            .into(),
            department: DepartmentRef {
                name: "临江市交通运输局".into(),
                uscc: None,
                region: "511600".into(),
            },
            ..Default::default()
        },
    };
    let ids: Vec<i64> = (1..=2000).collect();
    let dir = tempfile::tempdir().unwrap();
    let at_once = SearchIndex::open(&dir.path().join("at-once"), analysis(), true).unwrap();
    at_once.bulk_index(ids.iter().map(|&id| item(id))).unwrap();
    let piecemeal = SearchIndex::open(&dir.path().join("piecemeal"), analysis(), true).unwrap();
    for batch in ids.rchunks(150) {
        piecemeal
            .bulk_index(batch.iter().rev().map(|&id| item(id)))
            .unwrap();
    }
    assert!(piecemeal.live().reader.searcher().segment_readers().len() > 1);

    let codes = |index: &SearchIndex, request: &SearchRequest| {
        let r = index.search(request).unwrap();
        (
            r.total,
            r.hits.into_iter().map(|h| h.code).collect::<Vec<_>>(),
        )
    };
    let requests = [
        SearchRequest {
            q: "出租汽车".into(),
            page: 1,
            per_page: 10,
            ..Default::default()
        },
        SearchRequest {
            q: "出租汽车经营许可".into(),
            page: 7,
            per_page: 10,
            ..Default::default()
        },
        SearchRequest {
            q: "经营".into(),
            page: 2,
            per_page: 50,
            ..Default::default()
        },
        SearchRequest {
            q: "".into(),
            page: 3,
            per_page: 20,
            ..Default::default()
        },
        SearchRequest {
            categories: vec!["inspection".into()],
            page: 1,
            per_page: 10,
            ..Default::default()
        },
    ];
    for request in &requests {
        let (total, first) = codes(&at_once, request);
        assert_eq!(
            codes(&piecemeal, request),
            (total, first.clone()),
            "{request:?}"
        );
        assert!(!first.is_empty(), "{request:?}");
        if request.q != "经营" {
            // Every hit here ties with the next: the page runs up the item ids.
            let mut sorted = first.clone();
            sorted.sort();
            assert_eq!(first, sorted, "{request:?}");
        }
    }
    let (_, first_page) = codes(&piecemeal, &requests[0]);
    assert_eq!(first_page[0], "T00000001");
    // Suggestions too: shortest names first, equal ones by id.
    let suggested = |index: &SearchIndex| {
        let s = index.suggest("出租", 5).unwrap();
        s.into_iter().map(|s| s.code).collect::<Vec<_>>()
    };
    assert_eq!(
        suggested(&piecemeal),
        [
            "T00000001",
            "T00000002",
            "T00000003",
            "T00000005",
            "T00000006"
        ]
    );
    assert_eq!(suggested(&at_once), suggested(&piecemeal));
}
