//! Several `quanze serve` processes on one PostgreSQL database, each with its own data dir and
//! index following the same outbox (../shared/DESIGN.md, "Growing past one machine"): a change
//! approved through one is searchable on the others within a second; a server killed with -9
//! during a burst of changes catches up with nothing missing or doubled; a `reindex` beside
//! one server disturbs no other; and any server gives the same answer to the same request.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use quanze_testkit::server::{department_id_named, enc};
use quanze_testkit::{Backend, TestDatabase};

use crate::support::{
    approve, check_consistent, department_codes, kill_9, submitted_edit, user_token,
};
use crate::{Server, quanze};

/// Waits until `server` finds `code` under `name`; returns how long that took.
fn searchable(server: &Server, code: &str, name: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, _, body) = server.get(&format!(
            "/api/v1/search?q={}&semantic=false&per_page=5",
            enc(name)
        ));
        assert_eq!(status, 200, "{body}");
        let found = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["code"] == code && h["name"] == name);
        if found {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{} did not find {code} as {name} within {limit:?}",
            server.base
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Body and ETag of a GET (a streamed export has none).
fn body_and_etag(server: &Server, path: &str) -> (String, Option<String>) {
    let mut r = server
        .agent
        .get(format!("{}{path}", server.base))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{path} on {}", server.base);
    let etag = r
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_string());
    assert!(
        etag.is_some() || path.contains("/export"),
        "{path} has no ETag"
    );
    (r.body_mut().read_to_string().unwrap(), etag)
}

