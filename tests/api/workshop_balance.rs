//! Members' roles in a knowledge workshop, and the balance of its network:
//! counts per sector and discipline, and, with members' consent, per gender
//! and age band; never a count below five, and no withheld group that the
//! totals give away.

use api::graphql::id::{Kind, encode};
use entity::value::Role;
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str =
    "mutation($input: StakeholderInput!) { createStakeholder(input: $input) { id version } }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: StakeholderPatch!) {
  updateStakeholder(id: $id, expectedVersion: $v, input: $input) { version gender ageBand consent { demographics } }
}";

const BALANCE: &str = "query { knowledgeWorkshops { key balance {
  members
  bySector { groups { value count } withheld }
  byDiscipline { groups { value count } withheld }
  byGender { groups { value count } withheld }
  byAgeBand { groups { value count } withheld }
} } }";

fn editor() -> String {
    token(Role::Editor, None)
}

async fn workshop_id(app: &TestApp, key: &str) -> String {
    let workshop = fixtures::workshop(&app.db, key).await;
    encode(Kind::KnowledgeWorkshop, workshop.uuid).to_string()
}

/// Records a person as an editor; answers their id.
async fn person(app: &TestApp, input: Value) -> String {
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": input }))
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createStakeholder"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The balance of the workshop `key`, as `caller` reads it.
async fn balance(app: &TestApp, caller: Option<&str>, key: &str) -> Value {
    let body = match caller {
        None => app.graphql(BALANCE, json!({})).await,
        Some(t) => app.graphql_as(t, BALANCE, json!({})).await.1,
    };
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["knowledgeWorkshops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == key)
        .unwrap()["balance"]
        .clone()
}

async fn editors_set_a_members_role_shown_with_the_member(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let be = workshop_id(&app, "be").await;
    let nl = workshop_id(&app, "nl").await;
    let id = person(
        &app,
        json!({ "name": "Cora Ordinator", "kind": "PRACTICE", "workshops": [be, nl],
                "workshopRoles": [{ "workshop": be, "role": "COORDINATOR" }],
                "consent": { "name": true } }),
    )
    .await;
    let members = app
        .query(
            "{ knowledgeWorkshops { key members { nodes { name memberships { workshop { key } role } } } } }",
            json!({}),
        )
        .await;
    let be_members = members["knowledgeWorkshops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "be")
        .unwrap()["members"]["nodes"]
        .clone();
    assert_eq!(
        be_members,
        json!([{ "name": "Cora Ordinator", "memberships": [
            { "workshop": { "key": "be" }, "role": "COORDINATOR" },
            { "workshop": { "key": "nl" }, "role": "MEMBER" },
        ] }])
    );

    // A role names one of their workshops.
    let fr = workshop_id(&app, "fr").await;
    let (_, refused) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "workshopRoles": [{ "workshop": fr, "role": "PARTNER" }] } }),
        )
        .await;
    assert_error_code(&refused, "BAD_USER_INPUT");
    let (_, by_partner) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "workshopRoles": [{ "workshop": nl, "role": "PARTNER" }] } }),
        )
        .await;
    assert_error_code(&by_partner, "FORBIDDEN");

    // Leaving a workshop leaves its role; the audit log keeps the roles.
    let (_, left) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "workshops": [nl] } }),
        )
        .await;
    assert_eq!(left["data"]["updateStakeholder"]["version"], 2, "{left:#}");
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { after } } }",
            json!({ "id": id }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events[0]["after"]["roles"].as_array().unwrap().len(), 1);
    assert_eq!(events[0]["after"]["roles"][0]["role"], "coordinator");
    assert_eq!(events[1]["after"]["roles"], json!([]));
}

/// The Dutch network of the balance tests: fifteen people, twelve of whom
/// consented to record their gender and age band.
async fn a_network(app: &TestApp) -> Vec<String> {
    let nl = workshop_id(app, "nl").await;
    let mut ids = Vec::new();
    for i in 0..15 {
        let kind = match i {
            0..7 => "RESEARCH",
            7..13 => "PRACTICE",
            _ => "POLICY",
        };
        let discipline = match i {
            0..5 => json!("LAW"),
            5..10 => json!("PSYCHOLOGY"),
            _ => Value::Null,
        };
        let (gender, age) = match i {
            0..6 => (json!("WOMAN"), json!("FROM_35_TO_44")),
            6..11 => (json!("MAN"), json!("FROM_45_TO_54")),
            11 => (json!("NON_BINARY"), json!("UNDER_25")),
            _ => (Value::Null, Value::Null),
        };
        let consented = i < 12;
        ids.push(
            person(
                app,
                json!({ "name": format!("Member {i}"), "kind": kind, "workshops": [nl],
                        "discipline": discipline, "gender": gender, "ageBand": age,
                        "consent": { "name": false, "demographics": consented } }),
            )
            .await,
        );
    }
    ids
}

