//! Facility writes: validation of every field, optimistic concurrency, and
//! all-or-nothing behaviour, through the real app on both databases.

use api::graphql::id::Kind;
use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, gid, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str = "mutation($input: FacilityInput!) {
    createFacility(input: $input) { id slug name countryCode capacity version maintainedBy
        principles ecosystem { dimension note } description(lang: \"fr\") createdAt updatedAt } }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: FacilityPatch!) {
    updateFacility(id: $id, expectedVersion: $v, input: $input) {
        id slug name city capacity latitude longitude version updatedAt principles } }";

fn editor() -> String {
    token(Role::Editor, None)
}

fn new_facility() -> Value {
    json!({
        "name": "Maison de détention de Liège",
        "countryCode": "be",
        "city": "Liège",
        "latitude": 50.63,
        "longitude": 5.57,
        "facilityType": "DETENTION_HOUSE",
        "status": "PLANNED",
        "capacity": 20,
        "openedYear": 2027,
        "principles": ["SMALL_SCALE", "COMMUNITY_INTEGRATION"],
        "ecosystem": [{ "dimension": "ARCHITECTURE", "note": "A house in a street." }],
        "description": [
            { "lang": "en", "text": "A detention house." },
            { "lang": "fr", "text": "Une maison de détention." }
        ],
        "sourceUrl": "https://example.org/liege"
    })
}

async fn create(app: &TestApp, input: Value) -> Value {
    let (status, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": input }))
        .await;
    assert_eq!(status, 200);
    body
}

async fn editors_create_a_facility_with_a_transliterated_slug(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let body = create(&app, new_facility()).await;

    let created = &body["data"]["createFacility"];
    assert_eq!(created["slug"], "maison-de-detention-de-liege", "{body:#}");
    assert_eq!(created["countryCode"], "BE");
    assert_eq!(created["version"], 1);
    assert_eq!(created["description"], "Une maison de détention.");
    assert_eq!(
        created["principles"],
        json!(["SMALL_SCALE", "COMMUNITY_INTEGRATION"])
    );
    assert_eq!(created["createdAt"], created["updatedAt"]);
    // Readable by anyone at once, by slug.
    let read = app
        .query(
            "{ facility(slug: \"maison-de-detention-de-liege\") { name ecosystem { note } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"]["ecosystem"][0]["note"],
        "A house in a street."
    );

    // The same name again gets the next free slug.
    let again = create(&app, new_facility()).await;
    assert_eq!(
        again["data"]["createFacility"]["slug"],
        "maison-de-detention-de-liege-2"
    );
}

async fn every_bad_field_is_reported_and_nothing_is_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let mut input = new_facility();
    input["countryCode"] = json!("XX");
    input["latitude"] = json!(95.0);
    input["capacity"] = json!(0);
    input["openedYear"] = json!(1200);
    input["sourceUrl"] = Value::Null;
    input["sources"] = json!([{ "url": "ftp://example.org" }]);
    input["website"] = json!("not a url");
    input["slug"] = json!("Not A Slug");
    input["name"] = json!("   ");
    input["ecosystem"] = json!([
        { "dimension": "WORK", "note": "one" },
        { "dimension": "WORK", "note": "two" }
    ]);

    let body = create(&app, input).await;

    assert_error_code(&body, "BAD_USER_INPUT");
    let error = &body["errors"][0];
    let fields: Vec<&str> = error["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    for expected in [
        "input.slug",
        "input.name",
        "input.countryCode",
        "input.latitude",
        "input.capacity",
        "input.openedYear",
        "input.website",
        "input.sources[0].url",
        "input.ecosystem[1].dimension",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    assert_eq!(error["extensions"]["field"], "input.slug");
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn a_taken_slug_and_a_missing_english_text_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let existing = fixtures::facility_slugs(&app.db).await.remove(0);
    let mut input = new_facility();
    input["slug"] = json!(existing);
    let body = create(&app, input).await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.slug");

    let mut input = new_facility();
    input["description"] = json!([{ "lang": "fr", "text": "Seulement en français." }]);
    let body = create(&app, input).await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.description"
    );

    let mut input = new_facility();
    input["description"] = json!([{ "lang": "de", "text": "Deutsch." }]);
    let body = create(&app, input).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.description[0].lang"
    );
}

