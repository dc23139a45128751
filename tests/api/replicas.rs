//! Several server processes over one PostgreSQL database, as replicas
//! behind a load balancer run them: started at the same moment on an empty
//! database, they all come up; a write through one is read through the
//! others at once; one stopped under load leaves the others answering.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use entity::value::Role;
use serde_json::{Value, json};

use crate::helpers::{Backend, TEST_SECRET, TestDatabase, token};

/// One `wish-api serve` process.
struct Replica {
    child: Child,
    address: String,
}

impl Replica {
    /// Starts a process; [`Replica::ready`] waits for it.
    fn spawn(database: &TestDatabase) -> Child {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wish-api"));
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--workers", "1"])
            .args(["--database-url", &database.settings.url])
            .args(["--log-format", "json", "--log", "warn,api=info"])
            .env("WISH_JWT_SECRET", TEST_SECRET)
            .env("WISH_RATE_LIMIT_ANONYMOUS", "0")
            .env_remove("WISH_DATABASE_URL")
            .env_remove("WISH_DATABASE_SCHEMA")
            .stderr(Stdio::piped());
        if let Some(schema) = &database.settings.schema {
            command.args(["--database-schema", schema]);
        }
        command.spawn().unwrap()
    }

    /// The address the process logs once it listens, or its whole log if it
    /// exits first.
    fn ready(mut child: Child) -> Self {
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        let address = loop {
            let Some(Ok(line)) = lines.next() else {
                let status = child.wait().unwrap();
                panic!(
                    "a replica exited ({status}) before listening:\n{}",
                    log.join("\n")
                );
            };
            let entry: Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(address) = entry["address"].as_str() {
                break address.to_owned();
            }
            log.push(line);
        };
        // Keep draining the log, or the process would block on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, address }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn stop(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        self.child.wait().unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Three replicas started at the same moment over `database`.
fn start_three(database: &TestDatabase) -> Vec<Replica> {
    let children: Vec<Child> = (0..3).map(|_| Replica::spawn(database)).collect();
    children.into_iter().map(Replica::ready).collect()
}

const KORTRIJK: &str = r#"{ facility(slug: "detentiehuis-kortrijk") { id version capacity } }"#;

/// An anonymous cached read, as the map makes it: its body and its ETag.
async fn read(client: &reqwest::Client, replica: &Replica) -> (Value, String) {
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

        // A write through one is what the others answer next, with a new ETag.
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
        for other in &replicas[1..] {
            let (after, etag_after) = read(&client, other).await;
            assert_eq!(after["data"]["facility"]["capacity"], 58);
            assert_ne!(etag_after, etag_before);
        }

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
