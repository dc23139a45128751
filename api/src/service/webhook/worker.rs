//! The background work of one replica: fanning new change-feed events out
//! into delivery rows, and sending the due deliveries. Woken by each new
//! data version (a write on any replica) and by a timer for retries.
//!
//! Several replicas share the work safely. The fan-out moves an endpoint's
//! cursor with a compare-and-set in the transaction that inserts the
//! deliveries, and a unique index allows one delivery per event and
//! endpoint. The sender claims only the oldest pending delivery of each
//! endpoint, under a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so that
//! replicas claiming at the same moment pass over each other's rows); a
//! replica that dies while sending loses its lease when it expires.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::value::{AuditEntity, DeliveryStatus};
use entity::{audit_event, facility, webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{Policy, entity_types, guard, signature};
use crate::data_version::DataVersion;
use crate::error::{AppError, Result};
use crate::service::kernel::now;

/// Events read per endpoint in one fan-out transaction.
const FAN_OUT_BATCH: u64 = 500;

/// Deliveries one replica claims at once (each of another endpoint).
const CLAIM_BATCH: u64 = 16;

/// The longest wait between two retries of a delivery.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The longest `last_error` kept, in characters.
const MAX_ERROR: usize = 300;

/// Starts the work of this replica in a task of the current runtime; it
/// ends when the data version it follows is dropped (the server stopped).
/// Attempts are counted by outcome in `counter`, when there is one.
pub fn spawn(
    db: DatabaseConnection,
    versions: &Arc<DataVersion>,
    policy: Policy,
    counter: Option<prometheus::IntCounterVec>,
) {
    if !policy.work {
        return;
    }
    let mut moved = versions.watch();
    let owner = Uuid::new_v4().simple().to_string();
    let tick = policy
        .retry_base
        .clamp(Duration::from_millis(20), Duration::from_secs(1));
    drop(tokio::spawn(crate::db::upkeep(async move {
        loop {
            if let Err(err) = run_once(&db, &policy, &owner, counter.as_ref()).await {
                err.log_if_internal();
            }
            tokio::select! {
                changed = moved.changed() => if changed.is_err() { break },
                () = tokio::time::sleep(tick) => {}
            }
        }
    })));
}

/// Fans out what is new, then sends what is due until nothing is left.
///
/// # Errors
/// Database errors.
pub async fn run_once(
    db: &DatabaseConnection,
    policy: &Policy,
    owner: &str,
    counter: Option<&prometheus::IntCounterVec>,
) -> Result<()> {
    fan_out(db).await?;
    loop {
        // A delivery that succeeded makes its endpoint's next one due at once.
        let claimed = claim(db, owner, policy).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let sends = claimed
            .into_iter()
            .map(|work| send(db, policy, owner, work, counter));
        for outcome in futures_util::future::join_all(sends).await {
            outcome?;
        }
    }
}

/// Turns the events after each enabled endpoint's cursor into deliveries.
///
/// # Errors
/// Database errors.
pub async fn fan_out(db: &DatabaseConnection) -> Result<()> {
    let Some(last) = super::latest_event(db).await? else {
        return Ok(());
    };
    let behind = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::DisabledAt.is_null())
        .filter(webhook_endpoint::Column::Cursor.lt(last))
        .all(db)
        .await?;
    for endpoint in behind {
        let mut cursor = endpoint.cursor;
        while cursor < last {
            cursor = fan_out_to(db, &endpoint, cursor, last).await?;
        }
    }
    Ok(())
}

