//! Bulk import: rows matched by id, reference or slug, all or nothing, every bad row reported.

use std::cell::Cell;
use std::time::{Duration, Instant};

use entity::value::Role;
use sea_orm::TransactionTrait;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, serve_settings, spawn_app, spawn_app_with, token};
use crate::on_both_databases;

/// The header line of a facility CSV file.
pub const HEADER: &str = "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url\n";

/// The header line with the optional `slug` column, as the export writes it.
pub const HEADER_WITH_SLUG: &str = "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url,slug\n";

const IMPORT: &str = "mutation($csv: String!, $dry: Boolean) {
    importFacilities(csv: $csv, dryRun: $dry) { rows created updated unchanged dryRun written errors { line column reason } } }";

fn row(name: &str, city: &str, capacity: &str) -> String {
    format!(
        "{name},NL,{city},52.1,5.1,detention_house,{capacity},2024,DJI,mixed,,open,national_prison_administration,adults,closed,false,https://example.org/{}\n",
        city.to_lowercase()
    )
}

/// A row for [`HEADER_WITH_SLUG`]; an empty slug leaves the matching to the name.
fn row_with_slug(name: &str, city: &str, capacity: &str, slug: &str) -> String {
    format!("{},{slug}\n", row(name, city, capacity).trim_end())
}

