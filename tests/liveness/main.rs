//! The worst small requests of each kind, sent to the real server binary
//! while another client polls `/health`: the server must stay up, answer
//! every poll within 100 ms, and keep its resident memory under a bound.
//!
//! A test binary of its own, so that cargo runs it after the integration
//! tests rather than beside them: the latency it asserts is the server's,
//! not that of a machine busy with other tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[allow(dead_code)]
#[path = "../api/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};

use helpers::{Backend, ServerProcess, TestDatabase, token};

/// Every `/health` answer must come within this, whatever else runs.
const HEALTH_WITHIN: Duration = Duration::from_millis(100);

/// Peak resident memory of the server through every attack. The server at
/// rest on the demo data holds about 50 MiB; the attacks below take it to
/// about 100 MiB (a debug build).
const MEMORY_BOUND_KB: u64 = 256 * 1024;

/// Both databases, one after the other: run together, each would be the
/// other's noise.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The server binary under attack.
struct Server(ServerProcess);

impl std::ops::Deref for Server {
    type Target = ServerProcess;
    fn deref(&self) -> &ServerProcess {
        &self.0
    }
}

impl Server {
    fn start(database: &TestDatabase) -> Self {
        Self(ServerProcess::start(database, &[]))
    }

    /// Peak resident memory so far, in KiB (Linux).
    fn peak_memory_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_default()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.0.child.try_wait(), Ok(None))
    }
}

/// Polls `/health` on one kept-alive connection from a thread of its own,
/// so that the test's own work never delays a poll. Returns the slowest.
struct Poller {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(Duration, usize, Vec<String>)>,
}

impl Poller {
    fn start(address: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let address = address.to_owned();
        let thread = std::thread::spawn(move || {
            let (mut slowest, mut polls, mut failures) = (Duration::ZERO, 0, Vec::new());
            let mut stream: Option<TcpStream> = None;
            while !flag.load(Ordering::Relaxed) {
                let started = Instant::now();
                let connection = match stream.take() {
                    Some(s) => s,
                    None => match TcpStream::connect(&address) {
                        Ok(s) => s,
                        Err(err) => {
                            failures.push(format!("connect: {err}"));
                            std::thread::sleep(Duration::from_millis(10));
                            continue;
                        }
                    },
                };
                match health(connection) {
                    Ok(connection) => stream = Some(connection),
                    Err(err) => failures.push(err),
                }
                slowest = slowest.max(started.elapsed());
                polls += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
            (slowest, polls, failures)
        });
        Self { stop, thread }
    }

    fn finish(self) -> (Duration, usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// One `GET /health` on a kept-alive connection, read to the end of its body.
fn health(mut stream: TcpStream) -> Result<TcpStream, String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: liveness\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection".to_owned());
        }
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                if !head.starts_with("HTTP/1.1 200") {
                    return Err(format!("answered {}", head.lines().next().unwrap_or("")));
                }
                return Ok(stream);
            }
        }
    }
}

/// Sends one request of an attack to the server at an address; its status (0: no answer).
type Send = Box<dyn Fn(&reqwest::Client, &str) -> futures_util::future::BoxFuture<'static, u16>>;

struct Attack {
    name: &'static str,
    send: Send,
}

/// Sends a `POST` whose body arrives a byte every 100 ms, and returns the
/// status the server answers it with (it must cut it off: 408).
async fn trickle(address: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(address).await else {
        return 0;
    };
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return 0;
    }
    let started = Instant::now();
    let mut answer = Vec::new();
    while started.elapsed() < Duration::from_secs(20) && answer.is_empty() {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        let mut chunk = [0u8; 256];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(100), stream.read(&mut chunk)).await
        {
            answer.extend_from_slice(&chunk[..n]);
            if n == 0 {
                break;
            }
        }
    }
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn post(
    client: &reqwest::Client,
    address: &str,
    body: Value,
) -> futures_util::future::BoxFuture<'static, u16> {
    let request = client
        .post(format!("http://{address}/graphql"))
        .json(&body)
        .send();
    Box::pin(async move { request.await.map_or(0, |r| r.status().as_u16()) })
}

