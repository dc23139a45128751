//! Webhooks, received by `tests/webhooks/receiver.mjs`, which verifies every
//! delivery with the `standardwebhooks` library: signatures, order, retries,
//! disabling, redelivery, rotation, filters, the address guard, roles, and
//! two server processes sharing the work over one PostgreSQL database.

use std::collections::HashSet;
use std::time::Duration;

use entity::value::Role;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

use crate::fixtures;
use crate::helpers::{
    Backend, ServerProcess, TestApp, TestDatabase, assert_error_code, serve_settings,
    spawn_app_with, token,
};

const WAIT: Duration = Duration::from_secs(15);

/// The receiver process and what it prints.
struct Receiver {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    port: u16,
    control: reqwest::Client,
}

impl Receiver {
    /// The receiver, listening; `None` (the test skipped) where it cannot run.
    async fn start() -> Option<Self> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks");
        let node = std::process::Command::new("node").arg("--version").output();
        let missing = if !dir.join("node_modules/standardwebhooks").is_dir() {
            Some("run `npm ci` in tests/webhooks")
        } else if !node.is_ok_and(|o| o.status.success()) {
            Some("Node.js is not installed")
        } else {
            None
        };
        if let Some(missing) = missing {
            assert!(
                !crate::helpers::in_ci(),
                "the webhook receiver cannot run: {missing}"
            );
            eprintln!("SKIPPED the webhook receiver: {missing}");
            return None;
        }
        let mut child = tokio::process::Command::new("node")
            .arg("receiver.mjs")
            .current_dir(&dir)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("run node");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(WAIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .expect("the receiver printed nothing");
        let port = serde_json::from_str::<Value>(&first).unwrap()["listening"]
            .as_u64()
            .unwrap();
        Some(Self {
            _child: child,
            lines,
            port: u16::try_from(port).unwrap(),
            control: reqwest::Client::new(),
        })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    async fn put(&self, path: &str, body: String) {
        let response = self
            .control
            .put(format!("http://127.0.0.1:{}{path}", self.port))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);
    }

    /// The secrets it verifies with, by index.
    async fn secrets(&self, secrets: &[&str]) {
        self.put("/_secrets", serde_json::to_string(secrets).unwrap())
            .await;
    }

    /// The status it answers verified deliveries with.
    async fn answer(&self, status: u16) {
        self.put("/_status", status.to_string()).await;
    }

    /// The next request it received.
    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(WAIT, self.lines.next_line())
            .await
            .expect("no delivery arrived in time")
            .unwrap()
            .expect("the receiver ended");
        serde_json::from_str(&line).unwrap()
    }

    /// Nothing more arrives within `wait`.
    /// The next `count` deliveries, each as its type, record id and version.
    async fn next_kinds(&mut self, count: usize) -> Vec<(String, String, Value)> {
        let mut got = Vec::new();
        for _ in 0..count {
            let event = self.next().await;
            let data = &event["payload"]["data"];
            got.push((
                event["payload"]["type"].as_str().unwrap().to_owned(),
                data["entityId"].as_str().unwrap().to_owned(),
                data["entityVersion"].clone(),
            ));
        }
        got
    }

    async fn quiet(&mut self, wait: Duration) {
        if let Ok(line) = tokio::time::timeout(wait, self.lines.next_line()).await {
            panic!("an unexpected request arrived: {line:?}");
        }
    }
}

/// Settings under which a test server delivers to the loopback receiver
/// quickly: retries after 50 ms, three attempts.
fn settings() -> api::config::ServeSettings {
    api::config::ServeSettings {
        webhook_allow_private_addresses: true,
        webhook_allow_http: true,
        webhook_retry_base_ms: 50,
        webhook_max_attempts: 3,
        webhook_timeout_ms: 3_000,
        ..serve_settings()
    }
}

const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id organisation url entityTypes ownFacilitiesOnly enabled version } } }";

