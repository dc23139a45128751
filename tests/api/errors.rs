//! Bad input gets a clear error with the contract's code, and never a 500.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, assert_error_code, first_error, serve_settings, spawn_app, spawn_app_with,
};
use crate::on_both_databases;

const PAGE: &str =
    "query($first: Int, $last: Int, $after: String, $before: String, $filter: FacilityFilter) {
  facilities(first: $first, last: $last, after: $after, before: $before, filter: $filter) {
    totalCount nodes { slug } pageInfo { endCursor }
  }
}";

async fn page_sizes_out_of_range_are_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for (variables, field) in [
        (json!({ "first": -1 }), "first"),
        (json!({ "first": 100_000 }), "first"),
        (json!({ "first": 501 }), "first"),
        (json!({ "last": -5 }), "last"),
        (json!({ "first": 5, "last": 5 }), "last"),
    ] {
        let response = app.graphql(PAGE, variables.clone()).await;
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(
            first_error(&response)["extensions"]["field"],
            field,
            "{variables}"
        );
        assert_eq!(response["data"], Value::Null, "{variables}");
    }
}

async fn malformed_and_foreign_cursors_are_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let page = app
        .query(
            PAGE,
            json!({ "first": 5, "filter": { "countryCode": ["BE"] } }),
        )
        .await;
    let belgian_cursor = page["facilities"]["pageInfo"]["endCursor"].clone();

    let forged = app
        .graphql(PAGE, json!({ "after": "bm90LWEtY3Vyc29y" }))
        .await;
    let garbage = app.graphql(PAGE, json!({ "before": "!!!" })).await;
    let foreign = app
        .graphql(
            PAGE,
            json!({ "after": belgian_cursor, "filter": { "countryCode": ["NL"] } }),
        )
        .await;

    assert_error_code(&forged, "BAD_USER_INPUT");
    assert_eq!(first_error(&forged)["extensions"]["field"], "after");
    assert_error_code(&garbage, "BAD_USER_INPUT");
    assert_eq!(first_error(&garbage)["extensions"]["field"], "before");
    assert_error_code(&foreign, "BAD_USER_INPUT");
    assert!(
        first_error(&foreign)["message"]
            .as_str()
            .unwrap()
            .contains("another filter")
    );
}

async fn unknown_facility_is_null_without_an_error(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let unknown_id = api::graphql::id::encode(
        api::graphql::id::Kind::Facility,
        sea_orm::prelude::Uuid::now_v7(),
    );

    let by_slug = app
        .graphql("{ facility(slug: \"no-such-place\") { name } }", json!({}))
        .await;
    let by_id = app
        .graphql(
            "query($id: ID!) { facility(id: $id) { name } }",
            json!({ "id": unknown_id }),
        )
        .await;

    // As `node(id:)` and every field that reads one record.
    assert_eq!(by_slug, json!({ "data": { "facility": null } }));
    assert_eq!(by_id, json!({ "data": { "facility": null } }));
}

async fn malformed_ids_are_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let workshop_id = api::graphql::id::encode_serial(api::graphql::id::Kind::KnowledgeWorkshop, 1);

    let garbage = app
        .graphql("{ facility(id: \"42\") { name } }", json!({}))
        .await;
    let other_type = app
        .graphql(
            "query($id: ID!) { facility(id: $id) { name } }",
            json!({ "id": workshop_id }),
        )
        .await;
    let neither = app.graphql("{ facility { name } }", json!({})).await;
    let node = app.graphql("{ node(id: \"%%%\") { id } }", json!({})).await;

    for response in [&garbage, &other_type, &neither, &node] {
        assert_error_code(response, "BAD_USER_INPUT");
        assert_eq!(first_error(response)["extensions"]["field"], "id");
    }
}

