//! Personal data by consent: what callers other than editors and admins see
//! of people, what the audit log keeps of them, erasure, and the subject
//! access request.

use entity::value::{Role, SessionLevel, SessionTopic, StakeholderKind};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{Backend, TestApp, assert_error_code, spawn_app, token};
use crate::on_both_databases;

/// Runs `document` as `caller` (`None`: anonymous) and returns the whole body.
async fn as_caller(app: &TestApp, caller: Option<&str>, document: &str, variables: Value) -> Value {
    match caller {
        None => app.graphql(document, variables).await,
        Some(token) => app.graphql_as(token, document, variables).await.1,
    }
}

/// Runs `document` as `caller` and fails on any error.
async fn ok(app: &TestApp, caller: &str, document: &str, variables: Value) -> Value {
    let (_, body) = app.graphql_as(caller, document, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

const CREATE: &str =
    "mutation($input: StakeholderInput!) { createStakeholder(input: $input) { id version } }";

async fn create_person(app: &TestApp, input: Value) -> (String, i32) {
    let data = ok(
        app,
        &token(Role::Editor, None),
        CREATE,
        json!({ "input": input }),
    )
    .await;
    let created = &data["createStakeholder"];
    (
        created["id"].as_str().unwrap().to_owned(),
        i32::try_from(created["version"].as_i64().unwrap()).unwrap(),
    )
}

/// A visit to the first demo facility and a European session, both with `participants`.
async fn activities_with(app: &TestApp, participants: &[&str]) -> (String, String) {
    let editor = token(Role::Editor, None);
    let slug = fixtures::facility_slugs(&app.db).await.remove(0);
    let facility = fixtures::facility(&app.db, &slug).await;
    let visit = ok(
        app,
        &editor,
        "mutation($f: ID!, $p: [ID!]) { createVisit(input: { facility: $f, visitedOn: \"2025-04-02\", participants: $p }) { id } }",
        json!({ "f": api::graphql::id::encode(api::graphql::id::Kind::Facility, facility.uuid).to_string(), "p": participants }),
    )
    .await;
    let session = ok(
        app,
        &editor,
        "mutation($p: [ID!]) { createLearningSession(input: { title: \"Relational security\", heldOn: \"2025-05-02\", level: EUROPEAN, topic: RELATIONAL_SECURITY, participants: $p }) { id } }",
        json!({ "p": participants }),
    )
    .await;
    (
        visit["createVisit"]["id"].as_str().unwrap().to_owned(),
        session["createLearningSession"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

async fn consent_is_recorded_by_the_server_and_read_by_editors_only(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let (id, _) = create_person(
        &app,
        json!({ "name": "Maud Consenting", "kind": "RESEARCH", "consent": { "name": true, "kind": true } }),
    )
    .await;
    let read = "query($id: ID!) { stakeholder(id: $id) { version consent { name affiliation kind recordedAt recordedBy } } }";
    let first = ok(&app, &editor, read, json!({ "id": id })).await;
    let consent = &first["stakeholder"]["consent"];
    assert_eq!(
        (&consent["name"], &consent["affiliation"], &consent["kind"]),
        (&json!(true), &json!(false), &json!(true))
    );
    assert_eq!(consent["recordedBy"], "ana@example.org");
    assert!(consent["recordedAt"].is_string(), "{first:#}");

    // A write that leaves the consent as it is leaves its record too.
    ok(
        &app,
        &editor,
        "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 1, input: { name: \"Maud C.\" }) { version } }",
        json!({ "id": id }),
    )
    .await;
    let second = ok(&app, &editor, read, json!({ "id": id })).await;
    assert_eq!(second["stakeholder"]["consent"], *consent);
    // Withdrawn, it is recorded anew.
    let withdrawn = ok(
        &app,
        &token(Role::Admin, None),
        "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 2, input: { consent: { name: false } }) { consent { name kind recordedBy } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        withdrawn["updateStakeholder"]["consent"],
        json!({ "name": false, "kind": false, "recordedBy": "ana@example.org" })
    );

    fixtures::organisation(&app.db, "rescaled").await;
    let person =
        fixtures::stakeholder(&app.db, "Public Person", StakeholderKind::Policy, None).await;
    let global =
        api::graphql::id::encode(api::graphql::id::Kind::Stakeholder, person.uuid).to_string();
    for caller in [None, Some(token(Role::Partner, Some("rescaled")))] {
        let body = as_caller(
            &app,
            caller.as_deref(),
            "query($id: ID!) { stakeholder(id: $id) { name consent { name } } }",
            json!({ "id": global }),
        )
        .await;
        assert_error_code(&body, "FORBIDDEN");
        assert_eq!(body["errors"][0]["path"], json!(["stakeholder", "consent"]));
    }
}

/// The strings nobody but editors and admins may find about the person
/// without consent, and about the affiliation and kind of the one who gave
/// only a name.
const SECRETS: [&str; 6] = [
    "Hedwig",
    "Hiddenname",
    "Hidden Org",
    "Open Org",
    "LIVED_EXPERIENCE",
    "lived experience",
];

async fn no_unconsented_name_or_kind_reaches_anonymous_callers_or_partners(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let be = fixtures::workshop(&app.db, "be").await;
    let be_id =
        api::graphql::id::encode(api::graphql::id::Kind::KnowledgeWorkshop, be.uuid).to_string();
    let (open, _) = create_person(
        &app,
        json!({ "name": "Olga Openname", "kind": "LIVED_EXPERIENCE", "organisation": "Open Org",
                "countryCode": "BE", "workshops": [be_id], "consent": { "name": true } }),
    )
    .await;
    let (hidden, _) = create_person(
        &app,
        json!({ "name": "Hedwig Hiddenname", "kind": "LIVED_EXPERIENCE", "organisation": "Hidden Org",
                "countryCode": "BE", "email": "hedwig@example.org", "workshops": [be_id] }),
    )
    .await;
    let (visit, session) = activities_with(&app, &[&open, &hidden]).await;
    fixtures::organisation(&app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));

    let participants = "participants { name kind anonymous stakeholder { id name kind organisation countryCode } }";
    let paths: Vec<(&str, String, Value)> = vec![
        ("stakeholder without consent", "query($id: ID!) { stakeholder(id: $id) { id name kind organisation } }".into(), json!({ "id": hidden })),
        ("stakeholder with a name only", "query($id: ID!) { stakeholder(id: $id) { id name kind organisation countryCode } }".into(), json!({ "id": open })),
        ("stakeholders", "{ stakeholders { totalCount nodes { id name kind organisation countryCode workshops { key } } } }".into(), json!({})),
        ("stakeholders by kind", "{ stakeholders(filter: { kind: [LIVED_EXPERIENCE] }) { totalCount nodes { name } } }".into(), json!({})),
        ("stakeholders by country", "{ stakeholders(filter: { countryCode: [\"BE\"] }) { totalCount nodes { name } } }".into(), json!({})),
        ("stakeholders by name", "{ stakeholders(filter: { text: \"hedwig\" }) { totalCount nodes { name } } }".into(), json!({})),
        ("stakeholders by organisation", "{ stakeholders(filter: { text: \"org\" }) { totalCount nodes { name } } }".into(), json!({})),
        ("search by name", "{ search(text: \"hedwig\") { __typename ... on Stakeholder { id name } } }".into(), json!({})),
        ("search by organisation", "{ search(text: \"org\") { __typename ... on Stakeholder { id name } } }".into(), json!({})),
        ("node", "query($id: ID!) { node(id: $id) { id ... on Stakeholder { name kind } } }".into(), json!({ "id": hidden })),
        ("change feed", "{ changes(first: 500) { nodes { action entityType entityId node { id ... on Stakeholder { name kind organisation } } } } }".into(), json!({})),
        ("visit participants", format!("query($id: ID!) {{ visit(id: $id) {{ {participants} }} }}"), json!({ "id": visit })),
        ("session participants", format!("query($id: ID!) {{ learningSession(id: $id) {{ {participants} }} }}"), json!({ "id": session })),
        ("visits", "{ visits(first: 5) { nodes { participants { name kind } } } }".into(), json!({})),
        ("workshop members", "{ knowledgeWorkshops { key members { totalCount nodes { id name kind organisation } } memberStats { total byKind { count } } } }".into(), json!({})),
        ("a refused write", "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 1, input: { phone: \"+32 2 000 00 00\" }) { name } }".into(), json!({ "id": hidden })),
        ("a stale version", "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 9) { name } }".into(), json!({ "id": hidden })),
        ("contact details", "query($id: ID!) { stakeholder(id: $id) { name email } }".into(), json!({ "id": open })),
    ];
    for caller in [None, Some(partner.as_str())] {
        let who = if caller.is_some() {
            "a partner"
        } else {
            "an anonymous caller"
        };
        let mut seen = String::new();
        for (path, document, variables) in &paths {
            let body = as_caller(&app, caller, document, variables.clone())
                .await
                .to_string();
            for secret in SECRETS.iter().chain([&hidden.as_str()]) {
                assert!(
                    !body.to_lowercase().contains(&secret.to_lowercase()),
                    "{who} finds `{secret}` through {path}: {body}"
                );
            }
            seen.push_str(&body);
        }
        for export in ["/facilities.csv", "/facilities.geojson"] {
            let body = app.get(export).await.text().await.unwrap();
            for secret in ["Olga", "Hedwig", "Hidden Org", "Open Org"] {
                assert!(
                    !body.contains(secret),
                    "the export {export} names `{secret}`"
                );
            }
        }
        assert!(
            seen.contains("Olga Openname"),
            "the consenting person is public"
        );
    }

    // The activities stay whole: the named participant, then an anonymous one.
    let whole = app
        .query(
            &format!("query($id: ID!) {{ visit(id: $id) {{ {participants} }} }}"),
            json!({ "id": visit }),
        )
        .await;
    assert_eq!(
        whole["visit"]["participants"],
        json!([
            { "name": "Olga Openname", "kind": null, "anonymous": false,
              "stakeholder": { "id": open, "name": "Olga Openname", "kind": null, "organisation": null, "countryCode": null } },
            { "name": "a participant", "kind": null, "anonymous": true, "stakeholder": null }
        ])
    );
    let members = app
        .query(
            "{ knowledgeWorkshops { key members { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        members["knowledgeWorkshops"][0],
        json!({ "key": "be", "members": { "totalCount": 1 } })
    );
    // Editors see everyone, in full.
    let editor = ok(
        &app,
        &token(Role::Editor, None),
        &format!("query($id: ID!) {{ visit(id: $id) {{ {participants} }} }}"),
        json!({ "id": visit }),
    )
    .await;
    let names: Vec<&str> = editor["visit"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Hedwig Hiddenname", "Olga Openname"]);
    assert_eq!(
        editor["visit"]["participants"][0]["kind"],
        "LIVED_EXPERIENCE"
    );
}

async fn a_kind_in_the_open_describes_an_anonymous_participant(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let researcher = fixtures::person(
        &app.db,
        "Rita Nameless",
        StakeholderKind::Research,
        None,
        fixtures::Consent {
            kind: true,
            ..fixtures::Consent::NONE
        },
    )
    .await;
    let olen = fixtures::facility(&app.db, "detentiehuis-olen").await;
    fixtures::visit(
        &app.db,
        olen.id,
        fixtures::day(2025, 1, 5),
        None,
        &[researcher.id],
    )
    .await;
    fixtures::session(
        &app.db,
        "Ecosystem",
        fixtures::day(2025, 2, 5),
        SessionLevel::European,
        SessionTopic::Ecosystem,
        &[researcher.id],
    )
    .await;

    let data = app
        .query(
            "{ visits(first: 5) { nodes { participants { name kind anonymous stakeholder { id } } } }
               learningSessions(first: 5) { nodes { participants { name kind anonymous } } } }",
            json!({}),
        )
        .await;

    let expected = json!({ "name": "a researcher", "kind": "RESEARCH", "anonymous": true });
    assert_eq!(
        data["visits"]["nodes"][0]["participants"],
        json!([{ "name": "a researcher", "kind": "RESEARCH", "anonymous": true, "stakeholder": null }])
    );
    assert_eq!(
        data["learningSessions"]["nodes"][0]["participants"],
        json!([expected])
    );
    assert!(!data.to_string().contains("Rita"));
}

async fn contact_details_and_consent_stay_out_of_the_audit_log_and_the_feed(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let (id, _) = create_person(
        &app,
        json!({ "name": "Carla Contact", "kind": "POLICY", "email": "carla-4417@example.org",
                "phone": "+32 2 555 44 17", "consent": { "name": true } }),
    )
    .await;
    let feed = "query($after: String) { changes(after: $after, first: 500) { nodes { action entityId entityVersion } pageInfo { endCursor } } }";
    let start = app.query(feed, json!({})).await;
    assert_eq!(
        start["changes"]["nodes"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["entityId"],
        json!(id),
        "a person with a public name is in the feed"
    );
    let cursor = start["changes"]["pageInfo"]["endCursor"].clone();

    let update = "mutation($id: ID!, $v: Int!, $input: StakeholderPatch!) { updateStakeholder(id: $id, expectedVersion: $v, input: $input) { version } }";
    for (version, input) in [
        (1, json!({ "email": "carla-9921@example.org" })),
        (2, json!({ "phone": null })),
        (3, json!({ "consent": { "name": true, "kind": true } })),
        (4, json!({ "organisation": "Not public" })),
    ] {
        let data = ok(
            &app,
            &editor,
            update,
            json!({ "id": id, "v": version, "input": input }),
        )
        .await;
        assert_eq!(data["updateStakeholder"]["version"], version + 1);
    }
    let private = app.query(feed, json!({ "after": cursor })).await;
    assert_eq!(
        private["changes"]["nodes"],
        json!([]),
        "changes the public does not see are not public events"
    );
    ok(
        &app,
        &editor,
        update,
        json!({ "id": id, "v": 5, "input": { "name": "Carla C." } }),
    )
    .await;
    let public = app.query(feed, json!({ "after": cursor })).await;
    assert_eq!(
        public["changes"]["nodes"],
        json!([{ "action": "UPDATED", "entityId": id, "entityVersion": 6 }])
    );

    let log = ok(
        &app,
        &token(Role::Admin, None),
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action entityVersion before after } } }",
        json!({ "id": id }),
    )
    .await;
    let text = log.to_string();
    for secret in ["carla-4417", "carla-9921", "555 44 17"] {
        assert!(
            !text.contains(secret),
            "the audit log keeps `{secret}`: {text}"
        );
    }
    let events = log["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 6, "every write is audited: {log:#}");
    assert_eq!(
        events[0]["after"]["email"],
        json!({ "set": true, "changed": true })
    );
    assert_eq!(
        events[1]["before"]["email"],
        json!({ "set": true, "changed": true })
    );
    assert_eq!(
        events[1]["after"]["phone"],
        json!({ "set": true, "changed": false })
    );
    assert_eq!(
        events[2]["after"]["phone"],
        json!({ "set": false, "changed": true })
    );
    assert_eq!(events[3]["after"]["consent"]["kind"], true);
}

async fn small_groups_of_a_workshop_are_not_counted_in_public(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    for i in 0..6 {
        let name = format!("Practitioner {i}");
        fixtures::person(
            &app.db,
            &name,
            StakeholderKind::Practice,
            Some("be"),
            fixtures::Consent::NONE,
        )
        .await;
    }
    for i in 0..2 {
        let name = format!("Witness {i}");
        fixtures::person(
            &app.db,
            &name,
            StakeholderKind::LivedExperience,
            Some("be"),
            fixtures::Consent::NONE,
        )
        .await;
    }
    let query = "{ stakeholderStats { total byKind { kind count } }
                   knowledgeWorkshops { key members { totalCount } memberStats { total byKind { kind count } } } }";
    let count_of = |stats: &Value, kind: &str| {
        stats["byKind"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap()["count"]
            .clone()
    };

    let public = app.query(query, json!({})).await;
    let editor = ok(&app, &token(Role::Editor, None), query, json!({})).await;

    assert_eq!(public["stakeholderStats"]["total"], 8);
    assert_eq!(count_of(&public["stakeholderStats"], "LIVED_EXPERIENCE"), 2);
    let be = &public["knowledgeWorkshops"][0];
    assert_eq!(be["key"], "be");
    assert_eq!(
        be["members"]["totalCount"], 0,
        "no member consented to a public name"
    );
    assert_eq!(be["memberStats"]["total"], 8);
    assert_eq!(count_of(&be["memberStats"], "PRACTICE"), 6);
    assert_eq!(
        count_of(&be["memberStats"], "LIVED_EXPERIENCE"),
        Value::Null
    );
    assert_eq!(count_of(&be["memberStats"], "RESEARCH"), Value::Null);
    assert_eq!(
        public["knowledgeWorkshops"][1]["memberStats"]["total"],
        Value::Null
    );
    let be = &editor["knowledgeWorkshops"][0];
    assert_eq!(count_of(&be["memberStats"], "LIVED_EXPERIENCE"), 2);
    assert_eq!(count_of(&be["memberStats"], "RESEARCH"), 0);
}

/// The names of every table of the database, from its catalogue.
async fn tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Every row of every table, each as text.
async fn dump(db: &DatabaseConnection) -> String {
    let backend = db.get_database_backend();
    let mut all = String::new();
    for table in tables(db).await {
        let sql = match backend {
            DbBackend::Postgres => format!("SELECT t::text FROM \"{table}\" t"),
            _ => {
                let columns = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("PRAGMA table_info(\"{table}\")"),
                    ))
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| format!("quote(\"{}\")", c.try_get::<String>("", "name").unwrap()))
                    .collect::<Vec<_>>();
                format!("SELECT {} FROM \"{table}\"", columns.join(" || ',' || "))
            }
        };
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            all.push_str(&table);
            all.push(':');
            all.push_str(&row.try_get_by_index::<String>(0).unwrap());
            all.push('\n');
        }
    }
    all
}

