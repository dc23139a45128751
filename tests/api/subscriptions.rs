//! Subscriptions over WebSocket (`graphql-transport-ws`), spoken to the real
//! server by a client written here: events arrive as writes commit, resume
//! after a cursor without a gap or a repeat, tokens and roles hold as for
//! queries, and the limits let go of what they should. On PostgreSQL, a
//! write through one replica reaches a subscriber of another.

use std::time::Duration;

use entity::value::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::{
    Backend, TestApp, auth_settings, serve_settings, spawn_app, spawn_app_with, token,
};
use crate::on_both_databases;

/// How long a test waits for a message it expects.
const WAIT: Duration = Duration::from_secs(10);

const CHANGES: &str = "subscription($after: String) {
    changes(after: $after) { cursor action entityType entityId node { __typename ... on Facility { name capacity } ... on Stakeholder { name } } } }";

/// One client connection.
struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server sent: a message, or the close code and reason it ended with.
#[derive(Debug)]
enum Received {
    Message(Value),
    Closed(Option<u16>, String),
}

fn request(address: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let url = format!("{}/graphql", address.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    request
}

impl Client {
    async fn open(address: &str) -> Self {
        let (socket, response) = tokio_tungstenite::connect_async(request(address))
            .await
            .unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        Self { socket }
    }

    /// Opened and acknowledged, with `payload` in `connection_init`.
    async fn ready(address: &str, payload: Value) -> Self {
        let mut client = Self::open(address).await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = client.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id, "type": "subscribe",
            "payload": { "query": query, "variables": variables }
        }))
        .await;
    }

    /// The next message or the close, answering the server's pings.
    async fn receive(&mut self) -> Received {
        loop {
            let next = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("the server said nothing in time");
            match next {
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(&text).unwrap();
                    if message["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Received::Message(message);
                }
                Some(Ok(Message::Close(frame))) => {
                    return match frame {
                        Some(frame) => {
                            Received::Closed(Some(u16::from(frame.code)), frame.reason.to_string())
                        }
                        None => Received::Closed(None, String::new()),
                    };
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return Received::Closed(None, String::new()),
            }
        }
    }

    async fn message(&mut self) -> Value {
        match self.receive().await {
            Received::Message(message) => message,
            Received::Closed(code, reason) => {
                panic!("the server closed the connection ({code:?}: {reason})")
            }
        }
    }

    /// The next event of subscription `id`.
    async fn event(&mut self, id: &str) -> Value {
        let message = self.message().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id);
        assert!(message["payload"].get("errors").is_none(), "{message}");
        message["payload"]["data"].clone()
    }

    /// The code the server closes with.
    async fn closed(&mut self) -> Option<u16> {
        self.closing().await.0
    }

    /// The code and reason the server closes with.
    async fn closing(&mut self) -> (Option<u16>, String) {
        loop {
            if let Received::Closed(code, reason) = self.receive().await {
                return (code, reason);
            }
        }
    }

    /// Whether anything arrives within a short while.
    async fn quiet(&mut self) -> bool {
        tokio::time::timeout(Duration::from_millis(500), self.socket.next())
            .await
            .is_err()
    }
}

