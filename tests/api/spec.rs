//! Answers as the GraphQL specification and the GraphQL-over-HTTP draft
//! write them: a field error nulls the field and only up to its nearest
//! nullable parent; a missing record is null on every single-record field;
//! `application/graphql-response+json` with its status codes; `405` for a
//! mutation by `GET`, `400` without a query, `HEAD` wherever `GET` works;
//! and the `graphql-http` server audits (`tests/graphql-http/run.mjs`),
//! which need Node.js and `npm ci` in `tests/graphql-http` (`.ci/run` does
//! it; elsewhere that test is skipped with a message, except in CI).

use std::path::Path;

use api::graphql::id::Kind;
use entity::value::{GuidelineStatus, Role};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, gid, in_ci, spawn_app, token};
use crate::on_both_databases;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// POSTs a document with this `Accept` (none for `None`); status, content
/// type and JSON body.
async fn post_accepting(app: &TestApp, accept: Option<&str>, body: &Value) -> (u16, String, Value) {
    let mut request = app.client.post(format!("{}/graphql", app.address));
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    let response = request.json(body).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, content_type, json)
}

fn error_paths(response: &Value) -> Vec<Value> {
    response["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {response:#}"))
        .iter()
        .map(|e| e["path"].clone())
        .collect()
}

async fn a_failing_root_field_is_null_beside_its_siblings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let response = app
        .graphql(
            r#"{ a: facility(id: "not-an-id") { id } b: facilities(first: 1) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(response["data"]["a"], Value::Null, "{response:#}");
    assert!(
        response["data"].as_object().unwrap().contains_key("a"),
        "the failed field keeps its key: {response:#}"
    );
    assert!(response["data"]["b"]["totalCount"].as_i64().unwrap() > 0);
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(error_paths(&response), [json!(["a"])]);

    // Alone, it is still `{"facility": null}`, not `"data": null`.
    let alone = app
        .graphql(r#"{ facility(id: "not-an-id") { id } }"#, json!({}))
        .await;
    assert_eq!(alone["data"], json!({ "facility": null }), "{alone:#}");
}

async fn a_nullable_field_that_fails_in_list_items_is_null_in_each(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for name in ["Ana Example", "Bea Example"] {
        fixtures::stakeholder(
            &app.db,
            name,
            entity::value::StakeholderKind::Research,
            None,
        )
        .await;
    }
    // Anonymous callers may not read e-mail addresses: FORBIDDEN on each,
    // and each item keeps its name.
    let response = app
        .graphql(
            "{ stakeholders(first: 10) { totalCount nodes { name email } } viewer { authenticated } }",
            json!({}),
        )
        .await;
    let nodes = response["data"]["stakeholders"]["nodes"]
        .as_array()
        .unwrap();
    assert_eq!(nodes.len(), 2, "{response:#}");
    for node in nodes {
        assert!(node["name"].is_string(), "{response:#}");
        assert_eq!(node.get("email"), Some(&Value::Null), "{response:#}");
    }
    assert_eq!(response["data"]["viewer"]["authenticated"], false);
    assert_error_code(&response, "FORBIDDEN");
    assert_eq!(
        error_paths(&response),
        [
            json!(["stakeholders", "nodes", 0, "email"]),
            json!(["stakeholders", "nodes", 1, "email"])
        ]
    );
}

async fn a_non_null_field_that_fails_nulls_its_nearest_nullable_parent(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let version = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        "One rule.",
    )
    .await;
    let id = gid(Kind::GuidelineVersion, version.id);
    // `diff` is non-null: its failure nulls the version, which may be null;
    // the sibling root field stays.
    let response = app
        .graphql(
            r#"query($id: ID!) {
                guidelineVersion(id: $id) { number diff(against: "not-an-id") { truncated } }
                knowledgeWorkshops { key }
            }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        response["data"]["guidelineVersion"],
        Value::Null,
        "{response:#}"
    );
    assert_eq!(
        response["data"]["knowledgeWorkshops"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(
        error_paths(&response),
        [json!(["guidelineVersion", "diff"])]
    );
}

async fn a_failure_under_only_non_null_parents_nulls_data(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        "One rule.",
    )
    .await;
    // guidelines: [Guideline!]! > versions: Connection! > nodes: [GuidelineVersion!]!
    // > diff: GuidelineDiff!: nothing on the way may be null, so `data` is.
    let response = app
        .graphql(
            r#"{
                guidelines { key versions { nodes { number diff(against: "not-an-id") { truncated } } } }
                viewer { authenticated }
            }"#,
            json!({}),
        )
        .await;
    assert!(
        response.as_object().unwrap().contains_key("data"),
        "{response:#}"
    );
    assert_eq!(response["data"], Value::Null, "{response:#}");
    assert_error_code(&response, "BAD_USER_INPUT");
    assert_eq!(
        error_paths(&response),
        [json!(["guidelines", 0, "versions", "nodes", 0, "diff"])]
    );
}

