//! The knowledge library: resources, their authors under the stakeholders'
//! consent rules, their links in both directions, filters, search, the role
//! matrix, the audit log and the change feed, and the statements a page costs.

use api::graphql::id::{Kind, encode};
use entity::value::{GuidelineStatus, Role, SessionLevel, SessionTopic, StakeholderKind};
use serde_json::{Value, json};

use crate::fixtures::{self, Consent, day};
use crate::helpers::{Backend, TestApp, assert_error_code, readme_documents, spawn_app, token};
use crate::on_both_databases;

const CREATE: &str = "mutation($input: ResourceInput!) {
  createResource(input: $input) { id version title publishedYear publishedOn }
}";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: ResourcePatch!) {
  updateResource(id: $id, expectedVersion: $v, input: $input) { id version title publishedYear publishedOn }
}";

const DELETE: &str =
    "mutation($id: ID!, $v: Int!) { deleteResource(id: $id, expectedVersion: $v) }";

fn editor() -> String {
    token(Role::Editor, None)
}

/// The fields every resource of these tests has, with `extra` over them.
fn input(title: &str, extra: Value) -> Value {
    let mut input = json!({ "kind": "REPORT", "title": [{ "lang": "en", "text": title }] });
    if let (Some(base), Value::Object(extra)) = (input.as_object_mut(), extra) {
        base.extend(extra);
    }
    input
}

/// Creates a resource as an editor and returns it.
async fn create(app: &TestApp, input: Value) -> Value {
    let (status, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": input }))
        .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["createResource"].clone()
}

/// The `field` of every problem of a `BAD_USER_INPUT` answer.
fn problem_fields(body: &Value) -> Vec<String> {
    assert_error_code(body, "BAD_USER_INPUT");
    body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems: {body:#}"))
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn facility_id(app: &TestApp, slug: &str) -> String {
    let data = app
        .query(
            "query($slug: String!) { facility(slug: $slug) { id } }",
            json!({ "slug": slug }),
        )
        .await;
    data["facility"]["id"].as_str().unwrap().to_owned()
}

async fn workshop_id(app: &TestApp, key: &str) -> String {
    let workshop = fixtures::workshop(&app.db, key).await;
    encode(Kind::KnowledgeWorkshop, workshop.uuid).to_string()
}

async fn writes_follow_the_role_matrix(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let variables = json!({ "input": input("A report", json!({})) });

    let anonymous = app.graphql(CREATE, variables.clone()).await;
    let (_, partner) = app
        .graphql_as(&token(Role::Partner, Some("rescaled")), CREATE, variables)
        .await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");
    assert_error_code(&partner, "FORBIDDEN");

    let made = create(&app, input("A report", json!({}))).await;
    let id = made["id"].clone();
    let (_, partner_update) = app
        .graphql_as(
            &token(Role::Partner, Some("rescaled")),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "publisher": "RESCALED" } }),
        )
        .await;
    assert_error_code(&partner_update, "FORBIDDEN");
    let (_, updated) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "publisher": "RESCALED" } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateResource"]["version"], 2,
        "{updated:#}"
    );

    let (_, by_editor) = app
        .graphql_as(&editor(), DELETE, json!({ "id": id, "v": 2 }))
        .await;
    assert_error_code(&by_editor, "FORBIDDEN");
    let (_, by_admin) = app
        .graphql_as(
            &token(Role::Admin, None),
            DELETE,
            json!({ "id": id, "v": 2 }),
        )
        .await;
    assert_eq!(by_admin["data"]["deleteResource"], id, "{by_admin:#}");
    let gone = app
        .query(
            "query($id: ID!) { resource(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(gone["resource"], Value::Null);
}

