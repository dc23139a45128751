//! The competence framework of relational security: areas and competences
//! in four languages, their links to resources, learning sessions and
//! guideline versions in both directions, the trainer's question in one
//! query, filters, who writes, the audit log and the change feed, and the
//! statements a page costs.

use api::graphql::id::{Kind, encode};
use entity::value::{GuidelineStatus, Role, SessionLevel, SessionTopic};
use serde_json::{Value, json};

use crate::fixtures::{self, day};
use crate::helpers::{Backend, TestApp, assert_error_code, readme_documents, spawn_app, token};
use crate::on_both_databases;

const CREATE_AREA: &str = "mutation($input: CompetenceAreaInput!) {
  createCompetenceArea(input: $input) { id key version name }
}";

const CREATE: &str = "mutation($input: CompetenceInput!) {
  createCompetence(input: $input) { id key version name area { key } }
}";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: CompetencePatch!) {
  updateCompetence(id: $id, expectedVersion: $v, input: $input) { id key version name }
}";

fn editor() -> String {
    token(Role::Editor, None)
}

fn en(text: &str) -> Value {
    json!([{ "lang": "en", "text": text }])
}

/// Writes `document` as an editor and answers the data of its one field.
async fn write(app: &TestApp, document: &str, variables: Value) -> Value {
    let (status, body) = app.graphql_as(&editor(), document, variables).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]
        .as_object()
        .and_then(|data| data.values().next())
        .cloned()
        .unwrap()
}

async fn area(app: &TestApp, key: &str, position: i32) -> Value {
    write(
        app,
        CREATE_AREA,
        json!({ "input": { "key": key, "position": position, "name": en(key) } }),
    )
    .await
}

async fn competence(app: &TestApp, key: &str, area: &Value, extra: Value) -> Value {
    let mut input = json!({ "key": key, "area": area["id"], "name": en(key) });
    if let (Some(base), Value::Object(extra)) = (input.as_object_mut(), extra) {
        base.extend(extra);
    }
    write(app, CREATE, json!({ "input": input })).await
}

fn problem_fields(body: &Value) -> Vec<String> {
    assert_error_code(body, "BAD_USER_INPUT");
    body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems: {body:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn editors_write_and_everyone_reads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let input = json!({ "input": { "key": "relations", "name": en("Relations") } });
    let anonymous = app.graphql(CREATE_AREA, input.clone()).await;
    let (_, partner) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            CREATE_AREA,
            input.clone(),
        )
        .await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");
    assert_error_code(&partner, "FORBIDDEN");

    let relations = write(&app, CREATE_AREA, input).await;
    let made = competence(&app, "de-escalation", &relations, json!({})).await;
    assert_eq!(made["area"]["key"], "relations");
    let (_, partner_update) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            UPDATE,
            json!({ "id": made["id"], "v": 1, "input": { "position": 2 } }),
        )
        .await;
    assert_error_code(&partner_update, "FORBIDDEN");

    for reader in [None, Some(token(Role::Partner, Some("rescaled")))] {
        let document = "{ competenceAreas { key competences { key } } competence(key: \"de-escalation\") { key } }";
        let body = match &reader {
            None => app.graphql(document, json!({})).await,
            Some(t) => app.graphql_as(t, document, json!({})).await.1,
        };
        assert_eq!(
            body["data"],
            json!({
                "competenceAreas": [{ "key": "relations", "competences": [{ "key": "de-escalation" }] }],
                "competence": { "key": "de-escalation" },
            }),
            "{body:#}"
        );
    }

    // An area that holds a competence stays; editors delete both, in order.
    let (_, held) = app
        .graphql_as(
            &editor(),
            "mutation($id: ID!) { deleteCompetenceArea(id: $id, expectedVersion: 1) }",
            json!({ "id": relations["id"] }),
        )
        .await;
    assert_error_code(&held, "CONFLICT");
    let deleted = write(
        &app,
        "mutation($id: ID!) { deleteCompetence(id: $id, expectedVersion: 1) }",
        json!({ "id": made["id"] }),
    )
    .await;
    assert_eq!(deleted, made["id"]);
    write(
        &app,
        "mutation($id: ID!) { deleteCompetenceArea(id: $id, expectedVersion: 1) }",
        json!({ "id": relations["id"] }),
    )
    .await;
    let left = app.query("{ competenceAreas { key } }", json!({})).await;
    assert_eq!(left["competenceAreas"], json!([]));
}

