//! The map's and the open-data endpoints: GeoJSON, CSV export, statistics,
//! and the HTTP caching, CORS and compression around them.

use serde_json::{Value, json};

use entity::value::Role;

use crate::helpers::{
    Backend, assert_error_code, demo_facility_rows, first_error, serve_settings, spawn_app,
    spawn_app_with, token,
};
use crate::on_both_databases;

fn features(collection: &Value) -> &Vec<Value> {
    collection["features"].as_array().unwrap()
}

async fn geojson_is_an_rfc7946_feature_collection(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/facilities.geojson").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let collection: Value = response.json().await.unwrap();
    assert_eq!(collection["type"], "FeatureCollection");
    assert_eq!(
        features(&collection).len(),
        demo_facility_rows(),
        "every demo facility has coordinates"
    );
    let kortrijk = features(&collection)
        .iter()
        .find(|f| f["properties"]["slug"] == "detentiehuis-kortrijk")
        .unwrap();
    assert_eq!(kortrijk["type"], "Feature");
    assert_eq!(
        kortrijk["geometry"],
        json!({ "type": "Point", "coordinates": [3.2649, 50.8279] }),
        "[longitude, latitude]"
    );
    assert_eq!(kortrijk["properties"]["facility_type"], "detention_house");
    assert_eq!(kortrijk["properties"]["status"], "open");
    assert_eq!(kortrijk["properties"]["capacity"], 57);
    assert_eq!(kortrijk["properties"]["country_code"], "BE");
    assert_eq!(
        kortrijk["properties"]["external_refs"],
        json!([{
            "scheme": "rescaled",
            "value": "inspirational-practices.rescaled.org/2023/12/21/detention-house-kortrijk",
            "url": "https://inspirational-practices.rescaled.org/2023/12/21/detention-house-kortrijk/",
        }])
    );
    assert_eq!(kortrijk["properties"]["city"], "Kortrijk");
    assert_eq!(kortrijk["properties"]["id"], kortrijk["id"]);
}

async fn geojson_filters_match_graphql(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Roughly Belgium and the Netherlands.
    let bbox = "2.5,49.4,7.3,53.6";

    let rest: Value = app
        .get(&format!("/facilities.geojson?bbox={bbox}&country=BE,NL&type=DETENTION_HOUSE,youth_small_scale&status=OPEN"))
        .await
        .json()
        .await
        .unwrap();
    let graphql = app
        .query(
            "{ facilitiesGeoJson(filter: { countryCode: [\"BE\", \"NL\"], facilityType: [DETENTION_HOUSE, YOUTH_SMALL_SCALE], status: [OPEN] },
                                 bbox: { west: 2.5, south: 49.4, east: 7.3, north: 53.6 }) }",
            json!({}),
        )
        .await;

    assert!(!features(&rest).is_empty());
    assert_eq!(rest, graphql["facilitiesGeoJson"]);
    for feature in features(&rest) {
        let [lon, lat] = [
            feature["geometry"]["coordinates"][0].as_f64().unwrap(),
            feature["geometry"]["coordinates"][1].as_f64().unwrap(),
        ];
        assert!((2.5..=7.3).contains(&lon) && (49.4..=53.6).contains(&lat));
        assert!(["BE", "NL"].contains(&feature["properties"]["country_code"].as_str().unwrap()));
    }
}