async fn every_single_record_field_answers_null_for_a_missing_record(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let missing = 999_999;
    let response = app
        .graphql(
            r#"query($facility: ID!, $visit: ID!, $session: ID!, $stakeholder: ID!, $version: ID!, $workshop: ID!) {
                byId: facility(id: $facility) { id }
                bySlug: facility(slug: "no-such-facility") { id }
                visit(id: $visit) { id }
                learningSession(id: $session) { id }
                stakeholder(id: $stakeholder) { id }
                guideline(key: "no-such-guideline") { key }
                guidelineVersion(id: $version) { id }
                node(id: $workshop) { id }
            }"#,
            json!({
                "facility": gid(Kind::Facility, missing),
                "visit": gid(Kind::Visit, missing),
                "session": gid(Kind::LearningSession, missing),
                "stakeholder": gid(Kind::Stakeholder, missing),
                "version": gid(Kind::GuidelineVersion, missing),
                "workshop": gid(Kind::KnowledgeWorkshop, missing),
            }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response:#}");
    let data = response["data"].as_object().unwrap();
    assert_eq!(data.len(), 8, "{response:#}");
    assert!(data.values().all(Value::is_null), "{response:#}");

    // A draft is missing for whoever may not read drafts.
    let draft = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Draft,
        "A draft.",
    )
    .await;
    let query = "query($id: ID!) { guidelineVersion(id: $id) { number } }";
    let variables = json!({ "id": gid(Kind::GuidelineVersion, draft.id) });
    let anonymous = app.graphql(query, variables.clone()).await;
    assert_eq!(anonymous, json!({ "data": { "guidelineVersion": null } }));
    let (_, editor) = app
        .graphql_as(&token(Role::Editor, None), query, variables)
        .await;
    assert_eq!(
        editor["data"]["guidelineVersion"]["number"], 1,
        "{editor:#}"
    );

    // A malformed id, or one of another kind, is still the caller's to fix.
    for id in ["not-an-id".to_owned(), gid(Kind::Visit, 1)] {
        let response = app
            .graphql(
                "query($id: ID!) { stakeholder(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(response["data"]["stakeholder"], Value::Null);
    }
}

async fn graphql_response_json_is_served_to_clients_that_prefer_it(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = json!({ "query": "{ __typename }" });
    let expected = json!({ "data": { "__typename": "Query" } });
    let cases = [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (
            Some("application/graphql-response+json, application/json"),
            GRAPHQL_RESPONSE,
        ),
        (
            Some("application/json, application/graphql-response+json"),
            "application/json",
        ),
        (
            Some("application/json;q=0.9, application/graphql-response+json"),
            GRAPHQL_RESPONSE,
        ),
        (
            Some("application/graphql-response+json; charset=utf-8; q=0.5, */*; q=0.8"),
            "application/json",
        ),
        (
            Some("text/html, application/graphql-response+json;q=0.1"),
            GRAPHQL_RESPONSE,
        ),
    ];
    for (accept, media) in cases {
        let (status, content_type, json) = post_accepting(&app, accept, &body).await;
        assert_eq!(status, 200, "Accept: {accept:?}");
        assert_eq!(json, expected, "Accept: {accept:?}");
        let essence = content_type.split(';').next().unwrap().trim();
        assert_eq!(essence, media, "Accept: {accept:?}");
        if media == GRAPHQL_RESPONSE {
            assert_eq!(content_type, format!("{GRAPHQL_RESPONSE}; charset=utf-8"));
        } else {
            assert_eq!(content_type, "application/json", "as before");
        }
    }

    // Nothing acceptable: 406, by POST and by GET.
    for accept in [
        "text/html",
        "application/json;q=0, application/graphql-response+json;q=0",
    ] {
        let (status, _, json) = post_accepting(&app, Some(accept), &body).await;
        assert_eq!(status, 406, "Accept: {accept}");
        assert_error_code(&json, "BAD_USER_INPUT");
        let response = app
            .client
            .get(format!("{}/graphql?query=%7B__typename%7D", app.address))
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 406, "Accept: {accept}");
    }
}