async fn an_erased_person_leaves_no_trace_in_any_table(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let editor = token(Role::Editor, None);
    let admin = token(Role::Admin, None);
    let (id, _) = create_person(
        &app,
        json!({ "name": "Xanthippe Quillfeather", "kind": "LIVED_EXPERIENCE", "organisation": "Quillfeather Trust",
                "countryCode": "NL", "email": "xq-7731@example.org", "phone": "+31 6 7731 7731",
                "consent": { "name": true, "affiliation": true, "kind": true } }),
    )
    .await;
    let (visit, session) = activities_with(&app, &[&id]).await;
    let update = "mutation($id: ID!, $v: Int!, $input: StakeholderPatch!) { updateStakeholder(id: $id, expectedVersion: $v, input: $input) { version } }";
    for (version, input) in [
        (1, json!({ "name": "Xanthippe Q. Quillfeather" })),
        (2, json!({ "phone": "+31 6 7731 0000" })),
        (3, json!({ "consent": { "name": true } })),
    ] {
        ok(
            &app,
            &editor,
            update,
            json!({ "id": id, "v": version, "input": input }),
        )
        .await;
    }
    // The phone with its spaces: four digits alone turn up in random UUIDs.
    let secrets = ["xanthippe", "quillfeather", "xq-7731", "+31 6 7731"];
    let before = dump(&app.db).await.to_lowercase();
    assert!(
        secrets.iter().all(|s| before.contains(s)),
        "the dump finds the person before the erasure"
    );

    let stale = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 1) { id } }",
            json!({ "id": id }),
        )
        .await
        .1;
    assert_error_code(&stale, "CONFLICT");
    let erased = ok(
        &app,
        &admin,
        "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 4) { name organisation version erasedAt } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(erased["eraseStakeholder"]["name"], "");
    assert_eq!(erased["eraseStakeholder"]["version"], 5);
    assert!(erased["eraseStakeholder"]["erasedAt"].is_string());

    let after = dump(&app.db).await.to_lowercase();
    for secret in secrets {
        assert!(
            !after.contains(secret),
            "`{secret}` is left after the erasure:\n{after}"
        );
    }
    for (caller, who) in [(None, "anonymous"), (Some(editor.as_str()), "editor")] {
        let body = as_caller(
            &app,
            caller,
            "query($v: ID!, $s: ID!, $id: ID!) { visit(id: $v) { participants { name anonymous stakeholder { id } } }
               learningSession(id: $s) { participants { name anonymous } } stakeholder(id: $id) { id } }",
            json!({ "v": visit, "s": session, "id": id }),
        )
        .await;
        assert_eq!(
            body["data"],
            json!({
                "visit": { "participants": [{ "name": "a participant", "anonymous": true, "stakeholder": null }] },
                "learningSession": { "participants": [{ "name": "a participant", "anonymous": true }] },
                "stakeholder": null
            }),
            "{who}: {body:#}"
        );
    }
    let log = ok(
        &app,
        &admin,
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action entityId before after } } }",
        json!({ "id": id }),
    )
    .await;
    let events = log["auditLog"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 5);
    let last = events.last().unwrap();
    assert_eq!(
        (
            &last["action"],
            &last["entityId"],
            &last["before"],
            &last["after"]["erased"]
        ),
        (&json!("ERASED"), &json!(id), &Value::Null, &json!(true))
    );
    assert!(events.iter().all(|e| e["entityId"] == json!(id)));
    let feed = app
        .query("{ changes(first: 500) { nodes { entityId } } }", json!({}))
        .await;
    assert!(
        !feed.to_string().contains(&id),
        "the erased person's events left the feed"
    );

    let again = app
        .graphql_as(
            &editor,
            update,
            json!({ "id": id, "v": 5, "input": { "name": "Xanthippe" } }),
        )
        .await
        .1;
    assert_error_code(&again, "CONFLICT");
}