async fn geojson_refuses_bad_boxes_and_parameters(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for (query, field) in [
        ("bbox=0,10,1,5", "bbox"),
        ("bbox=0,-91,1,5", "bbox"),
        ("bbox=-181,0,1,5", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("type=CASTLE", "type"),
        ("country=XX", "countryCode"),
        ("capacityMin=many", "capacityMin"),
        ("colour=blue", "colour"),
    ] {
        let response = app.get(&format!("/facilities.geojson?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "BAD_USER_INPUT", "{query}");
        assert_eq!(body["field"], field, "{query}");
    }
    let graphql = app
        .graphql(
            "{ facilitiesGeoJson(bbox: { west: 0, south: 10, east: 1, north: 5 }) }",
            json!({}),
        )
        .await;
    assert_error_code(&graphql, "BAD_USER_INPUT");
    assert_eq!(first_error(&graphql)["extensions"]["field"], "bbox");
}

async fn csv_export_imports_back_unchanged(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app.get("/facilities.csv").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename=\"wish-facilities.csv\"")
    );
    let exported = response.bytes().await.unwrap();
    let strip_lines = |mut records: Vec<api::service::facility::csv::FacilityRow>| {
        records.iter_mut().for_each(|r| {
            r.line = 0;
            r.fields.slug = None;
            // The export has every column; the demo file leaves some out.
            r.present = api::service::facility::csv::Present::by_name(|_| true);
        });
        records.sort_by(|a, b| a.fields.name.cmp(&b.fields.name));
        records
    };
    let from_export = api::service::facility::csv::parse(&exported).expect("export parses");
    assert!(
        from_export.iter().all(|r| r.fields.slug.is_some()),
        "each row names its facility"
    );
    let from_export = strip_lines(from_export);
    let from_demo = strip_lines(
        api::service::facility::csv::parse(include_bytes!("../../api/demo/facilities.csv"))
            .unwrap(),
    );
    assert_eq!(from_export, from_demo);
}

/// Names and cities a spreadsheet would run as formulas (OWASP's CSV
/// injection), each with the cell the export must write, and the source URL
/// that finds the row again. The last name already starts with the quote an
/// export adds: that quote must not be taken for the export's.
const FORMULAS: [(&str, &str, &str, &str, &str); 6] = [
    (
        "=HYPERLINK(\"https://example.org/x\",\"click\")",
        "'=HYPERLINK(\"https://example.org/x\",\"click\")",
        "Utrecht",
        "Utrecht",
        "https://example.org/formula-1",
    ),
    (
        "+cmd|' /C calc'!A0",
        "'+cmd|' /C calc'!A0",
        "Utrecht",
        "Utrecht",
        "https://example.org/formula-2",
    ),
    (
        "-2+3",
        "'-2+3",
        "Utrecht",
        "Utrecht",
        "https://example.org/formula-3",
    ),
    (
        "@SUM(A1:A2)",
        "'@SUM(A1:A2)",
        "Utrecht",
        "Utrecht",
        "https://example.org/formula-4",
    ),
    (
        "Huis aan de gracht",
        "Huis aan de gracht",
        "=1+1",
        "'=1+1",
        "https://example.org/formula-5",
    ),
    (
        "'=quoted",
        "''=quoted",
        "@home",
        "'@home",
        "https://example.org/formula-6",
    ),
];

async fn csv_export_quotes_formulas_and_imports_them_back_exactly(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let mut slugs = Vec::new();
    for (name, _, city, _, source_url) in FORMULAS {
        let (_, body) = app
            .graphql_as(
                &editor,
                "mutation($input: FacilityInput!) { createFacility(input: $input) { slug } }",
                json!({ "input": {
                    "name": name, "city": city, "countryCode": "ES", "latitude": 40.4,
                    "longitude": -3.7, "capacity": 12, "openedYear": 2024,
                    "facilityType": "DETENTION_HOUSE", "status": "OPEN", "sourceUrl": source_url,
                } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body:#}");
        slugs.push(
            body["data"]["createFacility"]["slug"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    let export = app.get("/facilities.csv").await.text().await.unwrap();

    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    for (_, name_cell, _, city_cell, source_url) in FORMULAS {
        let row = rows
            .iter()
            .find(|r| &r[column("source_url")] == source_url)
            .unwrap();
        assert_eq!(&row[column("name")], name_cell);
        assert_eq!(&row[column("city")], city_cell);
        // Numbers are numbers: a negative longitude is not a formula.
        assert_eq!(&row[column("longitude")], "-3.7");
        assert_eq!(&row[column("capacity")], "12");
    }

    let mut settings = serve_settings();
    settings.demo_data = false;
    let Some(fresh) = spawn_app_with(backend, settings).await else {
        return;
    };
    let (_, body) = fresh
        .graphql_as(
            &editor,
            "mutation($csv: String!) { importFacilities(csv: $csv) { created written errors { line column reason } } }",
            json!({ "csv": export }),
        )
        .await;
    let report = &body["data"]["importFacilities"];
    assert_eq!(report["errors"], json!([]), "{body:#}");
    assert_eq!(report["created"], rows.len(), "{body:#}");
    for ((name, _, city, _, _), slug) in FORMULAS.iter().zip(&slugs) {
        let read = fresh
            .query(
                "query($slug: String) { facility(slug: $slug) { name city longitude } }",
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(
            read["facility"],
            json!({ "name": name, "city": city, "longitude": -3.7 })
        );
    }
}

async fn csv_export_takes_the_same_filters(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let body = app
        .get("/facilities.csv?country=BE&status=planned")
        .await
        .text()
        .await
        .unwrap();

    let mut lines = body.lines();
    assert_eq!(
        lines.next().unwrap(),
        api::service::facility::csv::COLUMNS
            .map(|c| c.name)
            .join(",")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.contains(",BE,") && r.contains(",planned,"))
    );
}

async fn stats_are_aggregated_by_the_database(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ all: facilityStats { total totalCapacity byCountry { key count capacity } byType { key count } byStatus { key count } byManagedBy { key count } }
               be: facilityStats(filter: { countryCode: [\"BE\"] }) { total byStatus { key count } } }",
            json!({}),
        )
        .await;

    let all = &data["all"];
    let total = all["total"].as_i64().unwrap();
    assert_eq!(total as usize, demo_facility_rows());
    for buckets in ["byCountry", "byType", "byStatus", "byManagedBy"] {
        let sum: i64 = all[buckets]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["count"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, total, "{buckets} add up to the total");
    }
    let capacity: i64 = all["byCountry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["capacity"].as_i64().unwrap())
        .sum();
    assert_eq!(capacity, all["totalCapacity"].as_i64().unwrap());
    // Each bucket counts the demo rows of its value; rows without one are `UNKNOWN`.
    let mut expected = std::collections::BTreeMap::<String, i64>::new();
    let file = include_bytes!("../../api/demo/facilities.csv");
    for row in csv::Reader::from_reader(&file[..])
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let value = row.unwrap()["managed_by"].to_ascii_uppercase();
        let key = if value.is_empty() {
            "UNKNOWN".to_owned()
        } else {
            value
        };
        *expected.entry(key).or_default() += 1;
    }
    let served: std::collections::BTreeMap<String, i64> = all["byManagedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_owned(),
                b["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(served, expected);
    let counts: Vec<i64> = all["byCountry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let be_in_all = all["byCountry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == "BE")
        .unwrap();
    assert_eq!(data["be"]["total"], be_in_all["count"]);
}

async fn stats_totals_cost_one_statement(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let before = app.statements.get();
    let data = app
        .query("{ facilityStats { total totalCapacity } }", json!({}))
        .await;

    assert_eq!(
        app.statements.get() - before,
        1,
        "total and totalCapacity share one query"
    );
    assert_eq!(
        data["facilityStats"]["total"].as_i64().unwrap() as usize,
        demo_facility_rows()
    );
}

async fn anonymous_get_is_cacheable_and_revalidates(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for path in [
        "/facilities.geojson",
        "/graphql?query=%7B%20facilities%20%7B%20totalCount%20%7D%20%7D",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            first.headers()["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("public"),
            "{path}"
        );

        let again = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());

        let stale = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", "\"old\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
}

async fn a_change_makes_the_old_etag_stale(backend: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = app.get("/facilities.geojson").await;
    let etag = before.headers()["etag"].to_str().unwrap().to_owned();
    let olen = crate::fixtures::facility(&app.db, "detentiehuis-olen").await;
    let mut renamed: entity::facility::ActiveModel = olen.into();
    renamed.name = Set("Detentiehuis Olen (renamed)".to_owned());
    // Written behind the API's back, so the data version is bumped by hand,
    // as every writer must (see service::kernel::unit_of_work).
    let txn = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    renamed.update(&txn).await.unwrap();
    api::service::kernel::unit_of_work::bump_data_version(&txn)
        .await
        .unwrap();
    txn.commit().await.unwrap();

    // Another writer's change reaches the cache by notification (PostgreSQL)
    // or by the check for other processes' writes (SQLite): within moments,
    // not at once.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let after = loop {
        let after = app
            .client
            .get(format!("{}/facilities.geojson", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        if after.status() != 304 || std::time::Instant::now() > until {
            break after;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    };

    assert_eq!(after.status(), 200);
    assert!(
        after
            .text()
            .await
            .unwrap()
            .contains("Detentiehuis Olen (renamed)")
    );
}

async fn post_responses_are_not_cached(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ facilities { totalCount } }" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["cache-control"], "no-store");
}

async fn browsers_may_call_from_any_origin(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
        .header("Origin", "https://map.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, authorization",
        )
        .send()
        .await
        .unwrap();
    let get = app
        .client
        .get(format!("{}/facilities.geojson", app.address))
        .header("Origin", "https://map.example.org")
        .send()
        .await
        .unwrap();

    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert_eq!(get.headers()["access-control-allow-origin"], "*");
    assert!(
        get.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase()
            .contains("etag")
    );
}

async fn configured_origins_are_the_only_ones_allowed(backend: Backend) {
    let settings = api::config::ServeSettings {
        cors_origins: vec!["https://map.example.org".to_owned()],
        ..crate::helpers::serve_settings()
    };
    let Some(app) = crate::helpers::spawn_app_with(backend, settings).await else {
        return;
    };

    let allowed = app
        .client
        .get(format!("{}/health", app.address))
        .header("Origin", "https://map.example.org")
        .send()
        .await
        .unwrap();
    let other = app
        .client
        .get(format!("{}/health", app.address))
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();

    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://map.example.org"
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

async fn responses_are_compressed_on_request(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let plain = app.get("/facilities.geojson").await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let plain = plain.bytes().await.unwrap();

    for encoding in ["gzip", "br"] {
        let fetch = |if_none_match: Option<String>| {
            let mut request = app
                .client
                .get(format!("{}/facilities.geojson", app.address))
                .header("Accept-Encoding", encoding);
            if let Some(etag) = if_none_match {
                request = request.header("If-None-Match", etag);
            }
            request.send()
        };
        let response = fetch(None).await.unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert_ne!(etag, plain_etag, "each encoding is its own representation");
        let compressed = response.bytes().await.unwrap();
        assert!(
            compressed.len() * 4 < plain.len(),
            "{encoding} is much smaller"
        );
        assert_eq!(
            decode(encoding, &compressed),
            plain,
            "{encoding} decodes to the answer"
        );

        let again = fetch(None).await.unwrap();
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(again.bytes().await.unwrap(), compressed);
        let revalidated = fetch(Some(etag)).await.unwrap();
        assert_eq!(revalidated.status(), 304);
        assert!(revalidated.bytes().await.unwrap().is_empty());
    }
}

fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::new();
    match encoding {
        "gzip" => {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut decoded)
                .unwrap();
        }
        "br" => {
            brotli::BrotliDecompress(&mut &body[..], &mut decoded).unwrap();
        }
        other => panic!("no decoder for {other}"),
    }
    decoded
}

on_both_databases!(
    geojson_is_an_rfc7946_feature_collection,
    geojson_filters_match_graphql,
    geojson_refuses_bad_boxes_and_parameters,
    csv_export_imports_back_unchanged,
    csv_export_quotes_formulas_and_imports_them_back_exactly,
    csv_export_takes_the_same_filters,
    stats_are_aggregated_by_the_database,
    stats_totals_cost_one_statement,
    anonymous_get_is_cacheable_and_revalidates,
    a_change_makes_the_old_etag_stale,
    post_responses_are_not_cached,
    browsers_may_call_from_any_origin,
    configured_origins_are_the_only_ones_allowed,
    responses_are_compressed_on_request,
);
