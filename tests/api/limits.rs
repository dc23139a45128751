//! The classic attacks on a GraphQL server, each refused before anything runs
//! with `QUERY_TOO_COMPLEX` and a message that names the limit.

use serde_json::{Value, json};

use entity::value::StakeholderKind;

use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, assert_error_code, serve_settings, spawn_app, spawn_app_with,
};
use crate::on_both_databases;

async fn refused(app: &TestApp, query: &str, limit: &str) {
    let before = app.statements.get();
    let body = app.graphql(query, json!({})).await;
    assert_error_code(&body, "QUERY_TOO_COMPLEX");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(limit), "`{message}` does not name {limit}");
    assert_eq!(app.statements.get(), before, "nothing ran");
}

async fn deep_nesting_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut query = String::from("{ id }");
    for level in 0..50 {
        query = if level % 2 == 0 {
            format!("{{ visits {{ nodes {{ facility {query} }} }} }}")
        } else {
            format!("{{ facility(slug: \"x\") {query} }}")
        };
    }
    refused(&app, &format!("query {query}"), "WISH_MAX_QUERY_DEPTH").await;

    // Deep enough for the depth limit, shallow enough to be parsed and
    // validated first: the depth async-graphql measures is compared here.
    let mut inner = String::from("id");
    for _ in 0..6 {
        inner = format!("visits {{ nodes {{ facility {{ {inner} }} }} }}");
    }
    refused(
        &app,
        &format!("{{ facility(slug: \"x\") {{ {inner} }} }}"),
        "WISH_MAX_QUERY_DEPTH",
    )
    .await;
}

async fn ten_thousand_aliases_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let aliases: String = (0..10_000).map(|i| format!("a{i}: __typename ")).collect();
    refused(&app, &format!("{{ {aliases} }}"), "WISH_MAX_ALIASES").await;
    let few: String = (0..10).map(|i| format!("a{i}: __typename ")).collect();
    let ok = app.graphql(&format!("{{ {few} }}"), json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok:#}");
}

async fn too_many_root_fields_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let roots: String = (0..25)
        .map(|i| format!("f{i}: knowledgeWorkshops {{ key }} "))
        .collect();
    refused(&app, &format!("{{ {roots} }}"), "WISH_MAX_ROOT_FIELDS").await;
}

async fn a_fragment_that_spreads_itself_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    refused(
        &app,
        "query { facilities { nodes { ...F } } } fragment F on Facility { name ...F }",
        "spread itself",
    )
    .await;
}

async fn pages_multiply_the_cost_of_what_they_hold(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let nested = |n: i32| {
        format!(
            "{{ facilities(first: {n}) {{ nodes {{ name visits(first: {n}) {{ nodes {{ visitedOn summary participants {{ name }} }} }} }} }} }}"
        )
    };
    refused(&app, &nested(500), "WISH_MAX_QUERY_COMPLEXITY").await;
    // Pages within pages past usize::MAX: async-graphql adds sibling costs
    // with plain arithmetic while it validates, which panicked (and in a
    // release build would have wrapped to a small cost); each field's cost
    // is capped now, and the depth limit answers.
    let mut inner = String::from("visitedOn");
    for _ in 0..8 {
        inner = format!(
            "facility {{ visits(first: 500) {{ nodes {{ participants {{ name }} {inner} }} }} }}"
        );
    }
    refused(
        &app,
        &format!("{{ visits(first: 500) {{ nodes {{ {inner} }} }} }}"),
        "WISH_MAX_QUERY_DEPTH",
    )
    .await;
    let small = app.graphql(&nested(5), json!({})).await;
    assert!(small.get("errors").is_none(), "{small:#}");
}

