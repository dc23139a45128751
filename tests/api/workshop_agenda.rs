//! Knowledge workshops as the project describes them: the principles they
//! are built on and the themes they focus on, in the demo data from the
//! project's own text, and as editors change them through the API, audited
//! and in the change feed.

use api::graphql::id::{Kind, encode};
use entity::value::{Role, SessionLevel, SessionTopic};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, readme_documents, spawn_app, token};
use crate::on_both_databases;

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: KnowledgeWorkshopPatch!) {
  updateKnowledgeWorkshop(id: $id, expectedVersion: $v, input: $input) { key name version principles themes }
}";

const SIX_PRINCIPLES: [&str; 6] = [
    "FUTURE_ORIENTED",
    "INCLUSIVE_MULTIDISCIPLINARY",
    "COLLABORATION",
    "ADDED_VALUE",
    "CONNECTING_THE_DOTS",
    "EYE_FOR_THE_PUBLIC",
];

async fn workshop_id(app: &TestApp, key: &str) -> String {
    let workshop = fixtures::workshop(&app.db, key).await;
    encode(Kind::KnowledgeWorkshop, workshop.uuid).to_string()
}

fn editor() -> String {
    token(Role::Editor, None)
}

async fn the_demo_workshops_carry_the_principles_and_themes_of_the_project(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            "{ knowledgeWorkshops { key version principles themes } }",
            json!({}),
        )
        .await;

    for workshop in data["knowledgeWorkshops"].as_array().unwrap() {
        assert_eq!(
            workshop["principles"],
            json!(SIX_PRINCIPLES),
            "{workshop:#}"
        );
        assert_eq!(
            workshop["themes"],
            json!(["ECOSYSTEM", "RELATIONAL_SECURITY"]),
            "{workshop:#}"
        );
        assert_eq!(workshop["version"], 1);
    }
    let labels = app
        .query("{ labels(lang: NL) { enum value label } }", json!({}))
        .await;
    let dutch: Vec<&str> = labels["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["enum"] == "WorkshopPrinciple")
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        dutch,
        [
            "Toekomstgericht",
            "Inclusief multidisciplinair",
            "Samenwerking",
            "Toegevoegde waarde",
            "Connecting the dots",
            "Oog voor het publiek"
        ],
        "the labels are the words of the project's Dutch text"
    );
}

async fn editors_change_a_workshop_audited_and_in_the_feed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = workshop_id(&app, "nl").await;

    let (status, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": {
                "name": "  Kenniswerkplaats DetentieHuizen  ",
                "principles": ["COLLABORATION", "FUTURE_ORIENTED", "COLLABORATION"],
                "themes": ["RELATIONAL_SECURITY"],
            } }),
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["updateKnowledgeWorkshop"],
        json!({
            "key": "nl",
            "name": "Kenniswerkplaats DetentieHuizen",
            "version": 2,
            "principles": ["FUTURE_ORIENTED", "COLLABORATION"],
            "themes": ["RELATIONAL_SECURITY"],
        }),
        "{body:#}"
    );
    let read = app
        .query(
            "query($id: ID!) { node(id: $id) { ... on KnowledgeWorkshop { principles themes } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        read["node"],
        json!({ "principles": ["FUTURE_ORIENTED", "COLLABORATION"], "themes": ["RELATIONAL_SECURITY"] })
    );

    // The same fields again change nothing: no new version, no new event.
    let (_, again) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 2, "input": { "principles": ["FUTURE_ORIENTED", "COLLABORATION"] } }),
        )
        .await;
    assert_eq!(
        again["data"]["updateKnowledgeWorkshop"]["version"], 2,
        "{again:#}"
    );

    let feed = app
        .query(
            "{ changes(first: 500) { nodes { action entityType entityId entityVersion node { ... on KnowledgeWorkshop { key } } } } }",
            json!({}),
        )
        .await;
    let changes: Vec<&Value> = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entityType"] == "KNOWLEDGE_WORKSHOP")
        .collect();
    assert_eq!(
        changes,
        [
            &json!({ "action": "UPDATED", "entityType": "KNOWLEDGE_WORKSHOP", "entityId": id, "entityVersion": 2, "node": { "key": "nl" } })
        ]
    );
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action before after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log:#}");
    assert_eq!(events[0]["action"], "UPDATED");
    assert_eq!(
        events[0]["before"]["principles"],
        json!([
            "future_oriented",
            "inclusive_multidisciplinary",
            "collaboration",
            "added_value",
            "connecting_the_dots",
            "eye_for_the_public"
        ])
    );
    assert_eq!(
        events[0]["after"]["principles"],
        json!(["future_oriented", "collaboration"])
    );
    assert_eq!(events[0]["after"]["themes"], json!(["relational_security"]));
    let (_, by_type) = app
        .graphql_as(
            &token(Role::Admin, None),
            "{ auditLog(entityType: KNOWLEDGE_WORKSHOP) { nodes { action } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_type["data"]["auditLog"]["nodes"],
        json!([{ "action": "UPDATED" }]),
        "{by_type:#}"
    );
}