async fn as_ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (_, body) = app.graphql_as(token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

/// Registers an endpoint of `rescaled` (as its partner); its id and secret.
async fn endpoint(app: &TestApp, url: &str, extra: Value) -> (String, String) {
    fixtures::organisation(&app.db, "rescaled").await;
    let mut input = json!({ "url": url });
    input
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let data = as_ok(
        app,
        &token(Role::Partner, Some("rescaled")),
        CREATE,
        json!({ "input": input }),
    )
    .await;
    let created = &data["createWebhookEndpoint"];
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

async fn create_facility(app: &TestApp, role: Role, org: Option<&str>, name: &str) -> String {
    let data = as_ok(
        app,
        &token(role, org),
        "mutation($name: String!) { createFacility(input: { name: $name, countryCode: \"NL\", facilityType: OTHER, status: OPEN, capacity: 10 }) { id } }",
        json!({ "name": name }),
    )
    .await;
    data["createFacility"]["id"].as_str().unwrap().to_owned()
}

const LOG: &str = "query { webhookEndpoints { id enabled disabledReason consecutiveFailures deliveries { nodes { id eventType status attempts lastStatus lastError } } } }";

async fn log(app: &TestApp) -> Value {
    as_ok(app, &token(Role::Partner, Some("rescaled")), LOG, json!({})).await["webhookEndpoints"][0]
        .clone()
}

async fn events_arrive_signed_in_order_each_once(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (_, secret) = endpoint(&app, &receiver.url(), json!({})).await;
    assert!(secret.starts_with("whsec_"));
    receiver.secrets(&[&secret]).await;
    let mut ids = Vec::new();
    for name in ["Huis Een", "Huis Twee", "Huis Drie"] {
        ids.push(create_facility(&app, Role::Editor, None, name).await);
    }
    let mut cursors = Vec::new();
    let mut seen = HashSet::new();
    for id in &ids {
        let got = receiver.next().await;
        assert_eq!(got["verifiedWith"], json!([0]), "{got:#}");
        assert_eq!(got["contentType"], "application/json");
        let payload = &got["payload"];
        assert_eq!(payload["type"], "facility.created");
        assert_eq!(payload["data"]["entityId"], id.as_str());
        assert_eq!(payload["data"]["action"], "CREATED");
        assert_eq!(payload["data"]["entityType"], "FACILITY");
        assert_eq!(payload["data"]["entityVersion"], 1);
        assert!(seen.insert(got["id"].as_str().unwrap().to_owned()));
        cursors.push(payload["data"]["cursor"].as_str().unwrap().to_owned());
    }
    receiver.quiet(Duration::from_millis(500)).await;
    // The payload's cursor is the change feed's.
    let feed = app
        .query(
            "query { changes(first: 500) { edges { cursor node { __typename } } } }",
            json!({}),
        )
        .await;
    let feed: Vec<&str> = feed["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["cursor"].as_str().unwrap())
        .collect();
    assert_eq!(
        feed[feed.len() - 3..],
        cursors.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let endpoint = log(&app).await;
    let statuses: Vec<&Value> = endpoint["deliveries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["status"])
        .collect();
    assert_eq!(statuses, [&json!("DELIVERED"); 3]);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("wish_webhook_deliveries_total{outcome=\"delivered\"} 3"),
        "{metrics}"
    );
}

async fn failures_are_retried_in_order_then_disable_the_endpoint(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (id, secret) = endpoint(&app, &receiver.url(), json!({})).await;
    receiver.secrets(&[&secret]).await;
    receiver.answer(500).await;
    let first = create_facility(&app, Role::Editor, None, "Huis Faalt").await;
    let second = create_facility(&app, Role::Editor, None, "Huis Wacht").await;
    // Three attempts of the first event, the same id each time; the second
    // waits behind it.
    let mut attempts = Vec::new();
    for _ in 0..3 {
        let got = receiver.next().await;
        assert_eq!(got["payload"]["data"]["entityId"], first.as_str());
        assert_eq!(got["status"], 500);
        attempts.push((got["id"].clone(), std::time::Instant::now()));
    }
    assert!(attempts.iter().all(|(id, _)| *id == attempts[0].0));
    // Backoff: the third attempt waits longer than the base.
    assert!(attempts[2].1 - attempts[1].1 >= Duration::from_millis(50));
    receiver.quiet(Duration::from_millis(600)).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("wish_webhook_deliveries_total{outcome=\"failed\"} 3"),
        "{metrics}"
    );
    let partner = token(Role::Partner, Some("rescaled"));
    let endpoint = log(&app).await;
    assert_eq!(endpoint["enabled"], false);
    let reason = endpoint["disabledReason"].as_str().unwrap();
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert_eq!(endpoint["consecutiveFailures"], 3);
    let deliveries = endpoint["deliveries"]["nodes"].as_array().unwrap();
    assert_eq!(deliveries[0]["status"], "PENDING");
    assert_eq!(deliveries[1]["status"], "FAILED");
    assert_eq!(deliveries[1]["attempts"], 3);
    assert_eq!(deliveries[1]["lastStatus"], 500);
    let failed = deliveries[1]["id"].clone();

    // Enabled again, the waiting delivery goes; the failed one is redelivered on demand.
    receiver.answer(200).await;
    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { enableWebhookEndpoint(id: $id) { enabled } }",
        json!({ "id": id }),
    )
    .await;
    let got = receiver.next().await;
    assert_eq!(got["payload"]["data"]["entityId"], second.as_str());
    assert_eq!(got["status"], 200);
    let redelivered = as_ok(
        &app,
        &partner,
        "mutation($d: ID!) { redeliverWebhook(delivery: $d) { id status attempts } }",
        json!({ "d": failed }),
    )
    .await;
    assert_eq!(redelivered["redeliverWebhook"]["status"], "PENDING");
    let got = receiver.next().await;
    assert_eq!(got["id"], failed);
    assert_eq!(got["payload"]["data"]["entityId"], first.as_str());
    receiver.quiet(Duration::from_millis(300)).await;
    let endpoint = log(&app).await;
    assert_eq!(endpoint["enabled"], true);
    assert_eq!(endpoint["consecutiveFailures"], 0);
}

async fn a_rotated_secret_and_the_previous_both_sign(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (id, old) = endpoint(&app, &receiver.url(), json!({})).await;
    let partner = token(Role::Partner, Some("rescaled"));
    let rotated = as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret endpoint { previousSecretExpiresAt } } }",
        json!({ "id": id }),
    )
    .await;
    let new = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert!(!rotated["rotateWebhookSecret"]["endpoint"]["previousSecretExpiresAt"].is_null());
    receiver.secrets(&[&old, new]).await;
    create_facility(&app, Role::Editor, None, "Huis Sleutel").await;
    let got = receiver.next().await;
    assert_eq!(got["verifiedWith"], json!([0, 1]), "{got:#}");
    assert_eq!(got["signatures"], 2);

    // Without an overlap, only the new secret signs.
    let rotated = as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { rotateWebhookSecret(id: $id, keepPreviousHours: 0) { secret } }",
        json!({ "id": id }),
    )
    .await;
    let newest = rotated["rotateWebhookSecret"]["secret"].as_str().unwrap();
    receiver.secrets(&[&old, new, newest]).await;
    create_facility(&app, Role::Editor, None, "Huis Slot").await;
    let got = receiver.next().await;
    assert_eq!(got["verifiedWith"], json!([2]), "{got:#}");
    assert_eq!(got["signatures"], 1);
}