fn attacks(version: &str) -> Vec<Attack> {
    let version = version.to_owned();
    vec![
        Attack {
            name: "150 repeated principles in a GET",
            send: Box::new(|client, address| {
                let principles = vec!["SMALL_SCALE"; 150].join(",");
                let query = format!(
                    "{{ facilities(filter: {{ principles: [{principles}] }}) {{ totalCount }} }}"
                );
                let request = client
                    .get(format!("http://{address}/graphql"))
                    .query(&[("query", query.as_str())])
                    .send();
                Box::pin(async move { request.await.map_or(0, |r| r.status().as_u16()) })
            }),
        },
        Attack {
            name: "cursors at 2^63 and u64::MAX",
            send: Box::new(|client, address| {
                use base64::Engine;
                let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(format!("c1:000000000000:{}", u64::MAX));
                post(
                    client,
                    address,
                    json!({
                        "query": "query($c: String) { facilities(first: 5, after: $c) { nodes { name } } }",
                        "variables": { "c": cursor }
                    }),
                )
            }),
        },
        Attack {
            name: "a NUL byte in a string",
            send: Box::new(|client, address| {
                post(
                    client,
                    address,
                    json!({
                        "query": "query($f: FacilityFilter) { facilities(filter: $f) { totalCount } }",
                        "variables": { "f": { "text": "huis\u{0}" } }
                    }),
                )
            }),
        },
        Attack {
            name: "a body sent a byte at a time",
            send: Box::new(|_, address| {
                let address = address.to_owned();
                Box::pin(async move { trickle(&address).await })
            }),
        },
        Attack {
            name: "dry-run imports of a few thousand rows",
            send: Box::new(|client, address| {
                let mut csv = String::from(
                    "name,country_code,city,latitude,longitude,facility_type,capacity,opened_year,operator,population,security_level,status,managed_by,target_age,regime,social_enterprise,source_url\n",
                );
                for i in 0..3_000 {
                    csv.push_str(&format!(
                        "Huis {i:05},NL,Utrecht,52.1,5.1,detention_house,12,2024,,mixed,,open,,,,,\n"
                    ));
                }
                let request = client
                    .post(format!("http://{address}/graphql"))
                    .bearer_auth(token(Role::Editor, None))
                    .json(&json!({
                        "query": "mutation($csv: String!) { importFacilities(csv: $csv, dryRun: true) { created } }",
                        "variables": { "csv": csv }
                    }))
                    .send();
                Box::pin(async move { request.await.map_or(0, |r| r.status().as_u16()) })
            }),
        },
        Attack {
            name: "members of workshops of members, nested",
            send: Box::new(|client, address| {
                post(
                    client,
                    address,
                    json!({ "query": "{ knowledgeWorkshops { members(first: 500) { nodes { name workshops { members(first: 500) { nodes { name workshops { members(first: 500) { nodes { name } } } } } } } } } }" }),
                )
            }),
        },
        Attack {
            name: "the diff of two long, unrelated versions",
            send: Box::new(move |client, address| {
                post(
                    client,
                    address,
                    json!({
                        "query": "query($id: ID!) { guidelineVersion(id: $id) { diff { truncated hunks { lines { kind text } } } } }",
                        "variables": { "id": version }
                    }),
                )
            }),
        },
        Attack {
            name: "25,000 principles in a filter",
            send: Box::new(|client, address| {
                let flood = vec!["SMALL_SCALE"; 25_000].join(",");
                post(
                    client,
                    address,
                    json!({ "query": format!("{{ facilities(filter: {{ principles: [{flood}] }}) {{ totalCount }} }}") }),
                )
            }),
        },
        Attack {
            name: "1,500 principles in a CSV export",
            send: Box::new(|client, address| {
                let request = client
                    .get(format!(
                        "http://{address}/facilities.csv?principles={}",
                        vec!["small_scale"; 1_500].join(",")
                    ))
                    .send();
                Box::pin(async move { request.await.map_or(0, |r| r.status().as_u16()) })
            }),
        },
        Attack {
            name: "fragments doubling over 25 levels",
            send: Box::new(|client, address| {
                let mut query = String::from("query { viewer { ...L0 } }\n");
                for level in 0..25 {
                    query.push_str(&format!(
                        "fragment L{level} on Viewer {{ ...L{n} ...L{n} }}\n",
                        n = level + 1
                    ));
                }
                query.push_str("fragment L25 on Viewer { role }\n");
                post(client, address, json!({ "query": query }))
            }),
        },
        Attack {
            name: "a megabyte of fields",
            send: Box::new(|client, address| {
                let fields = "role ".repeat(200_000);
                post(
                    client,
                    address,
                    json!({ "query": format!("{{ viewer {{ {fields} }} }}") }),
                )
            }),
        },
        Attack {
            name: "brackets nested 400,000 deep",
            send: Box::new(|client, address| {
                let depth = 400_000;
                post(
                    client,
                    address,
                    json!({ "query": format!("{{ facilities(filter: {{ countryCode: {}\"BE\"{} }}) {{ totalCount }} }}", "[".repeat(depth), "]".repeat(depth)) }),
                )
            }),
        },
        Attack {
            name: "30,000 country codes as a variable",
            send: Box::new(|client, address| {
                post(
                    client,
                    address,
                    json!({
                        "query": "query($f: FacilityFilter) { facilities(filter: $f) { totalCount } }",
                        "variables": { "f": { "countryCode": vec!["BE"; 30_000] } }
                    }),
                )
            }),
        },
        Attack {
            name: "a megabyte operation name",
            send: Box::new(|client, address| {
                post(
                    client,
                    address,
                    json!({
                        "query": "query Q { facilities { totalCount } }",
                        "operationName": "Q".repeat(1_000_000)
                    }),
                )
            }),
        },
        Attack {
            name: "a batch of twenty full pages",
            send: Box::new(|client, address| {
                let batch: Vec<Value> = (0..20)
                    .map(|i| json!({ "query": format!("{{ p{i}: facilities(first: 500) {{ nodes {{ name city description sourceUrl }} }} }}") }))
                    .collect();
                let request = client
                    .post(format!("http://{address}/graphql"))
                    .json(&batch)
                    .send();
                Box::pin(async move { request.await.map_or(0, |r| r.status().as_u16()) })
            }),
        },
    ]
}

