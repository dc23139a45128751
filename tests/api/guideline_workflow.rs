//! The guideline workflow: DRAFT → CONSULTATION → ADOPTED, one way; frozen
//! once out of DRAFT; numbers without gaps, even under concurrent creation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use api::graphql::id::Kind;
use entity::value::Role;
use entity::value::{GuidelineStatus, SessionLevel, SessionTopic};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, gid, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str = "mutation($key: String!, $input: GuidelineVersionInput!) {
    createGuidelineVersion(guideline: $key, input: $input) {
        id number status version publishedOn informedBy { __typename } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: GuidelineVersionPatch!) {
    updateGuidelineVersion(id: $id, expectedVersion: $v, input: $input) { body version } }";
const ADVANCE: &str = "mutation($id: ID!, $to: GuidelineStatus!) {
    advanceGuidelineVersion(id: $id, to: $to) { status version publishedOn } }";

async fn editor_call(app: &TestApp, document: &str, variables: Value) -> Value {
    app.graphql_as(&token(Role::Editor, None), document, variables)
        .await
        .1
}

async fn create(app: &TestApp, body: &str) -> Value {
    let response = editor_call(
        app,
        CREATE,
        json!({ "key": "relational-security", "input": { "title": "Guidelines", "body": body } }),
    )
    .await;
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["createGuidelineVersion"].clone()
}

