//! Guidelines as numbered parts and rules: written with their version in
//! DRAFT and frozen after it, copied into the next draft with their
//! lineage, followed through versions, found by number in the latest
//! adopted version, compared rule by rule, read in several languages, and
//! hidden with their draft from anyone but editors.

use api::graphql::id::Kind;
use entity::value::{Role, SessionLevel, SessionTopic};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, assert_error_code, gid, readme_documents, spawn_app, token,
};
use crate::on_both_databases;

const CREATE: &str = "mutation($key: String!, $input: GuidelineVersionInput!) {
    createGuidelineVersion(guideline: $key, input: $input) {
        id number status version body
        rules { id lineage number part title titleLanguage text commentary
                informedBy { __typename } } } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: GuidelineVersionPatch!) {
    updateGuidelineVersion(id: $id, expectedVersion: $v, input: $input) {
        version body rules { id lineage number title } } }";
const ADVANCE: &str = "mutation($id: ID!, $to: GuidelineStatus!) {
    advanceGuidelineVersion(id: $id, to: $to) { status } }";
const KEY: &str = "ecosystem-rules";

async fn editor_call(app: &TestApp, document: &str, variables: Value) -> Value {
    app.graphql_as(&token(Role::Editor, None), document, variables)
        .await
        .1
}

fn en(text: &str) -> Value {
    json!([{ "lang": "en", "text": text }])
}

fn rule(number: &str, title: &str, text: &str) -> Value {
    json!({ "number": number, "title": en(title), "text": en(text) })
}

async fn create(app: &TestApp, input: Value) -> Value {
    let response = editor_call(app, CREATE, json!({ "key": KEY, "input": input })).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    response["data"]["createGuidelineVersion"].clone()
}

async fn advance(app: &TestApp, id: &Value, to: &str) {
    let moved = editor_call(app, ADVANCE, json!({ "id": id, "to": to })).await;
    assert_eq!(
        moved["data"]["advanceGuidelineVersion"]["status"], to,
        "{moved:#}"
    );
}

fn numbers(rules: &Value) -> Vec<&str> {
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap())
        .collect()
}

