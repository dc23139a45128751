//! The role × operation matrix of the README, cell by cell: what anonymous
//! callers, partners, editors and admins may do, and the error everyone else gets.

use api::graphql::id::Kind;
use entity::value::Role;
use entity::value::{GuidelineStatus, LocalizedText, SessionLevel, SessionTopic, StakeholderKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, gid, spawn_app, token};
use crate::on_both_databases;

/// What a cell of the matrix says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    /// Answered as if the record did not exist: null, and no error.
    Hidden,
    Refused(&'static str),
}
use Outcome::{Allowed, Hidden, Refused};

const UNAUTH: Outcome = Refused("UNAUTHENTICATED");
const FORBIDDEN: Outcome = Refused("FORBIDDEN");

/// The ids a caller's operations work on; made afresh for each caller.
struct Fixture {
    own: String,
    own_version: i32,
    foreign: String,
    foreign_version: i32,
    visit: String,
    stakeholder: String,
    erasable: String,
    draft: String,
    /// A rule of `draft`, hidden with it.
    draft_rule: String,
    deletable: String,
    /// A token in the register, to revoke.
    jti: String,
    /// A pending proposal of `other-partner` for the partner's own facility.
    proposal: String,
    /// The Dutch knowledge workshop, at version 1.
    workshop: String,
    /// A version of `relational-security` in CONSULTATION.
    consultation: String,
    /// A comment of `other-partner` on it, at version 1.
    comment: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let slugs = fixtures::facility_slugs(&app.db).await;
    let rescaled = fixtures::organisation(&app.db, "rescaled").await;
    let other = fixtures::organisation(&app.db, "other-partner").await;
    let own = fixtures::maintain(&app.db, &slugs[0], &rescaled).await;
    let foreign = fixtures::maintain(&app.db, &slugs[1], &other).await;
    let deletable = fixtures::facility(&app.db, &slugs[2]).await;
    let person =
        fixtures::stakeholder(&app.db, "Ana Expert", StakeholderKind::Research, Some("be")).await;
    // Without consent to a public name: hidden from all but editors and admins.
    let erasable = fixtures::person(
        &app.db,
        "Bo Leaving",
        StakeholderKind::Practice,
        None,
        fixtures::Consent::NONE,
    )
    .await;
    let visit = fixtures::visit(
        &app.db,
        own.id,
        fixtures::day(2025, 5, 1),
        None,
        &[person.id],
    )
    .await;
    fixtures::session(
        &app.db,
        "Relational security",
        fixtures::day(2025, 6, 1),
        SessionLevel::European,
        SessionTopic::RelationalSecurity,
        &[],
    )
    .await;
    let draft = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Draft,
        "Draft text",
    )
    .await;
    let draft_rule = entity::guideline_rule::ActiveModel {
        uuid: Set(api::service::guideline::rules::rule_uuid(
            draft.uuid, draft.uuid,
        )),
        guideline_version_id: Set(draft.id),
        lineage: Set(draft.uuid),
        number: Set("1".to_owned()),
        position: Set(0),
        title: Set(LocalizedText::english("Scale")),
        text: Set(LocalizedText::english("Draft rule")),
        commentary: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let signer = api::auth::Signer::from_settings(&crate::helpers::auth_settings())
        .unwrap()
        .unwrap();
    let issued = api::service::token::issue(
        &app.db,
        &signer,
        api::service::token::Request {
            subject: "sync@example.org".to_owned(),
            role: Role::Partner,
            organisation: Some("other-partner".to_owned()),
            ttl: std::time::Duration::from_secs(3600),
            label: None,
        },
        None,
    )
    .await
    .unwrap();
    let (_, proposed) = app
        .graphql_as(
            &crate::helpers::token(Role::Partner, Some("other-partner")),
            "mutation($id: ID!) { proposeFacilityChange(facility: $id, input: {capacity: 9}, reason: \"A new count.\", source: {url: \"https://example.org/count\"}) { id } }",
            json!({ "id": gid(Kind::Facility, own.id) }),
        )
        .await;
    let workshop = fixtures::workshop(&app.db, "nl").await;
    let consultation = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Consultation,
        "In consultation",
    )
    .await;
    let (_, commented) = app
        .graphql_as(
            &crate::helpers::token(Role::Partner, Some("other-partner")),
            "mutation($id: ID!) { addConsultationComment(input: { version: $id, text: \"Say more.\" }) { id } }",
            json!({ "id": gid(Kind::GuidelineVersion, consultation.id) }),
        )
        .await;
    Fixture {
        consultation: gid(Kind::GuidelineVersion, consultation.id),
        comment: commented["data"]["addConsultationComment"]["id"]
            .as_str()
            .expect("a comment")
            .to_owned(),
        workshop: gid(Kind::KnowledgeWorkshop, workshop.id),
        jti: issued.record.jti,
        proposal: proposed["data"]["proposeFacilityChange"]["id"]
            .as_str()
            .expect("a pending proposal")
            .to_owned(),
        own: gid(Kind::Facility, own.id),
        own_version: own.version,
        foreign: gid(Kind::Facility, foreign.id),
        foreign_version: foreign.version,
        visit: gid(Kind::Visit, visit.id),
        stakeholder: gid(Kind::Stakeholder, person.id),
        erasable: gid(Kind::Stakeholder, erasable.id),
        draft: gid(Kind::GuidelineVersion, draft.id),
        draft_rule: gid(Kind::Rule, draft_rule.id),
        deletable: format!(
            "{}|{}",
            gid(Kind::Facility, deletable.id),
            deletable.version
        ),
    }
}