/// Discipline, gender and age band are personal data: editors and admins
/// read them, the audit log keeps only whether each is set, and erasure
/// clears them with the consent to record them.
async fn discipline_gender_and_age_band_are_personal_and_erased(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let admin = token(Role::Admin, None);
    let (id, _) = create_person(
        &app,
        json!({ "name": "Dana Demographic", "kind": "RESEARCH", "discipline": "CRIMINOLOGY",
                "gender": "NON_BINARY", "ageBand": "FROM_55_TO_64",
                "consent": { "name": true, "demographics": true } }),
    )
    .await;
    let document = "query($id: ID!) { stakeholder(id: $id) { discipline gender ageBand } }";
    for caller in [None, Some(token(Role::Partner, Some("rescaled")))] {
        let body = as_caller(&app, caller.as_deref(), document, json!({ "id": id })).await;
        assert_error_code(&body, "FORBIDDEN");
    }
    let read = ok(
        &app,
        &token(Role::Editor, None),
        document,
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        read["stakeholder"],
        json!({ "discipline": "CRIMINOLOGY", "gender": "NON_BINARY", "ageBand": "FROM_55_TO_64" })
    );
    let log = ok(
        &app,
        &admin,
        "query($id: ID!) { auditLog(entityId: $id) { nodes { after } } }",
        json!({ "id": id }),
    )
    .await;
    let after = &log["auditLog"]["nodes"][0]["after"];
    for field in ["discipline", "gender", "age_band"] {
        assert_eq!(
            after[field],
            json!({ "set": true, "changed": true }),
            "{after:#}"
        );
    }
    assert!(!log.to_string().contains("criminology"));
    assert!(!log.to_string().contains("non_binary"));

    ok(
        &app,
        &admin,
        "mutation($id: ID!) { eraseStakeholder(id: $id, expectedVersion: 1) { id } }",
        json!({ "id": id }),
    )
    .await;
    let key = api::graphql::id::decode(&id, api::graphql::id::Kind::Stakeholder, "id").unwrap();
    let row_id = api::graphql::id::rows(&app.db, api::graphql::id::Kind::Stakeholder, &[key])
        .await
        .unwrap()[0];
    let row = <entity::stakeholder::Entity as sea_orm::EntityTrait>::find_by_id(row_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            row.discipline,
            row.gender,
            row.age_band,
            row.consent_demographics
        ),
        (None, None, None, false)
    );
}

