//! Subscriptions: `GET /graphql` upgraded to a WebSocket that speaks
//! `graphql-transport-ws` (the protocol of the `graphql-ws` library and
//! Apollo Client). The protocol is spoken here rather than by async-graphql's
//! adapter so that every limit holds: the token in `connection_init` is
//! checked as an HTTP request's, each connection holds a bounded number of
//! subscriptions, each subscription a bounded queue, and a client that stops
//! answering or reading is let go.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use actix_web::body::MessageBody as _;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message, Session};
use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ServerError, Value};
use futures_util::StreamExt;
use futures_util::stream::{BoxStream, SelectAll};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{Notify, mpsc};

use super::AppState;
use super::caller::identify_authorization;
use super::graphql::{assign_code, request_lang};
use crate::auth::Caller;
use crate::error::code;
use crate::graphql::context::Lang;
use crate::graphql::limits;
use crate::graphql::loader::DbLoader;
use crate::service::guideline::Drafts;

/// How often an open connection's token is checked against the server's
/// view of revocations and suspensions (which itself is at most
/// `WISH_ACCESS_REFRESH_MS` old).
const STANDING_CHECK: Duration = Duration::from_millis(250);

/// The one subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// Close codes, as `graphql-transport-ws` defines them, and two of RFC 6455's.
mod close {
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    /// RFC 6455 "policy violation": the client does not read what it is sent.
    pub const TOO_SLOW: u16 = 1008;
    /// The registry's "timeout": nothing heard from the client for too long.
    pub const IDLE: u16 = 3008;
}

/// The limits of subscriptions, and the connections open per client address.
pub struct Subscriptions {
    pub max_connections_per_client: usize,
    pub max_subscriptions: usize,
    pub init_timeout: Duration,
    pub ping_interval: Duration,
    pub queue: usize,
    pub slow_client: Duration,
    pub trust_forwarded_for: bool,
    open: Arc<Mutex<HashMap<Option<IpAddr>, usize>>>,
}

impl Subscriptions {
    #[must_use]
    pub fn new(settings: &crate::config::ServeSettings) -> Self {
        Self {
            max_connections_per_client: settings.ws_max_connections_per_client,
            max_subscriptions: settings.ws_max_subscriptions.max(1),
            init_timeout: Duration::from_millis(settings.ws_init_timeout_ms.max(1)),
            ping_interval: Duration::from_millis(settings.ws_ping_interval_ms.max(1)),
            queue: settings.ws_queue.max(1),
            slow_client: Duration::from_millis(settings.ws_slow_client_ms.max(1)),
            trust_forwarded_for: settings.trust_forwarded_for,
            open: Arc::default(),
        }
    }

    /// A place for one more connection of `client`, held until dropped;
    /// `None` when the client has all it may.
    fn admit(&self, client: Option<IpAddr>) -> Option<Place> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(client).or_default();
        if self.max_connections_per_client > 0 && *count >= self.max_connections_per_client {
            return None;
        }
        *count += 1;
        Some(Place {
            open: self.open.clone(),
            client,
        })
    }
}

