//! `labels(lang:)`: the label of every enumeration value, in English, French,
//! Dutch and Spanish, as a page reads them (once, and cached).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::{Backend, assert_error_code, spawn_app};
use crate::on_both_databases;

const LABELS: &str = "query($lang: Language!) { labels(lang: $lang) { enum value label } }";

/// `(enum, value) -> label` of one language.
async fn labels(app: &crate::helpers::TestApp, lang: &str) -> BTreeMap<(String, String), String> {
    let data = app.query(LABELS, json!({ "lang": lang })).await;
    data["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                (
                    l["enum"].as_str().unwrap().to_owned(),
                    l["value"].as_str().unwrap().to_owned(),
                ),
                l["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn every_language_labels_the_same_values_in_its_own_words(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let mut by_lang = BTreeMap::new();
    for lang in ["EN", "FR", "NL", "ES"] {
        by_lang.insert(lang, labels(&app, lang).await);
    }

    let label = |lang: &str, enumeration: &str, value: &str| {
        by_lang[lang]
            .get(&(enumeration.to_owned(), value.to_owned()))
            .cloned()
            .unwrap_or_else(|| panic!("no {lang} label of {enumeration}.{value}"))
    };
    for (enumeration, value, en, fr, nl, es) in [
        (
            "FacilityType",
            "DETENTION_HOUSE",
            "Detention house",
            "Maison de détention",
            "Detentiehuis",
            "Casa de detención",
        ),
        (
            "FacilityType",
            "TRANSITION_HOUSE",
            "Transition house",
            "Maison de transition",
            "Transitiehuis",
            "Casa de transición",
        ),
        (
            "FacilityStatus",
            "PLANNED",
            "Planned",
            "En projet",
            "Gepland",
            "Previsto",
        ),
        (
            "ManagedBy",
            "NATIONAL_PRISON_ADMINISTRATION",
            "National prison administration",
            "Administration pénitentiaire nationale",
            "Nationale gevangenisadministratie",
            "Administración penitenciaria nacional",
        ),
        (
            "Regime",
            "SEMI_OPEN",
            "Semi-open",
            "Semi-ouvert",
            "Halfopen",
            "Semiabierto",
        ),
        (
            "Principle",
            "SMALL_SCALE",
            "Small scale",
            "Petite échelle",
            "Kleinschaligheid",
            "Pequeña escala",
        ),
        (
            "EcosystemDimension",
            "STAFF_WELLBEING",
            "Staff wellbeing",
            "Bien-être du personnel",
            "Welzijn van het personeel",
            "Bienestar del personal",
        ),
        (
            "StakeholderKind",
            "LIVED_EXPERIENCE",
            "Lived experience",
            "Expérience vécue",
            "Ervaringsdeskundigen",
            "Experiencia vivida",
        ),
        (
            "Language",
            "NL",
            "Dutch",
            "Néerlandais",
            "Nederlands",
            "Neerlandés",
        ),
    ] {
        assert_eq!(label("EN", enumeration, value), en);
        assert_eq!(label("FR", enumeration, value), fr);
        assert_eq!(label("NL", enumeration, value), nl);
        assert_eq!(label("ES", enumeration, value), es);
    }
    let keys: Vec<BTreeSet<&(String, String)>> = by_lang
        .values()
        .map(|labels| labels.keys().collect())
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] == w[1]),
        "every language labels the same values"
    );
    let enums: BTreeSet<&str> = by_lang["EN"].keys().map(|(e, _)| e.as_str()).collect();
    for reader_facing in [
        "FacilityType",
        "FacilityStatus",
        "ManagedBy",
        "Population",
        "TargetGender",
        "TargetAge",
        "Regime",
        "SecurityLevel",
        "Principle",
        "EcosystemDimension",
        "SessionLevel",
        "SessionTopic",
        "StakeholderKind",
        "GuidelineStatus",
    ] {
        assert!(enums.contains(reader_facing), "{reader_facing} has labels");
    }
}

async fn labels_are_cached_like_other_anonymous_reads(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let path = "/graphql?query=%7B%20labels(lang%3A%20FR)%20%7B%20enum%20value%20label%20%7D%20%7D";

    let first = app.get(path).await;

    assert_eq!(first.status(), 200);
    let cache_control = first.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cache_control.starts_with("public"), "{cache_control}");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = first.json().await.unwrap();
    assert!(
        body["data"]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["label"] == "Maison de détention")
    );
    let again = app
        .client
        .get(format!("{}{path}", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn a_language_the_api_does_not_serve_is_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let response = app
        .graphql("{ labels(lang: DE) { label } }", json!({}))
        .await;

    assert_error_code(&response, "BAD_USER_INPUT");
}

on_both_databases!(
    every_language_labels_the_same_values_in_its_own_words,
    labels_are_cached_like_other_anonymous_reads,
    a_language_the_api_does_not_serve_is_refused,
);
