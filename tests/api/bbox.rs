//! `bbox`, the visible area of a map, on every read of facilities: the list,
//! the statistics, the GeoJSON (GraphQL and HTTP) and the CSV export.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error_code, first_error, spawn_app};
use crate::on_both_databases;

/// Around Flanders and Brussels, where every Belgian facility of the demo
/// data is, and short of the French, Dutch and Luxembourg ones nearby.
const AROUND_BELGIUM: (f64, f64, f64, f64) = (2.8, 50.6, 5.0, 51.3);

fn as_param((west, south, east, north): (f64, f64, f64, f64)) -> String {
    format!("{west},{south},{east},{north}")
}

fn as_input((west, south, east, north): (f64, f64, f64, f64)) -> Value {
    json!({ "west": west, "south": south, "east": east, "north": north })
}

/// `(slug-less) name, country` of the demo rows whose position is in the box.
fn demo_rows_inside(box_: (f64, f64, f64, f64)) -> BTreeSet<(String, String)> {
    let (west, south, east, north) = box_;
    let file = include_bytes!("../../api/demo/facilities.csv");
    let mut reader = csv::Reader::from_reader(&file[..]);
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (name, country, lat, lon) = (
        column("name"),
        column("country_code"),
        column("latitude"),
        column("longitude"),
    );
    reader
        .records()
        .map(Result::unwrap)
        .filter(|r| {
            let (Ok(lat), Ok(lon)) = (r[lat].parse::<f64>(), r[lon].parse::<f64>()) else {
                return false;
            };
            (south..=north).contains(&lat) && (west..=east).contains(&lon)
        })
        .map(|r| (r[name].to_owned(), r[country].to_owned()))
        .collect()
}

async fn facilities_in(app: &TestApp, filter: Value) -> (i64, BTreeSet<(String, String)>) {
    let data = app
        .query(
            "query($f: FacilityFilter) { facilities(filter: $f, first: 500) { totalCount nodes { name countryCode } } }",
            json!({ "f": filter }),
        )
        .await;
    let names = data["facilities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().to_owned(),
                n["countryCode"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (data["facilities"]["totalCount"].as_i64().unwrap(), names)
}

async fn a_box_around_belgium_gives_its_facilities_on_every_surface(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let expected = demo_rows_inside(AROUND_BELGIUM);
    assert!(
        expected.len() >= 10 && expected.iter().all(|(_, country)| country == "BE"),
        "the demo data has its Belgian facilities, and only those, in the box: {expected:?}"
    );
    let (_, belgian) = facilities_in(&app, json!({ "countryCode": ["BE"] })).await;
    assert_eq!(belgian, expected, "every Belgian facility is in the box");
    let count = expected.len();
    let bbox = as_input(AROUND_BELGIUM);

    let (total, listed) = facilities_in(&app, json!({ "bbox": bbox })).await;
    let data = app
        .query(
            "query($f: FacilityFilter) { facilityStats(filter: $f) { total byCountry { key count } }
                                         facilitiesGeoJson(filter: $f) }",
            json!({ "f": { "bbox": bbox } }),
        )
        .await;
    let geojson: Value = app
        .get(&format!(
            "/facilities.geojson?bbox={}",
            as_param(AROUND_BELGIUM)
        ))
        .await
        .json()
        .await
        .unwrap();
    let csv_response = app
        .get(&format!(
            "/facilities.csv?bbox={}",
            as_param(AROUND_BELGIUM)
        ))
        .await;
    assert_eq!(csv_response.status(), 200);
    let csv_text = csv_response.text().await.unwrap();

    assert_eq!((total as usize, &listed), (count, &expected), "facilities");
    assert_eq!(
        data["facilityStats"]["total"],
        json!(count),
        "facilityStats"
    );
    assert_eq!(
        data["facilityStats"]["byCountry"],
        json!([{ "key": "BE", "count": count }])
    );
    let features = data["facilitiesGeoJson"]["features"].as_array().unwrap();
    assert_eq!(features.len(), count, "facilitiesGeoJson");
    assert_eq!(
        &geojson, &data["facilitiesGeoJson"],
        "GET /facilities.geojson"
    );
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let country = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "country_code")
        .unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), count, "GET /facilities.csv");
    assert!(rows.iter().all(|r| &r[country] == "BE"));
}