async fn validation_reports_every_bad_field_and_writes_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let relations = area(&app, "relations", 1).await;
    competence(&app, "de-escalation", &relations, json!({})).await;
    let before = fixtures::state(&app.db).await;
    let bad = json!({
        "key": "De Escalation!",
        "area": encode(Kind::CompetenceArea, sea_orm::prelude::Uuid::now_v7()).to_string(),
        "position": -1,
        "name": [{ "lang": "fr", "text": "Désescalade" }],
        "resources": [encode(Kind::Resource, sea_orm::prelude::Uuid::now_v7()).to_string()],
    });
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": bad }))
        .await;
    // The English name is checked as the input is read, before the rest.
    assert_eq!(problem_fields(&body), ["input.name"], "{body:#}");

    let bad = json!({
        "key": "De Escalation!",
        "area": encode(Kind::CompetenceArea, sea_orm::prelude::Uuid::now_v7()).to_string(),
        "position": -1,
        "name": en("De-escalation"),
        "resources": [encode(Kind::Resource, sea_orm::prelude::Uuid::now_v7()).to_string()],
    });
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": bad }))
        .await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "input.area",
            "input.key",
            "input.position",
            "input.resources[0]"
        ],
        "{body:#}"
    );

    let taken = json!({ "key": "de-escalation", "area": relations["id"], "name": en("Again") });
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": taken }))
        .await;
    assert_eq!(problem_fields(&body), ["input.key"]);
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn a_stale_version_is_a_conflict(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let relations = area(&app, "relations", 1).await;
    let made = competence(&app, "listening", &relations, json!({})).await;
    let change = json!({ "id": made["id"], "v": 1, "input": { "position": 3 } });
    let (_, first) = app.graphql_as(&editor(), UPDATE, change.clone()).await;
    let (_, second) = app.graphql_as(&editor(), UPDATE, change).await;

    assert_eq!(first["data"]["updateCompetence"]["version"], 2);
    assert_error_code(&second, "CONFLICT");
}

async fn a_write_is_one_audit_event_and_one_change(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let session = fixtures::session(
        &app.db,
        "De-escalation in practice",
        day(2026, 2, 2),
        SessionLevel::European,
        SessionTopic::RelationalSecurity,
        &[],
    )
    .await;
    let relations = area(&app, "relations", 1).await;
    let made = competence(
        &app,
        "de-escalation",
        &relations,
        json!({ "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()] }),
    )
    .await;

    let feed = app
        .query(
            "{ changes(first: 500) { nodes { action entityType entityId entityVersion node { ... on Competence { key } ... on CompetenceArea { key } } } } }",
            json!({}),
        )
        .await;
    let changes: Vec<&Value> = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entityType"] == "COMPETENCE" || c["entityType"] == "COMPETENCE_AREA")
        .collect();
    assert_eq!(
        changes,
        [
            &json!({ "action": "CREATED", "entityType": "COMPETENCE_AREA", "entityId": relations["id"], "entityVersion": 1, "node": { "key": "relations" } }),
            &json!({ "action": "CREATED", "entityType": "COMPETENCE", "entityId": made["id"], "entityVersion": 1, "node": { "key": "de-escalation" } }),
        ]
    );
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action after } } }",
            json!({ "id": made["id"] }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log:#}");
    assert_eq!(
        events[0]["after"]["learning_sessions"],
        json!([session.id]),
        "{log:#}"
    );

    // Writing the same fields again changes nothing, and records nothing.
    let (_, same) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": made["id"], "v": 1, "input": { "key": "de-escalation", "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()] } }),
        )
        .await;
    assert_eq!(same["data"]["updateCompetence"]["version"], 1, "{same:#}");
}

/// The trainer's question: what do we know about de-escalation, and where
/// was it seen in practice? One query.
pub const TRAINER_QUESTION: &str = "query($key: String!, $lang: String) {
  competence(key: $key) {
    name(lang: $lang) nameLanguage(lang: $lang)
    area { name(lang: $lang) }
    resources(first: 10) { totalCount nodes { title url visits { nodes { visitedOn facility { name } } } } }
    learningSessions(first: 10) { totalCount nodes { title heldOn workshop { key visits(first: 5) { nodes { visitedOn facility { name } } } } } }
    guidelineVersions(first: 10) { totalCount nodes { number status guideline { key } } }
  }
}";