/// One batch for one endpoint; the answer is its new cursor (`last` when
/// another replica moved it first, which then did this batch).
async fn fan_out_to(
    db: &DatabaseConnection,
    endpoint: &webhook_endpoint::Model,
    cursor: i64,
    last: i64,
) -> Result<i64> {
    let txn = db.begin().await?;
    // Audit ids follow commit order, and `last` is committed: no event at or
    // below it can still appear. Public events, and the non-public ones that
    // only their own organisation hears of (below).
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::Id.gt(cursor))
        .filter(audit_event::Column::Id.lte(last))
        .filter(
            Condition::any()
                .add(audit_event::Column::Public.eq(true))
                .add(audit_event::Column::EntityType.is_in(ADDRESSED)),
        )
        .order_by_asc(audit_event::Column::Id)
        .limit(FAN_OUT_BATCH)
        .all(&txn)
        .await?;
    let next = if u64::try_from(events.len()).unwrap_or(u64::MAX) >= FAN_OUT_BATCH {
        events.last().map_or(last, |e| e.id)
    } else {
        last
    };
    let moved = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Cursor, Expr::value(next))
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
        .filter(webhook_endpoint::Column::Cursor.eq(cursor))
        .exec(&txn)
        .await?;
    if moved.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(last);
    }
    let wanted: HashSet<AuditEntity> = entity_types(endpoint).into_iter().collect();
    let own = if endpoint.own_facilities_only {
        Some(own_facilities(&txn, endpoint.organisation_id).await?)
    } else {
        None
    };
    let at = now();
    let rows: Vec<webhook_delivery::ActiveModel> = events
        .iter()
        .filter(|e| wanted.contains(&e.entity_type))
        .filter(|e| e.public || addressee(e) == Some(endpoint.organisation_id))
        .filter(|e| {
            own.as_ref()
                .is_none_or(|own| concerns(e, endpoint.organisation_id, own))
        })
        .map(|e| webhook_delivery::ActiveModel {
            uuid: Set(Uuid::now_v7()),
            endpoint_id: Set(endpoint.id),
            audit_event_id: Set(e.id),
            event_type: Set(event_type(e)),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(at),
            leased_until: Set(None),
            lease_owner: Set(None),
            last_attempt_at: Set(None),
            last_status: Set(None),
            last_error: Set(None),
            delivered_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        // The cursor's compare-and-set already keeps replicas from fanning
        // out one event twice; the unique index is the backstop, and a row
        // it holds is not an error.
        webhook_delivery::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    webhook_delivery::Column::EndpointId,
                    webhook_delivery::Column::AuditEventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(next)
}

async fn own_facilities(db: &impl ConnectionTrait, organisation: i32) -> Result<HashSet<i32>> {
    Ok(facility::Entity::find()
        .select_only()
        .column(facility::Column::Id)
        .filter(facility::Column::MaintainedById.eq(organisation))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Whether an event is about a facility the organisation maintains (now,
/// or before the change: a facility handed over is news to its former
/// maintainer) or a visit to one.
fn concerns(event: &audit_event::Model, organisation: i32, own: &HashSet<i32>) -> bool {
    let states = || {
        [&event.before_state, &event.after_state]
            .into_iter()
            .flatten()
    };
    let field = |name: &'static str| {
        states().filter_map(move |s| s.get(name)?.as_i64().and_then(|v| i32::try_from(v).ok()))
    };
    match event.entity_type {
        AuditEntity::Facility => {
            own.contains(&event.entity_id) || field("maintained_by_id").any(|o| o == organisation)
        }
        AuditEntity::Visit => field("facility_id").any(|f| own.contains(&f)),
        AuditEntity::Proposal | AuditEntity::ConsultationComment => {
            addressee(event) == Some(organisation)
        }
        _ => false,
    }
}

/// The records whose non-public events their own organisation hears of:
/// what becomes of its proposals, and the answers to its comments on a
/// version in consultation.
const ADDRESSED: [AuditEntity; 2] = [AuditEntity::Proposal, AuditEntity::ConsultationComment];

/// The organisation that made a proposal or a consultation comment, from
/// its event: the only one told of a non-public change to it (the payload
/// carries ids, never the record).
fn addressee(event: &audit_event::Model) -> Option<i32> {
    if !ADDRESSED.contains(&event.entity_type) {
        return None;
    }
    let state = event.after_state.as_ref()?;
    i32::try_from(state.get("organisation_id")?.as_i64()?).ok()
}

/// `facility.updated` and the like.
#[must_use]
pub fn event_type(event: &audit_event::Model) -> String {
    format!("{}.{}", event.entity_type.as_str(), event.action.as_str())
}

/// The body of a delivery: the event as the `changes` feed shows it.
#[must_use]
pub fn payload(event: &audit_event::Model) -> serde_json::Value {
    json!({
        "type": event_type(event),
        "timestamp": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": {
            "cursor": crate::service::changes::encode_cursor(event.id),
            "action": event.action.as_str().to_uppercase(),
            "entityType": event.entity_type.as_str().to_uppercase(),
            "entityId": crate::service::changes::record_id(event).to_string(),
            "entityVersion": event.entity_version,
            "occurredAt": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        }
    })
}

/// A claimed delivery with what sending it needs.
struct Work {
    delivery: webhook_delivery::Model,
    endpoint: webhook_endpoint::Model,
    event: Option<audit_event::Model>,
}

/// Claims the oldest pending, due delivery of each enabled endpoint whose
/// earlier deliveries are all done.
async fn claim(db: &DatabaseConnection, owner: &str, policy: &Policy) -> Result<Vec<Work>> {
    let at = now();
    let txn = db.begin().await?;
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(at))
        .filter(
            webhook_delivery::Column::LeasedUntil
                .is_null()
                .or(webhook_delivery::Column::LeasedUntil.lt(at)),
        )
        // Nothing goes to a disabled endpoint, nor to a suspended
        // organisation's: its deliveries wait until it is reinstated.
        .filter(Expr::cust(
            "endpoint_id IN (SELECT webhook_endpoint.id FROM webhook_endpoint \
             JOIN organisation ON organisation.id = webhook_endpoint.organisation_id \
             WHERE webhook_endpoint.disabled_at IS NULL AND organisation.suspended_at IS NULL)",
        ))
        // In order per endpoint: nothing is sent while an earlier one is pending.
        .filter(Expr::cust(
            "NOT EXISTS (SELECT 1 FROM webhook_delivery AS earlier \
             WHERE earlier.endpoint_id = webhook_delivery.endpoint_id \
             AND earlier.status = 'pending' AND earlier.id < webhook_delivery.id)",
        ))
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(CLAIM_BATCH);
    // SQLite has one writer at a time and one process: it needs no row locks.
    if db.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = due.all(&txn).await?;
    if due.is_empty() {
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    let lease = policy.timeout * 2 + Duration::from_secs(5);
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let ids: Vec<i64> = due.iter().map(|d| d.id).collect();
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LeasedUntil, Expr::value(until))
        .col_expr(webhook_delivery::Column::LeaseOwner, Expr::value(owner))
        .filter(webhook_delivery::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let endpoints: HashMap<i32, webhook_endpoint::Model> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Id.is_in(due.iter().map(|d| d.endpoint_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut events: HashMap<i64, audit_event::Model> = audit_event::Entity::find()
        .filter(audit_event::Column::Id.is_in(due.iter().map(|d| d.audit_event_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(due
        .into_iter()
        .filter_map(|delivery| {
            let endpoint = endpoints.get(&delivery.endpoint_id)?.clone();
            let event = events.remove(&delivery.audit_event_id);
            Some(Work {
                delivery,
                endpoint,
                event,
            })
        })
        .collect())
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Failed { status: Option<u16>, error: String },
}

async fn attempt(policy: &Policy, work: &Work) -> Outcome {
    let failed = |error: String| Outcome::Failed {
        status: None,
        error: short(&error),
    };
    let Some(event) = &work.event else {
        return failed("the event is no longer in the audit log".to_owned());
    };
    let url = match guard::parse(&work.endpoint.url, policy.allow) {
        Ok(url) => url,
        Err(refusal) => return failed(format!("refused: {refusal}")),
    };
    let address = match guard::resolve(&url, policy.allow).await {
        Ok(address) => address,
        Err(refusal) => return failed(format!("refused: {refusal}")),
    };
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(policy.timeout)
        .user_agent(concat!("wish-api-webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(url::Host::Domain(name)) = url.host() {
        // Connect to the address just checked, not to what a second lookup says.
        client = client.resolve(name, address);
    }
    let client = match client.build() {
        Ok(client) => client,
        Err(_) => return failed("could not prepare the request".to_owned()),
    };
    let body = payload(event).to_string();
    let id = work.delivery.uuid.to_string();
    let timestamp = Utc::now().timestamp();
    let at = now();
    let endpoint = &work.endpoint;
    let previous = endpoint
        .previous_secret
        .as_deref()
        .filter(|_| endpoint.previous_secret_expires_at.is_some_and(|e| e > at));
    let signature = signature::header(
        std::iter::once(endpoint.secret.as_str()).chain(previous),
        &id,
        timestamp,
        body.as_bytes(),
    );
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {
            Outcome::Delivered(response.status().as_u16())
        }
        Ok(response) => Outcome::Failed {
            status: Some(response.status().as_u16()),
            error: format!("the endpoint answered HTTP {}", response.status().as_u16()),
        },
        // The error's own text names the URL: say what happened in general words.
        Err(err) if err.is_timeout() => failed(format!(
            "no answer within {} ms",
            policy.timeout.as_millis()
        )),
        Err(err) if err.is_connect() => failed("could not connect".to_owned()),
        Err(_) => failed("the request failed".to_owned()),
    }
}

/// The wait before retry `attempts + 1`: the base doubled per attempt made,
/// at most an hour, between half of that and all of it.
fn backoff(base: Duration, attempts: u32) -> Duration {
    let doubled = base.saturating_mul(1_u32 << Ord::min(attempts.saturating_sub(1), 20));
    let full = doubled.min(MAX_BACKOFF);
    let jitter = u32::try_from(Uuid::new_v4().as_u128() % 1001).unwrap_or(1000);
    full / 2 + (full / 2) * jitter / 1000
}

async fn send(
    db: &DatabaseConnection,
    policy: &Policy,
    owner: &str,
    work: Work,
    counter: Option<&prometheus::IntCounterVec>,
) -> Result<()> {
    let outcome = attempt(policy, &work).await;
    if let Some(counter) = counter {
        let label = match outcome {
            Outcome::Delivered(_) => "delivered",
            Outcome::Failed { .. } => "failed",
        };
        counter.with_label_values(&[label]).inc();
    }
    let at = now();
    let attempts = work.delivery.attempts.saturating_add(1);
    let txn = db.begin().await?;
    let mine = webhook_delivery::Entity::update_many()
        .filter(webhook_delivery::Column::Id.eq(work.delivery.id))
        .filter(webhook_delivery::Column::LeaseOwner.eq(owner))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(at))
        .col_expr(
            webhook_delivery::Column::LeasedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(at));
    let endpoint = webhook_endpoint::Entity::update_many()
        .filter(webhook_endpoint::Column::Id.eq(work.endpoint.id));
    match outcome {
        Outcome::Delivered(status) => {
            let done = mine
                .col_expr(
                    webhook_delivery::Column::Status,
                    Expr::value(DeliveryStatus::Delivered.as_str()),
                )
                .col_expr(
                    webhook_delivery::Column::LastStatus,
                    Expr::value(i32::from(status)),
                )
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(at))
                .exec(&txn)
                .await?;
            if done.rows_affected == 1 {
                endpoint
                    .col_expr(
                        webhook_endpoint::Column::ConsecutiveFailures,
                        Expr::value(0),
                    )
                    .exec(&txn)
                    .await?;
            }
        }
        Outcome::Failed { status, error } => {
            let exhausted = u32::try_from(attempts).unwrap_or(u32::MAX) >= policy.max_attempts;
            let retry = at
                + chrono::Duration::from_std(backoff(
                    policy.retry_base,
                    u32::try_from(attempts).unwrap_or(u32::MAX),
                ))
                .unwrap_or(chrono::Duration::hours(1));
            let done = mine
                .col_expr(
                    webhook_delivery::Column::Status,
                    Expr::value(
                        if exhausted {
                            DeliveryStatus::Failed
                        } else {
                            DeliveryStatus::Pending
                        }
                        .as_str(),
                    ),
                )
                .col_expr(
                    webhook_delivery::Column::LastStatus,
                    Expr::value(status.map(i32::from)),
                )
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value(error.clone()),
                )
                .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(retry))
                .exec(&txn)
                .await?;
            if done.rows_affected == 1 {
                let mut failing = endpoint.col_expr(
                    webhook_endpoint::Column::ConsecutiveFailures,
                    Expr::col(webhook_endpoint::Column::ConsecutiveFailures).add(1),
                );
                if exhausted {
                    let reason = short(&format!(
                        "delivery {} failed {attempts} times; the last attempt: {error}",
                        work.delivery.uuid
                    ));
                    failing = failing
                        .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(at))
                        .col_expr(
                            webhook_endpoint::Column::DisabledReason,
                            Expr::value(reason),
                        );
                    tracing::warn!(
                        endpoint = %work.endpoint.uuid,
                        "a webhook endpoint kept failing and was disabled"
                    );
                }
                failing.exec(&txn).await?;
            }
        }
    }
    txn.commit().await.map_err(AppError::from)
}

/// At most [`MAX_ERROR`] characters of a message.
#[must_use]
pub fn short(message: &str) -> String {
    message.trim().chars().take(MAX_ERROR).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let base = Duration::from_millis(100);
        for _ in 0..50 {
            let first = backoff(base, 1);
            assert!(first >= Duration::from_millis(50) && first <= base);
            let fourth = backoff(base, 4);
            assert!(fourth >= Duration::from_millis(400) && fourth <= Duration::from_millis(800));
            assert!(backoff(base, 40) <= MAX_BACKOFF);
        }
    }
}