/// One open connection of a client, counted while it lives.
struct Place {
    open: Arc<Mutex<HashMap<Option<IpAddr>, usize>>>,
    client: Option<IpAddr>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// `GET /graphql` with `Upgrade: websocket`.
pub async fn connect(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let offered = req
        .headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == PROTOCOL);
    if !offered {
        return super::graphql_error(
            StatusCode::BAD_REQUEST,
            code::BAD_USER_INPUT,
            "subscriptions speak graphql-transport-ws: offer it in Sec-WebSocket-Protocol",
        );
    }
    let limits = &state.subscriptions;
    let client = super::rate_limit::client_address(&req, limits.trust_forwarded_for);
    let Some(place) = limits.admit(client) else {
        return super::graphql_error(
            StatusCode::TOO_MANY_REQUESTS,
            code::RATE_LIMITED,
            &format!(
                "this address has {} subscription connections open, the most it may (WISH_WS_MAX_CONNECTIONS_PER_CLIENT); close one first",
                limits.max_connections_per_client
            ),
        );
    };
    let (mut response, session, messages) = match actix_ws::handle(&req, payload) {
        Ok(upgrade) => upgrade,
        Err(_) => {
            return super::graphql_error(
                StatusCode::BAD_REQUEST,
                code::BAD_USER_INPUT,
                "this is not a WebSocket handshake",
            );
        }
    };
    response
        .headers_mut()
        .insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    let cut = Arc::new(Cut::default());
    let response = response.map_body(|_, body| {
        Severable {
            body,
            cut: cut.clone(),
        }
        .boxed()
    });
    let messages = messages.max_frame_size(state.max_body_bytes);
    let connection = Connection {
        state: state.clone(),
        session,
        lang: request_lang(&req),
        caller: None,
        subscriptions: HashMap::new(),
        next_serial: 0,
        outgoing: SelectAll::new(),
        slow: Arc::new(Notify::new()),
        cut,
        token_expired: Box::pin(tokio::time::sleep(Duration::MAX)),
    };
    actix_web::rt::spawn(async move {
        let _place = place;
        connection.serve(messages).await;
    });
    response
}

/// What the client sends.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<serde_json::Value>,
    },
    Ping {},
    Pong {},
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

/// A message for the client from one subscription.
struct Outgoing {
    id: String,
    serial: u64,
    text: String,
    /// The last message of its subscription (`complete` or `error`).
    last: bool,
}

/// A subscription under way: its task, and which one it is under its id.
struct Running {
    serial: u64,
    task: tokio::task::JoinHandle<()>,
}

/// Why a connection ends.
struct Closing(u16, String);

struct Connection {
    state: web::Data<AppState>,
    session: Session,
    lang: Lang,
    /// Set by `connection_init`.
    caller: Option<(Caller, Arc<DataLoader<DbLoader>>)>,
    subscriptions: HashMap<String, Running>,
    next_serial: u64,
    outgoing: SelectAll<BoxStream<'static, Outgoing>>,
    /// Told by a subscription whose queue stayed full.
    slow: Arc<Notify>,
    /// Drops the TCP connection of a client that does not read even its close frame.
    cut: Arc<Cut>,
    /// Ends when the caller's token stops being accepted; never before
    /// `connection_init` names a token.
    token_expired: Pin<Box<tokio::time::Sleep>>,
}