async fn validation_reports_every_bad_field(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let bad = json!({
        "kind": "STUDY",
        "title": [{ "lang": "fr", "text": "Une étude" }],
        "languages": ["nl", "xx", "NL"],
        "url": "ftp://example.org/report.pdf",
        "publishedYear": 2019,
        "publishedOn": "2020-03-01",
        "authors": [{ "organisation": "RESCALED", "stakeholder": null }, {}],
    });
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": bad }))
        .await;
    let fields = problem_fields(&body);
    assert_eq!(fields, ["input.title"], "no English title is refused first");

    let bad = input(
        "A study",
        json!({
            "languages": ["nl", "xx", "NL"],
            "url": "ftp://example.org/report.pdf",
            "publishedYear": 2019,
            "publishedOn": "2020-03-01",
        }),
    );
    let (_, body) = app
        .graphql_as(&editor(), CREATE, json!({ "input": bad }))
        .await;
    let fields = problem_fields(&body);
    for field in [
        "input.languages[1]",
        "input.languages[2]",
        "input.url",
        "input.publishedYear",
    ] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }

    let (_, body) = app
        .graphql_as(
            &editor(),
            CREATE,
            json!({ "input": input("A study", json!({ "authors": [{}] })) }),
        )
        .await;
    assert_eq!(problem_fields(&body), ["input.authors[0]"]);
    let (_, body) = app
        .graphql_as(
            &editor(),
            CREATE,
            json!({ "input": input("A study", json!({ "publishedYear": 1700 })) }),
        )
        .await;
    assert_eq!(problem_fields(&body), ["input.publishedYear"]);
}

async fn a_stale_version_is_a_conflict(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let made = create(&app, input("A toolkit", json!({ "kind": "TOOLKIT" }))).await;
    let change = json!({ "id": made["id"], "v": 1, "input": { "licence": "CC BY 4.0" } });
    let (_, first) = app.graphql_as(&editor(), UPDATE, change.clone()).await;
    let (_, second) = app.graphql_as(&editor(), UPDATE, change).await;

    assert_eq!(first["data"]["updateResource"]["version"], 2);
    assert_error_code(&second, "CONFLICT");
}

async fn a_write_is_one_audit_event_and_one_change(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let kortrijk = facility_id(&app, "detentiehuis-kortrijk").await;
    let be = workshop_id(&app, "be").await;
    let made = create(
        &app,
        input(
            "Linked report",
            json!({ "facilities": [kortrijk], "workshops": [be], "dimensions": ["SECURITY", "WORK"], "languages": ["nl"] }),
        ),
    )
    .await;

    let feed = app
        .query(
            "{ changes(first: 500) { nodes { action entityType entityId entityVersion node { ... on Resource { title } } } } }",
            json!({}),
        )
        .await;
    let changes: Vec<&Value> = feed["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["entityType"] == "RESOURCE")
        .collect();
    assert_eq!(
        changes,
        [
            &json!({ "action": "CREATED", "entityType": "RESOURCE", "entityId": made["id"], "entityVersion": 1, "node": { "title": "Linked report" } })
        ]
    );
    let (_, log) = app
        .graphql_as(
            &token(Role::Admin, None),
            "query($id: ID!) { auditLog(entityId: $id) { nodes { action after } } }",
            json!({ "id": made["id"] }),
        )
        .await;
    let events = log["data"]["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log:#}");
    let after = &events[0]["after"];
    assert_eq!(after["dimensions"], json!(["security", "work"]));
    assert_eq!(after["languages"], json!(["nl"]));
    assert_eq!(after["facilities"].as_array().unwrap().len(), 1);
    assert_eq!(after["workshops"].as_array().unwrap().len(), 1);

    let (_, filtered) = app
        .graphql_as(
            &token(Role::Admin, None),
            "{ auditLog(entityType: RESOURCE) { nodes { action } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["data"]["auditLog"]["nodes"],
        json!([{ "action": "CREATED" }])
    );

    // Writing the same fields again changes nothing, and records nothing.
    let (_, same) = app
        .graphql_as(
            &editor(),
            UPDATE,
            json!({ "id": made["id"], "v": 1, "input": { "dimensions": ["WORK", "SECURITY"], "languages": ["NL"] } }),
        )
        .await;
    assert_eq!(same["data"]["updateResource"]["version"], 1, "{same:#}");
}

const LINKS: &str = "query($id: ID!) { resource(id: $id) {
  dimensions
  workshops { key }
  facilities(first: 10) { totalCount nodes { slug } }
  visits { totalCount nodes { visitedOn } }
  learningSessions { totalCount nodes { title } }
  guidelineVersions { totalCount nodes { number status } }
} }";

