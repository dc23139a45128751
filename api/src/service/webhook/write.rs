//! Creating, changing and removing endpoints, rotating their secrets,
//! enabling them again, and sending a delivery again. Each write of an
//! endpoint is one audit event, never public: admins read it in the audit
//! log, and neither the change feed nor any webhook carries it.

use entity::value::{AuditAction, AuditEntity, DeliveryStatus};
use entity::{webhook_delivery, webhook_endpoint};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::{Owned, Policy, guard, signature, store_entity_types};
use crate::error::{AppError, Result};
use crate::service::kernel::now;
use crate::service::kernel::record::keeping_private;
use crate::service::kernel::unit_of_work::{Actor, Change, Write, check_version, snapshot};

/// Longest description, in characters.
const MAX_DESCRIPTION: usize = 500;

/// Most endpoints of one organisation: each costs a request per event.
pub const MAX_ENDPOINTS: u64 = 20;

/// Longest a rotated-out secret keeps signing, in hours (a week).
pub const MAX_KEEP_PREVIOUS_HOURS: u32 = 7 * 24;

/// The columns the audit log keeps only as whether they are set and
/// whether a write changed them: a secret signs deliveries, and whoever
/// reads it can forge them.
const SECRETS: [&str; 2] = ["secret", "previous_secret"];

/// The kind of record no webhook is sent: endpoints' own writes are only in
/// the audit log.
const NEVER_SENT: AuditEntity = AuditEntity::WebhookEndpoint;

/// What an endpoint receives.
#[derive(Debug, Clone)]
pub struct Fields {
    pub url: String,
    pub description: Option<String>,
    /// Empty: every kind of record.
    pub entity_types: Vec<AuditEntity>,
    pub own_facilities_only: bool,
}

/// A new endpoint and its secret, shown this once.
#[derive(Debug, Clone)]
pub struct Created {
    pub endpoint: Owned,
    pub secret: String,
}

async fn checked(fields: Fields, policy: &Policy) -> Result<Fields> {
    if fields.entity_types.contains(&NEVER_SENT) {
        return Err(AppError::bad_input(
            "input.entityTypes",
            "the writes of webhook endpoints are only in the audit log: no webhook receives them",
        ));
    }
    let url = guard::parse(&fields.url, policy.allow)
        .map_err(|message| AppError::bad_input("input.url", message))?;
    guard::resolve(&url, policy.allow)
        .await
        .map_err(|message| AppError::bad_input("input.url", message))?;
    let description = fields
        .description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(AppError::bad_input(
            "input.description",
            format!("at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(Fields {
        url: url.to_string(),
        description,
        entity_types: fields.entity_types,
        own_facilities_only: fields.own_facilities_only,
    })
}

fn all_or(types: &[AuditEntity]) -> Vec<AuditEntity> {
    if types.is_empty() {
        <AuditEntity as sea_orm::Iterable>::iter()
            .filter(|t| *t != NEVER_SENT)
            .collect()
    } else {
        types.to_vec()
    }
}

/// Registers an endpoint for an organisation; it receives the events
/// committed from now on.
///
/// # Errors
/// `FORBIDDEN` for an organisation the actor does not manage;
/// `BAD_USER_INPUT` for a refused URL or a long description; database errors.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    organisation: Option<&str>,
    fields: Fields,
    policy: &Policy,
) -> Result<Created> {
    let org = super::organisation_of(db, actor, organisation).await?;
    let fields = checked(fields, policy).await?;
    let held = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::OrganisationId.eq(org.id))
        .count(db)
        .await?;
    if held >= MAX_ENDPOINTS {
        return Err(AppError::Conflict(format!(
            "the organisation `{}` has {MAX_ENDPOINTS} webhook endpoints, the most it may: delete one first",
            org.slug
        )));
    }
    let secret = signature::new_secret();
    let at = now();
    let mut write = Write::begin(db, actor.clone(), "api").await?;
    // A new endpoint receives what happens from now on.
    let cursor = super::latest_event(write.txn()).await?.unwrap_or(0);
    let endpoint = webhook_endpoint::ActiveModel {
        uuid: Set(Uuid::now_v7()),
        organisation_id: Set(org.id),
        url: Set(fields.url),
        description: Set(fields.description),
        entity_types: Set(store_entity_types(&all_or(&fields.entity_types))),
        own_facilities_only: Set(fields.own_facilities_only),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        disabled_at: Set(None),
        disabled_reason: Set(None),
        consecutive_failures: Set(0),
        cursor: Set(cursor),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(write.txn())
    .await?;
    write.record(audited(
        AuditAction::Created,
        endpoint.id,
        None,
        Some(&endpoint),
    )?);
    write.commit().await?;
    Ok(Created {
        endpoint: Owned {
            endpoint,
            organisation: org.slug,
        },
        secret,
    })
}