async fn rules_are_written_into_a_draft_and_render_its_body(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let visit = fixtures::visit(&app.db, facility.id, fixtures::day(2025, 2, 3), None, &[]).await;
    let session = fixtures::session(
        &app.db,
        "Ecosystem",
        fixtures::day(2025, 3, 4),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    let draft = create(
        &app,
        json!({
            "title": "First draft",
            "rules": [
                rule("1", "Scale", "Facilities are small."),
                {
                    "number": "1.1",
                    "title": [{ "lang": "en", "text": "Size" }, { "lang": "fr", "text": "Taille" }],
                    "text": [{ "lang": "en", "text": "At most a few dozen residents." },
                             { "lang": "fr", "text": "Quelques dizaines de résidents au plus." }],
                    "commentary": en("Small groups make relations possible."),
                    "informedBy": [gid(Kind::Visit, visit.id), gid(Kind::LearningSession, session.id)],
                },
            ],
        }),
    )
    .await;
    assert_eq!(numbers(&draft["rules"]), ["1", "1.1"]);
    assert_eq!(draft["rules"][0]["part"], true);
    assert_eq!(draft["rules"][1]["part"], false);
    assert_eq!(
        draft["rules"][1]["informedBy"],
        json!([{ "__typename": "Visit" }, { "__typename": "LearningSession" }])
    );
    assert_eq!(
        draft["body"],
        "## 1 Scale\n\nFacilities are small.\n\n**1.1 Size**\n\nAt most a few dozen residents.\n\n> Small groups make relations possible.\n"
    );

    // A rule's sources stay whole: the visit cannot be deleted from under it.
    let before = fixtures::state(&app.db).await;
    let (_, deleted) = app
        .graphql_as(
            &token(Role::Admin, None),
            "mutation($id: ID!) { deleteVisit(id: $id, expectedVersion: 1) }",
            json!({ "id": gid(Kind::Visit, visit.id) }),
        )
        .await;
    assert_error_code(&deleted, "CONFLICT");
    assert_eq!(fixtures::state(&app.db).await, before);

    // French where there is French, English (and said so) where there is not.
    let read = "query($id: ID!, $lang: String) { guidelineVersion(id: $id) { rules {
        title(lang: $lang) titleLanguage(lang: $lang) text(lang: $lang) textLanguage(lang: $lang) } } }";
    let (_, french) = app
        .graphql_as(
            &token(Role::Editor, None),
            read,
            json!({ "id": draft["id"], "lang": "fr" }),
        )
        .await;
    let rules = &french["data"]["guidelineVersion"]["rules"];
    assert_eq!(
        rules[1],
        json!({ "title": "Taille", "titleLanguage": "FR",
                "text": "Quelques dizaines de résidents au plus.", "textLanguage": "FR" }),
        "{french:#}"
    );
    assert_eq!(rules[0]["titleLanguage"], "EN");
    let (_, dutch) = app
        .graphql_as(
            &token(Role::Editor, None),
            read,
            json!({ "id": draft["id"], "lang": "nl" }),
        )
        .await;
    assert_eq!(
        dutch["data"]["guidelineVersion"]["rules"][1]["title"],
        "Size"
    );
    assert_eq!(
        dutch["data"]["guidelineVersion"]["rules"][1]["titleLanguage"],
        "EN"
    );

    // Editing a draft keeps its rules' identity, and a rule without a
    // lineage continues the rule with its number.
    let edited = editor_call(
        &app,
        UPDATE,
        json!({ "id": draft["id"], "v": draft["version"], "input": { "rules": [
            rule("1", "Scale", "Facilities are small and close to home."),
            rule("1.1", "Size", "At most a few dozen residents."),
            rule("2", "Openness", "Facilities open to their neighbourhood."),
        ] } }),
    )
    .await;
    let after = &edited["data"]["updateGuidelineVersion"];
    assert_eq!(numbers(&after["rules"]), ["1", "1.1", "2"], "{edited:#}");
    for i in 0..2 {
        assert_eq!(after["rules"][i]["id"], draft["rules"][i]["id"]);
        assert_eq!(after["rules"][i]["lineage"], draft["rules"][i]["lineage"]);
    }
    assert!(
        after["body"]
            .as_str()
            .unwrap()
            .contains("## 2 Openness\n\nFacilities open to their neighbourhood.\n")
    );

    // One audit event per write, and the snapshot holds the rules.
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action before after } } }",
            json!({ "id": draft["id"] }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(events.len(), 2, "{log:#}");
    let numbers_in = |state: &Value| -> Vec<String> {
        state["rules"]
            .as_array()
            .unwrap_or_else(|| panic!("{state:#}"))
            .iter()
            .map(|r| r["number"].as_str().unwrap().to_owned())
            .collect()
    };
    let update = events
        .iter()
        .find(|e| e["action"] == "UPDATED")
        .unwrap_or_else(|| panic!("{log:#}"));
    assert_eq!(numbers_in(&update["before"]), ["1", "1.1"]);
    assert_eq!(numbers_in(&update["after"]), ["1", "1.1", "2"]);

    // A version without rules keeps its hand-written body.
    let plain = create(
        &app,
        json!({ "title": "Plain", "body": "Written by hand.\n", "rules": [] }),
    )
    .await;
    assert_eq!(plain["body"], "Written by hand.\n");
    assert_eq!(plain["rules"], json!([]));
}

async fn every_problem_of_the_rules_is_listed_and_nothing_written(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let before = fixtures::state(&app.db).await;
    let refused = editor_call(
        &app,
        CREATE,
        json!({ "key": KEY, "input": { "title": "Bad", "rules": [
            rule("1.1", "Before its part", "Text."),
            rule("1", "Part", "Text."),
            rule("x", "Not a number", "Text."),
            rule("2", "Twice", "Text."),
            rule("2", "Twice", "Text."),
            { "number": "3", "title": [{ "lang": "fr", "text": "Sans anglais" }], "text": en("Text.") },
            { "number": "4", "title": en("Bad source"), "text": en("Text."),
              "informedBy": [gid(Kind::Facility, 1)] },
        ] } }),
    )
    .await;
    assert_error_code(&refused, "BAD_USER_INPUT");
    let fields: Vec<&str> = refused["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{refused:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    for field in ["input.rules[5].title", "input.rules[6].informedBy[0]"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    assert_eq!(fixtures::state(&app.db).await, before);

    // With the input well formed, the numbers are checked, all at once.
    let refused = editor_call(
        &app,
        CREATE,
        json!({ "key": KEY, "input": { "title": "Bad", "rules": [
            rule("1.1", "Before its part", "Text."),
            rule("1", "Part", "Text."),
            rule("x", "Not a number", "Text."),
            rule("2", "Twice", "Text."),
            rule("2", "Twice", "Text."),
            rule("05", "Leading zero", "Text."),
        ] } }),
    )
    .await;
    assert_error_code(&refused, "BAD_USER_INPUT");
    let fields: Vec<&str> = refused["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{refused:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "input.rules[0].number",
            "input.rules[1].number",
            "input.rules[2].number",
            "input.rules[4].number",
            "input.rules[5].number",
        ],
        "{refused:#}"
    );
    assert_eq!(fixtures::state(&app.db).await, before);
}