async fn links_are_navigable_both_ways(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let kortrijk = fixtures::facility(&app.db, "detentiehuis-kortrijk").await;
    let visit = fixtures::visit(&app.db, kortrijk.id, day(2026, 3, 4), None, &[]).await;
    let session = fixtures::session(
        &app.db,
        "De-escalation in practice",
        day(2026, 2, 2),
        SessionLevel::European,
        SessionTopic::RelationalSecurity,
        &[],
    )
    .await;
    let adopted = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        GuidelineStatus::Adopted,
        "Adopted text.",
    )
    .await;
    let draft = fixtures::guideline_version(
        &app.db,
        "relational-security",
        2,
        GuidelineStatus::Draft,
        "Draft text.",
    )
    .await;
    let links = json!({
        "facilities": [facility_id(&app, "detentiehuis-kortrijk").await, facility_id(&app, "detentiehuis-olen").await],
        "workshops": [workshop_id(&app, "nl").await, workshop_id(&app, "be").await],
        "visits": [encode(Kind::Visit, visit.uuid).to_string()],
        "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()],
        "guidelineVersions": [encode(Kind::GuidelineVersion, adopted.uuid).to_string(), encode(Kind::GuidelineVersion, draft.uuid).to_string()],
        "dimensions": ["STAFF_WELLBEING", "ARCHITECTURE"],
    });
    let made = create(&app, input("Linked everywhere", links)).await;
    create(
        &app,
        input(
            "Also about Kortrijk",
            json!({ "facilities": [facility_id(&app, "detentiehuis-kortrijk").await] }),
        ),
    )
    .await;

    let public = app.query(LINKS, json!({ "id": made["id"] })).await;
    let (_, edited) = app
        .graphql_as(&editor(), LINKS, json!({ "id": made["id"] }))
        .await;

    assert_eq!(
        public["resource"],
        json!({
            "dimensions": ["ARCHITECTURE", "STAFF_WELLBEING"],
            "workshops": [{ "key": "be" }, { "key": "nl" }],
            "facilities": { "totalCount": 2, "nodes": [{ "slug": "detentiehuis-kortrijk" }, { "slug": "detentiehuis-olen" }] },
            "visits": { "totalCount": 1, "nodes": [{ "visitedOn": "2026-03-04" }] },
            "learningSessions": { "totalCount": 1, "nodes": [{ "title": "De-escalation in practice" }] },
            "guidelineVersions": { "totalCount": 1, "nodes": [{ "number": 1, "status": "ADOPTED" }] },
        })
    );
    assert_eq!(
        edited["data"]["resource"]["guidelineVersions"]["totalCount"], 2,
        "editors see the draft it informed too"
    );

    let back = app
        .query(
            "query($visit: ID!, $session: ID!) {
              facility(slug: \"detentiehuis-kortrijk\") { resources(first: 1) { totalCount nodes { title } pageInfo { hasNextPage endCursor } } }
              knowledgeWorkshops { key resources { nodes { title } } }
              visit(id: $visit) { resources { nodes { title } } }
              learningSession(id: $session) { resources { nodes { title } } }
              guidelines { key latest { number resources { nodes { title } } } }
            }",
            json!({
                "visit": encode(Kind::Visit, visit.uuid).to_string(),
                "session": encode(Kind::LearningSession, session.uuid).to_string(),
            }),
        )
        .await;
    let facility = &back["facility"]["resources"];
    assert_eq!(facility["totalCount"], 2);
    assert_eq!(
        facility["nodes"],
        json!([{ "title": "Also about Kortrijk" }])
    );
    assert_eq!(facility["pageInfo"]["hasNextPage"], true);
    let next = app
        .query(
            "query($after: String) { facility(slug: \"detentiehuis-kortrijk\") { resources(first: 1, after: $after) { nodes { title } } } }",
            json!({ "after": facility["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        next["facility"]["resources"]["nodes"],
        json!([{ "title": "Linked everywhere" }])
    );
    let linked = json!({ "nodes": [{ "title": "Linked everywhere" }] });
    for workshop in back["knowledgeWorkshops"].as_array().unwrap() {
        let expected = if ["be", "nl"].contains(&workshop["key"].as_str().unwrap()) {
            linked.clone()
        } else {
            json!({ "nodes": [] })
        };
        assert_eq!(workshop["resources"], expected, "{workshop}");
    }
    assert_eq!(back["visit"]["resources"], linked);
    assert_eq!(back["learningSession"]["resources"], linked);
    let security = back["guidelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "relational-security")
        .unwrap();
    assert_eq!(security["latest"]["resources"], linked, "{back:#}");

    // Deleting a linked record takes the link with it, not the resource.
    let (_, deleted) = app
        .graphql_as(
            &token(Role::Admin, None),
            "mutation($id: ID!) { deleteVisit(id: $id, expectedVersion: 1) }",
            json!({ "id": encode(Kind::Visit, visit.uuid).to_string() }),
        )
        .await;
    assert!(deleted.get("errors").is_none(), "{deleted:#}");
    let after = app.query(LINKS, json!({ "id": made["id"] })).await;
    assert_eq!(after["resource"]["visits"]["totalCount"], 0);
}

const LIST: &str = "query($filter: ResourceFilter, $order: ResourceOrder) {
  resources(filter: $filter, orderBy: $order, first: 50) { totalCount nodes { title } }
}";

async fn titles(app: &TestApp, filter: Value, order: Option<&str>) -> Vec<String> {
    let data = app
        .query(LIST, json!({ "filter": filter, "order": order }))
        .await;
    let nodes = data["resources"]["nodes"].as_array().unwrap();
    assert_eq!(data["resources"]["totalCount"], nodes.len());
    nodes
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .filter(|t| !t.starts_with("Recommendation Rec(2006)2-rev"))
        .collect()
}

async fn filters_narrow_the_library(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let kortrijk = facility_id(&app, "detentiehuis-kortrijk").await;
    let fr = workshop_id(&app, "fr").await;
    create(
        &app,
        input(
            "Alpha: a Belgian study",
            json!({ "kind": "STUDY", "facilities": [kortrijk], "dimensions": ["SOCIAL_CLIMATE"], "languages": ["nl", "en"], "publishedOn": "2021-05-04" }),
        ),
    )
    .await;
    create(
        &app,
        input(
            "Bravo: a French video",
            json!({ "kind": "VIDEO", "workshops": [fr], "dimensions": ["WORK"], "languages": ["fr"], "publishedYear": 2023, "publisher": "Maison de la Justice" }),
        ),
    )
    .await;
    create(
        &app,
        input(
            "Charlie: undated notes",
            json!({ "kind": "OTHER", "summary": [{ "lang": "en", "text": "On Liège and its neighbourhood." }] }),
        ),
    )
    .await;

    assert_eq!(
        titles(&app, json!({}), None).await,
        [
            "Bravo: a French video",
            "Alpha: a Belgian study",
            "Charlie: undated notes"
        ],
        "newest first, undated last"
    );
    assert_eq!(
        titles(&app, json!({}), Some("OLDEST")).await,
        [
            "Alpha: a Belgian study",
            "Bravo: a French video",
            "Charlie: undated notes"
        ]
    );
    assert_eq!(
        titles(&app, json!({}), Some("TITLE")).await,
        [
            "Alpha: a Belgian study",
            "Bravo: a French video",
            "Charlie: undated notes"
        ]
    );
    let cases = [
        (
            json!({ "kind": ["VIDEO", "OTHER"] }),
            vec!["Bravo: a French video", "Charlie: undated notes"],
        ),
        (
            json!({ "dimension": ["SOCIAL_CLIMATE"] }),
            vec!["Alpha: a Belgian study"],
        ),
        (json!({ "language": ["FR"] }), vec!["Bravo: a French video"]),
        (
            json!({ "countryCode": ["be"] }),
            vec!["Alpha: a Belgian study"],
        ),
        (
            json!({ "countryCode": ["FR"] }),
            vec!["Bravo: a French video"],
        ),
        (json!({ "workshop": "fr" }), vec!["Bravo: a French video"]),
        (json!({ "yearFrom": 2022 }), vec!["Bravo: a French video"]),
        (json!({ "yearTo": 2022 }), vec!["Alpha: a Belgian study"]),
        (
            json!({ "yearFrom": 2021, "yearTo": 2021 }),
            vec!["Alpha: a Belgian study"],
        ),
        (json!({ "text": "LIEGE" }), vec!["Charlie: undated notes"]),
        (
            json!({ "text": "maison justice" }),
            vec!["Bravo: a French video"],
        ),
        (json!({ "kind": ["STUDY"], "yearFrom": 2022 }), vec![]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            titles(&app, filter.clone(), None).await,
            expected,
            "{filter}"
        );
    }

    for (filter, field) in [
        (json!({ "language": ["xx"] }), "filter.language"),
        (json!({ "countryCode": ["XX"] }), "filter.countryCode"),
        (json!({ "yearFrom": 2024, "yearTo": 2020 }), "filter.yearTo"),
        (json!({ "workshop": "de" }), "filter.workshop"),
    ] {
        let body = app.graphql(LIST, json!({ "filter": filter })).await;
        assert_error_code(&body, "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
    }
}

async fn search_finds_a_resource(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    create(
        &app,
        input(
            "Relationele veiligheid in kleine huizen",
            json!({ "kind": "ARTICLE" }),
        ),
    )
    .await;
    let data = app
        .query(
            "{ search(text: \"relationele veiligheid\") { __typename ... on Resource { title kind } } }",
            json!({}),
        )
        .await;
    assert!(
        data["search"]
            .as_array()
            .unwrap()
            .contains(&json!({ "__typename": "Resource", "title": "Relationele veiligheid in kleine huizen", "kind": "ARTICLE" })),
        "{data:#}"
    );
}

async fn titles_and_summaries_fall_back_to_english(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let made = create(
        &app,
        json!({
            "kind": "BOOK",
            "title": [{ "lang": "en", "text": "Small is beautiful" }, { "lang": "nl", "text": "Klein is mooi" }],
            "summary": [{ "lang": "en", "text": "In English." }],
        }),
    )
    .await;
    let query = "query($id: ID!, $lang: String) { resource(id: $id) {
        title(lang: $lang) titleLanguage(lang: $lang) summary(lang: $lang) summaryLanguage(lang: $lang) } }";

    let nl = app
        .query(query, json!({ "id": made["id"], "lang": "nl" }))
        .await;
    let fr = app
        .query(query, json!({ "id": made["id"], "lang": "fr" }))
        .await;

    assert_eq!(
        nl["resource"],
        json!({ "title": "Klein is mooi", "titleLanguage": "NL", "summary": "In English.", "summaryLanguage": "EN" })
    );
    assert_eq!(
        fr["resource"],
        json!({ "title": "Small is beautiful", "titleLanguage": "EN", "summary": "In English.", "summaryLanguage": "EN" })
    );
    let body = app
        .graphql(query, json!({ "id": made["id"], "lang": "de" }))
        .await;
    assert_error_code(&body, "BAD_USER_INPUT");
}

async fn an_author_without_consent_is_not_named_to_the_public(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let named = fixtures::stakeholder(&app.db, "Nora Named", StakeholderKind::Research, None).await;
    let hidden = fixtures::person(
        &app.db,
        "Hidde Hidden",
        StakeholderKind::Practice,
        None,
        Consent::NONE,
    )
    .await;
    let made = create(
        &app,
        input(
            "A co-written study",
            json!({ "authors": [
                { "stakeholder": encode(Kind::Stakeholder, hidden.uuid).to_string() },
                { "organisation": "RESCALED" },
                { "stakeholder": encode(Kind::Stakeholder, named.uuid).to_string() },
            ] }),
        ),
    )
    .await;
    let query =
        "query($id: ID!) { resource(id: $id) { authors { name anonymous stakeholder { name } } } }";

    let public = app.query(query, json!({ "id": made["id"] })).await;
    let (_, edited) = app
        .graphql_as(&editor(), query, json!({ "id": made["id"] }))
        .await;

    assert_eq!(
        public["resource"]["authors"],
        json!([
            { "name": "a participant", "anonymous": true, "stakeholder": null },
            { "name": "RESCALED", "anonymous": false, "stakeholder": null },
            { "name": "Nora Named", "anonymous": false, "stakeholder": { "name": "Nora Named" } },
        ])
    );
    assert_eq!(
        edited["data"]["resource"]["authors"][0],
        json!({ "name": "Hidde Hidden", "anonymous": false, "stakeholder": { "name": "Hidde Hidden" } })
    );
    assert!(!public.to_string().contains("Hidde"));
    for text in ["Hidde", "Nora"] {
        let found = titles(&app, json!({ "text": text }), None).await;
        assert!(found.is_empty(), "people are not searched: {text}");
    }
    let found = titles(&app, json!({ "text": "rescaled" }), None).await;
    assert_eq!(found, ["A co-written study"]);

    // An author stays one: deleting them is refused; erasing them leaves
    // the work with an anonymous author, for editors too.
    let admin = token(Role::Admin, None);
    let hidden_id = encode(Kind::Stakeholder, hidden.uuid).to_string();
    let (_, deleted) = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { deleteStakeholder(id: $id, expectedVersion: 1) }",
            json!({ "id": hidden_id }),
        )
        .await;
    assert_error_code(&deleted, "CONFLICT");
    let (_, erased) = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 1) { erasedAt } }",
            json!({ "id": hidden_id }),
        )
        .await;
    assert!(erased.get("errors").is_none(), "{erased:#}");
    let (_, after) = app
        .graphql_as(&editor(), query, json!({ "id": made["id"] }))
        .await;
    assert_eq!(
        after["data"]["resource"]["authors"][0]["anonymous"], true,
        "{after:#}"
    );
    assert_eq!(
        after["data"]["resource"]["authors"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

const PAGE_WITH_LINKS: &str = "query($first: Int) {
  resources(first: $first, orderBy: TITLE) {
    nodes {
      title kind languages dimensions
      authors { name anonymous stakeholder { name } }
      workshops { key }
      facilities { totalCount nodes { name } }
      visits { nodes { visitedOn facility { name } } }
      learningSessions { nodes { title } }
      guidelineVersions { nodes { number guideline { key } } }
    }
  }
}";

async fn a_page_of_resources_with_their_links_costs_a_fixed_number_of_statements(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let person =
        fixtures::stakeholder(&app.db, "Anna Author", StakeholderKind::Research, None).await;
    let kortrijk = fixtures::facility(&app.db, "detentiehuis-kortrijk").await;
    let version = fixtures::guideline_version(
        &app.db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        "Text.",
    )
    .await;
    for i in 0..8 {
        let visit = fixtures::visit(&app.db, kortrijk.id, day(2026, 1, i + 1), None, &[]).await;
        let session = fixtures::session(
            &app.db,
            &format!("Session {i}"),
            day(2026, 2, i + 1),
            SessionLevel::National,
            SessionTopic::Ecosystem,
            &[],
        )
        .await;
        create(
            &app,
            input(
                &format!("Resource {i}"),
                json!({
                    "languages": ["en", "nl"],
                    "dimensions": ["WORK"],
                    "authors": [{ "stakeholder": encode(Kind::Stakeholder, person.uuid).to_string() }, { "organisation": "RESCALED" }],
                    "facilities": [encode(Kind::Facility, kortrijk.uuid).to_string()],
                    "workshops": [workshop_id(&app, "be").await],
                    "visits": [encode(Kind::Visit, visit.uuid).to_string()],
                    "learningSessions": [encode(Kind::LearningSession, session.uuid).to_string()],
                    "guidelineVersions": [encode(Kind::GuidelineVersion, version.uuid).to_string()],
                }),
            ),
        )
        .await;
    }

    let before_two = app.statements.get();
    let two = app.query(PAGE_WITH_LINKS, json!({ "first": 2 })).await;
    let for_two = app.statements.get() - before_two;
    let before_eight = app.statements.get();
    let eight = app.query(PAGE_WITH_LINKS, json!({ "first": 8 })).await;
    let for_eight = app.statements.get() - before_eight;

    let nodes = eight["resources"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 8);
    assert_eq!(two["resources"]["nodes"].as_array().unwrap().len(), 2);
    for node in nodes.iter().filter(|n| n["title"] != "Recommendation Rec(2006)2-rev of the Committee of Ministers to member States on the European Prison Rules") {
        assert_eq!(node["authors"].as_array().unwrap().len(), 2, "{node:#}");
        assert_eq!(node["facilities"]["totalCount"], 1);
        assert_eq!(node["visits"]["nodes"][0]["facility"]["name"], kortrijk.name);
        assert_eq!(node["guidelineVersions"]["nodes"][0]["guideline"]["key"], "ecosystem-rules");
    }
    // resources, authors, languages, dimensions, workshops, facilities,
    // visits and their facilities, sessions, versions and their guidelines
    assert!(
        for_eight <= 12,
        "8 resources with their links took {for_eight} statements"
    );
    assert_eq!(
        for_two, for_eight,
        "the cost does not grow with the page size"
    );
}

async fn the_demo_library_holds_the_european_prison_rules(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let data = app
        .query(
            "{ resources(filter: { text: \"European Prison Rules\" }) { nodes {
                kind publisher publishedYear publishedOn url openAccess languages dimensions authors { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["resources"]["nodes"],
        json!([{
            "kind": "POLICY_TEXT",
            "publisher": "Council of Europe",
            "publishedYear": 2020,
            "publishedOn": null,
            "url": "https://rm.coe.int/09000016809ee581",
            "openAccess": true,
            "languages": ["en"],
            "dimensions": ["SECURITY"],
            "authors": [{ "name": "Committee of Ministers of the Council of Europe" }],
        }])
    );
}

/// What the README shows runs: its query answers, and its mutation adds a
/// resource when an editor sends it.
async fn the_readme_examples_run(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let documents = readme_documents("## Knowledge library", "\n## The demo data");
    assert_eq!(documents.len(), 2, "{documents:?}");
    let kortrijk = facility_id(&app, "detentiehuis-kortrijk").await;

    let (_, added) = app
        .graphql_as(&editor(), &documents[1], json!({ "facility": kortrijk }))
        .await;
    let listed = app.query(&documents[0], json!({})).await;

    assert_eq!(added["data"]["createResource"]["version"], 1, "{added:#}");
    // SECURITY from 2015 on: the demo's 2020 European Prison Rules, not the
    // new resource about the social climate.
    assert_eq!(listed["resources"]["totalCount"], 1);
    assert_eq!(listed["resources"]["nodes"][0]["publishedYear"], 2020);
}

on_both_databases!(
    the_readme_examples_run,
    writes_follow_the_role_matrix,
    validation_reports_every_bad_field,
    a_stale_version_is_a_conflict,
    a_write_is_one_audit_event_and_one_change,
    links_are_navigable_both_ways,
    filters_narrow_the_library,
    search_finds_a_resource,
    titles_and_summaries_fall_back_to_english,
    an_author_without_consent_is_not_named_to_the_public,
    a_page_of_resources_with_their_links_costs_a_fixed_number_of_statements,
    the_demo_library_holds_the_european_prison_rules,
);
