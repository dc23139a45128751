//! Partner organisations in the API: everyone reads them, admins write them,
//! and a suspended organisation's tokens are refused on every server while
//! its facilities stay.

use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str = "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { slug name website suspended version } }";

const UPDATE: &str = "mutation($slug: String!, $v: Int!, $input: UpdateOrganisationInput!) { updateOrganisation(slug: $slug, expectedVersion: $v, input: $input) { name website contact version } }";

async fn as_admin(app: &TestApp, document: &str, variables: Value) -> Value {
    let (status, body) = app
        .graphql_as(&token(Role::Admin, None), document, variables)
        .await;
    assert_eq!(status, 200, "{body:#}");
    body
}

async fn create_example_org(app: &TestApp) -> Value {
    let body = as_admin(
        app,
        CREATE,
        json!({ "input": { "slug": "example-org", "name": "Example organisation", "website": "https://example.org", "contact": "office@example.org" } }),
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createOrganisation"].clone()
}

async fn everyone_reads_organisations_and_only_admins_their_contact(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = create_example_org(&app).await;

    let public = app
        .query(
            "{ organisations { totalCount nodes { slug name website suspended } } organisation(slug: \"example-org\") { name } missing: organisation(slug: \"nobody\") { name } }",
            json!({}),
        )
        .await;
    let contact_anonymous = app
        .graphql(
            "{ organisation(slug: \"example-org\") { contact } }",
            json!({}),
        )
        .await;
    let (_, contact_editor) = app
        .graphql_as(
            &token(Role::Editor, None),
            "{ organisation(slug: \"example-org\") { contact } }",
            json!({}),
        )
        .await;
    let contact_admin = as_admin(
        &app,
        "{ organisation(slug: \"example-org\") { contact } }",
        json!({}),
    )
    .await;

    assert_eq!(
        created,
        json!({ "slug": "example-org", "name": "Example organisation", "website": "https://example.org", "suspended": false, "version": 1 })
    );
    assert_eq!(public["organisations"]["totalCount"], 1);
    assert_eq!(
        public["organisations"]["nodes"][0],
        json!({ "slug": "example-org", "name": "Example organisation", "website": "https://example.org", "suspended": false })
    );
    assert_eq!(public["organisation"]["name"], "Example organisation");
    assert!(public["missing"].is_null());
    assert_error_code(&contact_anonymous, "FORBIDDEN");
    assert_error_code(&contact_editor, "FORBIDDEN");
    assert_eq!(
        contact_admin["data"]["organisation"]["contact"],
        "office@example.org"
    );
}

async fn admins_rename_and_change_organisations_with_the_version_they_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_example_org(&app).await;

    let renamed = as_admin(
        &app,
        UPDATE,
        json!({ "slug": "example-org", "v": 1, "input": { "name": "Example organisation (renamed)", "website": null } }),
    )
    .await;
    let stale = as_admin(
        &app,
        UPDATE,
        json!({ "slug": "example-org", "v": 1, "input": { "name": "Lost update" } }),
    )
    .await;
    let invalid = as_admin(
        &app,
        UPDATE,
        json!({ "slug": "example-org", "v": 2, "input": { "name": " ", "contact": "not an address" } }),
    )
    .await;
    let unknown = as_admin(
        &app,
        UPDATE,
        json!({ "slug": "nobody", "v": 1, "input": { "name": "x" } }),
    )
    .await;
    let duplicate = as_admin(
        &app,
        CREATE,
        json!({ "input": { "slug": "example-org", "name": "Again" } }),
    )
    .await;
    let bad_slug = as_admin(
        &app,
        CREATE,
        json!({ "input": { "slug": "Not A Slug", "name": "Bad" } }),
    )
    .await;

    assert_eq!(
        renamed["data"]["updateOrganisation"],
        json!({ "name": "Example organisation (renamed)", "website": null, "contact": "office@example.org", "version": 2 })
    );
    assert_error_code(&stale, "CONFLICT");
    assert_error_code(&invalid, "BAD_USER_INPUT");
    let fields: Vec<&str> = invalid["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["input.name", "input.contact"]);
    assert_error_code(&unknown, "NOT_FOUND");
    assert_error_code(&duplicate, "CONFLICT");
    assert_error_code(&bad_slug, "BAD_USER_INPUT");
    let name = app
        .query(
            "{ organisation(slug: \"example-org\") { name version } }",
            json!({}),
        )
        .await;
    assert_eq!(
        name["organisation"],
        json!({ "name": "Example organisation (renamed)", "version": 2 })
    );
}

async fn a_suspended_organisations_tokens_are_refused_everywhere_and_its_facilities_stay(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create_example_org(&app).await;
    let slug = crate::fixtures::facility_slugs(&app.db).await[0].clone();
    let org = api::service::organisation::find(&app.db, "example-org")
        .await
        .unwrap()
        .unwrap();
    crate::fixtures::maintain(&app.db, &slug, &org).await;
    let partner = token(Role::Partner, Some("example-org"));
    let other = app.second_replica().await.address;
    let viewer_at = |address: String| {
        let request = app
            .client
            .post(format!("{address}/graphql"))
            .bearer_auth(&partner)
            .json(&json!({ "query": "{ viewer { organisation } }" }));
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    assert_eq!(viewer_at(other.clone()).await.0, 200);

    let suspended = as_admin(
        &app,
        "mutation { suspendOrganisation(slug: \"example-org\") { suspended } }",
        json!({}),
    )
    .await;
    let at = Instant::now();
    let (status, here) = viewer_at(app.address.clone()).await;
    loop {
        let (status, _) = viewer_at(other.clone()).await;
        if status == 401 {
            break;
        }
        assert!(
            at.elapsed() < Duration::from_secs(1),
            "the other server still accepts a suspended organisation's token"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let issue = as_admin(
        &app,
        "mutation { issueToken(input: { subject: \"a@example.org\", role: PARTNER, organisation: \"example-org\" }) { token } }",
        json!({}),
    )
    .await;
    let facility = app
        .query(
            "query($slug: String!) { facility(slug: $slug) { slug } organisation(slug: \"example-org\") { suspended } }",
            json!({ "slug": slug }),
        )
        .await;
    as_admin(
        &app,
        "mutation { reinstateOrganisation(slug: \"example-org\") { suspended } }",
        json!({}),
    )
    .await;
    let (reinstated, _) = viewer_at(app.address.clone()).await;

    assert_eq!(suspended["data"]["suspendOrganisation"]["suspended"], true);
    assert_eq!(status, 401);
    assert_error_code(&here, "UNAUTHENTICATED");
    assert!(here.to_string().contains("suspended"), "{here:#}");
    assert_error_code(&issue, "BAD_USER_INPUT");
    assert_eq!(facility["facility"]["slug"], slug.as_str());
    assert_eq!(facility["organisation"]["suspended"], true);
    assert_eq!(reinstated, 200);
}

/// An organisation's writes go through the same steps as every record: in
/// the audit log (without the admins-only contact address) and in the
/// public change feed, where a change of the contact alone does not show;
/// `node(id:)` finds it by its global id.
async fn organisation_writes_are_audited_and_in_the_feed_without_their_contact(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let feed_before = app
        .query("{ changes(first: 100) { nodes { cursor } } }", json!({}))
        .await["changes"]["nodes"]
        .as_array()
        .unwrap()
        .len();
    create_example_org(&app).await;
    let contact_only = as_admin(
        &app,
        UPDATE,
        json!({ "slug": "example-org", "v": 1, "input": { "contact": "desk@example.org" } }),
    )
    .await;
    assert!(contact_only.get("errors").is_none(), "{contact_only:#}");
    let suspended = as_admin(
        &app,
        "mutation { suspendOrganisation(slug: \"example-org\") { id suspended version } }",
        json!({}),
    )
    .await;
    let organisation = &suspended["data"]["suspendOrganisation"];
    assert_eq!(organisation["version"], 3, "{suspended:#}");
    let id = organisation["id"].as_str().unwrap().to_owned();

    let feed = app
        .query(
            "{ changes(first: 100) { nodes { action entityType entityId entityVersion node { ... on Organisation { slug suspended } } } } }",
            json!({}),
        )
        .await;
    let log = as_admin(
        &app,
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action actorRole entityVersion before after } } }",
        json!({ "id": id }),
    )
    .await;
    let node = app
        .query(
            "query($id: ID!) { node(id: $id) { __typename ... on Organisation { id slug name } } }",
            json!({ "id": id }),
        )
        .await;

    let published: Vec<&Value> = feed["changes"]["nodes"].as_array().unwrap()[feed_before..]
        .iter()
        .collect();
    assert_eq!(
        published,
        [
            &json!({ "action": "CREATED", "entityType": "ORGANISATION", "entityId": id, "entityVersion": 1, "node": { "slug": "example-org", "suspended": true } }),
            &json!({ "action": "UPDATED", "entityType": "ORGANISATION", "entityId": id, "entityVersion": 3, "node": { "slug": "example-org", "suspended": true } }),
        ],
        "the contact change (version 2) stays out of the public feed"
    );
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{log:#}");
    let text = log.to_string();
    assert!(
        !text.contains("office@example.org") && !text.contains("desk@example.org"),
        "{log:#}"
    );
    assert_eq!(events[1]["entityVersion"], 2);
    assert_eq!(
        events[1]["after"]["contact"],
        json!({ "set": true, "changed": true })
    );
    assert_eq!(events[2]["before"]["suspended_at"], Value::Null);
    assert!(events[2]["after"]["suspended_at"].is_string(), "{log:#}");
    assert_eq!(events[2]["actorRole"], "ADMIN");
    assert_eq!(
        node["node"],
        json!({ "__typename": "Organisation", "id": id, "slug": "example-org", "name": "Example organisation" })
    );
}

on_both_databases!(
    everyone_reads_organisations_and_only_admins_their_contact,
    admins_rename_and_change_organisations_with_the_version_they_read,
    a_suspended_organisations_tokens_are_refused_everywhere_and_its_facilities_stay,
    organisation_writes_are_audited_and_in_the_feed_without_their_contact,
);
