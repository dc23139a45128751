//! Visits, learning sessions, stakeholders and guideline versions, and the
//! batching that keeps nested reads to a fixed number of statements.

use api::graphql::id::{Kind, encode};
use entity::value::{GuidelineStatus, Role, SessionLevel, SessionTopic, StakeholderKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use crate::fixtures::{self, day};
use crate::helpers::{Backend, assert_error_code, first_error, spawn_app, token};
use crate::on_both_databases;

const MAP_WITH_VISITS: &str = "query($first: Int) {
  facilities(first: $first) {
    nodes {
      name
      visits(first: 3) {
        totalCount
        nodes { visitedOn workshop { key } participants { name stakeholder { workshops { key } } } findings { dimension note } }
      }
    }
  }
}";

async fn nested_visits_cost_a_fixed_number_of_statements(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::visits_everywhere(&app.db).await;

    // Participants cost their bound (100 each), so a page of facilities with
    // visits, participants and their workshops stays small to fit the limit.
    let before_two = app.statements.get();
    let two = app.query(MAP_WITH_VISITS, json!({ "first": 2 })).await;
    let for_two = app.statements.get() - before_two;
    let before_ten = app.statements.get();
    let ten = app.query(MAP_WITH_VISITS, json!({ "first": 10 })).await;
    let for_ten = app.statements.get() - before_ten;

    let nodes = ten["facilities"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 10);
    assert!(nodes.iter().all(|n| n["visits"]["totalCount"] == 3));
    assert!(nodes.iter().all(|n| {
        n["visits"]["nodes"][0]["participants"]
            .as_array()
            .unwrap()
            .len()
            == 2
    }));
    assert_eq!(two["facilities"]["nodes"].as_array().unwrap().len(), 2);
    // facilities, visits, workshops, participants, their workshops, findings
    assert!(
        for_ten <= 6,
        "10 facilities with visits took {for_ten} statements"
    );
    assert_eq!(
        for_two, for_ten,
        "the cost does not grow with the page size"
    );
}

async fn facility_visits_page_most_recent_first(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    for month in [3, 1, 2] {
        fixtures::visit(&app.db, olen.id, day(2026, month, 1), None, &[]).await;
    }
    let query = "query($after: String) { facility(slug: \"detentiehuis-olen\") {
        visits(first: 2, after: $after) { totalCount nodes { visitedOn } pageInfo { hasNextPage endCursor } } } }";

    let first = app.query(query, json!({})).await;
    let cursor = first["facility"]["visits"]["pageInfo"]["endCursor"].clone();
    let second = app.query(query, json!({ "after": cursor })).await;

    assert_eq!(first["facility"]["visits"]["totalCount"], 3);
    assert_eq!(
        first["facility"]["visits"]["nodes"],
        json!([{ "visitedOn": "2026-03-01" }, { "visitedOn": "2026-02-01" }])
    );
    assert_eq!(first["facility"]["visits"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        second["facility"]["visits"]["nodes"],
        json!([{ "visitedOn": "2026-01-01" }])
    );
    assert_eq!(
        second["facility"]["visits"]["pageInfo"]["hasNextPage"],
        false
    );
}

async fn visits_filter_by_facility_workshop_and_dates(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    let kortrijk = fixtures::facility(&app.db, "detentiehuis-kortrijk").await;
    let nl = fixtures::workshop(&app.db, "nl").await;
    fixtures::visit(&app.db, olen.id, day(2025, 5, 1), Some(nl.id), &[]).await;
    fixtures::visit(&app.db, olen.id, day(2026, 5, 1), None, &[]).await;
    fixtures::visit(&app.db, kortrijk.id, day(2026, 6, 1), Some(nl.id), &[]).await;
    let query = "query($filter: VisitFilter) { visits(filter: $filter) { totalCount nodes { visitedOn facility { slug } } } }";

    let at_olen = app
        .query(
            query,
            json!({ "filter": { "facility": encode(Kind::Facility, olen.uuid) } }),
        )
        .await;
    let by_nl = app
        .query(query, json!({ "filter": { "workshop": "nl" } }))
        .await;
    let in_2026 = app
        .query(
            query,
            json!({ "filter": { "visitedFrom": "2026-01-01", "visitedTo": "2026-05-31" } }),
        )
        .await;
    let unknown_workshop = app
        .graphql(query, json!({ "filter": { "workshop": "xx" } }))
        .await;

    assert_eq!(at_olen["visits"]["totalCount"], 2);
    assert_eq!(
        by_nl["visits"]["nodes"],
        json!([
            { "visitedOn": "2026-06-01", "facility": { "slug": "detentiehuis-kortrijk" } },
            { "visitedOn": "2025-05-01", "facility": { "slug": "detentiehuis-olen" } }
        ])
    );
    assert_eq!(
        in_2026["visits"]["nodes"],
        json!([{ "visitedOn": "2026-05-01", "facility": { "slug": "detentiehuis-olen" } }])
    );
    assert_error_code(&unknown_workshop, "BAD_USER_INPUT");
    assert_eq!(
        first_error(&unknown_workshop)["extensions"]["field"],
        "filter.workshop"
    );
}