/// What the attacks on lists and texts need: forty members in a workshop
/// (each in every workshop), and two long, unrelated guideline versions.
async fn arrange(database: &TestDatabase) -> String {
    use entity::value::{GuidelineStatus, StakeholderKind};
    let db = database.connect().await;
    let keys = ["be", "fr", "nl", "eu"];
    for i in 0..40 {
        let person = fixtures::stakeholder(
            &db,
            &format!("Member {i:02}"),
            StakeholderKind::Practice,
            None,
        )
        .await;
        for key in keys {
            let workshop = fixtures::workshop(&db, key).await;
            sea_orm::ActiveModelTrait::insert(
                entity::workshop_membership::ActiveModel {
                    workshop_id: sea_orm::ActiveValue::Set(workshop.id),
                    stakeholder_id: sea_orm::ActiveValue::Set(person.id),
                    ..Default::default()
                },
                &db,
            )
            .await
            .unwrap();
        }
    }
    let body = |tag: &str| {
        let mut body = String::new();
        let mut line = 0;
        while body.len() < api::service::kernel::validate::MAX_BODY - 100 {
            body.push_str(&format!("{tag} line {line:06}\n"));
            line += 1;
        }
        body
    };
    fixtures::guideline_version(
        &db,
        "ecosystem-rules",
        1,
        GuidelineStatus::Adopted,
        &body("old"),
    )
    .await;
    let newer = fixtures::guideline_version(
        &db,
        "ecosystem-rules",
        2,
        GuidelineStatus::Consultation,
        &body("new"),
    )
    .await;
    helpers::gid(api::graphql::id::Kind::GuidelineVersion, newer.id)
}

