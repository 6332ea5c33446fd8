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
        let data = t.dir.path().join("data");
        assert!(quanze(&t, &data, &["demo"]).status.success());
        // The fuzzer acts as an admin, so the maintenance routes get past authentication.
        assert!(
            quanze(&t, &data, &["user", "add", "fuzz", "--role", "admin"])
                .status
                .success()
        );
        let out = quanze(&t, &data, &["token", "create", "--user", "fuzz"]);
        let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let server = Server::start(crate::bin(), &t, &data);
        let out = Command::new(&st)
            .current_dir(t.dir.path())
            .args([
                "run",
                &format!("{}/openapi.json", server.base),
                "--checks",
                "all",
                "--exclude-checks",
                "negative_data_rejection,positive_data_acceptance",
                "--max-examples",
                "40",
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
            ])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: schemathesis found problems (seed {seed}):\n{report}\n{}",
            t.backend.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            report.contains(&format!("Tested: {operations}")),
            "every operation tested:\n{report}"
        );
    }
}