/// Where the feed ends now.
async fn end_of_feed(app: &TestApp) -> Option<String> {
    let mut after: Option<String> = None;
    loop {
        let data = app
            .query(
                "query($after: String) { changes(after: $after, first: 500) { pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
            .await;
        let page = &data["changes"]["pageInfo"];
        after = page["endCursor"].as_str().map(str::to_owned);
        if page["hasNextPage"] == false {
            return after;
        }
    }
}

async fn editor_writes(app: &TestApp, query: &str, variables: Value) -> Value {
    writes_as(app, Role::Editor, query, variables).await
}

async fn writes_as(app: &TestApp, role: Role, query: &str, variables: Value) -> Value {
    let (_, body) = app.graphql_as(&token(role, None), query, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

async fn create_facility(app: &TestApp, name: &str) -> String {
    let data = editor_writes(
        app,
        "mutation($name: String!) { createFacility(input: { name: $name, countryCode: \"NL\", facilityType: OTHER, status: OPEN, capacity: 10 }) { id } }",
        json!({ "name": name }),
    )
    .await;
    data["createFacility"]["id"].as_str().unwrap().to_owned()
}

async fn set_capacity(app: &TestApp, id: &str, version: i32, capacity: i32) {
    editor_writes(
        app,
        "mutation($id: ID!, $v: Int!, $c: Int!) { updateFacility(id: $id, expectedVersion: $v, input: { capacity: $c }) { version } }",
        json!({ "id": id, "v": version, "c": capacity }),
    )
    .await;
}

async fn a_subscriber_gets_each_change_and_resumes_after_its_cursor(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let start = end_of_feed(&app).await;
    let mut client = Client::ready(&app.address, json!({})).await;
    client
        .subscribe("feed", CHANGES, json!({ "after": start }))
        .await;
    assert!(client.quiet().await, "an event before any write");

    let id = create_facility(&app, "Huis Live").await;
    let created = client.event("feed").await["changes"].clone();
    assert_eq!(created["action"], "CREATED");
    assert_eq!(created["entityType"], "FACILITY");
    assert_eq!(created["entityId"], id.as_str());
    assert_eq!(created["node"]["name"], "Huis Live");

    set_capacity(&app, &id, 1, 11).await;
    let updated = client.event("feed").await["changes"].clone();
    assert_eq!(updated["action"], "UPDATED");
    let cursor = updated["cursor"].as_str().unwrap().to_owned();

    // Disconnected while two more writes commit.
    drop(client);
    set_capacity(&app, &id, 2, 12).await;
    set_capacity(&app, &id, 3, 13).await;

    let mut client = Client::ready(&app.address, json!({})).await;
    client
        .subscribe("again", CHANGES, json!({ "after": cursor }))
        .await;
    let mut missed = Vec::new();
    for _ in 0..2 {
        missed.push(client.event("again").await["changes"].clone());
    }
    assert!(
        missed
            .iter()
            .all(|c| c["action"] == "UPDATED" && c["entityId"] == id.as_str())
    );
    assert_ne!(missed[0]["cursor"], missed[1]["cursor"]);
    assert!(client.quiet().await, "a change repeated after the resume");

    // And it goes on live after the catch-up.
    set_capacity(&app, &id, 4, 14).await;
    let live = client.event("again").await["changes"].clone();
    assert_eq!(live["node"]["capacity"], 14);

    // The same events, cursors and order as the feed query.
    let feed = app
        .query(
            "query($after: String) { changes(after: $after, first: 10) { edges { cursor } } }",
            json!({ "after": start }),
        )
        .await;
    let cursors: Vec<&Value> = feed["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["cursor"])
        .collect();
    assert_eq!(
        cursors,
        [
            &created["cursor"],
            &updated["cursor"],
            &missed[0]["cursor"],
            &missed[1]["cursor"],
            &live["cursor"]
        ]
    );
}

async fn a_facility_subscription_follows_it_until_it_is_deleted(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let id = create_facility(&app, "Huis Watched").await;
    let other = create_facility(&app, "Huis Elsewhere").await;
    let mut client = Client::ready(&app.address, json!({})).await;
    client
        .subscribe(
            "one",
            "subscription($id: ID!) { facilityChanged(id: $id) { id name capacity version } }",
            json!({ "id": id }),
        )
        .await;
    // Subscribed once the server has read where the feed is.
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_capacity(&app, &other, 1, 99).await;
    set_capacity(&app, &id, 1, 20).await;
    let changed = client.event("one").await["facilityChanged"].clone();
    assert_eq!(changed["id"], id.as_str());
    assert_eq!(changed["capacity"], 20);
    assert_eq!(changed["version"], 2);

    writes_as(
        &app,
        Role::Admin,
        "mutation($id: ID!) { deleteFacility(id: $id, expectedVersion: 2) }",
        json!({ "id": id }),
    )
    .await;
    let deleted = client.event("one").await;
    assert_eq!(deleted["facilityChanged"], Value::Null);
    let complete = client.message().await;
    assert_eq!(complete, json!({ "id": "one", "type": "complete" }));

    // A facility that does not exist is refused, and the connection stays.
    client
        .subscribe(
            "none",
            "subscription($id: ID!) { facilityChanged(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    let refused = client.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "NOT_FOUND");
}

async fn tokens_and_roles_hold_as_for_queries(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let start = end_of_feed(&app).await;
    let mut anonymous = Client::ready(&app.address, json!({})).await;
    let editor_token = token(Role::Editor, None);
    let mut editor = Client::ready(
        &app.address,
        json!({ "Authorization": format!("Bearer {editor_token}") }),
    )
    .await;
    // `token` is accepted as well.
    drop(Client::ready(&app.address, json!({ "token": editor_token })).await);
    let created = editor_writes(
        &app,
        "mutation { createStakeholder(input: { name: \"Private Person\", kind: POLICY, consent: { name: true } }) { id } }",
        json!({}),
    )
    .await;
    // Consent to a public name withdrawn since: what the feed shows of the
    // person is what each caller may see now.
    editor_writes(
        &app,
        "mutation($id: ID!) { updateStakeholder(id: $id, expectedVersion: 1, input: { consent: { name: false } }) { id } }",
        json!({ "id": created["createStakeholder"]["id"] }),
    )
    .await;
    for client in [&mut anonymous, &mut editor] {
        client
            .subscribe("feed", CHANGES, json!({ "after": start }))
            .await;
    }
    let seen_by_anonymous = anonymous.event("feed").await["changes"].clone();
    let seen_by_editor = editor.event("feed").await["changes"].clone();
    assert_eq!(seen_by_anonymous["cursor"], seen_by_editor["cursor"]);
    assert_eq!(seen_by_anonymous["entityType"], "STAKEHOLDER");
    assert_eq!(seen_by_anonymous["node"], Value::Null);
    assert_eq!(seen_by_editor["node"]["name"], "Private Person");

    // A token that does not verify closes the connection: Forbidden.
    let mut forged = Client::open(&app.address).await;
    forged
        .send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } }))
        .await;
    assert_eq!(forged.closed().await, Some(4403));

    // Subscribing before `connection_init`: Unauthorized.
    let mut early = Client::open(&app.address).await;
    early.subscribe("feed", CHANGES, json!({})).await;
    assert_eq!(early.closed().await, Some(4401));

    // Queries and mutations go by HTTP.
    anonymous
        .subscribe(
            "write",
            "mutation { deleteFacility(id: \"x\", expectedVersion: 1) }",
            json!({}),
        )
        .await;
    let refused = anonymous.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
}

async fn revoked_tokens_and_suspended_organisations_are_refused(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    writes_as(
        &app,
        Role::Admin,
        "mutation { createOrganisation(input: { slug: \"example-org\", name: \"Example organisation\" }) { slug } }",
        json!({}),
    )
    .await;
    let issue = async || {
        let data = writes_as(
            &app,
            Role::Admin,
            "mutation { issueToken(input: { subject: \"sync@example.org\", role: PARTNER, organisation: \"example-org\", ttl: \"1h\" }) { token record { jti } } }",
            json!({}),
        )
        .await;
        (
            data["issueToken"]["token"].as_str().unwrap().to_owned(),
            data["issueToken"]["record"]["jti"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let init = |token: &str| json!({ "type": "connection_init", "payload": { "token": token } });

    // A subscription under way ends when its token is revoked.
    let (partner, jti) = issue().await;
    let mut running = Client::ready(&app.address, json!({ "token": partner })).await;
    running.subscribe("feed", CHANGES, json!({})).await;
    writes_as(
        &app,
        Role::Admin,
        "mutation($jti: String!) { revokeToken(jti: $jti) { status } }",
        json!({ "jti": jti }),
    )
    .await;
    assert_eq!(running.closed().await, Some(4403));

    let (partner, jti) = issue().await;
    let mut open = Client::ready(&app.address, json!({ "token": partner })).await;
    writes_as(
        &app,
        Role::Admin,
        "mutation($jti: String!) { revokeToken(jti: $jti) { status } }",
        json!({ "jti": jti }),
    )
    .await;
    let mut refused = Client::open(&app.address).await;
    refused.send(init(&partner)).await;
    assert_eq!(refused.closed().await, Some(4403));
    // A connection made before the revocation starts nothing more.
    open.subscribe("feed", CHANGES, json!({})).await;
    assert_eq!(open.closed().await, Some(4403));

    let (partner, _) = issue().await;
    let mut running = Client::ready(&app.address, json!({ "token": partner })).await;
    running.subscribe("feed", CHANGES, json!({})).await;
    writes_as(
        &app,
        Role::Admin,
        "mutation { suspendOrganisation(slug: \"example-org\") { suspended } }",
        json!({}),
    )
    .await;
    // And when its organisation is suspended.
    assert_eq!(running.closed().await, Some(4403));
    let mut suspended = Client::open(&app.address).await;
    suspended.send(init(&partner)).await;
    assert_eq!(suspended.closed().await, Some(4403));
}

async fn a_connection_ends_when_its_token_expires(backend: Backend) {
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let start = end_of_feed(&app).await;
    // Its `exp` is a second away; the test servers accept a token five
    // seconds past it (WISH_JWT_LEEWAY_SECONDS).
    let short = api::auth::sign(
        &auth_settings(),
        "sync@example.org",
        Role::Editor,
        None,
        Duration::from_secs(1),
    )
    .unwrap();
    let accepted = async || {
        let (status, _) = app.graphql_as(&short, "{ __typename }", json!({})).await;
        status == 200
    };
    let mut client = Client::ready(&app.address, json!({ "token": short })).await;
    client
        .subscribe("feed", CHANGES, json!({ "after": start }))
        .await;
    create_facility(&app, "Huis Vroeg").await;
    assert_eq!(
        client.event("feed").await["changes"]["node"]["name"],
        "Huis Vroeg"
    );
    // Past its `exp`, within the leeway: still served, as a request is.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(accepted().await, "the token was refused within the leeway");
    create_facility(&app, "Huis Laat").await;
    assert_eq!(
        client.event("feed").await["changes"]["node"]["name"],
        "Huis Laat"
    );

    let (code, reason) = client.closing().await;
    assert_eq!(code, Some(4403), "{reason}");
    assert!(reason.contains("the token expired"), "{reason}");
    // Closed when the server stopped accepting the token, not before.
    assert!(!accepted().await, "closed while the token was accepted");
}

async fn limits_let_go_of_what_they_should(backend: Backend) {
    let settings = api::config::ServeSettings {
        ws_max_subscriptions: 2,
        ws_max_connections_per_client: 3,
        ws_init_timeout_ms: 300,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let mut client = Client::ready(&app.address, json!({})).await;
    for id in ["a", "b"] {
        client.subscribe(id, CHANGES, json!({})).await;
    }
    client.subscribe("c", CHANGES, json!({})).await;
    let refused = client.message().await;
    assert_eq!(refused["id"], "c");
    assert_eq!(refused["type"], "error");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    // An id in use closes the connection, as the protocol says.
    client.subscribe("a", CHANGES, json!({})).await;
    assert_eq!(client.closed().await, Some(4409));

    // An event over the size of an answer ends its subscription.
    let small = api::config::ServeSettings {
        max_response_bytes: 300,
        ..serve_settings()
    };
    let Some(small) = spawn_app_with(backend, small).await else {
        return;
    };
    let mut reader = Client::ready(&small.address, json!({})).await;
    reader.subscribe("big", CHANGES, json!({})).await;
    create_facility(&small, &"Huis Groot ".repeat(10)).await;
    let refused = reader.message().await;
    assert_eq!(refused["id"], "big");
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );

    // A connection that never initialises is closed.
    let mut silent = Client::open(&app.address).await;
    assert_eq!(silent.closed().await, Some(4408));

    // Three connections at once from one address, and no fourth.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(Client::ready(&app.address, json!({})).await);
    }
    match tokio_tungstenite::connect_async(request(&app.address)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
        }
        other => panic!(
            "a fourth connection was not refused: {:?}",
            other.map(|_| ())
        ),
    }
    drop(held);
}

async fn a_client_too_slow_to_read_is_disconnected(backend: Backend) {
    // Each event is some 200 kB: eighty are more than the socket buffers and
    // the 32 frames actix-ws keeps between the server and a client that does
    // not read.
    const WRITES: i32 = 80;
    let settings = api::config::ServeSettings {
        ws_queue: 1,
        ws_slow_client_ms: 200,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let data = editor_writes(
        &app,
        "mutation($text: String!) { createFacility(input: { name: \"Huis Breed\", countryCode: \"NL\", facilityType: OTHER, status: OPEN, description: [{ lang: \"en\", text: $text }] }) { id } }",
        json!({ "text": "word ".repeat(3800) }),
    )
    .await;
    let id = data["createFacility"]["id"].as_str().unwrap().to_owned();
    let start = end_of_feed(&app).await;
    // A client that reads little at a time: a small receive buffer.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let address = app.address.trim_start_matches("http://").parse().unwrap();
    let stream = socket.connect(address).await.unwrap();
    let (socket, _) =
        tokio_tungstenite::client_async(request(&app.address), MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
    let mut client = Client { socket };
    client.send(json!({ "type": "connection_init" })).await;
    assert_eq!(client.message().await["type"], "connection_ack");
    let wide: String = (0..10)
        .map(|i| format!("d{i}: node {{ ... on Facility {{ description }} }} "))
        .collect();
    client
        .subscribe(
            "feed",
            &format!(
                "subscription($after: String) {{ changes(after: $after) {{ cursor {wide} }} }}"
            ),
            json!({ "after": start }),
        )
        .await;
    for version in 1..=WRITES {
        set_capacity(&app, &id, version, version).await;
    }
    // Not reading while the server has more than the client takes.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut events = 0;
    let code = loop {
        match client.receive().await {
            Received::Message(message) => {
                assert_eq!(message["type"], "next", "{message}");
                events += 1;
            }
            Received::Closed(code, _) => break code,
        }
    };
    assert!(
        events < WRITES,
        "all {events} events arrived: the slow client was kept"
    );
    assert!(matches!(code, Some(1008) | None), "closed with {code:?}");
    // A client that reads is served meanwhile.
    let mut reader = Client::ready(&app.address, json!({})).await;
    reader
        .subscribe("feed", CHANGES, json!({ "after": start }))
        .await;
    for _ in 0..5 {
        reader.event("feed").await;
    }
}

async fn a_client_that_does_not_answer_pings_is_closed(backend: Backend) {
    let settings = api::config::ServeSettings {
        ws_ping_interval_ms: 200,
        ..serve_settings()
    };
    let Some(app) = spawn_app_with(backend, settings).await else {
        return;
    };
    let mut client = Client::ready(&app.address, json!({})).await;
    // Answering the server's pings keeps the connection past the limit.
    let until = tokio::time::Instant::now() + Duration::from_millis(1000);
    while let Ok(received) = tokio::time::timeout_at(until, client.receive()).await {
        assert!(matches!(received, Received::Message(_)), "{received:?}");
    }
    // Read without answering: pings, then the close.
    let mut pings = 0;
    let code = loop {
        let next = tokio::time::timeout(WAIT, client.socket.next())
            .await
            .expect("the server said nothing in time");
        match next {
            Some(Ok(Message::Text(text))) => {
                let message: Value = serde_json::from_str(&text).unwrap();
                if message["type"] == "ping" {
                    pings += 1;
                }
            }
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => break None,
        }
    };
    assert!(pings >= 1);
    assert_eq!(code, Some(3008));
}

/// The `graphql-ws` client (`tests/graphql-ws/run.mjs`), which Apollo Client
/// uses too, subscribes and receives a change.
async fn the_graphql_ws_client_receives_a_change(backend: Backend) {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graphql-ws");
    let node = std::process::Command::new("node").arg("--version").output();
    let missing = if !dir.join("node_modules/graphql-ws").is_dir() {
        Some("run `npm ci` in tests/graphql-ws")
    } else if !node.is_ok_and(|o| o.status.success()) {
        Some("Node.js is not installed")
    } else {
        None
    };
    if let Some(missing) = missing {
        assert!(
            !crate::helpers::in_ci(),
            "the graphql-ws client cannot run: {missing}"
        );
        eprintln!("SKIPPED the graphql-ws client: {missing}");
        return;
    }
    let Some(app) = spawn_app(backend).await else {
        return;
    };
    let start = end_of_feed(&app).await;
    // Async, so that the server, on this same runtime, keeps answering.
    let mut child = tokio::process::Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .env("WISH_BASE_URL", &app.address)
        .env("WISH_TOKEN", token(Role::Editor, None))
        .env("WISH_AFTER", start.unwrap_or_default())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run node");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.as_deref(), Some("connected"));
    let id = create_facility(&app, "Huis Buiten").await;
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .expect("the client printed no change");
    let change: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(change["action"], "CREATED");
    assert_eq!(change["entityId"], id.as_str());
    assert_eq!(change["node"]["name"], "Huis Buiten");
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success());
}

on_both_databases!(
    the_graphql_ws_client_receives_a_change,
    a_client_that_does_not_answer_pings_is_closed,
    a_subscriber_gets_each_change_and_resumes_after_its_cursor,
    a_facility_subscription_follows_it_until_it_is_deleted,
    tokens_and_roles_hold_as_for_queries,
    revoked_tokens_and_suspended_organisations_are_refused,
    a_connection_ends_when_its_token_expires,
    limits_let_go_of_what_they_should,
    a_client_too_slow_to_read_is_disconnected,
);

/// A write through one replica reaches a subscriber of another, by
/// PostgreSQL's notifications.
#[actix_web::test]
async fn a_write_through_one_replica_reaches_a_subscriber_of_another() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let other_address = app.second_replica().await.address;

    let start = end_of_feed(&app).await;
    let mut client = Client::ready(&other_address, json!({})).await;
    client
        .subscribe("feed", CHANGES, json!({ "after": start }))
        .await;
    let id = create_facility(&app, "Huis Elders").await;
    let event = client.event("feed").await["changes"].clone();
    assert_eq!(event["entityId"], id.as_str());
    assert_eq!(event["node"]["name"], "Huis Elders");
}

/// The same between two `wish-api serve` processes over one database, as
/// replicas run: a subscriber of one hears of a write through the other.
#[actix_web::test]
async fn a_write_through_one_process_reaches_a_subscriber_of_another() {
    let Some(database) = crate::helpers::TestDatabase::create(Backend::Postgres).await else {
        return;
    };
    let writer = crate::helpers::ServerProcess::start(&database, &[]);
    let reader = crate::helpers::ServerProcess::start(&database, &[]);

    let mut client = Client::ready(&reader.url(""), json!({})).await;
    // From the end of the feed: the demo data writes none, so from the start.
    client.subscribe("feed", CHANGES, json!({})).await;
    let created: Value = reqwest::Client::new()
        .post(writer.url("/graphql"))
        .bearer_auth(crate::helpers::token(Role::Editor, None))
        .json(&json!({
            "query": "mutation { createFacility(input: { name: \"Huis Elders\", countryCode: \"NL\", facilityType: DETENTION_HOUSE, status: OPEN }) { id } }",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["data"]["createFacility"]["id"].clone();
    assert!(id.is_string(), "{created:#}");
    let event = client.event("feed").await["changes"].clone();
    assert_eq!(event["entityId"], id);
    assert_eq!(event["node"]["name"], "Huis Elders");
}
