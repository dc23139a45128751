//! Webhook endpoints and their delivery logs, as their owners read them.
//! Never the signing secret: it is shown once, when it is made.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::value as db;
use entity::webhook_delivery;

use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::types::change::ChangeEntity;
use crate::graphql::types::connection::{PageInfo, forward_limit};
use crate::service::changes::encode_cursor;
use crate::service::webhook::{self, Owned};

/// Where a delivery stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Waiting to be sent, or to be sent again after a failed attempt.
    Pending,
    /// The endpoint answered with a 2xx status.
    Delivered,
    /// Every attempt failed; its endpoint was disabled. `redeliverWebhook` sends it again.
    Failed,
}

/// An endpoint that receives the change-feed events an organisation subscribed to.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint(pub Owned);

impl From<Owned> for WebhookEndpoint {
    fn from(owned: Owned) -> Self {
        Self(owned)
    }
}

/// An endpoint that receives the change-feed events an organisation
/// subscribed to, signed as the Standard Webhooks specification says.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's id.
    async fn id(&self) -> ID {
        ID(self.0.endpoint.uuid.to_string())
    }
    /// The organisation it belongs to (its slug).
    async fn organisation(&self) -> &str {
        &self.0.organisation
    }
    /// Where events are sent (a POST with a JSON body).
    async fn url(&self) -> &str {
        &self.0.endpoint.url
    }
    /// What it is for, in its owner's words.
    async fn description(&self) -> Option<&str> {
        self.0.endpoint.description.as_deref()
    }
    /// The kinds of record whose changes it receives.
    async fn entity_types(&self) -> Vec<ChangeEntity> {
        webhook::entity_types(&self.0.endpoint)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// Only changes of the facilities the organisation maintains, and of visits to them.
    async fn own_facilities_only(&self) -> bool {
        self.0.endpoint.own_facilities_only
    }
    /// Whether events are sent to it now.
    async fn enabled(&self) -> bool {
        self.0.endpoint.disabled_at.is_none()
    }
    /// Since when it is disabled.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.endpoint.disabled_at
    }
    /// Why it is disabled: which delivery kept failing and how, or what its owner said.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.endpoint.disabled_reason.as_deref()
    }
    /// Failed attempts since the last delivery that succeeded.
    async fn consecutive_failures(&self) -> i32 {
        self.0.endpoint.consecutive_failures
    }
    /// Until when the secret before the last rotation also signs; null when only one signs.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .endpoint
            .previous_secret_expires_at
            .filter(|_| self.0.endpoint.previous_secret.is_some())
    }
    /// The change-feed cursor of the last event considered for it: events
    /// after it are still to be fanned out.
    async fn cursor(&self) -> String {
        encode_cursor(self.0.endpoint.cursor)
    }
    /// Pass it to `updateWebhookEndpoint`; it grows with each change.
    async fn version(&self) -> i32 {
        self.0.endpoint.version
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.endpoint.created_at
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.endpoint.updated_at
    }
    /// Its delivery log, newest first. `first` defaults to 50, at most 500.
    #[graphql(
        complexity = "crate::graphql::types::connection::page_cost(first, None, 50, child_complexity)"
    )]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, newest first (default 50, at most 500).")] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`): older deliveries.")]
        after: Option<String>,
        #[graphql(desc = "Only deliveries in this state.")] status: Option<WebhookDeliveryStatus>,
    ) -> Result<WebhookDeliveryConnection> {
        let limit = forward_limit(first)?;
        let before = after.as_deref().map(decode_cursor).transpose()?;
        let mut rows = webhook::deliveries(
            context::db(ctx),
            self.0.endpoint.id,
            status.map(Into::into),
            before,
            limit,
        )
        .await?;
        let has_next_page = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let page_info = PageInfo {
            has_next_page,
            has_previous_page: before.is_some(),
            start_cursor: rows.first().map(|r| delivery_cursor(r.id)),
            end_cursor: rows.last().map(|r| delivery_cursor(r.id)),
        };
        Ok(WebhookDeliveryConnection {
            nodes: rows.into_iter().map(WebhookDelivery).collect(),
            page_info,
        })
    }
}

fn delivery_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("delivery:{id}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, AppError> {
    let bad = || {
        AppError::bad_input(
            "after",
            "this is not a cursor of the delivery log: pass an `endCursor` it returned",
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    String::from_utf8(raw)
        .ok()
        .and_then(|r| r.strip_prefix("delivery:")?.parse::<i64>().ok())
        .ok_or_else(bad)
}

/// One change-feed event for one endpoint, and how sending it went.
#[derive(Clone, Debug)]
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One change-feed event for one endpoint, and how sending it went.
#[Object]
impl WebhookDelivery {
    /// Its `webhook-id` header, the same on every attempt: receivers use it to skip repeats.
    async fn id(&self) -> ID {
        ID(self.0.uuid.to_string())
    }
    /// The event's type, as the payload's `type` says (`facility.updated`).
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The event's cursor in the change feed.
    async fn event_cursor(&self) -> String {
        encode_cursor(self.0.audit_event_id)
    }
    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it is sent next, while pending.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == db::DeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }
    /// When the last attempt was made.
    async fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_attempt_at
    }
    /// The HTTP status the endpoint last answered with; null when it did not answer.
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }
    /// What went wrong on the last attempt, in short.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// When the event was fanned out to the endpoint.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A page of a delivery log.
#[derive(SimpleObject, Debug)]
pub struct WebhookDeliveryConnection {
    /// The deliveries of this page, newest first.
    pub nodes: Vec<WebhookDelivery>,
    /// `endCursor` is where older deliveries continue.
    pub page_info: PageInfo,
}

/// A new endpoint, or one with a new secret, and the secret: shown this once.
#[derive(SimpleObject, Debug)]
pub struct WebhookSecretPayload {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_` and base64), which the receiver verifies
    /// signatures with. It is not shown again: store it now.
    pub secret: String,
}
