//! schemathesis fuzzes the API against its OpenAPI document.

use std::path::PathBuf;
use std::process::Command;

use quanze_testkit::TestDatabase;

use crate::{Server, quanze, repo_root};

/// A Python tool's command, if installed: the path in `variable`, else `name` on the PATH.
fn python_tool(variable: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| {
                Command::new(candidate)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
    })
}

/// The schemathesis CLI, if installed (`pip install schemathesis`; `.ci/run` does).
fn schemathesis() -> Option<PathBuf> {
    python_tool("QUANZE_SCHEMATHESIS", "st")
}

/// Every `$ref` of a JSON document that points into it, with where it was found.
fn local_refs(value: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(target)) if target.starts_with('#') => {
                        out.push((at.to_string(), target.to_string()));
                    }
                    _ => local_refs(v, &format!("{at}/{key}"), out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                local_refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The committed OpenAPI document passes an independent validator (openapi-spec-validator
/// from PyPI; `.ci/run` installs it), and every `$ref` in it resolves (the validator does not
/// check that, and a dangling one makes client generators fail).
#[test]
fn the_openapi_document_passes_an_independent_validator() {
    let path = repo_root().join("openapi/openapi.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut refs = Vec::new();
    local_refs(&document, "", &mut refs);
    assert!(refs.len() > 50, "{}", refs.len());
    let dangling: Vec<&(String, String)> = refs
        .iter()
        .filter(|(_, target)| document.pointer(&target[1..]).is_none())
        .collect();
    assert!(
        dangling.is_empty(),
        "$refs that resolve to nothing: {dangling:?}"
    );
    let Some(validator) = python_tool("QUANZE_OPENAPI_VALIDATOR", "openapi-spec-validator") else {
        assert!(
            std::env::var_os("QUANZE_REQUIRE_OPENAPI_VALIDATOR").is_none(),
            "QUANZE_REQUIRE_OPENAPI_VALIDATOR=1 but openapi-spec-validator is not installed"
        );
        eprintln!("openapi-spec-validator is not installed; skipping");
        return;
    };
    let out = Command::new(&validator).arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A property-based fuzzer generates requests from the committed OpenAPI document, valid and
/// invalid, and checks every answer: never a 5xx, every status, content type, header and body
/// as documented, 405 for undocumented methods. (Its checks that demand a 400 for every value
/// outside the schema, or a 2xx for every value inside it, are left out: blank parameters
/// count as absent, and a well-formed region code can still name no region.)
#[test]
fn schemathesis_finds_no_server_error_or_schema_violation_on_both_backends() {
    let Some(st) = schemathesis() else {
        assert!(
            std::env::var("QUANZE_REQUIRE_SCHEMATHESIS").as_deref() != Ok("1"),
            "QUANZE_REQUIRE_SCHEMATHESIS=1 but schemathesis (st) is not installed"
        );
        eprintln!("schemathesis (st) is not installed; skipping the API fuzz run");
        return;
    };
    let seed = std::env::var("QUANZE_FUZZ_SEED").unwrap_or_else(|_| "20261122".into());
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    let operations: usize = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    for t in TestDatabase::each() {
        let name = t.backend.name();
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        // The fuzzer acts as an admin, so the maintenance routes get past authentication, and
        // again as an editor of one department, so the refusals are checked against the
        // document too.
        let token_of = |user: &str, role: &str, department: Option<&str>| {
            let mut add = vec!["user", "add", user, "--role", role];
            if let Some(d) = department {
                add.extend(["--department", d]);
            }
            assert!(quanze(&t, &data, &add).status.success());
            let out = quanze(&t, &data, &["token", "create", "--user", user]);
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        let admin = token_of("fuzz", "admin", None);
        let editor = token_of("fuzz.editor", "editor", Some("临江市交通运输局"));
        let server = Server::start(crate::bin(), &t, &data);
        let still_valid = |token: &str, who: &str| {
            let me = server.call("GET", "/api/v1/me", Some(token), None, &[]);
            assert_eq!(
                me.status, 200,
                "{name}: the {who}'s token stopped working during the run, so the rest of it was only 401s"
            );
        };
        // Revoking a token may revoke the fuzzer's own: that operation runs last, alone.
        let revoke_token = "DELETE /api/v1/tokens/{id}";
        let run = |token: &str, max_examples: &str, filter: [&str; 2]| {
            let out = Command::new(&st)
                .current_dir(t.dir.path())
                .args([
                    "run",
                    &format!("{}/openapi.json", server.base),
                    "--checks",
                    "all",
                    // missing_required_header wants a missing header refused with one of
                    // 400/401/403/406/415/422; the only required headers are If-Match, whose
                    // absence is 428 Precondition Required (RFC 6585), as documented and as
                    // the workflow test asserts.
                    "--exclude-checks",
                    "negative_data_rejection,positive_data_acceptance,missing_required_header",
                    "--max-examples",
                    max_examples,
                    "--seed",
                    &seed,
                    // One worker: schemathesis's generator (hypothesis) is not thread-safe on
                    // Python 3.11 ("AST constructor recursion depth mismatch").
                    "--workers",
                    "1",
                    "--no-color",
                    "--generation-database",
                    "none",
                    "--request-timeout",
                    "30",
                    "--header",
                    &format!("Authorization: Bearer {token}"),
                    filter[0],
                    filter[1],
                ])
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{name}: schemathesis found problems (seed {seed}):\n{report}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            report
        };
        let report = run(&admin, "40", ["--exclude-name", revoke_token]);
        assert!(
            report.contains(&format!("Tested: {}", operations - 1)),
            "{name}: every operation tested:\n{report}"
        );
        still_valid(&admin, "admin");
        let report = run(&editor, "15", ["--exclude-name", revoke_token]);
        assert!(
            report.contains(&format!("Tested: {}", operations - 1)),
            "{report}"
        );
        still_valid(&editor, "editor");
        let report = run(&admin, "40", ["--include-name", revoke_token]);
        assert!(report.contains("Tested: 1"), "{name}: {report}");
    }
}
