//! The semantic channel over a real index: the demo data's committed vectors are current, a
//! question in everyday words reaches its item through it, filters hold in it, and an item
//! revised or revoked leaves its results at the next apply.

use std::collections::BTreeSet;
use std::time::Duration;

use quanze_indexer::SearchIndex;
use quanze_indexer::passage::{passage_key, passage_text};
use quanze_indexer::search::{MatchKind, SearchRequest};
use quanze_indexer::semantic::Semantic;
use quanze_indexer::semantic::store::VectorStore;
use quanze_registry::auth::{Principal, Role};
use quanze_testkit::TestDatabase;

use crate::{guangan_hybrid_index, model_path, repo_root, search, semantic};

/// Every distinct passage of the demo items.
fn demo_passages() -> BTreeSet<(u64, String)> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(repo_root().join("demo/items")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let passage = passage_text(v["name"].as_str().unwrap());
            out.insert((passage_key(&passage), passage));
        }
    }
    out
}

/// `demo/vectors` holds the vector of every demo item name, as the model computes it now
/// (`QUANZE_BLESS=1` embeds the missing ones into it).
#[test]
fn demo_vectors_are_current() {
    let dir = repo_root().join("demo/vectors");
    let passages = demo_passages();
    if std::env::var_os("QUANZE_BLESS").is_some() {
        let store = Semantic::load(&model_path(), Some(&dir)).unwrap();
        store.request(passages.iter().cloned());
        assert!(store.wait_idle(Duration::from_secs(3_600)));
    }
    let s = semantic();
    let seed = VectorStore::read_file(&dir, s.model_id(), s.store().dim()).unwrap();
    let stored: std::collections::HashMap<u64, _> = seed.into_iter().collect();
    let missing: Vec<&String> = passages
        .iter()
        .filter(|(k, _)| !stored.contains_key(k))
        .map(|(_, t)| t)
        .collect();
    assert!(
        missing.is_empty(),
        "demo/vectors lacks {} demo names (run the test with QUANZE_BLESS=1): {:?}",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>()
    );
    // A sample embedded again agrees with what is stored.
    for (key, text) in passages.iter().step_by(passages.len() / 6 + 1) {
        let fresh = s.embedder().passage(text);
        let v = &stored[key];
        let cosine: f32 = fresh
            .iter()
            .zip(&v.components)
            .map(|(a, b)| a * f32::from(*b) * v.scale)
            .sum();
        assert!(cosine > 0.99, "{text}: cosine {cosine}");
    }
}

/// An index of the 广安区 items with the semantic channel, for the read-only tests here.
fn hybrid_index() -> &'static SearchIndex {
    static INDEX: std::sync::OnceLock<(TestDatabase, SearchIndex)> = std::sync::OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let t = TestDatabase::new(quanze_testkit::Backend::Sqlite).unwrap();
            let (_, index) = guangan_hybrid_index(&t);
            (t, index)
        })
        .1
}

fn show(r: &quanze_indexer::SearchResponse) -> Vec<String> {
    r.hits
        .iter()
        .map(|h| format!("{} {:?} {:?}", h.name, h.match_kind, h.similarity))
        .collect()
}

#[test]
fn a_question_in_everyday_words_reaches_its_item_through_the_semantic_channel() {
    let index = hybrid_index();
    // What the citizen needs on the first page: marriage registration itself (补领结婚证, a
    // lost certificate's replacement, once answered the first question from the second place;
    // follow-up procedures now rank after first ones), a disability benefit.
    for (question, wanted) in [
        ("我想跟女朋友去领证成家", "结婚登记"),
        ("家里有人落下了残疾 能领什么钱", "残疾"),
    ] {
        let lexical = index
            .search(&SearchRequest {
                q: question.into(),
                per_page: 10,
                lexical_only: true,
                ..Default::default()
            })
            .unwrap();
        let r = search(index, question);
        eprintln!(
            "{question}\n  lexical {:?}\n  hybrid {:?}",
            show(&lexical),
            show(&r)
        );
        assert!(r.semantic);
        let found = r.hits.iter().take(10).find(|h| h.name.contains(wanted));
        let found = found.unwrap_or_else(|| panic!("{question}: {:?}", show(&r)));
        assert!(found.similarity.is_some());
        assert!(!r.no_good_match, "{question}");
    }
    // Codes are the words' business alone.
    let code = search(index, "511A0138000000");
    assert!(!code.semantic);
    assert!(code.hits.iter().all(|h| h.match_kind == MatchKind::Lexical));
}

/// The life-situation and needs vocabularies (indexer/data/situations.txt, needs.txt) reach
/// the item by words alone, over the real 广安区 items: no item name holds these phrases.
#[test]
fn situations_and_needs_reach_their_items_by_words_alone() {
    let index = hybrid_index();
    for (phrase, wanted) in [
        ("工资被拖欠了", "劳动人事争议仲裁"),
        ("刚生了孩子", "出生医学证明"),
    ] {
        let r = index
            .search(&SearchRequest {
                q: phrase.into(),
                per_page: 10,
                lexical_only: true,
                ..Default::default()
            })
            .unwrap();
        assert!(
            r.hits.iter().any(|h| h.name.contains(wanted)),
            "{phrase}: {:?}",
            show(&r)
        );
    }
}

