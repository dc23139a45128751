//! The client examples in `examples/`, run against the real app: a TypeScript
//! map client (graphql-request), a TypeScript live client that subscribes to
//! the change feed (graphql-ws), and a Python partner client (gql) that
//! imports and follows the change feed. Each checks its own results and
//! exits non-zero on a mismatch.
//!
//! They need `npm ci` in `examples/typescript` and a virtualenv with
//! `examples/python/requirements.txt` in `examples/python/.venv`; `.ci/run`
//! makes both. Elsewhere they are skipped with a message, except in CI.

use std::path::Path;

use entity::value::Role;

use crate::fixtures;
use crate::helpers::{Backend, in_ci, spawn_app, token};

fn skip_unless(ready: bool, what: &str) -> bool {
    if ready {
        return false;
    }
    assert!(!in_ci(), "the example cannot run: {what}");
    eprintln!("SKIPPED the example: {what}");
    true
}

async fn run(program: &Path, args: &[&str], dir: &Path, envs: &[(&str, &str)]) {
    // Async, so that the server, on this same runtime, keeps answering.
    let output = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(envs.iter().copied())
        .output()
        .await
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "the example failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.trim_end().ends_with("ok"), "{stdout}");
}

#[actix_web::test]
async fn the_typescript_map_client_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/typescript");
    let tsx = dir.join("node_modules/.bin/tsx");
    if skip_unless(tsx.exists(), "run `npm ci` in examples/typescript") {
        return;
    }
    let app = spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    run(&tsx, &["map.ts"], &dir, &[("WISH_API_URL", &app.address)]).await;
}

#[actix_web::test]
async fn the_typescript_live_client_receives_a_write() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/typescript");
    let tsx = dir.join("node_modules/.bin/tsx");
    if skip_unless(tsx.exists(), "run `npm ci` in examples/typescript") {
        return;
    }
    let app = spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    let wait = std::time::Duration::from_secs(30);
    let mut child = tokio::process::Command::new(&tsx)
        .arg("live.ts")
        .current_dir(&dir)
        .env("WISH_API_URL", &app.address)
        .env("WISH_CHANGES", "1")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run tsx");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(wait, lines.next_line())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.as_deref(), Some("subscribed"));
    let (_, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation { createFacility(input: { name: \"Huis Voorbeeld\", countryCode: \"BE\", facilityType: OTHER, status: PLANNED }) { id } }",
            serde_json::json!({}),
        )
        .await;
    let id = body["data"]["createFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = tokio::time::timeout(wait, lines.next_line())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        line.as_deref(),
        Some(format!("CREATED FACILITY {id} Huis Voorbeeld").as_str())
    );
    let status = tokio::time::timeout(wait, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

#[actix_web::test]
async fn the_python_partner_client_runs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python");
    let python = dir.join(".venv/bin/python");
    if skip_unless(
        python.exists(),
        "make examples/python/.venv with requirements.txt",
    ) {
        return;
    }
    let app = spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    fixtures::organisation(&app.db, "voorbeeld").await;
    let partner = token(Role::Partner, Some("voorbeeld"));
    run(
        &python,
        &["partner_sync.py"],
        &dir,
        &[("WISH_API_URL", &app.address), ("WISH_TOKEN", &partner)],
    )
    .await;
}