async fn a_box_narrows_the_other_filters_and_pages(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let bbox = as_input(AROUND_BELGIUM);

    let (total, listed) = facilities_in(
        &app,
        json!({ "bbox": bbox, "facilityType": ["TRANSITION_HOUSE"] }),
    )
    .await;
    let csv_text = app
        .get(&format!(
            "/facilities.csv?bbox={}&type=TRANSITION_HOUSE",
            as_param(AROUND_BELGIUM)
        ))
        .await
        .text()
        .await
        .unwrap();

    assert!(total > 0 && (total as usize) < demo_rows_inside(AROUND_BELGIUM).len());
    assert_eq!(total as usize, listed.len());
    assert_eq!(
        csv::Reader::from_reader(csv_text.as_bytes())
            .records()
            .count(),
        listed.len()
    );
    // A cursor belongs to its box: another box is another list.
    let first = app
        .query(
            "query($f: FacilityFilter) { facilities(filter: $f, first: 2) { pageInfo { endCursor } } }",
            json!({ "f": { "bbox": bbox } }),
        )
        .await;
    let cursor = first["facilities"]["pageInfo"]["endCursor"].clone();
    let elsewhere = app
        .graphql(
            "query($f: FacilityFilter, $after: String) { facilities(filter: $f, after: $after) { totalCount } }",
            json!({ "f": { "bbox": as_input((-10.0, 35.0, 3.0, 44.0)) }, "after": cursor }),
        )
        .await;
    assert_error_code(&elsewhere, "BAD_USER_INPUT");
}

/// West greater than east: the box runs east from `west` across 180 to `east`.
async fn a_box_across_the_antimeridian_holds_both_of_its_sides(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (south, north) = (50.6, 51.3);

    let (across, names) =
        facilities_in(&app, json!({ "bbox": as_input((4.0, south, 3.5, north)) })).await;
    let (east_side, _) = facilities_in(
        &app,
        json!({ "bbox": as_input((4.0, south, 180.0, north)) }),
    )
    .await;
    let (west_side, _) = facilities_in(
        &app,
        json!({ "bbox": as_input((-180.0, south, 3.5, north)) }),
    )
    .await;
    let (gap, gap_names) =
        facilities_in(&app, json!({ "bbox": as_input((3.5, south, 4.0, north)) })).await;

    assert!(east_side > 0 && west_side > 0 && gap > 0);
    assert_eq!(across, east_side + west_side);
    assert!(
        names.is_disjoint(&gap_names),
        "the gap between east and west is outside"
    );
    let geojson: Value = app
        .get(&format!(
            "/facilities.geojson?bbox={}",
            as_param((4.0, south, 3.5, north))
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(geojson["features"].as_array().unwrap().len() as i64, across);
}

async fn an_invalid_box_is_bad_user_input_on_every_surface(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let south_above_north = json!({ "west": 0, "south": 10, "east": 1, "north": 5 });

    for query in [
        "query($f: FacilityFilter) { facilities(filter: $f) { totalCount } }",
        "query($f: FacilityFilter) { facilityStats(filter: $f) { total } }",
        "query($f: FacilityFilter) { facilitiesGeoJson(filter: $f) }",
    ] {
        let response = app
            .graphql(query, json!({ "f": { "bbox": south_above_north } }))
            .await;
        assert_error_code(&response, "BAD_USER_INPUT");
        let error = first_error(&response);
        assert_eq!(error["extensions"]["field"], "filter.bbox", "{query}");
        assert_eq!(
            error["message"], "bbox south (10) is above north (5)",
            "{query}"
        );
    }
    for path in ["/facilities.geojson", "/facilities.csv"] {
        for (bbox, message) in [
            ("0,10,1,5", "bbox south (10) is above north (5)"),
            ("0,0,181,5", "bbox east is 181, outside -180 to 180"),
            ("1,2,3", "bbox is four numbers: west,south,east,north"),
        ] {
            let response = app.get(&format!("{path}?bbox={bbox}")).await;
            assert_eq!(response.status(), 400, "{path} {bbox}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body,
                json!({ "code": "BAD_USER_INPUT", "message": message, "field": "bbox" }),
                "{path} {bbox}"
            );
        }
    }
    let twice = app
        .graphql(
            "{ facilitiesGeoJson(filter: { bbox: { west: 2, south: 50, east: 5, north: 52 } },
                                 bbox: { west: 2, south: 50, east: 5, north: 52 }) }",
            json!({}),
        )
        .await;
    assert_error_code(&twice, "BAD_USER_INPUT");
    assert_eq!(first_error(&twice)["extensions"]["field"], "bbox");
}

on_both_databases!(
    a_box_around_belgium_gives_its_facilities_on_every_surface,
    a_box_narrows_the_other_filters_and_pages,
    a_box_across_the_antimeridian_holds_both_of_its_sides,
    an_invalid_box_is_bad_user_input_on_every_surface,
);
