//! Bulk import: upsert by slug, all or nothing, every bad row reported.

use api::graphql::context::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, serve_settings, spawn_app, spawn_app_with, token};
use crate::on_both_databases;

/// The header line of a facility CSV file.
pub const HEADER: &str = "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url\n";

const IMPORT: &str = "mutation($csv: String!, $dry: Boolean) {
    importFacilities(csv: $csv, dryRun: $dry) { rows created updated unchanged dryRun written errors { line column reason } } }";

fn row(name: &str, city: &str, capacity: &str) -> String {
    format!(
        "{name},NL,{city},52.1,5.1,detention_house,{capacity},2024,DJI,mixed,,open,national_prison_administration,adults,closed,false,https://example.org/{}\n",
        city.to_lowercase()
    )
}

async fn import_as(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> Value {
    let (status, body) = app
        .graphql_as(token, IMPORT, json!({ "csv": csv, "dry": dry_run }))
        .await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["importFacilities"].clone()
}

async fn an_export_imports_back_unchanged(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let export = app.get("/facilities.csv").await.text().await.unwrap();
    let before = fixtures::state(&app.db).await;

    let report = import_as(&app, &token(Role::Editor, None), &export, false).await;

    let rows = crate::helpers::demo_facility_rows();
    assert_eq!(
        report,
        json!({ "rows": rows, "created": 0, "updated": 0, "unchanged": rows, "dryRun": false, "written": true, "errors": [] })
    );
    // Nothing changed, so nothing but the write counter moved: no audit rows, no versions.
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn new_rows_are_created_and_known_slugs_updated(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));
    let csv = format!(
        "{HEADER}{}{}",
        row("Huis Utrecht", "Utrecht", "12"),
        row("Huis Zwolle", "Zwolle", "8")
    );
    let report = import_as(&app, &partner, &csv, false).await;
    assert_eq!(
        (report["created"].clone(), report["written"].clone()),
        (json!(2), json!(true))
    );

    let csv = format!(
        "{HEADER}{}{}",
        row("Huis Utrecht", "Utrecht", "14"),
        row("Huis Zwolle", "Zwolle", "8")
    );
    let report = import_as(&app, &partner, &csv, false).await;
    assert_eq!(
        (
            report["created"].clone(),
            report["updated"].clone(),
            report["unchanged"].clone()
        ),
        (json!(0), json!(1), json!(1))
    );
    let read = app
        .query(
            "{ facility(slug: \"huis-utrecht\") { capacity version maintainedBy } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"],
        json!({ "capacity": 14, "version": 2, "maintainedBy": "rescaled" })
    );

    // The feed shows two creates and one update, in order.
    let feed = app
        .query("{ changes { nodes { action entityType } } }", json!({}))
        .await;
    let actions: Vec<&str> = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["CREATED", "CREATED", "UPDATED"]);
}