/// Changes what an endpoint receives, at `expected_version`.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale version, `BAD_USER_INPUT` for a
/// refused URL; database errors.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    uuid: Uuid,
    expected_version: i32,
    fields: Fields,
    policy: &Policy,
) -> Result<Owned> {
    let Owned {
        endpoint,
        organisation,
    } = super::find(db, actor, uuid).await?;
    check_version("webhook endpoint", endpoint.version, expected_version)?;
    let fields = checked(fields, policy).await?;
    let mut row = endpoint.clone().into_active_model();
    row.url = Set(fields.url);
    row.description = Set(fields.description);
    row.entity_types = Set(store_entity_types(&all_or(&fields.entity_types)));
    row.own_facilities_only = Set(fields.own_facilities_only);
    // Begun once the URL is checked: resolving it holds no write lock.
    let write = Write::begin(db, actor.clone(), "api").await?;
    Ok(Owned {
        endpoint: saved(write, &endpoint, row).await?,
        organisation,
    })
}

/// Saves a changed endpoint, read as `before`, if nobody changed it since,
/// with its audit event.
async fn saved(
    mut write: Write,
    before: &webhook_endpoint::Model,
    row: webhook_endpoint::ActiveModel,
) -> Result<webhook_endpoint::Model> {
    let after = save(write.txn(), row, before.id, before.version).await?;
    write.record(audited(
        AuditAction::Updated,
        before.id,
        Some(before),
        Some(&after),
    )?);
    write.commit().await?;
    Ok(after)
}

/// The audit record of one write of an endpoint (`None` before a create,
/// after a delete), without its secrets.
fn audited(
    action: AuditAction,
    id: i32,
    before: Option<&webhook_endpoint::Model>,
    after: Option<&webhook_endpoint::Model>,
) -> Result<Change> {
    let (before_state, after_state) = keeping_private(
        before.map(snapshot).transpose()?,
        after.map(snapshot).transpose()?,
        &SECRETS,
    );
    Ok(Change {
        entity: AuditEntity::WebhookEndpoint,
        id,
        action,
        version: after.map(|e| e.version),
        public: false,
        before: before_state,
        after: after_state,
    })
}

/// Saves a changed endpoint if nobody changed it since it was read.
async fn save(
    db: &impl ConnectionTrait,
    mut row: webhook_endpoint::ActiveModel,
    id: i32,
    version: i32,
) -> Result<webhook_endpoint::Model> {
    row.version = Set(version + 1);
    row.updated_at = Set(now());
    let updated = webhook_endpoint::Entity::update_many()
        .set(row)
        .filter(webhook_endpoint::Column::Id.eq(id))
        .filter(webhook_endpoint::Column::Version.eq(version))
        .exec(db)
        .await?;
    let saved = if updated.rows_affected == 1 {
        webhook_endpoint::Entity::find_by_id(id).one(db).await?
    } else {
        None
    };
    saved.ok_or_else(|| {
        AppError::Conflict(
            "the webhook endpoint was changed meanwhile: read it again and retry".to_owned(),
        )
    })
}

