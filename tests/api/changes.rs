//! The change feed partners sync from, and the audit log admins read.

use std::collections::HashSet;

use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

const FEED: &str = "query($after: String, $first: Int) {
    changes(after: $after, first: $first) {
        edges { cursor node { action entityType entityId entityVersion } }
        pageInfo { hasNextPage endCursor } } }";

async fn create_stakeholder(app: &TestApp, name: &str) -> Value {
    let (_, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($name: String!) { createStakeholder(input: { name: $name, kind: POLICY, email: \"x@example.org\", consent: { name: true, affiliation: true } }) { id version } }",
            json!({ "name": name }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createStakeholder"].clone()
}

/// Reads the feed from `after` to its end, `page` at a time; returns the changes and where to resume.
async fn drain(
    app: &TestApp,
    mut after: Option<String>,
    page: i32,
) -> (Vec<Value>, Option<String>) {
    let mut changes = Vec::new();
    loop {
        let data = app
            .query(FEED, json!({ "after": after, "first": page }))
            .await;
        let connection = &data["changes"];
        for edge in connection["edges"].as_array().unwrap() {
            changes.push(edge["node"].clone());
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
        if connection["pageInfo"]["hasNextPage"] == false {
            return (changes, after);
        }
    }
}

async fn the_feed_resumes_where_a_partner_left_off(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(create_stakeholder(&app, &format!("Person {i}")).await["id"].clone());
    }

    let (first_sync, cursor) = drain(&app, None, 2).await;
    let ids: Vec<Value> = first_sync.iter().map(|c| c["entityId"].clone()).collect();
    assert_eq!(ids, made);
    assert!(
        first_sync
            .iter()
            .all(|c| c["action"] == "CREATED" && c["entityType"] == "STAKEHOLDER")
    );

    // Nothing new: an empty page that keeps the position.
    let (nothing, same) = drain(&app, cursor.clone(), 2).await;
    assert!(nothing.is_empty());
    assert_eq!(same, cursor);

    // An update and a delete since: only those come next, in order.
    let first = &made[0];
    let (_, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 1, input: { organisation: \"WISH\" }) { version } }",
            json!({ "id": first }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let (_, body) = app
        .graphql_as(
            &token(Role::Admin, None),
            "mutation($id: ID!) { deleteStakeholder(id: $id, expectedVersion: 1) }",
            json!({ "id": made[1] }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");

    let (next_sync, _) = drain(&app, cursor, 2).await;
    assert_eq!(
        next_sync,
        vec![
            json!({ "action": "UPDATED", "entityType": "STAKEHOLDER", "entityId": first, "entityVersion": 2 }),
            json!({ "action": "DELETED", "entityType": "STAKEHOLDER", "entityId": made[1], "entityVersion": null }),
        ]
    );

    let bad = app.graphql(FEED, json!({ "after": "not-a-cursor" })).await;
    assert_error_code(&bad, "BAD_USER_INPUT");
    let bad = app.graphql(FEED, json!({ "first": 501 })).await;
    assert_error_code(&bad, "BAD_USER_INPUT");
}

async fn a_reader_during_concurrent_writes_misses_and_repeats_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let writers = (0..24).map(|i| {
        let app = &app;
        async move {
            create_stakeholder(app, &format!("Writer {i}")).await;
        }
    });
    let reader = async {
        let mut seen = Vec::new();
        let mut cursor = None;
        for _ in 0..40 {
            let (changes, next) = drain(&app, cursor.clone(), 3).await;
            seen.extend(changes);
            cursor = next.or(cursor);
            actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        (seen, cursor)
    };
    let (_, (mut seen, cursor)) =
        futures_util::future::join(futures_util::future::join_all(writers), reader).await;
    let (rest, _) = drain(&app, cursor, 3).await;
    seen.extend(rest);

    let ids: Vec<String> = seen
        .iter()
        .map(|c| c["entityId"].as_str().unwrap().to_owned())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a change came twice: {ids:?}");
    assert_eq!(ids.len(), 24, "a change was missed: {ids:?}");
    let (all, _) = drain(&app, None, 500).await;
    assert_eq!(seen, all, "the reader saw the feed in its order");
}

async fn drafts_stay_out_of_the_feed_until_they_are_published(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let (_, created) = app
        .graphql_as(
            &editor,
            "mutation { createGuidelineVersion(guideline: \"ecosystem-rules\", input: { title: \"Rules\", body: \"Draft\" }) { id } }",
            json!({}),
        )
        .await;
    let id = created["data"]["createGuidelineVersion"]["id"].clone();
    let (drafts, cursor) = drain(&app, None, 10).await;
    assert!(drafts.is_empty(), "{drafts:?}");

    app.graphql_as(
        &editor,
        "mutation($id: ID!) { advanceGuidelineVersion(id: $id, to: CONSULTATION) { status } }",
        json!({ "id": id }),
    )
    .await;
    let (published, _) = drain(&app, cursor, 10).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["entityType"], "GUIDELINE_VERSION");
    let node = app
        .query(
            "{ changes { nodes { node { ... on GuidelineVersion { status } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        node["changes"]["nodes"][0]["node"]["status"],
        "CONSULTATION"
    );
}

async fn the_audit_log_records_who_changed_what(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let (_, created) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            "mutation { createFacility(input: { name: \"Huis Arnhem\", countryCode: \"NL\", facilityType: DETENTION_HOUSE, status: PLANNED, capacity: 12 }) { id } }",
            json!({}),
        )
        .await;
    let id = created["data"]["createFacility"]["id"].clone();
    let (_, updated) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($id: ID!) { updateFacility(id: $id, expectedVersion: 1, input: { capacity: 14 }) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert!(updated.get("errors").is_none(), "{updated:#}");

    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action actorSubject actorRole actorOrganisation origin entityVersion before after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(events.len(), 2);
    assert_eq!(
        (
            events[0]["action"].clone(),
            events[0]["actorRole"].clone(),
            events[0]["actorOrganisation"].clone()
        ),
        (json!("CREATED"), json!("PARTNER"), json!("rescaled"))
    );
    assert_eq!(events[0]["before"], Value::Null);
    assert_eq!(events[0]["after"]["capacity"], 12);
    assert_eq!(events[0]["after"]["maintained_by"], "rescaled");
    assert_eq!(events[1]["actorRole"], "EDITOR");
    assert_eq!(events[1]["actorSubject"], "ana@example.org");
    assert_eq!(events[1]["before"]["capacity"], 12);
    assert_eq!(events[1]["after"]["capacity"], 14);
    assert_eq!(events[1]["entityVersion"], 2);

    // A deleted record's history is still found by its id.
    let (_, deleted) = app
        .graphql_as(
            &token(Role::Admin, None),
            "mutation($id: ID!) { deleteFacility(id: $id, expectedVersion: 2) }",
            json!({ "id": id }),
        )
        .await;
    assert!(deleted.get("errors").is_none(), "{deleted:#}");
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action entityId } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        log["data"]["auditLog"]["nodes"],
        json!([
            { "action": "CREATED", "entityId": id },
            { "action": "UPDATED", "entityId": id },
            { "action": "DELETED", "entityId": id },
        ]),
        "{log:#}"
    );
}

on_both_databases!(
    the_feed_resumes_where_a_partner_left_off,
    a_reader_during_concurrent_writes_misses_and_repeats_nothing,
    drafts_stay_out_of_the_feed_until_they_are_published,
    the_audit_log_records_who_changed_what,
);
