//! The demo map and GraphiQL in headless Chromium, against the real app: the
//! script `tests/browser/run.mjs` loads `/map`, checks its markers against
//! `facilityStats`, filters by country, opens a popup, sees a marker move by
//! itself after a write (the page subscribes to the change feed), sees a
//! popup list the resources of the knowledge library linked to its facility, switches the page to
//! Dutch and checks that its labels follow and survive a reload, opens it in
//! a Spanish browser, runs a query in GraphiQL, and fails if the page asked
//! any other host for anything.
//!
//! It needs Node.js, `npm ci` in `tests/browser` and Chromium; `.ci/run`
//! installs them. Elsewhere it is skipped with a message, except in CI.

use std::path::{Path, PathBuf};

use entity::value::Role;

use crate::helpers::{Backend, in_ci, spawn_app, token};

fn missing_tools(script_dir: &Path, chromium: &Path) -> Option<String> {
    if !script_dir.join("node_modules/playwright-core").is_dir() {
        return Some("run `npm ci` in tests/browser".to_owned());
    }
    if !chromium.exists() {
        return Some(format!(
            "no Chromium at {} (set CHROMIUM_PATH)",
            chromium.display()
        ));
    }
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("Node.js is not installed".to_owned());
    }
    None
}

#[actix_web::test]
async fn the_map_and_graphiql_work_in_a_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    let chromium = PathBuf::from(
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned()),
    );
    if let Some(missing) = missing_tools(&script_dir, &chromium) {
        assert!(!in_ci(), "the browser test cannot run: {missing}");
        eprintln!("SKIPPED the browser test: {missing}");
        return;
    }
    let app = spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always there");
    let screenshots = std::env::var("WISH_SCREENSHOT_DIR")
        .map_or_else(|_| root.join("target/browser-screenshots"), PathBuf::from);

    // Async, so that the server, on this same runtime, keeps answering the browser.
    let output = tokio::process::Command::new("node")
        .arg("run.mjs")
        .current_dir(&script_dir)
        .env("WISH_BASE_URL", &app.address)
        .env("CHROMIUM_PATH", &chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        // What an admin pastes into GraphiQL's header editor.
        .env("WISH_ADMIN_TOKEN", token(Role::Admin, None))
        .env("WISH_EDITOR_TOKEN", token(Role::Editor, None))
        .output()
        .await
        .expect("run node");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}screenshots: {}", screenshots.display());
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
}