async fn an_update_bumps_the_version_and_a_stale_one_conflicts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = create(&app, new_facility()).await;
    let id = created["data"]["createFacility"]["id"].clone();
    let created_at = created["data"]["createFacility"]["updatedAt"].clone();

    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "capacity": 24, "city": null, "principles": ["SMALL_SCALE"] } }),
        )
        .await;
    let updated = &body["data"]["updateFacility"];
    assert_eq!(updated["version"], 2, "{body:#}");
    assert_eq!(updated["capacity"], 24);
    assert_eq!(updated["city"], Value::Null);
    assert_eq!(updated["name"], "Maison de détention de Liège");
    assert_eq!(updated["principles"], json!(["SMALL_SCALE"]));
    assert_ne!(updated["updatedAt"], created_at);

    let before = fixtures::state(&app.db).await;
    let (_, stale) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "capacity": 30 } }),
        )
        .await;
    assert_error_code(&stale, "CONFLICT");
    assert!(
        stale["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("version is 2")
    );
    assert_eq!(fixtures::state(&app.db).await, before);

    // Clearing one coordinate alone is refused: they go together.
    let (_, half) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 2, "input": { "latitude": null } }),
        )
        .await;
    assert_error_code(&half, "BAD_USER_INPUT");
    assert_eq!(half["errors"][0]["extensions"]["field"], "input.latitude");
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn an_update_of_an_unknown_facility_is_not_found(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": gid(Kind::Facility, 999_999), "v": 1, "input": { "capacity": 3 } }),
        )
        .await;
    assert_error_code(&body, "NOT_FOUND");
    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": gid(Kind::Visit, 1), "v": 1, "input": { "capacity": 3 } }),
        )
        .await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "id");
}

async fn a_facility_with_visits_is_not_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let facility = fixtures::facility(&app.db, &fixtures::facility_slugs(&app.db).await[0]).await;
    fixtures::visit(&app.db, facility.id, fixtures::day(2025, 3, 1), None, &[]).await;
    let admin = token(Role::Admin, None);
    let delete = "mutation($id: ID!, $v: Int!) { deleteFacility(id: $id, expectedVersion: $v) }";
    let id = gid(Kind::Facility, facility.id);

    let (_, body) = app
        .graphql_as(&admin, delete, json!({ "id": id, "v": facility.version }))
        .await;
    assert_error_code(&body, "CONFLICT");

    let created = create(&app, new_facility()).await;
    let new_id = created["data"]["createFacility"]["id"].clone();
    let (_, stale) = app
        .graphql_as(&admin, delete, json!({ "id": new_id, "v": 7 }))
        .await;
    assert_error_code(&stale, "CONFLICT");
    let (_, body) = app
        .graphql_as(&admin, delete, json!({ "id": new_id, "v": 1 }))
        .await;
    assert_eq!(body["data"]["deleteFacility"], new_id, "{body:#}");
    let gone = app
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": new_id }),
        )
        .await;
    assert_eq!(gone["data"]["node"], Value::Null);
}

async fn a_read_right_after_a_write_sees_the_write(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let url = format!("/graphql?query={{facility(slug:\"{slug}\"){{id capacity version}}}}");
    let first = app.get(&url).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    let id = first["data"]["facility"]["id"].clone();
    let version = first["data"]["facility"]["version"].clone();

    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": version, "input": { "capacity": 29 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");

    let again = app
        .client
        .get(format!("{}{url}", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "the old ETag is stale after a write");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["data"]["facility"]["capacity"], 29);
}

async fn anonymous_answers_are_cached_until_the_next_write(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let read = "query($slug: String!) { facility(slug: $slug) { id capacity version } }";

    let before = app.statements.get();
    let first = app.query(read, json!({ "slug": slug })).await;
    assert!(app.statements.get() > before, "the first read runs queries");
    let before = app.statements.get();
    let second = app.query(read, json!({ "slug": slug })).await;
    assert_eq!(
        app.statements.get(),
        before,
        "the same read again comes from the cache"
    );
    assert_eq!(first, second);

    let facility = &first["facility"];
    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": facility["id"], "v": facility["version"], "input": { "capacity": 17 } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");

    let third = app.query(read, json!({ "slug": slug })).await;
    assert_eq!(
        third["facility"]["capacity"], 17,
        "a read right after a write sees it"
    );
    // Another language is another answer.
    let french = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Accept-Language", "fr")
        .json(&json!({ "query": "query($slug: String!) { facility(slug: $slug) { description } }", "variables": { "slug": slug } }))
        .send()
        .await
        .unwrap();
    assert_eq!(french.status(), 200);
}

async fn mutations_are_refused_over_get(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let response = app
        .client
        .get(format!(
            "{}/graphql?query=mutation{{createStakeholder(input:{{name:\"X\",kind:POLICY}}){{id}}}}",
            app.address
        ))
        .bearer_auth(editor())
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_error_code(&body, "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

on_both_databases!(
    editors_create_a_facility_with_a_transliterated_slug,
    every_bad_field_is_reported_and_nothing_is_written,
    a_taken_slug_and_a_missing_english_text_are_refused,
    an_update_bumps_the_version_and_a_stale_one_conflicts,
    an_update_of_an_unknown_facility_is_not_found,
    a_facility_with_visits_is_not_deleted,
    a_read_right_after_a_write_sees_the_write,
    anonymous_answers_are_cached_until_the_next_write,
    mutations_are_refused_over_get,
);