async fn visit_by_id_and_node(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    let visit = fixtures::visit(&app.db, olen.id, day(2026, 2, 3), None, &[]).await;
    let id = encode(Kind::Visit, visit.uuid);

    let data = app
        .query(
            "query($id: ID!) { visit(id: $id) { id visitedOn summary findings { dimension } } node(id: $id) { ... on Visit { visitedOn } } }",
            json!({ "id": id }),
        )
        .await;
    let missing = app
        .graphql(
            "query($id: ID!) { visit(id: $id) { id } }",
            json!({ "id": encode(Kind::Visit, sea_orm::prelude::Uuid::now_v7()) }),
        )
        .await;

    assert_eq!(
        data,
        json!({
            "visit": { "id": id, "visitedOn": "2026-02-03", "summary": "A study visit.", "findings": [{ "dimension": "SOCIAL_CLIMATE" }] },
            "node": { "visitedOn": "2026-02-03" }
        })
    );
    // A missing record is null, without an error, as with `node`.
    assert_eq!(missing, json!({ "data": { "visit": null } }));
}

async fn learning_sessions_filter_and_list_participants(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let anna = fixtures::stakeholder(
        &app.db,
        "Anna Practitioner",
        StakeholderKind::Practice,
        None,
    )
    .await;
    fixtures::session(
        &app.db,
        "Relational security in Gent",
        day(2026, 4, 2),
        SessionLevel::National,
        SessionTopic::RelationalSecurity,
        &[anna.id],
    )
    .await;
    fixtures::session(
        &app.db,
        "Architecture of small houses",
        day(2026, 5, 2),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    let query = "query($filter: LearningSessionFilter) { learningSessions(filter: $filter) {
        totalCount nodes { title heldOn level topic countryCode participants { name } } } }";

    let all = app.query(query, json!({})).await;
    let relational = app
        .query(
            query,
            json!({ "filter": { "topic": ["RELATIONAL_SECURITY"] } }),
        )
        .await;
    let by_text = app
        .query(query, json!({ "filter": { "text": "GENT relational" } }))
        .await;
    let european = app
        .query(query, json!({ "filter": { "level": ["EUROPEAN"] } }))
        .await;

    assert_eq!(all["learningSessions"]["totalCount"], 2);
    assert_eq!(
        all["learningSessions"]["nodes"][0]["title"], "Architecture of small houses",
        "most recent first"
    );
    assert_eq!(
        relational["learningSessions"]["nodes"],
        json!([{
            "title": "Relational security in Gent", "heldOn": "2026-04-02", "level": "NATIONAL",
            "topic": "RELATIONAL_SECURITY", "countryCode": "BE", "participants": [{ "name": "Anna Practitioner" }]
        }])
    );
    assert_eq!(by_text["learningSessions"]["totalCount"], 1);
    assert_eq!(
        european["learningSessions"]["nodes"][0]["countryCode"],
        Value::Null
    );
}

