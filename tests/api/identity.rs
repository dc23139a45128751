//! Stable identity: ids made from UUIDs that survive export and import,
//! the ids issued before them, and the references other registers give a
//! facility.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error_code, gid, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str = "mutation($input: FacilityInput!) { createFacility(input: $input) { id slug name externalRefs { scheme value url } } }";
const IMPORT: &str = "mutation($csv: String!) { importFacilities(csv: $csv) { rows created updated unchanged errors { line column reason } } }";

fn editor() -> String {
    token(Role::Editor, None)
}

async fn create(app: &TestApp, input: Value) -> Value {
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": input }))
        .await;
    body
}

fn house(name: &str, refs: Value) -> Value {
    json!({
        "name": name, "countryCode": "NL", "city": "Utrecht", "latitude": 52.09, "longitude": 5.12,
        "facilityType": "DETENTION_HOUSE", "status": "OPEN", "externalRefs": refs,
    })
}

/// A house with what the exchange formats carry beyond the source list:
/// sources in full (the second with everything a source records) and principles.
fn documented_house(name: &str, refs: Value) -> Value {
    let mut house = house(name, refs);
    house["sources"] = json!([
        { "url": "https://example.org/first" },
        {
            "url": "https://example.org/second", "title": "A report, \"quoted\"; with a, comma",
            "publisher": "Example publisher", "readOn": "2026-11-30", "supports": ["CAPACITY", "LOCATION"],
        },
    ]);
    house["principles"] = json!(["SMALL_SCALE", "COMMUNITY_INTEGRATION"]);
    house
}

