use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

async fn knowledge_workshops_are_the_four_of_the_project(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ knowledgeWorkshops { key name countryCode members { name } } }",
            json!({}),
        )
        .await;

    let keys: Vec<&str> = data["knowledgeWorkshops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["be", "fr", "nl", "eu"]);
    assert_eq!(
        data["knowledgeWorkshops"][3]["countryCode"],
        serde_json::Value::Null
    );
    assert_eq!(data["knowledgeWorkshops"][0]["members"], json!([]));
}

async fn guidelines_are_the_two_texts_without_invented_versions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ guidelines { key title versions { number } latest { number } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        data["guidelines"],
        json!([
            { "key": "ecosystem-rules", "title": "European Rules on the ecosystem of small-scale detention facilities", "versions": [], "latest": null },
            { "key": "relational-security", "title": "European guidelines on relational security", "versions": [], "latest": null }
        ])
    );
}

async fn anonymous_callers_do_not_see_drafts(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let rules = entity::guideline::Entity::find()
        .filter(entity::guideline::Column::Key.eq("ecosystem-rules"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let now = api::service::now();
    let mut draft_id = 0;
    for (number, status) in [
        (1, entity::value::GuidelineStatus::Consultation),
        (2, entity::value::GuidelineStatus::Draft),
    ] {
        let version = entity::guideline_version::ActiveModel {
            guideline_id: Set(rules.id),
            number: Set(number),
            status: Set(status),
            title: Set(format!("Version {number}")),
            body: Set("Text".into()),
            published_on: Set(None),
            search_text: Set(String::new()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        draft_id = version.id;
    }
    let draft = api::graphql::id::encode(api::graphql::id::Kind::GuidelineVersion, draft_id);

    let data = app
        .query(
            "query($draft: ID!) { guideline(key: \"ecosystem-rules\") { versions { number status } latest { number } } node(id: $draft) { id } }",
            json!({ "draft": draft }),
        )
        .await;

    assert_eq!(
        data["guideline"]["versions"],
        json!([{ "number": 1, "status": "CONSULTATION" }])
    );
    assert_eq!(data["guideline"]["latest"], json!({ "number": 1 }));
    assert_eq!(data["node"], serde_json::Value::Null);
}

on_both_databases!(
    knowledge_workshops_are_the_four_of_the_project,
    guidelines_are_the_two_texts_without_invented_versions,
    anonymous_callers_do_not_see_drafts,
);