impl Connection {
    async fn serve(mut self, mut messages: actix_ws::MessageStream) {
        let state = self.state.clone();
        let limits = &state.subscriptions;
        let init_deadline = tokio::time::sleep(limits.init_timeout);
        tokio::pin!(init_deadline);
        let mut pings = tokio::time::interval(limits.ping_interval);
        pings.tick().await;
        let mut standing_checks = tokio::time::interval(STANDING_CHECK);
        standing_checks.tick().await;
        let mut heard = Instant::now();
        let slow = self.slow.clone();
        let closing = loop {
            tokio::select! {
                message = messages.next() => {
                    heard = Instant::now();
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text.to_string(),
                        Some(Ok(Message::Binary(bytes))) => String::from_utf8_lossy(&bytes).into_owned(),
                        Some(Ok(Message::Ping(bytes))) => {
                            if self.session.pong(&bytes).await.is_err() {
                                break None;
                            }
                            continue;
                        }
                        Some(Ok(Message::Pong(_) | Message::Nop)) => continue,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                        Some(Ok(Message::Continuation(_))) => {
                            break Some(Closing(close::BAD_REQUEST, "fragmented messages are not read".to_owned()));
                        }
                    };
                    if let Err(closing) = self.receive(&text).await {
                        break Some(closing);
                    }
                }
                Some(out) = self.outgoing.next(), if !self.outgoing.is_empty() => {
                    if let Err(closing) = self.forward(out).await {
                        break Some(closing);
                    }
                }
                () = slow.notified() => {
                    break Some(Closing(close::TOO_SLOW, format!(
                        "the client read too slowly: a subscription's queue stayed full for {} ms (WISH_WS_SLOW_CLIENT_MS)",
                        limits.slow_client.as_millis()
                    )));
                }
                () = &mut init_deadline, if self.caller.is_none() => {
                    break Some(Closing(close::INIT_TIMEOUT, "Connection initialisation timeout".to_owned()));
                }
                () = &mut self.token_expired => {
                    break Some(Closing(close::FORBIDDEN, "the token expired".to_owned()));
                }
                _ = standing_checks.tick(), if self.caller.is_some() => {
                    if let Some(why) = self.standing_lost() {
                        break Some(Closing(close::FORBIDDEN, why));
                    }
                }
                _ = pings.tick() => {
                    if heard.elapsed() > limits.ping_interval * 2 {
                        break Some(Closing(close::IDLE, "nothing heard from the client: idle timeout".to_owned()));
                    }
                    if let Err(closing) = self.send(json!({ "type": "ping" }).to_string()).await {
                        break Some(closing);
                    }
                }
            }
        };
        for running in self.subscriptions.values() {
            running.task.abort();
        }
        let reason = closing.map(|Closing(code, description)| CloseReason {
            code: CloseCode::Other(code),
            description: Some(within_close_frame(description)),
        });
        // A client that reads nothing would hold the close frame up too:
        // past the limit the connection is dropped without it.
        let closed = tokio::time::timeout(limits.slow_client, self.session.close(reason)).await;
        if closed.is_err() {
            self.cut.cut();
        }
    }

    /// Why the caller's token no longer holds, if it does not: revoked, or
    /// its organisation suspended since the connection was made. The server's
    /// view of both is in memory, so this asks the database nothing.
    fn standing_lost(&self) -> Option<String> {
        let (caller, _) = self.caller.as_ref()?;
        let standing = &self.state.standing;
        if caller
            .token_id
            .as_deref()
            .is_some_and(|jti| standing.is_revoked(jti))
        {
            return Some("the token was revoked".to_owned());
        }
        let slug = caller.organisation.as_deref()?;
        standing
            .organisation(slug)
            .is_some_and(|o| o.suspended_at.is_some())
            .then(|| format!("the organisation `{slug}` is suspended"))
    }

    /// Sends one message, or finds the client too slow to take it.
    async fn send(&mut self, text: String) -> Result<(), Closing> {
        let limit = self.state.subscriptions.slow_client;
        match tokio::time::timeout(limit, self.session.text(text)).await {
            Ok(Ok(())) => Ok(()),
            // The connection is gone already: the close goes nowhere.
            Ok(Err(_)) => Err(Closing(1000, String::new())),
            Err(_) => Err(Closing(
                close::TOO_SLOW,
                "the client read too slowly (WISH_WS_SLOW_CLIENT_MS)".to_owned(),
            )),
        }
    }

    async fn forward(&mut self, out: Outgoing) -> Result<(), Closing> {
        // A subscription the client completed says nothing more.
        if self
            .subscriptions
            .get(&out.id)
            .is_none_or(|r| r.serial != out.serial)
        {
            return Ok(());
        }
        if out.last {
            self.subscriptions.remove(&out.id);
        }
        self.send(out.text).await
    }

    async fn receive(&mut self, text: &str) -> Result<(), Closing> {
        let Ok(message) = serde_json::from_str::<ClientMessage>(text) else {
            return Err(Closing(
                close::BAD_REQUEST,
                "Invalid message received".to_owned(),
            ));
        };
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if self.caller.is_some() {
                    return Err(Closing(
                        close::TOO_MANY_INITS,
                        "Too many initialisation requests".to_owned(),
                    ));
                }
                let caller = self
                    .identify(payload)
                    .await
                    .map_err(|message| Closing(close::FORBIDDEN, message))?;
                if let Some(expiry) = caller.token_expiry.and_then(|expiry| {
                    let left = expiry.duration_since(SystemTime::now()).unwrap_or_default();
                    tokio::time::Instant::now().checked_add(left)
                }) {
                    self.token_expired.as_mut().reset(expiry);
                }
                let loader = loader(&self.state, &caller);
                self.caller = Some((caller, loader));
                self.send(json!({ "type": "connection_ack" }).to_string())
                    .await
            }
            ClientMessage::Ping {} => self.send(json!({ "type": "pong" }).to_string()).await,
            ClientMessage::Pong {} => Ok(()),
            ClientMessage::Complete { id } => {
                if let Some(running) = self.subscriptions.remove(&id) {
                    running.task.abort();
                }
                Ok(())
            }
            ClientMessage::Subscribe { id, payload } => self.subscribe(id, *payload).await,
        }
    }

    /// The caller a `connection_init` payload names: `Authorization`
    /// (`Bearer <token>`) or `token`; anonymous without either.
    async fn identify(&self, payload: Option<serde_json::Value>) -> Result<Caller, String> {
        let field = |name: &str| {
            payload
                .as_ref()
                .and_then(|p| p.get(name))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let authorization = field("Authorization")
            .or_else(|| field("authorization"))
            .or_else(|| field("token").map(|token| format!("Bearer {token}")));
        match authorization {
            None => Ok(Caller::anonymous()),
            Some(header) => identify_authorization(&self.state, &header)
                .await
                .map_err(|refusal| refusal.message().to_owned()),
        }
    }

    async fn subscribe(
        &mut self,
        id: String,
        mut request: async_graphql::Request,
    ) -> Result<(), Closing> {
        let Some((caller, loader)) = self.caller.clone() else {
            return Err(Closing(close::UNAUTHORIZED, "Unauthorized".to_owned()));
        };
        if self.subscriptions.contains_key(&id) {
            return Err(Closing(
                close::SUBSCRIBER_EXISTS,
                format!("Subscriber for {id} already exists"),
            ));
        }
        // A token revoked since the connection opened opens nothing more.
        if caller
            .token_id
            .as_deref()
            .is_some_and(|jti| self.state.standing.is_revoked(jti))
        {
            return Err(Closing(
                close::FORBIDDEN,
                "this token has been revoked".to_owned(),
            ));
        }
        let state = self.state.clone();
        let limits = &state.subscriptions;
        if self.subscriptions.len() >= limits.max_subscriptions {
            let refusal = coded(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "a connection holds at most {} subscriptions (WISH_WS_MAX_SUBSCRIPTIONS): complete one first",
                    limits.max_subscriptions
                ),
            );
            return self.refuse(&id, refusal).await;
        }
        if let Err(refusal) = self.check(&mut request) {
            return self.refuse(&id, refusal).await;
        }
        let request = request
            .data(caller)
            .data(self.lang)
            .data(loader)
            .data(limits::Checked);
        let serial = self.next_serial;
        self.next_serial += 1;
        let (queue, queued) = mpsc::channel(limits.queue);
        let task = tokio::spawn(run(
            self.state.schema.execute_stream(request),
            Route {
                id: id.clone(),
                serial,
                queue,
            },
            Bounds {
                slow_client: limits.slow_client,
                max_bytes: self.state.max_response_bytes,
            },
            self.slow.clone(),
        ));
        self.subscriptions.insert(id, Running { serial, task });
        self.outgoing.push(
            futures_util::stream::unfold(queued, |mut queued| async move {
                queued.recv().await.map(|out| (out, queued))
            })
            .boxed(),
        );
        Ok(())
    }

    /// The document checked as an HTTP request's is; only subscriptions
    /// are served here (queries and mutations go by HTTP, with its limits).
    fn check(&self, request: &mut async_graphql::Request) -> Result<(), ServerError> {
        if let Some(name) = &request.operation_name {
            limits::check_operation_name(name)?;
        }
        if request.query.is_empty() {
            return Err(coded(
                code::BAD_USER_INPUT,
                "send the subscription's document as `query`: persisted queries are served by HTTP only".to_owned(),
            ));
        }
        let document = limits::parse(&request.query)?;
        self.state.limits.check(&document, &request.variables)?;
        let operation = match (&document.operations, request.operation_name.as_deref()) {
            (DocumentOperations::Single(operation), _) => Some(&operation.node),
            (DocumentOperations::Multiple(operations), Some(name)) => {
                operations.get(name).map(|o| &o.node)
            }
            (DocumentOperations::Multiple(_), None) => None,
        };
        if operation.is_some_and(|o| o.ty != OperationType::Subscription) {
            return Err(coded(
                code::BAD_USER_INPUT,
                "only subscriptions are served over WebSocket: send queries and mutations by HTTP to /graphql".to_owned(),
            ));
        }
        request.set_parsed_query(document);
        Ok(())
    }

    /// A subscription refused before it starts: an `error` message, and the
    /// connection stays open.
    async fn refuse(&mut self, id: &str, mut error: ServerError) -> Result<(), Closing> {
        assign_code(&mut error);
        let text = json!({ "id": id, "type": "error", "payload": [error] }).to_string();
        self.send(text).await
    }
}