async fn text(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn ids_resolve_from_uuids_and_from_serials(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = create(&app, house("Huis Utrecht", json!([]))).await;
    let id = body["data"]["createFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(&id).unwrap()).unwrap();
    let uuid = decoded.strip_prefix("Facility:").unwrap();
    assert_eq!(
        sea_orm::prelude::Uuid::parse_str(uuid)
            .unwrap()
            .get_version_num(),
        7
    );
    let row: i32 = <entity::facility::Entity as sea_orm::EntityTrait>::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.uuid.to_string() == uuid)
        .unwrap()
        .id;
    let old = gid(api::graphql::id::Kind::Facility, row);
    let read = "query($id: ID!) { node(id: $id) { id } facility(id: $id) { name } }";
    for asked in [&id, &old] {
        let data = app.query(read, json!({ "id": asked })).await;
        assert_eq!(data["node"]["id"], json!(id), "node({asked})");
        assert_eq!(data["facility"]["name"], "Huis Utrecht");
    }
}

/// The ids of a list are looked up together: four cost what one costs.
async fn lists_of_ids_resolve_in_one_query(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let workshops: Vec<Value> =
        app.query("{ knowledgeWorkshops { id } }", json!({})).await["knowledgeWorkshops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].clone())
            .collect();
    assert_eq!(workshops.len(), 4);
    let write = "mutation($input: StakeholderInput!) { createStakeholder(input: $input) { workshops { id } } }";
    let mut cost = Vec::new();
    for ids in [&workshops[..1], &workshops[..]] {
        let before = app.statements.get();
        let (_, body) = app
            .graphql_as(
                &editor(),
                write,
                json!({ "input": { "name": "A. Researcher", "kind": "PRACTICE", "workshops": ids } }),
            )
            .await;
        assert_eq!(
            body["data"]["createStakeholder"]["workshops"]
                .as_array()
                .map(Vec::len),
            Some(ids.len()),
            "{body:#}"
        );
        cost.push(app.statements.get() - before);
    }
    assert_eq!(cost[0], cost[1], "statements for one id and for four");
}

async fn external_refs_are_kept_found_filtered_and_unique(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let wikidata = json!([{ "scheme": "WIKIDATA", "value": "Q4115189", "url": "https://www.wikidata.org/wiki/Q4115189" }]);
    let body = create(&app, house("Huis Utrecht", wikidata.clone())).await;
    assert_eq!(
        body["data"]["createFacility"]["externalRefs"], wikidata,
        "{body:#}"
    );

    let found = app
        .query(
            r#"{ facility(ref: {scheme: WIKIDATA, value: "Q4115189"}) { name }
                 with: facilities(filter: {withExternalRef: [WIKIDATA]}) { totalCount }
                 without: facilities(filter: {withoutExternalRef: [WIKIDATA]}) { totalCount }
                 all: facilities { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(found["facility"]["name"], "Huis Utrecht");
    assert_eq!(found["with"]["totalCount"], 1);
    let all = found["all"]["totalCount"].as_i64().unwrap();
    assert_eq!(found["without"]["totalCount"], all - 1);

    let twice = create(&app, house("Huis Zeist", wikidata)).await;
    assert_error_code(&twice, "CONFLICT");
    assert!(
        twice["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("huis-utrecht"),
        "{twice:#}"
    );
    let bad = create(
        &app,
        house(
            "Huis Zeist",
            json!([{ "scheme": "OSM", "value": " ", "url": "ftp://x" }]),
        ),
    )
    .await;
    assert_error_code(&bad, "BAD_USER_INPUT");
}

/// Exports `format` from A, imports it into B through the API, and
/// answers B's export.
async fn round_trip(a: &TestApp, b: &TestApp, format: &str) -> (String, String) {
    let exported = text(a, &format!("/facilities.{format}")).await;
    let (_, body) = b
        .graphql_as(&editor(), IMPORT, json!({ "csv": exported }))
        .await;
    assert_eq!(
        body["data"]["importFacilities"]["errors"],
        json!([]),
        "{body:#}"
    );
    (exported, text(b, &format!("/facilities.{format}")).await)
}

async fn each_export_imports_into_another_installation_unchanged(backend: Backend) {
    let (Some(a), Some(b)) = (spawn_app(backend).await, spawn_app(backend).await) else {
        return;
    };
    let osm = json!([{ "scheme": "OSM", "value": "way/4242", "url": "https://www.openstreetmap.org/way/4242" }]);
    let body = create(&a, documented_house("Huis Utrecht", osm)).await;
    let id = body["data"]["createFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for format in ["csv", "geojson"] {
        let (from_a, from_b) = round_trip(&a, &b, format).await;
        assert_eq!(from_a, from_b, "{format}");
    }
    let on_b = b
        .query(
            "query($id: ID!) { node(id: $id) { ... on Facility { name externalRefs { value } principles sources { url title publisher readOn supports } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        on_b["node"],
        json!({
            "name": "Huis Utrecht", "externalRefs": [{ "value": "way/4242" }],
            "principles": ["SMALL_SCALE", "COMMUNITY_INTEGRATION"],
            "sources": [
                { "url": "https://example.org/first", "title": null, "publisher": null, "readOn": null, "supports": [] },
                {
                    "url": "https://example.org/second", "title": "A report, \"quoted\"; with a, comma",
                    "publisher": "Example publisher", "readOn": "2026-11-30", "supports": ["LOCATION", "CAPACITY"],
                },
            ],
        })
    );
}

/// Exports of A, imported by the command line into a new installation B,
/// which then writes the same files.
async fn each_export_imports_through_the_command_line_unchanged(backend: Backend) {
    let Some(a) = spawn_app(backend).await else {
        return;
    };
    let osm = json!([{ "scheme": "OSM", "value": "way/4242", "url": "https://www.openstreetmap.org/way/4242" }]);
    create(&a, documented_house("Huis Utrecht", osm)).await;

    for format in ["csv", "geojson"] {
        let from_a = text(&a, &format!("/facilities.{format}")).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("facilities.{format}"));
        std::fs::write(&file, &from_a).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display());
        let imported = std::process::Command::new(env!("CARGO_BIN_EXE_wish-api"))
            .env_remove("WISH_DATABASE_URL")
            .env_remove("WISH_DATABASE_SCHEMA")
            .args(["import", "--database-url", &url])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            imported.status.success(),
            "{}",
            String::from_utf8_lossy(&imported.stderr)
        );

        let b = sea_orm::Database::connect(&url).await.unwrap();
        let all = api::service::facility::Filter::default();
        let from_b = if format == "csv" {
            let models = api::service::facility::select(&all, &[])
                .unwrap()
                .all(&b)
                .await
                .unwrap();
            let fields = api::service::facility::map::exchange_fields(&b, &models)
                .await
                .unwrap();
            api::service::facility::csv::write(&fields).unwrap()
        } else {
            api::service::facility::map::feature_collection(&b, &all)
                .await
                .unwrap()
        };
        assert_eq!(from_a, String::from_utf8(from_b).unwrap(), "{format}");
    }
}

async fn a_renamed_row_updates_its_facility(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let body = create(&app, house("Huis Utrecht", json!([]))).await;
    let id = body["data"]["createFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let count = "{ facilities { totalCount } }";
    let before = app.query(count, json!({})).await;
    let renamed = text(&app, "/facilities.csv")
        .await
        .replace("Huis Utrecht,", "Huis Utrecht-Oost,");

    let (_, body) = app
        .graphql_as(&editor(), IMPORT, json!({ "csv": renamed }))
        .await;

    let report = &body["data"]["importFacilities"];
    assert_eq!(
        (report["created"].clone(), report["updated"].clone()),
        (json!(0), json!(1)),
        "{body:#}"
    );
    assert_eq!(app.query(count, json!({})).await, before);
    let data = app
        .query(
            "query($id: ID!) { facility(id: $id) { name slug } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["facility"],
        json!({ "name": "Huis Utrecht-Oost", "slug": "huis-utrecht" })
    );
}

/// The project's source list has no `sources`, `principles` or reference
/// columns: importing it changes what it has and leaves the rest.
async fn a_file_without_a_column_leaves_what_it_would_carry(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let osm = json!([{ "scheme": "OSM", "value": "way/4242", "url": "https://www.openstreetmap.org/way/4242" }]);
    let body = create(&app, documented_house("Huis Utrecht", osm)).await;
    let id = body["data"]["createFacility"]["id"].clone();
    let exported = text(&app, "/facilities.csv").await;
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let header = reader.headers().unwrap().clone();
    let kept: Vec<usize> = (0..header.len())
        .filter(|&i| {
            !matches!(&header[i], "sources" | "principles") && !header[i].starts_with("ref_")
        })
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(kept.iter().map(|&i| &header[i]))
        .unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let ours = &record[0] == "Huis Utrecht";
        writer
            .write_record(kept.iter().map(|&i| match &header[i] {
                "city" if ours => "Utrecht-Oost",
                _ => &record[i],
            }))
            .unwrap();
    }
    let source_list = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    assert!(!source_list.contains("principles") && !source_list.contains("way/4242"));

    let (_, body) = app
        .graphql_as(&editor(), IMPORT, json!({ "csv": source_list }))
        .await;
    assert_eq!(body["data"]["importFacilities"]["updated"], 1, "{body:#}");

    let data = app
        .query(
            "query($id: ID!) { facility(id: $id) { city principles externalRefs { value } sources { url } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["facility"],
        json!({
            "city": "Utrecht-Oost", "principles": ["SMALL_SCALE", "COMMUNITY_INTEGRATION"],
            "externalRefs": [{ "value": "way/4242" }],
            "sources": [{ "url": "https://example.org/first" }, { "url": "https://example.org/second" }],
        })
    );
}

async fn demo_installations_agree_on_ids(backend: Backend) {
    let (Some(a), Some(b)) = (spawn_app(backend).await, spawn_app(backend).await) else {
        return;
    };
    let read = r#"{ facility(ref: {scheme: RESCALED, value: "inspirational-practices.rescaled.org/2023/12/21/detention-house-kortrijk"}) { id name } }"#;
    let on_a = a.query(read, json!({})).await;
    assert_eq!(on_a["facility"]["name"], "Detentiehuis Kortrijk");
    assert_eq!(on_a, b.query(read, json!({})).await);
    let project = "{ knowledgeWorkshops { key id } }";
    let on_a = a.query(project, json!({})).await;
    assert_eq!(on_a["knowledgeWorkshops"].as_array().map(Vec::len), Some(4));
    assert_eq!(on_a, b.query(project, json!({})).await);
}

on_both_databases!(
    ids_resolve_from_uuids_and_from_serials,
    lists_of_ids_resolve_in_one_query,
    external_refs_are_kept_found_filtered_and_unique,
    each_export_imports_into_another_installation_unchanged,
    each_export_imports_through_the_command_line_unchanged,
    a_file_without_a_column_leaves_what_it_would_carry,
    a_renamed_row_updates_its_facility,
    demo_installations_agree_on_ids
);
