//! Reads that a compiled plan answers (`graphql::compiled`): the very
//! answers the resolvers give, errors included, in one statement.
//!
//! Each document is asked of two servers over one database: one with
//! compiled reads (the default), asked twice, since a plan is made once the
//! resolvers have answered its document; and one with `--compiled-reads
//! false`, whose answers come from the resolvers alone.

use api::graphql::id::{Kind, encode};
use entity::value::{Role, StakeholderKind};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use serde_json::{Value, json};

use crate::fixtures::{self, Consent, day};
use crate::helpers::{Backend, Replica, TestApp, serve_settings, spawn_app_with, token};
use crate::on_both_databases;

/// Scenario (b) of the benchmark.
const FACILITY_WITH_VISITS: &str = "query($slug: String!) { facility(slug: $slug) { name visits(first: 10) { totalCount nodes { visitedOn participants { name } } } } }";

/// Every field a plan knows on a facility, some under aliases.
const EVERY_FIELD: &str = "query Whole($slug: String = \"detentiehuis-kortrijk\") {
  __typename
  place: facility(slug: $slug) {
    __typename id slug name countryCode city latitude longitude facilityType status
    capacity smallScale openedYear operator managedBy targetGender targetAge population
    regime securityLevel socialEnterprise website verifiedOn locationPrecision
    version createdAt updatedAt
    recent: visits(first: 2) { __typename totalCount nodes { __typename id visitedOn
      participants { __typename name anonymous kind } } }
    visits { totalCount }
  }
}";

/// Scenario (a).
const FIRST_500: &str =
    "{ facilities(first: 500) { nodes { id name latitude longitude facilityType capacity } } }";

/// Scenario (c).
const BELGIAN_BY_NAME: &str = "{ facilities(filter: {countryCode: [\"BE\"]}, orderBy: [NAME_ASC], first: 20) { totalCount nodes { id name city } } }";