async fn attack_while_polling(backend: Backend) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut server = Server::start(&database);
    let version = arrange(&database).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let _ = token(Role::Editor, None);
    for attack in attacks(&version) {
        let poller = Poller::start(&server.address);
        std::thread::sleep(Duration::from_millis(50));
        // Ten at once: a flood of the same request, as a prober would send.
        let sent = (0..10).map(|_| (attack.send)(&client, &server.address));
        let started = Instant::now();
        let statuses = futures_util::future::join_all(sent).await;
        let took = started.elapsed();
        std::thread::sleep(Duration::from_millis(50));
        let (slowest, polls, failures) = poller.finish();
        eprintln!(
            "{backend:?} {}: answered {statuses:?} in {took:?}; /health: {polls} polls, slowest {slowest:?}; peak memory {} MiB",
            attack.name,
            server.peak_memory_kb() / 1024
        );
        assert!(server.is_running(), "{}: the server stopped", attack.name);
        assert!(
            failures.is_empty(),
            "{}: /health failed: {failures:?}",
            attack.name
        );
        assert!(
            slowest <= HEALTH_WITHIN,
            "{}: /health took {slowest:?}",
            attack.name
        );
        assert!(
            statuses.iter().all(|s| (200..500).contains(s)),
            "{}: answered {statuses:?}",
            attack.name
        );
        assert!(
            server.peak_memory_kb() < MEMORY_BOUND_KB,
            "{}: peak memory {} KiB",
            attack.name,
            server.peak_memory_kb()
        );
    }
    // Still serving ordinary reads.
    let answer: Value = client
        .post(format!("http://{}/graphql", server.address))
        .json(&json!({ "query": "{ facilities { totalCount } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        answer["data"]["facilities"]["totalCount"].as_i64() > Some(0),
        "{answer}"
    );
}

/// Generated hostile shapes: long and repeated lists, fragment fan-out,
/// nested lists, huge operation names, extreme cursors, control characters.
mod hostile {
    use base64::Engine;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn principle() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "SMALL_SCALE",
            "DIFFERENTIATION",
            "COMMUNITY_INTEGRATION",
            "NOT_A_PRINCIPLE",
        ])
    }

    fn long_list() -> impl Strategy<Value = Value> {
        (principle(), 0usize..40_000, any::<bool>()).prop_map(|(p, n, inline)| {
            let items = vec![p; n];
            if inline {
                json!({ "query": format!("{{ facilities(filter: {{ principles: [{}] }}) {{ totalCount }} }}", items.join(",")) })
            } else {
                json!({
                    "query": "query($f: FacilityFilter) { facilities(filter: $f) { totalCount nodes { name } } }",
                    "variables": { "f": { "principles": items, "countryCode": vec!["BE"; n % 300] } }
                })
            }
        })
    }

    fn fan_out() -> impl Strategy<Value = Value> {
        (1usize..40, 1usize..6).prop_map(|(levels, fan)| {
            let mut query = String::from("query { viewer { ...F0 } }\n");
            for level in 0..levels {
                let spreads = vec![format!("...F{}", level + 1); fan].join(" ");
                query.push_str(&format!("fragment F{level} on Viewer {{ {spreads} }}\n"));
            }
            query.push_str(&format!("fragment F{levels} on Viewer {{ role }}\n"));
            json!({ "query": query })
        })
    }

    fn nested_lists() -> impl Strategy<Value = Value> {
        (1usize..10, prop::option::of(1i32..600)).prop_map(|(levels, first)| {
            let page = first.map_or(String::new(), |n| format!("(first: {n})"));
            let mut inner = String::from("name");
            for _ in 0..levels {
                inner = format!(
                    "facility {{ visits{page} {{ nodes {{ participants {{ name }} {inner} }} }} }}"
                );
            }
            json!({ "query": format!("{{ visits{page} {{ nodes {{ {inner} }} }} }}") })
        })
    }

    fn operation_name() -> impl Strategy<Value = Value> {
        (0usize..2_000_000, "[A-Za-z_\\n\\u{0} ]{1,3}").prop_map(|(n, unit)| {
            json!({ "query": "query Q { facilities { totalCount } }", "operationName": unit.repeat(n / unit.len().max(1)) })
        })
    }

    fn cursor() -> impl Strategy<Value = Value> {
        (any::<u64>(), "[0-9a-f]{12}", any::<bool>()).prop_map(|(offset, fingerprint, after)| {
            let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!("c1:{fingerprint}:{offset}"));
            let argument = if after { "after" } else { "before" };
            json!({
                "query": format!("query($c: String) {{ facilities(first: 5, {argument}: $c) {{ nodes {{ name }} }} }}"),
                "variables": { "c": cursor }
            })
        })
    }

    fn control_characters() -> impl Strategy<Value = Value> {
        ("[a-z ]{0,20}", prop::sample::select(vec!['\u{0}', '\u{1b}', '\u{202e}', '\u{200b}', '\u{feff}', '\u{fffe}']), "[a-z ]{0,20}")
            .prop_map(|(before, c, after)| {
                json!({
                    "query": "query($f: FacilityFilter) { facilities(filter: $f) { totalCount } search(text: \"huis\") { __typename } }",
                    "variables": { "f": { "text": format!("{before}{c}{after}") } }
                })
            })
    }

    pub fn request() -> impl Strategy<Value = Value> {
        prop_oneof![
            long_list(),
            fan_out(),
            nested_lists(),
            operation_name(),
            cursor(),
            control_characters(),
        ]
    }
}