async fn only_editors_change_a_workshop_and_bad_writes_change_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let id = workshop_id(&app, "be").await;
    let patch = json!({ "id": id, "v": 1, "input": { "themes": ["ECOSYSTEM"] } });
    let before = fixtures::state(&app.db).await;

    let anonymous = app.graphql(UPDATE, patch.clone()).await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");
    let (_, partner) = app
        .graphql_as(&token(Role::Partner, Some("rescaled")), UPDATE, patch)
        .await;
    assert_error_code(&partner, "FORBIDDEN");
    let (_, stale) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 7, "input": { "themes": ["ECOSYSTEM"] } }),
        )
        .await;
    assert_error_code(&stale, "CONFLICT");
    let (_, blank) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "name": "   " } }),
        )
        .await;
    assert_error_code(&blank, "BAD_USER_INPUT");
    assert_eq!(
        blank["errors"][0]["extensions"]["problems"][0]["field"], "name",
        "{blank:#}"
    );
    let (_, unknown) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "principles": ["OPENNESS"] } }),
        )
        .await;
    assert!(unknown.get("errors").is_some(), "{unknown:#}");

    assert_eq!(
        fixtures::state(&app.db).await,
        before,
        "no refused write changed anything"
    );
}

async fn the_workshops_principles_and_themes_load_in_a_fixed_number_of_statements(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let query = "{ knowledgeWorkshops { key } }";
    let with_children = "{ knowledgeWorkshops { key principles themes agenda { title activities { kind title } } } }";
    let nl = workshop_id(&app, "nl").await;
    let be = workshop_id(&app, "be").await;
    for id in [nl, be] {
        let (_, written) = app
            .graphql_as(
                &editor(),
                UPDATE,
                json!({ "id": id, "v": 1, "input": { "agenda": [
                    { "title": [{ "lang": "en", "text": "First goal" }], "activities": [
                        { "kind": "RESEARCH", "title": [{ "lang": "en", "text": "A study" }] },
                        { "kind": "SPREADING_KNOWLEDGE", "title": [{ "lang": "en", "text": "A day of talks" }] }
                    ] },
                    { "title": [{ "lang": "en", "text": "Second goal" }], "activities": [
                        { "kind": "POLICY_DEVELOPMENT", "title": [{ "lang": "en", "text": "A note" }] }
                    ] }
                ] } }),
            )
            .await;
        assert_eq!(
            written["data"]["updateKnowledgeWorkshop"]["version"], 2,
            "{written:#}"
        );
    }

    let before_bare = app.statements.get();
    app.query(query, json!({})).await;
    let bare = app.statements.get() - before_bare;
    let before_full = app.statements.get();
    let data = app.query(with_children, json!({})).await;
    let full = app.statements.get() - before_full;

    let workshops = data["knowledgeWorkshops"].as_array().unwrap();
    assert_eq!(workshops.len(), 4);
    assert_eq!(
        workshops[0]["agenda"][0]["activities"][1]["kind"],
        "SPREADING_KNOWLEDGE"
    );
    assert_eq!(
        workshops[2]["agenda"][1]["activities"][0]["title"],
        "A note"
    );
    assert_eq!(
        full - bare,
        4,
        "one statement each for the principles, themes, goals and activities of all four workshops"
    );
}

const AGENDA: &str = "query($id: ID!) { node(id: $id) { ... on KnowledgeWorkshop {
  agenda { title(lang: \"nl\") description activities { kind title(lang: \"nl\") startsOn endsOn status outcome } }
} } }";

