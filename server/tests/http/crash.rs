//! Crash safety: the process is killed with SIGKILL at the moment in question — inside a bulk
//! import's transaction after one of its batches, inside an approval's transaction, between the
//! index's prepare and commit, after a reindex has built its generation but before the swap —
//! found by a crash point (`quanze_registry::fault`), not by sleeping. After each kill the
//! transaction is all or nothing, the index holds exactly the published items and the change
//! feed has no entry missing or twice. `QUANZE_CRASH_RUNS` runs per point (3 by default; the
//! long version is 20), on both backends.

use quanze_testkit::TestDatabase;
use quanze_testkit::server::department_id_named;

use crate::support::{
    check_consistent, department_codes, kill_9, pause_at, published, renamed_services,
    spawn_paused_server, spawn_quanze, submitted_revision, user_token, wait_paused,
};
use crate::{Server, quanze};

fn runs() -> usize {
    std::env::var("QUANZE_CRASH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

#[test]
fn kill_9_at_each_crash_point_leaves_all_or_nothing_and_an_index_true_to_it() {
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        let marks = t.dir.path().join("marks");
        std::fs::create_dir_all(&marks).unwrap();
        assert!(quanze(&t, &data, &["demo"]).status.success());
        let editor = user_token(&t, &data, "clerk", "editor");
        let reviewer = user_token(&t, &data, "chief", "reviewer");
        let mut server = Server::start(crate::bin(), &t, &data);
        check_consistent(&t, &data, &server, "at the start");
        // 1. A bulk import (1,135 items: three batches of 500 in one transaction), killed
        //    after its first, second or third batch: nothing of it is written.
        let before = published(&t, &data);
        let import = renamed_services(&marks, "导入");
        for run in 0..runs() {
            let (pause, marker) = pause_at(&marks, "import.batch", run % 3 + 1);
            let mut child = spawn_quanze(&t, &data, &["import", import.to_str().unwrap()], &pause);
            wait_paused(&marker, &mut child, "the import");
            kill_9(&mut child);
            assert!(
                published(&t, &data) == before,
                "{name}: part of a killed import was written (run {run})"
            );
            check_consistent(&t, &data, &server, "after a killed import");
        }
        assert!(
            quanze(&t, &data, &["import", import.to_str().unwrap()])
                .status
                .success()
        );
        let after = published(&t, &data);
        assert_eq!(
            after.values().filter(|n| n.ends_with("（导入）")).count(),
            1135,
            "{name}"
        );
        check_consistent(&t, &data, &server, "after the import");

        // 2. An approval killed inside its transaction: the revision stays in review, the item
        //    at its version, the feed without it; approving it after the restart works once.
        let transport = department_id_named(&server, "临江市交通运输局");
        let codes = department_codes(&server, transport);
        for (run, code) in codes.iter().take(runs()).enumerate() {
            let version = server.get(&format!("/api/v1/items/{code}")).2["version"]
                .as_i64()
                .unwrap();
            let draft = submitted_revision(&server, &editor, code, &format!("崩溃测试第{run}次"));
            drop(server);
            let (pause, marker) = pause_at(&marks, "approve.commit", 1);
            let mut paused = spawn_paused_server(&t, &data, &pause);
            paused.wait_ready();
            let approve = format!("{}/api/v1/drafts/{draft}/approve", paused.base);
            let bearer = format!("Bearer {reviewer}");
            let agent = paused.agent.clone();
            let request = std::thread::spawn(move || {
                agent
                    .post(&approve)
                    .header("Authorization", &bearer)
                    .header("If-Match", "*")
                    .send_empty()
                    .map(|r| r.status().as_u16())
            });
            wait_paused(&marker, paused.process(), "the approving server");
            paused.kill();
            assert!(
                request.join().unwrap().is_err(),
                "{name}: the approval was answered although the server died inside it"
            );
            server = Server::start(crate::bin(), &t, &data);
            let (_, _, item) = server.get(&format!("/api/v1/items/{code}"));
            assert_eq!(item["version"].as_i64(), Some(version), "{name}: {code}");
            let (_, _, state) = {
                let a = server.call(
                    "GET",
                    &format!("/api/v1/drafts/{draft}"),
                    Some(&reviewer),
                    None,
                    &[],
                );
                (a.status, (), a.body)
            };
            assert_eq!(state["status"], "in_review", "{name}: {state}");
            let feed = check_consistent(&t, &data, &server, "after a killed approval");
            assert!(
                !feed[code].iter().any(|(_, v)| *v == version + 1),
                "{name}: the killed approval is in the feed"
            );
            let approved = server.call(
                "POST",
                &format!("/api/v1/drafts/{draft}/approve"),
                Some(&reviewer),
                None,
                &[("If-Match", "*")],
            );
            assert_eq!(approved.status, 200, "{name}: {}", approved.body);
            let feed = check_consistent(&t, &data, &server, "after the approval");
            assert_eq!(
                feed[code].iter().filter(|(_, v)| *v == version + 1).count(),
                1,
                "{name}: {code}'s new version is in the feed once"
            );
        }

        // 3. The index killed between prepare and commit of a batch of changes made while it
        //    was down: after a restart it holds exactly the published items.
        for run in 0..runs() {
            drop(server);
            let file = renamed_services(&marks, &format!("第{run}次修订"));
            assert!(
                quanze(&t, &data, &["import", file.to_str().unwrap()])
                    .status
                    .success()
            );
            let (pause, marker) = pause_at(&marks, "index.commit", 1);
            let mut paused = spawn_paused_server(&t, &data, &pause);
            wait_paused(&marker, paused.process(), "the indexing server");
            paused.kill();
            server = Server::start(crate::bin(), &t, &data);
            check_consistent(&t, &data, &server, "after a killed index commit");
        }

        // 4. A reindex killed after building its generation, before the swap: the server keeps
        //    its index, true to the registry; the next reindex swaps in a complete one.
        for _ in 0..runs() {
            let (pause, marker) = pause_at(&marks, "reindex.swap", 1);
            let mut reindex = spawn_quanze(&t, &data, &["reindex"], &pause);
            wait_paused(&marker, &mut reindex, "the reindex");
            kill_9(&mut reindex);
            check_consistent(&t, &data, &server, "after a killed reindex");
        }
        let generation = || std::fs::read_to_string(data.join("index/CURRENT")).unwrap();
        let before = generation();
        assert!(quanze(&t, &data, &["reindex"]).status.success());
        assert_ne!(
            generation(),
            before,
            "{name}: the reindex swapped in its generation"
        );
        check_consistent(&t, &data, &server, "after the reindex");
    }
}