/// Removes an endpoint and its delivery log.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, uuid: Uuid) -> Result<()> {
    let mut write = Write::begin(db, actor.clone(), "api").await?;
    let Owned { endpoint, .. } = super::find(write.txn(), actor, uuid).await?;
    webhook_endpoint::Entity::delete_by_id(endpoint.id)
        .exec(write.txn())
        .await?;
    write.record(audited(
        AuditAction::Deleted,
        endpoint.id,
        Some(&endpoint),
        None,
    )?);
    write.commit().await
}

/// Gives an endpoint a new secret, shown this once. The previous one keeps
/// signing too for `keep_previous_hours` (0: not at all), so that receivers
/// can switch without losing a delivery.
///
/// # Errors
/// `NOT_FOUND`; `BAD_USER_INPUT` for a longer overlap than a week; database errors.
pub async fn rotate_secret(
    db: &DatabaseConnection,
    actor: &Actor,
    uuid: Uuid,
    keep_previous_hours: u32,
) -> Result<Created> {
    if keep_previous_hours > MAX_KEEP_PREVIOUS_HOURS {
        return Err(AppError::bad_input(
            "keepPreviousHours",
            format!("at most {MAX_KEEP_PREVIOUS_HOURS} hours (a week)"),
        ));
    }
    let write = Write::begin(db, actor.clone(), "api").await?;
    let Owned {
        endpoint,
        organisation,
    } = super::find(write.txn(), actor, uuid).await?;
    let secret = signature::new_secret();
    let previous = endpoint.secret.clone();
    let mut row = endpoint.clone().into_active_model();
    row.secret = Set(secret.clone());
    if keep_previous_hours == 0 {
        row.previous_secret = Set(None);
        row.previous_secret_expires_at = Set(None);
    } else {
        row.previous_secret = Set(Some(previous));
        row.previous_secret_expires_at = Set(Some(
            now() + chrono::Duration::hours(i64::from(keep_previous_hours)),
        ));
    }
    Ok(Created {
        endpoint: Owned {
            endpoint: saved(write, &endpoint, row).await?,
            organisation,
        },
        secret,
    })
}

/// Sends to an endpoint again (`reason: None`), or stops sending to it.
/// Deliveries wait while it is disabled, and resume in order when it is
/// enabled; events committed meanwhile are fanned out then.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn set_enabled(
    db: &DatabaseConnection,
    actor: &Actor,
    uuid: Uuid,
    disabled_reason: Option<String>,
) -> Result<Owned> {
    let write = Write::begin(db, actor.clone(), "api").await?;
    let Owned {
        endpoint,
        organisation,
    } = super::find(write.txn(), actor, uuid).await?;
    let mut row = endpoint.clone().into_active_model();
    match disabled_reason {
        None => {
            row.disabled_at = Set(None);
            row.disabled_reason = Set(None);
            row.consecutive_failures = Set(0);
        }
        Some(reason) => {
            row.disabled_at = Set(Some(now()));
            row.disabled_reason = Set(Some(super::worker::short(&reason)));
        }
    }
    Ok(Owned {
        endpoint: saved(write, &endpoint, row).await?,
        organisation,
    })
}

/// Sends a delivery again, soon, with its `webhook-id` unchanged: it waits
/// behind the endpoint's earlier pending deliveries, and goes ahead of the later ones.
///
/// # Errors
/// `NOT_FOUND`; `CONFLICT` while it is being sent; database errors.
pub async fn redeliver(
    db: &DatabaseConnection,
    actor: &Actor,
    uuid: Uuid,
) -> Result<webhook_delivery::Model> {
    let (delivery, _) = super::find_delivery(db, actor, uuid).await?;
    let at = now();
    if delivery.status == DeliveryStatus::Pending && delivery.leased_until.is_some_and(|l| l > at) {
        return Err(AppError::Conflict(
            "this delivery is being sent right now: look at the log again in a moment".to_owned(),
        ));
    }
    let mut row = delivery.into_active_model();
    row.status = Set(DeliveryStatus::Pending);
    row.attempts = Set(0);
    row.next_attempt_at = Set(at);
    row.leased_until = Set(None);
    row.lease_owner = Set(None);
    row.delivered_at = Set(None);
    row.updated_at = Set(at);
    Ok(row.update(db).await?)
}