#[test]
fn filters_hold_in_the_semantic_channel() {
    let index = hybrid_index();
    let everything = search(index, "老人去世以后家属要办的事");
    let department = everything.hits[0].department_id;
    let category = everything.hits[0].category.clone();
    let asked = |department: Option<String>, categories: Vec<String>, status: Option<&str>| {
        index
            .search(&SearchRequest {
                q: "老人去世以后家属要办的事".into(),
                department,
                categories,
                status: status.map(str::to_string),
                per_page: 50,
                ..Default::default()
            })
            .unwrap()
    };
    let by_department = asked(Some(department.to_string()), vec![], None);
    let by_category = asked(None, vec![category.clone()], None);
    for r in [&by_department, &by_category] {
        assert!(
            r.hits.iter().any(|h| h.match_kind == MatchKind::Semantic),
            "{:?}",
            show(r)
        );
        // Every hit is in the facet counts.
        assert_eq!(
            r.facets.category.values().sum::<u64>() as usize,
            r.total,
            "{:?}",
            r.facets
        );
    }
    assert!(
        by_department
            .hits
            .iter()
            .all(|h| h.department_id == department)
    );
    assert!(by_category.hits.iter().all(|h| h.category == category));
    // Nothing is revoked yet: asking for revoked items finds none, by words or by meaning.
    assert_eq!(asked(None, vec![], Some("revoked")).total, 0);
    assert_eq!(
        asked(None, vec![], Some("all")).total,
        asked(None, vec![], None).total
    );
    // Paging through the fused head and past it repeats nothing and loses nothing.
    let mut seen = BTreeSet::new();
    let pages = everything.total.div_ceil(7).min(12);
    for page in 1..=pages {
        let r = index
            .search(&SearchRequest {
                q: "老人去世以后家属要办的事".into(),
                page,
                per_page: 7,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(r.total, everything.total);
        for h in r.hits {
            assert!(seen.insert(h.id), "{} repeated on page {page}", h.name);
        }
    }
    assert_eq!(seen.len(), everything.total.min(pages * 7));
}

#[test]
fn a_revised_or_revoked_item_leaves_the_semantic_results_at_the_next_apply() {
    for t in TestDatabase::each() {
        let (db, index) = guangan_hybrid_index(&t);
        let question = "我想跟女朋友去领证成家";
        let before = search(&index, question);
        let target = before
            .hits
            .iter()
            .find(|h| h.match_kind == MatchKind::Semantic && h.name.contains("婚"))
            .unwrap_or_else(|| panic!("{:?}", show(&before)))
            .clone();
        let admin = Principal {
            user_id: 0,
            username: "tester".into(),
            role: Role::Admin,
            departments: vec![],
            origin: "test".into(),
        };
        let mut conn = db.conn().unwrap();
        quanze_registry::workflow::revoke_item(
            &mut conn,
            &admin,
            &target.code,
            Some("测试撤销"),
            chrono::Utc::now().naive_utc(),
        )
        .unwrap();
        drop(conn);
        index.catch_up(&db).unwrap();
        let after = search(&index, question);
        assert!(
            after.hits.iter().all(|h| h.id != target.id),
            "{}: {:?}",
            t.backend.name(),
            show(&after)
        );
        // Asked for revoked items, it is there, still found by meaning.
        let revoked = index
            .search(&SearchRequest {
                q: question.into(),
                status: Some("revoked".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(revoked.hits.len(), 1, "{:?}", show(&revoked));
        assert_eq!(revoked.hits[0].id, target.id);

        // A revised name is searched by its new meaning once its vector is made.
        let other = before
            .hits
            .iter()
            .find(|h| h.id != target.id && h.match_kind == MatchKind::Semantic)
            .unwrap()
            .clone();
        let line =
            std::fs::read_to_string(repo_root().join("demo/items/guangan-511602-services.ndjson"))
                .unwrap()
                .lines()
                .find(|l| l.contains(&other.code))
                .unwrap()
                .replace(
                    &format!("\"name\": \"{}\"", other.name),
                    "\"name\": \"船舶油污损害赔偿登记\"",
                );
        quanze_registry::import::items::import_items_ndjson(
            &db,
            line.as_bytes(),
            &crate::options(),
        )
        .unwrap();
        index.catch_up(&db).unwrap();
        assert!(semantic().wait_idle(Duration::from_secs(60)));
        let after = search(&index, question);
        assert!(
            after.hits.iter().all(|h| h.id != other.id),
            "{:?}",
            show(&after)
        );
    }
}

#[test]
fn a_first_time_question_gets_the_first_procedure_before_its_follow_ups() {
    let index = hybrid_index();
    let family = |r: &quanze_indexer::SearchResponse| -> Vec<String> {
        r.hits
            .iter()
            .filter(|h| h.name.starts_with("网络预约出租汽车"))
            .map(|h| h.name.clone())
            .collect()
    };
    // Asked the first time: the family's first hit is no 补办, 换证 or 变更 (without the
    // follow-up order it was 经营许可证到期换证).
    let first_time = search(index, "我想跑网约车得办啥证");
    let names = family(&first_time);
    assert!(!names.is_empty(), "{:?}", show(&first_time));
    assert!(
        !quanze_indexer::follow_up::is_follow_up(&names[0]),
        "{names:?}"
    );
    // Asked for a follow-up: it is not pushed down.
    let lost = search(index, "网约车运输证丢了怎么补");
    assert!(
        lost.hits.iter().take(5).any(|h| h.name.contains("补办")),
        "{:?}",
        show(&lost)
    );
}