/// Members and their workshops, nested three times: 128 bytes that once
/// answered 56 MB. Members page, and a stakeholder's workshops cost their
/// bound, so the nesting multiplies the cost as it multiplies the answer.
async fn nested_members_and_workshops_are_refused_before_anything_runs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for i in 0..40 {
        let person = fixtures::stakeholder(
            &app.db,
            &format!("Member {i:02}"),
            StakeholderKind::Practice,
            Some("be"),
        )
        .await;
        for key in ["fr", "nl", "eu"] {
            let workshop = fixtures::workshop(&app.db, key).await;
            sea_orm::ActiveModelTrait::insert(
                entity::workshop_membership::ActiveModel {
                    workshop_id: sea_orm::ActiveValue::Set(workshop.id),
                    stakeholder_id: sea_orm::ActiveValue::Set(person.id),
                    ..Default::default()
                },
                &app.db,
            )
            .await
            .unwrap();
        }
    }
    let nested = "{ knowledgeWorkshops { members { nodes { name workshops { members { nodes { name workshops { members { nodes { name } } } } } } } } } }";

    refused(&app, nested, "WISH_MAX_QUERY_COMPLEXITY").await;

    // One level is a page of members with their workshops: answered.
    let one_level = app
        .query(
            "{ knowledgeWorkshops { members(first: 10) { nodes { name workshops { key } } } } }",
            json!({}),
        )
        .await;
    let members = &one_level["knowledgeWorkshops"][0]["members"]["nodes"];
    assert_eq!(members.as_array().unwrap().len(), 10);
    assert_eq!(members[0]["workshops"].as_array().unwrap().len(), 4);
}

/// A list without pages costs what it can hold: participants of visits (at
/// most 100 each), a version's sources (100), a diff (1,000 lines).
async fn bounded_lists_cost_their_bound(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for query in [
        "{ visits(first: 50) { nodes { participants { name stakeholder { workshops { key } } } } } }",
        "{ learningSessions(first: 50) { nodes { participants { name stakeholder { workshops { key } } } } } }",
        "{ guidelines { versions(first: 20) { nodes { informedBy { ... on Visit { participants { name } } } } } } }",
        "{ guidelines { versions(first: 5) { nodes { diff { hunks { lines { kind text } } } } } } }",
    ] {
        refused(&app, query, "WISH_MAX_QUERY_COMPLEXITY").await;
    }
    let modest = app
        .graphql(
            "{ visits(first: 10) { nodes { participants { name stakeholder { workshops { key } } } findings { note } } } }",
            json!({}),
        )
        .await;
    assert!(modest.get("errors").is_none(), "{modest:#}");
}

async fn a_thousand_operations_in_a_batch_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let batch: Vec<Value> = (0..1000)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_error_code(&body, "QUERY_TOO_COMPLEX");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("WISH_MAX_BATCH")
    );
}

async fn ten_megabytes_and_a_hundred_thousand_directives_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let huge = format!("{{ __typename }} # {}", "x".repeat(10 * 1024 * 1024));
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);

    // With room for the body, the directive count is what stops it.
    let settings = api::config::ServeSettings {
        max_body_bytes: 8 * 1024 * 1024,
        ..serve_settings()
    };
    let Some(roomy) = spawn_app_with(backend, settings).await else {
        return;
    };
    // A hundred thousand are more names than a document may hold at all...
    let directives = " @include(if: true)".repeat(100_000);
    refused(
        &roomy,
        &format!("{{ __typename{directives} }}"),
        "names and values",
    )
    .await;
    // ...and ten thousand, which it may, are over the directive limit.
    let directives = " @include(if: true)".repeat(10_000);
    refused(
        &roomy,
        &format!("{{ __typename{directives} }}"),
        "WISH_MAX_DIRECTIVES",
    )
    .await;
}

async fn misspelt_fields_get_no_suggestions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = app.graphql("{ facilitys { totalCount } }", json!({})).await;
    assert_error_code(&body, "BAD_USER_INPUT");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    // Introspection stays on: partners need it.
    let schema = app
        .query("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema["__schema"]["queryType"]["name"], "Query");
}

on_both_databases!(
    deep_nesting_is_refused,
    ten_thousand_aliases_are_refused,
    too_many_root_fields_are_refused,
    a_fragment_that_spreads_itself_is_refused,
    pages_multiply_the_cost_of_what_they_hold,
    nested_members_and_workshops_are_refused_before_anything_runs,
    bounded_lists_cost_their_bound,
    a_thousand_operations_in_a_batch_are_refused,
    ten_megabytes_and_a_hundred_thousand_directives_are_refused,
    misspelt_fields_get_no_suggestions,
);
