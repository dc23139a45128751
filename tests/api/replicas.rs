//! Several servers over one database, as replicas behind a load balancer
//! run them: started at the same moment on an empty database, they all come
//! up; a write through one is read through the others at once; one stopped
//! under load leaves the others answering. Cached answers cost no database
//! round trip, as replicas learn of writes by notification, and a replica
//! whose listening connection is killed still serves no stale answer.

use std::process::Child;
use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, ServerProcess, TestApp, TestDatabase, serve_settings, spawn_app, token,
};
use crate::on_both_databases;

/// Three replicas started at the same moment over `database`.
fn start_three(database: &TestDatabase) -> Vec<ServerProcess> {
    let children: Vec<Child> = (0..3)
        .map(|_| ServerProcess::spawn(database, &[]))
        .collect();
    children.into_iter().map(ServerProcess::ready).collect()
}

const KORTRIJK: &str = r#"{ facility(slug: "detentiehuis-kortrijk") { id version capacity } }"#;

/// An anonymous cached read, as the map makes it: its body and its ETag.
async fn read(client: &reqwest::Client, replica: &ServerProcess) -> (Value, String) {
    let response = client
        .get(replica.url("/graphql"))
        .query(&[("query", KORTRIJK)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (response.json().await.unwrap(), etag)
}

#[actix_web::test]
async fn replicas_started_together_all_come_up_and_share_the_data() {
    let client = reqwest::Client::new();
    // Several rounds: a race lost once in a while is still a race.
    for round in 0..3 {
        let Some(database) = TestDatabase::create(Backend::Postgres).await else {
            return;
        };
        let replicas = start_three(&database);
        for replica in &replicas {
            let ready = client.get(replica.url("/ready")).send().await.unwrap();
            assert_eq!(ready.status(), 200, "round {round}");
        }
        // Exactly one of them loaded the demo data, once.
        let counted: Value = client
            .post(replicas[2].url("/graphql"))
            .json(&json!({ "query": "{ facilities { totalCount } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            counted["data"]["facilities"]["totalCount"], 112,
            "round {round}"
        );
        if round < 2 {
            continue;
        }

        // A write through one is what the others answer within moments (they
        // learn of it by notification), with a new ETag.
        let (before, etag_before) = read(&client, &replicas[1]).await;
        let facility = &before["data"]["facility"];
        let written: Value = client
            .post(replicas[0].url("/graphql"))
            .bearer_auth(token(Role::Editor, None))
            .json(&json!({
                "query": "mutation($id: ID!, $v: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: 58 }) { capacity } }",
                "variables": { "id": facility["id"], "v": facility["version"] },
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            written["data"]["updateFacility"]["capacity"], 58,
            "{written:#}"
        );
        let written_at = Instant::now();
        for other in &replicas[1..] {
            let (after, etag_after) = loop {
                let (after, etag) = read(&client, other).await;
                if after["data"]["facility"]["capacity"] == 58 {
                    break (after, etag);
                }
                assert!(
                    written_at.elapsed() < Duration::from_secs(1),
                    "a replica still serves the old capacity"
                );
                actix_web::rt::time::sleep(Duration::from_millis(1)).await;
            };
            assert_eq!(after["data"]["facility"]["capacity"], 58);
            assert_ne!(etag_after, etag_before);
        }
        eprintln!(
            "every replica served the write {:?} after it was answered",
            written_at.elapsed()
        );

        // One stopped under load: the others answer every request meanwhile.
        let mut replicas = replicas;
        let mut stopping = replicas.remove(0);
        let load = async {
            let until = Instant::now() + Duration::from_millis(1500);
            let mut answered = 0;
            while Instant::now() < until {
                for replica in &replicas {
                    let (body, _) = read(&client, replica).await;
                    assert_eq!(body["data"]["facility"]["capacity"], 58);
                    answered += 1;
                }
            }
            answered
        };
        let stop = async {
            actix_web::rt::time::sleep(Duration::from_millis(300)).await;
            actix_web::rt::task::spawn_blocking(move || stopping.stop())
                .await
                .unwrap()
        };
        let (answered, status) = futures_util::future::join(load, stop).await;
        assert!(
            status.success(),
            "the stopped replica exits cleanly: {status}"
        );
        assert!(answered > 10, "only {answered} answers under load");
    }
}

/// A series of a server's `/metrics`.
async fn metric(client: &reqwest::Client, address: &str, series: &str) -> f64 {
    let text = client
        .get(format!("{address}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in /metrics:\n{text}"))
}

/// Waits until `series` of `address` is `value`, for at most five seconds.
async fn until_metric(client: &reqwest::Client, address: &str, series: &str, value: f64) {
    let until = Instant::now() + Duration::from_secs(5);
    while metric(client, address, series).await != value {
        assert!(Instant::now() < until, "{series} never became {value}");
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Kortrijk's capacity as `address` answers an anonymous cached read.
async fn capacity(client: &reqwest::Client, address: &str) -> Value {
    let body: Value = client
        .get(format!("{address}/graphql"))
        .query(&[("query", KORTRIJK)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["facility"]["capacity"].clone()
}

/// Sets Kortrijk's capacity through `app`.
async fn write_capacity(app: &TestApp, capacity: i64) {
    let data = app.query(KORTRIJK, json!({})).await;
    let (_, body) = app
        .graphql_as(
            &token(Role::Editor, None),
            "mutation($id: ID!, $v: Int!, $c: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: $c }) { capacity } }",
            json!({ "id": data["facility"]["id"], "v": data["facility"]["version"], "c": capacity }),
        )
        .await;
    assert_eq!(
        body["data"]["updateFacility"]["capacity"], capacity,
        "{body:#}"
    );
}

/// How long until `address` answers `expected`, asking every millisecond.
async fn until_served(client: &reqwest::Client, address: &str, expected: i64) -> Duration {
    let start = Instant::now();
    while capacity(client, address).await != expected {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{address} still serves the old capacity"
        );
        actix_web::rt::time::sleep(Duration::from_millis(1)).await;
    }
    start.elapsed()
}

async fn a_cached_answer_costs_no_statement_and_a_write_reaches_the_other_replica(
    backend: Backend,
) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let client = reqwest::Client::new();
    let crate::helpers::Replica {
        address: other,
        statements: other_statements,
    } = app.second_replica().await;
    until_metric(&client, &other, "wish_cache_invalidation_live", 1.0).await;

    // Warm, then count: a hit runs no SQL at all.
    assert_eq!(capacity(&client, &other).await, 57);
    let before = other_statements.get();
    for _ in 0..20 {
        assert_eq!(capacity(&client, &other).await, 57);
    }
    assert_eq!(other_statements.get(), before, "cached hits ran statements");

    // The replica that wrote serves its write at once.
    write_capacity(&app, 60).await;
    assert_eq!(capacity(&client, &app.address).await, 60);
    // The other learns of it by notification (PostgreSQL) or within its
    // check of other processes' writes (SQLite, where one process is the rule).
    let took = until_served(&client, &other, 60).await;
    eprintln!("{backend:?}: the other replica served the write after {took:?}");
    if backend == Backend::Postgres {
        assert!(took < Duration::from_secs(1), "notified after {took:?}");
    }
}

/// The listening connections of the replicas of `app`'s database.
async fn kill_listeners(app: &TestApp) -> u64 {
    use sea_orm::ConnectionTrait;
    let schema = app
        .database
        .settings
        .schema
        .clone()
        .unwrap_or_else(|| "public".to_owned());
    let name = api::data_version::listener_name(&schema);
    let killed = app
        .db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            [name.into()],
        ))
        .await
        .unwrap();
    killed.len() as u64
}

#[actix_web::test]
async fn a_replica_whose_listener_is_killed_reads_the_version_until_it_listens_again() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let client = reqwest::Client::new();
    let other = app.second_replica().await.address;
    until_metric(&client, &other, "wish_cache_invalidation_live", 1.0).await;
    until_metric(&client, &app.address, "wish_cache_invalidation_live", 1.0).await;
    assert_eq!(capacity(&client, &other).await, 57);
    let reads = metric(&client, &other, "wish_cache_version_reads_total").await;

    assert_eq!(kill_listeners(&app).await, 2, "one listener per replica");
    until_metric(&client, &other, "wish_cache_invalidation_live", 0.0).await;
    // A write while nobody listens: its notification is lost for good.
    write_capacity(&app, 61).await;
    assert_eq!(
        capacity(&client, &other).await,
        61,
        "served from a stale cache"
    );
    assert!(metric(&client, &other, "wish_cache_version_reads_total").await > reads);

    // Listening again, it catches up on what it missed and stops reading.
    until_metric(&client, &other, "wish_cache_invalidation_live", 1.0).await;
    let reads = metric(&client, &other, "wish_cache_version_reads_total").await;
    write_capacity(&app, 62).await;
    until_served(&client, &other, 62).await;
    assert_eq!(
        metric(&client, &other, "wish_cache_version_reads_total").await,
        reads
    );
}

/// Behind a pooler that delivers no notifications, the operator turns
/// listening off: every cached read asks for the version, and none is stale.
async fn without_listening_each_cached_read_reads_the_version(backend: Backend) {
    let settings = api::config::ServeSettings {
        cache_listen: false,
        ..serve_settings()
    };
    let Some(app) = crate::helpers::spawn_app_with(backend, settings).await else {
        return;
    };
    let client = reqwest::Client::new();
    assert_eq!(capacity(&client, &app.address).await, 57);
    let reads = metric(&client, &app.address, "wish_cache_version_reads_total").await;
    for _ in 0..5 {
        assert_eq!(capacity(&client, &app.address).await, 57);
    }
    assert_eq!(
        metric(&client, &app.address, "wish_cache_version_reads_total").await,
        reads + 5.0
    );
    assert_eq!(
        metric(&client, &app.address, "wish_cache_invalidation_live").await,
        0.0
    );
    write_capacity(&app, 63).await;
    assert_eq!(capacity(&client, &app.address).await, 63);
}

on_both_databases!(
    a_cached_answer_costs_no_statement_and_a_write_reaches_the_other_replica,
    without_listening_each_cached_read_reads_the_version,
);
