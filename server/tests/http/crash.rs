//! Crash safety: the process is killed with SIGKILL at the moment in question — inside a bulk
//! import's transaction after one of its batches, inside an approval's transaction, between the
//! index's prepare and commit, after a reindex has built its generation but before the swap —
//! found by a crash point (`quanze_registry::fault`), not by sleeping. After each kill the
//! transaction is all or nothing, the index holds exactly the published items and the change
//! feed has no entry missing or twice. `QUANZE_CRASH_RUNS` runs per point (3 by default; the
//! long version is 20), on both backends.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;
use quanze_testkit::server::department_id_named;

use crate::{Server, quanze, repo_root};

fn runs() -> usize {
    std::env::var("QUANZE_CRASH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// The environment that pauses a process at `point` (its `nth` time) and the marker it writes.
pub(crate) fn pause_at(dir: &Path, point: &str, nth: usize) -> (String, PathBuf) {
    let marker = dir.join(format!("paused-{point}-{nth}"));
    let _ = std::fs::remove_file(&marker);
    (format!("{point}#{nth}:{}", marker.display()), marker)
}

/// Waits until the process has paused at its crash point; fails if it ends first.
pub(crate) fn wait_paused(marker: &Path, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} ended ({status}) before it reached its crash point");
        }
        assert!(
            Instant::now() < deadline,
            "{what} never reached its crash point"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGKILL, and reap it.
pub(crate) fn kill_9(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

pub(crate) fn spawn_quanze(t: &TestDatabase, data: &Path, args: &[&str], pause: &str) -> Child {
    Command::new(crate::bin())
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(&t.url)
        .args(args)
        .env(quanze_registry::fault::PAUSE_AT, pause)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Published items by code with their names, from the registry's own export.
pub(crate) fn published(t: &TestDatabase, data: &Path) -> BTreeMap<String, String> {
    let out = quanze(t, data, &["export"]);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["code"].as_str().unwrap().to_string(),
                v["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Published items by code with their names, as the server's index has them.
pub(crate) fn indexed(server: &Server) -> BTreeMap<String, String> {
    server.wait_for_index();
    let mut found = BTreeMap::new();
    for page in 1.. {
        let (status, _, body) = server.get(&format!(
            "/api/v1/search?status=published&per_page=100&page={page}&semantic=false"
        ));
        assert_eq!(status, 200, "{body}");
        let hits = body["hits"].as_array().unwrap();
        for h in hits {
            let code = h["code"].as_str().unwrap().to_string();
            let twice = found.insert(code.clone(), h["name"].as_str().unwrap().to_string());
            assert!(twice.is_none(), "{code} is in the index twice");
        }
        if hits.len() < 100 {
            break;
        }
    }
    found
}

/// The index holds exactly the published items, and the change feed has increasing sequence
/// numbers with no change recorded twice; returns the feed's entries per item code.
pub(crate) fn check_consistent(
    t: &TestDatabase,
    data: &Path,
    server: &Server,
    when: &str,
) -> BTreeMap<String, Vec<(String, i64)>> {
    let name = t.backend.name();
    let registry = published(t, data);
    let index = indexed(server);
    if registry != index {
        let missing: Vec<_> = registry
            .keys()
            .filter(|c| !index.contains_key(*c))
            .collect();
        let extra: Vec<_> = index
            .keys()
            .filter(|c| !registry.contains_key(*c))
            .collect();
        panic!(
            "{name} {when}: the index differs from the registry: {} missing {:?}, {} extra {:?}",
            missing.len(),
            missing.iter().take(3).collect::<Vec<_>>(),
            extra.len(),
            extra.iter().take(3).collect::<Vec<_>>()
        );
    }
    let mut since = 0;
    let mut last = 0;
    let mut seen = BTreeSet::new();
    let mut per_item: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    loop {
        let (_, _, page) = server.get(&format!("/api/v1/changes?since={since}&limit=500"));
        let changes = page["changes"].as_array().unwrap();
        for c in changes {
            let seq = c["seq"].as_i64().unwrap();
            assert!(seq > last, "{name} {when}: feed out of order at {seq}");
            last = seq;
            let entry = (
                c["entity"].to_string(),
                c["entity_id"].to_string(),
                c["kind"].to_string(),
                c["version"].to_string(),
            );
            assert!(
                seen.insert(entry.clone()),
                "{name} {when}: {entry:?} is in the feed twice"
            );
            if let Some(code) = c["item_code"].as_str() {
                per_item.entry(code.to_string()).or_default().push((
                    c["kind"].as_str().unwrap().to_string(),
                    c["version"].as_i64().unwrap_or(0),
                ));
            }
        }
        if changes.len() < 500 {
            break;
        }
        since = page["next_since"].as_i64().unwrap();
    }
    // Every published item's creation is in the feed.
    for code in registry.keys() {
        assert!(
            per_item.contains_key(code),
            "{name} {when}: {code} is published but not in the feed"
        );
    }
    per_item
}

pub(crate) fn user_token(t: &TestDatabase, data: &Path, user: &str, role: &str) -> String {
    let out = quanze(
        t,
        data,
        &[
            "user",
            "add",
            user,
            "--role",
            role,
            "--department",
            "临江市交通运输局",
        ],
    );
    assert!(out.status.success());
    let out = quanze(t, data, &["token", "create", "--user", user]);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
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
        // The 1,135 real items of the demo, each renamed: an import that changes them all.
        let services = repo_root().join("demo/items/guangan-511602-services.ndjson");
        let renamed = |tag: &str| {
            let file = marks.join(format!("{tag}.ndjson"));
            let lines: Vec<String> = std::fs::read_to_string(&services)
                .unwrap()
                .lines()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                    let renamed = format!("{}（{tag}）", v["name"].as_str().unwrap());
                    v["name"] = serde_json::json!(renamed);
                    v.to_string()
                })
                .collect();
            std::fs::write(&file, lines.join("\n")).unwrap();
            file
        };

        // 1. A bulk import (1,135 items: three batches of 500 in one transaction), killed
        //    after its first, second or third batch: nothing of it is written.
        let before = published(&t, &data);
        let import = renamed("导入");
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
        let powers = server
            .get(&format!("/api/v1/departments/{transport}/powers"))
            .2;
        let codes: Vec<String> = powers["categories"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["items"].as_array().unwrap().iter())
            .map(|i| i["code"].as_str().unwrap().to_string())
            .collect();
        for (run, code) in codes.iter().take(runs()).enumerate() {
            let version = server.get(&format!("/api/v1/items/{code}")).2["version"]
                .as_i64()
                .unwrap();
            let revision = server.call(
                "POST",
                &format!("/api/v1/items/{code}/revise"),
                Some(&editor),
                Some(&serde_json::json!({"reason": "法规修改"})),
                &[],
            );
            assert_eq!(revision.status, 201, "{name}: {}", revision.body);
            let draft = revision.body["id"].as_i64().unwrap();
            let mut record = revision.body["record"].clone();
            record["remarks"] = serde_json::json!(format!("崩溃测试第{run}次"));
            let edited = server.call(
                "PUT",
                &format!("/api/v1/drafts/{draft}"),
                Some(&editor),
                Some(&serde_json::json!({"record": record, "reason": "法规修改"})),
                &[("If-Match", "*")],
            );
            assert_eq!(edited.status, 200, "{name}: {}", edited.body);
            let submit = format!("/api/v1/drafts/{draft}/submit");
            assert_eq!(
                server
                    .call("POST", &submit, Some(&editor), None, &[])
                    .status,
                200
            );
            drop(server);
            let (pause, marker) = pause_at(&marks, "approve.commit", 1);
            let mut paused = Server::spawn(
                crate::bin(),
                &t,
                &data,
                &[],
                &[(quanze_registry::fault::PAUSE_AT, pause.as_str())],
            );
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
            let deadline = Instant::now() + Duration::from_secs(60);
            while !marker.exists() {
                assert!(
                    Instant::now() < deadline,
                    "{name}: the approval never paused"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
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
            let file = renamed(&format!("第{run}次修订"));
            assert!(
                quanze(&t, &data, &["import", file.to_str().unwrap()])
                    .status
                    .success()
            );
            let (pause, marker) = pause_at(&marks, "index.commit", 1);
            let mut paused = Server::spawn(
                crate::bin(),
                &t,
                &data,
                &[],
                &[(quanze_registry::fault::PAUSE_AT, pause.as_str())],
            );
            let deadline = Instant::now() + Duration::from_secs(60);
            while !marker.exists() {
                assert!(Instant::now() < deadline, "{name}: the index never paused");
                std::thread::sleep(Duration::from_millis(20));
            }
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
        assert!(quanze(&t, &data, &["reindex"]).status.success());
        std::thread::sleep(Duration::from_millis(1500));
        check_consistent(&t, &data, &server, "after the reindex");
    }
}