async fn graphql_response_json_answers_request_errors_with_400_and_no_data(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let request_errors = [
        ("does not parse", json!({ "query": "{" })),
        ("does not validate", json!({ "query": "{ noSuchField }" })),
        (
            "variables do not coerce",
            json!({ "query": "query($id: ID!) { node(id: $id) { id } }", "variables": { "id": null } }),
        ),
        (
            "names no operation of the document",
            json!({ "query": "query A { __typename }", "operationName": "B" }),
        ),
        (
            "is over a limit",
            json!({ "query": format!("{{ {} }}", "__typename ".repeat(3000)) }),
        ),
    ];
    for (what, body) in &request_errors {
        let (status, content_type, json) = post_accepting(&app, Some(GRAPHQL_RESPONSE), body).await;
        assert_eq!(status, 400, "a document that {what}: {json:#}");
        assert!(content_type.starts_with(GRAPHQL_RESPONSE));
        assert!(
            json.get("data").is_none(),
            "a document that {what}: {json:#}"
        );
        assert!(!json["errors"].as_array().unwrap().is_empty());
        assert!(
            json["errors"][0]["extensions"]["code"].is_string(),
            "{json:#}"
        );

        // application/json keeps its 200 and its `"data": null`.
        let (status, content_type, json) =
            post_accepting(&app, Some("application/json"), body).await;
        assert_eq!(status, 200, "a document that {what}: {json:#}");
        assert_eq!(content_type, "application/json");
        assert_eq!(json.get("data"), Some(&Value::Null), "{json:#}");
    }

    // Field errors are errors of a request that ran: 200, with `data`.
    let (status, _, json) = post_accepting(
        &app,
        Some(GRAPHQL_RESPONSE),
        &json!({ "query": r#"{ facility(id: "not-an-id") { id } }"# }),
    )
    .await;
    assert_eq!(status, 200, "{json:#}");
    assert_eq!(json["data"], json!({ "facility": null }));
    assert_error_code(&json, "BAD_USER_INPUT");

    // Errors before the request reaches the schema keep their statuses.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .header(CONTENT_TYPE, "text/plain")
        .body("{ __typename }")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(GRAPHQL_RESPONSE)
    );
    let json: Value = response.json().await.unwrap();
    assert!(json.get("data").is_none());
}

async fn a_mutation_by_get_is_405_with_allow_post(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let mutation = r#"mutation { deleteFacility(id: "x", expectedVersion: 1) }"#;
    for accept in ["application/json", GRAPHQL_RESPONSE] {
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", mutation)])
            .header(ACCEPT, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "Accept: {accept}");
        assert_eq!(response.headers()["allow"], "POST");
        let json: Value = response.json().await.unwrap();
        assert!(json.get("data").is_none(), "{json:#}");
        assert_error_code(&json, "BAD_USER_INPUT");
    }
    // With a token too.
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", mutation)])
        .bearer_auth(token(Role::Admin, None))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);

    // The operation that would run decides: the query of a document that
    // also holds a mutation runs by GET, named by `operationName`.
    let document = format!("query Read {{ __typename }} {mutation}");
    let document = document.replacen("mutation {", "mutation Write {", 1);
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", document.as_str()), ("operationName", "Read")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json, json!({ "data": { "__typename": "Query" } }));
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", document.as_str()), ("operationName", "Write")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

async fn a_request_without_a_query_is_400(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for accept in [None, Some("application/json"), Some(GRAPHQL_RESPONSE)] {
        for body in [
            json!({}),
            json!({ "qeury": "{ __typename }" }),
            json!({ "query": null }),
            json!([{ "query": "{ __typename }" }, { "variables": {} }]),
        ] {
            let (status, _, json) = post_accepting(&app, accept, &body).await;
            assert_eq!(status, 400, "{body} with Accept {accept:?}: {json:#}");
            assert_error_code(&json, "BAD_USER_INPUT");
            assert!(json.get("data").is_none());
        }
    }
    let response = app.get("/graphql").await;
    assert_eq!(response.status(), 400);
    let response = app.get("/graphql?variables=%7B%7D").await;
    assert_eq!(response.status(), 400);
}

/// Headers that differ between any two answers, whatever the method.
const PER_REQUEST: [&str; 3] = ["date", "x-request-id", "traceparent"];

/// A header's value, less the nonce a page's policy gets afresh each time.
fn without_nonce(value: &str) -> String {
    match value.split_once("'nonce-") {
        Some((before, after)) => {
            let rest = after.split_once('\'').map_or("", |(_, rest)| rest);
            format!("{before}'nonce-'{rest}")
        }
        None => value.to_owned(),
    }
}

async fn head_answers_as_get_does_without_a_body(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let paths = [
        "/graphql?query=%7B__typename%7D",
        "/graphql?query=%7Bfacilities%7BtotalCount%7D%7D",
        "/health",
        "/ready",
        "/facilities.geojson",
        "/facilities.csv?country=BE",
        "/map",
        "/map/config.json",
        "/map/assets/map.js",
        "/graphiql",
        "/graphiql/assets/graphiql.min.css",
        "/metrics",
        "/map/assets/no-such-asset",
    ];
    for path in paths {
        let url = format!("{}{path}", app.address);
        let get = app.client.get(&url).send().await.unwrap();
        let head = app.client.head(&url).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        let headers = |response: &reqwest::Response| {
            let mut headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .filter(|(name, _)| !PER_REQUEST.contains(&name.as_str()))
                .map(|(name, value)| (name.to_string(), without_nonce(value.to_str().unwrap())))
                .collect();
            headers.sort();
            headers
        };
        let (get_headers, head_headers) = (headers(&get), headers(&head));
        // `/metrics` counts the GET it answered before the HEAD: its length may differ.
        if path == "/metrics" {
            let names =
                |h: &[(String, String)]| h.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            assert_eq!(names(&head_headers), names(&get_headers), "HEAD {path}");
        } else {
            assert_eq!(head_headers, get_headers, "HEAD {path}");
        }
        let get_body = get.bytes().await.unwrap();
        assert!(!get_body.is_empty(), "GET {path} has a body");
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has none"
        );
    }

    // The ETag of a HEAD revalidates as the GET's does.
    let url = format!("{}/facilities.csv", app.address);
    let head = app.client.head(&url).send().await.unwrap();
    let etag = head.headers()["etag"].clone();
    let again = app
        .client
        .head(&url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn the_texts_of_the_contract_match_the_code(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let data = app
        .query(
            r#"{
                dateTime: __type(name: "DateTime") { description }
                query: __type(name: "Query") { fields { name args { name description } } }
            }"#,
            json!({}),
        )
        .await;
    let description = data["dateTime"]["description"].as_str().unwrap();
    assert!(description.contains("UTC"), "{description}");
    assert!(!description.contains("Implement the"), "{description}");
    let search = data["query"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "search")
        .unwrap();
    let first = search["args"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "first")
        .unwrap();
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .contains("default 20, at most 100"),
        "{first:#}"
    );
    // And the code does what the text says.
    let over = app
        .graphql(
            r#"{ search(text: "a", first: 101) { __typename } }"#,
            json!({}),
        )
        .await;
    assert_error_code(&over, "BAD_USER_INPUT");
    let at = app
        .graphql(
            r#"{ search(text: "a", first: 100) { __typename } }"#,
            json!({}),
        )
        .await;
    assert!(at.get("errors").is_none(), "{at:#}");
}