async fn invalid_filters_name_their_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for (filter, field) in [
        (json!({ "countryCode": ["XX"] }), "filter.countryCode"),
        (
            json!({ "capacityMin": 40, "capacityMax": 10 }),
            "filter.capacityMin",
        ),
        (
            json!({ "openedFrom": 2020, "openedTo": 2000 }),
            "filter.openedFrom",
        ),
        (json!({ "text": "x".repeat(10_000) }), "filter.text"),
    ] {
        let response = app.graphql(PAGE, json!({ "filter": filter })).await;
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(first_error(&response)["extensions"]["field"], field);
    }
}

async fn schema_violations_are_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for document in [
        "{ facilities { nodes { colour } } }",
        "{ facilities(first: \"ten\") { totalCount } }",
        "{ facilities(filter: { status: [DEMOLISHED] }) { totalCount } }",
        "{ facilities(filter: { country: [\"BE\"] }) { totalCount } }",
        "{ facilities { totalCount ",
        "mutation { nothing }",
    ] {
        let response = app.graphql(document, json!({})).await;
        assert_error_code(&response, "BAD_USER_INPUT");
        assert!(
            !first_error(&response)["message"]
                .as_str()
                .unwrap()
                .is_empty(),
            "{document}"
        );
    }
}

async fn lang_outside_the_four_languages_is_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app
        .graphql(
            "{ facility(slug: \"detentiehuis-olen\") { description(lang: \"de\") } }",
            json!({}),
        )
        .await;

    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(first_error(&response)["extensions"]["field"], "lang");
}

async fn malformed_bodies_get_a_graphql_error(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let url = format!("{}/graphql", app.address);

    for (body, content_type) in [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("\"query\"", "application/json"),
        ("query { facilities { totalCount } }", "text/plain"),
    ] {
        let response = app
            .client
            .post(&url)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{body}: {}",
            response.status()
        );
        let json: Value = response.json().await.unwrap();
        assert_error_code(&json, "BAD_USER_INPUT");
    }
}

async fn oversized_body_is_refused_before_parsing(backend: Backend) {
    let settings = api::config::ServeSettings {
        max_body_bytes: 10_000,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let huge = format!("{{ facilities {{ totalCount }} }} # {}", "x".repeat(20_000));

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": huge }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
    let json: Value = response.json().await.unwrap();
    assert_error_code(&json, "QUERY_TOO_COMPLEX");
}

async fn too_deep_query_is_refused_before_it_runs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mut selection = "key".to_owned();
    for _ in 0..10 {
        selection = format!("versions {{ nodes {{ guideline {{ {selection} }} }} }}");
    }

    let response = app
        .graphql(&format!("{{ guidelines {{ {selection} }} }}"), json!({}))
        .await;

    assert_error_code(&response, "QUERY_TOO_COMPLEX");
    assert_eq!(response["data"], Value::Null);
}

async fn get_without_query_is_bad_user_input(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/graphql?variables=%7Bbroken").await;

    assert_eq!(response.status(), 400);
    let json: Value = response.json().await.unwrap();
    assert_error_code(&json, "BAD_USER_INPUT");
}

async fn get_runs_a_query(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app
        .get("/graphql?query=%7B%20facilities%20%7B%20totalCount%20%7D%20%7D")
        .await;

    assert_eq!(response.status(), 200);
    let json: Value = response.json().await.unwrap();
    assert_eq!(
        json["data"]["facilities"]["totalCount"],
        crate::helpers::demo_facility_rows()
    );
}

on_both_databases!(
    page_sizes_out_of_range_are_bad_user_input,
    malformed_and_foreign_cursors_are_bad_user_input,
    unknown_facility_is_null_without_an_error,
    malformed_ids_are_bad_user_input,
    invalid_filters_name_their_field,
    schema_violations_are_bad_user_input,
    lang_outside_the_four_languages_is_bad_user_input,
    malformed_bodies_get_a_graphql_error,
    oversized_body_is_refused_before_parsing,
    too_deep_query_is_refused_before_it_runs,
    get_without_query_is_bad_user_input,
    get_runs_a_query,
);