#[test]
fn servers_on_one_postgresql_database_stay_one_registry() {
    let Some(t) = TestDatabase::new(Backend::Postgres) else {
        return;
    };
    let data = |name: &str| t.dir.path().join(name);
    assert!(quanze(&t, &data("a"), &["demo"]).status.success());
    let editor = user_token(&t, &data("a"), "clerk", "editor");
    let reviewer = user_token(&t, &data("a"), "chief", "reviewer");
    // Three servers start together on the database `quanze demo` filled; each builds its own
    // index from the outbox.
    let spawn = |n: &str| Server::spawn(crate::bin(), &t, &data(n), Server::NO_RATE_LIMITS, &[]);
    let (a, mut b, c) = (spawn("a"), spawn("b"), spawn("c"));
    for s in [&a, &b, &c] {
        s.wait_ready();
    }
    let transport = department_id_named(&a, "临江市交通运输局");
    let codes = department_codes(&a, transport);
    assert!(codes.len() >= 20);

    // A change approved through A is searchable on B and C within a second (the followers
    // poll every 200 ms).
    let name = "城市道路占用挖掘审批（多服务器测试）";
    let draft = submitted_edit(&a, &editor, &codes[0], |r| r["name"] = name.into());
    assert_eq!(approve(&a, &reviewer, draft), 200);
    let approved = Instant::now();
    for s in [&b, &c] {
        searchable(s, &codes[0], name, Duration::from_secs(5));
    }
    let both = approved.elapsed();
    eprintln!("a change approved on A was searchable on B and C after {both:?}");
    assert!(both < Duration::from_secs(2), "{both:?}");

    // B is killed with -9 during a burst of changes made through A and C, then restarted: it
    // catches up with nothing missing or doubled.
    let made = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for (i, code) in codes.iter().enumerate().skip(1).take(16) {
                let through = if i % 2 == 0 { &a } else { &c };
                let name = format!("突发变更{i}号事项");
                let draft = submitted_edit(through, &editor, code, |r| r["name"] = name.into());
                assert_eq!(approve(through, &reviewer, draft), 200);
                made.fetch_add(1, Ordering::SeqCst);
            }
        });
        while made.load(Ordering::SeqCst) < 5 {
            std::thread::sleep(Duration::from_millis(5));
        }
        kill_9(b.process());
    });
    assert_eq!(made.load(Ordering::SeqCst), 16);
    let b = spawn("b");
    b.wait_ready();
    let feed_a = check_consistent(&t, &data("a"), &a, "on A after the burst");
    let feed_b = check_consistent(&t, &data("b"), &b, "on B restarted after kill -9");
    assert_eq!(feed_a, feed_b);
    for (i, code) in codes.iter().enumerate().skip(1).take(16) {
        searchable(
            &b,
            code,
            &format!("突发变更{i}号事项"),
            Duration::from_secs(5),
        );
    }

    // `reindex` beside C builds a new generation of C's index while all three servers answer
    // every search (C from its old generation until it switches), and C switches to it.
    let searching = AtomicBool::new(true);
    let (failures, answered) = (AtomicUsize::new(0), AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for s in [&a, &b, &c] {
            scope.spawn(|| {
                let path = format!("/api/v1/search?q={}&semantic=false", enc("道路运输"));
                while searching.load(Ordering::SeqCst) {
                    let (status, _, _) = s.get(&path);
                    let counter = if status == 200 { &answered } else { &failures };
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        let reindex = quanze(&t, &data("c"), &["reindex"]);
        searching.store(false, Ordering::SeqCst);
        assert!(reindex.status.success(), "{reindex:?}");
    });
    assert_eq!(failures.load(Ordering::SeqCst), 0);
    assert!(answered.load(Ordering::SeqCst) > 0);
    check_consistent(&t, &data("c"), &c, "on C after reindex");

    // The same request gives the same body and ETag whichever server answers it.
    for s in [&a, &b, &c] {
        s.wait_for_index();
    }
    for path in [
        format!("/api/v1/items/{}", codes[0]),
        format!("/api/v1/items/{}/versions", codes[1]),
        format!("/api/v1/departments/{transport}"),
        "/api/v1/departments".to_string(),
        "/api/v1/changes?since=0&limit=200".to_string(),
        format!("/api/v1/export?department={transport}"),
        format!("/items/{}", codes[0]),
    ] {
        let from_a = body_and_etag(&a, &path);
        for s in [&b, &c] {
            assert_eq!(
                body_and_etag(s, &path),
                from_a,
                "{path}: {} differs from A",
                s.base
            );
        }
    }
    // Searches agree on what matches: totals and facets (the order of equal scores may
    // differ between indexes built at different times).
    for q in ["道路运输", "许可", "突发变更"] {
        let path = format!("/api/v1/search?q={}&semantic=false", enc(q));
        let (_, _, from_a) = a.get(&path);
        for s in [&b, &c] {
            let (_, _, other) = s.get(&path);
            assert_eq!(other["total"], from_a["total"], "{q}");
            assert_eq!(other["facets"], from_a["facets"], "{q}");
        }
    }
}

/// With a PostgreSQL primary and a streaming hot standby (`pg_basebackup -R`): servers given
/// `--read-database-url` answer public reads and follow the outbox from the standby, write
/// through the primary, and say they are not ready when the standby stops answering.
#[test]
fn servers_read_from_a_streaming_standby() {
    let Some(replicated) = quanze_testkit::ReplicatedDatabase::new() else {
        return;
    };
    let t = &replicated.primary;
    let data = |name: &str| t.dir.path().join(name);
    assert!(quanze(t, &data("a"), &["demo"]).status.success());
    let editor = user_token(t, &data("a"), "clerk", "editor");
    let reviewer = user_token(t, &data("a"), "chief", "reviewer");
    assert_eq!(replicated.standby_sessions(), 0);
    let mut options = Server::NO_RATE_LIMITS.to_vec();
    options.extend(["--read-database-url", &replicated.standby_url]);
    let spawn = |n: &str| Server::spawn(crate::bin(), t, &data(n), &options, &[]);
    let (a, b) = (spawn("a"), spawn("b"));
    for s in [&a, &b] {
        s.wait_ready();
    }
    // Their followers and public reads hold sessions on the standby.
    assert!(replicated.standby_sessions() > 0);
    let transport = department_id_named(&a, "临江市交通运输局");
    let codes = department_codes(&b, transport);

    // A change approved through A (written to the primary) reaches B's search and B's public
    // item (both read from the standby).
    let name = "城市道路占用挖掘审批（备库测试）";
    let draft = submitted_edit(&a, &editor, &codes[0], |r| r["name"] = name.into());
    assert_eq!(approve(&a, &reviewer, draft), 200);
    let approved = Instant::now();
    searchable(&b, &codes[0], name, Duration::from_secs(5));
    loop {
        let (_, _, item) = b.get(&format!("/api/v1/items/{}", codes[0]));
        if item["item"]["name"] == name {
            break;
        }
        assert!(approved.elapsed() < Duration::from_secs(5), "{item}");
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "a change approved on A was searchable and readable on B (standby) after {:?}",
        approved.elapsed()
    );
    check_consistent(t, &data("b"), &b, "on B reading from the standby");

    // Public reads come from the standby: while its replay is paused, a change approved
    // through A is on the primary but B's public item stays as it was, until the replay
    // resumes.
    replicated.pause_standby_replay(true);
    let paused_name = "城市道路占用挖掘审批（暂停回放）";
    let draft = submitted_edit(&a, &editor, &codes[0], |r| r["name"] = paused_name.into());
    assert_eq!(approve(&a, &reviewer, draft), 200);
    std::thread::sleep(Duration::from_millis(1_000));
    let (_, _, item) = b.get(&format!("/api/v1/items/{}", codes[0]));
    assert_eq!(
        item["item"]["name"], name,
        "B read the primary, not the standby"
    );
    replicated.pause_standby_replay(false);
    searchable(&b, &codes[0], paused_name, Duration::from_secs(5));

    // Without its standby a server is not ready (a load balancer takes it out), within the
    // readiness check's own time (2 s for the standby, 4 s in all), not the pool's 30 s.
    replicated.stop_standby();
    let asked = Instant::now();
    let (status, _, body) = b.get("/readyz");
    assert_eq!(status, 503, "{body}");
    assert!(
        asked.elapsed() < Duration::from_secs(6),
        "{:?}",
        asked.elapsed()
    );
}