async fn the_graphql_over_http_audits_pass(backend: Backend) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graphql-http");
    let node = std::process::Command::new("node").arg("--version").output();
    let missing = if !dir.join("node_modules/graphql-http").is_dir() {
        Some("run `npm ci` in tests/graphql-http")
    } else if !node.is_ok_and(|o| o.status.success()) {
        Some("Node.js is not installed")
    } else {
        None
    };
    if let Some(missing) = missing {
        assert!(!in_ci(), "the audits cannot run: {missing}");
        eprintln!("SKIPPED the GraphQL-over-HTTP audits: {missing}");
        return;
    }
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Async, so that the server, on this same runtime, keeps answering.
    let output = tokio::process::Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .env("WISH_BASE_URL", &app.address)
        .output()
        .await
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success(),
        "the audits failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

on_both_databases!(
    a_failing_root_field_is_null_beside_its_siblings,
    a_nullable_field_that_fails_in_list_items_is_null_in_each,
    a_non_null_field_that_fails_nulls_its_nearest_nullable_parent,
    a_failure_under_only_non_null_parents_nulls_data,
    every_single_record_field_answers_null_for_a_missing_record,
    graphql_response_json_is_served_to_clients_that_prefer_it,
    graphql_response_json_answers_request_errors_with_400_and_no_data,
    a_mutation_by_get_is_405_with_allow_post,
    a_request_without_a_query_is_400,
    head_answers_as_get_does_without_a_body,
    the_texts_of_the_contract_match_the_code,
    the_graphql_over_http_audits_pass,
);
