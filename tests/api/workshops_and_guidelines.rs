//! The project's fixed sets (knowledge workshops, guidelines) and the lists
//! under them, which page like every list that can grow.

use api::graphql::id::Kind;
use entity::value::Role;
use entity::value::{GuidelineStatus, StakeholderKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use crate::fixtures;
use crate::helpers::{Backend, assert_error_code, gid, spawn_app, token};
use crate::on_both_databases;

async fn knowledge_workshops_are_the_four_of_the_project(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ knowledgeWorkshops { key name countryCode members { totalCount nodes { name } } } }",
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
    assert_eq!(
        data["knowledgeWorkshops"][0]["members"],
        json!({ "totalCount": 0, "nodes": [] })
    );
}

async fn guidelines_are_the_two_texts_without_invented_versions(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ guidelines { key title versions { nodes { number } } latest { number } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        data["guidelines"],
        json!([
            { "key": "ecosystem-rules", "title": "European Rules on the ecosystem of small-scale detention facilities", "versions": { "nodes": [] }, "latest": null },
            { "key": "relational-security", "title": "European guidelines on relational security", "versions": { "nodes": [] }, "latest": null }
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
    let now = api::service::kernel::now();
    let mut draft_id = 0;
    for (number, status) in [
        (1, entity::value::GuidelineStatus::Consultation),
        (2, entity::value::GuidelineStatus::Draft),
    ] {
        let version = entity::guideline_version::ActiveModel {
            uuid: Set(sea_orm::prelude::Uuid::now_v7()),
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
    let draft = api::graphql::id::encode_serial(api::graphql::id::Kind::GuidelineVersion, draft_id);

    let data = app
        .query(
            "query($draft: ID!) { guideline(key: \"ecosystem-rules\") { versions { totalCount nodes { number status } } latest { number } } node(id: $draft) { id } }",
            json!({ "draft": draft }),
        )
        .await;

    assert_eq!(
        data["guideline"]["versions"],
        json!({ "totalCount": 1, "nodes": [{ "number": 1, "status": "CONSULTATION" }] })
    );
    assert_eq!(data["guideline"]["latest"], json!({ "number": 1 }));
    assert_eq!(data["node"], serde_json::Value::Null);
}

/// The cost of `knowledgeWorkshops` and `guidelines` assumes their bound:
/// what the project defines must fit in it.
async fn the_fixed_sets_fit_their_stated_bounds(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let workshops = entity::knowledge_workshop::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    let guidelines = entity::guideline::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(workshops, api::service::workshop::MAX_WORKSHOPS as u64);
    assert_eq!(guidelines, api::service::guideline::MAX_GUIDELINES as u64);
}

const MEMBERS: &str = "query($w: ID!, $after: String) { node(id: $w) { ... on KnowledgeWorkshop {
    members(first: 15, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } } } }";

async fn workshop_members_page_by_name(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for i in (0..40).rev() {
        fixtures::stakeholder(
            &app.db,
            &format!("Member {i:02}"),
            StakeholderKind::Practice,
            Some("be"),
        )
        .await;
    }
    let be = gid(
        Kind::KnowledgeWorkshop,
        fixtures::workshop(&app.db, "be").await.id,
    );

    let mut names = Vec::new();
    let mut after = serde_json::Value::Null;
    let mut pages = 0;
    loop {
        let data = app.query(MEMBERS, json!({ "w": be, "after": after })).await;
        let members = &data["node"]["members"];
        assert_eq!(members["totalCount"], 40);
        names.extend(
            members["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        if members["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = members["pageInfo"]["endCursor"].clone();
    }

    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..40).map(|i| format!("Member {i:02}")).collect();
    assert_eq!(names, expected);
    // A cursor of one workshop's members means nothing in another's.
    let nl = gid(
        Kind::KnowledgeWorkshop,
        fixtures::workshop(&app.db, "nl").await.id,
    );
    let foreign = app
        .graphql(MEMBERS, json!({ "w": nl, "after": after }))
        .await;
    assert_error_code(&foreign, "BAD_USER_INPUT");
    assert_eq!(foreign["errors"][0]["extensions"]["field"], "after");
}

async fn members_and_versions_of_every_workshop_and_guideline_load_in_batches(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for (i, key) in ["be", "fr", "nl", "eu"].iter().cycle().take(40).enumerate() {
        fixtures::stakeholder(
            &app.db,
            &format!("Member {i:02}"),
            StakeholderKind::Research,
            Some(key),
        )
        .await;
    }
    for key in ["ecosystem-rules", "relational-security"] {
        for number in 1..=3 {
            fixtures::guideline_version(&app.db, key, number, GuidelineStatus::Adopted, "Text\n")
                .await;
        }
    }

    let before = app.statements.get();
    let data = app
        .query(
            "{ knowledgeWorkshops { key members(first: 5) { totalCount nodes { name workshops { key } } } }
               guidelines { key versions(first: 2) { totalCount nodes { number informedBy { __typename } } } } }",
            json!({}),
        )
        .await;
    let statements = app.statements.get() - before;

    for workshop in data["knowledgeWorkshops"].as_array().unwrap() {
        assert_eq!(workshop["members"]["totalCount"], 10, "{workshop:#}");
        assert_eq!(workshop["members"]["nodes"].as_array().unwrap().len(), 5);
    }
    for guideline in data["guidelines"].as_array().unwrap() {
        assert_eq!(
            guideline["versions"],
            json!({ "totalCount": 3, "nodes": [
                { "number": 1, "informedBy": [] }, { "number": 2, "informedBy": [] }
            ] })
        );
    }
    // workshops, members, their workshops; guidelines, versions, visits and sessions informing them
    assert!(
        statements <= 7,
        "4 workshops and 2 guidelines with their lists took {statements} statements"
    );
}

/// An editor's cursor counts drafts; the same list without drafts is another list.
async fn version_cursors_belong_to_what_the_caller_sees(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        "A\n",
    )
    .await;
    fixtures::guideline_version(&app.db, "ecosystem-rules", 2, GuidelineStatus::Draft, "B\n").await;
    let query = "query($after: String) { guideline(key: \"ecosystem-rules\") {
        versions(first: 1, after: $after) { totalCount nodes { number } pageInfo { endCursor } } } }";

    let (_, editor) = app
        .graphql_as(&token(Role::Editor, None), query, json!({}))
        .await;
    let versions = &editor["data"]["guideline"]["versions"];
    assert_eq!(versions["totalCount"], 2, "{editor:#}");
    let (_, next) = app
        .graphql_as(
            &token(Role::Editor, None),
            query,
            json!({ "after": versions["pageInfo"]["endCursor"] }),
        )
        .await;
    let anonymous = app
        .graphql(query, json!({ "after": versions["pageInfo"]["endCursor"] }))
        .await;

    assert_eq!(
        next["data"]["guideline"]["versions"]["nodes"],
        json!([{ "number": 2 }])
    );
    assert_error_code(&anonymous, "BAD_USER_INPUT");
}

on_both_databases!(
    knowledge_workshops_are_the_four_of_the_project,
    guidelines_are_the_two_texts_without_invented_versions,
    anonymous_callers_do_not_see_drafts,
    the_fixed_sets_fit_their_stated_bounds,
    workshop_members_page_by_name,
    members_and_versions_of_every_workshop_and_guideline_load_in_batches,
    version_cursors_belong_to_what_the_caller_sees,
);