async fn a_version_moves_one_way_and_freezes_when_it_leaves_draft(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let draft = create(&app, "1. Small.\n").await;
    assert_eq!(
        (draft["number"].clone(), draft["status"].clone()),
        (json!(1), json!("DRAFT"))
    );
    let id = draft["id"].clone();

    // Drafts change, and anonymous callers do not see them.
    let edited = editor_call(
        &app,
        UPDATE,
        json!({ "id": id, "v": 1, "input": { "body": "1. Small.\n2. Close to home.\n" } }),
    )
    .await;
    assert_eq!(
        edited["data"]["updateGuidelineVersion"]["version"], 2,
        "{edited:#}"
    );
    let hidden = app
        .graphql(
            "query($id: ID!) { guidelineVersion(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(hidden, json!({ "data": { "guidelineVersion": null } }));

    // Skipping CONSULTATION is refused.
    let skip = editor_call(&app, ADVANCE, json!({ "id": id, "to": "ADOPTED" })).await;
    assert_error_code(&skip, "CONFLICT");

    let consultation = editor_call(&app, ADVANCE, json!({ "id": id, "to": "CONSULTATION" })).await;
    let moved = &consultation["data"]["advanceGuidelineVersion"];
    assert_eq!(moved["status"], "CONSULTATION", "{consultation:#}");
    assert_eq!(
        moved["publishedOn"],
        chrono::Utc::now().date_naive().to_string()
    );
    let public = app
        .query(
            "query($id: ID!) { guidelineVersion(id: $id) { body } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        public["guidelineVersion"]["body"],
        "1. Small.\n2. Close to home.\n"
    );

    // Out of DRAFT, the text never changes, whatever the version sent.
    let before = fixtures::state(&app.db).await;
    let frozen = editor_call(
        &app,
        UPDATE,
        json!({ "id": id, "v": 3, "input": { "body": "Rewritten" } }),
    )
    .await;
    assert_error_code(&frozen, "CONFLICT");
    assert!(
        frozen["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("never changes")
    );
    let back = editor_call(&app, ADVANCE, json!({ "id": id, "to": "DRAFT" })).await;
    assert_error_code(&back, "CONFLICT");
    assert_eq!(fixtures::state(&app.db).await, before);

    let adopted = editor_call(&app, ADVANCE, json!({ "id": id, "to": "ADOPTED" })).await;
    assert_eq!(
        adopted["data"]["advanceGuidelineVersion"]["status"],
        "ADOPTED"
    );
    let again = editor_call(&app, ADVANCE, json!({ "id": id, "to": "ADOPTED" })).await;
    assert_error_code(&again, "CONFLICT");

    // The next version starts at 2 and diffs against version 1.
    let next = create(&app, "1. Small.\n2. Close to home and family.\n").await;
    assert_eq!(next["number"], 2);
    // Versions are published in their order: 3 waits for 2.
    let third = create(&app, "Later text\n").await;
    let early = editor_call(
        &app,
        ADVANCE,
        json!({ "id": third["id"], "to": "CONSULTATION" }),
    )
    .await;
    assert_error_code(&early, "CONFLICT");
    assert!(
        early["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("version 2 is still in DRAFT")
    );
    let diff = editor_call(
        &app,
        "query($id: ID!) { guidelineVersion(id: $id) { diff { truncated hunks { lines { kind text } } } } }",
        json!({ "id": next["id"] }),
    )
    .await;
    assert_eq!(diff["data"]["guidelineVersion"]["diff"]["truncated"], false);
    let lines = diff["data"]["guidelineVersion"]["diff"]["hunks"][0]["lines"].to_string();
    assert!(lines.contains("Close to home and family."), "{diff:#}");
}

async fn provenance_links_visits_and_sessions_that_exist(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let visit = fixtures::visit(&app.db, facility.id, fixtures::day(2025, 2, 3), None, &[]).await;
    let session = fixtures::session(
        &app.db,
        "Ecosystem",
        fixtures::day(2025, 3, 4),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    let informed = [
        gid(Kind::Visit, visit.id),
        gid(Kind::LearningSession, session.id),
    ];

    let created = editor_call(
        &app,
        CREATE,
        json!({ "key": "ecosystem-rules", "input": { "title": "Rules", "body": "Text", "informedBy": informed } }),
    )
    .await;
    let kinds = &created["data"]["createGuidelineVersion"]["informedBy"];
    assert_eq!(
        kinds,
        &json!([{ "__typename": "Visit" }, { "__typename": "LearningSession" }]),
        "{created:#}"
    );

    let before = fixtures::state(&app.db).await;
    let bad = editor_call(
        &app,
        CREATE,
        json!({ "key": "ecosystem-rules", "input": { "title": "Rules", "body": "Text",
            "informedBy": [gid(Kind::Visit, 999_999), gid(Kind::Facility, facility.id), "garbage"] } }),
    )
    .await;
    assert_error_code(&bad, "BAD_USER_INPUT");
    let fields: Vec<&str> = bad["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["input.informedBy[1]", "input.informedBy[2]"],
        "{bad:#}"
    );
    let unknown_visit = editor_call(
        &app,
        CREATE,
        json!({ "key": "ecosystem-rules", "input": { "title": "Rules", "body": "Text", "informedBy": [gid(Kind::Visit, 999_999)] } }),
    )
    .await;
    assert_error_code(&unknown_visit, "BAD_USER_INPUT");
    assert_eq!(
        unknown_visit["errors"][0]["extensions"]["field"],
        "input.informedBy[0]"
    );
    let unknown_guideline = editor_call(
        &app,
        CREATE,
        json!({ "key": "no-such-guideline", "input": { "title": "Rules", "body": "Text" } }),
    )
    .await;
    assert_error_code(&unknown_guideline, "NOT_FOUND");
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn numbers_stay_gapless_when_editors_create_at_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let requests = (0..12).map(|i| {
        let app = &app;
        let editor = &editor;
        async move {
            app.graphql_as(
                editor,
                CREATE,
                json!({ "key": "ecosystem-rules", "input": { "title": format!("Draft {i}"), "body": "Text" } }),
            )
            .await
            .1
        }
    });
    let responses = futures_util::future::join_all(requests).await;

    let mut numbers: Vec<i64> = responses
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r:#}");
            r["data"]["createGuidelineVersion"]["number"]
                .as_i64()
                .unwrap()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<i64>>());
}

/// A body of about `MAX_BODY` characters whose lines all differ from those
/// of any other `tag`: the worst case of a line diff.
fn huge_body(tag: &str) -> String {
    let mut body = String::new();
    let mut line = 0;
    while body.len() < api::service::kernel::validate::MAX_BODY - 100 {
        body.push_str(&format!("{tag} line {line:06}\n"));
        line += 1;
    }
    body
}

/// The diff of two large, unrelated versions once held the only worker for
/// 27 seconds. It runs beside the workers now, gives up on the smallest diff
/// after about a second, and returns at most 1,000 lines.
async fn a_huge_diff_answers_in_time_and_leaves_the_worker_free(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    assert_eq!(crate::helpers::serve_settings().workers, Some(1));
    let timeout = Duration::from_millis(crate::helpers::serve_settings().request_timeout_ms);
    fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        &huge_body("old"),
    )
    .await;
    let newer = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        2,
        GuidelineStatus::Consultation,
        &huge_body("new"),
    )
    .await;
    let done = AtomicBool::new(false);

    let diff = async {
        let started = Instant::now();
        let data = app
            .query(
                "query($id: ID!) { guidelineVersion(id: $id) { diff { truncated hunks { oldStart newStart lines { kind } } } } }",
                json!({ "id": gid(Kind::GuidelineVersion, newer.id) }),
            )
            .await;
        done.store(true, Ordering::SeqCst);
        (data, started.elapsed())
    };
    let health = async {
        let mut latencies = Vec::new();
        while !done.load(Ordering::SeqCst) {
            let asked = Instant::now();
            let response = app.get("/health").await;
            assert_eq!(response.status(), 200);
            latencies.push(asked.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        latencies
    };
    let ((data, took), latencies) = futures_util::future::join(diff, health).await;

    assert!(took < timeout, "the diff took {took:?}");
    let diff = &data["guidelineVersion"]["diff"];
    assert_eq!(diff["truncated"], true);
    let lines: usize = diff["hunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["lines"].as_array().unwrap().len())
        .sum();
    assert_eq!(lines, api::service::guideline::MAX_DIFF_LINES);
    let slowest = latencies.iter().max().copied().unwrap_or_default();
    assert!(
        latencies.len() >= 3 && slowest < Duration::from_millis(500),
        "while the diff ran ({took:?}), /health answered {} times, the slowest in {slowest:?}",
        latencies.len()
    );
}

on_both_databases!(
    a_huge_diff_answers_in_time_and_leaves_the_worker_free,
    a_version_moves_one_way_and_freezes_when_it_leaves_draft,
    provenance_links_visits_and_sessions_that_exist,
    numbers_stay_gapless_when_editors_create_at_once,
);
