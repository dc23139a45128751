use std::collections::HashSet;

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Backend, demo_facility_rows, spawn_app};
use crate::on_both_databases;

const PAGE: &str = r"
query Page($filter: FacilityFilter, $orderBy: [FacilityOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  facilities(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { slug } }
    nodes { slug name countryCode capacity openedYear facilityType city }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

fn slugs(data: &Value) -> Vec<String> {
    data["facilities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn country_filter_returns_only_that_country(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            PAGE,
            json!({ "filter": { "countryCode": ["be", "NL"] }, "first": 500 }),
        )
        .await;

    let nodes = data["facilities"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    assert!(
        nodes
            .iter()
            .all(|n| n["countryCode"] == "BE" || n["countryCode"] == "NL")
    );
    assert_eq!(data["facilities"]["totalCount"], nodes.len());
}

async fn text_filter_ignores_case_and_accents(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for (text, expected) in [
        (
            "mtahleb",
            "CoRRS Mtaħleb (Centre of Residential Restorative Services)",
        ),
        (
            "SVETLA nad",
            "Věznice Světlá nad Sázavou, unit for mothers with children",
        ),
        ("kortrijk", "Detentiehuis Kortrijk"),
    ] {
        let data = app.query(PAGE, json!({ "filter": { "text": text } })).await;
        let names: Vec<&str> = data["facilities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec![expected], "text {text:?}");
    }
}

async fn text_filter_matches_city_and_treats_wildcards_literally(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let by_city = app
        .query(PAGE, json!({ "filter": { "text": "LAUSANNE" } }))
        .await;
    let wildcard = app.query(PAGE, json!({ "filter": { "text": "%" } })).await;

    assert_eq!(slugs(&by_city), vec!["etablissement-du-simplon"]);
    assert_eq!(wildcard["facilities"]["totalCount"], 0);
}

async fn combined_filters_narrow_in_sql(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app
        .query(
            PAGE,
            json!({ "filter": { "facilityType": ["DETENTION_HOUSE"], "status": ["OPEN"], "capacityMax": 60, "openedFrom": 2020 }, "first": 500 }),
        )
        .await;

    let nodes = data["facilities"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    for node in nodes {
        assert_eq!(node["facilityType"], "DETENTION_HOUSE");
        assert!(node["capacity"].as_i64().unwrap() <= 60);
        assert!(node["openedYear"].as_i64().unwrap() >= 2020);
    }
}

async fn principles_filter_requires_all_principles(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let kortrijk = entity::facility::Entity::find()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-kortrijk"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let olen = entity::facility::Entity::find()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-olen"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    use entity::value::Principle::{CommunityIntegration, SmallScale};
    for (facility_id, principle) in [
        (kortrijk.id, SmallScale),
        (kortrijk.id, CommunityIntegration),
        (olen.id, SmallScale),
    ] {
        entity::facility_principle::ActiveModel {
            facility_id: Set(facility_id),
            principle: Set(principle),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }

    let both = app
        .query(
            PAGE,
            json!({ "filter": { "principles": ["SMALL_SCALE", "COMMUNITY_INTEGRATION"] } }),
        )
        .await;
    let one = app
        .query(PAGE, json!({ "filter": { "principles": ["SMALL_SCALE"] } }))
        .await;
    let listed = app
        .query(
            "{ facility(slug: \"detentiehuis-kortrijk\") { principles } }",
            json!({}),
        )
        .await;

    assert_eq!(slugs(&both), vec!["detentiehuis-kortrijk"]);
    assert_eq!(
        slugs(&one),
        vec!["detentiehuis-kortrijk", "detentiehuis-olen"]
    );
    assert_eq!(
        listed["facility"]["principles"],
        json!(["SMALL_SCALE", "COMMUNITY_INTEGRATION"])
    );
}

async fn name_order_ignores_accents_and_reverses(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let asc = app
        .query(PAGE, json!({ "orderBy": ["NAME_ASC"], "first": 500 }))
        .await;
    let desc = app
        .query(PAGE, json!({ "orderBy": ["NAME_DESC"], "first": 500 }))
        .await;

    let names = |data: &Value| -> Vec<String> {
        data["facilities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let folded: Vec<String> = names(&asc)
        .iter()
        .map(|n| api::service::kernel::text::fold(n))
        .collect();
    let mut sorted = folded.clone();
    sorted.sort();
    assert_eq!(
        folded, sorted,
        "names in folded byte order, on both databases"
    );
    let asc = slugs(&asc);
    let mut reversed = slugs(&desc);
    reversed.reverse();
    assert_eq!(asc, reversed);
}

async fn capacity_order_puts_unknown_capacities_last(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    for order in ["CAPACITY_ASC", "CAPACITY_DESC"] {
        let data = app
            .query(PAGE, json!({ "orderBy": [order], "first": 500 }))
            .await;
        let capacities: Vec<Option<i64>> = data["facilities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["capacity"].as_i64())
            .collect();
        let known: Vec<i64> = capacities.iter().map_while(|c| *c).collect();
        assert!(
            capacities[known.len()..].iter().all(Option::is_none),
            "{order}: unknown capacities last"
        );
        let mut expected = known.clone();
        expected.sort_unstable();
        if order == "CAPACITY_DESC" {
            expected.reverse();
        }
        assert_eq!(known, expected, "{order}");
    }
}

async fn forward_pages_cover_every_facility_once(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .query(PAGE, json!({ "first": 30, "after": after }))
            .await;
        seen.extend(slugs(&data));
        let info = &data["facilities"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], after.is_some());
        if info["hasNextPage"] == false {
            break;
        }
        after = Some(info["endCursor"].as_str().unwrap().to_owned());
    }

    assert_eq!(seen.len(), demo_facility_rows());
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "no facility twice"
    );
}

async fn backward_page_ends_before_the_cursor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let all = slugs(&app.query(PAGE, json!({ "first": 500 })).await);
    let first_page = app.query(PAGE, json!({ "first": 20 })).await;
    let cursor_of_twentieth = first_page["facilities"]["edges"][19]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();

    let back = app
        .query(PAGE, json!({ "last": 5, "before": cursor_of_twentieth }))
        .await;
    let tail = app.query(PAGE, json!({ "last": 3 })).await;

    assert_eq!(slugs(&back), all[14..19].to_vec());
    assert_eq!(back["facilities"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(back["facilities"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(slugs(&tail), all[all.len() - 3..].to_vec());
    assert_eq!(tail["facilities"]["pageInfo"]["hasNextPage"], false);
}

async fn first_defaults_to_fifty(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };

    let data = app.query(PAGE, json!({})).await;

    assert_eq!(data["facilities"]["nodes"].as_array().unwrap().len(), 50);
    assert_eq!(data["facilities"]["edges"].as_array().unwrap().len(), 50);
    assert_eq!(data["facilities"]["pageInfo"]["hasNextPage"], true);
}

async fn facility_by_id_and_by_node_agree(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = app
        .query(
            "{ facility(slug: \"detentiehuis-olen\") { id } }",
            json!({}),
        )
        .await["facility"]["id"]
        .clone();

    let data = app
        .query(
            "query($id: ID!) { facility(id: $id) { slug } node(id: $id) { id ... on Facility { slug } } }",
            json!({ "id": id }),
        )
        .await;

    assert_eq!(data["facility"]["slug"], "detentiehuis-olen");
    assert_eq!(
        data["node"],
        json!({ "id": id, "slug": "detentiehuis-olen" })
    );
}

/// Gives the demo's Olen house an English and a Dutch description.
async fn describe_olen_in_english_and_dutch(app: &crate::helpers::TestApp) {
    let olen = entity::facility::Entity::find()
        .filter(entity::facility::Column::Slug.eq("detentiehuis-olen"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut with_text: entity::facility::ActiveModel = olen.into();
    with_text.description = Set(Some(entity::value::LocalizedText(
        [("en", "A detention house."), ("nl", "Een detentiehuis.")]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.to_owned()))
            .collect(),
    )));
    with_text.update(&app.db).await.unwrap();
}

async fn description_follows_lang_then_accept_language_then_english(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    describe_olen_in_english_and_dutch(&app).await;
    let query = r#"{ facility(slug: "detentiehuis-olen") { nl: description(lang: "nl") fr: description(lang: "fr") byHeader: description } }"#;

    let response: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Accept-Language", "nl-BE,nl;q=0.9,en;q=0.5")
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(
        response["data"]["facility"],
        json!({ "nl": "Een detentiehuis.", "fr": "A detention house.", "byHeader": "Een detentiehuis." })
    );
}

/// A reader can tell a translation from the English it fell back to.
async fn description_language_says_which_language_was_served(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    describe_olen_in_english_and_dutch(&app).await;
    let query = r#"{ olen: facility(slug: "detentiehuis-olen") {
        nl: description(lang: "nl") nlServed: descriptionLanguage(lang: "nl")
        fr: description(lang: "fr") frServed: descriptionLanguage(lang: "fr")
        byHeader: description byHeaderServed: descriptionLanguage }
      without: facility(slug: "detentiehuis-kortrijk") { description descriptionLanguage(lang: "fr") } }"#;

    let response: Value = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("Accept-Language", "es-ES,es;q=0.9")
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(
        response["data"],
        json!({
            "olen": {
                "nl": "Een detentiehuis.", "nlServed": "NL",
                "fr": "A detention house.", "frServed": "EN",
                "byHeader": "A detention house.", "byHeaderServed": "EN",
            },
            "without": { "description": null, "descriptionLanguage": null },
        })
    );
}

/// `totalCount` counts every facility the filter lets through, on the first
/// page and on the next, not the page's own rows.
async fn total_count_counts_every_match_on_every_page(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let filter = json!({ "countryCode": ["BE", "NL"] });
    let all = app
        .query(PAGE, json!({ "filter": filter, "first": 500 }))
        .await;
    let matching = all["facilities"]["nodes"].as_array().unwrap().len();
    assert!(matching > 4, "the demo has more than four in BE and NL");

    let first = app
        .query(PAGE, json!({ "filter": filter, "first": 2 }))
        .await;
    let after = first["facilities"]["pageInfo"]["endCursor"].clone();
    let second = app
        .query(
            PAGE,
            json!({ "filter": filter, "first": 2, "after": after }),
        )
        .await;

    assert_eq!(slugs(&first).len(), 2);
    assert_eq!(first["facilities"]["totalCount"], matching);
    assert_eq!(second["facilities"]["totalCount"], matching);
}

on_both_databases!(
    country_filter_returns_only_that_country,
    total_count_counts_every_match_on_every_page,
    text_filter_ignores_case_and_accents,
    text_filter_matches_city_and_treats_wildcards_literally,
    combined_filters_narrow_in_sql,
    principles_filter_requires_all_principles,
    name_order_ignores_accents_and_reverses,
    capacity_order_puts_unknown_capacities_last,
    forward_pages_cover_every_facility_once,
    backward_page_ends_before_the_cursor,
    first_defaults_to_fifty,
    facility_by_id_and_by_node_agree,
    description_follows_lang_then_accept_language_then_english,
    description_language_says_which_language_was_served,
);