async fn rules_freeze_and_the_next_draft_follows_them(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let first = create(
        &app,
        json!({ "title": "Version 1", "rules": [
            rule("1", "Scale", "Facilities are small."),
            rule("1.1", "Size", "At most a few dozen residents."),
            rule("2", "Place", "Close to home."),
        ] }),
    )
    .await;
    advance(&app, &first["id"], "CONSULTATION").await;

    // Out of DRAFT, its rules never change.
    let before = fixtures::state(&app.db).await;
    let frozen = editor_call(
        &app,
        UPDATE,
        json!({ "id": first["id"], "v": 2, "input": { "rules": [rule("1", "Other", "Other.")] } }),
    )
    .await;
    assert_error_code(&frozen, "CONFLICT");
    assert_eq!(fixtures::state(&app.db).await, before);
    advance(&app, &first["id"], "ADOPTED").await;

    // A new draft starts as a copy, with the same lineages and new ids.
    let second = create(&app, json!({ "title": "Version 2" })).await;
    assert_eq!(numbers(&second["rules"]), ["1", "1.1", "2"]);
    for i in 0..3 {
        assert_eq!(second["rules"][i]["lineage"], first["rules"][i]["lineage"]);
        assert_ne!(second["rules"][i]["id"], first["rules"][i]["id"]);
    }
    assert_eq!(second["body"], first["body"]);

    // Renumber 1.1 as 1.2 (saying which rule it is), add a new 1.1, change
    // part 1, drop part 2.
    let size = &first["rules"][1]["lineage"];
    let edited = editor_call(
        &app,
        UPDATE,
        json!({ "id": second["id"], "v": second["version"], "input": { "rules": [
            rule("1", "Scale", "Facilities are small, everywhere."),
            { "number": "1.1", "title": en("Security"), "text": en("Security is relational.") },
            { "number": "1.2", "title": en("Size"), "text": en("At most a few dozen residents."),
              "lineage": size },
        ] } }),
    )
    .await;
    let rules = &edited["data"]["updateGuidelineVersion"]["rules"];
    assert_eq!(rules[2]["lineage"], *size, "{edited:#}");
    assert_ne!(rules[1]["lineage"], *size);

    let diff = "query($id: ID!) { guidelineVersion(id: $id) { ruleDiff { totalCount changes {
        change number previousNumber textDiff { kind text } } } } }";
    let (_, diff) = app
        .graphql_as(
            &token(Role::Editor, None),
            diff,
            json!({ "id": second["id"] }),
        )
        .await;
    let changes = &diff["data"]["guidelineVersion"]["ruleDiff"];
    assert_eq!(changes["totalCount"], 4, "{diff:#}");
    let summary: Vec<(String, String, Value)> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                c["number"].as_str().unwrap().to_owned(),
                c["previousNumber"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("CHANGED".to_owned(), "1".to_owned(), json!("1")),
            ("ADDED".to_owned(), "1.1".to_owned(), Value::Null),
            ("RENUMBERED".to_owned(), "1.2".to_owned(), json!("1.1")),
            ("REMOVED".to_owned(), "2".to_owned(), json!("2")),
        ]
    );
    let changed = changes["changes"][0]["textDiff"].to_string();
    assert!(
        changed.contains(r#"{"kind":"REMOVED","text":"Facilities are small."}"#)
            && changed.contains(r#"{"kind":"ADDED","text":"Facilities are small, everywhere."}"#),
        "{changed}"
    );

    // The adopted rule is found by number while the next version is a draft.
    let found = app
        .query(
            "query { rule(guideline: \"ecosystem-rules\", number: \"1.1\") {
                id title guidelineVersion { number status } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        found["rule"],
        json!({ "id": first["rules"][1]["id"], "title": "Size",
                "guidelineVersion": { "number": 1, "status": "ADOPTED" } })
    );
    let missing = app
        .query(
            "query { rule(guideline: \"ecosystem-rules\", number: \"9\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(missing["rule"], Value::Null);

    // History: editors see the draft too; everyone else the adopted version only.
    let history = "query($id: ID!) { node(id: $id) { ... on Rule { number history {
        number guidelineVersion { number } } } } }";
    let public = app
        .query(history, json!({ "id": first["rules"][1]["id"] }))
        .await;
    assert_eq!(
        public["node"]["history"],
        json!([{ "number": "1.1", "guidelineVersion": { "number": 1 } }])
    );
    let (_, editors) = app
        .graphql_as(
            &token(Role::Editor, None),
            history,
            json!({ "id": first["rules"][1]["id"] }),
        )
        .await;
    assert_eq!(
        editors["data"]["node"]["history"],
        json!([
            { "number": "1.1", "guidelineVersion": { "number": 1 } },
            { "number": "1.2", "guidelineVersion": { "number": 2 } },
        ]),
        "{editors:#}"
    );

    // A draft's rule is hidden from the public by id too.
    let draft_rule = app.query(history, json!({ "id": rules[2]["id"] })).await;
    assert_eq!(draft_rule["node"], Value::Null);
}