async fn personal_data_holds_everything_about_one_person(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let admin = token(Role::Admin, None);
    let be = fixtures::workshop(&app.db, "be").await;
    let be_id =
        api::graphql::id::encode(api::graphql::id::Kind::KnowledgeWorkshop, be.uuid).to_string();
    let (id, _) = create_person(
        &app,
        json!({ "name": "Paula Request", "kind": "PRACTICE", "email": "paula@example.org",
                "phone": "+32 2 555 00 11", "workshops": [be_id] }),
    )
    .await;
    let (visit, session) = activities_with(&app, &[&id]).await;
    fixtures::person(
        &app.db,
        "Someone Else",
        StakeholderKind::Policy,
        Some("be"),
        fixtures::Consent::NONE,
    )
    .await;

    let query = "query($id: ID!) { personalData(stakeholder: $id) {
        stakeholder { id name kind email phone consent { name affiliation kind } }
        workshops { key } visits { id } learningSessions { id } auditEvents { action } } }";
    let data = ok(&app, &admin, query, json!({ "id": id })).await;

    assert_eq!(
        data["personalData"],
        json!({
            "stakeholder": { "id": id, "name": "Paula Request", "kind": "PRACTICE", "email": "paula@example.org",
                             "phone": "+32 2 555 00 11", "consent": { "name": false, "affiliation": false, "kind": false } },
            "workshops": [{ "key": "be" }],
            "visits": [{ "id": visit }],
            "learningSessions": [{ "id": session }],
            "auditEvents": [{ "action": "CREATED" }]
        })
    );
    let unknown = api::graphql::id::encode(
        api::graphql::id::Kind::Stakeholder,
        sea_orm::prelude::Uuid::now_v7(),
    )
    .to_string();
    let none = ok(&app, &admin, query, json!({ "id": unknown })).await;
    assert_eq!(none["personalData"], Value::Null);
    let editor = app
        .graphql_as(&token(Role::Editor, None), query, json!({ "id": id }))
        .await
        .1;
    assert_error_code(&editor, "FORBIDDEN");
    assert!(!editor.to_string().contains("paula"));
}

on_both_databases!(
    discipline_gender_and_age_band_are_personal_and_erased,
    consent_is_recorded_by_the_server_and_read_by_editors_only,
    no_unconsented_name_or_kind_reaches_anonymous_callers_or_partners,
    a_kind_in_the_open_describes_an_anonymous_participant,
    contact_details_and_consent_stay_out_of_the_audit_log_and_the_feed,
    small_groups_of_a_workshop_are_not_counted_in_public,
    an_erased_person_leaves_no_trace_in_any_table,
    personal_data_holds_everything_about_one_person,
);
