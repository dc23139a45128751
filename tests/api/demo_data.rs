use api::startup::Application;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use crate::helpers::{Backend, TestDatabase, demo_facility_rows, serve_settings, spawn_app, start};
use crate::on_both_databases;

async fn first_start_serves_every_demo_facility(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app.query("{ facilities { totalCount } }", json!({})).await;

    assert_eq!(data["facilities"]["totalCount"], demo_facility_rows());
}

async fn demo_facility_keeps_its_source_facts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            r#"{ facility(slug: "detentiehuis-kortrijk") {
                name countryCode city latitude longitude facilityType status capacity openedYear
                operator managedBy targetAge regime securityLevel targetGender socialEnterprise
                sourceUrl smallScale description principles ecosystem { note }
                locationPrecision verifiedOn sources { url }
            } }"#,
            json!({}),
        )
        .await;

    // Kortrijk's row of the demo file, as its source gives it; empty stays empty.
    assert_eq!(
        data["facility"],
        json!({
            "name": "Detentiehuis Kortrijk", "countryCode": "BE", "city": "Kortrijk",
            "latitude": 50.8279, "longitude": 3.2649, "facilityType": "DETENTION_HOUSE",
            "status": "OPEN", "capacity": 57, "openedYear": 2022,
            "operator": "FOD Justitie (Belgian prison administration)",
            "managedBy": "NATIONAL_PRISON_ADMINISTRATION", "targetAge": "ADULTS", "regime": "CLOSED",
            "securityLevel": "LOW", "targetGender": "MIXED", "socialEnterprise": null,
            "sourceUrl": "https://www.regiedergebouwen.be/nl/projects/detentiehuis",
            "locationPrecision": "CITY", "verifiedOn": "2026-12-01",
            // The reference list's further sources follow the one the row was made from.
            "sources": [
                { "url": "https://www.regiedergebouwen.be/nl/projects/detentiehuis" },
                { "url": "http://www.wtv.be/nieuws/detentiehuis-kortrijk-1-jaar-open-voldoet-aan-de-verwachtingen" },
                { "url": "https://kw.be/nieuws/criminaliteit/gevangenis/een-jaar-detentiehuis-in-kortrijk-hier-worden-gedetineerden-als-echte-mensen-behandeld/" },
            ],
            "smallScale": false, "description": null, "principles": [], "ecosystem": []
        })
    );
}

async fn restart_does_not_load_the_demo_data_again(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let first = start(database, serve_settings()).await;
    let kortrijk = entity::facility::Entity::find()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-kortrijk"))
        .one(&first.db)
        .await
        .unwrap()
        .unwrap();
    let mut renamed: entity::facility::ActiveModel = kortrijk.clone().into();
    renamed.name = Set("Detentiehuis Kortrijk (renamed by an editor)".to_owned());
    renamed.update(&first.db).await.unwrap();
    entity::facility::Entity::delete_by_id(
        entity::facility::Entity::find()
            .filter(entity::facility::Column::Slug.eq("detentiehuis-olen"))
            .one(&first.db)
            .await
            .unwrap()
            .unwrap()
            .id,
    )
    .exec(&first.db)
    .await
    .unwrap();

    let second = start(first.database, serve_settings()).await;

    let data = second
        .query(
            "{ facility(slug: \"detentiehuis-kortrijk\") { name } facilities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["facility"]["name"],
        "Detentiehuis Kortrijk (renamed by an editor)"
    );
    assert_eq!(data["facilities"]["totalCount"], demo_facility_rows() - 1);
}

async fn seed_adds_what_is_missing_and_keeps_edits(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let app = start(database, serve_settings()).await;
    let olen = entity::facility::Entity::find()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-olen"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut edited: entity::facility::ActiveModel = olen.clone().into();
    edited.capacity = Set(Some(60));
    edited.update(&app.db).await.unwrap();
    entity::facility::Entity::delete_many()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-kortrijk"))
        .exec(&app.db)
        .await
        .unwrap();

    let report = api::service::demo::load(&app.db).await.unwrap();

    assert_eq!(report.facilities, 1, "only the deleted facility comes back");
    assert_eq!(report.workshops, 0);
    assert_eq!(report.guidelines, 0);
    let olen_after = entity::facility::Entity::find_by_id(olen.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(olen_after.capacity, Some(60));
    assert_eq!(
        entity::facility::Entity::find()
            .count(&app.db)
            .await
            .unwrap() as usize,
        demo_facility_rows()
    );
}

async fn demo_data_is_not_loaded_when_switched_off(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let settings = api::config::ServeSettings {
        demo_data: false,
        ..serve_settings()
    };

    let app = Application::build(
        &database.settings,
        &crate::helpers::auth_settings(),
        settings,
    )
    .await
    .unwrap();
    let db = database.connect().await;
    drop(app);

    assert_eq!(
        entity::facility::Entity::find().count(&db).await.unwrap(),
        0
    );
}

on_both_databases!(
    first_start_serves_every_demo_facility,
    demo_facility_keeps_its_source_facts,
    restart_does_not_load_the_demo_data_again,
    seed_adds_what_is_missing_and_keeps_edits,
    demo_data_is_not_loaded_when_switched_off,
);