async fn stakeholders_show_consented_fields_and_refuse_contact_details(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    // Her name and affiliation may be public; that she was detained may not.
    fixtures::person(
        &app.db,
        "Zoë Lived-Experience",
        StakeholderKind::LivedExperience,
        Some("fr"),
        fixtures::Consent {
            kind: false,
            ..fixtures::Consent::ALL
        },
    )
    .await;
    fixtures::stakeholder(
        &app.db,
        "Anna Practitioner",
        StakeholderKind::Practice,
        Some("be"),
    )
    .await;

    let public = app
        .query(
            "{ stakeholders { totalCount nodes { name kind organisation workshops { key } } } }",
            json!({}),
        )
        .await;
    let by_workshop = app
        .query(
            "{ stakeholders(filter: { workshop: \"fr\" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    let by_text = app
        .query(
            "{ stakeholders(filter: { text: \"zoe\" }) { nodes { name } } }",
            json!({}),
        )
        .await;
    let by_kind = app
        .query(
            "{ stakeholders(filter: { kind: [LIVED_EXPERIENCE] }) { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    let contact = app
        .graphql("{ stakeholders { nodes { name email phone } } }", json!({}))
        .await;
    let (_, editor) = app
        .graphql_as(
            &token(Role::Editor, None),
            "{ stakeholders(filter: { kind: [LIVED_EXPERIENCE] }) { nodes { name kind } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        public["stakeholders"]["nodes"],
        json!([
            { "name": "Anna Practitioner", "kind": "PRACTICE", "organisation": "Université de Liège", "workshops": [{ "key": "be" }] },
            { "name": "Zoë Lived-Experience", "kind": null, "organisation": "Université de Liège", "workshops": [{ "key": "fr" }] }
        ])
    );
    assert!(
        !public.to_string().contains("LIVED_EXPERIENCE"),
        "an unconsented kind reaches an anonymous caller: {public}"
    );
    assert_eq!(
        by_kind["stakeholders"],
        json!({ "totalCount": 0, "nodes": [] }),
        "a filter on a private kind finds no one"
    );
    assert_eq!(
        editor["data"]["stakeholders"]["nodes"],
        json!([{ "name": "Zoë Lived-Experience", "kind": "LIVED_EXPERIENCE" }])
    );
    assert_eq!(
        by_workshop["stakeholders"]["nodes"],
        json!([{ "name": "Zoë Lived-Experience" }])
    );
    assert_eq!(
        by_text["stakeholders"]["nodes"],
        json!([{ "name": "Zoë Lived-Experience" }])
    );
    assert_error_code(&contact, "FORBIDDEN");
    assert!(
        !contact.to_string().contains("@example.org"),
        "no e-mail address reaches an anonymous caller"
    );
}

async fn guideline_versions_show_provenance_and_diffs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    let visit = fixtures::visit(&app.db, olen.id, day(2026, 1, 5), None, &[]).await;
    let session = fixtures::session(
        &app.db,
        "Ecosystem session",
        day(2026, 2, 5),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    let v1 = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        "# Rules\n\n1. Small.\n",
    )
    .await;
    let v2 = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        2,
        GuidelineStatus::Consultation,
        "# Rules\n\n1. Small.\n2. Close to home.\n",
    )
    .await;
    let other = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Adopted,
        "Trust.\n",
    )
    .await;
    entity::guideline_version_visit::ActiveModel {
        guideline_version_id: Set(v2.id),
        visit_id: Set(visit.id),
    }
    .insert(&app.db)
    .await
    .unwrap();
    entity::guideline_version_session::ActiveModel {
        guideline_version_id: Set(v2.id),
        session_id: Set(session.id),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let query = "query($id: ID!, $against: ID) { guidelineVersion(id: $id) {
        number status guideline { key }
        informedBy { __typename ... on Visit { visitedOn } ... on LearningSession { title } }
        diff(against: $against) { truncated hunks { oldStart oldLines newStart newLines lines { kind text } } } } }";

    let data = app
        .query(
            query,
            json!({ "id": encode(Kind::GuidelineVersion, v2.uuid) }),
        )
        .await;
    let explicit = app.query(query, json!({ "id": encode(Kind::GuidelineVersion, v2.uuid), "against": encode(Kind::GuidelineVersion, v1.uuid) })).await;
    let foreign = app.graphql(query, json!({ "id": encode(Kind::GuidelineVersion, v2.uuid), "against": encode(Kind::GuidelineVersion, other.uuid) })).await;

    let version = &data["guidelineVersion"];
    assert_eq!(version["guideline"]["key"], "ecosystem-rules");
    assert_eq!(
        version["informedBy"],
        json!([
            { "__typename": "Visit", "visitedOn": "2026-01-05" },
            { "__typename": "LearningSession", "title": "Ecosystem session" }
        ])
    );
    assert_eq!(
        version["diff"],
        json!({ "truncated": false, "hunks": [{
            "oldStart": 1, "oldLines": 3, "newStart": 1, "newLines": 4,
            "lines": [
                { "kind": "CONTEXT", "text": "# Rules" }, { "kind": "CONTEXT", "text": "" },
                { "kind": "CONTEXT", "text": "1. Small." }, { "kind": "ADDED", "text": "2. Close to home." }
            ]
        }] })
    );
    assert_eq!(explicit["guidelineVersion"]["diff"], version["diff"]);
    assert_error_code(&foreign, "BAD_USER_INPUT");
    assert_eq!(first_error(&foreign)["extensions"]["field"], "against");
}

async fn drafts_are_null_for_anonymous_callers(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let draft = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Draft,
        "Work in progress.\n",
    )
    .await;

    let response = app
        .graphql(
            "query($id: ID!) { guidelineVersion(id: $id) { body } }",
            json!({ "id": encode(Kind::GuidelineVersion, draft.uuid) }),
        )
        .await;

    assert_eq!(response, json!({ "data": { "guidelineVersion": null } }));
    assert!(!response.to_string().contains("Work in progress"));
}

on_both_databases!(
    nested_visits_cost_a_fixed_number_of_statements,
    facility_visits_page_most_recent_first,
    visits_filter_by_facility_workshop_and_dates,
    visit_by_id_and_node,
    learning_sessions_filter_and_list_participants,
    stakeholders_show_consented_fields_and_refuse_contact_details,
    guideline_versions_show_provenance_and_diffs,
    drafts_are_null_for_anonymous_callers,
);