/// A page with cursors, its filter and order from variables.
const PAGE: &str =
    "query Page($filter: FacilityFilter, $orderBy: [FacilityOrder!], $after: String) {
  facilities(filter: $filter, orderBy: $orderBy, first: 3, after: $after) {
    totalCount
    edges { cursor node { slug capacity visits(first: 1) { totalCount nodes { visitedOn } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
  }
}";

/// The two servers, the facility with visits, and an editor's token.
struct Scene {
    app: TestApp,
    resolvers: Replica,
    slug: String,
}

async fn scene(backend: Backend) -> Option<Scene> {
    let settings = || api::config::ServeSettings {
        response_cache_mb: 0,
        ..serve_settings()
    };
    let app = spawn_app_with(backend, settings()).await?;
    let resolvers = app
        .second_replica_with(api::config::ServeSettings {
            compiled_reads: false,
            ..settings()
        })
        .await;
    let db = &app.db;
    let facility = fixtures::facility(db, "detentiehuis-kortrijk").await;
    let workshop = fixtures::workshop(db, "be").await;
    let named = fixtures::stakeholder(db, "Zoë Named", StakeholderKind::Research, None).await;
    let kind_only = fixtures::person(
        db,
        "Aline Kind",
        StakeholderKind::Practice,
        None,
        Consent {
            name: false,
            affiliation: false,
            kind: true,
        },
    )
    .await;
    let nothing = fixtures::person(
        db,
        "Bo Private",
        StakeholderKind::Policy,
        None,
        Consent::NONE,
    )
    .await;
    let erased = fixtures::stakeholder(db, "Erik Erased", StakeholderKind::Education, None).await;
    let mut erasing = erased.clone().into_active_model();
    erasing.erased_at = Set(Some(api::service::kernel::now()));
    erasing.update(db).await.unwrap();
    let same_name = fixtures::stakeholder(db, "Zoë Named", StakeholderKind::Community, None).await;
    let everyone = [named.id, kind_only.id, nothing.id, erased.id, same_name.id];
    for (month, people) in [(1, &everyone[..]), (2, &everyone[..2]), (3, &[][..])] {
        fixtures::visit(
            db,
            facility.id,
            day(2025, month, 10),
            Some(workshop.id),
            people,
        )
        .await;
    }
    // Two visits on one day: the order falls back to the record.
    fixtures::visit(db, facility.id, day(2025, 3, 10), None, &everyone[2..]).await;
    Some(Scene {
        app,
        resolvers,
        slug: facility.slug,
    })
}

impl Scene {
    async fn post(&self, address: &str, body: &Value, bearer: Option<&str>) -> (u16, String) {
        let mut request = self
            .app
            .client
            .post(format!("{address}/graphql"))
            .json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    /// How many operations the server with plans answered by a plan.
    async fn by_plan(&self) -> u64 {
        let metrics = self
            .app
            .get("/metrics")
            .await
            .text()
            .await
            .expect("metrics");
        metrics
            .lines()
            .find_map(|line| line.strip_prefix("wish_graphql_operations_total{by=\"plan\"} "))
            .expect("the series of plans")
            .parse()
            .expect("a count")
    }

    /// The answer of the server with plans, after its plan was made (the
    /// second time), the statements it took and whether a plan answered;
    /// and the resolvers' answer.
    async fn both(&self, body: Value) -> ((u16, String), Answered, (u16, String)) {
        self.post(&self.app.address, &body, None).await;
        let (plans, statements) = (self.by_plan().await, self.app.statements.get());
        let planned = self.post(&self.app.address, &body, None).await;
        let answered = Answered {
            statements: self.app.statements.get() - statements,
            by_plan: self.by_plan().await > plans,
        };
        let resolved = self.post(&self.resolvers.address, &body, None).await;
        (planned, answered, resolved)
    }

    /// Asserts that both servers give `body` the same answer, byte for
    /// byte, and returns it with how the planned one was answered.
    async fn same(&self, body: Value) -> (Value, Answered) {
        let (planned, answered, resolved) = self.both(body.clone()).await;
        assert_eq!(
            planned, resolved,
            "the plan answers {body} as the resolvers do"
        );
        (serde_json::from_str(&planned.1).expect("JSON"), answered)
    }
}

/// How the server with plans answered.
#[derive(Debug, PartialEq, Eq)]
struct Answered {
    statements: u64,
    by_plan: bool,
}

impl Answered {
    const ONE_STATEMENT_PLAN: Self = Self {
        statements: 1,
        by_plan: true,
    };
}

/// The benchmark's three reads, and every field a plan knows, answer alike
/// byte for byte; on PostgreSQL each is one statement, on SQLite the
/// facility's own fields are (its visits are the resolvers').
async fn plans_answer_as_the_resolvers_do(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let (b, answered) = s
        .same(json!({ "query": FACILITY_WITH_VISITS, "variables": { "slug": s.slug } }))
        .await;
    let visits = &b["data"]["facility"]["visits"];
    assert_eq!(visits["totalCount"], 4);
    let first = &visits["nodes"][0];
    assert_eq!(first["visitedOn"], "2025-03-10");
    if backend == Backend::Postgres {
        assert_eq!(answered, Answered::ONE_STATEMENT_PLAN, "(b)");
    } else {
        assert!(!answered.by_plan, "SQLite leaves visits to the resolvers");
    }
    // The five of January: named ones by name, the anonymous by description;
    // the erased person and the one without consents are alike to the public.
    let january: Vec<&str> = visits["nodes"][3]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        january,
        [
            "Zoë Named",
            "Zoë Named",
            "a participant",
            "a participant",
            "a practitioner"
        ]
    );

    let (whole, answered) = s
        .same(json!({ "query": EVERY_FIELD, "operationName": "Whole" }))
        .await;
    assert_eq!(answered.by_plan, backend == Backend::Postgres);
    assert_eq!(whole["data"]["place"]["slug"], s.slug);
    assert_eq!(
        whole["data"]["place"]["recent"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let (a, answered) = s.same(json!({ "query": FIRST_500 })).await;
    assert_eq!(
        a["data"]["facilities"]["nodes"].as_array().unwrap().len(),
        crate::helpers::demo_facility_rows()
    );
    assert_eq!(answered, Answered::ONE_STATEMENT_PLAN, "(a)");

    let (c, answered) = s.same(json!({ "query": BELGIAN_BY_NAME })).await;
    assert!(c["data"]["facilities"]["totalCount"].as_i64().unwrap() > 0);
    assert_eq!(
        answered,
        Answered::ONE_STATEMENT_PLAN,
        "(c), its count within"
    );
}

/// Pages with cursors, filters and orders from variables, an empty page and
/// an unknown slug answer alike.
async fn pages_and_misses_answer_as_the_resolvers_do(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let mut after = Value::Null;
    for _ in 0..3 {
        let (page, answered) = s
            .same(json!({ "query": PAGE, "variables": {
                "filter": { "countryCode": "be", "capacityMin": 1 },
                "orderBy": ["CAPACITY_DESC"],
                "after": after,
            } }))
            .await;
        after = page["data"]["facilities"]["pageInfo"]["endCursor"].clone();
        assert!(after.is_string(), "{page}");
        assert_eq!(answered.by_plan, backend == Backend::Postgres);
    }
    let (nothing, _) = s
        .same(json!({ "query": PAGE, "variables": { "filter": { "text": "no such facility anywhere" } } }))
        .await;
    assert_eq!(nothing["data"]["facilities"]["totalCount"], 0);
    let (missing, answered) = s
        .same(json!({ "query": FACILITY_WITH_VISITS, "variables": { "slug": "no-such-facility" } }))
        .await;
    assert_eq!(missing, json!({ "data": { "facility": null } }));
    assert_eq!(answered.by_plan, backend == Backend::Postgres);
    // By id: as ids are issued, as they were issued before UUIDs, of no facility.
    let by_id = "query($id: ID!) { facility(id: $id) { id name city } }";
    let row = fixtures::facility(&s.app.db, &s.slug).await;
    for id in [
        encode(Kind::Facility, row.uuid).to_string(),
        crate::helpers::gid(Kind::Facility, row.id),
        encode(Kind::Facility, sea_orm::prelude::Uuid::nil()).to_string(),
    ] {
        let (answer, answered) = s
            .same(json!({ "query": by_id, "variables": { "id": id } }))
            .await;
        assert_eq!(answered, Answered::ONE_STATEMENT_PLAN, "{answer}");
    }
    let cursors = "{ facilities(first: 2) { __typename edges { __typename cursor } pageInfo { hasNextPage } } }";
    let (page, answered) = s.same(json!({ "query": cursors })).await;
    assert_eq!(
        page["data"]["facilities"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(answered, Answered::ONE_STATEMENT_PLAN);
}

/// What a plan cannot answer goes to the resolvers, which answer it or
/// refuse it with their error: variables of the wrong type or missing, a
/// filter the service refuses, a cursor of another list, past the end.
async fn what_a_plan_refuses_the_resolvers_answer(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    // The plans are made first, with good variables.
    s.same(json!({ "query": FACILITY_WITH_VISITS, "variables": { "slug": s.slug } }))
        .await;
    s.same(json!({ "query": PAGE, "variables": {} })).await;
    let by_id = "query($id: ID!) { facility(id: $id) { name } }";
    let made = encode(Kind::Facility, sea_orm::prelude::Uuid::nil()).to_string();
    s.same(json!({ "query": by_id, "variables": { "id": made } }))
        .await;
    let a_visit = encode(Kind::Visit, sea_orm::prelude::Uuid::nil()).to_string();
    for id in [json!("not an id"), json!(a_visit)] {
        let (answer, answered) = s
            .same(json!({ "query": by_id, "variables": { "id": id } }))
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert!(!answered.by_plan);
    }
    for variables in [json!({ "slug": 7 }), json!({ "slug": null }), json!({})] {
        let (answer, answered) = s
            .same(json!({ "query": FACILITY_WITH_VISITS, "variables": variables }))
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert!(!answered.by_plan);
    }
    let other_list = s
        .same(json!({ "query": PAGE, "variables": { "filter": { "countryCode": ["NL"] } } }))
        .await
        .0["data"]["facilities"]["pageInfo"]["endCursor"]
        .clone();
    for variables in [
        json!({ "filter": { "countryCode": ["XX"] } }),
        json!({ "filter": { "capacityMin": 9, "capacityMax": 1 } }),
        json!({ "after": "not a cursor" }),
        json!({ "after": other_list }),
        json!({ "orderBy": ["SIDEWAYS"] }),
    ] {
        let (answer, answered) = s
            .same(json!({ "query": PAGE, "variables": variables }))
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert!(!answered.by_plan);
    }
}

/// Editors see participants by name: their reads never take a plan, which
/// reads as the public does.
async fn editors_read_through_the_resolvers(backend: Backend) {
    let Some(s) = scene(backend).await else {
        return;
    };
    let body = json!({ "query": FACILITY_WITH_VISITS, "variables": { "slug": s.slug } });
    s.same(body.clone()).await;
    let editor = token(Role::Editor, None);
    let (status, answer) = s.post(&s.app.address, &body, Some(&editor)).await;
    assert_eq!(status, 200);
    assert!(
        answer.contains("Bo Private") && answer.contains("Aline Kind"),
        "{answer}"
    );
    fixtures::organisation(&s.app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));
    let (_, as_partner) = s.post(&s.app.address, &body, Some(&partner)).await;
    let (_, anonymous) = s.post(&s.resolvers.address, &body, None).await;
    let json = |text: &str| serde_json::from_str::<Value>(text).expect("JSON");
    assert_eq!(
        json(&as_partner),
        json(&anonymous),
        "a partner reads what the public reads"
    );
}

on_both_databases!(
    plans_answer_as_the_resolvers_do,
    pages_and_misses_answer_as_the_resolvers_do,
    what_a_plan_refuses_the_resolvers_answer,
    editors_read_through_the_resolvers,
);