async fn create_facility(app: &TestApp, token: &str, input: Value) -> String {
    let (_, body) = app
        .graphql_as(
            token,
            "mutation($input: FacilityInput!) { createFacility(input: $input) { slug } }",
            json!({ "input": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createFacility"]["slug"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn facility_input(name: &str, city: &str, slug: Option<&str>) -> Value {
    json!({
        "name": name, "slug": slug, "city": city, "countryCode": "NL",
        "facilityType": "DETENTION_HOUSE", "status": "OPEN",
    })
}

fn counts(report: &Value) -> (Value, Value, Value) {
    (
        report["created"].clone(),
        report["updated"].clone(),
        report["unchanged"].clone(),
    )
}

fn error_cells(report: &Value) -> Vec<(i64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
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
        "{HEADER_WITH_SLUG}{}{}",
        row_with_slug("Huis Utrecht", "Utrecht", "14", "huis-utrecht"),
        row_with_slug("Huis Zwolle", "Zwolle", "8", "huis-zwolle")
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

/// A city is one line, as the API has it: a quoted line break is refused
/// (see the CSV reader's tests), so the awkward parts here are the others.
async fn awkward_but_valid_csv_is_read(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let csv = format!(
        "\u{feff}{}\"Huis, met komma\",NL,\"Den Haag\",52.07,4.3,detention_house,10,2024,\"DJI, Den Haag\",mixed,,open,,,,,\r\n",
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
        json!({ "name": "Huis, met komma", "city": "Den Haag", "operator": "DJI, Den Haag" })
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
    let first = {
        let mut reader = csv::Reader::from_reader(export.as_bytes());
        let slug = reader.headers().unwrap().iter().position(|h| h == "slug");
        reader.records().next().unwrap().unwrap()[slug.unwrap()].to_owned()
    };
    fixtures::maintain(&app.db, &first, &other).await;
    let before = fixtures::state(&app.db).await;
    let mut lines = export.lines();
    let header = lines.next().unwrap();
    // The export's columns after `slug` left empty.
    let padding = ",".repeat(header.split(',').count() - HEADER_WITH_SLUG.split(',').count());
    let csv = format!(
        "{header}\n{}{padding}\n{}\n",
        row_with_slug("Huis Utrecht", "Utrecht", "12", "").trim_end(),
        lines.next().unwrap().replace(",open,", ",closed,")
    );

    let report = import_as(&app, &token(Role::Partner, Some("rescaled")), &csv, false).await;

    assert_eq!(report["written"], false);
    assert_eq!(error_cells(&report), [(3, "slug".to_owned())], "{report:#}");
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

    // Without an id, a reference or a slug, a row is a new facility: names
    // never say which facility a row is.
    let again = import_as(&app, &editor, &csv, false).await;
    assert_eq!(counts(&again), (json!(3), json!(0), json!(0)), "{again:#}");
}

/// Facilities whose slugs are not what their names would make: an export
/// names each by its slug, so importing it back changes nothing.
async fn reimporting_an_export_with_repeated_names_changes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    for (name, city, slug) in [
        ("Huis", "Groningen", Some("huis-noord")),
        ("Huis", "Maastricht", Some("huis-zuid")),
        ("Huis", "Utrecht", None),
        ("Huis 2", "Delft", None),
    ] {
        create_facility(&app, &editor, facility_input(name, city, slug)).await;
    }
    let export = app.get("/facilities.csv").await.text().await.unwrap();
    let before = fixtures::state(&app.db).await;

    let report = import_as(&app, &editor, &export, false).await;

    let rows = crate::helpers::demo_facility_rows() + 4;
    assert_eq!(
        report,
        json!({ "rows": rows, "created": 0, "updated": 0, "unchanged": rows, "dryRun": false, "written": true, "errors": [] })
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

/// "Foo", "Foo" would once take `foo` and `foo-2`, the slug of "Foo 2".
async fn rows_named_foo_never_touch_the_facility_foo_2(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let slug = create_facility(&app, &editor, facility_input("Foo 2", "Zwolle", None)).await;
    assert_eq!(slug, "foo-2");
    let foo_2 = fixtures::facility(&app.db, "foo-2").await;
    let csv = format!(
        "{HEADER}{}{}",
        row("Foo", "Almere", "10"),
        row("Foo", "Breda", "11")
    );

    let report = import_as(&app, &editor, &csv, false).await;

    assert_eq!(
        counts(&report),
        (json!(2), json!(0), json!(0)),
        "{report:#}"
    );
    assert_eq!(fixtures::facility(&app.db, "foo-2").await, foo_2);
    for (slug, city) in [("foo", "Almere"), ("foo-3", "Breda")] {
        let read = app
            .query(
                "query($slug: String) { facility(slug: $slug) { name city } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(
            read["facility"],
            json!({ "name": "Foo", "city": city }),
            "{slug}"
        );
    }
}

async fn a_partner_importing_another_partners_name_gets_a_facility_of_its_own(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "partner-a").await;
    fixtures::organisation(&app.db, "partner-b").await;
    let partner_a = token(Role::Partner, Some("partner-a"));
    let partner_b = token(Role::Partner, Some("partner-b"));
    let created = import_as(
        &app,
        &partner_a,
        &format!("{HEADER}{}", row("Huis Utrecht", "Utrecht", "12")),
        false,
    )
    .await;
    assert_eq!(counts(&created), (json!(1), json!(0), json!(0)));
    let of_a = fixtures::facility(&app.db, "huis-utrecht").await;
    let csv = format!("{HEADER}{}", row("Huis Utrecht", "Utrecht", "30"));

    let report = import_as(&app, &partner_b, &csv, false).await;

    assert_eq!(report["errors"], json!([]), "{report:#}");
    assert_eq!(counts(&report), (json!(1), json!(0), json!(0)));
    assert_eq!(fixtures::facility(&app.db, "huis-utrecht").await, of_a);
    let read = app
        .query(
            "{ facility(slug: \"huis-utrecht-2\") { capacity maintainedBy } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"],
        json!({ "capacity": 30, "maintainedBy": "partner-b" })
    );
    // With its slug, partner B's file now matches its own facility, and only that one.
    let csv = format!(
        "{HEADER_WITH_SLUG}{}",
        row_with_slug("Huis Utrecht", "Utrecht", "30", "huis-utrecht-2")
    );
    let again = import_as(&app, &partner_b, &csv, false).await;
    assert_eq!(counts(&again), (json!(0), json!(0), json!(1)), "{again:#}");
}

async fn a_row_with_a_slug_matches_that_facility_and_nothing_else(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let csv = format!(
        "{HEADER_WITH_SLUG}{}{}",
        row_with_slug("Huis Kortrijk", "Kortrijk", "40", "detentiehuis-kortrijk"),
        row_with_slug("Detentiehuis Ninove", "Ninove", "24", "huis-ninove-nieuw"),
    );

    let report = import_as(&app, &editor, &csv, false).await;

    assert_eq!(
        counts(&report),
        (json!(1), json!(1), json!(0)),
        "{report:#}"
    );
    let read = app
        .query(
            "{ renamed: facility(slug: \"detentiehuis-kortrijk\") { name capacity version }
               demo: facility(slug: \"detentiehuis-ninove\") { version }
               new: facility(slug: \"huis-ninove-nieuw\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read,
        json!({
            "renamed": { "name": "Huis Kortrijk", "capacity": 40, "version": 2 },
            "demo": { "version": 1 },
            "new": { "name": "Detentiehuis Ninove" },
        })
    );
}

async fn rows_that_are_one_facility_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    create_facility(&app, &editor, facility_input("Huis Zwolle", "Zwolle", None)).await;
    let before = fixtures::state(&app.db).await;
    let csv = format!(
        "{HEADER_WITH_SLUG}{}{}{}{}{}",
        // A row without a slug is a new facility, whatever its name.
        row_with_slug("Huis Zwolle", "Zwolle", "4", ""),
        row_with_slug("Huis Z.", "Zwolle", "5", "huis-zwolle"),
        // Two rows are "huis-zwolle" by its slug.
        row_with_slug("Huis Zwolle", "Zwolle", "6", "huis-zwolle"),
        // Two rows would make the same new facility.
        row_with_slug("Nieuw", "Ede", "6", "nieuw"),
        row_with_slug("Nieuw", "Ede", "6", "nieuw"),
    );

    let report = import_as(&app, &editor, &csv, false).await;

    assert_eq!(
        error_cells(&report),
        [4, 6].map(|line| (line, "id".to_owned())),
        "{report:#}"
    );
    let reasons: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(reasons[0].contains("line 3"), "{reasons:?}");
    assert!(reasons[1].contains("line 5"), "{reasons:?}");
    assert_eq!(report["written"], false);
    assert_eq!(fixtures::state(&app.db).await, before);
}

/// A file carries some of a facility's fields: the others stay, and the
/// change is audited as the API audits one.
async fn an_import_keeps_what_the_file_does_not_carry(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));
    let (_, created) = app
        .graphql_as(
            &partner,
            "mutation($input: FacilityInput!) { createFacility(input: $input) { id } }",
            json!({ "input": {
                "name": "Huis Arnhem", "city": "Arnhem", "countryCode": "NL",
                "facilityType": "DETENTION_HOUSE", "status": "OPEN", "capacity": 12,
                "website": "https://example.org/arnhem", "principles": ["SMALL_SCALE"],
                "description": [{ "lang": "en", "text": "A house by the Rhine" }],
                "ecosystem": [{ "dimension": "WORK", "note": "A bakery" }],
            } }),
        )
        .await;
    let id = created["data"]["createFacility"]["id"].clone();
    let csv = format!(
        "{HEADER_WITH_SLUG}{}",
        row_with_slug("Huis Arnhem", "Arnhem", "14", "huis-arnhem")
    );

    let report = import_as(&app, &partner, &csv, false).await;

    assert_eq!(
        counts(&report),
        (json!(0), json!(1), json!(0)),
        "{report:#}"
    );
    let read = app
        .query(
            "{ facility(slug: \"huis-arnhem\") { capacity version website description maintainedBy principles ecosystem { dimension note } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"],
        json!({
            "capacity": 14, "version": 2, "website": "https://example.org/arnhem",
            "description": "A house by the Rhine", "maintainedBy": "rescaled",
            "principles": ["SMALL_SCALE"], "ecosystem": [{ "dimension": "WORK", "note": "A bakery" }],
        })
    );
    let found = app
        .query(
            "{ facilities(filter: { text: \"rhine\" }) { nodes { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        found["facilities"]["nodes"],
        json!([{ "slug": "huis-arnhem" }])
    );
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action origin before after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    let (created, imported) = (&events[0], &events[1]);
    assert_eq!(
        (imported["action"].clone(), imported["origin"].clone()),
        (json!("UPDATED"), json!("import"))
    );
    assert_eq!(imported["before"], created["after"]);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&imported["after"]), keys(&created["after"]));
    assert_eq!(imported["after"]["capacity"], 14);
    assert_eq!(imported["after"]["principles"], json!(["small_scale"]));
}