/// Where a subscription's messages go.
struct Route {
    id: String,
    serial: u64,
    queue: mpsc::Sender<Outgoing>,
}

/// How long a message may wait for room, and how large it may be.
struct Bounds {
    slow_client: Duration,
    max_bytes: usize,
}

/// One subscription: its events into its queue, each within the slow-client
/// limit; a queue that stays full tells the connection to let its client go.
async fn run(
    mut events: impl futures_util::Stream<Item = async_graphql::Response> + Unpin,
    route: Route,
    bounds: Bounds,
    slow: Arc<Notify>,
) {
    let Route { id, serial, queue } = route;
    let mut first = true;
    while let Some(mut response) = events.next().await {
        for error in &mut response.errors {
            assign_code(error);
        }
        // A request that did not run (invalid, refused) is an `error`
        // message; errors of a running subscription come in its `next`.
        let refused = first && response.is_err() && response.data == Value::Null;
        first = false;
        let mut text = if refused {
            json!({ "id": id, "type": "error", "payload": response.errors }).to_string()
        } else {
            json!({ "id": id, "type": "next", "payload": response }).to_string()
        };
        let mut last = refused;
        if text.len() > bounds.max_bytes {
            let error = coded(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "an event is larger than {} bytes (WISH_MAX_RESPONSE_BYTES); subscribe to fewer fields",
                    bounds.max_bytes
                ),
            );
            text = json!({ "id": id, "type": "error", "payload": [error] }).to_string();
            last = true;
        }
        let out = Outgoing {
            id: id.clone(),
            serial,
            text,
            last,
        };
        match tokio::time::timeout(bounds.slow_client, queue.send(out)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return,
            Err(_) => {
                slow.notify_one();
                return;
            }
        }
        if last {
            return;
        }
    }
    let out = Outgoing {
        text: json!({ "id": id, "type": "complete" }).to_string(),
        id,
        serial,
        last: true,
    };
    if tokio::time::timeout(bounds.slow_client, queue.send(out))
        .await
        .is_err()
    {
        slow.notify_one();
    }
}

