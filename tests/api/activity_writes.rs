//! Writing visits, learning sessions and stakeholders: references that must
//! exist, personal data that must be well formed, versions that must be current.

use api::graphql::id::Kind;
use entity::value::Role;
use entity::value::{GuidelineStatus, StakeholderKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, gid, spawn_app, token};
use crate::on_both_databases;

async fn as_editor(app: &TestApp, document: &str, variables: Value) -> Value {
    app.graphql_as(&token(Role::Editor, None), document, variables)
        .await
        .1
}

fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems: {body:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_visit_is_recorded_with_participants_and_findings(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let be = fixtures::workshop(&app.db, "be").await;
    let ana = fixtures::stakeholder(&app.db, "Ana", StakeholderKind::Research, None).await;
    let bo = fixtures::stakeholder(&app.db, "Bo", StakeholderKind::Practice, None).await;

    let created = as_editor(
        &app,
        "mutation($input: VisitInput!) { createVisit(input: $input) {
            id visitedOn version facility { slug } workshop { key } participants { name }
            summary findings { dimension note } } }",
        json!({ "input": {
            "facility": gid(Kind::Facility, facility.id),
            "visitedOn": "2025-04-02",
            "workshop": gid(Kind::KnowledgeWorkshop, be.id),
            "participants": [gid(Kind::Stakeholder, bo.id), gid(Kind::Stakeholder, ana.id)],
            "summary": [{ "lang": "en", "text": "A calm house." }],
            "findings": [{ "dimension": "SOCIAL_CLIMATE", "note": "Staff and residents eat together." }]
        } }),
    )
    .await;
    let visit = &created["data"]["createVisit"];
    assert_eq!(visit["facility"]["slug"], slug, "{created:#}");
    assert_eq!(visit["workshop"]["key"], "be");
    assert_eq!(visit["summary"], "A calm house.");
    assert_eq!(visit["findings"][0]["dimension"], "SOCIAL_CLIMATE");
    let mut names: Vec<&str> = visit["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Ana", "Bo"]);

    let updated = as_editor(
        &app,
        "mutation($id: ID!) { updateVisit(id: $id, expectedVersion: 1, input: { participants: [], summary: null }) { version participants { name } summary } }",
        json!({ "id": visit["id"] }),
    )
    .await;
    assert_eq!(
        updated["data"]["updateVisit"],
        json!({ "version": 2, "participants": [], "summary": null }),
        "{updated:#}"
    );
}