async fn many_rules_cost_a_fixed_number_of_statements(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let visit = fixtures::visit(&app.db, facility.id, fixtures::day(2025, 2, 3), None, &[]).await;
    let mut rules = Vec::new();
    for part in 1..=5 {
        rules.push(rule(&part.to_string(), "Part", "Introduction."));
        for n in 1..=8 {
            let mut r = rule(&format!("{part}.{n}"), "Rule", "Text.");
            r["informedBy"] = json!([gid(Kind::Visit, visit.id)]);
            rules.push(r);
        }
    }
    let first = create(&app, json!({ "title": "Many", "rules": rules })).await;
    advance(&app, &first["id"], "CONSULTATION").await;
    advance(&app, &first["id"], "ADOPTED").await;
    create(&app, json!({ "title": "Many again" })).await;

    let query = "query { guideline(key: \"ecosystem-rules\") { versions(first: 2) { nodes {
        rules { number } } } } }";
    let before = app.statements.get();
    let (_, data) = app
        .graphql_as(&token(Role::Editor, None), query, json!({}))
        .await;
    let took = app.statements.get() - before;
    let versions = data["data"]["guideline"]["versions"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{data:#}"));
    assert_eq!(versions.len(), 2);
    assert!(
        versions
            .iter()
            .all(|v| v["rules"].as_array().unwrap().len() == 45)
    );
    // guideline, versions, the rules of both
    assert!(took <= 3, "90 rules took {took} statements");

    let query = "query($id: ID!) { guidelineVersion(id: $id) {
        rules { number informedBy { __typename } } } }";
    let before = app.statements.get();
    let (_, data) = app
        .graphql_as(
            &token(Role::Editor, None),
            query,
            json!({ "id": first["id"] }),
        )
        .await;
    let took = app.statements.get() - before;
    let rules = data["data"]["guidelineVersion"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{data:#}"));
    assert_eq!(rules[1]["informedBy"], json!([{ "__typename": "Visit" }]));
    // the id, the version with its guideline, its rules, three kinds of source
    assert!(
        took <= 6,
        "45 rules with their sources took {took} statements"
    );

    let query = "query($id: ID!) { guidelineVersion(id: $id) {
        rules { number history { number } } } }";
    let before = app.statements.get();
    let (_, data) = app
        .graphql_as(
            &token(Role::Editor, None),
            query,
            json!({ "id": first["id"] }),
        )
        .await;
    let took = app.statements.get() - before;
    let rules = data["data"]["guidelineVersion"]["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{data:#}"));
    assert!(
        rules
            .iter()
            .all(|r| r["history"].as_array().unwrap().len() == 2)
    );
    // the id, the version with its guideline, its rules, every history at once
    assert!(
        took <= 4,
        "45 rules with their history took {took} statements"
    );
}

/// A visit that informed a rule of a published version is that rule's
/// public source: its partner cannot change it, as for a version's sources.
async fn a_published_rules_visit_stays_as_it_was(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let rescaled = fixtures::organisation(&app.db, "rescaled").await;
    let facility = fixtures::maintain(&app.db, &slug, &rescaled).await;
    let visit = fixtures::visit(&app.db, facility.id, fixtures::day(2025, 2, 3), None, &[]).await;
    let partner = token(Role::Partner, Some("rescaled"));
    let change = "mutation($id: ID!, $v: Int!, $on: Date!) { updateVisit(id: $id,
        expectedVersion: $v, input: { visitedOn: $on }) { version } }";
    let mut sourced = rule("1", "Scale", "Facilities are small.");
    sourced["informedBy"] = json!([gid(Kind::Visit, visit.id)]);
    let draft = create(&app, json!({ "title": "Sourced", "rules": [sourced] })).await;

    // While the version is a draft, the partner may still correct its visit.
    let (_, changed) = app
        .graphql_as(
            &partner,
            change,
            json!({ "id": gid(Kind::Visit, visit.id), "v": 1, "on": "2025-02-04" }),
        )
        .await;
    assert_eq!(changed["data"]["updateVisit"]["version"], 2, "{changed:#}");

    advance(&app, &draft["id"], "CONSULTATION").await;
    let before = fixtures::state(&app.db).await;
    let (_, refused) = app
        .graphql_as(
            &partner,
            change,
            json!({ "id": gid(Kind::Visit, visit.id), "v": 2, "on": "2025-02-05" }),
        )
        .await;
    assert_error_code(&refused, "CONFLICT");
    assert_eq!(fixtures::state(&app.db).await, before);
}

