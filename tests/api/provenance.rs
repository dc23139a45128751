//! Provenance and precision of facilities: sources with what they support,
//! the day a record was checked, and how exactly it is placed; through
//! writes, the audit log and the change feed, on both databases.

use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

const PROVENANCE: &str = "sourceUrl verifiedOn locationPrecision
    sources { url title publisher readOn supports }";

fn create_document() -> String {
    format!(
        "mutation($input: FacilityInput!) {{ createFacility(input: $input) {{ id version {PROVENANCE} }} }}"
    )
}

fn update_document() -> String {
    format!(
        "mutation($id: ID!, $v: Int!, $input: FacilityPatch!) {{
            updateFacility(id: $id, expectedVersion: $v, input: $input) {{ version {PROVENANCE} }} }}"
    )
}

fn editor() -> String {
    token(Role::Editor, None)
}

fn justice_report() -> Value {
    json!({
        "url": "https://www.justice-ministry.example/annual-report",
        "title": "Annual report",
        "publisher": "Ministry of Justice",
        "readOn": "2026-11-30",
        "supports": ["OPENED_YEAR", "CAPACITY"]
    })
}

fn new_facility() -> Value {
    json!({
        "name": "Test house",
        "countryCode": "BE",
        "city": "Gent",
        "latitude": 51.05,
        "longitude": 3.72,
        "locationPrecision": "CITY",
        "facilityType": "DETENTION_HOUSE",
        "status": "PLANNED",
        "verifiedOn": "2026-11-30",
        "sources": [
            justice_report(),
            { "url": "https://news.example/house" }
        ]
    })
}

async fn create(app: &TestApp, input: Value) -> Value {
    let (status, body) = app
        .graphql_as(&editor(), &create_document(), json!({ "input": input }))
        .await;
    assert_eq!(status, 200);
    body
}

async fn sources_precision_and_check_date_are_written_and_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let body = create(&app, new_facility()).await;

    let created = &body["data"]["createFacility"];
    assert_eq!(created["locationPrecision"], "CITY", "{body:#}");
    assert_eq!(created["verifiedOn"], "2026-11-30");
    // Supported facts come back in the schema's order, whatever order they were given in.
    assert_eq!(
        created["sources"],
        json!([
            {
                "url": "https://www.justice-ministry.example/annual-report",
                "title": "Annual report", "publisher": "Ministry of Justice",
                "readOn": "2026-11-30", "supports": ["CAPACITY", "OPENED_YEAR"]
            },
            {
                "url": "https://news.example/house", "title": null, "publisher": null,
                "readOn": null, "supports": []
            }
        ])
    );
    // The older field still answers: the first source.
    assert_eq!(
        created["sourceUrl"],
        "https://www.justice-ministry.example/annual-report"
    );
}

async fn bad_sources_are_refused_field_by_field_and_nothing_is_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let mut input = new_facility();
    input["verifiedOn"] = json!("2999-01-01");
    input["sources"] = json!([
        { "url": "ftp://files.example/report" },
        { "url": "https://news.example/house", "readOn": "2999-01-01", "title": " " },
        { "url": "https://news.example/house" }
    ]);

    let body = create(&app, input).await;

    assert_error_code(&body, "BAD_USER_INPUT");
    let fields: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "input.verifiedOn",
            "input.sources[0].url",
            "input.sources[1].readOn",
            "input.sources[2].url",
        ],
        "{body:#}"
    );
    assert_eq!(fixtures::state(&app.db).await, before);

    let mut too_many = new_facility();
    too_many["sources"] = (0..21)
        .map(|i| json!({ "url": format!("https://news.example/{i}") }))
        .collect();
    let body = create(&app, too_many).await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["problems"][0]["field"],
        "input.sources"
    );

    let mut both = new_facility();
    both["sourceUrl"] = json!("https://news.example/other");
    let body = create(&app, both).await;
    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn a_patch_replaces_sources_and_the_old_field_leads_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = create(&app, new_facility()).await;
    let id = created["data"]["createFacility"]["id"].clone();

    // `sourceUrl` with a URL already listed moves that source first, details kept.
    let (_, body) = app
        .graphql_as(
            &editor(),
            &update_document(),
            json!({ "id": id, "v": 1,
                    "input": { "sourceUrl": "https://news.example/house", "locationPrecision": "EXACT" } }),
        )
        .await;
    let updated = &body["data"]["updateFacility"];
    assert_eq!(updated["version"], 2, "{body:#}");
    assert_eq!(updated["locationPrecision"], "EXACT");
    assert_eq!(updated["sources"][0]["url"], "https://news.example/house");
    assert_eq!(updated["sources"][1]["title"], "Annual report");

    // A list replaces the list; null clears the check date.
    let (_, body) = app
        .graphql_as(
            &editor(),
            &update_document(),
            json!({ "id": id, "v": 2,
                    "input": { "sources": [justice_report()], "verifiedOn": null } }),
        )
        .await;
    let updated = &body["data"]["updateFacility"];
    assert_eq!(updated["version"], 3, "{body:#}");
    assert_eq!(updated["sources"].as_array().unwrap().len(), 1);
    assert_eq!(updated["verifiedOn"], Value::Null);

    // The same sources again change nothing.
    let (_, body) = app
        .graphql_as(
            &editor(),
            &update_document(),
            json!({ "id": id, "v": 3, "input": { "sources": [justice_report()] } }),
        )
        .await;
    assert_eq!(body["data"]["updateFacility"]["version"], 3, "{body:#}");
}

async fn the_audit_log_and_the_change_feed_carry_provenance(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = create(&app, new_facility()).await;
    let id = created["data"]["createFacility"]["id"].clone();
    let (_, body) = app
        .graphql_as(
            &editor(),
            &update_document(),
            json!({ "id": id, "v": 1, "input": { "locationPrecision": "STREET" } }),
        )
        .await;
    assert_eq!(body["data"]["updateFacility"]["version"], 2, "{body:#}");

    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action before after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{log:#}");
    let update = &events[1];
    assert_eq!(update["before"]["location_precision"], "city", "{log:#}");
    assert_eq!(update["after"]["location_precision"], "street");
    assert_eq!(update["after"]["verified_on"], "2026-11-30");
    assert_eq!(
        update["after"]["sources"][0]["supports"],
        json!(["capacity", "opened_year"])
    );

    let feed = app
        .query(
            &format!(
                "{{ changes(first: 500) {{ nodes {{ action entityId node {{ ... on Facility {{ {PROVENANCE} }} }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    let change = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["entityId"] == id)
        .unwrap();
    assert_eq!(change["node"]["locationPrecision"], "STREET");
    assert_eq!(change["node"]["sources"].as_array().unwrap().len(), 2);
}

on_both_databases!(
    sources_precision_and_check_date_are_written_and_read,
    bad_sources_are_refused_field_by_field_and_nothing_is_written,
    a_patch_replaces_sources_and_the_old_field_leads_them,
    the_audit_log_and_the_change_feed_carry_provenance,
);