async fn a_visit_with_bad_references_is_refused_whole(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let ana = fixtures::stakeholder(&app.db, "Ana", StakeholderKind::Research, None).await;
    let before = fixtures::state(&app.db).await;

    let body = as_editor(
        &app,
        "mutation($input: VisitInput!) { createVisit(input: $input) { id } }",
        json!({ "input": {
            "facility": gid(Kind::Facility, 999_999),
            "visitedOn": "1990-01-01",
            "workshop": gid(Kind::KnowledgeWorkshop, 999_999),
            "participants": [gid(Kind::Stakeholder, ana.id), gid(Kind::Stakeholder, 999_999), gid(Kind::Stakeholder, ana.id)],
            "findings": [{ "dimension": "WORK", "note": " " }]
        } }),
    )
    .await;

    assert_error_code(&body, "BAD_USER_INPUT");
    assert_eq!(
        problem_fields(&body),
        [
            "input.facility",
            "input.visitedOn",
            "input.workshop",
            "input.participants[1]",
            "input.participants[2]",
            "input.findings[0].note"
        ]
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn a_learning_session_is_written_and_checked(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let created = as_editor(
        &app,
        "mutation { createLearningSession(input: { title: \" Relational security \", heldOn: \"2025-11-20\", level: NATIONAL, countryCode: \"fr\", topic: RELATIONAL_SECURITY,
            outcomes: [{ lang: \"en\", text: \"Trust takes time.\" }, { lang: \"fr\", text: \"La confiance prend du temps.\" }] }) {
            id title countryCode version outcomes(lang: \"fr\") } }",
        json!({}),
    )
    .await;
    let session = &created["data"]["createLearningSession"];
    assert_eq!(session["title"], "Relational security", "{created:#}");
    assert_eq!(session["countryCode"], "FR");
    assert_eq!(session["outcomes"], "La confiance prend du temps.");

    let before = fixtures::state(&app.db).await;
    let bad = as_editor(
        &app,
        "mutation { createLearningSession(input: { title: \"\", heldOn: \"2025-11-20\", level: NATIONAL, topic: ECOSYSTEM }) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(problem_fields(&bad), ["input.title", "input.countryCode"]);
    let stale = as_editor(
        &app,
        "mutation($id: ID!) { updateLearningSession(id: $id, expectedVersion: 5, input: { title: \"New\" }) { id } }",
        json!({ "id": session["id"] }),
    )
    .await;
    assert_error_code(&stale, "CONFLICT");
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn stakeholders_need_a_valid_email_and_phone(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let be = fixtures::workshop(&app.db, "be").await;
    let before = fixtures::state(&app.db).await;
    let bad = as_editor(
        &app,
        "mutation($w: [ID!]) { createStakeholder(input: { name: \"Jo\", kind: LIVED_EXPERIENCE, email: \"jo-at-example.org\", phone: \"call me\", countryCode: \"ZZ\", workshops: $w }) { id } }",
        json!({ "w": [gid(Kind::KnowledgeWorkshop, 999_999)] }),
    )
    .await;
    assert_eq!(
        problem_fields(&bad),
        [
            "input.countryCode",
            "input.email",
            "input.phone",
            "input.workshops[0]"
        ]
    );
    assert_eq!(fixtures::state(&app.db).await, before);

    let created = as_editor(
        &app,
        "mutation($w: [ID!]) { createStakeholder(input: { name: \"Jo\", kind: LIVED_EXPERIENCE, email: \"jo@example.org\", phone: \"+32 2 555 12 12\", workshops: $w, consent: { name: true } }) {
            id email phone workshops { key } } }",
        json!({ "w": [gid(Kind::KnowledgeWorkshop, be.id)] }),
    )
    .await;
    let jo = &created["data"]["createStakeholder"];
    assert_eq!(jo["email"], "jo@example.org", "{created:#}");
    assert_eq!(jo["workshops"], json!([{ "key": "be" }]));

    // Contact details are never searchable, and stay hidden from partners.
    let found = app
        .query(
            "{ search(text: \"jo@example.org\") { __typename } }",
            json!({}),
        )
        .await;
    assert_eq!(found["search"], json!([]));
    fixtures::organisation(&app.db, "rescaled").await;
    let (_, partner) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            "query($id: ID!) { stakeholder(id: $id) { name email } }",
            json!({ "id": jo["id"] }),
        )
        .await;
    assert_error_code(&partner, "FORBIDDEN");
    assert_eq!(
        partner["errors"][0]["path"],
        json!(["stakeholder", "email"])
    );
}

async fn partners_record_visits_to_their_own_facilities_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slugs = fixtures::facility_slugs(&app.db).await;
    let rescaled = fixtures::organisation(&app.db, "rescaled").await;
    let other = fixtures::organisation(&app.db, "other-partner").await;
    let own = fixtures::maintain(&app.db, &slugs[0], &rescaled).await;
    let foreign = fixtures::maintain(&app.db, &slugs[1], &other).await;
    let visit = fixtures::visit(&app.db, own.id, fixtures::day(2025, 1, 1), None, &[]).await;
    let partner = token(Role::Partner, Some("rescaled"));
    let before = fixtures::state(&app.db).await;

    // Moving one's visit to another organisation's facility is refused.
    let (_, moved) = app
        .graphql_as(
            &partner,
            "mutation($id: ID!, $f: ID!) { updateVisit(id: $id, expectedVersion: 1, input: { facility: $f }) { id } }",
            json!({ "id": gid(Kind::Visit, visit.id), "f": gid(Kind::Facility, foreign.id) }),
        )
        .await;
    assert_error_code(&moved, "FORBIDDEN");
    // Taking another organisation's facility's slug is refused as taken.
    let (_, taken) = app
        .graphql_as(
            &partner,
            "mutation($slug: String!) { createFacility(input: { slug: $slug, name: \"Mine\", countryCode: \"NL\", facilityType: OTHER, status: OPEN }) { id } }",
            json!({ "slug": foreign.slug }),
        )
        .await;
    assert_error_code(&taken, "BAD_USER_INPUT");
    // Handing one's facility to another organisation is refused.
    let (_, handed) = app
        .graphql_as(
            &partner,
            "mutation($id: ID!) { updateFacility(id: $id, expectedVersion: 1, input: { maintainedBy: \"other-partner\" }) { id } }",
            json!({ "id": gid(Kind::Facility, own.id) }),
        )
        .await;
    assert_error_code(&handed, "FORBIDDEN");
    assert_eq!(fixtures::state(&app.db).await, before);
}

const DIMENSIONS: [&str; 9] = [
    "ARCHITECTURE",
    "SOCIAL_CLIMATE",
    "SECURITY",
    "COMMUNITY_INTEGRATION",
    "SUSTAINABILITY",
    "WORK",
    "INDIVIDUAL_NEEDS",
    "STAFF_WELLBEING",
    "TECHNOLOGY",
];

/// Ten notes where each of the nine dimensions has one.
fn ten_notes() -> Vec<Value> {
    DIMENSIONS
        .iter()
        .chain(["WORK"].iter())
        .map(|d| json!({ "dimension": d, "note": "A note." }))
        .collect()
}

/// Every bounded list is bounded where it is written: over the bound, the
/// write is `BAD_USER_INPUT` naming the list, and nothing is stored.
async fn lists_over_their_bound_are_refused_where_they_are_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = gid(Kind::Facility, fixtures::facility(&app.db, &slug).await.id);
    let mut people = Vec::new();
    for i in 0..100 {
        let person = fixtures::stakeholder(
            &app.db,
            &format!("Person {i:03}"),
            StakeholderKind::Research,
            None,
        )
        .await;
        people.push(gid(Kind::Stakeholder, person.id));
    }
    let too_many: Vec<String> = people
        .iter()
        .cloned()
        .chain([gid(Kind::Stakeholder, 999_999)])
        .collect();
    let workshops: Vec<String> = {
        let mut ids = Vec::new();
        for key in ["be", "fr", "nl", "eu", "be"] {
            ids.push(gid(
                Kind::KnowledgeWorkshop,
                fixtures::workshop(&app.db, key).await.id,
            ));
        }
        ids
    };
    let sources: Vec<String> = (1..=101).map(|i| gid(Kind::Visit, i)).collect();
    let before = fixtures::state(&app.db).await;

    let cases = [
        (
            "mutation($f: ID!, $p: [ID!]) { createVisit(input: { facility: $f, visitedOn: \"2025-04-02\", participants: $p }) { id } }",
            json!({ "f": facility, "p": too_many }),
            "input.participants",
        ),
        (
            "mutation($f: ID!, $n: [EcosystemNoteInput!]) { createVisit(input: { facility: $f, visitedOn: \"2025-04-02\", findings: $n }) { id } }",
            json!({ "f": facility, "n": ten_notes() }),
            "input.findings",
        ),
        (
            "mutation($p: [ID!]) { createLearningSession(input: { title: \"Big\", heldOn: \"2025-04-02\", level: EUROPEAN, topic: ECOSYSTEM, participants: $p }) { id } }",
            json!({ "p": too_many }),
            "input.participants",
        ),
        (
            "mutation($w: [ID!]) { createStakeholder(input: { name: \"Jo\", kind: RESEARCH, workshops: $w }) { id } }",
            json!({ "w": workshops }),
            "input.workshops",
        ),
        (
            "mutation($s: [ID!]) { createGuidelineVersion(guideline: \"ecosystem-rules\", input: { title: \"Rules\", body: \"Text\", informedBy: $s }) { id } }",
            json!({ "s": sources }),
            "input.informedBy",
        ),
        (
            "mutation($n: [EcosystemNoteInput!]) { createFacility(input: { name: \"Ten notes\", countryCode: \"BE\", facilityType: OTHER, status: OPEN, ecosystem: $n }) { id } }",
            json!({ "n": ten_notes() }),
            "input.ecosystem[9].dimension",
        ),
    ];
    for (document, variables, field) in cases {
        let body = as_editor(&app, document, variables).await;
        assert_error_code(&body, "BAD_USER_INPUT");
        assert!(
            problem_fields(&body).iter().any(|f| f == field),
            "{field} not named: {body:#}"
        );
    }
    assert_eq!(fixtures::state(&app.db).await, before);

    // At the bound, the write goes through.
    let full = as_editor(
        &app,
        "mutation($f: ID!, $p: [ID!], $n: [EcosystemNoteInput!]) { createVisit(input: { facility: $f, visitedOn: \"2025-04-02\", participants: $p, findings: $n }) { participants { name } findings { dimension } } }",
        json!({ "f": facility, "p": people, "n": &ten_notes()[..9] }),
    )
    .await;
    let visit = &full["data"]["createVisit"];
    assert_eq!(
        visit["participants"].as_array().unwrap().len(),
        100,
        "{full:#}"
    );
    assert_eq!(visit["findings"].as_array().unwrap().len(), 9);
}

const UPDATE_VISIT: &str = "mutation($id: ID!, $v: Int!) {
    updateVisit(id: $id, expectedVersion: $v, input: { summary: [{ lang: \"en\", text: \"Rewritten.\" }] }) { version summary } }";

/// Links a visit to a new version of `ecosystem-rules` in `status`.
async fn informs(app: &TestApp, visit_id: i32, number: i32, status: GuidelineStatus) {
    let version =
        fixtures::guideline_version(&app.db, "ecosystem-rules", number, status, "Text\n").await;
    entity::guideline_version_visit::ActiveModel {
        guideline_version_id: Set(version.id),
        visit_id: Set(visit_id),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// A published version shows its sources as they were when it was written
/// from them: a partner may not rewrite them; an editor may correct them,
/// and the correction is audited.
async fn a_visit_that_informed_a_published_version_is_not_rewritten_by_a_partner(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slugs = fixtures::facility_slugs(&app.db).await;
    let rescaled = fixtures::organisation(&app.db, "rescaled").await;
    let own = fixtures::maintain(&app.db, &slugs[0], &rescaled).await;
    let cited = fixtures::visit(&app.db, own.id, fixtures::day(2025, 1, 1), None, &[]).await;
    let drafted = fixtures::visit(&app.db, own.id, fixtures::day(2025, 2, 1), None, &[]).await;
    informs(&app, cited.id, 1, GuidelineStatus::Consultation).await;
    informs(&app, drafted.id, 2, GuidelineStatus::Draft).await;
    let partner = token(Role::Partner, Some("rescaled"));
    let before = fixtures::state(&app.db).await;

    let (_, refused) = app
        .graphql_as(
            &partner,
            UPDATE_VISIT,
            json!({ "id": gid(Kind::Visit, cited.id), "v": 1 }),
        )
        .await;
    assert_error_code(&refused, "CONFLICT");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    for part in [
        "version 1 of `ecosystem-rules`",
        "CONSULTATION",
        "editor or admin",
        "audited",
    ] {
        assert!(message.contains(part), "`{message}` lacks `{part}`");
    }
    assert_eq!(fixtures::state(&app.db).await, before);

    // A draft is no publication yet: its sources stay the partner's to change.
    let (_, draft) = app
        .graphql_as(
            &partner,
            UPDATE_VISIT,
            json!({ "id": gid(Kind::Visit, drafted.id), "v": 1 }),
        )
        .await;
    assert_eq!(draft["data"]["updateVisit"]["version"], 2, "{draft:#}");

    let corrected = as_editor(
        &app,
        UPDATE_VISIT,
        json!({ "id": gid(Kind::Visit, cited.id), "v": 1 }),
    )
    .await;
    assert_eq!(
        corrected["data"]["updateVisit"],
        json!({ "version": 2, "summary": "Rewritten." }),
        "{corrected:#}"
    );
    let audit = entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::EntityId.eq(cited.id))
        .filter(entity::audit_event::Column::EntityType.eq(entity::value::AuditEntity::Visit))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_role, entity::value::Role::Editor);
    assert_eq!(audit[0].entity_version, Some(2));
}

on_both_databases!(
    lists_over_their_bound_are_refused_where_they_are_written,
    a_visit_that_informed_a_published_version_is_not_rewritten_by_a_partner,
    a_visit_is_recorded_with_participants_and_findings,
    a_visit_with_bad_references_is_refused_whole,
    a_learning_session_is_written_and_checked,
    stakeholders_need_a_valid_email_and_phone,
    partners_record_visits_to_their_own_facilities_only,
);