/// One row of the matrix: a name, a document with its variables, and the
/// outcome for anonymous, partner, editor and admin callers.
struct Operation {
    name: &'static str,
    document: &'static str,
    variables: fn(&Fixture) -> Value,
    outcomes: [Outcome; 4],
}

fn operations() -> Vec<Operation> {
    vec![
        Operation {
            name: "read published facilities",
            document: "{ facilities(first: 1) { totalCount } }",
            variables: |_| json!({}),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "read the change feed",
            document: "{ changes { pageInfo { endCursor } } }",
            variables: |_| json!({}),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "read a stakeholder's e-mail",
            document: "query($id: ID!) { stakeholder(id: $id) { email } }",
            variables: |f| json!({ "id": f.stakeholder }),
            outcomes: [FORBIDDEN, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "read a stakeholder's consent",
            document: "query($id: ID!) { stakeholder(id: $id) { consent { name } } }",
            variables: |f| json!({ "id": f.stakeholder }),
            outcomes: [FORBIDDEN, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "read a stakeholder without consent to a public name",
            document: "query($id: ID!) { stakeholder(id: $id) { name } }",
            variables: |f| json!({ "id": f.erasable }),
            outcomes: [Hidden, Hidden, Allowed, Allowed],
        },
        Operation {
            name: "read everything held about a person",
            document: "query($id: ID!) { personalData(stakeholder: $id) { stakeholder { email } } }",
            variables: |f| json!({ "id": f.stakeholder }),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "read a guideline draft",
            document: "query($id: ID!) { guidelineVersion(id: $id) { body } }",
            variables: |f| json!({ "id": f.draft }),
            outcomes: [Hidden, Hidden, Allowed, Allowed],
        },
        Operation {
            name: "read a rule of a guideline draft",
            document: "query($id: ID!) { node(id: $id) { id } }",
            variables: |f| json!({ "id": f.draft_rule }),
            outcomes: [Hidden, Hidden, Allowed, Allowed],
        },
        Operation {
            name: "update a knowledge workshop and its change agenda",
            document: "mutation($id: ID!) { updateKnowledgeWorkshop(id: $id, expectedVersion: 1, input: { themes: [RELATIONAL_SECURITY], agenda: [{ title: [{ lang: \"en\", text: \"A goal\" }] }] }) { version } }",
            variables: |f| json!({ "id": f.workshop }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "read the competence framework",
            document: "{ competenceAreas { key competences { key } } competences(first: 5) { totalCount } competence(key: \"de-escalation\") { key } }",
            variables: |_| json!({}),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "create a competence area",
            document: "mutation { createCompetenceArea(input: { key: \"relations\", name: [{ lang: \"en\", text: \"Relations\" }] }) { version } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "read a stakeholder's discipline, gender and age band",
            document: "query($id: ID!) { stakeholder(id: $id) { discipline gender ageBand } }",
            variables: |f| json!({ "id": f.stakeholder }),
            outcomes: [FORBIDDEN, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "read the balance of a workshop's network",
            document: "{ knowledgeWorkshops { balance { members bySector { groups { value count } withheld } } } }",
            variables: |_| json!({}),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "create a facility",
            document: "mutation { createFacility(input: { name: \"Nieuw huis\", countryCode: \"NL\", facilityType: DETENTION_HOUSE, status: PLANNED }) { id } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "update a facility of one's own organisation",
            document: "mutation($id: ID!, $v: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: 12 }) { version } }",
            variables: |f| json!({ "id": f.own, "v": f.own_version }),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "update another organisation's facility",
            document: "mutation($id: ID!, $v: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: 12 }) { version } }",
            variables: |f| json!({ "id": f.foreign, "v": f.foreign_version }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "record a visit to one's own facility",
            document: "mutation($id: ID!) { createVisit(input: { facility: $id, visitedOn: \"2025-09-01\" }) { id } }",
            variables: |f| json!({ "id": f.own }),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "record a visit to another organisation's facility",
            document: "mutation($id: ID!) { createVisit(input: { facility: $id, visitedOn: \"2025-09-01\" }) { id } }",
            variables: |f| json!({ "id": f.foreign }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "update a visit",
            document: "mutation($id: ID!) { updateVisit(id: $id, expectedVersion: 1, input: { visitedOn: \"2025-05-02\" }) { version } }",
            variables: |f| json!({ "id": f.visit }),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "import facilities",
            document: "mutation($csv: String!) { importFacilities(csv: $csv, dryRun: true) { rows } }",
            variables: |_| json!({ "csv": crate::import::HEADER }),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "create a learning session",
            document: "mutation { createLearningSession(input: { title: \"Staff wellbeing\", heldOn: \"2025-10-01\", level: EUROPEAN, topic: ECOSYSTEM }) { id } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "create a stakeholder",
            document: "mutation { createStakeholder(input: { name: \"Jo\", kind: PRACTICE }) { id } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "record a stakeholder's consent",
            document: "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 1, input: { consent: { name: true, kind: false } }) { version } }",
            variables: |f| json!({ "id": f.stakeholder }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "erase a stakeholder",
            document: "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 1) { id } }",
            variables: |f| json!({ "id": f.erasable }),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "create a guideline version",
            document: "mutation { createGuidelineVersion(guideline: \"relational-security\", input: { title: \"v1\", body: \"Text\" }) { number } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "write the rules of a guideline draft",
            document: "mutation($id: ID!) { updateGuidelineVersion(id: $id, expectedVersion: 1, input: { rules: [{ number: \"1\", title: [{ lang: \"en\", text: \"Scale\" }], text: [{ lang: \"en\", text: \"Small.\" }] }] }) { rules { number } } }",
            variables: |f| json!({ "id": f.draft }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "advance a guideline version",
            document: "mutation($id: ID!) { advanceGuidelineVersion(id: $id, to: CONSULTATION) { status } }",
            variables: |f| json!({ "id": f.draft }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "delete a facility",
            document: "mutation($id: ID!, $v: Int!) { deleteFacility(id: $id, expectedVersion: $v) }",
            variables: |f| {
                let (id, version) = f.deletable.split_once('|').unwrap();
                json!({ "id": id, "v": version.parse::<i32>().unwrap() })
            },
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "read the audit log",
            document: "{ auditLog { nodes { action } } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "read organisations",
            document: "{ organisations { nodes { slug name website suspended } } }",
            variables: |_| json!({}),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "read an organisation's contact",
            document: "{ organisation(slug: \"other-partner\") { contact } }",
            variables: |_| json!({}),
            outcomes: [FORBIDDEN, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "create an organisation",
            document: "mutation { createOrganisation(input: { slug: \"example-org\", name: \"Example\" }) { slug } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "rename an organisation",
            document: "mutation { updateOrganisation(slug: \"other-partner\", expectedVersion: 1, input: { name: \"Other\" }) { name } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "suspend an organisation",
            document: "mutation { suspendOrganisation(slug: \"other-partner\") { suspended } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "reinstate an organisation",
            document: "mutation { reinstateOrganisation(slug: \"other-partner\") { suspended } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "propose a change to another organisation's facility",
            document: "mutation($id: ID!) { proposeFacilityChange(facility: $id, input: {capacity: 11}, reason: \"Counted again.\", source: {url: \"https://example.org/count\"}) { status } }",
            variables: |f| json!({ "id": f.foreign }),
            outcomes: [UNAUTH, Allowed, FORBIDDEN, FORBIDDEN],
        },
        Operation {
            name: "read another organisation's proposal",
            document: "query($id: ID!) { proposal(id: $id) { status } }",
            variables: |f| json!({ "id": f.proposal }),
            outcomes: [Hidden, Hidden, Allowed, Allowed],
        },
        Operation {
            name: "list proposals",
            document: "{ proposals { totalCount } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "reject a proposal",
            document: "mutation($id: ID!) { rejectProposal(id: $id, expectedVersion: 1, reason: \"Not counted so.\") { status } }",
            variables: |f| json!({ "id": f.proposal }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "comment on a version in consultation",
            document: "mutation($id: ID!) { addConsultationComment(input: { version: $id, text: \"Clearer, please.\" }) { status } }",
            variables: |f| json!({ "id": f.consultation }),
            outcomes: [UNAUTH, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "read another organisation's comment in consultation",
            document: "query($id: ID!) { node(id: $id) { id } }",
            variables: |f| json!({ "id": f.comment }),
            outcomes: [Hidden, Hidden, Allowed, Allowed],
        },
        Operation {
            name: "read the consultation report",
            document: "query($id: ID!) { consultationReport(version: $id) { totalCount } }",
            variables: |f| json!({ "id": f.consultation }),
            outcomes: [Allowed, Allowed, Allowed, Allowed],
        },
        Operation {
            name: "edit another organisation's comment",
            document: "mutation($id: ID!) { updateConsultationComment(id: $id, expectedVersion: 1, input: { text: \"Not mine.\" }) { version } }",
            variables: |f| json!({ "id": f.comment }),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        },
        Operation {
            name: "withdraw another organisation's comment",
            document: "mutation($id: ID!) { withdrawConsultationComment(id: $id, expectedVersion: 1) { status } }",
            variables: |f| json!({ "id": f.comment }),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        },
        Operation {
            name: "answer a consultation comment",
            document: "mutation($id: ID!) { answerConsultationComment(id: $id, expectedVersion: 1, input: { status: ACCEPTED, answer: \"Taken up.\" }) { status } }",
            variables: |f| json!({ "id": f.comment }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
        Operation {
            name: "issue a token",
            document: "mutation { issueToken(input: { subject: \"ed@example.org\", role: EDITOR, ttl: \"1h\" }) { record { jti } } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "list the register of tokens",
            document: "{ tokens { totalCount nodes { jti status } } }",
            variables: |_| json!({}),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        Operation {
            name: "revoke a token",
            document: "mutation($jti: String!) { revokeToken(jti: $jti) { status } }",
            variables: |f| json!({ "jti": f.jti }),
            outcomes: [UNAUTH, FORBIDDEN, FORBIDDEN, Allowed],
        },
        // Last, after the consent above made the stakeholder's version 2 for
        // those who may write it (others are refused before any version check).
        Operation {
            name: "set a member's role in a workshop",
            document: "mutation($id: ID!, $w: ID!) { updateStakeholder(id: $id, expectedVersion: 2, input: { workshops: [$w], workshopRoles: [{ workshop: $w, role: COORDINATOR }] }) { version } }",
            variables: |f| json!({ "id": f.stakeholder, "w": f.workshop }),
            outcomes: [UNAUTH, FORBIDDEN, Allowed, Allowed],
        },
    ]
}

async fn run_as(app: &TestApp, caller: Option<&str>, op: &Operation, fixture: &Fixture) -> Value {
    let variables = (op.variables)(fixture);
    match caller {
        None => app.graphql(op.document, variables).await,
        Some(token) => app.graphql_as(token, op.document, variables).await.1,
    }
}

async fn every_cell_of_the_role_matrix_holds(backend: Backend) {
    let callers: [(&str, Option<String>); 4] = [
        ("anonymous", None),
        ("partner", Some(token(Role::Partner, Some("rescaled")))),
        ("editor", Some(token(Role::Editor, None))),
        ("admin", Some(token(Role::Admin, None))),
    ];
    for (column, (caller, token)) in callers.iter().enumerate() {
        // A fresh database per caller: one caller's writes do not change the next one's cells.
        let Some(app) = spawn_app(backend).await else {
            return;
        };
        let fixture = fixture(&app).await;
        for op in operations() {
            let before = fixtures::state(&app.db).await;
            let body = run_as(&app, token.as_deref(), &op, &fixture).await;
            match op.outcomes[column] {
                Allowed => assert!(
                    body.get("errors").is_none(),
                    "{caller} may {}: {body:#}",
                    op.name
                ),
                Hidden => assert!(
                    body.get("errors").is_none()
                        && body["data"]
                            .as_object()
                            .is_some_and(|data| data.values().all(Value::is_null)),
                    "{caller} sees nothing of {}: {body:#}",
                    op.name
                ),
                Refused(code) => {
                    assert_eq!(
                        body["errors"][0]["extensions"]["code"], code,
                        "{caller} may not {}: {body:#}",
                        op.name
                    );
                    assert_eq!(
                        fixtures::state(&app.db).await,
                        before,
                        "a refused `{}` by {caller} changed the database",
                        op.name
                    );
                }
            }
        }
    }
}

on_both_databases!(every_cell_of_the_role_matrix_holds);