async fn links_are_navigable_both_ways_and_answer_the_trainer(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let be = fixtures::workshop(&app.db, "be").await;
    let kortrijk = fixtures::facility(&app.db, "detentiehuis-kortrijk").await;
    let visit = fixtures::visit(&app.db, kortrijk.id, day(2026, 3, 4), Some(be.id), &[]).await;
    let session = fixtures::session(
        &app.db,
        "De-escalation in practice",
        day(2026, 2, 2),
        SessionLevel::National,
        SessionTopic::RelationalSecurity,
        &[],
    )
    .await;
    sea_orm::ActiveModelTrait::update(
        entity::learning_session::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(session.id),
            workshop_id: sea_orm::ActiveValue::Set(Some(be.id)),
            ..Default::default()
        },
        &app.db,
    )
    .await
    .unwrap();
    let adopted = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Adopted,
        "Text.",
    )
    .await;
    let draft = fixtures::guideline_version(
        &app.db,
        "relational-security",
        2,
        GuidelineStatus::Draft,
        "Draft.",
    )
    .await;
    let (_, resource) = app
        .graphql_as(
            &editor(),
            "mutation($input: ResourceInput!) { createResource(input: $input) { id } }",
            json!({ "input": {
                "kind": "TOOLKIT",
                "title": en("Talking it down"),
                "url": "https://example.org/talking-it-down",
                "visits": [encode(Kind::Visit, visit.uuid).to_string()],
            } }),
        )
        .await;
    let resource_id = resource["data"]["createResource"]["id"].clone();
    let relations = write(
        &app,
        CREATE_AREA,
        json!({ "input": { "key": "relations", "name": [{ "lang": "en", "text": "Relations" }, { "lang": "nl", "text": "Relaties" }] } }),
    )
    .await;
    competence(
        &app,
        "de-escalation",
        &relations,
        json!({
            "name": [{ "lang": "en", "text": "De-escalation" }, { "lang": "fr", "text": "Désescalade" }],
            "resources": [resource_id],
            "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()],
            "guidelineVersions": [
                encode(Kind::GuidelineVersion, adopted.uuid).to_string(),
                encode(Kind::GuidelineVersion, draft.uuid).to_string(),
            ],
        }),
    )
    .await;

    let answer = app
        .query(
            TRAINER_QUESTION,
            json!({ "key": "de-escalation", "lang": "fr" }),
        )
        .await;
    assert_eq!(
        answer["competence"],
        json!({
            "name": "Désescalade",
            "nameLanguage": "FR",
            "area": { "name": "Relations" },
            "resources": { "totalCount": 1, "nodes": [{
                "title": "Talking it down",
                "url": "https://example.org/talking-it-down",
                "visits": { "nodes": [{ "visitedOn": "2026-03-04", "facility": { "name": kortrijk.name } }] },
            }] },
            "learningSessions": { "totalCount": 1, "nodes": [{
                "title": "De-escalation in practice",
                "heldOn": "2026-02-02",
                "workshop": { "key": "be", "visits": { "nodes": [{ "visitedOn": "2026-03-04", "facility": { "name": kortrijk.name } }] } },
            }] },
            // The draft is the editors'.
            "guidelineVersions": { "totalCount": 1, "nodes": [{ "number": 1, "status": "ADOPTED", "guideline": { "key": "relational-security" } }] },
        })
    );
    let (_, for_editor) = app
        .graphql_as(
            &editor(),
            TRAINER_QUESTION,
            json!({ "key": "de-escalation" }),
        )
        .await;
    assert_eq!(
        for_editor["data"]["competence"]["guidelineVersions"]["totalCount"],
        2
    );

    // The other way.
    let back = app
        .query(
            "query($resource: ID!, $session: ID!, $version: ID!) {
              resource(id: $resource) { competences { nodes { key } } }
              session: node(id: $session) { ... on LearningSession { competences { totalCount nodes { key } } } }
              version: node(id: $version) { ... on GuidelineVersion { competences { nodes { key } } } }
            }",
            json!({
                "resource": resource_id,
                "session": encode(Kind::LearningSession, session.uuid).to_string(),
                "version": encode(Kind::GuidelineVersion, adopted.uuid).to_string(),
            }),
        )
        .await;
    assert_eq!(
        back,
        json!({
            "resource": { "competences": { "nodes": [{ "key": "de-escalation" }] } },
            "session": { "competences": { "totalCount": 1, "nodes": [{ "key": "de-escalation" }] } },
            "version": { "competences": { "nodes": [{ "key": "de-escalation" }] } },
        })
    );
    let filtered = app
        .query(
            "{ resources(filter: { competence: [\"de-escalation\"] }) { totalCount nodes { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["resources"],
        json!({ "totalCount": 1, "nodes": [{ "title": "Talking it down" }] })
    );
}

async fn keys(app: &TestApp, filter: Value) -> Vec<String> {
    let data = app
        .query(
            "query($filter: CompetenceFilter) { competences(filter: $filter) { totalCount nodes { key } } }",
            json!({ "filter": filter }),
        )
        .await;
    let nodes = data["competences"]["nodes"].as_array().unwrap();
    assert_eq!(data["competences"]["totalCount"], nodes.len());
    nodes
        .iter()
        .map(|n| n["key"].as_str().unwrap().to_owned())
        .collect()
}