/// A rule whose text stays but whose sources change is CHANGED in
/// `ruleDiff`, which says that only its sources changed, and which.
async fn a_rule_whose_sources_alone_changed_is_in_the_diff(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let visit = fixtures::visit(&app.db, facility.id, fixtures::day(2025, 2, 3), None, &[]).await;
    let session = fixtures::session(
        &app.db,
        "Ecosystem",
        fixtures::day(2025, 3, 4),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    let informed = |sources: Value| {
        json!({ "number": "1", "title": en("Scale"), "text": en("Facilities are small."),
                "informedBy": sources })
    };
    let first = create(
        &app,
        json!({ "title": "Version 1", "rules": [
            informed(json!([gid(Kind::Visit, visit.id)])),
            rule("2", "Place", "Close to home."),
        ] }),
    )
    .await;
    advance(&app, &first["id"], "CONSULTATION").await;
    advance(&app, &first["id"], "ADOPTED").await;
    let second = create(&app, json!({ "title": "Version 2" })).await;
    let edited = editor_call(
        &app,
        UPDATE,
        json!({ "id": second["id"], "v": second["version"], "input": { "rules": [
            informed(json!([gid(Kind::LearningSession, session.id)])),
            rule("2", "Place", "Close to home."),
        ] } }),
    )
    .await;
    assert!(edited.get("errors").is_none(), "{edited:#}");

    let diff = "query($id: ID!) { guidelineVersion(id: $id) { ruleDiff { totalCount changes {
        change number changedFields textDiff { kind }
        informedByAdded { __typename ... on LearningSession { title } }
        informedByRemoved { __typename ... on Visit { visitedOn } } } } } }";
    let body = editor_call(&app, diff, json!({ "id": second["id"] })).await;
    assert_eq!(
        body["data"]["guidelineVersion"]["ruleDiff"],
        json!({ "totalCount": 1, "changes": [{
            "change": "CHANGED", "number": "1", "changedFields": ["INFORMED_BY"],
            "textDiff": [],
            "informedByAdded": [{ "__typename": "LearningSession", "title": "Ecosystem" }],
            "informedByRemoved": [{ "__typename": "Visit", "visitedOn": "2025-02-03" }],
        }] }),
        "{body:#}"
    );
}

/// What the README shows runs: an editor's first draft with rules, and,
/// once it is adopted, anyone's read of a rule with its history.
async fn the_readme_examples_run(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let documents = readme_documents("**Rules.** A guideline version", "\n**Import.**");
    assert_eq!(documents.len(), 2, "{documents:?}");
    let created = editor_call(&app, &documents[0], json!({})).await;
    let draft = &created["data"]["createGuidelineVersion"];
    assert_eq!(numbers(&draft["rules"]), ["1", "1.1"], "{created:#}");
    assert!(
        draft["body"]
            .as_str()
            .unwrap()
            .starts_with("## 1 Title of part 1\n")
    );
    let hidden = app.query(&documents[1], json!({})).await;
    assert_eq!(hidden["rule"], Value::Null);
    advance(&app, &draft["id"], "CONSULTATION").await;
    advance(&app, &draft["id"], "ADOPTED").await;
    let read = app.query(&documents[1], json!({})).await;
    assert_eq!(read["rule"]["number"], "1.1", "{read:#}");
    assert_eq!(read["rule"]["titleLanguage"], "EN");
    assert_eq!(
        read["rule"]["history"][0]["guidelineVersion"]["status"],
        "ADOPTED"
    );
}

on_both_databases!(
    a_published_rules_visit_stays_as_it_was,
    the_readme_examples_run,
    rules_are_written_into_a_draft_and_render_its_body,
    every_problem_of_the_rules_is_listed_and_nothing_written,
    rules_freeze_and_the_next_draft_follows_them,
    many_rules_cost_a_fixed_number_of_statements,
    a_rule_whose_sources_alone_changed_is_in_the_diff,
);