async fn filters_choose_the_events(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (_, secret) = endpoint(
        &app,
        &receiver.url(),
        json!({ "entityTypes": ["FACILITY"], "ownFacilitiesOnly": true }),
    )
    .await;
    receiver.secrets(&[&secret]).await;
    let own = create_facility(&app, Role::Partner, Some("rescaled"), "Huis Eigen").await;
    let got = receiver.next().await;
    assert_eq!(got["payload"]["data"]["entityId"], own.as_str(), "{got:#}");
    // Another organisation's facility, a project facility, and a visit (another
    // entity type) to its own facility: none is sent.
    fixtures::organisation(&app.db, "other-partner").await;
    create_facility(&app, Role::Partner, Some("other-partner"), "Huis Ander").await;
    create_facility(&app, Role::Editor, None, "Huis Project").await;
    as_ok(
        &app,
        &token(Role::Partner, Some("rescaled")),
        "mutation($f: ID!) { createVisit(input: { facility: $f, visitedOn: \"2025-04-02\" }) { id } }",
        json!({ "f": own }),
    )
    .await;
    let next = create_facility(&app, Role::Partner, Some("rescaled"), "Huis Ook Eigen").await;
    let got = receiver.next().await;
    assert_eq!(got["payload"]["data"]["entityId"], next.as_str(), "{got:#}");
    receiver.quiet(Duration::from_millis(300)).await;
}

async fn non_public_addresses_are_refused_unless_allowed(backend: Backend) {
    let Some(app) = spawn_app_with(backend, serve_settings()).await else {
        return;
    };
    fixtures::organisation(&app.db, "rescaled").await;
    let partner = token(Role::Partner, Some("rescaled"));
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://100.64.0.1/hook",
        "https://localhost/hook",
        "http://example.org/hook",
    ] {
        let (_, body) = app
            .graphql_as(&partner, CREATE, json!({ "input": { "url": url } }))
            .await;
        assert_error_code(&body, "BAD_USER_INPUT");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.url",
            "{url}: {body:#}"
        );
    }
    let Some(allowing) = spawn_app_with(backend, settings()).await else {
        return;
    };
    fixtures::organisation(&allowing.db, "rescaled").await;
    let (_, body) = allowing
        .graphql_as(
            &partner,
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/hook" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
}