async fn competences_come_in_the_frameworks_order_and_filter(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Made out of order: areas and competences are listed by position.
    let second = area(&app, "team", 2).await;
    let first = area(&app, "relations", 1).await;
    competence(&app, "peer-support", &second, json!({ "position": 1 })).await;
    competence(&app, "listening", &first, json!({ "position": 2 })).await;
    competence(
        &app,
        "de-escalation",
        &first,
        json!({ "position": 1, "description": en("Calming a tense situation down") }),
    )
    .await;

    assert_eq!(
        keys(&app, json!(null)).await,
        ["de-escalation", "listening", "peer-support"]
    );
    assert_eq!(
        keys(&app, json!({ "area": ["team"] })).await,
        ["peer-support"]
    );
    assert_eq!(
        keys(&app, json!({ "text": "TENSE" })).await,
        ["de-escalation"]
    );
    assert!(keys(&app, json!({ "area": ["nowhere"] })).await.is_empty());
    let areas = app
        .query("{ competenceAreas { key competences { key } } }", json!({}))
        .await;
    assert_eq!(
        areas["competenceAreas"],
        json!([
            { "key": "relations", "competences": [{ "key": "de-escalation" }, { "key": "listening" }] },
            { "key": "team", "competences": [{ "key": "peer-support" }] },
        ])
    );
    let none = app
        .query("{ competence(key: \"nowhere\") { key } }", json!({}))
        .await;
    assert_eq!(none["competence"], Value::Null);
}

const PAGE_WITH_LINKS: &str = "query($first: Int!) {
  competences(first: $first) {
    nodes {
      key name area { key }
      resources { totalCount nodes { title } }
      learningSessions { nodes { title } }
      guidelineVersions { nodes { number guideline { key } } }
    }
  }
}";

async fn a_page_of_competences_with_their_links_costs_a_fixed_number_of_statements(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let version = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Adopted,
        "Text.",
    )
    .await;
    let relations = area(&app, "relations", 1).await;
    for i in 0..8 {
        let session = fixtures::session(
            &app.db,
            &format!("Session {i}"),
            day(2026, 2, i + 1),
            SessionLevel::National,
            SessionTopic::RelationalSecurity,
            &[],
        )
        .await;
        let (_, resource) = app
            .graphql_as(
                &editor(),
                "mutation($input: ResourceInput!) { createResource(input: $input) { id } }",
                json!({ "input": { "kind": "REPORT", "title": en(&format!("Report {i}")) } }),
            )
            .await;
        competence(
            &app,
            &format!("competence-{i}"),
            &relations,
            json!({
                "position": i,
                "resources": [resource["data"]["createResource"]["id"]],
                "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()],
                "guidelineVersions": [encode(Kind::GuidelineVersion, version.uuid).to_string()],
            }),
        )
        .await;
    }

    let before_two = app.statements.get();
    let two = app.query(PAGE_WITH_LINKS, json!({ "first": 2 })).await;
    let for_two = app.statements.get() - before_two;
    let before_eight = app.statements.get();
    let eight = app.query(PAGE_WITH_LINKS, json!({ "first": 8 })).await;
    let for_eight = app.statements.get() - before_eight;

    let nodes = eight["competences"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 8);
    assert_eq!(two["competences"]["nodes"].as_array().unwrap().len(), 2);
    for node in nodes {
        assert_eq!(node["area"]["key"], "relations");
        assert_eq!(node["resources"]["totalCount"], 1, "{node:#}");
        assert_eq!(
            node["learningSessions"]["nodes"].as_array().unwrap().len(),
            1
        );
        assert_eq!(
            node["guidelineVersions"]["nodes"][0]["guideline"]["key"],
            "relational-security"
        );
    }
    // competences, areas, resources, sessions, versions and their guidelines
    assert!(
        for_eight <= 8,
        "8 competences with their links took {for_eight} statements"
    );
    assert_eq!(
        for_two, for_eight,
        "the cost does not grow with the page size"
    );
}

/// What the README shows runs: its mutations add an area and a competence
/// when an editor sends them, and its query answers the trainer.
async fn the_readme_examples_run(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let documents = readme_documents("## Competences of relational security", "\n## ");
    assert_eq!(documents.len(), 3, "{documents:?}");

    let added = write(&app, &documents[0], json!({})).await;
    let competence = write(&app, &documents[1], json!({ "area": added["id"] })).await;
    let answer = app
        .query(&documents[2], json!({ "key": "de-escalation" }))
        .await;

    assert_eq!(competence["version"], 1);
    assert_eq!(answer["competence"]["key"], "de-escalation");
}

on_both_databases!(
    editors_write_and_everyone_reads,
    validation_reports_every_bad_field_and_writes_nothing,
    a_stale_version_is_a_conflict,
    a_write_is_one_audit_event_and_one_change,
    links_are_navigable_both_ways_and_answer_the_trainer,
    competences_come_in_the_frameworks_order_and_filter,
    a_page_of_competences_with_their_links_costs_a_fixed_number_of_statements,
    the_readme_examples_run,
);