/// The demo rows again and again, each copy's names numbered, so every row is new.
fn large_file(copies: usize) -> String {
    let demo = include_bytes!("../../api/demo/facilities.csv");
    let mut reader = csv::Reader::from_reader(&demo[..]);
    let mut writer = csv::Writer::from_writer(Vec::new());
    // The reference list's columns: without ids, each copy is new facilities.
    let columns = HEADER.split(',').count();
    writer
        .write_record(reader.headers().unwrap().iter().take(columns))
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for copy in 1..=copies {
        for row in &rows {
            let mut fields: Vec<String> = row.iter().take(columns).map(str::to_owned).collect();
            fields[0] = format!("{} {copy}", fields[0]);
            writer.write_record(&fields).unwrap();
        }
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Holds the write lock, as a long write does, until the transaction ends.
async fn hold_the_write_lock(app: &TestApp) -> sea_orm::DatabaseTransaction {
    let writer = app.db.begin().await.unwrap();
    api::service::kernel::unit_of_work::bump_data_version(&writer)
        .await
        .unwrap();
    writer
}

async fn imports_that_write_nothing_never_wait_for_the_write_lock(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let editor = token(Role::Editor, None);
    let partner = token(Role::Partner, Some("rescaled"));
    let export = app.get("/facilities.csv").await.text().await.unwrap();
    let new_row = format!("{HEADER}{}", row("Huis Utrecht", "Utrecht", "12"));
    let over_a_demo_facility = format!(
        "{HEADER_WITH_SLUG}{}",
        row_with_slug("Huis Kortrijk", "Kortrijk", "40", "detentiehuis-kortrijk")
    );
    let writer = hold_the_write_lock(&app).await;

    let within = |import| actix_web::rt::time::timeout(Duration::from_secs(3), import);
    let dry_run = within(import_as(&app, &editor, &new_row, true)).await;
    let unchanged = within(import_as(&app, &editor, &export, false)).await;
    let refused = within(import_as(&app, &partner, &over_a_demo_facility, false)).await;

    writer.rollback().await.unwrap();
    let dry_run = dry_run.expect("a dry run does not wait for the write lock");
    assert_eq!(
        counts(&dry_run),
        (json!(1), json!(0), json!(0)),
        "{dry_run:#}"
    );
    let unchanged = unchanged.expect("an import that changes nothing does not wait");
    assert_eq!(unchanged["written"], true, "{unchanged:#}");
    assert_eq!(unchanged["unchanged"], crate::helpers::demo_facility_rows());
    let refused = refused.expect("a refused import does not wait");
    assert_eq!(
        error_cells(&refused),
        [(2, "slug".to_owned())],
        "{refused:#}"
    );
}

/// A write that commits while an import waits for the lock is seen by the import.
async fn an_import_matches_again_when_a_write_lands_before_its_lock(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    let writer = hold_the_write_lock(&app).await;
    let mut renamed: entity::facility::ActiveModel = olen.clone().into();
    renamed.slug = sea_orm::ActiveValue::Set("huis-olen".to_owned());
    renamed.version = sea_orm::ActiveValue::Set(olen.version + 1);
    sea_orm::ActiveModelTrait::update(renamed, &writer)
        .await
        .unwrap();
    let csv = format!(
        "{HEADER_WITH_SLUG}{}",
        row_with_slug("Huis Olen", "Olen", "58", "huis-olen")
    );

    let import = import_as(&app, &editor, &csv, false);
    let commit = async {
        // Long enough for the import to match the rows and wait for the lock.
        actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
        writer.commit().await.unwrap();
    };
    let (report, ()) = tokio::join!(import, commit);

    assert_eq!(
        counts(&report),
        (json!(0), json!(1), json!(0)),
        "{report:#}"
    );
    let read = app
        .query(
            "{ facility(slug: \"huis-olen\") { name city capacity } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["facility"],
        json!({ "name": "Huis Olen", "city": "Olen", "capacity": 58 })
    );
}

async fn an_editor_is_not_kept_waiting_by_a_partners_dry_runs(backend: Backend) {
    let mut settings = serve_settings();
    settings.max_body_bytes = 8 * 1024 * 1024;
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));
    let editor = token(Role::Editor, None);
    let copies = 40;
    let file = large_file(copies);
    let rows = copies * crate::helpers::demo_facility_rows();
    let id = app
        .query(
            "{ facility(slug: \"detentiehuis-kortrijk\") { id } }",
            json!({}),
        )
        .await["facility"]["id"]
        .clone();
    let dry_runs_done = Cell::new(0);
    let editing_done = Cell::new(false);

    let dry_runs = || async {
        while !editing_done.get() {
            let report = import_as(&app, &partner, &file, true).await;
            assert_eq!(
                counts(&report),
                (json!(rows), json!(0), json!(0)),
                "{report:#}"
            );
            dry_runs_done.set(dry_runs_done.get() + 1);
        }
    };
    let edits = async {
        while dry_runs_done.get() == 0 {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let mut slowest = Duration::ZERO;
        for version in 1..=3 {
            let started = Instant::now();
            let (_, body) = app
                .graphql_as(
                    &editor,
                    "mutation($id: ID!, $v: Int!, $c: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: $c }) { version } }",
                    json!({ "id": id, "v": version, "c": 60 + version }),
                )
                .await;
            slowest = slowest.max(started.elapsed());
            assert!(body.get("errors").is_none(), "{body:#}");
        }
        editing_done.set(true);
        slowest
    };
    let ((), (), slowest) = tokio::join!(dry_runs(), dry_runs(), edits);

    assert!(
        slowest < Duration::from_secs(3),
        "an update took {slowest:?} beside {} dry runs",
        dry_runs_done.get()
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
    reimporting_an_export_with_repeated_names_changes_nothing,
    rows_named_foo_never_touch_the_facility_foo_2,
    a_partner_importing_another_partners_name_gets_a_facility_of_its_own,
    a_row_with_a_slug_matches_that_facility_and_nothing_else,
    rows_that_are_one_facility_are_refused,
    imports_that_write_nothing_never_wait_for_the_write_lock,
    an_import_matches_again_when_a_write_lands_before_its_lock,
    an_editor_is_not_kept_waiting_by_a_partners_dry_runs,
    an_import_keeps_what_the_file_does_not_carry,
);