async fn the_balance_counts_groups_of_five_or_more_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    a_network(&app).await;
    let fr = workshop_id(&app, "fr").await;
    for i in 0..3 {
        person(
            &app,
            json!({ "name": format!("Small {i}"), "kind": "RESEARCH", "workshops": [fr] }),
        )
        .await;
    }
    let anonymous = balance(&app, None, "nl").await;
    assert_eq!(anonymous["members"], 15);
    // POLICY (2) alone would be a withheld 2: PRACTICE (6) goes with it.
    assert_eq!(
        anonymous["bySector"],
        json!({ "groups": [{ "value": "RESEARCH", "count": 7 }], "withheld": 8 })
    );
    assert_eq!(
        anonymous["byDiscipline"],
        json!({ "groups": [{ "value": "LAW", "count": 5 }, { "value": "PSYCHOLOGY", "count": 5 }], "withheld": 5 })
    );
    // One NON_BINARY and three without consent would be a withheld 4: MAN goes with them.
    assert_eq!(
        anonymous["byGender"],
        json!({ "groups": [{ "value": "WOMAN", "count": 6 }], "withheld": 9 })
    );
    // 6 + 5 shown would leave a withheld 4 (one under 25, three without
    // consent): the smaller band goes with them.
    assert_eq!(
        anonymous["byAgeBand"],
        json!({ "groups": [{ "value": "FROM_35_TO_44", "count": 6 }], "withheld": 9 })
    );
    // The rules are the network's, whoever reads.
    assert_eq!(
        balance(&app, Some(&token(Role::Admin, None)), "nl").await,
        anonymous
    );
    for breakdown in ["bySector", "byDiscipline", "byGender", "byAgeBand"] {
        let b = &anonymous[breakdown];
        let shown: i64 = b["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["count"].as_i64().unwrap())
            .sum();
        let withheld = b["withheld"].as_i64().unwrap();
        assert_eq!(shown + withheld, 15, "{breakdown}");
        assert!(withheld == 0 || withheld >= 5, "{breakdown}: {b:#}");
        assert!(
            b["groups"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["count"].as_i64().unwrap() >= 5)
        );
    }

    let small = balance(&app, None, "fr").await;
    assert_eq!(
        small,
        json!({
            "members": null,
            "bySector": { "groups": [], "withheld": null },
            "byDiscipline": { "groups": [], "withheld": null },
            "byGender": { "groups": [], "withheld": null },
            "byAgeBand": { "groups": [], "withheld": null },
        })
    );
}

async fn gender_and_age_band_are_recorded_only_with_consent(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let (_, refused) = app
        .graphql_as(
            &editor(),
            CREATE,
            json!({ "input": { "name": "No Consent", "kind": "RESEARCH", "gender": "WOMAN", "ageBand": "UNDER_25" } }),
        )
        .await;
    assert_error_code(&refused, "BAD_USER_INPUT");
    let problems: Vec<&str> = refused["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(problems, ["input.gender", "input.ageBand"]);

    let id = person(
        &app,
        json!({ "name": "With Consent", "kind": "RESEARCH", "gender": "WOMAN", "ageBand": "UNDER_25",
                "consent": { "demographics": true } }),
    )
    .await;
    // Withdrawing the consent takes what it covered with it.
    let (_, withdrawn) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "consent": { "name": false } } }),
        )
        .await;
    assert_eq!(
        withdrawn["data"]["updateStakeholder"],
        json!({ "version": 2, "gender": null, "ageBand": null, "consent": { "demographics": false } }),
        "{withdrawn:#}"
    );
}

/// The README's query of a network's balance runs, and answers what
/// `balance` answers.
async fn the_readme_example_runs(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let readme = include_str!("../../README.md");
    let start = readme.find("## Members and the balance").unwrap();
    let end = start + readme[start..].find("\n## Competences").unwrap();
    let documents: Vec<&str> = readme[start..end]
        .split("```graphql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert_eq!(documents.len(), 1);
    a_network(&app).await;
    let data = app.query(documents[0], json!({})).await;
    let nl = data["knowledgeWorkshops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "nl")
        .unwrap();
    assert_eq!(nl["balance"]["members"], 15);
}

on_both_databases!(
    the_readme_example_runs,
    editors_set_a_members_role_shown_with_the_member,
    the_balance_counts_groups_of_five_or_more_only,
    gender_and_age_band_are_recorded_only_with_consent,
);