async fn editors_write_the_change_agenda_as_one_audited_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = workshop_id(&app, "fr").await;
    let agenda = json!([
        {
            "title": [{ "lang": "en", "text": "  Support of politicians and society " }, { "lang": "nl", "text": "Steun van politici en de samenleving" }],
            "description": [{ "lang": "en", "text": "Why it matters." }],
            "activities": [
                { "kind": "LASTING_CONNECTION", "title": [{ "lang": "en", "text": "Regular meetings" }],
                  "startsOn": "2026-01-15", "status": "UNDER_WAY" },
                { "kind": "CHANGING_PERCEPTION_OF_SANCTIONS", "title": [{ "lang": "en", "text": "A public debate" }],
                  "startsOn": "2025-10-01", "endsOn": "2025-10-01", "status": "DONE",
                  "outcome": [{ "lang": "en", "text": "Held." }] }
            ]
        },
        { "title": [{ "lang": "en", "text": "A second goal" }] }
    ]);

    let (_, written) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "agenda": agenda } }),
        )
        .await;
    assert_eq!(
        written["data"]["updateKnowledgeWorkshop"]["version"], 2,
        "{written:#}"
    );

    let read = app.query(AGENDA, json!({ "id": id })).await;
    assert_eq!(
        read["node"]["agenda"],
        json!([
            {
                "title": "Steun van politici en de samenleving",
                "description": "Why it matters.",
                "activities": [
                    { "kind": "LASTING_CONNECTION", "title": "Regular meetings", "startsOn": "2026-01-15", "endsOn": null, "status": "UNDER_WAY", "outcome": null },
                    { "kind": "CHANGING_PERCEPTION_OF_SANCTIONS", "title": "A public debate", "startsOn": "2025-10-01", "endsOn": "2025-10-01", "status": "DONE", "outcome": "Held." }
                ]
            },
            { "title": "A second goal", "description": null, "activities": [] }
        ])
    );

    // Replacing the agenda with one goal of one planned activity drops the rest.
    let (_, replaced) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 2, "input": { "agenda": [
                { "title": [{ "lang": "en", "text": "A second goal" }], "activities": [
                    { "kind": "STAKEHOLDER_SUPPORT", "title": [{ "lang": "en", "text": "Advice" }] }
                ] }
            ] } }),
        )
        .await;
    assert_eq!(
        replaced["data"]["updateKnowledgeWorkshop"]["version"], 3,
        "{replaced:#}"
    );
    let read = app.query(AGENDA, json!({ "id": id })).await;
    assert_eq!(
        read["node"]["agenda"],
        json!([{ "title": "A second goal", "description": null, "activities": [
            { "kind": "STAKEHOLDER_SUPPORT", "title": "Advice", "startsOn": null, "endsOn": null, "status": "PLANNED", "outcome": null }
        ] }])
    );

    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action entityVersion after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{log:#}");
    let titles: Vec<&Value> = events
        .iter()
        .map(|e| &e["after"]["agenda"][0]["title"]["en"])
        .collect();
    assert!(
        titles.contains(&&json!("Support of politicians and society")),
        "the log keeps the agenda as written, trimmed: {log:#}"
    );
}

async fn a_bad_agenda_is_refused_whole_with_every_problem(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = workshop_id(&app, "eu").await;
    let before = fixtures::state(&app.db).await;

    let (_, body) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "agenda": [
                { "title": [{ "lang": "en", "text": "A goal" }], "activities": [
                    { "kind": "RESEARCH", "title": [{ "lang": "en", "text": " " }],
                      "startsOn": "2026-03-01", "endsOn": "2026-02-01" }
                ] }
            ] } }),
        )
        .await;

    assert_error_code(&body, "BAD_USER_INPUT");
    let mut fields: Vec<&str> = body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems: {body:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "input.agenda[0].activities[0].endsOn",
            "input.agenda[0].activities[0].title.en"
        ]
    );
    let (_, no_english) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "agenda": [
                { "title": [{ "lang": "nl", "text": "Een doel" }] }
            ] } }),
        )
        .await;
    assert_error_code(&no_english, "BAD_USER_INPUT");
    assert_eq!(fixtures::state(&app.db).await, before);
}