/// How many generated requests each database gets (`WISH_FUZZ_CASES`, 60 by default).
fn hostile_cases() -> usize {
    std::env::var("WISH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(60, |n| n / 5)
        .max(1)
}

async fn generated_hostile_requests(backend: Backend) {
    use proptest::strategy::{Strategy, ValueTree};
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut server = Server::start(&database);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let poller = Poller::start(&server.address);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = hostile::request();
    let mut slowest = (Duration::ZERO, String::new());
    for _ in 0..hostile_cases() {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let started = Instant::now();
        let response = client
            .post(format!("http://{}/graphql", server.address))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or_default();
        let took = started.elapsed();
        let shown: String = body.to_string().chars().take(200).collect();
        if took > slowest.0 {
            slowest = (took, shown.clone());
        }
        assert!(status < 500, "{status} for {shown}");
        assert!(took < Duration::from_secs(5), "{took:?} for {shown}");
        for error in answer["errors"].as_array().into_iter().flatten() {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            assert!(
                ["BAD_USER_INPUT", "QUERY_TOO_COMPLEX"].contains(&code),
                "{code} for {shown}: {error}"
            );
            assert!(
                error.to_string().len() < 2_000,
                "an error echoes its input: {shown}"
            );
        }
        assert!(server.is_running(), "the server stopped on {shown}");
    }
    let (slowest_poll, polls, failures) = poller.finish();
    eprintln!(
        "{backend:?} {} generated requests: slowest {:?} ({}); /health: {polls} polls, slowest {slowest_poll:?}; peak memory {} MiB",
        hostile_cases(),
        slowest.0,
        slowest.1,
        server.peak_memory_kb() / 1024
    );
    assert!(failures.is_empty(), "/health failed: {failures:?}");
    assert!(
        slowest_poll <= HEALTH_WITHIN,
        "/health took {slowest_poll:?}"
    );
    assert!(
        server.peak_memory_kb() < MEMORY_BOUND_KB,
        "peak memory {} KiB",
        server.peak_memory_kb()
    );
}

#[actix_web::test]
async fn sqlite_answers_generated_hostile_requests_in_time() {
    generated_hostile_requests(Backend::Sqlite).await;
}

#[actix_web::test]
async fn postgres_answers_generated_hostile_requests_in_time() {
    generated_hostile_requests(Backend::Postgres).await;
}

#[actix_web::test]
async fn sqlite_survives_every_attack_and_keeps_answering_health() {
    attack_while_polling(Backend::Sqlite).await;
}

#[actix_web::test]
async fn postgres_survives_every_attack_and_keeps_answering_health() {
    attack_while_polling(Backend::Postgres).await;
}