/// The batching loader of a connection's subscriptions, which see what
/// their caller may see.
fn loader(state: &AppState, caller: &Caller) -> Arc<DataLoader<DbLoader>> {
    Arc::new(
        DataLoader::new(
            DbLoader {
                db: state.db.clone(),
                drafts: Drafts::for_editor(caller.is_editor()),
            },
            tokio::spawn,
        )
        .delay(Duration::ZERO),
    )
}

fn coded(code: &str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// A close frame's reason holds at most 123 bytes.
fn within_close_frame(mut description: String) -> String {
    while description.len() > 123 {
        description.pop();
    }
    description
}

/// The signal that ends a connection without its close frame.
#[derive(Default)]
struct Cut {
    done: std::sync::atomic::AtomicBool,
    waker: futures_util::task::AtomicWaker,
}

impl Cut {
    fn cut(&self) {
        self.done.store(true, std::sync::atomic::Ordering::Release);
        self.waker.wake();
    }
}

/// The WebSocket's response body, which fails once cut: actix then drops
/// the connection, and with it what the client left unread.
struct Severable {
    body: actix_web::body::BoxBody,
    cut: Arc<Cut>,
}

impl actix_web::body::MessageBody for Severable {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        self.cut.waker.register(cx.waker());
        if self.cut.done.load(std::sync::atomic::Ordering::Acquire) {
            return std::task::Poll::Ready(Some(Err("the client does not read".into())));
        }
        std::pin::Pin::new(&mut self.body).poll_next(cx)
    }
}
