//! `search` across kinds, and persisted queries by hash.

use entity::value::{GuidelineStatus, SessionLevel, SessionTopic, StakeholderKind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::{self, day};
use crate::helpers::{Backend, assert_error_code, first_error, spawn_app};
use crate::on_both_databases;

const SEARCH: &str = "query($text: String!, $first: Int) { search(text: $text, first: $first) {
    __typename
    ... on Facility { name }
    ... on LearningSession { title }
    ... on Stakeholder { name }
    ... on GuidelineVersion { title }
} }";

fn labels(data: &Value) -> Vec<(String, String)> {
    data["search"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| {
            let label = hit.get("name").or_else(|| hit.get("title")).unwrap();
            (
                hit["__typename"].as_str().unwrap().to_owned(),
                label.as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn search_finds_every_kind_best_match_first(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::stakeholder(&app.db, "Olena Kortrijkse", StakeholderKind::Research, None).await;
    fixtures::session(
        &app.db,
        "Kortrijk: a detention house in practice",
        day(2026, 3, 3),
        SessionLevel::National,
        SessionTopic::Ecosystem,
        &[],
    )
    .await;
    fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Consultation,
        "Kortrijk shows the way.\n",
    )
    .await;
    fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Draft,
        "Kortrijk draft.\n",
    )
    .await;

    let data = app.query(SEARCH, json!({ "text": "KORTRIJK" })).await;

    let hits = labels(&data);
    assert_eq!(
        hits[0],
        ("Facility".to_owned(), "Detentiehuis Kortrijk".to_owned()),
        "{hits:?}"
    );
    let kinds: Vec<&str> = hits.iter().map(|(k, _)| k.as_str()).collect();
    for kind in [
        "Facility",
        "LearningSession",
        "Stakeholder",
        "GuidelineVersion",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {hits:?}");
    }
    assert_eq!(
        kinds.iter().filter(|k| **k == "GuidelineVersion").count(),
        1,
        "drafts stay hidden"
    );
}

async fn search_ignores_accents_and_never_matches_contact_details(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::stakeholder(
        &app.db,
        "Zoë Lived-Experience",
        StakeholderKind::LivedExperience,
        None,
    )
    .await;

    let by_name = app.query(SEARCH, json!({ "text": "zoe" })).await;
    let by_email = app.query(SEARCH, json!({ "text": "example.org" })).await;

    assert_eq!(
        labels(&by_name),
        vec![("Stakeholder".to_owned(), "Zoë Lived-Experience".to_owned())]
    );
    assert_eq!(by_email["search"], json!([]));
}

async fn search_refuses_empty_long_and_oversized_requests(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for (variables, field) in [
        (json!({ "text": "   " }), "text"),
        (json!({ "text": "x".repeat(10_000) }), "text"),
        (json!({ "text": "huis", "first": 0 }), "first"),
        (json!({ "text": "huis", "first": 101 }), "first"),
    ] {
        let response = app.graphql(SEARCH, variables).await;
        assert_error_code(&response, "BAD_USER_INPUT");
        assert_eq!(first_error(&response)["extensions"]["field"], field);
    }
}

async fn persisted_query_runs_by_hash_after_registration(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let query = "{ facilities(first: 3) { nodes { name } } }";
    let hash: String = Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let by_hash = || {
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("extensions", extensions.as_str())])
            .send()
    };

    let unknown: Value = by_hash().await.unwrap().json().await.unwrap();
    let register: Value = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", query), ("extensions", extensions.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let known = by_hash().await.unwrap();

    assert_error_code(&unknown, "BAD_USER_INPUT");
    assert_eq!(first_error(&unknown)["message"], "PersistedQueryNotFound");
    assert_eq!(
        register["data"]["facilities"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(known.status(), 200);
    assert!(
        known.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let known: Value = known.json().await.unwrap();
    assert_eq!(known["data"], register["data"]);
}

on_both_databases!(
    search_finds_every_kind_best_match_first,
    search_ignores_accents_and_never_matches_contact_details,
    search_refuses_empty_long_and_oversized_requests,
    persisted_query_runs_by_hash_after_registration,
);