/// What the README shows runs: its mutation writes an agenda when an editor
/// sends it, and its query then shows it.
async fn the_readme_examples_run(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let documents = readme_documents("## Knowledge workshops", "\n## Members and the balance");
    assert_eq!(documents.len(), 2, "{documents:?}");
    let id = workshop_id(&app, "be").await;

    let (_, written) = app
        .graphql_as(&editor(), &documents[1], json!({ "id": id, "version": 1 }))
        .await;
    let listed = app.query(&documents[0], json!({})).await;

    assert_eq!(
        written["data"]["updateKnowledgeWorkshop"]["agenda"],
        json!([{ "title": "The goal as the workshop states it", "activities": [{ "kind": "RESEARCH", "status": "PLANNED" }] }]),
        "{written:#}"
    );
    let be = &listed["knowledgeWorkshops"][0];
    assert_eq!(be["key"], "be");
    assert_eq!(be["version"], 2);
    assert_eq!(be["agenda"][0]["activities"][0]["startsOn"], "2026-03-01");
    assert_eq!(listed["knowledgeWorkshops"][1]["agenda"], json!([]));
}

async fn a_workshop_lists_its_visits_and_learning_sessions_batched(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let kortrijk = fixtures::facility(&app.db, "detentiehuis-kortrijk").await;
    let be = fixtures::workshop(&app.db, "be").await;
    let nl = fixtures::workshop(&app.db, "nl").await;
    for (d, workshop) in [(1, be.id), (3, be.id), (2, be.id), (4, nl.id)] {
        fixtures::visit(
            &app.db,
            kortrijk.id,
            fixtures::day(2026, 1, d),
            Some(workshop),
            &[],
        )
        .await;
    }
    for (title, d) in [("Earlier session", 1), ("Later session", 9)] {
        let session = fixtures::session(
            &app.db,
            title,
            fixtures::day(2026, 2, d),
            SessionLevel::National,
            SessionTopic::RelationalSecurity,
            &[],
        )
        .await;
        let mut session: entity::learning_session::ActiveModel = session.into();
        session.workshop_id = Set(Some(be.id));
        session.update(&app.db).await.unwrap();
    }
    let bare = "{ knowledgeWorkshops { key } }";
    let full = "{ knowledgeWorkshops { key
        visits(first: 2) { totalCount pageInfo { hasNextPage } nodes { visitedOn facility { name } } }
        learningSessions { totalCount nodes { title } } } }";

    let before_bare = app.statements.get();
    app.query(bare, json!({})).await;
    let for_bare = app.statements.get() - before_bare;
    let before_full = app.statements.get();
    let data = app.query(full, json!({})).await;
    let for_full = app.statements.get() - before_full;

    let workshops = data["knowledgeWorkshops"].as_array().unwrap();
    assert_eq!(workshops[0]["key"], "be");
    assert_eq!(
        workshops[0]["visits"],
        json!({
            "totalCount": 3,
            "pageInfo": { "hasNextPage": true },
            "nodes": [
                { "visitedOn": "2026-01-03", "facility": { "name": kortrijk.name } },
                { "visitedOn": "2026-01-02", "facility": { "name": kortrijk.name } }
            ]
        })
    );
    assert_eq!(
        workshops[0]["learningSessions"],
        json!({ "totalCount": 2, "nodes": [{ "title": "Later session" }, { "title": "Earlier session" }] })
    );
    assert_eq!(workshops[2]["key"], "nl");
    assert_eq!(workshops[2]["visits"]["totalCount"], 1);
    assert_eq!(workshops[2]["learningSessions"]["totalCount"], 0);
    assert_eq!(workshops[3]["visits"]["totalCount"], 0);
    assert!(
        for_full - for_bare <= 3,
        "visits, their facilities and sessions of all four workshops took {} more statements",
        for_full - for_bare
    );
}

on_both_databases!(
    a_workshop_lists_its_visits_and_learning_sessions_batched,
    the_readme_examples_run,
    editors_write_the_change_agenda_as_one_audited_field,
    a_bad_agenda_is_refused_whole_with_every_problem,
    the_demo_workshops_carry_the_principles_and_themes_of_the_project,
    editors_change_a_workshop_audited_and_in_the_feed,
    only_editors_change_a_workshop_and_bad_writes_change_nothing,
    the_workshops_principles_and_themes_load_in_a_fixed_number_of_statements,
);