async fn one_bad_row_writes_nothing_and_every_bad_row_is_reported(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let csv = format!(
        "{HEADER}{}{}{}{}",
        row("Huis Utrecht", "Utrecht", "12"),
        row("Huis Zwolle", "Zwolle", "0"),
        row("Huis Breda", "Breda", "8"),
        "Huis Delft,XX,Delft,52,4,castle,5,2024,,,,open,,,,,\n"
    );

    let report = import_as(&app, &token(Role::Editor, None), &csv, false).await;

    assert_eq!(report["written"], false);
    let errors: Vec<(i64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [(3, "capacity"), (5, "country_code"), (5, "facility_type")]
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn a_dry_run_reports_without_writing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let csv = format!("{HEADER}{}", row("Huis Utrecht", "Utrecht", "12"));

    let report = import_as(&app, &token(Role::Editor, None), &csv, true).await;

    assert_eq!(
        (
            report["created"].clone(),
            report["dryRun"].clone(),
            report["written"].clone()
        ),
        (json!(1), json!(true), json!(false))
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn awkward_but_valid_csv_is_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let csv = format!(
        "\u{feff}{}\"Huis, met komma\",NL,\"Den\nHaag\",52.07,4.3,detention_house,10,2024,\"DJI, Den Haag\",mixed,,open,,,,,\r\n",
        HEADER.replace('\n', "\r\n")
    );
    let report = import_as(&app, &token(Role::Editor, None), &csv, false).await;
    assert_eq!(report["created"], 1, "{report:#}");
    let read = app
        .query(
            "{ facility(slug: \"huis-met-komma\") { name city operator } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"],
        json!({ "name": "Huis, met komma", "city": "Den\nHaag", "operator": "DJI, Den Haag" })
    );
}

async fn malformed_files_are_refused_with_a_reason(backend: Backend) {
    let mut settings = serve_settings();
    settings.max_body_bytes = 4 * 1024 * 1024;
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let before = fixtures::state(&app.db).await;
    let huge = "x".repeat(1024 * 1024);
    let cases = [
        (
            "missing column",
            "name,country_code\nA,BE\n".to_owned(),
            "city",
        ),
        ("extra column", HEADER.replace('\n', ",colour\n"), "colour"),
        (
            "1 MB field",
            format!("{HEADER}{}", row("Huis", &huge, "3")),
            "city",
        ),
        ("short row", format!("{HEADER}A,BE\n"), ""),
    ];
    for (case, csv, column) in cases {
        let report = import_as(&app, &editor, &csv, false).await;
        assert_eq!(report["written"], false, "{case}");
        assert_eq!(report["errors"][0]["column"], column, "{case}: {report:#}");
    }
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn partners_cannot_import_over_another_organisations_facility(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let other = fixtures::organisation(&app.db, "other-partner").await;
    fixtures::organisation(&app.db, "rescaled").await;
    let export = app.get("/facilities.csv").await.text().await.unwrap();
    let first_name = {
        let mut reader = csv::Reader::from_reader(export.as_bytes());
        reader.records().next().unwrap().unwrap()[0].to_owned()
    };
    let slug = api::service::text::slugify(&first_name);
    fixtures::maintain(&app.db, &slug, &other).await;
    let before = fixtures::state(&app.db).await;
    let csv = format!(
        "{HEADER}{}{}",
        row("Huis Utrecht", "Utrecht", "12"),
        export.lines().nth(1).unwrap().replace(",open,", ",closed,") + "\n"
    );

    let report = import_as(&app, &token(Role::Partner, Some("rescaled")), &csv, false).await;

    assert_eq!(report["written"], false);
    assert_eq!(report["errors"][0]["line"], 3, "{report:#}");
    assert!(
        report["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("another organisation")
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

/// Two rows named "Huis" and one named "Huis 2" would all want `huis-2`.
async fn repeated_names_get_slugs_that_never_collide(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let csv = format!(
        "{HEADER}{}{}{}",
        row("Huis", "Almere", "10"),
        row("Huis", "Breda", "11"),
        row("Huis 2", "Delft", "12")
    );
    let report = import_as(&app, &editor, &csv, false).await;
    assert_eq!(
        (report["created"].clone(), report["written"].clone()),
        (json!(3), json!(true)),
        "{report:#}"
    );
    for (slug, city) in [
        ("huis", "Almere"),
        ("huis-2", "Breda"),
        ("huis-2-2", "Delft"),
    ] {
        let read = app
            .query(
                "query($slug: String) { facility(slug: $slug) { city } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(read["facility"]["city"], city, "{slug}");
    }

    let again = import_as(&app, &editor, &csv, false).await;
    assert_eq!(
        (again["created"].clone(), again["unchanged"].clone()),
        (json!(0), json!(3)),
        "the same file matches every row to itself: {again:#}"
    );
}

on_both_databases!(
    repeated_names_get_slugs_that_never_collide,
    an_export_imports_back_unchanged,
    new_rows_are_created_and_known_slugs_updated,
    one_bad_row_writes_nothing_and_every_bad_row_is_reported,
    a_dry_run_reports_without_writing,
    awkward_but_valid_csv_is_read,
    malformed_files_are_refused_with_a_reason,
    partners_cannot_import_over_another_organisations_facility,
);
