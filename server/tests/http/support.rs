//! What the tests of writes, crashes and races share: users and tokens, revisions through
//! review, a renamed copy of the demo's real items, the consistency check of the index and the
//! change feed against the registry, and crash points with their kill.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use quanze_testkit::TestDatabase;

use crate::{Server, quanze, repo_root};

/// The codes of a department's published items, from its power list.
pub fn department_codes(server: &Server, department: i64) -> Vec<String> {
    let powers = server
        .get(&format!("/api/v1/departments/{department}/powers"))
        .2;
    powers["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["items"].as_array().unwrap().iter())
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

/// The 1,135 real items of the demo with `（tag）` after each name, as an NDJSON file in `dir`:
/// an import that changes them all.
pub fn renamed_services(dir: &Path, tag: &str) -> PathBuf {
    let services = repo_root().join("demo/items/guangan-511602-services.ndjson");
    let lines: Vec<String> = std::fs::read_to_string(services)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let renamed = format!("{}（{tag}）", v["name"].as_str().unwrap());
            v["name"] = serde_json::json!(renamed);
            v.to_string()
        })
        .collect();
    let file = dir.join(format!("{tag}.ndjson"));
    std::fs::write(&file, lines.join("\n")).unwrap();
    file
}

/// Opens a revision of `code` with a changed remark as `editor` and submits it; returns the
/// draft id.
pub fn submitted_revision(server: &Server, editor: &str, code: &str, remark: &str) -> i64 {
    submitted_edit(server, editor, code, |record| {
        record["remarks"] = serde_json::json!(remark)
    })
}

/// Opens a revision of `code` as `editor`, changes its record with `edit` and submits it;
/// returns the draft id.
pub fn submitted_edit(
    server: &Server,
    editor: &str,
    code: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> i64 {
    let revision = server.call(
        "POST",
        &format!("/api/v1/items/{code}/revise"),
        Some(editor),
        Some(&serde_json::json!({"reason": "法规修改"})),
        &[],
    );
    assert_eq!(revision.status, 201, "{}", revision.body);
    let draft = revision.body["id"].as_i64().unwrap();
    let mut record = revision.body["record"].clone();
    edit(&mut record);
    let edited = server.call(
        "PUT",
        &format!("/api/v1/drafts/{draft}"),
        Some(editor),
        Some(&serde_json::json!({"record": record, "reason": "法规修改"})),
        &[("If-Match", "*")],
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    let submitted = server.call(
        "POST",
        &format!("/api/v1/drafts/{draft}/submit"),
        Some(editor),
        None,
        &[],
    );
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    draft
}

pub fn approve(server: &Server, reviewer: &str, draft: i64) -> u16 {
    server
        .call(
            "POST",
            &format!("/api/v1/drafts/{draft}/approve"),
            Some(reviewer),
            None,
            &[("If-Match", "*")],
        )
        .status
}

/// The environment that pauses a process at `point` (its `nth` time) and the marker it writes.
pub fn pause_at(dir: &Path, point: &str, nth: usize) -> (String, PathBuf) {
    let marker = dir.join(format!("paused-{point}-{nth}"));
    let _ = std::fs::remove_file(&marker);
    (format!("{point}#{nth}:{}", marker.display()), marker)
}

/// Waits until the process has paused at its crash point; fails if it ends first.
pub fn wait_paused(marker: &Path, child: &mut Child, what: &str) {
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

/// `quanze serve` on `data` that pauses at the crash point `pause` names (see [`pause_at`]).
pub fn spawn_paused_server(t: &TestDatabase, data: &Path, pause: &str) -> Server {
    Server::spawn(
        crate::bin(),
        t,
        data,
        &[],
        &[(quanze_registry::fault::PAUSE_AT, pause)],
    )
}

/// SIGKILL, and reap it.
pub fn kill_9(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

pub fn spawn_quanze(t: &TestDatabase, data: &Path, args: &[&str], pause: &str) -> Child {
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
pub fn published(t: &TestDatabase, data: &Path) -> BTreeMap<String, String> {
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
pub fn indexed(server: &Server) -> BTreeMap<String, String> {
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
pub fn check_consistent(
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

/// The first admin, `root`, made at the command line as an operator does, and a token of theirs.
pub fn admin_token(t: &TestDatabase, data: &Path) -> String {
    assert!(
        quanze(t, data, &["user", "add", "root", "--role", "admin"])
            .status
            .success()
    );
    let out = quanze(t, data, &["token", "create", "--user", "root"]);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn user_token(t: &TestDatabase, data: &Path, user: &str, role: &str) -> String {
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
