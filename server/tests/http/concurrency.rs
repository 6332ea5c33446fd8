//! Concurrency over real HTTP and real processes: two reviewers approving the same revision at
//! once (exactly one wins), a bulk import racing approvals, many writers at once (no "database
//! is locked" reaching a client), readers searching throughout without an error, and two
//! reindexes at once (the second refused). Both backends.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::department_id_named;

use crate::support::{
    approve, check_consistent, department_codes, kill_9, pause_at, published, renamed_services,
    spawn_quanze, submitted_revision, user_token, wait_paused,
};
use crate::{Server, quanze};

/// Searches until told to stop; counts the answers that were not 200.
fn readers(
    server: &Arc<Server>,
    stop: &Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize)> {
    let (server, stop) = (server.clone(), stop.clone());
    std::thread::spawn(move || {
        let (mut asked, mut failed) = (0, 0);
        for q in [
            "%E9%A9%BE%E9%A9%B6",
            "%E5%87%BA%E7%A7%9F",
            "%E8%90%A5%E4%B8%9A",
        ]
        .iter()
        .cycle()
        {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            asked += 1;
            if server
                .get(&format!("/api/v1/search?q={q}&semantic=false"))
                .0
                != 200
            {
                failed += 1;
            }
        }
        (asked, failed)
    })
}

#[test]
fn racing_writers_readers_and_reindexes_on_both_backends() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let marks = t.dir.path().join("marks");
        std::fs::create_dir_all(&marks).unwrap();
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let editor = user_token(&t, &data, "clerk", "editor");
        let reviewers = [
            user_token(&t, &data, "chief.a", "reviewer"),
            user_token(&t, &data, "chief.b", "reviewer"),
        ];
        let server = Arc::new(Server::start(crate::bin(), &t, &data));
        let transport = department_id_named(&server, "临江市交通运输局");
        let codes = department_codes(&server, transport);

        // 1. Two reviewers approve the same revision at the same moment: exactly one wins, the
        //    item moves one version, the feed has it once.
        let mut approved_versions = Vec::new();
        for (n, code) in codes.iter().take(5).enumerate() {
            let version = server.get(&format!("/api/v1/items/{code}")).2["version"]
                .as_i64()
                .unwrap();
            approved_versions.push(version + 1);
            let draft = submitted_revision(&server, &editor, code, &format!("同时审核{n}"));
            let barrier = Arc::new(Barrier::new(2));
            let racers: Vec<_> = reviewers
                .iter()
                .map(|reviewer| {
                    let (server, barrier, reviewer) =
                        (server.clone(), barrier.clone(), reviewer.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        approve(&server, &reviewer, draft)
                    })
                })
                .collect();
            let mut statuses: Vec<u16> = racers.into_iter().map(|r| r.join().unwrap()).collect();
            statuses.sort_unstable();
            assert_eq!(statuses[0], 200, "{name}: {statuses:?}");
            assert!(
                [404, 409, 412].contains(&statuses[1]),
                "{name}: the second approval got {statuses:?}"
            );
            let now = server.get(&format!("/api/v1/items/{code}")).2["version"].as_i64();
            assert_eq!(now, Some(version + 1), "{name}: {code}");
        }
        let feed = check_consistent(&t, &data, &server, "after racing approvals");
        for (code, approved) in codes.iter().zip(&approved_versions) {
            let versions: Vec<i64> = feed[code].iter().map(|(_, v)| *v).collect();
            assert_eq!(
                versions.iter().filter(|v| *v == approved).count(),
                1,
                "{name}: {code} {versions:?}"
            );
        }

        // 2. A bulk import (1,135 items renamed) races approvals and many writers, while
        //    readers search throughout.
        let stop = Arc::new(AtomicBool::new(false));
        let searching = [readers(&server, &stop), readers(&server, &stop)];
        let file = renamed_services(&marks, "并发");
        let import = {
            let (t_url, data, file) = (t.url.clone(), data.clone(), file.clone());
            std::thread::spawn(move || {
                std::process::Command::new(crate::bin())
                    .arg("--data-dir")
                    .arg(&data)
                    .arg("--database-url")
                    .arg(&t_url)
                    .args(["import", file.to_str().unwrap()])
                    .output()
                    .unwrap()
            })
        };
        let approvals: Vec<i64> = codes[5..8]
            .iter()
            .map(|code| submitted_revision(&server, &editor, code, "与导入同时"))
            .collect();
        for draft in &approvals {
            assert_eq!(approve(&server, &reviewers[0], *draft), 200, "{name}");
        }
        // Eight writers at once, each writing drafts of new items.
        let refused = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let (server, editor, refused) = (server.clone(), editor.clone(), refused.clone());
                std::thread::spawn(move || {
                    for n in 0..6 {
                        let mut record = crate::demo_record("transport.ndjson", "\"licensing\"");
                        let base = format!("519A09{w}{n}000");
                        record["code"] = serde_json::json!(format!(
                            "{base}-519900000000-000-11519900MB0000001P-1-00"
                        ));
                        record["base_code"] = serde_json::json!(base);
                        record["name"] = serde_json::json!(format!("并发写入事项{w}-{n}"));
                        let created = server.call(
                            "POST",
                            "/api/v1/drafts",
                            Some(&editor),
                            Some(&serde_json::json!({"record": record, "reason": "新增"})),
                            &[],
                        );
                        if created.status != 201 {
                            eprintln!("writer {w}: {} {}", created.status, created.body);
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let imported = import.join().unwrap();
        assert!(
            imported.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&imported.stderr)
        );
        stop.store(true, Ordering::SeqCst);
        for r in searching {
            let (asked, failed) = r.join().unwrap();
            assert!(asked > 10, "{name}: readers asked {asked}");
            assert_eq!(failed, 0, "{name}: {failed} of {asked} searches failed");
        }
        assert_eq!(refused.load(Ordering::SeqCst), 0, "{name}: writes refused");
        let drafts = server.call(
            "GET",
            "/api/v1/drafts?status=draft",
            Some(&editor),
            None,
            &[],
        );
        assert_eq!(drafts.body["total"], 48, "{name}");
        assert_eq!(
            published(&t, &data)
                .values()
                .filter(|n| n.ends_with("（并发）"))
                .count(),
            1135,
            "{name}"
        );
        check_consistent(&t, &data, &server, "after the races");
        let log = std::fs::read_to_string(Server::log_path(&data)).unwrap();
        assert!(!log.contains("database is locked"), "{name}: {log}");

        // 3. Two reindexes at once: while one holds the index (paused before its swap), a
        //    second is refused; the first's death releases the index to the next.
        let (pause, marker) = pause_at(&marks, "reindex.swap", 1);
        let mut first = spawn_quanze(&t, &data, &["reindex"], &pause);
        wait_paused(&marker, &mut first, "the first reindex");
        let second = quanze(&t, &data, &["reindex"]);
        assert_eq!(second.status.code(), Some(3), "{name}");
        assert!(
            String::from_utf8_lossy(&second.stderr).contains("another reindex"),
            "{name}: {}",
            String::from_utf8_lossy(&second.stderr)
        );
        kill_9(&mut first);
        assert!(quanze(&t, &data, &["reindex"]).status.success(), "{name}");
        check_consistent(&t, &data, &server, "after the reindexes");
    }
}