async fn roles_hold(backend: Backend) {
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (id, _) = endpoint(&app, "http://127.0.0.1:9/hook", json!({})).await;
    fixtures::organisation(&app.db, "other-partner").await;
    let other = token(Role::Partner, Some("other-partner"));
    // Another partner sees none of it, and cannot touch it.
    let (_, listed) = app.graphql_as(&other, LOG, json!({})).await;
    assert_eq!(listed["data"]["webhookEndpoints"], json!([]));
    let (_, rotated) = app
        .graphql_as(
            &other,
            "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
            json!({ "id": id }),
        )
        .await;
    assert_error_code(&rotated, "NOT_FOUND");
    let (_, deleted) = app
        .graphql_as(
            &other,
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_error_code(&deleted, "NOT_FOUND");
    let (_, foreign) = app
        .graphql_as(
            &other,
            CREATE,
            json!({ "input": { "organisation": "rescaled", "url": "http://127.0.0.1:9/" } }),
        )
        .await;
    assert_error_code(&foreign, "FORBIDDEN");
    // Editors manage no webhooks; anonymous callers are asked for a token.
    let (_, editor) = app
        .graphql_as(&token(Role::Editor, None), LOG, json!({}))
        .await;
    assert_error_code(&editor, "FORBIDDEN");
    let anonymous = app.graphql(LOG, json!({})).await;
    assert_error_code(&anonymous, "UNAUTHENTICATED");
    // Admins see every organisation's, and manage them.
    let admin = token(Role::Admin, None);
    let all = as_ok(
        &app,
        &admin,
        "query { webhookEndpoints { id organisation } }",
        json!({}),
    )
    .await;
    assert_eq!(
        all["webhookEndpoints"],
        json!([{ "id": id, "organisation": "rescaled" }])
    );
    let created = as_ok(
        &app,
        &admin,
        CREATE,
        json!({ "input": { "organisation": "other-partner", "url": "http://127.0.0.1:9/", "entityTypes": ["VISIT"] } }),
    )
    .await;
    assert_eq!(
        created["createWebhookEndpoint"]["endpoint"]["organisation"],
        "other-partner"
    );
    assert_eq!(
        created["createWebhookEndpoint"]["endpoint"]["entityTypes"],
        json!(["VISIT"])
    );
    // A stale version is a conflict.
    let (_, stale) = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { updateWebhookEndpoint(id: $id, version: 7, input: { url: \"http://127.0.0.1:9/\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_error_code(&stale, "CONFLICT");
    let deleted = as_ok(
        &app,
        &token(Role::Partner, Some("rescaled")),
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(deleted["deleteWebhookEndpoint"], id.as_str());
}

/// A delivery another replica claimed is not sent while its lease holds,
/// and is sent once the lease runs out (the replica died while sending).
async fn a_dead_replicas_claim_is_taken_over_when_its_lease_ends(backend: Backend) {
    use entity::{audit_event, webhook_delivery, webhook_endpoint};
    use sea_orm::prelude::Uuid;
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    };

    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (id, secret) = endpoint(&app, &receiver.url(), json!({})).await;
    receiver.secrets(&[&secret]).await;
    let partner = token(Role::Partner, Some("rescaled"));
    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { disableWebhookEndpoint(id: $id, reason: \"maintenance\") { enabled disabledReason } }",
        json!({ "id": id }),
    )
    .await;
    // An event, fanned out (the cursor past it) and claimed by a replica
    // that died while sending it.
    create_facility(&app, Role::Editor, None, "Huis Verweesd").await;
    let row = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Uuid.eq(id.parse::<Uuid>().unwrap()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let event = audit_event::Entity::find()
        .filter(audit_event::Column::Public.eq(true))
        .order_by_desc(audit_event::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    webhook_endpoint::Entity::update_many()
        .col_expr(
            webhook_endpoint::Column::Cursor,
            sea_orm::sea_query::Expr::value(event.id),
        )
        .filter(webhook_endpoint::Column::Id.eq(row.id))
        .exec(&app.db)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let claimed = Uuid::new_v4();
    webhook_delivery::ActiveModel {
        uuid: Set(claimed),
        endpoint_id: Set(row.id),
        audit_event_id: Set(event.id),
        event_type: Set("facility.updated".to_owned()),
        status: Set(entity::value::DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now - chrono::Duration::seconds(1)),
        leased_until: Set(Some(now + chrono::Duration::milliseconds(1500))),
        lease_owner: Set(Some("a-replica-that-died".to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { enableWebhookEndpoint(id: $id) { enabled } }",
        json!({ "id": id }),
    )
    .await;
    receiver.quiet(Duration::from_millis(900)).await;
    let got = receiver.next().await;
    assert_eq!(got["id"], claimed.to_string());
    assert_eq!(got["verifiedWith"], json!([0]));
    receiver.quiet(Duration::from_millis(300)).await;
}

/// A suspended organisation receives nothing; what happened meanwhile
/// follows, in order, once it is reinstated (its own suspension included).
async fn a_suspended_organisation_receives_nothing_until_reinstated(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (_, secret) = endpoint(&app, &receiver.url(), json!({})).await;
    receiver.secrets(&[&secret]).await;
    let admin = token(Role::Admin, None);
    as_ok(
        &app,
        &admin,
        "mutation { suspendOrganisation(slug: \"rescaled\") { slug } }",
        json!({}),
    )
    .await;
    let first = create_facility(&app, Role::Editor, None, "Huis Stil").await;
    let second = create_facility(&app, Role::Editor, None, "Huis Stiller").await;
    receiver.quiet(Duration::from_millis(500)).await;
    as_ok(
        &app,
        &admin,
        "mutation { reinstateOrganisation(slug: \"rescaled\") { slug } }",
        json!({}),
    )
    .await;
    // The suspension and the reinstatement are changes of the organisation,
    // in the feed like any other: they come in their places.
    let mut got = Vec::new();
    for _ in 0..4 {
        let event = receiver.next().await;
        got.push((
            event["payload"]["type"].as_str().unwrap().to_owned(),
            event["payload"]["data"]["entityId"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let kinds: Vec<&str> = got.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "organisation.updated",
            "facility.created",
            "facility.created",
            "organisation.updated"
        ]
    );
    assert_eq!([&got[1].1, &got[2].1], [&first, &second]);
}

/// A partner hears what becomes of its own proposals, and of no one else's.
async fn a_partner_hears_the_decision_on_its_proposals(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (_, secret) = endpoint(
        &app,
        &receiver.url(),
        json!({ "entityTypes": ["PROPOSAL"] }),
    )
    .await;
    receiver.secrets(&[&secret]).await;
    fixtures::organisation(&app.db, "other-org").await;
    let facility = create_facility(&app, Role::Editor, None, "Huis Voorstel").await;
    let propose = "mutation($id: ID!) { proposeFacilityChange(facility: $id, input: {capacity: 12}, reason: \"Counted again.\", source: {url: \"https://example.org/count\"}) { id } }";
    let other = as_ok(
        &app,
        &token(Role::Partner, Some("other-org")),
        propose,
        json!({ "id": facility }),
    )
    .await;
    let own = as_ok(
        &app,
        &token(Role::Partner, Some("rescaled")),
        propose,
        json!({ "id": facility }),
    )
    .await;
    let own_id = own["proposeFacilityChange"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [
        &own_id,
        other["proposeFacilityChange"]["id"].as_str().unwrap(),
    ] {
        as_ok(
            &app,
            &token(Role::Editor, None),
            "mutation($id: ID!) { rejectProposal(id: $id, expectedVersion: 1, reason: \"Not so.\") { status } }",
            json!({ "id": id }),
        )
        .await;
    }
    let got = receiver.next_kinds(2).await;
    assert_eq!(
        got,
        [
            ("proposal.created".to_owned(), own_id.clone(), json!(1)),
            ("proposal.updated".to_owned(), own_id, json!(2)),
        ]
    );
    receiver.quiet(Duration::from_millis(500)).await;
}

/// A partner hears of its own comments on a version in consultation and of
/// the editors' answers to them, and of no one else's, before adoption
/// makes them public.
async fn a_partner_hears_the_answers_to_its_comments(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let (_, secret) = endpoint(
        &app,
        &receiver.url(),
        json!({ "entityTypes": ["CONSULTATION_COMMENT"] }),
    )
    .await;
    receiver.secrets(&[&secret]).await;
    fixtures::organisation(&app.db, "other-org").await;
    let version = fixtures::guideline_version(
        &app.db,
        "relational-security",
        1,
        entity::value::GuidelineStatus::Consultation,
        "In consultation",
    )
    .await;
    let version = crate::helpers::gid(api::graphql::id::Kind::GuidelineVersion, version.id);
    let comment = "mutation($id: ID!) { addConsultationComment(input: { version: $id, text: \"Say more about visits.\" }) { id } }";
    let mut ids = Vec::new();
    for organisation in ["other-org", "rescaled"] {
        let added = as_ok(
            &app,
            &token(Role::Partner, Some(organisation)),
            comment,
            json!({ "id": version }),
        )
        .await;
        ids.push(
            added["addConsultationComment"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for id in &ids {
        as_ok(
            &app,
            &token(Role::Editor, None),
            "mutation($id: ID!) { answerConsultationComment(id: $id, expectedVersion: 1, input: { status: PARTLY_ACCEPTED, answer: \"Rule 3 says more.\" }) { status } }",
            json!({ "id": id }),
        )
        .await;
    }
    let got = receiver.next_kinds(2).await;
    let own = ids[1].clone();
    assert_eq!(
        got,
        [
            (
                "consultation_comment.created".to_owned(),
                own.clone(),
                json!(1)
            ),
            ("consultation_comment.updated".to_owned(), own, json!(2)),
        ]
    );
    receiver.quiet(Duration::from_millis(500)).await;
}

const ENDPOINT_AUDIT: &str = "query($after: String) { auditLog(entityType: WEBHOOK_ENDPOINT, after: $after, first: 500) { nodes { action entityType entityId entityVersion actorSubject actorRole actorOrganisation origin before after } pageInfo { endCursor } } }";

/// The audit log's events of webhook endpoints, as an admin reads them.
async fn endpoint_events(app: &TestApp) -> Vec<Value> {
    let data = as_ok(app, &token(Role::Admin, None), ENDPOINT_AUDIT, json!({})).await;
    data["auditLog"]["nodes"].as_array().unwrap().clone()
}

/// The one event a write left, the last of the log: there is one more than `before`.
async fn the_new_event(app: &TestApp, before: usize) -> Value {
    let events = endpoint_events(app).await;
    assert_eq!(events.len(), before + 1, "{events:#?}");
    events[before].clone()
}

fn masked(set: bool, changed: bool) -> Value {
    json!({ "set": set, "changed": changed })
}

/// Creating, changing, rotating, disabling, enabling and deleting an
/// endpoint is each one audit event naming who did it, with the URL but
/// never a secret; a refused write leaves none, and the change feed shows none.
async fn each_write_of_an_endpoint_is_one_audit_event_without_its_secrets(backend: Backend) {
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let partner = token(Role::Partner, Some("rescaled"));
    let admin = token(Role::Admin, None);
    let (id, first_secret) = endpoint(&app, "http://127.0.0.1:9/hook", json!({})).await;
    let global =
        api::graphql::id::encode(api::graphql::id::Kind::WebhookEndpoint, id.parse().unwrap())
            .to_string();
    let created = the_new_event(&app, 0).await;
    assert_eq!(created["action"], "CREATED");
    assert_eq!(created["entityType"], "WEBHOOK_ENDPOINT");
    assert_eq!(created["entityId"], global.as_str());
    assert_eq!(created["entityVersion"], 1);
    assert_eq!(created["actorSubject"], "ana@example.org");
    assert_eq!(created["actorRole"], "PARTNER");
    assert_eq!(created["actorOrganisation"], "rescaled");
    assert_eq!(created["origin"], "api");
    assert_eq!(created["before"], Value::Null);
    assert_eq!(created["after"]["uuid"], id.as_str());
    assert_eq!(created["after"]["url"], "http://127.0.0.1:9/hook");
    assert_eq!(created["after"]["secret"], masked(true, true));
    assert_eq!(created["after"]["previous_secret"], masked(false, false));
    // Every kind of record but endpoints' own writes, which no webhook is sent.
    let listed = as_ok(
        &app,
        &partner,
        "query { webhookEndpoints { entityTypes } }",
        json!({}),
    )
    .await;
    let kinds = listed["webhookEndpoints"][0]["entityTypes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(kinds.contains(&json!("FACILITY")), "{kinds:?}");
    assert!(!kinds.contains(&json!("WEBHOOK_ENDPOINT")), "{kinds:?}");

    // Refused writes leave no event.
    let refusals = [
        (
            token(Role::Editor, None),
            CREATE,
            json!({ "input": { "organisation": "rescaled", "url": "http://127.0.0.1:9/" } }),
            "FORBIDDEN",
        ),
        (
            partner.clone(),
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/", "description": "x".repeat(501) } }),
            "BAD_USER_INPUT",
        ),
        (
            partner.clone(),
            CREATE,
            json!({ "input": { "url": "http://127.0.0.1:9/", "entityTypes": ["WEBHOOK_ENDPOINT"] } }),
            "BAD_USER_INPUT",
        ),
        (
            partner.clone(),
            "mutation($id: ID!) { updateWebhookEndpoint(id: $id, version: 7, input: { url: \"http://127.0.0.1:9/\" }) { version } }",
            json!({ "id": id }),
            "CONFLICT",
        ),
        (
            partner.clone(),
            "mutation($id: ID!) { rotateWebhookSecret(id: $id, keepPreviousHours: 1000) { secret } }",
            json!({ "id": id }),
            "BAD_USER_INPUT",
        ),
        (
            token(Role::Partner, Some("other-partner")),
            "mutation($id: ID!) { disableWebhookEndpoint(id: $id) { enabled } }",
            json!({ "id": id }),
            "NOT_FOUND",
        ),
        (
            token(Role::Editor, None),
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            json!({ "id": id }),
            "FORBIDDEN",
        ),
    ];
    fixtures::organisation(&app.db, "other-partner").await;
    for (caller, query, variables, code) in refusals {
        let (_, body) = app.graphql_as(&caller, query, variables).await;
        assert_error_code(&body, code);
    }
    assert_eq!(endpoint_events(&app).await.len(), 1);

    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { updateWebhookEndpoint(id: $id, version: 1, input: { url: \"http://127.0.0.1:9/other\", description: \"sync\" }) { version } }",
        json!({ "id": id }),
    )
    .await;
    let updated = the_new_event(&app, 1).await;
    assert_eq!(updated["action"], "UPDATED");
    assert_eq!(updated["entityVersion"], 2);
    assert_eq!(updated["before"]["url"], "http://127.0.0.1:9/hook");
    assert_eq!(updated["after"]["url"], "http://127.0.0.1:9/other");
    assert_eq!(updated["after"]["description"], "sync");
    assert_eq!(updated["after"]["secret"], masked(true, false));

    let rotated = as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
        json!({ "id": id }),
    )
    .await;
    let second_secret = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let rotation = the_new_event(&app, 2).await;
    assert_eq!(rotation["action"], "UPDATED");
    assert_eq!(rotation["entityVersion"], 3);
    assert_eq!(rotation["before"]["secret"], masked(true, true));
    assert_eq!(rotation["after"]["secret"], masked(true, true));
    assert_eq!(rotation["before"]["previous_secret"], masked(false, true));
    assert_eq!(rotation["after"]["previous_secret"], masked(true, true));

    // An admin's write names the admin.
    as_ok(
        &app,
        &admin,
        "mutation($id: ID!) { disableWebhookEndpoint(id: $id, reason: \"maintenance\") { enabled } }",
        json!({ "id": id }),
    )
    .await;
    let disabled = the_new_event(&app, 3).await;
    assert_eq!(disabled["action"], "UPDATED");
    assert_eq!(disabled["actorRole"], "ADMIN");
    assert_eq!(disabled["actorOrganisation"], Value::Null);
    assert_eq!(disabled["before"]["disabled_reason"], Value::Null);
    assert_eq!(disabled["after"]["disabled_reason"], "maintenance");

    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { enableWebhookEndpoint(id: $id) { enabled } }",
        json!({ "id": id }),
    )
    .await;
    let enabled = the_new_event(&app, 4).await;
    assert_eq!(enabled["action"], "UPDATED");
    assert_eq!(enabled["after"]["disabled_at"], Value::Null);

    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    let deleted = the_new_event(&app, 5).await;
    assert_eq!(deleted["action"], "DELETED");
    assert_eq!(deleted["entityVersion"], Value::Null);
    assert_eq!(deleted["after"], Value::Null);
    assert_eq!(deleted["before"]["uuid"], id.as_str());

    // The endpoint's history, by its global id, also once it is gone.
    let history = as_ok(
        &app,
        &admin,
        "query($id: ID!) { auditLog(entityId: $id) { nodes { action } } }",
        json!({ "id": global }),
    )
    .await;
    let actions: Vec<&Value> = history["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["action"])
        .collect();
    assert_eq!(
        actions,
        [
            "CREATED", "UPDATED", "UPDATED", "UPDATED", "UPDATED", "DELETED"
        ]
    );

    // No secret anywhere in the log, and none of these writes in the feed.
    let whole = as_ok(
        &app,
        &admin,
        "query { auditLog(first: 500) { nodes { before after } } }",
        json!({}),
    )
    .await
    .to_string();
    for secret in [&first_secret, &second_secret] {
        let key = secret.trim_start_matches("whsec_");
        assert!(!whole.contains(key), "a secret is in the audit log");
    }
    assert!(!whole.contains("whsec_"), "a secret is in the audit log");
    for caller in [None, Some(&partner), Some(&admin)] {
        let query = "query { changes(first: 500) { nodes { entityType } } }";
        let body = match caller {
            Some(caller) => app.graphql_as(caller, query, json!({})).await.1,
            None => app.graphql(query, json!({})).await,
        };
        let feed = body["data"]["changes"]["nodes"].as_array().unwrap().clone();
        assert!(
            feed.iter().all(|n| n["entityType"] != "WEBHOOK_ENDPOINT"),
            "{feed:#?}"
        );
    }
}

/// An endpoint's own writes, which are in the audit log, are never sent:
/// the first delivery after them is the next public change.
async fn an_endpoints_writes_are_never_sent(backend: Backend) {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(app) = spawn_app_with(backend, settings()).await else {
        return;
    };
    let partner = token(Role::Partner, Some("rescaled"));
    let (id, old) = endpoint(&app, &receiver.url(), json!({})).await;
    let rotated = as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
        json!({ "id": id }),
    )
    .await;
    let new = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    receiver.secrets(&[&old, &new]).await;
    as_ok(
        &app,
        &partner,
        "mutation($id: ID!, $url: String!) { updateWebhookEndpoint(id: $id, version: 2, input: { url: $url, description: \"all of it\" }) { version } }",
        json!({ "id": id, "url": receiver.url() }),
    )
    .await;
    let (other, _) = endpoint(&app, "http://127.0.0.1:9/hook", json!({})).await;
    as_ok(
        &app,
        &partner,
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
        json!({ "id": other }),
    )
    .await;
    assert_eq!(endpoint_events(&app).await.len(), 5);
    let facility = create_facility(&app, Role::Editor, None, "Huis Na").await;
    let got = receiver.next().await;
    assert_eq!(got["payload"]["type"], "facility.created", "{got:#}");
    assert_eq!(got["payload"]["data"]["entityId"], facility.as_str());
    receiver.quiet(Duration::from_millis(500)).await;
    let endpoint = log(&app).await;
    assert_eq!(endpoint["deliveries"]["nodes"].as_array().unwrap().len(), 1);
}

crate::on_both_databases!(
    each_write_of_an_endpoint_is_one_audit_event_without_its_secrets,
    an_endpoints_writes_are_never_sent,
    events_arrive_signed_in_order_each_once,
    a_partner_hears_the_decision_on_its_proposals,
    a_partner_hears_the_answers_to_its_comments,
    failures_are_retried_in_order_then_disable_the_endpoint,
    a_rotated_secret_and_the_previous_both_sign,
    filters_choose_the_events,
    non_public_addresses_are_refused_unless_allowed,
    roles_hold,
    a_dead_replicas_claim_is_taken_over_when_its_lease_ends,
    a_suspended_organisation_receives_nothing_until_reinstated,
);

/// Two server processes over one PostgreSQL database share the work: every
/// event reaches a healthy receiver once, in order, whichever process
/// took the write.
#[actix_web::test]
async fn two_processes_deliver_each_event_once() {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let args = [
        "--webhook-allow-private-addresses",
        "true",
        "--webhook-allow-http",
        "true",
        "--webhook-retry-base-ms",
        "50",
    ];
    let first = ServerProcess::start(&database, &args);
    let second = ServerProcess::start(&database, &args);
    let db = database.connect().await;
    fixtures::organisation(&db, "rescaled").await;
    let client = reqwest::Client::new();
    let post = |url: String,
                role: Role,
                org: Option<&'static str>,
                query: &'static str,
                variables: Value| {
        let client = client.clone();
        async move {
            let body: Value = client
                .post(url)
                .bearer_auth(token(role, org))
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(body.get("errors").is_none(), "{body:#}");
            body["data"].clone()
        }
    };
    let created = post(
        first.url("/graphql"),
        Role::Partner,
        Some("rescaled"),
        CREATE,
        json!({ "input": { "url": receiver.url() } }),
    )
    .await;
    let secret = created["createWebhookEndpoint"]["secret"].as_str().unwrap();
    receiver.secrets(&[secret]).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let server = if i % 2 == 0 { &first } else { &second };
        let data = post(
            server.url("/graphql"),
            Role::Editor,
            None,
            "mutation($name: String!) { createFacility(input: { name: $name, countryCode: \"NL\", facilityType: OTHER, status: OPEN }) { id } }",
            json!({ "name": format!("Huis Replica {i}") }),
        )
        .await;
        ids.push(data["createFacility"]["id"].as_str().unwrap().to_owned());
    }
    let mut received = Vec::new();
    for _ in &ids {
        let got = receiver.next().await;
        assert_eq!(got["verifiedWith"], json!([0]));
        received.push(
            got["payload"]["data"]["entityId"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(received, ids);
    receiver.quiet(Duration::from_secs(1)).await;
}

/// Retries are rows: a delivery that failed before the server stopped is
/// sent by the next server, with the same `webhook-id`.
#[actix_web::test]
async fn retries_survive_a_restart() {
    let Some(mut receiver) = Receiver::start().await else {
        return;
    };
    let Some(database) = TestDatabase::create(Backend::Sqlite).await else {
        return;
    };
    // A long first wait, so that the retry falls to the next server.
    let args = [
        "--webhook-allow-private-addresses",
        "true",
        "--webhook-allow-http",
        "true",
        "--webhook-retry-base-ms",
        "1500",
    ];
    let mut server = ServerProcess::start(&database, &args);
    let db = database.connect().await;
    fixtures::organisation(&db, "rescaled").await;
    let client = reqwest::Client::new();
    let post = |url: String, token: String, query: &'static str, variables: Value| {
        let client = client.clone();
        async move {
            let body: Value = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(body.get("errors").is_none(), "{body:#}");
            body["data"].clone()
        }
    };
    let created = post(
        server.url("/graphql"),
        token(Role::Partner, Some("rescaled")),
        CREATE,
        json!({ "input": { "url": receiver.url() } }),
    )
    .await;
    let secret = created["createWebhookEndpoint"]["secret"].as_str().unwrap();
    receiver.secrets(&[secret]).await;
    receiver.answer(503).await;
    post(
        server.url("/graphql"),
        token(Role::Editor, None),
        "mutation { createFacility(input: { name: \"Huis Herstart\", countryCode: \"NL\", facilityType: OTHER, status: OPEN }) { id } }",
        json!({}),
    )
    .await;
    let failed = receiver.next().await;
    assert_eq!(failed["status"], 503);
    assert!(server.stop().success());
    receiver.answer(204).await;
    let server = ServerProcess::start(&database, &args);
    let retried = receiver.next().await;
    assert_eq!(retried["id"], failed["id"]);
    assert_eq!(retried["status"], 204);
    assert_eq!(retried["payload"], failed["payload"]);
    drop(server);
}
